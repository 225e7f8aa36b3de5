//! `aa-lint exec`, `aa-lint change-profile` and `aa-lint query --label`:
//! stacks and transitions over a whole policy (`aa_compile::stack`).
//!
//! Exit status: 0 when the exec, change or access is allowed, 1 when it is
//! denied, 2 when something could not be run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aa_compile::options;
use aa_compile::stack::exec::{Change, Decision, LayerStep, Outcome, Program, change_profile, exec};
use aa_compile::stack::perms::{ALL, label_permissions};
use aa_compile::stack::{AttachOutcome, StackPolicy};
use aa_hir::db::{Db, File, FileContent, RootDatabase};
use aa_label::{Label, Target};
use clap::Args;

use crate::Status;
use crate::compile::{PolicyArgs, features, position, snippet, wanted_bits};
use crate::output::Printer;

#[derive(Debug, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// An extended attribute of the program (`security.tagged=allowed`),
    /// for profiles that attach by `xattrs=` (repeatable).
    #[arg(long = "xattr", value_name = "NAME=VALUE")]
    pub xattrs: Vec<String>,
    /// Simulate `aa_change_onexec(TARGET)` (or `&TARGET`: `aa_stack_onexec`)
    /// before the exec.
    #[arg(long, value_name = "TARGET")]
    pub onexec: Option<String>,
    /// The task's label (`firefox//&global`, `unconfined`).
    #[arg(value_name = "LABEL")]
    pub label: String,
    /// The program it executes.
    #[arg(value_name = "PROGRAM")]
    pub program: String,
    /// Policy files or directories (directories: every file in them, as
    /// `apparmor_parser` loads a directory).
    #[arg(required = true, value_name = "POLICY")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ChangeProfileArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The task's label.
    #[arg(value_name = "LABEL")]
    pub label: String,
    /// The target (`name`, `&name` to stack, `:ns:name`).
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// Policy files or directories.
    #[arg(required = true, value_name = "POLICY")]
    pub paths: Vec<PathBuf>,
}

/// The policy files of the arguments: files as given, directories as
/// their files (not recursive; names `apparmor_parser` skips are skipped).
fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter(|e| !crate::discover::is_skipped_name(&e.file_name().to_string_lossy()))
                .map(|e| e.path())
                .collect();
            entries.sort();
            out.extend(entries);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: no such file", p.display()));
        }
    }
    Ok(out)
}

/// The database of a policy: the base directory is `--base`, else the one
/// directory given, else /etc/apparmor.d.
pub fn policy_database(args: &PolicyArgs, paths: &[PathBuf]) -> RootDatabase {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let abs = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { cwd.join(p) };
    let base = args
        .base
        .clone()
        .or_else(|| paths.iter().find(|p| p.is_dir()).cloned())
        .unwrap_or_else(|| PathBuf::from("/etc/apparmor.d"));
    let dirs = args.include_dirs.iter().map(|d| abs(d)).collect();
    RootDatabase::new(Arc::new(aa_lsp::OsLoader), dirs, abs(&base), cwd.clone())
}

/// The roots of the policy, read.
pub fn policy_roots(db: &RootDatabase, paths: &[PathBuf]) -> Result<Vec<File>, String> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut roots = Vec::new();
    for p in policy_files(paths)? {
        let file = db.file(&if p.is_absolute() { p.clone() } else { cwd.join(&p) });
        if let FileContent::Text(_) = file.content(db) {
            roots.push(file);
        }
    }
    Ok(roots)
}

fn parse_xattrs(args: &[String]) -> Result<Vec<(String, String)>, String> {
    args.iter()
        .map(|a| {
            a.split_once('=')
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .ok_or_else(|| format!("--xattr `{a}`: expected NAME=VALUE"))
        })
        .collect()
}

fn setup<'db>(
    db: &'db RootDatabase,
    policy: &PolicyArgs,
    paths: &[PathBuf],
    label: &str,
) -> Result<(StackPolicy<'db>, Label), String> {
    let (feats, _) = features(policy)?;
    let roots = policy_roots(db, paths)?;
    let stack = StackPolicy::new(db, &roots, options(feats));
    let label = Label::parse(label).map_err(|e| format!("label `{label}`: {e}"))?;
    let undefined = stack.undefined(&label);
    if !undefined.is_empty() {
        let names: Vec<String> = undefined.iter().map(ToString::to_string).collect();
        return Err(format!("the policy does not define {}", names.join(", ")));
    }
    Ok((stack, label))
}

