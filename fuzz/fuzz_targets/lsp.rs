//! The language server in-process, driven by a session of opens, edits,
//! requests, cancellations and closes decoded from the input: see
//! `aa_fuzz_checks::lsp`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aa_fuzz_checks::lsp::check(data));
