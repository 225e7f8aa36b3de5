use aa_syntax::{
    SyntaxKind::FILE_RULE,
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
    /// File permissions not written in the canonical order, the one
    /// upstream's tools write: `m`, `r`, `w`, `a`, `l`, `k`, then the exec
    /// mode (`ix`, `Px`, `Cx -> child`, ...). So `rw`, `rwk`, `mr`, `mrix`,
    /// not `wr`, `rm`, `ixr`.
    ///
    /// ## Why it matters
    ///
    /// One order makes rules easy to compare by eye and keeps diffs small
    /// when a permission is added. The order has no meaning to
    /// `apparmor_parser`.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /usr/lib/example/*.so rm,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /usr/lib/example/*.so mr,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: rewrites the permissions in order (same permissions).
    pub static PERMISSION_ORDER = {
        code: "AA306",
        name: "permission-order",
        group: Style,
        level: Allow,
        fix: Safe,
        scope: Syntax,
        check: check,
    }
}

const ORDER: &str = "mrwalk";

/// The canonical spelling, or `None` when the text has letters we do not
/// order (left alone).
pub fn canonical(perms: &str) -> Option<String> {
    let exec_start = perms.find(|c: char| "iIpPcCuUx".contains(c)).unwrap_or(perms.len());
    let (simple, exec) = perms.split_at(exec_start);
    if exec.chars().any(|c| ORDER.contains(c)) || simple.chars().any(|c| !ORDER.contains(c)) {
        // Letters after the exec mode (`ixr`): move them in front.
        let mut letters: Vec<char> = perms.chars().filter(|c| ORDER.contains(*c)).collect();
        let exec: String = perms.chars().filter(|c| !ORDER.contains(*c)).collect();
        if exec.chars().any(|c| !"iIpPcCuUx".contains(c)) {
            return None;
        }
        letters.sort_by_key(|c| ORDER.find(*c));
        return Some(letters.into_iter().collect::<String>() + &exec);
    }
    let mut letters: Vec<char> = simple.chars().collect();
    letters.sort_by_key(|c| ORDER.find(*c));
    Some(letters.into_iter().collect::<String>() + exec)
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for rule in tree.descendants().filter(|n| n.kind() == FILE_RULE).filter_map(ast::Rule::cast) {
        let Some(perms) = rule.perms() else { continue };
        let text = perms.text();
        let Some(good) = canonical(text) else {
            continue;
        };
        if good == text {
            continue;
        }
        let range = perms.text_range();
        sink.report(format!("permissions `{text}` out of order: write `{good}`"), ctx.root, range).with_fix(
            Applicability::Safe,
            format!("write `{good}`"),
            vec![TextEdit { file: ctx.root, range, new_text: good }],
        );
    }
}
