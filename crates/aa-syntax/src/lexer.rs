//! Text → flat list of tokens, every byte accounted for.
//!
//! `apparmor_parser`'s flex lexer switches between two dozen start conditions,
//! so one character sequence can be one token or three depending on the rule
//! around it (`/a/{b,c}` is one path, `(b,c)` is a list of two values). We do
//! not reproduce those modes here: the lexer cuts the text into small,
//! context-free pieces and the parser *glues* adjacent pieces into values
//! where the grammar says a value continues (`parser/value.rs`). That keeps the
//! lexer simple and lossless, and puts every context decision in one place.

use logos::Logos;

use crate::SyntaxKind::{self, *};

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
enum RawToken {
    #[regex(r"[ \t\r]+")]
    Whitespace,
    #[token("\n")]
    Newline,
    #[token("#", comment)]
    Comment,
    #[token("#include")]
    HashInclude,
    #[token("\"", string)]
    String,
    #[regex(r"@\{[A-Za-z0-9_]*\}")]
    Variable,
    #[regex(r"\$\{[A-Za-z0-9_]*\}|\$[A-Za-z][A-Za-z0-9_]*")]
    BoolVariable,
    #[token("{")]
    LCurly,
    #[token("}")]
    RCurly,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token(",")]
    Comma,
    #[token("=")]
    Eq,
    #[token("+=")]
    PlusEq,
    #[token("?=")]
    QuestionEq,
    #[token(":=")]
    ColonEq,
    #[token("->")]
    Arrow,
    #[token("<")]
    Lt,
    #[token("<=")]
    LtEq,
    #[token(">")]
    Gt,
    #[token(">=")]
    GtEq,
    #[token("==")]
    EqEq,
    #[token("!=")]
    BangEq,
    #[token("^")]
    Caret,
    #[token("!")]
    Bang,
    /// The first character of a word; `word` extends it.
    #[regex(r#"[^ \t\r\n",{}()=<>!#^]"#, word)]
    Word,
}

fn comment(lex: &mut logos::Lexer<RawToken>) {
    let rest = lex.remainder();
    let end = rest.find('\n').unwrap_or(rest.len());
    lex.bump(end);
}

/// A quoted string runs to the next unescaped `"`, across lines as in
/// `apparmor_parser`. An unterminated one stops at the end of its line so that
/// one stray quote does not swallow the rest of the file.
fn string(lex: &mut logos::Lexer<RawToken>) {
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'\\' if i + 1 < rest.len() => i += 2,
            b'"' => {
                lex.bump(i + 1);
                return;
            }
            _ => i += 1,
        }
    }
    let line_end = lex.remainder().find('\n').unwrap_or(rest.len());
    lex.bump(line_end);
}

