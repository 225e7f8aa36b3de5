use std::collections::HashSet;

use aa_syntax::SyntaxKind::{BOOL_DEF, VARIABLE_DEF};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A variable (`@{name} = ...` or `${name} = true`) defined in the file
    /// being linted and used nowhere in it or in the files it includes. Only
    /// files that declare a profile are checked: a tunables file defines
    /// variables for others.
    ///
    /// ## Why it matters
    ///
    /// An unused variable is usually a leftover or a typo in the place that
    /// should use it (`@{exec_path}` vs `@{exe_path}`), which then means a
    /// rule grants something other than intended.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// @{conf_dirs} = /etc/example/ /usr/share/example/
    /// profile example /usr/bin/example {
    ///   /etc/example/** r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// @{conf_dirs} = /etc/example/ /usr/share/example/
    /// profile example /usr/bin/example {
    ///   @{conf_dirs}** r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: deletes the definition's line(s), when they hold nothing else.
    pub static UNUSED_VARIABLE = {
        code: "AA205",
        name: "unused-variable",
        group: Correctness,
        level: Warn,
        fix: Safe,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    if !ctx.root_has_profiles() {
        return;
    }
    let mut used: HashSet<String> = HashSet::new();
    for &file in &ctx.closure.files {
        let tree = ctx.parse(file).syntax_node();
        for token in tree.descendants_with_tokens().filter_map(|e| e.into_token()) {
            let is_definition = token
                .parent()
                .is_some_and(|p| matches!(p.kind(), VARIABLE_DEF | BOOL_DEF) && p.first_token().as_ref() == Some(&token));
            if is_definition {
                continue;
            }
            collect_references(token.text(), &mut used);
        }
    }
    let defined = ctx
        .variables
        .sets
        .iter()
        .map(|(n, v)| (n, v.defined_at))
        .chain(ctx.variables.bools.iter().map(|(n, v)| (n, v.defined_at)));
    for (name, at) in defined {
        if at.file != ctx.root || used.contains(name) {
            continue;
        }
        let edit = ctx.line_removal(at.file, at.range);
        let d = sink.report(format!("variable `{name}` is defined but never used"), at.file, at.range);
        if let Some(edit) = edit {
            d.with_fix(Applicability::Safe, "delete the definition", vec![edit]);
        }
    }
}

/// Names referenced in a token's text: `@{name}`, `${name}`, and the bare
/// `@name` / `$name` forms of `if defined`.
fn collect_references(text: &str, out: &mut HashSet<String>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'@' | b'$') {
            if bytes.get(i + 1) == Some(&b'{') {
                if let Some(end) = text[i + 2..].find('}') {
                    out.insert(text[i + 2..i + 2 + end].to_string());
                    i += end + 3;
                    continue;
                }
            } else {
                let rest = &text[i + 1..];
                let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
                if len > 0 {
                    out.insert(rest[..len].to_string());
                }
            }
        }
        i += 1;
    }
}
