//! Replays every input kept in `fixtures/fuzz/<target>/` (the fuzzers'
//! findings, minimised, and a few hand-written sessions) through the checks
//! its fuzz target runs.

use std::path::PathBuf;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fuzz").join(target);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{}: no inputs", dir.display());
    for input in inputs {
        let data = std::fs::read(&input).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            eprintln!("{} fails", input.display());
            std::panic::resume_unwind(panic);
        }
    }
}

#[test]
fn model() {
    replay("model", aa_fuzz_checks::model::check);
}

#[test]
fn compile() {
    replay("compile", aa_fuzz_checks::compile::check);
}

#[test]
fn fmt() {
    replay("fmt", aa_fuzz_checks::fmt::check);
}

#[test]
fn lsp() {
    replay("lsp", aa_fuzz_checks::lsp::check);
}
