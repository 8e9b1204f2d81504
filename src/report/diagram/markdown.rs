//! Markdown with Mermaid for pull-request comments and tickets: `audit
//! --format markdown`, and the diagrams `whatif --format markdown` appends.
//! GitHub, GitLab and Bitbucket render a ```` ```mermaid ```` block; a
//! comment holds at most 65,536 characters, so diagrams are added while
//! they fit and the rest are counted.
//!
//! Owns: Markdown layout of audit findings and the diagram budget. Must not
//! know: how findings were computed.

use std::fmt::Write;

use super::model::Diagram;
use super::{mermaid, path as pictures};
use crate::audit::AuditResult;
use crate::report::audit::traffic_text;

/// GitHub's limit on a comment body.
pub const COMMENT_MAX: usize = 65_536;
/// Left for whatever a caller appends after the diagrams.
const RESERVE: usize = 512;
/// Findings listed in the table; `--format json` lists all.
pub const FINDINGS_MAX: usize = 100;

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Appends one collapsed Mermaid block per diagram while `out` stays under
/// the comment limit; counts those left out.
pub fn append_diagrams(out: &mut String, diagrams: impl Iterator<Item = Diagram>) {
    let mut left_out = 0;
    let mut blocks = String::new();
    for d in diagrams {
        let block = format!(
            "<details><summary>{}</summary>\n\n```mermaid\n{}```\n\n</details>\n\n",
            md_escape(&d.title).replace('<', "&lt;"),
            mermaid::render(&d)
        );
        if left_out == 0 && out.len() + blocks.len() + block.len() + RESERVE < COMMENT_MAX {
            blocks.push_str(&block);
        } else {
            left_out += 1;
        }
    }
    if blocks.is_empty() && left_out == 0 {
        return;
    }
    let _ = writeln!(out, "#### Diagrams\n");
    out.push_str(&blocks);
    if left_out > 0 {
        let _ = writeln!(
            out,
            "{left_out} more diagram(s) left out to stay under GitHub's {COMMENT_MAX}-character comment limit (`--format html` draws them).\n"
        );
    }
}

pub fn audit(r: &AuditResult, warnings: &[String]) -> String {
    let mut out = String::new();
    let verdict = if r.findings.is_empty() {
        "no findings"
    } else {
        "findings"
    };
    let _ = writeln!(out, "### vpcreach audit `{}`: {verdict}\n", r.scope);
    let _ = writeln!(
        out,
        "**{} finding(s)** covering {} source/destination pair(s) · {} ENIs analysed exhaustively\n",
        r.findings.len(),
        r.pairs,
        r.analyzed_enis
    );
    if !r.findings.is_empty() {
        let _ = writeln!(
            out,
            "| # | Finding | Pairs | Sources | Destinations | Traffic |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for (i, f) in r.findings.iter().take(FINDINGS_MAX).enumerate() {
            let ids = |list: &[String]| {
                let mut s = list
                    .iter()
                    .take(3)
                    .map(|id| format!("`{id}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                if list.len() > 3 {
                    let _ = write!(s, " +{} more", list.len() - 3);
                }
                s
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} |",
                i + 1,
                f.id,
                f.pair_count(),
                md_escape(&ids(&f.sources)),
                md_escape(&ids(&f.destinations)),
                md_escape(&traffic_text(f))
            );
        }
        if r.findings.len() > FINDINGS_MAX {
            let _ = writeln!(
                out,
                "\nThe widest {FINDINGS_MAX} of {} findings (`--format json` lists all).",
                r.findings.len()
            );
        }
        let _ = writeln!(out);
    }
    for w in r.warnings.iter().chain(warnings) {
        let _ = writeln!(out, "> warning: {}\n", md_escape(w));
    }
    append_diagrams(
        &mut out,
        r.findings
            .iter()
            .map(|f| pictures::finding(f, &traffic_text(f))),
    );
    out
}
