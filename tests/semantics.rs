//! One or more tests per rule of aws-vpc-semantics.md (C1–C6, C10, C11),
//! named after the rule (`c2_3_…` tests rule C2.3). Each builds a tiny
//! describe-* JSON snapshot, loads it through the real loader, asks
//! `path`, and checks the verdict together with the explanation code and
//! the component it names (and the deciding rule or route where there is
//! one). The last section holds regression tests for engine bugs the
//! equivalence property test (tests/equivalence.rs) found.

mod common;
mod reference;

use common::*;
use serde_json::Value;
use vpcreach::analysis::{Direction, Explanation, PathAnalysis, PathQuery};
use vpcreach::model::Network;
use vpcreach::packet::Header;

fn ip(s: &str) -> vpcreach::packet::Addr {
    vpcreach::packet::addr_of(s.parse::<std::net::IpAddr>().unwrap())
}

fn tcp(src: &str, dst: &str, sport: u16, dport: u16) -> Header {
    Header {
        src: ip(src),
        dst: ip(dst),
        proto: 6,
        sport,
        dport,
    }
}

/// The explanation with `code` on the given path direction naming
/// `component`, or a panic listing what there was.
fn blocker<'a>(
    a: &'a PathAnalysis,
    code: &str,
    component: &str,
    on_return: bool,
) -> &'a Explanation {
    assert!(
        !a.path_found(),
        "expected no path; explanations {:?}",
        explanations(a)
    );
    a.explanations
        .iter()
        .find(|e| {
            e.code.as_str() == code
                && e.on_return_path == on_return
                && e.components.iter().any(|(_, c)| c.id == component)
        })
        .unwrap_or_else(|| {
            panic!(
                "expected {code} (return path: {on_return}) naming {component}; got {:?}",
                explanations(a)
            )
        })
}

fn assert_blocked(a: &PathAnalysis, code: &str, component: &str, on_return: bool) {
    blocker(a, code, component, on_return);
}

fn assert_found(a: &PathAnalysis) {
    assert!(
        a.path_found(),
        "expected a path; explanations {:?}",
        explanations(a)
    );
}

fn acl_rule_number(e: &Explanation) -> u32 {
    e.acl_rule
        .as_ref()
        .expect("the deciding NACL rule")
        .rule_number
}

fn run(s: &Snap, q: PathQuery) -> PathAnalysis {
    let net: Network = s.network();
    analyze(&net, &q)
}

/// vpc-1 10.0.0.0/16 with subnets a (10.0.0.0/24), b (10.0.1.0/24) and c
/// (10.0.2.0/24); main table rtb-main holding `routes` after the local
/// route; the default NACL (allow all, associated implicitly); sg-open
/// (all protocols from 10.0.0.0/8, all out).
fn base(routes: Vec<Value>) -> Snap {
    let mut s = Snap::new();
    s.vpc("vpc-1", "10.0.0.0/16")
        .subnet("subnet-a", "vpc-1", "10.0.0.0/24")
        .subnet("subnet-b", "vpc-1", "10.0.1.0/24")
        .subnet("subnet-c", "vpc-1", "10.0.2.0/24")
        .route_table("rtb-main", "vpc-1", "10.0.0.0/16", true, &[], routes)
        .acl("acl-default", "vpc-1", true, &[], nacl_allow_all())
        .sg(
            "sg-open",
            "vpc-1",
            vec![sg_cidr("-1", None, "10.0.0.0/8")],
            sg_allow_all_out(),
        );
    s
}

/// Instance `i-<n>` with ENI `eni-<n>` in vpc-1.
fn vm(s: &mut Snap, n: &str, subnet: &str, ip: &str, groups: &[&str]) {
    s.instance(
        &format!("i-{n}"),
        &format!("eni-{n}"),
        subnet,
        "vpc-1",
        ip,
        groups,
    );
}

fn vm_spec(n: &str, subnet: &str, ip: &str, public: Option<&str>, groups: &[&str]) -> InstanceSpec {
    InstanceSpec {
        instance: format!("i-{n}"),
        eni: format!("eni-{n}"),
        subnet: subnet.into(),
        vpc: "vpc-1".into(),
        ips: vec![(ip.into(), public.map(str::to_string))],
        sgs: groups.iter().map(|g| g.to_string()).collect(),
        state: "running".into(),
        attached: true,
        source_dest_check: true,
    }
}

/// [`base`] with i-a (10.0.0.10, subnet a) and i-b (10.0.1.10, subnet b),
/// both in sg-open.
fn two_subnets(routes: Vec<Value>) -> Snap {
    two_subnets_b_groups(&["sg-open"], routes)
}

/// [`two_subnets`] with i-b carrying `b_groups`.
fn two_subnets_b_groups(b_groups: &[&str], routes: Vec<Value>) -> Snap {
    let mut s = base(routes);
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", b_groups);
    s
}

/// An internet-facing vpc-1: igw-1 attached, main table 0.0.0.0/0 → igw-1,
/// i-a (10.0.0.10, public 54.0.0.10) in sg-web (tcp 80 and 22 from
/// anywhere, all out), i-b (10.0.1.10, no public address) in sg-open.
fn internet(extra_routes: Vec<Value>) -> Snap {
    let mut routes = vec![route("0.0.0.0/0", ("GatewayId", "igw-1"), "active")];
    routes.extend(extra_routes);
    let mut s = base(routes);
    s.igw("igw-1", Some("vpc-1")).sg(
        "sg-web",
        "vpc-1",
        vec![
            sg_cidr("tcp", Some((80, 80)), "0.0.0.0/0"),
            sg_cidr("tcp", Some((22, 22)), "0.0.0.0/0"),
        ],
        sg_allow_all_out(),
    );
    s.instance_full(vm_spec(
        "a",
        "subnet-a",
        "10.0.0.10",
        Some("54.0.0.10"),
        &["sg-web"],
    ));
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-open"]);
    s
}

/// vpc-1 (10.0.0.0/16, i-a 10.0.0.10) peered by pcx-1 (`status`) with
/// vpc-2 (10.1.0.0/16, i-x 10.1.0.10). Each main table routes the other
/// VPC's CIDR to pcx-1 (vpc-2's only when `route_back`).
fn peered(status: &str, route_back: bool) -> Snap {
    let mut s = Snap::new();
    s.vpc("vpc-1", "10.0.0.0/16")
        .vpc("vpc-2", "10.1.0.0/16")
        .subnet("subnet-a", "vpc-1", "10.0.0.0/24")
        .subnet("subnet-x", "vpc-2", "10.1.0.0/24")
        .route_table(
            "rtb-1",
            "vpc-1",
            "10.0.0.0/16",
            true,
            &[],
            vec![route(
                "10.1.0.0/16",
                ("VpcPeeringConnectionId", "pcx-1"),
                "active",
            )],
        )
        .route_table(
            "rtb-2",
            "vpc-2",
            "10.1.0.0/16",
            true,
            &[],
            if route_back {
                vec![route(
                    "10.0.0.0/16",
                    ("VpcPeeringConnectionId", "pcx-1"),
                    "active",
                )]
            } else {
                vec![]
            },
        )
        .acl("acl-1", "vpc-1", true, &[], nacl_allow_all())
        .acl("acl-2", "vpc-2", true, &[], nacl_allow_all())
        .sg(
            "sg-a",
            "vpc-1",
            vec![sg_cidr("-1", None, "10.0.0.0/8")],
            sg_allow_all_out(),
        )
        .sg(
            "sg-x",
            "vpc-2",
            vec![sg_cidr("-1", None, "10.0.0.0/8")],
            sg_allow_all_out(),
        )
        .peering(
            "pcx-1",
            ("vpc-1", "10.0.0.0/16"),
            ("vpc-2", "10.1.0.0/16"),
            status,
        );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-a"]);
    s.instance("i-x", "eni-x", "subnet-x", "vpc-2", "10.1.0.10", &["sg-x"]);
    s
}

fn with_sport(mut q: PathQuery, from: u16, to: u16) -> PathQuery {
    q.sport = Some((from, to));
    q
}

// ================================================================ C1 SGs

/// C1.1: rules are unioned over every SG of the ENI; what no rule of any
/// of them allows is blocked, naming the ENI and its groups.
#[test]
fn c1_1_sg_rules_are_unioned_across_groups() {
    let mut s = two_subnets_b_groups(&["sg-web", "sg-ssh"], vec![]);
    s.sg(
        "sg-web",
        "vpc-1",
        vec![sg_cidr("tcp", Some((80, 80)), "10.0.0.0/16")],
        vec![],
    )
    .sg(
        "sg-ssh",
        "vpc-1",
        vec![sg_cidr("tcp", Some((22, 22)), "10.0.0.0/16")],
        vec![],
    );
    assert_found(&run(&s, query("i-a", "i-b", 6, Some((80, 80)))));
    assert_found(&run(&s, query("i-a", "i-b", 6, Some((22, 22)))));
    let a = run(&s, query("i-a", "i-b", 6, Some((443, 443))));
    let e = blocker(&a, "ENI_SG_RULES_MISMATCH", "eni-b", false);
    assert_eq!(e.direction, Some(Direction::Ingress));
    for g in ["sg-web", "sg-ssh"] {
        assert!(e
            .components
            .iter()
            .any(|(k, c)| *k == "SecurityGroups" && c.id == g));
    }
}

/// C1.2: stateful — the reply needs no SG rule: i-a's group allows
/// nothing in, yet i-a's connection to i-b gets its replies; a connection
/// the other way is blocked at i-a's ingress.
#[test]
fn c1_2_sg_stateful_replies_need_no_rule() {
    let mut s = base(vec![]);
    s.sg(
        "sg-client",
        "vpc-1",
        vec![],
        vec![sg_cidr("tcp", Some((80, 80)), "10.0.1.0/24")],
    );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-client"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-open"]);
    let a = run(&s, query("i-a", "i-b", 6, Some((80, 80))));
    assert_found(&a);
    assert_eq!(a.return_found, Some(true));
    let back = run(&s, query("i-b", "i-a", 6, Some((80, 80))));
    let e = blocker(&back, "SG_HAS_NO_RULES", "eni-a", false);
    assert_eq!(e.direction, Some(Direction::Ingress));
}

/// C1.3: a group with no outbound rule lets nothing out.
#[test]
fn c1_3_sg_with_no_egress_rules_blocks() {
    let mut s = base(vec![]);
    s.sg(
        "sg-mute",
        "vpc-1",
        vec![sg_cidr("-1", None, "0.0.0.0/0")],
        vec![],
    );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-mute"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-open"]);
    let a = run(&s, query("i-a", "i-b", 6, Some((443, 443))));
    let e = blocker(&a, "SG_HAS_NO_RULES", "sg-mute", false);
    assert_eq!(e.direction, Some(Direction::Egress));
    assert!(e.components.iter().any(|(_, c)| c.id == "eni-a"));
}

/// C1.3: the default group admits all traffic from its own members and
/// nothing from others.
#[test]
fn c1_3_default_sg_allows_its_members_only() {
    let mut s = base(vec![]);
    s.sg(
        "sg-default",
        "vpc-1",
        vec![sg_ref("-1", None, "sg-default", None)],
        sg_allow_all_out(),
    );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-default"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-default"]);
    vm(&mut s, "c", "subnet-c", "10.0.2.10", &["sg-open"]);
    assert_found(&run(&s, query("i-a", "i-b", 17, Some((53, 53)))));
    assert_found(&run(&s, query("i-a", "i-b", 6, Some((5432, 5432)))));
    let a = run(&s, query("i-c", "i-b", 6, Some((5432, 5432))));
    assert_blocked(&a, "ENI_SG_RULES_MISMATCH", "eni-b", false);
}

/// C1.4: a prefix-list peer stands for the list's entries.
#[test]
fn c1_4_sg_prefix_list_peer_matches_its_entries() {
    let mut s = base(vec![]);
    s.prefix_list("pl-office", Some(&["10.0.0.0/24"])).sg(
        "sg-pl",
        "vpc-1",
        vec![sg_pl("tcp", Some((443, 443)), "pl-office")],
        vec![],
    );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-pl"]);
    vm(&mut s, "c", "subnet-c", "10.0.2.10", &["sg-open"]);
    assert_found(&run(&s, query("i-a", "i-b", 6, Some((443, 443)))));
    assert_blocked(
        &run(&s, query("i-c", "i-b", 6, Some((443, 443)))),
        "ENI_SG_RULES_MISMATCH",
        "eni-b",
        false,
    );
}

/// C1.4, C0, R-partial.4: a prefix list whose entries the snapshot lacks
/// might hold the peer: the answer is unknown instead of a guess.
#[test]
fn c1_4_sg_prefix_list_without_entries_is_unknown() {
    let mut s = base(vec![]);
    s.prefix_list("pl-unknown", None).sg(
        "sg-pl",
        "vpc-1",
        vec![sg_pl("tcp", Some((443, 443)), "pl-unknown")],
        vec![],
    );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-pl"]);
    // The rule might admit it (R-partial.4): unknown, never a mismatch.
    let a = run(&s, query("i-a", "i-b", 6, Some((443, 443))));
    assert_blocked(&a, "UNKNOWN_RESOURCE", "eni-b", false);
    assert!(
        a.explanations
            .iter()
            .any(|e| e.message.contains("pl-unknown")),
        "{:?}",
        a.explanations
    );
}

/// C1.5: an SG reference matches the private addresses of ENIs carrying
/// the group — not other ENIs, and never a public address.
#[test]
fn c1_5_sg_reference_matches_private_ips_only() {
    let mut s = internet(vec![]);
    s.sg(
        "sg-app",
        "vpc-1",
        vec![sg_ref("tcp", Some((8080, 8080)), "sg-web", None)],
        vec![],
    )
    .sg("sg-web-peer", "vpc-1", vec![], sg_allow_all_out());
    s.instance_full(vm_spec(
        "p",
        "subnet-c",
        "10.0.2.10",
        Some("54.0.2.10"),
        &["sg-app"],
    ));
    vm(&mut s, "c", "subnet-c", "10.0.2.20", &["sg-open"]);
    // i-a carries sg-web: its private address matches.
    assert_found(&run(&s, query("i-a", "i-p", 6, Some((8080, 8080)))));
    // i-c does not carry sg-web.
    assert_blocked(
        &run(&s, query("i-c", "i-p", 6, Some((8080, 8080)))),
        "ENI_SG_RULES_MISMATCH",
        "eni-p",
        false,
    );
    // i-a's public address, coming in from the internet, is not matched.
    let a = run(&s, query("54.0.0.10", "i-p", 6, Some((8080, 8080))));
    assert_blocked(&a, "ENI_SG_RULES_MISMATCH", "eni-p", false);
}

