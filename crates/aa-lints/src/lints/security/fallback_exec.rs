use crate::{
    context::{LintContext, exec_mode},
    diagnostic::Sink,
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// Exec rules with an inherit fallback: `pix`, `Pix`, `cix`, `Cix`. (The
    /// unconfined fallbacks `pux`, `cux` are `unconfined-exec`.) Off by
    /// default: the fallback is often deliberate.
    ///
    /// ## Why it matters
    ///
    /// With a fallback, what the child may do depends on whether a profile
    /// for it is loaded: when it is not (removed, renamed, not yet
    /// installed), the child silently inherits the parent's profile and all
    /// of its permissions instead of failing. A plain `Px` makes the missing
    /// profile visible.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /usr/bin/helper Pix,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /usr/bin/helper Px,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: removing the fallback makes the exec fail where no profile is
    /// loaded, which the author has to want.
    pub static FALLBACK_EXEC = {
        code: "AA104",
        name: "fallback-exec",
        group: Security,
        level: Allow,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for rule in ctx.allow_exec_rules() {
        let mode = exec_mode(rule).unwrap_or_default();
        if mode.len() == 2 && mode.contains(['i', 'I']) {
            let kind = if mode.contains(['c', 'C']) { "child profile" } else { "profile" };
            let message = format!(
                "`{}` falls back to inheriting this profile when the target {kind} is not loaded",
                ctx.rule_text(rule)
            );
            ctx.report_rule(sink, rule, sink.default_severity(), message);
        }
    }
}
