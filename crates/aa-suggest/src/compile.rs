//! Compiling a profile whose rules this compiler cannot all encode: the
//! rules the lowering refuses as unsupported (fine-grained network rules,
//! `other` file rules, ...) are set aside and the rest
//! is compiled, so the exact checks still hold for the classes that are
//! encoded; the rules set aside are compared as rules
//! ([`crate::model_covers`]).

use aa_compile::{LowerErrorKind, Lowered, compile_lowered, lower_profile};
use aa_dfa::{CompileOptions, CompiledProfile, ProfileInput};
use aa_hir::db::Db;
use aa_hir::model::PolicyModel;

/// A compiled profile and the model rules it could not encode.
pub struct Compiled {
    pub lowered: Lowered,
    pub compiled: CompiledProfile,
    /// Indexes into the model profile's `rules`.
    pub set_aside: Vec<usize>,
}

/// Lowers and compiles profile `index` of `model`, setting aside the rules
/// the lowering does not support.
pub fn compile(db: &dyn Db, model: &PolicyModel, index: usize, opts: &CompileOptions) -> Result<Compiled, String> {
    let (lowered, set_aside) = lower(db, model, index)?;
    let (lowered, compiled) = compile_lowered(lowered, opts).map_err(|e| e.to_string())?;
    Ok(Compiled { lowered, compiled, set_aside })
}

/// Lowers profile `index` of `model`, setting aside the rules the lowering
/// does not support; the map's rule indexes are those of `model`.
pub fn lower(db: &dyn Db, model: &PolicyModel, index: usize) -> Result<(Lowered, Vec<usize>), String> {
    let mut m = model.clone();
    // original index of each rule still in `m`
    let mut original: Vec<usize> = (0..m.profiles[index].rules.len()).collect();
    let mut set_aside = Vec::new();
    let mut lowered = loop {
        match lower_profile(db, &m, index) {
            Ok(l) => break l,
            Err(e) if e.kind == LowerErrorKind::Unsupported && e.rule.is_some_and(|r| r < original.len()) => {
                let r = e.rule.unwrap_or_default();
                m.profiles[index].rules.remove(r);
                set_aside.push(original.remove(r));
            }
            // A profile flag the encoder does not know (4.x's
            // `attach_disconnected.path=`, ...) changes how disconnected
            // paths are named, not what is allowed: compiled without it.
            Err(e)
                if e.kind == LowerErrorKind::Unsupported
                    && e.rule.is_none()
                    && let Some(flag) = e.message.strip_prefix("profile flag `").and_then(|r| r.split('`').next())
                    && let Some(at) = m.profiles[index].flags.iter().position(|f| f.trim() == flag) =>
            {
                m.profiles[index].flags.remove(at);
            }
            Err(e) => return Err(e.message),
        }
    };
    let map = &mut lowered.map;
    for v in [
        &mut map.files,
        &mut map.links,
        &mut map.change_profile,
        &mut map.network,
        &mut map.unix,
        &mut map.dbus,
        &mut map.signal,
        &mut map.ptrace,
        &mut map.mount,
        &mut map.userns,
        &mut map.io_uring,
        &mut map.mqueue,
    ] {
        for r in v.iter_mut() {
            *r = original.get(*r).copied().unwrap_or(usize::MAX);
        }
    }
    set_aside.sort_unstable();
    Ok((lowered, set_aside))
}

/// The part of a lowered profile that model rules `rules` produced (the
/// capabilities come from the caller, who reads them from the model).
pub fn only_rules(lowered: &Lowered, rules: &[usize], caps: u64) -> ProfileInput {
    let i = &lowered.input;
    let m = &lowered.map;
    fn pick<T: Clone>(items: &[T], map: &[usize], rules: &[usize]) -> Vec<T> {
        items.iter().zip(map).filter(|(_, r)| rules.contains(r)).map(|(x, _)| x.clone()).collect()
    }
    let mut out = ProfileInput {
        name: i.name.clone(),
        namespace: i.namespace.clone(),
        files: pick(&i.files, &m.files, rules),
        links: pick(&i.links, &m.links, rules),
        change_profile: pick(&i.change_profile, &m.change_profile, rules),
        network: pick(&i.network, &m.network, rules),
        unix: pick(&i.unix, &m.unix, rules),
        dbus: pick(&i.dbus, &m.dbus, rules),
        signal: pick(&i.signal, &m.signal, rules),
        ptrace: pick(&i.ptrace, &m.ptrace, rules),
        mount: pick(&i.mount, &m.mount, rules),
        userns: pick(&i.userns, &m.userns, rules),
        io_uring: pick(&i.io_uring, &m.io_uring, rules),
        mqueue: pick(&i.mqueue, &m.mqueue, rules),
        ..ProfileInput::default()
    };
    out.capabilities.allow = caps;
    out
}
