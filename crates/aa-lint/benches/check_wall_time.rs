//! Wall time and peak memory of the real `aa-lint check` binary on the
//! profile collections people maintain, side by side in the same run with
//! the Python `apparmor-language-server` 0.10.0 (`apparmor-lint
//! --no-parser`, in a venv this benchmark sets up under
//! `~/.cache/aa-lint-bench/`) on the same files.
//!
//! Rows:
//! - `../shared/corpus/apparmor.d` (the apparmor.d collection, sources) over
//!   the standard policy of AppArmor 4.1 (`src/profiles/apparmor.d` of the
//!   cache that `../shared/oracle/build-apparmor-parser.sh 4.1.0` fills;
//!   Debian's `/etc/apparmor.d` when it is missing), and copies of it made
//!   2× and 4× larger (every profile copied under a new file and profile
//!   name, the abstractions and tunables shared);
//! - `../shared/corpus/apparmor.d-prebuilt` (the same collection as
//!   installed: 1,576 profiles in one folder, self-contained), 1×, 2×, 4×;
//! - Debian's installed tree, and a synthetic 2,000-file tree made of
//!   renamed copies of Debian's profiles (aa-lint only).
//!
//! `cargo bench -p aa-lint --bench check_wall_time`; the figures are in
//! docs/performance.md. Settings, from the environment:
//! - `AA_LINT_BENCH_RUNS`: aa-lint runs per row (3; the median is reported);
//! - `AA_LINT_BENCH_PYTHON_RUNS`: Python runs per row (1: one run of the 4×
//!   tree takes a quarter of an hour); `0` skips the Python linter;
//! - `AA_LINT_BENCH_PYTHON_MAX_SCALE`: the largest copy (1, 2 or 4) the
//!   Python linter runs on (4);
//! - `AA_LINT_BENCH_SELECT`: a `--select` for aa-lint (the default lints);
//! - `AA_LINT_BENCH_ROWS`: a comma-separated subset of `source`, `prebuilt`,
//!   `debian`, `synthetic`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PYTHON_PACKAGE: &str = "apparmor-language-server";
const PYTHON_VERSION: &str = "0.10.0";
const DEBIAN_ROOTS: &[&str] = &["/etc/apparmor.d", "/usr/share/apparmor/extra-profiles"];
const SYNTHETIC_FILES: usize = 2_000;

/// One measured run: wall time, peak resident memory, what it found.
struct Sample {
    wall: Duration,
    max_rss_kib: u64,
    findings: String,
}

/// GNU time, which reports a process's peak resident memory (`%M`).
const GNU_TIME: &str = "/usr/bin/time";

/// Runs `program args` to its end under GNU time (for the peak RSS), its
/// output kept; the wall time is measured here.
fn measure(program: &Path, args: &[std::ffi::OsString], findings: fn(&str) -> String) -> Sample {
    let rss_file = std::env::temp_dir().join(format!("aa-lint-bench-rss-{}", std::process::id()));
    let timed = Path::new(GNU_TIME).is_file();
    let mut command = if timed {
        let mut c = Command::new(GNU_TIME);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(program);
        c
    } else {
        Command::new(program)
    };
    command.args(args).stdin(Stdio::null());
    let start = Instant::now();
    let output = command.output().unwrap_or_else(|e| panic!("run {command:?}: {e}"));
    let wall = start.elapsed();
    let code = output.status.code().unwrap_or(-1);
    assert!(
        (0..=1).contains(&code),
        "{command:?} exited with {code}:\n{}",
        tail(&String::from_utf8_lossy(&output.stderr))
    );
    let max_rss_kib = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(0);
    let _ = std::fs::remove_file(&rss_file);
    Sample { wall, max_rss_kib, findings: findings(&String::from_utf8_lossy(&output.stdout)) }
}

