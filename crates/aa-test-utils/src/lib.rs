//! Helpers shared by the test suites (a dev-dependency, never a normal one):
//! a loader over the real file system, and the corpora we test against —
//! upstream's `simple_tests` and the policy Debian installs.

use std::path::{Path, PathBuf};

use aa_hir::db::{FileContent, FileLoader};

/// Reads the real file system (tests may; the library crates may not).
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

/// Every file under `dir`, recursively, in sorted order.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk_into(dir, &mut out);
    out
}

fn walk_into(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk_into(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

/// Upstream's parser test corpus (`AA_SIMPLE_TESTS`, else `shared/` beside
/// the checkout). `None`, with a loud message, when it is absent.
pub fn simple_tests_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("AA_SIMPLE_TESTS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/tst/simple_tests"),
    };
    match dir.canonicalize() {
        Ok(dir) if dir.is_dir() => Some(dir),
        _ => {
            eprintln!(
                "\n!!! SKIPPED: upstream simple_tests not found at {} (set AA_SIMPLE_TESTS) !!!\n",
                dir.display()
            );
            None
        }
    }
}

/// The `#=EXRESULT` and `#=DISABLED` header of an upstream test file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expectation {
    pub pass: bool,
    pub disabled: bool,
}

impl Expectation {
    pub fn of(text: &str) -> Option<Expectation> {
        let mut pass = None;
        let mut disabled = false;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("#=EXRESULT") {
                pass = Some(rest.trim() == "PASS");
            }
            disabled |= line.starts_with("#=DISABLED");
        }
        Some(Expectation { pass: pass?, disabled })
    }
}

/// Every policy file Debian's `apparmor`, `apparmor-profiles` and
/// `apparmor-profiles-extra` install, minus what `apparmor_parser` would not
/// read as policy (`abi/` feature files, `README`, package-manager leftovers).
/// Empty, with a loud message, when none is installed.
pub fn debian_policy_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["/etc/apparmor.d", "/usr/share/apparmor/extra-profiles"]
        .iter()
        .flat_map(|root| walk(Path::new(root)))
        .collect();
    files.retain(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        !aa_hir::includes::is_skipped_file_name(&name) && !p.starts_with("/etc/apparmor.d/abi")
    });
    if files.is_empty() {
        eprintln!(
            "\n!!! SKIPPED: no AppArmor policy installed (apt-get install apparmor apparmor-profiles apparmor-profiles-extra) !!!\n"
        );
    }
    files
}

/// An `apparmor_parser` used as an oracle, and the version it reports.
#[derive(Debug, Clone)]
pub struct Oracle {
    pub binary: PathBuf,
    /// `4.1.0`, `3.0.8`, ...
    pub version: String,
    /// That version's unpacked source (its `parser/tst`, its standard policy
    /// `profiles/apparmor.d`), when the oracle was built from source.
    pub source: Option<PathBuf>,
}

/// Debian's packaged parser (3.0.8 on Debian 12), the oracle of the 3.0
/// target. `None`, with a loud message, when it is not installed.
pub fn packaged_oracle() -> Option<Oracle> {
    let binary = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"].iter().map(PathBuf::from).find(|p| p.exists());
    let Some(binary) = binary else {
        eprintln!("\n!!! SKIPPED: apparmor_parser is not installed (apt-get install apparmor) !!!\n");
        return None;
    };
    let version = parser_version(&binary)?;
    Some(Oracle { binary, version, source: None })
}

/// A parser built from source by `shared/oracle/build-apparmor-parser.sh`
/// (`AA_ORACLE_<major>_<minor>` names the binary explicitly, for example
/// `AA_ORACLE_4_1=/path/to/apparmor_parser`), from its cache
/// (`${XDG_CACHE_HOME:-~/.cache}/apparmor-oracle/VERSION/`). The build is
/// not started from a test: `.ci/run` builds the oracles before the tests.
/// `None`, with a loud message, when it has not been built.
pub fn built_oracle(version: &str) -> Option<Oracle> {
    let mut parts = version.split('.');
    let (major, minor) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let cache_dir = || {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
        Some(cache.join("apparmor-oracle").join(version))
    };
    let (binary, source) = match std::env::var_os(format!("AA_ORACLE_{major}_{minor}")) {
        Some(binary) => (PathBuf::from(binary), None),
        None => match cache_dir() {
            Some(dir) => (dir.join("apparmor_parser"), Some(dir.join("src")).filter(|src| src.is_dir())),
            None => (PathBuf::from("apparmor_parser"), None),
        },
    };
    if !binary.exists() {
        eprintln!(
            "\n!!! SKIPPED: apparmor_parser {version} not found at {} \
             (run shared/oracle/build-apparmor-parser.sh {version}) !!!\n",
            binary.display()
        );
        return None;
    }
    let found = parser_version(&binary)?;
    if !found.starts_with(version) {
        eprintln!("\n!!! SKIPPED: {} is apparmor_parser {found}, not {version} !!!\n", binary.display());
        return None;
    }
    Some(Oracle { binary, version: found, source })
}

/// Whether oracle tests that cannot find their oracle must fail instead of
/// skipping (CI sets `CI`).
pub fn oracle_required() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The version `apparmor_parser --version` reports (`AppArmor parser
/// version 4.1.0`).
pub fn parser_version(binary: &Path) -> Option<String> {
    let out = std::process::Command::new(binary).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next()?;
    Some(line.rsplit(' ').next()?.trim().to_owned())
}
