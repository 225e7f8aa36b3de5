//! Lints Debian's installed policy (`/etc/apparmor.d` and
//! `/usr/share/apparmor/extra-profiles`, base `/etc/apparmor.d`) with every
//! lint on, prints the findings per lint (the table in `docs/lints.md`) and
//! a few examples of each, and checks that the `parser` group finds no error:
//! all of this policy loads with `apparmor_parser`.
//!
//! `AA_LINTS_DEBIAN_VERBOSE=1` prints every finding.

mod common;

use std::{
    collections::{BTreeMap, HashSet},
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::db::{Db, FileContent, RootDatabase};
use aa_lints::{Group, LintSelection, Severity, registry};

fn profile_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            !aa_hir::includes::is_skipped_file_name(&name)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn debian_installed_policy() {
    let mut roots = profile_files(Path::new("/etc/apparmor.d"));
    roots.extend(profile_files(Path::new("/usr/share/apparmor/extra-profiles")));
    if roots.is_empty() {
        eprintln!(
            "\n!!! SKIPPED: no AppArmor policy installed (apt-get install apparmor apparmor-profiles apparmor-profiles-extra) !!!\n"
        );
        return;
    }
    let db =
        RootDatabase::new(Arc::new(common::FsLoader), vec![], PathBuf::from("/etc/apparmor.d"), PathBuf::from("/"));
    let selection = LintSelection::all();
    let verbose = std::env::var_os("AA_LINTS_DEBIAN_VERBOSE").is_some();
    // code -> (findings summed over roots, unique places, per severity, examples)
    let mut total: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unique: BTreeMap<&str, HashSet<(PathBuf, u32, u32)>> = BTreeMap::new();
    let mut severities: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut examples: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut parser_errors = Vec::new();
    for path in &roots {
        let root = db.file(path);
        for d in aa_lints::run(&db, root, &selection) {
            let file = d.file.path(&db).clone();
            let text = match d.file.content(&db) {
                FileContent::Text(t) => t.clone(),
                _ => String::new(),
            };
            let start = usize::from(d.range.start()).min(text.len());
            let line = text[..start].matches('\n').count() + 1;
            let shown = format!("{}:{line}: {} {}: {}", file.display(), d.name, d.severity.as_str(), d.message);
            if verbose {
                eprintln!("{shown}");
            }
            if d.group == Group::Parser && d.severity == Severity::Error {
                parser_errors.push(shown.clone());
            }
            *total.entry(d.code).or_default() += 1;
            if unique.entry(d.code).or_default().insert((file, d.range.start().into(), d.range.end().into())) {
                *severities.entry(d.code).or_default().entry(d.severity.as_str()).or_default() += 1;
                let list = examples.entry(d.code).or_default();
                if list.len() < 3 {
                    list.push(shown);
                }
            }
        }
    }
    println!("\n{} files linted\n", roots.len());
    println!("| Code | Lint | Group | Default | Findings | Unique places | By severity (unique) |");
    println!("|---|---|---|---|---:|---:|---|");
    for lint in registry::lints() {
        let n = total.get(lint.code).copied().unwrap_or(0);
        if n == 0 && lint.group == Group::Parser {
            continue;
        }
        let u = unique.get(lint.code).map_or(0, |s| s.len());
        let sev = severities
            .get(lint.code)
            .map(|m| m.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let default = if lint.is_enabled_by_default() { lint.default_level.name() } else { "off" };
        println!("| {} | {} | {} | {} | {n} | {u} | {sev} |", lint.code, lint.name, lint.group.name(), default);
    }
    println!();
    for (code, list) in &examples {
        for e in list {
            println!("{code}  {e}");
        }
    }
    // Every other file of the policy (abstractions, tunables, local) linted
    // on its own: no finding is asserted, only that nothing panics.
    let mut others = Vec::new();
    let mut stack = vec![PathBuf::from("/etc/apparmor.d")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if dir != Path::new("/etc/apparmor.d") {
                others.push(path);
            }
        }
    }
    for path in &others {
        let _ = aa_lints::run(&db, db.file(path), &selection);
    }
    println!("{} other files linted on their own without a panic", others.len());
    assert!(parser_errors.is_empty(), "parser-group errors on installed policy:\n{}", parser_errors.join("\n"));
}
