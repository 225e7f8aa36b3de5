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
        args: ["check", "fixtures/cli/tree", "fixtures/examples", "fixtures/cli/profiles"].map(str::to_owned).to_vec(),
        stdin: None,
        env: Vec::new(),
    };
    let first = run(&case);
    assert!(first.contains("exit: 1"), "{first}");
    for _ in 0..5 {
        assert_eq!(run(&case), first);
    }
}

/// Runs the binary on a pseudo-terminal with util-linux `script`, so that
/// `--color auto` sees a terminal. `None` when `script` is not installed.
fn run_on_terminal(args: &str, no_color: Option<&str>) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"].into_iter().find(|p| Path::new(p).exists())?;
    let command_line = format!("'{}' {args}", env!("CARGO_BIN_EXE_aa-lint"));
    let mut command = Command::new(script);
    command.args(["-qec", &command_line, "/dev/null"]).current_dir(repo_root()).env_remove("NO_COLOR");
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let output = command.stdin(Stdio::null()).output().expect("run script");
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn colour_only_on_a_terminal_and_not_with_no_color() {
    let args = "check fixtures/cli/profiles/broken.aa";
    let Some(plain_tty) = run_on_terminal(args, None) else {
        eprintln!("note: util-linux `script` is not installed; terminal colour not checked");
        return;
    };
    assert!(plain_tty.contains("\x1b[1;31merror[AA001 syntax-error]\x1b[0m"), "{plain_tty:?}");
    let no_color = run_on_terminal(args, Some("1")).expect("script");
    assert!(no_color.contains("error[AA001 syntax-error]") && !no_color.contains('\x1b'), "{no_color:?}");
    // An empty NO_COLOR does not count (https://no-color.org).
    let empty = run_on_terminal(args, Some("")).expect("script");
    assert!(empty.contains('\x1b'), "{empty:?}");
    let never = run_on_terminal(&format!("--color never {args}"), None).expect("script");
    assert!(!never.contains('\x1b'), "{never:?}");
}

/// A reader that stops early (`aa-lint parse … | head`) must not make the
/// binary panic.
#[test]
fn closed_stdout_is_not_a_panic() {
    use std::io::Read as _;
    let examples = repo_root().join("fixtures/examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&examples)
        .expect("examples")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    // Many copies, so the tree dump is far larger than a pipe buffer.
    let args: Vec<&PathBuf> = files.iter().cycle().take(files.len() * 40).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
        .arg("parse")
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn aa-lint");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

/// Offsets in the syntax tree are 32-bit: a larger file is refused up front
/// (without reading it), not parsed into wrong positions.
#[test]
fn file_over_4_gib_is_refused() {
    let dir = std::env::temp_dir().join(format!("aa-lint-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("huge.aa");
    // A sparse file: no disk space or memory is used.
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(5 << 30).expect("set_len");
    drop(file);
    let output = Command::new(env!("CARGO_BIN_EXE_aa-lint")).arg("check").arg(&path).output().expect("run aa-lint");
    std::fs::remove_dir_all(&dir).expect("clean up");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("huge.aa: too large (5368709120 bytes"), "{stderr}");
}
