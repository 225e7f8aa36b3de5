//! Rules: qualifiers, then one of the rule classes, then `,`.

use crate::{
    SyntaxKind::{self, *},
    parser::{Glue, Parser},
};

use super::items;

pub(super) fn rule(p: &mut Parser) {
    let checkpoint = p.checkpoint();
    let qualified = qualifiers(p);
    let keyword = match p.current() {
        Some(WORD) if is_identifier(p.current_text()) => crate::keyword_kind(p.current_text()),
        _ => None,
    };
    match (p.current(), keyword) {
        (Some(L_CURLY), _) => {
            // test qualified_block
            // audit { /a r, }
            p.start_node_at(checkpoint, QUALIFIED_BLOCK);
            items::block(p);
            p.finish_node();
        }
        (_, Some(kind)) if class_of(kind).is_some() => {
            let Some((node, class)) = class_of(kind) else { unreachable!() };
            p.start_node_at(checkpoint, node);
            p.bump_remap(kind);
            class(p, node);
            p.finish_node();
        }
        (_, Some(FILE_KW)) if p.nth(1) == Some(COMMA) => {
            // test bare_file
            // file,
            p.start_node_at(checkpoint, FILE_RULE);
            p.bump_remap(FILE_KW);
            p.bump();
            p.finish_node();
        }
        (_, Some(SET_KW)) if p.nth_word(1, "rlimit") => {
            p.start_node_at(checkpoint, RLIMIT_RULE);
            rlimit(p);
            p.finish_node();
        }
        (_, Some(PROFILE_KW | HAT_KW)) | (Some(CARET), _) if qualified => {
            p.error("qualifiers cannot be applied to a profile or hat");
            items::profile(p);
        }
        (_, Some(INCLUDE_KW | ABI_KW | ALIAS_KW | IF_KW)) if qualified => {
            p.start_node_at(checkpoint, ERROR);
            p.error("qualifiers must be followed by a rule");
            p.recover_to_rule_end();
            p.finish_node();
        }
        (Some(WORD | VARIABLE | STRING), _) => {
            p.start_node_at(checkpoint, FILE_RULE);
            file_rule(p);
            p.finish_node();
        }
        _ => {
            p.start_node_at(checkpoint, ERROR);
            if qualified {
                p.error("expected a rule after the qualifiers");
            } else {
                p.error(format!("expected a rule, found {}", describe(p)));
            }
            if p.at(COMMA) {
                p.bump();
            } else if !p.at(R_CURLY) && !p.at_eof() {
                p.bump();
                p.recover_to_rule_end();
            }
            p.finish_node();
        }
    }
}

fn describe(p: &Parser) -> String {
    match p.current() {
        None => "the end of the file".to_string(),
        Some(_) => format!("`{}`", p.current_text()),
    }
}

type ClassParser = fn(&mut Parser, SyntaxKind);

/// The rule node and body parser for each rule keyword.
fn class_of(keyword: SyntaxKind) -> Option<(SyntaxKind, ClassParser)> {
    Some(match keyword {
        CAPABILITY_KW => (CAPABILITY_RULE, capability as ClassParser),
        NETWORK_KW => (NETWORK_RULE, conditional_rule),
        UNIX_KW => (UNIX_RULE, conditional_rule),
        DBUS_KW => (DBUS_RULE, conditional_rule),
        SIGNAL_KW => (SIGNAL_RULE, conditional_rule),
        PTRACE_KW => (PTRACE_RULE, conditional_rule),
        MQUEUE_KW => (MQUEUE_RULE, conditional_rule),
        USERNS_KW => (USERNS_RULE, conditional_rule),
        IO_URING_KW => (IO_URING_RULE, conditional_rule),
        MOUNT_KW => (MOUNT_RULE, conditional_rule),
        REMOUNT_KW => (REMOUNT_RULE, conditional_rule),
        UMOUNT_KW => (UMOUNT_RULE, conditional_rule),
        PIVOT_ROOT_KW => (PIVOT_ROOT_RULE, conditional_rule),
        CHANGE_PROFILE_KW => (CHANGE_PROFILE_RULE, change_profile),
        LINK_KW => (LINK_RULE, link),
        ALL_KW => (ALL_RULE, all),
        _ => return None,
    })
}

