//! Every resource type `whatif --plan` maps, under every action a plan can
//! give it: create, update (in place), delete and replace (`["delete",
//! "create"]` or `["create", "delete"]`). The plans are built here in the
//! exact shape of `terraform show -json` (format 1.2, Terraform 1.9, AWS
//! provider 5.x: `planned_values`, `resource_changes[].change.{actions,
//! before, after, after_unknown, before_sensitive, after_sensitive,
//! replace_paths}`, `action_reason`, `prior_state` with what exists,
//! `configuration` with `constant_value` / `references`), and applied to the
//! three-tier and peering fixtures. Each test asserts the gained and lost
//! pairs, or the Unknown entry for what is known only after apply. Where the
//! AWS provider has no in-place update for a type (every argument forces
//! replacement), the test says so and there is none. Rule numbers are those
//! of ../shared/docs/aws-vpc-semantics.md.
//!
//! Cases that tests/terraform.rs already holds with fixtures/terraform/ are
//! named in each section rather than repeated.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Map, Value as Json};
use vpcreach::model::Network;
use vpcreach::plan::{evaluate, Evaluation, Plan};
use vpcreach::snapshot::{self, terraform};

// --- the three-tier fixture (fixtures/three-tier/README.md) ----------------

const VPC: &str = "vpc-0ba0ef98c7f4df554";
const WEB_SUBNET: &str = "subnet-08c3063ea311e9783";
const APP_SUBNET: &str = "subnet-0f7d4a43151fdc3a0";
const DB_SUBNET: &str = "subnet-03858ae586d0cfeae";
const WEB_RTB: &str = "rtb-0f7c353c171a6c36b";
const PRIVATE_RTB: &str = "rtb-07786a2e372e7a99a";
const MAIN_RTB: &str = "rtb-09b60920e34e50edd";
const DB_ASSOC: &str = "rtbassoc-0b4448e3f7d1cbcda";
const WEB_ASSOC: &str = "rtbassoc-010c60dc1b112acf6";
const DB_NACL: &str = "acl-0aae7e3f6fe63d5ac";
const DEFAULT_NACL: &str = "acl-0d98a8a27c84ebbb9";
const IGW: &str = "igw-0f2bb638e65827a20";
const NAT: &str = "nat-0571f9f51005d341f";
const NAT_EIP: &str = "eipalloc-04d84ddcdc4dec248";
const NAT_ENI: &str = "eni-07a34ff55bb7dc2d6";
const WEB_SG: &str = "sg-0b02f59c9aa9b504b";
const APP_SG: &str = "sg-01e5133018c4f52da";
const DB_SG: &str = "sg-04ba902bbfc828f5d";
const DEFAULT_SG: &str = "sg-02fb94ff492155e3e";
const WEB_ENI: &str = "eni-035b95295c011e256";
const APP_ENI: &str = "eni-0cb1f501ad81b2f37";
const DB_ENI: &str = "eni-0bbbce7139edeae6d";
const DB_INSTANCE: &str = "i-0ebd276bfd4c4ec83";
const APP_INSTANCE: &str = "i-0016847fb97bb2cfa";
const AMI: &str = "ami-0c02fb55956c7d316";

// --- the peering fixture (fixtures/peering/README.md) -----------------------

const VPC1: &str = "vpc-08549407a1b13decd";
const VPC2: &str = "vpc-0531e32cfcd4044ec";
const VPC3: &str = "vpc-08267aa639879f500";
const PCX_1_2: &str = "pcx-0e745b8938d73689f";
const RTB1: &str = "rtb-05ce375209eff8196";
const RTB2: &str = "rtb-069c42ac0e78eac12";
const RTB3: &str = "rtb-0cbcc951b77288eaf";
const APP1_ENI: &str = "eni-0ac33fb088e93b16c";
const DB2_ENI: &str = "eni-00e818fc26fbf8329";
const SHARED3_ENI: &str = "eni-04dce7dc83c7ea7a4";

fn fixture(name: &str) -> Network {
    snapshot::load(Path::new(&format!("fixtures/{name}")))
        .unwrap()
        .network
}

// --- plans in the shape of `terraform show -json` ---------------------------

const PROVIDER: &str = "registry.terraform.io/hashicorp/aws";

/// One `resource_changes` entry and its `configuration` block.
struct Change {
    address: String,
    kind: &'static str,
    actions: &'static [&'static str],
    before: Json,
    after: Json,
    after_unknown: Json,
    /// The configuration's `expressions`; `None` for a deleted resource,
    /// which the configuration no longer has.
    expressions: Option<Json>,
}

fn create(address: &str, kind: &'static str, after: Json, unknown: Json, exprs: Json) -> Change {
    Change {
        address: address.into(),
        kind,
        actions: &["create"],
        before: Json::Null,
        after,
        after_unknown: unknown,
        expressions: Some(exprs),
    }
}

fn update(address: &str, kind: &'static str, before: Json, after: Json, exprs: Json) -> Change {
    Change {
        address: address.into(),
        kind,
        actions: &["update"],
        before,
        after,
        after_unknown: json!({}),
        expressions: Some(exprs),
    }
}

/// An update whose new value of some attribute is known only after apply.
fn update_unknown(
    address: &str,
    kind: &'static str,
    before: Json,
    after: Json,
    unknown: Json,
    exprs: Json,
) -> Change {
    Change {
        after_unknown: unknown,
        ..update(address, kind, before, after, exprs)
    }
}

fn delete(address: &str, kind: &'static str, before: Json) -> Change {
    Change {
        address: address.into(),
        kind,
        actions: &["delete"],
        before,
        after: Json::Null,
        after_unknown: json!({}),
        expressions: None,
    }
}

/// Delete then create (Terraform's default replacement order).
fn replace(
    address: &str,
    kind: &'static str,
    before: Json,
    after: Json,
    unknown: Json,
    exprs: Json,
) -> Change {
    Change {
        address: address.into(),
        kind,
        actions: &["delete", "create"],
        before,
        after,
        after_unknown: unknown,
        expressions: Some(exprs),
    }
}

/// Create then delete (`lifecycle { create_before_destroy = true }`).
fn replace_create_first(
    address: &str,
    kind: &'static str,
    before: Json,
    after: Json,
    unknown: Json,
    exprs: Json,
) -> Change {
    Change {
        actions: &["create", "delete"],
        ..replace(address, kind, before, after, unknown, exprs)
    }
}

fn c(v: Json) -> Json {
    json!({ "constant_value": v })
}

/// Terraform 1.x lists each reference with its attribute, then the resource.
fn r(reference: &str) -> Json {
    let resource = reference.rsplit_once('.').map(|(r, _)| r).unwrap_or("");
    json!({ "references": [reference, resource] })
}

/// `sensitive_values` / `before_sensitive` / `after_sensitive`: an empty
/// object for a value, `false` for none.
fn sensitivity(v: &Json) -> Json {
    if v.is_null() {
        Json::Bool(false)
    } else {
        json!({})
    }
}

fn name_and_index(address: &str) -> (String, Option<Json>) {
    let last = address.rsplit('.').next().unwrap_or(address);
    match last.split_once('[') {
        Some((name, key)) => {
            let key = key.trim_end_matches(']');
            let index = key
                .parse::<u64>()
                .map(Json::from)
                .unwrap_or_else(|_| Json::from(key.trim_matches('"')));
            (name.into(), Some(index))
        }
        None => (last.into(), None),
    }
}

fn resource_header(address: &str, kind: &str) -> Map<String, Json> {
    let (name, index) = name_and_index(address);
    let mut m = Map::new();
    m.insert("address".into(), address.into());
    m.insert("mode".into(), "managed".into());
    m.insert("type".into(), kind.into());
    m.insert("name".into(), name.into());
    if let Some(i) = index {
        m.insert("index".into(), i);
    }
    m.insert("provider_name".into(), PROVIDER.into());
    m
}

/// Top-level attributes whose value differs: Terraform's `replace_paths`
/// names those that force the replacement.
fn replace_paths(before: &Json, after: &Json) -> Json {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return json!([]);
    };
    let paths: Vec<Json> = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|old| old != *v))
        .map(|(k, _)| json!([k]))
        .collect();
    Json::Array(paths)
}

fn plan_json(changes: &[Change]) -> Json {
    let mut resource_changes = Vec::new();
    let mut planned = Vec::new();
    let mut prior = Vec::new();
    let mut configured: Vec<Json> = Vec::new();
    let mut configured_addresses = BTreeSet::new();
    for ch in changes {
        let mut entry = resource_header(&ch.address, ch.kind);
        let replacing = ch.actions.len() == 2;
        if replacing {
            entry.insert(
                "action_reason".into(),
                "replace_because_cannot_update".into(),
            );
        }
        let mut change = json!({
            "actions": ch.actions,
            "before": ch.before,
            "after": ch.after,
            "after_unknown": ch.after_unknown,
            "before_sensitive": sensitivity(&ch.before),
            "after_sensitive": sensitivity(&ch.after),
        });
        if replacing {
            change["replace_paths"] = replace_paths(&ch.before, &ch.after);
        }
        entry.insert("change".into(), change);
        resource_changes.push(Json::Object(entry));
        for (values, list) in [(&ch.after, &mut planned), (&ch.before, &mut prior)] {
            if values.is_null() {
                continue;
            }
            let mut resource = resource_header(&ch.address, ch.kind);
            resource.insert("schema_version".into(), 0.into());
            resource.insert("values".into(), values.clone());
            resource.insert("sensitive_values".into(), json!({}));
            list.push(Json::Object(resource));
        }
        let block = ch.address.split('[').next().unwrap_or(&ch.address);
        if let Some(exprs) = &ch.expressions {
            if configured_addresses.insert(block.to_string()) {
                let (name, _) = name_and_index(block);
                configured.push(json!({
                    "address": block,
                    "mode": "managed",
                    "type": ch.kind,
                    "name": name,
                    "provider_config_key": "aws",
                    "expressions": exprs,
                    "schema_version": 0,
                }));
            }
        }
    }
    let mut doc = json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": { "root_module": { "resources": planned } },
        "resource_changes": resource_changes,
    });
    if !prior.is_empty() {
        doc["prior_state"] = json!({
            "format_version": "1.0",
            "terraform_version": "1.9.5",
            "values": { "root_module": { "resources": prior } },
        });
    }
    doc["configuration"] = json!({
        "provider_config": {
            "aws": {
                "name": "aws",
                "full_name": PROVIDER,
                "expressions": { "region": c(json!("us-east-1")) },
            }
        },
        "root_module": { "resources": configured },
    });
    doc["timestamp"] = json!("2026-12-07T12:00:00Z");
    doc["applyable"] = json!(true);
    doc["complete"] = json!(true);
    doc["errored"] = json!(false);
    doc
}

