//! Every kind of token and node in the tree.
//!
//! Tokens come from the lexer (`lexer.rs`); keywords are *contextual*: the
//! lexer only produces `WORD`, and the parser re-tags a word as `PROFILE_KW`,
//! `DENY_KW`, ... where the grammar gives it that meaning. AppArmor has no
//! reserved words (a profile may be called `network`), so this is the only
//! faithful choice.

#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u16)]
pub enum SyntaxKind {
    // Trivia.
    WHITESPACE = 0,
    NEWLINE,
    COMMENT,

    // Tokens produced by the lexer.
    /// A run of characters that are not punctuation: paths, names, values.
    WORD,
    /// `"..."`, possibly spanning lines.
    STRING,
    /// `@{name}`.
    VARIABLE,
    /// `${name}` or `$name`.
    BOOL_VARIABLE,
    /// `#include`: a directive, not a comment.
    HASH_INCLUDE,
    L_CURLY,
    R_CURLY,
    L_PAREN,
    R_PAREN,
    COMMA,
    EQ,
    PLUS_EQ,
    QUESTION_EQ,
    COLON_EQ,
    ARROW,
    LT,
    LT_EQ,
    GT,
    GT_EQ,
    EQ_EQ,
    BANG_EQ,
    CARET,
    BANG,
    /// A character no token accepts (only `\0` and friends); kept for losslessness.
    ERROR_TOKEN,

    // Contextual keywords (re-tagged words).
    ABI_KW,
    ALIAS_KW,
    ALL_KW,
    ALLOW_KW,
    AND_KW,
    AUDIT_KW,
    CAPABILITY_KW,
    CHANGE_PROFILE_KW,
    DBUS_KW,
    DEFINED_KW,
    DENY_KW,
    ELSE_KW,
    EXISTS_KW,
    FILE_KW,
    FLAGS_KW,
    HAT_KW,
    IF_KW,
    IN_KW,
    INCLUDE_KW,
    IO_URING_KW,
    LINK_KW,
    MOUNT_KW,
    MQUEUE_KW,
    NETWORK_KW,
    NOT_KW,
    OR_KW,
    OTHER_KW,
    OWNER_KW,
    PIVOT_ROOT_KW,
    PRIORITY_KW,
    PROFILE_KW,
    PROMPT_KW,
    PTRACE_KW,
    REMOUNT_KW,
    RLIMIT_KW,
    SAFE_KW,
    SET_KW,
    SIGNAL_KW,
    SUBSET_KW,
    UMOUNT_KW,
    UNIX_KW,
    UNSAFE_KW,
    USERNS_KW,

    // Nodes.
    SOURCE_FILE,
    /// Tokens the parser could not place; always comes with a syntax error.
    ERROR,

    // Preamble and directives.
    ABI,
    INCLUDE,
    /// `<abstractions/base>` or `"local/foo"` after `include` / `abi`.
    INCLUDE_TARGET,
    ALIAS,
    VARIABLE_DEF,
    BOOL_DEF,

    // Profiles.
    PROFILE,
    HAT,
    PROFILE_NAME,
    ATTACHMENT,
    /// `xattrs=(...)`.
    XATTRS,
    FLAGS,
    FLAG,
    /// `{ ... }` owned by a profile, hat, conditional or qualifier block.
    BLOCK,
    /// `audit { ... }`: qualifiers applied to every rule inside.
    QUALIFIED_BLOCK,

    // Conditionals.
    IF_STMT,
    ELSE_BRANCH,
    OR_EXPR,
    AND_EXPR,
    NOT_EXPR,
    DEFINED_EXPR,
    COMPARE_EXPR,
    PAREN_EXPR,
    ATOM_EXPR,

