//! The semantic layer: what a profile means once includes, variables and
//! conditionals are resolved, and everything `apparmor_parser` rejects after
//! parsing.

pub mod checks;
pub mod db;
pub mod default_abi;
pub mod default_tunables;
mod diagnostic;
pub mod diagnostics;
pub mod directives;
pub mod fallbacks;
pub mod includes;
pub mod model;
pub mod policy_names;
pub mod standard_abstractions;
pub mod variables;

pub use diagnostic::{Diagnostic, Severity};

/// How many roots' per-root results (`policy_model`, `variables`,
/// `include_closure`, `policy_diagnostics`) salsa keeps once it evicts
/// (`lru = 128` on each; a literal there). What is shared between roots
/// (parses, fragments of included files) is not evicted.
pub const ROOT_MEMO_CAPACITY: usize = 128;
