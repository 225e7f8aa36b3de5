//! The grammar: which token sequences make a record, and which field each
//! `key=value` sets. It follows libapparmor 4.1's bison grammar in what it
//! accepts and in what it keeps when it fails: a field is set as soon as
//! its `key=value` is complete, so a record that fails part-way keeps the
//! fields read before the failure (and is marked invalid), as libapparmor's
//! record does. Written from that behaviour, not from its code.

use crate::lexer::{Key, Kind, Tok, tokenize};
use crate::record::{EventType, Record};

/// Why a message could not be read, and where (a byte offset into it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads one audit message (one line, or a multi-line user message) into
/// the record libapparmor reads from it. A message libapparmor cannot read
/// gives a record whose event is [`EventType::Invalid`] (with the fields
/// read before the failure) and the reason; a message that is read but is
/// not an AppArmor event (an auditd `SYSCALL` record, say) is an invalid
/// record without an error.
pub fn read_record(text: &str) -> (Record, Option<ReadError>) {
    let mut parser = Parser { tokens: tokenize(text), pos: 0, record: Record::default() };
    let result = parser.log_message();
    let mut record = parser.record;
    match result {
        Ok(()) if record.event != EventType::Invalid => (record, None),
        Ok(()) => {
            // Read, but not as an AppArmor event: say why.
            let error = if let Some((Tok::MsgRest(rest), offset)) =
                parser.tokens.iter().find(|(t, _)| matches!(t, Tok::MsgRest(_)))
            {
                match &record.operation {
                    Some(kind) if !record.v2_syntax => ReadError {
                        offset: *offset,
                        message: format!("an audit record of type {kind}, not an AppArmor event"),
                    },
                    _ => ReadError {
                        offset: *offset,
                        message: format!(
                            "expected a `key=value` field, found {}",
                            describe(&Tok::MsgRest(rest.clone()))
                        ),
                    },
                }
            } else {
                ReadError {
                    offset: 0,
                    message: "no `apparmor=` field or AppArmor audit type says what event this is".into(),
                }
            };
            (record, Some(error))
        }
        Err(error) => {
            record.event = EventType::Invalid;
            (record, Some(error))
        }
    }
}

type Result<T = ()> = std::result::Result<T, ReadError>;

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    record: Record,
}

fn event_of(kind: Kind) -> EventType {
    match kind {
        Kind::Denied => EventType::Denied,
        Kind::Audit => EventType::Audit,
        Kind::Allowed => EventType::Allowed,
        Kind::Hint => EventType::Hint,
        Kind::Status => EventType::Status,
        Kind::Error => EventType::Error,
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Digits(n) => format!("the number {n}"),
        Tok::AuditDigits(n) => format!("the number {n}"),
        Tok::Quoted(_) => "a quoted string".into(),
        Tok::Id(id) => format!("`{}`", String::from_utf8_lossy(id)),
        Tok::Hex(_) => "a hex-encoded value".into(),
        Tok::IpAddr(a) => format!("the address {a}"),
        Tok::DmesgStamp => "a dmesg timestamp".into(),
        Tok::Month | Tok::Date => "a date".into(),
        Tok::Time => "a time".into(),
        Tok::TypeOther(t) => format!("the audit type {t}"),
        Tok::MsgRest(rest) => {
            let shown: String = rest.chars().take(40).collect();
            let more = if rest.chars().count() > 40 { "..." } else { "" };
            format!("unreadable text `{shown}{more}`")
        }
        Tok::TypeUnknown(n) => format!("the audit type UNKNOWN[{n}]"),
        Tok::QuotedKind(_) => "an AppArmor event kind".into(),
        Tok::AaKind(_) | Tok::LsmAvc | Tok::UserAvc => "an audit type".into(),
        Tok::Key(_) => "a field name".into(),
        Tok::Audit => "`audit`".into(),
        Tok::SocklogdKernel | Tok::SyslogKernel | Tok::SyslogUser => "a syslog tag".into(),
        Tok::Equals => "`=`".into(),
        Tok::Colon => "`:`".into(),
        Tok::Minus => "`-`".into(),
        Tok::OpenParen => "`(`".into(),
        Tok::CloseParen => "`)`".into(),
        Tok::Period => "`.`".into(),
        Tok::QuestionMark => "`?`".into(),
        Tok::SingleQuote => "`'`".into(),
        Tok::None => "`none`".into(),
        Tok::End => "the end of the message".into(),
    }
}

