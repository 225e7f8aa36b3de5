//! `aa-hir`'s resolved model → `aa_dfa::ProfileInput`, the way
//! `apparmor_parser` 3.0.8 turns parsed rules into its internal rule
//! objects: names become numbers (capabilities, rlimits, signals,
//! families), permission strings become permission bits, qualifiers
//! become deny/audit/owner, and every lowered entry remembers which model
//! rule it came from ([`RuleMap`]).

use aa_dfa::classes::{
    DbusRule, IoUringRule, MountKind, MountRule, MqueueRule, MqueueType, NetworkRule, PtraceRule, SignalRule, UnixRule,
    UsernsRule, family_number, sock_type_number,
};
use aa_dfa::file_rules::{Exec, ExecFallback, ExecMode};
use aa_dfa::perms::old;
use aa_dfa::profile::{Capabilities, ChangeProfileRule, ProfileFlags, ProfileMode, Quals, Rlimit};
use aa_dfa::{FileRule, LinkRule, ProfileInput};
use aa_hir::db::Db;
use aa_hir::model::{Condition, Owner, PolicyModel, Profile, ProfileKind, Rule, RuleKind, RuleMode};
use aa_syntax::{NodeOrToken, SyntaxKind};
use aa_target::Qualifier;

/// For each entry of a [`ProfileInput`] vector, the index of the model
/// rule (in `Profile::rules`) it was lowered from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleMap {
    pub files: Vec<usize>,
    pub links: Vec<usize>,
    pub change_profile: Vec<usize>,
    pub network: Vec<usize>,
    pub unix: Vec<usize>,
    pub dbus: Vec<usize>,
    pub signal: Vec<usize>,
    pub ptrace: Vec<usize>,
    pub mount: Vec<usize>,
    pub userns: Vec<usize>,
    pub io_uring: Vec<usize>,
    pub mqueue: Vec<usize>,
}

impl RuleMap {
    /// The model rule behind a DFA origin (`None` for implicit entries).
    pub fn rule_of(&self, origin: aa_dfa::profile::Origin) -> Option<usize> {
        use aa_dfa::profile::Origin as O;
        let (v, i) = match origin {
            O::File(i) => (&self.files, i),
            O::Link(i) => (&self.links, i),
            O::ChangeProfile(i) => (&self.change_profile, i),
            O::Network(i) => (&self.network, i),
            O::Unix(i) => (&self.unix, i),
            O::Dbus(i) => (&self.dbus, i),
            O::Signal(i) => (&self.signal, i),
            O::Ptrace(i) => (&self.ptrace, i),
            O::Mount(i) => (&self.mount, i),
            O::Userns(i) => (&self.userns, i),
            O::IoUring(i) => (&self.io_uring, i),
            O::Mqueue(i) => (&self.mqueue, i),
            O::Implicit | O::Attachment | O::Mediates => return None,
        };
        v.get(i).copied()
    }
}

/// A profile of the model, lowered.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// Index in `PolicyModel::profiles`.
    pub profile: usize,
    pub input: ProfileInput,
    pub map: RuleMap,
}

/// Why a profile could not be lowered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowerError {
    /// The model rule at fault, if it is one rule.
    pub rule: Option<usize>,
    pub kind: LowerErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LowerErrorKind {
    /// `apparmor_parser` would reject it too.
    Invalid,
    /// Valid for some parser, but this compiler does not encode it
    /// (a 4.x class or qualifier, or a feature we do not model).
    Unsupported,
}

fn invalid(rule: usize, message: impl Into<String>) -> LowerError {
    LowerError { rule: Some(rule), kind: LowerErrorKind::Invalid, message: message.into() }
}

fn unsupported(rule: Option<usize>, message: impl Into<String>) -> LowerError {
    LowerError { rule, kind: LowerErrorKind::Unsupported, message: message.into() }
}

/// Capability names in kernel order (`CAP_CHOWN` = 0, ...): the list the
/// checks accept, whose index is the capability number.
pub use aa_hir::checks::names::CAPABILITIES;

/// The kernel's capability number of a name.
pub fn capability_number(name: &str) -> Option<u32> {
    CAPABILITIES.iter().position(|c| *c == name).map(|i| i as u32)
}

/// `RLIMIT_*` numbers, as on x86 and most architectures.
const RLIMITS: &[&str] = &[
    "cpu",
    "fsize",
    "data",
    "stack",
    "core",
    "rss",
    "nproc",
    "nofile",
    "memlock",
    "as",
    "locks",
    "sigpending",
    "msgqueue",
    "nice",
    "rtprio",
    "rttime",
];

pub fn rlimit_number(name: &str) -> Option<u32> {
    let name = if name == "ofile" { "nofile" } else { name };
    RLIMITS.iter().position(|c| *c == name).map(|i| i as u32)
}

