//! SVG in Rust, no JavaScript: a layered left-to-right layout in lanes.
//!
//! Columns are ranks (a node's own, or its longest distance from a node
//! without predecessors). Each cluster is a horizontal lane, in order of its
//! first node, so cluster boxes never overlap; within a lane a column's
//! nodes stack in the order they were added. Edges are curves from a node's
//! right side to the next one's left side.
//!
//! `layout-rs` was measured first: it builds offline (no dependencies) but
//! draws no cluster boxes (subgraphs are parsed, then flattened), and VPC
//! boxes and forward/return lanes are the point of these pictures.
//!
//! Owns: geometry, SVG syntax and escaping. Must not know: what the nodes mean.

use std::fmt::Write;

use super::model::{clip, Diagram, NodeKind};

const CHAR_W: f64 = 6.4;
const LINE_H: f64 = 14.0;
const PAD: f64 = 8.0;
const COL_GAP: f64 = 56.0;
const ROW_GAP: f64 = 14.0;
const LANE_GAP: f64 = 18.0;
const LANE_HEAD: f64 = 22.0;
const MARGIN: f64 = 16.0;
const TITLE_H: f64 = 26.0;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Longest distance from a root, explicit ranks kept; edges closing a
/// cycle are ignored (Kahn's order, the rest ranked after their known
/// predecessors).
fn ranks(d: &Diagram) -> Vec<usize> {
    let n = d.nodes.len();
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &d.edges {
        if e.from != e.to && e.from < n && e.to < n {
            out[e.from].push(e.to);
            indeg[e.to] += 1;
        }
    }
    let mut rank: Vec<usize> = d.nodes.iter().map(|x| x.rank.unwrap_or(0)).collect();
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut done = vec![false; n];
    loop {
        while let Some(i) = queue.pop_front() {
            done[i] = true;
            for &j in &out[i] {
                if d.nodes[j].rank.is_none() {
                    rank[j] = rank[j].max(rank[i] + 1);
                }
                indeg[j] -= 1;
                if indeg[j] == 0 {
                    queue.push_back(j);
                }
            }
        }
        // A cycle: release its first node and carry on.
        match (0..n).find(|&i| !done[i] && indeg[i] > 0) {
            Some(i) => {
                indeg[i] = 0;
                queue.push_back(i);
            }
            None => break,
        }
    }
    rank
}

struct Placed {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn node_size(lines: &[String]) -> (f64, f64) {
    let chars = lines
        .iter()
        .map(|l| clip(l).chars().count())
        .max()
        .unwrap_or(1);
    (
        chars as f64 * CHAR_W + 2.0 * PAD,
        lines.len().max(1) as f64 * LINE_H + PAD * 1.5,
    )
}

fn colours(kind: NodeKind, blocked: bool) -> (&'static str, &'static str) {
    if blocked {
        return ("#fde2e2", "#c62828");
    }
    match kind {
        NodeKind::End => ("#e8f0fe", "#1a56db"),
        NodeKind::Component => ("#f4f6f8", "#6b7280"),
        NodeKind::Subnet => ("#ecfdf5", "#059669"),
        NodeKind::Gateway => ("#fff7e6", "#b45309"),
        NodeKind::LoadBalancer => ("#f3e8ff", "#7e22ce"),
        NodeKind::Elided => ("#ffffff", "#9ca3af"),
        NodeKind::Focus => ("#fef9c3", "#a16207"),
    }
}

fn kind_class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::End => "end",
        NodeKind::Component => "component",
        NodeKind::Subnet => "subnet",
        NodeKind::Gateway => "gateway",
        NodeKind::LoadBalancer => "lb",
        NodeKind::Elided => "elided",
        NodeKind::Focus => "focus",
    }
}

