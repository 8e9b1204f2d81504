//! `vpcreach flows` output: the text summary people read first, one JSON
//! entry per record (with `Explanations` shaped as in `path`), and CSV.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{json, Map, Value};

use crate::analysis::ExplanationCode;
use crate::flows::attribute::describe_packet;
use crate::flows::*;
use crate::model::{Protocol, RuleAction};
use crate::packet::{ip_of, proto_name, Addr, PROTO_TCP, PROTO_UDP};
use crate::report::json::explanation;

// ------------------------------------------------------------------ helpers

/// 1,234,567
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// 98 KB, 1.2 MB (decimal units).
pub fn size(bytes: u64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < units.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else if v < 10.0 {
        format!("{v:.1} {}", units[u])
    } else {
        format!("{v:.0} {}", units[u])
    }
}

/// Unix seconds → `2024-05-02 14:11:09Z`.
pub fn time(t: u64) -> String {
    let days = (t / 86_400) as i64;
    let secs = t % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn named(attr: &Attributor, id: &str) -> String {
    match attr.topo.net.name_of(id) {
        Some(n) => format!("{id} ({n})"),
        None => id.to_string(),
    }
}

fn proto_port(proto: u8, port: u16) -> String {
    match proto {
        PROTO_TCP | PROTO_UDP => format!("{}/{port}", proto_name(proto)),
        p => proto_name(p),
    }
}

/// `acl-… (name) outbound rule 90 (deny icmp to 0.0.0.0/0)`
pub fn blocker_title(attr: &Attributor, b: &Blocker) -> String {
    match b {
        Blocker::Acl {
            acl, egress, rule, ..
        } => {
            let proto = match rule.protocol {
                Protocol::All => "all traffic".to_string(),
                Protocol::Number(p) => {
                    let mut s = proto_name(p);
                    if let Some((f, t)) = rule.port_range {
                        if p == PROTO_TCP || p == PROTO_UDP {
                            s = if f == t {
                                format!("{s}/{f}")
                            } else {
                                format!("{s}/{f}-{t}")
                            };
                        }
                    }
                    s
                }
            };
            let number = if rule.rule_number == 32767 {
                "* (32767)".to_string()
            } else {
                rule.rule_number.to_string()
            };
            let action = if rule.action == RuleAction::Allow {
                "allow"
            } else {
                "deny"
            };
            let cidr = rule
                .cidr
                .map(|c| c.to_string())
                .or(rule.ipv6_cidr.clone())
                .unwrap_or_default();
            format!(
                "{} {} rule {number} ({action} {proto} {} {cidr})",
                named(attr, acl),
                if *egress { "outbound" } else { "inbound" },
                if *egress { "to" } else { "from" }
            )
        }
        Blocker::Sg {
            eni,
            direction,
            groups,
            code,
            ..
        } => {
            let gs: Vec<String> = groups.iter().map(|g| named(attr, g)).collect();
            let why = match *code {
                ExplanationCode::SgHasNoRules => "no rules at all",
                ExplanationCode::UnknownResource => "groups missing from the snapshot",
                _ => "no rule allows it",
            };
            format!(
                "{} {} on {} ({why})",
                gs.join(", "),
                direction.as_str(),
                named(attr, eni)
            )
        }
        Blocker::MissingAcl { subnet, .. } => {
            format!(
                "network ACL of {} (not in the snapshot)",
                named(attr, subnet)
            )
        }
        Blocker::Bpa => "VPC Block Public Access (reject-reason=BPA)".to_string(),
    }
}

fn group_line(g: &Group) -> String {
    format!(
        "{}, {}, {}",
        plural(g.records, "record", "records"),
        size(g.bytes),
        plural(g.enis.len() as u64, "ENI", "ENIs")
    )
}

fn seen(g: &Group) -> String {
    match (g.first, g.last) {
        (Some(f), Some(l)) => format!("first {}, last {}", time(f), time(l)),
        _ => String::new(),
    }
}

fn example(out: &mut String, g: &Group) {
    if let Some(e) = &g.example {
        let _ = writeln!(out, "      e.g. {}:{}  {}", e.file, e.line, e.text.trim());
    }
}

// --------------------------------------------------------------------- text

/// Groups listed per section in text; JSON lists all.
const LIMIT: usize = 25;

fn more_line(out: &mut String, more: usize) {
    if more > 0 {
        let _ = writeln!(
            out,
            "  … and {} more (smaller) groups; --format json lists them all",
            thousands(more as u64)
        );
    }
}

/// The summary, largest groups first.
pub fn text(attr: &Attributor, s: &Summary) -> String {
    let mut out = String::new();
    let span = match (s.first, s.last) {
        (Some(f), Some(l)) => format!(", {} – {}", time(f), time(l)),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "Flow logs: {}, {} ({} ACCEPT, {} REJECT), {} evaluated, {}{span}",
        plural(s.files as u64, "file", "files"),
        plural(s.records, "record", "records"),
        thousands(s.accept),
        thousands(s.reject),
        plural(s.enis.len() as u64, "ENI", "ENIs"),
        size(s.bytes),
    );

    // 1. REJECTs by component and rule.
    let mut groups: Vec<(&Blocker, &Group)> = s.by_blocker.iter().collect();
    // Titles are formatted once per group, not per comparison.
    groups.sort_by_cached_key(|g| (std::cmp::Reverse(g.1.records), blocker_title(attr, g.0)));
    let _ = writeln!(out);
    if groups.is_empty() {
        let _ = writeln!(out, "REJECTs explained by the snapshot: none");
    } else {
        let _ = writeln!(
            out,
            "REJECTs by component and rule ({} explained, largest first)",
            thousands(s.explained)
        );
        for (b, g) in groups.iter().take(LIMIT) {
            let _ = writeln!(out, "  {}: {}", blocker_title(attr, b), group_line(g));
            let mut detail = seen(g);
            if g.replies > 0 {
                let _ = write!(
                    detail,
                    "; {} on the return path (replies the NACL drops, C2.2)",
                    thousands(g.replies)
                );
            }
            if !detail.is_empty() {
                let _ = writeln!(out, "      {detail}");
            }
            if let Some(e) = &g.example {
                if let Some(x) = attr.explanations(&e.outcome, &e.header).first() {
                    if let Some(fix) = &x.fix {
                        let _ = writeln!(out, "      fix: {fix}");
                    }
                }
            }
            example(&mut out, g);
        }
        more_line(&mut out, groups.len().saturating_sub(LIMIT));
    }

    // 2. SG denials per ENI and port.
    if !s.sg_denials.is_empty() {
        let mut sg: Vec<(&SgKey, &Group)> = s.sg_denials.iter().collect();
        sg.sort_by(|a, b| b.1.records.cmp(&a.1.records).then(a.0.cmp(b.0)));
        let _ = writeln!(out);
        let _ = writeln!(out, "Security group denials by ENI and port");
        let more = sg.len().saturating_sub(LIMIT);
        sg.truncate(LIMIT);
        let keys: Vec<SgKey> = sg.iter().map(|(k, _)| **k).collect();
        let peers = s.sg_peer_counts(&keys);
        for ((k, g), peers) in sg.into_iter().zip(peers) {
            let info = attr.eni(k.eni);
            let groups: Vec<String> = info.eni.group_ids.iter().map(|x| named(attr, x)).collect();
            let _ = writeln!(
                out,
                "  {} {} {} — {}: {}, {}, {}",
                named(attr, &info.eni.id),
                if k.egress { "egress" } else { "ingress" },
                proto_port(k.proto, k.port),
                groups.join(", "),
                plural(g.records, "record", "records"),
                size(g.bytes),
                plural(
                    peers as u64,
                    if k.egress { "destination" } else { "source" },
                    if k.egress { "destinations" } else { "sources" }
                ),
            );
            example(&mut out, g);
        }
        more_line(&mut out, more);
    }

    // 3. Drift.
    if !s.drift.is_empty() {
        let mut d: Vec<(&DriftKey, &Group)> = s.drift.iter().collect();
        d.sort_by(|a, b| b.1.records.cmp(&a.1.records).then(a.0.cmp(b.0)));
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Unexplained by this snapshot ({} ACCEPT the snapshot would deny, {} REJECT it would allow): the snapshot is stale, or something it does not model (OS firewall, connection tracking, a packet after the connection closed) is at work",
            thousands(s.unexplained_accept),
            thousands(s.unexplained_reject)
        );
        let more = d.len().saturating_sub(LIMIT);
        for (k, g) in d.into_iter().take(LIMIT) {
            let info = attr.eni(k.eni);
            let _ = writeln!(
                out,
                "  {} {} {} {}: {}, {}",
                if k.accept {
                    "ACCEPT (snapshot denies)"
                } else {
                    "REJECT (snapshot allows)"
                },
                named(attr, &info.eni.id),
                if k.egress { "egress" } else { "ingress" },
                proto_port(k.proto, k.port),
                plural(g.records, "record", "records"),
                seen(g),
            );
            if let Some(e) = &g.example {
                if k.accept {
                    for x in attr.explanations(&e.outcome, &e.header) {
                        let _ = writeln!(out, "      snapshot: {} ({})", x.message, x.code);
                    }
                } else {
                    let _ = writeln!(
                        out,
                        "      snapshot allows {} ({}): {}",
                        describe_packet(&e.header),
                        e.outcome.role.as_str(),
                        e.outcome.allowed_by.join("; ")
                    );
                }
                for n in &e.outcome.notes {
                    let _ = writeln!(out, "      note: {n}");
                }
            }
            example(&mut out, g);
        }
        more_line(&mut out, more);
    }

    // 4. Input.
    let _ = writeln!(out);
    let _ = writeln!(out, "Input");
    let _ = writeln!(
        out,
        "  {} read; NODATA {}, SKIPDATA {} (not traffic; SKIPDATA means AWS dropped records in that interval)",
        plural(s.lines, "line", "lines"),
        thousands(s.nodata),
        thousands(s.skipdata)
    );
    if s.headers > 0 {
        let _ = writeln!(
            out,
            "  {} with a header line",
            plural(s.headers, "file", "files")
        );
    }
    if s.malformed > 0 {
        let _ = writeln!(out, "  malformed lines skipped: {}", thousands(s.malformed));
        for m in &s.malformed_examples {
            let _ = writeln!(out, "    {}:{}: {}", m.file, m.line, m.reason);
        }
        if s.malformed > s.malformed_examples.len() as u64 {
            let _ = writeln!(
                out,
                "    … and {} more",
                thousands(s.malformed - s.malformed_examples.len() as u64)
            );
        }
        if s.malformed > s.records
            && s.malformed_examples
                .iter()
                .any(|m| m.reason.contains("the format has"))
        {
            let _ = writeln!(out, "    (a custom format? pass --log-format '${{version}} …' or keep the S3 header line)");
        }
    }
    if !s.unknown_enis.is_empty() {
        let total: u64 = s.unknown_enis.values().map(|v| v.0).sum();
        let rejects: u64 = s.unknown_enis.values().map(|v| v.1).sum();
        let _ = writeln!(
            out,
            "  ENIs not in the snapshot: {} ({}, {} REJECT; not evaluated)",
            thousands(s.unknown_enis.len() as u64),
            plural(total, "record", "records"),
            thousands(rejects)
        );
        let mut u: Vec<(&String, &(u64, u64))> = s.unknown_enis.iter().collect();
        u.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
        for (id, (n, r)) in u.iter().take(10) {
            let _ = writeln!(
                out,
                "    {id}: {} ({} REJECT)",
                plural(*n, "record", "records"),
                thousands(*r)
            );
        }
        if u.len() > 10 {
            let _ = writeln!(out, "    … and {} more", u.len() - 10);
        }
    }
    if s.no_direction > 0 {
        let _ = writeln!(out, "  records whose direction could not be told (neither address is the ENI's, no flow-direction): {}", thousands(s.no_direction));
    }
    if s.ipv6 > 0 {
        let _ = writeln!(
            out,
            "  IPv6 records (evaluated like IPv4): {}",
            thousands(s.ipv6)
        );
    }
    if s.incomplete > 0 {
        let _ = writeln!(
            out,
            "  records without addresses, ports or protocol ('-'): {}",
            thousands(s.incomplete)
        );
    }
    for w in &s.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
    for n in &s.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    for (f, e) in &s.file_errors {
        let _ = writeln!(out, "  error: {f}: {e}");
    }

    let _ = writeln!(out);
    if s.unknown > 0 {
        let _ = writeln!(
            out,
            "{} depend on what the snapshot lacks (a network ACL, security groups, prefix list entries; listed above as UNKNOWN_RESOURCE) or describes more than once (notes above): unknown, neither explained nor drift.",
            plural(s.unknown, "record", "records")
        );
    }
    let unexplained = s.unexplained_rejects();
    if unexplained == 0 && s.unexplained_accept == 0 && s.unknown > 0 {
        let _ = writeln!(
            out,
            "No drift; {} of {} explained by the snapshot.",
            thousands(s.explained),
            plural(s.reject, "REJECT", "REJECTs")
        );
    } else if unexplained == 0 && s.unexplained_accept == 0 {
        let _ = writeln!(
            out,
            "All {} explained by the snapshot; no drift.",
            plural(s.reject, "REJECT", "REJECTs")
        );
    } else {
        let _ = writeln!(
            out,
            "{} of {} not explained by the snapshot; {} it would deny.",
            thousands(unexplained),
            plural(s.reject, "REJECT", "REJECTs"),
            plural(s.unexplained_accept, "ACCEPT", "ACCEPTs")
        );
    }
    out
}

