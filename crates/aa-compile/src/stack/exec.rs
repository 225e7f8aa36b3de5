//! What a label becomes when it executes a program, changes profile, or
//! executes after `change_onexec`.
//!
//! Each layer transitions on its own, and the new label is the union of
//! the layers' results (the kernel builds it profile by profile, then
//! merges): an exec is denied if any layer denies it. A confined layer's
//! exec permission comes from its file automaton at the program's path
//! (the mode bits and the named-transition table the compiler built, so
//! overlapping rules and `deny` decide as they do in the kernel):
//!
//! - `ix`: the layer stays;
//! - `ux`: the namespace's `unconfined`;
//! - `px`/`cx` without a target: the profile that attaches to the program
//!   among the namespace's top-level profiles (`px`) or the layer's
//!   children (`cx`);
//! - `-> NAME`: that label (every layer of it must exist; a profile with
//!   `xattrs=` must match the file's, see the module docs of `stack`);
//! - `-> &NAME`: the profile that attaches to the program, or for `pix`
//!   and `ix` the layer itself when none does, with NAME stacked on it;
//! - `pix`/`cix` fall back to the layer, `pux`/`cux` to `unconfined`, when
//!   no profile is found; otherwise the exec is denied.
//!
//! An `unconfined` layer takes the profile that attaches, or stays.
//! A `complain` layer without exec permission gets a learning profile
//! (`layer//null-PROGRAM`) and the exec goes on.

use aa_dfa::perms::old;
use aa_dfa::query;
use aa_label::{Label, ProfileName, Target};

use super::attach::{AttachOutcome, find_attach};
use super::{Mode, StackPolicy};

/// The exec permission a layer's automaton gives the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecRule {
    /// The mode in the usual letters (`ix`, `Px`, `pix`, `Cux`, ...).
    pub mode: String,
    /// The named transition (`-> TARGET`), as the compiler's table holds
    /// it (a child target with its parent's name).
    pub target: Option<String>,
    /// The model rules that grant it (indexes into the layer's rules).
    pub rules: Vec<usize>,
}

/// How one layer decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The layer is `unconfined`: attachment alone decides.
    Unconfined,
    /// The layer's mode allows everything (`flags=(unconfined)`).
    AllowsAll,
    /// An exec rule matched.
    Rule(ExecRule),
    /// A `deny` rule takes `x` (its model rules).
    Denied(Vec<usize>),
    /// No rule gives `x`.
    NoRule,
    /// The profile does not compile here.
    NotCompiled(String),
}

/// One layer's step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerStep {
    pub layer: ProfileName,
    /// The layer's index in the policy (`None`: `unconfined` or undefined).
    pub profile: Option<usize>,
    pub decision: Decision,
    /// Attachment matching, when the mode needed it.
    pub attach: Option<AttachOutcome>,
    /// What the layer becomes, or why the exec fails.
    pub result: Result<Label, String>,
    /// How the result came about (`ix fallback`, `stacked &global`, ...).
    pub note: Option<String>,
}

/// The outcome of an exec (or change_profile) for a whole label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub steps: Vec<LayerStep>,
    /// The reduced label, or why the operation is denied.
    pub result: Result<Label, String>,
}

impl Outcome {
    fn from_steps(steps: Vec<LayerStep>) -> Outcome {
        let mut label: Option<Label> = None;
        let mut denied = None;
        for s in &steps {
            match &s.result {
                Ok(l) => label = Some(label.map_or_else(|| l.clone(), |acc| acc.merge(l))),
                Err(e) => {
                    denied.get_or_insert_with(|| format!("{}: {e}", s.layer));
                }
            }
        }
        let result = match (denied, label) {
            (Some(e), _) => Err(e),
            (None, Some(l)) => Ok(l),
            (None, None) => Err("empty label".to_owned()),
        };
        Outcome { steps, result }
    }
}

/// The program's facts the kernel looks at.
#[derive(Debug, Clone, Default)]
pub struct Program<'a> {
    pub path: &'a str,
    /// The file's extended attributes (`--xattr name=value`).
    pub xattrs: &'a [(String, String)],
}

/// The label after `label` executes `program`.
pub fn exec(policy: &StackPolicy<'_>, label: &Label, program: &Program<'_>) -> Outcome {
    Outcome::from_steps(label.layers().iter().map(|layer| exec_layer(policy, layer, program)).collect())
}

