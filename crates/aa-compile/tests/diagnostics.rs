//! DFA-backed diagnostics and analyses against the oracle: upstream's
//! exec-transition corpus (`simple_tests/xtrans`) is rejected by us exactly
//! where `apparmor_parser` rejects it, `x-conflict.sd` points at the
//! conflicting rules, and the analyses lints use agree with the parser's
//! own tables.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aa_compile::{
    compile_diagnostics, compile_policy, options, shadowed_by_deny, subsumed_by, writable_and_executable,
};
use aa_dfa::perms::old;
use aa_dfa::{Owner, Policy};
use aa_hir::db::{Db, MemoryLoader, RootDatabase};

const XTRANS: &str = "/work/shared/upstream/tst/simple_tests/xtrans";

fn db_for(path: &Path, text: &str) -> RootDatabase {
    RootDatabase::new(
        Arc::new(MemoryLoader::new([(path.to_path_buf(), text.to_owned())])),
        Vec::new(),
        PathBuf::from("/nonexistent"),
        path.parent().map(Path::to_path_buf).unwrap_or_default(),
    )
}

/// Ours: does the policy fail (parse, semantic or compile errors)?
fn we_reject(path: &Path, text: &str) -> (bool, Vec<(usize, &'static str)>) {
    let db = db_for(path, text);
    let root = db.file(path);
    let semantic =
        aa_hir::diagnostics::policy_diagnostics(&db, root).iter().any(|(_, d)| d.severity == aa_hir::Severity::Error);
    let feats = common::features();
    let compile: Vec<(usize, &'static str)> = compile_diagnostics(&db, root, &feats)
        .into_iter()
        .filter(|(_, d)| d.severity == aa_hir::Severity::Error)
        .map(|(_, d)| (text[..usize::from(d.range.start())].matches('\n').count() + 1, d.code))
        .collect();
    (semantic || !compile.is_empty(), compile)
}

#[test]
fn xtrans_corpus_agrees_with_the_parser() {
    let Some(parser) = common::parser() else { return };
    let Ok(dir) = std::fs::read_dir(XTRANS) else {
        eprintln!("!!! SKIPPING: {XTRANS} not found !!!");
        return;
    };
    let mut files: Vec<PathBuf> =
        dir.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "sd")).collect();
    files.sort();
    let mut disagree = Vec::new();
    let mut rejected = 0;
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let theirs = common::oracle(&parser, f, None).is_err();
        let (ours, _) = we_reject(f, &text);
        rejected += theirs as usize;
        if ours != theirs {
            disagree.push(format!("{}: apparmor_parser rejects: {theirs}, we reject: {ours}", f.display()));
        }
    }
    eprintln!(
        "xtrans: {} files, {rejected} rejected by apparmor_parser, {} disagreements",
        files.len(),
        disagree.len()
    );
    for d in &disagree {
        eprintln!("  {d}");
    }
    assert!(disagree.is_empty());
}

#[test]
fn x_conflict_points_at_the_conflicting_rules() {
    let path = Path::new(XTRANS).join("x-conflict.sd");
    let Ok(text) = std::fs::read_to_string(&path) else { return };
    let (rejected, compile) = we_reject(&path, &text);
    assert!(rejected);
    // `/* Pixr,` and `/a* Cx -> foo,` both match `/a`.
    assert_eq!(compile, vec![(7, "conflicting-exec-modifiers"), (8, "conflicting-exec-modifiers")]);
}

#[test]
fn abstraction_conflicts_point_at_the_rule_and_the_include() {
    let files = [
        ("/p/abstractions/x", "/usr/bin/* px,\n"),
        ("/p/prof", "profile t {\n  include <abstractions/x>\n  /usr/bin/foo* ix,\n}\n"),
    ];
    let db =
        RootDatabase::new(Arc::new(MemoryLoader::new(files)), Vec::new(), PathBuf::from("/p"), PathBuf::from("/p"));
    let root = db.file(Path::new("/p/prof"));
    let d = compile_diagnostics(&db, root, &common::features());
    let at: Vec<(String, u32, &str)> =
        d.iter().map(|(f, d)| (f.path(&db).display().to_string(), u32::from(d.range.start()), d.code)).collect();
    assert_eq!(
        at,
        vec![
            ("/p/abstractions/x".to_owned(), 0, "conflicting-exec-modifiers"),
            ("/p/prof".to_owned(), 14, "conflicting-exec-modifiers"),
            ("/p/prof".to_owned(), 41, "conflicting-exec-modifiers"),
        ]
    );
}

