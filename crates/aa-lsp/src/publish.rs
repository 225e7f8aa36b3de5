//! Publishing diagnostics: after a change, the changed documents are
//! analysed first and published as soon as they are done, then the open
//! documents that include them, shared out over a few snapshots on their
//! own threads; a newer change cancels the round, and the documents it
//! covered are marked dirty again.

use std::{
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use aa_ide::{Analysis, Cancellable};
use ropey::Rope;
use tower_lsp_server::{
    Client,
    ls_types::{self as lsp, Uri},
};

use crate::{
    convert::{self, Encoding},
    server::{State, lock, panic_message},
};

fn workers(docs: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.clamp(1, 4).min(docs.max(1))
}

/// One published document: its URI, diagnostics and version.
type Published = (Uri, Vec<lsp::Diagnostic>, i32);

/// Computes and publishes diagnostics for the dirty documents and those
/// including a dirty file, on several threads: the changed documents first
/// (published as soon as they are done), then the documents that include
/// them. `None` when cancelled by a newer change.
pub(crate) async fn publish_once(client: &Client, state: &Arc<Mutex<State>>) -> Option<()> {
    let (mut analyses, dirty, all, docs, enc, revision, docs_url) = {
        let mut st = lock(state);
        let dirty: Vec<PathBuf> = st.dirty.drain().collect();
        let all = std::mem::take(&mut st.all_dirty);
        let docs: Vec<(PathBuf, Uri, Rope, i32)> =
            st.docs.iter().map(|(p, d)| (p.clone(), d.uri.clone(), d.rope.clone(), d.version)).collect();
        // One snapshot per worker thread.
        let analyses: Vec<Analysis> = (0..workers(docs.len())).map(|_| st.host.analysis()).collect();
        (analyses, dirty, all, docs, st.encoding, st.revision, st.docs_url())
    };
    if dirty.is_empty() && !all {
        return Some(());
    }
    let dirty_for_retry = dirty.clone();
    let (batches, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Vec<Published>>();
    let task = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(AssertUnwindSafe(|| -> Cancellable<()> {
            let (first, rest): (Vec<usize>, Vec<usize>) =
                (0..docs.len()).partition(|&i| all || dirty.contains(&docs[i].0));
            let one = |analysis: &Analysis, i: usize| -> Cancellable<Published> {
                let (path, uri, rope, version) = &docs[i];
                let diags = analysis.diagnostics(path)?;
                let mut converted: Vec<lsp::Diagnostic> = diags
                    .iter()
                    .map(|d| {
                        to_lsp_diagnostic(analysis, d, rope, enc, &docs_url, &|p| {
                            docs.iter().find(|(q, ..)| q == p).map(|(_, u, r, _)| (u.clone(), r.clone()))
                        })
                    })
                    .collect::<Cancellable<_>>()?;
                for hint in analysis.log_hints(path)?.iter() {
                    converted.push(crate::logs::hint_diagnostic(hint, rope, enc));
                }
                Ok((uri.clone(), converted, *version))
            };
            let _ = batches.send(compute_all(&mut analyses, &first, &one)?);
            let mut dependents = Vec::new();
            for i in rest {
                if !dirty.is_empty() && analyses[0].include_closure(&docs[i].0)?.iter().any(|p| dirty.contains(p)) {
                    dependents.push(i);
                }
            }
            if !dependents.is_empty() {
                let _ = batches.send(compute_all(&mut analyses, &dependents, &one)?);
            }
            Ok(())
        }))
    });
    let restore = |st: &Mutex<State>| {
        let mut st = lock(st);
        st.dirty.extend(dirty_for_retry.iter().cloned());
        st.all_dirty |= all;
    };
    let mut stale = false;
    while let Some(batch) = receiver.recv().await {
        if stale || lock(state).revision != revision {
            stale = true;
            continue;
        }
        for (uri, diags, version) in batch {
            client.publish_diagnostics(uri, diags, Some(version)).await;
        }
    }
    match task.await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(_cancelled))) => {
            restore(state);
            return None;
        }
        // A panic or a lost task: report and give up on this round.
        Ok(Err(payload)) => {
            client
                .log_message(
                    lsp::MessageType::ERROR,
                    format!("aa-lint: diagnostics panicked: {}", panic_message(payload.as_ref())),
                )
                .await;
            return Some(());
        }
        Err(_) => return Some(()),
    }
    if stale || lock(state).revision != revision {
        // Stale for the documents changed since: recompute them.
        restore(state);
        return None;
    }
    Some(())
}

/// `one` for every document of `work`, shared out over the snapshots (one
/// thread each), results in the order of `work`.
fn compute_all(
    analyses: &mut [Analysis],
    work: &[usize],
    one: &(dyn Fn(&Analysis, usize) -> Cancellable<Published> + Sync),
) -> Cancellable<Vec<Published>> {
    if work.len() < 2 || analyses.len() < 2 {
        return work.iter().map(|&i| one(&analyses[0], i)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Cancellable<Vec<(usize, Published)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = analyses
            .iter_mut()
            .map(|analysis| {
                let next = &next;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = work.get(k) else { break };
                        out.push((k, one(analysis, i)?));
                    }
                    Ok(out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|payload| std::panic::resume_unwind(payload))).collect()
    });
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    out.sort_by_key(|(k, _)| *k);
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// The documentation page of a lint (the `parser` group shares one).
pub(crate) fn lint_docs_href(docs_url: &str, d: &aa_ide::Diagnostic) -> Option<Uri> {
    let page = if d.group == "parser" { "parser" } else { d.name.as_str() };
    format!("{docs_url}/{page}.md").parse().ok()
}

/// An aa-ide diagnostic as LSP sends it: the lint code as `code`, its name
/// after the message, its documentation page as `codeDescription`.
pub(crate) fn to_lsp_diagnostic(
    analysis: &Analysis,
    d: &aa_ide::Diagnostic,
    rope: &Rope,
    enc: Encoding,
    docs_url: &str,
    open: &dyn Fn(&Path) -> Option<(Uri, Rope)>,
) -> Cancellable<lsp::Diagnostic> {
    let mut related = Vec::new();
    // Related places are often in one file: convert its text once.
    let mut closed: Option<(&Path, Rope)> = None;
    for r in &d.related {
        let path = r.location.path.as_path();
        let location = if let Some((uri, rope)) = open(path) {
            Some(lsp::Location { uri, range: convert::range(&rope, r.location.range, enc) })
        } else if let Some(uri) = Uri::from_file_path(path) {
            if closed.as_ref().is_none_or(|(p, _)| *p != path) {
                closed = Some((path, Rope::from_str(&analysis.file_text(path)?.unwrap_or_default())));
            }
            closed.as_ref().map(|(_, rope)| lsp::Location { uri, range: convert::range(rope, r.location.range, enc) })
        } else {
            None
        };
        if let Some(location) = location {
            related.push(lsp::DiagnosticRelatedInformation { location, message: r.message.clone() });
        }
    }
    Ok(lsp::Diagnostic {
        range: convert::range(rope, d.range, enc),
        severity: Some(match d.severity {
            aa_ide::Severity::Error => lsp::DiagnosticSeverity::ERROR,
            aa_ide::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            aa_ide::Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.code.clone())),
        code_description: lint_docs_href(docs_url, d).map(|href| lsp::CodeDescription { href }),
        source: Some("aa-lint".to_string()),
        message: format!("{} [{}]", d.message, d.name),
        related_information: if related.is_empty() { None } else { Some(related) },
        ..lsp::Diagnostic::default()
    })
}
