//! `aa-dfa`: AppArmor rules as automata, the way `apparmor_parser` and the
//! kernel see them.
//!
//! The crate has four jobs:
//! 1. **Decode** `apparmor_parser`'s binary policy (what it loads into the
//!    kernel, or prints with `-S`) into profiles and DFAs we can walk;
//! 2. **Compile** AppArmor rules into a DFA ourselves (glob → regex → DFA);
//! 3. **Compare** the two, state by state, to find where they differ;
//! 4. **Encode** compiled profiles into the binary policy, laid out and
//!    packed as 3.0.8 does ([`encode`]).
//!
//! Decoding, bottom up:
//!
//! ```text
//! bytes ──wire::tokenize──▶ [Token] ──Policy::decode──▶ Policy { Profile* }
//!                                           │
//!                     each "aadfa" blob ──TableSet::decode──▶ TableSet
//!                                                             │ walk / step
//!                                         accept entries ──perms──▶ KernelPerms
//! ```
//!
//! Compiling and comparing:
//!
//! ```text
//! FileRule ──file_rules_to_rules──▶ Rule { Regex, RulePerms }
//!    (filter_slashes, glob::glob_to_regex_text, regex::parse, link pairs)
//! [Rule] ──Dfa::build──▶ Dfa (subset construction, StatePerms::fold, minimize)
//! Dfa, TableSet ──equiv::find_difference──▶ shortest differing input, if any
//! ```
//!
//! Invariants:
//! - Decoding never panics. Every malformed input yields a [`DecodeError`]
//!   with the absolute byte offset of the problem.
//! - A [`TableSet`] that decoded successfully has been validated: walking it
//!   with any input stays in bounds and terminates.
//! - Permissions are reported as the kernel computes them from the tables
//!   ([`perms`]), not as the profile language spells them; raw accept words
//!   stay available on [`TableSet`] for anyone who needs the packed form.
//! - Our [`Dfa`] numbers states like the parser (0 dead, 1 start), and its
//!   accept words use the parser's packed encoding, so an equivalent policy
//!   gives identical words state for state; after minimization the state
//!   counts match too (both minimize on the accept words).
//! - The library does no I/O; only tests run `apparmor_parser`.
//!
//! The installed oracle is `apparmor_parser` 3.0.8, whose output uses the
//! packed ("old") accept encoding; the 4.1+ permission tables are decoded
//! structurally (see [`PermsTable`]) but have no oracle here.

pub mod accept;
pub mod classes;
pub mod dfa;
pub mod encode;
pub mod equiv;
pub mod error;
pub mod features;
pub mod fieldwise;
pub mod file_rules;
pub mod glob;
pub mod perms;
pub mod policy;
pub mod profile;
pub mod query;
pub mod regex;
pub mod tables;
pub mod walk;
pub mod wire;

pub use aa_target::{Target, Version};
pub use dfa::{BuildOptions, CompileError, Dfa, LimitExceeded, Limits, Rule, RulePerms, StatePerms};
pub use encode::{EncodeOptions, encode_dfa, encode_policy};
pub use equiv::{Automaton, Difference, find_difference};
pub use error::{DecodeError, DecodeErrorKind};
pub use features::Features;
pub use file_rules::{FileRule, LinkRule, file_rules_to_rules};
pub use perms::{KernelPerms, Owner};
pub use policy::{DecodedDfa, DfaKind, PermsTable, Policy, Profile};
pub use profile::{CompileOptions, CompiledProfile, ProfileError, ProfileInput, compile_profile};
pub use tables::TableSet;
pub use walk::{DEAD_STATE, START_STATE};
