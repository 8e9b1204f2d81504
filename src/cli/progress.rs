//! Progress on stderr while long work runs — loading, classes walked,
//! flow-log records — drawn only on a terminal and without `--quiet`, so
//! pipes, CI logs and tests see nothing of it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use vpcreach::progress::{Progress, Unit};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Called once with the global `--quiet` flag, before any command runs.
pub fn enable(quiet: bool) {
    ENABLED.store(!quiet && std::io::stderr().is_terminal(), Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The terminal's listener: one bar per stage, or a spinner with a rate
/// when the stage's size is not known in advance.
#[derive(Default)]
pub struct Terminal {
    bar: Mutex<Option<ProgressBar>>,
}

impl Terminal {
    fn with_bar(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(guard) = self.bar.lock() {
            if let Some(bar) = guard.as_ref() {
                f(bar);
            }
        }
    }
}

fn style(total: Option<u64>, unit: Unit) -> ProgressStyle {
    let template = match (total, unit) {
        (Some(_), Unit::Bytes) => {
            "{prefix:>18} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}"
                .to_string()
        }
        (None, Unit::Bytes) => "{spinner} {prefix:>16} {bytes} ({bytes_per_sec}) {msg}".to_string(),
        (Some(_), Unit::Items(what)) => {
            format!("{{prefix:>18}} [{{bar:30}}] {{human_pos}}/{{human_len}} {what} ({{per_sec}}, {{eta}}) {{msg}}")
        }
        (None, Unit::Items(what)) => {
            format!("{{spinner}} {{prefix:>16}} {{human_pos}} {what} ({{per_sec}}) {{msg}}")
        }
    };
    ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Progress for Terminal {
    fn begin(&self, stage: &str, total: Option<u64>, unit: Unit) {
        if !enabled() {
            return;
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::new_spinner(),
        };
        bar.set_style(style(total, unit));
        bar.set_prefix(stage.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut guard) = self.bar.lock() {
            if let Some(old) = guard.replace(bar) {
                old.finish_and_clear();
            }
        }
    }

    fn advance(&self, n: u64) {
        self.with_bar(|bar| bar.inc(n));
    }

    fn note(&self, text: &str) {
        self.with_bar(|bar| bar.set_message(text.to_string()));
    }

    fn end(&self) {
        if let Ok(mut guard) = self.bar.lock() {
            if let Some(bar) = guard.take() {
                bar.finish_and_clear();
            }
        }
    }
}
