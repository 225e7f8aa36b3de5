//! Policydb encodings of the non-file rule classes, as `apparmor_parser`
//! 3.0.8 writes them. Every rule becomes one or more regexes whose first
//! byte is the class:
//!
//! ```text
//! signal   (\x10\x0a | \x0a .) PEER       no signal list (label rule too)
//!          \x0a [SIGNALS] PEER            with a list
//! ptrace   (\x10 |) \x09 PEER
//! dbus     \x20 BUS \0 NAME                          bind
//!          \x20 BUS \0 NAME \0 PEER \0 PATH \0 IFACE \0 MEMBER   send/receive
//!          \x20 BUS                                  eavesdrop
//! mount    \x07 POINT \0 DEV \0 TYPE \0 FLAGS [\0 DATA]   by command
//!          \x07 POINT                                umount
//!          \x07 NEWROOT \0 OLDROOT                   pivot_root
//! net v8   \x0e FAMILY(2 bytes) TYPE(2 bytes)       one per type bit
//! ```
//!
//! PEER defaults to `[^\0]+`, other unset fields to `[^\0]*`; user values
//! are globs converted like file paths (without slash filtering).

use crate::glob::{self, GlobMode};
use crate::profile::{NetMasks, Origin, ProfileError, Quals};
use crate::regex::{self, Regex};

/// One policydb entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRule {
    pub regex: Regex,
    pub deny: bool,
    pub perms: u32,
    pub audit: u32,
}

/// A class encoder's error, before the caller knows the rule's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassError(pub String);

impl ClassError {
    pub fn at(self, origin: Origin) -> ProfileError {
        ProfileError::Invalid { origin, message: self.0 }
    }
}

const DEFAULT_MATCH: &str = "[^\\x00]*";
const ANYONE_MATCH: &str = "[^\\x00]+";

fn hex(b: u8) -> String {
    format!("\\x{b:02x}")
}

/// Converts a user glob to regex text (no slash filtering).
fn glob_text(g: &str) -> Result<String, ClassError> {
    let t = glob::glob_to_regex_text(g.as_bytes(), GlobMode::Default).map_err(|e| ClassError(e.to_string()))?;
    Ok(String::from_utf8_lossy(&t.text).into_owned())
}

fn parse(text: &str) -> Result<Regex, ClassError> {
    regex::parse(text.as_bytes()).map_err(|e| ClassError(format!("{text:?}: {}", e.message)))
}

/// Parses each element and joins them with NUL bytes, as the parser's
/// `add_rule_vec` does.
fn vec_regex(parts: &[&str]) -> Result<Regex, ClassError> {
    let mut it = parts.iter();
    let mut re = parse(it.next().copied().unwrap_or(""))?;
    for p in it {
        re = Regex::join_with_nul(re, parse(p)?);
    }
    Ok(re)
}

fn rule(regex: Regex, q: Quals, perms: u32) -> PolicyRule {
    PolicyRule { regex, deny: q.deny, perms, audit: q.audit_bits(perms) }
}

// ---------------------------------------------------------------- signal

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

// ---------------------------------------------------------------- ptrace

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

// ---------------------------------------------------------------- dbus

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

// ---------------------------------------------------------------- mount

/// Which mount-family rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MountKind {
    #[default]
    Mount,
    Remount,
    Umount,
    PivotRoot,
}

/// `mount [fstype=] [options=|options in] [SOURCE] [-> POINT]`,
/// `remount [...] POINT`, `umount POINT`, `pivot_root [oldroot=] NEW [-> PROFILE]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MountRule {
    pub quals: Quals,
    pub kind: MountKind,
    /// `fstype=(...)` / `vfstype=` globs.
    pub fstype: Vec<String>,
    /// `options=(...)`: every flag required as listed.
    pub options_eq: Vec<String>,
    /// `options in (...)`: flags that may be present.
    pub options_in: Vec<String>,
    /// Mount source device, or pivot_root's `oldroot=`.
    pub source: Option<String>,
    /// Mount point, remount/umount path, or pivot_root's new root.
    pub mountpoint: Option<String>,
    /// pivot_root's `-> PROFILE`.
    pub target: Option<String>,
}

