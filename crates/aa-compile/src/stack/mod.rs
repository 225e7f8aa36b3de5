//! Stacks and transitions: what a task confined by a label (`A//&B`) may do,
//! and what it becomes when it executes a program or changes profile.
//!
//! A [`StackPolicy`] indexes every profile of a set of policy files by its
//! [`ProfileName`] (namespace and hierarchical name) and compiles a profile
//! only when a question needs its automaton, so asking about two layers of
//! apparmor.d's 1,500 profiles compiles two profiles.
//!
//! - [`perms`]: a label's permissions at a path, the intersection of its
//!   layers' (each layer's allow, deny and the rules behind them);
//! - [`exec`]: the label after an exec (each layer's deciding rule, the
//!   profile that attaches, the reduced label), `change_profile` and
//!   `change_onexec`;
//! - [`attach`]: attachment matching as the kernel's `find_attach` does it
//!   (longest literal match, then most xattrs, exact names first, ties are
//!   conflicts);
//! - [`graph`]: every transition a policy names, for `aa-lint graph` and the
//!   editor's call hierarchy.
//!
//! Named exec targets whose profile declares `xattrs=` are taken to attach
//! only when the xattrs match: the behaviour the AppArmor design note on
//! system-wide confinement relies on (`px -> user_downloaded//&...` fails
//! for an untagged file). `docs/stacks.md` says where that comes from.

pub mod attach;
pub mod exec;
pub mod graph;
pub mod perms;

use std::cell::OnceCell;
use std::collections::HashMap;

use aa_dfa::{CompileOptions, CompiledProfile};
use aa_hir::db::{Db, File};
use aa_hir::model::{PolicyModel, Profile, ProfileKind, Rule, policy_model};
use aa_label::{Label, ProfileName};

use crate::{CompileFailure, Lowered, compile_lowered, lower_profile};

pub use attach::{AttachOutcome, Attachment, Candidate};

/// How a profile enforces (its mode flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Enforce,
    /// `complain`: denials are logged, not enforced.
    Complain,
    /// `kill`: a denial kills the task.
    Kill,
    /// `flags=(unconfined)`: a profile that allows everything.
    Unconfined,
    /// `prompt`: denials may be asked of a user-space prompt daemon.
    Prompt,
}

impl Mode {
    fn of(flags: &[String]) -> Mode {
        let has = |f: &str| flags.iter().any(|x| x.trim() == f);
        if has("unconfined") {
            Mode::Unconfined
        } else if has("complain") {
            Mode::Complain
        } else if has("kill") {
            Mode::Kill
        } else if has("prompt") {
            Mode::Prompt
        } else {
            Mode::Enforce
        }
    }

    /// Whether the mode enforces denials.
    pub fn enforces(self) -> bool {
        matches!(self, Mode::Enforce | Mode::Kill | Mode::Prompt)
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Complain => "complain",
            Mode::Kill => "kill",
            Mode::Unconfined => "unconfined",
            Mode::Prompt => "prompt",
        }
    }
}

/// One profile of the policy.
pub struct StackProfile<'db> {
    pub name: ProfileName,
    /// The policy file it was read from.
    pub root: File,
    model: &'db PolicyModel,
    /// Index in its model's `profiles`.
    pub index: usize,
    /// Index in [`StackPolicy::profiles`] of the enclosing profile.
    pub parent: Option<usize>,
    pub mode: Mode,
    /// The attachment the kernel matches exec paths against.
    pub attachment: Option<Attachment>,
    /// `xattrs=(name=value ...)`.
    pub xattrs: Vec<(String, String)>,
    compiled: OnceCell<Result<(Lowered, CompiledProfile), CompileFailure>>,
}

impl<'db> StackProfile<'db> {
    /// The resolved model of the profile (rules with their origins).
    pub fn model(&self) -> &'db Profile {
        &self.model.profiles[self.index]
    }

    /// A rule of the model by index.
    pub fn rule(&self, rule: usize) -> Option<&'db Rule> {
        self.model().rules.get(rule)
    }

    pub fn kind(&self) -> ProfileKind {
        self.model().kind
    }
}

/// Every profile of a set of policy files, by name.
pub struct StackPolicy<'db> {
    db: &'db dyn Db,
    opts: CompileOptions,
    profiles: Vec<StackProfile<'db>>,
    by_name: HashMap<ProfileName, usize>,
    /// Profiles defined more than once (the later definition wins, as a
    /// later load replaces a profile).
    pub duplicates: Vec<ProfileName>,
}

impl<'db> StackPolicy<'db> {
    /// Indexes the profiles of `roots` (models only; nothing is compiled).
    pub fn new(db: &'db dyn Db, roots: &[File], opts: CompileOptions) -> StackPolicy<'db> {
        let mut policy =
            StackPolicy { db, opts, profiles: Vec::new(), by_name: HashMap::new(), duplicates: Vec::new() };
        for &root in roots {
            let model = policy_model(db, root);
            let first = policy.profiles.len();
            for (index, p) in model.profiles.iter().enumerate() {
                let Ok(name) = ProfileName::parse(&p.name) else { continue };
                let xattrs = attach::xattrs_of(db, p);
                let attachment = Attachment::of(p, &name, !xattrs.is_empty());
                let parent = p
                    .parent
                    .and_then(|pi| policy.profiles[first..].iter().position(|sp| sp.index == pi).map(|i| first + i));
                let i = policy.profiles.len();
                if policy.by_name.insert(name.clone(), i).is_some() {
                    policy.duplicates.push(name.clone());
                }
                policy.profiles.push(StackProfile {
                    name,
                    root,
                    model,
                    index,
                    parent,
                    mode: Mode::of(&p.flags),
                    attachment,
                    xattrs,
                    compiled: OnceCell::new(),
                });
            }
        }
        policy
    }

    pub fn db(&self) -> &'db dyn Db {
        self.db
    }

    pub fn profiles(&self) -> &[StackProfile<'db>] {
        &self.profiles
    }

    pub fn profile(&self, i: usize) -> &StackProfile<'db> {
        &self.profiles[i]
    }

    /// The profile with this name, if the policy defines it.
    pub fn find(&self, name: &ProfileName) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Every layer of `label` that the policy does not define (other than
    /// `unconfined`).
    pub fn undefined(&self, label: &Label) -> Vec<ProfileName> {
        label.layers().iter().filter(|p| !p.is_unconfined() && self.find(p).is_none()).cloned().collect()
    }

    /// The children (child profiles and hats) of a profile.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.profiles.len()).filter(move |&c| self.profiles[c].parent == Some(i))
    }

    /// The top-level profiles of a namespace.
    pub fn top_level(&self, namespace: Option<&str>) -> impl Iterator<Item = usize> + '_ {
        let ns = namespace.map(str::to_owned);
        (0..self.profiles.len()).filter(move |&i| {
            let p = &self.profiles[i];
            p.parent.is_none() && p.name.namespace == ns
        })
    }

    /// The profile compiled (on first use).
    pub fn compiled(&self, i: usize) -> Result<&(Lowered, CompiledProfile), &CompileFailure> {
        let p = &self.profiles[i];
        p.compiled
            .get_or_init(|| {
                lower_profile(self.db, p.model, p.index)
                    .map_err(CompileFailure::Lower)
                    .and_then(|l| compile_lowered(l, &self.opts))
            })
            .as_ref()
    }
}
