//! `whatif`: every supported EC2 action applied to a bundled fixture, with
//! the exact pairs whose reachability is gained or lost; EC2's error codes
//! for refused calls; `whatif` equal to `diff` against a hand-edited copy.

use std::path::{Path, PathBuf};

use vpcreach::change;
use vpcreach::model::{GatewayAttachmentState, Network};
use vpcreach::snapshot::{self, change_file};
use vpcreach::whatif::differential::{self, Differential};
use vpcreach::whatif::{self, WhatifOptions};

// three-tier (fixtures/three-tier/README.md)
const WEB: &str = "eni-035b95295c011e256";
const APP: &str = "eni-0cb1f501ad81b2f37";
const DB: &str = "eni-0bbbce7139edeae6d";
const NET: &str = "internet";
const WEB_SG: &str = "sg-0b02f59c9aa9b504b";
const APP_SG: &str = "sg-01e5133018c4f52da";
const DB_SG: &str = "sg-04ba902bbfc828f5d";
const DEFAULT_SG: &str = "sg-02fb94ff492155e3e";
const DEFAULT_ACL: &str = "acl-0d98a8a27c84ebbb9";
const DB_ACL: &str = "acl-0aae7e3f6fe63d5ac";
const PUBLIC_RTB: &str = "rtb-0f7c353c171a6c36b";
const PRIVATE_RTB: &str = "rtb-07786a2e372e7a99a";
const MAIN_RTB: &str = "rtb-09b60920e34e50edd";
const DB_RTBASSOC: &str = "rtbassoc-0b4448e3f7d1cbcda";
const MAIN_RTBASSOC: &str = "rtbassoc-07bc2751068e4568c";
const WEB_ACLASSOC: &str = "aclassoc-03614a3382fe4b19c";
const DB_ACLASSOC: &str = "aclassoc-0fc8e9a0a20ba1163";
const DB_SUBNET: &str = "subnet-03858ae586d0cfeae";
const VPC: &str = "vpc-0ba0ef98c7f4df554";
const IGW: &str = "igw-0f2bb638e65827a20";
const NAT: &str = "nat-0571f9f51005d341f";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Network {
    snapshot::load(&root().join("fixtures").join(name))
        .expect("fixture loads")
        .network
}

fn parse(json: &str) -> change_file::ChangeFile {
    change_file::parse(Path::new("change.json"), json.to_string()).expect("change parses")
}

fn apply(base: &Network, json: &str) -> Network {
    parse(json).apply(base).expect("change applies").network
}

type Pairs = Vec<(String, String, String)>;

fn pairs(list: &[differential::ReachChange]) -> Pairs {
    let mut v: Pairs = list
        .iter()
        .map(|r| {
            (
                r.source.id.clone(),
                r.destination.id.clone(),
                r.summary.join(","),
            )
        })
        .collect();
    v.sort();
    v
}

/// What `whatif` and `diff` find (the CLI's own sequence), held to two
/// slower ways of computing it.
fn compare(before: &Network, after: &Network) -> (Pairs, Pairs) {
    let d: Differential = whatif::compare(before, after, &WhatifOptions::default())
        .expect("no intents, no scope: nothing to refuse")
        .diff;
    // Restricting to affected pairs must not lose anything.
    let full = differential::differential(before, after, None);
    assert_eq!(
        pairs(&d.gained),
        pairs(&full.gained),
        "affected-pair restriction"
    );
    assert_eq!(
        pairs(&d.lost),
        pairs(&full.lost),
        "affected-pair restriction"
    );
    // The class-based evaluation must equal two `path` queries per pair.
    let config = change::diff::diff(before, after);
    let touched = change::diff::affected(before, after, &config);
    let reference = differential::pairwise(before, after, Some(&touched));
    assert_eq!(
        pairs(&d.gained),
        pairs(&reference.gained),
        "class walks vs pairwise"
    );
    assert_eq!(
        pairs(&d.lost),
        pairs(&reference.lost),
        "class walks vs pairwise"
    );
    assert_eq!(
        (d.pairs_total, d.pairs_evaluated),
        (reference.pairs_total, reference.pairs_evaluated),
        "pair counts"
    );
    (pairs(&d.gained), pairs(&d.lost))
}

/// (gained, lost) of `change` applied to `base`.
fn whatif(base: &Network, change: &str) -> (Pairs, Pairs) {
    let after = apply(base, change);
    compare(base, &after)
}

/// Sorted, as `compare` returns them.
fn s<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

fn p(s: &str, d: &str, t: &str) -> (String, String, String) {
    (s.into(), d.into(), t.into())
}

fn just_pairs(v: &Pairs) -> Vec<(String, String)> {
    v.iter().map(|(s, d, _)| (s.clone(), d.clone())).collect()
}

fn err_code(base: &Network, change: &str) -> &'static str {
    parse(change)
        .apply(base)
        .expect_err("EC2 would refuse this")
        .aws_code()
        .expect("an EC2 error code")
}

// ------------------------------------------------------------ security groups

#[test]
fn authorize_ingress_opens_and_revoke_ingress_breaks() {
    let base = fixture("three-tier");
    let open = format!(
        r#"[{{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "{APP_SG}",
             "IpPermissions": [{{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                 "UserIdGroupPairs": [{{"GroupId": "{WEB_SG}"}}]}}]}}]"#
    );
    assert_eq!(whatif(&base, &open), (vec![p(WEB, APP, "tcp/22")], vec![]));
    // The flattened CidrIp form.
    let flat = format!(
        r#"[{{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "{APP_SG}",
             "CidrIp": "10.0.1.0/24", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}}]"#
    );
    assert_eq!(whatif(&base, &flat), (vec![p(WEB, APP, "tcp/22")], vec![]));
    let revoke = format!(
        r#"[{{"Action": "RevokeSecurityGroupIngress", "GroupId": "{WEB_SG}",
             "IpPermissions": [{{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                 "IpRanges": [{{"CidrIp": "0.0.0.0/0"}}]}}]}}]"#
    );
    assert_eq!(
        whatif(&base, &revoke),
        (
            vec![],
            s(vec![
                p(APP, WEB, "tcp/443"),
                p(DB, WEB, "tcp/443"),
                p(NET, WEB, "tcp/443")
            ])
        )
    );
}

