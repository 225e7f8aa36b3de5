//! Profiles and hats: names, attachments, flags, hats' `xattrs`, and
//! duplicate names among siblings.

use std::collections::{HashMap, HashSet};

use aa_syntax::{
    SyntaxKind::*,
    SyntaxNode, TextRange,
    ast::{self, AstNode},
};

use super::{change_profile, conditional, file, has_var, signal, unquote};
use crate::{Diagnostic, variables::Variables};

/// The first characters each value of `text` can start with, once a leading
/// variable is expanded; `None` when that cannot be known here.
fn leading_values(text: &str, vars: Option<&Variables>) -> Option<Vec<String>> {
    let Some(rest) = text.strip_prefix("@{") else {
        return Some(vec![text.to_string()]);
    };
    let end = rest.find('}')?;
    let name = &rest[..end];
    let suffix = &rest[end + 1..];
    let values = vars?.set_values(name).ok()?;
    Some(values.into_iter().map(|v| format!("{v}{suffix}")).collect())
}

pub(super) fn check_profile(
    profile: &ast::Profile,
    nested: bool,
    vars: Option<&Variables>,
    sink: &mut Vec<Diagnostic>,
) {
    let name = profile.name().map(|v| (unquote(&v.text()), v.syntax().text_range()));
    if let Some((name, range)) = &name {
        check_name(profile, name, *range, nested, vars, sink);
    }
    if let Some(attachment) = profile.attachment() {
        let text = unquote(&attachment.text());
        let values = leading_values(&text, vars);
        let bad = match &values {
            Some(values) => values.iter().any(|v| !(v.starts_with('/') || (v.starts_with("@{") && vars.is_none()))),
            None => !(text.starts_with('/') || text.starts_with("@{")),
        };
        if bad {
            sink.push(Diagnostic::error(
                "attachment-not-absolute",
                "a profile attachment must be an absolute path (start with `/`), also once its variables are expanded",
                attachment.syntax().text_range(),
            ));
        }
    }
    if let (Some(xattrs), Some(flags)) = (
        profile.syntax().children().find(|n| n.kind() == XATTRS),
        profile.syntax().children().find(|n| n.kind() == FLAGS),
    ) && xattrs.text_range().start() > flags.text_range().start()
    {
        sink.push(Diagnostic::error(
            "xattrs-after-flags",
            "`xattrs=( )` must come before `flags=( )`",
            xattrs.text_range(),
        ));
    }
    for cond in profile.syntax().children().filter(|n| n.kind() == CONDITION) {
        check_identities(&cond, sink);
    }
    if profile.is_hat()
        && let Some(xattrs) = profile.syntax().children().find(|n| n.kind() == XATTRS)
    {
        sink.push(Diagnostic::error(
            "hat-xattrs",
            "hats cannot have `xattrs=( )` matches: only profiles attach by xattrs",
            xattrs.text_range(),
        ));
    }
    if let Some(flags) = profile.flags() {
        check_flags(&flags, vars, sink);
    }
    if let Some(body) = profile.body() {
        file::check_exec_conflicts(body.syntax(), sink);
        change_profile::check_conflicts(body.syntax(), sink);
        duplicates_in(body.syntax(), &mut HashSet::new(), vars, sink);
    }
}

/// `+ identities=( ... )`: at least one, and an identity with blanks must be a path.
fn check_identities(cond: &SyntaxNode, sink: &mut Vec<Diagnostic>) {
    let words: Vec<String> =
        cond.children_with_tokens().filter_map(|e| e.into_token()).map(|t| t.text().to_string()).collect();
    if !words.iter().any(|w| w == "identities") {
        return;
    }
    let values: Vec<SyntaxNode> = cond.descendants().filter(|n| n.kind() == VALUE).collect();
    if values.is_empty() {
        sink.push(Diagnostic::error("bad-identity", "`identities=( )` needs at least one identity", cond.text_range()));
    }
    for value in values {
        let text = unquote(&value.text().to_string());
        if text.contains(char::is_whitespace) && !text.starts_with('/') {
            sink.push(Diagnostic::error(
                "bad-identity",
                format!("identity `{text}` contains blanks: only path identities (starting with `/`) may"),
                value.text_range(),
            ));
        }
    }
}

