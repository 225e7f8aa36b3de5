use super::*;

/// `ptrace [PERMS] [peer=LABEL],`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PtraceRule {
    pub quals: Quals,
    /// Bits of [`PtraceRule::READ`] ...; 0 means all.
    pub perms: u32,
    pub peer: Option<String>,
}

impl PtraceRule {
    pub const TRACE: u32 = 1 << 1;
    pub const READ: u32 = 1 << 2;
    pub const TRACEDBY: u32 = 1 << 3;
    pub const READBY: u32 = 1 << 4;
    pub const ALL: u32 = Self::TRACE | Self::READ | Self::TRACEDBY | Self::READBY;
}

pub fn ptrace_rules(r: &PtraceRule) -> Result<Vec<PolicyRule>, ClassError> {
    let perms = if r.perms == 0 { PtraceRule::ALL } else { r.perms };
    let peer = match &r.peer {
        Some(p) => glob_text(p)?,
        None => ANYONE_MATCH.to_owned(),
    };
    Ok(vec![rule(parse(&format!("(\\x10|)\\x09{peer}"))?, r.quals, perms)])
}
