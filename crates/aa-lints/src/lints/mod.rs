//! One module per group, one file per lint.

pub mod apparmor_d;
pub mod correctness;
pub mod nursery;
pub mod parser;
pub mod security;
pub mod style;
