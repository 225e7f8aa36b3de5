use super::*;

/// `dbus [PERMS] [bus=] [path=] [interface=] [member=] [name=] [peer=(name= label=)],`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbusRule {
    pub quals: Quals,
    /// Bits of [`DbusRule::SEND`] ...; 0 means the implied set (send and
    /// receive for message rules, bind for service rules, else all).
    pub perms: u32,
    pub bus: Option<String>,
    /// The subject `name=` (service rules).
    pub name: Option<String>,
    pub path: Option<String>,
    pub interface: Option<String>,
    pub member: Option<String>,
    /// `peer=(name=...)`.
    pub peer_name: Option<String>,
    /// `peer=(label=...)`.
    pub peer_label: Option<String>,
}

impl DbusRule {
    pub const SEND: u32 = 1 << 1;
    pub const RECEIVE: u32 = 1 << 2;
    pub const EAVESDROP: u32 = 1 << 5;
    pub const BIND: u32 = 1 << 6;
    pub const ALL: u32 = Self::SEND | Self::RECEIVE | Self::EAVESDROP | Self::BIND;
}

pub fn dbus_rules(r: &DbusRule) -> Result<Vec<PolicyRule>, ClassError> {
    let message = r.path.is_some()
        || r.interface.is_some()
        || r.member.is_some()
        || r.peer_label.is_some()
        || r.peer_name.is_some();
    let service = r.name.is_some();
    if message && service {
        return Err(ClassError("dbus rule contains message conditionals and service conditionals".into()));
    }
    let perms = match r.perms {
        0 if message => DbusRule::SEND | DbusRule::RECEIVE,
        0 if service => DbusRule::BIND,
        0 => DbusRule::ALL,
        p => p,
    };
    let field = |v: &Option<String>| match v {
        Some(g) => glob_text(g),
        None => Ok(DEFAULT_MATCH.to_owned()),
    };
    let bus = format!("\\x20{}", field(&r.bus)?);
    // The name slot holds the subject name for bind, the peer name for
    // messages.
    let name = field(if service { &r.name } else { &r.peer_name })?;
    let v = [bus.as_str(), &name, &field(&r.peer_label)?, &field(&r.path)?, &field(&r.interface)?, &field(&r.member)?];
    let mut out = Vec::new();
    if perms & DbusRule::BIND != 0 {
        out.push(rule(vec_regex(&v[..2])?, r.quals, perms & DbusRule::BIND));
    }
    let sr = perms & (DbusRule::SEND | DbusRule::RECEIVE);
    if sr != 0 {
        out.push(rule(vec_regex(&v)?, r.quals, sr));
    }
    if perms & DbusRule::EAVESDROP != 0 {
        out.push(rule(vec_regex(&v[..1])?, r.quals, DbusRule::EAVESDROP));
    }
    Ok(out)
}
