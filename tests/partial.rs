//! Partial snapshots (R-partial.4 of docs/semantics-additions.md): what
//! `tests/equivalence.rs`'s partial-snapshot property found. Each answer
//! below was a definite verdict on a snapshot missing a kind it depends
//! on; each must be unknown (`UNKNOWN_RESOURCE`), never a guess.

mod common;

use common::*;
use serde_json::{json, Value};
use vpcreach::analysis::PathAnalysis;

/// vpc-1 10.0.0.0/16, subnets a (10.0.0.0/24) and b (10.0.1.0/24), main
/// table local + `routes`, default NACL allow all, sg-open, instances
/// i-a (10.0.0.10) and i-b (10.0.1.10).
fn base(routes: Vec<Value>) -> Snap {
    let mut s = Snap::new();
    s.vpc("vpc-1", "10.0.0.0/16")
        .subnet("subnet-a", "vpc-1", "10.0.0.0/24")
        .subnet("subnet-b", "vpc-1", "10.0.1.0/24")
        .route_table("rtb-main", "vpc-1", "10.0.0.0/16", true, &[], routes)
        .acl("acl-default", "vpc-1", true, &[], nacl_allow_all())
        .sg(
            "sg-open",
            "vpc-1",
            vec![sg_cidr("-1", None, "10.0.0.0/8")],
            sg_allow_all_out(),
        )
        .igw("igw-1", Some("vpc-1"))
        .instance(
            "i-a",
            "eni-a",
            "subnet-a",
            "vpc-1",
            "10.0.0.10",
            &["sg-open"],
        )
        .instance(
            "i-b",
            "eni-b",
            "subnet-b",
            "vpc-1",
            "10.0.1.10",
            &["sg-open"],
        );
    s
}

fn unknown_on(a: &PathAnalysis, component: &str) -> bool {
    !a.path_found()
        && explanations(a)
            .iter()
            .any(|(c, _, comps)| *c == "UNKNOWN_RESOURCE" && comps.iter().any(|x| x == component))
}

fn tcp(s: &Snap, src: &str, dst: &str, port: u16) -> PathAnalysis {
    analyze(&s.network(), &query(src, dst, 6, Some((port, port))))
}

/// A NAT gateway's interface (`InterfaceType` `nat_gateway`) without the
/// NAT gateway (no nat-gateways.json): it accepts no connections, but the
/// snapshot cannot say so — unknown, not delivered as to an instance.
#[test]
fn r_partial_4_nat_gateway_interface_without_its_nat_gateway_is_unknown() {
    let mut s = base(vec![]);
    s.enis.push(json!({
        "AvailabilityZone": "us-east-1a", "Description": "Interface for NAT Gateway nat-1",
        "Groups": [], "InterfaceType": "nat_gateway", "Ipv6Addresses": [],
        "NetworkInterfaceId": "eni-nat", "OwnerId": OWNER,
        "PrivateIpAddress": "10.0.1.200",
        "PrivateIpAddresses": [{"Primary": true, "PrivateIpAddress": "10.0.1.200"}],
        "RequesterManaged": true, "SourceDestCheck": false, "Status": "in-use",
        "SubnetId": "subnet-b", "TagSet": [], "VpcId": "vpc-1"
    }));
    assert!(unknown_on(&tcp(&s, "i-a", "eni-nat", 443), "eni-nat"));
}

/// An interface attached to an instance the snapshot lacks (no
/// instances.json): whether that instance runs is unknown (C10.6).
#[test]
fn r_partial_4_interface_of_an_instance_not_in_the_snapshot_is_unknown() {
    let mut s = base(vec![]);
    s.reservations
        .retain(|r| r["Instances"][0]["InstanceId"] != "i-b");
    assert!(unknown_on(&tcp(&s, "i-a", "eni-b", 443), "eni-b"));
}

/// The same in `audit`, whose walks record no explanations: the audit is
/// unknown, naming the interface, never clean for lack of a finding.
#[test]
fn r_partial_4_audit_towards_an_interface_of_a_missing_instance_is_unknown() {
    let mut s = base(vec![]);
    s.reservations
        .retain(|r| r["Instances"][0]["InstanceId"] != "i-b");
    let unknown = all_pairs_unknown(&s);
    assert!(unknown.iter().any(|n| n.contains("eni-b")), "{unknown:?}");
}