const ANALYSED: &str = "profile t {
  /etc/shadow r,
  deny /etc/** r,
  /etc/passwd rw,
  /usr/lib/** r,
  /usr/lib/foo r,
  /usr/lib/bar rw,
  owner /tmp/** rw,
  /tmp/*/run ix,
  /opt/x/bin/* mrix,
  deny /opt/x/bin/sh w,
}
";

#[test]
fn analyses_agree_with_the_parser() {
    let Some(parser) = common::parser() else { return };
    let dir = std::env::temp_dir().join(format!("aa-compile-an-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join("t.aa");
    std::fs::write(&path, ANALYSED).expect("writing the profile");
    let bin = common::oracle(&parser, &path, None).expect("the parser accepts the profile");
    let _ = std::fs::remove_dir_all(&dir);
    let policy = Policy::decode(&bin).expect("decode");
    let theirs = policy.profiles.iter().find(|p| p.name == "t").and_then(|p| p.file.as_ref()).expect("file DFA");

    let db = db_for(&path, ANALYSED);
    let root = db.file(&path);
    let entries = compile_policy(&db, root, &options(common::features()));
    let (lowered, compiled) = entries[0].result.as_ref().expect("compiles");
    // Rule ids are indexes into the profile's rules.
    assert_eq!(shadowed_by_deny(compiled, lowered, 0), Some(vec![1]));
    assert_eq!(shadowed_by_deny(compiled, lowered, 2), None, "w survives the deny");
    assert_eq!(shadowed_by_deny(compiled, lowered, 3), None);
    assert!(theirs.perms_of(b"/etc/shadow", Owner::Owner).is_none_or(|p| p.allow & 0x4 == 0));
    assert_eq!(subsumed_by(compiled, lowered, 4), vec![3]);
    assert_eq!(subsumed_by(compiled, lowered, 5), Vec::<usize>::new());
    assert_eq!(subsumed_by(compiled, lowered, 3), Vec::<usize>::new());

    // Every example is writable and executable in the parser's DFA too, and
    // the parser's DFA has no such state we did not report.
    let wx = writable_and_executable(compiled, 100);
    assert!(!wx.is_empty());
    for ex in &wx {
        let accept = theirs.tables.accept.data.get(walk(&theirs.tables, ex) as usize).copied().unwrap_or(0);
        let half = |w: u32| w & old::WRITE != 0 && w & old::EXEC != 0;
        assert!(half(accept) || half(accept >> old::OTHER_SHIFT), "{:?}", String::from_utf8_lossy(ex));
    }
    let texts: Vec<String> = wx.iter().map(|e| String::from_utf8_lossy(e).into_owned()).collect();
    assert!(texts.iter().all(|t| t.starts_with("/tmp/")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.starts_with("/opt/")));
}

fn walk(t: &aa_dfa::TableSet, input: &[u8]) -> u32 {
    input.iter().fold(aa_dfa::START_STATE, |s, &b| t.step(s, b))
}

#[test]
fn an_exploding_dfa_names_the_rules_responsible() {
    // Each `**` rule multiplies the states of the others; a small limit
    // stands in for the default 500,000 states.
    let rules: String = (0..8).map(|k| format!("  /srv/**/d{k}/**/a{k} r,\n")).collect();
    let text = format!("profile t {{\n  /etc/fine r,\n{rules}}}\n");
    let text = text.as_str();
    let path = Path::new("/p/t");
    let db = db_for(path, text);
    let root = db.file(path);
    let opts = aa_dfa::CompileOptions {
        target: aa_dfa::Target::of(aa_dfa::Version::V3_0),
        features: common::features(),
        limits: aa_dfa::Limits { max_states: 2000, max_bytes: 1 << 30 },
        keep_rules: true,
    };
    let d = aa_compile::compile_diagnostics_with(&db, root, &opts);
    assert!(!d.is_empty());
    assert!(d.iter().all(|(_, d)| d.code == "dfa-too-large"), "{d:?}");
    let lines: Vec<usize> =
        d.iter().map(|(_, d)| text[..usize::from(d.range.start())].matches('\n').count() + 1).collect();
    assert!(!lines.contains(&2), "the plain rule is not to blame: {lines:?}");
    // With the default limits the same profile compiles.
    assert!(compile_diagnostics(&db, root, &common::features()).is_empty());
}
