//! VPC Block Public Access: rules BPA.1–BPA.8 of docs/semantics-additions.md,
//! each reachable and blocked, on the `bpa-bidirectional` / `bpa-ingress`
//! fixtures (the dual-stack estate: web-public in an IGW subnet, app-private
//! behind a NAT gateway (IPv4) and an egress-only IGW (IPv6)) and on
//! variations of their options and exclusions.

use std::path::Path;

use vpcreach::analysis::{path, PathAnalysis, PathQuery, ProtocolChoice};
use vpcreach::model::*;
use vpcreach::snapshot;
use vpcreach::topology::Topology;

const WEB: &str = "i-06c4d8279659aabc4";
const APP: &str = "i-0a032a652bb20302e";
const WEB4: &str = "10.60.0.10";
const WEB6: &str = "2600:1f18:6a3c:b400::10";
const APP4: &str = "10.60.1.20";
const APP6: &str = "2600:1f18:6a3c:b401::20";
const PUBLIC_SUBNET: &str = "subnet-0b8a271fbca1131ba";
const PRIVATE_SUBNET: &str = "subnet-0ade3ea93548efa21";
const VPC: &str = "vpc-0b4a1cdc261681608";
const IGW: &str = "igw-0331d9f7e3e482d3d";
const EIGW: &str = "eigw-0ccd28b38927a8b0e";
const NAT: &str = "nat-0bde48aef39a4ad39";
const INTERNET6: &str = "2606:4700::6810:85e5";
const BPA: &str = "VPC_BLOCK_PUBLIC_ACCESS_ENABLED";

fn load(fixture: &str) -> Network {
    snapshot::load(&Path::new("fixtures").join(fixture))
        .expect("fixture loads")
        .network
}

fn tcp443(net: &Network, src: &str, dst: &str) -> PathAnalysis {
    let topo = Topology::new(net);
    let q = PathQuery {
        source: src.into(),
        destination: dst.into(),
        protocol: ProtocolChoice::Number(6),
        dport: Some((443, 443)),
        sport: Some((1024, 65535)),
        source_ip: None,
        destination_ip: None,
    };
    path::analyze(&topo, &q).expect("endpoints resolve")
}

/// The explanation with `code`, as (on return path, component ids).
fn with_code(a: &PathAnalysis, code: &str) -> Option<(bool, Vec<String>)> {
    a.explanations
        .iter()
        .find(|e| e.code.as_str() == code)
        .map(|e| {
            (
                e.on_return_path,
                e.components.iter().map(|(_, c)| c.id.clone()).collect(),
            )
        })
}

#[track_caller]
fn blocked_by_bpa(a: &PathAnalysis, components: &[&str]) {
    assert!(
        !a.path_found(),
        "expected a BPA block: {:#?}",
        a.explanations
    );
    let (on_return, comps) =
        with_code(a, BPA).unwrap_or_else(|| panic!("no {BPA}: {:#?}", a.explanations));
    assert!(!on_return, "BPA blocks the opening direction (BPA.8)");
    for c in components {
        assert!(comps.iter().any(|x| x == c), "{c} not in {comps:?}");
    }
}

#[track_caller]
fn reachable(a: &PathAnalysis) {
    assert!(a.path_found(), "{:#?}", a.explanations);
    assert!(with_code(a, BPA).is_none(), "{:#?}", a.explanations);
}

fn set_exclusion(net: &mut Network, resource: BpaResource, mode: &str, state: &str) {
    net.bpa_exclusions.clear();
    net.bpa_exclusions.insert(
        "vpcbpa-exclude-test".into(),
        BpaExclusion {
            id: "vpcbpa-exclude-test".into(),
            mode: BpaExclusionMode::parse(mode),
            resource,
            state: BpaExclusionState::parse(state),
        },
    );
}

/// BPA.1: the fixture's options load, one per region folder, and the
/// exclusion's ARN names the public subnet.
#[test]
fn bpa_1_options_and_exclusions_load() {
    let net = load("bpa-bidirectional");
    assert_eq!(net.block_public_access.len(), 1);
    let o = &net.block_public_access[0];
    assert_eq!(o.mode, BpaMode::BlockBidirectional);
    assert_eq!(o.location.region.as_deref(), Some("us-east-1"));
    assert!(o.exclusions_allowed);
    assert!(net.bpa_exclusions_described);
    let e = net.bpa_exclusions.values().next().expect("one exclusion");
    assert_eq!(e.resource, BpaResource::Subnet(PUBLIC_SUBNET.into()));
    assert_eq!(e.mode, BpaExclusionMode::AllowEgress);
    assert_eq!(net.vpcs[VPC].bpa_mode, Some(BpaMode::BlockBidirectional));
}

