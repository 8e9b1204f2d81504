//! SIGINT and SIGTERM: a pull stops cleanly, leaving any earlier
//! snapshot as it was, and the synchronous entry point that runs a pull on
//! its own runtime.

use super::*;

/// Set once SIGINT or SIGTERM arrived (see [`pull_blocking`]): the write
/// checks it between files and gives up, removing its temporary folder.
pub(super) static INTERRUPTED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

pub(super) fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM: the one that came.
pub(super) async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "SIGINT"
}

/// Run [`pull`] on a new multi-threaded runtime (for the synchronous CLI).
/// SIGINT and SIGTERM stop it cleanly: requests in flight are dropped, a
/// write in progress stops between files and removes its temporary folder,
/// and the previous snapshot at `--output` stays as it was (exit 2).
pub fn pull_blocking(opts: &PullOptions) -> Result<PullSummary, PullError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| PullError::Runtime(e.to_string()))?;
    rt.block_on(async {
        // On its own task, so it runs while the write blocks this one.
        let mut watcher = tokio::spawn(async {
            let signal = shutdown_signal().await;
            INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
            signal
        });
        tokio::select! {
            result = pull(opts) => {
                watcher.abort();
                result
            }
            signal = &mut watcher => Err(PullError::Interrupted {
                signal: signal.unwrap_or("signal"),
            }),
        }
    })
}