#[test]
fn revoke_egress_breaks_and_authorize_egress_opens() {
    let base = fixture("three-tier");
    let revoke = format!(
        r#"[{{"Action": "RevokeSecurityGroupEgress", "GroupId": "{DB_SG}",
             "IpPermissions": [{{"IpProtocol": "-1", "IpRanges": [{{"CidrIp": "0.0.0.0/0"}}]}}]}}]"#
    );
    let (gained, lost) = whatif(&base, &revoke);
    assert!(gained.is_empty());
    assert_eq!(
        just_pairs(&lost),
        s(vec![(DB.into(), WEB.into()), (DB.into(), NET.into())])
    );
    assert_eq!(lost[0].2, "tcp/80,443");
    let closed = apply(&base, &revoke);
    let authorize = format!(
        r#"[{{"Action": "AuthorizeSecurityGroupEgress", "GroupId": "{DB_SG}",
             "IpPermissions": [{{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                 "IpRanges": [{{"CidrIp": "0.0.0.0/0"}}]}}]}}]"#
    );
    assert_eq!(
        whatif(&closed, &authorize),
        (vec![p(DB, WEB, "tcp/443"), p(DB, NET, "tcp/443")], vec![])
    );
}

#[test]
fn modify_security_group_rules_by_rule_id() {
    let mut base = fixture("three-tier");
    // Rule ids come from describe-security-group-rules; see the loader test.
    base.security_groups.get_mut(APP_SG).unwrap().ingress[0].rule_id = Some("sgr-0aaa".into());
    let change = format!(
        r#"[{{"Action": "ModifySecurityGroupRules", "GroupId": "{APP_SG}",
             "SecurityGroupRules": [{{"SecurityGroupRuleId": "sgr-0aaa",
               "SecurityGroupRule": {{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                      "ReferencedGroupId": "{WEB_SG}"}}}}]}}]"#
    );
    assert_eq!(
        whatif(&base, &change),
        (vec![p(WEB, APP, "tcp/22")], vec![p(WEB, APP, "tcp/8080")])
    );
    let back = apply(&base, &change);
    let undo = format!(
        r#"[{{"Action": "ModifySecurityGroupRules", "GroupId": "{APP_SG}",
             "SecurityGroupRules": [{{"SecurityGroupRuleId": "sgr-0aaa",
               "SecurityGroupRule": {{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                      "ReferencedGroupId": "{WEB_SG}"}}}}]}}]"#
    );
    assert_eq!(
        whatif(&back, &undo),
        (vec![p(WEB, APP, "tcp/8080")], vec![p(WEB, APP, "tcp/22")])
    );
}

#[test]
fn security_group_rule_ids_load_from_describe_security_group_rules() {
    let dir = root().join("fixtures/three-tier/us-east-1");
    let mut docs: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    docs.push((
        "security-group-rules.json".into(),
        format!(
            r#"{{"SecurityGroupRules": [{{"SecurityGroupRuleId": "sgr-0123456789abcdef0",
                 "GroupId": "{APP_SG}", "GroupOwnerId": "123456789012", "IsEgress": false,
                 "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                 "ReferencedGroupInfo": {{"GroupId": "{WEB_SG}", "UserId": "123456789012"}}}}]}}"#
        ),
    ));
    let snap =
        snapshot::load_documents(docs.iter().map(|(a, b)| (a.as_str(), b.as_str()))).unwrap();
    assert_eq!(
        snap.network.security_groups[APP_SG].ingress[0]
            .rule_id
            .as_deref(),
        Some("sgr-0123456789abcdef0")
    );
    let change = format!(
        r#"[{{"Action": "RevokeSecurityGroupIngress", "GroupId": "{APP_SG}",
             "SecurityGroupRuleIds": ["sgr-0123456789abcdef0"]}}]"#
    );
    assert_eq!(
        whatif(&snap.network, &change),
        (vec![], vec![p(WEB, APP, "tcp/8080")])
    );
}

// ------------------------------------------------------------ network ACLs

#[test]
fn create_network_acl_entry_opens_and_breaks() {
    let base = fixture("three-tier");
    let open = format!(
        r#"[{{"Action": "CreateNetworkAclEntry", "NetworkAclId": "{DB_ACL}", "RuleNumber": 80,
             "Protocol": "6", "RuleAction": "allow", "Egress": false, "CidrBlock": "10.0.2.20/32",
             "PortRange": {{"From": 3306, "To": 3306}}}}]"#
    );
    assert_eq!(whatif(&base, &open), (vec![p(APP, DB, "tcp/3306")], vec![]));
    let break_ = format!(
        r#"[{{"Action": "CreateNetworkAclEntry", "NetworkAclId": "{DEFAULT_ACL}", "RuleNumber": 50,
             "Protocol": "tcp", "RuleAction": "deny", "Egress": false, "CidrBlock": "10.0.1.0/24",
             "PortRange": {{"From": 8080, "To": 8080}}}}]"#
    );
    // Also replies to app → web whose client port happens to be 8080.
    assert_eq!(
        whatif(&base, &break_),
        (
            vec![],
            s(vec![p(WEB, APP, "tcp/8080"), p(APP, WEB, "tcp/80,443")])
        )
    );
}

#[test]
fn replace_network_acl_entry_opens_one_path_and_breaks_another() {
    let base = fixture("three-tier");
    // Rule 90 now denies replies from the web subnet instead of app → db.
    let change = format!(
        r#"[{{"Action": "ReplaceNetworkAclEntry", "NetworkAclId": "{DB_ACL}", "RuleNumber": 90,
             "Protocol": "6", "RuleAction": "deny", "Egress": false, "CidrBlock": "10.0.1.0/24",
             "PortRange": {{"From": 1024, "To": 65535}}}}]"#
    );
    assert_eq!(
        whatif(&base, &change),
        (vec![p(APP, DB, "tcp/3306")], vec![p(DB, WEB, "tcp/80,443")])
    );
}

