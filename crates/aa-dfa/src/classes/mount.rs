//! Mount-family rules as policydb entries: `\x07 POINT \0 DEV \0 TYPE \0
//! FLAGS` per mount command, `\x07 POINT` for umount and `\x07 NEWROOT \0
//! OLDROOT` for pivot_root. Which entries a rule becomes depends on the
//! target ([`aa_target::MountSemantics`]): 3.0.8 merges all option lists,
//! 4.1.0 encodes each pairing of an `options=` and an `options in` list.

use aa_target::mount::flags::*;
use aa_target::{MountCommand, MountGeneration, MountSemantics};

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
    /// `fstype=(...)` / `vfstype=` globs, of every such condition.
    pub fstype: Vec<String>,
    /// One list per `options=(...)` condition: every flag required.
    pub options_eq: Vec<Vec<String>>,
    /// One list per `options in (...)` condition: flags that may be present.
    pub options_in: Vec<Vec<String>>,
    /// Mount source device, or pivot_root's `oldroot=`.
    pub source: Option<String>,
    /// Mount point, remount/umount path, or pivot_root's new root.
    pub mountpoint: Option<String>,
    /// pivot_root's `-> PROFILE`.
    pub target: Option<String>,
}

const MAY_PIVOTROOT: u32 = 1;
const MAY_MOUNT: u32 = 2;
const MAY_UMOUNT: u32 = 4;
/// `AA_MATCH_CONT`, which 3.0.8 puts in some entries' audit word.
const MATCH_CONT: u32 = 0x40;

/// The rule's fields as regex text, and how it adds entries.
struct Encoder<'a> {
    rule: &'a MountRule,
    sem: &'a MountSemantics,
    out: Vec<PolicyRule>,
}

impl Encoder<'_> {
    fn field(v: &Option<String>) -> Result<String, ClassError> {
        match v {
            Some(g) => glob_text(g),
            None => Ok(DEFAULT_MATCH.to_owned()),
        }
    }

    fn point(&self) -> Result<String, ClassError> {
        Ok(format!("\\x07{}", Self::field(&self.rule.mountpoint)?))
    }

    /// The source; 4.1's `detached` matches the empty source name.
    fn device(&self) -> Result<String, ClassError> {
        if self.sem.detached_source && self.rule.source.as_deref() == Some("detached") {
            return Ok(String::new());
        }
        Self::field(&self.rule.source)
    }

    /// `(T1|T2|...)` for the fstype list, any type without one.
    fn fstype(&self) -> Result<String, ClassError> {
        if self.rule.fstype.is_empty() {
            return Ok(DEFAULT_MATCH.to_owned());
        }
        let parts: Result<Vec<String>, ClassError> = self.rule.fstype.iter().map(|t| glob_text(t)).collect();
        Ok(format!("({})", parts?.join("|")))
    }

    fn add(&mut self, parts: &[&str], perms: u32, audit_extra: u32) -> Result<(), ClassError> {
        let q = self.rule.quals;
        let regex = vec_regex(parts)?;
        self.out.push(PolicyRule {
            regex,
            deny: q.deny,
            perms,
            audit: q.audit_bits(allow_of(self.rule)) | audit_extra,
            priority: q.priority,
            prompt: q.prompt,
        });
        Ok(())
    }
}

/// The flags regex: bit `i` becomes byte `i + 1`, optional when in
/// `optional`; no flag at all is the impossible byte 0xfe, optional.
fn flags_regex(required: u32, optional: u32) -> String {
    let mut out = String::new();
    for i in 0..32 {
        let bit = 1u32 << i;
        if optional & bit != 0 {
            out.push_str(&format!("({}|)", hex(i as u8 + 1)));
        } else if required & bit != 0 {
            out.push_str(&hex(i as u8 + 1));
        }
    }
    if out.is_empty() {
        out.push_str("(\\xfe|)");
    }
    out
}

/// The flags one option list sets and clears.
fn option_flags(sem: &MountSemantics, options: &[String]) -> Result<(u32, u32), ClassError> {
    let (mut set, mut clear) = (0, 0);
    for o in options {
        let Some(known) = sem.option(o) else {
            return Err(ClassError(format!("unsupported mount option {o:?}")));
        };
        set |= known.set;
        clear |= known.clear;
    }
    Ok((set, clear))
}

