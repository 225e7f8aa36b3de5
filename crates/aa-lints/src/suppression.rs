//! Suppression comments.
//!
//! `# aa-lint: allow(NAME[, NAME]) reason` silences the named lints (names or
//! codes):
//! - as a trailing comment: for the statement on that line (on a profile's
//!   `{` line: for the whole profile);
//! - on its own line: for the statement that follows;
//! - first in a block (right after `{`): for the whole block and its header;
//! - at the top of the file, before any profile: for the whole file.
//!
//! A finding inside an abstraction is also silenced by a suppression on any
//! include line that brought the rule in. The reason is required
//! (`invalid-suppression` otherwise, though the comment still applies);
//! unknown names are reported too, and so are names that silence nothing
//! (`unused-suppression`). The `#aa:lint ignore=NAME[,NAME]` form other
//! collections use is honoured with the same scoping; it takes no reason,
//! and names we do not know are left alone (they belong to other tools).
//! It is scoped as apparmor.d's `check.sh` scopes it: in the first 10 lines
//! of a file, the whole file; after a statement, that line; on its own
//! line, the paragraph below it (up to a blank line). Its names are
//! check.sh's checks, each silencing the lints that carry that check's
//! meaning (`lints::apparmor_d::CHECK_SH`), or aa-lint names.
//! Findings of the `parser` group cannot be silenced: `apparmor_parser`
//! would still reject the policy.

use aa_hir::db::File;
use aa_syntax::{SyntaxKind::*, SyntaxToken, TextRange, TextSize};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, LintDiagnostic, Severity, TextEdit},
    lints::apparmor_d::check_sh_lints,
    lints::correctness::{invalid_suppression::INVALID_SUPPRESSION, unused_suppression::UNUSED_SUPPRESSION},
    registry::{Group, Lint, Scope, lint_by_code_or_name},
    selection::LintSelection,
};

#[derive(Debug)]
struct Name {
    written: String,
    /// The lints the name silences (one, or for an `#aa:lint` check name
    /// of apparmor.d's `check.sh`, the lints that carry its meaning).
    lints: Vec<&'static Lint>,
    used: bool,
}

#[derive(Debug)]
struct Suppression {
    file: File,
    comment: TextRange,
    /// Whole lines to delete when the comment stands on its own line.
    own_line: bool,
    legacy: bool,
    names: Vec<Name>,
    reason: bool,
    malformed: Option<String>,
    scope: TextRange,
}

impl Suppression {
    fn covers(&self, d: &LintDiagnostic) -> bool {
        let inside = |file: File, range: TextRange| {
            file == self.file && self.scope.contains_range(TextRange::empty(range.start()))
        };
        inside(d.file, d.range)
            || d.related.iter().any(|r| r.message.starts_with("brought in by") && inside(r.file, r.range))
    }
}

/// Parses the text of a comment token; `None` when it is not a suppression.
fn parse_comment(text: &str) -> Option<(bool, Vec<String>, bool, Option<String>)> {
    let body = text.strip_prefix('#')?.trim_start();
    if let Some(rest) = body.strip_prefix("aa-lint:") {
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix("allow") else {
            return Some((false, Vec::new(), false, Some("expected `allow(NAME, ...)` after `aa-lint:`".into())));
        };
        let rest = rest.trim_start();
        let (Some(inner), Some(close)) = (rest.strip_prefix('('), rest.find(')')) else {
            return Some((false, Vec::new(), false, Some("expected `(NAME, ...)` after `allow`".into())));
        };
        let names: Vec<String> =
            inner[..close - 1].split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        let reason = rest[close + 1..].trim_start_matches([':', ' ', '\t', '-']).trim();
        let malformed = names.is_empty().then(|| "`allow()` names no lint".to_string());
        return Some((false, names, !reason.is_empty(), malformed));
    }
    let rest = body.strip_prefix("aa:lint")?;
    let rest = rest.trim_start().strip_prefix("ignore=")?;
    let list = rest.split_whitespace().next().unwrap_or("");
    let names = list.split(',').map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
    Some((true, names, true, None))
}

