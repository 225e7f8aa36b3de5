//! Our own regex → DFA compiler: Thompson NFA, subset construction over
//! bytes, permission accumulation per state, and Hopcroft minimization.
//!
//! A [`Rule`] is a regex plus the permission record the parser attaches to
//! it. Every DFA state collects the records of the rules that accept there
//! and folds them the way `apparmor_parser` does (see [`StatePerms::fold`]),
//! so the resulting accept words can be compared with decoded tables.
//!
//! Like the parser's tables, state 0 is dead and state 1 is the start.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::accept::{OTHER_EXEC, USER_EXEC};
pub use crate::accept::{RulePerms, StatePerms};
use crate::regex::{ByteSet, Regex};
use crate::walk::{DEAD_STATE, START_STATE};
use aa_target::{CompileSemantics, MinimizeKey, Target};

use crate::fieldwise;

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
    /// Whether 3.0.8 treats the rule as an exact (wildcard-free) match,
    /// which lets its exec mode override those of globbing rules (see
    /// [`crate::accept::is_exact`] for other targets).
    pub fn is_exact(&self) -> bool {
        self.regex.is_exact()
    }
}

/// A compiled DFA. Bytes no transition tells apart share a class, and
/// each state stores one successor per class (`rows[s * width + c]`), a
/// fraction of the 1 KiB a 256-entry row of `u32` would take.
/// [`Dfa::step`] hides the classes; equality compares behaviour, not
/// class layout.
#[derive(Debug, Clone)]
pub struct Dfa {
    /// The class (column of `rows`) of each byte.
    class_of: [u8; 256],
    /// Classes per state, 1 to 256.
    width: usize,
    rows: Vec<u32>,
    perms: Vec<StatePerms>,
}

impl PartialEq for Dfa {
    fn eq(&self, other: &Dfa) -> bool {
        self.perms == other.perms
            && (0..self.state_count() as u32).all(|s| (0..=255u8).all(|b| self.step(s, b) == other.step(s, b)))
    }
}

impl Eq for Dfa {}

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
            CompileError::ConflictingExec { example, .. } => {
                write!(f, "merged rules have conflicting x modifiers (e.g. for {:?})", String::from_utf8_lossy(example))
            }
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
        Limits { max_states: 500_000, max_bytes: 1 << 30 }
    }
}

/// How a DFA is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildOptions {
    /// File (and xmatch) DFAs check and merge exec modes; policydb DFAs
    /// do not (the parser's `filedfa` flag).
    pub filedfa: bool,
    pub limits: Limits,
    /// Whose accumulation, exactness and minimisation to follow (the
    /// target's [`CompileSemantics`]).
    pub semantics: &'static CompileSemantics,
}

impl Default for BuildOptions {
    /// A file DFA, default limits, 3.0.8's semantics.
    fn default() -> BuildOptions {
        BuildOptions { filedfa: true, limits: Limits::default(), semantics: &Target::V3_0.compile }
    }
}

impl BuildOptions {
    /// Default options with `target`'s semantics.
    pub fn for_target(target: &'static Target) -> BuildOptions {
        BuildOptions { semantics: &target.compile, ..BuildOptions::default() }
    }
}

/// A small multiplicative hasher (the Fx hash of rustc) for the integer
/// keys of subset construction and minimization; SipHash dominated both.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(w));
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Scratch space for epsilon closures: a generation stamp per NFA state,
/// so no closure clears a whole bitmap.
struct Scratch {
    stamp: Vec<u32>,
    generation: u32,
    stack: Vec<usize>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch { stamp: vec![0; n], generation: 0, stack: Vec::new() }
    }
}

/// An NFA state: 24 bytes. Byte sets are stored once per distinct set in
/// [`Nfa::byte_sets`] (an inline 32-byte set made every state 48 bytes).
enum NState {
    /// Consume one byte of the set `Nfa::byte_sets[set]`, go to the target.
    Byte { set: u32, target: u32 },
    /// Epsilon moves.
    Split(Box<[u32]>),
    /// Rule `i` accepts.
    Accept(u32),
}

/// What [`Nfa::compile_rules`] built.
struct CompiledRules {
    /// The state the NFA starts in.
    entry: usize,
    /// Per NFA state, a rule it belongs to.
    owners: Vec<u32>,
    /// Per rule `i` whose accept state is `Accept(i)`: every rule that
    /// shares it (equal permissions and exactness), `i` first.
    sharing: Vec<Vec<u32>>,
}

struct Nfa {
    states: Vec<NState>,
    /// Distinct byte sets, in the order states first use them.
    byte_sets: Vec<ByteSet>,
    set_ids: FxMap<ByteSet, u32>,
    /// Compiled elements by continuation: an element compiled again with
    /// the same continuation reuses its states.
    compiled: FxMap<u32, Vec<(Regex, u32)>>,
}

impl Nfa {
    fn new() -> Nfa {
        Nfa { states: Vec::new(), byte_sets: Vec::new(), set_ids: FxMap::default(), compiled: FxMap::default() }
    }

    fn push(&mut self, s: NState) -> usize {
        self.states.push(s);
        self.states.len() - 1
    }

    fn push_byte(&mut self, bs: ByteSet, next: usize) -> usize {
        let set = *self.set_ids.entry(bs).or_insert_with(|| {
            self.byte_sets.push(bs);
            self.byte_sets.len() as u32 - 1
        });
        self.push(NState::Byte { set, target: next as u32 })
    }

    /// Adds `body` to the epsilon moves of the split state `split`.
    fn add_move(&mut self, split: usize, body: usize) {
        if let NState::Split(v) = &mut self.states[split] {
            let mut moves = std::mem::take(v).into_vec();
            moves.push(body as u32);
            *v = moves.into_boxed_slice();
        }
    }

