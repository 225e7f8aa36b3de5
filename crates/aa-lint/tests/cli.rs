//! End-to-end tests: run the real `aa-lint` binary on real files.
//!
//! Each `fixtures/cli/cases/NAME.case` says how to run it:
//!
//! ```text
//! args: check fixtures/cli/profiles/broken.aa
//! stdin: fixtures/cli/profiles/broken.aa
//! env: NO_COLOR=1
//! ```
//!
//! (`stdin:` and `env:` are optional; `#` starts a comment line.) The binary
//! runs in the repository root, and its exit status, standard output and
//! standard error are compared with `NAME.out` beside it. Run with
//! `UPDATE_EXPECT=1` to rewrite the `.out` files after an intended change.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use expect_test::expect_file;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

struct Case {
    args: Vec<String>,
    stdin: Option<PathBuf>,
    env: Vec<(String, String)>,
}

fn read_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).expect("case file");
    let mut case = Case { args: Vec::new(), stdin: None, env: Vec::new() };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (key, value) = line.split_once(':').unwrap_or_else(|| panic!("{}: bad line {line:?}", path.display()));
        let value = value.trim();
        match key {
            "args" => case.args = value.split_whitespace().map(str::to_owned).collect(),
            "stdin" => case.stdin = Some(repo_root().join(value)),
            "env" => {
                let (name, value) = value.split_once('=').expect("env: NAME=VALUE");
                case.env.push((name.to_owned(), value.to_owned()));
            }
            _ => panic!("{}: unknown key {key:?}", path.display()),
        }
    }
    case
}

/// Runs the binary and describes what it did, escaping colour codes so the
/// expected files stay readable.
fn run(case: &Case) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aa-lint"));
    command.args(&case.args).current_dir(repo_root()).env_remove("NO_COLOR");
    for (name, value) in &case.env {
        command.env(name, value);
    }
    command.stdin(match &case.stdin {
        Some(path) => Stdio::from(std::fs::File::open(path).expect("stdin fixture")),
        None => Stdio::null(),
    });
    let output = command.output().expect("run aa-lint");
    let code = output.status.code().map_or("killed by a signal".to_owned(), |c| c.to_string());
    let text = format!(
        "exit: {code}\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    text.replace('\x1b', "\\e")
}

fn cases() -> Vec<PathBuf> {
    let dir = repo_root().join("fixtures/cli/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/cli/cases")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "case"))
        .collect();
    cases.sort();
    cases
}

#[test]
fn cli_cases() {
    let cases = cases();
    assert!(cases.len() >= 10, "expected the CLI cases in fixtures/cli/cases");
    for path in cases {
        let actual = run(&read_case(&path));
        expect_file![path.with_extension("out")].assert_eq(&actual);
    }
}

/// Every `.out` file belongs to a case, so a renamed case leaves nothing stale.
#[test]
fn no_orphan_outputs() {
    let dir = repo_root().join("fixtures/cli/cases");
    for entry in std::fs::read_dir(&dir).expect("fixtures/cli/cases") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|ext| ext == "out") {
            assert!(path.with_extension("case").exists(), "{} has no .case", path.display());
        }
    }
}

/// Files are checked in parallel; the output order must not depend on timing.
#[test]
fn output_order_is_stable() {
    let case = Case {
        args: ["check", "fixtures/cli/tree", "fixtures/examples", "fixtures/cli/profiles"]
            .map(str::to_owned)
            .to_vec(),
        stdin: None,
        env: Vec::new(),
    };
    let first = run(&case);
    assert!(first.contains("exit: 1"), "{first}");
    for _ in 0..5 {
        assert_eq!(run(&case), first);
    }
}
