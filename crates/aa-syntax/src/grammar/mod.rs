//! The grammar: recursive descent over the token stream, one function per
//! construct. The parser accepts a superset of what `apparmor_parser`
//! accepts where that makes for better messages (qualifiers in any order,
//! any word as a permission); `validation.rs` and the semantic layer narrow it.

mod expressions;
mod items;
mod rules;

pub(crate) use rules::is_file_mode;

pub(crate) use items::source_file;

/// Keywords that begin a statement; error recovery stops at one that starts a line.
pub(crate) fn starts_item_keyword(word: &str) -> bool {
    matches!(
        word,
        "abi"
            | "alias"
            | "all"
            | "allow"
            | "audit"
            | "capability"
            | "change_profile"
            | "dbus"
            | "deny"
            | "file"
            | "hat"
            | "if"
            | "include"
            | "io_uring"
            | "link"
            | "mount"
            | "mqueue"
            | "network"
            | "other"
            | "owner"
            | "pivot_root"
            | "priority"
            | "profile"
            | "prompt"
            | "ptrace"
            | "remount"
            | "set"
            | "signal"
            | "umount"
            | "unix"
            | "userns"
    )
}
