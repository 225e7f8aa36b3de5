//! AppArmor globs → the parser's internal regex text.
//!
//! `apparmor_parser` does this in two steps, and so do we, because the
//! quirks of the first step (e.g. `*` inside `[...]` still expands) only
//! make sense together with the second:
//! 1. [`glob_to_regex_text`]: the profile-language glob becomes text in the
//!    regex dialect of [`crate::regex`] (`*` → `[^/\x00]*`, `{a,b}` →
//!    `(a|b)`, metacharacters escaped, ...);
//! 2. [`crate::regex::parse`] turns that text into a [`crate::regex::Regex`].
//!
//! [`glob_to_regex`] does both. File-rule paths first go through
//! [`filter_slashes`].
//!
//! Rules of step 1, as observed in `apparmor_parser` 3.0.8:
//! - `*` matches within one path component and never NUL; `**` also
//!   crosses `/`. When `*`/`**` forms a whole component (preceded by `/`
//!   and followed by `/` or the end), it must match at least one byte, so
//!   `/tmp/*` does not match `/tmp/`.
//! - `?` is one byte other than `/` and NUL.
//! - `[...]` is passed through (so `[^...]` negates); `{a,b,...}` is an
//!   alternation, nestable to 49 levels, and needs at least one comma.
//! - `\` escapes the next glob character; `\x41`, `\101`, `\d65`, `\n` and
//!   friends are byte escapes; escaping anything else drops the `\`.
//! - `^ $ . + | ( )` are literal.

use std::fmt;

use crate::regex::{self, Regex};

/// What the non-glob remainder of a `*` or `?` may not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobMode {
    /// Paths: globs never match `/` or NUL.
    Default,
    /// Xattr values: globs never match `/` but may match NUL.
    Null,
}

/// How much of a pattern is regex, as the parser classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// No glob characters at all.
    Basic,
    /// Literal text followed by a final `**`.
    TailGlob,
    /// Anything else.
    Regex,
}

/// A glob syntax error, at a byte offset into the glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError {
    pub offset: usize,
    pub message: &'static str,
}

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for GlobError {}

/// The result of step 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexText {
    pub text: Vec<u8>,
    pub kind: PatternKind,
    /// Offset in the glob of the first glob character (0 when none): the
    /// length of the literal prefix, which the parser uses to rank
    /// attachments (`xmatch_len`).
    pub first_glob: usize,
}

/// Collapses runs of `/` to one, except that a leading `//` followed by a
/// non-slash is kept (it is a distinct namespace on Linux).
pub fn filter_slashes(path: &[u8]) -> Vec<u8> {
    if path.len() < 2 {
        return path.to_vec();
    }
    let mut out = Vec::with_capacity(path.len());
    let mut rest = path;
    if path.starts_with(b"//") && path.get(2) != Some(&b'/') {
        out.extend_from_slice(b"//");
        rest = &path[2..];
    }
    let mut prev_slash = false;
    for &c in rest {
        if c == b'/' && prev_slash {
            continue;
        }
        prev_slash = c == b'/';
        out.push(c);
    }
    out
}

/// A byte escape (`\` already consumed) at the start of `s`: its length in
/// `s` when it is one of the forms the parser decodes, else `None`.
/// `extra` lists characters that escape to themselves.
pub(crate) fn escape_len(s: &[u8], extra: &[u8]) -> Option<(usize, u8)> {
    let c = *s.first()?;
    fn number(s: &[u8], radix: u32, max_digits: usize) -> (usize, u32) {
        let mut val = 0u32;
        let mut n = 0;
        for &d in s.iter().take(max_digits) {
            let Some(v) = (d as char).to_digit(radix) else {
                break;
            };
            let next = val * radix + v;
            if next > 255 {
                break;
            }
            val = next;
            n += 1;
        }
        (n, val)
    }
    if (b'0'..=b'7').contains(&c) {
        let (n, v) = number(s, 8, 3);
        return Some((n, v as u8));
    }
    let simple = match c {
        b'\\' => Some(b'\\'),
        b'"' => Some(b'"'),
        b'a' => Some(0x07),
        b'e' => Some(0x1b),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        _ => None,
    };
    if let Some(v) = simple {
        return Some((1, v));
    }
    let (radix, max) = match c {
        b'd' => (10, 3),
        b'x' => (16, 2),
        _ => return extra.contains(&c).then_some((1, c)),
    };
    match number(&s[1..], radix, max) {
        (0, _) => None,
        (n, v) => Some((1 + n, v as u8)),
    }
}

const MAX_ALT_DEPTH: usize = 50;

