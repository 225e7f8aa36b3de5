//! Loaders for the tests: the core's in-memory loader and the test-only
//! file-system loader.

#![allow(dead_code, unused_imports)]

pub use aa_hir::db::MemoryLoader;
pub use aa_test_utils::FsLoader;

/// An in-memory tree of `(path, text)` pairs.
pub fn memory(files: &[(&str, &str)]) -> MemoryLoader {
    MemoryLoader::new(files.iter().copied())
}
