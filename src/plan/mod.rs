//! Terraform plans as edits of the model.
//!
//! Owns: the plain-Rust form of a plan ([`Plan`], [`ResourceChange`],
//! [`Value`] — `after` merged with `after_unknown`, so every attribute is
//! known, unknown until apply, or absent), naming new resources by their
//! Terraform address, resolving references between them through the
//! configuration, and applying each resource's change to a copy of a
//! [`crate::model::Network`] ([`translate`]), and which pairs the values
//! unknown until apply make unknown ([`evaluate`], around
//! [`crate::whatif::compare`]). Must not know: JSON, files, serde or output
//! formats — `snapshot::terraform` reads the plan file and turns bad input
//! into located diagnostics.

pub mod translate;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use translate::{apply, Translation, UnknownCause};

/// An attribute value of a plan: `after` and `after_unknown` in one tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// Known only after apply (`after_unknown: true`).
    Unknown,
}

impl Value {
    pub fn get(&self, key: &str) -> &Value {
        match self {
            Value::Map(m) => m.get(key).unwrap_or(&Value::Null),
            _ => &Value::Null,
        }
    }
    pub fn str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Number(n) if n.fract() == 0.0 => Some(*n as i64),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }
    pub fn list(&self) -> &[Value] {
        match self {
            Value::List(l) => l,
            _ => &[],
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// Whether this value or anything inside it is unknown.
    pub fn has_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(l) => l.iter().any(Value::has_unknown),
            Value::Map(m) => m.values().any(Value::has_unknown),
            _ => false,
        }
    }
}

/// What a resource change does (`change.actions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    NoOp,
    Read,
    Create,
    Update,
    Delete,
    /// `["delete","create"]` or `["create","delete"]`.
    Replace,
    /// `["forget"]` (Terraform 1.7+ `removed` blocks): out of state, not destroyed.
    Forget,
}

/// One entry of `resource_changes`.
#[derive(Clone, Debug)]
pub struct ResourceChange {
    /// `module.net.aws_security_group.db[0]`.
    pub address: String,
    /// `module.net` (with instance keys), empty at the root.
    pub module_address: String,
    /// `managed` resources change things; `data` sources only read.
    pub managed: bool,
    /// `aws_security_group`.
    pub kind: String,
    pub action: Action,
    pub before: Value,
    pub after: Value,
    /// Attribute → the addresses its configuration expression references
    /// (relative to the module, as Terraform prints them). Nested blocks are
    /// keyed `ingress.security_groups`.
    pub references: BTreeMap<String, Vec<String>>,
    /// Attributes the configuration sets (so an unknown one is not merely
    /// computed by the provider).
    pub configured: Vec<String>,
    /// The `count.index` / `each.key` of this instance, as in its address.
    pub index: Option<String>,
    /// Where the entry is in the plan file, for messages.
    pub origin: Origin,
}

impl ResourceChange {
    /// Whether the configuration sets `attribute` (an unknown value of one
    /// it does not set is merely computed by the provider).
    pub fn configures(&self, attribute: &str) -> bool {
        self.configured.iter().any(|c| c == attribute)
    }
}

/// A place in a plan file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub json_path: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{} ({})",
            self.file.display(),
            self.line,
            self.column,
            self.json_path
        )
    }
}

/// A resource of `prior_state` (state before the plan, data sources read).
#[derive(Clone, Debug)]
pub struct PriorResource {
    pub address: String,
    pub managed: bool,
    pub kind: String,
    pub values: Value,
}

/// A whole plan as read from `terraform show -json`.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub file: PathBuf,
    pub format_version: String,
    pub terraform_version: Option<String>,
    pub changes: Vec<ResourceChange>,
    pub prior: Vec<PriorResource>,
    /// Why the plan is not complete (`errored: true` / `complete: false`),
    /// when it is not and the caller allowed it.
    pub incomplete: Option<String>,
}

use std::collections::BTreeSet;

use crate::change::diff::ConfigChange;
use crate::model::Network;
use crate::whatif::differential::{self, Differential, ReachChange, INTERNET};
use crate::whatif::intents::IntentResult;
use crate::whatif::{WhatifError, WhatifOptions};

/// A pair whose answer depends on a value known only after apply.
#[derive(Clone, Debug)]
pub struct UnknownPair {
    pub source: String,
    pub destination: String,
    /// `address.attribute` of each value it depends on.
    pub causes: Vec<String>,
    /// What the pair would gain or lose if the unknown values did not
    /// matter (for people; it is in neither `Gained` nor `Lost`).
    pub tentative: Option<ReachChange>,
}

/// Everything `whatif --plan` needs after the plan is applied.
pub struct Evaluation {
    pub before: Network,
    pub translation: Translation,
    pub config: Vec<ConfigChange>,
    /// Gained and lost pairs whose answers do not depend on unknown values.
    pub diff: Differential,
    pub intents: Vec<IntentResult>,
    pub unknown: Vec<UnknownPair>,
}

