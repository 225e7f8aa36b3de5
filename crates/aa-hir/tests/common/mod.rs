//! File loaders for tests: over a map (an in-memory tree) and over the real
//! file system (tests may read it; the library may not).

#![allow(dead_code)]

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use aa_hir::db::{FileContent, FileLoader};

/// An in-memory file system: a map of paths to texts; directories are implied.
pub struct MapLoader(pub HashMap<PathBuf, String>);

impl MapLoader {
    pub fn new(files: &[(&str, &str)]) -> MapLoader {
        MapLoader(files.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect())
    }
}

impl FileLoader for MapLoader {
    fn load(&self, path: &Path) -> FileContent {
        if let Some(text) = self.0.get(path) {
            return FileContent::Text(text.clone());
        }
        let mut entries: Vec<String> = self
            .0
            .keys()
            .filter_map(|p| p.strip_prefix(path).ok())
            .filter_map(|rest| rest.components().next())
            .map(|first| first.as_os_str().to_string_lossy().into_owned())
            .collect();
        entries.sort();
        entries.dedup();
        if entries.is_empty() { FileContent::NotFound } else { FileContent::Directory(entries) }
    }
}

/// Reads the real file system.
pub struct FsLoader;

impl FileLoader for FsLoader {
    fn load(&self, path: &Path) -> FileContent {
        match std::fs::metadata(path) {
            Err(_) => FileContent::NotFound,
            Ok(meta) if meta.is_dir() => match std::fs::read_dir(path) {
                Ok(entries) => FileContent::Directory(
                    entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
                ),
                Err(err) => FileContent::Unreadable(err.to_string()),
            },
            Ok(_) => match std::fs::read(path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => FileContent::Text(text),
                    Err(err) => FileContent::NotUtf8 { offset: err.utf8_error().valid_up_to() },
                },
                Err(err) => FileContent::Unreadable(err.to_string()),
            },
        }
    }
}
