//! Diagnostics of one file: its syntax errors, its semantic errors, and
//! what goes wrong in the files it includes (reported on the include line,
//! with the place in the included file as related information).

use std::path::{Path, PathBuf};

use aa_hir::{
    checks::FileRole,
    db::{Db, File},
};
use aa_syntax::TextRange;

use crate::{FileRange, LintConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RelatedInformation {
    pub location: FileRange,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Kebab-case code, e.g. `syntax-error`, `unknown-capability`.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub range: TextRange,
    pub related: Vec<RelatedInformation>,
}

/// Which group a code belongs to, for `lint.select` / `lint.ignore`.
fn group(code: &str) -> &'static str {
    match code {
        "syntax-error" => "syntax",
        "unresolved-include" | "include-cycle" | "include-too-deep" | "error-in-include" => "include",
        _ => "semantic",
    }
}

fn selected(config: &LintConfig, code: &str) -> bool {
    let matches = |sel: &String| {
        let sel = sel.trim();
        sel == "all" || sel == code || sel == group(code)
    };
    let selected = config.select.is_empty() || config.select.iter().any(matches);
    selected && !config.ignore.iter().any(matches)
}

/// How `apparmor_parser` would meet the file: a file with a profile that is
/// not in an abstraction-like directory is loaded directly.
fn role(db: &dyn Db, file: File) -> FileRole {
    let path = file.path(db);
    let in_library = path.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        matches!(c.as_ref(), "abstractions" | "tunables" | "local" | "abi") || c.ends_with(".d") && c != "apparmor.d"
    });
    let parse = aa_hir::includes::parse(db, file);
    let has_profile = parse.tree().items().any(|item| matches!(item, aa_syntax::ast::Item::Profile(_)));
    if has_profile && !in_library { FileRole::Policy } else { FileRole::Unknown }
}

/// Syntax and semantic errors of one file, cached per file.
#[salsa::tracked(returns(ref))]
pub(crate) fn file_errors(db: &dyn Db, file: File) -> Vec<aa_hir::Diagnostic> {
    let parse = aa_hir::includes::parse(db, file);
    let mut out: Vec<aa_hir::Diagnostic> = parse
        .errors()
        .iter()
        .map(|e| aa_hir::Diagnostic::error("syntax-error", e.message.clone(), e.range))
        .collect();
    out.extend(aa_hir::checks::check_as(&parse.tree(), role(db, file)));
    out
}

fn convert(d: &aa_hir::Diagnostic) -> Diagnostic {
    Diagnostic {
        code: d.code.to_string(),
        severity: match d.severity {
            aa_hir::Severity::Error => Severity::Error,
            aa_hir::Severity::Warning => Severity::Warning,
        },
        message: d.message.clone(),
        range: d.range,
        related: Vec::new(),
    }
}

pub(crate) fn diagnostics(db: &dyn Db, lint: &LintConfig, path: &Path) -> Vec<Diagnostic> {
    let file = db.file(path);
    let mut out: Vec<Diagnostic> = file_errors(db, file).iter().map(convert).collect();

    // Errors found while following includes; those of this file are reported
    // where they are, those deeper on the include line of this file that leads there.
    let closure = aa_hir::includes::include_closure(db, file);
    let includes = aa_hir::includes::file_includes(db, file);
    let include_line_for = |target: File| -> Option<TextRange> {
        includes
            .iter()
            .find(|inc| {
                inc.files.iter().any(|&f| {
                    f == target || aa_hir::includes::include_closure(db, f).files.contains(&target)
                })
            })
            .map(|inc| inc.range)
    };
    for (in_file, d) in &closure.diagnostics {
        if *in_file == file {
            out.push(convert(d));
        } else if let Some(range) = include_line_for(*in_file) {
            let mut diag = convert(d);
            diag.related.push(RelatedInformation {
                location: FileRange { path: in_file.path(db).clone(), range: d.range },
                message: d.message.clone(),
            });
            diag.message = format!("in included file {}: {}", in_file.path(db).display(), d.message);
            diag.range = range;
            out.push(diag);
        }
    }

    // Errors inside included files: one diagnostic per include statement.
    for inc in includes {
        let mut related = Vec::new();
        let mut first: Option<(PathBuf, String)> = None;
        let mut count = 0usize;
        let mut seen = Vec::new();
        for &target in &inc.files {
            for &f in &aa_hir::includes::include_closure(db, target).files {
                if f == file || seen.contains(&f) {
                    continue;
                }
                seen.push(f);
                for e in file_errors(db, f).iter().filter(|e| e.severity == aa_hir::Severity::Error) {
                    count += 1;
                    if first.is_none() {
                        first = Some((f.path(db).clone(), e.message.clone()));
                    }
                    if related.len() < 10 {
                        related.push(RelatedInformation {
                            location: FileRange { path: f.path(db).clone(), range: e.range },
                            message: e.message.clone(),
                        });
                    }
                }
            }
        }
        if let Some((path, message)) = first {
            let more = if count > 1 { format!(" (and {} more)", count - 1) } else { String::new() };
            out.push(Diagnostic {
                code: "error-in-include".to_string(),
                severity: Severity::Error,
                message: format!("included file {} has errors: {message}{more}", path.display()),
                range: inc.range,
                related,
            });
        }
    }

    out.retain(|d| selected(lint, &d.code));
    out.sort_by(|a, b| (a.range.start(), a.range.end(), &a.code).cmp(&(b.range.start(), b.range.end(), &b.code)));
    out.dedup();
    out
}
