//! The diagram every renderer draws: nodes with a few label lines, edges,
//! and clusters (VPCs, or the forward and return lanes of a path).
//!
//! Owns: the drawing vocabulary (what is a node, what is blocked, what is a
//! box around what). Must not know: AWS semantics or any output syntax; the
//! builders in `path.rs` and `topology.rs` translate results into it.

/// What a node stands for, so renderers can pick a shape and a colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A source or destination of the question (an ENI, the internet).
    End,
    /// A component a packet passes (SG, NACL, route table, gateway…).
    Component,
    /// A subnet in a topology picture.
    Subnet,
    /// A gateway, peering, transit gateway or endpoint.
    Gateway,
    /// A load balancer or one of its nodes.
    LoadBalancer,
    /// Something the picture leaves out, counted ("+12 more subnets").
    Elided,
    /// The resource a topology picture is drawn around.
    Focus,
}

#[derive(Clone, Debug)]
pub struct Node {
    /// First line is the title (component id and name); the rest are details.
    pub lines: Vec<String>,
    pub kind: NodeKind,
    pub cluster: Option<usize>,
    /// Left-to-right column; `None` lets the layout choose (longest path).
    pub rank: Option<usize>,
    pub blocked: bool,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: Option<String>,
    pub blocked: bool,
    /// A relation rather than a packet's step (an attachment, an association).
    pub dashed: bool,
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub label: String,
}

#[derive(Clone, Debug, Default)]
pub struct Diagram {
    pub title: String,
    pub clusters: Vec<Cluster>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Diagram {
    pub fn new(title: impl Into<String>) -> Diagram {
        Diagram {
            title: title.into(),
            ..Diagram::default()
        }
    }

    pub fn cluster(&mut self, label: impl Into<String>) -> usize {
        self.clusters.push(Cluster {
            label: label.into(),
        });
        self.clusters.len() - 1
    }

    pub fn node(&mut self, kind: NodeKind, lines: Vec<String>, cluster: Option<usize>) -> usize {
        self.nodes.push(Node {
            lines,
            kind,
            cluster,
            rank: None,
            blocked: false,
        });
        self.nodes.len() - 1
    }

    pub fn edge(&mut self, from: usize, to: usize) -> &mut Edge {
        self.edges.push(Edge {
            from,
            to,
            label: None,
            blocked: false,
            dashed: false,
        });
        self.edges.last_mut().expect("just pushed")
    }

    /// Every text a person should find in the picture, for tests and for
    /// the HTML page's search: node lines and edge labels.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.nodes
            .iter()
            .flat_map(|n| n.lines.iter().map(String::as_str))
            .chain(self.edges.iter().filter_map(|e| e.label.as_deref()))
    }
}

/// Label lines are cut here: a picture is for reading, the tables below it
/// and `--format json` carry the full text.
pub const LINE_MAX: usize = 60;

pub fn clip(s: &str) -> String {
    if s.chars().count() <= LINE_MAX {
        return s.to_string();
    }
    let mut out: String = s.chars().take(LINE_MAX - 1).collect();
    out.push('…');
    out
}
