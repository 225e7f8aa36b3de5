//! Runs the real `apparmor_parser` (the oracle) for the integration tests.
//!
//! Every helper returns `None` (after a loud message) when the parser is not
//! installed, so a machine without AppArmor skips instead of failing.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn parser() -> Option<PathBuf> {
    let found = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"].iter().map(PathBuf::from).find(|p| p.exists());
    if found.is_none() {
        eprintln!(
            "\n!!! SKIPPING: apparmor_parser is not installed (apt-get install apparmor); \
             oracle tests did not run !!!\n"
        );
    }
    found
}

pub fn features(name: &str) -> PathBuf {
    crate_dir().join("tests/features").join(name)
}

/// Compiles a profile file with pinned features; returns the binary policy.
pub fn compile_file(profile: &Path, features: &str, extra: &[&str]) -> Option<Vec<u8>> {
    let parser = parser()?;
    let out = Command::new(parser)
        .arg("--config-file=/dev/null")
        .arg("-QKS")
        .arg("-M")
        .arg(self::features(features))
        .args(extra)
        .arg(profile)
        .output()
        .expect("running apparmor_parser");
    assert!(
        out.status.success(),
        "apparmor_parser failed on {}:\n{}",
        profile.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.stdout)
}

/// Compiles one of the profiles in `tests/profiles/`.
pub fn compile_named(name: &str, features: &str, extra: &[&str]) -> Option<Vec<u8>> {
    compile_file(&crate_dir().join("tests/profiles").join(name), features, extra)
}

/// Compiles profile text (written to a fresh temporary file).
pub fn compile_text(text: &str, features: &str, extra: &[&str]) -> Option<Vec<u8>> {
    static N: AtomicUsize = AtomicUsize::new(0);
    parser()?;
    let path = std::env::temp_dir().join(format!(
        "aa-dfa-test-{}-{}.aa",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, text).expect("writing temporary profile");
    let out = compile_file(&path, features, extra);
    let _ = std::fs::remove_file(&path);
    out
}

/// Runs the parser with extra dump flags and returns its stderr.
pub fn dump_text(text: &str, features: &str, dump: &[&str]) -> Option<String> {
    let parser = parser()?;
    let path = std::env::temp_dir().join(format!("aa-dfa-dump-{}.aa", std::process::id()));
    std::fs::write(&path, text).expect("writing temporary profile");
    let mut cmd = Command::new(parser);
    cmd.arg("--config-file=/dev/null").arg("-QKS").arg("-M").arg(self::features(features));
    for d in dump {
        cmd.arg("-D").arg(d);
    }
    let out = cmd.arg(&path).output().expect("running apparmor_parser");
    let _ = std::fs::remove_file(&path);
    Some(String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Parses a test rule written like a profile line, `[audit] [deny] [owner]
/// PATH PERMS [-> TARGET]`, into the rule and its exec target's name.
pub fn file_rule(line: &str) -> (aa_dfa::FileRule, Option<String>) {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let mut target = None;
    if let Some(i) = words.iter().position(|w| *w == "->") {
        target = words.get(i + 1).map(|s| s.to_string());
        words.truncate(i);
    }
    let mut flags = Vec::new();
    while matches!(words.first(), Some(&("audit" | "deny" | "owner"))) {
        flags.push(words.remove(0));
    }
    let [path, perms] = words[..] else { panic!("bad test rule {line:?}") };
    let mut r = aa_dfa::FileRule::parse(path, perms).unwrap_or_else(|| panic!("bad perms in {line:?}"));
    r.audit = flags.contains(&"audit");
    r.deny = flags.contains(&"deny");
    r.owner = flags.contains(&"owner");
    (r, target)
}
