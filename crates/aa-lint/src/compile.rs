//! `aa-lint compile`, `aa-lint query` and `aa-lint diff`: profiles compiled
//! into the automata `apparmor_parser` builds (`aa-compile`), dumped,
//! compared with the real parser, asked what a path may do, or compared
//! with another version.
//!
//! Exit status: 0 when everything compiled (and was equivalent, granted,
//! unchanged), 1 when not, 2 when something could not be run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use aa_compile::compare::{compare_profile, escape};
use aa_compile::{CompiledEntry, Lowered, analysis, compile_model, diagnostics_of, options_for};
use aa_dfa::perms::old;
use aa_dfa::{CompileOptions, CompiledProfile, Dfa, EncodeOptions, Features, Policy, Target, encode_policy};
use aa_hir::db::{Db, File, FileContent, RootDatabase};
use aa_hir::model::{PolicyModel, policy_model};
use aa_hir::variables::Location;
use clap::{Args, ValueEnum};
use rayon::prelude::*;

use crate::Status;
use crate::output::Printer;
use crate::target::Chosen;

const DEFAULT_FEATURES: &str = "/usr/share/apparmor-features/features";

/// Files `compile` puts in one database. One database for Debian's 143
/// files grows by about 9 MB; one per file parses the shared abstractions
/// 143 times (about 10% more CPU); groups of 8 cost 2% CPU and under 1 MB
/// (docs/dfa-performance.md, "Memory").
const FILES_PER_DATABASE: usize = 8;

/// Threads `compile` uses: one unless `RAYON_NUM_THREADS` asks for more.
/// Each thread holds a DFA construction of its own: a second thread makes
/// Debian's batch peak at about 20 MB instead of 13.5 (apparmor_parser:
/// 15 MB) for 30-40% less wall time, and one thread is already about 5
/// times less CPU than the parser (docs/dfa-performance.md, "Memory").
fn compile_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS").ok().and_then(|n| n.parse().ok()).filter(|&n| n > 0).unwrap_or(1)
}

/// Where includes are searched and which kernel features to compile for,
/// as `apparmor_parser -I`, `--base` and `-M`.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// Search DIR for `include <...>` before the base directory (repeatable).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    pub include_dirs: Vec<PathBuf>,
    /// The base directory of the policy (default: /etc/apparmor.d).
    #[arg(short = 'b', long = "base", value_name = "DIR")]
    pub base: Option<PathBuf>,
    /// The kernel features to compile for (default:
    /// /usr/share/apparmor-features/features when present, else none).
    #[arg(short = 'M', long = "features-file", value_name = "FILE")]
    pub features_file: Option<PathBuf>,
    /// Whose apparmor_parser to match: 3.0, 4.1 or 5.0 (default: the
    /// installed apparmor_parser's version, else 4.1).
    #[arg(long, value_name = "VERSION", value_parser = crate::target::parse_target)]
    pub target: Option<aa_target::Version>,
}

impl PolicyArgs {
    /// The target and why it was chosen.
    fn target(&self) -> Chosen {
        crate::target::choose(self.target, None)
    }