/// An rlimit value as the parser converts it (`RLIM_INFINITY` = `u64::MAX`).
pub fn rlimit_value(resource: &str, text: &str) -> Result<u64, String> {
    let text = text.trim().trim_start_matches("<=").trim();
    let text: String = text.split_whitespace().collect();
    if text == "infinity" {
        return Ok(u64::MAX);
    }
    let digits = text.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(text.len());
    let (num, unit) = text.split_at(digits);
    let n: i64 = num.parse().map_err(|_| format!("invalid rlimit value `{text}`"))?;
    let bad = || format!("invalid unit `{unit}` for rlimit {resource}");
    match resource {
        "cpu" => {
            // Seconds by default.
            let mult: u64 = match unit {
                "" | "s" | "sec" | "second" | "seconds" => 1,
                "min" | "minute" | "minutes" => 60,
                "h" | "hour" | "hours" => 3600,
                "d" | "day" | "days" => 86_400,
                "week" | "weeks" => 604_800,
                _ => return Err(bad()),
            };
            u64::try_from(n).map(|n| n.saturating_mul(mult)).map_err(|_| bad())
        }
        "rttime" => {
            // Microseconds by default.
            let mult: u64 = match unit {
                "" | "us" | "microsecond" | "microseconds" => 1,
                "ms" | "millisecond" | "milliseconds" => 1_000,
                "s" | "sec" | "second" | "seconds" => 1_000_000,
                "min" | "minute" | "minutes" => 60_000_000,
                "h" | "hour" | "hours" => 3_600_000_000,
                _ => return Err(bad()),
            };
            u64::try_from(n).map(|n| n.saturating_mul(mult)).map_err(|_| bad())
        }
        "nofile" | "ofile" | "nproc" | "locks" | "sigpending" | "rtprio" => {
            if !unit.is_empty() {
                return Err(bad());
            }
            u64::try_from(n).map_err(|_| bad())
        }
        "nice" => {
            if !unit.is_empty() || !(-20..=19).contains(&n) {
                return Err(format!("invalid rlimit nice value `{text}`"));
            }
            // 3.0.8 stores `20 + value` (not the kernel's `20 - nice`).
            Ok((20 + n) as u64)
        }
        _ => {
            let mult: u64 = match unit {
                "" => 1,
                "K" | "KB" => 1 << 10,
                "M" | "MB" => 1 << 20,
                "G" | "GB" => 1 << 30,
                _ => return Err(bad()),
            };
            u64::try_from(n).map(|n| n.saturating_mul(mult)).map_err(|_| bad())
        }
    }
}

fn quals(rule: &Rule) -> Quals {
    Quals {
        audit: rule.qualifiers.audit,
        deny: rule.qualifiers.mode == RuleMode::Deny,
        prompt: rule.qualifiers.mode == RuleMode::Prompt,
        // The checks reject values outside the target's range.
        priority: rule.qualifiers.priority.map_or(0, |p| p.clamp(i32::MIN as i64, i32::MAX as i64) as i32),
    }
}

