//! `aa-lint check`: runs `aa-lints` over every input and turns its findings
//! into plain [`Finding`]s (paths, byte ranges and line/column) that the
//! output formats and `--fix` share.
//!
//! Inputs that share include search paths share one `aa-hir` database: each
//! input is a root file, the files they include are read and parsed once,
//! and roots are linted in parallel on clones of the database. Abstractions,
//! tunables, `local/` files and `NAME.d` files are linted as fragments (their
//! rules may stand outside a profile).

use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::{
    db::{Db, File, FileContent, RootDatabase},
    fallbacks::{Fallbacks, fallbacks},
};
use aa_lints::{Applicability, LintDiagnostic, LintSelection, Severity};
use aa_syntax::TextRange;
use rayon::prelude::*;

use crate::{
    commands::process,
    source::{Input, LineIndex},
};

pub use aa_config::SearchPaths;

/// How one input is checked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub selection: LintSelection,
    pub search: SearchPaths,
    /// Whose apparmor_parser the checks match.
    pub target: aa_target::Version,
    /// The build `#aa:only` / `#aa:exclude` directives are read for.
    pub target_distribution: Option<String>,
}

/// A place in a file: byte range and 1-based line/column (columns count
/// characters) of both ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The path as shown (as given on the command line, or as the include
    /// was resolved); `<stdin>` for standard input.
    pub path: String,
    pub range: TextRange,
    pub start: (usize, usize),
    pub end: (usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub location: Location,
    pub new_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixInfo {
    pub safe: bool,
    pub description: String,
    pub edits: Vec<Edit>,
}

/// One finding, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub location: Location,
    pub code: &'static str,
    pub name: &'static str,
    pub group: &'static str,
    pub severity: Severity,
    pub message: String,
    pub related: Vec<Related>,
    pub fix: Option<FixInfo>,
}

/// The result of checking one input.
#[derive(Debug)]
pub struct Outcome {
    pub name: String,
    pub result: Result<Vec<Finding>, String>,
}

/// What a run found, in input order, with the texts of every file a finding
/// points into (for snippets).
#[derive(Debug, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    pub texts: HashMap<String, Arc<str>>,
    /// What of the standard policy came from aa-lint rather than the
    /// machine, over every input: said once per run.
    pub fallbacks: Fallbacks,
}

struct Root {
    index: usize,
    name: String,
    file: File,
    fragment: bool,
    selection: LintSelection,
}

struct Session {
    db: RootDatabase,
    roots: Vec<Root>,
}

/// Roots linted between two evictions (see [`aa_hir::ROOT_MEMO_CAPACITY`]).
const ROOTS_PER_BATCH: usize = 64;

/// Every input loaded into databases, ready to lint (and re-lint after
/// `--fix` changes texts).
pub struct Checker {
    sessions: Vec<Session>,
    failures: Vec<(usize, String, String)>,
    count: usize,
}

impl Checker {
    /// Reads every input (in parallel). `plans[i]` is how input `i` is checked.
    /// The files found under `policy_dirs` (directories given whole) are
    /// each session's known policy, for the lints that ask of the rest of
    /// the policy ([`aa_hir::db::Settings::policy_files`]).
    pub fn new(inputs: &[Result<Input, String>], plans: &[Plan], policy_dirs: &[PathBuf]) -> Checker {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let sources = process(inputs, |source| source);
        let mut sessions: Vec<Session> = Vec::new();
        let mut failures = Vec::new();
        for (index, ((input, source), plan)) in inputs.iter().zip(sources).zip(plans).enumerate() {
            let name = match input {
                Ok(input) => input.display_name(),
                Err(_) => String::new(),
            };
            let source = match source {
                Ok(source) => source,
                Err(message) => {
                    failures.push((index, name, message));
                    continue;
                }
            };
            let path = match input {
                Ok(Input::File(path)) => path.clone(),
                _ => PathBuf::from("<stdin>"),
            };
            let session = match sessions.iter().position(|s| {
                settings_of(&s.db) == plan.search
                    && *s.db.settings().target(&s.db) == plan.target
                    && *s.db.settings().target_distribution(&s.db) == plan.target_distribution
            }) {
                Some(at) => &mut sessions[at],
                None => {
                    let mut db = RootDatabase::new(
                        Arc::new(aa_lsp::OsLoader),
                        plan.search.include_dirs.clone(),
                        plan.search.base.clone(),
                        cwd.clone(),
                    );
                    db.set_target(plan.target);
                    db.set_target_distribution(plan.target_distribution.clone());
                    sessions.push(Session { db, roots: Vec::new() });
                    let last = sessions.len() - 1;
                    &mut sessions[last]
                }
            };
            // The text is read already: hand it over rather than read it twice.
            session.db.set_file_content(&path, FileContent::Text(source.text), salsa::Durability::MEDIUM);
            let file = session.db.file(&path);
            session.roots.push(Root {
                index,
                fragment: is_fragment(&path),
                name: source.name,
                file,
                selection: plan.selection.clone(),
            });
        }
        for session in &mut sessions {
            let mut files: Vec<File> = session
                .roots
                .iter()
                .map(|r| r.file)
                .filter(|f| policy_dirs.iter().any(|d| f.path(&session.db).starts_with(d)))
                .collect();
            if !files.is_empty() {
                // What the system loads beside them: the profiles at the top
                // of the base directory, so that a target installed there is
                // not taken for a missing one.
                files.extend(installed_profiles(&session.db).into_iter().map(|p| session.db.file(&p)));
            }
            session.db.set_policy_files(files);
        }
        Checker { sessions, failures, count: inputs.len() }
    }

