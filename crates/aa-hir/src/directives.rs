//! apparmor.d's build directives: comments such as `#aa:dbus own bus=system
//! name=X` that its build replaces with rules, and `#aa:only` /
//! `#aa:exclude` that keep a line or paragraph in some builds only.
//!
//! To the parser they stay comments (the syntax tree does not change); this
//! module reads the comment tokens. [`file_directives`] lists a file's
//! directives and what is wrong with them; the model (`model.rs`) splices
//! the rules they stand for into the profile they are written in, each rule
//! located at its directive, and leaves out the lines the target
//! distribution's build removes ([`Settings::target_distribution`]).
//!
//! [`Settings::target_distribution`]: crate::db::Settings

use aa_syntax::{SyntaxKind::*, SyntaxNode, TextRange, TextSize, ast::AstNode};

use crate::{
    db::{Db, File},
    includes::parse,
};

/// One `#aa:` directive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Directive {
    /// The comment token.
    pub range: TextRange,
    /// The innermost profile or hat it is written in (its range), if any.
    pub profile: Option<TextRange>,
    pub kind: DirectiveKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DirectiveKind {
    Dbus(Dbus),
    /// `#aa:exec [mode] profiles...`: exec rules in `mode` (default `P`) on
    /// each profile file's `@{exec_path}`.
    Exec {
        mode: String,
        profiles: Vec<String>,
    },
    /// `#aa:stack [X] profiles...`.
    Stack {
        keep_exec: bool,
        profiles: Vec<String>,
    },
    /// `#aa:only filter...`: what follows exists only in matching builds.
    Only {
        filters: Vec<String>,
        covers: TextRange,
    },
    /// `#aa:exclude filter...`: what follows is removed from matching builds.
    Exclude {
        filters: Vec<String>,
        covers: TextRange,
    },
    /// `#aa:lint ...`: for linters; no build meaning.
    Lint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbusAccess {
    Own,
    Talk,
    See,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dbus {
    pub access: DbusAccess,
    pub bus: String,
    pub name: String,
    pub label: Option<String>,
    pub interface: Option<String>,
    /// `interface+=`: a second interface.
    pub extra_interface: Option<String>,
    pub path: Option<String>,
}

/// A directive that the build would reject or misread.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DirectiveError {
    pub range: TextRange,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FileDirectives {
    pub directives: Vec<Directive>,
    pub errors: Vec<DirectiveError>,
}

/// The distributions `#aa:only` / `#aa:exclude` name, with their family.
pub const DISTRIBUTIONS: &[(&str, &str)] =
    &[("arch", "pacman"), ("debian", "apt"), ("ubuntu", "apt"), ("opensuse", "zypper"), ("fedora", "dnf")];

/// The ABI and AppArmor release the collection's default build targets
/// (`abi>=4`, `apparmor<5.0` filters compare with these).
const BUILD_ABI: f64 = 4.0;
const BUILD_APPARMOR: f64 = 4.1;

/// A version comparison filter (`abi>=4`, `apparmor<5.0`): the reference
/// name, and whether it holds.
fn comparison(filter: &str) -> Option<(&'static str, bool)> {
    let (name, reference, rest) = if let Some(rest) = filter.strip_prefix("abi") {
        ("abi", BUILD_ABI, rest)
    } else if let Some(rest) = filter.strip_prefix("apparmor") {
        ("apparmor", BUILD_APPARMOR, rest)
    } else {
        return None;
    };
    let op_len = rest.find(|c: char| !"<>=".contains(c)).unwrap_or(rest.len());
    let (op, value) = rest.split_at(op_len);
    let value: f64 = value.parse().ok()?;
    let holds = match op {
        "<" => reference < value,
        "<=" => reference <= value,
        ">" => reference > value,
        ">=" => reference >= value,
        "==" | "=" => reference == value,
        _ => return None,
    };
    Some((name, holds))
}

/// Whether a filter is one the build knows: a distribution, a family, a
/// build flag (`RBAC`, `test`) or an `abi`/`apparmor` version comparison.
pub fn is_known_filter(filter: &str) -> bool {
    DISTRIBUTIONS.iter().any(|(d, f)| *d == filter || *f == filter)
        || filter == "RBAC"
        || filter == "test"
        || comparison(filter).is_some()
}

/// Whether `filter` selects the default build for `distribution` (the
/// `RBAC` and `test` builds are not the default).
pub fn filter_matches(filter: &str, distribution: &str) -> bool {
    filter == distribution
        || DISTRIBUTIONS.iter().any(|(d, f)| *d == distribution && *f == filter)
        || comparison(filter).is_some_and(|(_, holds)| holds)
}

/// Whether the build for `distribution` (`None`: the rules common to every
/// build) keeps what an `#aa:only` / `#aa:exclude` directive covers.
pub fn kept(kind: &DirectiveKind, distribution: Option<&str>) -> bool {
    match (kind, distribution) {
        (DirectiveKind::Only { filters, .. }, Some(d)) => filters.iter().any(|f| filter_matches(f, d)),
        (DirectiveKind::Exclude { filters, .. }, Some(d)) => !filters.iter().any(|f| filter_matches(f, d)),
        // Common to all builds: an `only` block is not in every build; an
        // `exclude` block is not either, unless it names no real build.
        (DirectiveKind::Only { .. } | DirectiveKind::Exclude { .. }, None) => {
            DISTRIBUTIONS.iter().all(|(d, _)| kept(kind, Some(d)))
        }
        _ => true,
    }
}

/// The builds [`builds_keeping`] tells apart: each distribution's default
/// build, and the `test` and `RBAC` builds.
pub const BUILDS: &[&str] = &["arch", "debian", "ubuntu", "opensuse", "fedora", "test", "RBAC"];

/// The builds ([`BUILDS`]) that keep the text at `offset` of `file`: all of
/// them outside `#aa:only` / `#aa:exclude` blocks.
pub fn builds_keeping(db: &dyn Db, file: File, offset: TextSize) -> Vec<&'static str> {
    let directives = &file_directives(db, file).directives;
    let filters: Vec<&DirectiveKind> = directives
        .iter()
        .filter(|d| match &d.kind {
            DirectiveKind::Only { covers, .. } | DirectiveKind::Exclude { covers, .. } => {
                covers.contains_inclusive(offset)
            }
            _ => false,
        })
        .map(|d| &d.kind)
        .collect();
    BUILDS.iter().copied().filter(|b| filters.iter().all(|f| kept(f, Some(b)))).collect()
}

/// The directives of `file`.
#[salsa::tracked(returns(ref))]
pub fn file_directives(db: &dyn Db, file: File) -> FileDirectives {
    let parse = parse(db, file);
    let root = parse.syntax_node();
    let text = root.text().to_string();
    if !text.contains("#aa:") {
        return FileDirectives::default();
    }
    let mut out = FileDirectives::default();
    for token in root.descendants_with_tokens().filter_map(|e| e.into_token()).filter(|t| t.kind() == COMMENT) {
        let Some(body) = token.text().strip_prefix("#aa:") else { continue };
        let range = token.text_range();
        let profile = token.parent_ancestors().find(|n| matches!(n.kind(), PROFILE | HAT)).map(|n| n.text_range());
        let trailing = !own_line(&text, range.start());
        match parse_directive(body, || covers(&text, range, trailing)) {
            Ok(kind) => {
                if let DirectiveKind::Exec { profiles, .. } | DirectiveKind::Stack { profiles, .. } = &kind {
                    for p in profiles {
                        let message = match profile_file(db, p) {
                            None => format!("no profile file named `{p}`"),
                            Some(f)
                                if matches!(kind, DirectiveKind::Stack { .. })
                                    && stacked_body(db, f, true).is_none() =>
                            {
                                format!("the profile file `{p}` has no `profile` block to stack")
                            }
                            Some(_) => continue,
                        };
                        out.errors.push(DirectiveError { range, message });
                    }
                }
                out.directives.push(Directive { range, profile, kind })
            }
            Err(message) => out.errors.push(DirectiveError { range, message }),
        }
    }
    out
}

fn own_line(text: &str, at: TextSize) -> bool {
    let start = usize::from(at);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..start].trim().is_empty()
}

