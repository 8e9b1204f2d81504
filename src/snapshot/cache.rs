//! A compiled copy of a loaded snapshot, so that a second question about the
//! same files skips parsing hundreds of megabytes of JSON (issue 13: a cold
//! `path` on 50,000 ENIs was all load).
//!
//! The cache answers only for the very bytes it was made from: its key is a
//! BLAKE3 hash of the snapshot path as given, every input file's relative
//! path, size and content, and the identity of this build (so a cache made
//! by another version is never read). Editing, adding or removing any file
//! changes the key; a key that does not match, or a cache file that does not
//! decode, is a miss and the snapshot is loaded from its JSON. One cache file
//! per snapshot folder (named by a hash of its canonical path), replaced
//! atomically, so the cache never grows beyond one entry per snapshot.
//!
//! Owns: the key, the file format, where cache files live. Must not know:
//! what the model means; JSON shapes (loading is [`super::load`]'s).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::load::{self, SnapshotFiles};
use super::{MissingKind, Snapshot, SnapshotError, Warning};
use crate::model::Network;
use crate::progress::{Progress, Unit};

/// Snapshots smaller than this load from JSON faster than the cache would
/// pay for itself (and tests over small fixtures leave no cache files).
pub const DEFAULT_MIN_BYTES: u64 = 8 << 20;

const MAGIC: &[u8; 12] = b"vpcreach-c1\n";

/// Where and whether to cache.
#[derive(Clone, Debug)]
pub struct CacheOptions {
    /// The folder of cache files; `None`: never cache.
    pub dir: Option<PathBuf>,
    /// Smallest snapshot (bytes of JSON) worth caching.
    pub min_bytes: u64,
}

impl CacheOptions {
    /// `$VPCREACH_CACHE_DIR`, else `$XDG_CACHE_HOME/vpcreach`, else
    /// `~/.cache/vpcreach`; `$VPCREACH_CACHE_MIN_BYTES` overrides the size
    /// threshold.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let dir = var("VPCREACH_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| var("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("vpcreach")))
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache/vpcreach")));
        let min_bytes = var("VPCREACH_CACHE_MIN_BYTES")
            .and_then(|v| v.to_str().and_then(|s| s.parse().ok()))
            .unwrap_or(DEFAULT_MIN_BYTES);
        CacheOptions { dir, min_bytes }
    }

    pub fn disabled() -> Self {
        CacheOptions {
            dir: None,
            min_bytes: u64::MAX,
        }
    }
}

/// How a load went, for `check` and the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Answered from the cache.
    Hit,
    /// Loaded from JSON and cached for next time.
    Stored,
    /// Loaded from JSON; not cached (too small, no cache folder, or the
    /// cache could not be written).
    NotCached,
}

/// What the cache file holds besides its key. Pull metadata is kept as its
/// JSON text: its serde attributes skip absent fields, which a compact
/// binary format cannot decode.
#[derive(Deserialize)]
struct Cached {
    network: Network,
    warnings: Vec<Warning>,
    files: Vec<PathBuf>,
    bytes: u64,
    metadata_json: Option<String>,
    absent: Vec<MissingKind>,
}

/// [`Cached`], borrowed from a snapshot for writing (same encoding).
#[derive(Serialize)]
struct CachedRef<'s> {
    network: &'s Network,
    warnings: &'s [Warning],
    files: &'s [PathBuf],
    bytes: u64,
    metadata_json: Option<String>,
    absent: &'s [MissingKind],
}

/// Load the snapshot at `path`, from the cache when it was made from exactly
/// these files, else from JSON (then caching it).
pub fn load(
    path: &Path,
    progress: &dyn Progress,
    options: &CacheOptions,
) -> Result<(Snapshot, CacheOutcome), SnapshotError> {
    let files = load::list_files(path)?;
    let Some(cache_file) = cache_file(path, &files, options) else {
        return Ok((
            super::finish(&mut load::read_files(files, progress)?),
            CacheOutcome::NotCached,
        ));
    };
    // Hashing the inputs and decoding the cache take about as long as each
    // other: do both at once, and use the decoded snapshot only if the key
    // it was stored under is the key of the inputs as they are now.
    let (key, cached) = rayon::join(|| key(path, &files, progress), || read(&cache_file));
    let key = key?;
    if let Some((stored_key, snapshot)) = cached {
        if stored_key == *key.as_bytes() {
            return Ok((snapshot, CacheOutcome::Hit));
        }
    }
    let snapshot = super::finish(&mut load::read_files(files, progress)?);
    let outcome = match write(&cache_file, &key, &snapshot) {
        Ok(()) => CacheOutcome::Stored,
        Err(_) => CacheOutcome::NotCached,
    };
    Ok((snapshot, outcome))
}

