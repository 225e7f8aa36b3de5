use aa_syntax::{
    SyntaxKind::{TARGET, VALUE},
    ast::{self, AstNode},
};

use crate::{context::LintContext, diagnostic::Severity, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// An `alias` whose source or target is not an absolute path:
    /// `alias /usr/ -> mnt/usr/,`.
    ///
    /// ## Why it matters
    ///
    /// An alias rewrites rules whose paths start with the source into the
    /// target. The kernel names every file by an absolute path, so rules
    /// rewritten to a relative target never match anything: the alias
    /// silently grants nothing. `apparmor_parser` accepts a relative target
    /// but rejects a relative source (a syntax error, reported here as an
    /// error).
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// alias /usr/ -> mnt/usr/,
    /// profile example /usr/bin/example {
    ///   /usr/share/example/** r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// alias /usr/ -> /mnt/usr/,
    /// profile example /usr/bin/example {
    ///   /usr/share/example/** r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: only the author knows where the path is rooted.
    pub static ALIAS_RELATIVE_PATH = {
        code: "AA214",
        name: "alias-relative-path",
        group: Correctness,
        level: Warn,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for alias in tree.descendants().filter_map(ast::Alias::cast) {
        let node = alias.syntax();
        let source = node.children().find(|n| n.kind() == VALUE);
        let target =
            node.children().find(|n| n.kind() == TARGET).and_then(|t| t.children().find(|n| n.kind() == VALUE));
        if let Some(source) = source.filter(|v| is_relative(&v.text().to_string())) {
            sink.report_with(
                Severity::Error,
                format!("alias source `{}` is not an absolute path: apparmor_parser rejects it", source.text()),
                ctx.root,
                source.text_range(),
            );
        }
        if let Some(target) = target.filter(|v| is_relative(&v.text().to_string())) {
            sink.report(
                format!(
                    "alias target `{}` is not an absolute path: rules rewritten to it never match, as the kernel names files by absolute paths",
                    target.text()
                ),
                ctx.root,
                target.text_range(),
            );
        }
    }
}

fn is_relative(text: &str) -> bool {
    let text = text.strip_prefix('"').unwrap_or(text);
    !(text.is_empty() || text.starts_with('/') || text.starts_with('@'))
}