/// The permission letters of a file rule → a [`FileRule`] (path unset).
pub fn file_perms(perms: &str) -> Result<(u32, Option<Exec>), String> {
    let bytes = perms.as_bytes();
    let mut bits = 0u32;
    let mut exec: Option<Exec> = None;
    let mut i = 0;
    let set_exec = |x: Exec, exec: &mut Option<Exec>| -> Result<(), String> {
        match exec {
            Some(prev) if *prev != x => Err(format!("conflicting exec modes in `{perms}`")),
            _ => {
                *exec = Some(x);
                Ok(())
            }
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        let next2 = bytes.get(i + 2).copied();
        match c {
            b'r' | b'R' => bits |= old::READ,
            b'w' | b'W' => bits |= old::WRITE | old::APPEND,
            b'a' | b'A' => bits |= old::APPEND,
            b'l' | b'L' => bits |= old::LINK,
            b'k' | b'K' => bits |= old::LOCK,
            b'm' | b'M' => bits |= old::EXEC_MMAP,
            b'x' => bits |= old::EXEC,
            b'i' | b'I' if matches!(next, Some(b'x' | b'X')) => {
                set_exec(
                    Exec { mode: ExecMode::Inherit, scrub: false, fallback: None, target_index: None },
                    &mut exec,
                )?;
                i += 2;
                continue;
            }
            b'p' | b'P' | b'c' | b'C' | b'u' | b'U' => {
                let mode = match c.to_ascii_lowercase() {
                    b'p' => ExecMode::Profile,
                    b'c' => ExecMode::Child,
                    _ => ExecMode::Unconfined,
                };
                let scrub = c.is_ascii_uppercase();
                let (fallback, len) = match (mode, next, next2) {
                    (ExecMode::Profile | ExecMode::Child, Some(b'i' | b'I'), Some(b'x' | b'X')) => {
                        (Some(ExecFallback::Inherit), 3)
                    }
                    (ExecMode::Profile | ExecMode::Child, Some(b'u' | b'U'), Some(b'x' | b'X')) => {
                        (Some(ExecFallback::Unconfined), 3)
                    }
                    (_, Some(b'x' | b'X'), _) => (None, 2),
                    _ => return Err(format!("invalid exec mode in `{perms}`")),
                };
                set_exec(Exec { mode, scrub, fallback, target_index: None }, &mut exec)?;
                i += len;
                continue;
            }
            _ => return Err(format!("invalid permission `{}` in `{perms}`", c as char)),
        }
        i += 1;
    }
    if exec.is_some() {
        bits &= !old::EXEC;
    }
    Ok((bits, exec))
}

/// Lowers every profile of the model; one result per profile, in model order.
pub fn lower_policy(db: &dyn Db, model: &PolicyModel) -> Vec<Result<Lowered, LowerError>> {
    (0..model.profiles.len()).map(|i| lower_profile(db, model, i)).collect()
}

/// Lowers one profile (its own rules only; hats and children are
/// separate profiles of the model).
pub fn lower_profile(db: &dyn Db, model: &PolicyModel, index: usize) -> Result<Lowered, LowerError> {
    let Some(profile) = model.profiles.get(index) else {
        return Err(unsupported(None, "no such profile"));
    };
    let mut input = ProfileInput::default();
    let mut map = RuleMap::default();
    let (namespace, name) = split_namespace(&profile.name);
    input.name = name;
    input.namespace = namespace;
    input.attachment = attachment(profile);
    flags(profile, &aa_hir::db::target(db).language, &mut input)?;
    input.has_hats = model.profiles.iter().any(|p| p.parent == Some(index));
    let mut caps = Capabilities::default();
    let language = &aa_hir::db::target(db).language;
    for (ri, rule) in profile.rules.iter().enumerate() {
        if rule.qualifiers.mode == RuleMode::Prompt && !language.has_qualifier(Qualifier::Prompt) {
            return Err(invalid(ri, "`prompt` rules need apparmor_parser 4.1"));
        }
        if rule.qualifiers.priority.is_some() && !language.has_qualifier(Qualifier::Priority) {
            return Err(invalid(ri, "rule priorities need apparmor_parser 4.1"));
        }
        let q = quals(rule);
        match &*rule.kind {
            RuleKind::File { path, perms, target, exec_safety } => {
                if exec_safety.is_some() {
                    return Err(unsupported(Some(ri), "`safe`/`unsafe` file rules need apparmor_parser 4.0"));
                }
                if rule.qualifiers.owner == Owner::Other {
                    return Err(unsupported(Some(ri), "`other` file rules are not encoded"));
                }
                let owner = rule.qualifiers.owner == Owner::Owner;
                let (path, perms) = match path {
                    Some(p) if has_variable(db, rule) => (join_slashes(p), perms.clone()),
                    Some(p) => (p.clone(), perms.clone()),
                    // `file,`: every file, every permission, `ix` for exec.
                    None if perms.is_empty() => ("/{**,}".to_owned(), "rwlkmix".to_owned()),
                    None => ("/{**,}".to_owned(), perms.clone()),
                };
                let (bits, exec) = file_perms(&perms).map_err(|m| invalid(ri, m))?;
                // `PATH l -> TARGET` without an exec mode: 3.0.8 keeps the
                // rule and only enters the target in the transition table.
                if q.deny && exec.is_some_and(|x| x.mode != ExecMode::Inherit || x.fallback.is_some()) {
                    return Err(invalid(ri, "deny rules take a bare `x`, not an exec mode"));
                }
                let (bits, exec) = if q.deny {
                    // `deny ... ix` denies exec; the mode itself is dropped.
                    (bits | if exec.is_some() { old::EXEC } else { 0 }, None)
                } else {
                    (bits, exec)
                };
                if !q.deny && bits & old::EXEC != 0 && exec.is_none() {
                    return Err(invalid(ri, "`x` needs an exec mode (ix, px, cx, ux, ...) outside deny rules"));
                }
                map.files.push(ri);
                input.files.push(FileRule {
                    path: path.into_bytes(),
                    owner,
                    deny: q.deny,
                    audit: q.audit,
                    perms: bits,
                    exec,
                    exec_target: target.clone(),
                    prompt: q.prompt,
                    priority: q.priority,
                });
            }
            RuleKind::Link { subset, path, target } => {
                let var = has_variable(db, rule);
                let fix = |p: &String| if var { join_slashes(p) } else { p.clone() };
                map.links.push(ri);
                input.links.push(LinkRule {
                    path: fix(path).into_bytes(),
                    target: fix(target).into_bytes(),
                    subset: *subset,
                    owner: rule.qualifiers.owner == Owner::Owner,
                    deny: q.deny,
                    audit: q.audit,
                    prompt: q.prompt,
                    priority: q.priority,
                });
            }
            RuleKind::Capability { names } => {
                let mut bits = 0u64;
                if names.is_empty() {
                    bits = u64::MAX;
                }
                for n in names {
                    let c = capability_number(n).ok_or_else(|| invalid(ri, format!("unknown capability `{n}`")))?;
                    bits |= 1 << c;
                }
                if q.deny {
                    caps.deny |= bits;
                    if !q.audit {
                        caps.quiet |= bits;
                    }
                } else {
                    caps.allow |= bits;
                    if q.audit {
                        caps.audit |= bits;
                    }
                }
            }
            RuleKind::ChangeProfile { exec, target } => {
                map.change_profile.push(ri);
                input.change_profile.push(ChangeProfileRule {
                    quals: q,
                    unsafe_exec: has_token(db, rule, SyntaxKind::UNSAFE_KW),
                    exec: exec.clone(),
                    target: target.clone(),
                });
            }
            RuleKind::Rlimit { resource, value } => {
                let r = rlimit_number(resource).ok_or_else(|| invalid(ri, format!("unknown rlimit `{resource}`")))?;
                let v = rlimit_value(resource, value).map_err(|m| invalid(ri, m))?;
                if let Some(e) = input.rlimits.iter_mut().find(|e| e.resource == r) {
                    e.value = v;
                } else {
                    input.rlimits.push(Rlimit { resource: r, value: v });
                }
            }
            RuleKind::All => {
                if !aa_hir::db::target(db).language.has_class(aa_target::RuleClass::All) {
                    return Err(invalid(ri, "`all` rules need apparmor_parser 4.0"));
                }
                all_rule(&mut input, &mut map, &mut caps, ri, q);
            }
            RuleKind::Other { class, access, words, conditions } => {
                let own = aa_dfa::profile::own_name(&profile.name).to_owned();
                let by_name = source_text(db, rule).is_some_and(|t| t.contains("@{profile_name}"));
                let peer = |v: Option<String>| match v {
                    Some(v) if by_name && (v == profile.name || v == own) => Some(escape_glob(&v)),
                    v => v,
                };
                other(db, &mut input, &mut map, ri, rule, *class, access, words, conditions, q, &peer)?;
            }
        }
    }
    input.capabilities = caps;
    Ok(Lowered { profile: index, input, map })
}

/// `all,` as the parser expands it: every class's widest rule with the
/// same prefix (unix, dbus, io_uring, mqueue, ptrace, signal, userns, the
/// four mount rules, network), every file permission but exec, exec
/// (`ix` for allow rules) two priorities lower, and every capability.
fn all_rule(input: &mut ProfileInput, map: &mut RuleMap, caps: &mut Capabilities, ri: usize, q: Quals) {
    // The parser gives the expanded rules the `all` rule's own prefix,
    // which for a deny rule has already turned "quiet unless audited"
    // into an audit mark: a second pass turns it back, so `deny all`
    // denies audibly and `audit deny all` quietly. The unix rule takes
    // the mark before the prefix and stays quiet either way.
    let sub = Quals { audit: if q.deny { !q.audit } else { q.audit }, ..q };
    map.unix.push(ri);
    input.unix.push(UnixRule {
        quals: Quals { audit: q.audit || q.deny, ..q },
        from_network: true,
        ..UnixRule::default()
    });
    map.dbus.push(ri);
    input.dbus.push(DbusRule { quals: sub, ..DbusRule::default() });
    map.io_uring.push(ri);
    input.io_uring.push(IoUringRule { quals: sub, ..IoUringRule::default() });
    map.mqueue.push(ri);
    input.mqueue.push(MqueueRule { quals: sub, ..MqueueRule::default() });
    map.ptrace.push(ri);
    input.ptrace.push(PtraceRule { quals: sub, ..PtraceRule::default() });
    map.signal.push(ri);
    input.signal.push(SignalRule { quals: sub, ..SignalRule::default() });
    map.userns.push(ri);
    input.userns.push(UsernsRule { quals: sub, ..UsernsRule::default() });
    for kind in [MountKind::Mount, MountKind::Remount, MountKind::Umount, MountKind::PivotRoot] {
        map.mount.push(ri);
        input.mount.push(MountRule { quals: sub, kind, ..MountRule::default() });
    }
    map.network.push(ri);
    input.network.push(NetworkRule { quals: sub, skip_table: true, ..NetworkRule::default() });
    let file = |perms, exec, priority, owner| FileRule {
        path: b"/{**,}".to_vec(),
        owner,
        deny: sub.deny,
        audit: sub.audit,
        perms,
        exec,
        exec_target: None,
        prompt: sub.prompt,
        priority,
    };
    // A deny keeps the file permissions in the owner half only.
    let rw = old::READ | old::WRITE | old::APPEND | old::LINK | old::LOCK | old::EXEC_MMAP;
    map.files.push(ri);
    input.files.push(file(rw, None, q.priority, q.deny));
    let ix = Exec { mode: ExecMode::Inherit, scrub: false, fallback: None, target_index: None };
    let (bits, exec) = if q.deny { (old::EXEC, None) } else { (0, Some(ix)) };
    map.files.push(ri);
    input.files.push(file(bits, exec, q.priority - 2, false));
    if q.deny {
        caps.deny = u64::MAX;
        if q.audit {
            caps.quiet = u64::MAX;
        }
    } else {
        caps.allow = u64::MAX;
        if q.audit {
            caps.audit = u64::MAX;
        }
    }
}

/// Whether the rule's own syntax has a token of `kind` (for what the model
/// does not keep, like `change_profile unsafe`).
fn has_token(db: &dyn Db, rule: &Rule, kind: SyntaxKind) -> bool {
    let loc = &rule.origin.location;
    let tree = aa_hir::includes::parse(db, loc.file).syntax_node();
    if !tree.text_range().contains_range(loc.range) {
        return false;
    }
    let node = match tree.covering_element(loc.range) {
        NodeOrToken::Node(n) => n,
        NodeOrToken::Token(t) => match t.parent() {
            Some(p) => p,
            None => return false,
        },
    };
    node.descendants_with_tokens().any(|e| e.kind() == kind)
}

/// The rule's text as written.
fn source_text(db: &dyn Db, rule: &Rule) -> Option<String> {
    let loc = &rule.origin.location;
    match loc.file.content(db) {
        aa_hir::db::FileContent::Text(t) => {
            t.get(usize::from(loc.range.start())..usize::from(loc.range.end())).map(String::from)
        }
        _ => None,
    }
}

fn has_variable(db: &dyn Db, rule: &Rule) -> bool {
    source_text(db, rule).is_some_and(|t| t.contains("@{"))
}

/// A `/` followed by an alternation whose alternatives start with `/`
/// (what `@{A}/@{B}` gives when `@{A}` is empty): `apparmor_parser`'s
/// expansion drops the alternatives' leading slash, as it does at every
/// variable join.
pub fn join_slashes(path: &str) -> String {
    let b = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'{') {
            // Find the matching brace and the top-level commas.
            let mut depth = 0;
            let mut j = i + 1;
            let mut cuts = vec![i + 2];
            let mut end = None;
            while j < b.len() {
                match b[j] {
                    b'\\' => j += 1,
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    b',' if depth == 1 => cuts.push(j + 1),
                    _ => {}
                }
                j += 1;
            }
            if let Some(end) = end
                && cuts.iter().all(|&c| b.get(c) == Some(&b'/'))
            {
                out.push_str("/{");
                let mut first = true;
                for (k, &c) in cuts.iter().enumerate() {
                    let stop = cuts.get(k + 1).map(|n| n - 1).unwrap_or(end);
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&join_slashes(&path[c + 1..stop]));
                }
                out.push('}');
                i = end + 1;
                continue;
            }
        }
        let ch = path[i..].chars().next().unwrap_or('?');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// `@{profile_name}` in a peer is the name itself, not a glob.
