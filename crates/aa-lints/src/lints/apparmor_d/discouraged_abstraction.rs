use aa_syntax::{
    SyntaxKind::INCLUDE,
    ast::{self, AstNode},
};

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// An include of an abstraction apparmor.d advises against:
    /// - too wide: `dbus`, `dbus-session`, `dbus-system`,
    ///   `dbus-accessibility` (the whole bus) and `user-tmp` (every user's
    ///   temporary files);
    /// - replaced: `nameservice` (use `nameservice-strict`), `bash`
    ///   (`shells`), `X`, `gtk`, `wayland`, `gnome`, `kde` (their `-strict`
    ///   forms), and the `dbus-*-strict` abstractions (`bus-session`,
    ///   `bus-system`, `bus-accessibility`, `network-manager-observe`);
    /// - added by the build: `base-strict` and `attached/*` (write the
    ///   abstraction they stand for) and `bus/*/own` (never by hand);
    /// - Ubuntu-only: `ubuntu-*`.
    ///
    /// This is apparmor.d's `abstractions` check.
    ///
    /// ## Why it matters
    ///
    /// The wide abstractions grant far more than a program needs; the
    /// replaced ones do not fit apparmor.d's own abstractions or other
    /// distributions; the build-time ones are substituted by the build, so
    /// writing them by hand includes them twice or in the wrong build.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// include <abstractions/nameservice>
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// include <abstractions/nameservice-strict>
    /// ```
    ///
    /// ## Fix
    ///
    /// None: the replacement may grant less, which the author has to check.
    pub static DISCOURAGED_ABSTRACTION = {
        code: "AA503",
        name: "discouraged-abstraction",
        group: ApparmorD,
        level: Allow,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

/// Abstractions that grant too much.
const TOO_WIDE: &[&str] = &["dbus", "dbus-session", "dbus-system", "dbus-accessibility", "user-tmp"];

/// Abstractions and what to use instead.
const REPLACED: &[(&str, &str)] = &[
    ("nameservice", "nameservice-strict"),
    ("bash", "shells"),
    ("X", "X-strict"),
    ("gtk", "gtk-strict"),
    ("wayland", "wayland-strict"),
    ("dbus-accessibility-strict", "bus-accessibility"),
    ("dbus-network-manager-strict", "network-manager-observe"),
    ("dbus-session-strict", "bus-session"),
    ("dbus-system-strict", "bus-system"),
    ("gnome", "gnome-strict"),
    ("kde", "kde-strict"),
];

/// Abstractions the build adds, and what to write instead ("" for nothing).
const BY_THE_BUILD: &[(&str, &str)] = &[
    ("base-strict", "base"),
    ("attached/base", "base"),
    ("attached/consoles", "consoles"),
    ("attached/nameservice-strict", "nameservice-strict"),
    ("bus/accessibility/own", ""),
    ("bus/session/own", ""),
    ("bus/system/own", ""),
];

/// Why including `abstractions/NAME` is advised against, if it is.
pub fn advice(name: &str) -> Option<String> {
    if TOO_WIDE.contains(&name) {
        return Some(format!("`<abstractions/{name}>` grants too much: write the rules the program needs"));
    }
    if let Some((_, instead)) = REPLACED.iter().find(|(n, _)| *n == name) {
        return Some(format!("`<abstractions/{name}>` is replaced by `<abstractions/{instead}>`"));
    }
    if let Some((_, instead)) = BY_THE_BUILD.iter().find(|(n, _)| *n == name) {
        return Some(if instead.is_empty() {
            format!("`<abstractions/{name}>` is added by the build where needed: do not include it")
        } else {
            format!("`<abstractions/{name}>` is substituted by the build: include `<abstractions/{instead}>`")
        });
    }
    name.starts_with("ubuntu-").then(|| format!("`<abstractions/{name}>` exists only on Ubuntu"))
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for include in tree.descendants().filter(|n| n.kind() == INCLUDE).filter_map(ast::Include::cast) {
        if !include.is_search_path() {
            continue;
        }
        let Some(target) = include.target() else { continue };
        let Some(name) = target.strip_prefix("abstractions/") else { continue };
        if let Some(message) = advice(name) {
            sink.report(message, ctx.root, include.syntax().text_range());
        }
    }
}
