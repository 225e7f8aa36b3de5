use aa_syntax::{
    SyntaxKind::{R_CURLY, WHITESPACE},
    TextRange,
    ast::{self, AstNode, Item},
};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A top-level profile, child profile or hat whose last statement is not
    /// `include if exists <local/NAME>`.
    ///
    /// ## Why it matters
    ///
    /// Local additions belong in `local/`, which packages do not overwrite;
    /// without the hook, administrators edit the packaged profile and lose
    /// their changes at the next upgrade. At the end of the block, the local
    /// rules come last, where readers expect them.
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
    /// profile example /usr/bin/example {
    ///   /etc/example.conf r,
    ///   include if exists <local/example>
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Unsafe, for top-level profiles: inserts `include if exists
    /// <local/FILE>` (the file's name) before the closing brace. If that local
    /// file already exists, its rules start to apply.
    pub static MISSING_LOCAL_INCLUDE = {
        code: "AA302",
        name: "missing-local-include",
        group: Style,
        level: Allow,
        fix: Unsafe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for profile in tree.descendants().filter_map(ast::Profile::cast) {
        let Some(body) = profile.body() else { continue };
        let last = body.items().filter(|i| !matches!(i, Item::Error(_))).last();
        let local = |i: &Item| match i {
            Item::Include(inc) if inc.target().is_some_and(|t| t.starts_with("local/")) => Some(inc.if_exists()),
            _ => None,
        };
        let is_local = |i: &Item| local(i) == Some(true);
        if last.as_ref().is_some_and(is_local) {
            continue;
        }
        let has_one = body.items().any(|i| local(&i).is_some());
        let header = ctx.first_line(ctx.root, profile.syntax().text_range());
        let message = if body.items().any(|i| local(&i) == Some(false)) {
            "the local include should be `include if exists <local/...>`: without `if exists` the profile fails to load when the file is missing"
        } else if has_one {
            "the `include if exists <local/...>` should be the profile's last statement"
        } else {
            "no `include if exists <local/...>` at the end of the profile: local changes have nowhere to go"
        };
        let d = sink.report(message, ctx.root, header);
        let top_level = profile.syntax().parent().is_some_and(|p| p.kind() == aa_syntax::SyntaxKind::SOURCE_FILE);
        if has_one || !top_level {
            continue;
        }
        let Some(close) =
            body.syntax().children_with_tokens().filter_map(|e| e.into_token()).find(|t| t.kind() == R_CURLY)
        else {
            continue;
        };
        // Insert on its own line, indented one level deeper than the brace.
        let indent =
            close.prev_token().filter(|t| t.kind() == WHITESPACE).map(|t| t.text().to_string()).unwrap_or_default();
        let at = close
            .prev_token()
            .filter(|t| t.kind() == WHITESPACE)
            .map_or(close.text_range().start(), |t| t.text_range().start());
        let name = ctx.root_file_name();
        d.with_fix(
            Applicability::Unsafe,
            format!("add `include if exists <local/{name}>`"),
            vec![TextEdit {
                file: ctx.root,
                range: TextRange::empty(at),
                new_text: format!("{indent}  include if exists <local/{name}>\n"),
            }],
        );
    }
}
