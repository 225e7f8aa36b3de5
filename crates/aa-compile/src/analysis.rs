//! Questions only the automaton answers exactly, for lints, hover and the
//! `query` command: effective permissions at a path, allow rules a deny
//! takes everything from, allow rules another rule already grants, and the
//! paths a profile may both write and execute.
//!
//! Rule ids are indexes into the model profile's `rules`
//! (`aa_hir::model::Profile::rules`), the same ids [`crate::Lowered`] maps.

use std::collections::{HashMap, VecDeque};

use aa_dfa::dfa::{BuildOptions, Limits, Rule, RulePerms, regex_matches};
use aa_dfa::perms::old;
use aa_dfa::profile::{CompiledDfa, Origin as DfaOrigin};
use aa_dfa::query::{self, HalfPerms};
use aa_dfa::{CompiledProfile, Dfa};

use crate::Lowered;

/// The permissions a profile grants at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPerms {
    /// For a task owning the file (packed bits of one half, see
    /// `aa_dfa::perms::old`).
    pub owner: HalfPerms,
    /// For a task not owning it.
    pub other: HalfPerms,
    /// The rules whose pattern matches the path, in rule order.
    pub contributions: Vec<Contribution>,
}

/// One rule matching a queried path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// The model rule, or `None` for what the parser adds by itself.
    pub rule: Option<usize>,
    pub deny: bool,
    /// Both halves, packed.
    pub perms: u32,
}

/// Effective file permissions at `path` and the rules behind them.
/// `None` when the profile has no file rules at all (nothing is allowed).
pub fn effective_permissions(compiled: &CompiledProfile, lowered: &Lowered, path: &[u8]) -> Option<PathPerms> {
    let file = compiled.file.as_ref()?;
    let q = query::query(file, path);
    let contributions = q
        .contributors
        .iter()
        .map(|(o, p)| Contribution { rule: lowered.map.rule_of(*o), deny: p.deny, perms: p.perms })
        .collect();
    Some(PathPerms { owner: q.owner, other: q.other, contributions })
}

/// Letters for one half of packed file permissions (`rwalkmx` and the
/// exec mode).
pub fn perm_letters(half: u32) -> String {
    let mut s = String::new();
    for (bit, c) in [
        (old::READ, 'r'),
        (old::WRITE, 'w'),
        (old::APPEND, 'a'),
        (old::LINK, 'l'),
        (old::LOCK, 'k'),
        (old::EXEC_MMAP, 'm'),
    ] {
        if half & bit != 0 && !(c == 'a' && half & old::WRITE != 0) {
            s.push(c);
        }
    }
    if half & old::EXEC != 0 {
        let index = (half & old::EXEC_MOD_MASK) >> old::EXEC_MOD_SHIFT;
        let unsafe_ = half & old::EXEC_UNSAFE != 0;
        let inherit = half & old::EXEC_INHERIT != 0;
        let pux = half & old::EXEC_PUX != 0;
        let base = match index {
            0 if inherit => "i".to_owned(),
            0 => String::new(),
            1 => "u".to_owned(),
            2 => "p".to_owned(),
            3 => "c".to_owned(),
            n => format!("p[->{}]", n - 4),
        };
        let mut m = if unsafe_ || base.is_empty() || base == "i" { base } else { base.to_uppercase() };
        if index >= 2 && inherit {
            m.push('i');
        } else if index >= 2 && pux {
            m.push('u');
        }
        s.push_str(&m);
        s.push('x');
    }
    s
}

/// The DFA origins of a model rule in the file DFA.
fn file_origins(lowered: &Lowered, rule: usize) -> Vec<DfaOrigin> {
    let mut out = Vec::new();
    out.extend(lowered.map.files.iter().enumerate().filter(|(_, r)| **r == rule).map(|(i, _)| DfaOrigin::File(i)));
    out.extend(lowered.map.links.iter().enumerate().filter(|(_, r)| **r == rule).map(|(i, _)| DfaOrigin::Link(i)));
    out
}

