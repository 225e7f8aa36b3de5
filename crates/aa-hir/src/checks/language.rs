//! What the target's policy language does not have: syntax a later
//! `apparmor_parser` added (`and`/`or` and comparisons in conditions, `?=`
//! and `:=`, `+ identities=`), which the target's grammar or lexer stops
//! at, and the target's own condition checks (4.1's unset boolean in
//! `defined $x`, 5.0's "Can only compare numbers with numbers").

use std::collections::BTreeSet;

use aa_syntax::{SyntaxKind::*, SyntaxNode, SyntaxToken};
use aa_target::{DefinedBoolean, Target};

use crate::{
    Diagnostic,
    variables::{Variables, bool_name},
};

/// Every construct of `root` that `target` lacks, and the condition checks
/// that need the policy's variables (`vars`, when known).
pub fn language_diagnostics(root: &SyntaxNode, target: &Target, vars: Option<&Variables>) -> Vec<Diagnostic> {
    let language = &target.language;
    let mut out = Vec::new();
    let later = |what: &str| format!("{what} is later syntax than apparmor_parser {}'s", target.oracle);
    for node in root.descendants() {
        match node.kind() {
            IF_STMT if !language.conditional_comparisons => {
                let condition = node.children().find(|n| super::conditional::is_expr(n.kind()));
                if let Some(newer) = condition.and_then(|c| first_newer_condition(&c)) {
                    out.push(Diagnostic::error("syntax-error", later(&newer.1), newer.0));
                }
            }
            VARIABLE_DEF if !language.conditional_assignment => {
                if let Some(op) = node.children_with_tokens().find(|e| matches!(e.kind(), QUESTION_EQ | COLON_EQ)) {
                    let what = format!("`{}`", op.as_token().map_or("", SyntaxToken::text));
                    out.push(Diagnostic::error("syntax-error", later(&what), op.text_range()));
                }
            }
            CONDITION if !language.profile_identities && is_identities(&node) => {
                out.push(Diagnostic::error("syntax-error", later("`+ identities=`"), node.text_range()));
            }
            DEFINED_EXPR if language.defined_boolean == DefinedBoolean::Value => {
                let unset = node
                    .children_with_tokens()
                    .filter_map(|e| e.into_token())
                    .find(|t| t.kind() == BOOL_VARIABLE)
                    .filter(|t| vars.is_some_and(|v| !v.bools.contains_key(&bool_name(t.text()))));
                if let Some(token) = unset {
                    let message = format!(
                        "`{}` is not defined: apparmor_parser {} reads `defined $name` as the boolean's value, and an unset boolean is an error",
                        token.text(),
                        target.oracle
                    );
                    out.push(Diagnostic::error("undefined-variable", message, token.text_range()));
                }
            }
            COMPARE_EXPR if target.checks.compare_numbers_only => {
                if let Some(vars) = vars
                    && let Err(message) = compare(&node, vars)
                {
                    out.push(Diagnostic::error("bad-condition", message, node.text_range()));
                }
            }
            _ => {}
        }
    }
    out
}

/// The first part of a condition that only 5.0's grammar has, and what it is.
fn first_newer_condition(expr: &SyntaxNode) -> Option<(aa_syntax::TextRange, String)> {
    std::iter::once(expr.clone()).chain(expr.descendants()).find_map(|n| {
        let what = match n.kind() {
            AND_EXPR => "`and` in a condition",
            OR_EXPR => "`or` in a condition",
            PAREN_EXPR => "a parenthesised condition",
            COMPARE_EXPR => "a comparison in a condition",
            ATOM_EXPR if !n.children_with_tokens().any(|e| e.kind() == BOOL_VARIABLE) => {
                let text = n.text().to_string();
                let text = text.trim();
                if !(text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false")) {
                    return None;
                }
                "`true`/`false` as a condition"
            }
            _ => return None,
        };
        Some((n.text_range(), what.to_string()))
    })
}

fn is_identities(condition: &SyntaxNode) -> bool {
    let mut words = condition.children_with_tokens().filter_map(|e| e.into_token()).filter(|t| t.kind() == WORD);
    words.next().is_some_and(|t| t.text() == "+") && words.next().is_some_and(|t| t.text() == "identities")
}

