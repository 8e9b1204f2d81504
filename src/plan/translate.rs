//! Applying a plan's resource changes to a copy of the model.
//!
//! Each entry's `change.actions` is followed: a create adds what `after`
//! describes, a delete removes what `before` describes, an update or a
//! replace removes `before` and adds `after` (rules and routes matched by
//! content, never by the provider's synthetic ids). New resources are named
//! by their Terraform address; an id unknown until apply is resolved through
//! the configuration's references. A value a verdict depends on that stays
//! unknown is recorded as an [`UnknownCause`] naming the components it
//! touches, and the edit it would make is left out — the caller reports the
//! pairs through those components as unknown, never guessed either way.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::{Action, Plan, PriorResource, ResourceChange, Value};
use crate::change::Applied;
use crate::model::*;

/// An attribute whose value is unknown until apply and that the answers
/// depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCause {
    /// Terraform address of the resource.
    pub address: String,
    /// The attribute, as Terraform names it (`cidr_blocks`, `ingress`).
    pub attribute: String,
    /// Model ids (VPC, subnet, route table, NACL, security group, ENI)
    /// whose reachability depends on the value.
    pub components: Vec<String>,
}

/// The network after the plan, and what the caller must say about it.
#[derive(Clone, Debug, Default)]
pub struct Translation {
    pub network: Network,
    /// One per resource change that edited the model.
    pub applied: Vec<Applied>,
    /// Parts of the plan that were not modelled or were read with a stand-in.
    pub notes: Vec<String>,
    /// The plan changes resources the snapshot does not hold.
    pub warnings: Vec<String>,
    pub unknown: Vec<UnknownCause>,
    /// Model id → Terraform address, for every resource the plan names.
    pub addresses: BTreeMap<String, String>,
    /// Terraform address → where its entry is in the plan file.
    pub origins: BTreeMap<String, super::Origin>,
}

/// Resource types that cannot touch reachability whatever they hold.
fn inert(kind: &str) -> bool {
    !kind.starts_with("aws_")
        || [
            "aws_s3",
            "aws_iam",
            "aws_kms",
            "aws_cloudwatch",
            "aws_lambda",
            "aws_route53",
            "aws_ssm",
            "aws_sns",
            "aws_sqs",
            "aws_dynamodb",
            "aws_ecr",
            "aws_flow_log",
            "aws_key_pair",
            "aws_ebs",
            "aws_volume_attachment",
            "aws_secretsmanager",
            "aws_cloudtrail",
            "aws_config",
            "aws_guardduty",
            "aws_acm",
            "aws_ami",
            "aws_db_option_group",
            "aws_db_parameter_group",
            "aws_db_snapshot",
            "aws_neptune_cluster_snapshot",
            "aws_neptune_parameter_group",
            "aws_neptune_cluster_parameter_group",
            "aws_neptune_subnet_group",
            "aws_elasticsearch_domain_policy",
            "aws_elasticache_subnet_group",
            "aws_redshift_subnet_group",
            "aws_launch_template",
            "aws_db_subnet_group",
            "aws_vpc_dhcp_options",
            "aws_default_subnet",
            "aws_logs",
            "aws_athena",
            "aws_glue",
            "aws_kinesis",
            "aws_elasticsearch_domain_policy",
            "aws_codebuild",
            "aws_sfn",
            "aws_ses",
        ]
        .iter()
        .any(|p| kind == *p || kind.starts_with(&format!("{p}_")))
}

/// `aws_vpc_block_public_access_options` / `_exclusion`: VPC Block Public
/// Access is account-wide per region (BPA.1), so a plan changing it makes
/// every VPC's answers unknown (change files model it: change/apply/bpa.rs).
const BPA_KINDS: &str = "aws_vpc_block_public_access";

