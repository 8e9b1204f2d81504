//! `vpcreach flows`: explain VPC Flow Log records with a snapshot.
//!
//! Owns: reading flow logs (plain or gzip, files, directory trees, stdin;
//! [`parse`] for formats and records), attributing each record to the
//! security group or NACL rule the snapshot says decides it ([`attribute`]),
//! spotting drift (an ACCEPT the snapshot would deny, a REJECT it would
//! allow), and the aggregates a summary is made of ([`Summary`]). Must not
//! know output formats: per-record output goes through a [`Sink`] the
//! report layer provides, and the summary is plain data.
//!
//! Speed: files are decompressed and parsed in parallel (rayon), lines are
//! split in place without allocating; a non-ICMP record is reduced to a
//! [`Decision`] (small indices, no allocation) whose [`Outcome`] is built
//! once per distinct decision; ICMP verdicts are cached per [`Key`].

pub mod attribute;
pub mod gen;
pub mod parse;
pub mod summary;
pub mod verdict;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::analysis::rules::Direction;
use crate::packet::{Header, PROTO_ICMP};
use crate::progress::{Batched, Progress, Unit};
pub use attribute::{Attributor, Blocker, Decision, Key, Outcome, Role, Verdict};
pub use parse::{Action, Field, Format, FormatError, LogStatus, Record};
pub use summary::*;

/// Where records come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".into(),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// Expand the command line: `-` is stdin, directories are walked
/// recursively (sorted; hidden entries skipped). A path that does not exist
/// is an error.
pub fn collect_inputs(args: &[PathBuf]) -> Result<Vec<Input>, (PathBuf, io::Error)> {
    let mut out = Vec::new();
    for a in args {
        if a.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(a).map_err(|e| (a.clone(), e))?;
        if meta.is_dir() {
            walk(a, &mut out).map_err(|e| (a.clone(), e))?;
        } else {
            out.push(Input::File(a.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    entries.sort();
    for p in entries {
        if p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.is_file() {
            out.push(Input::File(p));
        }
    }
    Ok(())
}

/// How the snapshot's verdict compares with the record's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Consistency {
    /// ACCEPT, and the snapshot allows it.
    Consistent,
    /// REJECT, and the snapshot names what denies it.
    Explained,
    /// REJECT with `reject-reason=BPA`.
    Bpa,
    /// ACCEPT the snapshot would deny: drift.
    UnexplainedAccept,
    /// REJECT the snapshot would allow: drift.
    UnexplainedReject,
    /// The format has no `action`.
    NoAction,
    /// What decides the record is not in the snapshot (a NACL, a security
    /// group, a prefix list's entries): neither explained nor drift
    /// (R-partial.5).
    Unknown,
}

impl Consistency {
    pub fn as_str(self) -> &'static str {
        match self {
            Consistency::Consistent => "consistent",
            Consistency::Explained => "explained",
            Consistency::Bpa => "explained-bpa",
            Consistency::UnexplainedAccept => "unexplained-accept",
            Consistency::UnexplainedReject => "unexplained-reject",
            Consistency::NoAction => "no-action",
            Consistency::Unknown => "unknown",
        }
    }
    pub fn is_drift(self) -> bool {
        matches!(
            self,
            Consistency::UnexplainedAccept | Consistency::UnexplainedReject
        )
    }
}

/// Why a traffic record was not evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The ENI is not in the snapshot.
    UnknownEni,
    /// Neither address is the ENI's and there is no `flow-direction`.
    NoDirection,
    /// An address, port, protocol or interface is `-`.
    Incomplete,
    /// The ENI, or its subnet, VPC, NACL or a group, is described more
    /// than once with different content: the record is unknown.
    Ambiguous,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::UnknownEni => "unknown-eni",
            Skip::NoDirection => "no-direction",
            Skip::Incomplete => "incomplete",
            Skip::Ambiguous => "unknown",
        }
    }
}

/// One evaluated record.
pub struct Evaluated<'a> {
    pub eni: u32,
    pub header: Header,
    pub outcome: &'a Outcome,
    pub consistency: Consistency,
}

/// One traffic record as the sink sees it.
pub struct RecordEvent<'a> {
    pub file: &'a str,
    pub line: u64,
    pub record: &'a Record<'a>,
    pub result: Result<Evaluated<'a>, Skip>,
}

