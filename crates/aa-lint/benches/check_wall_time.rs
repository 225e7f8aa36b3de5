//! Wall time of the real `aa-lint check` binary (release build) over
//! Debian's installed policy and over a synthetic collection of 2,000
//! profile files made from it (renamed copies of its profiles, which include
//! the installed abstractions). Run with
//! `cargo bench -p aa-lint --bench check_wall_time`; the figures are in
//! docs/performance.md. `AA_LINT_BENCH_RUNS` sets the runs per case (5).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ROOTS: &[&str] = &["/etc/apparmor.d", "/usr/share/apparmor/extra-profiles"];
const SYNTHETIC_FILES: usize = 2_000;

/// Profile files (not abstractions, tunables, local/ or NAME.d fragments).
fn profiles(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_file() && !name.starts_with('.') && name != "README" && !name.contains(".dpkg") {
            out.push(path);
        }
    }
}

fn run(label: &str, args: &[&str], runs: usize) {
    let mut times: Vec<Duration> = Vec::new();
    let mut summary = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
            .args(["--color", "never", "check", "--config-file", "/dev/null"])
            .args(args)
            .output()
            .expect("run aa-lint");
        times.push(start.elapsed());
        let stdout = String::from_utf8_lossy(&output.stdout);
        summary = stdout.lines().last().unwrap_or("").to_owned();
        assert!(output.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&output.stderr));
    }
    times.sort();
    println!(
        "{label}: min {:.3} s, median {:.3} s over {runs} runs\n    {summary}",
        times[0].as_secs_f64(),
        times[times.len() / 2].as_secs_f64()
    );
}

fn main() {
    let mut files = Vec::new();
    for root in ROOTS {
        profiles(Path::new(root), &mut files);
    }
    if files.is_empty() {
        println!("no installed AppArmor policy under {ROOTS:?}: nothing to measure");
        return;
    }
    let runs = std::env::var("AA_LINT_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    println!("cores: {}", std::thread::available_parallelism().map_or(1, |n| n.get()));

    run("debian tree, default lints", ROOTS, runs);
    run("debian tree, --select parser", &["--select", "parser", ROOTS[0], ROOTS[1]], runs);
    run("debian tree, --select all", &["--select", "all", ROOTS[0], ROOTS[1]], runs);

    let dir = std::env::temp_dir().join(format!("aa-lint-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for i in 0..SYNTHETIC_FILES {
        let source = &files[i % files.len()];
        let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read(source).expect("read profile");
        std::fs::write(dir.join(format!("{name}.copy{i:04}")), text).expect("write copy");
    }
    let synthetic = dir.display().to_string();
    run(&format!("synthetic {SYNTHETIC_FILES} files, default lints"), &[&synthetic], runs);
    run(&format!("synthetic {SYNTHETIC_FILES} files, --select parser"), &["--select", "parser", &synthetic], runs);
    let _ = std::fs::remove_dir_all(&dir);
}