/// Types that can open or close paths but are not modelled from a plan:
/// their changes are named "not evaluated" and the components they name
/// answer unknown.
fn not_evaluated(kind: &str) -> bool {
    kind.starts_with("aws_ec2_transit_gateway")
        || kind.starts_with("aws_vpc_endpoint")
        || kind.starts_with("aws_lb")
        || kind.starts_with("aws_alb")
        || kind == "aws_elb"
        || kind.starts_with("aws_vpn")
        || kind.starts_with("aws_db_")
        || kind.starts_with("aws_rds")
        || kind.starts_with("aws_neptune")
        || kind.starts_with("aws_eks")
        || kind.starts_with("aws_elasticache")
        || kind.starts_with("aws_elasticsearch_domain")
        || kind.starts_with("aws_redshift")
        || kind.starts_with("aws_ecs_service")
        || kind.starts_with("aws_vpc_ipv4_cidr_block_association")
        || kind.starts_with("aws_customer_gateway")
        || kind.starts_with("aws_dx_")
        || kind.starts_with("aws_networkfirewall")
        || kind.starts_with(BPA_KINDS)
        || kind.starts_with("aws_ec2_client_vpn")
        || kind.starts_with("aws_globalaccelerator")
}

/// The network a greenfield plan starts from: `prior_state`'s managed
/// resources (with what AWS creates implicitly for each VPC).
pub fn prior_network(plans: &[Plan]) -> Translation {
    let mut t = Translator::new(Network::default(), plans);
    for plan in plans {
        for r in plan.prior.iter().filter(|r| r.managed) {
            let rc = ResourceChange {
                address: r.address.clone(),
                module_address: module_of(&r.address),
                managed: true,
                kind: r.kind.clone(),
                action: Action::Create,
                before: Value::Null,
                after: r.values.clone(),
                references: BTreeMap::new(),
                configured: Vec::new(),
                index: None,
                origin: Default::default(),
            };
            t.change(&rc, usize::MAX);
        }
    }
    t.finish()
}

/// Apply every plan's changes, in order, to a copy of `base`.
pub fn apply(base: &Network, plans: &[Plan]) -> Translation {
    let mut t = Translator::new(base.clone(), plans);
    let mut index = 0;
    for plan in plans {
        if let Some(why) = &plan.incomplete {
            t.out.notes.push(format!(
                "{}: {why}; only the changes it holds are evaluated",
                plan.file.display()
            ));
        }
        // Containers first (a VPC before its subnets, a group before its
        // rules), whatever order the plan lists them in.
        let mut order: Vec<&ResourceChange> = plan.changes.iter().collect();
        order.sort_by_key(|rc| rank(rc));
        for rc in order {
            t.change(rc, index);
            index += 1;
        }
    }
    t.finish()
}

fn rank(rc: &ResourceChange) -> u8 {
    // An address associated with an instance or interface of the plan
    // comes after them; one a NAT gateway takes, before it.
    let associated = ["instance", "network_interface"]
        .iter()
        .any(|a| !matches!(rc.after.get(a), Value::Null) && rc.after.get(a).str() != Some(""));
    match rc.kind.as_str() {
        "aws_eip" if associated => 4,
        "aws_vpc" => 0,
        "aws_subnet" | "aws_internet_gateway" | "aws_egress_only_internet_gateway" => 1,
        "aws_security_group"
        | "aws_network_acl"
        | "aws_route_table"
        | "aws_eip"
        | "aws_vpc_peering_connection" => 2,
        "aws_default_security_group"
        | "aws_default_network_acl"
        | "aws_default_route_table"
        | "aws_nat_gateway"
        | "aws_instance"
        | "aws_network_interface" => 3,
        _ => 4,
    }
}

/// `module.a["k"].aws_x.y[0]` → `module.a["k"]`.
fn module_of(address: &str) -> String {
    let parts = split_address(address);
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < parts.len() && parts[i] == "module" {
        out.push(format!("module.{}", parts[i + 1]));
        i += 2;
    }
    out.join(".")
}

/// Split an address on dots outside brackets and quotes.
fn split_address(address: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let (mut depth, mut quoted) = (0usize, false);
    for c in address.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if depth == 0 && !quoted => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(p) = parts.last_mut() {
            p.push(c);
        }
    }
    parts
}

/// A value that could not be known.
struct Unknown;