/// Whether a token starts a `key=value` field of the key list.
fn starts_key(tok: &Tok) -> bool {
    match tok {
        Tok::MsgRest(_) => true,
        Tok::Key(key) => !matches!(key, Key::Msg | Key::Uid | Key::Auid | Key::Ses),
        _ => false,
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].0
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)].0
    }

    fn bump(&mut self) -> Tok {
        let tok = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        tok
    }

    fn error<T>(&self, expected: &str) -> Result<T> {
        let (tok, offset) = &self.tokens[self.pos.min(self.tokens.len() - 1)];
        Err(ReadError { offset: *offset, message: format!("expected {expected}, found {}", describe(tok)) })
    }

    fn expect(&mut self, want: &Tok, expected: &str) -> Result {
        if self.peek() == want {
            self.bump();
            Ok(())
        } else {
            self.error(expected)
        }
    }

    fn log_message(&mut self) -> Result {
        match self.peek() {
            Tok::Key(Key::Type) => self.audit_type(),
            Tok::DmesgStamp => {
                self.bump();
                self.expect(&Tok::Audit, "`audit:` after the dmesg timestamp")?;
                self.expect(&Tok::Colon, "`:` after `audit`")?;
                self.key_type()?;
                self.audit_id()?;
                self.key_list()?;
                self.record.v2_syntax = true;
                self.end()
            }
            Tok::Month | Tok::Date => self.syslog(),
            Tok::Key(Key::Msg) => {
                self.audit_msg()?;
                self.key_list()?;
                self.record.v2_syntax = true;
                self.end()
            }
            _ => self.error("an audit record (`type=`, `msg=audit(...)`, a syslog date or a dmesg timestamp)"),
        }
    }

    fn end(&mut self) -> Result {
        match self.peek() {
            Tok::End => Ok(()),
            _ => self.error("a `key=value` field or the end of the message"),
        }
    }

    /// `type=KIND msg=audit(...): fields`, as auditd writes them.
    fn audit_type(&mut self) -> Result {
        self.bump();
        self.expect(&Tok::Equals, "`=` after `type`")?;
        match self.bump() {
            Tok::AaKind(kind) => {
                self.audit_msg()?;
                self.key_list()?;
                self.record.event = event_of(kind);
            }
            Tok::TypeUnknown(number) => {
                self.audit_msg()?;
                self.key_list()?;
                self.record.event = EventType::from_audit_type(number);
            }
            Tok::LsmAvc => {
                self.audit_msg()?;
                self.key_list()?;
            }
            Tok::UserAvc => {
                self.expect(&Tok::Key(Key::Msg), "`msg=`")?;
                self.expect(&Tok::Equals, "`=` after `msg`")?;
                self.audit_id()?;
                self.user_msg_tail()?;
                self.expect(&Tok::SingleQuote, "`'` closing the user message")?;
            }
            Tok::TypeOther(name) => {
                self.audit_msg()?;
                let rest = match self.bump() {
                    Tok::MsgRest(rest) => rest,
                    _ => {
                        self.pos -= 1;
                        return self.error("the message text");
                    }
                };
                // Another audit type (SYSCALL, PATH, an old-style APPARMOR
                // message): read, but not an AppArmor event.
                self.record.operation = Some(name);
                self.record.event = EventType::Invalid;
                self.record.info = Some(rest);
                return self.end();
            }
            _ => {
                self.pos -= 1;
                return self.error("an audit type (`AVC`, `1400`, `APPARMOR_DENIED`...)");
            }
        }
        self.record.v2_syntax = true;
        self.end()
    }

    /// `Mon DD HH:MM:SS host kernel: ...` and its variants (ISO dates,
    /// dmesg timestamps, `audit:` prefixes, user-space tags).
    fn syslog(&mut self) -> Result {
        if self.bump() == Tok::Month {
            self.expect_digits("the day of the month")?;
        }
        self.expect(&Tok::Time, "the time of day")?;
        match self.bump() {
            Tok::SocklogdKernel => {}
            Tok::Id(_) => match self.bump() {
                Tok::SyslogKernel => {}
                Tok::SyslogUser => {
                    self.key_list()?;
                    self.record.v2_syntax = true;
                    return self.end();
                }
                _ => {
                    self.pos -= 1;
                    return self.error("`kernel:` or a `name[pid]:` tag after the host name");
                }
            },
            _ => {
                self.pos -= 1;
                return self.error("the host name");
            }
        }
        let stamp = self.peek() == &Tok::DmesgStamp;
        if stamp {
            self.bump();
        }
        match (self.peek(), self.peek_at(1)) {
            (Tok::Audit, Tok::OpenParen) => self.audit_id()?,
            (Tok::Key(Key::Type), _) => {
                self.key_type()?;
                self.audit_id()?;
            }
            (Tok::Audit, _) => {
                self.bump();
                self.expect(&Tok::Colon, "`:` after `audit`")?;
                self.key_type()?;
                self.audit_id()?;
                let user_message = stamp
                    && matches!(self.peek(), Tok::Key(Key::Pid))
                    && self.peek_at(1) == &Tok::Equals
                    && matches!(self.peek_at(2), Tok::Digits(_))
                    && self.peek_at(3) == &Tok::Key(Key::Uid);
                if user_message {
                    self.user_msg_tail()?;
                    if self.peek() == &Tok::SingleQuote {
                        self.bump();
                    }
                    self.record.v2_syntax = true;
                    return self.end();
                }
            }
            _ => return self.error("`audit(...)`, `audit:` or `type=`"),
        }
        self.key_list()?;
        self.record.v2_syntax = true;
        self.end()
    }

    /// `pid=N uid=N auid=N ses=N msg='fields` of a user-space message (the
    /// D-Bus daemon's); these four numbers are not kept.
    fn user_msg_tail(&mut self) -> Result {
        for key in [Key::Pid, Key::Uid, Key::Auid, Key::Ses] {
            self.expect(&Tok::Key(key), "the user message's `pid=`, `uid=`, `auid=` and `ses=`")?;
            self.expect(&Tok::Equals, "`=`")?;
            self.expect_digits("a number")?;
        }
        self.expect(&Tok::Key(Key::Msg), "`msg=`")?;
        self.expect(&Tok::Equals, "`=` after `msg`")?;
        self.expect(&Tok::SingleQuote, "`'` opening the user message")?;
        self.key_list()
    }

    fn audit_msg(&mut self) -> Result {
        self.expect(&Tok::Key(Key::Msg), "`msg=audit(...)`")?;
        self.expect(&Tok::Equals, "`=` after `msg`")?;
        self.audit_id()
    }

    /// `type=NUMBER`, which names the event for the AppArmor numbers.
    fn key_type(&mut self) -> Result {
        self.expect(&Tok::Key(Key::Type), "`type=`")?;
        self.expect(&Tok::Equals, "`=` after `type`")?;
        let number = self.expect_digits("the audit type number")?;
        self.record.event = EventType::from_audit_type(number);
        Ok(())
    }

    /// `audit(EPOCH.MILLIS:SERIAL):`.
    fn audit_id(&mut self) -> Result {
        const SHAPE: &str = "`audit(SECONDS.MILLIS:SERIAL):`";
        self.expect(&Tok::Audit, SHAPE)?;
        self.expect(&Tok::OpenParen, SHAPE)?;
        let seconds = self.audit_digits(SHAPE)?;
        self.expect(&Tok::Period, SHAPE)?;
        let millis = self.audit_digits(SHAPE)?;
        self.expect(&Tok::Colon, SHAPE)?;
        let serial = self.audit_digits(SHAPE)?;
        self.expect(&Tok::CloseParen, SHAPE)?;
        self.expect(&Tok::Colon, SHAPE)?;
        self.record.epoch = Some(atol(&seconds));
        self.record.audit_sub_id = Some(atol(&serial));
        self.record.audit_id = Some(format!("{seconds}.{millis}:{serial}"));
        Ok(())
    }

    fn audit_digits(&mut self, expected: &str) -> Result<String> {
        match self.peek() {
            Tok::AuditDigits(d) => {
                let d = d.clone();
                self.bump();
                Ok(d)
            }
            _ => self.error(expected),
        }
    }

    fn expect_digits(&mut self, expected: &str) -> Result<u64> {
        match self.peek() {
            &Tok::Digits(n) => {
                self.bump();
                Ok(n)
            }
            _ => self.error(expected),
        }
    }

    fn quoted(&mut self, key: &str) -> Result<String> {
        match self.peek() {
            Tok::Quoted(_) => match self.bump() {
                Tok::Quoted(bytes) => Ok(text(bytes)),
                _ => unreachable!("peeked a quoted string"),
            },
            _ => self.error(&format!("a quoted string after `{key}=`")),
        }
    }

    /// A quoted or hex-encoded value.
    fn safe_string(&mut self, key: &str) -> Result<String> {
        match self.peek() {
            Tok::Quoted(_) | Tok::Hex(_) => match self.bump() {
                Tok::Quoted(bytes) | Tok::Hex(bytes) => Ok(text(bytes)),
                _ => unreachable!("peeked a string"),
            },
            _ => self.error(&format!("a quoted or hex-encoded value after `{key}=`")),
        }
    }

    fn key_list(&mut self) -> Result {
        if !starts_key(self.peek()) {
            return self.error("a `key=value` field");
        }
        while starts_key(self.peek()) {
            self.key()?;
        }
        Ok(())
    }

    fn key(&mut self) -> Result {
        let key = match self.bump() {
            Tok::MsgRest(rest) => {
                self.record.event = EventType::Invalid;
                self.record.info = Some(rest);
                return Ok(());
            }
            Tok::Key(key) => key,
            _ => unreachable!("key() is called on a key"),
        };
        let name = key_name(key);
        self.expect(&Tok::Equals, &format!("`=` after `{name}`"))?;
        macro_rules! set {
            ($field:ident, $value:expr) => {{
                let value = $value;
                self.record.$field = Some(value);
            }};
        }
        match key {
            Key::Operation => set!(operation, self.quoted(name)?),
            Key::Name => set!(name, self.safe_string(name)?),
            Key::Namespace => set!(namespace, self.safe_string(name)?),
            Key::Name2 | Key::Target => set!(name2, self.safe_string(name)?),
            Key::Mask | Key::DeniedMask => set!(denied_mask, self.quoted(name)?),
            Key::RequestedMask => set!(requested_mask, self.quoted(name)?),
            Key::Attribute => set!(attribute, self.quoted(name)?),
            Key::Task => set!(task, self.expect_digits("a number")?),
            Key::Parent => set!(parent, self.expect_digits("a number")?),
            Key::MagicToken => set!(magic_token, self.expect_digits("a number")?),
            Key::Info => set!(info, self.quoted(name)?),
            Key::PeerInfo => set!(peer_info, self.quoted(name)?),
            Key::Peer => set!(peer, self.quoted(name)?),
            Key::Pid => set!(pid, self.expect_digits("a process id")?),
            Key::PeerPid => set!(peer_pid, self.expect_digits("a process id")?),
            Key::Profile | Key::Label => set!(profile, self.safe_string(name)?),
            Key::PeerProfile | Key::PeerLabel => set!(peer_profile, self.safe_string(name)?),
            Key::Family => set!(net_family, self.quoted(name)?),
            Key::SockType => set!(net_sock_type, self.quoted(name)?),
            Key::Protocol => {
                let protocol = match self.peek() {
                    &Tok::Digits(n) => {
                        self.bump();
                        protocol_name(n)
                    }
                    _ => self.quoted(name)?,
                };
                set!(net_protocol, protocol)
            }
            Key::Type => {
                let number = self.expect_digits("the audit type number")?;
                self.record.event = EventType::from_audit_type(number);
            }
            Key::Error => {
                if self.peek() == &Tok::Minus {
                    self.bump();
                }
                set!(error_code, self.expect_digits("an error number")?)
            }
            Key::Fsuid => set!(fsuid, self.expect_digits("a user id")?),
            Key::Ouid => set!(ouid, self.expect_digits("a user id")?),
            Key::Addr => match self.peek() {
                Tok::QuestionMark | Tok::None => {
                    self.bump();
                }
                _ => set!(net_addr, self.safe_string(name)?),
            },
            Key::UnixPeerAddr => match self.peek() {
                Tok::None => {
                    self.bump();
                }
                _ => set!(peer_addr, self.safe_string(name)?),
            },
            // User names of fsuid/ouid: the numbers are what is kept.
            Key::FsuidUpper | Key::OuidUpper => {
                self.quoted(name)?;
            }
            // Numbers of user-space messages and of policy-load errors.
            Key::Sauid | Key::Capability | Key::Offset => {
                self.expect_digits("a number")?;
            }
            Key::Hostname | Key::Terminal => match self.peek() {
                Tok::QuestionMark => {
                    self.bump();
                }
                _ => {
                    self.safe_string(name)?;
                }
            },
            Key::Exe | Key::Comm => set!(comm, self.safe_string(name)?),
            Key::Apparmor => match self.peek() {
                &Tok::QuotedKind(kind) => {
                    self.bump();
                    self.record.event = event_of(kind);
                }
                _ => return self.error("`\"DENIED\"`, `\"ALLOWED\"`, `\"AUDIT\"`, `\"HINT\"`, `\"STATUS\"` or `\"ERROR\"` after `apparmor=`"),
            },
            // The capability's name used to be reported in `name`.
            Key::Capname => set!(name, self.quoted(name)?),
            Key::Laddr | Key::Faddr => {
                let addr = match self.peek() {
                    Tok::IpAddr(a) => a.clone(),
                    _ => return self.error(&format!("an IP address after `{name}=`")),
                };
                self.bump();
                if key == Key::Laddr {
                    set!(net_local_addr, addr)
                } else {
                    set!(net_foreign_addr, addr)
                }
            }
            Key::Lport => set!(net_local_port, self.expect_digits("a port number")?),
            Key::Fport => set!(net_foreign_port, self.expect_digits("a port number")?),
            Key::Bus => set!(dbus_bus, self.quoted(name)?),
            Key::Path => set!(dbus_path, self.quoted(name)?),
            Key::Interface => set!(dbus_interface, self.quoted(name)?),
            Key::Member => set!(dbus_member, self.quoted(name)?),
            Key::Signal => match self.peek() {
                Tok::Id(_) => match self.bump() {
                    Tok::Id(id) => set!(signal, text(id)),
                    _ => unreachable!("peeked a name"),
                },
                _ => return self.error("a signal name after `signal=`"),
            },
            Key::Fstype => set!(fs_type, self.quoted(name)?),
            Key::Flags => set!(flags, self.quoted(name)?),
            Key::Srcname => set!(src_name, self.quoted(name)?),
            Key::Execpath => set!(execpath, self.quoted(name)?),
            Key::Class => set!(rule_class, self.quoted(name)?),
            Key::Msg | Key::Uid | Key::Auid | Key::Ses => unreachable!("not a key-list key"),
        }
        Ok(())
    }
}

