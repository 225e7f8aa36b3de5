//! The client's settings and the project's `aa-lint.toml`, turned into the
//! analysis configuration.
//!
//! The server reads its configuration as `aa-lint check` does (through
//! `aa-config`): `parser.conf`'s `Include`/`base` lines, the `aa-lint.toml`
//! that applies to each open file (the first one in its directory or above),
//! and then the client's settings, which act as the command-line flags do:
//! `includePaths` are searched after the file's `include` (as `-I`),
//! `baseDir` replaces its `base` (as `--base`), a non-empty `lint.select`
//! replaces its selection (as `--select`) and `lint.ignore` removes lints
//! (as `--ignore`).
//!
//! Include search paths are one setting of the whole analysis: they come
//! from the `aa-lint.toml` of the workspace folder (or, without one, of the
//! first open file that has one). Lint selections are per file.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_config::{ConfigFiles, Finder, ParserConfig};
use aa_ide::{Config, LintConfig};
use serde::Deserialize;
use serde_json::Value;

/// Settings as the editors send them (see editors/README.md). Every field
/// is optional; one that is absent keeps its earlier value.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawSettings {
    include_paths: Option<Vec<String>>,
    // `null` is a value here: it restores the default.
    #[serde(deserialize_with = "present")]
    base_dir: Option<Option<String>>,
    #[serde(deserialize_with = "present")]
    parser_config_file: Option<Option<String>>,
    #[serde(deserialize_with = "present")]
    kernel_policy_dir: Option<Option<String>>,
    lint: Option<RawLint>,
    /// Base URL of the lint documentation pages (`docs/lints/`).
    #[serde(deserialize_with = "present")]
    docs_url: Option<Option<String>>,
    code_lens: Option<RawCodeLens>,
    formatting: Option<RawFormatting>,
    suggest: Option<RawSuggest>,
}

/// A key that is present, with `null` or a string.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawLint {
    select: Vec<String>,
    ignore: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawCodeLens {
    enable: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawFormatting {
    indent_width: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawSuggest {
    #[serde(deserialize_with = "present")]
    log_file: Option<Option<String>>,
    journal: Option<bool>,
    #[serde(deserialize_with = "present")]
    features_file: Option<Option<String>>,
}

/// Where the log hints read the kernel's audit records (`suggest.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SuggestSettings {
    /// An audit log, syslog, kern.log, dmesg or journalctl output file.
    pub(crate) log_file: Option<PathBuf>,
    /// Also read the journal (`journalctl -o json`), when journalctl exists.
    pub(crate) journal: bool,
    /// The kernel features to compile against (as `aa-lint suggest -M`: a
    /// file, or a directory like the kernel's); `None`: the running
    /// kernel's, else the system's features file, else none.
    pub(crate) features_file: Option<PathBuf>,
}

impl SuggestSettings {
    /// Whether there is anything to read.
    pub(crate) fn any(&self) -> bool {
        self.log_file.is_some() || self.journal
    }
}

/// The client's settings, accumulated over `initializationOptions`,
/// `workspace/configuration` and `workspace/didChangeConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientSettings {
    pub(crate) include_paths: Vec<PathBuf>,
    pub(crate) base_dir: Option<PathBuf>,
    pub(crate) parser_config_file: PathBuf,
    /// Where securityfs lists the loaded policy.
    pub(crate) kernel_policy_dir: PathBuf,
    pub(crate) select: Vec<String>,
    pub(crate) ignore: Vec<String>,
    pub(crate) docs_url: Arc<str>,
    pub(crate) code_lens: bool,
    pub(crate) format: aa_ide::FormatOptions,
    pub(crate) suggest: SuggestSettings,
}

impl Default for ClientSettings {
    fn default() -> ClientSettings {
        ClientSettings {
            include_paths: Vec::new(),
            base_dir: None,
            parser_config_file: PathBuf::from(aa_config::DEFAULT_PARSER_CONF),
            kernel_policy_dir: PathBuf::from(crate::features::KERNEL_POLICY_DIR),
            select: Vec::new(),
            ignore: Vec::new(),
            docs_url: default_docs_url().into(),
            code_lens: true,
            format: aa_ide::FormatOptions::default(),
            suggest: SuggestSettings::default(),
        }
    }
}

/// The lint pages of the source tree this server was built from, as a
/// `file://` URL; the `docsUrl` setting points elsewhere (a web site).
pub fn default_docs_url() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = dir.parent().and_then(Path::parent).unwrap_or(dir).join("docs/lints");
    format!("file://{}", docs.display())
}

fn non_empty(value: Option<String>) -> Option<PathBuf> {
    value.filter(|v| !v.trim().is_empty()).map(PathBuf::from)
}

