//! Flow log records: formats (default version 2, `--log-format`, the S3
//! header line) and one line → one [`Record`] of borrowed slices.
//!
//! Parsing never allocates per field or per line: a line is split on ASCII
//! spaces, each token goes to the slot its column names, and numbers and
//! addresses are read straight from the bytes. `-` stands for "not
//! applicable" (D.1) and becomes `None`.

use std::fmt;

/// Every field a flow log record may carry, through version 8 (D.4) and the
/// newer `resource-id` / `encryption-status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Version,
    AccountId,
    InterfaceId,
    Srcaddr,
    Dstaddr,
    Srcport,
    Dstport,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcaddr,
    PktDstaddr,
    Region,
    AzId,
    SublocationType,
    SublocationId,
    PktSrcAwsService,
    PktDstAwsService,
    FlowDirection,
    TrafficPath,
    EcsClusterArn,
    EcsClusterName,
    EcsContainerInstanceArn,
    EcsContainerInstanceId,
    EcsContainerId,
    EcsSecondContainerId,
    EcsServiceName,
    EcsTaskDefinitionArn,
    EcsTaskArn,
    EcsTaskId,
    RejectReason,
    ResourceId,
    EncryptionStatus,
}

/// (name, field, version that introduced it).
pub const FIELDS: &[(&str, Field, u8)] = &[
    ("version", Field::Version, 2),
    ("account-id", Field::AccountId, 2),
    ("interface-id", Field::InterfaceId, 2),
    ("srcaddr", Field::Srcaddr, 2),
    ("dstaddr", Field::Dstaddr, 2),
    ("srcport", Field::Srcport, 2),
    ("dstport", Field::Dstport, 2),
    ("protocol", Field::Protocol, 2),
    ("packets", Field::Packets, 2),
    ("bytes", Field::Bytes, 2),
    ("start", Field::Start, 2),
    ("end", Field::End, 2),
    ("action", Field::Action, 2),
    ("log-status", Field::LogStatus, 2),
    ("vpc-id", Field::VpcId, 3),
    ("subnet-id", Field::SubnetId, 3),
    ("instance-id", Field::InstanceId, 3),
    ("tcp-flags", Field::TcpFlags, 3),
    ("type", Field::Type, 3),
    ("pkt-srcaddr", Field::PktSrcaddr, 3),
    ("pkt-dstaddr", Field::PktDstaddr, 3),
    ("region", Field::Region, 4),
    ("az-id", Field::AzId, 4),
    ("sublocation-type", Field::SublocationType, 4),
    ("sublocation-id", Field::SublocationId, 4),
    ("pkt-src-aws-service", Field::PktSrcAwsService, 5),
    ("pkt-dst-aws-service", Field::PktDstAwsService, 5),
    ("flow-direction", Field::FlowDirection, 5),
    ("traffic-path", Field::TrafficPath, 5),
    ("ecs-cluster-arn", Field::EcsClusterArn, 7),
    ("ecs-cluster-name", Field::EcsClusterName, 7),
    (
        "ecs-container-instance-arn",
        Field::EcsContainerInstanceArn,
        7,
    ),
    (
        "ecs-container-instance-id",
        Field::EcsContainerInstanceId,
        7,
    ),
    ("ecs-container-id", Field::EcsContainerId, 7),
    ("ecs-second-container-id", Field::EcsSecondContainerId, 7),
    ("ecs-service-name", Field::EcsServiceName, 7),
    ("ecs-task-definition-arn", Field::EcsTaskDefinitionArn, 7),
    ("ecs-task-arn", Field::EcsTaskArn, 7),
    ("ecs-task-id", Field::EcsTaskId, 7),
    ("reject-reason", Field::RejectReason, 8),
    ("resource-id", Field::ResourceId, 8),
    ("encryption-status", Field::EncryptionStatus, 8),
];

impl Field {
    pub fn from_name(name: &str) -> Option<Field> {
        FIELDS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, f, _)| *f)
    }
    pub fn name(self) -> &'static str {
        FIELDS
            .iter()
            .find(|(_, f, _)| *f == self)
            .map(|(n, _, _)| *n)
            .unwrap_or("?")
    }
}

/// Fields attribution cannot do without.
pub const REQUIRED: [Field; 7] = [
    Field::InterfaceId,
    Field::Srcaddr,
    Field::Dstaddr,
    Field::Srcport,
    Field::Dstport,
    Field::Protocol,
    Field::Action,
];

/// The order of the fields in each record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Format {
    pub fields: Vec<Field>,
}

