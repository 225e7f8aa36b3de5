//! Statements that are not rules: the preamble (`abi`, `include`, `alias`,
//! variable and boolean definitions), profiles and hats with their headers,
//! blocks and conditionals.

use crate::{
    SyntaxKind::*,
    parser::{Glue, MAX_DEPTH, Parser},
};

use super::{expressions, rules};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// The file level: a bare path starts a profile.
    File,
    /// Inside a profile, hat or block: a bare path starts a file rule.
    Body,
}

pub(crate) fn source_file(p: &mut Parser) {
    p.start_root(SOURCE_FILE);
    statements(p, Scope::File);
    p.bump_rest_as_error();
    p.finish_node();
}

/// Statements up to the end of the file, or up to the `}` closing a body.
pub(super) fn statements(p: &mut Parser, scope: Scope) {
    while let Some(kind) = p.current() {
        if !p.step() {
            return;
        }
        if kind == R_CURLY {
            if scope == Scope::Body {
                return;
            }
            p.err_and_bump("unmatched `}`");
            continue;
        }
        statement(p);
    }
}

fn statement(p: &mut Parser) {
    match p.current() {
        Some(HASH_INCLUDE) => include(p),
        Some(WORD) if p.at_word("include") && !p.nth_adjacent(1) => include(p),
        Some(WORD) if p.at_word("abi") && (!p.nth_adjacent(1) || matches!(p.nth(1), Some(LT | STRING))) => abi(p),
        Some(WORD) if (p.at_word("alias") || p.at_word("rewrite")) && !p.nth_adjacent(1) => alias(p),
        Some(VARIABLE) if at_assignment_op(p, 1) => variable_def(p),
        Some(WORD) if is_bare_variable(p.current_text()) && at_assignment_op(p, 1) => variable_def(p),
        Some(BOOL_VARIABLE) if at_assignment_op(p, 1) => bool_def(p),
        Some(WORD) if p.at_word("if") => if_statement(p),
        Some(WORD) if p.at_word("profile") => profile(p),
        Some(WORD) if p.at_word("hat") && !p.nth_adjacent(1) && p.nth(1) != Some(COMMA) => profile(p),
        Some(CARET) => profile(p),
        // A keyword is never a profile name here: `audit { ... }` is a
        // qualified block, `priority=1 { ... }` too.
        Some(WORD) if crate::keyword_kind(p.current_text()).is_some() => rules::rule(p),
        Some(WORD | VARIABLE | STRING) if looks_like_profile_header(p) => profile(p),
        _ => rules::rule(p),
    }
}

/// `@name` is the old spelling of `@{name}` in definitions.
fn is_bare_variable(word: &str) -> bool {
    word.strip_prefix('@').and_then(|rest| rest.chars().next()).is_some_and(|c| c.is_ascii_alphabetic())
}

fn at_assignment_op(p: &Parser, n: usize) -> bool {
    matches!(p.nth(n), Some(EQ | PLUS_EQ | QUESTION_EQ | COLON_EQ)) && !p.newline_before(n)
}

/// `NAME ... {` with no `,` before the `{` is a profile written without the
/// `profile` keyword; anything else is a rule. At file level that is how
/// abstractions (bare rules) differ from profiles; inside a body the
/// validator rejects the missing keyword, and parsing it as a profile keeps
/// the rest of the body intact.
fn looks_like_profile_header(p: &Parser) -> bool {
    let mut parens = 0u32;
    for n in 0..64 {
        match p.nth(n) {
            None => return false,
            // `/{usr/,}bin` keeps its `}`: only a separate `}` ends the scan.
            Some(R_CURLY) if !p.nth_adjacent(n) => return false,
            Some(L_PAREN) => parens += 1,
            Some(R_PAREN) => parens = parens.saturating_sub(1),
            Some(COMMA) if parens == 0 && !(p.nth_adjacent(n) && p.nth_adjacent(n + 1)) => {
                return false;
            }
            Some(L_CURLY) if n > 0 && (!p.nth_adjacent(n) || p.nth(n - 1) == Some(R_PAREN)) => {
                return parens == 0;
            }
            _ => {}
        }
    }
    false
}

// test include
// include <abstractions/base>
// #include <tunables/global>
// include if exists <local/foo>
// include "/etc/apparmor.d/foo"
fn include(p: &mut Parser) {
    p.start_node(INCLUDE);
    if !p.eat(HASH_INCLUDE) {
        p.bump_remap(INCLUDE_KW);
    }
    if p.at_word("if") && p.nth_word(1, "exists") {
        p.bump_remap(IF_KW);
        p.bump_remap(EXISTS_KW);
    }
    include_target(p, "include");
    p.finish_node();
}