const MS_RDONLY: u32 = 1 << 0;
const MS_NOSUID: u32 = 1 << 1;
const MS_NODEV: u32 = 1 << 2;
const MS_NOEXEC: u32 = 1 << 3;
const MS_SYNC: u32 = 1 << 4;
const MS_REMOUNT: u32 = 1 << 5;
const MS_MAND: u32 = 1 << 6;
const MS_DIRSYNC: u32 = 1 << 7;
const MS_NOATIME: u32 = 1 << 10;
const MS_NODIRATIME: u32 = 1 << 11;
const MS_BIND: u32 = 1 << 12;
const MS_MOVE: u32 = 1 << 13;
const MS_REC: u32 = 1 << 14;
const MS_VERBOSE: u32 = 1 << 15;
const MS_ACL: u32 = 1 << 16;
const MS_UNBINDABLE: u32 = 1 << 17;
const MS_PRIVATE: u32 = 1 << 18;
const MS_SLAVE: u32 = 1 << 19;
const MS_SHARED: u32 = 1 << 20;
const MS_RELATIME: u32 = 1 << 21;
const MS_IVERSION: u32 = 1 << 23;
const MS_STRICTATIME: u32 = 1 << 24;
const MS_NOUSER: u32 = 1 << 31;
const MS_RBIND: u32 = MS_BIND | MS_REC;
const MS_ALL: u32 = MS_RDONLY
    | MS_NOSUID
    | MS_NODEV
    | MS_NOEXEC
    | MS_SYNC
    | MS_REMOUNT
    | MS_MAND
    | MS_DIRSYNC
    | MS_NOATIME
    | MS_NODIRATIME
    | MS_RBIND
    | MS_MOVE
    | MS_VERBOSE
    | MS_ACL
    | MS_UNBINDABLE
    | MS_REC
    | MS_PRIVATE
    | MS_SLAVE
    | MS_SHARED
    | MS_RELATIME
    | MS_IVERSION
    | MS_STRICTATIME;
/// Flags the kernel masks off before checking.
const MNT_FLAGS: u32 = MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
const MS_BIND_FLAGS: u32 = MS_RBIND;
const MS_MAKE: u32 = MS_UNBINDABLE | MS_REC | MS_PRIVATE | MS_SLAVE | MS_SHARED;
const MS_MAKE_FLAGS: u32 = MS_MAKE | (MS_ALL & !MNT_FLAGS);
const MS_CMDS: u32 = MS_MOVE | MS_REMOUNT | MS_RBIND | MS_MAKE;
const MS_REMOUNT_FLAGS: u32 = MS_ALL & !(MS_CMDS & !MS_REMOUNT & !MS_BIND & !MS_RBIND);

const MAY_PIVOTROOT: u32 = 1;
const MAY_MOUNT: u32 = 2;
const MAY_UMOUNT: u32 = 4;
const MATCH_CONT: u32 = 0x40;

/// (option, flags set, flags cleared). `user`/`nouser` are inverted in
/// the kernel (MS_NOUSER).
const MOUNT_OPTIONS: &[(&str, u32, u32)] = &[
    ("ro", MS_RDONLY, 0),
    ("r", MS_RDONLY, 0),
    ("read-only", MS_RDONLY, 0),
    ("rw", 0, MS_RDONLY),
    ("w", 0, MS_RDONLY),
    ("suid", 0, MS_NOSUID),
    ("nosuid", MS_NOSUID, 0),
    ("dev", 0, MS_NODEV),
    ("nodev", MS_NODEV, 0),
    ("exec", 0, MS_NOEXEC),
    ("noexec", MS_NOEXEC, 0),
    ("sync", MS_SYNC, 0),
    ("async", 0, MS_SYNC),
    ("remount", MS_REMOUNT, 0),
    ("mand", MS_MAND, 0),
    ("nomand", 0, MS_MAND),
    ("dirsync", MS_DIRSYNC, 0),
    ("atime", 0, MS_NOATIME),
    ("noatime", MS_NOATIME, 0),
    ("diratime", 0, MS_NODIRATIME),
    ("nodiratime", MS_NODIRATIME, 0),
    ("bind", MS_BIND, 0),
    ("B", MS_BIND, 0),
    ("move", MS_MOVE, 0),
    ("M", MS_MOVE, 0),
    ("rbind", MS_RBIND, 0),
    ("R", MS_RBIND, 0),
    ("verbose", MS_VERBOSE, 0),
    ("silent", MS_VERBOSE, 0),
    ("loud", 0, MS_VERBOSE),
    ("acl", MS_ACL, 0),
    ("noacl", 0, MS_ACL),
    ("unbindable", MS_UNBINDABLE, 0),
    ("make-unbindable", MS_UNBINDABLE, 0),
    ("runbindable", MS_UNBINDABLE | MS_REC, 0),
    ("make-runbindable", MS_UNBINDABLE | MS_REC, 0),
    ("private", MS_PRIVATE, 0),
    ("make-private", MS_PRIVATE, 0),
    ("rprivate", MS_PRIVATE | MS_REC, 0),
    ("make-rprivate", MS_PRIVATE | MS_REC, 0),
    ("slave", MS_SLAVE, 0),
    ("make-slave", MS_SLAVE, 0),
    ("rslave", MS_SLAVE | MS_REC, 0),
    ("make-rslave", MS_SLAVE | MS_REC, 0),
    ("shared", MS_SHARED, 0),
    ("make-shared", MS_SHARED, 0),
    ("rshared", MS_SHARED | MS_REC, 0),
    ("make-rshared", MS_SHARED | MS_REC, 0),
    ("relatime", MS_RELATIME, 0),
    ("norelatime", 0, 0),
    ("iversion", MS_IVERSION, 0),
    ("noiversion", 0, MS_IVERSION),
    ("strictatime", MS_STRICTATIME, 0),
    ("user", 0, MS_NOUSER),
    ("nouser", MS_NOUSER, 0),
];

