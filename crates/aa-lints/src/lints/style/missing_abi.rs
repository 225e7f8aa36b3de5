use aa_syntax::TextRange;

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A file that declares a profile but has no `abi` line.
    ///
    /// ## Why it matters
    ///
    /// Without an `abi`, `apparmor_parser` compiles the profile for the
    /// feature set the system is configured with (or the kernel it runs on),
    /// so the same profile can mean different things on different machines:
    /// a rule class the ABI does not know is silently not enforced, or newly
    /// enforced after an upgrade.
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
    /// abi <abi/3.0>,
    /// profile example /usr/bin/example {
    ///   /etc/example.conf r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Unsafe: inserts `abi <abi/3.0>,` before the first statement. Pinning
    /// an ABI changes which rule classes are enforced; check it is the one
    /// the profile was written for.
    pub static MISSING_ABI = {
        code: "AA301",
        name: "missing-abi",
        group: Style,
        level: Allow,
        fix: Unsafe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).tree();
    if !ctx.root_has_profiles() || tree.items().any(|i| matches!(i, aa_syntax::ast::Item::Abi(_))) {
        return;
    }
    let Some(first) = tree.items().next() else {
        return;
    };
    let at = first.syntax().text_range().start();
    let d = sink.report(
        "no `abi` line: the profile's meaning depends on the system's feature set",
        ctx.root,
        TextRange::empty(at),
    );
    d.with_fix(
        Applicability::Unsafe,
        "pin `abi <abi/3.0>`",
        vec![TextEdit { file: ctx.root, range: TextRange::empty(at), new_text: "abi <abi/3.0>,\n\n".into() }],
    );
}
