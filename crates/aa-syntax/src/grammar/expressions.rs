//! Conditions of `if` statements: `or` binds loosest, then `and`, then `not`;
//! operands are booleans, `defined @{var}`, comparisons and parentheses.

use crate::{
    SyntaxKind::{self, *},
    parser::{Glue, Parser},
};

pub(super) fn expr(p: &mut Parser) {
    binary(p, "or", OR_KW, OR_EXPR, and_expr);
}

fn and_expr(p: &mut Parser) {
    binary(p, "and", AND_KW, AND_EXPR, not_expr);
}

/// Operators nested left to right before the rest of a chain is kept flat
/// in one node (`a and b and c ...` with thousands of operands would
/// otherwise nest as deep, and every walk over it recurse as deep).
const MAX_NESTED_OPERATORS: usize = 16;

fn binary(p: &mut Parser, operator: &str, keyword: SyntaxKind, node: SyntaxKind, operand: fn(&mut Parser)) {
    let checkpoint = p.checkpoint();
    operand(p);
    let mut count = 0;
    let mut open = false;
    while p.at_word(operator) && p.step() {
        if !open {
            p.start_node_at(checkpoint, node);
        }
        p.bump_remap(keyword);
        operand(p);
        count += 1;
        if count < MAX_NESTED_OPERATORS {
            p.finish_node();
        } else {
            open = true;
        }
    }
    if open {
        p.finish_node();
    }
}

fn not_expr(p: &mut Parser) {
    if p.at_word("not") {
        p.start_node(NOT_EXPR);
        p.bump_remap(NOT_KW);
        if p.depth < crate::parser::MAX_DEPTH {
            p.depth += 1;
            not_expr(p);
            p.depth -= 1;
        } else {
            p.error("condition nested too deeply");
        }
        p.finish_node();
    } else {
        factor(p);
    }
}

fn factor(p: &mut Parser) {
    match p.current() {
        Some(BOOL_VARIABLE) => {
            p.start_node(ATOM_EXPR);
            p.bump();
            p.finish_node();
        }
        Some(WORD) if p.at_word("defined") => {
            p.start_node(DEFINED_EXPR);
            p.bump_remap(DEFINED_KW);
            let bare_variable = p.at(WORD) && p.current_text().starts_with('@');
            if matches!(p.current(), Some(VARIABLE | BOOL_VARIABLE)) || bare_variable {
                p.bump();
            } else {
                p.error("expected a variable after `defined`");
            }
            p.finish_node();
        }
        Some(L_PAREN) => {
            p.start_node(PAREN_EXPR);
            p.bump();
            if p.depth < crate::parser::MAX_DEPTH {
                p.depth += 1;
                expr(p);
                p.depth -= 1;
            } else {
                p.error("condition nested too deeply");
            }
            if !p.eat(R_PAREN) {
                p.error_missing("expected `)`");
            }
            p.finish_node();
        }
        Some(WORD | VARIABLE | STRING) => {
            let checkpoint = p.checkpoint();
            p.value(Glue::Expr);
            if matches!(p.current(), Some(EQ_EQ | BANG_EQ | LT | LT_EQ | GT | GT_EQ)) || p.at_word("in") {
                p.start_node_at(checkpoint, COMPARE_EXPR);
                if p.at_word("in") {
                    p.bump_remap(IN_KW);
                } else {
                    p.bump();
                }
                if p.at_value_start() {
                    p.value(Glue::Expr);
                } else {
                    p.error("expected a value to compare with");
                }
                p.finish_node();
            } else {
                p.start_node_at(checkpoint, ATOM_EXPR);
                p.finish_node();
            }
        }
        _ => p.error("expected a condition"),
    }
}
