//! `whatif --plan` output: the `whatif` report plus what a plan adds — the
//! pairs unknown until apply (JSON `Unknown`, same shape as `Gained`), the
//! deny-scope gate, SARIF pointing at Terraform addresses — with every id
//! the plan made up replaced by its Terraform address.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::{json, Value};

use crate::plan::{Evaluation, UnknownPair};
use crate::report::whatif::{self, finding_json, Report};

/// A deny-scope whose findings the plan adds: (scope name, new findings).
pub struct Denied {
    pub scope: String,
    pub findings: Vec<(String, String, String)>,
}

fn unknown_json(u: &UnknownPair) -> Value {
    let mut v = match &u.tentative {
        Some(r) => finding_json(r, true),
        None => json!({
            "Sources": [u.source],
            "Destinations": [u.destination],
            "Source": {"Id": u.source},
            "Destination": {"Id": u.destination},
            "Traffic": [],
        }),
    };
    v["UnknownBecause"] = json!(u.causes);
    if u.tentative.is_some() {
        v["Note"] = json!("Traffic is what would change if the unknown values did not matter; it is neither gained nor lost");
    }
    v
}

/// The JSON of `whatif`, with `Unknown`, `DeniedScopes` and `Plan`.
pub fn json(r: &Report, e: &Evaluation, denied: &[Denied]) -> Value {
    let mut v = whatif::json(r);
    v["Unknown"] = Value::Array(e.unknown.iter().map(unknown_json).collect());
    v["DeniedScopes"] = Value::Array(
        denied
            .iter()
            .map(|d| {
                json!({"Scope": d.scope, "NewFindings": d.findings.iter().map(|(s, t, traffic)| json!({"Source": s, "Destination": t, "Traffic": traffic})).collect::<Vec<_>>()})
            })
            .collect(),
    );
    v["UnknownCauses"] = Value::Array(
        e.translation
            .unknown
            .iter()
            .map(|c| json!({"Address": c.address, "Attribute": c.attribute, "Components": c.components}))
            .collect(),
    );
    rename_value(e, v)
}

fn rename_value(e: &Evaluation, v: Value) -> Value {
    let text = e.translation.rename(&v.to_string());
    serde_json::from_str(&text).unwrap_or(v)
}

/// GitHub's limit for one comment.
pub const COMMENT_LIMIT: usize = 65_536;

