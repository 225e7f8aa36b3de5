use aa_hir::model::RuleKind;

use crate::{
    context::LintContext,
    diagnostic::Sink,
    glob::{Glob, Perms},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A path a profile may both write and execute: one rule with both (`/x
    /// rwix`) or a write rule and an exec rule whose globs overlap
    /// (`@{HOME}/bin/* w` and `@{HOME}/bin/** ix`). This is the textual
    /// version: braces are expanded and globs intersected, character classes
    /// are treated as any character. An exec rule is left alone when a deny
    /// rule covers its whole path for writing (`deny /x/** w`); partial denies
    /// are not subtracted yet. A profile is compared pair by pair up to a
    /// budget (100,000 pairs), so a generated giant profile cannot stall an
    /// editor.
    ///
    /// ## Why it matters
    ///
    /// If a program can write a file and then execute it, it can run any
    /// code it likes, under whatever profile the exec rule gives: the other
    /// rules of the profile no longer bound what it does.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /var/lib/example/** w,
    ///   /var/lib/example/hooks/* ix,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /var/lib/example/data/** w,
    ///   /usr/lib/example/hooks/* ix,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None.
    pub static WRITE_AND_EXEC = {
        code: "AA107",
        name: "write-and-exec",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

const PAIR_BUDGET: usize = 100_000;

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for profile in &ctx.model.profiles {
        let mut writes = Vec::new();
        let mut execs = Vec::new();
        for rule in profile.rules.iter().filter(|r| r.qualifiers.mode != aa_hir::model::RuleMode::Deny) {
            // `file,` is `overbroad-glob`'s.
            let RuleKind::File { path: Some(path), perms, .. } = &*rule.kind else {
                continue;
            };
            let p = Perms::parse(perms);
            if p.writes() && p.exec.is_some() {
                let message = format!("`{}` makes the same files writable and executable", ctx.rule_text(rule));
                ctx.report_rule(sink, rule, sink.default_severity(), message);
                continue;
            }
            if p.writes() {
                writes.push((rule, Glob::new(path)));
            } else if p.exec.is_some() {
                execs.push((rule, Glob::new(path)));
            }
        }
        let denied_writes: Vec<Glob> = profile
            .rules
            .iter()
            .filter(|r| r.qualifiers.mode == aa_hir::model::RuleMode::Deny)
            .filter_map(|r| match &*r.kind {
                RuleKind::File { path: Some(p), perms, .. } if Perms::parse(perms).write => Some(Glob::new(p)),
                _ => None,
            })
            .collect();
        let mut budget = PAIR_BUDGET;
        for (rule, glob) in &execs {
            budget = budget.saturating_sub(writes.len());
            if budget == 0 {
                break;
            }
            if denied_writes.iter().any(|d| d.covers(glob)) {
                continue;
            }
            let Some((w, _)) = writes.iter().find(|(_, g)| g.overlaps(glob)) else {
                continue;
            };
            let message = format!(
                "`{}` is executable, and a write rule (`{}`) covers some of the same files",
                ctx.rule_text(rule),
                ctx.rule_text(w)
            );
            let (file, range) = (w.origin.location.file, w.origin.location.range);
            ctx.report_rule(sink, rule, sink.default_severity(), message).with_related(file, range, "writable here");
        }
    }
}