/// Step 1: glob → regex text, without slash filtering.
pub fn glob_to_regex_text(glob: &[u8], mode: GlobMode) -> Result<RegexText, GlobError> {
    let (not_sep, any) = match mode {
        GlobMode::Default => (&br"[^/\x00]"[..], &br"[^\x00]*"[..]),
        GlobMode::Null => (&b"[^/]"[..], &b".*"[..]),
    };
    let mut out: Vec<u8> = Vec::with_capacity(glob.len() * 2);
    let mut kind = PatternKind::Basic;
    let mut first_glob = None;
    let mut escaped = false;
    let mut in_class = false;
    // Alternatives seen so far at each open `{` depth (index 0 unused).
    let mut alts = [0usize; MAX_ALT_DEPTH];
    let mut depth = 0usize;
    let err = |offset, message| Err(GlobError { offset, message });
    let mut i = 0;
    while i < glob.len() {
        let c = glob[i];
        let mark = |first: &mut Option<usize>| {
            first.get_or_insert(i);
        };
        match c {
            b'\\' if !escaped => {
                escaped = true;
                i += 1;
                continue;
            }
            b'\\' => out.extend_from_slice(br"\\"),
            b'*' if escaped => out.extend_from_slice(br"\*"),
            b'*' => {
                if out.last() == Some(&b'/') {
                    // A whole-component `*` or `**` must match something.
                    let after = glob[i..].iter().position(|&b| b != b'*').map(|p| glob[i + p]);
                    if matches!(after, None | Some(b'/')) {
                        out.extend_from_slice(not_sep);
                    }
                }
                mark(&mut first_glob);
                if glob.get(i + 1) == Some(&b'*') {
                    kind = if i + 2 == glob.len() && kind == PatternKind::Basic {
                        PatternKind::TailGlob
                    } else {
                        PatternKind::Regex
                    };
                    out.extend_from_slice(any);
                    i += 1;
                } else {
                    kind = PatternKind::Regex;
                    out.extend_from_slice(not_sep);
                    out.push(b'*');
                }
            }
            b'?' if escaped => out.push(b'?'),
            b'?' => {
                mark(&mut first_glob);
                kind = PatternKind::Regex;
                out.extend_from_slice(not_sep);
            }
            b'[' if escaped => out.extend_from_slice(br"\["),
            b'[' => {
                mark(&mut first_glob);
                in_class = true;
                kind = PatternKind::Regex;
                out.push(b'[');
            }
            b']' if escaped => out.extend_from_slice(br"\]"),
            b']' => {
                if !in_class {
                    return err(i, "invalid close ], no matching open [");
                }
                in_class = false;
                out.push(b']');
            }
            b'{' if escaped => out.extend_from_slice(br"\{"),
            b'{' if in_class => out.push(b'{'),
            b'{' => {
                mark(&mut first_glob);
                depth += 1;
                if depth >= MAX_ALT_DEPTH {
                    return err(i, "exceeded maximum nesting of {}");
                }
                alts[depth] = 0;
                kind = PatternKind::Regex;
                out.push(b'(');
            }
            b'}' if escaped => out.extend_from_slice(br"\}"),
            b'}' if in_class => out.push(b'}'),
            b'}' => {
                if alts[depth] == 0 {
                    return err(i, "invalid number of items between {}");
                }
                depth -= 1;
                out.push(b')');
            }
            // An escaped comma in a class becomes `\,`, which the regex
            // step reads as the two bytes `\` and `,`.
            b',' if escaped && in_class => out.extend_from_slice(br"\,"),
            b',' if !escaped && depth > 0 && !in_class => {
                alts[depth] += 1;
                out.push(b'|');
            }
            b',' => out.push(b','),
            b'^' | b'$' if in_class => out.push(c),
            b'^' | b'$' => {
                out.push(b'\\');
                out.push(c);
            }
            b'.' | b'+' | b'|' | b'(' | b')' => {
                out.push(b'\\');
                out.push(c);
            }
            _ if escaped => match escape_len(&glob[i..], b"") {
                Some((n, _)) => {
                    out.push(b'\\');
                    out.extend_from_slice(&glob[i..i + n]);
                    i += n - 1;
                }
                // An unnecessary escape: the parser warns and drops it.
                None => out.push(c),
            },
            _ => out.push(c),
        }
        escaped = false;
        i += 1;
    }
    if depth > 0 || in_class {
        return err(glob.len(), "unclosed grouping or character class");
    }
    if escaped {
        return err(glob.len(), "trailing '\\' escape character");
    }
    Ok(RegexText { text: out, kind, first_glob: first_glob.unwrap_or(0) })
}

