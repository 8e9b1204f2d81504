//! Argument types and value parsers shared by several commands.

use clap::ValueEnum;

use vpcreach::analysis::{self, ProtocolChoice};

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

/// `--port`, `--source-port`: N or N-M.
pub fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
    analysis::parse_port_range(s)
}
