//! The aa-lint language server: tower-lsp-server glue over `aa-ide`.
//!
//! This is the only crate that knows LSP types. It keeps open documents in
//! ropes (incremental sync), converts positions (UTF-16 by default, UTF-8
//! when the client offers it), pushes debounced diagnostics and answers
//! requests on snapshots of the analysis. See `server.rs` for the
//! concurrency rules.

mod call_hierarchy;
mod capabilities;
mod convert;
mod features;
mod framing;
mod handlers;
mod loader;
mod logs;
mod publish;
mod server;
mod settings;

use std::{sync::Arc, time::Duration};

use tower_lsp_server::{ClientSocket, LspService, Server};

pub use crate::{
    loader::OsLoader,
    logs::read_features_dir,
    server::{Backend, DEFAULT_DEBOUNCE},
    settings::default_docs_url,
};

/// The service with the OS loader, for `run_stdio` and in-process tests.
pub fn service() -> (LspService<Backend>, ClientSocket) {
    service_with(Arc::new(OsLoader), debounce_from_env())
}

/// The service over any loader, with a chosen diagnostics debounce.
pub fn service_with(loader: Arc<dyn aa_ide::FileLoader>, debounce: Duration) -> (LspService<Backend>, ClientSocket) {
    LspService::build(move |client| Backend::new(client, loader.clone(), debounce))
        .custom_method("aa/syntaxTree", Backend::syntax_tree)
        .custom_method("aa/documentText", Backend::document_text)
        .finish()
}

/// `AA_LINT_LSP_DEBOUNCE_MS` overrides the diagnostics debounce.
fn debounce_from_env() -> Duration {
    std::env::var("AA_LINT_LSP_DEBOUNCE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_DEBOUNCE)
}

/// Serves the language server over standard input and output until the
/// client exits.
pub async fn run_stdio() {
    let (service, socket) = service();
    // Malformed input is answered by `framing` and never reaches the
    // transport, which would stop at the first message it cannot decode.
    let (server_in, guard_in) = tokio::io::duplex(1 << 16);
    let (server_out, guard_out) = tokio::io::duplex(1 << 16);
    let (frames_tx, frames_rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(framing::guard_input(tokio::io::stdin(), guard_in, frames_tx.clone()));
    tokio::spawn(framing::frames_of(guard_out, frames_tx));
    let writer = tokio::spawn(framing::write_frames(tokio::io::stdout(), frames_rx));
    Server::new(server_in, server_out, socket).serve(service).await;
    // Let the last answers out before the process ends.
    let _ = tokio::time::timeout(Duration::from_millis(200), writer).await;
}
