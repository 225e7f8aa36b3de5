//! The network names every target shares: address families with the
//! kernel's numbers, and socket types. `apparmor_parser` 3.0.8, 4.1.0 and
//! 5.0.2 build the same table (from the kernel's `AF_*` list up to
//! `AF_MCTP`), so it is one table here; the checks take their name lists
//! from it and the encoders their numbers.

/// An address family: the name a `network` rule uses and the kernel's
/// `AF_*` number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressFamily {
    pub name: &'static str,
    pub number: u16,
}

const fn af(name: &'static str, number: u16) -> AddressFamily {
    AddressFamily { name, number }
}

/// Every address family the parser knows, by number. 12 (`AF_DECnet`)
/// has no name in its table.
pub const ADDRESS_FAMILIES: [AddressFamily; 45] = [
    af("unspec", 0),
    af("unix", 1),
    af("inet", 2),
    af("ax25", 3),
    af("ipx", 4),
    af("appletalk", 5),
    af("netrom", 6),
    af("bridge", 7),
    af("atmpvc", 8),
    af("x25", 9),
    af("inet6", 10),
    af("rose", 11),
    af("netbeui", 13),
    af("security", 14),
    af("key", 15),
    af("netlink", 16),
    af("packet", 17),
    af("ash", 18),
    af("econet", 19),
    af("atmsvc", 20),
    af("rds", 21),
    af("sna", 22),
    af("irda", 23),
    af("pppox", 24),
    af("wanpipe", 25),
    af("llc", 26),
    af("ib", 27),
    af("mpls", 28),
    af("can", 29),
    af("tipc", 30),
    af("bluetooth", 31),
    af("iucv", 32),
    af("rxrpc", 33),
    af("isdn", 34),
    af("phonet", 35),
    af("ieee802154", 36),
    af("caif", 37),
    af("alg", 38),
    af("nfc", 39),
    af("vsock", 40),
    af("kcm", 41),
    af("qipcrtr", 42),
    af("smc", 43),
    af("xdp", 44),
    af("mctp", 45),
];

/// One past the highest family number: the length of the per-family
/// network table (`net_allowed_af`).
pub const AF_MAX: usize = 46;

/// `AF_UNIX`.
pub const AF_UNIX: u16 = 1;
/// `AF_INET`.
pub const AF_INET: u16 = 2;
/// `AF_INET6`.
pub const AF_INET6: u16 = 10;

/// The family names, in number order (derived from [`ADDRESS_FAMILIES`]).
pub const FAMILY_NAMES: [&str; ADDRESS_FAMILIES.len()] = {
    let mut names = [""; ADDRESS_FAMILIES.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = ADDRESS_FAMILIES[i].name;
        i += 1;
    }
    names
};

/// The family number of a name (`inet` → 2).
pub fn family_number(name: &str) -> Option<u16> {
    ADDRESS_FAMILIES.iter().find(|f| f.name == name).map(|f| f.number)
}

/// The name of a family number (`2` → `inet`).
pub fn family_name(number: u16) -> Option<&'static str> {
    ADDRESS_FAMILIES.iter().find(|f| f.number == number).map(|f| f.name)
}

/// Socket types a rule can name, with the kernel's `SOCK_*` numbers.
/// `dccp` (6) is a type of `unix` rules' `type=` but not of `network`
/// rules, which name only [`NETWORK_TYPE_NAMES`].
pub const SOCKET_TYPES: [(&str, u16); 7] =
    [("stream", 1), ("dgram", 2), ("raw", 3), ("rdm", 4), ("seqpacket", 5), ("dccp", 6), ("packet", 10)];

/// The types every family has in a `network` rule (`network inet stream`).
pub const NETWORK_TYPE_NAMES: [&str; 6] = ["stream", "dgram", "seqpacket", "rdm", "raw", "packet"];

/// The socket type number of a name (`stream` → 1).
pub fn sock_type_number(name: &str) -> Option<u16> {
    SOCKET_TYPES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// The type bits a family alone stands for (`network inet,`): its named
/// types, stream, dgram, raw, rdm, seqpacket and packet.
pub const NAMED_TYPES_MASK: u32 = 0x043e;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_numbered_in_order() {
        assert!(ADDRESS_FAMILIES.windows(2).all(|w| w[0].number < w[1].number));
        assert!(ADDRESS_FAMILIES.iter().all(|f| usize::from(f.number) < AF_MAX));
        assert_eq!(family_number("inet6"), Some(AF_INET6));
        assert_eq!(family_number("unix"), Some(AF_UNIX));
        assert_eq!(family_name(45), Some("mctp"));
        assert_eq!(family_name(12), None);
        assert_eq!(FAMILY_NAMES[2], "inet");
        let mask = NETWORK_TYPE_NAMES.iter().fold(0, |m, t| m | 1 << sock_type_number(t).unwrap());
        assert_eq!(mask, NAMED_TYPES_MASK);
    }
}
