//! The encoder: [`CompiledProfile`]s → the binary policy `apparmor_parser`
//! 3.0.8 writes with `-S` (the inverse of [`crate::wire`],
//! [`crate::tables`] and [`crate::policy`]).
//!
//! ```text
//! Dfa ──layout::lay_out──▶ Layout (defaults, numbering, diff encoding)
//!     ──pack::pack──▶ Packed (base/next/check/default, accept/accept2)
//!     ──Packed::to_bytes──▶ table set
//! CompiledProfile ──stream::encode_profile──▶ chunk; chunks ──▶ stream
//! ```
//!
//! The aim is byte identity with 3.0.8 for the same features: the layout
//! and packing follow the parser's (see [`layout`] and [`pack`]), and any
//! output decodes into tables that walk exactly like the [`Dfa`] they
//! came from (checked by this module's tests and the Debian corpus test
//! in `aa-compile`).

pub mod layout;
pub mod pack;
pub mod stream;

use crate::features::Features;
use crate::profile::{CompiledDfa, CompiledProfile};

/// What the encoder needs to know about the target kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Whose policy format to write ([`aa_target::PolicyFormat`]).
    pub target: &'static aa_target::Target,
    /// Kernel ABI (version word) and `policy/diff_encode`.
    pub features: Features,
}

/// The table set of a compiled DFA (an "aadfa" blob's content).
pub fn encode_dfa(d: &CompiledDfa, opts: &EncodeOptions) -> Vec<u8> {
    let l = layout::lay_out(&d.dfa, &d.mentioned, opts.features.diff_encode);
    pack::pack(&l).to_bytes()
}

/// A whole stream: one chunk per profile, in 3.0.8's order (see
/// [`policy_order`]).
pub fn encode_policy<'a>(profiles: impl IntoIterator<Item = &'a CompiledProfile>, opts: &EncodeOptions) -> Vec<u8> {
    let mut out = Vec::new();
    for p in policy_order(profiles) {
        out.extend(stream::encode_profile(p, opts));
    }
    out
}

/// The order 3.0.8 writes profiles in: its profile list is a set sorted
/// by namespace (profiles without one first) and then name, and each
/// profile is followed by its hats and children, sorted by name the same
/// way, depth first. That is the order of the names split at `//` and
/// compared part by part, byte-wise.
pub fn policy_order<'a>(profiles: impl IntoIterator<Item = &'a CompiledProfile>) -> Vec<&'a CompiledProfile> {
    let mut v: Vec<&CompiledProfile> = profiles.into_iter().collect();
    v.sort_by(|a, b| {
        let key = |p: &'a CompiledProfile| {
            (
                p.namespace.is_some(),
                p.namespace.as_deref().map(str::as_bytes),
                p.name.split("//").map(str::as_bytes).collect::<Vec<_>>(),
            )
        };
        key(a).cmp(&key(b))
    });
    v
}
