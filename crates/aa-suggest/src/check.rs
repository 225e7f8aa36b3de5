//! Exact questions on compiled profiles: does profile P allow everything
//! profile Q allows (and if not, does a deny rule of P take it), and does
//! P' allow nothing beyond P and Q together. Each walks the product of the
//! automata from their start states, so the answer holds for every input,
//! not for sampled ones.

use std::collections::{HashMap, VecDeque};

use aa_dfa::profile::CompiledDfa;
use aa_dfa::query::PREFERRED_BYTES;
use aa_dfa::{CompiledProfile, DEAD_STATE, Dfa, START_STATE};

/// How P answers what Q asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// P allows all of it.
    Allowed,
    /// Some of it is not allowed, and a deny rule of P takes it.
    Denied,
    /// Some of it is not allowed (and no deny rule takes it).
    Missing,
}

impl Coverage {
    fn worst(self, o: Coverage) -> Coverage {
        use Coverage::*;
        match (self, o) {
            (Denied, _) | (_, Denied) => Denied,
            (Missing, _) | (_, Missing) => Missing,
            _ => Allowed,
        }
    }
}

fn dfa_of(c: &Option<CompiledDfa>) -> Option<&Dfa> {
    c.as_ref().map(|d| &d.dfa)
}

fn step(d: Option<&Dfa>, s: u32, b: u8) -> u32 {
    match d {
        Some(d) if s != DEAD_STATE => d.step(s, b),
        _ => DEAD_STATE,
    }
}

fn perms(d: Option<&Dfa>, s: u32) -> (u32, u32) {
    match d {
        Some(d) if s != DEAD_STATE => {
            let p = d.perms(s);
            (p.allow, p.deny)
        }
        _ => (0, 0),
    }
}

/// Whether `p` allows every bit of `mask` that `q` allows, on every input.
fn dfa_covers(p: Option<&Dfa>, q: Option<&Dfa>, mask: u32) -> Coverage {
    let Some(qd) = q else { return Coverage::Allowed };
    let start = (if p.is_some() { START_STATE } else { DEAD_STATE }, START_STATE);
    let mut seen: HashMap<(u32, u32), ()> = HashMap::from([(start, ())]);
    let mut queue = VecDeque::from([start]);
    let mut result = Coverage::Allowed;
    while let Some((sp, sq)) = queue.pop_front() {
        let want = qd.perms(sq).allow & mask;
        if want != 0 {
            let (allow, deny) = perms(p, sp);
            let missing = want & !allow;
            if missing != 0 {
                result = result.worst(if missing & deny != 0 { Coverage::Denied } else { Coverage::Missing });
                if result == Coverage::Denied {
                    return result;
                }
            }
        }
        for &b in PREFERRED_BYTES.iter() {
            let nq = qd.step(sq, b);
            if nq == DEAD_STATE {
                continue;
            }
            let next = (step(p, sp, b), nq);
            if seen.insert(next, ()).is_none() {
                queue.push_back(next);
            }
        }
    }
    result
}

/// Whether `p` allows everything `q` allows: file and policydb automata
/// (the bits of `file_mask` in the file automaton), capabilities and the
/// old network table.
pub fn covers(p: &CompiledProfile, q: &CompiledProfile, file_mask: u32) -> Coverage {
    let mut c = dfa_covers(dfa_of(&p.file), dfa_of(&q.file), file_mask);
    c = c.worst(dfa_covers(dfa_of(&p.policydb), dfa_of(&q.policydb), u32::MAX));
    let caps_missing = q.caps_allow & !p.caps_allow;
    if caps_missing != 0 {
        c = c.worst(Coverage::Missing);
    }
    for (i, qn) in q.net.iter().enumerate() {
        let pn = p.net.get(i).copied().unwrap_or_default();
        let missing = qn.allow & !(pn.allow & !pn.deny);
        if missing != 0 {
            c = c.worst(if missing & pn.deny != 0 { Coverage::Denied } else { Coverage::Missing });
        }
    }
    c
}

/// A shortest input `new` allows beyond what `old` and `added` allow
/// together, if there is one.
fn dfa_beyond(new: Option<&Dfa>, old: Option<&Dfa>, added: Option<&Dfa>) -> Option<Vec<u8>> {
    let nd = new?;
    let start = (
        START_STATE,
        if old.is_some() { START_STATE } else { DEAD_STATE },
        if added.is_some() { START_STATE } else { DEAD_STATE },
    );
    type Triple = (u32, u32, u32);
    let mut parent: HashMap<Triple, Option<(Triple, u8)>> = HashMap::from([(start, None)]);
    let mut queue = VecDeque::from([start]);
    while let Some(st @ (sn, so, sa)) = queue.pop_front() {
        let extra = nd.perms(sn).allow & !(perms(old, so).0 | perms(added, sa).0);
        if extra != 0 {
            let mut ex = Vec::new();
            let mut cur = st;
            while let Some(Some((prev, b))) = parent.get(&cur) {
                ex.push(*b);
                cur = *prev;
            }
            ex.reverse();
            return Some(ex);
        }
        for &b in PREFERRED_BYTES.iter() {
            let nn = nd.step(sn, b);
            if nn == DEAD_STATE {
                continue;
            }
            let next = (nn, step(old, so, b), step(added, sa, b));
            parent.entry(next).or_insert_with(|| {
                queue.push_back(next);
                Some((st, b))
            });
        }
    }
    None
}

/// What `new` allows that neither `old` nor `added` does: `None` when
/// nothing, else where (`file`, `policydb`, `capabilities`, `network`)
/// and an example input.
pub fn beyond(new: &CompiledProfile, old: &CompiledProfile, added: &CompiledProfile) -> Option<(String, Vec<u8>)> {
    if let Some(ex) = dfa_beyond(dfa_of(&new.file), dfa_of(&old.file), dfa_of(&added.file)) {
        return Some(("file".into(), ex));
    }
    if let Some(ex) = dfa_beyond(dfa_of(&new.policydb), dfa_of(&old.policydb), dfa_of(&added.policydb)) {
        return Some(("policydb".into(), ex));
    }
    let caps = new.caps_allow & !(old.caps_allow | added.caps_allow);
    if caps != 0 {
        return Some(("capabilities".into(), caps.trailing_zeros().to_string().into_bytes()));
    }
    for (i, n) in new.net.iter().enumerate() {
        let o = old.net.get(i).copied().unwrap_or_default();
        let a = added.net.get(i).copied().unwrap_or_default();
        if n.allow & !(o.allow | a.allow) != 0 {
            return Some(("network".into(), i.to_string().into_bytes()));
        }
    }
    None
}
