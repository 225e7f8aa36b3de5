//! `aa-lint check`: arguments, configuration, fixes, output and exit status.
//!
//! How a file's lint selection is built, first to last (docs/cli.md):
//! the registry's defaults (`parser` group + default levels); the
//! `aa-lint.toml` that applies (`select` replaces, `extend-select` adds,
//! `ignore` removes, `[lints]` levels, then matching `[[overrides]]`);
//! then the command line (`--select` replaces all of that, `--extend-select`
//! adds, `--ignore` removes).

use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
};

use aa_config::{FailOn, Finder};
use aa_lints::LintSelection;
use aa_syntax::TextRange;
use clap::Args;

use crate::{
    Status,
    discover::discover,
    emit::{self, Counts, OutputFormat, plural},
    lint::{Checker, Finding, Plan},
    output::Printer,
    render::Styles,
    source::Input,
};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Comma-separated lints to run instead of the defaults (and of the
    /// configuration's): codes (`AA101`), code prefixes (`AA1`), names,
    /// groups (`parser`, `security`, `correctness`, `style`, `nursery`, `apparmor.d`) or
    /// `all`. `syntax` alone checks syntax only, file by file.
    #[arg(long, value_name = "SELECTORS", value_delimiter = ',', value_parser = parse_selector)]
    pub select: Option<Vec<String>>,
    /// Comma-separated lints to run in addition to the selection.
    #[arg(long, value_name = "SELECTORS", value_delimiter = ',', value_parser = parse_selector)]
    pub extend_select: Vec<String>,
    /// Comma-separated lints not to run.
    #[arg(long, value_name = "SELECTORS", value_delimiter = ',', value_parser = parse_selector)]
    pub ignore: Vec<String>,
    /// The lowest severity that makes the exit status 1 (default: `error`,
    /// or `fail-on` in aa-lint.toml).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output_format: OutputFormat,
    /// Use this aa-lint.toml for every path instead of looking for one
    /// upwards from each path.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every aa-lint.toml.
    #[arg(long)]
    pub isolated: bool,
    /// Apply safe fixes, re-check, and report what remains.
    #[arg(long)]
    pub fix: bool,
    /// With `--fix` or `--diff`: apply unsafe fixes too (they may change
    /// what a profile grants; review them).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the changes `--fix` would make as a unified diff; write nothing.
    /// Exit status 1 when there are changes.
    #[arg(long)]
    pub diff: bool,
    /// Search DIR for `include <...>` before the base directory, as
    /// `apparmor_parser -I` (repeatable).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    pub include_dirs: Vec<PathBuf>,
    /// The base directory of the policy, searched last for `include <...>`,
    /// as `apparmor_parser --base` (default: /etc/apparmor.d).
    #[arg(short = 'b', long = "base", value_name = "DIR")]
    pub base: Option<PathBuf>,
    /// apparmor_parser's configuration file, whose `Include` and `base`
    /// lines apply before the command line (`/dev/null` for none).
    #[arg(long = "config-file", value_name = "FILE", default_value = "/etc/apparmor/parser.conf")]
    pub config_file: PathBuf,
    /// Whose apparmor_parser to match: 3.0, 4.1 or 5.0 (default:
    /// `target` in aa-lint.toml, else the installed apparmor_parser's
    /// version, else 4.1). The parser-group checks and DFA lints follow it.
    #[arg(long, value_name = "VERSION", value_parser = crate::target::parse_target)]
    pub target: Option<aa_target::Version>,
    /// Which build of a collection with apparmor.d's `#aa:only` /
    /// `#aa:exclude` directives to lint: arch, debian, ubuntu, opensuse or
    /// fedora (default: `target-distribution` in aa-lint.toml, else the
    /// rules common to every build).
    #[arg(long, value_name = "DISTRIBUTION", value_parser = parse_distribution)]
    pub target_distribution: Option<String>,
    /// Files or directories to check (`-` for standard input).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

fn parse_selector(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("syntax") {
        return Ok("syntax".to_owned());
    }
    LintSelection::none().select(text).map(|_| text.to_owned()).map_err(|error| error.to_string())
}

fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    FailOn::from_name(text).ok_or_else(|| format!("expected one of {}", FailOn::NAMES.join(", ")))
}

/// `syntax` is the `syntax-error` lint when mixed with other selectors.
fn lint_selector(selector: &str) -> &str {
    if selector == "syntax" { "syntax-error" } else { selector }
}

struct Setup {
    plans: Vec<Plan>,
    fail_on: Vec<FailOn>,
}

/// `aa-lint.toml` files read from the file system.
struct OsConfigFiles;

