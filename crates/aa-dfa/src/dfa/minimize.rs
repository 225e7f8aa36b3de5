//! Hopcroft minimisation of the subset construction's automaton, with the
//! initial partition the target keys on ([`MinimizeKey`]).

use super::*;

impl Compact {
    pub(super) fn state_count(&self) -> usize {
        self.perms.len()
    }

    /// The order the parser creates these states in: dead, start, then
    /// breadth first, each state's default target before its explicit
    /// ones by byte (the default is the target on a byte no rule names,
    /// `free`, else the most frequent target). States it would not reach
    /// follow in their own order.
    pub(super) fn creation_order(&self, free: Option<u8>) -> Vec<u32> {
        let n = self.state_count();
        let mut seen = vec![false; n];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        for s in [DEAD_STATE, START_STATE] {
            if (s as usize) < n {
                seen[s as usize] = true;
                order.push(s);
            }
        }
        let mut row = Vec::new();
        let mut targets = [DEAD_STATE; 256];
        let mut i = 1;
        while i < order.len() {
            let s = order[i];
            self.rows.row_into(s as usize, &mut row);
            for b in 0..=255u8 {
                targets[b as usize] = row.get(self.class_of[b as usize] as usize).copied().unwrap_or(DEAD_STATE);
            }
            let d = match free {
                Some(b) => targets[b as usize],
                None => most_frequent(&targets),
            };
            for t in std::iter::once(d).chain(targets.iter().copied().filter(|&t| t != d)) {
                if !seen[t as usize] {
                    seen[t as usize] = true;
                    order.push(t);
                }
            }
            i += 1;
        }
        order.extend((0..n as u32).filter(|&s| !seen[s as usize]));
        order
    }

    pub(super) fn into_dfa(self) -> Dfa {
        let class_of = self.class_of.map(|c| c as u8);
        Dfa { class_of, width: self.width, rows: self.rows.into_table(), perms: self.perms }
    }