#[test]
fn delete_network_acl_entry_opens_and_breaks() {
    let base = fixture("three-tier");
    let open = format!(
        r#"[{{"Action": "DeleteNetworkAclEntry", "NetworkAclId": "{DB_ACL}", "RuleNumber": 90, "Egress": false}}]"#
    );
    assert_eq!(whatif(&base, &open), (vec![p(APP, DB, "tcp/3306")], vec![]));
    let break_ = format!(
        r#"[{{"Action": "DeleteNetworkAclEntry", "NetworkAclId": "{DB_ACL}", "RuleNumber": 100, "Egress": false}}]"#
    );
    let (gained, lost) = whatif(&base, &break_);
    assert!(gained.is_empty());
    assert_eq!(
        just_pairs(&lost),
        s(vec![(DB.into(), WEB.into()), (DB.into(), NET.into())])
    );
}

#[test]
fn replace_network_acl_association_opens_and_breaks() {
    let base = fixture("three-tier");
    let open = format!(
        r#"[{{"Action": "ReplaceNetworkAclAssociation", "AssociationId": "{DB_ACLASSOC}", "NetworkAclId": "{DEFAULT_ACL}"}}]"#
    );
    assert_eq!(whatif(&base, &open), (vec![p(APP, DB, "tcp/3306")], vec![]));
    // The web subnet (and the NAT gateway in it) behind the db NACL: rule 90
    // denies tcp/3306 from the app subnet, which the NAT forwards.
    let break_ = format!(
        r#"[{{"Action": "ReplaceNetworkAclAssociation", "AssociationId": "{WEB_ACLASSOC}", "NetworkAclId": "{DB_ACL}"}}]"#
    );
    assert_eq!(
        whatif(&base, &break_),
        (
            vec![],
            s(vec![p(APP, NET, "tcp/3306"), p(WEB, APP, "tcp/8080")])
        )
    );
}

// ------------------------------------------------------------ routes

#[test]
fn create_route_breaks_and_delete_route_opens() {
    let base = fixture("three-tier");
    // Part of the internet sent to the IGW from subnets without public IPs.
    let create = format!(
        r#"[{{"Action": "CreateRoute", "RouteTableId": "{PRIVATE_RTB}",
             "DestinationCidrBlock": "93.184.215.0/24", "GatewayId": "{IGW}"}}]"#
    );
    let (gained, lost) = whatif(&base, &create);
    assert!(gained.is_empty());
    assert_eq!(
        just_pairs(&lost),
        s(vec![(APP.into(), NET.into()), (DB.into(), NET.into())])
    );
    let after = apply(&base, &create);
    let delete = format!(
        r#"[{{"Action": "DeleteRoute", "RouteTableId": "{PRIVATE_RTB}", "DestinationCidrBlock": "93.184.215.0/24"}}]"#
    );
    let (gained, lost) = whatif(&after, &delete);
    assert!(lost.is_empty());
    assert_eq!(
        just_pairs(&gained),
        s(vec![(APP.into(), NET.into()), (DB.into(), NET.into())])
    );
}

#[test]
fn create_route_opens_an_isolated_subnet() {
    let base = fixture("nat-egress");
    let readme = std::fs::read_to_string(root().join("fixtures/nat-egress/README.md")).unwrap();
    assert!(readme.contains("isolated"));
    let (rtb, nat, isolated) = nat_egress_ids(&base);
    let change = format!(
        r#"[{{"Action": "CreateRoute", "RouteTableId": "{rtb}", "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "{nat}"}}]"#
    );
    let (gained, lost) = whatif(&base, &change);
    assert!(lost.is_empty());
    assert_eq!(just_pairs(&gained), s(vec![(isolated, NET.into())]));
}

/// nat-egress: the isolated subnet's route table, the NAT gateway, the isolated ENI.
fn nat_egress_ids(net: &Network) -> (String, String, String) {
    let nat = net.nat_gateways.keys().next().unwrap().clone();
    let eni = net
        .network_interfaces
        .values()
        .find(|e| e.name.as_deref().is_some_and(|n| n.contains("isolated")))
        .expect("an isolated instance");
    let rtb = net
        .route_tables
        .values()
        .find(|t| t.subnet_ids.contains(&eni.subnet_id))
        .expect("explicit association")
        .id
        .clone();
    (rtb, nat, eni.id.clone())
}

#[test]
fn replace_route_breaks_and_opens() {
    let base = fixture("three-tier");
    let to_igw = format!(
        r#"[{{"Action": "ReplaceRoute", "RouteTableId": "{PRIVATE_RTB}", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "{IGW}"}}]"#
    );
    let (gained, lost) = whatif(&base, &to_igw);
    assert!(gained.is_empty());
    assert_eq!(
        just_pairs(&lost),
        s(vec![(APP.into(), NET.into()), (DB.into(), NET.into())])
    );
    let broken = apply(&base, &to_igw);
    let to_nat = format!(
        r#"[{{"Action": "ReplaceRoute", "RouteTableId": "{PRIVATE_RTB}", "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "{NAT}"}}]"#
    );
    let (gained, lost) = whatif(&broken, &to_nat);
    assert!(lost.is_empty());
    assert_eq!(
        just_pairs(&gained),
        s(vec![(APP.into(), NET.into()), (DB.into(), NET.into())])
    );
}

#[test]
fn route_table_associations_break_and_open() {
    let base = fixture("three-tier");
    let lost_db = || (vec![], vec![(DB.to_string(), NET.to_string())]);
    // Disassociate: the db subnet falls back to the main table (local only).
    let disassociate =
        format!(r#"[{{"Action": "DisassociateRouteTable", "AssociationId": "{DB_RTBASSOC}"}}]"#);
    let (g, l) = whatif(&base, &disassociate);
    assert_eq!((just_pairs(&g), just_pairs(&l)), lost_db());
    // Associate it again: back to the NAT.
    let orphan = apply(&base, &disassociate);
    let associate = format!(
        r#"[{{"Action": "AssociateRouteTable", "RouteTableId": "{PRIVATE_RTB}", "SubnetId": "{DB_SUBNET}"}}]"#
    );
    let (g, l) = whatif(&orphan, &associate);
    assert_eq!((just_pairs(&l), just_pairs(&g)), lost_db());
    // Associate breaks: make the private table the main one, then give the
    // (implicitly associated) db subnet the old, local-only main table.
    let setup = format!(
        r#"[{{"Action": "DisassociateRouteTable", "AssociationId": "{DB_RTBASSOC}"}},
            {{"Action": "ReplaceRouteTableAssociation", "AssociationId": "{MAIN_RTBASSOC}", "RouteTableId": "{PRIVATE_RTB}"}}]"#
    );
    let implicit = apply(&base, &setup);
    let (g, l) = compare(&base, &implicit);
    assert!(
        g.is_empty() && l.is_empty(),
        "db now uses the private table as main"
    );
    let associate_main = format!(
        r#"[{{"Action": "AssociateRouteTable", "RouteTableId": "{MAIN_RTB}", "SubnetId": "{DB_SUBNET}"}}]"#
    );
    let (g, l) = whatif(&implicit, &associate_main);
    assert_eq!((just_pairs(&g), just_pairs(&l)), lost_db());
    // ReplaceRouteTableAssociation breaks, and the new association id
    // (numbered in the change) lets a later call undo it.
    let replace = format!(
        r#"[{{"Action": "ReplaceRouteTableAssociation", "AssociationId": "{DB_RTBASSOC}", "RouteTableId": "{MAIN_RTB}"}}]"#
    );
    let (g, l) = whatif(&base, &replace);
    assert_eq!((just_pairs(&g), just_pairs(&l)), lost_db());
    let moved = apply(&base, &replace);
    let undo = format!(
        r#"[{{"Action": "ReplaceRouteTableAssociation", "AssociationId": "rtbassoc-vpcreach000000001", "RouteTableId": "{PRIVATE_RTB}"}}]"#
    );
    let (g, l) = whatif(&moved, &undo);
    assert_eq!((just_pairs(&l), just_pairs(&g)), lost_db());
}

