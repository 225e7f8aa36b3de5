//! Whole-profile compilation: [`ProfileInput`] (plain values, lowered by
//! the semantic model) → [`CompiledProfile`] (the DFAs and tables
//! `apparmor_parser` 3.0.8 writes for the profile).
//!
//! What goes where, as the parser does it:
//! - **file DFA**: file rules, link rules, exec transitions (named targets
//!   numbered into the transition table from 4 in rule order, a repeated
//!   name reusing its slot), `change_profile` rules (three entries each),
//!   and the implicit rules: profiles with hats and hats themselves may
//!   read `/proc/*/attr/apparmor/` and the `enabled` parameter and write
//!   `/proc/[0-9]*/attr/{apparmor/,}current` (owner half only);
//!   `change_profile` likewise adds writes to
//!   `/proc/*/attr/{apparmor/,}{current,exec}`;
//! - **xmatch DFA**: the attachment (or a globbing profile name), exec
//!   permission; its match length is the regex's shortest match;
//! - **policydb**: one leading class byte per rule class, then the class
//!   encoding in [`crate::classes`]; one "mediates" entry per class the
//!   feature set supports;
//! - plain words: capabilities, rlimits, flags, the old network table.
//!
//! Each [`Rule`] keeps an origin ([`Origin`]) so errors and queries can
//! name the source rule.

use crate::classes::{self, PolicyRule};
use crate::dfa::{BuildOptions, CompileError, Dfa, Limits, Rule, RulePerms};
use crate::features::Features;
use crate::file_rules::{self, FileRule, LinkRule};
use crate::glob::{self, GlobError, GlobMode};
use crate::perms::old;
use crate::regex::{self, ByteSet, Regex};

pub use crate::classes::{
    DbusRule, IoUringRule, MountKind, MountRule, MqueueRule, MqueueType, NetworkRule, PtraceRule, SignalRule, UnixRule,
    UsernsRule,
};

/// The prefix of a non-file rule: `audit`, `deny` or `prompt`, and
/// `priority=N` (4.1 and later; 0 when not written).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quals {
    pub audit: bool,
    pub deny: bool,
    /// `prompt` (4.1 and later): the bits go to the prompt set.
    pub prompt: bool,
    pub priority: i32,
}

impl Quals {
    /// The parser's audit word: deny rules are quiet unless audited,
    /// allow rules are audited only when asked.
    pub fn audit_bits(&self, perms: u32) -> u32 {
        if self.audit != self.deny { perms } else { 0 }
    }
}

/// Profile mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProfileMode {
    #[default]
    Enforce,
    Complain,
    Kill,
    Unconfined,
    /// 4.1: ask a user-space agent about what the rules do not decide.
    Prompt,
    /// 4.1: allow what the rules do not deny; written as `unconfined`.
    DefaultAllow,
}

/// `flags=(...)` and the hat bit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileFlags {
    /// The profile is a hat (`^name` or `hat name`).
    pub hat: bool,
    pub mode: ProfileMode,
    /// `flags=(audit)`.
    pub audit: bool,
    pub attach_disconnected: bool,
    pub chroot_relative: bool,
    pub mediate_deleted: bool,
    pub chroot_attach: bool,
    /// A path flag was given (even one that sets no bit, like
    /// `namespace_relative`): the parser then writes `path_flags`.
    pub path_given: bool,
    /// `flags=(debug)`: bit 1 of the flags word.
    pub debug: bool,
    /// `flags=(interruptible)` (4.1): bit 3 of the flags word, kept only
    /// when the kernel has `policy/profile/interruptible`.
    pub interruptible: bool,
}

/// The profile's `flags` word: hat, debug, interruptible.
pub fn flags_word(f: &ProfileFlags) -> u32 {
    u32::from(f.hat) | u32::from(f.debug) << 1 | u32::from(f.interruptible) << 3
}

