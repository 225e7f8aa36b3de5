//! How long `exec` and `query --label` take to answer on apparmor.d's
//! built policy (`../shared/corpus/apparmor.d-prebuilt`, 1,576 profiles),
//! once the policy is read and the layers asked about are compiled, as in
//! a long-lived process (the language server, a review session); the cold
//! figures (reading and indexing every file, the first answer with its
//! compiles) are printed beside them.
//!
//! `cargo bench --profile quick-release -p aa-compile --bench stack_answers`
//!
//! Each question is asked `AA_LINT_BENCH_REPEAT` times (default 20) and its
//! median and slowest time are printed. Not a timed test: the figures go to
//! `docs/stacks.md`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aa_compile::options;
use aa_compile::stack::StackPolicy;
use aa_compile::stack::exec::{Program, exec};
use aa_compile::stack::perms::label_permissions;
use aa_dfa::perms::old;
use aa_hir::db::{Db, File, RootDatabase};
use aa_label::Label;
use aa_test_utils::FsLoader;

/// Real questions about the built collection: what a program becomes when
/// a task runs it, and what a (stacked) label may open.
enum Question {
    Exec { label: &'static str, program: &'static str },
    Query { label: &'static str, path: &'static str },
}

const QUESTIONS: &[Question] = &[
    // Attachment among every top-level profile of the policy.
    Question::Exec { label: "unconfined", program: "/usr/bin/firefox" },
    Question::Exec { label: "unconfined", program: "/usr/bin/evince" },
    // A profile's own exec rules, one of them a stack.
    Question::Exec { label: "firefox", program: "/usr/bin/bwrap" },
    Question::Exec { label: "firefox", program: "/usr/bin/evince" },
    Question::Exec { label: "systemd", program: "/usr/lib/systemd/systemd-journald" },
    // Permissions of one layer and of a stack.
    Question::Query { label: "firefox", path: "/home/user/.mozilla/firefox/profiles.ini" },
    Question::Query { label: "firefox//&evince", path: "/home/user/Downloads/a.pdf" },
    Question::Query { label: "firefox//&glycin", path: "/usr/share/glycin-loaders/2+/conf.d/a.conf" },
];

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/apparmor.d-prebuilt")
}

fn roots(db: &RootDatabase, dir: &std::path::Path) -> Vec<File> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the prebuilt folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .collect();
    paths.sort();
    paths.iter().map(|p| db.file(p)).collect()
}

fn ask(policy: &StackPolicy<'_>, q: &Question) -> String {
    match q {
        Question::Exec { label, program } => {
            let out = exec(policy, &Label::parse(label).unwrap(), &Program { path: program, xattrs: &[] });
            match out.result {
                Ok(l) => l.to_string(),
                Err(e) => format!("denied: {e}"),
            }
        }
        Question::Query { label, path } => {
            let answer = label_permissions(policy, &Label::parse(label).unwrap(), path);
            let letters = [(old::READ, 'r'), (old::WRITE, 'w'), (old::APPEND, 'a'), (old::LINK, 'l'), (old::LOCK, 'k')];
            let half = |bits: u32| -> String {
                let s: String = letters.iter().filter(|(bit, _)| bits & bit != 0).map(|(_, c)| *c).collect();
                if s.is_empty() { "-".to_owned() } else { s }
            };
            format!("owner {}, other {}", half(answer.owner), half(answer.other))
        }
    }
}

fn describe(q: &Question) -> String {
    match q {
        Question::Exec { label, program } => format!("exec {label} {program}"),
        Question::Query { label, path } => format!("query --label {label} {path}"),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let dir = corpus();
    if !dir.is_dir() {
        eprintln!("skipped: {} is missing", dir.display());
        return;
    }
    let repeat: usize = std::env::var("AA_LINT_BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let start = Instant::now();
    let db = RootDatabase::new(Arc::new(FsLoader), Vec::new(), dir.clone(), dir.clone());
    let files = roots(&db, &dir);
    let policy = StackPolicy::new(&db, &files, options(common::features()));
    let indexed = start.elapsed();
    println!(
        "policy: {} files, {} profiles, read and indexed in {}",
        files.len(),
        policy.profiles().len(),
        ms(indexed)
    );
    println!("| question | answer | first (cold) | median after | slowest after |");
    println!("| --- | --- | ---: | ---: | ---: |");
    for q in QUESTIONS {
        let t = Instant::now();
        let answer = ask(&policy, q);
        let first = t.elapsed();
        let mut times: Vec<Duration> = (0..repeat)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(ask(&policy, q));
                t.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "| `{}` | {} | {} | {} | {} |",
            describe(q),
            answer.replace('|', "\\|"),
            ms(first),
            ms(times[times.len() / 2]),
            ms(*times.last().unwrap())
        );
    }
}
