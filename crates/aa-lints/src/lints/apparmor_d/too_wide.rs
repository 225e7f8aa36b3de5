use aa_syntax::{SyntaxKind::FILE_RULE, ast::AstNode};

use crate::{context::LintContext, diagnostic::Sink, lints::apparmor_d::file_rules, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// A rule over all of a shared directory, written as apparmor.d writes
    /// paths: `/`, `/tmp/`, `/var/tmp/`, `@{tmp}/`, `/etc/`, `/dev/shm/` or
    /// `@{run}/user/@{uid}/` followed by `**`, `*` or `{,**}`, with any
    /// permission (read too), and a bare `file,` rule. Deny rules are left
    /// alone. This is apparmor.d's `too-wide` check; its
    /// `#aa:lint ignore=too-wide` marks the profiles that need such a rule
    /// (package managers, file managers).
    ///
    /// ## Why it matters
    ///
    /// Every program shares these directories: reading all of `/tmp/` or
    /// `/dev/shm/` reads other programs' temporary files and sockets, and
    /// writing there lets a confined program plant files others trust.
    /// apparmor.d asks each profile to name its own files
    /// (`/tmp/<profile>@{rand6}/{,**}`), which `overbroad-glob` does not
    /// require for read or for one directory level.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// owner /tmp/* rw,
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// owner /tmp/example-*/{,**} rw,
    /// ```
    ///
    /// ## Fix
    ///
    /// None: only the author knows which files the program needs.
    pub static TOO_WIDE = {
        code: "AA501",
        name: "too-wide",
        group: ApparmorD,
        level: Allow,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

/// The shared directories, as apparmor.d writes them.
const SHARED: &[&str] = &["/", "/tmp/", "/var/tmp/", "@{tmp}/", "/etc/", "/dev/shm/", "@{run}/user/@{uid}/"];

/// What may follow a shared directory for the rule to cover all of it.
const ALL_OF: &[&str] = &["**", "*", "{,**}"];

/// Whether a written path covers all of a shared directory.
pub fn is_too_wide(path: &str) -> bool {
    SHARED.iter().any(|dir| path.strip_prefix(dir).is_some_and(|rest| ALL_OF.contains(&rest)))
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for rule in file_rules(ctx) {
        if rule.deny {
            continue;
        }
        let range = rule.node.text_range();
        match &rule.path {
            None if rule.node.kind() == FILE_RULE
                && rule.rule.syntax().text().to_string().trim_end_matches(',').trim().ends_with("file") =>
            {
                sink.report("`file,` grants every file access: name the files the program needs", ctx.root, range);
            }
            Some(path) if is_too_wide(path) => {
                sink.report(
                    format!("`{path}` covers a whole shared directory: name the program's own files there"),
                    ctx.root,
                    range,
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wide_paths() {
        for p in ["/**", "/{,**}", "/tmp/**", "@{tmp}/*", "/dev/shm/*", "/etc/**", "@{run}/user/@{uid}/**"] {
            assert!(super::is_too_wide(p), "{p}");
        }
        for p in ["/tmp/foo/**", "@{tmp}/", "/etc/foo", "/usr/**", "/tmp/*/", "@{HOME}/**"] {
            assert!(!super::is_too_wide(p), "{p}");
        }
    }
}
