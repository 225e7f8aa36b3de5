//! Byte offsets ↔ LSP positions, over the rope of an open document, in the
//! negotiated position encoding (UTF-16 by default, UTF-8 when offered).

use aa_ide::{TextRange, TextSize};
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The end of line `line` without its line break, as a char index.
fn line_end_char(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_char(line);
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
    }
    if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    start + len
}

pub fn offset_to_position(rope: &Rope, offset: TextSize, enc: Encoding) -> Position {
    let offset = usize::from(offset).min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let character = match enc {
        Encoding::Utf8 => offset - rope.line_to_byte(line),
        Encoding::Utf16 => {
            let ch = rope.byte_to_char(offset);
            rope.char_to_utf16_cu(ch) - rope.char_to_utf16_cu(rope.line_to_char(line))
        }
    };
    Position { line: line as u32, character: character as u32 }
}

/// A position to a byte offset; past the end of a line means its end, past
/// the last line means the end of the text; never inside a character.
pub fn position_to_offset(rope: &Rope, pos: Position, enc: Encoding) -> TextSize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return TextSize::new(rope.len_bytes() as u32);
    }
    let start_char = rope.line_to_char(line);
    let end_char = line_end_char(rope, line);
    let ch = match enc {
        Encoding::Utf8 => {
            let start = rope.line_to_byte(line);
            let end = rope.char_to_byte(end_char);
            let byte = (start + pos.character as usize).min(end);
            rope.byte_to_char(byte)
        }
        Encoding::Utf16 => {
            let start = rope.char_to_utf16_cu(start_char);
            let end = rope.char_to_utf16_cu(end_char);
            let cu = (start + pos.character as usize).min(end);
            rope.utf16_cu_to_char(cu)
        }
    };
    TextSize::new(rope.char_to_byte(ch.clamp(start_char, end_char)) as u32)
}

pub fn range(rope: &Rope, range: TextRange, enc: Encoding) -> Range {
    Range { start: offset_to_position(rope, range.start(), enc), end: offset_to_position(rope, range.end(), enc) }
}

pub fn text_range(rope: &Rope, range: Range, enc: Encoding) -> TextRange {
    let start = position_to_offset(rope, range.start, enc);
    let end = position_to_offset(rope, range.end, enc);
    TextRange::new(start.min(end), end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_both_encodings() {
        let text = "a\u{e9}\u{1F600}b\r\nxy\n\nz";
        let rope = Rope::from_str(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (i, _) in text.char_indices() {
                // Between `\r` and `\n` is no position of its own.
                if text[..i].ends_with('\r') && text[i..].starts_with('\n') {
                    continue;
                }
                let off = TextSize::new(i as u32);
                let pos = offset_to_position(&rope, off, enc);
                assert_eq!(position_to_offset(&rope, pos, enc), off, "{enc:?} {i} {pos:?}");
            }
        }
        let p = offset_to_position(&rope, TextSize::new(7), Encoding::Utf16);
        assert_eq!((p.line, p.character), (0, 4));
        // Past the end of a line clamps to before the line break.
        let off = position_to_offset(&rope, Position { line: 0, character: 99 }, Encoding::Utf16);
        assert_eq!(off, TextSize::new(8));
        // Inside a surrogate pair never splits the character.
        let off = position_to_offset(&rope, Position { line: 0, character: 3 }, Encoding::Utf16);
        assert!(text.is_char_boundary(usize::from(off)));
        let off = position_to_offset(&rope, Position { line: 99, character: 0 }, Encoding::Utf8);
        assert_eq!(usize::from(off), text.len());
    }
}
