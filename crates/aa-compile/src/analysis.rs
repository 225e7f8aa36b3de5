//! Questions only the automaton answers exactly, for lints, hover and the
//! `query` command: effective permissions at a path, allow rules a deny
//! takes everything from, allow rules another rule already grants, and the
//! paths a profile may both write and execute.
//!
//! Rule ids are indexes into the model profile's `rules`
//! (`aa_hir::model::Profile::rules`), the same ids [`crate::Lowered`] maps.

use std::cell::OnceCell;
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
/// For many questions about one profile, build a [`FileRuleIndex`] once.
pub fn subsumed_by(compiled: &CompiledProfile, lowered: &Lowered, rule: usize) -> Vec<usize> {
    FileRuleIndex::new(compiled, lowered).subsumed_by(rule)
}

/// The file and link rules of one compiled profile indexed for many
/// [`FileRuleIndex::subsumed_by`] and [`FileRuleIndex::shadowed_by_deny`]
/// questions: each model rule's DFA rules, the literal prefix of its path,
/// and (built on first use) each DFA rule's own automaton and one path it
/// matches.
///
/// A rule can only be covered by rules whose literal prefix is compatible
/// with its own and one of which matches that path, so the automaton that
/// decides coverage is built only for those few candidates: a 6,000-rule
/// profile builds thousands of automata, not millions.
pub struct FileRuleIndex<'a> {
    /// Model rule id → its DFA rules.
    rules: HashMap<usize, Vec<Pattern<'a>>>,
    /// Model rule ids with DFA rules, sorted.
    ids: Vec<usize>,
    /// Model rule id → literal prefix of its path (file rules only).
    prefixes: HashMap<usize, Vec<u8>>,
}

/// One DFA rule with its own automaton, built on first use.
struct Pattern<'a> {
    rule: &'a Rule,
    alone: OnceCell<Option<Dfa>>,
}

impl Pattern<'_> {
    fn dfa(&self) -> Option<&Dfa> {
        self.alone
            .get_or_init(|| {
                build(vec![Rule {
                    regex: self.rule.regex.clone(),
                    perms: RulePerms { deny: false, perms: MARK_A, audit: 0, ..RulePerms::default() },
                    origin: 0,
                }])
            })
            .as_ref()
    }

    /// One path the rule matches.
    fn sample(&self) -> Option<Vec<u8>> {
        let dfa = self.dfa()?;
        examples(dfa, 1, true, |s| dfa.perms(s).allow & MARK_A != 0).into_iter().next()
    }

    /// Whether the rule matches `path` (conservatively yes when its
    /// automaton could not be built).
    fn matches(&self, path: &[u8]) -> bool {
        let Some(dfa) = self.dfa() else { return true };
        let mut state = aa_dfa::START_STATE;
        for &b in path {
            state = dfa.step(state, b);
            if state == aa_dfa::DEAD_STATE {
                return false;
            }
        }
        dfa.perms(state).allow & MARK_A != 0
    }
}

impl<'a> FileRuleIndex<'a> {
    pub fn new(compiled: &'a CompiledProfile, lowered: &Lowered) -> FileRuleIndex<'a> {
        let mut rules: HashMap<usize, Vec<Pattern<'a>>> = HashMap::new();
        if let Some(file) = compiled.file.as_ref() {
            for r in &file.rules {
                let Some(origin) = file.origins.get(r.origin as usize) else { continue };
                if !matches!(origin, DfaOrigin::File(_) | DfaOrigin::Link(_)) {
                    continue;
                }
                if let Some(id) = lowered.map.rule_of(*origin) {
                    rules.entry(id).or_default().push(Pattern { rule: r, alone: OnceCell::new() });
                }
            }
        }
        let mut ids: Vec<usize> = rules.keys().copied().collect();
        ids.sort_unstable();
        let mut prefixes = HashMap::new();
        for (i, &id) in lowered.map.files.iter().enumerate() {
            if let Some(f) = lowered.input.files.get(i) {
                prefixes.entry(id).or_insert_with(|| literal_prefix(&f.path).to_vec());
            }
        }
        FileRuleIndex { rules, ids, prefixes }
    }

    /// Whether the literal prefixes of two rules leave room for overlap
    /// (a `//` in either may collapse, so it always does).
    fn prefixes_compatible(&self, a: usize, b: usize) -> bool {
        let (Some(p), Some(q)) = (self.prefixes.get(&a), self.prefixes.get(&b)) else { return true };
        p.starts_with(q) || q.starts_with(p) || p.windows(2).any(|w| w == b"//") || q.windows(2).any(|w| w == b"//")
    }

    /// See [`shadowed_by_deny`]; the full question is asked only when a
    /// deny rule matches a sample path of each of the rule's patterns.
    pub fn shadowed_by_deny(&self, compiled: &CompiledProfile, lowered: &Lowered, rule: usize) -> Option<Vec<usize>> {
        let own = self.rules.get(&rule)?;
        let denies: Vec<&Pattern<'_>> =
            self.ids.iter().flat_map(|id| &self.rules[id]).filter(|p| p.rule.perms.deny).collect();
        let plausible = own.iter().all(|p| match p.sample() {
            Some(s) => denies.iter().any(|d| d.matches(&s)),
            None => true,
        });
        if plausible { shadowed_by_deny(compiled, lowered, rule) } else { None }
    }

    /// See [`subsumed_by`].
    pub fn subsumed_by(&self, rule: usize) -> Vec<usize> {
        let Some(own) = self.rules.get(&rule) else { return Vec::new() };
        // One path each of our DFA rules matches: a covering rule set must
        // match it too.
        let samples: Vec<Option<Vec<u8>>> = own.iter().map(Pattern::sample).collect();
        let mut out = Vec::new();
        for &other in &self.ids {
            if other == rule || !self.prefixes_compatible(rule, other) {
                continue;
            }
            let theirs = &self.rules[&other];
            // Every DFA rule of ours needs covering rules of theirs.
            let ok = own.iter().zip(&samples).all(|(r, sample)| {
                let cover: Vec<&Pattern<'_>> = theirs.iter().filter(|t| covers(&t.rule.perms, &r.rule.perms)).collect();
                // Cheap first: some covering rule must match our sample path.
                let plausible = match sample {
                    Some(s) => cover.iter().any(|t| t.matches(s)),
                    None => !cover.is_empty(),
                };
                plausible && covered(r.rule, &cover)
            });
            if ok {
                out.push(other);
            }
        }
        out
    }
}

/// Whether the `cover` rules together match every path `rule` matches.
fn covered(rule: &Rule, cover: &[&Pattern<'_>]) -> bool {
    let mut rules = vec![Rule {
        regex: rule.regex.clone(),
        perms: RulePerms { deny: false, perms: MARK_A, audit: 0, ..RulePerms::default() },
        origin: 0,
    }];
    rules.extend(cover.iter().map(|t| Rule {
        regex: t.rule.regex.clone(),
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
