//! `mount`, `remount`, `umount` and `pivot_root` rules, as `apparmor_parser`
//! builds them (`parser/mount.cc`): condition names, mount option names,
//! options that contradict each other inside one `options=`, conditions on
//! the mount point, and option sets that the rule's kind cannot encode (a
//! propagation change or `remount` given both a source and a mount point).

use aa_syntax::{SyntaxElement, SyntaxKind::*, TextRange};

use super::{Cond, Op, RuleInfo};
use crate::Diagnostic;

const RDONLY: u32 = 1 << 0;
const NOSUID: u32 = 1 << 1;
const NODEV: u32 = 1 << 2;
const NOEXEC: u32 = 1 << 3;
const SYNCHRONOUS: u32 = 1 << 4;
const REMOUNT: u32 = 1 << 5;
const MAND: u32 = 1 << 6;
const DIRSYNC: u32 = 1 << 7;
const NOSYMFOLLOW: u32 = 1 << 8;
const NOATIME: u32 = 1 << 10;
const NODIRATIME: u32 = 1 << 11;
const BIND: u32 = 1 << 12;
const MOVE: u32 = 1 << 13;
const REC: u32 = 1 << 14;
const SILENT: u32 = 1 << 15;
const ACL: u32 = 1 << 16;
const UNBINDABLE: u32 = 1 << 17;
const PRIVATE: u32 = 1 << 18;
const SLAVE: u32 = 1 << 19;
const SHARED: u32 = 1 << 20;
const RELATIME: u32 = 1 << 21;
const IVERSION: u32 = 1 << 23;
const STRICTATIME: u32 = 1 << 24;
const LAZYTIME: u32 = 1 << 25;
const NOUSER: u32 = 1 << 31;

const MAKE_CMDS: u32 = UNBINDABLE | PRIVATE | SLAVE | SHARED | REC;
const CMDS: u32 = MOVE | REMOUNT | BIND | REC | MAKE_CMDS;
const ALL_FLAGS: u32 = RDONLY
    | NOSUID
    | NODEV
    | NOEXEC
    | SYNCHRONOUS
    | REMOUNT
    | MAND
    | DIRSYNC
    | NOSYMFOLLOW
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
    | STRICTATIME
    | LAZYTIME;
const REMOUNT_FLAGS: u32 = ALL_FLAGS & !MOVE;

/// Mount options `apparmor_parser` knows, with the flags each sets and clears.
const OPTIONS: &[(&str, u32, u32)] = &[
    ("ro", RDONLY, 0),
    ("r", RDONLY, 0),
    ("read-only", RDONLY, 0),
    ("rw", 0, RDONLY),
    ("w", 0, RDONLY),
    ("suid", 0, NOSUID),
    ("nosuid", NOSUID, 0),
    ("dev", 0, NODEV),
    ("nodev", NODEV, 0),
    ("exec", 0, NOEXEC),
    ("noexec", NOEXEC, 0),
    ("sync", SYNCHRONOUS, 0),
    ("async", 0, SYNCHRONOUS),
    ("remount", REMOUNT, 0),
    ("mand", MAND, 0),
    ("nomand", 0, MAND),
    ("dirsync", DIRSYNC, 0),
    ("symfollow", 0, NOSYMFOLLOW),
    ("nosymfollow", NOSYMFOLLOW, 0),
    ("atime", 0, NOATIME),
    ("noatime", NOATIME, 0),
    ("diratime", 0, NODIRATIME),
    ("nodiratime", NODIRATIME, 0),
    ("bind", BIND, 0),
    ("B", BIND, 0),
    ("move", MOVE, 0),
    ("M", MOVE, 0),
    ("rbind", BIND | REC, 0),
    ("R", BIND | REC, 0),
    ("verbose", SILENT, 0),
    ("silent", SILENT, 0),
    ("loud", 0, SILENT),
    ("acl", ACL, 0),
    ("noacl", 0, ACL),
    ("unbindable", UNBINDABLE, 0),
    ("make-unbindable", UNBINDABLE, 0),
    ("runbindable", UNBINDABLE | REC, 0),
    ("make-runbindable", UNBINDABLE | REC, 0),
    ("private", PRIVATE, 0),
    ("make-private", PRIVATE, 0),
    ("rprivate", PRIVATE | REC, 0),
    ("make-rprivate", PRIVATE | REC, 0),
    ("slave", SLAVE, 0),
    ("make-slave", SLAVE, 0),
    ("rslave", SLAVE | REC, 0),
    ("make-rslave", SLAVE | REC, 0),
    ("shared", SHARED, 0),
    ("make-shared", SHARED, 0),
    ("rshared", SHARED | REC, 0),
    ("make-rshared", SHARED | REC, 0),
    ("relatime", RELATIME, 0),
    ("norelatime", 0, RELATIME),
    ("iversion", IVERSION, 0),
    ("noiversion", 0, IVERSION),
    ("strictatime", STRICTATIME, 0),
    ("nostrictatime", 0, STRICTATIME),
    ("lazytime", LAZYTIME, 0),
    ("nolazytime", 0, LAZYTIME),
    ("user", 0, NOUSER),
    ("nouser", NOUSER, 0),
];

