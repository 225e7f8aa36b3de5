//! `aa-target`: what differs between the `apparmor_parser` versions whose
//! compiler aa-lint matches.
//!
//! A [`Target`] is a plain description, one `static` per supported version
//! ([`Target::V3_0`], [`Target::V4_1`], [`Target::V5_0`]), read from the
//! parser source of the oracle it names (3.0.8, 4.1.0, 5.0.2). Code that
//! behaves differently per version asks the target a question (a field of
//! [`PolicyFormat`], [`CompileSemantics`], [`Language`] or [`ParserChecks`])
//! instead of comparing version numbers, so every difference is written down
//! here once, with the reason.
//!
//! What a target does **not** decide: which kernel features a compile may
//! use. Those come from the features file (`-M`) and are combined with the
//! target by the caller: for example [`PolicyFormat::perms_tables`] says
//! which feature makes a version write permission tables, and the features
//! file says whether the kernel has it.
//!
//! Facts shared by all three versions (the glob → regex conversion, tree
//! simplification, minimisation, the table packing and diff encoding, the
//! chunk's field order) have no field: the construction stays shared where
//! the versions agree.
//!
//! ```
//! use aa_target::{Target, Version};
//! let t = Target::of(Version::V4_1);
//! assert!(t.language.has_class(aa_target::RuleClass::Userns));
//! assert!(!Target::V3_0.compile.rule_priorities);
//! assert_eq!(Version::parse("5.0.2"), Some(Version::V5_0));
//! ```

use std::fmt;

pub mod mount;

pub use mount::{MountCommand, MountGeneration, MountOption, MountSemantics, PivotRootTransition};
pub mod network;

/// A supported target: the minor release line of `apparmor_parser` whose
/// output aa-lint reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// 3.0 (Debian 12's 3.0.8): packed accept words, no priorities.
    V3_0,
    /// 4.1 (Debian 13, the apparmor.d collection's target): abi 4.0
    /// classes, rule priorities, permission tables on kernels that have
    /// them.
    V4_1,
    /// 5.0: 4.1 plus comparisons in conditionals, `network_v9`, identities,
    /// permission table versions 2 and 3.
    V5_0,
}

impl Version {
    /// Every target, oldest first.
    pub const ALL: [Version; 3] = [Version::V3_0, Version::V4_1, Version::V5_0];

    /// The target used when neither the command line, the configuration
    /// nor an installed `apparmor_parser` names one.
    pub const DEFAULT: Version = Version::V4_1;

    /// Reads `3.0`, `4.1`, `5.0`, or a full release (`4.1.0`, `5.0.2`).
    /// A release of another line is not accepted here (see
    /// [`Version::nearest`] for that).
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let mut parts = text.split('.');
        let major = parts.next()?;
        let minor = parts.next()?;
        // A patch level, when given, must be a number.
        if let Some(patch) = parts.next()
            && (patch.is_empty() || !patch.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        if parts.next().is_some() {
            return None;
        }
        match (major, minor) {
            ("3", "0") => Some(Version::V3_0),
            ("4", "1") => Some(Version::V4_1),
            ("5", "0") => Some(Version::V5_0),
            _ => None,
        }
    }

    /// The target closest to an `apparmor_parser` release `major.minor`,
    /// for choosing a default from the installed parser: 2.x and 3.x
    /// compile like 3.0, 4.x like 4.1, 5.x and later like 5.0. `exact` is
    /// false when the release is not the target's own line (the summary
    /// says so).
    pub fn nearest(major: u32, minor: u32) -> Nearest {
        let (version, exact) = match (major, minor) {
            (3, 0) => (Version::V3_0, true),
            (0..=3, _) => (Version::V3_0, false),
            (4, 1) => (Version::V4_1, true),
            (4, _) => (Version::V4_1, false),
            (5, 0) => (Version::V5_0, true),
            _ => (Version::V5_0, false),
        };
        Nearest { version, exact }
    }

