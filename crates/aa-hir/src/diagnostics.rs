//! Everything `apparmor_parser` would reject for one policy file, through
//! its includes: syntax errors of every file read, include errors, variable
//! errors and the semantic checks.

use aa_syntax::ast::AstNode;

use crate::{
    Diagnostic,
    checks::{FileRole, abi_diagnostics, check_resolved},
    db::{Db, File, FileContent},
    includes::{include_closure, parse},
    variables::{reference_diagnostics, variables},
};

/// Diagnostics for `root` loaded as a policy file, each with the file it is in.
#[salsa::tracked(returns(ref))]
pub fn policy_diagnostics(db: &dyn Db, root: File) -> Vec<(File, Diagnostic)> {
    diagnostics(db, root, FileRole::Policy)
}

/// Diagnostics for `root` read as a fragment (an abstraction, a tunables or
/// `local/` file): its rules may stand outside a profile, and its variables
/// come from whatever includes it, so references are not checked.
#[salsa::tracked(returns(ref))]
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
    let fragment = root_role == FileRole::Unknown;
    let closure = include_closure(db, root);
    let table = variables(db, root);
    for &file in &closure.files {
        let parse = parse(db, file);
        for error in parse.errors() {
            out.push((file, Diagnostic::error("syntax-error", error.message.clone(), error.range)));
        }
        let role = if file == root { root_role } else { FileRole::Unknown };
        let tree = parse.tree();
        let known_variables = (!fragment).then_some(table);
        out.extend(check_resolved(&tree, role, known_variables).into_iter().map(|d| (file, d)));
        if !fragment {
            out.extend(reference_diagnostics(table, file, tree.syntax(), file != root));
        }
        out.extend(abi_diagnostics(db, file).into_iter().map(|d| (file, d)));
    }
    out.extend(closure.diagnostics.iter().cloned());
    out.extend(table.diagnostics.iter().cloned());
    out
}
