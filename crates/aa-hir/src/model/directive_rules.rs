//! The rules of apparmor.d's `#aa:` build directives, added to the profile
//! they are written in: `#aa:dbus` and `#aa:exec` through their text,
//! `#aa:stack` by reading the stacked profile's file as the build pastes it.

use std::{cell::Cell, sync::Arc};

use super::{Builder, Context, Location, Rule, build_rule, directive_rule_nodes, is_removed};
use crate::{
    directives::{self, DirectiveKind},
    includes::{MAX_INCLUDE_DEPTH, parse},
};

impl Builder<'_> {
    /// Splices `include <name>` into the current profile for a directive at
    /// `at`, unless the profile already has that file's rules.
    fn splice_once(&mut self, name: &str, at: Location, ctx: &Context) {
        let Some(index) = ctx.profile else { return };
        let settings = self.db.settings();
        let dirs: Vec<std::path::PathBuf> =
            settings.include_dirs(self.db).iter().chain(std::iter::once(settings.base_dir(self.db))).cloned().collect();
        let Some(target) = dirs
            .iter()
            .map(|d| self.db.file(&d.join(name)))
            .find(|f| matches!(f.content(self.db), crate::db::FileContent::Text(_)))
        else {
            return;
        };
        if self.profiles[index].rules.iter().any(|r| r.origin.location.file == target) {
            return;
        }
        let inner = Context { file: target, via: ctx.via.then(at), stacked: None, ..ctx.clone() };
        self.include_depth += 1;
        self.splice(&inner);
        self.include_depth -= 1;
    }

    /// Adds the rules of the `#aa:` directives written in the profile at
    /// `range` of `ctx.file`, each located at its directive.
    pub(super) fn directives(&mut self, range: aa_syntax::TextRange, ctx: &Context) {
        let Some(index) = ctx.profile else { return };
        if ctx.stacked.is_some() {
            return;
        }
        let db = self.db;
        let directives = &directives::file_directives(db, ctx.file).directives;
        if directives.is_empty() {
            return;
        }
        let removed = directives::removed_ranges(db, ctx.file);
        for directive in directives.iter().filter(|d| d.profile == Some(range)) {
            if is_removed(&removed, directive.range) {
                continue;
            }
            let at = Location { file: ctx.file, range: directive.range };
            match &directive.kind {
                DirectiveKind::Dbus(dbus) => {
                    if let Some(name) = dbus.own_abstraction() {
                        self.splice_once(&name, at, ctx);
                    }
                }
                DirectiveKind::Stack { keep_exec, profiles } => {
                    for name in profiles {
                        self.stack(name, *keep_exec, at, ctx);
                    }
                    continue;
                }
                _ => {}
            }
            let text = directives::expansion(db, &directive.kind);
            for node in directive_rule_nodes(&text) {
                let profile = &self.profiles[index];
                let builtin = |var: &str| match var {
                    "profile_name" => Some(profile.name.clone()),
                    "attach_path" | "exec_path" => profile.attachment.clone(),
                    _ => None,
                };
                if let Some((qualifiers, kind)) =
                    build_rule(self.variables, &node, ctx.qualifiers, &builtin, &Cell::new(false))
                {
                    let rule = Rule { origin: ctx.origin(directive.range), qualifiers, kind: Arc::new(kind) };
                    self.profiles[index].rules.push(rule);
                }
            }
        }
    }

    /// Reads the profile in the file `name` as if its body were written at
    /// `at`, less the lines the build leaves out. Its rules are located in
    /// the stacked file, reached through the directive as through an
    /// include, so a finding in them points at the directive.
    fn stack(&mut self, name: &str, keep_exec: bool, at: Location, ctx: &Context) {
        // An unknown file or one without a profile is `bad-directive`'s.
        let Some(file) = directives::profile_file(self.db, name) else { return };
        // Stacking a profile into itself, directly or through a chain.
        if file == ctx.file || ctx.via.iter().any(|l| l.file == file) || self.include_depth >= MAX_INCLUDE_DEPTH {
            return;
        }
        let Some(body) = directives::stacked_body(self.db, file, keep_exec) else { return };
        let root = parse(self.db, file).syntax_node();
        let Some(block) = super::find_node(&root, aa_syntax::SyntaxKind::PROFILE, body.profile)
            .and_then(|p| p.children().find(|n| n.kind() == aa_syntax::SyntaxKind::BLOCK))
        else {
            return;
        };
        let inner = Context { file, via: ctx.via.then(at), stacked: Some(body.left_out.into()), ..ctx.clone() };
        self.include_depth += 1;
        self.items(&block, &inner);
        self.include_depth -= 1;
    }
}