    /// Compile options for the chosen target and these features.
    fn options(&self, features: Features) -> CompileOptions {
        options_for(Target::of(self.target().version), features)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// A readable dump of every DFA: states, accept words, transitions.
    Dfa,
    /// The binary policy `apparmor_parser -S` writes (3.0.8's stream), on
    /// standard output; diagnostics go to standard error.
    Binary,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// What to print besides errors (default: a summary per profile).
    #[arg(long, value_enum, value_name = "WHAT")]
    pub emit: Option<Emit>,
    /// Also compile with this apparmor_parser, decode its output and report
    /// per profile whether each DFA and word is equivalent.
    #[arg(long = "compare-with", value_name = "APPARMOR_PARSER")]
    pub compare_with: Option<PathBuf>,
    /// Policy files to compile.
    #[arg(required = true, value_name = "PROFILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Only the profile with this name (default: every profile of the file).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Ask for a task with this label (`firefox//&global`): the
    /// intersection of its layers, PROFILE being the policy file or
    /// directory that defines them.
    #[arg(long, value_name = "LABEL", conflicts_with = "profile")]
    pub label: Option<String>,
    /// Permissions to check (comma-separated letters or words: r, w, a, l, k,
    /// m, x); exit 1 if a profile does not grant them all.
    #[arg(long, value_name = "PERMS", value_delimiter = ',')]
    pub perm: Vec<String>,
    /// The policy file.
    #[arg(value_name = "PROFILE")]
    pub file: PathBuf,
    /// The path to ask about.
    #[arg(value_name = "PATH")]
    pub path: String,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// At most this many changes per profile.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// The old version of the policy file.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The new version.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
}

pub(crate) fn features(args: &PolicyArgs) -> Result<(Features, Option<PathBuf>), String> {
    let path = match &args.features_file {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from(DEFAULT_FEATURES)).filter(|p| p.exists()),
    };
    match &path {
        Some(p) => std::fs::read_to_string(p)
            .map(|t| (Features::parse(&t), path.clone()))
            .map_err(|e| format!("cannot read features file {}: {e}", p.display())),
        None => Ok((Features::parse(""), None)),
    }
}

/// The name standard input (`-`) is compiled under, in the working
/// directory (relative includes resolve there, as the parser's do).
const STDIN_NAME: &str = "<stdin>";