    /// Reads the release out of `apparmor_parser --version`'s first line
    /// (`AppArmor parser version 4.1.0`) and picks the nearest target.
    pub fn from_parser_banner(banner: &str) -> Option<(Nearest, String)> {
        let line = banner.lines().find(|l| l.contains("version"))?;
        let release = line.split_whitespace().last()?;
        let mut parts = release.split('.');
        let major: u32 = parts.next()?.parse().ok()?;
        let minor: u32 = parts.next()?.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
        Some((Version::nearest(major, minor), release.to_owned()))
    }

    /// `3.0`, `4.1` or `5.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V3_0 => "3.0",
            Version::V4_1 => "4.1",
            Version::V5_0 => "5.0",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer of [`Version::nearest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nearest {
    pub version: Version,
    /// The release belongs to the target's own line.
    pub exact: bool,
}

/// Everything that differs between versions, in four parts.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub version: Version,
    /// The release whose output is the ground truth for this target (the
    /// oracle tests compare against it).
    pub oracle: &'static str,
    pub format: PolicyFormat,
    pub compile: CompileSemantics,
    pub language: Language,
    pub checks: ParserChecks,
}

impl Target {
    pub fn of(version: Version) -> &'static Target {
        match version {
            Version::V3_0 => &Target::V3_0,
            Version::V4_1 => &Target::V4_1,
            Version::V5_0 => &Target::V5_0,
        }
    }
}

/// How the binary policy (`apparmor_parser -S`) is written.
#[derive(Debug, PartialEq, Eq)]
pub struct PolicyFormat {
    /// When a DFA's accept states index a permission table (the `perms`
    /// struct before the `aadfa` blob) instead of carrying packed
    /// `accept`/`accept2` words.
    pub perms_tables: PermsTables,
    /// When the profile gets an attachment (`xmatch`) DFA. All three
    /// versions build it only for a pattern, alternative names, an
    /// explicit attachment or xattrs (`process_profile_name_xmatch`), and
    /// only write it when the kernel has `file` (`perms_create`).
    pub xmatch: XmatchPolicy,
    /// Kernel ABI written in the chunk's version word: the highest of
    /// `policy/versions/v5..v7` the features have. No version reads v8 or
    /// v9 for this word; all three stop at 7.
    pub max_kernel_abi: u32,
    /// Where the exec-transition table (`xtable`) goes when permission
    /// tables are written.
    pub xtable: XtablePlacement,
    /// Profile header fields beyond 3.0.8's, each written only when the
    /// profile sets it and the kernel has the named feature.
    pub header_fields: &'static [HeaderField],
}

/// Whether and how permission tables are written.
#[derive(Debug, PartialEq, Eq)]
pub enum PermsTables {
    /// 3.0.8 knows only packed accept words, whatever the kernel offers.
    Never,
    /// Written for every DFA with accept states when the features have
    /// `feature` and, if `min_feature_version` is set, a
    /// `policy/permstable32_version` at least that high (5.0 writes none
    /// for a kernel announcing only version 1, whose tables are broken).
    WhenFeature {
        feature: &'static str,
        min_feature_version: Option<u32>,
        /// The `version` word of the `perms` struct.
        struct_version: u32,
        /// 5.0: the file DFA's table is followed by `permsv` = 3 when the
        /// kernel announces version 3 (owner-conditional accept).
        permsv_word: bool,
    },
}

/// When the xmatch DFA exists (the same rule in every version so far).
#[derive(Debug, PartialEq, Eq)]
pub enum XmatchPolicy {
    /// Built unless the attachment (or the profile's own name) is a plain
    /// path and there are no alternative names, no explicit attachment and
    /// no xattrs.
    OnlyForPatterns,
}

/// Where the `xtable` is written when permission tables are in use.
#[derive(Debug, PartialEq, Eq)]
pub enum XtablePlacement {
    /// 3.0.8: once, after the file DFA.
    AfterFileDfa,
    /// 4.1.0: in the policydb struct too, and the file DFA's copy is
    /// padded with empty strings to the size of its permission table.
    PolicydbAndPaddedFile,
    /// 5.0.2: in the policydb struct too, never padded.
    PolicydbAndFile,
}

/// A profile header field a version can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderField {
    /// The name in the stream (`kill`, `error`, `disconnected`, ...).
    pub name: &'static str,
    /// The profile flag that sets it.
    pub flag: &'static str,
    /// The feature the kernel needs for the field to be written.
    pub feature: &'static str,
}

/// What compiling a profile means.
#[derive(Debug, PartialEq, Eq)]
pub struct CompileSemantics {
    /// How the permissions of the rules matching one state combine.
    pub accumulation: Accumulation,
    /// `priority=N` on rules: a higher priority overrides a lower one bit
    /// by bit, before deny and allow are considered.
    pub rule_priorities: bool,
    /// What minimisation's initial partition keys accepting states on.
    pub minimize_key: MinimizeKey,
    /// Deny rules with no matching allow in the same DFA are dropped
    /// (`CONTROL_DFA_FILTER_DENY`, on by default in every version).
    pub filter_deny: bool,
    /// Which profiles get the policydb's class-mediation markers and at
    /// which priority.
    pub mediates: Mediates,
    /// The `m` an `ix` implies is audited with an audited rule: 4.1 adds
    /// it to the permissions before taking them as the audit mask, 3.0.8
    /// after.
    pub audit_implied_mmap: bool,
    /// The start state keeps the permissions of rules that match the
    /// empty input (`change_profile -> *`): 4.1.0 writes them, 3.0.8
    /// writes an empty accept entry for the start state.
    pub start_state_perms: bool,
    /// How mount-family rules are checked and encoded.
    pub mount: MountSemantics,
    /// The old per-family network table (`net_allowed_af`), written when
    /// the kernel has `network` but not `network_v8`.
    pub net_table: NetTable,
}

/// How the old per-family network table is filled.
#[derive(Debug, PartialEq, Eq)]
pub struct NetTable {
    /// 4.1.0 keeps the table in static members of its network rule class:
    /// one table for the whole run, so every profile of a file writes the
    /// union of all its profiles' network and unix rules as soon as one of
    /// them has such a rule. 3.0.8 keeps one table per profile.
    pub shared_by_all_profiles: bool,
    /// Which `deny` network rules set the table's quiet bits.
    pub deny_quiet: DenyQuiet,
}

/// Which `deny` network rules are quiet in the per-family table.
#[derive(Debug, PartialEq, Eq)]
pub enum DenyQuiet {
    /// 3.0.8: a deny is quiet unless audited.
    UnlessAudited,
    /// 4.1.0 tests the audit mark after its prefix handling has turned a
    /// plain `deny` into "audit" (meaning quiet for a deny): only `audit
    /// deny` rules set the quiet bits.
    OnlyAudited,
}

/// The policydb's class-mediation markers (read permission on a class
/// byte, one per class the kernel mediates).
#[derive(Debug, PartialEq, Eq)]
pub enum Mediates {
    /// 3.0.8: in every profile, unconfined ones included, at no priority.
    Always,
    /// 4.1.0 and later: not in `unconfined` or `default_allow` profiles
    /// (except the user namespace marker), at a priority above every
    /// rule's so that no deny can hide a class, except for the classes
    /// whose permissions sit on the class byte itself (`userns`,
    /// `io_uring`): their markers are at a priority below every rule's,
    /// and each rule adds one of its own priority.
    ConfinedOnly {
        /// Above [`ParserChecks::priority_range`] (`MAX_INTERNAL_PRIORITY`).
        high: i32,
        /// Below it (`MIN_INTERNAL_PRIORITY`).
        low: i32,
    },
}

/// How the permissions of the rules matching one state combine.
#[derive(Debug, PartialEq, Eq)]
pub enum Accumulation {
    /// 3.0.8's `accept_perms`: allow, deny, audit and quiet are unions,
    /// and the deny is subtracted at the end; an exact-match (no pattern)
    /// exec rule dominates pattern rules' exec type; two allow matches
    /// with different exec types on one path are a conflict ("conflicting
    /// x modifiers") even where a `deny x` removes the exec permission.
    Union,
    /// 4.1.0/5.0.2's `accept_perms`/`pri_update_perm`: each permission bit
    /// keeps the highest priority seen; a lower-priority match leaves it
    /// untouched, a higher one clears it. At equal priority a deny clears
    /// the allow bits (and their exec type) matched so far, so an allow it
    /// cleared no longer conflicts with a later one; an exact match
    /// dominates a pattern on the exec type; two allow (or prompt)
    /// matches with different exec types still conflict.
    PerBitPriority,
}

/// What minimisation partitions accepting states by at the start.
#[derive(Debug, PartialEq, Eq)]
pub enum MinimizeKey {
    /// 3.0.8: the allow word and the packed audit/quiet word.
    PackedAccept,
    /// 4.1.0 and later: the whole permission record (allow with its exec
    /// type, audit, quiet and prompt, unmasked) after the deny has been
    /// applied and cleared (`apply_and_clear_deny` runs before
    /// `minimize`), so deny bits alone never keep states apart. Equal
    /// packed words with different records stay apart, so state counts
    /// can differ from 3.0.8's.
    WholeRecord,
    /// 4.1.0: [`MinimizeKey::WholeRecord`], but looked up in an ordered
    /// map whose comparison (`perms_t::operator<`: "some field is
    /// smaller") is not a strict weak order, so a lookup can miss an
    /// equal record and the state starts a group of its own; groups are
    /// never merged, so equivalent states can stay apart. Which lookups
    /// miss depends on the map's tree and the order states are created
    /// in. 5.0.2 compares field by field and has no such misses.
    FieldwiseRecord,
}

/// The policy language a version accepts.
#[derive(Debug, PartialEq, Eq)]
pub struct Language {
    /// Rule classes, in no particular order.
    pub rule_classes: &'static [RuleClass],
    /// Rule qualifiers (`audit`, `deny`, `priority=`...).
    pub qualifiers: &'static [Qualifier],
    /// Profile flags the parser accepts (`flags=(...)`); a `name=` flag is
    /// listed with its `=`.
    pub profile_flags: &'static [&'static str],
    /// `if` conditions beyond `$bool`, `not` and `defined`: `and`/`or`,
    /// parentheses, the literals `true`/`false` and comparisons (`==`,
    /// `!=`, `<`, `<=`, `>`, `>=`, `in`). 3.0.8's and 4.1.0's grammar has
    /// none of them (a syntax error).
    pub conditional_comparisons: bool,
    /// What `defined $bool` means.
    pub defined_boolean: DefinedBoolean,
    /// `@{x} ?= ...` (define unless defined) and `@{x} := ...` (override):
    /// 5.0's lexer; earlier ones stop at the `?` or `:`.
    pub conditional_assignment: bool,
    /// The variables the parser defines in each profile's body.
    pub per_profile_variables: &'static [&'static str],
    /// `profile NAME + identities=(...)`: 5.0's lexer; earlier ones stop at
    /// the `+`.
    pub profile_identities: bool,
}