/// The exec bits of a layer at the program path (the "other" half: the
/// program is not the task's own file).
/// Allowed bits, denied bits, and the exec rules that match (model rule,
/// whether it is a `deny`).
type ExecBits = (u32, u32, Vec<(usize, bool)>);

fn exec_bits(policy: &StackPolicy<'_>, i: usize, path: &str) -> Result<ExecBits, String> {
    let (lowered, compiled) = policy.compiled(i).map_err(|e| e.to_string())?;
    let Some(file) = &compiled.file else { return Ok((0, 0, Vec::new())) };
    let q = query::query(file, path.as_bytes());
    let contributors = q
        .contributors
        .iter()
        .filter(|(_, p)| p.perms & (old::EXEC << old::OTHER_SHIFT) != 0)
        .filter_map(|(o, p)| Some((lowered.map.rule_of(*o)?, p.deny)))
        .collect();
    Ok((q.other.allow, q.other.deny, contributors))
}

fn exec_layer(policy: &StackPolicy<'_>, layer: &ProfileName, program: &Program<'_>) -> LayerStep {
    let mut step = LayerStep {
        layer: layer.clone(),
        profile: None,
        decision: Decision::NoRule,
        attach: None,
        result: Err(String::new()),
        note: None,
    };
    let Some(i) = policy.find(layer) else {
        if layer.is_unconfined() {
            step.decision = Decision::Unconfined;
            let a = policy.attach_top_level(layer.namespace.as_deref(), program.path, program.xattrs);
            step.result = Ok(a.chosen.map_or_else(|| Label::single(layer.clone()), |c| single(policy, c)));
            if a.conflict {
                step.note = Some("conflicting profile attachments: stays unconfined".to_owned());
            }
            step.attach = Some(a);
        } else {
            step.result = Err("profile not defined in the policy".to_owned());
        }
        return step;
    };
    step.profile = Some(i);
    let p = policy.profile(i);
    if p.mode == Mode::Unconfined {
        step.decision = Decision::AllowsAll;
        step.result = Ok(Label::single(layer.clone()));
        return step;
    }
    let (allow, deny, contributors) = match exec_bits(policy, i, program.path) {
        Ok(x) => x,
        Err(e) => {
            step.decision = Decision::NotCompiled(e.clone());
            step.result = Err(format!("not compiled: {e}"));
            return step;
        }
    };
    if allow & old::EXEC == 0 {
        let denying: Vec<usize> = contributors.iter().filter(|(_, d)| *d).map(|(r, _)| *r).collect();
        step.decision = if deny & old::EXEC != 0 { Decision::Denied(denying) } else { Decision::NoRule };
        if p.mode == Mode::Complain {
            let learning = layer.child(&format!("null-{}", program.path));
            step.note = Some("complain mode: a learning profile, the exec goes on".to_owned());
            step.result = Ok(Label::single(learning));
        } else {
            step.result = Err("exec denied".to_owned());
        }
        return step;
    }
    let (_, compiled) = policy.compiled(i).expect("compiled above");
    let index = (allow & old::EXEC_MOD_MASK) >> old::EXEC_MOD_SHIFT;
    let t = Transition {
        kind: match index {
            0 => TransitionKind::Inherit,
            1 => TransitionKind::Unconfined,
            3 => TransitionKind::Child,
            _ => TransitionKind::Profile,
        },
        inherit: allow & old::EXEC_INHERIT != 0,
        unconfined_fallback: allow & old::EXEC_PUX != 0,
        target: (index >= 4).then(|| compiled.xtable.get(index as usize - 4).cloned()).flatten(),
    };
    step.decision = Decision::Rule(ExecRule {
        mode: mode_letters(allow),
        target: t.target.clone(),
        rules: contributors.iter().filter(|(_, d)| !d).map(|(r, _)| *r).collect(),
    });
    let (result, attach, note) = transition(policy, layer, i, &t, program);
    step.result = result;
    step.attach = attach;
    step.note = note;
    step
}

