//! The standard feature ABIs, built in for machines whose AppArmor is older
//! than the policy (`abi <abi/5.0>,` on a system that ships only `abi/3.0`)
//! or absent: without them every profile that pins an ABI would fail with
//! `bad-abi`, although the profile is fine and the machine is what lacks.
//!
//! An embedded ABI is used only when no directory of the search path has
//! the file (`includes::resolve_abi`), so a user's own ABI files always win.
//! The files are kernel feature sets, data in the format `apparmor_parser`
//! reads (`data/abi/`): 3.0 and 4.0 as AppArmor 4.1 ships them, 5.0 as
//! AppArmor's development branch ships it (the ABI the apparmor.d
//! collection pins).

/// The text of the built-in ABI `name` (as written after `abi <`, e.g. `abi/4.0`).
pub fn builtin_abi(name: &str) -> Option<&'static str> {
    Some(match name {
        "abi/3.0" => include_str!("../data/abi/3.0"),
        "abi/4.0" => include_str!("../data/abi/4.0"),
        "abi/5.0" => include_str!("../data/abi/5.0"),
        _ => return None,
    })
}
