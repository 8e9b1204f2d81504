//! Configuration differences between two networks: what `diff` and
//! `whatif` print as "the configuration behind" a reachability change.
//!
//! Plain data in a stable order (by component id, then kind, then detail),
//! so that the same two networks always give the same list.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::*;

use super::{dest_text, rule_text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Removed,
    Modified,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Modified => "modified",
        }
    }
    pub fn sign(self) -> char {
        match self {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Modified => '~',
        }
    }
}

/// One difference in configuration.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigChange {
    /// The component that changed (`sg-…`, `acl-…`, `rtb-…`, `igw-…`,
    /// `eni-…`, `pcx-…`, a subnet for association moves, an Elastic IP).
    pub component: String,
    /// What part of it: `SecurityGroupIngressRule`, `NetworkAclEntry`,
    /// `Route`, `RouteTableAssociation`, `NetworkAclAssociation`,
    /// `InternetGatewayAttachment`, `SecurityGroups`, `SourceDestCheck`,
    /// `PublicIp`, `ElasticIpAssociation`, `PeeringStatus`, or the resource
    /// type itself when a whole resource appears or disappears.
    pub what: &'static str,
    pub kind: ChangeKind,
    /// For people: `tcp/22 from 10.0.1.0/24`, `inbound rule 90`, `0.0.0.0/0`.
    pub detail: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl ConfigChange {
    fn new(component: &str, what: &'static str, kind: ChangeKind, detail: String) -> Self {
        ConfigChange {
            component: component.to_string(),
            what,
            kind,
            detail,
            before: None,
            after: None,
        }
    }
    fn values(mut self, before: Option<String>, after: Option<String>) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    /// One line for people.
    pub fn text(&self) -> String {
        let mut s = format!(
            "{} {} {}: {}",
            self.kind.sign(),
            self.component,
            self.what,
            self.detail
        );
        match (&self.before, &self.after) {
            (Some(b), Some(a)) => s.push_str(&format!(" ({b} → {a})")),
            (None, Some(a)) if self.kind == ChangeKind::Added => s.push_str(&format!(" ({a})")),
            (Some(b), None) if self.kind == ChangeKind::Removed => s.push_str(&format!(" ({b})")),
            _ => {}
        }
        s
    }
}

fn keys<'a, V>(a: &'a BTreeMap<String, V>, b: &'a BTreeMap<String, V>) -> BTreeSet<&'a String> {
    a.keys().chain(b.keys()).collect()
}

/// Every configuration difference from `before` to `after` that matters to
/// reachability, sorted.
pub fn diff(before: &Network, after: &Network) -> Vec<ConfigChange> {
    let mut out = Vec::new();
    resources(before, after, &mut out);
    security_groups(before, after, &mut out);
    network_acls(before, after, &mut out);
    route_tables(before, after, &mut out);
    gateways(before, after, &mut out);
    interfaces(before, after, &mut out);
    peerings(before, after, &mut out);
    rule_groups(before, after, &mut out);
    block_public_access(before, after, &mut out);
    out.sort();
    out.dedup();
    out
}

/// Network Firewall rule groups whose rules or variables changed
/// (`UpdateRuleGroup`), by ARN.
fn rule_groups(b: &Network, a: &Network, out: &mut Vec<ConfigChange>) {
    for (arn, before) in &b.rule_groups {
        if a.rule_groups.get(arn).is_some_and(|after| after != before) {
            out.push(ConfigChange::new(
                arn,
                "FirewallRuleGroup",
                ChangeKind::Modified,
                format!("rule group {}", before.name),
            ));
        }
    }
}

