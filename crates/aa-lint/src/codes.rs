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
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
        }
    }
}

/// A stable diagnostic code, printed as `error[E0001]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// The text does not follow AppArmor's grammar (what `apparmor_parser`
    /// reports as a syntax error).
    SyntaxError,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::SyntaxError => "E0001",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::SyntaxError => Severity::Error,
        }
    }

    /// The selector group that turns this code on.
    pub fn group(self) -> Selector {
        match self {
            Code::SyntaxError => Selector::Syntax,
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
    Syntax,
}

impl Selector {
    pub const ALL: &'static [Selector] = &[Selector::All, Selector::Syntax];

    pub fn name(self) -> &'static str {
        match self {
            Selector::All => "all",
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
    selectors
        .iter()
        .any(|&selector| selector == Selector::All || selector == code.group())
}

/// One problem found in one file. `range` is in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    pub range: aa_syntax::TextRange,
}
