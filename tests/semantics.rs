//! One or more tests per rule of aws-vpc-semantics.md (C1–C6, C10, C11),
//! named after the rule. Each builds a tiny describe-* JSON snapshot,
//! loads it through the real loader, asks `path`, and checks the verdict
//! together with the explanation code and the component it names.

mod common;

use common::*;
use vpcreach::analysis::PathAnalysis;
use vpcreach::model::Network;
use vpcreach::packet::Header;

fn ip(s: &str) -> u32 {
    u32::from(s.parse::<std::net::Ipv4Addr>().unwrap())
}

/// The single blocker (code, on return path) naming `component`.
fn assert_blocked(a: &PathAnalysis, code: &str, component: &str, on_return: bool) {
    assert!(
        !a.path_found(),
        "expected no path; explanations {:?}",
        explanations(a)
    );
    let ex = explanations(a);
    assert!(
        ex.iter()
            .any(|(c, r, ids)| *c == code && *r == on_return && ids.iter().any(|i| i == component)),
        "expected {code} (return: {on_return}) naming {component}; got {ex:?}"
    );
}

fn assert_found(a: &PathAnalysis) {
    assert!(
        a.path_found(),
        "expected a path; explanations {:?}",
        explanations(a)
    );
}

/// One VPC 10.0.0.0/16, subnets a (10.0.0.0/24) and b (10.0.1.0/24) on the
/// main route table and the default (allow-all) ACL, sg-open allowing
/// everything from 10.0.0.0/8, and instances i-a (10.0.0.10) and i-b
/// (10.0.1.10). `extra_routes` go into the main table.
fn two_subnets(extra_routes: Vec<serde_json::Value>) -> Snap {
    two_subnets_b_groups(&["sg-open"], extra_routes)
}

/// [`two_subnets`] with i-b carrying `b_groups` (sg-open is always defined).
fn two_subnets_b_groups(b_groups: &[&str], extra_routes: Vec<serde_json::Value>) -> Snap {
    let mut s = Snap::new();
    s.vpc("vpc-1", "10.0.0.0/16")
        .subnet("subnet-a", "vpc-1", "10.0.0.0/24")
        .subnet("subnet-b", "vpc-1", "10.0.1.0/24")
        .route_table("rtb-main", "vpc-1", "10.0.0.0/16", true, &[], extra_routes)
        .acl(
            "acl-default",
            "vpc-1",
            true,
            &["subnet-a", "subnet-b"],
            nacl_allow_all(),
        )
        .sg(
            "sg-open",
            "vpc-1",
            vec![sg_cidr("-1", None, "10.0.0.0/8")],
            sg_allow_all_out(),
        )
        .instance(
            "i-a",
            "eni-a",
            "subnet-a",
            "vpc-1",
            "10.0.0.10",
            &["sg-open"],
        )
        .instance("i-b", "eni-b", "subnet-b", "vpc-1", "10.0.1.10", b_groups);
    s
}

fn run(s: &Snap, q: vpcreach::analysis::PathQuery) -> (Network, PathAnalysis) {
    let net = s.network();
    let a = analyze(&net, &q);
    (net, a)
}

// ------------------------------------------------------- C5 NAT gateway

/// C5.2/C3.7: a NAT gateway in a subnet whose own table sends 0.0.0.0/0
/// back to it (a NAT placed in the private subnet it serves) is a routing
/// loop, reported as such — the engine used to recurse until the stack
/// overflowed.
#[test]
fn c5_nat_gateway_routing_back_to_itself_is_a_loop_not_a_crash() {
    let mut s = two_subnets(vec![route(
        "0.0.0.0/0",
        ("NatGatewayId", "nat-1"),
        "active",
    )]);
    s.nat(
        "nat-1",
        "vpc-1",
        "subnet-b",
        "10.0.1.200",
        Some("3.3.3.3"),
        "available",
        Some("eni-nat"),
    );
    let (_, a) = run(&s, query("i-a", "8.8.8.8", 6, Some((443, 443))));
    assert_blocked(&a, "NO_PATH", "nat-1", false);
}

/// C5.2, C11 (return path): a reply routed into a NAT gateway leaves with
/// the gateway's address as its source, so it is no reply to the
/// connection. Here the main table sends subnet b (10.0.1.0/24) to the NAT
/// gateway (a more-specific-than-local middlebox route, C3.4): b → a goes
/// out by the local route, but a's reply is routed into nat-1.
#[test]
fn c5_2_reply_routed_into_a_nat_gateway_is_not_a_reply() {
    let mut s = two_subnets(vec![route(
        "10.0.1.0/24",
        ("NatGatewayId", "nat-1"),
        "active",
    )]);
    s.nat(
        "nat-1",
        "vpc-1",
        "subnet-b",
        "10.0.1.200",
        Some("3.3.3.3"),
        "available",
        Some("eni-nat"),
    );
    let (_, a) = run(&s, query("i-b", "i-a", 6, Some((8080, 8080))));
    assert!(a.forward_found);
    assert_eq!(a.return_found, Some(false));
    assert_blocked(&a, "NO_PATH", "nat-1", true);
}

/// C10.2, C3.4: a route whose target is an ENI delivers packets addressed
/// to that ENI itself like any other: its egress rules and its
/// source/destination check play no part. (The engine used to "forward"
/// them, checking the appliance's egress SG.)
#[test]
fn c10_2_route_target_eni_receives_traffic_addressed_to_itself() {
    let mut s = two_subnets_b_groups(
        &["sg-in-only"],
        vec![route(
            "10.0.1.0/24",
            ("NetworkInterfaceId", "eni-b"),
            "active",
        )],
    );
    // Ingress from subnet a only, and no egress rule at all.
    s.sg(
        "sg-in-only",
        "vpc-1",
        vec![sg_cidr("tcp", Some((22, 22)), "10.0.0.0/24")],
        vec![],
    );
    let (_, a) = run(&s, query("i-a", "i-b", 6, Some((22, 22))));
    assert_found(&a);
}

/// C4.2, C5.2: `admitted` names traffic in the source's own addresses,
/// also when the IGW or a NAT gateway translated it and no reply is
/// involved (ICMP destination unreachable) or the reply is ICMP. The
/// engine used to report the translated (public) source for those.
#[test]
fn c4_2_admitted_traffic_keeps_the_private_source_across_nat() {
    let mut s = two_subnets(vec![route("0.0.0.0/0", ("GatewayId", "igw-1"), "active")]);
    s.igw("igw-1", Some("vpc-1"));
    s.eip("54.1.1.1", "eni-a", "10.0.0.10");
    let net = s.network();
    for icmp_type in [3u16, 8] {
        let a = analyze(
            &net,
            &query("i-a", "8.8.8.8", 1, Some((icmp_type, icmp_type))),
        );
        assert_found(&a);
        let h = Header {
            src: ip("10.0.0.10"),
            dst: ip("8.8.8.8"),
            proto: 1,
            sport: icmp_type,
            dport: 0,
        };
        assert!(
            a.admitted.contains(&h),
            "type {icmp_type}: {:?}",
            a.admitted
        );
        let translated = Header {
            src: ip("54.1.1.1"),
            ..h
        };
        assert!(!a.admitted.contains(&translated), "type {icmp_type}");
    }
}
