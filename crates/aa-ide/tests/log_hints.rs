//! Log hints: the profiles of a file with logged events they do not allow,
//! and the actions that add `aa-suggest`'s proved rules, on the CLI's
//! fixture (`fixtures/cli/suggest/`: the same policy and log as
//! `aa-lint suggest`'s cases). Applying the actions is checked by
//! computing the hints again on the edited text.

use std::{path::Path, sync::Arc};

use aa_ide::{AnalysisHost, Change, Config, LogEvents, LogHint, TextEdit};
use expect_test::{Expect, expect};

const POLICY: &str = include_str!("../../../fixtures/cli/suggest/policy/pinger");
const LOG: &str = include_str!("../../../fixtures/cli/suggest/audit.log");
const FEATURES: &str = include_str!("../../aa-dfa/tests/features/default");
const OTHER_CLASSES: &str = include_str!("../../../fixtures/cli/suggest/other-classes.log");
const ABI4: &str = include_str!("../../../fixtures/rules-4.1/features.abi4");
const PATH: &str = "/etc/apparmor.d/pinger";

fn host(text: &str, log: &str) -> AnalysisHost {
    host_with(text, log, FEATURES)
}

fn host_with(text: &str, log: &str, features: &str) -> AnalysisHost {
    let loader = aa_hir_loader(text);
    let mut host = AnalysisHost::new(loader, Config::default());
    let mut change = Change::new();
    change.set_file_text(PATH, text);
    change.log = Some(LogEvents { entries: Arc::new(aa_log::read_log(log).entries), features: Arc::from(features) });
    host.apply_change(change);
    host
}

fn aa_hir_loader(text: &str) -> Arc<dyn aa_ide::FileLoader> {
    Arc::new(aa_hir::db::MemoryLoader::new([(PATH, text)]))
}

fn hints(host: &AnalysisHost) -> Arc<Vec<LogHint>> {
    host.analysis().log_hints(Path::new(PATH)).unwrap()
}

fn render(text: &str, hints: &[LogHint]) -> String {
    let mut out = String::new();
    for h in hints {
        let header = &text[usize::from(h.range.start())..usize::from(h.range.end())];
        out.push_str(&format!("{} at `{header}`: {}\n", h.profile, h.message));
        for a in &h.actions {
            let edits: Vec<String> = a.change.edits[0]
                .1
                .iter()
                .map(|e| format!("{}: {:?}", usize::from(e.range.start()), e.new_text))
                .collect();
            out.push_str(&format!("  {}{} -> {}\n", if a.all { "[all] " } else { "" }, a.label, edits.join(", ")));
        }
    }
    out
}

fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut out = text.to_owned();
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start()));
    for e in edits {
        out.replace_range(usize::from(e.range.start())..usize::from(e.range.end()), &e.new_text);
    }
    out
}

fn check(text: &str, log: &str, expect: Expect) {
    let host = host(text, log);
    expect.assert_eq(&render(text, &hints(&host)));
}

