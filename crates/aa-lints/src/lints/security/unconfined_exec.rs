use crate::{
    context::{LintContext, exec_mode},
    diagnostic::Sink,
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// Exec rules that can run a program unconfined: `ux`, `Ux`, and the
    /// unconfined fallbacks `pux`, `PUx`, `cux`, `CUx`.
    ///
    /// ## Why it matters
    ///
    /// An unconfined child has no AppArmor restriction at all: whatever the
    /// profile denies, the confined program can still do it by running the
    /// child (with its arguments and environment, for `ux`). A fallback does
    /// it whenever the target profile is not loaded.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /usr/bin/helper ux,
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
    /// None: the child needs a profile of its own (or `ix`) first.
    pub static UNCONFINED_EXEC = {
        code: "AA105",
        name: "unconfined-exec",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for rule in ctx.allow_exec_rules() {
        let mode = exec_mode(rule).unwrap_or_default();
        if !mode.contains(['u', 'U']) {
            continue;
        }
        let message = if mode.len() == 1 {
            format!("`{}` runs the program unconfined", ctx.rule_text(rule))
        } else {
            format!("`{}` runs the program unconfined when its profile is not loaded", ctx.rule_text(rule))
        };
        ctx.report_rule(sink, rule, sink.default_severity(), message);
    }
}
