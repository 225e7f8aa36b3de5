//! Our own regex → DFA compiler: Thompson NFA, subset construction over
//! bytes, permission accumulation per state, and Hopcroft minimization.
//!
//! A [`Rule`] is a regex plus the permission record the parser attaches to
//! it. Every DFA state collects the records of the rules that accept there
//! and folds them the way `apparmor_parser` does (see [`StatePerms::fold`]),
//! so the resulting accept words can be compared with decoded tables.
//!
//! Like the parser's tables, state 0 is dead and state 1 is the start.
//!
//! This file holds the types and the subset construction; the NFA is in
//! `dfa/nfa.rs`, the compact row and set storage in `dfa/store.rs`, the
//! minimisation in `dfa/minimize.rs`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::accept::{OTHER_EXEC, USER_EXEC};
pub use crate::accept::{RulePerms, StatePerms};
use crate::regex::{ByteSet, Regex};
use crate::walk::{DEAD_STATE, START_STATE};
use aa_target::{CompileSemantics, MinimizeKey, Target};

use crate::fieldwise;

mod minimize;
mod nfa;
mod store;

pub use nfa::regex_matches;
use nfa::*;
use store::*;

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
            // 3.0.8 never gives the start state permissions, even when a
            // rule matches the empty input; 4.1 does.
            let start_none = s == START_STATE as usize && !opts.semantics.start_state_perms;
            perms.push(if start_none { StatePerms::default() } else { p });
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
