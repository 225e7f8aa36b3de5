//! The NFA the subset construction starts from: rules compiled into one
//! Thompson automaton whose rules share common leading elements, and its
//! epsilon closures.

use super::*;

/// Scratch space for epsilon closures: a generation stamp per NFA state,
/// so no closure clears a whole bitmap.
pub(super) struct Scratch {
    pub(super) stamp: Vec<u32>,
    pub(super) generation: u32,
    pub(super) stack: Vec<usize>,
}

impl Scratch {
    pub(super) fn new(n: usize) -> Scratch {
        Scratch { stamp: vec![0; n], generation: 0, stack: Vec::new() }
    }
}

/// An NFA state: 24 bytes. Byte sets are stored once per distinct set in
/// [`Nfa::byte_sets`] (an inline 32-byte set made every state 48 bytes).
pub(super) enum NState {
    /// Consume one byte of the set `Nfa::byte_sets[set]`, go to the target.
    Byte { set: u32, target: u32 },
    /// Epsilon moves.
    Split(Box<[u32]>),
    /// Rule `i` accepts.
    Accept(u32),
}

/// What [`Nfa::compile_rules`] built.
pub(super) struct CompiledRules {
    /// The state the NFA starts in.
    pub(super) entry: usize,
    /// Per NFA state, a rule it belongs to.
    pub(super) owners: Vec<u32>,
    /// Per rule `i` whose accept state is `Accept(i)`: every rule that
    /// shares it (equal permissions and exactness), `i` first.
    pub(super) sharing: Vec<Vec<u32>>,
}

pub(super) struct Nfa {
    pub(super) states: Vec<NState>,
    /// Distinct byte sets, in the order states first use them.
    pub(super) byte_sets: Vec<ByteSet>,
    pub(super) set_ids: FxMap<ByteSet, u32>,
    /// Compiled elements by continuation: an element compiled again with
    /// the same continuation reuses its states.
    pub(super) compiled: FxMap<u32, Vec<(Regex, u32)>>,
}

impl Nfa {
    pub(super) fn new() -> Nfa {
        Nfa { states: Vec::new(), byte_sets: Vec::new(), set_ids: FxMap::default(), compiled: FxMap::default() }
    }

    pub(super) fn push(&mut self, s: NState) -> usize {
        self.states.push(s);
        self.states.len() - 1
    }

    pub(super) fn push_byte(&mut self, bs: ByteSet, next: usize) -> usize {
        let set = *self.set_ids.entry(bs).or_insert_with(|| {
            self.byte_sets.push(bs);
            self.byte_sets.len() as u32 - 1
        });
        self.push(NState::Byte { set, target: next as u32 })
    }

    /// Adds `body` to the epsilon moves of the split state `split`.
    pub(super) fn add_move(&mut self, split: usize, body: usize) {
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
    pub(super) fn compile_rules(&mut self, rules: &[Rule], exact: &[bool]) -> CompiledRules {
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
    pub(super) fn compile(&mut self, re: &Regex, next: usize) -> usize {
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

    pub(super) fn compile_new(&mut self, re: &Regex, next: usize) -> usize {
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
    pub(super) fn closure(&self, seeds: impl IntoIterator<Item = usize>, scratch: &mut Scratch) -> Vec<u32> {
        let mut out = Vec::new();
        self.closure_into(seeds, scratch, &mut out);
        out
    }

    /// [`Nfa::closure`] into `out` (cleared first), which keeps its buffer.
    pub(super) fn closure_into(
        &self,
        seeds: impl IntoIterator<Item = usize>,
        scratch: &mut Scratch,
        out: &mut Vec<u32>,
    ) {
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
pub(super) fn shown_bytes(class_of: &[u16; 256], classes: usize) -> Vec<u8> {
    let preferred = (b'a'..=b'z').chain(b'0'..=b'9').chain(b'A'..=b'Z').chain(*b"._-");
    let order = preferred.chain((0x20..0x7f).filter(|&b| b != b'/')).chain(std::iter::once(b'/')).chain(0..=255);
    let mut shown: Vec<Option<u8>> = vec![None; classes];
    for b in order {
        shown[class_of[b as usize] as usize].get_or_insert(b);
    }
    shown.into_iter().map(|b| b.unwrap_or(0)).collect()
}

pub(super) fn path_to(parents: &[(u32, u8)], mut state: u32) -> Vec<u8> {
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
pub(super) fn culprits(sets: &SetStore, owners: &[u32], rules: &[Rule]) -> Vec<(u32, usize)> {
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
pub(super) fn byte_classes(nfa: &Nfa) -> ([u16; 256], Vec<u8>) {
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
