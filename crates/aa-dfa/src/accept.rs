//! What a DFA state grants: the permission record each rule carries
//! ([`RulePerms`]) and how the records of the rules matching in one state
//! combine ([`StatePerms::fold_with`]).
//!
//! The combination is where `apparmor_parser` versions differ
//! ([`aa_target::Accumulation`]):
//! - 3.0.8 takes unions of allow, deny, audit and quiet and subtracts the
//!   deny at the end ([`Accumulation::Union`]);
//! - 4.1.0 and 5.0.2 keep, per permission bit, only the records of the
//!   highest `priority=` seen, and let a deny clear what the allow records
//!   before it granted ([`Accumulation::PerBitPriority`]).
//!
//! Both count an exact (wildcard-free) rule's exec type as dominating the
//! globbing rules' one, but they disagree on what is exact: 3.0.8 counts a
//! character class (`[0-9]`) as a wildcard, 4.1.0 only `*`, `+`, `.` and
//! negated classes ([`is_exact`]).

use aa_target::{Accumulation, CompileSemantics};

use crate::perms::old;
use crate::regex::Regex;

/// The permission record of one rule, in the packed (old) encoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RulePerms {
    pub deny: bool,
    /// Permission bits (both halves, plus change_profile/onexec bits).
    pub perms: u32,
    /// For allow rules: audited bits. For deny rules: the bits to keep
    /// quiet (deny rules are quiet unless audited).
    pub audit: u32,
    /// `priority=N` (0 when not written); only
    /// [`Accumulation::PerBitPriority`] reads it.
    pub priority: i32,
    /// A `prompt` rule (4.1 and later): its bits go to the prompt set.
    pub prompt: bool,
}

/// Accumulated permissions of a DFA state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct StatePerms {
    pub allow: u32,
    pub deny: u32,
    pub audit: u32,
    pub quiet: u32,
    /// Bits a `prompt` rule asks a user-space agent about (4.1 and later).
    pub prompt: u32,
}

/// Bits of a half that describe the exec transition.
const EXEC_TYPE: u32 = old::EXEC_PUX | old::EXEC_UNSAFE | old::EXEC_INHERIT | old::EXEC_MOD_MASK;
pub(crate) const USER_EXEC_TYPE: u32 = EXEC_TYPE;
pub(crate) const OTHER_EXEC_TYPE: u32 = EXEC_TYPE << old::OTHER_SHIFT;
pub(crate) const USER_EXEC: u32 = old::EXEC;
pub(crate) const OTHER_EXEC: u32 = old::EXEC << old::OTHER_SHIFT;
const USER_MMAP: u32 = old::EXEC_MMAP;
const OTHER_MMAP: u32 = old::EXEC_MMAP << old::OTHER_SHIFT;
const USER_INHERIT: u32 = old::EXEC_INHERIT;
const OTHER_INHERIT: u32 = old::EXEC_INHERIT << old::OTHER_SHIFT;

/// Two exec grants may merge only if they agree on the exec type.
fn x_consistent(a: u32, b: u32) -> bool {
    let half_ok = |exec: u32, ty: u32| a & exec == 0 || b & exec == 0 || a & ty == b & ty;
    half_ok(USER_EXEC, USER_EXEC_TYPE) && half_ok(OTHER_EXEC, OTHER_EXEC_TYPE)
}

/// Whether the parser of `semantics` treats `regex` as an exact match,
/// which lets its exec type override those of globbing rules. A set of
/// more than 128 bytes stands for a negated class or `.` (what globs
/// produce), a smaller one for a written class like `[0-9]`.
pub fn is_exact(regex: &Regex, semantics: &CompileSemantics) -> bool {
    match semantics.accumulation {
        Accumulation::Union => regex.is_exact(),
        Accumulation::PerBitPriority => exact_allowing_classes(regex),
    }
}

fn exact_allowing_classes(regex: &Regex) -> bool {
    match regex {
        Regex::Empty | Regex::Literal(_) => true,
        Regex::Set(s) => s.len() <= 128,
        Regex::Star(_) | Regex::Plus(_) => false,
        Regex::Concat(v) | Regex::Alt(v) => v.iter().all(exact_allowing_classes),
    }
}

