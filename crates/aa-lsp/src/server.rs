//! The `LanguageServer` implementation: documents in ropes, one
//! `AnalysisHost`, and handlers that translate LSP ⇄ aa-ide and nothing more.
//!
//! Concurrency: all state sits behind one `std::sync::Mutex`, held only for
//! short synchronous sections (never across an `.await`), so notifications
//! mutate documents in the order they arrive. Requests take a snapshot and
//! compute on the blocking pool; if the world changed meanwhile, salsa
//! cancels them or the revision check rejects the stale answer with
//! `ContentModified`.

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use aa_ide::{Analysis, AnalysisHost, Cancellable, Change, Config, LintConfig, TextSize};
use ropey::Rope;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::{
    Client, LanguageServer,
    jsonrpc::{Error, ErrorCode, Result},
    ls_types::{self as lsp, Uri},
};

use crate::{
    convert::{self, Encoding},
    settings::{ClientSettings, Projects, is_config_file},
};

/// How long diagnostics wait for more changes before they are computed.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(5);

struct Document {
    uri: Uri,
    rope: Rope,
    version: i32,
}

struct State {
    host: AnalysisHost,
    docs: HashMap<PathBuf, Document>,
    encoding: Encoding,
    /// Bumped by every change; answers computed on an older revision are stale.
    revision: u64,
    /// Paths changed since diagnostics were last published; `all_dirty`
    /// after a settings change.
    dirty: HashSet<PathBuf>,
    all_dirty: bool,
    /// The client's settings, accumulated.
    client: ClientSettings,
    /// The `aa-lint.toml` and `parser.conf` files read.
    projects: Projects,
    /// The workspace folder (where relative includes resolve).
    working_dir: PathBuf,
    /// The documentation URL the published diagnostics link to.
    published_docs_url: Arc<str>,
    /// The workspace folders, and the profile names their files define on
    /// disk (name → files), for workspace symbols and duplicate names (an
    /// open file's unsaved text is compared against the others' disk text).
    folders: Vec<PathBuf>,
    profile_index: Arc<HashMap<String, BTreeSet<PathBuf>>>,
    /// The thread reading the audit logs of the log hints (started when a
    /// log is configured), and the settings it was last given.
    logs: Option<crate::logs::LogReader>,
    logs_configured: Option<crate::settings::SuggestSettings>,
}

impl State {
    /// Where a lint's documentation page is: `{docs_url}/{name}.md`.
    fn docs_url(&self) -> Arc<str> {
        self.client.docs_url.clone()
    }

    /// Recomputes the analysis configuration from the client's settings and
    /// the configuration files; the errors of files that could not be read.
    /// Marks everything dirty when it changed.
    fn reconfigure(&mut self) -> (bool, Vec<String>) {
        let open: Vec<PathBuf> = self.docs.keys().cloned().collect();
        let (config, errors) = self.projects.config(&self.working_dir, &open, &self.client);
        let docs_url_changed = self.published_docs_url != self.client.docs_url;
        if config == *self.host.config() && !docs_url_changed {
            return (false, errors);
        }
        self.published_docs_url = self.client.docs_url.clone();
        let mut change = Change::new();
        change.set_config(config);
        self.host.apply_change(change);
        self.all_dirty = true;
        self.revision += 1;
        (true, errors)
    }
}

pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    wake: Arc<tokio::sync::Notify>,
    debounce: Duration,
}

/// What a request needs besides the analysis: the document as it was when
/// the snapshot was taken.
pub(crate) struct Snapshot {
    pub(crate) path: PathBuf,
    pub(crate) rope: Rope,
    pub(crate) enc: Encoding,
    /// Ropes of the other open documents, to convert ranges in them.
    pub(crate) others: HashMap<PathBuf, (Uri, Rope)>,
    pub(crate) docs_url: Arc<str>,
    pub(crate) format: aa_ide::FormatOptions,
}

impl Snapshot {
    pub(crate) fn offset(&self, pos: lsp::Position) -> TextSize {
        convert::position_to_offset(&self.rope, pos, self.enc)
    }

    pub(crate) fn range(&self, r: aa_ide::TextRange) -> lsp::Range {
        convert::range(&self.rope, r, self.enc)
    }

    /// A location in any file: open files through their rope, others read from the analysis.
    pub(crate) fn location(
        &self,
        analysis: &Analysis,
        path: &Path,
        r: aa_ide::TextRange,
    ) -> Cancellable<Option<lsp::Location>> {
        if let Some((uri, rope)) = self.others.get(path) {
            return Ok(Some(lsp::Location { uri: uri.clone(), range: convert::range(rope, r, self.enc) }));
        }
        let Some(uri) = Uri::from_file_path(path) else { return Ok(None) };
        let text = analysis.file_text(path)?.unwrap_or_default();
        let rope = Rope::from_str(&text);
        Ok(Some(lsp::Location { uri, range: convert::range(&rope, r, self.enc) }))
    }
}

