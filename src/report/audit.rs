//! `audit` output: AWS-shaped JSON (`AnalysisFindings`), a text summary
//! (widest exposures first) and SARIF 2.1.0 for code scanning.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{json, Map, Value};

use super::json::{component, hops};
use super::{unknown_banner, Unknown};
use crate::audit::{AuditResult, Finding};
use crate::packet::*;

fn ranges(set: &PortSet) -> Value {
    Value::Array(
        set.ranges()
            .map(|r| json!({"From": r.start(), "To": r.end()}))
            .collect(),
    )
}

fn protocols(set: &ProtoSet) -> Value {
    if set.is_universal() {
        return json!(["all"]);
    }
    Value::Array(
        set.ranges()
            .flat_map(|r| r.map(|p| json!(proto_name(p))))
            .collect(),
    )
}

/// Is the cube's protocol ICMP or ICMPv6 alone (ports are type and code)?
fn icmp_only(c: &Cube) -> bool {
    c.proto.len() == 1 && (c.proto.contains(PROTO_ICMP) || c.proto.contains(PROTO_ICMPV6))
}

/// The traffic of a finding, one entry per canonical cube. Addresses are
/// listed only for ends that are not ENIs (an ENI end means its own address
/// of the entry's `AddressFamily`).
pub fn traffic(f: &Finding) -> Value {
    Value::Array(
        f.traffic
            .cubes()
            .iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("Protocols".into(), protocols(&c.proto));
                m.insert(
                    "AddressFamily".into(),
                    json!(family_name(&(&c.src | &c.dst))),
                );
                if !f.source_is_eni {
                    m.insert("SourceAddresses".into(), json!(cidrs(&c.src)));
                }
                if !f.destination_is_eni {
                    m.insert("DestinationAddresses".into(), json!(cidrs(&c.dst)));
                }
                if icmp_only(c) {
                    m.insert("IcmpTypes".into(), ranges(&c.sport));
                    m.insert("IcmpCodes".into(), ranges(&c.dport));
                } else {
                    m.insert("SourcePortRanges".into(), ranges(&c.sport));
                    m.insert("DestinationPortRanges".into(), ranges(&c.dport));
                }
                Value::Object(m)
            })
            .collect(),
    )
}

fn cidrs(set: &AddrSet) -> Vec<String> {
    addr_set_cidrs(set).iter().map(|n| n.to_string()).collect()
}

/// A short readable description of a finding's traffic: `tcp/22, tcp/443 from 203.0.113.0/24`.
pub fn traffic_text(f: &Finding) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in f.traffic.cubes() {
        let protos = if c.proto.is_universal() {
            "all protocols".to_string()
        } else {
            c.proto
                .ranges()
                .flat_map(|r| r.map(proto_name))
                .collect::<Vec<_>>()
                .join("+")
        };
        let ports = if icmp_only(c) {
            if c.sport.is_universal() {
                String::new()
            } else {
                format!(" type {}", ports_text(&c.sport))
            }
        } else if c.dport.is_universal() {
            String::new()
        } else {
            format!("/{}", ports_text(&c.dport))
        };
        let mut s = format!("{protos}{ports}");
        // IPv4 is the default reading; other families are said.
        let family = family_name(&(&c.src | &c.dst));
        if family != "IPv4" {
            s.push_str(&format!(" over {family}"));
        }
        if !f.source_is_eni && !c.src.is_universal() {
            s.push_str(&format!(" from {}", AddrSetDisplay(&c.src)));
        }
        if !f.destination_is_eni && !c.dst.is_universal() {
            s.push_str(&format!(" to {}", AddrSetDisplay(&c.dst)));
        }
        parts.push(s);
    }
    parts.join(", ")
}

/// The document `audit --format json` prints: [`json`] and the snapshot's
/// own warnings.
pub fn json_document(r: &AuditResult, snapshot_warnings: &[String]) -> Value {
    let mut v = json(r);
    v["SnapshotWarnings"] = json!(snapshot_warnings);
    v
}

pub fn json(r: &AuditResult) -> Value {
    let findings: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            json!({
                "FindingId": f.id,
                "FindingComponents": hops(&f.components),
                "Sources": f.sources,
                "Destinations": f.destinations,
                "Traffic": traffic(f),
                "PairCount": f.pair_count(),
            })
        })
        .collect();
    json!({
        "Scope": r.scope,
        "FindingsFound": if r.findings.is_empty() { "false" } else { "true" },
        "AnalyzedEniCount": r.analyzed_enis,
        "PairCount": r.pairs,
        "AnalysisFindings": findings,
        "Warnings": r.warnings,
    })
}

fn list(ids: &[String], max: usize) -> String {
    let mut s = ids.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > max {
        s.push_str(&format!(" (+{} more)", ids.len() - max));
    }
    s
}

pub fn text(r: &AuditResult, warnings: &[String]) -> String {
    text_over(r, warnings, &[])
}

