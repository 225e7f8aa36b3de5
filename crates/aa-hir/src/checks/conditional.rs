//! `if` conditions: a bare word must be `true` or `false` (anything else,
//! such as `@FOO` or `truish`, is rejected by `apparmor_parser`), and the
//! value of a condition once the booleans are known.

use aa_syntax::{SyntaxKind::*, SyntaxNode};

use crate::{
    Diagnostic,
    variables::{Variables, bool_name},
};

pub(crate) fn is_expr(kind: aa_syntax::SyntaxKind) -> bool {
    matches!(kind, OR_EXPR | AND_EXPR | NOT_EXPR | DEFINED_EXPR | COMPARE_EXPR | PAREN_EXPR | ATOM_EXPR)
}

/// Bare words in the condition of one `if` (not its `else if`s, which are
/// `IF_STMT`s of their own).
pub(super) fn check_condition(stmt: &SyntaxNode, sink: &mut Vec<Diagnostic>) {
    let Some(expr) = stmt.children().find(|n| is_expr(n.kind())) else {
        return;
    };
    let atoms = expr.descendants().filter(|n| n.kind() == ATOM_EXPR);
    for atom in atoms {
        if atom.children_with_tokens().any(|e| e.kind() == BOOL_VARIABLE) {
            continue;
        }
        let text = atom.text().to_string();
        let text = text.trim();
        if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
            continue;
        }
        sink.push(Diagnostic::error(
            "bad-condition",
            format!("`{text}` is not a condition: write a boolean `$name`, `defined @{{name}}`, `true`, `false` or a comparison"),
            atom.text_range(),
        ));
    }
}

/// The value of an `if` condition, when the variables decide it.
pub(crate) fn eval(node: &SyntaxNode, vars: &Variables) -> Option<bool> {
    let operands: Vec<SyntaxNode> = node.children().filter(|n| is_expr(n.kind())).collect();
    match node.kind() {
        OR_EXPR => {
            let values: Vec<Option<bool>> = operands.iter().map(|o| eval(o, vars)).collect();
            if values.contains(&Some(true)) {
                Some(true)
            } else if values.iter().all(|v| *v == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
        AND_EXPR => {
            let values: Vec<Option<bool>> = operands.iter().map(|o| eval(o, vars)).collect();
            if values.contains(&Some(false)) {
                Some(false)
            } else if values.iter().all(|v| *v == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
        NOT_EXPR => operands.first().and_then(|o| eval(o, vars)).map(|v| !v),
        PAREN_EXPR => operands.first().and_then(|o| eval(o, vars)),
        DEFINED_EXPR => {
            let token = node.children_with_tokens().filter_map(|e| e.into_token()).find(|t| {
                matches!(t.kind(), VARIABLE | BOOL_VARIABLE) || (t.kind() == WORD && t.text() != "defined")
            })?;
            let text = token.text();
            Some(match token.kind() {
                VARIABLE => vars.sets.contains_key(text.get(2..text.len() - 1)?),
                BOOL_VARIABLE => vars.bools.contains_key(&bool_name(text)),
                _ => return None,
            })
        }
        ATOM_EXPR => {
            if let Some(t) =
                node.children_with_tokens().filter_map(|e| e.into_token()).find(|t| t.kind() == BOOL_VARIABLE)
            {
                return vars.bools.get(&bool_name(t.text())).map(|b| b.value);
            }
            let text = node.text().to_string();
            match text.trim().to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn bare_words() {
        check(
            "/a { if not @FOO { } if truish { } if TRUE and $x { } if defined @{v} { } alias /a -> /b, }",
            expect![[r#"
                bad-condition@12..16: `@FOO` is not a condition: write a boolean `$name`, `defined @{name}`, `true`, `false` or a comparison
                bad-condition@24..30: `truish` is not a condition: write a boolean `$name`, `defined @{name}`, `true`, `false` or a comparison
                not-allowed-in-profile@74..79: an `alias` rule is not allowed inside a profile: move it before the first profile
            "#]],
        );
    }
}
