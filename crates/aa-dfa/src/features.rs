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
    /// Classes `apparmor_parser` 3.0.8 does not know; a 4.x feature set
    /// may enable them, but this crate's encoder rejects them (no oracle).
    pub mqueue: bool,
    pub io_uring: bool,
    pub userns: bool,
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
            mqueue: has("mqueue"),
            io_uring: has("io_uring"),
            userns: has("namespaces/userns_create"),
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
    }
}
