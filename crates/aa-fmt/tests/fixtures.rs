//! Data-driven tests: every `tests/fixtures/*.aa` is formatted and compared
//! with the `.formatted` file beside it (`UPDATE_EXPECT=1` rewrites them).
//! Each fixture is also checked for idempotence, comment survival and a
//! clean re-parse.

mod common;

use std::path::PathBuf;

use aa_fmt::{FormatOptions, format};

#[test]
fn fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "aa"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 5, "expected fixtures in {}", dir.display());
    let options = FormatOptions::default();
    for input in inputs {
        let text = std::fs::read_to_string(&input).expect("fixture is UTF-8");
        let actual = match format(&text, &options) {
            Ok(out) => {
                common::assert_guarantees(&text, &out, &options, &input.display().to_string());
                out
            }
            Err(error) => format!("error: {error}\n"),
        };
        expect_test::expect_file![input.with_extension("formatted")].assert_eq(&actual);
    }
}