// ------------------------------------------------------------ gateways

#[test]
fn attach_internet_gateway_opens_and_detach_is_refused_while_addresses_are_mapped() {
    let mut detached = fixture("three-tier");
    detached
        .internet_gateways
        .get_mut(IGW)
        .unwrap()
        .attachments
        .clear();
    let attach = format!(
        r#"[{{"Action": "AttachInternetGateway", "InternetGatewayId": "{IGW}", "VpcId": "{VPC}"}}]"#
    );
    let (gained, lost) = whatif(&detached, &attach);
    assert!(lost.is_empty());
    assert_eq!(
        just_pairs(&gained),
        s(vec![
            (APP.into(), NET.into()),
            (DB.into(), NET.into()),
            (WEB.into(), NET.into()),
            (NET.into(), WEB.into())
        ])
    );
    // EC2 refuses to detach a gateway while public addresses are mapped in
    // the VPC, so a detach never silently breaks internet paths.
    let base = fixture("three-tier");
    let detach = format!(
        r#"[{{"Action": "DetachInternetGateway", "InternetGatewayId": "{IGW}", "VpcId": "{VPC}"}}]"#
    );
    assert_eq!(err_code(&base, &detach), "DependencyViolation");
    // Where nothing is mapped, the detach goes through (and breaks the
    // paths that needed the gateway: here the route target is gone).
    let mut unmapped = detached.clone();
    unmapped.internet_gateways.get_mut(IGW).unwrap().attachments =
        vec![(VPC.into(), GatewayAttachmentState::Available)];
    for e in unmapped.network_interfaces.values_mut() {
        for p in &mut e.private_ips {
            p.public_ip = None;
        }
    }
    for a in &mut unmapped.nat_gateways.get_mut(NAT).unwrap().addresses {
        a.public_ip = None;
    }
    let (g, l) = whatif(&unmapped, &detach);
    assert!(
        g.is_empty() && l.is_empty(),
        "no public address, no internet path to lose: {l:?}"
    );
    let inner = &detach[1..detach.len() - 1];
    assert_eq!(
        err_code(&unmapped, &format!("[{inner},{inner}]")),
        "Gateway.NotAttached"
    );
}

// ------------------------------------------------------------ interfaces

#[test]
fn modify_network_interface_groups_opens_and_breaks() {
    let base = fixture("three-tier");
    let add = format!(
        r#"[{{"Action": "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId": "{DB}", "Groups": ["{DB_SG}", "{APP_SG}"]}}]"#
    );
    assert_eq!(whatif(&base, &add), (vec![p(WEB, DB, "tcp/8080")], vec![]));
    let swap = format!(
        r#"[{{"Action": "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId": "{WEB}", "Groups": ["{DEFAULT_SG}"]}}]"#
    );
    let (gained, lost) = whatif(&base, &swap);
    assert!(gained.is_empty());
    assert_eq!(
        lost,
        s(vec![
            p(APP, WEB, "tcp/80,443"),
            p(DB, WEB, "tcp/80,443"),
            p(NET, WEB, "tcp/80,443"),
            p(WEB, APP, "tcp/8080"),
        ])
    );
}

