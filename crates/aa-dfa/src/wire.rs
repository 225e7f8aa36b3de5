//! Layer 1 of the decoder: the tagged serialization stream.
//!
//! `apparmor_parser` writes policy as a flat sequence of items. Each item
//! starts with a one-byte type code; an optional `NAME` item in front of a
//! value labels it. Multi-byte scalars are little-endian (this is the only
//! little-endian part of the format; DFA blobs are big-endian inside).
//!
//! This module turns bytes into a flat list of [`Token`]s and checks that
//! struct/list/array markers nest properly, but gives them no meaning;
//! [`crate::policy`] interprets the token list.

use std::fmt;

use crate::error::{DecodeError, DecodeErrorKind};

/// Type codes of the stream, in the numbering the kernel expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    U8 = 0,
    U16 = 1,
    U32 = 2,
    U64 = 3,
    Name = 4,
    String = 5,
    Blob = 6,
    Struct = 7,
    StructEnd = 8,
    List = 9,
    ListEnd = 10,
    Array = 11,
    ArrayEnd = 12,
    Offset = 13,
}

impl Code {
    fn from_byte(b: u8) -> Option<Code> {
        Some(match b {
            0 => Code::U8,
            1 => Code::U16,
            2 => Code::U32,
            3 => Code::U64,
            4 => Code::Name,
            5 => Code::String,
            6 => Code::Blob,
            7 => Code::Struct,
            8 => Code::StructEnd,
            9 => Code::List,
            10 => Code::ListEnd,
            11 => Code::Array,
            12 => Code::ArrayEnd,
            13 => Code::Offset,
            _ => return None,
        })
    }
}

/// The value part of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    /// String bytes without the trailing NUL. Interior NULs are kept: the
    /// parser uses them to separate a namespace from a profile name.
    String(&'a [u8]),
    /// Blob contents; `data_offset` of the token tells where they start.
    Blob(&'a [u8]),
    StructStart,
    StructEnd,
    ListStart,
    ListEnd,
    /// Array start with its declared element count.
    ArrayStart(u16),
    ArrayEnd,
}

impl Value<'_> {
    /// A short description, for error messages.
    pub fn describe(&self) -> String {
        match self {
            Value::U8(v) => format!("u8 {v}"),
            Value::U16(v) => format!("u16 {v}"),
            Value::U32(v) => format!("u32 {v:#x}"),
            Value::U64(v) => format!("u64 {v:#x}"),
            Value::String(s) => format!("string {:?}", String::from_utf8_lossy(s)),
            Value::Blob(b) => format!("blob of {} bytes", b.len()),
            Value::StructStart => "struct start".to_owned(),
            Value::StructEnd => "struct end".to_owned(),
            Value::ListStart => "list start".to_owned(),
            Value::ListEnd => "list end".to_owned(),
            Value::ArrayStart(n) => format!("array start ({n} elements)"),
            Value::ArrayEnd => "array end".to_owned(),
        }
    }
}

/// One (optionally named) item of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// Offset of the item's first byte (its NAME, if it has one).
    pub offset: usize,
    /// Offset of the value's payload (after code and length fields).
    pub data_offset: usize,
    /// The item's name, without the trailing NUL.
    pub name: Option<&'a [u8]>,
    pub value: Value<'a>,
}

