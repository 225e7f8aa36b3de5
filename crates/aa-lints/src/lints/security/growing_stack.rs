use std::collections::HashSet;

use aa_compile::stack::exec::{Decision, Program, exec};
use aa_compile::stack::graph::{sample_path, transitions};
use aa_hir::model::{RuleKind, RuleMode};
use aa_label::Label;

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint, stacks::file_policy};

declare_lint! {
    /// ## What it flags
    ///
    /// An exec under a stacked label (`firefox//&global`) whose result has
    /// more layers than the label had: each layer transitions on its own,
    /// and their results do not merge back into one. The labels are those
    /// the file's own rules create (`pix ... -> &@{profile_name}`, `px ->
    /// &name`), followed exec by exec for a sample program of every exec
    /// rule of their layers. The finding is at the rule that adds a layer.
    ///
    /// ## Why it matters
    ///
    /// A stack is an intersection: every layer must allow what the task
    /// does. AppArmor's design note on system-wide confinement shows how a
    /// global profile that stacks itself on every application it starts
    /// goes wrong when one application runs another: under
    /// `firefox//&global`, firefox's layer moves to its child
    /// `firefox//evince` while the global layer stacks `evince` on itself,
    /// so evince runs as `firefox//evince//&evince//&global`, confined by
    /// two evince profiles written for different situations. The note calls
    /// this almost certainly not what is wanted; each further exec can add
    /// another layer.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile global {
    ///   /usr/bin/firefox pix -> &@{profile_name},
    ///   /usr/bin/evince pix -> &@{profile_name},
    /// }
    /// profile firefox /usr/bin/firefox {
    ///   /usr/bin/evince cx,
    ///   profile evince /usr/bin/evince { }
    /// }
    /// profile evince /usr/bin/evince { }
    /// ```
    ///
    /// ## Use instead
    ///
    /// The note's fix: split the global profile, so that the one stacked on
    /// applications (`global2`) keeps itself (`ix`) when they run others.
    ///
    /// ```apparmor
    /// profile global {
    ///   /usr/bin/firefox px -> &global2,
    ///   /usr/bin/evince px -> &global2,
    /// }
    /// profile global2 {
    ///   /usr/bin/firefox ix,
    ///   /usr/bin/evince ix,
    /// }
    /// profile firefox /usr/bin/firefox {
    ///   /usr/bin/evince cx,
    ///   profile evince /usr/bin/evince { }
    /// }
    /// profile evince /usr/bin/evince { }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: which layer should stay (an `ix` in the stacked layer, a
    /// second global profile, no child transition) is a design choice.
    pub static GROWING_STACK = {
        code: "AA130",
        name: "growing-stack",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

/// How many labels are followed per file, and samples per label.
const MAX_LABELS: usize = 32;
const MAX_SAMPLES: usize = 256;

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let stacks_something = ctx.model.profiles.iter().flat_map(|p| &p.rules).any(|r| match &*r.kind {
        RuleKind::File { target: Some(t), .. } => t.contains('&'),
        _ => false,
    });
    if !stacks_something {
        return;
    }
    let policy = file_policy(ctx);
    let mut queue: Vec<Label> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for edge in transitions(&policy) {
        if let Ok(l) = edge.result
            && l.len() >= 2
            && seen.insert(l.to_string())
        {
            queue.push(l);
        }
    }
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    let mut next = 0;
    while next < queue.len() && next < MAX_LABELS {
        let label = queue[next].clone();
        next += 1;
        let mut samples: Vec<String> = Vec::new();
        for layer in label.layers() {
            let Some(i) = policy.find(layer) else { continue };
            for rule in &policy.profile(i).model().rules {
                if rule.qualifiers.mode == RuleMode::Deny {
                    continue;
                }
                if let RuleKind::File { path: Some(path), perms, .. } = &*rule.kind
                    && crate::glob::Perms::parse(perms).exec.is_some()
                {
                    let s = sample_path(path);
                    if !samples.contains(&s) {
                        samples.push(s);
                    }
                }
            }
        }
        for sample in samples.iter().take(MAX_SAMPLES) {
            let out = exec(&policy, &label, &Program { path: sample, xattrs: &[] });
            let Ok(result) = &out.result else { continue };
            if result.len() > label.len() {
                // The layer whose own step adds layers: its rule is the one
                // that stacks.
                let grower = out.steps.iter().filter(|s| s.result.as_ref().is_ok_and(|l| l.len() >= 2)).find_map(|s| {
                    match (&s.decision, s.profile) {
                        (Decision::Rule(r), Some(p)) => r.rules.first().map(|&rule| (p, rule)),
                        _ => None,
                    }
                });
                if let Some((p, r)) = grower {
                    let profile = policy.profile(p);
                    if profile.root == ctx.root
                        && reported.insert((p, r))
                        && let Some(rule) = profile.rule(r)
                    {
                        let message = format!(
                            "under `{label}`, running `{sample}` gives `{result}`: the stack grows from {} to {} layers and does not reduce",
                            label.len(),
                            result.len()
                        );
                        ctx.report_rule(sink, rule, sink.default_severity(), message);
                    }
                }
            }
            if result.len() >= 2 && queue.len() < MAX_LABELS && seen.insert(result.to_string()) {
                queue.push(result.clone());
            }
        }
    }
}
