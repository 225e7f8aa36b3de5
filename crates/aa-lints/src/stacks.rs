//! What the stack lints share: the transitions of the file being linted,
//! read with `aa-compile`'s stack simulation over the profiles the file
//! defines (its own, its children and hats). A lint sees one file: a
//! profile defined in another file is unknown to it, so these lints only
//! judge what the file itself decides.

use aa_compile::stack::StackPolicy;
use aa_hir::model::{Profile, RuleKind};
use aa_label::{PROFILE_NAME_VAR, ProfileName};

use crate::{compiled::lint_options, context::LintContext};

/// The profiles of the file being linted, indexed for the stack
/// simulation (nothing is compiled until a question needs it).
pub fn file_policy<'db>(ctx: &LintContext<'db>) -> StackPolicy<'db> {
    StackPolicy::new(ctx.db, &[ctx.root], lint_options(ctx.db))
}

/// The profiles a transition target names, `&` and `@{profile_name}`
/// resolved in `profile`; a `cx` target's first layer is a child of
/// `profile` (the kernel looks it up among its children only). `None` when the text is
/// not a label (a variable left, a glob).
pub fn target_layers(profile: &Profile, target: &str, child: bool) -> Option<Vec<String>> {
    let target = target.trim().replace(PROFILE_NAME_VAR, &profile.name);
    if target.contains(['@', '*', '?', '[', '{']) {
        return None;
    }
    // The compiler writes a child target after the profile's name: `cx ->
    // kid` is `profile//kid`, `cx -> &other` is `profile//&other` (the
    // profile itself stacked with the top-level `other`).
    let text = if child && !target.starts_with(':') {
        format!("{}//{target}", profile.name)
    } else {
        target.trim_start_matches('&').to_owned()
    };
    Some(text.split("//&").map(|l| l.trim_start_matches('&').to_owned()).collect())
}

/// The index in the model of the profile named `name` (full hierarchical
/// name), if the file defines it.
pub fn find_profile(ctx: &LintContext<'_>, name: &str) -> Option<usize> {
    let want = ProfileName::parse(name).ok()?;
    ctx.model.profiles.iter().position(|p| ProfileName::parse(&p.name).is_ok_and(|n| n == want))
}

/// A file rule's exec target and whether its mode is a child transition
/// (`cx`, `cix`, ...).
pub fn exec_target(kind: &RuleKind) -> Option<(&str, bool)> {
    let RuleKind::File { perms, target: Some(target), .. } = kind else { return None };
    let mode = crate::glob::Perms::parse(perms).exec?;
    Some((target.as_str(), mode.contains(['c', 'C'])))
}
