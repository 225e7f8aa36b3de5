//! The IDE façade: the one API the language server (and later the CLI) calls.
//!
//! `AnalysisHost` owns the salsa database; `apply_change` is the only way to
//! mutate it. `Analysis` is a cheap snapshot that answers questions with
//! plain data in byte offsets; when the host changes while a snapshot is
//! computing, the computation stops and returns `Err(Cancelled)`.
//! Nothing here knows LSP types, line numbers or UTF-16.

mod assists;
mod completion;
mod diagnostics;
mod docs;
mod effective;
mod hover;
mod lens;
mod links;
mod navigation;
mod semantic;
mod suggest;
mod symbols;
pub mod transitions;
mod util;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_hir::db::{Db as _, RootDatabase};
use salsa::{Durability, Setter as _};

pub use aa_fmt::FormatOptions;
pub use aa_hir::{
    db::{FileContent, FileLoader},
    includes::is_skipped_file_name,
};
pub use aa_syntax::{TextRange, TextSize};
pub use salsa::Cancelled;

pub use crate::{
    assists::{Assist, AssistKind, SUPPRESSION_REASON_PLACEHOLDER},
    completion::{CompletionItem, CompletionKind},
    diagnostics::{Diagnostic, Fix, RelatedInformation, Severity, unknown_selectors},
    hover::Hover,
    lens::{CodeLens, LensAction},
    links::DocumentLink,
    navigation::{Highlight, HighlightKind, NavigationTarget, SourceChange, TextEdit},
    semantic::{InlayHint, SemanticToken, SemanticTokenKind},
    suggest::{LogAction, LogEvents, LogHint},
    symbols::{Fold, FoldKind, Symbol, SymbolKind, WorkspaceSymbol},
};

pub type Cancellable<T> = Result<T, Cancelled>;

/// The names of the top-level profiles `text` defines (for a workspace
/// index; no database, so nothing can cancel it).
pub fn profile_names_in_text(text: &str) -> Vec<String> {
    use aa_syntax::ast::Item;
    aa_syntax::parse(text)
        .tree()
        .items()
        .filter_map(|item| match item {
            Item::Profile(p) if !p.is_hat() => util::profile_name(&p).map(|(name, _)| name),
            _ => None,
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// A range in a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileRange {
    pub path: PathBuf,
    pub range: TextRange,
}

/// Which lints to run. First the `aa-lint.toml` that applies to the file
/// (the one in `projects` whose directory is the nearest above it, as
/// `aa-lint check` finds it), then the client's `select` and `ignore`, as
/// `aa-lint check --select/--ignore` would apply them: by code (`AA101`),
/// code prefix (`AA1`), name (`overbroad-glob`), group (`parser`,
/// `security`, `correctness`, `style`, `nursery`) or `all`. An empty
/// `select` keeps the defaults (or the file's selection); a non-empty one
/// replaces them. `ignore` turns lints off afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintConfig {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// The `aa-lint.toml` files the front end found for its files (the
    /// front end reads them; this crate touches no file).
    pub projects: Vec<Arc<aa_config::Config>>,
}

impl LintConfig {
    /// The `aa-lint.toml` that applies to `path`: the one whose directory
    /// is the nearest above it.
    pub fn project_for(&self, path: &Path) -> Option<&Arc<aa_config::Config>> {
        self.projects.iter().filter(|c| path.starts_with(c.dir())).max_by_key(|c| c.dir().components().count())
    }
}

/// Search settings and lint selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `-I` directories, in order.
    pub include_dirs: Vec<PathBuf>,
    /// `--base`.
    pub base_dir: PathBuf,
    /// Where relative `include "x"` resolves.
    pub working_dir: PathBuf,
    pub lint: LintConfig,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            include_dirs: Vec::new(),
            base_dir: PathBuf::from("/etc/apparmor.d"),
            working_dir: PathBuf::from("/"),
            lint: LintConfig::default(),
        }
    }
}

/// A batch of changes, applied at once by `AnalysisHost::apply_change`.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// New text of an open document, or `None` when the editor closed it
    /// (the file is read again from disk).
    pub files: Vec<(PathBuf, Option<String>)>,
    /// Files that changed on disk and should be read again.
    pub reload: Vec<PathBuf>,
    pub config: Option<Config>,
    /// The policy files of the workspace folders (for workspace symbols),
    /// when the front end has (re)indexed them.
    pub workspace_files: Option<Vec<PathBuf>>,
    /// The events of the configured audit logs, when the front end has
    /// (re)read them (for the log hints).
    pub log: Option<LogEvents>,
}

impl Change {
    pub fn new() -> Change {
        Change::default()
    }