/// The parts of a mount-class rule, split at `->`.
struct Parts {
    src_conds: Vec<Cond>,
    device: Option<TextRange>,
    dst_conds: Vec<Cond>,
    mnt_point: Option<TextRange>,
}

fn parts(info: &RuleInfo) -> Parts {
    let mut parts = Parts { src_conds: Vec::new(), device: None, dst_conds: Vec::new(), mnt_point: None };
    let mut after_arrow = false;
    for element in info.node.children_with_tokens() {
        match element {
            SyntaxElement::Token(t) if t.kind() == ARROW => after_arrow = true,
            SyntaxElement::Token(_) => {}
            SyntaxElement::Node(n) => match n.kind() {
                CONDITION | CONDITION_GROUP => {
                    if let Some(cond) = Cond::of_node(&n) {
                        if after_arrow { parts.dst_conds.push(cond) } else { parts.src_conds.push(cond) }
                    }
                }
                VALUE => {
                    if after_arrow {
                        parts.mnt_point = Some(n.text_range())
                    } else {
                        parts.device = Some(n.text_range())
                    }
                }
                _ => {}
            },
        }
    }
    parts
}

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    let kind = info.node.kind();
    let pivot = kind == PIVOT_ROOT_RULE;
    let mut parts = parts(info);
    if kind != MOUNT_RULE && !pivot {
        // `remount /p` and `umount /p` name the mount point.
        parts.mnt_point = parts.device.take();
    }
    let allowed: &[&str] = if pivot { &["oldroot"] } else { &["options", "option", "fstype", "vfstype"] };
    let mut bad = false;
    for cond in &parts.src_conds {
        if cond.name.is_empty() {
            continue;
        }
        if !allowed.contains(&cond.name.as_str()) {
            bad = true;
            sink.push(Diagnostic::error(
                "bad-mount-condition",
                format!(
                    "`{}` is not a condition of `{}` rules: expected one of {}",
                    cond.name,
                    info.keyword,
                    super::quoted_list(allowed)
                ),
                cond.name_range,
            ));
            continue;
        }
        if cond.op == Op::Set || (pivot && cond.op != Op::Eq) {
            bad = true;
            sink.push(Diagnostic::error(
                "bad-condition-operator",
                format!("only `=` and `in` are allowed in the conditions of `{}` rules", info.keyword),
                cond.range,
            ));
        }
    }
    if let Some(cond) = parts.dst_conds.first() {
        sink.push(Diagnostic::error(
            "mount-point-condition",
            "conditions after `->` (on the mount point) are not supported: put them before the source",
            cond.range,
        ));
        return;
    }
    if pivot || bad {
        return;
    }
    // Each `options=` and each `options in` is one set of flags.
    let remount = kind == REMOUNT_RULE;
    let mut flagsv = Vec::new();
    let mut opt_flagsv = Vec::new();
    for cond in parts.src_conds.iter().filter(|c| matches!(c.name.as_str(), "options" | "option")) {
        let (mut set, mut clear) = (0u32, 0u32);
        let mut known = true;
        for value in &cond.values {
            match OPTIONS.iter().find(|(name, _, _)| *name == value.text) {
                Some((_, s, c)) => {
                    set |= s;
                    clear |= c;
                }
                None => {
                    known = false;
                    sink.push(Diagnostic::error(
                        "unknown-mount-option",
                        format!(
                            "`{}` is not a mount option: expected e.g. `ro`, `rw`, `bind`, `rbind`, `remount`, `nosuid`, `make-private` (variables are not expanded here, and options are separated by spaces or commas inside `( )`)",
                            value.text
                        ),
                        value.range,
                    ));
                }
            }
        }
        if !known {
            return;
        }
        if cond.op == Op::In {
            opt_flagsv.push(set | clear);
        } else {
            if remount {
                set |= REMOUNT;
            }
            if set & clear != 0 {
                let names: Vec<&str> = OPTIONS
                    .iter()
                    .filter(|(name, s, c)| (s | c) & set & clear != 0 && cond.values.iter().any(|v| v.text == *name))
                    .map(|(name, _, _)| *name)
                    .collect();
                sink.push(Diagnostic::error(
                    "conflicting-mount-options",
                    format!("mount options {} contradict each other", super::quoted_list(&names)),
                    cond.range,
                ));
                return;
            }
            flagsv.push(set);
        }
    }
    if kind != MOUNT_RULE && kind != REMOUNT_RULE {
        return;
    }
    if flagsv.is_empty() && opt_flagsv.is_empty() {
        if remount {
            flagsv.push(REMOUNT);
            opt_flagsv.push(REMOUNT_FLAGS & !REMOUNT);
        } else {
            flagsv.push(ALL_FLAGS);
            opt_flagsv.push(ALL_FLAGS);
        }
    } else if flagsv.is_empty() {
        flagsv.push(if remount { REMOUNT } else { 0 });
    } else if opt_flagsv.is_empty() {
        opt_flagsv.push(0);
    }
    let device = parts.device.is_some();
    let mnt_point = parts.mnt_point.is_some();
    let dev_type = parts.src_conds.iter().any(|c| matches!(c.name.as_str(), "fstype" | "vfstype"));
    // The branches of `mnt_rule::gen_flag_rules`: each encodes something.
    let encodes = |flags: u32, opt: u32| {
        flags == 0
            || flags == ALL_FLAGS
            || (flags & REMOUNT != 0 && !device && !dev_type)
            || (flags & BIND != 0 && !dev_type)
            || (flags & MAKE_CMDS != 0 && (!device || !mnt_point) && !dev_type)
            || (flags & MOVE != 0 && !dev_type)
            || (flags | opt) & !CMDS != 0
    };
    let any = flagsv.iter().any(|&f| opt_flagsv.iter().any(|&o| encodes(f, o)));
    if !any {
        let range = parts
            .src_conds
            .iter()
            .find(|c| matches!(c.name.as_str(), "options" | "option"))
            .map(|c| c.range)
            .unwrap_or(info.keyword_range);
        let message = if flagsv.iter().any(|f| f & MAKE_CMDS != 0) && device && mnt_point {
            "a propagation change (`private`, `slave`, `shared`, `unbindable` and their `r`/`make-` forms) takes only a mount point: drop the source or the `-> mount point`"
        } else if flagsv.iter().any(|f| f & REMOUNT != 0) && device {
            "`remount` takes only a mount point: write `mount options=(remount) -> /point` or `remount /point`"
        } else {
            "these mount options cannot be combined with the given source, mount point and `fstype`: apparmor_parser cannot encode the rule"
        };
        sink.push(Diagnostic::error("unencodable-mount-rule", message, range));
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn mount() {
        check(
            "profile p { mount options=(ro, bind) /a -> /b, mount options=bogus, mount foo=bar, pivot_root oldroot=/o /n, }",
            expect![[r#"
                unknown-mount-option@61..66: `bogus` is not a mount option: expected e.g. `ro`, `rw`, `bind`, `rbind`, `remount`, `nosuid`, `make-private` (variables are not expanded here, and options are separated by spaces or commas inside `( )`)
                bad-mount-condition@74..77: `foo` is not a condition of `mount` rules: expected one of `options`, `option`, `fstype`, `vfstype`
            "#]],
        );
    }

    #[test]
    fn option_sets() {
        check(
            "profile p { mount options=(rw ro) -> /f, mount options=(private) /a -> /b, mount options=(remount) /a -> /b, mount options=ro,noexec /d -> /m, mount options in (private) /a -> /b, mount -> fstype=x /m, }",
            expect![[r#"
                conflicting-mount-options@18..33: mount options `ro`, `rw` contradict each other
                unencodable-mount-rule@47..64: a propagation change (`private`, `slave`, `shared`, `unbindable` and their `r`/`make-` forms) takes only a mount point: drop the source or the `-> mount point`
                unencodable-mount-rule@81..98: `remount` takes only a mount point: write `mount options=(remount) -> /point` or `remount /point`
                unknown-mount-option@123..132: `ro,noexec` is not a mount option: expected e.g. `ro`, `rw`, `bind`, `rbind`, `remount`, `nosuid`, `make-private` (variables are not expanded here, and options are separated by spaces or commas inside `( )`)
                mount-point-condition@189..197: conditions after `->` (on the mount point) are not supported: put them before the source
            "#]],
        );
    }
}
