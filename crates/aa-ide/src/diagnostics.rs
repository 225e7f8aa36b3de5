//! Diagnostics of one file: what `aa_lints::run` reports for it (the
//! `parser` group, which is what `apparmor_parser` rejects, and the lints the
//! configuration selects), with codes, names, related places and fixes.
//!
//! Findings in the file itself are reported where they are. Findings in the
//! files it includes are reported on the include line of this file that
//! leads there, one diagnostic per include line and lint, with the places in
//! the included files as related information.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use aa_config::Step;
use aa_hir::db::{Db, File};
use aa_lints::{Applicability, LintDiagnostic, LintSelection};
use aa_syntax::TextRange;

use crate::{FileRange, LintConfig, SourceChange, TextEdit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RelatedInformation {
    pub location: FileRange,
    pub message: String,
}

/// A lint's fix, as edits by path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    /// Whether the fix keeps the policy's meaning (it may be applied without review).
    pub safe: bool,
    pub description: String,
    pub change: SourceChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Stable lint code, e.g. `AA058`.
    pub code: String,
    /// Kebab-case lint name, e.g. `unknown-capability`.
    pub name: String,
    /// The lint's group (`parser`, `security`, ...).
    pub group: String,
    pub severity: Severity,
    pub message: String,
    pub range: TextRange,
    pub related: Vec<RelatedInformation>,
    pub fix: Option<Fix>,
    /// Whether `# aa-lint: allow(NAME) reason` can silence it here (findings
    /// of the `parser` group cannot be silenced, and a finding reported on
    /// an include line is silenced at that line only through the include).
    pub suppressible: bool,
}

/// The selection steps for `path`: its `aa-lint.toml`'s, then the client's
/// `lint.select` / `lint.ignore` as `aa-lint check --select/--ignore` apply
/// (an empty `select` keeps what is selected, a non-empty one replaces it).
/// Selectors are codes, code prefixes, names, groups or `all`; the old group
/// names `syntax`, `include` and `semantic` still work; unknown selectors
/// are skipped.
pub(crate) fn selection_steps(config: &LintConfig, path: &Path) -> Vec<Step> {
    let expand = |sel: &str| -> Vec<String> {
        match sel.trim() {
            "syntax" => vec!["syntax-error".into()],
            "include" => ["unresolved-include", "include-cycle", "include-too-deep", "include-too-large"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            "semantic" => vec!["parser".into()],
            other => vec![other.to_string()],
        }
    };
    let known = |s: &String| LintSelection::none().select(s).is_ok();
    let mut steps = match config.project_for(path) {
        Some(project) => project.steps_for(path, Path::new("/")),
        None => Vec::new(),
    };
    if !config.select.is_empty() {
        steps.push(Step::Replace(config.select.iter().flat_map(|s| expand(s)).filter(known).collect()));
    }
    steps.extend(config.ignore.iter().flat_map(|s| expand(s)).filter(known).map(Step::Ignore));
    steps
}

/// The selectors of `config` that name no lint, code or group.
pub fn unknown_selectors(config: &LintConfig) -> Vec<String> {
    let known =
        |s: &str| matches!(s.trim(), "syntax" | "include" | "semantic") || LintSelection::none().select(s).is_ok();
    config.select.iter().chain(&config.ignore).filter(|s| !known(s)).cloned().collect()
}

/// Abstractions, tunables, `local/` overrides, `NAME.d` files and files
/// without a profile are fragments: their rules may stand outside a
/// profile, and their variables come from whoever includes them.
pub(crate) fn is_fragment(db: &dyn Db, file: File) -> bool {
    let path = file.path(db);
    let in_library = path.parent().is_some_and(|dir| {
        dir.components().any(|c| match c.as_os_str().to_str() {
            Some("abstractions" | "tunables" | "local" | "abi") => true,
            Some(name) => name.ends_with(".d") && name != "apparmor.d",
            None => false,
        })
    });
    if in_library {
        return true;
    }
    let parse = aa_hir::includes::parse(db, file);
    !parse.tree().items().any(|item| matches!(item, aa_syntax::ast::Item::Profile(_)))
}

/// The findings of `file` as `aa-lint check` reports them: policy files
/// through `aa_lints::run`, fragments through `aa_lints::run_fragment`.
pub(crate) fn findings(db: &dyn Db, file: File, selection: &LintSelection) -> Vec<LintDiagnostic> {
    if is_fragment(db, file) { aa_lints::run_fragment(db, file, selection) } else { aa_lints::run(db, file, selection) }
}

fn severity(s: aa_lints::Severity) -> Severity {
    match s {
        aa_lints::Severity::Error => Severity::Error,
        aa_lints::Severity::Warning => Severity::Warning,
        aa_lints::Severity::Info => Severity::Info,
    }
}

fn related(db: &dyn Db, r: &aa_lints::Related) -> RelatedInformation {
    RelatedInformation {
        location: FileRange { path: r.file.path(db).clone(), range: r.range },
        message: r.message.clone(),
    }
}

fn fix(db: &dyn Db, f: &aa_lints::Fix) -> Fix {
    let mut by_path: BTreeMap<PathBuf, Vec<TextEdit>> = BTreeMap::new();
    for e in &f.edits {
        by_path
            .entry(e.file.path(db).clone())
            .or_default()
            .push(TextEdit { range: e.range, new_text: e.new_text.clone() });
    }
    Fix {
        safe: f.applicability == Applicability::Safe,
        description: f.description.clone(),
        change: SourceChange { edits: by_path.into_iter().collect() },
    }
}

/// The include statement of `file` through which `target` is read.
fn include_line_for(db: &dyn Db, file: File, target: File, d: &LintDiagnostic) -> Option<TextRange> {
    // The lint names the include chain when it knows it (outermost first).
    if let Some(r) = d.related.iter().find(|r| r.file == file && r.message.starts_with("brought in by")) {
        return Some(r.range);
    }
    aa_hir::includes::file_includes(db, file)
        .iter()
        .find(|inc| {
            inc.files.iter().any(|&f| f == target || aa_hir::includes::include_closure(db, f).files.contains(&target))
        })
        .map(|inc| inc.range)
}

/// The lint selection's steps, interned so that diagnostics can be
/// memoised per file and selection.
#[salsa::interned(debug)]
struct LintKey<'db> {
    #[returns(ref)]
    steps: Vec<Step>,
}

