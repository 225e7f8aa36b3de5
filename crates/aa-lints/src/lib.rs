//! Lints for AppArmor policy: what grants more than it should (`security`),
//! what is probably a mistake (`correctness`), house style (`style`), new
//! lints still settling (`nursery`), and the `parser` group, which names
//! what `apparmor_parser` itself rejects (found by `aa-hir`).
//!
//! A lint is one file under `lints/<group>/<name>.rs`: a `declare_lint!`
//! whose doc comment is the lint's documentation (`docs/lints/<name>.md` is
//! generated from it and `explain` prints it), and a check function over the
//! [`LintContext`]. `registry::REGISTRY` is the one table of lints.
//!
//! The API for front ends:
//! - [`run`] lints one policy file (through its includes) and returns
//!   [`LintDiagnostic`]s, after suppression comments are applied;
//!   [`run_fragment`] lints an abstraction or other included file.
//! - [`LintSelection`] picks lints by code (`AA101`, or a prefix `AA1`), name
//!   (`overbroad-glob`) or group (`security`), with a level per lint.
//! - [`explain`] returns a lint's documentation; [`registry::lints`] iterates
//!   the table.
//! - Fixes are byte-range text edits ([`Fix`], [`TextEdit`]); [`apply_edits`]
//!   applies those of one file.

mod build_scope;
pub mod compiled;
mod context;
pub mod conventions;
mod diagnostic;
pub mod docs;
mod fallbacks;
mod glob;
pub mod lints;
pub mod registry;
mod selection;
mod stacks;
mod suppression;

pub use context::LintContext;
pub use diagnostic::{Applicability, Fix, LintDiagnostic, Related, Severity, TextEdit, apply_edits};
pub use fallbacks::fallback_notes;
pub use registry::{FixSafety, Group, Level, Lint, lint_by_code_or_name};
pub use selection::{LintSelection, UnknownSelector};

use aa_hir::db::{Db, File};

/// The distributions apparmor.d-style `#aa:only` / `#aa:exclude`
/// directives name, with their family.
pub use aa_hir::directives::DISTRIBUTIONS;

/// Lints `root` as a policy file (as `apparmor_parser` would load it), with
/// the lints and levels `selection` enables. Suppression comments are
/// applied; unused or malformed ones are reported (when their lints are
/// enabled). Results are sorted by file and position, without duplicates.
pub fn run(db: &dyn Db, root: File, selection: &LintSelection) -> Vec<LintDiagnostic> {
    let ctx = LintContext::new(db, root);
    let mut raw = Vec::new();
    for lint in registry::lints() {
        if selection.level(lint) == Level::Allow {
            continue;
        }
        if let Some(check) = lint.check {
            let mut sink = diagnostic::Sink::new(lint, &mut raw);
            check(&ctx, &mut sink);
        }
    }
    raw.extend(lints::parser::diagnostics(&ctx, selection));
    let mut out = suppression::apply(&ctx, raw, selection);
    drop_repeated_exec_conflicts(&mut out);
    apply_levels(selection, &mut out);
    sort_findings(db, root, &mut out);
    out.dedup_by(|a, b| a.code == b.code && a.file == b.file && a.range == b.range && a.message == b.message);
    build_scope::note_builds(db, &mut out);
    out
}

/// Lints `file` as a fragment that profiles include (an abstraction, a
/// tunable, a `local/` addition): as [`run`], but the `parser` group judges
/// it as included text (rules outside a profile are fine there).
pub fn run_fragment(db: &dyn Db, file: File, selection: &LintSelection) -> Vec<LintDiagnostic> {
    let without_parser = selection.clone().ignore("parser").unwrap_or_else(|_| selection.clone());
    let mut out = run(db, file, &without_parser);
    let mut parser: Vec<LintDiagnostic> = aa_hir::diagnostics::fragment_diagnostics(db, file)
        .iter()
        .filter_map(|(in_file, d)| lints::parser::finding(selection, *in_file, d))
        .collect();
    apply_levels(selection, &mut parser);
    build_scope::note_builds(db, &mut parser);
    out.extend(parser);
    sort_findings(db, file, &mut out);
    out
}

/// Each finding at the level its selection gives its lint.
fn apply_levels(selection: &LintSelection, findings: &mut [LintDiagnostic]) {
    for d in findings {
        if let Some(lint) = lint_by_code_or_name(d.code) {
            d.severity = selection.severity(lint, d.severity);
        }
    }
}

/// The root's own findings first, then by file and position.
fn sort_findings(db: &dyn Db, root: File, findings: &mut [LintDiagnostic]) {
    findings.sort_by(|a, b| {
        (a.file != root, a.file.path(db), a.range.start(), a.range.end(), a.code).cmp(&(
            b.file != root,
            b.file.path(db),
            b.range.start(),
            b.range.end(),
            b.code,
        ))
    });
}

/// `file-rule-exec-conflict` and the `parser` group's exact
/// `conflicting-exec-modifiers` both flag the exec rule of a `file,` +
/// `pix /**` conflict; the first says more about `file,`, so where both
/// flag the same rule only it is kept (the exact lint still flags the
/// `file,` rule itself).
fn drop_repeated_exec_conflicts(out: &mut Vec<LintDiagnostic>) {
    let flagged: Vec<(File, aa_syntax::TextRange)> =
        out.iter().filter(|d| d.name == "file-rule-exec-conflict").map(|d| (d.file, d.range)).collect();
    if !flagged.is_empty() {
        out.retain(|d| d.name != "conflicting-exec-modifiers" || !flagged.contains(&(d.file, d.range)));
    }
}

/// The documentation of a lint, by code (`AA101`) or name
/// (`overbroad-glob`): the text of `docs/lints/<name>.md`, for
/// `aa-lint explain`.
pub fn explain(code_or_name: &str) -> Option<String> {
    lint_by_code_or_name(code_or_name).map(docs::render)
}
