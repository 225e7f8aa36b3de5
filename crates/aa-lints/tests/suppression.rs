//! Suppression comments: where they apply, reasons, unknown names, the
//! legacy `#aa:lint ignore=` form, unused ones.

mod common;

use expect_test::{Expect, expect};

fn check(text: &str, expect: Expect) {
    let (db, root, out) = common::lint(
        text,
        &["dangerous-capability", "unscoped-ptrace-or-signal", "invalid-suppression", "unused-suppression", "parser"],
    );
    expect.assert_debug_eq(&common::summary(&db, root, &out));
}

#[test]
fn trailing_comment_silences_its_line() {
    check(
        "profile p /usr/bin/p {\n  capability sys_admin, # aa-lint: allow(dangerous-capability) mounts FUSE\n  capability sys_module,\n}\n",
        expect![[r#"
            [
                "AA106 error 3: dangerous capability `sys_module`: it bypasses the checks confinement relies on",
            ]
        "#]],
    );
}

#[test]
fn comment_on_the_line_before() {
    check(
        "profile p /usr/bin/p {\n  /etc/x r,\n  # aa-lint: allow(AA106) needs it\n  capability sys_admin,\n  capability sys_module,\n}\n",
        expect![[r#"
            [
                "AA106 error 5: dangerous capability `sys_module`: it bypasses the checks confinement relies on",
            ]
        "#]],
    );
}

#[test]
fn top_of_block_and_top_of_file() {
    check(
        "profile p /usr/bin/p {\n  # aa-lint: allow(dangerous-capability) a mount helper\n  capability sys_admin,\n  capability sys_module,\n}\nprofile q /usr/bin/q {\n  capability sys_admin,\n}\n",
        expect![[r#"
            [
                "AA106 error 7: dangerous capability `sys_admin`: it bypasses the checks confinement relies on",
            ]
        "#]],
    );
    check(
        "# aa-lint: allow(dangerous-capability, unscoped-ptrace-or-signal) system tools\nprofile p /usr/bin/p {\n  capability sys_admin,\n  signal,\n}\n",
        expect![[r#"
            []
        "#]],
    );
}

#[test]
fn on_the_profile_line_for_the_whole_profile() {
    check(
        "profile p /usr/bin/p { # aa-lint: allow(dangerous-capability) a mount helper\n  capability sys_admin,\n  ^hat {\n    capability sys_module,\n  }\n}\nprofile q /usr/bin/q {\n  capability sys_admin,\n}\n",
        expect![[r#"
            [
                "AA106 error 8: dangerous capability `sys_admin`: it bypasses the checks confinement relies on",
            ]
        "#]],
    );
}

#[test]
fn reasons_names_and_unused() {
    check(
        "profile p /usr/bin/p {\n  capability sys_admin, # aa-lint: allow(dangerous-capability)\n  capability chown, # aa-lint: allow(dangerous-capability) not needed\n  /etc/x r, # aa-lint: allow(no-such-lint) typo\n  /etc/y r, # aa-lint: allow(syntax-error) nope\n}\n",
        expect![[r#"
            [
                "AA209 warning 2: suppression without a reason: write why after the list, e.g. `# aa-lint: allow(overbroad-glob) the daemon serves any file`",
                "AA210 warning 3: unused suppression: `dangerous-capability` found nothing to silence here",
                "AA209 warning 4: `no-such-lint` is not a lint name or code",
                "AA209 warning 5: `syntax-error` is a parser error and cannot be suppressed: apparmor_parser would still reject the policy",
            ]
        "#]],
    );
}

#[test]
fn legacy_form_is_honoured() {
    check(
        "profile p /usr/bin/p {\n  #aa:lint ignore=dangerous-capability,some-other-tool-check\n  capability sys_admin,\n}\n",
        expect![[r#"
            []
        "#]],
    );
}

#[test]
fn include_line_silences_abstraction_rules() {
    let text =
        "profile p /usr/bin/p {\n  include <abstractions/wide> # aa-lint: allow(overbroad-glob) scratch space\n}\n";
    let (db, root, out) = common::lint(text, &["overbroad-glob", "unused-suppression"]);
    expect![[r#"
        []
    "#]]
    .assert_debug_eq(&common::summary(&db, root, &out));
    let (db, root, out) =
        common::lint("profile p /usr/bin/p {\n  include <abstractions/wide>\n}\n", &["overbroad-glob"]);
    expect![[r#"
        [
            "AA101 warning /etc/apparmor.d/abstractions/wide:1: `/tmp/** rw,` grants write over all of /tmp",
        ]
    "#]]
    .assert_debug_eq(&common::summary(&db, root, &out));
    assert_eq!(out[0].related.len(), 1);
    assert_eq!(out[0].related[0].file, root);
}

#[test]
fn unused_suppression_fix_removes_the_comment() {
    let text = "profile p /usr/bin/p {\n  # aa-lint: allow(dangerous-capability) old\n  /etc/x r,\n  /etc/y r, # aa-lint: allow(dangerous-capability) old\n}\n";
    let (_db, _root, out) = common::lint(text, &["dangerous-capability", "unused-suppression"]);
    let edits: Vec<_> = out.iter().flat_map(|d| d.fix.clone().unwrap().edits).collect();
    expect![[r#"
        profile p /usr/bin/p {
          /etc/x r,
          /etc/y r,
        }
    "#]]
    .assert_eq(&common::apply(text, &edits));
}
