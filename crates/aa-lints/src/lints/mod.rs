//! One module per group, one file per lint.

pub mod correctness;
pub mod parser;
pub mod security;
pub mod style;
