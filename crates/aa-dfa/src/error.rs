//! The one error type of the decoder.
//!
//! Every error carries the byte offset where decoding failed, so that a
//! caller (or a person with `xxd`) can look at the exact spot. Offsets are
//! absolute offsets into the buffer handed to [`crate::Policy::decode`],
//! also for errors found inside a DFA blob.

use std::fmt;

/// A decoding failure at a known byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Absolute byte offset of the offending item.
    pub offset: usize,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

/// What went wrong while decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The input ended while `needed` more bytes were expected.
    UnexpectedEof { needed: usize, context: &'static str },
    /// A type code byte that the serialization format does not define.
    UnknownCode(u8),
    /// A well-formed item that is not allowed at this place.
    Unexpected { expected: String, found: String },
    /// A name or string is not NUL-terminated (or has length 0).
    UnterminatedString,
    /// Struct/list/array start and end markers do not pair up.
    Unbalanced(&'static str),
    /// A DFA blob (table set) is malformed.
    BadTables(String),
    /// A field has a value outside what the format allows.
    BadValue(String),
}

impl DecodeError {
    pub(crate) fn new(offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError { offset, kind }
    }

    pub(crate) fn tables(offset: usize, msg: impl Into<String>) -> DecodeError {
        DecodeError::new(offset, DecodeErrorKind::BadTables(msg.into()))
    }

    pub(crate) fn value(offset: usize, msg: impl Into<String>) -> DecodeError {
        DecodeError::new(offset, DecodeErrorKind::BadValue(msg.into()))
    }

    pub(crate) fn unexpected(offset: usize, expected: impl Into<String>, found: impl Into<String>) -> DecodeError {
        DecodeError::new(offset, DecodeErrorKind::Unexpected { expected: expected.into(), found: found.into() })
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {:#x}: ", self.offset)?;
        match &self.kind {
            DecodeErrorKind::UnexpectedEof { needed, context } => {
                write!(f, "unexpected end of input reading {context} ({needed} more bytes needed)")
            }
            DecodeErrorKind::UnknownCode(c) => write!(f, "unknown type code {c:#04x}"),
            DecodeErrorKind::Unexpected { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            DecodeErrorKind::UnterminatedString => write!(f, "string is not NUL-terminated"),
            DecodeErrorKind::Unbalanced(what) => write!(f, "unbalanced {what}"),
            DecodeErrorKind::BadTables(msg) => write!(f, "bad DFA tables: {msg}"),
            DecodeErrorKind::BadValue(msg) => write!(f, "bad value: {msg}"),
        }
    }
}

impl std::error::Error for DecodeError {}