pub fn mount_rules(r: &MountRule, sem: &MountSemantics) -> Result<Vec<PolicyRule>, ClassError> {
    let mut enc = Encoder { rule: r, sem, out: Vec::new() };
    match r.kind {
        MountKind::Umount => {
            let point = enc.point()?;
            enc.add(&[&point], MAY_UMOUNT, 0)?;
        }
        MountKind::PivotRoot => {
            let (point, old) = (enc.point()?, Encoder::field(&r.source)?);
            enc.add(&[&point, &old], MAY_PIVOTROOT, 0)?;
        }
        MountKind::Mount | MountKind::Remount => match sem.generation {
            MountGeneration::Merged => merged(&mut enc)?,
            MountGeneration::PerCondition => per_condition(&mut enc)?,
        },
    }
    if enc.out.is_empty() {
        return Err(ClassError("mount rule encodes nothing".into()));
    }
    Ok(enc.out)
}

/// 3.0.8: one required and one optional set for the whole rule; every
/// command whose flag is present gets its entry.
fn merged(enc: &mut Encoder<'_>) -> Result<(), ClassError> {
    let (r, sem) = (enc.rule, enc.sem);
    let all = sem.all_flags;
    let (mut flags, mut inv) = option_flags(sem, &r.options_eq.concat())?;
    let (lset, lclear) = option_flags(sem, &r.options_in.concat())?;
    let optional = lset | lclear;
    flags |= optional;
    inv |= optional;
    if r.kind == MountKind::Remount {
        flags |= REMOUNT;
        inv = 0;
    } else if flags | inv == 0 {
        flags = all;
        inv = all;
    }
    let has_dev = r.source.is_some();
    let has_type = !r.fstype.is_empty();
    // 3.0.8 narrows the required flags by the command's mask (twice for
    // the commands, once each for a new mount), never to below "all".
    let narrow = |command: MountCommand| {
        let mask = sem.mask(command);
        let (mut f, mut i) = (flags, inv);
        if command == MountCommand::New {
            if f != all {
                f &= mask;
            }
            if i != all {
                i &= mask;
            }
        } else if f != all || i != all {
            f &= mask;
        }
        if f == all { DEFAULT_MATCH.to_owned() } else { flags_regex(f, f & i) }
    };
    let point = enc.point()?;
    let dev = enc.device()?;
    if flags & REMOUNT != 0 && !has_dev && !has_type {
        let fl = narrow(MountCommand::Remount);
        enc.add(&[&point, DEFAULT_MATCH, DEFAULT_MATCH, &fl], MAY_MOUNT, MATCH_CONT)?;
    }
    if flags & BIND != 0 && !has_type {
        let fl = narrow(MountCommand::Bind);
        enc.add(&[&point, &dev, DEFAULT_MATCH, &fl], MAY_MOUNT, 0)?;
    }
    if flags & (UNBINDABLE | PRIVATE | SLAVE | SHARED) != 0 && !has_dev && !has_type {
        let fl = narrow(MountCommand::Propagation);
        enc.add(&[&point, DEFAULT_MATCH, DEFAULT_MATCH, &fl], MAY_MOUNT, 0)?;
    }
    if flags & MOVE != 0 && !has_type {
        let fl = narrow(MountCommand::Move);
        enc.add(&[&point, &dev, DEFAULT_MATCH, &fl], MAY_MOUNT, 0)?;
    }
    if (flags | inv) & !CMDS != 0 {
        let ty = enc.fstype()?;
        let fl = narrow(MountCommand::New);
        enc.add(&[&point, &dev, &ty, &fl], MAY_MOUNT, MATCH_CONT)?;
    }
    Ok(())
}

