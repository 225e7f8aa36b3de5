//! Permissions: the packed "old" accept-table encoding written by
//! `apparmor_parser` before 4.1, and the kernel's view of it.
//!
//! A file DFA's accept entry packs two 14-bit halves: bits 0..14 apply when
//! the task's fsuid owns the file ("owner"/user half), bits 14..28 when it
//! does not ("other" half). Within a half:
//! `x w r a l k m` are bits 0..7 (exec, write, read, append, link,
//! lock/link-subset, mmap-exec) and bits 7..14 are the exec transition type
//! (`7` fall back to unconfined (`pux`), `8` unsafe, i.e. do not scrub the
//! environment (the lower-case modes `px`, `ix`, `ux`), `9` inherit
//! (`ix`, or the fallback of `pix`), `10..14` a 4-bit exec index:
//! 1 unconfined, 2 profile-by-name, 3 local child, 4.. an entry of the
//! named-transition table plus 4). Bit 30 is onexec, bit 31 change_profile,
//! shared by both halves. accept2 packs audit (low 7 bits of each half) and
//! quiet (shifted by 7) as `oq:oa:uq:ua`.
//!
//! The kernel never uses the packed form directly: it maps it into its
//! [`KernelPerms`] layout, which this module reproduces
//! ([`file_perms`], [`policy_perms`]).

use std::fmt;

/// Bits of the kernel's permission layout (`struct aa_perms` masks).
pub mod bits {
    pub const EXEC: u32 = 0x1;
    pub const WRITE: u32 = 0x2;
    pub const READ: u32 = 0x4;
    pub const APPEND: u32 = 0x8;
    pub const CREATE: u32 = 0x10;
    pub const DELETE: u32 = 0x20;
    pub const OPEN: u32 = 0x40;
    pub const RENAME: u32 = 0x80;
    pub const SETATTR: u32 = 0x100;
    pub const GETATTR: u32 = 0x200;
    pub const SETCRED: u32 = 0x400;
    pub const GETCRED: u32 = 0x800;
    pub const CHMOD: u32 = 0x1000;
    pub const CHOWN: u32 = 0x2000;
    pub const CHGRP: u32 = 0x4000;
    /// Also "link subset" when it comes from a link pair entry.
    pub const LOCK: u32 = 0x8000;
    pub const EXEC_MMAP: u32 = 0x1_0000;
    pub const MPROT: u32 = 0x2_0000;
    pub const LINK: u32 = 0x4_0000;
    pub const SNAPSHOT: u32 = 0x8_0000;
    pub const CONT_MATCH: u32 = 0x0800_0000;
    pub const STACK: u32 = 0x1000_0000;
    pub const ONEXEC: u32 = 0x2000_0000;
    pub const CHANGE_PROFILE: u32 = 0x4000_0000;
    pub const CHANGEHAT: u32 = 0x8000_0000;
}

/// Bits of an exec index in the kernel layout (`xindex`).
pub mod xbits {
    pub const INDEX_MASK: u32 = 0x00ff_ffff;
    /// Transition to the profile named like the executable (px/cx).
    pub const NAME: u32 = 0x0400_0000;
    /// Transition to an entry of the named-transition table (`-> name`).
    pub const TABLE: u32 = 0x0800_0000;
    pub const UNSAFE: u32 = 0x1000_0000;
    pub const CHILD: u32 = 0x2000_0000;
    pub const INHERIT: u32 = 0x4000_0000;
    pub const UNCONFINED: u32 = 0x8000_0000;
}

/// Bits of the packed (old) file encoding, within one half.
pub mod old {
    pub const EXEC: u32 = 1 << 0;
    pub const WRITE: u32 = 1 << 1;
    pub const READ: u32 = 1 << 2;
    pub const APPEND: u32 = 1 << 3;
    pub const LINK: u32 = 1 << 4;
    pub const LOCK: u32 = 1 << 5;
    pub const EXEC_MMAP: u32 = 1 << 6;
    pub const EXEC_PUX: u32 = 1 << 7;
    pub const EXEC_UNSAFE: u32 = 1 << 8;
    pub const EXEC_INHERIT: u32 = 1 << 9;
    pub const EXEC_MOD_SHIFT: u32 = 10;
    pub const EXEC_MOD_MASK: u32 = 0xf << EXEC_MOD_SHIFT;
    /// Shift of the "other" half.
    pub const OTHER_SHIFT: u32 = 14;
    pub const HALF_MASK: u32 = 0x3fff;
    pub const ONEXEC: u32 = 1 << 30;
    pub const CHANGE_PROFILE: u32 = 1 << 31;
}

