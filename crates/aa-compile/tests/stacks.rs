//! Stacks and transitions, data-driven: every `fixtures/stacks/*.aa` policy
//! (the examples of the AppArmor design note on system-wide confinement,
//! and the cases of the kernel's stacking regression tests) has a `.cases`
//! file beside it stating what a task with a label may do and what it
//! becomes:
//!
//! ```text
//! exec LABEL PROGRAM [xattr=NAME=VALUE]... => LABEL | denied
//! onexec LABEL TARGET PROGRAM => LABEL | denied
//! change LABEL TARGET => LABEL | denied
//! query LABEL PATH PERMS => allowed | denied
//! ```
//!
//! A line starting with `pending` is a case known not to work yet; it must
//! still fail (so it cannot be forgotten when it starts to work).
//!
//! `=>` compares the label's text (layers in the order they arise), `~>`
//! compares the set of profiles (the order the kernel prints may differ).
//! The expectations are the sources' own (the note's labels, the
//! regression tests' pass/fail), written by hand. Each policy is also
//! checked to be accepted by `apparmor_parser` 4.1.0 when it is built.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aa_compile::options;
use aa_compile::stack::StackPolicy;
use aa_compile::stack::exec::{Change, Program, change_profile, exec};
use aa_compile::stack::perms::label_permissions;
use aa_dfa::perms::old;
use aa_hir::db::{Db, RootDatabase};
use aa_label::{Label, Target};
use aa_test_utils::FsLoader;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/stacks")
}

fn database(dir: &Path) -> RootDatabase {
    RootDatabase::new(Arc::new(FsLoader), vec![dir.join("include")], dir.to_path_buf(), dir.to_path_buf())
}

fn bits(perms: &str) -> u32 {
    perms
        .chars()
        .map(|c| match c {
            'r' => old::READ,
            'w' => old::WRITE,
            'a' => old::APPEND,
            'l' => old::LINK,
            'k' => old::LOCK,
            'm' => old::EXEC_MMAP,
            'x' => old::EXEC,
            _ => panic!("unknown permission {c}"),
        })
        .fold(0, |a, b| a | b)
}

fn check_label(got: &Result<Label, String>, op: &str, want: &str) -> Result<(), String> {
    match (got, want) {
        (Err(_), "denied") => Ok(()),
        (Ok(l), "denied") => Err(format!("got {l}, want denied")),
        (Err(e), _) => Err(format!("denied ({e}), want {want}")),
        (Ok(l), _) => {
            let want_label = Label::parse(want).map_err(|e| format!("bad expectation: {e}"))?;
            let ok = if op == "=>" { l.to_string() == want_label.to_string() } else { *l == want_label };
            if ok { Ok(()) } else { Err(format!("got {l}, want {want}")) }
        }
    }
}

/// Runs one case line; `Err` says what differs.
fn run_case(policy: &StackPolicy<'_>, line: &str) -> Result<(), String> {
    let (lhs, op, want) = ["=>", "~>"]
        .iter()
        .find_map(|op| line.split_once(op).map(|(l, r)| (l.trim(), *op, r.trim())))
        .ok_or("no => or ~>")?;
    let words: Vec<&str> = lhs.split_whitespace().collect();
    let label = |s: &str| Label::parse(s).map_err(|e| e.to_string());
    match words.as_slice() {
        ["exec", l, program, rest @ ..] => {
            let xattrs: Vec<(String, String)> = rest
                .iter()
                .filter_map(|w| w.strip_prefix("xattr="))
                .filter_map(|w| w.split_once('='))
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            let out = exec(policy, &label(l)?, &Program { path: program, xattrs: &xattrs });
            check_label(&out.result, op, want)
        }
        ["onexec", l, target, program] => {
            let t = Target::parse(target).map_err(|e| e.to_string())?;
            let out = change_profile(policy, &label(l)?, &t, Change::OnExec, Some(program));
            check_label(&out.result, op, want)
        }
        ["change", l, target] => {
            let t = Target::parse(target).map_err(|e| e.to_string())?;
            let out = change_profile(policy, &label(l)?, &t, Change::Now, None);
            check_label(&out.result, op, want)
        }
        ["query", l, path, perms] => {
            let answer = label_permissions(policy, &label(l)?, path);
            let got = if answer.grants(bits(perms)) { "allowed" } else { "denied" };
            if got == want { Ok(()) } else { Err(format!("got {got}, want {want}")) }
        }
        _ => Err("unknown case".to_owned()),
    }
}

#[test]
fn stack_fixtures() {
    let dir = fixtures();
    let mut cases = 0;
    let mut pending = 0;
    let mut failures = Vec::new();
    let mut policies: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "aa"))
        .collect();
    policies.sort();
    assert!(policies.len() >= 11, "fixtures missing: {policies:?}");
    for path in &policies {
        let db = database(&dir);
        let root = db.file(path);
        let policy = StackPolicy::new(&db, &[root], options(common::features()));
        let text = std::fs::read_to_string(path.with_extension("cases")).expect("a .cases file");
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("lint") {
                continue;
            }
            let at = format!("{}:{}: {line}", path.with_extension("cases").display(), n + 1);
            match line.strip_prefix("pending ") {
                // What is known not to work yet must still fail.
                Some(case) => match run_case(&policy, case) {
                    Ok(()) => failures.push(format!("{at}: passes now: drop `pending`")),
                    Err(_) => pending += 1,
                },
                None => {
                    cases += 1;
                    if let Err(e) = run_case(&policy, line) {
                        failures.push(format!("{at}: {e}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cases} cases fail:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{cases} stack cases pass, {pending} pending");
}

#[test]
fn fixtures_are_accepted_by_apparmor_parser() {
    let Some(oracle) = aa_test_utils::built_oracle("4.1.0") else {
        assert!(!aa_test_utils::oracle_required(), "the 4.1.0 oracle is required");
        return;
    };
    let dir = fixtures();
    for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "aa") {
            continue;
        }
        let out = std::process::Command::new(&oracle.binary)
            .args(["--config-file=/dev/null", "-M"])
            .arg(common::features_path())
            .arg("-I")
            .arg(dir.join("include"))
            .arg("-QKS")
            .arg(&path)
            .output()
            .expect("run apparmor_parser");
        assert!(out.status.success(), "{} rejected: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    }
}
