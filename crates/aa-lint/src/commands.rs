//! The subcommands. Each reads its inputs in parallel (rayon) and prints the
//! results in the order the inputs were given.

use rayon::prelude::*;

use crate::Status;
use crate::cli::{Cli, Command};
use crate::codes::{Code, Diagnostic, Selector, is_selected};
use crate::discover::discover;
use crate::output::{Printer, use_color};
use crate::render::{Styles, render};
use crate::source::{self, Input, LineIndex, SourceText};

pub fn run(args: Cli) -> Status {
    let styles = Styles {
        enabled: use_color(args.color),
    };
    let mut printer = Printer::new();
    let status = match args.command {
        Command::Parse { files } => {
            let inputs: Vec<Result<Input, String>> =
                files.iter().map(|path| Ok(Input::from_arg(path))).collect();
            parse(&inputs, &mut printer)
        }
        Command::Check { select, paths } => check(&discover(&paths), &select, styles, &mut printer),
        Command::Lsp { .. } => match tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => {
                runtime.block_on(aa_lsp::run_stdio());
                Status::Clean
            }
            Err(error) => {
                eprintln!("aa-lint: cannot start the language server: {error}");
                Status::Failure
            }
        },
    };
    printer.finish();
    status
}

/// Reads standard input once if any input asks for it.
fn read_stdin_if_needed(inputs: &[Result<Input, String>]) -> Option<Result<Vec<u8>, String>> {
    inputs
        .iter()
        .any(|input| matches!(input, Ok(Input::Stdin)))
        .then(source::read_stdin)
}

/// Loads every input in parallel, keeping the order.
fn process<T: Send>(
    inputs: &[Result<Input, String>],
    work: impl Fn(SourceText) -> T + Sync,
) -> Vec<Result<T, String>> {
    let stdin = read_stdin_if_needed(inputs);
    inputs
        .par_iter()
        .map(|input| {
            let input = input.as_ref().map_err(Clone::clone)?;
            source::load(input, stdin.as_ref()).map(&work)
        })
        .collect()
}

fn parse(inputs: &[Result<Input, String>], printer: &mut Printer) -> Status {
    let results = process(inputs, |source| {
        let parse = aa_syntax::parse(&source.text);
        (source.name, parse.debug_dump(), !parse.errors().is_empty())
    });
    let many = inputs.len() > 1;
    let mut status = Status::Clean;
    for (i, result) in results.into_iter().enumerate() {
        match result {
            Ok((name, dump, has_errors)) => {
                if many {
                    printer.out(&format!(
                        "{}==> {name} <==\n",
                        if i > 0 { "\n" } else { "" }
                    ));
                }
                printer.out(&dump);
                if has_errors {
                    status = status.worst(Status::Findings);
                }
            }
            Err(message) => {
                printer.error(&message);
                status = Status::Failure;
            }
        }
    }
    status
}

/// Every diagnostic the selected checks find in one text, sorted by position.
fn diagnostics(text: &str, selectors: &[Selector]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if is_selected(selectors, Code::SyntaxError) {
        let parse = aa_syntax::parse(text);
        out.extend(parse.errors().iter().map(|error| Diagnostic {
            code: Code::SyntaxError,
            message: error.message.clone(),
            range: error.range,
        }));
    }
    out.sort_by_key(|diagnostic| (diagnostic.range.start(), diagnostic.range.end()));
    out
}

fn check(
    inputs: &[Result<Input, String>],
    selectors: &[Selector],
    styles: Styles,
    printer: &mut Printer,
) -> Status {
    let results = process(inputs, |source| {
        let found = diagnostics(&source.text, selectors);
        if found.is_empty() {
            return Vec::new();
        }
        let index = LineIndex::new(&source.text);
        found
            .iter()
            .map(|diagnostic| render(&source.name, &index, diagnostic, styles))
            .collect()
    });

    let mut status = Status::Clean;
    let (mut checked, mut failed, mut files_with_errors, mut errors) = (0usize, 0, 0, 0);
    for result in results {
        match result {
            Ok(rendered) => {
                checked += 1;
                if !rendered.is_empty() {
                    files_with_errors += 1;
                    errors += rendered.len();
                    status = status.worst(Status::Findings);
                }
                for diagnostic in rendered {
                    printer.out(&diagnostic);
                    printer.out("\n");
                }
            }
            Err(message) => {
                failed += 1;
                printer.error(&message);
                status = Status::Failure;
            }
        }
    }

    if checked == 0 && failed == 0 {
        printer.warning("no files to check");
    }
    let mut summary = if errors == 0 {
        styles.success(&format!(
            "No errors found ({} checked).",
            plural(checked, "file")
        ))
    } else {
        styles.error(&format!(
            "Found {} in {} ({} checked).",
            plural(errors, "error"),
            plural(files_with_errors, "file"),
            plural(checked, "file"),
        ))
    };
    if failed > 0 {
        summary.push_str(&format!(
            " {} could not be checked.",
            plural(failed, "path")
        ));
    }
    printer.out(&summary);
    printer.out("\n");
    status
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
