//! Our regex AST over bytes, and a parser for the regex dialect that
//! `apparmor_parser` compiles internally (the output of
//! [`crate::glob::glob_to_regex_text`], and the literal expressions the
//! parser uses for policydb rules such as `\x02`).
//!
//! The dialect: `.` any byte (NUL included), `[...]`/`[^...]` classes with
//! ranges, `(...)` groups, `|` alternation (either side may be empty), and
//! one postfix `*` or `+` per term. There are no anchors: a rule matches the
//! whole input. `\` escapes a metacharacter or writes a byte (`\x41`,
//! `\101`, `\d65`, `\n`...); an unknown escape is a literal backslash
//! followed by the character. Inside a class `]` is literal only first,
//! `-` only first or as a range operator, and `^` only after the first
//! position. These restrictions mirror what the upstream grammar accepts.

use std::fmt;

use crate::glob::escape_len;

/// A set of bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ByteSet(pub [u64; 4]);

impl ByteSet {
    pub const EMPTY: ByteSet = ByteSet([0; 4]);
    pub const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    pub fn single(b: u8) -> ByteSet {
        let mut s = ByteSet::EMPTY;
        s.insert(b);
        s
    }
    pub fn insert(&mut self, b: u8) {
        self.0[(b >> 6) as usize] |= 1 << (b & 63);
    }
    pub fn insert_range(&mut self, a: u8, b: u8) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        for c in lo..=hi {
            self.insert(c);
        }
    }
    pub fn contains(&self, b: u8) -> bool {
        self.0[(b >> 6) as usize] & (1 << (b & 63)) != 0
    }
    pub fn complement(&self) -> ByteSet {
        ByteSet(self.0.map(|w| !w))
    }
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(|&b| self.contains(b))
    }
}

impl fmt::Debug for ByteSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

fn fmt_byte(f: &mut fmt::Formatter<'_>, b: u8, in_class: bool) -> fmt::Result {
    let meta: &[u8] = if in_class { b"]^-\\" } else { b"*+.|^-[]()\\" };
    if meta.contains(&b) {
        write!(f, "\\{}", b as char)
    } else if b.is_ascii_graphic() || b == b' ' {
        write!(f, "{}", b as char)
    } else {
        write!(f, "\\x{b:02x}")
    }
}

impl fmt::Display for ByteSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == ByteSet::ALL {
            return write!(f, ".");
        }
        let (neg, set) = if self.len() > 128 { (true, self.complement()) } else { (false, *self) };
        write!(f, "[{}", if neg { "^" } else { "" })?;
        let bytes: Vec<u8> = set.iter().collect();
        let mut i = 0;
        while i < bytes.len() {
            let mut j = i;
            while j + 1 < bytes.len() && bytes[j + 1] == bytes[j] + 1 {
                j += 1;
            }
            fmt_byte(f, bytes[i], true)?;
            if j > i + 1 {
                write!(f, "-")?;
            }
            if j > i {
                fmt_byte(f, bytes[j], true)?;
            }
            i = j + 1;
        }
        write!(f, "]")
    }
}

/// A regular expression over bytes, matching whole inputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Regex {
    /// Matches only the empty string.
    Empty,
    /// One specific byte.
    Literal(u8),
    /// One byte from a set (`.`, `[...]`, `[^...]`).
    Set(ByteSet),
    Concat(Vec<Regex>),
    Alt(Vec<Regex>),
    Star(Box<Regex>),
    Plus(Box<Regex>),
}

impl Regex {
    /// The regex matching exactly `bytes`.
    pub fn literal(bytes: &[u8]) -> Regex {
        match bytes {
            [] => Regex::Empty,
            [b] => Regex::Literal(*b),
            _ => Regex::Concat(bytes.iter().map(|&b| Regex::Literal(b)).collect()),
        }
    }

    /// True when the expression has no wildcard: no class, `.`, `*` or `+`.
    /// The parser merges exec modes of such "exact" rules differently.
    pub fn is_exact(&self) -> bool {
        match self {
            Regex::Empty | Regex::Literal(_) => true,
            Regex::Set(_) | Regex::Star(_) | Regex::Plus(_) => false,
            Regex::Concat(v) | Regex::Alt(v) => v.iter().all(Regex::is_exact),
        }
    }

