//! Layer 2 of the decoder: one DFA blob ("aadfa"), a set of flex-style
//! tables.
//!
//! Layout (all integers big-endian):
//! - a set header: magic `0x1B5E783D`, header size, total set size, flags
//!   (bit 0: some states are differentially encoded, bit 1: out-of-band
//!   transitions are used), then NUL-terminated version text (`"notflex"`)
//!   and, in older parsers, an (empty) name; padded to 8 bytes;
//! - tables, each with a 12-byte header (id, element width in bytes,
//!   `hilen` (unused, 0), element count), its elements, padding to 8.
//!
//! In the blob the stream writer puts 0..=7 zero bytes in front of the magic
//! so that the tables start 8-aligned relative to the start of the profile's
//! chunk; we skip them and record how many there were.
//!
//! The decoded [`TableSet`] is validated so that a walk over it cannot go out
//! of bounds or loop: see [`TableSet::validate`].

use std::fmt;

use crate::error::DecodeError;

pub const TABLE_SET_MAGIC: u32 = 0x1B5E_783D;
/// Set-header flag: some states are differentially encoded.
pub const SET_FLAG_DIFF_ENCODE: u16 = 1;
/// Set-header flag: out-of-band transitions (used by xattr attachment).
pub const SET_FLAG_OOB_TRANS: u16 = 2;

/// Per-state flags kept in the top byte of each base entry.
pub const BASE_FLAGS_MASK: u32 = 0xff00_0000;
pub const BASE_FLAG_DIFF_ENCODE: u32 = 0x8000_0000;
pub const BASE_FLAG_OOB: u32 = 0x2000_0000;

/// Table ids inside a set.
pub mod id {
    pub const ACCEPT: u16 = 1;
    pub const BASE: u16 = 2;
    pub const CHECK: u16 = 3;
    pub const DEFAULT: u16 = 4;
    pub const EQUIV: u16 = 5;
    pub const META: u16 = 6;
    pub const ACCEPT2: u16 = 7;
    pub const NEXT: u16 = 8;
}

/// One decoded table: its values widened to `u32`, plus its original width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub id: u16,
    /// Element width in bytes (1, 2 or 4).
    pub width: u16,
    pub data: Vec<u32>,
    /// Absolute offset of the table header.
    pub offset: usize,
}

/// A decoded and validated DFA blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSet {
    /// Absolute offset of the magic number.
    pub offset: usize,
    /// Zero bytes skipped before the magic (the stream's alignment pad).
    pub pad: usize,
    pub flags: u16,
    pub version: String,
    pub name: String,
    pub accept: Table,
    pub accept2: Option<Table>,
    pub base: Table,
    pub default: Table,
    pub next: Table,
    pub check: Table,
    pub equiv: Option<Table>,
    /// Tables with ids this decoder does not interpret (e.g. META).
    pub other: Vec<Table>,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}
fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([*b.get(at)?, *b.get(at + 1)?, *b.get(at + 2)?, *b.get(at + 3)?]))
}
fn pad8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

