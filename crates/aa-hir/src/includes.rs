//! Include resolution as `apparmor_parser` does it.
//!
//! - `include <name>` searches the `-I` directories in order, then the base
//!   directory; `include "name"` (and a bare name) is a path of its own,
//!   relative to the parser's working directory when not absolute.
//! - A directory include takes every regular file directly in it, in name
//!   order, skipping the backup and package-manager files `apparmor_parser`
//!   skips (`is_skipped_file_name`).
//! - `include if exists` tolerates a missing target.
//! - `apparmor_parser` keeps a cache of files already included in the current
//!   scope and silently skips them, so including a file twice, or a cycle, is
//!   not an error there: the closure here visits each file once and reports a
//!   cycle as a warning only.

use std::path::{Path, PathBuf};

use aa_syntax::{Parse, TextRange, ast::AstNode};

use crate::{
    Diagnostic,
    db::{Db, File, FileContent},
};

/// Parses a file's text; an unreadable file parses as empty.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: File) -> Parse {
    match file.content(db) {
        FileContent::Text(text) if !is_too_large(text) => aa_syntax::parse(text),
        _ => aa_syntax::parse(""),
    }
}

/// The largest file analysed, in bytes (10 MiB). A larger one (a log or a
/// generated dump opened by mistake) reads as empty and gets one
/// `file-too-large` diagnostic: what is derived from its tree (the model,
/// the lints, the editor's queries) is then bounded.
pub const MAX_FILE_BYTES: usize = 10 << 20;

/// Whether a file's text is past [`MAX_FILE_BYTES`].
pub fn is_too_large(text: &str) -> bool {
    text.len() > MAX_FILE_BYTES
}

/// The `file-too-large` diagnostic of `file`, if its text is past the limit.
pub fn too_large_diagnostic(db: &dyn Db, file: File) -> Option<Diagnostic> {
    let FileContent::Text(text) = file.content(db) else { return None };
    is_too_large(text).then(|| {
        let message = format!(
            "the file is {:.1} MiB, past the {} MiB limit: it is not analysed (is this an AppArmor file?)",
            text.len() as f64 / f64::from(1u32 << 20),
            MAX_FILE_BYTES >> 20
        );
        Diagnostic::error("file-too-large", message, Default::default())
    })
}

/// One `include` statement and the files it brings in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResolvedInclude {
    /// The whole statement in the including file.
    pub range: TextRange,
    /// The name as written, without `<>` or quotes.
    pub target: String,
    pub files: Vec<File>,
    /// Why nothing could be included, when that is an error.
    pub error: Option<String>,
    /// A standard abstraction on a machine that has none (no search
    /// directory has `abstractions/`): not an error, but its rules are unseen.
    pub unavailable_standard: bool,
}

/// Every include statement of `file`, resolved, in text order.
#[salsa::tracked(returns(ref))]
pub fn file_includes(db: &dyn Db, file: File) -> Vec<ResolvedInclude> {
    let parse = parse(db, file);
    let includes = parse.syntax_node().descendants().filter_map(aa_syntax::ast::Include::cast);
    includes.filter_map(|include| resolve(db, &include)).collect()
}

/// The include statement at `range` of `file`, found by a binary search
/// (the statements are in text order): a file with thousands of includes
/// would otherwise scan them all for each one.
pub fn include_at(db: &dyn Db, file: File, range: TextRange) -> Option<&ResolvedInclude> {
    let includes = file_includes(db, file);
    let i = includes.binary_search_by_key(&range.start(), |include| include.range.start()).ok()?;
    Some(&includes[i]).filter(|include| include.range == range)
}

/// The files the include statement at `range` of `file` brings in.
pub fn included_files(db: &dyn Db, file: File, range: TextRange) -> &[File] {
    include_at(db, file, range).map_or(&[], |include| &include.files)
}