    /// Length of the shortest input the expression matches (the parser's
    /// `min_match_len`, which ranks attachments).
    pub fn min_len(&self) -> usize {
        match self {
            Regex::Empty | Regex::Star(_) => 0,
            Regex::Literal(_) | Regex::Set(_) => 1,
            Regex::Plus(r) => r.min_len(),
            Regex::Concat(v) => v.iter().map(Regex::min_len).sum(),
            Regex::Alt(v) => v.iter().map(Regex::min_len).min().unwrap_or(0),
        }
    }

    /// The parser's attachment match length: like [`Regex::min_len`], but
    /// a concatenation stops counting after the first part that can match
    /// an out-of-band character, which for the parser is any negated set
    /// (every glob wildcard is one). So it is the literal prefix plus one
    /// for a leading wildcard.
    pub fn xmatch_len(&self) -> usize {
        fn oob(r: &Regex) -> bool {
            match r {
                Regex::Empty | Regex::Literal(_) => false,
                Regex::Set(s) => s.len() > 128,
                Regex::Star(r) | Regex::Plus(r) => oob(r),
                Regex::Concat(v) | Regex::Alt(v) => v.iter().any(oob),
            }
        }
        fn len(r: &Regex) -> usize {
            match r {
                Regex::Concat(v) => {
                    let mut n = 0;
                    for part in v {
                        n += len(part);
                        if oob(part) {
                            break;
                        }
                    }
                    n
                }
                Regex::Alt(v) => v.iter().map(len).min().unwrap_or(0),
                Regex::Plus(r) => len(r),
                other => other.min_len(),
            }
        }
        len(self)
    }

    /// `a` followed by NUL followed by `b`: how the parser joins the
    /// parts of multi-part rules (link pairs, change_profile).
    pub fn join_with_nul(a: Regex, b: Regex) -> Regex {
        Regex::Concat(vec![a, Regex::Literal(0), b])
    }
}

impl fmt::Display for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Regex::Empty => Ok(()),
            Regex::Literal(b) => fmt_byte(f, *b, false),
            Regex::Set(s) => write!(f, "{s}"),
            Regex::Concat(v) => v.iter().try_for_each(|r| match r {
                Regex::Alt(_) => write!(f, "({r})"),
                _ => write!(f, "{r}"),
            }),
            Regex::Alt(v) => {
                for (i, r) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, "|")?;
                    }
                    write!(f, "{r}")?;
                }
                Ok(())
            }
            Regex::Star(r) | Regex::Plus(r) => {
                let op = if matches!(self, Regex::Star(_)) { '*' } else { '+' };
                match **r {
                    Regex::Literal(_) | Regex::Set(_) => write!(f, "{r}{op}"),
                    _ => write!(f, "({r}){op}"),
                }
            }
        }
    }
}

/// A regex syntax error at a byte offset into the regex text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexError {
    pub offset: usize,
    pub message: &'static str,
}

impl fmt::Display for RegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for RegexError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// An unescaped metacharacter.
    Meta(u8),
    /// A literal byte.
    Char(u8),
}

const META: &[u8] = b"*+.|^-[]()";

fn lex(text: &[u8]) -> Vec<(usize, Tok)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if c == 0 {
            break; // The parser works on C strings.
        }
        if META.contains(&c) {
            out.push((i, Tok::Meta(c)));
            i += 1;
        } else if c == b'\\' {
            match escape_len(&text[i + 1..], b"*+.|^$-[](){}") {
                Some((n, v)) => {
                    out.push((i, Tok::Char(v)));
                    i += 1 + n;
                }
                None => {
                    out.push((i, Tok::Char(b'\\')));
                    i += 1;
                }
            }
        } else {
            out.push((i, Tok::Char(c)));
            i += 1;
        }
    }
    out
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
    depth: usize,
}

// Globs nest at most 49 deep; the limit keeps recursion off the stack guard.
const MAX_DEPTH: usize = 128;

