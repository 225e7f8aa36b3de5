//! `aa-suggest`: from the kernel's audit records to the narrowest rules a
//! profile lacks, checked against the compiled policy and proved.
//!
//! For each record ([`aa_log`]) of a profile of the given policy:
//! 1. the access is read ([`event`]) and asked of the *compiled* profile,
//!    includes and all: a file access by walking the file automaton at
//!    the path (owner or other half, as the record's fsuid and ouid say),
//!    a capability by its bit, every other class by compiling the narrow
//!    rule alone and checking, on the product of the two automata, that
//!    the profile allows everything it does ([`check::covers`]). Allowed:
//!    nothing to add. Taken by a `deny` rule: reported as denied on
//!    purpose, never suggested.
//! 2. what is missing becomes the narrowest rule ([`rules`]): only the
//!    permissions missing, paths through the profile's own variables
//!    ([`generalise`]), `owner` when fsuid == ouid, one rule per path;
//!    an exec becomes `px` when a profile attaches to the program, `cx`
//!    when a child profile does, else a question.
//! 3. the rules are inserted into the profile's text in memory, the
//!    policy is recompiled, and the result is proved: every event is
//!    allowed, and the new profile allows nothing that neither the old
//!    profile nor the added rules allow ([`check::beyond`]).
//!
//! An event of a class the features compiled against do not mediate is
//! neither allowed nor suggested: the report lists it as not mediated
//! ([`mediation`]).
//!
//! Rules this compiler cannot encode (fine-grained network, ...) are
//! compared as rules of the model instead, and
//! the report says so.
//!
//! No I/O: the caller reads the log and the files and writes the result.

pub mod abstractions;
pub mod check;
pub mod compile;
pub mod edit;
pub mod event;
pub mod generalise;
pub mod mediation;
pub mod rules;

use std::collections::BTreeMap;
use std::path::PathBuf;

use aa_compile::analysis::effective_permissions;
use aa_compile::lower::capability_number;
use aa_compile::stack::StackPolicy;
use aa_compile::stack::attach::find_attach;
use aa_dfa::perms::old;
use aa_dfa::{CompileOptions, CompiledProfile, compile_profile};
use aa_hir::db::{Db, File, FileContent, RootDatabase};
use aa_hir::model::{PolicyModel, ProfileKind, RuleKind, RuleMode, policy_model};
use aa_label::Label;
use aa_log::Entry;
use serde::Serialize;

use check::Coverage;
use compile::Compiled;
use event::{Access, Reading, access_of};
use generalise::Generaliser;

/// What to suggest for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only the events of this profile (its full name, `parent//hat` for a hat).
    pub profile: Option<String>,
    pub compile: CompileOptions,
    /// Write paths through the profile's variables (`@{HOME}`, `@{pid}`).
    pub generalise: bool,
    /// Network rules with access, addresses and ports (AppArmor 4.x
    /// syntax); else `network FAMILY TYPE,`.
    pub fine_grained_network: bool,
    /// Offer abstractions that grant several of the rules
    /// ([`abstractions`]): compiles every abstraction of the search path.
    pub offer_abstractions: bool,
}

/// A rule to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub rule: String,
    pub class: &'static str,
    /// The log lines of the events it allows.
    pub lines: Vec<usize>,
    /// Set for rules this compiler cannot encode: checked as rules, not automata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How to insert this rule alone into the original file (an editor's
    /// code action); `None` when the profile block was not found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insert: Option<edit::Insertion>,
}

/// Events a deny rule takes on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Denied {
    pub lines: Vec<usize>,
    /// The access, as the rule that would allow it.
    pub access: String,
    /// The deny rules that take it (`file:line: text`), when known.
    pub by: Vec<String>,
}

/// An event that needs the author's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub lines: Vec<usize>,
    pub question: String,
}