fn is_trivia(t: &SyntaxToken) -> bool {
    matches!(t.kind(), WHITESPACE | NEWLINE | COMMENT)
}

/// The statement a token belongs to: its topmost ancestor below a block or
/// the file.
fn item_range(token: &SyntaxToken) -> TextRange {
    let mut node = token.parent();
    while let Some(n) = node.clone() {
        match n.parent() {
            Some(p) if matches!(p.kind(), BLOCK | SOURCE_FILE) => {
                // `{` and `}` belong to the block itself: take its owner.
                if matches!(n.kind(), BLOCK) {
                    return p.text_range();
                }
                return n.text_range();
            }
            Some(p) if n.kind() == BLOCK => {
                // A profile's or hat's block: the whole profile.
                return p.text_range();
            }
            Some(p) => node = Some(p),
            None => return n.text_range(),
        }
    }
    token.text_range()
}

/// What an `#aa:lint ignore=` comment covers, as apparmor.d's `check.sh`
/// reads it: in the first 10 lines, the whole file; after a statement, that
/// line; on its own line, the paragraph below (up to the next blank line).
fn check_sh_scope(text: &str, comment: TextRange, trailing: bool) -> TextRange {
    let start = usize::from(comment.start());
    let line_number = text[..start].matches('\n').count() + 1;
    let at = |i: usize| TextSize::from(i as u32);
    if line_number <= 10 {
        return TextRange::new(at(0), at(text.len()));
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = |from: usize| text[from..].find('\n').map_or(text.len(), |i| from + i);
    if trailing {
        return TextRange::new(at(line_start), at(line_end(start)));
    }
    let mut end = line_end(start);
    while end < text.len() {
        let next_end = line_end(end + 1);
        if text[end + 1..next_end].trim().is_empty() {
            break;
        }
        end = next_end;
    }
    TextRange::new(at(line_start), at(end))
}

fn collect(ctx: &LintContext<'_>, file: File) -> Vec<Suppression> {
    let text = ctx.text(file);
    if !text.contains("aa-lint:") && !text.contains("aa:lint") {
        return Vec::new();
    }
    let root = ctx.parse(file).syntax_node();
    let file_range = root.text_range();
    let mut out = Vec::new();
    for token in root.descendants_with_tokens().filter_map(|e| e.into_token()).filter(|t| t.kind() == COMMENT) {
        let Some((legacy, names, reason, malformed)) = parse_comment(token.text()) else {
            continue;
        };
        let mut prev = token.prev_token();
        let mut same_line = true;
        while let Some(t) = prev.clone().filter(is_trivia) {
            if t.kind() == NEWLINE {
                same_line = false;
            }
            prev = t.prev_token();
        }
        let on_same_line = same_line && prev.is_some();
        let scope = if legacy {
            check_sh_scope(text, token.text_range(), on_same_line)
        } else if on_same_line {
            let line_start =
                TextSize::from(text[..usize::from(token.text_range().start())].rfind('\n').map_or(0, |i| i + 1) as u32);
            let item = prev.as_ref().map(item_range).unwrap_or(token.text_range());
            TextRange::new(line_start.min(item.start()), token.text_range().end().max(item.end()))
        } else if prev.as_ref().is_some_and(|p| p.kind() == L_CURLY) {
            prev.as_ref().map(item_range).unwrap_or(file_range)
        } else if !root
            .descendants()
            .any(|n| matches!(n.kind(), PROFILE | HAT) && n.text_range().start() < token.text_range().start())
        {
            file_range
        } else {
            let mut next = token.next_token();
            while let Some(t) = next.clone().filter(is_trivia) {
                next = t.next_token();
            }
            match next {
                Some(t) if t.kind() != R_CURLY => item_range(&t),
                _ => TextRange::empty(token.text_range().end()),
            }
        };
        let names = names
            .into_iter()
            .map(|written| {
                let lints = match check_sh_lints(&written).filter(|_| legacy) {
                    Some(names) => names.iter().filter_map(|n| lint_by_code_or_name(n)).collect(),
                    None => lint_by_code_or_name(&written).into_iter().collect(),
                };
                Name { written, lints, used: false }
            })
            .collect();
        out.push(Suppression {
            file,
            comment: token.text_range(),
            own_line: !on_same_line,
            legacy,
            names,
            reason,
            malformed,
            scope,
        });
    }
    out
}

/// Drops the findings a suppression covers and adds the findings about the
/// suppressions of the root file themselves.
pub fn apply(ctx: &LintContext<'_>, raw: Vec<LintDiagnostic>, selection: &LintSelection) -> Vec<LintDiagnostic> {
    let mut files = vec![ctx.root];
    files.extend(ctx.closure.files.iter().copied().filter(|&f| f != ctx.root));
    let mut sups: Vec<Suppression> = files.into_iter().flat_map(|f| collect(ctx, f)).collect();
    let mut out = Vec::with_capacity(raw.len());
    for d in raw {
        let mut suppressed = false;
        if d.group != Group::Parser {
            for s in &mut sups {
                if !s.covers(&d) {
                    continue;
                }
                for name in &mut s.names {
                    if name.lints.iter().any(|l| l.code == d.code) {
                        name.used = true;
                        suppressed = true;
                    }
                }
            }
        }
        if !suppressed {
            out.push(d);
        }
    }
    let report_invalid = selection.is_enabled(&INVALID_SUPPRESSION);
    let report_unused = selection.is_enabled(&UNUSED_SUPPRESSION);
    for s in sups.iter().filter(|s| s.file == ctx.root) {
        let mk = |lint: &'static Lint, message: String| {
            let severity = lint.default_level.severity().unwrap_or(Severity::Warning);
            LintDiagnostic::new(lint, severity, message, s.file, s.comment)
        };
        if report_invalid {
            if let Some(why) = &s.malformed {
                out.push(mk(&INVALID_SUPPRESSION, format!("malformed suppression: {why}")));
            }
            if !s.reason && !s.legacy && s.malformed.is_none() {
                out.push(mk(
                    &INVALID_SUPPRESSION,
                    "suppression without a reason: write why after the list, e.g. `# aa-lint: allow(overbroad-glob) the daemon serves any file`".into(),
                ));
            }
            for name in &s.names {
                if name.lints.is_empty() && !s.legacy {
                    out.push(mk(&INVALID_SUPPRESSION, format!("`{}` is not a lint name or code", name.written)))
                }
                if name.lints.iter().any(|l| l.group == Group::Parser) {
                    out.push(mk(
                        &INVALID_SUPPRESSION,
                        format!("`{}` is a parser error and cannot be suppressed: apparmor_parser would still reject the policy", name.written),
                    ))
                }
            }
        }
        if report_unused {
            let unused: Vec<&Name> = s
                .names
                .iter()
                .filter(|n| !n.used)
                .filter(|n| {
                    n.lints.iter().any(|l| {
                        l.group != Group::Parser
                            && selection.is_enabled(l)
                            && (l.scope == Scope::Syntax || ctx.root_has_profiles())
                    })
                })
                .collect();
            if unused.is_empty() {
                continue;
            }
            let list = unused.iter().map(|n| format!("`{}`", n.written)).collect::<Vec<_>>().join(", ");
            let mut d = mk(&UNUSED_SUPPRESSION, format!("unused suppression: {list} found nothing to silence here"));
            if unused.len() == s.names.len() {
                d.with_fix(Applicability::Safe, "remove the suppression comment", vec![removal(ctx, s)]);
            }
            out.push(d);
        }
    }
    out
}

/// The edit that deletes a suppression comment (its whole line when it
/// stands alone; the blanks before it when it trails a statement).
fn removal(ctx: &LintContext<'_>, s: &Suppression) -> TextEdit {
    let text = ctx.text(s.file);
    let start = usize::from(s.comment.start());
    let end = usize::from(s.comment.end());
    let before = text[..start].trim_end_matches([' ', '\t']);
    let (from, to) = if s.own_line {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let to = if text[end..].starts_with('\n') { end + 1 } else { end };
        (line_start, to)
    } else {
        (before.len(), end)
    };
    TextEdit { file: s.file, range: TextRange::new((from as u32).into(), (to as u32).into()), new_text: String::new() }
}
