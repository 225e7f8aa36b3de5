//! A file past the size limit (`aa_hir::includes::MAX_FILE_BYTES`) gets one
//! `file-too-large` finding at its start and no analysis, from the real
//! binary. The file is Debian's installed policy (the profiles at the top
//! of `/etc/apparmor.d`) concatenated until it is past the limit, in a
//! temporary directory; the test is skipped where that policy is missing.

mod common;

use std::process::Command;

use common::TempDir;

/// The top-level profiles of Debian's policy, in name order.
fn debian_profiles() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/etc/apparmor.d") else { return Vec::new() };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

#[test]
fn a_file_past_the_limit_gets_one_finding_at_its_start() {
    let profiles = debian_profiles();
    if profiles.is_empty() {
        eprintln!("skipped: no policy in /etc/apparmor.d");
        return;
    }
    let one_copy = profiles.concat();
    let copies = aa_hir::includes::MAX_FILE_BYTES / one_copy.len() + 1;
    let dir = TempDir::new("too-large", "debian");
    let path = dir.0.join("concatenated");
    std::fs::write(&path, one_copy.repeat(copies)).expect("write the large file");

    let output = Command::new(env!("CARGO_BIN_EXE_aa-lint"))
        .arg("check")
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .expect("aa-lint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let findings: Vec<&str> = stdout.lines().filter(|l| l.starts_with(&*path.to_string_lossy())).collect();
    assert_eq!(findings.len(), 1, "one finding, not an analysis:\n{stdout}");
    assert!(findings[0].contains(":1:1:") && findings[0].contains("AA077"), "{}", findings[0]);
    assert!(findings[0].contains("past the 10 MiB limit"), "{}", findings[0]);
    assert_eq!(output.status.code(), Some(1), "an error finding fails the check");
}