/// Events of a class the features compiled against do not mediate:
/// neither allowed nor suggested (the kernel that logged them mediates
/// the class; its features give the answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmediated {
    pub lines: Vec<usize>,
    pub class: &'static str,
    /// The feature the features lack (`ipc/posix_mqueue`, `dbus`, ...).
    pub feature: &'static str,
}

/// What recompiling with the suggestions showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Proof {
    pub compiled: bool,
    pub every_event_allowed: bool,
    pub nothing_beyond: bool,
    /// What did not hold, or could not be checked.
    pub problems: Vec<String>,
}

/// The result for one profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileReport {
    pub profile: String,
    pub file: PathBuf,
    pub events: usize,
    /// Lines of the events the profile already allows.
    pub allowed: Vec<usize>,
    pub denied: Vec<Denied>,
    pub suggestions: Vec<Suggestion>,
    pub questions: Vec<Question>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmediated: Vec<Unmediated>,
    /// Abstractions that would grant several of the suggested rules (and more).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub offers: Vec<abstractions::Offer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof: Option<Proof>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A record that gives nothing to suggest, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
}

/// A file with the suggestions inserted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEdit {
    pub path: PathBuf,
    #[serde(skip)]
    pub old: String,
    #[serde(skip)]
    pub new: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub profiles: Vec<ProfileReport>,
    pub skipped: Vec<Skipped>,
    pub files: Vec<FileEdit>,
}

impl Report {
    pub fn suggestion_count(&self) -> usize {
        self.profiles.iter().map(|p| p.suggestions.len()).sum()
    }
}

/// An access of a profile and the log lines that asked for it.
#[derive(Debug, Clone)]
struct Asked {
    access: Access,
    lines: Vec<usize>,
}

/// A rule being considered for one profile.
#[derive(Debug, Clone)]
struct Candidate {
    rule: String,
    class: &'static str,
    lines: Vec<usize>,
    /// Checked by compiling it (non-file classes); file rules are already known to be needed.
    pending: bool,
    note: Option<String>,
    /// The accesses it is for (to prove them).
    accesses: Vec<Access>,
}

struct Work {
    root: File,
    model_index: usize,
    name: String,
    report: ProfileReport,
    candidates: Vec<Candidate>,
    compiled: Option<Compiled>,
}

/// Suggests rules for the events of `log` against the profiles of `roots`.
/// The database is given mutably: the edited profiles are compiled from
/// in-memory files beside the originals (named `.NAME.aa-suggest`).
pub fn suggest(db: &mut RootDatabase, roots: &[File], log: &[Entry], opts: &Options) -> Report {
    let mut report = Report::default();
    let mut works = analyse(db, roots, log, opts, &mut report);
    // Group by file: one edit per file.
    let mut by_root: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    for (i, w) in works.iter().enumerate() {
        by_root.entry(w.root.path(db).clone()).or_default().push(i);
    }
    for (path, members) in by_root {
        let edit = settle(db, &path, &members, &mut works, opts);
        if let Some(edit) = edit {
            report.files.push(edit);
        }
    }
    report.profiles = works.into_iter().map(|w| w.report).collect();
    report
}

fn label_layers(label: &str) -> Option<Label> {
    Label::parse(label).ok()
}

