//! Why a pull fails, and how: SDK errors reduced to what classification
//! needs ([`CallError`]), a failed call with where it failed ([`Failure`]),
//! and the [`PullError`] a person reads, each saying what to do.
//!
//! Must not know: which calls exist or how they are paged.

use super::*;

/// Why a pull failed: each says what to do about it. Exit code 2.
#[derive(Debug, Error, Diagnostic)]
pub enum PullError {
    #[error("no AWS credentials found: {detail}")]
    #[diagnostic(
        code(vpcreach::pull::no_credentials),
        help("pull uses the standard AWS credential chain: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure` or `aws sso login --profile NAME` and pass --profile NAME, or run where an instance or task role is available")
    )]
    NoCredentials { detail: String },

    #[error("could not load AWS credentials: {detail}")]
    #[diagnostic(
        code(vpcreach::pull::credentials),
        help("check the profile in ~/.aws/config (or AWS_CONFIG_FILE) and that its credential source works, e.g. `aws sts get-caller-identity --profile NAME`")
    )]
    CredentialsFailed { detail: String },

    #[error("the AWS credentials have expired ({detail})")]
    #[diagnostic(
        code(vpcreach::pull::expired),
        help("refresh them: `aws sso login --profile NAME` for SSO, or get new temporary credentials (AWS_SESSION_TOKEN) and retry")
    )]
    Expired { detail: String },

    #[error("AWS rejected the credentials: {code}: {message}")]
    #[diagnostic(
        code(vpcreach::pull::invalid_credentials),
        help("check the access key id and secret (and AWS_SESSION_TOKEN for temporary credentials), that the key is active, and that this machine's clock is right")
    )]
    InvalidCredentials { code: String, message: String },

    #[error("no region to pull")]
    #[diagnostic(
        code(vpcreach::pull::no_region),
        help("pass --region REGION (repeatable) or --all-regions, or set AWS_REGION or `region` in the profile")
    )]
    NoRegion,

    #[error("region {region} is not enabled for this account ({code}: {message})")]
    #[diagnostic(
        code(vpcreach::pull::region_disabled),
        help("enable the region in the account settings, leave it out of --region, or pass --allow-partial to skip it and record it as missing")
    )]
    RegionDisabled {
        region: String,
        code: String,
        message: String,
    },

    #[error("missing IAM permission{}: {}", if denied.len() == 1 { "" } else { "s" }, denied_list(denied))]
    #[diagnostic(
        code(vpcreach::pull::unauthorized),
        help("grant {} (docs/iam-policy.json is a read-only policy with every action pull needs), or pass --allow-partial to write the snapshot without {} and record what is missing", actions_list(denied), if denied.len() == 1 { "it" } else { "them" })
    )]
    Unauthorized { denied: Vec<Missing> },

    #[error("cannot reach the AWS API for {region}: {operation}: {detail}")]
    #[diagnostic(
        code(vpcreach::pull::unreachable),
        help("check the network (and HTTPS_PROXY), the region name, and --endpoint-url / AWS_ENDPOINT_URL if set")
    )]
    Unreachable {
        region: String,
        operation: String,
        detail: String,
    },

    #[error("{operation} in {region} gave an incomplete answer: {message}")]
    #[diagnostic(
        code(vpcreach::pull::incomplete_answer),
        help("nothing was written and any earlier snapshot at --output is as it was; run pull again, and if it repeats check what sits between this machine and the endpoint (a proxy cutting answers short)")
    )]
    IncompleteAnswer {
        region: String,
        operation: String,
        message: String,
    },

    #[error("{operation} failed in {region}: {code}: {message}")]
    #[diagnostic(code(vpcreach::pull::api))]
    Api {
        region: String,
        operation: String,
        code: String,
        message: String,
    },

    #[error("cannot write the snapshot at {}: {message}", path.display())]
    #[diagnostic(
        code(vpcreach::pull::output),
        help("--output takes a new directory, an empty one, or a snapshot an earlier pull wrote (replaced only once the new pull is complete)")
    )]
    Output { path: PathBuf, message: String },

    #[error("interrupted ({signal}): nothing was written")]
    #[diagnostic(
        code(vpcreach::pull::interrupted),
        help("the temporary folder was removed and any earlier snapshot at --output is as it was; run pull again")
    )]
    Interrupted { signal: &'static str },

    #[error("cannot list the accounts to pull: {stage}: {code}: {message}")]
    #[diagnostic(
        code(vpcreach::pull::accounts),
        help("--org lists the organisation from its management account or a delegated administrator, which needs organizations:ListAccounts (docs/org.md); or name the accounts with --accounts ID,...")
    )]
    Accounts {
        stage: &'static str,
        code: String,
        message: String,
    },

    #[error("not active accounts of the organisation: {}", accounts.join(", "))]
    #[diagnostic(
        code(vpcreach::pull::not_in_organisation),
        help("with --org, --accounts selects among the organisation's active accounts; without --org it pulls exactly the accounts given")
    )]
    NotInOrganisation { accounts: Vec<String> },

    #[error("no account to pull")]
    #[diagnostic(
        code(vpcreach::pull::no_account),
        help("the organisation lists no active account (is this its management account or a delegated administrator?), or --exclude-accounts left out every one")
    )]
    NoAccount,

    #[error("{} account{} could not be pulled: {}", failed.len(), if failed.len() == 1 { "" } else { "s" }, accounts_failed_list(failed))]
    #[diagnostic(
        code(vpcreach::pull::accounts_failed),
        help("deploy the read-only role in every account with a trust policy for this caller (docs/org.md), leave the accounts out with --exclude-accounts, or pass --allow-partial to write the others and record these as missing (analyses then answer unknown where they matter)")
    )]
    AccountsFailed {
        failed: Vec<(String, super::org::AccountFailure)>,
    },

    #[error("cannot start the async runtime: {0}")]
    #[diagnostic(code(vpcreach::pull::runtime))]
    Runtime(String),
}