fn os_args(args: &[&str]) -> Vec<std::ffi::OsString> {
    args.iter().map(|a| a.into()).collect()
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// aa-lint's summary line ("Found N errors, N warnings ... in N files").
fn aa_lint_findings(stdout: &str) -> String {
    stdout.lines().last().unwrap_or("").to_owned()
}

/// One line per diagnostic: `path:line:col: severity: message [code] (source)`.
fn python_findings(stdout: &str) -> String {
    let count = |severity: &str| stdout.lines().filter(|l| l.contains(&format!(": {severity}: "))).count();
    format!(
        "{} errors, {} warnings, {} infos, {} hints",
        count("error"),
        count("warning"),
        count("info"),
        count("hint")
    )
}

fn median(mut samples: Vec<Sample>) -> Sample {
    samples.sort_by_key(|s| s.wall);
    let middle = samples.len() / 2;
    samples.swap_remove(middle)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Every file `aa-lint check DIR` reads as an input: the directory walked
/// recursively in name order, skipping what `apparmor_parser` skips, the
/// `abi` folders and aa-lint's own configuration.
fn input_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if aa_hir::includes::is_skipped_file_name(&name) || name == "aa-lint.toml" {
            continue;
        }
        if path.is_dir() {
            if name != "abi" {
                input_files(&path, out);
            }
        } else if path.is_file() {
            out.push(path);
        }
    }
}

