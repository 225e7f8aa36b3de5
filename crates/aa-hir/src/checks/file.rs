//! File and link rules: permission letters that conflict (`w` with `a`,
//! several exec modes), exec modes and `deny`, `x` without a mode,
//! `safe`/`unsafe` without `x`, `subset` without `l`, link with exec, and one
//! path given two different exec transitions in the same profile.

use std::collections::HashMap;

use aa_syntax::{
    SyntaxKind::*,
    SyntaxNode, TextRange, TextSize,
    ast::{self, AstNode},
};

use super::{Prefix, has_var};
use crate::Diagnostic;

/// What the permission word of a file rule says.
#[derive(Debug, Default)]
pub(crate) struct Perms {
    pub(crate) write: bool,
    pub(crate) append: bool,
    pub(crate) link: bool,
    pub(crate) lock: bool,
    /// `x` was given, bare or as part of a mode.
    pub(crate) exec: bool,
    /// The exec mode (`ix`, `Px`, `cux` ...) as written, lower-cased except
    /// for the case that changes its meaning (`P`/`C`/`U` are unsafe modes).
    pub(crate) mode: Option<String>,
    pub(crate) other_than_link: bool,
}

/// Parses a permission word (already validated by the syntax layer),
/// reporting conflicts inside it.
pub(crate) fn parse_perms(text: &str, start: TextSize, sink: &mut Vec<Diagnostic>) -> Perms {
    let mut perms = Perms::default();
    let bytes = text.as_bytes();
    let mut i = 0;
    let at = |i: usize, len: usize| TextRange::at(start + TextSize::from(i as u32), TextSize::from(len as u32));
    while i < bytes.len() {
        let c = bytes[i];
        let lower = c.to_ascii_lowercase();
        // An exec mode is a modifier letter, optionally `i`/`u`, then `x`.
        let mode_len = match lower {
            b'i' | b'u' => 2,
            b'p' | b'c' => {
                if matches!(bytes.get(i + 1).map(u8::to_ascii_lowercase), Some(b'i' | b'u')) {
                    3
                } else {
                    2
                }
            }
            _ => 0,
        };
        if mode_len > 0 && i + mode_len <= bytes.len() {
            let written = &text[i..i + mode_len];
            // Upper case `P`, `C`, `U` mean "unsafe" (keep the environment
            // scrubbing off); the rest of the letters are case-insensitive.
            let mut mode: String = written.to_ascii_lowercase();
            if c.is_ascii_uppercase() && lower != b'i' {
                mode.replace_range(0..1, &(lower.to_ascii_uppercase() as char).to_string());
            }
            if written.len() == 3 && bytes[i + 1] == b'U' {
                mode.replace_range(1..2, "U");
            }
            let conflict = match &perms.mode {
                // `ix` conflicts with any earlier mode but itself.
                Some(previous) if lower == b'i' => previous != "ix",
                Some(previous) => *previous != mode,
                None => perms.exec && lower != b'i',
            };
            if conflict {
                sink.push(Diagnostic::error(
                    "conflicting-exec-modes",
                    format!("exec mode `{written}` conflicts with another exec mode in the same rule: give one of `ix`, `px`, `cx`, `ux` (and variants)"),
                    at(i, mode_len),
                ));
            } else {
                perms.mode = Some(mode);
            }
            perms.exec = true;
            perms.other_than_link = true;
            i += mode_len;
            continue;
        }
        match lower {
            b'w' => {
                perms.write = true;
                if perms.append && !perms.write_before_append(text, i) {
                    write_append(sink, at(i, 1));
                }
            }
            b'a' => {
                if perms.write {
                    write_append(sink, at(i, 1));
                }
                perms.append = true;
            }
            b'l' => perms.link = true,
            b'k' => perms.lock = true,
            b'x' => perms.exec = true,
            _ => {}
        }
        if lower != b'l' {
            perms.other_than_link = true;
        }
        i += 1;
    }
    perms
}

impl Perms {
    fn write_before_append(&self, text: &str, w_at: usize) -> bool {
        text[..w_at].bytes().any(|b| b.eq_ignore_ascii_case(&b'w'))
    }
}

