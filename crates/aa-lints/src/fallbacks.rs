//! The words of the one note per run that says what of the standard policy
//! came from aa-lint rather than the machine ([`aa_hir::fallbacks`]), so that
//! the command line and the language server say the same thing.

use aa_hir::fallbacks::Fallbacks;

/// One line per kind of fallback used, without a `note:` prefix.
pub fn fallback_notes(fallbacks: &Fallbacks) -> Vec<String> {
    let mut notes = Vec::new();
    if fallbacks.builtin_tunables {
        notes.push(
            "no `tunables` directory in the include path; using aa-lint's built-in standard tunables".to_string(),
        );
    }
    if !fallbacks.embedded_abis.is_empty() {
        let names: Vec<String> = fallbacks.embedded_abis.iter().map(|name| format!("`{name}`")).collect();
        notes.push(format!(
            "no features file for abi {} in the include path; using the standard features built into aa-lint",
            names.join(", ")
        ));
    }
    if !fallbacks.unseen_abstractions.is_empty() {
        let names: Vec<String> = fallbacks.unseen_abstractions.iter().map(|name| format!("<{name}>")).collect();
        notes.push(format!(
            "no `abstractions` directory in the include path; the standard abstractions {} were not available: \
             their rules are not checked, and the lints that read them could not see them ({})",
            names.join(", "),
            BLIND_WITHOUT_ABSTRACTIONS.join(", ")
        ));
    }
    notes
}

/// Lints whose answer depends on what included abstractions contain, with
/// what each does when a standard one was not available.
const BLIND_WITHOUT_ABSTRACTIONS: &[&str] = &[
    // It would report a profile whose only rules come from them: skipped.
    "empty-profile: skipped",
    // The `-strict` sibling is looked up on the search path: none found.
    "missing-strict-abstraction: no strict sibling to suggest",
    // The `NEEDS-VARIABLE` headers are in the included files.
    "missing-needed-variable: no headers to read",
];