    /// Replaces the text of a file (after fixes), wherever it is read.
    pub fn set_text(&mut self, path: &Path, text: String) {
        for session in &mut self.sessions {
            session.db.set_file_content(path, FileContent::Text(text.clone()), salsa::Durability::LOW);
        }
    }

    /// The current text of a checked input or of a file it includes.
    pub fn text(&self, path: &Path) -> Option<String> {
        self.sessions.iter().find_map(|session| match session.db.file(path).content(&session.db) {
            FileContent::Text(text) => Some(text.clone()),
            _ => None,
        })
    }

    /// Lints every input. A finding in a file several inputs include is
    /// reported once, under the first of them.
    pub fn run(&mut self) -> Report {
        let mut per_input: Vec<Option<Outcome>> = (0..self.count).map(|_| None).collect();
        for (index, name, message) in &self.failures {
            per_input[*index] = Some(Outcome { name: name.clone(), result: Err(message.clone()) });
        }
        let mut found: Vec<(usize, &Session, &Root, Vec<LintDiagnostic>)> = Vec::new();
        let mut per_session: Vec<Vec<Vec<LintDiagnostic>>> = Vec::new();
        let mut report_fallbacks = Fallbacks::default();
        for session in &mut self.sessions {
            // In batches, with what salsa keeps per root evicted between
            // them: memory stays that of a batch and the shared files, not
            // of the whole collection.
            let mut results: Vec<Vec<LintDiagnostic>> = Vec::with_capacity(session.roots.len());
            for batch in session.roots.chunks(ROOTS_PER_BATCH) {
                let linted = batch
                    .par_iter()
                    .map_with(session.db.clone(), |db, root| (lint_root(db, root), fallbacks(db, root.file).clone()))
                    .collect::<Vec<_>>();
                for (diagnostics, used) in linted {
                    results.push(diagnostics);
                    report_fallbacks.merge(&used);
                }
                salsa::Database::trigger_lru_eviction(&mut session.db);
            }
            per_session.push(results);
        }
        for (session, results) in self.sessions.iter().zip(per_session) {
            for (root, diagnostics) in session.roots.iter().zip(results) {
                found.push((root.index, session, root, diagnostics));
            }
        }
        found.sort_by_key(|(index, ..)| *index);

        let mut report = Report { fallbacks: report_fallbacks, ..Report::default() };
        let mut shown: HashSet<(PathBuf, u32, u32, &'static str, String)> = HashSet::new();
        for (index, session, root, diagnostics) in found {
            let mut converter = Converter { db: &session.db, root, indexes: HashMap::new(), texts: &mut report.texts };
            let mut findings = Vec::new();
            for d in diagnostics {
                let key = (
                    d.file.path(&session.db).clone(),
                    u32::from(d.range.start()),
                    u32::from(d.range.end()),
                    d.code,
                    d.message.clone(),
                );
                if shown.insert(key) {
                    findings.push(converter.finding(&d));
                }
            }
            per_input[index] = Some(Outcome { name: root.name.clone(), result: Ok(findings) });
        }
        report.outcomes = per_input.into_iter().flatten().collect();
        report
    }
}

/// The files at the top of the base directory (as `apparmor_parser` loads
/// a directory), sorted.
fn installed_profiles(db: &RootDatabase) -> Vec<PathBuf> {
    let base = db.settings().base_dir(db);
    let Ok(entries) = std::fs::read_dir(base) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| !crate::discover::is_skipped_name(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    paths.sort();
    paths
}

fn settings_of(db: &RootDatabase) -> SearchPaths {
    let settings = db.settings();
    SearchPaths { include_dirs: settings.include_dirs(db).clone(), base: settings.base_dir(db).clone() }
}

/// The findings of one root: a policy file, or a fragment that profiles
/// include.
fn lint_root(db: &RootDatabase, root: &Root) -> Vec<LintDiagnostic> {
    if root.fragment {
        aa_lints::run_fragment(db, root.file, &root.selection)
    } else {
        aa_lints::run(db, root.file, &root.selection)
    }
}

struct Converter<'a> {
    db: &'a RootDatabase,
    root: &'a Root,
    indexes: HashMap<File, (String, Arc<str>, Vec<usize>)>,
    texts: &'a mut HashMap<String, Arc<str>>,
}

impl Converter<'_> {
    fn location(&mut self, file: File, range: TextRange) -> Location {
        let (db, root) = (self.db, self.root);
        let (name, text, starts) = self.indexes.entry(file).or_insert_with(|| {
            let name = if file == root.file { root.name.clone() } else { file.path(db).display().to_string() };
            let text: Arc<str> = match file.content(db) {
                FileContent::Text(text) => Arc::from(text.as_str()),
                _ => Arc::from(""),
            };
            let starts = crate::source::line_starts(&text);
            (name, text, starts)
        });
        self.texts.entry(name.clone()).or_insert_with(|| text.clone());
        let index = LineIndex::with_starts(text, starts);
        Location {
            path: name.clone(),
            range,
            start: index.line_col(usize::from(range.start())),
            end: index.line_col(usize::from(range.end())),
        }
    }

