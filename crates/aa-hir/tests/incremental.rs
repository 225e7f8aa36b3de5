//! The database recomputes only what an edit affects: parsing and include
//! resolution of untouched files are reused, and include errors are found.

mod common;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::{
    db::{Db, FileContent, RootDatabase},
    includes::{file_includes, include_closure, parse},
};
use salsa::Durability;

fn database(files: &[(&str, &str)]) -> RootDatabase {
    RootDatabase::new(
        Arc::new(common::memory(files)),
        vec![PathBuf::from("/extra")],
        PathBuf::from("/etc/apparmor.d"),
        PathBuf::from("/work"),
    )
}

fn paths(db: &RootDatabase, files: &[aa_hir::db::File]) -> Vec<String> {
    files.iter().map(|f| f.path(db).display().to_string()).collect()
}

#[test]
fn includes_resolve_like_apparmor_parser() {
    let db = database(&[
        (
            "/etc/apparmor.d/usr.bin.foo",
            "include <tunables/global>\nprofile foo {\n  include <abstractions/base>\n  include if exists <local/foo>\n  include \"rel\"\n  include <abstractions/missing>\n}\n",
        ),
        ("/etc/apparmor.d/tunables/global", "include <tunables/home.d>\n"),
        ("/etc/apparmor.d/tunables/home.d/a", "@{A}=a\n"),
        ("/etc/apparmor.d/tunables/home.d/b.dpkg-old", "@{B}=b\n"),
        ("/etc/apparmor.d/tunables/home.d/README", "not policy\n"),
        ("/etc/apparmor.d/abstractions/base", "/etc/ld.so.cache r,\n"),
        // `-I` directories are searched before the base directory.
        ("/extra/abstractions/base", "include <abstractions/base>\n/extra r,\n"),
        ("/work/rel", "/rel r,\n"),
    ]);
    let root = db.file(Path::new("/etc/apparmor.d/usr.bin.foo"));
    let closure = include_closure(&db, root);
    assert_eq!(
        paths(&db, &closure.files),
        [
            "/etc/apparmor.d/usr.bin.foo",
            "/etc/apparmor.d/tunables/global",
            "/etc/apparmor.d/tunables/home.d/a",
            "/extra/abstractions/base",
            "/work/rel",
        ]
    );
    let messages: Vec<String> = closure.diagnostics.iter().map(|(_, d)| format!("{}: {}", d.code, d.message)).collect();
    assert_eq!(
        messages,
        [
            // `/extra/abstractions/base` includes itself by name: searched
            // first in `-I`, it finds itself.
            "include-cycle: include cycle: /extra/abstractions/base → /extra/abstractions/base (apparmor_parser skips the repeated include)",
            "unresolved-include: could not find include `abstractions/missing` in /extra/abstractions, /etc/apparmor.d/abstractions",
        ]
    );
}

#[test]
fn one_character_edit_recomputes_only_that_file() {
    let mut db = database(&[
        ("/etc/apparmor.d/a", "profile a {\n  include <abstractions/x>\n  /a r,\n}\n"),
        ("/etc/apparmor.d/b", "profile b {\n  include <abstractions/x>\n  /b r,\n}\n"),
        ("/etc/apparmor.d/abstractions/x", "/x r,\n"),
    ]);
    let a = db.file(Path::new("/etc/apparmor.d/a"));
    let b = db.file(Path::new("/etc/apparmor.d/b"));
    // An editor opens `a`: from now on it is a low-durability input.
    // (Salsa reuses a result only if its durability did not drop, so the
    // first switch from disk to editor is a full recompute of that file.)
    db.set_file_content(
        Path::new("/etc/apparmor.d/a"),
        FileContent::Text("profile a {\n  include <abstractions/x>\n  /a r,\n}\n".into()),
        Durability::LOW,
    );
    include_closure(&db, a);
    include_closure(&db, b);

    db.record_executions();
    // Edit a rule inside profile `a`: its includes stay the same.
    db.set_file_content(
        Path::new("/etc/apparmor.d/a"),
        FileContent::Text("profile a {\n  include <abstractions/x>\n  /a w,\n}\n".into()),
        Durability::LOW,
    );
    include_closure(&db, a);
    include_closure(&db, b);
    let executed = db.take_executions();
    let count = |query: &str| executed.iter().filter(|e| e.starts_with(query)).count();
    assert_eq!(count("parse("), 1, "only `a` is re-parsed: {executed:?}");
    assert_eq!(count("file_includes("), 1, "{executed:?}");
    // `a`'s includes did not change, so its closure is reused without re-running it.
    assert_eq!(count("include_closure("), 0, "{executed:?}");
    assert!(parse(&db, a).syntax_node().to_string().contains("/a w,"));
    assert_eq!(file_includes(&db, a).len(), 1);
}

#[test]
fn include_trees_are_bounded() {
    // A chain deeper than the depth limit, and a fan-out past the file limit.
    let mut files: Vec<(String, String)> = (0..100)
        .map(|i| (format!("/etc/apparmor.d/chain/{i}"), format!("include <chain/{}>\n/c{i} r,\n", i + 1)))
        .collect();
    files.push(("/etc/apparmor.d/p".into(), "profile p {\n  include <chain/0>\n}\n".into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let db = database(&refs);
    let closure = include_closure(&db, db.file(Path::new("/etc/apparmor.d/p")));
    assert!(closure.files.len() <= aa_hir::includes::MAX_INCLUDE_DEPTH + 1);
    assert!(closure.diagnostics.iter().any(|(_, d)| d.code == "include-too-deep"));

    let wide: Vec<(String, String)> = (0..aa_hir::includes::MAX_INCLUDED_FILES + 10)
        .map(|i| (format!("/etc/apparmor.d/wide/{i:05}"), String::new()))
        .chain(std::iter::once(("/etc/apparmor.d/q".into(), "profile q {\n  include <wide>\n}\n".into())))
        .collect();
    let refs: Vec<(&str, &str)> = wide.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let db = database(&refs);
    let closure = include_closure(&db, db.file(Path::new("/etc/apparmor.d/q")));
    assert_eq!(closure.files.len(), aa_hir::includes::MAX_INCLUDED_FILES);
    assert!(closure.diagnostics.iter().any(|(_, d)| d.code == "include-too-large"));
}
