use std::sync::Arc;

use aa_hir::model::{RuleKind, RuleMode};

use crate::{
    context::LintContext,
    diagnostic::{Severity, Sink},
    glob::{Glob, GlobIndex, Perms},
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
    /// are not subtracted yet. Write rules are indexed by the literal start
    /// of their paths, so an exec rule is compared only with the write rules
    /// that could overlap it; a profile may cost at most 100,000 glob
    /// comparisons, so a generated giant profile cannot stall an editor; where
    /// that budget runs out, an info finding says which exec rules were not
    /// fully compared.
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

/// How many glob comparisons one profile may cost.
const COMPARISON_BUDGET: usize = 100_000;

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for profile in &ctx.model.profiles {
        let mut writes = Vec::new();
        let mut execs = Vec::new();
        let mut denied_writes = Vec::new();
        for rule in profile.rules.iter() {
            // `file,` is `overbroad-glob`'s.
            let RuleKind::File { path: Some(path), perms, .. } = &*rule.kind else {
                continue;
            };
            let p = Perms::parse(perms);
            if rule.qualifiers.mode == RuleMode::Deny {
                if p.write {
                    denied_writes.push(path);
                }
            } else if p.writes() && p.exec.is_some() {
                let message = format!("`{}` makes the same files writable and executable", ctx.rule_text(rule));
                ctx.report_rule(sink, rule, sink.default_severity(), message);
            } else if p.writes() {
                writes.push((rule, path));
            } else if p.exec.is_some() {
                execs.push((rule, path));
            }
        }
        if writes.is_empty() || execs.is_empty() {
            continue;
        }
        let denied_writes: Vec<Arc<Glob>> = denied_writes.iter().map(|p| Glob::shared(p)).collect();
        let write_globs: Vec<Arc<Glob>> = writes.iter().map(|(_, p)| Glob::shared(p)).collect();
        let index = GlobIndex::new(write_globs.iter().map(|g| &**g));
        let mut budget = COMPARISON_BUDGET;
        for (n, (rule, path)) in execs.iter().enumerate() {
            let glob = Glob::shared(path);
            if denied_writes.iter().any(|d| d.covers(&glob)) {
                continue;
            }
            let found = if budget == 0 { None } else { index.first_overlapping(&glob, &mut budget) };
            let Some(w) = found.map(|i| writes[i].0) else {
                if budget == 0 {
                    // Said once, so a stopped check is never taken for a clean one.
                    let message = format!(
                        "write-and-exec stopped here: this profile's rules cost more than {COMPARISON_BUDGET} glob comparisons, so this exec rule and the {} after it were not fully compared with its {} write rules",
                        execs.len() - n - 1,
                        writes.len()
                    );
                    ctx.report_rule(sink, rule, Severity::Info, message);
                    break;
                }
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
