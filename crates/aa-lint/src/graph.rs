//! `aa-lint graph`: the exec and change_profile transitions of a policy as
//! Graphviz DOT or Mermaid (`aa_ide::transitions`).

use std::path::PathBuf;

use aa_compile::stack::StackPolicy;
use aa_ide::transitions::TransitionGraph;
use clap::{Args, ValueEnum};

use crate::Status;
use crate::compile::{PolicyArgs, features};
use crate::exec::{policy_database, policy_roots};
use crate::output::Printer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz (`aa-lint graph ... | dot -Tsvg > graph.svg`).
    Dot,
    /// A Mermaid flowchart (for a README or a review).
    Mermaid,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Only the transitions into and out of this profile.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Policy files or directories (directories: every file in them, as
    /// `apparmor_parser` loads a directory).
    #[arg(required = true, value_name = "POLICY")]
    pub paths: Vec<PathBuf>,
}

pub fn graph_command(args: &GraphArgs, printer: &mut Printer) -> Status {
    let db = policy_database(&args.policy, &args.paths);
    let setup = features(&args.policy).and_then(|(feats, _)| Ok((feats, policy_roots(&db, &args.paths)?)));
    let (feats, roots) = match setup {
        Ok(x) => x,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let policy = StackPolicy::new(&db, &roots, aa_compile::options(feats));
    let mut graph = TransitionGraph::build(&policy);
    if let Some(name) = &args.profile {
        match graph.around(name) {
            Some(g) => graph = g,
            None => {
                printer.error(&format!("the policy does not define a profile `{name}`"));
                return Status::Failure;
            }
        }
    }
    printer.out(&match args.format {
        GraphFormat::Dot => graph.to_dot(),
        GraphFormat::Mermaid => graph.to_mermaid(),
    });
    Status::Clean
}