/// BPA.1: mode `off` blocks nothing (the dual-stack verdicts hold).
#[test]
fn bpa_1_off_blocks_nothing() {
    let mut net = load("bpa-bidirectional");
    net.block_public_access[0].mode = BpaMode::Off;
    reachable(&tcp443(&net, "internet", WEB));
    reachable(&tcp443(&net, APP6, INTERNET6));
}

/// BPA.2: bidirectional blocks inbound through the IGW; the public
/// subnet's allow-egress exclusion does not let inbound in (BPA.4).
#[test]
fn bpa_2_bidirectional_blocks_inbound_even_with_allow_egress() {
    let net = load("bpa-bidirectional");
    blocked_by_bpa(
        &tcp443(&net, "internet", WEB),
        &[IGW, PUBLIC_SUBNET, VPC, "vpcbpa-exclude-0f3a9c1e2b4d6a801"],
    );
}

/// BPA.2 + BPA.4: the allow-egress exclusion of the public subnet lets
/// web-public's own traffic out and its replies back.
#[test]
fn bpa_2_bidirectional_excluded_subnet_goes_out() {
    let net = load("bpa-bidirectional");
    reachable(&tcp443(&net, WEB, "internet"));
}

/// BPA.2: NAT-translated traffic crosses the IGW with the NAT gateway's
/// address: the exclusion of the NAT gateway's subnet lets app-private
/// out over IPv4; without it, the NAT gateway's traffic is blocked.
#[test]
fn bpa_2_bidirectional_nat_gateway_subnet_decides() {
    let mut net = load("bpa-bidirectional");
    reachable(&tcp443(&net, APP4, "8.8.8.8"));
    net.bpa_exclusions.clear();
    blocked_by_bpa(&tcp443(&net, APP4, "8.8.8.8"), &[IGW, NAT, PUBLIC_SUBNET]);
    // Excluding the workload's subnet instead does not help NAT traffic.
    set_exclusion(
        &mut net,
        BpaResource::Subnet(PRIVATE_SUBNET.into()),
        "allow-bidirectional",
        "create-complete",
    );
    blocked_by_bpa(&tcp443(&net, APP4, "8.8.8.8"), &[IGW, NAT]);
}

/// BPA.2: bidirectional blocks egress-only IGW egress of a subnet without
/// an exclusion; an allow-egress exclusion of the subnet lets it out.
#[test]
fn bpa_2_bidirectional_blocks_eigw_egress() {
    let mut net = load("bpa-bidirectional");
    blocked_by_bpa(&tcp443(&net, APP6, INTERNET6), &[EIGW, PRIVATE_SUBNET, VPC]);
    set_exclusion(
        &mut net,
        BpaResource::Subnet(PRIVATE_SUBNET.into()),
        "allow-egress",
        "create-complete",
    );
    reachable(&tcp443(&net, APP6, INTERNET6));
}

/// BPA.3: ingress-only blocks an instance's own egress through the IGW
/// (both families), and inbound.
#[test]
fn bpa_3_ingress_only_blocks_direct_igw_egress_and_inbound() {
    let net = load("bpa-ingress");
    blocked_by_bpa(&tcp443(&net, WEB4, "8.8.8.8"), &[IGW, PUBLIC_SUBNET]);
    blocked_by_bpa(&tcp443(&net, WEB6, INTERNET6), &[IGW, PUBLIC_SUBNET]);
    blocked_by_bpa(&tcp443(&net, "internet", WEB), &[IGW, PUBLIC_SUBNET]);
}

/// BPA.3: ingress-only lets NAT gateway and egress-only IGW egress out,
/// with their replies, without any exclusion.
#[test]
fn bpa_3_ingress_only_allows_nat_and_eigw_egress() {
    let mut net = load("bpa-ingress");
    net.bpa_exclusions.clear();
    reachable(&tcp443(&net, APP4, "8.8.8.8"));
    reachable(&tcp443(&net, APP6, INTERNET6));
    reachable(&tcp443(&net, APP, "internet"));
}

/// BPA.4: under ingress-only an allow-egress exclusion changes nothing
/// (the fixture's), allow-bidirectional lets both ways through.
#[test]
fn bpa_4_exclusion_modes_under_ingress_only() {
    let mut net = load("bpa-ingress");
    blocked_by_bpa(
        &tcp443(&net, WEB4, "8.8.8.8"),
        &["vpcbpa-exclude-07b2d4f6a8c0e1d23"],
    );
    set_exclusion(
        &mut net,
        BpaResource::Subnet(PUBLIC_SUBNET.into()),
        "allow-bidirectional",
        "update-complete",
    );
    reachable(&tcp443(&net, WEB4, "8.8.8.8"));
    reachable(&tcp443(&net, "internet", WEB));
}