    /// Compiles every rule into one NFA whose rules share equal leading
    /// elements (a trie of their concatenations, as `apparmor_parser`
    /// factors common prefixes of its expression tree): rules that start
    /// alike, up to and including a `*` or `**`, share one loop, which keeps
    /// the subset construction from tracking each copy separately. Returns
    /// the entry state and, per NFA state, a rule it belongs to (for
    /// naming the rules behind a state explosion).
    /// `exact` says which rules the target counts as exact.
    fn compile_rules(&mut self, rules: &[Rule], exact: &[bool]) -> CompiledRules {
        fn elements<'r>(re: &'r Regex, out: &mut Vec<&'r Regex>) {
            match re {
                Regex::Concat(v) => v.iter().for_each(|r| elements(r, out)),
                Regex::Empty => {}
                r => out.push(r),
            }
        }
        /// A trie node: its children by leading element, and the accept
        /// states of the rules that end here. Children have larger
        /// indices than their parent.
        struct Node<'r> {
            children: Vec<(&'r Regex, usize)>,
            accepts: Vec<u32>,
            owner: u32,
        }
        let mut owners: Vec<u32> = Vec::new();
        let mut trie = vec![Node { children: Vec::new(), accepts: Vec::new(), owner: 0 }];
        let mut elems = Vec::new();
        let mut accepts: FxMap<(RulePerms, bool), usize> = FxMap::default();
        let mut sharing: Vec<Vec<u32>> = vec![Vec::new(); rules.len()];
        for (i, rule) in rules.iter().enumerate() {
            let accept = *accepts.entry((rule.perms, exact[i])).or_insert_with(|| {
                owners.push(i as u32);
                self.push(NState::Accept(i as u32))
            });
            if let NState::Accept(first) = self.states[accept] {
                sharing[first as usize].push(i as u32);
            }
            elems.clear();
            elements(&rule.regex, &mut elems);
            let mut node = 0;
            for &e in &elems {
                node = match trie[node].children.iter().find(|(x, _)| *x == e) {
                    Some(&(_, child)) => child,
                    None => {
                        trie.push(Node { children: Vec::new(), accepts: Vec::new(), owner: i as u32 });
                        let child = trie.len() - 1;
                        trie[node].children.push((e, child));
                        child
                    }
                };
            }
            trie[node].accepts.push(accept as u32);
        }
        // Children before parents: reverse creation order.
        let mut entry = vec![0usize; trie.len()];
        for node in (0..trie.len()).rev() {
            let mut moves: Vec<u32> = trie[node].accepts.clone();
            for &(e, child) in &trie[node].children {
                let before = self.states.len();
                moves.push(self.compile(e, entry[child]) as u32);
                owners.resize(self.states.len().max(before), trie[child].owner);
            }
            entry[node] = match moves.as_slice() {
                [one] => *one as usize,
                _ => {
                    let split = self.push(NState::Split(moves.into_boxed_slice()));
                    owners.push(trie[node].owner);
                    split
                }
            };
        }
        CompiledRules { entry: entry[0], owners, sharing }
    }

    /// Compiles `re` so that it continues to `next`; returns its entry.
    fn compile(&mut self, re: &Regex, next: usize) -> usize {
        if matches!(re, Regex::Empty | Regex::Concat(_)) {
            return self.compile_new(re, next);
        }
        if let Some(&(_, state)) = self.compiled.get(&(next as u32)).and_then(|v| v.iter().find(|(r, _)| r == re)) {
            return state as usize;
        }
        let state = self.compile_new(re, next);
        self.compiled.entry(next as u32).or_default().push((re.clone(), state as u32));
        state
    }

    fn compile_new(&mut self, re: &Regex, next: usize) -> usize {
        match re {
            Regex::Empty => next,
            Regex::Literal(b) => self.push_byte(ByteSet::single(*b), next),
            Regex::Set(s) => self.push_byte(*s, next),
            Regex::Concat(v) => v.iter().rev().fold(next, |n, r| self.compile(r, n)),
            Regex::Alt(v) => {
                let entries = v.iter().map(|r| self.compile(r, next) as u32).collect();
                self.push(NState::Split(entries))
            }
            Regex::Star(r) => {
                let split = self.push(NState::Split(Box::new([next as u32])));
                let body = self.compile(r, split);
                self.add_move(split, body);
                split
            }
            Regex::Plus(r) => {
                let split = self.push(NState::Split(Box::new([next as u32])));
                let body = self.compile(r, split);
                self.add_move(split, body);
                body
            }
        }
    }

    /// Epsilon closure, keeping only consuming and accepting states.
    fn closure(&self, seeds: impl IntoIterator<Item = usize>, scratch: &mut Scratch) -> Vec<u32> {
        let mut out = Vec::new();
        self.closure_into(seeds, scratch, &mut out);
        out
    }

    /// [`Nfa::closure`] into `out` (cleared first), which keeps its buffer.
    fn closure_into(&self, seeds: impl IntoIterator<Item = usize>, scratch: &mut Scratch, out: &mut Vec<u32>) {
        if scratch.stamp.len() < self.states.len() {
            scratch.stamp.resize(self.states.len(), 0);
        }
        scratch.generation = scratch.generation.wrapping_add(1);
        if scratch.generation == 0 {
            scratch.stamp.iter_mut().for_each(|s| *s = 0);
            scratch.generation = 1;
        }
        let g = scratch.generation;
        let mut stack = std::mem::take(&mut scratch.stack);
        stack.clear();
        stack.extend(seeds);
        out.clear();
        while let Some(s) = stack.pop() {
            if scratch.stamp[s] == g {
                continue;
            }
            scratch.stamp[s] = g;
            match &self.states[s] {
                NState::Split(v) => stack.extend(v.iter().map(|&n| n as usize)),
                _ => out.push(s as u32),
            }
        }
        scratch.stack = stack;
        out.sort_unstable();
    }
}

/// Whether `regex` matches all of `input` (NFA simulation; no DFA built).
pub fn regex_matches(regex: &Regex, input: &[u8]) -> bool {
    let mut nfa = Nfa::new();
    let acc = nfa.push(NState::Accept(0));
    let entry = nfa.compile(regex, acc);
    let mut scratch = Scratch::new(nfa.states.len());
    let mut cur = nfa.closure([entry], &mut scratch);
    for &b in input {
        let next = cur.iter().filter_map(|&n| match &nfa.states[n as usize] {
            NState::Byte { set, target } if nfa.byte_sets[*set as usize].contains(b) => Some(*target as usize),
            _ => None,
        });
        cur = nfa.closure(next, &mut scratch);
        if cur.is_empty() {
            return false;
        }
    }
    cur.contains(&(acc as u32))
}