impl Parser {
    fn peek(&self) -> Option<Tok> {
        self.toks.get(self.pos).map(|t| t.1)
    }
    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.0)
    }
    fn err<T>(&self, message: &'static str) -> Result<T, RegexError> {
        Err(RegexError { offset: self.offset(), message })
    }
    fn starts_term(t: Option<Tok>) -> bool {
        match t {
            Some(Tok::Char(_)) => true,
            Some(Tok::Meta(m)) => b".^-][(".contains(&m),
            None => false,
        }
    }

    /// regex := empty | expr, ended by end of input or `)`.
    fn regex(&mut self) -> Result<Regex, RegexError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("groups nested too deeply");
        }
        let r = if matches!(self.peek(), None | Some(Tok::Meta(b')'))) { Ok(Regex::Empty) } else { self.expr() };
        self.depth -= 1;
        r
    }

    fn expr(&mut self) -> Result<Regex, RegexError> {
        let mut alts = Vec::new();
        if self.peek() == Some(Tok::Meta(b'|')) {
            alts.push(Regex::Empty);
        } else {
            alts.push(self.terms()?);
        }
        while self.peek() == Some(Tok::Meta(b'|')) {
            self.pos += 1;
            alts.push(if Self::starts_term(self.peek()) { self.terms()? } else { Regex::Empty });
        }
        Ok(if alts.len() == 1 { alts.pop().unwrap_or(Regex::Empty) } else { Regex::Alt(alts) })
    }

    fn terms(&mut self) -> Result<Regex, RegexError> {
        let mut v = Vec::new();
        while Self::starts_term(self.peek()) {
            let t = self.term()?;
            v.push(match self.peek() {
                Some(Tok::Meta(b'*')) => {
                    self.pos += 1;
                    Regex::Star(Box::new(t))
                }
                Some(Tok::Meta(b'+')) => {
                    self.pos += 1;
                    Regex::Plus(Box::new(t))
                }
                _ => t,
            });
        }
        match v.len() {
            0 => self.err("expected a term"),
            1 => Ok(v.pop().unwrap_or(Regex::Empty)),
            _ => Ok(Regex::Concat(v)),
        }
    }

    fn term(&mut self) -> Result<Regex, RegexError> {
        let Some(t) = self.peek() else {
            return self.err("expected a term");
        };
        self.pos += 1;
        match t {
            Tok::Char(c) => Ok(Regex::Literal(c)),
            Tok::Meta(b'.') => Ok(Regex::Set(ByteSet::ALL)),
            Tok::Meta(c @ (b'^' | b'-' | b']')) => Ok(Regex::Literal(c)),
            Tok::Meta(b'[') => self.class(),
            Tok::Meta(b'(') => {
                let r = self.regex()?;
                if self.peek() != Some(Tok::Meta(b')')) {
                    return self.err("expected )");
                }
                self.pos += 1;
                Ok(r)
            }
            Tok::Meta(_) => {
                self.pos -= 1;
                self.err("unexpected metacharacter")
            }
        }
    }

    /// A class member other than the first: anything but `]` and `-`.
    fn member(t: Option<Tok>) -> Option<u8> {
        match t {
            Some(Tok::Char(c)) => Some(c),
            Some(Tok::Meta(m)) if m != b']' && m != b'-' => Some(m),
            _ => None,
        }
    }

    /// After `[`: the rest of a class, through `]`.
    fn class(&mut self) -> Result<Regex, RegexError> {
        let mut set = ByteSet::EMPTY;
        let mut negate = false;
        if self.peek() == Some(Tok::Meta(b'^')) {
            self.pos += 1;
            negate = true;
            if self.peek() == Some(Tok::Meta(b'^')) {
                // `[^^...]`: the members may be empty.
                self.pos += 1;
                set.insert(b'^');
                self.members(&mut set)?;
                return self.close_class(set, negate);
            }
        }
        // The first member may also be `]` or `-`, but not `^`.
        let first = match self.peek() {
            Some(Tok::Meta(b'^')) | None => return self.err("expected a class member"),
            Some(Tok::Char(c)) | Some(Tok::Meta(c)) => c,
        };
        self.pos += 1;
        if self.peek() == Some(Tok::Meta(b'-')) {
            self.pos += 1;
            let Some(last) = Self::member(self.peek()) else {
                return self.err("expected end of range");
            };
            self.pos += 1;
            set.insert_range(first, last);
        } else {
            set.insert(first);
        }
        self.members(&mut set)?;
        self.close_class(set, negate)
    }

    fn members(&mut self, set: &mut ByteSet) -> Result<(), RegexError> {
        while let Some(c) = Self::member(self.peek()) {
            self.pos += 1;
            if self.peek() == Some(Tok::Meta(b'-')) {
                self.pos += 1;
                let Some(d) = Self::member(self.peek()) else {
                    return self.err("expected end of range");
                };
                self.pos += 1;
                set.insert_range(c, d);
            } else {
                set.insert(c);
            }
        }
        Ok(())
    }

    fn close_class(&mut self, set: ByteSet, negate: bool) -> Result<Regex, RegexError> {
        if self.peek() != Some(Tok::Meta(b']')) {
            return self.err("expected ] to close the class");
        }
        self.pos += 1;
        Ok(Regex::Set(if negate { set.complement() } else { set }))
    }
}

