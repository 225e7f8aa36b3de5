//! The semantic layer: what a profile means once includes, variables and
//! conditionals are resolved, and everything `apparmor_parser` rejects after
//! parsing.

pub mod checks;
pub mod db;
pub mod includes;
mod diagnostic;

pub use diagnostic::{Diagnostic, Severity};
