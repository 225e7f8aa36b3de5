use aa_syntax::{TextRange, TextSize, ast::AstNode};

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// Regular-expression syntax in a file or link rule's path, where
    /// AppArmor's globs give it another meaning:
    ///
    /// - `+` after a character class or `.`: `[0-9]+`, `.+`. Globs have no
    ///   `+` quantifier: the `+` is a literal character, and `.` is a
    ///   literal dot.
    /// - a repetition count after a class: `[0-9]{3}`. Braces are an
    ///   alternation, and one with a single alternative is an error.
    /// - the shorthand classes `\d`, `\w`, `\s` and their negations `\D`,
    ///   `\W`, `\S`: an escaped letter is the letter itself. (`\d` followed
    ///   by digits is a decimal character escape and is not flagged.)
    /// - a group with alternatives, `(a|b)`: the parentheses and the `|` are
    ///   literal; an alternation is written `{a,b}`.
    ///
    /// `.*` is not flagged: a literal dot followed by `*` is how dot files
    /// are named (`@{HOME}/.*`). Anchors (`^`, `$`) are not flagged either:
    /// a path rule starts with `/` or a variable, so a leading `^` is
    /// already an error, and a `$` is a legal file name character.
    ///
    /// ## Why it matters
    ///
    /// The rule matches a name that does not exist (`/dev/tty[0-9]+`
    /// matches `/dev/tty1+`, not `/dev/tty12`), so the access the author
    /// meant to allow is denied, and the profile fails in ways that look
    /// unrelated to the rule.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /dev/tty[0-9]+ rw,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /dev/tty[0-9]* rw,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: what the author meant (`[0-9]*`, `@{int}`, or a repeated
    /// class) is a choice only they can make.
    pub static REGEX_SYNTAX_IN_AARE = {
        code: "AA219",
        name: "regex-syntax-in-aare",
        group: Correctness,
        level: Warn,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for value in ctx.rule_paths() {
        let text = value.text();
        let start = value.syntax().text_range().start();
        for (at, len, message) in regex_constructs(&text) {
            let range = TextRange::at(start + TextSize::from(at as u32), TextSize::from(len as u32));
            sink.report(message, ctx.root, range);
        }
    }
}

/// Each regular-expression construct in a glob: its byte offset, length and
/// the message. Escaped characters are never part of one.
fn regex_constructs(text: &str) -> Vec<(usize, usize, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let letter = bytes.get(i + 1).copied();
                let decimal_escape = letter == Some(b'd') && bytes.get(i + 2).is_some_and(u8::is_ascii_digit);
                if let Some(class) = letter.and_then(shorthand_class).filter(|_| !decimal_escape) {
                    let letter = letter.map(char::from).unwrap_or_default();
                    out.push((i, 2, format!("`\\{letter}` is not a character class in an AppArmor glob: {class}")));
                }
                i += 2;
            }
            // A variable's name is not a glob.
            b'@' if bytes.get(i + 1) == Some(&b'{') => {
                i = text[i..].find('}').map_or(bytes.len(), |end| i + end + 1);
            }
            b'[' => {
                let Some(end) = class_end(bytes, i) else {
                    i += 1;
                    continue;
                };
                let class = &text[i..end];
                let rest = &text[end..];
                if rest.starts_with('+') {
                    out.push((
                        i,
                        class.len() + 1,
                        format!("`{class}+` is `{class}` and a literal `+`: AppArmor globs have no `+`; write `{class}*` (anything after it but `/`) or repeat the class"),
                    ));
                } else if let Some(count) = repetition_count(rest) {
                    out.push((
                        i,
                        class.len() + count.len() + 2,
                        format!("`{{{count}}}` after `{class}` is not a repetition count: braces are an alternation in AppArmor globs; repeat `{class}` {count} times"),
                    ));
                }
                i = end;
            }
            b'.' if bytes.get(i + 1) == Some(&b'+') => {
                out.push((
                    i,
                    2,
                    "`.+` is a literal dot and a literal `+` in an AppArmor glob: write `?*` for one or more characters".to_string(),
                ));
                i += 2;
            }
            b'(' => {
                if let Some(end) = group_end(bytes, i) {
                    let group = &text[i..end];
                    if unescaped_pipe(group) {
                        let alternation = format!("{{{}}}", group[1..group.len() - 1].replace('|', ","));
                        out.push((
                            i,
                            group.len(),
                            format!("`{group}` is literal text in an AppArmor glob, not an alternation: write `{alternation}`"),
                        ));
                    }
                    i = end;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// What to write for a regular expression's shorthand class letter.
fn shorthand_class(letter: u8) -> Option<&'static str> {
    Some(match letter {
        b'd' => "write `[0-9]`",
        b'D' => "write `[^0-9]`",
        b'w' => "write `[a-zA-Z0-9_]`",
        b'W' => "write `[^a-zA-Z0-9_]`",
        b's' => "list the white-space characters meant in a class",
        b'S' => "list the white-space characters meant in a negated class",
        _ => return None,
    })
}

/// The offset just past the `]` closing the class that opens at `open`.
fn class_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b']' if i > open + 1 => return Some(i + 1),
            b'/' => return None,
            _ => i += 1,
        }
    }
    None
}

/// The digits of a `{N}` at the start of `rest`.
fn repetition_count(rest: &str) -> Option<&str> {
    let inner = rest.strip_prefix('{')?;
    let end = inner.find('}')?;
    let count = &inner[..end];
    (!count.is_empty() && count.bytes().all(|b| b.is_ascii_digit())).then_some(count)
}

/// The offset just past the `)` closing the group that opens at `open`, when
/// no other group opens inside it.
fn group_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'(' => return None,
            b')' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn unescaped_pipe(group: &str) -> bool {
    let bytes = group.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'|' => return true,
            _ => i += 1,
        }
    }
    false
}
