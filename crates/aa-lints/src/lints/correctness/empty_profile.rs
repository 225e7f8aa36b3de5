use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// A profile, child profile or hat of the file being linted with no
    /// rules at all (after includes and conditionals) and no child profile or
    /// hat of its own. Profiles in `unconfined` mode are left alone.
    ///
    /// ## Why it matters
    ///
    /// An empty profile denies everything: a program attached to it cannot
    /// even load its libraries. It is usually a stub left unfinished or an
    /// include that did not resolve as expected.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /usr/bin/example mr,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None.
    pub static EMPTY_PROFILE = {
        code: "AA204",
        name: "empty-profile",
        group: Correctness,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    // A standard abstraction this machine lacks may hold every rule; the
    // run's note says the lint was skipped.
    if !ctx.closure.unseen_abstractions.is_empty() {
        return;
    }
    for (index, profile) in ctx.model.profiles.iter().enumerate() {
        if profile.origin.location.file != ctx.root
            || !profile.rules.is_empty()
            || profile.flags.iter().any(|f| f == "unconfined")
            || ctx.model.profiles.iter().any(|p| p.parent == Some(index))
        {
            continue;
        }
        let range = ctx.first_line(ctx.root, profile.origin.location.range);
        sink.report(format!("profile `{}` has no rules: it denies everything", profile.name), ctx.root, range);
    }
}