fn check_name(
    profile: &ast::Profile,
    name: &str,
    range: TextRange,
    nested: bool,
    vars: Option<&Variables>,
    sink: &mut Vec<Diagnostic>,
) {
    if name.starts_with("@{") {
        // A per-profile variable in the profile's own name is reported as
        // undefined by `reference_diagnostics`; nothing more to say here.
        for builtin in crate::variables::BUILTIN_VARIABLES {
            let reference = format!("@{{{builtin}}}");
            if name.contains(&reference) && vars.is_some_and(|v| !v.sets.contains_key(*builtin)) {
                return;
            }
        }
        if !nested
            && !profile.is_hat()
            && !profile.has_profile_keyword()
            && let Some(values) = leading_values(name, vars)
            && values.iter().any(|v| !v.starts_with('/'))
        {
            sink.push(Diagnostic::error(
                "profile-name-needs-keyword",
                format!(
                    "`{name}` needs the `profile` keyword: without it a profile name must expand to absolute paths"
                ),
                range,
            ));
        }
        return;
    }
    if has_var(name) {
        return;
    }
    if let Some(rest) = name.strip_prefix(':') {
        if rest.starts_with(':') {
            sink.push(Diagnostic::error("bad-namespace", "the namespace name is empty: write `:ns:name`", range));
            return;
        }
        let Some(end) = rest.find(':') else {
            sink.push(Diagnostic::error(
                "bad-namespace",
                "a namespace must be closed with `:`: write `:ns:name` or `:ns://name`",
                range,
            ));
            return;
        };
        let after = &rest[end + 1..];
        let after = after.strip_prefix("//").unwrap_or(after);
        if after.is_empty() {
            sink.push(Diagnostic::error(
                "bad-namespace",
                "a profile name is missing after the namespace: write `:ns:name`",
                range,
            ));
        }
        return;
    }
    if !nested && !profile.is_hat() && !profile.has_profile_keyword() && !name.starts_with('/') {
        sink.push(Diagnostic::error(
            "profile-name-needs-keyword",
            format!(
                "`{name}` needs the `profile` keyword: without it a profile name must be an absolute path or start with a `:namespace:`"
            ),
            range,
        ));
    }
}

const MODES: &[&str] = &["enforce", "complain", "kill", "unconfined", "prompt", "default_allow"];

const PLAIN_FLAGS: &[&str] = &[
    "debug",
    "audit",
    "chroot_relative",
    "namespace_relative",
    "mediate_deleted",
    "delegate_deleted",
    "attach_disconnected",
    "no_attach_disconnected",
    "chroot_attach",
    "chroot_no_attach",
    "interruptible",
    "attach_disconnected.ipc",
];

/// Flags that cannot be given together.
const EXCLUSIVE: &[(&str, &str)] = &[
    ("chroot_relative", "namespace_relative"),
    ("mediate_deleted", "delegate_deleted"),
    ("attach_disconnected", "no_attach_disconnected"),
    ("attach_disconnected.ipc", "no_attach_disconnected"),
    ("chroot_attach", "chroot_no_attach"),
];

