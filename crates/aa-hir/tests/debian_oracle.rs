//! Debian's installed policy through both `policy_diagnostics` and the real
//! `apparmor_parser`: every profile file must get the same verdict.

use std::path::{Path, PathBuf};

mod oracle;

/// Top-level profile files of a policy directory, as `apparmor_parser`
/// would load them (no abstractions, tunables, local overrides, backups).
fn profile_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            name != "README" && !name.contains(".dpkg-") && !name.starts_with('.')
        })
        .collect();
    files.sort();
    files
}

#[test]
fn debian_policy_verdicts_agree_with_apparmor_parser() {
    let Some(version) = oracle::parser_version() else {
        eprintln!(
            "\n!!! SKIPPED: {} or {} not found (apt-get install apparmor apparmor-profiles apparmor-profiles-extra) !!!\n",
            oracle::PARSER,
            oracle::FEATURES
        );
        return;
    };
    let mut sets: Vec<(PathBuf, Vec<&str>)> = Vec::new();
    for path in profile_files(Path::new("/etc/apparmor.d")) {
        sets.push((path, Vec::new()));
    }
    for path in profile_files(Path::new("/usr/share/apparmor/extra-profiles")) {
        sets.push((path, vec!["/etc/apparmor.d"]));
    }
    if sets.is_empty() {
        eprintln!("\n!!! SKIPPED: no AppArmor policy installed !!!\n");
        return;
    }
    let (mut agree, mut both_accept, mut both_reject) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for (path, dirs) in &sets {
        let (oracle_ok, oracle_says) = oracle::oracle(path, dirs);
        let (our_ok, we_say) = oracle::ours(path, dirs);
        if oracle_ok == our_ok {
            agree += 1;
            if our_ok { both_accept += 1 } else { both_reject += 1 }
        } else if oracle_ok {
            disagreements.push(format!("{}: apparmor_parser accepts, we reject: {we_say}", path.display()));
        } else {
            let first = oracle_says.lines().next().unwrap_or_default();
            disagreements.push(format!("{}: apparmor_parser rejects ({first}), we accept", path.display()));
        }
    }
    eprintln!(
        "Debian policy vs {version}: {agree} of {} files agree ({both_accept} accepted by both, {both_reject} rejected by both), {} disagree",
        sets.len(),
        disagreements.len()
    );
    for line in &disagreements {
        eprintln!("  {line}");
    }
    assert!(disagreements.is_empty(), "{} files get a different verdict from apparmor_parser", disagreements.len());
}
