//! Intent checks for CI: `--must-reach A:B:tcp/443` and
//! `--must-not-reach A:B:tcp/22`, answered with `path` on one network.
//!
//! Owns: the `SRC:DST:PROTO[/PORT[-PORT]]` syntax and the pass/fail rule
//! (must-reach passes when `path` finds a path, i.e. some of the traffic
//! gets there and its replies get back; must-not-reach passes when it does
//! not). Must not know: change files or output formats.

use crate::analysis::endpoint::{self, EndpointError};
use crate::analysis::{parse_port_range, path, PathAnalysis, PathQuery, ProtocolChoice};
use crate::topology::Topology;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intent {
    pub must_reach: bool,
    pub source: String,
    pub destination: String,
    pub protocol: ProtocolChoice,
    pub ports: Option<(u16, u16)>,
    /// As written, e.g. `i-0abc:i-0def:tcp/443`.
    pub text: String,
}

impl Intent {
    /// `SRC:DST:PROTO[/PORT[-PORT]]`; SRC and DST as `path` takes them (an
    /// instance, ENI, gateway or peering id, an IPv4 address, `internet`).
    pub fn parse(text: &str, must_reach: bool) -> Result<Intent, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let [source, destination, traffic] = parts.as_slice() else {
            return Err(format!(
                "{text:?} is not SRC:DST:PROTO[/PORT[-PORT]] (e.g. i-0abc…:i-0def…:tcp/443)"
            ));
        };
        if source.is_empty() || destination.is_empty() {
            return Err(format!(
                "{text:?}: source and destination must not be empty"
            ));
        }
        let (proto, ports) = match traffic.split_once('/') {
            Some((p, ports)) => (p, Some(ports)),
            None => (*traffic, None),
        };
        let protocol = ProtocolChoice::parse(proto).ok_or_else(|| {
            format!("{text:?}: {proto:?} is not tcp, udp, icmp, all or a protocol number 0-255")
        })?;
        let ports = match ports {
            None => None,
            Some(p) => {
                let range = parse_port_range(p).map_err(|e| format!("{text:?}: {e}"))?;
                if protocol == ProtocolChoice::All {
                    return Err(format!("{text:?}: ports need a protocol (tcp/…, udp/…)"));
                }
                Some(range)
            }
        };
        Ok(Intent {
            must_reach,
            source: source.to_string(),
            destination: destination.to_string(),
            protocol,
            ports,
            text: text.to_string(),
        })
    }

    pub fn kind(&self) -> &'static str {
        if self.must_reach {
            "must-reach"
        } else {
            "must-not-reach"
        }
    }

    pub fn query(&self) -> PathQuery {
        PathQuery {
            source: self.source.clone(),
            destination: self.destination.clone(),
            protocol: self.protocol,
            dport: self.ports,
            sport: None,
            source_ip: None,
            destination_ip: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct IntentResult {
    pub intent: Intent,
    pub passed: bool,
    pub analysis: PathAnalysis,
}

/// Check that every intent names endpoints the network has (before any
/// analysis runs).
pub fn validate(topo: &Topology, intents: &[Intent]) -> Result<(), EndpointError> {
    for i in intents {
        endpoint::resolve(topo, &i.source, None)?;
        endpoint::resolve(topo, &i.destination, None)?;
    }
    Ok(())
}

pub fn check(topo: &Topology, intents: &[Intent]) -> Result<Vec<IntentResult>, EndpointError> {
    intents
        .iter()
        .map(|i| {
            let analysis = path::analyze(topo, &i.query())?;
            let found = analysis.path_found();
            Ok(IntentResult {
                intent: i.clone(),
                passed: found == i.must_reach,
                analysis,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_intent_syntax() {
        let i = Intent::parse("i-1:internet:tcp/443", true).unwrap();
        assert_eq!(i.source, "i-1");
        assert_eq!(i.destination, "internet");
        assert_eq!(i.protocol, ProtocolChoice::Number(6));
        assert_eq!(i.ports, Some((443, 443)));
        let i = Intent::parse("10.0.1.10:eni-2:udp/1000-2000", false).unwrap();
        assert_eq!(i.ports, Some((1000, 2000)));
        assert_eq!(Intent::parse("a:b:all", true).unwrap().ports, None);
        assert!(Intent::parse("a:b", true).is_err());
        assert!(Intent::parse("a:b:tcp/99999", true).is_err());
        assert!(Intent::parse("a:b:all/22", true).is_err());
        assert!(Intent::parse("a:b:tcp/30-20", true).is_err());
    }
}