fn escape_glob(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if "*?[]{}\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn split_namespace(name: &str) -> (Option<String>, String) {
    if let Some(rest) = name.strip_prefix(':')
        && let Some((ns, n)) = rest.split_once(':')
    {
        return (Some(ns.to_owned()), n.trim_start_matches("//").to_owned());
    }
    (None, name.to_owned())
}

/// The explicit attachment only: a profile named by a path attaches by its
/// name, which the compiler derives itself.
fn attachment(profile: &Profile) -> Option<String> {
    let a = profile.attachment.as_ref()?;
    let last = aa_dfa::profile::own_name(&profile.name);
    (a != last && a != &profile.name).then(|| a.clone())
}

/// The profile's flags into `input`: the flag word, the mode and the
/// header fields of 4.1 (`attach_disconnected.path=`, `kill.signal=`,
/// `error=`).
fn flags(profile: &Profile, language: &aa_target::Language, input: &mut ProfileInput) -> Result<(), LowerError> {
    let mut f = ProfileFlags { hat: profile.kind == ProfileKind::Hat, ..ProfileFlags::default() };
    for (i, flag) in profile.flags.iter().enumerate() {
        let flag = flag.trim();
        // Any path flag, even one that sets no bit, makes the parser write
        // the path flags word.
        f.path_given |= matches!(
            flag.split('=').next().unwrap_or(""),
            "attach_disconnected"
                | "no_attach_disconnected"
                | "chroot_relative"
                | "namespace_relative"
                | "mediate_deleted"
                | "delegate_deleted"
                | "chroot_attach"
                | "chroot_no_attach"
                | "attach_disconnected.path"
        );
        // The parser's flag merge does not carry the flags word: only the
        // first flag of the list can set debug or interruptible.
        let first = i == 0;
        match flag {
            "complain" => f.mode = ProfileMode::Complain,
            "enforce" => f.mode = ProfileMode::Enforce,
            "kill" => f.mode = ProfileMode::Kill,
            "unconfined" => f.mode = ProfileMode::Unconfined,
            "audit" => f.audit = true,
            "attach_disconnected" => f.attach_disconnected = true,
            "no_attach_disconnected" => f.attach_disconnected = false,
            "chroot_relative" => f.chroot_relative = true,
            "namespace_relative" => f.chroot_relative = false,
            "mediate_deleted" => f.mediate_deleted = true,
            "delegate_deleted" => f.mediate_deleted = false,
            "chroot_attach" => f.chroot_attach = true,
            "chroot_no_attach" => f.chroot_attach = false,
            "debug" if language.has_flag("debug") => f.debug |= first,
            "interruptible" if language.has_flag("interruptible") => f.interruptible |= first,
            "prompt" if language.has_flag("prompt") => f.mode = ProfileMode::Prompt,
            "default_allow" if language.has_flag("default_allow") => f.mode = ProfileMode::DefaultAllow,
            "" => {}
            other => {
                let (name, value) = match other.split_once('=') {
                    Some((n, v)) if language.has_flag(&format!("{n}=")) => (n, v),
                    _ => return Err(unsupported(None, format!("profile flag `{other}` is not encoded"))),
                };
                match name {
                    "attach_disconnected.path" => {
                        f.attach_disconnected = true;
                        // Slashes filtered, trailing ones dropped.
                        let path =
                            String::from_utf8_lossy(&aa_dfa::glob::filter_slashes(value.as_bytes())).into_owned();
                        let path = path.trim_end_matches('/');
                        if !path.starts_with('/') {
                            return Err(invalid_profile("attach_disconnected.path must begin with /".to_owned()));
                        }
                        input.disconnected_path = Some(path.to_owned());
                    }
                    "kill.signal" => {
                        let n = aa_dfa::classes::signal_number(value)
                            .ok_or_else(|| invalid_profile(format!("unknown signal `{value}` in kill.signal=")))?;
                        input.kill_signal = Some(u32::from(n));
                    }
                    "error" => {
                        let n = crate::errno::number(value)
                            .ok_or_else(|| invalid_profile(format!("unknown error code `{value}` in error=")))?;
                        input.error_code = Some(n);
                    }
                    _ => return Err(unsupported(None, format!("profile flag `{other}` is not encoded"))),
                }
            }
        }
    }
    input.flags = f;
    Ok(())
}

