//! `path` output for either kind of answer ([`PathAnswer`]): a plain path
//! analysis ([`super::json`], [`super::text`]) or a load balancer's legs
//! ([`super::elb`]), with what a pulled snapshot adds (provenance, and the
//! UNKNOWN banner when it lacks what the answer depends on).

use super::text::Style;
use super::{elb, json, pretty, text, unknown_banner, with_provenance, Unknown};
use crate::analysis::PathAnswer;
use crate::snapshot::metadata::Provenance;

/// What a report adds to the answer itself.
pub struct Context<'a> {
    /// The snapshot's load warnings.
    pub warnings: &'a [String],
    /// Where a pulled snapshot came from, as one line.
    pub provenance: Option<String>,
    /// The same for JSON reports.
    pub provenance_json: Option<Provenance<'a>>,
    pub unknown: &'a Unknown,
}

/// The JSON document (`NetworkInsightsAnalysis` shape, or the load
/// balancer's legs).
pub fn json(answer: PathAnswer, cx: &Context) -> String {
    let mut v = match answer {
        PathAnswer::LoadBalancer(a) => elb::json(&a, cx.warnings),
        PathAnswer::Path(mut a) => {
            a.notes.extend(cx.provenance.clone());
            let mut v = json::path_analysis(&a, cx.warnings);
            if a.unknown {
                v["Status"] = serde_json::json!("unknown");
            }
            v
        }
    };
    with_provenance(&mut v, cx.provenance_json.as_ref(), cx.unknown);
    pretty(&v)
}

/// The text report.
pub fn text(answer: PathAnswer, cx: &Context, style: Style) -> String {
    let banner = unknown_banner(cx.unknown);
    match answer {
        PathAnswer::LoadBalancer(a) => {
            let provenance = cx
                .provenance
                .as_ref()
                .map(|l| format!("note: {l}\n"))
                .unwrap_or_default();
            banner + &elb::text(&a, cx.warnings, style) + &provenance
        }
        PathAnswer::Path(mut a) => {
            a.notes.extend(cx.provenance.clone());
            let body = text::path_analysis(&a, cx.warnings, style);
            // What the snapshot lacks makes the answer unknown: no headline
            // may read as a verdict (the blockers list says what is missing).
            let body = if cx.unknown.is_empty() && !a.unknown {
                body
            } else {
                body.replacen("NOT REACHABLE", "UNKNOWN", 1)
            };
            let firewall_rules = a.explanations.iter().any(|e| {
                matches!(
                    e.code.as_str(),
                    "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULE_GROUP_TYPE"
                        | "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULES"
                        | "FIREWALL_UNSUPPORTED_RULE_OPTIONS"
                )
            });
            let banner = if banner.is_empty() && a.unknown && firewall_rules {
                "UNKNOWN — reachable unless Network Firewall rules that vpcreach does not evaluate block it (see below): what follows is not a verdict\n\n".to_string()
            } else if banner.is_empty() && a.unknown {
                "UNKNOWN — the answer depends on resources the snapshot lacks or describes ambiguously (see the blockers): what follows is not a verdict\n\n".to_string()
            } else {
                banner
            };
            banner + &body
        }
    }
}