/// Phase 1 (read only): events by profile, checked against the compiled
/// profiles; file, exec and capability needs become candidates.
fn analyse(db: &RootDatabase, roots: &[File], log: &[Entry], opts: &Options, report: &mut Report) -> Vec<Work> {
    let stack = StackPolicy::new(db, roots, opts.compile.clone());
    let mut asked: BTreeMap<usize, Vec<Asked>> = BTreeMap::new();
    for entry in log {
        let access = match access_of(&entry.record) {
            Reading::Access(a) => a,
            Reading::Skip(reason) => {
                report.skipped.push(Skipped { line: entry.line, reason: reason.to_owned() });
                continue;
            }
        };
        let Some(label_text) = entry.record.profile.as_deref() else {
            report.skipped.push(Skipped { line: entry.line, reason: "the record names no profile".into() });
            continue;
        };
        let Some(label) = label_layers(label_text) else {
            report.skipped.push(Skipped { line: entry.line, reason: format!("unreadable label `{label_text}`") });
            continue;
        };
        let mut any = false;
        for layer in label.layers() {
            if let Some(p) = &opts.profile
                && *p != layer.to_string()
                && *p != layer.name
            {
                continue;
            }
            any = true;
            match stack.find(layer) {
                Some(i) => {
                    let list = asked.entry(i).or_default();
                    match list.iter_mut().find(|a| a.access == access) {
                        Some(a) => a.lines.push(entry.line),
                        None => list.push(Asked { access: access.clone(), lines: vec![entry.line] }),
                    }
                }
                None if layer.is_unconfined() => report
                    .skipped
                    .push(Skipped { line: entry.line, reason: "unconfined: no profile to add rules to".into() }),
                None => report.skipped.push(Skipped {
                    line: entry.line,
                    reason: format!("profile `{layer}` is not defined by the given policy"),
                }),
            }
        }
        if !any {
            report.skipped.push(Skipped { line: entry.line, reason: "another profile (--profile)".into() });
        }
    }
    let mut works = Vec::new();
    for (i, list) in asked {
        works.push(analyse_profile(db, &stack, i, list, opts));
    }
    works
}

fn origin_text(db: &dyn Db, model: &PolicyModel, profile: usize, rule: usize) -> Option<String> {
    let r = model.profiles.get(profile)?.rules.get(rule)?;
    let loc = r.origin.location;
    let FileContent::Text(text) = loc.file.content(db) else { return None };
    let start = usize::from(loc.range.start());
    let line = text[..start].matches('\n').count() + 1;
    let written = text.get(start..usize::from(loc.range.end()))?.lines().next()?.trim().to_owned();
    Some(format!("{}:{line}: {written}", loc.file.path(db).display()))
}

