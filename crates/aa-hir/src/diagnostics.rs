//! Everything `apparmor_parser` would reject for one policy file, through
//! its includes: syntax errors of every file read, include errors, variable
//! errors and the semantic checks.

use crate::{
    Diagnostic,
    checks::{FileRole, abi_diagnostics, check_resolved, language_diagnostics},
    db::{Db, File, FileContent},
    includes::{include_closure, parse},
    variables::{file_references, reference_diagnostics, variables},
};

/// Diagnostics for `root` loaded as a policy file, each with the file it is in.
/// Evicted like [`crate::model::policy_model`].
#[salsa::tracked(returns(ref), lru = 128)]
pub fn policy_diagnostics(db: &dyn Db, root: File) -> Vec<(File, Diagnostic)> {
    diagnostics(db, root, FileRole::Policy)
}

/// Diagnostics for `root` read as a fragment (an abstraction, a tunables or
/// `local/` file): its rules may stand outside a profile, and its variables
/// come from whatever includes it, so references are not checked.
#[salsa::tracked(returns(ref), lru = 128)]
pub fn fragment_diagnostics(db: &dyn Db, root: File) -> Vec<(File, Diagnostic)> {
    diagnostics(db, root, FileRole::Unknown)
}

fn diagnostics(db: &dyn Db, root: File, root_role: FileRole) -> Vec<(File, Diagnostic)> {
    let mut out = Vec::new();
    if let FileContent::NotUtf8 { offset } = root.content(db) {
        let message = format!("not valid UTF-8: the first invalid byte is at offset {offset}");
        out.push((root, Diagnostic::error("invalid-utf8", message, Default::default())));
        return out;
    }
    if let Some(too_large) = crate::includes::too_large_diagnostic(db, root) {
        out.push((root, too_large));
        return out;
    }
    let fragment = root_role == FileRole::Unknown;
    let closure = include_closure(db, root);
    let table = variables(db, root);
    for &file in &closure.files {
        let parse = parse(db, file);
        let tree = parse.tree();
        if file == root {
            for error in parse.errors() {
                out.push((file, Diagnostic::error("syntax-error", error.message.clone(), error.range)));
            }
            let known_variables = (!fragment).then_some(table);
            out.extend(check_resolved(&tree, root_role, known_variables).into_iter().map(|d| (file, d)));
            let target = crate::db::target(db);
            out.extend(
                language_diagnostics(&parse.syntax_node(), target, known_variables).into_iter().map(|d| (file, d)),
            );
            out.extend(abi_diagnostics(db, file).into_iter().map(|d| (file, d)));
        } else {
            // What does not depend on the including file is computed once
            // per included file, not once per profile that includes it.
            out.extend(included_file_diagnostics(db, file).iter().map(|d| (file, d.clone())));
        }
        if !fragment {
            let per_profile = crate::db::target(db).language.per_profile_variables;
            out.extend(reference_diagnostics(table, file, file_references(db, file), file != root, per_profile));
        }
    }
    out.extend(closure.diagnostics.iter().cloned());
    out.extend(table.diagnostics.iter().cloned());
    if !fragment {
        out.extend(crate::model::policy_model(db, root).diagnostics.iter().cloned());
    }
    out
}

/// Syntax errors and semantic checks of a file read through an include,
/// with values taken as written.
#[salsa::tracked(returns(ref))]
fn included_file_diagnostics(db: &dyn Db, file: File) -> Vec<Diagnostic> {
    let parse = parse(db, file);
    let mut out: Vec<Diagnostic> =
        parse.errors().iter().map(|e| Diagnostic::error("syntax-error", e.message.clone(), e.range)).collect();
    out.extend(check_resolved(&parse.tree(), FileRole::Unknown, None));
    out.extend(language_diagnostics(&parse.syntax_node(), crate::db::target(db), None));
    out.extend(abi_diagnostics(db, file));
    out.extend(crate::includes::too_large_diagnostic(db, file));
    out
}