/// Gives the log reader the client's `suggest` settings when they changed,
/// starting it the first time a log is named. Each reading replaces the
/// analysis's events and marks every document dirty.
fn configure_logs(shared: &Arc<Mutex<State>>, st: &mut State, wake: &Arc<tokio::sync::Notify>) {
    let wanted = crate::logs::resolve(&st.client.suggest, &st.working_dir);
    if st.logs_configured.as_ref() == Some(&wanted) {
        return;
    }
    if st.logs.is_none() && wanted.any() {
        let (weak, wake) = (Arc::downgrade(shared), wake.clone());
        st.logs = Some(crate::logs::LogReader::spawn(move |events| {
            let Some(state) = weak.upgrade() else { return };
            let mut st = lock(&state);
            let mut change = Change::new();
            change.log = Some(events);
            st.host.apply_change(change);
            st.revision += 1;
            st.all_dirty = true;
            wake.notify_one();
        }));
    }
    if let Some(reader) = &st.logs {
        reader.configure(wanted.clone());
    }
    st.logs_configured = Some(wanted);
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn uri_to_path(uri: &Uri) -> PathBuf {
    if uri.scheme().as_str() == "file"
        && let Some(p) = uri.to_file_path()
    {
        return p.into_owned();
    }
    // Untitled and other documents get a path of their own that no include can name.
    PathBuf::from(format!("/.aa-lint-virtual/{}", uri.as_str()))
}

fn content_modified() -> Error {
    Error { code: ErrorCode::ContentModified, message: "content modified".into(), data: None }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyntaxTreeParams {
    pub text_document: lsp::TextDocumentIdentifier,
}

#[derive(Debug, Serialize)]
pub struct SyntaxTreeResult {
    pub tree: String,
}

#[derive(Debug, Serialize)]
pub struct DocumentTextResult {
    /// The server's copy of the editor's text.
    pub text: String,
    pub version: i32,
    /// Whether the analysis sees exactly that text.
    pub analysis_in_sync: bool,
}

impl Backend {
    pub fn new(client: Client, loader: Arc<dyn aa_ide::FileLoader>, debounce: Duration) -> Backend {
        let host = AnalysisHost::new(loader, Config::default());
        let state = State {
            host,
            docs: HashMap::new(),
            encoding: Encoding::Utf16,
            revision: 0,
            dirty: HashSet::new(),
            all_dirty: false,
            client: ClientSettings::default(),
            projects: Projects::new(),
            working_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            published_docs_url: crate::settings::default_docs_url().into(),
            folders: Vec::new(),
            profile_index: Arc::default(),
            logs: None,
            logs_configured: None,
        };
        let backend = Backend {
            client,
            state: Arc::new(Mutex::new(state)),
            wake: Arc::new(tokio::sync::Notify::new()),
            debounce,
        };
        backend.spawn_diagnostics_loop();
        backend
    }

    /// One task publishes diagnostics: it wakes after changes, waits for the
    /// typing to pause, then computes on a snapshot.
    fn spawn_diagnostics_loop(&self) {
        let (client, state, wake, debounce) =
            (self.client.clone(), self.state.clone(), self.wake.clone(), self.debounce);
        let Ok(handle) = tokio::runtime::Handle::try_current() else { return };
        handle.spawn(async move {
            loop {
                wake.notified().await;
                tokio::time::sleep(debounce).await;
                loop {
                    match publish_once(&client, &state).await {
                        Some(()) => break,
                        // Cancelled by a newer change: wait for the typing to pause again.
                        None => tokio::time::sleep(debounce).await,
                    }
                }
            }
        });
    }

    /// Marks paths dirty, bumps the revision and wakes the diagnostics task.
    fn changed(&self, state: &mut State, paths: impl IntoIterator<Item = PathBuf>) {
        state.revision += 1;
        state.dirty.extend(paths);
        self.wake.notify_one();
    }

    /// Runs `f` on a snapshot on the blocking pool. A panic becomes an
    /// internal error; cancellation or a newer revision, `ContentModified`.
    async fn with_snapshot<T, F>(&self, uri: &Uri, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Analysis, &Snapshot) -> Cancellable<T> + Send + 'static,
    {
        self.on_snapshot(uri, true, f).await
    }

    /// [`Self::with_snapshot`] for a request about a file that need not be
    /// open (the call hierarchy's items): its rope is empty then, so `f`
    /// converts ranges with [`Snapshot::location`].
    async fn with_any_snapshot<T, F>(&self, uri: &Uri, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Analysis, &Snapshot) -> Cancellable<T> + Send + 'static,
    {
        self.on_snapshot(uri, false, f).await
    }

    async fn on_snapshot<T, F>(&self, uri: &Uri, must_be_open: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Analysis, &Snapshot) -> Cancellable<T> + Send + 'static,
    {
        let path = uri_to_path(uri);
        let (analysis, snapshot, revision) = {
            let state = lock(&self.state);
            let rope = match state.docs.get(&path) {
                Some(doc) => doc.rope.clone(),
                None if !must_be_open => Rope::new(),
                None => return Err(Error::invalid_params(format!("{} is not open", uri.as_str()))),
            };
            let others = state.docs.iter().map(|(p, d)| (p.clone(), (d.uri.clone(), d.rope.clone()))).collect();
            let snapshot = Snapshot {
                path,
                rope,
                enc: state.encoding,
                others,
                docs_url: state.docs_url(),
                format: state.client.format.clone(),
            };
            (state.host.analysis(), snapshot, state.revision)
        };
        let result = tokio::task::spawn_blocking(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| f(&analysis, &snapshot)));
            drop(analysis);
            result
        })
        .await;
        match result {
            Ok(Ok(Ok(value))) => {
                if lock(&self.state).revision != revision {
                    return Err(content_modified());
                }
                Ok(value)
            }
            Ok(Ok(Err(_cancelled))) => Err(content_modified()),
            Ok(Err(payload)) => Err(Error {
                code: ErrorCode::InternalError,
                message: format!("aa-lint panicked: {}", panic_message(payload.as_ref())).into(),
                data: None,
            }),
            Err(join) => Err(Error { code: ErrorCode::InternalError, message: join.to_string().into(), data: None }),
        }
    }

    /// `aa/syntaxTree`.
    pub async fn syntax_tree(&self, params: SyntaxTreeParams) -> Result<SyntaxTreeResult> {
        self.with_snapshot(&params.text_document.uri, |analysis, snap| {
            Ok(SyntaxTreeResult { tree: analysis.syntax_tree(&snap.path)? })
        })
        .await
    }

    /// `aa/documentText`: the server's copy of a document (for tests).
    pub async fn document_text(&self, params: SyntaxTreeParams) -> Result<DocumentTextResult> {
        let path = uri_to_path(&params.text_document.uri);
        let (text, version, analysis) = {
            let state = lock(&self.state);
            let Some(doc) = state.docs.get(&path) else {
                return Err(Error::invalid_params("document is not open"));
            };
            (doc.rope.to_string(), doc.version, state.host.analysis())
        };
        let seen = tokio::task::spawn_blocking(move || analysis.file_text(&path).ok().flatten()).await.ok().flatten();
        Ok(DocumentTextResult { analysis_in_sync: seen.as_deref() == Some(text.as_str()), text, version })
    }

    /// Walks the workspace folders on the blocking pool and indexes their
    /// policy files (workspace symbols, duplicate profile names). Bounded
    /// (see `features::walk_policy`); the editor is never waited on.
    fn reindex(&self) {
        let state = self.state.clone();
        let client = self.client.clone();
        let folders = lock(&state).folders.clone();
        let Ok(handle) = tokio::runtime::Handle::try_current() else { return };
        handle.spawn(async move {
            let indexed = tokio::task::spawn_blocking(move || {
                let mut files = Vec::new();
                for folder in &folders {
                    for dir in crate::features::policy_dirs(folder) {
                        files.extend(crate::features::walk_policy(&dir));
                    }
                }
                files.sort();
                files.dedup();
                let mut index: HashMap<String, BTreeSet<PathBuf>> = HashMap::new();
                for file in &files {
                    let Ok(text) = std::fs::read_to_string(file) else { continue };
                    for name in aa_ide::profile_names_in_text(&text) {
                        index.entry(name).or_default().insert(file.clone());
                    }
                }
                (files, index)
            })
            .await;
            let Ok((files, index)) = indexed else { return };
            {
                let mut st = lock(&state);
                let mut change = Change::new();
                change.workspace_files = Some(files);
                st.host.apply_change(change);
                // No revision bump: no open document's analysis changed,
                // and in-flight requests stay valid.
                st.profile_index = Arc::new(index);
            }
            let _ = client.code_lens_refresh().await;
        });
    }

    /// Applies client settings (or re-reads the configuration files when
    /// `value` is `None`), then tells the user about what could not be used.
    async fn apply_config(&self, value: Option<&Value>) {
        let (lint, errors) = {
            let mut state = lock(&self.state);
            if let Some(value) = value {
                state.client.apply(value);
            } else {
                state.projects.clear();
            }
            let (changed, errors) = state.reconfigure();
            if changed {
                self.wake.notify_one();
            }
            configure_logs(&self.state, &mut state, &self.wake);
            (state.client.lint(), errors)
        };
        report_config(&self.client, &lint, &errors).await;
    }
}

