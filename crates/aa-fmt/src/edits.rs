//! The formatter proper: a list of edits, each replacing the white space
//! between two tokens (a *gap*) or the trailing blanks of a comment.
//!
//! Every significant token (anything but `WHITESPACE` and `NEWLINE`; comments
//! count as significant here) keeps its text; the gap before it is rewritten
//! by [`separator`] from the gap's shape (empty, blanks only, or holding line
//! breaks) and the tree around the two tokens.

use aa_syntax::{NodeOrToken, Parse, SyntaxKind, SyntaxKind::*, SyntaxNode, SyntaxToken, TextRange, TextSize};

use crate::{FormatOptions, TextEdit};

/// All the edits that format `text`, sorted and non-overlapping (two may
/// touch: a comment's trailing blanks and the gap after it).
pub(crate) fn compute(parse: &Parse, text: &str, options: &FormatOptions) -> Vec<TextEdit> {
    let root = parse.syntax_node();
    let mut edits: Vec<TextEdit> = Vec::new();
    let mut prev: Option<SyntaxToken> = None;
    let mut gap_start = 0usize;
    let push = |edits: &mut Vec<TextEdit>, start: usize, end: usize, new_text: String| {
        if text.get(start..end) == Some(new_text.as_str()) {
            return;
        }
        let range = TextRange::new(size(start), size(end));
        edits.push(TextEdit { range, new_text });
    };
    for token in root.descendants_with_tokens().filter_map(|e| e.into_token()) {
        if matches!(token.kind(), WHITESPACE | NEWLINE) {
            continue;
        }
        let range = token.text_range();
        let start = usize::from(range.start());
        let gap = text.get(gap_start..start).unwrap_or("");
        let sep = separator(prev.as_ref(), &token, gap, options);
        push(&mut edits, gap_start, start, sep);
        let end = usize::from(range.end());
        if token.kind() == COMMENT {
            let kept = token.text().trim_end_matches([' ', '\t', '\r']).len();
            push(&mut edits, start + kept, end, String::new());
        }
        gap_start = end;
        prev = Some(token);
    }
    // The end of the file: exactly one line break after the last token, and
    // nothing at all in a file of white space only.
    let last = if prev.is_some() { "\n" } else { "" };
    push(&mut edits, gap_start, text.len(), last.to_string());
    edits
}

fn size(offset: usize) -> TextSize {
    TextSize::try_from(offset).unwrap_or(TextSize::from(u32::MAX))
}

/// Shape of a gap, as far as `apparmor_parser`'s lexer can tell.
struct Gap {
    newlines: usize,
    blank: bool,
}

impl Gap {
    fn of(text: &str) -> Gap {
        Gap { newlines: text.matches('\n').count(), blank: !text.is_empty() }
    }
}

/// The text that goes between `prev` (none at the start of the file) and
/// `token`, replacing `gap`.
fn separator(prev: Option<&SyntaxToken>, token: &SyntaxToken, gap: &str, options: &FormatOptions) -> String {
    let Some(prev) = prev else {
        return String::new();
    };
    let shape = Gap::of(gap);
    // `include <a b>`: blanks inside an include or abi target are part of
    // the file name.
    if verbatim_node(token).is_some_and(|v| prev.text_range().end() > v.text_range().start()) {
        return gap.to_string();
    }
    // Places where a line break may be inserted (and, because a blank is
    // already there, where a blank may become one): `apparmor_parser` is in
    // its initial state after `,`, `{` and `}`.
    let may_insert = matches!(prev.kind(), COMMA | L_CURLY | R_CURLY);
    let breaks = |wanted_min: usize| -> String {
        let n = shape.newlines.clamp(wanted_min, 2);
        let mut s = "\n".repeat(n);
        s.push_str(&" ".repeat(indent_level(token) * options.indent_width));
        s
    };

    if token.kind() == COMMENT && shape.newlines == 0 {
        // A comment after code stays on its line, one blank after it.
        return if shape.blank || may_insert { " ".to_string() } else { String::new() };
    }
    if prev.kind() == COMMENT {
        // A comment runs to the end of its line: what follows starts a line.
        return breaks(1);
    }
    if is_block_brace(token, R_CURLY) {
        if is_block_brace(prev, L_CURLY) && prev.parent() == token.parent() {
            // An empty block: `{}`, or `{` and `}` on their own lines.
            return if shape.newlines == 0 { String::new() } else { breaks(1) };
        }
        if shape.newlines == 0 && !shape.blank && !may_insert {
            return String::new();
        }
        return breaks(1);
    }
    if is_block_brace(prev, L_CURLY) {
        return breaks(1);
    }
    if is_block_brace(token, L_CURLY) && !opens_headless_block(token) {
        // `{` on the header line.
        return if shape.blank { " ".to_string() } else { String::new() };
    }
    if token.kind() == ELSE_KW && is_block_brace(prev, R_CURLY) {
        return if shape.blank { " ".to_string() } else { String::new() };
    }
    if starts_statement(token) {
        if shape.newlines == 0 && !shape.blank && !may_insert {
            return String::new();
        }
        return breaks(1);
    }
    // Inside a statement.
    if is_rule_end(token) {
        return String::new();
    }
    if shape.newlines > 0 {
        return breaks(1);
    }
    if shape.blank { " ".to_string() } else { String::new() }
}

/// The include or abi target around `token`, kept exactly as written.
fn verbatim_node(token: &SyntaxToken) -> Option<SyntaxNode> {
    token.parent_ancestors().find(|n| n.kind() == INCLUDE_TARGET)
}

