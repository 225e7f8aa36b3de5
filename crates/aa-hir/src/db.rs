//! The salsa database: file texts and settings are inputs, everything else
//! is derived. The core never touches the file system: a `FileLoader`,
//! supplied by the CLI or the language server, fills file inputs on demand.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use salsa::{Durability, Setter};

/// What a path held when it was read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileContent {
    Text(String),
    /// A directory and its entry names (a directory include takes every file in it).
    Directory(Vec<String>),
    NotFound,
    /// Not UTF-8; the offset of the first invalid byte.
    NotUtf8 {
        offset: usize,
    },
    /// Any other read error, as the OS described it.
    Unreadable(String),
}

/// How the database reads files; implemented over the OS by the front ends,
/// over a map in tests.
pub trait FileLoader: Send + Sync {
    fn load(&self, path: &Path) -> FileContent;
}

/// A file system held in memory: paths to texts, directories implied by
/// the paths under them. For tests, examples and embedders that have no
/// disk to read (it does no I/O, so it may live in the core).
#[derive(Debug, Clone, Default)]
pub struct MemoryLoader {
    files: HashMap<PathBuf, String>,
}

impl MemoryLoader {
    pub fn new<P: Into<PathBuf>, T: Into<String>>(files: impl IntoIterator<Item = (P, T)>) -> MemoryLoader {
        MemoryLoader { files: files.into_iter().map(|(p, t)| (p.into(), t.into())).collect() }
    }
}

impl FileLoader for MemoryLoader {
    fn load(&self, path: &Path) -> FileContent {
        if let Some(text) = self.files.get(path) {
            return FileContent::Text(text.clone());
        }
        let mut entries: Vec<String> = self
            .files
            .keys()
            .filter_map(|p| p.strip_prefix(path).ok())
            .filter_map(|rest| rest.components().next())
            .map(|first| first.as_os_str().to_string_lossy().into_owned())
            .collect();
        entries.sort();
        entries.dedup();
        if entries.is_empty() { FileContent::NotFound } else { FileContent::Directory(entries) }
    }
}

#[salsa::input(debug)]
pub struct File {
    #[returns(ref)]
    pub path: PathBuf,
    #[returns(ref)]
    pub content: FileContent,
}

/// Search settings, as `apparmor_parser`'s `-I`, `--base` and working directory.
#[salsa::input(singleton, debug)]
pub struct Settings {
    /// `-I` directories, searched in order before the base directory.
    #[returns(ref)]
    pub include_dirs: Vec<PathBuf>,
    /// `--base`; `/etc/apparmor.d` by default.
    #[returns(ref)]
    pub base_dir: PathBuf,
    /// Where relative `include "x"` paths are resolved, as the parser's cwd.
    #[returns(ref)]
    pub working_dir: PathBuf,
    /// Whose `apparmor_parser` the analysis matches (`aa_target::Target::of`
    /// describes it): the checks, the lowering and the DFA lints read it.
    /// [`aa_target::Version::DEFAULT`] unless [`RootDatabase::set_target`]
    /// changes it.
    pub target: aa_target::Version,
    /// Which build of a collection with `#aa:only` / `#aa:exclude`
    /// directives to analyse (`arch`, `debian`, `ubuntu`, `opensuse`,
    /// `fedora`); `None`: the rules common to every build.
    #[default]
    #[returns(ref)]
    pub target_distribution: Option<String>,
    /// The files loaded together as one policy (the files of a directory
    /// `aa-lint check` was given): what a cross-file question, such as
    /// whether any profile is named as an exec target names, is asked of.
    /// Empty: the rest of the policy is unknown, and such questions are
    /// not judged.
    #[default]
    #[returns(ref)]
    pub policy_files: Vec<File>,
}

/// The description of the database's target (its [`Settings::target`]).
pub fn target(db: &dyn Db) -> &'static aa_target::Target {
    aa_target::Target::of(*db.settings().target(db))
}

#[salsa::db]
pub trait Db: salsa::Database {
    /// The input for `path`, read through the loader the first time it is asked for.
    fn file(&self, path: &Path) -> File;
    fn settings(&self) -> Settings;
}

