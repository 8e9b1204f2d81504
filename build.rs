//! Two things the compiler cannot do from Cargo.toml alone.
//!
//! 1. `VPCREACH_SOURCE_HASH`: a hash of every file under `src/`, so that the
//!    snapshot cache (src/snapshot/cache.rs) never reads a cache written by a
//!    build of other sources, whose model may be laid out differently.
//! 2. Release binaries only: keep our own debug info (backtraces name
//!    vpcreach's frames with file and line) but compress it, and drop local
//!    symbol names, which a backtrace does not need once our frames have
//!    debug info. With the release profile's fat LTO (which makes nearly
//!    every symbol local) they take the release binary with the `aws`
//!    feature to 38.4 MB (docs/performance.md, "Binary size"). Linux
//!    linkers (GNU ld, lld, mold) take both flags; other targets keep the
//!    plain profile.

use std::hash::{DefaultHasher, Hasher};
use std::path::Path;

fn hash_tree(dir: &Path, hasher: &mut DefaultHasher) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            hash_tree(&path, hasher);
        } else if let Ok(bytes) = std::fs::read(&path) {
            hasher.write(path.to_string_lossy().as_bytes());
            hasher.write_usize(bytes.len());
            hasher.write(&bytes);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src");
    let mut hasher = DefaultHasher::new();
    hash_tree(Path::new("src"), &mut hasher);
    println!(
        "cargo:rustc-env=VPCREACH_SOURCE_HASH={:016x}",
        hasher.finish()
    );

    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    if release && linux {
        println!("cargo:rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
        println!("cargo:rustc-link-arg-bins=-Wl,--discard-all");
    }
}
