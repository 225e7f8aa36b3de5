use super::*;

/// `signal [PERMS] [set=(...)] [peer=LABEL],`
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignalRule {
    pub quals: Quals,
    /// [`SignalRule::SEND`] | [`SignalRule::RECEIVE`]; 0 means both.
    pub perms: u32,
    /// Signal names (`hup`, `rtmin+3`, ...); empty means any.
    pub signals: Vec<String>,
    pub peer: Option<String>,
}

impl SignalRule {
    pub const SEND: u32 = 1 << 1;
    pub const RECEIVE: u32 = 1 << 2;
}

const SIGNAL_NAMES: [&str; 32] = [
    "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv", "usr2", "pipe", "alrm", "term",
    "stkflt", "chld", "cont", "stop", "stp", "ttin", "ttou", "urg", "xcpu", "xfsz", "vtalrm", "prof", "winch", "io",
    "pwr", "sys", "emt",
];

/// The parser's signal number: 1..=32 for names, 35 for `exists`,
/// 128 + N for `rtmin+N` (N ≤ 32).
pub fn signal_number(name: &str) -> Option<u8> {
    if let Some(i) = SIGNAL_NAMES.iter().position(|n| *n == name) {
        return Some(i as u8 + 1);
    }
    if name == "exists" {
        return Some(35);
    }
    let n: u8 = name.strip_prefix("rtmin+")?.parse().ok()?;
    (n <= 32).then_some(128 + n)
}

pub fn signal_rules(r: &SignalRule) -> Result<Vec<PolicyRule>, ClassError> {
    let perms = if r.perms == 0 { SignalRule::SEND | SignalRule::RECEIVE } else { r.perms };
    let mut sigs = Vec::new();
    for s in &r.signals {
        sigs.push(signal_number(s).ok_or_else(|| ClassError(format!("unknown signal {s:?}")))?);
    }
    sigs.sort_unstable();
    sigs.dedup();
    let peer = match &r.peer {
        Some(p) => glob_text(p)?,
        None => ANYONE_MATCH.to_owned(),
    };
    let text = if sigs.is_empty() {
        format!("(\\x10\\x0a|\\x0a.){peer}")
    } else {
        let set: String = sigs.iter().map(|&s| hex(s)).collect();
        format!("\\x0a[{set}]{peer}")
    };
    Ok(vec![rule(parse(&text)?, r.quals, perms)])
}
