use aa_syntax::{
    SyntaxKind::INCLUDE_TARGET,
    TextRange, TextSize,
    ast::{self, AstNode},
};

use crate::{
    context::LintContext,
    conventions,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// An `include <abstractions/NAME>` when the include path also has
    /// `abstractions/NAME-strict` (`dbus-session` → `dbus-session-strict`,
    /// `nameservice` → `nameservice-strict`, ...). The strict sibling is
    /// looked up through the same search path `apparmor_parser` uses, so a
    /// project's own `-strict` abstractions count too. An include that already
    /// sits next to its strict twin is left to `strict-with-broad-abstraction`.
    ///
    /// A strict sibling whose header says it is not to be included by hand
    /// is not advised: apparmor.d's `abstractions/base-strict` ("Do not use
    /// it manually, it automatically replaces the base abstraction in
    /// profiles when the base-strict prebuild feature is enabled"), or one
    /// marked `LOGPROF-SUGGEST: no`, the marker by which a collection tells
    /// `aa-logprof` not to suggest an abstraction.
    ///
    /// ## Why it matters
    ///
    /// The `-strict` variant grants the core of what the abstraction is for;
    /// the broad one adds access many programs do not need (for
    /// `dbus-session`: talking to the whole session bus). Start strict and
    /// add what is missing.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   include <abstractions/nameservice>
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
    /// Unsafe: switches the include to the `-strict` abstraction. The profile
    /// then grants less, which can break the program where it relied on the
    /// broad abstraction; review and test before applying.
    pub static MISSING_STRICT_ABSTRACTION = {
        code: "AA102",
        name: "missing-strict-abstraction",
        group: Security,
        level: Warn,
        fix: Unsafe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for include in tree.descendants().filter_map(ast::Include::cast) {
        if !include.is_search_path() {
            continue;
        }
        let Some(target) = include.target() else {
            continue;
        };
        let Some(name) = target.strip_prefix("abstractions/") else {
            continue;
        };
        if name.ends_with("-strict") || name.is_empty() || name.contains('/') {
            continue;
        }
        let strict = format!("{target}-strict");
        let Some(strict_file) = ctx.search_path_file(&strict) else {
            continue;
        };
        // The collection replaces it at build time, or says not to suggest it.
        if conventions::not_to_be_advised(ctx.text(strict_file)).is_some() {
            continue;
        }
        // Already next to its strict twin: `strict-with-broad-abstraction`.
        let siblings = include.syntax().parent().into_iter().flat_map(|p| p.children()).filter_map(ast::Include::cast);
        if siblings.filter_map(|i| i.target()).any(|t| t == strict) {
            continue;
        }
        let range = include.syntax().text_range();
        let d = sink.report(
            format!("`{target}` has a strict variant: include `<{strict}>` and add only what the program needs"),
            ctx.root,
            range,
        );
        if let Some(node) = include.syntax().children().find(|n| n.kind() == INCLUDE_TARGET) {
            let text = node.text().to_string();
            if let Some(offset) = text.find(&target) {
                let at = node.text_range().start() + TextSize::from((offset + target.len()) as u32);
                d.with_fix(
                    Applicability::Unsafe,
                    format!("include `<{strict}>` instead"),
                    vec![TextEdit { file: ctx.root, range: TextRange::empty(at), new_text: "-strict".into() }],
                );
            }
        }
    }
}
