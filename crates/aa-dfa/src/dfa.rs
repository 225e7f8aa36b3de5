//! Our own regex → DFA compiler: Thompson NFA, subset construction over
//! bytes, permission accumulation per state, and Moore minimization.
//!
//! A [`Rule`] is a regex plus the permission record the parser attaches to
//! it. Every DFA state collects the records of the rules that accept there
//! and folds them the way `apparmor_parser` does (see [`StatePerms::fold`]),
//! so the resulting accept words can be compared with decoded tables.
//!
//! Like the parser's tables, state 0 is dead and state 1 is the start.

use std::collections::HashMap;

use crate::perms::old;
use crate::regex::{ByteSet, Regex};
use crate::walk::{DEAD_STATE, START_STATE};

/// The permission record of one rule, in the packed (old) encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RulePerms {
    pub deny: bool,
    /// Permission bits (both halves, plus change_profile/onexec bits).
    pub perms: u32,
    /// For allow rules: audited bits. For deny rules: the bits to keep
    /// quiet (deny rules are quiet unless audited).
    pub audit: u32,
}

/// A rule: matches `regex`, grants or denies `perms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub regex: Regex,
    pub perms: RulePerms,
    /// Provenance: the caller's id of the source rule this one came from
    /// (one source rule may lower to several DFA rules). Used in error
    /// messages and queries; it never influences the automaton.
    pub origin: u32,
}

impl Rule {
    /// Whether the parser treats the rule as an exact (wildcard-free) match,
    /// which lets its exec mode override those of globbing rules.
    pub fn is_exact(&self) -> bool {
        self.regex.is_exact()
    }
}

/// Accumulated permissions of a DFA state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct StatePerms {
    pub allow: u32,
    pub deny: u32,
    pub audit: u32,
    pub quiet: u32,
}

/// Bits of a half that describe the exec transition.
const EXEC_TYPE: u32 = old::EXEC_PUX | old::EXEC_UNSAFE | old::EXEC_INHERIT | old::EXEC_MOD_MASK;
const USER_EXEC_TYPE: u32 = EXEC_TYPE;
const OTHER_EXEC_TYPE: u32 = EXEC_TYPE << old::OTHER_SHIFT;
const USER_EXEC: u32 = old::EXEC;
const OTHER_EXEC: u32 = old::EXEC << old::OTHER_SHIFT;

/// Two exec grants may merge only if they agree on the exec type.
fn x_consistent(a: u32, b: u32) -> bool {
    let half_ok = |exec: u32, ty: u32| a & exec == 0 || b & exec == 0 || a & ty == b & ty;
    half_ok(USER_EXEC, USER_EXEC_TYPE) && half_ok(OTHER_EXEC, OTHER_EXEC_TYPE)
}

impl StatePerms {
    /// Folds the records of the rules accepting in one state. Returns the
    /// permissions and whether two exec modes conflicted (the parser's
    /// "conflicting x modifiers" error). Rules:
    /// - allow and audit bits of non-exact rules are ORed; exact rules'
    ///   non-exec bits likewise;
    /// - an exact rule's exec type replaces the globbing rules' one, per half;
    /// - denying `x` in a half also removes its exec type;
    /// - deny removes allow bits; quiet bits survive only where denied.
    pub fn fold<'a>(
        records: impl IntoIterator<Item = (&'a RulePerms, bool)>,
    ) -> (StatePerms, bool) {
        StatePerms::fold_class(records, true)
    }

