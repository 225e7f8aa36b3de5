//! Code lenses: what a profile amounts to, shown above its header.
//!
//! For each profile and hat written in the file (as `policy_model` resolves
//! it): its rule counts (its own and with what its includes bring), its hats
//! and child profiles, and, when the lints find them, the rules that change
//! nothing (`duplicate-rule`, `subsumed-rule`, `rule-subsumed`) with one
//! action that removes them all. Above each variable definition, how often
//! the variable is used. The language server adds the kernel's load state,
//! which only it may read.
//!
//! The compiled-policy summary ("file DFA: N states") reads the compile the
//! `subsumed-rule` check needs anyway (memoised for the revision and shared
//! with the path hover). Lenses are a request of their own: they never
//! delay diagnostics, and an edit cancels them.

use std::path::Path;

use aa_hir::{
    db::Db,
    model::{ProfileKind, policy_model},
};
use aa_lints::LintSelection;
use aa_syntax::{TextRange, TextSize};

use crate::{TextEdit, util};

/// One lens: a title above `range`, and what clicking it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLens {
    pub range: TextRange,
    pub title: String,
    pub action: Option<LensAction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LensAction {
    /// Remove these rules (edits of the lens's file).
    RemoveRules(Vec<TextEdit>),
}

/// The lints whose findings are rules that can go.
const REDUNDANT: &[&str] = &["duplicate-rule", "subsumed-rule", "rule-subsumed"];

pub(crate) fn code_lenses(db: &dyn Db, path: &Path) -> Vec<CodeLens> {
    let file = db.file(path);
    let text = util::text(db, path);
    let model = policy_model(db, file);
    let redundant = redundant_rules(db, path, &text);
    let mut out = Vec::new();
    for (index, profile) in model.profiles.iter().enumerate() {
        let location = profile.origin.location;
        if location.file != file {
            continue;
        }
        let header = header_range(&text, location.range);
        let own = profile.rules.iter().filter(|r| r.origin.location.file == file).count();
        let total = profile.rules.len();
        let hats = model.profiles.iter().filter(|p| p.parent == Some(index) && p.kind == ProfileKind::Hat).count();
        let children =
            model.profiles.iter().filter(|p| p.parent == Some(index) && p.kind == ProfileKind::Child).count();
        let mut title = plural(own, "rule");
        if total > own {
            title.push_str(&format!(" ({total} with includes)"));
        }
        if hats > 0 {
            title.push_str(&format!(" · {}", plural(hats, "hat")));
        }
        if children > 0 {
            title.push_str(&format!(" · {}", plural(children, "child profile")));
        }
        out.push(CodeLens { range: header, title, action: None });

        let inside: Vec<&(TextRange, TextEdit)> = redundant
            .iter()
            .filter(|(rule, _)| location.range.contains_range(*rule) && innermost(model, index, *rule, file))
            .collect();
        if !inside.is_empty() {
            let edits: Vec<TextEdit> = inside.iter().map(|(_, e)| e.clone()).collect();
            let title = match edits.len() {
                1 => "1 redundant rule: remove it".to_string(),
                n => format!("{n} redundant rules: remove all"),
            };
            out.push(CodeLens { range: header, title, action: Some(LensAction::RemoveRules(edits)) });
        }
        if let Some(states) = compiled_states(db, file, index) {
            out.push(CodeLens { range: header, title: format!("file DFA: {}", plural(states, "state")), action: None });
        }
    }
    for def in util::variable_defs(db, path) {
        if def.path != path {
            continue;
        }
        let uses = crate::navigation::references(db, path, def.name_range.start(), false).len();
        out.push(CodeLens { range: def.name_range, title: plural(uses, "reference"), action: None });
    }
    out
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// The first line of a profile (the lens sits above it).
fn header_range(text: &str, profile: TextRange) -> TextRange {
    let start = usize::from(profile.start()).min(text.len());
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i).min(usize::from(profile.end()));
    TextRange::new(profile.start(), TextSize::new(end as u32))
}

/// Whether `rule` belongs to profile `index` itself rather than to one of
/// its hats or children written inside it.
fn innermost(model: &aa_hir::model::PolicyModel, index: usize, rule: TextRange, file: aa_hir::db::File) -> bool {
    !model.profiles.iter().enumerate().any(|(i, p)| {
        i != index
            && p.origin.location.file == file
            && model.profiles[index].origin.location.range.contains_range(p.origin.location.range)
            && p.origin.location.range.contains_range(rule)
    })
}

/// The rules of this file that the redundancy lints report, each with the
/// edit that removes it (its whole line when it is alone on it).
fn redundant_rules(db: &dyn Db, path: &Path, text: &str) -> Vec<(TextRange, TextEdit)> {
    let file = db.file(path);
    if crate::diagnostics::is_fragment(db, file) {
        return Vec::new();
    }
    let mut selection = LintSelection::none();
    for name in REDUNDANT {
        // A lint not in this build's registry is skipped.
        selection = selection.clone().select(name).unwrap_or(selection);
    }
    let mut out: Vec<(TextRange, TextEdit)> = Vec::new();
    for finding in aa_lints::run(db, file, &selection) {
        if finding.file != file || !REDUNDANT.contains(&finding.name) {
            continue;
        }
        let edit = removal(text, finding.range);
        if !out.iter().any(|(_, e)| e.range.start() < edit.range.end() && edit.range.start() < e.range.end()) {
            out.push((finding.range, edit));
        }
    }
    out.sort_by_key(|(r, _)| r.start());
    out
}

/// Deletes `range`, with its line when nothing else but blanks is on it.
pub(crate) fn removal(text: &str, range: TextRange) -> TextEdit {
    let (start, end) = (usize::from(range.start()).min(text.len()), usize::from(range.end()).min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    let before = &text[line_start..start];
    let after = text[end..line_end].trim_end_matches('\n');
    let alone = before.trim().is_empty() && (after.trim().is_empty() || after.trim_start().starts_with('#'));
    let range = if alone && !after.trim_start().starts_with('#') {
        TextRange::new(TextSize::new(line_start as u32), TextSize::new(line_end as u32))
    } else {
        range
    };
    TextEdit { range, new_text: String::new() }
}

/// The state count of the profile's file DFA (the compile `subsumed-rule`
/// has just used, memoised for the revision).
fn compiled_states(db: &dyn Db, file: aa_hir::db::File, index: usize) -> Option<usize> {
    let compiled = aa_lints::compiled::compiled_policy(db, file);
    let entry = compiled.iter().find(|e| e.profile == index)?;
    let (_, profile) = entry.result.as_ref().ok()?;
    Some(profile.file.as_ref().map_or(0, |f| f.dfa.state_count()))
}
