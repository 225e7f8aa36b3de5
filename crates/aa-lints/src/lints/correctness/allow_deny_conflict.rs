use aa_hir::model::RuleKind;

use crate::{
    context::LintContext, diagnostic::Sink, glob::Perms, lints::correctness::cancelled_by_deny::deny_rules,
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// The same path (as written, after expansion) or the same capability
    /// both allowed and denied in a profile, where the deny takes away part
    /// of the allowed permissions but not all (a deny that takes everything
    /// is `cancelled-by-deny`). At least one of the two rules is in the file
    /// being linted.
    ///
    /// ## Why it matters
    ///
    /// Deny always wins, whatever the order, so the allow rule says more than
    /// the profile grants. Readers take the allow at its word.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /var/log/example.log rw,
    ///   deny /var/log/example.log w,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /var/log/example.log r,
    ///   deny /var/log/example.log w,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None.
    pub static ALLOW_DENY_CONFLICT = {
        code: "AA202",
        name: "allow-deny-conflict",
        group: Correctness,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for profile in &ctx.model.profiles {
        let denies = deny_rules(profile);
        for rule in profile.rules.iter().filter(|r| r.qualifiers.mode != aa_hir::model::RuleMode::Deny) {
            let conflict = denies.iter().find(|d| {
                if rule.origin.location.file != ctx.root && d.origin.location.file != ctx.root {
                    return false;
                }
                match (&*rule.kind, &*d.kind) {
                    (
                        RuleKind::File { path: Some(a), perms: pa, .. },
                        RuleKind::File { path: Some(b), perms: pb, .. },
                    ) => a == b && Perms::parse(pa).intersects(&Perms::parse(pb)),
                    (RuleKind::Capability { names: a }, RuleKind::Capability { names: b }) => {
                        a.iter().any(|n| b.contains(n))
                    }
                    _ => false,
                }
            });
            let Some(deny) = conflict else { continue };
            // Fully cancelled: `cancelled-by-deny`'s.
            if denies.cancelling(rule).is_some() {
                continue;
            }
            let message = format!(
                "`{}` is partly taken away by `{}`: deny always wins",
                ctx.rule_text(rule),
                ctx.rule_text(deny)
            );
            let (file, range) = (deny.origin.location.file, deny.origin.location.range);
            ctx.report_rule(sink, rule, sink.default_severity(), message).with_related(file, range, "denied here");
        }
    }
}
