//! The properties the fuzz targets in `fuzz/` check, one module per layer,
//! each a function of the fuzzer's bytes that panics when a property fails.
//! They live in the main workspace so that `cargo test` replays every
//! finding kept in `fixtures/fuzz/<target>/` with the same checks
//! (`tests/fixtures.rs`); the fuzz targets only call them.
//!
//! Everything runs in memory: files come from an `aa_hir::db::MemoryLoader`,
//! the language server runs in-process over it.

pub mod compile;
pub mod fmt;
pub mod lsp;
pub mod model;

use std::path::PathBuf;

use aa_syntax::TextRange;

/// Splits the fuzzer's text into the files of a workspace.
pub const SEPARATOR: char = '\u{1e}';

/// Where the parts of the input go, in order: the profile, three files it
/// may include, and the tunables that profiles usually include first.
pub const PATHS: [&str; 5] = [
    "/etc/apparmor.d/usr.bin.fuzz",
    "/etc/apparmor.d/abstractions/base",
    "/etc/apparmor.d/abstractions/fuzz",
    "/etc/apparmor.d/local/usr.bin.fuzz",
    "/etc/apparmor.d/tunables/global",
];

/// A profile and the files it may include, decoded from fuzz input.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// `(path, text)`, the profile first.
    pub files: Vec<(PathBuf, String)>,
}

impl Workspace {
    /// The input split at [`SEPARATOR`] into the files of [`PATHS`] (the
    /// profile alone when there is no separator); `None` when it is not UTF-8.
    pub fn decode(data: &[u8]) -> Option<Workspace> {
        let text = std::str::from_utf8(data).ok()?;
        Some(Workspace::from_text(text))
    }

    pub fn from_text(text: &str) -> Workspace {
        let files =
            text.splitn(PATHS.len(), SEPARATOR).zip(PATHS).map(|(t, p)| (PathBuf::from(p), t.to_owned())).collect();
        Workspace { files }
    }

    pub fn profile_path(&self) -> &PathBuf {
        &self.files[0].0
    }

    pub fn profile(&self) -> &str {
        &self.files[0].1
    }

    pub fn text_of(&self, path: &std::path::Path) -> Option<&str> {
        self.files.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str())
    }

    pub fn loader(&self) -> std::sync::Arc<aa_hir::db::MemoryLoader> {
        std::sync::Arc::new(aa_hir::db::MemoryLoader::new(self.files.clone()))
    }

    /// The same workspace with another profile text.
    pub fn with_profile(&self, text: String) -> Workspace {
        let mut files = self.files.clone();
        files[0].1 = text;
        Workspace { files }
    }
}

/// Panics unless `range` lies inside `text` with both ends on character
/// boundaries; `what` says whose range it is.
pub fn assert_range_in(text: &str, range: TextRange, what: &dyn std::fmt::Display) {
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    assert!(start <= end && end <= text.len(), "{what}: range {start}..{end} outside a text of {} bytes", text.len());
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: range {start}..{end} not on character boundaries"
    );
}