/// A pull-request comment: summary first (unknown pairs and denied scopes
/// included), then `whatif`'s gained/lost groups, then the unknown pairs;
/// cut to fit [`COMMENT_LIMIT`].
pub fn markdown(r: &Report, e: &Evaluation, denied: &[Denied]) -> String {
    let mut head = String::new();
    let blocked: Vec<&Denied> = denied.iter().filter(|d| !d.findings.is_empty()).collect();
    let _ = writeln!(
        head,
        "**Terraform plan:** {} resource change(s) applied · **{} unknown** until apply{}\n",
        e.translation.applied.len(),
        e.unknown.len(),
        if blocked.is_empty() {
            String::new()
        } else {
            format!(
                " · ⛔ denied: {}",
                blocked
                    .iter()
                    .map(|d| format!("`{}` ({} new)", d.scope, d.findings.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let mut body = whatif::markdown(r);
    if !e.unknown.is_empty() {
        let _ = writeln!(body, "\n#### Unknown until apply ({})\n", e.unknown.len());
        let _ = writeln!(body, "| source | destination | because |\n|---|---|---|");
        for u in e.unknown.iter().take(whatif::DETAIL_LIMIT) {
            let _ = writeln!(
                body,
                "| `{}` | `{}` | {} |",
                u.source,
                u.destination,
                u.causes.join(", ")
            );
        }
        if e.unknown.len() > whatif::DETAIL_LIMIT {
            let _ = writeln!(
                body,
                "\n… and {} more (see the JSON output)",
                e.unknown.len() - whatif::DETAIL_LIMIT
            );
        }
    }
    for d in &blocked {
        let _ = writeln!(
            body,
            "\n#### Denied scope `{}`: {} new finding(s)\n",
            d.scope,
            d.findings.len()
        );
        for (s, t, traffic) in d.findings.iter().take(whatif::DETAIL_LIMIT) {
            let _ = writeln!(body, "- `{s}` → `{t}`: {traffic}");
        }
    }
    // The heading of whatif's Markdown stays first; the plan summary follows it.
    let body = e.translation.rename(&body);
    let head = e.translation.rename(&head);
    let mut out = match body.split_once("\n\n") {
        Some((title, rest)) => format!("{title}\n\n{head}{rest}"),
        None => format!("{head}{body}"),
    };
    if out.len() > COMMENT_LIMIT {
        let note = "\n\n… cut to fit a pull-request comment; the JSON output has every pair.\n";
        let mut cut = COMMENT_LIMIT - note.len();
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str(note);
    }
    out
}

/// SARIF 2.1.0: one result per gained, unknown or denied pair. The logical
/// location is the Terraform address of each resource of the plan on the
/// pair's path (else the pair's new endpoint); the physical location is the
/// plan file at that resource's `resource_changes` entry — `terraform show
/// -json` carries no `.tf` file or line.
pub fn sarif(e: &Evaluation, denied: &[Denied]) -> Value {
    let t = &e.translation;
    let origins = &t.origins;
    let mut results = Vec::new();
    let mut push = |rule: &str, level: &str, message: String, ids: BTreeSet<String>| {
        // The plan's resources that name a component of the pair's path:
        // new ones by their id, edits of existing ones by what they applied.
        let mut addresses: BTreeSet<&str> = ids
            .iter()
            .filter_map(|id| t.addresses.get(id).map(String::as_str))
            .collect();
        for a in &t.applied {
            if let Some((address, what)) = a.summary.split_once(": ") {
                if ids.iter().any(|id| what.contains(id.as_str())) {
                    addresses.insert(address);
                }
            }
        }
        let logical: Vec<Value> = addresses
            .iter()
            .map(|a| json!({"fullyQualifiedName": a, "kind": "resource"}))
            .collect();
        let physical: Vec<Value> = addresses
            .iter()
            .filter_map(|a| origins.get(*a))
            .map(|o| {
                json!({"physicalLocation": {
                    "artifactLocation": {"uri": o.file.display().to_string()},
                    "region": {"startLine": o.line, "startColumn": o.column}
                }})
            })
            .collect();
        let mut locations: Vec<Value> = physical;
        if locations.is_empty() {
            locations.push(json!({"logicalLocations": logical}));
        } else {
            for l in locations.iter_mut() {
                l["logicalLocations"] = Value::Array(logical.clone());
            }
        }
        results.push(json!({
            "ruleId": rule,
            "level": level,
            "message": {"text": t.rename(&message)},
            "locations": locations,
        }));
    };
    let path_ids = |r: &crate::whatif::differential::ReachChange| -> BTreeSet<String> {
        r.passing
            .forward
            .iter()
            .chain(&r.passing.ret)
            .map(|h| h.component.id.clone())
            .chain([r.source.id.clone(), r.destination.id.clone()])
            .collect()
    };
    for r in &e.diff.gained {
        push(
            "vpcreach/gained",
            "warning",
            format!(
                "{} can now reach {}: {}",
                r.source.id,
                r.destination.id,
                r.summary.join(", ")
            ),
            path_ids(r),
        );
    }
    for r in &e.diff.lost {
        push(
            "vpcreach/lost",
            "warning",
            format!(
                "{} can no longer reach {}: {}",
                r.source.id,
                r.destination.id,
                r.summary.join(", ")
            ),
            path_ids(r),
        );
    }
    for u in &e.unknown {
        let mut ids: BTreeSet<String> = u.tentative.as_ref().map(path_ids).unwrap_or_default();
        ids.extend(
            t.unknown
                .iter()
                .filter(|c| u.causes.iter().any(|x| x.starts_with(&c.address)))
                .flat_map(|c| {
                    t.addresses
                        .iter()
                        .filter(|(_, a)| **a == c.address)
                        .map(|(id, _)| id.clone())
                }),
        );
        push(
            "vpcreach/unknown",
            "note",
            format!(
                "{} → {} is unknown until apply: {}",
                u.source,
                u.destination,
                u.causes.join(", ")
            ),
            ids,
        );
    }
    for d in denied {
        for (s, dst, traffic) in &d.findings {
            push(
                "vpcreach/denied-scope",
                "error",
                format!("new finding of scope {}: {s} → {dst}: {traffic}", d.scope),
                [s.clone(), dst.clone()].into(),
            );
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vpcreach",
                "informationUri": "https://github.com/vpcreach/vpcreach",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [
                    {"id": "vpcreach/gained", "shortDescription": {"text": "The plan opens a path"}},
                    {"id": "vpcreach/lost", "shortDescription": {"text": "The plan closes a path"}},
                    {"id": "vpcreach/unknown", "shortDescription": {"text": "The answer depends on a value known only after apply"}},
                    {"id": "vpcreach/denied-scope", "shortDescription": {"text": "The plan adds a finding of a denied access scope"}},
                ],
            }},
            "results": results,
        }],
    })
}