fn plan(changes: Vec<Change>) -> Plan {
    let text = serde_json::to_string_pretty(&plan_json(&changes)).unwrap();
    terraform::parse(Path::new("matrix-plan.json"), &text, false)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn on(base: &str, changes: Vec<Change>) -> Evaluation {
    evaluate(Some(&fixture(base)), &[plan(changes)])
}

// --- gained / lost pairs ------------------------------------------------------

/// (source, destination, traffic), new resources named by their address.
type Pairs = BTreeSet<(String, String, String)>;

fn named(list: &[vpcreach::whatif::differential::ReachChange], e: &Evaluation) -> Pairs {
    list.iter()
        .map(|r| {
            (
                e.translation.name(&r.source.id).to_string(),
                e.translation.name(&r.destination.id).to_string(),
                r.summary.join(", "),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str, &str)]) -> Pairs {
    list.iter()
        .map(|(s, d, t)| (s.to_string(), d.to_string(), t.to_string()))
        .collect()
}

/// Exactly these pairs gained and lost, nothing unknown, no warning.
#[track_caller]
fn assert_pairs(e: &Evaluation, gained: &[(&str, &str, &str)], lost: &[(&str, &str, &str)]) {
    assert_eq!(
        named(&e.diff.gained, e),
        pairs(gained),
        "gained; applied {:?}; notes {:?}",
        e.translation.applied,
        e.translation.notes
    );
    assert_eq!(named(&e.diff.lost, e), pairs(lost), "lost");
    assert!(e.unknown.is_empty(), "unknown: {:?}", e.unknown);
    assert!(
        e.translation.warnings.is_empty(),
        "{:?}",
        e.translation.warnings
    );
}

#[track_caller]
fn assert_no_change(e: &Evaluation) {
    assert_pairs(e, &[], &[]);
    assert!(
        !e.translation.applied.is_empty(),
        "the change was not applied at all"
    );
}

const INTERNET: &str = "internet";

/// What a private tier starts towards the internet through a NAT gateway:
/// TCP, UDP and ICMP only (C5.5).
const THROUGH_NAT: &str = "icmp all, tcp/all, udp/all";

/// What web-sg's 0.0.0.0/0 rules admit: the internet and the other tiers.
fn to_web(traffic: &'static str) -> Vec<(&'static str, &'static str, &'static str)> {
    [INTERNET, APP_ENI, DB_ENI]
        .into_iter()
        .map(|s| (s, WEB_ENI, traffic))
        .collect()
}

// --- provider state shapes (AWS provider 5.x) ---------------------------------

fn sg_rule_state(
    id: Option<&str>,
    direction: &str,
    group: &str,
    protocol: &str,
    ports: (i64, i64),
    cidrs: Option<&[&str]>,
    source: Option<&str>,
) -> Json {
    let mut v = json!({
        "cidr_blocks": cidrs,
        "description": null,
        "from_port": ports.0,
        "ipv6_cidr_blocks": null,
        "prefix_list_ids": null,
        "protocol": protocol,
        "security_group_id": group,
        "self": false,
        "source_security_group_id": source,
        "timeouts": null,
        "to_port": ports.1,
        "type": direction,
    });
    if let Some(id) = id {
        v["id"] = id.into();
        v["security_group_rule_id"] = id.replace("sgrule-", "sgr-0").into();
    }
    v
}

fn vpc_rule_state(
    id: Option<&str>,
    group: &str,
    protocol: &str,
    ports: Option<(i64, i64)>,
    cidr: Option<&str>,
    referenced: Option<&str>,
) -> Json {
    let mut v = json!({
        "cidr_ipv4": cidr,
        "cidr_ipv6": null,
        "description": null,
        "from_port": ports.map(|p| p.0),
        "ip_protocol": protocol,
        "prefix_list_id": null,
        "referenced_security_group_id": referenced,
        "security_group_id": group,
        "tags": null,
        "to_port": ports.map(|p| p.1),
    });
    if let Some(id) = id {
        v["arn"] = format!("arn:aws:ec2:us-east-1:123456789012:security-group-rule/{id}").into();
        v["id"] = id.into();
        v["security_group_rule_id"] = id.into();
        v["tags_all"] = json!({});
    }
    v
}

const VPC_RULE_UNKNOWN: fn() -> Json =
    || json!({"arn": true, "id": true, "security_group_rule_id": true, "tags_all": true});

fn inline_sg_rule(protocol: &str, ports: (i64, i64), cidrs: &[&str], groups: &[&str]) -> Json {
    json!({
        "cidr_blocks": cidrs,
        "description": "",
        "from_port": ports.0,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": protocol,
        "security_groups": groups,
        "self": false,
        "to_port": ports.1,
    })
}

fn inline_sg_expr(protocol: &str, ports: (i64, i64), cidrs: &[&str]) -> Json {
    json!({
        "cidr_blocks": c(json!(cidrs)),
        "from_port": c(json!(ports.0)),
        "protocol": c(json!(protocol)),
        "to_port": c(json!(ports.1)),
    })
}

fn sg_state(id: Option<&str>, name: &str, ingress: Json, egress: Json) -> Json {
    let mut v = json!({
        "description": "Managed by Terraform",
        "egress": egress,
        "ingress": ingress,
        "name": name,
        "name_prefix": "",
        "revoke_rules_on_delete": false,
        "tags": {},
        "timeouts": null,
        "vpc_id": VPC,
    });
    if let Some(id) = id {
        v["arn"] = format!("arn:aws:ec2:us-east-1:123456789012:security-group/{id}").into();
        v["id"] = id.into();
        v["owner_id"] = "123456789012".into();
        v["tags_all"] = json!({});
    }
    v
}

fn all_out() -> Json {
    json!([inline_sg_rule("-1", (0, 0), &["0.0.0.0/0"], &[])])
}

const SG_UNKNOWN: fn() -> Json =
    || json!({"arn": true, "id": true, "owner_id": true, "tags_all": true});

fn default_sg_state(id: Option<&str>, ingress: Json, egress: Json) -> Json {
    let mut v = json!({
        "description": "default VPC security group",
        "egress": egress,
        "ingress": ingress,
        "name": "default",
        "name_prefix": "",
        "revoke_rules_on_delete": false,
        "tags": {},
        "vpc_id": VPC,
    });
    if let Some(id) = id {
        v["arn"] = format!("arn:aws:ec2:us-east-1:123456789012:security-group/{id}").into();
        v["id"] = id.into();
        v["owner_id"] = "123456789012".into();
        v["tags_all"] = json!({});
    }
    v
}

fn acl_inline(number: i64, action: &str, protocol: &str, cidr: &str, ports: (i64, i64)) -> Json {
    json!({
        "action": action,
        "cidr_block": cidr,
        "from_port": ports.0,
        "icmp_code": 0,
        "icmp_type": 0,
        "ipv6_cidr_block": "",
        "protocol": protocol,
        "rule_no": number,
        "to_port": ports.1,
    })
}

fn acl_inline_expr(
    number: i64,
    action: &str,
    protocol: &str,
    cidr: &str,
    ports: (i64, i64),
) -> Json {
    json!({
        "rule_no": c(json!(number)),
        "action": c(json!(action)),
        "protocol": c(json!(protocol)),
        "cidr_block": c(json!(cidr)),
        "from_port": c(json!(ports.0)),
        "to_port": c(json!(ports.1)),
    })
}

fn acl_state(id: Option<&str>, ingress: Json, egress: Json, subnets: &[&str]) -> Json {
    let mut v = json!({
        "egress": egress,
        "ingress": ingress,
        "subnet_ids": subnets,
        "tags": {},
        "vpc_id": VPC,
    });
    if let Some(id) = id {
        v["arn"] = format!("arn:aws:ec2:us-east-1:123456789012:network-acl/{id}").into();
        v["id"] = id.into();
        v["owner_id"] = "123456789012".into();
        v["tags_all"] = json!({});
    }
    v
}

fn allow_all(number: i64) -> Json {
    acl_inline(number, "allow", "-1", "0.0.0.0/0", (0, 0))
}

/// The db subnet's NACL as the provider holds it (rule 90 denies app → db
/// tcp/3306, C2.3).
fn db_acl_state() -> Json {
    acl_state(
        Some(DB_NACL),
        json!([
            acl_inline(90, "deny", "6", "10.0.2.0/24", (3306, 3306)),
            allow_all(100)
        ]),
        json!([allow_all(100)]),
        &[DB_SUBNET],
    )
}

fn default_acl_state(ingress: Json, egress: Json) -> Json {
    json!({
        "arn": format!("arn:aws:ec2:us-east-1:123456789012:network-acl/{DEFAULT_NACL}"),
        "default_network_acl_id": DEFAULT_NACL,
        "egress": egress,
        "id": DEFAULT_NACL,
        "ingress": ingress,
        "owner_id": "123456789012",
        "subnet_ids": [WEB_SUBNET, APP_SUBNET],
        "tags": {},
        "tags_all": {},
        "vpc_id": VPC,
    })
}

fn acl_rule_state(
    id: Option<&str>,
    acl: &str,
    number: i64,
    egress: bool,
    action: &str,
    cidr: &str,
    ports: (i64, i64),
) -> Json {
    let mut v = json!({
        "cidr_block": cidr,
        "egress": egress,
        "from_port": ports.0,
        "icmp_code": null,
        "icmp_type": null,
        "ipv6_cidr_block": null,
        "network_acl_id": acl,
        "protocol": "tcp",
        "rule_action": action,
        "rule_number": number,
        "to_port": ports.1,
    });
    if let Some(id) = id {
        v["id"] = id.into();
    }
    v
}

fn acl_assoc_state(id: Option<&str>, acl: &str, subnet: &str) -> Json {
    let mut v = json!({ "network_acl_id": acl, "subnet_id": subnet });
    if let Some(id) = id {
        v["id"] = id.into();
    }
    v
}

/// An `aws_route` (or, without `route_table_id`, a `route` block).
fn route_state(table: &str, cidr: &str, field: &str, target: &str) -> Json {
    let mut v = json!({
        "carrier_gateway_id": "",
        "core_network_arn": "",
        "destination_cidr_block": cidr,
        "destination_ipv6_cidr_block": "",
        "destination_prefix_list_id": "",
        "egress_only_gateway_id": "",
        "gateway_id": "",
        "local_gateway_id": "",
        "nat_gateway_id": "",
        "network_interface_id": "",
        "route_table_id": table,
        "timeouts": null,
        "transit_gateway_id": "",
        "vpc_endpoint_id": "",
        "vpc_peering_connection_id": "",
    });
    if !target.is_empty() {
        v[field] = target.into();
    }
    v
}

fn existing_route(table: &str, cidr: &str, field: &str, target: &str) -> Json {
    let mut v = route_state(table, cidr, field, target);
    v["id"] = format!("r-{table}1080289494").into();
    v["origin"] = "CreateRoute".into();
    v["state"] = "active".into();
    v["instance_id"] = "".into();
    v["instance_owner_id"] = "".into();
    v
}

fn route_block(cidr: &str, field: &str, target: &str) -> Json {
    let mut v = json!({
        "carrier_gateway_id": "",
        "cidr_block": cidr,
        "core_network_arn": "",
        "destination_prefix_list_id": "",
        "egress_only_gateway_id": "",
        "gateway_id": "",
        "ipv6_cidr_block": "",
        "local_gateway_id": "",
        "nat_gateway_id": "",
        "network_interface_id": "",
        "transit_gateway_id": "",
        "vpc_endpoint_id": "",
        "vpc_peering_connection_id": "",
    });
    if !target.is_empty() {
        v[field] = target.into();
    }
    v
}

fn route_table_state(id: Option<&str>, routes: Json) -> Json {
    let mut v = json!({
        "propagating_vgws": [],
        "route": routes,
        "tags": {},
        "timeouts": null,
        "vpc_id": VPC,
    });
    if let Some(id) = id {
        v["arn"] = format!("arn:aws:ec2:us-east-1:123456789012:route-table/{id}").into();
        v["id"] = id.into();
        v["owner_id"] = "123456789012".into();
        v["tags_all"] = json!({});
    }
    v
}

fn default_route_table_state(routes: Json) -> Json {
    json!({
        "arn": format!("arn:aws:ec2:us-east-1:123456789012:route-table/{MAIN_RTB}"),
        "default_route_table_id": MAIN_RTB,
        "id": MAIN_RTB,
        "owner_id": "123456789012",
        "propagating_vgws": [],
        "route": routes,
        "tags": {},
        "tags_all": {},
        "timeouts": null,
        "vpc_id": VPC,
    })
}

fn rt_assoc_state(id: Option<&str>, table: &str, subnet: &str) -> Json {
    let mut v = json!({
        "gateway_id": "",
        "route_table_id": table,
        "subnet_id": subnet,
        "timeouts": null,
    });
    if let Some(id) = id {
        v["id"] = id.into();
    }
    v
}

/// The db subnet's explicit association removed: it falls back to the main
/// route table (C3.1), local only in three-tier, so db loses the internet.
fn db_assoc_delete() -> Change {
    delete(
        "aws_route_table_association.db",
        "aws_route_table_association",
        rt_assoc_state(Some(DB_ASSOC), PRIVATE_RTB, DB_SUBNET),
    )
}

fn main_assoc_state(id: Option<&str>, table: &str) -> Json {
    let mut v = json!({
        "route_table_id": table,
        "timeouts": null,
        "vpc_id": VPC,
    });
    if let Some(id) = id {
        v["id"] = id.into();
        v["original_route_table_id"] = MAIN_RTB.into();
    }
    v
}

fn igw_state(id: Option<&str>, vpc: Option<&str>) -> Json {
    let mut v = json!({ "tags": {}, "timeouts": null, "vpc_id": vpc });
    if let Some(id) = id {
        v["arn"] = format!("arn:aws:ec2:us-east-1:123456789012:internet-gateway/{id}").into();
        v["id"] = id.into();
        v["owner_id"] = "123456789012".into();
        v["tags_all"] = json!({});
    }
    v
}

fn igw_attachment_state(id: Option<&str>, igw: &str) -> Json {
    let mut v = json!({ "internet_gateway_id": igw, "timeouts": null, "vpc_id": VPC });
    if let Some(id) = id {
        v["id"] = id.into();
    }
    v
}

fn nat_state(id: Option<&str>, allocation: Option<&str>) -> Json {
    let mut v = json!({
        "allocation_id": allocation,
        "connectivity_type": "public",
        "subnet_id": WEB_SUBNET,
        "tags": {},
        "timeouts": null,
    });
    if let Some(id) = id {
        v["association_id"] = "eipassoc-0aeec565ecb1c0791".into();
        v["id"] = id.into();
        v["network_interface_id"] = NAT_ENI.into();
        v["private_ip"] = "10.0.1.187".into();
        v["public_ip"] = "3.214.88.120".into();
        v["secondary_allocation_ids"] = json!([]);
        v["secondary_private_ip_address_count"] = 0.into();
        v["secondary_private_ip_addresses"] = json!([]);
        v["tags_all"] = json!({});
    }
    v
}

const NAT_UNKNOWN: fn() -> Json = || {
    json!({
        "association_id": true, "id": true, "network_interface_id": true, "private_ip": true,
        "public_ip": true, "secondary_allocation_ids": true,
        "secondary_private_ip_address_count": true, "secondary_private_ip_addresses": true,
        "tags_all": true
    })
};

fn eip_state(id: Option<&str>, public_ip: Option<&str>, eni: Option<&str>) -> Json {
    let mut v = json!({
        "address": null,
        "associate_with_private_ip": null,
        "customer_owned_ipv4_pool": "",
        "domain": "vpc",
        "instance": "",
        "network_interface": eni.unwrap_or(""),
        "public_ipv4_pool": "amazon",
        "tags": {},
        "timeouts": null,
    });
    if let Some(id) = id {
        v["allocation_id"] = id.into();
        v["association_id"] = if eni.is_some() {
            "eipassoc-0c2d3e4f5a6b7c8d9".into()
        } else {
            "".into()
        };
        v["id"] = id.into();
        v["public_ip"] = public_ip.into();
        v["tags_all"] = json!({});
    }
    v
}

const EIP_UNKNOWN: fn() -> Json = || {
    json!({
        "allocation_id": true, "association_id": true, "carrier_ip": true, "customer_owned_ip": true,
        "id": true, "private_dns": true, "private_ip": true, "ptr_record": true,
        "public_dns": true, "public_ip": true, "tags_all": true
    })
};

fn instance_state(
    id: Option<&str>,
    eni: Option<&str>,
    subnet: &str,
    groups: &[&str],
    public: bool,
) -> Json {
    let mut v = json!({
        "ami": AMI,
        "associate_public_ip_address": public,
        "instance_type": "t3.micro",
        "source_dest_check": true,
        "subnet_id": subnet,
        "tags": {},
        "timeouts": null,
        "vpc_security_group_ids": groups,
    });
    if let Some(id) = id {
        v["arn"] = format!("arn:aws:ec2:us-east-1:123456789012:instance/{id}").into();
        v["id"] = id.into();
        v["instance_state"] = "running".into();
        v["primary_network_interface_id"] = eni.into();
        v["security_groups"] = json!([]);
        v["tags_all"] = json!({});
    }
    v
}

const INSTANCE_UNKNOWN: fn() -> Json = || {
    json!({
        "arn": true, "id": true, "instance_state": true, "primary_network_interface_id": true,
        "private_dns": true, "private_ip": true, "public_dns": true, "public_ip": true,
        "security_groups": true, "tags_all": true, "vpc_security_group_ids": [false]
    })
};

fn instance_expr(subnet: &str, groups: &[&str], public: bool) -> Json {
    json!({
        "ami": c(json!(AMI)),
        "associate_public_ip_address": c(json!(public)),
        "instance_type": c(json!("t3.micro")),
        "subnet_id": c(json!(subnet)),
        "vpc_security_group_ids": c(json!(groups)),
    })
}

fn eni_state(id: Option<&str>, subnet: &str, ip: &str, groups: &[&str], attached: bool) -> Json {
    let mut v = json!({
        "description": "",
        "private_ip": ip,
        "private_ips": [ip],
        "security_groups": groups,
        "source_dest_check": true,
        "subnet_id": subnet,
        "tags": {},
    });
    if let Some(id) = id {
        v["arn"] = format!("arn:aws:ec2:us-east-1:123456789012:network-interface/{id}").into();
        v["attachment"] = if attached {
            json!([{ "attachment_id": "eni-attach-0a1b2c3d4e5f60718", "device_index": 0, "instance": DB_INSTANCE }])
        } else {
            json!([])
        };
        v["id"] = id.into();
        v["interface_type"] = "interface".into();
        v["mac_address"] = "0e:12:34:56:78:9a".into();
        v["owner_id"] = "123456789012".into();
        v["private_dns_name"] = "".into();
        v["tags_all"] = json!({});
    }
    v
}

fn peering_state(id: Option<&str>, vpc: &str, peer: &str, status: Option<&str>) -> Json {
    let mut v = json!({
        "auto_accept": true,
        "peer_owner_id": "123456789012",
        "peer_vpc_id": peer,
        "tags": {},
        "timeouts": null,
        "vpc_id": vpc,
    });
    if let Some(id) = id {
        v["accept_status"] = status.into();
        v["accepter"] = json!([]);
        v["id"] = id.into();
        v["peer_region"] = "us-east-1".into();
        v["requester"] = json!([]);
        v["tags_all"] = json!({});
    }
    v
}

const PEERING_UNKNOWN: fn() -> Json = || {
    json!({
        "accept_status": true, "accepter": true, "id": true, "peer_region": true,
        "requester": true, "tags_all": true
    })
};

fn subnet_state(id: Option<&str>, cidr: &str, public: bool) -> Json {
    let mut v = json!({
        "assign_ipv6_address_on_creation": false,
        "availability_zone": "us-east-1a",
        "cidr_block": cidr,
        "map_public_ip_on_launch": public,
        "tags": {},
        "timeouts": null,
        "vpc_id": VPC,
    });
    if let Some(id) = id {
        v["arn"] = format!("arn:aws:ec2:us-east-1:123456789012:subnet/{id}").into();
        v["id"] = id.into();
        v["owner_id"] = "123456789012".into();
        v["tags_all"] = json!({});
    }
    v
}

fn vpc_state(cidr: &str, dns_hostnames: bool) -> Json {
    json!({
        "arn": format!("arn:aws:ec2:us-east-1:123456789012:vpc/{VPC}"),
        "assign_generated_ipv6_cidr_block": false,
        "cidr_block": cidr,
        "default_network_acl_id": DEFAULT_NACL,
        "default_route_table_id": MAIN_RTB,
        "default_security_group_id": DEFAULT_SG,
        "enable_dns_hostnames": dns_hostnames,
        "enable_dns_support": true,
        "id": VPC,
        "instance_tenancy": "default",
        "main_route_table_id": MAIN_RTB,
        "owner_id": "123456789012",
        "tags": {},
        "tags_all": {},
    })
}

// === aws_security_group ======================================================
// create: tests/terraform.rs sg_create_then_attach_...; update:
// sg_update_inline_...; replace (delete first): sg_replace_....

#[test]
fn security_group_replace_create_before_destroy_takes_the_new_rules() {
    let web_in = json!([
        inline_sg_rule("tcp", (80, 80), &["0.0.0.0/0"], &[]),
        inline_sg_rule("tcp", (443, 443), &["0.0.0.0/0"], &[])
    ]);
    let e = on(
        "three-tier",
        vec![replace_create_first(
            "aws_security_group.web",
            "aws_security_group",
            sg_state(Some(WEB_SG), "web-sg", web_in, all_out()),
            sg_state(
                None,
                "web-sg-v2",
                json!([inline_sg_rule("tcp", (80, 80), &["0.0.0.0/0"], &[])]),
                all_out(),
            ),
            SG_UNKNOWN(),
            json!({
                "name": c(json!("web-sg-v2")), "vpc_id": c(json!(VPC)),
                "ingress": [inline_sg_expr("tcp", (80, 80), &["0.0.0.0/0"])],
                "egress": [inline_sg_expr("-1", (0, 0), &["0.0.0.0/0"])],
            }),
        )],
    );
    assert_pairs(&e, &[], &to_web("tcp/443"));
}

/// db-sg goes and db-1 moves to app-sg in the same plan (EC2 refuses to
/// delete a group an interface still carries): db-1 now admits tcp/8080
/// from web-sg's members (C1.5); the db NACL's rule 90 only names
/// 10.0.2.0/24 tcp/3306 (C2.3).
#[test]
fn security_group_delete_with_its_instance_moved_to_another_group_c1_5() {
    let e = on(
        "three-tier",
        vec![
            delete(
                "aws_security_group.db",
                "aws_security_group",
                sg_state(
                    Some(DB_SG),
                    "db-sg",
                    json!([inline_sg_rule("tcp", (3306, 3306), &[], &[APP_SG])]),
                    all_out(),
                ),
            ),
            update(
                "aws_instance.db",
                "aws_instance",
                instance_state(Some(DB_INSTANCE), Some(DB_ENI), DB_SUBNET, &[DB_SG], false),
                instance_state(Some(DB_INSTANCE), Some(DB_ENI), DB_SUBNET, &[APP_SG], false),
                instance_expr(DB_SUBNET, &[APP_SG], false),
            ),
        ],
    );
    assert_pairs(&e, &[(WEB_ENI, DB_ENI, "tcp/8080")], &[]);
}

/// Deleting a group an interface still carries and another group's rule
/// names: EC2 refuses (DependencyViolation) and the apply fails there, so
/// what goes through web-1 and app-sg's members is unknown, never "lost".
#[test]
fn security_group_delete_while_in_use_is_refused_and_unknown() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_security_group.web",
            "aws_security_group",
            sg_state(
                Some(WEB_SG),
                "web-sg",
                json!([
                    inline_sg_rule("tcp", (80, 80), &["0.0.0.0/0"], &[]),
                    inline_sg_rule("tcp", (443, 443), &["0.0.0.0/0"], &[])
                ]),
                all_out(),
            ),
        )],
    );
    assert_eq!(
        e.translation.warnings.len(),
        1,
        "{:?}",
        e.translation.warnings
    );
    let warning = &e.translation.warnings[0];
    assert!(warning.contains("DependencyViolation"), "{warning}");
    assert!(
        warning.contains(WEB_ENI) && warning.contains(APP_SG),
        "{warning}"
    );
    assert!(e.diff.gained.is_empty() && e.diff.lost.is_empty());
    for eni in [WEB_ENI, APP_ENI] {
        assert!(
            e.unknown
                .iter()
                .any(|u| u.source == eni || u.destination == eni),
            "{eni}: {:?}",
            e.unknown
        );
    }
    assert!(e
        .unknown
        .iter()
        .all(|u| u.causes == ["aws_security_group.web.id (DependencyViolation)"]));
}