fn analyse_profile(db: &RootDatabase, stack: &StackPolicy<'_>, i: usize, list: Vec<Asked>, opts: &Options) -> Work {
    let sp = stack.profile(i);
    let model = policy_model(db, sp.root);
    let name = sp.model().name.clone();
    let mut report = ProfileReport {
        profile: name.clone(),
        file: sp.model().origin.location.file.path(db).clone(),
        events: list.iter().map(|a| a.lines.len()).sum(),
        ..ProfileReport::default()
    };
    let compiled = match compile::compile(db, model, sp.index, &opts.compile) {
        Ok(c) => Some(c),
        Err(e) => {
            report.error = Some(format!("the profile does not compile: {e}"));
            None
        }
    };
    let generaliser =
        if opts.generalise { Generaliser::new(aa_hir::variables::variables(db, sp.root)) } else { Generaliser::none() };
    // (owner, path text) -> (missing bits, exec mode, lines, accesses)
    let mut files: BTreeMap<String, FileNeed> = BTreeMap::new();
    let mut caps: BTreeMap<String, (Vec<usize>, Vec<Access>)> = BTreeMap::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    for Asked { access, lines } in list {
        if let Some(feature) = mediation::missing_feature(&access, &opts.compile.features) {
            let class = rules::class_of(&access);
            match report.unmediated.iter_mut().find(|u| u.class == class) {
                Some(u) => u.lines.extend(&lines),
                None => report.unmediated.push(Unmediated { lines, class, feature }),
            }
            continue;
        }
        match &access {
            Access::File { path, perms, owner } => {
                let want = perms.bits();
                match file_state(compiled.as_ref(), path, *owner, want) {
                    FileState::Allowed => report.allowed.extend(&lines),
                    FileState::Denied(missing, by) => report.denied.push(Denied {
                        lines,
                        access: format!("{}{} {},", if *owner { "owner " } else { "" }, path, perm_text(missing)),
                        by: by.iter().filter_map(|&r| origin_text(db, model, sp.index, r)).collect(),
                    }),
                    FileState::Missing(missing) => {
                        let e = files.entry(generaliser.rule_path(path)).or_default();
                        e.4 = Some(e.4.unwrap_or(true) && *owner);
                        e.0 |= missing;
                        e.2.extend(&lines);
                        e.3.push(access.clone());
                    }
                }
            }
            Access::Exec { path, owner } => match file_state(compiled.as_ref(), path, *owner, old::EXEC) {
                FileState::Allowed => report.allowed.extend(&lines),
                FileState::Denied(_, by) => report.denied.push(Denied {
                    lines,
                    access: format!("{path} x,"),
                    by: by.iter().filter_map(|&r| origin_text(db, model, sp.index, r)).collect(),
                }),
                FileState::Missing(_) => match exec_mode(stack, i, path) {
                    Some(mode) => {
                        let e = files.entry(generaliser.rule_path(path)).or_default();
                        e.4 = Some(e.4.unwrap_or(true) && *owner);
                        e.0 |= old::EXEC;
                        e.1 = Some(mode);
                        e.2.extend(&lines);
                        e.3.push(access.clone());
                    }
                    None => report.questions.push(Question {
                        lines,
                        question: format!(
                            "exec of {path}: no profile of the policy attaches to it and `{name}` has no child profile for it; \
                             choose ix (inherit this profile), px after writing a profile for it, or ux (unconfined)"
                        ),
                    }),
                },
            },
            Access::Capability { name: cap } => {
                let bit = capability_number(cap).map(|n| 1u64 << n);
                match (bit, compiled.as_ref()) {
                    (None, _) => report.questions.push(Question {
                        lines,
                        question: format!("capability `{cap}` is not one this compiler knows"),
                    }),
                    (Some(b), Some(c)) if c.compiled.caps_allow & b != 0 => report.allowed.extend(&lines),
                    (Some(b), Some(c)) if c.lowered.input.capabilities.deny & b != 0 => report.denied.push(Denied {
                        lines,
                        access: format!("capability {cap},"),
                        by: deny_rules_of_class(db, model, sp.index, |k| {
                            matches!(k, RuleKind::Capability { names } if names.is_empty() || names.contains(cap))
                        }),
                    }),
                    _ => {
                        let e = caps.entry(cap.clone()).or_default();
                        e.0.extend(&lines);
                        e.1.push(access.clone());
                    }
                }
            }
            other => {
                let Some(rule) = rules::rule_text(other, opts.fine_grained_network) else { continue };
                match candidates.iter_mut().find(|c| c.rule == rule) {
                    Some(c) => {
                        c.lines.extend(&lines);
                        c.accesses.push(access.clone());
                    }
                    None => candidates.push(Candidate {
                        rule,
                        class: rules::class_of(other),
                        lines,
                        pending: true,
                        note: None,
                        accesses: vec![access.clone()],
                    }),
                }
            }
        }
    }
    for u in &mut report.unmediated {
        u.lines.sort_unstable();
    }
    let mut fixed: Vec<Candidate> = Vec::new();
    for (path, (bits, mode, mut lines, accesses, owner)) in files {
        let owner = owner.unwrap_or(false);
        lines.sort_unstable();
        lines.dedup();
        let mut letters = perm_text(bits & !old::EXEC);
        if let Some(mode) = mode {
            letters.push_str(&mode);
        }
        let class = if bits & old::EXEC != 0 { "exec" } else { "file" };
        let rule = format!("{}{} {letters},", if owner { "owner " } else { "" }, generalise::token(&path));
        fixed.push(Candidate { rule, class, lines, pending: false, note: None, accesses });
    }
    for (cap, (lines, accesses)) in caps {
        fixed.push(Candidate {
            rule: format!("capability {cap},"),
            class: "capability",
            lines,
            pending: false,
            note: None,
            accesses,
        });
    }
    fixed.extend(candidates);
    Work { root: sp.root, model_index: sp.index, name, report, candidates: fixed, compiled }
}

