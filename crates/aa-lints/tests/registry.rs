//! The registry's invariants: unique stable codes and kebab-case names, code
//! ranges per group, documentation sections, parser codes in step with
//! `aa-hir`, selection and `explain`.

use std::collections::HashSet;

use aa_lints::{Group, Level, LintSelection, docs, explain, registry};

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for lint in registry::lints() {
        assert!(codes.insert(lint.code), "duplicate code {}", lint.code);
        assert!(names.insert(lint.name), "duplicate name {}", lint.name);
        assert!(
            lint.name
                .split('-')
                .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
            "{} is not kebab-case",
            lint.name
        );
        assert!(lint.code.len() == 5 && lint.code.starts_with("AA"), "{}", lint.code);
        let hundreds = match lint.group {
            Group::Parser => '0',
            Group::Security => '1',
            Group::Correctness => '2',
            Group::Style => '3',
            Group::Nursery => '4',
            Group::ApparmorD => '5',
        };
        assert_eq!(lint.code.as_bytes()[2] as char, hundreds, "{} is outside its group's range", lint.code);
        if matches!(lint.group, Group::Style | Group::Nursery | Group::ApparmorD) {
            assert_eq!(lint.default_level, Level::Allow, "{} should be off by default", lint.name);
        }
    }
}

#[test]
fn every_lint_has_the_documentation_sections_in_order() {
    for lint in registry::REGISTRY {
        let text = docs::doc_text(lint);
        let mut at = 0;
        for section in docs::SECTIONS {
            let found =
                text[at..].find(section).unwrap_or_else(|| panic!("{}: missing or misplaced `{section}`", lint.name));
            at += found + section.len();
        }
        let fix = text.split("## Fix").nth(1).unwrap_or("").trim_start().to_ascii_lowercase();
        let expected = lint.fix.name();
        assert!(fix.starts_with(expected), "{}: `## Fix` should start with `{expected}`, got {fix:?}", lint.name);
    }
}

/// Every code `aa-hir` reports has a `parser` group entry (read from its
/// sources, so a new code there fails here until it is registered).
#[test]
fn parser_group_covers_aa_hir_codes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../aa-hir/src");
    let mut sources = String::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
                sources.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut missing = Vec::new();
    for call in ["Diagnostic::error(", "Diagnostic::warning(", "self.error(file, "] {
        for part in sources.split(call).skip(1) {
            let part = part.trim_start();
            let Some(rest) = part.strip_prefix('"') else {
                continue;
            };
            let code = &rest[..rest.find('"').unwrap_or(0)];
            if registry::lint_by_code_or_name(code).is_none_or(|l| l.group != Group::Parser) {
                missing.push(code.to_string());
            }
        }
    }
    // Codes written on the line after the call.
    for line in sources.lines() {
        let t = line.trim();
        if let Some(code) = t.strip_prefix('"').and_then(|r| r.strip_suffix("\",")) {
            let kebab =
                code.contains('-') && code.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit());
            if kebab
                && !code.starts_with("make-")
                && code != "read-only"
                && registry::lint_by_code_or_name(code).is_none()
            {
                missing.push(code.to_string());
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "aa-hir codes without a parser-group entry: {missing:?}");
}

#[test]
fn explain_by_code_or_name() {
    let by_code = explain("AA101").unwrap();
    let by_name = explain("overbroad-glob").unwrap();
    assert_eq!(by_code, by_name);
    assert!(by_code.starts_with("# overbroad-glob (AA101)"));
    assert!(by_code.contains("## Why it matters"));
    assert!(explain("syntax-error").unwrap().contains("AA001"));
    assert_eq!(explain("no-such-lint"), None);
}

#[test]
fn selection_by_code_prefix_name_and_group() {
    let defaults = LintSelection::defaults();
    let overbroad = registry::lint_by_code_or_name("overbroad-glob").unwrap();
    let indentation = registry::lint_by_code_or_name("indentation").unwrap();
    assert!(defaults.is_enabled(overbroad));
    assert!(!defaults.is_enabled(indentation));

    let s = LintSelection::defaults().select("style").unwrap().ignore("AA1").unwrap();
    assert!(s.is_enabled(indentation));
    assert!(!s.is_enabled(overbroad));

    let s = LintSelection::none().set_level("overbroad-glob", Level::Error).unwrap();
    assert_eq!(s.level(overbroad), Level::Error);
    assert_eq!(s.severity(overbroad, aa_lints::Severity::Info), aa_lints::Severity::Error);
    assert!(LintSelection::defaults().select("no-such-thing").is_err());
    assert!(LintSelection::all().is_enabled(indentation));
}