/// 4.1.0: each pairing of a required set (`options=`) and an optional set
/// (`options in`) gets the entries of the command it names.
fn per_condition(enc: &mut Encoder<'_>) -> Result<(), ClassError> {
    let (r, sem) = (enc.rule, enc.sem);
    let all = sem.all_flags;
    let remount = r.kind == MountKind::Remount;
    let mut optional = Vec::new();
    for list in &r.options_in {
        let (set, clear) = option_flags(sem, list)?;
        optional.push(set | clear);
    }
    let mut required = Vec::new();
    for list in &r.options_eq {
        let (mut set, clear) = option_flags(sem, list)?;
        if remount {
            set |= REMOUNT;
        }
        if sem.reject_conflicting_options && set & clear != 0 {
            return Err(ClassError(format!("conflicting mount options in {list:?}")));
        }
        required.push(set);
    }
    match (required.is_empty(), optional.is_empty()) {
        (true, true) if remount => {
            required.push(REMOUNT);
            optional.push(sem.mask(MountCommand::Remount) & !REMOUNT);
        }
        (true, true) => {
            required.push(all);
            optional.push(all);
        }
        (true, false) => required.push(if remount { REMOUNT } else { 0 }),
        (false, true) => optional.push(0),
        (false, false) => {}
    }
    let device = r.source.is_some();
    let point = r.mountpoint.is_some();
    let typed = !r.fstype.is_empty();
    for &flags in &required {
        for &opt in &optional {
            use MountCommand::*;
            let mut commands = Vec::new();
            if flags == 0 || flags == all {
                // No flag named, or all of them: every command that the
                // source, mount point and fstype allow.
                if !device && !typed {
                    commands.push(Remount);
                }
                if !typed {
                    commands.push(Bind);
                }
                if (!device || !point) && !typed {
                    commands.push(Propagation);
                }
                if !typed {
                    commands.push(Move);
                }
                commands.push(New);
            } else if flags & REMOUNT != 0 && !device && !typed {
                commands.push(Remount);
            } else if flags & BIND != 0 && !typed {
                commands.push(Bind);
            } else if flags & MAKE_CMDS != 0 && (!device || !point) && !typed {
                commands.push(Propagation);
            } else if flags & MOVE != 0 && !typed {
                commands.push(Move);
            } else if (flags | opt) & !CMDS != 0 {
                commands.push(New);
            }
            for command in commands {
                entry(enc, command, flags, opt)?;
            }
        }
    }
    Ok(())
}

/// One 4.1.0 command entry.
fn entry(enc: &mut Encoder<'_>, command: MountCommand, flags: u32, opt: u32) -> Result<(), ClassError> {
    let r = enc.rule;
    let mask = enc.sem.mask(command);
    let fl = flags_regex(flags & mask, opt & mask);
    let point = enc.point()?;
    match command {
        MountCommand::Remount => {
            // Without a mount point the source names it (never both here).
            let point = match (&r.mountpoint, &r.source) {
                (None, Some(_)) => format!("\\x07{}", Encoder::field(&r.source)?),
                _ => point,
            };
            enc.add(&[&point, DEFAULT_MATCH, DEFAULT_MATCH, &fl], MAY_MOUNT, 0)
        }
        MountCommand::Propagation => {
            // A propagation change with only a source takes it as the
            // mount point (deprecated upstream, still accepted).
            let point = match (&r.mountpoint, &r.source) {
                (None, Some(_)) => format!("\\x07{}", Encoder::field(&r.source)?),
                _ => point,
            };
            enc.add(&[&point, DEFAULT_MATCH, DEFAULT_MATCH, &fl], MAY_MOUNT, 0)
        }
        MountCommand::Bind | MountCommand::Move => {
            let dev = enc.device()?;
            enc.add(&[&point, &dev, DEFAULT_MATCH, &fl], MAY_MOUNT, 0)
        }
        MountCommand::New => {
            let (dev, ty) = (enc.device()?, enc.fstype()?);
            enc.add(&[&point, &dev, &ty, &fl], MAY_MOUNT, 0)
        }
    }
}

/// The rule's permission as the parser stores it (for the audit word).
fn allow_of(r: &MountRule) -> u32 {
    match r.kind {
        MountKind::Mount | MountKind::Remount => MAY_MOUNT,
        MountKind::Umount => MAY_UMOUNT,
        MountKind::PivotRoot => MAY_PIVOTROOT,
    }
}