// --------------------------------------------------------------------- JSON

fn ip(a: Option<Addr>) -> Value {
    a.map(|a| json!(ip_of(a).to_string()))
        .unwrap_or(Value::Null)
}

fn record_fields(m: &mut Map<String, Value>, ev: &RecordEvent) {
    let r = ev.record;
    m.insert("File".into(), json!(ev.file));
    m.insert("Line".into(), json!(ev.line));
    m.insert("InterfaceId".into(), json!(r.interface_id));
    m.insert("SrcAddr".into(), ip(r.srcaddr));
    m.insert("DstAddr".into(), ip(r.dstaddr));
    if r.pkt_srcaddr.is_some() || r.pkt_dstaddr.is_some() {
        m.insert("PktSrcAddr".into(), ip(r.pkt_srcaddr));
        m.insert("PktDstAddr".into(), ip(r.pkt_dstaddr));
    }
    m.insert("SrcPort".into(), json!(r.srcport));
    m.insert("DstPort".into(), json!(r.dstport));
    m.insert("Protocol".into(), json!(r.protocol));
    m.insert("Packets".into(), json!(r.packets));
    m.insert("Bytes".into(), json!(r.bytes));
    m.insert("Start".into(), json!(r.start));
    m.insert("End".into(), json!(r.end));
    m.insert("Action".into(), json!(r.action.map(|a| a.as_str())));
    if let Some(rr) = r.reject_reason {
        m.insert("RejectReason".into(), json!(rr));
    }
}

