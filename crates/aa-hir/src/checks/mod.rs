//! Semantic checks `apparmor_parser` makes once a file has parsed: unknown
//! names, bad condition values, conflicting permissions, qualifiers a rule
//! class does not take, misplaced hats and rules, duplicate profiles.
//!
//! Values are taken literally: anything containing a variable (`@{x}`) is
//! skipped where the check depends on its content, until the expanded model
//! feeds the checks. One file per rule class; `walk` dispatches.

mod abi;
mod capability;
mod change_profile;
mod conditional;
mod dbus;
mod file;
mod io_uring;
mod language;
mod mount;
mod mqueue;
mod network;
mod profile;
mod ptrace;
mod qualifiers;
mod regex;
mod rlimit;
mod signal;
mod unix;
mod userns;

#[cfg(test)]
mod tests;

pub use abi::{AbiResolution, AbiRule, abi_diagnostics, embedded_abis, file_abis};
pub(crate) use language::compare;
pub use language::language_diagnostics;

/// The names `apparmor_parser` knows, for front ends (completion, hover).
pub mod names {
    pub use super::{
        capability::CAPABILITIES,
        network::{FAMILIES as NETWORK_FAMILIES, TYPES as NETWORK_TYPES},
        signal::SIGNALS,
    };
}

use aa_syntax::{
    SyntaxElement,
    SyntaxKind::{self, *},
    SyntaxNode, TextRange,
    ast::{self, AstNode},
};

use crate::{Diagnostic, variables::Variables};

/// How `apparmor_parser` meets a file, which decides whether rules may sit
/// outside a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// Could be an abstraction, which may hold bare rules next to hats and
    /// child profiles (Debian's `abstractions/ubuntu-browsers.d/java`), so
    /// top-level rules are not reported.
    Unknown,
    /// Loaded directly (`apparmor_parser file`): every rule must be inside a
    /// profile.
    Policy,
}

/// Every semantic error in one file of unknown role, values taken literally.
pub fn check(file: &ast::SourceFile) -> Vec<Diagnostic> {
    check_as(file, FileRole::Unknown)
}

/// Every semantic error in one file, given how it is loaded.
pub fn check_as(file: &ast::SourceFile, role: FileRole) -> Vec<Diagnostic> {
    check_resolved(file, role, None)
}

/// Every semantic error in one file, with the variable table of the policy
/// it is part of: booleans decide `if` branches, and names, attachments and
/// flags are checked after expansion.
pub fn check_resolved(file: &ast::SourceFile, role: FileRole, vars: Option<&Variables>) -> Vec<Diagnostic> {
    let mut sink = Vec::new();
    let scope =
        Scope { in_profile: false, rules_outside_are_errors: role == FileRole::Policy, block: Prefix::default(), vars };
    walk(file.syntax(), scope, &mut sink);
    profile::check_file(file, vars, &mut sink);
    sink.sort_by_key(|d| (d.range.start(), d.range.end()));
    sink
}

#[derive(Clone, Copy)]
struct Scope<'a> {
    in_profile: bool,
    rules_outside_are_errors: bool,
    /// Qualifiers of the enclosing `audit { }`-style blocks.
    block: Prefix,
    vars: Option<&'a Variables>,
}

