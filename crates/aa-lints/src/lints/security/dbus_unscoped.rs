use aa_hir::model::RuleKind;
use aa_syntax::SyntaxKind::DBUS_RULE;

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// `dbus` rules that name no object: no `path=`, `interface=`,
    /// `member=` or `name=` (a `bus=` alone still allows everything on that
    /// bus).
    ///
    /// ## Why it matters
    ///
    /// D-Bus is how programs ask privileged services to act for them
    /// (systemd, NetworkManager, polkit, the desktop portals). A rule
    /// without an object lets the program call any method of any service on
    /// the bus.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   dbus send bus=session,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   dbus send bus=session path=/org/freedesktop/Notifications interface=org.freedesktop.Notifications member=Notify peer=(name=org.freedesktop.Notifications),
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None.
    pub static DBUS_UNSCOPED = {
        code: "AA109",
        name: "dbus-unscoped",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for (_, rule) in ctx.allow_rules() {
        let RuleKind::Other { class: DBUS_RULE, conditions, .. } = &*rule.kind else {
            continue;
        };
        let names = |c: &aa_hir::model::Condition| {
            matches!(c.name.as_str(), "path" | "interface" | "member" | "name")
                || c.group.iter().any(|g| g.name == "name")
        };
        if conditions.iter().any(names) {
            continue;
        }
        let bus = conditions.iter().find(|c| c.name == "bus").and_then(|c| c.values.first());
        let scope = match bus {
            Some(bus) => format!("on the {bus} bus"),
            None => "on every bus".to_string(),
        };
        let message =
            format!("`{}` names no path, interface, member or name: it allows any object {scope}", ctx.rule_text(rule));
        ctx.report_rule(sink, rule, sink.default_severity(), message);
    }
}
