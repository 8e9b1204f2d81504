//! Fuzzing inside `cargo test` (issue 16): structure-aware mutations of the
//! fixture and real-world files, for every input kind (snapshot, scope,
//! change and Terraform plan files, flow-log lines, the command line), on a
//! fixed budget.
//!
//! Each harness runs for `VPCREACH_FUZZ_SECS` seconds (default 2) from the
//! seed `VPCREACH_FUZZ_SEED` (default 1), so a short run in the suite is
//! reproducible and a long campaign is one environment variable away (see
//! docs/reliability.md). Every input must give no panic, and every error
//! must name its file and, for JSON, the line and column.
//!
//! proptest's seeded generator drives the mutations, not its runner: the
//! budget is wall-clock time, not a number of cases, and a failing input is
//! kept whole (written to the target's `tmp/fuzz-failures/`) instead of
//! being shrunk.

mod binary;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use binary::vpcreach;
use proptest::prelude::Rng as _;
use proptest::test_runner::{RngAlgorithm, TestRng};
use serde_json::Value;
use vpcreach::snapshot::{change_file, locate, scope_shapes};

fn budget() -> Duration {
    let secs = std::env::var("VPCREACH_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(2.0);
    Duration::from_secs_f64(secs)
}

/// proptest's deterministic ChaCha generator, seeded from the environment.
struct Rng(TestRng);

impl Rng {
    fn new(salt: u64) -> Rng {
        let seed = std::env::var("VPCREACH_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1u64);
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        bytes[8..16].copy_from_slice(&salt.to_le_bytes());
        Rng(TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
    }
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// `../shared/<name>` from the repository root (`../../shared` from a
/// worktree under `wt/`), used by path and never copied.
fn shared(name: &str) -> PathBuf {
    ["../shared", "../../shared"]
        .iter()
        .map(|root| Path::new(root).join(name))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("../shared/{name} is missing"))
}

/// Seed texts: `fixtures/<under>` (or all of fixtures/ when `under` is
/// empty, minus scopes, changes and plans) and, for snapshots,
/// `../shared/realworld/`; for plans, `../shared/terraform/`.
fn seeds(under: &str) -> Vec<String> {
    let mut files = Vec::new();
    if under.is_empty() {
        json_files(Path::new("fixtures"), &mut files);
        files.retain(|f| {
            !f.starts_with("fixtures/scopes")
                && !f.starts_with("fixtures/changes")
                && !f.starts_with("fixtures/terraform")
        });
        json_files(&shared("realworld"), &mut files);
    } else {
        json_files(&Path::new("fixtures").join(under), &mut files);
    }
    if under == "scopes" {
        json_files(Path::new("docs/scopes"), &mut files);
    }
    if under == "terraform" {
        json_files(&shared("terraform"), &mut files);
    }
    let texts: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .filter(|t| t.len() < 2 << 20)
        .collect();
    assert!(!texts.is_empty(), "no seeds under fixtures/{under}");
    texts
}

/// Values that broke parsers before: out-of-range numbers, non-ASCII text,
/// long strings, deep nesting, wrong types.
fn hostile_value(rng: &mut Rng, donor: &Value) -> Value {
    match rng.below(14) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => serde_json::json!(*rng.pick(&[
            0i64,
            -1,
            -5,
            32766,
            32767,
            32768,
            65535,
            65536,
            70000,
            i64::MIN,
            i64::MAX
        ])),
        3 => serde_json::json!(1e300),
        4 => Value::String(
            rng.pick(&[
                "produção",
                "€",
                "😀",
                "",
                "banana",
                "10.0.0.0/33",
                "2001:db8::/129",
                "0.0.0.0/0",
                "::/0",
                "-1",
                "sg-",
                "\u{0}",
            ])
            .to_string(),
        ),
        5 => Value::String("a".repeat(70_000)),
        6 => {
            let depth = 1 + rng.below(300);
            serde_json::from_str(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)))
                .unwrap_or(Value::Null)
        }
        7 => Value::Array(vec![]),
        8 => Value::Object(Default::default()),
        // Structure-aware: a subtree of the same seed, somewhere else.
        _ => random_subtree(rng, donor).clone(),
    }
}

