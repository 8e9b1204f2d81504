//! Diagrams of answers and topologies (issue 18): DOT, Mermaid and SVG for
//! every fixture, DOT rendered by Graphviz, Mermaid checked by a small
//! grammar of the subset we emit, insta snapshots of the text.
//!
//! The pictures only draw what the analyses returned, so each check is
//! "every hop and every blocker of the answer is in the picture".

use std::path::{Path, PathBuf};
use std::process::Command;

mod diagram_support;

use diagram_support::*;
use vpcreach::analysis::{elb, path, PathAnalysis, PathQuery};
use vpcreach::report::diagram::{dot, markdown, mermaid, path as pictures, svg, topology};
use vpcreach::snapshot;
use vpcreach::topology::Topology;

fn analyse(name: &str, src: &str, dst: &str, proto: u8, port: Option<u16>) -> PathAnalysis {
    let snap = fixture(name);
    let topo = Topology::new(&snap.network);
    path::analyze(&topo, &query(src, dst, proto, port)).expect("path answers")
}

/// Every hop's component and every blocker's code appear in `text`.
fn assert_complete(a: &PathAnalysis, text: &str, what: &str) {
    for id in hops_and_blockers(a) {
        assert!(text.contains(&id), "{what}: {id} missing");
    }
}

// --- Mermaid: a grammar of the flowchart subset the renderer emits -------

/// A label inside `"…"`: no raw quote (entity codes only).
fn label_ok(s: &str) -> bool {
    !s.contains('"')
}

/// Checks `text` line by line against the statements we emit; returns the
/// first offending line. Node ids must be declared before edges use them,
/// `subgraph`/`end` must balance.
pub fn check_mermaid(text: &str) -> Result<(), String> {
    let mut lines = text.lines();
    if lines.next() != Some("flowchart LR") {
        return Err("first line must be `flowchart LR`".into());
    }
    let mut declared = std::collections::HashSet::new();
    let mut depth = 0usize;
    let mut edges = 0usize;
    let id = |s: &str| -> Option<String> {
        let ok = s.len() > 1 && s.starts_with('n') && s[1..].chars().all(|c| c.is_ascii_digit());
        ok.then(|| s.to_string())
    };
    for raw in lines {
        let l = raw.trim();
        let bad = || Err(format!("bad line: {raw}"));
        if l.is_empty() {
            continue;
        } else if let Some(rest) = l.strip_prefix("subgraph ") {
            let Some((cid, label)) = rest.split_once("[\"") else {
                return bad();
            };
            if !cid.starts_with('c')
                || !label.ends_with("\"]")
                || !label_ok(&label[..label.len() - 2])
            {
                return bad();
            }
            depth += 1;
        } else if l == "direction LR" {
            if depth == 0 {
                return bad();
            }
        } else if l == "end" {
            if depth == 0 {
                return bad();
            }
            depth -= 1;
        } else if let Some(rest) = l.strip_prefix("classDef ") {
            if rest.split_once(' ').is_none() {
                return bad();
            }
        } else if let Some(rest) = l.strip_prefix("linkStyle ") {
            let (list, _) = rest
                .split_once(' ')
                .ok_or_else(|| format!("bad line: {raw}"))?;
            if !list
                .split(',')
                .all(|n| n.parse::<usize>().is_ok_and(|n| n < edges))
            {
                return bad();
            }
        } else if let Some((node, rest)) = l.split_once("[\"") {
            let Some(n) = id(node) else { return bad() };
            let Some((label, class)) = rest.rsplit_once("\"]:::") else {
                return bad();
            };
            if !label_ok(label)
                || class.is_empty()
                || !class.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return bad();
            }
            declared.insert(n);
        } else {
            let parts: Vec<&str> = l.splitn(2, ' ').collect();
            let [from, rest] = parts[..] else {
                return bad();
            };
            let rest = rest
                .strip_prefix("-->")
                .or_else(|| rest.strip_prefix("-.-"))
                .ok_or_else(|| format!("bad line: {raw}"))?;
            let to = match rest.strip_prefix("|\"") {
                Some(labelled) => {
                    let Some((label, to)) = labelled.split_once("\"| ") else {
                        return bad();
                    };
                    if !label_ok(label) {
                        return bad();
                    }
                    to
                }
                None => rest.trim_start(),
            };
            for end in [from, to] {
                match id(end) {
                    Some(n) if declared.contains(&n) => {}
                    _ => return Err(format!("undeclared node in: {raw}")),
                }
            }
            edges += 1;
        }
    }
    if depth != 0 {
        return Err("unbalanced subgraph/end".into());
    }
    Ok(())
}

