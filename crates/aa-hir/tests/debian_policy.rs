//! The semantic checks against the policy Debian installs: all of it loads,
//! so no check may report an error on it.

use std::path::{Path, PathBuf};

use aa_hir::Severity;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

#[test]
fn debian_installed_policy_has_no_errors() {
    let mut files = Vec::new();
    for root in ["/etc/apparmor.d", "/usr/share/apparmor/extra-profiles"] {
        walk(Path::new(root), &mut files);
    }
    // `apparmor_parser` skips these when it loads a directory; `abi/` holds
    // feature files, not policy.
    files.retain(|p| {
        !p.ends_with("README")
            && !p.to_string_lossy().contains(".dpkg-")
            && !p.starts_with("/etc/apparmor.d/abi")
    });
    if files.is_empty() {
        eprintln!("\n!!! SKIPPED: no AppArmor policy installed (apt-get install apparmor apparmor-profiles apparmor-profiles-extra) !!!\n");
        return;
    }
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let parse = aa_syntax::parse(&text);
        for d in aa_hir::checks::check(&parse.tree()) {
            if d.severity == Severity::Error {
                let line = text[..usize::from(d.range.start()).min(text.len())].matches('\n').count() + 1;
                failures.push(format!("{}:{line}: {}: {}", path.display(), d.code, d.message));
            }
        }
    }
    eprintln!("installed policy: {} files checked, {} errors", files.len(), failures.len());
    assert!(failures.is_empty(), "{} errors on installed policy:\n{}", failures.len(), failures.join("\n"));
}
