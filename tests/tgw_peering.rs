//! Transit gateway peering attachments (C7.8 of docs/semantics-additions.md,
//! C7.4 of aws-vpc-semantics.md) on `fixtures/tgw-peering`: two VPCs in two
//! regions and two accounts, each behind its own TGW, the TGWs peered.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vpcreach::analysis::{path, PathAnalysis, PathQuery, ProtocolChoice};
use vpcreach::snapshot;
use vpcreach::topology::Topology;

const FIXTURE: &str = "fixtures/tgw-peering";
const EAST: &str = "accounts/123456789012/us-east-1";
const WEST: &str = "accounts/444455556666/eu-west-1";
const APP: &str = "i-0a40de79813edefdd";
const BATCH: &str = "i-0f2d8311ce77b4d98";
const DB: &str = "i-066cd7b541a078ed4";
const PEER: &str = "tgw-attach-0f3a9c1d5e7b2a468";
const PENDING: &str = "tgw-attach-0b5d7e9f1a3c5e792";
const FOREIGN: &str = "tgw-attach-0c6e8a0b2d4f6a813";
const EAST_RTB: &str = "tgw-rtb-06676c9f083099a94";
const WEST_RTB: &str = "tgw-rtb-0fa598e1aec6388ae";
const WEST_TGW: &str = "tgw-0d2b4d6f8a0c2e4a6";

fn ask(dir: &Path, src: &str, dst: &str, port: u16) -> PathAnalysis {
    let snap = snapshot::load(dir).expect("snapshot loads");
    let topo = Topology::new(&snap.network);
    let q = PathQuery {
        source: src.into(),
        destination: dst.into(),
        protocol: ProtocolChoice::Number(6),
        dport: Some((port, port)),
        sport: Some((1024, 65535)),
        source_ip: None,
        destination_ip: None,
    };
    path::analyze(&topo, &q).expect("query resolves")
}

fn hop_ids(hops: &[vpcreach::analysis::Hop]) -> Vec<&str> {
    hops.iter().map(|h| h.component.id.as_str()).collect()
}

fn codes(a: &PathAnalysis) -> Vec<(&'static str, bool, Vec<String>)> {
    a.explanations
        .iter()
        .map(|e| {
            (
                e.code.as_str(),
                e.on_return_path,
                e.components.iter().map(|(_, c)| c.id.clone()).collect(),
            )
        })
        .collect()
}

/// A copy of the fixture in a temporary folder, with `edit` applied to the
/// JSON of `file` (relative to the fixture).
fn edited(name: &str, file: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "vpcreach-tgw-peering-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(Path::new(FIXTURE), &dir);
    let p = dir.join(file);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else if e.file_name() != "README.md" {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The element of `TransitGatewayAttachments` for `id`.
fn attachment<'a>(v: &'a mut Value, id: &str) -> &'a mut Value {
    v["TransitGatewayAttachments"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["TransitGatewayAttachmentId"] == id)
        .unwrap()
}

/// C7.8a: both sides print the same attachment id, each with its own TGW
/// and association: one attachment with two ends, not an ambiguous id.
#[test]
fn c7_8a_two_views_of_a_peering_attachment_are_one_attachment() {
    let snap = snapshot::load(Path::new(FIXTURE)).unwrap();
    assert!(
        snap.network.ambiguous_ids.is_empty(),
        "{:?}",
        snap.network.ambiguous_ids
    );
    let att = &snap.network.tgw_attachments[PEER];
    let peering = att.peering.as_ref().expect("a peering attachment");
    assert_eq!(peering.ends.len(), 2, "{peering:?}");
    assert_eq!(peering.ends[WEST_TGW].as_deref(), Some(WEST_RTB));
    let accepter = peering.accepter.as_ref().unwrap();
    assert_eq!(
        (accepter.owner_id.as_deref(), accepter.region.as_deref()),
        (Some("444455556666"), Some("eu-west-1"))
    );
    assert!(
        !snap.warnings.iter().any(|w| w.message.contains(PEER)),
        "{:?}",
        snap.warnings
    );
}

/// C7.8b: a path through two TGWs shows both route tables, hop by hop,
/// each way: east's static route to the peering, west's propagated route
/// to its VPC; the reply through west's static route and east's
/// propagated one.
#[test]
fn c7_8b_path_through_two_peered_tgws_shows_both_route_tables() {
    let a = ask(Path::new(FIXTURE), APP, DB, 5432);
    assert!(a.path_found(), "{:#?}", codes(&a));
    let fwd = hop_ids(&a.forward);
    let at = |id: &str, hops: &[&str]| hops.iter().position(|h| *h == id);
    let (e, p, w) = (at(EAST_RTB, &fwd), at(PEER, &fwd), at(WEST_RTB, &fwd));
    assert!(
        e.is_some() && p.is_some() && w.is_some() && e < p && p < w,
        "forward hops: {fwd:?}"
    );
    let roles: Vec<&str> = a.forward.iter().map(|h| h.role.as_str()).collect();
    assert!(
        roles.iter().any(|r| r.contains("static 10.2.0.0/16")),
        "{roles:?}"
    );
    assert!(
        roles
            .iter()
            .any(|r| r
                .contains("peering attachment (tgw-0e1a3c5e7a9b1d2f4 → tgw-0d2b4d6f8a0c2e4a6)")),
        "{roles:?}"
    );
    let ret = hop_ids(&a.ret);
    let (w, p, e) = (at(WEST_RTB, &ret), at(PEER, &ret), at(EAST_RTB, &ret));
    assert!(
        e.is_some() && p.is_some() && w.is_some() && w < p && p < e,
        "return hops: {ret:?}"
    );
    // And the other way round.
    assert!(ask(Path::new(FIXTURE), DB, APP, 443).path_found());
}

