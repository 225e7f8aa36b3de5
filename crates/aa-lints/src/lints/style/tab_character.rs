use aa_syntax::SyntaxKind::WHITESPACE;

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// Tab characters in the blanks between tokens (indentation included).
    /// Tabs inside comments and quoted strings are left alone.
    ///
    /// ## Why it matters
    ///
    /// Tabs show at different widths in different editors, so nesting that
    /// looks right in one is wrong in the next; two-space indentation
    /// (`indentation`) needs spaces.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    /// 	/etc/example.conf r,
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
    /// Safe: each tab becomes two spaces.
    pub static TAB_CHARACTER = {
        code: "AA308",
        name: "tab-character",
        group: Style,
        level: Allow,
        fix: Safe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    if !ctx.root_text().contains('\t') {
        return;
    }
    let tree = ctx.parse(ctx.root).syntax_node();
    for token in tree.descendants_with_tokens().filter_map(|e| e.into_token()) {
        if token.kind() != WHITESPACE || !token.text().contains('\t') {
            continue;
        }
        let range = token.text_range();
        sink.report("tab character: use spaces", ctx.root, range).with_fix(
            Applicability::Safe,
            "replace tabs with two spaces",
            vec![TextEdit { file: ctx.root, range, new_text: token.text().replace('\t', "  ") }],
        );
    }
}
