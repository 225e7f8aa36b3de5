//! Layer 3 of the decoder: profiles.
//!
//! A stream is a sequence of chunks, one per profile (hats and child
//! profiles are flattened into their own chunks named `parent//child`).
//! Each chunk is: `"version"` u32, optional `"namespace"` string, then the
//! `"profile"` struct:
//!
//! ```text
//! profile {
//!   name (unnamed string)
//!   [aadfa blob + unnamed u32 xmatch_len]        attachment DFA
//!   ["disconnected" string] ["kill" u32] ["error" u32]     (4.x)
//!   flags { hat u32, mode u32, audit u32 }
//!   ["path_flags" u32]
//!   caps: allow, audit, quiet, reserved (4 unnamed u32, low 32 caps)
//!   caps64 { same four for caps 32..64 }
//!   ["capsx" { ... }] ["identity" array] ["xattrs" { array of strings }]
//!   ["rlimits" { mask u32, array of u64 }]
//!   ["net_allowed_af" array of (allow, audit, quiet) u16 triples]
//!   ["policydb" { ["perms" table] aadfa blob [xtable] }]
//!   [["perms" table] aadfa blob]                 file DFA
//!   ["xtable" { array of strings }]               named transitions
//! }
//! ```
//!
//! Unknown named items are kept in [`Profile::unknown`] instead of failing,
//! so newer parsers' additions show up in the dump rather than as errors.

use std::fmt;

use crate::error::DecodeError;
use crate::perms::{self, KernelPerms, OldFileHalf, Owner};
use crate::tables::TableSet;
use crate::wire::{self, Token, Value};

/// The whole decoded output of one `apparmor_parser` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub profiles: Vec<Profile>,
}

/// Profile mode as the kernel numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Enforce,
    Complain,
    Kill,
    Unconfined,
    Other(u32),
}

impl Mode {
    fn from_u32(v: u32) -> Mode {
        match v {
            0 => Mode::Enforce,
            1 => Mode::Complain,
            2 => Mode::Kill,
            3 => Mode::Unconfined,
            n => Mode::Other(n),
        }
    }
}

/// The decoded `version` word of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub raw: u32,
}

impl Version {
    /// Kernel ABI version (bits 0..10).
    pub fn kernel_abi(&self) -> u32 {
        self.raw & 0x3ff
    }
    /// Force-complain flag (bit 11, ABI > 5 only).
    pub fn force_complain(&self) -> bool {
        self.kernel_abi() > 5 && self.raw & (1 << 11) != 0
    }
    /// Policy ABI version (bits 12..20, ABI > 5 only).
    pub fn policy_abi(&self) -> u32 {
        if self.kernel_abi() > 5 { (self.raw >> 12) & 0xff } else { 0 }
    }
    /// Policy version (bits 20..28, ABI > 5 only).
    pub fn policy_version(&self) -> u32 {
        if self.kernel_abi() > 5 { (self.raw >> 20) & 0xff } else { 0 }
    }
}

/// Capability masks (bit `n` is capability number `n`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    /// Allowed and not denied.
    pub allow: u64,
    /// Allowed and audited.
    pub audit: u64,
    /// Denied and quieted.
    pub quiet: u64,
    /// The fourth, reserved word (always 0 from the parser).
    pub reserved: u64,
}

/// Resource limits: `mask` bit `n` says limit `n` is set to `limits[n]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rlimits {
    pub mask: u32,
    pub limits: Vec<u64>,
}

/// One (allow, audit, quiet) triple of the pre-v8 network mask table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetAf {
    pub allow: u16,
    pub audit: u16,
    pub quiet: u16,
}

/// One entry of a 4.1+ permission table.
pub type PermEntry = KernelPerms;

/// A 4.1+ permission table: accept entries become indexes into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermsTable {
    pub version: u32,
    pub entries: Vec<PermEntry>,
    /// The `permsv` word following the table (3: owner/other pairs).
    pub permsv: Option<u32>,
}

