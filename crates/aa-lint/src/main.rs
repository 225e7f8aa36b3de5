//! `aa-lint`: the command-line front end.
//!
//! This binary is deliberately thin: it finds files, reads them, hands the
//! text to the core crates and prints what they report. It is one of the two
//! crates allowed to touch the OS (the other is the language server).
//!
//! Exit status: 0 when everything checked is clean, 1 when findings at the
//! `--fail-on` severity were reported (or `fmt --check` found files to
//! change), 2 when something could not be run at all (bad arguments, a bad
//! aa-lint.toml, a path that cannot be read, a file that is not UTF-8).

mod check;
mod cli;
mod commands;
mod compile;
mod discover;
mod emit;
mod exec;
mod explain;
mod fmt;
mod graph;
mod lint;
mod output;
mod render;
mod source;
mod suggest;
mod target;
mod write;

use std::process::ExitCode;

use clap::Parser as _;

#[global_allocator]
static ALLOCATOR: aa_alloc::MiMalloc = aa_alloc::MiMalloc;

/// How a run ended; the numeric values are the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Clean = 0,
    Findings = 1,
    Failure = 2,
}

impl Status {
    pub fn worst(self, other: Status) -> Status {
        self.max(other)
    }
}

fn main() -> ExitCode {
    aa_alloc::configure();
    let args = cli::Cli::parse();
    let status = commands::run(args);
    ExitCode::from(status as u8)
}