// === aws_default_security_group ==============================================
// Terraform adopts the VPC's default group and makes its rules exactly the
// configured ones; deleting it only forgets it (EC2 keeps the group). The
// group has no member in three-tier, so each plan also attaches it to web-1.

fn default_sg_after() -> Json {
    default_sg_state(
        Some(DEFAULT_SG),
        json!([inline_sg_rule("tcp", (22, 22), &["0.0.0.0/0"], &[])]),
        all_out(),
    )
}

fn default_sg_expr() -> Json {
    json!({
        "vpc_id": c(json!(VPC)),
        "ingress": [inline_sg_expr("tcp", (22, 22), &["0.0.0.0/0"])],
        "egress": [inline_sg_expr("-1", (0, 0), &["0.0.0.0/0"])],
    })
}

fn default_sg_before() -> Json {
    let mut self_all = inline_sg_rule("-1", (0, 0), &[], &[]);
    self_all["self"] = true.into();
    default_sg_state(Some(DEFAULT_SG), json!([self_all]), all_out())
}

fn attach(group: &str, eni: &str) -> Change {
    create(
        &format!(
            "aws_network_interface_sg_attachment.{}",
            group.replace('-', "_")
        ),
        "aws_network_interface_sg_attachment",
        json!({ "network_interface_id": eni, "security_group_id": group, "timeouts": null }),
        json!({ "id": true }),
        json!({ "network_interface_id": c(json!(eni)), "security_group_id": c(json!(group)) }),
    )
}

#[test]
fn default_security_group_create_adopts_the_vpc_default_c1() {
    let mut after = default_sg_after();
    for k in ["arn", "id", "owner_id", "tags_all"] {
        after.as_object_mut().unwrap().remove(k);
    }
    let e = on(
        "three-tier",
        vec![
            create(
                "aws_default_security_group.default",
                "aws_default_security_group",
                after,
                SG_UNKNOWN(),
                default_sg_expr(),
            ),
            attach(DEFAULT_SG, WEB_ENI),
        ],
    );
    assert_pairs(&e, &to_web("tcp/22"), &[]);
}

#[test]
fn default_security_group_update_replaces_its_rules() {
    let e = on(
        "three-tier",
        vec![
            update(
                "aws_default_security_group.default",
                "aws_default_security_group",
                default_sg_before(),
                default_sg_after(),
                default_sg_expr(),
            ),
            attach(DEFAULT_SG, WEB_ENI),
        ],
    );
    assert_pairs(&e, &to_web("tcp/22"), &[]);
}

#[test]
fn default_security_group_delete_leaves_the_group_as_it_is() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_default_security_group.default",
            "aws_default_security_group",
            default_sg_after(),
        )],
    );
    assert_no_change(&e);
    let net = &e.translation.network;
    assert_eq!(net.security_groups[DEFAULT_SG].ingress.len(), 1);
}

#[test]
fn default_security_group_replace_adopts_it_again() {
    let e = on(
        "three-tier",
        vec![
            replace(
                "aws_default_security_group.default",
                "aws_default_security_group",
                default_sg_before(),
                default_sg_after(),
                json!({}),
                default_sg_expr(),
            ),
            attach(DEFAULT_SG, WEB_ENI),
        ],
    );
    assert_pairs(&e, &to_web("tcp/22"), &[]);
}

// === aws_security_group_rule =================================================
// create, update, delete, replace: tests/terraform.rs (sg_rule_*).

#[test]
fn security_group_rule_replace_create_before_destroy() {
    let e = on(
        "three-tier",
        vec![replace_create_first(
            "aws_security_group_rule.web_https",
            "aws_security_group_rule",
            sg_rule_state(
                Some("sgrule-2071183539"),
                "ingress",
                WEB_SG,
                "tcp",
                (443, 443),
                Some(&["0.0.0.0/0"]),
                None,
            ),
            sg_rule_state(
                None,
                "ingress",
                WEB_SG,
                "tcp",
                (443, 443),
                Some(&["10.0.0.0/8"]),
                None,
            ),
            json!({"id": true, "security_group_rule_id": true, "source_security_group_id": true}),
            json!({
                "type": c(json!("ingress")), "security_group_id": c(json!(WEB_SG)),
                "protocol": c(json!("tcp")), "from_port": c(json!(443)), "to_port": c(json!(443)),
                "cidr_blocks": c(json!(["10.0.0.0/8"])),
            }),
        )],
    );
    // app and db are inside 10.0.0.0/8 (C1).
    assert_pairs(&e, &[], &[(INTERNET, WEB_ENI, "tcp/443")]);
}

// === aws_vpc_security_group_ingress_rule =====================================
// create, update, delete: tests/terraform.rs (vpc_sg_ingress_rule_*).

#[test]
fn vpc_security_group_ingress_rule_replace_narrows_http() {
    let e = on(
        "three-tier",
        vec![replace(
            "aws_vpc_security_group_ingress_rule.web_http",
            "aws_vpc_security_group_ingress_rule",
            vpc_rule_state(
                Some("sgr-0a1b2c3d4e5f60718"),
                WEB_SG,
                "tcp",
                Some((80, 80)),
                Some("0.0.0.0/0"),
                None,
            ),
            vpc_rule_state(
                None,
                WEB_SG,
                "tcp",
                Some((80, 80)),
                Some("10.0.0.0/8"),
                None,
            ),
            VPC_RULE_UNKNOWN(),
            json!({
                "security_group_id": c(json!(WEB_SG)), "ip_protocol": c(json!("tcp")),
                "from_port": c(json!(80)), "to_port": c(json!(80)), "cidr_ipv4": c(json!("10.0.0.0/8")),
            }),
        )],
    );
    assert_pairs(&e, &[], &[(INTERNET, WEB_ENI, "tcp/80")]);
}

// === aws_vpc_security_group_egress_rule ======================================
// delete: tests/terraform.rs vpc_sg_egress_rule_delete_....

fn web_all_out(id: Option<&str>) -> Json {
    vpc_rule_state(id, WEB_SG, "-1", None, Some("0.0.0.0/0"), None)
}

fn web_https_out(id: Option<&str>) -> Json {
    vpc_rule_state(id, WEB_SG, "tcp", Some((443, 443)), Some("0.0.0.0/0"), None)
}

fn web_https_out_expr() -> Json {
    json!({
        "security_group_id": c(json!(WEB_SG)), "ip_protocol": c(json!("tcp")),
        "from_port": c(json!(443)), "to_port": c(json!(443)), "cidr_ipv4": c(json!("0.0.0.0/0")),
    })
}

/// web-1 may only start tcp/443: it loses tcp/8080 to app-1 and everything
/// but tcp/443 to the internet (C1: egress rules are the whole allowance).
fn web_egress_narrowed() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (WEB_ENI, APP_ENI, "tcp/8080"),
        (
            WEB_ENI,
            INTERNET,
            "icmp all, tcp/0-442,444-65535, udp/all, icmpv6/all, other protocols 0,2-5,7-16,18-57,59-255",
        ),
    ]
}

#[test]
fn vpc_security_group_egress_rule_create_after_the_allow_all_goes() {
    let e = on(
        "three-tier",
        vec![
            delete(
                "aws_vpc_security_group_egress_rule.web_all",
                "aws_vpc_security_group_egress_rule",
                web_all_out(Some("sgr-0f0e0d0c0b0a09080")),
            ),
            create(
                "aws_vpc_security_group_egress_rule.web_https",
                "aws_vpc_security_group_egress_rule",
                web_https_out(None),
                VPC_RULE_UNKNOWN(),
                web_https_out_expr(),
            ),
        ],
    );
    assert_pairs(&e, &[], &web_egress_narrowed());
}

#[test]
fn vpc_security_group_egress_rule_update_narrows_it_in_place() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_vpc_security_group_egress_rule.web_all",
            "aws_vpc_security_group_egress_rule",
            web_all_out(Some("sgr-0f0e0d0c0b0a09080")),
            web_https_out(Some("sgr-0f0e0d0c0b0a09080")),
            web_https_out_expr(),
        )],
    );
    assert_pairs(&e, &[], &web_egress_narrowed());
}

#[test]
fn vpc_security_group_egress_rule_replace() {
    let e = on(
        "three-tier",
        vec![replace(
            "aws_vpc_security_group_egress_rule.web_all",
            "aws_vpc_security_group_egress_rule",
            web_all_out(Some("sgr-0f0e0d0c0b0a09080")),
            web_https_out(None),
            VPC_RULE_UNKNOWN(),
            web_https_out_expr(),
        )],
    );
    assert_pairs(&e, &[], &web_egress_narrowed());
}

// === aws_network_acl =========================================================
// update: tests/terraform.rs nacl_update_inline_...; delete: nacl_delete_....

/// app's subnet gets a NACL that admits only the VPC's own range: replies
/// from the internet (through the NAT gateway) are denied (C2.4).
#[test]
fn network_acl_create_takes_the_app_subnet_off_the_internet_c2_4() {
    let vpc_only = |egress: bool| {
        let _ = egress;
        json!([acl_inline(100, "allow", "-1", "10.0.0.0/16", (0, 0))])
    };
    let mut after = acl_state(None, vpc_only(false), vpc_only(true), &[APP_SUBNET]);
    after.as_object_mut().unwrap().remove("tags_all");
    let e = on(
        "three-tier",
        vec![create(
            "aws_network_acl.app",
            "aws_network_acl",
            after,
            json!({"arn": true, "id": true, "owner_id": true, "tags_all": true}),
            json!({
                "vpc_id": c(json!(VPC)), "subnet_ids": c(json!([APP_SUBNET])),
                "ingress": [acl_inline_expr(100, "allow", "-1", "10.0.0.0/16", (0, 0))],
                "egress": [acl_inline_expr(100, "allow", "-1", "10.0.0.0/16", (0, 0))],
            }),
        )],
    );
    assert_pairs(&e, &[], &[(APP_ENI, INTERNET, THROUGH_NAT)]);
}

