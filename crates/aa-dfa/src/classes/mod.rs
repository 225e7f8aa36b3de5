//! Policydb encodings of the non-file rule classes, as `apparmor_parser`
//! 3.0.8 writes them. Every rule becomes one or more regexes whose first
//! byte is the class:
//!
//! ```text
//! signal   (\x10\x0a | \x0a .) PEER       no signal list (label rule too)
//!          \x0a [SIGNALS] PEER            with a list
//! ptrace   (\x10 |) \x09 PEER
//! dbus     \x20 BUS \0 NAME                          bind
//!          \x20 BUS \0 NAME \0 PEER \0 PATH \0 IFACE \0 MEMBER   send/receive
//!          \x20 BUS                                  eavesdrop
//! mount    \x07 POINT \0 DEV \0 TYPE \0 FLAGS [\0 DATA]   by command
//!          \x07 POINT                                umount
//!          \x07 NEWROOT \0 OLDROOT                   pivot_root
//! net v8   \x0e FAMILY(2 bytes) TYPE(2 bytes)       one per type bit
//! mqueue   \x11 NAME [\0 LABEL]                    POSIX
//!          \x12 KEY(4 bytes) [\0 LABEL]             System V
//! userns   \x15                                     permissions on the class byte
//! io_uring \x16 [LABEL]                             likewise, label for override_creds
//! ```
//!
//! Each class has its own module; the encodings follow the parser version
//! whose compile they reproduce (3.0.8 for the classes it knows, 4.1.0 for
//! the abi 4.0 ones).
//!
//! PEER defaults to `[^\0]+`, other unset fields to `[^\0]*`; user values
//! are globs converted like file paths (without slash filtering).

use crate::glob::{self, GlobMode};
use crate::profile::{NetMasks, Origin, ProfileError, Quals};
use crate::regex::{self, Regex};

/// One policydb entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRule {
    pub regex: Regex,
    pub deny: bool,
    pub perms: u32,
    pub audit: u32,
    /// `priority=N` of the rule it came from (4.1 and later).
    pub priority: i32,
    /// From a `prompt` rule.
    pub prompt: bool,
}

/// A class encoder's error, before the caller knows the rule's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassError(pub String);

impl ClassError {
    pub fn at(self, origin: Origin) -> ProfileError {
        ProfileError::Invalid { origin, message: self.0 }
    }
}

const DEFAULT_MATCH: &str = "[^\\x00]*";
const ANYONE_MATCH: &str = "[^\\x00]+";

fn hex(b: u8) -> String {
    format!("\\x{b:02x}")
}

/// Converts a user glob to regex text (no slash filtering).
fn glob_text(g: &str) -> Result<String, ClassError> {
    let t = glob::glob_to_regex_text(g.as_bytes(), GlobMode::Default).map_err(|e| ClassError(e.to_string()))?;
    Ok(String::from_utf8_lossy(&t.text).into_owned())
}

fn parse(text: &str) -> Result<Regex, ClassError> {
    regex::parse(text.as_bytes()).map_err(|e| ClassError(format!("{text:?}: {}", e.message)))
}

/// Parses each element and joins them with NUL bytes, as the parser's
/// `add_rule_vec` does.
fn vec_regex(parts: &[&str]) -> Result<Regex, ClassError> {
    let mut it = parts.iter();
    let mut re = parse(it.next().copied().unwrap_or(""))?;
    for p in it {
        re = Regex::join_with_nul(re, parse(p)?);
    }
    Ok(re)
}

/// A class's mediation marker: read on the class byte, at `priority`.
fn marker(regex: Regex, priority: i32) -> PolicyRule {
    PolicyRule { regex, deny: false, perms: crate::perms::old::READ, audit: 0, priority, prompt: false }
}

fn rule(regex: Regex, q: Quals, perms: u32) -> PolicyRule {
    PolicyRule { regex, deny: q.deny, perms, audit: q.audit_bits(perms), priority: q.priority, prompt: q.prompt }
}

mod dbus;
mod io_uring;
mod mount;
mod mqueue;
mod network;
mod ptrace;
mod signal;
mod unix;
mod userns;

pub use dbus::*;
pub use io_uring::*;
pub use mount::*;
pub use mqueue::*;
pub use network::*;
pub use ptrace::*;
pub use signal::*;
pub use unix::*;
pub use userns::*;
