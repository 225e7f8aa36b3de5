//! Behaviour of individual lints beyond their documented examples:
//! severities, expansion, includes, fixes.

mod common;

use expect_test::{Expect, expect};

fn check(selectors: &[&str], text: &str, expect: Expect) {
    let (db, root, out) = common::lint(text, selectors);
    expect.assert_debug_eq(&common::summary(&db, root, &out));
}

fn fixed(selectors: &[&str], text: &str, expect: Expect) {
    let (_db, _root, out) = common::lint(text, selectors);
    let edits: Vec<_> = out.iter().filter_map(|d| d.fix.clone()).flat_map(|f| f.edits).collect();
    expect.assert_eq(&common::apply(text, &edits));
}

#[test]
fn overbroad_glob_severity_grows_with_breadth() {
    check(
        &["overbroad-glob"],
        "include <tunables/global>\nprofile p /usr/bin/p {\n  /** ix,\n  /** r,\n  owner @{HOME}/** rw,\n  @{PROC}/** r,\n  /tmp/p/** rw,\n  file,\n  /{,**} w,\n}\n",
        expect![[r#"
            [
                "AA101 error 3: `/** ix,` grants exec over every file",
                "AA101 warning 4: `/** r,` grants read over every file",
                "AA101 warning 5: `owner @{HOME}/** rw,` (`{/home/*,/root}/**`) grants write over all of every home directory",
                "AA101 info 6: `@{PROC}/** r,` (`/proc/**`) grants read over all of /proc",
                "AA101 error 8: `file,` grants write, link, lock, exec over every file",
                "AA101 error 9: `/{,**} w,` grants write over every file",
            ]
        "#]],
    );
}

#[test]
fn global_profile_escape_and_stacking() {
    check(
        &["global-profile-escape"],
        "profile sys /** {\n  /usr/bin/a Px,\n  /usr/bin/b px -> &sys,\n  /usr/bin/c ix,\n  /usr/bin/d ux,\n}\nprofile layer {\n  /usr/bin/e Cx -> kid,\n  profile kid { }\n}\nprofile app /usr/bin/app {\n  /usr/bin/f Px -> &layer,\n}\n",
        expect![[r#"
            [
                "AA103 warning 2: `/usr/bin/a Px,` in the global profile `sys` leaves it: the child runs outside the global layer; stack (`px -> &@{profile_name}`, `Px -> &target`) or use `ix`",
                "AA103 error 5: `/usr/bin/d ux,` in the global profile `sys` leaves it: the child runs outside the global layer; stack (`px -> &@{profile_name}`, `Px -> &target`) or use `ix`",
            ]
        "#]],
    );
}

#[test]
fn exec_lints() {
    check(
        &["unconfined-exec", "fallback-exec", "write-and-exec", "file-rule-exec-conflict"],
        "include <tunables/global>\nprofile p /** {\n  /usr/bin/a pux,\n  /usr/bin/b Cix,\n  @{HOME}/bin/* w,\n  /home/*/bin/** ix,\n  /srv/x rwix,\n  file,\n  /{,**} pix,\n}\n",
        expect![[r#"
            [
                "AA105 warning 3: `/usr/bin/a pux,` runs the program unconfined when its profile is not loaded",
                "AA104 warning 4: `/usr/bin/b Cix,` falls back to inheriting this profile when the target child profile is not loaded",
                "AA107 warning 6: `/home/*/bin/** ix,` is executable, and a write rule (`@{HOME}/bin/* w,`) covers some of the same files",
                "AA107 warning 7: `/srv/x rwix,` makes the same files writable and executable",
                "AA104 warning 9: `/{,**} pix,` falls back to inheriting this profile when the target profile is not loaded",
                "AA107 warning 9: `/{,**} pix,` is executable, and a write rule (`@{HOME}/bin/* w,`) covers some of the same files",
                "AA208 error 9: `/{,**} pix,` conflicts with `file,`, which already gives `/**` the exec mode `ix`: apparmor_parser rejects the profile (\"conflicting x modifiers\")",
            ]
        "#]],
    );
}

#[test]
fn correctness_lints() {
    check(
        &["correctness"],
        "@{unused} = /x\n@{used} = /y\nprofile p /usr/bin/p {\n  include <abstractions/base>\n  /etc/ld.so.cache r,\n  @{used} r,\n  /etc/a rw,\n  deny /etc/a w,\n  /etc/b r,\n  deny /etc/b* r,\n  capability chown,\n  deny capability chown,\n  ^hat {\n  }\n}\n",
        expect![[r#"
            [
                "AA205 warning 1: variable `unused` is defined but never used",
                "AA201 warning 5: `/etc/ld.so.cache r,` repeats a rule of profile `p` (in /etc/apparmor.d/abstractions/base)",
                "AA202 warning 7: `/etc/a rw,` is partly taken away by `deny /etc/a w,`: deny always wins",
                "AA203 warning 9: `/etc/b r,` grants nothing: `deny /etc/b* r,` denies all of it",
                "AA203 warning 11: `capability chown,` grants nothing: `deny capability chown,` denies all of it",
                "AA204 warning 13: profile `p//hat` has no rules: it denies everything",
            ]
        "#]],
    );
}

#[test]
fn strict_twins() {
    check(
        &["missing-strict-abstraction", "strict-with-broad-abstraction"],
        "profile p /usr/bin/p {\n  include <abstractions/nameservice>\n}\nprofile q /usr/bin/q {\n  include <abstractions/nameservice>\n  include <abstractions/nameservice-strict>\n  include <abstractions/base>\n}\n",
        expect![[r#"
            [
                "AA102 warning 2: `abstractions/nameservice` has a strict variant: include `<abstractions/nameservice-strict>` and add only what the program needs",
                "AA206 warning 6: `abstractions/nameservice-strict` is included next to `abstractions/nameservice`, which grants all of it and more",
            ]
        "#]],
    );
    fixed(
        &["missing-strict-abstraction", "strict-with-broad-abstraction"],
        "profile p /usr/bin/p {\n  include <abstractions/nameservice>\n}\nprofile q /usr/bin/q {\n  include <abstractions/nameservice>\n  include <abstractions/nameservice-strict>\n}\n",
        expect![[r#"
            profile p /usr/bin/p {
              include <abstractions/nameservice-strict>
            }
            profile q /usr/bin/q {
              include <abstractions/nameservice>
            }
        "#]],
    );
}

#[test]
fn strict_abstraction_replaced_at_build_is_not_advised() {
    // apparmor.d's convention: `base-strict` replaces `base` when the
    // collection is built, and its header says not to include it by hand;
    // `nameservice-strict` carries no such marker and is still advised.
    let base_strict = "# LOGPROF-SUGGEST: no\n#\n# Do not use it manually, It automatically replaces the base abstraction in\n# profiles when the base-strict prebuild feature is enabled (default).\n\n  /etc/ld.so.cache r,\n";
    let quiet = "# LOGPROF-SUGGEST: no\n  /etc/passwd r,\n";
    let (db, root) = common::db_with(&[
        (
            common::ROOT,
            "profile p /usr/bin/p {\n  include <abstractions/base>\n  include <abstractions/quiet>\n  include <abstractions/nameservice>\n}\n",
        ),
        ("/etc/apparmor.d/abstractions/base-strict", base_strict),
        ("/etc/apparmor.d/abstractions/quiet", "  /etc/hosts r,\n"),
        ("/etc/apparmor.d/abstractions/quiet-strict", quiet),
    ]);
    let selection = aa_lints::LintSelection::none().select("missing-strict-abstraction").unwrap();
    let out = aa_lints::run(&db, root, &selection);
    expect![[r#"
        [
            "AA102 warning 4: `abstractions/nameservice` has a strict variant: include `<abstractions/nameservice-strict>` and add only what the program needs",
        ]
    "#]]
    .assert_debug_eq(&common::summary(&db, root, &out));
}

#[test]
fn style_fixes() {
    fixed(
        &["style"],
        "# Header.\ninclude <tunables/global>\nprofile example /usr/bin/example {\n\t/proc/x r,  \n    owner @{HOME}.cache/** wr,\n  ^hat {\n  /x mr,\n  }\n}\n",
        expect![[r#"
            # Header.
            abi <abi/3.0>,

            include <tunables/global>
            profile example /usr/bin/example {
              @{PROC}/x r,
              owner @{HOME}/.cache/** rw,
              ^hat {
                /x mr,
              }
              include if exists <local/example>
            }

            # vim:syntax=apparmor
        "#]],
    );
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "{",
        "profile",
        "profile p {",
        "}}}",
        "profile p /** { file, /** pix, }",
        "@{x} = {\nprofile p { @{x} r, }",
        "# aa-lint: allow(\n",
        "#aa:lint ignore=\n",
        "profile p { \u{feff} /é rw, } # aa-lint: allow() ",
    ] {
        let (_db, _root, _out) = common::lint(text, &["all"]);
    }
}

#[test]
fn write_and_exec_respects_a_covering_deny() {
    check(
        &["write-and-exec"],
        "profile p /usr/bin/p {\n  /srv/** w,\n  /srv/bin/* ix,\n  deny /srv/bin/** w,\n  /srv/lib/* mr,\n  /srv/hooks/* Px,\n}\n",
        expect![[r#"
            [
                "AA107 warning 6: `/srv/hooks/* Px,` is executable, and a write rule (`/srv/** w,`) covers some of the same files",
            ]
        "#]],
    );
}

/// 1,000 write rules that no exec rule overlaps, all sharing the literal
/// start `/srv/`: each exec rule costs 1,000 comparisons, so the budget
/// runs out on the 100th and the rest are said to be unchecked, once.
#[test]
fn write_and_exec_says_where_its_budget_ran_out() {
    let mut text = String::from("profile p /usr/bin/p {\n");
    for i in 0..1000 {
        text.push_str(&format!("  /srv/w{i}/*.log w,\n  /srv/*/bin{i} ix,\n"));
    }
    text.push_str("}\n");
    let (_db, _root, out) = common::lint(&text, &["write-and-exec"]);
    let messages: Vec<String> = out.iter().map(|d| format!("{} {}", d.severity.as_str(), d.message)).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].starts_with("info write-and-exec stopped here"), "{messages:?}");
    assert!(messages[0].contains("the 900 after it"), "{messages:?}");
    assert!(text[usize::from(out[0].range.start())..].starts_with("/srv/*/bin99 ix,"));
}

#[test]
fn change_profile_in_a_global_profile() {
    check(
        &["global-profile-escape"],
        "profile sys /** {\n  change_profile -> other,\n  change_profile -> &sys//layer,\n}\n",
        expect![[r#"
            [
                "AA103 warning 2: `change_profile -> other,` in the global profile `sys` lets the process move to a profile without the global layer; change to a stack (`change_profile -> &target`)",
            ]
        "#]],
    );
}

#[test]
fn apply_edits_skips_overlaps() {
    let (db, root) = common::db_with(&[(common::ROOT, "abcdef")]);
    let _ = db;
    let edit = |s: u32, e: u32, t: &str| aa_lints::TextEdit {
        file: root,
        range: aa_syntax::TextRange::new(s.into(), e.into()),
        new_text: t.into(),
    };
    let (out, skipped) =
        aa_lints::apply_edits("abcdef", &[edit(0, 2, "X"), edit(1, 3, "Y"), edit(4, 4, "Z"), edit(9, 10, "!")]);
    assert_eq!(out, "aYdZef");
    assert_eq!(skipped.len(), 2);
}

/// A generated profile with thousands of overlapping rules is linted within
/// the pair budgets (this test would take minutes without them).
#[test]
fn large_generated_profile_is_bounded() {
    let mut text = String::from("profile big /usr/bin/big {\n");
    for i in 0..1500 {
        text.push_str(&format!("  /srv/{{a,b,c,d}}/**/{i}/** w,\n  /srv/{{a,b,c,d}}/*/x{i}/** ix,\n  deny /opt/{{a,b}}/**/{i}* w,\n  /opt/a/{i}/z r,\n"));
    }
    text.push_str("}\n");
    let start = std::time::Instant::now();
    let (_db, _root, out) = common::lint(&text, &["all"]);
    assert!(!out.is_empty());
    eprintln!("{} findings in {:?}", out.len(), start.elapsed());
    if std::env::var_os("AA_LINTS_PROFILE").is_some() {
        for sel in [
            "parser",
            "security",
            "correctness",
            "style",
            "indentation",
            "permission-order",
            "prefer-tunables",
            "directory-slash",
            "missing-local-include",
            "trailing-whitespace",
            "missing-header-comment",
        ] {
            let (db, root) = common::db_with(&[(common::ROOT, &text)]);
            let _ = aa_lints::run(&db, root, &aa_lints::LintSelection::none().select("parser").unwrap());
            let start = std::time::Instant::now();
            let _ = aa_lints::run(&db, root, &aa_lints::LintSelection::none().select(sel).unwrap());
            eprintln!("{sel}: {:?}", start.elapsed());
        }
    }
}

#[test]
fn duplicate_words_in_one_rule() {
    let text = "profile p {\n  capability chown chown fowner,\n  /a rwrk,\n  signal (send, send) set=(hup, hup int hup),\n  ptrace (read read),\n}\n";
    check(
        &["duplicate-permission", "duplicate-signal-name"],
        text,
        expect![[r#"
            [
                "AA212 warning 2: capability `chown` is written twice in this rule: the second copy grants nothing; was another one meant?",
                "AA212 warning 3: `rwrk` repeats `r`: a permission written twice is granted once; was another one meant?",
                "AA212 warning 4: access `send` is written twice in this rule: the second copy grants nothing; was another one meant?",
                "AA213 warning 4: signal `hup` is named twice in `set=`: was another signal meant?",
                "AA213 warning 4: signal `hup` is named twice in `set=`: was another signal meant?",
                "AA212 warning 5: access `read` is written twice in this rule: the second copy grants nothing; was another one meant?",
            ]
        "#]],
    );
    fixed(
        &["duplicate-permission", "duplicate-signal-name"],
        text,
        expect![[r#"
        profile p {
          capability chown fowner,
          /a rwk,
          signal (send) set=(hup int),
          ptrace (read),
        }
    "#]],
    );
}

#[test]
fn alias_and_pivot_root_paths() {
    let text = "alias usr/ -> /mnt/usr/,\nalias /usr/ -> mnt/usr/,\nalias /opt/ -> @{HOME}/opt/,\nprofile p {\n  pivot_root oldroot=/old /new -> q,\n  pivot_root \"/n\",\n  pivot_root /srv/**,\n  pivot_root /srv/ok/,\n}\n";
    check(
        &["alias-relative-path", "pivot-root-trailing-slash"],
        text,
        expect![[r#"
        [
            "AA214 error 1: alias source `usr/` is not an absolute path: apparmor_parser rejects it",
            "AA214 warning 2: alias target `mnt/usr/` is not an absolute path: rules rewritten to it never match, as the kernel names files by absolute paths",
            "AA215 warning 5: pivot_root oldroot `/old` does not end with `/`: a directory never matches it, so the rule allows nothing",
            "AA215 warning 5: pivot_root new root `/new` does not end with `/`: a directory never matches it, so the rule allows nothing",
            "AA215 warning 6: pivot_root new root `\"/n\"` does not end with `/`: a directory never matches it, so the rule allows nothing",
        ]
    "#]],
    );
}

#[test]
fn bare_proc_wildcards() {
    let text = "include <tunables/global>\nprofile p {\n  @{PROC}/*/status r,\n  owner /proc/[0-9]*/task/*/stat r,\n  @{PROC}/@{pid}/task/[0-9]* r,\n  /proc/* r,\n  @{PROC}/**/x r,\n  @{PROC}/*x/x r,\n  @{PROC}/@{pids}/task/@{tid}/stat r,\n}\n";
    check(
        &["bare-proc-wildcard"],
        text,
        expect![[r#"
        [
            "AA312 warning 3: bare `*` in the process id place of `@{PROC}/*/status` matches more than ids: use `@{pids}`",
            "AA312 warning 4: bare `[0-9]*` in the process id place of `/proc/[0-9]*/task/*/stat` matches more than ids: use `@{pids}`",
            "AA312 warning 4: bare `*` in the thread id place of `/proc/[0-9]*/task/*/stat` matches more than ids: use `@{tid}`",
            "AA312 warning 5: bare `[0-9]*` in the thread id place of `@{PROC}/@{pid}/task/[0-9]*` matches more than ids: use `@{tid}`",
        ]
    "#]],
    );
    fixed(
        &["bare-proc-wildcard"],
        text,
        expect![[r#"
        include <tunables/global>
        profile p {
          @{PROC}/@{pids}/status r,
          owner /proc/@{pids}/task/@{tid}/stat r,
          @{PROC}/@{pid}/task/@{tid} r,
          /proc/* r,
          @{PROC}/**/x r,
          @{PROC}/*x/x r,
          @{PROC}/@{pids}/task/@{tid}/stat r,
        }
    "#]],
    );
}

#[test]
fn missing_tunables_global_once_per_file() {
    let text = "abi <abi/3.0>,\nprofile p {\n  owner @{HOME}/.p rw,\n  @{PROC}/@{pid}/stat r,\n  @{own}/x r,\n}\n";
    check(
        &["missing-tunables-global"],
        text,
        expect![[r#"
        [
            "AA216 warning 3: `@{HOME}`, `@{PROC}`, `@{pid}` come from `tunables/global`, which this file does not include",
        ]
    "#]],
    );
    fixed(
        &["missing-tunables-global"],
        text,
        expect![[r#"
        abi <abi/3.0>,

        include <tunables/global>
        profile p {
          owner @{HOME}/.p rw,
          @{PROC}/@{pid}/stat r,
          @{own}/x r,
        }
    "#]],
    );
    // Included, or no variable of it used: nothing to report.
    check(
        &["missing-tunables-global"],
        "include <tunables/global>\nprofile p {\n  @{HOME}/x r,\n}\n",
        expect![[r#"
        []
    "#]],
    );
    check(
        &["missing-tunables-global"],
        "@{d} = /srv\nprofile p {\n  @{d}/x r,\n}\n",
        expect![[r#"
        []
    "#]],
    );
}

#[test]
fn missing_needed_variable_through_snippets() {
    let files = [
        (common::ROOT, "profile p {\n  include <abstractions/app/outer>\n}\n"),
        (
            "/etc/apparmor.d/abstractions/app/outer",
            "# NEEDS-VARIABLE: name\n# NEEDS-VARIABLE: @{dirs}\n\n  include <abstractions/app/example>\n  @{dirs}/** r,\n",
        ),
        (
            "/etc/apparmor.d/abstractions/app/passes",
            "# a snippet passing the need on\n# NEEDS-VARIABLE: name\n\n  include <abstractions/app/example>\n",
        ),
    ];
    let selection = aa_lints::LintSelection::none().select("missing-needed-variable").unwrap();
    let (db, root) = common::db_with(&files);
    expect![[r#"
        [
            "AA217 warning 2: <abstractions/app/outer> needs `@{dirs}` (`# NEEDS-VARIABLE: dirs`), which is not defined: define it before the include, or declare the need in this file's header",
            "AA217 warning 2: <abstractions/app/outer> needs `@{name}` (`# NEEDS-VARIABLE: name`), which is not defined: define it before the include, or declare the need in this file's header",
        ]
    "#]].assert_debug_eq(&common::summary(&db, root, &aa_lints::run(&db, root, &selection)));
    // Defined: nothing. Declared by the including snippet: passed on.
    let defined = "@{name} = p\n@{dirs} = /srv/p\nprofile p {\n  include <abstractions/app/outer>\n}\n";
    let (db, root) = common::db_with(&[(common::ROOT, defined), files[1]]);
    expect![[r#"
        []
    "#]]
    .assert_debug_eq(&common::summary(&db, root, &aa_lints::run(&db, root, &selection)));
    let (db, passes) = common::db_with(&[files[2]]);
    expect![[r#"
        []
    "#]]
    .assert_debug_eq(&common::summary(&db, passes, &aa_lints::run(&db, passes, &selection)));
}

#[test]
fn home_dot_file_exclusion_needs_a_covering_deny() {
    let text = "include <tunables/global>\nprofile p {\n  owner @{HOME}/** rw,\n  deny @{HOME}/.** rwl,\n  @{HOME}/* r,\n  deny owner @{HOME}/.* r,\n  profile q {\n    @{HOME}/** rw,\n    deny @{HOME}/.** r,\n    deny @{HOME}/.cache/** rw,\n  }\n}\n";
    check(
        &["home-dot-file-exclusion"],
        text,
        expect![[r#"
        [
            "AA313 warning 3: `@{HOME}/**` with `deny @{HOME}/.** rwl` grants everything but the dot files: write `@{HOME}/[^.]**` and drop the deny if nothing else needs it",
            "AA313 warning 5: `@{HOME}/*` with `deny @{HOME}/.** rwl` grants everything but the dot files: write `@{HOME}/[^.]*` and drop the deny if nothing else needs it",
        ]
    "#]],
    );
}
