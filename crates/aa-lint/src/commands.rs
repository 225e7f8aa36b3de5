//! The subcommands. Each reads its inputs in parallel (rayon) and prints the
//! results in the order the inputs were given.

use rayon::prelude::*;

use crate::Status;
use crate::cli::{Cli, Command};
use crate::codes::{Code, Diagnostic, Selector, Severity, is_selected, needs_semantics};
use crate::discover::discover;
use crate::output::{Printer, use_color};
use crate::render::{Styles, render};
use crate::source::{self, Input, LineIndex, SourceText};

pub fn run(args: Cli) -> Status {
    let styles = Styles {
        enabled: use_color(args.color),
    };
    if let Command::Lsp { .. } = args.command {
        // The server writes to standard output itself: no Printer may hold its lock.
        return lsp();
    }
    let mut printer = Printer::new();
    let status = match args.command {
        Command::Parse { files } => {
            let inputs: Vec<Result<Input, String>> =
                files.iter().map(|path| Ok(Input::from_arg(path))).collect();
            parse(&inputs, &mut printer)
        }
        Command::Check { select, include_dirs, base, config_file, paths } => {
            // A missing configuration file is normal (no AppArmor installed).
            let config = std::fs::read_to_string(&config_file)
                .map(|text| crate::parser_config::parse(&text))
                .unwrap_or_default();
            let search = SearchPaths {
                include_dirs: config.include_dirs.into_iter().chain(include_dirs).collect(),
                base: base.or(config.base).unwrap_or_else(|| "/etc/apparmor.d".into()),
            };
            check(&discover(&paths), &select, &search, styles, &mut printer)
        }
        // Handled before the printer takes the standard output lock.
        Command::Lsp { .. } => lsp(),
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
pub(crate) fn process<T: Send>(
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
            severity: Severity::Error,
            message: error.message.clone(),
            range: error.range,
        }));
    }
    out.sort_by_key(|diagnostic| (diagnostic.range.start(), diagnostic.range.end()));
    out
}

/// Where `include <...>` looks, as `apparmor_parser -I` and `--base`.
pub struct SearchPaths {
    pub include_dirs: Vec<std::path::PathBuf>,
    pub base: std::path::PathBuf,
}

/// One file's rendered findings and how many of them are errors.
pub(crate) struct Findings {
    rendered: Vec<String>,
    errors: usize,
    warnings: usize,
}

fn check(
    inputs: &[Result<Input, String>],
    selectors: &[Selector],
    search: &SearchPaths,
    styles: Styles,
    printer: &mut Printer,
) -> Status {
    let results: Vec<Result<Findings, String>> = if needs_semantics(selectors) {
        crate::semantic::check(inputs, selectors, search, styles)
    } else {
        process(inputs, |source| {
            let found = diagnostics(&source.text, selectors);
            let index = LineIndex::new(&source.text);
            let rendered: Vec<String> =
                found.iter().map(|diagnostic| render(&source.name, &index, diagnostic, styles)).collect();
            Findings { errors: rendered.len(), warnings: 0, rendered }
        })
    };
    report(results, styles, printer)
}

fn report(results: Vec<Result<Findings, String>>, styles: Styles, printer: &mut Printer) -> Status {
    let mut status = Status::Clean;
    let (mut checked, mut failed, mut files_with_errors, mut errors, mut warnings) = (0usize, 0, 0, 0, 0);
    for result in results {
        match result {
            Ok(findings) => {
                checked += 1;
                if findings.errors > 0 {
                    files_with_errors += 1;
                    errors += findings.errors;
                    status = status.worst(Status::Findings);
                }
                warnings += findings.warnings;
                for diagnostic in findings.rendered {
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
        styles.success(&format!("No errors found ({} checked).", plural(checked, "file")))
    } else {
        styles.error(&format!(
            "Found {} in {} ({} checked).",
            plural(errors, "error"),
            plural(files_with_errors, "file"),
            plural(checked, "file"),
        ))
    };
    if warnings > 0 {
        summary.push_str(&format!(" {}.", plural(warnings, "warning")));
    }
    if failed > 0 {
        summary.push_str(&format!(" {} could not be checked.", plural(failed, "path")));
    }
    printer.out(&summary);
    printer.out("\n");
    status
}

impl Findings {
    pub(crate) fn new(rendered: Vec<String>, errors: usize, warnings: usize) -> Findings {
        Findings { rendered, errors, warnings }
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `aa-lint lsp`: the language server over standard input and output.
fn lsp() -> Status {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => {
            runtime.block_on(aa_lsp::run_stdio());
            Status::Clean
        }
        Err(error) => {
            eprintln!("aa-lint: cannot start the language server: {error}");
            Status::Failure
        }
    }
}
