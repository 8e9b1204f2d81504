//! `whatif` / `diff` output: gained and lost reachability with the hops
//! that let it through and the blockers on the other side, the
//! configuration differences behind them, and intent results — as text,
//! JSON and a Markdown summary for pull-request comments.

use std::fmt::Write;

use serde_json::{json, Value};

use crate::analysis::{ComponentRef, Explanation, Hop};
use crate::change::diff::ConfigChange;
use crate::change::Applied;
use crate::report::diagram;
use crate::report::json as j;
use crate::report::text;
use crate::whatif::differential::{Differential, ReachChange};
use crate::whatif::intents::IntentResult;

/// Everything a `whatif` or `diff` run has to say.
pub struct Report<'a> {
    /// `whatif` or `diff`.
    pub command: &'a str,
    /// What was compared, for the heading.
    pub subject: String,
    /// Calls applied (whatif only).
    pub applied: &'a [Applied],
    pub config: &'a [ConfigChange],
    pub diff: &'a Differential,
    pub intents: &'a [IntentResult],
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
}

impl Report<'_> {
    pub fn intents_failed(&self) -> usize {
        self.intents.iter().filter(|i| !i.passed).count()
    }
    /// 0 unchanged and every intent passed, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.diff.changed() || self.intents_failed() > 0 {
            1
        } else {
            0
        }
    }
}

fn blockers(r: &ReachChange) -> &[Explanation] {
    r.blocked
        .as_ref()
        .map(|b| b.explanations.as_slice())
        .unwrap_or(&[])
}

/// Pairs listed one by one in text and Markdown; the rest are counted (JSON
/// always lists every pair). A wide change gains thousands of pairs, and a
/// pull-request comment holds at most 65,536 characters.
pub const DETAIL_LIMIT: usize = 50;

/// Changes that share traffic and cause: the same summary, and the same
/// blocker (code and component) on the side where they do not pass.
pub(crate) struct CauseGroup<'a> {
    pub(crate) traffic: String,
    pub(crate) cause: String,
    pub(crate) changes: Vec<&'a ReachChange>,
}

impl CauseGroup<'_> {
    fn count(&self, end: impl Fn(&ReachChange) -> &str) -> usize {
        let ids: std::collections::BTreeSet<&str> = self.changes.iter().map(|c| end(c)).collect();
        ids.len()
    }
}

fn cause_of(r: &ReachChange, gained: bool) -> String {
    if r.blocked.is_none() {
        return if gained {
            "an endpoint did not exist before".into()
        } else {
            "an endpoint no longer exists".into()
        };
    }
    let mut causes: Vec<String> = blockers(r)
        .iter()
        .map(|e| {
            // The rule-bearing component (group, ACL, route table, gateway)
            // names the cause; the ENI or subnet it sits on only the place.
            let place = ["NetworkInterface", "Subnet", "Vpc", "Component"];
            let c = e
                .components
                .iter()
                .find(|(kind, _)| !place.contains(kind))
                .or(e.components.first());
            match c {
                Some((_, c)) => format!("{} at {}", e.code, c.id),
                None => e.code.to_string(),
            }
        })
        .collect();
    causes.dedup();
    let why = if gained { "was blocked" } else { "now blocked" };
    format!("{why}: {}", causes.join(", "))
}

/// Groups by (traffic, cause), biggest first (stable by traffic and cause).
pub(crate) fn cause_groups(list: &[ReachChange], gained: bool) -> Vec<CauseGroup<'_>> {
    let mut groups: Vec<CauseGroup> = Vec::new();
    let mut index: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for r in list {
        let key = (r.summary.join(", "), cause_of(r, gained));
        let i = *index.entry(key.clone()).or_insert_with(|| {
            groups.push(CauseGroup {
                traffic: key.0.clone(),
                cause: key.1.clone(),
                changes: Vec::new(),
            });
            groups.len() - 1
        });
        groups[i].changes.push(r);
    }
    groups.sort_by(|a, b| {
        b.changes
            .len()
            .cmp(&a.changes.len())
            .then_with(|| (&a.traffic, &a.cause).cmp(&(&b.traffic, &b.cause)))
    });
    groups
}

