//! `aa-lint check --fix` on copies of the fixtures in a temporary directory:
//! fixes are applied, the result re-checked, nothing new breaks, and a second
//! run has nothing left to fix.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

mod common;

use common::TempDir;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn aa_lint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
        .args(["--color", "never", "check", "--config-file", "/dev/null", "--base", "."])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run aa-lint");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

#[test]
fn safe_fixes_are_applied_and_rechecked() {
    let temp = TempDir::new("fix", "safe");
    copy_dir(&repo_root().join("fixtures/cli/lints"), &temp.0);
    let before = read(&temp.0, "usr.bin.demo");

    // --diff shows the changes and writes nothing.
    let (code, diff, _) = aa_lint(&temp.0, &["--diff", "--extend-select", "style", "."]);
    assert_eq!(code, 1, "{diff}");
    assert!(diff.contains("-  /var/lib/demo/** rw,") && diff.contains("+# vim:syntax=apparmor"), "{diff}");
    assert_eq!(read(&temp.0, "usr.bin.demo"), before);

    let (code, stdout, stderr) = aa_lint(&temp.0, &["--fix", "--extend-select", "style", "."]);
    assert!(stderr.is_empty(), "{stderr}");
    // sys_admin (an error) has no fix and remains.
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("Fixed 7 problems in 3 files."), "{stdout}");
    assert!(stdout.contains("AA106 dangerous-capability") && !stdout.contains("AA201"), "{stdout}");

    let demo = read(&temp.0, "usr.bin.demo");
    assert_eq!(demo.matches("/var/lib/demo/** rw,").count(), 1, "{demo}");
    assert!(!demo.contains("/etc/demo.conf r,"), "the duplicate of the abstraction's rule is gone: {demo}");
    let style = read(&temp.0, "style.demo");
    assert!(style.contains("  /etc/style.conf rw,\n  /var/lib/style/ r,\n"), "{style}");
    assert!(style.ends_with("# vim:syntax=apparmor\n"), "{style}");
    // Every fixed file still parses as well as before.
    for name in ["usr.bin.demo", "style.demo", "abstractions/shared"] {
        let (_, out, _) = aa_lint(&temp.0, &["--select", "syntax", name]);
        assert!(out.contains("No problems found"), "{name}: {out}");
    }

    // Nothing is left to fix: a second run changes nothing.
    let (_, stdout, _) = aa_lint(&temp.0, &["--fix", "--extend-select", "style", "."]);
    assert!(stdout.contains("Fixed 0 problems in 0 files."), "{stdout}");
    assert_eq!(read(&temp.0, "usr.bin.demo"), demo);
}

#[test]
fn unsafe_fixes_only_when_asked() {
    let temp = TempDir::new("fix", "unsafe");
    std::fs::write(temp.0.join("usr.bin.plain"), "# Plain.\nprofile plain /usr/bin/plain {\n  /etc/plain r,\n}\n")
        .expect("write");
    let (_, stdout, _) = aa_lint(&temp.0, &["--fix", "--select", "missing-abi", "usr.bin.plain"]);
    assert!(stdout.contains("Fixed 0 problems") && stdout.contains("1 more with `--unsafe-fixes`"), "{stdout}");
    assert!(!read(&temp.0, "usr.bin.plain").contains("abi <"));
    let (_, stdout, _) = aa_lint(&temp.0, &["--fix", "--unsafe-fixes", "--select", "missing-abi", "usr.bin.plain"]);
    assert!(stdout.contains("Fixed 1 problem in 1 file."), "{stdout}");
    assert!(read(&temp.0, "usr.bin.plain").contains("abi <abi/3.0>,"));
}

/// A file with syntax errors: fixes elsewhere in it may be applied, but the
/// fixed text never has more syntax errors than the original.
#[test]
fn fixes_never_add_syntax_errors() {
    let temp = TempDir::new("fix", "broken");
    let text =
        "profile broken /usr/bin/broken {\n  /etc/a rw,\n  /etc/a rw,\n  /etc/broken.conf r\n  /var/lib/x wr,   \n}\n";
    std::fs::write(temp.0.join("broken"), text).expect("write");
    let (_, before, _) = aa_lint(&temp.0, &["--select", "syntax", "broken"]);
    let (_, stdout, _) = aa_lint(&temp.0, &["--fix", "--select", "all", "broken"]);
    let (_, after, _) = aa_lint(&temp.0, &["--select", "syntax", "broken"]);
    let errors = |out: &str| out.matches("error[AA001").count();
    assert!(errors(&after) <= errors(&before), "before:\n{before}\nafter:\n{after}\nfix run:\n{stdout}");
    assert!(errors(&before) > 0);
}

/// Fixes only touch the checked files: standard input and included files
/// outside the inputs are left alone.
#[test]
fn included_files_are_not_edited_unless_checked() {
    let temp = TempDir::new("fix", "included");
    copy_dir(&repo_root().join("fixtures/cli/lints"), &temp.0);
    let shared = read(&temp.0, "abstractions/shared");
    let (_, stdout, _) = aa_lint(&temp.0, &["--fix", "--extend-select", "style", "usr.bin.demo"]);
    assert!(stdout.contains("Fixed"), "{stdout}");
    assert_eq!(read(&temp.0, "abstractions/shared"), shared);
}

/// `aa-lint fmt` rewrites files in place; `--check` then passes.
#[test]
fn fmt_rewrites_files_in_place() {
    let temp = TempDir::new("fix", "fmt");
    copy_dir(&repo_root().join("fixtures/cli/lints"), &temp.0);
    let fmt = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
            .arg("fmt")
            .args(args)
            .current_dir(&temp.0)
            .output()
            .expect("run aa-lint fmt");
        (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    assert_eq!(fmt(&["--check", "."]).0, 1);
    let (code, stderr) = fmt(&["."]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("2 files reformatted"), "{stderr}");
    assert!(read(&temp.0, "style.demo").contains("\n  /etc/style.conf wr,\n  /var/lib/style/ r,\n"));
    assert_eq!(fmt(&["--check", "."]), (0, "0 files would be reformatted, 3 already formatted\n".to_owned()));
}
