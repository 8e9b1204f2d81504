//! Writing a snapshot: the `--output` check, the metadata document, JSON
//! indented as the AWS CLI prints it, and the atomic replacement of an
//! earlier snapshot (a temporary folder beside `--output`, swapped into
//! place only when complete).
//!
//! Must not know: the SDK's types (it writes JSON values it is given).

use super::*;
use crate::snapshot::metadata::{self, CallEntry, MissingEntry, PullMetadata};

/// The `--output` directory must be new, empty, or an earlier pull's
/// snapshot: `pull` never replaces anything else.
pub(super) fn check_output(output: &Path) -> Result<(), PullError> {
    let err = |message: String| PullError::Output {
        path: output.to_path_buf(),
        message,
    };
    match std::fs::symlink_metadata(output) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(err(e.to_string())),
        Ok(meta) if !meta.is_dir() => Err(err("it exists and is not a directory".into())),
        Ok(_) => {
            let mut entries = std::fs::read_dir(output).map_err(|e| err(e.to_string()))?;
            if entries.next().is_none() || output.join(METADATA_FILE).is_file() {
                Ok(())
            } else {
                Err(err(format!(
                    "it is a non-empty directory without {METADATA_FILE}, so not a snapshot pull wrote; refusing to replace it"
                )))
            }
        }
    }
}

pub(super) fn fmt_time(t: SystemTime) -> String {
    DateTime::from(t)
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
}

/// The metadata document (`{"VpcreachSnapshot": ...}`) of a finished pull.
pub(super) fn metadata(summary: &PullSummary, opts: &PullOptions, start: SystemTime) -> Value {
    let meta = PullMetadata {
        tool: Some("vpcreach".into()),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        format_version: Some(FORMAT_VERSION),
        start_time: Some(fmt_time(start)),
        end_time: Some(fmt_time(SystemTime::now())),
        duration_seconds: Some((summary.elapsed.as_secs_f64() * 1000.0).round() / 1000.0),
        regions: Some(summary.regions.clone()),
        complete: Some(summary.missing.is_empty() && !summary.accounts.iter().any(|a| a.failed())),
        calls: Some(
            summary
                .calls
                .iter()
                .map(|c| CallEntry {
                    region: Some(c.region.clone()),
                    operation: Some(c.operation.clone()),
                    action: Some(iam_action(&c.operation)),
                    file: Some(c.file.clone()),
                    key: Some(c.key.clone()),
                    resources: Some(c.resources as u64),
                    requests: Some(c.requests as u64),
                    account: c.account.clone(),
                })
                .collect(),
        ),
        missing: Some(
            summary
                .missing
                .iter()
                .map(|m| MissingEntry {
                    region: Some(m.region.clone()),
                    operation: Some(m.operation.clone()),
                    action: Some(m.action.clone()),
                    key: Some(m.key.clone()),
                    error_code: Some(m.error_code.clone()),
                    message: Some(m.message.clone()),
                    account: m.account.clone(),
                })
                .collect(),
        ),
        account: summary.account.clone(),
        profile: opts.profile.clone(),
        endpoint_url: opts.endpoint_url.clone(),
        accounts: (!summary.accounts.is_empty()).then(|| summary.accounts.clone()),
    };
    json!({ metadata::KEY: meta })
}

/// JSON as the AWS CLI prints it: four-space indent, trailing newline.
pub(super) fn to_cli_json(v: &Value) -> Vec<u8> {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).expect("a Value always serializes");
    buf.push(b'\n');
    buf
}

/// The temporary folder beside `output` a pull writes into.
pub(super) fn temp_dir_for(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    output.with_file_name(format!(".{name}.vpcreach-pull-{}", std::process::id()))
}

/// Write into a temporary folder beside `output`, then rename it into place;
/// a previous snapshot at `output` is replaced only after the new one is
/// complete on disk, and is left as it was if anything fails before that.
pub(super) fn write_atomically(
    output: &Path,
    files: &BTreeMap<String, Vec<FileOut>>,
    metadata: &Value,
) -> Result<(), PullError> {
    let tmp = TempSnapshot::create(output)?;
    tmp.write_folders("", files)?;
    tmp.commit(metadata)
}

/// A snapshot being written: a temporary folder beside `--output`, removed
/// when dropped unless [`TempSnapshot::commit`] swapped it into place (so a
/// pull given up half-way, by an error or by Ctrl-C dropping its future,
/// leaves nothing behind and the earlier snapshot as it was).
pub(super) struct TempSnapshot {
    output: PathBuf,
    dir: PathBuf,
    committed: bool,
}

