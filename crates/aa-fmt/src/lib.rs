//! A formatter for AppArmor policy that never changes what the policy means.
//!
//! It works on `aa-syntax`'s lossless tree and only ever rewrites the white
//! space *between* tokens (plus trailing blanks of comments): every token —
//! paths, permissions, values, strings, flags, comments — comes out with the
//! same text and in the same order. `docs/formatting.md` has the full story and
//! the figures from Debian's installed policy.
//!
//! # Style
//!
//! - Two spaces of indentation per block level (`FormatOptions::indent_width`).
//! - One statement per line. A statement that spans several lines (a long
//!   `dbus` rule, a variable definition continued with `\`) keeps its line
//!   breaks; its continuation lines are indented one level more than its
//!   first line.
//! - Single spaces between the words of a statement; no space before the `,`
//!   that ends a rule.
//! - `{` on the header line; `}` on its own line at the indentation of the
//!   header; `} else {` on one line; an empty block is `{}`.
//! - Blank lines are kept, but runs of them collapse to one; none at the start
//!   of the file. No trailing white space; the file ends with exactly one
//!   newline (`\r\n` line ends become `\n`).
//! - Comments keep their text (trailing blanks aside). A comment on its own
//!   line is indented like the statement level it sits at (or as a
//!   continuation line inside a multi-line statement); a comment after code
//!   stays on its line, one space after it.
//! - `include`, `#include` and `abi` are kept as written (no modernising of
//!   `#include`), including the blanks inside `< … >`, which are part of the
//!   file name; only the blanks before the target become one.
//!
//! # What never changes
//!
//! Whether two tokens are separated at all, and whether the separation holds a
//! line break, can matter to `apparmor_parser`'s lexer (`profile foo{` is a
//! syntax error where `profile foo {` is not; a line break ends a variable
//! definition; `x=\n(…)` and `x= (…)` take different lexer paths). So the
//! formatter only ever
//! - shortens a run of blanks to one blank,
//! - turns blanks into a line break (and back) at statement boundaries and
//!   around `{`, `}` and `else`, where `apparmor_parser` is in its initial
//!   state and treats both alike,
//! - removes the blanks before a rule's final `,`, and between the braces of an
//!   empty block,
//! - inserts a line break only after a `,`, `{` or `}` (and a blank before a
//!   comment only after those), never elsewhere.
//!
//! Before returning, [`format`] re-lexes and re-parses its output and checks
//! these properties (`check.rs`); if its own output failed them it returns
//! [`FormatError::Internal`] rather than text whose meaning might differ.
//! The integration test `tests/compiled_policy.rs` compiles every profile
//! Debian installs with the real `apparmor_parser` before and after
//! formatting and compares the binary policy byte for byte.
//!
//! # API
//!
//! [`format`] formats a whole file; [`format_range`] returns the edits that
//! format the statements overlapping a range, for editors. Both refuse text
//! with syntax errors.

mod check;
mod edits;

use std::fmt;

pub use aa_syntax::{SyntaxError, TextRange, TextSize};

/// What the formatter may be told. Kept minimal on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FormatOptions {
    /// Spaces per block level. Default 2.
    pub indent_width: usize,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions { indent_width: 2 }
    }
}

/// Replace `range` (byte offsets into the original text) with `new_text`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// Why the formatter did not format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The text has syntax errors; the formatter only formats valid policy.
    Syntax(Vec<SyntaxError>),
    /// The formatter's own safety check rejected its output (a formatter
    /// bug): nothing was changed. The message says which check failed.
    Internal(String),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax(errors) => {
                write!(f, "cannot format text with {} syntax error(s)", errors.len())?;
                if let Some(first) = errors.first() {
                    write!(f, "; the first at byte {}: {}", u32::from(first.range.start()), first.message)?;
                }
                Ok(())
            }
            FormatError::Internal(message) => {
                write!(f, "formatter bug, text left unchanged: {message}")
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats a whole policy file.
///
/// Returns the syntax errors if `text` has any. Never panics.
pub fn format(text: &str, options: &FormatOptions) -> Result<String, FormatError> {
    let parse = parse_valid(text)?;
    let edits = edits::compute(&parse, text, options);
    let out = apply(text, edits.iter());
    check::equivalent(text, &out).map_err(FormatError::Internal)?;
    Ok(out)
}

/// The edits that format the statements overlapping `range` (byte offsets),
/// sorted and non-overlapping, with ranges into `text`.
///
/// A range inside a block's body formats the innermost statements it
/// touches; a range covering a profile's header formats the whole profile.
/// The indentation before the first statement is included, the line break
/// after the last one is not (unless the range reaches the end of the file). Returns the syntax errors if `text` has any.
/// Never panics; a range past the end is clamped.
pub fn format_range(text: &str, range: TextRange, options: &FormatOptions) -> Result<Vec<TextEdit>, FormatError> {
    let parse = parse_valid(text)?;
    let len = TextSize::of(text);
    let range = TextRange::new(range.start().min(len), range.end().min(len));
    let edits = edits::compute(&parse, text, options);
    let span = edits::statement_span(&parse, range);
    let selected: Vec<TextEdit> = edits
        .into_iter()
        .filter(|edit| {
            edits::in_span(edit.range, span)
                // The end of the file, when the range reaches it.
                || (edit.range.end() == len && range.end() >= edit.range.start())
        })
        .collect();
    let out = apply(text, selected.iter());
    check::equivalent(text, &out).map_err(FormatError::Internal)?;
    Ok(selected)
}

fn parse_valid(text: &str) -> Result<aa_syntax::Parse, FormatError> {
    let parse = aa_syntax::parse(text);
    if parse.errors().is_empty() { Ok(parse) } else { Err(FormatError::Syntax(parse.errors().to_vec())) }
}

/// Applies sorted, non-overlapping edits.
fn apply<'a>(text: &str, edits: impl Iterator<Item = &'a TextEdit>) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut pos = 0usize;
    for edit in edits {
        let start = usize::from(edit.range.start());
        let end = usize::from(edit.range.end());
        if start < pos || end > text.len() {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str(&edit.new_text);
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}
