//! Turning command-line paths into the list of inputs to read.
//!
//! Paths named on the command line are always used. Directories are walked
//! recursively in sorted order, skipping the names `apparmor_parser` skips
//! when it loads a directory (libapparmor's `_aa_is_blacklisted`): hidden
//! names, `README`, and package-manager and editor leftovers.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::source::Input;

/// The directory of feature ABI files, skipped while walking.
const ABI_DIR: &str = "abi";

/// Whether a directory entry named `name` is skipped by `apparmor_parser`
/// (the same rule as for directory includes).
pub fn is_skipped_name(name: &str) -> bool {
    aa_hir::includes::is_skipped_file_name(name)
}

/// Expands `paths` into inputs, in order. An `Err` names a path that could not
/// be read; it keeps its place so messages come out in a stable order.
pub fn discover(paths: &[PathBuf]) -> Vec<Result<Input, String>> {
    let mut out = Vec::new();
    let mut visited = HashSet::new();
    for path in paths {
        let input = Input::from_arg(path);
        match input {
            Input::Stdin => out.push(Ok(Input::Stdin)),
            Input::File(path) => match fs::metadata(&path) {
                Ok(metadata) if metadata.is_dir() => walk(&path, &mut visited, &mut out),
                Ok(_) => out.push(Ok(Input::File(path))),
                Err(error) => out.push(Err(format!("{}: cannot read: {error}", path.display()))),
            },
        }
    }
    out
}

fn walk(dir: &Path, visited: &mut HashSet<PathBuf>, out: &mut Vec<Result<Input, String>>) {
    // A symlink loop would otherwise walk forever.
    if let Ok(canonical) = fs::canonicalize(dir)
        && !visited.insert(canonical)
    {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            out.push(Err(format!("{}: cannot read directory: {error}", dir.display())));
            return;
        }
    };
    let mut children: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let name = entry.file_name();
                // A name that is not UTF-8 cannot match any skipped pattern
                // except a leading dot, which `to_string_lossy` keeps.
                let name = name.to_string_lossy();
                // aa-lint's own configuration is not policy.
                if !is_skipped_name(&name) && name != aa_config::FILE_NAME {
                    children.push(entry.path());
                }
            }
            Err(error) => {
                out.push(Err(format!("{}: cannot read directory: {error}", dir.display())));
            }
        }
    }
    children.sort();
    for child in children {
        match fs::metadata(&child) {
            Ok(metadata) if metadata.is_dir() => {
                if child.file_name().is_none_or(|name| name != ABI_DIR) {
                    walk(&child, visited, out);
                }
            }
            Ok(metadata) if metadata.is_file() => out.push(Ok(Input::File(child))),
            // Sockets, fifos and devices are not profiles.
            Ok(_) => {}
            Err(error) => out.push(Err(format!("{}: cannot read: {error}", child.display()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_skipped_name;

    #[test]
    fn skipped_names_follow_libapparmor() {
        for name in [".hidden", "README", "a.dpkg-new", "a.rpmsave", "a~", "b.orig", "c.rej"] {
            assert!(is_skipped_name(name), "{name}");
        }
        for name in ["usr.bin.foo", "README.md", "a.orig.orig", "x~y", "a.orig2"] {
            assert!(!is_skipped_name(name), "{name}");
        }
    }
}