fn invalid_profile(message: String) -> LowerError {
    LowerError { rule: None, kind: LowerErrorKind::Invalid, message }
}

fn cond<'a>(conditions: &'a [Condition], name: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.name == name)
}

fn single(c: Option<&Condition>) -> Option<String> {
    c.and_then(|c| c.values.first().cloned())
}

#[allow(clippy::too_many_arguments)]
fn other(
    db: &dyn Db,
    input: &mut ProfileInput,
    map: &mut RuleMap,
    ri: usize,
    rule: &Rule,
    class: SyntaxKind,
    access: &[String],
    words: &[String],
    conditions: &[Condition],
    q: Quals,
    peer_fix: &dyn Fn(Option<String>) -> Option<String>,
) -> Result<(), LowerError> {
    use SyntaxKind::*;
    match class {
        NETWORK_RULE => {
            if !access.is_empty() || !conditions.is_empty() {
                return Err(unsupported(Some(ri), "fine-grained network rules need apparmor_parser 4.x"));
            }
            let mut family = None;
            let mut sock_type = None;
            for w in words {
                if let Some(t) = sock_type_number(w) {
                    // `packet` is both a family and a type: first as family.
                    if w == "packet" && family.is_none() {
                        family = family_number(w);
                    } else {
                        sock_type = Some(t);
                    }
                } else if let Some(f) = family_number(w) {
                    family = Some(f);
                } else {
                    let t = match w.as_str() {
                        "tcp" => 1,
                        "udp" => 2,
                        "icmp" => 3,
                        _ => return Err(invalid(ri, format!("unknown network word `{w}`"))),
                    };
                    sock_type = Some(t);
                }
            }
            map.network.push(ri);
            input.network.push(NetworkRule { quals: q, family, sock_type, ..NetworkRule::default() });
        }
        UNIX_RULE => {
            let mut perms = 0u32;
            for a in access {
                perms |= unix_perm(a).ok_or_else(|| invalid(ri, format!("unknown unix access `{a}`")))?;
            }
            let peer = cond(conditions, "peer");
            let sub = |name: &str| peer.and_then(|p| single(cond(&p.group, name)));
            let sock_type = match single(cond(conditions, "type")) {
                Some(t) => Some(sock_type_number(&t).ok_or_else(|| invalid(ri, format!("unknown socket type `{t}`")))?),
                None => None,
            };
            let protocol = match single(cond(conditions, "protocol")) {
                Some(p) => Some(p.parse().map_err(|_| invalid(ri, format!("invalid protocol `{p}`")))?),
                None => None,
            };
            map.unix.push(ri);
            input.unix.push(UnixRule {
                quals: q,
                perms,
                sock_type,
                protocol,
                addr: single(cond(conditions, "addr")),
                label: single(cond(conditions, "label")),
                peer_addr: sub("addr"),
                peer_label: peer_fix(sub("label")),
                from_network: false,
            });
        }
        DBUS_RULE => {
            let mut perms = 0;
            for a in access {
                perms |= match a.as_str() {
                    "send" | "write" | "w" => DbusRule::SEND,
                    "receive" | "read" | "r" => DbusRule::RECEIVE,
                    "rw" | "wr" => DbusRule::SEND | DbusRule::RECEIVE,
                    "bind" => DbusRule::BIND,
                    "eavesdrop" => DbusRule::EAVESDROP,
                    _ => return Err(invalid(ri, format!("unknown dbus access `{a}`"))),
                };
            }
            let peer = cond(conditions, "peer");
            let sub = |name: &str| peer.and_then(|p| single(cond(&p.group, name)));
            map.dbus.push(ri);
            input.dbus.push(DbusRule {
                quals: q,
                perms,
                bus: single(cond(conditions, "bus")),
                name: single(cond(conditions, "name")),
                path: single(cond(conditions, "path")),
                interface: single(cond(conditions, "interface")),
                member: single(cond(conditions, "member")),
                peer_name: sub("name"),
                peer_label: peer_fix(sub("label")),
            });
        }
        SIGNAL_RULE => {
            let mut perms = 0;
            for a in access {
                perms |= match a.as_str() {
                    "send" | "write" | "w" => SignalRule::SEND,
                    "receive" | "read" | "r" => SignalRule::RECEIVE,
                    "rw" | "wr" => SignalRule::SEND | SignalRule::RECEIVE,
                    _ => return Err(invalid(ri, format!("unknown signal access `{a}`"))),
                };
            }
            let mut signals = Vec::new();
            for c in conditions.iter().filter(|c| c.name == "set") {
                for v in &c.values {
                    signals.extend(v.split([',', ' ']).filter(|s| !s.is_empty()).map(String::from));
                }
            }
            for s in &signals {
                if aa_dfa::classes::signal_number(s).is_none() {
                    return Err(invalid(ri, format!("unknown signal `{s}`")));
                }
            }
            map.signal.push(ri);
            input.signal.push(SignalRule {
                quals: q,
                perms,
                signals,
                peer: peer_fix(single(cond(conditions, "peer"))),
            });
        }
        PTRACE_RULE => {
            let mut perms = 0;
            for a in access {
                perms |= match a.as_str() {
                    "trace" | "w" | "write" => PtraceRule::TRACE,
                    "read" | "r" => PtraceRule::READ,
                    "rw" | "wr" => PtraceRule::READ | PtraceRule::TRACE,
                    "tracedby" => PtraceRule::TRACEDBY,
                    "readby" => PtraceRule::READBY,
                    _ => return Err(invalid(ri, format!("unknown ptrace access `{a}`"))),
                };
            }
            map.ptrace.push(ri);
            input.ptrace.push(PtraceRule { quals: q, perms, peer: peer_fix(single(cond(conditions, "peer"))) });
        }
        MOUNT_RULE | REMOUNT_RULE | UMOUNT_RULE | PIVOT_ROOT_RULE => {
            let kind = match class {
                MOUNT_RULE => MountKind::Mount,
                REMOUNT_RULE => MountKind::Remount,
                UMOUNT_RULE => MountKind::Umount,
                _ => MountKind::PivotRoot,
            };
            let m = mount_rule(db, rule, kind, q).map_err(|msg| invalid(ri, msg))?;
            map.mount.push(ri);
            input.mount.push(m);
        }
        MQUEUE_RULE => {
            let mut perms = 0;
            for a in access {
                perms |= mqueue_perm(a).ok_or_else(|| invalid(ri, format!("unknown mqueue access `{a}`")))?;
            }
            let qtype = match single(cond(conditions, "type")).as_deref() {
                None => MqueueType::Any,
                Some("posix") => MqueueType::Posix,
                Some("sysv") => MqueueType::Sysv,
                Some(t) => return Err(invalid(ri, format!("mqueue invalid type `{t}`"))),
            };
            let name = words.last().cloned();
            aa_dfa::classes::mqueue_type(name.as_deref(), qtype).map_err(|m| invalid(ri, m))?;
            map.mqueue.push(ri);
            input.mqueue.push(MqueueRule { quals: q, perms, qtype, name, label: single(cond(conditions, "label")) });
        }
        IO_URING_RULE => {
            let mut perms = 0;
            for a in access {
                perms |= match a.as_str() {
                    "sqpoll" => IoUringRule::SQPOLL,
                    "override_creds" => IoUringRule::OVERRIDE_CREDS,
                    _ => return Err(invalid(ri, format!("unknown io_uring access `{a}`"))),
                };
            }
            map.io_uring.push(ri);
            input.io_uring.push(IoUringRule { quals: q, perms, label: single(cond(conditions, "label")) });
        }
        USERNS_RULE => {
            let mut perms = 0;
            for a in access {
                perms |= match a.as_str() {
                    "create" => UsernsRule::CREATE,
                    _ => return Err(invalid(ri, format!("unknown userns access `{a}`"))),
                };
            }
            map.userns.push(ri);
            input.userns.push(UsernsRule { quals: q, perms });
        }
        other => return Err(unsupported(Some(ri), format!("{other:?} is not encoded"))),
    }
    Ok(())
}

