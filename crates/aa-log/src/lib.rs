//! Reads the kernel's AppArmor audit records from text, in the forms they
//! come in: auditd's `type=AVC`/`type=1400`/`type=APPARMOR_*` lines, syslog
//! and kern.log lines, `dmesg` lines, and `journalctl` output (the default
//! short form and `-o json`).
//!
//! [`read_record`] reads one message into the [`Record`] libapparmor 4.1
//! reads from it (the same fields, the same values, the same failures);
//! [`read_log`] reads a whole log: it keeps the AppArmor records, skips the
//! lines that are not AppArmor's, and reports each line it cannot read with
//! its line number, without stopping.
//!
//! No I/O: callers hand in the text (the CLI and the server read the files
//! and run `journalctl`).

mod grammar;
mod journal;
mod lexer;
mod record;

pub use grammar::{ReadError, read_record};
pub use record::{EventType, Record};

/// A record read from a log, with the line it came from (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub line: usize,
    pub record: Record,
}

/// A line that looks like an AppArmor record but could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters, into the line as it was given (for a journal
    /// JSON line, into its `MESSAGE`).
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// What [`read_log`] read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Log {
    /// The AppArmor records, in log order (every event type: ALLOWED,
    /// DENIED, AUDIT, STATUS, HINT, ERROR).
    pub entries: Vec<Entry>,
    pub errors: Vec<LineError>,
}

/// Whether a line is worth reading as an AppArmor record: it names
/// AppArmor (`apparmor=`, `type=APPARMOR...`) or one of its audit numbers.
/// Everything else in a log (other daemons, SELinux, auditd's SYSCALL and
/// PROCTITLE companions of an AVC record) is skipped without a word.
fn mentions_apparmor(line: &str) -> bool {
    line.contains("apparmor=")
        || line.contains("type=APPARMOR")
        || ["type=150", "UNKNOWN[150"].iter().any(|p| {
            line.match_indices(p)
                .any(|(i, _)| line.as_bytes().get(i + p.len()).is_some_and(|b| (b'1'..=b'6').contains(b)))
        })
}

/// Reads a log: one record per line, except journal JSON lines, which are
/// unwrapped first. A line that is not AppArmor's is skipped; one that is
/// but cannot be read is a [`LineError`], and reading goes on.
pub fn read_log(text: &str) -> Log {
    let mut log = Log::default();
    for (index, raw) in text.lines().enumerate() {
        let line_number = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with("-- ") {
            continue;
        }
        let message = if trimmed.starts_with('{') {
            match journal::json_line(trimmed) {
                Ok(Some(message)) => message,
                Ok(None) => continue,
                Err(error) => {
                    log.errors.push(LineError { line: line_number, column: 1, message: error });
                    continue;
                }
            }
        } else {
            journal::short_line(line)
        };
        if !mentions_apparmor(&message.text) {
            continue;
        }
        match read_record(&message.text) {
            (record, None) => log.entries.push(Entry { line: line_number, record }),
            (_, Some(error)) => log.errors.push(LineError {
                line: line_number,
                column: message.column(error.offset),
                message: error.message,
            }),
        }
    }
    log
}
