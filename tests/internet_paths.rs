//! Paths through the internet (issue 14; INET.1–INET.7 of
//! docs/semantics-additions.md, C4 and C5 of aws-vpc-semantics.md): from an
//! instance to a public address that the snapshot maps to a network
//! interface, out through the source's internet gateway (or NAT gateway),
//! across the internet and in through the destination's internet gateway;
//! replies the same way back. The reference evaluator must agree.

mod common;
mod reference;

use common::*;
use serde_json::Value;
use vpcreach::analysis::path::INTERNET_HOP_ID;
use vpcreach::analysis::{Hop, PathAnalysis, PathQuery};
use vpcreach::model::Network;
use vpcreach::packet::{addr_of, Header};

/// vpc-1 (10.0.0.0/16): public subnet-a (main table: 0.0.0.0/0 → igw-1)
/// with i-a (10.0.0.10, public 54.0.0.10, sg-a) and nat-1 (10.0.0.200,
/// Elastic IP 54.0.0.200); private subnet-p (rtb-p: 0.0.0.0/0 → nat-1)
/// with i-p (10.0.1.20, no public address, sg-a). sg-a admits nothing in,
/// everything out.
///
/// vpc-2 (10.1.0.0/16): subnet-x (main table: 0.0.0.0/0 → igw-2) with i-x
/// (10.1.0.10, public 3.0.0.10) in sg-x, whose ingress is `x_ingress`.
fn two_vpcs(x_ingress: Vec<Value>) -> Snap {
    world(World {
        x_ingress,
        ..World::default()
    })
}

/// What differs between the worlds of these tests.
struct World {
    x_ingress: Vec<Value>,
    a_egress: Vec<Value>,
    /// igw-2 attached to vpc-2.
    igw2: bool,
    /// Dual-stack (see [`dual_stack`]): vpc-1's ::/0 target, and whether
    /// vpc-2 has only an egress-only gateway.
    v6: Option<((&'static str, &'static str), bool)>,
}

impl Default for World {
    fn default() -> Self {
        World {
            x_ingress: Vec::new(),
            a_egress: sg_allow_all_out(),
            igw2: true,
            v6: None,
        }
    }
}

fn world(w: World) -> Snap {
    let v6_rules = |mut rules: Vec<Value>| {
        if w.v6.is_some() {
            rules.push(nacl(101, true, "-1", "allow", "::/0", None, None));
            rules.push(nacl(101, false, "-1", "allow", "::/0", None, None));
        }
        rules
    };
    let v6_egress = |mut rules: Vec<Value>| {
        if w.v6.is_some() {
            rules.push(sg_cidr("-1", None, "::/0"));
        }
        rules
    };
    let mut routes_1 = vec![route("0.0.0.0/0", ("GatewayId", "igw-1"), "active")];
    let mut routes_2 = vec![route("0.0.0.0/0", ("GatewayId", "igw-2"), "active")];
    if let Some((v1_gateway, x_eigw_only)) = w.v6 {
        routes_1.push(route("::/0", v1_gateway, "active"));
        routes_2.push(if x_eigw_only {
            route("::/0", ("EgressOnlyInternetGatewayId", "eigw-2"), "active")
        } else {
            route("::/0", ("GatewayId", "igw-2"), "active")
        });
    }
    let mut s = Snap::new();
    s.vpc("vpc-1", "10.0.0.0/16")
        .subnet("subnet-a", "vpc-1", "10.0.0.0/24")
        .subnet("subnet-p", "vpc-1", "10.0.1.0/24")
        .route_table("rtb-1", "vpc-1", "10.0.0.0/16", true, &[], routes_1)
        .route_table(
            "rtb-p",
            "vpc-1",
            "10.0.0.0/16",
            false,
            &["subnet-p"],
            vec![route("0.0.0.0/0", ("NatGatewayId", "nat-1"), "active")],
        )
        .acl("acl-1", "vpc-1", true, &[], v6_rules(nacl_allow_all()))
        .igw("igw-1", Some("vpc-1"))
        .nat(
            "nat-1",
            "vpc-1",
            "subnet-a",
            "10.0.0.200",
            Some("54.0.0.200"),
            "available",
            Some("eni-nat1"),
        )
        .sg("sg-a", "vpc-1", vec![], v6_egress(w.a_egress));
    s.instance_full(spec(
        "a",
        "subnet-a",
        "vpc-1",
        "10.0.0.10",
        Some("54.0.0.10"),
        "sg-a",
    ));
    s.instance_full(spec("p", "subnet-p", "vpc-1", "10.0.1.20", None, "sg-a"));

    s.vpc("vpc-2", "10.1.0.0/16")
        .subnet("subnet-x", "vpc-2", "10.1.0.0/24")
        .route_table("rtb-2", "vpc-2", "10.1.0.0/16", true, &[], routes_2)
        .acl("acl-2", "vpc-2", true, &[], v6_rules(nacl_allow_all()))
        .igw("igw-2", w.igw2.then_some("vpc-2"))
        .sg("sg-x", "vpc-2", w.x_ingress, v6_egress(sg_allow_all_out()));
    s.instance_full(spec(
        "x",
        "subnet-x",
        "vpc-2",
        "10.1.0.10",
        Some("3.0.0.10"),
        "sg-x",
    ));
    if let Some((v1_gateway, x_eigw_only)) = w.v6 {
        s.ipv6_cidr("vpc-1", "2600:1f18:1::/56")
            .ipv6_cidr("vpc-2", "2600:1f18:2::/56")
            .ipv6_cidr("subnet-a", "2600:1f18:1::/64")
            .ipv6_cidr("subnet-x", "2600:1f18:2::/64")
            .ipv6_address("eni-a", "2600:1f18:1::10")
            .ipv6_address("eni-x", "2600:1f18:2::10");
        if v1_gateway.1.starts_with("eigw-") {
            s.eigw(v1_gateway.1, "vpc-1");
        }
        if x_eigw_only {
            s.eigw("eigw-2", "vpc-2");
        }
    }
    s
}

