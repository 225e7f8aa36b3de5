//! The stack lints on the stack fixtures (`fixtures/stacks/*.aa`, the
//! design note's examples and the kernel regression cases). A `.cases`
//! line `lint NAME LINE...` says that lint finds exactly those lines of
//! the policy (`lint NAME none`: nothing); lints a `.cases` file does not
//! name are not checked there.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aa_hir::db::{Db, FileContent, RootDatabase};
use aa_lints::LintSelection;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/stacks")
}

fn database(dir: &Path) -> RootDatabase {
    RootDatabase::new(Arc::new(common::FsLoader), vec![dir.join("include")], dir.to_path_buf(), dir.to_path_buf())
}

#[test]
fn stack_lints_on_the_fixtures() {
    let dir = fixtures();
    let mut policies: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "aa"))
        .collect();
    policies.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &policies {
        let cases = std::fs::read_to_string(path.with_extension("cases")).unwrap_or_default();
        // lint name -> expected lines.
        let mut want: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for line in cases.lines().filter_map(|l| l.trim().strip_prefix("lint ")) {
            let mut words = line.split_whitespace();
            let Some(name) = words.next() else { continue };
            let lines = want.entry(name.to_owned()).or_default();
            lines.extend(words.filter_map(|w| w.parse::<usize>().ok()));
        }
        if want.is_empty() {
            continue;
        }
        let db = database(&dir);
        let root = db.file(path);
        let mut selection = LintSelection::none();
        for name in want.keys() {
            selection = selection.select(name).unwrap_or_else(|_| panic!("unknown lint {name}"));
        }
        let found = aa_lints::run(&db, root, &selection);
        let text = match root.content(&db) {
            FileContent::Text(t) => t.clone(),
            _ => String::new(),
        };
        for (name, lines) in &want {
            let lint = aa_lints::lint_by_code_or_name(name).unwrap();
            let mut got: Vec<usize> = found
                .iter()
                .filter(|d| d.code == lint.code && d.file == root)
                .map(|d| text[..usize::from(d.range.start())].matches('\n').count() + 1)
                .collect();
            got.sort();
            let mut lines = lines.clone();
            lines.sort();
            checked += 1;
            if got != lines {
                failures.push(format!(
                    "{}: {name}: found at lines {got:?}, want {lines:?}:\n{:#?}",
                    path.display(),
                    common::summary(&db, root, &found)
                ));
            }
        }
    }
    assert!(checked >= 4, "too few lint expectations: {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
