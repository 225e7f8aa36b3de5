use aa_hir::model::RuleMode;

use crate::{
    context::{LintContext, exec_mode},
    diagnostic::Sink,
    registry::declare_lint,
    stacks::{exec_target, file_policy, target_layers},
};

declare_lint! {
    /// ## What it flags
    ///
    /// An exec rule with an inherit fallback (`pix`, `Pix`, `cix`, `Cix`)
    /// whose named target is a profile of the file that declares `xattrs=`
    /// (`pix @{HOME}/** -> user_downloaded//&@{profile_name}`).
    ///
    /// ## Why it matters
    ///
    /// Tagging gates a transition on the file's extended attributes: the
    /// target profile is only found when the executed file carries the tag
    /// it declares. AppArmor's design note on system-wide confinement writes
    /// such rules as `px` on purpose: when the tag does not match, the
    /// transition fails and so does the exec, which is the point of the tag
    /// (an untagged download does not run). With `pix` the failed lookup
    /// falls back to `ix`, and the untagged program runs under the current
    /// profile instead of being refused.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile global {
    ///   /home/*/** pix -> user_downloaded//&@{profile_name},
    /// }
    /// profile user_downloaded xattrs=(security.tagged=user_downloaded) { }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile global {
    ///   /home/*/** px -> user_downloaded//&@{profile_name},
    /// }
    /// profile user_downloaded xattrs=(security.tagged=user_downloaded) { }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: dropping the fallback makes untagged programs fail to run,
    /// which the author has to want.
    pub static PIX_TAGGED_TARGET = {
        code: "AA131",
        name: "pix-tagged-target",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let mut policy = None;
    for profile in &ctx.model.profiles {
        for rule in profile.rules.iter().filter(|r| r.qualifiers.mode != RuleMode::Deny) {
            let Some(mode) = exec_mode(rule) else { continue };
            if mode.len() != 2 || !mode.contains(['i', 'I']) {
                continue;
            }
            let Some((target, child)) = exec_target(&rule.kind) else { continue };
            let Some(layers) = target_layers(profile, target, child) else { continue };
            let policy = policy.get_or_insert_with(|| file_policy(ctx));
            let tagged = layers.iter().find(|l| {
                aa_label::ProfileName::parse(l)
                    .ok()
                    .and_then(|n| policy.find(&n))
                    .is_some_and(|i| !policy.profile(i).xattrs.is_empty())
            });
            if let Some(tagged) = tagged {
                let message = format!(
                    "`{}`: `{tagged}` is found only for files with its xattrs; with the `i` fallback an untagged program runs under this profile instead of failing: use `{}x`",
                    ctx.rule_text(rule),
                    &mode[..1]
                );
                ctx.report_rule(sink, rule, sink.default_severity(), message);
            }
        }
    }
}