/// C7.8c, C7.4: nothing propagates across a peering; west routes only
/// 10.1.1.0/24 back statically, so the batch subnet's replies have no
/// route in west's table.
#[test]
fn c7_8c_replies_need_a_static_route_on_the_far_side() {
    let a = ask(Path::new(FIXTURE), BATCH, DB, 5432);
    assert!(!a.path_found());
    assert!(a.forward_found, "the request gets there: {:#?}", codes(&a));
    assert!(
        codes(&a)
            .iter()
            .any(|(c, ret, comps)| *c == "NO_ROUTE_TO_DESTINATION"
                && *ret
                && comps.iter().any(|x| x == WEST_RTB)),
        "{:#?}",
        codes(&a)
    );
}

/// C7.8d: an attachment that is not `available` carries nothing.
#[test]
fn c7_8d_a_peering_attachment_not_available_carries_nothing() {
    let a = ask(Path::new(FIXTURE), APP, "10.3.0.5", 443);
    assert!(!a.path_found());
    assert!(
        codes(&a).iter().any(|(c, _, comps)| *c == "BAD_STATE_ATTACHMENT"
            && comps.iter().any(|x| x == PENDING)),
        "{:#?}",
        codes(&a)
    );
    // The far side's view saying so is enough (either view decides).
    let dir = edited(
        "west-pending",
        &format!("{WEST}/transit-gateway-attachments.json"),
        |v| {
            attachment(v, PEER)["State"] = "pendingAcceptance".into();
        },
    );
    let a = ask(&dir, APP, DB, 5432);
    assert!(!a.path_found());
    assert!(
        codes(&a)
            .iter()
            .any(|(c, _, comps)| *c == "BAD_STATE_ATTACHMENT" && comps.iter().any(|x| x == PEER)),
        "{:#?}",
        codes(&a)
    );
}

/// C7.8d, C7.1: the far end without an association cannot forward.
#[test]
fn c7_8d_far_end_without_association_cannot_forward() {
    let dir = edited(
        "west-unassociated",
        &format!("{WEST}/transit-gateway-attachments.json"),
        |v| {
            attachment(v, PEER)
                .as_object_mut()
                .unwrap()
                .remove("Association");
        },
    );
    let a = ask(&dir, APP, DB, 5432);
    assert!(!a.path_found());
    assert!(
        codes(&a)
            .iter()
            .any(|(c, ret, _)| *c == "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION" && !ret),
        "{:#?}",
        codes(&a)
    );
}

/// C7.8e: the peer TGW (another account, another region) is not in the
/// snapshot: beyond the attachment is unknown, naming account and region.
#[test]
fn c7_8e_peer_tgw_not_in_the_snapshot_is_unknown() {
    let a = ask(Path::new(FIXTURE), APP, "10.4.0.5", 443);
    assert!(!a.path_found());
    let e = a
        .explanations
        .iter()
        .find(|e| e.code.as_str() == "UNKNOWN_RESOURCE")
        .unwrap_or_else(|| panic!("{:#?}", codes(&a)));
    assert!(e.components.iter().any(|(_, c)| c.id == FOREIGN));
    assert!(
        e.message.contains("777788889999") && e.message.contains("us-west-2"),
        "{}",
        e.message
    );
}

/// C7.8e: with only the east account's output, the west TGW and its side
/// of the attachment are missing: the answer is unknown, not "no path".
#[test]
fn c7_8e_only_one_side_in_the_snapshot_is_unknown_beyond_the_peering() {
    let dir = Path::new(FIXTURE).join(EAST);
    let snap = snapshot::load(&dir).unwrap();
    let topo = Topology::new(&snap.network);
    let q = PathQuery {
        source: APP.into(),
        destination: "10.2.1.20".into(),
        protocol: ProtocolChoice::Number(6),
        dport: Some((5432, 5432)),
        sport: Some((1024, 65535)),
        source_ip: None,
        destination_ip: None,
    };
    let a = path::analyze(&topo, &q).unwrap();
    assert!(!a.path_found());
    assert!(
        codes(&a)
            .iter()
            .any(|(c, ret, comps)| *c == "UNKNOWN_RESOURCE"
                && !ret
                && comps.iter().any(|x| x == PEER)),
        "{:#?}",
        codes(&a)
    );
}

/// C7.8f: SG references do not cross a TGW peering; a rule naming the
/// east group by id admits nothing from the east VPC.
#[test]
fn c7_8f_sg_references_do_not_cross_a_peering() {
    let dir = edited("sg-ref", &format!("{WEST}/security-groups.json"), |v| {
        for g in v["SecurityGroups"].as_array_mut().unwrap() {
            if g["GroupId"] == "sg-006a300dd29f4a433" {
                g["IpPermissions"][0]["IpRanges"] = serde_json::json!([]);
                g["IpPermissions"][0]["UserIdGroupPairs"] = serde_json::json!([
                    {"UserId": "123456789012", "GroupId": "sg-0a47822833329afae"}
                ]);
            }
        }
    });
    let a = ask(&dir, APP, DB, 5432);
    assert!(!a.path_found());
    assert!(
        codes(&a)
            .iter()
            .any(|(c, ret, _)| *c == "ENI_SG_RULES_MISMATCH" && !ret),
        "{:#?}",
        codes(&a)
    );
}