/// Tells the user about `aa-lint.toml` files that could not be read and
/// lint selectors that name nothing.
async fn report_config(client: &Client, lint: &LintConfig, errors: &[String]) {
    for error in errors {
        client.show_message(lsp::MessageType::ERROR, format!("aa-lint: {error} (file ignored)")).await;
    }
    warn_unknown_selectors(client, lint).await;
}

/// Tells the user about `lint.select` / `lint.ignore` entries that name no
/// lint (they are skipped).
async fn warn_unknown_selectors(client: &Client, lint: &LintConfig) {
    let unknown = aa_ide::unknown_selectors(lint);
    if !unknown.is_empty() {
        let message = format!(
            "aa-lint: {} in lint.select/lint.ignore: not a lint code, name or group (skipped)",
            unknown.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        );
        client.show_message(lsp::MessageType::WARNING, message).await;
    }
}

/// How many threads compute diagnostics for `docs` documents: one per core
/// (at most 4), one for a single document.
fn workers(docs: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.clamp(1, 4).min(docs.max(1))
}

/// One published document: its URI, diagnostics and version.
type Published = (Uri, Vec<lsp::Diagnostic>, i32);

/// Computes and publishes diagnostics for the dirty documents and those
/// including a dirty file, on several threads: the changed documents first
/// (published as soon as they are done), then the documents that include
/// them. `None` when cancelled by a newer change.
async fn publish_once(client: &Client, state: &Arc<Mutex<State>>) -> Option<()> {
    let (mut analyses, dirty, all, docs, enc, revision, docs_url) = {
        let mut st = lock(state);
        let dirty: Vec<PathBuf> = st.dirty.drain().collect();
        let all = std::mem::take(&mut st.all_dirty);
        let docs: Vec<(PathBuf, Uri, Rope, i32)> =
            st.docs.iter().map(|(p, d)| (p.clone(), d.uri.clone(), d.rope.clone(), d.version)).collect();
        // One snapshot per worker thread.
        let analyses: Vec<Analysis> = (0..workers(docs.len())).map(|_| st.host.analysis()).collect();
        (analyses, dirty, all, docs, st.encoding, st.revision, st.docs_url())
    };
    if dirty.is_empty() && !all {
        return Some(());
    }
    let dirty_for_retry = dirty.clone();
    let (batches, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Vec<Published>>();
    let task = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(AssertUnwindSafe(|| -> Cancellable<()> {
            let (first, rest): (Vec<usize>, Vec<usize>) =
                (0..docs.len()).partition(|&i| all || dirty.contains(&docs[i].0));
            let one = |analysis: &Analysis, i: usize| -> Cancellable<Published> {
                let (path, uri, rope, version) = &docs[i];
                let diags = analysis.diagnostics(path)?;
                let mut converted: Vec<lsp::Diagnostic> = diags
                    .iter()
                    .map(|d| {
                        to_lsp_diagnostic(analysis, d, rope, enc, &docs_url, &|p| {
                            docs.iter().find(|(q, ..)| q == p).map(|(_, u, r, _)| (u.clone(), r.clone()))
                        })
                    })
                    .collect::<Cancellable<_>>()?;
                for hint in analysis.log_hints(path)?.iter() {
                    converted.push(crate::logs::hint_diagnostic(hint, rope, enc));
                }
                Ok((uri.clone(), converted, *version))
            };
            let _ = batches.send(compute_all(&mut analyses, &first, &one)?);
            let mut dependents = Vec::new();
            for i in rest {
                if !dirty.is_empty() && analyses[0].include_closure(&docs[i].0)?.iter().any(|p| dirty.contains(p)) {
                    dependents.push(i);
                }
            }
            if !dependents.is_empty() {
                let _ = batches.send(compute_all(&mut analyses, &dependents, &one)?);
            }
            Ok(())
        }))
    });
    let restore = |st: &Mutex<State>| {
        let mut st = lock(st);
        st.dirty.extend(dirty_for_retry.iter().cloned());
        st.all_dirty |= all;
    };
    let mut stale = false;
    while let Some(batch) = receiver.recv().await {
        if stale || lock(state).revision != revision {
            stale = true;
            continue;
        }
        for (uri, diags, version) in batch {
            client.publish_diagnostics(uri, diags, Some(version)).await;
        }
    }
    match task.await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(_cancelled))) => {
            restore(state);
            return None;
        }
        // A panic or a lost task: report and give up on this round.
        Ok(Err(payload)) => {
            client
                .log_message(
                    lsp::MessageType::ERROR,
                    format!("aa-lint: diagnostics panicked: {}", panic_message(payload.as_ref())),
                )
                .await;
            return Some(());
        }
        Err(_) => return Some(()),
    }
    if stale || lock(state).revision != revision {
        // Stale for the documents changed since: recompute them.
        restore(state);
        return None;
    }
    Some(())
}