/// Capability sets, bit `n` = capability number `n`, as the rules wrote
/// them (the compile computes what the kernel gets).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub allow: u64,
    pub deny: u64,
    /// Audited allow rules.
    pub audit: u64,
    /// Deny rules without `audit`.
    pub quiet: u64,
}

/// `change_profile [safe|unsafe] [EXEC] [-> TARGET],`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeProfileRule {
    pub quals: Quals,
    /// `unsafe` (only meaningful with `exec`).
    pub unsafe_exec: bool,
    /// The exec condition glob.
    pub exec: Option<String>,
    /// Target profile glob; `None` is `**`.
    pub target: Option<String>,
}

/// An `xattrs=(name=value ...)` attachment condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xattr {
    pub name: String,
    /// Value glob; `None` means any value (`**`).
    pub value: Option<String>,
}

/// One `set rlimit` rule: resource number (the kernel's `RLIMIT_*`) and
/// value (`RLIM_INFINITY` is `u64::MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    pub resource: u32,
    pub value: u64,
}

/// Everything the compiler needs from one profile (or hat or child
/// profile, each compiled on its own). Plain data: the semantic model
/// fills it after variable expansion, include resolution and
/// conditionals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInput {
    /// Name as written; a hat or child is `parent//name`.
    pub name: String,
    pub namespace: Option<String>,
    /// The attachment glob; without one, a name that globs is used.
    pub attachment: Option<String>,
    pub xattrs: Vec<Xattr>,
    pub flags: ProfileFlags,
    /// The profile has hats (adds the change_hat proc rules).
    pub has_hats: bool,
    pub capabilities: Capabilities,
    pub rlimits: Vec<Rlimit>,
    /// File rules; exec rules with `-> NAME` set [`FileRule::exec_target`].
    pub files: Vec<FileRule>,
    pub links: Vec<LinkRule>,
    pub change_profile: Vec<ChangeProfileRule>,
    pub network: Vec<NetworkRule>,
    pub unix: Vec<UnixRule>,
    pub dbus: Vec<DbusRule>,
    pub signal: Vec<SignalRule>,
    pub ptrace: Vec<PtraceRule>,
    pub mount: Vec<MountRule>,
    pub userns: Vec<UsernsRule>,
    pub io_uring: Vec<IoUringRule>,
    pub mqueue: Vec<MqueueRule>,
    /// `attach_disconnected.path=PATH` (4.1).
    pub disconnected_path: Option<String>,
    /// `kill.signal=SIGNAL` (4.1), as a signal number.
    pub kill_signal: Option<u32>,
    /// `error=ERRNO` (4.1), as an error number.
    pub error_code: Option<u32>,
    /// Rules of classes 3.0.8 does not encode (`mqueue`, `io_uring`,
    /// `userns`, `all`), by class name; any entry is an error.
    pub unsupported: Vec<String>,
}

/// Where a DFA rule came from: a class and the index of the rule in the
/// [`ProfileInput`] field for that class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    File(usize),
    Link(usize),
    ChangeProfile(usize),
    /// Rules the parser adds by itself (hat and change_profile access).
    Implicit,
    Attachment,
    Network(usize),
    Unix(usize),
    Dbus(usize),
    Signal(usize),
    Ptrace(usize),
    Mount(usize),
    Userns(usize),
    IoUring(usize),
    Mqueue(usize),
    /// The class-mediation markers of the policydb.
    Mediates,
}

/// A compiled DFA with the lowered rules it was built from (their
/// `origin` indexes [`CompiledDfa::origins`]).
#[derive(Debug, Clone)]
pub struct CompiledDfa {
    pub dfa: Dfa,
    /// Empty unless [`CompileOptions::keep_rules`] asked for them.
    pub rules: Vec<Rule>,
    pub origins: Vec<Origin>,
    /// The bytes the rules name explicitly, which decide the binary
    /// layout's default transitions ([`crate::encode::layout`]); kept when
    /// the rules are not.
    pub mentioned: ByteSet,
}

/// The old network table: per address family, type-bit masks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetMasks {
    pub allow: u32,
    pub deny: u32,
    pub audit: u32,
    pub quiet: u32,
}

