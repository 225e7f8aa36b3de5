//! `change_profile` rules: `safe`/`unsafe` need an exec path, which must be
//! absolute.

use aa_syntax::SyntaxKind::*;

use super::RuleInfo;
use crate::Diagnostic;

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    // The exec condition is the value before `->` (the only direct value).
    let exec = info.words.first();
    let mode = info.node.children_with_tokens().find(|e| matches!(e.kind(), SAFE_KW | UNSAFE_KW));
    match (exec, mode) {
        (None, Some(mode)) => sink.push(Diagnostic::error(
            "change-profile-missing-exec",
            format!("`{}` needs an exec path: write `change_profile {} /path -> target,`", mode, mode),
            mode.text_range(),
        )),
        (Some(exec), _) if !exec.has_var() && !exec.text.starts_with('/') => sink.push(Diagnostic::error(
            "path-not-absolute",
            "the exec condition of `change_profile` must be an absolute path (start with `/`) or a variable",
            exec.range,
        )),
        _ => {}
    }
}

/// The same exec path and target given once as `unsafe` and once not: the
/// compiler cannot give one transition both modes.
pub(super) fn check_conflicts(body: &aa_syntax::SyntaxNode, sink: &mut Vec<Diagnostic>) {
    let mut seen: std::collections::HashMap<(String, String), bool> = std::collections::HashMap::new();
    for node in body.descendants().filter(|n| n.kind() == CHANGE_PROFILE_RULE) {
        // Rules of nested profiles belong to those profiles.
        let owner = node.ancestors().find(|a| matches!(a.kind(), PROFILE | HAT));
        if owner.as_ref().and_then(|o| o.children().find(|c| c.kind() == BLOCK)).as_ref() != Some(body) {
            continue;
        }
        if node.descendants_with_tokens().any(|e| e.kind() == DENY_KW) {
            continue;
        }
        let values: Vec<String> = node
            .children_with_tokens()
            .filter(|e| e.kind() == VALUE || e.kind() == TARGET)
            .map(|e| e.to_string())
            .collect();
        let exec = node.children().find(|n| n.kind() == VALUE).map(|n| n.text().to_string());
        let Some(exec) = exec else { continue };
        let target = node
            .children()
            .find(|n| n.kind() == TARGET)
            .map(|n| n.text().to_string())
            .or_else(|| values.get(1).cloned())
            .unwrap_or_default();
        let unsafe_ = node.children_with_tokens().any(|e| e.kind() == UNSAFE_KW);
        let key = (exec, target);
        match seen.get(&key) {
            Some(previous) if *previous != unsafe_ => sink.push(Diagnostic::error(
                "conflicting-change-profile",
                format!("`change_profile {}` is given both as `unsafe` and as safe", key.0),
                node.text_range(),
            )),
            Some(_) => {}
            None => {
                seen.insert(key, unsafe_);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn change_profile() {
        check(
            "profile p { change_profile /a -> b, change_profile a -> b, change_profile unsafe -> b, }",
            expect![[r#"
                path-not-absolute@51..52: the exec condition of `change_profile` must be an absolute path (start with `/`) or a variable
                change-profile-missing-exec@74..80: `unsafe` needs an exec path: write `change_profile unsafe /path -> target,`
            "#]],
        );
    }
}
