use aa_syntax::{
    SyntaxKind::{BLOCK, DENY_KW, FILE_RULE, SOURCE_FILE},
    ast::{self, AstNode},
};

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// A rule over all of the home directory, `@{HOME}/** r,` or
    /// `@{HOME}/* r,`, next to a `deny` over all of its dot entries
    /// (`deny @{HOME}/.** r,`, `deny @{HOME}/.* r,`) with at least the same
    /// permissions: the pair is a roundabout way to say "everything but the
    /// dot files".
    ///
    /// ## Why it matters
    ///
    /// `@{HOME}/[^.]**` says it in one rule. A `deny` also overrides every
    /// other rule of the profile, abstractions included, so the pair blocks
    /// dot-file access the profile may grant on purpose elsewhere, and
    /// audit logs fill with the denials.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// include <tunables/global>
    /// profile example /usr/bin/example {
    ///   owner @{HOME}/** r,
    ///   deny @{HOME}/.** r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// include <tunables/global>
    /// profile example /usr/bin/example {
    ///   owner @{HOME}/[^.]** r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: the `deny` may be meant for other rules too (an abstraction's
    /// grants), and `@{HOME}/**` also matches the home directory itself,
    /// which `@{HOME}/[^.]**` does not; review both.
    pub static HOME_DOT_FILE_EXCLUSION = {
        code: "AA313",
        name: "home-dot-file-exclusion",
        group: Style,
        level: Allow,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

struct FileRule {
    rule: ast::Rule,
    path: String,
    perms: String,
    deny: bool,
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    let blocks = tree.descendants().filter(|n| matches!(n.kind(), BLOCK | SOURCE_FILE));
    for block in blocks {
        let rules: Vec<FileRule> = block
            .children()
            .filter(|n| n.kind() == FILE_RULE)
            .filter_map(ast::Rule::cast)
            .filter_map(|rule| {
                let path = rule.path()?.text();
                let perms = rule.perms()?.text().to_string();
                let deny = rule.qualifiers().is_some_and(|q| q.has(DENY_KW));
                Some(FileRule { rule, path, perms, deny })
            })
            .collect();
        for allow in rules.iter().filter(|r| !r.deny) {
            let (dots, wildcard): (&[&str], &str) = match allow.path.as_str() {
                "@{HOME}/**" => (&["@{HOME}/.**", "@{HOME}/.*{,/**}"], "**"),
                "@{HOME}/*" => (&["@{HOME}/.*", "@{HOME}/.**"], "*"),
                _ => continue,
            };
            let covering = rules.iter().find(|d| {
                d.deny && dots.contains(&d.path.as_str()) && allow.perms.chars().all(|c| d.perms.contains(c))
            });
            let Some(deny) = covering else { continue };
            let range = allow.rule.path().map(|p| p.syntax().text_range()).unwrap_or(allow.rule.syntax().text_range());
            sink.report(
                format!(
                    "`{}` with `deny {} {}` grants everything but the dot files: write `@{{HOME}}/[^.]{wildcard}` and drop the deny if nothing else needs it",
                    allow.path, deny.path, deny.perms
                ),
                ctx.root,
                range,
            )
            .with_related(ctx.root, deny.rule.syntax().text_range(), "the deny of the dot files");
        }
    }
}