struct Translator<'p> {
    out: Translation,
    /// Every change of every plan by address.
    by_address: BTreeMap<String, &'p ResourceChange>,
    /// Configuration block (address without instance key) → instance addresses.
    instances: BTreeMap<String, Vec<String>>,
    prior: BTreeMap<String, &'p PriorResource>,
    /// Subnet id → `map_public_ip_on_launch`, for instances launched in it.
    public_on_launch: BTreeMap<String, bool>,
    /// Public addresses handed out as stand-ins (192.0.2.0/24, TEST-NET-1).
    stand_in_public: u32,
    /// ENIs with a private address the plan does not know yet.
    placeholder_enis: Vec<(String, String)>,
    /// Security groups the plans delete: (group, address, origin), checked
    /// once every change is applied (EC2 refuses while anything uses them).
    deleted_groups: Vec<(String, String, super::Origin)>,
    /// Ids given to what the plans create (addresses, and `address.main_route_table`
    /// etc. for what EC2 creates with a VPC), assigned before any edit so
    /// that a reference may point forward.
    new_ids: BTreeMap<String, String>,
}

/// The id prefix EC2 uses for a resource type (the engine and the
/// endpoint syntax know resources by it).
fn id_prefix(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "aws_vpc" => "vpc",
        "aws_subnet" => "subnet",
        "aws_security_group" => "sg",
        "aws_network_acl" => "acl",
        "aws_route_table" => "rtb",
        "aws_internet_gateway" => "igw",
        "aws_egress_only_internet_gateway" => "eigw",
        "aws_nat_gateway" => "nat",
        "aws_instance" => "i",
        "aws_network_interface" => "eni",
        "aws_vpc_peering_connection" => "pcx",
        "aws_eip" => "eipalloc",
        _ => return None,
    })
}

/// Synthetic ids carry this mark, so output can put the address back.
pub const SYNTHETIC: &str = "tfplan";

fn synthetic(prefix: &str, n: usize) -> String {
    format!("{prefix}-{SYNTHETIC}{n:08}")
}

fn strip_key(address: &str) -> String {
    match address.strip_suffix(']') {
        Some(s) => {
            // Only the last bracket: `aws_x.y["k"]` → `aws_x.y`.
            let mut depth = 0;
            let mut quoted = false;
            let mut cut = s.len();
            for (i, c) in s.char_indices().rev() {
                match c {
                    '"' => quoted = !quoted,
                    ']' if !quoted => depth += 1,
                    '[' if !quoted && depth == 0 => {
                        cut = i;
                        break;
                    }
                    '[' if !quoted => depth -= 1,
                    _ => {}
                }
            }
            s[..cut].to_string()
        }
        None => address.to_string(),
    }
}

impl<'p> Translator<'p> {
    fn new(net: Network, plans: &'p [Plan]) -> Self {
        let mut by_address = BTreeMap::new();
        let mut instances: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut prior = BTreeMap::new();
        let mut new_ids = BTreeMap::new();
        let mut addresses = BTreeMap::new();
        let mut counter = 0;
        let mut name = |address: String, prefix: &str, label: String| {
            counter += 1;
            let id = synthetic(prefix, counter);
            addresses.insert(id.clone(), label);
            new_ids.insert(address, id);
        };
        for plan in plans {
            let prior_managed = plan
                .prior
                .iter()
                .filter(|r| r.managed)
                .map(|r| (r.address.as_str(), r.kind.as_str(), &r.values));
            let created = plan
                .changes
                .iter()
                .filter(|rc| rc.managed && matches!(rc.action, Action::Create | Action::Replace))
                .map(|rc| (rc.address.as_str(), rc.kind.as_str(), &rc.before));
            for (address, kind, before) in prior_managed.chain(created) {
                if before.get("id").str().is_some() {
                    continue; // a replacement keeps its identity; prior state has ids
                }
                let Some(prefix) = id_prefix(kind) else {
                    continue;
                };
                name(address.to_string(), prefix, address.to_string());
                if kind == "aws_instance" {
                    name(format!("{address}.eni"), "eni", address.to_string());
                }
                if kind == "aws_vpc" {
                    for (implicit, prefix, what) in [
                        ("main_route_table", "rtb", "main route table"),
                        ("default_network_acl", "acl", "default network ACL"),
                        ("default_security_group", "sg", "default security group"),
                    ] {
                        name(
                            format!("{address}.{implicit}"),
                            prefix,
                            format!("{address} ({what})"),
                        );
                    }
                }
            }
            for rc in &plan.changes {
                by_address.insert(rc.address.clone(), rc);
                instances
                    .entry(strip_key(&rc.address))
                    .or_default()
                    .push(rc.address.clone());
            }
            for r in &plan.prior {
                prior.insert(r.address.clone(), r);
            }
        }
        Translator {
            out: Translation {
                network: net,
                addresses,
                ..Default::default()
            },
            by_address,
            instances,
            prior,
            public_on_launch: BTreeMap::new(),
            stand_in_public: 0,
            placeholder_enis: Vec::new(),
            deleted_groups: Vec::new(),
            new_ids,
        }
    }

