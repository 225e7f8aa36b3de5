//! Every profile file Debian's `apparmor`, `apparmor-profiles` and
//! `apparmor-profiles-extra` install (the top-level files of
//! `/etc/apparmor.d` and `/usr/share/apparmor/extra-profiles`), compiled by
//! us and by `apparmor_parser` 3.0.8 with the same features pin: the file,
//! xmatch and policy DFAs and the plain words of each profile must match.

mod common;

use std::path::{Path, PathBuf};

use common::Outcome;

fn corpus() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["/etc/apparmor.d", "/usr/share/apparmor/extra-profiles"] {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut v: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        v.sort();
        files.extend(v);
    }
    files
}

#[test]
fn debian_profiles_are_equivalent() {
    check_corpus("default");
}

/// The same corpus for a kernel with fine-grained unix socket mediation
/// (`network/af_unix`): every `unix` rule and every `network` rule
/// covering AF_UNIX becomes policydb entries.
#[test]
fn debian_profiles_are_equivalent_with_af_unix() {
    check_corpus("all-no-policy-v8");
}

fn check_corpus(features_name: &str) {
    let Some(parser) = common::parser() else { return };
    let files = corpus();
    if files.is_empty() {
        eprintln!("!!! SKIPPING: no installed profiles found !!!");
        return;
    }
    let feats = common::named_features(features_name);
    let features_file = common::named_features_path(features_name);
    let base = Path::new("/etc/apparmor.d");
    // Two workers: the parser runs are the slow part.
    let results: Vec<(PathBuf, Result<Vec<Outcome>, String>)> = std::thread::scope(|s| {
        let chunks: Vec<Vec<PathBuf>> = (0..2).map(|k| files.iter().skip(k).step_by(2).cloned().collect()).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let (parser, feats, features_file) = (&parser, &feats, &features_file);
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|f| {
                            let r = common::compare_file(parser, &f, base, feats, features_file);
                            (f, r)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let (mut profiles, mut equivalent, mut file_eq, mut xmatch_eq, mut policy_eq) = (0, 0, 0, 0, 0);
    let mut unsupported = Vec::new();
    let mut failures = Vec::new();
    let mut rejected = Vec::new();
    for (path, r) in &results {
        let outcomes = match r {
            Ok(o) => o,
            Err(e) => {
                rejected.push(format!("{}: {}", path.display(), e.lines().next().unwrap_or("")));
                continue;
            }
        };
        for o in outcomes {
            match o {
                Outcome::Compared { name, mismatches, file, xmatch, policy } => {
                    profiles += 1;
                    file_eq += *file as usize;
                    xmatch_eq += *xmatch as usize;
                    policy_eq += *policy as usize;
                    if mismatches.is_empty() {
                        equivalent += 1;
                    } else {
                        for m in mismatches {
                            failures.push(format!("{} [{name}] {}: {}", path.display(), m.part.name(), m.message));
                        }
                    }
                }
                Outcome::Failed { name, failure } if failure.is_unsupported() => {
                    unsupported.push(format!("{} [{name}]: {failure}", path.display()))
                }
                Outcome::Failed { name, failure } => {
                    failures.push(format!("{} [{name}]: we failed to compile: {failure}", path.display()))
                }
                Outcome::Missing { name, ours } => failures.push(format!(
                    "{} [{name}]: profile only in {}",
                    path.display(),
                    if *ours { "ours" } else { "apparmor_parser's output" }
                )),
            }
        }
    }
    eprintln!(
        "Debian corpus, features {features_name}: {} files, {} rejected by apparmor_parser; {profiles} profiles compared: \
         {equivalent} fully equivalent; file DFA {file_eq}, xmatch DFA {xmatch_eq}, policy DFA {policy_eq} equivalent; \
         {} unsupported",
        results.len(),
        rejected.len(),
        unsupported.len()
    );
    for r in &rejected {
        eprintln!("  rejected by apparmor_parser: {r}");
    }
    for u in &unsupported {
        eprintln!("  unsupported: {u}");
    }
    for f in &failures {
        eprintln!("  MISMATCH: {f}");
    }
    assert!(profiles > 0, "no profile compared");
    assert!(failures.is_empty(), "{} mismatches (listed above)", failures.len());
}
