//! The parser against real policy: upstream's own parser test corpus and the
//! profiles Debian installs. Every accepted profile must parse without a
//! syntax error, and round-trip to the identical text.

use aa_test_utils::{Expectation, debian_policy_files, simple_tests_dir, walk};

fn describe_errors(parse: &aa_syntax::Parse, text: &str) -> String {
    parse
        .errors()
        .iter()
        .take(3)
        .map(|e| {
            let start = usize::from(e.range.start());
            let line = text[..start].matches('\n').count() + 1;
            format!("line {line}: {}", e.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn upstream_simple_tests() {
    let Some(dir) = simple_tests_dir() else { return };
    let files = walk(&dir);
    let (mut pass_total, mut fail_total, mut fail_rejected) = (0, 0, 0);
    let mut wrongly_rejected = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "sd")) {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let Some(expect) = Expectation::of(&text) else { continue };
        let parse = aa_syntax::parse(&text);
        assert_eq!(parse.syntax_node().to_string(), text, "round trip of {}", path.display());
        if expect.pass {
            pass_total += 1;
            if !parse.errors().is_empty() {
                wrongly_rejected.push(format!(
                    "{}: {}",
                    path.strip_prefix(&dir).unwrap().display(),
                    describe_errors(&parse, &text)
                ));
            }
        } else {
            fail_total += 1;
            if !parse.errors().is_empty() {
                fail_rejected += 1;
            }
        }
    }
    eprintln!(
        "simple_tests: {} of {pass_total} PASS files parse cleanly; \
         {fail_rejected} of {fail_total} FAIL files already have syntax errors",
        pass_total - wrongly_rejected.len()
    );
    assert!(pass_total > 1000, "expected the whole corpus, found {pass_total} PASS files");
    assert!(
        wrongly_rejected.is_empty(),
        "{} PASS files have syntax errors:\n{}",
        wrongly_rejected.len(),
        wrongly_rejected.join("\n")
    );
}

#[test]
fn debian_installed_policy() {
    let files = debian_policy_files();
    if files.is_empty() {
        return;
    }
    let mut failures = Vec::new();
    let mut parsed = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        parsed += 1;
        let parse = aa_syntax::parse(&text);
        assert_eq!(parse.syntax_node().to_string(), text, "round trip of {}", path.display());
        if !parse.errors().is_empty() {
            failures.push(format!("{}: {}", path.display(), describe_errors(&parse, &text)));
        }
    }
    eprintln!("installed policy: {} of {parsed} files parse cleanly", parsed - failures.len());
    assert!(failures.is_empty(), "{} files have syntax errors:\n{}", failures.len(), failures.join("\n"));
}
