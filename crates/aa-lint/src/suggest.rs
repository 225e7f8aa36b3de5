//! `aa-lint suggest`: the rules the profiles lack for the events of a log
//! (`aa_suggest` does the work; this reads the log, the journal and the
//! files, prints, and writes `--write` edits).
//!
//! Exit status: 0 when nothing is to be added, 1 when there are
//! suggestions or questions, 2 when something could not be run.

use std::path::{Path, PathBuf};
use std::process::Command;

use aa_compile::options_for;
use aa_target::Target;
use clap::Args;

use crate::Status;
use crate::check::unified_diff;
use crate::compile::{PolicyArgs, features};

/// The running kernel's features (a directory tree, one file per value).
const KERNEL_FEATURES: &str = "/sys/kernel/security/apparmor/features";
use crate::exec::{policy_database, policy_roots};
use crate::output::Printer;

#[derive(Debug, Args)]
pub struct SuggestArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Only the events of this profile (`name`, `parent//hat`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The log to read (`-`: standard input): auditd, syslog, kern.log,
    /// dmesg, or journalctl output (short or `-o json`). Repeatable.
    #[arg(long = "log", value_name = "FILE")]
    pub logs: Vec<PathBuf>,
    /// Read the journal (`journalctl -o json` of the kernel and audit
    /// transports).
    #[arg(long)]
    pub journal: bool,
    /// With --journal: only entries since this time (journalctl's --since).
    #[arg(long, value_name = "TIME", requires = "journal")]
    pub since: Option<String>,
    /// Print the changes as a unified diff.
    #[arg(long, conflicts_with = "json")]
    pub diff: bool,
    /// Write the changes into the profile files (each written to a
    /// temporary file beside it, then renamed over it).
    #[arg(long)]
    pub write: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also offer abstractions that grant several of the rules (each
    /// abstraction of the search path is compiled: slower).
    #[arg(long)]
    pub abstractions: bool,
    /// Write paths as logged: no `@{HOME}`, `@{pid}`, ... from the profile's variables.
    #[arg(long = "no-variables")]
    pub no_variables: bool,
    /// Policy files or directories (directories: every file in them).
    #[arg(required = true, value_name = "POLICY")]
    pub paths: Vec<PathBuf>,
}

fn read_logs(args: &SuggestArgs) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for log in &args.logs {
        if log.as_os_str() == "-" {
            let bytes = crate::source::read_stdin()?;
            out.push(("<stdin>".to_owned(), String::from_utf8_lossy(&bytes).into_owned()));
        } else {
            let bytes = std::fs::read(log).map_err(|e| format!("{}: cannot read: {e}", log.display()))?;
            out.push((log.display().to_string(), String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    if args.journal {
        let mut cmd = Command::new("journalctl");
        cmd.args(["-o", "json", "--no-pager", "-q"]);
        if let Some(since) = &args.since {
            cmd.arg("--since").arg(since);
        }
        cmd.args(["_TRANSPORT=kernel", "_TRANSPORT=audit"]);
        let output = cmd.output().map_err(|e| format!("cannot run journalctl: {e}"))?;
        if !output.status.success() {
            return Err(format!("journalctl failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
        }
        out.push(("<journal>".to_owned(), String::from_utf8_lossy(&output.stdout).into_owned()));
    }
    if out.is_empty() {
        return Err("no log: give --log FILE (or -) or --journal".to_owned());
    }
    Ok(out)
}

/// The features the events are checked against, and where they came
/// from: `-M` (a file, or a directory like the kernel's), else the running
/// kernel's, else the system's features file or none (as `compile`).
fn suggest_features(args: &PolicyArgs) -> Result<(aa_dfa::Features, String), String> {
    let kernel = Path::new(KERNEL_FEATURES);
    let dir = match &args.features_file {
        Some(p) if p.is_dir() => Some(p.as_path()),
        Some(_) => None,
        None => kernel.is_dir().then_some(kernel),
    };
    if let Some(dir) = dir {
        let text =
            aa_lsp::read_features_dir(dir).map_err(|e| format!("cannot read features {}: {e}", dir.display()))?;
        let what = if dir == kernel { "the running kernel's" } else { "the features directory" };
        return Ok((aa_dfa::Features::parse(&text), format!("{what} {}", dir.display())));
    }
    let (feats, path) = features(args)?;
    let source = match path {
        Some(p) => p.display().to_string(),
        None => "no features file: the defaults".to_owned(),
    };
    Ok((feats, source))
}

fn lines(l: &[usize]) -> String {
    let shown: Vec<String> = l.iter().take(8).map(ToString::to_string).collect();
    let more = if l.len() > 8 { format!(" (+{})", l.len() - 8) } else { String::new() };
    format!("{} {}{more}", if l.len() == 1 { "line" } else { "lines" }, shown.join(", "))
}

/// A path as shown: relative to the working directory when under it.
fn shown(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    path.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

fn text_report(report: &aa_suggest::Report, features: &str, printer: &mut Printer) {
    for p in &report.profiles {
        let unmediated: usize = p.unmediated.iter().map(|u| u.lines.len()).sum();
        printer.out(&format!(
            "{} ({}): {} events, {} allowed already, {} denied on purpose, {} to add, {} questions{}\n",
            p.profile,
            shown(&p.file).display(),
            p.events,
            p.allowed.len(),
            p.denied.len(),
            p.suggestions.len(),
            p.questions.len(),
            if unmediated > 0 { format!(", {unmediated} not mediated by the features") } else { String::new() }
        ));
        if let Some(e) = &p.error {
            printer.out(&format!("  error: {e}\n"));
        }
        for s in &p.suggestions {
            let note = s.note.as_deref().map(|n| format!(" [{n}]")).unwrap_or_default();
            printer.out(&format!("  + {}    # {}{note}\n", s.rule, lines(&s.lines)));
        }
        for d in &p.denied {
            let by = if d.by.is_empty() { String::new() } else { format!(" by {}", d.by.join("; ")) };
            printer.out(&format!("  ! denied on purpose: {}{by}    # {}\n", d.access, lines(&d.lines)));
        }
        for o in &p.offers {
            printer.out(&format!(
                "  ~ or `{}` instead of {} of these rules (it has {} rules: it grants more)    # {}\n",
                o.include,
                o.replaces.len(),
                o.size,
                lines(&o.lines)
            ));
        }
        for q in &p.questions {
            printer.out(&format!("  ? {}    # {}\n", q.question, lines(&q.lines)));
        }
        for u in &p.unmediated {
            printer.out(&format!(
                "  - not checked: {} is not mediated by the features used ({features}: no `{}`); the kernel that \
                 logged it mediates it: give its features with -M    # {}\n",
                u.class,
                u.feature,
                lines(&u.lines)
            ));
        }
        if let Some(proof) = &p.proof {
            let ok = proof.compiled && proof.every_event_allowed && proof.nothing_beyond;
            printer.out(&format!(
                "  proof: {}\n",
                if ok {
                    "recompiled; every event allowed; nothing allowed beyond the old profile and the added rules"
                        .to_owned()
                } else {
                    format!("NOT PROVED: {}", proof.problems.join("; "))
                }
            ));
            for prob in proof.problems.iter().filter(|_| ok) {
                printer.out(&format!("  note: {prob}\n"));
            }
        }
    }
    if !report.skipped.is_empty() {
        let mut reasons: Vec<(&str, usize)> = Vec::new();
        for s in &report.skipped {
            match reasons.iter_mut().find(|(r, _)| *r == s.reason) {
                Some(e) => e.1 += 1,
                None => reasons.push((&s.reason, 1)),
            }
        }
        printer.out(&format!("{} records give nothing to add:\n", report.skipped.len()));
        for (r, n) in reasons {
            printer.out(&format!("  {n} × {r}\n"));
        }
    }
}

pub fn run(args: &SuggestArgs, printer: &mut Printer) -> Status {
    let logs = match read_logs(args) {
        Ok(l) => l,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let mut entries = Vec::new();
    let mut status = Status::Clean;
    let mut offset = 0;
    for (name, text) in &logs {
        let read = aa_log::read_log(text);
        for e in &read.errors {
            printer.error(&format!("{name}: {e}"));
        }
        // Lines count on across logs.
        entries.extend(read.entries.into_iter().map(|mut e| {
            e.line += offset;
            e
        }));
        offset += text.lines().count();
    }
    let (feats, features_source) = match suggest_features(&args.policy) {
        Ok(f) => f,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let target = crate::target::choose(args.policy.target, None).version;
    let mut db = policy_database(&args.policy, &args.paths);
    db.set_target(target);
    let roots = match policy_roots(&db, &args.paths) {
        Ok(r) => r,
        Err(e) => {
            printer.error(&e);
            return Status::Failure;
        }
    };
    let opts = aa_suggest::Options {
        profile: args.profile.clone(),
        compile: options_for(Target::of(target), feats),
        generalise: !args.no_variables,
        fine_grained_network: target != aa_target::Version::V3_0,
        offer_abstractions: args.abstractions,
    };
    let report = aa_suggest::suggest(&mut db, &roots, &entries, &opts);
    if report.profiles.iter().any(|p| !p.suggestions.is_empty() || !p.questions.is_empty()) {
        status = status.worst(Status::Findings);
    }
    // Paths as shown: relative to the working directory.
    let mut display = report.clone();
    let cwd = format!("{}/", std::env::current_dir().unwrap_or_default().display());
    for p in &mut display.profiles {
        p.file = shown(&p.file);
        for d in &mut p.denied {
            for b in &mut d.by {
                if let Some(rest) = b.strip_prefix(&cwd) {
                    *b = rest.to_owned();
                }
            }
        }
    }
    for f in &mut display.files {
        f.path = shown(&f.path);
    }
    if args.json {
        match serde_json::to_string_pretty(&display) {
            Ok(j) => printer.out(&format!("{j}\n")),
            Err(e) => {
                printer.error(&format!("cannot write JSON: {e}"));
                return Status::Failure;
            }
        }
    } else if args.diff {
        for f in &display.files {
            printer.out(&unified_diff(&f.path, &f.old, &f.new));
        }
    } else {
        text_report(&display, &features_source, printer);
    }
    if args.write {
        for f in &report.files {
            let proved =
                report.profiles.iter().filter(|p| p.file == f.path).all(|p| {
                    p.proof.as_ref().is_none_or(|pr| pr.compiled && pr.every_event_allowed && pr.nothing_beyond)
                });
            if !proved {
                printer.error(&format!("{}: not written: the suggestions were not proved", f.path.display()));
                status = Status::Failure;
                continue;
            }
            match crate::write::write_atomic(&f.path, f.new.as_bytes()) {
                Ok(()) => printer.note(&format!("wrote {}", f.path.display())),
                Err(e) => {
                    printer.error(&format!("{}: cannot write: {e}", f.path.display()));
                    status = Status::Failure;
                }
            }
        }
    }
    status
}

#[cfg(test)]
mod tests {
    /// A tree laid out as the kernel's `features/` (values as a 6.x
    /// kernel writes them) reads as the features-file form does.
    #[test]
    fn a_kernel_features_tree_reads_as_its_features_file() {
        let dir = std::env::temp_dir().join(format!("aa-lint-features-{}", std::process::id()));
        let files = [
            ("file/mask", "create read write exec append mmap_exec link lock\n"),
            ("signal/mask", "hup int quit ill trap abrt bus fpe kill usr1 segv usr2 pipe alrm term\n"),
            ("network/af_unix", "yes\n"),
            ("network_v8/af_mask", "unspec unix inet ax25 ipx appletalk\n"),
            ("ipc/posix_mqueue", "create read write open delete setattr getattr\n"),
            ("namespaces/mask", "userns_create\n"),
            ("namespaces/pivot_root", "no\n"),
            ("policy/versions/v7", "yes\n"),
            ("domain/stack", "yes\n"),
        ];
        for (path, value) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, value).unwrap();
        }
        let text = aa_lsp::read_features_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let f = aa_dfa::Features::parse(&text);
        assert!(f.policydb && f.signal && f.unix && f.network_v8 && f.posix_mqueue && f.userns && f.stacking);
        assert!(!f.dbus && !f.mount && !f.ptrace && !f.sysv_mqueue && !f.io_uring);
        assert_eq!(f.kernel_abi, 7);
        assert!(text.starts_with("domain {stack {yes\n}\n}\nfile {mask {create read"), "{text}");
    }
}
