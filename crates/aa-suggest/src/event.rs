//! What an audit record asks for, by rule class: the access a rule would
//! have to grant. Records that grant nothing to add (status changes,
//! hints, internal errors, `AUDIT` records of accesses already allowed,
//! accesses that failed for another reason than the policy) are not
//! accesses.

use aa_log::{EventType, Record};

/// One access a profile was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    /// A file access; `owner` when the task's fsuid owns the file.
    File {
        path: String,
        perms: FilePerms,
        owner: bool,
    },
    /// A hard link `path -> target`.
    Link {
        path: String,
        target: String,
        owner: bool,
    },
    /// Executing a program.
    Exec {
        path: String,
        owner: bool,
    },
    Capability {
        name: String,
    },
    /// The addresses and ports are kept for fine-grained rules (4.x).
    Network {
        perms: Vec<String>,
        family: String,
        sock_type: Option<String>,
        local: (Option<String>, Option<u64>),
        peer: (Option<String>, Option<u64>),
    },
    Unix {
        perms: Vec<String>,
        sock_type: Option<String>,
        addr: Option<String>,
        peer_label: Option<String>,
        peer_addr: Option<String>,
    },
    Signal {
        perms: Vec<String>,
        signal: Option<String>,
        peer: String,
    },
    Ptrace {
        perms: Vec<String>,
        peer: String,
    },
    Dbus(DbusAccess),
    Mount {
        fstype: Option<String>,
        flags: Vec<String>,
        source: Option<String>,
        point: String,
    },
    Umount {
        point: String,
    },
    PivotRoot {
        new_root: String,
        old_root: Option<String>,
    },
    ChangeProfile {
        target: String,
    },
    Mqueue {
        perms: Vec<String>,
        kind: String,
        name: Option<String>,
    },
    Userns {
        perms: Vec<String>,
    },
    IoUring {
        perms: Vec<String>,
        label: Option<String>,
    },
}

/// File permission letters (`r w a l k m`; create and delete are `w`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FilePerms {
    pub read: bool,
    pub write: bool,
    pub append: bool,
    pub link: bool,
    pub lock: bool,
    pub mmap: bool,
}

impl FilePerms {
    pub fn is_empty(&self) -> bool {
        *self == FilePerms::default()
    }

    pub fn union(self, o: FilePerms) -> FilePerms {
        FilePerms {
            read: self.read | o.read,
            write: self.write | o.write,
            append: self.append | o.append,
            link: self.link | o.link,
            lock: self.lock | o.lock,
            mmap: self.mmap | o.mmap,
        }
    }

    /// The letters of a rule, in the order AppArmor's tools write them.
    pub fn letters(&self) -> String {
        let mut s = String::new();
        for (on, c) in [
            (self.mmap, 'm'),
            (self.read, 'r'),
            (self.write, 'w'),
            (self.append && !self.write, 'a'),
            (self.lock, 'k'),
            (self.link, 'l'),
        ] {
            if on {
                s.push(c);
            }
        }
        s
    }

    /// The packed bits of one half (`aa_dfa::perms::old`).
    pub fn bits(&self) -> u32 {
        use aa_dfa::perms::old;
        let mut b = 0;
        for (on, bit) in [
            (self.read, old::READ),
            (self.write, old::WRITE),
            (self.append, old::APPEND),
            (self.link, old::LINK),
            (self.lock, old::LOCK),
            (self.mmap, old::EXEC_MMAP),
        ] {
            if on {
                b |= bit;
            }
        }
        b
    }