/// The input that reaches `state` along the construction's tree.
/// The byte standing for each class in example paths: a letter, digit or
/// common punctuation when the class has one, so that messages say `/a`
/// rather than `/\x01`.
fn shown_bytes(class_of: &[u16; 256], classes: usize) -> Vec<u8> {
    let preferred = (b'a'..=b'z').chain(b'0'..=b'9').chain(b'A'..=b'Z').chain(*b"._-");
    let order = preferred.chain((0x20..0x7f).filter(|&b| b != b'/')).chain(std::iter::once(b'/')).chain(0..=255);
    let mut shown: Vec<Option<u8>> = vec![None; classes];
    for b in order {
        shown[class_of[b as usize] as usize].get_or_insert(b);
    }
    shown.into_iter().map(|b| b.unwrap_or(0)).collect()
}

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
fn culprits(sets: &SetStore, owners: &[u32], rules: &[Rule]) -> Vec<(u32, usize)> {
    let mut count = vec![0usize; rules.len()];
    let mut seen = vec![usize::MAX; rules.len()];
    let mut set = Vec::new();
    for si in 0..sets.len() {
        sets.decode_into(si as u32, &mut set);
        for &n in &set {
            let n = n as usize;
            let r = owners.get(n).map_or(usize::MAX, |&o| o as usize);
            if r < rules.len() && seen[r] != si {
                seen[r] = si;
                count[r] += 1;
            }
        }
    }
    let mut ranked: Vec<(usize, usize)> = count.into_iter().enumerate().filter(|&(_, c)| c > 0).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let top = ranked.first().map_or(0, |r| r.1);
    ranked.into_iter().filter(|&(_, c)| c * 10 >= top).take(20).map(|(r, c)| (rules[r].origin, c)).collect()
}

