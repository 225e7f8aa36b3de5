//! `aa-lint.toml`: which lints run on which files, where includes are found,
//! and what fails the run.
//!
//! The file that applies to a checked path is the first `aa-lint.toml` found
//! in the path's directory or above it (`--config FILE` forces one for every
//! path). Relative paths in it (`include`, `base`, override globs) are
//! relative to the file's directory. See `docs/cli.md` for the keys and the
//! order in which they and the command-line flags apply.
//!
//! Nothing here touches the OS: [`Finder`] reads through [`ConfigFiles`],
//! which the CLI and the language server implement, and the working
//! directory is given.

use std::{
    collections::HashMap,
    ops::Range,
    path::{Path, PathBuf},
    sync::Arc,
};

use aa_lints::{Level, LintSelection};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

pub const FILE_NAME: &str = "aa-lint.toml";

/// What fails a run: findings at this severity or above give exit status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailOn {
    Info,
    Warning,
    Error,
    /// Findings never fail the run (exit 0 unless something could not run).
    Never,
}

impl FailOn {
    pub const NAMES: &'static [&'static str] = &["error", "warning", "info", "never"];

    pub fn from_name(name: &str) -> Option<FailOn> {
        match name {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "info" => Some(FailOn::Info),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    pub fn fails(self, severity: aa_lints::Severity) -> bool {
        let needed = match self {
            FailOn::Info => aa_lints::Severity::Info,
            FailOn::Warning => aa_lints::Severity::Warning,
            FailOn::Error => aa_lints::Severity::Error,
            FailOn::Never => return false,
        };
        severity >= needed
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    extend_select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    /// Lint (or group, code prefix) → level.
    lints: Option<toml::Table>,
    include: Option<Vec<Spanned<String>>>,
    base: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    /// `3.0`, `4.1` or `5.0`: whose `apparmor_parser` to match.
    target: Option<Spanned<String>>,
    /// Which build of a collection with `#aa:only` / `#aa:exclude`
    /// directives to lint.
    target_distribution: Option<Spanned<String>>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    paths: Vec<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    lints: Option<toml::Table>,
}

/// One selection step, in the order the file gives them (the language
/// server adds the client's settings as further steps).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// Replace the selection (start from none) and turn these on.
    Replace(Vec<String>),
    Select(String),
    Ignore(String),
    Level(String, Level),
}

#[derive(Debug)]
struct Override {
    globs: GlobSet,
    steps: Vec<Step>,
}

/// A loaded, checked `aa-lint.toml`.
#[derive(Debug)]
pub struct Config {
    /// The file as named in messages, and its text (two configurations are
    /// equal when both are).
    path: PathBuf,
    text: String,
    dir: PathBuf,
    steps: Vec<Step>,
    overrides: Vec<Override>,
    pub include_dirs: Vec<PathBuf>,
    pub base: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    /// `target = "4.1"`: whose `apparmor_parser` the checks and DFA lints
    /// match (`--target` overrides it).
    pub target: Option<aa_target::Version>,
    /// `target-distribution = "arch"`: the build of apparmor.d-style
    /// `#aa:only` / `#aa:exclude` directives to lint (`--target-distribution`
    /// overrides it); unset, the rules common to every build.
    pub target_distribution: Option<String>,
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

struct Errors<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Errors<'_> {
    fn at(&self, span: Range<usize>, message: impl std::fmt::Display) -> String {
        let (line, column) = line_col(self.text, span.start);
        format!("{}:{line}:{column}: {message}", self.path.display())
    }

    fn selector(&self, selector: &Spanned<String>) -> Result<String, String> {
        LintSelection::none()
            .select(selector.get_ref())
            .map(|_| selector.get_ref().clone())
            .map_err(|error| self.at(selector.span(), error))
    }

    fn selectors(&self, list: &Option<Vec<Spanned<String>>>) -> Result<Vec<String>, String> {
        list.iter().flatten().map(|s| self.selector(s)).collect()
    }

    fn levels(&self, table: &Option<toml::Table>, steps: &mut Vec<Step>) -> Result<(), String> {
        // toml::Table keeps no spans: find the key's line by searching the text.
        for (key, value) in table.iter().flatten() {
            let span = self.text.find(key.as_str()).map_or(0..0, |at| at..at + key.len());
            if LintSelection::none().select(key).is_err() {
                return Err(self.at(span, format!("`{key}` is not a lint code, lint name or group")));
            }
            let level = value.as_str().and_then(Level::from_name).ok_or_else(|| {
                let found = match value.as_str() {
                    Some(text) => format!("\"{text}\""),
                    None => format!("a {}", value.type_str()),
                };
                self.at(
                    span.clone(),
                    format!(
                        "the level of `{key}` must be one of \"allow\", \"info\", \"warn\", \"error\" (found {found})"
                    ),
                )
            })?;
            steps.push(Step::Level(key.clone(), level));
        }
        Ok(())
    }
}

impl PartialEq for Config {
    fn eq(&self, other: &Config) -> bool {
        self.path == other.path && self.text == other.text
    }
}

impl Eq for Config {}

impl Config {
    /// Checks a configuration file's text. Errors name the file, the line
    /// and column, and what is wrong.
    pub fn parse(path: &Path, text: &str) -> Result<Config, String> {
        let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Config::parse_in(path, dir, text)
    }

    /// As [`Config::parse`], for a file named `path` in messages that sits
    /// in `dir`.
    pub fn parse_in(path: &Path, dir: PathBuf, text: &str) -> Result<Config, String> {
        let errors = Errors { path, text };
        let raw: RawConfig = toml::from_str(text).map_err(|error| {
            let message = error.message().trim_end().to_owned();
            match error.span() {
                Some(span) => errors.at(span, message),
                None => format!("{}: {message}", path.display()),
            }
        })?;
        let mut steps = Vec::new();
        if raw.select.is_some() {
            steps.push(Step::Replace(errors.selectors(&raw.select)?));
        }
        steps.extend(errors.selectors(&raw.extend_select)?.into_iter().map(Step::Select));
        steps.extend(errors.selectors(&raw.ignore)?.into_iter().map(Step::Ignore));
        errors.levels(&raw.lints, &mut steps)?;

        let mut overrides = Vec::new();
        for raw_override in &raw.overrides {
            let mut builder = GlobSetBuilder::new();
            for pattern in &raw_override.paths {
                let glob = globset::GlobBuilder::new(pattern.get_ref())
                    .literal_separator(true)
                    .build()
                    .map_err(|error| errors.at(pattern.span(), format!("bad glob: {}", error.kind())))?;
                builder.add(glob);
                // A pattern without `/` matches the file name in any directory.
                if !pattern.get_ref().contains('/') {
                    builder.add(
                        Glob::new(&format!("**/{}", pattern.get_ref()))
                            .map_err(|error| errors.at(pattern.span(), error))?,
                    );
                }
            }
            let globs = builder.build().map_err(|error| format!("{}: {error}", path.display()))?;
            let mut override_steps: Vec<Step> =
                errors.selectors(&raw_override.select)?.into_iter().map(Step::Select).collect();
            override_steps.extend(errors.selectors(&raw_override.ignore)?.into_iter().map(Step::Ignore));
            errors.levels(&raw_override.lints, &mut override_steps)?;
            overrides.push(Override { globs, steps: override_steps });
        }

        let fail_on = match &raw.fail_on {
            Some(value) => Some(FailOn::from_name(value.get_ref()).ok_or_else(|| {
                errors.at(
                    value.span(),
                    format!("`fail-on` must be one of {} (found \"{}\")", FailOn::NAMES.join(", "), value.get_ref()),
                )
            })?),
            None => None,
        };
        let target = match &raw.target {
            Some(value) => Some(aa_target::Version::parse(value.get_ref()).ok_or_else(|| {
                errors
                    .at(value.span(), format!("`target` must be one of 3.0, 4.1, 5.0 (found \"{}\")", value.get_ref()))
            })?),
            None => None,
        };
        let target_distribution = match &raw.target_distribution {
            Some(value) if aa_lints::DISTRIBUTIONS.iter().any(|(d, _)| d == value.get_ref()) => {
                Some(value.get_ref().clone())
            }
            Some(value) => {
                let names: Vec<&str> = aa_lints::DISTRIBUTIONS.iter().map(|(d, _)| *d).collect();
                return Err(errors.at(
                    value.span(),
                    format!(
                        "`target-distribution` must be one of {} (found \"{}\")",
                        names.join(", "),
                        value.get_ref()
                    ),
                ));
            }
            None => None,
        };
        let resolve = |p: &str| if Path::new(p).is_absolute() { PathBuf::from(p) } else { dir.join(p) };
        Ok(Config {
            include_dirs: raw.include.iter().flatten().map(|p| resolve(p.get_ref())).collect(),
            base: raw.base.as_ref().map(|p| resolve(p.get_ref())),
            fail_on,
            target,
            target_distribution,
            path: path.to_path_buf(),
            text: text.to_string(),
            dir,
            steps,
            overrides,
        })
    }

    /// The file this configuration was read from, as named in messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory of the file: it applies to the paths below it.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file's selection steps for `path` (relative paths are relative to
    /// `cwd`): the top level, then each matching override in order.
    pub fn steps_for(&self, path: &Path, cwd: &Path) -> Vec<Step> {
        let mut steps = self.steps.clone();
        let absolute = normalise(&cwd.join(path));
        let dir = normalise(&cwd.join(&self.dir));
        let relative = absolute.strip_prefix(&dir).unwrap_or(path);
        let relative = relative.strip_prefix(".").unwrap_or(relative);
        for o in &self.overrides {
            if o.globs.is_match(relative) || o.globs.is_match(path) {
                steps.extend(o.steps.iter().cloned());
            }
        }
        steps
    }

    /// Applies the file's selection for `path` to `selection`.
    pub fn apply(&self, path: &Path, cwd: &Path, selection: LintSelection) -> LintSelection {
        self.steps_for(path, cwd).iter().fold(selection, apply_step)
    }
}

/// `a/./b` and `a/b` alike.
fn normalise(path: &Path) -> PathBuf {
    path.components().collect()
}

/// Applies selection steps in order.
pub fn apply_steps(selection: LintSelection, steps: &[Step]) -> LintSelection {
    steps.iter().fold(selection, apply_step)
}

fn apply_step(selection: LintSelection, step: &Step) -> LintSelection {
    // Selectors were checked when the file was read; an unknown one (from a
    // client's settings) is skipped.
    let fallback = selection.clone();
    let result = match step {
        Step::Replace(list) => list.iter().try_fold(LintSelection::none(), |s, name| s.select(name)),
        Step::Select(name) => selection.select(name),
        Step::Ignore(name) => selection.ignore(name),
        Step::Level(name, level) => selection.set_level(name, *level),
    };
    result.unwrap_or(fallback)
}

/// What [`Finder`] needs of the file system.
pub trait ConfigFiles {
    fn is_dir(&self, path: &Path) -> bool;
    /// The text of a regular file; `None` when there is no such file.
    fn read(&self, path: &Path) -> Option<Result<String, String>>;
}

/// Finds and caches the configuration of each directory.
pub struct Finder {
    forced: Option<Arc<Config>>,
    cwd: PathBuf,
    by_dir: HashMap<PathBuf, Option<Arc<Config>>>,
}

impl Finder {
    /// `forced` applies to every path (`--config FILE`); relative paths are
    /// relative to `cwd`.
    pub fn new(forced: Option<Config>, cwd: PathBuf) -> Finder {
        Finder { forced: forced.map(Arc::new), cwd, by_dir: HashMap::new() }
    }

    /// Reads and checks `path` (for `--config FILE`).
    pub fn load(files: &dyn ConfigFiles, path: &Path) -> Result<Config, String> {
        match files.read(path) {
            Some(Ok(text)) => Config::parse(path, &text),
            Some(Err(error)) => Err(format!("{}: cannot read: {error}", path.display())),
            None => Err(format!("{}: cannot read: no such file", path.display())),
        }
    }

    /// Forgets what was read (a configuration file changed).
    pub fn clear(&mut self) {
        self.by_dir.clear();
    }

    /// The configuration for a checked path: the forced one, or the first
    /// `aa-lint.toml` in the path's directory or above.
    pub fn for_path(&mut self, files: &dyn ConfigFiles, path: &Path) -> Result<Option<Arc<Config>>, String> {
        if let Some(forced) = &self.forced {
            return Ok(Some(forced.clone()));
        }
        let absolute = normalise(&self.cwd.join(path));
        let start = if files.is_dir(&absolute) { absolute.as_path() } else { absolute.parent().unwrap_or(&absolute) };
        let start = start.to_path_buf();
        self.for_dir(files, &start)
    }

    fn for_dir(&mut self, files: &dyn ConfigFiles, dir: &Path) -> Result<Option<Arc<Config>>, String> {
        if let Some(found) = self.by_dir.get(dir) {
            return Ok(found.clone());
        }
        let candidate = dir.join(FILE_NAME);
        let found = match files.read(&candidate) {
            Some(Ok(text)) => {
                // Named relative to the working directory when below it (for messages).
                let shown = candidate.strip_prefix(&self.cwd).map_or_else(|_| candidate.clone(), Path::to_path_buf);
                Some(Arc::new(Config::parse_in(&shown, dir.to_path_buf(), &text)?))
            }
            Some(Err(error)) => return Err(format!("{}: cannot read: {error}", candidate.display())),
            None => match dir.parent() {
                Some(parent) => self.for_dir(files, parent)?,
                None => None,
            },
        };
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(Path::new("dir/aa-lint.toml"), text)
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        let error = parse("select = [\"parser\"]\nignore = [\"AA999\"]\n").unwrap_err();
        assert_eq!(error, "dir/aa-lint.toml:2:11: `AA999` is not a lint code, lint name or group");
        let error = parse("colour = 1\n").unwrap_err();
        assert!(error.starts_with("dir/aa-lint.toml:1:1: unknown field `colour`"), "{error}");
        let error = parse("target = \"4.0\"\n").unwrap_err();
        assert!(error.starts_with("dir/aa-lint.toml:1:10: `target` must be one of 3.0, 4.1, 5.0"), "{error}");
        assert_eq!(parse("target = \"5.0\"\n").unwrap().target, Some(aa_target::Version::V5_0));
        assert_eq!(parse("target-distribution = \"arch\"\n").unwrap().target_distribution.as_deref(), Some("arch"));
        let error = parse("target-distribution = \"gentoo\"\n").unwrap_err();
        assert!(error.contains("`target-distribution` must be one of arch, debian"), "{error}");
        let error = parse("fail-on = \"sometimes\"\n").unwrap_err();
        assert!(error.starts_with("dir/aa-lint.toml:1:11: `fail-on` must be one of"), "{error}");
        let error = parse("\n[lints]\noverbroad-glob = \"loud\"\n").unwrap_err();
        assert!(error.starts_with("dir/aa-lint.toml:3:1: the level of `overbroad-glob`"), "{error}");
        let error = parse("select = [\"parser\"\n").unwrap_err();
        assert!(error.starts_with("dir/aa-lint.toml:"), "{error}");
    }

    #[test]
    fn steps_and_overrides_apply_in_order() {
        let config = parse(
            "select = [\"parser\", \"security\"]\nignore = [\"AA106\"]\n[lints]\noverbroad-glob = \"error\"\n\
             [[overrides]]\npaths = [\"abstractions/**\"]\nignore = [\"security\"]\nselect = [\"style\"]\n",
        )
        .unwrap();
        let lint = |code| aa_lints::lint_by_code_or_name(code).unwrap();
        let top = config.apply(Path::new("dir/usr.bin.foo"), Path::new("/w"), LintSelection::defaults());
        assert!(top.is_enabled(lint("AA105")) && !top.is_enabled(lint("AA106")) && !top.is_enabled(lint("AA201")));
        assert_eq!(top.level(lint("AA101")), Level::Error);
        let abstraction = config.apply(Path::new("dir/abstractions/base"), Path::new("/w"), LintSelection::defaults());
        assert!(!abstraction.is_enabled(lint("AA105")) && abstraction.is_enabled(lint("AA301")));
        assert!(abstraction.is_enabled(lint("AA001")));
    }
}
