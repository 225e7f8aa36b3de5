//! libapparmor's own log-parsing cases (`libraries/libapparmor/testsuite/
//! test_multi/`, read in place from the shared corpus): every `.in` record
//! is read and printed in the `.out` format of libapparmor's test harness,
//! which must match the `.out` libapparmor produced. The cases libapparmor
//! reads as invalid must also give an error.

use std::path::{Path, PathBuf};

fn cases_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("AA_LOG_TEST_MULTI")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/upstream/logs/test_multi"));
    dir.is_dir().then_some(dir)
}

/// The harness reads at most 1023 bytes of a case.
fn read_case(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read the case");
    String::from_utf8_lossy(&bytes[..bytes.len().min(1023)]).into_owned()
}

#[test]
fn every_test_multi_case_reads_as_libapparmor_reads_it() {
    let Some(dir) = cases_dir() else {
        assert!(std::env::var_os("CI").is_none(), "the test_multi cases are required under CI");
        eprintln!("SKIPPED: no test_multi cases (set AA_LOG_TEST_MULTI)");
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".in").map(str::to_owned))
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for name in &names {
        let input = read_case(&dir.join(format!("{name}.in")));
        let expected = std::fs::read_to_string(dir.join(format!("{name}.out"))).unwrap();
        let (record, error) = aa_log::read_record(&input);
        let actual = format!("START\nFile: {name}.in\n{}", record.libapparmor_dump());
        if actual.trim_end() != expected.trim_end() {
            failures.push(format!("{name}:\n--- expected\n{expected}\n--- actual\n{actual}"));
            continue;
        }
        let invalid = expected.contains("Event type: AA_RECORD_INVALID");
        if invalid != error.is_some() {
            failures.push(format!("{name}: invalid={invalid} but error={error:?}"));
        }
    }
    assert_eq!(names.len(), 179, "the corpus has 179 cases");
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), names.len(), failures.join("\n"));
}