fn atol(digits: &str) -> u64 {
    digits.bytes().fold(0u64, |v, b| v.saturating_mul(10).saturating_add(u64::from(b - b'0'))).min(i64::MAX as u64)
}

fn key_name(key: Key) -> &'static str {
    crate::lexer::key_spelling(key)
}

/// The IP protocols by number, named as glibc's `IPPROTO_*` constants are
/// (lower case); the first name of a number wins (`0` is `ip`).
const PROTOCOLS: &[(u64, &str)] = &[
    (0, "ip"),
    (1, "icmp"),
    (2, "igmp"),
    (4, "ipip"),
    (6, "tcp"),
    (8, "egp"),
    (12, "pup"),
    (17, "udp"),
    (22, "idp"),
    (29, "tp"),
    (33, "dccp"),
    (41, "ipv6"),
    (46, "rsvp"),
    (47, "gre"),
    (50, "esp"),
    (51, "ah"),
    (92, "mtp"),
    (94, "beetph"),
    (98, "encap"),
    (103, "pim"),
    (108, "comp"),
    (132, "sctp"),
    (136, "udplite"),
    (137, "mpls"),
    (143, "ethernet"),
    (255, "raw"),
    (262, "mptcp"),
    (43, "routing"),
    (44, "fragment"),
    (58, "icmpv6"),
    (59, "none"),
    (60, "dstopts"),
    (135, "mh"),
];

fn protocol_name(number: u64) -> String {
    // libapparmor's table is indexed by an `unsigned int`.
    let number = number & u64::from(u32::MAX);
    match PROTOCOLS.iter().find(|(n, _)| *n == number) {
        Some((_, name)) => (*name).to_owned(),
        None => format!("unknown({number})"),
    }
}