pub fn render(d: &Diagram) -> String {
    let rank = ranks(d);
    let columns = rank.iter().copied().max().map_or(0, |m| m + 1);
    let sizes: Vec<(f64, f64)> = d.nodes.iter().map(|n| node_size(&n.lines)).collect();
    let mut col_w = vec![0f64; columns];
    for (i, &(w, _)) in sizes.iter().enumerate() {
        col_w[rank[i]] = col_w[rank[i]].max(w);
    }
    let mut col_x = vec![MARGIN; columns];
    for c in 1..columns {
        col_x[c] = col_x[c - 1] + col_w[c - 1] + COL_GAP;
    }
    // Lanes: one per cluster, one for the unclustered nodes, in order of first node.
    let lane_key = |i: usize| d.nodes[i].cluster;
    let mut lanes: Vec<Option<usize>> = Vec::new();
    for i in 0..d.nodes.len() {
        if !lanes.contains(&lane_key(i)) {
            lanes.push(lane_key(i));
        }
    }
    let mut placed: Vec<Placed> = (0..d.nodes.len())
        .map(|_| Placed {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0,
        })
        .collect();
    let mut y = MARGIN + TITLE_H;
    let mut lane_boxes = Vec::new();
    for lane in &lanes {
        let members: Vec<usize> = (0..d.nodes.len())
            .filter(|&i| lane_key(i) == *lane)
            .collect();
        let head = if lane.is_some() { LANE_HEAD } else { 0.0 };
        let mut col_y = vec![y + head + PAD; columns];
        let mut bottom = y + head;
        for &i in &members {
            let c = rank[i];
            let (w, h) = sizes[i];
            placed[i] = Placed {
                x: col_x[c] + (col_w[c] - w) / 2.0,
                y: col_y[c],
                w,
                h,
            };
            col_y[c] += h + ROW_GAP;
            bottom = bottom.max(col_y[c]);
        }
        if let Some(c) = lane {
            let left = members
                .iter()
                .map(|&i| placed[i].x)
                .fold(f64::MAX, f64::min)
                - PAD;
            let right = members
                .iter()
                .map(|&i| placed[i].x + placed[i].w)
                .fold(0.0, f64::max)
                + PAD;
            let label_w = d.clusters[*c].label.chars().count() as f64 * CHAR_W + 2.0 * PAD;
            lane_boxes.push((*c, left, y, (right - left).max(label_w), bottom - y));
        }
        y = bottom + LANE_GAP;
    }
    let width = col_x.last().zip(col_w.last()).map_or(200.0, |(x, w)| x + w) + MARGIN;
    let width = lane_boxes
        .iter()
        .map(|b| b.1 + b.3 + MARGIN)
        .fold(width, f64::max)
        .max(d.title.chars().count() as f64 * 7.5 + 2.0 * MARGIN);
    let height = y + MARGIN;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="vpcreach-diagram" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="Helvetica, Arial, sans-serif" font-size="11" role="img" aria-label="{}">"#,
        escape(&d.title)
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&d.title));
    let _ = writeln!(
        out,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4b5563"/></marker><marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker></defs>"##
    );
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="{}" font-size="14" font-weight="bold" fill="#111827">{}</text>"##,
        MARGIN + 12.0,
        escape(&d.title)
    );
    for (c, x, y, w, h) in &lane_boxes {
        let _ = writeln!(
            out,
            r##"<g class="cluster"><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="8" fill="#f8fafc" stroke="#94a3b8"/><text x="{:.1}" y="{:.1}" font-weight="bold" fill="#334155">{}</text></g>"##,
            x + PAD,
            y + 15.0,
            escape(&d.clusters[*c].label)
        );
    }
    for e in &d.edges {
        let (a, b) = (&placed[e.from], &placed[e.to]);
        let (x1, y1, x2, y2) = if rank[e.to] > rank[e.from] {
            (a.x + a.w, a.y + a.h / 2.0, b.x, b.y + b.h / 2.0)
        } else if rank[e.to] < rank[e.from] {
            (a.x, a.y + a.h / 2.0, b.x + b.w, b.y + b.h / 2.0)
        } else if b.y > a.y {
            (a.x + a.w / 2.0, a.y + a.h, b.x + b.w / 2.0, b.y)
        } else {
            (a.x + a.w / 2.0, a.y, b.x + b.w / 2.0, b.y + b.h)
        };
        let bend = if rank[e.to] == rank[e.from] {
            0.0
        } else {
            ((x2 - x1) / 2.0).abs().max(20.0) * (x2 - x1).signum()
        };
        let (colour, marker, width) = if e.blocked {
            ("#c62828", "url(#arrow-red)", 2.0)
        } else {
            ("#4b5563", "url(#arrow)", 1.2)
        };
        let dash = if e.dashed {
            r#" stroke-dasharray="5 4""#
        } else {
            ""
        };
        let end = if e.dashed {
            String::new()
        } else {
            format!(r#" marker-end="{marker}""#)
        };
        let _ = writeln!(
            out,
            r#"<path class="edge{}" d="M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}" fill="none" stroke="{colour}" stroke-width="{width}"{dash}{end}/>"#,
            if e.blocked { " blocked" } else { "" },
            x1 + bend,
            x2 - bend
        );
        if let Some(l) = &e.label {
            let _ = writeln!(
                out,
                r##"<text class="edge-label" x="{:.1}" y="{:.1}" text-anchor="middle" font-size="9" fill="{colour}" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0 - 3.0,
                escape(&clip(l))
            );
        }
    }
    for (i, n) in d.nodes.iter().enumerate() {
        let p = &placed[i];
        let (fill, stroke) = colours(n.kind, n.blocked);
        let width = if n.blocked || n.kind == NodeKind::Focus {
            2.2
        } else {
            1.0
        };
        let dash = if n.kind == NodeKind::Elided {
            r#" stroke-dasharray="4 3""#
        } else {
            ""
        };
        let full: Vec<String> = n.lines.iter().map(|l| escape(l)).collect();
        let _ = write!(
            out,
            r#"<g class="node {}{}"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>"#,
            kind_class(n.kind),
            if n.blocked { " blocked" } else { "" },
            full.join("&#10;"),
            p.x,
            p.y,
            p.w,
            p.h
        );
        for (k, line) in n.lines.iter().enumerate() {
            let weight = if k == 0 { r#" font-weight="bold""# } else { "" };
            let colour = if n.blocked && k > 0 && line.starts_with('✗') {
                "#b91c1c"
            } else {
                "#111827"
            };
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}"{weight} fill="{colour}">{}</text>"#,
                p.x + PAD,
                p.y + PAD * 0.75 + LINE_H * (k as f64 + 1.0) - 3.0,
                escape(&clip(line))
            );
        }
        let _ = writeln!(out, "</g>");
    }
    let _ = writeln!(out, "</svg>");
    out
}
