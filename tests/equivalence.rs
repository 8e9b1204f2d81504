//! The set-based path engine against the one-packet reference evaluator
//! (`tests/reference/mod.rs`) on random small snapshots.
//!
//! Snapshots are generated as describe-* JSON and loaded through the real
//! loader. Generation reads an "entropy tape" of numbers that proptest
//! produces and shrinks; a zero always means the simplest choice, so a
//! shrunk failure is a small snapshot.
//!
//! Case counts: `PROPTEST_CASES` (default below) snapshots per property,
//! each with several packets / sampled ports.

mod common;
mod reference;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use vpcreach::analysis::{path, PathQuery, ProtocolChoice};
use vpcreach::model::Network;
use vpcreach::packet::{Header, PROTO_ICMP, PROTO_TCP, PROTO_UDP};
use vpcreach::topology::Topology;

// 700 (was 800 before the TGW, VPN and endpoint generator): keeps the
// default run at the CPU time it took before (about 14.5 s user, debug).
const DEFAULT_CASES: u32 = 700;
const PACKETS_PER_SNAPSHOT: usize = 12;
const RANGE_QUERIES_PER_SNAPSHOT: usize = 3;

// ------------------------------------------------------------------- tape

struct Tape<'a> {
    data: &'a [u32],
    pos: usize,
}

impl Tape<'_> {
    fn pick(&mut self, n: usize) -> usize {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        v as usize % n.max(1)
    }
    /// True with `percent` % probability; false on a zero (shrunk) tape.
    fn chance(&mut self, percent: usize) -> bool {
        self.pick(100) >= 100 - percent
    }
    fn choose<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.pick(xs.len())].clone()
    }
}

// ------------------------------------------------------------------ world

#[derive(Clone, Debug)]
struct EniInfo {
    id: String,
    vpc: usize,
    ips: Vec<Ipv4Addr>,
    /// IPv6 addresses (dual-stack worlds).
    ips6: Vec<std::net::Ipv6Addr>,
    instance: bool,
    /// An interface endpoint's ENI (C8.2).
    endpoint: bool,
}

#[derive(Debug)]
struct World {
    snap: Snap,
    vpc_cidrs: Vec<String>,
    subnet_cidrs: Vec<Vec<String>>,
    enis: Vec<EniInfo>,
    publics: Vec<Ipv4Addr>,
    port_marks: Vec<u16>,
    /// IPv6 CIDRs of the subnets (dual-stack worlds; empty otherwise).
    subnet_cidrs6: Vec<Vec<String>>,
}

const PORT_MARKS: [i64; 10] = [0, 22, 80, 443, 1024, 3306, 32768, 49152, 61000, 65535];

fn ports(t: &mut Tape) -> (i64, i64) {
    match t.pick(4) {
        0 => (0, 65535),
        1 => {
            let p = t.choose(&PORT_MARKS);
            (p, p)
        }
        2 => t.choose(&[(1024, 65535), (32768, 61000), (49152, 65535), (1024, 3306)]),
        _ => {
            let a = t.choose(&PORT_MARKS);
            let b = t.choose(&PORT_MARKS);
            (a.min(b), a.max(b))
        }
    }
}

fn icmp_type_code(t: &mut Tape) -> (i64, i64) {
    let ty = t.choose(&[-1, 8, 0, 3, 13]);
    if ty == -1 {
        (-1, -1)
    } else {
        (ty, t.choose(&[-1, 0, 1]))
    }
}

/// VPC Block Public Access (BPA.1–BPA.7): sometimes a mode, with
/// exclusions of random VPCs and subnets in random modes and states, and
/// sometimes without the exclusions' output at all (unknown).
fn block_public_access(t: &mut Tape, s: &mut Snap, vpcs: &[String], subnets: &[Vec<String>]) {
    if !t.chance(30) {
        return;
    }
    let mode = t.choose(&["off", "block-bidirectional", "block-ingress"]);
    // describe-vpcs prints each VPC's mode (BlockPublicAccessStates), which
    // governs when the options are not in the snapshot (BPA.7).
    for v in &mut s.vpcs {
        v["BlockPublicAccessStates"] = serde_json::json!({"InternetGatewayBlockMode": mode});
    }
    let allowed = if t.chance(85) {
        "allowed"
    } else {
        "not-allowed"
    };
    s.raw.push((
        "vpc-block-public-access-options.json".into(),
        serde_json::json!({"VpcBlockPublicAccessOptions": {
            "AwsAccountId": OWNER, "AwsRegion": "us-east-1", "State": "update-complete",
            "InternetGatewayBlockMode": mode, "ManagedBy": "account", "ExclusionsAllowed": allowed
        }}),
    ));
    if !t.chance(85) {
        return;
    }
    s.described.push((
        "vpc-block-public-access-exclusions.json".into(),
        "VpcBlockPublicAccessExclusions".into(),
    ));
    let resources = vpcs
        .iter()
        .map(|v| format!("vpc/{v}"))
        .chain(subnets.iter().flatten().map(|sn| format!("subnet/{sn}")));
    for (i, r) in resources.enumerate() {
        if !t.chance(35) {
            continue;
        }
        let mode = t.choose(&["allow-bidirectional", "allow-egress"]);
        let state = t.choose(&[
            "create-complete",
            "update-complete",
            "create-complete",
            "create-failed",
            "delete-complete",
            "update-in-progress",
        ]);
        s.item(
            "vpc-block-public-access-exclusions.json",
            "VpcBlockPublicAccessExclusions",
            serde_json::json!({
                "ExclusionId": format!("vpcbpa-exclude-{i:017}"),
                "InternetGatewayExclusionMode": mode,
                "ResourceArn": format!("arn:aws:ec2:us-east-1:{OWNER}:{r}"),
                "State": state
            }),
        );
    }
}