/// One JSON object per record, `Explanations` shaped as in `path`.
pub fn record_json(attr: &Attributor, ev: &RecordEvent) -> Value {
    let mut m = Map::new();
    record_fields(&mut m, ev);
    match &ev.result {
        Err(skip) => {
            m.insert("Status".into(), json!(skip.as_str()));
        }
        Ok(e) => {
            let o = e.outcome;
            m.insert("Status".into(), json!(e.consistency.as_str()));
            m.insert("Direction".into(), json!(o.direction.as_str()));
            m.insert("Role".into(), json!(o.role.as_str()));
            m.insert("SnapshotVerdict".into(), json!(o.verdict.as_str()));
            m.insert("Unexplained".into(), json!(e.consistency.is_drift()));
            let mut ex: Vec<Value> = attr
                .explanations(o, &e.header)
                .iter()
                .map(explanation)
                .collect();
            if e.consistency == Consistency::Bpa {
                let bpa = attr.explanations(
                    &Outcome {
                        blockers: vec![Blocker::Bpa],
                        ..o.clone()
                    },
                    &e.header,
                );
                ex.splice(0..0, bpa.iter().map(explanation));
            }
            m.insert("Explanations".into(), Value::Array(ex));
            m.insert("AllowedBy".into(), json!(o.allowed_by));
            if !o.notes.is_empty() {
                m.insert("Notes".into(), json!(o.notes));
            }
        }
    }
    Value::Object(m)
}

