use aa_hir::model::RuleKind;

use crate::{
    context::LintContext,
    diagnostic::{Severity, Sink},
    glob::{Breadth, Perms, breadth},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// Write, append, link, lock or exec permission over a whole tree
    /// (`/**`, `/{,**}`, a bare `file,`, `/tmp/**`, `/etc/**`, `/dev/shm/**`,
    /// `@{HOME}/**`, ...), and read permission over every file or a whole
    /// sensitive tree (`/etc/**`, `/proc/**`, `/sys/**`, `@{HOME}/**`, `/root/**`).
    /// Paths are looked at after variable expansion, so `@{HOME}/**` is seen
    /// as `{/home/*,/root}/**`. The severity grows with the breadth and the
    /// permission: an error for write or exec over every file, a warning for
    /// write over a shared tree or read of every file, information for read
    /// of a sensitive tree. A rule that comes from an abstraction is reported
    /// where it is written, with the include line that brought it in.
    ///
    /// ## Why it matters
    ///
    /// A profile is only as strong as its widest rule. Write access to
    /// `/etc/**` or `@{HOME}/**` lets a compromised program plant
    /// configuration or shell start-up files that run later outside its
    /// profile; exec over `/**` lets it run anything.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/** rw,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/example/** r,
    ///   /etc/example/state rw,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: only the author knows which files the program needs.
    pub static OVERBROAD_GLOB = {
        code: "AA101",
        name: "overbroad-glob",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for (_, rule) in ctx.allow_rules() {
        let (perms, breadth, path) = match &*rule.kind {
            RuleKind::File { path: None, .. } => (Perms::all(), Some(Breadth::Everything), None),
            RuleKind::File { path: Some(path), perms, .. } => {
                let Some(breadth) = breadth(path) else {
                    continue;
                };
                (Perms::parse(perms), Some(breadth), Some(path))
            }
            RuleKind::Link { path, .. } => (Perms { link: true, ..Perms::default() }, breadth(path), Some(path)),
            _ => continue,
        };
        let Some(breadth) = breadth else { continue };
        let mut granted = Vec::new();
        if perms.writes() {
            granted.push("write");
        }
        if perms.link {
            granted.push("link");
        }
        if perms.lock {
            granted.push("lock");
        }
        if perms.exec.is_some() {
            granted.push("exec");
        }
        let dangerous = !granted.is_empty();
        // `/**/`: directories only (listing them, for read).
        let dirs_only = matches!(&*rule.kind, RuleKind::File { path: Some(p), .. } if p.ends_with('/'));
        let every = if dirs_only { "every directory" } else { "every file" };
        let (severity, scope) = match (breadth, dangerous) {
            (Breadth::Everything, true) => (Severity::Error, every.to_string()),
            (Breadth::Everything, false) if perms.read && dirs_only => (Severity::Info, every.to_string()),
            (Breadth::Everything, false) if perms.read => (Severity::Warning, every.to_string()),
            (Breadth::Tree(label), true) => (Severity::Warning, format!("all of {label}")),
            (Breadth::Tree(label), false) if perms.read && is_sensitive(label) => {
                (Severity::Info, format!("all of {label}"))
            }
            _ => continue,
        };
        if !dangerous {
            granted.push("read");
        }
        let what = match path {
            Some(path) => written(ctx, rule, path),
            None => "`file,`".to_string(),
        };
        let message = format!("{what} grants {} over {scope}", granted.join(", "));
        ctx.report_rule(sink, rule, severity, message);
    }
}

/// The rule as written, with its expansion when a variable changed it.
fn written(ctx: &LintContext<'_>, rule: &aa_hir::model::Rule, expanded: &str) -> String {
    let text = ctx.rule_text(rule);
    if text.contains("@{") { format!("`{text}` (`{}`)", crate::glob::normalize(expanded)) } else { format!("`{text}`") }
}

fn is_sensitive(label: &str) -> bool {
    matches!(label, "/etc" | "/proc" | "/sys" | "every home directory" | "/home" | "/root" | "/boot")
}
