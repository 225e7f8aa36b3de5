//! Writing to standard output and standard error without panicking.
//!
//! `println!` panics when the reader goes away (`aa-lint parse f | head`).
//! These helpers stop writing instead.

use std::io::{self, IsTerminal as _, Write as _};

use crate::cli::ColorChoice;

pub struct Printer {
    stdout: io::StdoutLock<'static>,
    stdout_closed: bool,
}

impl Printer {
    pub fn new() -> Printer {
        Printer { stdout: io::stdout().lock(), stdout_closed: false }
    }

    /// Writes `text` to standard output; ignored once the reader has gone.
    pub fn out(&mut self, text: &str) {
        if !self.stdout_closed && self.stdout.write_all(text.as_bytes()).is_err() {
            self.stdout_closed = true;
        }
    }

    /// Writes one line to standard error, prefixed with the program name.
    pub fn error(&mut self, message: &str) {
        let _ = self.stdout.flush();
        let _ = writeln!(io::stderr().lock(), "aa-lint: error: {message}");
    }

    pub fn warning(&mut self, message: &str) {
        let _ = self.stdout.flush();
        let _ = writeln!(io::stderr().lock(), "aa-lint: warning: {message}");
    }

    /// Writes one line to standard error as it is.
    pub fn note(&mut self, message: &str) {
        let _ = self.stdout.flush();
        let _ = writeln!(io::stderr().lock(), "{message}");
    }

    pub fn finish(mut self) {
        let _ = self.stdout.flush();
    }
}

/// Whether to colour standard output.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
            !no_color && io::stdout().is_terminal()
        }
    }
}