/// C1.5, C6.4: SG references work across an active peering (same Region).
#[test]
fn c1_5_sg_reference_across_active_peering() {
    let mut s = peered("active", true);
    s.sg(
        "sg-db",
        "vpc-2",
        vec![sg_ref(
            "tcp",
            Some((5432, 5432)),
            "sg-a",
            Some(("vpc-1", "pcx-1")),
        )],
        vec![],
    );
    s.instance(
        "i-db",
        "eni-db",
        "subnet-x",
        "vpc-2",
        "10.1.0.20",
        &["sg-db"],
    );
    assert_found(&run(&s, query("i-a", "i-db", 6, Some((5432, 5432)))));
    assert_blocked(
        &run(&s, query("i-x", "i-db", 6, Some((5432, 5432)))),
        "ENI_SG_RULES_MISMATCH",
        "eni-db",
        false,
    );
}

/// C1.5: the referenced group's members count only in this VPC or an
/// actively peered one: an ENI of an unpeered (or no longer peered) VPC
/// that carries the group and happens to have the source's address (the
/// VPCs overlap) does not make the reference match.
#[test]
fn c1_5_sg_reference_ignores_members_in_unpeered_vpcs() {
    for peering in [None, Some("deleted")] {
        let mut s = base(vec![]);
        s.vpc("vpc-9", "10.0.0.0/16")
            .subnet("subnet-9", "vpc-9", "10.0.0.0/24")
            .sg("sg-far", "vpc-9", vec![], sg_allow_all_out())
            .sg(
                "sg-by-far-ref",
                "vpc-1",
                vec![sg_ref(
                    "tcp",
                    Some((22, 22)),
                    "sg-far",
                    Some(("vpc-9", "pcx-9")),
                )],
                vec![],
            );
        if let Some(status) = peering {
            s.peering(
                "pcx-9",
                ("vpc-1", "10.0.0.0/16"),
                ("vpc-9", "10.0.0.0/16"),
                status,
            );
        }
        s.instance(
            "i-far",
            "eni-far",
            "subnet-9",
            "vpc-9",
            "10.0.0.10",
            &["sg-far"],
        );
        vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
        vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-by-far-ref"]);
        let a = run(&s, query("eni-a", "i-b", 6, Some((22, 22))));
        assert_blocked(&a, "ENI_SG_RULES_MISMATCH", "eni-b", false);
    }
}

/// C1.6: protocol -1 matches every protocol and port; a tcp rule matches
/// tcp only.
#[test]
fn c1_6_protocol_all_matches_every_protocol_and_port() {
    let mut s = base(vec![]);
    s.sg(
        "sg-all",
        "vpc-1",
        vec![sg_cidr("-1", None, "10.0.0.0/24")],
        vec![],
    )
    .sg(
        "sg-tcp",
        "vpc-1",
        vec![sg_cidr("tcp", Some((0, 65535)), "10.0.0.0/24")],
        vec![],
    );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-all"]);
    vm(&mut s, "c", "subnet-c", "10.0.2.10", &["sg-tcp"]);
    for (proto, port) in [(6u8, 5432u16), (17, 53), (47, 0), (1, 8)] {
        assert_found(&run(&s, query("i-a", "i-b", proto, Some((port, port)))));
    }
    assert_found(&run(&s, query("i-a", "i-c", 6, Some((5432, 5432)))));
    assert_blocked(
        &run(&s, query("i-a", "i-c", 17, Some((53, 53)))),
        "ENI_SG_RULES_MISMATCH",
        "eni-c",
        false,
    );
}

/// C1.7: ICMP rules name the type (FromPort) and code (ToPort); -1 = all.
#[test]
fn c1_7_sg_icmp_type_and_code() {
    let mut s = base(vec![]);
    s.sg(
        "sg-icmp",
        "vpc-1",
        vec![
            sg_cidr("icmp", Some((8, -1)), "10.0.0.0/24"),
            sg_cidr("icmp", Some((3, 4)), "10.0.0.0/24"),
        ],
        vec![],
    );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-icmp"]);
    assert_found(&run(&s, query("i-a", "i-b", 1, Some((8, 8)))));
    assert_blocked(
        &run(&s, query("i-a", "i-b", 1, Some((13, 13)))),
        "ENI_SG_RULES_MISMATCH",
        "eni-b",
        false,
    );
    // Destination unreachable: code 4 (fragmentation needed) only.
    let a = run(&s, query("i-a", "i-b", 1, Some((3, 3))));
    assert_found(&a);
    let h = Header {
        src: ip("10.0.0.10"),
        dst: ip("10.0.1.10"),
        proto: 1,
        sport: 3,
        dport: 4,
    };
    assert!(a.admitted.contains(&h));
    assert!(!a.admitted.contains(&Header { dport: 1, ..h }));
}

/// C1.8: an IPv6 rule never matches IPv4 traffic.
#[test]
fn c1_8_ipv6_rules_never_match_ipv4() {
    let mut s = base(vec![]);
    let mut v6 = sg_cidr("-1", None, "0.0.0.0/0");
    v6["IpRanges"] = serde_json::json!([]);
    v6["Ipv6Ranges"] = serde_json::json!([{"CidrIpv6": "::/0"}]);
    s.sg("sg-v6", "vpc-1", vec![v6], vec![]);
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-v6"]);
    assert_blocked(
        &run(&s, query("i-a", "i-b", 6, Some((22, 22)))),
        "ENI_SG_RULES_MISMATCH",
        "eni-b",
        false,
    );
}

/// C1.10: behind an appliance the destination's SG must allow the
/// source's address: an SG reference does not match forwarded traffic.
#[test]
fn c1_10_sg_reference_does_not_match_through_an_appliance() {
    // Subnet a's traffic to subnet b goes through eni-fw (subnet c).
    let mut s = base(vec![]);
    s.route_table(
        "rtb-a",
        "vpc-1",
        "10.0.0.0/16",
        false,
        &["subnet-a"],
        vec![route(
            "10.0.1.0/24",
            ("NetworkInterfaceId", "eni-fw"),
            "active",
        )],
    )
    .sg("sg-client", "vpc-1", vec![], sg_allow_all_out())
    .sg(
        "sg-by-ref",
        "vpc-1",
        vec![sg_ref("tcp", Some((443, 443)), "sg-client", None)],
        vec![],
    )
    .sg(
        "sg-by-cidr",
        "vpc-1",
        vec![sg_cidr("tcp", Some((443, 443)), "10.0.0.0/24")],
        vec![],
    );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-client"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-by-ref"]);
    vm(&mut s, "b2", "subnet-b", "10.0.1.20", &["sg-by-cidr"]);
    s.instance_full(InstanceSpec {
        source_dest_check: false,
        ..vm_spec("fw", "subnet-c", "10.0.2.10", None, &["sg-open"])
    });
    assert_blocked(
        &run(&s, query("i-a", "i-b", 6, Some((443, 443)))),
        "ENI_SG_RULES_MISMATCH",
        "eni-b",
        false,
    );
    let a = run(&s, query("i-a", "i-b2", 6, Some((443, 443))));
    assert_found(&a);
    assert!(
        a.forward.iter().any(|h| h.component.id == "eni-fw"),
        "the path goes through the appliance"
    );
}

// =============================================================== C2 NACLs

/// C2.1: a subnet without an explicit association uses the VPC's default
/// NACL; an explicit association replaces it.
#[test]
fn c2_1_subnet_without_explicit_acl_uses_the_default() {
    let mut s = two_subnets(vec![]);
    s.acls.clear();
    s.acl(
        "acl-default",
        "vpc-1",
        true,
        &[],
        vec![
            nacl(50, false, "6", "deny", "10.0.0.0/24", Some((22, 22)), None),
            nacl(100, false, "-1", "allow", "0.0.0.0/0", None, None),
            nacl(100, true, "-1", "allow", "0.0.0.0/0", None, None),
        ],
    );
    let a = run(&s, query("i-a", "i-b", 6, Some((22, 22))));
    assert_eq!(
        acl_rule_number(blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-default", false)),
        50
    );
    s.acl("acl-b", "vpc-1", false, &["subnet-b"], nacl_allow_all());
    assert_found(&run(&s, query("i-a", "i-b", 6, Some((22, 22)))));
}

/// C2.2: stateless — the reply crosses the NACLs again and needs the
/// client's ephemeral ports allowed outbound from the server's subnet.
#[test]
fn c2_2_return_traffic_needs_ephemeral_ports() {
    let mut s = two_subnets(vec![]);
    s.acl(
        "acl-b",
        "vpc-1",
        false,
        &["subnet-b"],
        vec![
            nacl(
                100,
                false,
                "6",
                "allow",
                "10.0.0.0/24",
                Some((80, 80)),
                None,
            ),
            nacl(
                100,
                true,
                "6",
                "allow",
                "10.0.0.0/24",
                Some((32768, 61000)),
                None,
            ),
        ],
    );
    let a = run(&s, query("i-a", "i-b", 6, Some((80, 80))));
    assert_found(&a);
    assert!(a
        .admitted
        .contains(&tcp("10.0.0.10", "10.0.1.10", 40000, 80)));
    assert!(!a
        .admitted
        .contains(&tcp("10.0.0.10", "10.0.1.10", 1000, 80)));
    // A client on a port outside 32768–61000 gets no reply.
    let a = run(
        &s,
        with_sport(query("i-a", "i-b", 6, Some((80, 80))), 1024, 5000),
    );
    assert!(a.forward_found);
    assert_eq!(a.return_found, Some(false));
    let e = blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-b", true);
    assert_eq!(acl_rule_number(e), 32767);
    assert_eq!(e.direction, Some(Direction::Egress));
}

/// C2.3: ascending rule number, first match wins — whatever the order in
/// the file.
#[test]
fn c2_3_nacl_first_match_wins() {
    let entries = |deny: i64, allow: i64| {
        vec![
            nacl(
                allow,
                false,
                "6",
                "allow",
                "10.0.0.0/24",
                Some((3306, 3306)),
                None,
            ),
            nacl(
                deny,
                false,
                "6",
                "deny",
                "10.0.0.0/16",
                Some((3306, 3306)),
                None,
            ),
            nacl(100, false, "-1", "allow", "0.0.0.0/0", None, None),
            nacl(100, true, "-1", "allow", "0.0.0.0/0", None, None),
        ]
    };
    let mut s = two_subnets(vec![]);
    s.acl("acl-b", "vpc-1", false, &["subnet-b"], entries(90, 95));
    let a = run(&s, query("i-a", "i-b", 6, Some((3306, 3306))));
    assert_eq!(
        acl_rule_number(blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-b", false)),
        90
    );
    let mut s = two_subnets(vec![]);
    s.acl("acl-b", "vpc-1", false, &["subnet-b"], entries(90, 85));
    assert_found(&run(&s, query("i-a", "i-b", 6, Some((3306, 3306)))));
}

/// C2.4: what no rule allows, the `*` rule denies.
#[test]
fn c2_4_implicit_star_rule_denies_the_rest() {
    let mut s = two_subnets(vec![]);
    s.acl(
        "acl-b",
        "vpc-1",
        false,
        &["subnet-b"],
        vec![
            nacl(
                100,
                false,
                "6",
                "allow",
                "10.0.0.0/24",
                Some((80, 80)),
                None,
            ),
            nacl(100, true, "-1", "allow", "0.0.0.0/0", None, None),
        ],
    );
    assert_found(&run(&s, query("i-a", "i-b", 6, Some((80, 80)))));
    let a = run(&s, query("i-a", "i-b", 6, Some((81, 81))));
    assert_eq!(
        acl_rule_number(blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-b", false)),
        32767
    );
}

/// C2.5: a new custom NACL (only the `*` rules) blocks everything.
#[test]
fn c2_5_new_custom_acl_blocks_everything() {
    let mut s = two_subnets(vec![]);
    s.acl("acl-new", "vpc-1", false, &["subnet-b"], vec![]);
    let a = run(&s, query("i-a", "i-b", 17, Some((53, 53))));
    let e = blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-new", false);
    assert_eq!(e.direction, Some(Direction::Ingress));
    assert!(e
        .components
        .iter()
        .any(|(k, c)| *k == "Subnet" && c.id == "subnet-b"));
}

/// C2.6: inbound rules match the source, outbound rules the destination;
/// IPv6 entries never match IPv4.
#[test]
fn c2_6_inbound_matches_source_outbound_matches_destination() {
    let mut s = two_subnets(vec![]);
    vm(&mut s, "c", "subnet-c", "10.0.2.10", &["sg-open"]);
    let mut v6 = nacl(10, false, "-1", "allow", "0.0.0.0/0", None, None);
    v6.as_object_mut().unwrap().remove("CidrBlock");
    v6["Ipv6CidrBlock"] = serde_json::json!("::/0");
    s.acl(
        "acl-b",
        "vpc-1",
        false,
        &["subnet-b"],
        vec![
            v6,
            nacl(100, false, "-1", "allow", "10.0.0.0/24", None, None),
            nacl(100, true, "-1", "allow", "10.0.0.0/24", None, None),
        ],
    );
    assert_found(&run(&s, query("i-a", "i-b", 6, Some((22, 22)))));
    // From subnet c: the inbound rule names a's range as source.
    let a = run(&s, query("i-c", "i-b", 6, Some((22, 22))));
    let e = blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-b", false);
    assert_eq!(
        (acl_rule_number(e), e.direction),
        (32767, Some(Direction::Ingress))
    );
    // From b to c: the outbound rule names a's range as destination.
    let a = run(&s, query("i-b", "i-c", 6, Some((22, 22))));
    let e = blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-b", false);
    assert_eq!(
        (acl_rule_number(e), e.direction),
        (32767, Some(Direction::Egress))
    );
}

/// C2.7, C10.4: the source subnet's NACL is checked on the way out.
#[test]
fn c2_7_nacl_checked_when_leaving_the_source_subnet() {
    let mut s = two_subnets(vec![]);
    s.acl(
        "acl-a",
        "vpc-1",
        false,
        &["subnet-a"],
        vec![
            nacl(10, true, "6", "deny", "10.0.1.0/24", Some((443, 443)), None),
            nacl(100, true, "-1", "allow", "0.0.0.0/0", None, None),
            nacl(100, false, "-1", "allow", "0.0.0.0/0", None, None),
        ],
    );
    let a = run(&s, query("i-a", "i-b", 6, Some((443, 443))));
    let e = blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-a", false);
    assert_eq!(
        (acl_rule_number(e), e.direction),
        (10, Some(Direction::Egress))
    );
    assert_found(&run(&s, query("i-a", "i-b", 6, Some((80, 80)))));
}

// ============================================================ C3 routing

/// C3.1: an explicit association wins over the main table.
#[test]
fn c3_1_explicit_association_beats_main_table() {
    let mut s = internet(vec![]);
    s.route_table(
        "rtb-private",
        "vpc-1",
        "10.0.0.0/16",
        false,
        &["subnet-a"],
        vec![],
    );
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((80, 80))));
    assert_blocked(&a, "NO_ROUTE_TO_DESTINATION", "rtb-private", false);
    // Subnet c stays on the main table.
    s.instance_full(vm_spec(
        "c",
        "subnet-c",
        "10.0.2.10",
        Some("54.0.2.10"),
        &["sg-web"],
    ));
    assert_found(&run(&s, query("i-c", "8.8.8.8", 6, Some((80, 80)))));
}

/// C3.3, C10.3: traffic inside one subnet uses no route (a blackhole for
/// the subnet's own range changes nothing).
#[test]
fn c3_3_same_subnet_uses_no_route() {
    let mut s = base(vec![route(
        "10.0.0.0/24",
        ("NetworkInterfaceId", "eni-gone"),
        "blackhole",
    )]);
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "a2", "subnet-a", "10.0.0.20", &["sg-open"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-open"]);
    assert_found(&run(&s, query("i-a", "i-a2", 6, Some((22, 22)))));
    // From another subnet the blackhole (longer than local) applies.
    assert_blocked(
        &run(&s, query("i-b", "i-a", 6, Some((22, 22)))),
        "BAD_STATE_ROUTE",
        "rtb-main",
        false,
    );
}

/// C3.4: the local route delivers inside the VPC.
#[test]
fn c3_4_local_route_delivers_inside_the_vpc() {
    let s = two_subnets(vec![]);
    let a = run(&s, query("i-a", "i-b", 6, Some((22, 22))));
    assert_found(&a);
    let hop = a
        .forward
        .iter()
        .find(|h| h.route.is_some())
        .expect("a route hop");
    assert_eq!(hop.component.id, "rtb-main");
    assert_eq!(
        hop.route.as_ref().unwrap().target,
        vpcreach::model::RouteTarget::Local
    );
}

/// C3.5: longest prefix wins; C3.7: a blackhole drops and does not fall
/// back to a shorter route.
#[test]
fn c3_7_blackhole_does_not_fall_back() {
    let s = internet(vec![route(
        "8.8.8.0/24",
        ("GatewayId", "igw-old"),
        "blackhole",
    )]);
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((80, 80))));
    let e = blocker(&a, "BAD_STATE_ROUTE", "rtb-main", false);
    assert_eq!(
        e.route.as_ref().map(|r| r.target.id().to_string()),
        Some("igw-old".to_string())
    );
    assert_found(&run(&s, query("i-a", "1.1.1.1", 6, Some((80, 80)))));
}

