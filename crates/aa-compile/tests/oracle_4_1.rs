//! The 4.1 target against `apparmor_parser` 4.1.0 on two real corpora,
//! with upstream's `features.all`:
//! - upstream's simple_tests marked `#=EXRESULT PASS` (not TODO or
//!   DISABLED), run as upstream's driver runs them (from the `tst` folder,
//!   `-I simple_tests`);
//! - every 40th profile file of the built apparmor.d collection (a sample,
//!   to keep a debug-build CI run short; the whole collection is measured
//!   by hand, see docs/).
//!
//! For each file: if the oracle rejects it, we must not compile it; if
//! the oracle compiles it, every profile we compile must be equivalent
//! (file, xmatch and policy DFAs, all words). A profile we refuse as
//! `compile-unsupported` is counted, not failed. Files listed in
//! `fixtures/oracle-4.1/known-differences.txt` are known to differ today:
//! a listed file that now matches (equivalent, or rejected by both) fails
//! the test too, so the list only shrinks. We reject a file when
//! `policy_diagnostics` has an error (as `aa-lint compile` does) or a
//! profile fails to compile. Counts (equivalent, byte-identical, refused) are printed.
//!
//! `AA_ORACLE_ONLY=mount/` judges only the files whose name contains it
//! (the counts then cover those files); `AA_ORACLE_VERBOSE=1` prints each
//! file that differs with the first difference, listed or not.
//!
//! The oracle is `$AA_ORACLE_4_1`, else the cached build of
//! `build-apparmor-parser.sh 4.1.0`. Under CI (`CI` set) the oracle and
//! the corpora must exist; elsewhere the test says it skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use aa_compile::compare::compare_profile;
use aa_compile::{compile_policy, options_for};
use aa_dfa::{EncodeOptions, Features, Policy, encode_policy};
use aa_hir::Severity;
use aa_hir::db::{Db, RootDatabase};
use aa_hir::diagnostics::policy_diagnostics;
use aa_target::{Target, Version};

fn require(what: &str) {
    assert!(std::env::var_os("CI").is_none(), "CI: {what} is missing");
    eprintln!("\n!!! SKIPPING: {what} not found; the 4.1.0 oracle comparison did not run !!!\n");
}

fn oracle() -> Option<PathBuf> {
    let cached = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|c| c.join("apparmor-oracle/4.1.0/apparmor_parser"));
    let found = std::env::var_os("AA_ORACLE_4_1").map(PathBuf::from).or(cached).filter(|p| p.exists());
    if found.is_none() {
        require("apparmor_parser 4.1.0 (build-apparmor-parser.sh 4.1.0)");
    }
    found
}

/// The shared test data beside the checkout (`../shared`).
fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(rel);
    let found = p.exists().then(|| p.canonicalize().unwrap_or(p));
    if found.is_none() {
        require(&format!("../shared/{rel}"));
    }
    found
}

fn known_differences() -> BTreeSet<String> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/oracle-4.1/known-differences.txt");
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// What happened to one file.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// The oracle compiles it; every profile compiled by us matches.
    Equivalent { profiles: usize, byte_identical: bool },
    /// The oracle compiles it; we refuse some profile as unsupported and
    /// the rest match.
    Refused,
    /// Both reject it.
    BothReject,
    /// A difference: the message says what.
    Differs(String),
}

struct Corpus {
    /// Where the parser runs (relative includes resolve here).
    cwd: PathBuf,
    include: PathBuf,
    base: PathBuf,
}

fn judge(parser: &Path, corpus: &Corpus, file: &Path, features_file: &Path, feats: &Features) -> Verdict {
    let target = Target::of(Version::V4_1);
    let out = Command::new(parser)
        .current_dir(&corpus.cwd)
        .arg("--config-file=/dev/null")
        .arg("-QKS")
        .arg("-M")
        .arg(features_file)
        .arg("--base")
        .arg(&corpus.base)
        .arg("-I")
        .arg(&corpus.include)
        .arg(file)
        .output()
        .expect("run apparmor_parser 4.1.0");
    let mut db = RootDatabase::new(
        Arc::new(aa_test_utils::FsLoader),
        vec![corpus.include.clone()],
        corpus.base.clone(),
        corpus.cwd.clone(),
    );
    db.set_target(target.version);
    let root = db.file(file);
    // What `aa-lint compile` stops at before compiling.
    let parse_error = policy_diagnostics(&db, root).iter().find(|(_, d)| d.severity == Severity::Error);
    let entries = compile_policy(&db, root, &options_for(target, feats.clone()));
    if !out.status.success() {
        let compiled = parse_error.is_none() && !entries.is_empty() && entries.iter().all(|e| e.result.is_ok());
        return if compiled {
            Verdict::Differs(format!(
                "apparmor_parser rejects it, we compile it: {}",
                String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("")
            ))
        } else {
            Verdict::BothReject
        };
    }
    if let Some((_, d)) = parse_error {
        return Verdict::Differs(format!("we reject it: {}: {}", d.code, d.message));
    }
    let theirs = match Policy::decode(&out.stdout) {
        Ok(p) => p,
        Err(e) => return Verdict::Differs(format!("cannot decode apparmor_parser's output: {e}")),
    };
    let mut refused = false;
    let mut ours = Vec::new();
    for e in &entries {
        match (&e.result, theirs.profiles.iter().find(|p| p.name == e.name)) {
            (Err(f), _) if f.is_unsupported() => refused = true,
            (Err(f), _) => return Verdict::Differs(format!("profile {}: we reject it: {f:?}", e.name)),
            (Ok(_), None) => {
                return Verdict::Differs(format!("profile {}: missing from apparmor_parser's output", e.name));
            }
            (Ok((_, c)), Some(t)) => {
                let m = compare_profile(c, t);
                if let Some(first) = m.first() {
                    return Verdict::Differs(format!("profile {}: {}: {}", e.name, first.part.name(), first.message));
                }
                ours.push(c);
            }
        }
    }
    if let Some(t) = theirs.profiles.iter().find(|t| !entries.iter().any(|e| e.name == t.name)) {
        return Verdict::Differs(format!("profile {}: only in apparmor_parser's output", t.name));
    }
    if refused {
        return Verdict::Refused;
    }
    let bytes = encode_policy(ours.iter().copied(), &EncodeOptions { target, features: feats.clone() });
    Verdict::Equivalent { profiles: ours.len(), byte_identical: bytes == out.stdout }
}

