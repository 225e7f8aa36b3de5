//! Guarantee (4) on upstream's parser test corpus (read in place from
//! `../shared/upstream/tst`): every `#=EXRESULT PASS` test that formats is
//! compiled with the real `apparmor_parser` before and after formatting, as
//! upstream's driver runs it (from the `tst` folder, `-I simple_tests`,
//! `features_files/features.all`), and the outputs must be byte-identical.
//! Includes resolve to the unformatted upstream files on both sides; what is
//! compared is the formatting of the test file itself.
//!
//! A sample of one file in `AA_FMT_UPSTREAM_STRIDE` (default 8) keeps the
//! test quick; `AA_FMT_UPSTREAM_STRIDE=1` compiles all. Skips loudly without
//! the parser or the corpus.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use aa_fmt::{FormatOptions, format};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sd") {
            out.push(path);
        }
    }
}

/// Exit status and output, or `None` when the parser runs past 20 seconds
/// (3.0.8 loops forever on `regressions/ok_normalize.sd`, upstream issue
/// 398). `timeout` kills the parser's whole process group, forked workers
/// included.
fn compile(parser: &Path, tst: &Path, file: &Path) -> Option<(Option<i32>, Vec<u8>)> {
    let output = Command::new("timeout")
        .args(["-s", "KILL", "20"])
        .arg(parser)
        .current_dir(tst)
        .args(["--config-file=/dev/null", "-QKS", "-M", "features_files/features.all", "-I"])
        .arg(tst.join("simple_tests"))
        .arg(file)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    match output.status.code() {
        None | Some(124 | 137) => None,
        code => Some((code, output.stdout)),
    }
}

#[test]
fn upstream_pass_tests_compile_to_identical_binary_policy() {
    let tst = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/tst");
    let parser = PathBuf::from("/usr/sbin/apparmor_parser");
    if !parser.is_file() || !tst.join("simple_tests").is_dir() {
        eprintln!("SKIPPED: apparmor_parser or {} missing; NOT checked", tst.display());
        return;
    }
    let tst = tst.canonicalize().unwrap_or(tst);
    let stride: usize = std::env::var("AA_FMT_UPSTREAM_STRIDE").ok().and_then(|s| s.parse().ok()).unwrap_or(8).max(1);
    let mut all = Vec::new();
    files(&tst.join("simple_tests"), &mut all);
    all.sort();
    let tmp = std::env::temp_dir().join(format!("aa-fmt-upstream-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temporary directory");
    let mut jobs = Vec::new();
    for (i, path) in all.iter().enumerate().filter(|(i, _)| i % stride == 0) {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        if !text.contains("#=EXRESULT PASS") {
            continue;
        }
        let Ok(out) = format(&text, &FormatOptions::default()) else { continue };
        if out == text {
            continue;
        }
        let copy = tmp.join(format!("{i}.sd"));
        std::fs::write(&copy, out).expect("write the formatted copy");
        jobs.push((path.clone(), copy));
    }
    // (file, Some(identical)) or (file, None) when the parser timed out.
    let results: Vec<(String, Option<bool>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|w| {
                let (jobs, parser, tst) = (&jobs, &parser, &tst);
                scope.spawn(move || {
                    jobs.iter()
                        .skip(w)
                        .step_by(2)
                        .map(|(orig, copy)| {
                            let same = match compile(parser, tst, orig) {
                                None => None,
                                Some(before) => compile(parser, tst, copy).map(|after| before == after),
                            };
                            (orig.display().to_string(), same)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let _ = std::fs::remove_dir_all(&tmp);
    let timed_out: Vec<&String> = results.iter().filter(|r| r.1.is_none()).map(|r| &r.0).collect();
    let differing: Vec<&String> = results.iter().filter(|r| r.1 == Some(false)).map(|r| &r.0).collect();
    let identical = results.iter().filter(|r| r.1 == Some(true)).count();
    eprintln!(
        "upstream PASS tests (1 in {stride}): {} changed by formatting and compiled, {identical} identical, \
         {} differing, {} timed out {timed_out:?}",
        jobs.len(),
        differing.len(),
        timed_out.len()
    );
    assert!(differing.is_empty(), "compiled policy differs after formatting: {differing:?}");
}
