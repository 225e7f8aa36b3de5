//! Which target (`aa_target::Version`) a command matches, and why: the
//! `--target` flag, then `aa-lint.toml`'s `target`, then the release of
//! the `apparmor_parser` installed on `PATH` or in `/sbin`, `/usr/sbin`,
//! else [`Version::DEFAULT`].

use std::path::{Path, PathBuf};
use std::process::Command;

use aa_target::Version;

/// A chosen target and where the choice came from, for summaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub version: Version,
    /// `--target`, `aa-lint.toml`, `apparmor_parser 4.1.0 at /usr/sbin/apparmor_parser`
    /// or `default`.
    pub source: String,
}

impl std::fmt::Display for Chosen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "target {} ({})", self.version, self.source)
    }
}

/// clap's parser for `--target`.
pub fn parse_target(text: &str) -> Result<Version, String> {
    Version::parse(text).ok_or_else(|| "expected 3.0, 4.1 or 5.0".to_owned())
}

/// The flag, else the configuration's key, else the installed parser's
/// nearest target, else the default.
pub fn choose(flag: Option<Version>, config: Option<Version>) -> Chosen {
    if let Some(version) = flag {
        return Chosen { version, source: "--target".to_owned() };
    }
    if let Some(version) = config {
        return Chosen { version, source: aa_config::FILE_NAME.to_owned() };
    }
    installed()
}

/// The installed parser's target (computed once per process).
pub fn installed() -> Chosen {
    static INSTALLED: std::sync::OnceLock<Chosen> = std::sync::OnceLock::new();
    INSTALLED.get_or_init(detect).clone()
}

fn detect() -> Chosen {
    for path in candidates() {
        let Ok(out) = Command::new(&path).arg("--version").output() else { continue };
        let banner = String::from_utf8_lossy(&out.stdout);
        if let Some((nearest, release)) = Version::from_parser_banner(&banner) {
            let near = if nearest.exact { String::new() } else { ", the nearest target".to_owned() };
            return Chosen {
                version: nearest.version,
                source: format!("apparmor_parser {release} at {}{near}", path.display()),
            };
        }
    }
    Chosen { version: Version::DEFAULT, source: "default: no apparmor_parser found".to_owned() }
}

/// `apparmor_parser` on `PATH`, then in `/sbin` and `/usr/sbin`.
fn candidates() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("apparmor_parser")).collect())
        .unwrap_or_default();
    out.extend(["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"].map(PathBuf::from));
    out.retain(|p| is_executable(p));
    out.dedup();
    out
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
