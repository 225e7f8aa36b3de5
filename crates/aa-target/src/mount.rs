//! Mount-family rules (`mount`, `remount`, `umount`, `pivot_root`): the
//! kernel's mount flag bits, the option names each version knows, and how
//! each version turns a rule into policydb entries (`parser/mount.cc`).

/// The kernel's `MS_*` mount flags, as the parser numbers them: flag bit
/// `i` is matched as byte `i + 1` in the policydb entry.
pub mod flags {
    pub const RDONLY: u32 = 1 << 0;
    pub const NOSUID: u32 = 1 << 1;
    pub const NODEV: u32 = 1 << 2;
    pub const NOEXEC: u32 = 1 << 3;
    pub const SYNCHRONOUS: u32 = 1 << 4;
    pub const REMOUNT: u32 = 1 << 5;
    pub const MAND: u32 = 1 << 6;
    pub const DIRSYNC: u32 = 1 << 7;
    pub const NOSYMFOLLOW: u32 = 1 << 8;
    pub const NOATIME: u32 = 1 << 10;
    pub const NODIRATIME: u32 = 1 << 11;
    pub const BIND: u32 = 1 << 12;
    pub const MOVE: u32 = 1 << 13;
    pub const REC: u32 = 1 << 14;
    /// `verbose` and `silent` are the same bit.
    pub const SILENT: u32 = 1 << 15;
    pub const ACL: u32 = 1 << 16;
    pub const UNBINDABLE: u32 = 1 << 17;
    pub const PRIVATE: u32 = 1 << 18;
    pub const SLAVE: u32 = 1 << 19;
    pub const SHARED: u32 = 1 << 20;
    pub const RELATIME: u32 = 1 << 21;
    pub const IVERSION: u32 = 1 << 23;
    pub const STRICTATIME: u32 = 1 << 24;
    pub const LAZYTIME: u32 = 1 << 25;
    /// Set by `nouser`; not part of any version's "all flags".
    pub const NOUSER: u32 = 1 << 31;

    /// The propagation changes (`make-*` and their recursive forms).
    pub const MAKE_CMDS: u32 = UNBINDABLE | PRIVATE | SLAVE | SHARED | REC;
    /// The flags that select a mount command rather than describe a mount.
    pub const CMDS: u32 = MOVE | REMOUNT | BIND | REC | MAKE_CMDS;
    /// What the kernel masks off before an AppArmor check (`MNT_FLAGS` of
    /// `fs/namespace.c`).
    pub const MASKED: u32 = NOSUID | NOEXEC | NODEV | NOATIME | NODIRATIME | RELATIME | STRICTATIME;

    /// 3.0.8's `MS_ALL_FLAGS`.
    pub const ALL_3_0: u32 = RDONLY
        | NOSUID
        | NODEV
        | NOEXEC
        | SYNCHRONOUS
        | REMOUNT
        | MAND
        | DIRSYNC
        | NOATIME
        | NODIRATIME
        | BIND
        | REC
        | MOVE
        | SILENT
        | ACL
        | UNBINDABLE
        | PRIVATE
        | SLAVE
        | SHARED
        | RELATIME
        | IVERSION
        | STRICTATIME;
    /// 4.1.0's `MS_ALL_FLAGS`: 3.0.8's with `nosymfollow` and `lazytime`.
    pub const ALL_4_1: u32 = ALL_3_0 | NOSYMFOLLOW | LAZYTIME;
}

use flags::*;

/// A mount option name and the flags it sets and clears (`rw` clears
/// `RDONLY`). Options that only name the absence of a flag (`norelatime`)
/// set and clear nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MountOption {
    pub name: &'static str,
    pub set: u32,
    pub clear: u32,
}

const fn opt(name: &'static str, set: u32, clear: u32) -> MountOption {
    MountOption { name, set, clear }
}

