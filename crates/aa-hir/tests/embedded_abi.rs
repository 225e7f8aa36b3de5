//! Embedded feature ABIs: a standard `abi <abi/N>,` that no search
//! directory has is read from aa-lint's copy, with no `bad-abi`, and
//! reported once as a fallback; a user's own ABI file always wins.

mod common;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::{
    db::{Db, FileLoader, RootDatabase},
    default_abi::builtin_abi,
    diagnostics::policy_diagnostics,
    fallbacks::fallbacks,
};

fn database(loader: impl FileLoader + 'static, include_dirs: Vec<PathBuf>, base: &str) -> RootDatabase {
    RootDatabase::new(Arc::new(loader), include_dirs, PathBuf::from(base), PathBuf::from("/"))
}

fn bad_abi(db: &RootDatabase, path: &str) -> Vec<String> {
    let root = db.file(Path::new(path));
    policy_diagnostics(db, root).iter().filter(|(_, d)| d.code == "bad-abi").map(|(_, d)| d.message.clone()).collect()
}

fn profile(abi: &str) -> String {
    format!("abi <{abi}>,\ninclude <tunables/global>\nprofile p {{\n  /usr/bin/p mr,\n}}\n")
}

#[test]
fn the_standard_abis_are_built_in() {
    for name in ["abi/3.0", "abi/4.0", "abi/5.0"] {
        let text = builtin_abi(name).unwrap();
        // A features file: the capability and file sets the parser reads.
        assert!(text.contains("caps {"), "{name}");
        assert!(text.contains("file {mask {"), "{name}");
    }
    assert!(builtin_abi("abi/9.9").is_none());
    // 5.0 knows what 4.0 does not (io_uring, notification).
    assert!(
        builtin_abi("abi/5.0").unwrap().contains("io_uring") && !builtin_abi("abi/4.0").unwrap().contains("io_uring")
    );
}

#[test]
fn a_missing_standard_abi_is_embedded_not_an_error() {
    let db = database(common::memory(&[("/work/p", &profile("abi/5.0"))]), vec![], "/etc/apparmor.d");
    assert_eq!(bad_abi(&db, "/work/p"), Vec::<String>::new());
    let used = fallbacks(&db, db.file(Path::new("/work/p")));
    assert_eq!(used.embedded_abis, ["abi/5.0"]);
}

#[test]
fn an_older_machine_embeds_only_what_it_lacks() {
    // Debian 12's policy ships abi/3.0 only.
    let files = [
        ("/etc/apparmor.d/abi/3.0", "capability {0xffffff\n}\n"),
        ("/work/old", &profile("abi/3.0")),
        ("/work/new", &profile("abi/4.0")),
    ];
    let db = database(common::memory(&files), vec![], "/etc/apparmor.d");
    assert_eq!(bad_abi(&db, "/work/old"), Vec::<String>::new());
    assert_eq!(fallbacks(&db, db.file(Path::new("/work/old"))).embedded_abis, Vec::<String>::new());
    assert_eq!(fallbacks(&db, db.file(Path::new("/work/new"))).embedded_abis, ["abi/4.0"]);
}

#[test]
fn a_users_abi_file_wins() {
    let files = [("/work/own/abi/5.0", "capability {0xffffff\n}\n"), ("/work/p", &profile("abi/5.0"))];
    let db = database(common::memory(&files), vec![PathBuf::from("/work/own")], "/etc/apparmor.d");
    assert_eq!(bad_abi(&db, "/work/p"), Vec::<String>::new());
    assert_eq!(fallbacks(&db, db.file(Path::new("/work/p"))).embedded_abis, Vec::<String>::new());
}

#[test]
fn other_missing_abis_stay_errors() {
    let files = [
        ("/work/unknown", profile("abi/9.9")),
        ("/work/quoted", "abi \"abi/5.0\",\nprofile p {}\n".to_string()),
        ("/etc/apparmor.d/abi/4.0/x", String::new()),
        ("/work/directory", profile("abi/4.0")),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let db = database(common::memory(&files), vec![], "/etc/apparmor.d");
    assert_eq!(bad_abi(&db, "/work/unknown"), ["could not find the features file of abi `abi/9.9`"]);
    // `"name"` is a path of its own, relative to the working directory: not a standard ABI.
    assert_eq!(bad_abi(&db, "/work/quoted"), ["could not find the features file of abi `abi/5.0`"]);
    // A user's directory where the file should be is their mistake, not a missing file.
    assert_eq!(bad_abi(&db, "/work/directory"), ["abi `abi/4.0` is a directory, not a features file"]);
}

fn corpus_files(tree: &Path, every: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![tree.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files.into_iter().step_by(every).collect()
}

/// The apparmor.d collection pins `abi <abi/5.0>,`; over a policy without
/// that file (none at all, or Debian's, which has only 3.0) a sample of its
/// profiles gets no `bad-abi`, and the fallback names the embedded ABI.
#[test]
fn the_apparmor_d_tree_on_a_machine_without_abi_5() {
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/apparmor.d");
    if !tree.is_dir() {
        eprintln!("\n!!! SKIPPED: no apparmor.d corpus at {} !!!\n", tree.display());
        return;
    }
    let empty = std::env::temp_dir().join(format!("aa-hir-embedded-abi-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let mut bases = vec![empty.clone()];
    if Path::new("/etc/apparmor.d/tunables").is_dir() && !Path::new("/etc/apparmor.d/abi/5.0").exists() {
        bases.push(PathBuf::from("/etc/apparmor.d"));
    }
    let profiles = corpus_files(&tree, 40);
    assert!(profiles.len() > 10, "{} profiles sampled", profiles.len());
    for base in bases {
        let db = database(common::FsLoader, vec![tree.clone()], base.to_str().unwrap());
        let mut abis = std::collections::BTreeSet::new();
        for path in &profiles {
            assert_eq!(
                bad_abi(&db, path.to_str().unwrap()),
                Vec::<String>::new(),
                "{} over {}",
                path.display(),
                base.display()
            );
            abis.extend(fallbacks(&db, db.file(path)).embedded_abis.iter().cloned());
        }
        assert_eq!(abis.into_iter().collect::<Vec<_>>(), ["abi/5.0"], "over {}", base.display());
    }
    std::fs::remove_dir_all(&empty).unwrap();
}