/// The meaning of `defined $bool` in an `if` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefinedBoolean {
    /// 3.0.8: whether the boolean is defined.
    IsDefined,
    /// 4.1.0 builds the test as a plain boolean reference: the boolean's
    /// value, and an unset boolean is an error ("Unset boolean variable").
    Value,
    /// 5.0.2 looks the name up among set variables only: a boolean is
    /// never found, so the test is false.
    NeverSet,
}

impl Language {
    pub fn has_class(&self, class: RuleClass) -> bool {
        self.rule_classes.contains(&class)
    }

    pub fn has_qualifier(&self, qualifier: Qualifier) -> bool {
        self.qualifiers.contains(&qualifier)
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.profile_flags.contains(&flag)
    }
}

/// A rule class, by the keyword that starts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleClass {
    File,
    Link,
    Capability,
    Network,
    /// Network rules with addresses, ports or peers (`network_v8/af_inet`
    /// policydb encoding).
    NetworkFineGrained,
    Unix,
    Dbus,
    Mount,
    Remount,
    Umount,
    PivotRoot,
    Ptrace,
    Signal,
    Rlimit,
    ChangeProfile,
    Userns,
    IoUring,
    /// `mqueue` (POSIX and System V message queues).
    Mqueue,
    /// `all,`: every permission of every class.
    All,
}

