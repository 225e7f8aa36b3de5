//! The two shapes `journalctl` gives audit records in, turned into text the
//! grammar reads: `-o json` lines (the record is the `MESSAGE` field) and
//! the short form of records that came through the audit transport
//! (`host audit[123]: AVC apparmor=...`).

use serde_json::Value;

/// The text to read and how to map an offset in it back to the text the
/// user sees (the log line, or a JSON line's `MESSAGE`).
pub(crate) struct Message {
    pub text: String,
    /// Bytes added at the front of `original`.
    pub inserted: usize,
    /// Bytes of `original` left out (where, how many), after `inserted`.
    pub removed: Option<(usize, usize)>,
    pub original: String,
}

impl Message {
    fn plain(text: &str) -> Message {
        Message { text: text.to_owned(), inserted: 0, removed: None, original: text.to_owned() }
    }

    /// The 1-based column, in characters of `original`, of a byte offset
    /// into `text`.
    pub fn column(&self, offset: usize) -> usize {
        let mut at = offset.saturating_sub(self.inserted);
        if let Some((start, len)) = self.removed
            && at >= start
        {
            at += len;
        }
        let mut at = at.min(self.original.len());
        while !self.original.is_char_boundary(at) {
            at -= 1;
        }
        self.original[..at].chars().count() + 1
    }
}

/// `journalctl`'s short form of an audit-transport record names the audit
/// type before the fields (`audit[4711]: AVC apparmor="DENIED" ...`); the
/// type word is left out so the fields read as a syslog record's.
///
/// auditd writes the generic AppArmor type by number (`type=1400`) when it
/// has no name for it; libapparmor reads only the name, so the number is
/// read as `AVC` (same length: columns stay right).
pub(crate) fn short_line(line: &str) -> Message {
    // auditd with `name_format` set names the host first
    // (`node=web1 type=AVC msg=...`); the record is what follows.
    if let Some(rest) = line.strip_prefix("node=")
        && let Some(space) = rest.find(' ')
        && rest[space + 1..].starts_with("type=")
    {
        let skip = 5 + space + 1;
        let mut m = short_line(&line[skip..]);
        m.removed = match m.removed {
            None => Some((0, skip)),
            // Both cuts in one: only the node prefix is mapped back.
            Some(_) => Some((0, skip)),
        };
        m.original = line.to_owned();
        return m;
    }
    // `dmesg -T` writes the time of day (`[Mon Dec  7 10:00:00 2026]`)
    // where the kernel's log has seconds since boot: read as a zero
    // stamp of the same width, so columns stay right.
    if line.starts_with('[')
        && let Some(end) = line.find(']')
        && end >= 20
        && line[1..end].contains(':')
        && line[1..4].chars().all(|c| c.is_ascii_alphabetic())
    {
        let mut message = Message::plain(line);
        message.text = format!("[{}0.000000]{}", " ".repeat(end - 9), &line[end + 1..]);
        return message;
    }
    // `journalctl -o short-iso` of older systemd writes the zone as
    // `+0000`; the syslog form has `+00:00` (same reading).
    let b = line.as_bytes();
    if b.len() > 25
        && b[4] == b'-'
        && b[10] == b'T'
        && let Some(z) = (19..b.len().min(32)).find(|&i| matches!(b[i], b'+' | b'-'))
        && b.get(z + 1..z + 5).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && b.get(z + 5) == Some(&b' ')
    {
        let mut message = Message::plain(line);
        message.text = format!("{}:{}", &line[..z + 3], &line[z + 3..]);
        return message;
    }
    if let Some(rest) = line.strip_prefix("type=1400 ") {
        let mut message = Message::plain(line);
        message.text = format!("type=AVC  {rest}");
        return message;
    }
    if let Some(i) = line.find("]: AVC ")
        && line[..i].contains("audit[")
    {
        let start = i + 3;
        let mut text = line[..start].to_owned();
        text.push_str(&line[start + 4..]);
        return Message { text, inserted: 0, removed: Some((start, 4)), original: line.to_owned() };
    }
    Message::plain(line)
}

fn field<'a>(entry: &'a Value, name: &str) -> Option<&'a str> {
    entry.get(name).and_then(Value::as_str)
}

/// The record of one `journalctl -o json` line, `None` if it has no
/// message.
pub(crate) fn json_line(line: &str) -> Result<Option<Message>, String> {
    let entry: Value = serde_json::from_str(line).map_err(|e| format!("not a journal JSON entry: {e}"))?;
    let message = match entry.get("MESSAGE") {
        Some(Value::String(s)) => s.clone(),
        // The journal gives messages that are not UTF-8 as arrays of bytes.
        Some(Value::Array(bytes)) => {
            let bytes: Vec<u8> = bytes.iter().filter_map(Value::as_u64).map(|b| b as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => return Ok(None),
    };
    // Microseconds since the epoch, as the audit id's `SECONDS.MILLIS`.
    let micros: u64 = field(&entry, "_SOURCE_REALTIME_TIMESTAMP")
        .or_else(|| field(&entry, "__REALTIME_TIMESTAMP"))
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let serial = field(&entry, "_AUDIT_ID").unwrap_or("0");
    let stamp = format!("msg=audit({}.{:03}:{serial}): ", micros / 1_000_000, micros / 1000 % 1000);
    if message.starts_with("audit:") {
        // The kernel transport: the message is what dmesg shows after its
        // timestamp.
        let prefix = "[    0.000000] ";
        return Ok(Some(Message {
            text: format!("{prefix}{message}"),
            inserted: prefix.len(),
            removed: None,
            original: message,
        }));
    }
    // The audit transport (and user-space messages): the fields, maybe
    // after the audit type's name.
    let skip = match field(&entry, "_TRANSPORT") {
        Some("audit") => {
            let word =
                message.bytes().take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_').count();
            if word > 0 && message.as_bytes().get(word) == Some(&b' ') { word + 1 } else { 0 }
        }
        _ => 0,
    };
    Ok(Some(Message {
        text: format!("{stamp}{}", &message[skip..]),
        inserted: stamp.len(),
        removed: (skip > 0).then_some((0, skip)),
        original: message,
    }))
}
