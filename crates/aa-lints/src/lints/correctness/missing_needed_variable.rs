use std::collections::{BTreeSet, HashSet};

use aa_hir::{db::File, includes::file_includes};

use crate::{
    context::LintContext, diagnostic::Sink, lints::correctness::missing_tunables_global::tunables_global,
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// An `include` of a snippet whose header declares `# NEEDS-VARIABLE:
    /// NAME` (directly, or through the snippets it includes) when no file
    /// of the policy defines `@{NAME}`. Snippets that work as functions
    /// (the apparmor.d collection's `abstractions/app/*`) name the
    /// variables their caller must set this way. A file that declares the
    /// same need itself passes it on and is not flagged, and so is a
    /// variable the tunables define.
    ///
    /// ## Why it matters
    ///
    /// The snippet's rules use the variable; left undefined,
    /// `apparmor_parser` refuses the profile, and the error points inside
    /// the snippet rather than at the profile that forgot the definition.
    ///
    /// ## Example
    ///
    /// With `abstractions/app/example` starting `# NEEDS-VARIABLE: name`:
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   include <abstractions/app/example>
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// @{name} = example
    /// profile example /usr/bin/example {
    ///   include <abstractions/app/example>
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: only the author knows the value.
    pub static MISSING_NEEDED_VARIABLE = {
        code: "AA217",
        name: "missing-needed-variable",
        group: Correctness,
        level: Warn,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let passed_on = declared(ctx.root_text());
    // What the tunables define is there for every profile (an abstraction
    // linted on its own does not include them; its profile does).
    let tunables = tunables_global(ctx).map(|file| &aa_hir::variables::variables(ctx.db, file).sets);
    for include in file_includes(ctx.db, ctx.root) {
        let mut needs = BTreeSet::new();
        let mut visited = HashSet::from([ctx.root]);
        for &file in &include.files {
            collect(ctx, file, &mut visited, &mut needs);
        }
        for name in needs {
            let in_tunables = tunables.is_some_and(|t| t.contains_key(&name));
            if ctx.variables.sets.contains_key(&name) || passed_on.contains(&name) || in_tunables {
                continue;
            }
            sink.report(
                format!(
                    "<{}> needs `@{{{name}}}` (`# NEEDS-VARIABLE: {name}`), which is not defined: define it before the include, or declare the need in this file's header",
                    include.target
                ),
                ctx.root,
                ctx.first_line(ctx.root, include.range),
            );
        }
    }
}

/// The needs of `file` and of the files it includes.
fn collect(ctx: &LintContext<'_>, file: File, visited: &mut HashSet<File>, needs: &mut BTreeSet<String>) {
    if !visited.insert(file) {
        return;
    }
    needs.extend(declared(ctx.text(file)));
    for include in file_includes(ctx.db, file) {
        for &sub in &include.files {
            collect(ctx, sub, visited, needs);
        }
    }
}

/// The `# NEEDS-VARIABLE: NAME` (or `@{NAME}`) lines of the header: the
/// comment lines before the first blank or other line.
pub(crate) fn declared(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let Some(rest) = comment.trim_start().strip_prefix("NEEDS-VARIABLE:") else {
            continue;
        };
        let name = rest.trim();
        let name = name.strip_prefix("@{").and_then(|n| n.strip_suffix('}')).unwrap_or(name);
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.insert(name.to_string());
        }
    }
    out
}
