//! Random profiles and random events: after the suggestions are applied,
//! every event the report did not set apart (denied on purpose) is
//! allowed, the proof holds (nothing allowed beyond the old profile and
//! the added rules), the added rules ask for no more than the events did
//! (paths as logged, permissions asked for), and a second run suggests
//! nothing.

mod common;

use std::path::Path;

use aa_hir::db::FileContent;
use proptest::prelude::*;

const RULES: &[&str] = &[
    "/a r,",
    "/a/* rw,",
    "owner /tmp/** rwk,",
    "deny /a/secret w,",
    "/a/b l,",
    "deny \"/tmp/x y\" m,",
    "capability chown,",
    "deny capability sys_admin,",
    "signal send set=(hup) peer=q,",
    "deny signal send set=(kill) peer=**,",
    "ptrace read peer=q,",
    "network inet stream,",
];

const PATHS: &[&str] = &["/a", "/a/b", "/a/secret", "/tmp/x", "/tmp/x y", "/tmp/st*ar", "/proc/123/stat", "/b/c,d"];
const MASKS: &[&str] = &["r", "w", "a", "k", "l", "m", "rw", "c", "d"];
const CAPS: &[(u32, &str)] = &[(0, "chown"), (12, "net_admin"), (21, "sys_admin"), (13, "net_raw")];
const SIGNALS: &[&str] = &["hup", "kill", "term"];

#[derive(Debug, Clone)]
enum Ev {
    File { path: usize, mask: usize, owner: bool },
    Cap(usize),
    Signal { sig: usize, peer_q: bool },
    Ptrace { read: bool },
    Net { dgram: bool },
}

fn ev() -> impl Strategy<Value = Ev> {
    prop_oneof![
        4 => (0..PATHS.len(), 0..MASKS.len(), any::<bool>()).prop_map(|(path, mask, owner)| Ev::File { path, mask, owner }),
        1 => (0..CAPS.len()).prop_map(Ev::Cap),
        1 => (0..SIGNALS.len(), any::<bool>()).prop_map(|(sig, peer_q)| Ev::Signal { sig, peer_q }),
        1 => any::<bool>().prop_map(|read| Ev::Ptrace { read }),
        1 => any::<bool>().prop_map(|dgram| Ev::Net { dgram }),
    ]
}

fn record(n: usize, e: &Ev) -> String {
    let head = format!("type=AVC msg=audit(1700000000.000:{n}): apparmor=\"DENIED\"");
    match e {
        Ev::File { path, mask, owner } => format!(
            "{head} operation=\"open\" class=\"file\" profile=\"p\" name=\"{}\" pid=1 comm=\"t\" requested_mask=\"{m}\" denied_mask=\"{m}\" fsuid=1000 ouid={}",
            PATHS[*path],
            if *owner { 1000 } else { 0 },
            m = MASKS[*mask]
        ),
        Ev::Cap(c) => format!(
            "{head} operation=\"capable\" class=\"cap\" profile=\"p\" pid=1 comm=\"t\" capability={} capname=\"{}\"",
            CAPS[*c].0, CAPS[*c].1
        ),
        Ev::Signal { sig, peer_q } => format!(
            "{head} operation=\"signal\" class=\"signal\" profile=\"p\" pid=1 comm=\"t\" requested_mask=\"send\" denied_mask=\"send\" signal={} peer=\"{}\"",
            SIGNALS[*sig],
            if *peer_q { "q" } else { "unconfined" }
        ),
        Ev::Ptrace { read } => format!(
            "{head} operation=\"ptrace\" class=\"ptrace\" profile=\"p\" pid=1 comm=\"t\" requested_mask=\"{m}\" denied_mask=\"{m}\" peer=\"q\"",
            m = if *read { "read" } else { "trace" }
        ),
        Ev::Net { dgram } => format!(
            "{head} operation=\"create\" class=\"net\" profile=\"p\" pid=1 comm=\"t\" family=\"inet\" sock_type=\"{}\" protocol=0 requested=\"create\" denied=\"create\"",
            if *dgram { "dgram" } else { "stream" }
        ),
    }
}