#[test]
fn network_acl_replace_without_the_mysql_deny_opens_app_to_db_c2_3() {
    let e = on(
        "three-tier",
        vec![replace(
            "aws_network_acl.db",
            "aws_network_acl",
            db_acl_state(),
            acl_state(
                None,
                json!([allow_all(100)]),
                json!([allow_all(100)]),
                &[DB_SUBNET],
            ),
            json!({"arn": true, "id": true, "owner_id": true, "tags_all": true}),
            json!({
                "vpc_id": c(json!(VPC)), "subnet_ids": c(json!([DB_SUBNET])),
                "ingress": [acl_inline_expr(100, "allow", "-1", "0.0.0.0/0", (0, 0))],
                "egress": [acl_inline_expr(100, "allow", "-1", "0.0.0.0/0", (0, 0))],
            }),
        )],
    );
    assert_pairs(&e, &[(APP_ENI, DB_ENI, "tcp/3306")], &[]);
}

// === aws_default_network_acl =================================================
// Adopting the default NACL makes its entries exactly the configured ones
// (EC2's rule * deny stays); deleting it only forgets it.

fn default_acl_deny_https() -> Json {
    default_acl_state(
        json!([
            acl_inline(50, "deny", "6", "0.0.0.0/0", (443, 443)),
            allow_all(100)
        ]),
        json!([allow_all(100)]),
    )
}

fn default_acl_expr() -> Json {
    json!({
        "default_network_acl_id": c(json!(DEFAULT_NACL)),
        "ingress": [
            acl_inline_expr(50, "deny", "6", "0.0.0.0/0", (443, 443)),
            acl_inline_expr(100, "allow", "-1", "0.0.0.0/0", (0, 0))
        ],
        "egress": [acl_inline_expr(100, "allow", "-1", "0.0.0.0/0", (0, 0))],
    })
}

/// Inbound rule 50 denies tcp to port 443 into the web and app subnets
/// whatever the source (C2.3). Requests to port 443 are denied: to web-1
/// from everywhere, and from db-1 to the internet, which enters the NAT
/// gateway's (web) subnet. So are replies to connections whose source port
/// is 443 (C2.4, stateless): web-1's and app-1's to anything, since the
/// replies come back into their subnets; db-1's replies arrive in the db
/// subnet, and through the NAT gateway on a remapped port (C5.2).
fn https_denied_into_web_and_app_subnets() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (INTERNET, WEB_ENI, "tcp/443"),
        (DB_ENI, WEB_ENI, "tcp/443"),
        (DB_ENI, INTERNET, "tcp/443"),
        (APP_ENI, WEB_ENI, "tcp/80,443"),
        (APP_ENI, INTERNET, "tcp/all"),
        (WEB_ENI, APP_ENI, "tcp/8080"),
        (WEB_ENI, INTERNET, "tcp/all"),
    ]
}

#[test]
fn default_network_acl_create_adopts_it_c2_3() {
    let mut after = default_acl_deny_https();
    for k in ["arn", "id", "owner_id", "tags_all", "vpc_id"] {
        after.as_object_mut().unwrap().remove(k);
    }
    let e = on(
        "three-tier",
        vec![create(
            "aws_default_network_acl.default",
            "aws_default_network_acl",
            after,
            json!({"arn": true, "id": true, "owner_id": true, "tags_all": true, "vpc_id": true}),
            default_acl_expr(),
        )],
    );
    assert_pairs(&e, &[], &https_denied_into_web_and_app_subnets());
}

#[test]
fn default_network_acl_update_c2_3() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_default_network_acl.default",
            "aws_default_network_acl",
            default_acl_state(json!([allow_all(100)]), json!([allow_all(100)])),
            default_acl_deny_https(),
            default_acl_expr(),
        )],
    );
    assert_pairs(&e, &[], &https_denied_into_web_and_app_subnets());
}

#[test]
fn default_network_acl_delete_leaves_it_as_it_is() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_default_network_acl.default",
            "aws_default_network_acl",
            default_acl_deny_https(),
        )],
    );
    assert_no_change(&e);
}

#[test]
fn default_network_acl_replace_c2_3() {
    let e = on(
        "three-tier",
        vec![replace(
            "aws_default_network_acl.default",
            "aws_default_network_acl",
            default_acl_state(json!([allow_all(100)]), json!([allow_all(100)])),
            default_acl_deny_https(),
            json!({}),
            default_acl_expr(),
        )],
    );
    assert_pairs(&e, &[], &https_denied_into_web_and_app_subnets());
}

// === aws_network_acl_rule ====================================================
// create, delete, replace: tests/terraform.rs (nacl_rule_*). No update: every
// argument of aws_network_acl_rule forces a replacement.

#[test]
fn network_acl_rule_egress_replace_create_before_destroy_c2_4() {
    // db's outbound allow-all narrowed to tcp/1024-65535, the ports replies
    // go to: db-1 can no longer start connections to ports below 1024 nor
    // send UDP or ICMP (C2.3), to the internet or to web-1; replies to what
    // reaches db-1 still leave (C2.4: NACLs are stateless).
    let e = on(
        "three-tier",
        vec![replace_create_first(
            "aws_network_acl_rule.db_out",
            "aws_network_acl_rule",
            {
                let mut v = acl_rule_state(
                    Some("nacl-2849167532"),
                    DB_NACL,
                    100,
                    true,
                    "allow",
                    "0.0.0.0/0",
                    (0, 0),
                );
                v["protocol"] = "-1".into();
                v
            },
            acl_rule_state(
                None,
                DB_NACL,
                100,
                true,
                "allow",
                "0.0.0.0/0",
                (1024, 65535),
            ),
            json!({"id": true}),
            json!({
                "network_acl_id": c(json!(DB_NACL)), "rule_number": c(json!(100)), "egress": c(json!(true)),
                "protocol": c(json!("tcp")), "rule_action": c(json!("allow")), "cidr_block": c(json!("0.0.0.0/0")),
                "from_port": c(json!(1024)), "to_port": c(json!(65535)),
            }),
        )],
    );
    assert_pairs(
        &e,
        &[],
        &[
            (DB_ENI, WEB_ENI, "tcp/80,443"),
            (DB_ENI, INTERNET, "icmp all, tcp/0-1023, udp/all"),
        ],
    );
}

// === aws_network_acl_association ============================================
// The db subnet moved to the default NACL: app → db tcp/3306 opens (C2.1).

fn db_subnet_to_default_acl() -> Json {
    json!({ "network_acl_id": c(json!(DEFAULT_NACL)), "subnet_id": c(json!(DB_SUBNET)) })
}

#[test]
fn network_acl_association_create_c2_1() {
    let e = on(
        "three-tier",
        vec![create(
            "aws_network_acl_association.db",
            "aws_network_acl_association",
            acl_assoc_state(None, DEFAULT_NACL, DB_SUBNET),
            json!({"id": true}),
            db_subnet_to_default_acl(),
        )],
    );
    assert_pairs(&e, &[(APP_ENI, DB_ENI, "tcp/3306")], &[]);
}

#[test]
fn network_acl_association_update_c2_1() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_network_acl_association.db",
            "aws_network_acl_association",
            acl_assoc_state(Some("aclassoc-0fc8e9a0a20ba1163"), DB_NACL, DB_SUBNET),
            acl_assoc_state(Some("aclassoc-0fc8e9a0a20ba1163"), DEFAULT_NACL, DB_SUBNET),
            db_subnet_to_default_acl(),
        )],
    );
    assert_pairs(&e, &[(APP_ENI, DB_ENI, "tcp/3306")], &[]);
}

#[test]
fn network_acl_association_delete_falls_back_to_the_default_acl_c2_1() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_network_acl_association.db",
            "aws_network_acl_association",
            acl_assoc_state(Some("aclassoc-0fc8e9a0a20ba1163"), DB_NACL, DB_SUBNET),
        )],
    );
    assert_pairs(&e, &[(APP_ENI, DB_ENI, "tcp/3306")], &[]);
}

#[test]
fn network_acl_association_replace_c2_1() {
    let e = on(
        "three-tier",
        vec![replace(
            "aws_network_acl_association.db",
            "aws_network_acl_association",
            acl_assoc_state(Some("aclassoc-0fc8e9a0a20ba1163"), DB_NACL, DB_SUBNET),
            acl_assoc_state(None, DEFAULT_NACL, DB_SUBNET),
            json!({"id": true}),
            db_subnet_to_default_acl(),
        )],
    );
    assert_pairs(&e, &[(APP_ENI, DB_ENI, "tcp/3306")], &[]);
}

// === aws_route_table =========================================================

/// What three-tier loses when the web subnet's table no longer routes to
/// the internet gateway (C3): web-1's connections both ways, and app-1's
/// and db-1's too, since their NAT gateway sits in the web subnet and needs
/// that route (C5.1).
fn web_table_off_the_internet() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut lost = vec![
        (INTERNET, WEB_ENI, "tcp/80,443"),
        (WEB_ENI, INTERNET, "all traffic"),
    ];
    lost.extend(private_tiers_off_the_internet());
    lost
}

/// app-1 and db-1 without their route to the NAT gateway, or with one to
/// the internet gateway instead: neither has a public address (C4.2).
fn private_tiers_off_the_internet() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (APP_ENI, INTERNET, THROUGH_NAT),
        (DB_ENI, INTERNET, THROUGH_NAT),
    ]
}

#[test]
fn route_table_create_with_an_igw_route_for_the_app_subnet_c4_2() {
    let mut after = route_table_state(None, json!([route_block("0.0.0.0/0", "gateway_id", IGW)]));
    after.as_object_mut().unwrap().remove("propagating_vgws");
    let e = on(
        "three-tier",
        vec![
            create(
                "aws_route_table.app_public",
                "aws_route_table",
                after,
                json!({"arn": true, "id": true, "owner_id": true, "propagating_vgws": true, "tags_all": true}),
                json!({
                    "vpc_id": c(json!(VPC)),
                    "route": [{ "cidr_block": c(json!("0.0.0.0/0")), "gateway_id": c(json!(IGW)) }],
                }),
            ),
            update_unknown(
                "aws_route_table_association.app",
                "aws_route_table_association",
                rt_assoc_state(Some("rtbassoc-0e947cb65ea86ad11"), PRIVATE_RTB, APP_SUBNET),
                {
                    let mut v =
                        rt_assoc_state(Some("rtbassoc-0e947cb65ea86ad11"), PRIVATE_RTB, APP_SUBNET);
                    v.as_object_mut().unwrap().remove("route_table_id");
                    v
                },
                json!({"route_table_id": true}),
                json!({ "route_table_id": r("aws_route_table.app_public.id"), "subnet_id": c(json!(APP_SUBNET)) }),
            ),
        ],
    );
    assert_pairs(&e, &[], &private_tiers_off_the_internet()[..1]);
}

#[test]
fn route_table_update_drops_the_default_route_c3() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_route_table.web",
            "aws_route_table",
            route_table_state(
                Some(WEB_RTB),
                json!([route_block("0.0.0.0/0", "gateway_id", IGW)]),
            ),
            route_table_state(Some(WEB_RTB), json!([])),
            json!({ "vpc_id": c(json!(VPC)), "route": c(json!([])) }),
        )],
    );
    assert_pairs(&e, &[], &web_table_off_the_internet());
}

/// EC2 refuses to delete a route table with associations: the plan deletes
/// them too, and app and db fall back to the local-only main table (C3.1).
#[test]
fn route_table_delete_with_its_associations_c3_1() {
    let e = on(
        "three-tier",
        vec![
            delete(
                "aws_route_table.private",
                "aws_route_table",
                route_table_state(
                    Some(PRIVATE_RTB),
                    json!([route_block("0.0.0.0/0", "nat_gateway_id", NAT)]),
                ),
            ),
            delete(
                "aws_route_table_association.app",
                "aws_route_table_association",
                rt_assoc_state(Some("rtbassoc-0e947cb65ea86ad11"), PRIVATE_RTB, APP_SUBNET),
            ),
            db_assoc_delete(),
        ],
    );
    assert_pairs(&e, &[], &private_tiers_off_the_internet());
}

#[test]
fn route_table_replace_reassociates_through_the_configuration_c3() {
    let mut after = route_table_state(None, json!([]));
    after.as_object_mut().unwrap().remove("propagating_vgws");
    let e = on(
        "three-tier",
        vec![
            replace(
                "aws_route_table.web",
                "aws_route_table",
                route_table_state(
                    Some(WEB_RTB),
                    json!([route_block("0.0.0.0/0", "gateway_id", IGW)]),
                ),
                after,
                json!({"arn": true, "id": true, "owner_id": true, "propagating_vgws": true, "tags_all": true}),
                json!({ "vpc_id": c(json!(VPC)), "route": c(json!([])) }),
            ),
            update_unknown(
                "aws_route_table_association.web",
                "aws_route_table_association",
                rt_assoc_state(Some(WEB_ASSOC), WEB_RTB, WEB_SUBNET),
                {
                    let mut v = rt_assoc_state(Some(WEB_ASSOC), WEB_RTB, WEB_SUBNET);
                    v.as_object_mut().unwrap().remove("route_table_id");
                    v
                },
                json!({"route_table_id": true}),
                json!({ "route_table_id": r("aws_route_table.web.id"), "subnet_id": c(json!(WEB_SUBNET)) }),
            ),
        ],
    );
    assert_pairs(&e, &[], &web_table_off_the_internet());
}

// === aws_default_route_table =================================================
// No subnet of three-tier uses the main table, so each plan also removes db's
// explicit association: db keeps the internet only if the adopted main table
// routes 0.0.0.0/0 to the NAT gateway (C3.1).

fn main_with_nat() -> Json {
    default_route_table_state(json!([route_block("0.0.0.0/0", "nat_gateway_id", NAT)]))
}

fn main_with_nat_expr() -> Json {
    json!({
        "default_route_table_id": c(json!(MAIN_RTB)),
        "route": [{ "cidr_block": c(json!("0.0.0.0/0")), "nat_gateway_id": c(json!(NAT)) }],
    })
}

#[test]
fn without_a_default_route_table_db_falls_back_to_a_local_only_main_table_c3_1() {
    let e = on("three-tier", vec![db_assoc_delete()]);
    assert_pairs(&e, &[], &private_tiers_off_the_internet()[1..]);
}

#[test]
fn default_route_table_create_adopts_the_main_table_c3_1() {
    let mut after = main_with_nat();
    for k in [
        "arn",
        "id",
        "owner_id",
        "tags_all",
        "vpc_id",
        "propagating_vgws",
    ] {
        after.as_object_mut().unwrap().remove(k);
    }
    let e = on(
        "three-tier",
        vec![
            create(
                "aws_default_route_table.main",
                "aws_default_route_table",
                after,
                json!({"arn": true, "id": true, "owner_id": true, "propagating_vgws": true, "tags_all": true, "vpc_id": true}),
                main_with_nat_expr(),
            ),
            db_assoc_delete(),
        ],
    );
    assert_pairs(&e, &[], &[]);
}

#[test]
fn default_route_table_update_c3_1() {
    let e = on(
        "three-tier",
        vec![
            update(
                "aws_default_route_table.main",
                "aws_default_route_table",
                default_route_table_state(json!([])),
                main_with_nat(),
                main_with_nat_expr(),
            ),
            db_assoc_delete(),
        ],
    );
    assert_pairs(&e, &[], &[]);
}