    /// The id of what the plan creates at `address` (or its address when
    /// EC2 has no id prefix for it).
    pub(super) fn new_id(&self, address: &str) -> String {
        self.new_ids
            .get(address)
            .cloned()
            .unwrap_or_else(|| address.to_string())
    }

    fn net(&mut self) -> &mut Network {
        &mut self.out.network
    }

    fn finish(mut self) -> Translation {
        self.address_sensitive_placeholders();
        self.groups_still_in_use();
        self.out.notes.sort();
        self.out.notes.dedup();
        self.out.warnings.sort();
        self.out.warnings.dedup();
        self.out
    }

    fn unknown(&mut self, rc: &ResourceChange, attribute: &str, components: Vec<String>) {
        let cause = UnknownCause {
            address: rc.address.clone(),
            attribute: attribute.to_string(),
            components,
        };
        if !self.out.unknown.contains(&cause) {
            self.out.unknown.push(cause);
        }
    }

    fn applied(&mut self, index: usize, rc: &ResourceChange, summary: String) {
        if index == usize::MAX {
            return; // prior state, not a change
        }
        let action = match rc.action {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Replace => "replace",
            _ => "no-op",
        };
        self.out.applied.push(Applied {
            index,
            action: format!("{action} {}", rc.kind),
            summary: format!("{}: {summary}", rc.address),
        });
    }

    /// The model id of a resource of the plan: its `before.id` when it
    /// exists, else its address.
    fn id_of(&mut self, rc: &ResourceChange) -> String {
        let id = rc
            .before
            .get("id")
            .str()
            .or(rc.after.get("id").str())
            .map(String::from)
            .unwrap_or_else(|| self.new_id(&rc.address));
        self.out
            .addresses
            .entry(id.clone())
            .or_insert(rc.address.clone());
        id
    }