/// Both steps: glob → [`Regex`]. Does not filter slashes.
pub fn glob_to_regex(glob: &[u8], mode: GlobMode) -> Result<(Regex, RegexText), GlobError> {
    let text = glob_to_regex_text(glob, mode)?;
    let re = regex::parse(&text.text).map_err(|e| GlobError { offset: e.offset, message: e.message })?;
    Ok((re, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(g: &str) -> String {
        let t = glob_to_regex_text(g.as_bytes(), GlobMode::Default).unwrap();
        String::from_utf8(t.text).unwrap()
    }

    #[test]
    fn slashes() {
        for (i, o) in [
            ("/a//b///c", "/a/b/c"),
            ("//ns/x", "//ns/x"),
            ("///x", "/x"),
            ("//", "//"),
            ("/", "/"),
            ("a/", "a/"),
            ("/a/", "/a/"),
            ("", ""),
        ] {
            assert_eq!(filter_slashes(i.as_bytes()), o.as_bytes(), "{i}");
        }
    }

    #[test]
    fn stars() {
        assert_eq!(conv("/tmp/*"), r"/tmp/[^/\x00][^/\x00]*");
        assert_eq!(conv("/tmp/**"), r"/tmp/[^/\x00][^\x00]*");
        assert_eq!(conv("/tmp/*.log"), r"/tmp/[^/\x00]*\.log");
        assert_eq!(conv("/tmp/a*"), r"/tmp/a[^/\x00]*");
        assert_eq!(conv("/tmp/*/x"), r"/tmp/[^/\x00][^/\x00]*/x");
        assert_eq!(conv("/tmp/**/x"), r"/tmp/[^/\x00][^\x00]*/x");
        assert_eq!(conv("/a/***"), r"/a/[^/\x00][^\x00]*[^/\x00]*");
        assert_eq!(conv(r"/a/\*"), r"/a/\*");
        assert_eq!(conv("?"), r"[^/\x00]");
        assert_eq!(conv(r"\?"), "?");
    }

    #[test]
    fn kinds_and_prefix() {
        let k = |g: &str| {
            let t = glob_to_regex_text(g.as_bytes(), GlobMode::Default).unwrap();
            (t.kind, t.first_glob)
        };
        assert_eq!(k("/usr/bin/foo"), (PatternKind::Basic, 0));
        assert_eq!(k("/usr/**"), (PatternKind::TailGlob, 5));
        assert_eq!(k("/usr/*"), (PatternKind::Regex, 5));
        assert_eq!(k("/a/**/b"), (PatternKind::Regex, 3));
        assert_eq!(k("/a/{b,c}/**"), (PatternKind::Regex, 3));
        assert_eq!(k("/a?/**"), (PatternKind::Regex, 2));
    }

    #[test]
    fn alternation_and_classes() {
        assert_eq!(conv("/{a,b}"), "/(a|b)");
        assert_eq!(conv("/{a,{b,c}d,}"), "/(a|(b|c)d|)");
        assert_eq!(conv("/[a-c]"), "/[a-c]");
        assert_eq!(conv("/[^a]"), "/[^a]");
        assert_eq!(conv("/[{,}]"), "/[{,}]");
        assert_eq!(conv(r"/[\,]"), r"/[\,]");
        assert_eq!(conv(r"/\{a\}"), r"/\{a\}");
        assert_eq!(conv("/a,b"), "/a,b");
        // `*` is expanded even inside a class, as upstream does.
        assert_eq!(conv("/[*]"), r"/[[^/\x00]*]");
    }

    #[test]
    fn metacharacters_and_escapes() {
        assert_eq!(conv("/a.b+c|d(e)^$"), r"/a\.b\+c\|d\(e\)\^\$");
        assert_eq!(conv("/[^$]"), "/[^$]");
        assert_eq!(conv(r"/\x41\101\d65\n"), r"/\x41\101\d65\n");
        assert_eq!(conv(r"/\q"), "/q");
        assert_eq!(conv(r"/\xzz"), "/xzz");
        assert_eq!(conv(r"/\\"), r"/\\");
        assert_eq!(conv(r"/\."), r"/\.");
    }

    #[test]
    fn errors() {
        let e = |g: &str| glob_to_regex_text(g.as_bytes(), GlobMode::Default).unwrap_err().message;
        assert_eq!(e("/a]"), "invalid close ], no matching open [");
        assert_eq!(e("/{a}"), "invalid number of items between {}");
        assert_eq!(e("/{}"), "invalid number of items between {}");
        assert_eq!(e("/a}"), "invalid number of items between {}");
        assert_eq!(e("/{a,b"), "unclosed grouping or character class");
        assert_eq!(e("/[ab"), "unclosed grouping or character class");
        assert_eq!(e(r"/a\"), "trailing '\\' escape character");
        let deep = "{".repeat(50) + &",}".repeat(50);
        assert_eq!(e(&deep), "exceeded maximum nesting of {}");
        let ok = "{".repeat(49) + &",}".repeat(49);
        assert!(glob_to_regex_text(ok.as_bytes(), GlobMode::Default).is_ok());
    }

    #[test]
    fn null_mode() {
        let t = glob_to_regex_text(b"/a/**", GlobMode::Null).unwrap();
        assert_eq!(t.text, b"/a/[^/].*");
    }
}
