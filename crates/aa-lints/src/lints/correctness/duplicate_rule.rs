use aa_hir::model::{Qualifiers, Rule, RuleKind};
use rustc_hash::FxHashMap;

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A rule that repeats another rule of the same profile exactly (same
    /// qualifiers, same rule after variable expansion), where at least one
    /// of the two is written in the file being linted: a rule the profile
    /// already has, or already gets from an abstraction.
    ///
    /// ## Why it matters
    ///
    /// A duplicate adds nothing; it makes the profile longer to review, and
    /// when one copy is later narrowed the other silently keeps the old
    /// grant.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/example.conf r,
    ///   /etc/example.conf r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/example.conf r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: deletes the repeated line, when it holds nothing else.
    pub static DUPLICATE_RULE = {
        code: "AA201",
        name: "duplicate-rule",
        group: Correctness,
        level: Warn,
        fix: Safe,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for profile in &ctx.model.profiles {
        // A repeat is reported only when one side is in the linted file, so
        // only the rules written there are looked for; each maps to the
        // first rule equal to it.
        let mut first_of: FxHashMap<(&Qualifiers, &RuleKind), Option<&Rule>> = profile
            .rules
            .iter()
            .filter(|r| r.origin.location.file == ctx.root)
            .map(|r| ((&r.qualifiers, &*r.kind), None))
            .collect();
        if first_of.is_empty() {
            continue;
        }
        for rule in &profile.rules {
            let Some(slot) = first_of.get_mut(&(&rule.qualifiers, &*rule.kind)) else { continue };
            let Some(first) = *slot else {
                *slot = Some(rule);
                continue;
            };
            let (a, b) = (&first.origin.location, &rule.origin.location);
            if a == b {
                // The same text read twice through two includes.
                continue;
            }
            let (report, other) = if b.file == ctx.root {
                (rule, first)
            } else if a.file == ctx.root {
                (first, rule)
            } else {
                continue;
            };
            let where_ = if other.origin.location.file == ctx.root {
                "earlier in this file".to_string()
            } else {
                format!("in {}", other.origin.location.file.path(ctx.db).display())
            };
            let message =
                format!("`{}` repeats a rule of profile `{}` ({where_})", ctx.rule_text(report), profile.name);
            let edit = ctx.line_removal(report.origin.location.file, report.origin.location.range);
            let (file, range) = (other.origin.location.file, other.origin.location.range);
            let d = ctx.report_rule(sink, report, sink.default_severity(), message);
            d.with_related(file, range, "the same rule");
            if let Some(edit) = edit {
                d.with_fix(Applicability::Safe, "delete the repeated rule", vec![edit]);
            }
        }
    }
}
