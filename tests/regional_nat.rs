//! Regional NAT gateways (RNGW.1–RNGW.3 of docs/semantics-additions.md;
//! C5.6 of aws-vpc-semantics.md, REGIONAL_NGW_ROUTE_AZ_RESTRICTION). The
//! dual-stack fixture's NAT gateway is replaced by a regional one in the
//! shape describe-nat-gateways prints (no SubnetId, addresses per AZ); the
//! private subnet 10.60.1.0/24 is in us-east-1a.

use std::path::Path;

use serde_json::{json, Value};
use vpcreach::analysis::{path, PathAnalysis, PathQuery, ProtocolChoice};
use vpcreach::snapshot;
use vpcreach::topology::Topology;

const NAT: &str = "nat-0bde48aef39a4ad39";
const PRIVATE_SUBNET: &str = "subnet-0ade3ea93548efa21";

/// The dual-stack fixture with its NAT gateway regional: `auto` its
/// AutoProvisionZones, `addresses` as (AZ, Status).
fn regional(tag: &str, auto: &str, addresses: &[(Option<&str>, &str)]) -> PathAnalysis {
    let net = regional_network(tag, auto, addresses);
    let topo = Topology::new(&net);
    let q = PathQuery {
        source: "10.60.1.20".into(),
        destination: "8.8.8.8".into(),
        protocol: ProtocolChoice::Number(6),
        dport: Some((443, 443)),
        sport: None,
        source_ip: None,
        destination_ip: None,
    };
    path::analyze(&topo, &q).expect("endpoints resolve")
}

fn regional_network(
    tag: &str,
    auto: &str,
    addresses: &[(Option<&str>, &str)],
) -> vpcreach::model::Network {
    let dir = std::env::temp_dir().join(format!(
        "vpcreach-regional-nat-{tag}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for f in std::fs::read_dir("fixtures/dual-stack").unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
        }
    }
    let addrs: Vec<Value> = addresses
        .iter()
        .enumerate()
        .map(|(i, (az, status))| {
            let mut a = json!({
                "AllocationId": format!("eipalloc-0dd4779c18bf006f{i}"),
                "PublicIp": format!("44.210.17.{}", 88 + i),
                "AssociationId": format!("eipassoc-0453cb23a8579273{i}"),
                "IsPrimary": i == 0,
                "Status": status
            });
            if let Some(az) = az {
                a["AvailabilityZone"] = json!(az);
                a["AvailabilityZoneId"] = json!(format!("use1-az{}", i + 1));
            }
            a
        })
        .collect();
    let nat = json!({"NatGateways": [{
        "CreateTime": "2025-11-24T10:02:11+00:00",
        "NatGatewayAddresses": addrs,
        "NatGatewayId": NAT,
        "State": "available",
        "VpcId": "vpc-0b4a1cdc261681608",
        "Tags": [{"Key": "Name", "Value": "dual-stack-nat-regional"}],
        "ConnectivityType": "public",
        "AvailabilityMode": "regional",
        "AutoScalingIps": "enabled",
        "AutoProvisionZones": auto,
        "RouteTableId": "rtb-0e5a8a39f2f2b1c07"
    }]});
    std::fs::write(dir.join("nat-gateways.json"), nat.to_string()).unwrap();
    let loaded =
        snapshot::load(Path::new(&dir)).expect("a regional NAT gateway without SubnetId loads");
    std::fs::remove_dir_all(&dir).ok();
    let net = loaded.network;
    assert!(
        net.nat_gateways[NAT].regional.is_some(),
        "RNGW.1: the mode is read"
    );
    net
}

/// RNGW.3 in `audit`: traffic a regional NAT gateway serves has an unknown
/// fate, so an egress audit is unknown (naming it), never clean.
#[test]
fn rngw_3_audit_through_a_regional_nat_gateway_is_unknown_not_clean() {
    let net = regional_network("audit", "enabled", &[(Some("us-east-1a"), "succeeded")]);
    let topo = Topology::new(&net);
    let text = vpcreach::audit::scope::built_in("aws-vpc-egress").unwrap();
    let scope = snapshot::scope_shapes::parse_scope(Path::new("t.json"), text, "t").unwrap();
    let result = vpcreach::audit::audit(&topo, &scope).expect("audit runs");
    assert!(
        result.unknown.iter().any(|n| n.contains(NAT)),
        "the regional NAT gateway's unknown is reported: {:?}",
        result.unknown
    );
}