#[test]
fn default_route_table_delete_leaves_the_main_table_as_it_is() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_default_route_table.main",
            "aws_default_route_table",
            main_with_nat(),
        )],
    );
    assert_no_change(&e);
}

#[test]
fn default_route_table_replace_c3_1() {
    let e = on(
        "three-tier",
        vec![
            replace(
                "aws_default_route_table.main",
                "aws_default_route_table",
                default_route_table_state(json!([])),
                main_with_nat(),
                json!({}),
                main_with_nat_expr(),
            ),
            db_assoc_delete(),
        ],
    );
    assert_pairs(&e, &[], &[]);
}

// === aws_route ===============================================================
// delete: tests/terraform.rs route_delete_....

fn route_expr(table: &str, cidr: &str, field: &str, target: &str) -> Json {
    let mut e =
        json!({ "route_table_id": c(json!(table)), "destination_cidr_block": c(json!(cidr)) });
    e[field] = c(json!(target));
    e
}

const ROUTE_UNKNOWN: fn() -> Json = || json!({"id": true, "instance_id": true, "instance_owner_id": true, "network_interface_id": true, "origin": true, "state": true});

#[test]
fn route_create_more_specific_to_the_igw_beats_the_nat_route_c3_2() {
    let e = on(
        "three-tier",
        vec![create(
            "aws_route.docs",
            "aws_route",
            route_state(PRIVATE_RTB, "203.0.113.0/24", "gateway_id", IGW),
            ROUTE_UNKNOWN(),
            route_expr(PRIVATE_RTB, "203.0.113.0/24", "gateway_id", IGW),
        )],
    );
    assert_pairs(
        &e,
        &[],
        &[
            (APP_ENI, INTERNET, THROUGH_NAT),
            (DB_ENI, INTERNET, THROUGH_NAT),
        ],
    );
}

#[test]
fn route_update_of_the_target_sends_private_tiers_to_the_igw_c4_2() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_route.private_default",
            "aws_route",
            existing_route(PRIVATE_RTB, "0.0.0.0/0", "nat_gateway_id", NAT),
            existing_route(PRIVATE_RTB, "0.0.0.0/0", "gateway_id", IGW),
            route_expr(PRIVATE_RTB, "0.0.0.0/0", "gateway_id", IGW),
        )],
    );
    assert_pairs(&e, &[], &private_tiers_off_the_internet());
}

#[test]
fn route_replace_with_a_narrower_destination_c3_2() {
    let e = on(
        "three-tier",
        vec![replace(
            "aws_route.private_default",
            "aws_route",
            existing_route(PRIVATE_RTB, "0.0.0.0/0", "nat_gateway_id", NAT),
            route_state(PRIVATE_RTB, "0.0.0.0/1", "nat_gateway_id", NAT),
            ROUTE_UNKNOWN(),
            route_expr(PRIVATE_RTB, "0.0.0.0/1", "nat_gateway_id", NAT),
        )],
    );
    assert_pairs(
        &e,
        &[],
        &[
            (APP_ENI, INTERNET, THROUGH_NAT),
            (DB_ENI, INTERNET, THROUGH_NAT),
        ],
    );
}

// === aws_route_table_association =============================================
// replace: tests/terraform.rs route_table_association_replace_....

#[test]
fn route_table_association_create_puts_db_behind_the_igw_c4_2() {
    let e = on(
        "three-tier",
        vec![
            db_assoc_delete(),
            create(
                "aws_route_table_association.db_public",
                "aws_route_table_association",
                {
                    let mut v = rt_assoc_state(None, WEB_RTB, DB_SUBNET);
                    v["gateway_id"] = Json::Null;
                    v
                },
                json!({"id": true}),
                json!({ "route_table_id": c(json!(WEB_RTB)), "subnet_id": c(json!(DB_SUBNET)) }),
            ),
        ],
    );
    assert_pairs(&e, &[], &private_tiers_off_the_internet()[1..]);
}

#[test]
fn route_table_association_update_moves_web_to_the_main_table_c3_1() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_route_table_association.web",
            "aws_route_table_association",
            rt_assoc_state(Some(WEB_ASSOC), WEB_RTB, WEB_SUBNET),
            rt_assoc_state(Some(WEB_ASSOC), MAIN_RTB, WEB_SUBNET),
            json!({ "route_table_id": c(json!(MAIN_RTB)), "subnet_id": c(json!(WEB_SUBNET)) }),
        )],
    );
    assert_pairs(&e, &[], &web_table_off_the_internet());
}

#[test]
fn route_table_association_delete_falls_back_to_the_main_table_c3_1() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_route_table_association.web",
            "aws_route_table_association",
            rt_assoc_state(Some(WEB_ASSOC), WEB_RTB, WEB_SUBNET),
        )],
    );
    assert_pairs(&e, &[], &web_table_off_the_internet());
}

// === aws_main_route_table_association ========================================
// As for the default route table: db's explicit association goes, so db
// keeps the internet only while the main table routes it to the NAT gateway.

#[test]
fn main_route_table_association_create_makes_the_private_table_main_c3_1() {
    let e = on(
        "three-tier",
        vec![
            create(
                "aws_main_route_table_association.main",
                "aws_main_route_table_association",
                main_assoc_state(None, PRIVATE_RTB),
                json!({"id": true, "original_route_table_id": true}),
                json!({ "vpc_id": c(json!(VPC)), "route_table_id": c(json!(PRIVATE_RTB)) }),
            ),
            db_assoc_delete(),
        ],
    );
    assert_pairs(&e, &[], &[]);
}

#[test]
fn main_route_table_association_update_c3_1() {
    let e = on(
        "three-tier",
        vec![
            update(
                "aws_main_route_table_association.main",
                "aws_main_route_table_association",
                main_assoc_state(Some("rtbassoc-07bc2751068e4568c"), MAIN_RTB),
                main_assoc_state(Some("rtbassoc-07bc2751068e4568c"), PRIVATE_RTB),
                json!({ "vpc_id": c(json!(VPC)), "route_table_id": c(json!(PRIVATE_RTB)) }),
            ),
            db_assoc_delete(),
        ],
    );
    assert_pairs(&e, &[], &[]);
}

#[test]
fn main_route_table_association_delete_gives_the_main_role_back_c3_1() {
    let e = on(
        "three-tier",
        vec![create(
            "aws_main_route_table_association.main",
            "aws_main_route_table_association",
            main_assoc_state(None, PRIVATE_RTB),
            json!({"id": true, "original_route_table_id": true}),
            json!({ "vpc_id": c(json!(VPC)), "route_table_id": c(json!(PRIVATE_RTB)) }),
        )],
    );
    assert_pairs(&e, &[], &[]);
    // The association deleted: the original main table (local only) is main
    // again, and db, without its explicit association, is cut off.
    let base = e.translation.network.clone();
    let p = plan(vec![
        delete(
            "aws_main_route_table_association.main",
            "aws_main_route_table_association",
            main_assoc_state(Some("rtbassoc-07bc2751068e4568c"), PRIVATE_RTB),
        ),
        db_assoc_delete(),
    ]);
    let e = evaluate(Some(&base), &[p]);
    assert_pairs(&e, &[], &private_tiers_off_the_internet()[1..]);
}

#[test]
fn main_route_table_association_replace_c3_1() {
    let e = on(
        "three-tier",
        vec![
            replace(
                "aws_main_route_table_association.main",
                "aws_main_route_table_association",
                main_assoc_state(Some("rtbassoc-07bc2751068e4568c"), MAIN_RTB),
                main_assoc_state(None, PRIVATE_RTB),
                json!({"id": true, "original_route_table_id": true}),
                json!({ "vpc_id": c(json!(VPC)), "route_table_id": c(json!(PRIVATE_RTB)) }),
            ),
            db_assoc_delete(),
        ],
    );
    assert_pairs(&e, &[], &[]);
}

// === aws_internet_gateway ====================================================
// create: tests/terraform.rs greenfield_references_resolve_... (a new VPC's
// gateway, named by its address in the route that uses it).

/// Without the internet gateway nothing of three-tier reaches the internet
/// or is reached from it (C4.1): web directly, app and db through the NAT
/// gateway (C5.1).
fn everything_off_the_internet() -> Vec<(&'static str, &'static str, &'static str)> {
    web_table_off_the_internet()
}

#[test]
fn internet_gateway_update_detaches_it_from_the_vpc_c4() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_internet_gateway.gw",
            "aws_internet_gateway",
            igw_state(Some(IGW), Some(VPC)),
            igw_state(Some(IGW), None),
            json!({}),
        )],
    );
    assert_pairs(&e, &[], &everything_off_the_internet());
}

#[test]
fn internet_gateway_delete_c4() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_internet_gateway.gw",
            "aws_internet_gateway",
            igw_state(Some(IGW), Some(VPC)),
        )],
    );
    assert_pairs(&e, &[], &everything_off_the_internet());
}

/// A new gateway, and the route that names it updated through the
/// configuration's reference: nothing changes.
#[test]
fn internet_gateway_replace_with_the_route_following_it() {
    let mut after = igw_state(None, Some(VPC));
    after.as_object_mut().unwrap().remove("tags_all");
    let e = on(
        "three-tier",
        vec![
            replace(
                "aws_internet_gateway.gw",
                "aws_internet_gateway",
                igw_state(Some(IGW), Some(VPC)),
                after,
                json!({"arn": true, "id": true, "owner_id": true, "tags_all": true}),
                json!({ "vpc_id": c(json!(VPC)) }),
            ),
            update_unknown(
                "aws_route.web_default",
                "aws_route",
                existing_route(WEB_RTB, "0.0.0.0/0", "gateway_id", IGW),
                {
                    let mut v = existing_route(WEB_RTB, "0.0.0.0/0", "gateway_id", "");
                    v.as_object_mut().unwrap().remove("gateway_id");
                    v
                },
                json!({"gateway_id": true}),
                json!({
                    "route_table_id": c(json!(WEB_RTB)), "destination_cidr_block": c(json!("0.0.0.0/0")),
                    "gateway_id": r("aws_internet_gateway.gw.id"),
                }),
            ),
        ],
    );
    assert_no_change(&e);
}

// === aws_internet_gateway_attachment =========================================
// No update: both arguments force a replacement.

fn igw_attachment_expr() -> Json {
    json!({ "internet_gateway_id": c(json!(IGW)), "vpc_id": c(json!(VPC)) })
}

#[test]
fn internet_gateway_attachment_create_keeps_the_gateway_attached() {
    // The gateway resource gives up its vpc_id to the attachment resource.
    let e = on(
        "three-tier",
        vec![
            update(
                "aws_internet_gateway.gw",
                "aws_internet_gateway",
                igw_state(Some(IGW), Some(VPC)),
                igw_state(Some(IGW), None),
                json!({}),
            ),
            create(
                "aws_internet_gateway_attachment.gw",
                "aws_internet_gateway_attachment",
                igw_attachment_state(None, IGW),
                json!({"id": true}),
                igw_attachment_expr(),
            ),
        ],
    );
    assert_pairs(&e, &[], &[]);
}

#[test]
fn internet_gateway_attachment_delete_detaches_c4() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_internet_gateway_attachment.gw",
            "aws_internet_gateway_attachment",
            igw_attachment_state(Some(&format!("{IGW}:{VPC}")), IGW),
        )],
    );
    assert_pairs(&e, &[], &everything_off_the_internet());
}

#[test]
fn internet_gateway_attachment_replace() {
    let e = on(
        "three-tier",
        vec![replace(
            "aws_internet_gateway_attachment.gw",
            "aws_internet_gateway_attachment",
            igw_attachment_state(Some(&format!("{IGW}:{VPC}")), IGW),
            igw_attachment_state(None, IGW),
            json!({"id": true}),
            igw_attachment_expr(),
        )],
    );
    assert_no_change(&e);
}

// === aws_egress_only_internet_gateway (fixtures/dual-stack) ==================
// No update but tags: vpc_id forces a replacement.

const DS_VPC: &str = "vpc-0b4a1cdc261681608";
const DS_EIGW: &str = "eigw-0ccd28b38927a8b0e";
const DS_PRIVATE_RTB: &str = "rtb-0f173128e054890ba";
const DS_APP_ENI: &str = "eni-0d005bd97ac7e0f2e";

fn eigw_state(id: Option<&str>) -> Json {
    let mut v = json!({ "tags": {}, "vpc_id": DS_VPC });
    if let Some(id) = id {
        v["id"] = id.into();
        v["tags_all"] = json!({});
    }
    v
}

#[test]
fn egress_only_internet_gateway_delete_cuts_app_ipv6_egress_c4_6() {
    let e = on(
        "dual-stack",
        vec![delete(
            "aws_egress_only_internet_gateway.eigw",
            "aws_egress_only_internet_gateway",
            eigw_state(Some(DS_EIGW)),
        )],
    );
    // IPv6 leaves through the egress-only gateway or not at all (C4.6).
    assert_pairs(
        &e,
        &[],
        &[(
            DS_APP_ENI,
            INTERNET,
            "icmp all, tcp/all, udp/all, other protocols 0,2-5,7-16,18-57,59-255",
        )],
    );
}

#[test]
fn egress_only_internet_gateway_update_of_tags_changes_nothing() {
    let mut after = eigw_state(Some(DS_EIGW));
    after["tags"] = json!({"Name": "eigw"});
    after["tags_all"] = json!({"Name": "eigw"});
    let e = on(
        "dual-stack",
        vec![update(
            "aws_egress_only_internet_gateway.eigw",
            "aws_egress_only_internet_gateway",
            eigw_state(Some(DS_EIGW)),
            after,
            json!({ "vpc_id": c(json!(DS_VPC)), "tags": c(json!({"Name": "eigw"})) }),
        )],
    );
    assert_no_change(&e);
}

fn eigw_route_follows() -> Change {
    let mut before = existing_route(DS_PRIVATE_RTB, "", "egress_only_gateway_id", DS_EIGW);
    before["destination_cidr_block"] = "".into();
    before["destination_ipv6_cidr_block"] = "::/0".into();
    let mut after = before.clone();
    after
        .as_object_mut()
        .unwrap()
        .remove("egress_only_gateway_id");
    update_unknown(
        "aws_route.private_ipv6_default",
        "aws_route",
        before,
        after,
        json!({"egress_only_gateway_id": true}),
        json!({
            "route_table_id": c(json!(DS_PRIVATE_RTB)), "destination_ipv6_cidr_block": c(json!("::/0")),
            "egress_only_gateway_id": r("aws_egress_only_internet_gateway.eigw.id"),
        }),
    )
}

#[test]
fn egress_only_internet_gateway_create_with_the_route_naming_it() {
    let e = on(
        "dual-stack",
        vec![
            delete(
                "aws_egress_only_internet_gateway.old",
                "aws_egress_only_internet_gateway",
                eigw_state(Some(DS_EIGW)),
            ),
            create(
                "aws_egress_only_internet_gateway.eigw",
                "aws_egress_only_internet_gateway",
                eigw_state(None),
                json!({"id": true, "tags_all": true}),
                json!({ "vpc_id": c(json!(DS_VPC)) }),
            ),
            eigw_route_follows(),
        ],
    );
    assert_pairs(&e, &[], &[]);
}

