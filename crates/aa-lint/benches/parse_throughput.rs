//! Parse throughput over the AppArmor policy installed on this machine.
//!
//! Reads every file under `/etc/apparmor.d` and
//! `/usr/share/apparmor/extra-profiles` (Debian's `apparmor`,
//! `apparmor-profiles` and `apparmor-profiles-extra`) into memory first, then
//! measures `aa_syntax::tokenize` and `aa_syntax::parse` over all of them,
//! reported in bytes per second. Run with
//! `cargo bench -p aa-lint --bench parse_throughput`.
//!
//! It uses the allocator the `aa-lint` binary uses (mimalloc), so the figure
//! is what the command-line tool gets.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[global_allocator]
static ALLOCATOR: aa_alloc::MiMalloc = aa_alloc::MiMalloc;

const ROOTS: &[&str] = &["/etc/apparmor.d", "/usr/share/apparmor/extra-profiles"];

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        // `symlink_metadata`: do not follow links out of the tree or into loops.
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => collect(&path, out),
            Ok(meta) if meta.is_file() => out.push(path),
            _ => {}
        }
    }
}

fn corpus() -> Vec<String> {
    let mut paths = Vec::new();
    for root in ROOTS {
        collect(Path::new(root), &mut paths);
    }
    paths.into_iter().filter_map(|path| std::fs::read_to_string(path).ok()).collect()
}

fn bench(c: &mut Criterion) {
    // The options `aa-lint` sets first thing in `main`.
    aa_alloc::configure();
    let texts = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    eprintln!("corpus: {} files, {} bytes (from {})", texts.len(), bytes, ROOTS.join(", "));
    if texts.is_empty() {
        eprintln!("no AppArmor policy installed; install apparmor-profiles to run this benchmark");
        return;
    }

    let mut group = c.benchmark_group("apparmor.d");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("tokenize", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(aa_syntax::tokenize(black_box(text)));
            }
        })
    });
    group.bench_function("parse", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(aa_syntax::parse(black_box(text)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