/// What one file rule must grant: missing bits, the exec mode, the log
/// lines and the accesses behind it.
/// `owner` is kept only when every event owned the file.
type FileNeed = (u32, Option<String>, Vec<usize>, Vec<Access>, Option<bool>);

fn perm_text(bits: u32) -> String {
    event::FilePerms::from_bits(bits).letters()
}

pub(crate) enum FileState {
    Allowed,
    /// Missing bits, and the deny rules (model indexes) that take them.
    Denied(u32, Vec<usize>),
    Missing(u32),
}

pub(crate) fn file_state(compiled: Option<&Compiled>, path: &str, owner: bool, want: u32) -> FileState {
    let Some(c) = compiled else { return FileState::Missing(want) };
    let Some(file) = c.compiled.file.as_ref() else { return FileState::Missing(want) };
    // The state the path leads to decides; the rules behind a denial are
    // looked up only when there is one.
    let state = file.dfa.perms(file.dfa.walk(path.as_bytes()));
    let shift = if owner { 0 } else { old::OTHER_SHIFT };
    let (allow, deny) = ((state.allow >> shift) & old::HALF_MASK, (state.deny >> shift) & old::HALF_MASK);
    let missing = want & !allow;
    if missing == 0 {
        return FileState::Allowed;
    }
    if missing & deny != 0 {
        let by = effective_permissions(&c.compiled, &c.lowered, path.as_bytes())
            .map(|p| p.contributions.iter().filter(|c| c.deny).filter_map(|c| c.rule).collect())
            .unwrap_or_default();
        return FileState::Denied(missing, by);
    }
    FileState::Missing(missing)
}

/// The exec mode for a program: `px` when another profile attaches to it,
/// `cx -> CHILD` when a child profile of this one does.
fn exec_mode(stack: &StackPolicy<'_>, i: usize, path: &str) -> Option<String> {
    let children: Vec<usize> = stack.children(i).filter(|&c| stack.profile(c).kind() == ProfileKind::Child).collect();
    let child = find_attach(stack, children.into_iter(), path, &[]);
    if let Some(c) = child.chosen {
        return Some(format!("cx -> {}", stack.profile(c).name.base_name()));
    }
    let ns = stack.profile(i).name.namespace.clone();
    let top = stack.attach_top_level(ns.as_deref(), path, &[]);
    match top.chosen {
        Some(j) if j != i => Some("px".into()),
        _ => None,
    }
}

fn deny_rules_of_class(
    db: &dyn Db,
    model: &PolicyModel,
    profile: usize,
    pred: impl Fn(&RuleKind) -> bool,
) -> Vec<String> {
    model.profiles[profile]
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.qualifiers.mode == RuleMode::Deny && pred(&r.kind))
        .filter_map(|(ri, _)| origin_text(db, model, profile, ri))
        .collect()
}

/// The model rules of profile `index` written inside `ranges` of `file`,
/// per range.
fn rules_in(model: &PolicyModel, index: usize, file: File, ranges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); ranges.len()];
    for (ri, r) in model.profiles[index].rules.iter().enumerate() {
        let loc = r.origin.location;
        if loc.file != file || !r.origin.via.is_empty() {
            continue;
        }
        let (s, e) = (usize::from(loc.range.start()), usize::from(loc.range.end()));
        if let Some(k) = ranges.iter().position(|&(a, b)| a <= s && e <= b) {
            out[k].push(ri);
        }
    }
    out
}

fn caps_of(model: &PolicyModel, index: usize, rules: &[usize]) -> u64 {
    let mut bits = 0;
    for &ri in rules {
        if let Some(r) = model.profiles[index].rules.get(ri)
            && let RuleKind::Capability { names } = &*r.kind
            && r.qualifiers.mode == RuleMode::Allow
        {
            for n in names {
                if let Some(c) = capability_number(n) {
                    bits |= 1u64 << c;
                }
            }
        }
    }
    bits
}

