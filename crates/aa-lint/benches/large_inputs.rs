//! Wall time and peak memory of the real `aa-lint check` binary (default
//! lints) on the large inputs of issue 16, generated into a temporary
//! directory from real policy files:
//! - `garbage`: 10 MB of random base64 text (a log or binary opened by
//!   mistake);
//! - `concatenated`: every top-level profile file of the standard policy
//!   concatenated, the whole repeated until it is 10 MB (one file holding
//!   ~250 copies of the same profiles);
//! - `abstraction`: a profile including one 100,000-line abstraction, made
//!   of the policy's abstractions concatenated and repeated;
//! - `fan-out`: a profile including 5,000 files, each a renamed copy of
//!   one of the policy's abstractions.
//!
//! The standard policy is Debian's installed `/etc/apparmor.d`, else the
//! 4.1 policy of the oracle cache (`src/profiles/apparmor.d`). The goal is
//! at most 1 s and 200 MB per row on the project's 2-core machine; the
//! figures are in docs/fuzzing.md ("Large inputs").
//!
//! `cargo bench -p aa-lint --bench large_inputs` (or build the bench with
//! `--profile quick-release` and run it). Settings, from the environment:
//! - `AA_LINT_BENCH_RUNS`: runs per row (3; the median is reported);
//! - `AA_LINT_BENCH_MB`: the size of the generated single files (10);
//! - `AA_LINT_BENCH_ROWS`: a comma-separated subset of `garbage`,
//!   `concatenated`, `abstraction`, `fan-out`;
//! - `AA_LINT_BENCH_KEEP`: a directory to write the inputs to and keep
//!   (for profiling them), instead of a temporary one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ABSTRACTION_LINES: usize = 100_000;
const FAN_OUT_FILES: usize = 5_000;
const GNU_TIME: &str = "/usr/bin/time";

/// One measured run: wall time, peak resident memory, the summary line.
struct Sample {
    wall: Duration,
    max_rss_kib: u64,
    summary: String,
}

/// Runs `aa-lint check` with `args` under GNU time (for the peak RSS);
/// the wall time is measured here.
fn measure(args: &[std::ffi::OsString]) -> Sample {
    let aa_lint = Path::new(env!("CARGO_BIN_EXE_aa-lint"));
    let rss_file = std::env::temp_dir().join(format!("aa-lint-large-rss-{}", std::process::id()));
    let mut command = if Path::new(GNU_TIME).is_file() {
        let mut c = Command::new(GNU_TIME);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(aa_lint);
        c
    } else {
        Command::new(aa_lint)
    };
    command.args(["--color", "never", "check", "--config-file", "/dev/null", "--isolated"]);
    command.args(args).stdin(Stdio::null());
    let start = Instant::now();
    let output = command.output().unwrap_or_else(|e| panic!("run {command:?}: {e}"));
    let wall = start.elapsed();
    let code = output.status.code().unwrap_or(-1);
    assert!((0..=1).contains(&code), "{command:?} exited with {code}:\n{}", String::from_utf8_lossy(&output.stderr));
    let max_rss_kib = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(0);
    let _ = std::fs::remove_file(&rss_file);
    let summary = String::from_utf8_lossy(&output.stdout).lines().last().unwrap_or("").to_owned();
    Sample { wall, max_rss_kib, summary }
}

