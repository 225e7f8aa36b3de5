use std::collections::{HashMap, HashSet};

use aa_hir::model::{Profile, RuleKind, RuleMode};

use crate::{
    context::LintContext,
    diagnostic::{Severity, Sink},
    glob::{Breadth, Perms, breadth},
    registry::declare_lint,
    stacks::{exec_target, find_profile, target_layers},
};

declare_lint! {
    /// ## What it flags
    ///
    /// In a global layer, an exec rule or `change_profile` rule after which
    /// the task no longer runs under a global layer: `px`, `Px`, `pix`,
    /// `ux`, `cx` to a profile elsewhere, `px -> name` or `px -> a//&b`
    /// where no layer of the target is global. A global layer is a profile
    /// attached to `/**` (or every home directory) or stacked by a rule of
    /// the file (`-> &name`), a child profile or hat of one (its exec rules
    /// are checked too: an escape through a child is still an escape), and
    /// a profile without attachment that a global layer moves the task to
    /// by name (the design note's set of global profiles). Rules brought in
    /// by includes count, with the include chain in the finding.
    ///
    /// ## Why it matters
    ///
    /// A global profile is only a boundary if every process stays under it.
    /// AppArmor's design note on system-wide confinement builds it from
    /// stacks: a transition replaces each layer separately, so a rule of the
    /// global layer that transitions without naming itself (`px -> &...`
    /// with `@{profile_name}`, or another global profile) lets the child run
    /// under the target profile alone (or unconfined), outside the global
    /// restrictions. Stacking (`px -> &@{profile_name}`, or `Px -> &target`)
    /// keeps both, and `ix` keeps the child in the global profile.
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

/// For each profile name stacked by a rule (`-> &name`, `-> a//&name`),
/// the names of the profiles whose rules stack it: built once, so telling
/// the global profiles apart stays linear in the file's rules.
fn stacked_by<'a>(ctx: &'a LintContext<'_>) -> HashMap<&'a str, HashSet<&'a str>> {
    let mut stacked: HashMap<&str, HashSet<&str>> = HashMap::new();
    for p in &ctx.model.profiles {
        for r in &p.rules {
            let target = match &*r.kind {
                RuleKind::File { target: Some(t), .. } => t,
                RuleKind::ChangeProfile { target: Some(t), .. } => t,
                _ => continue,
            };
            for name in target.split("//").filter_map(|part| part.strip_prefix('&')) {
                stacked.entry(name).or_default().insert(&p.name);
            }
        }
    }
    stacked
}

/// Whether a profile confines the whole system or a user session.
fn is_global(stacked: &HashMap<&str, HashSet<&str>>, profile: &Profile) -> bool {
    let wide = profile
        .attachment
        .as_deref()
        .and_then(breadth)
        .is_some_and(|b| b == Breadth::Everything || b == Breadth::Tree("every home directory"));
    let short = profile.name.rsplit("//").next().unwrap_or(&profile.name);
    // Stacked by another profile: a profile that stacks itself with its
    // own child (apparmor.d's `px -> brave//&brave//crashpad_handler`)
    // is a sandbox, not a global layer.
    let own = format!("{}//", profile.name);
    let by_other =
        |name: &str| stacked.get(name).is_some_and(|by| by.iter().any(|p| *p != profile.name && !p.starts_with(&own)));
    wide || by_other(&profile.name) || by_other(short)
}

/// The global layers of the file: the global profiles ([`is_global`]),
/// their children and hats, and the profiles without an attachment that a
/// global layer moves the task to by name (the design note's set of
/// global profiles: `global` sends `passwd` to `global_passwd`, which
/// sends everything else back). Indexes into the model's profiles.
pub fn global_layers(ctx: &LintContext<'_>) -> Vec<bool> {
    let profiles = &ctx.model.profiles;
    let stacked = stacked_by(ctx);
    let mut global: Vec<bool> = profiles.iter().map(|p| is_global(&stacked, p)).collect();
    // The names the global layers move the task to, each layer's rules
    // read once (the set only grows, so the fixed point is the same).
    let mut targeted: HashSet<String> = HashSet::new();
    let mut read = vec![false; profiles.len()];
    loop {
        for (g, p) in profiles.iter().enumerate() {
            if !global[g] || read[g] {
                continue;
            }
            read[g] = true;
            for r in p.rules.iter().filter(|r| r.qualifiers.mode != RuleMode::Deny) {
                let (target, child) = match &*r.kind {
                    RuleKind::ChangeProfile { target: Some(t), .. } => (t.as_str(), false),
                    kind => match exec_target(kind) {
                        Some(t) => t,
                        None => continue,
                    },
                };
                targeted.extend(target_layers(p, target, child).into_iter().flatten());
            }
        }
        let mut changed = false;
        for (i, p) in profiles.iter().enumerate() {
            if global[i] {
                continue;
            }
            let from_parent = p.parent.is_some_and(|parent| global[parent]);
            if from_parent || (p.attachment.is_none() && targeted.contains(&p.name)) {
                global[i] = true;
                changed = true;
            }
        }
        if !changed {
            return global;
        }
    }
}

/// Whether the layer `profile` (a global layer) is kept by a transition
/// to `target`: the target names it or another global layer.
fn keeps_layer(ctx: &LintContext<'_>, global: &[bool], profile: &Profile, target: &str, child: bool) -> bool {
    let Some(layers) = target_layers(profile, target, child) else {
        // A target that is not a plain label (a variable): give it the
        // benefit of the doubt.
        return true;
    };
    // A child of a global profile is a global layer, defined or not (a
    // missing one is `undefined-transition-target`'s).
    let own_child = format!("{}//", profile.name);
    layers
        .iter()
        .any(|l| *l == profile.name || l.starts_with(&own_child) || find_profile(ctx, l).is_some_and(|i| global[i]))
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let global = global_layers(ctx);
    for (index, profile) in ctx.model.profiles.iter().enumerate().filter(|(i, _)| global[*i]) {
        let children_global = ctx.model.profiles.iter().enumerate().any(|(c, p)| p.parent == Some(index) && global[c]);
        for rule in profile.rules.iter().filter(|r| r.qualifiers.mode != RuleMode::Deny) {
            if let RuleKind::ChangeProfile { target, .. } = &*rule.kind {
                let kept = target
                    .as_deref()
                    .is_some_and(|t| t.starts_with('&') || keeps_layer(ctx, &global, profile, t, false));
                if !kept {
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
            let child = mode.contains(['c', 'C']);
            let kept = match target.as_deref() {
                Some(t) => keeps_layer(ctx, &global, profile, t, child),
                // `cx` picks among the children, which are global layers.
                None => child && children_global,
            };
            if kept {
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