/// What an `only`/`exclude` directive covers: after a statement, that line;
/// on its own line, the paragraph below (up to a blank line).
fn covers(text: &str, comment: TextRange, trailing: bool) -> TextRange {
    let start = usize::from(comment.start());
    let at = |i: usize| TextSize::from(i as u32);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = |from: usize| text[from..].find('\n').map_or(text.len(), |i| from + i);
    if trailing {
        return TextRange::new(at(line_start), at(line_end(start)));
    }
    let mut end = line_end(start);
    while end < text.len() {
        let next_end = line_end(end + 1);
        if text[end + 1..next_end].trim().is_empty() {
            break;
        }
        end = next_end;
    }
    TextRange::new(at(usize::from(comment.end()).min(end)), at(end))
}

/// Reads a directive (the text after `#aa:`).
pub fn parse_directive(body: &str, covers: impl FnOnce() -> TextRange) -> Result<DirectiveKind, String> {
    let body = body.trim_end();
    if body.ends_with(',') {
        return Err("a directive does not end with a comma".into());
    }
    let mut words = split_words(body);
    let name = if words.is_empty() { String::new() } else { words.remove(0) };
    match name.as_str() {
        "dbus" => parse_dbus(&words).map(DirectiveKind::Dbus),
        "exec" => {
            let mut mode = "P".to_string();
            if let Some(first) = words.first()
                && ["P", "U", "p", "u", "PU", "pu"].contains(&first.as_str())
            {
                mode = words.remove(0);
            }
            if words.is_empty() {
                return Err("`#aa:exec` names no profile file".into());
            }
            Ok(DirectiveKind::Exec { mode, profiles: words })
        }
        "stack" => {
            let keep_exec = words.first().is_some_and(|w| w == "X");
            if keep_exec {
                words.remove(0);
            }
            if words.is_empty() {
                return Err("`#aa:stack` names no profile file".into());
            }
            Ok(DirectiveKind::Stack { keep_exec, profiles: words })
        }
        "only" | "exclude" => {
            if words.is_empty() {
                return Err(format!("`#aa:{name}` names no distribution, family or ABI"));
            }
            if let Some(bad) = words.iter().find(|w| !is_known_filter(w)) {
                return Err(format!(
                    "`{bad}` is not a distribution (arch, debian, ubuntu, opensuse, fedora), family (apt, pacman, zypper, dnf), build flag (RBAC, test) or version comparison (abi>=4, apparmor<5.0)"
                ));
            }
            let covers = covers();
            Ok(if name == "only" {
                DirectiveKind::Only { filters: words, covers }
            } else {
                DirectiveKind::Exclude { filters: words, covers }
            })
        }
        "lint" => Ok(DirectiveKind::Lint),
        "" => Err("`#aa:` names no directive".into()),
        other => Err(format!("`#aa:{other}` is not a directive (dbus, exec, stack, only, exclude, lint)")),
    }
}