/// Parses regex text of the parser's internal dialect.
pub fn parse(text: &[u8]) -> Result<Regex, RegexError> {
    let mut p = Parser { toks: lex(text), pos: 0, end: text.len(), depth: 0 };
    let r = p.regex()?;
    if p.pos != p.toks.len() {
        return p.err("unexpected )");
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(chars: &str) -> ByteSet {
        let mut s = ByteSet::EMPTY;
        chars.bytes().for_each(|b| s.insert(b));
        s
    }

    fn p(s: &str) -> Regex {
        parse(s.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn basics() {
        assert_eq!(p(""), Regex::Empty);
        assert_eq!(p("a"), Regex::Literal(b'a'));
        assert_eq!(p("ab"), Regex::literal(b"ab"));
        assert_eq!(p("a*"), Regex::Star(Box::new(Regex::Literal(b'a'))));
        assert_eq!(p("a|"), Regex::Alt(vec![Regex::Literal(b'a'), Regex::Empty]));
        assert_eq!(p("|a"), Regex::Alt(vec![Regex::Empty, Regex::Literal(b'a')]));
        assert_eq!(p("()"), Regex::Empty);
        assert_eq!(p("."), Regex::Set(ByteSet::ALL));
        assert_eq!(p("^-]"), Regex::literal(b"^-]"));
    }

    #[test]
    fn classes() {
        assert_eq!(p("[abc]"), Regex::Set(set("abc")));
        assert_eq!(p("[a-c]"), Regex::Set(set("abc")));
        assert_eq!(p("[c-a]"), Regex::Set(set("abc")));
        assert_eq!(p("[]a]"), Regex::Set(set("]a")));
        assert_eq!(p("[-a]"), Regex::Set(set("-a")));
        assert_eq!(p("[a^]"), Regex::Set(set("a^")));
        assert_eq!(p("[^a]"), Regex::Set(set("a").complement()));
        assert_eq!(p("[^^]"), Regex::Set(set("^").complement()));
        assert_eq!(p("[^^a]"), Regex::Set(set("^a").complement()));
        assert_eq!(p("[*.(|)+[]"), Regex::Set(set("*.(|)+[")));
        assert_eq!(p(r"[^/\x00]"), Regex::Set(set("/\0").complement()));
        assert_eq!(p(r"[\]]"), Regex::Set(set("]")));
        assert_eq!(p(r"[\,]"), Regex::Set(set("\\,")));
        assert_eq!(p("[--/]"), Regex::Set(set("-./")));
        for bad in ["[]", "[a-]", "[ab-]", "[--]", "[---]", "[^]", "[a", "[a-b-c]"] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn escapes() {
        assert_eq!(p(r"\x41\101\d65"), Regex::literal(b"AAA"));
        assert_eq!(p(r"\x2"), Regex::Literal(2));
        assert_eq!(p(r"\*\.\{"), Regex::literal(b"*.{"));
        assert_eq!(p(r"\n\t\\"), Regex::literal(b"\n\t\\"));
        assert_eq!(p(r"\q"), Regex::literal(b"\\q"));
        assert_eq!(p(r"\xg"), Regex::literal(b"\\xg"));
        assert_eq!(p(r"\d256"), Regex::literal(b"\x196"));
    }

    #[test]
    fn errors() {
        for bad in ["*", "a**", "(a", "a)", "|*", "+"] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
        let deep = "(".repeat(5000);
        assert!(parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn exactness() {
        assert!(p("/bin/ls").is_exact());
        assert!(p("/bin/(a|b)").is_exact());
        assert!(!p("/bin/[a]").is_exact());
        assert!(!p("/bin/a*").is_exact());
    }

    #[test]
    fn display_round_trips() {
        for s in [r"/tmp/[^/\x00][^\x00]*", "/(a|b)c", "a+", "(ab)*", r"\*\.", "[a-z0-9]"] {
            let r = p(s);
            assert_eq!(p(&r.to_string()), r, "{s} printed as {r}");
        }
    }
}
