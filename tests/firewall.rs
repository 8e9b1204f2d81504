//! AWS Network Firewall (NF.* of docs/semantics-additions.md) on
//! `fixtures/nfw-ingress` (IGW edge route table → firewall endpoint → public
//! web tier; strict order, `aws:drop_strict`) and `fixtures/nfw-tgw-inspection`
//! (centralised inspection VPC behind a TGW with appliance mode; default
//! action order, a domain deny list, `HOME_NET` widened).

use std::path::{Path, PathBuf};

use serde_json::Value;
use vpcreach::analysis::{path, PathAnalysis, PathQuery, ProtocolChoice};
use vpcreach::snapshot;
use vpcreach::topology::Topology;

const INGRESS: &str = "fixtures/nfw-ingress";
const WEB: &str = "i-0240a6db4473a831e";
const WEB_ENDPOINT: &str = "vpce-0f1e2d3c4b5a69788";
const WEB_FW: &str = "arn:aws:network-firewall:us-east-1:123456789012:firewall/public-web-fw";
const WEB_STATELESS: &str =
    "arn:aws:network-firewall:us-east-1:123456789012:stateless-rulegroup/web-stateless";
const WEB_STRICT: &str =
    "arn:aws:network-firewall:us-east-1:123456789012:stateful-rulegroup/web-strict";

const INSPECTION: &str = "fixtures/nfw-tgw-inspection";
const PROD: &str = "i-09322a92b83288a30";
const DEV_DB: &str = "i-034ecab282d2967a3";
const ENDPOINT_A: &str = "vpce-0a11b22c33d44e551";
const ENDPOINT_B: &str = "vpce-0b22c33d44e55f662";
const INSPECTION_FW: &str =
    "arn:aws:network-firewall:us-east-1:123456789012:firewall/inspection-fw";
const EAST_WEST: &str =
    "arn:aws:network-firewall:us-east-1:123456789012:stateful-rulegroup/east-west-drop";
const DOMAINS: &str =
    "arn:aws:network-firewall:us-east-1:123456789012:stateful-rulegroup/egress-domains";
const SPOKE_STATELESS: &str =
    "arn:aws:network-firewall:us-east-1:123456789012:stateless-rulegroup/spoke-stateless";

fn ask(dir: &Path, src: &str, dst: &str, proto: u8, port: u16) -> PathAnalysis {
    let snap = snapshot::load(dir).expect("snapshot loads");
    let topo = Topology::new(&snap.network);
    let q = PathQuery {
        source: src.into(),
        destination: dst.into(),
        protocol: ProtocolChoice::Number(proto),
        dport: Some((port, port)),
        sport: (proto != 1).then_some((1024, 65535)),
        source_ip: None,
        destination_ip: None,
    };
    path::analyze(&topo, &q).expect("query resolves")
}

fn tcp(dir: &str, src: &str, dst: &str, port: u16) -> PathAnalysis {
    ask(Path::new(dir), src, dst, 6, port)
}

fn ping(dir: &str, src: &str, dst: &str) -> PathAnalysis {
    ask(Path::new(dir), src, dst, 1, 8)
}

/// (code, on return path, component ids) of every blocker.
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

fn hop_ids(hops: &[vpcreach::analysis::Hop]) -> Vec<&str> {
    hops.iter().map(|h| h.component.id.as_str()).collect()
}

fn blocked_by(a: &PathAnalysis, code: &str, group: Option<&str>, fw: &str, ret: bool) {
    assert!(!a.path_found(), "{:#?}", codes(a));
    let mut want = vec![fw.to_string()];
    want.extend(group.map(str::to_string));
    assert_eq!(codes(a), [(code, ret, want)], "{:#?}", a.explanations);
}

/// NF.1, NF.4 (strict order pass rule), NF.8: internet → IGW edge route
/// table → firewall endpoint → web tier, and the reply back through the
/// same endpoint and out by the firewall subnet's route table.
#[test]
fn nf1_nf4_ingress_routing_through_the_firewall_both_ways() {
    let a = tcp(INGRESS, "internet", WEB, 443);
    assert!(a.path_found(), "{:#?}", codes(&a));
    assert!(!a.unknown);
    assert!(hop_ids(&a.forward).contains(&WEB_ENDPOINT));
    assert!(
        hop_ids(&a.ret).contains(&WEB_ENDPOINT),
        "reply crosses the firewall"
    );
    assert!(
        hop_ids(&a.ret).contains(&"rtb-0a1b2c3d4e5f60718"),
        "firewall subnet route table"
    );
    assert!(a.notes.iter().any(|n| n.contains("NF.3")), "{:?}", a.notes);
}