/// A rule qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualifier {
    Audit,
    Allow,
    Deny,
    Owner,
    Other,
    /// `prompt`: ask a user-space agent (4.1 parses it; the kernel needs
    /// permission tables to enforce it).
    Prompt,
    /// `priority=N`, N in [`ParserChecks::priority_range`].
    Priority,
}

/// What the parser rejects after parsing that differs between versions.
#[derive(Debug, PartialEq, Eq)]
pub struct ParserChecks {
    /// 5.0: a comparison in an `if` condition takes numbers on both sides
    /// ("Can only compare numbers with numbers"); earlier versions have no
    /// comparisons at all.
    pub compare_numbers_only: bool,
    /// The accepted range of `priority=` (inclusive), when the version has
    /// priorities.
    pub priority_range: Option<(i32, i32)>,
}

const CLASSES_3_0: &[RuleClass] = &[
    RuleClass::File,
    RuleClass::Link,
    RuleClass::Capability,
    RuleClass::Network,
    RuleClass::Unix,
    RuleClass::Dbus,
    RuleClass::Mount,
    RuleClass::Remount,
    RuleClass::Umount,
    RuleClass::PivotRoot,
    RuleClass::Ptrace,
    RuleClass::Signal,
    RuleClass::Rlimit,
    RuleClass::ChangeProfile,
];