#[test]
fn egress_only_internet_gateway_replace_with_the_route_following_it() {
    let e = on(
        "dual-stack",
        vec![
            replace(
                "aws_egress_only_internet_gateway.eigw",
                "aws_egress_only_internet_gateway",
                eigw_state(Some(DS_EIGW)),
                eigw_state(None),
                json!({"id": true, "tags_all": true}),
                json!({ "vpc_id": c(json!(DS_VPC)) }),
            ),
            eigw_route_follows(),
        ],
    );
    assert_no_change(&e);
}

// === aws_nat_gateway =========================================================

fn private_default_route_follows(reference: &str) -> Change {
    let mut after = existing_route(PRIVATE_RTB, "0.0.0.0/0", "nat_gateway_id", "");
    after.as_object_mut().unwrap().remove("nat_gateway_id");
    update_unknown(
        "aws_route.private_default",
        "aws_route",
        existing_route(PRIVATE_RTB, "0.0.0.0/0", "nat_gateway_id", NAT),
        after,
        json!({"nat_gateway_id": true}),
        json!({
            "route_table_id": c(json!(PRIVATE_RTB)), "destination_cidr_block": c(json!("0.0.0.0/0")),
            "nat_gateway_id": r(reference),
        }),
    )
}

fn new_eip(address: &str) -> Change {
    create(
        address,
        "aws_eip",
        eip_state(None, None, None),
        EIP_UNKNOWN(),
        json!({ "domain": c(json!("vpc")) }),
    )
}

/// A second NAT gateway with a new elastic IP takes over the private
/// route: app and db keep the internet (C5), through a stand-in public
/// address the plan does not know yet.
#[test]
fn nat_gateway_create_takes_over_the_private_route_c5() {
    let e = on(
        "three-tier",
        vec![
            new_eip("aws_eip.nat2"),
            create(
                "aws_nat_gateway.nat2",
                "aws_nat_gateway",
                nat_state(None, None),
                dict_with(NAT_UNKNOWN(), "allocation_id", true),
                json!({ "subnet_id": c(json!(WEB_SUBNET)), "allocation_id": r("aws_eip.nat2.id") }),
            ),
            private_default_route_follows("aws_nat_gateway.nat2.id"),
        ],
    );
    assert_no_change(&e);
    assert!(
        e.translation.notes.iter().any(|n| n.contains("stands in")),
        "{:?}",
        e.translation.notes
    );
}

fn dict_with(mut v: Json, key: &str, value: bool) -> Json {
    v[key] = value.into();
    v
}

#[test]
fn nat_gateway_update_of_tags_changes_nothing() {
    let mut after = nat_state(Some(NAT), Some(NAT_EIP));
    after["tags"] = json!({"Name": "nat-a"});
    let e = on(
        "three-tier",
        vec![update(
            "aws_nat_gateway.nat",
            "aws_nat_gateway",
            nat_state(Some(NAT), Some(NAT_EIP)),
            after,
            json!({ "subnet_id": c(json!(WEB_SUBNET)), "allocation_id": c(json!(NAT_EIP)), "tags": c(json!({"Name": "nat-a"})) }),
        )],
    );
    assert_no_change(&e);
}

#[test]
fn nat_gateway_delete_cuts_the_private_tiers_off_c5() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_nat_gateway.nat",
            "aws_nat_gateway",
            nat_state(Some(NAT), Some(NAT_EIP)),
        )],
    );
    assert_pairs(&e, &[], &private_tiers_off_the_internet());
}

#[test]
fn nat_gateway_replace_with_the_route_following_it_c5() {
    let e = on(
        "three-tier",
        vec![
            replace(
                "aws_nat_gateway.nat",
                "aws_nat_gateway",
                nat_state(Some(NAT), Some(NAT_EIP)),
                nat_state(None, Some(NAT_EIP)),
                NAT_UNKNOWN(),
                json!({ "subnet_id": c(json!(WEB_SUBNET)), "allocation_id": c(json!(NAT_EIP)) }),
            ),
            private_default_route_follows("aws_nat_gateway.nat.id"),
        ],
    );
    assert_no_change(&e);
}

// === aws_eip / aws_eip_association ===========================================

fn web2(public: bool) -> Change {
    let mut after = instance_state(None, None, WEB_SUBNET, &[WEB_SG], public);
    after["tags"] = json!({"Name": "web-2"});
    create(
        "aws_instance.web2",
        "aws_instance",
        after,
        INSTANCE_UNKNOWN(),
        instance_expr(WEB_SUBNET, &[WEB_SG], public),
    )
}

const WEB2: &str = "aws_instance.web2";

/// What an elastic IP on web-2 adds to web-2 without a public address:
/// the internet reaches it through the gateway's 1:1 NAT (C4.3), and it
/// reaches the internet.
fn public_web2(with_eip: &Evaluation, without: &Evaluation) -> Pairs {
    let all = named(&with_eip.diff.gained, with_eip);
    let base = named(&without.diff.gained, without);
    assert!(base.is_subset(&all), "{base:?} ⊄ {all:?}");
    all.difference(&base).cloned().collect()
}

fn web2_gains_the_internet() -> Pairs {
    pairs(&[
        (INTERNET, WEB2, "tcp/80,443"),
        (WEB2, INTERNET, "all traffic"),
    ])
}

#[test]
fn eip_create_on_a_new_instance_makes_it_public_c4_3() {
    let without = on("three-tier", vec![web2(false)]);
    let e = on(
        "three-tier",
        vec![
            web2(false),
            create(
                "aws_eip.web2",
                "aws_eip",
                {
                    let mut v = eip_state(None, None, None);
                    v.as_object_mut().unwrap().remove("instance");
                    v
                },
                dict_with(EIP_UNKNOWN(), "instance", true),
                json!({ "domain": c(json!("vpc")), "instance": r("aws_instance.web2.id") }),
            ),
        ],
    );
    assert!(e.unknown.is_empty(), "{:?}", e.unknown);
    assert_eq!(public_web2(&e, &without), web2_gains_the_internet());
}

#[test]
fn eip_update_of_tags_changes_nothing() {
    let before = eip_state(Some(NAT_EIP), Some("3.214.88.120"), Some(NAT_ENI));
    let mut after = before.clone();
    after["tags"] = json!({"Name": "nat-a"});
    let e = on(
        "three-tier",
        vec![update(
            "aws_eip.nat",
            "aws_eip",
            before,
            after,
            json!({ "domain": c(json!("vpc")), "tags": c(json!({"Name": "nat-a"})) }),
        )],
    );
    assert_no_change(&e);
}

/// EC2 refuses to release an address a NAT gateway holds: the plan that
/// deletes the address deletes the gateway too (C5).
#[test]
fn eip_delete_with_its_nat_gateway_c5() {
    let e = on(
        "three-tier",
        vec![
            delete(
                "aws_eip.nat",
                "aws_eip",
                eip_state(Some(NAT_EIP), Some("3.214.88.120"), Some(NAT_ENI)),
            ),
            delete(
                "aws_nat_gateway.nat",
                "aws_nat_gateway",
                nat_state(Some(NAT), Some(NAT_EIP)),
            ),
        ],
    );
    assert_pairs(&e, &[], &private_tiers_off_the_internet());
}

#[test]
fn eip_replace_with_its_nat_gateway_and_route_following_c5() {
    let e = on(
        "three-tier",
        vec![
            replace(
                "aws_eip.nat",
                "aws_eip",
                eip_state(Some(NAT_EIP), Some("3.214.88.120"), Some(NAT_ENI)),
                eip_state(None, None, None),
                EIP_UNKNOWN(),
                json!({ "domain": c(json!("vpc")) }),
            ),
            replace(
                "aws_nat_gateway.nat",
                "aws_nat_gateway",
                nat_state(Some(NAT), Some(NAT_EIP)),
                nat_state(None, None),
                dict_with(NAT_UNKNOWN(), "allocation_id", true),
                json!({ "subnet_id": c(json!(WEB_SUBNET)), "allocation_id": r("aws_eip.nat.id") }),
            ),
            private_default_route_follows("aws_nat_gateway.nat.id"),
        ],
    );
    assert_no_change(&e);
}

// aws_eip_association: no update (every argument forces a replacement).

fn eip_association(id: Option<&str>) -> Change {
    let mut after = json!({
        "allow_reassociation": null,
        "network_interface_id": null,
        "private_ip_address": null,
    });
    if let Some(id) = id {
        after["id"] = id.into();
    }
    create(
        "aws_eip_association.web2",
        "aws_eip_association",
        after,
        json!({"allocation_id": true, "id": true, "instance_id": true, "network_interface_id": true, "private_ip_address": true, "public_ip": true}),
        json!({ "allocation_id": r("aws_eip.web2.id"), "instance_id": r("aws_instance.web2.id") }),
    )
}

#[test]
fn eip_association_create_makes_a_new_instance_public_c4_3() {
    let without = on("three-tier", vec![web2(false), new_eip("aws_eip.web2")]);
    let e = on(
        "three-tier",
        vec![web2(false), new_eip("aws_eip.web2"), eip_association(None)],
    );
    assert!(e.unknown.is_empty(), "{:?}", e.unknown);
    assert_eq!(public_web2(&e, &without), web2_gains_the_internet());
}

/// The network after web-2, its address and their association, and the
/// ids they were given there.
fn with_public_web2() -> (Network, String, String, String) {
    let e = on(
        "three-tier",
        vec![web2(false), new_eip("aws_eip.web2"), eip_association(None)],
    );
    let id = |address: &str| {
        e.translation
            .addresses
            .iter()
            .find(|(id, a)| a.as_str() == address && !id.starts_with("eni-"))
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    let instance = id(WEB2);
    let eni = e.translation.network.instances[&instance].network_interface_ids[0].clone();
    (
        e.translation.network.clone(),
        instance,
        eni,
        id("aws_eip.web2"),
    )
}

fn association_state(instance: &str, eni: &str, allocation: &str) -> Json {
    json!({
        "allocation_id": allocation,
        "allow_reassociation": null,
        "id": "eipassoc-0d1e2f3a4b5c6d7e8",
        "instance_id": instance,
        "network_interface_id": eni,
        "private_ip_address": "10.0.1.4",
        "public_ip": "192.0.2.1",
    })
}

#[test]
fn eip_association_delete_makes_the_instance_private_again_c4_2() {
    let (net, instance, eni, allocation) = with_public_web2();
    let p = plan(vec![delete(
        "aws_eip_association.web2",
        "aws_eip_association",
        association_state(&instance, &eni, &allocation),
    )]);
    let e = evaluate(Some(&net), &[p]);
    let lost = named(&e.diff.lost, &e);
    assert_eq!(
        lost,
        pairs(&[
            (INTERNET, &eni, "tcp/80,443"),
            (&eni, INTERNET, "all traffic")
        ])
    );
    assert!(e.diff.gained.is_empty() && e.unknown.is_empty());
}

#[test]
fn eip_association_replace_keeps_the_instance_public() {
    let (net, instance, eni, allocation) = with_public_web2();
    let p = plan(vec![replace(
        "aws_eip_association.web2",
        "aws_eip_association",
        association_state(&instance, &eni, &allocation),
        json!({ "allocation_id": allocation, "allow_reassociation": null, "instance_id": instance,
                "network_interface_id": null, "private_ip_address": null }),
        json!({"id": true, "network_interface_id": true, "private_ip_address": true, "public_ip": true}),
        json!({ "allocation_id": c(json!(allocation)), "instance_id": c(json!(instance)) }),
    )]);
    let e = evaluate(Some(&net), &[p]);
    assert_no_change(&e);
}

// === aws_vpc_peering_connection / _accepter (fixtures/peering) ===============

fn route_to_new_peering(table: &str, cidr: &str, existing: bool, address: &str) -> Change {
    let reference = format!("{address}.id");
    let exprs = json!({
        "route_table_id": c(json!(table)), "destination_cidr_block": c(json!(cidr)),
        "vpc_peering_connection_id": r(&reference),
    });
    let mut after = route_state(table, cidr, "vpc_peering_connection_id", "");
    after
        .as_object_mut()
        .unwrap()
        .remove("vpc_peering_connection_id");
    let unknown = json!({"id": true, "instance_id": true, "instance_owner_id": true, "origin": true, "state": true, "vpc_peering_connection_id": true});
    let name = format!(
        "aws_route.{}_{}",
        table.replace('-', "_"),
        cidr.split('.').nth(1).unwrap()
    );
    if existing {
        let before = existing_route(table, cidr, "vpc_peering_connection_id", PCX_1_2);
        let mut after = before.clone();
        after
            .as_object_mut()
            .unwrap()
            .remove("vpc_peering_connection_id");
        update_unknown(
            &name,
            "aws_route",
            before,
            after,
            json!({"vpc_peering_connection_id": true}),
            exprs,
        )
    } else {
        create(&name, "aws_route", after, unknown, exprs)
    }
}

/// VPC-1 ↔ VPC-3 peered, VPC-1's 10.3.0.0/16 route moved to it and VPC-3
/// given a route back (C6.3): app-vpc1 and shared-vpc3 reach each other
/// on what their groups admit from 10.0.0.0/8.
fn vpc1_vpc3_peered(address: &str) -> Vec<Change> {
    vec![
        route_to_new_peering(RTB1, "10.3.0.0/16", true, address),
        route_to_new_peering(RTB3, "10.1.0.0/16", false, address),
    ]
}

fn vpc1_vpc3_gained() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (APP1_ENI, SHARED3_ENI, "tcp/22,443"),
        (SHARED3_ENI, APP1_ENI, "tcp/22"),
    ]
}

fn new_peering(auto_accept: bool) -> Change {
    let mut after = peering_state(None, VPC1, VPC3, None);
    after["auto_accept"] = auto_accept.into();
    create(
        "aws_vpc_peering_connection.vpc1_vpc3",
        "aws_vpc_peering_connection",
        after,
        PEERING_UNKNOWN(),
        json!({ "vpc_id": c(json!(VPC1)), "peer_vpc_id": c(json!(VPC3)), "auto_accept": c(json!(auto_accept)) }),
    )
}

#[test]
fn vpc_peering_connection_create_with_routes_both_ways_c6_3() {
    let mut changes = vec![new_peering(true)];
    changes.extend(vpc1_vpc3_peered("aws_vpc_peering_connection.vpc1_vpc3"));
    let e = on("peering", changes);
    assert_pairs(&e, &vpc1_vpc3_gained(), &[]);
}

#[test]
fn vpc_peering_connection_update_of_tags_changes_nothing() {
    let before = peering_state(Some(PCX_1_2), VPC1, VPC2, Some("active"));
    let mut after = before.clone();
    after["tags"] = json!({"Name": "1-2"});
    let e = on(
        "peering",
        vec![update(
            "aws_vpc_peering_connection.vpc1_vpc2",
            "aws_vpc_peering_connection",
            before,
            after,
            json!({ "vpc_id": c(json!(VPC1)), "peer_vpc_id": c(json!(VPC2)), "auto_accept": c(json!(true)), "tags": c(json!({"Name": "1-2"})) }),
        )],
    );
    assert_no_change(&e);
}