fn generate(t: &mut Tape) -> World {
    let mut s = Snap::new();
    let nvpc = 1 + t.pick(2);
    let vpc_ids: Vec<String> = (0..nvpc).map(|i| format!("vpc-0{i}")).collect();
    let vpc_cidrs: Vec<String> = (0..nvpc).map(|i| format!("10.{i}.0.0/16")).collect();
    let mut subnet_ids: Vec<Vec<String>> = Vec::new();
    let mut subnet_cidrs: Vec<Vec<String>> = Vec::new();
    // Dual-stack worlds: every VPC gets 2600:1f18:i00::/56, subnets /64s.
    let dual = t.chance(40);
    let vpc_cidrs6: Vec<String> = (0..nvpc).map(|i| format!("2600:1f18:{i}00::/56")).collect();
    let mut subnet_cidrs6: Vec<Vec<String>> = Vec::new();
    for i in 0..nvpc {
        s.vpc(&vpc_ids[i], &vpc_cidrs[i]);
        let n = 1 + t.pick(3);
        let ids: Vec<String> = (0..n).map(|k| format!("subnet-0{i}{k}")).collect();
        let cidrs: Vec<String> = (0..n).map(|k| format!("10.{i}.{k}.0/24")).collect();
        for k in 0..n {
            s.subnet(&ids[k], &vpc_ids[i], &cidrs[k]);
            // Two Availability Zones, for transit gateway AZ affinity (C7.5).
            if t.chance(35) {
                let v = s.subnets.last_mut().unwrap();
                v["AvailabilityZone"] = "us-east-1b".into();
                v["AvailabilityZoneId"] = "use1-az2".into();
            }
        }
        if dual {
            s.ipv6_cidr(&vpc_ids[i], &vpc_cidrs6[i]);
            let cidrs6: Vec<String> = (0..n)
                .map(|k| format!("2600:1f18:{i}00:{k}::/64"))
                .collect();
            for k in 0..n {
                s.ipv6_cidr(&ids[k], &cidrs6[k]);
            }
            subnet_cidrs6.push(cidrs6);
        }
        subnet_ids.push(ids);
        subnet_cidrs.push(cidrs);
    }
    // Peering.
    let pcx = if nvpc == 2 && t.chance(65) {
        let status = t.choose(&[
            "active",
            "active",
            "active",
            "active",
            "pending-acceptance",
            "deleted",
        ]);
        s.peering(
            "pcx-01",
            (&vpc_ids[0], &vpc_cidrs[0]),
            (&vpc_ids[1], &vpc_cidrs[1]),
            status,
        );
        Some("pcx-01".to_string())
    } else {
        None
    };
    // Prefix lists.
    let mut pl_cidrs: Vec<String> =
        vec![t.choose(&["8.8.8.0/24".to_string(), subnet_cidrs[nvpc - 1][0].clone()])];
    if t.chance(50) {
        pl_cidrs.push(subnet_cidrs[0][subnet_cidrs[0].len() - 1].clone());
    }
    let pl_refs: Vec<&str> = pl_cidrs.iter().map(String::as_str).collect();
    s.prefix_list("pl-01", Some(&pl_refs));
    let mut pls = vec!["pl-01"];
    if t.chance(15) {
        s.prefix_list("pl-02", None);
        pls.push("pl-02");
    }
    // SG ids per VPC (rules come after the ENIs, which they may name).
    let sg_ids: Vec<Vec<String>> = (0..nvpc)
        .map(|i| (0..1 + t.pick(3)).map(|k| format!("sg-0{i}{k}")).collect())
        .collect();
    // ENIs and instances.
    let mut enis: Vec<EniInfo> = Vec::new();
    let mut publics: Vec<Ipv4Addr> = Vec::new();
    for i in 0..nvpc {
        for (k, subnet) in subnet_ids[i].iter().enumerate() {
            for e in 0..1 + t.pick(3) {
                let ip = format!("10.{i}.{k}.{}", 10 + e);
                let mut ips = vec![(ip.clone(), None)];
                if t.chance(40) {
                    let p = format!("54.{i}.{k}.{}", 10 + e);
                    publics.push(p.parse().unwrap());
                    ips[0].1 = Some(p);
                }
                if t.chance(15) {
                    let sec = format!("10.{i}.{k}.{}", 100 + e);
                    let public = if t.chance(50) {
                        let p = format!("54.{i}.{k}.{}", 100 + e);
                        publics.push(p.parse().unwrap());
                        Some(p)
                    } else {
                        None
                    };
                    ips.push((sec, public));
                }
                let mut groups: Vec<String> = vec![t.choose(&sg_ids[i])];
                if t.chance(30) {
                    let g = t.choose(&sg_ids[i]);
                    if !groups.contains(&g) {
                        groups.push(g);
                    }
                }
                let eni = format!("eni-0{i}{k}{e}");
                let attached = !t.chance(3);
                let state = if t.chance(5) { "stopped" } else { "running" };
                s.instance_full(InstanceSpec {
                    instance: format!("i-0{i}{k}{e}"),
                    eni: eni.clone(),
                    subnet: subnet.clone(),
                    vpc: vpc_ids[i].clone(),
                    ips: ips.clone(),
                    sgs: groups,
                    state: state.into(),
                    attached,
                    source_dest_check: !t.chance(25),
                });
                if ips[0].1.is_none() && t.chance(10) {
                    let p = format!("52.{i}.{k}.{}", 10 + e);
                    publics.push(p.parse().unwrap());
                    s.eip(&p, &eni, &ip);
                    // As AWS prints it: describe-network-interfaces and
                    // describe-instances show the association too, so a
                    // snapshot without addresses.json still has it.
                    associate_public_ip(&mut s, &eni, &p);
                }
                let mut ips6 = Vec::new();
                if dual && t.chance(75) {
                    let a = format!("2600:1f18:{i}00:{k}::{}", 10 + e);
                    s.ipv6_address(&eni, &a);
                    ips6.push(a.parse().unwrap());
                }
                enis.push(EniInfo {
                    id: eni,
                    vpc: i,
                    ips: ips.iter().map(|(p, _)| p.parse().unwrap()).collect(),
                    ips6,
                    instance: true,
                    endpoint: false,
                });
            }
        }
    }
    // NAT gateways and IGWs.
    let mut nats: Vec<Option<String>> = Vec::new();
    let mut igws: Vec<Option<String>> = Vec::new();
    for i in 0..nvpc {
        if t.chance(45) {
            let k = t.pick(subnet_ids[i].len());
            let id = format!("nat-0{i}");
            let ip = format!("10.{i}.{k}.200");
            let public = if t.chance(80) {
                Some(format!("3.{i}.0.1"))
            } else {
                None
            };
            if let Some(p) = &public {
                publics.push(p.parse().unwrap());
            }
            let state = if t.chance(10) { "failed" } else { "available" };
            let eni = if t.chance(80) {
                Some(format!("eni-0nat{i}"))
            } else {
                None
            };
            s.nat(
                &id,
                &vpc_ids[i],
                &subnet_ids[i][k],
                &ip,
                public.as_deref(),
                state,
                eni.as_deref(),
            );
            if let Some(e) = eni {
                enis.push(EniInfo {
                    id: e,
                    vpc: i,
                    ips: vec![ip.parse().unwrap()],
                    ips6: Vec::new(),
                    instance: false,
                    endpoint: false,
                });
            }
            nats.push(Some(id));
        } else {
            nats.push(None);
        }
        match t.pick(10) {
            0 | 1 => igws.push(None),
            2 => {
                s.igw(&format!("igw-0{i}"), None);
                igws.push(Some(format!("igw-0{i}")));
            }
            _ => {
                s.igw(&format!("igw-0{i}"), Some(&vpc_ids[i]));
                igws.push(Some(format!("igw-0{i}")));
            }
        }
        if dual && t.chance(50) {
            s.eigw(&format!("eigw-0{i}"), &vpc_ids[i]);
            if t.chance(10) {
                s.eigws.last_mut().unwrap()["Attachments"] = serde_json::json!([]);
            }
        }
    }
    let edges = edges(
        t,
        &mut s,
        &vpc_ids,
        &vpc_cidrs,
        &subnet_ids,
        &subnet_cidrs,
        &sg_ids,
        &mut enis,
    );
    if edges.gateway_endpoints.iter().any(Option::is_some) && t.chance(50) {
        pls.push("pl-s3");
    }
    let all_ips6: Vec<std::net::Ipv6Addr> = enis.iter().flat_map(|e| e.ips6.clone()).collect();
    // Security group rules.
    let all_ips: Vec<Ipv4Addr> = enis.iter().flat_map(|e| e.ips.clone()).collect();
    for i in 0..nvpc {
        for sg in &sg_ids[i] {
            let rule = |t: &mut Tape| -> Value {
                let proto = t.choose(&["-1", "tcp", "tcp", "udp", "icmp", "47"]);
                let ports = match proto {
                    "tcp" | "udp" => Some(ports(t)),
                    "icmp" => Some(icmp_type_code(t)),
                    _ => None,
                };
                match t.pick(10) {
                    0..=5 if dual && t.chance(35) => {
                        let cidr = match t.pick(4) {
                            0 => "::/0".to_string(),
                            1 => vpc_cidrs6[i].clone(),
                            2 if !all_ips6.is_empty() => format!("{}/128", t.choose(&all_ips6)),
                            _ => t.choose(&vpc_cidrs6),
                        };
                        sg_cidr(proto, ports, &cidr)
                    }
                    0..=5 => {
                        let cidr = match t.pick(7) {
                            0 => "0.0.0.0/0".to_string(),
                            1 => vpc_cidrs[i].clone(),
                            2 => t.choose(&vpc_cidrs),
                            3 => {
                                let v = t.pick(nvpc);
                                t.choose(&subnet_cidrs[v])
                            }
                            4 => format!("{}/32", t.choose(&all_ips)),
                            5 => "8.8.8.8/32".into(),
                            _ => "10.0.0.0/8".into(),
                        };
                        sg_cidr(proto, ports, &cidr)
                    }
                    6..=8 => {
                        let other = t.pick(nvpc);
                        let g = t.choose(&sg_ids[other]);
                        match (&pcx, other != i) {
                            (Some(p), true) => sg_ref(proto, ports, &g, Some((&vpc_ids[other], p))),
                            _ => sg_ref(proto, ports, &g, None),
                        }
                    }
                    _ => sg_pl(proto, ports, t.choose(&pls)),
                }
            };
            let mut ingress: Vec<Value> = (0..t.pick(3)).map(|_| rule(t)).collect();
            if dual && t.chance(50) {
                ingress.push(sg_cidr("-1", None, t.choose(&["::/0", "2600:1f18::/32"])));
            }
            // Broad allows keep most packets going so that deeper hops
            // (routes, gateways, return NACLs) get exercised.
            match t.pick(10) {
                0 if !ingress.is_empty() => {}
                0..=5 => ingress.push(sg_cidr("-1", None, "10.0.0.0/8")),
                6 | 7 => ingress.push(sg_cidr("tcp", Some((0, 65535)), "0.0.0.0/0")),
                8 => ingress.push(sg_ref("-1", None, sg, None)),
                _ => {}
            }
            let egress: Vec<Value> = if !t.chance(25) {
                vec![]
            } else {
                (0..t.pick(4)).map(|_| rule(t)).collect()
            };
            let mut egress = if egress.is_empty() && !t.chance(8) {
                sg_allow_all_out()
            } else {
                egress
            };
            if dual && t.chance(70) {
                egress.push(sg_cidr("-1", None, "::/0"));
            }
            s.sg(sg, &vpc_ids[i], ingress, egress);
        }
    }
    // Route tables.
    let instance_enis: Vec<Vec<String>> = (0..nvpc)
        .map(|i| {
            enis.iter()
                .filter(|e| e.vpc == i && e.instance)
                .map(|e| e.id.clone())
                .collect()
        })
        .collect();
    let mut vpce_tables: Vec<Vec<String>> = vec![Vec::new(); nvpc];
    for i in 0..nvpc {
        let ntables = 1 + t.pick(3);
        let mut assoc: Vec<Vec<String>> = vec![Vec::new(); ntables];
        for sub in &subnet_ids[i] {
            let tbl = t.pick(ntables);
            if tbl > 0 {
                assoc[tbl].push(sub.clone());
            }
        }
        let other = 1 - i.min(1);
        for (tbl, subs) in assoc.iter().enumerate() {
            let mut routes: Vec<Value> = Vec::new();
            let mut dests: BTreeSet<String> = BTreeSet::new();
            let blackhole = |t: &mut Tape| if t.chance(8) { "blackhole" } else { "active" };
            // The usual default route.
            let default_target = match (t.pick(5), &igws[i], &nats[i]) {
                (0, Some(g), _) | (1, Some(g), _) => Some(("GatewayId", g.clone())),
                (2, _, Some(n)) => Some(("NatGatewayId", n.clone())),
                // Centralised egress: the default route to the TGW (C7).
                (4, _, _) if edges.tgw => Some(("TransitGatewayId", edges.tgw_of_vpc[i].clone())),
                // Egress through the firewall (NF.1).
                (3, _, _) => edges.firewall_endpoints[i]
                    .clone()
                    .map(|e| ("GatewayId", e)),
                _ => None,
            };
            if let Some((field, id)) = default_target {
                routes.push(route("0.0.0.0/0", (field, &id), blackhole(t)));
                dests.insert("0.0.0.0/0".into());
            }
            if dual {
                routes.push(route(&vpc_cidrs6[i], ("GatewayId", "local"), "active"));
                let eigw = format!("eigw-0{i}");
                let has_eigw = s
                    .eigws
                    .iter()
                    .any(|g| g["EgressOnlyInternetGatewayId"] == eigw.as_str());
                let target = match (t.pick(4), &igws[i]) {
                    (0, Some(g)) => Some(("GatewayId", g.clone())),
                    (1 | 2, _) if has_eigw => Some(("EgressOnlyInternetGatewayId", eigw)),
                    (1, Some(g)) => Some(("GatewayId", g.clone())),
                    _ => None,
                };
                if let Some((field, id)) = target {
                    let dest = t.choose(&["::/0", "::/0", "2606:4700::/32"]);
                    routes.push(route(dest, (field, &id), blackhole(t)));
                }
            }
            if pcx.is_some() && t.chance(if edges.tgw { 30 } else { 80 }) {
                let dest = if t.chance(70) {
                    vpc_cidrs[other].clone()
                } else {
                    t.choose(&subnet_cidrs[other])
                };
                routes.push(route(
                    &dest,
                    ("VpcPeeringConnectionId", "pcx-01"),
                    blackhole(t),
                ));
                dests.insert(dest);
            }
            // Hub and spoke: the other VPC (or all private space) via the TGW.
            if edges.tgw && t.chance(70) {
                let dest = t.choose(&[vpc_cidrs[other.min(nvpc - 1)].clone(), "10.0.0.0/8".into()]);
                if dests.insert(dest.clone()) {
                    routes.push(route(
                        &dest,
                        ("TransitGatewayId", &edges.tgw_of_vpc[i]),
                        "active",
                    ));
                }
            }
            // East-west inspection: another subnet through the firewall
            // (a route more specific than the local route, C3.4, NF.1).
            if let (Some(vpce), true) = (&edges.firewall_endpoints[i], t.chance(50)) {
                let dest = t.choose(&subnet_cidrs[i]);
                if dests.insert(dest.clone()) {
                    routes.push(route(&dest, ("GatewayId", vpce), "active"));
                }
            }
            for _ in 0..t.pick(3) {
                let dest = match t.pick(10) {
                    0 => "0.0.0.0/0".to_string(),
                    1 => vpc_cidrs[other.min(nvpc - 1)].clone(),
                    2 => "8.8.8.0/24".into(),
                    3 => "pl-01".into(),
                    4 => t.choose(&subnet_cidrs[i]),
                    5 => "172.16.0.0/12".into(),
                    6 => "192.168.0.0/16".into(),
                    7 => "52.216.0.0/15".into(),
                    8 => "10.0.0.0/8".into(),
                    _ => "100.64.0.0/10".into(),
                };
                if dests.contains(&dest) {
                    continue;
                }
                let own_subnet = subnet_cidrs[i].contains(&dest);
                let mut target = match t.pick(8) {
                    // Inspection: a route through the VPC's firewall.
                    3 | 4 if edges.firewall_endpoints[i].is_some() && t.chance(60) => edges
                        .firewall_endpoints[i]
                        .clone()
                        .map(|g| ("GatewayId", g)),
                    5 | 6 if edges.tgw => Some(("TransitGatewayId", edges.tgw_of_vpc[i].clone())),
                    5 | 6 => None,
                    7 => edges.vgws[i].clone().map(|g| ("GatewayId", g)),
                    4 if edges.gwlb_endpoints[i].is_some() && t.chance(60) => {
                        edges.gwlb_endpoints[i].clone().map(|g| ("GatewayId", g))
                    }
                    0 => igws[i].clone().map(|g| ("GatewayId", g)),
                    1 => nats[i].clone().map(|n| ("NatGatewayId", n)),
                    2 if pcx.is_some() || t.chance(10) => {
                        Some(("VpcPeeringConnectionId", "pcx-01".to_string()))
                    }
                    2 => None,
                    3 => Some(("NetworkInterfaceId", t.choose(&instance_enis[i]))),
                    _ => igws[other.min(nvpc - 1)].clone().map(|g| ("GatewayId", g)),
                };
                // East-west inspection: a route more specific than the
                // local route may lead to a firewall endpoint (NF.1, C3.4).
                let firewall = edges.firewall_endpoints[i].as_deref();
                if own_subnet
                    && !matches!(
                        target,
                        Some(("NatGatewayId", _)) | Some(("NetworkInterfaceId", _))
                    )
                    && !matches!(target, Some((_, ref g)) if Some(g.as_str()) == firewall)
                {
                    target = Some(("NetworkInterfaceId", t.choose(&instance_enis[i])));
                }
                if let Some((field, id)) = target {
                    routes.push(route(&dest, (field, &id), blackhole(t)));
                    dests.insert(dest);
                }
            }
            // The gateway endpoint's prefix-list route (C3.9, C8.1).
            if let Some(vpce) = &edges.gateway_endpoints[i] {
                if t.chance(60) {
                    routes.push(route("pl-s3", ("GatewayId", vpce), "active"));
                    vpce_tables[i].push(format!("rtb-0{i}{tbl}"));
                }
            }
            // Routes propagated from the VGW: the same prefix as a static
            // route loses (C3.6a, C3.6c).
            if let Some(vgw) = &edges.vgws[i] {
                if t.chance(50) {
                    let dest = t.choose(&[
                        "192.168.0.0/16",
                        "172.16.0.0/12",
                        "10.0.0.0/8",
                        "0.0.0.0/0",
                        "52.216.0.0/15",
                    ]);
                    let mut r = route(dest, ("GatewayId", vgw), "active");
                    r["Origin"] = "EnableVgwRoutePropagation".into();
                    routes.push(r);
                }
            }
            let subs: Vec<&str> = subs.iter().map(String::as_str).collect();
            s.route_table(
                &format!("rtb-0{i}{tbl}"),
                &vpc_ids[i],
                &vpc_cidrs[i],
                tbl == 0,
                &subs,
                routes,
            );
        }
    }
    // The firewall subnet's route table: on to the internet, the NAT
    // gateway or the TGW; now and then none (the main table).
    for i in 0..nvpc {
        let Some(sub) = &edges.firewall_subnets[i] else {
            continue;
        };
        if t.chance(15) {
            continue;
        }
        let mut routes = Vec::new();
        let target = match (t.pick(3), &igws[i], &nats[i]) {
            (0 | 1, Some(g), _) => Some(("GatewayId", g.clone())),
            (_, _, Some(n)) => Some(("NatGatewayId", n.clone())),
            _ => None,
        };
        if let Some((field, id)) = target {
            routes.push(route("0.0.0.0/0", (field, &id), "active"));
        }
        if edges.tgw && t.chance(50) {
            routes.push(route(
                "10.0.0.0/8",
                ("TransitGatewayId", "tgw-01"),
                "active",
            ));
        }
        s.route_table(
            &format!("rtb-0{i}fw"),
            &vpc_ids[i],
            &vpc_cidrs[i],
            false,
            &[sub],
            routes,
        );
    }
    // Ingress routing (C3.2, NF.1): the IGW's edge route table sends a
    // subnet's traffic to the firewall endpoint.
    for i in 0..nvpc {
        let attached = |g: &str| {
            s.igws.iter().any(|x| {
                x["InternetGatewayId"] == g
                    && x["Attachments"].as_array().is_some_and(|a| !a.is_empty())
            })
        };
        if let (Some(vpce), Some(igw), true) =
            (&edges.firewall_endpoints[i], &igws[i], t.chance(60))
        {
            if !attached(igw) {
                continue;
            }
            let id = format!("rtb-0{i}edge");
            let dest = t.choose(&subnet_cidrs[i]);
            s.route_table(
                &id,
                &vpc_ids[i],
                &vpc_cidrs[i],
                false,
                &[],
                vec![route(&dest, ("GatewayId", vpce), "active")],
            );
            s.route_tables.last_mut().unwrap()["Associations"] = serde_json::json!([{
                "Main": false, "RouteTableAssociationId": format!("rtbassoc-{id}"), "RouteTableId": id,
                "GatewayId": igw, "AssociationState": {"State": "associated"}}]);
        }
    }
    for (i, vpce) in edges.gateway_endpoints.iter().enumerate() {
        if let Some(vpce) = vpce {
            let state = if t.chance(10) { "pending" } else { "available" };
            s.item(
                "vpc-endpoints.json",
                "VpcEndpoints",
                serde_json::json!({
                    "VpcEndpointId": vpce, "VpcEndpointType": "Gateway", "VpcId": vpc_ids[i],
                    "ServiceName": "com.amazonaws.us-east-1.s3", "State": state,
                    "RouteTableIds": vpce_tables[i], "SubnetIds": [], "Groups": [],
                    "IpAddressType": "ipv4", "PrivateDnsEnabled": false, "RequesterManaged": false,
                    "NetworkInterfaceIds": [], "DnsEntries": [], "OwnerId": OWNER
                }),
            );
        }
    }
    // Network ACLs.
    let mut marks: BTreeSet<u16> = BTreeSet::new();
    for i in 0..nvpc {
        let nacls = 1 + t.pick(3);
        let mut assoc: Vec<Vec<String>> = vec![Vec::new(); nacls];
        for sub in &subnet_ids[i] {
            let a = t.pick(nacls);
            // The default ACL lists its subnets explicitly in real output;
            // sometimes leave them implicit to exercise the fallback.
            if a > 0 || t.chance(50) {
                assoc[a].push(sub.clone());
            }
        }
        for (a, subs) in assoc.iter().enumerate() {
            let entries = if a == 0 && t.chance(50) {
                nacl_allow_all()
            } else {
                let mut entries = Vec::new();
                for egress in [true, false] {
                    let mut used = BTreeSet::new();
                    for _ in 0..t.pick(6) {
                        let number = 10 * (1 + t.pick(20) as i64) + t.pick(2) as i64;
                        if !used.insert(number) {
                            continue;
                        }
                        let action = if t.chance(35) { "deny" } else { "allow" };
                        let proto = t.choose(&["-1", "-1", "6", "6", "17", "1", "47"]);
                        let (ports, icmp) = match proto {
                            "6" | "17" => {
                                let p = ports(t);
                                (Some(p), None)
                            }
                            "1" => (None, Some(icmp_type_code(t))),
                            _ => (None, None),
                        };
                        if let Some((a, b)) = ports {
                            for m in [a, b, a - 1, b + 1] {
                                if (0..=65535).contains(&m) {
                                    marks.insert(m as u16);
                                }
                            }
                        }
                        let cidr = match t.pick(8) {
                            0..=2 => "0.0.0.0/0".to_string(),
                            3 => vpc_cidrs[i].clone(),
                            4 => t.choose(&vpc_cidrs),
                            5 => {
                                let v = t.pick(nvpc);
                                t.choose(&subnet_cidrs[v])
                            }
                            6 => format!("{}/32", t.choose(&all_ips)),
                            _ => "8.8.8.0/24".into(),
                        };
                        entries.push(nacl(number, egress, proto, action, &cidr, ports, icmp));
                    }
                    if !t.chance(25) {
                        let cidr = t.choose(&["0.0.0.0/0", "0.0.0.0/0", "10.0.0.0/8"]);
                        entries.push(nacl(
                            300 + t.pick(2) as i64,
                            egress,
                            "-1",
                            "allow",
                            cidr,
                            None,
                            None,
                        ));
                    }
                    if dual {
                        for _ in 0..t.pick(3) {
                            let number = 10 * (1 + t.pick(20) as i64) + 5;
                            if !used.insert(number) {
                                continue;
                            }
                            let action = if t.chance(35) { "deny" } else { "allow" };
                            let proto = t.choose(&["-1", "6", "17"]);
                            let ports = (proto != "-1").then(|| ports(t));
                            let cidr = match t.pick(3) {
                                0 => "::/0".to_string(),
                                1 => vpc_cidrs6[i].clone(),
                                _ => {
                                    let v = t.pick(nvpc);
                                    t.choose(&subnet_cidrs6[v])
                                }
                            };
                            entries.push(nacl(number, egress, proto, action, &cidr, ports, None));
                        }
                        if !t.chance(20) {
                            entries.push(nacl(302, egress, "-1", "allow", "::/0", None, None));
                        }
                    }
                    if t.chance(10) {
                        // An IPv6 entry: never matches IPv4 (C2.6).
                        entries.push(serde_json::json!({
                            "Egress": egress, "Ipv6CidrBlock": "::/0", "Protocol": "-1",
                            "RuleAction": "allow", "RuleNumber": 5
                        }));
                    }
                }
                entries
            };
            let subs: Vec<&str> = subs.iter().map(String::as_str).collect();
            s.acl(&format!("acl-0{i}{a}"), &vpc_ids[i], a == 0, &subs, entries);
        }
    }
    for m in PORT_MARKS {
        marks.insert(m as u16);
    }
    block_public_access(t, &mut s, &vpc_ids, &subnet_ids);
    World {
        snap: s,
        vpc_cidrs,
        subnet_cidrs,
        enis,
        publics,
        port_marks: marks.into_iter().collect(),
        subnet_cidrs6,
    }
}

