//! Small, bounded helpers over AppArmor globs and file permissions, for the
//! textual versions of the lints (the exact ones will use `aa-dfa`).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};

/// Expands `{a,b}` alternations (nested too) into plain globs; gives up
/// (returns the text unexpanded) beyond `limit` alternatives or
/// `MAX_BRACE_DEPTH` nested braces.
pub fn expand_braces(text: &str, limit: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    if expand_into(text.as_bytes(), &mut out, limit, 0) { out } else { vec![text.to_string()] }
}

/// Braces nested deeper than this are not expanded (`apparmor_parser`
/// itself refuses more than 50).
const MAX_BRACE_DEPTH: usize = 50;

fn expand_into(text: &[u8], acc: &mut Vec<String>, limit: usize, depth: usize) -> bool {
    if depth >= MAX_BRACE_DEPTH {
        return false;
    }
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\\' if i + 1 < text.len() => {
                for s in acc.iter_mut() {
                    s.push(text[i] as char);
                    s.push(text[i + 1] as char);
                }
                i += 2;
            }
            b'{' => {
                let Some(close) = matching_brace(text, i) else {
                    return false;
                };
                let mut next = Vec::new();
                for alt in split_top(&text[i + 1..close]) {
                    let mut part = acc.clone();
                    if !expand_into(alt, &mut part, limit, depth + 1) {
                        return false;
                    }
                    next.extend(part);
                    if next.len() > limit {
                        return false;
                    }
                }
                *acc = next;
                i = close + 1;
            }
            _ => {
                // Copy a run of plain bytes (keeps UTF-8 sequences whole);
                // the first may be a trailing `\`, which escapes nothing.
                let start = i;
                i += 1;
                while i < text.len() && !matches!(text[i], b'{' | b'\\') {
                    i += 1;
                }
                let run = String::from_utf8_lossy(&text[start..i]);
                for s in acc.iter_mut() {
                    s.push_str(&run);
                }
            }
        }
    }
    true
}

