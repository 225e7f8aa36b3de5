//! The test helper: diagnostics of a snippet as `code@range: message` lines.

use expect_test::Expect;

pub(crate) fn render(text: &str) -> String {
    let parse = aa_syntax::parse(text);
    assert!(parse.errors().is_empty(), "syntax errors in test input: {:?}", parse.errors());
    let mut out = String::new();
    for d in super::check(&parse.tree()) {
        let severity = if d.severity == crate::Severity::Warning { " (warning)" } else { "" };
        out.push_str(&format!(
            "{}@{}..{}{severity}: {}\n",
            d.code,
            u32::from(d.range.start()),
            u32::from(d.range.end()),
            d.message
        ));
    }
    out
}

pub(crate) fn check(text: &str, expect: Expect) {
    expect.assert_eq(&render(text));
}