/// The DFA rules of a file DFA lowered from `origins`.
fn rules_of<'a>(file: &'a CompiledDfa, origins: &[DfaOrigin]) -> Vec<&'a Rule> {
    file.rules.iter().filter(|r| file.origins.get(r.origin as usize).is_some_and(|o| origins.contains(o))).collect()
}

const MARK_A: u32 = 1 << 28;
const MARK_B: u32 = 1 << 29;

fn build(rules: Vec<Rule>) -> Option<Dfa> {
    let opts = BuildOptions {
        filedfa: false,
        limits: Limits { max_states: 200_000, max_bytes: 256 << 20 },
        ..BuildOptions::default()
    };
    Dfa::build_with(&rules, &opts).ok()
}

/// Breadth-first: the shortest input to each state satisfying `pred`
/// (at most `limit`), skipping NUL bytes unless `nul` is set.
fn examples(dfa: &Dfa, limit: usize, nul: bool, mut pred: impl FnMut(u32) -> bool) -> Vec<Vec<u8>> {
    let mut parent: HashMap<u32, (u32, u8)> = HashMap::new();
    let start = aa_dfa::START_STATE;
    let mut queue = VecDeque::from([start]);
    let mut seen = vec![false; dfa.state_count()];
    if let Some(s) = seen.get_mut(start as usize) {
        *s = true;
    }
    let mut out = Vec::new();
    while let Some(s) = queue.pop_front() {
        if pred(s) {
            let mut ex = Vec::new();
            let mut cur = s;
            while let Some(&(p, b)) = parent.get(&cur) {
                ex.push(b);
                cur = p;
            }
            ex.reverse();
            out.push(ex);
            if out.len() >= limit {
                break;
            }
        }
        for &b in query::PREFERRED_BYTES.iter() {
            if b == 0 && !nul {
                continue;
            }
            let n = dfa.step(s, b);
            if n != aa_dfa::DEAD_STATE && !seen.get(n as usize).copied().unwrap_or(true) {
                seen[n as usize] = true;
                parent.insert(n, (s, b));
                queue.push_back(n);
            }
        }
    }
    out
}

