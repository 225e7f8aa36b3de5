use std::sync::Arc;

use aa_hir::model::{Owner, Profile, Rule, RuleKind, RuleMode};

use crate::{
    context::LintContext,
    diagnostic::Sink,
    glob::{Glob, Perms},
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

/// The deny rules compared per profile, at most (a bound on the work a
/// generated giant profile can cause).
pub(crate) const MAX_DENIES: usize = 500;

/// A profile's deny rules, their globs expanded once.
pub(crate) struct Denies<'a> {
    rules: Vec<(&'a Rule, Option<Arc<Glob>>, Perms)>,
    /// Whether some deny rule is a file rule (else an allowed path need
    /// not be parsed).
    has_file_rules: bool,
}

pub(crate) fn deny_rules(profile: &Profile) -> Denies<'_> {
    let rules = profile
        .rules
        .iter()
        .filter(|r| r.qualifiers.mode == RuleMode::Deny)
        .take(MAX_DENIES)
        .map(|r| match &*r.kind {
            RuleKind::File { path: Some(p), perms, .. } => (r, Some(Glob::shared(p)), Perms::parse(perms)),
            RuleKind::File { path: None, .. } => (r, None, Perms::all()),
            _ => (r, None, Perms::default()),
        })
        .collect::<Vec<_>>();
    let has_file_rules = rules.iter().any(|(r, ..)| matches!(*r.kind, RuleKind::File { .. }));
    Denies { rules, has_file_rules }
}

impl<'a> Denies<'a> {
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a Rule> + '_ {
        self.rules.iter().map(|(r, _, _)| *r)
    }

    /// The deny rule that takes away all of `rule`, if any.
    pub(crate) fn cancelling(&self, rule: &Rule) -> Option<&'a Rule> {
        let allow = match &*rule.kind {
            RuleKind::File { path: Some(p), perms, .. } if self.has_file_rules => {
                Some((Glob::shared(p), Perms::parse(perms)))
            }
            _ => None,
        };
        self.rules.iter().find_map(|(d, glob, denied)| {
            let owner_ok = d.qualifiers.owner == Owner::Any || d.qualifiers.owner == rule.qualifiers.owner;
            let cancels = owner_ok
                && match (&*rule.kind, &*d.kind) {
                    (RuleKind::File { .. }, RuleKind::File { path: dp, .. }) => {
                        allow.as_ref().is_some_and(|(a, ap)| {
                            denied.contains(ap) && (dp.is_none() || glob.as_ref().is_some_and(|g| g.covers(a)))
                        })
                    }
                    (RuleKind::Capability { names: a }, RuleKind::Capability { names: b }) => {
                        !a.is_empty() && a.iter().all(|n| b.contains(n))
                    }
                    _ => false,
                };
            cancels.then_some(*d)
        })
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for profile in &ctx.model.profiles {
        let denies = deny_rules(profile);
        if denies.is_empty() {
            continue;
        }
        // Only findings with one side in the linted file are reported.
        let denies_here = denies.iter().any(|d| d.origin.location.file == ctx.root);
        for rule in profile.rules.iter().filter(|r| r.qualifiers.mode != RuleMode::Deny) {
            if !denies_here && rule.origin.location.file != ctx.root {
                continue;
            }
            let Some(deny) = denies.cancelling(rule) else {
                continue;
            };
            if rule.origin.location.file != ctx.root && deny.origin.location.file != ctx.root {
                continue;
            }
            let message =
                format!("`{}` grants nothing: `{}` denies all of it", ctx.rule_text(rule), ctx.rule_text(deny));
            let (file, range) = (deny.origin.location.file, deny.origin.location.range);
            ctx.report_rule(sink, rule, sink.default_severity(), message).with_related(file, range, "denied here");
        }
    }
}