pub(crate) fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `priority=N audit deny owner`, in any order here; the validator checks
/// the order `apparmor_parser` requires. Returns whether any was present.
fn qualifiers(p: &mut Parser) -> bool {
    let mut present = false;
    loop {
        let keyword = match p.current() {
            Some(WORD) if !p.nth_adjacent(1) || p.nth(1) == Some(EQ) => p.current_text(),
            _ => break,
        };
        let kind = match keyword {
            "priority" if matches!(p.nth(1), Some(EQ)) => PRIORITY_KW,
            "audit" => AUDIT_KW,
            "deny" => DENY_KW,
            "allow" => ALLOW_KW,
            "prompt" => PROMPT_KW,
            "owner" | "user" => OWNER_KW,
            "other" => OTHER_KW,
            _ => break,
        };
        // A qualifier needs something to qualify: `deny,` is not a qualifier.
        if matches!(p.nth(1), None | Some(COMMA | R_CURLY)) {
            break;
        }
        if !present {
            p.start_node(QUALIFIERS);
            present = true;
        }
        if kind == PRIORITY_KW {
            // test priority
            // priority=-10 /a r,
            p.start_node(PRIORITY);
            p.bump_remap(PRIORITY_KW);
            p.bump();
            if p.at(WORD) {
                p.value(Glue::NoAssign);
            } else {
                p.error_missing("expected a number after `priority=`");
            }
            p.finish_node();
        } else {
            p.bump_remap(kind);
        }
        if !p.step() {
            break;
        }
    }
    if present {
        p.finish_node();
    }
    present
}

/// Consumes the `,` ending a rule, or reports it missing and skips the rest.
pub(super) fn expect_rule_end(p: &mut Parser) {
    if p.eat(COMMA) {
        return;
    }
    p.error_missing("expected `,` at the end of the rule");
    p.recover_to_rule_end();
}

/// Whether `text` spells file permissions: letters from `rwalkmx` and the exec
/// modes (`ix`, `px`, `Px`, `cx`, `ux`, `pix`, `Cix`, `pux`, ...), as
/// `apparmor_parser`'s lexer recognises them.
pub(crate) fn is_file_mode(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'R' | b'r' | b'W' | b'w' | b'a' | b'L' | b'l' | b'M' | b'm' | b'k' | b'X' | b'x' => i += 1,
            b'P' | b'p' | b'C' | b'c' => match bytes.get(i + 1) {
                Some(b'X' | b'x') => i += 2,
                Some(b'I' | b'i' | b'U' | b'u') if matches!(bytes.get(i + 2), Some(b'X' | b'x')) => i += 3,
                _ => return false,
            },
            b'I' | b'i' | b'U' | b'u' if matches!(bytes.get(i + 1), Some(b'X' | b'x')) => i += 2,
            _ => return false,
        }
    }
    !bytes.is_empty()
}

// test file_rules
// /etc/passwd r,
// owner @{HOME}/** rw,
// file /usr/bin/foo ix,
// /usr/bin/bar Px -> bar_profile,
// rw /tmp/x,
// l subset /a -> /b,
// safe /bin/sh Ux,
// "/with space" r,
fn file_rule(p: &mut Parser) {
    p.eat_keyword("file", FILE_KW);
    if !p.eat_keyword("safe", SAFE_KW) {
        p.eat_keyword("unsafe", UNSAFE_KW);
    }
    let perms_first = p.at(WORD) && is_file_mode(p.current_text()) && !p.nth_adjacent(1) && p.nth(1) != Some(COMMA);
    if perms_first {
        perms(p);
        if !p.eat_keyword("subset", SUBSET_KW) {
            p.eat(LT_EQ);
        }
        path(p);
    } else {
        path(p);
        if p.at(WORD) {
            perms(p);
        } else {
            p.error_missing("expected permissions after the path");
        }
    }
    exec_target(p);
    expect_rule_end(p);
}

fn path(p: &mut Parser) {
    if p.at_value_start() {
        p.value(Glue::Ids);
    } else {
        p.error("expected a path");
    }
}

