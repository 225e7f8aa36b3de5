//! The rules and qualifiers of abi 4.0 (priorities, `mqueue`, `io_uring`,
//! `userns`, the 4.1 profile flags...) compiled with the 4.1 target and
//! compared with `apparmor_parser` 4.1.0, fixture by fixture: every file
//! of `fixtures/rules-4.1/*.sd` against every features file
//! `fixtures/rules-4.1/features.*`.
//!
//! The oracle is `$AA_ORACLE_4_1`, else the cached build of
//! `build-apparmor-parser.sh 4.1.0`
//! (`${XDG_CACHE_HOME:-~/.cache}/apparmor-oracle/4.1.0/apparmor_parser`).
//! Under CI (`CI` set) it must exist; elsewhere the test says it skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use aa_compile::compare::compare_profile;
use aa_compile::{compile_policy, options_for};
use aa_dfa::{Features, Policy};
use aa_hir::db::{Db, MemoryLoader, RootDatabase};
use aa_target::{Target, Version};

fn oracle() -> Option<PathBuf> {
    let cached = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|c| c.join("apparmor-oracle/4.1.0/apparmor_parser"));
    let found = std::env::var_os("AA_ORACLE_4_1").map(PathBuf::from).or(cached).filter(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: apparmor_parser 4.1.0 is missing (build-apparmor-parser.sh 4.1.0)"
        );
        eprintln!("\n!!! SKIPPING: apparmor_parser 4.1.0 not found; the 4.1 rule tests did not run !!!\n");
    }
    found
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules-4.1")
}

fn files(ext_or_prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures/rules-4.1")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(ext_or_prefix) || name.starts_with(ext_or_prefix)
        })
        .collect();
    v.sort();
    v
}

fn run_oracle(parser: &Path, profile: &Path, features: &Path) -> Result<Vec<u8>, String> {
    let out = Command::new(parser)
        .arg("--config-file=/dev/null")
        .arg("-QKS")
        .arg("-M")
        .arg(features)
        .arg(profile)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() { Ok(out.stdout) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

#[test]
fn abi4_rules_match_apparmor_parser_4_1() {
    let Some(parser) = oracle() else { return };
    let target = Target::of(Version::V4_1);
    let mut failures = Vec::new();
    let mut compared = 0;
    let features = files("features.");
    let profiles = files(".sd");
    assert!(!features.is_empty() && !profiles.is_empty(), "no fixtures in {}", fixtures().display());
    for features_file in &features {
        let feats = Features::parse(&std::fs::read_to_string(features_file).expect("features file"));
        for path in &profiles {
            let what = format!("{} with {}", path.display(), features_file.display());
            let theirs = match run_oracle(&parser, path, features_file) {
                Ok(bin) => Policy::decode(&bin).unwrap_or_else(|e| panic!("{what}: decode: {e}")),
                Err(e) => {
                    failures.push(format!("{what}: apparmor_parser rejects it: {e}"));
                    continue;
                }
            };
            let text = std::fs::read_to_string(path).expect("fixture");
            let mut db = RootDatabase::new(
                Arc::new(MemoryLoader::new([(path.clone(), text)])),
                Vec::new(),
                PathBuf::from("/nonexistent"),
                PathBuf::from("/"),
            );
            db.set_target(Version::V4_1);
            let root = db.file(path);
            let entries = compile_policy(&db, root, &options_for(target, feats.clone()));
            assert_eq!(entries.len(), theirs.profiles.len(), "{what}: profile count");
            for e in &entries {
                let Some(t) = theirs.profiles.iter().find(|p| p.name == e.name) else {
                    failures.push(format!("{what}: {} missing from apparmor_parser's output", e.name));
                    continue;
                };
                match &e.result {
                    Err(f) => failures.push(format!("{what}: {}: not compiled: {f}", e.name)),
                    Ok((_, ours)) => {
                        compared += 1;
                        for m in compare_profile(ours, t) {
                            failures.push(format!("{what}: {}: {}: {}", e.name, m.part.name(), m.message));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} difference(s):\n{}", failures.len(), failures.join("\n"));
    assert!(compared > 0);
}
