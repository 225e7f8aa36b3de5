//! Document links: the target of each `include` and `abi` line, resolved as
//! `apparmor_parser` resolves it (the `-I` directories in order, then the
//! base directory for `<name>`; the working directory for `"name"`).

use std::path::{Path, PathBuf};

use aa_hir::db::{Db, FileContent};
use aa_syntax::{SyntaxKind, TextRange, ast::AstNode};

use crate::util;

/// A link from `range` (the target as written, without `<>`) to a file or
/// directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    pub range: TextRange,
    pub target: PathBuf,
    /// What the link opens, for the tooltip.
    pub tooltip: String,
}

pub(crate) fn document_links(db: &dyn Db, path: &Path) -> Vec<DocumentLink> {
    let file = db.file(path);
    let root = util::parse(db, path).syntax_node();
    let mut out = Vec::new();
    let includes = aa_hir::includes::file_includes(db, file);
    for node in root.descendants() {
        let is_abi = match node.kind() {
            SyntaxKind::INCLUDE => false,
            SyntaxKind::ABI => true,
            _ => continue,
        };
        let Some(target_node) = node.children().find(|n| n.kind() == SyntaxKind::INCLUDE_TARGET) else { continue };
        let range = inner_range(&target_node);
        let target = if is_abi {
            aa_syntax::ast::Abi::cast(node.clone()).and_then(|abi| resolve_abi(db, &abi))
        } else {
            let statement = node.text_range();
            includes.iter().find(|inc| inc.range == statement).and_then(|inc| {
                // A directory include lists its files; link the directory.
                match inc.files.as_slice() {
                    [one] if one.path(db).file_name().is_some() && !is_dir(db, one.path(db)) => {
                        Some(one.path(db).clone())
                    }
                    [] => None,
                    [first, ..] => first.path(db).parent().map(Path::to_path_buf),
                }
            })
        };
        let Some(target) = target else { continue };
        let tooltip =
            if is_dir(db, &target) { format!("directory {}", target.display()) } else { target.display().to_string() };
        out.push(DocumentLink { range, target, tooltip });
    }
    out
}

fn is_dir(db: &dyn Db, path: &Path) -> bool {
    matches!(db.file(path).content(db), FileContent::Directory(_))
}

/// The target without its `<>` or quotes.
fn inner_range(node: &aa_syntax::SyntaxNode) -> TextRange {
    let range = node.text_range();
    let text = node.text().to_string();
    let lead = text.len() - text.trim_start_matches(['<', '"', ' ', '\t']).len();
    let trail = text.len() - text.trim_end_matches(['>', '"', ' ', '\t']).len();
    if lead + trail >= text.len() {
        return range;
    }
    TextRange::new(
        range.start() + aa_syntax::TextSize::new(lead as u32),
        range.end() - aa_syntax::TextSize::new(trail as u32),
    )
}

/// `abi <abi/3.0>,` is searched like an include; `abi "x",` is relative to
/// the working directory.
fn resolve_abi(db: &dyn Db, abi: &aa_syntax::ast::Abi) -> Option<PathBuf> {
    let target = abi.target()?;
    let settings = db.settings();
    let searched = abi
        .syntax()
        .children()
        .any(|n| n.kind() == SyntaxKind::INCLUDE_TARGET && n.first_token().is_some_and(|t| t.kind() == SyntaxKind::LT));
    let candidates: Vec<PathBuf> = if Path::new(&target).is_absolute() {
        vec![PathBuf::from(&target)]
    } else if searched {
        settings
            .include_dirs(db)
            .iter()
            .chain(std::iter::once(settings.base_dir(db)))
            .map(|dir| dir.join(&target))
            .collect()
    } else {
        vec![settings.working_dir(db).join(&target)]
    };
    candidates.into_iter().find(|c| matches!(db.file(c).content(db), FileContent::Text(_) | FileContent::Directory(_)))
}
