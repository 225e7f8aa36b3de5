//! Document and workspace symbols, folding and selection ranges.

use std::path::{Path, PathBuf};

use aa_hir::db::Db;
use aa_syntax::{
    SyntaxKind::*,
    SyntaxNode, TextRange, TextSize,
    ast::{self, AstNode},
};

use crate::util;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Profile,
    Hat,
    Variable,
    Include,
    Rule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub full_range: TextRange,
    pub focus_range: TextRange,
    pub children: Vec<Symbol>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub path: PathBuf,
    pub range: TextRange,
    pub container: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FoldKind {
    Block,
    Comment,
    Includes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub range: TextRange,
    pub kind: FoldKind,
}

fn symbols_in(node: &SyntaxNode, out: &mut Vec<Symbol>) {
    for child in node.children() {
        match child.kind() {
            PROFILE | HAT => {
                let Some(profile) = ast::Profile::cast(child.clone()) else { continue };
                let (name, focus) =
                    util::profile_name(&profile).unwrap_or_else(|| ("<unnamed>".to_string(), child.text_range()));
                let mut children = Vec::new();
                if let Some(body) = profile.body() {
                    symbols_in(body.syntax(), &mut children);
                }
                out.push(Symbol {
                    name,
                    detail: profile.attachment().filter(|_| profile.name().is_some()).map(|a| a.text()),
                    kind: if profile.is_hat() { SymbolKind::Hat } else { SymbolKind::Profile },
                    full_range: child.text_range(),
                    focus_range: focus,
                    children,
                });
            }
            VARIABLE_DEF => {
                let Some(def) = ast::VariableDef::cast(child.clone()) else { continue };
                let (Some(token), Some(name)) = (def.variable(), def.name()) else { continue };
                let values: Vec<String> = def.values().map(|v| v.text()).collect();
                out.push(Symbol {
                    name: format!("@{{{name}}}"),
                    detail: Some(util::shorten(&values.join(" "), 60)),
                    kind: SymbolKind::Variable,
                    full_range: child.text_range(),
                    focus_range: token.text_range(),
                    children: Vec::new(),
                });
            }
            INCLUDE => {
                let Some(inc) = ast::Include::cast(child.clone()) else { continue };
                out.push(Symbol {
                    name: format!("include {}", inc.target().unwrap_or_default()),
                    detail: None,
                    kind: SymbolKind::Include,
                    full_range: child.text_range(),
                    focus_range: child.text_range(),
                    children: Vec::new(),
                });
            }
            kind if kind.is_rule() => {}
            ERROR => {}
            _ => symbols_in(&child, out),
        }
    }
}

pub(crate) fn document_symbols(db: &dyn Db, path: &Path) -> Vec<Symbol> {
    let root = util::parse(db, path).syntax_node();
    let mut out = Vec::new();
    symbols_in(&root, &mut out);
    out
}

pub(crate) fn workspace_symbols(
    db: &dyn Db,
    open: &[PathBuf],
    workspace: &[PathBuf],
    query: &str,
) -> Vec<WorkspaceSymbol> {
    let query = query.to_lowercase();
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in open {
        for f in util::closure(db, db.file(path)) {
            if seen.insert(f) {
                files.push(f);
            }
        }
    }
    // The workspace's indexed files themselves (their includes are mostly
    // workspace files too).
    for path in workspace {
        let f = db.file(path);
        if seen.insert(f) {
            files.push(f);
        }
    }
    let mut out = Vec::new();
    for f in files {
        let fpath = f.path(db).clone();
        let root = aa_hir::includes::parse(db, f).syntax_node();
        let mut syms = Vec::new();
        symbols_in(&root, &mut syms);
        flatten(&syms, None, &fpath, &query, &mut out);
    }
    out
}

fn flatten(syms: &[Symbol], container: Option<&str>, path: &Path, query: &str, out: &mut Vec<WorkspaceSymbol>) {
    for s in syms {
        if s.kind != SymbolKind::Include && s.name.to_lowercase().contains(query) {
            out.push(WorkspaceSymbol {
                name: s.name.clone(),
                kind: s.kind,
                path: path.to_path_buf(),
                range: s.focus_range,
                container: container.map(str::to_string),
            });
        }
        flatten(&s.children, Some(&s.name), path, query, out);
    }
}

pub(crate) fn folding_ranges(db: &dyn Db, path: &Path) -> Vec<Fold> {
    let root = util::parse(db, path).syntax_node();
    let mut out = Vec::new();
    for node in root.descendants() {
        if matches!(node.kind(), BLOCK | VALUE_LIST) && node.text().contains_char('\n') {
            out.push(Fold { range: node.text_range(), kind: FoldKind::Block });
        }
    }
    // Runs of consecutive comment lines, and of consecutive includes.
    let mut run: Option<(TextRange, FoldKind, usize)> = None;
    let flush = |run: &mut Option<(TextRange, FoldKind, usize)>, out: &mut Vec<Fold>| {
        if let Some((range, kind, n)) = run.take()
            && n > 1
        {
            out.push(Fold { range, kind });
        }
    };
    for element in root.descendants_with_tokens() {
        let (kind, range) = match &element {
            rowan::NodeOrToken::Token(t) if t.kind() == COMMENT => (FoldKind::Comment, t.text_range()),
            rowan::NodeOrToken::Node(n) if n.kind() == INCLUDE => (FoldKind::Includes, n.text_range()),
            rowan::NodeOrToken::Token(t) if t.kind().is_trivia() => continue,
            rowan::NodeOrToken::Token(_) => {
                if element.parent().is_some_and(|p| p.kind() == INCLUDE || p.kind() == INCLUDE_TARGET) {
                    continue;
                }
                flush(&mut run, &mut out);
                continue;
            }
            rowan::NodeOrToken::Node(n) => {
                if n.ancestors().any(|a| a.kind() == INCLUDE) {
                    continue;
                }
                flush(&mut run, &mut out);
                continue;
            }
        };
        match &mut run {
            Some((r, k, n)) if *k == kind => {
                *r = r.cover(range);
                *n += 1;
            }
            _ => {
                flush(&mut run, &mut out);
                run = Some((range, kind, 1));
            }
        }
    }
    flush(&mut run, &mut out);
    out.sort_by_key(|f| (f.range.start(), f.range.end()));
    out
}

pub(crate) fn selection_ranges(db: &dyn Db, path: &Path, offsets: &[TextSize]) -> Vec<Vec<TextRange>> {
    let root = util::parse(db, path).syntax_node();
    offsets
        .iter()
        .map(|&offset| {
            let mut ranges: Vec<TextRange> = Vec::new();
            let Some(token) = util::token_at(&root, offset) else {
                return vec![root.text_range()];
            };
            ranges.push(token.text_range());
            for node in token.parent_ancestors() {
                let r = node.text_range();
                if ranges.last() != Some(&r) {
                    ranges.push(r);
                }
            }
            ranges
        })
        .collect()
}