    fn finding(&mut self, d: &LintDiagnostic) -> Finding {
        let location = self.location(d.file, d.range);
        let related = d
            .related
            .iter()
            .map(|r| Related { location: self.location(r.file, r.range), message: r.message.clone() })
            .collect();
        let fix = d.fix.as_ref().map(|fix| FixInfo {
            safe: fix.applicability == Applicability::Safe,
            description: fix.description.clone(),
            edits: fix
                .edits
                .iter()
                .map(|e| Edit { location: self.location(e.file, e.range), new_text: e.new_text.clone() })
                .collect(),
        });
        Finding {
            location,
            code: d.code,
            name: d.name,
            group: d.group.name(),
            severity: d.severity,
            message: d.message.clone(),
            related,
            fix,
        }
    }
}

/// `--select syntax` alone: syntax errors file by file, without reading
/// includes.
pub fn syntax_only(inputs: &[Result<Input, String>]) -> Report {
    let results = process(inputs, |source| {
        let parse = aa_syntax::parse(&source.text);
        let index = LineIndex::new(&source.text);
        let findings: Vec<Finding> = parse
            .errors()
            .iter()
            .map(|error| Finding {
                location: Location {
                    path: source.name.clone(),
                    range: error.range,
                    start: index.line_col(usize::from(error.range.start())),
                    end: index.line_col(usize::from(error.range.end())),
                },
                code: "AA001",
                name: "syntax-error",
                group: "parser",
                severity: Severity::Error,
                message: error.message.clone(),
                related: Vec::new(),
                fix: None,
            })
            .collect();
        (source.name, Arc::<str>::from(source.text.as_str()), findings)
    });
    let mut report = Report::default();
    for (input, result) in inputs.iter().zip(results) {
        match result {
            Ok((name, text, mut findings)) => {
                findings.sort_by_key(|f| (f.location.range.start(), f.location.range.end()));
                if !findings.is_empty() {
                    report.texts.insert(name.clone(), text);
                }
                report.outcomes.push(Outcome { name, result: Ok(findings) });
            }
            Err(message) => report.outcomes.push(Outcome {
                name: input.as_ref().map(Input::display_name).unwrap_or_default(),
                result: Err(message),
            }),
        }
    }
    report
}

/// Abstractions, tunables, `local/` overrides and the files of `NAME.d`
/// directories (such as `apache2.d/`) are fragments included by profiles, not
/// policy loaded on its own.
pub fn is_fragment(path: &Path) -> bool {
    let Some(dir) = path.parent() else { return false };
    dir.components().any(|c| match c.as_os_str().to_str() {
        Some("abstractions" | "tunables" | "local" | "abi") => true,
        Some(name) => name.ends_with(".d") && name != "apparmor.d",
        None => false,
    })
}
