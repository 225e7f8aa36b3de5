use aa_syntax::{
    SyntaxKind::{BLOCK, ERROR, R_CURLY},
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
    let text = ctx.root_text();
    let tree = ctx.parse(ctx.root).syntax_node();
    let mut line_start = 0usize;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent_len = body.len() - body.trim_start_matches([' ', '\t']).len();
        let indent = &body[..indent_len];
        if indent_len == body.len() || indent.contains('\t') {
            continue;
        }
        let at = TextSize::from((start + indent_len) as u32);
        let Some(token) = tree.token_at_offset(at).right_biased() else { continue };
        let line_range_start = TextSize::from(start as u32);
        let mut depth = 0usize;
        let mut continuation = false;
        for node in token.parent_ancestors() {
            if node.kind() == ERROR {
                continuation = true;
            }
            if node.kind() == BLOCK {
                depth += 1;
            } else if depth == 0 && node.text_range().start() < line_range_start {
                continuation = true;
            }
        }
        if continuation || (indent_len == 0 && token.kind() == aa_syntax::SyntaxKind::COMMENT) {
            continue;
        }
        if token.kind() == R_CURLY {
            depth = depth.saturating_sub(1);
        }
        let expected = "  ".repeat(depth);
        if indent == expected {
            continue;
        }
        let range = TextRange::new(line_range_start, at);
        let message = format!("indented by {} spaces; expected {}", indent.len(), expected.len());
        sink.report(message, ctx.root, range).with_fix(
            Applicability::Safe,
            "re-indent",
            vec![TextEdit { file: ctx.root, range, new_text: expected }],
        );
    }
}
