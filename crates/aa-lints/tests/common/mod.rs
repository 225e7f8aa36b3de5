//! Loaders and helpers for the tests: an in-memory file tree with a few
//! abstractions, the real file system, and fix application.

#![allow(dead_code)]

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::db::{Db, File, FileContent, FileLoader, RootDatabase};
use aa_lints::{LintDiagnostic, LintSelection, TextEdit};

/// An in-memory file system: paths to texts; directories are implied.
pub struct MapLoader(pub HashMap<PathBuf, String>);

impl FileLoader for MapLoader {
    fn load(&self, path: &Path) -> FileContent {
        if let Some(text) = self.0.get(path) {
            return FileContent::Text(text.clone());
        }
        let mut entries: Vec<String> = self
            .0
            .keys()
            .filter_map(|p| p.strip_prefix(path).ok())
            .filter_map(|rest| rest.components().next())
            .map(|first| first.as_os_str().to_string_lossy().into_owned())
            .collect();
        entries.sort();
        entries.dedup();
        if entries.is_empty() { FileContent::NotFound } else { FileContent::Directory(entries) }
    }
}

/// Reads the real file system.
pub struct FsLoader;

impl FileLoader for FsLoader {
    fn load(&self, path: &Path) -> FileContent {
        match std::fs::metadata(path) {
            Err(_) => FileContent::NotFound,
            Ok(meta) if meta.is_dir() => match std::fs::read_dir(path) {
                Ok(entries) => FileContent::Directory(
                    entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
                ),
                Err(err) => FileContent::Unreadable(err.to_string()),
            },
            Ok(_) => match std::fs::read(path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => FileContent::Text(text),
                    Err(err) => FileContent::NotUtf8 { offset: err.utf8_error().valid_up_to() },
                },
                Err(err) => FileContent::Unreadable(err.to_string()),
            },
        }
    }
}

/// Abstractions every in-memory test tree has (the built-in tunables are
/// used, since there is no `tunables/` directory).
pub const ABSTRACTIONS: &[(&str, &str)] = &[
    ("/etc/apparmor.d/abstractions/base", "  /etc/ld.so.cache r,\n  /{usr/,}lib{,32,64}/** mr,\n"),
    ("/etc/apparmor.d/abstractions/nameservice", "  include <abstractions/nameservice-strict>\n  /etc/passwd r,\n  /etc/group r,\n"),
    ("/etc/apparmor.d/abstractions/nameservice-strict", "  /etc/nsswitch.conf r,\n"),
    ("/etc/apparmor.d/abi/3.0", "query {label {multi_transaction yes\n}}\n"),
    ("/etc/apparmor.d/abstractions/wide", "  /tmp/** rw,\n"),
];

/// The root file of the in-memory trees.
pub const ROOT: &str = "/etc/apparmor.d/example";

/// A database over `ABSTRACTIONS` plus `files`; the first file is the root.
pub fn db_with(files: &[(&str, &str)]) -> (RootDatabase, File) {
    let mut map: HashMap<PathBuf, String> = ABSTRACTIONS.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect();
    for (p, t) in files {
        map.insert(PathBuf::from(p), t.to_string());
    }
    let db = RootDatabase::new(Arc::new(MapLoader(map)), vec![], PathBuf::from("/etc/apparmor.d"), PathBuf::from("/"));
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