/// "312 pairs (98 sources → 4 destinations)"
pub(crate) fn group_size(g: &CauseGroup) -> String {
    format!(
        "{} pair(s) ({} source(s) → {} destination(s))",
        g.changes.len(),
        g.count(|c| &c.source.id),
        g.count(|c| &c.destination.id)
    )
}

fn config_json(c: &ConfigChange) -> Value {
    let mut v = json!({
        "Component": c.component,
        "Type": c.what,
        "Change": c.kind.as_str(),
        "Detail": c.detail,
    });
    if let Some(b) = &c.before {
        v["Before"] = json!(b);
    }
    if let Some(a) = &c.after {
        v["After"] = json!(a);
    }
    v
}

pub(crate) fn finding_json(r: &ReachChange, gained: bool) -> Value {
    let mut v = json!({
        "Sources": [r.source.id],
        "Destinations": [r.destination.id],
        "Source": j::component(&r.source),
        "Destination": j::component(&r.destination),
        "Traffic": r.summary,
        "TrafficHeader": j::header(&r.traffic),
        "FindingComponents": j::hops(&r.passing.forward),
        "ReturnPathComponents": j::hops(&r.passing.ret),
    });
    let key = if gained {
        "BlockedBefore"
    } else {
        "BlockedAfter"
    };
    v[key] = Value::Array(blockers(r).iter().map(j::explanation).collect());
    if r.blocked.is_none() {
        v["Note"] = json!(if gained {
            "an endpoint did not exist before the change"
        } else {
            "an endpoint no longer exists after the change"
        });
    }
    v
}