const CLASSES_4: &[RuleClass] = &[
    RuleClass::File,
    RuleClass::Link,
    RuleClass::Capability,
    RuleClass::Network,
    RuleClass::NetworkFineGrained,
    RuleClass::Unix,
    RuleClass::Dbus,
    RuleClass::Mount,
    RuleClass::Remount,
    RuleClass::Umount,
    RuleClass::PivotRoot,
    RuleClass::Ptrace,
    RuleClass::Signal,
    RuleClass::Rlimit,
    RuleClass::ChangeProfile,
    RuleClass::Userns,
    RuleClass::IoUring,
    RuleClass::Mqueue,
    RuleClass::All,
];

const QUALIFIERS_3_0: &[Qualifier] =
    &[Qualifier::Audit, Qualifier::Allow, Qualifier::Deny, Qualifier::Owner, Qualifier::Other];

const QUALIFIERS_4: &[Qualifier] = &[
    Qualifier::Audit,
    Qualifier::Allow,
    Qualifier::Deny,
    Qualifier::Owner,
    Qualifier::Other,
    Qualifier::Prompt,
    Qualifier::Priority,
];

const FLAGS_3_0: &[&str] = &[
    "complain",
    "enforce",
    "kill",
    "unconfined",
    "audit",
    "debug",
    "mediate_deleted",
    "delegate_deleted",
    "attach_disconnected",
    "no_attach_disconnected",
    "chroot_relative",
    "namespace_relative",
    "chroot_attach",
    "chroot_no_attach",
];

const FLAGS_4_1: &[&str] = &[
    "complain",
    "enforce",
    "kill",
    "unconfined",
    "audit",
    "debug",
    "mediate_deleted",
    "delegate_deleted",
    "attach_disconnected",
    "no_attach_disconnected",
    "chroot_relative",
    "namespace_relative",
    "chroot_attach",
    "chroot_no_attach",
    "debug",
    "default_allow",
    "prompt",
    "interruptible",
    "attach_disconnected.path=",
    "kill.signal=",
    "error=",
];

