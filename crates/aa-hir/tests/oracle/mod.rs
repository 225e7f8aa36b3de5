//! Running the real `apparmor_parser` (the oracle) and our pipeline on the
//! same file, for the oracle tests.

#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::Arc,
};

use aa_hir::{
    Severity,
    db::{Db, FileLoader, RootDatabase},
    diagnostics::policy_diagnostics,
};

#[path = "../common/mod.rs"]
mod common;

pub const PARSER: &str = "/usr/sbin/apparmor_parser";
pub const FEATURES: &str = "/usr/share/apparmor-features/features";
pub const BASE: &str = "/etc/apparmor.d";

/// The oracle's version line, or `None` when it cannot run here.
pub fn parser_version() -> Option<String> {
    if !Path::new(FEATURES).exists() {
        return None;
    }
    let out = Command::new(PARSER).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().next().map(str::to_string)
}

/// What `apparmor_parser` says about one file: accepted, and its messages.
pub fn oracle(path: &Path, include_dirs: &[&str]) -> (bool, String) {
    let mut command = Command::new(PARSER);
    command.args(["--config-file=/dev/null", "-QK", "-M", FEATURES, "--base", BASE]);
    for dir in include_dirs {
        command.args(["-I", dir]);
    }
    command.arg(path);
    match command.output() {
        Ok(out) => (out.status.success(), String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(err) => (false, format!("could not run {PARSER}: {err}")),
    }
}

/// What we say about one file: accepted, and the first error.
pub fn ours(path: &Path, include_dirs: &[&str]) -> (bool, String) {
    let loader: Arc<dyn FileLoader> = Arc::new(common::FsLoader);
    let dirs: Vec<PathBuf> = include_dirs.iter().map(PathBuf::from).collect();
    let db = RootDatabase::new(loader, dirs, PathBuf::from(BASE), PathBuf::from(BASE));
    let root = db.file(path);
    let errors: Vec<String> = policy_diagnostics(&db, root)
        .iter()
        .filter(|(_, d)| d.severity == Severity::Error)
        .map(|(_, d)| format!("{}: {}", d.code, d.message))
        .collect();
    (errors.is_empty(), errors.into_iter().next().unwrap_or_default())
}
