//! `userns` rules: only the `create` access and no conditions.

use super::{RuleInfo, check_access, known_conditions};
use crate::Diagnostic;

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    check_access(info, &["create"], sink);
    known_conditions(info, &info.conds, &[], false, sink);
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn userns() {
        check(
            "profile p { userns create, userns (foo), userns label=x, }",
            expect![[r#"
                unknown-access@35..38: `foo` is not an access of `userns` rules: expected one of `create`
                unknown-condition@48..53: `label` is not a condition of `userns` rules: expected one of 
            "#]],
        );
    }
}
