//! TGW security group referencing (C1.5, C7.6 of aws-vpc-semantics.md) on
//! fixtures/tgw-hub-spoke: web-1a (spoke-1) → api-2a (spoke-2) tcp/8443,
//! admitted only by a rule of spoke-2-api-sg naming spoke-1's group.

use std::path::Path;

use vpcreach::analysis::{path, PathAnalysis, PathQuery, ProtocolChoice};
use vpcreach::model::Network;
use vpcreach::snapshot;
use vpcreach::topology::Topology;

const WEB: &str = "i-0efdb9ebeec523f4e";
const API: &str = "i-06582f37cef7204d5";

fn net() -> Network {
    snapshot::load(Path::new("fixtures/tgw-hub-spoke"))
        .expect("fixture loads")
        .network
}

fn tcp8443(net: &Network) -> PathAnalysis {
    let topo = Topology::new(net);
    let q = PathQuery {
        source: WEB.into(),
        destination: API.into(),
        protocol: ProtocolChoice::Number(6),
        dport: Some((8443, 8443)),
        sport: Some((1024, 65535)),
        source_ip: None,
        destination_ip: None,
    };
    path::analyze(&topo, &q).expect("endpoints resolve")
}

fn enable_on_attachments(net: &mut Network) {
    for a in net.tgw_attachments.values_mut() {
        if let Some(v) = a.vpc.as_mut() {
            v.sg_referencing = true;
        }
    }
}

/// C7.6: the attachments lack SG referencing: the reference matches
/// nothing, and the explanation names SG_REFERENCING_SUPPORT and the
/// attachment where the identity was lost.
#[test]
fn c7_6_sg_reference_across_tgw_without_support_is_blocked() {
    let a = tcp8443(&net());
    assert!(!a.path_found());
    let e = a
        .explanations
        .iter()
        .find(|e| e.code.as_str() == "ENI_SG_RULES_MISMATCH")
        .expect("SG blocker");
    assert!(
        e.message.contains("SG_REFERENCING_SUPPORT"),
        "{}",
        e.message
    );
    assert!(e
        .components
        .iter()
        .any(|(k, c)| *k == "TransitGatewayAttachment" && c.id.starts_with("tgw-attach-")));
}

/// C7.6: enabled on the TGW and both attachments, the reference matches.
#[test]
fn c7_6_sg_reference_across_tgw_with_support_is_reachable() {
    let mut n = net();
    enable_on_attachments(&mut n);
    let a = tcp8443(&n);
    assert!(a.path_found(), "{:#?}", a.explanations);
}

/// C7.6: the TGW's own `Options.SecurityGroupReferencingSupport`
/// `disable` wins over the attachments.
#[test]
fn c7_6_sg_reference_needs_the_tgw_option_too() {
    let mut n = net();
    enable_on_attachments(&mut n);
    for t in n.transit_gateways.values_mut() {
        assert_eq!(t.sg_referencing, Some(true), "the fixture's TGW enables it");
        t.sg_referencing = Some(false);
    }
    let a = tcp8443(&n);
    assert!(!a.path_found());
    assert!(a
        .explanations
        .iter()
        .any(|e| e.message.contains("SG_REFERENCING_SUPPORT")));
}