/// Extends a word over every character `apparmor_parser` lets continue an
/// identifier. It stops before `->`, `@{` and the assignment operators so that
/// they stay tokens of their own, and a word made of identifier characters
/// stops before `{`, `}` and `/` as flex's keyword rule does (so `deny}` is two
/// tokens, while `/a/{b,c}` keeps its braces).
fn word(lex: &mut logos::Lexer<RawToken>) {
    let first = lex.slice();
    let rest = lex.remainder();
    let bytes = rest.as_bytes();
    let mut i = 0;
    if first == "\\" {
        i = escaped_len(rest, 0);
    } else if first.bytes().all(is_identifier_byte) {
        // flex's keyword rule ends an identifier at any other character:
        // `deny/foo` is `deny` then `/foo`, `deny}` is `deny` then `}`.
        while i < bytes.len() && is_identifier_byte(bytes[i]) {
            i += 1;
        }
        if matches!(bytes.get(i), Some(b'{' | b'}' | b'/')) {
            lex.bump(i);
            return;
        }
    }
    while i < bytes.len() {
        let b = bytes[i];
        if WORD_BYTE[b as usize] {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        match b {
            b'-' if next == Some(b'>') => break,
            b'@' if next == Some(b'{') => break,
            b'+' | b'?' | b':' if next == Some(b'=') => break,
            b'-' | b'@' | b'+' | b'?' | b':' => i += 1,
            b'\\' => i = escaped_len(rest, i + 1),
            // The rest of a multi-byte character.
            0x80.. => i += utf8_len(b),
            _ => break,
        }
    }
    lex.bump(i.min(rest.len()));
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// ASCII bytes that continue a word with no further look: everything but
/// blanks, quotes, `,`, `(`, `)`, `=`, `<`, `>`, `!` (which end it) and `-`,
/// `@`, `+`, `?`, `:`, `\` (which need the next byte). Bytes from 0x80 up
/// are handled as whole UTF-8 characters.
const WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0x21; // after the space
    while b < 0x7f {
        table[b] = !matches!(
            b as u8,
            b'"' | b',' | b'(' | b')' | b'=' | b'<' | b'>' | b'!' | b'-' | b'@' | b'+' | b'?' | b':' | b'\\'
        );
        b += 1;
    }
    // Other control characters continue a word too, as in flex.
    let mut c = 0;
    while c < 0x20 {
        table[c] = !matches!(c as u8, b'\t' | b'\r' | b'\n');
        c += 1;
    }
    table[0x7f] = true;
    table
};

/// Position after the character escaped by a backslash that ends at `at`
/// (a backslash never escapes a line break).
fn escaped_len(rest: &str, at: usize) -> usize {
    match rest.as_bytes().get(at) {
        None | Some(b'\n') | Some(b'\r') => at,
        Some(&b) => at + utf8_len(b),
    }
}

fn utf8_len(first_byte: u8) -> usize {
    match first_byte {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: SyntaxKind,
    pub len: u32,
}

/// Cuts `text` into tokens whose lengths add up to `text.len()`.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 3);
    let mut lexer = RawToken::lexer(text);
    while let Some(raw) = lexer.next() {
        let kind = match raw {
            Ok(raw) => raw_kind(raw),
            Err(()) => ERROR_TOKEN,
        };
        tokens.push(Token { kind, len: lexer.span().len() as u32 });
    }
    tokens
}

fn raw_kind(raw: RawToken) -> SyntaxKind {
    match raw {
        RawToken::Whitespace => WHITESPACE,
        RawToken::Newline => NEWLINE,
        RawToken::Comment => COMMENT,
        RawToken::HashInclude => HASH_INCLUDE,
        RawToken::String => STRING,
        RawToken::Variable => VARIABLE,
        RawToken::BoolVariable => BOOL_VARIABLE,
        RawToken::LCurly => L_CURLY,
        RawToken::RCurly => R_CURLY,
        RawToken::LParen => L_PAREN,
        RawToken::RParen => R_PAREN,
        RawToken::Comma => COMMA,
        RawToken::Eq => EQ,
        RawToken::PlusEq => PLUS_EQ,
        RawToken::QuestionEq => QUESTION_EQ,
        RawToken::ColonEq => COLON_EQ,
        RawToken::Arrow => ARROW,
        RawToken::Lt => LT,
        RawToken::LtEq => LT_EQ,
        RawToken::Gt => GT,
        RawToken::GtEq => GT_EQ,
        RawToken::EqEq => EQ_EQ,
        RawToken::BangEq => BANG_EQ,
        RawToken::Caret => CARET,
        RawToken::Bang => BANG,
        RawToken::Word => WORD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(text: &str) -> String {
        let mut out = String::new();
        let mut offset = 0;
        for token in tokenize(text) {
            let end = offset + token.len as usize;
            out += &format!("{:?} {:?}\n", token.kind, &text[offset..end]);
            offset = end;
        }
        assert_eq!(offset, text.len());
        out
    }

    #[test]
    fn paths_keep_braces_and_split_at_separating_commas() {
        expect_test::expect![[r#"
            WORD "/a/{b"
            COMMA ","
            WORD "c"
            R_CURLY "}"
            WORD "/**"
            WHITESPACE " "
            WORD "rw"
            COMMA ","
            NEWLINE "\n"
        "#]]
        .assert_eq(&lex("/a/{b,c}/** rw,\n"));
    }

    #[test]
    fn identifier_words_stop_at_braces() {
        expect_test::expect![[r#"
            WORD "deny"
            L_CURLY "{"
            WORD "r"
            R_CURLY "}"
        "#]]
        .assert_eq(&lex("deny{r}"));
    }

    #[test]
    fn hash_include_is_not_a_comment() {
        expect_test::expect![[r##"
            HASH_INCLUDE "#include"
            WHITESPACE " "
            LT "<"
            WORD "abstractions"
            WORD "/base"
            GT ">"
            NEWLINE "\n"
            COMMENT "# a comment"
            NEWLINE "\n"
            WORD "/a#b"
        "##]]
        .assert_eq(&lex("#include <abstractions/base>\n# a comment\n/a#b"));
    }

    #[test]
    fn variables_arrows_and_assignments() {
        expect_test::expect![[r#"
            VARIABLE "@{HOME}"
            WORD "/foo"
            VARIABLE "@{x}"
            WHITESPACE " "
            PLUS_EQ "+="
            WHITESPACE " "
            WORD "a"
            ARROW "->"
            WORD "&b"
            WHITESPACE " "
            BOOL_VARIABLE "$flag"
            WHITESPACE " "
            WORD "/x\\ y"
        "#]]
        .assert_eq(&lex("@{HOME}/foo@{x} += a->&b $flag /x\\ y"));
    }

    #[test]
    fn unterminated_string_stops_at_line_end() {
        expect_test::expect![[r#"
            STRING "\"abc"
            NEWLINE "\n"
            WORD "next"
        "#]]
        .assert_eq(&lex("\"abc\nnext"));
    }
}