const FLAGS_5_0: &[&str] = &[
    "complain",
    "enforce",
    "kill",
    "unconfined",
    "audit",
    "debug",
    "mediate_deleted",
    "delegate_deleted",
    "attach_disconnected",
    "no_attach_disconnected",
    "chroot_relative",
    "namespace_relative",
    "chroot_attach",
    "chroot_no_attach",
    "debug",
    "default_allow",
    "prompt",
    "interruptible",
    "attach_disconnected.path=",
    "attach_disconnected.ipc",
    "attach_disconnected.ipc=",
    "kill.signal=",
    "error=",
];

const HEADER_4_1: &[HeaderField] = &[
    HeaderField { name: "disconnected", flag: "attach_disconnected.path=", feature: "domain/disconnected.path" },
    HeaderField { name: "kill", flag: "kill.signal=", feature: "policy/profile/kill.signal" },
    HeaderField { name: "error", flag: "error=", feature: "policy/profile/error" },
];

const HEADER_5_0: &[HeaderField] = &[
    HeaderField { name: "disconnected", flag: "attach_disconnected.path=", feature: "domain/disconnected.path" },
    HeaderField { name: "disconnected_ipc", flag: "attach_disconnected.ipc=", feature: "domain/disconnected.ipc" },
    HeaderField { name: "kill", flag: "kill.signal=", feature: "policy/profile/kill.signal" },
    HeaderField { name: "error", flag: "error=", feature: "policy/profile/error" },
];

impl Target {
    /// `apparmor_parser` 3.0.8 (Debian 12).
    pub const V3_0: Target = Target {
        version: Version::V3_0,
        oracle: "3.0.8",
        format: PolicyFormat {
            perms_tables: PermsTables::Never,
            xmatch: XmatchPolicy::OnlyForPatterns,
            max_kernel_abi: 7,
            xtable: XtablePlacement::AfterFileDfa,
            header_fields: &[],
        },
        compile: CompileSemantics {
            accumulation: Accumulation::Union,
            rule_priorities: false,
            minimize_key: MinimizeKey::PackedAccept,
            filter_deny: true,
            mediates: Mediates::Always,
            audit_implied_mmap: false,
            start_state_perms: false,
            mount: mount::MOUNT_3_0,
            net_table: NetTable { shared_by_all_profiles: false, deny_quiet: DenyQuiet::UnlessAudited },
        },
        language: Language {
            rule_classes: CLASSES_3_0,
            qualifiers: QUALIFIERS_3_0,
            profile_flags: FLAGS_3_0,
            conditional_comparisons: false,
            defined_boolean: DefinedBoolean::IsDefined,
            conditional_assignment: false,
            per_profile_variables: &["profile_name"],
            profile_identities: false,
        },
        checks: ParserChecks { compare_numbers_only: false, priority_range: None },
    };

    /// `apparmor_parser` 4.1.0 (Debian 13).
    pub const V4_1: Target = Target {
        version: Version::V4_1,
        oracle: "4.1.0",
        format: PolicyFormat {
            perms_tables: PermsTables::WhenFeature {
                feature: "policy/permstable32",
                min_feature_version: None,
                struct_version: 1,
                permsv_word: false,
            },
            xmatch: XmatchPolicy::OnlyForPatterns,
            max_kernel_abi: 7,
            xtable: XtablePlacement::PolicydbAndPaddedFile,
            header_fields: HEADER_4_1,
        },
        compile: CompileSemantics {
            accumulation: Accumulation::PerBitPriority,
            rule_priorities: true,
            minimize_key: MinimizeKey::FieldwiseRecord,
            filter_deny: true,
            mediates: Mediates::ConfinedOnly { high: 1001, low: -1001 },
            audit_implied_mmap: true,
            start_state_perms: true,
            mount: mount::MOUNT_4_1,
            net_table: NetTable { shared_by_all_profiles: true, deny_quiet: DenyQuiet::OnlyAudited },
        },
        language: Language {
            rule_classes: CLASSES_4,
            qualifiers: QUALIFIERS_4,
            profile_flags: FLAGS_4_1,
            conditional_comparisons: false,
            defined_boolean: DefinedBoolean::Value,
            conditional_assignment: false,
            per_profile_variables: &["profile_name"],
            profile_identities: false,
        },
        checks: ParserChecks { compare_numbers_only: false, priority_range: Some((-1000, 1000)) },
    };