fn random_subtree<'a>(rng: &mut Rng, v: &'a Value) -> &'a Value {
    let mut v = v;
    for _ in 0..rng.below(8) {
        let next = match v {
            Value::Array(a) if !a.is_empty() => &a[rng.below(a.len())],
            Value::Object(o) if !o.is_empty() => o.values().nth(rng.below(o.len())).unwrap(),
            _ => break,
        };
        v = next;
    }
    v
}

fn mutate_value(rng: &mut Rng, v: &mut Value, donor: &Value) {
    // A random JSON pointer into `v`, then the node it names.
    let mut pointer = String::new();
    let mut at: &Value = v;
    for _ in 0..rng.below(10) {
        let (step, next) = match at {
            Value::Array(a) if !a.is_empty() => {
                let i = rng.below(a.len());
                (i.to_string(), &a[i])
            }
            Value::Object(o) if !o.is_empty() => {
                let (k, next) = o.iter().nth(rng.below(o.len())).unwrap();
                (k.replace('~', "~0").replace('/', "~1"), next)
            }
            _ => break,
        };
        pointer.push('/');
        pointer.push_str(&step);
        at = next;
    }
    let Some(node) = v.pointer_mut(&pointer) else {
        return;
    };
    match (rng.below(4), &mut *node) {
        (0, Value::Object(o)) if !o.is_empty() => {
            let key = o.keys().nth(rng.below(o.len())).unwrap().clone();
            o.remove(&key);
        }
        (1, Value::Array(a)) if !a.is_empty() => {
            // The same element twice, one field changed: duplicate ids.
            let mut copy = a[rng.below(a.len())].clone();
            if let Value::Object(o) = &mut copy {
                if let Some(k) = o.keys().nth(rng.below(o.len().max(1))).cloned() {
                    o.insert(k, hostile_value(rng, donor));
                }
            }
            a.push(copy);
        }
        _ => *node = hostile_value(rng, donor),
    }
}

/// A mutated input: structure-aware most of the time, byte-level otherwise.
fn mutant(rng: &mut Rng, seed: &str) -> Vec<u8> {
    let mut text = match serde_json::from_str::<Value>(seed) {
        Ok(mut v) if rng.below(4) != 0 => {
            let donor = v.clone();
            for _ in 0..1 + rng.below(3) {
                mutate_value(rng, &mut v, &donor);
            }
            if rng.below(2) == 0 {
                serde_json::to_string(&v).unwrap()
            } else {
                serde_json::to_string_pretty(&v).unwrap()
            }
        }
        _ => seed.to_string(),
    }
    .into_bytes();
    match rng.below(8) {
        0 => text.truncate(rng.below(text.len() + 1)),
        1 => {
            let at = rng.below(text.len() + 1);
            const INSERTS: &[&[u8]] = &[
                &[0xE9],
                &[0xE2, 0x82],
                &[0],
                b"\"",
                b"{",
                b"]",
                "€".as_bytes(),
            ];
            let bytes = *rng.pick(INSERTS);
            text.splice(at..at, bytes.iter().copied());
        }
        2 => {
            let mut bom = vec![0xEF, 0xBB, 0xBF];
            bom.append(&mut text);
            text = bom;
        }
        3 => {
            let s = String::from_utf8_lossy(&text).into_owned();
            text = vec![0xFF, 0xFE];
            text.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        }
        4 => {
            // The same top-level key twice.
            if let Some(end) = text.iter().rposition(|&b| b == b'}') {
                let key = String::from_utf8_lossy(&text)
                    .split('"')
                    .nth(1)
                    .unwrap_or("Vpcs")
                    .to_string();
                let extra = format!(r#", "{key}": []"#);
                text.splice(end..end, extra.bytes());
            }
        }
        _ => {}
    }
    text
}

/// Record a failing input where it can be replayed, and fail.
fn fail(kind: &str, input: &[u8], why: &str) -> ! {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{kind}-{}.json", input.len()));
    std::fs::write(&file, input).unwrap();
    panic!("{kind}: {why} (input saved to {})", file.display());
}

/// Render a diagnostic as the binary does, catching a renderer panic.
fn rendered(err: &dyn miette::Diagnostic) -> Result<String, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, err)
            .map(|_| out)
            .map_err(|e| e.to_string())
    }))
    .unwrap_or_else(|_| Err("the renderer panicked".into()))
}