#[test]
fn one_hint_per_profile_with_its_actions() {
    check(
        POLICY,
        LOG,
        expect![[r#"
            pinger at `profile pinger /usr/bin/pinger {`: 10 logged events not allowed: 7 rules to add, 1 question, 1 denied on purpose
            ? exec of /usr/bin/curl: no profile of the policy attaches to it and `pinger` has no child profile for it; choose ix (inherit this profile), px after writing a profile for it, or ux (unconfined) (log line 11)
              Add `/usr/bin/resolver px,` (log line 9) -> 305: "  /usr/bin/resolver px,\n"
              Add `/usr/lib/pinger/helper cx -> helper,` (log line 10) -> 305: "  /usr/lib/pinger/helper cx -> helper,\n"
              Add `owner @{HOME}/.cache/pinger/state rw,` (log lines 5, 6) -> 305: "  owner @{HOME}/.cache/pinger/state rw,\n"
              Add `owner @{PROC}/@{pid}/status r,` (log line 3) -> 305: "  owner @{PROC}/@{pid}/status r,\n"
              Add `capability net_admin,` (log line 8) -> 305: "  capability net_admin,\n"
              Add `signal send set=(term) peer=resolver,` (log line 12) -> 305: "  signal send set=(term) peer=resolver,\n"
              Add `network create inet raw,` (log line 13) -> 305: "  network create inet raw,\n"
              [all] Add the 7 logged rules to `pinger` -> 305: "  /usr/bin/resolver px,\n  /usr/lib/pinger/helper cx -> helper,\n  owner @{HOME}/.cache/pinger/state rw,\n  owner @{PROC}/@{pid}/status r,\n  capability net_admin,\n  signal send set=(term) peer=resolver,\n  network create inet raw,\n"
            pinger//helper at `profile helper /usr/lib/pinger/helper {`: 1 logged event not allowed: 1 rule to add
              Add `owner @{run}/user/@{uid}/pinger.sock w,` (log line 14) -> 301: "    owner @{run}/user/@{uid}/pinger.sock w,\n"
        "#]],
    );
}

#[test]
fn no_log_no_hint() {
    check(POLICY, "", expect![""]);
}

#[test]
fn a_log_of_other_profiles_gives_no_hint() {
    let other: String = LOG.lines().filter(|l| l.contains("profile=\"nobody\"")).map(|l| format!("{l}\n")).collect();
    assert!(!other.is_empty());
    check(POLICY, &other, expect![""]);
}

#[test]
fn a_profile_that_allows_everything_logged_has_no_hint() {
    let allowed: String = LOG.lines().filter(|l| l.contains("name=\"/etc/hosts\"")).map(|l| format!("{l}\n")).collect();
    assert!(!allowed.is_empty());
    check(POLICY, &allowed, expect![""]);
}

/// "Add all" on each profile, then the hints again: only the question
/// (an exec with no profile to go to) is left, and nothing to add.
#[test]
fn adding_all_leaves_only_the_question() {
    let host = host(POLICY, LOG);
    let first = hints(&host);
    let mut edits = Vec::new();
    for h in first.iter() {
        let all = h.actions.iter().find(|a| a.all).or(h.actions.first()).expect("an action");
        edits.extend(all.change.edits[0].1.iter().cloned());
    }
    let edited = apply(POLICY, &edits);
    let again = self::host(&edited, LOG);
    expect![[r#"
        pinger at `profile pinger /usr/bin/pinger {`: 2 logged events not allowed: 1 question, 1 denied on purpose
        ? exec of /usr/bin/curl: no profile of the policy attaches to it and `pinger` has no child profile for it; choose ix (inherit this profile), px after writing a profile for it, or ux (unconfined) (log line 11)
    "#]]
    .assert_eq(&render(&edited, &hints(&again)));
}

/// Each single action inserts one rule: applied alone, that rule is no
/// longer suggested and the others still are.
#[test]
fn one_rule_at_a_time() {
    let host = host(POLICY, LOG);
    let first = hints(&host);
    let pinger = first.iter().find(|h| h.profile == "pinger").expect("pinger's hint");
    let singles: Vec<_> = pinger.actions.iter().filter(|a| !a.all).collect();
    assert_eq!(singles.len(), 7, "{}", render(POLICY, &first));
    for action in singles {
        let edited = apply(POLICY, &action.change.edits[0].1);
        let again = self::host(&edited, LOG);
        let after = hints(&again);
        let pinger_after = after.iter().find(|h| h.profile == "pinger").expect("pinger still has a hint");
        let labels: Vec<&str> = pinger_after.actions.iter().filter(|a| !a.all).map(|a| a.label.as_str()).collect();
        assert_eq!(labels.len(), 6, "after {}: {labels:?}", action.label);
        assert!(!labels.contains(&action.label.as_str()), "after {}: {labels:?}", action.label);
    }
}

/// The second request on the same texts, log and settings is answered
/// from the cache.
#[test]
fn hints_are_cached_until_the_text_or_the_log_changes() {
    let mut host = host(POLICY, LOG);
    let a = hints(&host);
    let b = hints(&host);
    assert!(Arc::ptr_eq(&a, &b));
    let mut change = Change::new();
    change.set_file_text(PATH, format!("{POLICY}\n"));
    host.apply_change(change);
    let c = hints(&host);
    assert!(!Arc::ptr_eq(&a, &c));
    assert_eq!(a.len(), c.len());
    // Other search paths: computed again.
    let mut change = Change::new();
    change.set_config(Config { include_dirs: vec!["/usr/share/apparmor.d".into()], ..Config::default() });
    host.apply_change(change);
    let d = hints(&host);
    assert!(!Arc::ptr_eq(&c, &d));
    assert!(Arc::ptr_eq(&d, &hints(&host)));
}

/// Records of classes the features do not mediate are counted and named
/// (not allowed, not suggested), as `aa-lint suggest` reports them
/// (`fixtures/cli/cases/suggest-unmediated`); with abi 4.0 features every
/// one is a rule to add (`suggest-abi4`).
#[test]
fn classes_the_features_do_not_mediate() {
    let host = host(POLICY, OTHER_CLASSES);
    expect![[r#"
        pinger at `profile pinger /usr/bin/pinger {`: 4 logged events not allowed: 1 rule to add, 3 not mediated by the features used
        - not checked: dbus (the features have no `dbus`; set suggest.featuresFile to the logging kernel's) (log line 1)
        - not checked: mqueue (the features have no `ipc/posix_mqueue`; set suggest.featuresFile to the logging kernel's) (log line 2)
        - not checked: userns (the features have no `namespaces/mask/userns_create`; set suggest.featuresFile to the logging kernel's) (log line 3)
          Add `signal send set=(hup) peer=resolver,` (log line 4) -> 305: "  signal send set=(hup) peer=resolver,\n"
    "#]]
    .assert_eq(&render(POLICY, &hints(&host)));
    let host = host_with(POLICY, OTHER_CLASSES, ABI4);
    expect![[r#"
        pinger at `profile pinger /usr/bin/pinger {`: 4 logged events not allowed: 4 rules to add
          Add `dbus send bus=session path=/org/freedesktop/DBus interface=org.freedesktop.DBus member=Hello peer=(name=org.freedesktop.DBus, label=unconfined),` (log line 1) -> 305: "  dbus send bus=session path=/org/freedesktop/DBus interface=org.freedesktop.DBus member=Hello peer=(name=org.freedesktop.DBus, label=unconfined),\n"
          Add `mqueue read type=posix /pinger.q,` (log line 2) -> 305: "  mqueue read type=posix /pinger.q,\n"
          Add `userns create,` (log line 3) -> 305: "  userns create,\n"
          Add `signal send set=(hup) peer=resolver,` (log line 4) -> 305: "  signal send set=(hup) peer=resolver,\n"
          [all] Add the 4 logged rules to `pinger` -> 305: "  dbus send bus=session path=/org/freedesktop/DBus interface=org.freedesktop.DBus member=Hello peer=(name=org.freedesktop.DBus, label=unconfined),\n  mqueue read type=posix /pinger.q,\n  userns create,\n  signal send set=(hup) peer=resolver,\n"
    "#]]
    .assert_eq(&render(POLICY, &hints(&host)));
}
