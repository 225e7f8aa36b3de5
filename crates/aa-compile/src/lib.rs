//! `aa-compile`: the resolved policy model (`aa-hir`) compiled into the
//! automata `apparmor_parser` builds (`aa-dfa`), and what only the
//! automata can tell: DFA errors at the rule that caused them, effective
//! permissions at a path, rules a deny shadows or another rule subsumes,
//! paths both writable and executable.
//!
//! ```text
//! policy_model(db, root) ──lower──▶ ProfileInput + RuleMap ──compile_profile──▶ CompiledProfile
//!                                                  │ DFA origins ──RuleMap──▶ model rules ──▶ Origin (file, range, includes)
//! ```
//!
//! The crate does no I/O: running `apparmor_parser` for comparisons is the
//! caller's job ([`compare`] only compares decoded output).
//!
//! For front ends and lints:
//! - [`compile_diagnostics`] (`conflicting-exec-modifiers`, `dfa-too-large`,
//!   `too-many-transitions`, `invalid-rule`; `compile-unsupported` as a
//!   warning), each at the rule and, for a rule from an include, also at the
//!   include statement of the policy file;
//! - [`compile_policy`] once, then per profile [`effective_permissions`]
//!   (hover, `aa-lint query`), [`shadowed_by_deny`], [`subsumed_by`] and
//!   [`writable_and_executable`]; rule ids are indexes into the model
//!   profile's `rules`, so `Profile::rules[id].origin` locates them;
//! - [`permissions_at`] when one answer is all that is needed.
//!
//! Not encoded (reported as unsupported): xattr attachments with
//! out-of-band transitions, fine-grained network rules (addresses, ports,
//! peers), `other` file rules, `safe`/`unsafe` file rules. The abi 4.0
//! classes (`mqueue`, `io_uring`, `userns`, `all`), `prompt` and
//! `priority=` are lowered for the targets whose language has them.

pub mod analysis;
pub mod compare;
pub mod errno;
pub mod lower;
pub mod stack;

use aa_dfa::profile::Origin as DfaOrigin;
use aa_dfa::{CompileError, CompileOptions, CompiledProfile, Features, Limits, ProfileError};
use aa_hir::Diagnostic;
use aa_hir::db::{Db, File};
use aa_hir::model::{Origin, PolicyModel, policy_model};

pub use analysis::{
    Contribution, FileRuleIndex, PathPerms, effective_permissions, shadowed_by_deny, subsumed_by,
    writable_and_executable,
};
pub use lower::{LowerError, LowerErrorKind, Lowered, RuleMap, lower_policy, lower_profile};

/// One profile of a policy, compiled (or why not).
#[derive(Debug, Clone)]
pub struct CompiledEntry {
    /// Index in `PolicyModel::profiles`.
    pub profile: usize,
    /// Full name (`parent//hat` for hats and children).
    pub name: String,
    pub result: Result<(Lowered, CompiledProfile), CompileFailure>,
}

/// Why a profile did not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileFailure {
    Lower(LowerError),
    /// The DFA compiler's error, with the model rules it names.
    Compile {
        error: ProfileError,
        rules: Vec<usize>,
    },
}

impl CompileFailure {
    /// Unsupported by this compiler (as opposed to rejected as invalid).
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            CompileFailure::Lower(LowerError { kind: LowerErrorKind::Unsupported, .. })
                | CompileFailure::Compile { error: ProfileError::Unsupported(_), .. }
        )
    }
}

impl std::fmt::Display for CompileFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileFailure::Lower(e) => f.write_str(&e.message),
            CompileFailure::Compile { error, .. } => write!(f, "{error}"),
        }
    }
}

/// Default options: the default target ([`aa_target::Version::DEFAULT`]),
/// the given features, default limits.
pub fn options(features: Features) -> CompileOptions {
    options_for(aa_target::Target::of(aa_target::Version::DEFAULT), features)
}

