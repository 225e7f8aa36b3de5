//! The shipped example profiles are real policy: `apparmor_parser` (Debian's
//! `apparmor` package) compiles every one outside `broken/`, rejects the one
//! in `broken/`, and `aa-lint` agrees on both.

use std::path::{Path, PathBuf};
use std::process::Command;

const APPARMOR_PARSER: &str = "/usr/sbin/apparmor_parser";
const FEATURES: &str = "/usr/share/apparmor-features/features";

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/examples")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples directory")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Compiles `file` without loading it into the kernel (`-Q`) or writing a
/// cache (`-K`); `None` when `apparmor_parser` is not installed.
fn apparmor_parser_accepts(file: &Path) -> Option<(bool, String)> {
    if !Path::new(APPARMOR_PARSER).exists() || !Path::new(FEATURES).exists() {
        return None;
    }
    let output = Command::new(APPARMOR_PARSER)
        .args(["--config-file=/dev/null", "-QK", "-M", FEATURES, "-I", "/etc/apparmor.d"])
        .arg(file)
        .output()
        .expect("run apparmor_parser");
    Some((output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned()))
}

fn aa_lint_check(file: &Path) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
        .args(["--color", "never", "check", "--select", "parser"])
        .arg(file)
        .output()
        .expect("run aa-lint");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn examples_are_accepted_by_both() {
    let files = files_in(&examples_dir());
    assert!(files.len() >= 4, "expected at least four example profiles");
    let mut compiled = 0;
    for file in &files {
        let (code, stdout) = aa_lint_check(file);
        assert_eq!(code, 0, "aa-lint rejects {}:\n{stdout}", file.display());
        if let Some((accepted, stderr)) = apparmor_parser_accepts(file) {
            assert!(accepted, "apparmor_parser rejects {}:\n{stderr}", file.display());
            compiled += 1;
        }
    }
    if compiled == 0 {
        eprintln!("note: {APPARMOR_PARSER} is not installed; only aa-lint was checked");
    }
}

#[test]
fn broken_example_is_rejected_by_both() {
    let files = files_in(&examples_dir().join("broken"));
    assert!(!files.is_empty(), "expected a broken example");
    for file in &files {
        let (code, stdout) = aa_lint_check(file);
        assert_eq!(code, 1, "aa-lint accepts {}:\n{stdout}", file.display());
        assert!(stdout.contains("error[AA001 syntax-error]"), "{stdout}");
        if let Some((accepted, _)) = apparmor_parser_accepts(file) {
            assert!(!accepted, "apparmor_parser accepts {}", file.display());
        }
    }
}
