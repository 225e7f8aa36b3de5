//! Data-driven parser tests: every `fixtures/parser/{ok,err,inline}/*.aa`
//! file is parsed and its dump compared with the `.rast` file beside it.
//! `ok/` inputs must parse without errors, `err/` inputs must have some;
//! `inline/` holds the examples written as `// test name` comments in the
//! grammar (extracted by the `inline_tests_are_extracted` test).
//! Set `UPDATE_EXPECT=1` to rewrite the dumps.

use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/parser")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|entries| entries.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "aa"));
    files.sort();
    files
}

fn check_dir(name: &str, expect_errors: Option<bool>) -> usize {
    let dir = fixtures_dir().join(name);
    let files = inputs(&dir);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let parse = aa_syntax::parse(&text);
        assert_eq!(parse.syntax_node().to_string(), text, "round trip of {}", path.display());
        match expect_errors {
            Some(false) => assert!(
                parse.errors().is_empty(),
                "{} should parse without errors:\n{}",
                path.display(),
                parse.debug_dump()
            ),
            Some(true) => assert!(!parse.errors().is_empty(), "{} should have errors", path.display()),
            None => {}
        }
        expect_test::expect_file![path.with_extension("rast")].assert_eq(&parse.debug_dump());
    }
    files.len()
}

#[test]
fn ok() {
    assert!(check_dir("ok", Some(false)) > 0);
}

#[test]
fn err() {
    assert!(check_dir("err", Some(true)) > 0);
}

#[test]
fn inline() {
    assert!(check_dir("inline", None) > 0);
}

/// Keeps `fixtures/parser/inline/` in step with the `// test name` comments
/// in `src/grammar/`: each comment block becomes `inline/name.aa`.
#[test]
fn inline_tests_are_extracted() {
    let grammar = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/grammar");
    let mut expected = std::collections::BTreeMap::new();
    for path in inputs_with_ext(&grammar, "rs") {
        let source = std::fs::read_to_string(&path).unwrap();
        let mut lines = source.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(name) = line.trim().strip_prefix("// test ") else { continue };
            let mut body = String::new();
            while let Some(next) = lines.peek() {
                let Some(code) = next.trim().strip_prefix("//") else { break };
                body.push_str(code.strip_prefix(' ').unwrap_or(code));
                body.push('\n');
                lines.next();
            }
            assert!(expected.insert(name.to_string(), body).is_none(), "duplicate inline test {name}");
        }
    }
    let dir = fixtures_dir().join("inline");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    for (name, body) in &expected {
        let path = dir.join(format!("{name}.aa"));
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != *body {
            assert!(update, "inline test {name} is stale; run with UPDATE_EXPECT=1");
            std::fs::write(&path, body).unwrap();
        }
    }
    for path in inputs(&dir) {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(expected.contains_key(&name), "{} has no `// test {name}` comment", path.display());
    }
}

fn inputs_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|entries| entries.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == ext));
    files.sort();
    files
}