/// What [`edges`] added, for the route tables to point at.
struct Edges {
    /// Transit gateway `tgw-01` exists (with some VPC attachments).
    tgw: bool,
    /// Per VPC: the transit gateway its route tables name, `tgw-01`, or
    /// `tgw-02` when it hangs off the far end of a peering (C7.8).
    tgw_of_vpc: Vec<String>,
    /// Per VPC: its virtual private gateway.
    vgws: Vec<Option<String>>,
    /// Per VPC: its S3 gateway endpoint (routes to `pl-s3`).
    gateway_endpoints: Vec<Option<String>>,
    /// Per VPC: a Gateway Load Balancer endpoint, a route target (C8.3).
    gwlb_endpoints: Vec<Option<String>>,
    /// Per VPC: a Network Firewall endpoint, a route target (NF.1).
    firewall_endpoints: Vec<Option<String>>,
    /// Per VPC: the firewall's own subnet (not among the workload subnets).
    firewall_subnets: Vec<Option<String>>,
}

/// Transit gateway (C7), VPN gateways (C3.6, C11) and VPC endpoints (C8).
/// A zero tape adds none of them.
#[allow(clippy::too_many_arguments)]
fn edges(
    t: &mut Tape,
    s: &mut Snap,
    vpc_ids: &[String],
    vpc_cidrs: &[String],
    subnet_ids: &[Vec<String>],
    subnet_cidrs: &[Vec<String>],
    sg_ids: &[Vec<String>],
    enis: &mut Vec<EniInfo>,
) -> Edges {
    use serde_json::json;
    let nvpc = vpc_ids.len();
    let az_of = |s: &Snap, subnet: &str| -> String {
        s.subnets
            .iter()
            .find(|v| v["SubnetId"] == subnet)
            .map(|v| v["AvailabilityZone"].as_str().unwrap().to_string())
            .unwrap()
    };
    let tgw = t.chance(50);
    let mut tgw_of_vpc = vec!["tgw-01".to_string(); nvpc];
    if tgw {
        s.item(
            "transit-gateways.json",
            "TransitGateways",
            json!({"TransitGatewayId": "tgw-01", "State": "available", "OwnerId": OWNER,
                   "Options": {"AmazonSideAsn": 64512, "DefaultRouteTableAssociation": "disable",
                               "DefaultRouteTablePropagation": "disable",
                               "SecurityGroupReferencingSupport": "enable"}}),
        );
        let tables: Vec<String> = (0..1 + t.pick(2))
            .map(|k| format!("tgw-rtb-0{k}"))
            .collect();
        for tb in &tables {
            s.item(
                "transit-gateway-route-tables.json",
                "TransitGatewayRouteTables",
                json!({"TransitGatewayRouteTableId": tb, "TransitGatewayId": "tgw-01",
                       "State": "available", "DefaultAssociationRouteTable": false,
                       "DefaultPropagationRouteTable": false}),
            );
        }
        let mut atts: Vec<(String, usize)> = Vec::new();
        // Sometimes the last VPC hangs off a second TGW, peered with tgw-01.
        let peered_vpc = (nvpc >= 2 && t.chance(40)).then_some(nvpc - 1);
        for i in 0..nvpc {
            if Some(i) == peered_vpc || !t.chance(85) {
                continue;
            }
            let id = format!("tgw-attach-0{i}");
            // One subnet per enabled AZ (C7.5); sometimes an AZ is left out.
            let mut subnets: Vec<String> = Vec::new();
            for az in ["us-east-1a", "us-east-1b"] {
                let in_az: Vec<String> = subnet_ids[i]
                    .iter()
                    .filter(|sn| az_of(s, sn) == az)
                    .cloned()
                    .collect();
                if !in_az.is_empty() && !t.chance(15) {
                    subnets.push(t.choose(&in_az));
                }
            }
            if subnets.is_empty() {
                subnets.push(subnet_ids[i][0].clone());
            }
            let state = if t.chance(8) {
                t.choose(&["pending", "deleting"])
            } else {
                "available"
            };
            let sg_ref = if t.chance(50) { "enable" } else { "disable" };
            let appliance = if t.chance(30) { "enable" } else { "disable" };
            let mut att = json!({"TransitGatewayAttachmentId": id, "TransitGatewayId": "tgw-01",
                "TransitGatewayOwnerId": OWNER, "ResourceOwnerId": OWNER, "ResourceType": "vpc",
                "ResourceId": vpc_ids[i], "State": state});
            if t.chance(90) {
                att["Association"] =
                    json!({"TransitGatewayRouteTableId": t.choose(&tables), "State": "associated"});
            }
            s.item(
                "transit-gateway-attachments.json",
                "TransitGatewayAttachments",
                att,
            );
            s.item(
                "transit-gateway-vpc-attachments.json",
                "TransitGatewayVpcAttachments",
                json!({"TransitGatewayAttachmentId": id, "TransitGatewayId": "tgw-01",
                       "VpcId": vpc_ids[i], "VpcOwnerId": OWNER, "State": state,
                       "SubnetIds": subnets,
                       "Options": {"DnsSupport": "enable", "SecurityGroupReferencingSupport": sg_ref,
                                   "Ipv6Support": "disable", "ApplianceModeSupport": appliance}}),
            );
            atts.push((id, i));
        }
        let peer_route = peered_vpc.map(|j| {
            tgw_of_vpc[j] = "tgw-02".into();
            tgw_peering(t, s, j, &tables, vpc_ids, vpc_cidrs, subnet_ids, &atts)
        });
        let via = |att: &str, i: usize| json!([{"ResourceId": vpc_ids[i], "TransitGatewayAttachmentId": att, "ResourceType": "vpc"}]);
        for tb in &tables {
            if t.chance(5) {
                continue; // routes unknown (TGW_RTB_ROUTES_ARE_UNKNOWN)
            }
            let mut routes: Vec<Value> = Vec::new();
            let mut statics: BTreeSet<String> = BTreeSet::new();
            if let (Some((dest, route)), true) = (&peer_route, t.chance(75)) {
                statics.insert(dest.clone());
                routes.push(route.clone());
            }
            for (att, i) in &atts {
                if t.chance(70) {
                    routes.push(json!({"DestinationCidrBlock": vpc_cidrs[*i],
                        "TransitGatewayAttachments": via(att, *i), "Type": "propagated",
                        "State": "active"}));
                }
            }
            for _ in 0..t.pick(4) {
                let dest = match t.pick(6) {
                    0 => "0.0.0.0/0".to_string(),
                    1 => t.choose(vpc_cidrs),
                    2 => {
                        let v = t.pick(nvpc);
                        t.choose(&subnet_cidrs[v])
                    }
                    3 => "8.8.8.0/24".into(),
                    4 => "192.168.0.0/16".into(),
                    _ => "52.216.0.0/15".into(),
                };
                if !statics.insert(dest.clone()) {
                    continue;
                }
                if !atts.is_empty() && !t.chance(15) {
                    let (att, i) = t.choose(&atts);
                    routes.push(json!({"DestinationCidrBlock": dest,
                        "TransitGatewayAttachments": via(&att, i), "Type": "static",
                        "State": "active"}));
                } else {
                    routes.push(json!({"DestinationCidrBlock": dest, "Type": "static",
                        "State": "blackhole"}));
                }
            }
            s.item(
                "transit-gateway-route-table-routes.json",
                "TransitGatewayRouteTableRoutes",
                json!({"TransitGatewayRouteTableId": tb, "Routes": routes,
                       "AdditionalRoutesAvailable": false}),
            );
        }
    }
    let mut vgws = Vec::new();
    let mut gateway_endpoints = Vec::new();
    let mut gwlb_endpoints = Vec::new();
    let mut any_gateway_endpoint = false;
    for i in 0..nvpc {
        if t.chance(35) {
            let id = format!("vgw-0{i}");
            let state = if t.chance(85) {
                "attached"
            } else {
                t.choose(&["detached", "attaching"])
            };
            // describe-vpn-connections prints its key even with no connection.
            let described = (
                "vpn-connections.json".to_string(),
                "VpnConnections".to_string(),
            );
            if !s.described.contains(&described) {
                s.described.push(described);
            }
            s.item(
                "vpn-gateways.json",
                "VpnGateways",
                json!({"AmazonSideAsn": 64512, "VpnGatewayId": id, "State": "available",
                       "Type": "ipsec.1", "VpcAttachments": [{"VpcId": vpc_ids[i], "State": state}]}),
            );
            if t.chance(85) {
                let state = if t.chance(85) {
                    "available"
                } else {
                    t.choose(&["pending", "deleted"])
                };
                // C3.10: static or BGP routing, tunnels up or down.
                let static_only = t.chance(60);
                let tunnel = |up: bool| if up { "UP" } else { "DOWN" };
                let telemetry: Vec<Value> = [t.chance(80), t.chance(50)]
                    .iter()
                    .enumerate()
                    .map(|(k, up)| {
                        json!({"OutsideIpAddress": format!("3.0.{i}.{k}"),
                                          "Status": tunnel(*up), "AcceptedRouteCount": 0})
                    })
                    .collect();
                s.item(
                    "vpn-connections.json",
                    "VpnConnections",
                    json!({"VpnConnectionId": format!("vpn-0{i}"), "VpnGatewayId": id,
                           "CustomerGatewayId": format!("cgw-0{i}"), "Category": "VPN",
                           "State": state, "Type": "ipsec.1",
                           "Options": {"StaticRoutesOnly": static_only},
                           "VgwTelemetry": telemetry,
                           "Routes": [{"DestinationCidrBlock": "192.168.0.0/16",
                                       "Source": "Static", "State": "available"}]}),
                );
            }
            vgws.push(Some(id));
        } else {
            vgws.push(None);
        }
        if t.chance(35) {
            gateway_endpoints.push(Some(format!("vpce-0{i}0")));
            any_gateway_endpoint = true;
        } else {
            gateway_endpoints.push(None);
        }
        if t.chance(20) {
            // A GWLB endpoint: traffic comes back from inspection and
            // follows its subnet's route table (C8.3).
            let vpce = format!("vpce-0{i}2");
            let k = t.pick(subnet_ids[i].len());
            s.item(
                "vpc-endpoints.json",
                "VpcEndpoints",
                json!({"VpcEndpointId": vpce, "VpcEndpointType": "GatewayLoadBalancer",
                       "VpcId": vpc_ids[i], "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0abc",
                       "State": "available", "RouteTableIds": [], "SubnetIds": [subnet_ids[i][k]],
                       "Groups": [], "IpAddressType": "ipv4", "PrivateDnsEnabled": false,
                       "RequesterManaged": false, "NetworkInterfaceIds": [], "DnsEntries": [],
                       "OwnerId": OWNER}),
            );
            gwlb_endpoints.push(Some(vpce));
        } else {
            gwlb_endpoints.push(None);
        }
        if t.chance(30) {
            // An interface endpoint: a requester-managed ENI with SGs (C8.2).
            let k = t.pick(subnet_ids[i].len());
            let vpce = format!("vpce-0{i}1");
            let eni = format!("eni-0vpce{i}");
            let ip = format!("10.{i}.{k}.150");
            let groups: Vec<Value> = vec![t.choose(&sg_ids[i])]
                .into_iter()
                .map(|g| json!({"GroupId": g, "GroupName": g}))
                .collect();
            s.enis.push(json!({
                "AvailabilityZone": az_of(s, &subnet_ids[i][k]),
                "Description": format!("VPC Endpoint Interface {vpce}"),
                "Groups": groups, "InterfaceType": "vpc_endpoint", "Ipv6Addresses": [],
                "MacAddress": "0a:00:00:00:00:09", "NetworkInterfaceId": eni, "OwnerId": OWNER,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": true, "PrivateIpAddress": ip}],
                "RequesterId": "727180483921", "RequesterManaged": true, "SourceDestCheck": true,
                "Status": "in-use", "SubnetId": subnet_ids[i][k], "TagSet": [], "VpcId": vpc_ids[i]
            }));
            s.item(
                "vpc-endpoints.json",
                "VpcEndpoints",
                json!({"VpcEndpointId": vpce, "VpcEndpointType": "Interface", "VpcId": vpc_ids[i],
                       "ServiceName": "com.amazonaws.us-east-1.ssm", "State": "available",
                       "RouteTableIds": [], "SubnetIds": [subnet_ids[i][k]], "Groups": groups,
                       "IpAddressType": "ipv4", "PrivateDnsEnabled": true, "RequesterManaged": false,
                       "NetworkInterfaceIds": [eni], "DnsEntries": [], "OwnerId": OWNER}),
            );
            enis.push(EniInfo {
                id: eni,
                vpc: i,
                ips: vec![ip.parse().unwrap()],
                ips6: Vec::new(),
                instance: false,
                endpoint: true,
            });
        }
    }
    if any_gateway_endpoint {
        s.prefix_list("pl-s3", Some(&["52.216.0.0/15"]));
    }
    let firewalls: Vec<_> = (0..nvpc)
        .map(|i| firewall(t, s, i, &vpc_ids[i], &subnet_ids[i]))
        .collect();
    let firewall_subnets = firewalls
        .iter()
        .map(|f| f.as_ref().and_then(|(_, s)| s.clone()))
        .collect();
    let firewall_endpoints = firewalls.into_iter().map(|f| f.map(|(e, _)| e)).collect();
    Edges {
        tgw,
        tgw_of_vpc,
        vgws,
        gateway_endpoints,
        gwlb_endpoints,
        firewall_endpoints,
        firewall_subnets,
    }
}

