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
    publish::publish_once,
    settings::{ClientSettings, Projects, is_config_file},
};

/// How long diagnostics wait for more changes before they are computed.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(5);

pub(crate) struct Document {
    pub(crate) uri: Uri,
    pub(crate) rope: Rope,
    pub(crate) version: i32,
}

pub(crate) struct State {
    pub(crate) host: AnalysisHost,
    pub(crate) docs: HashMap<PathBuf, Document>,
    pub(crate) encoding: Encoding,
    /// Bumped by every change; answers computed on an older revision are stale.
    pub(crate) revision: u64,
    /// Paths changed since diagnostics were last published; `all_dirty`
    /// after a settings change.
    pub(crate) dirty: HashSet<PathBuf>,
    pub(crate) all_dirty: bool,
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
    pub(crate) fn docs_url(&self) -> Arc<str> {
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

/// What a request's computation on a snapshot came to: its answer, a
/// cancellation, a panic, or a lost task.
type SnapshotOutcome<T> = std::result::Result<std::thread::Result<Cancellable<T>>, tokio::task::JoinError>;

pub(crate) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
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

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
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
        F: Fn(&Analysis, &Snapshot) -> Cancellable<T> + Send + Sync + 'static,
    {
        self.on_snapshot(uri, true, f).await
    }

    /// [`Self::with_snapshot`] for a request about a file that need not be
    /// open (the call hierarchy's items): its rope is empty then, so `f`
    /// converts ranges with [`Snapshot::location`].
    async fn with_any_snapshot<T, F>(&self, uri: &Uri, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(&Analysis, &Snapshot) -> Cancellable<T> + Send + Sync + 'static,
    {
        self.on_snapshot(uri, false, f).await
    }

    async fn on_snapshot<T, F>(&self, uri: &Uri, must_be_open: bool, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(&Analysis, &Snapshot) -> Cancellable<T> + Send + Sync + 'static,
    {
        let f = Arc::new(f);
        // A change no document saw (the workspace index, the policy it
        // declares) cancels the snapshot too; the answer is then asked
        // again on the new world instead of failing.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (result, revision) = self.on_snapshot_once(uri, must_be_open, f.clone()).await?;
            match result {
                Ok(Ok(Ok(value))) => {
                    if lock(&self.state).revision != revision {
                        return Err(content_modified());
                    }
                    return Ok(value);
                }
                Ok(Ok(Err(_cancelled))) if attempts < 3 && lock(&self.state).revision == revision => continue,
                Ok(Ok(Err(_cancelled))) => return Err(content_modified()),
                Ok(Err(payload)) => {
                    return Err(Error {
                        code: ErrorCode::InternalError,
                        message: format!("aa-lint panicked: {}", panic_message(payload.as_ref())).into(),
                        data: None,
                    });
                }
                Err(join) => {
                    return Err(Error { code: ErrorCode::InternalError, message: join.to_string().into(), data: None });
                }
            }
        }
    }

    /// One attempt of [`Backend::on_snapshot`]: the answer (or why there is
    /// none) and the revision it was computed on.
    async fn on_snapshot_once<T, F>(
        &self,
        uri: &Uri,
        must_be_open: bool,
        f: Arc<F>,
    ) -> Result<(SnapshotOutcome<T>, u64)>
    where
        T: Send + 'static,
        F: Fn(&Analysis, &Snapshot) -> Cancellable<T> + Send + Sync + 'static,
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
        Ok((result, revision))
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
        Ok(lsp::InitializeResult {
            server_info: Some(lsp::ServerInfo {
                name: "aa-lint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: crate::capabilities::server_capabilities(utf8),
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
                self.with_snapshot(&uri, move |a, s| crate::features::fix_all_edit(a, s, target.clone())).await?
            }
            other => return Err(Error::invalid_params(format!("unknown command {other}"))),
        };
        let applied = self.client.apply_edit(edit).await?;
        Ok(Some(serde_json::json!({ "applied": applied.applied })))
    }
}