fn spec(
    n: &str,
    subnet: &str,
    vpc: &str,
    ip: &str,
    public: Option<&str>,
    sg: &str,
) -> InstanceSpec {
    InstanceSpec {
        instance: format!("i-{n}"),
        eni: format!("eni-{n}"),
        subnet: subnet.into(),
        vpc: vpc.into(),
        ips: vec![(ip.into(), public.map(str::to_string))],
        sgs: vec![sg.into()],
        state: "running".into(),
        attached: true,
        source_dest_check: true,
    }
}

fn https(source: &str, destination: &str) -> PathQuery {
    query(source, destination, 6, Some((443, 443)))
}

fn run(s: &Snap, q: &PathQuery) -> PathAnalysis {
    analyze(&s.network(), q)
}

fn ids(hops: &[Hop]) -> Vec<&str> {
    hops.iter().map(|h| h.component.id.as_str()).collect()
}

/// The hop ids around the internet hop: (last before, first after).
fn around_internet(hops: &[Hop]) -> (&str, &str) {
    let i = hops
        .iter()
        .position(|h| h.component.id == INTERNET_HOP_ID)
        .unwrap_or_else(|| panic!("no internet hop in {:?}", ids(hops)));
    (&hops[i - 1].component.id, &hops[i + 1].component.id)
}

fn codes(a: &PathAnalysis) -> Vec<(&'static str, bool)> {
    a.explanations
        .iter()
        .map(|e| (e.code.as_str(), e.on_return_path))
        .collect()
}

fn tcp(src: &str, dst: &str, dport: u16) -> Header {
    Header {
        src: addr_of(src.parse::<std::net::IpAddr>().unwrap()),
        dst: addr_of(dst.parse::<std::net::IpAddr>().unwrap()),
        proto: 6,
        sport: 40000,
        dport,
    }
}

/// The reference evaluator's verdict for one packet from the ENI that
/// owns its source address.
fn reference_says(net: &Network, h: &Header) -> bool {
    let src = net
        .network_interfaces
        .values()
        .find(|e| vpcreach::topology::eni_owns(e, h.src))
        .expect("source ENI");
    reference::evaluate(net, &src.id, *h).reachable()
}

/// INET.1, INET.3, INET.4: out through igw-1 (10.0.0.10 → 54.0.0.10), across
/// the internet, in through igw-2 (3.0.0.10 → 10.1.0.10); the reply leaves
/// through igw-2 and comes back in through igw-1.
#[test]
fn inet_1_reachable_through_both_internet_gateways() {
    let s = two_vpcs(vec![sg_cidr("tcp", Some((443, 443)), "54.0.0.10/32")]);
    let a = run(&s, &https("i-a", "3.0.0.10"));
    assert!(a.path_found(), "{:?}", codes(&a));
    assert_eq!(around_internet(&a.forward), ("igw-1", "igw-2"));
    assert_eq!(a.forward.last().unwrap().component.id, "eni-x");
    assert_eq!(around_internet(&a.ret), ("igw-2", "igw-1"));
    assert_eq!(a.ret.last().unwrap().component.id, "eni-a");
    // Admitted traffic is stated as the question was asked: from the
    // source's private address to the public address it named.
    assert!(a.admitted.contains(&tcp("10.0.0.10", "3.0.0.10", 443)));
    assert!(!a.admitted.contains(&tcp("10.0.0.10", "3.0.0.10", 80)));
    assert!(reference_says(
        &s.network(),
        &tcp("10.0.0.10", "3.0.0.10", 443)
    ));
}

