//! Walking a decoded [`TableSet`] the way the kernel matches input.
//!
//! State 0 is the dead (non-matching) state and state 1 the start state;
//! the parser always lays tables out this way.
//!
//! One step for input byte `c` in state `s`:
//! 1. map `c` through the equivalence table, if there is one;
//! 2. `pos = base[s] + c`; if `check[pos] == s` the next state is
//!    `next[pos]`;
//! 3. otherwise move to `default[s]`; if `s` was differentially encoded,
//!    its missing transitions are those of its default state, so retry the
//!    same byte from there, else stop there.
//!
//! [`TableSet::validate`] guarantees every index used here is in bounds and
//! that diff-encoding chains end, so these functions cannot panic or loop.

use crate::tables::TableSet;

pub const DEAD_STATE: u32 = 0;
pub const START_STATE: u32 = 1;

impl TableSet {
    /// The equivalence class of a byte (the byte itself without classes).
    pub fn class_of(&self, byte: u8) -> usize {
        match &self.equiv {
            Some(eq) => eq.data.get(byte as usize).copied().unwrap_or(0) as usize,
            None => byte as usize,
        }
    }

    /// One transition on `byte` from `state`.
    pub fn step(&self, state: u32, byte: u8) -> u32 {
        let sym = self.class_of(byte);
        let mut s = state as usize;
        // Bounded by the chain check in validate(); the bound also protects
        // a TableSet whose fields were changed after decoding.
        for _ in 0..=self.state_count() {
            let pos = self.base_index(s) + sym;
            if self.check.data.get(pos).is_some_and(|&c| c as usize == s) {
                return self.next.data.get(pos).copied().unwrap_or(DEAD_STATE);
            }
            let was_diff = self.is_diff_encoded(s);
            s = self.default.data.get(s).copied().unwrap_or(DEAD_STATE) as usize;
            if !was_diff {
                break;
            }
        }
        s as u32
    }

    /// The out-of-band transition (used to separate xattr matches from the
    /// path in attachment DFAs), or the dead state when `state` has none.
    pub fn oob_step(&self, state: u32) -> u32 {
        let s = state as usize;
        let Some(&b) = self.base.data.get(s) else {
            return DEAD_STATE;
        };
        if b & crate::tables::BASE_FLAG_OOB == 0 {
            return DEAD_STATE;
        }
        let pos = self.base_index(s).wrapping_sub(1);
        match (self.check.data.get(pos), self.next.data.get(pos)) {
            (Some(&c), Some(&n)) if c as usize == s => n,
            _ => DEAD_STATE,
        }
    }

    /// Walks `input` from `start`; returns the state reached.
    pub fn walk_from(&self, start: u32, input: &[u8]) -> u32 {
        input.iter().fold(start, |s, &b| self.step(s, b))
    }

    /// Walks `input` from the start state.
    pub fn walk(&self, input: &[u8]) -> u32 {
        self.walk_from(START_STATE, input)
    }

    /// All successor states of `state`, one entry per byte value 0..=255.
    pub fn successors(&self, state: u32) -> [u32; 256] {
        let mut out = [DEAD_STATE; 256];
        for (b, slot) in out.iter_mut().enumerate() {
            *slot = self.step(state, b as u8);
        }
        out
    }
}
