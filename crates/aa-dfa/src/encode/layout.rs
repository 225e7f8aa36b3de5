//! The state layout 3.0.8 gives a minimized DFA before packing it: which
//! target of each state is its *default* (the parser's "otherwise"), which
//! transitions stay explicit, the state numbering, and (when the kernel
//! supports it) differential encoding.
//!
//! **Defaults.** The parser builds each state from its expression-tree
//! nodes. Bytes that no node names explicitly go to the default target;
//! a named byte gets an explicit transition only where it leads somewhere
//! else. A byte that no rule names anywhere therefore always follows the
//! default, so its column of our dense DFA *is* the default column. Rules
//! name bytes by literals, by positive sets (their members) and by
//! negated sets (the bytes they exclude; we read a set of more than 128
//! bytes as negated, as the glob conversion writes `*`, `**` and `?`).
//! If some rule set names all 256 bytes we fall back to each state's most
//! frequent target.
//!
//! **Numbering.** The parser keeps states in creation order, a breadth
//! first search from the start state that looks at the default target
//! first, then the explicit targets by byte; minimization keeps the first
//! created state of each block, in that order. The first appearances of
//! the blocks in that search are the same search on the minimized DFA, so
//! we number ours by it: 0 dead, 1 start, then discovery order.
//!
//! **Differential encoding** (the `policy/diff_encode` feature): the same
//! breadth-first order doubles as the parser's DAG. A state may be encoded
//! relative to a "parent" of one of its successors when that saves
//! transitions (the weight below); relative states keep only the
//! transitions that differ and name the state they are relative to as
//! their default. Candidates are chosen front to back, then states are
//! made relative back to front, as the parser does.

use crate::dfa::Dfa;
use crate::regex::{ByteSet, Regex};
use crate::walk::{DEAD_STATE, START_STATE};

/// One state as the packer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaidState {
    /// Explicit transitions, by ascending byte.
    pub trans: Vec<(u8, u32)>,
    /// The default state (for a relative state, the state it is relative to).
    pub default: u32,
    /// Differentially encoded.
    pub diff: bool,
    pub accept: u32,
    pub accept2: u32,
}

impl LaidState {
    fn get(&self, b: u8) -> Option<u32> {
        self.trans.binary_search_by_key(&b, |&(c, _)| c).ok().map(|i| self.trans[i].1)
    }
}

/// A DFA laid out like 3.0.8's, ready to pack; index = table state number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub states: Vec<LaidState>,
    /// `map[ours] = table number`.
    pub map: Vec<u32>,
}

impl Layout {
    /// Whether any state is differentially encoded.
    pub fn diff_encoded(&self) -> bool {
        self.states.iter().any(|s| s.diff)
    }

    /// The successor of table state `s` on `b`, following relative states.
    pub fn next(&self, s: u32, b: u8) -> u32 {
        next_in(&self.states, s, b)
    }
}

fn next_in(states: &[LaidState], mut s: u32, b: u8) -> u32 {
    for _ in 0..=states.len() {
        let Some(st) = states.get(s as usize) else {
            break;
        };
        if let Some(t) = st.get(b) {
            return t;
        }
        if !st.diff {
            return st.default;
        }
        s = st.default;
    }
    DEAD_STATE
}

/// The bytes the rules name explicitly (see the module docs).
pub fn mentioned_bytes<'a>(regexes: impl IntoIterator<Item = &'a Regex>) -> ByteSet {
    fn walk(r: &Regex, out: &mut ByteSet) {
        match r {
            Regex::Empty => {}
            Regex::Literal(b) => out.insert(*b),
            Regex::Set(s) => {
                let named = if s.len() > 128 { s.complement() } else { *s };
                named.iter().for_each(|b| out.insert(b));
            }
            Regex::Concat(v) | Regex::Alt(v) => v.iter().for_each(|r| walk(r, out)),
            Regex::Star(r) | Regex::Plus(r) => walk(r, out),
        }
    }
    let mut out = ByteSet::default();
    for r in regexes {
        walk(r, &mut out);
    }
    out
}