/// Standard input, read once the first time a `-` is compiled.
fn stdin_text() -> &'static Result<String, String> {
    static STDIN: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    STDIN.get_or_init(|| {
        crate::source::read_stdin().and_then(|bytes| {
            String::from_utf8(bytes).map_err(|e| format!("-: not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
        })
    })
}

/// The OS loader, except that `<stdin>` in the working directory is
/// standard input.
struct CompileLoader {
    stdin_path: PathBuf,
}

impl aa_hir::db::FileLoader for CompileLoader {
    fn load(&self, path: &Path) -> FileContent {
        if path == self.stdin_path {
            return match stdin_text() {
                Ok(text) => FileContent::Text(text.clone()),
                Err(e) => FileContent::Unreadable(e.clone()),
            };
        }
        aa_lsp::OsLoader.load(path)
    }
}

/// The path a command-line argument is compiled under (`-` is standard input).
fn input_path(cwd: &Path, arg: &Path) -> PathBuf {
    if arg == Path::new("-") { cwd.join(STDIN_NAME) } else { absolute(cwd, arg) }
}

fn database(args: &PolicyArgs) -> RootDatabase {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let base = args.base.clone().unwrap_or_else(|| PathBuf::from("/etc/apparmor.d"));
    let dirs = args.include_dirs.iter().map(|d| absolute(&cwd, d)).collect();
    let loader = CompileLoader { stdin_path: cwd.join(STDIN_NAME) };
    let mut db = RootDatabase::new(Arc::new(loader), dirs, absolute(&cwd, &base), cwd);
    db.set_target(args.target().version);
    db
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() { p.to_path_buf() } else { cwd.join(p) }
}

/// The policy file as a database input, or why it cannot be read.
fn root(db: &RootDatabase, path: &Path) -> Result<File, String> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let file = db.file(&input_path(&cwd, path));
    match file.content(db) {
        FileContent::Text(_) => Ok(file),
        FileContent::NotFound => Err(format!("{}: no such file", path.display())),
        FileContent::Directory(_) => Err(format!("{}: is a directory", path.display())),
        FileContent::NotUtf8 { offset } => Err(format!("{}: not UTF-8 (byte {offset})", path.display())),
        FileContent::Unreadable(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// `path:line:col` of a location.
pub(crate) fn position(db: &dyn Db, loc: &Location) -> String {
    let full = loc.file.path(db);
    // Relative to the working directory when inside it, as the user wrote it.
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = full.strip_prefix(&cwd).unwrap_or(full).display().to_string();
    match loc.file.content(db) {
        FileContent::Text(t) => {
            let at = usize::from(loc.range.start()).min(t.len());
            let before = &t[..at];
            let line = before.matches('\n').count() + 1;
            let col = at - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("{path}:{line}:{col}")
        }
        _ => path,
    }
}

/// The text of a location, on one line.
pub(crate) fn snippet(db: &dyn Db, loc: &Location) -> String {
    match loc.file.content(db) {
        FileContent::Text(t) => t
            .get(usize::from(loc.range.start())..usize::from(loc.range.end()))
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// Where command output goes: the printer, or a buffer filled on a
/// worker thread.
trait Sink {
    fn out(&mut self, text: &str);
}

impl Sink for Printer {
    fn out(&mut self, text: &str) {
        Printer::out(self, text)
    }
}

impl Sink for Out {
    fn out(&mut self, text: &str) {
        Out::out(self, text)
    }
}

/// Errors `apparmor_parser` would stop at before compiling; printed, and
/// true if any.
fn parse_errors(db: &RootDatabase, file: File, printer: &mut impl Sink) -> bool {
    let mut any = false;
    for (f, d) in aa_hir::diagnostics::policy_diagnostics(db, file) {
        if d.severity == aa_hir::Severity::Error {
            any = true;
            let loc = Location { file: *f, range: d.range };
            printer.out(&format!("{}: error[{}]: {}\n", position(db, &loc), d.code, d.message));
        }
    }
    any
}

fn compile_file(db: &RootDatabase, file: File, opts: &CompileOptions) -> (PolicyModel, Vec<CompiledEntry>) {
    let model = policy_model(db, file).clone();
    let entries = compile_model(db, &model, opts);
    (model, entries)
}

pub fn compile(args: &CompileArgs, printer: &mut Printer) -> Status {
    if args.emit == Some(Emit::Binary) {
        return compile_binary(args, printer);
    }
    let (feats, features_path) = match features(&args.policy) {
        Ok(f) => f,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let chosen = args.policy.target();
    if args.emit.is_none() {
        printer.out(&format!("{chosen}\n"));
    }
    // Nothing reads a DFA's rules after it is built here.
    let opts = CompileOptions { keep_rules: false, ..args.policy.options(feats) };
    let (opts, features_path) = (&opts, features_path.as_deref());
    let mut status = Status::Clean;
    for_each_file(
        &args.files,
        &args.policy,
        |db, path| {
            let mut out = Out::default();
            let status = compile_one(args, db, path, opts, features_path, &mut out);
            (out, status)
        },
        |(out, s)| {
            printer.out(&out.out);
            for e in out.errors {
                printer.error(&e);
            }
            status = status.worst(s);
            true
        },
    );
    status
}

/// Runs `job` on every file on `compile_threads()` threads, in groups of
/// `FILES_PER_DATABASE` that share a database (a shared abstraction is
/// parsed once per group), and hands the results to `emit` in argument
/// order, a wave of groups at a time, until it returns false. What a group
/// read (include trees, models, diagnostics) is freed when it is done and
/// output is written as it comes, so memory does not grow with the number
/// of files.
fn for_each_file<R: Send>(
    files: &[PathBuf],
    policy: &PolicyArgs,
    job: impl Fn(&RootDatabase, &Path) -> R + Sync,
    mut emit: impl FnMut(R) -> bool,
) {
    let group = |paths: &[PathBuf]| {
        let db = database(policy);
        let results = paths.iter().map(|path| job(&db, path)).collect::<Vec<R>>();
        drop(db);
        // The next group parses its files again; what this thread interned
        // for this group's trees would only be kept alive.
        aa_syntax::clear_parse_cache();
        results
    };
    let threads = compile_threads();
    for wave in files.chunks(FILES_PER_DATABASE * threads) {
        let results: Vec<R> =
            if threads == 1 { group(wave) } else { wave.par_chunks(FILES_PER_DATABASE).flat_map_iter(group).collect() };
        for r in results {
            if !emit(r) {
                return;
            }
        }
    }
}

/// Output gathered off the main thread.
#[derive(Default)]
struct Out {
    out: String,
    errors: Vec<String>,
}

impl Out {
    fn out(&mut self, text: &str) {
        self.out.push_str(text);
    }
    fn error(&mut self, text: &str) {
        self.errors.push(text.to_owned());
    }
}

fn compile_one(
    args: &CompileArgs,
    db: &RootDatabase,
    path: &Path,
    opts: &CompileOptions,
    features_path: Option<&Path>,
    printer: &mut Out,
) -> Status {
    let mut status = Status::Clean;
    let file = match root(db, path) {
        Ok(f) => f,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    if parse_errors(db, file, printer) {
        return Status::Findings;
    }
    let (model, entries) = compile_file(db, file, opts);
    for (f, d) in diagnostics_of(&model, &entries) {
        let loc = Location { file: f, range: d.range };
        let sev = if d.severity == aa_hir::Severity::Error { "error" } else { "warning" };
        printer.out(&format!("{}: {sev}[{}]: {}\n", position(db, &loc), d.code, d.message));
        status = status.worst(Status::Findings);
    }
    for e in &entries {
        if let Ok((_, c)) = &e.result {
            match args.emit {
                Some(Emit::Dfa) => printer.out(&dump_profile(c)),
                Some(Emit::Binary) => {}
                None if args.compare_with.is_none() => printer.out(&summary(c)),
                None => {}
            }
        }
    }
    if let Some(parser) = &args.compare_with {
        status = status.worst(compare_with(parser, path, &args.policy, features_path, &entries, printer));
    }
    status
}

fn summary(c: &CompiledProfile) -> String {
    let n = |d: &Option<aa_dfa::profile::CompiledDfa>| {
        d.as_ref().map_or("none".to_owned(), |d| format!("{} states", d.dfa.state_count()))
    };
    format!(
        "profile {}: file DFA {}, xmatch DFA {}, policy DFA {}, capabilities {:#x}\n",
        c.name,
        n(&c.file),
        n(&c.xmatch),
        n(&c.policydb),
        c.caps_allow
    )
}

/// A readable dump of one profile's automata.
pub fn dump_profile(c: &CompiledProfile) -> String {
    let mut out = format!("profile {}\n", c.name);
    if let Some(ns) = &c.namespace {
        out.push_str(&format!("  namespace {ns}\n"));
    }
    out.push_str(&format!(
        "  flags {:?}\n  capabilities allow {:#x} audit {:#x} quiet {:#x}\n",
        c.flags, c.caps_allow, c.caps_audit, c.caps_quiet
    ));
    for r in &c.rlimits {
        out.push_str(&format!("  rlimit {} = {}\n", r.resource, r.value));
    }
    for (i, x) in c.xtable.iter().enumerate() {
        out.push_str(&format!("  transition {} -> {}\n", i + 4, escape(x.as_bytes())));
    }
    for (what, d) in [("xmatch", &c.xmatch), ("file", &c.file), ("policy", &c.policydb)] {
        if let Some(d) = d {
            if what == "xmatch" {
                out.push_str(&format!("  xmatch length {}\n", c.xmatch_len));
            }
            out.push_str(&format!("  {what} DFA, {} states\n", d.dfa.state_count()));
            out.push_str(&dump_dfa(&d.dfa));
        }
    }
    out
}

fn byte(b: u8) -> String {
    escape(&[b])
}

/// States with their accept words and transitions, byte ranges merged;
/// transitions to the dead state are left out.
pub fn dump_dfa(d: &Dfa) -> String {
    let mut out = String::new();
    for s in 1..d.state_count() as u32 {
        let p = d.perms(s);
        out.push_str(&format!("    state {s}: accept {:#x} accept2 {:#x}\n", p.accept1(), p.accept2()));
        let mut b = 0usize;
        while b < 256 {
            let t = d.step(s, b as u8);
            let mut e = b;
            while e + 1 < 256 && d.step(s, (e + 1) as u8) == t {
                e += 1;
            }
            if t != aa_dfa::DEAD_STATE {
                if e == b {
                    out.push_str(&format!("      {} -> {t}\n", byte(b as u8)));
                } else {
                    out.push_str(&format!("      [{}-{}] -> {t}\n", byte(b as u8), byte(e as u8)));
                }
            }
            b = e + 1;
        }
    }
    out
}

fn compare_with(
    parser: &Path,
    path: &Path,
    policy: &PolicyArgs,
    features_path: Option<&Path>,
    entries: &[CompiledEntry],
    printer: &mut Out,
) -> Status {
    let mut cmd = Command::new(parser);
    cmd.arg("--config-file=/dev/null").arg("-QKS");
    if let Some(f) = features_path {
        cmd.arg("-M").arg(f);
    }
    for d in &policy.include_dirs {
        cmd.arg("-I").arg(d);
    }
    if let Some(b) = &policy.base {
        cmd.arg("--base").arg(b);
    }
    // `-`: the parser reads the same standard input text from a pipe.
    let run = if path == Path::new("-") {
        run_with_stdin(&mut cmd, stdin_text().as_ref().map(String::as_bytes).unwrap_or_default())
    } else {
        cmd.arg(path).output()
    };
    let out = match run {
        Ok(o) => o,
        Err(e) => {
            printer.error(&format!("cannot run {}: {e}", parser.display()));
            return Status::Failure;
        }
    };
    if !out.status.success() {
        printer.out(&format!(
            "{}: apparmor_parser rejects the policy:\n{}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
        return Status::Findings;
    }
    let theirs = match Policy::decode(&out.stdout) {
        Ok(p) => p,
        Err(e) => {
            printer.error(&format!("cannot decode apparmor_parser's output: {e}"));
            return Status::Failure;
        }
    };
    let mut status = Status::Clean;
    for e in entries {
        let t = theirs.profiles.iter().find(|p| p.name == e.name);
        match (&e.result, t) {
            (Err(f), _) => {
                printer.out(&format!("profile {}: not compiled: {f}\n", e.name));
                status = status.worst(Status::Findings);
            }
            (Ok(_), None) => {
                printer.out(&format!("profile {}: missing from apparmor_parser's output\n", e.name));
                status = status.worst(Status::Findings);
            }
            (Ok((_, ours)), Some(t)) => {
                let m = compare_profile(ours, t);
                if m.is_empty() {
                    printer.out(&format!("profile {}: equivalent\n", e.name));
                } else {
                    status = status.worst(Status::Findings);
                    printer.out(&format!("profile {}: differs\n", e.name));
                    for x in m {
                        printer.out(&format!("  {}: {}\n", x.part.name(), x.message));
                    }
                }
            }
        }
    }
    for t in &theirs.profiles {
        if !entries.iter().any(|e| e.name == t.name) {
            printer.out(&format!("profile {}: only in apparmor_parser's output\n", t.name));
            status = status.worst(Status::Findings);
        }
    }
    status
}

fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> std::io::Result<std::process::Output> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written on a thread so a parser that writes before reading all its
    // input cannot deadlock against us.
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output()?;
    let _ = writer.join();
    Ok(out)
}

pub(crate) fn wanted_bits(perm: &[String]) -> Result<u32, String> {
    let mut bits = 0;
    for p in perm {
        {
            let word = p.trim();
            let add = match word {
                "r" | "read" => old::READ,
                "w" | "write" => old::WRITE,
                "a" | "append" => old::APPEND,
                "l" | "link" => old::LINK,
                "k" | "lock" => old::LOCK,
                "m" | "mmap" => old::EXEC_MMAP,
                "x" | "exec" => old::EXEC,
                "" => 0,
                w if w.chars().all(|c| "rwalkmx".contains(c)) => {
                    wanted_bits(&w.chars().map(String::from).collect::<Vec<_>>())?
                }
                w => return Err(format!("unknown permission `{w}` (use r, w, a, l, k, m, x)")),
            };
            bits |= add;
        }
    }
    Ok(bits)
}

fn load_compiled(
    policy: &PolicyArgs,
    path: &Path,
    printer: &mut Printer,
) -> Result<(RootDatabase, PolicyModel, Vec<CompiledEntry>), Status> {
    let (feats, _) = features(policy).map_err(|e| {
        printer.error(&e);
        Status::Failure
    })?;
    let db = database(policy);
    let file = root(&db, path).map_err(|e| {
        printer.error(&e);
        Status::Failure
    })?;
    if parse_errors(&db, file, printer) {
        return Err(Status::Findings);
    }
    let (model, entries) = compile_file(&db, file, &policy.options(feats));
    Ok((db, model, entries))
}

pub fn query(args: &QueryArgs, printer: &mut Printer) -> Status {
    if let Some(label) = &args.label {
        let paths = std::slice::from_ref(&args.file);
        return crate::exec::query_label(&args.policy, label, paths, &args.path, &args.perm, printer);
    }
    let want = match wanted_bits(&args.perm) {
        Ok(b) => b,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let (db, model, entries) = match load_compiled(&args.policy, &args.file, printer) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let mut status = Status::Clean;
    let mut shown = 0;
    for e in &entries {
        if args.profile.as_ref().is_some_and(|p| *p != e.name) {
            continue;
        }
        shown += 1;
        let (lowered, c) = match &e.result {
            Ok(x) => x,
            Err(f) => {
                printer.out(&format!("profile {}: not compiled: {f}\n", e.name));
                status = status.worst(Status::Findings);
                continue;
            }
        };
        printer.out(&query_text(&db, &model, lowered, c, args.path.as_bytes()));
        if want != 0 {
            let granted = analysis::effective_permissions(c, lowered, args.path.as_bytes())
                .map_or(0, |p| p.owner.allow & p.other.allow);
            let missing = want & !granted;
            if missing == 0 {
                printer.out(&format!("  granted: {}\n", analysis::perm_letters(want)));
            } else {
                printer.out(&format!("  NOT granted: {}\n", analysis::perm_letters(missing)));
                status = status.worst(Status::Findings);
            }
        }
    }
    if shown == 0 {
        printer.error(&format!("no profile named {:?}", args.profile.clone().unwrap_or_default()));
        return Status::Failure;
    }
    status
}

/// What one profile may do at `path`, and the rules behind it.
pub fn query_text(db: &dyn Db, model: &PolicyModel, lowered: &Lowered, c: &CompiledProfile, path: &[u8]) -> String {
    let mut out = format!("profile {}:\n", c.name);
    let Some(p) = analysis::effective_permissions(c, lowered, path) else {
        out.push_str("  no file rules: nothing allowed\n");
        return out;
    };
    let show = |h: &aa_dfa::query::HalfPerms| {
        let mut s = analysis::perm_letters(h.allow);
        if s.is_empty() {
            s.push('-');
        }
        if h.deny & old::HALF_MASK != 0 {
            s.push_str(&format!(" (denied {})", analysis::perm_letters(h.deny)));
        }
        if h.audit != 0 {
            s.push_str(&format!(" (audited {})", analysis::perm_letters(h.audit)));
        }
        s
    };
    out.push_str(&format!("  owner: {}\n  other: {}\n", show(&p.owner), show(&p.other)));
    let prof = model.profiles.get(lowered.profile);
    for con in &p.contributions {
        let half = |w: u32| analysis::perm_letters(w & old::HALF_MASK);
        let owner_only = con.perms >> old::OTHER_SHIFT & old::HALF_MASK == 0;
        let what = format!(
            "{}{}{}",
            if con.deny { "deny " } else { "" },
            if owner_only { "owner " } else { "" },
            half(con.perms)
        );
        match con.rule.and_then(|r| prof.and_then(|p| p.rules.get(r))) {
            Some(rule) => {
                out.push_str(&format!(
                    "  {}: {what}: {}\n",
                    position(db, &rule.origin.location),
                    snippet(db, &rule.origin.location)
                ));
                for via in &rule.origin.via {
                    out.push_str(&format!("    included from {}\n", position(db, via)));
                }
            }
            None => out.push_str(&format!("  (implicit rule): {what}\n")),
        }
    }
    out
}

pub fn diff(args: &DiffArgs, printer: &mut Printer) -> Status {
    let (_, _, old_entries) = match load_compiled(&args.policy, &args.old, printer) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let (_, _, new_entries) = match load_compiled(&args.policy, &args.new, printer) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let mut status = Status::Clean;
    let ok = |e: &CompiledEntry| e.result.as_ref().ok().map(|(_, c)| c.clone());
    for o in &old_entries {
        let Some(n) = new_entries.iter().find(|n| n.name == o.name) else {
            printer.out(&format!("profile {}: removed\n", o.name));
            status = status.worst(Status::Findings);
            continue;
        };
        let (Some(a), Some(b)) = (ok(o), ok(n)) else {
            printer.out(&format!("profile {}: does not compile in one version\n", o.name));
            status = status.worst(Status::Findings);
            continue;
        };
        let changes = diff_profiles(&a, &b, args.limit);
        if changes.is_empty() {
            continue;
        }
        status = status.worst(Status::Findings);
        printer.out(&format!("profile {}:\n", o.name));
        for c in changes {
            printer.out(&format!("  {c}\n"));
        }
    }
    for n in &new_entries {
        if !old_entries.iter().any(|o| o.name == n.name) {
            printer.out(&format!("profile {}: added\n", n.name));
            status = status.worst(Status::Findings);
        }
    }
    status
}

/// Permission changes between two compiled versions of a profile, each
/// with a shortest example input.
pub fn diff_profiles(a: &CompiledProfile, b: &CompiledProfile, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let empty = Dfa::empty();
    let pick =
        |d: &Option<aa_dfa::profile::CompiledDfa>| d.as_ref().map(|d| d.dfa.clone()).unwrap_or_else(|| empty.clone());
    let (fa, fb) = (pick(&a.file), pick(&b.file));
    for ch in aa_dfa::query::diff(&fa, &fb, limit) {
        let side = |w: u32, shift: u32| analysis::perm_letters((w >> shift) & old::HALF_MASK);
        let show = |w: (u32, u32)| {
            let (o, t) = (side(w.0, 0), side(w.0, old::OTHER_SHIFT));
            let dash = |s: String| if s.is_empty() { "-".to_owned() } else { s };
            if o == t { dash(o) } else { format!("owner {} other {}", dash(o), dash(t)) }
        };
        let what = if ch.example.contains(&0) { "link pair" } else { "path" };
        let mut line = format!("{what} \"{}\": {} → {}", escape(&ch.example), show(ch.left), show(ch.right));
        if ch.left.0 == ch.right.0 {
            line.push_str(&format!(" (audit/quiet {:#x} → {:#x})", ch.left.1, ch.right.1));
        }
        out.push(line);
    }
    let (pa, pb) = (pick(&a.policydb), pick(&b.policydb));
    for ch in aa_dfa::query::diff(&pa, &pb, limit) {
        out.push(format!(
            "policy \"{}\": {:#x}/{:#x} → {:#x}/{:#x}",
            escape(&ch.example),
            ch.left.0,
            ch.left.1,
            ch.right.0,
            ch.right.1
        ));
    }
    if a.caps_allow != b.caps_allow {
        out.push(format!("capabilities {:#x} → {:#x}", a.caps_allow, b.caps_allow));
    }
    if a.xmatch_len != b.xmatch_len || a.xmatch.is_some() != b.xmatch.is_some() {
        out.push("attachment changed".to_owned());
    } else if let (Some(x), Some(y)) = (&a.xmatch, &b.xmatch)
        && let Some(d) = aa_dfa::find_difference(&x.dfa, &y.dfa)
    {
        out.push(format!("attachment now differs at \"{}\"", escape(&d.input)));
    }
    out
}

/// `--emit binary`: every file's policy as `apparmor_parser -S` writes it,
/// in argument order, on standard output (never a terminal). A file with
/// errors, or with a profile that did not compile, contributes nothing,
/// as the parser would write nothing; its diagnostics go to standard
/// error.
fn compile_binary(args: &CompileArgs, printer: &mut Printer) -> Status {
    use std::io::{IsTerminal, Write};
    if args.compare_with.is_some() {
        printer.error("--compare-with cannot be combined with --emit binary");
        return Status::Failure;
    }
    if std::io::stdout().is_terminal() {
        printer.error(
            "refusing to write a binary policy to a terminal; redirect standard output \
             (aa-lint compile --emit binary PROFILE > FILE)",
        );
        return Status::Failure;
    }
    let (feats, _) = match features(&args.policy) {
        Ok(f) => f,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    // The encoder needs the automata, not the rules they were built from.
    let opts = CompileOptions { keep_rules: false, ..args.policy.options(feats.clone()) };
    let enc = EncodeOptions { target: opts.target, features: feats };
    let mut status = Status::Clean;
    let mut stdout = std::io::stdout().lock();
    let mut written = true;
    for_each_file(
        &args.files,
        &args.policy,
        |db, path| {
            let mut log = Out::default();
            let (bytes, status) = binary_one(db, path, &opts, &enc, &mut log);
            (bytes, log, status)
        },
        |(bytes, log, s)| {
            let _ = std::io::stderr().lock().write_all(log.out.as_bytes());
            for e in log.errors {
                printer.error(&e);
            }
            if let Err(e) = stdout.write_all(&bytes) {
                printer.error(&format!("cannot write standard output: {e}"));
                written = false;
                return false;
            }
            status = status.worst(s);
            true
        },
    );
    if !written {
        return Status::Failure;
    }
    if let Err(e) = stdout.flush() {
        printer.error(&format!("cannot write standard output: {e}"));
        return Status::Failure;
    }
    status
}

/// One file's binary policy, or nothing; diagnostics go to `log.out`.
fn binary_one(
    db: &RootDatabase,
    path: &Path,
    opts: &CompileOptions,
    enc: &EncodeOptions,
    log: &mut Out,
) -> (Vec<u8>, Status) {
    let file = match root(db, path) {
        Ok(f) => f,
        Err(e) => {
            log.error(&e);
            return (Vec::new(), Status::Failure);
        }
    };
    if parse_errors(db, file, log) {
        return (Vec::new(), Status::Findings);
    }
    let (model, entries) = compile_file(db, file, opts);
    let mut status = Status::Clean;
    for (f, d) in diagnostics_of(&model, &entries) {
        let loc = Location { file: f, range: d.range };
        let sev = if d.severity == aa_hir::Severity::Error { "error" } else { "warning" };
        log.out(&format!("{}: {sev}[{}]: {}\n", position(db, &loc), d.code, d.message));
        status = status.worst(Status::Findings);
    }
    let mut compiled = Vec::new();
    for e in &entries {
        match &e.result {
            Ok((_, c)) => compiled.push(c),
            Err(f) => {
                log.error(&format!("{}: profile {}: not compiled, no binary written: {f}", path.display(), e.name));
                return (Vec::new(), Status::Findings);
            }
        }
    }
    (encode_policy(compiled, enc), status)
}
