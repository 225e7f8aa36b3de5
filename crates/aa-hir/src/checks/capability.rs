//! `capability name ...,`: every name must be a Linux capability.

use super::{RuleInfo, has_var};
use crate::Diagnostic;

/// Capability names `apparmor_parser` knows (lower case, without `CAP_`),
/// in kernel order: a name's index is its capability number, which
/// `aa-compile` writes into the binary policy.
pub const CAPABILITIES: &[&str] = &[
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setpcap",
    "linux_immutable",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "ipc_lock",
    "ipc_owner",
    "sys_module",
    "sys_rawio",
    "sys_chroot",
    "sys_ptrace",
    "sys_pacct",
    "sys_admin",
    "sys_boot",
    "sys_nice",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "mknod",
    "lease",
    "audit_write",
    "audit_control",
    "setfcap",
    "mac_override",
    "mac_admin",
    "syslog",
    "wake_alarm",
    "block_suspend",
    "audit_read",
    "perfmon",
    "bpf",
    "checkpoint_restore",
];

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    for word in &info.words {
        if has_var(&word.text) || CAPABILITIES.contains(&word.text.as_str()) {
            continue;
        }
        let hint = match word.text.to_ascii_lowercase().strip_prefix("cap_") {
            Some(name) if CAPABILITIES.contains(&name) => format!(" (write `{name}`)"),
            _ if CAPABILITIES.contains(&word.text.to_ascii_lowercase().as_str()) => {
                format!(" (write `{}`)", word.text.to_ascii_lowercase())
            }
            _ => String::new(),
        };
        sink.push(Diagnostic::error(
            "unknown-capability",
            format!("`{}` is not a capability{hint}: names are lower case without `CAP_`, e.g. `sys_admin`", word.text),
            word.range,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn capability_names() {
        check(
            "profile p { capability chown sys_admin, capability CAP_CHOWN foo, }",
            expect![[r#"
                unknown-capability@51..60: `CAP_CHOWN` is not a capability (write `chown`): names are lower case without `CAP_`, e.g. `sys_admin`
                unknown-capability@61..64: `foo` is not a capability: names are lower case without `CAP_`, e.g. `sys_admin`
            "#]],
        );
    }
}