#[salsa::db]
#[derive(Clone)]
pub struct RootDatabase {
    storage: salsa::Storage<Self>,
    loader: Arc<dyn FileLoader>,
    files: Arc<Mutex<HashMap<PathBuf, File>>>,
    /// Names of the queries executed, when a test asked for them.
    executed: Arc<Mutex<Option<Vec<String>>>>,
    recording: Arc<AtomicBool>,
}

impl RootDatabase {
    pub fn new(
        loader: Arc<dyn FileLoader>,
        include_dirs: Vec<PathBuf>,
        base_dir: PathBuf,
        working_dir: PathBuf,
    ) -> RootDatabase {
        let executed: Arc<Mutex<Option<Vec<String>>>> = Arc::default();
        let recording = Arc::new(AtomicBool::new(false));
        // Salsa reports several events per query; the handler must stay cheap.
        let trace = std::env::var_os("AA_SALSA_TRACE").is_some();
        let storage = salsa::Storage::new(Some(Box::new({
            let (executed, recording) = (executed.clone(), recording.clone());
            move |event: salsa::Event| {
                if trace {
                    eprintln!("{:?}", event.kind);
                }
                if let salsa::EventKind::WillExecute { database_key } = event.kind
                    && recording.load(Ordering::Relaxed)
                    && let Some(log) = executed.lock().unwrap_or_else(|e| e.into_inner()).as_mut()
                {
                    log.push(format!("{database_key:?}"));
                }
            }
        })));
        let db = RootDatabase { storage, loader, files: Arc::default(), executed, recording };
        let _settings = Settings::builder(include_dirs, base_dir, working_dir, aa_target::Version::DEFAULT)
            .durability(Durability::HIGH)
            .new(&db);
        db
    }

    /// Chooses the target (`aa-lint --target`, `aa-lint.toml`'s `target`).
    pub fn set_target(&mut self, target: aa_target::Version) {
        let settings = Settings::get(self);
        if *settings.target(self) != target {
            settings.set_target(self).with_durability(Durability::HIGH).to(target);
        }
    }

    /// Chooses the build `#aa:only` / `#aa:exclude` directives are read for
    /// (`aa-lint --target-distribution`, `aa-lint.toml`'s
    /// `target-distribution`).
    pub fn set_target_distribution(&mut self, distribution: Option<String>) {
        let settings = Settings::get(self);
        if *settings.target_distribution(self) != distribution {
            settings.set_target_distribution(self).with_durability(Durability::HIGH).to(distribution);
        }
    }

    /// Replaces a file's content (an editor change, a file watcher event).
    /// Open documents change often, so they get low durability: editing one
    /// does not invalidate queries that only read stable files.
    /// Declares the files that make up the whole policy (see
    /// [`Settings::policy_files`]).
    pub fn set_policy_files(&mut self, files: Vec<File>) {
        let settings = Settings::get(self);
        if *settings.policy_files(self) != files {
            settings.set_policy_files(self).with_durability(Durability::MEDIUM).to(files);
        }
    }

    pub fn set_file_content(&mut self, path: &Path, content: FileContent, durability: Durability) {
        let file = self.file(path);
        file.set_content(self).with_durability(durability).to(content);
    }

    /// Starts recording the queries salsa executes (for incrementality tests).
    pub fn record_executions(&self) {
        *self.executed.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
        self.recording.store(true, Ordering::Relaxed);
    }

    pub fn take_executions(&self) -> Vec<String> {
        self.executed.lock().unwrap_or_else(|e| e.into_inner()).as_mut().map(std::mem::take).unwrap_or_default()
    }
}

#[salsa::db]
impl salsa::Database for RootDatabase {}

#[salsa::db]
impl Db for RootDatabase {
    fn file(&self, path: &Path) -> File {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(file) = files.get(path) {
            return *file;
        }
        let content = match path.strip_prefix(crate::default_tunables::BUILTIN_ROOT) {
            Ok(name) => match crate::default_tunables::builtin_file(&name.to_string_lossy()) {
                Some(text) => FileContent::Text(text),
                None => FileContent::NotFound,
            },
            Err(_) => self.loader.load(path),
        };
        // Files on disk rarely change while we analyse; an editor's open
        // documents are set again with low durability.
        let file = File::builder(path.to_path_buf(), content).durability(Durability::MEDIUM).new(self);
        files.insert(path.to_path_buf(), file);
        file
    }

    fn settings(&self) -> Settings {
        Settings::get(self)
    }
}
