//! The kernel feature set a compile targets, as `apparmor_parser -M FILE`
//! reads it: which mediation classes get policydb entries, whether
//! network rules go to the policydb (`network_v8`) or the old per-family
//! table (`network`), stacking, xattr attachment.
//!
//! [`Features::parse`] reads the features-file format (nested
//! `name {value\n}` blocks, as in `/usr/share/apparmor-features/features`)
//! and looks features up by path, the way `aa_features_supports` does.

use std::collections::HashSet;

/// What the compile may emit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features {
    /// Kernel ABI written into the chunk's version word (5, 6 or 7).
    pub kernel_abi: u32,
    /// `file`: the kernel understands a policydb at all.
    pub policydb: bool,
    /// `network`: old per-family masks (`net_allowed_af`).
    pub network: bool,
    /// `network_v8`: network rules as policydb entries.
    pub network_v8: bool,
    /// `network/af_unix`: fine-grained unix socket rules.
    pub unix: bool,
    pub mount: bool,
    pub dbus: bool,
    pub signal: bool,
    pub ptrace: bool,
    /// `domain/stack`.
    pub stacking: bool,
    /// `domain/attach_conditions/xattr` (needs `policy/outofband` too).
    pub xattr: bool,
    /// `policy/outofband`.
    pub oob: bool,
    /// `policy/diff_encode` (changes table layout, not semantics).
    pub diff_encode: bool,
    /// Classes of abi 4.0 (`ipc/posix_mqueue`, `ipc/sysv_mqueue`,
    /// `io_uring`, `namespaces/mask/userns_create`): rules of a class the
    /// kernel lacks are not enforced and get no policydb entries.
    pub posix_mqueue: bool,
    pub sysv_mqueue: bool,
    pub io_uring: bool,
    pub userns: bool,
    /// `policy/profile/kill.signal`, `policy/profile/error`,
    /// `policy/profile/interruptible`: the 4.1 profile flags the kernel
    /// takes (without them the parser drops the flag).
    pub flag_kill_signal: bool,
    pub flag_error: bool,
    pub flag_interruptible: bool,
}

impl Features {
    /// Parses a features file. Never fails: unknown text is ignored.
    pub fn parse(text: &str) -> Features {
        let paths = feature_paths(text);
        let has = |p: &str| paths.contains(p);
        let kernel_abi = if has("policy/versions/v7") {
            7
        } else if has("policy/versions/v6") {
            6
        } else {
            5
        };
        Features {
            kernel_abi,
            policydb: has("file"),
            network: has("network"),
            network_v8: has("network_v8"),
            unix: has("network/af_unix"),
            mount: has("mount"),
            dbus: has("dbus"),
            signal: has("signal"),
            ptrace: has("ptrace"),
            stacking: has("domain/stack"),
            xattr: has("domain/attach_conditions/xattr"),
            oob: has("policy/outofband"),
            diff_encode: has("policy/diff_encode"),
            posix_mqueue: has("ipc/posix_mqueue"),
            sysv_mqueue: has("ipc/sysv_mqueue"),
            io_uring: has("io_uring"),
            userns: has("namespaces/mask/userns_create"),
            flag_kill_signal: has("policy/profile/kill.signal"),
            flag_error: has("policy/profile/error"),
            flag_interruptible: has("policy/profile/interruptible"),
        }
    }
}

/// Every block path in a features file (`a`, `a/b`, ...).
fn feature_paths(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut stack: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut last_word: Option<String> = None;
    for c in text.chars() {
        match c {
            '{' => {
                let name =
                    if word.is_empty() { last_word.take().unwrap_or_default() } else { std::mem::take(&mut word) };
                stack.push(name);
                out.insert(stack.join("/"));
                last_word = None;
            }
            '}' => {
                word.clear();
                last_word = None;
                stack.pop();
            }
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    // A value word names a feature too
                    // (`namespaces {mask {userns_create}}`).
                    if !stack.is_empty() {
                        out.insert(format!("{}/{word}", stack.join("/")));
                    }
                    last_word = Some(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let f = Features::parse(
            "file {mask {read\n}\n}\nnetwork {af_unix {yes\n}\n}\ndomain {stack {yes\n}\n}\npolicy {versions {v7 {yes\n}\n}\n}\n",
        );
        assert!(f.policydb && f.network && f.unix && f.stacking);
        assert!(!f.network_v8 && !f.mount);
        assert_eq!(f.kernel_abi, 7);
        let f = Features::parse("namespaces {mask {userns_create\n}\n}\nio_uring {mask {sqpoll\n}\n}\n");
        assert!(f.userns && f.io_uring && !f.posix_mqueue);
    }
}
