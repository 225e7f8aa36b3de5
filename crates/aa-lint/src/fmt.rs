//! `aa-lint fmt`: formats profiles with `aa-fmt`.
//!
//! Without `--check` or `--diff`, changed files are rewritten in place and
//! standard input (`-`) is formatted to standard output. `--check` exits 1
//! when a file would change; `--diff` prints the changes and writes nothing.

use std::path::PathBuf;

use clap::Args;

use crate::{
    Status, check::unified_diff, commands::process, discover::discover, emit::plural, output::Printer, source::Input,
};

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Write nothing; exit 1 when a file is not formatted.
    #[arg(long)]
    pub check: bool,
    /// Print the changes as a unified diff; write nothing (exit 1 when there
    /// are changes).
    #[arg(long)]
    pub diff: bool,
    /// Files or directories to format (`-` for standard input).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// The formatter. `Err` carries a message (`aa-fmt` refuses text that does
/// not parse).
fn format_text(text: &str) -> Result<String, String> {
    aa_fmt::format(text, &aa_fmt::FormatOptions::default()).map_err(|error| error.to_string())
}

pub fn run(args: &FmtArgs, printer: &mut Printer) -> Status {
    let inputs = discover(&args.paths);
    let results = process(&inputs, |source| {
        let formatted = format_text(&source.text);
        (source, formatted)
    });
    let mut status = Status::Clean;
    let (mut changed, mut unchanged) = (0usize, 0usize);
    for (input, result) in inputs.iter().zip(results) {
        let (source, formatted) = match result {
            Ok(pair) => pair,
            Err(message) => {
                printer.error(&message);
                status = Status::Failure;
                continue;
            }
        };
        let formatted = match formatted {
            Ok(formatted) => formatted,
            Err(message) => {
                printer.error(&format!("{}: {message}", source.name));
                status = Status::Failure;
                continue;
            }
        };
        let is_stdin = matches!(input, Ok(Input::Stdin));
        if formatted == source.text {
            unchanged += 1;
            if is_stdin && !args.check && !args.diff {
                printer.out(&formatted);
            }
            continue;
        }
        changed += 1;
        if args.diff {
            printer.out(&unified_diff(std::path::Path::new(&source.name), &source.text, &formatted));
            status = status.worst(Status::Findings);
        } else if args.check {
            printer.note(&format!("would reformat {}", source.name));
            status = status.worst(Status::Findings);
        } else if is_stdin {
            printer.out(&formatted);
        } else if let Ok(Input::File(path)) = input
            && let Err(error) = crate::write::write_atomic(path, formatted.as_bytes())
        {
            printer.error(&format!("{}: cannot write: {error}", path.display()));
            status = Status::Failure;
        }
    }
    let verb = if args.check || args.diff { "would be reformatted" } else { "reformatted" };
    if inputs.len() != 1 || !matches!(inputs[0], Ok(Input::Stdin)) || args.check || args.diff {
        printer.note(&format!("{} {verb}, {} already formatted", plural(changed, "file"), unchanged));
    }
    status
}
