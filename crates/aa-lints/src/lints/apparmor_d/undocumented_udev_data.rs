use aa_syntax::SyntaxKind::*;

use crate::{context::LintContext, diagnostic::Sink, lints::apparmor_d::file_rules, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// A rule on `@{run}/udev/data/` without a comment on its line saying
    /// which device it is for. This is apparmor.d's `udev` check.
    ///
    /// ## Why it matters
    ///
    /// udev data files are named by device numbers (`c13:*`, `+input:*`):
    /// without a note nobody can tell which device a rule is for, or whether
    /// it is still needed.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// @{run} = /run
    /// profile example /usr/bin/example {
    ///   @{run}/udev/data/c13:[0-9]* r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// @{run} = /run
    /// profile example /usr/bin/example {
    ///   @{run}/udev/data/c13:[0-9]* r,  # for /dev/input/*
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: the comment has to be written.
    pub static UNDOCUMENTED_UDEV_DATA = {
        code: "AA506",
        name: "undocumented-udev-data",
        group: ApparmorD,
        level: Allow,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    if !ctx.root_text().contains("@{run}/udev/data/") {
        return;
    }
    for rule in file_rules(ctx) {
        let Some(path) = &rule.path else { continue };
        if !path.contains("@{run}/udev/data/") {
            continue;
        }
        // A comment after the rule, before the line ends.
        let mut next = rule.node.last_token().and_then(|t| t.next_token());
        let mut commented = false;
        while let Some(t) = next {
            match t.kind() {
                COMMENT => {
                    commented = true;
                    break;
                }
                WHITESPACE => next = t.next_token(),
                _ => break,
            }
        }
        if !commented {
            sink.report(
                format!("`{path}`: say which device this udev data is for, in a comment on the line"),
                ctx.root,
                rule.node.text_range(),
            );
        }
    }
}
