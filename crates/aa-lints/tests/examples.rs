//! Every lint's documented examples are checked, as biome checks its rule
//! docs: each `## Example` block gives exactly one finding of that lint and
//! each `## Use instead` block none. The `Use instead` blocks must also load
//! (no `parser` group error). A block that declares no profile is a bare
//! rule list and is wrapped in `profile example /usr/bin/example { }`.

mod common;

use aa_lints::{LintSelection, Severity, docs, registry::REGISTRY};

fn wrap(block: &str) -> String {
    if block.contains('{')
        && aa_syntax::parse(block).syntax_node().descendants().any(|n| n.kind() == aa_syntax::SyntaxKind::PROFILE)
    {
        block.to_string()
    } else {
        let body: String = block.lines().map(|l| format!("  {l}\n")).collect();
        format!("profile example /usr/bin/example {{\n{body}}}\n")
    }
}

#[test]
fn bare_rule_lists_are_wrapped() {
    assert_eq!(wrap("/etc/x r,\n"), "profile example /usr/bin/example {\n  /etc/x r,\n}\n");
    assert_eq!(wrap("profile p {\n}\n"), "profile p {\n}\n");
}

#[test]
fn documented_examples_hold() {
    let mut failures = Vec::new();
    for lint in REGISTRY {
        let invalid = docs::examples(lint, false);
        let valid = docs::examples(lint, true);
        if invalid.is_empty() || valid.is_empty() {
            failures.push(format!("{}: needs an ```apparmor block under ## Example and ## Use instead", lint.name));
        }
        // Defaults too, so the suppression lints see the lints they name.
        let selection = LintSelection::defaults().select(lint.code).unwrap();
        for (text, want) in invalid.iter().map(|t| (t, 1)).chain(valid.iter().map(|t| (t, 0))) {
            let text = &wrap(text);
            let (db, root) = common::db_with(&[(common::ROOT, text)]);
            let found = aa_lints::run(&db, root, &selection);
            let mine: Vec<_> = found.iter().filter(|d| d.code == lint.code).collect();
            if mine.len() != want {
                failures.push(format!(
                    "{}: expected {want} finding(s), got {}:\n{text}{:#?}",
                    lint.name,
                    mine.len(),
                    common::summary(&db, root, &found)
                ));
            }
            if want == 0 {
                let parser = LintSelection::none().select("parser").unwrap();
                let errors: Vec<_> =
                    aa_lints::run(&db, root, &parser).into_iter().filter(|d| d.severity == Severity::Error).collect();
                if !errors.is_empty() {
                    failures.push(format!(
                        "{}: `Use instead` does not load:\n{text}{:#?}",
                        lint.name,
                        common::summary(&db, root, &errors)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
