//! The public API: options, errors, range formatting.

use aa_fmt::{FormatError, FormatOptions, TextEdit, TextRange, TextSize, format, format_range};

fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut out = text.to_string();
    for edit in edits.iter().rev() {
        out.replace_range(std::ops::Range::<usize>::from(edit.range), &edit.new_text);
    }
    out
}

fn range_of(text: &str, needle: &str) -> TextRange {
    let start = text.find(needle).expect("needle in text");
    TextRange::at(TextSize::try_from(start).unwrap_or_default(), TextSize::of(needle))
}

#[test]
fn indent_width_option() {
    let text = "profile p {\n/a r,\n^h {\n/b r,\n}\n}\n";
    let out = format(text, &FormatOptions { indent_width: 4 });
    assert_eq!(out.as_deref(), Ok("profile p {\n    /a r,\n    ^h {\n        /b r,\n    }\n}\n"));
}

#[test]
fn syntax_errors_are_returned_not_formatted() {
    let text = "profile p {\n  /a r\n}\n";
    match format(text, &FormatOptions::default()) {
        Err(FormatError::Syntax(errors)) => assert!(!errors.is_empty()),
        other => panic!("expected syntax errors, got {other:?}"),
    }
    let range = TextRange::up_to(TextSize::of(text));
    assert!(matches!(format_range(text, range, &FormatOptions::default()), Err(FormatError::Syntax(_))));
}

#[test]
fn error_messages_read_well() {
    let err = format("profile p {\n  /a r\n}\n", &FormatOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("cannot format text with"), "{message}");
}

#[test]
fn range_formats_only_the_statements_it_touches() {
    let text = "profile p {\n      /a   r  ,\n      /b   r  ,\n      /c   r  ,\n}\n";
    let edits = format_range(text, range_of(text, "/b"), &FormatOptions::default()).unwrap();
    assert_eq!(apply(text, &edits), "profile p {\n      /a   r  ,\n  /b r,\n      /c   r  ,\n}\n");
    for edit in &edits {
        assert!(edit.range.start() >= range_of(text, "/a   r  ,").end());
        assert!(edit.range.end() <= range_of(text, "/c").start());
    }
}

#[test]
fn range_over_several_statements_and_a_trailing_comment() {
    let text = "profile p {\n   /a   r,    # one   \n   /b  r,   # two\n   /c  r,\n}\n";
    let range = TextRange::new(range_of(text, "/a").start(), range_of(text, "/b").end());
    let edits = format_range(text, range, &FormatOptions::default()).unwrap();
    assert_eq!(apply(text, &edits), "profile p {\n  /a r, # one\n  /b r, # two\n   /c  r,\n}\n");
}

#[test]
fn range_on_a_header_formats_the_whole_profile() {
    let text = "# top\nprofile   p {\n /a r,\n}\n@{V}   =   x\n";
    let edits = format_range(text, range_of(text, "profile"), &FormatOptions::default()).unwrap();
    assert_eq!(apply(text, &edits), "# top\nprofile p {\n  /a r,\n}\n@{V}   =   x\n");
}

#[test]
fn range_inside_a_nested_block() {
    let text = "profile p {\n ^h {\n  /a    r,\n    /b    r,\n }\n}\n";
    let edits = format_range(text, range_of(text, "/b"), &FormatOptions::default()).unwrap();
    assert_eq!(apply(text, &edits), "profile p {\n ^h {\n  /a    r,\n    /b r,\n }\n}\n");
}

#[test]
fn empty_and_clamped_ranges() {
    let text = "profile p {\n      /a   r  ,\n}\n";
    let options = FormatOptions::default();
    let caret = TextRange::empty(range_of(text, "/a").start() + TextSize::from(1));
    assert_eq!(apply(text, &format_range(text, caret, &options).unwrap()), "profile p {\n  /a r,\n}\n");
    let past = TextRange::new(TextSize::from(5), TextSize::from(10_000));
    assert_eq!(apply(text, &format_range(text, past, &options).unwrap()), "profile p {\n  /a r,\n}\n");
}

#[test]
fn whole_range_equals_format() {
    let text = "\n\n@{A}=x  \\\n y\nprofile p   {   /a r, # c\n\n\n  ^h { }   }";
    let options = FormatOptions::default();
    let edits = format_range(text, TextRange::up_to(TextSize::of(text)), &options).unwrap();
    assert_eq!(apply(text, &edits), format(text, &options).unwrap());
}

#[test]
fn edits_are_sorted_and_disjoint() {
    let text = "profile p {\n   /a   r,    # one   \n\t/b  r  ,\n}   \n\n";
    let edits = format_range(text, TextRange::up_to(TextSize::of(text)), &FormatOptions::default()).unwrap();
    for pair in edits.windows(2) {
        assert!(pair[0].range.end() <= pair[1].range.start(), "{pair:?}");
    }
}

/// Places where adding or removing white space would change what
/// `apparmor_parser` reads: the formatter leaves them alone.
#[test]
fn lexically_significant_white_space_is_left_alone() {
    let options = FormatOptions::default();
    for (text, expected) in [
        // A line break ends a variable definition; `\` continues it.
        ("@{A}=a \\\n        b\n", "@{A}=a \\\n  b\n"),
        // Blanks inside an include target are part of the file name.
        ("include <a  b>\n", "include <a  b>\n"),
        // No blank is invented between a word and `{`, `(` or `=`.
        ("profile p flags=(complain){\n}\n", "profile p flags=(complain){\n}\n"),
        // `x=` followed by a line break is not `x= `.
        (
            "profile p {\n  dbus send peer=\n    (label=foo),\n}\n",
            "profile p {\n  dbus send peer=\n    (label=foo),\n}\n",
        ),
        // Escaped blanks are part of the path.
        ("profile p {\n  /a\\ b r,\n}\n", "profile p {\n  /a\\ b r,\n}\n"),
        // Strings keep their inner white space and line breaks.
        ("profile p {\n  \"/a  b\n   c\" r,\n}\n", "profile p {\n  \"/a  b\n   c\" r,\n}\n"),
    ] {
        let out = format(text, &options);
        assert_eq!(out.as_deref(), Ok(expected), "on {text:?}");
    }
}
