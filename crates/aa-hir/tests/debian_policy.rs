//! The semantic checks against the policy Debian installs: all of it loads,
//! so no check may report an error on it.

use aa_hir::Severity;

#[test]
fn debian_installed_policy_has_no_errors() {
    let files = aa_test_utils::debian_policy_files();
    if files.is_empty() {
        return;
    }
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let parse = aa_syntax::parse(&text);
        for d in aa_hir::checks::check(&parse.tree()) {
            if d.severity == Severity::Error {
                let line = text[..usize::from(d.range.start()).min(text.len())].matches('\n').count() + 1;
                failures.push(format!("{}:{line}: {}: {}", path.display(), d.code, d.message));
            }
        }
    }
    eprintln!("installed policy: {} files checked, {} errors", files.len(), failures.len());
    assert!(failures.is_empty(), "{} errors on installed policy:\n{}", failures.len(), failures.join("\n"));
}
