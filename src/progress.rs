//! Progress of long work — files loaded, classes walked, flow-log records
//! read — told to whoever listens.
//!
//! Owns: the [`Progress`] trait that loading, analyses and `flows` report
//! through, and [`Silent`], the listener that ignores it.
//! Must not know: how progress is shown (the CLI draws bars on a terminal,
//! and nothing otherwise) or whether anyone listens at all.

/// What a stage counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Bytes of input read.
    Bytes,
    /// Things of the named kind ("classes", "records").
    Items(&'static str),
}

/// A listener for long work. Work runs in stages; each stage begins, advances
/// (from any thread) and ends. Every method has a do-nothing default.
pub trait Progress: Sync {
    /// A new stage: what it does, and its size in `unit`s if known.
    fn begin(&self, _stage: &str, _total: Option<u64>, _unit: Unit) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// A short status beside the count ("3/16 files").
    fn note(&self, _text: &str) {}
    /// The current stage is over.
    fn end(&self) {}
}

/// Nobody listens.
pub struct Silent;

impl Progress for Silent {}

/// Counts units and reports them to `progress` in batches of `every`, so
/// that hot loops (10 M flow-log records) do not call the listener per unit.
pub struct Batched<'p> {
    progress: &'p dyn Progress,
    every: u64,
    pending: u64,
}

impl<'p> Batched<'p> {
    pub fn new(progress: &'p dyn Progress, every: u64) -> Self {
        Batched {
            progress,
            every: every.max(1),
            pending: 0,
        }
    }

    pub fn tick(&mut self) {
        self.pending += 1;
        if self.pending >= self.every {
            self.flush();
        }
    }

    pub fn flush(&mut self) {
        if self.pending > 0 {
            self.progress.advance(self.pending);
            self.pending = 0;
        }
    }
}

impl Drop for Batched<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}