fn mqueue_perm(a: &str) -> Option<u32> {
    Some(match a {
        "create" => MqueueRule::CREATE,
        "open" => MqueueRule::OPEN,
        "delete" => MqueueRule::DELETE,
        "getattr" => MqueueRule::GETATTR,
        "setattr" => MqueueRule::SETATTR,
        "write" => MqueueRule::WRITE,
        "read" => MqueueRule::READ,
        // Letters: `r` and `w` only, in any case.
        letters if !letters.is_empty() => {
            let mut bits = 0;
            for c in letters.chars() {
                bits |= match c.to_ascii_lowercase() {
                    'r' => MqueueRule::READ,
                    'w' => MqueueRule::WRITE,
                    _ => return None,
                };
            }
            bits
        }
        _ => return None,
    })
}

fn unix_perm(a: &str) -> Option<u32> {
    Some(match a {
        "send" | "write" | "w" => UnixRule::SEND,
        "receive" | "read" | "r" => UnixRule::RECEIVE,
        "rw" | "wr" => UnixRule::SEND | UnixRule::RECEIVE,
        "create" => UnixRule::CREATE,
        "shutdown" => UnixRule::SHUTDOWN,
        "connect" => UnixRule::CONNECT,
        "setattr" => UnixRule::SETATTR,
        "getattr" => UnixRule::GETATTR,
        "bind" => UnixRule::BIND,
        "listen" => UnixRule::LISTEN,
        "accept" => UnixRule::ACCEPT,
        "setopt" => UnixRule::SETOPT,
        "getopt" => UnixRule::GETOPT,
        _ => return None,
    })
}

