//! `abi` rules: the named features file must exist, as `apparmor_parser`
//! opens it while parsing. `<name>` is searched like an include (`-I`
//! directories, then the base directory; `kernel` and `default` are built
//! in), `"name"` and bare names are opened from the working directory.

use std::path::{Path, PathBuf};

use aa_syntax::SyntaxKind::*;

use crate::{
    Diagnostic,
    db::{Db, File, FileContent},
    includes::parse,
};

/// Abi rules of `file` whose features file cannot be opened.
pub fn abi_diagnostics(db: &dyn Db, file: File) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let root = parse(db, file).syntax_node();
    for node in root.descendants().filter(|n| n.kind() == ABI) {
        let Some(target) = node.children().find(|n| n.kind() == INCLUDE_TARGET) else {
            continue;
        };
        let text = target.text().to_string();
        let text = text.trim();
        let (search, inner) = match text.strip_prefix('<') {
            Some(rest) => (true, rest.strip_suffix('>').unwrap_or(rest).trim()),
            None => (false, text),
        };
        let name = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(inner);
        let range = target.text_range();
        if name.is_empty() {
            out.push(Diagnostic::error("bad-abi", "the `abi` rule names no features file", range));
            continue;
        }
        if search && matches!(name, "kernel" | "default") {
            continue;
        }
        let settings = db.settings();
        let candidates: Vec<PathBuf> = if search {
            settings
                .include_dirs(db)
                .iter()
                .chain(std::iter::once(settings.base_dir(db)))
                .map(|dir| dir.join(name.trim_start_matches('/')))
                .collect()
        } else if Path::new(name).is_absolute() {
            vec![PathBuf::from(name)]
        } else {
            vec![settings.working_dir(db).join(name)]
        };
        let found = candidates.iter().find(|c| !matches!(db.file(c).content(db), FileContent::NotFound));
        match found.map(|c| db.file(c).content(db)) {
            Some(FileContent::Text(_)) => {}
            Some(FileContent::Directory(_)) => out.push(Diagnostic::error(
                "bad-abi",
                format!("abi `{name}` is a directory, not a features file"),
                range,
            )),
            Some(FileContent::NotUtf8 { .. }) | Some(FileContent::Unreadable(_)) => {}
            Some(FileContent::NotFound) | None => out.push(Diagnostic::error(
                "bad-abi",
                format!("could not find the features file of abi `{name}`"),
                range,
            )),
        }
    }
    out
}