impl StatePerms {
    /// Folds the records of the rules accepting in one state with 3.0.8's
    /// unions ([`StatePerms::fold_with`]).
    pub fn fold<'a>(records: impl IntoIterator<Item = (&'a RulePerms, bool)>) -> (StatePerms, bool) {
        StatePerms::fold_class(records, true)
    }

    /// [`StatePerms::fold`] for a file DFA (`filedfa`) or a policydb.
    pub fn fold_class<'a>(
        records: impl IntoIterator<Item = (&'a RulePerms, bool)>,
        filedfa: bool,
    ) -> (StatePerms, bool) {
        fold_union(records, filedfa)
    }

    /// Folds the records of the rules accepting in one state (each with
    /// whether its rule is exact), in the order their accept nodes were
    /// made. Returns the permissions and whether two exec modes conflicted
    /// (the parser's "conflicting x modifiers" error).
    pub fn fold_with<'a>(
        records: impl IntoIterator<Item = (&'a RulePerms, bool)>,
        filedfa: bool,
        accumulation: &Accumulation,
    ) -> (StatePerms, bool) {
        match accumulation {
            Accumulation::Union => fold_union(records, filedfa),
            Accumulation::PerBitPriority => fold_priority(records, filedfa),
        }
    }

    /// The accept-table word.
    pub fn accept1(&self) -> u32 {
        self.allow
    }

    /// The accept2-table word: audit and quiet, 7 bits per half each.
    pub fn accept2(&self) -> u32 {
        const MASK: u32 = 0x7f | (0x7f << old::OTHER_SHIFT);
        (self.audit & MASK) | ((self.quiet & self.deny & MASK) << 7)
    }
}

/// 3.0.8:
/// - allow and audit bits of non-exact rules are ORed; exact rules'
///   non-exec bits likewise;
/// - an exact rule's exec type replaces the globbing rules' one, per half;
/// - denying `x` in a half also removes its exec type;
/// - deny removes allow bits; quiet bits survive only where denied.
///
/// With `filedfa == false` (policydb) exec modes are not checked for
/// conflicts, exact rules' bits merge in full and a denied bit 0 does not
/// remove exec types.
fn fold_union<'a>(records: impl IntoIterator<Item = (&'a RulePerms, bool)>, filedfa: bool) -> (StatePerms, bool) {
    let mut p = StatePerms::default();
    let mut exact_allow = 0;
    let mut exact_audit = 0;
    let mut conflict = false;
    for (r, exact) in records {
        if r.deny {
            p.deny |= r.perms;
            p.quiet |= r.audit;
        } else if exact {
            conflict |= filedfa && !x_consistent(exact_allow, r.perms);
            exact_allow |= r.perms;
            exact_audit |= r.audit;
        } else {
            conflict |= filedfa && !x_consistent(p.allow, r.perms);
            p.allow |= r.perms;
            p.audit |= r.audit;
        }
    }
    let all_types = if filedfa { USER_EXEC_TYPE | OTHER_EXEC_TYPE } else { 0 };
    p.allow |= exact_allow & !all_types;
    p.audit |= exact_audit & !all_types;
    if exact_allow & USER_EXEC != 0 {
        p.allow = (exact_allow & USER_EXEC_TYPE) | (p.allow & !USER_EXEC_TYPE);
    }
    if exact_allow & OTHER_EXEC != 0 {
        p.allow = (exact_allow & OTHER_EXEC_TYPE) | (p.allow & !OTHER_EXEC_TYPE);
    }
    if filedfa && p.deny & USER_EXEC != 0 {
        p.deny |= USER_EXEC_TYPE;
    }
    if filedfa && p.deny & OTHER_EXEC != 0 {
        p.deny |= OTHER_EXEC_TYPE;
    }
    p.allow &= !p.deny;
    p.quiet &= p.deny;
    (p, conflict)
}

/// Below every priority a rule can be given (the parser's
/// `MIN_INTERNAL_PRIORITY`).
const BELOW_ALL: i32 = -1001;