/// Mount-family rules need where `->` stands, which the model does not
/// keep: read the rule's syntax again.
fn mount_rule(db: &dyn Db, rule: &Rule, kind: MountKind, quals: Quals) -> Result<MountRule, String> {
    use SyntaxKind::*;
    let loc = &rule.origin.location;
    let tree = aa_hir::includes::parse(db, loc.file).syntax_node();
    if !tree.text_range().contains_range(loc.range) {
        return Err("mount rule not found in its file".to_owned());
    }
    let node = match tree.covering_element(loc.range) {
        NodeOrToken::Node(n) => n,
        NodeOrToken::Token(t) => t.parent().ok_or("rule not found")?,
    };
    let node = node
        .ancestors()
        .find(|n| matches!(n.kind(), MOUNT_RULE | REMOUNT_RULE | UMOUNT_RULE | PIVOT_ROOT_RULE))
        .ok_or("mount rule not found in its file")?;
    let mut m = MountRule { quals, kind, ..MountRule::default() };
    let mut after_arrow = false;
    let (model_conds, model_words) = match &*rule.kind {
        RuleKind::Other { conditions, words, .. } => (conditions.clone(), words.clone()),
        _ => (Vec::new(), Vec::new()),
    };
    let mut cond_i = 0;
    let mut word_i = 0;
    for element in node.children_with_tokens() {
        match element {
            NodeOrToken::Token(t) if t.kind() == ARROW => after_arrow = true,
            NodeOrToken::Token(_) => {}
            NodeOrToken::Node(n) => match n.kind() {
                CONDITION | CONDITION_GROUP => {
                    let is_in = n.children_with_tokens().any(|e| e.kind() == IN_KW);
                    // The model's conditions are in the same order, expanded.
                    let c = model_conds.get(cond_i).cloned();
                    cond_i += 1;
                    let Some(c) = c else { continue };
                    // Each value is one item, as the parser's lexer cuts
                    // them: `fstype=ext3,ext4` is a single name.
                    let values = c.values;
                    match c.name.as_str() {
                        "fstype" | "vfstype" => m.fstype.extend(values),
                        "options" | "option" if is_in => m.options_in.push(values),
                        "options" | "option" => m.options_eq.push(values),
                        "oldroot" => m.source = values.into_iter().next(),
                        other => return Err(format!("unknown mount condition `{other}`")),
                    }
                }
                VALUE => {
                    let w = model_words.get(word_i).cloned();
                    word_i += 1;
                    let Some(w) = w else { continue };
                    match (kind, after_arrow) {
                        (MountKind::PivotRoot, false) => m.mountpoint = Some(w),
                        (MountKind::PivotRoot, true) => m.target = Some(w),
                        (MountKind::Mount, false) => m.source = Some(w),
                        (_, _) => m.mountpoint = Some(w),
                    }
                }
                _ => {}
            },
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_letters() {
        assert_eq!(file_perms("rw"), Ok((old::READ | old::WRITE | old::APPEND, None)));
        let (bits, x) = file_perms("mrPix").unwrap();
        assert_eq!(bits, old::READ | old::EXEC_MMAP);
        let x = x.unwrap();
        assert_eq!((x.mode, x.scrub, x.fallback), (ExecMode::Profile, true, Some(ExecFallback::Inherit)));
        let (_, x) = file_perms("cux").unwrap();
        assert_eq!(
            x.map(|x| (x.mode, x.scrub, x.fallback)),
            Some((ExecMode::Child, false, Some(ExecFallback::Unconfined)))
        );
        assert_eq!(file_perms("x"), Ok((old::EXEC, None)));
        assert!(file_perms("ixpx").is_err());
        assert!(file_perms("rq").is_err());
    }

    #[test]
    fn slash_joins() {
        assert_eq!(join_slashes("/{/run,/var/run}/x"), "/{run,var/run}/x");
        assert_eq!(join_slashes("/{run,/var/run}/x"), "/{run,/var/run}/x");
        assert_eq!(join_slashes("/a/{b,c}"), "/a/{b,c}");
        assert_eq!(join_slashes("/{/a,/b/{c,d}}"), "/{a,b/{c,d}}");
        assert_eq!(join_slashes("/{/unterminated"), "/{/unterminated");
    }

    #[test]
    fn rlimit_values() {
        assert_eq!(rlimit_value("nofile", "<= 1024"), Ok(1024));
        assert_eq!(rlimit_value("as", "2GB"), Ok(2 << 30));
        assert_eq!(rlimit_value("cpu", "2min"), Ok(120));
        assert_eq!(rlimit_value("rttime", "10ms"), Ok(10_000));
        assert_eq!(rlimit_value("nice", "-5"), Ok(15));
        assert_eq!(rlimit_value("core", "infinity"), Ok(u64::MAX));
        assert!(rlimit_value("nofile", "10K").is_err());
        assert!(rlimit_value("nice", "40").is_err());
        assert!(rlimit_value("stack", "").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(capability_number("chown"), Some(0));
        assert_eq!(capability_number("checkpoint_restore"), Some(40));
        assert_eq!(capability_number("CAP_CHOWN"), None);
        assert_eq!(rlimit_number("rttime"), Some(15));
        assert_eq!(rlimit_number("ofile"), Some(7));
    }
}
