use aa_hir::model::RuleKind;
use aa_syntax::SyntaxKind::{PTRACE_RULE, SIGNAL_RULE};

use crate::{
    context::LintContext,
    diagnostic::{Severity, Sink},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// `ptrace` and `signal` rules without a `peer=`: they apply to every
    /// process, whatever its profile. Rules that only let others act on the
    /// program (`ptrace (readby, tracedby)`, `signal (receive)`), read-only
    /// `ptrace (read)` and signals limited to `set=(exists)` are
    /// information; the rest (`trace`, sending real signals) are warnings.
    ///
    /// ## Why it matters
    ///
    /// `ptrace (trace)` on any peer lets the program read and change the
    /// memory of every process it can reach; sending any signal to any peer
    /// lets it kill them. Naming the peer profile keeps the rule to the
    /// processes it is meant for.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   signal send,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   signal send set=(term, kill) peer=example//worker,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None.
    pub static UNSCOPED_PTRACE_OR_SIGNAL = {
        code: "AA108",
        name: "unscoped-ptrace-or-signal",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for (_, rule) in ctx.allow_rules() {
        let RuleKind::Other { class, access, conditions, .. } = &*rule.kind else {
            continue;
        };
        if !matches!(*class, PTRACE_RULE | SIGNAL_RULE) || conditions.iter().any(|c| c.name == "peer") {
            continue;
        }
        let has = |words: &[&str]| access.iter().any(|a| words.contains(&a.as_str()));
        let only_exists = conditions
            .iter()
            .find(|c| c.name == "set")
            .is_some_and(|c| !c.values.is_empty() && c.values.iter().all(|v| v.trim_matches('"') == "exists"));
        let mild = if *class == PTRACE_RULE {
            !access.is_empty() && !has(&["trace", "rw", "w"])
        } else {
            only_exists || (!access.is_empty() && !has(&["send", "w", "rw"]))
        };
        let severity = if mild { Severity::Info } else { Severity::Warning };
        let message =
            format!("`{}` has no `peer=`: it applies to every process; name the peer profile", ctx.rule_text(rule));
        ctx.report_rule(sink, rule, severity, message);
    }
}
