//! The audit logs behind the log hints: a file (polled for changes of its
//! size or modification time) and the journal (`journalctl -o json` over
//! the kernel and audit transports, when allowed and installed), read on a
//! thread of their own so that no request ever waits for them. `aa_log`
//! reads the records; each new reading goes to the analysis as a whole.
//!
//! Bounded: the last [`MAX_FILE_BYTES`] of the file, at most [`MAX_ENTRIES`]
//! records from the journal (the newest), one poll per [`POLL`].

use std::{
    io::{Read as _, Seek as _, SeekFrom},
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, mpsc},
    time::{Duration, Instant, SystemTime},
};

use aa_ide::{LogEvents, LogHint};
use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use crate::{
    convert::{self, Encoding},
    settings::SuggestSettings,
};

/// The running kernel's features, where `aa-lint suggest` looks first.
const KERNEL_FEATURES: &str = "/sys/kernel/security/apparmor/features";
/// The system's features file, next (as `aa-lint compile`).
const SYSTEM_FEATURES: &str = "/usr/share/apparmor-features/features";

/// How often the log file is looked at (a `stat`, and a read when it changed).
pub(crate) const POLL: Duration = Duration::from_secs(1);
/// How often the journal is asked for new entries.
const JOURNAL_POLL: Duration = Duration::from_secs(5);
/// The part of a log file read: its end.
pub(crate) const MAX_FILE_BYTES: u64 = 32 << 20;
/// Records kept from the journal.
pub(crate) const MAX_ENTRIES: usize = 100_000;
/// Journal entries asked for the first time.
const JOURNAL_FIRST: &str = "20000";

/// The diagnostic code of a log hint.
pub(crate) const HINT_CODE: &str = "logged-events";

/// The reading thread; dropped with the server (the thread ends when its
/// sender is gone).
pub(crate) struct LogReader {
    settings: mpsc::Sender<SuggestSettings>,
}

impl LogReader {
    /// Starts the thread; `deliver` gets every new reading.
    pub(crate) fn spawn(deliver: impl Fn(LogEvents) + Send + 'static) -> LogReader {
        let (tx, rx) = mpsc::channel();
        let _ = std::thread::Builder::new().name("aa-lint-logs".into()).spawn(move || run(&rx, &deliver));
        LogReader { settings: tx }
    }

    pub(crate) fn configure(&self, settings: SuggestSettings) {
        let _ = self.settings.send(settings);
    }
}

/// What was read from each source.
#[derive(Default)]
struct Sources {
    settings: Option<SuggestSettings>,
    /// The file's (length, modification time) when last read.
    file_seen: Option<(u64, Option<SystemTime>)>,
    file: Vec<aa_log::Entry>,
    journal: Vec<aa_log::Entry>,
    journal_cursor: Option<String>,
    journal_lines: usize,
    journal_polled: Option<Instant>,
    /// Whether `journalctl` runs here (asked once per setting).
    journalctl: Option<bool>,
    features: Arc<str>,
}

fn run(rx: &mpsc::Receiver<SuggestSettings>, deliver: &dyn Fn(LogEvents)) {
    let mut s = Sources::default();
    loop {
        let active = s.settings.as_ref().is_some_and(SuggestSettings::any);
        let next = if active {
            match rx.recv_timeout(POLL) {
                Ok(new) => Some(new),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match rx.recv() {
                Ok(new) => Some(new),
                Err(_) => return,
            }
        };
        // The newest settings win.
        let next = rx.try_iter().last().or(next);
        let mut changed = false;
        if let Some(new) = next
            && s.settings.as_ref() != Some(&new)
        {
            let had = s.settings.as_ref().is_some_and(SuggestSettings::any);
            s = Sources {
                features: features_text(new.features_file.as_deref()).into(),
                settings: Some(new),
                ..Sources::default()
            };
            // Nothing to read now, but hints were shown: take them away.
            changed = had;
        }
        let Some(settings) = s.settings.clone() else { continue };
        if let Some(path) = &settings.log_file {
            changed |= poll_file(&mut s, path);
        }
        if settings.journal && s.journal_polled.is_none_or(|t| t.elapsed() >= JOURNAL_POLL) {
            s.journal_polled = Some(Instant::now());
            changed |= poll_journal(&mut s);
        }
        if changed {
            let mut entries = s.file.clone();
            // Journal lines count on after the file's.
            let offset = s.file.last().map_or(0, |e| e.line);
            entries.extend(s.journal.iter().cloned().map(|mut e| {
                e.line += offset;
                e
            }));
            deliver(LogEvents { entries: Arc::new(entries), features: s.features.clone() });
        }
    }
}

/// The features the hints compile against, in the features-file form: the
/// setting's file or directory, else the running kernel's, else the
/// system's file; none (empty) when there is nothing to read.
fn features_text(setting: Option<&Path>) -> String {
    let kernel = Path::new(KERNEL_FEATURES);
    let path = match setting {
        Some(p) => p,
        None if kernel.is_dir() => kernel,
        None => Path::new(SYSTEM_FEATURES),
    };
    if path.is_dir() {
        read_features_dir(path).unwrap_or_default()
    } else {
        std::fs::read_to_string(path).unwrap_or_default()
    }
}

/// A features directory (the kernel's `features/` tree) in the
/// features-file form: an entry `name` becomes `name {...}` around its
/// contents or its file's text, as `apparmor_parser` flattens it.
pub fn read_features_dir(dir: &Path) -> std::io::Result<String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    let mut out = String::new();
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let inner = if entry.file_type()?.is_dir() {
            read_features_dir(&entry.path())?
        } else {
            std::fs::read_to_string(entry.path())?
        };
        out.push_str(&format!("{name} {{{inner}}}\n"));
    }
    Ok(out)
}

