use aa_syntax::{TextRange, TextSize};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

// The example keeps trailing spaces, which rustfmt would strip.
#[rustfmt::skip]
declare_lint! {
    /// ## What it flags
    ///
    /// Spaces or tabs at the end of a line.
    ///
    /// ## Why it matters
    ///
    /// Invisible in review, but they show up as changes in diffs whenever an
    /// editor strips them.
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
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: deletes them.
    pub static TRAILING_WHITESPACE = {
        code: "AA309",
        name: "trailing-whitespace",
        group: Style,
        level: Allow,
        fix: Safe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let text = ctx.root_text();
    let mut start = 0usize;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_end_matches([' ', '\t']);
        if trimmed.len() < body.len() {
            let range = TextRange::new(
                TextSize::from((start + trimmed.len()) as u32),
                TextSize::from((start + body.len()) as u32),
            );
            sink.report("trailing white space", ctx.root, range).with_fix(
                Applicability::Safe,
                "delete it",
                vec![TextEdit { file: ctx.root, range, new_text: String::new() }],
            );
        }
        start += line.len();
    }
}
