//! Compact storage for the construction and the minimisation: transition
//! rows as varints in a chunked arena, interned NFA sets, predecessor lists.

use super::*;

/// Transition rows during construction, one per state, each stored as its
/// most common target and the classes that go elsewhere (varints, in a
/// [`ByteArena`]). A file DFA's state sends most classes to one state (the
/// dead state, or the state of a `*` or `**`), so this is a few bytes per
/// row where a plain table (16 bits per class) was the largest item of a
/// compile.
pub(super) struct Rows {
    pub(super) width: usize,
    pub(super) arena: ByteArena,
    pub(super) scratch: Vec<u8>,
    pub(super) sorted: Vec<u32>,
}

impl Rows {
    pub(super) fn new(width: usize) -> Rows {
        Rows { width, arena: ByteArena::default(), scratch: Vec::new(), sorted: Vec::new() }
    }

    pub(super) fn from_table(width: usize, table: &[u32]) -> Rows {
        let mut rows = Rows::new(width);
        for row in table.chunks(width.max(1)) {
            rows.push_row(row);
        }
        rows
    }

    pub(super) fn len(&self) -> usize {
        self.arena.len()
    }

    pub(super) fn push_row(&mut self, row: &[u32]) {
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
    pub(super) fn row_into(&self, state: usize, out: &mut Vec<u32>) {
        let mut bytes = self.arena.get(state as u32);
        let default = read_varint(&mut bytes);
        out.clear();
        out.resize(self.width, default);
        while let Some((&class, rest)) = bytes.split_first() {
            bytes = rest;
            out[class as usize] = read_varint(&mut bytes);
        }
    }

    pub(super) fn shrink_to_fit(&mut self) {
        self.arena.shrink_to_fit();
        self.scratch = Vec::new();
        self.sorted = Vec::new();
    }

    pub(super) fn into_table(self) -> Vec<u32> {
        let mut table = Vec::with_capacity(self.len() * self.width);
        let mut row = Vec::new();
        for state in 0..self.len() {
            self.row_into(state, &mut row);
            table.extend_from_slice(&row);
        }
        table
    }
}

pub(super) fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads one varint from the front of `bytes` and advances past it.
pub(super) fn read_varint(bytes: &mut &[u8]) -> u32 {
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
pub(super) enum StateList {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl StateList {
    /// `len` zeros, for numbers of states below `states`.
    pub(super) fn zeroed(len: usize, states: usize) -> StateList {
        if states <= 1 << 16 { StateList::Narrow(vec![0; len]) } else { StateList::Wide(vec![0; len]) }
    }

    pub(super) fn set(&mut self, i: usize, state: u32) {
        match self {
            StateList::Narrow(v) => v[i] = state as u16,
            StateList::Wide(v) => v[i] = state,
        }
    }

    pub(super) fn get(&self, i: usize) -> u32 {
        match self {
            StateList::Narrow(v) => u32::from(v[i]),
            StateList::Wide(v) => v[i],
        }
    }
}

/// Sets of byte classes, interned: the classes by which one state steps to
/// another in the minimization's predecessor lists.
#[derive(Default)]
pub(super) struct ClassSets {
    pub(super) ids: FxMap<[u64; 4], u32>,
    /// Set `i` is `members[start[i]..start[i + 1]]`, ascending.
    pub(super) start: Vec<u32>,
    pub(super) members: Vec<u8>,
}

impl ClassSets {
    /// The id of the classes of `run` (pairs of a target and a class,
    /// classes ascending).
    pub(super) fn intern(&mut self, run: &[(u32, u8)]) -> u32 {
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

    pub(super) fn members(&self, id: u32) -> &[u8] {
        &self.members[self.start[id as usize] as usize..self.start[id as usize + 1] as usize]
    }
}

/// Byte strings appended one after another into fixed-size chunks, so that
/// growing never copies what is stored nor holds an old and a new buffer at
/// once, as doubling one `Vec` does.
#[derive(Default)]
pub(super) struct ByteArena {
    pub(super) chunks: Vec<Vec<u8>>,
    /// Per string: its chunk, and its start and end in that chunk.
    pub(super) spans: Vec<(u32, u32, u32)>,
}

/// Bytes per chunk of a [`ByteArena`] (a longer string gets a chunk of its
/// own).
pub(super) const ARENA_CHUNK_BYTES: usize = 1 << 16;

impl ByteArena {
    pub(super) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(super) fn push(&mut self, bytes: &[u8]) -> u32 {
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

    pub(super) fn get(&self, id: u32) -> &[u8] {
        let (chunk, start, end) = self.spans[id as usize];
        &self.chunks[chunk as usize][start as usize..end as usize]
    }

    pub(super) fn shrink_to_fit(&mut self) {
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
pub(super) struct SetStore {
    pub(super) arena: ByteArena,
}

impl SetStore {
    pub(super) fn len(&self) -> usize {
        self.arena.len()
    }

    /// Encodes a sorted set into `out` (cleared first).
    pub(super) fn encode(set: &[u32], out: &mut Vec<u8>) {
        out.clear();
        let mut previous = 0;
        for &n in set {
            push_varint(out, n - previous);
            previous = n;
        }
    }

    pub(super) fn push(&mut self, set: &[u32], scratch: &mut Vec<u8>) -> u32 {
        SetStore::encode(set, scratch);
        self.push_encoded(scratch)
    }

    pub(super) fn push_encoded(&mut self, bytes: &[u8]) -> u32 {
        self.arena.push(bytes)
    }

    pub(super) fn encoded(&self, id: u32) -> &[u8] {
        self.arena.get(id)
    }

    /// Decodes set `id` into `out` (cleared first).
    pub(super) fn decode_into(&self, id: u32, out: &mut Vec<u32>) {
        out.clear();
        let mut bytes = self.encoded(id);
        let mut previous = 0u32;
        while !bytes.is_empty() {
            previous += read_varint(&mut bytes);
            out.push(previous);
        }
    }
}
