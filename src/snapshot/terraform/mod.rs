//! Reading `terraform show -json` output (Terraform or OpenTofu) into
//! [`crate::plan::Plan`].
//!
//! Owns: the JSON shape of a plan (`format_version`, `resource_changes`,
//! `configuration` expressions and references, `prior_state`), merging
//! `after` with `after_unknown`, and turning bad input — not JSON, an
//! unknown major `format_version`, a missing `resource_changes` or
//! `change`, an errored or incomplete plan — into a located diagnostic
//! (file, line, column, JSON path) through [`SnapshotError::at`], as
//! snapshots and change files do. Must not know: the model or what any
//! resource type means for reachability (`crate::plan` does).

// The diagnostics carry the file text for miette, as `load.rs`'s do.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde_json::value::RawValue;
use serde_json::{Map, Value as J};
use thiserror::Error;

use super::change_file::locate;
use super::load::SnapshotError;
use super::locate::offset_of;
use crate::plan::{Action, Origin, Plan, PriorResource, ResourceChange, Value};

#[derive(Debug, Error, Diagnostic)]
pub enum PlanError {
    #[error("cannot read plan {path}: {message}")]
    #[diagnostic(
        code(vpcreach::plan::io),
        help("--plan takes the JSON of `terraform show -json tfplan`")
    )]
    Io { path: PathBuf, message: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Located(#[from] SnapshotError),
}

/// Read a plan file. An `errored` or incomplete plan is refused unless
/// `allow_incomplete`; then [`Plan::incomplete`] says why it is partial.
pub fn read(path: &Path, allow_incomplete: bool) -> Result<Plan, PlanError> {
    let text = fs::read_to_string(path).map_err(|e| PlanError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(parse(path, &text, allow_incomplete)?)
}

/// A located error at `json_path` of the plan text.
struct Located<'a> {
    file: &'a Path,
    text: &'a str,
    root: &'a RawValue,
}

impl Located<'_> {
    fn error(&self, json_path: &str, message: String, help: &str) -> SnapshotError {
        let offset = locate(self.text, self.root, json_path);
        SnapshotError::at(
            self.file,
            self.text,
            offset,
            json_path.to_string(),
            message,
            Some(help.to_string()),
        )
    }
    fn origin(&self, json_path: &str) -> Origin {
        let offset = locate(self.text, self.root, json_path);
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
        Origin {
            file: self.file.to_path_buf(),
            json_path: json_path.to_string(),
            line,
            column,
        }
    }
}

const SHAPE_HELP: &str =
    "--plan takes the JSON of `terraform plan -out tfplan && terraform show -json tfplan`";

/// Parse plan text (`file` is used in messages only).
pub fn parse(file: &Path, text: &str, allow_incomplete: bool) -> Result<Plan, SnapshotError> {
    let not_json = |e: serde_json::Error| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or("").to_string();
        SnapshotError::at(
            file,
            text,
            offset_of(text, e.line(), e.column()),
            String::new(),
            message,
            Some("the plan is not valid JSON; write it with `terraform show -json tfplan > plan.json`".into()),
        )
    };
    let root: &RawValue = serde_json::from_str(text).map_err(not_json)?;
    let doc: J = serde_json::from_str(text).map_err(not_json)?;
    let at = Located { file, text, root };
    let Some(top) = doc.as_object() else {
        return Err(at.error("", "a plan is a JSON object".into(), SHAPE_HELP));
    };
    let format_version =
        match top.get("format_version") {
            Some(J::String(v)) => v.clone(),
            Some(_) => {
                return Err(at.error(
                    "format_version",
                    "format_version must be a string such as \"1.2\"".into(),
                    SHAPE_HELP,
                ))
            }
            None => return Err(at.error(
                "",
                "missing field `format_version`: this is not the output of `terraform show -json`"
                    .into(),
                SHAPE_HELP,
            )),
        };
    let major = format_version.split('.').next().unwrap_or("");
    if major != "0" && major != "1" {
        return Err(at.error(
            "format_version",
            format!("unsupported format_version \"{format_version}\": this reader knows major versions 0 and 1"),
            "Terraform's JSON format changes its major version only when consumers must change; upgrade vpcreach or write the plan with a Terraform that prints format 1.x",
        ));
    }
    let errored = top.get("errored").and_then(J::as_bool) == Some(true);
    let complete = top.get("complete").and_then(J::as_bool) != Some(false);
    let incomplete = if errored {
        Some("the plan is errored (`errored: true`): Terraform stopped planning, so some changes are missing".to_string())
    } else if !complete {
        Some(
            "the plan is incomplete (`complete: false`): deferred changes are missing from it"
                .to_string(),
        )
    } else {
        None
    };
    if let (Some(why), false) = (&incomplete, allow_incomplete) {
        let key = if errored { "errored" } else { "complete" };
        return Err(at.error(
            key,
            format!("{why}; refusing to answer for part of a change"),
            "fix the plan, or pass --allow-incomplete-plan to evaluate the changes it does hold",
        ));
    }
    let Some(changes_json) = top.get("resource_changes") else {
        if top.contains_key("values") && !top.contains_key("planned_values") {
            return Err(at.error(
                "",
                "missing field `resource_changes`: this is a state, not a plan".into(),
                "run `terraform show -json` on a plan file (`terraform plan -out tfplan`), not on the state",
            ));
        }
        return Err(at.error("", "missing field `resource_changes`".into(), SHAPE_HELP));
    };
    let Some(entries) = changes_json.as_array() else {
        return Err(at.error(
            "resource_changes",
            "resource_changes must be a list".into(),
            SHAPE_HELP,
        ));
    };
    let config = configuration(top.get("configuration"));
    let mut changes = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        changes.push(resource_change(&at, i, entry, &config)?);
    }
    let mut prior = Vec::new();
    if let Some(root_module) = top
        .get("prior_state")
        .and_then(|p| p.get("values"))
        .and_then(|v| v.get("root_module"))
    {
        prior_resources(root_module, &mut prior);
    }
    Ok(Plan {
        file: file.to_path_buf(),
        format_version,
        terraform_version: top
            .get("terraform_version")
            .and_then(J::as_str)
            .map(String::from),
        changes,
        prior,
        incomplete,
    })
}