/// INET.2: the destination's security group sees the translated source
/// (54.0.0.10): a rule naming the source's group, or its private CIDR,
/// does not match.
#[test]
fn inet_2_destination_sg_judges_the_public_source() {
    for rule in [
        sg_ref("tcp", Some((443, 443)), "sg-a", None),
        sg_cidr("tcp", Some((443, 443)), "10.0.0.0/16"),
    ] {
        let s = two_vpcs(vec![rule]);
        let a = run(&s, &https("i-a", "3.0.0.10"));
        assert!(!a.path_found());
        assert!(
            a.explanations
                .iter()
                .any(|e| e.code.as_str() == "ENI_SG_RULES_MISMATCH"
                    && !e.on_return_path
                    && e.components.iter().any(|(_, c)| c.id == "sg-x")),
            "{:?}",
            codes(&a)
        );
        assert!(a.forward.iter().any(|h| h.blocked));
        assert!(!reference_says(
            &s.network(),
            &tcp("10.0.0.10", "3.0.0.10", 443)
        ));
    }
}

/// INET.1: a blocker in the first half (the source's egress rules) is
/// named there; the second half is still walked.
#[test]
fn inet_1_blocked_by_source_egress() {
    let s = world(World {
        x_ingress: vec![sg_cidr("tcp", Some((443, 443)), "54.0.0.10/32")],
        a_egress: vec![sg_cidr("tcp", Some((443, 443)), "10.0.0.0/8")],
        ..World::default()
    });
    let net = s.network();
    let a = analyze(&net, &https("i-a", "3.0.0.10"));
    assert!(!a.path_found());
    assert!(
        codes(&a).contains(&("ENI_SG_RULES_MISMATCH", false)),
        "{:?}",
        codes(&a)
    );
    assert!(!reference_says(&net, &tcp("10.0.0.10", "3.0.0.10", 443)));
}

/// INET.3 (C5.2): behind a NAT gateway the destination sees the NAT
/// gateway's Elastic IP, and the reply is translated back by it.
#[test]
fn inet_3_nat_gateway_source() {
    let s = two_vpcs(vec![sg_cidr("tcp", Some((443, 443)), "54.0.0.200/32")]);
    let a = run(&s, &https("i-p", "3.0.0.10"));
    assert!(a.path_found(), "{:?}", codes(&a));
    assert!(ids(&a.forward).contains(&"nat-1"));
    assert_eq!(around_internet(&a.forward), ("igw-1", "igw-2"));
    assert!(ids(&a.ret).contains(&"nat-1"));
    assert_eq!(a.ret.last().unwrap().component.id, "eni-p");
    assert!(reference_says(
        &s.network(),
        &tcp("10.0.1.20", "3.0.0.10", 443)
    ));

    // The instance's own public address is not what the destination sees.
    let s = two_vpcs(vec![sg_cidr("tcp", Some((443, 443)), "54.0.0.10/32")]);
    let a = run(&s, &https("i-p", "3.0.0.10"));
    assert!(!a.path_found());
    assert!(codes(&a).contains(&("ENI_SG_RULES_MISMATCH", false)));
    assert!(!reference_says(
        &s.network(),
        &tcp("10.0.1.20", "3.0.0.10", 443)
    ));
}

/// INET.4: the return half is checked too: the destination's NACL denying
/// replies to the source's public address stops the reply.
#[test]
fn inet_4_return_path_through_the_internet() {
    let mut s = two_vpcs(vec![sg_cidr("tcp", Some((443, 443)), "54.0.0.10/32")]);
    s.acl(
        "acl-x",
        "vpc-2",
        false,
        &["subnet-x"],
        vec![
            nacl(100, false, "-1", "allow", "0.0.0.0/0", None, None),
            nacl(90, true, "-1", "deny", "54.0.0.10/32", None, None),
            nacl(100, true, "-1", "allow", "0.0.0.0/0", None, None),
        ],
    );
    let net = s.network();
    let a = analyze(&net, &https("i-a", "3.0.0.10"));
    assert!(
        a.forward_found && a.return_found == Some(false),
        "{:?}",
        codes(&a)
    );
    assert!(
        codes(&a).contains(&("SUBNET_ACL_RESTRICTION", true)),
        "{:?}",
        codes(&a)
    );
    assert!(!reference_says(&net, &tcp("10.0.0.10", "3.0.0.10", 443)));

    // And the source's NACL on the way back in, against the destination's
    // public address.
    let mut s = two_vpcs(vec![sg_cidr("tcp", Some((443, 443)), "54.0.0.10/32")]);
    s.acl(
        "acl-a",
        "vpc-1",
        false,
        &["subnet-a"],
        vec![
            nacl(90, false, "-1", "deny", "3.0.0.10/32", None, None),
            nacl(100, false, "-1", "allow", "0.0.0.0/0", None, None),
            nacl(100, true, "-1", "allow", "0.0.0.0/0", None, None),
        ],
    );
    let a = run(&s, &https("i-a", "3.0.0.10"));
    assert!(
        a.forward_found && a.return_found == Some(false),
        "{:?}",
        codes(&a)
    );
}