/// Per-record output (JSON, CSV), written by the report layer into `out`;
/// the engine keeps each file's records together and files in order.
pub trait Sink: Sync {
    fn record(&self, attr: &Attributor, event: &RecordEvent, out: &mut Vec<u8>);
}

// -------------------------------------------------------------------- cache

/// Verdicts per key, one per worker. Bounded: cleared when it grows past
/// [`CACHE_LIMIT`] entries (a flow log with millions of distinct flows).
#[derive(Default)]
pub struct Cache {
    /// ICMP records by [`Attributor::icmp_signature`] (evaluated the long
    /// way once per signature, not once per peer address).
    icmp: FxMap<Box<[u32]>, Arc<Outcome>>,
    /// The signature of the current ICMP record (reused: no allocation).
    signature: Vec<u32>,
    /// Other protocols: a [`Decision`] per record (cheap, no allocation),
    /// its [`Outcome`] built once per distinct decision.
    decisions: FxMap<Decision, Arc<Outcome>>,
    /// Interface ids `eni-` + hex digits, as one number ([`packed_eni`]):
    /// two words to hash and compare, no pointer to follow on a look-up.
    eni_short: FxMap<u128, Option<u32>>,
    eni_ids: FxMap<Box<str>, Option<u32>>,
}

const CACHE_LIMIT: usize = 2_000_000;

/// `eni-` and 1 to 29 lowercase hex digits (AWS writes 8 or 17) as one
/// number: the digits' value, and their count in the top byte so that
/// leading zeros still tell ids apart. `None` for any other id.
fn packed_eni(id: &str) -> Option<u128> {
    let hex = id.as_bytes().strip_prefix(b"eni-")?;
    if hex.is_empty() || hex.len() > 29 {
        return None;
    }
    let mut v: u128 = 0;
    for &b in hex {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        v = v << 4 | u128::from(d);
    }
    Some(v | (hex.len() as u128) << 120)
}

// --------------------------------------------------------------------- run

/// Options of a run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--log-format`: used for inputs without a header line.
    pub format: Option<Format>,
}

struct FileCtx {
    index: usize,
    name: Arc<str>,
}

/// Output kept in file order while files are processed in parallel.
/// Bounded: a worker ahead of the file being written waits once
/// [`PENDING_LIMIT`] bytes are held for later files (the worker on the file
/// being written never waits, so all make progress). Without the bound a
/// fast worker's JSON output piled up in memory (7.5 GB on 10 M records).
struct Ordered<'w> {
    state: Mutex<OrderedState<'w>>,
    /// Signalled whenever `next` moves on.
    moved: std::sync::Condvar,
}

const PENDING_LIMIT: usize = 64 << 20;

struct OrderedState<'w> {
    out: &'w mut (dyn Write + Send),
    next: usize,
    pending: BTreeMap<usize, (Vec<Vec<u8>>, bool)>,
    /// Bytes held in `pending`.
    held: usize,
    error: Option<io::Error>,
}

impl OrderedState<'_> {
    fn write(&mut self, chunk: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(chunk) {
                self.error = Some(e);
            }
        }
    }
}

impl<'w> Ordered<'w> {
    fn push(&self, index: usize, chunk: Vec<u8>, done: bool) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        while index != s.next && s.held > PENDING_LIMIT {
            s = match self.moved.wait(s) {
                Ok(s) => s,
                Err(_) => return,
            };
        }
        if index != s.next {
            s.held += chunk.len();
            let e = s.pending.entry(index).or_default();
            e.0.push(chunk);
            e.1 |= done;
            return;
        }
        s.write(&chunk);
        if !done {
            return;
        }
        s.next += 1;
        self.moved.notify_all();
        loop {
            let next = s.next;
            let Some((chunks, finished)) = s.pending.remove(&next) else {
                break;
            };
            for c in &chunks {
                s.write(c);
                s.held -= c.len();
            }
            if finished {
                s.next += 1;
            } else {
                s.pending.insert(next, (Vec::new(), false));
                break;
            }
        }
    }
}

/// Per-file summaries merged in file order as they come in.
struct InOrder {
    next: usize,
    pending: BTreeMap<usize, Summary>,
    total: Summary,
}