fn check_flags(flags: &ast::Flags, vars: Option<&Variables>, sink: &mut Vec<Diagnostic>) {
    if !flags.syntax().children().any(|n| n.kind() == FLAG) {
        sink.push(Diagnostic::error(
            "empty-flags",
            "`flags=( )` is empty: give at least one flag or leave `flags` out",
            flags.syntax().text_range(),
        ));
        return;
    }
    let mut mode: Option<String> = None;
    let mut present: Vec<&'static str> = Vec::new();
    let mut values: HashMap<&'static str, String> = HashMap::new();
    for node in flags.syntax().children().filter(|n| n.kind() == FLAG) {
        let mut text = unquote(node.text().to_string().trim());
        let range = node.text_range();
        if has_var(&text) {
            // Only the path flags take variables; check their expansion.
            let Some(vars) = vars else { continue };
            let Some((key, value)) = text.clone().split_once('=').map(|(k, v)| (k.to_string(), v.to_string())) else {
                continue;
            };
            let (key, value) = (key.as_str(), value.as_str());
            if !matches!(key, "attach_disconnected.path" | "attach_disconnected.ipc") {
                continue;
            }
            match leading_values(value, Some(vars)) {
                Some(values) if values.iter().all(|v| v.starts_with('/')) => text = format!("{key}=/"),
                Some(_) => text = format!("{key}={value}"),
                None => continue,
            }
            if text.contains("@{") {
                text = format!("{key}=@");
            }
        }
        if MODES.contains(&text.as_str()) {
            match &mode {
                Some(previous) if *previous != text => sink.push(Diagnostic::error(
                    "conflicting-profile-flags",
                    format!(
                        "profile mode `{text}` conflicts with `{previous}`: give one of {}",
                        super::quoted_list(MODES)
                    ),
                    range,
                )),
                _ => mode = Some(text.clone()),
            }
            continue;
        }
        if let Some(flag) = PLAIN_FLAGS.iter().find(|f| **f == text) {
            present.push(flag);
            continue;
        }
        let (key, value): (&'static str, &str) = if let Some(v) = text.strip_prefix("attach_disconnected.path=") {
            ("attach_disconnected.path", v)
        } else if let Some(v) = text.strip_prefix("attach_disconnected.ipc=") {
            ("attach_disconnected.ipc", v)
        } else if let Some(v) = text.strip_prefix("kill.signal=") {
            ("kill.signal", v)
        } else if let Some(v) = text.strip_prefix("error=") {
            ("error", v)
        } else {
            sink.push(Diagnostic::error(
                "unknown-profile-flag",
                format!(
                    "`{text}` is not a profile flag: expected a mode ({}) or one of {}, `attach_disconnected.path=`, `kill.signal=`, `error=`",
                    super::quoted_list(MODES),
                    super::quoted_list(PLAIN_FLAGS)
                ),
                range,
            ));
            continue;
        };
        let valid = match key {
            "kill.signal" => signal::is_signal(value),
            "error" => ERRNOS.contains(&value),
            _ => value.starts_with('/'),
        };
        if !valid {
            let what = match key {
                "kill.signal" => "a signal name such as `kill` or `term`",
                "error" => "an errno name such as `EPERM`",
                _ => "an absolute path",
            };
            sink.push(Diagnostic::error(
                "bad-profile-flag-value",
                format!("`{value}` is not valid for `{key}=`: expected {what}"),
                range,
            ));
            continue;
        }
        match key {
            "attach_disconnected.path" => present.push("attach_disconnected"),
            "attach_disconnected.ipc" => present.push("attach_disconnected.ipc"),
            _ => {}
        }
        // The same key with two different values cannot both hold.
        let canonical = if key == "kill.signal" { signal::canonical(value) } else { value.to_string() };
        match values.get(key) {
            Some(previous) if *previous != canonical => sink.push(Diagnostic::error(
                "conflicting-profile-flags",
                format!("`{key}=` is given two different values"),
                range,
            )),
            _ => {
                values.insert(key, canonical);
            }
        }
    }
    for (a, b) in EXCLUSIVE {
        if present.contains(a) && present.contains(b) {
            sink.push(Diagnostic::error(
                "conflicting-profile-flags",
                format!("profile flag `{a}` conflicts with `{b}`"),
                flags.syntax().text_range(),
            ));
        }
    }
}