    /// Like [`StatePerms::fold`]; with `filedfa == false` (policydb and
    /// the parser's non-file DFAs) exec modes are not checked for
    /// conflicts, exact rules' bits merge in full and a denied bit 0 does
    /// not remove exec types.
    pub fn fold_class<'a>(
        records: impl IntoIterator<Item = (&'a RulePerms, bool)>,
        filedfa: bool,
    ) -> (StatePerms, bool) {
        let mut p = StatePerms::default();
        let mut exact_allow = 0;
        let mut exact_audit = 0;
        let mut conflict = false;
        for (r, exact) in records {
            if r.deny {
                p.deny |= r.perms;
                p.quiet |= r.audit;
            } else if exact {
                conflict |= filedfa && !x_consistent(exact_allow, r.perms);
                exact_allow |= r.perms;
                exact_audit |= r.audit;
            } else {
                conflict |= filedfa && !x_consistent(p.allow, r.perms);
                p.allow |= r.perms;
                p.audit |= r.audit;
            }
        }
        let all_types = if filedfa {
            USER_EXEC_TYPE | OTHER_EXEC_TYPE
        } else {
            0
        };
        p.allow |= exact_allow & !all_types;
        p.audit |= exact_audit & !all_types;
        if exact_allow & USER_EXEC != 0 {
            p.allow = (exact_allow & USER_EXEC_TYPE) | (p.allow & !USER_EXEC_TYPE);
        }
        if exact_allow & OTHER_EXEC != 0 {
            p.allow = (exact_allow & OTHER_EXEC_TYPE) | (p.allow & !OTHER_EXEC_TYPE);
        }
        if filedfa && p.deny & USER_EXEC != 0 {
            p.deny |= USER_EXEC_TYPE;
        }
        if filedfa && p.deny & OTHER_EXEC != 0 {
            p.deny |= OTHER_EXEC_TYPE;
        }
        p.allow &= !p.deny;
        p.quiet &= p.deny;
        (p, conflict)
    }

    /// The accept-table word.
    pub fn accept1(&self) -> u32 {
        self.allow
    }

    /// The accept2-table word: audit and quiet, 7 bits per half each.
    pub fn accept2(&self) -> u32 {
        const MASK: u32 = 0x7f | (0x7f << old::OTHER_SHIFT);
        (self.audit & MASK) | ((self.quiet & self.deny & MASK) << 7)
    }
}

/// A compiled DFA with dense transitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dfa {
    /// `trans[s * 256 + b]` is the successor of state `s` on byte `b`.
    pub trans: Vec<u32>,
    pub perms: Vec<StatePerms>,
}

/// A compile failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// Two rules accept the same string with different exec modes.
    ConflictingExec {
        example: Vec<u8>,
        /// Origins of the rules accepting `example` with an exec mode.
        origins: Vec<u32>,
    },
    /// The minimized DFA does not fit the parser's 16-bit state numbers.
    TooManyStates(usize),
    /// Construction stopped at a configured limit (see [`Limits`]).
    LimitExceeded(LimitExceeded),
}

/// Which limit stopped a construction, and the rules that made it grow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitExceeded {
    /// States built when construction stopped.
    pub states: usize,
    /// Estimated bytes in use when it stopped.
    pub bytes: usize,
    pub limits: Limits,
    /// Origins of the rules present in the most DFA states, most first,
    /// with the number of states each is part of: the rules whose
    /// combination explodes.
    pub culprits: Vec<(u32, usize)>,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::ConflictingExec { example, .. } => write!(
                f,
                "merged rules have conflicting x modifiers (e.g. for {:?})",
                String::from_utf8_lossy(example)
            ),
            CompileError::TooManyStates(n) => write!(f, "DFA exceeds {n} states"),
            CompileError::LimitExceeded(l) => write!(
                f,
                "DFA construction stopped after {} states (~{} MiB; limits {} states, {} MiB)",
                l.states,
                l.bytes >> 20,
                l.limits.max_states,
                l.limits.max_bytes >> 20
            ),
        }
    }
}

impl std::error::Error for CompileError {}

/// States above this make the parser's 16-bit tables overflow too.
pub const MAX_STATES: usize = 65_535;

/// Resource limits on subset construction (before minimization, which is
/// where `apparmor_parser` runs out of memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_states: usize,
    /// Estimated heap bytes for transitions and state sets.
    pub max_bytes: usize,
}

impl Default for Limits {
    /// 500,000 states or 1 GiB, whichever comes first.
    fn default() -> Limits {
        Limits {
            max_states: 500_000,
            max_bytes: 1 << 30,
        }
    }
}

/// How a DFA is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildOptions {
    /// File (and xmatch) DFAs check and merge exec modes; policydb DFAs
    /// do not (the parser's `filedfa` flag).
    pub filedfa: bool,
    pub limits: Limits,
}

impl Default for BuildOptions {
    fn default() -> BuildOptions {
        BuildOptions {
            filedfa: true,
            limits: Limits::default(),
        }
    }
}

enum NState {
    /// Consume one byte of the set, go to the target.
    Byte(ByteSet, usize),
    /// Epsilon moves.
    Split(Vec<usize>),
    /// Rule `i` accepts.
    Accept(usize),
}