impl TableSet {
    /// Decodes a blob; `base_offset` is the blob's absolute offset in the
    /// stream, used only for error messages.
    pub fn decode(blob: &[u8], base_offset: usize) -> Result<TableSet, DecodeError> {
        let pad = blob.iter().take(8).take_while(|&&b| b == 0).count();
        if pad == 8 {
            return Err(DecodeError::tables(base_offset, "more than 7 zero bytes before the magic"));
        }
        let b = &blob[pad..];
        let at = |rel: usize| base_offset + pad + rel;
        let short = |rel: usize, what: &str| DecodeError::tables(at(rel), format!("truncated {what}"));

        let magic = be32(b, 0).ok_or_else(|| short(0, "set header"))?;
        if magic != TABLE_SET_MAGIC {
            return Err(DecodeError::tables(at(0), format!("bad magic {magic:#010x}")));
        }
        let hsize = be32(b, 4).ok_or_else(|| short(4, "set header"))? as usize;
        let ssize = be32(b, 8).ok_or_else(|| short(8, "set header"))? as usize;
        let flags = be16(b, 12).ok_or_else(|| short(12, "set header"))?;
        if hsize < 14 || hsize > b.len() {
            return Err(DecodeError::tables(at(4), format!("header size {hsize} out of range")));
        }
        if ssize < hsize || ssize > b.len() {
            return Err(DecodeError::tables(at(8), format!("set size {ssize} out of range (blob holds {})", b.len())));
        }
        if flags & !(SET_FLAG_DIFF_ENCODE | SET_FLAG_OOB_TRANS) != 0 {
            return Err(DecodeError::tables(at(12), format!("unknown set flags {flags:#x}")));
        }
        let mut texts = b[14..hsize].split(|&c| c == 0);
        let version = String::from_utf8_lossy(texts.next().unwrap_or_default()).into_owned();
        let name = String::from_utf8_lossy(texts.next().unwrap_or_default()).into_owned();

        let mut tables: Vec<Table> = Vec::new();
        let mut pos = hsize;
        while pos < ssize {
            let id = be16(b, pos).ok_or_else(|| short(pos, "table header"))?;
            let width = be16(b, pos + 2).ok_or_else(|| short(pos, "table header"))?;
            let lolen = be32(b, pos + 8).ok_or_else(|| short(pos, "table header"))? as usize;
            if pos + 12 > ssize {
                return Err(short(pos, "table header"));
            }
            if !matches!(width, 1 | 2 | 4) {
                return Err(DecodeError::tables(at(pos + 2), format!("table {id}: element width {width}")));
            }
            let bytes = lolen.checked_mul(width as usize).filter(|&n| pos + 12 + n <= ssize).ok_or_else(|| {
                DecodeError::tables(at(pos + 8), format!("table {id}: {lolen} elements overrun the set"))
            })?;
            let raw = &b[pos + 12..pos + 12 + bytes];
            let data = match width {
                1 => raw.iter().map(|&v| u32::from(v)).collect(),
                2 => raw.chunks_exact(2).map(|c| u32::from(u16::from_be_bytes([c[0], c[1]]))).collect(),
                _ => raw.chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect(),
            };
            if tables.iter().any(|t| t.id == id) {
                return Err(DecodeError::tables(at(pos), format!("duplicate table id {id}")));
            }
            tables.push(Table { id, width, data, offset: at(pos) });
            pos += pad8(12 + bytes);
        }

        let mut take = |want: u16| -> Option<Table> {
            let i = tables.iter().position(|t| t.id == want)?;
            Some(tables.remove(i))
        };
        let missing = |what: &str| DecodeError::tables(at(0), format!("missing {what} table"));
        let set = TableSet {
            offset: at(0),
            pad,
            flags,
            version,
            name,
            accept: take(id::ACCEPT).ok_or_else(|| missing("accept"))?,
            accept2: take(id::ACCEPT2),
            base: take(id::BASE).ok_or_else(|| missing("base"))?,
            default: take(id::DEFAULT).ok_or_else(|| missing("default"))?,
            next: take(id::NEXT).ok_or_else(|| missing("next"))?,
            check: take(id::CHECK).ok_or_else(|| missing("check"))?,
            equiv: take(id::EQUIV),
            other: tables,
        };
        set.validate()?;
        Ok(set)
    }

    pub fn state_count(&self) -> usize {
        self.base.data.len()
    }

