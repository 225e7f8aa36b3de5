//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "aa-lint",
    version,
    about = "Check AppArmor profiles the way apparmor_parser reads them",
    after_help = "Exit status: 0 = clean, 1 = findings at the --fail-on severity (or files\n\
                  that `fmt --check` would change), 2 = could not run.\n\
                  A PATH of `-` reads standard input."
)]
pub struct Cli {
    /// When to colour the output. `auto` colours only when standard output is
    /// a terminal and the NO_COLOR environment variable is unset or empty.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the syntax tree and the syntax errors of each file.
    Parse {
        /// Files to parse (`-` for standard input).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Report problems in files and directories (directories are walked recursively).
    Check(Box<crate::check::CheckArgs>),
    /// Print a lint's documentation (by code or name), or list every lint.
    Explain {
        /// A lint code (`AA101`) or name (`overbroad-glob`).
        #[arg(value_name = "CODE_OR_NAME", required_unless_present = "list")]
        lint: Option<String>,
        /// List every lint: code, name, group, default level, fix.
        #[arg(long)]
        list: bool,
    },
    /// List every lint: code, name, group, default level and fix.
    Rules,
    /// Format profiles (`-` reads standard input and writes standard output).
    Fmt(crate::fmt::FmtArgs),
    /// Compile profiles into the DFAs apparmor_parser builds (dump them, or compare with apparmor_parser).
    Compile(crate::compile::CompileArgs),
    /// Show the permissions each profile grants at a path and the rules behind them.
    Query(crate::compile::QueryArgs),
    /// Show the label a task gets when it executes a program (each layer's rule, the profile that attaches, the reduced stack).
    Exec(crate::exec::ExecArgs),
    /// Show whether a task may change profile (change_profile, or stack with `&`) and the label it gets.
    ChangeProfile(crate::exec::ChangeProfileArgs),
    /// Draw the exec and change_profile transitions between profiles (Graphviz DOT or Mermaid).
    Graph(crate::graph::GraphArgs),
    /// Show permission changes between two versions of a policy file, with an example path each.
    Diff(crate::compile::DiffArgs),
    /// Suggest the narrowest rules the profiles lack for the events of an audit log (checked against the compiled policy, proved by recompiling).
    Suggest(Box<crate::suggest::SuggestArgs>),
    /// Run the language server over standard input and output.
    Lsp {
        /// Accepted for clients that add it; stdio is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
    },
}
