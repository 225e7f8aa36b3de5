//! A label's file permissions at a path: what every layer allows. A layer
//! that is `unconfined` (or `flags=(unconfined)`) allows everything; a
//! `complain` layer lets everything through but logs what it would deny;
//! an enforcing layer allows what its automaton allows.

use aa_dfa::perms::old;
use aa_dfa::query::HalfPerms;
use aa_label::{Label, ProfileName};

use super::{Mode, StackPolicy};
use crate::analysis::{Contribution, effective_permissions};

/// Every file permission bit of one half that a query reports.
pub const ALL: u32 = old::READ | old::WRITE | old::APPEND | old::LINK | old::LOCK | old::EXEC_MMAP | old::EXEC;

/// What one layer allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerPerms {
    pub layer: ProfileName,
    pub profile: Option<usize>,
    pub mode: Option<Mode>,
    /// Owner and other halves (`None`: everything, the layer does not
    /// mediate: unconfined, or complain mode).
    pub owner: Option<HalfPerms>,
    pub other: Option<HalfPerms>,
    /// The rules that match the path.
    pub contributions: Vec<Contribution>,
    /// Why the layer could not be asked (not defined, not compiled).
    pub error: Option<String>,
}

impl LayerPerms {
    /// The bits the layer lets through for the owner (`true`) or others.
    pub fn allowed(&self, owner: bool) -> u32 {
        if self.error.is_some() {
            return 0;
        }
        let half = if owner { &self.owner } else { &self.other };
        half.map_or(ALL, |h| h.allow & ALL)
    }
}

/// A label's permissions at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelPerms {
    pub layers: Vec<LayerPerms>,
    /// The intersection over layers, owner half.
    pub owner: u32,
    /// The intersection over layers, other half.
    pub other: u32,
}

impl LabelPerms {
    /// Whether every bit of `want` is granted (in both halves: whoever owns
    /// the file).
    pub fn grants(&self, want: u32) -> bool {
        want & !(self.owner & self.other) == 0
    }

    /// The layers that withhold a bit of `want` (for others).
    pub fn withholding(&self, want: u32) -> impl Iterator<Item = &LayerPerms> {
        self.layers.iter().filter(move |l| want & !(l.allowed(true) & l.allowed(false)) != 0)
    }
}

/// The file permissions of `label` at `path`.
pub fn label_permissions(policy: &StackPolicy<'_>, label: &Label, path: &str) -> LabelPerms {
    let mut layers = Vec::new();
    for layer in label.layers() {
        let mut lp = LayerPerms {
            layer: layer.clone(),
            profile: policy.find(layer),
            mode: None,
            owner: None,
            other: None,
            contributions: Vec::new(),
            error: None,
        };
        match lp.profile {
            None if layer.is_unconfined() => {}
            None => lp.error = Some("profile not defined in the policy".to_owned()),
            Some(i) => {
                let mode = policy.profile(i).mode;
                lp.mode = Some(mode);
                match policy.compiled(i) {
                    Err(e) => lp.error = Some(format!("not compiled: {e}")),
                    Ok((lowered, compiled)) => {
                        let empty = HalfPerms::default();
                        let (owner, other, contributions) =
                            match effective_permissions(compiled, lowered, path.as_bytes()) {
                                Some(p) => (p.owner, p.other, p.contributions),
                                None => (empty, empty, Vec::new()),
                            };
                        lp.contributions = contributions;
                        if mode.enforces() {
                            lp.owner = Some(owner);
                            lp.other = Some(other);
                        }
                    }
                }
            }
        }
        layers.push(lp);
    }
    let owner = layers.iter().fold(ALL, |acc, l| acc & l.allowed(true));
    let other = layers.iter().fold(ALL, |acc, l| acc & l.allowed(false));
    LabelPerms { layers, owner, other }
}