/// C3.5: longest-prefix match: the more specific route wins whatever its
/// position in the table.
#[test]
fn c3_5_longest_prefix_wins() {
    let mut s = peered("active", true);
    s.route_tables[0]["Routes"]
        .as_array_mut()
        .unwrap()
        .push(route(
            "10.1.0.16/28",
            ("NatGatewayId", "nat-nowhere"),
            "blackhole",
        ));
    s.instance("i-y", "eni-y", "subnet-x", "vpc-2", "10.1.0.20", &["sg-x"]);
    assert_found(&run(&s, query("i-a", "i-x", 6, Some((22, 22)))));
    assert_blocked(
        &run(&s, query("i-a", "i-y", 6, Some((22, 22)))),
        "BAD_STATE_ROUTE",
        "rtb-1",
        false,
    );
}

/// C3.5: a prefix-list destination covers the list's entries.
#[test]
fn c3_5_prefix_list_destination() {
    let mut s = internet(vec![]);
    s.route_tables[0]["Routes"]
        .as_array_mut()
        .unwrap()
        .remove(1); // no default route
    s.route_tables[0]["Routes"]
        .as_array_mut()
        .unwrap()
        .push(route("pl-cdn", ("GatewayId", "igw-1"), "active"));
    s.prefix_list("pl-cdn", Some(&["1.1.1.0/24", "9.9.9.0/24"]));
    assert_found(&run(&s, query("i-a", "9.9.9.9", 6, Some((80, 80)))));
    assert_blocked(
        &run(&s, query("i-a", "8.8.8.8", 6, Some((80, 80)))),
        "NO_ROUTE_TO_DESTINATION",
        "rtb-main",
        false,
    );
}

/// C3.6: for the same prefix, a static CIDR route beats a prefix-list
/// route, which beats a propagated route.
#[test]
fn c3_6_static_beats_prefix_list_beats_propagated() {
    let propagated = |target: &str, state: &str| {
        let mut r = route("8.8.8.0/24", ("GatewayId", target), state);
        r["Origin"] = serde_json::json!("EnableVgwRoutePropagation");
        r
    };
    // Static CIDR → igw (works) vs prefix list → blackhole: static wins.
    let mut s = internet(vec![
        route("pl-dns", ("GatewayId", "igw-gone"), "blackhole"),
        route("8.8.8.0/24", ("GatewayId", "igw-1"), "active"),
    ]);
    s.prefix_list("pl-dns", Some(&["8.8.8.0/24"]));
    assert_found(&run(&s, query("i-a", "8.8.8.8", 6, Some((80, 80)))));
    // Prefix list → blackhole vs propagated → igw: the prefix list wins.
    let mut s = internet(vec![
        propagated("igw-1", "active"),
        route("pl-dns", ("GatewayId", "igw-gone"), "blackhole"),
    ]);
    s.prefix_list("pl-dns", Some(&["8.8.8.0/24"]));
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((80, 80))));
    let e = blocker(&a, "BAD_STATE_ROUTE", "rtb-main", false);
    assert_eq!(e.route.as_ref().unwrap().target.id(), "igw-gone");
    // Propagated → blackhole vs static → igw: static wins.
    let s = internet(vec![
        propagated("vgw-1", "blackhole"),
        route("8.8.8.0/24", ("GatewayId", "igw-1"), "active"),
    ]);
    assert_found(&run(&s, query("i-a", "8.8.8.8", 6, Some((80, 80)))));
}

// ====================================== C3.10 VPN (docs/semantics-additions.md)

/// [`two_subnets`] whose main table sends `0.0.0.0/0` (and `extra`) to
/// vgw-1, attached to vpc-1, with one available VPN connection vpn-1:
/// `static_only` is its `Options.StaticRoutesOnly` (None: no `Options`),
/// `routes` its available static routes, `tunnels` its `VgwTelemetry`
/// statuses.
fn vpn(static_only: Option<bool>, routes: &[&str], tunnels: &[&str], extra: Vec<Value>) -> Snap {
    let mut table = vec![route("0.0.0.0/0", ("GatewayId", "vgw-1"), "active")];
    table.extend(extra);
    let mut s = two_subnets(table);
    s.item(
        "vpn-gateways.json",
        "VpnGateways",
        serde_json::json!({"AmazonSideAsn": 64512, "VpnGatewayId": "vgw-1", "State": "available",
               "Type": "ipsec.1", "VpcAttachments": [{"VpcId": "vpc-1", "State": "attached"}]}),
    );
    let mut c = serde_json::json!({
        "VpnConnectionId": "vpn-1", "VpnGatewayId": "vgw-1", "CustomerGatewayId": "cgw-1",
        "Category": "VPN", "State": "available", "Type": "ipsec.1",
        "Routes": routes.iter().map(|r| serde_json::json!(
            {"DestinationCidrBlock": r, "Source": "Static", "State": "available"})).collect::<Vec<_>>(),
        "VgwTelemetry": tunnels.iter().enumerate().map(|(i, t)| serde_json::json!(
            {"AcceptedRouteCount": 0, "OutsideIpAddress": format!("3.0.0.{i}"),
             "LastStatusChange": "2024-05-20T06:41:09+00:00", "Status": t,
             "StatusMessage": if *t == "DOWN" { "IPSEC IS DOWN" } else { "" }})).collect::<Vec<_>>(),
    });
    if let Some(b) = static_only {
        c["Options"] = serde_json::json!({"StaticRoutesOnly": b});
    }
    s.item("vpn-connections.json", "VpnConnections", c);
    s
}

fn vgw_propagated(dest: &str) -> Value {
    let mut r = route(dest, ("GatewayId", "vgw-1"), "active");
    r["Origin"] = serde_json::json!("EnableVgwRoutePropagation");
    r
}

/// The packet `i-a` sends, as the reference evaluator sees it.
fn reference_verdict(s: &Snap, dst: &str, dport: u16) -> reference::Verdict {
    reference::evaluate(&s.network(), "eni-a", tcp("10.0.0.10", dst, 50000, dport))
}

/// C3.10a: a VGW sends into a static VPN connection only the destinations
/// its static routes name: `0.0.0.0/0` → VGW does not make 8.8.8.8
/// reachable (issue 14, item 1).
#[test]
fn c3_10a_static_vpn_carries_only_its_static_routes() {
    let s = vpn(Some(true), &["19.168.0.0/16"], &["UP", "UP"], vec![]);
    assert_found(&run(&s, query("i-a", "19.168.1.10", 6, Some((443, 443)))));
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((443, 443))));
    assert_blocked(&a, "NO_ROUTE_TO_DESTINATION", "vpn-1", false);
    assert!(reference_verdict(&s, "19.168.1.10", 443).reachable());
    let r = reference_verdict(&s, "8.8.8.8", 443);
    assert_eq!(r.blocker.map(|b| b.code), Some("NO_ROUTE_TO_DESTINATION"));
}

/// C3.10a: routes that are not `available` (pending, deleting, deleted)
/// carry nothing.
#[test]
fn c3_10a_only_available_static_routes_count() {
    let mut s = vpn(Some(true), &[], &["UP", "UP"], vec![]);
    s.others.retain(|(f, _, _)| f != "vpn-connections.json");
    s.item(
        "vpn-connections.json",
        "VpnConnections",
        serde_json::json!({"VpnConnectionId": "vpn-1", "VpnGatewayId": "vgw-1", "State": "available",
            "Options": {"StaticRoutesOnly": true}, "Type": "ipsec.1",
            "Routes": [{"DestinationCidrBlock": "19.168.0.0/16", "Source": "Static", "State": "pending"}],
            "VgwTelemetry": [{"OutsideIpAddress": "3.0.0.1", "Status": "UP"}]}),
    );
    let a = run(&s, query("i-a", "19.168.1.10", 6, Some((443, 443))));
    assert_blocked(&a, "NO_ROUTE_TO_DESTINATION", "vpn-1", false);
}

/// C3.10a on the return path: on-premises traffic enters, but the reply to
/// a source no static route covers is dropped at the VGW.
#[test]
fn c3_10a_reply_to_an_unrouted_on_premises_source_is_dropped() {
    let s = vpn(Some(true), &["19.168.0.0/16"], &["UP", "UP"], vec![]);
    let a = run(&s, query("10.200.0.5", "i-a", 6, Some((22, 22))));
    assert_blocked(&a, "NO_ROUTE_TO_DESTINATION", "vpn-1", true);
}

/// C3.10b: a BGP connection routes what the customer gateway advertises,
/// which no describe call shows: a propagated route proves a destination,
/// anything else beyond the VGW is unknown, never reachable.
#[test]
fn c3_10b_bgp_vpn_is_known_only_through_propagated_routes() {
    let s = vpn(
        Some(false),
        &[],
        &["UP", "DOWN"],
        vec![vgw_propagated("172.16.0.0/12")],
    );
    assert_found(&run(&s, query("i-a", "172.16.5.5", 6, Some((443, 443)))));
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((443, 443))));
    assert_blocked(&a, "UNKNOWN_DESTINATION", "vgw-1", false);
    assert!(reference_verdict(&s, "172.16.5.5", 443).reachable());
    let r = reference_verdict(&s, "8.8.8.8", 443);
    assert_eq!(r.blocker.map(|b| b.code), Some("UNKNOWN_DESTINATION"));
}

/// C3.10b: without `Options.StaticRoutesOnly` the routing type is unknown,
/// so destinations beyond the static routes are unknown too.
#[test]
fn c3_10b_unknown_routing_type_is_treated_as_bgp() {
    let s = vpn(None, &["19.168.0.0/16"], &["UP", "UP"], vec![]);
    assert_found(&run(&s, query("i-a", "19.168.1.10", 6, Some((443, 443)))));
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((443, 443))));
    assert_blocked(&a, "UNKNOWN_DESTINATION", "vpn-1", false);
}

/// C3.10d: on-premises traffic into the VPC through a BGP connection gets
/// its reply only to what the customer gateway is known to advertise (a
/// route propagated from the VGW); the reply to any other on-premises
/// source is unknown beyond the VGW, never reachable.
#[test]
fn c3_10d_reply_to_on_premises_outside_bgp_routes_is_unknown() {
    let s = vpn(
        Some(false),
        &[],
        &["UP", "UP"],
        vec![vgw_propagated("10.128.0.0/9")],
    );
    assert_found(&run(&s, query("10.128.5.5", "i-a", 6, Some((22, 22)))));
    let a = run(&s, query("10.64.0.5", "i-a", 6, Some((22, 22))));
    assert!(!a.path_found(), "{:?}", explanations(&a));
    assert_blocked(&a, "UNKNOWN_DESTINATION", "vgw-1", true);
}

