use aa_syntax::{
    SyntaxKind::{COMMENT, NEWLINE, WHITESPACE},
    TextRange,
};

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// A file that does not start with a comment (a vim modeline alone does
    /// not count).
    ///
    /// ## Why it matters
    ///
    /// The header is where a profile says what it confines, who maintains
    /// it and under which licence: what a reviewer or packager needs before
    /// reading the rules.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/example.conf r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// # AppArmor profile for example, the example daemon.
    /// # Maintainer: Example Team <team@example.org>
    /// profile example /usr/bin/example {
    ///   /etc/example.conf r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: only the author can write it.
    pub static MISSING_HEADER_COMMENT = {
        code: "AA310",
        name: "missing-header-comment",
        group: Style,
        level: Allow,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    let mut tokens = tree.descendants_with_tokens().filter_map(|e| e.into_token());
    let first = tokens.find(|t| !matches!(t.kind(), WHITESPACE | NEWLINE));
    let Some(first) = first else { return };
    if first.kind() == COMMENT && !first.text().contains("vim:") {
        return;
    }
    sink.report(
        "no header comment: say what the profile confines and who maintains it",
        ctx.root,
        TextRange::empty(first.text_range().start()),
    );
}
