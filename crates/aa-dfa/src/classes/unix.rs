use super::*;

/// `unix [PERMS] [type=] [protocol=] [addr=] [label=] [attr=] [opt=] [peer=(addr= label=)],`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnixRule {
    pub quals: Quals,
    /// Network permission bits ([`UnixRule::SEND`] ...); 0 means all.
    pub perms: u32,
    pub sock_type: Option<u16>,
    pub protocol: Option<u16>,
    pub addr: Option<String>,
    pub label: Option<String>,
    pub peer_addr: Option<String>,
    pub peer_label: Option<String>,
    /// Made by the parser from a `network` rule covering AF_UNIX (its
    /// audit word follows the network rule's prefix, not the unix rule's).
    pub from_network: bool,
}

impl UnixRule {
    pub const SEND: u32 = 0x0002;
    pub const RECEIVE: u32 = 0x0004;
    pub const CREATE: u32 = 0x0010;
    pub const SHUTDOWN: u32 = 0x0020;
    pub const CONNECT: u32 = 0x0040;
    pub const SETATTR: u32 = 0x0100;
    pub const GETATTR: u32 = 0x0200;
    pub const ACCEPT: u32 = 0x0010_0000;
    pub const BIND: u32 = 0x0020_0000;
    pub const LISTEN: u32 = 0x0040_0000;
    pub const SETOPT: u32 = 0x0100_0000;
    pub const GETOPT: u32 = 0x0200_0000;
    const CONT_MATCH: u32 = 0x0800_0000;
    /// Every unix permission (3.0.8's `AA_VALID_NET_PERMS`).
    pub const ALL: u32 = Self::SEND
        | Self::RECEIVE
        | Self::CREATE
        | Self::SHUTDOWN
        | Self::CONNECT
        | Self::SETATTR
        | Self::GETATTR
        | Self::BIND
        | Self::ACCEPT
        | Self::LISTEN
        | Self::SETOPT
        | Self::GETOPT
        | Self::CONT_MATCH;
    const LOCAL: u32 = Self::CREATE
        | Self::SHUTDOWN
        | Self::SETATTR
        | Self::GETATTR
        | Self::BIND
        | Self::ACCEPT
        | Self::LISTEN
        | Self::SETOPT
        | Self::GETOPT;
    const OPT: u32 = Self::SETOPT | Self::GETOPT;
    const LOCAL_CMD: u32 = Self::LISTEN | Self::OPT;
    const PEER: u32 = Self::ALL & (!Self::LOCAL | Self::ACCEPT);
}

/// 3.0.8's `map_perms`: network permission bits into the policydb's
/// packed layout.
fn map_net_perms(mask: u32) -> u32 {
    (mask & 0x7f)
        | ((mask & (UnixRule::GETATTR | UnixRule::SETATTR)) << (14 - 8))
        | ((mask & (UnixRule::ACCEPT | UnixRule::BIND | UnixRule::LISTEN)) >> 4)
        | ((mask & (UnixRule::SETOPT | UnixRule::GETOPT)) >> 5)
}

fn u16_text(v: u16) -> String {
    format!("{}{}", hex((v >> 8) as u8), hex(v as u8))
}

/// An `addr=` value: `none` (anonymous), `auto` (autobind names), or an
/// abstract name `@glob`; unset matches anything.
fn unix_addr(addr: Option<&str>) -> Result<String, ClassError> {
    let mut out = match addr {
        None => ".*".to_owned(),
        Some("none") => "\\x01".to_owned(),
        Some("auto") => "\\x00[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]".to_owned(),
        Some(a) => {
            let name = a.strip_prefix('@').ok_or_else(|| ClassError(format!("invalid unix address {a:?}")))?;
            let t = glob::glob_to_regex_text(name.as_bytes(), GlobMode::Null).map_err(|e| ClassError(e.to_string()))?;
            format!("\\x00{}", String::from_utf8_lossy(&t.text))
        }
    };
    out.push_str("\\x00");
    Ok(out)
}

