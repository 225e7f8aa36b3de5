use aa_hir::model::{RuleKind, RuleMode};

use crate::{
    context::LintContext,
    diagnostic::{Severity, Sink},
    glob::{Perms, expand_braces, normalize},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A bare `file,` rule in the same profile as an exec rule on every file
    /// (`pix /**`, `/{,**} Px`, ...) with a mode other than `ix`.
    /// `apparmor_parser` rejects the profile ("profile has merged rule with
    /// conflicting x modifiers"): `file,` means `/{,**} mrwlkix`, so `/**`
    /// gets two different exec modes. An exec rule on a narrower path is
    /// fine: the more specific rule wins.
    ///
    /// The `parser` group's `conflicting-exec-modifiers` finds every such
    /// conflict exactly, by compiling the profile; where both flag the same
    /// exec rule, only this lint's finding is shown there.
    ///
    /// ## Why it matters
    ///
    /// The policy does not load. The message from `apparmor_parser` names
    /// neither rule, which makes it hard to find.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile system /** {
    ///   file,
    ///   pix /**,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile system /** {
    ///   file,
    ///   /usr/bin/helper Px,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: drop the exec rule (keeping `ix` from `file,`) or narrow it.
    pub static FILE_RULE_EXEC_CONFLICT = {
        code: "AA208",
        name: "file-rule-exec-conflict",
        group: Correctness,
        level: Error,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for profile in &ctx.model.profiles {
        let allows = || profile.rules.iter().filter(|r| r.qualifiers.mode != RuleMode::Deny);
        let Some(file_rule) = allows().find(|r| matches!(*r.kind, RuleKind::File { path: None, .. })) else {
            continue;
        };
        for rule in allows() {
            let RuleKind::File { path: Some(path), perms, .. } = &*rule.kind else {
                continue;
            };
            let Some(mode) = Perms::parse(perms).exec else {
                continue;
            };
            if mode == "i" || !expand_braces(&normalize(path), 64).iter().any(|a| normalize(a) == "/**") {
                continue;
            }
            let message = format!(
                "`{}` conflicts with `file,`, which already gives `/**` the exec mode `ix`: apparmor_parser rejects the profile (\"conflicting x modifiers\")",
                ctx.rule_text(rule)
            );
            let (file, range) = (file_rule.origin.location.file, file_rule.origin.location.range);
            ctx.report_rule(sink, rule, Severity::Error, message).with_related(file, range, "`file,` is here");
        }
    }
}