/// Splits on blanks, keeping quoted parts (`label="a b"`) whole.
fn split_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn parse_dbus(words: &[String]) -> Result<Dbus, String> {
    let access = match words.first().map(String::as_str) {
        Some("own") => DbusAccess::Own,
        Some("talk") => DbusAccess::Talk,
        Some("see") => DbusAccess::See,
        Some(other) => return Err(format!("`{other}` is not a dbus access: write own, talk or see")),
        None => return Err("`#aa:dbus` needs an access (own, talk, see), `bus=` and `name=`".into()),
    };
    let (mut bus, mut name, mut label, mut interface, mut extra_interface, mut path) =
        (None, None, None, None, None, None);
    for word in &words[1..] {
        let Some((key, value)) = word.split_once('=') else {
            return Err(format!("`{word}` is not an option: write key=value"));
        };
        if value.is_empty() {
            return Err(format!("`{key}=` has no value"));
        }
        let slot = match key {
            "bus" => &mut bus,
            "name" => &mut name,
            "label" => &mut label,
            "interface" => &mut interface,
            "interface+" => &mut extra_interface,
            "path" => &mut path,
            _ => return Err(format!("`{key}` is not a dbus option (bus, name, label, interface, interface+, path)")),
        };
        *slot = Some(value.to_string());
    }
    let bus = bus.ok_or("`#aa:dbus` needs `bus=`")?;
    if !["system", "session", "accessibility"].contains(&bus.as_str()) {
        return Err(format!("`bus={bus}`: the bus is system, session or accessibility"));
    }
    let name = name.ok_or("`#aa:dbus` needs `name=`")?;
    if access != DbusAccess::Own && label.is_none() {
        return Err("`#aa:dbus talk` and `see` need `label=` (the profile that owns the name)".into());
    }
    Ok(Dbus { access, bus, name, label, interface, extra_interface, path })
}