impl ClientSettings {
    /// Applies `value` (`{"aa-lint": {...}}` or the bare object, as Helix
    /// sends it); what it does not mention stays.
    pub(crate) fn apply(&mut self, value: &Value) {
        let value = value.get("aa-lint").unwrap_or(value);
        let Ok(raw) = serde_json::from_value::<RawSettings>(value.clone()) else { return };
        if let Some(paths) = raw.include_paths {
            self.include_paths = paths.into_iter().filter(|p| !p.is_empty()).map(PathBuf::from).collect();
        }
        if let Some(dir) = raw.base_dir {
            self.base_dir = non_empty(dir);
        }
        if let Some(file) = raw.parser_config_file {
            self.parser_config_file = non_empty(file).unwrap_or_else(|| PathBuf::from(aa_config::DEFAULT_PARSER_CONF));
        }
        if let Some(dir) = raw.kernel_policy_dir {
            self.kernel_policy_dir =
                non_empty(dir).unwrap_or_else(|| PathBuf::from(crate::features::KERNEL_POLICY_DIR));
        }
        if let Some(lint) = raw.lint {
            self.select = lint.select;
            self.ignore = lint.ignore;
        }
        if let Some(url) = raw.docs_url {
            let url = url.map(|u| u.trim().trim_end_matches('/').to_string()).filter(|u| !u.is_empty());
            self.docs_url = url.unwrap_or_else(default_docs_url).into();
        }
        if let Some(enable) = raw.code_lens.and_then(|c| c.enable) {
            self.code_lens = enable;
        }
        if let Some(f) = raw.formatting
            && let Some(width) = f.indent_width
        {
            self.format.indent_width = width.clamp(1, 16);
        }
        if let Some(suggest) = raw.suggest {
            if let Some(file) = suggest.log_file {
                self.suggest.log_file = non_empty(file);
            }
            if let Some(journal) = suggest.journal {
                self.suggest.journal = journal;
            }
            if let Some(file) = suggest.features_file {
                self.suggest.features_file = non_empty(file);
            }
        }
    }

    pub(crate) fn lint(&self) -> LintConfig {
        LintConfig { select: self.select.clone(), ignore: self.ignore.clone(), projects: Vec::new() }
    }
}

/// Configuration files read from the file system.
pub(crate) struct OsConfigFiles;

impl ConfigFiles for OsConfigFiles {
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn read(&self, path: &Path) -> Option<Result<String, String>> {
        if !path.is_file() {
            return None;
        }
        Some(std::fs::read_to_string(path).map_err(|error| error.to_string()))
    }
}

/// The project's configuration files, found and cached.
pub(crate) struct Projects {
    finder: Finder,
    parser_conf: Option<(PathBuf, ParserConfig)>,
}

impl Projects {
    pub(crate) fn new() -> Projects {
        Projects { finder: Finder::new(None, PathBuf::from("/")), parser_conf: None }
    }

    /// Forgets what was read (an `aa-lint.toml` or `parser.conf` changed).
    pub(crate) fn clear(&mut self) {
        self.finder.clear();
        self.parser_conf = None;
    }

    fn parser_conf(&mut self, path: &Path) -> &ParserConfig {
        if self.parser_conf.as_ref().is_none_or(|(p, _)| p != path) {
            // A missing parser.conf is normal (no AppArmor installed).
            let conf = std::fs::read_to_string(path).map(|t| aa_config::parser_conf::parse(&t)).unwrap_or_default();
            self.parser_conf = Some((path.to_path_buf(), conf));
        }
        &self.parser_conf.as_ref().expect("just set").1
    }

    /// The analysis configuration for a workspace at `working_dir` with
    /// `open` files, and the errors of the `aa-lint.toml` files that could
    /// not be read (those are left out, and the user is told).
    pub(crate) fn config(
        &mut self,
        working_dir: &Path,
        open: &[PathBuf],
        client: &ClientSettings,
    ) -> (Config, Vec<String>) {
        let mut errors = Vec::new();
        let mut projects: Vec<Arc<aa_config::Config>> = Vec::new();
        let mut add = |found: Result<Option<Arc<aa_config::Config>>, String>, projects: &mut Vec<_>| match found {
            Ok(Some(config)) => {
                if !projects.iter().any(|p: &Arc<aa_config::Config>| Arc::ptr_eq(p, &config)) {
                    projects.push(config.clone());
                }
                Some(config)
            }
            Ok(None) => None,
            Err(error) => {
                if !errors.contains(&error) {
                    errors.push(error);
                }
                None
            }
        };
        let root = add(self.finder.for_path(&OsConfigFiles, &working_dir.join(".")), &mut projects);
        let mut first_of_files = None;
        for path in open {
            let found = add(self.finder.for_path(&OsConfigFiles, path), &mut projects);
            first_of_files = first_of_files.or(found);
        }
        let search_from = root.or(first_of_files);
        let parser_conf = self.parser_conf(&client.parser_config_file);
        let search = aa_config::search_paths(
            parser_conf,
            search_from.as_deref(),
            &client.include_paths,
            client.base_dir.as_deref(),
        );
        let mut lint = client.lint();
        lint.projects = projects;
        let config = Config {
            include_dirs: search.include_dirs,
            base_dir: search.base,
            working_dir: working_dir.to_path_buf(),
            lint,
        };
        (config, errors)
    }
}

/// Whether a changed file is configuration (it changes the analysis's
/// settings rather than a file it reads).
pub(crate) fn is_config_file(path: &Path, client: &ClientSettings) -> bool {
    path.file_name().is_some_and(|n| n == aa_config::FILE_NAME) || path == client.parser_config_file
}
