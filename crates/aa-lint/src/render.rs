//! Rendering diagnostics as text, in the style of rustc and ruff:
//!
//! ```text
//! profile.aa:3:12: error[AA001 syntax-error]: expected `,`
//!   |
//! 3 |   /etc/foo r
//!   |            ^
//!   = note: usr.bin.foo:12:3: brought in by `include <abstractions/x>` here
//!   = help: safe fix: remove the rule (`--fix`)
//! ```

use std::fmt::Write as _;

use aa_lints::Severity;

use crate::lint::Finding;
use crate::source::LineIndex;

/// ANSI styles, or nothing when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Styles {
    pub enabled: bool,
}

impl Styles {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.enabled { format!("\x1b[{style}m{text}\x1b[0m") } else { text.to_owned() }
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
    pub fn info(&self, text: &str) -> String {
        self.paint("1;36", text)
    }
    fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.error(text),
            Severity::Warning => self.warning(text),
            Severity::Info => self.info(text),
        }
    }
}

/// Replaces characters that would upset a terminal with a visible stand-in;
/// tabs are kept so the caret line can copy them and stay aligned.
fn sanitize(line: &str) -> String {
    line.chars().map(|c| if c.is_control() && c != '\t' { '\u{FFFD}' } else { c }).collect()
}

/// Renders one finding; `text` is the text of the file it points into.
#[cfg(test)]
pub fn render(text: &str, finding: &Finding, styles: Styles) -> String {
    render_with(&LineIndex::new(text), finding, styles)
}

/// [`render`] with the file's line index built once by the caller.
pub fn render_with(index: &LineIndex<'_>, finding: &Finding, styles: Styles) -> String {
    let text = index.text();
    let range = finding.location.range;
    let start = index.clamp(usize::from(range.start()));
    let end = index.clamp(usize::from(range.end())).max(start);
    let (line, column) = index.line_col(start);
    let severity = finding.severity;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {}: {}",
        styles.bold(&format!("{}:{line}:{column}", finding.location.path)),
        styles.severity(severity, &format!("{}[{} {}]", severity.as_str(), finding.code, finding.name)),
        styles.bold(&sanitize(&finding.message)),
    );

    let (line_start, line_end) = index.line_range(line - 1);
    let source_line = &text[line_start..line_end];
    let prefix = &text[line_start..start.min(line_end)];
    // The underline stops at the end of the first line of the range, and is
    // at least one caret wide (an empty range points *between* characters).
    let underlined = text[start.min(line_end)..end.min(line_end)].chars().count().max(1);

    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let bar = styles.gutter("|");
    let _ = writeln!(out, "{pad} {bar}");
    let _ = writeln!(out, "{} {bar} {}", styles.gutter(&number), sanitize(source_line));
    let indent: String = prefix.chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    let _ = writeln!(out, "{pad} {bar} {indent}{}", styles.severity(severity, &"^".repeat(underlined)));
    let equals = styles.gutter("=");
    for related in &finding.related {
        let (line, column) = related.location.start;
        let _ = writeln!(
            out,
            "{pad} {equals} {}: {}:{line}:{column}: {}",
            styles.bold("note"),
            related.location.path,
            sanitize(&related.message)
        );
    }
    if let Some(fix) = &finding.fix {
        let how = if fix.safe { "safe fix, `--fix`" } else { "unsafe fix, `--fix --unsafe-fixes`" };
        let _ = writeln!(out, "{pad} {equals} {}: {} ({how})", styles.bold("help"), sanitize(&fix.description));
    }
    out
}

#[cfg(test)]
mod tests {
    use aa_syntax::{TextRange, TextSize};

    use super::*;
    use crate::lint::Location;

    fn finding(start: usize, end: usize) -> Finding {
        let range = TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32));
        Finding {
            location: Location { path: "f".to_owned(), range, start: (1, 1), end: (1, 1) },
            code: "AA001",
            name: "syntax-error",
            group: "parser",
            severity: Severity::Error,
            message: "m".to_owned(),
            related: Vec::new(),
            fix: None,
        }
    }

    #[test]
    fn underline_sits_under_the_range() {
        let text = "profile a {\n\t/é r\n}\n";
        let start = text.rfind(" r").map_or(0, |at| at + 1);
        let out = render(text, &finding(start, start + 1), Styles { enabled: false });
        assert_eq!(out, "f:2:5: error[AA001 syntax-error]: m\n  |\n2 | \t/é r\n  | \t   ^\n");
    }

    /// Any range, even one outside the text or inside a character, renders
    /// without panicking.
    #[test]
    fn every_range_renders() {
        for text in ["", "\n", "a\r\nb", "é\tß\u{1F600}\n\u{0}x", "x\n\n\ny"] {
            for start in 0..=text.len() + 2 {
                for end in 0..=text.len() + 2 {
                    let out = render(text, &finding(start, end.max(start)), Styles { enabled: true });
                    assert!(out.starts_with("\x1b[1mf:"), "{out:?}");
                    assert_eq!(out.lines().count(), 4, "{text:?} {start}..{end}: {out:?}");
                }
            }
        }
    }
}
