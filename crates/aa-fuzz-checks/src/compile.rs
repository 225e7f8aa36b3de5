//! Compiling for every target, and asking the compiled policy questions,
//! as `aa-lint compile`, `query` and `diff` do: no panic; every failure is a
//! diagnostic inside its file; a second compile on a fresh database gives
//! the same diagnostics and the same binary policy, which decodes; a
//! profile differs from itself nowhere, and the rules a query names exist.

use aa_compile::{CompiledEntry, compile_model, diagnostics_of, effective_permissions, options_for};
use aa_dfa::{EncodeOptions, Features, Policy, Target, encode_policy};
use aa_hir::db::{Db as _, FileContent, RootDatabase};
use aa_hir::model::{PolicyModel, policy_model};
use aa_target::Version;

use crate::{Workspace, assert_range_in};

/// A kernel's feature set without abi 4.0 classes, and one with them.
pub const FEATURES_DEFAULT: &str = include_str!("../../aa-dfa/tests/features/default");
pub const FEATURES_ABI4: &str = include_str!("../../../fixtures/rules-4.1/features.abi4");

pub fn check(data: &[u8]) {
    let Some(workspace) = Workspace::decode(data) else { return };
    check_workspace(&workspace);
}

pub fn check_workspace(workspace: &Workspace) {
    let mut compiled = Vec::new();
    for (version, features) in
        [(Version::V3_0, FEATURES_DEFAULT), (Version::V4_1, FEATURES_ABI4), (Version::V5_0, FEATURES_DEFAULT)]
    {
        let first = compile(workspace, version, features);
        let second = compile(workspace, version, features);
        assert_eq!(first.diagnostics, second.diagnostics, "{version:?}: diagnostics differ between two compiles");
        assert!(first.binary == second.binary, "{version:?}: two compiles give different bytes");
        if let Some(bytes) = &first.binary {
            let policy =
                Policy::decode(bytes).unwrap_or_else(|e| panic!("{version:?}: own binary does not decode: {e}"));
            let _ = policy;
        }
        query(&first.model, &first.entries, workspace.profile());
        compiled.push(first);
    }
    // `aa-lint diff` between the targets' versions of each profile.
    for pair in compiled.windows(2) {
        for (a, b) in pair[0].entries.iter().zip(&pair[1].entries) {
            if let (Ok((_, a)), Ok((_, b))) = (&a.result, &b.result) {
                let _ = diff(a, b);
            }
        }
    }
}

/// What one compile gave.
pub struct Compiled {
    pub model: PolicyModel,
    pub entries: Vec<CompiledEntry>,
    /// `(file path, code, message, range)` of every compile diagnostic.
    pub diagnostics: Vec<(String, &'static str, String, aa_syntax::TextRange)>,
    /// The binary policy, when every profile compiled.
    pub binary: Option<Vec<u8>>,
}

/// Compiles the workspace's profile on a fresh database for `version`.
pub fn compile(workspace: &Workspace, version: Version, features: &str) -> Compiled {
    let mut db = RootDatabase::new(workspace.loader(), Vec::new(), "/etc/apparmor.d".into(), "/".into());
    db.set_target(version);
    let root = db.file(workspace.profile_path());
    let model = policy_model(&db, root).clone();
    let features = Features::parse(features);
    let opts = options_for(Target::of(version), features.clone());
    let entries = compile_model(&db, &model, &opts);
    let mut diagnostics = Vec::new();
    for (file, d) in diagnostics_of(&model, &entries) {
        let path = file.path(&db).display().to_string();
        let FileContent::Text(text) = file.content(&db) else {
            panic!("{}: diagnostic in {path}, which has no text", d.code)
        };
        assert_range_in(text, d.range, &format_args!("{version:?}: {} in {path}", d.code));
        diagnostics.push((path, d.code, d.message, d.range));
    }
    let failed = entries.iter().filter(|e| e.result.is_err()).count();
    assert!(failed == 0 || !diagnostics.is_empty(), "{version:?}: {failed} profile(s) failed without a diagnostic");
    let binary = (failed == 0).then(|| {
        let ok = entries.iter().filter_map(|e| e.result.as_ref().ok().map(|(_, c)| c));
        encode_policy(ok, &EncodeOptions { target: opts.target, features })
    });
    Compiled { model, entries, diagnostics, binary }
}

/// `aa-lint query` for every path the profile text names (and `/`): the
/// contributing rules exist; each profile differs from itself nowhere.
fn query(model: &PolicyModel, entries: &[CompiledEntry], text: &str) {
    let mut paths: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || c == ',').filter(|w| w.starts_with('/')).take(8).collect();
    paths.push("/");
    for entry in entries {
        let Ok((lowered, c)) = &entry.result else { continue };
        let rules = model.profiles[lowered.profile].rules.len();
        for path in &paths {
            if let Some(p) = effective_permissions(c, lowered, path.as_bytes()) {
                for con in &p.contributions {
                    assert!(con.rule.is_none_or(|r| r < rules), "query names rule {:?} of {rules}", con.rule);
                }
            }
        }
        assert_eq!(diff(c, c), Vec::<String>::new(), "profile {} differs from itself", entry.name);
    }
}

/// The changes `aa-lint diff` reports between two compiled profiles (file
/// and policy DFAs, capabilities, attachment), as example inputs.
fn diff(a: &aa_dfa::CompiledProfile, b: &aa_dfa::CompiledProfile) -> Vec<String> {
    let empty = aa_dfa::Dfa::empty();
    fn pick<'a>(d: &'a Option<aa_dfa::profile::CompiledDfa>, empty: &'a aa_dfa::Dfa) -> &'a aa_dfa::Dfa {
        d.as_ref().map_or(empty, |d| &d.dfa)
    }
    let mut out = Vec::new();
    for (x, y) in
        [(pick(&a.file, &empty), pick(&b.file, &empty)), (pick(&a.policydb, &empty), pick(&b.policydb, &empty))]
    {
        for change in aa_dfa::query::diff(x, y, 20) {
            out.push(format!("{:?}: {:?} -> {:?}", change.example, change.left, change.right));
        }
    }
    if a.caps_allow != b.caps_allow {
        out.push("capabilities".into());
    }
    if let (Some(x), Some(y)) = (&a.xmatch, &b.xmatch)
        && let Some(d) = aa_dfa::find_difference(&x.dfa, &y.dfa)
    {
        out.push(format!("attachment at {:?}", d.input));
    }
    out
}
