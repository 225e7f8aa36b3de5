//! Loaders and helpers for the tests: an in-memory file tree with a few
//! abstractions, the real file system, and fix application.

#![allow(dead_code, unused_imports)]

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::db::{Db, File, FileContent, RootDatabase};
use aa_lints::{LintDiagnostic, LintSelection, TextEdit};

pub use aa_hir::db::MemoryLoader;
pub use aa_test_utils::FsLoader;

/// Abstractions every in-memory test tree has (the built-in tunables are
/// used, since there is no `tunables/` directory).
pub const ABSTRACTIONS: &[(&str, &str)] = &[
    ("/etc/apparmor.d/abstractions/base", "  /etc/ld.so.cache r,\n  /{usr/,}lib{,32,64}/** mr,\n"),
    (
        "/etc/apparmor.d/abstractions/nameservice",
        "  include <abstractions/nameservice-strict>\n  /etc/passwd r,\n  /etc/group r,\n",
    ),
    ("/etc/apparmor.d/abstractions/nameservice-strict", "  /etc/nsswitch.conf r,\n"),
    ("/etc/apparmor.d/abi/3.0", "query {label {multi_transaction yes\n}}\n"),
    ("/etc/apparmor.d/abstractions/wide", "  /tmp/** rw,\n"),
    // A snippet that works as a function (the apparmor.d collection's convention).
    ("/etc/apparmor.d/abstractions/app/example", "# NEEDS-VARIABLE: name\n\n  /usr/share/@{name}/** r,\n"),
];

/// The root file of the in-memory trees.
pub const ROOT: &str = "/etc/apparmor.d/example";

/// A database over `ABSTRACTIONS` plus `files`; the first file is the root.
pub fn db_with(files: &[(&str, &str)]) -> (RootDatabase, File) {
    let mut map: HashMap<PathBuf, String> =
        ABSTRACTIONS.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect();
    for (p, t) in files {
        map.insert(PathBuf::from(p), t.to_string());
    }
    let db = RootDatabase::new(
        Arc::new(MemoryLoader::new(map)),
        vec![],
        PathBuf::from("/etc/apparmor.d"),
        PathBuf::from("/"),
    );
    let root = db.file(Path::new(files[0].0));
    (db, root)
}

/// Lints `text` as `ROOT` with the given selectors turned on (and nothing else).
pub fn lint(text: &str, selectors: &[&str]) -> (RootDatabase, File, Vec<LintDiagnostic>) {
    let (db, root) = db_with(&[(ROOT, text)]);
    let mut selection = LintSelection::none();
    for s in selectors {
        selection = selection.select(s).expect("known selector");
    }
    let out = aa_lints::run(&db, root, &selection);
    (db, root, out)
}

/// `code: message @ line` for each finding, for compact assertions.
pub fn summary(db: &dyn Db, root: File, ds: &[LintDiagnostic]) -> Vec<String> {
    ds.iter()
        .map(|d| {
            let text = match d.file.content(db) {
                FileContent::Text(t) => t.clone(),
                _ => String::new(),
            };
            let line = text[..usize::from(d.range.start()).min(text.len())].matches('\n').count() + 1;
            let file = if d.file == root { String::new() } else { format!("{}:", d.file.path(db).display()) };
            format!("{} {} {}{}: {}", d.code, d.severity.as_str(), file, line, d.message)
        })
        .collect()
}

/// Applies edits (all to one file) to `text`.
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let (out, skipped) = aa_lints::apply_edits(text, edits);
    assert!(skipped.is_empty(), "overlapping edits: {skipped:?}");
    out
}
