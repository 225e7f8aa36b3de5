use aa_hir::model::{Profile, RuleKind};

use crate::{
    context::LintContext,
    diagnostic::{Severity, Sink},
    glob::{Breadth, Perms, breadth},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// In a profile that confines a whole system or user session (attached
    /// to `/**` or a pattern as wide, or used as a layer of a `&` stack by
    /// another profile of the file), an exec rule that transitions to another
    /// profile without keeping the global one: `px`, `Px`, `pix`, `cx`, `Cx`,
    /// `ux`, `Px -> name` without `&`; and a `change_profile` to a target
    /// without `&`.
    ///
    /// ## Why it matters
    ///
    /// A global profile is only a boundary if every process stays under it.
    /// A transition replaces the profile: the child runs under the target
    /// profile alone (or unconfined), outside the global layer. Stacking
    /// (`px -> &@{profile_name}`, or `Px -> &target`) keeps both, and `ix`
    /// keeps the child in the global profile.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile system /** {
    ///   /usr/bin/helper Px,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile system /** {
    ///   /usr/bin/helper ix,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: whether the child should stay in the global profile (`ix`) or
    /// get its own profile stacked on it (`px -> &...`) is a design choice.
    pub static GLOBAL_PROFILE_ESCAPE = {
        code: "AA103",
        name: "global-profile-escape",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

/// Whether a profile confines the whole system or a user session.
pub fn is_global(ctx: &LintContext<'_>, profile: &Profile) -> bool {
    let wide = profile
        .attachment
        .as_deref()
        .and_then(breadth)
        .is_some_and(|b| b == Breadth::Everything || b == Breadth::Tree("every home directory"));
    let short = profile.name.rsplit("//").next().unwrap_or(&profile.name);
    let stacked = ctx.model.profiles.iter().flat_map(|p| &p.rules).any(|r| {
        let target = match &*r.kind {
            RuleKind::File { target: Some(t), .. } => t,
            RuleKind::ChangeProfile { target: Some(t), .. } => t,
            _ => return false,
        };
        target.split("//").any(|part| part.strip_prefix('&').is_some_and(|n| n == profile.name || n == short))
    });
    wide || stacked
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for profile in ctx.model.profiles.iter().filter(|p| is_global(ctx, p)) {
        for rule in profile.rules.iter().filter(|r| r.qualifiers.mode != aa_hir::model::RuleMode::Deny) {
            if let RuleKind::ChangeProfile { target, .. } = &*rule.kind {
                if target.as_deref().is_none_or(|t| !t.starts_with('&') && !t.contains("//&")) {
                    let message = format!(
                        "`{}` in the global profile `{}` lets the process move to a profile without the global layer; change to a stack (`change_profile -> &target`)",
                        ctx.rule_text(rule),
                        profile.name
                    );
                    ctx.report_rule(sink, rule, Severity::Warning, message);
                }
                continue;
            }
            let RuleKind::File { perms, target, .. } = &*rule.kind else {
                continue;
            };
            let Some(mode) = Perms::parse(perms).exec else {
                continue;
            };
            if mode == "i" || mode.is_empty() {
                continue;
            }
            if target.as_deref().is_some_and(|t| t.starts_with('&') || t.contains("//&")) {
                continue;
            }
            let severity = if mode.contains(['u', 'U']) { Severity::Error } else { Severity::Warning };
            let message = format!(
                "`{}` in the global profile `{}` leaves it: the child runs outside the global layer; stack (`px -> &@{{profile_name}}`, `Px -> &target`) or use `ix`",
                ctx.rule_text(rule),
                profile.name
            );
            ctx.report_rule(sink, rule, severity, message);
        }
    }
}
