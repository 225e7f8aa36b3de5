//! The file loader over the OS: the language server and the CLI (which
//! uses this one) are the only crates allowed to read the file system.

use std::path::Path;

use aa_ide::{FileContent, FileLoader};

pub struct OsLoader;

impl FileLoader for OsLoader {
    fn load(&self, path: &Path) -> FileContent {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FileContent::NotFound,
            Err(e) => return FileContent::Unreadable(e.to_string()),
            Ok(meta) if meta.is_dir() => {
                return match std::fs::read_dir(path) {
                    Ok(entries) => FileContent::Directory(
                        entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
                    ),
                    Err(e) => FileContent::Unreadable(e.to_string()),
                };
            }
            Ok(_) => {}
        }
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => FileContent::Text(text),
                Err(e) => FileContent::NotUtf8 { offset: e.utf8_error().valid_up_to() },
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileContent::NotFound,
            Err(e) => FileContent::Unreadable(e.to_string()),
        }
    }
}