fn stopped_by<'a>(a: &'a PathAnalysis, code: &str) -> &'a vpcreach::analysis::Explanation {
    assert!(
        !a.path_found(),
        "no verdict of reachable through a regional NAT gateway"
    );
    a.explanations
        .iter()
        .find(|e| e.code.as_str() == code)
        .unwrap_or_else(|| panic!("{code} expected, got {:?}", a.explanations))
}

fn names(e: &vpcreach::analysis::Explanation, kind: &str, id: &str) -> bool {
    e.components.iter().any(|(k, c)| *k == kind && c.id == id)
}

#[test]
fn rngw_2_manual_mode_without_the_source_az_is_blocked() {
    let a = regional(
        "manual-other-az",
        "disabled",
        &[(Some("us-east-1b"), "succeeded")],
    );
    let e = stopped_by(&a, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    assert!(
        e.message.contains("us-east-1a") && e.message.contains("RNGW.2"),
        "{}",
        e.message
    );
    assert!(names(e, "NatGateway", NAT), "{:?}", e.components);
    assert!(names(e, "Subnet", PRIVATE_SUBNET), "{:?}", e.components);
}

#[test]
fn rngw_2_a_failed_address_does_not_serve_its_az() {
    let a = regional(
        "manual-failed",
        "disabled",
        &[(Some("us-east-1a"), "failed")],
    );
    stopped_by(&a, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
}

#[test]
fn rngw_2_automatic_mode_or_an_address_under_way_is_unknown_not_blocked() {
    for (tag, auto, addrs) in [
        ("auto", "enabled", vec![(Some("us-east-1b"), "succeeded")]),
        (
            "pending",
            "disabled",
            vec![(Some("us-east-1a"), "associating")],
        ),
        ("unnamed", "disabled", vec![(None, "succeeded")]),
    ] {
        let a = regional(tag, auto, &addrs);
        let e = stopped_by(&a, "UNKNOWN_RESOURCE");
        assert!(
            e.message.contains("REGIONAL_NGW_ROUTE_AZ_RESTRICTION"),
            "{tag}: {}",
            e.message
        );
        assert!(names(e, "NatGateway", NAT), "{tag}");
        assert!(
            !a.explanations
                .iter()
                .any(|e| e.code.as_str() == "REGIONAL_NGW_ROUTE_AZ_RESTRICTION"),
            "{tag}: never blocked on a guess"
        );
    }
}

#[test]
fn rngw_3_the_source_az_served_passes_the_az_check_and_the_rest_is_unknown() {
    let a = regional(
        "served",
        "disabled",
        &[
            (Some("us-east-1b"), "succeeded"),
            (Some("us-east-1a"), "succeeded"),
        ],
    );
    let e = stopped_by(&a, "UNKNOWN_RESOURCE");
    assert!(
        e.message.contains("RNGW.3") && e.message.contains("serving us-east-1a"),
        "{}",
        e.message
    );
    assert!(!a
        .explanations
        .iter()
        .any(|e| e.code.as_str() == "REGIONAL_NGW_ROUTE_AZ_RESTRICTION"));
    assert!(
        a.notes.iter().any(|n| n.contains(NAT)),
        "a note names the gateway: {:?}",
        a.notes
    );
}

/// RNGW.3 in `whatif`: when a change touches traffic a regional NAT gateway
/// serves, what it gains or loses there is unknown, never "unchanged".
#[test]
fn rngw_3_whatif_through_a_regional_nat_gateway_is_unknown_not_unchanged() {
    let net = regional_network("whatif", "enabled", &[(Some("us-east-1a"), "succeeded")]);
    let eni = net
        .network_interfaces
        .values()
        .find(|e| e.subnet_id == PRIVATE_SUBNET && e.interface_type == "interface")
        .expect("an instance in the private subnet");
    let mut after = net.clone();
    let sg = after
        .security_groups
        .get_mut(&eni.group_ids[0])
        .expect("its group");
    assert!(!sg.egress.is_empty());
    sg.egress.clear();
    let result =
        vpcreach::whatif::compare(&net, &after, &vpcreach::whatif::WhatifOptions::default())
            .expect("no intents");
    assert!(
        result.diff.unknown.iter().any(|n| n.contains(NAT)),
        "the regional NAT gateway's unknown is reported: {:?}",
        result.diff.unknown
    );
}