/// 4.1.0's option table, 3.0.8's first: the last five are new in 4.x
/// (upstream issue 312). Any other name is a data option, which both
/// versions reject.
const OPTIONS: [MountOption; 60] = [
    opt("ro", RDONLY, 0),
    opt("r", RDONLY, 0),
    opt("read-only", RDONLY, 0),
    opt("rw", 0, RDONLY),
    opt("w", 0, RDONLY),
    opt("suid", 0, NOSUID),
    opt("nosuid", NOSUID, 0),
    opt("dev", 0, NODEV),
    opt("nodev", NODEV, 0),
    opt("exec", 0, NOEXEC),
    opt("noexec", NOEXEC, 0),
    opt("sync", SYNCHRONOUS, 0),
    opt("async", 0, SYNCHRONOUS),
    opt("remount", REMOUNT, 0),
    opt("mand", MAND, 0),
    opt("nomand", 0, MAND),
    opt("dirsync", DIRSYNC, 0),
    opt("atime", 0, NOATIME),
    opt("noatime", NOATIME, 0),
    opt("diratime", 0, NODIRATIME),
    opt("nodiratime", NODIRATIME, 0),
    opt("bind", BIND, 0),
    opt("B", BIND, 0),
    opt("move", MOVE, 0),
    opt("M", MOVE, 0),
    opt("rbind", BIND | REC, 0),
    opt("R", BIND | REC, 0),
    opt("verbose", SILENT, 0),
    opt("silent", SILENT, 0),
    opt("loud", 0, SILENT),
    opt("acl", ACL, 0),
    opt("noacl", 0, ACL),
    opt("unbindable", UNBINDABLE, 0),
    opt("make-unbindable", UNBINDABLE, 0),
    opt("runbindable", UNBINDABLE | REC, 0),
    opt("make-runbindable", UNBINDABLE | REC, 0),
    opt("private", PRIVATE, 0),
    opt("make-private", PRIVATE, 0),
    opt("rprivate", PRIVATE | REC, 0),
    opt("make-rprivate", PRIVATE | REC, 0),
    opt("slave", SLAVE, 0),
    opt("make-slave", SLAVE, 0),
    opt("rslave", SLAVE | REC, 0),
    opt("make-rslave", SLAVE | REC, 0),
    opt("shared", SHARED, 0),
    opt("make-shared", SHARED, 0),
    opt("rshared", SHARED | REC, 0),
    opt("make-rshared", SHARED | REC, 0),
    opt("relatime", RELATIME, 0),
    opt("norelatime", 0, 0),
    opt("iversion", IVERSION, 0),
    opt("noiversion", 0, IVERSION),
    opt("strictatime", STRICTATIME, 0),
    opt("user", 0, NOUSER),
    opt("nouser", NOUSER, 0),
    opt("symfollow", 0, NOSYMFOLLOW),
    opt("nosymfollow", NOSYMFOLLOW, 0),
    opt("nostrictatime", 0, STRICTATIME),
    opt("lazytime", LAZYTIME, 0),
    opt("nolazytime", 0, LAZYTIME),
];

/// 3.0.8's options.
pub const OPTIONS_3_0: &[MountOption] = OPTIONS.split_at(55).0;

/// 4.1.0's options.
pub const OPTIONS_4_1: &[MountOption] = &OPTIONS;

/// How a version checks and encodes mount-family rules.
#[derive(Debug, PartialEq, Eq)]
pub struct MountSemantics {
    /// The option names the parser knows; any other is rejected.
    pub options: &'static [MountOption],
    /// `MS_ALL_FLAGS`: what a rule without options allows.
    pub all_flags: u32,
    /// How the `options=` and `options in` conditions become entries.
    pub generation: MountGeneration,
    /// 3.0.8 marks the audit word of remount and new-mount entries with
    /// `AA_MATCH_CONT` (0x40) whether or not the rule is audited; 4.1.0
    /// audits exactly the permissions of an audited rule.
    pub audit_match_cont: bool,
    /// 4.1.0: the source `detached` (a detached mount, `move_mount(2)`)
    /// matches the empty source name; 3.0.8 reads it as a path.
    pub detached_source: bool,
    /// 4.1.0 rejects an `options=` list that both sets and clears a flag
    /// (`ro` with `rw`, "conflicting flags in the rule"); 3.0.8 takes it.
    pub reject_conflicting_options: bool,
    /// The flags `norelatime` clears: none before 5.0 (the parser's
    /// `MS_NORELATIME` is 0), `RELATIME` in 5.0.2.
    pub norelatime_clears: u32,
    /// What `pivot_root ... -> PROFILE` does with the profile.
    pub pivot_root_transition: PivotRootTransition,
}

/// What becomes of `pivot_root`'s `-> PROFILE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PivotRootTransition {
    /// 3.0.8: the name goes into the transition table and its index into
    /// the entry's exec modifier bits.
    IndexInPerms,
    /// 4.1.0: the name goes into the transition table (after the file
    /// rules' names; the table is written only with a file DFA), but the
    /// bits are computed into a local that is dropped, so the entry keeps
    /// the plain pivot_root permission.
    TableOnly,
    /// 5.0.2: ignored.
    Ignored,
}