/// C7.8: a second transit gateway `tgw-02` (its table `tgw-rtb-20`, VPC
/// `j` attached to it) peered with `tgw-01` by `tgw-attach-p1`, both views
/// of the attachment printed (now and then one is missing, unassociated or
/// not available). `tgw-rtb-20` reaches VPC `j` by propagation and
/// `tgw-01`'s VPCs by static routes to the peering (C7.4: nothing
/// propagates across it). Gives the static route `tgw-01`'s tables may
/// take towards VPC `j`, with its destination.
#[allow(clippy::too_many_arguments)]
fn tgw_peering(
    t: &mut Tape,
    s: &mut Snap,
    j: usize,
    tables: &[String],
    vpc_ids: &[String],
    vpc_cidrs: &[String],
    subnet_ids: &[Vec<String>],
    atts: &[(String, usize)],
) -> (String, Value) {
    use serde_json::json;
    const PEERING: &str = "tgw-attach-p1";
    s.item(
        "transit-gateways.json",
        "TransitGateways",
        json!({"TransitGatewayId": "tgw-02", "State": "available", "OwnerId": OWNER,
               "Options": {"AmazonSideAsn": 64513, "DefaultRouteTableAssociation": "disable",
                           "DefaultRouteTablePropagation": "disable",
                           "SecurityGroupReferencingSupport": "enable"}}),
    );
    s.item(
        "transit-gateway-route-tables.json",
        "TransitGatewayRouteTables",
        json!({"TransitGatewayRouteTableId": "tgw-rtb-20", "TransitGatewayId": "tgw-02",
               "State": "available", "DefaultAssociationRouteTable": false,
               "DefaultPropagationRouteTable": false}),
    );
    let vpc_att = format!("tgw-attach-2{j}");
    s.item(
        "transit-gateway-attachments.json",
        "TransitGatewayAttachments",
        json!({"TransitGatewayAttachmentId": vpc_att, "TransitGatewayId": "tgw-02",
               "TransitGatewayOwnerId": OWNER, "ResourceOwnerId": OWNER, "ResourceType": "vpc",
               "ResourceId": vpc_ids[j], "State": "available",
               "Association": {"TransitGatewayRouteTableId": "tgw-rtb-20", "State": "associated"}}),
    );
    s.item(
        "transit-gateway-vpc-attachments.json",
        "TransitGatewayVpcAttachments",
        json!({"TransitGatewayAttachmentId": vpc_att, "TransitGatewayId": "tgw-02",
               "VpcId": vpc_ids[j], "VpcOwnerId": OWNER, "State": "available",
               "SubnetIds": [subnet_ids[j][0]],
               "Options": {"DnsSupport": "enable", "SecurityGroupReferencingSupport": "enable",
                           "Ipv6Support": "disable", "ApplianceModeSupport": "disable"}}),
    );
    let state = if t.chance(10) {
        "pendingAcceptance"
    } else {
        "available"
    };
    // Each side's view: its own TGW and association (C7.8 a).
    for (tgw, table, peer) in [
        ("tgw-01", t.choose(tables), "tgw-02"),
        ("tgw-02", "tgw-rtb-20".to_string(), "tgw-01"),
    ] {
        if t.chance(8) {
            continue; // this side's view is not in the snapshot (C7.8 e)
        }
        let mut view = json!({"TransitGatewayAttachmentId": PEERING, "TransitGatewayId": tgw,
            "TransitGatewayOwnerId": OWNER, "ResourceOwnerId": OWNER, "ResourceType": "peering",
            "ResourceId": peer, "State": state});
        if !t.chance(8) {
            view["Association"] =
                json!({"TransitGatewayRouteTableId": table, "State": "associated"});
        }
        s.item(
            "transit-gateway-attachments.json",
            "TransitGatewayAttachments",
            view,
        );
    }
    s.item(
        "transit-gateway-peering-attachments.json",
        "TransitGatewayPeeringAttachments",
        json!({"TransitGatewayAttachmentId": PEERING, "State": state,
               "RequesterTgwInfo": {"TransitGatewayId": "tgw-01", "OwnerId": OWNER, "Region": "us-east-1"},
               "AccepterTgwInfo": {"TransitGatewayId": "tgw-02", "OwnerId": OWNER, "Region": "us-east-1"}}),
    );
    let to_peering = json!([{"ResourceId": "tgw-02", "TransitGatewayAttachmentId": PEERING, "ResourceType": "peering"}]);
    let mut routes = vec![json!({"DestinationCidrBlock": vpc_cidrs[j],
        "TransitGatewayAttachments": [{"ResourceId": vpc_ids[j], "TransitGatewayAttachmentId": vpc_att, "ResourceType": "vpc"}],
        "Type": "propagated", "State": "active"})];
    let back = json!([{"ResourceId": "tgw-01", "TransitGatewayAttachmentId": PEERING, "ResourceType": "peering"}]);
    for (_, i) in atts {
        if t.chance(70) {
            routes.push(json!({"DestinationCidrBlock": vpc_cidrs[*i],
                "TransitGatewayAttachments": back.clone(), "Type": "static", "State": "active"}));
        }
    }
    s.item(
        "transit-gateway-route-table-routes.json",
        "TransitGatewayRouteTableRoutes",
        json!({"TransitGatewayRouteTableId": "tgw-rtb-20", "Routes": routes,
               "AdditionalRoutesAvailable": false}),
    );
    let dest = vpc_cidrs[j].clone();
    let route = json!({"DestinationCidrBlock": dest, "TransitGatewayAttachments": to_peering,
        "Type": "static", "State": "active"});
    (dest, route)
}