    /// Resolve one reference (`aws_vpc.main.id`, `data.aws_vpc.x`,
    /// `aws_subnet.a[0]`) of `rc` to ids; `None` when it names nothing the
    /// plan knows.
    fn resolve_ref(&self, rc: &ResourceChange, reference: &str, all: bool) -> Option<Vec<String>> {
        let parts = split_address(reference);
        let (resource_len, data) = if parts.first().map(String::as_str) == Some("data") {
            (3, true)
        } else {
            (2, false)
        };
        if parts.len() < resource_len
            || parts[0] == "module"
            || parts[0] == "var"
            || parts[0] == "local"
        {
            return None;
        }
        let resource = parts[..resource_len].join(".");
        let attribute = parts
            .get(resource_len)
            .cloned()
            .unwrap_or_else(|| "id".into());
        let prefix = if rc.module_address.is_empty() {
            String::new()
        } else {
            format!("{}.", rc.module_address)
        };
        let full = format!("{prefix}{resource}");
        let targets: Vec<String> =
            if self.by_address.contains_key(&full) || self.prior.contains_key(&full) {
                vec![full.clone()]
            } else if let Some(list) = self.instances.get(&strip_key(&full)) {
                // A counted resource named without its key: the same key as
                // `rc` (`count.index`, `each.key`), or every instance for a list.
                let same = rc
                    .index
                    .as_ref()
                    .map(|k| format!("{}[{k}]", strip_key(&full)))
                    .filter(|a| list.contains(a));
                match (same, all) {
                    (Some(a), false) => vec![a],
                    (_, true) => list.clone(),
                    (None, false) if list.len() == 1 => list.clone(),
                    _ => return None,
                }
            } else if data || self.prior.keys().any(|k| strip_key(k) == full) {
                self.prior
                    .keys()
                    .filter(|k| strip_key(k) == full || **k == full)
                    .cloned()
                    .collect()
            } else {
                return None;
            };
        let mut ids = Vec::new();
        for t in targets {
            let id = if let Some(target) = self.by_address.get(&t) {
                if target.action == Action::Delete {
                    return None;
                }
                let known = target.after.get(&attribute).str().map(String::from);
                known.or_else(|| match attribute.as_str() {
                    "id" => Some(
                        target
                            .before
                            .get("id")
                            .str()
                            .map(String::from)
                            .unwrap_or_else(|| self.new_id(&t)),
                    ),
                    "primary_network_interface_id" => Some(self.new_id(&format!("{t}.eni"))),
                    "default_security_group_id"
                    | "default_route_table_id"
                    | "main_route_table_id"
                    | "default_network_acl_id" => {
                        Some(self.new_id(&format!("{t}.{}", implicit_name(&attribute))))
                    }
                    _ => None,
                })?
            } else {
                self.prior
                    .get(&t)?
                    .values
                    .get(&attribute)
                    .str()?
                    .to_string()
            };
            ids.push(id);
        }
        Some(ids)
    }

    /// The references of `attribute` that resolve, each to its ids.
    fn referenced(&self, rc: &ResourceChange, attribute: &str, all: bool) -> Option<Vec<String>> {
        let refs = rc.references.get(attribute)?;
        // Terraform 1.x lists `x.y.id` then `x.y`: the longest form of
        // each resource first, one answer per resource.
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        for r in refs {
            if r.starts_with("count.")
                || r.starts_with("each.")
                || r.starts_with("var.")
                || r.starts_with("local.")
            {
                continue;
            }
            let resource = strip_key(
                &split_address(r)
                    .iter()
                    .take(if r.starts_with("data.") { 3 } else { 2 })
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("."),
            );
            if !seen.insert(resource) {
                continue;
            }
            out.extend(self.resolve_ref(rc, r, all)?);
        }
        (!out.is_empty()).then_some(out)
    }

    /// A single id-valued attribute: as planned, or through the configuration.
    fn one(
        &self,
        rc: &ResourceChange,
        v: &Value,
        attribute: &str,
    ) -> Result<Option<String>, Unknown> {
        match v.get(attribute) {
            Value::String(s) if !s.is_empty() => Ok(Some(s.clone())),
            Value::Unknown => match self.referenced(rc, attribute, false) {
                Some(ids) if ids.len() == 1 => Ok(ids.into_iter().next()),
                // Computed by the provider, not set by the configuration.
                None if !rc.configured.is_empty() && !rc.configures(attribute) => Ok(None),
                _ => Err(Unknown),
            },
            _ => Ok(None),
        }
    }

    /// A list of ids: as planned, or through the configuration.
    fn many(
        &self,
        rc: &ResourceChange,
        v: &Value,
        attribute: &str,
    ) -> Result<Vec<String>, Unknown> {
        let value = v.get(attribute);
        if !value.has_unknown() {
            return Ok(value
                .list()
                .iter()
                .filter_map(|x| x.str().map(String::from))
                .collect());
        }
        let known: Vec<String> = value
            .list()
            .iter()
            .filter_map(|x| x.str().map(String::from))
            .collect();
        let resolved = self.referenced(rc, attribute, true).ok_or(Unknown)?;
        let mut all = known;
        all.extend(resolved);
        all.sort();
        all.dedup();
        Ok(all)
    }

