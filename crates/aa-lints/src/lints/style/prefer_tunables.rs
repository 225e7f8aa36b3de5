use aa_syntax::{
    SyntaxKind::{FILE_RULE, LINK_RULE},
    TextRange, TextSize,
    ast::{self, AstNode},
};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A file rule path that spells out a directory a tunable names:
    /// `/proc/` (`@{PROC}/`), `/sys/` (`@{sys}/`), `/run/` (`@{run}/`),
    /// `/home/*/` (`@{HOME}/`), `/usr/bin/` (`@{bin}/`), `/usr/sbin/`
    /// (`@{sbin}/`), `/usr/lib/` (`@{lib}/`). Only tunables the policy
    /// actually defines are suggested.
    ///
    /// ## Why it matters
    ///
    /// Tunables are where a distribution or an administrator says where
    /// things live (home directories under `/srv/home`, `/run` also reached
    /// as `/var/run`, a merged `/usr`). A literal path does not follow them.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// include <tunables/global>
    /// profile example /usr/bin/example {
    ///   /proc/sys/kernel/random/uuid r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// include <tunables/global>
    /// profile example /usr/bin/example {
    ///   @{PROC}/sys/kernel/random/uuid r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Unsafe: replaces the prefix with the tunable. The tunable can name
    /// more than the literal (`@{run}` is `/run/` and `/var/run/`), so the
    /// rule may grant more.
    pub static PREFER_TUNABLES = {
        code: "AA304",
        name: "prefer-tunables",
        group: Style,
        level: Allow,
        fix: Unsafe,
        scope: Syntax,
        check: check,
    }
}

const TUNABLES: &[(&str, &str)] = &[
    ("/proc/", "PROC"),
    ("/sys/", "sys"),
    ("/run/", "run"),
    ("/var/run/", "run"),
    ("/home/*/", "HOME"),
    ("/usr/bin/", "bin"),
    ("/usr/sbin/", "sbin"),
    ("/usr/lib/", "lib"),
];

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for rule in tree.descendants().filter(|n| matches!(n.kind(), FILE_RULE | LINK_RULE)).filter_map(ast::Rule::cast) {
        let Some(path) = rule.path() else { continue };
        let text = path.text();
        let Some(&(prefix, var)) = TUNABLES.iter().find(|(p, _)| text.starts_with(p)) else {
            continue;
        };
        if !ctx.variables.sets.contains_key(var) {
            continue;
        }
        let start = path.syntax().text_range().start();
        let range = TextRange::at(start, TextSize::from(prefix.len() as u32));
        let message = format!("`{prefix}` is spelled out: use `@{{{var}}}/`");
        sink.report(message, ctx.root, range).with_fix(
            Applicability::Unsafe,
            format!("use `@{{{var}}}/`"),
            vec![TextEdit { file: ctx.root, range, new_text: format!("@{{{var}}}/") }],
        );
    }
}