/// Which accept encoding a DFA uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DfaKind {
    /// Attachment (xmatch): accept is nonzero on a match.
    Xmatch,
    /// File rules.
    File,
    /// Policydb (all other mediation classes, first byte is the class).
    Policy,
}

/// A DFA blob with the permission table that goes with it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedDfa {
    pub kind: DfaKind,
    pub tables: TableSet,
    pub perms: Option<PermsTable>,
}

impl DecodedDfa {
    /// The kernel's permissions at `state`. For policydb DFAs `who` is
    /// ignored. `None` if the state does not exist or, with a permission
    /// table, the accept entry indexes past it.
    pub fn perms(&self, state: u32, who: Owner) -> Option<KernelPerms> {
        let s = state as usize;
        let a1 = *self.tables.accept.data.get(s)?;
        if let Some(pt) = &self.perms {
            let mut idx = a1 as usize;
            if self.kind == DfaKind::File && pt.permsv.unwrap_or(0) >= 3 && who == Owner::Other {
                idx = idx.checked_add(1)?;
            }
            return pt.entries.get(idx).copied();
        }
        let a2 = self.tables.accept2.as_ref().and_then(|t| t.data.get(s).copied()).unwrap_or(0);
        Some(match self.kind {
            DfaKind::File => perms::file_perms(a1, a2, who),
            DfaKind::Policy | DfaKind::Xmatch => perms::policy_perms(a1, a2),
        })
    }

    /// Kernel permissions after walking `input` from the start state.
    pub fn perms_of(&self, input: &[u8], who: Owner) -> Option<KernelPerms> {
        self.perms(self.tables.walk(input), who)
    }
}

/// A named item the decoder does not interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownItem {
    pub offset: usize,
    pub name: String,
    pub summary: String,
}

/// One profile chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Offset of the chunk's `version` item.
    pub offset: usize,
    pub version: Version,
    pub namespace: Option<String>,
    /// Full name; hats and children are `parent//child`.
    pub name: String,
    pub xmatch: Option<DecodedDfa>,
    pub xmatch_len: u32,
    /// Profile flags word (bit 0: hat).
    pub hat_flags: u32,
    pub mode: Mode,
    pub audit: bool,
    pub path_flags: Option<u32>,
    pub caps: Caps,
    pub xattrs: Vec<String>,
    pub rlimits: Option<Rlimits>,
    pub net_allowed_af: Vec<NetAf>,
    pub policydb: Option<DecodedDfa>,
    pub file: Option<DecodedDfa>,
    /// Named transition targets; entry `i` is exec index `i + 4`. A
    /// namespaced target is `:ns\0name`.
    pub xtable: Vec<String>,
    pub disconnected: Option<String>,
    pub kill_signal: Option<u32>,
    pub error_code: Option<u32>,
    pub unknown: Vec<UnknownItem>,
}

impl Profile {
    pub fn is_hat(&self) -> bool {
        self.hat_flags & 1 != 0
    }
    pub fn has_cap(&self, cap: u32) -> bool {
        cap < 64 && self.caps.allow & (1u64 << cap) != 0
    }
}

struct Tokens<'t, 'a> {
    toks: &'t [Token<'a>],
    pos: usize,
    end_offset: usize,
}

