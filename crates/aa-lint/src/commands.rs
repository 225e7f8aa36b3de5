//! The subcommands. Each reads its inputs in parallel (rayon) and prints the
//! results in the order the inputs were given.

use rayon::prelude::*;

use crate::Status;
use crate::cli::{Cli, Command};
use crate::output::{Printer, use_color};
use crate::render::Styles;
use crate::source::{self, Input, SourceText};

pub fn run(args: Cli) -> Status {
    let styles = Styles { enabled: use_color(args.color) };
    if let Command::Lsp { .. } = args.command {
        // The server writes to standard output itself: no Printer may hold its lock.
        return lsp();
    }
    let mut printer = Printer::new();
    let status = match args.command {
        Command::Parse { files } => {
            let inputs: Vec<Result<Input, String>> = files.iter().map(|path| Ok(Input::from_arg(path))).collect();
            parse(&inputs, &mut printer)
        }
        Command::Check(check) => crate::check::run(&check, styles, &mut printer),
        Command::Explain { lint: Some(lint), list: false } => crate::explain::explain(&lint, &mut printer),
        Command::Explain { .. } | Command::Rules => crate::explain::rules(&mut printer),
        Command::Fmt(fmt) => crate::fmt::run(&fmt, &mut printer),
        // Handled before the printer takes the standard output lock.
        Command::Compile(args) => crate::compile::compile(&args, &mut printer),
        Command::Query(args) => crate::compile::query(&args, &mut printer),
        Command::Diff(args) => crate::compile::diff(&args, &mut printer),
        Command::Exec(args) => crate::exec::exec_command(&args, &mut printer),
        Command::ChangeProfile(args) => crate::exec::change_profile_command(&args, &mut printer),
        Command::Graph(args) => crate::graph::graph_command(&args, &mut printer),
        Command::Suggest(args) => crate::suggest::run(&args, &mut printer),
        Command::Lsp { .. } => lsp(),
    };
    printer.finish();
    status
}

/// Reads standard input once if any input asks for it.
fn read_stdin_if_needed(inputs: &[Result<Input, String>]) -> Option<Result<Vec<u8>, String>> {
    inputs.iter().any(|input| matches!(input, Ok(Input::Stdin))).then(source::read_stdin)
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
                    printer.out(&format!("{}==> {name} <==\n", if i > 0 { "\n" } else { "" }));
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

/// Stack of each language-server thread (virtual memory: only the pages
/// used are resident).
const LSP_STACK_SIZE: usize = 64 << 20;

/// `aa-lint lsp`: the language server over standard input and output.
fn lsp() -> Status {
    // Analysis runs on the runtime's blocking threads: give them (and the
    // workers) a large stack, so that a recursion no bound covers yet
    // cannot overflow (an overflow aborts the whole server, for every open
    // file). The bounds themselves are in the analysis (docs/fuzzing.md).
    match tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(LSP_STACK_SIZE).build() {
        Ok(runtime) => {
            runtime.block_on(aa_lsp::run_stdio());
            // The standard input reader may still be blocked in a read:
            // do not wait for it.
            runtime.shutdown_background();
            Status::Clean
        }
        Err(error) => {
            eprintln!("aa-lint: cannot start the language server: {error}");
            Status::Failure
        }
    }
}
