//! Our compiled profile against the one `apparmor_parser` wrote (decoded
//! with `aa_dfa::Policy::decode`): each DFA by a product walk (first
//! differing input), and the plain words (capabilities, rlimits, flags,
//! attachment length, named transitions, network table).

use aa_dfa::policy::Mode;
use aa_dfa::profile::{CompiledDfa, ProfileMode};
use aa_dfa::{CompiledProfile, DecodedDfa, find_difference};

/// Which part of a profile differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    File,
    Xmatch,
    Policy,
    Words,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::File => "file DFA",
            Part::Xmatch => "xmatch DFA",
            Part::Policy => "policy DFA",
            Part::Words => "profile words",
        }
    }
}

/// One difference between ours and theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub part: Part,
    pub message: String,
    /// The shortest input on which the DFAs differ, when a DFA differs.
    pub example: Option<Vec<u8>>,
}

/// Shows an input with non-printable bytes escaped.
pub fn escape(input: &[u8]) -> String {
    let mut s = String::new();
    for &b in input {
        if b.is_ascii_graphic() || b == b' ' {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s
}

fn dfa(part: Part, ours: Option<&CompiledDfa>, theirs: Option<&DecodedDfa>, out: &mut Vec<Mismatch>) {
    match (ours, theirs) {
        (None, None) => {}
        (Some(o), Some(t)) => {
            if let Some(d) = find_difference(&o.dfa, &t.tables) {
                out.push(Mismatch {
                    part,
                    message: format!(
                        "at \"{}\": ours accept {:#x}/{:#x}, apparmor_parser {:#x}/{:#x}",
                        escape(&d.input),
                        d.left.0,
                        d.left.1,
                        d.right.0,
                        d.right.1
                    ),
                    example: Some(d.input),
                });
            }
        }
        (o, t) => out.push(Mismatch {
            part,
            message: format!(
                "ours {}, apparmor_parser {}",
                if o.is_some() { "has one" } else { "has none" },
                if t.is_some() { "has one" } else { "has none" }
            ),
            example: None,
        }),
    }
}

/// Every difference between our compile and the parser's, DFAs first.
pub fn compare_profile(ours: &CompiledProfile, theirs: &aa_dfa::Profile) -> Vec<Mismatch> {
    let mut out = Vec::new();
    dfa(Part::File, ours.file.as_ref(), theirs.file.as_ref(), &mut out);
    dfa(Part::Xmatch, ours.xmatch.as_ref(), theirs.xmatch.as_ref(), &mut out);
    dfa(Part::Policy, ours.policydb.as_ref(), theirs.policydb.as_ref(), &mut out);
    let mut words = |what: &str, a: String, b: String| {
        if a != b {
            out.push(Mismatch {
                part: Part::Words,
                message: format!("{what}: ours {a}, apparmor_parser {b}"),
                example: None,
            });
        }
    };
    if ours.xmatch.is_some() || theirs.xmatch.is_some() {
        words("attachment match length", ours.xmatch_len.to_string(), theirs.xmatch_len.to_string());
    }
    words("capabilities", format!("{:#x}", ours.caps_allow), format!("{:#x}", theirs.caps.allow));
    words("audited capabilities", format!("{:#x}", ours.caps_audit), format!("{:#x}", theirs.caps.audit));
    words("quiet capabilities", format!("{:#x}", ours.caps_quiet), format!("{:#x}", theirs.caps.quiet));
    words("named transitions", format!("{:?}", ours.xtable), format!("{:?}", theirs.xtable));
    let mode = match ours.flags.mode {
        ProfileMode::Enforce => Mode::Enforce,
        ProfileMode::Complain => Mode::Complain,
        ProfileMode::Kill => Mode::Kill,
        ProfileMode::Unconfined | ProfileMode::DefaultAllow => Mode::Unconfined,
        ProfileMode::Prompt => Mode::Other(4),
    };
    words("mode", format!("{mode:?}"), format!("{:?}", theirs.mode));
    words("audit flag", ours.flags.audit.to_string(), theirs.audit.to_string());
    words("flags word", format!("{:#x}", aa_dfa::profile::flags_word(&ours.flags)), format!("{:#x}", theirs.hat_flags));
    words("disconnected path", format!("{:?}", ours.disconnected_path), format!("{:?}", theirs.disconnected));
    words("kill signal", format!("{:?}", ours.kill_signal), format!("{:?}", theirs.kill_signal));
    words("error code", format!("{:?}", ours.error_code), format!("{:?}", theirs.error_code));
    words("path flags", format!("{:?}", path_flags(&ours.flags)), format!("{:?}", theirs.path_flags));
    let ours_rl: Vec<(u32, u64)> = {
        let mut v: Vec<(u32, u64)> = ours.rlimits.iter().map(|r| (r.resource, r.value)).collect();
        v.sort_unstable();
        v
    };
    let theirs_rl: Vec<(u32, u64)> = match &theirs.rlimits {
        Some(rl) => (0..32u32)
            .filter(|i| rl.mask & (1 << i) != 0)
            .map(|i| (i, rl.limits.get(i as usize).copied().unwrap_or(0)))
            .collect(),
        None => Vec::new(),
    };
    words("rlimits", format!("{ours_rl:?}"), format!("{theirs_rl:?}"));
    let net_ours: Vec<(u16, u16, u16)> = if ours.emit_net_table {
        // The kernel's table holds 16 bits per family.
        ours.net
            .iter()
            .map(|m| ((m.allow & !m.deny) as u16, (m.allow & !m.deny & m.audit) as u16, (m.deny & m.quiet) as u16))
            .collect()
    } else {
        Vec::new()
    };
    let net_theirs: Vec<(u16, u16, u16)> = theirs.net_allowed_af.iter().map(|n| (n.allow, n.audit, n.quiet)).collect();
    words("network table", format!("{net_ours:?}"), format!("{net_theirs:?}"));
    out
}

/// The `path_flags` word 3.0.8 writes for a profile's flags (`None`: the
/// parser writes none).
pub fn path_flags(f: &aa_dfa::profile::ProfileFlags) -> Option<u32> {
    const CONNECT_PATH: u32 = 0x4;
    const CHROOT_REL: u32 = 0x8;
    const CHROOT_NSCONNECT: u32 = 0x10;
    const MEDIATE_DELETED: u32 = 0x10000;
    let mut w = 0;
    if f.attach_disconnected {
        w |= CONNECT_PATH;
    }
    if f.chroot_relative {
        w |= CHROOT_REL;
    }
    if f.chroot_attach {
        w |= CHROOT_NSCONNECT;
    }
    if f.mediate_deleted {
        w |= MEDIATE_DELETED;
    }
    (w != 0 || f.path_given).then_some(w)
}
