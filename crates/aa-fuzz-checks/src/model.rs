//! The semantic model and every lint, over a multi-file workspace, the way
//! the editor loads it (an `AnalysisHost` over in-memory files, the profile
//! open): no panic; every diagnostic, related place and fix edit inside its
//! file on character boundaries; `fix_all`'s edits disjoint; the same
//! answers from a second, fresh database, and from a database that had
//! analysed an earlier state (half the profile typed, an include file open
//! with other text) before the change to this one (salsa's incremental
//! answers equal the fresh ones).

use std::path::Path;

use aa_ide::{Analysis, AnalysisHost, Change, Config, Diagnostic, LintConfig};

use crate::{Workspace, assert_range_in};

pub fn check(data: &[u8]) {
    let Some(workspace) = Workspace::decode(data) else { return };
    check_workspace(&workspace);
}

pub fn check_workspace(workspace: &Workspace) {
    let first = analyse(&host(workspace), workspace);
    let second = analyse(&host(workspace), workspace);
    assert!(first == second, "two fresh databases disagree:\n{first:#?}\n---\n{second:#?}");
    let incremental = analyse(&changed_host(workspace), workspace);
    assert!(first == incremental, "incremental answers differ:\n{first:#?}\n---\n{incremental:#?}");
}

/// A host that analysed an earlier state of the workspace, then got the
/// change to this one.
fn changed_host(workspace: &Workspace) -> AnalysisHost {
    let profile = workspace.profile();
    let mut half = profile.len() / 2;
    while !profile.is_char_boundary(half) {
        half -= 1;
    }
    let earlier = workspace.with_profile(profile[..half].to_owned());
    let mut host = host(&earlier);
    let include = &workspace.files.get(2).unwrap_or(&workspace.files[0]).0;
    let mut change = Change::new();
    change.set_file_text(include, "/fuzz/earlier r,\n");
    host.apply_change(change);
    let analysis = host.analysis();
    for (path, _) in &workspace.files {
        let _ = analysis.diagnostics(path).expect("nothing cancels");
        let _ = analysis.fix_all(path).expect("nothing cancels");
    }
    drop(analysis);
    let mut change = Change::new();
    change.set_file_text(workspace.profile_path(), profile);
    if include != workspace.profile_path() {
        change.close_file(include);
    }
    host.apply_change(change);
    host
}

/// Every lint selected, the profile opened as an editor opens it.
pub fn host(workspace: &Workspace) -> AnalysisHost {
    let lint = LintConfig { select: vec!["all".into()], ..LintConfig::default() };
    let mut host = AnalysisHost::new(workspace.loader(), Config { lint, ..Config::default() });
    let mut change = Change::new();
    change.set_file_text(workspace.profile_path(), workspace.profile());
    host.apply_change(change);
    host
}

type Answers = Vec<(Vec<Diagnostic>, Vec<aa_ide::TextEdit>)>;

/// The diagnostics and `fix_all` edits of every file, checked for ranges.
fn analyse(host: &AnalysisHost, workspace: &Workspace) -> Answers {
    let analysis = host.analysis();
    let mut answers = Vec::new();
    for (path, text) in &workspace.files {
        let diagnostics = analysis.diagnostics(path).expect("nothing cancels");
        for d in &diagnostics {
            let what = format!("{} [{}] in {}", d.code, d.name, path.display());
            assert_range_in(text, d.range, &what);
            for r in &d.related {
                assert_range_in(&text_of(&analysis, &r.location.path), r.location.range, &format!("{what}, related"));
            }
            if let Some(fix) = &d.fix {
                for (p, edits) in &fix.change.edits {
                    let target = text_of(&analysis, p);
                    for e in edits {
                        assert_range_in(&target, e.range, &format!("{what}, fix edit in {}", p.display()));
                    }
                }
            }
        }
        let mut fixes = analysis.fix_all(path).expect("nothing cancels");
        fixes.sort_by_key(|e| (e.range.start(), e.range.end()));
        for e in &fixes {
            assert_range_in(text, e.range, &format!("fix_all edit in {}", path.display()));
        }
        for pair in fixes.windows(2) {
            assert!(pair[0].range.end() <= pair[1].range.start(), "fix_all edits overlap: {pair:?}");
        }
        answers.push((diagnostics, fixes));
    }
    answers
}

fn text_of(analysis: &Analysis, path: &Path) -> String {
    analysis
        .file_text(path)
        .expect("nothing cancels")
        .unwrap_or_else(|| panic!("a range points into {}, which has no text", path.display()))
}