impl<'t, 'a> Tokens<'t, 'a> {
    fn peek(&self) -> Option<&'t Token<'a>> {
        self.toks.get(self.pos)
    }
    fn next(&mut self, expected: &str) -> Result<&'t Token<'a>, DecodeError> {
        let t = self
            .toks
            .get(self.pos)
            .ok_or_else(|| DecodeError::unexpected(self.end_offset, expected, "end of input"))?;
        self.pos += 1;
        Ok(t)
    }
    fn err(&self, t: &Token<'_>, expected: &str) -> DecodeError {
        DecodeError::unexpected(t.offset, expected, t.describe())
    }
    fn u32(&mut self, name: Option<&str>) -> Result<u32, DecodeError> {
        let what = format!("{}u32", name.map(|n| format!("{n:?} ")).unwrap_or_default());
        let t = self.next(&what)?;
        match t.value {
            Value::U32(v) if t.name == name.map(str::as_bytes) => Ok(v),
            _ => Err(self.err(t, &what)),
        }
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        let t = self.next("u64")?;
        match t.value {
            Value::U64(v) if t.name.is_none() => Ok(v),
            _ => Err(self.err(t, "unnamed u64")),
        }
    }
    fn u16(&mut self) -> Result<u16, DecodeError> {
        let t = self.next("u16")?;
        match t.value {
            Value::U16(v) if t.name.is_none() => Ok(v),
            _ => Err(self.err(t, "unnamed u16")),
        }
    }
    fn string(&mut self) -> Result<String, DecodeError> {
        let t = self.next("string")?;
        match t.value {
            Value::String(s) if t.name.is_none() => Ok(String::from_utf8_lossy(s).into_owned()),
            _ => Err(self.err(t, "unnamed string")),
        }
    }
    fn expect(&mut self, want: Value<'static>, what: &str) -> Result<usize, DecodeError> {
        let t = self.next(what)?;
        let ok = match (want, t.value) {
            (Value::ArrayStart(_), Value::ArrayStart(_)) => true,
            (a, b) => a == b,
        };
        if ok && t.name.is_none() { Ok(t.offset) } else { Err(self.err(t, what)) }
    }
    fn array_start(&mut self) -> Result<u16, DecodeError> {
        let t = self.next("array")?;
        match t.value {
            Value::ArrayStart(n) if t.name.is_none() => Ok(n),
            _ => Err(self.err(t, "unnamed array start")),
        }
    }
    /// Skips one item, including everything inside it if it is a container.
    fn skip_item(&mut self) {
        let mut depth = 0i32;
        while let Some(t) = self.toks.get(self.pos) {
            self.pos += 1;
            match t.value {
                Value::StructStart | Value::ListStart | Value::ArrayStart(_) => depth += 1,
                Value::StructEnd | Value::ListEnd | Value::ArrayEnd => depth -= 1,
                _ => {}
            }
            if depth <= 0 {
                return;
            }
        }
    }
    /// Reads a container of strings: `{ array of strings }`, the shape of
    /// both `xtable` and `xattrs`.
    fn string_array_struct(&mut self) -> Result<Vec<String>, DecodeError> {
        let n = self.array_start()?;
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(self.string()?);
        }
        self.expect(Value::ArrayEnd, "array end")?;
        self.expect(Value::StructEnd, "struct end")?;
        Ok(out)
    }
    fn perms_table(&mut self) -> Result<PermsTable, DecodeError> {
        let version = self.u32(Some("version"))?;
        let n = self.array_start()?;
        let mut entries = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let _reserved = self.u32(None)?;
            let mut f = [0u32; 13];
            for slot in &mut f {
                *slot = self.u32(None)?;
            }
            entries.push(KernelPerms {
                allow: f[0],
                deny: f[1],
                subtree: f[2],
                cond: f[3],
                kill: f[4],
                complain: f[5],
                prompt: f[6],
                audit: f[7],
                quiet: f[8],
                hide: f[9],
                xindex: f[10],
                tag: f[11],
                label: f[12],
            });
        }
        self.expect(Value::ArrayEnd, "array end")?;
        self.expect(Value::StructEnd, "struct end")?;
        let permsv = match self.peek() {
            Some(t) if t.name == Some(b"permsv") => Some(self.u32(Some("permsv"))?),
            _ => None,
        };
        Ok(PermsTable { version, entries, permsv })
    }
}

fn decode_dfa(t: &Token<'_>, kind: DfaKind, perms: Option<PermsTable>) -> Result<DecodedDfa, DecodeError> {
    match t.value {
        Value::Blob(b) => Ok(DecodedDfa { kind, tables: TableSet::decode(b, t.data_offset)?, perms }),
        _ => Err(DecodeError::unexpected(t.offset, "\"aadfa\" blob", t.describe())),
    }
}

