//! Hints from the kernel's audit log: for each profile of a file, the
//! logged events it does not allow yet, and the rules `aa-suggest` proved,
//! as edits (one rule, or all of the profile's).
//!
//! `aa_suggest::suggest` edits a database of its own (it compiles the
//! edited profile from a file beside the original), so it runs on a fresh
//! database over the snapshot's texts, never on the shared one. The result
//! is cached per file, keyed by the log's generation and the texts the file
//! reads, so a code action request after the diagnostics costs a lookup.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use aa_hir::db::{Db, FileContent, FileLoader, RootDatabase};
use aa_hir::model::policy_model;
use aa_syntax::{SyntaxKind, TextRange, TextSize};

use crate::{Config, SourceChange, TextEdit};

/// The events of the configured logs, as the front end read them, and the
/// kernel features to compile against.
#[derive(Debug, Clone, Default)]
pub struct LogEvents {
    pub entries: Arc<Vec<aa_log::Entry>>,
    /// The text of a features file (`-M`); empty: none.
    pub features: Arc<str>,
}

/// One profile's logged events that it does not allow yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHint {
    /// The profile's full name (`parent//child` for a child or hat).
    pub profile: String,
    /// The profile's header, from its first token to the `{`.
    pub range: TextRange,
    /// `10 logged events not allowed: 7 rules to add, 1 question, ...`.
    pub message: String,
    /// The rules to add, one action each, then one for all of them (when
    /// there are several). Empty when the suggestions were not proved.
    pub actions: Vec<LogAction>,
}

/// A code action of a hint: insert rules into the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogAction {
    pub label: String,
    pub change: SourceChange,
    /// The action that adds every rule of the profile.
    pub all: bool,
}

/// Hints computed per file: (key, hints).
pub(crate) type HintCache = Arc<Mutex<HashMap<PathBuf, (u64, Arc<Vec<LogHint>>)>>>;

/// Files kept in the cache; past this it starts over (a session edits few
/// profiles at a time).
const CACHE_FILES: usize = 64;

/// The snapshot's texts of the files a suggestion reads; anything else
/// through the host's loader.
struct Overlay {
    files: HashMap<PathBuf, FileContent>,
    fallback: Arc<dyn FileLoader>,
}

impl FileLoader for Overlay {
    fn load(&self, path: &Path) -> FileContent {
        match self.files.get(path) {
            Some(content) => content.clone(),
            None => self.fallback.load(path),
        }
    }
}

/// Whether any record's label may name a profile of the file (a cheap test
/// before building a database: a label names its profiles literally).
fn mentions_profile(db: &dyn Db, path: &Path, log: &LogEvents) -> bool {
    let names: Vec<String> = crate::util::profiles(db, path).into_iter().map(|p| p.name).collect();
    log.entries
        .iter()
        .any(|e| e.record.profile.as_deref().is_some_and(|label| names.iter().any(|n| label.contains(n.as_str()))))
}