/// What `apparmor_parser` would write for one profile.
#[derive(Debug, Clone)]
pub struct CompiledProfile {
    pub name: String,
    pub namespace: Option<String>,
    pub flags: ProfileFlags,
    pub xmatch: Option<CompiledDfa>,
    pub xmatch_len: u32,
    /// The four capability words (low and high halves are split when
    /// serialized): allowed, allowed & audited, denied & quiet.
    pub caps_allow: u64,
    pub caps_audit: u64,
    pub caps_quiet: u64,
    pub xattr_names: Vec<String>,
    pub rlimits: Vec<Rlimit>,
    /// Per family (index = family number); emitted as `net_allowed_af`
    /// only when the features have `network` but not `network_v8`.
    pub net: Vec<NetMasks>,
    pub emit_net_table: bool,
    pub policydb: Option<CompiledDfa>,
    pub file: Option<CompiledDfa>,
    /// Named transitions; entry `i` is exec index `i + 4`.
    pub xtable: Vec<String>,
    /// The header fields of 4.1 ([`aa_target::PolicyFormat::header_fields`]),
    /// each kept only when the kernel has its feature.
    pub disconnected_path: Option<String>,
    pub kill_signal: Option<u32>,
    pub error_code: Option<u32>,
}

/// Why a profile did not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileError {
    Glob {
        origin: Origin,
        error: GlobError,
    },
    /// A DFA failed to build; `origins` are the rules named by the error
    /// (conflicting exec rules, or the rules a limit blames).
    Dfa {
        which: &'static str,
        error: CompileError,
        origins: Vec<Origin>,
    },
    /// More than 12 named transitions.
    TooManyTransitions,
    /// A rule class this encoder does not support.
    Unsupported(String),
    /// An unknown name (signal, network family, ...).
    Invalid {
        origin: Origin,
        message: String,
    },
}

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProfileError::Glob { origin, error } => write!(f, "{origin:?}: {error}"),
            ProfileError::Dfa { which, error, origins } => {
                write!(f, "{which} DFA: {error}")?;
                if !origins.is_empty() {
                    write!(f, "; rules responsible: {origins:?}")?;
                }
                Ok(())
            }
            ProfileError::TooManyTransitions => {
                write!(f, "profile has too many specified profile transitions")
            }
            ProfileError::Unsupported(c) => write!(f, "{c} rules are not supported by this ABI"),
            ProfileError::Invalid { origin, message } => write!(f, "{origin:?}: {message}"),
        }
    }
}

impl std::error::Error for ProfileError {}

/// Compile options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileOptions {
    /// Whose compiler to match ([`aa_target::Target`]): what the lowering
    /// and the DFA construction do differently per version.
    pub target: &'static aa_target::Target,
    pub features: Features,
    pub limits: Limits,
    /// Keep each DFA's rules ([`CompiledDfa::rules`]) for queries and
    /// exact lints. Emitting a policy does not need them, and a profile's
    /// rules (their regexes) can be as large as its DFA.
    pub keep_rules: bool,
}

impl CompileOptions {
    /// `target` and `features`, default limits, rules kept.
    pub fn new(target: &'static aa_target::Target, features: Features) -> CompileOptions {
        CompileOptions { target, features, limits: Limits::default(), keep_rules: true }
    }
}

/// Adds `name` to the transition table like the parser: slots 4..16,
/// reusing an equal name. Returns the exec modifier index.
fn xtable_index(xtable: &mut Vec<String>, name: &str) -> Result<u32, ProfileError> {
    if let Some(i) = xtable.iter().position(|n| n == name) {
        return Ok(i as u32 + 4);
    }
    if xtable.len() >= 12 {
        return Err(ProfileError::TooManyTransitions);
    }
    xtable.push(name.to_owned());
    Ok(xtable.len() as u32 + 3)
}

