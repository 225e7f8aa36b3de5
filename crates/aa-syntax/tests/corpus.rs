//! The parser against real policy: upstream's own parser test corpus and the
//! profiles Debian installs. Every accepted profile must parse without a
//! syntax error, and round-trip to the identical text.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

fn simple_tests_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("AA_SIMPLE_TESTS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/tst/simple_tests"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "\n!!! SKIPPED: upstream simple_tests not found at {} (set AA_SIMPLE_TESTS) !!!\n",
            dir.display()
        );
        None
    }
}

/// The `#=EXRESULT` and `#=DISABLED` header of an upstream test file.
pub struct Expectation {
    pub pass: bool,
    pub disabled: bool,
}

fn expectation(text: &str) -> Option<Expectation> {
    let mut pass = None;
    let mut disabled = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("#=EXRESULT") {
            pass = Some(rest.trim() == "PASS");
        }
        if line.starts_with("#=DISABLED") {
            disabled = true;
        }
    }
    Some(Expectation { pass: pass?, disabled })
}

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
    let mut files = Vec::new();
    walk(&dir, &mut files);
    let (mut pass_total, mut fail_total, mut fail_rejected) = (0, 0, 0);
    let mut wrongly_rejected = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "sd")) {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let Some(expect) = expectation(&text) else { continue };
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
    let roots = ["/etc/apparmor.d", "/usr/share/apparmor/extra-profiles"];
    let mut files = Vec::new();
    for root in roots {
        walk(Path::new(root), &mut files);
    }
    if files.is_empty() {
        eprintln!("\n!!! SKIPPED: no AppArmor policy installed (apt-get install apparmor apparmor-profiles apparmor-profiles-extra) !!!\n");
        return;
    }
    let mut failures = Vec::new();
    let mut parsed = 0;
    // `apparmor_parser` skips these when it loads a directory.
    // `abi/` holds feature files, not policy.
    files.retain(|p| {
        !p.ends_with("README") && !p.to_string_lossy().contains(".dpkg-") && !p.starts_with("/etc/apparmor.d/abi")
    });
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