fn matching_brace(text: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn split_top(text: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let (mut depth, mut start, mut i) = (0usize, 0usize, 0usize);
    while i < text.len() {
        match text[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&text[start.min(text.len())..]);
    parts
}

/// Collapses runs of `/` as `apparmor_parser` does.
pub fn normalize(path: &str) -> String {
    if !path.contains("//") {
        return path.to_string();
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `?` or `[...]`: one character other than `/` (a class is treated as
    /// any character, an over-approximation).
    One,
    /// `*`: any run without `/`.
    Star,
    /// `**`: any run.
    DStar,
}

fn tokens(glob: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(glob.len());
    let mut chars = glob.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(Tok::Lit(chars.next().map_or('\\', |(_, next)| next))),
            '*' if chars.peek().is_some_and(|&(_, next)| next == '*') => {
                while chars.next_if(|&(_, next)| next == '*').is_some() {}
                out.push(Tok::DStar);
            }
            '*' => out.push(Tok::Star),
            '?' => out.push(Tok::One),
            '[' => match glob[i + 1..].find(']') {
                Some(offset) => {
                    let close = i + 1 + offset;
                    while chars.next_if(|&(j, _)| j <= close).is_some() {}
                    out.push(Tok::One);
                }
                None => out.push(Tok::Lit('[')),
            },
            c => out.push(Tok::Lit(c)),
        }
    }
    out
}

/// How many globs [`Glob::shared`] keeps.
const SHARED_GLOBS: usize = 1 << 15;

/// A glob with its alternatives expanded once, for repeated comparisons.
#[derive(Debug, Clone)]
pub struct Glob {
    alts: Vec<Alt>,
}

#[derive(Debug, Clone)]
struct Alt {
    text: String,
    /// The length of the text before the first glob character.
    literal_len: usize,
    toks: Vec<Tok>,
}

impl Alt {
    fn new(text: String) -> Alt {
        let literal_len = text.find(['*', '?', '[', '{', '\\']).unwrap_or(text.len());
        Alt { toks: tokens(&text), literal_len, text }
    }

    fn literal(&self) -> &str {
        &self.text[..self.literal_len]
    }
}

impl Glob {
    /// Like [`Glob::new`], but `None` when the alternations expand to more
    /// than `limit` plain globs (where `new` keeps the text unexpanded and
    /// comparisons become approximate).
    pub fn expanded(text: &str, limit: usize) -> Option<Glob> {
        let text = normalize(text);
        if !text.contains('{') {
            return Some(Glob { alts: vec![Alt::new(text)] });
        }
        let mut out = vec![String::new()];
        if !expand_into(text.as_bytes(), &mut out, limit, 0) {
            return None;
        }
        Some(Glob { alts: out.iter().map(|a| Alt::new(normalize(a))).collect() })
    }

    /// [`Glob::new`] through a process-wide memo: the rules of the
    /// abstractions are the same in every profile that includes them, so
    /// each path is parsed and expanded once, not once per profile. The
    /// memo holds at most [`SHARED_GLOBS`] globs and starts afresh when
    /// full (the paths of the abstractions come back at once).
    pub fn shared(text: &str) -> Arc<Glob> {
        static MEMO: OnceLock<Mutex<HashMap<Box<str>, Arc<Glob>>>> = OnceLock::new();
        let memo = MEMO.get_or_init(Mutex::default);
        if let Some(glob) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(text) {
            return glob.clone();
        }
        let glob = Arc::new(Glob::new(text));
        let mut memo = memo.lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() >= SHARED_GLOBS {
            memo.clear();
        }
        memo.insert(Box::from(text), glob.clone());
        glob
    }

    pub fn new(text: &str) -> Glob {
        let text = normalize(text);
        let alts = if text.contains('{') {
            expand_braces(&text, 64).iter().map(|a| Alt::new(normalize(a))).collect()
        } else {
            vec![Alt::new(text)]
        };
        Glob { alts }
    }

    /// Whether some path matches both.
    pub fn overlaps(&self, other: &Glob) -> bool {
        self.alts.iter().any(|x| {
            other.alts.iter().any(|y| {
                (x.literal().starts_with(y.literal()) || y.literal().starts_with(x.literal()))
                    && overlap_plain(&x.toks, &y.toks)
            })
        })
    }

    /// Whether `self` matches every path `inner` matches, for the cases a
    /// text comparison can decide (see [`covers`]).
    pub fn covers(&self, inner: &Glob) -> bool {
        inner.alts.iter().all(|i| {
            self.alts.iter().any(|o| {
                if !i.literal().starts_with(o.literal()) && !o.literal().starts_with(i.literal()) {
                    return false;
                }
                if o.text == i.text {
                    return true;
                }
                if i.literal_len == i.text.len() {
                    return overlap_plain(&o.toks, &i.toks);
                }
                o.text
                    .strip_suffix("**")
                    .is_some_and(|prefix| prefix.ends_with('/') && prefix == o.literal() && i.text.starts_with(prefix))
            })
        })
    }
}

/// Many globs indexed by their literal prefixes, to find which of them overlap
/// a query glob without comparing it with each one: two alternatives can only
/// overlap when one literal prefix starts with the other, so the candidates
/// are the entries whose prefix is a prefix of the query's (looked up by
/// length) and those whose prefix extends it (one sorted range).
type IndexEntry = (Box<str>, usize, Box<[Tok]>);

#[derive(Debug, Default)]
pub struct GlobIndex {
    /// Every alternative of every glob: (literal prefix, glob index, tokens),
    /// sorted by prefix.
    entries: Vec<IndexEntry>,
}

impl GlobIndex {
    pub fn new<'g>(globs: impl IntoIterator<Item = &'g Glob>) -> GlobIndex {
        let mut entries: Vec<IndexEntry> = Vec::new();
        for (index, glob) in globs.into_iter().enumerate() {
            for alt in &glob.alts {
                entries.push((Box::from(alt.literal()), index, alt.toks.clone().into_boxed_slice()));
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        GlobIndex { entries }
    }

    /// The lowest index of an indexed glob that overlaps `glob`, comparing
    /// token lists at most `budget` times (decremented; `None` once spent).
    pub fn first_overlapping(&self, glob: &Glob, budget: &mut usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut consider = |index: usize, toks: &[Tok], query: &[Tok], budget: &mut usize| {
            if best.is_some_and(|b| b <= index) || *budget == 0 {
                return;
            }
            *budget -= 1;
            if overlap_plain(toks, query) {
                best = Some(index);
            }
        };
        for alt in &glob.alts {
            let literal = alt.literal();
            // Entries whose prefix is a proper prefix of this literal.
            for (cut, _) in literal.char_indices() {
                let prefix = &literal[..cut];
                let start = self.entries.partition_point(|e: &IndexEntry| &*e.0 < prefix);
                for (_, index, toks) in self.entries[start..].iter().take_while(|e: &&IndexEntry| &*e.0 == prefix) {
                    consider(*index, toks, &alt.toks, budget);
                }
            }
            // Entries whose prefix starts with this literal (itself included).
            let start = self.entries.partition_point(|e: &IndexEntry| &*e.0 < literal);
            for (_, index, toks) in self.entries[start..].iter().take_while(|e: &&IndexEntry| e.0.starts_with(literal))
            {
                consider(*index, toks, &alt.toks, budget);
            }
        }
        best
    }
}

/// Whether `glob` matches every path `inner` matches, for the cases a text
/// comparison can decide: the same glob, a plain path matched by `glob`,
/// or `inner` under a `prefix/**` that `glob` is.
#[cfg(test)]
pub fn covers(glob: &str, inner: &str) -> bool {
    Glob::new(glob).covers(&Glob::new(inner))
}

/// Product walk of two token lists: can both reach their ends on one input?
/// The pairs visited are kept in a hash set: a dense table of every pair
/// would cost `a.len() × b.len()` to clear for each comparison, though on
/// real paths the walk visits only a few pairs before the literals disagree.
fn overlap_plain(a: &[Tok], b: &[Tok]) -> bool {
    // Equal literal tokens at the start advance both sides together.
    let common = a.iter().zip(b).take_while(|(x, y)| matches!((x, y), (Tok::Lit(p), Tok::Lit(q)) if p == q)).count();
    let mut seen = rustc_hash::FxHashSet::default();
    let mut stack = vec![(common, common)];
    while let Some((i, j)) = stack.pop() {
        if !seen.insert((i, j)) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        // Epsilon moves: a star may match nothing.
        if i < a.len() && matches!(a[i], Tok::Star | Tok::DStar) {
            stack.push((i + 1, j));
        }
        if j < b.len() && matches!(b[j], Tok::Star | Tok::DStar) {
            stack.push((i, j + 1));
        }
        if i < a.len() && j < b.len() && meet(a[i], b[j]) {
            let ni = if matches!(a[i], Tok::Star | Tok::DStar) { i } else { i + 1 };
            let nj = if matches!(b[j], Tok::Star | Tok::DStar) { j } else { j + 1 };
            stack.push((ni, nj));
        }
    }
    false
}

/// Whether one character can satisfy both tokens.
fn meet(x: Tok, y: Tok) -> bool {
    let accepts = |t: Tok, c: Option<char>| match (t, c) {
        (Tok::Lit(l), Some(c)) => l == c,
        (Tok::One | Tok::Star, Some(c)) => c != '/',
        _ => true,
    };
    match (x, y) {
        (Tok::Lit(c), other) | (other, Tok::Lit(c)) => accepts(other, Some(c)),
        _ => true,
    }
}

/// The permissions of a file rule, split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Perms {
    pub read: bool,
    pub write: bool,
    pub append: bool,
    pub link: bool,
    pub lock: bool,
    pub mmap: bool,
    /// The exec mode letters before `x` (`""` for a bare `x`, `"i"`, `"P"`, `"pi"`, `"CU"`...).
    pub exec: Option<&'static str>,
}

const EXEC_MODES: &[&str] = &[
    "PUx", "pux", "CUx", "cux", "Pix", "pix", "Cix", "cix", "PIx", "CIx", "ix", "px", "Px", "cx", "Cx", "ux", "Ux", "x",
];

impl Perms {
    /// Parses `rwlk`, `mrix`, `Px`, `rPUx`; unknown letters are ignored.
    pub fn parse(text: &str) -> Perms {
        let mut p = Perms::default();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(mode) = EXEC_MODES.iter().find(|m| rest.starts_with(**m)) {
                p.exec = Some(&mode[..mode.len() - 1]);
                rest = &rest[mode.len()..];
                continue;
            }
            let c = rest.chars().next().unwrap_or(' ');
            match c {
                'r' => p.read = true,
                'w' => p.write = true,
                'a' => p.append = true,
                'l' => p.link = true,
                'k' => p.lock = true,
                'm' => p.mmap = true,
                _ => {}
            }
            rest = &rest[c.len_utf8()..];
        }
        p
    }

    /// What `file,` grants: everything, exec as `ix`.
    pub fn all() -> Perms {
        Perms { read: true, write: true, append: true, link: true, lock: true, mmap: true, exec: Some("i") }
    }

    pub fn writes(&self) -> bool {
        self.write || self.append
    }

    /// Whether every permission of `other` is in `self` (any exec mode
    /// covers any other: a deny `x` denies every mode).
    pub fn contains(&self, other: &Perms) -> bool {
        (!other.read || self.read)
            && (!other.write || self.write)
            && (!other.append || self.append || self.write)
            && (!other.link || self.link)
            && (!other.lock || self.lock)
            && (!other.mmap || self.mmap)
            && (other.exec.is_none() || self.exec.is_some())
    }

    pub fn intersects(&self, other: &Perms) -> bool {
        (self.read && other.read)
            || (self.writes() && other.writes())
            || (self.link && other.link)
            || (self.lock && other.lock)
            || (self.mmap && other.mmap)
            || (self.exec.is_some() && other.exec.is_some())
    }
}

/// How wide a path glob is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Breadth {
    /// Every file (`/**`, `/{,**}`, `file,`).
    Everything,
    /// A whole tree that many programs share or that holds secrets
    /// (`/tmp/**`, `/etc/**`, `@{HOME}/**`, `/proc/**`).
    Tree(&'static str),
}

const TREES: &[(&str, &str)] = &[
    ("/tmp/", "/tmp"),
    ("/var/tmp/", "/var/tmp"),
    ("/dev/shm/", "/dev/shm"),
    ("/etc/", "/etc"),
    ("/home/", "/home"),
    ("/home/*/", "every home directory"),
    ("/root/", "/root"),
    ("/proc/", "/proc"),
    ("/sys/", "/sys"),
    ("/dev/", "/dev"),
    ("/usr/", "/usr"),
    ("/var/", "/var"),
    ("/run/", "/run"),
    ("/var/run/", "/var/run"),
    ("/boot/", "/boot"),
    ("/var/lib/", "/var/lib"),
];

/// The breadth of a path glob (after variable expansion), looking at every
/// alternative; `None` when it is narrower than a shared tree.
pub fn breadth(path: &str) -> Option<Breadth> {
    // Every wide glob ends in `**` or `**/`: most paths are ruled out
    // without expanding their alternations.
    if !path.contains("**") {
        return None;
    }
    let alternatives = if path.contains('{') { expand_braces(&normalize(path), 64) } else { vec![path.to_string()] };
    let mut widest: Option<Breadth> = None;
    for alt in alternatives {
        let alt = normalize(&alt);
        let b = if matches!(alt.as_str(), "/**" | "/*/**" | "/**/") {
            Some(Breadth::Everything)
        } else if let Some(prefix) = alt.strip_suffix("**") {
            TREES.iter().find(|(dir, _)| *dir == prefix).map(|(_, label)| Breadth::Tree(label))
        } else {
            None
        };
        widest = match (widest, b) {
            (Some(Breadth::Everything), _) | (_, Some(Breadth::Everything)) => Some(Breadth::Everything),
            (Some(w), _) => Some(w),
            (None, b) => b,
        };
    }
    widest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces() {
        assert_eq!(expand_braces("/{,**}", 8), vec!["/", "/**"]);
        assert_eq!(expand_braces("/a/{b,c{d,e}}/f", 8), vec!["/a/b/f", "/a/cd/f", "/a/ce/f"]);
        assert_eq!(expand_braces("/a/{b", 8), vec!["/a/{b"]);
        // A trailing backslash escapes nothing (it looped for ever; fuzz finding).
        assert_eq!(expand_braces("/a\\", 8), vec!["/a\\"]);
        assert_eq!(expand_braces("{b,c}\\", 8), vec!["b\\", "c\\"]);
    }

    #[test]
    fn overlaps() {
        let overlap = |a: &str, b: &str| Glob::new(a).overlaps(&Glob::new(b));
        assert!(overlap("/tmp/**", "/tmp/foo"));
        assert!(overlap("/tmp/*", "/**"));
        assert!(!overlap("/tmp/*", "/tmp/a/b"));
        assert!(!overlap("/usr/bin/foo", "/usr/bin/bar"));
        assert!(overlap("/usr/bin/{foo,bar}", "/usr/bin/bar"));
        assert!(covers("/etc/**", "/etc/shadow"));
        assert!(covers("/etc/**", "/etc/ssl/**"));
        assert!(!covers("/etc/ssl/**", "/etc/**"));
    }

    #[test]
    fn index_finds_the_first_overlap_as_a_scan_does() {
        let globs: Vec<Glob> = ["/usr/bin/foo", "/tmp/**", "/tmp/a/*", "/{var,srv}/lib/x/**", "/", "/home/*/bin/*"]
            .iter()
            .map(|g| Glob::new(g))
            .collect();
        let index = GlobIndex::new(&globs);
        for query in ["/tmp/a/b", "/var/lib/x/y", "/srv/**", "/usr/bin/bar", "/**", "/home/u/bin/x", "/", "/x"] {
            let query = Glob::new(query);
            let scan = globs.iter().position(|g| g.overlaps(&query));
            assert_eq!(index.first_overlapping(&query, &mut usize::MAX.clone()), scan, "{query:?}");
        }
    }

    #[test]
    fn breadths() {
        assert_eq!(breadth("/**"), Some(Breadth::Everything));
        assert_eq!(breadth("/{,**}"), Some(Breadth::Everything));
        assert_eq!(breadth("{/home/*/,/root/}**"), Some(Breadth::Tree("every home directory")));
        assert_eq!(breadth("/tmp/**"), Some(Breadth::Tree("/tmp")));
        assert_eq!(breadth("/tmp/foo/**"), None);
    }

    #[test]
    fn perms() {
        let p = Perms::parse("rPUx");
        assert!(p.read && p.exec == Some("PU"));
        assert_eq!(Perms::parse("pix").exec, Some("pi"));
        assert!(Perms::parse("rwlk").contains(&Perms::parse("rk")));
    }
}
