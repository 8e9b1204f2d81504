//! VPC Block Public Access (BPA.1–BPA.7 of docs/semantics-additions.md):
//! what the account's mode and the exclusions let through an internet
//! gateway or an egress-only internet gateway.
//!
//! Owns: the BPA decision for the private addresses crossing a gateway
//! (by subnet and exclusion), its blocker and its unknown. Must not know:
//! the gateways' own filters and translations (`igw.rs`).

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::analysis::Direction;
use crate::model::*;
use crate::packet::*;

/// The gateway a crossing goes through.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Gateway {
    Internet,
    EgressOnly,
}

impl Gateway {
    fn kind(self) -> &'static str {
        match self {
            Gateway::Internet => "InternetGateway",
            Gateway::EgressOnly => "EgressOnlyInternetGateway",
        }
    }
}

/// The mode governing a VPC and where it was read (BPA.7).
struct Governing<'n> {
    mode: &'n BpaMode,
    options: Option<&'n BlockPublicAccess>,
}

/// BPA's answer for the traffic of one subnet (or NAT gateway) of a VPC.
#[derive(Clone, PartialEq, Eq)]
enum Decision {
    Allow,
    /// Blocked; the exclusions that apply and did not allow it.
    Block(Vec<String>),
    Unknown(String),
}

/// One group of private addresses that BPA treats alike.
struct Group {
    addrs: AddrSet,
    subnet: Option<String>,
    nat: Option<String>,
}