fn glob_regex(glob: &[u8], origin: Origin, filter: bool) -> Result<Regex, ProfileError> {
    let g = if filter { glob::filter_slashes(glob) } else { glob.to_vec() };
    glob::glob_to_regex(&g, GlobMode::Default).map(|(r, _)| r).map_err(|error| ProfileError::Glob { origin, error })
}

fn fixed(text: &str) -> Regex {
    // Only called on this module's constant patterns, which parse.
    regex::parse(text.as_bytes()).unwrap_or(Regex::Empty)
}

fn build(
    which: &'static str,
    rules: Vec<Rule>,
    origins: Vec<Origin>,
    filedfa: bool,
    opts: &CompileOptions,
) -> Result<CompiledDfa, ProfileError> {
    let build_opts = BuildOptions { filedfa, limits: opts.limits, semantics: &opts.target.compile };
    match Dfa::build_with(&rules, &build_opts) {
        Ok(dfa) => {
            let mentioned = crate::encode::layout::mentioned_bytes(rules.iter().map(|r| &r.regex));
            let rules = if opts.keep_rules { rules } else { Vec::new() };
            Ok(CompiledDfa { dfa, rules, origins, mentioned })
        }
        Err(error) => {
            let named: Vec<u32> = match &error {
                CompileError::ConflictingExec { origins, .. } => origins.clone(),
                CompileError::LimitExceeded(l) => l.culprits.iter().map(|c| c.0).collect(),
                CompileError::TooManyStates(_) => Vec::new(),
            };
            let mut named: Vec<Origin> = named.iter().filter_map(|&o| origins.get(o as usize).copied()).collect();
            named.dedup();
            Err(ProfileError::Dfa { which, error, origins: named })
        }
    }
}

/// Accumulates rules with origins.
struct RuleSet {
    rules: Vec<Rule>,
    origins: Vec<Origin>,
}

impl RuleSet {
    fn new() -> RuleSet {
        RuleSet { rules: Vec::new(), origins: Vec::new() }
    }
    fn origin_id(&mut self, o: Origin) -> u32 {
        if let Some(i) = self.origins.iter().rposition(|x| *x == o) {
            return i as u32;
        }
        self.origins.push(o);
        self.origins.len() as u32 - 1
    }
    fn add(&mut self, o: Origin, regex: Regex, deny: bool, perms: u32, audit: u32) {
        self.add_with(o, regex, RulePerms { deny, perms, audit, ..RulePerms::default() });
    }
    fn add_with(&mut self, o: Origin, regex: Regex, perms: RulePerms) {
        let origin = self.origin_id(o);
        self.rules.push(Rule { regex, perms, origin });
    }
}