    fn change(&mut self, rc: &ResourceChange, index: usize) {
        if !rc.managed || matches!(rc.action, Action::NoOp | Action::Read | Action::Forget) {
            return;
        }
        let kind = rc.kind.as_str();
        let removing = matches!(rc.action, Action::Delete | Action::Update | Action::Replace);
        let adding = matches!(rc.action, Action::Create | Action::Update | Action::Replace);
        let id = self.id_of(rc);
        if index != usize::MAX {
            self.out
                .origins
                .insert(rc.address.clone(), rc.origin.clone());
        }
        if removing && !self.exists(kind, &id) && index != usize::MAX {
            self.out.warnings.push(format!(
                "{} ({}) changes {id}, which the snapshot does not hold (an older snapshot or another account?): answers that depend on it are unknown",
                rc.address, rc.origin
            ));
            self.unknown(rc, "id", vec![id.clone()]);
            if !matches!(
                kind,
                "aws_security_group_rule"
                    | "aws_vpc_security_group_ingress_rule"
                    | "aws_vpc_security_group_egress_rule"
                    | "aws_network_acl_rule"
                    | "aws_route"
                    | "aws_route_table_association"
                    | "aws_network_acl_association"
            ) {
                return;
            }
        }
        let summary = match kind {
            "aws_vpc" => self.vpc(rc, &id, removing, adding),
            "aws_subnet" => self.subnet(rc, &id, removing, adding),
            "aws_security_group" | "aws_default_security_group" => {
                self.security_group(rc, &id, removing, adding)
            }
            "aws_security_group_rule"
            | "aws_vpc_security_group_ingress_rule"
            | "aws_vpc_security_group_egress_rule" => self.sg_rule(rc, removing, adding),
            "aws_network_acl" | "aws_default_network_acl" => {
                self.network_acl(rc, &id, removing, adding)
            }
            "aws_network_acl_rule" => self.acl_rule(rc, removing, adding),
            "aws_network_acl_association" => self.acl_association(rc, removing, adding),
            "aws_route_table" | "aws_default_route_table" => {
                self.route_table(rc, &id, removing, adding)
            }
            "aws_route" => self.route(rc, removing, adding),
            "aws_route_table_association" | "aws_main_route_table_association" => {
                self.rt_association(rc, removing, adding)
            }
            "aws_internet_gateway"
            | "aws_egress_only_internet_gateway"
            | "aws_internet_gateway_attachment" => self.internet_gateway(rc, &id, removing, adding),
            "aws_nat_gateway" => self.nat_gateway(rc, &id, removing, adding),
            "aws_eip" | "aws_eip_association" => self.eip(rc, removing, adding),
            "aws_vpc_peering_connection" | "aws_vpc_peering_connection_accepter" => {
                self.peering(rc, &id, removing, adding)
            }
            "aws_instance" | "aws_network_interface" => self.interface(rc, &id, removing, adding),
            "aws_network_interface_sg_attachment" => self.sg_attachment(rc, removing, adding),
            "aws_network_interface_attachment" => self.eni_attachment(rc, removing, adding),
            k if not_evaluated(k) => {
                // What the resource can change for existing ENIs: routing
                // (gateways, endpoints) or the instances behind a load
                // balancer. The interfaces it creates itself are not in the
                // answers at all.
                let attributes: &[&str] =
                    if k.starts_with("aws_lb") || k.starts_with("aws_alb") || k == "aws_elb" {
                        &["instances", "target_id"]
                    } else if k.starts_with("aws_ec2_transit_gateway")
                        || k.starts_with("aws_vpc_endpoint")
                        || k.starts_with("aws_vpn")
                        || k.starts_with("aws_vpc_ipv4")
                        || k.starts_with("aws_networkfirewall")
                    {
                        &[
                            "vpc_id",
                            "subnet_id",
                            "subnet_ids",
                            "route_table_id",
                            "route_table_ids",
                            "transit_gateway_attachment_id",
                        ]
                    } else {
                        &[]
                    };
                let mut components = Vec::new();
                for v in [&rc.before, &rc.after] {
                    for attr in attributes {
                        if let Ok(ids) = self.many(rc, v, attr) {
                            components.extend(ids);
                        }
                        if let Ok(Some(x)) = self.one(rc, v, attr) {
                            components.push(x);
                        }
                    }
                }
                if k.starts_with(BPA_KINDS) {
                    components.extend(self.out.network.vpcs.keys().cloned());
                }
                components.sort();
                components.dedup();
                if components.is_empty() {
                    // Services that place their own interfaces in subnets
                    // (databases, clusters): those interfaces are not in the
                    // answers; pairs between other interfaces do not change.
                    self.out.notes.push(format!(
                        "{} ({kind}) is not evaluated: the network interfaces it creates are not in the answers",
                        rc.address
                    ));
                } else {
                    let names: Vec<&str> = components
                        .iter()
                        .map(|c| self.out.addresses.get(c).map(String::as_str).unwrap_or(c))
                        .collect();
                    self.out.notes.push(format!(
                        "{} ({kind}) is not evaluated: vpcreach does not model it from a plan, so answers through {} are unknown",
                        rc.address,
                        names.join(", ")
                    ));
                    self.unknown(rc, "(not evaluated)", components);
                }
                None
            }
            k if inert(k) => None,
            _ => {
                self.out.notes.push(format!(
                    "{} ({kind}) is not evaluated: an unknown resource type that might create network paths",
                    rc.address
                ));
                self.unknown(rc, "(not evaluated)", Vec::new());
                None
            }
        };
        if let Some(s) = summary {
            self.applied(index, rc, s);
        }
    }