impl InOrder {
    fn push(&mut self, index: usize, s: Summary) {
        self.pending.insert(index, s);
        while let Some(s) = self.pending.remove(&self.next) {
            self.total.merge(s);
            self.next += 1;
        }
    }
}

/// Read every input, attribute every record, aggregate. Per-record output
/// goes to `out` through `sink` (files in order, records in order).
pub fn run(
    attr: &Attributor,
    inputs: &[Input],
    opts: &Options,
    sink: Option<&dyn Sink>,
    out: &mut (dyn Write + Send),
    progress: &dyn Progress,
) -> io::Result<Summary> {
    progress.begin("reading flow logs", None, Unit::Items("records"));
    let files_done = std::sync::atomic::AtomicUsize::new(0);
    let ordered = Ordered {
        state: Mutex::new(OrderedState {
            out,
            next: 0,
            pending: BTreeMap::new(),
            held: 0,
            error: None,
        }),
        moved: std::sync::Condvar::new(),
    };
    // Files are handed out in order, one at a time, to one task per
    // thread: at most one file per thread is in flight, so the output and
    // summaries waiting for an earlier file stay few (rayon's splitting of
    // a slice would start the second half of the files at once and hold
    // all of their output until the first half is done). Summaries are
    // merged in file order as soon as they can be, and dropped.
    let next_file = std::sync::atomic::AtomicUsize::new(0);
    let merged = Mutex::new(InOrder {
        next: 0,
        pending: BTreeMap::new(),
        total: Summary::default(),
    });
    let one_file = |cache: &mut Cache, index: usize, input: &Input| {
        let ctx = FileCtx {
            index,
            name: Arc::from(input.name()),
        };
        let mut w = Worker {
            attr,
            opts,
            progress,
            sink,
            ordered: &ordered,
            ctx,
            summary: Summary {
                files: 1,
                ..Summary::default()
            },
            buf: Vec::new(),
            cache,
            blockers: BlockerGroups::default(),
            sg_slots: FxMap::default(),
            sg_groups: Vec::new(),
            seen: Vec::new(),
            last_key: None,
        };
        if let Err(e) = w.read(input) {
            w.summary.file_errors.push((input.name(), e.to_string()));
        }
        let done = 1 + files_done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        progress.note(&format!("{done}/{} files", inputs.len()));
        for (i, word) in w.seen.iter().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                let b = bits.trailing_zeros();
                w.summary.enis.insert(i as u32 * 64 + b);
                bits &= bits - 1;
            }
        }
        w.summary.sg_denials.reserve(w.sg_groups.len());
        w.summary
            .sg_denials
            .extend(std::mem::take(&mut w.sg_groups));
        for (b, g) in std::mem::take(&mut w.blockers.groups) {
            w.summary.by_blocker.entry(b).or_default().merge(g);
        }
        let buf = std::mem::take(&mut w.buf);
        ordered.push(index, buf, true);
        if let Ok(mut m) = merged.lock() {
            m.push(index, w.summary);
        }
    };
    let tasks = rayon::current_num_threads().clamp(1, inputs.len().max(1));
    rayon::scope(|scope| {
        for _ in 0..tasks {
            scope.spawn(|_| {
                let mut cache = Cache::default();
                loop {
                    let index = next_file.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(input) = inputs.get(index) else {
                        break;
                    };
                    one_file(&mut cache, index, input);
                }
            });
        }
    });
    progress.end();
    let mut summary = merged
        .into_inner()
        .map_err(|_| io::Error::other("summary lock poisoned"))?
        .total;
    summary.sort_malformed();
    summary.notes = attr.notes();
    let state = ordered
        .state
        .into_inner()
        .map_err(|_| io::Error::other("output lock poisoned"))?;
    if let Some(e) = state.error {
        return Err(e);
    }
    Ok(summary)
}

/// Open a file or stdin, transparently gunzipping (by magic number, so
/// `.log.gz`, `.gz` and extension-less S3 objects all work). Multi-member
/// gzip (as S3 writes) is read to the end.
pub fn open(input: &Input) -> io::Result<Box<dyn Read + Send>> {
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(io::stdin()),
        Input::File(p) => Box::new(std::fs::File::open(p)?),
    };
    let mut br = BufReader::with_capacity(1 << 16, raw);
    let gz = br.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gz {
        Box::new(flate2::read::MultiGzDecoder::new(br))
    } else {
        Box::new(br)
    })
}