/// `base` plus i-c (eni-c) whose only group allows tcp/443 from prefix list
/// pl-1, whose entries the snapshot lacks.
fn behind_prefix_list_without_entries() -> Snap {
    let mut s = base(vec![]);
    s.prefix_list("pl-1", None);
    s.sg(
        "sg-pl",
        "vpc-1",
        vec![sg_pl("tcp", Some((443, 443)), "pl-1")],
        sg_allow_all_out(),
    );
    s.instance("i-c", "eni-c", "subnet-b", "vpc-1", "10.0.1.20", &["sg-pl"]);
    s
}

/// The all-ENI-pairs audit's unknown notes.
fn all_pairs_unknown(s: &Snap) -> Vec<String> {
    all_pairs_audit(&s.network()).unknown
}

/// R-partial.4 in lean walks: what a security group the snapshot lacks, or
/// a rule naming a prefix list without entries, might allow is unknown, so
/// an audit across it is unknown, not clean (a lean walk keeps no
/// explanations, and used to drop that traffic silently).
#[test]
fn r_partial_4_audit_across_a_missing_group_or_prefix_list_is_unknown() {
    let mut s = base(vec![]);
    s.instance(
        "i-c",
        "eni-c",
        "subnet-b",
        "vpc-1",
        "10.0.1.20",
        &["sg-gone"],
    );
    let unknown = all_pairs_unknown(&s);
    assert!(unknown.iter().any(|n| n.contains("sg-gone")), "{unknown:?}");

    let s = behind_prefix_list_without_entries();
    let unknown = all_pairs_unknown(&s);
    assert!(unknown.iter().any(|n| n.contains("pl-1")), "{unknown:?}");
    // Without the unknown pieces the same audit is a verdict.
    assert!(all_pairs_unknown(&base(vec![])).is_empty());
}

/// A route to a prefix list whose entries are not in the snapshot may be
/// the longest prefix for any destination: which route wins is unknown
/// (it used to be left out with a note, and local delivered).
#[test]
fn r_partial_4_route_to_a_prefix_list_without_entries_is_unknown() {
    let mut s = base(vec![route("pl-1", ("GatewayId", "igw-1"), "active")]);
    s.prefix_list("pl-1", None);
    assert!(unknown_on(&tcp(&s, "i-a", "i-b", 443), "rtb-main"));
}

/// An SG rule naming a prefix list without entries might allow what the
/// other rules deny: unknown, not ENI_SG_RULES_MISMATCH.
#[test]
fn r_partial_4_sg_rule_naming_a_prefix_list_without_entries_is_unknown() {
    let s = behind_prefix_list_without_entries();
    assert!(unknown_on(&tcp(&s, "i-a", "i-c", 443), "eni-c"));
    // A port no rule of the group names is still a verdict.
    let a = tcp(&s, "i-a", "i-c", 22);
    assert!(explanations(&a)
        .iter()
        .any(|(c, _, _)| *c == "ENI_SG_RULES_MISMATCH"));
}

/// A VGW with no VPN connection in the snapshot (no vpn-connections.json):
/// whether a tunnel is up and what it routes is unknown (C3.10).
#[test]
fn r_partial_4_vgw_without_any_known_connection_is_unknown() {
    let mut s = base(vec![route(
        "192.168.0.0/16",
        ("GatewayId", "vgw-1"),
        "active",
    )]);
    s.item(
        "vpn-gateways.json",
        "VpnGateways",
        json!({"VpnGatewayId": "vgw-1", "State": "available", "Type": "ipsec.1",
               "VpcAttachments": [{"VpcId": "vpc-1", "State": "attached"}]}),
    );
    assert!(unknown_on(&tcp(&s, "i-a", "192.168.1.1", 443), "vgw-1"));
}

/// A VPC attachment known only from describe-transit-gateway-vpc-attachments
/// (no describe-transit-gateway-attachments, which prints associations):
/// its route table is unknown, not "not associated" (C7.1).
#[test]
fn r_partial_4_tgw_association_not_in_the_snapshot_is_unknown() {
    let mut s = base(vec![route(
        "10.9.0.0/16",
        ("TransitGatewayId", "tgw-1"),
        "active",
    )]);
    s.item(
        "transit-gateways.json",
        "TransitGateways",
        json!({"TransitGatewayId": "tgw-1", "State": "available"}),
    );
    s.item(
        "transit-gateway-vpc-attachments.json",
        "TransitGatewayVpcAttachments",
        json!({"TransitGatewayAttachmentId": "tgw-attach-1", "TransitGatewayId": "tgw-1",
               "VpcId": "vpc-1", "State": "available", "SubnetIds": ["subnet-a"]}),
    );
    let a = tcp(&s, "i-a", "10.9.0.5", 443);
    assert!(unknown_on(&a, "tgw-attach-1"), "{:#?}", explanations(&a));
    assert!(!explanations(&a)
        .iter()
        .any(|(c, _, _)| *c == "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION"));
}

