//! Completion by context. The context is read from the text of the current
//! statement before the cursor, which works while the statement is still
//! incomplete (and so does not parse as the rule it will become).

use std::path::{Path, PathBuf};

use aa_hir::{
    checks::names,
    db::{Db, FileContent},
};
use aa_syntax::{TextRange, TextSize};

use crate::{docs, util};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    Keyword,
    Capability,
    NetworkFamily,
    NetworkType,
    Permission,
    Signal,
    Option,
    Variable,
    File,
    Folder,
    Profile,
    Flag,
    /// A template with `${1:placeholder}` tab stops (LSP snippet syntax).
    Snippet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// The text to insert when it differs from the label.
    pub insert_text: Option<String>,
    /// The text the completion replaces.
    pub range: TextRange,
}

fn item(label: &str, kind: CompletionKind, doc: Option<&str>, range: TextRange) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind,
        detail: None,
        documentation: doc.map(str::to_string),
        insert_text: None,
        range,
    }
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32))
}

fn from_table(table: docs::Table, kind: CompletionKind, r: TextRange, out: &mut Vec<CompletionItem>) {
    out.extend(table.iter().map(|(n, d)| item(n, kind, Some(d), r)));
}

/// Every name `apparmor_parser` knows (aa-hir's table): those we explain
/// first, in our order (the common ones first), then the rest.
fn from_names(names: &[&str], table: docs::Table, kind: CompletionKind, r: TextRange, out: &mut Vec<CompletionItem>) {
    out.extend(table.iter().filter(|(n, _)| names.contains(n)).map(|(n, d)| item(n, kind, Some(d), r)));
    out.extend(names.iter().filter(|n| docs::lookup(table, n).is_none()).map(|n| item(n, kind, None, r)));
}

fn from_list(list: &[&str], kind: CompletionKind, r: TextRange, out: &mut Vec<CompletionItem>) {
    out.extend(list.iter().map(|n| item(n, kind, None, r)));
}

/// Templates: label, description, body in LSP snippet syntax, and whether
/// they belong inside a profile (`false`: at the top of a file).
const SNIPPETS: &[(&str, &str, &str, bool)] = &[
    (
        "profile (new profile)",
        "a profile with the standard preamble",
        "abi <abi/${1:4.0}>,\n\ninclude <tunables/global>\n\nprofile ${2:name} ${3:/usr/bin/name} {\n  include <abstractions/base>\n\n  $0\n\n  include if exists <local/${2:name}>\n}\n",
        false,
    ),
    ("include <tunables/global>", "the global tunables", "include <tunables/global>\n", false),
    ("abi (feature ABI)", "pin the feature ABI", "abi <abi/${1:4.0}>,\n", false),
    ("include <abstractions/...>", "an abstraction", "include <abstractions/${1:base}>\n", true),
    ("include if exists <local/...>", "the local override", "include if exists <local/${1:name}>\n", true),
    ("^hat", "a hat", "^${1:name} {\n  $0\n}", true),
    ("profile (child profile)", "a child profile", "profile ${1:name} {\n  $0\n}", true),
    ("owner @{HOME}/... rw", "a file rule for the owner's home", "owner @{HOME}/${1:.config/name}/** ${2:rw},", true),
    (
        "dbus send (method call)",
        "a D-Bus method call to one peer",
        "dbus send\n    bus=${1|session,system|}\n    path=${2:/org/freedesktop/DBus}\n    interface=${3:org.freedesktop.DBus}\n    member=${4:Hello}\n    peer=(name=${5:org.freedesktop.DBus}),",
        true,
    ),
    ("signal send (to a peer)", "send a signal to one profile", "signal send set=(${1:term}) peer=${2:name},", true),
    (
        "unix (socket to a peer)",
        "a unix socket connection to one peer",
        "unix (send, receive, connect) type=${1|stream,dgram,seqpacket|} peer=(label=${2:name}),",
        true,
    ),
];

const QUALIFIERS: &[&str] = &["audit", "deny", "allow", "owner", "other", "user", "quiet", "prompt"];