/// C3.10c: a connection whose tunnels are all DOWN carries nothing, in
/// either direction, even to destinations it routes.
#[test]
fn c3_10c_all_tunnels_down_carries_nothing() {
    let s = vpn(Some(true), &["19.168.0.0/16"], &["DOWN", "DOWN"], vec![]);
    for dst in ["8.8.8.8", "19.168.1.10"] {
        let a = run(&s, query("i-a", dst, 6, Some((443, 443))));
        assert_blocked(&a, "BAD_STATE_VPN", "vpn-1", false);
        let r = reference_verdict(&s, dst, 443);
        assert_eq!(r.blocker.map(|b| b.code), Some("BAD_STATE_VPN"));
    }
    let a = run(&s, query("vgw-1", "i-a", 6, Some((22, 22))));
    assert_blocked(&a, "BAD_STATE_VPN", "vpn-1", false);
    // One tunnel up is enough.
    let s = vpn(Some(true), &["19.168.0.0/16"], &["DOWN", "UP"], vec![]);
    assert_found(&run(&s, query("i-a", "19.168.1.10", 6, Some((443, 443)))));
}

// ================================================================ C4 IGW

/// C4.1: an IGW works only while attached.
#[test]
fn c4_1_detached_igw_carries_nothing() {
    let mut s = internet(vec![]);
    s.igws.clear();
    s.igw("igw-1", None);
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((80, 80))));
    assert_blocked(&a, "BAD_STATE_ATTACHMENT", "igw-1", false);
}

/// C4.2: egress to the internet needs a public IPv4 address; the IGW maps
/// it 1:1 (auto-assigned or Elastic IP).
#[test]
fn c4_2_egress_needs_a_public_address() {
    let mut s = internet(vec![]);
    let a = run(&s, query("i-b", "8.8.8.8", 6, Some((443, 443))));
    assert_blocked(&a, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", "igw-1", false);
    s.eip("52.0.1.10", "eni-b", "10.0.1.10");
    let a = run(&s, query("i-b", "8.8.8.8", 6, Some((443, 443))));
    assert_found(&a);
    assert!(a
        .admitted
        .contains(&tcp("10.0.1.10", "8.8.8.8", 50000, 443)));
}

/// C4.3: from the internet, only public addresses mapped to attached ENIs
/// are reachable.
#[test]
fn c4_3_ingress_only_to_mapped_public_addresses() {
    let s = internet(vec![]);
    let a = run(&s, query("internet", "i-a", 6, Some((80, 80))));
    assert_found(&a);
    let a = run(&s, query("internet", "i-b", 6, Some((80, 80))));
    assert_blocked(&a, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "igw-1", false);
}

/// C4.4: the IGW drops outbound traffic to RFC 1918 / RFC 6598 addresses.
#[test]
fn c4_4_igw_drops_rfc1918_destinations() {
    let s = internet(vec![]);
    let a = run(&s, query("i-a", "172.16.0.9", 6, Some((80, 80))));
    assert_blocked(
        &a,
        "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS",
        "igw-1",
        false,
    );
    let a = run(&s, query("i-a", "100.64.1.1", 6, Some((80, 80))));
    assert_blocked(
        &a,
        "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS",
        "igw-1",
        false,
    );
}

/// C4.4: … and inbound traffic from RFC 1918 / RFC 6598 sources. (A
/// private outside address given as `--source` is taken to be on
/// premises; here the traffic is named as arriving at the IGW.)
#[test]
fn c4_4_igw_drops_rfc1918_sources() {
    let s = internet(vec![]);
    let from_igw = |source_ip: &str| PathQuery {
        source_ip: Some(source_ip.parse().unwrap()),
        ..query("igw-1", "54.0.0.10", 6, Some((80, 80)))
    };
    let a = run(&s, from_igw("192.168.1.1"));
    assert_blocked(
        &a,
        "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS",
        "igw-1",
        false,
    );
    let a = run(&s, from_igw("100.64.0.5"));
    assert_blocked(
        &a,
        "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS",
        "igw-1",
        false,
    );
    assert_found(&run(&s, from_igw("8.8.8.8")));
    assert_found(&run(&s, query("8.8.8.8", "54.0.0.10", 6, Some((80, 80)))));
}

/// C4.5, decided by INET.5 of docs/semantics-additions.md: a hairpin
/// through the IGW to a public address of the same VPC goes out and back
/// in through that IGW, as AWS forwards it (RA does not analyse it); the
/// destination sees the public source address. Paths through the internet
/// between VPCs: tests/internet_paths.rs.
#[test]
fn c4_5_hairpin_to_own_public_address_goes_out_and_back_in() {
    let mut s = internet(vec![]);
    s.instance_full(vm_spec(
        "c",
        "subnet-c",
        "10.0.2.10",
        Some("54.0.2.10"),
        &["sg-web"],
    ));
    let a = run(&s, query("i-c", "54.0.0.10", 6, Some((80, 80))));
    assert_found(&a);
    let ids: Vec<&str> = a.forward.iter().map(|h| h.component.id.as_str()).collect();
    let i = ids
        .iter()
        .position(|id| *id == "internet")
        .expect("internet hop");
    assert_eq!((ids[i - 1], ids[i + 1]), ("igw-1", "igw-1"));
    assert_eq!(ids.last(), Some(&"eni-a"));
    // sg-web admits tcp/80 from anywhere; tcp/22 from the VPC only would not
    // admit the hairpin (its source is 54.0.2.10).
    assert!(a
        .admitted
        .contains(&tcp("10.0.2.10", "54.0.0.10", 40000, 80)));
}

// ========================================================== C5 NAT gateway

/// A private subnet a (rtb-private: 0.0.0.0/0 → nat-1) behind nat-1 in the
/// public subnet b (main table → igw-1). i-p (10.0.0.20) has no public IP.
fn nat_world(nat_state: &str, public: bool) -> Snap {
    nat_world_at(nat_state, public, "10.0.1.200")
}

/// [`nat_world`] with nat-1 at `nat_ip`.
fn nat_world_at(nat_state: &str, public: bool, nat_ip: &str) -> Snap {
    let mut s = internet(vec![]);
    s.route_table(
        "rtb-private",
        "vpc-1",
        "10.0.0.0/16",
        false,
        &["subnet-a"],
        vec![route("0.0.0.0/0", ("NatGatewayId", "nat-1"), "active")],
    );
    s.nat(
        "nat-1",
        "vpc-1",
        "subnet-b",
        nat_ip,
        if public { Some("3.3.3.3") } else { None },
        nat_state,
        Some("eni-nat"),
    );
    vm(&mut s, "p", "subnet-a", "10.0.0.20", &["sg-open"]);
    s
}

/// C5.2: the NAT gateway rewrites the source (then the IGW maps its EIP);
/// replies come back to the original source.
#[test]
fn c5_2_nat_gateway_source_nat_for_a_private_subnet() {
    let s = nat_world("available", true);
    let a = run(&s, query("i-p", "8.8.8.8", 6, Some((443, 443))));
    assert_found(&a);
    assert_eq!(a.return_found, Some(true));
    let ids: Vec<&str> = a.forward.iter().map(|h| h.component.id.as_str()).collect();
    assert!(ids.contains(&"nat-1") && ids.contains(&"igw-1"), "{ids:?}");
    assert!(a
        .admitted
        .contains(&tcp("10.0.0.20", "8.8.8.8", 50000, 443)));
}

/// C5.2 with C4.2: the ENI a NAT gateway names in NatGatewayAddresses is in
/// use by it, so the IGW maps its Elastic IP even when the ENI reports
/// InterfaceType `interface` without an attachment (as moto prints it).
#[test]
fn c5_2_nat_eni_reported_as_plain_interface_still_maps_its_eip() {
    let mut s = nat_world("available", true);
    let eni = s
        .enis
        .iter_mut()
        .find(|e| e["NetworkInterfaceId"] == "eni-nat")
        .unwrap();
    eni["InterfaceType"] = "interface".into();
    eni["RequesterManaged"] = false.into();
    let a = run(&s, query("i-p", "8.8.8.8", 6, Some((443, 443))));
    assert_found(&a);
    assert_eq!(a.return_found, Some(true));
}

/// A NAT gateway whose private address is outside its subnet's CIDR is
/// inconsistent input: the loader says so, naming the gateway, and the
/// address is not moved into the subnet (replies to it find no subnet).
#[test]
fn c5_2_nat_address_outside_its_subnet_is_warned_not_invented() {
    let s = nat_world_at("available", true, "10.226.247.23");
    let docs = s.docs();
    let snap =
        vpcreach::snapshot::load_documents(docs.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .unwrap();
    let nat_warning = snap
        .warnings
        .iter()
        .find(|w| w.message.contains("NAT gateway nat-1"))
        .unwrap_or_else(|| panic!("{:?}", snap.warnings));
    assert!(
        nat_warning.message.contains("10.226.247.23")
            && nat_warning.message.contains("outside its subnet subnet-b"),
        "{}",
        nat_warning.message
    );
    assert!(snap.warnings.iter().any(|w| w
        .message
        .contains("eni-nat has private address 10.226.247.23")));
    let a = analyze(&snap.network, &query("i-p", "8.8.8.8", 6, Some((443, 443))));
    assert_blocked(&a, "UNKNOWN_DESTINATION", "vpc-1", true);
}

/// C5.3: nobody can open a connection to a NAT gateway.
#[test]
fn c5_3_nat_no_inbound() {
    let s = nat_world("available", true);
    let a = run(&s, query("8.8.8.8", "3.3.3.3", 6, Some((443, 443))));
    assert_blocked(&a, "NO_PATH", "nat-1", false);
    let a = run(&s, query("i-b", "10.0.1.200", 6, Some((443, 443))));
    assert_blocked(&a, "NO_PATH", "nat-1", false);
}

/// C5.4, C6.3: a peer VPC cannot use this VPC's NAT gateway.
#[test]
fn c5_4_peer_vpc_cannot_use_the_nat_gateway() {
    let mut s = peered("active", true);
    s.route_tables[1]["Routes"]
        .as_array_mut()
        .unwrap()
        .push(route(
            "0.0.0.0/0",
            ("VpcPeeringConnectionId", "pcx-1"),
            "active",
        ));
    s.nat(
        "nat-1",
        "vpc-1",
        "subnet-a",
        "10.0.0.200",
        Some("3.3.3.3"),
        "available",
        Some("eni-nat"),
    );
    let a = run(&s, query("i-x", "8.8.8.8", 6, Some((443, 443))));
    assert_blocked(&a, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", "pcx-1", false);
}

/// C5.5: the NAT gateway's subnet NACL applies, on the way in from the
/// private subnet and to the replies on 1024–65535.
#[test]
fn c5_5_nat_subnet_nacl_applies() {
    let mut s = nat_world("available", true);
    s.acl(
        "acl-public",
        "vpc-1",
        false,
        &["subnet-b"],
        vec![
            nacl(
                100,
                false,
                "6",
                "allow",
                "10.0.0.0/24",
                Some((443, 443)),
                None,
            ),
            nacl(100, true, "-1", "allow", "0.0.0.0/0", None, None),
        ],
    );
    // The request enters subnet b from subnet a: allowed. The reply from
    // the internet to the NAT gateway's ephemeral port is not.
    let a = run(&s, query("i-p", "8.8.8.8", 6, Some((443, 443))));
    assert!(a.forward_found);
    assert_blocked(&a, "SUBNET_ACL_RESTRICTION", "acl-public", true);
    // Tcp/80 from subnet a does not even get in.
    let a = run(&s, query("i-p", "8.8.8.8", 6, Some((80, 80))));
    assert_blocked(&a, "SUBNET_ACL_RESTRICTION", "acl-public", false);
}

/// C5.5: a NAT gateway carries TCP, UDP and ICMP only.
#[test]
fn c5_5_nat_gateway_protocols() {
    let s = nat_world("available", true);
    assert_found(&run(&s, query("i-p", "8.8.8.8", 17, Some((53, 53)))));
    assert_found(&run(&s, query("i-p", "8.8.8.8", 1, Some((8, 8)))));
    assert_blocked(
        &run(&s, query("i-p", "8.8.8.8", 47, None)),
        "PROTOCOL_RESTRICTION",
        "nat-1",
        false,
    );
}

/// C5.6: the NAT gateway must be available.
#[test]
fn c5_6_failed_nat_gateway_bad_state() {
    let s = nat_world("failed", true);
    assert_blocked(
        &run(&s, query("i-p", "8.8.8.8", 6, Some((443, 443)))),
        "BAD_STATE",
        "nat-1",
        false,
    );
}

/// C5.1: a private NAT gateway has no public address; the IGW drops what
/// it sends.
#[test]
fn c5_1_private_nat_gateway_cannot_reach_the_internet() {
    let s = nat_world("available", false);
    let a = run(&s, query("i-p", "8.8.8.8", 6, Some((443, 443))));
    assert_blocked(&a, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", "igw-1", false);
}

// ============================================================ C6 peering

/// C6.1: only an active peering carries traffic.
#[test]
fn c6_1_inactive_peering_bad_state() {
    for status in ["pending-acceptance", "deleted", "rejected"] {
        let s = peered(status, true);
        let a = run(&s, query("i-a", "i-x", 6, Some((22, 22))));
        assert_blocked(&a, "BAD_STATE", "pcx-1", false);
    }
    assert_found(&run(
        &peered("active", true),
        query("i-a", "i-x", 6, Some((22, 22))),
    ));
}

/// C6.2: both sides need routes; without the route back the reply has
/// no way home.
#[test]
fn c6_2_peering_needs_routes_on_both_sides() {
    let a = run(
        &peered("active", false),
        query("i-a", "i-x", 6, Some((22, 22))),
    );
    assert!(a.forward_found);
    assert_eq!(a.return_found, Some(false));
    assert_blocked(&a, "NO_ROUTE_TO_DESTINATION", "rtb-2", true);
    let a = run(
        &peered("active", false),
        query("i-x", "i-a", 6, Some((22, 22))),
    );
    assert_blocked(&a, "NO_ROUTE_TO_DESTINATION", "rtb-2", false);
}

/// C6.3: peering is not transitive: vpc-1 cannot reach vpc-3 through
/// vpc-2, even with routes everywhere.
#[test]
fn c6_3_peering_not_transitive() {
    let mut s = peered("active", true);
    s.vpc("vpc-3", "10.2.0.0/16")
        .subnet("subnet-z", "vpc-3", "10.2.0.0/24")
        .route_table(
            "rtb-3",
            "vpc-3",
            "10.2.0.0/16",
            true,
            &[],
            vec![route(
                "10.0.0.0/8",
                ("VpcPeeringConnectionId", "pcx-23"),
                "active",
            )],
        )
        .acl("acl-3", "vpc-3", true, &[], nacl_allow_all())
        .sg(
            "sg-z",
            "vpc-3",
            vec![sg_cidr("-1", None, "10.0.0.0/8")],
            sg_allow_all_out(),
        )
        .peering(
            "pcx-23",
            ("vpc-2", "10.1.0.0/16"),
            ("vpc-3", "10.2.0.0/16"),
            "active",
        );
    s.instance("i-z", "eni-z", "subnet-z", "vpc-3", "10.2.0.10", &["sg-z"]);
    // vpc-1 sends all of 10.0.0.0/8 to pcx-1.
    s.route_tables[0]["Routes"]
        .as_array_mut()
        .unwrap()
        .push(route(
            "10.2.0.0/16",
            ("VpcPeeringConnectionId", "pcx-1"),
            "active",
        ));
    let a = run(&s, query("i-a", "i-z", 6, Some((22, 22))));
    let e = blocker(&a, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", "pcx-1", false);
    assert!(e.components.iter().any(|(_, c)| c.id == "vpc-2"));
}

// ======================================================= C10 ENIs, misc

/// C10.2: with source/destination check on, an appliance ENI drops
/// traffic that is not addressed to it; turned off, it forwards.
#[test]
fn c10_2_source_dest_check() {
    for check in [true, false] {
        let mut s = base(vec![]);
        s.route_table(
            "rtb-a",
            "vpc-1",
            "10.0.0.0/16",
            false,
            &["subnet-a"],
            vec![route(
                "10.0.1.0/24",
                ("NetworkInterfaceId", "eni-fw"),
                "active",
            )],
        );
        vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
        vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-open"]);
        s.instance_full(InstanceSpec {
            source_dest_check: check,
            ..vm_spec("fw", "subnet-c", "10.0.2.10", None, &["sg-open"])
        });
        let a = run(&s, query("i-a", "i-b", 6, Some((443, 443))));
        if check {
            assert_blocked(&a, "ENI_SOURCE_DEST_CHECK_RESTRICTION", "eni-fw", false);
        } else {
            assert_found(&a);
        }
    }
}

/// C10.3, C2.7: inside one subnet no NACL applies (the subnet's NACL
/// denies everything here); leaving it, the NACL does.
#[test]
fn c10_3_same_subnet_skips_nacl() {
    let mut s = base(vec![]);
    s.acl("acl-closed", "vpc-1", false, &["subnet-a"], vec![]);
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "a2", "subnet-a", "10.0.0.20", &["sg-open"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-open"]);
    let a = run(&s, query("i-a", "i-a2", 6, Some((22, 22))));
    assert_found(&a);
    assert!(!a
        .forward
        .iter()
        .chain(&a.ret)
        .any(|h| h.component.id == "acl-closed"));
    let a = run(&s, query("i-a", "i-b", 6, Some((22, 22))));
    let e = blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-closed", false);
    assert_eq!(e.direction, Some(Direction::Egress));
}

/// C10.3: … but the SGs still apply inside one subnet.
#[test]
fn c10_3_same_subnet_still_checks_security_groups() {
    let mut s = base(vec![]);
    s.sg("sg-closed", "vpc-1", vec![], sg_allow_all_out());
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "a2", "subnet-a", "10.0.0.20", &["sg-closed"]);
    assert_blocked(
        &run(&s, query("i-a", "i-a2", 6, Some((22, 22)))),
        "SG_HAS_NO_RULES",
        "eni-a2",
        false,
    );
}

/// C10.6: a stopped instance is not a live endpoint, as source or
/// destination.
#[test]
fn c10_6_stopped_instance_bad_state() {
    let mut s = base(vec![]);
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    s.instance_full(InstanceSpec {
        state: "stopped".into(),
        ..vm_spec("b", "subnet-b", "10.0.1.10", None, &["sg-open"])
    });
    assert_blocked(
        &run(&s, query("i-a", "i-b", 6, Some((22, 22)))),
        "BAD_STATE",
        "i-b",
        false,
    );
    assert_blocked(
        &run(&s, query("i-b", "i-a", 6, Some((22, 22)))),
        "BAD_STATE",
        "i-b",
        false,
    );
}

/// C10.1, C10.6: a detached ENI carries nothing.
#[test]
fn c10_1_detached_eni_bad_state_attachment() {
    let mut s = base(vec![]);
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    s.instance_full(InstanceSpec {
        attached: false,
        ..vm_spec("b", "subnet-b", "10.0.1.10", None, &["sg-open"])
    });
    let a = run(&s, query("i-a", "eni-b", 6, Some((22, 22))));
    assert_blocked(&a, "BAD_STATE_ATTACHMENT", "eni-b", false);
}

// ====================================================== C11 return path

/// C11: the return path is routed from the destination's side: a reply
/// routed elsewhere (here: into a blackhole) is lost although the
/// request got through.
#[test]
fn c11_return_path_uses_the_destinations_routes() {
    let mut s = two_subnets(vec![]);
    s.route_table(
        "rtb-b",
        "vpc-1",
        "10.0.0.0/16",
        false,
        &["subnet-b"],
        vec![route(
            "10.0.0.0/24",
            ("NetworkInterfaceId", "eni-gone"),
            "blackhole",
        )],
    );
    let a = run(&s, query("i-a", "i-b", 6, Some((22, 22))));
    assert!(a.forward_found);
    assert_blocked(&a, "BAD_STATE_ROUTE", "rtb-b", true);
}

// ============================ regressions found by tests/equivalence.rs

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
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((443, 443))));
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
    let a = run(&s, query("i-b", "i-a", 6, Some((8080, 8080))));
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
    let a = run(&s, query("i-a", "i-b", 6, Some((22, 22))));
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

// ------------------------------------------------------------------ C9 ELB
//
// Elastic Load Balancing, on fixtures/elb (see its README for the layout):
// each test loads the fixture's documents, optionally edits one, and asks
// `path` with a load balancer as the destination.

mod elb_fx {
    use std::collections::BTreeMap;

    use serde_json::Value;
    use vpcreach::analysis::elb::{LbAnalysis, TargetLeg};
    use vpcreach::analysis::{answer, PathAnswer, PathQuery, ProtocolChoice};
    use vpcreach::model::Network;
    use vpcreach::topology::Topology;

    pub const ALB: &str =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/50dc6c495c0c9188";
    pub const NLB: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/internal-nlb/3e2a1c9f0b7d4e55";
    pub const ALB_A: &str = "eni-0a3c6b5516565c9af";
    pub const NLB_A: &str = "eni-0f964802d48b1bb0f";
    pub const NLB_B: &str = "eni-056e6ce2f475b48d6";
    pub const APP_1: &str = "i-07298806da1125ac2";
    pub const APP_2: &str = "i-05b8467532b35ee9e";
    pub const APP_3: &str = "i-01e369b22ebeeee84";
    pub const LEGACY_1: &str = "i-0c9f446a08c8eff85";
    pub const SVC_A: &str = "i-073d7d8cdcb1301a6";
    pub const SVC_B: &str = "i-08123c50eb7cf8ec9";
    pub const CLIENT: &str = "i-0dbdf1d9c9d3489f0";
    pub const BATCH_1: &str = "i-018c21a2087779017";
    pub const BATCH_2: &str = "i-01f7d13264b2a9eb7";
    pub const IP_TARGET: &str = "10.20.11.50";

    pub type Docs = BTreeMap<String, Value>;

    pub fn docs() -> Docs {
        let dir = std::path::Path::new("fixtures/elb/us-east-1");
        let mut out = Docs::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            out.insert(
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).unwrap(),
            );
        }
        out
    }

    pub fn network(docs: &Docs) -> Network {
        let texts: Vec<(String, String)> = docs
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        vpcreach::snapshot::load_documents(texts.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .expect("fixture loads")
            .network
    }

    /// The security group named `name`, to edit.
    pub fn sg<'a>(docs: &'a mut Docs, name: &str) -> &'a mut Value {
        docs.get_mut("security-groups.json").unwrap()["SecurityGroups"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|g| g["GroupName"] == name)
            .unwrap()
    }

    /// The `Attributes` of the wrapper element in `file` whose `key` is `id`.
    pub fn attributes<'a>(
        docs: &'a mut Docs,
        file: &str,
        wrapper: &str,
        name_part: &str,
    ) -> &'a mut Vec<Value> {
        docs.get_mut(file).unwrap()[wrapper]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|w| {
                w.as_object()
                    .unwrap()
                    .values()
                    .any(|v| v.as_str().is_some_and(|s| s.contains(name_part)))
            })
            .unwrap()["Attributes"]
            .as_array_mut()
            .unwrap()
    }

    pub fn set_attr(attrs: &mut [Value], key: &str, value: &str) {
        for a in attrs.iter_mut() {
            if a["Key"] == key {
                a["Value"] = Value::String(value.into());
            }
        }
    }

    pub fn ask(net: &Network, src: &str, dst: &str, port: u16) -> LbAnalysis {
        let topo = Topology::new(net);
        let q = PathQuery {
            source: src.into(),
            destination: dst.into(),
            protocol: ProtocolChoice::Number(6),
            dport: Some((port, port)),
            sport: Some((1024, 65535)),
            source_ip: None,
            destination_ip: None,
        };
        match answer(&topo, &q, false).expect("endpoints resolve") {
            PathAnswer::LoadBalancer(a) => a,
            PathAnswer::Path(_) => panic!("{dst} is not a load balancer"),
        }
    }

    /// The leg from `node` (any node when None) to `target`.
    pub fn leg<'a>(a: &'a LbAnalysis, node: Option<&str>, target: &str) -> &'a TargetLeg {
        a.to_targets
            .iter()
            .find(|t| t.target.id == target && node.is_none_or(|n| t.node.id == n))
            .unwrap_or_else(|| {
                panic!(
                    "no leg to {target}: {:?}",
                    a.to_targets
                        .iter()
                        .map(|t| (&t.node.id, &t.target.id))
                        .collect::<Vec<_>>()
                )
            })
    }

    pub fn reached(a: &LbAnalysis, target: &str) -> bool {
        a.to_targets
            .iter()
            .any(|t| t.target.id == target && t.reached())
    }

    /// Every code on the leg: its own and its walk's.
    pub fn codes(t: &TargetLeg) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = t.explanations.iter().map(|e| e.code.as_str()).collect();
        if let Some(a) = &t.analysis {
            v.extend(a.explanations.iter().map(|e| e.code.as_str()));
        }
        v
    }
}