/// The exec mode of one half of packed permissions in the usual letters
/// (`ix`, `Px`, `pix`, `Cux`): upper case scrubs the environment.
pub fn mode_letters(half: u32) -> String {
    let index = (half & old::EXEC_MOD_MASK) >> old::EXEC_MOD_SHIFT;
    let inherit = half & old::EXEC_INHERIT != 0;
    let base = match index {
        0 => return "ix".to_owned(),
        1 => 'u',
        3 => 'c',
        // A named transition from a `cx -> NAME` rule reads as `p` here:
        // the table entry holds the child's full name.
        _ => 'p',
    };
    let base = if half & old::EXEC_UNSAFE == 0 { base.to_ascii_uppercase() } else { base };
    let fallback = if index >= 2 && inherit {
        "i"
    } else if index >= 2 && half & old::EXEC_PUX != 0 {
        "u"
    } else {
        ""
    };
    format!("{base}{fallback}x")
}

/// The kind of an exec transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionKind {
    /// `ix`.
    Inherit,
    /// `ux`.
    Unconfined,
    /// `px`, or any named transition.
    Profile,
    /// `cx` without a name.
    Child,
}

/// An exec transition: what the automaton's mode bits say, or what an exec
/// rule says (as [`graph`](super::graph) reads them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub kind: TransitionKind,
    /// `pix`/`cix`: fall back to the layer itself.
    pub inherit: bool,
    /// `pux`/`cux`: fall back to `unconfined`.
    pub unconfined_fallback: bool,
    /// The named transition as the compiler's table holds it (a child's
    /// with its parent's name).
    pub target: Option<String>,
}

/// What layer `layer` (policy profile `i`) becomes through `t` when it
/// executes `program`: the label (or why the exec fails), the attachment
/// matching done, and how it came about.
pub fn transition(
    policy: &StackPolicy<'_>,
    layer: &ProfileName,
    i: usize,
    t: &Transition,
    program: &Program<'_>,
) -> (Result<Label, String>, Option<AttachOutcome>, Option<String>) {
    let ns = layer.namespace.as_deref();
    let mut stack: Option<Label> = None;
    let mut new: Option<Label> = None;
    let mut attach = None;
    let mut note = None;
    match (t.kind, &t.target) {
        (TransitionKind::Inherit, None) => new = Some(Label::single(layer.clone())),
        (TransitionKind::Unconfined, None) => {
            new = Some(Label::single(ProfileName::unconfined(layer.namespace.clone())))
        }
        (kind, None) => {
            let a = if kind == TransitionKind::Child {
                find_attach(policy, policy.children(i), program.path, program.xattrs)
            } else {
                policy.attach_top_level(ns, program.path, program.xattrs)
            };
            new = a.chosen.map(|c| single(policy, c));
            if a.conflict {
                note = Some("conflicting profile attachments".to_owned());
            }
            attach = Some(a);
        }
        (_, Some(target)) => match resolve_target(policy, target, layer, program) {
            Ok(Resolved::Stack(s)) => {
                let a = policy.attach_top_level(ns, program.path, program.xattrs);
                new = a.chosen.map(|c| single(policy, c));
                attach = Some(a);
                stack = Some(s);
            }
            Ok(Resolved::Label(l)) => new = Some(l),
            Err(e) => note = Some(e),
        },
    }
    if new.is_none() {
        if t.inherit || (t.kind == TransitionKind::Inherit && stack.is_some()) {
            new = Some(Label::single(layer.clone()));
            note = Some(join_note(note.take(), "ix fallback"));
        } else if t.unconfined_fallback {
            new = Some(Label::single(ProfileName::unconfined(layer.namespace.clone())));
            note = Some(join_note(note.take(), "ux fallback"));
        }
    }
    let result = match (new, stack) {
        (Some(n), Some(s)) => {
            note = Some(join_note(note.take(), &format!("stacked &{s}")));
            Ok(n.merge(&s))
        }
        (Some(n), None) => Ok(n),
        (None, _) => Err(join_note(note.take(), "profile transition not found: exec denied")),
    };
    (result, attach, note)
}

fn join_note(a: Option<String>, b: &str) -> String {
    match a {
        Some(a) => format!("{a}; {b}"),
        None => b.to_owned(),
    }
}

fn single(policy: &StackPolicy<'_>, i: usize) -> Label {
    Label::single(policy.profile(i).name.clone())
}

enum Resolved {
    Stack(Label),
    Label(Label),
}

