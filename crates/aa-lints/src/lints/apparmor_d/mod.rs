//! The `apparmor.d` group: the rules the apparmor.d collection checks its
//! profiles with (its `tests/check.sh`) that only make sense in that
//! collection, because they name its variables, abstractions and helper
//! programs. Off by default: `--select apparmor.d`.
//!
//! The checks of `check.sh` that hold for any collection are the generic
//! lints in [`CHECK_SH`]; `#aa:lint ignore=CHECK` suppressions name
//! check.sh's checks, and silence the lints listed for them there.
//!
//! These lints read the file as written (like check.sh, which reads it line
//! by line): a rule an include brings in is checked in its own file.

pub mod covered_by_base;
pub mod discouraged_abstraction;
pub mod missing_equivalent_program;
pub mod program_transition;
pub mod too_wide;
pub mod undocumented_udev_data;

use aa_syntax::{
    SyntaxKind::*,
    SyntaxNode,
    ast::{self, AstNode},
};

use crate::context::LintContext;

/// Every check of apparmor.d's `check.sh`, with the aa-lint lints that carry
/// its meaning. `#aa:lint ignore=CHECK` silences these lints.
pub const CHECK_SH: &[(&str, &[&str])] = &[
    ("abi", &["missing-abi"]),
    ("abstractions", &["discouraged-abstraction"]),
    ("access", &["permission-order"]),
    ("bin", &[]),
    ("directory-mark", &["directory-slash"]),
    ("equivalent", &["missing-equivalent-program"]),
    ("header", &["missing-header-comment"]),
    ("include", &["missing-local-include"]),
    ("indentation", &["indentation"]),
    ("profile", &["profile-name-mismatch"]),
    ("sbin", &[]),
    ("subprofiles", &["missing-local-include"]),
    ("tabs", &["tab-character"]),
    ("too-wide", &["too-wide"]),
    ("trailing", &["trailing-whitespace"]),
    ("transition", &["program-transition", "fallback-exec"]),
    ("tunables", &["prefer-tunables"]),
    ("udev", &["undocumented-udev-data"]),
    ("useless", &["covered-by-base"]),
    ("vim", &["missing-vim-modeline"]),
];

/// The lints an `#aa:lint ignore=NAME` silences: check.sh's check of that
/// name, else the lint of that name or code.
pub fn check_sh_lints(name: &str) -> Option<&'static [&'static str]> {
    CHECK_SH.iter().find(|(check, _)| *check == name).map(|(_, lints)| *lints)
}

/// A rule of the root file, as written.
pub(crate) struct WrittenRule {
    pub node: SyntaxNode,
    pub rule: ast::Rule,
    /// The path (file rules) or source (link rules), unquoted text as written.
    pub path: Option<String>,
    /// The permission word (`rw`, `rix`).
    pub perms: Option<String>,
    pub deny: bool,
}

/// Every file and link rule of the root file, in order (inside profiles,
/// hats, conditionals and at the top level of an abstraction).
pub(crate) fn file_rules(ctx: &LintContext<'_>) -> Vec<WrittenRule> {
    let tree = ctx.parse(ctx.root).syntax_node();
    tree.descendants()
        .filter(|n| matches!(n.kind(), FILE_RULE | LINK_RULE))
        .filter_map(|node| {
            let rule = ast::Rule::cast(node.clone())?;
            let path = rule.path().filter(|p| !p.is_quoted()).map(|p| p.text());
            let perms = rule.perms().map(|t| t.text().to_string());
            let deny = rule.qualifiers().is_some_and(|q| q.has(DENY_KW));
            Some(WrittenRule { node, rule, path, perms, deny })
        })
        .collect()
}

/// The last `/`-separated part of a written path (`@{bin}/sudo` gives
/// `sudo`).
pub(crate) fn program_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