use elb_fx::*;

#[test]
fn c9_1_traffic_must_match_a_listener() {
    let net = network(&docs());
    let a = ask(&net, "internet", "web-alb", 80);
    assert!(a.path_found());
    let a = ask(&net, "internet", "web-alb", 22);
    assert!(!a.path_found() && !a.reaches_lb());
    assert_eq!(a.explanations[0].code.as_str(), "ELBV2_LISTENERS_MISMATCH");
    assert!(a.explanations[0]
        .components
        .iter()
        .any(|(_, c)| c.id == ALB));
    // Classic: its own code.
    let a = ask(&net, "internet", "batch-clb", 81);
    assert_eq!(a.explanations[0].code.as_str(), "ELB_LISTENERS_MISMATCH");
}

#[test]
fn c9_1_targets_are_reached_on_their_registered_port() {
    let mut d = docs();
    let net = network(&d);
    let a = ask(&net, "internet", "web-alb", 80);
    let l = leg(&a, Some(ALB_A), APP_1);
    assert_eq!(l.port, 8080);
    assert!(l.reached());
    let walk = l.analysis.as_ref().unwrap();
    assert!(walk
        .arrived
        .cubes()
        .iter()
        .all(|c| c.dport.iter().eq([8080u16])));
    // The target SG opened on the listener port instead: not reached.
    sg(&mut d, "app-sg")["IpPermissions"][0]["FromPort"] = 80.into();
    sg(&mut d, "app-sg")["IpPermissions"][0]["ToPort"] = 80.into();
    let a = ask(&network(&d), "internet", "web-alb", 80);
    assert!(!reached(&a, APP_1) && !reached(&a, APP_2));
    // Classic: the listener's instance port.
    let a = ask(&net, "internet", "batch-clb", 80);
    assert_eq!(leg(&a, None, BATCH_2).port, 8081);
}

#[test]
fn c9_2_alb_connects_from_its_own_address_so_target_sgs_must_allow_the_lb() {
    let mut d = docs();
    let net = network(&d);
    let a = ask(&net, "internet", "web-alb", 80);
    assert!(reached(&a, APP_1));
    let l = leg(&a, Some(ALB_A), LEGACY_1);
    assert!(!l.reached());
    let walk = l.analysis.as_ref().unwrap();
    let e = walk
        .explanations
        .iter()
        .find(|e| e.code.as_str() == "ENI_SG_RULES_MISMATCH")
        .expect("legacy-sg blocks");
    assert!(e
        .components
        .iter()
        .any(|(f, c)| *f == "SecurityGroups" && c.name.as_deref() == Some("legacy-sg")));
    assert!(
        e.fix.as_deref().unwrap().contains("sg-0c684a085eee69ee0"),
        "{:?}",
        e.fix
    );
    // The target sees the node's private address, not the client's.
    let src = leg(&a, Some(ALB_A), APP_1)
        .analysis
        .as_ref()
        .unwrap()
        .arrived
        .src_union();
    let node: std::net::Ipv4Addr = "10.20.0.100".parse().unwrap();
    assert_eq!(src, vpcreach::packet::ip_set(node));
    // Allowing the internet (the client) instead of the ALB does not help.
    sg(&mut d, "app-sg")["IpPermissions"][0]["UserIdGroupPairs"] = serde_json::json!([]);
    sg(&mut d, "app-sg")["IpPermissions"][0]["IpRanges"] =
        serde_json::json!([{"CidrIp": "203.0.113.0/24"}]);
    let a = ask(&network(&d), "203.0.113.10", "web-alb", 80);
    assert!(a.reaches_lb() && !reached(&a, APP_1));
}

