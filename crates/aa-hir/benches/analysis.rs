//! How long the database takes to analyse Debian's installed policy from
//! cold, and to re-analyse it after a one-character edit to an abstraction
//! that many profiles include and to a single profile.
//!
//! `cargo bench -p aa-hir --bench analysis`

#[path = "../tests/common/mod.rs"]
mod common;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::{
    db::{Db, File, FileContent, RootDatabase},
    diagnostics::policy_diagnostics,
};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use salsa::Durability;

const BASE: &str = "/etc/apparmor.d";
const ABSTRACTION: &str = "/etc/apparmor.d/abstractions/base";

/// Every profile file Debian installs: the top level of the base directory
/// and the extra profiles.
fn profile_paths() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for dir in [BASE, "/usr/share/apparmor/extra-profiles"] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_file() && !aa_hir::includes::is_skipped_file_name(&name) {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
}

fn database() -> RootDatabase {
    RootDatabase::new(Arc::new(common::FsLoader), Vec::new(), PathBuf::from(BASE), PathBuf::from(BASE))
}

fn analyse(db: &RootDatabase, roots: &[File]) -> usize {
    roots.iter().map(|&root| policy_diagnostics(db, root).len()).sum()
}

/// A warm database with every profile analysed, its roots, and a one-character edit of `path`.
fn warm(paths: &[PathBuf], edited: &Path) -> (RootDatabase, Vec<File>, String) {
    let mut db = database();
    let roots: Vec<File> = paths.iter().map(|p| db.file(p)).collect();
    // The edited file is "open in an editor": low durability, as the server sets it.
    let text = std::fs::read_to_string(edited).unwrap_or_default();
    db.set_file_content(edited, FileContent::Text(text.clone()), Durability::LOW);
    analyse(&db, &roots);
    (db, roots, text + "#")
}

fn bench(c: &mut Criterion) {
    let paths = profile_paths();
    if paths.is_empty() {
        eprintln!("no installed AppArmor policy: apt-get install apparmor apparmor-profiles apparmor-profiles-extra");
        return;
    }
    eprintln!("{} profiles", paths.len());
    let profile = paths[0].clone();
    let mut group = c.benchmark_group("debian-policy");
    group.sample_size(10);
    group.bench_function("cold", |b| {
        b.iter(|| {
            let db = database();
            let roots: Vec<File> = paths.iter().map(|p| db.file(p)).collect();
            analyse(&db, &roots)
        })
    });
    for (label, edited) in [("edit-abstraction", Path::new(ABSTRACTION)), ("edit-profile", profile.as_path())] {
        group.bench_function(label, |b| {
            b.iter_batched(
                || warm(&paths, edited),
                |(mut db, roots, edited_text)| {
                    db.set_file_content(edited, FileContent::Text(edited_text), Durability::LOW);
                    analyse(&db, &roots)
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