/// If the deny rules take every permission allow rule `rule` grants, on
/// every path it matches, the deny rules responsible (non-empty);
/// otherwise `None`. Also `None` for rules that are not allow file or
/// link rules.
pub fn shadowed_by_deny(compiled: &CompiledProfile, lowered: &Lowered, rule: usize) -> Option<Vec<usize>> {
    let file = compiled.file.as_ref()?;
    let origins = file_origins(lowered, rule);
    let own: Vec<&Rule> = rules_of(file, &origins);
    if own.is_empty() || own.iter().any(|r| r.perms.deny) {
        return None;
    }
    let denies: Vec<&Rule> = file.rules.iter().filter(|r| r.perms.deny).collect();
    if denies.is_empty() {
        return None;
    }
    let mut rules: Vec<Rule> = own
        .iter()
        .map(|r| Rule {
            regex: r.regex.clone(),
            perms: RulePerms { perms: r.perms.perms | MARK_A, ..r.perms },
            origin: 0,
        })
        .collect();
    rules.extend(denies.iter().map(|r| Rule { origin: 1, ..(*r).clone() }));
    let dfa = build(rules)?;
    let mut any_left = false;
    let mut marked = 0usize;
    for s in 0..dfa.state_count() as u32 {
        let p = dfa.perms(s);
        if p.allow & MARK_A != 0 {
            marked += 1;
            if p.allow & !MARK_A != 0 {
                any_left = true;
                break;
            }
        }
    }
    if any_left || marked == 0 {
        return None;
    }
    let ex = examples(&dfa, 16, true, |s| dfa.perms(s).allow & MARK_A != 0);
    let mut ids: Vec<usize> = Vec::new();
    for e in &ex {
        for d in &denies {
            if regex_matches(&d.regex, e)
                && let Some(id) = file.origins.get(d.origin as usize).and_then(|o| lowered.map.rule_of(*o))
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
    }
    ids.sort_unstable();
    (!ids.is_empty()).then_some(ids)
}

/// The literal text before a glob's first special character.
fn literal_prefix(path: &[u8]) -> &[u8] {
    let end = path.iter().position(|b| b"*?[]{}@\\".contains(b)).unwrap_or(path.len());
    &path[..end]
}

fn covers(big: &RulePerms, small: &RulePerms) -> bool {
    big.deny == small.deny && big.perms & small.perms == small.perms && big.audit & small.audit == small.audit
}

/// Other rules that each grant (or deny) everything rule `rule` does, on
/// every path it matches, with the same exec mode and audit bits: rule
/// `rule` is redundant while any of them stays. File and link rules.
pub fn subsumed_by(compiled: &CompiledProfile, lowered: &Lowered, rule: usize) -> Vec<usize> {
    let Some(file) = compiled.file.as_ref() else { return Vec::new() };
    let origins = file_origins(lowered, rule);
    let own: Vec<&Rule> = rules_of(file, &origins);
    if own.is_empty() {
        return Vec::new();
    }
    let own_prefix: Vec<u8> = lowered
        .map
        .files
        .iter()
        .position(|r| *r == rule)
        .and_then(|i| lowered.input.files.get(i))
        .map(|f| literal_prefix(&f.path).to_vec())
        .unwrap_or_default();
    let mut candidates: Vec<usize> = lowered.map.files.iter().chain(lowered.map.links.iter()).copied().collect();
    candidates.sort_unstable();
    candidates.dedup();
    let mut out = Vec::new();
    for other in candidates {
        if other == rule {
            continue;
        }
        if let Some(i) = lowered.map.files.iter().position(|r| *r == other)
            && let Some(f) = lowered.input.files.get(i)
        {
            let p = literal_prefix(&f.path);
            let compatible = p.starts_with(&own_prefix) || own_prefix.starts_with(p);
            if !compatible && !p.windows(2).any(|w| w == b"//") && !own_prefix.windows(2).any(|w| w == b"//") {
                continue;
            }
        }
        let theirs = rules_of(file, &file_origins(lowered, other));
        // Every DFA rule of ours needs covering rules of theirs.
        let ok = own.iter().all(|r| {
            let cover: Vec<&&Rule> = theirs.iter().filter(|t| covers(&t.perms, &r.perms)).collect();
            if cover.is_empty() {
                return false;
            }
            let mut rules = vec![Rule {
                regex: r.regex.clone(),
                perms: RulePerms { deny: false, perms: MARK_A, audit: 0, ..RulePerms::default() },
                origin: 0,
            }];
            rules.extend(cover.iter().map(|t| Rule {
                regex: t.regex.clone(),
                perms: RulePerms { deny: false, perms: MARK_B, audit: 0, ..RulePerms::default() },
                origin: 1,
            }));
            match build(rules) {
                Some(d) => (0..d.state_count() as u32).all(|s| {
                    let a = d.perms(s).allow;
                    a & MARK_A == 0 || a & MARK_B != 0
                }),
                None => false,
            }
        });
        if ok {
            out.push(other);
        }
    }
    out
}

/// Paths the profile lets a task both write and execute (in the owner or
/// the other half), exactly as the compiled file DFA decides: one shortest
/// example per DFA state, at most `limit`.
pub fn writable_and_executable(compiled: &CompiledProfile, limit: usize) -> Vec<Vec<u8>> {
    let Some(file) = compiled.file.as_ref() else { return Vec::new() };
    let dfa = &file.dfa;
    let wx = |half: u32| half & old::WRITE != 0 && half & old::EXEC != 0;
    examples(dfa, limit, false, |s| {
        let a = dfa.perms(s).allow;
        wx(a & old::HALF_MASK) || wx((a >> old::OTHER_SHIFT) & old::HALF_MASK)
    })
}