    // Rule pieces.
    QUALIFIERS,
    PRIORITY,
    /// A value glued from adjacent tokens: a path, a name, a condition value.
    VALUE,
    /// The permission letters of a file rule: `rw`, `ix`, `Px`.
    PERMS,
    /// `-> target` of an exec, link, alias, change_profile or pivot_root rule.
    TARGET,
    /// The access list of a non-file rule: `send`, `(send, receive)`.
    ACCESS,
    /// `key=value`, `key=(v1 v2)`, `key in (v1 v2)`.
    CONDITION,
    /// `peer=(...)`: a condition whose value is a list of conditions.
    CONDITION_GROUP,
    /// `(a b c)`.
    VALUE_LIST,

    // Rules.
    FILE_RULE,
    LINK_RULE,
    CAPABILITY_RULE,
    NETWORK_RULE,
    UNIX_RULE,
    DBUS_RULE,
    MOUNT_RULE,
    REMOUNT_RULE,
    UMOUNT_RULE,
    PIVOT_ROOT_RULE,
    PTRACE_RULE,
    SIGNAL_RULE,
    RLIMIT_RULE,
    CHANGE_PROFILE_RULE,
    MQUEUE_RULE,
    IO_URING_RULE,
    USERNS_RULE,
    ALL_RULE,

    #[doc(hidden)]
    __LAST,
}

use SyntaxKind::*;

impl SyntaxKind {
    pub fn is_trivia(self) -> bool {
        matches!(self, WHITESPACE | NEWLINE | COMMENT)
    }

    pub fn is_keyword(self) -> bool {
        (ABI_KW as u16..=USERNS_KW as u16).contains(&(self as u16))
    }

    /// Rule nodes, i.e. what a profile body is made of besides blocks.
    pub fn is_rule(self) -> bool {
        (FILE_RULE as u16..=ALL_RULE as u16).contains(&(self as u16))
    }

    pub(crate) fn from_raw(raw: u16) -> SyntaxKind {
        assert!(raw < __LAST as u16, "invalid SyntaxKind {raw}");
        // SAFETY-free: transmute is forbidden by `unsafe_code = "forbid"`, so look it up.
        ALL_KINDS[raw as usize]
    }
}

/// Kinds in declaration order, so that `ALL_KINDS[k as usize] == k`.
const ALL_KINDS: &[SyntaxKind] = &[
    WHITESPACE,
    NEWLINE,
    COMMENT,
    WORD,
    STRING,
    VARIABLE,
    BOOL_VARIABLE,
    HASH_INCLUDE,
    L_CURLY,
    R_CURLY,
    L_PAREN,
    R_PAREN,
    COMMA,
    EQ,
    PLUS_EQ,
    QUESTION_EQ,
    COLON_EQ,
    ARROW,
    LT,
    LT_EQ,
    GT,
    GT_EQ,
    EQ_EQ,
    BANG_EQ,
    CARET,
    BANG,
    ERROR_TOKEN,
    ABI_KW,
    ALIAS_KW,
    ALL_KW,
    ALLOW_KW,
    AND_KW,
    AUDIT_KW,
    CAPABILITY_KW,
    CHANGE_PROFILE_KW,
    DBUS_KW,
    DEFINED_KW,
    DENY_KW,
    ELSE_KW,
    EXISTS_KW,
    FILE_KW,
    FLAGS_KW,
    HAT_KW,
    IF_KW,
    IN_KW,
    INCLUDE_KW,
    IO_URING_KW,
    LINK_KW,
    MOUNT_KW,
    MQUEUE_KW,
    NETWORK_KW,
    NOT_KW,
    OR_KW,
    OTHER_KW,
    OWNER_KW,
    PIVOT_ROOT_KW,
    PRIORITY_KW,
    PROFILE_KW,
    PROMPT_KW,
    PTRACE_KW,
    REMOUNT_KW,
    RLIMIT_KW,
    SAFE_KW,
    SET_KW,
    SIGNAL_KW,
    SUBSET_KW,
    UMOUNT_KW,
    UNIX_KW,
    UNSAFE_KW,
    USERNS_KW,
    SOURCE_FILE,
    ERROR,
    ABI,
    INCLUDE,
    INCLUDE_TARGET,
    ALIAS,
    VARIABLE_DEF,
    BOOL_DEF,
    PROFILE,
    HAT,
    PROFILE_NAME,
    ATTACHMENT,
    XATTRS,
    FLAGS,
    FLAG,
    BLOCK,
    QUALIFIED_BLOCK,
    IF_STMT,
    ELSE_BRANCH,
    OR_EXPR,
    AND_EXPR,
    NOT_EXPR,
    DEFINED_EXPR,
    COMPARE_EXPR,
    PAREN_EXPR,
    ATOM_EXPR,
    QUALIFIERS,
    PRIORITY,
    VALUE,
    PERMS,
    TARGET,
    ACCESS,
    CONDITION,
    CONDITION_GROUP,
    VALUE_LIST,
    FILE_RULE,
    LINK_RULE,
    CAPABILITY_RULE,
    NETWORK_RULE,
    UNIX_RULE,
    DBUS_RULE,
    MOUNT_RULE,
    REMOUNT_RULE,
    UMOUNT_RULE,
    PIVOT_ROOT_RULE,
    PTRACE_RULE,
    SIGNAL_RULE,
    RLIMIT_RULE,
    CHANGE_PROFILE_RULE,
    MQUEUE_RULE,
    IO_URING_RULE,
    USERNS_RULE,
    ALL_RULE,
];

