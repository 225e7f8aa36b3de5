//! Abstractions offered instead of rules: when one abstraction of the
//! search path grants several of the rules a profile needs (for example
//! `abstractions/nameservice` for the files a resolver reads), the report
//! offers `include <abstractions/NAME>` in place of those rules. An offer
//! grants more than the rules it replaces, so it is never inserted: the
//! rules stay the suggestion, the offer is the author's choice.

use std::path::Path;

use aa_hir::db::{Db, FileContent, RootDatabase};
use aa_hir::includes::is_skipped_file_name;
use aa_hir::model::policy_model;
use serde::Serialize;

use crate::compile;
use crate::event::Access;
use crate::{FileState, Options, file_state};

/// An abstraction that grants several of the suggested rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub include: String,
    /// The suggested rules it grants.
    pub replaces: Vec<String>,
    pub lines: Vec<usize>,
    /// The rules the abstraction has (its breadth).
    pub size: usize,
}

/// At least this many rules.
const MIN_RULES: usize = 3;

const PROBE: &str = "__aa_suggest_probe";

fn abstraction_names(db: &RootDatabase) -> Vec<String> {
    let settings = db.settings();
    let mut dirs: Vec<std::path::PathBuf> = settings.include_dirs(db).clone();
    dirs.push(settings.base_dir(db).clone());
    let mut names = Vec::new();
    for d in dirs {
        let dir = d.join("abstractions");
        if let FileContent::Directory(entries) = db.file(&dir).content(db) {
            for e in entries {
                if is_skipped_file_name(e) || names.contains(e) {
                    continue;
                }
                if matches!(db.file(&dir.join(e)).content(db), FileContent::Text(_)) {
                    names.push(e.clone());
                }
            }
        }
    }
    names.sort();
    names
}

/// The offers for rules `rules` (each with the accesses it allows and its
/// log lines) of a profile in the file at `path` whose text is `text`:
/// the abstractions granting at least [`MIN_RULES`] of them, most first.
pub(crate) fn offers(
    db: &mut RootDatabase,
    path: &Path,
    text: &str,
    rules: &[(String, Vec<Access>, Vec<usize>)],
    opts: &Options,
) -> Vec<Offer> {
    let useful: Vec<usize> = (0..rules.len())
        .filter(|&i| rules[i].1.iter().all(|a| matches!(a, Access::File { .. } | Access::Exec { .. })))
        .collect();
    if useful.len() < MIN_RULES {
        return Vec::new();
    }
    // The file's own tunables and abi, so the abstraction reads its
    // variables as the profile does.
    let prologue: String = text
        .lines()
        .filter(|l| {
            let t = l.trim_start().trim_start_matches('#');
            t.starts_with("include <tunables/") || t.starts_with("abi ")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let vpath = path.with_file_name(format!(".{name}.aa-suggest-probe"));
    let mut out = Vec::new();
    for abstraction in abstraction_names(db) {
        let probe = format!("{prologue}profile {PROBE} {{\n  include <abstractions/{abstraction}>\n}}\n");
        db.set_file_content(&vpath, FileContent::Text(probe), salsa::Durability::LOW);
        let root = db.file(&vpath);
        let model = policy_model(db, root);
        let Some(i) = model.profiles.iter().position(|p| p.name == PROBE) else { continue };
        let size = model.profiles[i].rules.len();
        let Ok(c) = compile::compile(db, model, i, &opts.compile) else { continue };
        let granted: Vec<usize> = useful
            .iter()
            .copied()
            .filter(|&r| {
                rules[r].1.iter().all(|a| match a {
                    Access::File { path, perms, owner } => {
                        matches!(file_state(Some(&c), path, *owner, perms.bits()), FileState::Allowed)
                    }
                    Access::Exec { path, owner } => {
                        matches!(file_state(Some(&c), path, *owner, aa_dfa::perms::old::EXEC), FileState::Allowed)
                    }
                    _ => false,
                })
            })
            .collect();
        if granted.len() >= MIN_RULES {
            let mut lines: Vec<usize> = granted.iter().flat_map(|&r| rules[r].2.iter().copied()).collect();
            lines.sort_unstable();
            lines.dedup();
            out.push(Offer {
                include: format!("include <abstractions/{abstraction}>"),
                replaces: granted.iter().map(|&r| rules[r].0.clone()).collect(),
                lines,
                size,
            });
        }
    }
    // An abstraction granting no more of the rules than a smaller one is
    // no better offer.
    let all = out.clone();
    out.retain(|b| {
        !all.iter().any(|a| {
            a.include != b.include
                && (a.size, &a.include) < (b.size, &b.include)
                && b.replaces.iter().all(|r| a.replaces.contains(r))
        })
    });
    out.sort_by(|a, b| b.replaces.len().cmp(&a.replaces.len()).then(a.size.cmp(&b.size)));
    out.truncate(3);
    out
}