#[test]
fn mermaid_grammar_rejects_what_would_break_a_render() {
    assert!(check_mermaid("flowchart LR\n  n0[\"a\"]:::x\n  n0 --> n1\n").is_err());
    assert!(check_mermaid("flowchart LR\n  n0[\"a \"b\" c\"]:::x\n").is_err());
    assert!(check_mermaid("flowchart LR\n  subgraph c0[\"v\"]\n").is_err());
    assert!(check_mermaid(
        "flowchart LR\n  n0[\"a\"]:::x\n  n0 --> n0\n  linkStyle 1 stroke:red\n"
    )
    .is_err());
    assert!(check_mermaid(
        "flowchart LR\n  n0[\"a\"]:::x\n  n0 -->|\"l\"| n0\n  linkStyle 0 stroke:red\n"
    )
    .is_ok());
}

// --- Graphviz -------------------------------------------------------------

fn graphviz_present() -> bool {
    tool_present("dot", "-V", "graphviz")
}

/// Renders DOT with Graphviz; it must accept it without a warning.
fn render_dot(text: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dot runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "dot: {stderr}\n{text}"
    );
    String::from_utf8(out.stdout).unwrap()
}

// --- every fixture ----------------------------------------------------------

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && snapshot::load(&p).is_ok() {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Pairs each fixture is drawn for: from the internet and from its first
/// instance to each of the first few instances, on tcp/443 and icmp.
fn questions(net: &vpcreach::model::Network) -> Vec<PathQuery> {
    let instances: Vec<&String> = net.instances.keys().take(4).collect();
    let mut out = Vec::new();
    for dst in &instances {
        out.push(query("internet", dst, 6, Some(443)));
        if let Some(src) = instances.first().filter(|s| *s != dst) {
            out.push(query(src, dst, 6, Some(443)));
            out.push(query(src, dst, 1, Some(8)));
        }
    }
    out
}

#[test]
fn every_fixture_path_and_topology_draws_every_hop_and_blocker_in_every_format() {
    let graphviz = graphviz_present();
    let mut drawn = 0;
    for dir in fixture_dirs() {
        let snap = snapshot::load(&dir).unwrap();
        let topo = Topology::new(&snap.network);
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        for q in questions(&snap.network) {
            let Ok(a) = path::analyze(&topo, &q) else {
                continue;
            };
            let d = pictures::path(&a);
            let what = format!("{name} {} → {}", q.source, q.destination);
            let (dot_text, mermaid_text, svg_text) =
                (dot::render(&d), mermaid::render(&d), svg::render(&d));
            assert_complete(&a, &dot_text, &format!("{what} (dot)"));
            assert_complete(&a, &mermaid_text, &format!("{what} (mermaid)"));
            assert_complete(&a, &svg_text, &format!("{what} (svg)"));
            check_mermaid(&mermaid_text).unwrap_or_else(|e| panic!("{what}: {e}\n{mermaid_text}"));
            if graphviz {
                render_dot(&dot_text);
            }
            drawn += 1;
        }
        let d = topology::topology(&topo, &topology::Selection::default()).unwrap();
        let texts = [dot::render(&d), mermaid::render(&d), svg::render(&d)];
        for s in snap.network.subnets.keys().take(topology::SUBNETS_MAX) {
            for t in &texts {
                assert!(
                    t.contains(s.as_str()),
                    "{name}: subnet {s} missing from the topology"
                );
            }
        }
        check_mermaid(&texts[1]).unwrap_or_else(|e| panic!("{name} topology: {e}\n{}", texts[1]));
        if graphviz {
            render_dot(&texts[0]);
        }
    }
    assert!(drawn > 40, "only {drawn} paths drawn");
}

#[test]
fn a_blocked_path_puts_the_code_on_the_blocking_component_in_red() {
    // three-tier: internet → web tcp/22 stops at the web SG (C1.1).
    let a = analyse("three-tier", "internet", WEB, 6, Some(22));
    let d = pictures::path(&a);
    let blocked: Vec<_> = d.nodes.iter().filter(|n| n.blocked).collect();
    assert!(!blocked.is_empty());
    assert!(blocked
        .iter()
        .any(|n| n.lines.iter().any(|l| l == "✗ ENI_SG_RULES_MISMATCH")));
    let svg_text = svg::render(&d);
    assert!(
        svg_text.contains("class=\"node component blocked\"")
            || svg_text.contains("class=\"node end blocked\"")
    );
    assert!(dot::render(&d).contains("#c62828"));
}

#[test]
fn a_return_path_blocker_sits_in_the_return_lane() {
    // icmp-deny: hb → ha echo gets there, the reply is denied by the ACL (C2.2).
    let a = analyse("icmp-deny", HB, HA, 1, Some(8));
    let d = pictures::path(&a);
    let lane = d
        .clusters
        .iter()
        .position(|c| c.label.starts_with("return:"))
        .expect("a return lane");
    assert!(d.nodes.iter().any(|n| n.cluster == Some(lane)
        && n.blocked
        && n.lines.iter().any(|l| l.contains("SUBNET_ACL_RESTRICTION"))));
}

#[test]
fn a_load_balancer_answer_has_one_branch_per_target() {
    let snap = fixture("elb");
    let topo = Topology::new(&snap.network);
    let q = query("internet", "web-alb", 6, Some(80));
    let (lb, node) = elb::resolve(&topo, &q.destination).unwrap().unwrap();
    let a = elb::analyze(&topo, &q, lb, node.as_deref(), false).unwrap();
    let d = pictures::load_balancer(&a);
    for t in &a.to_targets {
        let lane = format!("{} → {}:{}", t.node.id, t.target.id, t.port);
        assert!(
            d.clusters.iter().any(|c| c.label.starts_with(&lane)),
            "{lane}"
        );
    }
    let text = mermaid::render(&d);
    check_mermaid(&text).unwrap();
    assert!(
        text.contains("ENI_SG_RULES_MISMATCH"),
        "the legacy target's blocker is drawn"
    );
    if graphviz_present() {
        render_dot(&dot::render(&d));
    }
    insta::assert_snapshot!("elb_internet_web_alb_80_mermaid", text);
}

#[test]
fn snapshots_of_path_pictures() {
    let blocked = analyse("three-tier", "internet", WEB, 6, Some(22));
    insta::assert_snapshot!(
        "three_tier_internet_web_22_dot",
        dot::render(&pictures::path(&blocked))
    );
    insta::assert_snapshot!(
        "three_tier_internet_web_22_mermaid",
        mermaid::render(&pictures::path(&blocked))
    );
    let ok = analyse("three-tier", WEB, APP, 6, Some(8080));
    insta::assert_snapshot!(
        "three_tier_web_app_8080_mermaid",
        mermaid::render(&pictures::path(&ok))
    );
    let ret = analyse("icmp-deny", HB, HA, 1, Some(8));
    insta::assert_snapshot!(
        "icmp_deny_return_blocked_dot",
        dot::render(&pictures::path(&ret))
    );
}

#[test]
fn snapshots_of_topology_pictures() {
    for (name, sel) in [
        ("three-tier", topology::Selection::default()),
        (
            "tgw-hub-spoke",
            topology::Selection {
                vpcs: Vec::new(),
                around: Some("i-0efdb9ebeec523f4e".into()),
            },
        ),
    ] {
        let snap = fixture(name);
        let topo = Topology::new(&snap.network);
        let d = topology::topology(&topo, &sel).unwrap();
        insta::assert_snapshot!(
            format!("topology_{}_dot", name.replace('-', "_")),
            dot::render(&d)
        );
        insta::assert_snapshot!(
            format!("topology_{}_mermaid", name.replace('-', "_")),
            mermaid::render(&d)
        );
    }
}

#[test]
fn around_a_resource_draws_its_vpc_in_full_and_peers_as_single_nodes() {
    let snap = fixture("tgw-hub-spoke");
    let topo = Topology::new(&snap.network);
    let around = "i-0efdb9ebeec523f4e";
    let d = topology::topology(
        &topo,
        &topology::Selection {
            vpcs: Vec::new(),
            around: Some(around.into()),
        },
    )
    .unwrap();
    let focus_vpc = snap.network.instances[around].vpc_id.clone().unwrap();
    assert_eq!(d.clusters.len(), 1, "only the focus VPC is a box");
    assert!(d.clusters[0].label.contains(&focus_vpc));
    assert!(d.texts().any(|t| t.starts_with(around)));
    assert!(d.texts().any(|t| t.starts_with("tgw-")));
    let err = topology::topology(
        &topo,
        &topology::Selection {
            vpcs: Vec::new(),
            around: Some("i-nope".into()),
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("i-nope"));
}

#[test]
fn markdown_stays_under_the_comment_limit_and_keeps_mermaid_valid() {
    let snap = fixture("three-tier");
    let topo = Topology::new(&snap.network);
    let r = audit_igw_ingress(&topo);
    assert!(!r.findings.is_empty());
    let md = markdown::audit(&r, &[]);
    assert!(md.len() < markdown::COMMENT_MAX);
    let blocks: Vec<&str> = md
        .split("```mermaid\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), r.findings.len());
    for b in blocks {
        check_mermaid(b).unwrap();
    }
    // A report too big for one comment keeps what fits and counts the rest.
    let mut big = "x".repeat(markdown::COMMENT_MAX - 3000);
    markdown::append_diagrams(
        &mut big,
        r.findings
            .iter()
            .cycle()
            .take(200)
            .map(|f| pictures::finding(f, "tcp")),
    );
    assert!(big.len() < markdown::COMMENT_MAX, "{}", big.len());
    assert!(big.contains("more diagram(s) left out"));
}
