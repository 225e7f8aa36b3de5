//! `userns [create],` (abi 4.0): one entry on the class byte itself.

use super::*;

/// `userns [create],`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsernsRule {
    pub quals: Quals,
    /// [`UsernsRule::CREATE`]; 0 means all.
    pub perms: u32,
}

impl UsernsRule {
    pub const CREATE: u32 = 1 << 3;
    pub const ALL: u32 = Self::CREATE;
}

/// The class byte of user namespace mediation.
pub const USERNS_CLASS: u8 = 21;

/// The permissions sit on the class byte's state; a mediation marker of
/// the same priority goes with every rule, so that a rule of higher
/// priority than the profile's own marker cannot hide the class.
pub fn userns_rules(r: &UsernsRule) -> Result<Vec<PolicyRule>, ClassError> {
    let perms = if r.perms == 0 { UsernsRule::ALL } else { r.perms };
    let class = hex(USERNS_CLASS);
    Ok(vec![rule(parse(&class)?, r.quals, perms), marker(parse(&class)?, r.quals.priority)])
}
