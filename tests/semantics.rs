//! One or more tests per rule of aws-vpc-semantics.md (C1–C6, C10, C11),
//! named after the rule (`c2_3_…` tests rule C2.3). Each builds a tiny
//! describe-* JSON snapshot, loads it through the real loader, asks
//! `path`, and checks the verdict together with the explanation code and
//! the component it names (and the deciding rule or route where there is
//! one). The last section holds regression tests for engine bugs the
//! equivalence property test (tests/equivalence.rs) found.

mod common;

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
            e.code == code
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

/// C1.4, C0: a prefix list whose entries the snapshot lacks matches
/// nothing, and the answer says so instead of guessing.
#[test]
fn c1_4_sg_prefix_list_without_entries_matches_nothing() {
    let mut s = base(vec![]);
    s.prefix_list("pl-unknown", None).sg(
        "sg-pl",
        "vpc-1",
        vec![sg_pl("tcp", Some((443, 443)), "pl-unknown")],
        vec![],
    );
    vm(&mut s, "a", "subnet-a", "10.0.0.10", &["sg-open"]);
    vm(&mut s, "b", "subnet-b", "10.0.1.10", &["sg-pl"]);
    let a = run(&s, query("i-a", "i-b", 6, Some((443, 443))));
    assert_blocked(&a, "ENI_SG_RULES_MISMATCH", "eni-b", false);
    assert!(
        a.notes.iter().any(|n| n.contains("pl-unknown")),
        "{:?}",
        a.notes
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

/// C4.5: a hairpin through the IGW to a public address of the same
/// snapshot is not analysed (like AWS).
#[test]
fn c4_5_hairpin_to_own_public_address_is_not_analysed() {
    let mut s = internet(vec![]);
    s.instance_full(vm_spec(
        "c",
        "subnet-c",
        "10.0.2.10",
        Some("54.0.2.10"),
        &["sg-web"],
    ));
    let a = run(&s, query("i-c", "54.0.0.10", 6, Some((80, 80))));
    assert_blocked(&a, "IGW_NAT_REFLECTION", "igw-1", false);
}

// ========================================================== C5 NAT gateway

/// A private subnet a (rtb-private: 0.0.0.0/0 → nat-1) behind nat-1 in the
/// public subnet b (main table → igw-1). i-p (10.0.0.20) has no public IP.
fn nat_world(nat_state: &str, public: bool) -> Snap {
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
        "10.0.1.200",
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
