//! For any UTF-8 input: the lexer accounts for every byte, on character
//! boundaries; the parser does not panic, keeps the text exactly, and reports
//! errors inside the text.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    let mut offset = 0usize;
    for token in aa_syntax::tokenize(text) {
        assert!(token.len > 0, "empty {:?} token at {offset}", token.kind);
        offset += token.len as usize;
        assert!(text.is_char_boundary(offset), "token ends inside a character at {offset}");
    }
    assert_eq!(offset, text.len(), "token lengths do not add up to the text length");

    let parse = aa_syntax::parse(text);
    let node = parse.syntax_node();
    assert_eq!(node.to_string(), text, "the tree does not give back the text");
    assert_eq!(usize::from(node.text_range().end()), text.len());
    for error in parse.errors() {
        let (start, end) = (usize::from(error.range.start()), usize::from(error.range.end()));
        assert!(start <= end && end <= text.len(), "error range {start}..{end} outside the text");
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
    }
    // The dump walks every element; it must not panic either.
    let _ = parse.debug_dump();
});