/// NF.7 + NF.6: a DROP rule with rule variables ($BLOCKED_NET → $WEB_NET),
/// first in strict order, stops 198.51.100.0/24 before the pass rule.
#[test]
fn nf7_strict_order_drop_rule_names_rule_group_and_sid() {
    let a = tcp(INGRESS, "198.51.100.10", WEB, 443);
    blocked_by(
        &a,
        "FIREWALL_RULES_RESTRICTION",
        Some(WEB_STRICT),
        WEB_FW,
        false,
    );
    assert!(
        a.explanations[0].message.contains("sid 1"),
        "{}",
        a.explanations[0].message
    );
}

/// NF.2: a stateless aws:drop rule (tcp/23) drops before the stateful engine,
/// although the security group admits telnet.
#[test]
fn nf2_stateless_drop() {
    let a = tcp(INGRESS, "internet", WEB, 23);
    blocked_by(
        &a,
        "FIREWALL_RULES_RESTRICTION",
        Some(WEB_STATELESS),
        WEB_FW,
        false,
    );
    assert!(a.explanations[0].message.contains("priority 10"));
}

/// NF.2: ICMP passes the stateless engine (aws:pass beside a custom action
/// that only publishes metrics), both ways.
#[test]
fn nf2_icmp_stateless_pass_with_custom_action() {
    let a = ping(INGRESS, "internet", WEB);
    assert!(a.path_found(), "{:#?}", codes(&a));
}

/// NF.4: strict order, egress: tcp/443 to $EXTERNAL_NET passes (sid 4,
/// NF.6's negation of HOME_NET); tcp/80 meets aws:drop_strict.
#[test]
fn nf4_strict_order_default_action_drops_unmatched_egress() {
    let ok = tcp(INGRESS, WEB, "93.184.215.14", 443);
    assert!(ok.forward_found, "{:#?}", codes(&ok));
    let a = tcp(INGRESS, WEB, "93.184.215.14", 80);
    blocked_by(&a, "FIREWALL_RULES_RESTRICTION", None, WEB_FW, false);
    assert!(a.explanations[0].message.contains("aws:drop_strict"));
}

/// NF.2 on the reply: stateless rules are stateless. A connection from the
/// web server's source port 23 gets its reply dropped by the tcp/23 rule.
#[test]
fn nf2_stateless_rules_apply_to_replies() {
    let snap = snapshot::load(Path::new(INGRESS)).unwrap();
    let topo = Topology::new(&snap.network);
    let q = PathQuery {
        source: WEB.into(),
        destination: "93.184.215.14".into(),
        protocol: ProtocolChoice::Number(6),
        dport: Some((443, 443)),
        sport: Some((23, 23)),
        source_ip: None,
        destination_ip: None,
    };
    let a = path::analyze(&topo, &q).unwrap();
    blocked_by(
        &a,
        "FIREWALL_RULES_RESTRICTION",
        Some(WEB_STATELESS),
        WEB_FW,
        true,
    );
}

/// NF.1, NF.4 (default action order), NF.8 with a TGW (appliance mode on):
/// dev → prod tcp/443 crosses the us-east-1b endpoint both ways.
#[test]
fn nf4_default_order_unmatched_traffic_passes_behind_a_tgw() {
    let a = tcp(INSPECTION, DEV_DB, PROD, 443);
    assert!(a.path_found(), "{:#?}", codes(&a));
    assert!(hop_ids(&a.forward).contains(&ENDPOINT_B));
    assert!(
        hop_ids(&a.ret).contains(&ENDPOINT_B),
        "appliance mode: same endpoint back"
    );
}

/// NF.7 + NF.6 (port set $DB_PORTS): prod → dev tcp/5432 dropped by sid 100,
/// although the domain deny list could also match TCP from HOME_NET (NF.5:
/// a deny list cannot exempt what an evaluated drop rule blocks).
#[test]
fn nf7_five_tuple_drop_behind_a_tgw() {
    let a = tcp(INSPECTION, PROD, DEV_DB, 5432);
    blocked_by(
        &a,
        "FIREWALL_RULES_RESTRICTION",
        Some(EAST_WEST),
        INSPECTION_FW,
        false,
    );
    assert!(a.explanations[0].message.contains("sid 100"));
    assert!(!a.unknown);
}

