use aa_hir::model::{Owner, Profile, Rule, RuleKind, RuleMode};

use crate::{
    context::LintContext,
    diagnostic::Sink,
    glob::{Perms, covers},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// An allow rule a deny rule of the same profile takes away entirely:
    /// the deny's path covers the allow's (the same glob, a plain path the
    /// deny's glob matches, or a path under a deny of `prefix/**`) and it
    /// denies every permission the allow grants; or every capability of a
    /// capability rule is denied. Textual cases only, for now. At least one of
    /// the two rules is in the file being linted.
    ///
    /// ## Why it matters
    ///
    /// The allow rule grants nothing: deny always wins. Either the deny is
    /// wider than meant, or the allow is dead and misleads readers.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/shadow r,
    ///   deny /etc/shadow r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   deny /etc/shadow r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: which of the two is wrong is the author's call.
    pub static CANCELLED_BY_DENY = {
        code: "AA203",
        name: "cancelled-by-deny",
        group: Correctness,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

pub(crate) fn deny_rules(profile: &Profile) -> Vec<&Rule> {
    profile.rules.iter().filter(|r| r.qualifiers.mode == RuleMode::Deny).collect()
}

/// The deny rule that takes away all of `rule`, if any.
pub(crate) fn fully_cancelled<'a>(rule: &Rule, denies: &[&'a Rule]) -> Option<&'a Rule> {
    denies.iter().copied().find(|d| {
        let owner_ok = d.qualifiers.owner == Owner::Any || d.qualifiers.owner == rule.qualifiers.owner;
        owner_ok
            && match (&rule.kind, &d.kind) {
                (RuleKind::File { path: Some(a), perms: pa, .. }, RuleKind::File { path: dp, perms: pb, .. }) => {
                    let denied = if dp.is_none() { Perms::all() } else { Perms::parse(pb) };
                    denied.contains(&Perms::parse(pa)) && dp.as_deref().is_none_or(|b| covers(b, a))
                }
                (RuleKind::Capability { names: a }, RuleKind::Capability { names: b }) => {
                    !a.is_empty() && a.iter().all(|n| b.contains(n))
                }
                _ => false,
            }
    })
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for profile in &ctx.model.profiles {
        let denies = deny_rules(profile);
        if denies.is_empty() {
            continue;
        }
        for rule in profile.rules.iter().filter(|r| r.qualifiers.mode != RuleMode::Deny) {
            let Some(deny) = fully_cancelled(rule, &denies) else { continue };
            if rule.origin.location.file != ctx.root && deny.origin.location.file != ctx.root {
                continue;
            }
            let message = format!("`{}` grants nothing: `{}` denies all of it", ctx.rule_text(rule), ctx.rule_text(deny));
            let (file, range) = (deny.origin.location.file, deny.origin.location.range);
            ctx.report_rule(sink, rule, sink.default_severity(), message).with_related(file, range, "denied here");
        }
    }
}