/// INET.1: the destination's VPC must have an internet gateway; without
/// one the public address cannot be reached from the internet.
#[test]
fn inet_1_destination_vpc_without_internet_gateway() {
    let s = world(World {
        x_ingress: vec![sg_cidr("tcp", Some((443, 443)), "54.0.0.10/32")],
        igw2: false,
        ..World::default()
    });
    let net = s.network();
    let a = analyze(&net, &https("i-a", "3.0.0.10"));
    assert!(!a.path_found(), "{:?}", codes(&a));
    assert!(!reference_says(&net, &tcp("10.0.0.10", "3.0.0.10", 443)));
}

/// INET.5 (C4.5): the hairpin to a public address of the source's own VPC
/// goes out and back in through the same internet gateway, and the
/// destination sees the public source address.
#[test]
fn inet_5_hairpin_through_own_internet_gateway() {
    // i-b (10.0.0.11, public 54.0.0.11) beside i-a, in sg-b admitting `from`.
    let with_b = |from: &str| {
        let mut s = two_vpcs(vec![]);
        s.sg(
            "sg-b",
            "vpc-1",
            vec![sg_cidr("tcp", Some((443, 443)), from)],
            sg_allow_all_out(),
        );
        s.instance_full(spec(
            "b",
            "subnet-a",
            "vpc-1",
            "10.0.0.11",
            Some("54.0.0.11"),
            "sg-b",
        ));
        s.network()
    };
    let net = with_b("54.0.0.10/32");
    let a = analyze(&net, &https("i-a", "54.0.0.11"));
    assert!(a.path_found(), "{:?}", codes(&a));
    assert_eq!(around_internet(&a.forward), ("igw-1", "igw-1"));
    assert!(reference_says(&net, &tcp("10.0.0.10", "54.0.0.11", 443)));

    // A rule for the VPC's private range does not admit the hairpin.
    let net = with_b("10.0.0.0/16");
    let a = analyze(&net, &https("i-a", "54.0.0.11"));
    assert!(!a.path_found(), "{:?}", codes(&a));
    assert!(!reference_says(&net, &tcp("10.0.0.10", "54.0.0.11", 443)));
}

/// [`two_vpcs`] made dual-stack: i-a 2600:1f18:1::10, i-x 2600:1f18:2::10
/// (sg-x admits tcp/443 from i-a's IPv6 address), ::/0 of vpc-1 to
/// `v1_gateway`, of vpc-2 to igw-2 unless `x_eigw_only` (then to eigw-2,
/// and no internet gateway is attached to vpc-2).
fn dual_stack(v1_gateway: (&'static str, &'static str), x_eigw_only: bool) -> Snap {
    world(World {
        x_ingress: vec![sg_cidr("tcp", Some((443, 443)), "2600:1f18:1::10/128")],
        igw2: !x_eigw_only,
        v6: Some((v1_gateway, x_eigw_only)),
        ..World::default()
    })
}