/// What the configuration says of one resource block.
#[derive(Default)]
struct BlockConfig {
    references: BTreeMap<String, Vec<String>>,
    configured: Vec<String>,
}

/// Resource blocks by their address without instance keys
/// (`module.net.aws_subnet.private`).
fn configuration(config: Option<&J>) -> BTreeMap<String, BlockConfig> {
    let mut out = BTreeMap::new();
    if let Some(root) = config.and_then(|c| c.get("root_module")) {
        config_module(root, "", &mut out);
    }
    out
}

fn config_module(module: &J, prefix: &str, out: &mut BTreeMap<String, BlockConfig>) {
    for r in module
        .get("resources")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
    {
        let Some(address) = r.get("address").and_then(J::as_str) else {
            continue;
        };
        let mut block = BlockConfig::default();
        if let Some(expressions) = r.get("expressions").and_then(J::as_object) {
            expression_refs(expressions, "", &mut block);
        }
        out.insert(format!("{prefix}{address}"), block);
    }
    for (name, call) in module
        .get("module_calls")
        .and_then(J::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(inner) = call.get("module") {
            config_module(inner, &format!("{prefix}module.{name}."), out);
        }
    }
}

fn expression_refs(expressions: &Map<String, J>, prefix: &str, block: &mut BlockConfig) {
    for (key, expr) in expressions {
        let name = format!("{prefix}{key}");
        match expr {
            J::Object(o) if o.contains_key("references") || o.contains_key("constant_value") => {
                block.configured.push(name.clone());
                let refs = o
                    .get("references")
                    .and_then(J::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(J::as_str)
                    .map(String::from);
                block.references.entry(name).or_default().extend(refs);
            }
            // A nested block (`ingress { … }`): a list of expression maps.
            J::Array(blocks) => {
                block.configured.push(name.clone());
                for b in blocks.iter().filter_map(J::as_object) {
                    expression_refs(b, &format!("{name}."), block);
                }
            }
            J::Object(o) => {
                block.configured.push(name.clone());
                expression_refs(o, &format!("{name}."), block);
            }
            _ => {}
        }
    }
}

/// `module.a["x"].aws_sg.b[0]` → `module.a.aws_sg.b`: the configuration block.
fn config_address(address: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_string = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn resource_change(
    at: &Located,
    i: usize,
    entry: &J,
    config: &BTreeMap<String, BlockConfig>,
) -> Result<ResourceChange, SnapshotError> {
    let path = format!("resource_changes[{i}]");
    let string = |key: &str| -> Result<String, SnapshotError> {
        entry
            .get(key)
            .and_then(J::as_str)
            .map(String::from)
            .ok_or_else(|| {
                at.error(
                    &format!("{path}.{key}"),
                    format!("resource change [{i}] lacks the string `{key}`"),
                    SHAPE_HELP,
                )
            })
    };
    let address = string("address")?;
    let kind = string("type")?;
    let Some(change) = entry.get("change").filter(|c| c.is_object()) else {
        return Err(at.error(
            &path,
            format!("resource change {address} has no `change` object"),
            "every entry of resource_changes carries `change` with `actions`, `before`, `after` and `after_unknown`",
        ));
    };
    let actions: Vec<&str> = change
        .get("actions")
        .and_then(J::as_array)
        .map(|a| a.iter().filter_map(J::as_str).collect())
        .unwrap_or_default();
    let action = match actions.as_slice() {
        ["no-op"] => Action::NoOp,
        ["read"] => Action::Read,
        ["create"] => Action::Create,
        ["update"] => Action::Update,
        ["delete"] => Action::Delete,
        ["delete", "create"] | ["create", "delete"] => Action::Replace,
        ["forget"] => Action::Forget,
        _ => {
            return Err(at.error(
                &format!("{path}.change.actions"),
                format!("resource change {address}: unknown actions {actions:?}"),
                "actions is one of [\"no-op\"], [\"create\"], [\"read\"], [\"update\"], [\"delete\",\"create\"], [\"create\",\"delete\"], [\"delete\"], [\"forget\"]",
            ))
        }
    };
    let block = config.get(&config_address(&address));
    let index = entry.get("index").and_then(|v| match v {
        J::Number(n) => Some(n.to_string()),
        J::String(s) => Some(format!("\"{s}\"")),
        _ => None,
    });
    Ok(ResourceChange {
        module_address: entry
            .get("module_address")
            .and_then(J::as_str)
            .unwrap_or("")
            .to_string(),
        managed: entry.get("mode").and_then(J::as_str) != Some("data"),
        before: merge(change.get("before").unwrap_or(&J::Null), &J::Null),
        after: merge(
            change.get("after").unwrap_or(&J::Null),
            change.get("after_unknown").unwrap_or(&J::Null),
        ),
        references: block.map(|b| b.references.clone()).unwrap_or_default(),
        configured: block.map(|b| b.configured.clone()).unwrap_or_default(),
        index,
        origin: at.origin(&path),
        address,
        kind,
        action,
    })
}

/// `after` with `after_unknown` laid over it.
fn merge(known: &J, unknown: &J) -> Value {
    if unknown == &J::Bool(true) {
        return Value::Unknown;
    }
    match known {
        J::Null => match unknown {
            J::Object(_) | J::Array(_) if unknown_inside(unknown) => merge_null(unknown),
            _ => Value::Null,
        },
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => {
            let u = unknown.as_array();
            let mut out: Vec<Value> = items
                .iter()
                .enumerate()
                .map(|(k, v)| merge(v, u.and_then(|u| u.get(k)).unwrap_or(&J::Null)))
                .collect();
            // Elements that exist only as unknown.
            for extra in u.into_iter().flatten().skip(items.len()) {
                out.push(merge(&J::Null, extra));
            }
            Value::List(out)
        }
        J::Object(m) => {
            let u = unknown.as_object();
            let mut out: BTreeMap<String, Value> = m
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        merge(v, u.and_then(|u| u.get(k)).unwrap_or(&J::Null)),
                    )
                })
                .collect();
            for (k, v) in u.into_iter().flatten() {
                if !out.contains_key(k) {
                    out.insert(k.clone(), merge(&J::Null, v));
                }
            }
            Value::Map(out)
        }
    }
}