#[test]
fn c9_3_nlb_preserves_the_client_address_for_instance_targets() {
    let mut d = docs();
    let net = network(&d);
    let a = ask(&net, CLIENT, "internal-nlb", 9000);
    assert!(reached(&a, SVC_A) && leg(&a, Some(NLB_A), SVC_A).client_ip_preserved);
    // A client outside the allowed range is blocked at the target, which sees it.
    let a = ask(&net, APP_1, "internal-nlb", 9000);
    let l = leg(&a, Some(NLB_A), SVC_A);
    assert!(!l.reached());
    assert!(
        codes(l).contains(&"ELBV2_SOURCE_ADDRESS_PRESERVATION"),
        "{:?}",
        codes(l)
    );
    // Allowing only the NLB's subnets breaks preserved traffic…
    sg(&mut d, "svc-sg")["IpPermissions"][0]["IpRanges"] =
        serde_json::json!([{"CidrIp": "10.20.10.0/24"}, {"CidrIp": "10.20.11.0/24"}]);
    let a = ask(&network(&d), CLIENT, "internal-nlb", 9000);
    assert!(!reached(&a, SVC_A));
    // …and is right once the attribute turns preservation off.
    set_attr(
        attributes(
            &mut d,
            "elbv2-target-group-attributes.json",
            "TargetGroupAttributes",
            "svc-tg",
        ),
        "preserve_client_ip.enabled",
        "false",
    );
    let a = ask(&network(&d), CLIENT, "internal-nlb", 9000);
    assert!(reached(&a, SVC_A));
    assert!(!leg(&a, Some(NLB_A), SVC_A).client_ip_preserved);
}

#[test]
fn c9_3_nlb_ip_targets_over_tcp_see_the_nlb_by_default() {
    let mut d = docs();
    // Without attributes the default applies (off for IP targets over TCP), with a note.
    d.remove("elbv2-target-group-attributes.json");
    let a = ask(&network(&d), CLIENT, "internal-nlb", 9100);
    let l = leg(&a, Some(NLB_B), IP_TARGET);
    assert!(l.reached() && !l.client_ip_preserved);
    assert!(
        a.notes
            .iter()
            .any(|n| n.starts_with("ASSUMPTION_PRESERVE_CLIENT_IP_IS_DISABLED")),
        "{:?}",
        a.notes
    );
    // UDP groups always preserve, whatever the attribute says.
    let tgs = d.get_mut("elbv2-target-groups.json").unwrap()["TargetGroups"]
        .as_array_mut()
        .unwrap();
    let ip_tg = tgs
        .iter_mut()
        .find(|t| t["TargetGroupName"] == "ipsvc-tg")
        .unwrap();
    ip_tg["Protocol"] = "UDP".into();
    let a = ask(&network(&d), CLIENT, "internal-nlb", 9100);
    assert!(leg(&a, Some(NLB_B), IP_TARGET).client_ip_preserved);
}

#[test]
fn c9_4_without_cross_zone_a_node_reaches_only_its_own_az() {
    let mut d = docs();
    let net = network(&d);
    let a = ask(&net, CLIENT, "internal-nlb", 9000);
    let l = leg(&a, Some(NLB_A), SVC_B);
    assert!(!l.reached());
    assert_eq!(l.explanations[0].code.as_str(), "ELB_NOT_CROSSZONE");
    assert!(reached(&a, SVC_B), "through its own AZ's node");
    // Asked about node a only (its address), svc-b is out of reach.
    let a = ask(&net, CLIENT, "10.20.10.200", 9000);
    assert!(reached(&a, SVC_A) && !reached(&a, SVC_B));
    set_attr(
        attributes(
            &mut d,
            "elbv2-load-balancer-attributes.json",
            "LoadBalancerAttributes",
            "internal-nlb",
        ),
        "load_balancing.cross_zone.enabled",
        "true",
    );
    let a = ask(&network(&d), CLIENT, "10.20.10.200", 9000);
    assert!(reached(&a, SVC_B));
    // The target group's own setting overrides the load balancer's.
    set_attr(
        attributes(
            &mut d,
            "elbv2-target-group-attributes.json",
            "TargetGroupAttributes",
            "svc-tg",
        ),
        "load_balancing.cross_zone.enabled",
        "false",
    );
    let a = ask(&network(&d), CLIENT, "10.20.10.200", 9000);
    assert!(!reached(&a, SVC_B));
    // ALB: always cross-zone.
    let a = ask(&net, "internet", "web-alb", 80);
    assert!(leg(&a, Some(ALB_A), APP_2).reached());
}

#[test]
fn c9_4_targets_in_az_not_enabled_on_the_lb_get_nothing() {
    let net = network(&docs());
    let a = ask(&net, "internet", "web-alb", 80);
    let l = leg(&a, None, APP_3);
    assert!(!reached(&a, APP_3));
    assert_eq!(
        l.explanations[0].code.as_str(),
        "ELB_INSTALLED_AZ_RESTRICTION"
    );
}

#[test]
fn c9_5_lb_security_groups_and_public_addresses_gate_the_first_leg() {
    let mut d = docs();
    // The ALB's SG no longer admits HTTP.
    let mut broken = d.clone();
    sg(&mut broken, "web-alb-sg")["IpPermissions"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    let a = ask(&network(&broken), "internet", "web-alb", 80);
    assert!(!a.path_found() && !a.reaches_lb());
    let walk = &a.to_lb[0].analysis;
    assert!(walk
        .explanations
        .iter()
        .any(|e| e.code.as_str() == "ENI_SG_RULES_MISMATCH"
            && e.components
                .iter()
                .any(|(_, c)| c.id == "sg-0c684a085eee69ee0")));
    // Without public addresses on its nodes an internet-facing LB is unreachable from the internet.
    for eni in d.get_mut("network-interfaces.json").unwrap()["NetworkInterfaces"]
        .as_array_mut()
        .unwrap()
    {
        if eni["Description"]
            .as_str()
            .unwrap_or("")
            .starts_with("ELB app/")
        {
            eni.as_object_mut().unwrap().remove("Association");
            eni["PrivateIpAddresses"][0]
                .as_object_mut()
                .unwrap()
                .remove("Association");
        }
    }
    let a = ask(&network(&d), "internet", "web-alb", 80);
    assert!(!a.path_found());
    // An internal LB is not reachable from the internet either.
    let a = ask(&network(&docs()), "internet", "internal-nlb", 9000);
    assert!(!a.path_found());
}

#[test]
fn c9_5_classic_lb_applies_its_outbound_nacl_in_its_own_subnet() {
    let mut d = docs();
    let a = ask(&network(&d), "internet", "batch-clb", 80);
    assert!(reached(&a, BATCH_2));
    let l = leg(&a, None, BATCH_1);
    assert!(!l.reached());
    assert!(codes(l).contains(&"ELB_ACL_RESTRICTION"), "{:?}", codes(l));
    // Without the deny rule batch-1 is reached.
    let acls = d.get_mut("network-acls.json").unwrap()["NetworkAcls"]
        .as_array_mut()
        .unwrap();
    let public = acls
        .iter_mut()
        .find(|a| a["Tags"][0]["Value"] == "shop-public-nacl")
        .unwrap();
    public["Entries"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["RuleNumber"] != 90);
    let a = ask(&network(&d), "internet", "batch-clb", 80);
    assert!(reached(&a, BATCH_1));
}

#[test]
fn c9_6_target_health_is_ignored() {
    let mut d = docs();
    for g in d.get_mut("elbv2-target-health.json").unwrap()["LoadBalancerTargetHealth"]
        .as_array_mut()
        .unwrap()
    {
        for t in g["TargetHealthDescriptions"].as_array_mut().unwrap() {
            t["TargetHealth"] =
                serde_json::json!({"State": "unhealthy", "Reason": "Target.Timeout"});
        }
    }
    let a = ask(&network(&d), "internet", "web-alb", 80);
    assert!(reached(&a, APP_1));
    assert_eq!(
        leg(&a, Some(ALB_A), APP_1).health.as_deref(),
        Some("unhealthy")
    );
}

#[test]
fn c9_lb_nodes_without_interfaces_are_not_guessed() {
    let mut d = docs();
    d.get_mut("network-interfaces.json").unwrap()["NetworkInterfaces"]
        .as_array_mut()
        .unwrap()
        .retain(|e| {
            !e["Description"]
                .as_str()
                .unwrap_or("")
                .starts_with("ELB app/")
        });
    let a = ask(&network(&d), "internet", ALB, 80);
    assert!(!a.path_found());
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("has no network interface in the snapshot")),
        "{:?}",
        a.notes
    );
}

#[test]
fn c9_lb_resolves_by_arn_name_node_and_address() {
    let net = network(&docs());
    let topo = vpcreach::topology::Topology::new(&net);
    for r in [ALB, "web-alb", ALB_A, "10.20.0.100", "3.91.10.1"] {
        let (lb, _) = vpcreach::analysis::elb::resolve(&topo, r).unwrap().unwrap();
        assert_eq!(lb.id, ALB, "{r}");
    }
    let (lb, node) = vpcreach::analysis::elb::resolve(&topo, "10.20.11.200")
        .unwrap()
        .unwrap();
    assert_eq!((lb.id.as_str(), node.as_deref()), (NLB, Some(NLB_B)));
    assert!(vpcreach::analysis::elb::resolve(&topo, &ALB.replace("web-alb", "nope")).is_err());
    assert!(vpcreach::analysis::elb::resolve(&topo, APP_1)
        .unwrap()
        .is_none());
}

#[test]
fn c9_unwrapped_target_health_is_a_warning() {
    let docs = [("health.json", "{\n  \"TargetHealthDescriptions\": []\n}")];
    let snap = vpcreach::snapshot::load_documents(docs).unwrap();
    let text = format!("{:?}", snap.warnings);
    assert!(text.contains("LoadBalancerTargetHealth"), "{text}");
    let docs = [(
        "lbs.json",
        "{\"LoadBalancers\": [{\"LoadBalancerArn\": 7}]}",
    )];
    let err = vpcreach::snapshot::load_documents(docs).unwrap_err();
    assert!(err.to_string().contains("LoadBalancers[0]"), "{err}");
}

#[test]
fn c9_4_ip_targets_outside_the_vpc_take_any_node_and_zero_weight_groups_get_nothing() {
    let mut d = docs();
    // The IP target registered with AvailabilityZone `all` (outside the VPC's AZs).
    for g in d.get_mut("elbv2-target-health.json").unwrap()["LoadBalancerTargetHealth"]
        .as_array_mut()
        .unwrap()
    {
        for t in g["TargetHealthDescriptions"].as_array_mut().unwrap() {
            if t["Target"]["Id"] == IP_TARGET {
                t["Target"]["AvailabilityZone"] = "all".into();
            }
        }
    }
    let a = ask(&network(&d), CLIENT, "10.20.10.200", 9100);
    assert!(reached(&a, IP_TARGET), "node a reaches an `all` target");
    // A forward weight of 0 sends nothing to the group.
    let mut d = docs();
    for l in d.get_mut("elbv2-load-balancer-listeners.json").unwrap()["LoadBalancerListeners"][0]
        ["Listeners"]
        .as_array_mut()
        .unwrap()
    {
        if l["Port"] == 9100 {
            l["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["Weight"] = 0.into();
        }
    }
    let a = ask(&network(&d), CLIENT, "internal-nlb", 9100);
    assert!(!a.path_found() && a.to_targets.is_empty());
    assert_eq!(a.explanations[0].code.as_str(), "ELBV2_LISTENER_HAS_NO_TG");
}

#[test]
fn c9_missing_elb_fields_are_located_with_the_elb_cli_named() {
    let docs = [(
        "tgs.json",
        // `TargetType` may be absent (older output, default `instance`);
        // the ARN never is.
        "{\"TargetGroups\": [{\"TargetGroupName\": \"x\"}]}",
    )];
    let err = vpcreach::snapshot::load_documents(docs).unwrap_err();
    let text = format!("{err:?}");
    assert!(
        text.contains("TargetGroupArn") && text.contains("TargetGroups[0]"),
        "{text}"
    );
    assert!(text.contains("aws elbv2 describe-*"), "{text}");
}

#[test]
fn c9_plain_path_to_a_node_of_an_unknown_load_balancer_says_so() {
    let note = "that is not in the snapshot (aws elbv2/elb describe-load-balancers)";
    let mut d = docs();
    let a = analyze(&network(&d), &query("internet", ALB_A, 6, Some((80, 80))));
    assert!(a.notes.iter().all(|n| !n.contains(note)), "{:?}", a.notes);
    d.retain(|name, _| !name.starts_with("elb"));
    let a = analyze(&network(&d), &query("internet", ALB_A, 6, Some((80, 80))));
    assert!(a.notes.iter().any(|n| n.contains(note)), "{:?}", a.notes);
}

#[test]
fn c9_classic_attribute_output_is_a_warning_not_an_error() {
    let docs = [(
        "clb-attrs.json",
        "{\"LoadBalancerAttributes\": {\"CrossZoneLoadBalancing\": {\"Enabled\": true}}}",
    )];
    let snap = vpcreach::snapshot::load_documents(docs).expect("loads");
    assert!(
        snap.warnings.iter().any(|w| w
            .message
            .contains("does not name its classic load balancer")),
        "{:?}",
        snap.warnings
    );
}

// ------------------------------------------------ transit gateway, endpoints
//
// Regression tests for engine bugs the equivalence property test found once
// its random snapshots gained transit gateways, VPN gateways and endpoints.

/// vpc-1 (10.0.0.0/16, subnet-a, i-a 10.0.0.10) and vpc-2 (10.1.0.0/16,
/// subnet-x, i-x 10.1.0.10), both attached to tgw-1 (tgw-attach-1,
/// tgw-attach-2, associated with tgw-rtb-1 holding `tgw_routes`). Each
/// VPC's main table holds `routes_1` / `routes_2` after the local route;
/// default NACLs allow all; sg-open everywhere.
fn tgw_world(routes_1: Vec<Value>, routes_2: Vec<Value>, tgw_routes: Vec<Value>) -> Snap {
    use serde_json::json;
    let mut s = Snap::new();
    s.vpc("vpc-1", "10.0.0.0/16")
        .vpc("vpc-2", "10.1.0.0/16")
        .subnet("subnet-a", "vpc-1", "10.0.0.0/24")
        .subnet("subnet-x", "vpc-2", "10.1.0.0/24")
        .route_table("rtb-1", "vpc-1", "10.0.0.0/16", true, &[], routes_1)
        .route_table("rtb-2", "vpc-2", "10.1.0.0/16", true, &[], routes_2)
        .acl("acl-1", "vpc-1", true, &[], nacl_allow_all())
        .acl("acl-2", "vpc-2", true, &[], nacl_allow_all());
    for (sg, vpc) in [("sg-open", "vpc-1"), ("sg-open-2", "vpc-2")] {
        s.sg(
            sg,
            vpc,
            vec![sg_cidr("-1", None, "0.0.0.0/0")],
            sg_allow_all_out(),
        );
    }
    s.instance(
        "i-a",
        "eni-a",
        "subnet-a",
        "vpc-1",
        "10.0.0.10",
        &["sg-open"],
    );
    s.instance(
        "i-x",
        "eni-x",
        "subnet-x",
        "vpc-2",
        "10.1.0.10",
        &["sg-open-2"],
    );
    s.item(
        "transit-gateways.json",
        "TransitGateways",
        json!({"TransitGatewayId": "tgw-1", "State": "available", "OwnerId": OWNER}),
    );
    s.item(
        "transit-gateway-route-tables.json",
        "TransitGatewayRouteTables",
        json!({"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1", "State": "available"}),
    );
    for (att, vpc, subnet) in [
        ("tgw-attach-1", "vpc-1", "subnet-a"),
        ("tgw-attach-2", "vpc-2", "subnet-x"),
    ] {
        s.item(
            "transit-gateway-attachments.json",
            "TransitGatewayAttachments",
            json!({"TransitGatewayAttachmentId": att, "TransitGatewayId": "tgw-1",
                   "ResourceType": "vpc", "ResourceId": vpc, "State": "available",
                   "Association": {"TransitGatewayRouteTableId": "tgw-rtb-1", "State": "associated"}}),
        );
        s.item(
            "transit-gateway-vpc-attachments.json",
            "TransitGatewayVpcAttachments",
            json!({"TransitGatewayAttachmentId": att, "TransitGatewayId": "tgw-1", "VpcId": vpc,
                   "State": "available", "SubnetIds": [subnet],
                   "Options": {"SecurityGroupReferencingSupport": "disable", "ApplianceModeSupport": "disable"}}),
        );
    }
    s.item(
        "transit-gateway-route-table-routes.json",
        "TransitGatewayRouteTableRoutes",
        json!({"TransitGatewayRouteTableId": "tgw-rtb-1", "Routes": tgw_routes}),
    );
    s
}

/// A static TGW route to an attachment (C7.3).
fn tgw_route(dest: &str, att: &str, vpc: &str) -> Value {
    serde_json::json!({"DestinationCidrBlock": dest, "Type": "static", "State": "active",
        "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": att, "ResourceId": vpc, "ResourceType": "vpc"}]})
}

