//! One self-contained HTML file per report: inline CSS and SVG, no network,
//! readable from `file://` and as a CI artefact without JavaScript; a few
//! lines of inline script only sort and filter tables.
//!
//! Order on the page: the verdict and blockers, the picture, then every hop
//! with its deciding rule (what an auditor attaches, what on-call pastes).
//!
//! Owns: page structure and HTML escaping. Must not know: how answers were
//! computed; it lays out `PathAnalysis`, `LbAnalysis`, `AuditResult` and
//! the whatif `Report` as they are.

use std::fmt::Write;

use super::model::Diagram;
use super::{path as pictures, svg};
use crate::analysis::describe::describe_protocols;
use crate::analysis::elb::LbAnalysis;
use crate::analysis::{Explanation, Hop, PathAnalysis};
use crate::audit::AuditResult;
use crate::report::audit::traffic_text;
use crate::report::text::{hop_detail, name};
use crate::report::whatif;

/// Findings (audit) and change groups (whatif) drawn one by one; the table
/// lists them all.
pub const DIAGRAMS_MAX: usize = 40;
/// Rows of a table of pairs; `--format json` lists every one.
pub const ROWS_MAX: usize = 2000;

use svg::escape;

const STYLE: &str = r#"
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#111827;max-width:1400px}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}h3{font-size:14px;margin:18px 0 6px}
.verdict{display:inline-block;padding:6px 12px;border-radius:6px;font-weight:bold;font-size:15px}
.ok{background:#dcfce7;color:#166534}.bad{background:#fde2e2;color:#991b1b}.warn{background:#fef9c3;color:#854d0e}
ul.blockers{list-style:none;padding:0}ul.blockers li{border-left:4px solid #c62828;background:#fff5f5;padding:6px 10px;margin:6px 0}
code{background:#f3f4f6;padding:1px 4px;border-radius:3px;font-size:12px}
.fix{color:#374151;font-size:13px}
.picture{overflow:auto;border:1px solid #e5e7eb;border-radius:6px;padding:4px;background:#fff}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f9fafb}table.sortable th{cursor:pointer}table.sortable th:after{content:" ⇅";color:#9ca3af}
tr.blocked td{background:#fff5f5;color:#7f1d1d}
.filters input{margin:0 12px 8px 4px;padding:3px 6px}
.muted{color:#6b7280;font-size:12px}
"#;

const SCRIPT: &str = r#"
document.querySelectorAll('table.sortable').forEach(function(t){
  t.querySelectorAll('th').forEach(function(th,i){
    th.addEventListener('click',function(){
      var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows),asc=th.getAttribute('data-dir')!=='asc';
      th.setAttribute('data-dir',asc?'asc':'desc');
      rows.sort(function(a,b){
        var x=a.cells[i].getAttribute('data-v')||a.cells[i].textContent,y=b.cells[i].getAttribute('data-v')||b.cells[i].textContent;
        var nx=parseFloat(x),ny=parseFloat(y),c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);
        return asc?c:-c;});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
});
document.querySelectorAll('input[data-filter]').forEach(function(input){
  input.addEventListener('input',function(){
    var t=document.getElementById(input.getAttribute('data-filter'));
    var all=document.querySelectorAll('input[data-filter="'+t.id+'"]');
    Array.prototype.forEach.call(t.tBodies[0].rows,function(r){
      r.hidden=!Array.prototype.every.call(all,function(f){
        return !f.value||r.cells[+f.getAttribute('data-col')].textContent.toLowerCase().indexOf(f.value.toLowerCase())>=0;});
    });
  });
});
"#;

/// The whole document around `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"vpcreach {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n<p class=\"muted\">vpcreach {} — offline analysis of a snapshot; nothing on this page was fetched from a network.</p>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title),
        env!("CARGO_PKG_VERSION"),
    )
}

fn picture(out: &mut String, d: &Diagram) {
    let _ = writeln!(out, "<div class=\"picture\">{}</div>", svg::render(d));
}

/// A page holding one diagram (`graph --format html`).
pub fn diagram_page(d: &Diagram) -> String {
    let mut body = format!("<h1>{}</h1>\n", escape(&d.title));
    picture(&mut body, d);
    page(&d.title, &body)
}

fn verdict(out: &mut String, found: bool, what: &str) {
    let (class, word) = if found {
        ("ok", "REACHABLE")
    } else {
        ("bad", "NOT REACHABLE")
    };
    let _ = writeln!(
        out,
        "<p><span class=\"verdict {class}\">{word}</span> {}</p>",
        escape(what)
    );
}

fn blockers(out: &mut String, list: &[&Explanation]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "<ul class=\"blockers\">");
    for e in list {
        let side = if e.on_return_path {
            "return"
        } else {
            "forward"
        };
        let _ = write!(
            out,
            "<li class=\"blocker\"><code>{}</code> {} <span class=\"muted\">({side} path)</span>",
            escape(e.code.as_str()),
            escape(&e.message)
        );
        if let Some(f) = &e.fix {
            let _ = write!(out, "<div class=\"fix\">fix: {}</div>", escape(f));
        }
        let _ = writeln!(out, "</li>");
    }
    let _ = writeln!(out, "</ul>");
}

fn hop_table(out: &mut String, title: &str, hops: &[Hop]) {
    if hops.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h3>{}</h3>", escape(title));
    let _ = writeln!(
        out,
        "<table class=\"hops\"><thead><tr><th>#</th><th></th><th>Component</th><th>Role</th><th>Deciding rule</th></tr></thead><tbody>"
    );
    for (i, h) in hops.iter().enumerate() {
        let (class, mark) = if h.blocked {
            (" class=\"blocked\"", "✗")
        } else {
            ("", "✓")
        };
        let _ = writeln!(
            out,
            "<tr{class}><td>{}</td><td>{mark}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            escape(&name(&h.component)),
            escape(&h.role),
            escape(&hop_detail(h))
        );
    }
    let _ = writeln!(out, "</tbody></table>");
}

fn notes(out: &mut String, notes: &[String], warnings: &[String]) {
    if notes.is_empty() && warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2>Notes</h2><ul>");
    for n in notes {
        let _ = writeln!(out, "<li>note: {}</li>", escape(n));
    }
    for w in warnings {
        let _ = writeln!(out, "<li>warning: {}</li>", escape(w));
    }
    let _ = writeln!(out, "</ul>");
}

fn analysis_body(out: &mut String, a: &PathAnalysis) {
    let all: Vec<&Explanation> = a.explanations.iter().collect();
    blockers(out, &all);
    hop_table(out, "Forward path", &a.forward);
    hop_table(out, "Return path", &a.ret);
}

pub fn path_report(a: &PathAnalysis, warnings: &[String]) -> String {
    let title = format!("path {} → {}", name(&a.source), name(&a.destination));
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    let what = if a.path_found() {
        format!("traffic gets through: {}", describe_protocols(&a.admitted))
    } else {
        format!("{} blocker(s)", a.explanations.len())
    };
    verdict(&mut body, a.path_found(), &what);
    let all: Vec<&Explanation> = a.explanations.iter().collect();
    blockers(&mut body, &all);
    let _ = writeln!(body, "<h2>Diagram</h2>");
    picture(&mut body, &pictures::path(a));
    let _ = writeln!(body, "<h2>Hop by hop</h2>");
    hop_table(&mut body, "Forward path", &a.forward);
    hop_table(&mut body, "Return path", &a.ret);
    notes(&mut body, &a.notes, warnings);
    page(&title, &body)
}

pub fn load_balancer_report(a: &LbAnalysis, warnings: &[String]) -> String {
    let title = format!(
        "path {} → load balancer {}",
        name(&a.source),
        name(&a.load_balancer)
    );
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    let reached = a.to_targets.iter().filter(|t| t.reached()).count();
    let what = format!(
        "{} of {} target leg(s) reached; {} load balancer ({})",
        reached,
        a.to_targets.len(),
        a.kind.as_str(),
        if a.internet_facing {
            "internet-facing"
        } else {
            "internal"
        }
    );
    verdict(&mut body, a.path_found(), &what);
    let mut all: Vec<&Explanation> = a.explanations.iter().collect();
    for t in &a.to_targets {
        all.extend(&t.explanations);
    }
    blockers(&mut body, &all);
    let _ = writeln!(body, "<h2>Diagram</h2>");
    picture(&mut body, &pictures::load_balancer(a));
    let _ = writeln!(body, "<h2>Hop by hop</h2>");
    for n in &a.to_lb {
        let _ = writeln!(
            body,
            "<h3>to node {} ({})</h3>",
            escape(&name(&n.node)),
            escape(&n.zone)
        );
        analysis_body(&mut body, &n.analysis);
    }
    for t in &a.to_targets {
        let _ = writeln!(
            body,
            "<h3>{} → {}:{} via {} ({})</h3>",
            escape(&name(&t.node)),
            escape(&name(&t.target)),
            t.port,
            escape(&t.listener),
            if t.reached() {
                "reached"
            } else {
                "not reached"
            }
        );
        if let Some(an) = &t.analysis {
            analysis_body(&mut body, an);
        }
    }
    notes(&mut body, &a.notes, warnings);
    page(&title, &body)
}

fn ids_cell(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
    let mut s = escape(&shown.join(", "));
    if ids.len() > 5 {
        let _ = write!(s, " <span class=\"muted\">+{} more</span>", ids.len() - 5);
    }
    s
}

fn filters(out: &mut String, table: &str, columns: &[(&str, usize)]) {
    let _ = write!(out, "<div class=\"filters\">");
    for (label, col) in columns {
        let _ = write!(
            out,
            "<label>{label} <input type=\"search\" data-filter=\"{table}\" data-col=\"{col}\" placeholder=\"filter\"></label>"
        );
    }
    let _ = writeln!(out, "</div>");
}

pub fn audit_report(r: &AuditResult, warnings: &[String]) -> String {
    let title = format!("audit {}", r.scope);
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    let (class, word) = if r.findings.is_empty() {
        ("ok", "NO FINDINGS")
    } else {
        ("bad", "FINDINGS")
    };
    let _ = writeln!(
        body,
        "<p><span class=\"verdict {class}\">{word}</span> {} finding(s) covering {} source/destination pair(s); {} ENIs analysed exhaustively</p>",
        r.findings.len(),
        r.pairs,
        r.analyzed_enis
    );
    if !r.findings.is_empty() {
        let _ = writeln!(body, "<h2>Findings</h2>");
        filters(
            &mut body,
            "findings",
            &[("source", 3), ("destination", 4), ("traffic / port", 5)],
        );
        let _ = writeln!(
            body,
            "<table id=\"findings\" class=\"sortable\"><thead><tr><th>#</th><th>Finding</th><th>Pairs</th><th>Sources</th><th>Destinations</th><th>Traffic</th><th>Path</th></tr></thead><tbody>"
        );
        for (i, f) in r.findings.iter().enumerate() {
            let path: Vec<&str> = f
                .components
                .iter()
                .map(|h| h.component.id.as_str())
                .collect();
            let link = if i < DIAGRAMS_MAX {
                format!("<a href=\"#finding-{0}\">{0}</a>", escape(&f.id))
            } else {
                escape(&f.id)
            };
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{link}</td><td data-v=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                f.pair_count(),
                f.pair_count(),
                ids_cell(&f.sources),
                ids_cell(&f.destinations),
                escape(&traffic_text(f)),
                escape(&path.join(" → "))
            );
        }
        let _ = writeln!(body, "</tbody></table>");
        let _ = writeln!(body, "<h2>Representative paths</h2>");
        if r.findings.len() > DIAGRAMS_MAX {
            let _ = writeln!(
                body,
                "<p class=\"muted\">The widest {DIAGRAMS_MAX} of {} findings are drawn; the table and <code>--format json</code> list all.</p>",
                r.findings.len()
            );
        }
        for f in r.findings.iter().take(DIAGRAMS_MAX) {
            let _ = writeln!(
                body,
                "<section class=\"finding\" id=\"finding-{}\"><h3>{}</h3>",
                escape(&f.id),
                escape(&f.id)
            );
            picture(&mut body, &pictures::finding(f, &traffic_text(f)));
            hop_table(&mut body, "Hops", &f.components);
            let _ = writeln!(body, "</section>");
        }
    }
    notes(&mut body, &r.warnings, warnings);
    page(&title, &body)
}

/// The `whatif` / `diff` page. With `unknown` (what either snapshot lacks
/// or describes ambiguously, R-partial.2) the page opens with the same
/// UNKNOWN banner as the text and Markdown reports, and its verdict is
/// UNKNOWN: no "no change" is claimed.
pub fn whatif_report(r: &whatif::Report, unknown: &crate::report::Unknown) -> String {
    let title = format!("vpcreach {}", r.command);
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    let banner = crate::report::unknown_banner(unknown);
    if !banner.is_empty() {
        let _ = writeln!(
            body,
            "<p class=\"banner unknown\" role=\"alert\"><span class=\"verdict warn\">UNKNOWN</span> {}</p>",
            escape(banner.trim().trim_start_matches("UNKNOWN — "))
        );
    }
    let _ = writeln!(body, "<p>{}</p>", escape(&r.subject));
    let (class, word) = if !unknown.is_empty() {
        ("warn", "UNKNOWN")
    } else if r.diff.changed() {
        ("warn", "REACHABILITY CHANGES")
    } else {
        ("ok", "NO REACHABILITY CHANGE")
    };
    let _ = writeln!(
        body,
        "<p><span class=\"verdict {class}\">{word}</span> {} gained, {} lost; {} configuration change(s); {} of {} pair(s) evaluated</p>",
        r.diff.gained.len(),
        r.diff.lost.len(),
        r.config.len(),
        r.diff.pairs_evaluated,
        r.diff.pairs_total
    );
    if !r.intents.is_empty() {
        let _ = writeln!(body, "<h2>Intents</h2><table><thead><tr><th></th><th>Intent</th><th>Result</th></tr></thead><tbody>");
        for i in r.intents {
            let codes: Vec<&str> = i
                .analysis
                .explanations
                .iter()
                .map(|e| e.code.as_str())
                .collect();
            let _ = writeln!(
                body,
                "<tr{}><td>{}</td><td>{} <code>{}</code></td><td>{}</td></tr>",
                if i.passed { "" } else { " class=\"blocked\"" },
                if i.passed { "✓" } else { "✗" },
                escape(i.intent.kind()),
                escape(&i.intent.text),
                if i.analysis.path_found() {
                    "path found".to_string()
                } else {
                    escape(&format!("no path ({})", codes.join(", ")))
                }
            );
        }
        let _ = writeln!(body, "</tbody></table>");
    }
    let mut drawn = 0;
    for (title, list, gained) in [
        ("Gained", &r.diff.gained, true),
        ("Lost", &r.diff.lost, false),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(body, "<h2>{title} ({})</h2>", list.len());
        for g in whatif::cause_groups(list, gained) {
            let _ = writeln!(
                body,
                "<section class=\"group\"><h3>{} — {}</h3><p>{}</p>",
                escape(&g.traffic),
                escape(&whatif::group_size(&g)),
                escape(&g.cause)
            );
            if drawn < DIAGRAMS_MAX {
                drawn += 1;
                picture(&mut body, &pictures::change(g.changes[0], gained));
            }
            let _ = writeln!(body, "</section>");
        }
        let table = format!("{}-pairs", title.to_lowercase());
        filters(
            &mut body,
            &table,
            &[("source", 0), ("destination", 1), ("traffic", 2)],
        );
        let _ = writeln!(
            body,
            "<table id=\"{table}\" class=\"sortable\"><thead><tr><th>Source</th><th>Destination</th><th>Traffic</th><th>{}</th></tr></thead><tbody>",
            if gained { "Was blocked by" } else { "Now blocked by" }
        );
        for x in list.iter().take(ROWS_MAX) {
            let why: Vec<String> = x
                .blocked
                .iter()
                .flat_map(|b| &b.explanations)
                .map(|e| format!("{} {}", e.code, e.message))
                .collect();
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&name(&x.source)),
                escape(&name(&x.destination)),
                escape(&x.summary.join(", ")),
                escape(&why.join("; "))
            );
        }
        let _ = writeln!(body, "</tbody></table>");
        if list.len() > ROWS_MAX {
            let _ = writeln!(
                body,
                "<p class=\"muted\">The first {ROWS_MAX} of {} pairs; <code>--format json</code> lists all.</p>",
                list.len()
            );
        }
    }
    if !r.config.is_empty() {
        let _ = writeln!(
            body,
            "<h2>Configuration changes ({})</h2><ul>",
            r.config.len()
        );
        for c in r.config {
            let _ = writeln!(body, "<li><code>{}</code></li>", escape(&c.text()));
        }
        let _ = writeln!(body, "</ul>");
    }
    notes(&mut body, &r.notes, &r.warnings);
    page(&title, &body)
}
