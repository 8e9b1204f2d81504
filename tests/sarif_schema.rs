//! Every SARIF log vpcreach writes (`whatif --plan --format sarif`, `audit
//! --format sarif`) validates against the OASIS SARIF 2.1.0 JSON schema.
//!
//! The schema is the one the `serde-sarif` crate ships in its package
//! (`src/schema.json`, the OASIS `sarif-schema-2.1.0.json`): a
//! dev-dependency, so cargo fetches it with the rest of the tests' crates
//! and `cargo metadata` says where it is. Nothing is downloaded by the test
//! and nothing of it is copied into this repository.

mod binary;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// `src/schema.json` of the serde-sarif package cargo resolved for us.
fn schema_path() -> PathBuf {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency");
    PathBuf::from(manifest)
        .with_file_name("src")
        .join("schema.json")
}

fn sarif_validator() -> jsonschema::Validator {
    let path = schema_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    // The language patterns (`run`, `toolComponent`) have a stray `]`, a
    // literal in ECMA-262's non-Unicode mode, which JSON Schema patterns
    // use, but an error for Rust's regex engines: escape it, the same pattern.
    let escaped = escape_stray_brackets(&mut schema);
    assert_eq!(escaped, 2, "the schema's language patterns changed");
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn escape_stray_brackets(v: &mut Value) -> usize {
    match v {
        Value::Object(m) => m
            .iter_mut()
            .map(|(k, x)| {
                if k == "pattern" && x == STRAY {
                    *x = r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\]?$".into();
                    1
                } else {
                    escape_stray_brackets(x)
                }
            })
            .sum(),
        Value::Array(a) => a.iter_mut().map(escape_stray_brackets).sum(),
        _ => 0,
    }
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, what: &str, out: &str) -> Value {
    let log: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{what}: {e}\n{out}"));
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
    // And serde-sarif's typed model reads it back.
    serde_json::from_value::<serde_sarif::sarif::Sarif>(log.clone())
        .unwrap_or_else(|e| panic!("{what}: serde-sarif: {e}"));
    log
}

#[test]
fn whatif_plan_sarif_validates_against_the_sarif_2_1_0_schema() {
    let validator = sarif_validator();
    // Gained pairs, a greenfield plan, unknown pairs, a warning about a
    // resource the snapshot lacks, a plan that changes nothing, lost pairs
    // and the denied-scope gate.
    let cases: &[&[&str]] = &[
        &[
            "--snapshot",
            "fixtures/three-tier",
            "--plan",
            "fixtures/terraform/sg-rule-create.json",
        ],
        &[
            "--plan",
            "fixtures/terraform/greenfield-bastion.json",
            "--deny-scope",
            "all-igw-ingress",
        ],
        &[
            "--snapshot",
            "fixtures/three-tier",
            "--plan",
            "fixtures/terraform/sg-rule-unknown-cidr.json",
        ],
        &[
            "--snapshot",
            "fixtures/three-tier",
            "--plan",
            "fixtures/terraform/not-in-snapshot.json",
        ],
        &[
            "--snapshot",
            "fixtures/three-tier",
            "--plan",
            "fixtures/terraform/sg-rule-update.json",
        ],
        &[
            "--snapshot",
            "fixtures/three-tier",
            "--plan",
            "fixtures/terraform/route-delete.json",
        ],
        &[
            "--snapshot",
            "fixtures/three-tier",
            "--plan",
            "fixtures/terraform/instance-create.json",
        ],
    ];
    let mut results = 0;
    for case in cases {
        let mut args = vec!["whatif"];
        args.extend_from_slice(case);
        args.extend_from_slice(&["--format", "sarif"]);
        let (code, out, err) = binary::vpcreach(&args);
        assert!(code == 0 || code == 1, "{case:?}: exit {code}: {err}");
        let log = assert_valid(&validator, &format!("{case:?}"), &out);
        results += log["runs"][0]["results"].as_array().unwrap().len();
    }
    assert!(results > 10, "the cases carry results ({results})");
}

#[test]
fn audit_sarif_validates_against_the_sarif_2_1_0_schema() {
    let validator = sarif_validator();
    for fixture in ["three-tier", "public-web", "tgw-hub-spoke"] {
        let path = format!("fixtures/{fixture}");
        let (code, out, err) = binary::vpcreach(&[
            "audit",
            "--snapshot",
            &path,
            "--scope",
            "all-igw-ingress",
            "--format",
            "sarif",
        ]);
        assert!(code == 0 || code == 1, "{fixture}: exit {code}: {err}");
        assert_valid(&validator, fixture, &out);
    }
}

/// The validator does catch what the schema forbids, so a pass means
/// something.
#[test]
fn the_validator_rejects_a_log_the_schema_forbids() {
    let validator = sarif_validator();
    let bad = serde_json::json!({
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "vpcreach" } },
                   "results": [{ "message": { "text": "x" }, "level": "fatal" }] }],
    });
    assert!(!validator.is_valid(&bad));
    let no_version = serde_json::json!({ "runs": [] });
    assert!(!validator.is_valid(&no_version));
}
