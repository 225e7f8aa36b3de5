//! Writing a user's file without ever leaving a part of it: the new text
//! goes to a temporary file in the same directory, is flushed to disk, and
//! is renamed over the old one, so a reader (or a process killed midway)
//! sees the old file or the new one. A symbolic link is written through:
//! its target is replaced and the link kept. The file's permissions are
//! kept.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Replaces the contents of `path` with `text`, atomically.
pub fn write_atomic(path: &Path, text: &[u8]) -> std::io::Result<()> {
    // Through symlinks (all of them, chains too) to the file itself, so
    // the rename replaces the target and not the link.
    let target: PathBuf = match std::fs::canonicalize(path) {
        Ok(target) => target,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(error) => return Err(error),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = target.with_file_name(format!(".{name}.aa-lint-{}-{attempt}.tmp", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => break (tmp, file),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(error) => return Err(error),
        }
    };
    let result = (|| {
        if let Ok(meta) = std::fs::metadata(&target) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(text)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &target)?;
        // The rename itself is durable once the directory is flushed.
        if let Some(dir) = target.parent()
            && let Ok(dir) = std::fs::File::open(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
        {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
