//! `conflicting-exec-modifiers` (the `parser` group's DFA-backed check)
//! against the oracle: on upstream's exec-transition corpus
//! (`simple_tests/xtrans`) it fires exactly where `apparmor_parser` rejects a
//! file for "conflicting x modifiers", and it names the conflicting rules.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use aa_lints::LintSelection;

fn parser() -> Option<PathBuf> {
    let found = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"].iter().map(PathBuf::from).find(|p| p.exists());
    if found.is_none() {
        eprintln!("\n!!! SKIPPING: apparmor_parser is not installed; oracle tests did not run !!!\n");
    }
    found
}

/// Whether `apparmor_parser -QKS` rejects the file for conflicting exec modifiers.
fn parser_says_conflict(parser: &Path, file: &Path) -> bool {
    let features = Path::new(env!("CARGO_MANIFEST_DIR")).join("../aa-dfa/tests/features/default");
    let out = Command::new(parser)
        .arg("--config-file=/dev/null")
        .arg("-QKS")
        .arg("-M")
        .arg(features)
        .arg(file)
        .output()
        .expect("run apparmor_parser");
    !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("conflicting x modifiers")
}

/// The lines our lint reports at.
fn our_lines(path: &Path, text: &str) -> Vec<usize> {
    let (db, root) = common::db_with(&[(path.to_str().expect("utf-8 path"), text)]);
    let selection = LintSelection::none().select("conflicting-exec-modifiers").expect("known lint");
    aa_lints::run(&db, root, &selection)
        .iter()
        .filter(|d| d.name == "conflicting-exec-modifiers" && d.file == root)
        .map(|d| text[..usize::from(d.range.start())].matches('\n').count() + 1)
        .collect()
}

#[test]
fn xtrans_corpus_agrees_with_the_parser() {
    let Some(parser) = parser() else { return };
    let Some(dir) = aa_test_utils::simple_tests_dir() else { return };
    let dir = dir.join("xtrans");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("xtrans")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sd"))
        .collect();
    files.sort();
    let (mut conflicts, mut disagree) = (0, Vec::new());
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let theirs = parser_says_conflict(&parser, f);
        let ours = !our_lines(f, &text).is_empty();
        conflicts += theirs as usize;
        if ours != theirs {
            disagree.push(format!("{}: apparmor_parser: {theirs}, aa-lint: {ours}", f.display()));
        }
    }
    eprintln!(
        "xtrans: {} files, {conflicts} with conflicting x modifiers, {} disagreements",
        files.len(),
        disagree.len()
    );
    assert!(conflicts > 0);
    assert!(disagree.is_empty(), "{disagree:#?}");
}

#[test]
fn x_conflict_points_at_both_rules() {
    let Some(dir) = aa_test_utils::simple_tests_dir() else { return };
    let path = dir.join("xtrans/x-conflict.sd");
    let text = std::fs::read_to_string(&path).expect("x-conflict.sd");
    // `/* Pixr,` and `/a* Cx -> foo,` both match `/a`.
    assert_eq!(our_lines(&path, &text), vec![7, 8]);
}

#[test]
fn conflicts_in_an_abstraction_are_reported_at_the_rule_with_the_include_chain() {
    let (db, root) = common::db_with(&[
        (
            "/etc/apparmor.d/example",
            "profile example /usr/bin/example {\n  include <abstractions/exec>\n  /usr/bin/* px,\n}\n",
        ),
        ("/etc/apparmor.d/abstractions/exec", "  /usr/bin/** ix,\n"),
    ]);
    let selection = LintSelection::none().select("parser").expect("group");
    let found = aa_lints::run(&db, root, &selection);
    expect_test::expect![[r#"
        [
            "AA075 error 3: `/usr/bin/* px,` and `/usr/bin/** ix,` give different exec modes to paths both match (e.g. `/usr/bin/a`): apparmor_parser rejects profile `example` (\"conflicting x modifiers\")",
            "AA075 error /etc/apparmor.d/abstractions/exec:1: `/usr/bin/** ix,` and `/usr/bin/* px,` give different exec modes to paths both match (e.g. `/usr/bin/a`): apparmor_parser rejects profile `example` (\"conflicting x modifiers\")",
        ]
    "#]]
    .assert_debug_eq(&common::summary(&db, root, &found));
    let related: Vec<&str> = found.iter().flat_map(|d| d.related.iter().map(|r| r.message.as_str())).collect();
    assert!(related.iter().any(|m| m.starts_with("brought in by `include <abstractions/exec>`")), "{related:?}");
}

#[test]
fn no_conflict_with_fewer_than_two_exec_rules_or_the_same_mode() {
    let (db, root) = common::db_with(&[(
        "/etc/apparmor.d/example",
        "profile example /usr/bin/example {\n  /usr/bin/** ix,\n  /usr/bin/* ix,\n  owner /tmp/* px,\n  /etc/** r,\n}\n",
    )]);
    let selection = LintSelection::none().select("parser").expect("group");
    assert_eq!(aa_lints::run(&db, root, &selection), vec![]);
}