/// A problem with a format string or header line: what, and where (byte span).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub message: String,
    pub span: (usize, usize),
    pub help: Option<String>,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Format {
    /// The default format: version 2, 14 fields (D.2).
    pub fn default_v2() -> Format {
        Format {
            fields: FIELDS[..14].iter().map(|(_, f, _)| *f).collect(),
        }
    }

    /// `${version} ${vpc-id} …` as given to `--log-format` (D.3). Bare names
    /// (`version vpc-id …`, as in the S3 header line) are accepted too.
    pub fn parse(spec: &str) -> Result<Format, FormatError> {
        let mut fields = Vec::new();
        let mut pos = 0;
        for token in spec.split(|c: char| c.is_ascii_whitespace()) {
            let start = pos;
            pos += token.len() + 1;
            if token.is_empty() {
                continue;
            }
            let name = if let Some(inner) = token.strip_prefix("${") {
                inner.strip_suffix('}').ok_or_else(|| FormatError {
                    message: format!("{token:?} is not closed: a field is written ${{name}}"),
                    span: (start, token.len()),
                    help: Some(
                        "fields are separated by single spaces: '${version} ${interface-id} …'"
                            .into(),
                    ),
                })?
            } else {
                token
            };
            let Some(field) = Field::from_name(name) else {
                return Err(FormatError {
                    message: format!("unknown flow log field {name:?}"),
                    span: (start, token.len()),
                    help: Some(match closest(name) {
                        Some(c) => format!(
                            "did you mean ${{{c}}}? Fields through version 8: {}",
                            all_names()
                        ),
                        None => format!("fields through version 8: {}", all_names()),
                    }),
                });
            };
            if fields.contains(&field) {
                return Err(FormatError {
                    message: format!("field {name:?} appears twice"),
                    span: (start, token.len()),
                    help: None,
                });
            }
            fields.push(field);
        }
        if fields.is_empty() {
            return Err(FormatError {
                message: "the log format names no field".into(),
                span: (0, spec.len()),
                help: Some("e.g. '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}'".into()),
            });
        }
        Ok(Format { fields })
    }

    /// The highest version among the fields (D.3).
    pub fn version(&self) -> u8 {
        self.fields
            .iter()
            .filter_map(|f| FIELDS.iter().find(|(_, g, _)| g == f).map(|(_, _, v)| *v))
            .max()
            .unwrap_or(2)
    }

    /// Required fields this format lacks.
    pub fn missing(&self) -> Vec<Field> {
        REQUIRED
            .iter()
            .copied()
            .filter(|f| !self.fields.contains(f))
            .collect()
    }

    pub fn has(&self, f: Field) -> bool {
        self.fields.contains(&f)
    }

    pub fn text(&self) -> String {
        self.fields
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn all_names() -> String {
    FIELDS
        .iter()
        .map(|(n, _, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

fn closest(name: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .map(|(n, _, _)| (edit_distance(name, n), *n))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Is this line a header (field names, as S3 delivery writes first, D.7)?
/// True when its first token is a field name, never the case for a record.
pub fn looks_like_header(line: &[u8]) -> bool {
    let first = line
        .split(|b| *b == b' ' || *b == b'\t')
        .find(|t| !t.is_empty())
        .unwrap_or(b"");
    let first = first.strip_prefix(b"${").unwrap_or(first);
    let first = first.strip_suffix(b"}").unwrap_or(first);
    std::str::from_utf8(first)
        .ok()
        .and_then(Field::from_name)
        .is_some()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Accept,
    Reject,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "ACCEPT",
            Action::Reject => "REJECT",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStatus {
    Ok,
    NoData,
    SkipData,
}

/// Which way the packet crossed the ENI, from the record's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowDirection {
    Ingress,
    Egress,
}

/// One record, borrowing from the line. `None` = `-` or the field is not in
/// the format.
#[derive(Clone, Copy, Debug, Default)]
pub struct Record<'a> {
    pub line: &'a [u8],
    pub version: Option<u32>,
    pub account_id: Option<&'a str>,
    pub interface_id: Option<&'a str>,
    pub srcaddr: Option<crate::packet::Addr>,
    pub dstaddr: Option<crate::packet::Addr>,
    pub srcport: Option<u16>,
    pub dstport: Option<u16>,
    pub protocol: Option<u8>,
    pub packets: Option<u64>,
    pub bytes: Option<u64>,
    pub start: Option<u64>,
    pub end: Option<u64>,
    pub action: Option<Action>,
    pub log_status: Option<LogStatus>,
    pub vpc_id: Option<&'a str>,
    pub subnet_id: Option<&'a str>,
    pub instance_id: Option<&'a str>,
    pub tcp_flags: Option<u16>,
    pub pkt_srcaddr: Option<crate::packet::Addr>,
    pub pkt_dstaddr: Option<crate::packet::Addr>,
    pub flow_direction: Option<FlowDirection>,
    pub traffic_path: Option<u8>,
    pub reject_reason: Option<&'a str>,
    /// An address field held an IPv6 address (or `type` is `IPv6`).
    pub ipv6: bool,
}

/// Why a line is not a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineError {
    FieldCount { expected: usize, found: usize },
    BadValue { field: Field, value: String },
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineError::FieldCount { expected, found } => {
                write!(f, "{found} fields, the format has {expected}")
            }
            LineError::BadValue { field, value } => {
                write!(f, "{}: {value:?} is not a valid value", field.name())
            }
        }
    }
}

fn dash(t: &[u8]) -> bool {
    t == b"-"
}

#[inline]
fn num<T: TryFrom<u64>>(t: &[u8]) -> Option<T> {
    if t.is_empty() || t.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in t {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + d as u64;
    }
    T::try_from(v).ok()
}

#[inline]
pub fn ipv4(t: &[u8]) -> Option<u32> {
    let mut out: u32 = 0;
    let mut octet: u32 = 0;
    let mut digits = 0;
    let mut dots = 0;
    for &b in t {
        if b == b'.' {
            if digits == 0 || dots == 3 {
                return None;
            }
            out = (out << 8) | octet;
            octet = 0;
            digits = 0;
            dots += 1;
        } else {
            let d = b.wrapping_sub(b'0');
            if d > 9 || digits == 3 {
                return None;
            }
            octet = octet * 10 + d as u32;
            if octet > 255 {
                return None;
            }
            digits += 1;
        }
    }
    if dots != 3 || digits == 0 {
        return None;
    }
    Some((out << 8) | octet)
}

/// The fields of a line: what runs of spaces separate (none empty).
/// Spaces are found with `memchr`, not byte by byte.
fn tokens(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = line;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or_default();
        if !token.is_empty() {
            return Some(token);
        }
    })
}

