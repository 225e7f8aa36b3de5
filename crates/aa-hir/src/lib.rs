//! The semantic layer: what a profile means once includes, variables and
//! conditionals are resolved, and everything `apparmor_parser` rejects after
//! parsing.

pub mod checks;
pub mod db;
pub mod default_tunables;
pub mod diagnostics;
pub mod includes;
pub mod model;
pub mod variables;
mod diagnostic;

pub use diagnostic::{Diagnostic, Severity};