/// The ENIs whose answers each cause can change.
pub fn unknown_interfaces(net: &Network, causes: &[UnknownCause]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in causes {
        let label = format!("{}.{}", c.address, c.attribute);
        let mut subnets: BTreeSet<&str> = BTreeSet::new();
        let mut vpcs: BTreeSet<&str> = BTreeSet::new();
        let mut enis: BTreeSet<&str> = BTreeSet::new();
        for id in &c.components {
            let id = id.as_str();
            if net.network_interfaces.contains_key(id) {
                enis.insert(id);
            } else if let Some(i) = net.instances.get(id) {
                enis.extend(i.network_interface_ids.iter().map(String::as_str));
            } else if net.security_groups.contains_key(id) {
                enis.extend(
                    net.network_interfaces
                        .values()
                        .filter(|e| e.group_ids.iter().any(|g| g == id))
                        .map(|e| e.id.as_str()),
                );
            } else if net.subnets.contains_key(id) {
                subnets.insert(id);
            } else if let Some(t) = net.route_tables.get(id) {
                subnets.extend(t.subnet_ids.iter().map(String::as_str));
                if t.is_main {
                    vpcs.insert(&t.vpc_id);
                }
            } else if let Some(a) = net.network_acls.get(id) {
                subnets.extend(a.subnet_ids.iter().map(String::as_str));
                if a.is_default {
                    vpcs.insert(&a.vpc_id);
                }
            } else if let Some(g) = net
                .internet_gateways
                .get(id)
                .or(net.egress_only_gateways.get(id))
            {
                vpcs.extend(g.attachments.iter().map(|(v, _)| v.as_str()));
            } else if let Some(g) = net.nat_gateways.get(id) {
                vpcs.insert(&g.vpc_id);
            } else if let Some(p) = net.peerings.get(id) {
                vpcs.insert(&p.requester.vpc_id);
                vpcs.insert(&p.accepter.vpc_id);
            } else {
                // A VPC, or an id the network does not hold: everything in it.
                vpcs.insert(id);
            }
        }
        for e in net.network_interfaces.values() {
            if enis.contains(e.id.as_str())
                || subnets.contains(e.subnet_id.as_str())
                || vpcs.contains(e.vpc_id.as_str())
            {
                out.entry(e.id.clone()).or_default().push(label.clone());
            }
        }
    }
    out
}

/// The network a plan starts from: `base` (a snapshot), or for a greenfield
/// plan its prior state (with notes on what stood in for unknown values).
pub fn starting_point(base: Option<&Network>, plans: &[Plan]) -> (Network, Vec<String>) {
    match base {
        Some(n) => (n.clone(), Vec::new()),
        None => {
            let prior = translate::prior_network(plans);
            (prior.network, prior.notes)
        }
    }
}

/// Apply the plans to `base` and compare: gained, lost and unknown pairs.
pub fn evaluate(base: Option<&Network>, plans: &[Plan]) -> Evaluation {
    evaluate_with(base, plans, &WhatifOptions::default()).expect("no intents or scope to fail")
}

/// [`evaluate`] with intents and a scope, through [`crate::whatif::compare`]
/// (the sequence `whatif --change` runs).
pub fn evaluate_with(
    base: Option<&Network>,
    plans: &[Plan],
    options: &WhatifOptions,
) -> Result<Evaluation, WhatifError> {
    let (before, mut base_notes) = starting_point(base, plans);
    let mut translation = apply(&before, plans);
    base_notes.append(&mut translation.notes);
    translation.notes = base_notes;
    let after = &translation.network;
    let result = crate::whatif::compare(&before, after, options)?;
    let mut diff = result.diff;
    let tainted = unknown_interfaces(after, &translation.unknown);
    let causes_of = |s: &str, d: &str| -> Vec<String> {
        let mut c: Vec<String> = [s, d]
            .iter()
            .filter_map(|e| tainted.get(*e))
            .flatten()
            .cloned()
            .collect();
        c.sort();
        c.dedup();
        c
    };
    let mut unknown: BTreeMap<(String, String), UnknownPair> = BTreeMap::new();
    for list in [&mut diff.gained, &mut diff.lost] {
        list.retain(|r| {
            let (s, d) = (r.source.id.as_str(), r.destination.id.as_str());
            let causes = causes_of(s, d);
            if causes.is_empty() {
                return true;
            }
            unknown.insert(
                (s.to_string(), d.to_string()),
                UnknownPair {
                    source: s.to_string(),
                    destination: d.to_string(),
                    causes,
                    tentative: Some(r.clone()),
                },
            );
            false
        });
    }
    if !tainted.is_empty() {
        for (s, d, _) in differential::pairs(&before, after) {
            let causes = causes_of(&s, &d);
            if causes.is_empty() || (s == INTERNET && !public(after, &d) && !public(&before, &d)) {
                continue;
            }
            unknown
                .entry((s.clone(), d.clone()))
                .or_insert(UnknownPair {
                    source: s,
                    destination: d,
                    causes,
                    tentative: None,
                });
        }
    }
    Ok(Evaluation {
        before,
        unknown: unknown.into_values().collect(),
        config: result.config,
        diff,
        intents: result.intents,
        translation,
    })
}

fn public(net: &Network, eni: &str) -> bool {
    net.network_interfaces
        .get(eni)
        .is_some_and(|e| e.private_ips.iter().any(|p| p.public_ip.is_some()))
}
