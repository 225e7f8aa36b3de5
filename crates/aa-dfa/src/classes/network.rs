use super::*;

pub use aa_target::network::{AF_MAX, family_number, sock_type_number};

/// `network [FAMILY] [TYPE],` with names already turned into numbers
/// ([`family_number`], [`sock_type_number`]; `tcp`/`udp` as a type mean
/// stream/dgram, the caller maps them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkRule {
    pub quals: Quals,
    /// `None`: every family.
    pub family: Option<u16>,
    /// `None`: every type.
    pub sock_type: Option<u16>,
    /// Made by an `all` rule: 4.1 does not put it into the per-family
    /// table (only `network` statements update it).
    pub skip_table: bool,
}

/// Adds a network rule to the per-family masks; `deny_quiet` says which
/// deny rules are quiet there.
pub fn network_masks(r: &NetworkRule, net: &mut [NetMasks], deny_quiet: &aa_target::DenyQuiet) -> Result<(), String> {
    let quiet = match deny_quiet {
        aa_target::DenyQuiet::UnlessAudited => !r.quals.audit,
        aa_target::DenyQuiet::OnlyAudited => r.quals.audit,
    };
    // A family alone means its named socket types (stream, dgram, raw,
    // rdm, seqpacket, packet); no family and no type means everything.
    // The parser's masks are 32 bits wide; `network,` sets all of them.
    let mask: u32 = match (r.family, r.sock_type) {
        (_, Some(t)) if t < 16 => 1 << t,
        (_, Some(t)) => return Err(format!("socket type {t} out of range")),
        (Some(_), None) => 0x043e,
        (None, None) => u32::MAX,
    };
    let fams: Vec<usize> = match r.family {
        Some(f) if (f as usize) < net.len() => vec![f as usize],
        Some(f) => return Err(format!("address family {f} out of range")),
        None if r.sock_type.is_none() => (0..net.len()).collect(),
        None => (0..net.len()).filter(|&f| aa_target::network::family_name(f as u16).is_some()).collect(),
    };
    for f in fams {
        let m = &mut net[f];
        if r.quals.deny {
            m.deny |= mask;
            if quiet {
                m.quiet |= mask;
            }
        } else {
            m.allow |= mask;
            if r.quals.audit {
                m.audit |= mask;
            }
        }
    }
    Ok(())
}

/// The policydb entries network_v8 generates from the masks.
pub fn network_v8_rules(net: &[NetMasks]) -> Vec<PolicyRule> {
    // Every network permission, in the policydb's packed layout.
    const ALL_NET: u32 = 0x001f_c076;
    let mut out = Vec::new();
    for (af, m) in net.iter().enumerate() {
        if m.allow | m.deny | m.audit | m.quiet == 0 {
            continue;
        }
        for (mask, aud, deny) in [(m.allow, m.audit, false), (m.deny, m.quiet, true)] {
            if mask > 0xffff && aud > 0xffff {
                // Both masks wider than the 16 types: one rule for any
                // type, audited (the parser passes the mask as a flag).
                let text = format!("\\x0e{}{}..", hex((af >> 8) as u8), hex(af as u8));
                if let Ok(re) = regex::parse(text.as_bytes()) {
                    out.push(PolicyRule {
                        regex: re,
                        deny,
                        perms: ALL_NET,
                        audit: ALL_NET,
                        priority: 0,
                        prompt: false,
                    });
                }
                continue;
            }
            for t in 0..16u16 {
                if mask & (1 << t) == 0 {
                    continue;
                }
                let text =
                    format!("\\x0e{}{}{}{}", hex((af >> 8) as u8), hex(af as u8), hex((t >> 8) as u8), hex(t as u8));
                if let Ok(re) = regex::parse(text.as_bytes()) {
                    out.push(PolicyRule {
                        regex: re,
                        deny,
                        perms: ALL_NET,
                        audit: if aud & (1 << t) != 0 { ALL_NET } else { 0 },
                        priority: 0,
                        prompt: false,
                    });
                }
            }
        }
    }
    out
}
