//! Syntax checks that are simpler on the finished tree than in the parser.

use crate::{SyntaxError, SyntaxNode};

pub(crate) fn validate(_root: &SyntaxNode, _errors: &mut Vec<SyntaxError>) {}
