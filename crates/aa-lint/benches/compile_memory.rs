//! Peak memory (maximum resident set size) of `aa-lint compile` and of
//! `apparmor_parser -QKS` on Debian's installed policy, with the same
//! features file: the whole batch in one command, then every file on its
//! own. Run with `cargo bench -p aa-lint --bench compile_memory`; the
//! figures are in docs/dfa-performance.md ("Memory").
//!
//! Both tools run under GNU time (`/usr/bin/time -f '%M %U'`), whose
//! maximum resident size is that of the largest single process (the
//! parser's job processes are measured one by one, not summed).
//! `AA_LINT_BENCH_PER_FILE=0` skips the per-file runs (about 30 s).

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOTS: &[&str] = &["/etc/apparmor.d", "/usr/share/apparmor/extra-profiles"];
const FEATURES: &str = "/usr/share/apparmor-features/features";
const TIME: &str = "/usr/bin/time";
const PARSER: &str = "apparmor_parser";

/// The top-level files of the policy directories, as
/// `crates/aa-compile/tests/debian_equivalence.rs` compiles them.
fn corpus() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in ROOTS {
        let Ok(entries) = std::fs::read_dir(root) else { continue };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        out.extend(paths.into_iter().filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README")));
    }
    out
}

/// Max resident KiB and user CPU seconds of one command.
struct Peak {
    kib: u64,
    user: f64,
}

fn measure(program: &str, args: &[&str], files: &[&Path], env: &[(&str, &str)]) -> Option<Peak> {
    let out = Command::new(TIME)
        .args(["-f", "%M %U", program])
        .args(args)
        .args(files)
        .envs(env.iter().copied())
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut last = stderr.lines().last()?.split_whitespace();
    Some(Peak { kib: last.next()?.parse().ok()?, user: last.next()?.parse().ok()? })
}

fn ours(files: &[&Path], threads: Option<&str>) -> Option<Peak> {
    let env: Vec<(&str, &str)> = threads.map(|t| ("RAYON_NUM_THREADS", t)).into_iter().collect();
    measure(env!("CARGO_BIN_EXE_aa-lint"), &["compile", "-M", FEATURES], files, &env)
}

fn theirs(files: &[&Path], jobs: Option<&str>) -> Option<Peak> {
    let mut args = vec!["--config-file=/dev/null", "-QKS", "-M", FEATURES];
    if let Some(j) = jobs {
        args.push("-j");
        args.push(j);
    }
    measure(PARSER, &args, files, &[])
}

fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 * 1024.0 / 1e6)
}

fn row(label: &str, ours: &Option<Peak>, theirs: &Option<Peak>) {
    let show = |p: &Option<Peak>| p.as_ref().map_or("-".to_owned(), |p| format!("{} ({:.2} s CPU)", mb(p.kib), p.user));
    let ratio = match (ours, theirs) {
        (Some(o), Some(t)) => format!("{:.2}", o.kib as f64 / t.kib as f64),
        _ => "-".to_owned(),
    };
    println!("| {label} | {} | {} | {ratio} |", show(ours), show(theirs));
}

fn main() {
    let files = corpus();
    if files.is_empty() || !Path::new(FEATURES).exists() || !Path::new(TIME).exists() {
        eprintln!("compile_memory: needs Debian's policy, {FEATURES} and GNU time ({TIME}); skipped");
        return;
    }
    let all: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    println!("{} files; max resident size (user CPU)\n", all.len());
    println!("| run | aa-lint compile | apparmor_parser -QKS | ours / parser |");
    println!("|---|---:|---:|---:|");
    // `compile` uses one thread unless RAYON_NUM_THREADS says otherwise;
    // the parser one job per core.
    row("batch, defaults (1 thread / one job per core)", &ours(&all, None), &theirs(&all, None));
    row("batch, 2 threads / `-j 2`", &ours(&all, Some("2")), &theirs(&all, Some("2")));
    row("batch, 1 thread / `-j 1`", &ours(&all, Some("1")), &theirs(&all, Some("1")));
    if std::env::var("AA_LINT_BENCH_PER_FILE").is_ok_and(|v| v == "0") {
        return;
    }
    let mut per_file: Vec<(&Path, u64, u64)> = Vec::new();
    for f in &all {
        if let (Some(o), Some(t)) = (ours(&[f], None), theirs(&[f], None)) {
            per_file.push((f, o.kib, t.kib));
        }
    }
    let Some(our_max) = per_file.iter().max_by_key(|r| r.1) else { return };
    let Some(their_max) = per_file.iter().max_by_key(|r| r.2) else { return };
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ratios = {
        let mut r: Vec<f64> = per_file.iter().map(|r| r.1 as f64 / r.2 as f64).collect();
        r.sort_by(f64::total_cmp);
        r
    };
    println!();
    println!("| per file | aa-lint compile | apparmor_parser -QKS | ours / parser |");
    println!("|---|---:|---:|---:|");
    for (label, r) in [("our largest", our_max), ("the parser's largest", their_max)] {
        println!("| {label}: {} | {} | {} | {:.2} |", name(r.0), mb(r.1), mb(r.2), r.1 as f64 / r.2 as f64);
    }
    let smaller = per_file.iter().filter(|r| r.1 < r.2).count();
    println!(
        "\nper file: ours / parser from {:.2} to {:.2}, median {:.2}; ours smaller on {smaller} of {} files",
        ratios[0],
        ratios[ratios.len() - 1],
        ratios[ratios.len() / 2],
        per_file.len()
    );
}