fn unix_label(label: Option<&str>) -> Result<String, ClassError> {
    match label {
        Some(l) => glob_text(l),
        None => Ok(DEFAULT_MATCH.to_owned()),
    }
}

/// Fine-grained unix socket rules (`network/af_unix`), as 3.0.8's
/// `unix_rule::gen_policy_re` writes them: a create entry, an autobind
/// entry, the local address entry with its listen and option commands,
/// and the peer entry.
pub fn unix_rules(r: &UnixRule, f: &crate::features::Features) -> Result<Vec<PolicyRule>, ClassError> {
    let mode = if r.perms == 0 { UnixRule::ALL } else { r.perms };
    let audit = if r.from_network { if r.quals.audit { UnixRule::ALL } else { 0 } } else { r.quals.audit_bits(mode) };
    let peer = r.peer_label.is_some() || r.peer_addr.is_some();
    let class = if f.network_v8 { 0x0e } else { 0x04 };
    let mut prot = format!("{}{}", hex(class), u16_text(1));
    prot.push_str(&r.sock_type.map_or("..".to_owned(), u16_text));
    prot.push_str(&r.protocol.map_or("..".to_owned(), u16_text));
    let mut out = Vec::new();
    let mut add = |text: &str, perms: u32, aud: u32| -> Result<(), ClassError> {
        out.push(PolicyRule {
            regex: parse(text)?,
            deny: r.quals.deny,
            perms: map_net_perms(perms),
            audit: map_net_perms(aud),
            priority: r.quals.priority,
            prompt: r.quals.prompt,
        });
        Ok(())
    };
    let mut mask = mode;
    if mask & UnixRule::CREATE != 0 && !peer {
        add(&prot, UnixRule::CREATE, audit & UnixRule::CREATE)?;
        mask &= !UnixRule::CREATE;
    }
    if mask & UnixRule::BIND != 0 && matches!(r.addr.as_deref(), None | Some("auto")) {
        let text = format!("{prot}\\x00{}\\x00", unix_label(r.label.as_deref())?);
        add(&text, UnixRule::BIND, audit & UnixRule::BIND)?;
        if r.addr.is_some() {
            mask &= !UnixRule::BIND;
        }
    }
    let mut buffer = prot;
    if mask != 0 {
        buffer.push_str(&unix_addr(r.addr.as_deref())?);
        buffer.push_str(&unix_label(r.label.as_deref())?);
        buffer.push_str("\\x00");
        let local = if peer { UnixRule::ACCEPT } else { UnixRule::LOCAL & !UnixRule::LOCAL_CMD };
        if mask & local != 0 {
            add(&buffer, mask & local, audit & local)?;
        }
        if mask & UnixRule::LISTEN != 0 && !peer {
            add(&format!("{buffer}\\x02.."), UnixRule::LISTEN, audit & UnixRule::LISTEN)?;
        }
        if mask & UnixRule::OPT != 0 && !peer {
            add(&format!("{buffer}\\x04.."), mask & UnixRule::OPT, audit & UnixRule::OPT)?;
        }
        mask &= !UnixRule::LOCAL | UnixRule::ACCEPT;
    }
    if mask & UnixRule::PEER != 0 {
        let text =
            format!("{buffer}\\x01{}{}", unix_addr(r.peer_addr.as_deref())?, unix_label(r.peer_label.as_deref())?);
        add(&text, mode & UnixRule::PEER, audit)?;
    }
    Ok(out)
}

/// What every unix rule also does: allow rules widen the old AF_UNIX
/// mask (deny rules cannot be downgraded and are dropped).
pub fn unix_downgrade(r: &UnixRule, net: &mut [NetMasks]) {
    let mask = match r.sock_type {
        Some(t) if t < 32 => 1u32 << t,
        _ => u32::MAX,
    };
    if let Some(m) = net.get_mut(1)
        && !r.quals.deny
    {
        m.allow |= mask;
        if r.quals.audit {
            m.audit |= mask;
        }
    }
}
