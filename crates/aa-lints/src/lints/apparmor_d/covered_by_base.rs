use crate::{context::LintContext, diagnostic::Sink, lints::apparmor_d::file_rules, registry::declare_lint};
use aa_syntax::{
    SyntaxKind::{BLOCK, HAT, INCLUDE, PROFILE, PTRACE_RULE},
    SyntaxNode,
    ast::{self, AstNode},
};

/// Whether the profile or hat a rule is written in includes
/// `abstractions/base` itself.
fn in_profile_with_base(rule: &SyntaxNode) -> bool {
    let Some(profile) = rule.ancestors().find(|n| matches!(n.kind(), PROFILE | HAT)) else {
        return false;
    };
    let Some(block) = profile.children().find(|n| n.kind() == BLOCK) else {
        return false;
    };
    block
        .children()
        .filter(|n| n.kind() == INCLUDE)
        .filter_map(ast::Include::cast)
        .any(|i| i.target().is_some_and(|t| t == "abstractions/base" || t == "abstractions/base-strict"))
}

declare_lint! {
    /// ## What it flags
    ///
    /// In a profile or hat that includes `abstractions/base`, a rule that
    /// apparmor.d's base abstraction (with `base-strict`) already grants: `ptrace readby`,
    /// `/usr/share/locale/`, `@{sys}/devices/system/cpu/{online,possible}`,
    /// `@{PROC}/@{pid}/{auxv,maps,status}`, `@{PROC}/{cpuinfo,filesystems,meminfo,stat}`,
    /// a few `@{PROC}/sys/` files, `/dev/full`, `/dev/zero` and so on. Deny
    /// rules are left alone. This is apparmor.d's
    /// `useless` check.
    ///
    /// ## Why it matters
    ///
    /// A rule the base already grants adds nothing, and makes the profile
    /// look as if it needed something special.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// include <abstractions/base>
    /// /dev/zero rw,
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// include <abstractions/base>
    /// /dev/example rw,
    /// ```
    ///
    /// ## Fix
    ///
    /// None: check that the profile includes the base abstraction, then
    /// remove the rule.
    pub static COVERED_BY_BASE = {
        code: "AA505",
        name: "covered-by-base",
        group: ApparmorD,
        level: Allow,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

/// Paths (as apparmor.d writes them) that its base abstraction grants; a
/// rule whose path starts with one is covered.
const IN_BASE: &[&str] = &[
    "/usr/share/locale/",
    "@{sys}/devices/system/cpu/online",
    "@{sys}/devices/system/cpu/possible",
    "@{sys}/kernel/mm/transparent_hugepage/hpage_pmd_size",
    "@{PROC}/@{pid}/auxv",
    "@{PROC}/@{pid}/maps",
    "@{PROC}/@{pid}/status",
    "@{PROC}/cpuinfo",
    "@{PROC}/filesystems",
    "@{PROC}/meminfo",
    "@{PROC}/stat",
    "@{PROC}/sys/kernel/cap_last_cap",
    "@{PROC}/sys/kernel/ngroups_max",
    "@{PROC}/sys/kernel/version",
    "@{PROC}/sys/vm/overcommit_memory",
    "/dev/full",
    "/dev/zero",
];

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for rule in file_rules(ctx) {
        let Some(path) = &rule.path else { continue };
        if rule.deny || !in_profile_with_base(&rule.node) {
            continue;
        }
        if let Some(prefix) = IN_BASE.iter().find(|p| path.contains(*p)) {
            sink.report(
                format!("`{prefix}` is already granted by the base abstraction: remove the rule"),
                ctx.root,
                rule.node.text_range(),
            );
        }
    }
    let tree = ctx.parse(ctx.root).syntax_node();
    for node in tree.descendants().filter(|n| n.kind() == PTRACE_RULE && in_profile_with_base(n)) {
        let text = node.text().to_string();
        let words: Vec<&str> =
            text.split(|c: char| c.is_whitespace() || "(),".contains(c)).filter(|w| !w.is_empty()).collect();
        if words.first() == Some(&"ptrace") && words.get(1) == Some(&"readby") && words.len() == 2 {
            sink.report(
                "`ptrace readby` is already granted by the base abstraction: remove the rule",
                ctx.root,
                node.text_range(),
            );
        }
    }
}
