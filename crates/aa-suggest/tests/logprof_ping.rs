//! aa-logprof's own `ping` session (`utils/test/logprof/` upstream, read in
//! place from the shared corpus).
//!
//! Of its four files only `ping.auditlog` is a kernel log (auditd's format).
//! `ping.allowlog` is what aa-logprof prints when it allows everything
//! itself (`Adding owner /proc/*/cmdline r, to profile ping.`),
//! `ping.jsonlog` is the JSON dialogue of an interactive session in which
//! the user turned `owner` off and chose the literal path, and
//! `ping.bin.ping` is the profile that session wrote. So the kernel record
//! is also given in the other forms the kernel's records come in (syslog,
//! dmesg, journal JSON), each built from the auditd line, and for each:
//!
//! - with paths as logged (`--no-variables`), the profile built from our
//!   suggestion is `ping.bin.ping` with `owner` added to the new rule (the
//!   record has fsuid == ouid; the session's user turned owner off):
//!   equivalent once `owner` is dropped, and narrower as it is;
//! - with variables, the rule is `owner @{PROC}/@{pid}/cmdline r,`:
//!   narrower than aa-logprof's own choice (`owner /proc/*/cmdline r,`,
//!   from the allow log), as `@{pid}` matches numbers only.

mod common;

use std::path::{Path, PathBuf};

use aa_hir::db::{Db, FileContent};
use aa_suggest::check::{Coverage, covers};

fn dir() -> Option<PathBuf> {
    let d = std::env::var_os("AA_LOGPROF_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/upstream/logs/logprof"));
    d.is_dir().then_some(d)
}

/// The auditd log in four forms.
fn forms(auditlog: &str) -> Vec<(&'static str, String)> {
    let avc = auditlog.lines().find(|l| l.starts_with("type=AVC") && l.contains("DENIED")).expect("an AVC record");
    let (stamp, fields) = avc.strip_prefix("type=AVC msg=").unwrap().split_once(": ").unwrap();
    let json_message = format!("audit: type=1400 {stamp}: {fields}").replace('\\', "\\\\").replace('"', "\\\"");
    vec![
        ("auditd", auditlog.to_owned()),
        ("syslog", format!("Aug 13 14:47:36 host kernel: [ 1234.567890] audit: type=1400 {stamp}: {fields}\n")),
        ("dmesg", format!("[ 1234.567890] audit: type=1400 {stamp}: {fields}\n")),
        (
            "journal-json",
            format!(
                "{{\"_TRANSPORT\":\"kernel\",\"__REALTIME_TIMESTAMP\":\"1691930856284000\",\"MESSAGE\":\"{json_message}\"}}\n"
            ),
        ),
    ]
}

fn profile(db: &aa_hir::db::RootDatabase, path: &str) -> aa_dfa::CompiledProfile {
    common::compiled_profiles(db, path).into_iter().find(|(n, _, _)| n == "ping").expect("profile ping").1
}

#[test]
fn every_form_of_the_ping_session_gives_aa_logprofs_profile() {
    let Some(dir) = dir() else {
        assert!(std::env::var_os("CI").is_none(), "the logprof session is required under CI");
        eprintln!("SKIPPED: no logprof session (set AA_LOGPROF_DIR)");
        return;
    };
    let expected = std::fs::read_to_string(dir.join("ping.bin.ping")).unwrap();
    let auditlog = std::fs::read_to_string(dir.join("ping.auditlog")).unwrap();
    let allowlog = std::fs::read_to_string(dir.join("ping.allowlog")).unwrap();
    // The rule aa-logprof added in the session, and its own choice.
    let added = "  /proc/21622/cmdline r,\n";
    assert!(expected.contains(added));
    let logprof_choice = allowlog
        .lines()
        .find_map(|l| l.strip_prefix("Adding ")?.strip_suffix(" to profile ping."))
        .expect("the allow log names its rule");
    let before = expected.replace(added, "");
    for (form, log) in forms(&auditlog) {
        for generalise in [false, true] {
            let mut db = common::database(vec![
                ("/etc/apparmor.d/bin.ping".into(), before.clone()),
                ("/etc/apparmor.d/expected".into(), expected.clone()),
                (
                    "/etc/apparmor.d/choice".into(),
                    before.replace("  @{exec_path} mrix,\n", &format!("  @{{exec_path}} mrix,\n  {logprof_choice}\n")),
                ),
            ]);
            let opts = aa_suggest::Options { generalise, ..common::options() };
            let report = common::run(&mut db, &["/etc/apparmor.d/bin.ping"], &log, &opts);
            let p = &report.profiles[0];
            let rules: Vec<&str> = p.suggestions.iter().map(|s| s.rule.as_str()).collect();
            let want = if generalise { "owner @{PROC}/@{pid}/cmdline r," } else { "owner /proc/21622/cmdline r," };
            assert_eq!(rules, [want], "{form}");
            let proof = p.proof.as_ref().unwrap();
            assert!(proof.compiled && proof.every_event_allowed && proof.nothing_beyond, "{form}: {proof:?}");
            let ours = report.files[0].new.clone();
            let set = |db: &mut aa_hir::db::RootDatabase, path: &str, text: String| {
                db.set_file_content(Path::new(path), FileContent::Text(text), salsa::Durability::LOW)
            };
            set(&mut db, "/etc/apparmor.d/ours", ours.clone());
            set(&mut db, "/etc/apparmor.d/ours-no-owner", ours.replace("  owner ", "  "));
            let _ = db.file(Path::new("/etc/apparmor.d/ours"));
            let e = profile(&db, "/etc/apparmor.d/expected");
            let o = profile(&db, "/etc/apparmor.d/ours");
            let no_owner = profile(&db, "/etc/apparmor.d/ours-no-owner");
            // Ours is narrower than the session's profile...
            if !generalise {
                assert_eq!(covers(&e, &o, u32::MAX), Coverage::Allowed, "{form}");
                assert_eq!(covers(&o, &e, u32::MAX), Coverage::Missing, "{form}: owner makes it narrower");
                // ... and the same once owner is dropped.
                assert_eq!(covers(&e, &no_owner, u32::MAX), Coverage::Allowed, "{form}");
                assert_eq!(covers(&no_owner, &e, u32::MAX), Coverage::Allowed, "{form}");
            } else {
                let choice = profile(&db, "/etc/apparmor.d/choice");
                assert_eq!(covers(&choice, &o, u32::MAX), Coverage::Allowed, "{form}: within aa-logprof's choice");
                assert_eq!(covers(&o, &choice, u32::MAX), Coverage::Missing, "{form}: and narrower");
                assert_eq!(covers(&no_owner, &e, u32::MAX), Coverage::Allowed, "{form}: covers the session's rule");
            }
        }
    }
}