    /// `apparmor_parser` 5.0.2.
    pub const V5_0: Target = Target {
        version: Version::V5_0,
        oracle: "5.0.2",
        format: PolicyFormat {
            perms_tables: PermsTables::WhenFeature {
                feature: "policy/permstable32",
                min_feature_version: Some(2),
                struct_version: 1,
                permsv_word: true,
            },
            xmatch: XmatchPolicy::OnlyForPatterns,
            max_kernel_abi: 7,
            xtable: XtablePlacement::PolicydbAndFile,
            header_fields: HEADER_5_0,
        },
        compile: CompileSemantics {
            accumulation: Accumulation::PerBitPriority,
            rule_priorities: true,
            minimize_key: MinimizeKey::WholeRecord,
            filter_deny: true,
            mediates: Mediates::ConfinedOnly { high: 1001, low: -1001 },
            audit_implied_mmap: true,
            start_state_perms: true,
            mount: mount::MOUNT_5_0,
            net_table: NetTable { shared_by_all_profiles: true, deny_quiet: DenyQuiet::OnlyAudited },
        },
        language: Language {
            rule_classes: CLASSES_4,
            qualifiers: QUALIFIERS_4,
            profile_flags: FLAGS_5_0,
            conditional_comparisons: true,
            defined_boolean: DefinedBoolean::NeverSet,
            conditional_assignment: true,
            per_profile_variables: &["profile_name", "attach_path", "exec_path"],
            profile_identities: true,
        },
        checks: ParserChecks { compare_numbers_only: true, priority_range: Some((-1000, 1000)) },
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_versions() {
        assert_eq!(Version::parse("3.0"), Some(Version::V3_0));
        assert_eq!(Version::parse("4.1.0"), Some(Version::V4_1));
        assert_eq!(Version::parse(" 5.0.2 "), Some(Version::V5_0));
        assert_eq!(Version::parse("4.0"), None);
        assert_eq!(Version::parse("4"), None);
        assert_eq!(Version::parse("4.1.x"), None);
        assert_eq!(Version::parse("4.1.0.1"), None);
        assert_eq!(Version::parse(""), None);
    }

    #[test]
    fn banner() {
        let (n, release) = Version::from_parser_banner("AppArmor parser version 4.1.0\nCopyright ...").unwrap();
        assert_eq!((n.version, n.exact, release.as_str()), (Version::V4_1, true, "4.1.0"));
        let (n, _) = Version::from_parser_banner("AppArmor parser version 6.0.1").unwrap();
        assert_eq!((n.version, n.exact), (Version::V5_0, false));
        let (n, _) = Version::from_parser_banner("AppArmor parser version 2.13.3").unwrap();
        assert_eq!((n.version, n.exact), (Version::V3_0, false));
        assert!(Version::from_parser_banner("garbage").is_none());
    }

    #[test]
    fn targets_are_their_versions() {
        for v in Version::ALL {
            let t = Target::of(v);
            assert_eq!(t.version, v);
            assert!(t.oracle.starts_with(v.as_str()));
            // Every later version accepts what an earlier one does.
            for w in Version::ALL.iter().filter(|w| **w > v) {
                let u = Target::of(*w);
                assert!(t.language.rule_classes.iter().all(|c| u.language.has_class(*c)));
                assert!(t.language.qualifiers.iter().all(|q| u.language.has_qualifier(*q)));
                assert!(t.language.profile_flags.iter().all(|f| u.language.has_flag(f)));
            }
        }
    }
}