/// BPA.4: an exclusion of the VPC covers every subnet of it.
#[test]
fn bpa_4_vpc_exclusion_covers_its_subnets() {
    let mut net = load("bpa-bidirectional");
    set_exclusion(
        &mut net,
        BpaResource::Vpc(VPC.into()),
        "allow-bidirectional",
        "create-complete",
    );
    reachable(&tcp443(&net, "internet", WEB));
    reachable(&tcp443(&net, APP6, INTERNET6));
}

/// BPA.5: an exclusion whose creation failed or which was deleted is not
/// in force (blocked); one whose update is under way is unknown.
#[test]
fn bpa_5_exclusion_state() {
    let mut net = load("bpa-bidirectional");
    for state in ["create-failed", "delete-complete", "disable-complete"] {
        set_exclusion(
            &mut net,
            BpaResource::Subnet(PUBLIC_SUBNET.into()),
            "allow-bidirectional",
            state,
        );
        blocked_by_bpa(&tcp443(&net, "internet", WEB), &[IGW]);
    }
    for state in ["update-in-progress", "create-in-progress", "update-failed"] {
        set_exclusion(
            &mut net,
            BpaResource::Subnet(PUBLIC_SUBNET.into()),
            "allow-bidirectional",
            state,
        );
        let a = tcp443(&net, "internet", WEB);
        assert!(!a.path_found(), "{state}");
        let (_, comps) = with_code(&a, "UNKNOWN_RESOURCE").expect("unknown");
        assert!(comps.iter().any(|c| c == IGW), "{comps:?}");
        assert!(
            with_code(&a, BPA).is_none(),
            "{state}: unknown, not blocked"
        );
    }
}

/// BPA.6: exclusions do not apply when the options forbid them.
#[test]
fn bpa_6_exclusions_not_allowed() {
    let mut net = load("bpa-bidirectional");
    reachable(&tcp443(&net, WEB4, "8.8.8.8"));
    net.block_public_access[0].exclusions_allowed = false;
    blocked_by_bpa(&tcp443(&net, WEB4, "8.8.8.8"), &[IGW]);
}

/// BPA.7: without the options the VPC's BlockPublicAccessStates governs;
/// without either, BPA is off; a blocking mode without the exclusions'
/// output is unknown.
#[test]
fn bpa_7_missing_options_and_exclusions() {
    let mut net = load("bpa-bidirectional");
    net.block_public_access.clear();
    // The VPC says block-bidirectional; the exclusions are known.
    blocked_by_bpa(&tcp443(&net, "internet", WEB), &[IGW, VPC]);
    // An exclusion would let it out, but whether the account allows
    // exclusions (ExclusionsAllowed, BPA.6) is in the options: unknown.
    let a = tcp443(&net, WEB4, "8.8.8.8");
    assert!(!a.path_found());
    let (_, comps) = with_code(&a, "UNKNOWN_RESOURCE").expect("unknown");
    assert!(comps.iter().any(|c| c == IGW), "{comps:?}");
    assert!(with_code(&a, BPA).is_none(), "unknown, not blocked");
    // Exclusions not in the snapshot: unknown.
    net.bpa_exclusions.clear();
    net.bpa_exclusions_described = false;
    let a = tcp443(&net, "internet", WEB);
    assert!(!a.path_found());
    assert!(
        with_code(&a, "UNKNOWN_RESOURCE").is_some(),
        "{:#?}",
        a.explanations
    );
    assert!(with_code(&a, BPA).is_none());
    // The walk stopped there: the answer is unknown, not "not reachable"
    // (found by the property test: a reply blocked beyond the stop).
    assert!(a.unknown, "a stop at what the snapshot lacks is no verdict");
    // Neither the options nor a VPC state: off (the dual-stack verdicts).
    net.vpcs.get_mut(VPC).unwrap().bpa_mode = None;
    reachable(&tcp443(&net, "internet", WEB));
    reachable(&tcp443(&net, APP6, INTERNET6));
}