fn walk(node: &SyntaxNode, scope: Scope<'_>, sink: &mut Vec<Diagnostic>) {
    for child in node.children() {
        match child.kind() {
            PROFILE | HAT => {
                if let Some(profile) = ast::Profile::cast(child.clone()) {
                    profile::check_profile(&profile, scope.in_profile, scope.vars, sink);
                    if let Some(body) = profile.body() {
                        let inner = Scope { in_profile: true, block: Prefix::default(), ..scope };
                        walk(body.syntax(), inner, sink);
                    }
                }
            }
            QUALIFIED_BLOCK => {
                let prefix = Prefix::of(&child);
                qualifiers::check_block(&child, &prefix, &scope.block, sink);
                let block = scope.block.merged(&prefix);
                for body in child.children().filter(|n| n.kind() == BLOCK) {
                    walk(&body, Scope { block, ..scope }, sink);
                }
            }
            // `if` bodies and `else` branches hold items of the same scope.
            IF_STMT | ELSE_BRANCH | BLOCK => {
                if child.kind() == IF_STMT {
                    conditional::check_condition(&child, sink);
                }
                walk(&child, scope, sink)
            }
            VARIABLE_DEF | BOOL_DEF | ALIAS if scope.in_profile => {
                let what = match child.kind() {
                    ALIAS => "an `alias` rule",
                    _ => "a variable definition",
                };
                sink.push(Diagnostic::error(
                    "not-allowed-in-profile",
                    format!("{what} is not allowed inside a profile: move it before the first profile"),
                    first_token_range(&child),
                ));
            }
            kind if kind.is_rule() => {
                if let Some(rule) = ast::Rule::cast(child.clone()) {
                    check_rule(&rule, scope, sink);
                }
            }
            _ => {}
        }
    }
}

fn check_rule(rule: &ast::Rule, scope: Scope<'_>, sink: &mut Vec<Diagnostic>) {
    if !scope.in_profile && scope.rules_outside_are_errors {
        sink.push(Diagnostic::error(
            "rule-outside-profile",
            "rules must be inside a profile or hat; only abstractions (included files) hold bare rules",
            first_token_range(rule.syntax()),
        ));
    }
    let prefix = Prefix::of(rule.syntax());
    qualifiers::check_rule(rule, &prefix, &scope.block, sink);
    let effective = scope.block.merged(&prefix);
    let info = RuleInfo::new(rule);
    match rule.kind() {
        CAPABILITY_RULE => capability::check(&info, sink),
        NETWORK_RULE => network::check(&info, sink),
        UNIX_RULE => unix::check(&info, sink),
        DBUS_RULE => dbus::check(&info, sink),
        SIGNAL_RULE => signal::check(&info, sink),
        PTRACE_RULE => ptrace::check(&info, sink),
        MOUNT_RULE | REMOUNT_RULE | UMOUNT_RULE | PIVOT_ROOT_RULE => mount::check(&info, sink),
        RLIMIT_RULE => rlimit::check(&info, sink),
        FILE_RULE | LINK_RULE => file::check(rule, &effective, sink),
        CHANGE_PROFILE_RULE => change_profile::check(&info, sink),
        MQUEUE_RULE => mqueue::check(&info, sink),
        IO_URING_RULE => io_uring::check(&info, sink),
        USERNS_RULE => userns::check(&info, sink),
        _ => {}
    }
    regex::check(rule, &info, scope.vars, sink);
    repeated_conditions(&info, sink);
    if matches!(rule.kind(), NETWORK_RULE | DBUS_RULE | UNIX_RULE) {
        peer_group_last(rule.syntax(), sink);
    }
}

/// `network`, `dbus` and `unix` rules take one `peer=( )` group, after all
/// other conditions (the grammar's `opt_conds opt_cond_list`).
fn peer_group_last(node: &SyntaxNode, sink: &mut Vec<Diagnostic>) {
    let mut group_seen = false;
    for child in node.children() {
        match child.kind() {
            CONDITION_GROUP if group_seen => sink.push(Diagnostic::error(
                "peer-group-not-last",
                "only one `peer=( )` group is allowed",
                child.text_range(),
            )),
            CONDITION_GROUP => {
                group_seen = true;
                // Inside `peer=( )` every item is `name=value`.
                for inner in child.children().filter(|n| n.kind() == CONDITION) {
                    if !inner.children_with_tokens().any(|e| matches!(e.kind(), EQ | COLON_EQ)) {
                        sink.push(Diagnostic::error(
                            "bad-peer-condition",
                            format!("`{}` inside `peer=( )` is not a condition: write `name=value`", inner.text()),
                            inner.text_range(),
                        ));
                    }
                }
            }
            CONDITION if group_seen => sink.push(Diagnostic::error(
                "peer-group-not-last",
                "`peer=( )` must come after all other conditions",
                child.text_range(),
            )),
            _ => {}
        }
    }
}

