//! `mount`, `remount`, `umount` and `pivot_root` rules, as `apparmor_parser`
//! builds them (`parser/mount.cc`): condition names, mount option names,
//! options that contradict each other inside one `options=`, conditions on
//! the mount point, and option sets that the rule's kind cannot encode (a
//! propagation change or `remount` given both a source and a mount point).

use aa_syntax::{SyntaxElement, SyntaxKind::*, TextRange};

use super::{Cond, Op, RuleInfo};
use crate::Diagnostic;

use aa_target::mount::{MOUNT_5_0, MountOption, MountSemantics, flags::*};

const ALL_FLAGS: u32 = ALL_4_1;
const REMOUNT_FLAGS: u32 = ALL_FLAGS & !MOVE;

/// The option names and flags these checks judge by. The checks do not know
/// the target yet; of the three tables, 5.0's is the one where `norelatime`
/// clears `relatime`, so `options=(relatime norelatime)` is flagged as a
/// contradiction (3.0.8 and 4.1.0 accept it; issue 10).
const OPTIONS: &MountSemantics = &MOUNT_5_0;

fn option(name: &str) -> Option<MountOption> {
    OPTIONS.option(name)
}

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
            match option(&value.text) {
                Some(o) => {
                    set |= o.set;
                    clear |= o.clear;
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
                    .options
                    .iter()
                    .filter_map(|o| option(o.name))
                    .filter(|o| (o.set | o.clear) & set & clear != 0 && cond.values.iter().any(|v| v.text == o.name))
                    .map(|o| o.name)
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