/// Options for `target` and `features`, default limits.
pub fn options_for(target: &'static aa_target::Target, features: Features) -> CompileOptions {
    CompileOptions { target, features, limits: Limits::default(), keep_rules: true }
}

/// Compiles one lowered profile, mapping error origins back to model rules.
pub fn compile_lowered(lowered: Lowered, opts: &CompileOptions) -> Result<(Lowered, CompiledProfile), CompileFailure> {
    match aa_dfa::compile_profile(&lowered.input, opts) {
        Ok(c) => Ok((lowered, c)),
        Err(error) => {
            let origins: Vec<DfaOrigin> = match &error {
                ProfileError::Dfa { origins, .. } => origins.clone(),
                ProfileError::Glob { origin, .. } | ProfileError::Invalid { origin, .. } => vec![*origin],
                _ => Vec::new(),
            };
            let mut rules: Vec<usize> = origins.iter().filter_map(|o| lowered.map.rule_of(*o)).collect();
            rules.sort_unstable();
            rules.dedup();
            Err(CompileFailure::Compile { error, rules })
        }
    }
}

/// Compiles every profile, hat and child profile of the policy file `root`.
pub fn compile_policy(db: &dyn Db, root: File, opts: &CompileOptions) -> Vec<CompiledEntry> {
    let model = policy_model(db, root);
    compile_model(db, model, opts)
}

/// [`compile_policy`] on a model already at hand.
pub fn compile_model(db: &dyn Db, model: &PolicyModel, opts: &CompileOptions) -> Vec<CompiledEntry> {
    let mut entries: Vec<CompiledEntry> = lower_policy(db, model)
        .into_iter()
        .enumerate()
        .map(|(i, lowered)| CompiledEntry {
            profile: i,
            name: model.profiles[i].name.clone(),
            result: lowered.map_err(CompileFailure::Lower).and_then(|l| compile_lowered(l, opts)),
        })
        .collect();
    if opts.target.compile.net_table.shared_by_all_profiles {
        share_net_table(&mut entries);
    }
    entries
}

/// One per-family network table for all profiles of the file, as 4.1.0
/// writes it ([`aa_target::NetTable::shared_by_all_profiles`]): the union
/// of every profile's, written by all of them once one profile has one.
fn share_net_table(entries: &mut [CompiledEntry]) {
    let compiled = || entries.iter().filter_map(|e| e.result.as_ref().ok().map(|(_, c)| c));
    if !compiled().any(|c| c.emit_net_table) {
        return;
    }
    let mut union = vec![aa_dfa::profile::NetMasks::default(); aa_target::network::AF_MAX];
    for c in compiled() {
        for (u, m) in union.iter_mut().zip(&c.net) {
            u.allow |= m.allow;
            u.deny |= m.deny;
            u.audit |= m.audit;
            u.quiet |= m.quiet;
        }
    }
    for e in entries.iter_mut() {
        if let Ok((_, c)) = &mut e.result {
            c.net.clone_from(&union);
            c.emit_net_table = true;
        }
    }
}

/// Effective file permissions at `path` in every profile of `root`, for
/// hover and `aa-lint query`: the profile's name and the answer (owner and
/// other halves, and the model rules that contribute, whose `Origin`s give
/// file, line and include chain), or why the profile did not compile.
/// `None` in the answer: the profile has no file rules, nothing is allowed.
/// This compiles the whole policy: callers answering many questions should
/// keep the result of [`compile_policy`] and call
/// [`effective_permissions`] on it.
pub fn permissions_at(
    db: &dyn Db,
    root: File,
    features: &Features,
    path: &[u8],
) -> Vec<(String, Result<Option<PathPerms>, CompileFailure>)> {
    compile_policy(db, root, &options(features.clone()))
        .into_iter()
        .map(|e| {
            let answer = e.result.map(|(lowered, compiled)| effective_permissions(&compiled, &lowered, path));
            (e.name, answer)
        })
        .collect()
}

