//! The initial partition of 4.1.0's minimisation, reproduced with its
//! quirk.
//!
//! 4.1.0 groups states by their permission record in an ordered map whose
//! "less than" holds when *any* field (allow, deny, prompt, audit, quiet)
//! is smaller. That is not a strict weak order: two records can each be
//! "less" than the other. Equality still means all fields equal, but the
//! map's searches take turns that depend on the tree's shape, so a lookup
//! can miss a record that is there, and the state starts a new group. The
//! groups are never merged again, so two equivalent states with equal
//! permissions can stay apart in the output, and byte identity needs the
//! same misses.
//!
//! [`FieldwiseMap`] is an ordered map with the algorithms of the C++
//! standard library's red-black tree (as GCC's implements `find` and
//! unique `insert`: lower bound then a check; descend then a check against
//! the predecessor; insert and rebalance), driven by that comparison. Fed
//! the states in the parser's creation order, it hands out the same
//! groups.

/// A permission record in the parser's field order: allow, deny, prompt,
/// audit, quiet.
pub type Record = [u32; 5];

/// The parser's comparison: some field of `a` is below `b`'s.
fn less(a: &Record, b: &Record) -> bool {
    a.iter().zip(b).any(|(x, y)| x < y)
}

const NIL: usize = usize::MAX;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Color {
    Red,
    Black,
}

struct Node {
    key: Record,
    value: u32,
    parent: usize,
    left: usize,
    right: usize,
    color: Color,
}

/// An ordered map from [`Record`] to a group number with the parser's
/// comparison and the tree algorithms of GCC's standard library.
#[derive(Default)]
pub struct FieldwiseMap {
    nodes: Vec<Node>,
    root: usize,
    /// The leftmost node (`begin()`), NIL when empty.
    leftmost: usize,
}

impl FieldwiseMap {
    pub fn new() -> FieldwiseMap {
        FieldwiseMap { nodes: Vec::new(), root: NIL, leftmost: NIL }
    }

    /// `find`: the lower bound (first node not less than `key`), then a
    /// check that `key` is not less than it.
    pub fn find(&self, key: &Record) -> Option<u32> {
        let mut x = self.root;
        let mut y = NIL;
        while x != NIL {
            let n = &self.nodes[x];
            if !less(&n.key, key) {
                y = x;
                x = n.left;
            } else {
                x = n.right;
            }
        }
        if y == NIL || less(key, &self.nodes[y].key) { None } else { Some(self.nodes[y].value) }
    }

    /// Unique `insert`: descends by `key < node`, then treats the key as
    /// present if the in-order predecessor of the insertion point is not
    /// less than it. Returns whether it was inserted.
    pub fn insert(&mut self, key: Record, value: u32) -> bool {
        let mut x = self.root;
        let mut y = NIL;
        let mut comp = true;
        while x != NIL {
            y = x;
            comp = less(&key, &self.nodes[x].key);
            x = if comp { self.nodes[x].left } else { self.nodes[x].right };
        }
        let mut j = y;
        if comp {
            if j == self.leftmost {
                // Also the empty tree (y == NIL == leftmost).
                self.insert_at(y, true, key, value);
                return true;
            }
            j = self.predecessor(j);
        }
        if less(&self.nodes[j].key, &key) {
            let left = y == NIL || less(&key, &self.nodes[y].key);
            self.insert_at(y, left, key, value);
            true
        } else {
            false
        }
    }

    fn predecessor(&self, mut x: usize) -> usize {
        if self.nodes[x].left != NIL {
            x = self.nodes[x].left;
            while self.nodes[x].right != NIL {
                x = self.nodes[x].right;
            }
            return x;
        }
        let mut p = self.nodes[x].parent;
        while p != NIL && x == self.nodes[p].left {
            x = p;
            p = self.nodes[p].parent;
        }
        p
    }

    fn insert_at(&mut self, parent: usize, left: bool, key: Record, value: u32) {
        let z = self.nodes.len();
        self.nodes.push(Node { key, value, parent, left: NIL, right: NIL, color: Color::Red });
        if parent == NIL {
            self.root = z;
            self.leftmost = z;
        } else if left {
            self.nodes[parent].left = z;
            if parent == self.leftmost {
                self.leftmost = z;
            }
        } else {
            self.nodes[parent].right = z;
        }
        self.rebalance(z);
    }

