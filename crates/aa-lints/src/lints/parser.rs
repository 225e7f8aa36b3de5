//! The `parser` group: registry entries for the codes `aa-hir` reports,
//! which are what `apparmor_parser` rejects (or warns about). They have no
//! check function of their own: `diagnostics` converts `policy_diagnostics`.
//! Codes are assigned in this list's order and never change; append new
//! codes at the end.

use aa_hir::{db::File, diagnostics::policy_diagnostics};

use crate::compiled::exec_conflicts;

use crate::{
    context::LintContext,
    diagnostic::{LintDiagnostic, Severity, Sink},
    registry::{FixSafety, Group, Level, Lint, Scope},
    selection::LintSelection,
};

macro_rules! entry {
    ($code:literal, $name:literal, $summary:literal) => {
        Lint {
            code: $code,
            name: $name,
            group: Group::Parser,
            default_level: Level::Error,
            fix: FixSafety::None,
            scope: Scope::Model,
            docs: concat!(
                " ## What it flags\n\n ",
                $summary,
                "\n\n ## Why it matters\n\n apparmor_parser rejects the policy (or warns, for `include-cycle`), so it does not load.\n"
            ),
            check: None,
        }
    };
}

pub static PARSER_LINTS: &[Lint] = &[
    entry!("AA001", "syntax-error", "The text does not follow AppArmor's grammar."),
    entry!("AA002", "invalid-utf8", "The file is not valid UTF-8."),
    entry!("AA003", "unresolved-include", "An `include` names a file that cannot be found or read."),
    entry!(
        "AA004",
        "include-cycle",
        "Files include each other in a cycle (a warning: apparmor_parser skips the repeated include)."
    ),
    entry!("AA005", "include-too-deep", "Includes are nested too deep to follow."),
    entry!("AA006", "invalid-variable-name", "A variable name has characters a name cannot have."),
    entry!("AA007", "empty-variable", "A variable is given no value."),
    entry!("AA008", "append-to-undefined-variable", "`+=` adds to a variable that is not defined."),
    entry!("AA009", "variable-redefined", "A variable is defined twice."),
    entry!("AA010", "bool-append", "`+=` is used with a boolean variable."),
    entry!("AA011", "invalid-boolean", "A boolean variable is given something other than `true` or `false`."),
    entry!("AA012", "undefined-variable", "A variable is used but never defined."),
    entry!("AA013", "boolean-as-set", "A boolean variable is used where a set variable is expected."),
    entry!("AA014", "recursive-variable", "A variable's value refers back to itself."),
    entry!("AA015", "variable-too-large", "A variable expands to more alternatives than apparmor_parser allows."),
    entry!("AA016", "bad-dbus-condition", "A dbus rule condition has a value dbus rules do not take."),
    entry!("AA017", "bad-dbus-rule", "A dbus rule combines access and conditions that cannot go together."),
    entry!("AA018", "bad-condition", "An `if` condition cannot be evaluated."),
    entry!("AA019", "attachment-not-absolute", "A profile's attachment is not an absolute path."),
    entry!("AA020", "xattrs-after-flags", "`xattrs=` is written after `flags=`."),
    entry!("AA021", "hat-xattrs", "A hat has `xattrs=`, which only profiles take."),
    entry!("AA022", "bad-identity", "`identities=( )` is empty or malformed."),
    entry!("AA023", "profile-name-needs-keyword", "A profile name that is not a path needs the `profile` keyword."),
    entry!("AA024", "bad-namespace", "A `:namespace:` prefix is malformed."),
    entry!("AA025", "empty-flags", "`flags=()` lists nothing."),
    entry!("AA026", "conflicting-profile-flags", "Two profile flags contradict each other (two modes)."),
    entry!("AA027", "unknown-profile-flag", "A profile flag apparmor_parser does not know."),
    entry!("AA028", "bad-profile-flag-value", "A profile flag has a value it does not take."),
    entry!("AA029", "duplicate-profile", "Two profiles have the same name."),
    entry!(
        "AA030",
        "network-conditions-need-inet",
        "Network address conditions are given for a family other than inet or inet6."
    ),
    entry!("AA031", "access-with-peer", "A network access that does not take a peer is given one."),
    entry!("AA032", "unknown-network-family", "A network family apparmor_parser does not know."),
    entry!("AA033", "unknown-network-type", "A network socket type apparmor_parser does not know."),
    entry!("AA034", "bad-condition-operator", "A condition uses an operator it does not take."),
    entry!("AA035", "unknown-condition", "A condition a rule class does not take."),
    entry!("AA036", "peer-interface", "A peer condition names an interface."),
    entry!("AA037", "condition-takes-one-value", "A condition that takes one value is given several."),
    entry!("AA038", "bad-network-value", "A network condition value is malformed."),
    entry!("AA039", "bad-mount-condition", "A mount condition is malformed."),
    entry!("AA040", "mount-point-condition", "A mount-point condition where none is allowed."),
    entry!("AA041", "unknown-mount-option", "A mount option apparmor_parser does not know."),
    entry!("AA042", "conflicting-mount-options", "Mount options that contradict each other."),
    entry!("AA043", "unencodable-mount-rule", "A mount rule apparmor_parser cannot encode."),
    entry!("AA044", "unknown-signal", "A signal name apparmor_parser does not know."),
    entry!("AA045", "conflicting-exec-modes", "Two exec modes for the same path conflict."),
    entry!("AA046", "write-append-conflict", "`w` and `a` in the same rule."),
    entry!("AA047", "exec-mode-on-deny", "A deny rule with an exec mode (deny takes a bare `x`)."),
    entry!("AA048", "exec-without-mode", "`x` without an exec mode in an allow rule."),
    entry!("AA049", "relative-path", "A file rule path that is not absolute."),
    entry!("AA050", "safe-unsafe-without-exec", "`safe`/`unsafe` on a rule without an exec permission."),
    entry!("AA051", "subset-without-link", "`subset` on a rule that is not a link rule."),
    entry!("AA052", "link-exec-conflict", "A link permission combined with an exec target."),
    entry!("AA053", "change-profile-missing-exec", "A change_profile rule with an exec mode but no exec path."),
    entry!("AA054", "path-not-absolute", "A path that must be absolute is not."),
    entry!(
        "AA055",
        "conflicting-change-profile",
        "change_profile rules that conflict (safe and unsafe for the same target)."
    ),
    entry!("AA056", "bad-mqueue-type", "An mqueue type apparmor_parser does not know."),
    entry!("AA057", "bad-mqueue-name", "An mqueue name that is malformed."),
    entry!("AA058", "unknown-capability", "A capability name apparmor_parser does not know."),
    entry!("AA059", "not-allowed-in-profile", "A statement that cannot appear inside a profile."),
    entry!("AA060", "rule-outside-profile", "A rule outside any profile in a policy file."),
    entry!("AA061", "repeated-condition", "A condition given twice in one rule."),
    entry!("AA062", "unknown-access", "An access word a rule class does not take."),
    entry!("AA063", "bad-pattern", "A path pattern apparmor_parser cannot compile."),
    entry!("AA064", "bad-unix-condition", "A unix rule condition that is malformed."),
    entry!("AA065", "owner-not-allowed", "`owner` on a rule class that does not take it."),
    entry!("AA066", "priority-not-allowed", "`priority=` where it is not allowed."),
    entry!("AA067", "priority-out-of-range", "`priority=` out of range."),
    entry!("AA068", "conflicting-rule-mode", "Two rule modes (`allow`, `deny`, `prompt`) on one rule."),
    entry!("AA069", "unknown-rlimit", "An rlimit resource apparmor_parser does not know."),
    entry!("AA070", "bad-rlimit-value", "An rlimit value that is malformed or out of range."),
    entry!("AA071", "bad-abi", "An `abi` rule names no features file, or one that cannot be found or read."),
    entry!("AA072", "peer-group-not-last", "A `peer=( ... )` group is not the last condition of its rule."),
    entry!("AA073", "bad-peer-condition", "A condition inside `peer=( ... )` that the rule class does not take there."),
    entry!(
        "AA074",
        "include-too-large",
        "Includes take the policy past the file-count or text-size limit; the rest is not read."
    ),
    entry!(
        "AA075",
        "conflicting-exec-modifiers",
        "Rules with different exec modes (`ix`, `px`, `cx`, `ux`, ...) match a common path, in the same profile and owner half (found by compiling the profile's exec rules, and `file,`, which gives every path `ix`)."
    ),
    entry!(
        "AA076",
        "nesting-too-deep",
        "Profiles nested more than 64 deep, or blocks more than 256 deep through includes; what is inside is not read."
    ),
    entry!(
        "AA077",
        "file-too-large",
        "A file larger than 10 MiB: it is not analysed, and this one diagnostic at its start says so."
    ),
];