fn perms(p: &mut Parser) {
    p.start_node(PERMS);
    p.bump();
    p.finish_node();
}

/// `-> target` of an exec or link rule.
fn exec_target(p: &mut Parser) {
    if !p.at(ARROW) {
        return;
    }
    p.start_node(TARGET);
    p.bump();
    if p.at_value_start() {
        p.value(Glue::Ids);
    } else {
        p.error_missing("expected a target after `->`");
    }
    p.finish_node();
}

// test link_rule
// link subset /a -> /b,
fn link(p: &mut Parser, _: SyntaxKind) {
    p.eat_keyword("subset", SUBSET_KW);
    path(p);
    if p.at(ARROW) {
        exec_target(p);
    } else {
        p.error_missing("expected `->` and the link target");
    }
    expect_rule_end(p);
}

// test capability
// capability chown dac_override,
// capability,
fn capability(p: &mut Parser, _: SyntaxKind) {
    while p.at(WORD) && p.step() {
        p.bump();
    }
    expect_rule_end(p);
}

fn all(p: &mut Parser, _: SyntaxKind) {
    expect_rule_end(p);
}

// test change_profile
// change_profile,
// change_profile -> foo,
// change_profile unsafe /bin/bash -> &bar,
fn change_profile(p: &mut Parser, _: SyntaxKind) {
    if !p.eat_keyword("safe", SAFE_KW) {
        p.eat_keyword("unsafe", UNSAFE_KW);
    }
    if p.at_value_start() {
        p.value(Glue::Ids);
    }
    exec_target(p);
    expect_rule_end(p);
}

// test rlimit
// set rlimit nofile <= 1024,
// set rlimit rttime <= 60ms,
// set rlimit cpu <= infinity,
fn rlimit(p: &mut Parser) {
    p.bump_remap(SET_KW);
    p.bump_remap(RLIMIT_KW);
    if p.at(WORD) {
        p.bump();
    } else {
        p.error("expected a resource name");
    }
    if !p.eat(LT_EQ) {
        p.error("expected `<=`");
    }
    if p.at(WORD) {
        p.value(Glue::NoAssign);
    } else {
        p.error_missing("expected a limit value");
    }
    if p.at(WORD) {
        p.value(Glue::NoAssign);
    }
    expect_rule_end(p);
}

/// Words that stand for an access right without parentheses, per class.
fn is_access_word(rule: SyntaxKind, word: &str) -> bool {
    let modes = matches!(word, "r" | "w" | "rw" | "wr");
    match rule {
        NETWORK_RULE | UNIX_RULE => {
            modes
                || matches!(
                    word,
                    "create"
                        | "bind"
                        | "listen"
                        | "accept"
                        | "connect"
                        | "shutdown"
                        | "getattr"
                        | "setattr"
                        | "getopt"
                        | "setopt"
                        | "send"
                        | "receive"
                        | "read"
                        | "write"
                )
        }
        DBUS_RULE => modes || matches!(word, "bind" | "send" | "receive" | "read" | "write" | "eavesdrop"),
        SIGNAL_RULE => modes || matches!(word, "send" | "receive" | "read" | "write"),
        PTRACE_RULE => modes || matches!(word, "trace" | "tracedby" | "readby" | "read" | "write"),
        MQUEUE_RULE => modes || matches!(word, "create" | "open" | "delete" | "getattr" | "setattr" | "read" | "write"),
        USERNS_RULE => word == "create",
        IO_URING_RULE => matches!(word, "override_creds" | "sqpoll"),
        _ => false,
    }
}

/// Conditions whose value is a list of conditions: `peer=(label=x addr=y)`.
fn is_group_condition(word: &str) -> bool {
    matches!(word, "peer" | "xattrs")
}

