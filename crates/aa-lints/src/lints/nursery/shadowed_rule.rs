use aa_compile::FileRuleIndex;
use aa_hir::model::RuleMode;

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// An allow file rule whose every permission, on every path it matches,
    /// is taken away by deny rules, alone or together: the exact version of
    /// `cancelled-by-deny`, decided on the compiled file DFA, so globs,
    /// braces, character classes and several partial denies are all
    /// accounted for. The deny rules responsible are named (they may come
    /// from an abstraction). Only allow rules of the file being linted are
    /// reported: a profile's deny carving a path out of an abstraction's
    /// allow is the usual, wanted case.
    ///
    /// This lint compiles the whole profile (as `aa-lint compile` does), which
    /// costs milliseconds to seconds per profile; it is in the `nursery`
    /// group and off by default.
    ///
    /// ## Why it matters
    ///
    /// The allow rule grants nothing: deny always wins. Either the denies are
    /// wider than meant, or the allow is dead and misleads readers.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/example/*.conf r,
    ///   deny /etc/example/** r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   deny /etc/example/** r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: which rule is wrong is the author's call.
    pub static SHADOWED_RULE = {
        code: "AA401",
        name: "shadowed-rule",
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
            // Only allow rules of the linted file: a profile's deny carving
            // a path out of an abstraction's allow is the usual, wanted case.
            if rule.qualifiers.mode == RuleMode::Deny || rule.origin.location.file != ctx.root {
                continue;
            }
            let Some(denies) = index.shadowed_by_deny(compiled, lowered, id) else { continue };
            let denies: Vec<_> = denies.iter().filter_map(|&d| profile.rules.get(d)).collect();
            let names: Vec<String> = denies.iter().map(|d| format!("`{}`", ctx.rule_text(d))).collect();
            let message = format!("`{}` grants nothing: {} deny all of it", ctx.rule_text(rule), names.join(", "));
            let d = ctx.report_rule(sink, rule, sink.default_severity(), message);
            for deny in denies {
                d.with_related(deny.origin.location.file, deny.origin.location.range, "denied here");
            }
        }
    }
}
