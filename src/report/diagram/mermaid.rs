//! Mermaid `flowchart LR`, as GitHub, GitLab and Bitbucket render it in
//! Markdown: clusters as `subgraph`, blockers with the `blocked` class.
//!
//! Owns: Mermaid syntax and escaping (entity codes, never raw quotes or
//! brackets inside labels). Must not know: what the nodes mean.

use std::fmt::Write;

use super::model::{clip, Diagram, NodeKind};

/// Mermaid labels are HTML inside quotes: entity codes keep `"`, `<`, `>`,
/// `#`, `|` and brackets from ending the label or the statement.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            _ => out.push(c),
        }
    }
    out
}

fn class(kind: NodeKind, blocked: bool) -> &'static str {
    if blocked {
        return "blocked";
    }
    match kind {
        NodeKind::End => "end_",
        NodeKind::Component => "component",
        NodeKind::Subnet => "subnet",
        NodeKind::Gateway => "gateway",
        NodeKind::LoadBalancer => "lb",
        NodeKind::Elided => "elided",
        NodeKind::Focus => "focus",
    }
}

const CLASS_DEFS: &[(&str, &str)] = &[
    (
        "blocked",
        "fill:#fde2e2,stroke:#c62828,stroke-width:2px,color:#7f1d1d",
    ),
    ("end_", "fill:#e8f0fe,stroke:#1a56db,stroke-width:2px"),
    ("component", "fill:#f4f6f8,stroke:#6b7280"),
    ("subnet", "fill:#ecfdf5,stroke:#059669"),
    ("gateway", "fill:#fff7e6,stroke:#b45309"),
    ("lb", "fill:#f3e8ff,stroke:#7e22ce"),
    ("elided", "fill:#ffffff,stroke:#9ca3af,stroke-dasharray:4 3"),
    ("focus", "fill:#fef9c3,stroke:#a16207,stroke-width:3px"),
];

pub fn render(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "flowchart LR");
    let node_line = |i: usize| {
        let n = &d.nodes[i];
        let label: Vec<String> = n.lines.iter().map(|l| escape(&clip(l))).collect();
        format!(
            "n{i}[\"{}\"]:::{}",
            label.join("<br/>"),
            class(n.kind, n.blocked)
        )
    };
    for (c, cluster) in d.clusters.iter().enumerate() {
        let _ = writeln!(out, "  subgraph c{c}[\"{}\"]", escape(&cluster.label));
        let _ = writeln!(out, "    direction LR");
        for i in (0..d.nodes.len()).filter(|&i| d.nodes[i].cluster == Some(c)) {
            let _ = writeln!(out, "    {}", node_line(i));
        }
        let _ = writeln!(out, "  end");
    }
    for i in (0..d.nodes.len()).filter(|&i| d.nodes[i].cluster.is_none()) {
        let _ = writeln!(out, "  {}", node_line(i));
    }
    let mut red = Vec::new();
    for (k, e) in d.edges.iter().enumerate() {
        let arrow = if e.dashed { "-.-" } else { "-->" };
        let label = e
            .label
            .as_ref()
            .map(|l| format!("|\"{}\"|", escape(&clip(l))))
            .unwrap_or_default();
        let _ = writeln!(out, "  n{} {arrow}{label} n{}", e.from, e.to);
        if e.blocked {
            red.push(k.to_string());
        }
    }
    if !red.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#c62828,stroke-width:2px",
            red.join(",")
        );
    }
    let used: std::collections::BTreeSet<&str> =
        d.nodes.iter().map(|n| class(n.kind, n.blocked)).collect();
    for (name, css) in CLASS_DEFS {
        if used.contains(name) {
            let _ = writeln!(out, "  classDef {name} {css}");
        }
    }
    out
}