/// The `Origin` of rule `rule` of profile `profile`.
pub fn rule_origin(model: &PolicyModel, profile: usize, rule: usize) -> Option<&Origin> {
    model.profiles.get(profile)?.rules.get(rule).map(|r| &r.origin)
}

/// What only compiling finds: conflicting exec modifiers across rules
/// (`conflicting-exec-modifiers`), DFAs past the size limits
/// (`dfa-too-large`), too many named transitions (`too-many-transitions`),
/// values the encoder rejects (`invalid-rule`), and rules this compiler
/// cannot encode (`compile-unsupported`, a warning).
/// Each points at the rule; a rule read from an include also gets a copy at
/// the include statement in `root`'s chain, so the policy file shows it.
pub fn compile_diagnostics(db: &dyn Db, root: File, features: &Features) -> Vec<(File, Diagnostic)> {
    compile_diagnostics_with(db, root, &options(features.clone()))
}

/// [`compile_diagnostics`] with explicit options (limits).
pub fn compile_diagnostics_with(db: &dyn Db, root: File, opts: &CompileOptions) -> Vec<(File, Diagnostic)> {
    let model = policy_model(db, root);
    diagnostics_of(model, &compile_model(db, model, opts))
}

/// [`compile_diagnostics`] of profiles already compiled (by
/// [`compile_model`] on the same model).
pub fn diagnostics_of(model: &PolicyModel, entries: &[CompiledEntry]) -> Vec<(File, Diagnostic)> {
    let mut out = Vec::new();
    for entry in entries {
        let Err(failure) = &entry.result else { continue };
        let profile = &model.profiles[entry.profile];
        let (code, severity_error, message, rules) = match failure {
            CompileFailure::Lower(e) => {
                let code = match e.kind {
                    LowerErrorKind::Invalid => "invalid-rule",
                    LowerErrorKind::Unsupported => "compile-unsupported",
                };
                (code, e.kind == LowerErrorKind::Invalid, e.message.clone(), e.rule.into_iter().collect())
            }
            CompileFailure::Compile { error, rules } => {
                let (code, message) = match error {
                    ProfileError::Dfa { error: CompileError::ConflictingExec { example, .. }, .. } => (
                        "conflicting-exec-modifiers",
                        format!(
                            "rules with different exec modes (ix, px, cx, ux, ...) match the same path, e.g. `{}`: apparmor_parser rejects the profile",
                            String::from_utf8_lossy(example)
                        ),
                    ),
                    ProfileError::Dfa {
                        error: CompileError::LimitExceeded(_) | CompileError::TooManyStates(_),
                        which,
                        ..
                    } => (
                        "dfa-too-large",
                        format!("the {which} DFA of profile `{}` grows too large: {error}", profile.name),
                    ),
                    ProfileError::TooManyTransitions => ("too-many-transitions", error.to_string()),
                    ProfileError::Unsupported(_) => ("compile-unsupported", error.to_string()),
                    ProfileError::Glob { error, .. } => ("invalid-rule", error.to_string()),
                    ProfileError::Invalid { message, .. } => ("invalid-rule", message.clone()),
                };
                (code, code != "compile-unsupported", message, rules.clone())
            }
        };
        let make = |range| {
            if severity_error {
                Diagnostic::error(code, message.clone(), range)
            } else {
                Diagnostic::warning(code, message.clone(), range)
            }
        };
        let mut origins: Vec<&Origin> = rules.iter().filter_map(|&r| profile.rules.get(r).map(|r| &r.origin)).collect();
        if origins.is_empty() {
            origins.push(&profile.origin);
        }
        let mut seen = Vec::new();
        for o in origins {
            let loc = (o.location.file, o.location.range);
            if !seen.contains(&loc) {
                seen.push(loc);
                out.push((o.location.file, make(o.location.range)));
            }
            if let Some(first) = o.via.first() {
                let loc = (first.file, first.range);
                if !seen.contains(&loc) {
                    seen.push(loc);
                    out.push((first.file, make(first.range)));
                }
            }
        }
    }
    out
}
