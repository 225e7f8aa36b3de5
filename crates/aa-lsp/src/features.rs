//! Code lenses, document links, commands, file-system path completion and
//! the workspace index: the features that read the OS (the kernel's loaded
//! policy, directory listings, the workspace folders) on top of `aa-ide`.

use std::{
    collections::{BTreeSet, HashMap},
    path::{Path, PathBuf},
    time::{Duration, Instant, SystemTime},
};

use aa_ide::{Analysis, Cancellable, LensAction};
use serde_json::{Value, json};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::{convert, server::Snapshot};

/// `workspace/executeCommand` commands.
pub(crate) const REMOVE_RULES: &str = "aa-lint.removeRules";
pub(crate) const FIX_ALL: &str = "aa-lint.fixAll";
pub(crate) const COMMANDS: &[&str] = &[REMOVE_RULES, FIX_ALL];

/// Where the kernel lists its loaded profiles (securityfs):
/// `profiles/<name>.<n>/{name,mode}`. The `kernelPolicyDir` setting points
/// elsewhere (securityfs mounted at another place).
pub(crate) const KERNEL_POLICY_DIR: &str = "/sys/kernel/security/apparmor/policy";

/// A loaded profile: its mode and when it was loaded.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    mode: String,
    loaded_at: Option<SystemTime>,
}

/// The kernel's loaded profiles by name; `None` without securityfs.
pub(crate) fn kernel_profiles(policy_dir: &Path) -> Option<HashMap<String, Loaded>> {
    let dir = policy_dir.join("profiles");
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut out = HashMap::new();
    // Thousands of profiles at most; bounded anyway.
    for entry in entries.filter_map(|e| e.ok()).take(20_000) {
        let path = entry.path();
        let Ok(name) = std::fs::read_to_string(path.join("name")) else { continue };
        let mode = std::fs::read_to_string(path.join("mode")).unwrap_or_default();
        let loaded_at = entry.metadata().and_then(|m| m.modified()).ok();
        out.insert(name.trim().to_string(), Loaded { mode: mode.trim().to_string(), loaded_at });
    }
    Some(out)
}

pub(crate) fn code_lenses(
    a: &Analysis,
    s: &Snapshot,
    version: i32,
    kernel: Option<&HashMap<String, Loaded>>,
    duplicates: &HashMap<String, BTreeSet<PathBuf>>,
) -> Cancellable<Option<Vec<lsp::CodeLens>>> {
    let uri = Uri::from_file_path(&s.path).map(|u| u.as_str().to_string()).unwrap_or_default();
    let mut out = Vec::new();
    for lens in a.code_lenses(&s.path)? {
        let command = match lens.action {
            None => lsp::Command { title: lens.title, command: String::new(), arguments: None },
            Some(LensAction::RemoveRules(edits)) => {
                let edits: Vec<lsp::TextEdit> = edits
                    .into_iter()
                    .map(|e| lsp::TextEdit { range: s.range(e.range), new_text: e.new_text })
                    .collect();
                lsp::Command {
                    title: lens.title,
                    command: REMOVE_RULES.to_string(),
                    arguments: Some(vec![json!(uri), json!(version), json!(edits)]),
                }
            }
        };
        out.push(lsp::CodeLens { range: s.range(lens.range), command: Some(command), data: None });
    }
    let modified = std::fs::metadata(&s.path).and_then(|m| m.modified()).ok();
    for (name, range) in a.profile_names(&s.path)? {
        let range = s.range(range);
        if let Some(kernel) = kernel {
            let title = match kernel.get(&name) {
                None => "kernel: not loaded".to_string(),
                Some(loaded) => {
                    let stale = matches!((modified, loaded.loaded_at), (Some(m), Some(l)) if m > l);
                    let mode = if loaded.mode.is_empty() { "loaded" } else { loaded.mode.as_str() };
                    if stale { format!("kernel: {mode} · modified since loaded") } else { format!("kernel: {mode}") }
                }
            };
            out.push(lens_text(range, title));
        }
        if let Some(others) = duplicates.get(&name) {
            let others: Vec<&PathBuf> = others.iter().filter(|p| **p != s.path).collect();
            if !others.is_empty() {
                let names: Vec<String> = others
                    .iter()
                    .take(3)
                    .map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into()))
                    .collect();
                let more = if others.len() > 3 { format!(" and {} more", others.len() - 3) } else { String::new() };
                out.push(lens_text(range, format!("also defined in {}{more}", names.join(", "))));
            }
        }
    }
    Ok(Some(out))
}

fn lens_text(range: lsp::Range, title: String) -> lsp::CodeLens {
    lsp::CodeLens { range, command: Some(lsp::Command { title, command: String::new(), arguments: None }), data: None }
}

