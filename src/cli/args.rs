//! Argument types and value parsers shared by several commands.

use clap::ValueEnum;

pub use vpcreach::analysis::parse_port_range;
use vpcreach::analysis::ProtocolChoice;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// `path` output: text, JSON, or a picture of the answer (docs/diagrams.md).
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PathFormat {
    Text,
    Json,
    Dot,
    Mermaid,
    Svg,
    /// One self-contained HTML report: verdict, blockers, picture, every hop.
    Html,
}

impl PathFormat {
    pub fn picture(self) -> Option<vpcreach::report::diagram::Picture> {
        use vpcreach::report::diagram::Picture;
        match self {
            PathFormat::Text | PathFormat::Json => None,
            PathFormat::Dot => Some(Picture::Dot),
            PathFormat::Mermaid => Some(Picture::Mermaid),
            PathFormat::Svg => Some(Picture::Svg),
            PathFormat::Html => Some(Picture::Html),
        }
    }
}

/// `--protocol`: the one protocol parser ([`vpcreach::model::Protocol::parse`]).
pub fn parse_protocol(s: &str) -> Result<ProtocolChoice, String> {
    ProtocolChoice::parse(s).ok_or_else(|| {
        format!("{s:?} is not tcp, udp, icmp, icmpv6, all or a protocol number 0-255")
    })
}