pub fn exec_command(args: &ExecArgs, printer: &mut Printer) -> Status {
    let db = policy_database(&args.policy, &args.paths);
    let result =
        parse_xattrs(&args.xattrs).and_then(|x| setup(&db, &args.policy, &args.paths, &args.label).map(|s| (s, x)));
    let ((policy, label), xattrs) = match result {
        Ok(x) => x,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let program = Program { path: &args.program, xattrs: &xattrs };
    let outcome = match &args.onexec {
        Some(t) => match Target::parse(t) {
            Ok(target) => change_profile(&policy, &label, &target, Change::OnExec, Some(&args.program)),
            Err(e) => {
                printer.error(&format!("target `{t}`: {e}"));
                return Status::Failure;
            }
        },
        None => exec(&policy, &label, &program),
    };
    let what = match &args.onexec {
        Some(t) => format!("{label} executes {} after change_onexec {t}", args.program),
        None => format!("{label} executes {}", args.program),
    };
    printer.out(&render_outcome(&policy, &what, &outcome));
    if outcome.result.is_ok() { Status::Clean } else { Status::Findings }
}

pub fn change_profile_command(args: &ChangeProfileArgs, printer: &mut Printer) -> Status {
    let db = policy_database(&args.policy, &args.paths);
    let (policy, label) = match setup(&db, &args.policy, &args.paths, &args.label) {
        Ok(x) => x,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let target = match Target::parse(&args.target) {
        Ok(t) => t,
        Err(e) => {
            printer.error(&format!("target `{}`: {e}", args.target));
            return Status::Failure;
        }
    };
    let outcome = change_profile(&policy, &label, &target, Change::Now, None);
    printer.out(&render_outcome(&policy, &format!("{label} changes profile to {target}"), &outcome));
    if outcome.result.is_ok() { Status::Clean } else { Status::Findings }
}

fn rule_line(policy: &StackPolicy<'_>, profile: usize, rule: usize) -> String {
    let db = policy.db();
    match policy.profile(profile).rule(rule) {
        Some(r) => {
            let mut s = format!("{}: {}", position(db, &r.origin.location), snippet(db, &r.origin.location));
            for via in &r.origin.via {
                s.push_str(&format!(" (included from {})", position(db, via)));
            }
            s
        }
        None => "(implicit rule)".to_owned(),
    }
}

fn render_attach(policy: &StackPolicy<'_>, a: &AttachOutcome, out: &mut String) {
    if a.candidates.is_empty() {
        out.push_str("    attaches: no profile attaches\n");
        return;
    }
    for c in &a.candidates {
        let p = policy.profile(c.profile);
        let pattern = p.attachment.as_ref().map_or("", |x| x.pattern.as_str());
        let xattrs = match c.xattrs {
            None => " xattrs do not match".to_owned(),
            Some(0) => String::new(),
            Some(n) => format!(" {n} xattrs match"),
        };
        let mark = if a.chosen == Some(c.profile) { "attaches" } else { "candidate" };
        out.push_str(&format!("    {mark}: {} ({pattern}, match length {}{xattrs})\n", p.name, c.len));
    }
    if a.conflict {
        out.push_str("    conflict: the best candidates tie, none attaches\n");
    }
}

fn render_step(policy: &StackPolicy<'_>, s: &LayerStep, out: &mut String) {
    let mode = s.profile.map(|i| policy.profile(i).mode.name()).unwrap_or("unconfined");
    out.push_str(&format!("  layer {} ({mode}):\n", s.layer));
    match &s.decision {
        Decision::Unconfined => out.push_str("    unconfined: the attaching profile decides\n"),
        Decision::AllowsAll => out.push_str("    flags=(unconfined): allows everything\n"),
        Decision::Rule(r) => {
            let target = r.target.as_ref().map(|t| format!(" -> {t}")).unwrap_or_default();
            out.push_str(&format!("    rule: {}{target}\n", r.mode));
            for &rule in &r.rules {
                out.push_str(&format!("      {}\n", rule_line(policy, s.profile.unwrap_or(0), rule)));
            }
        }
        Decision::Denied(rules) => {
            out.push_str("    denied by:\n");
            for &rule in rules {
                out.push_str(&format!("      {}\n", rule_line(policy, s.profile.unwrap_or(0), rule)));
            }
        }
        Decision::NoRule => out.push_str("    no rule allows it\n"),
        Decision::NotCompiled(e) => out.push_str(&format!("    not compiled: {e}\n")),
    }
    if let Some(a) = &s.attach {
        render_attach(policy, a, out);
    }
    if let Some(n) = &s.note
        && s.result.is_ok()
    {
        out.push_str(&format!("    note: {n}\n"));
    }
    match &s.result {
        Ok(l) => out.push_str(&format!("    becomes: {l}\n")),
        Err(e) => out.push_str(&format!("    denied: {e}\n")),
    }
}

/// The outcome of an exec or change as text: one block per layer, then the
/// result.
pub fn render_outcome(policy: &StackPolicy<'_>, what: &str, outcome: &Outcome) -> String {
    let mut out = format!("{what}\n");
    for s in &outcome.steps {
        render_step(policy, s, &mut out);
    }
    match &outcome.result {
        Ok(l) => {
            out.push_str(&format!("result: {l}\n"));
            let canonical = l.canonical_text();
            if canonical != l.to_string() {
                out.push_str(&format!("  as the kernel prints it: {canonical}\n"));
            }
            let view = l.view();
            if view.to_string() != l.to_string() {
                out.push_str(&format!("  as the task sees it: {view}\n"));
            }
        }
        Err(e) => out.push_str(&format!("result: denied ({e})\n")),
    }
    out
}

/// `aa-lint query --label LABEL POLICY PATH [--perm ...]`.
pub fn query_label(
    policy_args: &PolicyArgs,
    label: &str,
    paths: &[PathBuf],
    path: &str,
    perm: &[String],
    printer: &mut Printer,
) -> Status {
    let want = match wanted_bits(perm) {
        Ok(b) => b,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let db = policy_database(policy_args, paths);
    let (policy, label) = match setup(&db, policy_args, paths, label) {
        Ok(x) => x,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let answer = label_permissions(&policy, &label, path);
    let letters = |bits: u32| {
        let s = aa_compile::analysis::perm_letters(bits & !aa_dfa::perms::old::EXEC);
        let s = if bits & aa_dfa::perms::old::EXEC != 0 { format!("{s}x") } else { s };
        if s.is_empty() { "-".to_owned() } else { s }
    };
    let mut out = format!("label {label} at {path}:\n");
    for l in &answer.layers {
        let mode = l.mode.map_or("unconfined", |m| m.name());
        out.push_str(&format!("  layer {} ({mode}): ", l.layer));
        match (&l.error, &l.owner, &l.other) {
            (Some(e), _, _) => out.push_str(&format!("{e}: nothing allowed\n")),
            (None, None, _) if l.profile.is_none() => out.push_str("unconfined: everything\n"),
            (None, None, _) => out.push_str(&format!("{mode} mode: everything (denials logged)\n")),
            (None, Some(o), Some(t)) => {
                out.push_str(&format!("owner {}, other {}", letters(o.allow & ALL), letters(t.allow & ALL)));
                let denied = (o.deny | t.deny) & ALL;
                if denied != 0 {
                    out.push_str(&format!(" (denied {})", letters(denied)));
                }
                out.push('\n');
            }
            _ => out.push('\n'),
        }
        if let Some(i) = l.profile {
            for c in &l.contributions {
                let what = format!("{}{}", if c.deny { "deny " } else { "" }, letters(c.perms & ALL));
                let line = c.rule.map_or_else(|| "(implicit rule)".to_owned(), |r| rule_line(&policy, i, r));
                out.push_str(&format!("    {what}: {line}\n"));
            }
        }
    }
    out.push_str(&format!("  effective: owner {}, other {}\n", letters(answer.owner), letters(answer.other)));
    let mut status = Status::Clean;
    if want != 0 {
        for bit in (0..32).map(|b| 1u32 << b).filter(|b| want & b != 0) {
            let who: Vec<String> = answer.withholding(bit).map(|l| l.layer.to_string()).collect();
            if answer.grants(bit) {
                out.push_str(&format!("  {}: allowed\n", letters(bit)));
            } else {
                out.push_str(&format!("  {}: denied (by {})\n", letters(bit), who.join(", ")));
                status = Status::Findings;
            }
        }
    }
    printer.out(&out);
    status
}