pub(crate) fn document_links(a: &Analysis, s: &Snapshot) -> Cancellable<Option<Vec<lsp::DocumentLink>>> {
    let links = a
        .document_links(&s.path)?
        .into_iter()
        .filter_map(|l| {
            Some(lsp::DocumentLink {
                range: s.range(l.range),
                target: Some(Uri::from_file_path(&l.target)?),
                tooltip: Some(l.tooltip),
                data: None,
            })
        })
        .collect();
    Ok(Some(links))
}

/// At most this many directory entries are offered, and listing stops after
/// this long: a completion never waits on a huge or slow directory.
const MAX_ENTRIES: usize = 500;
const LIST_BUDGET: Duration = Duration::from_millis(50);

/// Entries of the directory of the path being typed, from the file system.
pub(crate) fn path_completions(
    a: &Analysis,
    s: &Snapshot,
    pos: lsp::Position,
) -> Cancellable<Vec<lsp::CompletionItem>> {
    let Some((dir, range)) = a.path_completion_context(&s.path, s.offset(pos))? else { return Ok(Vec::new()) };
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let started = Instant::now();
    let range = s.range(range);
    let mut names: Vec<(String, bool)> = Vec::new();
    for entry in entries.filter_map(|e| e.ok()) {
        if names.len() >= MAX_ENTRIES || started.elapsed() > LIST_BUDGET {
            break;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        names.push((name, is_dir));
    }
    names.sort();
    Ok(names
        .into_iter()
        .map(|(name, is_dir)| {
            let new_text = if is_dir { format!("{name}/") } else { name.clone() };
            lsp::CompletionItem {
                label: name.clone(),
                kind: Some(if is_dir { lsp::CompletionItemKind::FOLDER } else { lsp::CompletionItemKind::FILE }),
                detail: Some(dir.join(&name).display().to_string()),
                sort_text: Some(format!("~{name}")),
                filter_text: Some(name),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit { range, new_text })),
                ..Default::default()
            }
        })
        .collect())
}

/// The edits of `aa-lint.removeRules` (uri, version, edits), if the document
/// is still at that version.
pub(crate) fn remove_rules_edit(
    arguments: &[Value],
    current_version: impl Fn(&Uri) -> Option<i32>,
) -> Result<lsp::WorkspaceEdit, String> {
    let [uri, version, edits] = arguments else { return Err("expected [uri, version, edits]".into()) };
    let uri: Uri = uri.as_str().and_then(|u| u.parse().ok()).ok_or("not a document URI")?;
    let version = version.as_i64().ok_or("not a version")?;
    if current_version(&uri).map(i64::from) != Some(version) {
        return Err("the document changed since the lens was computed".into());
    }
    let edits: Vec<lsp::TextEdit> = serde_json::from_value(edits.clone()).map_err(|e| e.to_string())?;
    Ok(lsp::WorkspaceEdit { changes: Some(HashMap::from([(uri, edits)])), ..Default::default() })
}

/// `aa-lint.fixAll` (uri): every safe fix of the document.
pub(crate) fn fix_all_edit(a: &Analysis, s: &Snapshot, uri: Uri) -> Cancellable<lsp::WorkspaceEdit> {
    let edits = a
        .fix_all(&s.path)?
        .into_iter()
        .map(|e| lsp::TextEdit { range: convert::range(&s.rope, e.range, s.enc), new_text: e.new_text })
        .collect();
    Ok(lsp::WorkspaceEdit { changes: Some(HashMap::from([(uri, edits)])), ..Default::default() })
}

/// The directories of a workspace folder that hold policy: the folder
/// itself when it looks like a policy tree (named `apparmor.d`, or with
/// `abstractions/` or `tunables/`), and its `apparmor.d/` and
/// `profiles/apparmor.d/` (apparmor.d's and upstream's layouts).
pub(crate) fn policy_dirs(folder: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let is_policy = |dir: &Path| {
        dir.file_name().is_some_and(|n| n == "apparmor.d")
            || dir.join("abstractions").is_dir()
            || dir.join("tunables").is_dir()
    };
    if is_policy(folder) {
        out.push(folder.to_path_buf());
    }
    for sub in ["apparmor.d", "profiles/apparmor.d"] {
        let dir = folder.join(sub);
        if dir.is_dir() && !out.contains(&dir) {
            out.push(dir);
        }
    }
    out
}

/// At most this many files are indexed per workspace folder.
const MAX_INDEXED: usize = 20_000;

/// The policy files under `root`, as `aa-lint check` walks a directory
/// (hidden names, `abi/` and the names `apparmor_parser` skips left out),
/// bounded in count and depth.
pub(crate) fn walk_policy(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || aa_ide::is_skipped_file_name(&name) || name == aa_config::FILE_NAME {
                continue;
            }
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                if depth < 12 && !matches!(name.as_str(), "abi" | "target" | "node_modules") {
                    stack.push((entry.path(), depth + 1));
                }
            } else if kind.is_file() && entry.metadata().is_ok_and(|m| m.len() < 1 << 20) {
                out.push(entry.path());
                if out.len() >= MAX_INDEXED {
                    return out;
                }
            }
        }
    }
    out.sort();
    out
}