/// 4.1.0: bit by bit, the highest priority wins; a record of higher
/// priority clears what lower ones set on the bit (and, for the exec bit,
/// on its exec type and the mmap bit `ix` implies). At equal priority a
/// deny clears the allow, audit and prompt bits set so far, an exact allow
/// replaces the exec type, and an allow or prompt whose exec type differs
/// from one already set is a conflict.
fn fold_priority<'a>(records: impl IntoIterator<Item = (&'a RulePerms, bool)>, filedfa: bool) -> (StatePerms, bool) {
    let mut p = StatePerms::default();
    let mut exact = StatePerms::default();
    let mut priority = [BELOW_ALL; 32];
    // The order matters with exec types (an exact rule met before a
    // pattern keeps out the pattern's implied mmap, one met after it does
    // not): the records come in the order the parser makes their accept
    // nodes, which [`crate::profile`] reproduces.
    for (r, is_exact) in records {
        let mut check = r.perms | r.audit;
        if filedfa {
            check &= !(USER_EXEC_TYPE | OTHER_EXEC_TYPE);
        }
        while check != 0 {
            let i = check.trailing_zeros() as usize;
            check &= check - 1;
            if priority_update(&mut priority, i, r, is_exact, &mut p, &mut exact, filedfa) {
                return (p, true);
            }
        }
    }
    // The deny is applied at the end; audit and quiet stay as built.
    p.allow &= !p.deny;
    p.prompt &= !p.deny;
    p.quiet &= p.deny;
    (p, false)
}

fn clear_bits(p: &mut StatePerms, bits: u32) {
    p.allow &= !bits;
    p.deny &= !bits;
    p.audit &= !bits;
    p.quiet &= !bits;
    p.prompt &= !bits;
}

/// One bit of one record; returns whether it conflicts.
fn priority_update(
    priority: &mut [i32; 32],
    i: usize,
    r: &RulePerms,
    is_exact: bool,
    p: &mut StatePerms,
    exact: &mut StatePerms,
    filedfa: bool,
) -> bool {
    if priority[i] > r.priority {
        return false;
    }
    let mask = 1u32 << i;
    let mut xmask = 0;
    if filedfa {
        if mask & USER_EXEC != 0 {
            xmask = USER_EXEC_TYPE;
            if r.perms & USER_INHERIT != 0 {
                xmask |= USER_MMAP;
                let m = USER_MMAP.trailing_zeros() as usize;
                priority[m] = priority[m].max(r.priority);
            }
        } else if mask & OTHER_EXEC != 0 {
            xmask = OTHER_EXEC_TYPE;
            if r.perms & OTHER_INHERIT != 0 {
                xmask |= OTHER_MMAP;
                let m = OTHER_MMAP.trailing_zeros() as usize;
                priority[m] = priority[m].max(r.priority);
            }
        } else if (mask & USER_MMAP != 0 && r.perms & USER_INHERIT != 0)
            || (mask & OTHER_MMAP != 0 && r.perms & OTHER_INHERIT != 0)
        {
            // Set with the exec bit above.
            return false;
        }
    }
    let amask = mask | xmask;
    if priority[i] < r.priority {
        priority[i] = r.priority;
        clear_bits(p, amask);
        clear_bits(exact, amask);
    }
    let (perms, audit) = (r.perms & amask, r.audit & amask);
    if r.deny {
        p.deny |= perms;
        p.quiet |= audit;
        p.allow &= !amask;
        p.audit &= !amask;
        p.prompt &= !amask;
    } else if r.prompt {
        if filedfa && (exact.allow | p.allow) & mask == 0 && !x_consistent(p.allow, perms) {
            return true;
        }
        let m = if (exact.allow | exact.audit | p.allow | p.audit) & mask != 0 { mask } else { amask };
        p.prompt |= r.perms & m;
        p.audit |= r.audit & m;
    } else if is_exact {
        if filedfa && !x_consistent(exact.allow, perms) {
            return true;
        }
        exact.allow |= perms;
        exact.audit |= audit;
        p.allow &= !xmask;
        p.audit &= !xmask;
        p.prompt &= !xmask;
        p.allow |= perms;
        p.audit |= audit;
    } else {
        if filedfa && exact.allow & mask == 0 && !x_consistent(p.allow, perms) {
            return true;
        }
        let m = if (exact.allow | exact.audit) & mask != 0 { mask } else { amask };
        p.allow |= r.perms & m;
        p.audit |= r.audit & m;
    }
    false
}
