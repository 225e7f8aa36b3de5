//! What every check sees: the database, the root file, the resolved model,
//! and helpers shared by lints.

use std::path::PathBuf;

use aa_hir::{
    db::{Db, File, FileContent},
    includes::{IncludeClosure, include_closure, parse},
    model::{PolicyModel, Profile, Rule, RuleKind, RuleMode, policy_model},
    variables::{Variables, variables},
};
use aa_syntax::{
    Parse, SyntaxKind, TextRange, TextSize,
    ast::{self, AstNode},
};

use crate::diagnostic::{LintDiagnostic, Severity, Sink, TextEdit};

pub struct LintContext<'db> {
    pub db: &'db dyn Db,
    /// The file being linted, loaded as a policy file.
    pub root: File,
    pub model: &'db PolicyModel,
    pub closure: &'db IncludeClosure,
    pub variables: &'db Variables,
}

impl<'db> LintContext<'db> {
    pub fn new(db: &'db dyn Db, root: File) -> LintContext<'db> {
        LintContext {
            db,
            root,
            model: policy_model(db, root),
            closure: include_closure(db, root),
            variables: variables(db, root),
        }
    }

    pub fn text(&self, file: File) -> &'db str {
        match file.content(self.db) {
            FileContent::Text(text) => text,
            _ => "",
        }
    }

    pub fn parse(&self, file: File) -> &'db Parse {
        parse(self.db, file)
    }

    /// The path of every file and link rule of the linted file, as written
    /// (the syntax lints that read paths character by character).
    pub fn rule_paths(&self) -> impl Iterator<Item = ast::Value> + 'db {
        self.parse(self.root).syntax_node().descendants().filter_map(|n| match n.kind() {
            SyntaxKind::FILE_RULE | SyntaxKind::LINK_RULE => ast::Rule::cast(n).and_then(|r| r.path()),
            _ => None,
        })
    }

    pub fn root_text(&self) -> &'db str {
        self.text(self.root)
    }

    /// The root file's name (`usr.bin.foo`).
    pub fn root_file_name(&self) -> String {
        self.root.path(self.db).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// Whether the root file declares a profile (else it is an abstraction
    /// or tunables file linted on its own).
    pub fn root_has_profiles(&self) -> bool {
        self.model.profiles.iter().any(|p| p.origin.location.file == self.root)
    }

    /// The directories `include <name>` searches, in order.
    pub fn search_dirs(&self) -> Vec<PathBuf> {
        let settings = self.db.settings();
        settings.include_dirs(self.db).iter().chain(std::iter::once(settings.base_dir(self.db))).cloned().collect()
    }

    /// Whether `include <name>` would find a file.
    pub fn search_path_file_exists(&self, name: &str) -> bool {
        self.search_path_file(name).is_some()
    }

    /// The file `include <name>` would read (the first search directory
    /// that has it).
    pub fn search_path_file(&self, name: &str) -> Option<File> {
        self.search_dirs()
            .iter()
            .map(|dir| self.db.file(&dir.join(name)))
            .find(|file| matches!(file.content(self.db), FileContent::Text(_)))
    }

    /// Every allow (or prompt) rule of every profile, with its profile.
    pub fn allow_rules(&self) -> impl Iterator<Item = (&'db Profile, &'db Rule)> {
        self.model
            .profiles
            .iter()
            .flat_map(|p| p.rules.iter().map(move |r| (p, r)))
            .filter(|(_, r)| r.qualifiers.mode != RuleMode::Deny)
    }

    /// Every allow (or prompt) file rule that executes (see [`exec_mode`]).
    pub fn allow_exec_rules(&self) -> impl Iterator<Item = &'db Rule> {
        self.allow_rules().filter_map(|(_, rule)| exec_mode(rule).map(|_| rule))
    }

    /// Reports at a rule, with the include chain that brought it in.
    pub fn report_rule<'s>(
        &self,
        sink: &'s mut Sink<'_>,
        rule: &Rule,
        severity: Severity,
        message: String,
    ) -> &'s mut LintDiagnostic {
        let d = sink.report_with(severity, message, rule.origin.location.file, rule.origin.location.range);
        for via in &rule.origin.via {
            let target = self.include_target_at(via.file, via.range).unwrap_or_default();
            d.with_related(via.file, via.range, format!("brought in by `include <{target}>` here"));
        }
        d
    }

    /// The include target written at `range` of `file`.
    pub fn include_target_at(&self, file: File, range: TextRange) -> Option<String> {
        aa_hir::includes::include_at(self.db, file, range).map(|i| i.target.clone())
    }

    /// The text of `range` in `file`, or "" when out of bounds.
    pub fn slice(&self, file: File, range: TextRange) -> &'db str {
        self.text(file).get(usize::from(range.start())..usize::from(range.end())).unwrap_or("")
    }

    /// The first line of a rule as written, for messages.
    pub fn rule_text(&self, rule: &Rule) -> String {
        let text = self.slice(rule.origin.location.file, rule.origin.location.range);
        let line = text.lines().next().unwrap_or("").trim();
        if line.len() > 80 {
            let mut end = 77;
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}...", &line[..end])
        } else {
            line.to_string()
        }
    }

    /// `range` cut at its first line break (a profile's header line).
    pub fn first_line(&self, file: File, range: TextRange) -> TextRange {
        let text = self.slice(file, range);
        match text.find('\n') {
            Some(i) => TextRange::at(range.start(), TextSize::from(text[..i].trim_end().len() as u32)),
            None => range,
        }
    }

    /// An edit deleting the whole lines `range` spans, when nothing else is
    /// written on them.
    pub fn line_removal(&self, file: File, range: TextRange) -> Option<TextEdit> {
        let text = self.text(file);
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
        let line_end = text.get(end..)?.find('\n').map_or(text.len(), |i| end + i + 1);
        let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t' || c == '\n');
        if !blank(&text[line_start..start]) || !blank(&text[end..line_end]) {
            return None;
        }
        Some(TextEdit {
            file,
            range: TextRange::new(TextSize::from(line_start as u32), TextSize::from(line_end as u32)),
            new_text: String::new(),
        })
    }
}

/// The exec mode letters of a file rule (`pix` gives `pi`), if it executes.
pub fn exec_mode(rule: &Rule) -> Option<&'static str> {
    match &*rule.kind {
        RuleKind::File { perms, .. } => crate::glob::Perms::parse(perms).exec,
        _ => None,
    }
}