/// The cache file for this snapshot, if it is to be cached at all.
fn cache_file(path: &Path, files: &SnapshotFiles, options: &CacheOptions) -> Option<PathBuf> {
    let dir = options.dir.as_ref()?;
    if files.bytes() < options.min_bytes {
        return None;
    }
    let canonical = fs::canonicalize(path).ok()?;
    let name = blake3::hash(canonical.as_os_str().as_encoded_bytes()).to_hex();
    Some(dir.join(format!("{}.snapshot", &name[..32])))
}

/// The identity of this build: a cache written by any other source tree is
/// never read (build.rs hashes `src/`).
const BUILD_ID: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("VPCREACH_SOURCE_HASH"));

fn key(
    path: &Path,
    files: &SnapshotFiles,
    progress: &dyn Progress,
) -> Result<blake3::Hash, SnapshotError> {
    progress.begin("checking cache", Some(files.bytes()), Unit::Bytes);
    let mut hasher = blake3::Hasher::new();
    hasher.update(BUILD_ID.as_bytes());
    let given = path.as_os_str().as_encoded_bytes();
    hasher.update(&(given.len() as u64).to_le_bytes());
    hasher.update(given);
    for file in files.paths() {
        let io_error = |e: std::io::Error| SnapshotError::Io {
            path: file.clone(),
            message: e.to_string(),
        };
        // Streamed through one small buffer: reading each file whole cost
        // a fresh allocation, and its page faults, per file — a third of a
        // cache hit's time was system time (docs/performance.md).
        let input = fs::File::open(file).map_err(io_error)?;
        let size = input.metadata().map_err(io_error)?.len();
        let relative = file.strip_prefix(path).unwrap_or(file);
        let name = relative.as_os_str().as_encoded_bytes();
        hasher.update(&(name.len() as u64).to_le_bytes());
        hasher.update(name);
        hasher.update(&size.to_le_bytes());
        let mut input = std::io::BufReader::with_capacity(1 << 18, input);
        let read = std::io::copy(&mut input, &mut hasher).map_err(io_error)?;
        // A file that changed size while being read: its length as read
        // too, so the key is of what was read.
        if read != size {
            hasher.update(&read.to_le_bytes());
        }
        progress.advance(read);
    }
    progress.end();
    Ok(hasher.finalize())
}

/// The snapshot in `cache_file` and the key it was stored under: not yet
/// known to be current, the caller compares the key.
fn read(cache_file: &Path) -> Option<([u8; 32], Snapshot)> {
    let bytes = fs::read(cache_file).ok()?;
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let (stored_key, body) = rest.split_at_checked(32)?;
    let stored_key: [u8; 32] = stored_key.try_into().ok()?;
    let cached: Cached = postcard::from_bytes(body).ok()?;
    let metadata = match cached.metadata_json {
        Some(json) => Some(serde_json::from_str(&json).ok()?),
        None => None,
    };
    Some((
        stored_key,
        Snapshot {
            network: cached.network,
            warnings: cached.warnings,
            files: cached.files,
            bytes: cached.bytes,
            metadata,
            absent: cached.absent,
        },
    ))
}

/// Write whole or not at all: a temporary file in the cache folder, renamed
/// over the old entry.
fn write(cache_file: &Path, key: &blake3::Hash, snapshot: &Snapshot) -> std::io::Result<()> {
    let metadata_json = snapshot
        .metadata
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let cached = CachedRef {
        network: &snapshot.network,
        warnings: &snapshot.warnings,
        files: &snapshot.files,
        bytes: snapshot.bytes,
        metadata_json,
        absent: &snapshot.absent,
    };
    let body = postcard::to_stdvec(&cached).map_err(std::io::Error::other)?;
    let dir = cache_file.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = cache_file.with_extension(format!("{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(MAGIC)?;
        file.write_all(key.as_bytes())?;
        file.write_all(&body)?;
        file.sync_all()?;
        fs::rename(&tmp, cache_file)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}
