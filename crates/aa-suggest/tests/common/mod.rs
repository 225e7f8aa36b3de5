//! Shared by the tests: an in-memory policy, the features pin, and running
//! `suggest` on it.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use aa_dfa::{CompileOptions, CompiledProfile, Features};
use aa_hir::db::{Db, MemoryLoader, RootDatabase};
use aa_hir::model::policy_model;
use aa_suggest::{Options, Report};

/// A kernel's features with every class the records come from
/// (abi 4.0: mqueue, userns, io_uring, af_unix, dbus): the records were
/// logged by kernels that mediate their classes.
pub fn features() -> Features {
    features_file(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules-4.1/features.abi4"))
}

pub fn features_file(path: &std::path::Path) -> Features {
    Features::parse(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

pub fn options() -> Options {
    Options {
        profile: None,
        compile: aa_compile::options(features()),
        generalise: true,
        fine_grained_network: true,
        offer_abstractions: false,
    }
}

pub fn compile_options() -> CompileOptions {
    aa_compile::options(features())
}

/// A database over `files` (absolute paths), base directory `/etc/apparmor.d`.
pub fn database(files: Vec<(String, String)>) -> RootDatabase {
    RootDatabase::new(Arc::new(MemoryLoader::new(files)), Vec::new(), "/etc/apparmor.d".into(), "/".into())
}

/// Runs suggest on the profile file `path` of `db` with the records of `log`.
pub fn run(db: &mut RootDatabase, paths: &[&str], log: &str, opts: &Options) -> Report {
    let read = aa_log::read_log(log);
    assert!(read.errors.is_empty(), "log errors: {:?}", read.errors);
    let roots: Vec<_> = paths.iter().map(|p| db.file(std::path::Path::new(p))).collect();
    aa_suggest::suggest(db, &roots, &read.entries, opts)
}

/// Every profile of the policy file `path`, compiled (rules this compiler
/// does not encode set aside), by name, with the set-aside rules' texts.
pub fn compiled_profiles(db: &RootDatabase, path: &str) -> Vec<(String, CompiledProfile, Vec<String>)> {
    let root = db.file(std::path::Path::new(path));
    let model = policy_model(db, root);
    let opts = compile_options();
    (0..model.profiles.len())
        .map(|i| {
            let c = aa_suggest::compile::compile(db, model, i, &opts).unwrap_or_else(|e| panic!("{path}: {e}"));
            let aside = c
                .set_aside
                .iter()
                .map(|&r| {
                    let loc = model.profiles[i].rules[r].origin.location;
                    let aa_hir::db::FileContent::Text(t) = loc.file.content(db) else { return String::new() };
                    normalise(&t[usize::from(loc.range.start())..usize::from(loc.range.end())])
                })
                .collect();
            (model.profiles[i].name.clone(), c.compiled, aside)
        })
        .collect()
}

pub fn normalise(rule: &str) -> String {
    rule.split_whitespace().collect::<Vec<_>>().join(" ").trim_end_matches(',').to_owned()
}
