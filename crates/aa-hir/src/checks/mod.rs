//! Per-rule semantic checks on the syntax tree (placeholder: being written).

use aa_syntax::ast;

use crate::Diagnostic;

/// Every semantic error in one file, values taken literally.
pub fn check(_file: &ast::SourceFile) -> Vec<Diagnostic> {
    Vec::new()
}
