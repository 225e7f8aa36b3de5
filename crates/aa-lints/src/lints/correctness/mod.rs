//! Rules that do not do what they seem to.

pub mod alias_relative_path;
pub mod allow_deny_conflict;
pub mod bad_directive;
pub mod cancelled_by_deny;
pub mod default_allow_flag;
pub mod duplicate_permission;
pub mod duplicate_rule;
pub mod duplicate_signal_name;
pub mod empty_profile;
pub mod file_rule_exec_conflict;
pub mod invalid_suppression;
pub mod missing_needed_variable;
pub mod missing_tunables_global;
pub mod pivot_root_trailing_slash;
pub mod regex_syntax_in_aare;
pub mod strict_with_broad_abstraction;
pub mod unused_suppression;
pub mod unused_variable;