fn median(mut samples: Vec<Sample>) -> Sample {
    samples.sort_by_key(|s| s.wall);
    let middle = samples.len() / 2;
    samples.swap_remove(middle)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Debian's installed policy, else the 4.1 policy of the oracle cache.
fn standard_policy() -> PathBuf {
    let debian = PathBuf::from("/etc/apparmor.d");
    if debian.join("abstractions/base").is_file() {
        return debian;
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    home.join(".cache/apparmor-oracle/4.1.0/src/profiles/apparmor.d")
}

/// The regular files directly in `dir`, in name order, without those
/// `apparmor_parser` skips.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| !aa_hir::includes::is_skipped_file_name(&p.file_name().unwrap_or_default().to_string_lossy()))
        .collect();
    paths.sort();
    paths
}

fn read_all(files: &[PathBuf]) -> String {
    let mut text = String::new();
    for file in files {
        text.push_str(&std::fs::read_to_string(file).unwrap_or_default());
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

/// 10 MB (or `bytes`) of base64 text from a xorshift generator, in
/// 76-column lines.
fn garbage(bytes: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = String::with_capacity(bytes + bytes / 76);
    for i in 0..bytes {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push(ALPHABET[(state % 64) as usize] as char);
        if i % 76 == 75 {
            out.push('\n');
        }
    }
    out
}

/// `unit` repeated until the result holds at least `bytes` bytes.
fn repeated_to_size(unit: &str, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + unit.len());
    while out.len() < bytes {
        out.push_str(unit);
    }
    out
}

/// `unit`'s lines repeated until there are `lines` of them.
fn repeated_to_lines(unit: &str, lines: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for line in unit.lines().cycle().take(lines) {
        out.push_str(line);
        out.push('\n');
        count += 1;
    }
    debug_assert_eq!(count, lines);
    out
}

struct Row {
    label: String,
    size: String,
    sample: Sample,
}

fn run_row(rows: &mut Vec<Row>, runs: usize, label: &str, size: String, args: Vec<std::ffi::OsString>) {
    let sample = median((0..runs).map(|_| measure(&args)).collect());
    println!(
        "{label} ({size}): {:.3} s, {:.0} MiB; {}",
        sample.wall.as_secs_f64(),
        sample.max_rss_kib as f64 / 1024.0,
        sample.summary
    );
    rows.push(Row { label: label.to_owned(), size, sample });
}

fn main() {
    let runs = env_usize("AA_LINT_BENCH_RUNS", 3).max(1);
    let bytes = env_usize("AA_LINT_BENCH_MB", 10) * 1_000_000;
    let rows_wanted =
        std::env::var("AA_LINT_BENCH_ROWS").unwrap_or_else(|_| "garbage,concatenated,abstraction,fan-out".into());
    let wanted = |name: &str| rows_wanted.split(',').any(|r| r == name);
    let policy = standard_policy();
    let kept = std::env::var_os("AA_LINT_BENCH_KEEP").map(PathBuf::from);
    let scratch =
        kept.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("aa-lint-large-{}", std::process::id())));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    println!(
        "cores: {}; load average at start: {}; runs per row: {runs} (median); policy: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average(),
        policy.display()
    );
    let base = |args: &mut Vec<std::ffi::OsString>| {
        args.extend(["-I".into(), scratch.clone().into_os_string(), "--base".into(), policy.clone().into_os_string()]);
    };
    let abstractions = files_in(&policy.join("abstractions"));
    let mut rows = Vec::new();

    if wanted("garbage") {
        let file = scratch.join("garbage.txt");
        let text = garbage(bytes);
        std::fs::write(&file, &text).expect("write garbage");
        run_row(&mut rows, runs, "random base64", format!("{:.1} MB", text.len() as f64 / 1e6), vec![file.into()]);
    }
    if wanted("concatenated") {
        let profiles = read_all(&files_in(&policy));
        let file = scratch.join("concatenated.aa");
        let text = repeated_to_size(&profiles, bytes);
        std::fs::write(&file, &text).expect("write concatenated");
        let copies = text.len() / profiles.len().max(1);
        let size = format!("{:.1} MB, {copies} copies of {} KB", text.len() as f64 / 1e6, profiles.len() / 1000);
        let mut args = Vec::new();
        base(&mut args);
        args.push(file.into());
        run_row(&mut rows, runs, "the policy's profiles concatenated", size, args);
    }
    if wanted("abstraction") {
        let unit = read_all(&abstractions);
        let text = repeated_to_lines(&unit, ABSTRACTION_LINES);
        std::fs::create_dir_all(scratch.join("abstractions")).expect("abstractions dir");
        std::fs::write(scratch.join("abstractions/huge"), &text).expect("write abstraction");
        let profile = scratch.join("uses-huge-abstraction");
        std::fs::write(
            &profile,
            "abi <abi/3.0>,\ninclude <tunables/global>\n\nprofile huge /usr/bin/huge {\n  include <abstractions/huge>\n}\n",
        )
        .expect("write profile");
        let size = format!("{ABSTRACTION_LINES} lines, {:.1} MB", text.len() as f64 / 1e6);
        let mut args = Vec::new();
        base(&mut args);
        args.push(profile.into());
        run_row(&mut rows, runs, "a profile including one huge abstraction", size, args);
    }
    if wanted("fan-out") {
        let dir = scratch.join("fanout");
        std::fs::create_dir_all(&dir).expect("fan-out dir");
        let mut profile =
            String::from("abi <abi/3.0>,\ninclude <tunables/global>\n\nprofile fanout /usr/bin/fanout {\n");
        let mut total = 0;
        for i in 0..FAN_OUT_FILES {
            let source = &abstractions[i % abstractions.len()];
            let text = std::fs::read_to_string(source).unwrap_or_default();
            total += text.len();
            let name = format!("{}-{i:04}", source.file_name().unwrap_or_default().to_string_lossy());
            std::fs::write(dir.join(&name), text).expect("write fan-out file");
            let _ = writeln!(profile, "  include <fanout/{name}>");
        }
        profile.push_str("}\n");
        let file = scratch.join("uses-fanout");
        std::fs::write(&file, profile).expect("write fan-out profile");
        let size = format!("{FAN_OUT_FILES} files, {:.1} MB", total as f64 / 1e6);
        let mut args = Vec::new();
        base(&mut args);
        args.push(file.into());
        run_row(&mut rows, runs, "a profile including 5,000 files", size, args);
    }
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&scratch);
    }

    println!("\nload average at the end: {}\n", load_average());
    println!("| input | size | wall | peak RSS |");
    println!("| --- | --- | ---: | ---: |");
    for row in &rows {
        println!(
            "| {} | {} | {:.2} s | {:.0} MiB |",
            row.label,
            row.size,
            row.sample.wall.as_secs_f64(),
            row.sample.max_rss_kib as f64 / 1024.0
        );
    }
}
