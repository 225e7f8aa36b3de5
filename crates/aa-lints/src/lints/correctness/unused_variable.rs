use aa_hir::variables::{Location, file_variable_names};

use crate::{
    context::LintContext,
    diagnostic::{Applicability, Sink},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A variable (`@{name} = ...` or `${name} = true`) defined in the file
    /// being linted and used nowhere in it or in the files it includes. Only
    /// files that declare a profile are checked: a tunables file defines
    /// variables for others.
    ///
    /// ## Why it matters
    ///
    /// An unused variable is usually a leftover or a typo in the place that
    /// should use it (`@{exec_path}` vs `@{exe_path}`), which then means a
    /// rule grants something other than intended.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// @{conf_dirs} = /etc/example/ /usr/share/example/
    /// profile example /usr/bin/example {
    ///   /etc/example/** r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// @{conf_dirs} = /etc/example/ /usr/share/example/
    /// profile example /usr/bin/example {
    ///   @{conf_dirs}** r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: deletes the definition's line(s), when they hold nothing else.
    pub static UNUSED_VARIABLE = {
        code: "AA205",
        name: "unused-variable",
        group: Correctness,
        level: Warn,
        fix: Safe,
        scope: Model,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    if !ctx.root_has_profiles() {
        return;
    }
    let defined_here: Vec<(&String, Location)> = ctx
        .variables
        .sets
        .iter()
        .map(|(n, v)| (n, v.defined_at))
        .chain(ctx.variables.bools.iter().map(|(n, v)| (n, v.defined_at)))
        .filter(|(_, at)| at.file == ctx.root)
        .collect();
    if defined_here.is_empty() {
        return;
    }
    let used = |name: &str| ctx.closure.files.iter().any(|&file| file_variable_names(ctx.db, file).contains(name));
    for (name, at) in defined_here {
        if used(name) {
            continue;
        }
        let edit = ctx.line_removal(at.file, at.range);
        let d = sink.report(format!("variable `{name}` is defined but never used"), at.file, at.range);
        if let Some(edit) = edit {
            d.with_fix(Applicability::Safe, "delete the definition", vec![edit]);
        }
    }
}
