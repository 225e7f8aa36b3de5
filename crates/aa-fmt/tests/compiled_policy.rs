//! Guarantee (4): formatting never changes the compiled policy.
//!
//! Every file of Debian's installed policy (`/etc/apparmor.d`, recursively:
//! the profiles and every abstraction, tunable and `local/` file they can
//! include) and of `/usr/share/apparmor/extra-profiles` is formatted into a
//! temporary copy of the tree. Each top-level profile file is then compiled
//! with the real `apparmor_parser` from the original tree and from the
//! formatted copy, and the binary outputs (and exit statuses) must be
//! byte-identical. The formatted files also get the other guarantees
//! (idempotence, comments, clean re-parse).
//!
//! Skips, saying so on stderr, when `apparmor_parser`, the features file or
//! the policy directory is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use aa_fmt::{FormatError, FormatOptions, format};

const POLICY: &str = "/etc/apparmor.d";
const EXTRA: &str = "/usr/share/apparmor/extra-profiles";
const FEATURES: &str = "/usr/share/apparmor-features/features";

fn find_parser() -> Option<PathBuf> {
    ["/usr/sbin/apparmor_parser", "/sbin/apparmor_parser"].iter().map(PathBuf::from).find(|p| p.is_file())
}

#[derive(Default)]
struct Figures {
    formatted: usize,
    changed: usize,
    refused: Vec<String>,
}

/// Copies `from` into `to`, formatting every file on the way.
fn format_tree(from: &Path, to: &Path, figures: &mut Figures) {
    let Ok(entries) = std::fs::read_dir(from) else { return };
    std::fs::create_dir_all(to).expect("create the copy's directory");
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    let options = FormatOptions::default();
    for entry in entries {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            format_tree(&src, &dst, figures);
            continue;
        }
        let Ok(bytes) = std::fs::read(&src) else { continue };
        let out = match String::from_utf8(bytes.clone()) {
            Ok(text) => match format(&text, &options) {
                Ok(out) => {
                    common::assert_guarantees(&text, &out, &options, &src.display().to_string());
                    figures.formatted += 1;
                    if out != text {
                        figures.changed += 1;
                    }
                    out.into_bytes()
                }
                Err(FormatError::Syntax(_)) => {
                    figures.refused.push(src.display().to_string());
                    bytes
                }
                Err(error @ FormatError::Internal(_)) => {
                    panic!("{}: {error}", src.display())
                }
            },
            Err(_) => bytes,
        };
        std::fs::write(&dst, out).expect("write the formatted copy");
    }
}

/// `apparmor_parser -S` output and exit status for `file` against `base`.
fn compile(parser: &Path, base: &Path, file: &Path) -> (Option<i32>, Vec<u8>) {
    let output = Command::new(parser)
        .args(["--config-file=/dev/null", "-QKS", "-M", FEATURES, "--base"])
        .arg(base)
        .arg("-I")
        .arg(base)
        .arg(file)
        .output()
        .expect("run apparmor_parser");
    (output.status.code(), output.stdout)
}

fn top_level_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn debian_policy_compiles_to_identical_binary_policy() {
    let Some(parser) = find_parser() else {
        eprintln!("SKIPPED: apparmor_parser not found; the compiled-policy guarantee was NOT checked");
        return;
    };
    if !Path::new(FEATURES).is_file() || !Path::new(POLICY).is_dir() {
        eprintln!("SKIPPED: {FEATURES} or {POLICY} missing; the compiled-policy guarantee was NOT checked");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("aa-fmt-policy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (policy_copy, extra_copy) = (tmp.join("apparmor.d"), tmp.join("extra-profiles"));
    let mut figures = Figures::default();
    format_tree(Path::new(POLICY), &policy_copy, &mut figures);
    format_tree(Path::new(EXTRA), &extra_copy, &mut figures);

    // (original file, formatted file); both compiled against their own tree.
    let mut jobs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (dir, copy) in [(Path::new(POLICY), &policy_copy), (Path::new(EXTRA), &extra_copy)] {
        for file in top_level_files(dir) {
            let name = file.file_name().map(PathBuf::from).unwrap_or_default();
            jobs.push((file, copy.join(name)));
        }
    }
    let (base, base_copy) = (Path::new(POLICY), policy_copy.as_path());
    let results: Vec<(PathBuf, bool, bool)> = std::thread::scope(|scope| {
        let workers = 2;
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let jobs = &jobs;
                let parser = &parser;
                scope.spawn(move || {
                    jobs.iter()
                        .skip(w)
                        .step_by(workers)
                        .map(|(orig, copy)| {
                            let before = compile(parser, base, orig);
                            let after = compile(parser, base_copy, copy);
                            (orig.clone(), before.0 == Some(0), before == after)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let _ = std::fs::remove_dir_all(&tmp);

    let compiled_ok = results.iter().filter(|r| r.1).count();
    let identical = results.iter().filter(|r| r.2).count();
    let differing: Vec<_> = results.iter().filter(|r| !r.2).map(|r| r.0.display().to_string()).collect();
    eprintln!(
        "aa-fmt on Debian's policy: {} files formatted, {} changed, {} refused (syntax errors: {:?}); \
         {} profile files compiled ({} compile without error), {} identical compiled policy",
        figures.formatted,
        figures.changed,
        figures.refused.len(),
        figures.refused,
        results.len(),
        compiled_ok,
        identical
    );
    assert!(!results.is_empty(), "no profile files found in {POLICY}");
    assert!(differing.is_empty(), "compiled policy differs after formatting: {differing:?}");
}
