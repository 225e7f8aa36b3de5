//! Queries on compiled profiles, for `aa-lint query`: the permissions a
//! path gets and the rules that contribute them, and the differences
//! between two compiled profiles with an example input for each.

use std::collections::{HashMap, VecDeque};

use crate::dfa::{RulePerms, StatePerms, regex_matches};
use crate::equiv::Automaton;
use crate::perms::old;
use crate::profile::{CompiledDfa, Origin};

/// Permissions of one half (owner or other) at a path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HalfPerms {
    pub allow: u32,
    pub deny: u32,
    pub audit: u32,
    pub quiet: u32,
}

/// The answer to "what may this profile do with PATH".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathQuery {
    /// As accumulated in the DFA state the path leads to.
    pub state: StatePerms,
    pub owner: HalfPerms,
    pub other: HalfPerms,
    /// Every rule whose pattern matches the whole path, in rule order,
    /// with the permission record it contributes.
    pub contributors: Vec<(Origin, RulePerms)>,
}

fn half(p: &StatePerms, shift: u32) -> HalfPerms {
    let m = |w: u32| (w >> shift) & old::HALF_MASK;
    HalfPerms { allow: m(p.allow), deny: m(p.deny), audit: m(p.audit), quiet: m(p.quiet) }
}

/// Effective permissions of `input` (a path for a file DFA, an encoded
/// policydb string for a policydb) and the rules behind them.
pub fn query(dfa: &CompiledDfa, input: &[u8]) -> PathQuery {
    let state = dfa.dfa.perms(dfa.dfa.walk(input));
    let contributors = if input.is_empty() {
        Vec::new()
    } else {
        dfa.rules
            .iter()
            .filter(|r| regex_matches(&r.regex, input))
            .map(|r| {
                let o = dfa.origins.get(r.origin as usize).copied().unwrap_or(Origin::Implicit);
                (o, r.perms)
            })
            .collect()
    };
    PathQuery { state, owner: half(&state, 0), other: half(&state, old::OTHER_SHIFT), contributors }
}

/// Every byte once, in the order examples should prefer them: lower-case
/// letters, digits, upper case, `/`, `.`, `-`, `_`, other printable
/// characters, then the rest. Breadth-first searches that try bytes in
/// this order still find a shortest input, but one a person can read.
pub static PREFERRED_BYTES: [u8; 256] = preferred_bytes();

const fn preferred_bytes() -> [u8; 256] {
    let mut out = [0u8; 256];
    let mut taken = [false; 256];
    let mut n = 0;
    let groups: [(u8, u8); 8] = [
        (b'a', b'z'),
        (b'0', b'9'),
        (b'A', b'Z'),
        (b'/', b'/'),
        (b'.', b'.'),
        (b'-', b'-'),
        (b'_', b'_'),
        (b' ', b'~'),
    ];
    let mut g = 0;
    while g < groups.len() {
        let (lo, hi) = groups[g];
        let mut b = lo as usize;
        while b <= hi as usize {
            if !taken[b] {
                taken[b] = true;
                out[n] = b as u8;
                n += 1;
            }
            b += 1;
        }
        g += 1;
    }
    let mut b = 0;
    while b < 256 {
        if !taken[b] {
            out[n] = b as u8;
            n += 1;
        }
        b += 1;
    }
    out
}

/// One way two automata differ: every input reaching states with these
/// accept words behaves the same; `example` is a shortest such input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub example: Vec<u8>,
    /// (accept, accept2) in the left and right automaton.
    pub left: (u32, u32),
    pub right: (u32, u32),
}

/// All differences between two automata, one [`Change`] per distinct pair
/// of accept words, shortest example first; at most `limit` of them.
pub fn diff(a: &dyn Automaton, b: &dyn Automaton, limit: usize) -> Vec<Change> {
    let start = (a.start(), b.start());
    type Pair = (u32, u32);
    let mut parent: HashMap<Pair, Option<(Pair, u8)>> = HashMap::new();
    parent.insert(start, None);
    let mut queue = VecDeque::from([start]);
    let mut seen: HashMap<(Pair, Pair), ()> = HashMap::new();
    let mut out = Vec::new();
    while let Some(pair) = queue.pop_front() {
        let (l, r) = (a.accept(pair.0), b.accept(pair.1));
        if l != r && seen.insert((l, r), ()).is_none() {
            let mut example = Vec::new();
            let mut cur = pair;
            while let Some(Some((prev, byte))) = parent.get(&cur) {
                example.push(*byte);
                cur = *prev;
            }
            example.reverse();
            out.push(Change { example, left: l, right: r });
            if out.len() >= limit {
                break;
            }
        }
        for &byte in PREFERRED_BYTES.iter() {
            let next = (a.step(pair.0, byte), b.step(pair.1, byte));
            parent.entry(next).or_insert_with(|| {
                queue.push_back(next);
                Some((pair, byte))
            });
        }
    }
    out
}
