//! Analyses over the topology: today `path` (one question, hop by hop).
//!
//! Owns: the question types, hop-by-hop evaluation of header sets, and the
//! result types ([`PathAnalysis`], [`Hop`], [`Explanation`]) in AWS's
//! vocabulary but free of any output format. Must not know: JSON, files,
//! terminals.

pub mod differential;
pub mod endpoint;
pub mod intent;
pub mod path;
pub mod reference;
pub mod rules;

use crate::model::{AclEntry, Route};
use crate::packet::HeaderSet;
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

/// AWS's `Explanation`: why (part of) the traffic stops. `code` is one of
/// AWS's explanation codes, spelt exactly.
#[derive(Clone, Debug)]
pub struct Explanation {
    pub code: &'static str,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolChoice {
    All,
    Number(u8),
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
    /// Things the analysis could not model or had to assume.
    pub notes: Vec<String>,
}

impl PathAnalysis {
    /// NetworkPathFound: the forward path delivers, and replies get back
    /// wherever a reply exists.
    pub fn path_found(&self) -> bool {
        self.forward_found && self.return_found.unwrap_or(true) && !self.admitted.is_empty()
    }
}
