use aa_syntax::{
    SyntaxKind::{ARROW, PIVOT_ROOT_RULE, VALUE},
    SyntaxNode, TextRange,
    ast::{self, AstNode},
};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A `pivot_root` rule whose new root or `oldroot=` path does not end
    /// with `/`: `pivot_root /srv/root,`.
    ///
    /// ## Why it matters
    ///
    /// Both paths name directories, and the kernel matches a directory by
    /// its path with a trailing `/` (`/srv/root/`). `apparmor_parser` adds
    /// none, so a path without the slash never matches and the rule allows
    /// no `pivot_root` at all (the apparmor.d manual says these paths must
    /// end with `/`).
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   pivot_root oldroot=/srv/root/old/ /srv/root,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   pivot_root oldroot=/srv/root/old/ /srv/root/,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Unsafe: appends the `/`. The rule then matches the directory it
    /// names, so it starts to allow a `pivot_root` it did not before.
    pub static PIVOT_ROOT_TRAILING_SLASH = {
        code: "AA215",
        name: "pivot-root-trailing-slash",
        group: Correctness,
        level: Warn,
        fix: Unsafe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for rule in tree.descendants().filter(|n| n.kind() == PIVOT_ROOT_RULE).filter_map(ast::Rule::cast) {
        let node = rule.syntax();
        // The new root: the plain values before `->` (after it, a profile name).
        let mut paths: Vec<(&str, SyntaxNode)> = Vec::new();
        for element in node.children_with_tokens() {
            if element.kind() == ARROW {
                break;
            }
            if let Some(n) = element.into_node().filter(|n| n.kind() == VALUE) {
                paths.push(("new root", n));
            }
        }
        for condition in rule.conditions().filter(|c| c.name().as_deref() == Some("oldroot")) {
            if let Some(value) = condition.value() {
                paths.push(("oldroot", value.syntax().clone()));
            }
        }
        for (what, value) in paths {
            let text = value.text().to_string();
            let quoted = text.starts_with('"');
            let bare = text.trim_matches('"');
            // Globs and variables may already end in a slash: only plain ends.
            let Some(last) = bare.chars().last() else { continue };
            if last == '/' || matches!(last, '*' | '}' | ']' | '?') {
                continue;
            }
            let end = value.text_range().end() - aa_syntax::TextSize::from(quoted as u32);
            sink.report(
                format!("pivot_root {what} `{text}` does not end with `/`: a directory never matches it, so the rule allows nothing"),
                ctx.root,
                value.text_range(),
            )
            .with_fix(
                Applicability::Unsafe,
                "append `/`",
                vec![TextEdit { file: ctx.root, range: TextRange::empty(end), new_text: "/".into() }],
            );
        }
    }
}