impl Token<'_> {
    /// The name as text, or `""` when unnamed.
    pub fn name_str(&self) -> String {
        self.name.map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default()
    }

    pub fn describe(&self) -> String {
        match self.name {
            Some(n) => format!("{:?} {}", String::from_utf8_lossy(n), self.value.describe()),
            None => format!("unnamed {}", self.value.describe()),
        }
    }
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, context: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end {
            Some(end) => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(DecodeError::new(
                self.pos,
                DecodeErrorKind::UnexpectedEof { needed: n - (self.buf.len() - self.pos), context },
            )),
        }
    }

    fn u8(&mut self, ctx: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, ctx)?[0])
    }
    fn u16(&mut self, ctx: &'static str) -> Result<u16, DecodeError> {
        let b = self.take(2, ctx)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, ctx: &'static str) -> Result<u32, DecodeError> {
        let b = self.take(4, ctx)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, ctx: &'static str) -> Result<u64, DecodeError> {
        let b = self.take(8, ctx)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// A u16-length-prefixed, NUL-terminated string; returns it without NUL.
    fn string(&mut self, ctx: &'static str) -> Result<&'a [u8], DecodeError> {
        let start = self.pos;
        let len = self.u16(ctx)? as usize;
        let s = self.take(len, ctx)?;
        match s.split_last() {
            Some((0, body)) => Ok(body),
            _ => Err(DecodeError::new(start, DecodeErrorKind::UnterminatedString)),
        }
    }
}

/// Splits a whole stream into tokens, checking that nesting is balanced.
pub fn tokenize(buf: &[u8]) -> Result<Vec<Token<'_>>, DecodeError> {
    let mut c = Cursor { buf, pos: 0 };
    let mut out = Vec::new();
    // Open containers: (kind, offset of the opener).
    let mut stack: Vec<(Value<'static>, usize)> = Vec::new();
    while c.pos < buf.len() {
        let offset = c.pos;
        let mut code_byte = c.u8("type code")?;
        let mut name = None;
        if code_byte == Code::Name as u8 {
            name = Some(c.string("item name")?);
            code_byte = c.u8("type code after name")?;
        }
        let code_offset = c.pos - 1;
        let code = Code::from_byte(code_byte)
            .ok_or_else(|| DecodeError::new(code_offset, DecodeErrorKind::UnknownCode(code_byte)))?;
        let value = match code {
            Code::U8 => Value::U8(c.u8("u8")?),
            Code::U16 => Value::U16(c.u16("u16")?),
            Code::U32 => Value::U32(c.u32("u32")?),
            Code::U64 => Value::U64(c.u64("u64")?),
            Code::String => Value::String(c.string("string")?),
            Code::Blob => {
                let len = c.u32("blob length")? as usize;
                Value::Blob(c.take(len, "blob")?)
            }
            Code::Struct => Value::StructStart,
            Code::List => Value::ListStart,
            Code::Array => Value::ArrayStart(c.u16("array count")?),
            Code::StructEnd => Value::StructEnd,
            Code::ListEnd => Value::ListEnd,
            Code::ArrayEnd => Value::ArrayEnd,
            Code::Name => {
                return Err(DecodeError::unexpected(code_offset, "a value after a name", "another name"));
            }
            Code::Offset => {
                return Err(DecodeError::unexpected(code_offset, "a value", "the unused OFFSET code"));
            }
        };
        let data_offset = match value {
            Value::String(s) | Value::Blob(s) => c.pos - s.len() - usize::from(matches!(value, Value::String(_))),
            _ => c.pos,
        };
        match value {
            Value::StructStart | Value::ListStart | Value::ArrayStart(_) => {
                let opener = match value {
                    Value::StructStart => Value::StructStart,
                    Value::ListStart => Value::ListStart,
                    _ => Value::ArrayStart(0),
                };
                stack.push((opener, offset));
            }
            Value::StructEnd | Value::ListEnd | Value::ArrayEnd => {
                let ok = matches!(
                    (stack.pop(), value),
                    (Some((Value::StructStart, _)), Value::StructEnd)
                        | (Some((Value::ListStart, _)), Value::ListEnd)
                        | (Some((Value::ArrayStart(_), _)), Value::ArrayEnd)
                );
                if !ok {
                    return Err(DecodeError::new(offset, DecodeErrorKind::Unbalanced("end marker")));
                }
            }
            _ => {}
        }
        out.push(Token { offset, data_offset, name, value });
    }
    if let Some((_, off)) = stack.last() {
        return Err(DecodeError::new(*off, DecodeErrorKind::Unbalanced("container never closed")));
    }
    Ok(out)
}

/// A token list printed one item per line, indented by nesting. For
/// debugging a stream the typed decoder rejects.
pub struct TokenDump<'t, 'a>(pub &'t [Token<'a>]);

impl fmt::Display for TokenDump<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut depth = 0usize;
        for t in self.0 {
            if matches!(t.value, Value::StructEnd | Value::ListEnd | Value::ArrayEnd) {
                depth = depth.saturating_sub(1);
            }
            writeln!(f, "{:#08x} {:indent$}{}", t.offset, "", t.describe(), indent = depth * 2)?;
            if matches!(t.value, Value::StructStart | Value::ListStart | Value::ArrayStart(_)) {
                depth += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_named_scalars_and_nesting() {
        let mut b = vec![4, 4, 0, b'a', b'b', b'c', 0, 2, 1, 0, 0, 0];
        b.extend([7, 5, 2, 0, b'x', 0, 8]);
        let toks = tokenize(&b).unwrap();
        assert_eq!(toks.len(), 4);
        assert_eq!(toks[0].name, Some(&b"abc"[..]));
        assert_eq!(toks[0].value, Value::U32(1));
        assert_eq!(toks[2].value, Value::String(b"x"));
        assert_eq!(toks[2].data_offset, 16);
    }

    #[test]
    fn rejects_truncation_with_offset() {
        let err = tokenize(&[2, 1, 0]).unwrap_err();
        assert_eq!(err.offset, 1);
        assert!(matches!(err.kind, DecodeErrorKind::UnexpectedEof { .. }));
    }

    #[test]
    fn rejects_unbalanced_and_unknown() {
        assert_eq!(tokenize(&[7, 12]).unwrap_err().offset, 1);
        assert_eq!(tokenize(&[7]).unwrap_err().offset, 0);
        assert_eq!(tokenize(&[2, 0, 0, 0, 0, 99]).unwrap_err().kind, DecodeErrorKind::UnknownCode(99));
        assert_eq!(tokenize(&[5, 1, 0, b'x']).unwrap_err().kind, DecodeErrorKind::UnterminatedString);
    }

    #[test]
    fn never_panics_on_prefixes_of_garbage() {
        let junk: Vec<u8> = (0u32..600).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        for end in 0..junk.len() {
            let _ = tokenize(&junk[..end]);
        }
    }
}