// test conditional_rules
// network inet stream,
// network (bind, listen) inet tcp ip=127.0.0.1 port=80 peer=(ip=10.0.0.1 port=443),
// unix (send receive) type=stream addr=@foo peer=(label=bar),
// dbus send bus=session path=/org/foo interface=org.foo member={A,B} peer=(name=org.bar),
// signal (send) set=(hup int) peer=foo,
// ptrace trace peer=unconfined,
// mount options=(ro, bind) /dev/sda1 -> /mnt/,
// umount /mnt/,
// pivot_root oldroot=/old/ /new/ -> child,
// mqueue (open read) type=posix /foo,
// userns create,
// io_uring sqpoll label=foo,
fn conditional_rule(p: &mut Parser, rule: SyntaxKind) {
    let mut first = true;
    loop {
        if !p.step() {
            return;
        }
        match p.current() {
            Some(COMMA) => {
                p.bump();
                return;
            }
            None | Some(R_CURLY) => {
                p.error_missing("expected `,` at the end of the rule");
                return;
            }
            _ if !first && p.at_line_start_of_item() && !at_condition(p) => {
                p.error_missing("expected `,` at the end of the rule");
                return;
            }
            Some(L_PAREN) if first => {
                p.start_node(ACCESS);
                value_list(p);
                p.finish_node();
            }
            Some(WORD) if at_condition(p) => condition(p),
            Some(WORD) if first && is_access_word(rule, p.current_text()) => {
                p.start_node(ACCESS);
                p.bump();
                p.finish_node();
            }
            Some(WORD | VARIABLE | STRING) => p.value(Glue::NoAssign),
            Some(ARROW) => p.bump(),
            _ => p.err_and_bump(format!("unexpected `{}` in the rule", p.current_text())),
        }
        first = false;
    }
}

/// `name=`, `name:=` or `name in (`.
fn at_condition(p: &Parser) -> bool {
    p.at(WORD)
        && is_identifier(p.current_text())
        && (matches!(p.nth(1), Some(EQ | COLON_EQ)) && !p.newline_before(1)
            || p.nth_word(1, "in") && p.nth(2) == Some(L_PAREN))
}

fn condition(p: &mut Parser) {
    let group = is_group_condition(p.current_text()) && p.nth(2) == Some(L_PAREN);
    p.start_node(if group { CONDITION_GROUP } else { CONDITION });
    p.bump();
    if !p.eat_keyword("in", IN_KW) {
        p.bump();
    }
    if group {
        condition_group_body(p);
    } else if p.at(L_PAREN) {
        value_list(p);
    } else if p.at_value_start() || p.at(L_CURLY) {
        // `fstype={procfs,sysfs}`: a value may open with an alternation.
        p.value(Glue::Ids);
    } else {
        p.error_missing("expected a value");
    }
    p.finish_node();
}

/// `( a b, c )`: values separated by blanks or commas.
pub(super) fn value_list(p: &mut Parser) {
    p.start_node(VALUE_LIST);
    p.bump();
    while !p.at_eof() && !p.at(R_PAREN) && p.step() {
        match p.current() {
            Some(COMMA) => p.bump(),
            Some(WORD | VARIABLE | STRING) => p.value(Glue::List),
            Some(L_CURLY | R_CURLY) => break,
            _ => p.err_and_bump(format!("unexpected `{}` in a list", p.current_text())),
        }
    }
    if !p.eat(R_PAREN) {
        p.error_missing("expected `)` to close the list");
    }
    p.finish_node();
}

/// `( key=value key=(v1 v2) ... )` after `peer=` or `xattrs=`.
pub(super) fn condition_group_body(p: &mut Parser) {
    if !p.eat(L_PAREN) {
        p.error("expected `(`");
        return;
    }
    while !p.at_eof() && !p.at(R_PAREN) && p.step() {
        match p.current() {
            Some(COMMA) => p.bump(),
            Some(WORD) if matches!(p.nth(1), Some(EQ | COLON_EQ)) => {
                p.start_node(CONDITION);
                p.bump();
                p.bump();
                if p.at(L_PAREN) {
                    value_list(p);
                } else if p.at_value_start() {
                    p.value(Glue::List);
                } else {
                    p.error_missing("expected a value");
                }
                p.finish_node();
            }
            Some(WORD | VARIABLE | STRING) => {
                p.start_node(CONDITION);
                p.value(Glue::List);
                p.finish_node();
            }
            Some(L_CURLY | R_CURLY) => break,
            _ => p.err_and_bump(format!("unexpected `{}` in a condition list", p.current_text())),
        }
    }
    if !p.eat(R_PAREN) {
        p.error_missing("expected `)` to close the condition list");
    }
}