/// The two ways the parser turns a mount rule's flags into entries.
#[derive(Debug, PartialEq, Eq)]
pub enum MountGeneration {
    /// 3.0.8: every `options=` list is one set of required flags, every
    /// `options in` list one set of optional flags (a `remount` rule makes
    /// them all required). Each command whose flag is present gets an
    /// entry: remount (no source, no `fstype`), bind, propagation change
    /// (no source), move, and a new mount when a flag outside the commands
    /// is present; with no options every flag is optional and every
    /// command applies. The commands' masks narrow the required flags
    /// only, and remount drops move and the propagation flags.
    Merged,
    /// 4.1.0: one flag set per `options=` and per `options in` condition,
    /// every pairing of the two encoded. A pairing requiring no flag or
    /// every flag becomes every command (a propagation change when the
    /// source or the mount point is missing, taking the source as the
    /// point when there is no `->`); otherwise only the first command its
    /// required flags name, in the order remount, bind, propagation change
    /// (source or mount point, not both), move, and else a new mount when
    /// some flag outside the commands is named. Remount keeps every flag
    /// but move (the kernel ignores `make-*` flags on a remount, upstream
    /// bug 2091424), a new mount every flag but the commands.
    PerCondition,
}

impl MountSemantics {
    /// The flags `name` sets and clears, when it is an option.
    pub fn option(&self, name: &str) -> Option<MountOption> {
        let o = *self.options.iter().find(|o| o.name == name)?;
        Some(if o.name == "norelatime" { MountOption { clear: self.norelatime_clears, ..o } } else { o })
    }

    /// The mask a command's flags entry keeps (`MS_*_FLAGS`).
    pub fn mask(&self, command: MountCommand) -> u32 {
        let all = self.all_flags;
        match (command, &self.generation) {
            (MountCommand::Remount, MountGeneration::Merged) => all & !(MOVE | UNBINDABLE | PRIVATE | SLAVE | SHARED),
            (MountCommand::Remount, MountGeneration::PerCondition) => all & !MOVE,
            (MountCommand::Bind, _) => BIND | REC,
            (MountCommand::Propagation, MountGeneration::Merged) => MAKE_CMDS | (all & !MASKED),
            (MountCommand::Propagation, MountGeneration::PerCondition) => all & !MASKED,
            (MountCommand::Move, _) => MOVE,
            (MountCommand::New, MountGeneration::Merged) => !CMDS,
            (MountCommand::New, MountGeneration::PerCondition) => all & !CMDS,
        }
    }
}

/// The mount commands a rule's entries are made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountCommand {
    Remount,
    Bind,
    Propagation,
    Move,
    New,
}

/// 3.0.8's mount semantics.
pub const MOUNT_3_0: MountSemantics = MountSemantics {
    options: OPTIONS_3_0,
    all_flags: ALL_3_0,
    generation: MountGeneration::Merged,
    audit_match_cont: true,
    detached_source: false,
    reject_conflicting_options: false,
    norelatime_clears: 0,
    pivot_root_transition: PivotRootTransition::IndexInPerms,
};

/// 4.1.0's.
pub const MOUNT_4_1: MountSemantics = MountSemantics {
    options: OPTIONS_4_1,
    all_flags: ALL_4_1,
    generation: MountGeneration::PerCondition,
    audit_match_cont: false,
    detached_source: true,
    reject_conflicting_options: true,
    norelatime_clears: 0,
    pivot_root_transition: PivotRootTransition::TableOnly,
};

/// 5.0.2's: 4.1.0's, with `norelatime` clearing `relatime` and the
/// pivot_root transition ignored.
pub const MOUNT_5_0: MountSemantics =
    MountSemantics { norelatime_clears: RELATIME, pivot_root_transition: PivotRootTransition::Ignored, ..MOUNT_4_1 };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables() {
        assert_eq!(OPTIONS_3_0.last().map(|o| o.name), Some("nouser"));
        assert_eq!(MOUNT_3_0.option("nostrictatime"), None);
        assert_eq!(MOUNT_4_1.option("nostrictatime").map(|o| o.clear), Some(STRICTATIME));
        assert_eq!(MOUNT_5_0.option("norelatime").map(|o| o.clear), Some(RELATIME));
        // Every 3.0.8 option means the same in 4.1.0.
        assert!(OPTIONS_3_0.iter().all(|o| MOUNT_4_1.option(o.name) == Some(*o)));
    }
}
