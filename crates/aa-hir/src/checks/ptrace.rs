//! `ptrace` rules: accesses and the `peer=` condition.

use super::{RuleInfo, check_access, known_conditions};
use crate::Diagnostic;

const ACCESS: &[&str] = &["trace", "read", "tracedby", "readby", "write", "r", "w", "rw", "wr"];

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    check_access(info, ACCESS, sink);
    known_conditions(info, &info.conds, &["peer"], false, sink);
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn ptrace() {
        check(
            "profile p { ptrace (trace readby) peer=x, ptrace (bogus), ptrace set=x, }",
            expect![[r#"
                unknown-access@50..55: `bogus` is not an access of `ptrace` rules: expected one of `trace`, `read`, `tracedby`, `readby`, `write`, `r`, `w`, `rw`, `wr`
                unknown-condition@65..68: `set` is not a condition of `ptrace` rules: expected one of `peer`
            "#]],
        );
    }
}