/// Splits options into (set flags, cleared flags, leftover data options).
fn split_options(opts: &[String]) -> (u32, u32, Vec<String>) {
    let (mut set, mut clear, mut rest) = (0, 0, Vec::new());
    for o in opts {
        match MOUNT_OPTIONS.iter().find(|(n, _, _)| n == o) {
            Some(&(_, s, c)) => {
                set |= s;
                clear |= c;
            }
            None => rest.push(o.clone()),
        }
    }
    (set, clear, rest)
}

/// The flags regex: each bit `i` set becomes byte `i + 1`, optional when
/// also inverted; all flags optional is "anything".
fn flags_text(flags: u32, inv: u32) -> String {
    if flags == MS_ALL {
        return DEFAULT_MATCH.to_owned();
    }
    let mut out = String::new();
    for i in 0..32 {
        let bit = 1u32 << i;
        if flags & inv & bit != 0 {
            out.push_str(&format!("({}|)", hex(i as u8 + 1)));
        } else if flags & bit != 0 {
            out.push_str(&hex(i as u8 + 1));
        }
    }
    if out.is_empty() {
        out.push_str("(\\xfe|)");
    }
    out
}

pub fn mount_rules(r: &MountRule) -> Result<Vec<PolicyRule>, ClassError> {
    let field = |v: &Option<String>| match v {
        Some(g) => glob_text(g),
        None => Ok(DEFAULT_MATCH.to_owned()),
    };
    let q = r.quals;
    let hdr = "\\x07";
    let point = format!("{hdr}{}", field(&r.mountpoint)?);
    let mut out = Vec::new();
    let add = |out: &mut Vec<PolicyRule>, parts: &[&str], allow: u32, audit_extra: u32| {
        vec_regex(parts).map(|re| {
            out.push(PolicyRule {
                regex: re,
                deny: q.deny,
                perms: allow,
                audit: q.audit_bits(allow_of(r)) | audit_extra,
            })
        })
    };
    match r.kind {
        MountKind::Umount => {
            add(&mut out, &[&point], MAY_UMOUNT, 0)?;
            return Ok(out);
        }
        MountKind::PivotRoot => {
            add(&mut out, &[&point, &field(&r.source)?], MAY_PIVOTROOT, 0)?;
            return Ok(out);
        }
        _ => {}
    }
    // Flags as the parser's mount rule constructor computes them.
    let (mut flags, mut inv, mut opts) = split_options(&r.options_eq);
    let (lset, lclear, lrest) = split_options(&r.options_in);
    let optional = lset | lclear;
    flags |= optional;
    inv |= optional;
    opts.extend(lrest);
    let has_dev = r.source.is_some();
    let has_type = !r.fstype.is_empty();
    if r.kind == MountKind::Remount {
        flags |= MS_REMOUNT;
        inv = 0;
    } else if flags | inv == 0 {
        flags = MS_ALL;
        inv = MS_ALL;
    }
    if let Some(o) = opts.first() {
        // 3.0.8 rejects mount data options ("unsupported mount options").
        return Err(ClassError(format!("unsupported mount option {o:?}")));
    }
    let data = if opts.is_empty() {
        None
    } else {
        let parts: Result<Vec<String>, ClassError> = opts.iter().map(|o| glob_text(o)).collect();
        Some(parts?.join(","))
    };
    let dev = field(&r.source)?;
    let narrow = |mask: u32| {
        let mut f = flags;
        let mut i = inv;
        if f != MS_ALL {
            f &= mask;
        }
        if i != MS_ALL {
            // As in the parser, the inverse mask narrows `flags` again
            // for the command forms; the generic form narrows `inv`.
            f &= mask;
        }
        if mask == !MS_CMDS {
            f = flags;
            i = inv;
            if f != MS_ALL {
                f &= mask;
            }
            if i != MS_ALL {
                i &= mask;
            }
        }
        flags_text(f, i)
    };
    if flags & MS_REMOUNT != 0 && !has_dev && !has_type {
        // Remount: point (or device), any device, any type.
        let fl = narrow(MS_REMOUNT_FLAGS);
        let v = [point.as_str(), DEFAULT_MATCH, DEFAULT_MATCH, &fl];
        let allow = if data.is_some() { MATCH_CONT } else { MAY_MOUNT };
        add(&mut out, &v, allow, MATCH_CONT)?;
        if let Some(d) = &data {
            let v5 = [v[0], v[1], v[2], v[3], d.as_str()];
            add(&mut out, &v5, MAY_MOUNT, MATCH_CONT)?;
        }
    }
    if flags & MS_BIND != 0 && !has_type && data.is_none() {
        let fl = narrow(MS_BIND_FLAGS);
        add(&mut out, &[&point, &dev, DEFAULT_MATCH, &fl], MAY_MOUNT, 0)?;
    }
    if flags & MS_MAKE != 0 && !has_dev && !has_type && data.is_none() {
        let fl = narrow(MS_MAKE_FLAGS);
        add(&mut out, &[&point, DEFAULT_MATCH, DEFAULT_MATCH, &fl], MAY_MOUNT, 0)?;
    }
    if flags & MS_MOVE != 0 && !has_type && data.is_none() {
        let fl = narrow(MS_MOVE);
        add(&mut out, &[&point, &dev, DEFAULT_MATCH, &fl], MAY_MOUNT, 0)?;
    }
    if (flags | inv) & !MS_CMDS != 0 {
        let ty = if has_type {
            let parts: Result<Vec<String>, ClassError> = r.fstype.iter().map(|t| glob_text(t)).collect();
            format!("({})", parts?.join("|"))
        } else {
            DEFAULT_MATCH.to_owned()
        };
        let fl = narrow(!MS_CMDS);
        let v = [point.as_str(), &dev, &ty, &fl];
        let allow = if data.is_some() { MATCH_CONT } else { MAY_MOUNT };
        add(&mut out, &v, allow, MATCH_CONT)?;
        if let Some(d) = &data {
            let v5 = [v[0], v[1], v[2], v[3], d.as_str()];
            add(&mut out, &v5, MAY_MOUNT, MATCH_CONT)?;
        }
    }
    if out.is_empty() {
        return Err(ClassError("mount rule encodes nothing".into()));
    }
    Ok(out)
}

