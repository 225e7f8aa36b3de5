//! Many small generated profiles through the whole pipeline (text → model
//! → lowering → DFA) against `apparmor_parser` 3.0.8: overlapping globs,
//! deny carve-outs, exec modes and named transitions, owner, audit, link
//! rules. A profile the parser accepts must compile to equivalent DFAs; a
//! profile it rejects (conflicting exec modes) must be rejected by us too.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use aa_compile::compare::compare_profile;
use aa_compile::{compile_diagnostics, compile_policy};
use aa_dfa::Policy;
use aa_hir::db::{Db, MemoryLoader, RootDatabase};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const DIRS: &[&str] = &["/a", "/a/b", "/b", "/a/bc", "/usr/bin"];
const TAILS: &[&str] = &["*", "**", "x", "{x,y}", "[a-c]*", "?", "x*", "**/y", "b*", "{,z}"];
const PLAIN: &[&str] = &["r", "w", "rw", "a", "m", "k", "rk", "mr", "l", "rwl", "ra"];
const EXEC: &[&str] = &["ix", "px", "Px", "cx", "Cx", "ux", "Ux", "pix", "Pix", "cix", "PUx", "pux", "rix", "mrPx"];
const TARGETS: &[&str] = &["foo", "bar", "&baz", "/usr/bin/q"];

fn path(rng: &mut Rng) -> String {
    format!("{}/{}", rng.pick(DIRS), rng.pick(TAILS))
}

fn rule(rng: &mut Rng) -> String {
    let mut q = String::new();
    if rng.chance(10) {
        q.push_str("audit ");
    }
    let deny = rng.chance(20);
    if deny {
        q.push_str("deny ");
    }
    if rng.chance(25) {
        q.push_str("owner ");
    }
    match rng.next() % 10 {
        0 => {
            let subset = if rng.chance(50) { "subset " } else { "" };
            format!("{q}link {subset}{} -> {},", path(rng), path(rng))
        }
        1..=3 if !deny => {
            let x = rng.pick(EXEC);
            let target = if (x.contains('p') || x.contains('P') || x.contains('c') || x.contains('C')) && rng.chance(40)
            {
                format!(" -> {}", rng.pick(TARGETS))
            } else {
                String::new()
            };
            format!("{q}{} {x}{target},", path(rng))
        }
        1..=3 => format!("{q}{} x,", path(rng)),
        _ => format!("{q}{} {},", path(rng), rng.pick(PLAIN)),
    }
}

fn profile(rng: &mut Rng, i: usize) -> String {
    let n = 2 + (rng.next() % 7) as usize;
    let rules: Vec<String> = (0..n).map(|_| format!("  {}\n", rule(rng))).collect();
    let header = match rng.next() % 4 {
        0 => format!("profile p{i} /usr/bin/p{i}*"),
        1 => format!("/usr/bin/p{i}"),
        _ => format!("profile p{i}"),
    };
    let hat = if rng.chance(15) { format!("  ^h {{\n    {}\n  }}\n", rule(rng)) } else { String::new() };
    format!("{header} {{\n{}{hat}}}\n", rules.concat())
}

#[test]
fn generated_profiles_match_the_parser() {
    let Some(parser) = common::parser() else { return };
    let feats = common::features();
    let opts = aa_compile::options_for(aa_target::Target::of(aa_target::Version::V3_0), feats.clone());
    let cases: Vec<String> = {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        (0..300).map(|i| profile(&mut rng, i)).collect()
    };
    let dir = std::env::temp_dir().join(format!("aa-compile-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let results: Vec<(usize, Result<(), String>, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|k| {
                let (cases, parser, feats, opts, dir) = (&cases, &parser, &feats, &opts, &dir);
                s.spawn(move || {
                    let mut out = Vec::new();
                    for (i, text) in cases.iter().enumerate().skip(k).step_by(2) {
                        let file = dir.join(format!("case{i}.aa"));
                        if std::fs::write(&file, text).is_err() {
                            out.push((i, Err("cannot write the case".to_owned()), false));
                            continue;
                        }
                        let theirs = common::oracle(parser, &file, None);
                        let db = RootDatabase::new(
                            Arc::new(MemoryLoader::new([(file.clone(), text.clone())])),
                            Vec::new(),
                            PathBuf::from("/nonexistent"),
                            dir.clone(),
                        );
                        let root = db.file(&file);
                        let parse_errors = aa_hir::diagnostics::policy_diagnostics(&db, root)
                            .iter()
                            .any(|(_, d)| d.severity == aa_hir::Severity::Error);
                        let entries = compile_policy(&db, root, opts);
                        let r = match theirs {
                            Err(msg) => {
                                let ours_rejects = parse_errors
                                    || compile_diagnostics(&db, root, feats)
                                        .iter()
                                        .any(|(_, d)| d.severity == aa_hir::Severity::Error);
                                out.push((
                                    i,
                                    if ours_rejects {
                                        Ok(())
                                    } else {
                                        Err(format!("apparmor_parser rejects, we accept: {msg}"))
                                    },
                                    true,
                                ));
                                continue;
                            }
                            Ok(bin) => (|| {
                                if parse_errors {
                                    return Err("we report errors the parser does not".to_owned());
                                }
                                let policy = Policy::decode(&bin).map_err(|e| e.to_string())?;
                                for e in &entries {
                                    let (_, ours) = e.result.as_ref().map_err(|f| format!("{}: {f}", e.name))?;
                                    let t = policy
                                        .profiles
                                        .iter()
                                        .find(|p| p.name == e.name)
                                        .ok_or_else(|| format!("{} missing from the parser's output", e.name))?;
                                    if let Some(m) = compare_profile(ours, t).first() {
                                        return Err(format!("{}: {}: {}", e.name, m.part.name(), m.message));
                                    }
                                }
                                if entries.len() != policy.profiles.len() {
                                    return Err("different profile counts".to_owned());
                                }
                                Ok(())
                            })(),
                        };
                        out.push((i, r, false));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let _ = std::fs::remove_dir_all(&dir);
    let rejected = results.iter().filter(|r| r.2).count();
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(i, r, _)| r.as_ref().err().map(|e| format!("case {i}: {e}\n{}", cases[*i])))
        .collect();
    eprintln!(
        "generated: {} cases, {} accepted by apparmor_parser and equivalent, {} rejected by both, {} failures",
        results.len(),
        results.len() - rejected - failures.len(),
        rejected - failures.iter().filter(|f| f.contains("parser rejects")).count(),
        failures.len()
    );
    for f in &failures {
        eprintln!("FAILED {f}");
    }
    assert!(failures.is_empty(), "{} generated cases failed (listed above)", failures.len());
}
