use aa_syntax::{TextRange, TextSize, ast::AstNode};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink, TextEdit},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A `/proc` path whose process component is a bare wildcard, `*` or
    /// `[0-9]*`, where the tunables offer `@{pids}` (any process) or
    /// `@{pid}`: `@{PROC}/*/status r,`. Likewise a bare wildcard after
    /// `task/`, where `@{tid}` is meant.
    ///
    /// ## Why it matters
    ///
    /// `*` matches every entry of `/proc`, not only processes: `sys`, `net`,
    /// `driver`, `fs`, `irq`, `tty`, so `@{PROC}/*/**` reaches far more than
    /// process files. `[0-9]*` matches any name that starts with a digit.
    /// The tunables' variables say what is meant and match process ids
    /// only; `/proc/self/...` still matches, as the kernel names it by the
    /// process id.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// include <tunables/global>
    /// profile example /usr/bin/example {
    ///   @{PROC}/*/status r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// include <tunables/global>
    /// profile example /usr/bin/example {
    ///   @{PROC}/@{pids}/status r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Unsafe, when the variable is defined: writes `@{pids}` (or `@{tid}`).
    /// The rule then matches fewer paths.
    pub static BARE_PROC_WILDCARD = {
        code: "AA312",
        name: "bare-proc-wildcard",
        group: Style,
        level: Allow,
        fix: Unsafe,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for value in ctx.rule_paths() {
        let text = value.text();
        let start = value.syntax().text_range().start();
        for (at, len, variable) in bare_wildcards(&text) {
            let range = TextRange::at(start + TextSize::from(at as u32), TextSize::from(len as u32));
            let wildcard = &text[at..at + len];
            let what = if variable == "tid" { "thread id" } else { "process id" };
            let d = sink.report(
                format!(
                    "bare `{wildcard}` in the {what} place of `{text}` matches more than ids: use `@{{{variable}}}`"
                ),
                ctx.root,
                range,
            );
            if ctx.variables.sets.contains_key(variable) {
                d.with_fix(
                    Applicability::Unsafe,
                    format!("write `@{{{variable}}}`"),
                    vec![TextEdit { file: ctx.root, range, new_text: format!("@{{{variable}}}") }],
                );
            }
        }
    }
}

/// Each bare wildcard in a process or thread place: its offset, length and
/// the variable meant.
fn bare_wildcards(text: &str) -> Vec<(usize, usize, &'static str)> {
    let mut out = Vec::new();
    let body = text.trim_start_matches('"');
    let skip = text.len() - body.len();
    let Some(rest) = body.strip_prefix("@{PROC}").or_else(|| body.strip_prefix("/proc/")) else {
        return out;
    };
    let mut at = skip + body.len() - rest.len();
    let after_slashes = rest.trim_start_matches('/');
    at += rest.len() - after_slashes.len();
    if let Some(len) = wildcard_len(after_slashes) {
        // The process place must be followed by more path.
        if after_slashes[len..].starts_with('/') {
            out.push((at, len, "pids"));
        }
    }
    if let Some(i) = after_slashes.find("/task/") {
        let from = i + "/task/".len();
        let place = &after_slashes[from..];
        if let Some(n) = wildcard_len(place) {
            out.push((at + from, n, "tid"));
        }
    }
    out
}

/// The length of a bare `*` or `[0-9]*` at the start of a path component.
fn wildcard_len(component: &str) -> Option<usize> {
    let len = if component.starts_with("[0-9]*") {
        "[0-9]*".len()
    } else if component.starts_with('*') {
        1
    } else {
        return None;
    };
    let next = component[len..].chars().next();
    matches!(next, None | Some('/')).then_some(len)
}