fn write_append(sink: &mut Vec<Diagnostic>, range: TextRange) {
    sink.push(Diagnostic::error(
        "write-append-conflict",
        "`w` and `a` are mutually exclusive: `w` already includes append",
        range,
    ));
}

pub(super) fn check(rule: &ast::Rule, prefix: &Prefix, sink: &mut Vec<Diagnostic>) {
    let Some(perms_token) = rule.perms() else {
        return;
    };
    let perms = parse_perms(perms_token.text(), perms_token.text_range().start(), sink);
    let range = perms_token.text_range();
    if perms.exec {
        if prefix.is_deny() && perms.mode.is_some() {
            sink.push(Diagnostic::error(
                "exec-mode-on-deny",
                "`deny` rules take a bare `x`: exec modes (`i`, `p`, `c`, `u`) make no sense on what is denied",
                range,
            ));
        } else if !prefix.is_deny() && perms.mode.is_none() && rule.target().is_none() {
            // A bare `x` with `-> target` is a named transition, which is valid.
            sink.push(Diagnostic::error(
                "exec-without-mode",
                "`x` must have an exec mode: write `ix`, `px`, `Px`, `cx`, `Cx`, `ux` or `Ux`",
                range,
            ));
        }
    }
    let node = rule.syntax();
    if node.kind() == FILE_RULE
        && let Some(path) = rule.path()
    {
        let text = path.text();
        if !(text.starts_with('/') || text.starts_with("@{") || text.starts_with("\"/") || text.starts_with("\"@{")) {
            sink.push(Diagnostic::error(
                "relative-path",
                format!("`{text}` is not an absolute path: file rules name paths starting with `/` (or a variable)"),
                path.syntax().text_range(),
            ));
        }
    }
    if let Some(keyword) = node.children_with_tokens().find(|e| matches!(e.kind(), SAFE_KW | UNSAFE_KW))
        && !perms.exec
    {
        sink.push(Diagnostic::error(
            "safe-unsafe-without-exec",
            format!("`{}` only applies to exec rules, and this rule has no `x`", keyword),
            keyword.text_range(),
        ));
    }
    // Permissions first (`l subset /a -> /b`) is the form that gives link targets.
    let perms_first = node.children().find(|n| matches!(n.kind(), PERMS | VALUE)).is_some_and(|n| n.kind() == PERMS);
    if perms_first {
        if let Some(subset) = node.children_with_tokens().find(|e| e.kind() == SUBSET_KW)
            && perms.other_than_link
        {
            sink.push(Diagnostic::error(
                "subset-without-link",
                "`subset` only applies to link rules: the permissions must be just `l`",
                subset.text_range(),
            ));
        }
        if rule.target().is_some() && perms.link && perms.exec {
            sink.push(Diagnostic::error(
                "link-exec-conflict",
                "a rule with `->` cannot give both `l` and `x`: the target would be both a link target and an exec transition",
                range,
            ));
        }
    }
}

/// One path given two different exec transitions in the same profile: the
/// compiler cannot choose between them.
pub(super) fn check_exec_conflicts(body: &SyntaxNode, sink: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(String, Option<aa_syntax::SyntaxKind>), (String, Option<String>)> = HashMap::new();
    let mut rules = Vec::new();
    collect_file_rules(body, Prefix::default(), &mut rules);
    for (rule, prefix) in rules {
        if prefix.is_deny() {
            continue;
        }
        let (Some(path), Some(perms_token)) = (rule.path(), rule.perms()) else {
            continue;
        };
        let path = path.text();
        if has_var(&path) {
            continue;
        }
        let mut scratch = Vec::new();
        let perms = parse_perms(perms_token.text(), perms_token.text_range().start(), &mut scratch);
        let Some(mode) = perms.mode else { continue };
        let mode = effective_mode(&rule, mode);
        let target = rule.target().map(|t| t.text());
        if target.as_deref().is_some_and(has_var) {
            continue;
        }
        let key = (path.trim_matches('"').to_string(), prefix.owner);
        match seen.get(&key) {
            Some((previous, previous_target)) if *previous != mode || *previous_target != target => {
                sink.push(Diagnostic::error(
                    "conflicting-exec-modes",
                    format!(
                        "`{}` already has exec mode `{previous}`{} in this profile; one path takes one exec transition",
                        key.0,
                        previous_target.as_ref().map(|t| format!(" -> {t}")).unwrap_or_default()
                    ),
                    perms_token.text_range(),
                ));
            }
            Some(_) => {}
            None => {
                seen.insert(key, (mode, target));
            }
        }
    }
}

