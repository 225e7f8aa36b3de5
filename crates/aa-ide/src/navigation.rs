//! Go to definition, references, highlights and rename for includes,
//! variables and profile names.

use std::path::{Path, PathBuf};

use aa_hir::db::Db;
use aa_syntax::{
    SyntaxKind::*,
    SyntaxToken, TextRange, TextSize,
    ast::{self, AstNode},
};

use crate::{FileRange, util};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NavigationTarget {
    pub path: PathBuf,
    /// The whole definition (for a file: empty range at its start).
    pub full_range: TextRange,
    /// The name inside it.
    pub focus_range: TextRange,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HighlightKind {
    Read,
    Write,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Highlight {
    pub range: TextRange,
    pub kind: HighlightKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// Edits to files, by path, in path order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SourceChange {
    pub edits: Vec<(PathBuf, Vec<TextEdit>)>,
}

/// What the cursor is on, for navigation.
enum Subject {
    Variable(String),
    Profile(String),
}

fn subject(db: &dyn Db, path: &Path, offset: TextSize) -> Option<(Subject, TextRange)> {
    let root = util::parse(db, path).syntax_node();
    let token = util::token_at(&root, offset)?;
    if token.kind() == VARIABLE || token.kind() == BOOL_VARIABLE {
        return Some((Subject::Variable(util::variable_name(token.text())), token.text_range()));
    }
    let holder = token.parent_ancestors().find(|n| matches!(n.kind(), TARGET | PROFILE_NAME))?;
    let value = holder.children().find_map(ast::Value::cast)?;
    Some((Subject::Profile(util::unquote(&value.text())), value.syntax().text_range()))
}

pub(crate) fn goto_definition(db: &dyn Db, path: &Path, offset: TextSize) -> Vec<NavigationTarget> {
    let root = util::parse(db, path).syntax_node();
    let Some(token) = util::token_at(&root, offset) else { return Vec::new() };
    if token.parent_ancestors().any(|n| n.kind() == INCLUDE)
        && let Some(inc) = util::include_at(db, path, offset)
    {
        let empty = TextRange::empty(TextSize::new(0));
        return inc
            .files
            .iter()
            .map(|f| NavigationTarget {
                path: f.path(db).clone(),
                full_range: empty,
                focus_range: empty,
                name: inc.target.clone(),
            })
            .collect();
    }
    if token.kind() == COMMENT
        && let Some(target) = directive_profile_target(db, &token, offset)
    {
        return vec![target];
    }
    match subject(db, path, offset) {
        Some((Subject::Variable(name), _)) => util::variable_defs(db, path)
            .into_iter()
            .filter(|d| d.name == name)
            .map(|d| NavigationTarget {
                path: d.path,
                full_range: d.full_range,
                focus_range: d.name_range,
                name: format!("@{{{}}}", d.name),
            })
            .collect(),
        Some((Subject::Profile(name), _)) => profile_defs(db, path, &name, &token)
            .into_iter()
            .map(|p| NavigationTarget {
                path: p.path,
                full_range: p.full_range,
                focus_range: p.name_range,
                name: p.name,
            })
            .collect(),
        None => Vec::new(),
    }
}

/// The profile file an `#aa:exec` / `#aa:stack` argument under the cursor
/// names, at its first profile.
fn directive_profile_target(db: &dyn Db, comment: &SyntaxToken, offset: TextSize) -> Option<NavigationTarget> {
    let text = comment.text();
    let args = text.strip_prefix("#aa:exec").or_else(|| text.strip_prefix("#aa:stack"))?;
    let at = usize::from(offset - comment.text_range().start());
    let args_start = text.len() - args.len();
    let mut start = args_start;
    for word in args.split(' ') {
        if (start..=start + word.len()).contains(&at) && !word.is_empty() {
            let file = aa_hir::directives::profile_file(db, word)?;
            let root = aa_hir::includes::parse(db, file).syntax_node();
            let profile = root.children().find_map(ast::Profile::cast);
            let full_range = profile.as_ref().map_or(TextRange::default(), |p| p.syntax().text_range());
            let focus_range = profile.and_then(|p| p.name()).map_or(full_range, |n| n.syntax().text_range());
            return Some(NavigationTarget { path: file.path(db).clone(), full_range, focus_range, name: word.into() });
        }
        start += word.len() + 1;
    }
    None
}

fn profile_defs(db: &dyn Db, path: &Path, name: &str, _at: &SyntaxToken) -> Vec<util::ProfileInfo> {
    let last = name.rsplit("//").next().unwrap_or(name);
    let all = util::profiles(db, path);
    let exact: Vec<_> = all.iter().filter(|p| p.name == name).cloned().collect();
    if !exact.is_empty() {
        return exact;
    }
    all.into_iter().filter(|p| p.name == last).collect()
}

/// Every occurrence of the subject in the files `path` reads.
fn occurrences(db: &dyn Db, path: &Path, subject: &Subject) -> Vec<(FileRange, bool)> {
    let mut out = Vec::new();
    for file in util::closure(db, db.file(path)) {
        let root = aa_hir::includes::parse(db, file).syntax_node();
        let fpath = file.path(db).clone();
        match subject {
            Subject::Variable(name) => {
                for token in root.descendants_with_tokens().filter_map(|e| e.into_token()) {
                    if matches!(token.kind(), VARIABLE | BOOL_VARIABLE) && util::variable_name(token.text()) == *name {
                        let is_def = token.parent().is_some_and(|p| {
                            matches!(p.kind(), VARIABLE_DEF | BOOL_DEF) && p.first_token().as_ref() == Some(&token)
                        });
                        out.push((FileRange { path: fpath.clone(), range: token.text_range() }, is_def));
                    }
                }
            }
            Subject::Profile(name) => {
                let last = name.rsplit("//").next().unwrap_or(name);
                for node in root.descendants().filter(|n| matches!(n.kind(), TARGET | PROFILE_NAME)) {
                    let Some(value) = node.children().find_map(ast::Value::cast) else { continue };
                    let text = util::unquote(&value.text());
                    let matches = text == *name || text.rsplit("//").next() == Some(last);
                    if matches {
                        out.push((
                            FileRange { path: fpath.clone(), range: value.syntax().text_range() },
                            node.kind() == PROFILE_NAME,
                        ));
                    }
                }
            }
        }
    }
    out
}

pub(crate) fn references(db: &dyn Db, path: &Path, offset: TextSize, include_declaration: bool) -> Vec<FileRange> {
    let Some((subject, _)) = subject(db, path, offset) else { return Vec::new() };
    occurrences(db, path, &subject)
        .into_iter()
        .filter(|(_, is_def)| include_declaration || !is_def)
        .map(|(r, _)| r)
        .collect()
}

pub(crate) fn document_highlight(db: &dyn Db, path: &Path, offset: TextSize) -> Vec<Highlight> {
    let Some((subject, _)) = subject(db, path, offset) else { return Vec::new() };
    occurrences(db, path, &subject)
        .into_iter()
        .filter(|(r, _)| r.path == path)
        .map(|(r, is_def)| Highlight {
            range: r.range,
            kind: if is_def { HighlightKind::Write } else { HighlightKind::Read },
        })
        .collect()
}

pub(crate) fn prepare_rename(db: &dyn Db, path: &Path, offset: TextSize) -> Option<TextRange> {
    subject(db, path, offset).map(|(_, r)| r)
}

pub(crate) fn rename(db: &dyn Db, path: &Path, offset: TextSize, new_name: &str) -> Result<SourceChange, String> {
    let Some((subject, _)) = subject(db, path, offset) else {
        return Err("nothing to rename here: put the cursor on a variable or a profile name".to_string());
    };
    let replacement = match &subject {
        Subject::Variable(_) => {
            let bare = util::variable_name(new_name.trim());
            if bare.is_empty() || !bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("`{new_name}` is not a valid variable name"));
            }
            format!("@{{{bare}}}")
        }
        Subject::Profile(_) => {
            let name = new_name.trim();
            if name.is_empty() || name.chars().any(|c| c.is_whitespace() || matches!(c, ',' | '{' | '}' | '#')) {
                return Err(format!("`{new_name}` is not a valid profile name"));
            }
            name.to_string()
        }
    };
    let mut change = SourceChange::default();
    for (r, _) in occurrences(db, path, &subject) {
        let edit = TextEdit { range: r.range, new_text: replacement.clone() };
        match change.edits.iter_mut().find(|(p, _)| *p == r.path) {
            Some((_, edits)) => edits.push(edit),
            None => change.edits.push((r.path, vec![edit])),
        }
    }
    change.edits.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(change)
}