struct Nfa {
    states: Vec<NState>,
}

impl Nfa {
    fn push(&mut self, s: NState) -> usize {
        self.states.push(s);
        self.states.len() - 1
    }

    /// Compiles `re` so that it continues to `next`; returns its entry.
    fn compile(&mut self, re: &Regex, next: usize) -> usize {
        match re {
            Regex::Empty => next,
            Regex::Literal(b) => self.push(NState::Byte(ByteSet::single(*b), next)),
            Regex::Set(s) => self.push(NState::Byte(*s, next)),
            Regex::Concat(v) => v.iter().rev().fold(next, |n, r| self.compile(r, n)),
            Regex::Alt(v) => {
                let entries = v.iter().map(|r| self.compile(r, next)).collect();
                self.push(NState::Split(entries))
            }
            Regex::Star(r) => {
                let split = self.push(NState::Split(vec![next]));
                let body = self.compile(r, split);
                if let NState::Split(v) = &mut self.states[split] {
                    v.push(body);
                }
                split
            }
            Regex::Plus(r) => {
                let split = self.push(NState::Split(vec![next]));
                let body = self.compile(r, split);
                if let NState::Split(v) = &mut self.states[split] {
                    v.push(body);
                }
                body
            }
        }
    }

    /// Epsilon closure, keeping only consuming and accepting states.
    fn closure(&self, seeds: impl IntoIterator<Item = usize>) -> Vec<usize> {
        let mut seen = vec![false; self.states.len()];
        let mut stack: Vec<usize> = seeds.into_iter().collect();
        let mut out = Vec::new();
        while let Some(s) = stack.pop() {
            if std::mem::replace(&mut seen[s], true) {
                continue;
            }
            match &self.states[s] {
                NState::Split(v) => stack.extend(v.iter().copied()),
                _ => out.push(s),
            }
        }
        out.sort_unstable();
        out
    }
}

/// Whether `regex` matches all of `input` (NFA simulation; no DFA built).
pub fn regex_matches(regex: &Regex, input: &[u8]) -> bool {
    let mut nfa = Nfa { states: Vec::new() };
    let acc = nfa.push(NState::Accept(0));
    let entry = nfa.compile(regex, acc);
    let mut cur = nfa.closure([entry]);
    for &b in input {
        let next = cur.iter().filter_map(|&n| match &nfa.states[n] {
            NState::Byte(bs, t) if bs.contains(b) => Some(*t),
            _ => None,
        });
        cur = nfa.closure(next);
        if cur.is_empty() {
            return false;
        }
    }
    cur.contains(&acc)
}

/// The input that reaches `state` along the construction's tree.
fn path_to(parents: &[(u32, u8)], mut state: u32) -> Vec<u8> {
    let mut out = Vec::new();
    while state > START_STATE {
        let Some(&(p, b)) = parents.get(state as usize) else {
            break;
        };
        out.push(b);
        state = p;
    }
    out.reverse();
    out
}

/// Rules ranked by the number of DFA states whose NFA set includes one of
/// their NFA states; keeps those present in at least a tenth as many
/// states as the top one (at most 20).
fn culprits(sets: &[Vec<usize>], bounds: &[usize], rules: &[Rule]) -> Vec<(u32, usize)> {
    let mut count = vec![0usize; rules.len()];
    let mut seen = vec![usize::MAX; rules.len()];
    for (si, set) in sets.iter().enumerate() {
        for &n in set {
            let r = bounds.partition_point(|&b| b <= n).saturating_sub(1);
            if r < rules.len() && seen[r] != si {
                seen[r] = si;
                count[r] += 1;
            }
        }
    }
    let mut ranked: Vec<(usize, usize)> = count.into_iter().enumerate().filter(|&(_, c)| c > 0).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let top = ranked.first().map_or(0, |r| r.1);
    ranked
        .into_iter()
        .filter(|&(_, c)| c * 10 >= top)
        .take(20)
        .map(|(r, c)| (rules[r].origin, c))
        .collect()
}

