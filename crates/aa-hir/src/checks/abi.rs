//! `abi` rules: the named features file must exist, as `apparmor_parser`
//! opens it while parsing. `<name>` is searched like an include (`-I`
//! directories, then the base directory; `kernel` and `default` are built
//! in), `"name"` and bare names are opened from the working directory.
//!
//! A standard ABI (`<abi/3.0>`, `<abi/4.0>`, `<abi/5.0>`) that no search
//! directory has is not an error: aa-lint's copy is used
//! (`crate::default_abi`), and [`embedded_abis`] says which, for the front
//! ends' one note per run.

use std::path::{Path, PathBuf};

use aa_syntax::{SyntaxKind::*, TextRange};

use crate::{
    Diagnostic,
    db::{Db, File, FileContent},
    includes::parse,
};

/// What the features file of one `abi` rule turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AbiResolution {
    /// `abi <>,` or `abi "",`.
    NoName,
    /// `<kernel>` or `<default>`: the parser's own.
    Parser,
    /// A readable file (or one the loader could not read: the parser reports that).
    Found,
    Directory,
    /// Not on the search path; aa-lint's copy of this standard ABI stands in.
    Embedded,
    NotFound,
}

/// One `abi` rule: where its target is written, the name, and what it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AbiRule {
    pub range: TextRange,
    pub name: String,
    pub resolution: AbiResolution,
}

/// Every `abi` rule of `file`, resolved, in text order.
#[salsa::tracked(returns(ref))]
pub fn file_abis(db: &dyn Db, file: File) -> Vec<AbiRule> {
    let root = parse(db, file).syntax_node();
    let mut out = Vec::new();
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
        let name = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(inner).to_string();
        let resolution = resolve(db, &name, search);
        out.push(AbiRule { range: target.text_range(), name, resolution });
    }
    out
}

fn resolve(db: &dyn Db, name: &str, search: bool) -> AbiResolution {
    if name.is_empty() {
        return AbiResolution::NoName;
    }
    if search && matches!(name, "kernel" | "default") {
        return AbiResolution::Parser;
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
    let found = candidates.iter().map(|c| db.file(c).content(db)).find(|c| !matches!(c, FileContent::NotFound));
    match found {
        Some(FileContent::Directory(_)) => AbiResolution::Directory,
        Some(_) => AbiResolution::Found,
        None if search && crate::default_abi::builtin_abi(name).is_some() => AbiResolution::Embedded,
        None => AbiResolution::NotFound,
    }
}

/// Abi rules of `file` whose features file cannot be opened.
pub fn abi_diagnostics(db: &dyn Db, file: File) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in file_abis(db, file) {
        let (range, name) = (rule.range, &rule.name);
        match rule.resolution {
            AbiResolution::NoName => {
                out.push(Diagnostic::error("bad-abi", "the `abi` rule names no features file", range));
            }
            AbiResolution::Directory => out.push(Diagnostic::error(
                "bad-abi",
                format!("abi `{name}` is a directory, not a features file"),
                range,
            )),
            AbiResolution::NotFound => out.push(Diagnostic::error(
                "bad-abi",
                format!("could not find the features file of abi `{name}`"),
                range,
            )),
            AbiResolution::Parser | AbiResolution::Found | AbiResolution::Embedded => {}
        }
    }
    out
}

/// The standard ABIs (`abi/5.0`, ...) that `file` names and that no search
/// directory has, so that aa-lint's copies were used.
pub fn embedded_abis(db: &dyn Db, file: File) -> impl Iterator<Item = &str> {
    file_abis(db, file).iter().filter(|rule| rule.resolution == AbiResolution::Embedded).map(|rule| rule.name.as_str())
}
