//! Which of apparmor.d's builds a finding's line is in. Without
//! `--target-distribution` the model holds the rules common to every build,
//! but what the parser rejects is found on the whole file, so a finding in
//! an `#aa:only` / `#aa:exclude` block is reported once, saying which builds
//! the line reaches (a broken line that only the openSUSE build keeps breaks
//! only that build).

use aa_hir::{
    db::Db,
    directives::{BUILDS, builds_keeping},
};

use crate::LintDiagnostic;

/// Adds to each finding inside a build filter's block the builds that keep
/// it.
pub(crate) fn note_builds(db: &dyn Db, findings: &mut [LintDiagnostic]) {
    for d in findings {
        if aa_hir::directives::file_directives(db, d.file).directives.is_empty() {
            continue;
        }
        let builds = builds_keeping(db, d.file, d.range.start());
        let scope = match builds.as_slice() {
            all if all.len() == BUILDS.len() => continue,
            [] => " (a line no build keeps)".to_string(),
            [one] => format!(" (a line only the {one} build keeps)"),
            some => format!(" (a line only the {} builds keep)", some.join(", ")),
        };
        d.message.push_str(&scope);
    }
}