    fn exists(&self, kind: &str, id: &str) -> bool {
        let n = &self.out.network;
        match kind {
            "aws_vpc" => n.vpcs.contains_key(id),
            "aws_subnet" => n.subnets.contains_key(id),
            "aws_security_group" => n.security_groups.contains_key(id),
            "aws_network_acl" => n.network_acls.contains_key(id),
            "aws_route_table" => n.route_tables.contains_key(id),
            "aws_internet_gateway" => n.internet_gateways.contains_key(id),
            "aws_egress_only_internet_gateway" => n.egress_only_gateways.contains_key(id),
            "aws_nat_gateway" => n.nat_gateways.contains_key(id),
            "aws_instance" => n.instances.contains_key(id),
            "aws_network_interface" => n.network_interfaces.contains_key(id),
            "aws_vpc_peering_connection" => n.peerings.contains_key(id),
            // Rules, routes and associations are matched by content.
            _ => true,
        }
    }
}

fn implicit_name(attribute: &str) -> &'static str {
    match attribute {
        "default_security_group_id" => "default_security_group",
        "default_network_acl_id" => "default_network_acl",
        _ => "main_route_table",
    }
}

/// A CIDR attribute: `Err` when unknown or not a CIDR.
fn cidr(v: &Value) -> Result<Option<Ipv4Net>, Unknown> {
    match v {
        Value::String(s) if !s.is_empty() => s.parse().map(Some).map_err(|_| Unknown),
        Value::Unknown => Err(Unknown),
        _ => Ok(None),
    }
}

mod edits;

impl Translation {
    /// The Terraform address of what the plan creates, else the id itself.
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        if id.contains(SYNTHETIC) {
            self.addresses.get(id).map(String::as_str).unwrap_or(id)
        } else {
            id
        }
    }

    /// `text` with every id the plan made up replaced by its address, so
    /// that output names new resources the way the pull request does.
    pub fn rename(&self, text: &str) -> String {
        if !text.contains(SYNTHETIC) {
            return text.to_string();
        }
        let mut out = text.to_string();
        // Ids are fixed-width, so none is a prefix of another.
        for (id, address) in self
            .addresses
            .iter()
            .filter(|(id, _)| id.contains(SYNTHETIC))
        {
            if out.contains(id.as_str()) {
                out = out.replace(id.as_str(), address);
            }
        }
        out
    }
}