/// `<name>`, `"name"` or a bare word: the operand of `include` and `abi`.
fn include_target(p: &mut Parser, what: &str) {
    match p.current() {
        Some(LT) if !p.newline_before(0) => {
            p.start_node(INCLUDE_TARGET);
            p.bump();
            // Everything up to `>` on the same line is the name, blanks included.
            while !p.at_eof() && !p.at(GT) && !p.newline_before(0) && p.step() {
                p.bump();
            }
            if !p.eat(GT) {
                p.error_missing(format!("expected `>` to close the {what} name"));
            }
            p.finish_node();
        }
        Some(STRING | WORD | VARIABLE) if !p.newline_before(0) => {
            p.start_node(INCLUDE_TARGET);
            p.value(Glue::Ids);
            p.finish_node();
        }
        _ => p.error_missing(format!("expected a file name after `{what}`")),
    }
}

fn abi(p: &mut Parser) {
    p.start_node(ABI);
    p.bump_remap(ABI_KW);
    include_target(p, "abi");
    rules::expect_rule_end(p);
    p.finish_node();
}

fn alias(p: &mut Parser) {
    p.start_node(ALIAS);
    p.bump_remap(ALIAS_KW);
    if p.at_value_start() {
        p.value(Glue::Ids);
    } else {
        p.error("expected the aliased path");
    }
    if p.at(ARROW) {
        p.start_node(TARGET);
        p.bump();
        if p.at_value_start() {
            p.value(Glue::Ids);
        } else {
            p.error("expected the alias target after `->`");
        }
        p.finish_node();
    } else {
        p.error("expected `->`");
    }
    rules::expect_rule_end(p);
    p.finish_node();
}

// test variable_def
// @{HOME} = /home/*/ /root/
// @{HOME} += /srv/home/
// @{x}=a "b c" \
//   d
fn variable_def(p: &mut Parser) {
    p.start_node(VARIABLE_DEF);
    p.bump();
    p.bump();
    assignment_values(p);
    p.finish_node();
}

/// The values of a definition run to the end of the line; a lone `\` before
/// the line break continues them on the next line. As in `apparmor_parser`,
/// a value may hold any character but blanks, quotes, `!` and a final `,`.
fn assignment_values(p: &mut Parser) {
    let mut continued = false;
    while !p.at_eof() && p.step() {
        if p.newline_before(0) && !continued {
            break;
        }
        continued = false;
        if p.nth_word(0, "\\") && p.newline_before(1) {
            p.bump();
            continued = true;
            continue;
        }
        match p.current() {
            Some(COMMA) => p.err_and_bump("variable definitions do not take a trailing `,`"),
            Some(BANG | BANG_EQ | HASH_INCLUDE | ERROR_TOKEN) => {
                p.err_and_bump("unexpected token in a variable definition")
            }
            _ => p.value(Glue::Ids),
        }
    }
}

fn bool_def(p: &mut Parser) {
    p.start_node(BOOL_DEF);
    p.bump();
    p.bump();
    assignment_values(p);
    p.finish_node();
}

// test profile_headers
// profile foo /usr/bin/foo xattrs=(user.x=y) flags=(complain, attach_disconnected) {
//   ^hat {}
//   hat other {}
//   profile child {}
// }
// /usr/bin/bar (complain) {}
// :ns:name {}
pub(super) fn profile(p: &mut Parser) {
    let is_hat = p.at(CARET) || p.at_word("hat");
    p.start_node(if is_hat { HAT } else { PROFILE });
    match p.current() {
        Some(CARET) => {
            let adjacent = p.nth_adjacent(1);
            p.bump();
            if !adjacent && p.at_value_start() {
                p.error("a hat name must follow `^` directly");
            }
        }
        Some(WORD) if p.at_word("profile") => p.bump_remap(PROFILE_KW),
        Some(WORD) if p.at_word("hat") => p.bump_remap(HAT_KW),
        _ => {}
    }
    if p.at_value_start() && !at_header_keyword(p) {
        p.start_node(PROFILE_NAME);
        p.value(Glue::Ids);
        p.finish_node();
    } else {
        p.error("expected a profile name");
    }
    profile_header_tail(p);
    if p.at(L_CURLY) {
        block(p);
    } else {
        p.error_missing("expected `{` to open the profile body");
    }
    p.finish_node();
}

fn at_header_keyword(p: &Parser) -> bool {
    (p.at_word("flags") || p.at_word("xattrs")) && matches!(p.nth(1), Some(EQ))
}

