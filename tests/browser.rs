//! The HTML reports and SVG pictures opened in a real headless browser
//! (Debian's `chromium`, installed by tests/run.sh): the rendered DOM holds
//! every hop and every blocker, the page logs no console error, and a
//! screenshot is not blank. Also regenerates the README picture
//! (docs/path-diagram.svg) so it never goes stale.
//!
//! Without a browser the tests say so and pass, except in CI (`CI=true`),
//! where a missing browser fails them.

use std::path::{Path, PathBuf};
use std::process::Command;

mod diagram_support;

use diagram_support::*;
use vpcreach::analysis::{elb, path};
use vpcreach::report::diagram::{html, path as pictures, svg, topology};
use vpcreach::report::whatif;
use vpcreach::topology::Topology;
use vpcreach::whatif::differential;

pub struct Browser {
    binary: PathBuf,
}

/// The browser, or `None` (with a message) outside CI when it is missing.
pub fn browser() -> Option<Browser> {
    tool_present("chromium", "--version", "chromium").then(|| Browser {
        binary: PathBuf::from("chromium"),
    })
}

pub struct Rendered {
    pub dom: String,
    pub console: Vec<String>,
    pub png: Vec<u8>,
}

impl Browser {
    fn run(&self, profile: &Path, extra: &[&str], url: &str) -> std::process::Output {
        Command::new(&self.binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(url)
            .output()
            .expect("chromium runs")
    }

    /// Opens `file` from `file://`: the DOM after scripts ran, console
    /// messages the page logged, and a screenshot.
    pub fn open(&self, file: &Path) -> Rendered {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", file.display());
        let out = self.run(&dir.path().join("profile-dom"), &["--dump-dom"], &url);
        assert!(
            out.status.success(),
            "chromium --dump-dom failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dom = String::from_utf8_lossy(&out.stdout).to_string();
        // Chromium prints each console message of the page as a CONSOLE log line.
        let console = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
            .map(str::to_string)
            .collect();
        let shot = dir.path().join("shot.png");
        let out = self.run(
            &dir.path().join("profile-shot"),
            &[
                &format!("--screenshot={}", shot.display()),
                "--window-size=1400,1000",
            ],
            &url,
        );
        assert!(
            out.status.success(),
            "chromium --screenshot failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let png = std::fs::read(&shot).expect("a screenshot was written");
        Rendered { dom, console, png }
    }
}

/// Decodes an 8-bit RGB/RGBA PNG (what Chromium writes) and counts pixels
/// that are neither white nor one flat colour: a blank page has none.
fn inked_pixels(png: &[u8]) -> usize {
    use std::io::Read;
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut width, mut height, mut channels) = (0usize, 0usize, 0usize);
    let mut idat = Vec::new();
    let mut at = 8;
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind = &png[at + 4..at + 8];
        let data = &png[at + 8..at + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                height = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                assert_eq!(data[8], 8, "8-bit PNG expected");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    other => panic!("colour type {other} not expected from chromium"),
                };
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        at += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = width * channels;
    let mut prev = vec![0u8; stride];
    let mut inked = 0;
    for row in 0..height {
        let line = &raw[row * (stride + 1)..(row + 1) * (stride + 1)];
        let filter = line[0];
        let mut cur = line[1..].to_vec();
        for i in 0..stride {
            let a = if i >= channels { cur[i - channels] } else { 0 } as i16;
            let b = prev[i] as i16;
            let c = if i >= channels { prev[i - channels] } else { 0 } as i16;
            let add = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("PNG filter {f}"),
            };
            cur[i] = cur[i].wrapping_add(add as u8);
        }
        inked += cur
            .chunks(channels)
            .filter(|px| px[..3].iter().any(|&v| v < 200))
            .count();
        prev = cur;
    }
    inked
}

fn check_page(b: &Browser, file: &Path, must_have: &[String]) -> Rendered {
    let r = b.open(file);
    for m in must_have {
        assert!(
            r.dom.contains(m.as_str()),
            "{}: `{m}` not in the rendered DOM",
            file.display()
        );
    }
    assert!(
        r.console.is_empty(),
        "{}: console messages: {:?}",
        file.display(),
        r.console
    );
    let ink = inked_pixels(&r.png);
    assert!(
        ink > 2000,
        "{}: screenshot looks blank ({ink} inked pixels)",
        file.display()
    );
    r
}

#[test]
fn path_reports_render_every_hop_and_blocker_in_chromium() {
    let Some(b) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (name, src, dst, proto, port) in [
        ("three-tier", "internet", WEB, 6, Some(22)),
        ("three-tier", WEB, "i-0016847fb97bb2cfa", 6, Some(8080)),
        ("icmp-deny", HB, HA, 1, Some(8)),
        (
            "tgw-hub-spoke",
            "i-0efdb9ebeec523f4e",
            "i-06582f37cef7204d5",
            6,
            Some(443),
        ),
    ] {
        let snap = fixture(name);
        let topo = Topology::new(&snap.network);
        let a = path::analyze(&topo, &query(src, dst, proto, port)).unwrap();
        let page = dir.path().join(format!("{name}-{src}-{dst}.html"));
        std::fs::write(&page, html::path_report(&a, &[])).unwrap();
        let r = check_page(&b, &page, &hops_and_blockers(&a));
        assert!(r.dom.contains("<svg"), "the diagram is inline");
        // The bare SVG opens on its own too.
        let picture = dir.path().join(format!("{name}-{src}-{dst}.svg"));
        std::fs::write(&picture, svg::render(&pictures::path(&a))).unwrap();
        check_page(&b, &picture, &hops_and_blockers(&a));
    }
}

#[test]
fn load_balancer_audit_whatif_and_graph_reports_render_in_chromium() {
    let Some(b) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();

    let snap = fixture("elb");
    let topo = Topology::new(&snap.network);
    let q = query("internet", "web-alb", 6, Some(80));
    let (lb, node) = elb::resolve(&topo, &q.destination).unwrap().unwrap();
    let a = elb::analyze(&topo, &q, lb, node.as_deref(), false).unwrap();
    let page = dir.path().join("elb.html");
    std::fs::write(&page, html::load_balancer_report(&a, &[])).unwrap();
    let mut want: Vec<String> = a.to_targets.iter().map(|t| t.target.id.clone()).collect();
    for n in &a.to_lb {
        want.extend(hops_and_blockers(&n.analysis));
    }
    check_page(&b, &page, &want);

    let snap = fixture("three-tier");
    let topo = Topology::new(&snap.network);
    let text = vpcreach::audit::scope::built_in("all-igw-ingress").unwrap();
    let scope = vpcreach::snapshot::scope_shapes::parse_scope(
        Path::new("all-igw-ingress"),
        text,
        "all-igw-ingress",
    )
    .unwrap();
    let r = vpcreach::audit::audit(&topo, &scope).unwrap();
    let page = dir.path().join("audit.html");
    std::fs::write(&page, html::audit_report(&r, &[])).unwrap();
    let mut want: Vec<String> = r.findings.iter().map(|f| f.id.clone()).collect();
    want.extend(
        r.findings
            .iter()
            .flat_map(|f| f.components.iter().map(|h| h.component.id.clone())),
    );
    check_page(&b, &page, &want);

    let d = topology::topology(&topo, &topology::Selection::default()).unwrap();
    let page = dir.path().join("graph.html");
    std::fs::write(&page, html::diagram_page(&d)).unwrap();
    let subnets: Vec<String> = snap.network.subnets.keys().cloned().collect();
    check_page(&b, &page, &subnets);

    let after = fixture("three-tier-after-fix");
    let diff = differential::pairwise(&snap.network, &after.network, None);
    assert!(diff.changed(), "the fix changes reachability");
    let report = whatif::Report {
        command: "diff",
        subject: "three-tier → three-tier-after-fix".into(),
        applied: &[],
        config: &[],
        diff: &diff,
        intents: &[],
        notes: Vec::new(),
        warnings: Vec::new(),
    };
    let page = dir.path().join("whatif.html");
    std::fs::write(&page, html::whatif_report(&report, &[])).unwrap();
    let want: Vec<String> = diff
        .gained
        .iter()
        .chain(&diff.lost)
        .flat_map(|x| [x.source.id.clone(), x.destination.id.clone()])
        .collect();
    check_page(&b, &page, &want);
}

/// The README's picture: regenerated here, so it always matches the code.
/// In CI a stale committed copy fails the test.
#[test]
fn readme_picture_is_current() {
    let a = {
        let snap = fixture("three-tier");
        let topo = Topology::new(&snap.network);
        // The README's own example: app-1 → db-1 on MySQL, stopped by the db subnet's ACL (C2.3).
        path::analyze(&topo, &query(APP, DB, 6, Some(3306))).unwrap()
    };
    let picture = svg::render(&pictures::path(&a));
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/path-diagram.svg");
    let current = std::fs::read_to_string(&file).unwrap_or_default();
    if current != picture {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "docs/path-diagram.svg is stale: run `cargo test --test browser` and commit it"
        );
        std::fs::write(&file, &picture).unwrap();
    }
    if let Some(b) = browser() {
        check_page(&b, &file, &hops_and_blockers(&a));
    }
}