pub(super) fn denied_list(denied: &[Missing]) -> String {
    denied
        .iter()
        .map(|m| format!("{} in {} ({})", m.action, m.region, m.error_code))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn accounts_failed_list(failed: &[(String, super::org::AccountFailure)]) -> String {
    failed
        .iter()
        .map(|(id, f)| format!("{id} ({}: {}: {})", f.action, f.code, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn actions_list(denied: &[Missing]) -> String {
    let mut actions: Vec<&str> = denied.iter().map(|m| m.action.as_str()).collect();
    actions.sort();
    actions.dedup();
    actions.join(", ")
}

/// An SDK error reduced to what classification needs.
#[derive(Clone, Debug)]
pub(super) struct CallError {
    /// The API error code (`UnauthorizedOperation`), if the service answered.
    pub(super) code: Option<String>,
    pub(super) message: String,
    /// No answer from the service: connection, DNS, timeout.
    pub(super) unreachable: bool,
    /// An answer cut short, not well-formed, or pages that do not add up.
    pub(super) incomplete: bool,
}

impl CallError {
    pub(super) fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let unreachable = matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
        );
        if let Some(answer) = incomplete_answer(&err) {
            return CallError::incomplete(answer);
        }
        let code = err.code().map(str::to_owned);
        let message = match err.message() {
            Some(m) if code.is_some() => m.to_owned(),
            _ => error_chain(&err),
        };
        CallError {
            code,
            message,
            unreachable,
            incomplete: false,
        }
    }

    pub(super) fn incomplete(answer: &IncompleteAnswer) -> Self {
        CallError {
            code: None,
            message: answer.to_string(),
            unreachable: false,
            incomplete: true,
        }
    }

    pub(super) fn code(&self) -> &str {
        self.code.as_deref().unwrap_or("")
    }

    pub(super) fn is_denied(&self) -> bool {
        matches!(
            self.code(),
            "UnauthorizedOperation"
                | "Client.UnauthorizedOperation"
                | "AccessDenied"
                | "AccessDeniedException"
        )
    }

    /// The endpoint does not offer the operation: EC2's `InvalidAction`,
    /// the JSON protocols' `UnknownOperationException` (an emulator such as
    /// moto, a partition or region without the API).
    pub(super) fn is_unsupported(&self) -> bool {
        matches!(
            self.code(),
            "InvalidAction"
                | "UnknownOperationException"
                | "UnsupportedOperation"
                | "UnsupportedOperationException"
                | "NotImplemented"
        )
    }

    pub(super) fn is_region_disabled(&self) -> bool {
        matches!(self.code(), "OptInRequired" | "InvalidRegion")
    }

    pub(super) fn is_expired(&self) -> bool {
        matches!(
            self.code(),
            "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired"
        )
    }

    pub(super) fn is_bad_credentials(&self) -> bool {
        matches!(
            self.code(),
            "AuthFailure"
                | "InvalidClientTokenId"
                | "UnrecognizedClientException"
                | "SignatureDoesNotMatch"
                | "IncompleteSignature"
                | "MissingAuthenticationToken"
        )
    }
}

/// The [`IncompleteAnswer`] among an error's sources (the SDK wraps what
/// [`super::integrity::WholeXmlAnswers`] returns).
fn incomplete_answer<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a IncompleteAnswer> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(answer) = e.downcast_ref::<IncompleteAnswer>() {
            return Some(answer);
        }
        next = e.source();
    }
    None
}

