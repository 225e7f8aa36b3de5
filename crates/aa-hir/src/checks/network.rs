//! `network` rules: family, type or protocol names, accesses, and the
//! `ip=`/`port=`/`interface=`/`label=` conditions (6.0's fine-grained inet
//! mediation).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Cond, Op, RuleInfo, check_access, quoted_list};
use crate::Diagnostic;

/// Address families `apparmor_parser` knows.
pub const FAMILIES: &[&str] = &aa_target::network::FAMILY_NAMES;
/// Socket types `apparmor_parser` knows.
pub const TYPES: &[&str] = &aa_target::network::NETWORK_TYPE_NAMES;
/// Protocols written where a type goes (`network inet tcp`).
const PROTOCOLS: &[&str] = &["tcp", "udp", "icmp"];

pub(crate) const SOCKET_ACCESS: &[&str] = &[
    "create", "bind", "listen", "accept", "connect", "shutdown", "getattr", "setattr", "getopt", "setopt", "send",
    "receive", "read", "write", "r", "w", "rw", "wr",
];
/// Accesses that concern a peer; the others cannot be combined with `peer=`.
pub(crate) const PEER_ACCESS: &[&str] =
    &["accept", "connect", "send", "receive", "read", "write", "r", "w", "rw", "wr"];

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    check_access(info, SOCKET_ACCESS, sink);
    check_words(info, sink);
    let mut has_ip_conds = false;
    for cond in &info.conds {
        if let Some(group) = &cond.group {
            if cond.name != "peer" {
                continue;
            }
            for inner in group {
                check_cond(info, inner, true, sink);
            }
            has_ip_conds = true;
            peer_access(info, cond, sink);
        } else {
            has_ip_conds |= check_cond(info, cond, false, sink);
        }
    }
    if has_ip_conds && let Some(family) = info.words.first() {
        // A word that names a family is the family (`packet` is both a
        // family and a type); otherwise the family is left open.
        let inet = if FAMILIES.contains(&family.text.as_str()) {
            matches!(family.text.as_str(), "inet" | "inet6")
        } else {
            TYPES.contains(&family.text.as_str()) || PROTOCOLS.contains(&family.text.as_str())
        };
        if !inet && !family.has_var() {
            sink.push(Diagnostic::error(
                "network-conditions-need-inet",
                format!(
                    "`{}` sockets take no `ip=`/`port=`/`peer=` conditions: only `inet` and `inet6` do",
                    family.text
                ),
                family.range,
            ));
        }
    }
}

pub(crate) fn peer_access(info: &RuleInfo, peer: &Cond, sink: &mut Vec<Diagnostic>) {
    for access in &info.access {
        if !access.has_var()
            && SOCKET_ACCESS.contains(&access.text.as_str())
            && !PEER_ACCESS.contains(&access.text.as_str())
        {
            sink.push(Diagnostic::error(
                "access-with-peer",
                format!(
                    "`{}` cannot be used with `peer=( )`: only {} concern a peer",
                    access.text,
                    quoted_list(PEER_ACCESS)
                ),
                peer.range,
            ));
            return;
        }
    }
}

fn check_words(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    let words = &info.words;
    let Some(first) = words.first() else { return };
    if first.has_var() {
        return;
    }
    let family = FAMILIES.contains(&first.text.as_str());
    let type_first = !family && (TYPES.contains(&first.text.as_str()) || PROTOCOLS.contains(&first.text.as_str()));
    if !family && !type_first {
        sink.push(Diagnostic::error(
            "unknown-network-family",
            format!("`{}` is not a network family, type or protocol: expected e.g. `inet`, `inet6`, `unix`, `netlink`, `stream`, `dgram`, `tcp`", first.text),
            first.range,
        ));
        return;
    }
    if let Some(second) = words.get(1) {
        if second.has_var() {
            return;
        }
        let ok = if type_first {
            false
        } else {
            TYPES.contains(&second.text.as_str())
                || (matches!(first.text.as_str(), "inet" | "inet6") && PROTOCOLS.contains(&second.text.as_str()))
                || (first.text == "inet" && second.text == "icmp")
        };
        if !ok {
            sink.push(Diagnostic::error(
                "unknown-network-type",
                format!(
                    "`{}` is not a socket type or protocol of `{}`: expected one of {}{}",
                    second.text,
                    first.text,
                    quoted_list(TYPES),
                    if matches!(first.text.as_str(), "inet" | "inet6") { ", `tcp`, `udp`" } else { "" }
                ),
                second.range,
            ));
        }
    }
}

