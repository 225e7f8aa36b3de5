//! `signal` rules: accesses, `set=` names, `peer=`.

use super::{RuleInfo, check_access, known_conditions};
use crate::Diagnostic;

/// Signal names `apparmor_parser` knows (lower case, without `SIG`); `rtmin+N` too.
pub const SIGNALS: &[&str] = &[
    "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv", "usr2", "pipe", "alrm", "term",
    "stkflt", "chld", "cont", "stop", "stp", "tstp", "ttin", "ttou", "urg", "xcpu", "xfsz", "vtalrm", "prof", "winch",
    "io", "poll", "pwr", "sys", "emt", "exists",
];

/// A signal name, or a real-time signal `rtmin+N` with N at most 32.
pub(crate) fn is_signal(name: &str) -> bool {
    if let Some(n) = name.strip_prefix("rtmin+") {
        return !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<u32>().is_ok_and(|n| n <= 32);
    }
    SIGNALS.contains(&name)
}

/// `stp` and `tstp` name the same signal; so do `io` and `poll`.
pub(crate) fn canonical(name: &str) -> String {
    match name {
        "stp" => "tstp".into(),
        "poll" => "io".into(),
        other => other.into(),
    }
}

const ACCESS: &[&str] = &["send", "receive", "read", "write", "r", "w", "rw", "wr"];

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    check_access(info, ACCESS, sink);
    for cond in known_conditions(info, &info.conds, &["set", "peer"], false, sink) {
        if cond.name == "set" {
            for value in &cond.values {
                if value.has_var() || is_signal(&value.text) {
                    continue;
                }
                sink.push(Diagnostic::error(
                    "unknown-signal",
                    format!(
                        "`{}` is not a signal: expected a name such as `hup`, `term`, `kill`, `usr1`, or `rtmin+N` with N from 0 to 32",
                        value.text
                    ),
                    value.range,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn signals() {
        check(
            "profile p { signal (send) set=(hup, rtmin+3, rtmin+33, SIGTERM) peer=x, signal (foo), signal bogus=1, }",
            expect![[r#"
                unknown-signal@45..53: `rtmin+33` is not a signal: expected a name such as `hup`, `term`, `kill`, `usr1`, or `rtmin+N` with N from 0 to 32
                unknown-signal@55..62: `SIGTERM` is not a signal: expected a name such as `hup`, `term`, `kill`, `usr1`, or `rtmin+N` with N from 0 to 32
                unknown-access@80..83: `foo` is not an access of `signal` rules: expected one of `send`, `receive`, `read`, `write`, `r`, `w`, `rw`, `wr`
                unknown-condition@93..98: `bogus` is not a condition of `signal` rules: expected one of `set`, `peer`
            "#]],
        );
    }
}