/// Hats and child profiles of one profile must have distinct names. An `if`
/// whose condition the booleans decide adds its taken branch to the scope;
/// an undecided one is checked branch by branch on its own.
fn duplicates_in(node: &SyntaxNode, seen: &mut HashSet<String>, vars: Option<&Variables>, sink: &mut Vec<Diagnostic>) {
    let mut branches = Vec::new();
    for child in node.children() {
        match child.kind() {
            PROFILE | HAT => {
                let Some(profile) = ast::Profile::cast(child) else {
                    continue;
                };
                let Some(name) = profile.name() else { continue };
                let text = unquote(&name.text());
                if has_var(&text) || looks_like_qualified_block(&profile, &text) {
                    continue;
                }
                if !seen.insert(text.clone()) {
                    sink.push(Diagnostic::error(
                        "duplicate-profile",
                        format!("a profile or hat named `{text}` is already declared; names must be unique"),
                        name.syntax().text_range(),
                    ));
                }
            }
            IF_STMT => {
                let decided = vars.and_then(|v| {
                    let expr = child.children().find(|n| conditional::is_expr(n.kind()))?;
                    conditional::eval(&expr, v)
                });
                match decided {
                    Some(true) => {
                        if let Some(block) = child.children().find(|n| n.kind() == BLOCK) {
                            duplicates_in(&block, seen, vars, sink);
                        }
                    }
                    Some(false) => {
                        if let Some(branch) = child.children().find(|n| n.kind() == ELSE_BRANCH) {
                            duplicates_in(&branch, seen, vars, sink);
                        }
                    }
                    None => branches.push(child),
                }
            }
            // The body of an `else` branch.
            BLOCK => duplicates_in(&child, seen, vars, sink),
            _ => {}
        }
    }
    for stmt in branches {
        for branch in stmt.children().filter(|n| matches!(n.kind(), BLOCK | ELSE_BRANCH)) {
            duplicates_in(&branch, &mut HashSet::new(), vars, sink);
        }
    }
}

/// `audit { }` and friends inside a profile currently parse as a child
/// profile named after the qualifier; they are blocks of rules.
fn looks_like_qualified_block(profile: &ast::Profile, name: &str) -> bool {
    !profile.is_hat()
        && !profile.has_profile_keyword()
        && matches!(name, "audit" | "allow" | "deny" | "prompt" | "owner" | "other" | "user")
}

/// Top-level profiles with the same name.
pub(super) fn check_file(file: &ast::SourceFile, vars: Option<&Variables>, sink: &mut Vec<Diagnostic>) {
    duplicates_in(file.syntax(), &mut HashSet::new(), vars, sink);
}

/// Linux errno names `error=` accepts.
const ERRNOS: &[&str] = &[
    "EPERM",
    "ENOENT",
    "ESRCH",
    "EINTR",
    "EIO",
    "ENXIO",
    "E2BIG",
    "ENOEXEC",
    "EBADF",
    "ECHILD",
    "EAGAIN",
    "ENOMEM",
    "EACCES",
    "EFAULT",
    "ENOTBLK",
    "EBUSY",
    "EEXIST",
    "EXDEV",
    "ENODEV",
    "ENOTDIR",
    "EISDIR",
    "EINVAL",
    "ENFILE",
    "EMFILE",
    "ENOTTY",
    "ETXTBSY",
    "EFBIG",
    "ENOSPC",
    "ESPIPE",
    "EROFS",
    "EMLINK",
    "EPIPE",
    "EDOM",
    "ERANGE",
    "EDEADLK",
    "ENAMETOOLONG",
    "ENOLCK",
    "ENOSYS",
    "ENOTEMPTY",
    "ELOOP",
    "EWOULDBLOCK",
    "ENOMSG",
    "EIDRM",
    "ECHRNG",
    "EL2NSYNC",
    "EL3HLT",
    "EL3RST",
    "ELNRNG",
    "EUNATCH",
    "ENOCSI",
    "EL2HLT",
    "EBADE",
    "EBADR",
    "EXFULL",
    "ENOANO",
    "EBADRQC",
    "EBADSLT",
    "EDEADLOCK",
    "EBFONT",
    "ENOSTR",
    "ENODATA",
    "ETIME",
    "ENOSR",
    "ENONET",
    "ENOPKG",
    "EREMOTE",
    "ENOLINK",
    "EADV",
    "ESRMNT",
    "ECOMM",
    "EPROTO",
    "EMULTIHOP",
    "EDOTDOT",
    "EBADMSG",
    "EOVERFLOW",
    "ENOTUNIQ",
    "EBADFD",
    "EREMCHG",
    "ELIBACC",
    "ELIBBAD",
    "ELIBSCN",
    "ELIBMAX",
    "ELIBEXEC",
    "EILSEQ",
    "ERESTART",
    "ESTRPIPE",
    "EUSERS",
    "ENOTSOCK",
    "EDESTADDRREQ",
    "EMSGSIZE",
    "EPROTOTYPE",
    "ENOPROTOOPT",
    "EPROTONOSUPPORT",
    "ESOCKTNOSUPPORT",
    "EOPNOTSUPP",
    "ENOTSUP",
    "EPFNOSUPPORT",
    "EAFNOSUPPORT",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "ENETDOWN",
    "ENETUNREACH",
    "ENETRESET",
    "ECONNABORTED",
    "ECONNRESET",
    "ENOBUFS",
    "EISCONN",
    "ENOTCONN",
    "ESHUTDOWN",
    "ETOOMANYREFS",
    "ETIMEDOUT",
    "ECONNREFUSED",
    "EHOSTDOWN",
    "EHOSTUNREACH",
    "EALREADY",
    "EINPROGRESS",
    "ESTALE",
    "EUCLEAN",
    "ENOTNAM",
    "ENAVAIL",
    "EISNAM",
    "EREMOTEIO",
    "EDQUOT",
    "ENOMEDIUM",
    "EMEDIUMTYPE",
    "ECANCELED",
    "ENOKEY",
    "EKEYEXPIRED",
    "EKEYREVOKED",
    "EKEYREJECTED",
    "EOWNERDEAD",
    "ENOTRECOVERABLE",
    "ERFKILL",
    "EHWPOISON",
];