/// Sometimes a Network Firewall in VPC `i` (NF.1–NF.8): one endpoint in
/// one of its subnets, a policy in default action order or strict order
/// (with or without `aws:drop_strict`), a stateless default action, maybe
/// a stateless rule, and 5-tuple rules over the addresses and ports the
/// probes use. Its endpoint id, for routes.
fn firewall(
    t: &mut Tape,
    s: &mut Snap,
    i: usize,
    vpc: &str,
    subnets: &[String],
) -> Option<(String, Option<String>)> {
    use serde_json::{json, Value};
    if !t.chance(50) || subnets.is_empty() {
        return None;
    }
    let arn = |kind: &str, name: String| {
        format!("arn:aws:network-firewall:us-east-1:{OWNER}:{kind}/{name}")
    };
    let (fw, policy) = (
        arn("firewall", format!("fw{i}")),
        arn("firewall-policy", format!("p{i}")),
    );
    let (stateless, stateful) = (
        arn("stateless-rulegroup", format!("sl{i}")),
        arn("stateful-rulegroup", format!("sf{i}")),
    );
    let endpoint = format!("vpce-0{i}3");
    // Usually a firewall subnet of its own (its route table then leads on
    // to the IGW, NAT or TGW), else a workload subnet.
    let dedicated = t.chance(75).then(|| format!("subnet-0{i}fw"));
    let subnet = match &dedicated {
        Some(id) => {
            s.subnet(id, vpc, &format!("10.{i}.99.0/24"));
            id.clone()
        }
        None => t.choose(subnets),
    };
    let status = if t.chance(90) { "READY" } else { "CREATING" };
    s.item(
        "firewalls.json",
        "Firewalls",
        json!({"Firewall": {"FirewallName": format!("fw{i}"), "FirewallArn": fw,
                            "FirewallPolicyArn": policy, "VpcId": vpc,
                            "SubnetMappings": [{"SubnetId": subnet}]},
               "FirewallStatus": {"Status": "READY", "SyncStates": {"us-east-1a":
                   {"Attachment": {"SubnetId": subnet, "EndpointId": endpoint, "Status": status}}}}}),
    );
    let strict = t.chance(50);
    let addr = |t: &mut Tape| {
        t.choose(&[
            "ANY",
            "$HOME_NET",
            "10.0.0.0/8",
            "10.1.0.0/16",
            "8.8.8.0/24",
            "0.0.0.0/0",
        ])
        .to_string()
    };
    let port = |t: &mut Tape| {
        t.choose(&["ANY", "ANY", "22", "80", "443", "53"])
            .to_string()
    };
    let rule = |t: &mut Tape, k: usize| {
        json!({"Action": t.choose(&["PASS", "DROP", "REJECT", "ALERT"]),
               "Header": {"Protocol": t.choose(&["IP", "TCP", "UDP", "ICMP"]),
                          "Source": addr(t), "SourcePort": port(t),
                          "Direction": t.choose(&["FORWARD", "ANY"]),
                          "Destination": addr(t), "DestinationPort": port(t)},
               "RuleOptions": [{"Keyword": "sid", "Settings": [k.to_string()]}]})
    };
    let rules: Vec<Value> = (0..t.pick(4)).map(|k| rule(t, k)).collect();
    let order = if strict {
        "STRICT_ORDER"
    } else {
        "DEFAULT_ACTION_ORDER"
    };
    let mut groups = Vec::new();
    let mut stateful_refs = Vec::new();
    // One or two stateful groups; in strict order their priorities decide
    // which is evaluated first, whatever the order they are listed in.
    for g in 0..1 + t.pick(2) {
        let arn = format!("{stateful}-{g}");
        let rules: Vec<Value> = if g == 0 {
            rules.clone()
        } else {
            (0..1 + t.pick(3)).map(|k| rule(t, 10 + k)).collect()
        };
        groups.push(json!({
            "RuleGroupResponse": {"RuleGroupArn": arn, "RuleGroupName": format!("sf{i}-{g}"), "Type": "STATEFUL"},
            "RuleGroup": {"RulesSource": {"StatefulRules": rules}, "StatefulRuleOptions": {"RuleOrder": order}}}));
        let mut r = json!({"ResourceArn": arn});
        if strict {
            r["Priority"] = json!(t.choose(&[1, 5, 10]) + g as i64);
        }
        if t.chance(10) {
            r["Override"] = json!({"Action": "DROP_TO_ALERT"});
        }
        stateful_refs.push(r);
    }
    let mut stateless_refs = Vec::new();
    if t.chance(40) {
        let mut m = json!({"Protocols": [t.choose(&[6u8, 17, 1])]});
        if t.chance(50) {
            m["DestinationPorts"] = json!([{"FromPort": 22, "ToPort": 443}]);
        }
        if t.chance(50) {
            m["Sources"] = json!([{"AddressDefinition": "10.0.0.0/8"}]);
        }
        groups.push(json!({
            "RuleGroupResponse": {"RuleGroupArn": stateless, "RuleGroupName": format!("sl{i}"), "Type": "STATELESS"},
            "RuleGroup": {"RulesSource": {"StatelessRulesAndCustomActions": {"StatelessRules": [
                {"Priority": 1, "RuleDefinition": {"MatchAttributes": m,
                 "Actions": [t.choose(&["aws:pass", "aws:drop", "aws:forward_to_sfe"])]}}]}}}}));
        stateless_refs.push(json!({"ResourceArn": stateless, "Priority": 1}));
    }
    for g in groups {
        s.item("rule-groups.json", "RuleGroups", g);
    }
    let default = if t.chance(80) {
        "aws:forward_to_sfe"
    } else {
        t.choose(&["aws:pass", "aws:drop"])
    };
    let mut body = json!({
        "StatelessRuleGroupReferences": stateless_refs,
        "StatelessDefaultActions": [default], "StatelessFragmentDefaultActions": [default],
        "StatefulRuleGroupReferences": stateful_refs,
        "StatefulEngineOptions": {"RuleOrder": order}});
    if strict && t.chance(60) {
        body["StatefulDefaultActions"] = json!(["aws:drop_strict"]);
    }
    if t.chance(30) {
        body["PolicyVariables"] =
            json!({"RuleVariables": {"HOME_NET": {"Definition": ["10.0.0.0/8"]}}});
    }
    s.item(
        "firewall-policies.json",
        "FirewallPolicies",
        json!({"FirewallPolicyResponse": {"FirewallPolicyName": format!("p{i}"), "FirewallPolicyArn": policy},
               "FirewallPolicy": body}),
    );
    Some((endpoint, dedicated))
}

