//! The serialization stream (the inverse of [`crate::wire`]) and one
//! profile chunk in 3.0.8's item order (the inverse of
//! [`crate::policy`]).
//!
//! A chunk, in order: `"version"` u32; `"namespace"` string if any;
//! `"profile"` struct holding the name, the attachment DFA and its match
//! length, `"flags"` {hat, mode, audit}, `"path_flags"` if any flag is
//! set, the four low capability words, `"caps64"` {the four high words},
//! `"xattrs"`, `"rlimits"` (a mask and all 16 limits), `"net_allowed_af"`
//! (the pre-v8 network table), `"policydb"` {DFA}, the file DFA and
//! `"xtable"`. DFA blobs are padded in front so that the table set starts
//! 8-aligned relative to the start of the chunk.

use super::{EncodeOptions, encode_dfa};
use crate::profile::{CompiledProfile, ProfileFlags, ProfileMode};
use crate::wire::Code;

/// Number of resource limits the kernel takes (Linux's `RLIM_NLIMITS`).
pub const RLIM_NLIMITS: usize = 16;

/// A stream writer for one chunk; positions are relative to its start.
#[derive(Debug, Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    fn code(&mut self, c: Code) {
        self.buf.push(c as u8);
    }
    pub fn name(&mut self, name: Option<&str>) {
        if let Some(n) = name {
            self.code(Code::Name);
            self.buf.extend((n.len() as u16 + 1).to_le_bytes());
            self.buf.extend(n.as_bytes());
            self.buf.push(0);
        }
    }
    pub fn u16(&mut self, name: Option<&str>, v: u16) {
        self.name(name);
        self.code(Code::U16);
        self.buf.extend(v.to_le_bytes());
    }
    pub fn u32(&mut self, name: Option<&str>, v: u32) {
        self.name(name);
        self.code(Code::U32);
        self.buf.extend(v.to_le_bytes());
    }
    pub fn u64(&mut self, name: Option<&str>, v: u64) {
        self.name(name);
        self.code(Code::U64);
        self.buf.extend(v.to_le_bytes());
    }
    /// A string item: length with the NUL, bytes, NUL.
    pub fn string(&mut self, name: Option<&str>, s: &[u8]) {
        self.name(name);
        self.code(Code::String);
        self.buf.extend((s.len() as u16 + 1).to_le_bytes());
        self.buf.extend(s);
        self.buf.push(0);
    }
    pub fn struct_start(&mut self, name: Option<&str>) {
        self.name(name);
        self.code(Code::Struct);
    }
    pub fn struct_end(&mut self) {
        self.code(Code::StructEnd);
    }
    pub fn array_start(&mut self, name: Option<&str>, n: u16) {
        self.name(name);
        self.code(Code::Array);
        self.buf.extend(n.to_le_bytes());
    }
    pub fn array_end(&mut self) {
        self.code(Code::ArrayEnd);
    }
    /// A named blob whose content starts 8-aligned (relative to the
    /// chunk): zero padding goes inside the blob, in front.
    pub fn aligned_blob(&mut self, name: &str, data: &[u8]) {
        self.name(Some(name));
        let after_header = self.buf.len() + 5;
        let pad = after_header.next_multiple_of(8) - after_header;
        self.code(Code::Blob);
        self.buf.extend(((data.len() + pad) as u32).to_le_bytes());
        self.buf.resize(self.buf.len() + pad, 0);
        self.buf.extend(data);
    }
}

/// The chunk's version word: kernel ABI, and for ABI 6 and later the
/// parser's policy ABI (2) and policy version (2).
pub fn version_word(kernel_abi: u32) -> u32 {
    let mut v = kernel_abi & 0x3ff;
    if kernel_abi > 5 {
        v |= 2 << 12;
        v |= 2 << 20;
    }
    v
}

