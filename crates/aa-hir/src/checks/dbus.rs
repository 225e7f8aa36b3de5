//! `dbus` rules: accesses, single-valued conditions, `label` only for the
//! peer, and message rules (path/interface/member/peer) not mixed with
//! service rules (`name` with `bind`).

use super::{Cond, Op, RuleInfo, check_access};
use crate::Diagnostic;

const ACCESS: &[&str] = &["send", "receive", "bind", "eavesdrop", "read", "write", "r", "w", "rw", "wr"];
const CONDS: &[&str] = &["bus", "name", "label", "path", "interface", "member"];

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    check_access(info, ACCESS, sink);
    let mut message_rule = false;
    let mut service_rule = false;
    let mut only_bus = true;
    for cond in &info.conds {
        match &cond.group {
            Some(group) => {
                if cond.name != "peer" {
                    continue;
                }
                for inner in group {
                    if check_cond(info, inner, sink) && inner.name != "bus" {
                        message_rule = true;
                        only_bus = false;
                    }
                }
            }
            None => {
                if !check_cond(info, cond, sink) {
                    continue;
                }
                match cond.name.as_str() {
                    "label" => sink.push(Diagnostic::error(
                        "bad-dbus-condition",
                        "`label` of a `dbus` rule is only valid inside `peer=( )`",
                        cond.range,
                    )),
                    "name" => service_rule = true,
                    "path" | "interface" | "member" => message_rule = true,
                    _ => {}
                }
                if cond.name != "bus" {
                    only_bus = false;
                }
            }
        }
    }
    let range = info.access_range.unwrap_or(info.keyword_range);
    let has = |names: &[&str]| info.access.iter().any(|a| names.contains(&a.text.as_str()));
    let problem = if message_rule && service_rule {
        Some(
            "a `dbus` rule cannot mix message conditions (`path`, `interface`, `member`, `peer=( )`) with the service condition `name`",
        )
    } else if message_rule && has(&["bind"]) {
        Some("`bind` cannot be used with message conditions (`path`, `interface`, `member`, `peer=( )`)")
    } else if service_rule && has(&["send", "receive", "read", "write", "r", "w", "rw", "wr"]) {
        Some("`send`/`receive` cannot be used with the service condition `name`: `name` goes with `bind`")
    } else if has(&["eavesdrop"]) && !only_bus {
        Some("`eavesdrop` only takes a `bus` condition")
    } else {
        None
    };
    if let Some(problem) = problem {
        sink.push(Diagnostic::error("bad-dbus-rule", problem, range));
    }
}

/// Reports an unknown name, a wrong operator or a list; returns whether the
/// condition is usable.
fn check_cond(info: &RuleInfo, cond: &Cond, sink: &mut Vec<Diagnostic>) -> bool {
    let _ = info;
    if cond.name.is_empty() {
        return false;
    }
    let message = if !CONDS.contains(&cond.name.as_str()) {
        format!("`{}` is not a condition of `dbus` rules: expected one of {}", cond.name, super::quoted_list(CONDS))
    } else if cond.op != Op::Eq {
        "only `=` is allowed in the conditions of `dbus` rules".to_string()
    } else if cond.values.len() > 1 {
        format!("`{}` in a `dbus` rule takes exactly one value", cond.name)
    } else {
        return true;
    };
    sink.push(Diagnostic::error("bad-dbus-condition", message, cond.range));
    false
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn dbus() {
        check(
            "profile p { dbus send bus=session path=/a peer=(name=b label=c), dbus bind name=a path=/b, dbus label=x, dbus bus=(a b), dbus foo=x, dbus eavesdrop bus=system member=x, }",
            expect![[r#"
                bad-dbus-rule@70..74: a `dbus` rule cannot mix message conditions (`path`, `interface`, `member`, `peer=( )`) with the service condition `name`
                bad-dbus-condition@96..103: `label` of a `dbus` rule is only valid inside `peer=( )`
                bad-dbus-condition@110..119: `bus` in a `dbus` rule takes exactly one value
                bad-dbus-condition@126..131: `foo` is not a condition of `dbus` rules: expected one of `bus`, `name`, `label`, `path`, `interface`, `member`
                bad-dbus-rule@138..147: `eavesdrop` only takes a `bus` condition
            "#]],
        );
    }
}
