//! Where the rules of a profile go in its file: on their own lines before
//! the profile's closing brace, indented one step more than the brace.

use aa_hir::db::{Db, File};
use aa_hir::includes::parse;
use aa_syntax::{SyntaxKind, TextRange};

/// Where to insert into a profile block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsertPoint {
    /// Byte offset of the insertion.
    pub offset: usize,
    /// The indentation of the closing brace.
    pub indent: usize,
    /// The brace shares its line with other text: start a new line first.
    pub newline_first: bool,
}

/// The insertion point of the profile or hat block written at `range`.
pub fn insert_point(db: &dyn Db, file: File, range: TextRange) -> Option<InsertPoint> {
    let root = parse(db, file).syntax_node();
    let node = root
        .descendants()
        .find(|n| n.text_range() == range && matches!(n.kind(), SyntaxKind::PROFILE | SyntaxKind::HAT))?;
    let brace = node.last_token().filter(|t| t.kind() == SyntaxKind::R_CURLY)?;
    let text = match file.content(db) {
        aa_hir::db::FileContent::Text(t) => t.as_str(),
        _ => return None,
    };
    let at = usize::from(brace.text_range().start());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    if before.chars().all(|c| c == ' ' || c == '\t') {
        // Before the blank lines that end the block, if any.
        let mut offset = line_start;
        while offset > 0 {
            let prev = text[..offset - 1].rfind('\n').map_or(0, |i| i + 1);
            if prev < usize::from(node.text_range().start()) || !text[prev..offset].trim().is_empty() {
                break;
            }
            offset = prev;
        }
        Some(InsertPoint { offset, indent: before.len(), newline_first: false })
    } else {
        let indent = before.len() - before.trim_start().len();
        Some(InsertPoint { offset: at, indent, newline_first: true })
    }
}

/// `text` with `rules` inserted at each point; returns the new text and,
/// per point and rule, the byte range the rule occupies in it.
pub fn apply(text: &str, edits: &[(InsertPoint, Vec<String>)]) -> (String, Vec<Vec<(usize, usize)>>) {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| edits[i].0.offset);
    let mut out = String::with_capacity(text.len() + 64 * edits.len());
    let mut ranges = vec![Vec::new(); edits.len()];
    let mut copied = 0;
    for i in order {
        let (point, rules) = &edits[i];
        if rules.is_empty() {
            continue;
        }
        out.push_str(&text[copied..point.offset]);
        copied = point.offset;
        if point.newline_first {
            out.push('\n');
        }
        let pad = " ".repeat(point.indent + 2);
        for r in rules {
            out.push_str(&pad);
            let start = out.len();
            out.push_str(r);
            ranges[i].push((start, out.len()));
            out.push('\n');
        }
        if point.newline_first {
            out.push_str(&" ".repeat(point.indent));
        }
    }
    out.push_str(&text[copied..]);
    (out, ranges)
}

/// One rule's insertion into the original text, on its own.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Insertion {
    /// Byte offset into the file as it was read.
    pub offset: usize,
    pub text: String,
}

/// The insertion of `rule` alone at `point`.
pub fn single(point: &InsertPoint, rule: &str) -> Insertion {
    let pad = " ".repeat(point.indent + 2);
    let text = if point.newline_first {
        format!("\n{pad}{rule}\n{}", " ".repeat(point.indent))
    } else {
        format!("{pad}{rule}\n")
    };
    Insertion { offset: point.offset, text }
}
