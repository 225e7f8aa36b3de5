use aa_hir::model::RuleKind;

use crate::{
    context::LintContext,
    diagnostic::{Severity, Sink},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// Capabilities that amount to (or come close to) full root: `sys_admin`,
    /// `sys_module`, `sys_rawio`, `mac_admin`, `mac_override` and a bare
    /// `capability,` (errors); `sys_ptrace`, `dac_override`,
    /// `dac_read_search`, `bpf`, `sys_boot`, `perfmon` (warnings); `setuid`,
    /// `setgid` (information: any identity, though still under the profile).
    ///
    /// ## Why it matters
    ///
    /// These capabilities bypass the checks a profile relies on: loading a
    /// kernel module or writing raw memory ends confinement, `mac_admin`
    /// changes the policy itself, `dac_override` ignores file permissions.
    /// Each one needs a reason.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   capability sys_admin,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   capability net_bind_service,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None. If the capability is needed, keep it and say why:
    /// `# aa-lint: allow(dangerous-capability) mounts the user's FUSE file systems`.
    pub static DANGEROUS_CAPABILITY = {
        code: "AA106",
        name: "dangerous-capability",
        group: Security,
        level: Warn,
        fix: None,
        scope: Model,
        check: check,
    }
}

const SEVERE: &[&str] = &["sys_admin", "sys_module", "sys_rawio", "mac_admin", "mac_override"];
const RISKY: &[&str] = &["sys_ptrace", "dac_override", "dac_read_search", "bpf", "sys_boot", "perfmon"];
const NOTABLE: &[&str] = &["setuid", "setgid"];

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for (_, rule) in ctx.allow_rules() {
        let RuleKind::Capability { names } = &*rule.kind else {
            continue;
        };
        if names.is_empty() {
            ctx.report_rule(sink, rule, Severity::Error, "`capability,` grants every capability".into());
            continue;
        }
        let severe: Vec<&String> = names.iter().filter(|n| SEVERE.contains(&n.as_str())).collect();
        let risky: Vec<&String> = names.iter().filter(|n| RISKY.contains(&n.as_str())).collect();
        let notable: Vec<&String> = names.iter().filter(|n| NOTABLE.contains(&n.as_str())).collect();
        let severity = if !severe.is_empty() {
            Severity::Error
        } else if !risky.is_empty() {
            Severity::Warning
        } else if !notable.is_empty() {
            Severity::Info
        } else {
            continue;
        };
        let found: Vec<&String> = severe.into_iter().chain(risky).chain(notable).collect();
        let list = found.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        let message = if severity == Severity::Info {
            format!("{list}: the program may take any user's or group's identity (still under this profile)")
        } else {
            format!("dangerous capability {list}: it bypasses the checks confinement relies on")
        };
        ctx.report_rule(sink, rule, severity, message);
    }
}