/// INET.6 (C4.6): IPv6 crosses the internet untranslated; the destination
/// sees the source's own IPv6 address. Leaving through an egress-only
/// gateway works (its replies come back through it); entering through one
/// never does.
#[test]
fn inet_6_ipv6_through_the_internet() {
    let h = |src: &str| Header {
        src: addr_of(src.parse::<std::net::IpAddr>().unwrap()),
        dst: addr_of("2600:1f18:2::10".parse::<std::net::IpAddr>().unwrap()),
        proto: 6,
        sport: 40000,
        dport: 443,
    };
    let s = dual_stack(("GatewayId", "igw-1"), false);
    let a = run(&s, &https("eni-a", "2600:1f18:2::10"));
    assert!(
        a.path_found(),
        "{:?}",
        a.explanations
            .iter()
            .map(|e| &e.message)
            .collect::<Vec<_>>()
    );
    assert_eq!(around_internet(&a.forward), ("igw-1", "igw-2"));
    assert!(a.admitted.contains(&h("2600:1f18:1::10")));
    assert!(reference_says(&s.network(), &h("2600:1f18:1::10")));

    let s = dual_stack(("EgressOnlyInternetGatewayId", "eigw-1"), false);
    let a = run(&s, &https("eni-a", "2600:1f18:2::10"));
    assert!(a.path_found(), "{:?}", codes(&a));
    assert_eq!(around_internet(&a.forward), ("eigw-1", "igw-2"));
    assert_eq!(around_internet(&a.ret), ("igw-2", "eigw-1"));
    assert!(reference_says(&s.network(), &h("2600:1f18:1::10")));

    let s = dual_stack(("GatewayId", "igw-1"), true);
    let a = run(&s, &https("eni-a", "2600:1f18:2::10"));
    assert!(!a.path_found());
    assert!(
        codes(&a).contains(&("EGRESS_ONLY_IGW_INBOUND_INITIATED", false)),
        "{:?}",
        codes(&a)
    );
    assert!(!reference_says(&s.network(), &h("2600:1f18:1::10")));
}

/// INET.7: a NAT gateway's Elastic IP accepts no connection from the
/// internet (C5.3), also from another VPC of the snapshot.
#[test]
fn inet_7_nat_gateway_public_address_accepts_nothing() {
    let s = two_vpcs(vec![]);
    let net = s.network();
    let a = analyze(&net, &https("i-x", "54.0.0.200"));
    assert!(!a.path_found(), "{:?}", codes(&a));
    assert!(!reference_says(&net, &tcp("10.1.0.10", "54.0.0.200", 443)));
}

/// The JSON of a path through the internet: RA's shape for the first half,
/// the second as a continuation after the internet (docs/json.md).
#[test]
fn inet_json_halves() {
    let s = two_vpcs(vec![sg_cidr("tcp", Some((443, 443)), "54.0.0.10/32")]);
    let a = run(&s, &https("i-a", "3.0.0.10"));
    let v = vpcreach::report::json::path_analysis(&a, &[]);
    let first = v["ForwardPathComponents"].as_array().unwrap();
    assert_eq!(first.last().unwrap()["Component"]["Id"], "igw-1");
    let cont = &v["ForwardPathContinuation"];
    assert_eq!(cont["Through"]["Id"], INTERNET_HOP_ID);
    let second = cont["PathComponents"].as_array().unwrap();
    assert_eq!(second[0]["Component"]["Id"], "igw-2");
    assert_eq!(second.last().unwrap()["Component"]["Id"], "eni-x");
    assert_eq!(
        v["ReturnPathContinuation"]["PathComponents"][0]["Component"]["Id"],
        "igw-1"
    );
}

/// INET.6 in `whatif`: two VPCs joined by nothing but the internet still
/// reach each other over IPv6 (global addresses), so a change to that path
/// is found; `whatif` does not skip the pair for want of an attachment.
#[test]
fn inet_6_whatif_finds_a_change_to_an_ipv6_path_across_the_internet() {
    let before = dual_stack(("GatewayId", "igw-1"), false).network();
    let mut after = before.clone();
    after
        .security_groups
        .get_mut("sg-x")
        .expect("sg-x")
        .ingress
        .clear();
    let d = vpcreach::whatif::compare(&before, &after, &Default::default())
        .expect("no intents")
        .diff;
    let lost: Vec<(&str, &str)> = d
        .lost
        .iter()
        .map(|r| (r.source.id.as_str(), r.destination.id.as_str()))
        .collect();
    assert!(lost.contains(&("eni-a", "eni-x")), "{lost:?}");
    let every_pair = vpcreach::whatif::differential::pairwise(&before, &after, None);
    assert_eq!(d.lost.len(), every_pair.lost.len());
}

/// The same in `audit`: an ENI class is walked towards ENIs with IPv6
/// addresses in VPCs no attachment joins to its own.
#[test]
fn inet_6_audit_finds_an_ipv6_path_across_the_internet() {
    let net = dual_stack(("GatewayId", "igw-1"), false).network();
    let result = all_pairs_audit(&net);
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.sources.iter().any(|s| s == "eni-a")
                && f.destinations.iter().any(|d| d == "eni-x")),
        "{:?}",
        result
            .findings
            .iter()
            .map(|f| (&f.sources, &f.destinations))
            .collect::<Vec<_>>()
    );
}
