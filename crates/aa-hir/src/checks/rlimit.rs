//! `set rlimit name <= value,`: the name must be a resource limit and the
//! value must suit it (a size, a time, a count, a nice level).

use aa_syntax::{SyntaxKind::*, TextRange};

use super::{RuleInfo, has_var};
use crate::Diagnostic;

const SIZES: &[&str] = &["fsize", "data", "stack", "core", "rss", "as", "memlock", "msgqueue"];
const COUNTS: &[&str] = &["nofile", "ofile", "nproc", "locks", "sigpending", "rtprio"];
const TIMES: &[&str] = &["cpu", "rttime"];

const TIME_UNITS: &[&str] = &[
    "us",
    "microsecond",
    "microseconds",
    "ms",
    "millisecond",
    "milliseconds",
    "s",
    "sec",
    "second",
    "seconds",
    "min",
    "minute",
    "minutes",
    "h",
    "hour",
    "hours",
    "d",
    "day",
    "days",
    "week",
    "weeks",
];

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    // The name is the plain word after `rlimit`; the value is what follows `<=`.
    let Some(name) = info.node.children_with_tokens().filter_map(|e| e.into_token()).find(|t| t.kind() == WORD) else {
        return;
    };
    let name_text = name.text();
    if has_var(name_text) {
        return;
    }
    let known =
        SIZES.contains(&name_text) || COUNTS.contains(&name_text) || TIMES.contains(&name_text) || name_text == "nice";
    if !known {
        sink.push(Diagnostic::error(
            "unknown-rlimit",
            format!(
                "`{name_text}` is not a resource limit: expected one of cpu, fsize, data, stack, core, rss, nofile, ofile, as, nproc, memlock, locks, sigpending, msgqueue, nice, rtprio, rttime"
            ),
            name.text_range(),
        ));
        return;
    }
    let values: Vec<_> = info.node.children().filter(|n| n.kind() == VALUE).collect();
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return;
    };
    let range = TextRange::new(first.text_range().start(), last.text_range().end());
    let text: String = values.iter().map(|v| v.text().to_string()).collect::<Vec<_>>().join(" ");
    if has_var(&text) || text == "infinity" {
        return;
    }
    let (number, unit) = split_number(&text);
    let unit = unit.trim();
    let problem = if number.is_none() {
        Some("a number".to_string())
    } else if name_text == "nice" {
        match number {
            Some(n) if (-20..=19).contains(&n) && unit.is_empty() => None,
            _ => Some("a nice level from -20 to 19".to_string()),
        }
    } else if number.is_some_and(|n| n < 0) {
        Some("a non-negative number".to_string())
    } else if COUNTS.contains(&name_text) {
        (!unit.is_empty()).then(|| "a plain number without a unit".to_string())
    } else if SIZES.contains(&name_text) {
        (!unit.is_empty() && !"KB".starts_with(unit) && !"MB".starts_with(unit) && !"GB".starts_with(unit))
            .then(|| "a size in bytes, optionally with a unit `K`, `KB`, `M`, `MB`, `G` or `GB`".to_string())
    } else {
        (!unit.is_empty() && !TIME_UNITS.contains(&unit))
            .then(|| "a time, optionally with a unit such as `us`, `ms`, `s`, `min`, `h`, `d`".to_string())
    };
    if let Some(expected) = problem {
        sink.push(Diagnostic::error(
            "bad-rlimit-value",
            format!("`{text}` is not a valid value for rlimit `{name_text}`: expected {expected} or `infinity`"),
            range,
        ));
    }
}

/// The leading integer (decimal, `0x` hex or `0` octal, as `strtoll` reads
/// it) and the rest.
fn split_number(text: &str) -> (Option<i64>, &str) {
    let bytes = text.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let (radix, digits_start) = if text[i..].starts_with("0x") || text[i..].starts_with("0X") {
        (16, i + 2)
    } else if text[i..].starts_with('0') && text.len() > i + 1 {
        (8, i + 1)
    } else {
        (10, i)
    };
    let mut end = digits_start;
    while end < bytes.len() && (bytes[end] as char).is_digit(radix) {
        end += 1;
    }
    if end == digits_start {
        // `0` alone, or `0x` with no hex digit, still reads as zero.
        return if radix != 10 { (Some(0), &text[i + 1..]) } else { (None, text) };
    }
    let value = i64::from_str_radix(&text[digits_start..end], radix).ok();
    let value = if text.starts_with('-') { value.map(|v| -v) } else { value };
    (value, &text[end..])
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn rlimits() {
        check(
            "profile p { set rlimit cpu <= 10m, set rlimit nice <= 20, set rlimit nofile <= 10K, set rlimit as <= 2GB, set rlimit bogus <= 1, set rlimit rttime <= 60ms, set rlimit data <= infinity, }",
            expect![[r#"
                bad-rlimit-value@30..33: `10m` is not a valid value for rlimit `cpu`: expected a time, optionally with a unit such as `us`, `ms`, `s`, `min`, `h`, `d` or `infinity`
                bad-rlimit-value@54..56: `20` is not a valid value for rlimit `nice`: expected a nice level from -20 to 19 or `infinity`
                bad-rlimit-value@79..82: `10K` is not a valid value for rlimit `nofile`: expected a plain number without a unit or `infinity`
                unknown-rlimit@117..122: `bogus` is not a resource limit: expected one of cpu, fsize, data, stack, core, rss, nofile, ofile, as, nproc, memlock, locks, sigpending, msgqueue, nice, rtprio, rttime
            "#]],
        );
    }
}