pub(crate) fn log_hints(
    db: &RootDatabase,
    config: &Config,
    loader: &Arc<dyn FileLoader>,
    log: &LogEvents,
    generation: u64,
    cache: &HintCache,
    path: &Path,
) -> Arc<Vec<LogHint>> {
    if log.entries.is_empty() || !mentions_profile(db, path, log) {
        return Arc::default();
    }
    let file = db.file(path);
    let closure = crate::util::closure(db, file);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    generation.hash(&mut hasher);
    // The search paths and the target decide what the texts mean.
    (&config.include_dirs, &config.base_dir, &config.working_dir, db.settings().target(db)).hash(&mut hasher);
    for f in &closure {
        f.path(db).hash(&mut hasher);
        f.content(db).hash(&mut hasher);
    }
    let key = hasher.finish();
    let lock = |c: &HintCache| {
        c.lock().unwrap_or_else(|e| e.into_inner()).get(path).filter(|(k, _)| *k == key).map(|(_, h)| h.clone())
    };
    if let Some(hints) = lock(cache) {
        return hints;
    }
    let files = closure.iter().map(|f| (f.path(db).clone(), f.content(db).clone())).collect();
    let version = *db.settings().target(db);
    let hints = Arc::new(compute(Overlay { files, fallback: loader.clone() }, config, version, log, path));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CACHE_FILES {
        cache.clear();
    }
    cache.insert(path.to_path_buf(), (key, hints.clone()));
    hints
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Runs `aa_suggest` for the profiles of `path` on a database of its own.
fn compute(
    overlay: Overlay,
    config: &Config,
    version: aa_target::Version,
    log: &LogEvents,
    path: &Path,
) -> Vec<LogHint> {
    let mut db = RootDatabase::new(
        Arc::new(overlay),
        config.include_dirs.clone(),
        config.base_dir.clone(),
        config.working_dir.clone(),
    );
    db.set_target(version);
    let root = db.file(path);
    let opts = aa_suggest::Options {
        profile: None,
        compile: aa_compile::options_for(aa_target::Target::of(version), aa_dfa::Features::parse(&log.features)),
        generalise: true,
        fine_grained_network: version != aa_target::Version::V3_0,
        offer_abstractions: false,
    };
    let report = aa_suggest::suggest(&mut db, &[root], &log.entries, &opts);
    let text = match root.content(&db) {
        FileContent::Text(t) => t.clone(),
        _ => return Vec::new(),
    };
    let model = policy_model(&db, root);
    let tree = aa_hir::includes::parse(&db, root).syntax_node();
    let mut hints = Vec::new();
    for p in report.profiles.iter().filter(|p| p.file == path) {
        if p.suggestions.is_empty() && p.questions.is_empty() && p.unmediated.is_empty() && p.error.is_none() {
            continue;
        }
        let Some(block) = model
            .profiles
            .iter()
            .find(|m| m.name == p.profile && m.origin.location.file == root)
            .map(|m| m.origin.location.range)
        else {
            continue;
        };
        let Some(node) = tree
            .descendants()
            .find(|n| n.text_range() == block && matches!(n.kind(), SyntaxKind::PROFILE | SyntaxKind::HAT))
        else {
            continue;
        };
        // The header: up to and with the `{` (the whole block without one).
        let header_end = node
            .descendants_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| t.kind() == SyntaxKind::L_CURLY)
            .map_or(block.end(), |t| t.text_range().end());
        let range = TextRange::new(block.start(), header_end);
        let proved = p.proof.as_ref().is_some_and(|pr| pr.compiled && pr.every_event_allowed && pr.nothing_beyond);
        let not_allowed = p.events.saturating_sub(p.allowed.len());
        let mut parts = Vec::new();
        if !p.suggestions.is_empty() {
            parts.push(plural(p.suggestions.len(), "rule to add", "rules to add"));
        }
        if !p.questions.is_empty() {
            parts.push(plural(p.questions.len(), "question", "questions"));
        }
        if !p.denied.is_empty() {
            parts.push(format!("{} denied on purpose", p.denied.len()));
        }
        let unmediated: usize = p.unmediated.iter().map(|u| u.lines.len()).sum();
        if unmediated > 0 {
            parts.push(format!("{unmediated} not mediated by the features used"));
        }
        let mut message =
            format!("{} not allowed: {}", plural(not_allowed, "logged event", "logged events"), parts.join(", "));
        if let Some(e) = &p.error {
            message.push_str(&format!(" ({e})"));
        } else if !p.suggestions.is_empty() && !proved {
            let problems = p.proof.as_ref().map(|pr| pr.problems.join("; ")).unwrap_or_default();
            message.push_str(&format!(" (not proved, nothing offered: {problems})"));
        }
        for u in &p.unmediated {
            message.push_str(&format!(
                "\n- not checked: {} (the features have no `{}`; set suggest.featuresFile to the logging kernel's) (log {})",
                u.class,
                u.feature,
                lines(&u.lines)
            ));
        }
        for q in &p.questions {
            message.push_str(&format!("\n? {} (log {})", q.question, lines(&q.lines)));
        }
        let mut actions = Vec::new();
        if proved {
            for s in &p.suggestions {
                let Some(insert) = &s.insert else { continue };
                let at = TextSize::from(insert.offset as u32);
                actions.push(LogAction {
                    label: format!("Add `{}` (log {})", s.rule, lines(&s.lines)),
                    change: change(path, TextRange::empty(at), insert.text.clone()),
                    all: false,
                });
            }
            if p.suggestions.len() > 1
                && let Some(point) = aa_suggest::edit::insert_point(&db, root, block)
            {
                let rules: Vec<String> = p.suggestions.iter().map(|s| s.rule.clone()).collect();
                let (new, _) = aa_suggest::edit::apply(&text, &[(point, rules)]);
                let inserted = &new[point.offset..point.offset + (new.len() - text.len())];
                let at = TextSize::from(point.offset as u32);
                actions.push(LogAction {
                    label: format!("Add the {} logged rules to `{}`", p.suggestions.len(), p.profile),
                    change: change(path, TextRange::empty(at), inserted.to_owned()),
                    all: true,
                });
            }
        }
        hints.push(LogHint { profile: p.profile.clone(), range, message, actions });
    }
    hints
}

fn change(path: &Path, range: TextRange, new_text: String) -> SourceChange {
    SourceChange { edits: vec![(path.to_path_buf(), vec![TextEdit { range, new_text }])] }
}

fn lines(l: &[usize]) -> String {
    let shown: Vec<String> = l.iter().take(5).map(ToString::to_string).collect();
    let more = if l.len() > 5 { format!(" (+{})", l.len() - 5) } else { String::new() };
    format!("{} {}{more}", if l.len() == 1 { "line" } else { "lines" }, shown.join(", "))
}
