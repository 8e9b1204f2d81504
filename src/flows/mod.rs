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
//! once per distinct decision, ICMP outcomes once per signature, both
//! remembered per worker ([`cache`]).

pub mod attribute;
pub mod cache;
pub mod denials;
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
pub use cache::Cache;
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
/// Bounded: at most [`PENDING_LIMIT`] bytes of output for later files are
/// held in memory; beyond that a file's further output goes to an
/// anonymous temporary file ([`tempfile::tempfile`], gone when closed),
/// copied through when the file's turn comes. No worker waits (unless no
/// temporary file can be made): with as many files as workers, a worker
/// that had to wait for the file being written mostly waited (docs/performance.md, "`flows` throughput, round
/// two"); without any bound a fast worker's JSON output piled up in
/// memory (7.5 GB on 10 M records).
struct Ordered<'w> {
    state: Mutex<OrderedState<'w>>,
    /// Signalled whenever `next` moves on (a worker that could not spill
    /// waits for it, as all did before spilling).
    moved: std::sync::Condvar,
}

const PENDING_LIMIT: usize = 64 << 20;

struct OrderedState<'w> {
    out: &'w mut (dyn Write + Send),
    /// [`PENDING_LIMIT`] (smaller in tests).
    limit: usize,
    /// Where temporary files go: the system's temporary directory
    /// (`None`), or this one (tests).
    spill_dir: Option<PathBuf>,
    next: usize,
    pending: BTreeMap<usize, Pending>,
    /// Bytes held in memory in `pending`.
    held: usize,
    error: Option<io::Error>,
}

/// Output of a file that is not being written yet.
#[derive(Default)]
struct Pending {
    /// In memory, in order.
    chunks: Vec<Vec<u8>>,
    /// What came after `chunks`, once the memory bound was reached.
    spill: Option<std::fs::File>,
    /// The file's last chunk is in.
    done: bool,
}

impl OrderedState<'_> {
    fn write(&mut self, chunk: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(chunk) {
                self.error = Some(e);
            }
        }
    }

    fn fail(&mut self, e: io::Error) {
        self.error.get_or_insert(e);
    }

    /// Hold a chunk of a later file: in memory while under the bound,
    /// else (and for the rest of that file) in its temporary file. No
    /// temporary file to be had (no writable temporary directory): the
    /// chunk is handed back, for the caller to wait with. A temporary
    /// file that fails part way fails the run, and nothing of it is
    /// written.
    fn hold(&mut self, index: usize, chunk: Vec<u8>, done: bool) -> Result<(), Vec<u8>> {
        let in_memory = self.held + chunk.len() <= self.limit;
        let p = self.pending.entry(index).or_default();
        if p.spill.is_none() && in_memory {
            self.held += chunk.len();
            p.chunks.push(chunk);
            p.done |= done;
            return Ok(());
        }
        if p.spill.is_none() {
            let made = match &self.spill_dir {
                None => tempfile::tempfile(),
                Some(dir) => tempfile::tempfile_in(dir),
            };
            match made {
                Ok(f) => p.spill = Some(f),
                Err(_) => return Err(chunk),
            }
        }
        p.done |= done;
        if let Some(Err(e)) = p.spill.as_mut().map(|f| f.write_all(&chunk)) {
            self.fail(e);
        }
        Ok(())
    }

    /// Write what `next` holds, and move on past every finished file.
    fn flush(&mut self) {
        while let Some(p) = self.pending.remove(&self.next) {
            for c in &p.chunks {
                self.write(c);
                self.held -= c.len();
            }
            if let Some(mut f) = p.spill {
                if let Err(e) = self.copy(&mut f) {
                    self.fail(e);
                }
            }
            if !p.done {
                break;
            }
            self.next += 1;
        }
    }

    fn copy(&mut self, f: &mut std::fs::File) -> io::Result<()> {
        use std::io::{Seek, SeekFrom};
        f.seek(SeekFrom::Start(0))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.write(&buf[..n]);
        }
    }
}

impl Ordered<'_> {
    fn push(&self, index: usize, chunk: Vec<u8>, done: bool) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        let mut chunk = chunk;
        while index != s.next {
            match s.hold(index, chunk, done) {
                Ok(()) => return,
                Err(back) => chunk = back,
            }
            s = match self.moved.wait(s) {
                Ok(s) => s,
                Err(_) => return,
            };
        }
        s.write(&chunk);
        if done {
            s.next += 1;
            s.flush();
            self.moved.notify_all();
        }
    }
}