#[test]
fn source_dest_check_opens_and_breaks_an_appliance_path() {
    let base = fixture("three-tier");
    // Web → app goes through the db instance as an appliance; both groups
    // admit the forwarded traffic by address (it has lost its SG identity).
    let setup = format!(
        r#"[{{"Action": "CreateRoute", "RouteTableId": "{PUBLIC_RTB}", "DestinationCidrBlock": "10.0.2.0/24", "NetworkInterfaceId": "{DB}"}},
            {{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "{DB_SG}", "CidrIp": "10.0.1.0/24", "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080}},
            {{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "{APP_SG}", "CidrIp": "10.0.1.0/24", "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080}}]"#
    );
    let appliance = apply(&base, &setup);
    let (g, l) = compare(&base, &appliance);
    assert_eq!(
        g,
        vec![p(WEB, DB, "tcp/8080")],
        "db-sg now admits 8080 from the web subnet"
    );
    // The appliance drops what it is not the destination of: web → app, and
    // the replies web and the NAT gateway send back to the app subnet.
    assert_eq!(
        l,
        s(vec![
            p(WEB, APP, "tcp/8080"),
            p(APP, WEB, "tcp/80,443"),
            p(APP, NET, "icmp type 8,13,15,17,tcp/all,udp/all")
        ]),
        "source/dest check drops it"
    );
    let off = format!(
        r#"[{{"Action": "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId": "{DB}", "SourceDestCheck": {{"Value": false}}}}]"#
    );
    assert_eq!(whatif(&appliance, &off), (l.clone(), vec![]));
    let forwarding = apply(&appliance, &off);
    let on = format!(
        r#"[{{"Action": "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId": "{DB}", "SourceDestCheck": {{"Value": true}}}}]"#
    );
    assert_eq!(whatif(&forwarding, &on), (vec![], l));
}

// ------------------------------------------------------------ addresses

const PW_INTERNAL: &str = "eni-05d5ae89aa2d3ebc2";
const PW_EIP: &str = "eni-065a8150c97bde208";

#[test]
fn associate_address_opens_and_disassociate_address_breaks() {
    let base = fixture("public-web");
    let associate = format!(
        r#"[{{"Action": "AssociateAddress", "AllocationId": "eipalloc-08c1b67c1cd863053", "NetworkInterfaceId": "{PW_INTERNAL}"}}]"#
    );
    let (gained, lost) = whatif(&base, &associate);
    assert!(lost.is_empty());
    assert_eq!(
        just_pairs(&gained),
        s(vec![
            (NET.into(), PW_INTERNAL.into()),
            (PW_INTERNAL.into(), NET.into())
        ])
    );
    let disassociate =
        r#"[{"Action": "DisassociateAddress", "AssociationId": "eipassoc-0e8074428b18977cb"}]"#;
    let (gained, lost) = whatif(&base, disassociate);
    assert!(gained.is_empty());
    assert_eq!(
        just_pairs(&lost),
        s(vec![
            (NET.into(), PW_EIP.into()),
            (PW_EIP.into(), NET.into())
        ])
    );
    // Moving an associated address needs AllowReassociation.
    let moving = format!(
        r#"[{{"Action": "AssociateAddress", "PublicIp": "52.6.77.140", "NetworkInterfaceId": "{PW_INTERNAL}"}}]"#
    );
    assert_eq!(err_code(&base, &moving), "Resource.AlreadyAssociated");
}

// ------------------------------------------------------------ peering

const V1: &str = "vpc-08549407a1b13decd";
const V3: &str = "vpc-08267aa639879f500";
const V1_ENI: &str = "eni-0ac33fb088e93b16c";
const V2_ENI: &str = "eni-00e818fc26fbf8329";
const V3_ENI: &str = "eni-04dce7dc83c7ea7a4";

#[test]
fn peering_create_accept_opens_and_delete_breaks() {
    let base = fixture("peering");
    let create = format!(
        r#"[{{"Action": "CreateVpcPeeringConnection", "VpcId": "{V1}", "PeerVpcId": "{V3}"}},
            {{"Action": "AcceptVpcPeeringConnection", "VpcPeeringConnectionId": "pcx-vpcreach000000001"}},
            {{"Action": "ReplaceRoute", "RouteTableId": "rtb-05ce375209eff8196", "DestinationCidrBlock": "10.3.0.0/16", "VpcPeeringConnectionId": "pcx-vpcreach000000001"}},
            {{"Action": "CreateRoute", "RouteTableId": "rtb-0cbcc951b77288eaf", "DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": "pcx-vpcreach000000001"}}]"#
    );
    let (gained, lost) = whatif(&base, &create);
    assert!(lost.is_empty());
    assert_eq!(
        gained,
        s(vec![
            p(V1_ENI, V3_ENI, "tcp/22,443"),
            p(V3_ENI, V1_ENI, "tcp/22")
        ])
    );
    // Without the accept, nothing changes.
    let pending = format!(
        r#"[{{"Action": "CreateVpcPeeringConnection", "VpcId": "{V1}", "PeerVpcId": "{V3}"}},
            {{"Action": "ReplaceRoute", "RouteTableId": "rtb-05ce375209eff8196", "DestinationCidrBlock": "10.3.0.0/16", "VpcPeeringConnectionId": "pcx-vpcreach000000001"}}]"#
    );
    assert_eq!(whatif(&base, &pending), (vec![], vec![]));
    let delete = r#"[{"Action": "DeleteVpcPeeringConnection", "VpcPeeringConnectionId": "pcx-0e745b8938d73689f"}]"#;
    let (gained, lost) = whatif(&base, delete);
    assert!(gained.is_empty());
    assert_eq!(
        just_pairs(&lost),
        s(vec![
            (V1_ENI.into(), V2_ENI.into()),
            (V2_ENI.into(), V1_ENI.into())
        ])
    );
    let inner = &delete[1..delete.len() - 1];
    assert_eq!(
        err_code(&base, &format!("[{inner},{inner}]")),
        "InvalidStateTransition"
    );
}

// ------------------------------------------------------------ refused changes

#[test]
#[allow(clippy::useless_format)] // one style for rows with and without placeholders
fn refused_calls_carry_ec2_error_codes() {
    let base = fixture("three-tier");
    let cases: Vec<(String, &str)> = vec![
        (
            format!(
                r#"[{{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "sg-0000000000000dead", "CidrIp": "10.0.0.0/8", "IpProtocol": "tcp", "FromPort": 1, "ToPort": 2}}]"#
            ),
            "InvalidGroup.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "{WEB_SG}", "CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}}]"#
            ),
            "InvalidPermission.Duplicate",
        ),
        (
            format!(
                r#"[{{"Action": "RevokeSecurityGroupIngress", "GroupId": "{WEB_SG}", "CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}}]"#
            ),
            "InvalidPermission.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "{WEB_SG}", "CidrIp": "0.0.0.0/0", "IpProtocol": "tcpp", "FromPort": 22, "ToPort": 22}}]"#
            ),
            "InvalidParameterValue",
        ),
        (
            format!(
                r#"[{{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "{WEB_SG}", "IpPermissions": [{{"IpProtocol": "tcp", "FromPort": 22, "UserIdGroupPairs": [{{"GroupId": "{APP_SG}"}}]}}]}}]"#
            ),
            "MissingParameter",
        ),
        (
            format!(
                r#"[{{"Action": "ModifySecurityGroupRules", "GroupId": "{APP_SG}", "SecurityGroupRules": [{{"SecurityGroupRuleId": "sgr-0nope", "SecurityGroupRule": {{"IpProtocol": "-1", "CidrIpv4": "10.0.0.0/8"}}}}]}}]"#
            ),
            "InvalidSecurityGroupRuleId.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "CreateNetworkAclEntry", "NetworkAclId": "{DB_ACL}", "RuleNumber": 90, "Protocol": "-1", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"}}]"#
            ),
            "NetworkAclEntryAlreadyExists",
        ),
        (
            format!(
                r#"[{{"Action": "ReplaceNetworkAclEntry", "NetworkAclId": "{DB_ACL}", "RuleNumber": 91, "Protocol": "-1", "RuleAction": "allow", "Egress": false, "CidrBlock": "0.0.0.0/0"}}]"#
            ),
            "InvalidNetworkAclEntry.NotFound",
        ),
        (
            r#"[{"Action": "DeleteNetworkAclEntry", "NetworkAclId": "acl-000000000000dead0", "RuleNumber": 90, "Egress": false}]"#.to_string(),
            "InvalidNetworkAclID.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "ReplaceNetworkAclAssociation", "AssociationId": "aclassoc-0000000000dead", "NetworkAclId": "{DB_ACL}"}}]"#
            ),
            "InvalidAssociationID.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "CreateRoute", "RouteTableId": "{PRIVATE_RTB}", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "{IGW}"}}]"#
            ),
            "RouteAlreadyExists",
        ),
        (
            format!(
                r#"[{{"Action": "ReplaceRoute", "RouteTableId": "{PRIVATE_RTB}", "DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "{IGW}"}}]"#
            ),
            "InvalidRoute.NotFound",
        ),
        (
            r#"[{"Action": "DeleteRoute", "RouteTableId": "rtb-00000000000dead00", "DestinationCidrBlock": "0.0.0.0/0"}]"#.to_string(),
            "InvalidRouteTableID.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "CreateRoute", "RouteTableId": "{PRIVATE_RTB}", "DestinationCidrBlock": "10.9.0.0/16", "NatGatewayId": "nat-000000000000dead0"}}]"#
            ),
            "NatGatewayNotFound",
        ),
        (
            format!(
                r#"[{{"Action": "CreateRoute", "RouteTableId": "{PRIVATE_RTB}", "DestinationCidrBlock": "10.9.0.0/16"}}]"#
            ),
            "MissingParameter",
        ),
        (
            format!(
                r#"[{{"Action": "AssociateRouteTable", "RouteTableId": "{PRIVATE_RTB}", "SubnetId": "subnet-0000000000dead00"}}]"#
            ),
            "InvalidSubnetID.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "AssociateRouteTable", "RouteTableId": "{MAIN_RTB}", "SubnetId": "{DB_SUBNET}"}}]"#
            ),
            "Resource.AlreadyAssociated",
        ),
        (
            r#"[{"Action": "DisassociateRouteTable", "AssociationId": "rtbassoc-0000000000dead"}]"#.to_string(),
            "InvalidAssociationID.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "AttachInternetGateway", "InternetGatewayId": "igw-0000000000000dead", "VpcId": "{VPC}"}}]"#
            ),
            "InvalidInternetGatewayID.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "AttachInternetGateway", "InternetGatewayId": "{IGW}", "VpcId": "{VPC}"}}]"#
            ),
            "Resource.AlreadyAssociated",
        ),
        (
            format!(
                r#"[{{"Action": "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId": "{WEB}", "Groups": ["sg-0000000000000dead"]}}]"#
            ),
            "InvalidGroup.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId": "eni-0000000000000dead", "Groups": ["{WEB_SG}"]}}]"#
            ),
            "InvalidNetworkInterfaceID.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId": "{WEB}", "Groups": ["{WEB_SG}"], "SourceDestCheck": {{"Value": false}}}}]"#
            ),
            "InvalidParameterCombination",
        ),
        (
            format!(
                r#"[{{"Action": "AssociateAddress", "AllocationId": "eipalloc-0000000000dead", "NetworkInterfaceId": "{WEB}"}}]"#
            ),
            "InvalidAllocationID.NotFound",
        ),
        (
            r#"[{"Action": "DisassociateAddress", "AssociationId": "eipassoc-0000000000dead"}]"#.to_string(),
            "InvalidAssociationID.NotFound",
        ),
        (
            r#"[{"Action": "AcceptVpcPeeringConnection", "VpcPeeringConnectionId": "pcx-0000000000000dead"}]"#.to_string(),
            "InvalidVpcPeeringConnectionID.NotFound",
        ),
        (
            format!(
                r#"[{{"Action": "CreateVpcPeeringConnection", "VpcId": "vpc-0000000000000dead", "PeerVpcId": "{VPC}"}}]"#
            ),
            "InvalidVpcID.NotFound",
        ),
        (
            r#"[{"Action": "CreateSecurityGroup", "GroupName": "x"}]"#.to_string(),
            "InvalidAction",
        ),
    ];
    for (change, code) in cases {
        let parsed = change_file::parse(Path::new("change.json"), change.clone());
        let got = match parsed {
            Ok(f) => f.apply(&base).expect_err(&change).aws_code(),
            Err(e) => e.aws_code(),
        };
        assert_eq!(got, Some(code), "{change}");
    }
}