/// Conditions `apparmor_parser` stores in one slot per rule (or per
/// `peer=( )`): giving one twice is an error.
fn repeated_conditions(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    let single: &[&str] = match info.node.kind() {
        DBUS_RULE => &["bus", "name", "label", "path", "interface", "member"],
        UNIX_RULE => &["addr", "type", "label", "protocol"],
        NETWORK_RULE => &["label", "ip", "port", "interface"],
        SIGNAL_RULE | PTRACE_RULE => &["peer"],
        _ => return,
    };
    fn level(conds: &[Cond], single: &[&str], keyword: &str, sink: &mut Vec<Diagnostic>) {
        let mut seen: Vec<&str> = Vec::new();
        for cond in conds {
            if let Some(group) = &cond.group {
                level(group, single, keyword, sink);
            }
            if cond.group.is_some() && cond.name == "peer" && keyword != "signal" && keyword != "ptrace" {
                continue;
            }
            if !single.contains(&cond.name.as_str()) {
                continue;
            }
            if seen.contains(&cond.name.as_str()) {
                sink.push(Diagnostic::error(
                    "repeated-condition",
                    format!("`{}` can only be given once in a `{keyword}` rule", cond.name),
                    cond.range,
                ));
            } else {
                seen.push(&cond.name);
            }
        }
    }
    level(&info.conds, single, &info.keyword, sink);
}

/// The qualifiers in front of a rule or block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Prefix {
    pub(crate) audit: bool,
    pub(crate) mode: Option<SyntaxKind>,
    pub(crate) owner: Option<SyntaxKind>,
    pub(crate) priority: bool,
}

impl Prefix {
    fn of(node: &SyntaxNode) -> Prefix {
        let mut prefix = Prefix::default();
        let Some(quals) = node.children().find_map(ast::Qualifiers::cast) else {
            return prefix;
        };
        for token in quals.keywords() {
            match token.kind() {
                AUDIT_KW => prefix.audit = true,
                ALLOW_KW | DENY_KW | PROMPT_KW => prefix.mode = Some(token.kind()),
                OWNER_KW | OTHER_KW => prefix.owner = Some(token.kind()),
                _ => {}
            }
        }
        prefix.priority = quals.syntax().children().any(|n| n.kind() == PRIORITY);
        prefix
    }

    /// A rule's own qualifiers on top of its block's.
    fn merged(&self, inner: &Prefix) -> Prefix {
        Prefix {
            audit: self.audit || inner.audit,
            mode: inner.mode.or(self.mode),
            owner: inner.owner.or(self.owner),
            priority: self.priority || inner.priority,
        }
    }

    pub(crate) fn is_deny(&self) -> bool {
        self.mode == Some(DENY_KW)
    }
}

/// A value as `apparmor_parser` sees it: quotes removed, with its range.
#[derive(Debug, Clone)]
pub(crate) struct Val {
    pub(crate) text: String,
    pub(crate) range: TextRange,
}

impl Val {
    fn of_node(node: &SyntaxNode) -> Val {
        Val { text: unquote(&node.text().to_string()), range: node.text_range() }
    }

    /// Contains a variable reference, so its content is unknown until expansion.
    pub(crate) fn has_var(&self) -> bool {
        has_var(&self.text)
    }
}

pub(crate) fn has_var(text: &str) -> bool {
    text.contains("@{") || text.contains('$')
}

fn unquote(text: &str) -> String {
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        text[1..text.len() - 1].to_string()
    } else {
        text.to_string()
    }
}

/// The operator of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    /// `:=`, only meaningful for network `label`.
    Set,
    In,
}

