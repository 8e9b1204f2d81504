//! Graphviz DOT: clusters as `subgraph cluster_N`, blockers red, left to right.
//!
//! Owns: DOT syntax and escaping. Must not know: what the nodes mean.

use std::fmt::Write;

use super::model::{clip, Diagram, NodeKind};

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn style(kind: NodeKind, blocked: bool) -> &'static str {
    if blocked {
        return "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#fde2e2\", color=\"#c62828\", fontcolor=\"#7f1d1d\"";
    }
    match kind {
        NodeKind::End => "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#e8f0fe\", color=\"#1a56db\"",
        NodeKind::Component => "shape=box, style=\"rounded,filled\", fillcolor=\"#f4f6f8\", color=\"#6b7280\"",
        NodeKind::Subnet => "shape=box, style=filled, fillcolor=\"#ecfdf5\", color=\"#059669\"",
        NodeKind::Gateway => "shape=box, style=\"rounded,filled\", fillcolor=\"#fff7e6\", color=\"#b45309\"",
        NodeKind::LoadBalancer => "shape=box, style=\"rounded,filled\", fillcolor=\"#f3e8ff\", color=\"#7e22ce\"",
        NodeKind::Elided => "shape=note, style=dashed, color=\"#9ca3af\", fontcolor=\"#6b7280\"",
        NodeKind::Focus => "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#fef9c3\", color=\"#a16207\", penwidth=2",
    }
}

pub fn render(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph vpcreach {{");
    let _ = writeln!(out, "  label={};", quote(&d.title));
    let _ = writeln!(
        out,
        "  labelloc=t; rankdir=LR; fontname=\"Helvetica\"; newrank=true;"
    );
    let _ = writeln!(
        out,
        "  node [fontname=\"Helvetica\", fontsize=10]; edge [fontname=\"Helvetica\", fontsize=9];"
    );
    let node_line = |i: usize| {
        let n = &d.nodes[i];
        let label: Vec<String> = n.lines.iter().map(|l| clip(l)).collect();
        format!(
            "n{i} [label={}, {}];",
            quote(&label.join("\n")),
            style(n.kind, n.blocked)
        )
    };
    for (c, cluster) in d.clusters.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{c} {{");
        let _ = writeln!(
            out,
            "    label={}; style=\"rounded\"; color=\"#94a3b8\";",
            quote(&cluster.label)
        );
        for i in (0..d.nodes.len()).filter(|&i| d.nodes[i].cluster == Some(c)) {
            let _ = writeln!(out, "    {}", node_line(i));
        }
        let _ = writeln!(out, "  }}");
    }
    for i in (0..d.nodes.len()).filter(|&i| d.nodes[i].cluster.is_none()) {
        let _ = writeln!(out, "  {}", node_line(i));
    }
    for e in &d.edges {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label={}", quote(&clip(l))));
        }
        if e.blocked {
            attrs.push("color=\"#c62828\", fontcolor=\"#c62828\", penwidth=2".to_string());
        }
        if e.dashed {
            attrs.push("style=dashed, arrowhead=none".to_string());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(out, "  n{} -> n{}{attrs};", e.from, e.to);
    }
    let _ = writeln!(out, "}}");
    out
}
