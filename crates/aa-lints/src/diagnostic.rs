//! What a lint reports: a diagnostic with its place, related places and an
//! optional fix made of text edits.

use aa_hir::db::File;
use aa_syntax::TextRange;

use crate::registry::{Group, Lint};

/// How serious one finding is. A lint picks it (it may grow with the
/// breadth of a grant); a level set in the selection overrides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Another place that explains a finding: the include line that brought an
/// abstraction's rule in, the rule a duplicate repeats, the deny that wins.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Related {
    pub file: File,
    pub range: TextRange,
    pub message: String,
}

/// Whether a fix keeps the policy's meaning (`Safe`: it may be applied
/// without review) or may change what the profile grants (`Unsafe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// Replace `range` of `file` (byte offsets) with `new_text`; an empty range
/// inserts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub file: File,
    pub range: TextRange,
    pub new_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    pub applicability: Applicability,
    pub description: String,
    /// Non-overlapping edits.
    pub edits: Vec<TextEdit>,
}

/// Applies edits to `text` (the edits of one file), for `--fix`: edits
/// are applied from the end; an edit that overlaps one already applied is
/// skipped and returned, so a second pass can retry it on the new text.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> (String, Vec<TextEdit>) {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (std::cmp::Reverse(e.range.start()), std::cmp::Reverse(e.range.end())));
    let mut out = text.to_string();
    let mut skipped = Vec::new();
    let mut floor: Option<usize> = None;
    for e in sorted {
        let (start, end) = (usize::from(e.range.start()), usize::from(e.range.end()));
        let fits = end <= out.len() && out.is_char_boundary(start) && out.is_char_boundary(end) && start <= end;
        if !fits || floor.is_some_and(|f| end > f) {
            skipped.push(e.clone());
            continue;
        }
        out.replace_range(start..end, &e.new_text);
        floor = Some(start);
    }
    (out, skipped)
}

/// One finding of one lint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LintDiagnostic {
    /// Stable code, e.g. `AA101`.
    pub code: &'static str,
    /// Stable kebab-case name, e.g. `overbroad-glob`.
    pub name: &'static str,
    pub group: Group,
    pub severity: Severity,
    pub message: String,
    /// The file the finding is in (an abstraction, for a rule it holds).
    pub file: File,
    pub range: TextRange,
    /// Outermost first for include chains.
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
}

impl LintDiagnostic {
    pub fn new(
        lint: &'static Lint,
        severity: Severity,
        message: impl Into<String>,
        file: File,
        range: TextRange,
    ) -> LintDiagnostic {
        LintDiagnostic {
            code: lint.code,
            name: lint.name,
            group: lint.group,
            severity,
            message: message.into(),
            file,
            range,
            related: Vec::new(),
            fix: None,
        }
    }
}

/// Where a lint's check function puts its findings.
pub struct Sink<'a> {
    lint: &'static Lint,
    out: &'a mut Vec<LintDiagnostic>,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(lint: &'static Lint, out: &'a mut Vec<LintDiagnostic>) -> Sink<'a> {
        Sink { lint, out }
    }

    /// The severity of the lint's default level (`Warning` for lints off by
    /// default).
    pub fn default_severity(&self) -> Severity {
        self.lint.default_level.severity().unwrap_or(Severity::Warning)
    }

    /// A finding at the lint's default severity; returns it to add related
    /// places or a fix.
    pub fn report(&mut self, message: impl Into<String>, file: File, range: TextRange) -> &mut LintDiagnostic {
        self.report_with(self.default_severity(), message, file, range)
    }

    pub fn report_with(
        &mut self,
        severity: Severity,
        message: impl Into<String>,
        file: File,
        range: TextRange,
    ) -> &mut LintDiagnostic {
        self.out.push(LintDiagnostic::new(self.lint, severity, message, file, range));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}

impl LintDiagnostic {
    pub fn with_related(&mut self, file: File, range: TextRange, message: impl Into<String>) -> &mut LintDiagnostic {
        self.related.push(Related { file, range, message: message.into() });
        self
    }

    pub fn with_fix(
        &mut self,
        applicability: Applicability,
        description: impl Into<String>,
        edits: Vec<TextEdit>,
    ) -> &mut LintDiagnostic {
        self.fix = Some(Fix { applicability, description: description.into(), edits });
        self
    }
}