/// Splits the byte alphabet into classes no NFA set distinguishes, so the
/// subset construction looks at one representative per class.
fn byte_classes(nfa: &Nfa) -> ([u16; 256], Vec<u8>) {
    let mut class_of = [0u16; 256];
    let mut classes = 1u16;
    for s in &nfa.states {
        if let NState::Byte(set, _) = s {
            let mut remap: HashMap<(u16, bool), u16> = HashMap::new();
            let mut next = 0u16;
            for b in 0..=255u8 {
                let key = (class_of[b as usize], set.contains(b));
                let id = *remap.entry(key).or_insert_with(|| {
                    next += 1;
                    next - 1
                });
                class_of[b as usize] = id;
            }
            classes = next;
        }
    }
    let mut reps = vec![None; classes as usize];
    for b in 0..=255u8 {
        reps[class_of[b as usize] as usize].get_or_insert(b);
    }
    (class_of, reps.into_iter().flatten().collect())
}

impl Dfa {
    /// Compiles file rules into a minimized DFA with default limits.
    pub fn build(rules: &[Rule]) -> Result<Dfa, CompileError> {
        Dfa::build_with(rules, &BuildOptions::default())
    }

    /// Compiles rules into a minimized DFA.
    pub fn build_with(rules: &[Rule], opts: &BuildOptions) -> Result<Dfa, CompileError> {
        let d = Dfa::build_unminimized_with(rules, opts)?.minimize();
        if d.state_count() > MAX_STATES {
            return Err(CompileError::TooManyStates(MAX_STATES));
        }
        Ok(d)
    }

    /// Subset construction without minimization (file DFA, default limits).
    pub fn build_unminimized(rules: &[Rule]) -> Result<Dfa, CompileError> {
        Dfa::build_unminimized_with(rules, &BuildOptions::default())
    }

    /// Subset construction without minimization.
    pub fn build_unminimized_with(rules: &[Rule], opts: &BuildOptions) -> Result<Dfa, CompileError> {
        let mut nfa = Nfa { states: Vec::new() };
        let mut entries = Vec::new();
        // NFA states [bounds[i], bounds[i + 1]) belong to rule i.
        let mut bounds = vec![0];
        for (i, r) in rules.iter().enumerate() {
            let acc = nfa.push(NState::Accept(i));
            entries.push(nfa.compile(&r.regex, acc));
            bounds.push(nfa.states.len());
        }
        let exact: Vec<bool> = rules.iter().map(Rule::is_exact).collect();
        let (class_of, reps) = byte_classes(&nfa);

        let mut ids: HashMap<Vec<usize>, u32> = HashMap::new();
        let mut sets: Vec<Vec<usize>> = vec![Vec::new()];
        ids.insert(Vec::new(), DEAD_STATE);
        let start = nfa.closure(entries);
        // The start state gets id 1 even when it is empty (no rules). Like
        // the parser's, it is never the target of a transition and never
        // accepts: an input that comes back to the start's NFA set lands
        // in a separate state that does.
        sets.push(start);
        // Paths to each state, for error messages: (parent, byte).
        let mut parents: Vec<(u32, u8)> = vec![(0, 0), (0, 0)];
        let mut trans = vec![DEAD_STATE; 2 * 256];
        let mut perms = Vec::new();
        // Estimated heap use: a transition row, the set twice (list and
        // map key), map and bookkeeping overhead per state.
        let state_cost = |set: &[usize]| 256 * 4 + 2 * 8 * set.len() + 96;
        let mut bytes: usize = sets.iter().map(|s| state_cost(s)).sum();
        let mut s = 0;
        while s < sets.len() {
            let set = std::mem::take(&mut sets[s]);
            let accepting = set.iter().filter_map(|&n| match nfa.states[n] {
                NState::Accept(i) => Some((&rules[i].perms, exact[i])),
                _ => None,
            });
            let (p, conflict) = StatePerms::fold_class(accepting, opts.filedfa);
            if conflict {
                let origins = set
                    .iter()
                    .filter_map(|&n| match nfa.states[n] {
                        NState::Accept(i) if rules[i].perms.perms & (USER_EXEC | OTHER_EXEC) != 0 => {
                            Some(rules[i].origin)
                        }
                        _ => None,
                    })
                    .collect();
                return Err(CompileError::ConflictingExec {
                    example: path_to(&parents, s as u32),
                    origins,
                });
            }
            // The parser never gives the start state permissions, even
            // when a rule matches the empty input.
            perms.push(if s == START_STATE as usize {
                StatePerms::default()
            } else {
                p
            });
            let mut row = vec![DEAD_STATE; reps.len()];
            for (class, &rep) in reps.iter().enumerate() {
                let targets = set.iter().filter_map(|&n| match &nfa.states[n] {
                    NState::Byte(bs, t) if bs.contains(rep) => Some(*t),
                    _ => None,
                });
                let next = nfa.closure(targets);
                let id = match ids.get(&next) {
                    Some(&id) => id,
                    None => {
                        bytes += state_cost(&next);
                        if sets.len() >= opts.limits.max_states || bytes > opts.limits.max_bytes {
                            sets[s] = set;
                            return Err(CompileError::LimitExceeded(LimitExceeded {
                                states: sets.len(),
                                bytes,
                                limits: opts.limits,
                                culprits: culprits(&sets, &bounds, rules),
                            }));
                        }
                        let id = sets.len() as u32;
                        ids.insert(next.clone(), id);
                        sets.push(next);
                        parents.push((s as u32, rep));
                        trans.extend_from_slice(&[DEAD_STATE; 256]);
                        id
                    }
                };
                row[class] = id;
            }
            // Every byte of a class behaves like its representative.
            for b in 0..256 {
                trans[s * 256 + b] = row[class_of[b] as usize];
            }
            // Keep the set for culprit analysis (the map holds a copy too).
            sets[s] = set;
            s += 1;
        }
        Ok(Dfa { trans, perms })
    }