/// `text` with its top-level profile names given `suffix` (`profile NAME`
/// at the start of a line; a path name is an attachment and stays).
fn rename_profiles(text: &str, suffix: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        match line.strip_prefix("profile ") {
            Some(rest) if !rest.starts_with(['/', '@']) => {
                let (name, after) = match rest.strip_prefix('"') {
                    Some(quoted) => {
                        let end = quoted.find('"').unwrap_or(quoted.len());
                        (&rest[..end + 1], &rest[end + 1..])
                    }
                    None => rest.split_at(rest.find(|c: char| c.is_whitespace() || c == '{').unwrap_or(rest.len())),
                };
                let _ = write!(out, "profile {name}{suffix}{after}");
            }
            _ => out.push_str(line),
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("read tree").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else if entry.path().is_file() {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// Writes a `scale`× copy of `tree` under `out`: the tree itself, plus
/// `scale - 1` renamed copies of every profile file (those `is_profile`
/// picks, relative to the tree), each `NAME.copyK` holding profile
/// `NAME.copyK`.
fn scaled_tree(tree: &Path, out: &Path, scale: usize, is_profile: fn(&Path) -> bool) {
    copy_tree(tree, out);
    let mut files = Vec::new();
    input_files(tree, &mut files);
    for file in files {
        let relative = file.strip_prefix(tree).expect("under the tree");
        if !is_profile(relative) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for k in 1..scale {
            let suffix = format!(".copy{k}");
            let name = format!("{}{suffix}", relative.file_name().unwrap_or_default().to_string_lossy());
            let target = out.join(relative).with_file_name(name);
            std::fs::write(target, rename_profiles(&text, &suffix)).expect("write copy");
        }
    }
}

/// In the source tree, profiles are the files under `profiles-*/` and `groups/`.
fn source_profile(relative: &Path) -> bool {
    let first = relative.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
    first.is_some_and(|f| f.starts_with("profiles-") || f == "groups")
}

/// In the prebuilt tree, profiles are the top-level files.
fn prebuilt_profile(relative: &Path) -> bool {
    relative.components().count() == 1
}

/// The Python linter's venv, created on first use.
fn python_linter() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let venv = Path::new(&home).join(format!(".cache/aa-lint-bench/python-als-{PYTHON_VERSION}"));
    let linter = venv.join("bin/apparmor-lint");
    if linter.is_file() {
        return Some(linter);
    }
    eprintln!("setting up {PYTHON_PACKAGE} {PYTHON_VERSION} in {}", venv.display());
    let ok = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", &format!("{PYTHON_PACKAGE}=={PYTHON_VERSION}")])
            .status()
            .is_ok_and(|s| s.success());
    if ok && linter.is_file() {
        Some(linter)
    } else {
        eprintln!("could not install {PYTHON_PACKAGE} {PYTHON_VERSION}: the Python columns stay empty");
        None
    }
}

struct Settings {
    runs: usize,
    python_runs: usize,
    python_max_scale: usize,
    select: Option<String>,
    python: Option<PathBuf>,
}

struct Row {
    label: String,
    files: usize,
    ours: Sample,
    python: Option<Sample>,
}

/// Runs both linters over `tree` (aa-lint on the directory, the Python
/// linter on the same files), with search directories `include` then `base`.
fn row(settings: &Settings, label: &str, tree: &Path, include: Option<&Path>, base: &Path, scale: usize) -> Row {
    let mut files = Vec::new();
    input_files(tree, &mut files);
    let mut args = os_args(&["--color", "never", "check", "--config-file", "/dev/null", "--isolated"]);
    if let Some(select) = &settings.select {
        args.extend(os_args(&["--select", select]));
    }
    if let Some(include) = include {
        args.extend(["-I".into(), include.into()]);
    }
    args.extend(["--base".into(), base.into(), tree.into()]);
    let aa_lint = Path::new(env!("CARGO_BIN_EXE_aa-lint"));
    let ours = median((0..settings.runs).map(|_| measure(aa_lint, &args, aa_lint_findings)).collect());
    let python = settings.python.as_ref().filter(|_| scale <= settings.python_max_scale && settings.python_runs > 0);
    let python = python.map(|linter| {
        let mut args = os_args(&["--no-parser", "-b"]);
        args.push(base.into());
        if let Some(include) = include {
            args.extend(["-I".into(), include.into()]);
        }
        args.extend(files.iter().map(|f| f.into()));
        median((0..settings.python_runs).map(|_| measure(linter, &args, python_findings)).collect())
    });
    let row = Row { label: label.to_owned(), files: files.len(), ours, python };
    print_row(&row);
    row
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print_row(row: &Row) {
    let mut line = format!(
        "{}: {} files; aa-lint {:.3} s, {:.0} MiB, {}",
        row.label,
        row.files,
        row.ours.wall.as_secs_f64(),
        mib(row.ours.max_rss_kib),
        row.ours.findings
    );
    if let Some(python) = &row.python {
        let _ = write!(
            line,
            "; Python {:.1} s, {:.0} MiB, {} ({:.0}× our time)",
            python.wall.as_secs_f64(),
            mib(python.max_rss_kib),
            python.findings,
            python.wall.as_secs_f64() / row.ours.wall.as_secs_f64()
        );
    }
    println!("{line}");
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The standard policy the source tree is written to sit on.
fn standard_policy() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let upstream = home.join(".cache/apparmor-oracle/4.1.0/src/profiles/apparmor.d");
    if upstream.join("abstractions/base").is_file() { upstream } else { PathBuf::from("/etc/apparmor.d") }
}

fn main() {
    let settings = Settings {
        runs: env_usize("AA_LINT_BENCH_RUNS", 3).max(1),
        python_runs: env_usize("AA_LINT_BENCH_PYTHON_RUNS", 1),
        python_max_scale: env_usize("AA_LINT_BENCH_PYTHON_MAX_SCALE", 4),
        select: std::env::var("AA_LINT_BENCH_SELECT").ok(),
        python: if env_usize("AA_LINT_BENCH_PYTHON_RUNS", 1) > 0 { python_linter() } else { None },
    };
    let rows_wanted = std::env::var("AA_LINT_BENCH_ROWS").unwrap_or_else(|_| "source,prebuilt,debian,synthetic".into());
    let wanted = |name: &str| rows_wanted.split(',').any(|r| r == name);
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let policy = standard_policy();
    println!(
        "cores: {}; load average at start: {}; aa-lint runs per row: {} (median), Python runs: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average(),
        settings.runs,
        settings.python_runs
    );
    println!("standard policy: {}", policy.display());
    let scratch = std::env::temp_dir().join(format!("aa-lint-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let mut rows = Vec::new();

    let source = corpus.join("apparmor.d");
    if wanted("source") && source.is_dir() {
        for scale in [1, 2, 4] {
            let tree = if scale == 1 {
                source.clone()
            } else {
                let tree = scratch.join(format!("source-{scale}x"));
                scaled_tree(&source, &tree, scale, source_profile);
                tree
            };
            let label = format!("apparmor.d over the standard policy, {scale}×");
            rows.push(row(&settings, &label, &tree, Some(&tree), &policy, scale));
        }
    }
    let prebuilt = corpus.join("apparmor.d-prebuilt");
    if wanted("prebuilt") && prebuilt.is_dir() {
        for scale in [1, 2, 4] {
            let tree = if scale == 1 {
                prebuilt.clone()
            } else {
                let tree = scratch.join(format!("prebuilt-{scale}x"));
                scaled_tree(&prebuilt, &tree, scale, prebuilt_profile);
                tree
            };
            let label = format!("apparmor.d-prebuilt, {scale}×");
            rows.push(row(&settings, &label, &tree, None, &tree, scale));
        }
    }
    let no_python = Settings { python: None, select: settings.select.clone(), ..settings };
    if wanted("debian") && Path::new(DEBIAN_ROOTS[0]).is_dir() {
        let mut args = os_args(&["--color", "never", "check", "--config-file", "/dev/null", "--isolated"]);
        args.extend(os_args(DEBIAN_ROOTS));
        let aa_lint = Path::new(env!("CARGO_BIN_EXE_aa-lint"));
        let median = median((0..no_python.runs).map(|_| measure(aa_lint, &args, aa_lint_findings)).collect());
        let mut files = Vec::new();
        for root in DEBIAN_ROOTS {
            input_files(Path::new(root), &mut files);
        }
        let row = Row {
            label: "Debian's tree (/etc/apparmor.d, extra-profiles)".into(),
            files: files.len(),
            ours: median,
            python: None,
        };
        print_row(&row);
        rows.push(row);
    }
    if wanted("synthetic") && Path::new(DEBIAN_ROOTS[0]).is_dir() {
        let dir = scratch.join("synthetic");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut files = Vec::new();
        for root in DEBIAN_ROOTS {
            let mut all = Vec::new();
            input_files(Path::new(root), &mut all);
            // Profiles only: the top level of each root.
            files.extend(all.into_iter().filter(|f| f.parent() == Some(Path::new(root))));
        }
        for i in 0..SYNTHETIC_FILES {
            let source = &files[i % files.len()];
            let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let text = std::fs::read(source).expect("read profile");
            std::fs::write(dir.join(format!("{name}.copy{i:04}")), text).expect("write copy");
        }
        let label = format!("synthetic: {SYNTHETIC_FILES} renamed copies of Debian's profiles");
        rows.push(row(&no_python, &label, &dir, None, Path::new(DEBIAN_ROOTS[0]), 1));
    }
    let _ = std::fs::remove_dir_all(&scratch);

    println!("\nload average at the end: {}\n", load_average());
    println!(
        "| tree | files | aa-lint wall | aa-lint peak RSS | Python wall | Python peak RSS | Python / aa-lint time |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for row in &rows {
        let (wall, rss, ratio) = match &row.python {
            Some(p) => (
                format!("{:.1} s", p.wall.as_secs_f64()),
                format!("{:.0} MiB", mib(p.max_rss_kib)),
                format!("{:.0}×", p.wall.as_secs_f64() / row.ours.wall.as_secs_f64()),
            ),
            None => ("".into(), "".into(), "".into()),
        };
        println!(
            "| {} | {} | {:.3} s | {:.0} MiB | {wall} | {rss} | {ratio} |",
            row.label,
            row.files,
            row.ours.wall.as_secs_f64(),
            mib(row.ours.max_rss_kib)
        );
    }
}