/// An error must name `file` with a line and a column, and render.
fn check_located(kind: &str, input: &[u8], file: &str, err: &dyn miette::Diagnostic) {
    let headline = err.to_string();
    let located = headline
        .strip_prefix(&format!("{file}:"))
        .and_then(|rest| rest.split(':').next().zip(rest.split(':').nth(1)))
        .is_some_and(|(l, c)| l.parse::<usize>().is_ok() && c.parse::<usize>().is_ok());
    let named = headline.contains(file);
    if !located && !named {
        fail(kind, input, &format!("error without its file: {headline}"));
    }
    if let Err(e) = rendered(err) {
        fail(kind, input, &format!("rendering failed: {e}: {headline}"));
    }
}

/// Run `one` on mutants of `seeds` until the budget is spent.
fn campaign(kind: &str, salt: u64, seeds: &[String], mut one: impl FnMut(&[u8])) {
    let mut rng = Rng::new(salt);
    let deadline = Instant::now() + budget();
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let seed = rng.pick(seeds).clone();
        let input = mutant(&mut rng, &seed);
        if catch_unwind(AssertUnwindSafe(|| one(&input))).is_err() {
            fail(kind, &input, "panicked");
        }
        runs += 1;
    }
    eprintln!(
        "fuzz {kind}: {runs} executions, {} seeds, no finding",
        seeds.len()
    );
}

/// Text as the loaders see it: decoded, or the decoding error (which must
/// say what is wrong).
fn decoded(input: &[u8]) -> Option<String> {
    match locate::decode_text(input.to_vec()) {
        Ok(text) => Some(text),
        Err(e) => {
            assert!(e.0.contains("UTF"), "{}", e.0);
            None
        }
    }
}

#[test]
fn fuzz_snapshot_files() {
    let seeds = seeds("");
    campaign("snapshot", 1, &seeds, |input| {
        let Some(text) = decoded(input) else { return };
        if let Err(e) = vpcreach::snapshot::load_documents([("fuzz.json", text.as_str())]) {
            check_located("snapshot", input, "fuzz.json", &e);
        }
    });
}

#[test]
fn fuzz_scope_files() {
    let seeds = seeds("scopes");
    campaign("scope", 2, &seeds, |input| {
        let Some(text) = decoded(input) else { return };
        if let Err(e) = scope_shapes::parse_scope(Path::new("fuzz.json"), &text, "fuzz") {
            check_located("scope", input, "fuzz.json", &e);
        }
    });
}

#[test]
fn fuzz_change_files() {
    let seeds = seeds("changes");
    let network = vpcreach::snapshot::load(Path::new("fixtures/three-tier"))
        .unwrap()
        .network;
    campaign("change", 3, &seeds, |input| {
        let Some(text) = decoded(input) else { return };
        match change_file::parse(Path::new("fuzz.json"), text) {
            Ok(change) => {
                if let Err(e) = change.apply(&network) {
                    check_located("change", input, "fuzz.json", &e);
                }
            }
            Err(e) => check_located("change", input, "fuzz.json", &e),
        }
    });
}

/// Terraform plans (`terraform show -json`): read, then applied to a
/// snapshot and, greenfield, to their own prior state.
#[test]
fn fuzz_plan_files() {
    let seeds = seeds("terraform");
    let network = vpcreach::snapshot::load(Path::new("fixtures/three-tier"))
        .unwrap()
        .network;
    campaign("plan", 6, &seeds, |input| {
        let Some(text) = decoded(input) else { return };
        match vpcreach::snapshot::terraform::parse(Path::new("fuzz.json"), &text, true) {
            Ok(plan) => {
                let plans = [plan];
                vpcreach::plan::evaluate(Some(&network), &plans);
                vpcreach::plan::evaluate(None, &plans);
            }
            Err(e) => check_located("plan", input, "fuzz.json", &e),
        }
    });
}

