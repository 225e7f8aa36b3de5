//! Which qualifiers each rule class takes: `owner`/`other` only on file
//! rules, `priority` not on `network`/`all` rules nor on blocks, and a block's
//! `allow`/`deny` must not contradict the rules inside it.

use aa_syntax::{
    SyntaxKind::*,
    SyntaxNode,
    ast::{self, AstNode},
};

use super::Prefix;
use crate::Diagnostic;

fn qualifier_range(node: &SyntaxNode, kinds: &[aa_syntax::SyntaxKind]) -> Option<aa_syntax::TextRange> {
    let quals = node.children().find(|n| n.kind() == QUALIFIERS)?;
    quals.children_with_tokens().find(|e| kinds.contains(&e.kind())).map(|e| e.text_range())
}

pub(super) fn check_rule(rule: &ast::Rule, prefix: &Prefix, block: &Prefix, sink: &mut Vec<Diagnostic>) {
    let node = rule.syntax();
    let class = match rule.kind() {
        CAPABILITY_RULE => "capability",
        NETWORK_RULE => "network",
        UNIX_RULE => "unix",
        DBUS_RULE => "dbus",
        SIGNAL_RULE => "signal",
        PTRACE_RULE => "ptrace",
        MOUNT_RULE => "mount",
        REMOUNT_RULE => "remount",
        UMOUNT_RULE => "umount",
        PIVOT_ROOT_RULE => "pivot_root",
        CHANGE_PROFILE_RULE => "change_profile",
        MQUEUE_RULE => "mqueue",
        IO_URING_RULE => "io_uring",
        USERNS_RULE => "userns",
        ALL_RULE => "all",
        _ => "",
    };
    if !class.is_empty()
        && prefix.owner.is_some()
        && let Some(range) = qualifier_range(node, &[OWNER_KW, OTHER_KW])
    {
        sink.push(Diagnostic::error(
            "owner-not-allowed",
            format!("`owner`/`other` is not allowed on `{class}` rules: it only applies to file rules"),
            range,
        ));
    }
    if matches!(rule.kind(), NETWORK_RULE | ALL_RULE)
        && prefix.priority
        && let Some(range) = qualifier_range(node, &[PRIORITY])
    {
        sink.push(Diagnostic::error(
            "priority-not-allowed",
            format!("`priority` is not allowed on `{class}` rules"),
            range,
        ));
    }
    if let Some(priority) =
        node.children().find(|n| n.kind() == QUALIFIERS).and_then(|q| q.children().find(|n| n.kind() == PRIORITY))
    {
        let value = priority.children().find(|n| n.kind() == VALUE).map(|v| v.text().to_string());
        if let Some(Ok(number)) = value.map(|v| v.trim().parse::<i64>())
            && !(-1000..=1000).contains(&number)
        {
            sink.push(Diagnostic::error(
                "priority-out-of-range",
                format!("priority {number} is out of range: it must be between -1000 and 1000"),
                priority.text_range(),
            ));
        }
    }
    // Only file, link and change_profile rules take their block's
    // qualifiers; there a contradicting `allow`/`deny` is an error.
    if matches!(rule.kind(), FILE_RULE | LINK_RULE | CHANGE_PROFILE_RULE)
        && let (Some(outer), Some(inner)) = (block.mode, prefix.mode)
        && outer != inner
        && let Some(range) = qualifier_range(node, &[ALLOW_KW, DENY_KW, PROMPT_KW])
    {
        sink.push(Diagnostic::error(
            "conflicting-rule-mode",
            "this rule's `allow`/`deny`/`prompt` contradicts the one on its enclosing block",
            range,
        ));
    }
}

pub(super) fn check_block(block: &SyntaxNode, prefix: &Prefix, outer: &Prefix, sink: &mut Vec<Diagnostic>) {
    if prefix.priority
        && let Some(range) = qualifier_range(block, &[PRIORITY])
    {
        sink.push(Diagnostic::error(
            "priority-not-allowed",
            "`priority` is not allowed on a block of rules; put it on each rule",
            range,
        ));
    }
    if let (Some(a), Some(b)) = (outer.mode, prefix.mode)
        && a != b
        && let Some(range) = qualifier_range(block, &[ALLOW_KW, DENY_KW, PROMPT_KW])
    {
        sink.push(Diagnostic::error(
            "conflicting-rule-mode",
            "this block's `allow`/`deny`/`prompt` contradicts the one on its enclosing block",
            range,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn owner_only_on_files() {
        check(
            "profile p { owner /a r, owner capability chown, audit deny owner change_profile, other network, }",
            expect![[r#"
                owner-not-allowed@24..29: `owner`/`other` is not allowed on `capability` rules: it only applies to file rules
                owner-not-allowed@59..64: `owner`/`other` is not allowed on `change_profile` rules: it only applies to file rules
                owner-not-allowed@81..86: `owner`/`other` is not allowed on `network` rules: it only applies to file rules
            "#]],
        );
    }

    #[test]
    fn priority_and_blocks() {
        check(
            "profile p { priority=1 network, priority=2 { /a r, } deny { allow /b r, } }",
            expect![[r#"
                priority-not-allowed@12..22: `priority` is not allowed on `network` rules
                priority-not-allowed@32..42: `priority` is not allowed on a block of rules; put it on each rule
                conflicting-rule-mode@60..65: this rule's `allow`/`deny`/`prompt` contradicts the one on its enclosing block
            "#]],
        );
    }
}
