//! `mqueue [PERMS] [type=posix|sysv] [label=LABEL] [NAME],` (abi 4.0):
//! POSIX queues are named by a path, System V queues by a key. A rule
//! whose type neither the name nor `type=` decides covers both.

use super::*;

/// Which message queues a rule covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MqueueType {
    /// Both kinds.
    #[default]
    Any,
    Posix,
    Sysv,
}

/// `mqueue [PERMS] [type=] [label=] [NAME],`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MqueueRule {
    pub quals: Quals,
    /// Bits of [`MqueueRule::READ`] ...; 0 means all.
    pub perms: u32,
    pub qtype: MqueueType,
    /// A POSIX name (`/glob`) or a System V key (digits).
    pub name: Option<String>,
    pub label: Option<String>,
}

impl MqueueRule {
    pub const WRITE: u32 = 0x0002;
    pub const READ: u32 = 0x0004;
    pub const CREATE: u32 = 0x0010;
    pub const DELETE: u32 = 0x0020;
    pub const OPEN: u32 = 0x0040;
    pub const SETATTR: u32 = 0x0100;
    pub const GETATTR: u32 = 0x0200;
    pub const ALL: u32 =
        Self::WRITE | Self::READ | Self::CREATE | Self::DELETE | Self::OPEN | Self::SETATTR | Self::GETATTR;
}

/// The class bytes of POSIX and System V message queues.
pub const POSIX_MQUEUE_CLASS: u8 = 17;
pub const SYSV_MQUEUE_CLASS: u8 = 18;

/// The type a rule's name and `type=` give, or why they disagree.
pub fn mqueue_type(name: Option<&str>, given: MqueueType) -> Result<MqueueType, String> {
    let Some(name) = name else { return Ok(given) };
    if name.starts_with('/') {
        if given == MqueueType::Sysv {
            return Err(format!("mqueue type=sysv invalid name `{name}`: System V queues are named by a number"));
        }
        Ok(MqueueType::Posix)
    } else if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
        if given == MqueueType::Posix {
            return Err(format!("mqueue type=posix invalid name `{name}`: POSIX queue names begin with /"));
        }
        Ok(MqueueType::Sysv)
    } else {
        Err(format!("mqueue invalid name `{name}`: a queue name begins with / or is a number"))
    }
}

/// The getattr and setattr bits move to the policydb's packed layout.
fn map_perms(mask: u32) -> u32 {
    (mask & 0x7f) | ((mask & (MqueueRule::GETATTR | MqueueRule::SETATTR)) << (14 - 8))
}

/// Per kind covered: the name entry (without a label) and the name + label
/// entry, both with the permissions.
pub fn mqueue_rules(r: &MqueueRule, posix: bool, sysv: bool) -> Result<Vec<PolicyRule>, ClassError> {
    let qtype = mqueue_type(r.name.as_deref(), r.qtype).map_err(ClassError)?;
    let perms = map_perms(if r.perms == 0 { MqueueRule::ALL } else { r.perms });
    let label = match &r.label {
        Some(l) => glob_text(l)?,
        None => ANYONE_MATCH.to_owned(),
    };
    let mut out = Vec::new();
    let mut both = |head: String| -> Result<(), ClassError> {
        if r.label.is_none() {
            out.push(rule(parse(&head)?, r.quals, perms));
        }
        out.push(rule(vec_regex(&[&head, &label])?, r.quals, perms));
        Ok(())
    };
    if qtype != MqueueType::Sysv && posix {
        let name = match &r.name {
            Some(n) => glob_text(n)?,
            None => DEFAULT_MATCH.to_owned(),
        };
        both(format!("{}{name}", hex(POSIX_MQUEUE_CLASS)))?;
    }
    if qtype != MqueueType::Posix && sysv {
        let key = match &r.name {
            Some(n) => {
                let k: i64 = n.parse().map_err(|_| ClassError(format!("invalid System V key `{n}`")))?;
                (k as u32).to_be_bytes().iter().map(|&b| hex(b)).collect()
            }
            None => "....".to_owned(),
        };
        both(format!("{}{key}", hex(SYSV_MQUEUE_CLASS)))?;
    }
    Ok(out)
}
