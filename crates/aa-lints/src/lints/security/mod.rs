//! Least privilege: grants wider than a program needs.

pub mod dangerous_capability;
pub mod dbus_unscoped;
pub mod fallback_exec;
pub mod global_profile_escape;
pub mod growing_stack;
pub mod missing_strict_abstraction;
pub mod overbroad_glob;
pub mod pix_tagged_target;
pub mod prompt_never_asks;
pub mod unconfined_exec;
pub mod undefined_transition_target;
pub mod unscoped_ptrace_or_signal;
pub mod write_and_exec;
