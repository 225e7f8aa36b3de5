//! New lints still settling; off by default. The DFA-backed ones compile
//! whole profiles (`crate::compiled::compiled_policy`, shared between them).

pub mod shadowed_rule;
pub mod subsumed_rule;
pub mod write_and_exec_exact;

use aa_compile::{CompiledEntry, Lowered};
use aa_dfa::CompiledProfile;
use aa_hir::model::Profile;

use crate::{compiled::compiled_policy, context::LintContext};

/// The compiled profiles of the root (those that compiled), with their
/// model profile.
pub(crate) fn compiled<'a>(
    ctx: &LintContext<'a>,
) -> impl Iterator<Item = (&'a Profile, &'a Lowered, &'a CompiledProfile)> + 'a {
    let entries: &'a [CompiledEntry] = compiled_policy(ctx.db, ctx.root);
    let model = ctx.model;
    entries.iter().filter_map(move |e| {
        let (lowered, compiled) = e.result.as_ref().ok()?;
        Some((model.profiles.get(e.profile)?, lowered, compiled))
    })
}

/// The model rules lowered into the file DFA (file and link rules), once each.
pub(crate) fn file_rule_ids(lowered: &Lowered) -> Vec<usize> {
    let mut ids: Vec<usize> = lowered.map.files.iter().chain(lowered.map.links.iter()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