/// The exec mode with its safety as `apparmor_parser` settles it: written
/// after the path, lower-case `p`/`c`/`u` are unsafe (no environment
/// scrubbing); written before the path, the case does not matter and only the
/// `unsafe` keyword makes the transition unsafe; `safe` always makes it safe.
fn effective_mode(rule: &ast::Rule, mode: String) -> String {
    let node = rule.syntax();
    let keyword = node.children_with_tokens().map(|e| e.kind()).find(|k| matches!(k, SAFE_KW | UNSAFE_KW));
    let perms_first = node.children().find(|n| matches!(n.kind(), PERMS | VALUE)).is_some_and(|n| n.kind() == PERMS);
    let mut chars: Vec<char> = mode.chars().collect();
    let Some(first) = chars.first().copied() else {
        return mode;
    };
    if !matches!(first.to_ascii_lowercase(), 'p' | 'c' | 'u') {
        return mode;
    }
    let unsafe_ = match keyword {
        Some(UNSAFE_KW) => true,
        Some(_) => false,
        None => !perms_first && first.is_ascii_lowercase(),
    };
    chars[0] = if unsafe_ { first.to_ascii_lowercase() } else { first.to_ascii_uppercase() };
    chars.into_iter().collect()
}

fn collect_file_rules(node: &SyntaxNode, block: Prefix, out: &mut Vec<(ast::Rule, Prefix)>) {
    for child in node.children() {
        match child.kind() {
            FILE_RULE => {
                if let Some(rule) = ast::Rule::cast(child.clone()) {
                    out.push((rule, block.merged(&Prefix::of(&child))));
                }
            }
            QUALIFIED_BLOCK => {
                let inner = block.merged(&Prefix::of(&child));
                for body in child.children().filter(|n| n.kind() == BLOCK) {
                    collect_file_rules(&body, inner, out);
                }
            }
            IF_STMT | ELSE_BRANCH | BLOCK => collect_file_rules(&child, block, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn perms_in_one_rule() {
        check(
            "profile p { /a wa, /b rix, /c ixpx, /d x, deny /e ix, deny /f x, /g Px -> q, }",
            expect![[r#"
                write-append-conflict@16..17: `w` and `a` are mutually exclusive: `w` already includes append
                conflicting-exec-modes@32..34: exec mode `px` conflicts with another exec mode in the same rule: give one of `ix`, `px`, `cx`, `ux` (and variants)
                exec-without-mode@39..40: `x` must have an exec mode: write `ix`, `px`, `Px`, `cx`, `Cx`, `ux` or `Ux`
                exec-mode-on-deny@50..52: `deny` rules take a bare `x`: exec modes (`i`, `p`, `c`, `u`) make no sense on what is denied
            "#]],
        );
    }

    #[test]
    fn link_forms() {
        check(
            "profile p { l subset /a -> /b, rl subset /c -> /d, lix /e -> /f, unsafe /g r, }",
            expect![[r#"
                subset-without-link@34..40: `subset` only applies to link rules: the permissions must be just `l`
                link-exec-conflict@51..54: a rule with `->` cannot give both `l` and `x`: the target would be both a link target and an exec transition
                safe-unsafe-without-exec@65..71: `unsafe` only applies to exec rules, and this rule has no `x`
            "#]],
        );
    }

    #[test]
    fn exec_conflicts_across_rules() {
        check(
            "profile p { /bin/a px, /bin/a ix, /bin/b Px, /bin/b Px, owner /bin/c ux, /bin/c ix, }",
            expect![[r#"
                conflicting-exec-modes@30..32: `/bin/a` already has exec mode `px` in this profile; one path takes one exec transition
            "#]],
        );
    }
}