/// What a rule as logged says back: the path, unescaped and unquoted.
fn unescape(token: &str) -> String {
    let t = token.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(token);
    let mut out = String::new();
    let mut esc = false;
    for c in t.chars() {
        if !esc && c == '\\' {
            esc = true;
            continue;
        }
        esc = false;
        out.push(c);
    }
    out
}

fn check(rules: Vec<bool>, tunables: bool, generalise: bool, events: Vec<Ev>) -> Result<(), TestCaseError> {
    let mut text = String::new();
    if tunables {
        text.push_str("include <tunables/global>\n");
    }
    text.push_str("profile p {\n");
    for (on, r) in rules.iter().zip(RULES) {
        if *on {
            text.push_str(&format!("  {r}\n"));
        }
    }
    text.push_str("}\n");
    let log: String = events.iter().enumerate().map(|(i, e)| record(i + 1, e) + "\n").collect();
    let path = "/etc/apparmor.d/p";
    let mut db = common::database(vec![(path.to_owned(), text.clone())]);
    let opts = aa_suggest::Options { fine_grained_network: false, generalise, ..common::options() };
    let report = common::run(&mut db, &[path], &log, &opts);
    let mut after = text.clone();
    for p in &report.profiles {
        prop_assert!(p.error.is_none(), "{:?}\n{text}", p.error);
        prop_assert!(p.questions.is_empty(), "{:?}", p.questions);
        if let Some(proof) = &p.proof {
            prop_assert!(
                proof.compiled && proof.every_event_allowed && proof.nothing_beyond,
                "{proof:?}\n{text}\n{log}"
            );
        }
        if !generalise {
            // Paths as logged, permissions among those asked for at that path.
            for s in p.suggestions.iter().filter(|s| s.class == "file") {
                let body = s.rule.trim_end_matches(',').trim_start_matches("owner ");
                let (path_tok, letters) = body.rsplit_once(' ').unwrap();
                let logged = unescape(path_tok);
                let asked: String = events
                    .iter()
                    .filter_map(|e| match e {
                        Ev::File { path, mask, .. } if PATHS[*path] == logged => Some(MASKS[*mask]),
                        _ => None,
                    })
                    .collect::<String>()
                    .replace(['c', 'd'], "w");
                prop_assert!(!asked.is_empty(), "`{}`: no event at {logged}", s.rule);
                prop_assert!(letters.chars().all(|c| asked.contains(c)), "`{}` grants more than {asked}", s.rule);
            }
        }
    }
    if let Some(f) = report.files.first() {
        after = f.new.clone();
        // The per-rule insertions (an editor's one-at-a-time actions), all
        // applied, give the same file.
        let mut inserts: Vec<(usize, String)> = Vec::new();
        for p in &report.profiles {
            for s in &p.suggestions {
                let i = s.insert.as_ref().expect("an insertion");
                match inserts.iter_mut().find(|(o, _)| *o == i.offset) {
                    Some((_, t)) => t.push_str(&i.text),
                    None => inserts.push((i.offset, i.text.clone())),
                }
            }
        }
        inserts.sort_by_key(|i| std::cmp::Reverse(i.0));
        let mut rebuilt = text.clone();
        for (o, t) in inserts {
            rebuilt.insert_str(o, &t);
        }
        prop_assert_eq!(&rebuilt, &after);
    }
    // Again, on the edited profile: nothing more to add.
    db.set_file_content(Path::new(path), FileContent::Text(after.clone()), salsa::Durability::LOW);
    let again = common::run(&mut db, &[path], &log, &opts);
    for p in &again.profiles {
        prop_assert!(p.suggestions.is_empty(), "second run suggests {:?}\n{after}\n{log}", p.suggestions);
        prop_assert_eq!(p.denied.len(), report.profiles.iter().map(|p| p.denied.len()).sum::<usize>());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn suggestions_allow_every_event_and_nothing_else(
        rules in proptest::collection::vec(any::<bool>(), RULES.len()),
        tunables in any::<bool>(),
        generalise in any::<bool>(),
        events in proptest::collection::vec(ev(), 1..12),
    ) {
        check(rules, tunables, generalise, events)?;
    }
}