#[test]
fn a_refused_call_is_located_and_nothing_before_it_counts() {
    let base = fixture("three-tier");
    let text = format!(
        "[\n  {{\"Action\": \"DeleteNetworkAclEntry\", \"NetworkAclId\": \"{DB_ACL}\", \"RuleNumber\": 90, \"Egress\": false}},\n  {{\"Action\": \"AuthorizeSecurityGroupIngress\", \"GroupId\": \"{APP_SG}\",\n   \"IpPermissions\": [{{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,\n     \"UserIdGroupPairs\": [{{\"GroupId\": \"sg-0000000000000dead\"}}]}}]}}\n]\n"
    );
    let err = parse(&text).apply(&base).unwrap_err();
    match err {
        change_file::ChangeFileError::Rejected {
            index,
            action,
            code,
            line,
            json_path,
            ..
        } => {
            assert_eq!(index, 1);
            assert_eq!(action, "AuthorizeSecurityGroupIngress");
            assert_eq!(code, "InvalidGroup.NotFound");
            assert_eq!(
                json_path,
                "[1].IpPermissions[0].UserIdGroupPairs[0].GroupId"
            );
            assert_eq!(line, 5);
        }
        other => panic!("{other:?}"),
    }
    // A misspelt parameter is a located JSON error, not silently ignored.
    let typo = format!(
        r#"[{{"Action": "ModifyNetworkInterfaceAttribute", "NetworkInterfaceId": "{WEB}", "SourceDestCheckk": {{"Value": false}}}}]"#
    );
    match change_file::parse(Path::new("c.json"), typo) {
        Err(change_file::ChangeFileError::Json {
            message, json_path, ..
        }) => {
            assert!(
                message.contains("unknown field `SourceDestCheckk`"),
                "{message}"
            );
            assert_eq!(json_path, "[0].SourceDestCheckk");
        }
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------ whatif = diff

#[test]
fn whatif_equals_diff_against_the_hand_edited_snapshot() {
    let base = fixture("three-tier");
    let change =
        std::fs::read_to_string(root().join("fixtures/changes/three-tier-fix-db-nacl.json"))
            .unwrap();
    let after_whatif = apply(&base, &change);
    let after_edited = fixture("three-tier-after-fix");
    assert_eq!(
        change::diff::diff(&base, &after_whatif),
        change::diff::diff(&base, &after_edited)
    );
    assert_eq!(compare(&base, &after_whatif), compare(&base, &after_edited));
    assert_eq!(
        compare(&base, &after_edited),
        (vec![p(APP, DB, "tcp/3306")], vec![])
    );
}

/// C7 + C5: spokes reach the internet through the egress VPC, so a route
/// change there affects pairs whose endpoints are all in other VPCs; the
/// affected-pair restriction must follow the transit gateway (and `compare`
/// checks it against every pair).
#[test]
fn a_route_change_in_the_egress_vpc_breaks_spoke_egress() {
    let base = fixture("tgw-hub-spoke");
    let change = r#"[{"Action": "DeleteRoute", "RouteTableId": "rtb-02c8b56bf8f065a14", "DestinationCidrBlock": "0.0.0.0/0"}]"#;
    let (gained, lost) = whatif(&base, change);
    assert!(gained.is_empty(), "{gained:?}");
    // web-1a and api-2a egress through the central NAT; batch-1c never did
    // (its AZ has no attachment subnet), dev-3a does too (0/0 is not
    // blackholed for it on hub-spokes-rt).
    let sources: Vec<String> = just_pairs(&lost)
        .into_iter()
        .filter(|(_, d)| d == NET)
        .map(|(s, _)| s)
        .collect();
    assert!(
        sources.contains(&"eni-076ebbaba67e8f110".to_string()),
        "{lost:?}"
    );
    assert!(
        sources.contains(&"eni-05bb3a8e1b43e0ba2".to_string()),
        "{lost:?}"
    );
    assert!(
        !sources.contains(&"eni-0e30ea58582fa11a6".to_string()),
        "{lost:?}"
    );
}

/// The class-based differential against the pairwise reference, on every
/// snapshot fixture, for edits of every kind the evaluation depends on: a
/// security group losing its first ingress or egress rule, a route table
/// losing a non-local route, a network ACL losing its first rule. Every
/// pair is compared (no affected-pair restriction).
#[test]
fn class_walks_equal_pairwise_on_every_fixture_edit() {
    let (mut checked, mut changed) = (0, 0);
    for dir in [
        "three-tier",
        "icmp-deny",
        "public-web",
        "nat-egress",
        "peering",
        "return-blocked",
        "tgw-hub-spoke",
        "tgw-inspection",
        "tgw-inspection-no-appliance-mode",
        "vpc-endpoints",
        "vgw-onprem",
    ] {
        let base = fixture(dir);
        let mut edits: Vec<Network> = Vec::new();
        for id in base.security_groups.keys() {
            for ingress in [true, false] {
                let mut n = base.clone();
                let sg = n.security_groups.get_mut(id).unwrap();
                let rules = if ingress {
                    &mut sg.ingress
                } else {
                    &mut sg.egress
                };
                if !rules.is_empty() {
                    rules.remove(0);
                    edits.push(n);
                }
            }
        }
        for id in base.route_tables.keys() {
            let mut n = base.clone();
            let t = n.route_tables.get_mut(id).unwrap();
            if let Some(i) = t
                .routes
                .iter()
                .position(|r| !matches!(r.target, vpcreach::model::RouteTarget::Local))
            {
                t.routes.remove(i);
                edits.push(n);
            }
        }
        for id in base.network_acls.keys() {
            let mut n = base.clone();
            let acl = n.network_acls.get_mut(id).unwrap();
            if !acl.entries.is_empty() {
                acl.entries.remove(0);
                edits.push(n);
            }
        }
        for after in &edits {
            let fast = differential::differential(&base, after, None);
            let slow = differential::pairwise(&base, after, None);
            assert_eq!(pairs(&fast.gained), pairs(&slow.gained), "{dir}: gained");
            assert_eq!(pairs(&fast.lost), pairs(&slow.lost), "{dir}: lost");
            checked += 1;
            changed += usize::from(fast.changed());
        }
    }
    // Enough edits, and enough of them matter, for the comparison to bite.
    assert!(
        checked >= 90 && changed >= 30,
        "{checked} edits, {changed} changed something"
    );
}

/// A `vpcreach generate` estate, loaded the way the CLI loads it.
fn generated(spec: &vpcreach::synth::EstateSpec, name: &str) -> Network {
    let dir = std::env::temp_dir().join(format!("vpcreach-whatif-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in vpcreach::synth::generate(spec) {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let net = snapshot::load(&dir).expect("estate loads").network;
    std::fs::remove_dir_all(&dir).ok();
    net
}

/// `base` with the first ingress (or egress) rule of group `id` removed;
/// `None` when it has none.
fn without_first_rule(base: &Network, id: &str, ingress: bool) -> Option<Network> {
    let mut after = base.clone();
    let sg = after.security_groups.get_mut(id)?;
    let rules = if ingress {
        &mut sg.ingress
    } else {
        &mut sg.egress
    };
    if rules.is_empty() {
        return None;
    }
    rules.remove(0);
    Some(after)
}

/// The same comparison on generated estates, where one subnet holds ENIs of
/// different security groups (the fixtures rarely do): ENIs walk together
/// only when their groups match.
#[test]
fn class_walks_equal_pairwise_on_generated_estates() {
    let mut changed = 0;
    for seed in 1..=2 {
        let spec = vpcreach::synth::EstateSpec {
            seed,
            vpcs: 2,
            subnets: 4,
            enis: 24,
            security_groups: 8,
            rules_per_sg: 6,
            nacls: 2,
            nacl_rules: 12,
        };
        let base = generated(&spec, &format!("estate-{seed}"));
        let mixed = base.subnets.keys().any(|s| {
            let groups: std::collections::BTreeSet<_> = base
                .network_interfaces
                .values()
                .filter(|e| &e.subnet_id == s)
                .map(|e| e.group_ids.clone())
                .collect();
            groups.len() > 1
        });
        assert!(mixed, "seed {seed}: no subnet mixes security groups");
        for id in base.security_groups.keys().take(3) {
            for ingress in [true, false] {
                let Some(after) = without_first_rule(&base, id, ingress) else {
                    continue;
                };
                let config = change::diff::diff(&base, &after);
                let touched = change::diff::affected(&base, &after, &config);
                let fast = whatif::compare(&base, &after, &WhatifOptions::default())
                    .expect("no intents, no scope")
                    .diff;
                let slow = differential::pairwise(&base, &after, Some(&touched));
                assert_eq!(pairs(&fast.gained), pairs(&slow.gained), "seed {seed} {id}");
                assert_eq!(pairs(&fast.lost), pairs(&slow.lost), "seed {seed} {id}");
                changed += usize::from(fast.changed());
            }
        }
    }
    assert!(changed >= 3, "only {changed} edits changed anything");
}

/// What an edit can affect, narrowed (C1.2: security groups are stateful):
/// an ingress rule only meets requests *to* its group's members, an egress
/// rule only requests *from* them, and only traffic of the rule's own
/// protocol and ports.
#[test]
fn c1_2_a_rule_change_affects_members_in_one_direction_and_its_service_only() {
    use vpcreach::model::Protocol;
    let base = fixture("three-tier");
    let open = format!(
        r#"[{{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "{APP_SG}",
             "IpPermissions": [{{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                 "IpRanges": [{{"CidrIp": "10.0.0.0/16"}}]}}]}}]"#
    );
    let after = apply(&base, &open);
    let config = change::diff::diff(&base, &after);
    let touched = change::diff::affected(&base, &after, &config);
    let members: std::collections::BTreeSet<String> = base
        .network_interfaces
        .values()
        .filter(|e| e.group_ids.iter().any(|g| g == APP_SG))
        .map(|e| e.id.clone())
        .collect();
    assert!(!members.is_empty());
    assert_eq!(touched.destinations, members);
    assert!(touched.sources.is_empty() && touched.enis.is_empty() && touched.vpcs.is_empty());
    assert_eq!(
        touched.services,
        Some(vec![(Protocol::Number(6), Some(22), Some(22))])
    );
    let eni = members.first().unwrap();
    let vpcs = std::collections::BTreeSet::new();
    assert!(touched.pair("internet", eni, &vpcs));
    assert!(!touched.pair(eni, "internet", &vpcs));
    // Anything else than rules added or removed: any traffic.
    let route = format!(
        r#"[{{"Action": "ReplaceRoute", "RouteTableId": "{PRIVATE_RTB}", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "{IGW}"}}]"#
    );
    let after = apply(&base, &route);
    let config = change::diff::diff(&base, &after);
    assert_eq!(
        change::diff::affected(&base, &after, &config).services,
        None
    );
}

/// C6.3 in `whatif`: pairs are only walked between VPCs traffic can cross
/// between (peering does not chain), and that loses nothing: on a chain of
/// four peered VPCs every edit's gained and lost pairs equal two `path`
/// queries for every pair of the estate.
#[test]
fn c6_3_whatif_skips_vpcs_beyond_one_peering_and_loses_nothing() {
    let spec = vpcreach::synth::EstateSpec::peered_chain(3);
    let base = generated(&spec, "chain");
    let topo = vpcreach::topology::Topology::new(&base);
    let vpcs: Vec<&String> = base.vpcs.keys().collect();
    assert!(topo.connected(vpcs[0], vpcs[2]), "the chain joins them");
    assert!(topo.privately_reachable(vpcs[0], vpcs[1]));
    assert!(
        !topo.privately_reachable(vpcs[0], vpcs[2]),
        "two peerings do not chain"
    );
    let mut changed = 0;
    for id in base.security_groups.keys().step_by(3) {
        for ingress in [true, false] {
            let Some(after) = without_first_rule(&base, id, ingress) else {
                continue;
            };
            let fast = whatif::compare(&base, &after, &WhatifOptions::default())
                .expect("no intents, no scope")
                .diff;
            let every_pair = differential::pairwise(&base, &after, None);
            assert_eq!(pairs(&fast.gained), pairs(&every_pair.gained), "{id}");
            assert_eq!(pairs(&fast.lost), pairs(&every_pair.lost), "{id}");
            changed += usize::from(fast.changed());
        }
    }
    assert!(changed >= 2, "only {changed} edits changed anything");
}

// ------------------------------------------------------------ streamed JSON

/// `whatif --format json` writes its report pair by pair; the bytes must be
/// those of the whole value printed at once, with pairs, none, or both sides.
#[test]
fn streamed_json_equals_the_whole_value_printed() {
    use vpcreach::report;
    let base = fixture("three-tier");
    let changes = [
        // gains one pair
        format!(
            r#"[{{"Action": "AuthorizeSecurityGroupIngress", "GroupId": "{APP_SG}",
                 "IpPermissions": [{{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                     "UserIdGroupPairs": [{{"GroupId": "{WEB_SG}"}}]}}]}}]"#
        ),
        // loses three pairs
        format!(
            r#"[{{"Action": "RevokeSecurityGroupIngress", "GroupId": "{WEB_SG}",
                 "IpPermissions": [{{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                     "IpRanges": [{{"CidrIp": "0.0.0.0/0"}}]}}]}}]"#
        ),
        // changes nothing
        "[]".to_string(),
    ];
    for change in &changes {
        let file = parse(change);
        let applied = file.apply(&base).expect("change applies");
        let result = whatif::compare(&base, &applied.network, &WhatifOptions::default())
            .expect("no intents, no scope");
        let r = report::whatif::Report {
            command: "whatif",
            subject: "test".into(),
            applied: &applied.applied,
            config: &result.config,
            diff: &result.diff,
            intents: &result.intents,
            notes: vec!["a note".into()],
            warnings: vec![],
        };
        let mut streamed = Vec::new();
        report::whatif::write_json(&r, &mut streamed).expect("writes to memory");
        assert_eq!(
            String::from_utf8(streamed).expect("UTF-8"),
            report::pretty(&report::whatif::json(&r)),
            "{change}"
        );
    }
}