pub(crate) fn completions(db: &dyn Db, path: &Path, offset: TextSize) -> Vec<CompletionItem> {
    let text = util::text(db, path);
    let offset = usize::from(offset);
    if offset > text.len() || !text.is_char_boundary(offset) {
        return Vec::new();
    }
    let before = &text[..offset];
    // The statement so far: from the last `,`, `{`, `}` or line start.
    let stmt_start = before.rfind([',', '{', '}', '\n']).map_or(0, |i| i + 1);
    let stmt = &before[stmt_start..];
    let trimmed = stmt.trim_start();
    let stmt_start = offset - trimmed.len();
    // The word being typed.
    let word_start = before
        .rfind(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '=' | '{' | '}' | '<' | '"' | '>'))
        .map_or(0, |i| i + 1)
        .max(stmt_start);
    let word = &before[word_start..];
    let word_range = range(word_start, offset);
    let mut out = Vec::new();

    // Comments.
    if trimmed.starts_with('#') && !trimmed.starts_with("#include") {
        return out;
    }

    // include <abstractions/...>
    let include_rest =
        trimmed.strip_prefix("#include").or_else(|| trimmed.strip_prefix("include")).map(|r| r.trim_start()).map(|r| {
            r.strip_prefix("if").map(|r| r.trim_start().strip_prefix("exists").unwrap_or(r).trim_start()).unwrap_or(r)
        });
    if let Some(rest) = include_rest
        && trimmed.len() > "include".len()
        && (rest.starts_with('<') || rest.starts_with('"') || rest.is_empty())
    {
        include_paths(db, rest, offset, &mut out);
        return out;
    }

    // @{variables}
    let var_start = before.rfind('@').filter(|&at| {
        let rest = &before[at..];
        at >= before.rfind('\n').map_or(0, |i| i + 1)
            && !rest.contains('}')
            && !rest.contains(char::is_whitespace)
            && (rest == "@" || rest.starts_with("@{"))
    });
    if let Some(at) = var_start {
        {
            let r = range(at, offset);
            let mut seen = Vec::new();
            for def in util::variable_defs(db, path) {
                if seen.contains(&def.name) {
                    continue;
                }
                seen.push(def.name.clone());
                let label = format!("@{{{}}}", def.name);
                let mut it = item(&label, CompletionKind::Variable, None, r);
                it.detail = Some(util::shorten(&def.values.join(" "), 80));
                it.documentation = Some(format!("Defined in `{}`.", def.path.display()));
                out.push(it);
            }
            for builtin in ["profile_name", "exec_path", "attach_path", "os_release"] {
                if !seen.iter().any(|s| s == builtin) {
                    let mut it = item(&format!("@{{{builtin}}}"), CompletionKind::Variable, None, r);
                    it.detail = Some("set by apparmor_parser".to_string());
                    out.push(it);
                }
            }
            return out;
        }
    }

    // -> profile
    if let Some(arrow) = stmt.rfind("->")
        && offset - (stmt.len() - arrow) + 2 <= word_start
    {
        let mut seen = Vec::new();
        for p in util::profiles(db, path) {
            if seen.contains(&p.name) {
                continue;
            }
            seen.push(p.name.clone());
            let mut it = item(&p.name, CompletionKind::Profile, None, word_range);
            it.detail = Some(if p.is_hat { "hat" } else { "profile" }.to_string());
            out.push(it);
        }
        return out;
    }

    // flags=( ... )
    if let Some(f) = trimmed.rfind("flags=(").or_else(|| trimmed.rfind("flags="))
        && !trimmed[f..].contains(')')
    {
        from_table(docs::FLAGS, CompletionKind::Flag, word_range, &mut out);
        return out;
    }

    // The rule keyword: the first word after the qualifiers.
    let mut words = trimmed.split_whitespace().peekable();
    let mut keyword = None;
    let mut nth = 0;
    for w in words.by_ref() {
        nth += 1;
        if QUALIFIERS.contains(&w) || w.starts_with("priority=") {
            continue;
        }
        keyword = Some(w);
        break;
    }
    let typing_keyword = match keyword {
        None => true,
        // Still typing the keyword itself.
        Some(_) => {
            !stmt.ends_with(char::is_whitespace) && words.peek().is_none() && word_start >= stmt_start && {
                let last = trimmed.split_whitespace().last().unwrap_or("");
                last == word && nth == trimmed.split_whitespace().count()
            }
        }
    };
    if typing_keyword {
        if word.starts_with('/') || word.starts_with('@') {
            return out;
        }
        let kw_range = word_range;
        for k in docs::RULE_KEYWORDS {
            let base = k.split(' ').next().unwrap_or(k).trim_end_matches('=');
            out.push(item(k, CompletionKind::Keyword, docs::lookup(docs::KEYWORDS, base), kw_range));
        }
        // Templates only where a statement starts (nothing but qualifiers before).
        if nth <= 1 {
            let inside_profile = before.matches('{').count() > before.matches('}').count();
            for (label, detail, body, in_profile) in SNIPPETS {
                if *in_profile == inside_profile || label.starts_with("include") {
                    let mut it = item(label, CompletionKind::Snippet, None, kw_range);
                    it.detail = Some(detail.to_string());
                    it.insert_text = Some(body.to_string());
                    out.push(it);
                }
            }
        }
        return out;
    }
    let keyword = keyword.unwrap_or("");
    let after_kw = &trimmed[trimmed.find(keyword).map_or(0, |i| i + keyword.len())..];
    let open_paren = |name: &str| -> bool { after_kw.rfind(name).is_some_and(|i| !after_kw[i..].contains(')')) };
    match keyword {
        "capability" => {
            from_names(names::CAPABILITIES, docs::CAPABILITIES, CompletionKind::Capability, word_range, &mut out)
        }
        "network" => {
            from_names(
                names::NETWORK_FAMILIES,
                docs::NETWORK_FAMILIES,
                CompletionKind::NetworkFamily,
                word_range,
                &mut out,
            );
            from_names(names::NETWORK_TYPES, docs::NETWORK_TYPES, CompletionKind::NetworkType, word_range, &mut out);
        }
        "signal" => {
            if open_paren("set=(") || after_kw.trim_end().ends_with("set=") {
                from_names(names::SIGNALS, docs::SIGNALS, CompletionKind::Signal, word_range, &mut out);
            } else {
                from_list(docs::SIGNAL_ACCESS, CompletionKind::Permission, word_range, &mut out);
                from_list(&["set=(", "peer="], CompletionKind::Option, word_range, &mut out);
            }
        }
        "ptrace" => {
            from_list(docs::PTRACE_ACCESS, CompletionKind::Permission, word_range, &mut out);
            from_list(&["peer="], CompletionKind::Option, word_range, &mut out);
        }
        "dbus" => {
            if after_kw.trim_end().ends_with("bus=") {
                from_list(&["system", "session", "accessibility"], CompletionKind::Option, word_range, &mut out);
            } else {
                from_list(docs::DBUS_ACCESS, CompletionKind::Permission, word_range, &mut out);
                from_list(docs::DBUS_CONDS, CompletionKind::Option, word_range, &mut out);
            }
        }
        "unix" => {
            if after_kw.trim_end().ends_with("type=") {
                from_list(&["stream", "dgram", "seqpacket"], CompletionKind::NetworkType, word_range, &mut out);
            } else {
                from_list(docs::UNIX_ACCESS, CompletionKind::Permission, word_range, &mut out);
                from_list(docs::UNIX_CONDS, CompletionKind::Option, word_range, &mut out);
            }
        }
        "mount" | "remount" | "umount" => {
            if open_paren("options=(") || open_paren("options in (") || after_kw.trim_end().ends_with("options=") {
                from_list(docs::MOUNT_OPTIONS, CompletionKind::Option, word_range, &mut out);
            } else {
                from_list(docs::MOUNT_CONDS, CompletionKind::Option, word_range, &mut out);
            }
        }
        "set" => from_list(docs::RLIMITS, CompletionKind::Option, word_range, &mut out),
        "rlimit" => from_list(docs::RLIMITS, CompletionKind::Option, word_range, &mut out),
        "change_profile" => from_list(&["safe", "unsafe", "->"], CompletionKind::Keyword, word_range, &mut out),
        "userns" => from_list(&["create"], CompletionKind::Permission, word_range, &mut out),
        "io_uring" => {
            from_list(&["sqpoll", "override_creds", "label="], CompletionKind::Permission, word_range, &mut out)
        }
        "mqueue" => from_list(
            &["r", "w", "rw", "create", "open", "delete", "read", "write", "getattr", "setattr", "type=", "label="],
            CompletionKind::Permission,
            word_range,
            &mut out,
        ),
        _ if keyword.starts_with('/') || keyword.starts_with('@') || keyword == "file" => {
            // A file rule: after the path come the permissions.
            let path_done = word_start > stmt_start + trimmed.find(keyword).unwrap_or(0) + keyword.len();
            if path_done {
                from_table(docs::EXEC_MODES, CompletionKind::Permission, word_range, &mut out);
                for (p, d) in docs::PERMS.iter().filter(|(p, _)| !matches!(*p, "x" | "c" | "d")) {
                    out.push(item(p, CompletionKind::Permission, Some(d), word_range));
                }
                for combo in ["r", "rw", "rwk", "rk", "mr", "rix", "mrix"] {
                    if !out.iter().any(|i| i.label == combo) {
                        out.push(item(combo, CompletionKind::Permission, None, word_range));
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// The directory of a file rule's path being typed at `offset`, and the
/// range of its last component: what a front end completes from the file
/// system (`None` elsewhere, or when the directory part has a glob or a
/// variable, which no listing can answer).
pub(crate) fn path_context(db: &dyn Db, path: &Path, offset: TextSize) -> Option<(PathBuf, TextRange)> {
    let text = util::text(db, path);
    let offset = usize::from(offset);
    if offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let before = &text[..offset];
    let stmt_start = before.rfind([',', '{', '}', '\n']).map_or(0, |i| i + 1);
    let words: Vec<&str> = before[stmt_start..].split_whitespace().collect();
    if before.ends_with(char::is_whitespace) {
        return None;
    }
    let word = *words.last()?;
    // Only qualifiers (or `file`) before the path.
    if !words[..words.len() - 1].iter().all(|w| QUALIFIERS.contains(w) || *w == "file" || w.starts_with("priority=")) {
        return None;
    }
    let word = word.strip_prefix('"').unwrap_or(word);
    if !word.starts_with('/') {
        return None;
    }
    let slash = word.rfind('/')?;
    let dir = &word[..=slash];
    if dir.contains(['*', '?', '[', '{', '@', '"', '\\']) {
        return None;
    }
    let last = &word[slash + 1..];
    Some((PathBuf::from(dir), range(offset - last.len(), offset)))
}

fn include_paths(db: &dyn Db, rest: &str, offset: usize, out: &mut Vec<CompletionItem>) {
    let (searched, partial) = if let Some(p) = rest.strip_prefix('<') {
        (true, p)
    } else if let Some(p) = rest.strip_prefix('"') {
        (false, p)
    } else {
        (true, rest)
    };
    if partial.contains('>') || (!searched && partial.contains('"')) {
        return;
    }
    let (dir_part, file_part) = match partial.rfind('/') {
        Some(i) => (&partial[..=i], &partial[i + 1..]),
        None => ("", partial),
    };
    let r = range(offset - file_part.len(), offset);
    let settings = db.settings();
    let roots: Vec<PathBuf> = if !searched && Path::new(partial).is_absolute() {
        vec![PathBuf::from("/")]
    } else if searched {
        settings.include_dirs(db).iter().cloned().chain(std::iter::once(settings.base_dir(db).clone())).collect()
    } else {
        vec![settings.working_dir(db).clone()]
    };
    let mut seen: Vec<String> = Vec::new();
    for root in roots {
        let dir = root.join(dir_part.trim_start_matches('/'));
        let dir = if dir_part.starts_with('/') && !searched { PathBuf::from(dir_part) } else { dir };
        let FileContent::Directory(entries) = db.file(&dir).content(db).clone() else { continue };
        let mut entries = entries;
        entries.sort();
        for name in entries {
            if aa_hir::includes::is_skipped_file_name(&name) || seen.contains(&name) {
                continue;
            }
            let is_dir = matches!(db.file(&dir.join(&name)).content(db), FileContent::Directory(_));
            let mut it = item(&name, if is_dir { CompletionKind::Folder } else { CompletionKind::File }, None, r);
            it.detail = Some(dir.join(&name).display().to_string());
            if is_dir {
                it.insert_text = Some(format!("{name}/"));
            }
            seen.push(name);
            out.push(it);
        }
    }
}
