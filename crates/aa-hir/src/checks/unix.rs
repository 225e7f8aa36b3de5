//! `unix` rules: accesses, `type=`, `addr=` (abstract `@name`, `none` or
//! `auto`), `label=` only for the peer, and peer-only accesses.

use super::{Cond, Op, RuleInfo, check_access, network};
use crate::Diagnostic;

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    check_access(info, network::SOCKET_ACCESS, sink);
    for cond in &info.conds {
        match &cond.group {
            Some(group) if cond.name == "peer" => {
                for inner in group {
                    check_cond(info, inner, true, sink);
                }
                network::peer_access(info, cond, sink);
            }
            Some(_) => {}
            None => check_cond(info, cond, false, sink),
        }
    }
}

fn check_cond(info: &RuleInfo, cond: &Cond, peer: bool, sink: &mut Vec<Diagnostic>) {
    let _ = info;
    let message = match cond.name.as_str() {
        "" => return,
        "addr" | "type" | "label" | "protocol" if cond.op != Op::Eq => {
            format!("only `=` is allowed with `{}` in `unix` rules", cond.name)
        }
        "addr" | "type" | "label" if cond.values.len() > 1 => {
            format!("`{}` in a `unix` rule takes exactly one value", cond.name)
        }
        "protocol" => "`protocol` is not supported in `unix` rules".to_string(),
        "label" if !peer => "`label` of a `unix` rule is only valid inside `peer=( )`".to_string(),
        "type" if peer => "`type` of a `unix` rule is not allowed inside `peer=( )`".to_string(),
        "addr" => match cond.single() {
            Some(v) if !(v.has_var() || v.text.starts_with('@') || v.text == "none" || v.text == "auto") => {
                format!(
                    "`{}` is not a valid unix address: expected an abstract address `@name`, `none` or `auto`",
                    v.text
                )
            }
            _ => return,
        },
        "type" => match cond.single() {
            Some(v) if !v.has_var() && !network::TYPES.contains(&v.text.as_str()) => {
                format!("`{}` is not a socket type: expected one of {}", v.text, super::quoted_list(network::TYPES))
            }
            _ => return,
        },
        "label" => return,
        other => format!(
            "`{other}` is not a condition of `unix` rules: expected `type`, `addr`, or inside `peer=( )` `addr` and `label`"
        ),
    };
    sink.push(Diagnostic::error("bad-unix-condition", message, cond.range));
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn unix() {
        check(
            "profile p { unix (send) type=stream addr=@a peer=(label=x addr=none), unix label=x, unix addr=/tmp/s, unix type=foo, unix bind peer=(label=x), unix bogus=1, }",
            expect![[r#"
                bad-unix-condition@75..82: `label` of a `unix` rule is only valid inside `peer=( )`
                bad-unix-condition@89..100: `/tmp/s` is not a valid unix address: expected an abstract address `@name`, `none` or `auto`
                bad-unix-condition@107..115: `foo` is not a socket type: expected one of `stream`, `dgram`, `seqpacket`, `rdm`, `raw`, `packet`
                access-with-peer@127..141: `bind` cannot be used with `peer=( )`: only `accept`, `connect`, `send`, `receive`, `read`, `write`, `r`, `w`, `rw`, `wr` concern a peer
                bad-unix-condition@148..155: `bogus` is not a condition of `unix` rules: expected `type`, `addr`, or inside `peer=( )` `addr` and `label`
            "#]],
        );
    }
}
