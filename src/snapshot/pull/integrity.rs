//! Whole answers only: an interceptor on every client ([`WholeXmlAnswers`])
//! that refuses a successful response whose body is not one complete,
//! well-formed XML document, and the check that pages add up
//! ([`PageTokens`]: no `NextToken` twice).
//!
//! Why: the SDK's XML decoder stops quietly where the body stops, so a body
//! cut short after a complete `<item>` (with a Content-Length to match)
//! reads as an answer with fewer resources, and its paginators end quietly
//! on a repeated token. Either would be a snapshot that says it is complete
//! and is not.
//!
//! Must not know: which calls exist or the shapes of their answers.

use aws_sdk_ec2::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_ec2::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ec2::error::BoxError;
use xmlparser::{ElementEnd, Token, Tokenizer};

/// Why an answer cannot be used: it is cut short, not well-formed, or its
/// pages do not add up. Fails the call (never retried: the same endpoint
/// would likely answer the same way) and so the pull.
#[derive(Debug)]
pub(super) struct IncompleteAnswer(pub(super) String);

impl std::fmt::Display for IncompleteAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IncompleteAnswer {}

/// Checks the body of every answer the SDK read as a success.
#[derive(Debug)]
pub(super) struct WholeXmlAnswers;

impl Intercept for WholeXmlAnswers {
    fn name(&self) -> &'static str {
        "WholeXmlAnswers"
    }

    // After deserialization, because only then is the body in memory; an
    // answer the SDK already read as an error is its own message.
    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.output_or_error().is_err() {
            return Ok(());
        }
        match context.response().body().bytes() {
            Some(body) => whole_document(body).map_err(|why| IncompleteAnswer(why).into()),
            None => Ok(()),
        }
    }
}

/// `Ok` if `body` is exactly one well-formed XML document whose root
/// element is closed; otherwise what is wrong, for a person.
pub(super) fn whole_document(body: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(body).map_err(|e| {
        format!(
            "the answer is not UTF-8 (byte {} of {})",
            e.valid_up_to(),
            body.len()
        )
    })?;
    let mut open: Vec<(&str, &str)> = Vec::new();
    let mut root_closed = false;
    for token in Tokenizer::from(text) {
        let token = token.map_err(|e| format!("the answer is not well-formed XML: {e}"))?;
        let closes = match token {
            Token::ElementStart { prefix, local, .. } => {
                if root_closed {
                    return Err(format!(
                        "the answer has a second root element `<{}>`",
                        local.as_str()
                    ));
                }
                open.push((prefix.as_str(), local.as_str()));
                false
            }
            Token::ElementEnd {
                end: ElementEnd::Close(prefix, local),
                ..
            } => match open.pop() {
                Some(name) if name == (prefix.as_str(), local.as_str()) => true,
                Some((_, was)) => {
                    return Err(format!(
                        "the answer is not well-formed XML: `</{}>` closes `<{was}>`",
                        local.as_str()
                    ))
                }
                None => {
                    return Err(format!(
                        "the answer is not well-formed XML: `</{}>` closes nothing",
                        local.as_str()
                    ))
                }
            },
            Token::ElementEnd {
                end: ElementEnd::Empty,
                ..
            } => open.pop().is_some(),
            _ => false,
        };
        if closes && open.is_empty() {
            root_closed = true;
        }
    }
    match open.last() {
        Some((_, inside)) => Err(format!(
            "the answer ends inside `<{inside}>` after {} bytes: cut short",
            body.len()
        )),
        None if !root_closed => Err(format!(
            "the answer holds no XML element ({} bytes)",
            body.len()
        )),
        None => Ok(()),
    }
}

/// The pagination tokens (EC2's NextToken, ELB's NextMarker) of one
/// paginated call so far: a token that comes back a second time means the pages do not add up (the SDK's paginator
/// would end there quietly, or loop for ever on a cycle).
#[derive(Default)]
pub(super) struct PageTokens {
    seen: std::collections::HashSet<String>,
}

impl PageTokens {
    /// Record the token a page gives for the next one.
    pub(super) fn next(&mut self, token: Option<&str>) -> Result<(), IncompleteAnswer> {
        match token {
            Some(token) if !token.is_empty() && !self.seen.insert(token.to_string()) => {
                Err(IncompleteAnswer(format!(
                    "page {} repeated the pagination token `{token}` of an earlier page: the pages do not add up",
                    self.seen.len() + 1
                )))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHOLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r</requestId>
  <vpcSet><item><vpcId>vpc-1</vpcId><tagSet/></item><item><vpcId>vpc-2</vpcId></item></vpcSet>
</DescribeVpcsResponse>
"#;

    #[test]
    fn a_whole_answer_passes() {
        assert_eq!(whole_document(WHOLE.as_bytes()), Ok(()));
    }

    #[test]
    fn an_answer_cut_after_a_complete_item_is_refused() {
        let cut = &WHOLE[..WHOLE.find("<item><vpcId>vpc-2").unwrap()];
        let err = whole_document(cut.as_bytes()).unwrap_err();
        assert!(err.contains("ends inside `<vpcSet>`"), "{err}");
    }

    #[test]
    fn an_answer_cut_mid_item_is_refused() {
        let cut = &WHOLE[..WHOLE.find("vpc-2").unwrap()];
        let err = whole_document(cut.as_bytes()).unwrap_err();
        assert!(err.contains("cut short"), "{err}");
    }

    #[test]
    fn every_cut_of_an_answer_is_refused() {
        let end = WHOLE.find("</DescribeVpcsResponse>").unwrap() + 23;
        for at in 0..end {
            assert!(
                whole_document(&WHOLE.as_bytes()[..at]).is_err(),
                "cut at {at} passed"
            );
        }
    }

    #[test]
    fn mismatched_and_extra_elements_are_refused() {
        let swapped = WHOLE.replace("</vpcId><tagSet/>", "</vpcIdx><tagSet/>");
        assert!(whole_document(swapped.as_bytes()).is_err());
        let twice = format!("{WHOLE}<DescribeVpcsResponse/>");
        assert!(whole_document(twice.as_bytes()).is_err());
        assert!(whole_document(b"").is_err());
        assert!(whole_document(b"  \n").is_err());
    }

    #[test]
    fn a_token_given_twice_is_refused() {
        let mut tokens = PageTokens::default();
        assert!(tokens.next(Some("a")).is_ok());
        assert!(tokens.next(Some("b")).is_ok());
        assert!(tokens.next(Some("")).is_ok());
        assert!(tokens.next(None).is_ok());
        let err = tokens.next(Some("a")).unwrap_err();
        assert!(
            err.0.contains("page 3 repeated the pagination token `a`"),
            "{err}"
        );
    }
}
