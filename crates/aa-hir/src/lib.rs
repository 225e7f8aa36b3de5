//! The semantic layer: what a profile means once includes, variables and
//! conditionals are resolved, and everything `apparmor_parser` rejects after
//! parsing.

pub mod checks;
mod diagnostic;

pub use diagnostic::{Diagnostic, Severity};
