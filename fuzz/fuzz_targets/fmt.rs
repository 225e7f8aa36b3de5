//! The formatter on the decoded workspace's profile: idempotent, lossless,
//! and the compiled policy unchanged: see `aa_fuzz_checks::fmt`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aa_fuzz_checks::fmt::check(data));
