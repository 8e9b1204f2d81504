//! The snapshot cache (src/snapshot/cache.rs, issue 13): an answer from the
//! cache is the answer from the JSON, and a cache never answers for files
//! other than the ones it was made from — editing, adding or removing any
//! file, or a cache file that does not decode, is a miss.

use std::path::{Path, PathBuf};
use std::process::Command;

use vpcreach::progress::Silent;
use vpcreach::snapshot::cache::{self, CacheOptions, CacheOutcome};
use vpcreach::snapshot::Snapshot;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn options(dir: &Path) -> CacheOptions {
    CacheOptions {
        dir: Some(dir.to_path_buf()),
        min_bytes: 0,
    }
}

/// Everything a snapshot holds, as text: two loads are the same snapshot
/// when these are equal.
fn fingerprint(snap: &Snapshot) -> String {
    format!("{snap:?}")
}

fn load(path: &Path, options: &CacheOptions) -> (Snapshot, CacheOutcome) {
    cache::load(path, &Silent, options).expect("snapshot loads")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn every_fixture_reads_back_from_the_cache_as_it_loaded_from_json() {
    let cache_dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("fixtures")).unwrap() {
        let fixture = entry.unwrap().path();
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        if !fixture.is_dir()
            || ["broken", "changes", "scopes", "flowlogs", "terraform"].contains(&name.as_str())
        {
            continue;
        }
        let Ok(plain) = vpcreach::snapshot::load(&fixture) else {
            continue;
        };
        let (stored, first) = load(&fixture, &options(cache_dir.path()));
        let (cached, second) = load(&fixture, &options(cache_dir.path()));
        assert_eq!(first, CacheOutcome::Stored, "{name}");
        assert_eq!(second, CacheOutcome::Hit, "{name}");
        assert_eq!(fingerprint(&stored), fingerprint(&plain), "{name}");
        assert_eq!(fingerprint(&cached), fingerprint(&plain), "{name}");
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} fixtures");
}

#[test]
fn pull_metadata_survives_the_cache() {
    let cache_dir = tempfile::tempdir().unwrap();
    let snap = tempfile::tempdir().unwrap();
    copy_tree(&root().join("fixtures/three-tier"), snap.path());
    std::fs::write(
        snap.path().join("vpcreach-metadata.json"),
        r#"{"VpcreachSnapshot": {"Tool": "vpcreach", "Version": "0.1.0", "FormatVersion": 1,
            "DurationSeconds": 1.5, "Complete": false, "Regions": ["us-east-1"],
            "Missing": [{"Region": "us-east-1", "Key": "NetworkAcls", "Action": "ec2:DescribeNetworkAcls"}]}}"#,
    )
    .unwrap();
    let plain = vpcreach::snapshot::load(snap.path()).unwrap();
    assert!(plain.metadata.is_some(), "the fixture has pull metadata");
    load(snap.path(), &options(cache_dir.path()));
    let (cached, outcome) = load(snap.path(), &options(cache_dir.path()));
    assert_eq!(outcome, CacheOutcome::Hit);
    assert_eq!(fingerprint(&cached), fingerprint(&plain));
}