/// Reads the file again when its size or modification time changed;
/// whether its records changed.
fn poll_file(s: &mut Sources, path: &Path) -> bool {
    let seen = std::fs::metadata(path).ok().map(|m| (m.len(), m.modified().ok()));
    if seen == s.file_seen {
        return false;
    }
    s.file_seen = seen;
    let entries = match read_tail(path) {
        Some(text) => aa_log::read_log(&text).entries,
        None => Vec::new(),
    };
    // A log that grew by other programs' lines changes nothing: the
    // analysis is not touched (no request cancelled, no hint recomputed).
    if entries == s.file {
        return false;
    }
    s.file = entries;
    true
}

/// The file's text, or its last [`MAX_FILE_BYTES`] from a line start.
fn read_tail(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(MAX_FILE_BYTES);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if start > 0
        && let Some(newline) = text.find('\n')
    {
        text.drain(..=newline);
    }
    Some(text)
}

/// Whether `journalctl` can be run here.
fn journalctl_exists() -> bool {
    Command::new("journalctl").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Appends the journal's entries since the last read.
fn poll_journal(s: &mut Sources) -> bool {
    if !*s.journalctl.get_or_insert_with(journalctl_exists) {
        return false;
    }
    let mut cmd = Command::new("journalctl");
    cmd.args(["-o", "json", "--no-pager", "-q"]);
    match &s.journal_cursor {
        Some(cursor) => cmd.arg(format!("--after-cursor={cursor}")),
        None => cmd.args(["-n", JOURNAL_FIRST]),
    };
    cmd.args(["_TRANSPORT=kernel", "_TRANSPORT=audit"]);
    let Ok(output) = cmd.output() else { return false };
    if !output.status.success() || output.stdout.is_empty() {
        return false;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let lines = text.lines().count();
    if let Some(cursor) = text
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?.get("__CURSOR")?.as_str().map(str::to_owned))
    {
        s.journal_cursor = Some(cursor);
    }
    let before = s.journal.len();
    let offset = s.journal_lines;
    s.journal.extend(aa_log::read_log(&text).entries.into_iter().map(|mut e| {
        e.line += offset;
        e
    }));
    s.journal_lines += lines;
    if s.journal.len() > MAX_ENTRIES {
        let extra = s.journal.len() - MAX_ENTRIES;
        s.journal.drain(..extra);
    }
    s.journal.len() != before
}

/// A log hint as LSP publishes it: information at the profile's header.
pub(crate) fn hint_diagnostic(hint: &LogHint, rope: &Rope, enc: Encoding) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: convert::range(rope, hint.range, enc),
        severity: Some(lsp::DiagnosticSeverity::INFORMATION),
        code: Some(lsp::NumberOrString::String(HINT_CODE.into())),
        source: Some("aa-lint".into()),
        message: hint.message.clone(),
        ..lsp::Diagnostic::default()
    }
}

/// The log file as the reader opens it: relative to the workspace folder.
pub(crate) fn resolve(settings: &SuggestSettings, working_dir: &Path) -> SuggestSettings {
    let abs = |p: &PathBuf| if p.is_absolute() { p.clone() } else { working_dir.join(p) };
    SuggestSettings {
        log_file: settings.log_file.as_ref().map(abs),
        journal: settings.journal,
        features_file: settings.features_file.as_ref().map(abs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree laid out as the kernel's `features/` reads as the
    /// features-file form, and the hints' features come from it when the
    /// setting names the directory.
    #[test]
    fn a_features_directory_reads_as_a_features_file() {
        let dir = std::env::temp_dir().join(format!("aa-lsp-features-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("file")).unwrap();
        std::fs::create_dir_all(dir.join("caps")).unwrap();
        std::fs::write(dir.join("file/mask"), "create read write\n").unwrap();
        std::fs::write(dir.join("caps/mask"), "chown net_raw\n").unwrap();
        std::fs::write(dir.join("dbus"), "yes\n").unwrap();
        let text = read_features_dir(&dir).unwrap();
        assert_eq!(text, "caps {mask {chown net_raw\n}\n}\ndbus {yes\n}\nfile {mask {create read write\n}\n}\n");
        assert_eq!(features_text(Some(&dir)), text);
        assert_eq!(features_text(Some(&dir.join("missing"))), "");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
