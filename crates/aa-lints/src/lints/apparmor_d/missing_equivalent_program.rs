use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    lints::apparmor_d::{file_rules, program_name},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A rule for a program that distributions install under more than one
    /// name, written for one name only: `awk` or `gawk` (write
    /// `{m,g,}awk`), `grep` (`{,e}grep`), `gs` (`gs{,.bin}`), `which`
    /// (`which{,.debianutils}`), `xtables-legacy-multi` or
    /// `xtables-nft-multi` (`xtables-{nft,legacy}-multi`). This is
    /// apparmor.d's `equivalent` check.
    ///
    /// ## Why it matters
    ///
    /// Scripts call `egrep`, `mawk` or `which.debianutils` where another
    /// distribution has `grep`, `gawk` or `which`: a rule for one name is
    /// denied on the others.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// /usr/bin/grep ix,
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// /usr/bin/{,e}grep ix,
    /// ```
    ///
    /// ## Fix
    ///
    /// Unsafe: writes every name (the rule then grants more files).
    pub static MISSING_EQUIVALENT_PROGRAM = {
        code: "AA504",
        name: "missing-equivalent-program",
        group: ApparmorD,
        level: Allow,
        fix: Unsafe,
        scope: Syntax,
        check: check,
    }
}

/// A program name and the pattern that names all its equivalents.
const EQUIVALENTS: &[(&str, &str)] = &[
    ("awk", "{m,g,}awk"),
    ("gawk", "{m,g,}awk"),
    ("grep", "{,e}grep"),
    ("gs", "gs{,.bin}"),
    ("which", "which{,.debianutils}"),
    ("xtables-legacy-multi", "xtables-{nft,legacy}-multi"),
    ("xtables-nft-multi", "xtables-{nft,legacy}-multi"),
];

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for rule in file_rules(ctx) {
        let Some(path) = &rule.path else { continue };
        let program = program_name(path);
        let Some((_, all)) = EQUIVALENTS.iter().find(|(name, _)| *name == program) else { continue };
        let Some(value) = rule.rule.path() else { continue };
        let range = aa_syntax::ast::AstNode::syntax(&value).text_range();
        let end = range.end();
        let start = end - aa_syntax::TextSize::from(program.len() as u32);
        sink.report(
            format!("`{path}` misses the program's other names: write `{all}`"),
            ctx.root,
            rule.node.text_range(),
        )
        .with_fix(
            Applicability::Unsafe,
            format!("write `{all}`"),
            vec![TextEdit { file: ctx.root, range: aa_syntax::TextRange::new(start, end), new_text: all.to_string() }],
        );
    }
}
