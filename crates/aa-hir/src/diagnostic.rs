use aa_syntax::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A finding about a file: `apparmor_parser` would reject the policy
/// (`Severity::Error`) or would accept it with a warning.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Stable kebab-case name, e.g. `unknown-capability`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub range: TextRange,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, range: TextRange) -> Diagnostic {
        Diagnostic { code, severity: Severity::Error, message: message.into(), range }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, range: TextRange) -> Diagnostic {
        Diagnostic { code, severity: Severity::Warning, message: message.into(), range }
    }
}