/// NF.5: prod (inside the widened HOME_NET) → dev (EXTERNAL_NET) tcp/443
/// could be dropped by the domain deny list: unknown, never a silent pass.
#[test]
fn nf5_domain_list_makes_the_verdict_unknown() {
    let a = tcp(INSPECTION, PROD, DEV_DB, 443);
    blocked_by(
        &a,
        "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULE_GROUP_TYPE",
        Some(DOMAINS),
        INSPECTION_FW,
        false,
    );
    assert!(a.unknown);
    assert!(a.explanations[0]
        .message
        .contains("reachable unless egress-domains blocks it"));
    assert!(a.notes.iter().any(|n| n.contains("egress-domains")));
    // dev is outside HOME_NET: the domain list cannot see it (NF.5).
    assert!(tcp(INSPECTION, DEV_DB, PROD, 443).path_found());
}

/// NF.7 + NF.8: ICMP. dev → prod pings are dropped by sid 101 (FORWARD);
/// prod → dev pings pass, and their replies (dev → prod, which sid 101
/// would match) pass as replies of an admitted flow.
#[test]
fn nf8_icmp_reply_of_an_admitted_flow_passes() {
    let a = ping(INSPECTION, DEV_DB, PROD);
    blocked_by(
        &a,
        "FIREWALL_RULES_RESTRICTION",
        Some(EAST_WEST),
        INSPECTION_FW,
        false,
    );
    assert!(a.explanations[0].message.contains("sid 101"));
    let b = ping(INSPECTION, PROD, DEV_DB);
    assert!(b.path_found(), "{:#?}", codes(&b));
    assert!(hop_ids(&b.ret).contains(&ENDPOINT_A));
}

/// NF.2: the stateless drop of RDP from dev to prod.
#[test]
fn nf2_stateless_drop_behind_a_tgw() {
    let a = tcp(INSPECTION, DEV_DB, PROD, 3389);
    blocked_by(
        &a,
        "FIREWALL_RULES_RESTRICTION",
        Some(SPOKE_STATELESS),
        INSPECTION_FW,
        false,
    );
}

/// A copy of `fixture` with `edit` applied to the JSON of `file`.
fn edited(fixture: &str, name: &str, file: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vpcreach-nfw-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(Path::new(fixture), &dir);
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

/// NF.5: a Suricata rule string could decide anything: unknown.
#[test]
fn nf5_suricata_rules_string_is_unknown() {
    let dir = edited(INGRESS, "suricata", "rule-group-web-strict.json", |v| {
        v["RuleGroup"]["RulesSource"] = serde_json::json!({
            "RulesString": "pass tcp any any -> any 443 (sid:1;)"
        });
    });
    let a = ask(&dir, "internet", WEB, 6, 443);
    blocked_by(
        &a,
        "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULE_GROUP_TYPE",
        Some(WEB_STRICT),
        WEB_FW,
        false,
    );
    assert!(a.unknown);
}

/// NF.5: a 5-tuple rule with a rule option beyond sid is not evaluated:
/// the traffic its header matches is unknown; other traffic is decided.
#[test]
fn nf5_rule_options_are_unknown_for_their_header_only() {
    let dir = edited(INGRESS, "options", "rule-group-web-strict.json", |v| {
        let rules = v["RuleGroup"]["RulesSource"]["StatefulRules"]
            .as_array_mut()
            .unwrap();
        rules[0]["RuleOptions"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"Keyword": "flow", "Settings": ["to_server"]}));
    });
    let a = ask(&dir, "198.51.100.10", WEB, 6, 443);
    blocked_by(
        &a,
        "FIREWALL_UNSUPPORTED_RULE_OPTIONS",
        Some(WEB_STRICT),
        WEB_FW,
        false,
    );
    assert!(ask(&dir, "internet", WEB, 6, 443).path_found());
}

/// NF.1: a policy the snapshot lacks makes the firewall unknown.
#[test]
fn nf1_missing_policy_is_unknown_resource() {
    let dir = edited(INGRESS, "nopolicy", "firewall-policy.json", |v| {
        v["FirewallPolicyResponse"]["FirewallPolicyArn"] =
            "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/other".into();
    });
    let a = ask(&dir, "internet", WEB, 6, 443);
    blocked_by(&a, "UNKNOWN_RESOURCE", None, WEB_FW, false);
}

