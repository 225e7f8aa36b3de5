//! The semantic model and every lint over a workspace decoded from the
//! input (a profile, three files it may include, tunables; parts split at
//! U+001E): see `aa_fuzz_checks::model`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aa_fuzz_checks::model::check(data));