    pub fn set_file_text(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) {
        self.files.push((path.into(), Some(text.into())));
    }

    pub fn close_file(&mut self, path: impl Into<PathBuf>) {
        self.files.push((path.into(), None));
    }

    pub fn set_config(&mut self, config: Config) {
        self.config = Some(config);
    }
}

/// Owns the database. Only `apply_change` mutates it.
pub struct AnalysisHost {
    db: RootDatabase,
    loader: Arc<dyn FileLoader>,
    config: Arc<Config>,
    /// Files the editor has open, in the order they were opened.
    open: Arc<Vec<PathBuf>>,
    workspace: Arc<Vec<PathBuf>>,
    log: Arc<LogEvents>,
    /// Bumped with every new `log`.
    log_generation: u64,
    hint_cache: suggest::HintCache,
}

impl AnalysisHost {
    pub fn new(loader: Arc<dyn FileLoader>, config: Config) -> AnalysisHost {
        let db = RootDatabase::new(
            loader.clone(),
            config.include_dirs.clone(),
            config.base_dir.clone(),
            config.working_dir.clone(),
        );
        AnalysisHost {
            db,
            loader,
            config: Arc::new(config),
            open: Arc::default(),
            workspace: Arc::default(),
            log: Arc::default(),
            log_generation: 0,
            hint_cache: Arc::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Applies a change. Snapshots still computing are cancelled first (this
    /// waits until they have been dropped).
    pub fn apply_change(&mut self, change: Change) {
        if let Some(config) = change.config {
            let settings = self.db.settings();
            let old = self.config.clone();
            if old.include_dirs != config.include_dirs {
                settings
                    .set_include_dirs(&mut self.db)
                    .with_durability(Durability::HIGH)
                    .to(config.include_dirs.clone());
            }
            if old.base_dir != config.base_dir {
                settings.set_base_dir(&mut self.db).with_durability(Durability::HIGH).to(config.base_dir.clone());
            }
            if old.working_dir != config.working_dir {
                settings.set_working_dir(&mut self.db).with_durability(Durability::HIGH).to(config.working_dir.clone());
            }
            self.config = Arc::new(config);
        }
        let mut open = (*self.open).clone();
        for (path, text) in change.files {
            match text {
                Some(text) => {
                    if !open.contains(&path) {
                        open.push(path.clone());
                    }
                    let file = self.db.file(&path);
                    if !matches!(file.content(&self.db), FileContent::Text(old) if *old == text) {
                        self.db.set_file_content(&path, FileContent::Text(text), Durability::LOW);
                    }
                }
                None => {
                    open.retain(|p| *p != path);
                    let content = self.loader.load(&path);
                    self.db.set_file_content(&path, content, Durability::MEDIUM);
                }
            }
        }
        for path in change.reload {
            if open.contains(&path) {
                continue;
            }
            let content = self.loader.load(&path);
            let file = self.db.file(&path);
            if *file.content(&self.db) != content {
                self.db.set_file_content(&path, content, Durability::MEDIUM);
            }
        }
        self.open = Arc::new(open);
        if let Some(files) = change.workspace_files {
            // The workspace's policy trees are the policy, with what the
            // base directory has installed: the lints that ask about the
            // rest of the policy (a transition target no file defines) judge
            // the files of it, as `aa-lint check DIR` does.
            let mut policy: Vec<aa_hir::db::File> = files.iter().map(|p| self.db.file(p)).collect();
            if !policy.is_empty() {
                policy.extend(self.installed_profiles());
            }
            self.db.set_policy_files(policy);
            self.workspace = Arc::new(files);
        }
        if let Some(log) = change.log {
            self.log = Arc::new(log);
            self.log_generation += 1;
        }
    }

    /// The files at the top of the base directory (as `apparmor_parser`
    /// loads a directory), read through the loader.
    fn installed_profiles(&self) -> Vec<aa_hir::db::File> {
        let base = self.config.base_dir.clone();
        let FileContent::Directory(names) = self.loader.load(&base) else { return Vec::new() };
        names
            .iter()
            .filter(|name| !is_skipped_file_name(name))
            .map(|name| self.db.file(&base.join(name)))
            .filter(|file| matches!(file.content(&self.db), FileContent::Text(_)))
            .collect()
    }

    /// A snapshot to answer questions on (from any thread).
    pub fn analysis(&self) -> Analysis {
        Analysis {
            db: self.db.clone(),
            config: self.config.clone(),
            open: self.open.clone(),
            workspace: self.workspace.clone(),
            loader: self.loader.clone(),
            log: self.log.clone(),
            log_generation: self.log_generation,
            hint_cache: self.hint_cache.clone(),
        }
    }
}

/// A snapshot of the world. Every method returns `Err(Cancelled)` if the
/// host changed while it was computing.
pub struct Analysis {
    db: RootDatabase,
    config: Arc<Config>,
    open: Arc<Vec<PathBuf>>,
    workspace: Arc<Vec<PathBuf>>,
    loader: Arc<dyn FileLoader>,
    log: Arc<LogEvents>,
    log_generation: u64,
    hint_cache: suggest::HintCache,
}

impl Analysis {
    fn with_db<T>(&self, f: impl FnOnce(&RootDatabase) -> T) -> Cancellable<T> {
        let db = &self.db;
        Cancelled::catch(std::panic::AssertUnwindSafe(|| f(db)))
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn open_files(&self) -> &[PathBuf] {
        &self.open
    }

    /// The text of a file as the analysis sees it (the editor's text for an open file).
    pub fn file_text(&self, path: &Path) -> Cancellable<Option<String>> {
        self.with_db(|db| match db.file(path).content(db) {
            FileContent::Text(text) => Some(text.clone()),
            _ => None,
        })
    }

    /// The syntax tree dump and syntax errors, as `aa-lint parse` prints them.
    pub fn syntax_tree(&self, path: &Path) -> Cancellable<String> {
        self.with_db(|db| aa_hir::includes::parse(db, db.file(path)).debug_dump())
    }

    /// Every file `path` reads, itself first, in reading order.
    pub fn include_closure(&self, path: &Path) -> Cancellable<Vec<PathBuf>> {
        self.with_db(|db| {
            let file = db.file(path);
            aa_hir::includes::include_closure(db, file).files.iter().map(|f| f.path(db).clone()).collect()
        })
    }

    pub fn diagnostics(&self, path: &Path) -> Cancellable<Vec<Diagnostic>> {
        self.with_db(|db| diagnostics::diagnostics(db, &self.config.lint, path))
    }

    /// What the word at `offset` means; on a diagnostic's range, also the
    /// short explanation of its lint.
    pub fn hover(&self, path: &Path, offset: TextSize) -> Cancellable<Option<Hover>> {
        self.with_db(|db| {
            let word = hover::hover(db, path, offset);
            let lint = hover::lint_hover(db, &self.config.lint, path, offset);
            match (word, lint) {
                (Some(w), Some(l)) => {
                    Some(Hover { range: w.range, markdown: format!("{}\n\n---\n\n{}", w.markdown, l.markdown) })
                }
                (w, l) => w.or(l),
            }
        })
    }

    /// Code actions for the diagnostics overlapping `range`: the lints'
    /// fixes (safe ones preferred) and a suppression comment for each
    /// finding that can be silenced.
    pub fn code_actions(&self, path: &Path, range: TextRange) -> Cancellable<Vec<Assist>> {
        self.with_db(|db| assists::code_actions(db, &self.config.lint, path, range))
    }

    /// The edits of every safe fix of the file's own findings that do not
    /// overlap (run it again for fixes that did).
    pub fn fix_all(&self, path: &Path) -> Cancellable<Vec<TextEdit>> {
        self.with_db(|db| assists::fix_all(db, &self.config.lint, path))
    }

    /// Formats the whole file; `None` when it has syntax errors.
    pub fn format(&self, path: &Path, options: &FormatOptions) -> Cancellable<Option<Vec<TextEdit>>> {
        self.with_db(|db| assists::format(db, path, options))
    }

    /// Formats the statements `range` touches; `None` when the file has syntax errors.
    pub fn format_range(
        &self,
        path: &Path,
        range: TextRange,
        options: &FormatOptions,
    ) -> Cancellable<Option<Vec<TextEdit>>> {
        self.with_db(|db| assists::format_range(db, path, range, options))
    }

    pub fn completions(&self, path: &Path, offset: TextSize) -> Cancellable<Vec<CompletionItem>> {
        self.with_db(|db| completion::completions(db, path, offset))
    }

    /// When a file rule's path is being typed at `offset`: the directory to
    /// list (the front end reads it) and the range the entry replaces.
    pub fn path_completion_context(&self, path: &Path, offset: TextSize) -> Cancellable<Option<(PathBuf, TextRange)>> {
        self.with_db(|db| completion::path_context(db, path, offset))
    }

    /// Code lenses: rule counts, redundant rules with their removal,
    /// variable reference counts.
    pub fn code_lenses(&self, path: &Path) -> Cancellable<Vec<CodeLens>> {
        self.with_db(|db| lens::code_lenses(db, path))
    }

    /// Links from `include` and `abi` targets to the files they name.
    pub fn document_links(&self, path: &Path) -> Cancellable<Vec<DocumentLink>> {
        self.with_db(|db| links::document_links(db, path))
    }

    /// The top-level profiles `path` defines, by name, with the range of each name.
    pub fn profile_names(&self, path: &Path) -> Cancellable<Vec<(String, TextRange)>> {
        use aa_syntax::ast::Item;
        self.with_db(|db| {
            util::parse(db, path)
                .tree()
                .items()
                .filter_map(|item| match item {
                    Item::Profile(p) if !p.is_hat() => util::profile_name(&p),
                    _ => None,
                })
                .collect()
        })
    }

    /// The profile around `offset`, for a call hierarchy of transitions.
    pub fn prepare_call_hierarchy(&self, path: &Path, offset: TextSize) -> Cancellable<Vec<transitions::CallItem>> {
        self.with_db(|db| transitions::prepare(db, path, offset))
    }

    /// The exec and change_profile transitions out of profile `name`,
    /// over the workspace's and the open files' profiles.
    pub fn outgoing_calls(&self, name: &str) -> Cancellable<Vec<transitions::Call>> {
        self.with_db(|db| transitions::outgoing(db, &self.policy_files(), name))
    }

    /// The transitions into profile `name` (or into a stack with it).
    pub fn incoming_calls(&self, name: &str) -> Cancellable<Vec<transitions::Call>> {
        self.with_db(|db| transitions::incoming(db, &self.policy_files(), name))
    }

    /// The open files, then the workspace's indexed ones.
    fn policy_files(&self) -> Vec<PathBuf> {
        self.open.iter().chain(self.workspace.iter()).cloned().collect()
    }

    pub fn goto_definition(&self, path: &Path, offset: TextSize) -> Cancellable<Vec<NavigationTarget>> {
        self.with_db(|db| navigation::goto_definition(db, path, offset))
    }

    pub fn references(&self, path: &Path, offset: TextSize, include_declaration: bool) -> Cancellable<Vec<FileRange>> {
        self.with_db(|db| navigation::references(db, path, offset, include_declaration))
    }

    pub fn document_highlight(&self, path: &Path, offset: TextSize) -> Cancellable<Vec<Highlight>> {
        self.with_db(|db| navigation::document_highlight(db, path, offset))
    }

    /// The range that would be renamed at `offset`, if anything there can be renamed.
    pub fn prepare_rename(&self, path: &Path, offset: TextSize) -> Cancellable<Option<TextRange>> {
        self.with_db(|db| navigation::prepare_rename(db, path, offset))
    }

    pub fn rename(&self, path: &Path, offset: TextSize, new_name: &str) -> Cancellable<Result<SourceChange, String>> {
        self.with_db(|db| navigation::rename(db, path, offset, new_name))
    }

    pub fn document_symbols(&self, path: &Path) -> Cancellable<Vec<Symbol>> {
        self.with_db(|db| symbols::document_symbols(db, path))
    }

    /// Profiles, hats and variables of the open files and everything they
    /// include, and of the workspace's indexed files, whose name contains
    /// `query` (case-insensitive).
    pub fn workspace_symbols(&self, query: &str) -> Cancellable<Vec<WorkspaceSymbol>> {
        self.with_db(|db| symbols::workspace_symbols(db, &self.open, &self.workspace, query))
    }

    pub fn folding_ranges(&self, path: &Path) -> Cancellable<Vec<Fold>> {
        self.with_db(|db| symbols::folding_ranges(db, path))
    }

    /// For each offset, the ranges that contain it, innermost first.
    pub fn selection_ranges(&self, path: &Path, offsets: &[TextSize]) -> Cancellable<Vec<Vec<TextRange>>> {
        self.with_db(|db| symbols::selection_ranges(db, path, offsets))
    }

    pub fn semantic_tokens(&self, path: &Path, range: Option<TextRange>) -> Cancellable<Vec<SemanticToken>> {
        self.with_db(|db| semantic::semantic_tokens(db, path, range))
    }

    /// One hint per profile of `path` with logged events it does not allow
    /// yet, with the actions that add the rules `aa-suggest` proved. Empty
    /// without a log.
    pub fn log_hints(&self, path: &Path) -> Cancellable<Arc<Vec<LogHint>>> {
        self.with_db(|db| {
            suggest::log_hints(db, &self.config, &self.loader, &self.log, self.log_generation, &self.hint_cache, path)
        })
    }

    pub fn inlay_hints(&self, path: &Path, range: Option<TextRange>) -> Cancellable<Vec<InlayHint>> {
        self.with_db(|db| semantic::inlay_hints(db, path, range))
    }
}

#[cfg(test)]
mod tests;