/// Splits the byte alphabet into classes no NFA set distinguishes, so the
/// subset construction looks at one representative per class.
fn byte_classes(nfa: &Nfa) -> ([u16; 256], Vec<u8>) {
    let mut class_of = [0u16; 256];
    let mut classes = 1u16;
    // Refine by each distinct byte set once.
    let mut remap: Vec<u16> = Vec::new();
    for set in &nfa.byte_sets {
        remap.clear();
        remap.resize(2 * classes as usize, u16::MAX);
        let mut next = 0u16;
        for b in 0..=255u8 {
            let key = 2 * class_of[b as usize] as usize + set.contains(b) as usize;
            if remap[key] == u16::MAX {
                remap[key] = next;
                next += 1;
            }
            class_of[b as usize] = remap[key];
        }
        classes = next;
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
        let free = free_byte(&crate::encode::layout::mentioned_bytes(rules.iter().map(|r| &r.regex)));
        let d = Dfa::construct(rules, opts)?.minimize(&opts.semantics.minimize_key, free);
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
        Ok(Dfa::construct(rules, opts)?.into_dfa())
    }

    /// Subset construction into class rows.
    fn construct(rules: &[Rule], opts: &BuildOptions) -> Result<Compact, CompileError> {
        let mut nfa = Nfa::new();
        let exact: Vec<bool> = rules.iter().map(|r| crate::accept::is_exact(&r.regex, opts.semantics)).collect();
        let CompiledRules { entry, owners, sharing } = nfa.compile_rules(rules, &exact);
        let entries = [entry];
        let (class_of, reps) = byte_classes(&nfa);
        let width = reps.len();
        let shown = shown_bytes(&class_of, width);
        // The byte classes each distinct byte set of the NFA accepts.
        let bs_classes: Vec<Vec<u16>> = nfa
            .byte_sets
            .iter()
            .map(|bs| reps.iter().enumerate().filter(|(_, r)| bs.contains(**r)).map(|(c, _)| c as u16).collect())
            .collect();
        nfa.set_ids = FxMap::default();
        // Per DFA state: local group of each byte set, its targets, and per
        // class the mask of groups accepting it. Classes with equal masks
        // step to the same set, so each mask is closed over once.
        let mut local: Vec<u32> = vec![u32::MAX; bs_classes.len()];
        let mut group_bs: Vec<u32> = Vec::new();
        let mut group_targets: Vec<Vec<usize>> = Vec::new();
        let mut masks: Vec<u128> = vec![0; reps.len()];
        let mut by_mask: FxMap<u128, u32> = FxMap::default();
        let mut targets: Vec<usize> = Vec::new();
        // NFA sets are stored once, encoded, in `sets`; `ids` maps a set's
        // hash to the newest state with that hash and `same_hash` chains
        // the rest.
        let hash_of = |set: &[u32]| {
            let mut h = FxHasher::default();
            for &n in set {
                h.write_u32(n);
            }
            h.finish()
        };
        let mut ids: FxMap<u64, u32> = FxMap::default();
        let mut same_hash: Vec<u32> = vec![u32::MAX, u32::MAX];
        let mut sets = SetStore::default();
        let mut encoded = Vec::new();
        sets.push(&[], &mut encoded);
        ids.insert(hash_of(&[]), DEAD_STATE);
        let mut scratch = Scratch::new(nfa.states.len());
        let start = nfa.closure(entries, &mut scratch);
        // The start state gets id 1 even when it is empty (no rules). Like
        // the parser's, it is never the target of a transition and never
        // accepts: an input that comes back to the start's NFA set lands
        // in a separate state that does.
        sets.push(&start, &mut encoded);
        // Paths to each state, for error messages: (parent, byte).
        let mut parents: Vec<(u32, u8)> = vec![(0, 0), (0, 0)];
        let mut trans = Rows::new(width);
        let mut perms = Vec::new();
        // Estimated heap use: a transition row, the set twice (list and
        // map key), map and bookkeeping overhead per state.
        let state_cost = |set: &[u32]| width * 4 + 4 * set.len() + 64;
        let mut bytes: usize = state_cost(&[]) + state_cost(&start);
        drop(start);
        let mut set: Vec<u32> = Vec::new();
        let mut next: Vec<u32> = Vec::new();
        let mut row: Vec<u32> = Vec::new();
        let mut s = 0;
        while s < sets.len() {
            sets.decode_into(s as u32, &mut set);
            let accepting = set.iter().filter_map(|&n| match nfa.states[n as usize] {
                NState::Accept(i) => Some((&rules[i as usize].perms, exact[i as usize])),
                _ => None,
            });
            let (p, conflict) = StatePerms::fold_with(accepting, opts.filedfa, &opts.semantics.accumulation);
            if conflict {
                let example = path_to(&parents, s as u32);
                let shown_example = example.as_slice();
                // An accept state stands for every rule with its
                // permissions: name those that match the example.
                let origins = set
                    .iter()
                    .filter_map(|&n| match nfa.states[n as usize] {
                        NState::Accept(i) if rules[i as usize].perms.perms & (USER_EXEC | OTHER_EXEC) != 0 => {
                            Some(&sharing[i as usize])
                        }
                        _ => None,
                    })
                    .flat_map(|group| {
                        let only = group.len() == 1;
                        group.iter().filter(move |&&r| only || regex_matches(&rules[r as usize].regex, shown_example))
                    })
                    .map(|&r| rules[r as usize].origin)
                    .collect();
                return Err(CompileError::ConflictingExec { example, origins });
            }
            // The parser never gives the start state permissions, even
            // when a rule matches the empty input.
            perms.push(if s == START_STATE as usize { StatePerms::default() } else { p });
            row.clear();
            row.resize(reps.len(), DEAD_STATE);
            for g in &mut group_targets {
                g.clear();
            }
            group_bs.clear();
            for &n in &set {
                let n = n as usize;
                if let NState::Byte { set, target } = &nfa.states[n] {
                    let (b, t) = (*set as usize, *target as usize);
                    if local[b] == u32::MAX {
                        local[b] = group_bs.len() as u32;
                        group_bs.push(b as u32);
                        if group_targets.len() < group_bs.len() {
                            group_targets.push(Vec::new());
                        }
                    }
                    group_targets[local[b] as usize].push(t);
                }
            }
            for &b in &group_bs {
                local[b as usize] = u32::MAX;
            }
            // More than 128 distinct byte sets: one class at a time.
            let wide = group_bs.len() > 128;
            masks.iter_mut().for_each(|m| *m = 0);
            if !wide {
                for (g, &b) in group_bs.iter().enumerate() {
                    for &c in &bs_classes[b as usize] {
                        masks[c as usize] |= 1u128 << g;
                    }
                }
            }
            by_mask.clear();
            for class in 0..reps.len() {
                targets.clear();
                if wide {
                    for (g, &b) in group_bs.iter().enumerate() {
                        if bs_classes[b as usize].binary_search(&(class as u16)).is_ok() {
                            targets.extend_from_slice(&group_targets[g]);
                        }
                    }
                } else {
                    let mask = masks[class];
                    if mask == 0 {
                        continue;
                    }
                    if let Some(&id) = by_mask.get(&mask) {
                        row[class] = id;
                        continue;
                    }
                    let mut m = mask;
                    while m != 0 {
                        let g = m.trailing_zeros() as usize;
                        targets.extend_from_slice(&group_targets[g]);
                        m &= m - 1;
                    }
                }
                if targets.is_empty() {
                    continue;
                }
                nfa.closure_into(targets.iter().copied(), &mut scratch, &mut next);
                let h = hash_of(&next);
                SetStore::encode(&next, &mut encoded);
                let mut found = None;
                let mut cand = ids.get(&h).copied().unwrap_or(u32::MAX);
                while cand != u32::MAX {
                    if sets.encoded(cand) == encoded.as_slice() {
                        found = Some(cand);
                        break;
                    }
                    cand = same_hash[cand as usize];
                }
                let id = match found {
                    Some(id) => id,
                    None => {
                        bytes += state_cost(&next);
                        if sets.len() >= opts.limits.max_states || bytes > opts.limits.max_bytes {
                            return Err(CompileError::LimitExceeded(LimitExceeded {
                                states: sets.len(),
                                bytes,
                                limits: opts.limits,
                                culprits: culprits(&sets, &owners, rules),
                            }));
                        }
                        let id = sets.len() as u32;
                        same_hash.push(ids.insert(h, id).unwrap_or(u32::MAX));
                        sets.push_encoded(&encoded);
                        parents.push((s as u32, shown[class]));
                        id
                    }
                };
                if !wide {
                    by_mask.insert(masks[class], id);
                }
                row[class] = id;
            }
            trans.push_row(&row);
            s += 1;
        }
        // The rows grew by doubling; give back the slack before the
        // minimization allocates its own tables.
        trans.shrink_to_fit();
        Ok(Compact { class_of, width, rows: trans, perms })
    }

    /// The DFA that accepts nothing: the dead state and a start state
    /// that goes nowhere.
    pub fn empty() -> Dfa {
        Dfa { class_of: [0; 256], width: 1, rows: vec![DEAD_STATE; 2], perms: vec![StatePerms::default(); 2] }
    }

    pub fn state_count(&self) -> usize {
        self.perms.len()
    }

    /// Byte classes per state (bytes in one class step alike everywhere).
    pub fn class_count(&self) -> usize {
        self.width
    }

    /// Heap bytes held by the automaton.
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * 4 + self.perms.capacity() * size_of::<StatePerms>()
    }

    pub fn step(&self, state: u32, byte: u8) -> u32 {
        self.rows
            .get(state as usize * self.width + self.class_of[byte as usize] as usize)
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

    /// Hopcroft minimization: states with equal accept words start in one
    /// block; blocks split on the predecessors of a splitter block until
    /// none splits. Keeps dead = 0 and start = 1.
    ///
    /// Like the parser, this compares only what reaches the tables (the
    /// accept and accept2 words), so states that differ only in deny bits
    /// hidden behind equal words merge; the merged state keeps the
    /// [`StatePerms`] of one of them.
    pub fn minimize(&self) -> Dfa {
        self.minimize_by(&MinimizeKey::PackedAccept)
    }

    /// [`Dfa::minimize`] with the initial partition a target uses: 4.1
    /// and later key accepting states on the whole record (prompt and the
    /// unpacked audit and quiet included, the deny already applied), so
    /// fewer states merge.
    pub fn minimize_by(&self, key: &MinimizeKey) -> Dfa {
        let class_of = self.class_of.map(u16::from);
        let rows = Rows::from_table(self.width, &self.rows);
        Compact { class_of, width: self.width, rows, perms: self.perms.clone() }.minimize(key, None)
    }
}

