//! `textDocument/prepareCallHierarchy`, `callHierarchy/incomingCalls` and
//! `outgoingCalls`: profiles as the items, exec and change_profile
//! transitions as the calls (`aa_ide::transitions`, the graph of
//! `aa-lint graph`).

use aa_ide::transitions::{Call, CallItem};
use aa_ide::{Analysis, Cancellable};
use serde_json::Value;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::server::Snapshot;

/// Marks the items that are profiles (others are labels or failures, which
/// have no calls of their own).
const PROFILE_DATA: &str = "profile";

fn item(a: &Analysis, s: &Snapshot, it: &CallItem) -> Cancellable<Option<lsp::CallHierarchyItem>> {
    let Some(range) = s.location(a, &it.path, it.range)? else { return Ok(None) };
    let selection = s.location(a, &it.path, it.selection)?.map_or(range.range, |l| l.range);
    let kind = if it.detail == "profile" { lsp::SymbolKind::CLASS } else { lsp::SymbolKind::EVENT };
    Ok(Some(lsp::CallHierarchyItem {
        name: it.name.clone(),
        kind,
        tags: None,
        detail: Some(it.detail.to_owned()),
        uri: range.uri,
        range: range.range,
        selection_range: selection,
        data: (it.detail == "profile").then(|| Value::String(PROFILE_DATA.to_owned())),
    }))
}

pub(crate) fn prepare(
    a: &Analysis,
    s: &Snapshot,
    pos: lsp::Position,
) -> Cancellable<Option<Vec<lsp::CallHierarchyItem>>> {
    let mut items = Vec::new();
    for it in a.prepare_call_hierarchy(&s.path, s.offset(pos))? {
        items.extend(item(a, s, &it)?);
    }
    Ok(if items.is_empty() { None } else { Some(items) })
}

/// The ranges of a call's rules, in the caller's file.
fn ranges(a: &Analysis, s: &Snapshot, caller: &Uri, call: &Call) -> Cancellable<Vec<lsp::Range>> {
    let path = crate::server::uri_to_path(caller);
    let mut out = Vec::new();
    for r in &call.ranges {
        out.extend(s.location(a, &path, *r)?.map(|l| l.range));
    }
    Ok(out)
}

fn is_profile(it: &lsp::CallHierarchyItem) -> bool {
    it.data.as_ref().and_then(Value::as_str) == Some(PROFILE_DATA)
}

pub(crate) fn outgoing(
    a: &Analysis,
    s: &Snapshot,
    of: &lsp::CallHierarchyItem,
) -> Cancellable<Option<Vec<lsp::CallHierarchyOutgoingCall>>> {
    if !is_profile(of) {
        return Ok(Some(Vec::new()));
    }
    let mut out = Vec::new();
    for call in a.outgoing_calls(&of.name)? {
        let Some(to) = item(a, s, &call.item)? else { continue };
        let from_ranges = ranges(a, s, &of.uri, &call)?;
        out.push(lsp::CallHierarchyOutgoingCall { to, from_ranges });
    }
    Ok(Some(out))
}

pub(crate) fn incoming(
    a: &Analysis,
    s: &Snapshot,
    of: &lsp::CallHierarchyItem,
) -> Cancellable<Option<Vec<lsp::CallHierarchyIncomingCall>>> {
    if !is_profile(of) {
        return Ok(Some(Vec::new()));
    }
    let mut out = Vec::new();
    for call in a.incoming_calls(&of.name)? {
        let Some(from) = item(a, s, &call.item)? else { continue };
        let from_ranges = ranges(a, s, &from.uri, &call)?;
        out.push(lsp::CallHierarchyIncomingCall { from, from_ranges });
    }
    Ok(Some(out))
}