/// Lays out `dfa`, whose rules name the bytes in `mentioned`.
pub fn lay_out(dfa: &Dfa, mentioned: &ByteSet, diff_encode: bool) -> Layout {
    let n = dfa.state_count().max(2);
    let free_byte = (0..=255u8).rev().find(|&b| !mentioned.contains(b));
    let default_of = |s: u32| -> u32 {
        match free_byte {
            Some(b) => dfa.step(s, b),
            None => {
                let mut count: Vec<(u32, u32)> = Vec::new();
                for b in 0..=255u8 {
                    let t = dfa.step(s, b);
                    match count.iter_mut().find(|(x, _)| *x == t) {
                        Some(e) => e.1 += 1,
                        None => count.push((t, 1)),
                    }
                }
                // Most frequent; on a tie the first seen (lowest byte).
                let mut best = count[0];
                for &c in &count[1..] {
                    if c.1 > best.1 {
                        best = c;
                    }
                }
                best.0
            }
        }
    };
    // Breadth-first numbering: default first, then explicit targets by byte.
    let mut map = vec![u32::MAX; n];
    map[DEAD_STATE as usize] = DEAD_STATE;
    map[START_STATE as usize] = START_STATE;
    let mut order: Vec<u32> = vec![DEAD_STATE, START_STATE];
    let mut defaults = vec![DEAD_STATE; n];
    let mut i = 1;
    while i < order.len() {
        let s = order[i];
        let d = default_of(s);
        defaults[s as usize] = d;
        let visit = |t: u32, map: &mut Vec<u32>, order: &mut Vec<u32>| {
            if map[t as usize] == u32::MAX {
                map[t as usize] = order.len() as u32;
                order.push(t);
            }
        };
        visit(d, &mut map, &mut order);
        for b in 0..=255u8 {
            let t = dfa.step(s, b);
            if t != d {
                visit(t, &mut map, &mut order);
            }
        }
        i += 1;
    }
    // States the search did not reach (none, for a DFA we built) keep
    // their relative order at the end.
    for s in 0..n as u32 {
        if map[s as usize] == u32::MAX {
            map[s as usize] = order.len() as u32;
            defaults[s as usize] = default_of(s);
            order.push(s);
        }
    }
    let mut states: Vec<LaidState> = order
        .iter()
        .map(|&s| {
            let d = defaults[s as usize];
            let p = dfa.perms(s);
            // The start state's permissions are empty unless the target
            // keeps them ([`aa_target::CompileSemantics::start_state_perms`]).
            let (accept, accept2) = (p.accept1(), p.accept2());
            LaidState {
                trans: (0..=255u8)
                    .filter_map(|b| {
                        let t = dfa.step(s, b);
                        (t != d).then(|| (b, map[t as usize]))
                    })
                    .collect(),
                default: if s == DEAD_STATE { DEAD_STATE } else { map[d as usize] },
                diff: false,
                accept,
                accept2,
            }
        })
        .collect();
    if diff_encode {
        diff_encode_states(&mut states);
    }
    Layout { states, map }
}

/// 3.0.8's `diff_encode` on states numbered in breadth-first order (which
/// is its DAG order).
fn diff_encode_states(states: &mut [LaidState]) {
    let n = states.len();
    let mut depth = vec![0u32; n];
    let mut seen = vec![false; n];
    let mut parents: Vec<Vec<u32>> = vec![Vec::new(); n];
    depth[0] = 1;
    depth[1] = 1;
    seen[0] = true;
    seen[1] = true;
    for i in 1..n {
        let children = std::iter::once(states[i].default).chain(states[i].trans.iter().map(|&(_, t)| t));
        for c in children.collect::<Vec<_>>() {
            let c = c as usize;
            if !seen[c] {
                seen[c] = true;
                depth[c] = depth[i] + 1;
            }
            if depth[i] < depth[c] {
                parents[c].push(i as u32);
            }
        }
    }
    let mut rel: Vec<Option<u32>> = vec![None; n];
    for i in 2..n {
        let mut best = 0i64;
        let mut cand = None;
        let children: Vec<u32> =
            std::iter::once(states[i].default).chain(states[i].trans.iter().map(|&(_, t)| t)).collect();
        for c in children {
            // Per child the parser keeps the best strictly better parent,
            // and across children only a strictly better one replaces it.
            let mut w_child = 0i64;
            let mut c_child = None;
            for &p in &parents[c as usize] {
                if p as usize == i {
                    continue;
                }
                let w = diff_weight(states, &depth, &rel, i, p as usize);
                if w > w_child {
                    w_child = w;
                    c_child = Some(p);
                }
            }
            if w_child > best {
                best = w_child;
                cand = c_child;
            }
        }
        rel[i] = cand;
    }
    for i in (2..n).rev() {
        if let Some(r) = rel[i] {
            make_relative(states, i, r);
        }
    }
}

fn diff_weight(states: &[LaidState], depth: &[u32], rel: &[Option<u32>], this: usize, r: usize) -> i64 {
    if this == r {
        return 0;
    }
    match rel[r] {
        Some(rr) if depth[rr as usize] >= depth[this] => return 0,
        None if depth[r] >= depth[this] => return 0,
        _ => {}
    }
    let (me, other) = (&states[this], &states[r]);
    let mut weight = 0i64;
    let mut count = 0usize;
    for &(c, t) in &other.trans {
        match me.get(c) {
            Some(mt) => {
                if mt == t {
                    weight += 1;
                }
                count += 1;
            }
            None if t == me.default => {}
            None => weight -= 1,
        }
    }
    let mut this_count = 0usize;
    if count < me.trans.len() {
        for &(c, t) in &me.trans {
            if other.get(c).is_none() {
                this_count += 1;
                if t == other.default {
                    weight += 1;
                }
            }
        }
    }
    if other.default != me.default {
        weight -= 256 - (other.trans.len() + this_count) as i64;
    }
    weight
}

fn make_relative(states: &mut [LaidState], this: usize, r: u32) {
    if states[this].diff {
        return;
    }
    let nexts: Vec<u32> = (0..=255u8).map(|b| next_in(states, r, b)).collect();
    let me = &mut states[this];
    let mut trans: Vec<(u8, u32)> = Vec::with_capacity(me.trans.len());
    for b in 0..=255u8 {
        let next = nexts[b as usize];
        match me.get(b) {
            Some(t) if t == next => {}
            Some(t) => trans.push((b, t)),
            None if me.default == next => {}
            None => trans.push((b, me.default)),
        }
    }
    me.trans = trans;
    me.default = r;
    me.diff = true;
}
