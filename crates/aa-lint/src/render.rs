//! Rendering diagnostics as text, in the style of rustc and ruff:
//!
//! ```text
//! profile.aa:3:12: error[E0001]: expected `,`
//!   |
//! 3 |   /etc/foo r
//!   |            ^
//! ```

use std::fmt::Write as _;

use crate::codes::{Diagnostic, Severity};
use crate::source::LineIndex;

/// ANSI styles, or nothing when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Styles {
    pub enabled: bool,
}

impl Styles {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    pub fn error(&self, text: &str) -> String {
        self.paint("1;31", text)
    }
    pub fn gutter(&self, text: &str) -> String {
        self.paint("1;34", text)
    }
    pub fn success(&self, text: &str) -> String {
        self.paint("1;32", text)
    }
    pub fn warning(&self, text: &str) -> String {
        self.paint("1;33", text)
    }
    fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.error(text),
            Severity::Warning => self.warning(text),
        }
    }
}

/// Replaces characters that would upset a terminal with a visible stand-in;
/// tabs are kept so the caret line can copy them and stay aligned.
fn sanitize(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// Renders one diagnostic of file `name`.
pub fn render(
    name: &str,
    index: &LineIndex<'_>,
    diagnostic: &Diagnostic,
    styles: Styles,
) -> String {
    let text = index.text();
    let start = index.clamp(usize::from(diagnostic.range.start()));
    let end = index.clamp(usize::from(diagnostic.range.end())).max(start);
    let (line, column) = index.line_col(start);
    let severity = diagnostic.severity;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}: {}",
        styles.bold(&format!("{name}:{line}:{column}")),
        styles.severity(
            severity,
            &format!("{}[{}]", severity.as_str(), diagnostic.code)
        ),
        styles.bold(&sanitize(&diagnostic.message)),
    );

    let (line_start, line_end) = index.line_range(line - 1);
    let source_line = &text[line_start..line_end];
    let prefix = &text[line_start..start.min(line_end)];
    // The underline stops at the end of the first line of the range, and is
    // at least one caret wide (an empty range points *between* characters).
    let underlined = text[start.min(line_end)..end.min(line_end)]
        .chars()
        .count()
        .max(1);

    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let bar = styles.gutter("|");
    let _ = writeln!(out, "{pad} {bar}");
    let _ = writeln!(
        out,
        "{} {bar} {}",
        styles.gutter(&number),
        sanitize(source_line)
    );
    let indent: String = prefix
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(
        out,
        "{pad} {bar} {indent}{}",
        styles.severity(severity, &"^".repeat(underlined))
    );
    out
}

#[cfg(test)]
mod tests {
    use aa_syntax::{TextRange, TextSize};

    use super::*;
    use crate::codes::Code;


    fn diagnostic(start: usize, end: usize) -> Diagnostic {
        let range = TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32));
        Diagnostic {
            code: Code::SyntaxError,
            severity: Severity::Error,
            message: "m".to_owned(),
            range,
        }
    }

    #[test]
    fn underline_sits_under_the_range() {
        let text = "profile a {\n\t/é r\n}\n";
        let index = LineIndex::new(text);
        let start = text.rfind(" r").map_or(0, |at| at + 1);
        let out = render(
            "f",
            &index,
            &diagnostic(start, start + 1),
            Styles { enabled: false },
        );
        assert_eq!(out, "f:2:5: error[E0001]: m\n  |\n2 | \t/é r\n  | \t   ^\n");
    }

    /// Any range, even one outside the text or inside a character, renders
    /// without panicking.
    #[test]
    fn every_range_renders() {
        for text in ["", "\n", "a\r\nb", "é\tß\u{1F600}\n\u{0}x", "x\n\n\ny"] {
            let index = LineIndex::new(text);
            for start in 0..=text.len() + 2 {
                for end in 0..=text.len() + 2 {
                    let out = render(
                        "f",
                        &index,
                        &diagnostic(start, end.max(start)),
                        Styles { enabled: true },
                    );
                    assert!(out.starts_with("\x1b[1mf:"), "{out:?}");
                    assert_eq!(out.lines().count(), 4, "{text:?} {start}..{end}: {out:?}");
                }
            }
        }
    }
}