fn resolve(db: &dyn Db, include: &aa_syntax::ast::Include) -> Option<ResolvedInclude> {
    let target = include.target()?;
    let range = include.syntax().text_range();
    let settings = db.settings();
    let candidates: Vec<PathBuf> = if include.is_search_path() {
        let mut dirs: Vec<PathBuf> = search_dirs(db);
        if target.starts_with("tunables/") && *uses_builtin_tunables(db) {
            dirs.push(PathBuf::from(crate::default_tunables::BUILTIN_ROOT));
        }
        dirs.iter().map(|dir| dir.join(target.trim_start_matches('/'))).collect()
    } else if Path::new(&target).is_absolute() {
        vec![PathBuf::from(&target)]
    } else {
        vec![settings.working_dir(db).join(&target)]
    };
    let mut error = None;
    for candidate in &candidates {
        let found = db.file(candidate);
        match found.content(db) {
            FileContent::NotFound => continue,
            FileContent::Text(_) => {
                return Some(ResolvedInclude {
                    range,
                    target,
                    files: vec![found],
                    error: None,
                    unavailable_standard: false,
                });
            }
            FileContent::Directory(entries) => {
                let mut names: Vec<&String> = entries.iter().filter(|name| !is_skipped_file_name(name)).collect();
                names.sort();
                let files = names
                    .into_iter()
                    .map(|name| db.file(&candidate.join(name)))
                    // Subdirectories of an included directory are not descended into.
                    .filter(|f| !matches!(f.content(db), FileContent::Directory(_)))
                    .collect();
                return Some(ResolvedInclude { range, target, files, error: None, unavailable_standard: false });
            }
            FileContent::NotUtf8 { offset } => {
                error = Some(format!(
                    "`{}` is not valid UTF-8 (first invalid byte at offset {offset})",
                    candidate.display()
                ));
                break;
            }
            FileContent::Unreadable(reason) => {
                error = Some(format!("could not read `{}`: {reason}", candidate.display()));
                break;
            }
        }
    }
    if error.is_none()
        && include.is_search_path()
        && crate::standard_abstractions::is_standard_abstraction(&target)
        && *lacks_abstractions(db)
    {
        return Some(ResolvedInclude { range, target, files: Vec::new(), error: None, unavailable_standard: true });
    }
    if error.is_none() && !include.if_exists() {
        let searched = if include.is_search_path() {
            let dirs: Vec<String> =
                candidates.iter().filter_map(|c| c.parent()).map(|d| d.display().to_string()).collect();
            format!(" in {}", dirs.join(", "))
        } else {
            String::new()
        };
        error = Some(format!("could not find include `{target}`{searched}"));
    }
    Some(ResolvedInclude { range, target, files: Vec::new(), error, unavailable_standard: false })
}

/// The directories `include <name>` searches: `-I` ones, then the base.
fn search_dirs(db: &dyn Db) -> Vec<PathBuf> {
    let settings = db.settings();
    settings.include_dirs(db).iter().chain(std::iter::once(settings.base_dir(db))).cloned().collect()
}

/// Whether `<tunables/...>` falls back to the built-in tunables: only when no
/// search directory has a `tunables` directory, so a user's own always win.
#[salsa::tracked]
pub fn uses_builtin_tunables(db: &dyn Db) -> bool {
    !search_dirs(db).iter().any(|dir| matches!(db.file(&dir.join("tunables")).content(db), FileContent::Directory(_)))
}

/// Whether no search directory has an `abstractions` directory (a machine
/// without AppArmor's policy): then a standard abstraction that cannot be
/// found is a fallback, not an error.
#[salsa::tracked]
pub fn lacks_abstractions(db: &dyn Db) -> bool {
    !search_dirs(db)
        .iter()
        .any(|dir| matches!(db.file(&dir.join("abstractions")).content(db), FileContent::Directory(_)))
}

