//! Analyses over the topology: `path` (one question, hop by hop), `elb`
//! (a load balancer destination), [`answer`] (which of the two a question
//! needs), `classes` (one walk for a class of equivalent source ENIs, split
//! back into pairs: what `audit` and `whatif` scale with).
//!
//! Owns: the question types, hop-by-hop evaluation of header sets, and the
//! result types ([`PathAnalysis`], [`Hop`], [`Explanation`]) in AWS's
//! vocabulary ([`codes`]) but free of any output format; the wording of
//! rules, sets and fixes lives in one place ([`describe`]). Must not know:
//! JSON, files, terminals; nothing here imports `audit`, `change`, `report`
//! or the CLI.

pub mod answer;
pub mod classes;
pub mod codes;
pub mod describe;
pub mod elb;
pub mod endpoint;
pub mod path;
pub mod rules;

use crate::model::{AclEntry, Route};
use crate::packet::HeaderSet;
pub use answer::{answer, PathAnswer};
pub use codes::ExplanationCode;
pub use rules::Direction;

/// A component named in a hop or an explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentRef {
    pub id: String,
    pub name: Option<String>,
}

/// One step of a path, in the spirit of AWS's `PathComponent`.
#[derive(Clone, Debug)]
pub struct Hop {
    pub component: ComponentRef,
    /// What the component is doing here, for people: "security group egress".
    pub role: String,
    pub acl_rule: Option<AclEntry>,
    pub sg_rule: Option<rules::SgMatch>,
    pub route: Option<Route>,
    pub route_table_id: Option<String>,
    pub attached_to: Option<ComponentRef>,
    pub subnet: Option<String>,
    pub vpc: Option<String>,
    /// Header set on entering the hop (only when the hop changes it, or at the first hop).
    pub inbound: Option<HeaderSet>,
    /// Header set leaving the hop.
    pub outbound: HeaderSet,
    /// True when this hop stopped all of the traffic.
    pub blocked: bool,
}

impl Hop {
    /// A hop through `component` with nothing but its role and outbound set.
    pub fn new(component: ComponentRef, role: String, outbound: HeaderSet) -> Hop {
        Hop {
            component,
            role,
            acl_rule: None,
            sg_rule: None,
            route: None,
            route_table_id: None,
            attached_to: None,
            subnet: None,
            vpc: None,
            inbound: None,
            outbound,
            blocked: false,
        }
    }
}

/// AWS's `Explanation`: why (part of) the traffic stops. `code` is one of
/// AWS's explanation codes (or one of ours where AWS has none).
#[derive(Clone, Debug)]
pub struct Explanation {
    pub code: ExplanationCode,
    pub direction: Option<Direction>,
    /// Component references under AWS's field names (`Acl`, `SecurityGroups`, …).
    pub components: Vec<(&'static str, ComponentRef)>,
    pub acl_rule: Option<AclEntry>,
    pub route: Option<Route>,
    pub route_table_id: Option<String>,
    /// Headers this blocker stopped.
    pub blocked: HeaderSet,
    /// One line for people: what blocks what.
    pub message: String,
    /// What would have to change for the traffic to pass.
    pub fix: Option<String>,
    /// True when on the return path.
    pub on_return_path: bool,
}

impl Explanation {
    /// An explanation with no component, rule or fix yet, on the forward path.
    pub fn new(code: ExplanationCode, message: String, blocked: &HeaderSet) -> Explanation {
        Explanation {
            code,
            direction: None,
            components: Vec::new(),
            acl_rule: None,
            route: None,
            route_table_id: None,
            blocked: blocked.clone(),
            message,
            fix: None,
            on_return_path: false,
        }
    }
}

/// The question `path` answers.
#[derive(Clone, Debug)]
pub struct PathQuery {
    pub source: String,
    pub destination: String,
    pub protocol: ProtocolChoice,
    pub dport: Option<(u16, u16)>,
    pub sport: Option<(u16, u16)>,
    pub source_ip: Option<std::net::IpAddr>,
    pub destination_ip: Option<std::net::IpAddr>,
}

/// The protocol of a question: the protocol rules name, parsed by
/// [`crate::model::Protocol::parse`] alike everywhere.
pub type ProtocolChoice = crate::model::Protocol;

/// A port (`N`) or range (`N-M`) as `--port` and intents write it.
pub fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
    let bad = || format!("{s:?} is not a port (N) or range (N-M) within 0-65535");
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a: u16 = a.trim().parse().map_err(|_| bad())?;
    let b: u16 = b.trim().parse().map_err(|_| bad())?;
    if a > b {
        return Err(bad());
    }
    Ok((a, b))
}

/// The answer.
#[derive(Clone, Debug)]
pub struct PathAnalysis {
    pub query: PathQuery,
    pub source: ComponentRef,
    pub destination: ComponentRef,
    pub forward: Vec<Hop>,
    pub ret: Vec<Hop>,
    pub forward_found: bool,
    /// `None` when no return path applies (nothing was delivered, or the
    /// traffic has no reply, e.g. ICMP destination-unreachable).
    pub return_found: Option<bool>,
    pub explanations: Vec<Explanation>,
    /// Traffic that reaches the destination and whose replies get back.
    pub admitted: HeaderSet,
    /// Traffic as it reached the destination on clean forward branches,
    /// before any return check (in the destination's terms, after NAT).
    pub arrived: HeaderSet,
    /// Things the analysis could not model or had to assume.
    pub notes: Vec<String>,
    /// The answer depends on what the snapshot lacks or describes
    /// ambiguously: it is not a verdict (the explanations say why).
    pub unknown: bool,
}

impl PathAnalysis {
    /// The snapshot lacks kinds of resources the answer depends on
    /// (`pull --allow-partial` recorded them, given as (what, IAM action)):
    /// the answer is unknown, so no path is claimed, and one
    /// `UNKNOWN_RESOURCE` explanation per missing kind says why.
    pub fn mark_unknown(&mut self, missing: &[(String, String)]) {
        if missing.is_empty() {
            return;
        }
        self.forward_found = false;
        self.admitted = HeaderSet::empty();
        self.unknown = true;
        for (what, action) in missing {
            self.explanations.push(Explanation {
                code: ExplanationCode::UnknownResource,
                direction: None,
                components: Vec::new(),
                acl_rule: None,
                route: None,
                route_table_id: None,
                blocked: HeaderSet::empty(),
                message: format!(
                    "{what} ({action}): the answer depends on them, so it is unknown, not a verdict"
                ),
                fix: Some(format!(
                    "add what {action} prints to the snapshot (grant it and pull again)"
                )),
                on_return_path: false,
            });
        }
    }

    /// NetworkPathFound: the forward path delivers, and replies get back
    /// wherever a reply exists.
    pub fn path_found(&self) -> bool {
        self.forward_found && self.return_found.unwrap_or(true) && !self.admitted.is_empty()
    }
}
