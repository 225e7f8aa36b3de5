//! Code actions (lint fixes, suppression comments, fix-all) and formatting.

use std::path::Path;

use aa_hir::db::Db;
use aa_syntax::{TextRange, TextSize};

use crate::{Diagnostic, LintConfig, SourceChange, TextEdit, diagnostics, util};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssistKind {
    /// A lint's own fix.
    QuickFix,
    /// A `# aa-lint: allow(NAME) reason` comment.
    Suppress,
}

/// One code action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Assist {
    pub label: String,
    pub kind: AssistKind,
    /// Safe fixes are the preferred action for their diagnostic.
    pub preferred: bool,
    pub change: SourceChange,
    /// The diagnostic the action resolves.
    pub diagnostic: Diagnostic,
}

/// The reason a new suppression comment carries until the user writes one.
pub const SUPPRESSION_REASON_PLACEHOLDER: &str = "TODO: say why this is fine";

fn overlaps(a: TextRange, b: TextRange) -> bool {
    a.start() <= b.end() && b.start() <= a.end()
}

pub(crate) fn code_actions(db: &dyn Db, lint: &LintConfig, path: &Path, range: TextRange) -> Vec<Assist> {
    let text = util::text(db, path);
    let mut out = Vec::new();
    let mut suppressions = Vec::new();
    for d in diagnostics::diagnostics(db, lint, path) {
        if !overlaps(d.range, range) {
            continue;
        }
        if let Some(fix) = &d.fix {
            let label =
                if fix.safe { fix.description.clone() } else { format!("{} (unsafe fix: review it)", fix.description) };
            out.push(Assist {
                label,
                kind: AssistKind::QuickFix,
                preferred: fix.safe,
                change: fix.change.clone(),
                diagnostic: d.clone(),
            });
        }
        if d.suppressible
            && let Some(edit) = suppression_edit(&text, d.range.start(), &d.name)
        {
            suppressions.push(Assist {
                label: format!("Suppress {} ({}) here", d.name, d.code),
                kind: AssistKind::Suppress,
                preferred: false,
                change: SourceChange { edits: vec![(path.to_path_buf(), vec![edit])] },
                diagnostic: d,
            });
        }
    }
    // Fixes first, then suppressions, one per lint and line.
    suppressions.dedup_by(|a, b| a.change == b.change);
    out.extend(suppressions);
    out
}

/// A comment line above the line of `offset`, indented like it.
fn suppression_edit(text: &str, offset: TextSize, name: &str) -> Option<TextEdit> {
    let offset = usize::from(offset).min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let at = TextSize::new(line_start as u32);
    Some(TextEdit {
        range: TextRange::empty(at),
        new_text: format!("{indent}# aa-lint: allow({name}) {SUPPRESSION_REASON_PLACEHOLDER}\n"),
    })
}

/// Every safe fix of the findings in `path` itself, as non-overlapping
/// edits of that file (a fix whose edits overlap an earlier one is left for
/// the next round).
pub(crate) fn fix_all(db: &dyn Db, lint: &LintConfig, path: &Path) -> Vec<TextEdit> {
    let mut taken: Vec<TextEdit> = Vec::new();
    for d in diagnostics::diagnostics(db, lint, path) {
        let Some(fix) = d.fix.filter(|f| f.safe) else { continue };
        // Only fixes confined to this file.
        if fix.change.edits.iter().any(|(p, _)| p != path) {
            continue;
        }
        let edits: Vec<TextEdit> = fix.change.edits.into_iter().flat_map(|(_, e)| e).collect();
        if !edits.iter().any(|e| taken.iter().any(|t| clash(e, t))) {
            taken.extend(edits);
        }
    }
    taken.sort_by_key(|e| (e.range.start(), e.range.end()));
    taken.dedup();
    taken
}

/// Whether two edits cannot both be applied to the same text: their ranges
/// overlap, or they start at the same place and one inserts (the order of
/// the two would be undefined).
fn clash(a: &TextEdit, b: &TextEdit) -> bool {
    let overlap = a.range.start() < b.range.end() && b.range.start() < a.range.end();
    overlap || (a.range.start() == b.range.start() && (a.range.is_empty() || b.range.is_empty()))
}

/// Formatting edits for the whole file (one edit around the changed part),
/// or `None` when the file has syntax errors or the formatter declined.
pub(crate) fn format(db: &dyn Db, path: &Path, options: &aa_fmt::FormatOptions) -> Option<Vec<TextEdit>> {
    let text = util::text(db, path);
    let formatted = aa_fmt::format(&text, options).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    // The smallest range that differs, on character boundaries.
    let prefix = text
        .char_indices()
        .zip(formatted.chars())
        .find(|((_, a), b)| a != b)
        .map_or(text.len().min(formatted.len()), |((i, _), _)| i);
    let (ta, fa) = (&text[prefix..], &formatted[prefix..]);
    let mut suffix = 0;
    for (a, b) in ta.chars().rev().zip(fa.chars().rev()) {
        if a != b || suffix + a.len_utf8() > ta.len().min(fa.len()) {
            break;
        }
        suffix += a.len_utf8();
    }
    let old_end = text.len() - suffix;
    let new_end = formatted.len() - suffix;
    Some(vec![TextEdit {
        range: TextRange::new(TextSize::new(prefix as u32), TextSize::new(old_end as u32)),
        new_text: formatted[prefix..new_end].to_string(),
    }])
}

/// Formatting edits for the statements `range` touches, or `None` when the
/// file has syntax errors or the formatter declined.
pub(crate) fn format_range(
    db: &dyn Db,
    path: &Path,
    range: TextRange,
    options: &aa_fmt::FormatOptions,
) -> Option<Vec<TextEdit>> {
    let text = util::text(db, path);
    let edits = aa_fmt::format_range(&text, range, options).ok()?;
    Some(edits.into_iter().map(|e| TextEdit { range: e.range, new_text: e.new_text }).collect())
}