impl<'t, 'n> Walk<'t, 'n> {
    /// The mode that governs `vpc`: the account options of its region and
    /// account folder, else the VPC's own `BlockPublicAccessStates` (BPA.7).
    fn bpa_governing(&self, vpc: &'n Vpc) -> Option<Governing<'n>> {
        let net = self.net();
        if let Some(o) = net
            .block_public_access
            .iter()
            .find(|o| o.location == vpc.location)
        {
            return Some(Governing {
                mode: &o.mode,
                options: Some(o),
            });
        }
        vpc.bpa_mode.as_ref().map(|mode| Governing {
            mode,
            options: None,
        })
    }

    /// BPA.2–BPA.6 for traffic of `subnet` (through `nat` when a NAT
    /// gateway's address crosses) in `dir` through `gateway`.
    fn bpa_decision(
        &self,
        vpc: &Vpc,
        g: &Governing<'_>,
        subnet: Option<&str>,
        nat: bool,
        gateway: Gateway,
        dir: Direction,
    ) -> Decision {
        let egress = dir == Direction::Egress;
        match g.mode {
            BpaMode::Off => return Decision::Allow,
            // BPA.3: ingress-only lets out what NAT gateways and egress-only
            // gateways carry (they admit no inbound connection).
            BpaMode::BlockIngress if egress && (nat || gateway == Gateway::EgressOnly) => {
                return Decision::Allow
            }
            BpaMode::BlockIngress | BpaMode::BlockBidirectional => {}
            BpaMode::Other(m) => {
                return Decision::Unknown(format!(
                    "VPC Block Public Access mode `{m}` is not known to this version (BPA.1)"
                ))
            }
        }
        if g.options.is_some_and(|o| !o.exclusions_allowed) {
            return Decision::Block(Vec::new());
        }
        let net = self.net();
        if !net.bpa_exclusions_described {
            return Decision::Unknown("whether an exclusion exempts it is unknown: the snapshot lacks describe-vpc-block-public-access-exclusions (BPA.7)".into());
        }
        let applies = |e: &&BpaExclusion| match &e.resource {
            BpaResource::Vpc(v) => *v == vpc.id,
            BpaResource::Subnet(s) => Some(s.as_str()) == subnet,
        };
        // BPA.4: allow-egress lets out only under the bidirectional mode.
        let allows = |e: &BpaExclusion| match &e.mode {
            BpaExclusionMode::AllowBidirectional => Some(true),
            BpaExclusionMode::AllowEgress => Some(egress && *g.mode == BpaMode::BlockBidirectional),
            BpaExclusionMode::Other(_) => None,
        };
        let mut considered = Vec::new();
        let mut doubt = None;
        for e in net.bpa_exclusions.values().filter(applies) {
            match (e.state.in_force(), allows(e)) {
                (InForce::No, _) | (_, Some(false)) => considered.push(e.id.clone()),
                (InForce::Yes, Some(true)) => return Decision::Allow,
                (InForce::Unknown, _) => {
                    doubt.get_or_insert_with(|| {
                        format!("exclusion {} is in state {} (BPA.5)", e.id, e.state)
                    });
                }
                (InForce::Yes, None) => {
                    doubt.get_or_insert_with(|| {
                        format!(
                            "exclusion {} has mode {}, not known to this version (BPA.4)",
                            e.id, e.mode
                        )
                    });
                }
            }
        }
        match doubt {
            Some(d) => Decision::Unknown(d),
            None => Decision::Block(considered),
        }
    }

    /// The VPC's private addresses grouped as BPA treats them: one group
    /// per subnet, one per public NAT gateway (its address is the source
    /// at the gateway, BPA.3), and the rest of the VPC.
    fn bpa_groups(&self, vpc: &Vpc) -> Vec<Group> {
        let net = self.net();
        let mut groups = Vec::new();
        let mut rest = nets_set(&vpc.cidrs) | nets_set(&vpc.ipv6_cidrs);
        for n in net
            .nat_gateways
            .values()
            .filter(|n| n.vpc_id == vpc.id && n.connectivity == NatConnectivity::Public)
        {
            let addrs = AddrSet::from_iter(
                n.addresses
                    .iter()
                    .filter_map(|a| a.private_ip)
                    .map(|ip| addr_of(ip)..=addr_of(ip)),
            );
            rest = &rest - &addrs;
            groups.push(Group {
                addrs,
                subnet: Some(n.subnet_id.clone()),
                nat: Some(n.id.clone()),
            });
        }
        for s in net.subnets.values().filter(|s| s.vpc_id == vpc.id) {
            let addrs = &(net_set(&s.cidr) | nets_set(&s.ipv6_cidrs)) & &rest;
            rest = &rest - &addrs;
            groups.push(Group {
                addrs,
                subnet: Some(s.id.clone()),
                nat: None,
            });
        }
        groups.push(Group {
            addrs: rest,
            subnet: None,
            nat: None,
        });
        groups
    }

    /// VPC Block Public Access on `set` crossing `gw_id` of `vpc_id` in
    /// `dir` (private addresses: sources going out, translated destinations
    /// coming in). Forward walks only: a reply follows its connection.
    /// Returns what goes on and the traces of the part whose fate is
    /// unknown (stopped with `UNKNOWN_RESOURCE`); a part BPA blocks is
    /// recorded as `VPC_BLOCK_PUBLIC_ACCESS_ENABLED` when it is all.
    pub(super) fn bpa_gate(
        &self,
        trace: &mut Trace,
        gw_id: &str,
        gateway: Gateway,
        vpc_id: &str,
        dir: Direction,
        set: HeaderSet,
    ) -> (HeaderSet, Vec<Trace>) {
        let net = self.net();
        let Some(vpc) = net.vpcs.get(vpc_id) else {
            return (set, Vec::new());
        };
        let Some(g) = self.bpa_governing(vpc) else {
            return (set, Vec::new());
        };
        if self.mode == Mode::Return || *g.mode == BpaMode::Off {
            return (set, Vec::new());
        }
        let addrs_of = |s: &HeaderSet| match dir {
            Direction::Egress => s.src_union(),
            Direction::Ingress => s.dst_union(),
        };
        let restrict = |s: &HeaderSet, a: &AddrSet| match dir {
            Direction::Egress => s.restrict_src(a),
            Direction::Ingress => s.restrict_dst(a),
        };
        let crossing = addrs_of(&set);
        let mut allowed = AddrSet::new();
        let mut blocked: Vec<(Group, Vec<String>)> = Vec::new();
        let mut unknown: Vec<(Group, String)> = Vec::new();
        for group in self.bpa_groups(vpc) {
            if (&group.addrs & &crossing).is_empty() {
                continue;
            }
            let subnet = group.subnet.as_deref();
            match self.bpa_decision(vpc, &g, subnet, group.nat.is_some(), gateway, dir) {
                Decision::Allow => allowed |= &group.addrs,
                Decision::Block(considered) => blocked.push((group, considered)),
                Decision::Unknown(why) => unknown.push((group, why)),
            }
        }
        // Addresses outside the VPC are the gateway's own filters' concern.
        let outside = &crossing - &(nets_set(&vpc.cidrs) | nets_set(&vpc.ipv6_cidrs));
        allowed |= &outside;
        let mut extra = Vec::new();
        for (group, why) in &unknown {
            let part = restrict(&set, &group.addrs);
            let mut e = self.explanation(
                ExplanationCode::UnknownResource,
                format!(
                    "VPC Block Public Access ({}) governs {}{} through {gw_id}, and {why}: the answer is unknown, not a verdict",
                    self.bpa_source(vpc, &g),
                    group.nat.as_deref().or(group.subnet.as_deref()).unwrap_or(vpc_id),
                    describe_dir(dir),
                ),
                &part,
            );
            self.bpa_components(&mut e, gw_id, gateway, vpc_id, group, &g, &[]);
            e.fix = Some("add describe-vpc-block-public-access-options and describe-vpc-block-public-access-exclusions output of the region to the snapshot".into());
            extra.extend(self.stop(trace.clone(), e));
        }
        let known = unknown.iter().fold(set.clone(), |s, (g, _)| {
            s.subtract(&restrict(&set, &g.addrs))
        });
        if known.is_empty() {
            return (known, extra);
        }
        let passed = restrict(&known, &allowed);
        let Some((group, considered)) = blocked.first() else {
            return (passed, extra);
        };
        let passed = self.gate(trace, &known, passed, || {
            let mut e = self.explanation(
                ExplanationCode::VpcBlockPublicAccessEnabled,
                format!(
                    "VPC Block Public Access ({}) blocks {}{} through {gw_id}{} ({})",
                    self.bpa_source(vpc, &g),
                    describe_addrs(&addrs_of(&known)),
                    describe_dir(dir),
                    describe_exclusions(considered, group, g.options),
                    rule_of(g.mode, gateway, dir, group.nat.is_some()),
                ),
                &known,
            );
            self.bpa_components(&mut e, gw_id, gateway, vpc_id, group, &g, considered);
            e.fix = Some(match (g.mode, dir) {
                (BpaMode::BlockIngress, Direction::Egress) => format!("route the subnet's internet traffic through a NAT gateway, or create an allow-bidirectional exclusion for {}", group.subnet.as_deref().unwrap_or(vpc_id)),
                (_, Direction::Egress) => format!("create an allow-egress exclusion for {} (CreateVpcBlockPublicAccessExclusion)", group.subnet.as_deref().unwrap_or(vpc_id)),
                (_, Direction::Ingress) => format!("create an allow-bidirectional exclusion for {} (CreateVpcBlockPublicAccessExclusion)", group.subnet.as_deref().unwrap_or(vpc_id)),
            });
            e
        });
        (passed, extra)
    }

    fn bpa_source(&self, vpc: &Vpc, g: &Governing<'_>) -> String {
        match g.options {
            Some(o) => format!(
                "{}, account options{}",
                g.mode,
                o.location
                    .region
                    .as_deref()
                    .map(|r| format!(" of {r}"))
                    .unwrap_or_default()
            ),
            None => format!("{}, BlockPublicAccessStates of {}", g.mode, vpc.id),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn bpa_components(
        &self,
        e: &mut crate::analysis::Explanation,
        gw_id: &str,
        gateway: Gateway,
        vpc_id: &str,
        group: &Group,
        g: &Governing<'_>,
        considered: &[String],
    ) {
        let net = self.net();
        e.components.push((gateway.kind(), comp(net, gw_id)));
        if let Some(n) = &group.nat {
            e.components.push(("NatGateway", comp(net, n)));
        }
        if let Some(s) = &group.subnet {
            e.components.push(("Subnet", comp(net, s)));
        }
        e.components.push(("Vpc", comp(net, vpc_id)));
        if let Some(o) = g.options {
            let id = match &o.location.region {
                Some(r) => format!("vpc-block-public-access-options/{r}"),
                None => "vpc-block-public-access-options".to_string(),
            };
            e.components
                .push(("VpcBlockPublicAccessOptions", comp(net, &id)));
        }
        for x in considered {
            e.components
                .push(("VpcBlockPublicAccessExclusion", comp(net, x)));
        }
    }
}

fn describe_dir(dir: Direction) -> &'static str {
    match dir {
        Direction::Egress => " going out to the internet",
        Direction::Ingress => " coming in from the internet",
    }
}

fn describe_exclusions(
    considered: &[String],
    group: &Group,
    o: Option<&BlockPublicAccess>,
) -> String {
    if o.is_some_and(|o| !o.exclusions_allowed) {
        return "; exclusions are not allowed (ExclusionsAllowed not-allowed, BPA.6)".into();
    }
    let whom = group.subnet.as_deref().unwrap_or("its VPC");
    if considered.is_empty() {
        format!("; no exclusion in force exempts {whom} or its VPC")
    } else {
        format!(
            "; exclusion{} {} of {whom} or its VPC do{} not allow it",
            if considered.len() == 1 { "" } else { "s" },
            considered.join(", "),
            if considered.len() == 1 { "es" } else { "" }
        )
    }
}

/// The rule of docs/semantics-additions.md a block rests on.
fn rule_of(mode: &BpaMode, gateway: Gateway, dir: Direction, nat: bool) -> &'static str {
    match (mode, dir) {
        (BpaMode::BlockIngress, Direction::Egress) => "BPA.3",
        (_, Direction::Ingress) => "BPA.2",
        _ if nat => "BPA.2, through a NAT gateway",
        _ if gateway == Gateway::EgressOnly => "BPA.2, egress-only internet gateway",
        _ => "BPA.2",
    }
}