#[cfg(test)]
mod tests {
    use crate::checks::tests::check;
    use expect_test::expect;

    #[test]
    fn flags() {
        check(
            "/a flags=(complain, enforce, audit, bogus, kill.signal=hup, error=ENOPE, attach_disconnected.path=rel, chroot_relative, namespace_relative) {}",
            expect![[r#"
                conflicting-profile-flags@3..139: profile flag `chroot_relative` conflicts with `namespace_relative`
                conflicting-profile-flags@20..27: profile mode `enforce` conflicts with `complain`: give one of `enforce`, `complain`, `kill`, `unconfined`, `prompt`, `default_allow`
                unknown-profile-flag@36..41: `bogus` is not a profile flag: expected a mode (`enforce`, `complain`, `kill`, `unconfined`, `prompt`, `default_allow`) or one of `debug`, `audit`, `chroot_relative`, `namespace_relative`, `mediate_deleted`, `delegate_deleted`, `attach_disconnected`, `no_attach_disconnected`, `chroot_attach`, `chroot_no_attach`, `interruptible`, `attach_disconnected.ipc`, `attach_disconnected.path=`, `kill.signal=`, `error=`
                bad-profile-flag-value@60..71: `ENOPE` is not valid for `error=`: expected an errno name such as `EPERM`
                bad-profile-flag-value@73..101: `rel` is not valid for `attach_disconnected.path=`: expected an absolute path
            "#]],
        );
    }

    #[test]
    fn names_and_duplicates() {
        check(
            "unattached {} :ns {} :ns: {} /a {} /a {} profile p bin/x {} /h { ^x xattrs=(a=b) {} hat x {} }",
            expect![[r#"
                profile-name-needs-keyword@0..10: `unattached` needs the `profile` keyword: without it a profile name must be an absolute path or start with a `:namespace:`
                bad-namespace@14..17: a namespace must be closed with `:`: write `:ns:name` or `:ns://name`
                bad-namespace@21..25: a profile name is missing after the namespace: write `:ns:name`
                duplicate-profile@35..37: a profile or hat named `/a` is already declared; names must be unique
                attachment-not-absolute@51..56: a profile attachment must be an absolute path (start with `/`), also once its variables are expanded
                hat-xattrs@68..80: hats cannot have `xattrs=( )` matches: only profiles attach by xattrs
                duplicate-profile@88..89: a profile or hat named `x` is already declared; names must be unique
            "#]],
        );
    }
}