/// The `path_flags` word (`None`: not written).
pub fn path_flags(f: &ProfileFlags) -> Option<u32> {
    let mut w = 0;
    if f.attach_disconnected {
        w |= 0x4;
    }
    if f.chroot_relative {
        w |= 0x8;
    }
    if f.chroot_attach {
        w |= 0x10;
    }
    if f.mediate_deleted {
        w |= 0x10000;
    }
    (w != 0 || f.path_given).then_some(w)
}

fn mode_word(m: ProfileMode) -> u32 {
    match m {
        ProfileMode::Enforce => 0,
        ProfileMode::Complain => 1,
        ProfileMode::Kill => 2,
        ProfileMode::Unconfined | ProfileMode::DefaultAllow => 3,
        ProfileMode::Prompt => 4,
    }
}

/// One profile's chunk.
pub fn encode_profile(p: &CompiledProfile, opts: &EncodeOptions) -> Vec<u8> {
    let mut w = Writer::default();
    w.u32(Some("version"), version_word(opts.features.kernel_abi));
    if let Some(ns) = &p.namespace {
        w.string(Some("namespace"), ns.as_bytes());
    }
    w.struct_start(Some("profile"));
    w.string(None, p.name.as_bytes());
    if let Some(x) = &p.xmatch {
        w.aligned_blob("aadfa", &encode_dfa(x, opts));
        w.u32(None, p.xmatch_len);
    }
    w.struct_start(Some("flags"));
    w.u32(None, crate::profile::flags_word(&p.flags));
    w.u32(None, mode_word(p.flags.mode));
    w.u32(None, u32::from(p.flags.audit));
    w.struct_end();
    if let Some(f) = path_flags(&p.flags) {
        w.u32(Some("path_flags"), f);
    }
    let words = [p.caps_allow, p.caps_audit, p.caps_quiet, 0];
    for c in words {
        w.u32(None, c as u32);
    }
    w.struct_start(Some("caps64"));
    for c in words {
        w.u32(None, (c >> 32) as u32);
    }
    w.struct_end();
    if !p.xattr_names.is_empty() {
        w.struct_start(Some("xattrs"));
        w.array_start(None, p.xattr_names.len() as u16);
        for x in &p.xattr_names {
            w.string(None, x.as_bytes());
        }
        w.array_end();
        w.struct_end();
    }
    if !p.rlimits.is_empty() {
        let mut mask = 0u32;
        let mut limits = [0u64; RLIM_NLIMITS];
        for r in &p.rlimits {
            if let Some(slot) = limits.get_mut(r.resource as usize) {
                mask |= 1 << r.resource;
                *slot = r.value;
            }
        }
        w.struct_start(Some("rlimits"));
        w.u32(None, mask);
        w.array_start(None, RLIM_NLIMITS as u16);
        for v in limits {
            w.u64(None, v);
        }
        w.array_end();
        w.struct_end();
    }
    if p.emit_net_table {
        w.array_start(Some("net_allowed_af"), p.net.len() as u16);
        for m in &p.net {
            let allowed = m.allow & !m.deny;
            w.u16(None, allowed as u16);
            w.u16(None, (allowed & m.audit) as u16);
            w.u16(None, (m.deny & m.quiet) as u16);
        }
        w.array_end();
    }
    if let Some(d) = &p.policydb {
        w.struct_start(Some("policydb"));
        w.aligned_blob("aadfa", &encode_dfa(d, opts));
        w.struct_end();
    }
    if let Some(d) = &p.file {
        w.aligned_blob("aadfa", &encode_dfa(d, opts));
    }
    if !p.xtable.is_empty() {
        w.struct_start(Some("xtable"));
        w.array_start(None, p.xtable.len() as u16);
        for x in &p.xtable {
            // A namespaced target `:ns:name` is written `:ns\0name`.
            let mut bytes = x.as_bytes().to_vec();
            if bytes.first() == Some(&b':')
                && let Some(i) = bytes[1..].iter().position(|&b| b == b':')
            {
                bytes[i + 1] = 0;
            }
            w.string(None, &bytes);
        }
        w.array_end();
        w.struct_end();
    }
    w.struct_end();
    w.buf
}