/// The longest line read as a record. Flow-log records are well under
/// 1 KiB; a longer line (a gzip bomb without newlines, `/dev/zero`) is
/// skipped without being buffered, so memory stays flat whatever the input.
pub const MAX_LINE: usize = 64 * 1024;

/// Call `f` with each line (1-based number, bytes without `\n`/`\r\n`), or
/// with `Err(length)` for a line longer than [`MAX_LINE`].
pub fn for_each_line(
    mut r: impl Read,
    mut f: impl FnMut(u64, Result<&[u8], u64>),
) -> io::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    let (mut start, mut end) = (0usize, 0usize);
    let mut n = 0u64;
    // Bytes of an over-long line seen so far, while skipping to its end.
    let mut skipping: Option<u64> = None;
    loop {
        if end == buf.len() {
            // A pending line is at most MAX_LINE long: moving it makes room.
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
        }
        let read = match r.read(&mut buf[end..]) {
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if read == 0 {
            if let Some(length) = skipping {
                n += 1;
                f(n, Err(length));
            } else if start < end {
                n += 1;
                f(n, Ok(trim_cr(&buf[start..end])));
            }
            return Ok(());
        }
        let mut pos = end;
        end += read;
        if let Some(length) = skipping {
            match memchr::memchr(b'\n', &buf[pos..end]) {
                Some(i) => {
                    n += 1;
                    f(n, Err(length + i as u64));
                    skipping = None;
                    pos += i + 1;
                    start = pos;
                }
                None => {
                    skipping = Some(length + read as u64);
                    (start, end) = (0, 0);
                    continue;
                }
            }
        }
        while let Some(i) = memchr::memchr(b'\n', &buf[pos..end]) {
            n += 1;
            let line = &buf[start..pos + i];
            if line.len() > MAX_LINE {
                f(n, Err(line.len() as u64));
            } else {
                f(n, Ok(trim_cr(line)));
            }
            pos += i + 1;
            start = pos;
        }
        if end - start > MAX_LINE {
            skipping = Some((end - start) as u64);
            (start, end) = (0, 0);
        }
    }
}

fn trim_cr(l: &[u8]) -> &[u8] {
    l.strip_suffix(b"\r").unwrap_or(l)
}

struct Worker<'a, 'w, 't, 'n> {
    attr: &'a Attributor<'t, 'n>,
    opts: &'a Options,
    progress: &'a dyn Progress,
    sink: Option<&'a dyn Sink>,
    ordered: &'a Ordered<'w>,
    ctx: FileCtx,
    summary: Summary,
    buf: Vec<u8>,
    cache: &'a mut Cache,
    blockers: BlockerGroups,
    /// This file's security group denials (→ `summary.sg_denials` at the
    /// end): a table of small slots in front of a vector, so that growing
    /// the table moves 20-byte entries, not whole groups.
    sg_slots: FxMap<SgKey, u32>,
    sg_groups: Vec<(SgKey, Group)>,
    /// ENIs evaluated in this file, a bit each (→ `summary.enis` at the end).
    seen: Vec<u64>,
    /// The previous record's key and outcome.
    last_key: Option<(Key, Arc<Outcome>)>,
}

/// One file's explained REJECTs by deciding blocker, found by the
/// interned [`Outcome`] (its address; the `Arc` is held so that it stays
/// unique) rather than by hashing and comparing the blocker's ids.
#[derive(Default)]
struct BlockerGroups {
    by_outcome: FxMap<usize, (Arc<Outcome>, u32)>,
    by_blocker: FxMap<Blocker, u32>,
    groups: Vec<(Blocker, Group)>,
}