/// The keyword a word becomes when the grammar asks for a keyword there.
/// `user` and `unmount`, `rewrite` are the historical spellings `apparmor_parser` still accepts.
pub fn keyword_kind(word: &str) -> Option<SyntaxKind> {
    Some(match word {
        "abi" => ABI_KW,
        "alias" | "rewrite" => ALIAS_KW,
        "all" => ALL_KW,
        "allow" => ALLOW_KW,
        "and" => AND_KW,
        "audit" => AUDIT_KW,
        "capability" => CAPABILITY_KW,
        "change_profile" => CHANGE_PROFILE_KW,
        "dbus" => DBUS_KW,
        "defined" => DEFINED_KW,
        "deny" => DENY_KW,
        "else" => ELSE_KW,
        "exists" => EXISTS_KW,
        "file" => FILE_KW,
        "flags" => FLAGS_KW,
        "hat" => HAT_KW,
        "if" => IF_KW,
        "in" => IN_KW,
        "include" => INCLUDE_KW,
        "io_uring" => IO_URING_KW,
        "link" => LINK_KW,
        "mount" => MOUNT_KW,
        "mqueue" => MQUEUE_KW,
        "network" => NETWORK_KW,
        "not" => NOT_KW,
        "or" => OR_KW,
        "other" => OTHER_KW,
        "owner" | "user" => OWNER_KW,
        "pivot_root" => PIVOT_ROOT_KW,
        "priority" => PRIORITY_KW,
        "profile" => PROFILE_KW,
        "prompt" => PROMPT_KW,
        "ptrace" => PTRACE_KW,
        "remount" => REMOUNT_KW,
        "rlimit" => RLIMIT_KW,
        "safe" => SAFE_KW,
        "set" => SET_KW,
        "signal" => SIGNAL_KW,
        "subset" => SUBSET_KW,
        "umount" | "unmount" => UMOUNT_KW,
        "unix" => UNIX_KW,
        "unsafe" => UNSAFE_KW,
        "userns" => USERNS_KW,
        _ => return None,
    })
}

impl From<SyntaxKind> for rowan::SyntaxKind {
    fn from(kind: SyntaxKind) -> Self {
        Self(kind as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_kinds_table_matches_discriminants() {
        assert_eq!(ALL_KINDS.len(), __LAST as usize);
        for (i, kind) in ALL_KINDS.iter().enumerate() {
            assert_eq!(*kind as usize, i, "{kind:?} out of order");
        }
    }
}