/// Compiles one profile.
pub fn compile_profile(input: &ProfileInput, opts: &CompileOptions) -> Result<CompiledProfile, ProfileError> {
    let feat = &opts.features;
    if let Some(c) = input.unsupported.first() {
        return Err(ProfileError::Unsupported(c.clone()));
    }
    let mut xtable: Vec<String> = Vec::new();

    // File DFA.
    let mut files = RuleSet::new();
    // Named transitions, numbered in rule order.
    let mut file_rules: Vec<FileRule> = input.files.clone();
    // The parser numbers them walking its rule list, which holds the rules
    // in reverse order of reading.
    for fr in file_rules.iter_mut().rev() {
        if let (Some(t), None) = (&fr.exec_target, &fr.exec) {
            // A target without an exec mode (`PATH l -> TARGET`) still
            // takes a slot in the table.
            xtable_index(&mut xtable, t)?;
            continue;
        }
        if let (Some(t), Some(x)) = (&fr.exec_target, fr.exec.as_mut()) {
            let local = x.mode == file_rules::ExecMode::Child;
            if local && t.as_bytes() == fr.path.as_slice() {
                // `cx -> NAME` naming the rule's own path is plain `cx`.
                continue;
            }
            // A child transition names a child of this profile.
            let name = if local && !t.starts_with(':') {
                // The parser prefixes the profile's own name (a hat's
                // children are `hat//child`, not `parent//hat//child`).
                format!("{}//{}", own_name(&input.name), t)
            } else {
                t.clone()
            };
            x.target_index = Some(xtable_index(&mut xtable, &name)? - 4);
        }
    }
    // Origins numbered in source order, whatever order the rules fold in.
    for i in 0..file_rules.len() {
        files.origin_id(Origin::File(i));
    }
    for i in file_rule_order(&file_rules, opts) {
        let fr = &file_rules[i];
        let lowered = file_rules::file_rules_to_rules(std::slice::from_ref(fr))
            .map_err(|error| ProfileError::Glob { origin: Origin::File(i), error })?;
        let o = files.origin_id(Origin::File(i));
        let mmap = old::EXEC_MMAP | (old::EXEC_MMAP << old::OTHER_SHIFT);
        files.rules.extend(lowered.into_iter().map(|mut r| {
            if opts.target.compile.audit_implied_mmap && r.perms.audit != 0 && !r.perms.deny {
                r.perms.audit |= r.perms.perms & mmap;
            }
            Rule { origin: o, ..r }
        }));
    }
    for (i, lr) in input.links.iter().enumerate() {
        let lowered = file_rules::link_rules_to_rules(std::slice::from_ref(lr), 0)
            .map_err(|error| ProfileError::Glob { origin: Origin::Link(i), error })?;
        let o = files.origin_id(Origin::Link(i));
        files.rules.extend(lowered.into_iter().map(|r| Rule { origin: o, ..r }));
    }
    for (i, cp) in input.change_profile.iter().enumerate() {
        change_profile_rules(&mut files, i, cp, feat)?;
    }
    let implicit = |files: &mut RuleSet, write_path: &str| {
        for (p, perm) in [
            ("/proc/*/attr/apparmor/", old::READ),
            ("/sys/module/apparmor/parameters/enabled", old::READ),
            (write_path, old::WRITE),
        ] {
            if let Ok((re, _)) = glob::glob_to_regex(p.as_bytes(), GlobMode::Default) {
                files.add(Origin::Implicit, re, false, perm, 0);
            }
        }
    };
    if !input.change_profile.is_empty() {
        implicit(&mut files, "/proc/*/attr/{apparmor/,}{current,exec}");
    }
    if input.flags.hat || input.has_hats {
        implicit(&mut files, "/proc/[0-9]*/attr/{apparmor/,}current");
    }

    // Policydb.
    let mut policy = RuleSet::new();
    let mut net = vec![NetMasks::default(); classes::AF_MAX];
    let push = |policy: &mut RuleSet, o: Origin, rules: Vec<PolicyRule>| {
        for r in rules {
            let perms =
                RulePerms { deny: r.deny, perms: r.perms, audit: r.audit, priority: r.priority, prompt: r.prompt };
            policy.add_with(o, r.regex, perms);
        }
    };
    // The table exists once a `network` statement or a unix rule (other
    // than one an `all` rule makes) has been read.
    let mut net_table_used = false;
    for (i, r) in input.network.iter().enumerate() {
        if !r.skip_table {
            net_table_used = true;
            classes::network_masks(r, &mut net, &opts.target.compile.net_table.deny_quiet)
                .map_err(|message| ProfileError::Invalid { origin: Origin::Network(i), message })?;
        }
        if !r.skip_table && matches!(r.family, None | Some(1)) {
            // The parser makes a unix rule of the AF_UNIX part, encoded
            // when the features have fine-grained unix mediation and
            // downgraded back into the table otherwise.
            // A family without a type means each named socket type; no
            // family and no type (`network,`) means any type.
            let types: Vec<Option<u16>> = match (r.family, r.sock_type) {
                (Some(_), None) => [1, 2, 3, 4, 5, 10].into_iter().map(Some).collect(),
                (_, t) => vec![t],
            };
            for sock_type in types {
                let u = UnixRule { quals: r.quals, sock_type, from_network: true, ..UnixRule::default() };
                if feat.unix {
                    let rules = classes::unix_rules(&u, feat).map_err(|e| e.at(Origin::Network(i)))?;
                    push(&mut policy, Origin::Network(i), rules);
                }
                classes::unix_downgrade(&u, &mut net);
            }
        }
    }
    for (i, r) in input.unix.iter().enumerate() {
        if feat.unix {
            let rules = classes::unix_rules(r, feat).map_err(|e| e.at(Origin::Unix(i)))?;
            push(&mut policy, Origin::Unix(i), rules);
        }
        // `all`'s unix rule is not downgraded into the table.
        if !r.from_network {
            net_table_used = true;
            classes::unix_downgrade(r, &mut net);
        }
    }
    for (i, r) in input.dbus.iter().enumerate() {
        if !feat.dbus {
            continue;
        }
        let rules = classes::dbus_rules(r).map_err(|e| e.at(Origin::Dbus(i)))?;
        push(&mut policy, Origin::Dbus(i), rules);
    }
    for (i, r) in input.signal.iter().enumerate() {
        if !feat.signal {
            continue;
        }
        let rules = classes::signal_rules(r).map_err(|e| e.at(Origin::Signal(i)))?;
        push(&mut policy, Origin::Signal(i), rules);
    }
    for (i, r) in input.ptrace.iter().enumerate() {
        if !feat.ptrace {
            continue;
        }
        let rules = classes::ptrace_rules(r).map_err(|e| e.at(Origin::Ptrace(i)))?;
        push(&mut policy, Origin::Ptrace(i), rules);
    }
    for (i, r) in input.mount.iter().enumerate() {
        if !feat.mount {
            continue;
        }
        let sem = &opts.target.compile.mount;
        let mut rules = classes::mount_rules(r, sem).map_err(|e| e.at(Origin::Mount(i)))?;
        if let (MountKind::PivotRoot, Some(t)) = (r.kind, &r.target) {
            match sem.pivot_root_transition {
                aa_target::PivotRootTransition::IndexInPerms => {
                    // The pivot_root permission is bit 0, the user exec
                    // bit, so the index lands in the exec modifier bits.
                    let n = xtable_index(&mut xtable, t)?;
                    for pr in &mut rules {
                        pr.perms = (pr.perms & !old::EXEC_MOD_MASK) | (n << old::EXEC_MOD_SHIFT);
                    }
                }
                // The table is written only with a file DFA: without file
                // rules the name goes nowhere.
                aa_target::PivotRootTransition::TableOnly if !files.rules.is_empty() => {
                    xtable_index(&mut xtable, t)?;
                }
                aa_target::PivotRootTransition::TableOnly => {}
                aa_target::PivotRootTransition::Ignored => {}
            }
        }
        push(&mut policy, Origin::Mount(i), rules);
    }
    for (i, r) in input.userns.iter().enumerate() {
        if feat.userns {
            push(&mut policy, Origin::Userns(i), classes::userns_rules(r).map_err(|e| e.at(Origin::Userns(i)))?);
        }
    }
    for (i, r) in input.io_uring.iter().enumerate() {
        if feat.io_uring {
            push(&mut policy, Origin::IoUring(i), classes::io_uring_rules(r).map_err(|e| e.at(Origin::IoUring(i)))?);
        }
    }
    for (i, r) in input.mqueue.iter().enumerate() {
        let rules =
            classes::mqueue_rules(r, feat.posix_mqueue, feat.sysv_mqueue).map_err(|e| e.at(Origin::Mqueue(i)))?;
        push(&mut policy, Origin::Mqueue(i), rules);
    }
    if feat.network_v8 {
        push(&mut policy, Origin::Mediates, classes::network_v8_rules(&net));
    }
    mediation_markers(&mut policy, input, opts);
    let xmatch = xmatch_dfa(input, opts)?;
    let file = if files.rules.is_empty() { None } else { Some(build("file", files.rules, files.origins, true, opts)?) };
    let policydb = if policy.rules.is_empty() || !feat.policydb {
        None
    } else {
        Some(build("policydb", policy.rules, policy.origins, false, opts)?)
    };
    let caps = &input.capabilities;
    let allowed = caps.allow & !caps.deny;
    let (xmatch, xmatch_len) = match xmatch {
        Some((d, l)) => (Some(d), l),
        None => (None, 0),
    };
    Ok(CompiledProfile {
        name: input.name.clone(),
        namespace: input.namespace.clone(),
        flags: ProfileFlags { interruptible: input.flags.interruptible && feat.flag_interruptible, ..input.flags },
        xmatch,
        xmatch_len,
        caps_allow: allowed,
        caps_audit: allowed & caps.audit,
        caps_quiet: caps.deny & caps.quiet,
        xattr_names: input.xattrs.iter().map(|x| x.name.clone()).collect(),
        rlimits: input.rlimits.clone(),
        // The parser writes the table whenever a network or unix rule
        // allocated it, even if it allows nothing.
        emit_net_table: !feat.network_v8 && feat.network && net_table_used,
        net,
        policydb,
        file,
        xtable,
        disconnected_path: input.disconnected_path.clone(),
        kill_signal: input.kill_signal.filter(|_| feat.flag_kill_signal),
        error_code: input.error_code.filter(|_| feat.flag_error),
    })
}

