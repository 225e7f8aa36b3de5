//! The audit-log reader on arbitrary text: it never panics, every entry and
//! error points at a line of the input, and reading a record is
//! deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let log = aa_log::read_log(text);
    let lines = text.lines().count();
    for entry in &log.entries {
        assert!(entry.line >= 1 && entry.line <= lines);
        assert_ne!(entry.record.event, aa_log::EventType::Invalid);
    }
    for error in &log.errors {
        assert!(error.line >= 1 && error.line <= lines);
        assert!(error.column >= 1);
    }
    let (first, first_error) = aa_log::read_record(text);
    let (second, second_error) = aa_log::read_record(text);
    assert_eq!(first, second);
    assert_eq!(first_error, second_error);
    if let Some(error) = first_error {
        assert!(error.offset <= text.len());
        assert_eq!(first.event, aa_log::EventType::Invalid);
    }
});
