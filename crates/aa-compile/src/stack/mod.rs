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

use std::cell::{OnceCell, RefCell};
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

/// A namespace, an executed path and its xattrs.
type AttachQuestion = (Option<String>, String, Vec<(String, String)>);

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
    /// The children of each profile, in order.
    children: Vec<Vec<usize>>,
    /// The profiles with an exact attachment, by the path it matches, in
    /// order: a lookup instead of a pass over a large policy per exec.
    exact_attachments: HashMap<Vec<u8>, Vec<usize>>,
    /// The profiles attached by a pattern, in order.
    pattern_attachments: Vec<usize>,
    /// [`Self::attach_top_level`]'s answers: a policy execs the same
    /// programs from many profiles, and each answer matches every pattern.
    attach_answers: RefCell<HashMap<AttachQuestion, AttachOutcome>>,
    /// Profiles defined more than once (the later definition wins, as a
    /// later load replaces a profile).
    pub duplicates: Vec<ProfileName>,
}

impl<'db> StackPolicy<'db> {
    /// Indexes the profiles of `roots` (models only; nothing is compiled).
    pub fn new(db: &'db dyn Db, roots: &[File], opts: CompileOptions) -> StackPolicy<'db> {
        let mut policy = StackPolicy {
            db,
            opts,
            profiles: Vec::new(),
            by_name: HashMap::new(),
            children: Vec::new(),
            exact_attachments: HashMap::new(),
            pattern_attachments: Vec::new(),
            attach_answers: RefCell::default(),
            duplicates: Vec::new(),
        };
        for &root in roots {
            let model = policy_model(db, root);
            // Where each profile of the model went (a name that does not
            // parse is left out).
            let mut placed: Vec<Option<usize>> = vec![None; model.profiles.len()];
            for (index, p) in model.profiles.iter().enumerate() {
                let Ok(name) = ProfileName::parse(&p.name) else { continue };
                let xattrs = attach::xattrs_of(db, p);
                let attachment = Attachment::of(p, &name, !xattrs.is_empty());
                let parent = p.parent.and_then(|pi| placed.get(pi).copied().flatten());
                let i = policy.profiles.len();
                placed[index] = Some(i);
                if policy.by_name.insert(name.clone(), i).is_some() {
                    policy.duplicates.push(name.clone());
                }
                policy.children.push(Vec::new());
                if let Some(parent) = parent {
                    policy.children[parent].push(i);
                }
                match attachment.as_ref().map(Attachment::exact_path) {
                    Some(Some(path)) => policy.exact_attachments.entry(path.to_vec()).or_default().push(i),
                    Some(None) => policy.pattern_attachments.push(i),
                    None => {}
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
        self.children[i].iter().copied()
    }

    /// The top-level profiles of a namespace.
    pub fn top_level(&self, namespace: Option<&str>) -> impl Iterator<Item = usize> + '_ {
        let ns = namespace.map(str::to_owned);
        (0..self.profiles.len()).filter(move |&i| {
            let p = &self.profiles[i];
            p.parent.is_none() && p.name.namespace == ns
        })
    }

    /// Which top-level profile of a namespace attaches to `path`: what
    /// [`attach::find_attach`] over [`Self::top_level`] decides, with the
    /// exact attachments looked up rather than each compared.
    pub fn attach_top_level(
        &self,
        namespace: Option<&str>,
        path: &str,
        file_xattrs: &[(String, String)],
    ) -> AttachOutcome {
        let top = |i: &usize| {
            let p = &self.profiles[*i];
            p.parent.is_none() && p.name.namespace.as_deref() == namespace
        };
        let exact = self.exact_attachments.get(path.as_bytes()).and_then(|list| list.iter().copied().find(top));
        if let Some(i) = exact {
            return attach::exact_outcome(i, path);
        }
        let question = (namespace.map(str::to_owned), path.to_owned(), file_xattrs.to_vec());
        if let Some(answer) = self.attach_answers.borrow().get(&question) {
            return answer.clone();
        }
        let answer = attach::find_attach(self, self.pattern_attachments.iter().copied().filter(top), path, file_xattrs);
        self.attach_answers.borrow_mut().insert(question, answer.clone());
        answer
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