    /// See [`Dfa::minimize`]. State 0 must be dead (no way out, default
    /// permissions).
    ///
    /// Memory: only transitions into live states are kept as predecessor
    /// lists (most transitions go to the dead state), grouped by target;
    /// states from which no accepting state is reachable join the dead
    /// state's block up front and are never splitters, which makes a
    /// transition into them the same as one into the dead state.
    pub(super) fn minimize(self, key_kind: &MinimizeKey, free: Option<u8>) -> Dfa {
        let n = self.state_count();
        if n == 0 {
            return self.into_dfa();
        }
        let k = self.width;
        let whole = !matches!(key_kind, MinimizeKey::PackedAccept);
        // 4.1.0's groups, looked up in creation order (see [`fieldwise`]).
        let fieldwise_groups = matches!(key_kind, MinimizeKey::FieldwiseRecord).then(|| {
            let order = self.creation_order(free);
            let records: Vec<fieldwise::Record> = order
                .iter()
                .map(|&st| {
                    let p = &self.perms[st as usize];
                    [p.allow, 0, p.prompt, p.audit, p.quiet]
                })
                .collect();
            let mut g = vec![0u32; n];
            for (&st, group) in order.iter().zip(fieldwise::groups(&records)) {
                g[st as usize] = group;
            }
            g
        });
        let key = |p: &StatePerms| {
            if whole { (p.allow, p.audit, p.quiet, p.prompt) } else { (p.accept1(), p.accept2(), 0, 0) }
        };
        let dead_key = key(&self.perms[0]);
        // Predecessors by target, one entry per (source, target) pair:
        // `pred_src`/`pred_set` in `pred_start[t]..pred_start[t + 1]`,
        // sources ascending. `pred_set` names the classes that lead from the
        // source to the target: a file DFA's state sends most classes to a
        // few targets, so this is a small fraction of one entry per
        // transition (which was the largest table of a whole compile).
        let mut class_sets = ClassSets::default();
        let mut targets: Vec<(u32, u8)> = Vec::with_capacity(k);
        let mut row = Vec::with_capacity(k);
        let mut row_targets = |st: usize, out: &mut Vec<(u32, u8)>| {
            self.rows.row_into(st, &mut row);
            out.clear();
            out.extend(row.iter().enumerate().filter(|(_, t)| **t != DEAD_STATE).map(|(c, &t)| (t, c as u8)));
            out.sort_unstable();
        };
        let mut pred_start = vec![0u32; n + 1];
        for st in 0..n {
            row_targets(st, &mut targets);
            for run in targets.chunk_by(|a, b| a.0 == b.0) {
                pred_start[run[0].0 as usize] += 1;
                class_sets.intern(run);
            }
        }
        let mut sum = 0;
        for x in pred_start.iter_mut() {
            sum += *x;
            *x = sum;
        }
        let pairs = sum as usize;
        let mut pred_src = StateList::zeroed(pairs, n);
        let mut pred_set = vec![0u32; pairs];
        for st in (0..n).rev() {
            row_targets(st, &mut targets);
            for run in targets.chunk_by(|a, b| a.0 == b.0) {
                let at = &mut pred_start[run[0].0 as usize];
                *at -= 1;
                pred_src.set(*at as usize, st as u32);
                pred_set[*at as usize] = class_sets.intern(run);
            }
        }
        drop(targets);
        // From here on the predecessor lists are the transitions: the rows
        // are not kept while the partition is refined.
        let Compact { class_of, rows, perms: old_perms, .. } = self;
        drop(rows);
        let classes_of = |i: usize| class_sets.members(pred_set[i]);
        let preds_of = |t: u32| pred_start[t as usize] as usize..pred_start[t as usize + 1] as usize;
        // Live states: those that reach a state whose words differ from the
        // dead state's.
        let mut live = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        for (s, p) in old_perms.iter().enumerate() {
            if key(p) != dead_key {
                live[s] = true;
                stack.push(s as u32);
            }
        }
        while let Some(t) = stack.pop() {
            for i in preds_of(t) {
                let src = pred_src.get(i);
                if !live[src as usize] {
                    live[src as usize] = true;
                    stack.push(src);
                }
            }
        }
        // Block 0: the dead state and every state equivalent to it.
        let initial: Vec<u32> = {
            let mut ids: FxMap<(u32, u32, u32, u32), u32> = FxMap::default();
            let mut group_ids: FxMap<u32, u32> = FxMap::default();
            old_perms
                .iter()
                .zip(&live)
                .enumerate()
                .map(|(st, (p, &l))| {
                    if !l {
                        return 0;
                    }
                    match &fieldwise_groups {
                        Some(g) => {
                            let next = group_ids.len() as u32 + 1;
                            *group_ids.entry(g[st]).or_insert(next)
                        }
                        None => {
                            let next = ids.len() as u32 + 1;
                            *ids.entry(key(p)).or_insert(next)
                        }
                    }
                })
                .collect()
        };
        drop(live);
        // The partition: `elems` grouped by block, `loc` the inverse.
        let blocks0 = initial.iter().copied().max().map_or(0, |m| m as usize + 1);
        let mut elems: Vec<u32> = (0..n as u32).collect();
        elems.sort_by_key(|&st| initial[st as usize]);
        let mut loc = vec![0u32; n];
        for (i, &st) in elems.iter().enumerate() {
            loc[st as usize] = i as u32;
        }
        let mut bstart = vec![0usize; blocks0];
        let mut bend = vec![0usize; blocks0];
        for (i, &st) in elems.iter().enumerate() {
            let b = initial[st as usize] as usize;
            if i == 0 || initial[elems[i - 1] as usize] as usize != b {
                bstart[b] = i;
            }
            bend[b] = i + 1;
        }
        let mut block_of = initial;
        let mut marked = vec![0usize; blocks0];
        // Block 0 is never a splitter: nothing it contains is live.
        let mut in_work = vec![true; blocks0];
        in_work[0] = false;
        let mut work: Vec<usize> = (1..blocks0).collect();
        let mut touched: Vec<usize> = Vec::new();
        // The splitter's predecessors, bucketed by class.
        let mut class_count = vec![0u32; k + 1];
        let mut bucket: Vec<u32> = Vec::new();
        while let Some(b) = work.pop() {
            in_work[b] = false;
            class_count.iter_mut().for_each(|c| *c = 0);
            let mut total = 0;
            for &t in &elems[bstart[b]..bend[b]] {
                for i in preds_of(t) {
                    for &c in classes_of(i) {
                        class_count[c as usize + 1] += 1;
                    }
                    total += classes_of(i).len();
                }
            }
            if total == 0 {
                continue;
            }
            for c in 1..=k {
                class_count[c] += class_count[c - 1];
            }
            bucket.clear();
            bucket.resize(total, 0);
            {
                let mut fill = class_count.clone();
                for &t in &elems[bstart[b]..bend[b]] {
                    for i in preds_of(t) {
                        let src = pred_src.get(i);
                        for &c in classes_of(i) {
                            let at = &mut fill[c as usize];
                            bucket[*at as usize] = src;
                            *at += 1;
                        }
                    }
                }
            }
            for c in 0..k {
                let group = class_count[c] as usize..class_count[c + 1] as usize;
                if group.is_empty() {
                    continue;
                }
                touched.clear();
                for &src in &bucket[group] {
                    let y = block_of[src as usize] as usize;
                    let pos = loc[src as usize] as usize;
                    let m = bstart[y] + marked[y];
                    if pos < m {
                        continue;
                    }
                    let other = elems[m];
                    elems.swap(pos, m);
                    loc[other as usize] = pos as u32;
                    loc[src as usize] = m as u32;
                    if marked[y] == 0 {
                        touched.push(y);
                    }
                    marked[y] += 1;
                }
                for &y in &touched {
                    let mk = std::mem::take(&mut marked[y]);
                    if mk == bend[y] - bstart[y] {
                        continue;
                    }
                    let z = bstart.len();
                    bstart.push(bstart[y]);
                    bend.push(bstart[y] + mk);
                    marked.push(0);
                    in_work.push(false);
                    bstart[y] += mk;
                    for &st in &elems[bstart[z]..bend[z]] {
                        block_of[st as usize] = z as u32;
                    }
                    let add = if in_work[y] || mk <= bend[y] - bstart[y] { z } else { y };
                    if !in_work[add] {
                        in_work[add] = true;
                        work.push(add);
                    }
                }
            }
        }
        drop((elems, loc, bucket));
        let block = block_of;
        // Renumber so that dead's block is 0 and start's block is 1 (if it
        // is a different block), then the rest in order of appearance.
        let mut order = vec![u32::MAX; bstart.len()];
        let mut m = 0u32;
        for s in std::iter::once(0).chain(std::iter::once(1).filter(|&s| s < n)).chain(0..n) {
            let o = &mut order[block[s] as usize];
            if *o == u32::MAX {
                *o = m;
                m += 1;
            }
        }
        let m = (m as usize).max(2);
        // Each block's row is that of its last state, which also gives the
        // block its permissions; transitions not in the lists go to the dead
        // state.
        let mut last = vec![0u32; m];
        let mut perms = vec![StatePerms::default(); m];
        for s in 0..n {
            let t = order[block[s] as usize] as usize;
            perms[t] = old_perms[s];
            last[t] = s as u32;
        }
        drop(old_perms);
        let mut rows = vec![DEAD_STATE; m * k];
        for t in 0..n {
            let to = order[block[t] as usize];
            for i in preds_of(t as u32) {
                let src = pred_src.get(i);
                let from = order[block[src as usize] as usize] as usize;
                if last[from] == src {
                    for &c in classes_of(i) {
                        rows[from * k + c as usize] = to;
                    }
                }
            }
        }
        drop((pred_start, pred_src, pred_set, class_sets));
        merge_classes(class_of.map(|c| c as u8), k, rows, perms)
    }
}