/// `name=value`, `name=(v1 v2)`, `name in (...)` or a group `peer=(...)`.
#[derive(Debug, Clone)]
pub(crate) struct Cond {
    pub(crate) name: String,
    pub(crate) name_range: TextRange,
    pub(crate) range: TextRange,
    pub(crate) op: Op,
    pub(crate) values: Vec<Val>,
    /// Written as a parenthesised list.
    pub(crate) list: bool,
    /// The conditions inside `peer=( )`.
    pub(crate) group: Option<Vec<Cond>>,
}

impl Cond {
    fn of_node(node: &SyntaxNode) -> Option<Cond> {
        let name_token = node.first_token()?;
        let mut cond = Cond {
            name: name_token.text().to_string(),
            name_range: name_token.text_range(),
            range: node.text_range(),
            op: Op::Eq,
            values: Vec::new(),
            list: false,
            group: None,
        };
        for element in node.children_with_tokens() {
            match element {
                SyntaxElement::Token(t) => match t.kind() {
                    COLON_EQ => cond.op = Op::Set,
                    IN_KW => cond.op = Op::In,
                    _ => {}
                },
                SyntaxElement::Node(n) => match n.kind() {
                    VALUE => cond.values.push(Val::of_node(&n)),
                    VALUE_LIST => {
                        cond.list = true;
                        cond.values.extend(n.children().filter(|v| v.kind() == VALUE).map(|v| Val::of_node(&v)));
                    }
                    CONDITION => cond.group.get_or_insert_with(Vec::new).extend(Cond::of_node(&n)),
                    _ => {}
                },
            }
        }
        if node.kind() == CONDITION_GROUP && cond.group.is_none() {
            cond.group = Some(Vec::new());
        }
        // A bare value inside a group (`peer=(label)`) has no name.
        if node.kind() == CONDITION && name_token.parent().is_some_and(|p| p.kind() == VALUE) {
            cond.name = String::new();
            cond.values = node.children().filter(|v| v.kind() == VALUE).map(|v| Val::of_node(&v)).collect();
        }
        Some(cond)
    }

