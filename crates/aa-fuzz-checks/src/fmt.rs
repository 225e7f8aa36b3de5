//! The formatter: it refuses only text with syntax errors (never its own
//! output); formatting twice changes nothing; every token but blanks comes
//! out with the same kind and text, in order (comments may lose trailing
//! blanks); formatting the whole range gives the whole-file result; and when
//! the profile compiles, its formatted text compiles to the same bytes for
//! every target.

use aa_fmt::{FormatError, FormatOptions, TextRange, TextSize};
use aa_syntax::SyntaxKind;
use aa_target::Version;

use crate::{Workspace, compile};

pub fn check(data: &[u8]) {
    let Some(workspace) = Workspace::decode(data) else { return };
    check_workspace(&workspace);
}

pub fn check_workspace(workspace: &Workspace) {
    let text = workspace.profile();
    let options = FormatOptions::default();
    let formatted = match aa_fmt::format(text, &options) {
        Ok(formatted) => formatted,
        Err(FormatError::Syntax(_)) => {
            assert!(!aa_syntax::parse(text).errors().is_empty(), "refused as a syntax error, but parses cleanly");
            return;
        }
        Err(FormatError::Internal(message)) => panic!("the formatter rejected its own output: {message}"),
    };
    let again = aa_fmt::format(&formatted, &options).expect("formatted text formats");
    assert!(again == formatted, "not idempotent:\n{formatted:?}\nthen\n{again:?}");
    assert_eq!(significant(text), significant(&formatted), "a token changed");

    let whole = TextRange::new(TextSize::new(0), TextSize::of(text));
    let edits = aa_fmt::format_range(text, whole, &options).expect("a text that formats formats by range");
    assert_eq!(apply(text, &edits), formatted, "formatting the whole range differs from formatting the file");

    let formatted_workspace = workspace.with_profile(formatted);
    for (version, features) in [
        (Version::V3_0, compile::FEATURES_DEFAULT),
        (Version::V4_1, compile::FEATURES_ABI4),
        (Version::V5_0, compile::FEATURES_DEFAULT),
    ] {
        let before = compile::compile(workspace, version, features);
        let Some(before) = before.binary else { continue };
        let after = compile::compile(&formatted_workspace, version, features);
        assert!(after.binary.as_ref() == Some(&before), "{version:?}: the formatted profile compiles differently");
    }
}

/// Every token but blanks and line breaks, comments without trailing blanks.
fn significant(text: &str) -> Vec<(SyntaxKind, &str)> {
    let mut offset = 0;
    let mut out = Vec::new();
    for token in aa_syntax::tokenize(text) {
        let piece = &text[offset..offset + token.len as usize];
        offset += token.len as usize;
        match token.kind {
            SyntaxKind::WHITESPACE | SyntaxKind::NEWLINE => {}
            SyntaxKind::COMMENT => out.push((token.kind, piece.trim_end_matches([' ', '\t', '\r']))),
            kind => out.push((kind, piece)),
        }
    }
    out
}

/// Applies edits that are sorted and disjoint (asserted).
fn apply(text: &str, edits: &[aa_fmt::TextEdit]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for edit in edits {
        let (start, end) = (usize::from(edit.range.start()), usize::from(edit.range.end()));
        assert!(at <= start && end <= text.len(), "edits unsorted, overlapping or outside the text: {edits:?}");
        out.push_str(&text[at..start]);
        out.push_str(&edit.new_text);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}