/// The byte no rule names that the layout takes a state's default from
/// (the highest; see [`crate::encode::layout`]).
pub(crate) fn free_byte(mentioned: &ByteSet) -> Option<u8> {
    (0..=255u8).rev().find(|&b| !mentioned.contains(b))
}

/// The most frequent of 256 targets; on a tie the first seen.
pub(crate) fn most_frequent(targets: &[u32; 256]) -> u32 {
    let mut count: Vec<(u32, u32)> = Vec::new();
    for &t in targets {
        match count.iter_mut().find(|(x, _)| *x == t) {
            Some(e) => e.1 += 1,
            None => count.push((t, 1)),
        }
    }
    let mut best = count[0];
    for &c in &count[1..] {
        if c.1 > best.1 {
            best = c;
        }
    }
    best.0
}

/// An automaton with one transition per byte class (`class_of` maps
/// bytes to classes): what subset construction produces.
struct Compact {
    class_of: [u16; 256],
    width: usize,
    rows: Rows,
    perms: Vec<StatePerms>,
}

/// Transition rows during construction, one per state, each stored as its
/// most common target and the classes that go elsewhere (varints, in a
/// [`ByteArena`]). A file DFA's state sends most classes to one state (the
/// dead state, or the state of a `*` or `**`), so this is a few bytes per
/// row where a plain table (16 bits per class) was the largest item of a
/// compile.
struct Rows {
    width: usize,
    arena: ByteArena,
    scratch: Vec<u8>,
    sorted: Vec<u32>,
}

impl Rows {
    fn new(width: usize) -> Rows {
        Rows { width, arena: ByteArena::default(), scratch: Vec::new(), sorted: Vec::new() }
    }

    fn from_table(width: usize, table: &[u32]) -> Rows {
        let mut rows = Rows::new(width);
        for row in table.chunks(width.max(1)) {
            rows.push_row(row);
        }
        rows
    }

    fn len(&self) -> usize {
        self.arena.len()
    }

    fn push_row(&mut self, row: &[u32]) {
        debug_assert_eq!(row.len(), self.width);
        self.sorted.clear();
        self.sorted.extend_from_slice(row);
        self.sorted.sort_unstable();
        let default = self.sorted.chunk_by(|a, b| a == b).max_by_key(|run| run.len()).map_or(DEAD_STATE, |run| run[0]);
        self.scratch.clear();
        push_varint(&mut self.scratch, default);
        for (class, &target) in row.iter().enumerate() {
            if target != default {
                self.scratch.push(class as u8);
                push_varint(&mut self.scratch, target);
            }
        }
        self.arena.push(&self.scratch);
    }

    /// Writes row `state` into `out` (`width` targets).
    fn row_into(&self, state: usize, out: &mut Vec<u32>) {
        let mut bytes = self.arena.get(state as u32);
        let default = read_varint(&mut bytes);
        out.clear();
        out.resize(self.width, default);
        while let Some((&class, rest)) = bytes.split_first() {
            bytes = rest;
            out[class as usize] = read_varint(&mut bytes);
        }
    }

    fn shrink_to_fit(&mut self) {
        self.arena.shrink_to_fit();
        self.scratch = Vec::new();
        self.sorted = Vec::new();
    }

    fn into_table(self) -> Vec<u32> {
        let mut table = Vec::with_capacity(self.len() * self.width);
        let mut row = Vec::new();
        for state in 0..self.len() {
            self.row_into(state, &mut row);
            table.extend_from_slice(&row);
        }
        table
    }
}

fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads one varint from the front of `bytes` and advances past it.
fn read_varint(bytes: &mut &[u8]) -> u32 {
    let mut value = 0u32;
    let mut shift = 0;
    while let Some((&byte, rest)) = bytes.split_first() {
        *bytes = rest;
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    value
}

/// State numbers, 16 bits each when every state number fits: the
/// minimization's predecessor lists.
enum StateList {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl StateList {
    /// `len` zeros, for numbers of states below `states`.
    fn zeroed(len: usize, states: usize) -> StateList {
        if states <= 1 << 16 { StateList::Narrow(vec![0; len]) } else { StateList::Wide(vec![0; len]) }
    }

    fn set(&mut self, i: usize, state: u32) {
        match self {
            StateList::Narrow(v) => v[i] = state as u16,
            StateList::Wide(v) => v[i] = state,
        }
    }

    fn get(&self, i: usize) -> u32 {
        match self {
            StateList::Narrow(v) => u32::from(v[i]),
            StateList::Wide(v) => v[i],
        }
    }
}

/// Sets of byte classes, interned: the classes by which one state steps to
/// another in the minimization's predecessor lists.
#[derive(Default)]
struct ClassSets {
    ids: FxMap<[u64; 4], u32>,
    /// Set `i` is `members[start[i]..start[i + 1]]`, ascending.
    start: Vec<u32>,
    members: Vec<u8>,
}

impl ClassSets {
    /// The id of the classes of `run` (pairs of a target and a class,
    /// classes ascending).
    fn intern(&mut self, run: &[(u32, u8)]) -> u32 {
        let mut mask = [0u64; 4];
        for &(_, c) in run {
            mask[c as usize / 64] |= 1 << (c % 64);
        }
        if self.start.is_empty() {
            self.start.push(0);
        }
        let next = self.start.len() as u32 - 1;
        let id = *self.ids.entry(mask).or_insert(next);
        if id == next {
            self.members.extend(run.iter().map(|&(_, c)| c));
            self.start.push(self.members.len() as u32);
        }
        id
    }

    fn members(&self, id: u32) -> &[u8] {
        &self.members[self.start[id as usize] as usize..self.start[id as usize + 1] as usize]
    }
}

/// Byte strings appended one after another into fixed-size chunks, so that
/// growing never copies what is stored nor holds an old and a new buffer at
/// once, as doubling one `Vec` does.
#[derive(Default)]
struct ByteArena {
    chunks: Vec<Vec<u8>>,
    /// Per string: its chunk, and its start and end in that chunk.
    spans: Vec<(u32, u32, u32)>,
}

/// Bytes per chunk of a [`ByteArena`] (a longer string gets a chunk of its
/// own).
const ARENA_CHUNK_BYTES: usize = 1 << 16;

impl ByteArena {
    fn len(&self) -> usize {
        self.spans.len()
    }

    fn push(&mut self, bytes: &[u8]) -> u32 {
        let fits = self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= bytes.len());
        if !fits {
            self.chunks.push(Vec::with_capacity(ARENA_CHUNK_BYTES.max(bytes.len())));
        }
        let index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[index];
        let start = chunk.len();
        chunk.extend_from_slice(bytes);
        self.spans.push((index as u32, start as u32, chunk.len() as u32));
        self.spans.len() as u32 - 1
    }

    fn get(&self, id: u32) -> &[u8] {
        let (chunk, start, end) = self.spans[id as usize];
        &self.chunks[chunk as usize][start as usize..end as usize]
    }

    fn shrink_to_fit(&mut self) {
        if let Some(last) = self.chunks.last_mut() {
            last.shrink_to_fit();
        }
        self.spans.shrink_to_fit();
    }
}

/// The NFA set of every DFA state of a construction, sorted, each stored
/// once as varint-encoded gaps between its members. Plain `Vec<u32>`s were
/// the construction's largest item after the rows (on `usr.bin.wireshark`,
/// 18,000 sets of about 44 NFA states each, with their growth slack); two
/// sets are equal when their encodings are.
#[derive(Default)]
struct SetStore {
    arena: ByteArena,
}

impl SetStore {
    fn len(&self) -> usize {
        self.arena.len()
    }

    /// Encodes a sorted set into `out` (cleared first).
    fn encode(set: &[u32], out: &mut Vec<u8>) {
        out.clear();
        let mut previous = 0;
        for &n in set {
            push_varint(out, n - previous);
            previous = n;
        }
    }

    fn push(&mut self, set: &[u32], scratch: &mut Vec<u8>) -> u32 {
        SetStore::encode(set, scratch);
        self.push_encoded(scratch)
    }

    fn push_encoded(&mut self, bytes: &[u8]) -> u32 {
        self.arena.push(bytes)
    }

    fn encoded(&self, id: u32) -> &[u8] {
        self.arena.get(id)
    }

    /// Decodes set `id` into `out` (cleared first).
    fn decode_into(&self, id: u32, out: &mut Vec<u32>) {
        out.clear();
        let mut bytes = self.encoded(id);
        let mut previous = 0u32;
        while !bytes.is_empty() {
            previous += read_varint(&mut bytes);
            out.push(previous);
        }
    }
}

impl Compact {
    fn state_count(&self) -> usize {
        self.perms.len()
    }

    /// The order the parser creates these states in: dead, start, then
    /// breadth first, each state's default target before its explicit
    /// ones by byte (the default is the target on a byte no rule names,
    /// `free`, else the most frequent target). States it would not reach
    /// follow in their own order.
    fn creation_order(&self, free: Option<u8>) -> Vec<u32> {
        let n = self.state_count();
        let mut seen = vec![false; n];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        for s in [DEAD_STATE, START_STATE] {
            if (s as usize) < n {
                seen[s as usize] = true;
                order.push(s);
            }
        }
        let mut row = Vec::new();
        let mut targets = [DEAD_STATE; 256];
        let mut i = 1;
        while i < order.len() {
            let s = order[i];
            self.rows.row_into(s as usize, &mut row);
            for b in 0..=255u8 {
                targets[b as usize] = row.get(self.class_of[b as usize] as usize).copied().unwrap_or(DEAD_STATE);
            }
            let d = match free {
                Some(b) => targets[b as usize],
                None => most_frequent(&targets),
            };
            for t in std::iter::once(d).chain(targets.iter().copied().filter(|&t| t != d)) {
                if !seen[t as usize] {
                    seen[t as usize] = true;
                    order.push(t);
                }
            }
            i += 1;
        }
        order.extend((0..n as u32).filter(|&s| !seen[s as usize]));
        order
    }

    fn into_dfa(self) -> Dfa {
        let class_of = self.class_of.map(|c| c as u8);
        Dfa { class_of, width: self.width, rows: self.rows.into_table(), perms: self.perms }
    }

    /// See [`Dfa::minimize`]. State 0 must be dead (no way out, default
    /// permissions).
    ///
    /// Memory: only transitions into live states are kept as predecessor
    /// lists (most transitions go to the dead state), grouped by target;
    /// states from which no accepting state is reachable join the dead
    /// state's block up front and are never splitters, which makes a
    /// transition into them the same as one into the dead state.
    fn minimize(self, key_kind: &MinimizeKey, free: Option<u8>) -> Dfa {
        let n = self.state_count();
        if n == 0 {
            return self.into_dfa();
        }
        let k = self.width;
        let whole = !matches!(key_kind, MinimizeKey::PackedAccept);
        // 4.1.0's groups, looked up in creation order (see [`fieldwise`]).
        let fieldwise_groups = matches!(key_kind, MinimizeKey::FieldwiseRecord).then(|| {
            let order = self.creation_order(free);
            let records: Vec<fieldwise::Record> = order
                .iter()
                .map(|&st| {
                    let p = &self.perms[st as usize];
                    [p.allow, 0, p.prompt, p.audit, p.quiet]
                })
                .collect();
            let mut g = vec![0u32; n];
            for (&st, group) in order.iter().zip(fieldwise::groups(&records)) {
                g[st as usize] = group;
            }
            g
        });
        let key = |p: &StatePerms| {
            if whole { (p.allow, p.audit, p.quiet, p.prompt) } else { (p.accept1(), p.accept2(), 0, 0) }
        };
        let dead_key = key(&self.perms[0]);
        // Predecessors by target, one entry per (source, target) pair:
        // `pred_src`/`pred_set` in `pred_start[t]..pred_start[t + 1]`,
        // sources ascending. `pred_set` names the classes that lead from the
        // source to the target: a file DFA's state sends most classes to a
        // few targets, so this is a small fraction of one entry per
        // transition (which was the largest table of a whole compile).
        let mut class_sets = ClassSets::default();
        let mut targets: Vec<(u32, u8)> = Vec::with_capacity(k);
        let mut row = Vec::with_capacity(k);
        let mut row_targets = |st: usize, out: &mut Vec<(u32, u8)>| {
            self.rows.row_into(st, &mut row);
            out.clear();
            out.extend(row.iter().enumerate().filter(|(_, t)| **t != DEAD_STATE).map(|(c, &t)| (t, c as u8)));
            out.sort_unstable();
        };
        let mut pred_start = vec![0u32; n + 1];
        for st in 0..n {
            row_targets(st, &mut targets);
            for run in targets.chunk_by(|a, b| a.0 == b.0) {
                pred_start[run[0].0 as usize] += 1;
                class_sets.intern(run);
            }
        }
        let mut sum = 0;
        for x in pred_start.iter_mut() {
            sum += *x;
            *x = sum;
        }
        let pairs = sum as usize;
        let mut pred_src = StateList::zeroed(pairs, n);
        let mut pred_set = vec![0u32; pairs];
        for st in (0..n).rev() {
            row_targets(st, &mut targets);
            for run in targets.chunk_by(|a, b| a.0 == b.0) {
                let at = &mut pred_start[run[0].0 as usize];
                *at -= 1;
                pred_src.set(*at as usize, st as u32);
                pred_set[*at as usize] = class_sets.intern(run);
            }
        }
        drop(targets);
        // From here on the predecessor lists are the transitions: the rows
        // are not kept while the partition is refined.
        let Compact { class_of, rows, perms: old_perms, .. } = self;
        drop(rows);
        let classes_of = |i: usize| class_sets.members(pred_set[i]);
        let preds_of = |t: u32| pred_start[t as usize] as usize..pred_start[t as usize + 1] as usize;
        // Live states: those that reach a state whose words differ from the
        // dead state's.
        let mut live = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        for (s, p) in old_perms.iter().enumerate() {
            if key(p) != dead_key {
                live[s] = true;
                stack.push(s as u32);
            }
        }
        while let Some(t) = stack.pop() {
            for i in preds_of(t) {
                let src = pred_src.get(i);
                if !live[src as usize] {
                    live[src as usize] = true;
                    stack.push(src);
                }
            }
        }
        // Block 0: the dead state and every state equivalent to it.
        let initial: Vec<u32> = {
            let mut ids: FxMap<(u32, u32, u32, u32), u32> = FxMap::default();
            let mut group_ids: FxMap<u32, u32> = FxMap::default();
            old_perms
                .iter()
                .zip(&live)
                .enumerate()
                .map(|(st, (p, &l))| {
                    if !l {
                        return 0;
                    }
                    match &fieldwise_groups {
                        Some(g) => {
                            let next = group_ids.len() as u32 + 1;
                            *group_ids.entry(g[st]).or_insert(next)
                        }
                        None => {
                            let next = ids.len() as u32 + 1;
                            *ids.entry(key(p)).or_insert(next)
                        }
                    }
                })
                .collect()
        };
        drop(live);
        // The partition: `elems` grouped by block, `loc` the inverse.
        let blocks0 = initial.iter().copied().max().map_or(0, |m| m as usize + 1);
        let mut elems: Vec<u32> = (0..n as u32).collect();
        elems.sort_by_key(|&st| initial[st as usize]);
        let mut loc = vec![0u32; n];
        for (i, &st) in elems.iter().enumerate() {
            loc[st as usize] = i as u32;
        }
        let mut bstart = vec![0usize; blocks0];
        let mut bend = vec![0usize; blocks0];
        for (i, &st) in elems.iter().enumerate() {
            let b = initial[st as usize] as usize;
            if i == 0 || initial[elems[i - 1] as usize] as usize != b {
                bstart[b] = i;
            }
            bend[b] = i + 1;
        }
        let mut block_of = initial;
        let mut marked = vec![0usize; blocks0];
        // Block 0 is never a splitter: nothing it contains is live.
        let mut in_work = vec![true; blocks0];
        in_work[0] = false;
        let mut work: Vec<usize> = (1..blocks0).collect();
        let mut touched: Vec<usize> = Vec::new();
        // The splitter's predecessors, bucketed by class.
        let mut class_count = vec![0u32; k + 1];
        let mut bucket: Vec<u32> = Vec::new();
        while let Some(b) = work.pop() {
            in_work[b] = false;
            class_count.iter_mut().for_each(|c| *c = 0);
            let mut total = 0;
            for &t in &elems[bstart[b]..bend[b]] {
                for i in preds_of(t) {
                    for &c in classes_of(i) {
                        class_count[c as usize + 1] += 1;
                    }
                    total += classes_of(i).len();
                }
            }
            if total == 0 {
                continue;
            }
            for c in 1..=k {
                class_count[c] += class_count[c - 1];
            }
            bucket.clear();
            bucket.resize(total, 0);
            {
                let mut fill = class_count.clone();
                for &t in &elems[bstart[b]..bend[b]] {
                    for i in preds_of(t) {
                        let src = pred_src.get(i);
                        for &c in classes_of(i) {
                            let at = &mut fill[c as usize];
                            bucket[*at as usize] = src;
                            *at += 1;
                        }
                    }
                }
            }
            for c in 0..k {
                let group = class_count[c] as usize..class_count[c + 1] as usize;
                if group.is_empty() {
                    continue;
                }
                touched.clear();
                for &src in &bucket[group] {
                    let y = block_of[src as usize] as usize;
                    let pos = loc[src as usize] as usize;
                    let m = bstart[y] + marked[y];
                    if pos < m {
                        continue;
                    }
                    let other = elems[m];
                    elems.swap(pos, m);
                    loc[other as usize] = pos as u32;
                    loc[src as usize] = m as u32;
                    if marked[y] == 0 {
                        touched.push(y);
                    }
                    marked[y] += 1;
                }
                for &y in &touched {
                    let mk = std::mem::take(&mut marked[y]);
                    if mk == bend[y] - bstart[y] {
                        continue;
                    }
                    let z = bstart.len();
                    bstart.push(bstart[y]);
                    bend.push(bstart[y] + mk);
                    marked.push(0);
                    in_work.push(false);
                    bstart[y] += mk;
                    for &st in &elems[bstart[z]..bend[z]] {
                        block_of[st as usize] = z as u32;
                    }
                    let add = if in_work[y] || mk <= bend[y] - bstart[y] { z } else { y };
                    if !in_work[add] {
                        in_work[add] = true;
                        work.push(add);
                    }
                }
            }
        }
        drop((elems, loc, bucket));
        let block = block_of;
        // Renumber so that dead's block is 0 and start's block is 1 (if it
        // is a different block), then the rest in order of appearance.
        let mut order = vec![u32::MAX; bstart.len()];
        let mut m = 0u32;
        for s in std::iter::once(0).chain(std::iter::once(1).filter(|&s| s < n)).chain(0..n) {
            let o = &mut order[block[s] as usize];
            if *o == u32::MAX {
                *o = m;
                m += 1;
            }
        }
        let m = (m as usize).max(2);
        // Each block's row is that of its last state, which also gives the
        // block its permissions; transitions not in the lists go to the dead
        // state.
        let mut last = vec![0u32; m];
        let mut perms = vec![StatePerms::default(); m];
        for s in 0..n {
            let t = order[block[s] as usize] as usize;
            perms[t] = old_perms[s];
            last[t] = s as u32;
        }
        drop(old_perms);
        let mut rows = vec![DEAD_STATE; m * k];
        for t in 0..n {
            let to = order[block[t] as usize];
            for i in preds_of(t as u32) {
                let src = pred_src.get(i);
                let from = order[block[src as usize] as usize] as usize;
                if last[from] == src {
                    for &c in classes_of(i) {
                        rows[from * k + c as usize] = to;
                    }
                }
            }
        }
        drop((pred_start, pred_src, pred_set, class_sets));
        merge_classes(class_of.map(|c| c as u8), k, rows, perms)
    }
}

/// The DFA with classes whose columns are equal in every state merged
/// (minimization often makes classes the construction needed alike).
fn merge_classes(class_of: [u8; 256], k: usize, rows: Vec<u32>, perms: Vec<StatePerms>) -> Dfa {
    let m = perms.len();
    let column_eq = |a: usize, b: usize| (0..m).all(|t| rows[t * k + a] == rows[t * k + b]);
    let mut new_class = vec![0u8; k];
    let mut reps: Vec<usize> = Vec::new();
    let mut by_hash: FxMap<u64, Vec<usize>> = FxMap::default();
    for c in 0..k {
        let mut h = FxHasher::default();
        for t in 0..m {
            h.write_u32(rows[t * k + c]);
        }
        let same = by_hash.entry(h.finish()).or_default();
        match same.iter().find(|&&r| column_eq(reps[r], c)) {
            Some(&r) => new_class[c] = r as u8,
            None => {
                same.push(reps.len());
                new_class[c] = reps.len() as u8;
                reps.push(c);
            }
        }
    }
    if reps.len() == k {
        return Dfa { class_of, width: k, rows, perms };
    }
    let w = reps.len();
    let mut merged = Vec::with_capacity(m * w);
    for t in 0..m {
        merged.extend(reps.iter().map(|&c| rows[t * k + c]));
    }
    Dfa { class_of: class_of.map(|c| new_class[c as usize]), width: w, rows: merged, perms }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::perms::old;

    fn rule(re: &str, deny: bool) -> Rule {
        let regex = crate::regex::parse(re.as_bytes()).unwrap();
        Rule { regex, perms: RulePerms { deny, perms: old::READ, audit: 0, ..RulePerms::default() }, origin: 0 }
    }

    #[test]
    fn states_that_only_lead_to_denied_paths_merge_with_dead() {
        let d = Dfa::build(&[rule("/a[bc]*", false), rule("/a[bc]*", true)]).unwrap();
        assert_eq!(d.state_count(), 2);
        assert_eq!(d.walk(b"/ab"), DEAD_STATE);
        assert_eq!(d.perms(DEAD_STATE).accept1(), 0);
    }

    #[test]
    fn set_store_round_trips_sets_and_compares_by_encoding() {
        let sets: Vec<Vec<u32>> =
            vec![vec![], vec![0], vec![1, 2, 3], vec![127, 128, 16_383, 16_384, u32::MAX], (0..40_000).collect()];
        let mut store = SetStore::default();
        let mut scratch = Vec::new();
        let ids: Vec<u32> = sets.iter().map(|s| store.push(s, &mut scratch)).collect();
        let mut decoded = Vec::new();
        for (set, &id) in sets.iter().zip(&ids) {
            store.decode_into(id, &mut decoded);
            assert_eq!(&decoded, set);
            SetStore::encode(set, &mut scratch);
            assert_eq!(store.encoded(id), scratch.as_slice());
        }
        SetStore::encode(&[1, 2, 4], &mut scratch);
        assert!(ids.iter().all(|&id| store.encoded(id) != scratch.as_slice()));
    }

    #[test]
    fn rows_round_trip_through_their_sparse_encoding() {
        let table: Vec<u32> = vec![
            0, 0, 0, 0, // all dead
            5, 5, 7, 5, // one exception
            1, 2, 3, 4, // no two alike
            70_000, 0, 70_000, 70_000, // a wide state number
        ];
        let rows = Rows::from_table(4, &table);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows.arena.get(0), &[0]);
        assert_eq!(rows.into_table(), table);
    }

    #[test]
    fn minimized_rows_have_one_column_per_distinct_behaviour() {
        let rules = [rule("/[a-z]x", false), rule("/[a-m]y", false)];
        let big = Dfa::build_unminimized(&rules).unwrap();
        let small = Dfa::build(&rules).unwrap();
        assert_eq!(small, big.minimize());
        // Bytes outside every set, a-m, n-z, '/', 'x' and 'y'.
        assert_eq!(small.class_count(), 6);
        assert!(small.heap_bytes() < small.state_count() * 256);
        assert_eq!(small.perms(small.walk(b"/cy")).allow, old::READ);
        assert_eq!(small.walk(b"/ny"), DEAD_STATE);
    }
}