/// Attachment, `xattrs=(...)` and `flags=(...)`, up to the `{`.
fn profile_header_tail(p: &mut Parser) {
    let mut seen_attachment = false;
    while !p.at_eof() && !p.at(L_CURLY) && p.step() {
        if p.at_word("xattrs") && p.nth(1) == Some(EQ) {
            p.start_node(XATTRS);
            p.bump();
            p.bump();
            rules::condition_group_body(p);
            p.finish_node();
        } else if p.at_word("flags") && p.nth(1) == Some(EQ) {
            p.start_node(FLAGS);
            p.bump_remap(FLAGS_KW);
            p.bump();
            flag_list(p);
            p.finish_node();
        } else if p.at_word("+") && p.nth_word(1, "identities") && p.nth(2) == Some(EQ) {
            // test identities
            // profile test + identities=(foo) {}
            p.start_node(CONDITION);
            p.bump();
            p.bump();
            p.bump();
            if p.at(L_PAREN) {
                rules::value_list(p);
            } else if p.at_value_start() {
                p.value(Glue::Ids);
            } else {
                p.error_missing("expected a value");
            }
            p.finish_node();
        } else if p.at(L_PAREN) {
            p.start_node(FLAGS);
            flag_list(p);
            p.finish_node();
        } else if p.at_value_start() && !seen_attachment {
            seen_attachment = true;
            p.start_node(ATTACHMENT);
            p.value(Glue::Ids);
            p.finish_node();
        } else if p.at(COMMA) || p.at(R_CURLY) {
            return;
        } else {
            p.err_and_bump("unexpected token in a profile header");
        }
    }
}

fn flag_list(p: &mut Parser) {
    if !p.eat(L_PAREN) {
        p.error("expected `(` to open the flag list");
        return;
    }
    while !p.at_eof() && !p.at(R_PAREN) && p.step() {
        match p.current() {
            Some(COMMA) => p.bump(),
            Some(WORD | STRING | VARIABLE) => {
                p.start_node(FLAG);
                p.value(Glue::List);
                p.finish_node();
            }
            Some(L_CURLY | R_CURLY) => break,
            _ => p.err_and_bump("unexpected token in a flag list"),
        }
    }
    if !p.eat(R_PAREN) {
        p.error_missing("expected `)` to close the flag list");
    }
}

/// The rest of an `if ... { } else if ... { } else { }` chain, kept as
/// tokens (past the depth bound).
fn skip_balanced(p: &mut Parser) {
    let mut open = 0u32;
    let mut seen_block = false;
    while !p.at_eof() && p.step() {
        if seen_block && open == 0 && !p.at_word("else") {
            break;
        }
        match p.current() {
            Some(L_CURLY) => {
                open += 1;
                seen_block = true;
            }
            Some(R_CURLY) if open == 0 => break,
            Some(R_CURLY) => open -= 1,
            _ => {}
        }
        p.bump();
    }
}

/// `{ statements }`. Past `MAX_DEPTH` the block is kept whole in an error
/// node rather than parsed, so the recursion stays bounded.
pub(super) fn block(p: &mut Parser) {
    p.start_node(BLOCK);
    if p.depth >= MAX_DEPTH {
        p.error(format!("blocks nested more than {MAX_DEPTH} deep"));
        p.start_node(ERROR);
        let mut open = 0u32;
        while !p.at_eof() && p.step() {
            match p.current() {
                Some(L_CURLY) => open += 1,
                Some(R_CURLY) => open = open.saturating_sub(1),
                _ => {}
            }
            p.bump();
            if open == 0 {
                break;
            }
        }
        p.finish_node();
        p.finish_node();
        return;
    }
    p.depth += 1;
    p.bump();
    statements(p, Scope::Body);
    if !p.eat(R_CURLY) {
        p.error_missing("expected `}` to close the block");
    }
    p.depth -= 1;
    p.finish_node();
}

// test conditional
// if $foo and not defined @{bar} {
//   /a r,
// } else if ${baz} {
//   /b r,
// } else {
//   /c r,
// }
fn if_statement(p: &mut Parser) {
    p.start_node(IF_STMT);
    p.bump_remap(IF_KW);
    expressions::expr(p);
    if p.at(L_CURLY) {
        block(p);
    } else {
        p.error_missing("expected `{` after the condition");
    }
    if p.at_word("else") {
        p.start_node(ELSE_BRANCH);
        p.bump_remap(ELSE_KW);
        if p.at_word("if") {
            // Each `else if` nests: the chain counts towards the depth bound.
            if p.depth >= MAX_DEPTH {
                p.error(format!("`else if` chain or blocks nested more than {MAX_DEPTH} deep"));
                p.start_node(ERROR);
                skip_balanced(p);
                p.finish_node();
            } else {
                p.depth += 1;
                if_statement(p);
                p.depth -= 1;
            }
        } else if p.at(L_CURLY) {
            block(p);
        } else {
            p.error_missing("expected `{` or `if` after `else`");
        }
        p.finish_node();
    }
    p.finish_node();
}
