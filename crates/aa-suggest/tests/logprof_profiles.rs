//! libapparmor's `test_multi` cases that come with the profile `aa-logprof`
//! writes for the record (`NAME.profile`): the profile built from our
//! suggestion, compiled, must grant the same permissions as aa-logprof's,
//! or fewer, and then the report must say why (a question left to the
//! author, a record that asks for nothing to add, a narrower rule).
//!
//! The base profile of each case is aa-logprof's with its rules taken out
//! (the profile and hat blocks stay), so the suggestion is made for the
//! profile aa-logprof started from.

mod common;

use std::path::PathBuf;

use aa_hir::db::Db;
use aa_suggest::check::{Coverage, covers};

fn cases_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("AA_LOG_TEST_MULTI")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/upstream/logs/test_multi"));
    dir.is_dir().then_some(dir)
}

/// aa-logprof's profile without its rules.
fn without_rules(profile: &str) -> String {
    profile
        .lines()
        .filter(|l| {
            let t = l.trim();
            !t.ends_with(',')
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Same,
    Narrower(String),
    Broader(String),
}

fn case(dir: &std::path::Path, name: &str) -> Outcome {
    let bytes = std::fs::read(dir.join(format!("{name}.in"))).unwrap();
    let input = String::from_utf8_lossy(&bytes[..bytes.len().min(1023)]).into_owned();
    let logprof = std::fs::read_to_string(dir.join(format!("{name}.profile"))).unwrap();
    let base = without_rules(&logprof);
    let mut db = common::database(vec![
        ("/etc/apparmor.d/base".into(), base.clone()),
        ("/etc/apparmor.d/logprof".into(), logprof.clone()),
    ]);
    let (record, error) = aa_log::read_record(&input);
    if let Some(e) = error {
        return Outcome::Narrower(format!("the record does not read: {}", e.message));
    }
    let entries = vec![aa_log::Entry { line: 1, record }];
    let root = db.file(std::path::Path::new("/etc/apparmor.d/base"));
    let report = aa_suggest::suggest(&mut db, &[root], &entries, &common::options());
    let ours = report.files.first().map(|f| f.new.clone()).unwrap_or(base);
    for p in &report.profiles {
        if let Some(proof) = &p.proof {
            assert!(
                proof.compiled && proof.every_event_allowed && proof.nothing_beyond,
                "{name}: not proved: {proof:?}"
            );
        }
    }
    db.set_file_content(
        std::path::Path::new("/etc/apparmor.d/ours"),
        aa_hir::db::FileContent::Text(ours.clone()),
        salsa::Durability::LOW,
    );
    let a = common::compiled_profiles(&db, "/etc/apparmor.d/ours");
    let b = common::compiled_profiles(&db, "/etc/apparmor.d/logprof");
    let mut same = true;
    for (name_b, cb, aside_b) in &b {
        let Some((_, ca, aside_a)) = a.iter().find(|(n, _, _)| n == name_b) else {
            return Outcome::Broader(format!("profile {name_b} missing"));
        };
        if covers(cb, ca, u32::MAX) != Coverage::Allowed {
            return Outcome::Broader(format!("ours allows more in {name_b}:\n{ours}"));
        }
        if covers(ca, cb, u32::MAX) != Coverage::Allowed {
            same = false;
        }
        for r in aside_a {
            if !aside_b.contains(r) {
                // A rule compared as text: aa-logprof's must be the same or broader.
                same = false;
                // Not encoded by this compiler: compared as words. Ours must
                // say everything aa-logprof's says (its conditions), and
                // may say more (the access asked for).
                let words = |t: &str| -> Vec<String> {
                    t.split(|c: char| c.is_whitespace() || "(),".contains(c))
                        .filter(|w| !w.is_empty() && *w != "peer=")
                        .map(str::to_owned)
                        .collect()
                };
                let ours = words(r);
                if !aside_b.iter().any(|x| words(x).iter().all(|w| ours.contains(w))) {
                    return Outcome::Broader(format!("rule `{r}` says less than {aside_b:?}"));
                }
            }
        }
        if aside_b.iter().any(|r| !aside_a.contains(r)) {
            same = false;
        }
    }
    if same {
        return Outcome::Same;
    }
    // Why ours is narrower, from the report.
    let mut why = Vec::new();
    for s in &report.skipped {
        why.push(format!("skipped: {}", s.reason));
    }
    for p in &report.profiles {
        for q in &p.questions {
            why.push(format!("question: {}", q.question));
        }
        for s in &p.suggestions {
            why.push(format!("narrower rule: `{}`", s.rule));
        }
        for u in &p.unmediated {
            why.push(format!("not mediated by the features: {}", u.class));
        }
        if let Some(e) = &p.error {
            why.push(format!("error: {e}"));
        }
    }
    Outcome::Narrower(why.join("; "))
}

#[test]
fn suggestions_match_or_narrow_aa_logprofs_profiles() {
    let Some(dir) = cases_dir() else {
        assert!(std::env::var_os("CI").is_none(), "the test_multi cases are required under CI");
        eprintln!("SKIPPED: no test_multi cases (set AA_LOG_TEST_MULTI)");
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".profile").map(str::to_owned))
        .collect();
    names.sort();
    assert_eq!(names.len(), 142, "the corpus has 142 cases with a profile");
    let mut same = 0;
    let mut narrower = Vec::new();
    let mut broader = Vec::new();
    for name in &names {
        match case(&dir, name) {
            Outcome::Same => same += 1,
            Outcome::Narrower(why) => narrower.push(format!("{name}: {why}")),
            Outcome::Broader(why) => broader.push(format!("{name}: {why}")),
        }
    }
    eprintln!("same: {same}, narrower: {}, broader: {}", narrower.len(), broader.len());
    for n in &narrower {
        eprintln!("narrower {n}");
    }
    assert!(broader.is_empty(), "{} cases broader than aa-logprof:\n{}", broader.len(), broader.join("\n"));
    for n in &narrower {
        let why = n.split_once(": ").map_or("", |x| x.1);
        assert!(!why.is_empty(), "{n}: narrower without a reason");
    }
}
