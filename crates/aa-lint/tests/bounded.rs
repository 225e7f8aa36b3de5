//! Inputs that push a bound: each `fixtures/bounded/NAME.aa` is checked
//! (default lints) and compiled by the real `aa-lint` binary, which must
//! finish on its own (no stack overflow, no panic, no hang) and report
//! what `NAME.expect` lists:
//!
//! ```text
//! args: -I fixtures/bounded/include-chain
//! expect: AA012 1
//! expect: AA001 too many syntax errors
//! ```
//!
//! `args:` are added to both commands; each `expect:` is a code, then
//! optionally the line it is reported on, then optionally words the message
//! holds. The analysis runs on rayon's worker threads (2 MiB stacks), as it
//! does for any `aa-lint check`, so a recursion the input controls shows up
//! here as an abort.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

struct Expectation {
    code: String,
    line: Option<usize>,
    words: String,
}

fn read_expect(path: &Path) -> (Vec<String>, Vec<Expectation>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut args = Vec::new();
    let mut expect = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (key, value) = line.split_once(':').unwrap_or_else(|| panic!("{}: bad line {line:?}", path.display()));
        let value = value.trim();
        match key {
            "args" => args = value.split_whitespace().map(str::to_owned).collect(),
            "expect" => {
                let mut parts = value.splitn(2, ' ');
                let code = parts.next().unwrap_or_default().to_string();
                let rest = parts.next().unwrap_or_default().trim();
                let (line, words) = match rest.split_once(' ').unwrap_or((rest, "")) {
                    (number, words) if number.parse::<usize>().is_ok() => (number.parse().ok(), words.trim()),
                    _ => (None, rest),
                };
                expect.push(Expectation { code, line, words: words.to_string() });
            }
            _ => panic!("{}: unknown key {key:?}", path.display()),
        }
    }
    (args, expect)
}

/// Runs the binary in the repository root, killing it after `limit`.
fn run(args: &[String], limit: Duration) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
        .args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("aa-lint runs");
    // Read the pipes on threads so a large output cannot block the child.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).ok();
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).ok();
        buf
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("aa-lint {} did not finish within {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() };
    (output, start.elapsed())
}

#[test]
fn bounded_inputs_are_reported_not_crashed_on() {
    let dir = repo_root().join("fixtures/bounded");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/bounded")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "aa"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "fixtures/bounded has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let relative = case.strip_prefix(repo_root()).expect("inside the repository").display().to_string();
        let (extra, expect) = read_expect(&case.with_extension("expect"));
        // Debug builds are slow; the bound is for hangs, not performance.
        let limit = Duration::from_secs(120);

        let mut check: Vec<String> = vec!["check".into(), "--output-format".into(), "github".into()];
        check.extend(extra.iter().cloned());
        check.push(relative.clone());
        let (output, took) = run(&check, limit);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // 0: clean, 1: findings. A panic is 101, a stack overflow a signal.
        if !matches!(output.status.code(), Some(0 | 1)) {
            failures.push(format!("{relative}: check ended with {:?} after {took:?}\n{stderr}", output.status));
            continue;
        }
        for e in &expect {
            let found = stdout.lines().any(|l| {
                l.contains(&format!("title={} ", e.code))
                    && e.line.is_none_or(|n| l.contains(&format!(",line={n},")))
                    && l.contains(&e.words)
            });
            if !found {
                failures.push(format!(
                    "{relative}: no {} {} {:?} in\n{}",
                    e.code,
                    e.line.map(|n| n.to_string()).unwrap_or_default(),
                    e.words,
                    stdout.lines().take(20).collect::<Vec<_>>().join("\n")
                ));
            }
        }

        let mut compile: Vec<String> = vec!["compile".into()];
        compile.extend(extra.iter().cloned());
        compile.push(relative.clone());
        let (output, took) = run(&compile, limit);
        // 2: the policy does not compile, which is a fine answer here (but
        // not a usage error).
        let usage = String::from_utf8_lossy(&output.stderr).contains("Usage:");
        if usage || !matches!(output.status.code(), Some(0..=2)) {
            failures.push(format!(
                "{relative}: compile ended with {:?} after {took:?}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
