//! Checks shared by the tests: the formatter's guarantees on one input.

#![allow(dead_code)]

use aa_fmt::{FormatOptions, format};

/// Comment texts (without trailing blanks), sorted: the multiset of comments.
pub fn comments(text: &str) -> Vec<String> {
    let parse = aa_syntax::parse(text);
    let mut out: Vec<String> = parse
        .syntax_node()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind() == aa_syntax::SyntaxKind::COMMENT)
        .map(|t| t.text().trim_end_matches([' ', '\t', '\r']).to_string())
        .collect();
    out.sort();
    out
}

/// Idempotence, comment survival, a clean re-parse and the output's layout
/// promises (no trailing blanks, one final newline, no double blank lines).
pub fn assert_guarantees(input: &str, formatted: &str, options: &FormatOptions, name: &str) {
    let again = format(formatted, options);
    assert_eq!(again.as_deref(), Ok(formatted), "{name}: not idempotent");
    assert_eq!(comments(input), comments(formatted), "{name}: comments changed");
    let errors = aa_syntax::parse(formatted).errors().to_vec();
    assert!(errors.is_empty(), "{name}: formatted text has errors: {errors:?}");
    assert!(
        formatted.is_empty() || (formatted.ends_with('\n') && !formatted.ends_with("\n\n")),
        "{name}: must end with exactly one newline"
    );
    assert!(!formatted.contains("\n\n\n"), "{name}: more than one blank line in a row");
}