fn to_tgw(dest: &str) -> Value {
    route(dest, ("TransitGatewayId", "tgw-1"), "active")
}

/// The world works: i-a reaches i-x across the TGW both ways (C7.2).
#[test]
fn c7_2_tgw_world_round_trip() {
    let s = tgw_world(
        vec![to_tgw("10.1.0.0/16")],
        vec![to_tgw("10.0.0.0/16")],
        vec![
            tgw_route("10.0.0.0/16", "tgw-attach-1", "vpc-1"),
            tgw_route("10.1.0.0/16", "tgw-attach-2", "vpc-2"),
        ],
    );
    assert_found(&run(&s, query("i-a", "i-x", 6, Some((443, 443)))));
}

/// C7.2: vpc-2 sends everything back to the TGW, whose table sends it to
/// vpc-2 again: a routing loop, reported as such (the engine overflowed
/// its stack here).
#[test]
fn c7_2_tgw_routing_loop_is_no_path_not_a_crash() {
    let s = tgw_world(
        vec![to_tgw("0.0.0.0/0")],
        vec![to_tgw("0.0.0.0/0")],
        vec![tgw_route("0.0.0.0/0", "tgw-attach-2", "vpc-2")],
    );
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((443, 443))));
    let e = blocker(&a, "NO_PATH", "tgw-attach-2", false);
    assert!(e.message.contains("loop"), "{}", e.message);
}

/// C7.1: an attachment that is not available carries nothing, also when
/// it is the way out of the TGW (the engine only checked the way in).
#[test]
fn c7_1_tgw_exit_attachment_not_available_carries_nothing() {
    let mut s = tgw_world(
        vec![to_tgw("10.1.0.0/16")],
        vec![to_tgw("10.0.0.0/16")],
        vec![
            tgw_route("10.0.0.0/16", "tgw-attach-1", "vpc-1"),
            tgw_route("10.1.0.0/16", "tgw-attach-2", "vpc-2"),
        ],
    );
    for (_, key, item) in s.others.iter_mut() {
        if key.starts_with("TransitGateway") && item["TransitGatewayAttachmentId"] == "tgw-attach-2"
        {
            item["State"] = "pending".into();
        }
    }
    let a = run(&s, query("i-a", "i-x", 6, Some((443, 443))));
    assert_blocked(&a, "BAD_STATE_ATTACHMENT", "tgw-attach-2", false);
}

/// C8.1: a gateway endpoint cannot be used from outside its VPC — here
/// from vpc-1 through the TGW into vpc-2, whose table routes the S3 prefix
/// list to vpc-2's endpoint. From inside vpc-2 it works.
#[test]
fn c8_1_gateway_endpoint_not_usable_over_a_transit_gateway() {
    let mut s = tgw_world(
        vec![to_tgw("0.0.0.0/0")],
        vec![
            to_tgw("10.0.0.0/16"),
            route("pl-s3", ("GatewayId", "vpce-s3"), "active"),
        ],
        vec![
            tgw_route("10.0.0.0/16", "tgw-attach-1", "vpc-1"),
            tgw_route("0.0.0.0/0", "tgw-attach-2", "vpc-2"),
        ],
    );
    s.prefix_list("pl-s3", Some(&["52.216.0.0/15"]));
    s.item(
        "vpc-endpoints.json",
        "VpcEndpoints",
        serde_json::json!({"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-2",
            "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available",
            "RouteTableIds": ["rtb-2"], "SubnetIds": [], "NetworkInterfaceIds": []}),
    );
    assert_found(&run(&s, query("i-x", "52.216.1.1", 6, Some((443, 443)))));
    let a = run(&s, query("i-a", "52.216.1.1", 6, Some((443, 443))));
    assert_blocked(&a, "NO_PATH", "vpce-s3", false);
}

/// SPEC `path` REF kinds `tgw-attach-` and `tgw-` at either end (C7.2):
/// an attachment as the source is traffic entering the TGW through it
/// (looked up in its associated table); a bare TGW is any of its
/// attachments (docs/model.md). Replies must come back through the TGW.
#[test]
fn c7_2_tgw_attachment_and_transit_gateway_as_path_ends() {
    let routes = || {
        vec![
            tgw_route("10.0.0.0/16", "tgw-attach-1", "vpc-1"),
            tgw_route("10.1.0.0/16", "tgw-attach-2", "vpc-2"),
        ]
    };
    let s = tgw_world(
        vec![to_tgw("10.1.0.0/16")],
        vec![to_tgw("10.0.0.0/16")],
        routes(),
    );
    for (src, dst) in [
        ("tgw-attach-1", "i-x"),
        ("tgw-1", "i-x"),
        ("tgw-1", "i-a"),
        ("i-a", "tgw-1"),
        ("i-a", "tgw-attach-2"),
    ] {
        let a = run(&s, query(src, dst, 6, Some((443, 443))));
        assert_found(&a);
    }
    // From vpc-1's side, the TGW stands for vpc-2 only (not vpc-1's own CIDR).
    let a = run(&s, query("i-a", "tgw-1", 6, Some((443, 443))));
    assert!(a
        .admitted
        .contains(&tcp("10.0.0.10", "10.1.0.99", 40000, 443)));
    assert!(!a
        .admitted
        .contains(&tcp("10.0.0.10", "10.0.0.99", 40000, 443)));
    // No route back into the TGW in vpc-2: the reply to the attachment's
    // traffic is lost (C11).
    let s = tgw_world(vec![to_tgw("10.1.0.0/16")], vec![], routes());
    let a = run(&s, query("tgw-attach-1", "i-x", 6, Some((443, 443))));
    assert_blocked(&a, "NO_ROUTE_TO_DESTINATION", "rtb-2", true);
}

/// vpc-1 with one subnet whose (default) NACL denies everything both ways
/// and i-a in sg-closed (no rules at all), plus i-b beside it.
fn closed_world() -> Snap {
    let mut s = Snap::new();
    s.vpc("vpc-1", "10.0.0.0/16")
        .subnet("subnet-a", "vpc-1", "10.0.0.0/24")
        .subnet("subnet-b", "vpc-1", "10.0.1.0/24")
        .route_table("rtb-main", "vpc-1", "10.0.0.0/16", true, &[], vec![])
        .acl("acl-deny", "vpc-1", true, &[], vec![])
        .sg("sg-closed", "vpc-1", vec![], vec![])
        .sg(
            "sg-open",
            "vpc-1",
            vec![sg_cidr("-1", None, "0.0.0.0/0")],
            sg_allow_all_out(),
        );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-closed"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-open"]);
    s
}

/// C1.9: security groups do not filter traffic to the Route 53 Resolver
/// (VPC+2), instance metadata or Amazon Time Sync, while the same ENI with
/// no egress rule reaches nothing else.
#[test]
fn c1_9_security_groups_do_not_filter_aws_services() {
    let s = closed_world();
    assert_found(&run(&s, query("i-a", "169.254.169.254", 6, Some((80, 80)))));
    assert_found(&run(
        &s,
        query("i-a", "169.254.169.123", 17, Some((123, 123))),
    ));
    assert_found(&run(&s, query("i-a", "10.0.0.2", 17, Some((53, 53)))));
    assert_found(&run(&s, query("i-a", "10.0.0.2", 6, Some((53, 53)))));
    assert_blocked(
        &run(&s, query("i-a", "i-b", 6, Some((443, 443)))),
        "SG_HAS_NO_RULES",
        "eni-a",
        false,
    );
    // Only the service's own port answers.
    let a = run(&s, query("i-a", "169.254.169.254", 6, Some((22, 22))));
    assert!(!a.path_found());
    assert!(
        a.explanations.iter().any(|e| e.code.as_str() == "NO_PATH"),
        "{:?}",
        explanations(&a)
    );
}

/// C2.9: network ACLs do not filter Route 53 Resolver or IMDS traffic (here
/// the subnet's NACL denies everything; i-b's SG allows everything).
#[test]
fn c2_9_network_acls_do_not_filter_resolver_or_metadata() {
    let s = closed_world();
    assert_found(&run(&s, query("i-b", "10.0.0.2", 17, Some((53, 53)))));
    assert_found(&run(&s, query("i-b", "169.254.169.254", 6, Some((80, 80)))));
    assert_blocked(
        &run(&s, query("i-b", "10.0.0.77", 6, Some((443, 443)))),
        "SUBNET_ACL_RESTRICTION",
        "acl-deny",
        false,
    );
}

/// C3.6(d): two prefix lists holding the same CIDR, routed to different
/// targets: AWS picks one route at random, so the answer is flagged as
/// ambiguous (a note); a destination only one list holds is not.
#[test]
fn c3_6d_overlapping_prefix_list_routes_are_flagged_ambiguous() {
    let mut s = two_subnets(vec![
        route("pl-a", ("GatewayId", "igw-1"), "active"),
        route("pl-b", ("NetworkInterfaceId", "eni-b"), "active"),
    ]);
    s.igw("igw-1", Some("vpc-1"));
    s.prefix_list("pl-a", Some(&["8.8.8.0/24"]));
    s.prefix_list("pl-b", Some(&["8.8.8.0/24", "9.9.9.0/24"]));
    let a = run(&s, query("i-a", "8.8.8.8", 6, Some((443, 443))));
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("C3.6d") && n.contains("pl-a") && n.contains("pl-b")),
        "{:?}",
        a.notes
    );
    let a = run(&s, query("i-a", "9.9.9.9", 6, Some((443, 443))));
    assert!(
        !a.notes.iter().any(|n| n.contains("C3.6d")),
        "{:?}",
        a.notes
    );
}

/// C1.9 / C4: the AWS service addresses are not "the internet": with no
/// internet gateway, `internet` on port 80 stays unreachable although
/// 169.254.169.254 (inside the public-address set) answers on port 80.
#[test]
fn c1_9_metadata_service_does_not_answer_for_the_internet() {
    let s = closed_world();
    let a = run(&s, query("i-b", "internet", 6, Some((80, 80))));
    assert!(!a.path_found(), "{:?}", explanations(&a));
    assert_found(&run(&s, query("i-b", "169.254.169.254", 6, Some((80, 80)))));
}

// ------------------------------------------------------------------ IPv6

const V6_VPC: &str = "2600:1f18:100::/56";
const A6: &str = "2600:1f18:100:0::10";
const B6: &str = "2600:1f18:100:1::10";
const NET6: &str = "2606:4700::6810:85e5";

/// [`base`] made dual-stack: vpc-1 also has 2600:1f18:100::/56, subnet a
/// 2600:1f18:100::/64 and b 2600:1f18:100:1::/64; the main table has the
/// IPv6 local route before `routes`; the default NACL also allows ::/0
/// (rule 101); i-a (10.0.0.10, A6) and i-b (10.0.1.10, B6) carry sg-dual
/// (all from the VPC's two CIDRs, all out to both families) plus `b_groups`
/// on i-b.
fn dual(b_groups: &[&str], routes: Vec<Value>) -> Snap {
    let mut all = vec![route(V6_VPC, ("GatewayId", "local"), "active")];
    all.extend(routes);
    let mut s = base(all);
    s.ipv6_cidr("vpc-1", V6_VPC)
        .ipv6_cidr("subnet-a", "2600:1f18:100::/64")
        .ipv6_cidr("subnet-b", "2600:1f18:100:1::/64")
        .sg(
            "sg-dual",
            "vpc-1",
            vec![
                sg_cidr("-1", None, "10.0.0.0/16"),
                sg_cidr("-1", None, V6_VPC),
            ],
            vec![
                sg_cidr("-1", None, "0.0.0.0/0"),
                sg_cidr("-1", None, "::/0"),
            ],
        );
    if let Some(Value::Array(entries)) = s.acls[0].get_mut("Entries") {
        entries.push(nacl(101, true, "-1", "allow", "::/0", None, None));
        entries.push(nacl(101, false, "-1", "allow", "::/0", None, None));
    }
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-dual"]);
    let mut groups = vec!["sg-dual"];
    groups.extend(b_groups);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &groups);
    s.ipv6_address("eni-a", A6).ipv6_address("eni-b", B6);
    s
}

