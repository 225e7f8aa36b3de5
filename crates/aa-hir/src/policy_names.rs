//! The names of the top-level profiles of the whole policy
//! ([`Settings::policy_files`]), for questions one file cannot answer: is
//! the profile an exec or `change_profile` target names loaded at all?
//!
//! Names are read from each file's syntax, not its resolved model, so that
//! asking costs one parse per file (kept for the run) and nothing of the
//! per-root results that are evicted between batches.

use std::collections::HashSet;

use aa_syntax::ast::{AstNode, Item, SourceFile};

use crate::db::{Db, File, Settings};
use crate::includes::parse;

/// The names of the top-level profiles `file` defines, as written (quotes
/// removed). A name with a variable (`profile @{name}`) is left out: its
/// value is the model's business, and such names are rare as targets.
#[salsa::tracked(returns(ref))]
pub fn top_level_profile_names(db: &dyn Db, file: File) -> Vec<String> {
    let root = parse(db, file).syntax_node();
    let Some(source) = SourceFile::cast(root) else { return Vec::new() };
    source
        .items()
        .filter_map(|item| match item {
            Item::Profile(p) if !p.is_hat() => p.name(),
            _ => None,
        })
        .map(|name| name.text().trim_matches('"').to_owned())
        .filter(|name| !name.contains('@'))
        .collect()
}

/// Every top-level profile name of the policy, or `None` when the policy's
/// files are not known (then nothing may be judged missing).
#[salsa::tracked(returns(ref))]
pub fn policy_profile_names(db: &dyn Db, settings: Settings) -> Option<HashSet<String>> {
    let files = settings.policy_files(db);
    if files.is_empty() {
        return None;
    }
    Some(files.iter().flat_map(|&f| top_level_profile_names(db, f).iter().cloned()).collect())
}

/// Whether `file` is one of the policy's files (so the rest of its policy
/// is known).
pub fn in_known_policy(db: &dyn Db, file: File) -> bool {
    db.settings().policy_files(db).contains(&file)
}
