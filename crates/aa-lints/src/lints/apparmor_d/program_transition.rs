use crate::{
    context::LintContext,
    diagnostic::Sink,
    glob::Perms,
    lints::apparmor_d::{file_rules, program_name},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// An exec rule for one of the helper programs apparmor.d says how to
    /// run, with another exec mode:
    /// - small file utilities (`cp`, `mv`, `rm`, `ls`, `sed`, `mkdir`,
    ///   `stat`, `tail`, ...) run inherited (`ix`) or in a child profile
    ///   (`Cx`), not in their own profile or unconfined (`Px`, `Ux`, `PUx`);
    /// - `who` and `ischroot` run in another profile (`Px`, `Cx`), not
    ///   inherited (`ix`, `Pix`);
    /// - privileged or powerful tools (`sudo`, `pkexec`, `systemctl`,
    ///   `kmod`, `sysctl`, `udevadm`, `pgrep`, `pkill`, `fusermount`, `vim`,
    ///   `nvim`, `sensible-editor`) run in a child profile (`Cx`), not
    ///   inherited or unconfined (`ix`, `Pix`, `Ux`).
    ///
    /// This is the program list of apparmor.d's `transition` check; its
    /// `Pix` part is `fallback-exec`.
    ///
    /// ## Why it matters
    ///
    /// A file utility in its own profile gets that profile's much wider
    /// access (or none). A tool such as `sudo` or `systemctl` run inherited
    /// hands the whole profile its needs (setuid, the system bus), and run
    /// unconfined escapes it; a child profile holds just what that use needs.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// /usr/bin/sudo rix,
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /usr/bin/sudo rCx -> sudo,
    ///
    ///   profile sudo {
    ///     /usr/bin/sudo mr,
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: the child profile has to be written.
    pub static PROGRAM_TRANSITION = {
        code: "AA502",
        name: "program-transition",
        group: ApparmorD,
        level: Allow,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

/// Run inherited or in a child profile.
const INHERIT_OR_CHILD: &[&str] = &[
    "chgrp", "chmod", "chown", "cp", "find", "head", "install", "link", "ln", "ls", "mkdir", "mktemp", "mv", "rm",
    "rmdir", "sed", "shred", "stat", "tail", "tee", "test", "timeout", "touch", "truncate", "unlink",
];

/// Run in another profile.
const OTHER_PROFILE: &[&str] = &["ischroot", "who"];

/// Run in a child profile.
const CHILD: &[&str] = &[
    "sysctl",
    "kmod",
    "pgrep",
    "pkill",
    "pkexec",
    "sudo",
    "systemctl",
    "udevadm",
    "fusermount",
    "fusermount3",
    "fusermount{,3}",
    "nvim",
    "vim",
    "sensible-editor",
];

/// What is wrong with running `program` with exec `mode` (the letters
/// before `x`, as `Perms` gives them), if anything.
pub fn advice(program: &str, mode: &str) -> Option<&'static str> {
    let m = mode.to_ascii_lowercase();
    let inherits = m.contains('i');
    if INHERIT_OR_CHILD.contains(&program) && !inherits && !m.contains('c') && (m.contains('p') || m.contains('u')) {
        return Some("should run inherited (`ix`) or in a child profile (`Cx`)");
    }
    if OTHER_PROFILE.contains(&program) && inherits {
        return Some("should run in another profile (`Px`) or a child profile (`Cx`)");
    }
    if CHILD.contains(&program) && (inherits || m.ends_with('u')) {
        return Some("should run in a child profile (`Cx`)");
    }
    None
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for rule in file_rules(ctx) {
        let (Some(path), Some(perms)) = (&rule.path, &rule.perms) else { continue };
        if rule.deny {
            continue;
        }
        let Some(mode) = Perms::parse(perms).exec else { continue };
        let program = program_name(path);
        if let Some(why) = advice(program, mode) {
            sink.report(format!("`{path}` with `{perms}`: `{program}` {why}"), ctx.root, rule.node.text_range());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::advice;

    #[test]
    fn modes() {
        assert!(advice("sudo", "i").is_some());
        assert!(advice("sudo", "U").is_some());
        assert!(advice("sudo", "C").is_none());
        assert!(advice("sudo", "P").is_none());
        assert!(advice("cp", "P").is_some());
        assert!(advice("cp", "i").is_none());
        assert!(advice("cp", "Pi").is_none());
        assert!(advice("who", "Pi").is_some());
        assert!(advice("who", "P").is_none());
        assert!(advice("cat", "U").is_none());
    }
}