/// The policydb's class-mediation markers: read permission on the class
/// byte of every class the kernel mediates, where and at which priority
/// the target puts them ([`aa_target::Mediates`]).
fn mediation_markers(policy: &mut RuleSet, input: &ProfileInput, opts: &CompileOptions) {
    let feat = &opts.features;
    let (confined_only, high, low) = match opts.target.compile.mediates {
        aa_target::Mediates::Always => (false, 0, 0),
        aa_target::Mediates::ConfinedOnly { high, low } => (true, high, low),
    };
    let knows = |c| opts.target.language.has_class(c);
    let (userns, io_uring, mqueue) = (
        feat.userns && knows(aa_target::RuleClass::Userns),
        feat.io_uring && knows(aa_target::RuleClass::IoUring),
        knows(aa_target::RuleClass::Mqueue),
    );
    let mut mark = |text: &str, priority: i32| {
        let perms = RulePerms { perms: old::READ, priority, ..RulePerms::default() };
        policy.add_with(Origin::Mediates, fixed(text), perms);
    };
    if userns {
        mark("\\x15", low);
    }
    if confined_only && matches!(input.flags.mode, ProfileMode::Unconfined | ProfileMode::DefaultAllow) {
        return;
    }
    if feat.kernel_abi > 5 {
        mark("\\x02", high);
    }
    if feat.mount {
        mark("\\x07", high);
    }
    if feat.dbus {
        mark("\\x20", high);
    }
    if feat.signal {
        mark("\\x0a", high);
    }
    if feat.ptrace {
        mark("\\x09", high);
    }
    if feat.network_v8 {
        mark("\\x0e", high);
    }
    if feat.unix {
        mark("\\x04", high);
        // The parser spells this one as text: '4', NUL, '1'.
        mark("4\\x001", high);
    }
    if mqueue && feat.posix_mqueue {
        mark("\\x11", high);
    }
    if mqueue && feat.sysv_mqueue {
        mark("\\x12", high);
    }
    if io_uring {
        mark("\\x16", low);
    }
}