#[test]
fn vpc_peering_connection_delete_c6() {
    let e = on(
        "peering",
        vec![delete(
            "aws_vpc_peering_connection.vpc1_vpc2",
            "aws_vpc_peering_connection",
            peering_state(Some(PCX_1_2), VPC1, VPC2, Some("active")),
        )],
    );
    assert_pairs(
        &e,
        &[],
        &[
            (APP1_ENI, DB2_ENI, "tcp/22,5432"),
            (DB2_ENI, APP1_ENI, "tcp/22"),
        ],
    );
}

#[test]
fn vpc_peering_connection_replace_with_the_routes_following_it_c6() {
    let address = "aws_vpc_peering_connection.vpc1_vpc2";
    let route = |table: &str, cidr: &str| {
        let mut c = route_to_new_peering(table, cidr, true, address);
        c.address = format!("aws_route.{}", table.replace('-', "_"));
        c
    };
    let e = on(
        "peering",
        vec![
            replace(
                address,
                "aws_vpc_peering_connection",
                peering_state(Some(PCX_1_2), VPC1, VPC2, Some("active")),
                peering_state(None, VPC1, VPC2, None),
                PEERING_UNKNOWN(),
                json!({ "vpc_id": c(json!(VPC1)), "peer_vpc_id": c(json!(VPC2)), "auto_accept": c(json!(true)) }),
            ),
            route(RTB1, "10.2.0.0/16"),
            route(RTB2, "10.1.0.0/16"),
        ],
    );
    assert_no_change(&e);
}

fn accepter(address: &str, pcx: Option<&str>, id: Option<&str>) -> Change {
    let mut after = json!({ "auto_accept": true, "tags": {}, "timeouts": null });
    let exprs = match pcx {
        Some(p) => {
            after["vpc_peering_connection_id"] = p.into();
            json!({ "vpc_peering_connection_id": c(json!(p)), "auto_accept": c(json!(true)) })
        }
        None => json!({
            "vpc_peering_connection_id": r("aws_vpc_peering_connection.vpc1_vpc3.id"),
            "auto_accept": c(json!(true)),
        }),
    };
    if let Some(id) = id {
        after["id"] = id.into();
        after["accept_status"] = "active".into();
    }
    create(
        address,
        "aws_vpc_peering_connection_accepter",
        after,
        json!({"accept_status": true, "accepter": true, "id": true, "peer_owner_id": true, "peer_region": true, "peer_vpc_id": true, "requester": true, "tags_all": true, "vpc_id": true, "vpc_peering_connection_id": pcx.is_none()}),
        exprs,
    )
}

#[test]
fn a_peering_request_nobody_accepts_carries_nothing_c6_1() {
    let mut changes = vec![new_peering(false)];
    changes.extend(vpc1_vpc3_peered("aws_vpc_peering_connection.vpc1_vpc3"));
    let e = on("peering", changes);
    assert_pairs(&e, &[], &[]);
}

#[test]
fn vpc_peering_connection_accepter_create_activates_the_request_c6_1() {
    let mut changes = vec![
        new_peering(false),
        accepter("aws_vpc_peering_connection_accepter.vpc3", None, None),
    ];
    changes.extend(vpc1_vpc3_peered("aws_vpc_peering_connection.vpc1_vpc3"));
    let e = on("peering", changes);
    assert_pairs(&e, &vpc1_vpc3_gained(), &[]);
}

fn existing_accepter() -> Json {
    json!({
        "accept_status": "active", "accepter": [], "auto_accept": true, "id": PCX_1_2,
        "peer_owner_id": "123456789012", "peer_region": "us-east-1", "peer_vpc_id": VPC1,
        "requester": [], "tags": {}, "tags_all": {}, "timeouts": null, "vpc_id": VPC2,
        "vpc_peering_connection_id": PCX_1_2,
    })
}

#[test]
fn vpc_peering_connection_accepter_update_of_tags_changes_nothing() {
    let mut after = existing_accepter();
    after["tags"] = json!({"Side": "accepter"});
    let e = on(
        "peering",
        vec![update(
            "aws_vpc_peering_connection_accepter.vpc2",
            "aws_vpc_peering_connection_accepter",
            existing_accepter(),
            after,
            json!({ "vpc_peering_connection_id": c(json!(PCX_1_2)), "auto_accept": c(json!(true)), "tags": c(json!({"Side": "accepter"})) }),
        )],
    );
    assert_no_change(&e);
}

/// Terraform only forgets an accepter it deletes: the peering stays active.
#[test]
fn vpc_peering_connection_accepter_delete_leaves_the_peering_active() {
    let e = on(
        "peering",
        vec![delete(
            "aws_vpc_peering_connection_accepter.vpc2",
            "aws_vpc_peering_connection_accepter",
            existing_accepter(),
        )],
    );
    assert_no_change(&e);
}

#[test]
fn vpc_peering_connection_accepter_replace_keeps_it_active() {
    let mut fresh = accepter("x", Some(PCX_1_2), None).after;
    fresh["vpc_peering_connection_id"] = PCX_1_2.into();
    let e = on(
        "peering",
        vec![replace(
            "aws_vpc_peering_connection_accepter.vpc2",
            "aws_vpc_peering_connection_accepter",
            existing_accepter(),
            fresh,
            json!({"accept_status": true, "id": true}),
            json!({ "vpc_peering_connection_id": c(json!(PCX_1_2)), "auto_accept": c(json!(true)) }),
        )],
    );
    assert_no_change(&e);
}

// === aws_vpc =================================================================
// create: tests/terraform.rs greenfield_references_resolve_... (the main
// route table, default NACL and default group EC2 creates with it).

#[test]
fn vpc_update_of_dns_hostnames_changes_nothing() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_vpc.main",
            "aws_vpc",
            vpc_state("10.0.0.0/16", false),
            vpc_state("10.0.0.0/16", true),
            json!({ "cidr_block": c(json!("10.0.0.0/16")), "enable_dns_hostnames": c(json!(true)) }),
        )],
    );
    assert_no_change(&e);
}

/// VPC-3 destroyed, with what is in it and its peering (EC2 refuses to
/// delete a VPC that still holds them): db-vpc2 loses shared-vpc3 (C6).
#[test]
fn vpc_delete_with_everything_in_it_c6() {
    let vpc3 = |extra: Json| {
        let mut v = json!({ "tags": {}, "tags_all": {}, "vpc_id": VPC3 });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let e = on(
        "peering",
        vec![
            delete(
                "aws_instance.shared",
                "aws_instance",
                dict_json(
                    instance_state(
                        Some("i-0e693fdccf6c68d7f"),
                        Some(SHARED3_ENI),
                        "subnet-0d173499ae9c2204f",
                        &["sg-0f7dddc271108c335"],
                        false,
                    ),
                    "private_ip",
                    json!("10.3.1.30"),
                ),
            ),
            delete(
                "aws_security_group.shared",
                "aws_security_group",
                vpc3(
                    json!({ "id": "sg-0f7dddc271108c335", "name": "shared-sg", "ingress": [], "egress": [] }),
                ),
            ),
            delete(
                "aws_route_table_association.shared",
                "aws_route_table_association",
                json!({ "gateway_id": "", "id": "rtbassoc-0c3d4e5f6a7b8c9d0", "route_table_id": RTB3,
                        "subnet_id": "subnet-0d173499ae9c2204f", "timeouts": null }),
            ),
            delete(
                "aws_route_table.shared",
                "aws_route_table",
                vpc3(json!({ "id": RTB3, "propagating_vgws": [], "route": [] })),
            ),
            delete(
                "aws_subnet.shared",
                "aws_subnet",
                vpc3(
                    json!({ "id": "subnet-0d173499ae9c2204f", "cidr_block": "10.3.1.0/24",
                             "availability_zone": "us-east-1a", "map_public_ip_on_launch": false }),
                ),
            ),
            delete(
                "aws_vpc_peering_connection.vpc2_vpc3",
                "aws_vpc_peering_connection",
                peering_state(Some("pcx-042b2cab8a9c197b1"), VPC2, VPC3, Some("active")),
            ),
            delete(
                "aws_vpc.shared",
                "aws_vpc",
                json!({ "arn": format!("arn:aws:ec2:us-east-1:123456789012:vpc/{VPC3}"), "cidr_block": "10.3.0.0/16",
                        "enable_dns_hostnames": false, "enable_dns_support": true, "id": VPC3,
                        "instance_tenancy": "default", "tags": {}, "tags_all": {} }),
            ),
        ],
    );
    assert_pairs(&e, &[], &[(DB2_ENI, SHARED3_ENI, "tcp/22,443")]);
    let net = &e.translation.network;
    assert!(!net.vpcs.contains_key(VPC3) && !net.subnets.contains_key("subnet-0d173499ae9c2204f"));
}

fn dict_json(mut v: Json, key: &str, value: Json) -> Json {
    v[key] = value;
    v
}

/// A VPC replaced with the same CIDR (instance tenancy forces it), its
/// subnet and instance replaced through the configuration's references:
/// the answers stay (each replacement keeps its place in the model).
#[test]
fn vpc_replace_with_its_subnet_and_instance_keeps_the_answers() {
    let vpc3_state = json!({
        "arn": format!("arn:aws:ec2:us-east-1:123456789012:vpc/{VPC3}"), "cidr_block": "10.3.0.0/16",
        "enable_dns_hostnames": false, "enable_dns_support": true, "id": VPC3,
        "instance_tenancy": "default", "tags": {}, "tags_all": {},
    });
    let subnet3 = "subnet-0d173499ae9c2204f";
    let mut subnet_before = subnet_state(Some(subnet3), "10.3.1.0/24", false);
    subnet_before["vpc_id"] = VPC3.into();
    let mut subnet_after = subnet_state(None, "10.3.1.0/24", false);
    subnet_after.as_object_mut().unwrap().remove("vpc_id");
    subnet_after.as_object_mut().unwrap().remove("tags_all");
    let mut shared_after = instance_state(None, None, subnet3, &["sg-0f7dddc271108c335"], false);
    shared_after["private_ip"] = "10.3.1.30".into();
    shared_after.as_object_mut().unwrap().remove("subnet_id");
    let e = on(
        "peering",
        vec![
            replace(
                "aws_vpc.shared",
                "aws_vpc",
                vpc3_state,
                json!({ "assign_generated_ipv6_cidr_block": false, "cidr_block": "10.3.0.0/16",
                        "enable_dns_support": true, "instance_tenancy": "dedicated", "tags": {} }),
                json!({"arn": true, "default_network_acl_id": true, "default_route_table_id": true,
                       "default_security_group_id": true, "id": true, "main_route_table_id": true,
                       "owner_id": true, "tags_all": true}),
                json!({ "cidr_block": c(json!("10.3.0.0/16")), "instance_tenancy": c(json!("dedicated")) }),
            ),
            replace(
                "aws_subnet.shared",
                "aws_subnet",
                subnet_before,
                subnet_after,
                json!({"arn": true, "id": true, "owner_id": true, "tags_all": true, "vpc_id": true}),
                json!({ "vpc_id": r("aws_vpc.shared.id"), "cidr_block": c(json!("10.3.1.0/24")) }),
            ),
            replace(
                "aws_instance.shared",
                "aws_instance",
                dict_json(
                    instance_state(
                        Some("i-0e693fdccf6c68d7f"),
                        Some(SHARED3_ENI),
                        subnet3,
                        &["sg-0f7dddc271108c335"],
                        false,
                    ),
                    "private_ip",
                    json!("10.3.1.30"),
                ),
                shared_after,
                dict_with(INSTANCE_UNKNOWN(), "subnet_id", true),
                json!({
                    "ami": c(json!(AMI)), "instance_type": c(json!("t3.micro")), "private_ip": c(json!("10.3.1.30")),
                    "associate_public_ip_address": c(json!(false)),
                    "subnet_id": r("aws_subnet.shared.id"), "vpc_security_group_ids": c(json!(["sg-0f7dddc271108c335"])),
                }),
            ),
        ],
    );
    assert_no_change(&e);
}

// === aws_subnet ==============================================================
// create: tests/terraform.rs greenfield_references_resolve_....

/// web-2 without `associate_public_ip_address` takes the subnet's
/// `map_public_ip_on_launch`.
fn web2_unset_public() -> Change {
    let mut after = instance_state(None, None, WEB_SUBNET, &[WEB_SG], false);
    after
        .as_object_mut()
        .unwrap()
        .remove("associate_public_ip_address");
    let mut exprs = instance_expr(WEB_SUBNET, &[WEB_SG], false);
    exprs
        .as_object_mut()
        .unwrap()
        .remove("associate_public_ip_address");
    create(
        "aws_instance.web2",
        "aws_instance",
        after,
        dict_with(INSTANCE_UNKNOWN(), "associate_public_ip_address", true),
        exprs,
    )
}

#[test]
fn without_the_subnet_in_the_plan_a_launch_time_public_address_is_unknown() {
    let e = on("three-tier", vec![web2_unset_public()]);
    assert!(
        e.unknown.iter().any(|u| u
            .causes
            .iter()
            .any(|c| c == "aws_instance.web2.associate_public_ip_address")),
        "{:?}",
        e.unknown
    );
}

#[test]
fn subnet_update_of_map_public_ip_on_launch_decides_a_new_instance() {
    let e = on(
        "three-tier",
        vec![
            update(
                "aws_subnet.web",
                "aws_subnet",
                subnet_state(Some(WEB_SUBNET), "10.0.1.0/24", true),
                subnet_state(Some(WEB_SUBNET), "10.0.1.0/24", false),
                json!({ "vpc_id": c(json!(VPC)), "cidr_block": c(json!("10.0.1.0/24")), "map_public_ip_on_launch": c(json!(false)) }),
            ),
            web2_unset_public(),
        ],
    );
    assert!(e.unknown.is_empty(), "{:?}", e.unknown);
    let gained = named(&e.diff.gained, &e);
    assert!(
        !gained.iter().any(|(s, d, _)| s == INTERNET && d == WEB2),
        "{gained:?}"
    );
    assert!(
        gained.contains(&(APP_ENI.into(), WEB2.into(), "tcp/80,443".into())),
        "{gained:?}"
    );
}

/// EC2 refuses to delete a subnet with interfaces in it: db-1 goes too.
#[test]
fn subnet_delete_with_its_instance() {
    let e = on(
        "three-tier",
        vec![
            delete(
                "aws_subnet.db",
                "aws_subnet",
                subnet_state(Some(DB_SUBNET), "10.0.3.0/24", false),
            ),
            delete(
                "aws_instance.db",
                "aws_instance",
                instance_state(Some(DB_INSTANCE), Some(DB_ENI), DB_SUBNET, &[DB_SG], false),
            ),
        ],
    );
    assert_pairs(&e, &[], &db_gone());
}

#[test]
fn subnet_replace_with_its_instance_keeps_the_answers() {
    let mut new_subnet = subnet_state(None, "10.0.3.0/24", false);
    new_subnet.as_object_mut().unwrap().remove("tags_all");
    let mut new_db = instance_state(None, None, DB_SUBNET, &[DB_SG], false);
    new_db["private_ip"] = "10.0.3.30".into();
    new_db.as_object_mut().unwrap().remove("subnet_id");
    let e = on(
        "three-tier",
        vec![
            replace(
                "aws_subnet.db",
                "aws_subnet",
                subnet_state(Some(DB_SUBNET), "10.0.3.0/24", false),
                new_subnet,
                json!({"arn": true, "id": true, "owner_id": true, "tags_all": true}),
                json!({ "vpc_id": c(json!(VPC)), "cidr_block": c(json!("10.0.3.0/24")) }),
            ),
            replace(
                "aws_instance.db",
                "aws_instance",
                instance_state(Some(DB_INSTANCE), Some(DB_ENI), DB_SUBNET, &[DB_SG], false),
                new_db,
                dict_with(INSTANCE_UNKNOWN(), "subnet_id", true),
                json!({
                    "ami": c(json!(AMI)), "instance_type": c(json!("t3.micro")), "private_ip": c(json!("10.0.3.30")),
                    "associate_public_ip_address": c(json!(false)),
                    "subnet_id": r("aws_subnet.db.id"), "vpc_security_group_ids": c(json!([DB_SG])),
                }),
            ),
        ],
    );
    assert_no_change(&e);
}

// === aws_instance ============================================================
// create: tests/terraform.rs instance_create_is_named_by_its_address.

#[test]
fn instance_update_adds_a_group_c1() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_instance.app",
            "aws_instance",
            instance_state(
                Some(APP_INSTANCE),
                Some(APP_ENI),
                APP_SUBNET,
                &[APP_SG],
                false,
            ),
            instance_state(
                Some(APP_INSTANCE),
                Some(APP_ENI),
                APP_SUBNET,
                &[APP_SG, WEB_SG],
                false,
            ),
            instance_expr(APP_SUBNET, &[APP_SG, WEB_SG], false),
        )],
    );
    // web-sg admits tcp/80,443 from 0.0.0.0/0; app-1 has no public address.
    assert_pairs(
        &e,
        &[
            (WEB_ENI, APP_ENI, "tcp/80,443"),
            (DB_ENI, APP_ENI, "tcp/80,443"),
        ],
        &[],
    );
}

