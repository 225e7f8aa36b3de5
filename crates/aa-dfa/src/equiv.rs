//! Equivalence of two automata by a breadth-first walk of their product.
//!
//! Two DFAs are equivalent when every input leads both to states with the
//! same accept words. The walk visits pairs of states in order of input
//! length, so the first differing pair it meets comes with a shortest
//! witness string.

use std::collections::{HashMap, VecDeque};

use crate::dfa::Dfa;
use crate::tables::TableSet;
use crate::walk::START_STATE;

/// Anything we can walk byte by byte and read accept words from.
pub trait Automaton {
    fn start(&self) -> u32 {
        START_STATE
    }
    fn step(&self, state: u32, byte: u8) -> u32;
    /// The (accept, accept2) words of a state.
    fn accept(&self, state: u32) -> (u32, u32);
}

impl Automaton for Dfa {
    fn step(&self, state: u32, byte: u8) -> u32 {
        Dfa::step(self, state, byte)
    }
    fn accept(&self, state: u32) -> (u32, u32) {
        let p = self.perms(state);
        (p.accept1(), p.accept2())
    }
}

impl Automaton for TableSet {
    fn step(&self, state: u32, byte: u8) -> u32 {
        TableSet::step(self, state, byte)
    }
    fn accept(&self, state: u32) -> (u32, u32) {
        let s = state as usize;
        let a = self.accept.data.get(s).copied().unwrap_or(0);
        let a2 = self.accept2.as_ref().and_then(|t| t.data.get(s).copied()).unwrap_or(0);
        (a, a2)
    }
}

/// A shortest input on which two automata disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub input: Vec<u8>,
    /// (accept, accept2) reached in the left and right automaton.
    pub left: (u32, u32),
    pub right: (u32, u32),
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?}: left accept {:#x}/{:#x}, right accept {:#x}/{:#x}",
            String::from_utf8_lossy(&self.input),
            self.left.0,
            self.left.1,
            self.right.0,
            self.right.1
        )
    }
}

/// A pair of states, one per automaton.
type Pair = (u32, u32);

/// Returns `None` when the automata are equivalent, else a shortest input
/// that tells them apart.
pub fn find_difference(a: &dyn Automaton, b: &dyn Automaton) -> Option<Difference> {
    let start = (a.start(), b.start());
    // Each visited pair remembers its predecessor and the byte taken.
    let mut parent: HashMap<Pair, Option<(Pair, u8)>> = HashMap::new();
    parent.insert(start, None);
    let mut queue = VecDeque::from([start]);
    while let Some(pair) = queue.pop_front() {
        let (l, r) = (a.accept(pair.0), b.accept(pair.1));
        if l != r {
            let mut input = Vec::new();
            let mut cur = pair;
            while let Some(Some((prev, byte))) = parent.get(&cur) {
                input.push(*byte);
                cur = *prev;
            }
            input.reverse();
            return Some(Difference { input, left: l, right: r });
        }
        for byte in 0..=255u8 {
            let next = (a.step(pair.0, byte), b.step(pair.1, byte));
            if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(next) {
                e.insert(Some((pair, byte)));
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dfa::{Rule, RulePerms};
    use crate::regex::parse;

    fn dfa(rules: &[(&str, u32)]) -> Dfa {
        let rules: Vec<Rule> = rules
            .iter()
            .map(|(re, p)| Rule {
                regex: parse(re.as_bytes()).unwrap(),
                perms: RulePerms { deny: false, perms: *p, audit: 0, ..RulePerms::default() },
                origin: 0,
            })
            .collect();
        Dfa::build(&rules).unwrap()
    }

    #[test]
    fn equal_languages_are_equivalent() {
        let a = dfa(&[("a(b|c)", 4)]);
        let b = dfa(&[("ab", 4), ("ac", 4)]);
        assert_eq!(find_difference(&a, &b), None);
        assert_eq!(a.state_count(), b.state_count());
    }

    #[test]
    fn shortest_witness() {
        let a = dfa(&[("x*", 4)]);
        let b = dfa(&[("x*", 4), ("xxy", 2)]);
        let d = find_difference(&a, &b).unwrap();
        assert_eq!(d.input, b"xxy");
        assert_eq!((d.left.0, d.right.0), (0, 2));
        // Like the parser's, our start state never accepts, so `x*` and
        // `x+` compile to equivalent automata.
        let c = dfa(&[("x+", 4)]);
        assert_eq!(find_difference(&a, &c), None);
    }

    #[test]
    fn minimization_preserves_language() {
        let rules = [("/[a-z]*/(x|y)+", 4), ("/q.*", 2), ("/q/[^/]*", 8)];
        let rs: Vec<Rule> = rules
            .iter()
            .map(|(re, p)| Rule {
                regex: parse(re.as_bytes()).unwrap(),
                perms: RulePerms { deny: false, perms: *p, audit: 0, ..RulePerms::default() },
                origin: 0,
            })
            .collect();
        let big = Dfa::build_unminimized(&rs).unwrap();
        let small = big.minimize();
        assert!(small.state_count() <= big.state_count());
        assert_eq!(find_difference(&big, &small), None);
        assert_eq!(small.minimize().state_count(), small.state_count());
    }
}
