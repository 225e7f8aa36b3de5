//! `io_uring [sqpoll] [override_creds] [label=LABEL],` (abi 4.0).

use super::*;

/// `io_uring [PERMS] [label=LABEL],`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IoUringRule {
    pub quals: Quals,
    /// Bits of [`IoUringRule::SQPOLL`], [`IoUringRule::OVERRIDE_CREDS`];
    /// 0 means both.
    pub perms: u32,
    /// The credentials' label `override_creds` may take.
    pub label: Option<String>,
}

impl IoUringRule {
    pub const OVERRIDE_CREDS: u32 = 1 << 3;
    pub const SQPOLL: u32 = 1 << 4;
    pub const ALL: u32 = Self::OVERRIDE_CREDS | Self::SQPOLL;
}

/// The class byte of io_uring mediation.
pub const IO_URING_CLASS: u8 = 22;

/// Like `userns`, the permissions sit on the class byte (with a marker of
/// the rule's priority); `override_creds` is also granted on the class
/// byte followed by the label.
pub fn io_uring_rules(r: &IoUringRule) -> Result<Vec<PolicyRule>, ClassError> {
    let perms = if r.perms == 0 { IoUringRule::ALL } else { r.perms };
    let class = hex(IO_URING_CLASS);
    let mut out = vec![rule(parse(&class)?, r.quals, perms), marker(parse(&class)?, r.quals.priority)];
    if perms & IoUringRule::OVERRIDE_CREDS != 0 {
        let label = match &r.label {
            Some(l) => glob_text(l)?,
            None => DEFAULT_MATCH.to_owned(),
        };
        out.push(rule(parse(&format!("{class}{label}"))?, r.quals, perms));
    }
    Ok(out)
}