/// The primary address of `eni` gets public address `public`, in every
/// document that prints the ENI (describe-network-interfaces, and
/// describe-instances' embedded copy).
fn associate_public_ip(s: &mut Snap, eni: &str, public: &str) {
    let association =
        serde_json::json!({"IpOwnerId": "amazon", "PublicIp": public, "PublicDnsName": ""});
    let embedded = s
        .reservations
        .iter_mut()
        .flat_map(|r| r["Instances"].as_array_mut().unwrap().iter_mut())
        .flat_map(|i| i["NetworkInterfaces"].as_array_mut().unwrap().iter_mut());
    for e in s.enis.iter_mut().chain(embedded) {
        if e["NetworkInterfaceId"] != eni {
            continue;
        }
        e["Association"] = association.clone();
        if let Some(primary) = e["PrivateIpAddresses"]
            .as_array_mut()
            .and_then(|ips| ips.iter_mut().find(|p| p["Primary"] == true))
        {
            primary["Association"] = association.clone();
        }
    }
}

// ---------------------------------------------------------------- packets

struct Probe {
    src_eni: String,
    h: Header,
    /// `--destination`: the owning ENI, or the address.
    destination: String,
}

fn pick_port(t: &mut Tape, w: &World) -> u16 {
    match t.pick(4) {
        0 => t.choose(&w.port_marks),
        1 => t.choose(&[22u16, 53, 80, 123, 443, 3306, 8080]),
        2 => t.pick(65536) as u16,
        _ => t.choose(&[
            1023u16, 1024, 1025, 5000, 32767, 32768, 40000, 49151, 49152, 61000, 61001, 65535,
        ]),
    }
}

/// An IPv6 packet from a dual-stack source ENI.
fn probe6(t: &mut Tape, w: &World, src: &EniInfo) -> Probe {
    let others: Vec<&EniInfo> = w
        .enis
        .iter()
        .filter(|e| e.id != src.id && !e.ips6.is_empty())
        .collect();
    let dst: std::net::Ipv6Addr = match t.pick(10) {
        0..=5 if !others.is_empty() => others[t.pick(others.len())].ips6[0],
        6 => {
            let cidrs = &w.subnet_cidrs6[t.pick(w.subnet_cidrs6.len())];
            let c: ipnet::Ipv6Net = t.choose(cidrs).parse().unwrap();
            (u128::from(c.network()) + 0x77).into()
        }
        _ => t
            .choose(&["2606:4700::6810:85e5", "2a00:1450::1", "2606:4700::1"])
            .parse()
            .unwrap(),
    };
    let proto = t.choose(&[PROTO_TCP, PROTO_TCP, PROTO_UDP, 47]);
    let (sport, dport) = (pick_port(t, w), pick_port(t, w));
    let owner = w
        .enis
        .iter()
        .find(|e| e.ips6.contains(&dst))
        .map(|e| e.id.clone());
    Probe {
        src_eni: src.id.clone(),
        h: Header {
            src: vpcreach::packet::addr_of(src.ips6[0]),
            dst: vpcreach::packet::addr_of(dst),
            proto,
            sport,
            dport,
        },
        destination: owner.unwrap_or_else(|| dst.to_string()),
    }
}