/// The diagnostics of `path`; computed once per revision and selection, so
/// hover and code actions reuse what publishing computed.
pub(crate) fn diagnostics(db: &dyn Db, lint: &LintConfig, path: &Path) -> Vec<Diagnostic> {
    let key = LintKey::new(db, selection_steps(lint, path));
    file_diagnostics(db, db.file(path), key).clone()
}

#[salsa::tracked(returns(ref))]
fn file_diagnostics<'db>(db: &'db dyn Db, file: File, key: LintKey<'db>) -> Vec<Diagnostic> {
    compute(db, key.steps(db), file)
}

fn compute(db: &dyn Db, steps: &[Step], file: File) -> Vec<Diagnostic> {
    let selection = aa_config::apply_steps(LintSelection::defaults(), steps);
    let findings = findings(db, file, &selection);
    let mut out = Vec::new();
    // (include line, code) → the findings behind it.
    let mut elsewhere: BTreeMap<(u32, u32, &'static str), Vec<&LintDiagnostic>> = BTreeMap::new();
    for d in &findings {
        if d.file == file {
            out.push(Diagnostic {
                code: d.code.to_string(),
                name: d.name.to_string(),
                group: d.group.name().to_string(),
                severity: severity(d.severity),
                message: d.message.clone(),
                range: d.range,
                related: d.related.iter().map(|r| related(db, r)).collect(),
                fix: d.fix.as_ref().map(|f| fix(db, f)),
                suppressible: d.group != aa_lints::Group::Parser,
            });
        } else if let Some(line) = include_line_for(db, file, d.file, d) {
            elsewhere.entry((line.start().into(), line.end().into(), d.code)).or_default().push(d);
        }
    }
    for ((start, end, _), ds) in elsewhere {
        let first = ds[0];
        let in_path = first.file.path(db).display().to_string();
        let message = match ds.len() {
            1 => format!("in included file {in_path}: {}", first.message),
            n => format!("in included file {in_path}: {} (and {} more in included files)", first.message, n - 1),
        };
        let mut rel: Vec<RelatedInformation> = Vec::new();
        for d in ds.iter().take(10) {
            rel.push(RelatedInformation {
                location: FileRange { path: d.file.path(db).clone(), range: d.range },
                message: d.message.clone(),
            });
        }
        out.push(Diagnostic {
            code: first.code.to_string(),
            name: first.name.to_string(),
            group: first.group.name().to_string(),
            severity: ds.iter().map(|d| severity(d.severity)).min().unwrap_or(Severity::Warning),
            message,
            range: TextRange::new(start.into(), end.into()),
            related: rel,
            fix: if ds.len() == 1 { first.fix.as_ref().map(|f| fix(db, f)) } else { None },
            suppressible: first.group != aa_lints::Group::Parser,
        });
    }
    out.sort_by(|a, b| (a.range.start(), a.range.end(), &a.code).cmp(&(b.range.start(), b.range.end(), &b.code)));
    out.dedup();
    out
}