/// The files `AA_ORACLE_ONLY` selects (all when it is unset).
fn selected(files: Vec<PathBuf>, root: &Path) -> Vec<PathBuf> {
    let Some(only) = std::env::var_os("AA_ORACLE_ONLY") else { return files };
    let only = only.to_string_lossy().into_owned();
    files.into_iter().filter(|f| f.strip_prefix(root).unwrap_or(f).to_string_lossy().contains(&only)).collect()
}

fn pass_tests(dir: &Path) -> Vec<PathBuf> {
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "sd") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                let has = |tag: &str| text.lines().any(|l| l.starts_with(tag));
                if has("#=EXRESULT PASS") && !has("#=TODO") && !has("#=DISABLED") {
                    out.push(p);
                }
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, &mut v);
    v.sort();
    v
}

/// Judges `files` on two threads; returns (name relative to `root`, verdict).
fn judge_all(
    parser: &Path,
    corpus: &Corpus,
    root: &Path,
    files: &[PathBuf],
    features_file: &Path,
) -> Vec<(String, Verdict)> {
    let feats = Features::parse(&std::fs::read_to_string(features_file).expect("features file"));
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|k| {
                let feats = &feats;
                s.spawn(move || {
                    files
                        .iter()
                        .skip(k)
                        .step_by(2)
                        .map(|f| {
                            let name = f.strip_prefix(root).unwrap_or(f).display().to_string();
                            (name, judge(parser, corpus, f, features_file, feats))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(String, Verdict)> = handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    })
}

fn report(what: &str, results: &[(String, Verdict)], prefix: &str, known: &BTreeSet<String>) -> Vec<String> {
    let (mut eq, mut bytes, mut profiles, mut refused, mut reject, mut differs) = (0, 0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for (name, v) in results {
        let key = format!("{prefix}{name}");
        let listed = known.contains(&key);
        match v {
            Verdict::Equivalent { profiles: n, byte_identical } => {
                eq += 1;
                profiles += n;
                bytes += usize::from(*byte_identical);
                if listed {
                    failures.push(format!("{key}: now equivalent; remove it from known-differences.txt"));
                }
            }
            Verdict::Refused => refused += 1,
            Verdict::BothReject => {
                reject += 1;
                if listed {
                    failures.push(format!("{key}: now rejected by both; remove it from known-differences.txt"));
                }
            }
            Verdict::Differs(m) => {
                differs += 1;
                if std::env::var_os("AA_ORACLE_VERBOSE").is_some() {
                    eprintln!("{key}: {m}");
                }
                if !listed {
                    failures.push(format!("{key}: {m}"));
                }
            }
        }
    }
    eprintln!(
        "{what}: {} files: {eq} equivalent ({profiles} profiles, {bytes} files byte-identical), {refused} refused as unsupported, {reject} rejected by both, {differs} differ ({} known)",
        results.len(),
        results.iter().filter(|(n, _)| known.contains(&format!("{prefix}{n}"))).count()
    );
    failures
}

#[test]
fn matches_apparmor_parser_4_1() {
    let Some(parser) = oracle() else { return };
    let (Some(tst), Some(prebuilt)) = (shared("upstream/tst"), shared("corpus/apparmor.d-prebuilt")) else {
        return;
    };
    let features_file = tst.join("features_files/features.all");
    let known = known_differences();
    let simple = tst.join("simple_tests");
    let corpus = Corpus { cwd: tst.clone(), include: simple.clone(), base: simple.clone() };
    let files = selected(pass_tests(&simple), &simple);
    let results = judge_all(&parser, &corpus, &simple, &files, &features_file);
    let mut failures = report("simple_tests PASS", &results, "simple_tests/", &known);

    let mut profiles: Vec<PathBuf> = std::fs::read_dir(&prebuilt)
        .expect("apparmor.d-prebuilt")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    profiles.sort();
    let sample = selected(profiles.into_iter().step_by(40).collect(), &prebuilt);
    let corpus = Corpus { cwd: prebuilt.clone(), include: prebuilt.clone(), base: prebuilt.clone() };
    let results = judge_all(&parser, &corpus, &prebuilt, &sample, &features_file);
    failures.extend(report("apparmor.d-prebuilt, every 40th", &results, "apparmor.d-prebuilt/", &known));

    assert!(
        failures.is_empty(),
        "{} files differ from apparmor_parser 4.1.0:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