/// The rule's permission as the parser stores it (for the audit word).
fn allow_of(r: &MountRule) -> u32 {
    match r.kind {
        MountKind::Mount | MountKind::Remount => MAY_MOUNT,
        MountKind::Umount => MAY_UMOUNT,
        MountKind::PivotRoot => MAY_PIVOTROOT,
    }
}

// ---------------------------------------------------------------- network

/// Number of address families 3.0.8's tables cover.
pub const AF_MAX: usize = 46;

const FAMILIES: [&str; AF_MAX] = [
    "unspec",
    "unix",
    "inet",
    "ax25",
    "ipx",
    "appletalk",
    "netrom",
    "bridge",
    "atmpvc",
    "x25",
    "inet6",
    "rose",
    "",
    "netbeui",
    "security",
    "key",
    "netlink",
    "packet",
    "ash",
    "econet",
    "atmsvc",
    "rds",
    "sna",
    "irda",
    "pppox",
    "wanpipe",
    "llc",
    "ib",
    "mpls",
    "can",
    "tipc",
    "bluetooth",
    "iucv",
    "rxrpc",
    "isdn",
    "phonet",
    "ieee802154",
    "caif",
    "alg",
    "nfc",
    "vsock",
    "kcm",
    "qipcrtr",
    "smc",
    "xdp",
    "mctp",
];

/// The address family number of a name (`inet` → 2).
pub fn family_number(name: &str) -> Option<u16> {
    let name = if name == "local" { "unix" } else { name };
    FAMILIES.iter().position(|f| !f.is_empty() && *f == name).map(|i| i as u16)
}

/// The socket type number of a name (`stream` → 1).
pub fn sock_type_number(name: &str) -> Option<u16> {
    Some(match name {
        "stream" => 1,
        "dgram" => 2,
        "raw" => 3,
        "rdm" => 4,
        "seqpacket" => 5,
        "dccp" => 6,
        "packet" => 10,
        _ => return None,
    })
}

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
}

/// Adds a network rule to the per-family masks.
pub fn network_masks(r: &NetworkRule, net: &mut [NetMasks]) -> Result<(), String> {
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
        None => (0..net.len()).filter(|&f| !FAMILIES[f].is_empty()).collect(),
    };
    for f in fams {
        let m = &mut net[f];
        if r.quals.deny {
            m.deny |= mask;
            if !r.quals.audit {
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
                    out.push(PolicyRule { regex: re, deny, perms: ALL_NET, audit: ALL_NET });
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
                    });
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------- unix

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
