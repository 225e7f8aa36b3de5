//! The pattern syntax `apparmor_parser` checks when it turns an AppArmor
//! glob into a regex (`convert_aaregex_to_pcre`): balanced `{ }` and `[ ]`,
//! alternations with at least two entries, no empty character class, no
//! trailing `\`. Only what fails there (or at once in the regex compiler,
//! like `[]`) is reported; values holding a variable are left to expansion.

use aa_syntax::{SyntaxKind::*, TextRange};

use super::{Cond, RuleInfo, has_var};
use crate::{Diagnostic, variables::Variables};

/// Why a glob does not convert, if it does not.
pub(crate) fn glob_error(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    let mut escaped = false;
    let mut in_class = false;
    // One entry count per open `{`.
    let mut groups: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if escaped {
            escaped = false;
            i += 1;
            continue;
        }
        match c {
            b'\\' => escaped = true,
            b'[' if !in_class => {
                in_class = true;
                // In `[]` and `[^]` the regex compiler reads the `]` as a
                // member, so the class runs on to the next `]` of the
                // converted regex (one comes from a later class, `*` or `?`);
                // without one it is unterminated.
                let rest = &bytes[i + 1..];
                let skip = if rest.starts_with(b"]") {
                    1
                } else if rest.starts_with(b"^]") {
                    2
                } else {
                    0
                };
                // The text it swallows must not open or close a group
                // (`{ }` become `( )`) that the class then cuts in half.
                if skip > 0 {
                    let tail = &rest[skip..];
                    let end = tail.iter().position(|b| matches!(b, b'*' | b'?' | b'[' | b']'));
                    let balanced = end.is_some_and(|end| {
                        let mut depth = 0i32;
                        tail[..end].iter().all(|b| {
                            match b {
                                b'{' => depth += 1,
                                b'}' => depth -= 1,
                                _ => {}
                            }
                            depth >= 0
                        }) && depth == 0
                    });
                    if !balanced {
                        return Some("empty character class `[]`");
                    }
                }
            }
            b']' => {
                if !in_class {
                    return Some("`]` without a matching `[`");
                }
                in_class = false;
            }
            b'{' if !in_class => {
                groups.push(0);
                if groups.len() >= 10 {
                    return Some("alternations `{ }` nested too deeply");
                }
            }
            b'}' if !in_class => match groups.pop() {
                None => return Some("`}` without a matching `{`"),
                Some(0) => {
                    return Some("an alternation `{ }` needs at least two entries separated by `,`");
                }
                Some(_) => {}
            },
            b',' if !in_class => {
                if let Some(count) = groups.last_mut() {
                    *count += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if !groups.is_empty() {
        return Some("unclosed alternation: `{` without a matching `}`");
    }
    if in_class {
        return Some("unclosed character class: `[` without a matching `]`");
    }
    if escaped {
        return Some("trailing `\\`");
    }
    None
}

fn report(text: &str, range: TextRange, vars: Option<&Variables>, sink: &mut Vec<Diagnostic>) {
    let expanded;
    let text = if has_var(text) {
        // Check the expansion; built-in variables stand for a plain name.
        let Some(vars) = vars else { return };
        let builtin = |name: &str| crate::variables::BUILTIN_VARIABLES.contains(&name).then(|| "x".to_string());
        match vars.expand(text, &builtin) {
            Ok(value) if !value.replace("\\@{", "").contains("@{") => {
                expanded = value;
                expanded.as_str()
            }
            _ => return,
        }
    } else {
        text
    };
    if let Some(why) = glob_error(text) {
        sink.push(Diagnostic::error("bad-pattern", format!("`{text}` is not a valid pattern: {why}"), range));
    }
}

/// Condition values that `apparmor_parser` compiles as patterns.
fn cond_patterns(kind: aa_syntax::SyntaxKind, cond: &Cond, vars: Option<&Variables>, sink: &mut Vec<Diagnostic>) {
    if let Some(group) = &cond.group {
        for inner in group {
            cond_patterns(kind, inner, vars, sink);
        }
        return;
    }
    let compiled = match kind {
        DBUS_RULE => matches!(cond.name.as_str(), "bus" | "name" | "label" | "path" | "interface" | "member"),
        UNIX_RULE => matches!(cond.name.as_str(), "label" | "addr"),
        SIGNAL_RULE | PTRACE_RULE => matches!(cond.name.as_str(), "peer" | ""),
        _ => false,
    };
    if !compiled {
        return;
    }
    for value in &cond.values {
        report(&value.text, value.range, vars, sink);
    }
}

pub(super) fn check(
    rule: &aa_syntax::ast::Rule,
    info: &RuleInfo,
    vars: Option<&Variables>,
    sink: &mut Vec<Diagnostic>,
) {
    let kind = info.node.kind();
    match kind {
        FILE_RULE | LINK_RULE => {
            if let Some(path) = rule.path() {
                report(&super::unquote(&path.text()), path.syntax_range(), vars, sink);
            }
            if kind == LINK_RULE
                && let Some(target) = rule.target()
            {
                report(&super::unquote(&target.text()), target.syntax_range(), vars, sink);
            }
        }
        DBUS_RULE | UNIX_RULE | SIGNAL_RULE | PTRACE_RULE => {
            for cond in &info.conds {
                cond_patterns(kind, cond, vars, sink);
            }
        }
        _ => {}
    }
}

trait SyntaxRange {
    fn syntax_range(&self) -> TextRange;
}

impl SyntaxRange for aa_syntax::ast::Value {
    fn syntax_range(&self) -> TextRange {
        use aa_syntax::ast::AstNode;
        self.syntax().text_range()
    }
}

#[cfg(test)]
mod tests {
    use super::glob_error;
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn globs() {
        for ok in ["/a/{b,c}", "/a/[abc]*", "/a/\\{x", "/a/{b,{c,d}}", "/a/[{]"] {
            assert_eq!(glob_error(ok), None, "{ok}");
        }
        assert_eq!(glob_error("/a/[]b/*"), None);
        assert!(glob_error("/a/[]b/{,**}").is_some());
        assert_eq!(glob_error("/[]{,var/}run/*"), None);
        for bad in ["/a/{}", "/a/{b}", "/a/[]x", "/a/b]", "/a/{b,c", "/a/b,c}", "/a/\\", "/a/[x"] {
            assert!(glob_error(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn rules() {
        check(
            "profile p { /a/{}x r, dbus send path=/p/{x peer=(label=l{a), signal peer={/b, unix addr=@f{a,b peer=(label=x}), }",
            expect![[r#"
                bad-pattern@12..18: `/a/{}x` is not a valid pattern: an alternation `{ }` needs at least two entries separated by `,`
                bad-pattern@37..42: `/p/{x` is not a valid pattern: unclosed alternation: `{` without a matching `}`
                bad-pattern@55..58: `l{a` is not a valid pattern: unclosed alternation: `{` without a matching `}`
                bad-pattern@73..76: `{/b` is not a valid pattern: unclosed alternation: `{` without a matching `}`
                bad-pattern@88..94: `@f{a,b` is not a valid pattern: unclosed alternation: `{` without a matching `}`
                bad-pattern@107..109: `x}` is not a valid pattern: `}` without a matching `{`
            "#]],
        );
    }
}
