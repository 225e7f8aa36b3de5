//! Compiling the decoded workspace's profile for every target, encoding,
//! querying and diffing it: see `aa_fuzz_checks::compile`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aa_fuzz_checks::compile::check(data));