/// Returns whether the condition is an inet one (`ip`, `port`, `interface`).
fn check_cond(info: &RuleInfo, cond: &Cond, peer: bool, sink: &mut Vec<Diagnostic>) -> bool {
    let _ = info;
    if cond.name.is_empty() {
        return false;
    }
    if cond.name == "label" {
        if cond.op == Op::In {
            sink.push(Diagnostic::error(
                "bad-condition-operator",
                "`label` of a `network` rule takes `=` or `:=`",
                cond.range,
            ));
        }
        return false;
    }
    if !matches!(cond.name.as_str(), "ip" | "port" | "interface") {
        sink.push(Diagnostic::error(
            "unknown-condition",
            format!(
                "`{}` is not a condition of `network` rules: expected `ip`, `port`, `interface`, `label` or `peer=( )`",
                cond.name
            ),
            cond.name_range,
        ));
        return false;
    }
    if cond.op != Op::Eq {
        sink.push(Diagnostic::error(
            "bad-condition-operator",
            format!("only `=` is allowed with `{}` in `network` rules", cond.name),
            cond.range,
        ));
        return true;
    }
    if cond.name == "interface" && peer {
        sink.push(Diagnostic::error(
            "peer-interface",
            "`interface` cannot be set for the peer: put it outside `peer=( )`",
            cond.range,
        ));
        return true;
    }
    let Some(value) = cond.single() else {
        sink.push(Diagnostic::error(
            "condition-takes-one-value",
            format!("`{}` in a `network` rule takes exactly one value", cond.name),
            cond.range,
        ));
        return true;
    };
    if value.has_var() {
        return true;
    }
    let valid = match cond.name.as_str() {
        "ip" => value.text == "none" || valid_ip(&value.text),
        "port" => valid_port(&value.text),
        _ => true,
    };
    if !valid {
        let expected = if cond.name == "ip" {
            "an IPv4 or IPv6 address, optionally with a /prefix length, or `none`"
        } else {
            "a port number from 0 to 65535, or a range `low-high`"
        };
        sink.push(Diagnostic::error(
            "bad-network-value",
            format!("`{}` is not valid for `{}=`: expected {expected}", value.text, cond.name),
            value.range,
        ));
    }
    true
}

fn valid_ip(text: &str) -> bool {
    let (address, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let max = if address.parse::<Ipv4Addr>().is_ok() {
        32
    } else if address.parse::<Ipv6Addr>().is_ok() {
        128
    } else {
        return false;
    };
    match prefix {
        None => true,
        Some(p) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n <= max),
    }
}

fn port_number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u32>().ok().filter(|n| *n <= 65535)
}

fn valid_port(text: &str) -> bool {
    match text.split_once('-') {
        Some((low, high)) => match (port_number(low), port_number(high)) {
            (Some(low), Some(high)) => low <= high,
            _ => false,
        },
        None => port_number(text).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn families_and_types() {
        check(
            "profile p { network inet stream, network inet6 tcp, network tcp, network foo, network unix tcp, network netlink raw, }",
            expect![[r#"
                unknown-network-family@73..76: `foo` is not a network family, type or protocol: expected e.g. `inet`, `inet6`, `unix`, `netlink`, `stream`, `dgram`, `tcp`
                unknown-network-type@91..94: `tcp` is not a socket type or protocol of `unix`: expected one of `stream`, `dgram`, `seqpacket`, `rdm`, `raw`, `packet`
            "#]],
        );
    }

    #[test]
    fn inet_conditions() {
        check(
            "profile p { network ip=10.0.0.1/33 port=80-20, network inet peer=(ip=::1 port=70000), network bind peer=(port=1), network unix port=1, network peer=(interface=eth0), }",
            expect![[r#"
                bad-network-value@23..34: `10.0.0.1/33` is not valid for `ip=`: expected an IPv4 or IPv6 address, optionally with a /prefix length, or `none`
                bad-network-value@40..45: `80-20` is not valid for `port=`: expected a port number from 0 to 65535, or a range `low-high`
                bad-network-value@78..83: `70000` is not valid for `port=`: expected a port number from 0 to 65535, or a range `low-high`
                access-with-peer@99..112: `bind` cannot be used with `peer=( )`: only `accept`, `connect`, `send`, `receive`, `read`, `write`, `r`, `w`, `rw`, `wr` concern a peer
                network-conditions-need-inet@122..126: `unix` sockets take no `ip=`/`port=`/`peer=` conditions: only `inet` and `inet6` do
                peer-interface@149..163: `interface` cannot be set for the peer: put it outside `peer=( )`
            "#]],
        );
    }
}