/// The order the parser meets the file rules in. 3.0.8's union does not
/// depend on it (rule order). 4.1's per-bit fold does, and 4.1 sorts its
/// file entries before making their accept nodes: allow before deny
/// before prompt, unaudited first (a deny without `audit` counts as
/// audited), higher priority first, then by path; the sort is stable.
fn file_rule_order(rules: &[FileRule], opts: &CompileOptions) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rules.len()).collect();
    if opts.target.compile.accumulation == aa_target::Accumulation::PerBitPriority {
        let mode = |r: &FileRule| {
            if r.deny {
                2
            } else if r.prompt {
                3
            } else {
                1
            }
        };
        let audit = |r: &FileRule| r.audit != r.deny;
        order.sort_by(|&a, &b| {
            let (x, y) = (&rules[a], &rules[b]);
            mode(x)
                .cmp(&mode(y))
                .then(audit(x).cmp(&audit(y)))
                .then(y.priority.cmp(&x.priority))
                .then(x.path.cmp(&y.path))
        });
    }
    order
}

/// The three file-DFA entries of a change_profile rule.
fn change_profile_rules(
    files: &mut RuleSet,
    i: usize,
    cp: &ChangeProfileRule,
    feat: &Features,
) -> Result<(), ProfileError> {
    let o = Origin::ChangeProfile(i);
    let target = cp.target.as_deref().unwrap_or("**");
    // Targets are profile names: no slash filtering.
    let target_re = glob_regex(target.as_bytes(), o, false)?;
    let exec_re = match &cp.exec {
        Some(e) => glob_regex(e.as_bytes(), o, false)?,
        None => fixed("/[^/\\x00][^\\x00]*"),
    };
    let mut tail = vec![target_re];
    if !feat.stacking {
        // Without stacking the parser splits `:ns:name` into two parts.
        if let Some(rest) = target.strip_prefix(':')
            && let Some((ns, name)) = rest.split_once(':')
        {
            tail = vec![glob_regex(ns.as_bytes(), o, false)?, glob_regex(name.as_bytes(), o, false)?];
        }
    }
    let join = |parts: &[Regex]| {
        let mut it = parts.iter().cloned();
        let first = it.next().unwrap_or(Regex::Empty);
        it.fold(first, Regex::join_with_nul)
    };
    let deny = cp.quals.deny;
    let mut exec_bits = 0;
    if cp.exec.is_some() {
        exec_bits |= old::EXEC | (old::EXEC << old::OTHER_SHIFT);
        if cp.unsafe_exec {
            exec_bits |= old::EXEC_UNSAFE | (old::EXEC_UNSAFE << old::OTHER_SHIFT);
        }
    }
    files.add(o, join(&tail), deny, old::CHANGE_PROFILE | old::ONEXEC, 0);
    files.add(o, exec_re.clone(), deny, old::ONEXEC, 0);
    let mut all = vec![exec_re];
    all.extend(tail);
    files.add(o, join(&all), deny, old::ONEXEC | exec_bits, 0);
    Ok(())
}

