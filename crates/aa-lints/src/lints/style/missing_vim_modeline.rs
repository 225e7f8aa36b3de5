use aa_syntax::{SyntaxKind::COMMENT, TextRange, TextSize};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A file without a vim modeline comment (`# vim:syntax=apparmor`, or
    /// any comment with `vim:`/`vi:` and `apparmor`).
    ///
    /// ## Why it matters
    ///
    /// Profiles in `/etc/apparmor.d` have no file extension; the modeline is
    /// how editors know to highlight them as AppArmor (upstream's profiles
    /// end with one).
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
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
    ///
    /// # vim:syntax=apparmor
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: appends `# vim:syntax=apparmor` at the end of the file.
    pub static MISSING_VIM_MODELINE = {
        code: "AA311",
        name: "missing-vim-modeline",
        group: Style,
        level: Allow,
        fix: Safe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    let has = tree.descendants_with_tokens().filter_map(|e| e.into_token()).any(|t| {
        t.kind() == COMMENT && (t.text().contains("vim:") || t.text().contains("vi:")) && t.text().contains("apparmor")
    });
    if has {
        return;
    }
    let text = ctx.root_text();
    let end = TextSize::from(text.len() as u32);
    let prefix = if text.is_empty() || text.ends_with('\n') { "\n" } else { "\n\n" };
    sink.report("no vim modeline: add `# vim:syntax=apparmor`", ctx.root, TextRange::empty(end)).with_fix(
        Applicability::Safe,
        "append `# vim:syntax=apparmor`",
        vec![TextEdit {
            file: ctx.root,
            range: TextRange::empty(end),
            new_text: format!("{prefix}# vim:syntax=apparmor\n"),
        }],
    );
}
