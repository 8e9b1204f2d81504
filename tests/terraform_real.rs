//! The real plans of ../shared/terraform/ (used by path, never copied),
//! greenfield: what each exposes, traced by hand from the plan JSON (see
//! docs/terraform.md, "Real plans").

use std::collections::BTreeSet;
use std::path::Path;

use vpcreach::plan::{evaluate, Evaluation};
use vpcreach::snapshot::terraform;

/// `../shared/terraform/<path>` from the repository root (`../../shared`
/// from a worktree under /work/wt/).
fn shared(path: &str) -> String {
    ["../shared/terraform", "../../shared/terraform"]
        .iter()
        .map(|dir| format!("{dir}/{path}"))
        .find(|p| Path::new(p).exists())
        .unwrap_or_else(|| panic!("{path} is missing"))
}

fn greenfield(path: &str) -> Evaluation {
    let path = shared(path);
    let plan = terraform::read(Path::new(&path), false).unwrap_or_else(|e| panic!("{path}: {e}"));
    evaluate(None, &[plan])
}

fn named(
    e: &Evaluation,
    list: &[vpcreach::whatif::differential::ReachChange],
) -> BTreeSet<(String, String, String)> {
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

fn id_of(e: &Evaluation, address: &str) -> String {
    e.translation
        .addresses
        .iter()
        .find(|(_, a)| a.as_str() == address)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no id for {address}"))
}

/// tfc-issue-514: a VPC, two `count` subnets and a NACL without inline
/// rules whose `subnet_ids` references the whole counted resource. The NACL
/// holds both subnets and no entries: everything is denied there (C2), and
/// with no interfaces the plan exposes nothing.
#[test]
fn tfc_issue_514_nacl_without_rules_holds_both_counted_subnets() {
    let e = greenfield("tfc-issue-514/plan.out.json");
    let acl = &e.translation.network.network_acls
        [&id_of(&e, "module.vpc_module.aws_network_acl.vpc_subnet_acl")];
    assert!(acl.entries.is_empty());
    let subnets: BTreeSet<&str> = acl
        .subnet_ids
        .iter()
        .map(|s| e.translation.name(s))
        .collect();
    assert_eq!(
        subnets,
        [
            "module.vpc_module.aws_subnet.vpc_subnet[0]",
            "module.vpc_module.aws_subnet.vpc_subnet[1]"
        ]
        .into()
    );
    assert!(e.diff.gained.is_empty() && e.diff.lost.is_empty() && e.unknown.is_empty());
    assert!(
        e.translation.unknown.is_empty(),
        "{:?}",
        e.translation.unknown
    );
}

/// checkov-for-each-sg: three groups of `module.sg["…"]` (for_each over a
/// module), each with one inline ingress rule (all protocols from
/// 0.0.0.0/0) in the VPC read by `data.aws_vpc` (vpc-123456abc, from
/// prior_state); `egress` is computed, not configured, so the groups have
/// no egress rule. No interface uses them: nothing is exposed yet.
#[test]
fn checkov_for_each_sg_groups_open_everything_but_nothing_uses_them() {
    let e = greenfield("checkov-for-each-sg/tf_plan.json");
    for key in ["awful_example", "bad_example", "terrible_example"] {
        let g = &e.translation.network.security_groups
            [&id_of(&e, &format!("module.sg[\"{key}\"].aws_security_group.bad"))];
        assert_eq!(g.vpc_id.as_deref(), Some("vpc-123456abc"));
        assert_eq!(g.ingress.len(), 1);
        assert_eq!(g.ingress[0].protocol, vpcreach::model::Protocol::All);
        assert!(g.egress.is_empty());
    }
    assert!(e.diff.gained.is_empty() && e.diff.lost.is_empty() && e.unknown.is_empty());
}

/// tfc-issue-158: terraform-aws-modules/vpc. Every subnet, route table and
/// the IGW take `vpc_id` from `local.vpc_id`, which the JSON plan does not
/// expand: those stay unknown (never guessed as "the module's VPC"). With
/// no instance or interface in the plan, no pair exists to be unknown.
#[test]
fn tfc_issue_158_module_locals_leave_the_layout_unknown() {
    let e = greenfield("tfc-issue-158/plan.out.json");
    let causes: BTreeSet<String> = e
        .translation
        .unknown
        .iter()
        .map(|u| format!("{}.{}", u.address, u.attribute))
        .collect();
    assert!(
        causes.contains("module.vpc.aws_subnet.public[0].vpc_id"),
        "{causes:?}"
    );
    assert!(causes.contains("module.vpc.aws_internet_gateway.this[0].vpc_id"));
    assert!(e
        .translation
        .notes
        .iter()
        .any(|n| n.contains("aws_vpn_gateway.this[0]") && n.contains("not evaluated")));
    assert!(e.diff.gained.is_empty() && e.diff.lost.is_empty() && e.unknown.is_empty());
}

/// checkov-terragoat: web_vpc 172.16.0.0/16, IGW, web_rtb with a separate
/// 0.0.0.0/0 → IGW route, both web subnets associated (map_public_ip_on_launch
/// true, so both instances get public addresses), web-node SG with inline
/// tcp/22 and tcp/80 from 0.0.0.0/0 and all egress, the default NACL.
/// db_app (web-node, web_subnet) is reachable from the internet on tcp/22
/// and tcp/80 and reaches the internet with everything. web_host is the same
/// but sits behind the classic ELB, which is not evaluated: its pairs are
/// unknown, with tcp/22,80 from the internet as the tentative answer.
/// web-eni (172.16.10.100, default SG, not attached) reaches nothing (C6).
#[test]
fn checkov_terragoat_exposes_ssh_and_http_on_both_instances() {
    let e = greenfield("checkov-terragoat/tfplan.json");
    let gained = named(&e, &e.diff.gained);
    let expected: BTreeSet<(String, String, String)> = [
        ("internet", "aws_instance.db_app", "tcp/22,80"),
        ("aws_instance.db_app", "internet", "all traffic"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(gained, expected);
    let web = e
        .unknown
        .iter()
        .find(|u| {
            u.source == "internet" && e.translation.name(&u.destination) == "aws_instance.web_host"
        })
        .expect("internet → web_host is unknown");
    assert_eq!(web.causes, ["aws_elb.weblb.(not evaluated)"]);
    assert_eq!(web.tentative.as_ref().unwrap().summary, ["tcp/22,80"]);
    assert!(e.unknown.iter().all(|u| [&u.source, &u.destination]
        .iter()
        .any(|x| e.translation.name(x) == "aws_instance.web_host")));
}