/// Records as elements of a JSON array; see [`JsonDocument`].
pub struct JsonSink;

impl Sink for JsonSink {
    fn record(&self, attr: &Attributor, ev: &RecordEvent, out: &mut Vec<u8>) {
        out.extend_from_slice(b",\n");
        let _ = serde_json::to_writer(&mut *out, &record_json(attr, ev));
    }
}

/// Wraps stdout for `--format json`: `{"Records": [` … records … `],
/// "Summary": …}`; drops the comma before the first record.
pub struct JsonDocument<W: Write> {
    inner: W,
    first: bool,
}

impl<W: Write> JsonDocument<W> {
    pub fn begin(mut inner: W) -> io::Result<Self> {
        inner.write_all(b"{\"Records\": [")?;
        Ok(JsonDocument { inner, first: true })
    }

    pub fn finish(mut self, attr: &Attributor, s: &Summary) -> io::Result<W> {
        self.inner.write_all(b"\n],\n\"Summary\": ")?;
        write_summary(&mut self.inner, attr, s)?;
        self.inner.write_all(b"}\n")?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for JsonDocument<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.first && !buf.is_empty() {
            self.first = false;
            let skip = usize::from(buf[0] == b',');
            self.inner.write_all(&buf[skip..])?;
            return Ok(buf.len());
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn group_json(attr: &Attributor, g: &Group) -> Value {
    let mut m = Map::new();
    m.insert("Records".into(), json!(g.records));
    m.insert("Packets".into(), json!(g.packets));
    m.insert("Bytes".into(), json!(g.bytes));
    let mut enis: Vec<&str> = g
        .enis
        .iter()
        .map(|e| attr.eni(*e).eni.id.as_str())
        .collect();
    enis.sort_unstable();
    m.insert("NetworkInterfaces".into(), json!(enis));
    m.insert("Replies".into(), json!(g.replies));
    m.insert("FirstSeen".into(), json!(g.first));
    m.insert("LastSeen".into(), json!(g.last));
    if let Some(e) = &g.example {
        m.insert(
            "Example".into(),
            json!({"File": &*e.file, "Line": e.line, "Record": e.text.trim()}),
        );
        m.insert(
            "Explanations".into(),
            Value::Array(
                attr.explanations(&e.outcome, &e.header)
                    .iter()
                    .map(explanation)
                    .collect(),
            ),
        );
        if !e.outcome.allowed_by.is_empty() {
            m.insert("AllowedBy".into(), json!(e.outcome.allowed_by));
        }
    }
    Value::Object(m)
}

/// One member of the summary object: a small value, or a list that may be
/// long (a group per security-group denial: a million on a large log), made
/// one element at a time.
enum Field<'a> {
    One(Value),
    Many(Box<dyn Iterator<Item = Value> + 'a>),
}

/// The summary's members in order; [`summary_json`] and
/// [`write_summary`] both print these.
fn summary_fields<'a>(attr: &'a Attributor, s: &'a Summary) -> Vec<(&'static str, Field<'a>)> {
    let mut by: Vec<(&Blocker, &Group)> = s.by_blocker.iter().collect();
    // Titles are formatted once per group, not per comparison.
    by.sort_by_cached_key(|g| (std::cmp::Reverse(g.1.records), blocker_title(attr, g.0)));
    let mut sg: Vec<(&SgKey, &Group)> = s.sg_denials.iter().collect();
    sg.sort_by(|a, b| b.1.records.cmp(&a.1.records).then(a.0.cmp(b.0)));
    let mut drift: Vec<(&DriftKey, &Group)> = s.drift.iter().collect();
    drift.sort_by(|a, b| b.1.records.cmp(&a.1.records).then(a.0.cmp(b.0)));
    let mut unknown: Vec<(&String, &(u64, u64))> = s.unknown_enis.iter().collect();
    unknown.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    use Field::{Many, One};
    vec![
        ("Files", One(json!(s.files))),
        ("Lines", One(json!(s.lines))),
        ("Records", One(json!(s.records))),
        ("Accept", One(json!(s.accept))),
        ("Reject", One(json!(s.reject))),
        ("Bytes", One(json!(s.bytes))),
        ("FirstSeen", One(json!(s.first))),
        ("LastSeen", One(json!(s.last))),
        ("NetworkInterfaces", One(json!(s.enis.len()))),
        ("Explained", One(json!(s.explained))),
        ("UnexplainedAccept", One(json!(s.unexplained_accept))),
        ("UnexplainedReject", One(json!(s.unexplained_reject))),
        (
            "UnexplainedRejectsTotal",
            One(json!(s.unexplained_rejects())),
        ),
        ("Unknown", One(json!(s.unknown))),
        (
            "RejectsByComponent",
            Many(Box::new(by.into_iter().map(move |(b, g)| {
                let mut v = group_json(attr, g);
                v["Component"] = json!(b.component());
                v["Title"] = json!(blocker_title(attr, b));
                v["ExplanationCode"] = json!(b.code().as_str());
                if let Some(d) = b.direction() {
                    v["Direction"] = json!(d.as_str());
                }
                if let Blocker::Acl { rule, .. } = b {
                    v["RuleNumber"] = json!(rule.rule_number);
                }
                v
            }))),
        ),
        (
            "SecurityGroupDenials",
            Many(Box::new(sg.into_iter().map(move |(k, g)| {
                let mut v = group_json(attr, g);
                v["NetworkInterfaceId"] = json!(attr.eni(k.eni).eni.id);
                v["Direction"] = json!(if k.egress { "egress" } else { "ingress" });
                v["Protocol"] = json!(k.proto);
                v["Port"] = json!(k.port);
                v
            }))),
        ),
        (
            "Unexplained",
            Many(Box::new(drift.into_iter().map(move |(k, g)| {
                let mut v = group_json(attr, g);
                v["NetworkInterfaceId"] = json!(attr.eni(k.eni).eni.id);
                v["Direction"] = json!(if k.egress { "egress" } else { "ingress" });
                v["Action"] = json!(if k.accept { "ACCEPT" } else { "REJECT" });
                v["SnapshotVerdict"] = json!(if k.accept { "deny" } else { "allow" });
                v["Protocol"] = json!(k.proto);
                v["Port"] = json!(k.port);
                v
            }))),
        ),
        ("NoData", One(json!(s.nodata))),
        ("SkipData", One(json!(s.skipdata))),
        ("Malformed", One(json!(s.malformed))),
        (
            "MalformedExamples",
            One(json!(s
                .malformed_examples
                .iter()
                .map(|m| json!({"File": &*m.file, "Line": m.line, "Reason": m.reason}))
                .collect::<Vec<_>>())),
        ),
        (
            "UnknownNetworkInterfaces",
            One(json!(unknown
                .iter()
                .map(|(id, (n, r))| json!({"Id": id, "Records": n, "Rejects": r}))
                .collect::<Vec<_>>())),
        ),
        ("NoDirection", One(json!(s.no_direction))),
        ("Ipv6", One(json!(s.ipv6))),
        ("Incomplete", One(json!(s.incomplete))),
        (
            "FileErrors",
            One(json!(s
                .file_errors
                .iter()
                .map(|(f, e)| json!({"File": f, "Error": e}))
                .collect::<Vec<_>>())),
        ),
        ("Warnings", One(json!(s.warnings))),
        ("Notes", One(json!(s.notes))),
    ]
}

/// The summary as one JSON value (tests compare [`write_summary`] with it).
pub fn summary_json(attr: &Attributor, s: &Summary) -> Value {
    let mut m = Map::new();
    for (key, field) in summary_fields(attr, s) {
        let v = match field {
            Field::One(v) => v,
            Field::Many(list) => Value::Array(list.collect()),
        };
        m.insert(key.into(), v);
    }
    Value::Object(m)
}

/// The summary printed as `serde_json::to_writer_pretty(summary_json(…))`
/// would print it, without ever holding more than one list element: the
/// value of a large log ran to gigabytes.
pub fn write_summary(out: &mut dyn Write, attr: &Attributor, s: &Summary) -> io::Result<()> {
    // Pretty-printed JSON strings escape their newlines, so every line
    // break is the printer's own: nesting is indenting each line.
    let indented = |out: &mut dyn Write, v: &Value, pad: &str| -> io::Result<()> {
        let text = serde_json::to_string_pretty(v).map_err(io::Error::other)?;
        for (n, line) in text.lines().enumerate() {
            if n > 0 {
                out.write_all(b"\n")?;
                out.write_all(pad.as_bytes())?;
            }
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    };
    out.write_all(b"{")?;
    for (i, (key, field)) in summary_fields(attr, s).into_iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        write!(out, "  {}: ", Value::String(key.into()))?;
        match field {
            Field::One(v) => indented(out, &v, "  ")?,
            Field::Many(mut list) => match list.next() {
                None => out.write_all(b"[]")?,
                Some(first) => {
                    out.write_all(b"[\n    ")?;
                    indented(out, &first, "    ")?;
                    for v in list {
                        out.write_all(b",\n    ")?;
                        indented(out, &v, "    ")?;
                    }
                    out.write_all(b"\n  ]")?;
                }
            },
        }
    }
    out.write_all(b"\n}")
}

// ---------------------------------------------------------------------- CSV

pub const CSV_HEADER: &str = "file,line,interface_id,direction,role,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,action,snapshot_verdict,status,code,component,acl_rule,message\n";

fn csv_field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

pub struct CsvSink;

impl Sink for CsvSink {
    fn record(&self, attr: &Attributor, ev: &RecordEvent, out: &mut Vec<u8>) {
        let r = ev.record;
        let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        let addr = |a: Option<Addr>| a.map(|a| ip_of(a).to_string()).unwrap_or_default();
        let (dir, role, verdict, status, code, component, rule, message) = match &ev.result {
            Err(_) => Default::default(),
            Ok(e) => {
                let o = e.outcome;
                let x = attr.explanations(o, &e.header);
                let first = x.first();
                (
                    o.direction.as_str().to_string(),
                    o.role.as_str().to_string(),
                    o.verdict.as_str().to_string(),
                    e.consistency.as_str().to_string(),
                    first.map(|x| x.code.to_string()).unwrap_or_default(),
                    o.blockers
                        .first()
                        .map(|b| b.component().to_string())
                        .unwrap_or_default(),
                    first
                        .and_then(|x| x.acl_rule.as_ref())
                        .map(|r| r.rule_number.to_string())
                        .unwrap_or_default(),
                    first
                        .map(|x| x.message.clone())
                        .unwrap_or_else(|| o.allowed_by.join("; ")),
                )
            }
        };
        let status = match &ev.result {
            Err(s) => s.as_str().to_string(),
            Ok(_) => status,
        };
        let fields = [
            ev.file.to_string(),
            ev.line.to_string(),
            r.interface_id.unwrap_or("").to_string(),
            dir,
            role,
            addr(r.pkt_srcaddr.or(r.srcaddr)),
            addr(r.pkt_dstaddr.or(r.dstaddr)),
            opt(r.srcport.map(u64::from)),
            opt(r.dstport.map(u64::from)),
            opt(r.protocol.map(u64::from)),
            opt(r.packets),
            opt(r.bytes),
            opt(r.start),
            opt(r.end),
            r.action.map(|a| a.as_str()).unwrap_or("").to_string(),
            verdict,
            status,
            code,
            component,
            rule,
            message,
        ];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            csv_field(out, f);
        }
        out.push(b'\n');
    }
}
