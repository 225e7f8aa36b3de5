//! DFA-backed facts for lints, through `aa-compile`, memoised per root in
//! salsa so several lints share one compile.
//!
//! Two costs, two queries:
//! - [`exec_conflicts`] is cheap enough for the default set: only rules
//!   carrying an exec mode can conflict (allow or deny, owner or not, and
//!   `file,`, which `apparmor_parser` 3.0.8 reads as `/{**,} rwlkmix`), so
//!   each profile with two or more of them is compiled with only those rules.
//! - [`compiled_policy`] compiles every profile whole, for the opt-in lints
//!   that need the full file DFA (`shadowed-rule`, `subsumed-rule`,
//!   `write-and-exec-dfa`).
//!
//! Features: the file DFA, the only one these queries read, does not
//! depend on the kernel feature set, so the empty set is used (no policydb
//! is built, which keeps the compiles cheap).
//!
//! Limits: a fifth of `aa-lint compile`'s states (100,000; Debian's largest
//! profile needs 18,000 before minimization). These compiles run while a
//! user waits, in `check` and on an editor's hover; a profile past the
//! limit gets no DFA-backed findings (twenty rules like
//! `/sys/devices/**/dK/**/aK r,` cost seconds at the full limit).

use std::sync::Arc;

use crate::glob::{Glob, Perms};
use aa_compile::{CompileFailure, CompiledEntry, compile_lowered, compile_model, lower_profile, options_for};
use aa_dfa::{CompileError, CompileOptions, Features, Limits, ProfileError};
use aa_hir::{
    db::{Db, File},
    model::{PolicyModel, Profile, Rule, RuleKind, RuleMode, policy_model},
};

/// The options the lint compiles use (see the module doc), for the
/// database's target.
pub fn lint_options(db: &dyn Db) -> CompileOptions {
    let limits = Limits { max_states: 100_000, ..Limits::default() };
    CompileOptions { limits, ..options_for(aa_hir::db::target(db), Features::parse("")) }
}

/// Rules with different exec modes that match a common path: what
/// `apparmor_parser` rejects as "conflicting x modifiers".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExecConflict {
    /// Index in `PolicyModel::profiles`.
    pub profile: usize,
    /// The conflicting rules (indexes into the profile's `rules`).
    pub rules: Vec<usize>,
    /// A path both match.
    pub example: String,
}

/// Whether a rule can take part in an exec conflict: a file rule with an
/// exec permission, or `file,`.
pub fn is_exec_bearing(rule: &Rule) -> bool {
    match &*rule.kind {
        RuleKind::File { path: None, .. } => true,
        RuleKind::File { perms, .. } => {
            rule.qualifiers.mode != RuleMode::Prompt && perms.bytes().any(|b| b.eq_ignore_ascii_case(&b'x'))
        }
        _ => false,
    }
}

/// `safe`/`unsafe` written before a rule's permissions, folded into the
/// letters the way `apparmor_parser` 3.0.8 reads them (checked against it:
/// `unsafe Pix` conflicts with `Pix`, not with `pix`): `safe` scrubs the
/// environment (`P`, `C`, `U`), `unsafe` does not (`p`, `c`, `u`).
/// `aa-compile` does not encode the keywords; for exec conflicts only the
/// letters matter.
fn without_exec_safety(rule: &Rule) -> Rule {
    let RuleKind::File { path, perms, target, exec_safety: Some(safe) } = &*rule.kind else {
        return rule.clone();
    };
    let perms = perms
        .chars()
        .map(|c| match c {
            'p' | 'c' | 'u' | 'P' | 'C' | 'U' if *safe => c.to_ascii_uppercase(),
            'p' | 'c' | 'u' | 'P' | 'C' | 'U' => c.to_ascii_lowercase(),
            c => c,
        })
        .collect();
    Rule {
        kind: Arc::new(RuleKind::File { path: path.clone(), perms, target: target.clone(), exec_safety: None }),
        ..rule.clone()
    }
}

/// The exec conflicts of every profile of `root`.
/// Evicted like `policy_model` (per root).
#[salsa::tracked(returns(ref), lru = 128)]
pub fn exec_conflicts(db: &dyn Db, root: File) -> Vec<ExecConflict> {
    let model = policy_model(db, root);
    let opts = lint_options(db);
    let mut out = Vec::new();
    for (index, profile) in model.profiles.iter().enumerate() {
        let kept: Vec<usize> = (0..profile.rules.len()).filter(|&i| is_exec_bearing(&profile.rules[i])).collect();
        if kept.len() < 2 || !may_conflict(kept.iter().map(|&i| &profile.rules[i])) {
            continue;
        }
        let restricted = PolicyModel {
            profiles: vec![Profile {
                name: profile.name.clone(),
                kind: profile.kind,
                parent: None,
                attachment: None,
                flags: Vec::new(),
                origin: profile.origin.clone(),
                rules: kept.iter().map(|&i| without_exec_safety(&profile.rules[i])).collect(),
            }],
            diagnostics: Vec::new(),
        };
        let Ok(lowered) = lower_profile(db, &restricted, 0) else { continue };
        if let Err(CompileFailure::Compile {
            error: ProfileError::Dfa { error: CompileError::ConflictingExec { example, .. }, .. },
            rules,
        }) = compile_lowered(lowered, &opts)
        {
            out.push(ExecConflict {
                profile: index,
                rules: rules.iter().filter_map(|&r| kept.get(r).copied()).collect(),
                example: printable(&example),
            });
        }
    }
    out
}

/// Whether two allow rules with different exec modes (or targets) might
/// match a common path, judged on the text of their globs (an
/// over-approximation: a class matches any character, an exact match is not
/// told from a glob). When not, the profile cannot have an exec conflict
/// (deny rules only take exec permissions away) and need not be compiled,
/// which spares most profiles.
fn may_conflict<'a>(rules: impl Iterator<Item = &'a Rule>) -> bool {
    // (exec mode, transition target) and the path's glob (`None` when it
    // has too many alternatives to expand).
    type Seen = ((String, Option<String>), Option<Glob>);
    let mut seen: Vec<Seen> = Vec::new();
    for rule in rules.filter(|r| r.qualifiers.mode != RuleMode::Deny) {
        let rule = without_exec_safety(rule);
        let RuleKind::File { path, perms, target, .. } = &*rule.kind else { continue };
        let mode = match path {
            None => "i".to_string(),
            Some(_) => Perms::parse(perms).exec.unwrap_or_default().to_string(),
        };
        let key = (mode, target.clone());
        // `None`: too many alternatives to compare; assume the worst.
        let glob = Glob::expanded(path.as_deref().unwrap_or("/**"), 64);
        let overlaps = |other: &Option<Glob>| match (&glob, other) {
            (Some(a), Some(b)) => a.overlaps(b),
            _ => true,
        };
        if seen.iter().any(|(k, g)| *k != key && overlaps(g)) {
            return true;
        }
        seen.push((key, glob));
    }
    false
}

/// Every profile of `root` compiled whole: the opt-in lints' input.
/// Not compared between revisions (a new compile always counts as a change).
#[salsa::tracked(returns(ref), no_eq, lru = 128)]
pub fn compiled_policy(db: &dyn Db, root: File) -> Arc<Vec<CompiledEntry>> {
    let model = policy_model(db, root);
    Arc::new(compile_model(db, model, &lint_options(db)))
}

/// A path for a message: bytes outside printable ASCII as `\xNN`.
fn printable(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_graphic() || b == b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}
