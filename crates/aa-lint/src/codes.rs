//! The one table of diagnostic codes and the selectors that pick them.
//!
//! Every diagnostic the CLI can print has a stable code here. To add a check,
//! add a `Code` variant, give it a string and a group, and (if it is a new
//! group) a `Selector` variant.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A stable diagnostic code, printed as `error[E0001]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// The text does not follow AppArmor's grammar (what `apparmor_parser`
    /// reports as a syntax error).
    SyntaxError,
    /// Something else `apparmor_parser` rejects (or warns about) once the
    /// text has parsed: an unknown capability, a missing include, an
    /// undefined variable... Shown by its kebab-case name from `aa-hir`.
    Parser(&'static str),
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::SyntaxError => "E0001",
            Code::Parser(name) => name,
        }
    }

    /// The selector group that turns this code on.
    pub fn group(self) -> Selector {
        match self {
            Code::SyntaxError => Selector::Syntax,
            Code::Parser(_) => Selector::Parser,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name accepted by `--select`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Selector {
    All,
    /// Everything `apparmor_parser` rejects: syntax errors and the errors it
    /// finds after parsing, through includes and variables.
    Parser,
    /// Syntax errors only, file by file, without reading includes.
    Syntax,
}

impl Selector {
    pub const ALL: &'static [Selector] = &[Selector::All, Selector::Parser, Selector::Syntax];

    pub fn name(self) -> &'static str {
        match self {
            Selector::All => "all",
            Selector::Parser => "parser",
            Selector::Syntax => "syntax",
        }
    }

    pub fn from_name(name: &str) -> Option<Selector> {
        Selector::ALL
            .iter()
            .copied()
            .find(|selector| selector.name().eq_ignore_ascii_case(name))
    }
}

/// Whether a code is enabled by a list of selectors.
pub fn is_selected(selectors: &[Selector], code: Code) -> bool {
    selectors.iter().any(|&selector| {
        selector == Selector::All
            || selector == code.group()
            // Syntax errors are part of what apparmor_parser rejects.
            || (selector == Selector::Parser && code == Code::SyntaxError)
    })
}

/// Whether any selector asks for checks beyond syntax (which need includes).
pub fn needs_semantics(selectors: &[Selector]) -> bool {
    selectors.iter().any(|&selector| matches!(selector, Selector::All | Selector::Parser))
}

/// One problem found in one file. `range` is in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub range: aa_syntax::TextRange,
}