/// Whether model rule `cand` of `new` is granted (or denied) by a rule of
/// `old`'s profile as a rule: same class, the access words a superset (or
/// none), the plain words and conditions the same or absent.
fn model_covers(new: &PolicyModel, ni: usize, cand: usize, old: &PolicyModel, oi: usize) -> Coverage {
    let Some(c) = new.profiles[ni].rules.get(cand) else { return Coverage::Missing };
    let RuleKind::Other { class, access, words, conditions } = &*c.kind else {
        return if old.profiles[oi].rules.iter().any(|r| r.kind == c.kind && r.qualifiers.mode == RuleMode::Allow) {
            Coverage::Allowed
        } else {
            Coverage::Missing
        };
    };
    let mut result = Coverage::Missing;
    for r in &old.profiles[oi].rules {
        let RuleKind::Other { class: k, access: a, words: w, conditions: cs } = &*r.kind else { continue };
        if k != class {
            continue;
        }
        let access_ok = a.is_empty() || access.iter().all(|x| a.contains(x));
        let words_ok = w.is_empty() || w == words;
        let conds_ok = cs.iter().all(|oc| conditions.iter().any(|nc| nc == oc));
        if access_ok && words_ok && conds_ok {
            match r.qualifiers.mode {
                RuleMode::Deny => return Coverage::Denied,
                _ => result = Coverage::Allowed,
            }
        }
    }
    result
}

fn find_profile(model: &PolicyModel, name: &str) -> Option<usize> {
    model.profiles.iter().position(|p| p.name == name)
}

fn compile_input(input: &aa_dfa::ProfileInput, opts: &CompileOptions) -> Option<CompiledProfile> {
    compile_profile(input, opts).ok()
}