/// NF.1: an endpoint that is not READY carries nothing.
#[test]
fn nf1_endpoint_not_ready_is_bad_state() {
    let dir = edited(INGRESS, "notready", "firewall.json", |v| {
        v["FirewallStatus"]["SyncStates"]["us-east-1a"]["Attachment"]["Status"] = "CREATING".into();
    });
    let a = ask(&dir, "internet", WEB, 6, 443);
    blocked_by(&a, "BAD_STATE", None, WEB_FW, false);
}

/// NF.4: Override DROP_TO_ALERT turns the group's drops into alerts (the
/// strict default action still drops what no pass rule passes).
#[test]
fn nf4_drop_to_alert_override() {
    let dir = edited(INGRESS, "alert", "firewall-policy.json", |v| {
        v["FirewallPolicy"]["StatefulRuleGroupReferences"][0]["Override"] =
            serde_json::json!({"Action": "DROP_TO_ALERT"});
    });
    assert!(ask(&dir, "198.51.100.10", WEB, 6, 443).path_found());
}

/// Loading: a `FirewallStatus` alone does not say which firewall it is:
/// skipped with a warning, never a panic; a bad field is a located error.
#[test]
fn loading_halves_and_located_errors() {
    let dir = edited(INGRESS, "orphan", "firewall.json", |v| {
        v.as_object_mut().unwrap().remove("Firewall");
    });
    let snap = snapshot::load(&dir).unwrap();
    assert!(snap.network.firewalls.is_empty());
    assert!(snap
        .warnings
        .iter()
        .any(|w| w.message.contains("`FirewallStatus` without `Firewall`")));
    let dir = edited(INGRESS, "bad", "rule-group-web-stateless.json", |v| {
        v["RuleGroup"]["RulesSource"]["StatelessRulesAndCustomActions"]["StatelessRules"][0]
            ["Priority"] = "high".into();
    });
    let err = snapshot::load(&dir).unwrap_err().to_string();
    assert!(err.contains("rule-group-web-stateless.json"), "{err}");
    assert!(err.contains("RuleGroup"), "{err}");
}

/// Batfish-style lists and `list-firewalls` metadata load beside the
/// single describe outputs (the inspection fixture holds both shapes).
#[test]
fn batfish_lists_and_list_outputs_load() {
    let snap = snapshot::load(Path::new(INSPECTION)).unwrap();
    assert_eq!(snap.network.rule_groups.len(), 3);
    assert_eq!(snap.network.firewalls.len(), 1);
    assert!(snap.network.firewalls_listed_only.is_empty());
    assert_eq!(snap.network.firewalls[INSPECTION_FW].endpoints.len(), 3);
}

/// `audit` all-igw-ingress on the ingress-routing fixture: what the firewall
/// drops (tcp/23 by the stateless rule, 198.51.100.0/24 by sid 1, tcp/22
/// from elsewhere than 203.0.113.0/24 by aws:drop_strict) is not exposed.
#[test]
fn audit_all_igw_ingress_sees_the_firewall() {
    use vpcreach::packet::{addr_of, Header};
    let snap = snapshot::load(Path::new(INGRESS)).unwrap();
    let topo = Topology::new(&snap.network);
    let text = vpcreach::audit::scope::built_in("all-igw-ingress").unwrap();
    let scope = snapshot::scope_shapes::parse_scope(Path::new("t.json"), text, "t").unwrap();
    let result = vpcreach::audit::audit(&topo, &scope).unwrap();
    let traffic = result.traffic_by_pair();
    let web = traffic
        .get(&(
            "igw-0b10d54ba0365ba81".to_string(),
            "eni-00566ef110138f8aa".to_string(),
        ))
        .expect("the web server is exposed");
    let from = |ip: &str, port: u16| Header {
        src: addr_of(ip.parse::<std::net::IpAddr>().unwrap()),
        dst: addr_of("10.30.1.10".parse::<std::net::IpAddr>().unwrap()),
        proto: 6,
        sport: 40000,
        dport: port,
    };
    // Finding traffic leaves the ENI end's address as "any".
    let holds = |h: Header| {
        web.contains(&h)
            || web.contains(&Header {
                dst: addr_of("0.0.0.0".parse::<std::net::IpAddr>().unwrap()),
                ..h
            })
    };
    assert!(holds(from("8.8.8.8", 443)));
    assert!(holds(from("203.0.113.10", 22)));
    assert!(!holds(from("8.8.8.8", 23)), "stateless drop");
    assert!(!holds(from("198.51.100.10", 443)), "sid 1");
    assert!(!holds(from("8.8.8.8", 22)), "SG and aws:drop_strict");
}