fn text(t: &[u8]) -> Option<&str> {
    std::str::from_utf8(t).ok()
}

impl Format {
    /// Parse one line (without its newline). The caller has already dealt
    /// with blank lines and the header.
    pub fn parse_line<'a>(&self, line: &'a [u8]) -> Result<Record<'a>, LineError> {
        self.parse_fields(line).map_err(|e| {
            // A wrong field count explains a bad value better than the value.
            let found = tokens(line).count();
            if found != self.fields.len() {
                LineError::FieldCount {
                    expected: self.fields.len(),
                    found,
                }
            } else {
                e
            }
        })
    }

    fn parse_fields<'a>(&self, line: &'a [u8]) -> Result<Record<'a>, LineError> {
        let mut r = Record {
            line,
            ..Record::default()
        };
        let mut n = 0usize;
        for token in tokens(line) {
            let Some(&field) = self.fields.get(n) else {
                n += 1;
                continue;
            };
            n += 1;
            if dash(token) {
                continue;
            }
            let bad = || LineError::BadValue {
                field,
                value: String::from_utf8_lossy(token).into_owned(),
            };
            macro_rules! number {
                ($slot:expr) => {
                    $slot = Some(num(token).ok_or_else(bad)?)
                };
            }
            macro_rules! address {
                ($slot:expr) => {
                    match ipv4(token) {
                        Some(a) => $slot = Some(crate::packet::v4_addr(a)),
                        // IPv6 (v3+ logs of dual-stack ENIs): rare, parsed the slow way.
                        None if token.contains(&b':') => {
                            let v6 = std::str::from_utf8(token)
                                .ok()
                                .and_then(|t| t.parse::<std::net::Ipv6Addr>().ok())
                                .ok_or_else(bad)?;
                            r.ipv6 = true;
                            $slot = Some(crate::packet::addr_of(v6));
                        }
                        None => return Err(bad()),
                    }
                };
            }
            match field {
                Field::Version => number!(r.version),
                Field::AccountId => r.account_id = text(token),
                Field::InterfaceId => r.interface_id = Some(text(token).ok_or_else(bad)?),
                Field::Srcaddr => address!(r.srcaddr),
                Field::Dstaddr => address!(r.dstaddr),
                Field::PktSrcaddr => address!(r.pkt_srcaddr),
                Field::PktDstaddr => address!(r.pkt_dstaddr),
                Field::Srcport => number!(r.srcport),
                Field::Dstport => number!(r.dstport),
                Field::Protocol => number!(r.protocol),
                Field::Packets => number!(r.packets),
                Field::Bytes => number!(r.bytes),
                Field::Start => number!(r.start),
                Field::End => number!(r.end),
                Field::TcpFlags => number!(r.tcp_flags),
                Field::TrafficPath => number!(r.traffic_path),
                Field::Action => {
                    r.action = Some(match token {
                        b"ACCEPT" => Action::Accept,
                        b"REJECT" => Action::Reject,
                        _ => return Err(bad()),
                    })
                }
                Field::LogStatus => {
                    r.log_status = Some(match token {
                        b"OK" => LogStatus::Ok,
                        b"NODATA" => LogStatus::NoData,
                        b"SKIPDATA" => LogStatus::SkipData,
                        _ => return Err(bad()),
                    })
                }
                Field::FlowDirection => {
                    r.flow_direction = Some(match token {
                        b"ingress" => FlowDirection::Ingress,
                        b"egress" => FlowDirection::Egress,
                        _ => return Err(bad()),
                    })
                }
                Field::VpcId => r.vpc_id = text(token),
                Field::SubnetId => r.subnet_id = text(token),
                Field::InstanceId => r.instance_id = text(token),
                Field::RejectReason => r.reject_reason = text(token),
                Field::Type if token == b"IPv6" => r.ipv6 = true,
                _ => {}
            }
        }
        if n != self.fields.len() {
            return Err(LineError::FieldCount {
                expected: self.fields.len(),
                found: n,
            });
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tokens` splits as `split(' ')` without the empty pieces.
    #[test]
    fn tokens_are_what_spaces_separate() {
        for line in [
            &b""[..],
            b" ",
            b"   ",
            b"a",
            b" a",
            b"a ",
            b"  a  b   c ",
            b"2 123 eni-1 10.0.0.1",
            b"a\tb c",
        ] {
            let want: Vec<&[u8]> = line
                .split(|b| *b == b' ')
                .filter(|t| !t.is_empty())
                .collect();
            assert_eq!(tokens(line).collect::<Vec<_>>(), want, "{line:?}");
        }
    }

    #[test]
    fn default_record() {
        let f = Format::default_v2();
        let r = f
            .parse_line(b"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")
            .unwrap();
        assert_eq!(r.interface_id, Some("eni-1235b8ca123456789"));
        assert_eq!(
            r.srcaddr,
            Some(crate::packet::addr_of(std::net::Ipv4Addr::new(
                172, 31, 16, 139
            )))
        );
        assert_eq!(
            (r.srcport, r.dstport, r.protocol),
            (Some(20641), Some(22), Some(6))
        );
        assert_eq!(r.action, Some(Action::Accept));
        assert_eq!(r.log_status, Some(LogStatus::Ok));
    }

    #[test]
    fn nodata_has_dashes() {
        let f = Format::default_v2();
        let r = f
            .parse_line(b"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA")
            .unwrap();
        assert_eq!(r.log_status, Some(LogStatus::NoData));
        assert_eq!(r.srcaddr, None);
        assert_eq!(r.action, None);
    }

    #[test]
    fn malformed() {
        let f = Format::default_v2();
        assert!(matches!(
            f.parse_line(b"2 1 eni-1 1.2.3.4"),
            Err(LineError::FieldCount { found: 4, .. })
        ));
        assert!(matches!(
            f.parse_line(b"2 1 eni-1 1.2.3.400 1.2.3.4 1 2 6 1 1 1 1 ACCEPT OK"),
            Err(LineError::BadValue {
                field: Field::Srcaddr,
                ..
            })
        ));
        assert!(matches!(
            f.parse_line(b"2 1 eni-1 1.2.3.4 1.2.3.4 1 99999 6 1 1 1 1 ACCEPT OK"),
            Err(LineError::BadValue {
                field: Field::Dstport,
                ..
            })
        ));
    }

    #[test]
    fn custom_format_and_errors() {
        let f =
            Format::parse("${version} ${interface-id} ${flow-direction} ${pkt-srcaddr}").unwrap();
        assert_eq!(f.version(), 5);
        assert_eq!(f.fields[2], Field::FlowDirection);
        let e = Format::parse("${version} ${interface-idd}").unwrap_err();
        assert_eq!(e.span, (11, 16));
        assert!(e.help.unwrap().contains("${interface-id}"));
        assert!(looks_like_header(b"version account-id interface-id"));
        assert!(!looks_like_header(b"2 123 eni-1"));
    }

    #[test]
    fn addresses() {
        assert_eq!(ipv4(b"10.0.0.1"), Some(0x0a00_0001));
        assert_eq!(ipv4(b"10.0.0"), None);
        assert_eq!(ipv4(b"10.0.0.1.2"), None);
        assert_eq!(ipv4(b"1..2.3"), None);
        assert_eq!(ipv4(b"1000.0.0.1"), None);
    }
}
