//! A profile with what this compiler does not encode (a 4.x profile flag)
//! is still checked exactly for the rest: an allowed file access gives
//! nothing, a deny rule is reported as denied on purpose, the abi 4.0
//! classes (`userns`, `mqueue`) are compiled and checked like the others,
//! and the proof holds.

mod common;

#[test]
fn unencoded_flags_and_rules_are_set_aside() {
    let profile = "profile t /usr/bin/t flags=(attach_disconnected,attach_disconnected.path=/att/t) {\n  userns,\n  mqueue r type=posix /q,\n  /etc/t.conf r,\n  deny ptrace read,\n}\n";
    let mut db = common::database(vec![("/etc/apparmor.d/t".into(), profile.into())]);
    let head = "type=AVC msg=audit(1.1:1): apparmor=\"DENIED\"";
    let log = [
        format!("{head} operation=\"open\" profile=\"t\" name=\"/etc/t.conf\" requested_mask=\"r\" denied_mask=\"r\""),
        format!("{head} operation=\"ptrace\" profile=\"t\" requested_mask=\"read\" denied_mask=\"read\" peer=\"x\""),
        format!("{head} operation=\"userns_create\" class=\"namespace\" profile=\"t\" requested=\"userns_create\" denied=\"userns_create\""),
        format!("{head} operation=\"open\" class=\"posix_mqueue\" profile=\"t\" name=\"/q\" requested=\"write\" denied=\"write\""),
        format!("{head} operation=\"open\" profile=\"t\" name=\"/etc/t.d/a\" requested_mask=\"r\" denied_mask=\"r\""),
    ]
    .join("\n");
    let report = common::run(&mut db, &["/etc/apparmor.d/t"], &log, &common::options());
    let p = &report.profiles[0];
    assert_eq!(p.error, None);
    // `userns,` allows the userns event (3); `mqueue r` does not allow
    // the write (4).
    assert_eq!(p.allowed, [1, 3]);
    assert_eq!(p.denied.len(), 1);
    assert_eq!(p.denied[0].by, ["/etc/apparmor.d/t:5: deny ptrace read,"]);
    let rules: Vec<&str> = p.suggestions.iter().map(|s| s.rule.as_str()).collect();
    assert_eq!(rules, ["/etc/t.d/a r,", "mqueue write type=posix /q,"]);
    let proof = p.proof.as_ref().unwrap();
    assert!(proof.compiled && proof.every_event_allowed && proof.nothing_beyond, "{proof:?}");
}
