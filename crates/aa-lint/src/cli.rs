//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::codes::Selector;

#[derive(Debug, Parser)]
#[command(
    name = "aa-lint",
    version,
    about = "Check AppArmor profiles the way apparmor_parser reads them",
    after_help = "Exit status: 0 = clean, 1 = problems found, 2 = could not run.\n\
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
    Check {
        /// Comma-separated groups of checks to run: `parser` (everything
        /// apparmor_parser rejects, through includes and variables), `syntax`
        /// (syntax errors only, file by file) or `all`.
        #[arg(
            long,
            value_name = "SELECTORS",
            value_delimiter = ',',
            default_value = "all",
            value_parser = parse_selector
        )]
        select: Vec<Selector>,
        /// Search DIR for `include <...>` before the base directory, as
        /// `apparmor_parser -I` (repeatable).
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include_dirs: Vec<PathBuf>,
        /// The base directory of the policy, searched last for `include <...>`,
        /// as `apparmor_parser --base` (default: /etc/apparmor.d).
        #[arg(short = 'b', long = "base", value_name = "DIR")]
        base: Option<PathBuf>,
        /// apparmor_parser's configuration file, whose `Include` and `base`
        /// lines apply before the command line (`/dev/null` for none).
        #[arg(long = "config-file", value_name = "FILE", default_value = "/etc/apparmor/parser.conf")]
        config_file: PathBuf,
        /// Files or directories to check (`-` for standard input).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Run the language server over standard input and output.
    Lsp {
        /// Accepted for clients that add it; stdio is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
    },
}

fn parse_selector(text: &str) -> Result<Selector, String> {
    Selector::from_name(text.trim()).ok_or_else(|| {
        let known: Vec<&str> = Selector::ALL
            .iter()
            .map(|selector| selector.name())
            .collect();
        format!("unknown selector `{text}` (known: {})", known.join(", "))
    })
}