/// The last component of a `parent//child` name; a child named by a
/// path (`parent///usr/bin/x`) keeps its leading slash.
pub fn own_name(name: &str) -> &str {
    match name.rfind("//") {
        Some(mut i) => {
            while i > 0 && name.as_bytes()[i - 1] == b'/' {
                i -= 1;
            }
            &name[i + 2..]
        }
        None => name,
    }
}

/// The attachment DFA and its match length, if the profile has one.
fn xmatch_dfa(input: &ProfileInput, opts: &CompileOptions) -> Result<Option<(CompiledDfa, u32)>, ProfileError> {
    let name = match &input.attachment {
        Some(a) => a.clone(),
        None => own_name(&input.name).to_owned(),
    };
    let name = glob::filter_slashes(name.as_bytes());
    let (re, text) = glob::glob_to_regex(&name, GlobMode::Default)
        .map_err(|error| ProfileError::Glob { origin: Origin::Attachment, error })?;
    let basic = text.kind == glob::PatternKind::Basic;
    if basic && input.attachment.is_none() && input.xattrs.is_empty() {
        return Ok(None);
    }
    if !input.xattrs.is_empty() && opts.features.xattr && opts.features.oob {
        // Out-of-band transitions need a 257th column we do not model.
        return Err(ProfileError::Unsupported("xattr attachment".to_owned()));
    }
    let len = re.xmatch_len() as u32;
    let d = build(
        "xmatch",
        vec![Rule {
            regex: re,
            perms: RulePerms { deny: false, perms: old::EXEC, audit: 0, ..RulePerms::default() },
            origin: 0,
        }],
        vec![Origin::Attachment],
        true,
        opts,
    )?;
    Ok(Some((d, len)))
}
