//! The narrowest rule of each class for an access: only the permissions
//! asked for, every condition the record names, values written as
//! literals (paths through [`crate::generalise`]).

use crate::event::{Access, DbusAccess};
use crate::generalise::{escape, token};

fn perms_list(perms: &[String]) -> String {
    match perms {
        [] => String::new(),
        [one] => format!(" {one}"),
        many => format!(" ({})", many.join(", ")),
    }
}

fn glob_token(text: &str) -> String {
    token(&escape(text))
}

/// The rule text (without indentation, with the trailing comma) of a
/// non-file access. File, link and exec rules are written by the caller,
/// which merges them per path and generalises the path.
pub fn rule_text(access: &Access, fine_network: bool) -> Option<String> {
    Some(match access {
        Access::File { .. } | Access::Exec { .. } => return None,
        Access::Link { path, target, owner } => {
            format!("{}link {} -> {},", if *owner { "owner " } else { "" }, glob_token(path), glob_token(target))
        }
        Access::Capability { name } => format!("capability {name},"),
        Access::Network { perms, family, sock_type, local, peer } => {
            let mut s = "network".to_owned();
            if fine_network {
                s.push_str(&perms_list(perms));
            }
            s.push(' ');
            s.push_str(family);
            if let Some(t) = sock_type.as_ref().filter(|t| !t.starts_with("unknown")) {
                s.push(' ');
                s.push_str(t);
            }
            if fine_network {
                let cond = |(ip, port): &(Option<String>, Option<u64>)| {
                    let mut c = Vec::new();
                    if let Some(ip) = ip.as_ref().filter(|ip| !ip.is_empty() && *ip != "none") {
                        c.push(format!("ip={ip}"));
                    }
                    if let Some(p) = port.filter(|p| *p != 0) {
                        c.push(format!("port={p}"));
                    }
                    c.join(" ")
                };
                let l = cond(local);
                if !l.is_empty() {
                    s.push(' ');
                    s.push_str(&l);
                }
                let p = cond(peer);
                if !p.is_empty() {
                    s.push_str(&format!(" peer=({p})"));
                }
            }
            s.push(',');
            s
        }
        Access::Unix { perms, sock_type, addr, peer_label, peer_addr } => {
            let mut s = format!("unix{}", perms_list(perms));
            if let Some(t) = sock_type {
                s.push_str(&format!(" type={t}"));
            }
            if let Some(a) = addr {
                s.push_str(&format!(" addr={}", glob_token(a)));
            }
            let mut peer = Vec::new();
            if let Some(l) = peer_label {
                peer.push(format!("label={}", glob_token(l)));
            }
            if let Some(a) = peer_addr {
                peer.push(format!("addr={}", glob_token(a)));
            }
            if !peer.is_empty() {
                s.push_str(&format!(" peer=({})", peer.join(" ")));
            }
            s.push(',');
            s
        }
        Access::Signal { perms, signal, peer } => {
            let mut s = format!("signal{}", perms_list(perms));
            if let Some(sig) = signal {
                s.push_str(&format!(" set=({sig})"));
            }
            s.push_str(&format!(" peer={},", glob_token(peer)));
            s
        }
        Access::Ptrace { perms, peer } => format!("ptrace{} peer={},", perms_list(perms), glob_token(peer)),
        Access::Dbus(DbusAccess::Bind { bus, name }) => {
            format!("dbus bind bus={} name={},", token(bus), glob_token(name))
        }
        Access::Dbus(DbusAccess::Eavesdrop { bus }) => format!("dbus eavesdrop bus={},", token(bus)),
        Access::Dbus(DbusAccess::Message { perms, bus, path, interface, member, peer_name, peer_label }) => {
            let mut s = format!("dbus{} bus={}", perms_list(perms), token(bus));
            for (k, v) in [("path", path), ("interface", interface), ("member", member)] {
                if let Some(v) = v {
                    s.push_str(&format!(" {k}={}", glob_token(v)));
                }
            }
            let mut peer = Vec::new();
            if let Some(n) = peer_name {
                peer.push(format!("name={}", glob_token(n)));
            }
            if let Some(l) = peer_label {
                peer.push(format!("label={}", glob_token(l)));
            }
            if !peer.is_empty() {
                s.push_str(&format!(" peer=({})", peer.join(", ")));
            }
            s.push(',');
            s
        }
        Access::Mount { fstype, flags, source, point } => {
            let mut s = "mount".to_owned();
            if let Some(t) = fstype {
                s.push_str(&format!(" fstype={}", token(t)));
            }
            if !flags.is_empty() {
                s.push_str(&format!(" options=({})", flags.join(", ")));
            }
            if let Some(src) = source {
                s.push_str(&format!(" {}", glob_token(src)));
            }
            s.push_str(&format!(" -> {},", glob_token(point)));
            s
        }
        Access::Umount { point } => format!("umount {},", glob_token(point)),
        Access::PivotRoot { new_root, old_root } => match old_root {
            Some(o) => format!("pivot_root oldroot={} {},", glob_token(o), glob_token(new_root)),
            None => format!("pivot_root {},", glob_token(new_root)),
        },
        Access::ChangeProfile { target } => format!("change_profile -> {},", glob_token(target)),
        Access::Mqueue { perms, kind, name } => {
            let mut s = format!("mqueue{} type={kind}", perms_list(perms));
            if let Some(n) = name {
                s.push_str(&format!(" {}", glob_token(n)));
            }
            s.push(',');
            s
        }
        Access::Userns { perms } => format!("userns{},", perms_list(perms)),
        Access::IoUring { perms, label } => {
            let mut s = format!("io_uring{}", perms_list(perms));
            if let Some(l) = label {
                s.push_str(&format!(" label={}", glob_token(l)));
            }
            s.push(',');
            s
        }
    })
}

/// The rule class, as the report names it.
pub fn class_of(access: &Access) -> &'static str {
    match access {
        Access::File { .. } => "file",
        Access::Link { .. } => "link",
        Access::Exec { .. } => "exec",
        Access::Capability { .. } => "capability",
        Access::Network { .. } => "network",
        Access::Unix { .. } => "unix",
        Access::Signal { .. } => "signal",
        Access::Ptrace { .. } => "ptrace",
        Access::Dbus(_) => "dbus",
        Access::Mount { .. } => "mount",
        Access::Umount { .. } => "umount",
        Access::PivotRoot { .. } => "pivot_root",
        Access::ChangeProfile { .. } => "change_profile",
        Access::Mqueue { .. } => "mqueue",
        Access::Userns { .. } => "userns",
        Access::IoUring { .. } => "io_uring",
    }
}
