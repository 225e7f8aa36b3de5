use aa_syntax::{
    SyntaxKind::{BLOCK, COMMENT, ERROR, NEWLINE, R_CURLY, WHITESPACE},
    TextRange, TextSize,
};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A line not indented by two spaces per enclosing block: rules of a
    /// profile by two, rules of a hat or child profile by four, a closing
    /// brace like its opening line. Lines that continue a statement started
    /// on an earlier line, lines indented with tabs (`tab-character`) and
    /// comments in the first column (commented-out rules) are left alone.
    ///
    /// ## Why it matters
    ///
    /// Indentation is how readers see which profile, hat or conditional
    /// block a rule belongs to; in a long profile with hats a misplaced rule
    /// grants to the wrong profile.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///     /etc/example.conf r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/example.conf r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: rewrites the line's leading spaces.
    pub static INDENTATION = {
        code: "AA307",
        name: "indentation",
        group: Style,
        level: Allow,
        fix: Safe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    // One pass over the tokens: the first non-blank token of each line
    // decides that line's expected indentation.
    let mut line_start = Some(TextSize::from(0));
    let mut indent: Option<aa_syntax::SyntaxToken> = None;
    for token in tree.descendants_with_tokens().filter_map(|e| e.into_token()) {
        match token.kind() {
            NEWLINE => {
                line_start = Some(token.text_range().end());
                indent = None;
                continue;
            }
            WHITESPACE if line_start.is_some() && indent.is_none() => {
                indent = Some(token);
                continue;
            }
            _ => {}
        }
        let Some(start) = line_start.take() else {
            continue;
        };
        let written = indent.take().map(|t| t.text().to_string()).unwrap_or_default();
        if let Some(expected) = expected_indent(&token, start, written.is_empty()) {
            if written.contains('\t') || written == expected {
                continue;
            }
            let range = TextRange::new(start, token.text_range().start());
            let message = format!("indented by {} spaces; expected {}", written.len(), expected.len());
            sink.report(message, ctx.root, range).with_fix(
                Applicability::Safe,
                "re-indent",
                vec![TextEdit { file: ctx.root, range, new_text: expected }],
            );
        }
    }
}

/// Two spaces per enclosing block; `None` for lines that continue a
/// statement and for comments in the first column.
fn expected_indent(token: &aa_syntax::SyntaxToken, line_start: TextSize, first_column: bool) -> Option<String> {
    if first_column && token.kind() == COMMENT {
        return None;
    }
    let mut depth = 0usize;
    for node in token.parent_ancestors() {
        if node.kind() == ERROR {
            return None;
        }
        if node.kind() == BLOCK {
            depth += 1;
        } else if depth == 0 && node.text_range().start() < line_start {
            return None;
        }
    }
    if token.kind() == R_CURLY {
        depth = depth.saturating_sub(1);
    }
    Some("  ".repeat(depth))
}
