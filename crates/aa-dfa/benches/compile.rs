//! Compiling file-rule-heavy profiles: our compiler vs spawning
//! `apparmor_parser -QKS` on the same profile text.
//! `cargo bench -p aa-dfa --bench compile`; the parser half is skipped
//! (loudly) when the parser is not installed.

use std::path::PathBuf;
use std::process::Command;

use aa_dfa::{CompileOptions, Features, FileRule, Limits, ProfileInput, compile_profile};
use criterion::{Criterion, criterion_group, criterion_main};

/// A deterministic file-rule-heavy profile of `n` rules.
fn rules(n: usize) -> Vec<(String, &'static str)> {
    let dirs = ["etc", "usr/lib", "usr/share", "var/lib", "opt/app", "home/*", "proc/*"];
    let perms = ["r", "rw", "mr", "rk", "w", "r", "ix"];
    (0..n)
        .map(|i| {
            let d = dirs[i % dirs.len()];
            let path = match i % 5 {
                0 => format!("/{d}/f{i}"),
                1 => format!("/{d}/dir{i}/**"),
                2 => format!("/{d}/*.so.{i}"),
                3 => format!("/{d}/{{a,b}}{i}/*"),
                _ => format!("/{d}/x{i}/[a-f]*"),
            };
            (path, perms[i % perms.len()])
        })
        .collect()
}

fn input(n: usize) -> ProfileInput {
    ProfileInput {
        name: "bench".into(),
        files: rules(n).iter().map(|(p, m)| FileRule::parse(p, m).expect("bench rule")).collect(),
        ..ProfileInput::default()
    }
}

fn text(n: usize) -> String {
    let body: String = rules(n).iter().map(|(p, m)| format!("  {p} {m},\n")).collect();
    format!("profile bench {{\n{body}}}\n")
}

fn features_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/features/default")
}

fn bench(c: &mut Criterion) {
    let feats = Features::parse(&std::fs::read_to_string(features_path()).unwrap_or_default());
    let opts = CompileOptions {
        target: aa_dfa::Target::of(aa_dfa::Version::V3_0),
        features: feats,
        limits: Limits::default(),
        keep_rules: true,
    };
    let parser =
        ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"].into_iter().find(|p| std::path::Path::new(p).exists());
    if parser.is_none() {
        eprintln!("!!! apparmor_parser not installed: only our compiler is measured !!!");
    }
    for n in [50, 200, 800] {
        let inp = input(n);
        c.bench_function(&format!("aa-dfa/{n}-rules"), |b| b.iter(|| compile_profile(&inp, &opts).expect("compiles")));
        if let Some(parser) = parser {
            let path = std::env::temp_dir().join(format!("aa-dfa-bench-{n}.aa"));
            std::fs::write(&path, text(n)).expect("temp profile");
            c.bench_function(&format!("apparmor_parser/{n}-rules"), |b| {
                b.iter(|| {
                    let out = Command::new(parser)
                        .arg("--config-file=/dev/null")
                        .arg("-QKS")
                        .arg("-M")
                        .arg(features_path())
                        .arg(&path)
                        .output()
                        .expect("apparmor_parser runs");
                    assert!(out.status.success());
                })
            });
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
