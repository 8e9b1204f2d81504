//! Argument types and value parsers shared by several commands.

use clap::ValueEnum;

pub use vpcreach::analysis::parse_port_range;
use vpcreach::analysis::ProtocolChoice;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// `--protocol`: the one protocol parser ([`vpcreach::model::Protocol::parse`]).
pub fn parse_protocol(s: &str) -> Result<ProtocolChoice, String> {
    ProtocolChoice::parse(s).ok_or_else(|| {
        format!("{s:?} is not tcp, udp, icmp, icmpv6, all or a protocol number 0-255")
    })
}