#[test]
fn editing_adding_or_removing_any_file_is_a_miss() {
    let cache_dir = tempfile::tempdir().unwrap();
    let snap = tempfile::tempdir().unwrap();
    copy_tree(&root().join("fixtures/three-tier"), snap.path());
    let opts = options(cache_dir.path());
    assert_eq!(load(snap.path(), &opts).1, CacheOutcome::Stored);
    assert_eq!(load(snap.path(), &opts).1, CacheOutcome::Hit);

    // An edit that keeps the size and the modification time: only the
    // content tells.
    let sgs = snap.path().join("us-east-1/security-groups.json");
    let text = std::fs::read_to_string(&sgs).unwrap();
    let mtime = std::fs::metadata(&sgs).unwrap().modified().unwrap();
    let edited = text.replacen("\"FromPort\": 443", "\"FromPort\": 442", 1);
    assert_ne!(edited, text, "the fixture has a rule from port 443");
    assert_eq!(edited.len(), text.len());
    std::fs::write(&sgs, &edited).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&sgs)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let (after_edit, outcome) = load(snap.path(), &opts);
    assert_eq!(outcome, CacheOutcome::Stored, "an edit is a miss");
    assert_eq!(
        fingerprint(&after_edit),
        fingerprint(&vpcreach::snapshot::load(snap.path()).unwrap())
    );
    assert_eq!(load(snap.path(), &opts).1, CacheOutcome::Hit);

    // A new file, even one that holds nothing the model uses.
    std::fs::write(snap.path().join("us-east-1/extra.json"), "{}").unwrap();
    assert_eq!(
        load(snap.path(), &opts).1,
        CacheOutcome::Stored,
        "an added file is a miss"
    );
    assert_eq!(load(snap.path(), &opts).1, CacheOutcome::Hit);

    // A removed file.
    std::fs::remove_file(snap.path().join("us-east-1/extra.json")).unwrap();
    assert_eq!(
        load(snap.path(), &opts).1,
        CacheOutcome::Stored,
        "a removed file is a miss"
    );

    // A renamed file (same bytes, other name).
    let nacls = snap.path().join("us-east-1/network-acls.json");
    std::fs::rename(&nacls, snap.path().join("us-east-1/acls.json")).unwrap();
    assert_eq!(
        load(snap.path(), &opts).1,
        CacheOutcome::Stored,
        "a renamed file is a miss"
    );
}

#[test]
fn a_damaged_cache_file_is_a_miss_not_an_error() {
    let cache_dir = tempfile::tempdir().unwrap();
    let fixture = root().join("fixtures/three-tier");
    let opts = options(cache_dir.path());
    load(&fixture, &opts);
    for entry in std::fs::read_dir(cache_dir.path()).unwrap() {
        let file = entry.unwrap().path();
        let mut bytes = std::fs::read(&file).unwrap();
        let cut = bytes.len() / 2;
        bytes.truncate(cut);
        std::fs::write(&file, &bytes).unwrap();
    }
    let (snap, outcome) = load(&fixture, &opts);
    assert_eq!(outcome, CacheOutcome::Stored);
    assert_eq!(
        fingerprint(&snap),
        fingerprint(&vpcreach::snapshot::load(&fixture).unwrap())
    );
}

#[test]
fn small_snapshots_and_no_cache_folder_write_nothing() {
    let cache_dir = tempfile::tempdir().unwrap();
    let fixture = root().join("fixtures/three-tier");
    let small = CacheOptions {
        dir: Some(cache_dir.path().to_path_buf()),
        min_bytes: cache::DEFAULT_MIN_BYTES,
    };
    assert_eq!(load(&fixture, &small).1, CacheOutcome::NotCached);
    assert_eq!(
        load(&fixture, &CacheOptions::disabled()).1,
        CacheOutcome::NotCached
    );
    assert_eq!(std::fs::read_dir(cache_dir.path()).unwrap().count(), 0);
}

fn vpcreach(args: &[&str], cache_dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(args)
        .env("VPCREACH_CACHE_DIR", cache_dir)
        .env("VPCREACH_CACHE_MIN_BYTES", "0")
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_cli_answers_the_same_from_the_cache_and_no_cache_writes_nothing() {
    let cache_dir = tempfile::tempdir().unwrap();
    let args = [
        "path",
        "--snapshot",
        "fixtures/three-tier",
        "--source",
        "internet",
        "--destination",
        "i-07f28259358129954",
        "--format",
        "json",
    ];
    let mut no_cache = args.to_vec();
    no_cache.push("--no-cache");
    let plain = vpcreach(&no_cache, cache_dir.path());
    assert_eq!(std::fs::read_dir(cache_dir.path()).unwrap().count(), 0);
    let stored = vpcreach(&args, cache_dir.path());
    assert_eq!(std::fs::read_dir(cache_dir.path()).unwrap().count(), 1);
    let hit = vpcreach(&args, cache_dir.path());
    assert_eq!(stored, plain);
    assert_eq!(hit, plain);
}