/// The kernel's permission set for one state (subset of `struct aa_perms`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct KernelPerms {
    pub allow: u32,
    pub deny: u32,
    pub audit: u32,
    pub quiet: u32,
    pub kill: u32,
    pub complain: u32,
    pub prompt: u32,
    pub hide: u32,
    pub cond: u32,
    pub subtree: u32,
    pub xindex: u32,
    pub tag: u32,
    pub label: u32,
}

/// Which half of a file accept entry applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The task's fsuid owns the object (`owner` rules).
    Owner,
    /// It does not.
    Other,
}

/// The kernel's mapping of an old exec-type field (14 bits: the half's
/// bits 0..14, of which 7..14 matter) to an `xindex`.
pub fn map_xindex(half: u32) -> u32 {
    let mut x = 0;
    if half & old::EXEC_UNSAFE != 0 {
        x |= xbits::UNSAFE;
    }
    if half & old::EXEC_INHERIT != 0 {
        x |= xbits::INHERIT;
    }
    if half & old::EXEC_PUX != 0 {
        x |= xbits::UNCONFINED;
    }
    match (half & old::EXEC_MOD_MASK) >> old::EXEC_MOD_SHIFT {
        0 => {}
        1 => x |= xbits::UNCONFINED,
        2 => x |= xbits::NAME,
        3 => x |= xbits::NAME | xbits::CHILD,
        n => x |= xbits::TABLE | (n - 4),
    }
    x
}

/// The kernel's widening of the 7 basic old bits.
pub fn map_old_basic(b: u32) -> u32 {
    let mut p = b & 0xf;
    if b & old::READ != 0 {
        p |= bits::GETATTR | bits::OPEN;
    }
    if b & old::WRITE != 0 {
        p |= bits::SETATTR | bits::CREATE | bits::DELETE | bits::CHMOD | bits::CHOWN | bits::OPEN;
    }
    if b & old::LINK != 0 {
        p |= bits::LINK;
    }
    if b & old::LOCK != 0 {
        p |= bits::LOCK;
    }
    if b & old::EXEC_MMAP != 0 {
        p |= bits::EXEC_MMAP;
    }
    p
}

fn half(v: u32, who: Owner) -> u32 {
    match who {
        Owner::Owner => v & old::HALF_MASK,
        Owner::Other => (v >> old::OTHER_SHIFT) & old::HALF_MASK,
    }
}

/// Kernel permissions of a file-DFA state from its packed accept entries.
pub fn file_perms(accept: u32, accept2: u32, who: Owner) -> KernelPerms {
    let h = half(accept, who);
    let a2 = half(accept2, who);
    let mut p = KernelPerms {
        allow: map_old_basic(h & 0x7f) | bits::GETATTR,
        audit: map_old_basic(a2 & 0x7f),
        quiet: map_old_basic((a2 >> 7) & 0x7f),
        xindex: map_xindex(h),
        ..KernelPerms::default()
    };
    // change_profile and onexec are not split by ownership.
    if accept & old::CHANGE_PROFILE != 0 {
        p.allow |= bits::CHANGE_PROFILE;
    }
    if accept & old::ONEXEC != 0 {
        p.allow |= bits::ONEXEC;
    }
    p
}

/// The kernel's spreading of the policydb "other" half into extra bits.
fn map_policy_other(x: u32) -> u32 {
    ((x & 0x3) << 8) | ((x & 0x1c) << 18) | ((x & 0x60) << 19)
}

/// Kernel permissions of a policydb state (non-file mediation classes):
/// the user half holds the low bits, the other half extends them, and the
/// exec-type bits are ignored.
pub fn policy_perms(accept: u32, accept2: u32) -> KernelPerms {
    let user_allow = (accept & 0x7f) | (accept & old::CHANGE_PROFILE);
    let other_allow = ((accept >> old::OTHER_SHIFT) & 0x7f) | (accept & old::CHANGE_PROFILE);
    KernelPerms {
        // Kernels that take this format grant lock implicitly here.
        allow: user_allow | map_policy_other(other_allow) | bits::LOCK,
        audit: (accept2 & 0x7f) | map_policy_other((accept2 >> old::OTHER_SHIFT) & 0x7f),
        quiet: ((accept2 >> 7) & 0x7f) | map_policy_other((accept2 >> (7 + old::OTHER_SHIFT)) & 0x7f),
        ..KernelPerms::default()
    }
}

