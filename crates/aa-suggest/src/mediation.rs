//! Whether the features a suggestion is compiled against mediate an
//! access's class at all.
//!
//! A class the features lack gets no policydb entries, so every access of
//! it would read as allowed by any profile. A record of that class came
//! from a kernel that does mediate it: compiling against other features
//! (an older features file, the defaults) must not call it allowed.

use aa_dfa::Features;

use crate::event::Access;

/// The feature (as a features-file path) that mediates `access` and that
/// `features` lacks; `None` when the class is mediated.
pub fn missing_feature(access: &Access, features: &Features) -> Option<&'static str> {
    let (present, feature) = match access {
        // Files, exec, capabilities and change_profile are mediated by
        // every kernel with AppArmor.
        Access::File { .. }
        | Access::Link { .. }
        | Access::Exec { .. }
        | Access::Capability { .. }
        | Access::ChangeProfile { .. } => return None,
        Access::Network { .. } => (features.network || features.network_v8, "network"),
        Access::Unix { .. } => (features.unix, "network/af_unix"),
        Access::Signal { .. } => (features.signal, "signal"),
        Access::Ptrace { .. } => (features.ptrace, "ptrace"),
        Access::Dbus(_) => (features.dbus, "dbus"),
        Access::Mount { .. } | Access::Umount { .. } | Access::PivotRoot { .. } => (features.mount, "mount"),
        Access::Mqueue { kind, .. } if kind == "sysv" => (features.sysv_mqueue, "ipc/sysv_mqueue"),
        Access::Mqueue { .. } => (features.posix_mqueue, "ipc/posix_mqueue"),
        Access::Userns { .. } => (features.userns, "namespaces/mask/userns_create"),
        Access::IoUring { .. } => (features.io_uring, "io_uring"),
    };
    (!present).then_some(feature)
}
