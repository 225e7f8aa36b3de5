use aa_hir::includes::{file_includes, included_files};
use aa_syntax::ast::{self, AstNode};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A `-strict` abstraction included in the same block as its broad twin
    /// (`abstractions/dbus-session-strict` next to `abstractions/dbus-session`).
    ///
    /// ## Why it matters
    ///
    /// The broad abstraction grants everything the strict one does and more
    /// (upstream's broad abstractions include their strict twin), so the
    /// strict include has no effect: the author probably meant to drop the
    /// broad one.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   include <abstractions/nameservice>
    ///   include <abstractions/nameservice-strict>
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   include <abstractions/nameservice-strict>
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe, when the broad abstraction includes the strict one: deletes the
    /// strict include, which changes nothing the profile grants. (Dropping the
    /// broad one instead is what `missing-strict-abstraction` suggests once
    /// the strict include is alone.)
    pub static STRICT_WITH_BROAD_ABSTRACTION = {
        code: "AA206",
        name: "strict-with-broad-abstraction",
        group: Correctness,
        level: Warn,
        fix: Safe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for include in tree.descendants().filter_map(ast::Include::cast) {
        let Some(target) = include.target() else {
            continue;
        };
        let Some(broad) = target.strip_suffix("-strict") else {
            continue;
        };
        let Some(parent) = include.syntax().parent() else {
            continue;
        };
        let Some(twin) =
            parent.children().filter_map(ast::Include::cast).find(|i| i.target().as_deref() == Some(broad))
        else {
            continue;
        };
        let range = include.syntax().text_range();
        let twin_range = twin.syntax().text_range();
        let broad_includes_strict = included_files(ctx.db, ctx.root, twin_range)
            .iter()
            .any(|&f| file_includes(ctx.db, f).iter().any(|i| i.target == target));
        let message = format!("`{target}` is included next to `{broad}`, which grants all of it and more");
        let edit = ctx.line_removal(ctx.root, range);
        let d = sink.report(message, ctx.root, range);
        d.with_related(ctx.root, twin_range, "the broad abstraction");
        if let (true, Some(edit)) = (broad_includes_strict, edit) {
            d.with_fix(Applicability::Safe, format!("delete the `{target}` include"), vec![edit]);
        }
    }
}