/// What got through, restricted to one family.
fn admitted_in(a: &PathAnalysis, v6: bool) -> vpcreach::packet::HeaderSet {
    let family = if v6 {
        vpcreach::packet::all_v6()
    } else {
        vpcreach::packet::all_v4()
    };
    a.admitted.restrict_src(&family)
}

#[test]
fn c1_8_ipv6_sg_rules_never_match_ipv4_and_the_reverse() {
    // i-c in subnet b allows tcp/22 from ::/0 only, tcp/80 from 0.0.0.0/0 only.
    let mut s = dual(&[], vec![]);
    s.sg(
        "sg-six",
        "vpc-1",
        vec![
            sg_cidr("tcp", Some((22, 22)), "::/0"),
            sg_cidr("tcp", Some((80, 80)), "0.0.0.0/0"),
        ],
        sg_allow_all_out(),
    );
    vm(&mut s, "c", "subnet-b", "10.0.1.20", &["sg-six"]);
    s.ipv6_address("eni-c", "2600:1f18:100:1::20");
    let c6 = "2600:1f18:100:1::20";
    assert_found(&run(&s, query(A6, c6, 6, Some((22, 22)))));
    assert_blocked(
        &run(&s, query("10.0.0.10", "10.0.1.20", 6, Some((22, 22)))),
        "ENI_SG_RULES_MISMATCH",
        "eni-c",
        false,
    );
    assert_found(&run(&s, query("10.0.0.10", "10.0.1.20", 6, Some((80, 80)))));
    assert_blocked(
        &run(&s, query(A6, c6, 6, Some((80, 80)))),
        "ENI_SG_RULES_MISMATCH",
        "eni-c",
        false,
    );
}

#[test]
fn c2_6_ipv6_nacl_deny_stops_only_ipv6() {
    let mut s = dual(&[], vec![]);
    s.acl(
        "acl-b",
        "vpc-1",
        false,
        &["subnet-b"],
        vec![
            nacl(90, false, "6", "deny", "::/0", Some((22, 22)), None),
            nacl(100, false, "-1", "allow", "0.0.0.0/0", None, None),
            nacl(101, false, "-1", "allow", "::/0", None, None),
            nacl(100, true, "-1", "allow", "0.0.0.0/0", None, None),
            nacl(101, true, "-1", "allow", "::/0", None, None),
        ],
    );
    let a = run(&s, query(A6, B6, 6, Some((22, 22))));
    let e = blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-b", false);
    assert_eq!(acl_rule_number(e), 90);
    assert_found(&run(&s, query("10.0.0.10", "10.0.1.10", 6, Some((22, 22)))));
    // Asked without addresses, IPv4 gets through and IPv6 does not.
    let both = run(&s, query("i-a", "i-b", 6, Some((22, 22))));
    assert_found(&both);
    assert!(!admitted_in(&both, false).is_empty());
    assert!(admitted_in(&both, true).is_empty());
}

#[test]
fn c2_4_nacl_star_rule_denies_ipv6_without_an_ipv6_allow() {
    // A custom NACL with IPv4 rules only: IPv6 falls to the `*` rule.
    let mut s = dual(&[], vec![]);
    s.acl("acl-b", "vpc-1", false, &["subnet-b"], nacl_allow_all());
    let a = run(&s, query(A6, B6, 6, Some((443, 443))));
    let e = blocker(&a, "SUBNET_ACL_RESTRICTION", "acl-b", false);
    assert_eq!(acl_rule_number(e), 32767);
    assert_found(&run(
        &s,
        query("10.0.0.10", "10.0.1.10", 6, Some((443, 443))),
    ));
}

#[test]
fn c3_4_local_route_covers_the_vpc_ipv6_cidr() {
    let s = dual(&[], vec![]);
    let a = run(&s, query("i-a", "i-b", 6, Some((443, 443))));
    assert_found(&a);
    let v6 = admitted_in(&a, true);
    assert_eq!(
        v6.src_union(),
        vpcreach::packet::ip_set(A6.parse::<std::net::IpAddr>().unwrap())
    );
    assert_eq!(
        v6.dst_union(),
        vpcreach::packet::ip_set(B6.parse::<std::net::IpAddr>().unwrap())
    );
}

#[test]
fn c3_5_ipv6_routes_longest_prefix_and_blackhole() {
    let s = {
        let mut s = dual(
            &[],
            vec![
                route("::/0", ("GatewayId", "igw-1"), "active"),
                route("2606:4700::/32", ("GatewayId", "igw-gone"), "blackhole"),
            ],
        );
        s.igw("igw-1", Some("vpc-1"));
        s
    };
    assert_blocked(
        &run(&s, query(A6, NET6, 6, Some((443, 443)))),
        "BAD_STATE_ROUTE",
        "rtb-main",
        false,
    );
    assert_found(&run(&s, query(A6, "2a00:1450::1", 6, Some((443, 443)))));
    // No IPv4 default route: IPv6 routes never carry IPv4 (C3.5).
    assert_blocked(
        &run(&s, query("10.0.0.10", "93.184.215.14", 6, Some((443, 443)))),
        "NO_ROUTE_TO_DESTINATION",
        "rtb-main",
        false,
    );
}

#[test]
fn c4_6_igw_passes_ipv6_without_nat() {
    // i-a has no public IPv4 address: IPv4 cannot use the IGW, IPv6 can.
    let mut s = dual(
        &[],
        vec![
            route("0.0.0.0/0", ("GatewayId", "igw-1"), "active"),
            route("::/0", ("GatewayId", "igw-1"), "active"),
        ],
    );
    s.igw("igw-1", Some("vpc-1"));
    let a = run(&s, query("i-a", "internet", 6, Some((443, 443))));
    assert_found(&a);
    assert!(
        admitted_in(&a, false).is_empty(),
        "IPv4 needs a public address"
    );
    let v6 = admitted_in(&a, true);
    assert_eq!(
        v6.src_union(),
        vpcreach::packet::ip_set(A6.parse::<std::net::IpAddr>().unwrap()),
        "the ENI's IPv6 address leaves unchanged"
    );
    assert_blocked(
        &run(&s, query("10.0.0.10", "93.184.215.14", 6, Some((443, 443)))),
        "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
        "igw-1",
        false,
    );
    // Inbound: the IGW delivers IPv6 to the ENI's own address (sg-dual
    // admits only the VPC, so open tcp/443 to the internet on i-b).
    s.sg(
        "sg-443",
        "vpc-1",
        vec![sg_cidr("tcp", Some((443, 443)), "::/0")],
        sg_allow_all_out(),
    );
    let mut t = s.clone();
    for e in &mut t.enis {
        if e["NetworkInterfaceId"] == "eni-b" {
            e["Groups"] = serde_json::json!([{"GroupId": "sg-dual"}, {"GroupId": "sg-443"}]);
        }
    }
    assert_found(&run(&t, query(NET6, B6, 6, Some((443, 443)))));
}

#[test]
fn c4_6_egress_only_igw_carries_outbound_ipv6_and_its_replies() {
    let mut s = dual(
        &[],
        vec![route(
            "::/0",
            ("EgressOnlyInternetGatewayId", "eigw-1"),
            "active",
        )],
    );
    s.eigw("eigw-1", "vpc-1");
    let a = run(&s, query(A6, NET6, 6, Some((443, 443))));
    assert_found(&a);
    assert!(
        a.ret.iter().any(|h| h.component.id == "eigw-1"),
        "the reply comes back through eigw-1"
    );
    // Detached: nothing goes out.
    s.eigws[0]["Attachments"] = serde_json::json!([]);
    assert_blocked(
        &run(&s, query(A6, NET6, 6, Some((443, 443)))),
        "BAD_STATE_ATTACHMENT",
        "eigw-1",
        false,
    );
}

#[test]
fn c4_6_egress_only_igw_blocks_inbound_initiated_ipv6() {
    // Only an egress-only gateway: the internet cannot initiate IPv6 in,
    // even though the SG allows it.
    let mut s = dual(
        &[],
        vec![route(
            "::/0",
            ("EgressOnlyInternetGatewayId", "eigw-1"),
            "active",
        )],
    );
    s.eigw("eigw-1", "vpc-1");
    s.sg(
        "sg-443",
        "vpc-1",
        vec![sg_cidr("tcp", Some((443, 443)), "::/0")],
        sg_allow_all_out(),
    );
    for e in &mut s.enis {
        if e["NetworkInterfaceId"] == "eni-b" {
            e["Groups"] = serde_json::json!([{"GroupId": "sg-dual"}, {"GroupId": "sg-443"}]);
        }
    }
    assert_blocked(
        &run(&s, query(NET6, B6, 6, Some((443, 443)))),
        "EGRESS_ONLY_IGW_INBOUND_INITIATED",
        "eigw-1",
        false,
    );
    // With an IGW too, the connection comes in through the IGW, but its
    // reply would leave through the egress-only gateway: not reachable.
    s.igw("igw-1", Some("vpc-1"));
    assert_blocked(
        &run(&s, query(NET6, B6, 6, Some((443, 443)))),
        "EGRESS_ONLY_IGW_INBOUND_INITIATED",
        "eigw-1",
        true,
    );
}

// ------------------------------------------------ C7.5 appliance mode
//
// fixtures/tgw-inspection: prod-web-a (us-east-1a) → dev-db-b (us-east-1b)
// through the inspection VPC, one firewall appliance per AZ behind the
// inspection attachment (appliance mode on). The tests flip the mode on the
// model and break the us-east-1b appliance.

const INSP_ATT: &str = "tgw-attach-0f1f534eb82758ea3";
const INSP_WEB: &str = "i-09322a92b83288a30";
const INSP_DB: &str = "i-034ecab282d2967a3";
const INSP_FW_B_ENI: &str = "eni-0660c0b6e633e2765";

fn inspection(appliance_mode: bool, break_fw_b: bool) -> Network {
    let snap = vpcreach::snapshot::load(std::path::Path::new("fixtures/tgw-inspection"))
        .expect("fixture loads");
    let mut net = snap.network;
    let att = net
        .tgw_attachments
        .get_mut(INSP_ATT)
        .expect("inspection attachment");
    att.vpc.as_mut().expect("vpc attachment").appliance_mode = appliance_mode;
    if break_fw_b {
        let eni = net
            .network_interfaces
            .get_mut(INSP_FW_B_ENI)
            .expect("fw-b ENI");
        eni.source_dest_check = true;
    }
    net
}

fn insp_443(net: &Network) -> PathAnalysis {
    let mut q = query(INSP_WEB, INSP_DB, 6, Some((443, 443)));
    q.sport = Some((1024, 65535));
    analyze(net, &q)
}

/// C7.5: with appliance mode the TGW keeps both directions of a flow on one
/// ENI of the attachment, so the reply from us-east-1b goes back through
/// the us-east-1a appliance the request crossed: a broken us-east-1b
/// appliance is not on the path. Without appliance mode the reply takes the
/// ENI of its own AZ and meets the broken appliance.
#[test]
fn c7_5_appliance_mode_keeps_the_reply_on_the_requests_appliance() {
    assert_found(&insp_443(&inspection(true, true)));
    let a = insp_443(&inspection(false, true));
    assert_blocked(&a, "ENI_SOURCE_DEST_CHECK_RESTRICTION", INSP_FW_B_ENI, true);
}

/// C7.5: without appliance mode, a reply crossing another AZ's appliance
/// than its request did is answered reachable (appliance state is not
/// modelled) with an explicit note naming both; with appliance mode, or
/// when both directions share an AZ, no such note.
#[test]
fn c7_5_without_appliance_mode_a_cross_az_reply_gets_a_note() {
    let note = |a: &PathAnalysis| {
        a.notes
            .iter()
            .find(|n| n.starts_with("APPLIANCE_MODE"))
            .cloned()
    };
    let a = insp_443(&inspection(false, false));
    assert_found(&a);
    let n = note(&a).expect("appliance-mode note");
    assert!(n.contains(INSP_ATT) && n.contains(INSP_FW_B_ENI), "{n}");
    assert!(n.contains("us-east-1a") && n.contains("us-east-1b"), "{n}");
    let a = insp_443(&inspection(true, false));
    assert_found(&a);
    assert_eq!(note(&a), None);
    // dev-api-a is in us-east-1a, like prod-web-a: one appliance both ways.
    let mut q = query(INSP_WEB, "i-036c4cbaf7b72596d", 6, Some((443, 443)));
    q.sport = Some((1024, 65535));
    let a = analyze(&inspection(false, false), &q);
    assert_found(&a);
    assert_eq!(note(&a), None);
}

/// C7.5: the TGW prefers the exit attachment's ENI in the AZ the packet
/// entered in; with none there it uses another AZ's, which one AWS does not
/// say: a note names the one followed (prod-batch-d is in us-east-1d, the
/// inspection attachment has no subnet there).
#[test]
fn c7_5_exit_attachment_without_the_entry_az_is_noted() {
    let mut q = query("i-05162ffa7d2a82c1f", INSP_DB, 6, Some((443, 443)));
    q.sport = Some((1024, 65535));
    let a = analyze(&inspection(true, false), &q);
    assert_found(&a);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains(INSP_ATT) && n.contains("no subnet in us-east-1d")),
        "{:?}",
        a.notes
    );
}

/// C7.5 in the reference evaluator (tests/equivalence.rs compares it with
/// the engine, but its random worlds never send a reply back through the
/// attachment its request left by): one packet prod-web-a → dev-db-b with
/// the us-east-1b appliance broken gets back only with appliance mode, and
/// the engine says the same.
#[test]
fn c7_5_reference_evaluator_keeps_the_reply_on_the_requests_appliance() {
    const WEB_ENI: &str = "eni-09ade657ea95ea7ab";
    for appliance_mode in [true, false] {
        let net = inspection(appliance_mode, true);
        let v = reference::evaluate(&net, WEB_ENI, tcp("10.1.1.10", "10.2.2.50", 40000, 443));
        assert!(v.forward, "{:#?}", v.trace);
        assert_eq!(v.reply, appliance_mode, "{:#?}", v.trace);
        assert_eq!(insp_443(&net).path_found(), appliance_mode);
    }
}