/// BPA.7 (found by the property test on partial snapshots): a VPC that
/// describe-vpcs does not describe has no known mode or region, so an
/// internet crossing out of it is unknown, never "BPA off".
#[test]
fn bpa_7_undescribed_vpc_is_unknown() {
    let mut net = load("bpa-bidirectional");
    blocked_by_bpa(&tcp443(&net, "internet", WEB), &[IGW]);
    net.vpcs.remove(VPC);
    let a = tcp443(&net, WEB4, "8.8.8.8");
    assert!(!a.path_found(), "{:#?}", a.explanations);
    let (_, comps) = with_code(&a, "UNKNOWN_RESOURCE").expect("unknown");
    assert!(
        comps.iter().any(|c| c == IGW) && comps.iter().any(|c| c == VPC),
        "{comps:?}"
    );
    assert!(with_code(&a, BPA).is_none(), "unknown, not blocked");
}

/// BPA.7: the dual-stack fixture (BlockPublicAccessStates `off`, no
/// options file) is unaffected.
#[test]
fn bpa_7_snapshot_without_bpa_is_not_unknown() {
    let net = load("dual-stack");
    assert!(net.block_public_access.is_empty());
    assert!(!net.bpa_exclusions_described);
    reachable(&tcp443(&net, "internet", WEB));
    reachable(&tcp443(&net, APP6, INTERNET6));
}

/// BPA.8: replies follow the connection: an allowed outbound connection
/// gets its replies in under either blocking mode.
#[test]
fn bpa_8_replies_follow_the_connection() {
    for f in ["bpa-bidirectional", "bpa-ingress"] {
        let net = load(f);
        let a = tcp443(&net, APP4, "8.8.8.8");
        reachable(&a);
        assert_eq!(a.return_found, Some(true), "{f}");
    }
}

fn apply_change(base: &Network, file: &str) -> Network {
    let change = vpcreach::snapshot::change_file::read(&Path::new("fixtures/changes").join(file))
        .expect("change parses");
    change.apply(base).expect("change applies").network
}

/// whatif (BPA.4): creating an allow-egress exclusion for the private
/// subnet lets its IPv6 out through the egress-only IGW; modifying the
/// public subnet's exclusion to allow-bidirectional lets the internet in.
#[test]
fn bpa_4_whatif_create_and_modify_exclusions() {
    let before = load("bpa-bidirectional");
    let after = apply_change(&before, "bpa-bidirectional-exclude-private.json");
    blocked_by_bpa(&tcp443(&before, APP6, INTERNET6), &[EIGW]);
    reachable(&tcp443(&after, APP6, INTERNET6));
    blocked_by_bpa(&tcp443(&before, "internet", WEB), &[IGW]);
    reachable(&tcp443(&after, "internet", WEB));
    let changes = vpcreach::change::diff::diff(&before, &after);
    assert_eq!(changes.len(), 2, "{changes:?}");
}

/// whatif (BPA.1): ModifyVpcBlockPublicAccessOptions to `off` lifts every
/// block; DeleteVpcBlockPublicAccessExclusion removes an exemption; EC2's
/// refusals are refusals.
#[test]
fn bpa_1_whatif_options_and_delete() {
    let before = load("bpa-ingress");
    let after = apply_change(&before, "bpa-turn-off.json");
    blocked_by_bpa(&tcp443(&before, "internet", WEB), &[IGW]);
    reachable(&tcp443(&after, "internet", WEB));
    reachable(&tcp443(&after, WEB4, "8.8.8.8"));

    let parse = |json: &str| {
        vpcreach::snapshot::change_file::parse(Path::new("change.json"), json.to_string())
            .expect("change parses")
    };
    let bidir = load("bpa-bidirectional");
    let deleted = parse(r#"[{"Action": "DeleteVpcBlockPublicAccessExclusion", "ExclusionId": "vpcbpa-exclude-0f3a9c1e2b4d6a801"}]"#)
        .apply(&bidir)
        .expect("applies")
        .network;
    reachable(&tcp443(&bidir, WEB4, "8.8.8.8"));
    blocked_by_bpa(&tcp443(&deleted, WEB4, "8.8.8.8"), &[IGW, PUBLIC_SUBNET]);
    for bad in [
        r#"[{"Action": "ModifyVpcBlockPublicAccessOptions", "InternetGatewayBlockMode": "block-all"}]"#,
        r#"[{"Action": "CreateVpcBlockPublicAccessExclusion", "InternetGatewayExclusionMode": "allow-egress"}]"#,
        r#"[{"Action": "DeleteVpcBlockPublicAccessExclusion", "ExclusionId": "vpcbpa-exclude-0000"}]"#,
    ] {
        assert!(parse(bad).apply(&bidir).is_err(), "{bad}");
    }
}