/// Whole resources that appear or disappear.
fn resources(b: &Network, a: &Network, out: &mut Vec<ConfigChange>) {
    fn each<V>(
        what: &'static str,
        b: &BTreeMap<String, V>,
        a: &BTreeMap<String, V>,
        out: &mut Vec<ConfigChange>,
    ) {
        for k in keys(b, a) {
            match (b.contains_key(k), a.contains_key(k)) {
                (true, false) => {
                    out.push(ConfigChange::new(k, what, ChangeKind::Removed, k.clone()))
                }
                (false, true) => out.push(ConfigChange::new(k, what, ChangeKind::Added, k.clone())),
                _ => {}
            }
        }
    }
    each("Vpc", &b.vpcs, &a.vpcs, out);
    each("Subnet", &b.subnets, &a.subnets, out);
    each("RouteTable", &b.route_tables, &a.route_tables, out);
    each("NetworkAcl", &b.network_acls, &a.network_acls, out);
    each("SecurityGroup", &b.security_groups, &a.security_groups, out);
    each(
        "InternetGateway",
        &b.internet_gateways,
        &a.internet_gateways,
        out,
    );
    each(
        "EgressOnlyInternetGateway",
        &b.egress_only_gateways,
        &a.egress_only_gateways,
        out,
    );
    each("NatGateway", &b.nat_gateways, &a.nat_gateways, out);
    each(
        "NetworkInterface",
        &b.network_interfaces,
        &a.network_interfaces,
        out,
    );
    each("VpcPeeringConnection", &b.peerings, &a.peerings, out);
}

fn security_groups(b: &Network, a: &Network, out: &mut Vec<ConfigChange>) {
    let empty: Vec<SgRule> = Vec::new();
    for id in keys(&b.security_groups, &a.security_groups) {
        let (sb, sa) = (b.security_groups.get(id), a.security_groups.get(id));
        for (egress, what) in [
            (false, "SecurityGroupIngressRule"),
            (true, "SecurityGroupEgressRule"),
        ] {
            let list = |g: Option<&SecurityGroup>| -> BTreeSet<String> {
                g.map(|g| if egress { &g.egress } else { &g.ingress })
                    .unwrap_or(&empty)
                    .iter()
                    .map(|r| rule_text(r, egress))
                    .collect()
            };
            let (rb, ra) = (list(sb), list(sa));
            for r in rb.difference(&ra) {
                out.push(ConfigChange::new(id, what, ChangeKind::Removed, r.clone()));
            }
            for r in ra.difference(&rb) {
                out.push(ConfigChange::new(id, what, ChangeKind::Added, r.clone()));
            }
        }
    }
}

fn acl_entry_text(e: &AclEntry) -> String {
    let proto = match e.protocol {
        Protocol::All => "all traffic".to_string(),
        Protocol::Number(6) => "tcp".into(),
        Protocol::Number(17) => "udp".into(),
        Protocol::Number(1) => "icmp".into(),
        Protocol::Number(n) => format!("protocol {n}"),
    };
    let ports = match (e.port_range, e.icmp_type_code) {
        (Some((f, t)), _) if matches!(e.protocol, Protocol::Number(6 | 17)) => {
            if f == t {
                format!("/{f}")
            } else {
                format!("/{f}-{t}")
            }
        }
        (_, Some((t, c))) if e.protocol == Protocol::Number(1) => {
            format!(" type {t} code {c}")
        }
        _ => String::new(),
    };
    let cidr = e
        .cidr
        .map(|c| c.to_string())
        .or(e.ipv6_cidr.clone())
        .unwrap_or_default();
    format!(
        "{} {proto}{ports} {} {cidr}",
        match e.action {
            RuleAction::Allow => "allow",
            RuleAction::Deny => "deny",
        },
        if e.egress { "to" } else { "from" }
    )
}