/// [`text`] when the snapshot lacks kinds the audit depends on
/// (`unknown`): the banner first, and "no findings" is never called
/// exhaustive, since a finding through what is missing cannot be ruled out.
pub fn text_over(r: &AuditResult, warnings: &[String], unknown: &Unknown) -> String {
    let mut out = unknown_banner(unknown);
    // Counted only: a hash set (findings list up to millions of ends).
    let sources: std::collections::HashSet<&str> = r
        .findings
        .iter()
        .flat_map(|f| f.sources.iter().map(String::as_str))
        .collect();
    let dests: std::collections::HashSet<&str> = r
        .findings
        .iter()
        .flat_map(|f| f.destinations.iter().map(String::as_str))
        .collect();
    if r.findings.is_empty() && !unknown.is_empty() {
        out.push_str(&format!(
            "audit {}: no findings among what the snapshot holds ({} ENIs analysed) — not exhaustive: findings through what is missing cannot be ruled out\n",
            r.scope, r.analyzed_enis
        ));
    } else if r.findings.is_empty() {
        out.push_str(&format!(
            "audit {}: no findings — no path matches the scope ({} ENIs analysed, exhaustively)\n",
            r.scope, r.analyzed_enis
        ));
    } else {
        out.push_str(&format!(
            "audit {}: {} finding{} covering {} source/destination pair{} ({} sources, {} destinations; {} ENIs analysed)\n",
            r.scope,
            r.findings.len(),
            if r.findings.len() == 1 { "" } else { "s" },
            r.pairs,
            if r.pairs == 1 { "" } else { "s" },
            sources.len(),
            dests.len(),
            r.analyzed_enis
        ));
        out.push_str("widest exposures first:\n");
        for (i, f) in r.findings.iter().enumerate() {
            out.push_str(&format!(
                "\n{:>4}. {}  {} pair{}\n      from: {}\n      to:   {}\n      traffic: {}\n",
                i + 1,
                f.id,
                f.pair_count(),
                if f.pair_count() == 1 { "" } else { "s" },
                list(&f.sources, 4),
                list(&f.destinations, 4),
                traffic_text(f)
            ));
            if !f.components.is_empty() {
                let path: Vec<String> = f
                    .components
                    .iter()
                    .map(|h| h.component.id.clone())
                    .collect();
                out.push_str(&format!("      path: {}\n", path.join(" → ")));
            }
        }
    }
    for w in r.warnings.iter().chain(warnings) {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

/// SARIF 2.1.0: one result per finding, located at the snapshot file that
/// describes the finding's first destination when known.
pub fn sarif(r: &AuditResult, locations: &HashMap<String, (PathBuf, usize)>) -> Value {
    let rule_id = format!(
        "vpcreach/audit/{}",
        r.scope
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            })
            .collect::<String>()
    );
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let message = format!(
                "{} can reach {} ({}): {} pair{} in scope {}",
                list(&f.sources, 3),
                list(&f.destinations, 3),
                traffic_text(f),
                f.pair_count(),
                if f.pair_count() == 1 { "" } else { "s" },
                r.scope
            );
            let logical: Vec<Value> = f
                .destinations
                .iter()
                .take(1)
                .chain(f.sources.iter().take(1))
                .map(|id| json!({"name": id, "fullyQualifiedName": id, "kind": "resource"}))
                .collect();
            let mut location = Map::new();
            if let Some((file, line)) = f.destinations.first().and_then(|d| locations.get(d)) {
                location.insert(
                    "physicalLocation".into(),
                    json!({
                        "artifactLocation": {"uri": file.to_string_lossy().replace('\\', "/")},
                        "region": {"startLine": line}
                    }),
                );
            }
            location.insert("logicalLocations".into(), Value::Array(logical));
            json!({
                "ruleId": rule_id,
                "ruleIndex": 0,
                "level": "warning",
                "message": {"text": message},
                "locations": [Value::Object(location)],
                "partialFingerprints": {"vpcreachFindingId/v1": f.id},
                "properties": {
                    "sources": f.sources,
                    "destinations": f.destinations,
                    "traffic": traffic(f),
                    "path": f.components.iter().map(|h| component(&h.component)).collect::<Vec<_>>(),
                }
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vpcreach",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/vpcreach/vpcreach",
                "rules": [{
                    "id": rule_id,
                    "name": "NetworkAccessScopeFinding",
                    "shortDescription": {"text": format!("A network path matches access scope {}", r.scope)},
                    "fullDescription": {"text": "vpcreach audit found traffic that can travel between the listed resources along a path the Network Access Scope selects (exhaustive, offline analysis of the snapshot)."},
                    "help": {"text": "Review the finding's path; tighten the security group, network ACL or route that admits it, or add an ExcludePaths entry to the scope if the path is intended."},
                    "defaultConfiguration": {"level": "warning"},
                    "properties": {"tags": ["security", "network"]}
                }]
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}
