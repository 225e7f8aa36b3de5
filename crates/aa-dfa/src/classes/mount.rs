use super::*;

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
                priority: q.priority,
                prompt: q.prompt,
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
