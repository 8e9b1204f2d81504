//! Progress on long work (issue 18 item 5): the library tells a listener
//! every byte loaded and every flow-log record read; the binary draws it on
//! stderr only when stderr is a terminal and `--quiet` is not given.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use vpcreach::flows::{self, Attributor, Options};
use vpcreach::progress::{Progress, Unit};
use vpcreach::topology::Topology;

#[derive(Default)]
struct Recorder {
    stages: Mutex<Vec<(String, Option<u64>, Unit)>>,
    ended: AtomicU64,
    units: AtomicU64,
}

impl Progress for Recorder {
    fn begin(&self, stage: &str, total: Option<u64>, unit: Unit) {
        self.stages
            .lock()
            .unwrap()
            .push((stage.to_string(), total, unit));
    }
    fn advance(&self, n: u64) {
        self.units.fetch_add(n, Ordering::Relaxed);
    }
    fn end(&self) {
        self.ended.fetch_add(1, Ordering::Relaxed);
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| match () {
            _ if p.is_dir() => json_bytes(&p),
            _ if p.extension().is_some_and(|e| e == "json") => std::fs::metadata(p).unwrap().len(),
            _ => 0,
        })
        .sum()
}

#[test]
fn loading_reports_every_byte_of_json_read() {
    let dir = root().join("fixtures/three-tier");
    let recorder = Recorder::default();
    vpcreach::snapshot::load_with_progress(&dir, &recorder).expect("fixture loads");
    let bytes = json_bytes(&dir);
    let stages = recorder.stages.lock().unwrap().clone();
    assert_eq!(
        stages,
        vec![("loading snapshot".to_string(), Some(bytes), Unit::Bytes)]
    );
    assert_eq!(recorder.units.load(Ordering::Relaxed), bytes);
    assert_eq!(recorder.ended.load(Ordering::Relaxed), 1);
}

#[test]
fn flows_reports_every_record_read() {
    let snap = vpcreach::snapshot::load(&root().join("fixtures/three-tier")).unwrap();
    let topo = Topology::new(&snap.network);
    let attr = Attributor::new(&topo);
    let inputs = flows::collect_inputs(&[root().join("fixtures/flowlogs/three-tier")]).unwrap();
    let recorder = Recorder::default();
    let summary = flows::run(
        &attr,
        &inputs,
        &Options::default(),
        None,
        &mut std::io::sink(),
        &recorder,
    )
    .unwrap();
    assert!(summary.lines > 0);
    assert_eq!(recorder.units.load(Ordering::Relaxed), summary.lines);
    let stages = recorder.stages.lock().unwrap().clone();
    assert_eq!(stages.len(), 1);
    assert_eq!(stages[0].2, Unit::Items("records"));
    assert_eq!(recorder.ended.load(Ordering::Relaxed), 1);
}

fn vpcreach(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vpcreach"))
        .args(args)
        .output()
        .expect("binary runs")
}

/// `args` run with stdin, stdout and stderr on a pseudo-terminal
/// (util-linux `script`), as a person at a shell runs them: what the
/// terminal received.
fn on_terminal(args: &[&str]) -> String {
    let command = std::iter::once(env!("CARGO_BIN_EXE_vpcreach"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("script (util-linux) runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A generated estate and flow log big enough that drawing a bar takes
/// place (the bar ticks every 120 ms).
fn estate(dir: &Path) -> (String, String) {
    let snap = dir.join("estate");
    let logs = dir.join("logs");
    let (s, l) = (snap.to_str().unwrap(), logs.to_str().unwrap());
    assert!(
        vpcreach(&["generate", "--output", s, "--enis", "1500", "--seed", "3"])
            .status
            .success()
    );
    assert!(vpcreach(&[
        "generate-flows",
        "--snapshot",
        s,
        "--output",
        l,
        "--records",
        "100000",
        "--files",
        "2"
    ])
    .status
    .success());
    (s.to_string(), l.to_string())
}

#[test]
fn bars_are_drawn_on_a_terminal_only_and_never_with_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let (snap, logs) = estate(dir.path());

    let drawn = on_terminal(&["flows", "--snapshot", &snap, &logs]);
    assert!(
        drawn.contains("loading snapshot") && drawn.contains("records"),
        "a terminal shows the load and the records read: {drawn:?}"
    );

    let quiet = on_terminal(&["flows", "--quiet", "--snapshot", &snap, &logs]);
    assert!(
        !quiet.contains("loading snapshot") && !quiet.contains("reading flow logs"),
        "--quiet draws nothing: {quiet:?}"
    );

    let piped = vpcreach(&["flows", "--snapshot", &snap, &logs]);
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(
        !stderr.contains("loading snapshot") && !stderr.contains("reading flow logs"),
        "a pipe gets no progress: {stderr:?}"
    );
}