    /// From packed bits of one half.
    pub fn from_bits(b: u32) -> FilePerms {
        use aa_dfa::perms::old;
        FilePerms {
            read: b & old::READ != 0,
            write: b & old::WRITE != 0,
            append: b & old::APPEND != 0 && b & old::WRITE == 0,
            link: b & old::LINK != 0,
            lock: b & old::LOCK != 0,
            mmap: b & old::EXEC_MMAP != 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DbusAccess {
    Bind {
        bus: String,
        name: String,
    },
    Eavesdrop {
        bus: String,
    },
    Message {
        perms: Vec<String>,
        bus: String,
        path: Option<String>,
        interface: Option<String>,
        member: Option<String>,
        peer_name: Option<String>,
        peer_label: Option<String>,
    },
}

/// An access read from a record, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Access(Access),
    /// Nothing to add (and why).
    Skip(&'static str),
}

/// The words of a mask field (`send receive`, `r::`, `wc`).
fn mask_words(m: &str) -> Vec<String> {
    let mut w: Vec<String> = m.split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    w.sort();
    w.dedup();
    w
}

/// The file letters of a mask (`r`, `wc::`, `::r`, `mrwIxl`): the owner and
/// other halves together. `x` (and the old inherit letters) ask for exec.
fn file_letters(m: &str) -> (FilePerms, bool) {
    let mut p = FilePerms::default();
    let mut exec = false;
    for c in m.chars() {
        match c {
            'r' => p.read = true,
            'w' | 'c' | 'd' => p.write = true,
            'a' => p.append = true,
            'l' => p.link = true,
            'k' => p.lock = true,
            'm' => p.mmap = true,
            'x' | 'X' | 'i' | 'I' | 'p' | 'P' | 'u' | 'U' => exec = true,
            _ => {}
        }
    }
    (p, exec)
}

fn owner_of(r: &Record) -> bool {
    matches!((r.fsuid, r.ouid), (Some(a), Some(b)) if a == b)
}

/// The requested mask, else the denied one.
fn mask(r: &Record) -> Option<&str> {
    r.denied_mask.as_deref().filter(|m| !m.is_empty()).or(r.requested_mask.as_deref()).filter(|m| !m.is_empty())
}

fn requested(r: &Record) -> Vec<String> {
    r.denied_mask.as_deref().or(r.requested_mask.as_deref()).map(mask_words).unwrap_or_default()
}

/// Reads the access of a record.
pub fn access_of(r: &Record) -> Reading {
    match r.event {
        EventType::Allowed | EventType::Denied => {}
        EventType::Audit => return Reading::Skip("an AUDIT record reports an access the profile allowed"),
        _ => return Reading::Skip("not an access record (status, hint or error)"),
    }
    let op = r.operation.as_deref().unwrap_or("");
    let class = r.rule_class.as_deref().unwrap_or("");
    let name = r.name.clone();
    if r.rule_class.as_deref() == Some("net") || r.net_family.is_some() {
        // The kernel logs `denied=` with `requested=` when the policy
        // denied something: without it, the failure came from elsewhere.
        if r.requested_mask.is_some() && r.denied_mask.is_none() {
            return Reading::Skip("a network record with a requested but no denied mask: the policy denied nothing");
        }
    }
    match class {
        "net" if r.net_family.as_deref() == Some("unix") => return unix(r),
        "net" => return network(r),
        "posix_mqueue" | "sysv_mqueue" => {
            let kind = if class == "posix_mqueue" { "posix" } else { "sysv" };
            return Reading::Access(Access::Mqueue { perms: requested(r), kind: kind.to_owned(), name });
        }
        "namespace" => {
            let perms = requested(r).into_iter().map(|p| p.strip_prefix("userns_").unwrap_or(&p).to_owned()).collect();
            return Reading::Access(Access::Userns { perms });
        }
        "io_uring" => return Reading::Access(Access::IoUring { perms: requested(r), label: r.peer_profile.clone() }),
        _ => {}
    }
    if r.net_family.is_some() && !name.as_deref().is_some_and(|n| n.starts_with('/')) {
        return if r.net_family.as_deref() == Some("unix") { unix(r) } else { network(r) };
    }
    match op {
        "capable" => match name {
            Some(n) => Reading::Access(Access::Capability { name: n }),
            None => Reading::Skip("a capability record without a capability name"),
        },
        "signal" => Reading::Access(Access::Signal {
            perms: requested(r),
            signal: r.signal.clone(),
            peer: r.peer.clone().or(r.peer_profile.clone()).unwrap_or_else(|| "unconfined".to_owned()),
        }),
        "ptrace" => match r.peer.clone().or(r.peer_profile.clone()).filter(|p| !p.is_empty()) {
            Some(peer) => {
                let perms = requested(r);
                if perms.is_empty() {
                    return Reading::Skip("a ptrace record without a mask: what was asked for is unknown");
                }
                Reading::Access(Access::Ptrace { perms, peer })
            }
            None => Reading::Skip("a ptrace record without a peer"),
        },
        "dbus_method_call" | "dbus_signal" | "dbus_bind" | "dbus_eavesdrop" => dbus(r),
        "mount" => match name {
            Some(point) => Reading::Access(Access::Mount {
                fstype: r.fs_type.clone(),
                flags: r
                    .flags
                    .as_deref()
                    .map(|f| {
                        let mut v: Vec<String> =
                            f.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                        v.sort();
                        v.dedup();
                        v
                    })
                    .unwrap_or_default(),
                source: r.src_name.clone(),
                point,
            }),
            None => Reading::Skip("a mount record without a mount point"),
        },
        "umount" => match name {
            Some(point) => Reading::Access(Access::Umount { point }),
            None => Reading::Skip("an umount record without a mount point"),
        },
        "pivotroot" => match name {
            Some(new_root) => Reading::Access(Access::PivotRoot { new_root, old_root: r.src_name.clone() }),
            None => Reading::Skip("a pivot_root record without a new root"),
        },
        "change_profile" | "change_onexec" => {
            if r.error_code == Some(2) {
                return Reading::Skip("the target profile does not exist (error -2): a policy change cannot help");
            }
            match r.name2.clone().or(name).filter(|t| !t.is_empty()) {
                Some(target) => Reading::Access(Access::ChangeProfile { target }),
                None => Reading::Skip("a change_profile record without a target"),
            }
        }
        "change_hat" => Reading::Skip("change_hat: a hat is a profile block, not a rule (add `^HAT { }`)"),
        "exec" => match name {
            Some(path) => Reading::Access(Access::Exec { path, owner: owner_of(r) }),
            None => Reading::Skip("an exec record without a path"),
        },
        _ => file(r, op),
    }
}

fn file(r: &Record, op: &str) -> Reading {
    let Some(path) = r.name.clone() else { return Reading::Skip("a file record without a path") };
    if !path.starts_with('/') {
        return Reading::Skip("not a path (a disconnected or unresolved name)");
    }
    let Some(m) = mask(r) else { return Reading::Skip("a file record without a mask") };
    // The old `OWNER::OTHER` form says which half was asked for.
    let (letters, owner) = match m.split_once("::") {
        Some((own, "")) => (own.to_owned(), true),
        // Other tasks (too): a rule for everyone.
        Some((own, other)) => (format!("{own}{other}"), false),
        None => (m.to_owned(), owner_of(r)),
    };
    let (mut perms, exec) = file_letters(&letters);
    let link_op = matches!(op, "link" | "inode_link");
    if link_op
        && perms.link
        && let Some(target) = r.name2.clone().filter(|t| t.starts_with('/'))
    {
        return Reading::Access(Access::Link { path, target, owner });
    }
    if exec && !link_op && matches!(op, "exec" | "open") && perms.is_empty() {
        return Reading::Access(Access::Exec { path, owner });
    }
    if link_op && perms.link {
        // Only the link permission is asked for by a link.
        perms = FilePerms { link: true, ..FilePerms::default() };
    }
    if perms.is_empty() {
        return Reading::Skip("a file record asking for no file permission");
    }
    Reading::Access(Access::File { path, perms, owner })
}

fn network(r: &Record) -> Reading {
    match r.net_family.clone() {
        Some(family) => Reading::Access(Access::Network {
            perms: requested(r),
            family,
            sock_type: r.net_sock_type.clone(),
            local: (r.net_local_addr.clone(), r.net_local_port),
            peer: (r.net_foreign_addr.clone(), r.net_foreign_port),
        }),
        None => Reading::Skip("a network record without an address family"),
    }
}

fn unix(r: &Record) -> Reading {
    Reading::Access(Access::Unix {
        perms: requested(r),
        sock_type: r.net_sock_type.clone(),
        addr: r.net_addr.clone().filter(|a| a != "none"),
        peer_label: r.peer_profile.clone(),
        peer_addr: r.peer_addr.clone().filter(|a| a != "none"),
    })
}

fn dbus(r: &Record) -> Reading {
    let bus = match r.dbus_bus.clone() {
        Some(b) => b,
        None => return Reading::Skip("a dbus record without a bus"),
    };
    let perms = requested(r);
    if perms.iter().any(|p| p == "bind") {
        return match r.name.clone() {
            Some(name) => Reading::Access(Access::Dbus(DbusAccess::Bind { bus, name })),
            None => Reading::Skip("a dbus bind record without a name"),
        };
    }
    if perms.iter().any(|p| p == "eavesdrop") {
        return Reading::Access(Access::Dbus(DbusAccess::Eavesdrop { bus }));
    }
    Reading::Access(Access::Dbus(DbusAccess::Message {
        perms,
        bus,
        path: r.dbus_path.clone(),
        interface: r.dbus_interface.clone(),
        member: r.dbus_member.clone(),
        peer_name: r.name.clone(),
        peer_label: r.peer_profile.clone(),
    }))
}