    fn rebalance(&mut self, mut x: usize) {
        while x != self.root && self.nodes[self.nodes[x].parent].color == Color::Red {
            let p = self.nodes[x].parent;
            let g = self.nodes[p].parent;
            if p == self.nodes[g].left {
                let u = self.nodes[g].right;
                if u != NIL && self.nodes[u].color == Color::Red {
                    self.nodes[p].color = Color::Black;
                    self.nodes[u].color = Color::Black;
                    self.nodes[g].color = Color::Red;
                    x = g;
                } else {
                    if x == self.nodes[p].right {
                        x = p;
                        self.rotate_left(x);
                    }
                    let p = self.nodes[x].parent;
                    self.nodes[p].color = Color::Black;
                    self.nodes[g].color = Color::Red;
                    self.rotate_right(g);
                }
            } else {
                let u = self.nodes[g].left;
                if u != NIL && self.nodes[u].color == Color::Red {
                    self.nodes[p].color = Color::Black;
                    self.nodes[u].color = Color::Black;
                    self.nodes[g].color = Color::Red;
                    x = g;
                } else {
                    if x == self.nodes[p].left {
                        x = p;
                        self.rotate_right(x);
                    }
                    let p = self.nodes[x].parent;
                    self.nodes[p].color = Color::Black;
                    self.nodes[g].color = Color::Red;
                    self.rotate_left(g);
                }
            }
        }
        let r = self.root;
        self.nodes[r].color = Color::Black;
    }

    fn replace_child(&mut self, old: usize, new: usize) {
        let p = self.nodes[old].parent;
        self.nodes[new].parent = p;
        if p == NIL {
            self.root = new;
        } else if self.nodes[p].left == old {
            self.nodes[p].left = new;
        } else {
            self.nodes[p].right = new;
        }
    }

    fn rotate_left(&mut self, x: usize) {
        let y = self.nodes[x].right;
        let b = self.nodes[y].left;
        self.nodes[x].right = b;
        if b != NIL {
            self.nodes[b].parent = x;
        }
        self.replace_child(x, y);
        self.nodes[y].left = x;
        self.nodes[x].parent = y;
    }

    fn rotate_right(&mut self, x: usize) {
        let y = self.nodes[x].left;
        let b = self.nodes[y].right;
        self.nodes[x].left = b;
        if b != NIL {
            self.nodes[b].parent = x;
        }
        self.replace_child(x, y);
        self.nodes[y].right = x;
        self.nodes[x].parent = y;
    }
}

/// Group numbers for records seen in order, as the parser's minimisation
/// assigns them: a record the map finds joins that group, any other starts
/// a new one (numbered from 0 in order of creation) and is inserted, which
/// may itself fail silently.
pub fn groups<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<u32> {
    let mut map = FieldwiseMap::new();
    let mut next = 0u32;
    records
        .into_iter()
        .map(|r| match map.find(r) {
            Some(g) => g,
            None => {
                let g = next;
                next += 1;
                map.insert(*r, g);
                g
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistent_records_group_by_equality() {
        // Totally ordered records (one field varies): exact grouping.
        let recs: Vec<Record> = [3, 1, 2, 3, 1, 0, 2].iter().map(|&a| [a, 0, 0, 0, 0]).collect();
        assert_eq!(groups(&recs), vec![0, 1, 2, 0, 1, 3, 2]);
    }

    #[test]
    fn a_lookup_can_miss_an_equal_record() {
        // a = (1,0,..,5) and b = (2,0,..,1) are each "less" than the other;
        // searching for a again after b went in can take b's right side.
        let a: Record = [1, 0, 0, 0, 5];
        let b: Record = [2, 0, 0, 0, 1];
        let c: Record = [0, 0, 0, 0, 9];
        let g = groups(&[a, b, c, a]);
        assert_eq!(g[..3], [0, 1, 2]);
        // Whatever the tree's answer, equal records never share a group
        // with unequal ones.
        assert!(g[3] == 0 || g[3] == 3);
    }

    #[test]
    fn tree_stays_balanced_and_ordered_for_a_strict_order() {
        let mut m = FieldwiseMap::new();
        for i in 0..1000u32 {
            let k = (i * 7919) % 1000;
            assert!(m.insert([k, 0, 0, 0, 0], k));
        }
        for k in 0..1000u32 {
            assert_eq!(m.find(&[k, 0, 0, 0, 0]), Some(k));
        }
        assert!(!m.insert([5, 0, 0, 0, 0], 0));
    }
}