    /// Checks the invariants a walk relies on, in the spirit of the
    /// kernel's own load-time verification:
    /// - per-state tables have one entry per state, next/check agree;
    /// - an equivalence table, if present, has 256 entries;
    /// - every default, next and check value names a state;
    /// - every base index plus the largest input symbol stays inside
    ///   next/check, so each transition lookup is in bounds;
    /// - base flags are known, and diff-encoding is used only when the set
    ///   header announces it;
    /// - following defaults from a diff-encoded state reaches a state that
    ///   is not diff-encoded within `state_count` steps (no loops).
    pub fn validate(&self) -> Result<(), DecodeError> {
        let n = self.state_count();
        let bad = |t: &Table, msg: String| Err(DecodeError::tables(t.offset, msg));
        if n < 2 {
            return bad(&self.base, format!("{n} states; at least 2 (dead, start) expected"));
        }
        for t in [Some(&self.accept), self.accept2.as_ref(), Some(&self.default)].into_iter().flatten() {
            if t.data.len() != n {
                return bad(t, format!("table {} has {} entries for {n} states", t.id, t.data.len()));
            }
        }
        if self.next.data.len() != self.check.data.len() {
            return bad(&self.check, "next and check differ in length".to_owned());
        }
        let max_sym = match &self.equiv {
            Some(eq) => {
                if eq.data.len() != 256 {
                    return bad(eq, format!("equivalence table has {} entries", eq.data.len()));
                }
                eq.data.iter().copied().max().unwrap_or(0) as usize
            }
            None => 255,
        };
        for t in [&self.default, &self.next, &self.check] {
            if let Some((i, v)) = t.data.iter().enumerate().find(|&(_, &v)| v as usize >= n) {
                return bad(t, format!("table {} entry {i} names state {v} of {n}", t.id));
            }
        }
        let trans = self.next.data.len();
        for (s, &b) in self.base.data.iter().enumerate() {
            let flags = b & BASE_FLAGS_MASK;
            if flags & !(BASE_FLAG_DIFF_ENCODE | BASE_FLAG_OOB) != 0 {
                return bad(&self.base, format!("state {s}: unknown base flags {flags:#x}"));
            }
            if flags & BASE_FLAG_DIFF_ENCODE != 0 && self.flags & SET_FLAG_DIFF_ENCODE == 0 {
                return bad(&self.base, format!("state {s} is diff-encoded but the set is not"));
            }
            let idx = (b & !BASE_FLAGS_MASK) as usize;
            // A state without transitions has base 0 and relies only on
            // default; the kernel still requires base+255 to be in bounds.
            if idx + max_sym >= trans {
                return bad(&self.base, format!("state {s}: base {idx} + {max_sym} exceeds {trans} transitions"));
            }
            if flags & BASE_FLAG_OOB != 0 && idx == 0 {
                return bad(&self.base, format!("state {s}: out-of-band flag with base 0"));
            }
        }
        for s in 0..n {
            let mut cur = s;
            let mut steps = 0;
            while self.is_diff_encoded(cur) {
                cur = self.default.data[cur] as usize;
                steps += 1;
                if steps > n {
                    return bad(&self.default, format!("state {s}: diff-encoding default chain loops"));
                }
            }
        }
        Ok(())
    }

    pub fn is_diff_encoded(&self, state: usize) -> bool {
        self.base.data.get(state).is_some_and(|b| b & BASE_FLAG_DIFF_ENCODE != 0)
    }

    pub fn base_index(&self, state: usize) -> usize {
        self.base.data.get(state).map_or(0, |b| (b & !BASE_FLAGS_MASK) as usize)
    }
}

impl fmt::Display for TableSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "tables at {:#x} (pad {}): version {:?}, flags {:#x}{}{}, {} states, {} transitions{}",
            self.offset,
            self.pad,
            self.version,
            self.flags,
            if self.flags & SET_FLAG_DIFF_ENCODE != 0 { " diff-encode" } else { "" },
            if self.flags & SET_FLAG_OOB_TRANS != 0 { " oob" } else { "" },
            self.state_count(),
            self.next.data.len(),
            if self.equiv.is_some() { ", equivalence classes" } else { "" },
        )?;
        writeln!(f, "  state: accept accept2 default base [flags]")?;
        for s in 0..self.state_count() {
            write!(
                f,
                "  {s:>5}: {:#010x} {:#010x} {:>5} {:>6}",
                self.accept.data[s],
                self.accept2.as_ref().map_or(0, |t| t.data[s]),
                self.default.data[s],
                self.base_index(s)
            )?;
            let b = self.base.data[s];
            if b & BASE_FLAG_DIFF_ENCODE != 0 {
                write!(f, " diff")?;
            }
            if b & BASE_FLAG_OOB != 0 {
                write!(f, " oob")?;
            }
            writeln!(f)?;
        }
        if let Some(eq) = &self.equiv {
            write!(f, "  equivalence classes:")?;
            for (byte, class) in eq.data.iter().enumerate() {
                if byte % 16 == 0 {
                    write!(f, "\n   ")?;
                }
                write!(f, " {class:>3}")?;
            }
            writeln!(f)?;
        }
        for t in &self.other {
            writeln!(f, "  uninterpreted table id {} ({} entries)", t.id, t.data.len())?;
        }
        Ok(())
    }
}
