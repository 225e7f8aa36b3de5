//! Reads the file system for the analysis database (the core never does).

use std::path::Path;

use aa_hir::db::{FileContent, FileLoader};

pub struct OsLoader;

impl FileLoader for OsLoader {
    fn load(&self, path: &Path) -> FileContent {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return FileContent::NotFound,
            Err(error) => return FileContent::Unreadable(error.to_string()),
        };
        if metadata.is_dir() {
            return match std::fs::read_dir(path) {
                Ok(entries) => {
                    // Only regular files count in a directory include.
                    let names = entries
                        .flatten()
                        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
                        .map(|entry| entry.file_name().to_string_lossy().into_owned())
                        .collect();
                    FileContent::Directory(names)
                }
                Err(error) => FileContent::Unreadable(error.to_string()),
            };
        }
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => FileContent::Text(text),
                Err(error) => FileContent::NotUtf8 { offset: error.utf8_error().valid_up_to() },
            },
            Err(error) => FileContent::Unreadable(error.to_string()),
        }
    }
}
