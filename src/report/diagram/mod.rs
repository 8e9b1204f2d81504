//! Pictures of results: path, load-balancer, audit-finding and whatif
//! diagrams built from what the analyses returned, and the topology of a
//! snapshot; rendered as Graphviz DOT, Mermaid, SVG, or a self-contained
//! HTML report.
//!
//! Owns: the diagram model, its builders and renderers. Must not know: how
//! an answer was computed (no walking, no rule evaluation here).

pub mod dot;
pub mod html;
pub mod markdown;
pub mod mermaid;
pub mod model;
pub mod path;
pub mod svg;
pub mod topology;

pub use model::Diagram;

/// The picture formats every diagram command offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Picture {
    Dot,
    Mermaid,
    Svg,
    Html,
}

/// One diagram as a whole document in `format`.
pub fn render(d: &Diagram, format: Picture) -> String {
    match format {
        Picture::Dot => dot::render(d),
        Picture::Mermaid => mermaid::render(d),
        Picture::Svg => svg::render(d),
        Picture::Html => html::diagram_page(d),
    }
}

/// `path --format dot|mermaid|svg|html` for a plain answer.
pub fn path_document(
    a: &crate::analysis::PathAnalysis,
    warnings: &[String],
    format: Picture,
) -> String {
    match format {
        Picture::Html => html::path_report(a, warnings),
        other => render(&path::path(a), other),
    }
}

/// `path --format dot|mermaid|svg|html` for a load balancer destination.
pub fn load_balancer_document(
    a: &crate::analysis::elb::LbAnalysis,
    warnings: &[String],
    format: Picture,
) -> String {
    match format {
        Picture::Html => html::load_balancer_report(a, warnings),
        other => render(&path::load_balancer(a), other),
    }
}