/// `whatif` of an `UpdateRuleGroup` (the rule group body as the CLI takes
/// it): dropping sid 1 gains tcp/443 from 198.51.100.0/24 to both public
/// web servers; a rule group the snapshot lacks is refused.
#[test]
fn whatif_update_rule_group() {
    let group: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(INGRESS).join("rule-group-web-strict.json")).unwrap(),
    )
    .unwrap();
    let mut body = group["RuleGroup"].clone();
    body["RulesSource"]["StatefulRules"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    body.as_object_mut().unwrap().remove("StatefulRuleOptions");
    let dir = std::env::temp_dir().join(format!("vpcreach-nfw-whatif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let change = dir.join("unblock.json");
    let call = serde_json::json!([{
        "Action": "UpdateRuleGroup",
        "RuleGroupArn": WEB_STRICT,
        "Type": "STATEFUL",
        "UpdateToken": group["UpdateToken"],
        "RuleGroup": body,
    }]);
    std::fs::write(&change, call.to_string()).unwrap();
    let run = |change: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vpcreach"))
            .args(["whatif", "--no-cache", "--snapshot", INGRESS, "--change"])
            .arg(change)
            .output()
            .unwrap()
    };
    let out = run(&change);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FirewallRuleGroup"), "{text}");
    assert!(text.contains("Reachability gained (2)"), "{text}");
    assert!(text.contains("sid 1"), "{text}");
    let missing = dir.join("missing.json");
    let mut call = call;
    call[0]["RuleGroupArn"] =
        "arn:aws:network-firewall:us-east-1:123456789012:stateful-rulegroup/nope".into();
    std::fs::write(&missing, call.to_string()).unwrap();
    let out = run(&missing);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ResourceNotFoundException"));
}

/// NF.5, NF.9 (docs/model.md "not evaluated"): each thing the firewall model
/// leaves out makes the traffic it could decide UNKNOWN, with a note naming
/// it — never a silent pass. Internet → web tcp/443 passes on the fixture
/// as is (NF.1 test above); each edit puts something unevaluated in its way.
#[test]
fn nf5_nf9_what_is_not_modelled_says_so_in_a_note() {
    let stateful = |v: &mut Value| v["RuleGroup"]["RulesSource"]["StatefulRules"].clone();
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, &str, Edit, &str)> = vec![
        (
            "tls",
            "firewall-policy.json",
            Box::new(|v: &mut Value| {
                v["FirewallPolicy"]["TLSInspectionConfigurationArn"] =
                    "arn:aws:network-firewall:us-east-1:123456789012:tls-configuration/web-tls"
                        .into();
            }),
            "inspects TLS",
        ),
        (
            "app-protocol",
            "rule-group-web-strict.json",
            Box::new(move |v: &mut Value| {
                let mut rules = stateful(v);
                rules[1]["Header"]["Protocol"] = "HTTP".into();
                v["RuleGroup"]["RulesSource"]["StatefulRules"] = rules;
            }),
            "application-layer protocol",
        ),
        (
            "resource-group",
            "rule-group-web-strict.json",
            Box::new(|v: &mut Value| {
                v["RuleGroup"]["RulesSource"]["StatefulRules"][0]["Header"]["Source"] =
                    "@CLIENTS".into();
                v["RuleGroup"]["ReferenceSets"] = serde_json::json!({"IPSetReferences": {"CLIENTS":
                    {"ReferenceArn": "arn:aws:resource-groups:us-east-1:123456789012:group/web-clients"}}});
            }),
            "resource group",
        ),
        (
            "tcp-flags",
            "rule-group-web-stateless.json",
            Box::new(|v: &mut Value| {
                let rule = &mut v["RuleGroup"]["RulesSource"]["StatelessRulesAndCustomActions"]
                    ["StatelessRules"][0]["RuleDefinition"]["MatchAttributes"];
                rule["DestinationPorts"] = serde_json::json!([{"FromPort": 443, "ToPort": 443}]);
                rule["TCPFlags"] = serde_json::json!([{"Flags": ["SYN"], "Masks": ["SYN", "ACK"]}]);
            }),
            "TCP flags",
        ),
    ];
    for (name, file, edit, says) in cases {
        let dir = edited(INGRESS, name, file, edit);
        let a = ask(&dir, "internet", WEB, 6, 443);
        assert!(!a.path_found() && a.unknown, "{name}: {:#?}", codes(&a));
        assert!(
            a.explanations
                .iter()
                .all(|e| e.code.as_str().starts_with("FIREWALL_UNSUPPORTED_")),
            "{name}: {:#?}",
            codes(&a)
        );
        assert!(
            a.notes
                .iter()
                .any(|n| n.contains(says) && n.contains("not a verdict")),
            "{name}: {:?}",
            a.notes
        );
        std::fs::remove_dir_all(dir).ok();
    }
    // A firewall endpoint `describe-firewall` does not list (a VPC endpoint
    // association): an unknown `vpce-`, never a pass.
    let dir = edited(INGRESS, "association", "route-tables.json", |v| {
        let text = v
            .to_string()
            .replace(WEB_ENDPOINT, "vpce-0aaaabbbbccccdddd");
        *v = serde_json::from_str(&text).unwrap();
    });
    let a = ask(&dir, "internet", WEB, 6, 443);
    assert!(!a.path_found());
    assert!(
        codes(&a).iter().any(|(c, _, ids)| *c == "UNKNOWN_RESOURCE"
            && ids.iter().any(|i| i == "vpce-0aaaabbbbccccdddd")),
        "{:#?}",
        codes(&a)
    );
    std::fs::remove_dir_all(dir).ok();
}