fn probe(t: &mut Tape, w: &World) -> Probe {
    let sources: Vec<&EniInfo> = w.enis.iter().filter(|e| e.instance).collect();
    let endpoints: Vec<&EniInfo> = w.enis.iter().filter(|e| e.endpoint).collect();
    // Now and then an interface endpoint, which cannot initiate (C8.2).
    let src = if !endpoints.is_empty() && t.chance(2) {
        endpoints[t.pick(endpoints.len())]
    } else {
        sources[t.pick(sources.len())]
    };
    if !src.ips6.is_empty() && t.chance(45) {
        return probe6(t, w, src);
    }
    let src_ip = if t.chance(25) {
        t.choose(&src.ips)
    } else {
        src.ips[0]
    };
    let others: Vec<&EniInfo> = w.enis.iter().filter(|e| e.id != src.id).collect();
    let dst: Ipv4Addr = match t.pick(20) {
        0..=11 if !others.is_empty() => {
            let e = others[t.pick(others.len())];
            t.choose(&e.ips)
        }
        12 => {
            let cidrs = &w.subnet_cidrs[t.pick(w.vpc_cidrs.len())];
            let c: ipnet::Ipv4Net = t.choose(cidrs).parse().unwrap();
            let base = u32::from(c.network());
            Ipv4Addr::from(base + 77)
        }
        // Public addresses of the snapshot: paths through the internet (INET.1).
        13 | 14 if !w.publics.is_empty() => t.choose(&w.publics),
        15 | 16 => t
            .choose(&["52.216.1.1", "52.217.200.9", "192.168.1.1", "192.168.77.5"])
            .parse()
            .unwrap(),
        // AWS services (C1.9, C2.9): the resolver of some VPC, IMDS, time sync.
        17 => {
            let c: ipnet::Ipv4Net = w.vpc_cidrs[t.pick(w.vpc_cidrs.len())].parse().unwrap();
            Ipv4Addr::from(u32::from(c.network()) + 2)
        }
        18 => t
            .choose(&["169.254.169.254", "169.254.169.123"])
            .parse()
            .unwrap(),
        _ => t
            .choose(&[
                "8.8.8.8",
                "8.8.8.200",
                "1.1.1.1",
                "93.184.216.34",
                "100.64.1.1",
                "172.16.0.9",
                "192.168.1.1",
            ])
            .parse()
            .unwrap(),
    };
    let proto = t.choose(&[
        PROTO_TCP, PROTO_TCP, PROTO_TCP, PROTO_UDP, PROTO_UDP, PROTO_ICMP, PROTO_ICMP, 47,
    ]);
    let (sport, dport) = if proto == PROTO_ICMP {
        (
            t.choose(&[8u16, 8, 0, 3, 11, 13, 15, 17]),
            t.choose(&[0u16, 0, 1]),
        )
    } else {
        (pick_port(t, w), pick_port(t, w))
    };
    let owner = w
        .enis
        .iter()
        .find(|e| e.ips.contains(&dst))
        .map(|e| e.id.clone());
    Probe {
        src_eni: src.id.clone(),
        h: Header {
            src: vpcreach::packet::addr_of(src_ip),
            dst: vpcreach::packet::addr_of(dst),
            proto,
            sport,
            dport,
        },
        destination: owner.unwrap_or_else(|| dst.to_string()),
    }
}

fn query_for(p: &Probe, dport: (u16, u16), sport: Option<(u16, u16)>) -> PathQuery {
    PathQuery {
        source: p.src_eni.clone(),
        destination: p.destination.clone(),
        protocol: ProtocolChoice::Number(p.h.proto),
        dport: Some(dport),
        sport,
        source_ip: Some(vpcreach::packet::ip_of(p.h.src)),
        destination_ip: if p.destination.starts_with("eni-") {
            Some(vpcreach::packet::ip_of(p.h.dst))
        } else {
            None
        },
    }
}

/// ICMP codes where some rule's verdict may change.
fn icmp_codes(net: &Network) -> Vec<u16> {
    let mut codes: BTreeSet<u16> = [0u16, 1, 2, 200].into_iter().collect();
    for acl in net.network_acls.values() {
        for e in &acl.entries {
            if let Some((_, c)) = e.icmp_type_code {
                if c >= 0 {
                    codes.insert(c as u16);
                }
            }
        }
    }
    for sg in net.security_groups.values() {
        for r in sg.ingress.iter().chain(&sg.egress) {
            if let Some(c) = r.to_port {
                if (0..=255).contains(&c) {
                    codes.insert(c as u16);
                }
            }
        }
    }
    codes.into_iter().collect()
}

fn report(
    w: &World,
    p: &Probe,
    what: &str,
    a: &vpcreach::analysis::PathAnalysis,
    v: &reference::Verdict,
) -> String {
    let docs = w.snap.docs();
    let dump: Vec<Value> = docs
        .iter()
        .map(|(n, t)| serde_json::json!({"file": n, "doc": serde_json::from_str::<Value>(t).unwrap()}))
        .collect();
    let file = std::env::temp_dir().join("vpcreach-equivalence-failure.json");
    let _ = std::fs::write(&file, serde_json::to_string_pretty(&dump).unwrap());
    format!(
        "{what}\nsource {} packet {:?} ({} -> {}), destination {}\nengine: path_found={} forward={} return={:?}\n  explanations: {:#?}\nreference: reachable={} forward={} reply_needed={} reply={} blocker={:?}\n  trace: {:#?}\nsnapshot written to {}",
        p.src_eni,
        p.h,
        vpcreach::packet::ip_of(p.h.src),
        vpcreach::packet::ip_of(p.h.dst),
        p.destination,
        a.path_found(),
        a.forward_found,
        a.return_found,
        a.explanations.iter().map(|e| format!("{} {}{}", e.code, if e.on_return_path { "(return) " } else { "" }, e.message)).collect::<Vec<_>>(),
        v.reachable(),
        v.forward,
        v.reply_needed,
        v.reply,
        v.blocker,
        v.trace,
        file.display()
    )
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    }
}

fn tape() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 600)
}

/// Property 1: one concrete packet at a time, `path_found` agrees with the
/// reference (for ICMP, whose code a query cannot name, "found" means some
/// code gets through; `admitted` is compared per code).
#[test]
fn engine_agrees_with_reference_on_single_packets() {
    let mut runner = TestRunner::new(config());
    let result = runner.run(&tape(), |data| {
        let mut t = Tape {
            data: &data,
            pos: 0,
        };
        let t0 = std::time::Instant::now();
        let w = generate(&mut t);
        stats::time("generate", t0);
        let t0 = std::time::Instant::now();
        let net = w.snap.network();
        let topo = Topology::new(&net);
        stats::time("load", t0);
        for _ in 0..PACKETS_PER_SNAPSHOT {
            let p = probe(&mut t, &w);
            let q = if p.h.proto == PROTO_ICMP {
                query_for(&p, (p.h.sport, p.h.sport), None)
            } else {
                query_for(&p, (p.h.dport, p.h.dport), Some((p.h.sport, p.h.sport)))
            };
            let t0 = std::time::Instant::now();
            let a = path::analyze(&topo, &q)
                .map_err(|e| TestCaseError::fail(format!("query failed: {e}")))?;
            stats::time("engine", t0);
            let t0 = std::time::Instant::now();
            let v = reference::evaluate(&net, &p.src_eni, p.h);
            stats::time("reference", t0);
            stats::record(&v, !vpcreach::packet::is_v4(p.h.src));
            if std::env::var("FWDEBUG").is_ok() && !net.firewalls.is_empty() {
                eprintln!(
                    "FW {:?} {:?}",
                    v.blocker.as_ref().map(|b| (b.code, b.detail.clone())),
                    v.trace
                );
            }
            if p.h.proto == PROTO_ICMP {
                let any_code = icmp_codes(&net).into_iter().any(|c| {
                    reference::evaluate(&net, &p.src_eni, Header { dport: c, ..p.h }).reachable()
                });
                prop_assert!(
                    a.path_found() == any_code,
                    "{}",
                    report(
                        &w,
                        &p,
                        &format!(
                            "ICMP path_found {} but some code reachable = {any_code}",
                            a.path_found()
                        ),
                        &a,
                        &v
                    )
                );
            } else {
                prop_assert!(
                    a.path_found() == v.reachable(),
                    "{}",
                    report(&w, &p, "path_found differs", &a, &v)
                );
            }
            prop_assert!(
                a.admitted.contains(&p.h) == v.reachable(),
                "{}",
                report(
                    &w,
                    &p,
                    &format!("admitted.contains = {}", a.admitted.contains(&p.h)),
                    &a,
                    &v
                )
            );
            // The engine names every blocker on the way: the reference's
            // (first) one is among them. ICMP is skipped: the query covers
            // every code, so the engine may stop elsewhere for some.
            // An unknown answer (the walk stopped at what the snapshot
            // lacks, e.g. BPA exclusions, BPA.7) names no blocker beyond
            // that stop: unknown is never wrong.
            if let (Some(b), false, false) = (&v.blocker, p.h.proto == PROTO_ICMP, a.unknown) {
                // A prefix list without entries matches nothing for the
                // reference; the engine says what it might match is
                // unknown (R-partial.4).
                let pl_unknown = net.prefix_lists.values().any(|p| p.cidrs.is_none());
                prop_assert!(
                    a.explanations.iter().any(|e| (e.code.as_str() == b.code
                        || (pl_unknown && e.code.as_str() == "UNKNOWN_RESOURCE"))
                        && e.on_return_path == b.on_return),
                    "{}",
                    report(
                        &w,
                        &p,
                        &format!(
                            "engine does not report {} (return: {})",
                            b.code, b.on_return
                        ),
                        &a,
                        &v
                    )
                );
            }
        }
        Ok(())
    });
    match result {
        Err(proptest::test_runner::TestError::Fail(reason, _)) => panic!("{reason}"),
        Err(e) => panic!("{e}"),
        Ok(()) => {}
    }
    stats::print();
    // The random dual-stack worlds do exercise IPv6 both ways.
    if cases() >= DEFAULT_CASES {
        assert!(stats::ipv6("reachable") > 0, "no IPv6 packet was reachable");
        assert!(
            stats::ipv6("") > stats::ipv6("reachable"),
            "no IPv6 packet was blocked"
        );
    }
}