/// An error and its sources on one line, each once (the SDK's errors often
/// repeat their source's text).
pub(super) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// A call that failed, with where.
#[derive(Clone, Debug)]
pub(super) struct Failure {
    pub(super) region: String,
    pub(super) operation: &'static str,
    pub(super) key: &'static str,
    pub(super) error: CallError,
}

impl Failure {
    pub(super) fn missing(&self) -> Missing {
        Missing {
            region: self.region.clone(),
            operation: self.operation.to_string(),
            action: iam_action(self.operation),
            key: self.key.to_string(),
            error_code: self.error.code().to_string(),
            message: self.error.message.clone(),
            account: None,
        }
    }

    /// Recorded as missing even without `--allow-partial`: the endpoint
    /// does not offer the operation (no permission can make it answer), or
    /// a Network Firewall call is denied — those actions are outside
    /// `AmazonEC2ReadOnlyAccess`, and what needs the firewalls is unknown
    /// where it meets one (an unknown `vpce-` route target), not everywhere.
    pub(super) fn optional(&self) -> bool {
        self.error.is_unsupported()
            || (self.error.is_denied() && super::firewall::is_operation(self.operation))
    }

    /// Left out with `--allow-partial` rather than failing the pull.
    pub(super) fn skippable(&self) -> bool {
        self.error.is_denied() || self.error.is_region_disabled() || self.error.is_unsupported()
    }

    pub(super) fn into_error(self, sts_ok: bool) -> PullError {
        let e = &self.error;
        if e.is_denied() {
            PullError::Unauthorized {
                denied: vec![self.missing()],
            }
        } else if e.is_region_disabled() || (sts_ok && e.code() == "AuthFailure") {
            // Credentials that STS accepted but one region's EC2 rejects:
            // the region is an opt-in region not enabled for the account.
            PullError::RegionDisabled {
                region: self.region,
                code: e.code().to_string(),
                message: e.message.clone(),
            }
        } else if e.is_expired() {
            PullError::Expired {
                detail: format!("{}: {}", e.code(), e.message),
            }
        } else if e.is_bad_credentials() {
            PullError::InvalidCredentials {
                code: e.code().to_string(),
                message: e.message.clone(),
            }
        } else if e.incomplete {
            PullError::IncompleteAnswer {
                region: self.region,
                operation: self.operation.to_string(),
                message: e.message.clone(),
            }
        } else if e.unreachable {
            PullError::Unreachable {
                region: self.region,
                operation: self.operation.to_string(),
                detail: e.message.clone(),
            }
        } else {
            PullError::Api {
                region: self.region,
                operation: self.operation.to_string(),
                code: e.code.clone().unwrap_or_else(|| "error".into()),
                message: e.message.clone(),
            }
        }
    }
}
