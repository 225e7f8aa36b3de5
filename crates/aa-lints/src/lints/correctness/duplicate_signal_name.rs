use aa_syntax::{
    SyntaxKind::{SIGNAL_RULE, VALUE_LIST},
    ast::{self, AstNode},
};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    lints::correctness::duplicate_permission::repeated_values,
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A signal named twice in one `set=( ... )` list of a `signal` rule:
    /// `signal (send) set=(hup hup),`.
    ///
    /// ## Why it matters
    ///
    /// `apparmor_parser` accepts the list and the repeated name adds
    /// nothing. It is usually a slip for another signal (`hup hup` for
    /// `hup int`), so the rule does not allow what its author meant.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   signal (send) set=(hup hup) peer=example,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   signal (send) set=(hup) peer=example,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: removes the repeated name (the rule allows the same).
    pub static DUPLICATE_SIGNAL_NAME = {
        code: "AA213",
        name: "duplicate-signal-name",
        group: Correctness,
        level: Warn,
        fix: Safe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    let rules = tree.descendants().filter(|n| n.kind() == SIGNAL_RULE).filter_map(ast::Rule::cast);
    for rule in rules {
        for condition in rule.conditions().filter(|c| c.name().as_deref() == Some("set")) {
            for list in condition.syntax().children().filter(|n| n.kind() == VALUE_LIST) {
                for (value, removal) in repeated_values(&list) {
                    let name = value.text().to_string();
                    sink.report(
                        format!("signal `{name}` is named twice in `set=`: was another signal meant?"),
                        ctx.root,
                        value.text_range(),
                    )
                    .with_fix(
                        Applicability::Safe,
                        format!("remove the second `{name}`"),
                        vec![TextEdit { file: ctx.root, range: removal, new_text: String::new() }],
                    );
                }
            }
        }
    }
}