fn intent_traffic(i: &IntentResult) -> String {
    i.intent
        .text
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn intent_json(i: &IntentResult) -> Value {
    json!({
        "Intent": i.intent.kind(),
        "Source": i.intent.source,
        "Destination": i.intent.destination,
        "Traffic": intent_traffic(i),
        "Passed": i.passed,
        "NetworkPathFound": i.analysis.path_found(),
        "ForwardPathComponents": j::hops(&i.analysis.forward),
        "Explanations": i.analysis.explanations.iter().map(j::explanation).collect::<Vec<_>>(),
    })
}

pub fn json(r: &Report) -> Value {
    json!({
        "Gained": r.diff.gained.iter().map(|x| finding_json(x, true)).collect::<Vec<_>>(),
        "Lost": r.diff.lost.iter().map(|x| finding_json(x, false)).collect::<Vec<_>>(),
        "ConfigurationChanges": r.config.iter().map(config_json).collect::<Vec<_>>(),
        "Intents": r.intents.iter().map(intent_json).collect::<Vec<_>>(),
        "AppliedCalls": r.applied.iter().map(|a| json!({"Index": a.index, "Action": a.action, "Result": a.summary})).collect::<Vec<_>>(),
        "PairsEvaluated": r.diff.pairs_evaluated,
        "PairsTotal": r.diff.pairs_total,
        "ReachabilityChanged": r.diff.changed(),
        "Notes": r.notes,
        "Warnings": r.warnings,
    })
}

fn pair(r: &ReachChange) -> String {
    format!("{} → {}", text::name(&r.source), text::name(&r.destination))
}

/// The hops that decided: rules, routes and blocked hops (not every hop).
fn deciding_hops(hops: &[Hop]) -> Vec<String> {
    hops.iter()
        .filter(|h| h.blocked || h.acl_rule.is_some() || h.sg_rule.is_some() || h.route.is_some())
        .map(|h| {
            let d = text::hop_detail(h);
            if d.is_empty() {
                format!("{} {}", h.component.id, h.role)
            } else {
                format!("{} {}: {d}", h.component.id, h.role)
            }
        })
        .collect()
}

pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "vpcreach {}: {}", r.command, r.subject);
    if !r.applied.is_empty() {
        let _ = writeln!(out, "\nApplied {} call(s):", r.applied.len());
        for a in r.applied {
            let _ = writeln!(out, "  [{}] {}: {}", a.index, a.action, a.summary);
        }
    }
    let _ = writeln!(out, "\nConfiguration changes ({}):", r.config.len());
    if r.config.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for c in r.config {
        let _ = writeln!(out, "  {}", c.text());
    }
    for (title, list, gained) in [
        ("Reachability gained", &r.diff.gained, true),
        ("Reachability lost", &r.diff.lost, false),
    ] {
        let _ = writeln!(out, "\n{title} ({}):", list.len());
        if list.is_empty() {
            let _ = writeln!(out, "  none");
        }
        let groups = cause_groups(list, gained);
        if groups.len() > 1 || list.len() > DETAIL_LIMIT {
            let _ = writeln!(out, "  by traffic and cause:");
            for g in &groups {
                let _ = writeln!(out, "    {}: {} — {}", g.traffic, group_size(g), g.cause);
            }
            if list.len() > DETAIL_LIMIT {
                let _ = writeln!(
                    out,
                    "  the first {DETAIL_LIMIT} pairs; {} more are listed by --format json:",
                    list.len() - DETAIL_LIMIT
                );
            }
        }
        for x in list.iter().take(DETAIL_LIMIT) {
            let _ = writeln!(
                out,
                "  {} {}: {}",
                if gained { "+" } else { "-" },
                pair(x),
                x.summary.join(", ")
            );
            let side = if gained { "now passes" } else { "passed" };
            for h in deciding_hops(&x.passing.forward) {
                let _ = writeln!(out, "      {side}: {h}");
            }
            let why = if gained { "was blocked" } else { "now blocked" };
            match &x.blocked {
                Some(_) => {
                    for e in blockers(x) {
                        let _ = writeln!(out, "      {why}: {} ({})", e.message, e.code);
                    }
                }
                None => {
                    let _ = writeln!(
                        out,
                        "      {why}: the endpoint does not exist {}",
                        if gained { "before" } else { "after" }
                    );
                }
            }
        }
    }
    if !r.intents.is_empty() {
        let _ = writeln!(
            out,
            "\nIntents ({} of {} passed):",
            r.intents.len() - r.intents_failed(),
            r.intents.len()
        );
        for i in r.intents {
            let mark = if i.passed { "PASS" } else { "FAIL" };
            let found = if i.analysis.path_found() {
                "path found"
            } else {
                "no path"
            };
            let _ = writeln!(
                out,
                "  {mark} {} {}: {found}",
                i.intent.kind(),
                i.intent.text
            );
            if !i.passed {
                if i.analysis.path_found() {
                    for h in deciding_hops(&i.analysis.forward) {
                        let _ = writeln!(out, "      passes: {h}");
                    }
                } else {
                    for e in &i.analysis.explanations {
                        let _ = writeln!(out, "      blocked: {} ({})", e.message, e.code);
                    }
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{} pair(s) evaluated of {}; reachability {}.",
        r.diff.pairs_evaluated,
        r.diff.pairs_total,
        if r.diff.changed() {
            "changed"
        } else {
            "unchanged"
        }
    );
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

fn md_name(c: &ComponentRef) -> String {
    match &c.name {
        Some(n) => format!("{n} (`{}`)", c.id),
        None => format!("`{}`", c.id),
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let verdict = if r.diff.changed() {
        "reachability changes"
    } else {
        "no reachability change"
    };
    let _ = writeln!(out, "### vpcreach {}: {verdict}\n", r.command);
    let mut summary = format!(
        "**{} gained, {} lost** · {} configuration change(s)",
        r.diff.gained.len(),
        r.diff.lost.len(),
        r.config.len()
    );
    if !r.intents.is_empty() {
        summary.push_str(&format!(
            " · intents: {} of {} passed",
            r.intents.len() - r.intents_failed(),
            r.intents.len()
        ));
    }
    let _ = writeln!(out, "{summary}\n\n{}\n", md_escape(&r.subject));
    for (title, list, gained) in [
        ("Gained", &r.diff.gained, true),
        ("Lost", &r.diff.lost, false),
    ] {
        if list.is_empty() {
            continue;
        }
        let why = if gained {
            "Was blocked by"
        } else {
            "Now blocked by"
        };
        let _ = writeln!(out, "#### {title}\n");
        let groups = cause_groups(list, gained);
        if groups.len() > 1 || list.len() > DETAIL_LIMIT {
            let _ = writeln!(out, "| Traffic | Pairs | Cause |");
            let _ = writeln!(out, "|---|---|---|");
            for g in &groups {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    md_escape(&g.traffic),
                    md_escape(&group_size(g)),
                    md_escape(&g.cause)
                );
            }
            let _ = writeln!(out);
        }
        if list.len() > DETAIL_LIMIT {
            let _ = writeln!(
                out,
                "The first {DETAIL_LIMIT} of {} pairs (`--format json` lists all):\n",
                list.len()
            );
        }
        let _ = writeln!(out, "| Source | Destination | Traffic | {why} |");
        let _ = writeln!(out, "|---|---|---|---|");
        for x in list.iter().take(DETAIL_LIMIT) {
            let because = if x.blocked.is_none() {
                if gained {
                    "(did not exist)".to_string()
                } else {
                    "(no longer exists)".to_string()
                }
            } else {
                blockers(x)
                    .iter()
                    .map(|e| format!("`{}` {}", e.code, e.message))
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md_escape(&md_name(&x.source)),
                md_escape(&md_name(&x.destination)),
                md_escape(&x.summary.join(", ")),
                md_escape(&because)
            );
        }
        let _ = writeln!(out);
    }
    if !r.intents.is_empty() {
        let _ = writeln!(out, "#### Intents\n");
        let _ = writeln!(out, "| | Intent | Result |");
        let _ = writeln!(out, "|---|---|---|");
        for i in r.intents {
            let result = if i.analysis.path_found() {
                "path found".to_string()
            } else {
                let why: Vec<String> = i
                    .analysis
                    .explanations
                    .iter()
                    .map(|e| format!("`{}`", e.code))
                    .collect();
                format!("no path ({})", why.join(", "))
            };
            let _ = writeln!(
                out,
                "| {} | {} `{}` | {} |",
                if i.passed { "✅" } else { "❌" },
                i.intent.kind(),
                md_escape(&i.intent.text),
                md_escape(&result)
            );
        }
        let _ = writeln!(out);
    }
    if !r.config.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Configuration changes ({})</summary>\n",
            r.config.len()
        );
        for c in r.config {
            let _ = writeln!(out, "- `{}`", c.text().replace('`', "'"));
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    let paths: Vec<&ReachChange> = r
        .diff
        .gained
        .iter()
        .take(DETAIL_LIMIT)
        .chain(r.diff.lost.iter().take(DETAIL_LIMIT))
        .collect();
    if !paths.is_empty() {
        let _ = writeln!(out, "<details><summary>Hop by hop</summary>\n");
        for x in paths {
            let _ = writeln!(
                out,
                "**{}** — {}\n",
                md_escape(&pair(x)),
                md_escape(&x.summary.join(", "))
            );
            for h in deciding_hops(&x.passing.forward) {
                let _ = writeln!(out, "- {}", md_escape(&h));
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "</details>\n");
    }
    // One Mermaid picture per group (traffic and cause), both sides drawn.
    let representatives = [(&r.diff.gained, true), (&r.diff.lost, false)]
        .into_iter()
        .flat_map(|(list, gained)| {
            cause_groups(list, gained)
                .into_iter()
                .map(move |g| diagram::path::change(g.changes[0], gained))
        });
    diagram::markdown::append_diagrams(&mut out, representatives);
    out
}