fn unknown_inside(u: &J) -> bool {
    match u {
        J::Bool(true) => true,
        J::Array(a) => a.iter().any(unknown_inside),
        J::Object(o) => o.values().any(unknown_inside),
        _ => false,
    }
}

fn merge_null(unknown: &J) -> Value {
    match unknown {
        J::Bool(true) => Value::Unknown,
        J::Array(a) => Value::List(a.iter().map(merge_null).collect()),
        J::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), merge_null(v))).collect()),
        _ => Value::Null,
    }
}

fn prior_resources(module: &J, out: &mut Vec<PriorResource>) {
    for r in module
        .get("resources")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(address), Some(kind)) = (
            r.get("address").and_then(J::as_str),
            r.get("type").and_then(J::as_str),
        ) else {
            continue;
        };
        out.push(PriorResource {
            address: address.to_string(),
            managed: r.get("mode").and_then(J::as_str) != Some("data"),
            kind: kind.to_string(),
            values: merge(r.get("values").unwrap_or(&J::Null), &J::Null),
        });
    }
    for child in module
        .get("child_modules")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
    {
        prior_resources(child, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_address_drops_instance_keys() {
        assert_eq!(
            config_address(r#"module.sg["a.b[1]"].aws_security_group.this[0]"#),
            "module.sg.aws_security_group.this"
        );
    }

    #[test]
    fn after_unknown_is_laid_over_after() {
        let after: J = serde_json::json!({"cidr_blocks": ["10.0.0.0/8"], "tags": null});
        let unknown: J = serde_json::json!({"id": true, "cidr_blocks": [false, true]});
        let v = merge(&after, &unknown);
        assert!(v.get("id").is_unknown());
        assert_eq!(v.get("cidr_blocks").list().len(), 2);
        assert!(v.get("cidr_blocks").list()[1].is_unknown());
        assert!(v.get("tags").is_null());
    }
}
