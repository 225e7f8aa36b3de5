//! The oracle (`apparmor_parser` 3.0.8) and the pipeline under test, for
//! the integration tests.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use aa_compile::compare::{Mismatch, compare_profile};
use aa_compile::{CompileFailure, compile_policy};
use aa_dfa::{Features, Policy};
use aa_hir::db::{Db, RootDatabase};

pub fn parser() -> Option<PathBuf> {
    let found = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"].iter().map(PathBuf::from).find(|p| p.exists());
    if found.is_none() {
        eprintln!("\n!!! SKIPPING: apparmor_parser is not installed; oracle tests did not run !!!\n");
    }
    found
}

/// The features pin: the same file `aa-dfa`'s tests use (Debian's own
/// `/usr/share/apparmor-features/features`).
pub fn features_path() -> PathBuf {
    named_features_path("default")
}

/// One of `aa-dfa`'s pinned feature sets (`default`, `all-no-policy-v8`
/// with fine-grained unix mediation, ...).
pub fn named_features_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../aa-dfa/tests/features").join(name)
}

pub fn features() -> Features {
    named_features("default")
}

pub fn named_features(name: &str) -> Features {
    Features::parse(&std::fs::read_to_string(named_features_path(name)).expect("features file"))
}

/// `apparmor_parser -QKS` on a file: Ok(binary) or Err(stderr).
pub fn oracle(parser: &Path, profile: &Path, base: Option<&Path>) -> Result<Vec<u8>, String> {
    oracle_with(parser, profile, base, &features_path())
}

/// [`oracle`] with another features file.
pub fn oracle_with(parser: &Path, profile: &Path, base: Option<&Path>, features: &Path) -> Result<Vec<u8>, String> {
    let mut cmd = Command::new(parser);
    cmd.arg("--config-file=/dev/null").arg("-QKS").arg("-M").arg(features);
    if let Some(b) = base {
        cmd.arg("--base").arg(b);
    }
    let out = cmd.arg(profile).output().map_err(|e| e.to_string())?;
    if out.status.success() { Ok(out.stdout) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

/// The outcome for one profile of one file.
#[derive(Debug)]
pub enum Outcome {
    /// Every part compared; the mismatches (empty: equivalent).
    Compared { name: String, mismatches: Vec<Mismatch>, file: bool, xmatch: bool, policy: bool },
    /// We could not compile it (unsupported or our error).
    Failed { name: String, failure: CompileFailure },
    /// The parser wrote a profile we did not produce, or the reverse.
    Missing { name: String, ours: bool },
}

/// Compiles `path` both ways and compares profile by profile.
pub fn compare_file(
    parser: &Path,
    path: &Path,
    base: &Path,
    feats: &Features,
    features_file: &Path,
) -> Result<Vec<Outcome>, String> {
    let bin = oracle_with(parser, path, Some(base), features_file)?;
    let policy = Policy::decode(&bin).map_err(|e| format!("decode: {e}"))?;
    let db = RootDatabase::new(Arc::new(aa_test_utils::FsLoader), Vec::new(), base.to_path_buf(), PathBuf::from("/"));
    let root = db.file(path);
    let entries = compile_policy(
        &db,
        root,
        &aa_compile::options_for(aa_target::Target::of(aa_target::Version::V3_0), feats.clone()),
    );
    let mut out = Vec::new();
    for e in &entries {
        let theirs = policy.profiles.iter().find(|p| p.name == e.name);
        match (&e.result, theirs) {
            (Err(f), _) => out.push(Outcome::Failed { name: e.name.clone(), failure: f.clone() }),
            (Ok(_), None) => out.push(Outcome::Missing { name: e.name.clone(), ours: true }),
            (Ok((_, ours)), Some(t)) => {
                let mismatches = compare_profile(ours, t);
                use aa_compile::compare::Part;
                let ok = |p: Part| !mismatches.iter().any(|m| m.part == p);
                out.push(Outcome::Compared {
                    name: e.name.clone(),
                    file: ok(Part::File),
                    xmatch: ok(Part::Xmatch),
                    policy: ok(Part::Policy),
                    mismatches,
                })
            }
        }
    }
    for p in &policy.profiles {
        if !entries.iter().any(|e| e.name == p.name) {
            out.push(Outcome::Missing { name: p.name.clone(), ours: false });
        }
    }
    Ok(out)
}