impl Dbus {
    /// The abstraction an `own` directive includes (once per profile).
    pub fn own_abstraction(&self) -> Option<String> {
        (self.access == DbusAccess::Own).then(|| format!("abstractions/bus/{}/own", self.bus))
    }

    /// The rules the directive stands for, as the collection's build writes
    /// them (without [`Dbus::own_abstraction`]).
    pub fn rules(&self) -> String {
        let bus = &self.bus;
        let name = format!("{}{{,.*}}", self.name);
        let path = self.path.clone().unwrap_or_else(|| format!("/{}{{,/**}}", self.name.replace('.', "/")));
        let mut interfaces = vec![self.interface.clone().unwrap_or_else(|| name.clone())];
        interfaces.extend(self.extra_interface.clone());
        let at = format!("bus={bus} path={path}");
        let props = "interface=org.freedesktop.DBus.Properties";
        let intro = "interface=org.freedesktop.DBus.Introspectable member=Introspect";
        let objects = "interface=org.freedesktop.DBus.ObjectManager";
        let mut out = String::new();
        let mut rule = |text: String| {
            out.push_str(&text);
            out.push_str(",\n");
        };
        let label = self.label.clone().unwrap_or_default();
        match self.access {
            DbusAccess::Own => {
                let from = "peer=(name=\"@{busname}\")";
                let to = "peer=(name=\"{@{busname},org.freedesktop.DBus}\")";
                rule(format!("dbus bind bus={bus} name={name}"));
                for interface in &interfaces {
                    rule(format!("dbus receive {at} interface={interface} {from}"));
                    rule(format!("dbus send {at} interface={interface} {to}"));
                }
                rule(format!("dbus (send receive) {at} {props} member={{Get,GetAll,Set,PropertiesChanged}} {to}"));
                rule(format!("dbus receive {at} {intro} {from}"));
                rule(format!(
                    "dbus receive {at} {objects} member=GetManagedObjects peer=(name=\"{{@{{busname}},{name}}}\")"
                ));
                rule(format!("dbus send {at} {objects} member={{InterfacesAdded,InterfacesRemoved}} {to}"));
            }
            DbusAccess::Talk => {
                let peer = format!("peer=(name=\"{{@{{busname}},{name},org.freedesktop.DBus}}\", label={label})");
                rule(format!("unix type=stream peer=(label={label})"));
                for interface in &interfaces {
                    rule(format!("dbus (send receive) {at} interface={interface} {peer}"));
                    rule(format!("dbus send {at} interface={interface} peer=(name=\"{name}\")"));
                }
                rule(format!("dbus (send receive) {at} {props} member={{Get,GetAll,Set,PropertiesChanged}} {peer}"));
                rule(format!("dbus send {at} {intro} {peer}"));
                rule(format!("dbus send {at} {objects} member=GetManagedObjects {peer}"));
                rule(format!("dbus receive {at} {objects} member={{InterfacesAdded,InterfacesRemoved}} {peer}"));
            }
            DbusAccess::See => {
                let peer = format!("peer=(name=\"{{@{{busname}},{name}}}\", label={label})");
                rule(format!("unix type=stream peer=(label={label})"));
                rule(format!("dbus send {at} {props} member={{Get,GetAll}} {peer}"));
                rule(format!("dbus receive {at} {props} member=PropertiesChanged {peer}"));
                rule(format!("dbus send {at} {intro} {peer}"));
            }
        }
        out
    }
}

/// The rules an `#aa:exec` directive stands for, given the `@{exec_path}`
/// values (as written) of each profile file.
pub fn exec_rules(mode: &str, exec_paths: &[String]) -> String {
    exec_paths.iter().map(|p| format!("{p} {mode}x,\n")).collect()
}

/// The values of `@{exec_path}` as a profile file defines them (as
/// written, before expansion).
pub fn exec_path_values(tree: &SyntaxNode) -> Vec<String> {
    let mut out = Vec::new();
    for node in tree.descendants().filter(|n| n.kind() == VARIABLE_DEF) {
        let Some(def) = aa_syntax::ast::VariableDef::cast(node) else { continue };
        if def.name().as_deref() == Some("exec_path") {
            out.extend(def.values().map(|v| v.text()));
        }
    }
    out
}