impl BlockerGroups {
    /// The group of the outcome's first blocker.
    fn group(&mut self, outcome: &Arc<Outcome>) -> &mut Group {
        let key = Arc::as_ptr(outcome) as usize;
        let slot = match self.by_outcome.get(&key) {
            Some((_, slot)) => *slot,
            None => {
                let b = outcome.blockers.first().expect("a denial has a blocker");
                let slot = match self.by_blocker.get(b) {
                    Some(slot) => *slot,
                    None => {
                        let slot = self.groups.len() as u32;
                        self.groups.push((b.clone(), Group::default()));
                        self.by_blocker.insert(b.clone(), slot);
                        slot
                    }
                };
                self.by_outcome.insert(key, (outcome.clone(), slot));
                slot
            }
        };
        &mut self.groups[slot as usize].1
    }
}

impl Worker<'_, '_, '_, '_> {
    fn read(&mut self, input: &Input) -> io::Result<()> {
        let reader = open(input)?;
        let mut format: Option<Format> = None;
        let mut fatal: Option<io::Error> = None;
        let progress = self.progress;
        let mut records = Batched::new(progress, 4096);
        for_each_line(reader, |n, line| {
            if fatal.is_some() {
                return;
            }
            records.tick();
            self.summary.lines += 1;
            let line = match line {
                Ok(line) => line,
                Err(length) => {
                    self.malformed(n, format!("a line of {length} bytes, longer than any flow-log record ({MAX_LINE} bytes at most are read)"));
                    return;
                }
            };
            // A record starts with a field: only a line that does not can be blank.
            if line.first().is_none_or(u8::is_ascii_whitespace)
                && line.iter().all(u8::is_ascii_whitespace)
            {
                return;
            }
            let fmt = match &format {
                Some(f) => f,
                None => {
                    // First line: a header names the format (D.7).
                    let chosen = if parse::looks_like_header(line) {
                        self.summary.headers += 1;
                        let text = String::from_utf8_lossy(line);
                        match Format::parse(&text) {
                            Ok(f) => {
                                if let Some(given) = &self.opts.format {
                                    if *given != f {
                                        self.summary.warnings.push(format!("{}: the header line names a format different from --log-format; the header was used", self.ctx.name));
                                    }
                                }
                                Some(f)
                            }
                            Err(e) => {
                                fatal =
                                    Some(io::Error::other(format!("line {n}: header line: {e}")));
                                None
                            }
                        }
                    } else {
                        Some(self.opts.format.clone().unwrap_or_else(Format::default_v2))
                    };
                    let Some(f) = chosen else { return };
                    let missing = f.missing();
                    if !missing.is_empty() {
                        fatal = Some(io::Error::other(format!(
                            "the format lacks {} (needed to evaluate records): {}",
                            missing
                                .iter()
                                .map(|m| m.name())
                                .collect::<Vec<_>>()
                                .join(", "),
                            f.text()
                        )));
                        return;
                    }
                    format = Some(f);
                    if self.summary.headers > 0 {
                        return; // the header itself is not a record
                    }
                    format.as_ref().expect("just set")
                }
            };
            match fmt.parse_line(line) {
                Ok(rec) => self.record(n, &rec),
                Err(e) => self.malformed(n, e.to_string()),
            }
        })?;
        match fatal {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn malformed(&mut self, line: u64, reason: String) {
        self.summary.malformed += 1;
        if self.summary.malformed_examples.len() < MALFORMED_EXAMPLES {
            self.summary.malformed_examples.push(Malformed {
                file: self.ctx.name.clone(),
                line,
                reason,
            });
        }
    }

    fn emit(&mut self, ev: &RecordEvent) {
        if let Some(s) = self.sink {
            s.record(self.attr, ev, &mut self.buf);
            if self.buf.len() > 1 << 20 {
                let chunk = std::mem::take(&mut self.buf);
                self.ordered.push(self.ctx.index, chunk, false);
            }
        }
    }

    fn skip(&mut self, line: u64, r: &Record, why: Skip) {
        self.emit(&RecordEvent {
            file: &self.ctx.name.clone(),
            line,
            record: r,
            result: Err(why),
        });
    }

    fn record(&mut self, line: u64, r: &Record) {
        match r.log_status {
            Some(LogStatus::NoData) => {
                self.summary.nodata += 1;
                return;
            }
            Some(LogStatus::SkipData) => {
                self.summary.skipdata += 1;
                return;
            }
            _ => {}
        }
        let s = &mut self.summary;
        s.records += 1;
        match r.action {
            Some(Action::Accept) => s.accept += 1,
            Some(Action::Reject) => s.reject += 1,
            None => {}
        }
        s.bytes += r.bytes.unwrap_or(0);
        if let Some(t) = r.start {
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
        }
        if let Some(t) = r.end.or(r.start) {
            s.last = Some(s.last.map_or(t, |l| l.max(t)));
        }
        if r.ipv6 {
            s.ipv6 += 1;
        }
        let (Some(iface), Some(src), Some(dst), Some(proto)) =
            (r.interface_id, r.srcaddr, r.dstaddr, r.protocol)
        else {
            s.incomplete += 1;
            return self.skip(line, r, Skip::Incomplete);
        };
        let eni = match packed_eni(iface) {
            Some(k) => *self
                .cache
                .eni_short
                .entry(k)
                .or_insert_with(|| self.attr.eni_index(iface)),
            None => match self.cache.eni_ids.get(iface) {
                Some(e) => *e,
                None => {
                    let e = self.attr.eni_index(iface);
                    self.cache.eni_ids.insert(iface.into(), e);
                    e
                }
            },
        };
        let reject = r.action == Some(Action::Reject);
        let Some(eni) = eni else {
            let e = s.unknown_enis.entry(iface.to_string()).or_default();
            e.0 += 1;
            e.1 += u64::from(reject);
            return self.skip(line, r, Skip::UnknownEni);
        };
        if let Some(id) = self.attr.eni(eni).ambiguous {
            // Which of two different resources under one id the record
            // is about is not known, nor its direction or verdict: neither
            // explained nor drift (R-ambiguous.1).
            self.attr.note(format!(
                "records on {iface} are unknown: {id} is described more than once with different content (see the warnings)"
            ));
            s.unknown += 1;
            return self.skip(line, r, Skip::Ambiguous);
        }
        let Some(dir) = self.attr.direction(eni, r.flow_direction, src, dst) else {
            s.no_direction += 1;
            s.no_direction_rejects += u64::from(reject);
            return self.skip(line, r, Skip::NoDirection);
        };
        let word = (eni / 64) as usize;
        if word >= self.seen.len() {
            self.seen.resize(word + 1, 0);
        }
        self.seen[word] |= 1 << (eni % 64);
        let (sport, dport) = if proto == PROTO_ICMP {
            (0, 0)
        } else {
            (r.srcport.unwrap_or(0), r.dstport.unwrap_or(0))
        };
        let header = Header {
            src: r.pkt_srcaddr.unwrap_or(src),
            dst: r.pkt_dstaddr.unwrap_or(dst),
            proto,
            sport,
            dport,
        };
        let key = Key {
            eni,
            egress: dir == Direction::Egress,
            syn: if proto == crate::packet::PROTO_TCP {
                attribute::syn_class(r.tcp_flags)
            } else {
                0
            },
            header,
        };
        let outcome = if let Some((k, o)) = &self.last_key {
            if *k == key {
                Some(o.clone())
            } else {
                None
            }
        } else {
            None
        };
        let outcome = if let Some(o) = outcome {
            o
        } else if proto == PROTO_ICMP {
            let c = &mut *self.cache;
            self.attr.icmp_signature(&key, &mut c.signature);
            match c.icmp.get(c.signature.as_slice()) {
                Some(o) => o.clone(),
                None => {
                    if c.icmp.len() >= CACHE_LIMIT {
                        c.icmp.clear();
                    }
                    let o = Arc::new(self.attr.evaluate(&key));
                    c.icmp.insert(c.signature.as_slice().into(), o.clone());
                    o
                }
            }
        } else {
            let d = self.attr.decide(&key);
            if self.cache.decisions.len() >= CACHE_LIMIT {
                self.cache.decisions.clear();
            }
            self.cache
                .decisions
                .entry(d)
                .or_insert_with(|| Arc::new(self.attr.materialize(&d)))
                .clone()
        };
        // Consecutive records of one flow (one key) skip the look-ups.
        self.last_key = Some((key, outcome.clone()));
        let bpa = reject && r.reject_reason == Some("BPA");
        // Only what the snapshot lacks denies it: a definite denial (an SG
        // or NACL rule) still explains a REJECT, or makes an ACCEPT drift.
        let undecided = outcome.verdict != Verdict::Allow
            && outcome
                .blockers
                .iter()
                .all(|b| b.code() == crate::analysis::ExplanationCode::UnknownResource);
        let consistency = match (r.action, outcome.verdict) {
            _ if bpa => Consistency::Bpa,
            (None, _) => Consistency::NoAction,
            _ if undecided => Consistency::Unknown,
            (Some(Action::Accept), Verdict::Deny) => Consistency::UnexplainedAccept,
            (Some(Action::Accept), _) => Consistency::Consistent,
            (Some(Action::Reject), Verdict::Allow) => Consistency::UnexplainedReject,
            (Some(Action::Reject), _) => Consistency::Explained,
        };
        let ev = Evaluated {
            eni,
            header,
            outcome: &outcome,
            consistency,
        };
        let s = &mut self.summary;
        if outcome.verdict == Verdict::Partial {
            s.partial += 1;
        }
        match consistency {
            Consistency::Consistent | Consistency::NoAction => s.consistent += 1,
            Consistency::Explained => {
                s.explained += 1;
                let deciding = outcome.blockers.first().expect("a denial has a blocker");
                self.blockers
                    .group(&outcome)
                    .add(&self.ctx, line, r, &ev, &outcome, false);
                if let Blocker::Sg { direction, .. } = *deciding {
                    let k = SgKey {
                        eni,
                        egress: direction == Direction::Egress,
                        proto,
                        port: header.dport,
                    };
                    let slot = *self.sg_slots.entry(k).or_insert_with(|| {
                        self.sg_groups.push((k, Group::default()));
                        self.sg_groups.len() as u32 - 1
                    });
                    self.sg_groups[slot as usize]
                        .1
                        .add(&self.ctx, line, r, &ev, &outcome, true);
                }
            }
            Consistency::Unknown => {
                s.unknown += 1;
                // Listed with the REJECTs by what is missing; an ACCEPT
                // is only counted.
                if reject {
                    self.blockers
                        .group(&outcome)
                        .add(&self.ctx, line, r, &ev, &outcome, false);
                }
            }
            Consistency::Bpa => {
                s.explained += 1;
                s.by_blocker
                    .entry(Blocker::Bpa)
                    .or_default()
                    .add(&self.ctx, line, r, &ev, &outcome, false);
            }
            Consistency::UnexplainedAccept | Consistency::UnexplainedReject => {
                if consistency == Consistency::UnexplainedAccept {
                    s.unexplained_accept += 1;
                } else {
                    s.unexplained_reject += 1;
                }
                let port = match proto {
                    crate::packet::PROTO_TCP | crate::packet::PROTO_UDP => sport.min(dport),
                    _ => 0,
                };
                let k = DriftKey {
                    eni,
                    egress: dir == Direction::Egress,
                    accept: consistency == Consistency::UnexplainedAccept,
                    proto,
                    port,
                };
                s.drift
                    .entry(k)
                    .or_default()
                    .add(&self.ctx, line, r, &ev, &outcome, false);
            }
        }
        s.cache_entries = s
            .cache_entries
            .max(self.cache.icmp.len() + self.cache.decisions.len());
        if self.sink.is_some() {
            let name = self.ctx.name.clone();
            self.emit(&RecordEvent {
                file: &name,
                line,
                record: r,
                result: Ok(ev),
            });
        }
    }
}

impl fmt::Display for Consistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::packed_eni;

    #[test]
    fn packed_eni_ids_are_distinct() {
        let ids = [
            "eni-00000050000000644",
            "eni-0000005000000644",
            "eni-1235b8ca",
            "eni-01235b8ca",
            "eni-1",
            "eni-0",
            "eni-00",
        ];
        let packed: Vec<u128> = ids.iter().map(|i| packed_eni(i).unwrap()).collect();
        for (i, a) in packed.iter().enumerate() {
            for b in &packed[i + 1..] {
                assert_ne!(a, b);
            }
        }
        for other in [
            "eni-",
            "eni-ABC",
            "i-0123",
            "eni-123456789012345678901234567890",
        ] {
            assert_eq!(packed_eni(other), None, "{other}");
        }
        assert!(packed_eni("eni-12345678901234567890123456789").is_some());
    }
}