/// Per-file summaries merged in file order as they come in.
struct InOrder {
    next: usize,
    pending: BTreeMap<usize, (Arc<str>, Summary, denials::FileDenials)>,
    total: Summary,
    /// Merged files' denial tables, emptied, for the next files.
    spare: Vec<denials::FileDenials>,
}

impl InOrder {
    fn push(&mut self, index: usize, name: Arc<str>, s: Summary, d: denials::FileDenials) {
        self.pending.insert(index, (name, s, d));
        while let Some((name, s, mut d)) = self.pending.remove(&self.next) {
            self.total.merge(s);
            self.total.merge_denials(
                &FileCtx {
                    index: self.next,
                    name,
                },
                &mut d,
            );
            self.spare.push(d);
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
            limit: PENDING_LIMIT,
            spill_dir: None,
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
        spare: Vec::new(),
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
            denials: merged
                .lock()
                .ok()
                .and_then(|mut m| m.spare.pop())
                .unwrap_or_default(),
            seen: Vec::new(),
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
        for (b, g) in std::mem::take(&mut w.blockers.groups) {
            w.summary.by_blocker.entry(b).or_default().merge(g);
        }
        w.summary.cache_entries = w.cache.peak();
        let buf = std::mem::take(&mut w.buf);
        ordered.push(index, buf, true);
        if let Ok(mut m) = merged.lock() {
            m.push(index, w.ctx.name.clone(), w.summary, w.denials);
        }
    };
    let tasks = rayon::current_num_threads().clamp(1, inputs.len().max(1));
    let icmp = Arc::new(cache::SharedIcmp::default());
    rayon::scope(|scope| {
        for _ in 0..tasks {
            scope.spawn(|_| {
                let mut cache = Cache::with_shared(icmp.clone());
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
    /// This file's security group denials (merged into the run's summary
    /// after the file).
    denials: denials::FileDenials,
    /// ENIs evaluated in this file, a bit each (→ `summary.enis` at the end).
    seen: Vec<u64>,
}

/// One file's explained REJECTs by deciding blocker, found by the
/// blocker's number in the worker's [`Cache`] ([`cache::Cached::blocker`])
/// rather than by hashing and comparing the blocker's ids.
#[derive(Default)]
struct BlockerGroups {
    /// Per blocker number: its slot in `groups` (`u32::MAX`: none yet).
    slots: Vec<u32>,
    groups: Vec<(Blocker, Group)>,
}

impl BlockerGroups {
    /// The group of the outcome's first blocker.
    fn group(&mut self, c: &cache::Cached) -> &mut Group {
        let id = c.blocker.expect("a denial has a blocker") as usize;
        if id >= self.slots.len() {
            self.slots.resize(id + 1, u32::MAX);
        }
        if self.slots[id] == u32::MAX {
            self.slots[id] = self.groups.len() as u32;
            let b = c.outcome.blockers.first().expect("a denial has a blocker");
            self.groups.push((b.clone(), Group::default()));
        }
        &mut self.groups[self.slots[id] as usize].1
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
            flush_full(&mut self.buf, self.ordered, self.ctx.index);
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
        summary::widen(&mut s.first, &mut s.last, r);
        if r.ipv6 {
            s.ipv6 += 1;
        }
        let (Some(iface), Some(src), Some(dst), Some(proto)) =
            (r.interface_id, r.srcaddr, r.dstaddr, r.protocol)
        else {
            s.incomplete += 1;
            return self.skip(line, r, Skip::Incomplete);
        };
        let eni = self.cache.eni(self.attr, iface);
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
        let i = self.cache.outcome(self.attr, &key);
        // From here on the cache is only read: its entry is borrowed while
        // the groups are updated (no reference count touched).
        let cache: &Cache = self.cache;
        let c = cache.get(i);
        let outcome = &c.outcome;
        let bpa = reject && r.reject_reason == Some("BPA");
        let consistency = match (r.action, outcome.verdict) {
            _ if bpa => Consistency::Bpa,
            (None, _) => Consistency::NoAction,
            _ if c.undecided => Consistency::Unknown,
            (Some(Action::Accept), Verdict::Deny) => Consistency::UnexplainedAccept,
            (Some(Action::Accept), _) => Consistency::Consistent,
            (Some(Action::Reject), Verdict::Allow) => Consistency::UnexplainedReject,
            (Some(Action::Reject), _) => Consistency::Explained,
        };
        let ev = Evaluated {
            eni,
            header,
            outcome,
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
                self.blockers.group(c).add(&self.ctx, line, r, &ev, outcome);
                if let Some(direction) = c.sg_denial {
                    let k = SgKey {
                        eni,
                        egress: direction == Direction::Egress,
                        proto,
                        port: header.dport,
                    };
                    self.denials.add(k, line, r, &ev, outcome);
                }
            }
            Consistency::Unknown => {
                s.unknown += 1;
                // Listed with the REJECTs by what is missing; an ACCEPT
                // is only counted.
                if reject {
                    self.blockers.group(c).add(&self.ctx, line, r, &ev, outcome);
                }
            }
            Consistency::Bpa => {
                s.explained += 1;
                s.by_blocker
                    .entry(Blocker::Bpa)
                    .or_default()
                    .add(&self.ctx, line, r, &ev, outcome);
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
                    .add(&self.ctx, line, r, &ev, outcome);
            }
        }
        if let Some(sink) = self.sink {
            let ev = RecordEvent {
                file: &self.ctx.name,
                line,
                record: r,
                result: Ok(ev),
            };
            sink.record(self.attr, &ev, &mut self.buf);
            flush_full(&mut self.buf, self.ordered, self.ctx.index);
        }
    }
}

/// Hand a full output buffer on (in order, [`Ordered`]).
fn flush_full(buf: &mut Vec<u8>, ordered: &Ordered, index: usize) {
    if buf.len() > 1 << 20 {
        ordered.push(index, std::mem::take(buf), false);
    }
}

impl fmt::Display for Consistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordered<'w>(out: &'w mut (dyn Write + Send), spill_dir: Option<PathBuf>) -> Ordered<'w> {
        Ordered {
            state: Mutex::new(OrderedState {
                out,
                limit: 10,
                spill_dir,
                next: 0,
                pending: BTreeMap::new(),
                held: 0,
                error: None,
            }),
            moved: std::sync::Condvar::new(),
        }
    }

    /// No temporary file to be had: the worker ahead waits for its turn
    /// (memory stays bounded, the run does not fail), and order holds.
    #[test]
    fn ordered_output_waits_when_it_cannot_spill() {
        let mut out = Vec::new();
        {
            let missing = std::env::temp_dir().join("vpcreach-no-such-dir/x");
            let ordered = ordered(&mut out, Some(missing));
            ordered.push(1, b"b1b1b1b1".to_vec(), false);
            std::thread::scope(|t| {
                let ahead = t.spawn(|| ordered.push(1, b"b2b2b2b2".to_vec(), true));
                // The worker ahead can neither hold nor spill: it waits.
                std::thread::sleep(std::time::Duration::from_millis(50));
                assert!(!ahead.is_finished());
                ordered.push(0, b"a1".to_vec(), true);
                ahead.join().unwrap();
            });
            let s = ordered.state.lock().unwrap();
            assert_eq!((s.next, s.held), (2, 0));
            assert!(s.error.is_none());
        }
        assert_eq!(String::from_utf8(out).unwrap(), "a1b1b1b1b1b2b2b2b2");
    }

    /// Output of later files beyond the memory bound goes to a temporary
    /// file and comes out in file order, whole; nothing held stays behind.
    #[test]
    fn ordered_output_spills_beyond_the_bound_and_keeps_file_order() {
        let mut out = Vec::new();
        {
            let ordered = ordered(&mut out, None);
            let chunk = |s: &str| s.as_bytes().to_vec();
            // Files 2 and 1 run ahead of file 0; file 2 outgrows the bound.
            ordered.push(2, chunk("c1c1c1"), false);
            ordered.push(1, chunk("b1b1"), false);
            ordered.push(2, chunk("c2c2c2"), false);
            ordered.push(2, chunk("c3"), true);
            {
                let s = ordered.state.lock().unwrap();
                assert_eq!(s.held, 10, "file 2's first chunk and file 1's in memory");
                assert!(s.pending[&2].spill.is_some(), "file 2 spilled");
                assert!(s.pending[&1].spill.is_none());
            }
            ordered.push(0, chunk("a1"), false);
            ordered.push(1, chunk("b2b2b2b2"), false);
            ordered.push(0, chunk("a2"), true);
            // File 1 is being written now: its next chunk goes straight out.
            ordered.push(1, chunk("b3"), true);
            let s = ordered.state.lock().unwrap();
            assert_eq!((s.next, s.held, s.pending.len()), (3, 0, 0));
            assert!(s.error.is_none());
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a1a2b1b1b2b2b2b2b3c1c1c1c2c2c2c3"
        );
    }
}