/// Outcome counts, printed with `--nocapture`: shows that the generator
/// reaches every kind of verdict (a property that only ever sees "blocked
/// by the SG" proves little).
mod stats {
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    static COUNTS: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());
    pub fn record(v: &crate::reference::Verdict, ipv6: bool) {
        // Which edge components a reachable packet went through.
        let via: String = [
            ("tgw-01 ", " via TGW"),
            ("vgw-", " to on-premises"),
            ("reply from the service", " to S3 via gateway endpoint"),
            ("AWS service ", " to an AWS service (C1.9, C2.9)"),
            ("GWLB endpoint", " through a GWLB endpoint"),
            ("across the internet ", " through the internet (INET.1)"),
            ("tgw-attach-p1 peering", " across a TGW peering (C7.8)"),
            ("firewall fw", " through a Network Firewall"),
        ]
        .iter()
        .filter(|(needle, _)| {
            v.trace
                .iter()
                .any(|l| l.starts_with(needle) || l.contains(&format!(" {needle}")))
        })
        .map(|(_, label)| *label)
        .collect();
        let key = match &v.blocker {
            None if v.reply_needed => format!("reachable (round trip){via}"),
            None => format!("reachable (no reply needed){via}"),
            Some(b) if b.code == "UNKNOWN_RESOURCE" => format!("{} {}", b.code, b.detail),
            Some(b) => format!("{}{}", b.code, if b.on_return { " (return)" } else { "" }),
        };
        let key = if ipv6 { format!("IPv6 {key}") } else { key };
        *COUNTS.lock().unwrap().entry(key).or_default() += 1;
    }
    static TIMES: Mutex<BTreeMap<&'static str, std::time::Duration>> = Mutex::new(BTreeMap::new());
    pub fn time(what: &'static str, since: std::time::Instant) {
        *TIMES.lock().unwrap().entry(what).or_default() += since.elapsed();
    }
    pub fn print() {
        println!("time: {:?}", TIMES.lock().unwrap());
        let counts = COUNTS.lock().unwrap();
        let total: usize = counts.values().sum();
        println!("reference verdicts over {total} packets:");
        for (k, n) in counts.iter() {
            println!("  {n:6}  {k}");
        }
    }
    static PARTIAL: Mutex<BTreeMap<&'static str, usize>> = Mutex::new(BTreeMap::new());
    /// The engine's answer on a partial snapshot (property 3).
    pub fn record_partial(answer: &'static str) {
        *PARTIAL.lock().unwrap().entry(answer).or_default() += 1;
    }
    pub fn print_partial() {
        println!(
            "engine answers on partial snapshots: {:?}",
            PARTIAL.lock().unwrap()
        );
    }
    /// How many IPv6 packets got a verdict starting with `prefix`.
    pub fn ipv6(prefix: &str) -> usize {
        let counts = COUNTS.lock().unwrap();
        counts
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("IPv6 {prefix}")))
            .map(|(_, n)| n)
            .sum()
    }
}

/// Property 2: a query over a port range (or ICMP type range) admits exactly
/// the headers the reference lets through one by one.
#[test]
fn admitted_set_matches_reference_per_port() {
    let mut runner = TestRunner::new(config());
    let result = runner.run(&tape(), |data| {
        let mut t = Tape {
            data: &data,
            pos: 0,
        };
        let w = generate(&mut t);
        let net = w.snap.network();
        let topo = Topology::new(&net);
        for _ in 0..RANGE_QUERIES_PER_SNAPSHOT {
            let mut p = probe(&mut t, &w);
            let icmp = p.h.proto == PROTO_ICMP;
            let (lo, hi) = if icmp {
                let a = t.choose(&[0u16, 3, 8, 13]);
                (a, a + t.pick(16) as u16)
            } else {
                let a = pick_port(&mut t, &w);
                let b = pick_port(&mut t, &w);
                (a.min(b), a.max(b))
            };
            let q = if icmp {
                query_for(&p, (lo, hi), None)
            } else {
                query_for(&p, (lo, hi), Some((p.h.sport, p.h.sport)))
            };
            let a = path::analyze(&topo, &q)
                .map_err(|e| TestCaseError::fail(format!("query failed: {e}")))?;
            let mut samples: BTreeSet<u16> = [
                lo,
                hi,
                lo.saturating_add(1).min(hi),
                hi.saturating_sub(1).max(lo),
            ]
            .into();
            for m in &w.port_marks {
                for x in [m.saturating_sub(1), *m, m.saturating_add(1)] {
                    if (lo..=hi).contains(&x) {
                        samples.insert(x);
                    }
                }
            }
            for _ in 0..4 {
                samples.insert(lo + (t.pick(hi as usize - lo as usize + 1)) as u16);
            }
            let codes = if icmp { vec![0u16, 1] } else { vec![0] };
            for port in samples {
                for &code in &codes {
                    if icmp {
                        p.h.sport = port;
                        p.h.dport = code;
                    } else {
                        p.h.dport = port;
                    }
                    let v = reference::evaluate(&net, &p.src_eni, p.h);
                    prop_assert!(
                        a.admitted.contains(&p.h) == v.reachable(),
                        "{}",
                        report(
                            &w,
                            &p,
                            &format!(
                                "range {lo}-{hi}: admitted.contains = {}",
                                a.admitted.contains(&p.h)
                            ),
                            &a,
                            &v
                        )
                    );
                }
            }
        }
        Ok(())
    });
    match result {
        Err(proptest::test_runner::TestError::Fail(reason, _)) => panic!("{reason}"),
        Err(e) => panic!("{e}"),
        Ok(()) => {}
    }
}

// --------------------------------------------------------- partial snapshots

/// A partial snapshot: the complete world's documents with some dropped
/// (a kind the user could not, or did not, describe). Never all of them:
/// something must be left to ask about.
fn partial_docs(t: &mut Tape, w: &World) -> (Vec<(String, String)>, Vec<String>) {
    // Without one of these every answer is unknown (R-partial.1): drop
    // them rarely, so that most partial snapshots still answer.
    const EVERY_PATH_NEEDS: [&str; 4] = [
        "route-tables.json",
        "network-acls.json",
        "security-groups.json",
        "internet-gateways.json",
    ];
    let docs = w.snap.docs();
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    // One other kind for sure (the first pick, so a shrunk tape drops the
    // first such file), then each with 15 % probability (3 % for those).
    let others: Vec<usize> = (0..docs.len())
        .filter(|&i| !EVERY_PATH_NEEDS.contains(&docs[i].0.as_str()))
        .collect();
    let sure = others[t.pick(others.len())];
    for (i, (file, text)) in docs.into_iter().enumerate() {
        let percent = if EVERY_PATH_NEEDS.contains(&file.as_str()) {
            3
        } else {
            15
        };
        if i == sure || t.chance(percent) {
            dropped.push(file);
        } else {
            kept.push((file, text));
        }
    }
    (kept, dropped)
}

/// What the engine says about one packet on a partial snapshot, as the
/// CLI would: the walk, then `mark_unknown` with the kinds the snapshot
/// lacks (R-partial.1). `None` is unknown: the query could not be asked
/// (its source or destination is not in the snapshot), or the answer is
/// marked unknown, or the walk named something it could not describe.
fn engine_verdict(
    topo: &Topology,
    missing: &[(String, String)],
    q: &PathQuery,
    h: &Header,
) -> Option<bool> {
    let mut a = path::analyze(topo, q).ok()?;
    a.mark_unknown(missing);
    let unknown = a.unknown
        || a.explanations.iter().any(|e| {
            matches!(
                e.code.as_str(),
                "UNKNOWN_RESOURCE"
                    | "UNKNOWN_DESTINATION"
                    | "UNSUPPORTED_COMPONENT"
                    | "TGW_RTB_ROUTES_ARE_UNKNOWN"
                    | "UNKNOWN_PEERED_SGS"
            )
        });
    if a.admitted.contains(h) {
        // A "reachable" is a verdict even with notes of the unknown: it
        // must be right.
        return Some(true);
    }
    (!unknown).then_some(false)
}

/// Property 3 (issue 14, R-partial.1): on a partial snapshot — kinds of
/// resources dropped at random from a complete one — the engine's answer
/// for a packet is either the reference's on the complete snapshot or
/// unknown, never a different verdict.
#[test]
fn partial_snapshot_answers_are_the_complete_answer_or_unknown() {
    let mut runner = TestRunner::new(config());
    let result = runner.run(&tape(), |data| {
        let mut t = Tape {
            data: &data,
            pos: 0,
        };
        let w = generate(&mut t);
        let complete = w.snap.network();
        let (kept, dropped) = partial_docs(&mut t, &w);
        let snap =
            vpcreach::snapshot::load_documents(kept.iter().map(|(n, s)| (n.as_str(), s.as_str())))
                .map_err(|e| TestCaseError::fail(format!("partial snapshot fails to load: {e}")))?;
        let missing: Vec<(String, String)> = snap
            .missing_for_paths(false)
            .into_iter()
            .map(|m| (m.key, m.action))
            .collect();
        let topo = Topology::new(&snap.network);
        for _ in 0..PACKETS_PER_SNAPSHOT {
            let p = probe(&mut t, &w);
            // ICMP: the query names a type, not a code; one code is enough
            // here (properties 1 and 2 cover codes).
            let q = if p.h.proto == PROTO_ICMP {
                query_for(&p, (p.h.sport, p.h.sport), None)
            } else {
                query_for(&p, (p.h.dport, p.h.dport), Some((p.h.sport, p.h.sport)))
            };
            let Some(engine) = engine_verdict(&topo, &missing, &q, &p.h) else {
                stats::record_partial("unknown");
                continue;
            };
            let v = reference::evaluate(&complete, &p.src_eni, p.h);
            stats::record_partial(if engine { "reachable" } else { "not reachable" });
            if engine != v.reachable() {
                let a = path::analyze(&topo, &q).expect("asked above");
                prop_assert!(
                    false,
                    "{}",
                    report(
                        &w,
                        &p,
                        &format!(
                            "partial snapshot without {dropped:?} (missing kinds {missing:?}): engine says {} where the complete snapshot says {}",
                            if engine { "reachable" } else { "not reachable" },
                            if v.reachable() { "reachable" } else { "not reachable" }
                        ),
                        &a,
                        &v
                    )
                );
            }
        }
        Ok(())
    });
    match result {
        Err(proptest::test_runner::TestError::Fail(reason, _)) => panic!("{reason}"),
        Err(e) => panic!("{e}"),
        Ok(()) => {}
    }
    stats::print_partial();
}
