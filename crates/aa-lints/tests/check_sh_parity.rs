//! Parity with apparmor.d's own linter (`tests/check.sh`): its findings on
//! the collection (`../shared/corpus/apparmor.d-project/tests/check-sh-findings.txt`,
//! `check(file:line): message`) are each found, at the same file and line,
//! by a lint that `lints::apparmor_d::CHECK_SH` maps the check to, and every
//! other finding of those lints and of the `apparmor.d` group on the tree is listed, with why it is right,
//! in `tests/fixtures/check-sh-extra.txt` (`lint file:line reason`). The
//! collection's `#aa:lint ignore=` comments apply, as check.sh reads them.
//!
//! The tree is `../shared/corpus/apparmor.d`, over the AppArmor 4.1 policy
//! (the oracle's source tree) or else Debian's `/etc/apparmor.d`.

mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::db::{Db, FileContent, RootDatabase};
use aa_lints::{Group, LintSelection, lints::apparmor_d::CHECK_SH, registry};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.is_file() {
            out.push(p);
        }
    }
}

/// (check, file relative to the corpus, line) of each saved finding.
fn saved(corpus: &Path) -> Vec<(String, String, usize)> {
    let text = std::fs::read_to_string(corpus.join("apparmor.d-project/tests/check-sh-findings.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (check, rest) = l.split_once('(').expect("check(file:line)");
            let place = rest.split_once(')').expect("check(file:line)").0;
            let (file, line) = place.rsplit_once(':').expect("file:line");
            (check.to_string(), file.to_string(), line.parse().expect("line number"))
        })
        .collect()
}

#[test]
fn check_sh_findings_are_matched() {
    let corpus = corpus();
    let tree = corpus.join("apparmor.d");
    if !tree.is_dir() {
        eprintln!("\n!!! SKIPPED: no apparmor.d corpus at {} !!!\n", tree.display());
        return;
    }
    let oracle = Path::new("/root/.cache/apparmor-oracle/4.1.0/src/profiles/apparmor.d");
    let base = if oracle.is_dir() { oracle.to_path_buf() } else { PathBuf::from("/etc/apparmor.d") };
    let db = RootDatabase::new(Arc::new(common::FsLoader), vec![tree.clone()], base, PathBuf::from("/"));

    let saved = saved(&corpus);
    let mut selection = LintSelection::none();
    // The `apparmor.d` group, and the lints of the checks with findings.
    let mut lints: BTreeSet<&str> =
        registry::REGISTRY.iter().filter(|l| l.group == Group::ApparmorD).map(|l| l.name).collect();
    for (check, _, _) in &saved {
        let mapped =
            CHECK_SH.iter().find(|(c, _)| c == check).unwrap_or_else(|| panic!("check `{check}` is not mapped"));
        lints.extend(mapped.1.iter().copied());
    }
    for lint in &lints {
        selection = selection.select(lint).unwrap();
    }

    let mut files = Vec::new();
    walk(&tree, &mut files);
    files.sort();
    // (lint, file, line)
    let mut found: BTreeSet<(String, String, usize)> = BTreeSet::new();
    for path in &files {
        let root = db.file(path);
        for d in aa_lints::run(&db, root, &selection) {
            if !lints.contains(d.name) {
                continue;
            }
            let Ok(rel) = d.file.path(&db).strip_prefix(&corpus) else { continue };
            let text = match d.file.content(&db) {
                FileContent::Text(t) => t.clone(),
                _ => String::new(),
            };
            let line = text[..usize::from(d.range.start()).min(text.len())].matches('\n').count() + 1;
            found.insert((d.name.to_string(), rel.display().to_string(), line));
        }
    }

    let mut failures = Vec::new();
    let mut matched = 0;
    let mut explained: BTreeSet<(String, String, usize)> = BTreeSet::new();
    for (check, file, line) in &saved {
        let mapped = CHECK_SH.iter().find(|(c, _)| c == check).unwrap().1;
        let hit = found.iter().find(|(l, f, n)| mapped.contains(&l.as_str()) && f == file && n == line);
        match hit {
            Some(h) => {
                matched += 1;
                explained.insert(h.clone());
            }
            None => failures.push(format!("check.sh `{check}` at {file}:{line}: not found by {mapped:?}")),
        }
    }

    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check-sh-extra.txt");
    let listed = std::fs::read_to_string(&fixture).unwrap_or_default();
    let mut reasons: BTreeMap<(String, String, usize), String> = BTreeMap::new();
    for l in listed.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let mut parts = l.splitn(3, ' ');
        let (Some(lint), Some(place), Some(reason)) = (parts.next(), parts.next(), parts.next()) else {
            failures.push(format!("fixture line without `lint file:line reason`: {l}"));
            continue;
        };
        let (file, line) = place.rsplit_once(':').expect("file:line");
        reasons.insert((lint.to_string(), file.to_string(), line.parse().expect("line")), reason.to_string());
    }
    for f in found.iter().filter(|f| !explained.contains(*f)) {
        if !reasons.contains_key(f) {
            failures.push(format!("extra finding not in the fixture: {} {}:{}", f.0, f.1, f.2));
        }
    }
    for k in reasons.keys() {
        if !found.contains(k) || explained.contains(k) {
            failures.push(format!("fixture entry no longer an extra finding: {} {}:{}", k.0, k.1, k.2));
        }
    }
    eprintln!(
        "check.sh parity: {matched}/{} saved findings matched; {} extra, listed with reasons",
        saved.len(),
        reasons.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