impl aa_config::ConfigFiles for OsConfigFiles {
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

fn setup(args: &CheckArgs, inputs: &[Result<Input, String>]) -> Result<Setup, String> {
    // A missing parser.conf is normal (no AppArmor installed).
    let parser_conf =
        std::fs::read_to_string(&args.config_file).map(|text| aa_config::parser_conf::parse(&text)).unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let forced = args.config.as_deref().map(|path| Finder::load(&OsConfigFiles, path)).transpose()?;
    let mut finder = Finder::new(forced, cwd.clone());
    let mut plans = Vec::with_capacity(inputs.len());
    let mut fail_on = Vec::with_capacity(inputs.len());
    for input in inputs {
        let path = match input {
            Ok(Input::File(path)) => path.clone(),
            _ => cwd.join("<stdin>"),
        };
        let config = if args.isolated { None } else { finder.for_path(&OsConfigFiles, &path)? };
        let mut selection = LintSelection::defaults();
        if let Some(config) = &config {
            selection = config.apply(&path, &cwd, selection);
        }
        if let Some(select) = &args.select {
            selection = LintSelection::none();
            for s in select {
                selection = selection.select(lint_selector(s)).map_err(|e| e.to_string())?;
            }
        }
        for s in &args.extend_select {
            selection = selection.select(lint_selector(s)).map_err(|e| e.to_string())?;
        }
        for s in &args.ignore {
            selection = selection.ignore(lint_selector(s)).map_err(|e| e.to_string())?;
        }
        let search = aa_config::search_paths(&parser_conf, config.as_deref(), &args.include_dirs, args.base.as_deref());
        let target = crate::target::choose(args.target, config.as_ref().and_then(|c| c.target)).version;
        let target_distribution =
            args.target_distribution.clone().or_else(|| config.as_ref().and_then(|c| c.target_distribution.clone()));
        plans.push(Plan { selection, search, target, target_distribution });
        fail_on.push(args.fail_on.or_else(|| config.as_ref().and_then(|c| c.fail_on)).unwrap_or(FailOn::Error));
    }
    Ok(Setup { plans, fail_on })
}

fn parse_distribution(s: &str) -> Result<String, String> {
    if aa_lints::DISTRIBUTIONS.iter().any(|(d, _)| *d == s) {
        Ok(s.to_string())
    } else {
        let names: Vec<&str> = aa_lints::DISTRIBUTIONS.iter().map(|(d, _)| *d).collect();
        Err(format!("expected one of {}", names.join(", ")))
    }
}

pub fn run(args: &CheckArgs, styles: Styles, printer: &mut Printer) -> Status {
    let inputs = discover(&args.paths);
    let setup = match setup(args, &inputs) {
        Ok(setup) => setup,
        Err(message) => {
            printer.error(&message);
            return Status::Failure;
        }
    };
    let syntax_only =
        args.select.as_ref().is_some_and(|s| s.iter().all(|s| s == "syntax")) && args.extend_select.is_empty();

    let (report, fixed) = if syntax_only {
        (crate::lint::syntax_only(&inputs), None)
    } else {
        // A directory given whole is taken to be the policy `apparmor_parser`
        // loads from it, so that a transition target no file of it defines
        // can be flagged.
        let policy_dirs: Vec<PathBuf> = args.paths.iter().filter(|p| p.is_dir()).cloned().collect();
        let mut checker = Checker::new(&inputs, &setup.plans, &policy_dirs);
        if args.fix || args.diff {
            let fixed = fix(&mut checker, &inputs, args.unsafe_fixes, printer);
            (checker.run(), Some(fixed))
        } else {
            (checker.run(), None)
        }
    };

    for note in aa_lints::fallback_notes(&report.fallbacks) {
        printer.note(&format!("note: {note}"));
    }
    let mut status = Status::Clean;
    for (outcome, fail_on) in report.outcomes.iter().zip(&setup.fail_on) {
        match &outcome.result {
            Ok(findings) if findings.iter().any(|f| fail_on.fails(f.severity)) => {
                status = status.worst(Status::Findings)
            }
            Ok(_) => {}
            Err(message) => {
                printer.error(message);
                status = Status::Failure;
            }
        }
    }
    if inputs.is_empty() {
        printer.warning("no files to check");
    }

    if let Some(fixed) = &fixed {
        if args.diff {
            for change in &fixed.changes {
                printer.out(&unified_diff(&change.path, &change.before, &change.after));
            }
            let line =
                format!("Would fix {} in {}.", plural(fixed.count, "problem"), plural(fixed.changes.len(), "file"));
            printer.note(&line);
            return if fixed.changes.is_empty() { status.worst(Status::Clean) } else { status.worst(Status::Findings) };
        }
        for change in &fixed.changes {
            if let Err(error) = crate::write::write_atomic(&change.path, change.after.as_bytes()) {
                printer.error(&format!("{}: cannot write: {error}", change.path.display()));
                status = Status::Failure;
            }
        }
    }

    let counts = Counts::of(&report);
    match args.output_format {
        OutputFormat::Human => {
            printer.out(&emit::human(&report, styles));
            if let Some(fixed) = &fixed {
                printer.out(&format!(
                    "Fixed {} in {}.\n",
                    plural(fixed.count, "problem"),
                    plural(fixed.changes.len(), "file")
                ));
            }
            printer.out(&emit::summary(&counts, styles));
            printer.out("\n");
        }
        OutputFormat::Json => printer.out(&emit::json(&report)),
        OutputFormat::Sarif => printer.out(&emit::sarif(&report)),
        OutputFormat::Github => printer.out(&emit::github(&report)),
    }
    status
}

/// A file `--fix` changes.
pub struct Change {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
}

pub struct Fixed {
    pub count: usize,
    pub changes: Vec<Change>,
}

/// At most this many rounds of fix, re-check, fix.
const MAX_PASSES: usize = 10;

fn overlaps(a: TextRange, b: TextRange) -> bool {
    a.start() == b.start() || (a.start() < b.end() && b.start() < a.end())
}

/// Applies fixes in rounds (fixes of one round never overlap; the re-check
/// between rounds finds fixes that only appear once others are applied).
/// Only files that were checked are edited (not standard input, not the
/// abstractions they include). A file whose fixed text would have more
/// syntax errors than before is left as it was.
fn fix(checker: &mut Checker, inputs: &[Result<Input, String>], unsafe_fixes: bool, printer: &mut Printer) -> Fixed {
    let writable: HashSet<String> = inputs
        .iter()
        .filter_map(|i| match i {
            Ok(Input::File(path)) => Some(path.display().to_string()),
            _ => None,
        })
        .collect();
    let mut originals: HashMap<String, String> = HashMap::new();
    let mut current: HashMap<String, String> = HashMap::new();
    let mut refused: HashSet<String> = HashSet::new();
    let mut fixed_per_file: HashMap<String, usize> = HashMap::new();
    for _ in 0..MAX_PASSES {
        let report = checker.run();
        let mut taken: HashMap<String, Vec<TextRange>> = HashMap::new();
        let mut accepted: Vec<&Finding> = Vec::new();
        for finding in report.outcomes.iter().filter_map(|o| o.result.as_ref().ok()).flatten() {
            let Some(fix) = &finding.fix else { continue };
            if !(fix.safe || unsafe_fixes) || fix.edits.is_empty() {
                continue;
            }
            let editable =
                fix.edits.iter().all(|e| writable.contains(&e.location.path) && !refused.contains(&e.location.path));
            let free = fix.edits.iter().all(|e| {
                taken.get(&e.location.path).is_none_or(|ranges| ranges.iter().all(|r| !overlaps(*r, e.location.range)))
            });
            if editable && free {
                for e in &fix.edits {
                    taken.entry(e.location.path.clone()).or_default().push(e.location.range);
                }
                accepted.push(finding);
            }
        }
        if accepted.is_empty() {
            break;
        }
        let mut by_file: HashMap<String, Vec<(TextRange, String)>> = HashMap::new();
        let mut per_file_count: HashMap<String, usize> = HashMap::new();
        for finding in &accepted {
            if let Some(fix) = &finding.fix {
                for e in &fix.edits {
                    by_file.entry(e.location.path.clone()).or_default().push((e.location.range, e.new_text.clone()));
                }
                if let Some(first) = fix.edits.first() {
                    *per_file_count.entry(first.location.path.clone()).or_default() += 1;
                }
            }
        }
        let mut progressed = false;
        for (path, edits) in by_file {
            let Some(before) = current.get(&path).cloned().or_else(|| checker.text(Path::new(&path))) else { continue };
            let after = apply(&before, &edits);
            let original = originals.entry(path.clone()).or_insert_with(|| before.clone());
            if aa_syntax::parse(&after).errors().len() > aa_syntax::parse(original).errors().len() {
                printer.warning(&format!("{path}: fixes not applied: they would add syntax errors"));
                refused.insert(path.clone());
                if let Some(original) = originals.get(&path) {
                    checker.set_text(Path::new(&path), original.clone());
                }
                current.remove(&path);
                continue;
            }
            if after != before {
                progressed = true;
                *fixed_per_file.entry(path.clone()).or_default() += per_file_count.get(&path).copied().unwrap_or(0);
                checker.set_text(Path::new(&path), after.clone());
                current.insert(path, after);
            }
        }
        if !progressed {
            break;
        }
    }
    let mut changes: Vec<Change> = current
        .into_iter()
        .filter(|(path, _)| !refused.contains(path))
        .filter_map(|(path, after)| {
            let before = originals.remove(&path)?;
            (before != after).then(|| Change { before, path: PathBuf::from(path), after })
        })
        .collect();
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    let count = changes.iter().map(|c| fixed_per_file.get(&c.path.display().to_string()).copied().unwrap_or(0)).sum();
    Fixed { count, changes }
}

/// Applies non-overlapping edits of one file.
fn apply(text: &str, edits: &[(TextRange, String)]) -> String {
    let mut sorted: Vec<&(TextRange, String)> = edits.iter().collect();
    sorted.sort_by_key(|(range, _)| std::cmp::Reverse((range.start(), range.end())));
    let mut out = text.to_owned();
    for (range, new_text) in sorted {
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        if start <= end && end <= out.len() && out.is_char_boundary(start) && out.is_char_boundary(end) {
            out.replace_range(start..end, new_text);
        }
    }
    out
}

pub fn unified_diff(path: &Path, before: &str, after: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}
