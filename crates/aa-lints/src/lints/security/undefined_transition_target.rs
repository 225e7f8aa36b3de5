use aa_hir::model::{RuleKind, RuleMode};
use aa_hir::policy_names;

use crate::{
    context::LintContext,
    diagnostic::Sink,
    registry::declare_lint,
    stacks::{exec_target, find_profile, target_layers},
};

declare_lint! {
    /// ## What it flags
    ///
    /// A transition to a profile that cannot exist, judged from what the
    /// file itself defines: `cx -> name` (or `cix`, `cux`) where the profile
    /// has no child profile `name`, and `px -> parent//child` or
    /// `change_profile -> parent//child` where the file defines `parent`
    /// but not its child. A top-level target (`px -> name`, `&name` in a
    /// stack) is judged only when the whole policy is known, as when
    /// `aa-lint check` is given the policy's directory: then it is flagged
    /// when no file of that policy, nor of the top of the base directory
    /// (what the system has installed), defines a top-level profile of
    /// that name. Checking single files, such a target may be defined by a file
    /// not checked, and it is not judged.
    ///
    /// ## Why it matters
    ///
    /// The kernel looks a `cx` target up among the profile's own children
    /// (the compiler writes it as `profile//name`), and a child profile is
    /// always written inside its parent, so the file that holds the parent
    /// holds every child there can be. When the target is missing, the
    /// transition fails: the exec is refused, or with a fallback (`cix`,
    /// `cux`) the program runs under the current profile or unconfined.
    /// AppArmor's design note on system-wide confinement relies on
    /// transitions failing only when meant to (an xattr tag that does not
    /// match); a misspelt target fails always.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /usr/bin/journalctl cx -> journalctl,
    ///   profile journalctl-read { }
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /usr/bin/journalctl cx -> journalctl-read,
    ///   profile journalctl-read { }
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: the target's name, or the missing child, has to be written.
    pub static UNDEFINED_TRANSITION_TARGET = {
        code: "AA132",
        name: "undefined-transition-target",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    // Top-level names of the whole policy, when this file is part of a
    // policy known whole.
    let known_names = if policy_names::in_known_policy(ctx.db, ctx.root) {
        policy_names::policy_profile_names(ctx.db, ctx.db.settings()).as_ref()
    } else {
        None
    };
    for profile in &ctx.model.profiles {
        for rule in profile.rules.iter().filter(|r| r.qualifiers.mode != RuleMode::Deny) {
            let (target, child) = match &*rule.kind {
                RuleKind::ChangeProfile { target: Some(t), .. } => (t.as_str(), false),
                RuleKind::File { path: Some(path), target: Some(t), .. } if t == path => continue,
                kind => match exec_target(kind) {
                    Some(t) => t,
                    None => continue,
                },
            };
            let Some(layers) = target_layers(profile, target, child) else { continue };
            for layer in layers {
                if layer.starts_with(':') || layer == "unconfined" {
                    continue;
                }
                let Some((parent, _)) = layer.rsplit_once("//") else {
                    if let Some(names) = known_names
                        && !names.contains(&layer)
                        && find_profile(ctx, &layer).is_none()
                    {
                        let message = format!(
                            "`{}`: no file of the policy defines a profile `{layer}`, so the transition to it always fails",
                            ctx.rule_text(rule)
                        );
                        ctx.report_rule(sink, rule, sink.default_severity(), message);
                        break;
                    }
                    continue;
                };
                // Judged only when the parent is defined here.
                if find_profile(ctx, parent).is_none() || find_profile(ctx, &layer).is_some() {
                    continue;
                }
                let short = layer.rsplit("//").next().unwrap_or(&layer);
                let message = format!(
                    "`{}`: `{parent}` has no child profile `{short}`, so the transition to `{layer}` always fails",
                    ctx.rule_text(rule)
                );
                ctx.report_rule(sink, rule, sink.default_severity(), message);
                break;
            }
        }
    }
}
