//! Load balancer answers (`path --destination <load balancer>`): the leg
//! to each node, then each node → target leg, as text and as JSON whose
//! legs are `NetworkInsightsAnalysis`-shaped like a plain `path`.

use std::fmt::Write;

use serde_json::{json, Value};

use crate::analysis::describe::describe_protocols;
use crate::analysis::elb::{LbAnalysis, TargetLeg};
use crate::report::json;
use crate::report::text::{self, Style};

fn leg_json(t: &TargetLeg, warnings: &[String]) -> Value {
    json!({
        "LoadBalancerNode": json::component(&t.node),
        "Listener": t.listener,
        "LoadBalancerTargetGroup": t.target_group.as_ref().map(json::component),
        "LoadBalancerTarget": {
            "Id": t.target.id,
            "Name": t.target.name,
            "Port": t.port,
            "AvailabilityZone": t.zone,
            "Health": t.health,
        },
        "ClientIpPreserved": t.client_ip_preserved,
        "Reachable": t.reached(),
        "AdmittedTraffic": json::admitted_traffic(&t.admitted),
        "Explanations": t.explanations.iter().map(json::explanation).collect::<Vec<_>>(),
        "Analysis": t.analysis.as_ref().map(|a| json::path_analysis(a, warnings)),
    })
}

pub fn json(a: &LbAnalysis, warnings: &[String]) -> Value {
    json!({
        "NetworkPathFound": a.path_found(),
        "LoadBalancerReachable": a.reaches_lb(),
        "Source": json::component(&a.source),
        "LoadBalancer": {
            "LoadBalancerArn": a.load_balancer.id,
            "Name": a.load_balancer.name,
            "Type": a.kind.as_str(),
            "Scheme": if a.internet_facing { "internet-facing" } else { "internal" },
        },
        "VerdictCovers": if a.lb_only { "load balancer" } else { "targets" },
        "AdmittedTraffic": json::admitted_traffic(&a.admitted()),
        "Explanations": a.explanations.iter().map(json::explanation).collect::<Vec<_>>(),
        "ToLoadBalancer": a.to_lb.iter().map(|n| json!({
            "LoadBalancerNode": json::component(&n.node),
            "AvailabilityZone": n.zone,
            "Listeners": n.listeners.iter().map(|(l, s)| json!({"Listener": l, "AdmittedTraffic": json::admitted_traffic(s)})).collect::<Vec<_>>(),
            "Analysis": json::path_analysis(&n.analysis, &[]),
        })).collect::<Vec<_>>(),
        "ToTargets": a.to_targets.iter().map(|t| leg_json(t, &[])).collect::<Vec<_>>(),
        "AdditionalDetails": a.additional_details.iter().map(|code| json!({
            "AdditionalDetailType": code.as_str(),
            "LoadBalancers": [{"Arn": a.load_balancer.id, "Id": a.load_balancer.name}],
        })).collect::<Vec<_>>(),
        "Notes": a.notes,
        "Warnings": warnings,
    })
}

pub fn text(a: &LbAnalysis, warnings: &[String], style: Style) -> String {
    let mut out = String::new();
    let lb = text::name(&a.load_balancer);
    let scheme = if a.internet_facing {
        "internet-facing"
    } else {
        "internal"
    };
    let _ = writeln!(
        out,
        "{} {} → load balancer {lb} ({}, {scheme})",
        style.bold("path"),
        text::name(&a.source),
        a.kind.as_str()
    );
    let _ = writeln!(out);
    let reached: Vec<&TargetLeg> = a.to_targets.iter().filter(|t| t.reached()).collect();
    if a.path_found() {
        let what = if a.lb_only {
            "the load balancer's listeners".to_string()
        } else {
            let mut ts: Vec<String> = reached
                .iter()
                .map(|t| format!("{}:{}", text::name(&t.target), t.port))
                .collect();
            ts.sort();
            ts.dedup();
            ts.join(", ")
        };
        let _ = writeln!(
            out,
            "{} {} reaches {what}",
            style.green("REACHABLE"),
            describe_protocols(&a.admitted_or_lb())
        );
    } else if a.reaches_lb() && !a.lb_only {
        let _ = writeln!(
            out,
            "{} the load balancer is reached, but no target behind it",
            style.red("NOT REACHABLE")
        );
    } else {
        let _ = writeln!(out, "{}", style.red("NOT REACHABLE"));
    }
    for e in &a.explanations {
        let _ = writeln!(out, "  {} [{}] {}", style.red("✗"), e.code, e.message);
        if let Some(f) = &e.fix {
            let _ = writeln!(out, "      fix: {f}");
        }
    }
    for n in &a.to_lb {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!("== to node {} ({})", text::name(&n.node), n.zone))
        );
        for (l, s) in &n.listeners {
            let verdict = if s.is_empty() {
                "nothing".to_string()
            } else {
                describe_protocols(s)
            };
            let _ = writeln!(out, "  listener {l}: {verdict}");
        }
        out.push_str(&indent(&text::path_analysis(&n.analysis, &[], style)));
    }
    for t in &a.to_targets {
        let _ = writeln!(out);
        let tg = t
            .target_group
            .as_ref()
            .map(|g| format!(" → {}", text::name(g)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!(
                "== {} → {}:{} via {} ({}{tg})",
                text::name(&t.node),
                text::name(&t.target),
                t.port,
                t.listener,
                if t.reached() {
                    "reached"
                } else {
                    "not reached"
                }
            ))
        );
        let _ = writeln!(
            out,
            "  source seen by the target: {}; health (ignored): {}; AZ: {}",
            if t.client_ip_preserved {
                "the client's address (preserved)"
            } else {
                "the load balancer node's private address"
            },
            t.health.as_deref().unwrap_or("unknown"),
            t.zone.as_deref().unwrap_or("unknown")
        );
        for e in &t.explanations {
            let _ = writeln!(out, "  {} [{}] {}", style.red("✗"), e.code, e.message);
            if let Some(f) = &e.fix {
                let _ = writeln!(out, "      fix: {f}");
            }
        }
        if let Some(an) = &t.analysis {
            out.push_str(&indent(&text::path_analysis(an, &[], style)));
        }
    }
    if !a.notes.is_empty() || !warnings.is_empty() {
        let _ = writeln!(out);
    }
    for n in &a.notes {
        let _ = writeln!(out, "{} {n}", style.yellow("note:"));
    }
    for w in warnings {
        let _ = writeln!(out, "{} {w}", style.yellow("warning:"));
    }
    out
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("  {l}\n")
            }
        })
        .collect()
}
