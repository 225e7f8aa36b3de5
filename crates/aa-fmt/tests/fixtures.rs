//! Data-driven tests: every `tests/fixtures/*.aa` is formatted and compared
//! with the `.formatted` file beside it (`UPDATE_EXPECT=1` rewrites them).
//! Each fixture is also checked for idempotence, comment survival and a
//! clean re-parse.

mod common;

use std::path::PathBuf;

use aa_fmt::{FormatOptions, format};

#[test]
fn fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "aa"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 5, "expected fixtures in {}", dir.display());
    let options = FormatOptions::default();
    for input in inputs {
        let text = std::fs::read_to_string(&input).expect("fixture is UTF-8");
        let actual = match format(&text, &options) {
            Ok(out) => {
                common::assert_guarantees(&text, &out, &options, &input.display().to_string());
                out
            }
            Err(error) => format!("error: {error}\n"),
        };
        expect_test::expect_file![input.with_extension("formatted")].assert_eq(&actual);
    }
}

/// Formats every file in `dir` (recursively) whose name passes `keep` and
/// that parses without errors; returns (formatted, refused).
fn format_corpus(dir: &std::path::Path, keep: &dyn Fn(&std::path::Path) -> bool) -> (usize, usize) {
    let options = FormatOptions::default();
    let (mut formatted, mut refused) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if !keep(&path) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            match format(&text, &options) {
                Ok(out) => {
                    common::assert_guarantees(&text, &out, &options, &path.display().to_string());
                    formatted += 1;
                }
                Err(aa_fmt::FormatError::Syntax(_)) => refused += 1,
                Err(error) => panic!("{}: {error}", path.display()),
            }
        }
    }
    (formatted, refused)
}

/// The parser's own fixtures: every valid one formats with the guarantees.
#[test]
fn parser_fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/parser");
    let (formatted, _) = format_corpus(&dir, &|p| p.extension().is_some_and(|e| e == "aa"));
    assert!(formatted >= 20, "only {formatted} parser fixtures formatted");
}

/// Upstream's parser test corpus, read in place (`../shared/upstream`).
#[test]
fn upstream_simple_tests() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/tst/simple_tests");
    if !dir.is_dir() {
        eprintln!("SKIPPED: {} not found; upstream corpus not formatted", dir.display());
        return;
    }
    let (formatted, refused) = format_corpus(&dir, &|_| true);
    eprintln!("upstream simple_tests: {formatted} formatted, {refused} refused (syntax errors)");
    assert!(formatted >= 1000, "only {formatted} upstream tests formatted");
}
