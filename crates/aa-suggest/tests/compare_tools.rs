//! The side-by-side comparison of docs/suggest.md ("Against the other
//! tools"): for one record of each class, what aa-lint, the Python language
//! server 0.10.0 and aa-logprof (Debian's apparmor-utils) suggest, whether
//! the profile each gives allows the event, and which is narrower.
//!
//! `compare/compare.py` runs the two other tools and records what they
//! suggested in `compare/outputs.json`. Here aa-lint's suggestion is made,
//! each tool's rules are put into the same base profile, every profile is
//! compiled (with the system's tunables and abstractions, abi 4.0 features)
//! and the compiled profiles are compared both ways with `check::covers`
//! (rules this compiler does not encode: as rule words). The table made
//! must be the one in docs/suggest.md (`UPDATE_EXPECT=1` rewrites it).

mod common;

use std::path::{Path, PathBuf};

use aa_hir::db::{Db, RootDatabase};
use aa_hir::model::policy_model;
use aa_suggest::check::{Coverage, covers};
use serde_json::Value;

const SYSTEM: &str = "/etc/apparmor.d";
const TEST_MULTI: &str = "/work/shared/upstream/logs/test_multi";
const LOGPROF_DIR: &str = "/work/shared/upstream/logs/logprof";
const BEGIN: &str = "<!-- compare-table: made by crates/aa-suggest/tests/compare_tools.rs -->";
const END: &str = "<!-- /compare-table -->";

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The system's tunables, abstractions and abi, as (path, text).
fn system_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if let Ok(t) = std::fs::read_to_string(&p) {
                out.push((p.display().to_string(), t));
            }
        }
    }
    let mut out = Vec::new();
    for sub in ["tunables", "abstractions", "abi"] {
        walk(&Path::new(SYSTEM).join(sub), &mut out);
    }
    out
}

/// The record of a case, read where `compare.py` read it (upstream's log
/// tests are not copied into the repository).
fn record_of(case: &str) -> String {
    let path = match case.strip_prefix("logprof/") {
        Some(name) => Path::new(LOGPROF_DIR).join(name),
        None => Path::new(TEST_MULTI).join(format!("{case}.in")),
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The base profile of a case, made as `compare.py` makes it: the
/// system's `bin.ping` for aa-logprof's ping session, else an empty profile
/// named by the record's label.
fn base_profile(case: &str, label: &str) -> String {
    if case.starts_with("logprof/") {
        return std::fs::read_to_string(Path::new(SYSTEM).join("bin.ping")).expect("the system's bin.ping");
    }
    let head = if label.starts_with('/') { label.to_owned() } else { format!("profile {label}") };
    format!("include <tunables/global>\n\n{head} {{\n}}\n")
}

/// `rules` inserted before the last closing brace of `base`.
fn with_rules(base: &str, rules: &[String]) -> String {
    let at = base.rfind('}').expect("a profile block");
    let added: String = rules.iter().map(|r| format!("  {r}\n")).collect();
    format!("{}{added}{}", &base[..at], &base[at..])
}

struct Compiled {
    profile: aa_dfa::CompiledProfile,
    /// The rules set aside (not encoded), as written.
    aside: Vec<String>,
    /// Every rule of the profile, includes and all, as written.
    rules: Vec<String>,
}

fn compile(db: &RootDatabase, path: &str, name: &str) -> Result<Compiled, String> {
    let root = db.file(Path::new(path));
    let model = policy_model(db, root);
    let i = model.profiles.iter().position(|p| p.name == name).ok_or("no such profile")?;
    let c = aa_suggest::compile::compile(db, model, i, &common::compile_options())?;
    let text = |r: usize| {
        let loc = model.profiles[i].rules[r].origin.location;
        let aa_hir::db::FileContent::Text(t) = loc.file.content(db) else { return String::new() };
        common::normalise(&t[usize::from(loc.range.start())..usize::from(loc.range.end())])
    };
    let aside = c.set_aside.iter().map(|&r| text(r)).collect();
    let rules = (0..model.profiles[i].rules.len()).map(text).collect();
    Ok(Compiled { profile: c.compiled, aside, rules })
}

/// Whether `a` allows everything `b` does (`b` within `a`): compiled
/// automata, then the rules set aside (each of `b`'s must be said by one
/// of `a`'s with no more conditions: `a`'s words a subset of `b`'s).
/// Qualifiers count as words: `owner` says more, so it is not dropped.
fn within(b: &Compiled, a: &Compiled) -> bool {
    if covers(&a.profile, &b.profile, u32::MAX) != Coverage::Allowed {
        return false;
    }
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| c.is_whitespace() || "(),".contains(c))
            .filter(|w| !w.is_empty() && *w != "peer=")
            .map(str::to_owned)
            .collect()
    };
    // A rule of `a` of the same class that says no more than `b`'s (a
    // compiled one included: `network inet dgram,` allows what
    // `network send inet dgram ip=... port=...,` does).
    b.aside.iter().all(|rb| a.rules.iter().any(|ra| words(ra).iter().all(|w| words(rb).contains(w))))
}

