//! Abstractions offered instead of several rules: the smallest abstraction
//! granting them is offered, a larger one granting no more is not, and the
//! rules stay the suggestion (an offer is never inserted).

mod common;

#[test]
fn the_smallest_abstraction_granting_the_rules_is_offered() {
    let mut db = common::database(vec![
        ("/etc/apparmor.d/p".into(), "profile p {\n  /usr/bin/p mr,\n}\n".into()),
        (
            "/etc/apparmor.d/abstractions/names".into(),
            "/etc/hosts r,\n/etc/passwd r,\n/etc/nsswitch.conf r,\n/etc/group r,\n".into(),
        ),
        (
            "/etc/apparmor.d/abstractions/everything".into(),
            "/etc/** r,\n/usr/** r,\n/tmp/** rw,\n/var/** r,\n/srv/** r,\n".into(),
        ),
        ("/etc/apparmor.d/abstractions/other".into(), "/dev/null rw,\n".into()),
    ]);
    let log: String = ["/etc/hosts", "/etc/passwd", "/etc/nsswitch.conf", "/opt/p/data"]
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "type=AVC msg=audit(1.{i}:{i}): apparmor=\"DENIED\" operation=\"open\" profile=\"p\" name=\"{p}\" requested_mask=\"r\" denied_mask=\"r\" fsuid=1 ouid=0\n"
            )
        })
        .collect();
    let opts = aa_suggest::Options { offer_abstractions: true, ..common::options() };
    let report = common::run(&mut db, &["/etc/apparmor.d/p"], &log, &opts);
    let p = &report.profiles[0];
    assert_eq!(p.suggestions.len(), 4, "{:?}", p.suggestions);
    let offers: Vec<(&str, usize)> = p.offers.iter().map(|o| (o.include.as_str(), o.replaces.len())).collect();
    assert_eq!(offers, [("include <abstractions/names>", 3)]);
    assert_eq!(p.offers[0].lines, [1, 2, 3]);
    assert!(!report.files[0].new.contains("include <abstractions/"));
}