pub(crate) fn is_block_brace(token: &SyntaxToken, kind: SyntaxKind) -> bool {
    token.kind() == kind && token.parent().is_some_and(|p| p.kind() == BLOCK)
}

fn is_container(node: &SyntaxNode) -> bool {
    matches!(node.kind(), BLOCK | SOURCE_FILE)
}

/// A `{` that is the first token of its statement (a block without a
/// header): its gap is kept like one inside a statement, since after
/// `@{v}=` a blank instead of a line break would make it the value.
fn opens_headless_block(token: &SyntaxToken) -> bool {
    is_block_brace(token, L_CURLY)
        && token.parent().and_then(|block| block.parent()).and_then(|s| s.first_token()).as_ref() == Some(token)
}

/// The statement `token` belongs to: the node (or the token itself) that is a
/// direct child of a block or of the file.
fn statement_of(token: &SyntaxToken) -> Option<NodeOrToken<SyntaxNode, SyntaxToken>> {
    let parent = token.parent()?;
    if is_container(&parent) {
        return Some(NodeOrToken::Token(token.clone()));
    }
    let mut node = parent;
    loop {
        let up = node.parent()?;
        if is_container(&up) {
            return Some(NodeOrToken::Node(node));
        }
        node = up;
    }
}

/// Whether `token` is the first token of a statement (a comment or stray
/// token directly in a block counts as one).
pub(crate) fn starts_statement(token: &SyntaxToken) -> bool {
    match statement_of(token) {
        Some(NodeOrToken::Token(t)) => !matches!(t.kind(), L_CURLY | R_CURLY),
        Some(NodeOrToken::Node(n)) => n.first_token().as_ref() == Some(token),
        None => false,
    }
}

/// The `,` that ends a rule, an `alias` or an `abi`.
pub(crate) fn is_rule_end(token: &SyntaxToken) -> bool {
    token.kind() == COMMA
        && token.parent().is_some_and(|p| {
            (p.kind().is_rule() || matches!(p.kind(), ALIAS | ABI)) && p.last_token().as_ref() == Some(token)
        })
}

/// Indentation level of a line that starts with `token`.
pub(crate) fn indent_level(token: &SyntaxToken) -> usize {
    let blocks = token.parent_ancestors().filter(|n| n.kind() == BLOCK).count();
    if is_block_brace(token, L_CURLY) || is_block_brace(token, R_CURLY) {
        blocks.saturating_sub(1)
    } else if starts_statement(token) || token.kind() == ELSE_KW {
        blocks
    } else {
        blocks + 1
    }
}

/// The text the statements overlapping `range` cover, with the trailing
/// comment of the last one.
pub(crate) fn statement_span(parse: &Parse, range: TextRange) -> TextRange {
    let root = parse.syntax_node();
    let mut span: Option<TextRange> = None;
    collect_statements(&root, range, &mut span);
    let mut span = span.unwrap_or(range);
    // A comment after the last statement, on the same line.
    let mut next = root.token_at_offset(span.end()).right_biased();
    while let Some(token) = next.clone() {
        if token.text_range().start() < span.end() {
            next = token.next_token();
            continue;
        }
        match token.kind() {
            WHITESPACE => next = token.next_token(),
            COMMENT => {
                span = TextRange::new(span.start(), token.text_range().end());
                break;
            }
            _ => break,
        }
    }
    span
}

fn overlaps(element: TextRange, range: TextRange) -> bool {
    if range.is_empty() {
        element.start() <= range.start() && range.start() <= element.end()
    } else {
        element.start() < range.end() && range.start() < element.end()
    }
}

fn collect_statements(container: &SyntaxNode, range: TextRange, span: &mut Option<TextRange>) {
    for child in container.children_with_tokens() {
        if matches!(child.kind(), WHITESPACE | NEWLINE | L_CURLY | R_CURLY) {
            continue;
        }
        let child_range = child.text_range();
        if !overlaps(child_range, range) {
            continue;
        }
        if let NodeOrToken::Node(node) = &child {
            let inner = owned_blocks(node).into_iter().find(|block| {
                let interior = block_interior(block);
                interior.is_some_and(|i| i.contains_range(range))
            });
            if let Some(block) = inner {
                collect_statements(&block, range, span);
                continue;
            }
        }
        *span = Some(match *span {
            Some(s) => s.cover(child_range),
            None => child_range,
        });
    }
}

/// The blocks a statement owns: its body, and for `if` the bodies of its
/// `else` branches, but not blocks nested inside those.
fn owned_blocks(node: &SyntaxNode) -> Vec<SyntaxNode> {
    let mut out = Vec::new();
    let mut stack = vec![node.clone()];
    while let Some(n) = stack.pop() {
        for child in n.children() {
            if child.kind() == BLOCK {
                out.push(child);
            } else {
                stack.push(child);
            }
        }
    }
    out
}

/// The text strictly between a block's braces.
fn block_interior(block: &SyntaxNode) -> Option<TextRange> {
    let open = block.first_token().filter(|t| t.kind() == L_CURLY)?;
    let close = block.last_token().filter(|t| t.kind() == R_CURLY)?;
    let (start, end) = (open.text_range().end(), close.text_range().start());
    (start <= end).then(|| TextRange::new(start, end))
}

/// Whether an edit belongs to the formatting of `span`: the gap before its
/// first statement and everything inside it.
pub(crate) fn in_span(edit: TextRange, span: TextRange) -> bool {
    span.start() <= edit.end() && edit.end() <= span.end()
}
