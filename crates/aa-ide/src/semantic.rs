//! Semantic tokens (what each word is, for colouring) and inlay hints.

use std::path::Path;

use aa_hir::db::Db;
use aa_syntax::{
    SyntaxKind::*,
    SyntaxNode, TextRange, TextSize,
    ast::{self, AstNode},
};

use crate::{docs, util};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SemanticTokenKind {
    Keyword,
    Comment,
    String,
    Variable,
    /// A profile or hat name, where it is declared or named in a transition.
    Profile,
    Path,
    Permission,
    /// A condition name (`peer`, `bus`) or flag.
    Property,
    /// A capability, network family, signal or other enumerated value.
    EnumMember,
    Operator,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SemanticToken {
    pub range: TextRange,
    pub kind: SemanticTokenKind,
    /// Declaration of a profile or variable.
    pub declaration: bool,
}

pub(crate) fn semantic_tokens(db: &dyn Db, path: &Path, range: Option<TextRange>) -> Vec<SemanticToken> {
    let root = util::parse(db, path).syntax_node();
    let mut out = Vec::new();
    for token in root.descendants_with_tokens().filter_map(|e| e.into_token()) {
        let r = token.text_range();
        if range.is_some_and(|range| range.intersect(r).is_none()) {
            continue;
        }
        let parent = token.parent();
        let pkind = parent.as_ref().map(SyntaxNode::kind);
        let in_kind = |k| token.parent_ancestors().any(|n| n.kind() == k);
        let kind = match token.kind() {
            COMMENT => SemanticTokenKind::Comment,
            STRING => SemanticTokenKind::String,
            VARIABLE | BOOL_VARIABLE => SemanticTokenKind::Variable,
            ARROW | EQ | PLUS_EQ | QUESTION_EQ | COLON_EQ | LT_EQ | GT_EQ | EQ_EQ | BANG_EQ => {
                SemanticTokenKind::Operator
            }
            k if k.is_keyword() => SemanticTokenKind::Keyword,
            HASH_INCLUDE => SemanticTokenKind::Keyword,
            WORD => {
                if in_kind(PROFILE_NAME) || in_kind(TARGET) {
                    SemanticTokenKind::Profile
                } else if pkind == Some(PERMS) || pkind == Some(ACCESS) {
                    SemanticTokenKind::Permission
                } else if in_kind(FLAG)
                    || (pkind == Some(CONDITION)
                        && parent.as_ref().and_then(|p| p.first_token()).as_ref() == Some(&token))
                {
                    // A flag, or a condition's key (`peer` in `peer=x`).
                    SemanticTokenKind::Property
                } else if in_kind(INCLUDE_TARGET) || token.text().starts_with('/') {
                    SemanticTokenKind::Path
                } else if matches!(pkind, Some(CAPABILITY_RULE | NETWORK_RULE))
                    || (in_kind(CONDITION) && in_kind(SIGNAL_RULE))
                {
                    SemanticTokenKind::EnumMember
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        let declaration = match kind {
            SemanticTokenKind::Profile => in_kind(PROFILE_NAME),
            SemanticTokenKind::Variable => {
                pkind.is_some_and(|k| matches!(k, VARIABLE_DEF | BOOL_DEF))
                    && parent.as_ref().and_then(|p| p.first_token()).as_ref() == Some(&token)
            }
            _ => false,
        };
        out.push(SemanticToken { range: r, kind, declaration });
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InlayHint {
    /// Where the hint is shown (after the text it explains).
    pub offset: TextSize,
    pub label: String,
    /// Hover text for the hint, Markdown.
    pub tooltip: Option<String>,
}

/// Variable values after their uses, exec modes spelled out, and the
/// profile name after a long profile's closing brace.
pub(crate) fn inlay_hints(db: &dyn Db, path: &Path, range: Option<TextRange>) -> Vec<InlayHint> {
    let root = util::parse(db, path).syntax_node();
    let mut out = Vec::new();
    let vars = aa_hir::variables::variables(db, db.file(path));
    // The value as apparmor_parser expands it (`{a,b}` for several values).
    let value_of = |name: &str| -> Option<String> {
        vars.sets.contains_key(name).then(|| vars.expand(&format!("@{{{name}}}"), &|_| None).ok()).flatten()
    };
    let wanted = |r: TextRange| range.is_none_or(|range| range.intersect(r).is_some());
    for token in root.descendants_with_tokens().filter_map(|e| e.into_token()) {
        if !wanted(token.text_range()) {
            continue;
        }
        if token.kind() == VARIABLE {
            let is_def = token.parent().is_some_and(|p| p.kind() == VARIABLE_DEF);
            if is_def {
                continue;
            }
            if let Some(value) = value_of(&util::variable_name(token.text())) {
                out.push(InlayHint {
                    offset: token.text_range().end(),
                    label: format!("= {}", util::shorten(&value, 30)),
                    tooltip: Some(format!("`{}` expands to `{}`", token.text(), util::shorten(&value, 300))),
                });
            }
        }
        if token.kind() == WORD && token.parent().is_some_and(|p| p.kind() == PERMS) {
            let mode = docs::EXEC_MODES.iter().filter(|(m, _)| token.text().ends_with(m)).max_by_key(|(m, _)| m.len());
            if let Some((m, d)) = mode {
                let short = d.split(':').next().unwrap_or(d).split(',').next().unwrap_or(d);
                out.push(InlayHint {
                    offset: token.text_range().end(),
                    label: short.to_string(),
                    tooltip: Some(format!("`{m}`: {d}")),
                });
            }
        }
    }
    for profile in root.descendants().filter_map(ast::Profile::cast) {
        let Some(body) = profile.body() else { continue };
        let Some(close) = body.syntax().last_token().filter(|t| t.kind() == R_CURLY) else { continue };
        let lines = body.syntax().text().to_string().matches('\n').count();
        if lines >= 10
            && wanted(close.text_range())
            && let Some((name, _)) = util::profile_name(&profile)
        {
            out.push(InlayHint {
                offset: close.text_range().end(),
                label: format!("{} {name}", if profile.is_hat() { "hat" } else { "profile" }),
                tooltip: None,
            });
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}
