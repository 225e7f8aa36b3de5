//! `check --select parser|all`: everything `apparmor_parser` would reject,
//! through includes and variables, computed by `aa-hir`'s database. Each
//! input becomes a root file; the files they include are read once and
//! shared; roots are checked in parallel on clones of the database.

use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::{
    db::{Db, File, FileContent, RootDatabase},
    default_tunables::BUILTIN_ROOT,
    diagnostics::{fragment_diagnostics, policy_diagnostics},
    includes::{include_closure, uses_builtin_tunables},
};
use rayon::prelude::*;

use crate::{
    codes::{Code, Diagnostic, Selector, Severity, is_selected},
    commands::{Findings, SearchPaths, process},
    render::{Styles, render},
    source::{Input, LineIndex},
};

pub(crate) fn check(
    inputs: &[Result<Input, String>],
    selectors: &[Selector],
    search: &SearchPaths,
    styles: Styles,
) -> Vec<Result<Findings, String>> {
    // Paths stay as the user wrote them (relative ones resolve against the
    // working directory, as in apparmor_parser), so messages show them so.
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let sources = process(inputs, |source| source);
    let mut db = RootDatabase::new(
        Arc::new(aa_lsp::OsLoader),
        search.include_dirs.clone(),
        search.base.clone(),
        cwd,
    );
    // The texts are read already: hand them to the database rather than
    // reading them twice.
    let mut roots: Vec<Result<(File, String, bool), String>> = Vec::with_capacity(inputs.len());
    for (input, source) in inputs.iter().zip(sources) {
        let source = match source {
            Ok(source) => source,
            Err(message) => {
                roots.push(Err(message));
                continue;
            }
        };
        let path = match input {
            Ok(Input::File(path)) => path.clone(),
            _ => PathBuf::from("<stdin>"),
        };
        db.set_file_content(&path, FileContent::Text(source.text), salsa::Durability::MEDIUM);
        let file = db.file(&path);
        roots.push(Ok((file, source.name, is_fragment(&path))));
    }

    let found: Vec<Result<Vec<(File, aa_hir::Diagnostic)>, String>> = roots
        .par_iter()
        .map_with(db.clone(), |db, root| {
            let (file, _, fragment) = root.as_ref().map_err(Clone::clone)?;
            Ok(if *fragment { fragment_diagnostics(db, *file) } else { policy_diagnostics(db, *file) }.clone())
        })
        .collect();

    if *uses_builtin_tunables(&db) && roots.iter().flatten().any(|(file, _, _)| reads_builtin(&db, *file)) {
        eprintln!(
            "note: no `tunables` directory in the include path; using aa-lint's built-in standard tunables"
        );
    }

    // A problem in a shared abstraction is shown once, under the first input
    // that includes it.
    let names: HashMap<File, String> =
        roots.iter().flatten().map(|(file, name, _)| (*file, name.clone())).collect();
    let mut shown: HashSet<(File, u32, u32, &'static str, String)> = HashSet::new();
    roots
        .iter()
        .zip(found)
        .map(|(root, found)| {
            root.as_ref().map_err(Clone::clone)?;
            let found = found?;
            let mut per_file: Vec<(File, Vec<Diagnostic>)> = Vec::new();
            for (file, diagnostic) in found {
                let code = if diagnostic.code == "syntax-error" { Code::SyntaxError } else { Code::Parser(diagnostic.code) };
                if !is_selected(selectors, code) {
                    continue;
                }
                let key = (
                    file,
                    u32::from(diagnostic.range.start()),
                    u32::from(diagnostic.range.end()),
                    diagnostic.code,
                    diagnostic.message.clone(),
                );
                if !shown.insert(key) {
                    continue;
                }
                let severity = match diagnostic.severity {
                    aa_hir::Severity::Error => Severity::Error,
                    aa_hir::Severity::Warning => Severity::Warning,
                };
                let entry = Diagnostic { code, severity, message: diagnostic.message, range: diagnostic.range };
                match per_file.iter_mut().find(|(f, _)| *f == file) {
                    Some((_, list)) => list.push(entry),
                    None => per_file.push((file, vec![entry])),
                }
            }
            let (mut rendered, mut errors, mut warnings) = (Vec::new(), 0, 0);
            for (file, mut list) in per_file {
                list.sort_by_key(|d| (d.range.start(), d.range.end()));
                let text = match file.content(&db) {
                    FileContent::Text(text) => text.as_str(),
                    _ => "",
                };
                let name = names.get(&file).cloned().unwrap_or_else(|| file.path(&db).display().to_string());
                let index = LineIndex::new(text);
                for diagnostic in &list {
                    match diagnostic.severity {
                        Severity::Error => errors += 1,
                        Severity::Warning => warnings += 1,
                    }
                    rendered.push(render(&name, &index, diagnostic, styles));
                }
            }
            Ok(Findings::new(rendered, errors, warnings))
        })
        .collect()
}

/// Abstractions, tunables, `local/` overrides and the files of `NAME.d`
/// directories (such as `apache2.d/`) are fragments included by profiles, not
/// policy loaded on its own.
fn is_fragment(path: &Path) -> bool {
    let Some(dir) = path.parent() else { return false };
    dir.components().any(|c| match c.as_os_str().to_str() {
        Some("abstractions" | "tunables" | "local" | "abi") => true,
        Some(name) => name.ends_with(".d") && name != "apparmor.d",
        None => false,
    })
}

fn reads_builtin(db: &RootDatabase, root: File) -> bool {
    include_closure(db, root).files.iter().any(|f| f.path(db).starts_with(BUILTIN_ROOT))
}
