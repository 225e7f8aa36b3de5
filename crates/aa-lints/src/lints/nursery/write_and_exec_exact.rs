use aa_compile::{effective_permissions, writable_and_executable};
use aa_dfa::perms::old;

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// A path a profile may both write and execute, decided on the compiled
    /// file DFA: the exact version of `write-and-exec`, with every deny,
    /// glob, brace and character class accounted for and owner and other
    /// permissions kept apart. Reported once per exec rule, with an example
    /// path and the write rules that reach it. At least one of the rules is
    /// in the file being linted.
    ///
    /// This lint compiles the whole profile (as `aa-lint compile` does), which
    /// costs milliseconds to seconds per profile; it is in the `nursery`
    /// group and off by default.
    ///
    /// ## Why it matters
    ///
    /// If a program can write a file and then execute it, it can run any
    /// code it likes, under whatever profile the exec rule gives: the other
    /// rules of the profile no longer bound what it does.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /var/lib/example/** w,
    ///   /var/lib/example/hooks/[a-z]* ix,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /var/lib/example/** w,
    ///   deny /var/lib/example/hooks/** w,
    ///   /var/lib/example/hooks/[a-z]* ix,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None.
    pub static WRITE_AND_EXEC_EXACT = {
        code: "AA403",
        name: "write-and-exec-exact",
        group: Nursery,
        level: Allow,
        fix: None,
        scope: Model,
        check: check,
    }
}

/// Example paths looked at per profile, at most.
const EXAMPLES: usize = 64;

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for (profile, lowered, compiled) in super::compiled(ctx) {
        // exec rule → (example, write rules), in order of first example.
        let mut found: Vec<(usize, String, Vec<usize>)> = Vec::new();
        for path in writable_and_executable(compiled, EXAMPLES) {
            let Some(perms) = effective_permissions(compiled, lowered, &path) else { continue };
            let grants = |bit: u32| {
                move |c: &&aa_compile::Contribution| {
                    !c.deny && (c.perms & bit != 0 || (c.perms >> old::OTHER_SHIFT) & bit != 0)
                }
            };
            let execs: Vec<usize> =
                perms.contributions.iter().filter(grants(old::EXEC)).filter_map(|c| c.rule).collect();
            let writes: Vec<usize> =
                perms.contributions.iter().filter(grants(old::WRITE)).filter_map(|c| c.rule).collect();
            for x in execs {
                if let Some(entry) = found.iter_mut().find(|(e, ..)| *e == x) {
                    for w in &writes {
                        if !entry.2.contains(w) {
                            entry.2.push(*w);
                        }
                    }
                } else {
                    found.push((x, String::from_utf8_lossy(&path).into_owned(), writes.clone()));
                }
            }
        }
        for (x, example, writes) in found {
            let Some(rule) = profile.rules.get(x) else { continue };
            let writes: Vec<_> = writes.iter().filter_map(|&w| profile.rules.get(w)).collect();
            if rule.origin.location.file != ctx.root && !writes.iter().any(|w| w.origin.location.file == ctx.root) {
                continue;
            }
            let own = ctx.rule_text(rule);
            let mut names: Vec<String> = Vec::new();
            for w in &writes {
                let name = format!("`{}`", ctx.rule_text(w));
                if ctx.rule_text(w) != own && !names.contains(&name) {
                    names.push(name);
                }
            }
            let message = if names.is_empty() {
                format!("`{own}` lets the profile both write and execute `{example}`")
            } else {
                format!("`{own}` lets the profile execute `{example}`, which {} let(s) it write", names.join(", "))
            };
            let d = ctx.report_rule(sink, rule, sink.default_severity(), message);
            for w in writes {
                d.with_related(w.origin.location.file, w.origin.location.range, "writable here");
            }
        }
    }
}
