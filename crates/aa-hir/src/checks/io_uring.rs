//! `io_uring` rules: `override_creds`/`sqpoll` and a single `label=`.

use super::{RuleInfo, check_access, known_conditions, single_value};
use crate::Diagnostic;

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    check_access(info, &["override_creds", "sqpoll"], sink);
    for cond in known_conditions(info, &info.conds, &["label"], false, sink) {
        single_value(info, cond, sink);
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn io_uring() {
        check(
            "profile p { io_uring sqpoll label=x, io_uring (bogus), io_uring label=(a b), }",
            expect![[r#"
                unknown-access@47..52: `bogus` is not an access of `io_uring` rules: expected one of `override_creds`, `sqpoll`
                condition-takes-one-value@64..75: `label` in a `io_uring` rule takes exactly one value
            "#]],
        );
    }
}