/// What suggesting again on a tool's profile says: nothing left (the
/// profile allows the event), or what is left.
fn left_over(report: &aa_suggest::Report) -> Option<String> {
    let mut left = Vec::new();
    for p in &report.profiles {
        left.extend(p.suggestions.iter().map(|s| format!("`{}`", s.rule)));
        left.extend(p.questions.iter().map(|_| "an exec question".to_owned()));
        left.extend(p.unmediated.iter().map(|u| format!("{} not mediated", u.class)));
        if let Some(e) = &p.error {
            left.push(e.clone());
        }
    }
    (!left.is_empty()).then(|| left.join(", "))
}

struct Tool {
    name: &'static str,
    rules: Vec<String>,
    /// `None` when the profile with its rules allows the event.
    not_allowed: Option<String>,
    compiled: Option<Compiled>,
}

fn cell(rules: &[String]) -> String {
    if rules.is_empty() {
        return "—".to_owned();
    }
    rules.iter().map(|r| format!("`{}`", r.replace('|', "\\|"))).collect::<Vec<_>>().join("<br>")
}

/// The order of the tools whose profiles allow the event, narrowest
/// first: `A < B` (A allows less), `A = B`, `A ≠ B` (neither within the
/// other).
fn order(tools: &[Tool]) -> String {
    let ok: Vec<&Tool> = tools.iter().filter(|t| t.not_allowed.is_none() && t.compiled.is_some()).collect();
    let mut groups: Vec<Vec<&Tool>> = Vec::new();
    for t in ok {
        match groups.iter_mut().find(|g| {
            let (a, b) = (g[0].compiled.as_ref().unwrap(), t.compiled.as_ref().unwrap());
            within(a, b) && within(b, a)
        }) {
            Some(g) => g.push(t),
            None => groups.push(vec![t]),
        }
    }
    // Narrowest first: a group within every later one.
    // `a` within `b`: `b` allows everything `a` does.
    let within_group =
        |a: &Vec<&Tool>, b: &Vec<&Tool>| within(a[0].compiled.as_ref().unwrap(), b[0].compiled.as_ref().unwrap());
    groups.sort_by(|a, b| {
        if within_group(a, b) {
            std::cmp::Ordering::Less
        } else if within_group(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    let mut out = String::new();
    for (k, g) in groups.iter().enumerate() {
        if k > 0 {
            out.push_str(if within_group(&groups[k - 1], g) { " < " } else { " ≠ " });
        }
        out.push_str(&g.iter().map(|t| t.name).collect::<Vec<_>>().join(" = "));
    }
    let refused: Vec<&str> = tools.iter().filter(|t| t.not_allowed.is_some()).map(|t| t.name).collect();
    if !refused.is_empty() {
        out.push_str(&format!("{}(does not allow it: {})", if out.is_empty() { "" } else { "; " }, refused.join(", ")));
    }
    out
}

#[test]
fn the_comparison_table_is_current() {
    if !Path::new(SYSTEM).join("tunables/global").exists() {
        eprintln!("SKIPPED: no {SYSTEM}/tunables (the apparmor package's policy)");
        return;
    }
    if !Path::new(TEST_MULTI).is_dir() || !Path::new(LOGPROF_DIR).is_dir() {
        eprintln!("SKIPPED: no {TEST_MULTI} or {LOGPROF_DIR} (upstream's log tests)");
        return;
    }
    let outputs: Value =
        serde_json::from_str(&std::fs::read_to_string(here().join("compare/outputs.json")).unwrap()).unwrap();
    // (case, class, why), by hand.
    let why: Vec<(String, String, String)> = std::fs::read_to_string(here().join("compare/records.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].to_owned(), f[0].to_owned(), f.get(2).copied().unwrap_or("").to_owned())
        })
        .collect();
    let strs = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_owned)).collect()
    };
    let system = system_files();
    let mut table = String::from(
        "| class | record | aa-lint | Python server 0.10.0 | aa-logprof 3.0.8 (its default) | narrower (compiled) | why |\n|---|---|---|---|---|---|---|\n",
    );
    let mut counts = [0usize; 3];
    let mut narrowest = [0usize; 3];
    let rows = outputs["rows"].as_array().unwrap();
    for row in rows {
        let case = row["case"].as_str().unwrap();
        let record = &record_of(case);
        let read = aa_log::read_log(record);
        let Some(name) = read.entries.iter().find_map(|e| e.record.profile.clone()) else {
            panic!("{case}: no profile in the record")
        };
        let base = base_profile(case, &name);
        let mut files = system.clone();
        files.push((format!("{SYSTEM}/cmp/base"), base.clone()));
        let mut db = common::database(files);
        let root = db.file(Path::new(&format!("{SYSTEM}/cmp/base")));
        let report = aa_suggest::suggest(&mut db, &[root], &read.entries, &common::options());
        let p = report.profiles.first();
        let mut ours: Vec<String> =
            p.map(|p| p.suggestions.iter().map(|s| s.rule.clone()).collect()).unwrap_or_default();
        if let Some(p) = p {
            ours.extend(p.questions.iter().map(|q| format!("? {}", q.question.split(':').next().unwrap_or(""))));
            ours.extend(p.unmediated.iter().map(|u| format!("- {} not mediated", u.class)));
        }
        let ours_text = report.files.first().map(|f| f.new.clone()).unwrap_or_else(|| base.clone());
        let python = strs(&row["python"]["rules"]);
        let logprof = strs(&row["logprof"]["rules"]);
        let mut tools = Vec::new();
        for (tool, rules, text) in [
            ("aa-lint", ours.clone(), ours_text),
            ("Python", python.clone(), with_rules(&base, &python)),
            ("aa-logprof", logprof.clone(), with_rules(&base, &logprof)),
        ] {
            let path = format!("{SYSTEM}/cmp/{tool}");
            db.set_file_content(Path::new(&path), aa_hir::db::FileContent::Text(text), salsa::Durability::LOW);
            let compiled = compile(&db, &path, &name);
            let not_allowed = match &compiled {
                Err(e) => Some(format!("does not compile: {e}")),
                Ok(_) => {
                    let r = db.file(Path::new(&path));
                    left_over(&aa_suggest::suggest(&mut db, &[r], &read.entries, &common::options()))
                }
            };
            tools.push(Tool { name: tool, rules, not_allowed, compiled: compiled.ok() });
        }
        for (k, t) in tools.iter().enumerate() {
            if t.not_allowed.is_none() {
                counts[k] += 1;
            }
        }
        let ord = order(&tools);
        let first: Vec<&str> = ord.split(['<', '≠', ';']).next().unwrap_or("").split(" = ").map(str::trim).collect();
        for (k, t) in tools.iter().enumerate() {
            if t.not_allowed.is_none() && first.contains(&t.name) && !ord.contains('≠') {
                narrowest[k] += 1;
            }
        }
        // aa-logprof's narrowest option, when its default is another.
        let mut logprof_cell = cell(&tools[2].rules);
        for q in row["logprof"]["questions"].as_array().into_iter().flatten() {
            let opts = strs(&q["options"]);
            if q["headers"].as_object().is_some_and(|h| !h.is_empty())
                && opts.len() > 1
                && let Some(last) = opts.last()
            {
                logprof_cell.push_str(&format!("<br>(narrowest offered: `{last}`)"));
            }
        }
        let shown_record =
            record.lines().find(|l| l.contains("apparmor=") || l.contains("operation=")).unwrap_or(record);
        let op = shown_record.split("operation=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("?");
        let (class, reason) = why
            .iter()
            .find(|(c, _, _)| c == case)
            .map(|(_, k, w)| (k.as_str(), w.as_str()))
            .unwrap_or_else(|| panic!("{case} is not in records.tsv: run compare.py again"));
        let notes: Vec<String> = tools
            .iter()
            .filter_map(|t| {
                t.not_allowed.as_ref().filter(|_| !t.rules.is_empty()).map(|n| format!("Left by {}: {n}.", t.name))
            })
            .collect();
        let mut notes = notes;
        let info = strs(&row["logprof"]["info"]);
        if logprof.is_empty() {
            notes.push(if info.iter().any(|i| i.ends_with("-mode changes:")) {
                "aa-logprof 3.0.8 reads the record but has no rule for the class.".to_owned()
            } else {
                "aa-logprof 3.0.8 does not read the record (its libapparmor rejects it).".to_owned()
            });
        }
        if python.is_empty() && !reason.contains("Python") {
            notes.push("The Python server suggests nothing.".to_owned());
        }
        let reason =
            [reason.to_owned(), notes.join(" ")].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>().join(" ");
        table.push_str(&format!(
            "| {class} | `{case}` ({op}) | {} | {} | {} | {ord} | {reason} |\n",
            cell(&tools[0].rules),
            cell(&tools[1].rules),
            logprof_cell,
        ));
    }
    let n = rows.len();
    let summary = format!(
        "\nOf {n} records, the profile each tool gives allows the event: aa-lint {}, Python {}, aa-logprof {}; \
         narrowest of those that allow it (alone or tied): aa-lint {}, Python {}, aa-logprof {}.\n",
        counts[0], counts[1], counts[2], narrowest[0], narrowest[1], narrowest[2]
    );
    let made = format!("{BEGIN}\n{table}{summary}{END}");
    let doc_path = here().join("../../docs/suggest.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    let current = doc.find(BEGIN).and_then(|s| doc[s..].find(END).map(|e| &doc[s..s + e + END.len()]));
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        let new = match current {
            Some(c) => doc.replace(c, &made),
            None => format!("{doc}\n{made}\n"),
        };
        std::fs::write(&doc_path, new).unwrap();
        return;
    }
    assert_eq!(current, Some(made.as_str()), "docs/suggest.md's table is not current: UPDATE_EXPECT=1 rewrites it");
}