fn vpcreach(args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// NF.10: an audit whose walks meet a rule vpcreach does not evaluate (the
/// domain deny list on egress from the spokes) is UNKNOWN and never exits
/// clean; one whose walks only meet evaluated rules (internet ingress on the
/// same snapshot: the deny list inspects traffic from HOME_NET only) is not.
#[test]
fn nf10_audit_is_unknown_where_unevaluated_rules_could_decide() {
    let snap = snapshot::load(Path::new(INSPECTION)).unwrap();
    let topo = Topology::new(&snap.network);
    let audit = |name: &str| {
        let text = vpcreach::audit::scope::built_in(name).unwrap();
        let scope = snapshot::scope_shapes::parse_scope(Path::new("t.json"), text, "t").unwrap();
        vpcreach::audit::audit(&topo, &scope).unwrap()
    };
    let egress = audit("aws-vpc-egress");
    assert!(
        egress.unknown.iter().any(|u| u.contains("egress-domains")),
        "{:?}",
        egress.unknown
    );
    assert!(audit("all-igw-ingress").unknown.is_empty());
    let cli = |scope: &str| {
        vpcreach(&[
            "audit",
            "--no-cache",
            "--snapshot",
            INSPECTION,
            "--scope",
            scope,
        ])
    };
    let (code, out) = cli("aws-vpc-egress");
    assert_eq!(code, Some(1));
    assert!(out.starts_with("UNKNOWN"), "{out}");
    assert!(out.contains("egress-domains"), "{out}");
    let (code, out) = cli("all-igw-ingress");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("exhaustively"), "{out}");
    // `diff` (and `whatif`): unknown wherever a firewall holds such rules.
    let (code, out) = vpcreach(&[
        "diff",
        "--no-cache",
        "--before",
        INSPECTION,
        "--after",
        INSPECTION,
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("UNKNOWN"), "{out}");
    assert_eq!(
        out.lines()
            .next()
            .unwrap()
            .matches("egress-domains")
            .count(),
        1,
        "{out}"
    );
}

/// NF.10: `flows` on a snapshot with a firewall says that firewall drops
/// are not attributed (they are ACCEPT at the ENI in flow logs, never
/// REJECT), naming the firewall; `path` names the rule group and sid.
#[test]
fn nf10_flows_says_firewall_drops_are_not_in_flow_logs() {
    let dir = std::env::temp_dir().join(format!("vpcreach-nfw-flows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("web.log");
    std::fs::write(
        &log,
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
         2 123456789012 eni-00566ef110138f8aa 198.51.100.10 10.30.1.10 40000 443 6 5 500 1700000000 1700000060 ACCEPT OK\n",
    )
    .unwrap();
    let (_, out) = vpcreach(&["flows", "--snapshot", INGRESS, log.to_str().unwrap()]);
    assert!(
        out.contains("note: AWS Network Firewall public-web-fw drops traffic beyond the ENI")
            && out.contains("(NF.10)"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).ok();
}