/// What `#aa:stack` takes from a stacked profile file, as the collection's
/// build takes it: the body of the file's first profile, less the lines
/// holding `include <abstractions/base>` (the parent has it), those naming
/// `@{exec_path}` (the stacked program's entry point) and, without `X`,
/// every exec line. The build matches lines of text, not rules: any line
/// with `x,` in it (`network unix,` too) counts as an exec line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackedBody {
    /// The stacked file's first profile.
    pub profile: TextRange,
    /// Its text inside the braces.
    pub inside: TextRange,
    /// The lines the build leaves out, without their line breaks.
    pub left_out: Vec<TextRange>,
}

pub fn stacked_body(db: &dyn Db, file: File, keep_exec: bool) -> Option<StackedBody> {
    let root = parse(db, file).syntax_node();
    let profile = root.children().find(|n| n.kind() == PROFILE)?;
    let block = aa_syntax::ast::Profile::cast(profile.clone())?.body()?;
    let block = block.syntax().text_range();
    let text = root.text().to_string();
    let (start, end) = (usize::from(block.start()) + 1, usize::from(block.end()));
    let end = if text[..end].ends_with('}') { end - 1 } else { end };
    let mut left_out = Vec::new();
    let mut at = start;
    for line in text[start..end].split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        let leave = content.contains("include <abstractions/base>")
            || content.contains("@{exec_path}")
            || (!keep_exec && content.contains("x,"));
        if leave {
            left_out.push(TextRange::at(TextSize::from(at as u32), TextSize::from(content.len() as u32)));
        }
        at += line.len();
    }
    Some(StackedBody {
        profile: profile.text_range(),
        inside: TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32)),
        left_out,
    })
}