/// A readable view of one half of a packed file accept entry, in the
/// profile-language letters (`r w a l k m x` and exec type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OldFileHalf(pub u32);

impl fmt::Display for OldFileHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = self.0;
        for (bit, c) in [
            (old::READ, 'r'),
            (old::WRITE, 'w'),
            (old::APPEND, 'a'),
            (old::LINK, 'l'),
            (old::LOCK, 'k'),
            (old::EXEC_MMAP, 'm'),
        ] {
            if h & bit != 0 {
                write!(f, "{c}")?;
            }
        }
        if h & old::EXEC != 0 {
            // Profile-language spelling: the letter names the transition,
            // `i`/`u` after it the fallback; upper case means the
            // environment is scrubbed, i.e. the unsafe bit is clear.
            let scrub = h & old::EXEC_UNSAFE == 0;
            let inherit = h & old::EXEC_INHERIT != 0;
            let pux = h & old::EXEC_PUX != 0;
            let m = (h & old::EXEC_MOD_MASK) >> old::EXEC_MOD_SHIFT;
            let mut t = match m {
                0 if inherit => "i".to_owned(),
                0 => String::new(),
                1 => "u".to_owned(),
                2 => "p".to_owned(),
                3 => "c".to_owned(),
                n => format!("t{}", n - 4),
            };
            if m != 0 && inherit {
                t.push('i');
            }
            if pux {
                t.push('u');
            }
            if scrub && m != 0 {
                t = t[..1].to_uppercase() + &t[1..];
            }
            write!(f, "{t}x")?;
        }
        Ok(())
    }
}

impl fmt::Display for KernelPerms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "allow={:#x}", self.allow)?;
        for (name, v) in [
            ("deny", self.deny),
            ("audit", self.audit),
            ("quiet", self.quiet),
            ("kill", self.kill),
            ("complain", self.complain),
            ("prompt", self.prompt),
            ("xindex", self.xindex),
        ] {
            if v != 0 {
                write!(f, " {name}={v:#x}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_maps_to_read_open_getattr() {
        let p = file_perms(old::READ | (old::READ << old::OTHER_SHIFT), 0, Owner::Other);
        assert_eq!(p.allow, bits::READ | bits::OPEN | bits::GETATTR);
        assert_eq!(p.xindex, 0);
    }

    #[test]
    fn owner_half_is_separate() {
        let p = file_perms(old::WRITE, 0, Owner::Other);
        assert_eq!(p.allow, bits::GETATTR);
        let p = file_perms(old::WRITE, 0, Owner::Owner);
        assert!(p.allow & bits::CREATE != 0);
    }

    #[test]
    fn xindex_mapping() {
        assert_eq!(map_xindex(2 << old::EXEC_MOD_SHIFT), xbits::NAME);
        assert_eq!(
            map_xindex((3 << old::EXEC_MOD_SHIFT) | old::EXEC_PUX),
            xbits::NAME | xbits::CHILD | xbits::UNCONFINED
        );
        assert_eq!(map_xindex(5 << old::EXEC_MOD_SHIFT), xbits::TABLE | 1);
        assert_eq!(map_xindex(old::EXEC_INHERIT | old::EXEC_UNSAFE), xbits::INHERIT | xbits::UNSAFE);
    }

    #[test]
    fn letters() {
        let h = old::READ | old::EXEC | old::EXEC_MMAP | old::EXEC_INHERIT;
        assert_eq!(OldFileHalf(h).to_string(), "rmix");
        assert_eq!(OldFileHalf(old::EXEC | (2 << old::EXEC_MOD_SHIFT)).to_string(), "Px");
        assert_eq!(OldFileHalf(old::EXEC | (2 << old::EXEC_MOD_SHIFT) | old::EXEC_UNSAFE).to_string(), "px");
        assert_eq!(OldFileHalf(old::EXEC | (5 << old::EXEC_MOD_SHIFT) | old::EXEC_PUX).to_string(), "T1ux");
    }
}