/// Phase 2: the pending candidates of the profiles of one file checked by
/// compiling them; the rest inserted; the result recompiled and proved.
fn settle(
    db: &mut RootDatabase,
    path: &std::path::Path,
    members: &[usize],
    works: &mut [Work],
    opts: &Options,
) -> Option<FileEdit> {
    let root = works[members[0]].root;
    let FileContent::Text(original) = root.content(db).clone() else { return None };
    let points: Vec<Option<edit::InsertPoint>> = members
        .iter()
        .map(|&m| {
            let w = &works[m];
            let model = policy_model(db, w.root);
            let p = &model.profiles[w.model_index];
            if p.origin.location.file != root {
                return None;
            }
            edit::insert_point(db, root, p.origin.location.range)
        })
        .collect();
    for (k, &m) in members.iter().enumerate() {
        if points[k].is_none() && !works[m].candidates.is_empty() {
            works[m].report.error =
                Some("the profile block was not found in its file (defined in an include?): nothing inserted".into());
        }
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let vpath = path.with_file_name(format!(".{name}.aa-suggest"));
    let old_model = policy_model(db, root).clone();

    // Round 1: every candidate in; the pending ones are checked one by one.
    let edits: Vec<(edit::InsertPoint, Vec<String>)> = members
        .iter()
        .zip(&points)
        .filter_map(|(&m, p)| {
            Some((p.as_ref().copied()?, works[m].candidates.iter().map(|c| c.rule.clone()).collect()))
        })
        .collect();
    if edits.iter().all(|(_, r)| r.is_empty()) {
        return None;
    }
    let any_pending = members.iter().any(|&m| works[m].candidates.iter().any(|c| c.pending));
    if any_pending {
        let (text1, ranges1) = edit::apply(&original, &edits);
        db.set_file_content(&vpath, FileContent::Text(text1), salsa::Durability::LOW);
        let vroot = db.file(&vpath);
        let model1 = policy_model(db, vroot).clone();
        let mut e = 0;
        for (k, &m) in members.iter().enumerate() {
            if points[k].is_none() {
                continue;
            }
            let ranges = &ranges1[e];
            e += 1;
            let w = &mut works[m];
            let Some(ni) = find_profile(&model1, &w.name) else { continue };
            let lowered1 = match compile::lower(db, &model1, ni) {
                Ok(l) => l,
                Err(err) => {
                    if w.report.error.is_none() {
                        w.report.error = Some(format!("with the suggestions the profile does not compile: {err}"));
                    }
                    continue;
                }
            };
            let per_rule = rules_in(&model1, ni, vroot, ranges);
            let mut keep = Vec::new();
            for (ci, c) in std::mem::take(&mut w.candidates).into_iter().enumerate() {
                if !c.pending {
                    keep.push(c);
                    continue;
                }
                let rules = &per_rule[ci];
                let coverage = if rules.iter().any(|r| lowered1.1.contains(r)) || rules.is_empty() {
                    let mut c2 = c.clone();
                    c2.note = Some(
                        "this compiler does not encode the rule: compared with the profile's rules as written".into(),
                    );
                    let cov = rules.iter().fold(Coverage::Allowed, |acc, &r| {
                        let v = model_covers(&model1, ni, r, &old_model, w.model_index);
                        if acc == Coverage::Allowed { v } else { acc }
                    });
                    let cov = if rules.is_empty() { Coverage::Missing } else { cov };
                    if cov == Coverage::Missing {
                        keep.push(Candidate { pending: false, ..c2 });
                        continue;
                    }
                    cov
                } else {
                    let q = compile::only_rules(&lowered1.0, rules, caps_of(&model1, ni, rules));
                    match (compile_input(&q, &opts.compile), w.compiled.as_ref()) {
                        (Some(q), Some(p)) => check::covers(&p.compiled, &q, u32::MAX),
                        _ => Coverage::Missing,
                    }
                };
                match coverage {
                    Coverage::Allowed => w.report.allowed.extend(&c.lines),
                    Coverage::Denied => w.report.denied.push(Denied {
                        lines: c.lines.clone(),
                        access: c.rule.clone(),
                        by: deny_rules_of_class(db, &old_model, w.model_index, |k| {
                            matches!(k, RuleKind::Other { .. } | RuleKind::ChangeProfile { .. })
                        })
                        .into_iter()
                        .filter(|t| {
                            // `file:line: [audit] deny CLASS ...`
                            let text = t.rsplit_once(": ").map_or(t.as_str(), |x| x.1);
                            text.split_whitespace().take(3).any(|w| w == c.class)
                        })
                        .collect(),
                    }),
                    Coverage::Missing => keep.push(Candidate { pending: false, ..c }),
                }
            }
            w.candidates = keep;
        }
    }

    if opts.offer_abstractions {
        for &m in members {
            let rules: Vec<(String, Vec<Access>, Vec<usize>)> =
                works[m].candidates.iter().map(|c| (c.rule.clone(), c.accesses.clone(), c.lines.clone())).collect();
            works[m].report.offers = abstractions::offers(db, path, &original, &rules, opts);
        }
    }

    // Round 2: the rules that are needed, proved.
    let edits: Vec<(edit::InsertPoint, Vec<String>)> = members
        .iter()
        .zip(&points)
        .filter_map(|(&m, p)| {
            Some((p.as_ref().copied()?, works[m].candidates.iter().map(|c| c.rule.clone()).collect()))
        })
        .collect();
    for (k, &m) in members.iter().enumerate() {
        let point = points[k];
        let w = &mut works[m];
        w.report.suggestions = w
            .candidates
            .iter()
            .map(|c| Suggestion {
                rule: c.rule.clone(),
                class: c.class,
                lines: c.lines.clone(),
                note: c.note.clone(),
                insert: point.map(|p| edit::single(&p, &c.rule)),
            })
            .collect();
        w.report.allowed.sort_unstable();
        w.report.allowed.dedup();
    }
    if edits.iter().all(|(_, r)| r.is_empty()) {
        return None;
    }
    let (text2, ranges2) = edit::apply(&original, &edits);
    db.set_file_content(&vpath, FileContent::Text(text2.clone()), salsa::Durability::LOW);
    let vroot = db.file(&vpath);
    let model2 = policy_model(db, vroot).clone();
    let mut e = 0;
    for (k, &m) in members.iter().enumerate() {
        if points[k].is_none() {
            continue;
        }
        let ranges = &ranges2[e];
        e += 1;
        let w = &mut works[m];
        if w.candidates.is_empty() {
            continue;
        }
        w.report.proof = Some(prove(db, &model2, vroot, ranges, w, opts));
    }
    Some(FileEdit { path: path.to_path_buf(), old: original, new: text2 })
}

fn prove(db: &dyn Db, model2: &PolicyModel, vroot: File, ranges: &[(usize, usize)], w: &Work, opts: &Options) -> Proof {
    let mut proof = Proof::default();
    let Some(ni) = find_profile(model2, &w.name) else {
        proof.problems.push("the profile is not found after the edit".into());
        return proof;
    };
    let new = match compile::compile(db, model2, ni, &opts.compile) {
        Ok(c) => c,
        Err(e) => {
            proof.problems.push(format!("the edited profile does not compile: {e}"));
            return proof;
        }
    };
    proof.compiled = true;
    let per_rule = rules_in(model2, ni, vroot, ranges);
    let all_new: Vec<usize> = per_rule.iter().flatten().copied().collect();
    let mut every = true;
    for (ci, c) in w.candidates.iter().enumerate() {
        let rules = &per_rule[ci];
        if rules.is_empty() {
            every = false;
            proof.problems.push(format!("`{}` did not read as a rule", c.rule));
            continue;
        }
        for a in &c.accesses {
            let ok = match a {
                Access::File { path, perms, owner } => {
                    matches!(file_state(Some(&new), path, *owner, perms.bits()), FileState::Allowed)
                }
                Access::Exec { path, owner } => {
                    matches!(file_state(Some(&new), path, *owner, old::EXEC), FileState::Allowed)
                }
                Access::Capability { name } => {
                    capability_number(name).is_some_and(|n| new.compiled.caps_allow & (1u64 << n) != 0)
                }
                _ if rules.iter().any(|r| new.set_aside.contains(r)) => {
                    rules.iter().all(|&r| model_covers(model2, ni, r, model2, ni) == Coverage::Allowed)
                }
                _ => {
                    let q = compile::only_rules(&new.lowered, rules, 0);
                    compile_input(&q, &opts.compile)
                        .is_some_and(|q| check::covers(&new.compiled, &q, u32::MAX) == Coverage::Allowed)
                }
            };
            if !ok {
                every = false;
                proof.problems.push(format!("`{}` does not allow the event of line {:?}", c.rule, c.lines));
            }
        }
        if rules.iter().any(|r| new.set_aside.contains(r)) {
            proof.problems.push(format!("`{}`: checked as a rule (this compiler does not encode it)", c.rule));
        }
    }
    proof.every_event_allowed = every;
    let q = compile::only_rules(&new.lowered, &all_new, caps_of(model2, ni, &all_new));
    match (compile_input(&q, &opts.compile), w.compiled.as_ref()) {
        (Some(added), Some(oldc)) => match check::beyond(&new.compiled, &oldc.compiled, &added) {
            None => proof.nothing_beyond = true,
            Some((where_, ex)) => proof.problems.push(format!(
                "the edited profile allows more than the old one and the added rules: {where_} `{}`",
                String::from_utf8_lossy(&ex).escape_debug()
            )),
        },
        (None, _) => proof.problems.push("the added rules alone do not compile".into()),
        (_, None) => proof.problems.push("the old profile did not compile: nothing to compare with".into()),
    }
    proof
}