/// The `parser` group's finding for one of aa-hir's diagnostics, unless its
/// lint is disabled (at the lint's default severity).
pub(crate) fn finding(selection: &LintSelection, file: File, d: &aa_hir::Diagnostic) -> Option<LintDiagnostic> {
    // A code aa-hir added after this list: reported under the generic
    // syntax entry rather than lost.
    let lint = PARSER_LINTS.iter().find(|l| l.name == d.code).unwrap_or(&PARSER_LINTS[0]);
    if !selection.is_enabled(lint) {
        return None;
    }
    let severity = match d.severity {
        aa_hir::Severity::Error => Severity::Error,
        aa_hir::Severity::Warning => Severity::Warning,
    };
    let message = if lint.name == d.code { d.message.clone() } else { format!("{}: {}", d.code, d.message) };
    Some(LintDiagnostic::new(lint, severity, message, file, d.range))
}

/// The `parser` group's findings for the root, as lint diagnostics.
pub fn diagnostics(ctx: &LintContext<'_>, selection: &LintSelection) -> Vec<LintDiagnostic> {
    if !PARSER_LINTS.iter().any(|l| selection.is_enabled(l)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    out.extend(policy_diagnostics(ctx.db, ctx.root).iter().filter_map(|(file, d)| finding(selection, *file, d)));
    if let Some(lint) = PARSER_LINTS.iter().find(|l| l.name == "conflicting-exec-modifiers")
        && selection.is_enabled(lint)
    {
        exec_conflict_diagnostics(ctx, lint, &mut out);
    }
    out
}

/// `conflicting-exec-modifiers`: at each conflicting rule (with the include
/// chain that brought it in), naming the others.
fn exec_conflict_diagnostics(ctx: &LintContext<'_>, lint: &'static Lint, out: &mut Vec<LintDiagnostic>) {
    let mut sink = Sink::new(lint, out);
    for conflict in exec_conflicts(ctx.db, ctx.root) {
        let profile = &ctx.model.profiles[conflict.profile];
        let rules: Vec<&aa_hir::model::Rule> = conflict.rules.iter().filter_map(|&r| profile.rules.get(r)).collect();
        for (i, rule) in rules.iter().enumerate() {
            let others: Vec<String> = rules
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, r)| format!("`{}`", ctx.rule_text(r)))
                .collect();
            // `file,` has no exec letters on the page: say what it grants.
            let file_rule = rules.iter().any(|r| matches!(*r.kind, aa_hir::model::RuleKind::File { path: None, .. }));
            let why = if file_rule { "; `file,` gives every file the exec mode `ix`" } else { "" };
            let message = format!(
                "`{}` and {} give different exec modes to paths both match (e.g. `{}`{why}): apparmor_parser rejects profile `{}` (\"conflicting x modifiers\")",
                ctx.rule_text(rule),
                others.join(", "),
                conflict.example,
                profile.name
            );
            let d = ctx.report_rule(&mut sink, rule, Severity::Error, message);
            for (_, other) in rules.iter().enumerate().filter(|(j, _)| *j != i) {
                d.with_related(other.origin.location.file, other.origin.location.range, "conflicting exec mode here");
            }
        }
    }
}
