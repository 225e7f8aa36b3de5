//! `mount`, `remount`, `umount` and `pivot_root` rules: condition names and
//! mount option names.

use aa_syntax::SyntaxKind::*;

use super::{Op, RuleInfo};
use crate::Diagnostic;

/// Mount flags `apparmor_parser` knows for `options=`.
const OPTIONS: &[&str] = &[
    "ro", "r", "read-only", "rw", "w", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync",
    "async", "remount", "mand", "nomand", "dirsync", "symfollow", "nosymfollow", "atime",
    "noatime", "diratime", "nodiratime", "bind", "B", "move", "M", "rbind", "R", "verbose",
    "silent", "loud", "acl", "noacl", "unbindable", "make-unbindable", "runbindable",
    "make-runbindable", "private", "make-private", "rprivate", "make-rprivate", "slave",
    "make-slave", "rslave", "make-rslave", "shared", "make-shared", "rshared", "make-rshared",
    "relatime", "norelatime", "iversion", "noiversion", "strictatime", "nostrictatime",
    "lazytime", "nolazytime", "user", "nouser",
];

pub(super) fn check(info: &RuleInfo, sink: &mut Vec<Diagnostic>) {
    let pivot = info.node.kind() == PIVOT_ROOT_RULE;
    let allowed: &[&str] = if pivot { &["oldroot"] } else { &["options", "option", "fstype", "vfstype"] };
    for cond in &info.conds {
        if cond.name.is_empty() {
            continue;
        }
        if !allowed.contains(&cond.name.as_str()) {
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
            sink.push(Diagnostic::error(
                "bad-condition-operator",
                format!("only `=` and `in` are allowed in the conditions of `{}` rules", info.keyword),
                cond.range,
            ));
            continue;
        }
        if matches!(cond.name.as_str(), "options" | "option") {
            for value in &cond.values {
                // One value may hold several options separated by commas.
                for option in value.text.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                    if value.has_var() || OPTIONS.contains(&option) {
                        continue;
                    }
                    sink.push(Diagnostic::error(
                        "unknown-mount-option",
                        format!("`{option}` is not a mount option: expected e.g. `ro`, `rw`, `bind`, `rbind`, `remount`, `nosuid`, `make-private`"),
                        value.range,
                    ));
                }
            }
        }
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
                unknown-mount-option@61..66: `bogus` is not a mount option: expected e.g. `ro`, `rw`, `bind`, `rbind`, `remount`, `nosuid`, `make-private`
                bad-mount-condition@74..77: `foo` is not a condition of `mount` rules: expected one of `options`, `option`, `fstype`, `vfstype`
            "#]],
        );
    }
}