fn io_error(path: &Path, e: std::io::Error) -> PullError {
    PullError::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn stop_if_interrupted() -> Result<(), PullError> {
    match interrupted() {
        true => Err(PullError::Interrupted { signal: "signal" }),
        false => Ok(()),
    }
}

impl TempSnapshot {
    pub(super) fn create(output: &Path) -> Result<TempSnapshot, PullError> {
        let output = if output.file_name().is_none() {
            // `snap/.` or `/`: resolve so the temporary folder has a sibling path.
            std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf())
        } else {
            output.to_path_buf()
        };
        if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        let dir = temp_dir_for(&output);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        }
        std::fs::create_dir(&dir).map_err(|e| io_error(&dir, e))?;
        Ok(TempSnapshot {
            output,
            dir,
            committed: false,
        })
    }

    /// Write each folder of `files` (a region, relative to `prefix`).
    pub(super) fn write_folders(
        &self,
        prefix: &str,
        files: &BTreeMap<String, Vec<FileOut>>,
    ) -> Result<(), PullError> {
        for (region, outs) in files {
            stop_if_interrupted()?;
            let dir = self.dir.join(prefix).join(region);
            std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
            for f in outs {
                stop_if_interrupted()?;
                let path = dir.join(f.file);
                write_file(&path, &to_cli_json(&f.document())).map_err(|e| io_error(&path, e))?;
            }
        }
        Ok(())
    }

    /// Write the metadata and swap the folder into place at `--output`.
    pub(super) fn commit(mut self, metadata: &Value) -> Result<(), PullError> {
        let path = self.dir.join(METADATA_FILE);
        write_file(&path, &to_cli_json(metadata)).map_err(|e| io_error(&path, e))?;
        stop_if_interrupted()?;
        swap_into_place(&self.dir, &self.output).map_err(|e| io_error(&self.output, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempSnapshot {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub(super) fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Put `tmp` at `output`. An existing `output` (empty, or an earlier
/// snapshot) is exchanged with `tmp` in one atomic step where the system can
/// (Linux's `renameat2(RENAME_EXCHANGE)`), so a reader always finds the old
/// snapshot or the new one; the old one, now at `tmp`, is then removed.
/// Elsewhere, or on a file system without exchange, `output` is moved aside
/// and `tmp` renamed in its place (moved back if that fails): between the two
/// renames `output` is briefly missing (documented in docs/pull.md).
pub(super) fn swap_into_place(tmp: &Path, output: &Path) -> std::io::Result<()> {
    if !output.exists() {
        return std::fs::rename(tmp, output);
    }
    match exchange(tmp, output) {
        Ok(()) => return std::fs::remove_dir_all(tmp),
        Err(e) if !exchange_unsupported(&e) => return Err(e),
        Err(_) => {}
    }
    let old = tmp.with_file_name(format!(
        "{}.old",
        tmp.file_name().unwrap_or_default().to_string_lossy()
    ));
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    std::fs::rename(output, &old)?;
    if let Err(e) = std::fs::rename(tmp, output) {
        let _ = std::fs::rename(&old, output);
        return Err(e);
    }
    std::fs::remove_dir_all(&old)
}

/// Swap two existing paths atomically.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that live across the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    match rc {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The kernel or file system cannot exchange (old kernel, NFS, some FUSE
/// file systems, other systems): fall back to two renames.
fn exchange_unsupported(e: &std::io::Error) -> bool {
    #[cfg(target_os = "linux")]
    if matches!(
        e.raw_os_error(),
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
    ) {
        return true;
    }
    e.kind() == std::io::ErrorKind::Unsupported
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_replaces_an_earlier_snapshot_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, output) = (dir.path().join(".snap.new"), dir.path().join("snap"));
        for (d, marker) in [(&tmp, "new"), (&output, "old")] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join(METADATA_FILE), marker).unwrap();
        }
        swap_into_place(&tmp, &output).unwrap();
        assert_eq!(
            std::fs::read_to_string(output.join(METADATA_FILE)).unwrap(),
            "new"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only --output remains");
    }

    /// Exchange is one step: the swapped-out snapshot ends up at `tmp`, whole.
    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_swaps_both_directories() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for (d, marker) in [(&a, "a"), (&b, "b")] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("m"), marker).unwrap();
        }
        match exchange(&a, &b) {
            Ok(()) => {
                assert_eq!(std::fs::read_to_string(a.join("m")).unwrap(), "b");
                assert_eq!(std::fs::read_to_string(b.join("m")).unwrap(), "a");
            }
            Err(e) => assert!(exchange_unsupported(&e), "{e}"),
        }
    }
}
