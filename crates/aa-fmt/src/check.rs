//! The safety net: checks that formatted text means what the original meant,
//! independently of how `edits.rs` decided what to write.
//!
//! Both texts are parsed. They must have the same tree (node kinds, and
//! every significant token's kind and text; comments compared without
//! trailing blanks), the output must have no syntax errors, and each gap
//! between two tokens may only change its shape (empty / blanks / line
//! break) in the ways the crate documentation lists.

use aa_syntax::{NodeOrToken, SyntaxKind::*, SyntaxNode, SyntaxToken, WalkEvent};

use crate::edits::{is_block_brace, is_rule_end, starts_statement};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    None,
    Blank,
    Break,
}

fn shape(gap: &str) -> Shape {
    if gap.contains('\n') {
        Shape::Break
    } else if gap.is_empty() {
        Shape::None
    } else {
        Shape::Blank
    }
}

/// One significant token (comments included) and the gap before it.
struct Piece {
    token: SyntaxToken,
    gap: Shape,
}

fn pieces(root: &SyntaxNode) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut gap = String::new();
    for token in root.descendants_with_tokens().filter_map(|e| e.into_token()) {
        if matches!(token.kind(), WHITESPACE | NEWLINE) {
            gap.push_str(token.text());
            continue;
        }
        out.push(Piece { token, gap: shape(&gap) });
        gap.clear();
    }
    out
}

/// The tree's shape: node kinds and significant tokens in preorder.
fn skeleton(root: &SyntaxNode) -> Vec<String> {
    let mut out = Vec::new();
    for event in root.preorder_with_tokens() {
        match event {
            WalkEvent::Enter(NodeOrToken::Node(node)) => out.push(format!("{:?}", node.kind())),
            WalkEvent::Enter(NodeOrToken::Token(token)) => match token.kind() {
                WHITESPACE | NEWLINE => {}
                COMMENT => out.push(format!("COMMENT {}", token.text().trim_end_matches([' ', '\t', '\r']))),
                kind => out.push(format!("{kind:?} {}", token.text())),
            },
            WalkEvent::Leave(NodeOrToken::Node(_)) => out.push(")".to_string()),
            WalkEvent::Leave(NodeOrToken::Token(_)) => {}
        }
    }
    out
}

/// `Ok` when `after` is a meaning-preserving reformatting of `before`
/// (which must itself parse without errors).
pub(crate) fn equivalent(before: &str, after: &str) -> Result<(), String> {
    let old = aa_syntax::parse(before);
    let new = aa_syntax::parse(after);
    if let Some(error) = new.errors().first() {
        return Err(format!("the output has a syntax error: {}", error.message));
    }
    let (old_root, new_root) = (old.syntax_node(), new.syntax_node());
    let (old_skel, new_skel) = (skeleton(&old_root), skeleton(&new_root));
    if old_skel != new_skel {
        let at = old_skel.iter().zip(&new_skel).position(|(a, b)| a != b).unwrap_or(0);
        return Err(format!(
            "the output parses to a different tree (at {:?} / {:?})",
            old_skel.get(at),
            new_skel.get(at)
        ));
    }
    let (old_pieces, new_pieces) = (pieces(&old_root), pieces(&new_root));
    if old_pieces.len() != new_pieces.len() {
        return Err("the output has a different number of tokens".to_string());
    }
    for i in 0..old_pieces.len() {
        let token = &old_pieces[i].token;
        let (was, is) = (old_pieces[i].gap, new_pieces[i].gap);
        if i > 0 && old_pieces[i - 1].token.kind() == COMMENT && is != Shape::Break {
            return Err(format!("a comment no longer ends its line at byte {}", offset(token)));
        }
        if was == is || i == 0 {
            continue;
        }
        let prev = &old_pieces[i - 1].token;
        if !allowed(prev, token, was, is) {
            return Err(format!(
                "the white space before `{}` at byte {} changed from {was:?} to {is:?}",
                token.text(),
                offset(token)
            ));
        }
    }
    Ok(())
}

fn offset(token: &SyntaxToken) -> u32 {
    u32::from(token.text_range().start())
}

/// The gap changes the formatter is allowed to make (see the crate docs).
fn allowed(prev: &SyntaxToken, token: &SyntaxToken, was: Shape, is: Shape) -> bool {
    let after_end = matches!(prev.kind(), COMMA | L_CURLY | R_CURLY);
    let empty_block =
        is_block_brace(prev, L_CURLY) && is_block_brace(token, R_CURLY) && prev.parent() == token.parent();
    let line_start = starts_statement(token) || is_block_brace(token, R_CURLY) || is_block_brace(prev, L_CURLY);
    match (was, is) {
        (Shape::Blank | Shape::Break, Shape::None) => is_rule_end(token) || (was == Shape::Blank && empty_block),
        (Shape::None, Shape::Blank) => token.kind() == COMMENT && after_end,
        (Shape::None, Shape::Break) => after_end && line_start,
        (Shape::Blank, Shape::Break) => line_start,
        (Shape::Break, Shape::Blank) => {
            is_block_brace(token, L_CURLY) || (token.kind() == ELSE_KW && is_block_brace(prev, R_CURLY))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::equivalent;

    #[test]
    fn accepts_a_reformatting() {
        let before = "profile p   {\n      /a   r ,  # c  \n}";
        let after = "profile p {\n  /a r, # c\n}\n";
        assert_eq!(equivalent(before, after), Ok(()));
    }

    #[test]
    fn rejects_changed_or_moved_tokens() {
        let before = "profile p {\n  /a r,\n  /b w,\n}\n";
        assert!(equivalent(before, "profile p {\n  /a w,\n  /b r,\n}\n").is_err());
        assert!(equivalent(before, "profile p {\n  /b w,\n  /a r,\n}\n").is_err());
        assert!(equivalent("# one\n", "# two\n").is_err());
    }

    #[test]
    fn rejects_lexically_significant_white_space_changes() {
        // A blank invented before `{` (`profile p{` is a syntax error upstream).
        assert!(equivalent("profile p flags=(complain){\n}\n", "profile p flags=(complain) {\n}\n").is_err());
        // A line break removed from a variable definition's continuation.
        assert!(equivalent("@{A}=a \\\n b\n", "@{A}=a \\ b\n").is_err());
        // Blanks removed between words.
        assert!(equivalent("profile p {\n  /a r,\n}\n", "profile p {\n  /ar,\n}\n").is_err());
        // A line break turned into a blank inside a rule.
        assert!(
            equivalent("profile p {\n  dbus send\n bus=system,\n}\n", "profile p {\n  dbus send bus=system,\n}\n")
                .is_err()
        );
        // A comment joined with what follows it.
        assert!(equivalent("profile p { # c\n}\n", "profile p { # c }\n").is_err());
    }

    #[test]
    fn rejects_output_with_syntax_errors() {
        assert!(equivalent("profile p {\n}\n", "profile p {\n").is_err());
    }
}