#[test]
fn instance_delete() {
    let e = on(
        "three-tier",
        vec![delete(
            "aws_instance.db",
            "aws_instance",
            instance_state(Some(DB_INSTANCE), Some(DB_ENI), DB_SUBNET, &[DB_SG], false),
        )],
    );
    assert_pairs(&e, &[], &db_gone());
}

/// Everything db-1 started: web-1's tcp/80,443 (web-sg admits 0.0.0.0/0)
/// and the internet through the NAT gateway.
fn db_gone() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (DB_ENI, WEB_ENI, "tcp/80,443"),
        (DB_ENI, INTERNET, THROUGH_NAT),
    ]
}

#[test]
fn instance_replace_keeps_its_place_and_groups() {
    let mut after = instance_state(None, None, APP_SUBNET, &[APP_SG], false);
    after["ami"] = "ami-0fedcba9876543210".into();
    after["private_ip"] = "10.0.2.20".into();
    let mut exprs = instance_expr(APP_SUBNET, &[APP_SG], false);
    exprs["ami"] = c(json!("ami-0fedcba9876543210"));
    exprs["private_ip"] = c(json!("10.0.2.20"));
    let e = on(
        "three-tier",
        vec![replace(
            "aws_instance.app",
            "aws_instance",
            instance_state(
                Some(APP_INSTANCE),
                Some(APP_ENI),
                APP_SUBNET,
                &[APP_SG],
                false,
            ),
            after,
            INSTANCE_UNKNOWN(),
            exprs,
        )],
    );
    assert_no_change(&e);
}

// === aws_network_interface ===================================================

fn extra_eni(ip: &str, attached_to_db: bool) -> Change {
    let mut after = eni_state(None, DB_SUBNET, ip, &[DB_SG], false);
    let mut exprs = json!({ "subnet_id": c(json!(DB_SUBNET)), "private_ips": c(json!([ip])), "security_groups": c(json!([DB_SG])) });
    let mut unknown = json!({"arn": true, "attachment": true, "id": true, "interface_type": true,
                             "mac_address": true, "owner_id": true, "private_dns_name": true, "tags_all": true});
    if attached_to_db {
        after["attachment"] = json!([{ "device_index": 1, "instance": DB_INSTANCE }]);
        exprs["attachment"] =
            json!([{ "device_index": c(json!(1)), "instance": c(json!(DB_INSTANCE)) }]);
        unknown["attachment"] = json!([{"attachment_id": true}]);
    }
    create(
        "aws_network_interface.extra",
        "aws_network_interface",
        after,
        unknown,
        exprs,
    )
}

const EXTRA: &str = "aws_network_interface.extra";

/// What a second interface of db-1 (db-sg, db subnet) starts: web-1's
/// tcp/80,443 and the internet through the NAT gateway; db-sg admits only
/// app's tcp/3306, which the db NACL denies (C2.3).
fn extra_starts(extra: &'static str) -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (extra, WEB_ENI, "tcp/80,443"),
        (extra, INTERNET, THROUGH_NAT),
    ]
}

#[test]
fn network_interface_create_attached_is_named_by_its_address_c10_6() {
    let e = on("three-tier", vec![extra_eni("10.0.3.40", true)]);
    assert_pairs(&e, &extra_starts(EXTRA), &[]);
}

/// An interface no instance holds carries nothing (C10.6).
#[test]
fn network_interface_create_unattached_reaches_nothing_c10_6() {
    let e = on("three-tier", vec![extra_eni("10.0.3.40", false)]);
    assert_no_change(&e);
}

/// The network with `aws_network_interface.extra` (attached to db-1 or
/// not), and its id there.
fn with_extra_eni(attached_to_db: bool) -> (Network, String) {
    let e = on("three-tier", vec![extra_eni("10.0.3.40", attached_to_db)]);
    let id = e
        .translation
        .addresses
        .iter()
        .find(|(_, a)| a.as_str() == EXTRA)
        .map(|(id, _)| id.clone())
        .unwrap();
    (e.translation.network.clone(), id)
}

fn extra_state(id: &str, ip: &str) -> Json {
    let mut v = eni_state(Some(id), DB_SUBNET, ip, &[DB_SG], true);
    v["attachment"][0]["device_index"] = 1.into();
    v
}

#[test]
fn network_interface_delete_c10_6() {
    let (net, id) = with_extra_eni(true);
    let p = plan(vec![delete(
        EXTRA,
        "aws_network_interface",
        extra_state(&id, "10.0.3.40"),
    )]);
    let e = evaluate(Some(&net), &[p]);
    let _ = id;
    assert_pairs(&e, &[], &extra_starts(EXTRA));
}

#[test]
fn network_interface_replace_at_another_address() {
    let (net, id) = with_extra_eni(true);
    let mut after = eni_state(None, DB_SUBNET, "10.0.3.41", &[DB_SG], false);
    after["attachment"] = json!([{ "device_index": 1, "instance": DB_INSTANCE }]);
    let p = plan(vec![replace(
        EXTRA,
        "aws_network_interface",
        extra_state(&id, "10.0.3.40"),
        after,
        json!({"arn": true, "attachment": [{"attachment_id": true}], "id": true, "interface_type": true,
               "mac_address": true, "owner_id": true, "private_dns_name": true, "tags_all": true}),
        json!({
            "subnet_id": c(json!(DB_SUBNET)), "private_ips": c(json!(["10.0.3.41"])), "security_groups": c(json!([DB_SG])),
            "attachment": [{ "device_index": c(json!(1)), "instance": c(json!(DB_INSTANCE)) }],
        }),
    )]);
    let e = evaluate(Some(&net), &[p]);
    assert_no_change(&e);
}

#[test]
fn network_interface_update_of_its_groups_c1() {
    let e = on(
        "three-tier",
        vec![update(
            "aws_network_interface.db",
            "aws_network_interface",
            eni_state(Some(DB_ENI), DB_SUBNET, "10.0.3.30", &[DB_SG], true),
            eni_state(Some(DB_ENI), DB_SUBNET, "10.0.3.30", &[DB_SG, WEB_SG], true),
            json!({ "subnet_id": c(json!(DB_SUBNET)), "private_ips": c(json!(["10.0.3.30"])), "security_groups": c(json!([DB_SG, WEB_SG])) }),
        )],
    );
    // web-sg admits tcp/80,443 from 0.0.0.0/0 (db-1 has no public
    // address), and app-sg admits tcp/8080 from web-sg's members (C1.5).
    assert_pairs(
        &e,
        &[
            (WEB_ENI, DB_ENI, "tcp/80,443"),
            (APP_ENI, DB_ENI, "tcp/80,443"),
            (DB_ENI, APP_ENI, "tcp/8080"),
        ],
        &[],
    );
}

// === aws_network_interface_sg_attachment =====================================
// create: tests/terraform.rs sg_create_then_attach_... and the default group
// tests above. No update: both arguments force a replacement.

fn web_sg_attachment() -> Json {
    json!({ "id": format!("sg-attachment-{WEB_SG}-{WEB_ENI}"), "network_interface_id": WEB_ENI, "security_group_id": WEB_SG, "timeouts": null })
}

/// web-1 carries app-sg instead of web-sg: it loses what web-sg admitted
/// (tcp/80,443 from everywhere) and what app-sg admitted from web-sg's
/// members (app ← web tcp/8080, C1.5), and gains what db-sg admits from
/// app-sg's members (tcp/3306; the db NACL denies it from 10.0.2.0/24 only).
fn web_moved_to_app_sg() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut lost = to_web("tcp/80,443");
    lost.push((WEB_ENI, APP_ENI, "tcp/8080"));
    lost
}

#[test]
fn network_interface_sg_attachment_delete_c1_5() {
    let e = on(
        "three-tier",
        vec![
            attach(APP_SG, WEB_ENI),
            delete(
                "aws_network_interface_sg_attachment.web",
                "aws_network_interface_sg_attachment",
                web_sg_attachment(),
            ),
        ],
    );
    assert_pairs(&e, &[(WEB_ENI, DB_ENI, "tcp/3306")], &web_moved_to_app_sg());
}

#[test]
fn network_interface_sg_attachment_replace_c1_5() {
    let e = on(
        "three-tier",
        vec![replace(
            "aws_network_interface_sg_attachment.web",
            "aws_network_interface_sg_attachment",
            web_sg_attachment(),
            json!({ "network_interface_id": WEB_ENI, "security_group_id": APP_SG, "timeouts": null }),
            json!({"id": true}),
            json!({ "network_interface_id": c(json!(WEB_ENI)), "security_group_id": c(json!(APP_SG)) }),
        )],
    );
    assert_pairs(&e, &[(WEB_ENI, DB_ENI, "tcp/3306")], &web_moved_to_app_sg());
}

// === aws_network_interface_attachment ========================================
// Attaching an interface to an instance changes no rule, route or address
// the answers use; no update (every argument forces a replacement).

fn eni_attachment(eni: &str, id: Option<&str>) -> Json {
    let mut v =
        json!({ "device_index": 1, "instance_id": DB_INSTANCE, "network_interface_id": eni });
    if let Some(id) = id {
        v["attachment_id"] = id.into();
        v["id"] = id.into();
        v["status"] = "attached".into();
    }
    v
}

fn eni_attachment_expr(eni: &str) -> Json {
    json!({ "device_index": c(json!(1)), "instance_id": c(json!(DB_INSTANCE)), "network_interface_id": c(json!(eni)) })
}

const ENI_ATTACHMENT: &str = "aws_network_interface_attachment.extra";
const ATTACHMENT_UNKNOWN: fn() -> Json =
    || json!({"attachment_id": true, "id": true, "status": true});

#[test]
fn network_interface_attachment_create_puts_the_interface_in_use_c10_6() {
    let (net, id) = with_extra_eni(false);
    let p = plan(vec![create(
        ENI_ATTACHMENT,
        "aws_network_interface_attachment",
        eni_attachment(&id, None),
        ATTACHMENT_UNKNOWN(),
        eni_attachment_expr(&id),
    )]);
    let e = evaluate(Some(&net), &[p]);
    let id: &'static str = Box::leak(id.into_boxed_str());
    assert_pairs(&e, &extra_starts(id), &[]);
}

#[test]
fn network_interface_attachment_delete_leaves_it_available_c10_6() {
    let (net, id) = with_extra_eni(true);
    let p = plan(vec![delete(
        ENI_ATTACHMENT,
        "aws_network_interface_attachment",
        eni_attachment(&id, Some("eni-attach-0a1b2c3d4e5f60718")),
    )]);
    let e = evaluate(Some(&net), &[p]);
    let id: &'static str = Box::leak(id.into_boxed_str());
    assert_pairs(&e, &[], &extra_starts(id));
}

#[test]
fn network_interface_attachment_replace_keeps_it_in_use() {
    let (net, id) = with_extra_eni(true);
    let p = plan(vec![replace(
        ENI_ATTACHMENT,
        "aws_network_interface_attachment",
        eni_attachment(&id, Some("eni-attach-0a1b2c3d4e5f60718")),
        eni_attachment(&id, None),
        ATTACHMENT_UNKNOWN(),
        eni_attachment_expr(&id),
    )]);
    let e = evaluate(Some(&net), &[p]);
    assert_no_change(&e);
}

// === not evaluated from a plan: what they touch is Unknown ====================

/// BPA.1: Block Public Access options are account-wide per region, so a
/// plan changing them leaves every VPC's pairs unknown, never unchanged.
#[test]
fn block_public_access_options_in_a_plan_make_every_vpc_unknown() {
    let e = on(
        "three-tier",
        vec![create(
            "aws_vpc_block_public_access_options.this",
            "aws_vpc_block_public_access_options",
            json!({"internet_gateway_block_mode": "block-bidirectional", "timeouts": null}),
            json!({"aws_account_id": true, "aws_region": true, "id": true}),
            json!({"internet_gateway_block_mode": c(json!("block-bidirectional"))}),
        )],
    );
    assert!(e.diff.gained.is_empty() && e.diff.lost.is_empty());
    assert!(
        e.unknown
            .iter()
            .any(|u| u.source == APP_ENI || u.destination == APP_ENI),
        "{:?}",
        e.unknown
    );
}

#[test]
fn a_transit_gateway_attachment_makes_the_subnets_it_names_unknown() {
    let e = on(
        "three-tier",
        vec![create(
            "aws_ec2_transit_gateway_vpc_attachment.app",
            "aws_ec2_transit_gateway_vpc_attachment",
            json!({
                "appliance_mode_support": "disable", "dns_support": "enable", "ipv6_support": "disable",
                "subnet_ids": [APP_SUBNET], "tags": {}, "transit_gateway_id": "tgw-0a1b2c3d4e5f60718",
                "vpc_id": VPC,
            }),
            json!({"id": true, "subnet_ids": [false], "tags_all": true, "vpc_owner_id": true}),
            json!({ "subnet_ids": c(json!([APP_SUBNET])), "transit_gateway_id": c(json!("tgw-0a1b2c3d4e5f60718")), "vpc_id": c(json!(VPC)) }),
        )],
    );
    assert!(e.diff.gained.is_empty() && e.diff.lost.is_empty());
    assert!(
        e.unknown
            .iter()
            .any(|u| u.source == APP_ENI || u.destination == APP_ENI),
        "{:?}",
        e.unknown
    );
    assert!(e
        .unknown
        .iter()
        .all(|u| u.causes == ["aws_ec2_transit_gateway_vpc_attachment.app.(not evaluated)"]));
}
