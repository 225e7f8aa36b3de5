//! Hover on a file rule's path: the permissions the compiled profile
//! really gives at that path (after every rule, deny and include), and the
//! rules that contribute them. For a glob, a representative path the glob
//! matches is asked (the shortest, preferring letters and digits).
//!
//! The profile is compiled lazily, on the first such hover, and kept for
//! the revision (`aa_lints::compiled::compiled_policy`, which the opt-in
//! DFA lints share).

use std::{
    collections::{HashMap, VecDeque},
    fmt::Write as _,
    path::Path,
};

use aa_compile::analysis::perm_letters;
use aa_compile::{Lowered, effective_permissions};
use aa_dfa::dfa::{BuildOptions, Limits, Rule as DfaRule, RulePerms};
use aa_dfa::perms::old;
use aa_dfa::profile::{CompiledDfa, Origin as DfaOrigin};
use aa_dfa::query::{HalfPerms, PREFERRED_BYTES};
use aa_dfa::{CompiledProfile, Dfa};
use aa_hir::db::Db;
use aa_syntax::TextRange;

use crate::util;

/// The hover text for the file rule written at `rule_range` of `path`
/// (`None` when the file declares no profile holding it).
pub(crate) fn effective_hover(db: &dyn Db, path: &Path, rule_range: TextRange) -> Option<String> {
    let file = db.file(path);
    let model = aa_hir::model::policy_model(db, file);
    let (pi, ri) = model.profiles.iter().enumerate().find_map(|(pi, p)| {
        p.rules
            .iter()
            .position(|r| r.origin.location.file == file && r.origin.location.range == rule_range)
            .map(|ri| (pi, ri))
    })?;
    let profile = &model.profiles[pi];
    let entries = aa_lints::compiled::compiled_policy(db, file);
    let entry = entries.iter().find(|e| e.profile == pi)?;
    let (lowered, compiled) = match &entry.result {
        Ok(ok) => ok,
        Err(e) => return Some(format!("**Effective permissions** in `{}`: not compiled ({e}).", profile.name)),
    };
    let file_dfa = compiled.file.as_ref()?;
    let own = own_rules(file_dfa, lowered, ri);
    if own.is_empty() {
        return None;
    }
    let example = representative(&own)?;
    let shown = String::from_utf8_lossy(&example).into_owned();
    let exact = own.len() == 1 && own[0].is_exact();
    let mut out = if exact {
        format!("**Effective permissions** at `{shown}` in `{}`", profile.name)
    } else {
        format!("**Effective permissions** at `{shown}` (a path this glob matches) in `{}`", profile.name)
    };
    out.push_str(&describe(db, compiled, lowered, profile, &example));
    Some(out)
}

/// The file DFA rules lowered from model rule `rule`.
fn own_rules(file: &CompiledDfa, lowered: &Lowered, rule: usize) -> Vec<DfaRule> {
    let origins: Vec<DfaOrigin> =
        lowered.map.files.iter().enumerate().filter(|(_, r)| **r == rule).map(|(i, _)| DfaOrigin::File(i)).collect();
    file.rules
        .iter()
        .filter(|r| file.origins.get(r.origin as usize).is_some_and(|o| origins.contains(o)))
        .cloned()
        .collect()
}

/// The shortest path the rules match (no NUL), letters first.
fn representative(rules: &[DfaRule]) -> Option<Vec<u8>> {
    let marked: Vec<DfaRule> = rules
        .iter()
        .map(|r| DfaRule {
            regex: r.regex.clone(),
            perms: RulePerms { deny: false, perms: 1, audit: 0, ..RulePerms::default() },
            origin: 0,
        })
        .collect();
    let opts = BuildOptions {
        filedfa: false,
        limits: Limits { max_states: 50_000, max_bytes: 64 << 20 },
        ..BuildOptions::default()
    };
    let dfa = Dfa::build_with(&marked, &opts).ok()?;
    let mut parent: HashMap<u32, (u32, u8)> = HashMap::new();
    let mut seen = vec![false; dfa.state_count()];
    let mut queue = VecDeque::from([aa_dfa::START_STATE]);
    *seen.get_mut(aa_dfa::START_STATE as usize)? = true;
    while let Some(s) = queue.pop_front() {
        if s != aa_dfa::START_STATE && dfa.perms(s).allow != 0 {
            let mut path = Vec::new();
            let mut cur = s;
            while let Some(&(p, b)) = parent.get(&cur) {
                path.push(b);
                cur = p;
            }
            path.reverse();
            return Some(path);
        }
        for &b in PREFERRED_BYTES.iter().filter(|b| **b != 0) {
            let n = dfa.step(s, b);
            if n != aa_dfa::DEAD_STATE && !seen.get(n as usize).copied().unwrap_or(true) {
                seen[n as usize] = true;
                parent.insert(n, (s, b));
                queue.push_back(n);
            }
        }
    }
    None
}

/// Owner and other permissions at `path`, then the contributing rules.
fn describe(
    db: &dyn Db,
    compiled: &CompiledProfile,
    lowered: &Lowered,
    profile: &aa_hir::model::Profile,
    path: &[u8],
) -> String {
    let Some(p) = effective_permissions(compiled, lowered, path) else {
        return ": nothing (the profile has no file rules).".to_owned();
    };
    let show = |h: &HalfPerms| {
        let letters = perm_letters(h.allow);
        let mut s = format!("`{}`", if letters.is_empty() { "-" } else { &letters });
        if h.deny & old::HALF_MASK != 0 {
            let _ = write!(s, " (denied `{}`)", perm_letters(h.deny));
        }
        s
    };
    let mut out = String::new();
    let (owner, other) = (show(&p.owner), show(&p.other));
    if owner == other {
        let _ = write!(out, ": {owner}");
    } else {
        let _ = write!(out, ": owner {owner}, others {other}");
    }
    out.push_str("\n\nFrom:");
    for c in &p.contributions {
        let owner_only = (c.perms >> old::OTHER_SHIFT) & old::HALF_MASK == 0;
        let what = format!(
            "{}{}{}",
            if c.deny { "deny " } else { "" },
            if owner_only { "owner " } else { "" },
            perm_letters(c.perms & old::HALF_MASK)
        );
        let place = match c.rule.and_then(|r| profile.rules.get(r)) {
            Some(rule) => {
                let loc = &rule.origin.location;
                let text = match loc.file.content(db) {
                    aa_hir::db::FileContent::Text(t) => t.as_str(),
                    _ => "",
                };
                let line = text.get(..usize::from(loc.range.start())).map_or(0, |t| t.matches('\n').count()) + 1;
                let name = loc.file.path(db).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let written = text
                    .get(usize::from(loc.range.start())..usize::from(loc.range.end()))
                    .and_then(|t| t.lines().next())
                    .unwrap_or("")
                    .trim();
                format!("`{}` ({name}:{line})", util::shorten(written, 80))
            }
            None => "added by apparmor_parser".to_owned(),
        };
        let _ = write!(out, "\n- `{what}`: {place}");
    }
    out
}
