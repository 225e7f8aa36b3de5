//! The semantic layer: what a profile means once includes, variables and
//! conditionals are resolved, and everything `apparmor_parser` rejects after
//! parsing.

pub mod checks;
pub mod db;
pub mod default_tunables;
mod diagnostic;
pub mod diagnostics;
pub mod directives;
pub mod includes;
pub mod model;
pub mod variables;

pub use diagnostic::{Diagnostic, Severity};