fn network_acls(b: &Network, a: &Network, out: &mut Vec<ConfigChange>) {
    for id in keys(&b.network_acls, &a.network_acls) {
        let entries = |n: &Network| -> BTreeMap<(bool, u32), String> {
            n.network_acls
                .get(id)
                .map(|acl| {
                    acl.entries
                        .iter()
                        .map(|e| ((e.egress, e.rule_number), acl_entry_text(e)))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (eb, ea) = (entries(b), entries(a));
        let all: BTreeSet<&(bool, u32)> = eb.keys().chain(ea.keys()).collect();
        for key in all {
            let detail = format!(
                "{} rule {}",
                if key.0 { "outbound" } else { "inbound" },
                key.1
            );
            match (eb.get(key), ea.get(key)) {
                (Some(x), None) => out.push(
                    ConfigChange::new(id, "NetworkAclEntry", ChangeKind::Removed, detail)
                        .values(Some(x.clone()), None),
                ),
                (None, Some(y)) => out.push(
                    ConfigChange::new(id, "NetworkAclEntry", ChangeKind::Added, detail)
                        .values(None, Some(y.clone())),
                ),
                (Some(x), Some(y)) if x != y => out.push(
                    ConfigChange::new(id, "NetworkAclEntry", ChangeKind::Modified, detail)
                        .values(Some(x.clone()), Some(y.clone())),
                ),
                _ => {}
            }
        }
    }
    // Which ACL each subnet is explicitly associated with.
    let owner = |n: &Network| -> BTreeMap<String, String> {
        n.network_acls
            .values()
            .flat_map(|acl| acl.subnet_ids.iter().map(|s| (s.clone(), acl.id.clone())))
            .collect()
    };
    associations(owner(b), owner(a), "NetworkAclAssociation", out);
}

fn associations(
    b: BTreeMap<String, String>,
    a: BTreeMap<String, String>,
    what: &'static str,
    out: &mut Vec<ConfigChange>,
) {
    for k in keys(&b, &a) {
        let (x, y) = (b.get(k), a.get(k));
        if x != y {
            let kind = match (x, y) {
                (None, Some(_)) => ChangeKind::Added,
                (Some(_), None) => ChangeKind::Removed,
                _ => ChangeKind::Modified,
            };
            out.push(
                ConfigChange::new(k, what, kind, "association".into())
                    .values(x.cloned(), y.cloned()),
            );
        }
    }
}

fn route_tables(b: &Network, a: &Network, out: &mut Vec<ConfigChange>) {
    for id in keys(&b.route_tables, &a.route_tables) {
        let routes = |n: &Network| -> BTreeMap<String, String> {
            n.route_tables
                .get(id)
                .map(|t| {
                    t.routes
                        .iter()
                        .map(|r| {
                            let state = match &r.state {
                                RouteState::Active => String::new(),
                                RouteState::Blackhole => " (blackhole)".into(),
                                RouteState::Other(s) => format!(" ({s})"),
                            };
                            (
                                dest_text(&r.destination),
                                format!("{}{state}", r.target.id()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (rb, ra) = (routes(b), routes(a));
        for d in keys(&rb, &ra) {
            let (x, y) = (rb.get(d), ra.get(d));
            let kind = match (x, y) {
                (Some(_), None) => ChangeKind::Removed,
                (None, Some(_)) => ChangeKind::Added,
                (Some(x), Some(y)) if x != y => ChangeKind::Modified,
                _ => continue,
            };
            out.push(
                ConfigChange::new(id, "Route", kind, d.clone()).values(x.cloned(), y.cloned()),
            );
        }
        let main = |n: &Network| n.route_tables.get(id).is_some_and(|t| t.is_main);
        if main(b) != main(a) && b.route_tables.contains_key(id) && a.route_tables.contains_key(id)
        {
            out.push(
                ConfigChange::new(id, "MainRouteTable", ChangeKind::Modified, "main".into())
                    .values(Some(main(b).to_string()), Some(main(a).to_string())),
            );
        }
    }
    let owner = |n: &Network| -> BTreeMap<String, String> {
        n.route_tables
            .values()
            .flat_map(|t| {
                t.subnet_ids
                    .iter()
                    .chain(&t.gateway_ids)
                    .map(|s| (s.clone(), t.id.clone()))
            })
            .collect()
    };
    associations(owner(b), owner(a), "RouteTableAssociation", out);
}

fn gateways(b: &Network, a: &Network, out: &mut Vec<ConfigChange>) {
    for id in keys(&b.internet_gateways, &a.internet_gateways) {
        let att = |n: &Network| -> BTreeSet<String> {
            n.internet_gateways
                .get(id)
                .map(|g| {
                    g.attachments
                        .iter()
                        .filter(|(_, s)| s.is_attached())
                        .map(|(v, _)| v.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        let (x, y) = (att(b), att(a));
        for v in x.difference(&y) {
            out.push(ConfigChange::new(
                id,
                "InternetGatewayAttachment",
                ChangeKind::Removed,
                v.clone(),
            ));
        }
        for v in y.difference(&x) {
            out.push(ConfigChange::new(
                id,
                "InternetGatewayAttachment",
                ChangeKind::Added,
                v.clone(),
            ));
        }
    }
    for id in keys(&b.nat_gateways, &a.nat_gateways) {
        if let (Some(x), Some(y)) = (b.nat_gateways.get(id), a.nat_gateways.get(id)) {
            if x.state != y.state {
                out.push(
                    ConfigChange::new(id, "NatGatewayState", ChangeKind::Modified, "state".into())
                        .values(Some(x.state.to_string()), Some(y.state.to_string())),
                );
            }
        }
    }
    let eips = |n: &Network| -> BTreeMap<String, String> {
        n.elastic_ips
            .iter()
            .filter_map(|e| {
                let eni = e.network_interface_id.as_ref()?;
                let private = e.private_ip.map(|p| format!(" ({p})")).unwrap_or_default();
                Some((e.public_ip.to_string(), format!("{eni}{private}")))
            })
            .collect()
    };
    associations(eips(b), eips(a), "ElasticIpAssociation", out);
}

fn interfaces(b: &Network, a: &Network, out: &mut Vec<ConfigChange>) {
    for id in keys(&b.network_interfaces, &a.network_interfaces) {
        let (Some(x), Some(y)) = (b.network_interfaces.get(id), a.network_interfaces.get(id))
        else {
            continue;
        };
        if x.group_ids != y.group_ids {
            out.push(
                ConfigChange::new(id, "SecurityGroups", ChangeKind::Modified, "groups".into())
                    .values(Some(x.group_ids.join(", ")), Some(y.group_ids.join(", "))),
            );
        }
        if x.source_dest_check != y.source_dest_check {
            out.push(
                ConfigChange::new(
                    id,
                    "SourceDestCheck",
                    ChangeKind::Modified,
                    "source/destination check".into(),
                )
                .values(
                    Some(x.source_dest_check.to_string()),
                    Some(y.source_dest_check.to_string()),
                ),
            );
        }
        let publics = |e: &NetworkInterface| -> BTreeMap<String, String> {
            e.private_ips
                .iter()
                .filter_map(|p| Some((p.address.to_string(), p.public_ip?.to_string())))
                .collect()
        };
        let (pb, pa) = (publics(x), publics(y));
        for p in keys(&pb, &pa) {
            let (u, v) = (pb.get(p), pa.get(p));
            let kind = match (u, v) {
                (Some(_), None) => ChangeKind::Removed,
                (None, Some(_)) => ChangeKind::Added,
                (Some(u), Some(v)) if u != v => ChangeKind::Modified,
                _ => continue,
            };
            out.push(
                ConfigChange::new(id, "PublicIp", kind, format!("public IP of {p}"))
                    .values(u.cloned(), v.cloned()),
            );
        }
        if x.status != y.status {
            out.push(
                ConfigChange::new(id, "Status", ChangeKind::Modified, "status".into())
                    .values(Some(x.status.to_string()), Some(y.status.to_string())),
            );
        }
    }
}

fn peerings(b: &Network, a: &Network, out: &mut Vec<ConfigChange>) {
    for id in keys(&b.peerings, &a.peerings) {
        let (x, y) = (b.peerings.get(id), a.peerings.get(id));
        match (x, y) {
            (Some(x), Some(y)) if x.status != y.status => out.push(
                ConfigChange::new(id, "PeeringStatus", ChangeKind::Modified, "status".into())
                    .values(Some(x.status.to_string()), Some(y.status.to_string())),
            ),
            (None, Some(y)) => out.push(
                ConfigChange::new(
                    id,
                    "PeeringStatus",
                    ChangeKind::Added,
                    format!("{} ↔ {}", y.requester.vpc_id, y.accepter.vpc_id),
                )
                .values(None, Some(y.status.to_string())),
            ),
            _ => {}
        }
    }
}

/// The VPCs a set of configuration changes can affect: a pair of endpoints
/// in two other VPCs cannot gain or lose reachability (paths only ever
/// involve the source's and the destination's VPCs and what is attached to
/// them; nothing transitive is modelled).
pub fn touched_vpcs(
    before: &Network,
    after: &Network,
    changes: &[ConfigChange],
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for n in [before, after] {
        for c in changes {
            let id = c.component.as_str();
            let mut add = |v: &str| {
                out.insert(v.to_string());
            };
            for v in bpa_vpcs(n, id) {
                add(&v);
            }
            if let Some(v) = n.vpcs.get(id) {
                add(&v.id);
            }
            if let Some(s) = n.subnets.get(id) {
                add(&s.vpc_id);
            }
            if let Some(t) = n.route_tables.get(id) {
                add(&t.vpc_id);
            }
            if let Some(acl) = n.network_acls.get(id) {
                add(&acl.vpc_id);
            }
            if let Some(sg) = n.security_groups.get(id) {
                match &sg.vpc_id {
                    Some(v) => add(v),
                    None => n.vpcs.keys().for_each(|v| add(v)),
                }
            }
            if let Some(g) = n
                .internet_gateways
                .get(id)
                .or(n.egress_only_gateways.get(id))
            {
                g.attachments.iter().for_each(|(v, _)| add(v));
            }
            if let Some(g) = n.nat_gateways.get(id) {
                add(&g.vpc_id);
            }
            // A rule group: the VPCs of the firewalls whose policy uses it.
            if n.rule_groups.contains_key(id) {
                for f in n.firewalls.values() {
                    let uses = n.firewall_policies.get(&f.policy_arn).is_some_and(|p| {
                        p.stateless_groups.iter().any(|(_, g)| g == id)
                            || p.stateful_groups.iter().any(|g| g.arn == id)
                    });
                    if uses {
                        add(&f.vpc_id);
                    }
                }
            }
            if let Some(e) = n.network_interfaces.get(id) {
                add(&e.vpc_id);
            }
            if let Some(p) = n.peerings.get(id) {
                add(&p.requester.vpc_id);
                add(&p.accepter.vpc_id);
            }
            // Elastic IPs: the component is the public IP; its ENIs moved.
            for e in &n.elastic_ips {
                if e.public_ip.to_string() == id {
                    if let Some(eni) = e
                        .network_interface_id
                        .as_ref()
                        .and_then(|x| n.network_interfaces.get(x))
                    {
                        add(&eni.vpc_id);
                    }
                }
            }
            // Gateway edge associations name the gateway, not the VPC.
            if c.what == "RouteTableAssociation" {
                for v in [&c.before, &c.after].into_iter().flatten() {
                    if let Some(t) = n.route_tables.get(v) {
                        add(&t.vpc_id);
                    }
                }
            }
        }
    }
    out
}

/// What a set of configuration changes can affect: pairs with an endpoint
/// among `enis` (either end), a source among `sources`, a destination
/// among `destinations`, or an endpoint in one of `vpcs`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Affected {
    pub enis: BTreeSet<String>,
    /// Members of a group whose egress rules changed: only their requests
    /// are checked by those rules (C1.2: replies never are).
    pub sources: BTreeSet<String>,
    /// Members of a group whose ingress rules changed: only requests to
    /// them are checked by those rules.
    pub destinations: BTreeSet<String>,
    pub vpcs: BTreeSet<String>,
    /// When every change is a security group rule added or removed (and
    /// no pair falls back to its VPCs): the protocol and port range of each
    /// such rule. Traffic of no other protocol and destination port meets a
    /// changed rule, and nothing on a path between two ENIs rewrites either,
    /// so its fate is the same before and after. `None`: any traffic.
    pub services: Option<Vec<Service>>,
}

/// A security group rule's protocol and port range (ICMP type and code).
pub type Service = (Protocol, Option<i32>, Option<i32>);

impl Affected {
    /// Whether the pair `source` → `destination` (either may be
    /// `internet`), whose endpoints are in `vpcs`, can be affected.
    pub fn pair(&self, source: &str, destination: &str, vpcs: &BTreeSet<String>) -> bool {
        self.as_source(source)
            || self.as_destination(destination)
            || vpcs.iter().any(|v| self.vpcs.contains(v))
    }

    /// Every pair with `eni` as its source can be affected.
    pub fn as_source(&self, eni: &str) -> bool {
        self.enis.contains(eni) || self.sources.contains(eni)
    }

    /// Every pair with `eni` as its destination can be affected.
    pub fn as_destination(&self, eni: &str) -> bool {
        self.enis.contains(eni) || self.destinations.contains(eni)
    }
}

/// Narrower than [`touched_vpcs`] where that is easy and sound: a security
/// group rule only matters at the ENIs that carry the group (ingress at the
/// destination, egress at the source; stateful, so never in transit), and a
/// change to an ordinary ENI (groups, public IP, status) only matters to
/// pairs it is an endpoint of — rules naming a group match the *other*
/// endpoint's addresses. ENIs that carry traffic for others (route targets,
/// NAT gateway and other managed ENIs) and every other kind of change fall
/// back to their VPCs.
pub fn affected(before: &Network, after: &Network, changes: &[ConfigChange]) -> Affected {
    let mut out = Affected::default();
    let mut services: Vec<Service> = Vec::new();
    let mut only_rules = true;
    let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
    let transit = |n: &Network, eni: &str| {
        n.network_interfaces
            .get(eni)
            .is_some_and(|e| e.interface_type != "interface")
            || n.route_tables.values().any(|t| {
                t.routes
                    .iter()
                    .any(|r| matches!(&r.target, RouteTarget::NetworkInterface(x) if x == eni))
            })
    };
    for c in changes {
        let precise: Option<Vec<String>> = match c.what {
            "SecurityGroupIngressRule" | "SecurityGroupEgressRule" => Some(
                [before, after]
                    .iter()
                    .flat_map(|n| {
                        n.network_interfaces
                            .values()
                            .filter(|e| e.group_ids.contains(&c.component))
                            .map(|e| e.id.clone())
                    })
                    .collect(),
            ),
            "SecurityGroups" | "PublicIp" | "Status" => Some(vec![c.component.clone()]),
            "ElasticIpAssociation" => Some(
                [&c.before, &c.after]
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.split(' ').next().map(str::to_string))
                    .collect(),
            ),
            _ => None,
        };
        match precise {
            Some(enis) if !enis.iter().any(|e| transit(before, e) || transit(after, e)) => {
                match c.what {
                    "SecurityGroupIngressRule" => out.destinations.extend(enis),
                    "SecurityGroupEgressRule" => out.sources.extend(enis),
                    _ => out.enis.extend(enis),
                }
            }
            _ => out
                .vpcs
                .extend(touched_vpcs(before, after, std::slice::from_ref(c))),
        }
        // One change per rule, but the services are the group's (in that
        // direction) all at once: take them once.
        if !seen.insert((c.component.as_str(), c.what)) {
            continue;
        }
        match changed_rule_services(before, after, c) {
            Some(s) => services.extend(s),
            None => only_rules = false,
        }
    }
    out.vpcs = with_transit_neighbours(before, after, out.vpcs);
    if only_rules && out.vpcs.is_empty() {
        out.services = Some(services);
    }
    out
}

/// The protocol and ports of every rule of `c`'s group that is in one
/// network and not the other, when `c` is a security group rule change
/// (`None` for any other change).
fn changed_rule_services(
    before: &Network,
    after: &Network,
    c: &ConfigChange,
) -> Option<Vec<Service>> {
    let rules = |n: &Network| -> Vec<SgRule> {
        let Some(g) = n.security_groups.get(&c.component) else {
            return Vec::new();
        };
        match c.what {
            "SecurityGroupIngressRule" => g.ingress.clone(),
            _ => g.egress.clone(),
        }
    };
    if !matches!(
        c.what,
        "SecurityGroupIngressRule" | "SecurityGroupEgressRule"
    ) {
        return None;
    }
    let same = |a: &SgRule, b: &SgRule| {
        (a.protocol, a.from_port, a.to_port, &a.peer)
            == (b.protocol, b.from_port, b.to_port, &b.peer)
    };
    let (b, a) = (rules(before), rules(after));
    let only_in = |x: &[SgRule], y: &[SgRule]| -> Vec<Service> {
        x.iter()
            .filter(|r| !y.iter().any(|o| same(r, o)))
            .map(|r| (r.protocol, r.from_port, r.to_port))
            .collect()
    };
    let mut out = only_in(&b, &a);
    out.extend(only_in(&a, &b));
    Some(out)
}

/// `vpcs` plus every VPC a transit gateway joins to one of them (on either
/// side, through TGW peering too): a pair's path can cross a VPC that is
/// neither endpoint's, such as a central egress or inspection VPC (C7).
fn with_transit_neighbours(
    before: &Network,
    after: &Network,
    mut vpcs: BTreeSet<String>,
) -> BTreeSet<String> {
    // Transit gateways and VPCs as one undirected graph, closed by search.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for n in [before, after] {
        for a in n.tgw_attachments.values() {
            let other = match (&a.vpc, &a.resource_id) {
                (Some(v), _) => v.vpc_id.clone(),
                (None, Some(r)) if a.resource_type == "vpc" || r.starts_with("tgw-") => r.clone(),
                _ => continue,
            };
            edges
                .entry(a.tgw_id.clone())
                .or_default()
                .insert(other.clone());
            edges.entry(other).or_default().insert(a.tgw_id.clone());
        }
    }
    let mut todo: Vec<String> = vpcs.iter().cloned().collect();
    let mut seen: BTreeSet<String> = vpcs.clone();
    while let Some(x) = todo.pop() {
        for y in edges.get(&x).into_iter().flatten() {
            if seen.insert(y.clone()) {
                todo.push(y.clone());
            }
        }
    }
    vpcs.extend(seen.into_iter().filter(|x| x.starts_with("vpc-")));
    vpcs
}

/// The component id a change of VPC Block Public Access options is listed under.
fn bpa_options_id(l: &Location) -> String {
    match &l.region {
        Some(r) => format!("vpc-block-public-access-options/{r}"),
        None => "vpc-block-public-access-options".into(),
    }
}

/// VPCs a BPA change named `id` governs: the options' region, or what an
/// exclusion exempts (BPA.1, BPA.4).
fn bpa_vpcs(n: &Network, id: &str) -> Vec<String> {
    if let Some(o) = n
        .block_public_access
        .iter()
        .find(|o| bpa_options_id(&o.location) == id)
    {
        return n
            .vpcs
            .values()
            .filter(|v| v.location == o.location)
            .map(|v| v.id.clone())
            .collect();
    }
    match n.bpa_exclusions.get(id).map(|e| &e.resource) {
        Some(BpaResource::Vpc(v)) => vec![v.clone()],
        Some(BpaResource::Subnet(s)) => n
            .subnets
            .get(s)
            .map(|s| s.vpc_id.clone())
            .into_iter()
            .collect(),
        None => Vec::new(),
    }
}

/// VPC Block Public Access: the mode of each region, the exclusions.
fn block_public_access(b: &Network, a: &Network, out: &mut Vec<ConfigChange>) {
    let mode = |n: &Network, l: &Location| {
        n.block_public_access
            .iter()
            .find(|o| o.location == *l)
            .map(|o| o.mode.to_string())
    };
    let locations: BTreeSet<(Option<String>, Option<String>)> = b
        .block_public_access
        .iter()
        .chain(&a.block_public_access)
        .map(|o| (o.location.region.clone(), o.location.account.clone()))
        .collect();
    for (region, account) in locations {
        let l = Location { region, account };
        let (x, y) = (mode(b, &l), mode(a, &l));
        if x != y {
            out.push(
                ConfigChange::new(
                    &bpa_options_id(&l),
                    "InternetGatewayBlockMode",
                    ChangeKind::Modified,
                    "VPC Block Public Access".into(),
                )
                .values(x.or(Some("off".into())), y),
            );
        }
    }
    let text = |e: &BpaExclusion| {
        let whom = match &e.resource {
            BpaResource::Vpc(v) | BpaResource::Subnet(v) => v,
        };
        format!("{} for {whom}", e.mode)
    };
    for id in keys(&b.bpa_exclusions, &a.bpa_exclusions) {
        let (x, y) = (b.bpa_exclusions.get(id), a.bpa_exclusions.get(id));
        let kind = match (x, y) {
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            (Some(x), Some(y)) if x.mode != y.mode || x.state != y.state => ChangeKind::Modified,
            _ => continue,
        };
        out.push(
            ConfigChange::new(id, "VpcBlockPublicAccessExclusion", kind, id.clone())
                .values(x.map(text), y.map(text)),
        );
    }
}
