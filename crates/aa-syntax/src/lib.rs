//! Lossless, error-tolerant syntax trees for AppArmor profiles.
//!
//! `parse(text)` never fails: it returns a rowan tree that holds every byte
//! of the input (so `tree.text() == text`) and a list of syntax errors. The
//! pipeline is `lexer` (logos, context-free pieces) → `parser` + `grammar`
//! (recursive descent that glues pieces into values and builds the green
//! tree) → `validation` (checks that are easier on a finished tree) → `ast`
//! (typed views). This crate knows nothing of files, salsa or LSP.

pub mod ast;
mod grammar;
mod lexer;
mod parser;
mod syntax_kind;
mod validation;

use std::fmt::Write as _;

pub use rowan::{NodeOrToken, TextRange, TextSize, WalkEvent};
pub use syntax_kind::{SyntaxKind, keyword_kind};

pub use crate::lexer::{Token, tokenize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AppArmorLanguage {}

impl rowan::Language for AppArmorLanguage {
    type Kind = SyntaxKind;

    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        SyntaxKind::from_raw(raw.0)
    }

    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        kind.into()
    }
}

pub type SyntaxNode = rowan::SyntaxNode<AppArmorLanguage>;
pub type SyntaxToken = rowan::SyntaxToken<AppArmorLanguage>;
pub type SyntaxElement = rowan::SyntaxElement<AppArmorLanguage>;

/// A syntax error: where, and what is wrong, in words a profile author reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyntaxError {
    pub message: String,
    pub range: TextRange,
}

impl SyntaxError {
    pub fn new(message: impl Into<String>, range: TextRange) -> SyntaxError {
        SyntaxError { message: message.into(), range }
    }
}

/// The result of parsing: a green tree (cheap to clone, shareable between
/// threads) and the errors found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parse {
    green: rowan::GreenNode,
    errors: Vec<SyntaxError>,
}

impl Parse {
    pub fn syntax_node(&self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.clone())
    }

    pub fn tree(&self) -> ast::SourceFile {
        ast::SourceFile { syntax: self.syntax_node() }
    }

    pub fn green(&self) -> &rowan::GreenNode {
        &self.green
    }

    /// Calls `visit` for every token in text order, walking the green tree
    /// (no red node is built, so this is much cheaper than
    /// `descendants_with_tokens`).
    pub fn visit_tokens(&self, mut visit: impl FnMut(TokenVisit<'_>)) {
        let mut stack: Vec<(&rowan::GreenNodeData, SyntaxKind, usize)> = Vec::new();
        let root_kind = SyntaxKind::from_raw(self.green.kind().0);
        stack.push((&self.green, root_kind, 0));
        while let Some((node, kind, index)) = stack.pop() {
            let Some(child) = node.children().nth(index) else { continue };
            stack.push((node, kind, index + 1));
            match child {
                NodeOrToken::Node(child) => stack.push((child, SyntaxKind::from_raw(child.kind().0), 0)),
                NodeOrToken::Token(token) => visit(TokenVisit {
                    kind: SyntaxKind::from_raw(token.kind().0),
                    text: token.text(),
                    parent: kind,
                    first_child: index == 0,
                }),
            }
        }
    }

    /// Syntax errors, sorted by position.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// The tree, one element per line, then the errors: the format of the
    /// `.rast` fixtures and of `aa-lint parse`.
    pub fn debug_dump(&self) -> String {
        let mut out = dump_tree(&self.syntax_node());
        for error in &self.errors {
            let _ = writeln!(
                out,
                "error {}..{}: {}",
                u32::from(error.range.start()),
                u32::from(error.range.end()),
                error.message
            );
        }
        out
    }
}

/// A token seen by [`Parse::visit_tokens`].
#[derive(Debug, Clone, Copy)]
pub struct TokenVisit<'a> {
    pub kind: SyntaxKind,
    pub text: &'a str,
    /// The kind of the node holding the token.
    pub parent: SyntaxKind,
    /// Whether the token is that node's first child.
    pub first_child: bool,
}

