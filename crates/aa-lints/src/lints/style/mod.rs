//! House style. Every style lint is off by default; enable the ones a
//! project follows (`--select style`, or by name).

pub mod bare_proc_wildcard;
pub mod directory_slash;
pub mod home_dot_file_exclusion;
pub mod indentation;
pub mod missing_abi;
pub mod missing_header_comment;
pub mod missing_local_include;
pub mod missing_vim_modeline;
pub mod permission_order;
pub mod prefer_tunables;
pub mod profile_name_mismatch;
pub mod tab_character;
pub mod trailing_whitespace;