    /// The one value, when there is exactly one.
    pub(crate) fn single(&self) -> Option<&Val> {
        match self.values.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

/// The parts of a non-file rule, in the order written.
pub(crate) struct RuleInfo {
    pub(crate) node: SyntaxNode,
    pub(crate) keyword: String,
    pub(crate) keyword_range: TextRange,
    /// The access list (`send`, `(send receive)`).
    pub(crate) access: Vec<Val>,
    pub(crate) access_range: Option<TextRange>,
    /// Plain words and values that are not conditions (`inet stream`,
    /// capability names, a mount point).
    pub(crate) words: Vec<Val>,
    pub(crate) conds: Vec<Cond>,
}

impl RuleInfo {
    fn new(rule: &ast::Rule) -> RuleInfo {
        let node = rule.syntax().clone();
        let keyword = node
            .children_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| t.kind().is_keyword() && !matches!(t.kind(), SET_KW));
        let (keyword, keyword_range) = match keyword {
            Some(t) => (t.text().to_string(), t.text_range()),
            None => (String::new(), first_token_range(&node)),
        };
        let mut info = RuleInfo {
            keyword,
            keyword_range,
            access: Vec::new(),
            access_range: None,
            words: Vec::new(),
            conds: Vec::new(),
            node: node.clone(),
        };
        for element in node.children_with_tokens() {
            match element {
                SyntaxElement::Token(t) if t.kind() == WORD => {
                    info.words.push(Val { text: t.text().to_string(), range: t.text_range() })
                }
                SyntaxElement::Token(_) => {}
                SyntaxElement::Node(n) => match n.kind() {
                    ACCESS => {
                        info.access_range = Some(n.text_range());
                        info.access.extend(access_values(&n));
                    }
                    VALUE => info.words.push(Val::of_node(&n)),
                    CONDITION | CONDITION_GROUP => info.conds.extend(Cond::of_node(&n)),
                    _ => {}
                },
            }
        }
        info
    }

    /// No access list: the rule grants every access of its class.
    #[allow(dead_code)]
    pub(crate) fn has_access(&self, names: &[&str]) -> bool {
        self.access.is_empty() || self.access.iter().any(|a| names.contains(&a.text.as_str()))
    }
}

fn access_values(node: &SyntaxNode) -> Vec<Val> {
    let mut out = Vec::new();
    for element in node.descendants_with_tokens() {
        match element {
            SyntaxElement::Node(n) if n.kind() == VALUE => out.push(Val::of_node(&n)),
            SyntaxElement::Token(t) if t.kind() == WORD && t.parent().is_some_and(|p| p.kind() == ACCESS) => {
                out.push(Val { text: t.text().to_string(), range: t.text_range() })
            }
            _ => {}
        }
    }
    // `(send,receive)` can glue into one value; split it the way the lexer of
    // `apparmor_parser` would.
    out.into_iter()
        .flat_map(|v| {
            if v.text.contains(',') && !v.has_var() {
                let start = v.range.start();
                let mut offset = 0u32;
                v.text
                    .split(',')
                    .map(|part| {
                        let len = part.len() as u32;
                        let range =
                            TextRange::at(start + aa_syntax::TextSize::from(offset), aa_syntax::TextSize::from(len));
                        offset += len + 1;
                        Val { text: part.to_string(), range }
                    })
                    .filter(|p| !p.text.is_empty())
                    .collect::<Vec<_>>()
            } else {
                vec![v]
            }
        })
        .collect()
}

pub(crate) fn first_token_range(node: &SyntaxNode) -> TextRange {
    node.children_with_tokens()
        .find(|e| !e.kind().is_trivia())
        .map(|e| e.text_range())
        .unwrap_or_else(|| node.text_range())
}

/// Checks the conditions of a rule against the names it accepts and that
/// they use `=`; returns the conditions that passed, for value checks.
pub(crate) fn known_conditions<'a>(
    info: &'a RuleInfo,
    conds: &'a [Cond],
    allowed: &[&str],
    in_peer: bool,
    sink: &mut Vec<Diagnostic>,
) -> Vec<&'a Cond> {
    let mut out = Vec::new();
    for cond in conds {
        if cond.name.is_empty() {
            continue;
        }
        if !allowed.contains(&cond.name.as_str()) {
            let place = if in_peer { " inside `peer=( )`" } else { "" };
            sink.push(Diagnostic::error(
                "unknown-condition",
                format!(
                    "`{}` is not a condition of `{}` rules{place}: expected one of {}",
                    cond.name,
                    info.keyword,
                    quoted_list(allowed)
                ),
                cond.name_range,
            ));
            continue;
        }
        if cond.op != Op::Eq {
            sink.push(Diagnostic::error(
                "bad-condition-operator",
                format!("only `=` is allowed in the conditions of `{}` rules", info.keyword),
                cond.range,
            ));
            continue;
        }
        out.push(cond);
    }
    out
}

/// Access words must come from the class's list.
pub(crate) fn check_access(info: &RuleInfo, allowed: &[&str], sink: &mut Vec<Diagnostic>) {
    for access in &info.access {
        if access.has_var() || allowed.contains(&access.text.as_str()) {
            continue;
        }
        sink.push(Diagnostic::error(
            "unknown-access",
            format!(
                "`{}` is not an access of `{}` rules: expected one of {}",
                access.text,
                info.keyword,
                quoted_list(allowed)
            ),
            access.range,
        ));
    }
}

pub(crate) fn quoted_list(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// A `peer=(...)` group where the class does not take one, or a condition
/// that takes a single value given a list.
pub(crate) fn single_value(info: &RuleInfo, cond: &Cond, sink: &mut Vec<Diagnostic>) -> bool {
    if cond.group.is_some() || cond.values.len() != 1 {
        sink.push(Diagnostic::error(
            "condition-takes-one-value",
            format!("`{}` in a `{}` rule takes exactly one value", cond.name, info.keyword),
            cond.range,
        ));
        return false;
    }
    true
}