#[test]
fn fuzz_flow_log_lines() {
    let mut files = Vec::new();
    for dir in ["fixtures/flowlogs", "../shared/realworld/awsdocs-flowlogs"] {
        let mut stack = vec![PathBuf::from(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    files.push(p);
                }
            }
        }
    }
    let seeds: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!seeds.is_empty());
    let format = vpcreach::flows::Format::default_v2();
    let mut rng = Rng::new(4);
    let deadline = Instant::now() + budget();
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let mut line: Vec<String> = rng.pick(&seeds).split(' ').map(str::to_string).collect();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(line.len());
            line[i] = rng
                .pick(&[
                    "-",
                    "",
                    "99999999999999999999",
                    "-1",
                    "65536",
                    "256",
                    "ACCEPT",
                    "REJECT",
                    "NODATA",
                    "eni-",
                    "10.0.0.256",
                    "::1",
                    "€",
                    "OK",
                ])
                .to_string();
        }
        let text = line.join(" ");
        let mut lines = 0;
        let parsed = catch_unwind(AssertUnwindSafe(|| {
            vpcreach::flows::for_each_line(text.as_bytes(), |_, l| {
                lines += 1;
                if let Ok(l) = l {
                    let _ = format.parse_line(l);
                }
            })
        }));
        if parsed.is_err() {
            fail("flow-line", text.as_bytes(), "panicked");
        }
        runs += 1;
    }
    eprintln!(
        "fuzz flow-line: {runs} executions, {} seed lines, no finding",
        seeds.len()
    );
}

/// The command line, flow-log files and snapshot files through the binary:
/// exit 0, 1 or 2 only, never a panic, and an exit-2 message that names
/// the file it is about.
#[test]
fn fuzz_command_line_and_files_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot_seeds = seeds("");
    let plan_seeds = seeds("terraform");
    let words = [
        "path",
        "audit",
        "flows",
        "whatif",
        "diff",
        "check",
        "--snapshot",
        "fixtures/three-tier",
        "--source",
        "--destination",
        "internet",
        "i-0016847fb97bb2cfa",
        "10.0.1.10",
        "--port",
        "0",
        "65536",
        "-1",
        "22-21",
        "--protocol",
        "tcp",
        "icmp",
        "banana",
        "--format",
        "json",
        "sarif",
        "csv",
        "--scope",
        "all-igw-ingress",
        "--change",
        "--log-format",
        "${version} ${bogus}",
        "--before",
        "--after",
        "-",
        "",
        "€",
        "--help",
    ];
    let mut rng = Rng::new(5);
    let deadline = Instant::now() + budget();
    let (mut runs, mut files) = (0u64, 0u64);
    while Instant::now() < deadline {
        let mut args: Vec<String> = (0..rng.below(8))
            .map(|_| rng.pick(&words).to_string())
            .collect();
        let mut file = None;
        if rng.below(2) == 0 {
            // A mutated snapshot, change, scope, plan or flow-log file in
            // its place.
            let (command, option) = *rng.pick(&[
                ("check", "--snapshot"),
                ("whatif", "--change"),
                ("whatif", "--plan"),
                ("audit", "--scope"),
                ("flows", ""),
            ]);
            let seeds = if option == "--plan" {
                &plan_seeds
            } else {
                &snapshot_seeds
            };
            let seed = rng.pick(seeds).clone();
            let input = mutant(&mut rng, &seed);
            let path = dir.path().join(format!("input-{runs}.json"));
            std::fs::write(&path, &input).unwrap();
            let path_arg = path.display().to_string();
            args = match command {
                "check" => vec![command.into(), option.into()],
                // Greenfield: the plan's prior state is the start.
                "whatif" if option == "--plan" && rng.below(2) == 0 => vec![
                    command.into(),
                    "--allow-incomplete-plan".into(),
                    option.into(),
                ],
                "flows" => vec![
                    command.into(),
                    "--snapshot".into(),
                    "fixtures/three-tier".into(),
                ],
                _ => vec![
                    command.into(),
                    "--snapshot".into(),
                    "fixtures/three-tier".into(),
                    option.into(),
                ],
            };
            args.push(path_arg);
            file = Some((path, input));
            files += 1;
        }
        let (code, _, stderr) = vpcreach(&args);
        let input = file
            .as_ref()
            .map(|f| f.1.clone())
            .unwrap_or_else(|| args.join(" ").into_bytes());
        if !(0..=2).contains(&code) || stderr.contains("panicked") {
            fail(
                "binary",
                &input,
                &format!("exit {code}: {args:?}\n{stderr}"),
            );
        }
        if let Some((path, _)) = &file {
            let name = path.file_name().unwrap().to_string_lossy();
            if code == 2 && !stderr.contains(name.as_ref()) {
                fail(
                    "binary",
                    &input,
                    &format!("exit 2 without the file name: {args:?}\n{stderr}"),
                );
            }
            std::fs::remove_file(path).ok();
        }
        runs += 1;
    }
    eprintln!("fuzz binary: {runs} executions ({files} with a mutated file), no finding");
}