/// Parses AppArmor policy text. Never fails and never panics; the tree's text
/// is exactly `text`.
pub fn parse(text: &str) -> Parse {
    let tokens = tokenize(text);
    let (green, mut errors) = CACHE.with(|cache| match cache.try_borrow_mut() {
        Ok(mut cache) => {
            let (node_cache, bytes) = &mut *cache;
            *bytes += text.len();
            if *bytes > CACHE_RENEWAL_BYTES {
                *node_cache = rowan::NodeCache::default();
                *bytes = text.len();
            }
            run_parser(text, tokens, node_cache)
        }
        Err(_) => run_parser(text, tokens, &mut rowan::NodeCache::default()),
    });
    let root = SyntaxNode::new_root(green.clone());
    validation::validate(&root, &mut errors);
    errors.sort_by_key(|error| (error.range.start(), error.range.end()));
    errors.dedup();
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - MAX_ERRORS;
        let range = errors[MAX_ERRORS].range;
        errors.truncate(MAX_ERRORS);
        errors.push(SyntaxError::new(
            format!("too many syntax errors: {more} more after this point are not shown (is this an AppArmor file?)"),
            range,
        ));
    }
    Parse { green, errors }
}

/// Syntax errors kept per file; past it one last error says how many more
/// there were. Text that is not policy at all (a log, base64) would
/// otherwise give one error per token.
pub const MAX_ERRORS: usize = 200;

thread_local! {
    /// Interned tokens and small nodes, shared by the parses of one thread:
    /// files of one policy tree repeat most of their tokens. Renewed after a
    /// while so a long-running server stays bounded.
    static CACHE: std::cell::RefCell<(rowan::NodeCache, usize)> = Default::default();
}

const CACHE_RENEWAL_BYTES: usize = 64 << 20;

/// Empties this thread's interning cache, which otherwise keeps every
/// distinct token and small node parsed on the thread alive (up to 64 MB of
/// parsed text). For a batch that drops its trees group by group.
pub fn clear_parse_cache() {
    CACHE.with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            *cache = Default::default();
        }
    });
}

fn run_parser(text: &str, tokens: Vec<Token>, cache: &mut rowan::NodeCache) -> (rowan::GreenNode, Vec<SyntaxError>) {
    let mut parser = parser::Parser::new(text, tokens, cache);
    grammar::source_file(&mut parser);
    parser.finish()
}

/// The innermost node spanning exactly `range` whose kind passes `kind`,
/// found by descending from `root` (a binary search per level), not by a
/// walk of the whole tree: looking up each profile of a large file that
/// way would be quadratic. `None` when `range` is outside `root`.
pub fn node_spanning(root: &SyntaxNode, range: TextRange, kind: impl Fn(SyntaxKind) -> bool) -> Option<SyntaxNode> {
    if !root.text_range().contains_range(range) {
        return None;
    }
    let start = match root.covering_element(range) {
        NodeOrToken::Node(node) => node,
        NodeOrToken::Token(token) => token.parent()?,
    };
    start.ancestors().find(|n| kind(n.kind()) && n.text_range() == range)
}

/// Writes `KIND@start..end` for each node and token, indented by depth, with
/// the token text quoted.
pub fn dump_tree(node: &SyntaxNode) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for event in node.preorder_with_tokens() {
        match event {
            WalkEvent::Enter(element) => {
                let range = element.text_range();
                let _ = write!(
                    out,
                    "{:indent$}{:?}@{}..{}",
                    "",
                    element.kind(),
                    u32::from(range.start()),
                    u32::from(range.end()),
                    indent = depth * 2
                );
                match element {
                    NodeOrToken::Node(_) => {
                        out.push('\n');
                        depth += 1;
                    }
                    NodeOrToken::Token(token) => {
                        let _ = writeln!(out, " {:?}", token.text());
                    }
                }
            }
            WalkEvent::Leave(NodeOrToken::Node(_)) => depth -= 1,
            WalkEvent::Leave(NodeOrToken::Token(_)) => {}
        }
    }
    out
}
