use aa_compile::FileRuleIndex;

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// A file rule that another rule of the same profile already covers:
    /// the other rule matches every path this one does and grants (or
    /// denies) every permission it does, with the same exec mode and audit
    /// bits. Decided on the compiled file DFA, so globs, braces and
    /// character classes are exact. The covering rules are named (they may
    /// come from an abstraction). Of two rules that cover each other, only
    /// the later one is reported. Only rules of the file being linted are
    /// reported.
    ///
    /// This lint compiles the whole profile and compares its rules pairwise
    /// (rules whose literal prefixes cannot overlap are skipped), which can
    /// take seconds on a large profile; it is in the `nursery` group and off
    /// by default.
    ///
    /// ## Why it matters
    ///
    /// The rule changes nothing: removing it leaves the profile as it is.
    /// Redundant rules make a profile longer to review, and hide which rule
    /// really grants an access.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/example/** r,
    ///   /etc/example/main.conf r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/example/** r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: the covering rule may be the one to narrow.
    pub static SUBSUMED_RULE = {
        code: "AA402",
        name: "subsumed-rule",
        group: Nursery,
        level: Allow,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for (profile, lowered, compiled) in super::compiled(ctx) {
        let index = FileRuleIndex::new(compiled, lowered);
        for id in super::file_rule_ids(lowered) {
            let rule = &profile.rules[id];
            // Only rules of the linted file: removing one is the fix, and
            // comparing every abstraction rule is quadratic.
            if rule.origin.location.file != ctx.root {
                continue;
            }
            let by = index.subsumed_by(id);
            if by.is_empty() {
                continue;
            }
            let others: Vec<_> = by.iter().filter_map(|&o| profile.rules.get(o).map(|r| (o, r))).collect();
            // Rules that cover each other: report the later one only.
            if others.iter().all(|&(o, _)| o > id && index.subsumed_by(o).contains(&id)) {
                continue;
            }
            let mut names: Vec<String> = Vec::new();
            for (_, o) in &others {
                let name = format!("`{}`", ctx.rule_text(o));
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            let message =
                format!("`{}` is redundant: {} already cover(s) all of it", ctx.rule_text(rule), names.join(", "));
            let d = ctx.report_rule(sink, rule, sink.default_severity(), message);
            for (_, o) in others {
                d.with_related(o.origin.location.file, o.origin.location.range, "covered by this rule");
            }
        }
    }
}
