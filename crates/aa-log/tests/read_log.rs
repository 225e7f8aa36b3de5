//! Whole logs: the forms records come in, lines that are skipped, and lines
//! that fail without stopping the rest.

use expect_test::{Expect, expect};

fn check(log: &str, expected: Expect) {
    let read = aa_log::read_log(log);
    let mut out = String::new();
    for entry in &read.entries {
        let r = &entry.record;
        out.push_str(&format!(
            "line {}: {:?} {} profile={} name={} requested={} denied={}\n",
            entry.line,
            r.event,
            r.operation.as_deref().unwrap_or("-"),
            r.profile.as_deref().unwrap_or("-"),
            r.name.as_deref().unwrap_or("-"),
            r.requested_mask.as_deref().unwrap_or("-"),
            r.denied_mask.as_deref().unwrap_or("-"),
        ));
    }
    for error in &read.errors {
        out.push_str(&format!("error: {error}\n"));
    }
    expected.assert_eq(&out);
}

#[test]
fn every_form_of_one_record() {
    check(
        r#"type=AVC msg=audit(1691930856.284:29963): apparmor="DENIED" operation="open" class="file" profile="ping" name="/proc/21622/cmdline" pid=9136 comm="cat" requested_mask="r" denied_mask="r" fsuid=1000 ouid=1000
type=SYSCALL msg=audit(1691930856.284:29963): arch=c000003e syscall=257 success=no exit=-13
type=1400 msg=audit(1691930856.284:29964): apparmor="DENIED" operation="open" profile="ping" name="/etc/hosts" requested_mask="r" denied_mask="r"
Dec  7 02:00:00 host kernel: [ 1234.567890] audit: type=1400 audit(1691930856.284:29965): apparmor="ALLOWED" operation="exec" profile="ping" name="/usr/bin/cat" requested_mask="x" denied_mask="x"
Dec 07 02:00:00 host kernel: audit: type=1400 audit(1691930856.284:29966): apparmor="DENIED" operation="capable" profile="ping" capability=13 capname="net_raw"
Dec 07 02:00:00 host audit[9136]: AVC apparmor="DENIED" operation="open" profile="ping" name="/etc/gai.conf" requested_mask="r" denied_mask="r"
[ 1234.567890] audit: type=1400 audit(1691930856.284:29967): apparmor="DENIED" operation="mkdir" profile="a//&b" name=2F746D702F6120622F requested_mask="c" denied_mask="c"
-- Boot 0123456789abcdef --
{"__REALTIME_TIMESTAMP":"1691930856284000","_TRANSPORT":"kernel","MESSAGE":"audit: type=1400 audit(1691930856.284:29968): apparmor=\"DENIED\" operation=\"open\" profile=\":ns://p\" name=\"/a\" requested_mask=\"w\" denied_mask=\"w\""}
{"__REALTIME_TIMESTAMP":"1691930856284000","_TRANSPORT":"audit","_AUDIT_ID":"29969","MESSAGE":"AVC apparmor=\"DENIED\" operation=\"open\" profile=\"p\" name=\"/b\" requested_mask=\"r\" denied_mask=\"r\""}
{"_TRANSPORT":"syslog","MESSAGE":"an unrelated message"}
Dec 07 02:00:00 host systemd[1]: Started something.
"#,
        expect![[r#"
            line 1: Denied open profile=ping name=/proc/21622/cmdline requested=r denied=r
            line 3: Denied open profile=ping name=/etc/hosts requested=r denied=r
            line 4: Allowed exec profile=ping name=/usr/bin/cat requested=x denied=x
            line 5: Denied capable profile=ping name=net_raw requested=- denied=-
            line 6: Denied open profile=ping name=/etc/gai.conf requested=r denied=r
            line 7: Denied mkdir profile=a//&b name=/tmp/a b/ requested=c denied=c
            line 9: Denied open profile=:ns://p name=/a requested=w denied=w
            line 10: Denied open profile=p name=/b requested=r denied=r
        "#]],
    );
}

#[test]
fn a_bad_line_is_reported_and_the_rest_is_read() {
    check(
        r#"type=AVC msg=audit(1.2:3): apparmor="DENIED" operation="open" profile="p" name="/a" requested_mask="r" denied_mask="r"
type=AVC msg=audit(1.2:4): apparmor="DENIED" operation="open" profile="p" name=/unquoted requested_mask="r"
type=AVC msg=audit(1.2:5): apparmor="SOMETHING" operation="open"
{"MESSAGE": "audit: type=1400 audit(1.2:6): apparmor=\"DENIED\" pid=x"}
{not json apparmor=
type=AVC msg=audit(1.2:7): apparmor="DENIED" operation="open" profile="p" name="/b" requested_mask="r" denied_mask="r"
"#,
        expect![[r#"
            line 1: Denied open profile=p name=/a requested=r denied=r
            line 6: Denied open profile=p name=/b requested=r denied=r
            error: line 2, column 80: expected a quoted or hex-encoded value after `name=`, found unreadable text `/unquoted requested_mask="r"`
            error: line 3, column 37: expected `"DENIED"`, `"ALLOWED"`, `"AUDIT"`, `"HINT"`, `"STATUS"` or `"ERROR"` after `apparmor=`, found unreadable text `"SOMETHING" operation="open"`
            error: line 4, column 54: expected a process id, found unreadable text `x`
            error: line 5, column 1: not a journal JSON entry: key must be a string at line 1 column 2
        "#]],
    );
}

#[test]
fn forms_outside_libapparmor() {
    // auditd's `name_format` host prefix, `dmesg -T` times of day, older
    // journalctl `-o short-iso` zones without a colon; `ausearch -i`'s
    // interpreted records are not read (an error, the rest goes on).
    check(
        r#"node=web1 type=AVC msg=audit(1765000000.001:101): apparmor="DENIED" operation="open" profile="p" name="/a" requested_mask="r" denied_mask="r"
[Mon Dec  7 10:00:00 2026] audit: type=1400 audit(1765000000.002:102): apparmor="DENIED" operation="open" profile="p" name="/b" requested_mask="r" denied_mask="r"
2026-12-07T10:00:00+0000 host kernel: audit: type=1400 audit(1765000000.003:103): apparmor="DENIED" operation="open" profile="p" name="/c" requested_mask="r" denied_mask="r"
type=AVC msg=audit(12/07/2026 10:00:00.006:106) : apparmor=DENIED operation=open profile=p name=/f requested_mask=r
node=web1 type=AVC msg=audit(1765000000.004:104): apparmor="DENIED" operation="open" profile="p" name=/bad requested_mask="r"
"#,
        expect![[r#"
            line 1: Denied open profile=p name=/a requested=r denied=r
            line 2: Denied open profile=p name=/b requested=r denied=r
            line 3: Denied open profile=p name=/c requested=r denied=r
            error: line 4, column 22: expected `audit(SECONDS.MILLIS:SERIAL):`, found unreadable text `/07/2026 10:00:00.006:106) : apparmor=DE...`
            error: line 5, column 103: expected a quoted or hex-encoded value after `name=`, found unreadable text `/bad requested_mask="r"`
        "#]],
    );
}
