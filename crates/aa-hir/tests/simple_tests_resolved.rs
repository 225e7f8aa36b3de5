//! Upstream's parser corpus run the way upstream runs it (`-I simple_tests`,
//! working directory `tst`), through the whole pipeline: includes,
//! variables, syntax and semantic checks. Prints the agreement with
//! `#=EXRESULT` and the disagreements.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

mod common;

use aa_hir::{
    Severity,
    db::{Db, FileLoader, RootDatabase},
    diagnostics::policy_diagnostics,
};

/// The number of files on which we agree with upstream's expectation; it
/// only ever goes up.
const AGREEMENT_FLOOR: usize = 2230;

#[test]
fn simple_tests_through_the_whole_pipeline() {
    let dir = match std::env::var_os("AA_SIMPLE_TESTS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/tst/simple_tests"),
    };
    let Ok(dir) = dir.canonicalize() else {
        eprintln!("\n!!! SKIPPED: upstream simple_tests not found (set AA_SIMPLE_TESTS) !!!\n");
        return;
    };
    let tst = dir.parent().unwrap().to_path_buf();
    let mut files = Vec::new();
    collect(&dir, &mut files);
    let (mut agree, mut total) = (0, 0);
    let mut false_errors = Vec::new();
    let mut missed = Vec::new();
    let loader: Arc<dyn FileLoader> = Arc::new(common::FsLoader);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.lines().any(|l| l.starts_with("#=DISABLED")) {
            continue;
        }
        let Some(pass) = text.lines().find_map(|l| l.strip_prefix("#=EXRESULT")).map(|r| r.trim() == "PASS") else {
            continue;
        };
        total += 1;
        let mut db =
            RootDatabase::new(loader.clone(), vec![dir.clone()], PathBuf::from("/etc/apparmor.d"), tst.clone());
        // The corpus is upstream's current one: 5.0's language.
        db.set_target(aa_target::Version::V5_0);
        let root = db.file(&path);
        let errors: Vec<String> = policy_diagnostics(&db, root)
            .iter()
            .filter(|(_, d)| d.severity == Severity::Error)
            .map(|(_, d)| format!("{}: {}", d.code, d.message))
            .collect();
        let rejected = !errors.is_empty();
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        if rejected != pass {
            agree += 1;
        } else if pass {
            false_errors.push(format!("{name}: {}", errors[0]));
        } else {
            missed.push(name);
        }
    }
    eprintln!(
        "simple_tests (resolved): agreement {agree} of {total}; PASS wrongly rejected: {}; FAIL accepted: {}",
        false_errors.len(),
        missed.len()
    );
    for line in &false_errors {
        eprintln!("  false error  {line}");
    }
    for line in &missed {
        eprintln!("  missed       {line}");
    }
    assert!(false_errors.is_empty(), "{} PASS files rejected", false_errors.len());
    assert!(agree >= AGREEMENT_FLOOR, "agreement fell to {agree}, floor {AGREEMENT_FLOOR}");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "sd") {
            out.push(path);
        }
    }
}
