use aa_hir::model::{RuleKind, RuleMode};

use crate::{
    context::LintContext,
    diagnostic::Sink,
    glob::{Glob, Perms},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A `prompt` rule that can never send a prompt: in a profile whose
    /// mode denies nothing (`flags=(complain)`, `flags=(unconfined)`), or
    /// covered by a `deny` rule of the same profile for every path and
    /// permission it names.
    ///
    /// ## Why it matters
    ///
    /// A `prompt` rule asks a user-space daemon to decide what the profile
    /// would otherwise refuse. AppArmor's design note on system-wide
    /// confinement uses it to let the user decide whether an untagged
    /// download may run (`prompt px @{HOME}/** -> user_downloaded//&...`):
    /// the prompt happens only where the request would be denied and no
    /// explicit `deny` has already decided. A profile in complain or
    /// unconfined mode lets everything through, and an explicit `deny`
    /// wins over `prompt`, so in either case the user is never asked and
    /// the rule only suggests an interaction that does not happen.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example flags=(complain) {
    ///   prompt /home/*/Downloads/** r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   prompt /home/*/Downloads/** r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: either the profile should enforce, or the `deny` (or the
    /// `prompt`) is not what was meant.
    pub static PROMPT_NEVER_ASKS = {
        code: "AA133",
        name: "prompt-never-asks",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for profile in &ctx.model.profiles {
        let permissive = profile.flags.iter().map(|f| f.trim()).find(|f| *f == "complain" || *f == "unconfined");
        let denies: Vec<(Glob, Perms)> = profile
            .rules
            .iter()
            .filter(|r| r.qualifiers.mode == RuleMode::Deny)
            .filter_map(|r| match &*r.kind {
                RuleKind::File { path, perms, .. } => {
                    let perms = if path.is_none() { Perms::all() } else { Perms::parse(perms) };
                    Some((Glob::new(path.as_deref().unwrap_or("/{**,}")), perms))
                }
                _ => None,
            })
            .collect();
        for rule in profile.rules.iter().filter(|r| r.qualifiers.mode == RuleMode::Prompt) {
            let reason = if let Some(flag) = permissive {
                Some(format!("`flags=({flag})` denies nothing, so nothing is asked"))
            } else if let RuleKind::File { path: Some(path), perms, .. } = &*rule.kind {
                let (glob, perms) = (Glob::new(path), Perms::parse(perms));
                denies
                    .iter()
                    .any(|(g, p)| g.covers(&glob) && p.contains(&perms))
                    .then(|| "a `deny` rule of the profile covers it, and `deny` wins over `prompt`".to_owned())
            } else {
                None
            };
            if let Some(reason) = reason {
                let message = format!("`{}` never prompts: {reason}", ctx.rule_text(rule));
                ctx.report_rule(sink, rule, sink.default_severity(), message);
            }
        }
    }
}