impl Policy {
    /// Decodes a whole binary policy stream (the stdout of
    /// `apparmor_parser -S`, or a cache file's contents).
    pub fn decode(buf: &[u8]) -> Result<Policy, DecodeError> {
        let toks = wire::tokenize(buf)?;
        let mut ts = Tokens { toks: &toks, pos: 0, end_offset: buf.len() };
        let mut profiles = Vec::new();
        while ts.peek().is_some() {
            profiles.push(decode_profile(&mut ts)?);
        }
        Ok(Policy { profiles })
    }

    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }
}

fn decode_profile(ts: &mut Tokens<'_, '_>) -> Result<Profile, DecodeError> {
    let offset = ts.peek().map_or(ts.end_offset, |t| t.offset);
    let version = Version { raw: ts.u32(Some("version"))? };
    let mut namespace = None;
    if let Some(t) = ts.peek()
        && t.name == Some(b"namespace")
    {
        ts.pos += 1;
        match t.value {
            Value::String(s) => namespace = Some(String::from_utf8_lossy(s).into_owned()),
            _ => return Err(ts.err(t, "\"namespace\" string")),
        }
    }
    let t = ts.next("\"profile\" struct")?;
    if !(t.name == Some(b"profile") && t.value == Value::StructStart) {
        return Err(ts.err(t, "\"profile\" struct"));
    }
    let name = ts.string()?;
    let mut p = Profile {
        offset,
        version,
        namespace,
        name,
        xmatch: None,
        xmatch_len: 0,
        hat_flags: 0,
        mode: Mode::Enforce,
        audit: false,
        path_flags: None,
        caps: Caps::default(),
        xattrs: Vec::new(),
        rlimits: None,
        net_allowed_af: Vec::new(),
        policydb: None,
        file: None,
        xtable: Vec::new(),
        disconnected: None,
        kill_signal: None,
        error_code: None,
        unknown: Vec::new(),
    };
    let mut seen_flags = false;
    let mut caps_words = Vec::new();
    let mut pending_perms: Option<PermsTable> = None;
    loop {
        let t = ts.next("profile item or struct end")?;
        let name = t.name.unwrap_or_default();
        match (name, t.value) {
            (b"", Value::StructEnd) => break,
            (b"aadfa", Value::Blob(_)) if !seen_flags => {
                p.xmatch = Some(decode_dfa(t, DfaKind::Xmatch, pending_perms.take())?);
                p.xmatch_len = ts.u32(None)?;
            }
            (b"aadfa", Value::Blob(_)) => {
                if p.file.is_some() {
                    return Err(ts.err(t, "at most one file DFA"));
                }
                p.file = Some(decode_dfa(t, DfaKind::File, pending_perms.take())?);
            }
            (b"perms", Value::StructStart) => pending_perms = Some(ts.perms_table()?),
            (b"flags", Value::StructStart) => {
                p.hat_flags = ts.u32(None)?;
                p.mode = Mode::from_u32(ts.u32(None)?);
                p.audit = ts.u32(None)? != 0;
                ts.expect(Value::StructEnd, "end of flags")?;
                seen_flags = true;
            }
            (b"path_flags", Value::U32(v)) => p.path_flags = Some(v),
            (b"", Value::U32(v)) if seen_flags && caps_words.len() < 4 => caps_words.push(v),
            (b"caps64", Value::StructStart) => {
                let mut hi = [0u32; 4];
                for w in &mut hi {
                    *w = ts.u32(None)?;
                }
                ts.expect(Value::StructEnd, "end of caps64")?;
                p.caps.allow |= u64::from(hi[0]) << 32;
                p.caps.audit |= u64::from(hi[1]) << 32;
                p.caps.quiet |= u64::from(hi[2]) << 32;
                p.caps.reserved |= u64::from(hi[3]) << 32;
            }
            (b"xattrs", Value::StructStart) => p.xattrs = ts.string_array_struct()?,
            (b"xtable", Value::StructStart) => p.xtable = ts.string_array_struct()?,
            (b"rlimits", Value::StructStart) => {
                let mask = ts.u32(None)?;
                let n = ts.array_start()?;
                let mut limits = Vec::new();
                for _ in 0..n {
                    limits.push(ts.u64()?);
                }
                ts.expect(Value::ArrayEnd, "end of rlimits array")?;
                ts.expect(Value::StructEnd, "end of rlimits")?;
                p.rlimits = Some(Rlimits { mask, limits });
            }
            (b"net_allowed_af", Value::ArrayStart(n)) => {
                for _ in 0..n {
                    p.net_allowed_af.push(NetAf { allow: ts.u16()?, audit: ts.u16()?, quiet: ts.u16()? });
                }
                ts.expect(Value::ArrayEnd, "end of net_allowed_af")?;
            }
            (b"policydb", Value::StructStart) => {
                let mut perms = None;
                loop {
                    let t = ts.next("policydb item")?;
                    match (t.name.unwrap_or_default(), t.value) {
                        (b"", Value::StructEnd) => break,
                        (b"perms", Value::StructStart) => perms = Some(ts.perms_table()?),
                        (b"aadfa", Value::Blob(_)) => p.policydb = Some(decode_dfa(t, DfaKind::Policy, perms.take())?),
                        // A 4.x policydb repeats the profile's xtable.
                        (b"xtable", Value::StructStart) => p.xtable = ts.string_array_struct()?,
                        _ => return Err(ts.err(t, "policydb perms, aadfa or xtable")),
                    }
                }
            }
            (b"disconnected", Value::String(s)) => p.disconnected = Some(String::from_utf8_lossy(s).into_owned()),
            (b"kill", Value::U32(v)) => p.kill_signal = Some(v),
            (b"error", Value::U32(v)) => p.error_code = Some(v),
            (n, _) if !n.is_empty() => {
                ts.pos -= 1;
                let summary = t.value.describe();
                ts.skip_item();
                p.unknown.push(UnknownItem { offset: t.offset, name: t.name_str(), summary });
            }
            _ => return Err(ts.err(t, "a profile item")),
        }
    }
    match caps_words.as_slice() {
        [allow, audit, quiet, reserved] => {
            p.caps.allow |= u64::from(*allow);
            p.caps.audit |= u64::from(*audit);
            p.caps.quiet |= u64::from(*quiet);
            p.caps.reserved |= u64::from(*reserved);
        }
        _ => {
            return Err(DecodeError::value(
                offset,
                format!("profile {:?}: {} capability words, 4 expected", p.name, caps_words.len()),
            ));
        }
    }
    if pending_perms.is_some() {
        return Err(DecodeError::value(offset, format!("profile {:?}: perms table without a DFA", p.name)));
    }
    Ok(p)
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.profiles {
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

fn fmt_dfa(f: &mut fmt::Formatter<'_>, label: &str, d: &DecodedDfa) -> fmt::Result {
    writeln!(f, "  {label}: {}", d.tables.to_string().trim_end().replace('\n', "\n  "))?;
    if let Some(pt) = &d.perms {
        writeln!(f, "  {label} perms table v{} ({} entries, permsv {:?}):", pt.version, pt.entries.len(), pt.permsv)?;
        for (i, e) in pt.entries.iter().enumerate() {
            writeln!(f, "    {i:>5}: {e}")?;
        }
    } else if d.kind == DfaKind::File {
        writeln!(f, "  {label} accepting states (owner | other):")?;
        for (s, &a) in d.tables.accept.data.iter().enumerate() {
            let a2 = d.tables.accept2.as_ref().map_or(0, |t| t.data[s]);
            if a == 0 && a2 == 0 {
                continue;
            }
            let o = OldFileHalf(a & 0x3fff);
            let x = OldFileHalf((a >> 14) & 0x3fff);
            let extra = match (a & perms::old::CHANGE_PROFILE != 0, a & perms::old::ONEXEC != 0) {
                (true, true) => " change_profile onexec",
                (true, false) => " change_profile",
                (false, true) => " onexec",
                _ => "",
            };
            writeln!(f, "    {s:>5}: {o} | {x}{extra}  audit/quiet {a2:#x}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "profile {:?} (chunk at {:#x})", self.name, self.offset)?;
        writeln!(
            f,
            "  version {:#x}: kernel abi {}, policy abi {}, policy version {}{}",
            self.version.raw,
            self.version.kernel_abi(),
            self.version.policy_abi(),
            self.version.policy_version(),
            if self.version.force_complain() { ", force complain" } else { "" }
        )?;
        if let Some(ns) = &self.namespace {
            writeln!(f, "  namespace {ns:?}")?;
        }
        writeln!(f, "  mode {:?}, hat {}, audit {}", self.mode, self.is_hat(), self.audit)?;
        if let Some(pf) = self.path_flags {
            writeln!(f, "  path_flags {pf:#x}")?;
        }
        writeln!(f, "  caps allow {:#x} audit {:#x} quiet {:#x}", self.caps.allow, self.caps.audit, self.caps.quiet)?;
        if !self.xattrs.is_empty() {
            writeln!(f, "  xattrs {:?}", self.xattrs)?;
        }
        if let Some(r) = &self.rlimits {
            write!(f, "  rlimits mask {:#x}:", r.mask)?;
            for (i, v) in r.limits.iter().enumerate() {
                if r.mask & (1 << i) != 0 {
                    write!(f, " [{i}]={v}")?;
                }
            }
            writeln!(f)?;
        }
        if !self.net_allowed_af.is_empty() {
            writeln!(f, "  net_allowed_af: {} families", self.net_allowed_af.len())?;
        }
        for (i, x) in self.xtable.iter().enumerate() {
            writeln!(f, "  xtable[{}] (exec index {}) {:?}", i, i + 4, x)?;
        }
        if let Some(d) = &self.disconnected {
            writeln!(f, "  disconnected {d:?}")?;
        }
        if let Some(k) = self.kill_signal {
            writeln!(f, "  kill signal {k}")?;
        }
        if let Some(e) = self.error_code {
            writeln!(f, "  error {e}")?;
        }
        for u in &self.unknown {
            writeln!(f, "  unknown item {:?} at {:#x}: {}", u.name, u.offset, u.summary)?;
        }
        if let Some(x) = &self.xmatch {
            writeln!(f, "  xmatch_len {}", self.xmatch_len)?;
            fmt_dfa(f, "xmatch", x)?;
        }
        if let Some(d) = &self.policydb {
            fmt_dfa(f, "policydb", d)?;
        }
        if let Some(d) = &self.file {
            fmt_dfa(f, "file", d)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny stream writer, for shapes the installed parser never emits.
    #[derive(Default)]
    struct W(Vec<u8>);
    impl W {
        fn name(&mut self, n: &str) -> &mut Self {
            self.0.push(4);
            self.0.extend((n.len() as u16 + 1).to_le_bytes());
            self.0.extend(n.as_bytes());
            self.0.push(0);
            self
        }
        fn u32(&mut self, v: u32) -> &mut Self {
            self.0.push(2);
            self.0.extend(v.to_le_bytes());
            self
        }
        fn string(&mut self, s: &str) -> &mut Self {
            self.0.push(5);
            self.0.extend((s.len() as u16 + 1).to_le_bytes());
            self.0.extend(s.as_bytes());
            self.0.push(0);
            self
        }
        fn code(&mut self, c: u8) -> &mut Self {
            self.0.push(c);
            self
        }
        fn array(&mut self, n: u16) -> &mut Self {
            self.0.push(11);
            self.0.extend(n.to_le_bytes());
            self
        }
        fn blob(&mut self, b: &[u8]) -> &mut Self {
            self.0.push(6);
            self.0.extend((b.len() as u32).to_le_bytes());
            self.0.extend(b);
            self
        }
    }

    /// Two states (dead, start) where start loops to itself on every byte.
    fn tables(accept_start: u32) -> Vec<u8> {
        let mut t = Vec::new();
        let table = |t: &mut Vec<u8>, id: u16, width: u16, vals: &[u32]| {
            let start = t.len();
            t.extend(id.to_be_bytes());
            t.extend(width.to_be_bytes());
            t.extend(0u32.to_be_bytes());
            t.extend((vals.len() as u32).to_be_bytes());
            for v in vals {
                t.extend(&v.to_be_bytes()[4 - width as usize..]);
            }
            while !(t.len() - start).is_multiple_of(8) {
                t.push(0);
            }
        };
        let mut body = Vec::new();
        table(&mut body, crate::tables::id::ACCEPT, 4, &[0, accept_start]);
        table(&mut body, crate::tables::id::BASE, 4, &[0, 0]);
        table(&mut body, crate::tables::id::DEFAULT, 2, &[0, 0]);
        table(&mut body, crate::tables::id::NEXT, 2, &[1; 256]);
        table(&mut body, crate::tables::id::CHECK, 2, &[1; 256]);
        let hsize = 24u32;
        t.extend(crate::tables::TABLE_SET_MAGIC.to_be_bytes());
        t.extend(hsize.to_be_bytes());
        t.extend((hsize + body.len() as u32).to_be_bytes());
        t.extend(0u16.to_be_bytes());
        t.extend(b"notflex\0");
        t.resize(hsize as usize, 0);
        t.extend(body);
        t
    }

    fn profile_with_perms_table(permsv: Option<u32>) -> Vec<u8> {
        let mut w = W::default();
        w.name("version").u32(0x7).name("profile").code(7).string("p");
        w.name("flags").code(7).u32(0).u32(0).u32(0).code(8);
        w.u32(1).u32(0).u32(0).u32(0);
        w.name("caps64").code(7).u32(0).u32(0).u32(0).u32(0).code(8);
        w.name("perms").code(7).name("version").u32(1).array(2);
        for allow in [0x4, 0x2] {
            w.u32(0).u32(allow);
            for _ in 0..12 {
                w.u32(0);
            }
        }
        w.code(12).code(8);
        if let Some(v) = permsv {
            w.name("permsv").u32(v);
        }
        w.name("aadfa").blob(&tables(0));
        w.code(8);
        w.0
    }

    #[test]
    fn permission_table_format() {
        let policy = Policy::decode(&profile_with_perms_table(Some(3))).unwrap();
        let p = &policy.profiles[0];
        assert!(p.has_cap(0));
        let file = p.file.as_ref().unwrap();
        let pt = file.perms.as_ref().unwrap();
        assert_eq!((pt.version, pt.entries.len(), pt.permsv), (1, 2, Some(3)));
        // Accept entry 0 indexes the table; "other" takes the next entry.
        assert_eq!(file.perms_of(b"anything", Owner::Owner).unwrap().allow, 0x4);
        assert_eq!(file.perms_of(b"anything", Owner::Other).unwrap().allow, 0x2);
        let policy = Policy::decode(&profile_with_perms_table(None)).unwrap();
        let file = policy.profiles[0].file.as_ref().unwrap();
        assert_eq!(file.perms_of(b"x", Owner::Other).unwrap().allow, 0x4);
    }

    #[test]
    fn every_prefix_and_byte_flip_is_handled() {
        let bytes = profile_with_perms_table(Some(3));
        for end in 0..bytes.len() {
            let _ = Policy::decode(&bytes[..end]);
        }
        let mut b = bytes.clone();
        for i in 0..b.len() {
            for x in [1u8, 0x80] {
                b[i] ^= x;
                if let Ok(p) = Policy::decode(&b) {
                    let _ = p.to_string();
                }
                b[i] ^= x;
            }
        }
    }
}