/// Names `apparmor_parser` skips when it loads a directory (libapparmor's
/// `_aa_is_blacklisted`): dot files, `README`, and package-manager and
/// editor leftovers.
///
/// Like libapparmor, a suffix only counts when its *first* occurrence in the
/// name is at the end (a substring search, then a position check), so
/// `a.orig.orig` is not skipped: kept to read directories exactly as it does.
pub fn is_skipped_file_name(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        ".dpkg-new",
        ".dpkg-old",
        ".dpkg-dist",
        ".dpkg-bak",
        ".dpkg-remove",
        ".pacsave",
        ".pacnew",
        ".rpmnew",
        ".rpmsave",
        ".orig",
        ".rej",
        "~",
    ];
    if name.is_empty() || name.starts_with('.') || name == "README" {
        return true;
    }
    // `ends_with` first: the substring search only runs for the rare names
    // that end with a suffix.
    SUFFIXES
        .iter()
        .any(|suffix| name.ends_with(suffix) && name.find(suffix).is_some_and(|at| at + suffix.len() == name.len()))
}

/// Include depth beyond which we stop following, with an error, so that a
/// generated chain of includes cannot exhaust memory.
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// `file` and everything it includes, transitively, each once, in the order
/// `apparmor_parser` reads them, plus the include errors found on the way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct IncludeClosure {
    pub files: Vec<File>,
    pub diagnostics: Vec<(File, Diagnostic)>,
    /// Standard abstractions included but not available on this machine
    /// ([`lacks_abstractions`]), in the order first met, each once.
    pub unseen_abstractions: Vec<String>,
}

#[salsa::tracked(returns(ref), lru = 128)]
pub fn include_closure(db: &dyn Db, root: File) -> IncludeClosure {
    let mut closure = IncludeClosure::default();
    let mut stack: Vec<File> = Vec::new();
    // Only included text counts: the root is already in memory, and reading
    // its size would make every keystroke in it recompute the closure.
    let mut bytes = 0;
    visit(db, root, &mut stack, &mut closure, &mut bytes);
    closure
}

/// Bounds on what one policy file may pull in, so that a generated or
/// hostile include tree gives an error instead of exhausting memory.
pub const MAX_INCLUDED_BYTES: usize = 256 << 20;
pub const MAX_INCLUDED_FILES: usize = 20_000;

fn text_len(db: &dyn Db, file: File) -> usize {
    match file.content(db) {
        FileContent::Text(text) => text.len(),
        _ => 0,
    }
}

fn visit(db: &dyn Db, file: File, stack: &mut Vec<File>, closure: &mut IncludeClosure, bytes: &mut usize) {
    closure.files.push(file);
    stack.push(file);
    for include in file_includes(db, file) {
        if include.unavailable_standard && !closure.unseen_abstractions.contains(&include.target) {
            closure.unseen_abstractions.push(include.target.clone());
        }
        if let Some(error) = &include.error {
            closure.diagnostics.push((file, Diagnostic::error("unresolved-include", error.clone(), include.range)));
        }
        for &target in &include.files {
            if let Some(position) = stack.iter().position(|&f| f == target) {
                let cycle: Vec<String> = stack[position..]
                    .iter()
                    .chain(std::iter::once(&target))
                    .map(|f| f.path(db).display().to_string())
                    .collect();
                closure.diagnostics.push((
                    file,
                    Diagnostic::warning(
                        "include-cycle",
                        format!("include cycle: {} (apparmor_parser skips the repeated include)", cycle.join(" → ")),
                        include.range,
                    ),
                ));
            } else if closure.files.contains(&target) {
                // Already read in this scope: apparmor_parser skips it silently.
            } else if stack.len() >= MAX_INCLUDE_DEPTH {
                closure.diagnostics.push((
                    file,
                    Diagnostic::error(
                        "include-too-deep",
                        format!("includes nested more than {MAX_INCLUDE_DEPTH} deep"),
                        include.range,
                    ),
                ));
            } else if closure.files.len() >= MAX_INCLUDED_FILES || *bytes + text_len(db, target) > MAX_INCLUDED_BYTES {
                closure.diagnostics.push((
                    file,
                    Diagnostic::error(
                        "include-too-large",
                        format!(
                            "this include would take the policy past {MAX_INCLUDED_FILES} files or {} MiB of text; \
                             the rest of it is not read",
                            MAX_INCLUDED_BYTES >> 20
                        ),
                        include.range,
                    ),
                ));
                return;
            } else {
                *bytes += text_len(db, target);
                visit(db, target, stack, closure, bytes);
            }
        }
    }
    stack.pop();
}
