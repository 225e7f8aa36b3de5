//! Small helpers over aa-hir shared by the features. Each one is a single
//! place to re-point when aa-hir grows the resolved model (variable
//! expansion, profiles).

use std::path::{Path, PathBuf};

use aa_hir::db::{Db, File, FileContent};
use aa_syntax::{
    Parse, SyntaxKind, SyntaxNode, SyntaxToken, TextRange, TextSize,
    ast::{self, AstNode},
};
use rowan::TokenAtOffset;

pub(crate) fn parse<'db>(db: &'db dyn Db, path: &Path) -> &'db Parse {
    aa_hir::includes::parse(db, db.file(path))
}

pub(crate) fn text(db: &dyn Db, path: &Path) -> String {
    match db.file(path).content(db) {
        FileContent::Text(text) => text.clone(),
        _ => String::new(),
    }
}

/// The files `file` reads, itself first.
pub(crate) fn closure(db: &dyn Db, file: File) -> Vec<File> {
    aa_hir::includes::include_closure(db, file).files.clone()
}

/// The token at `offset`, preferring a meaningful one over trivia or punctuation.
pub(crate) fn token_at(root: &SyntaxNode, offset: TextSize) -> Option<SyntaxToken> {
    if offset > root.text_range().end() {
        return None;
    }
    match root.token_at_offset(offset) {
        TokenAtOffset::None => None,
        TokenAtOffset::Single(t) => Some(t),
        TokenAtOffset::Between(left, right) => {
            let score = |t: &SyntaxToken| match t.kind() {
                SyntaxKind::WHITESPACE | SyntaxKind::NEWLINE | SyntaxKind::COMMENT => 0,
                SyntaxKind::COMMA
                | SyntaxKind::L_CURLY
                | SyntaxKind::R_CURLY
                | SyntaxKind::L_PAREN
                | SyntaxKind::R_PAREN => 1,
                _ => 2,
            };
            if score(&right) >= score(&left) { Some(right) } else { Some(left) }
        }
    }
}

/// `@{name}` / `@name` → `name`.
pub(crate) fn variable_name(text: &str) -> String {
    let inner = text.strip_prefix("@{").and_then(|s| s.strip_suffix('}'));
    inner.or_else(|| text.strip_prefix('@')).unwrap_or(text).to_string()
}

/// A definition of a variable: `@{name} = ...` or `+=`.
#[derive(Debug, Clone)]
pub(crate) struct VarDef {
    pub(crate) path: PathBuf,
    pub(crate) name: String,
    /// The `@{name}` token.
    pub(crate) name_range: TextRange,
    pub(crate) full_range: TextRange,
    pub(crate) values: Vec<String>,
}

/// Every variable definition visible from `path`: its own and those of the
/// files it includes, in reading order.
pub(crate) fn variable_defs(db: &dyn Db, path: &Path) -> Vec<VarDef> {
    let mut defs = Vec::new();
    for file in closure(db, db.file(path)) {
        let parse = aa_hir::includes::parse(db, file);
        for def in parse.syntax_node().descendants().filter_map(ast::VariableDef::cast) {
            let (Some(token), Some(name)) = (def.variable(), def.name()) else { continue };
            defs.push(VarDef {
                path: file.path(db).clone(),
                name,
                name_range: token.text_range(),
                full_range: def.syntax().text_range(),
                values: def.values().map(|v| v.text()).collect(),
            });
        }
    }
    defs
}

/// A profile or hat, with its path of names (`outer//hat`).
#[derive(Debug, Clone)]
pub(crate) struct ProfileInfo {
    pub(crate) path: PathBuf,
    pub(crate) name: String,
    pub(crate) name_range: TextRange,
    pub(crate) full_range: TextRange,
    pub(crate) is_hat: bool,
    pub(crate) node: SyntaxNode,
}

/// Profile name as the kernel sees it: unquoted.
pub(crate) fn unquote(text: &str) -> String {
    text.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(text).to_string()
}

pub(crate) fn profile_name(profile: &ast::Profile) -> Option<(String, TextRange)> {
    if let Some(name) = profile.name() {
        return Some((unquote(&name.text()), name.syntax().text_range()));
    }
    // `/usr/bin/foo { }`: the attachment is the name.
    let attachment = profile.attachment()?;
    Some((unquote(&attachment.text()), attachment.syntax().text_range()))
}

/// Every profile and hat of the policy `path` loads, as
/// `aa_hir::model::policy_model` resolves it (so a profile in an `if`
/// branch that is not taken is left out); for a file whose model has no
/// profile (an abstraction), every profile written in the files it reads.
pub(crate) fn profiles(db: &dyn Db, path: &Path) -> Vec<ProfileInfo> {
    let file = db.file(path);
    let model = aa_hir::model::policy_model(db, file);
    let mut out: Vec<ProfileInfo> = Vec::new();
    for p in &model.profiles {
        let loc = p.origin.location;
        let root = aa_hir::includes::parse(db, loc.file).syntax_node();
        let Some(node) =
            aa_syntax::node_spanning(&root, loc.range, ast::Profile::can_cast).and_then(ast::Profile::cast)
        else {
            continue;
        };
        let Some((_, name_range)) = profile_name(&node) else { continue };
        let path = loc.file.path(db).clone();
        if out.iter().any(|o| o.path == path && o.full_range == loc.range) {
            continue;
        }
        out.push(ProfileInfo {
            path,
            // The last component of `parent//child`, variables expanded.
            name: p.name.rsplit("//").next().unwrap_or(&p.name).to_string(),
            name_range,
            full_range: loc.range,
            is_hat: node.is_hat(),
            node: node.syntax().clone(),
        });
    }
    if out.is_empty() {
        for file in closure(db, file) {
            profiles_in(db, file, &mut out);
        }
    }
    out
}

pub(crate) fn profiles_in(db: &dyn Db, file: File, out: &mut Vec<ProfileInfo>) {
    let parse = aa_hir::includes::parse(db, file);
    for profile in parse.syntax_node().descendants().filter_map(ast::Profile::cast) {
        let Some((name, name_range)) = profile_name(&profile) else { continue };
        out.push(ProfileInfo {
            path: file.path(db).clone(),
            name,
            name_range,
            full_range: profile.syntax().text_range(),
            is_hat: profile.is_hat(),
            node: profile.syntax().clone(),
        });
    }
}

/// The innermost profile or hat around `node`.
pub(crate) fn enclosing_profile(node: &SyntaxNode) -> Option<ast::Profile> {
    node.ancestors().find_map(ast::Profile::cast)
}

/// The statement-level node containing the token (a rule, include, profile header...).
pub(crate) fn enclosing_rule(token: &SyntaxToken) -> Option<ast::Rule> {
    token.parent_ancestors().find_map(ast::Rule::cast)
}

/// First `max` characters of `s`, with an ellipsis when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}

/// The resolved include at `offset`, if the offset is on an include statement.
pub(crate) fn include_at(db: &dyn Db, path: &Path, offset: TextSize) -> Option<aa_hir::includes::ResolvedInclude> {
    let file = db.file(path);
    aa_hir::includes::file_includes(db, file).iter().find(|inc| inc.range.contains_inclusive(offset)).cloned()
}