/// `one` for every document of `work`, shared out over the snapshots (one
/// thread each), results in the order of `work`.
fn compute_all(
    analyses: &mut [Analysis],
    work: &[usize],
    one: &(dyn Fn(&Analysis, usize) -> Cancellable<Published> + Sync),
) -> Cancellable<Vec<Published>> {
    if work.len() < 2 || analyses.len() < 2 {
        return work.iter().map(|&i| one(&analyses[0], i)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Cancellable<Vec<(usize, Published)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = analyses
            .iter_mut()
            .map(|analysis| {
                let next = &next;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = work.get(k) else { break };
                        out.push((k, one(analysis, i)?));
                    }
                    Ok(out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|payload| std::panic::resume_unwind(payload))).collect()
    });
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    out.sort_by_key(|(k, _)| *k);
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// The documentation page of a lint (the `parser` group shares one).
pub(crate) fn lint_docs_href(docs_url: &str, d: &aa_ide::Diagnostic) -> Option<Uri> {
    let page = if d.group == "parser" { "parser" } else { d.name.as_str() };
    format!("{docs_url}/{page}.md").parse().ok()
}

/// An aa-ide diagnostic as LSP sends it: the lint code as `code`, its name
/// after the message, its documentation page as `codeDescription`.
pub(crate) fn to_lsp_diagnostic(
    analysis: &Analysis,
    d: &aa_ide::Diagnostic,
    rope: &Rope,
    enc: Encoding,
    docs_url: &str,
    open: &dyn Fn(&Path) -> Option<(Uri, Rope)>,
) -> Cancellable<lsp::Diagnostic> {
    let mut related = Vec::new();
    // Related places are often in one file: convert its text once.
    let mut closed: Option<(&Path, Rope)> = None;
    for r in &d.related {
        let path = r.location.path.as_path();
        let location = if let Some((uri, rope)) = open(path) {
            Some(lsp::Location { uri, range: convert::range(&rope, r.location.range, enc) })
        } else if let Some(uri) = Uri::from_file_path(path) {
            if closed.as_ref().is_none_or(|(p, _)| *p != path) {
                closed = Some((path, Rope::from_str(&analysis.file_text(path)?.unwrap_or_default())));
            }
            closed.as_ref().map(|(_, rope)| lsp::Location { uri, range: convert::range(rope, r.location.range, enc) })
        } else {
            None
        };
        if let Some(location) = location {
            related.push(lsp::DiagnosticRelatedInformation { location, message: r.message.clone() });
        }
    }
    Ok(lsp::Diagnostic {
        range: convert::range(rope, d.range, enc),
        severity: Some(match d.severity {
            aa_ide::Severity::Error => lsp::DiagnosticSeverity::ERROR,
            aa_ide::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            aa_ide::Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.code.clone())),
        code_description: lint_docs_href(docs_url, d).map(|href| lsp::CodeDescription { href }),
        source: Some("aa-lint".to_string()),
        message: format!("{} [{}]", d.message, d.name),
        related_information: if related.is_empty() { None } else { Some(related) },
        ..lsp::Diagnostic::default()
    })
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|encs| encs.contains(&lsp::PositionEncodingKind::UTF8));
        let folders: Vec<PathBuf> = params.workspace_folders.iter().flatten().map(|f| uri_to_path(&f.uri)).collect();
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| uri_to_path(&f.uri))
            .or_else(|| params.root_uri.as_ref().map(uri_to_path))
            .or_else(|| std::env::current_dir().ok());
        {
            let mut state = lock(&self.state);
            state.encoding = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
            if let Some(root) = root {
                state.working_dir = root.clone();
                state.folders = if folders.is_empty() { vec![root] } else { folders };
            }
            if let Some(options) = &params.initialization_options {
                state.client.apply(options);
            }
            // Errors are reported once initialized (no message may precede the answer).
            let _ = state.reconfigure();
            configure_logs(&self.state, &mut state, &self.wake);
        }
        let legend = lsp::SemanticTokensLegend {
            token_types: crate::handlers::TOKEN_TYPES.to_vec(),
            token_modifiers: vec![lsp::SemanticTokenModifier::DECLARATION],
        };
        Ok(lsp::InitializeResult {
            server_info: Some(lsp::ServerInfo {
                name: "aa-lint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(if utf8 {
                    lsp::PositionEncodingKind::UTF8
                } else {
                    lsp::PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                })),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                completion_provider: Some(lsp::CompletionOptions {
                    trigger_characters: Some(vec![
                        "<".into(),
                        "/".into(),
                        "{".into(),
                        "@".into(),
                        " ".into(),
                        "(".into(),
                        ">".into(),
                    ]),
                    ..Default::default()
                }),
                definition_provider: Some(lsp::OneOf::Left(true)),
                references_provider: Some(lsp::OneOf::Left(true)),
                document_highlight_provider: Some(lsp::OneOf::Left(true)),
                rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(lsp::OneOf::Left(true)),
                workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
                folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
                selection_range_provider: Some(lsp::SelectionRangeProviderCapability::Simple(true)),
                semantic_tokens_provider: Some(lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                    lsp::SemanticTokensOptions {
                        legend,
                        range: Some(true),
                        full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                        ..Default::default()
                    },
                )),
                inlay_hint_provider: Some(lsp::OneOf::Left(true)),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
                    code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX, crate::handlers::fix_all_kind()]),
                    ..Default::default()
                })),
                document_formatting_provider: Some(lsp::OneOf::Left(true)),
                document_range_formatting_provider: Some(lsp::OneOf::Left(true)),
                code_lens_provider: Some(lsp::CodeLensOptions { resolve_provider: Some(false) }),
                call_hierarchy_provider: Some(lsp::CallHierarchyServerCapability::Simple(true)),
                document_link_provider: Some(lsp::DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: Default::default(),
                }),
                execute_command_provider: Some(lsp::ExecuteCommandOptions {
                    commands: crate::features::COMMANDS.iter().map(|c| c.to_string()).collect(),
                    work_done_progress_options: Default::default(),
                }),
                workspace: Some(lsp::WorkspaceServerCapabilities {
                    workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(lsp::OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            ..Default::default()
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        // Ask for the `aa-lint` section too; clients that do not support it answer with an error.
        let client = self.client.clone();
        let state = self.state.clone();
        let wake = self.wake.clone();
        tokio::spawn(async move {
            let items = vec![lsp::ConfigurationItem { scope_uri: None, section: Some("aa-lint".into()) }];
            let value = match client.configuration(items).await {
                Ok(values) => values.into_iter().next().filter(|v| v.is_object()),
                Err(_) => None,
            };
            let (lint, errors) = {
                let mut st = lock(&state);
                if let Some(value) = &value {
                    st.client.apply(value);
                }
                let (changed, errors) = st.reconfigure();
                if changed {
                    wake.notify_one();
                }
                configure_logs(&state, &mut st, &wake);
                (st.client.lint(), errors)
            };
            report_config(&client, &lint, &errors).await;
            // Watch the workspace's files (the changes arrive as didChangeWatchedFiles).
            let watchers =
                vec![lsp::FileSystemWatcher { glob_pattern: lsp::GlobPattern::String("**/*".into()), kind: None }];
            let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = lsp::Registration {
                id: "aa-lint-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            let _ = client.register_capability(vec![registration]).await;
        });
        self.reindex();
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let path = uri_to_path(&doc.uri);
        let (lint, errors) = {
            let mut state = lock(&self.state);
            let mut change = Change::new();
            change.set_file_text(&path, doc.text.clone());
            state.host.apply_change(change);
            state
                .docs
                .insert(path.clone(), Document { uri: doc.uri, rope: Rope::from_str(&doc.text), version: doc.version });
            // The document may come under an `aa-lint.toml` not read yet.
            let (_, errors) = state.reconfigure();
            self.changed(&mut state, [path]);
            (state.client.lint(), errors)
        };
        if !errors.is_empty() {
            report_config(&self.client, &lint, &errors).await;
        }
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let path = uri_to_path(&params.text_document.uri);
        let mut state = lock(&self.state);
        let enc = state.encoding;
        let Some(doc) = state.docs.get_mut(&path) else { return };
        for change in params.content_changes {
            match change.range {
                None => doc.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let r = convert::text_range(&doc.rope, range, enc);
                    let start = doc.rope.byte_to_char(usize::from(r.start()));
                    let end = doc.rope.byte_to_char(usize::from(r.end()));
                    doc.rope.remove(start..end);
                    doc.rope.insert(start, &change.text);
                }
            }
        }
        doc.version = params.text_document.version;
        let text = doc.rope.to_string();
        let mut change = Change::new();
        change.set_file_text(&path, text);
        state.host.apply_change(change);
        self.changed(&mut state, [path]);
    }

    async fn did_save(&self, _: lsp::DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let path = uri_to_path(&params.text_document.uri);
        {
            let mut state = lock(&self.state);
            state.docs.remove(&path);
            let mut change = Change::new();
            change.close_file(&path);
            state.host.apply_change(change);
            self.changed(&mut state, [path]);
        }
        self.client.publish_diagnostics(params.text_document.uri, Vec::new(), None).await;
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        self.apply_config(Some(&params.settings)).await;
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = params.changes.iter().map(|c| uri_to_path(&c.uri)).collect();
        let config_changed = {
            let mut state = lock(&self.state);
            let client = &state.client;
            let config_changed = paths.iter().any(|p| is_config_file(p, client));
            let mut change = Change::new();
            change.reload = paths.clone();
            state.host.apply_change(change);
            self.changed(&mut state, paths);
            config_changed
        };
        if config_changed {
            self.apply_config(None).await;
        }
        // A policy file created or deleted: the workspace index changes.
        if params.changes.iter().any(|c| c.typ != lsp::FileChangeType::CHANGED) {
            self.reindex();
        }
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let p = params.text_document_position_params;
        self.with_snapshot(&p.text_document.uri, move |a, s| crate::handlers::hover(a, s, p.position)).await
    }

    async fn completion(&self, params: lsp::CompletionParams) -> Result<Option<lsp::CompletionResponse>> {
        let p = params.text_document_position;
        self.with_snapshot(&p.text_document.uri, move |a, s| {
            let mut response = crate::handlers::completion(a, s, p.position)?;
            // File-system entries when a file rule's path is being typed.
            let paths = crate::features::path_completions(a, s, p.position)?;
            if let Some(lsp::CompletionResponse::List(list)) = &mut response {
                list.items.extend(paths);
            }
            Ok(response)
        })
        .await
    }

    async fn goto_definition(&self, params: lsp::GotoDefinitionParams) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.with_snapshot(&p.text_document.uri, move |a, s| crate::handlers::goto_definition(a, s, p.position)).await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let p = params.text_document_position;
        let decl = params.context.include_declaration;
        self.with_snapshot(&p.text_document.uri, move |a, s| crate::handlers::references(a, s, p.position, decl)).await
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let p = params.text_document_position_params;
        self.with_snapshot(&p.text_document.uri, move |a, s| crate::handlers::document_highlight(a, s, p.position))
            .await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        self.with_snapshot(&params.text_document.uri, move |a, s| {
            crate::handlers::prepare_rename(a, s, params.position)
        })
        .await
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        let result = self
            .with_snapshot(&p.text_document.uri, move |a, s| crate::handlers::rename(a, s, p.position, &new_name))
            .await?;
        result.map_err(Error::invalid_params)
    }

    async fn document_symbol(&self, params: lsp::DocumentSymbolParams) -> Result<Option<lsp::DocumentSymbolResponse>> {
        self.with_snapshot(&params.text_document.uri, crate::handlers::document_symbols).await
    }

    async fn symbol(&self, params: lsp::WorkspaceSymbolParams) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        // Any open document gives a snapshot; with none open there is nothing to search.
        let Some(uri) = lock(&self.state).docs.values().next().map(|d| d.uri.clone()) else {
            return Ok(Some(lsp::WorkspaceSymbolResponse::Flat(Vec::new())));
        };
        let query = params.query;
        self.with_snapshot(&uri, move |a, s| crate::handlers::workspace_symbols(a, s, &query)).await
    }

    async fn folding_range(&self, params: lsp::FoldingRangeParams) -> Result<Option<Vec<lsp::FoldingRange>>> {
        self.with_snapshot(&params.text_document.uri, crate::handlers::folding_ranges).await
    }

    async fn selection_range(&self, params: lsp::SelectionRangeParams) -> Result<Option<Vec<lsp::SelectionRange>>> {
        let positions = params.positions;
        self.with_snapshot(&params.text_document.uri, move |a, s| crate::handlers::selection_ranges(a, s, &positions))
            .await
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        self.with_snapshot(&params.text_document.uri, |a, s| {
            Ok(crate::handlers::semantic_tokens(a, s, None)?.map(lsp::SemanticTokensResult::Tokens))
        })
        .await
    }

    async fn semantic_tokens_range(
        &self,
        params: lsp::SemanticTokensRangeParams,
    ) -> Result<Option<lsp::SemanticTokensRangeResult>> {
        let range = params.range;
        self.with_snapshot(&params.text_document.uri, move |a, s| {
            Ok(crate::handlers::semantic_tokens(a, s, Some(range))?.map(lsp::SemanticTokensRangeResult::Tokens))
        })
        .await
    }

    async fn code_action(&self, params: lsp::CodeActionParams) -> Result<Option<lsp::CodeActionResponse>> {
        let (range, only) = (params.range, params.context.only);
        self.with_snapshot(&params.text_document.uri, move |a, s| {
            crate::handlers::code_actions(a, s, range, only.as_deref())
        })
        .await
    }

    async fn formatting(&self, params: lsp::DocumentFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        self.with_snapshot(&params.text_document.uri, |a, s| crate::handlers::formatting(a, s, None)).await
    }

    async fn range_formatting(&self, params: lsp::DocumentRangeFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        let range = params.range;
        self.with_snapshot(&params.text_document.uri, move |a, s| crate::handlers::formatting(a, s, Some(range))).await
    }

    async fn inlay_hint(&self, params: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        let range = params.range;
        self.with_snapshot(&params.text_document.uri, move |a, s| crate::handlers::inlay_hints(a, s, range)).await
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        {
            let mut state = lock(&self.state);
            let removed: Vec<PathBuf> = params.event.removed.iter().map(|f| uri_to_path(&f.uri)).collect();
            state.folders.retain(|f| !removed.contains(f));
            for added in &params.event.added {
                let path = uri_to_path(&added.uri);
                if !state.folders.contains(&path) {
                    state.folders.push(path);
                }
            }
        }
        self.reindex();
    }

    async fn code_lens(&self, params: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        let uri = params.text_document.uri;
        let (enabled, version, index, kernel_dir) = {
            let state = lock(&self.state);
            let version = state.docs.get(&uri_to_path(&uri)).map_or(0, |d| d.version);
            (state.client.code_lens, version, state.profile_index.clone(), state.client.kernel_policy_dir.clone())
        };
        if !enabled {
            return Ok(None);
        }
        let kernel =
            tokio::task::spawn_blocking(move || crate::features::kernel_profiles(&kernel_dir)).await.ok().flatten();
        self.with_snapshot(&uri, move |a, s| crate::features::code_lenses(a, s, version, kernel.as_ref(), &index)).await
    }

    async fn document_link(&self, params: lsp::DocumentLinkParams) -> Result<Option<Vec<lsp::DocumentLink>>> {
        self.with_snapshot(&params.text_document.uri, crate::features::document_links).await
    }

    async fn prepare_call_hierarchy(
        &self,
        params: lsp::CallHierarchyPrepareParams,
    ) -> Result<Option<Vec<lsp::CallHierarchyItem>>> {
        let pos = params.text_document_position_params.position;
        self.with_snapshot(&params.text_document_position_params.text_document.uri, move |a, s| {
            crate::call_hierarchy::prepare(a, s, pos)
        })
        .await
    }

    async fn incoming_calls(
        &self,
        params: lsp::CallHierarchyIncomingCallsParams,
    ) -> Result<Option<Vec<lsp::CallHierarchyIncomingCall>>> {
        let item = params.item;
        self.with_any_snapshot(&item.uri.clone(), move |a, s| crate::call_hierarchy::incoming(a, s, &item)).await
    }

    async fn outgoing_calls(
        &self,
        params: lsp::CallHierarchyOutgoingCallsParams,
    ) -> Result<Option<Vec<lsp::CallHierarchyOutgoingCall>>> {
        let item = params.item;
        self.with_any_snapshot(&item.uri.clone(), move |a, s| crate::call_hierarchy::outgoing(a, s, &item)).await
    }

    async fn execute_command(&self, params: lsp::ExecuteCommandParams) -> Result<Option<Value>> {
        let edit = match params.command.as_str() {
            crate::features::REMOVE_RULES => {
                let state = self.state.clone();
                crate::features::remove_rules_edit(&params.arguments, |uri| {
                    lock(&state).docs.get(&uri_to_path(uri)).map(|d| d.version)
                })
                .map_err(Error::invalid_params)?
            }
            crate::features::FIX_ALL => {
                let uri: Uri = params
                    .arguments
                    .first()
                    .and_then(|u| u.as_str())
                    .and_then(|u| u.parse().ok())
                    .ok_or_else(|| Error::invalid_params("expected [uri]"))?;
                let target = uri.clone();
                self.with_snapshot(&uri, move |a, s| crate::features::fix_all_edit(a, s, target)).await?
            }
            other => return Err(Error::invalid_params(format!("unknown command {other}"))),
        };
        let applied = self.client.apply_edit(edit).await?;
        Ok(Some(serde_json::json!({ "applied": applied.applied })))
    }
}