/// The text `#aa:stack` adds for `profiles`, as the build writes it: a
/// comment naming each stacked profile, then its kept, non-blank lines.
pub fn stacked_text(db: &dyn Db, keep_exec: bool, profiles: &[String]) -> String {
    let mut out = String::new();
    for name in profiles {
        let Some(file) = profile_file(db, name) else { continue };
        let Some(body) = stacked_body(db, file, keep_exec) else { continue };
        let text = parse(db, file).syntax_node().text().to_string();
        out.push_str(&format!("# Stacked profile: {name}\n"));
        let mut at = usize::from(body.inside.start());
        for line in text[body.inside].split_inclusive('\n') {
            let start = TextSize::from(at as u32);
            at += line.len();
            if line.trim().is_empty() || body.left_out.iter().any(|r| r.start() == start) {
                continue;
            }
            out.push_str(line.trim_end_matches('\n'));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> TextRange {
        TextRange::default()
    }

    #[test]
    fn parses_directives() {
        assert!(matches!(parse_directive("dbus own bus=system name=org.x", none), Ok(DirectiveKind::Dbus(_))));
        assert!(parse_directive("dbus own bus=system name=org.x,", none).unwrap_err().contains("comma"));
        assert!(parse_directive("dbus talk bus=system name=org.x", none).unwrap_err().contains("label"));
        assert!(parse_directive("dbus own bus=bogus name=org.x", none).unwrap_err().contains("bus"));
        assert!(parse_directive("dbus own bus=system name=org.x color=red", none).unwrap_err().contains("color"));
        assert!(parse_directive("dbus own name=org.x", none).unwrap_err().contains("bus="));
        assert!(parse_directive("frobnicate x", none).unwrap_err().contains("not a directive"));
        assert!(parse_directive("only gentoo", none).unwrap_err().contains("gentoo"));
        assert_eq!(
            parse_directive("exec U foo bar", none),
            Ok(DirectiveKind::Exec { mode: "U".into(), profiles: vec!["foo".into(), "bar".into()] })
        );
        assert!(matches!(
            parse_directive("dbus talk bus=system name=org.x label=\"@{p_x}\"", none),
            Ok(DirectiveKind::Dbus(Dbus { label: Some(l), .. })) if l == "\"@{p_x}\""
        ));
    }

    #[test]
    fn filters() {
        let only = |f: &str| DirectiveKind::Only { filters: vec![f.into()], covers: none() };
        let exclude = |f: &str| DirectiveKind::Exclude { filters: vec![f.into()], covers: none() };
        assert!(kept(&only("apt"), Some("ubuntu")));
        assert!(!kept(&only("apt"), Some("arch")));
        assert!(!kept(&only("apt"), None));
        assert!(kept(&only("abi>=4"), Some("arch")));
        assert!(!kept(&only("apparmor>=5.0"), Some("arch")));
        assert!(!kept(&only("test"), Some("arch")));
        assert!(kept(&exclude("RBAC"), None));
        assert!(!kept(&exclude("arch"), Some("arch")));
        assert!(kept(&exclude("arch"), Some("debian")));
        assert!(!kept(&exclude("arch"), None));
    }

    #[test]
    fn dbus_expansion_parses() {
        let d = Dbus {
            access: DbusAccess::Own,
            bus: "system".into(),
            name: "org.freedesktop.NetworkManager".into(),
            label: None,
            interface: None,
            extra_interface: None,
            path: None,
        };
        let text = format!("profile x {{\n{}}}\n", d.rules());
        let parse = aa_syntax::parse(&text);
        assert!(parse.errors().is_empty(), "{text}\n{:?}", parse.errors());
        assert!(text.contains("path=/org/freedesktop/NetworkManager{,/**}"));
    }
}

/// The ranges of `file` the target build removes (`#aa:only` /
/// `#aa:exclude` blocks it does not keep).
pub fn removed_ranges(db: &dyn Db, file: File) -> Vec<TextRange> {
    let directives = file_directives(db, file);
    if directives.directives.is_empty() {
        return Vec::new();
    }
    let distribution = db.settings().target_distribution(db).as_deref();
    directives
        .directives
        .iter()
        .filter_map(|d| match &d.kind {
            DirectiveKind::Only { covers, .. } | DirectiveKind::Exclude { covers, .. } => {
                (!kept(&d.kind, distribution)).then_some(*covers)
            }
            _ => None,
        })
        .collect()
}

/// Profile files by name, as `#aa:exec` and `#aa:stack` name them: the
/// files under the search directories (not abstractions, tunables, local
/// additions or other non-profile folders), up to three levels down.
#[salsa::tracked(returns(ref))]
pub fn profile_files(db: &dyn Db, settings: crate::db::Settings) -> std::collections::HashMap<String, File> {
    let mut out = std::collections::HashMap::new();
    let dirs: Vec<std::path::PathBuf> =
        settings.include_dirs(db).iter().chain(std::iter::once(settings.base_dir(db))).cloned().collect();
    for dir in dirs {
        walk(db, &dir, 0, &mut out);
    }
    out
}

fn walk(db: &dyn Db, dir: &std::path::Path, depth: usize, out: &mut std::collections::HashMap<String, File>) {
    const SKIP: &[&str] =
        &["abstractions", "tunables", "local", "abi", "mappings", "disable", "cache", "force-complain"];
    let crate::db::FileContent::Directory(entries) = db.file(dir).content(db).clone() else { return };
    for name in entries {
        if depth == 0 && SKIP.contains(&name.as_str()) {
            continue;
        }
        let path = dir.join(&name);
        let file = db.file(&path);
        match file.content(db) {
            crate::db::FileContent::Directory(_) if depth < 3 => walk(db, &path, depth + 1, out),
            crate::db::FileContent::Text(_) if !crate::includes::is_skipped_file_name(&name) => {
                out.entry(name).or_insert(file);
            }
            _ => {}
        }
    }
}

/// The profile file `#aa:exec` / `#aa:stack` names.
pub fn profile_file(db: &dyn Db, name: &str) -> Option<File> {
    profile_files(db, db.settings()).get(name).copied()
}

/// The rules a directive stands for, as text (empty for filters and for
/// `#aa:stack`, whose rules the model reads from the stacked profile's
/// file: [`stacked_body`]).
pub fn expansion(db: &dyn Db, kind: &DirectiveKind) -> String {
    match kind {
        DirectiveKind::Dbus(d) => d.rules(),
        DirectiveKind::Exec { mode, profiles } => profiles
            .iter()
            .filter_map(|p| profile_file(db, p))
            .map(|f| exec_rules(mode, &exec_path_values(&parse(db, f).syntax_node())))
            .collect(),
        _ => String::new(),
    }
}