/// A named transition: every profile must exist (a profile with xattrs
/// must match the file's).
fn resolve_target(
    policy: &StackPolicy<'_>,
    text: &str,
    layer: &ProfileName,
    program: &Program<'_>,
) -> Result<Resolved, String> {
    let t = Target::parse_in(text, &layer.name).map_err(|e| format!("target `{text}`: {e}"))?;
    for p in t.label.layers() {
        if p.is_unconfined() {
            continue;
        }
        let Some(i) = policy.find(p) else {
            return Err(format!("target profile `{p}` is not defined"));
        };
        let want = &policy.profile(i).xattrs;
        if !want.is_empty() && super::attach::xattrs_match(want, program.xattrs).is_none() {
            return Err(format!("the xattrs of `{p}` do not match the file"));
        }
    }
    Ok(if t.stack { Resolved::Stack(t.label) } else { Resolved::Label(t.label) })
}

/// Which `change_profile` permission is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `aa_change_profile` / `aa_stack_profile` now.
    Now,
    /// `aa_change_onexec` / `aa_stack_onexec`, then exec `program`.
    OnExec,
}

/// The label after `change_profile` (or `change_onexec` and an exec of
/// `program`) to `target`: every confined layer needs a `change_profile`
/// rule for the target (for on-exec, also for the program); the result is
/// the target, or with `&` the union with the current label.
pub fn change_profile(
    policy: &StackPolicy<'_>,
    label: &Label,
    target: &Target,
    change: Change,
    program: Option<&str>,
) -> Outcome {
    let missing = policy.undefined(&target.label);
    let mut steps = Vec::new();
    for layer in label.layers() {
        let mut step = LayerStep {
            layer: layer.clone(),
            profile: policy.find(layer),
            decision: Decision::Unconfined,
            attach: None,
            result: Ok(target.label.clone()),
            note: None,
        };
        if let Some(i) = step.profile
            && policy.profile(i).mode != Mode::Unconfined
        {
            match change_allowed(policy, i, target, change, program) {
                Ok((true, rules)) => {
                    step.decision = Decision::Rule(ExecRule {
                        mode: "change_profile".to_owned(),
                        target: Some(target.to_string()),
                        rules,
                    })
                }
                Ok((false, rules)) => {
                    step.decision = if rules.is_empty() { Decision::NoRule } else { Decision::Denied(rules) };
                    if policy.profile(i).mode.enforces() {
                        step.result = Err(format!("no change_profile rule allows `{target}`"));
                    } else {
                        step.note = Some("complain mode: allowed, logged".to_owned());
                    }
                }
                Err(e) => {
                    step.decision = Decision::NotCompiled(e.clone());
                    step.result = Err(format!("not compiled: {e}"));
                }
            }
        } else if step.profile.is_none() && !layer.is_unconfined() {
            step.result = Err("profile not defined in the policy".to_owned());
        }
        if step.result.is_ok() && !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(ToString::to_string).collect();
            step.result = Err(format!("target profile {} not defined (ENOENT)", names.join(", ")));
        }
        if let Ok(l) = &step.result
            && target.stack
        {
            step.result = Ok(Label::single(layer.clone()).merge(l));
        }
        steps.push(step);
    }
    Outcome::from_steps(steps)
}

/// Whether layer `i` allows changing to `target`, and the rules that
/// decide.
fn change_allowed(
    policy: &StackPolicy<'_>,
    i: usize,
    target: &Target,
    change: Change,
    program: Option<&str>,
) -> Result<(bool, Vec<usize>), String> {
    let (lowered, compiled) = policy.compiled(i).map_err(|e| e.to_string())?;
    let Some(file) = &compiled.file else { return Ok((false, Vec::new())) };
    let name = target.to_string();
    let (input, bit) = match (change, program) {
        (Change::OnExec, Some(p)) => {
            let mut v = p.as_bytes().to_vec();
            v.push(0);
            v.extend_from_slice(name.as_bytes());
            (v, old::ONEXEC)
        }
        _ => (name.into_bytes(), old::CHANGE_PROFILE),
    };
    let q = query::query(file, &input);
    let ok = q.state.allow & bit != 0 && q.state.deny & bit == 0;
    let rules = q
        .contributors
        .iter()
        .filter(|(_, p)| p.perms & bit != 0 && p.deny != ok)
        .filter_map(|(o, _)| lowered.map.rule_of(*o))
        .collect();
    Ok((ok, rules))
}
