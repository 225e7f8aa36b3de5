//! `mqueue` rules: accesses, `type=posix|sysv`, `label=`, and the queue name
//! (a path for POSIX queues, a number for System V ones).

use super::{RuleInfo, check_access, known_conditions};
use crate::Diagnostic;

const ACCESS: &[&str] = &["create", "open", "delete", "getattr", "setattr", "write", "read", "r", "w", "rw", "wr"];

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    check_access(info, ACCESS, sink);
    let mut kind = None;
    for cond in known_conditions(info, &info.conds, &["type", "label"], false, sink) {
        if cond.name != "type" {
            continue;
        }
        match cond.single() {
            Some(v) if v.has_var() => {}
            Some(v) if v.text == "posix" || v.text == "sysv" => kind = Some(v.text.clone()),
            _ => sink.push(Diagnostic::error(
                "bad-mqueue-type",
                "`type=` of an `mqueue` rule must be `posix` or `sysv`",
                cond.range,
            )),
        }
    }
    let Some(name) = info.words.last() else {
        return;
    };
    if name.has_var() {
        return;
    }
    let numeric = !name.text.is_empty() && name.text.bytes().all(|b| b.is_ascii_digit());
    let absolute = name.text.starts_with('/');
    let message = match kind.as_deref() {
        Some("posix") if !absolute => "a POSIX message queue name must start with `/`",
        Some("sysv") if !numeric => "a System V message queue name must be a positive integer",
        None if !absolute && !numeric => {
            "a message queue name must start with `/` (POSIX) or be a positive integer (System V)"
        }
        _ => return,
    };
    sink.push(Diagnostic::error("bad-mqueue-name", message, name.range));
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn mqueue() {
        check(
            "profile p { mqueue type=posix /a, mqueue type=sysv /a, mqueue type=foo, mqueue 12a, mqueue type=sysv 12, }",
            expect![[r#"
                bad-mqueue-name@51..53: a System V message queue name must be a positive integer
                bad-mqueue-type@62..70: `type=` of an `mqueue` rule must be `posix` or `sysv`
                bad-mqueue-name@79..82: a message queue name must start with `/` (POSIX) or be a positive integer (System V)
            "#]],
        );
    }
}