/// The value of a comparison as 5.0.2 computes it: each side a set (a
/// variable's values, or the word itself); `==`, `!=` and `in` compare
/// sets; an ordering compares numbers when both sides are one number, sets
/// when neither is, and is an error otherwise.
pub(crate) fn compare(node: &SyntaxNode, vars: &Variables) -> Result<bool, String> {
    let sides: Vec<BTreeSet<String>> = node
        .children()
        .filter(|n| n.kind() == VALUE)
        .map(|v| {
            let text = crate::variables::unquote(v.text().to_string().trim());
            match text.strip_prefix("@{").and_then(|t| t.strip_suffix('}')) {
                Some(name) => vars.sets.get(name).map(|s| s.values.clone()).unwrap_or_default(),
                None => BTreeSet::from([text]),
            }
        })
        .collect();
    let [lhs, rhs] = sides.as_slice() else {
        return Ok(false);
    };
    let op =
        node.children_with_tokens().find(|e| matches!(e.kind(), EQ_EQ | BANG_EQ | LT | LT_EQ | GT | GT_EQ | IN_KW));
    let Some(op) = op.map(|e| e.kind()) else {
        return Ok(false);
    };
    let order = match op {
        EQ_EQ => return Ok(lhs == rhs),
        BANG_EQ => return Ok(lhs != rhs),
        IN_KW => return Ok(lhs.is_subset(rhs)),
        _ => match (number(lhs), number(rhs)) {
            (Some(a), Some(b)) => a.cmp(&b),
            (None, None) => lhs.cmp(rhs),
            _ => return Err("only numbers can be compared with numbers (apparmor_parser 5.0)".to_string()),
        },
    };
    Ok(match op {
        LT => order.is_lt(),
        LT_EQ => order.is_le(),
        GT => order.is_gt(),
        _ => order.is_ge(),
    })
}

/// A set that `strtol` (base 0) reads whole: one value, a decimal, `0x`
/// hexadecimal or `0` octal number with an optional sign.
fn number(set: &BTreeSet<String>) -> Option<i64> {
    let [value] = set.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let text = value.trim_start();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        (16, hex)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i64::from_str_radix(digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aa_target::Version;

    use crate::db::{Db, MemoryLoader, RootDatabase};

    /// Each case: a policy file, then the errors 4.1 and 5.0 report
    /// (`code@range`).
    const CASES: &[(&str, &str, &str)] = &[
        ("$A=true\n/a { if $A and $A { } }", "syntax-error@16..25", ""),
        ("$A=true\n/a { if ($A) { } }", "syntax-error@16..20", ""),
        ("/a { if true { } }", "syntax-error@8..12", ""),
        ("$A=true\n/a { if not $A { } }", "", ""),
        ("@{A} ?= a\n/a { }", "syntax-error@5..7", ""),
        ("@{A} = a\n@{A} := b\n/a { }", "syntax-error@14..16", ""),
        ("profile p + identities=(foo) { }", "syntax-error@10..28", ""),
        ("/a { if defined $U { } }", "undefined-variable@16..18", ""),
        ("$U=false\n/a { if defined $U { } }", "", ""),
        ("/a { if 10 >= /path/foo/ { } }", "syntax-error@8..24", "bad-condition@8..24"),
        ("@{N}=3\n/a { if @{N} < 4 { } }", "syntax-error@15..23", ""),
        ("@{N}=a b\n/a { if @{N} < 4 { } }", "syntax-error@17..25", "bad-condition@17..25"),
        ("/a { if abc < abd { } }", "syntax-error@8..17", ""),
        ("/a { /x/@{attach_path} r, }", "undefined-variable@8..22", ""),
    ];

    #[test]
    fn per_target() {
        for (text, v4, v5) in CASES {
            for (version, expected) in [(Version::V4_1, v4), (Version::V5_0, v5)] {
                let loader = MemoryLoader::new([("/p", *text)]);
                let mut db = RootDatabase::new(Arc::new(loader), vec![], "/".into(), "/".into());
                db.set_target(version);
                let root = db.file(std::path::Path::new("/p"));
                let found: Vec<String> = crate::diagnostics::policy_diagnostics(&db, root)
                    .iter()
                    .filter(|(_, d)| d.severity == crate::Severity::Error)
                    .map(|(_, d)| format!("{}@{}..{}", d.code, u32::from(d.range.start()), u32::from(d.range.end())))
                    .collect();
                assert_eq!(found.join(" "), *expected, "{version:?}: {text}");
            }
        }
    }
}
