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
