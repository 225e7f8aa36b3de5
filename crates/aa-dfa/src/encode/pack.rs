//! Packing a [`Layout`] into base/next/check/default tables the way 3.0.8
//! does, and writing the table set ("aadfa" blob contents).
//!
//! **Packing** is first fit over a free list of next/check slots:
//! - slot 0 holds the dead state's dummy entry; the tables start with
//!   `max(256, 2 + explicit transitions of the other states)` slots;
//! - the start state is placed first, then every other state in number
//!   order (the dead state is never placed);
//! - a state with no explicit transition gets base 0 and only a default;
//! - otherwise the free list is walked from its head for the first free
//!   slot `x` at or above the state's lowest byte `c` such that every
//!   transition lands on a free slot (or past the end) at base `x - c`;
//!   when none does, or the state's last possible byte would overrun,
//!   the tables grow so that bytes up to 255 fit, and the new slots join
//!   the free list at its end.
//!
//! **Writing**: a 24-byte header (magic, header size, set size, flags,
//! `"notflex"` and an empty name), then the accept (u32), accept2 (u32),
//! base (u32), default (u16), next (u16) and check (u16) tables, each
//! with a 12-byte header and padded to 8 bytes, all big-endian. 3.0.8's
//! default options build no equivalence-class table.

use super::layout::Layout;
use crate::tables::{BASE_FLAG_DIFF_ENCODE, SET_FLAG_DIFF_ENCODE, TABLE_SET_MAGIC, id};

/// The packed tables of one DFA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    pub flags: u16,
    pub accept: Vec<u32>,
    pub accept2: Vec<u32>,
    pub base: Vec<u32>,
    pub default: Vec<u32>,
    pub next: Vec<u32>,
    pub check: Vec<u32>,
}

struct Packer {
    /// `(next, check)` of each slot; `None` is free.
    slots: Vec<Option<(u32, u32)>>,
    /// Free list links `(prev, next)`; 0 ends the list.
    free: Vec<(usize, usize)>,
    first_free: usize,
}

impl Packer {
    fn link_from(&mut self, mut prev: usize, start: usize) {
        for i in start..self.free.len() {
            if prev != 0 {
                self.free[prev].1 = i;
            }
            self.free[i].0 = prev;
            prev = i;
        }
        if let Some(last) = self.free.last_mut() {
            last.1 = 0;
        }
    }

    fn grow(&mut self, by: usize, prev: usize) {
        let old = self.free.len();
        self.slots.resize(old + by, None);
        self.free.resize(old + by, (0, 0));
        self.link_from(prev, old);
        if self.first_free == 0 {
            self.first_free = old;
        }
    }

    fn fits(&self, pos: usize, trans: &[(u8, u32)]) -> bool {
        let base = pos - trans[0].0 as usize;
        for &(c, _) in trans {
            let at = base + c as usize;
            if at >= self.slots.len() {
                return true;
            }
            if self.slots[at].is_some() {
                return false;
            }
        }
        true
    }

    /// Places one state's transitions; returns its base index.
    fn place(&mut self, state: u32, trans: &[(u8, u32)]) -> usize {
        let Some(&(first, _)) = trans.first() else {
            return 0;
        };
        let c = first as usize;
        let mut prev = 0;
        let mut x = self.first_free;
        loop {
            while x != 0 && x < c {
                prev = x;
                x = self.free[x].1;
            }
            while x != 0 && !self.fits(x, trans) {
                prev = x;
                x = self.free[x].1;
            }
            if x == 0 {
                let old = self.free.len();
                self.grow(256 - c, prev);
                x = old;
                continue;
            }
            if x + 255 - c >= self.slots.len() {
                let by = 255 - c - (self.slots.len() - 1 - x);
                let mut y = x;
                while y != 0 {
                    prev = y;
                    y = self.free[y].1;
                }
                self.grow(by, prev);
            }
            break;
        }
        let base = x - c;
        for &(b, t) in trans {
            let at = base + b as usize;
            self.slots[at] = Some((t, state));
            let (p, n) = self.free[at];
            if p != 0 {
                self.free[p].1 = n;
            }
            if n != 0 {
                self.free[n].0 = p;
            }
            if at == self.first_free {
                self.first_free = n;
            }
        }
        base
    }
}

/// Packs the layout's transitions into flex-style tables.
pub fn pack(layout: &Layout) -> Packed {
    let states = &layout.states;
    let n = states.len();
    let optimal = 2 + states.iter().skip(2).map(|s| s.trans.len()).sum::<usize>();
    let size = optimal.max(256);
    let mut p = Packer { slots: vec![None; size], free: vec![(0, 0); size], first_free: 1 };
    p.slots[0] = Some((0, 0));
    p.link_from(0, 1);
    let mut base = vec![0u32; n];
    let mut default = vec![0u32; n];
    for s in 1..n {
        let st = &states[s];
        let mut b = p.place(s as u32, &st.trans) as u32;
        if st.diff {
            b |= BASE_FLAG_DIFF_ENCODE;
        }
        base[s] = b;
        default[s] = st.default;
    }
    let (next, check) = p.slots.iter().map(|e| e.unwrap_or((0, 0))).unzip();
    Packed {
        flags: if layout.diff_encoded() { SET_FLAG_DIFF_ENCODE } else { 0 },
        accept: states.iter().map(|s| s.accept).collect(),
        accept2: states.iter().map(|s| s.accept2).collect(),
        base,
        default,
        next,
        check,
    }
}

fn pad8(out: &mut Vec<u8>, from: usize) {
    while !(out.len() - from).is_multiple_of(8) {
        out.push(0);
    }
}

fn table(out: &mut Vec<u8>, id: u16, width: u16, data: &[u32]) {
    let start = out.len();
    out.extend(id.to_be_bytes());
    out.extend(width.to_be_bytes());
    out.extend(0u32.to_be_bytes());
    out.extend((data.len() as u32).to_be_bytes());
    for v in data {
        out.extend(&v.to_be_bytes()[4 - width as usize..]);
    }
    pad8(out, start);
}

impl Packed {
    /// The table set bytes (the content of an "aadfa" blob, before the
    /// stream's alignment padding).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::new();
        table(&mut body, id::ACCEPT, 4, &self.accept);
        table(&mut body, id::ACCEPT2, 4, &self.accept2);
        table(&mut body, id::BASE, 4, &self.base);
        table(&mut body, id::DEFAULT, 2, &self.default);
        table(&mut body, id::NEXT, 2, &self.next);
        table(&mut body, id::CHECK, 2, &self.check);
        let mut out = Vec::with_capacity(24 + body.len());
        out.extend(TABLE_SET_MAGIC.to_be_bytes());
        let hsize = 24u32;
        out.extend(hsize.to_be_bytes());
        out.extend((hsize + body.len() as u32).to_be_bytes());
        out.extend(self.flags.to_be_bytes());
        out.extend(b"notflex\0\0");
        pad8(&mut out, 0);
        out.extend(body);
        out
    }
}
