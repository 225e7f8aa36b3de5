use aa_syntax::{
    SyntaxKind::ATTACHMENT,
    TextRange, TextSize,
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
    /// A directory variable (every value ends with `/`, like `@{HOME}`,
    /// `@{PROC}`, `@{run}`) used in a path without the `/` that marks it as a
    /// directory: `@{HOME}.cache/**`, `@{PROC}**`, `owner @{HOME} r`.
    ///
    /// ## Why it matters
    ///
    /// The expansion is the same, but the path reads as if the variable were
    /// a prefix of a name; writing `@{HOME}/` shows where the directory ends
    /// and keeps the path right if the variable is ever redefined without
    /// the trailing slash.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// include <tunables/global>
    /// profile example /usr/bin/example {
    ///   owner @{HOME}.config/example/** r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// include <tunables/global>
    /// profile example /usr/bin/example {
    ///   owner @{HOME}/.config/example/** r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: inserts the `/` (a doubled `/` is collapsed, so the expansion
    /// does not change).
    pub static DIRECTORY_SLASH = {
        code: "AA305",
        name: "directory-slash",
        group: Style,
        level: Allow,
        fix: Safe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    let attachments =
        tree.descendants().filter(|n| n.kind() == ATTACHMENT).filter_map(|n| n.children().find_map(ast::Value::cast));
    let values = ctx.rule_paths().chain(attachments);
    for value in values {
        let text = value.text();
        let start = value.syntax().text_range().start();
        let mut from = 0;
        while let Some(i) = text[from..].find("@{") {
            let open = from + i;
            let Some(len) = text[open..].find('}') else {
                break;
            };
            let close = open + len + 1;
            from = close;
            let name = &text[open + 2..close - 1];
            let next = text[close..].chars().next();
            if matches!(next, Some('/' | '{' | ',' | '"' | ' ')) {
                continue;
            }
            let Some(var) = ctx.variables.sets.get(name) else {
                continue;
            };
            if var.values.is_empty() || !var.values.iter().all(|v| v.ends_with('/')) {
                continue;
            }
            let range = TextRange::new(start + TextSize::from(open as u32), start + TextSize::from(close as u32));
            let at = TextRange::empty(range.end());
            sink.report(format!("`@{{{name}}}` is a directory: write `@{{{name}}}/`"), ctx.root, range).with_fix(
                Applicability::Safe,
                "add the `/`",
                vec![TextEdit { file: ctx.root, range: at, new_text: "/".into() }],
            );
        }
    }
}