/// fixtures/public-web copied without network-acls.json.
fn public_web_without_nacls() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("fixtures/public-web").unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if name.ends_with(".json") && name != "network-acls.json" {
            std::fs::copy(entry.path(), dir.path().join(&name)).unwrap();
        }
    }
    dir
}

/// R-partial.2: the whatif / diff HTML report over a snapshot that lacks a
/// kind opens with the UNKNOWN banner the text and Markdown reports have,
/// and never says "no reachability change".
#[test]
fn r_partial_2_whatif_html_has_the_unknown_banner() {
    let dir = public_web_without_nacls();
    let html = |snap: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpcreach"))
            .args([
                "diff", "--before", snap, "--after", snap, "--format", "html",
            ])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, page) = html(dir.path().to_str().unwrap());
    assert_eq!(code, Some(1));
    let banner = page.find("UNKNOWN").expect("an UNKNOWN banner");
    assert!(
        banner < page.find("</h1>").unwrap() + 200,
        "banner at the top"
    );
    assert!(
        page.contains("NetworkAcls in no file of the snapshot"),
        "{page}"
    );
    assert!(!page.contains("NO REACHABILITY CHANGE"));
    // The complete snapshot keeps its verdict.
    let (code, page) = html("fixtures/public-web");
    assert_eq!(code, Some(0));
    assert!(page.contains("NO REACHABILITY CHANGE") && !page.contains("UNKNOWN"));
}

/// R-partial.5: flow log records whose verdict depends on what the
/// snapshot lacks (here every network ACL) are unknown — an ACCEPT is not
/// drift ("the snapshot is stale"), a REJECT the security group would
/// allow is not explained by a guess — while a REJECT the security group
/// denies is still explained by it.
#[test]
fn r_partial_5_flows_on_a_partial_snapshot_are_unknown_not_drift() {
    let dir = public_web_without_nacls();
    let eni = "eni-00566ef110138f8aa";
    let log = dir.path().join("flows.log");
    std::fs::write(
        &log,
        format!(
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
             2 123456789012 {eni} 198.51.100.7 10.30.1.10 40000 443 6 5 400 1700000000 1700000060 ACCEPT OK\n\
             2 123456789012 {eni} 198.51.100.7 10.30.1.10 40001 443 6 5 400 1700000000 1700000060 REJECT OK\n\
             2 123456789012 {eni} 198.51.100.7 10.30.1.10 40002 8080 6 5 400 1700000000 1700000060 REJECT OK\n"
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(["flows", "--snapshot"])
        .arg(dir.path())
        .arg(&log)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let summary = if v["Summary"].is_object() {
        &v["Summary"]
    } else {
        &v
    };
    assert_eq!(summary["Unknown"], 2, "{v:#}");
    assert_eq!(summary["UnexplainedAccept"], 0, "{v:#}");
    assert_eq!(summary["UnexplainedReject"], 0, "{v:#}");
    assert_eq!(summary["Explained"], 1, "{v:#}");
    // Unknown records are not "every REJECT explained".
    assert_eq!(out.status.code(), Some(1));
}

/// R-partial.4 with INET.1: without describe-network-interfaces, a public
/// address the snapshot maps to nothing may be an interface of this account
/// (an unattached one holding an Elastic IP, which the internet gateway
/// drops): the path out to it is unknown, never "reachable on the
/// internet". With the interfaces described it is an outside address.
#[test]
fn r_partial_4_internet_destination_without_interfaces_is_unknown() {
    let mut s = base(vec![
        json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1",
        "Origin": "CreateRoute", "State": "active"}),
    ]);
    s.eip("54.0.0.10", "eni-a", "10.0.0.10");
    assert!(tcp(&s, "i-a", "54.0.0.100", 443).path_found());
    let docs: Vec<(String, String)> = s
        .docs()
        .into_iter()
        .filter(|(f, _)| f != "network-interfaces.json")
        .collect();
    let snap =
        vpcreach::snapshot::load_documents(docs.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .unwrap();
    let a = analyze(
        &snap.network,
        &query("i-a", "54.0.0.100", 6, Some((443, 443))),
    );
    assert!(unknown_on(&a, "igw-1"), "{:?}", explanations(&a));
}