/// The DFA with classes whose columns are equal in every state merged
/// (minimization often makes classes the construction needed alike).
pub(super) fn merge_classes(class_of: [u8; 256], k: usize, rows: Vec<u32>, perms: Vec<StatePerms>) -> Dfa {
    let m = perms.len();
    let column_eq = |a: usize, b: usize| (0..m).all(|t| rows[t * k + a] == rows[t * k + b]);
    let mut new_class = vec![0u8; k];
    let mut reps: Vec<usize> = Vec::new();
    let mut by_hash: FxMap<u64, Vec<usize>> = FxMap::default();
    for c in 0..k {
        let mut h = FxHasher::default();
        for t in 0..m {
            h.write_u32(rows[t * k + c]);
        }
        let same = by_hash.entry(h.finish()).or_default();
        match same.iter().find(|&&r| column_eq(reps[r], c)) {
            Some(&r) => new_class[c] = r as u8,
            None => {
                same.push(reps.len());
                new_class[c] = reps.len() as u8;
                reps.push(c);
            }
        }
    }
    if reps.len() == k {
        return Dfa { class_of, width: k, rows, perms };
    }
    let w = reps.len();
    let mut merged = Vec::with_capacity(m * w);
    for t in 0..m {
        merged.extend(reps.iter().map(|&c| rows[t * k + c]));
    }
    Dfa { class_of: class_of.map(|c| new_class[c as usize]), width: w, rows: merged, perms }
}
