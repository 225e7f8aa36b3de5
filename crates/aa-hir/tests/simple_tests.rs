//! The semantic checks against upstream's parser test corpus: a file is
//! rejected when it has a syntax error or an Error-severity diagnostic, and
//! that must agree with its `#=EXRESULT`. A PASS file rejected by the checks
//! is a false error and fails the test; FAIL files we accept are counted
//! (many need include resolution or variable expansion, not done here).

use std::path::{Path, PathBuf};

use aa_hir::{Severity, checks::FileRole};

/// Agreement reached so far; raise it as checks are added.
const AGREEMENT_FLOOR: usize = 2076;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

fn simple_tests_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("AA_SIMPLE_TESTS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/tst/simple_tests"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "\n!!! SKIPPED: upstream simple_tests not found at {} (set AA_SIMPLE_TESTS) !!!\n",
            dir.display()
        );
        None
    }
}

/// `Some(true)` for `#=EXRESULT PASS`, `None` for disabled or headerless files.
fn expected_pass(text: &str) -> Option<bool> {
    let mut pass = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("#=EXRESULT") {
            pass = Some(rest.trim() == "PASS");
        }
        if line.starts_with("#=DISABLED") {
            return None;
        }
    }
    pass
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Why a file is rejected, or `None` when it is accepted.
fn rejection(text: &str) -> Option<String> {
    let parse = aa_syntax::parse(text);
    if let Some(e) = parse.errors().first() {
        return Some(format!("syntax, line {}: {}", line_of(text, e.range.start().into()), e.message));
    }
    // Each test file is handed to `apparmor_parser` directly, so it is policy,
    // never an abstraction.
    let diagnostics = aa_hir::checks::check_as(&parse.tree(), FileRole::Policy);
    diagnostics.iter().find(|d| d.severity == Severity::Error).map(|d| {
        format!("{}, line {}: {}", d.code, line_of(text, d.range.start().into()), d.message)
    })
}

#[test]
fn upstream_simple_tests() {
    let Some(dir) = simple_tests_dir() else { return };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    let (mut pass_total, mut fail_total, mut fail_caught) = (0, 0, 0);
    let mut false_errors = Vec::new();
    let mut missed = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "sd")) {
        let Ok(bytes) = std::fs::read(path) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let Some(pass) = expected_pass(&text) else { continue };
        let name = path.strip_prefix(&dir).unwrap_or(path).display().to_string();
        let rejected = rejection(&text);
        match (pass, rejected) {
            (true, None) => pass_total += 1,
            (true, Some(why)) => {
                pass_total += 1;
                false_errors.push(format!("{name}: {why}"));
            }
            (false, Some(_)) => {
                fail_total += 1;
                fail_caught += 1;
            }
            (false, None) => {
                fail_total += 1;
                missed.push(name);
            }
        }
    }
    let agreement = pass_total - false_errors.len() + fail_caught;
    eprintln!(
        "simple_tests: agreement {agreement} of {}; PASS accepted {} of {pass_total}; \
         FAIL rejected {fail_caught} of {fail_total}",
        pass_total + fail_total,
        pass_total - false_errors.len(),
    );
    eprintln!("FAIL files accepted ({}):\n{}", missed.len(), missed.join("\n"));
    assert!(pass_total > 1000, "expected the whole corpus, found {pass_total} PASS files");
    assert!(
        false_errors.is_empty(),
        "{} PASS files rejected:\n{}",
        false_errors.len(),
        false_errors.join("\n")
    );
    assert!(agreement >= AGREEMENT_FLOOR, "agreement fell to {agreement}, floor {AGREEMENT_FLOOR}");
}
