//! What `flows` says about one packet: the verdict, the role the record
//! plays (request or reply), what blocked it and the decisions behind it.
//! Plain data; [`super::attribute`] computes it and `report/flows.rs`
//! words it. Knows nothing of rules, topology or records.

use std::hash::{Hash, Hasher};

use crate::analysis::rules::Direction;
use crate::analysis::ExplanationCode;
use crate::model::*;
use crate::packet::*;

/// What the snapshot says about one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Allow,
    Deny,
    /// Allowed for some of what the record may stand for and denied for the
    /// rest (ICMP: some types only).
    Partial,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
            Verdict::Partial => "partial",
        }
    }
    pub(super) fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Deny, _) | (_, Verdict::Deny) => Verdict::Deny,
            (Verdict::Partial, _) | (_, Verdict::Partial) => Verdict::Partial,
            _ => Verdict::Allow,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Opens a flow: checked by the security groups.
    Request,
    /// Answers an admitted request: security groups let it through.
    Reply,
    /// ICMP: type not logged, could be either.
    Either,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Request => "request",
            Role::Reply => "reply",
            Role::Either => "request-or-reply",
        }
    }
}

/// A component that stopped (some of) the packet.
#[derive(Clone, Debug)]
pub enum Blocker {
    Acl {
        acl: String,
        subnet: String,
        vpc: String,
        egress: bool,
        rule: AclEntry,
        partial: bool,
    },
    Sg {
        eni: String,
        direction: Direction,
        groups: Vec<String>,
        code: ExplanationCode,
        partial: bool,
    },
    /// The subnet's NACL is not in the snapshot.
    MissingAcl { subnet: String, vpc: String },
    /// `reject-reason=BPA` (v8): VPC Block Public Access, which the
    /// snapshot does not model.
    Bpa,
}

impl Blocker {
    /// Identity for grouping: component, direction and rule.
    fn ident(&self) -> (u8, &str, bool, u32) {
        match self {
            Blocker::Acl {
                acl, egress, rule, ..
            } => (0, acl, *egress, rule.rule_number),
            Blocker::Sg { eni, direction, .. } => (1, eni, *direction == Direction::Egress, 0),
            Blocker::MissingAcl { subnet, .. } => (2, subnet, false, 0),
            Blocker::Bpa => (3, "", false, 0),
        }
    }
    pub fn code(&self) -> ExplanationCode {
        match self {
            Blocker::Acl { .. } => ExplanationCode::SubnetAclRestriction,
            Blocker::Sg { code, .. } => *code,
            Blocker::MissingAcl { .. } => ExplanationCode::UnknownResource,
            Blocker::Bpa => ExplanationCode::VpcBlockPublicAccessEnabled,
        }
    }
    /// The component id.
    pub fn component(&self) -> &str {
        match self {
            Blocker::Acl { acl, .. } => acl,
            Blocker::Sg { groups, .. } => groups.first().map(String::as_str).unwrap_or(""),
            Blocker::MissingAcl { subnet, .. } => subnet,
            Blocker::Bpa => "vpc-block-public-access",
        }
    }
    pub fn direction(&self) -> Option<Direction> {
        match self {
            Blocker::Acl { egress, .. } => Some(if *egress {
                Direction::Egress
            } else {
                Direction::Ingress
            }),
            Blocker::Sg { direction, .. } => Some(*direction),
            _ => None,
        }
    }
}

impl PartialEq for Blocker {
    fn eq(&self, other: &Self) -> bool {
        self.ident() == other.ident()
    }
}
impl Eq for Blocker {}
impl Hash for Blocker {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.ident().hash(state)
    }
}

/// The snapshot's answer for one (ENI, direction, packet).
#[derive(Clone, Debug)]
pub struct Outcome {
    pub direction: Direction,
    pub role: Role,
    pub verdict: Verdict,
    /// Components that stop it, in the order the packet meets them.
    pub blockers: Vec<Blocker>,
    /// What lets it through, for people ("sg-… rule tcp/443 from 0.0.0.0/0").
    pub allowed_by: Vec<String>,
    /// Caveats: NACL skipped (same subnet), reply heuristics, unknown groups.
    pub notes: Vec<String>,
}

/// Everything an evaluation depends on. Source ports are kept because the
/// request/reply decision reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub eni: u32,
    pub egress: bool,
    /// 0 none, 1 SYN without ACK, 2 SYN-ACK.
    pub syn: u8,
    pub header: Header,
}

impl Key {
    pub fn direction(&self) -> Direction {
        if self.egress {
            Direction::Egress
        } else {
            Direction::Ingress
        }
    }
}

/// tcp-flags → the `syn` part of a [`Key`].
pub fn syn_class(flags: Option<u16>) -> u8 {
    match flags {
        Some(f) if f & 0x12 == 0x12 => 2,
        Some(f) if f & 0x12 == 0x02 => 1,
        _ => 0,
    }
}

/// What the security groups make of a non-ICMP packet (see [`Decision`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SgDecision {
    /// The ENI has no security groups.
    NoGroups,
    /// A reply: security groups are not checked.
    Reply,
    /// Admitted by rule `rule` of the ENI's `group`-th group.
    Allow {
        group: u32,
        rule: u32,
    },
    Deny,
    /// No rule admits it, but a rule naming a prefix list whose entries
    /// the snapshot lacks might (R-partial.4).
    Unknown,
}

/// What the subnet NACL makes of a non-ICMP packet (see [`Decision`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AclDecision {
    /// The peer is in the ENI's subnet: not applied.
    SameSubnet,
    /// The NACL is not in the snapshot.
    Missing,
    /// Decided by this entry of the compiled NACL in that direction.
    Entry(u32),
}

/// Everything an [`Outcome`] of a non-ICMP packet is made of, as small
/// indices: what [`Attributor::decide`] computes per record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub eni: u32,
    pub egress: bool,
    pub role: Role,
    /// Ports suggested a reply the security groups would not have
    /// admitted: the service port, for the note.
    pub role_note: Option<u16>,
    pub sg: SgDecision,
    pub acl: AclDecision,
}

/// Two words per decision, not one hasher round per field: every record
/// looks its decision up. Equal decisions hash equal (the words are
/// functions of the fields); unequal ones may collide, which equality
/// settles.
impl Hash for Decision {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let acl = match self.acl {
            AclDecision::SameSubnet => 0,
            AclDecision::Missing => 1,
            AclDecision::Entry(i) => u64::from(i) + 2,
        };
        let sg = match self.sg {
            SgDecision::NoGroups => 0,
            SgDecision::Reply => 1,
            SgDecision::Deny => 2,
            SgDecision::Unknown => 3,
            SgDecision::Allow { group, rule } => {
                4 | u64::from(group) << 3 | u64::from(rule).rotate_left(24)
            }
        };
        let role = match self.role {
            Role::Request => 0u64,
            Role::Reply => 1,
            Role::Either => 2,
        };
        let note = self.role_note.map_or(0, |p| u64::from(p) + 1);
        state.write_u64(u64::from(self.eni) << 32 | acl);
        state.write_u64(sg ^ u64::from(self.egress) << 63 ^ role << 61 ^ note << 40);
    }
}
