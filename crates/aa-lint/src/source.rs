//! Reading inputs and mapping byte offsets to lines and columns.

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Where a text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn from_arg(path: &Path) -> Input {
        if path.as_os_str() == "-" { Input::Stdin } else { Input::File(path.to_path_buf()) }
    }

    /// The name shown in messages.
    pub fn display_name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_owned(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// A decoded input, ready to parse.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub name: String,
    pub text: String,
}

/// Reads all of standard input as bytes.
pub fn read_stdin() -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map(|_| bytes)
        .map_err(|error| format!("<stdin>: cannot read: {error}"))
}

/// The largest text the syntax tree can address.
pub const MAX_FILE_SIZE: usize = u32::MAX as usize;

/// Reads one input. `stdin` holds standard input, read once up front.
pub fn load(input: &Input, stdin: Option<&Result<Vec<u8>, String>>) -> Result<SourceText, String> {
    let name = input.display_name();
    let bytes = match input {
        Input::Stdin => match stdin {
            Some(Ok(bytes)) => bytes.clone(),
            Some(Err(message)) => return Err(message.clone()),
            None => return Err("<stdin>: standard input was not read".to_owned()),
        },
        Input::File(path) => {
            // Refuse before reading, so a huge file costs no memory.
            if let Ok(metadata) = std::fs::metadata(path)
                && metadata.len() > MAX_FILE_SIZE as u64
            {
                return Err(too_large(&name, metadata.len()));
            }
            std::fs::read(path).map_err(|error| format!("{name}: cannot read: {error}"))?
        }
    };
    // Offsets in the syntax tree are `u32`.
    if bytes.len() > MAX_FILE_SIZE {
        return Err(too_large(&name, bytes.len() as u64));
    }
    let text = decode(&name, bytes)?;
    Ok(SourceText { name, text })
}

fn too_large(name: &str, size: u64) -> String {
    format!("{name}: too large ({size} bytes; the limit is {MAX_FILE_SIZE} bytes)")
}

/// UTF-8 decoding with a message that names the first invalid byte.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let byte = error.as_bytes().get(offset).copied().unwrap_or(0);
        format!("{name}: not valid UTF-8: invalid byte 0x{byte:02x} at byte offset {offset}")
    })
}

/// Byte offset of the start of each line of `text`.
pub fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(offset, _)| offset + 1));
    starts
}

/// Byte offset → 1-based line and 1-based column (in characters).
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    line_starts: std::borrow::Cow<'a, [usize]>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        LineIndex { text, line_starts: std::borrow::Cow::Owned(line_starts(text)) }
    }

    /// An index over `text` from its [`line_starts`], computed once per
    /// file rather than once per finding (which made output quadratic in
    /// the file's size).
    pub fn with_starts(text: &'a str, starts: &'a [usize]) -> LineIndex<'a> {
        LineIndex { text, line_starts: std::borrow::Cow::Borrowed(starts) }
    }

    /// The indexed text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Clamps `offset` into the text and onto a character boundary.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// 0-based line number of the line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = self.clamp(offset);
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// 1-based line and column of `offset`; the column counts characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count();
        (line + 1, column + 1)
    }

    /// Byte range of a 0-based line, without its `\n` (or `\r\n`).
    pub fn line_range(&self, line: usize) -> (usize, usize) {
        let start = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        let mut end = self.line_starts.get(line + 1).map_or(self.text.len(), |&next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end.max(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let index = LineIndex::new("ab\nçé x\n");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(3), (2, 1));
        // `x` is after two two-byte characters and a space.
        assert_eq!(index.line_col(8), (2, 4));
        // The end of the text is the start of an empty last line.
        assert_eq!(index.line_col(10), (3, 1));
        // Offsets inside a character or past the end are clamped.
        assert_eq!(index.line_col(4), (2, 1));
        assert_eq!(index.line_col(99), (3, 1));
    }

    #[test]
    fn line_range_strips_line_endings() {
        let index = LineIndex::new("a\r\nbc\n");
        assert_eq!(index.line_range(0), (0, 1));
        assert_eq!(index.line_range(1), (3, 5));
        assert_eq!(index.line_range(2), (6, 6));
    }

    #[test]
    fn decode_names_first_invalid_byte() {
        let error = decode("f", b"ab\xffc".to_vec()).unwrap_err();
        assert_eq!(error, "f: not valid UTF-8: invalid byte 0xff at byte offset 2");
    }
}
