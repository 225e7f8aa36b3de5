//! A guard between standard input and the JSON-RPC transport.
//!
//! The transport stops reading for good at the first message it cannot
//! decode (its framed reader ends after an error), so one bad
//! `Content-Length`, a body that is not UTF-8 or not JSON would end the
//! server. This guard reads the frames itself, answers a bad one with a
//! JSON-RPC error (`id: null`, "Parse error" or "Invalid Request") and
//! passes only well-formed messages on; the transport's own output goes
//! out through the same writer, a whole frame at a time.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// Bodies larger than this are refused (and skipped) rather than buffered.
const MAX_BODY: usize = 256 << 20;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_frame(code: i64, message: &str) -> Vec<u8> {
    let body = serde_json::json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": null });
    frame(body.to_string().as_bytes())
}

/// `Content-Length: N` anywhere in a header line (so that a frame after a
/// body shorter than announced, glued to its last bytes, is still found).
fn content_length(line: &str) -> Option<Result<usize, ()>> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("content-length:")?;
    Some(line[at + "content-length:".len()..].trim().parse::<usize>().map_err(|_| ()))
}

/// Copies well-formed frames from `input` to `server`; sends an error frame
/// to `out` for each bad one. Ends at the end of `input`.
pub(crate) async fn guard_input(
    input: impl AsyncRead + Unpin,
    mut server: impl AsyncWrite + Unpin,
    out: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut reader = BufReader::new(input);
    loop {
        // Headers up to an empty line.
        let mut length: Option<Result<usize, ()>> = None;
        let mut saw_header = false;
        loop {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if saw_header {
                    break;
                }
                continue;
            }
            saw_header = true;
            if let Some(found) = content_length(line) {
                length = Some(found);
            }
        }
        let length = match length {
            Some(Ok(n)) if n <= MAX_BODY => n,
            Some(Ok(n)) => {
                let _ = out.send(error_frame(-32600, "message too large"));
                let _ = tokio::io::copy(&mut (&mut reader).take(n as u64), &mut tokio::io::sink()).await;
                continue;
            }
            _ => {
                let _ = out.send(error_frame(-32700, "Parse error: missing or invalid Content-Length"));
                continue;
            }
        };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let verdict = match std::str::from_utf8(&body) {
            Err(_) => Err(error_frame(-32700, "Parse error: the message is not UTF-8")),
            Ok(text) => match serde_json::from_str::<serde_json::Value>(text) {
                Err(_) => Err(error_frame(-32700, "Parse error")),
                Ok(value) if !value.is_object() => Err(error_frame(-32600, "Invalid Request")),
                Ok(_) => Ok(()),
            },
        };
        match verdict {
            Ok(()) => {
                if server.write_all(&frame(&body)).await.is_err() || server.flush().await.is_err() {
                    return;
                }
            }
            Err(error) => {
                let _ = out.send(error);
            }
        }
    }
}

/// Reads the transport's frames from `server` and sends each whole to `out`.
pub(crate) async fn frames_of(server: impl AsyncRead + Unpin, out: mpsc::UnboundedSender<Vec<u8>>) {
    let mut reader = BufReader::new(server);
    loop {
        let mut headers = Vec::new();
        let mut length = None;
        loop {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            headers.extend_from_slice(&line);
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                break;
            }
            if let Some(Ok(n)) = content_length(text) {
                length = Some(n);
            }
        }
        let mut body = vec![0; length.unwrap_or(0)];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        headers.extend_from_slice(&body);
        if out.send(headers).is_err() {
            return;
        }
    }
}

/// Writes every frame it receives to `output`, in order.
pub(crate) async fn write_frames(mut output: impl AsyncWrite + Unpin, mut frames: mpsc::UnboundedReceiver<Vec<u8>>) {
    while let Some(frame) = frames.recv().await {
        if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}