    pub fn state_count(&self) -> usize {
        self.perms.len()
    }

    pub fn step(&self, state: u32, byte: u8) -> u32 {
        self.trans
            .get(state as usize * 256 + byte as usize)
            .copied()
            .unwrap_or(DEAD_STATE)
    }

    pub fn walk(&self, input: &[u8]) -> u32 {
        input.iter().fold(START_STATE, |s, &b| self.step(s, b))
    }

    /// Permissions of `state` (default for an unknown state).
    pub fn perms(&self, state: u32) -> StatePerms {
        self.perms.get(state as usize).copied().unwrap_or_default()
    }

    /// Moore minimization: states with equal accept words start in one
    /// block; blocks split until successors agree. Keeps dead = 0 and
    /// start = 1.
    ///
    /// Like the parser, this compares only what reaches the tables (the
    /// accept and accept2 words), so states that differ only in deny bits
    /// hidden behind equal words merge; the merged state keeps the
    /// [`StatePerms`] of one of them.
    pub fn minimize(&self) -> Dfa {
        let n = self.state_count();
        let key = |p: &StatePerms| (p.accept1(), p.accept2());
        let mut block: Vec<u32> = {
            let mut ids: HashMap<(u32, u32), u32> = HashMap::new();
            // Block 0 holds the dead state's class.
            ids.insert(key(&self.perms[0]), 0);
            self.perms
                .iter()
                .map(|p| {
                    let k = ids.len() as u32;
                    *ids.entry(key(p)).or_insert(k)
                })
                .collect()
        };
        loop {
            let mut ids: HashMap<(u32, Vec<u32>), u32> = HashMap::new();
            let next: Vec<u32> = (0..n)
                .map(|s| {
                    let sig: Vec<u32> = (0..256)
                        .map(|b| block[self.trans[s * 256 + b] as usize])
                        .collect();
                    let k = ids.len() as u32;
                    *ids.entry((block[s], sig)).or_insert(k)
                })
                .collect();
            let stable = ids.len() == block.iter().copied().max().map_or(0, |m| m as usize + 1);
            block = next;
            if stable {
                break;
            }
        }
        // Renumber so that dead's block is 0 and start's block is 1 (if it
        // is a different block), then the rest in order of appearance.
        let mut order: HashMap<u32, u32> = HashMap::new();
        order.insert(block[0], 0);
        for s in std::iter::once(1).chain(0..n) {
            let k = order.len() as u32;
            order.entry(block[s]).or_insert(k);
        }
        let m = order.len().max(2);
        let mut trans = vec![DEAD_STATE; m * 256];
        let mut perms = vec![StatePerms::default(); m];
        for s in 0..n {
            let t = order[&block[s]] as usize;
            perms[t] = self.perms[s];
            for b in 0..256 {
                trans[t * 256 + b] = order[&block[self.trans[s * 256 + b] as usize]];
            }
        }
        Dfa { trans, perms }
    }
}
