//! The scanner: the tokens libapparmor's flex scanner makes of an audit
//! message, with its start conditions (states), its longest-match rule
//! (ties go to the rule listed first) and its quirks (a key switches the
//! scanner into the state its value needs; text no rule matches ends the
//! message as one "unread rest" token). Written from the behaviour of
//! libapparmor 4.1's `scanner.l`, not from its code.

/// The keys of `key=value` fields. Several spellings share one key, as they
/// do in libapparmor (`label`/`profile` do not: they are distinct tokens
/// that set the same field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Apparmor,
    Type,
    Msg,
    Operation,
    Name,
    Name2,
    Namespace,
    Mask,
    DeniedMask,
    RequestedMask,
    Attribute,
    Task,
    Parent,
    MagicToken,
    Info,
    PeerInfo,
    Pid,
    PeerPid,
    Profile,
    PeerProfile,
    Label,
    PeerLabel,
    Family,
    SockType,
    Protocol,
    Error,
    Fsuid,
    FsuidUpper,
    Ouid,
    OuidUpper,
    Uid,
    Auid,
    Sauid,
    Ses,
    Hostname,
    Addr,
    Terminal,
    Exe,
    Comm,
    Capability,
    Capname,
    Offset,
    Target,
    Laddr,
    Faddr,
    Lport,
    Fport,
    Bus,
    Path,
    Interface,
    Member,
    Signal,
    Peer,
    Fstype,
    Flags,
    Srcname,
    UnixPeerAddr,
    Execpath,
    Class,
}

/// What scanning a key does to the scanner's state, so that its value is
/// read the way the kernel writes it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Then {
    Stay,
    Begin(State),
    Push(State),
}

/// The keys in the order the scanner lists them (the order breaks ties of
/// equal length: `dest` is the port key, not the D-Bus destination).
const KEYS: &[(&str, Key, Then)] = &[
    ("apparmor", Key::Apparmor, Then::Begin(State::AuditTypes)),
    ("type", Key::Type, Then::Begin(State::AuditTypes)),
    ("msg", Key::Msg, Then::Stay),
    ("operation", Key::Operation, Then::Stay),
    ("name", Key::Name, Then::Begin(State::SafeString)),
    ("name2", Key::Name2, Then::Begin(State::SafeString)),
    ("namespace", Key::Namespace, Then::Begin(State::SafeString)),
    ("mask", Key::Mask, Then::Stay),
    ("denied_mask", Key::DeniedMask, Then::Stay),
    ("requested_mask", Key::RequestedMask, Then::Stay),
    ("denied", Key::DeniedMask, Then::Stay),
    ("requested", Key::RequestedMask, Then::Stay),
    ("attribute", Key::Attribute, Then::Begin(State::SubId)),
    ("task", Key::Task, Then::Stay),
    ("parent", Key::Parent, Then::Stay),
    ("magic_token", Key::MagicToken, Then::Stay),
    ("info", Key::Info, Then::Stay),
    ("peer_info", Key::PeerInfo, Then::Stay),
    ("pid", Key::Pid, Then::Stay),
    ("peer_pid", Key::PeerPid, Then::Stay),
    ("profile", Key::Profile, Then::Begin(State::SafeString)),
    ("peer_profile", Key::PeerProfile, Then::Begin(State::SafeString)),
    ("label", Key::Label, Then::Begin(State::SafeString)),
    ("peer_label", Key::PeerLabel, Then::Begin(State::SafeString)),
    ("tcontext", Key::PeerLabel, Then::Begin(State::SafeString)),
    ("family", Key::Family, Then::Stay),
    ("sock_type", Key::SockType, Then::Stay),
    ("protocol", Key::Protocol, Then::Stay),
    ("error", Key::Error, Then::Stay),
    ("fsuid", Key::Fsuid, Then::Stay),
    ("FSUID", Key::FsuidUpper, Then::Stay),
    ("ouid", Key::Ouid, Then::Stay),
    ("OUID", Key::OuidUpper, Then::Stay),
    ("uid", Key::Uid, Then::Stay),
    ("auid", Key::Auid, Then::Stay),
    ("sauid", Key::Sauid, Then::Stay),
    ("ses", Key::Ses, Then::Stay),
    ("hostname", Key::Hostname, Then::Stay),
    ("addr", Key::Addr, Then::Begin(State::SafeString)),
    ("terminal", Key::Terminal, Then::Stay),
    ("exe", Key::Exe, Then::Begin(State::SafeString)),
    ("comm", Key::Comm, Then::Begin(State::SafeString)),
    ("capability", Key::Capability, Then::Stay),
    ("capname", Key::Capname, Then::Stay),
    ("offset", Key::Offset, Then::Stay),
    ("target", Key::Target, Then::Stay),
    ("laddr", Key::Laddr, Then::Push(State::IpAddr)),
    ("saddr", Key::Laddr, Then::Push(State::IpAddr)),
    ("faddr", Key::Faddr, Then::Push(State::IpAddr)),
    ("daddr", Key::Faddr, Then::Push(State::IpAddr)),
    ("lport", Key::Lport, Then::Stay),
    ("src", Key::Lport, Then::Stay),
    ("fport", Key::Fport, Then::Stay),
    ("dest", Key::Fport, Then::Stay),
    ("bus", Key::Bus, Then::Stay),
    ("path", Key::Path, Then::Stay),
    ("interface", Key::Interface, Then::Stay),
    ("member", Key::Member, Then::Stay),
    ("method", Key::Member, Then::Stay),
    ("signal", Key::Signal, Then::Begin(State::SubId)),
    ("peer", Key::Peer, Then::Begin(State::SafeString)),
    ("fstype", Key::Fstype, Then::Stay),
    ("flags", Key::Flags, Then::Begin(State::SafeString)),
    ("srcname", Key::Srcname, Then::Begin(State::SafeString)),
    ("peer_addr", Key::UnixPeerAddr, Then::Begin(State::SafeString)),
    ("execpath", Key::Execpath, Then::Begin(State::SafeString)),
    ("class", Key::Class, Then::Begin(State::SafeString)),
];

/// The kind of audit message named after `type=` or `apparmor=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Denied,
    Audit,
    Allowed,
    Hint,
    Status,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A number outside an audit id (`pid=123`), as a saturating `atol`.
    Digits(u64),
    /// A number inside `audit(...)`, kept as text.
    AuditDigits(String),
    Quoted(Vec<u8>),
    Id(Vec<u8>),
    /// A hex-encoded value, decoded.
    Hex(Vec<u8>),
    IpAddr(String),
    DmesgStamp,
    Month,
    Date,
    Time,
    /// `type=NAME` for an audit type that is not AppArmor's (`SYSCALL`).
    TypeOther(String),
    /// The unread rest of a line.
    MsgRest(String),
    /// `type=UNKNOWN[1503]`.
    TypeUnknown(u64),
    /// `apparmor="DENIED"` etc.
    QuotedKind(Kind),
    /// `type=APPARMOR_DENIED` etc.
    AaKind(Kind),
    LsmAvc,
    UserAvc,
    Key(Key),
    Audit,
    SocklogdKernel,
    SyslogKernel,
    SyslogUser,
    Equals,
    Colon,
    Minus,
    OpenParen,
    CloseParen,
    Period,
    QuestionMark,
    SingleQuote,
    None,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Initial,
    SubId,
    AuditId,
    Hostname,
    DmesgTimestamp,
    SafeString,
    AuditTypes,
    IpAddr,
    OtherAudit,
    UnknownMessage,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x1d)
}

fn run(s: &[u8], at: usize, class: impl Fn(u8) -> bool) -> usize {
    s[at.min(s.len())..].iter().take_while(|&&b| class(b)).count()
}

fn digits(s: &[u8], at: usize) -> usize {
    run(s, at, |b| b.is_ascii_digit())
}

/// `atol` as glibc does it for a run of digits: saturating.
fn atol(text: &[u8]) -> u64 {
    let mut value: u64 = 0;
    for &b in text {
        value = value.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    value.min(i64::MAX as u64)
}

fn literal(s: &[u8], at: usize, lit: &str) -> usize {
    if s[at..].starts_with(lit.as_bytes()) { lit.len() } else { 0 }
}

/// `kern.notice:` where the `.` is any byte but a newline (the scanner's
/// pattern does not escape it).
fn socklogd_kernel(s: &[u8], at: usize) -> usize {
    let r = &s[at..];
    if r.len() >= 12 && r.starts_with(b"kern") && r[4] != b'\n' && r[5..].starts_with(b"notice:") { 12 } else { 0 }
}

/// `NAME[PID]:` of a user-space syslog tag (`dbus[123]:`).
fn syslog_user(s: &[u8], at: usize) -> usize {
    let name = run(s, at, |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if name == 0 || s.get(at + name) != Some(&b'[') {
        return 0;
    }
    let pid = digits(s, at + name + 1);
    let close = at + name + 1 + pid;
    if pid > 0 && s.get(close) == Some(&b']') && s.get(close + 1) == Some(&b':') { name + pid + 3 } else { 0 }
}

const MONTHS: &[&str] = &[
    "January",
    "Jan",
    "February",
    "Feb",
    "March",
    "Mar",
    "April",
    "Apr",
    "May",
    "June",
    "Jun",
    "July",
    "Jul",
    "August",
    "Aug",
    "September",
    "Sep",
    "October",
    "Oct",
    "November",
    "Nov",
    "December",
    "Dec",
];

fn month(s: &[u8], at: usize) -> usize {
    MONTHS.iter().map(|m| literal(s, at, m)).max().unwrap_or(0)
}

/// `YYYY-MM-DD`.
fn date(s: &[u8], at: usize) -> usize {
    let r = &s[at..];
    let shape = b"dddd-dd-dd";
    if r.len() >= 10 && shape.iter().zip(r).all(|(&k, &b)| if k == b'd' { b.is_ascii_digit() } else { b == k }) {
        10
    } else {
        0
    }
}

fn two_digits(s: &[u8], at: usize) -> bool {
    s.len() >= at + 2 && s[at].is_ascii_digit() && s[at + 1].is_ascii_digit()
}

/// `HH:MM:SS`, then optional `.fraction` and `+HH:MM`/`-HH:MM`, longest.
fn time(s: &[u8], at: usize) -> usize {
    let hms = two_digits(s, at)
        && s.get(at + 2) == Some(&b':')
        && two_digits(s, at + 3)
        && s.get(at + 5) == Some(&b':')
        && two_digits(s, at + 6);
    if !hms {
        return 0;
    }
    let mut len = 8;
    if s.get(at + len) == Some(&b'.') {
        let fraction = digits(s, at + len + 1);
        if fraction > 0 {
            len += 1 + fraction;
        }
    }
    let z = at + len;
    if matches!(s.get(z), Some(b'+' | b'-'))
        && two_digits(s, z + 1)
        && s.get(z + 3) == Some(&b':')
        && two_digits(s, z + 4)
    {
        len += 6;
    }
    len
}

/// `[ 1234.567890]`: at least five digits or spaces, a period, at least six digits.
fn dmesg_stamp(s: &[u8], at: usize) -> usize {
    if s.get(at) != Some(&b'[') {
        return 0;
    }
    let int = run(s, at + 1, |b| b.is_ascii_digit() || b == b' ');
    let dot = at + 1 + int;
    if int < 5 || s.get(dot) != Some(&b'.') {
        return 0;
    }
    let frac = digits(s, dot + 1);
    if frac >= 6 && s.get(dot + 1 + frac) == Some(&b']') { int + frac + 3 } else { 0 }
}

fn is_id(b: u8) -> bool {
    !matches!(b, b' ' | b'\t' | b'\n' | b'(' | b')' | b'=' | b'"' | b'\'' | b'!')
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'A'..=b'F').contains(&b)
}

fn hex_decode(text: &[u8]) -> Vec<u8> {
    text.chunks(2)
        .map(|pair| {
            let v = |b: u8| if b.is_ascii_digit() { b - b'0' } else { b - b'A' + 10 };
            v(pair[0]) << 4 | v(pair[1])
        })
        .collect()
}

/// Runs the scanner over a whole message: every token with the byte offset
/// where it starts, ending with [`Tok::End`].
pub(crate) fn tokenize(text: &str) -> Vec<(Tok, usize)> {
    let mut lexer = Lexer { s: text.as_bytes(), at: 0, state: State::Initial, stack: Vec::new() };
    let mut tokens = Vec::new();
    loop {
        let start_hint = lexer.at;
        match lexer.next() {
            Some((tok, start)) => tokens.push((tok, start)),
            None => {
                tokens.push((Tok::End, lexer.s.len().max(start_hint)));
                return tokens;
            }
        }
    }
}

struct Lexer<'a> {
    s: &'a [u8],
    at: usize,
    state: State,
    stack: Vec<State>,
}

impl Lexer<'_> {
    fn pop(&mut self) {
        // The scanner only pops what it pushed; an empty stack cannot
        // happen, and falls back to the initial state if it did.
        self.state = self.stack.pop().unwrap_or(State::Initial);
    }

    /// The next token and its start, or `None` at the end of the text.
    fn next(&mut self) -> Option<(Tok, usize)> {
        loop {
            if self.at >= self.s.len() {
                return None;
            }
            let start = self.at;
            if let Some(tok) = self.step() {
                return Some((tok, start));
            }
        }
    }

    /// One scanner action: a token, or `None` when the action consumed
    /// text without a token (whitespace) or only changed state.
    fn step(&mut self) -> Option<Tok> {
        let s = self.s;
        let at = self.at;
        let b = s[at];
        match self.state {
            State::Initial => self.initial(),
            State::AuditId => {
                if b.is_ascii_digit() {
                    let n = digits(s, at);
                    self.at += n;
                    return Some(Tok::AuditDigits(String::from_utf8_lossy(&s[at..at + n]).into_owned()));
                }
                match b {
                    b':' => {
                        if s.get(at + 1).is_some_and(|&c| is_ws(c)) {
                            self.at += 2;
                            self.pop();
                        } else {
                            self.at += 1;
                        }
                        Some(Tok::Colon)
                    }
                    b'.' => {
                        self.at += 1;
                        Some(Tok::Period)
                    }
                    b'(' => {
                        self.at += 1;
                        Some(Tok::OpenParen)
                    }
                    b')' => {
                        self.at += 1;
                        self.pop();
                        Some(Tok::CloseParen)
                    }
                    b'\n' => self.skip(1),
                    _ => self.begin(State::UnknownMessage),
                }
            }
            State::SubId => match b {
                b'(' => {
                    self.at += 1;
                    Some(Tok::OpenParen)
                }
                b')' => {
                    self.at += 1;
                    self.state = State::Initial;
                    Some(Tok::CloseParen)
                }
                b'"' => self.open_quote(),
                b'=' => {
                    self.at += 1;
                    Some(Tok::Equals)
                }
                b' ' | b'\t' | b'\n' => self.skip(1),
                _ if is_id(b) => {
                    let n = run(s, at, is_id);
                    if n == 1 && is_ws(b) {
                        // `\r` or 0x1d alone: the whitespace rule, listed first.
                        return self.skip(1);
                    }
                    self.at += n;
                    self.state = State::Initial;
                    Some(Tok::Id(s[at..at + n].to_vec()))
                }
                _ => self.skip(1),
            },
            State::SafeString => match b {
                b'"' => self.open_quote(),
                b'=' => {
                    self.at += 1;
                    Some(Tok::Equals)
                }
                _ if is_hex(b) && is_hex(*s.get(at + 1).unwrap_or(&0)) => {
                    let n = run(s, at, is_hex) / 2 * 2;
                    self.at += n;
                    self.state = State::Initial;
                    Some(Tok::Hex(hex_decode(&s[at..at + n])))
                }
                b'\n' => self.skip(1),
                _ => self.begin(State::Initial),
            },
            State::IpAddr => {
                let n = run(s, at, |c| matches!(c, b'a'..=b'f' | b'0'..=b'9' | b'.' | b':'));
                if n >= 3 {
                    self.at += n;
                    self.pop();
                    return Some(Tok::IpAddr(String::from_utf8_lossy(&s[at..at + n]).into_owned()));
                }
                match b {
                    b'=' => {
                        self.at += 1;
                        Some(Tok::Equals)
                    }
                    b'\n' => self.skip(1),
                    _ => self.begin(State::Initial),
                }
            }
            State::AuditTypes => self.audit_types(),
            State::Hostname => {
                if is_ws(b) {
                    return self.skip(run(s, at, is_ws));
                }
                if socklogd_kernel(s, at) > 0 {
                    self.at += 12;
                    self.state = State::DmesgTimestamp;
                    return Some(Tok::SocklogdKernel);
                }
                let n = run(s, at, |c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
                if n > 0 {
                    self.at += n;
                    self.state = State::Initial;
                    return Some(Tok::Id(s[at..at + n].to_vec()));
                }
                self.skip(1)
            }
            State::DmesgTimestamp => {
                if is_ws(b) {
                    return self.skip(run(s, at, is_ws));
                }
                let n = dmesg_stamp(s, at);
                if n > 0 {
                    self.at += n;
                    self.state = State::Initial;
                    return Some(Tok::DmesgStamp);
                }
                self.begin(State::Initial)
            }
            State::OtherAudit => {
                if is_ws(b) {
                    return self.skip(run(s, at, is_ws));
                }
                if literal(s, at, "audit") > 0 {
                    self.at += 5;
                    self.stack.push(State::OtherAudit);
                    self.state = State::AuditId;
                    return Some(Tok::Audit);
                }
                if literal(s, at, "msg") > 0 {
                    self.at += 3;
                    return Some(Tok::Key(Key::Msg));
                }
                match b {
                    b'=' => {
                        self.at += 1;
                        Some(Tok::Equals)
                    }
                    b':' => {
                        self.at += 1;
                        Some(Tok::Colon)
                    }
                    _ => self.begin(State::UnknownMessage),
                }
            }
            State::UnknownMessage => {
                if b == b'\n' {
                    return self.skip(1);
                }
                let n = run(s, at, |c| c != b'\n');
                self.at += n;
                Some(Tok::MsgRest(String::from_utf8_lossy(&s[at..at + n]).into_owned()))
            }
        }
    }

    fn skip(&mut self, n: usize) -> Option<Tok> {
        self.at += n;
        None
    }

    /// Switches state without consuming (flex's `BEGIN` + `yyless(0)`).
    fn begin(&mut self, state: State) -> Option<Tok> {
        self.state = state;
        None
    }

    /// A quoted string, read whole: `\x` keeps `x` (any byte, a newline
    /// too), a bare newline is dropped, and a string the text ends inside
    /// is lost, as the scanner loses it.
    fn open_quote(&mut self) -> Option<Tok> {
        let s = self.s;
        let mut buf = Vec::new();
        let mut at = self.at + 1;
        while at < s.len() {
            match s[at] {
                b'"' => {
                    self.at = at + 1;
                    self.state = State::Initial;
                    return Some(Tok::Quoted(buf));
                }
                b'\\' => {
                    if let Some(&next) = s.get(at + 1) {
                        buf.push(next);
                    }
                    at += 2;
                }
                b'\n' => at += 1,
                b => {
                    buf.push(b);
                    at += 1;
                }
            }
        }
        self.at = s.len();
        None
    }

    fn audit_types(&mut self) -> Option<Tok> {
        let (s, at) = (self.s, self.at);
        match s[at] {
            b'=' => {
                self.at += 1;
                return Some(Tok::Equals);
            }
            b'\n' => return self.skip(1),
            _ => {}
        }
        let other = run(s, at, |c| c.is_ascii_alphanumeric() || matches!(c, b'[' | b']' | b'_' | b'-'));
        let number = digits(s, at);
        // Candidates in the scanner's order; the longest wins, the first on a tie.
        let (unknown, unknown_number) = {
            let n = literal(s, at, "UNKNOWN[");
            let d = if n > 0 { digits(s, at + n) } else { 0 };
            if d > 0 && s.get(at + n + d) == Some(&b']') { (n + d + 1, atol(&s[at + n..at + n + d])) } else { (0, 0) }
        };
        let fixed: [(&str, Tok); 14] = [
            ("\"DENIED\"", Tok::QuotedKind(Kind::Denied)),
            ("\"AUDIT\"", Tok::QuotedKind(Kind::Audit)),
            ("\"ALLOWED\"", Tok::QuotedKind(Kind::Allowed)),
            ("\"HINT\"", Tok::QuotedKind(Kind::Hint)),
            ("\"STATUS\"", Tok::QuotedKind(Kind::Status)),
            ("\"ERROR\"", Tok::QuotedKind(Kind::Error)),
            ("APPARMOR_DENIED", Tok::AaKind(Kind::Denied)),
            ("APPARMOR_AUDIT", Tok::AaKind(Kind::Audit)),
            ("APPARMOR_ALLOWED", Tok::AaKind(Kind::Allowed)),
            ("APPARMOR_HINT", Tok::AaKind(Kind::Hint)),
            ("APPARMOR_STATUS", Tok::AaKind(Kind::Status)),
            ("APPARMOR_ERROR", Tok::AaKind(Kind::Error)),
            ("AVC", Tok::LsmAvc),
            ("USER_AVC", Tok::UserAvc),
        ];
        let mut best: Option<(usize, Tok)> = None;
        let mut consider = |len: usize, tok: Tok| {
            if len > 0 && best.as_ref().is_none_or(|(l, _)| len > *l) {
                best = Some((len, tok));
            }
        };
        consider(number, Tok::Digits(atol(&s[at..at + number])));
        for (lit, tok) in fixed {
            consider(literal(s, at, lit), tok);
        }
        consider(unknown, Tok::TypeUnknown(unknown_number));
        consider(other, Tok::TypeOther(String::from_utf8_lossy(&s[at..at + other]).into_owned()));
        match best {
            Some((len, tok)) => {
                self.at += len;
                self.state = if matches!(tok, Tok::TypeOther(_)) { State::OtherAudit } else { State::Initial };
                Some(tok)
            }
            None => self.begin(State::UnknownMessage),
        }
    }

    fn initial(&mut self) -> Option<Tok> {
        let (s, at) = (self.s, self.at);
        let b = s[at];
        if is_ws(b) {
            return self.skip(run(s, at, is_ws));
        }
        if b == b'"' {
            return self.open_quote();
        }
        let single = match b {
            b'=' => Some(Tok::Equals),
            b':' => Some(Tok::Colon),
            b'-' => Some(Tok::Minus),
            b'(' => Some(Tok::OpenParen),
            b')' => Some(Tok::CloseParen),
            b'.' => Some(Tok::Period),
            b'?' => Some(Tok::QuestionMark),
            b'\'' => Some(Tok::SingleQuote),
            _ => None,
        };
        // Every rule that can match here, in the scanner's order; the
        // longest match wins and the first listed wins a tie.
        #[derive(Clone, Copy)]
        enum Rule {
            Single,
            Digits,
            None,
            Key(usize),
            Socklogd,
            SyslogKernel,
            SyslogUser,
            Month,
            Date,
            DateT,
            Time,
            Audit,
            Stamp,
        }
        let mut best: (usize, Rule) = (0, Rule::Single);
        let mut consider = |len: usize, rule: Rule| {
            if len > best.0 {
                best = (len, rule);
            }
        };
        if single.is_some() {
            consider(1, Rule::Single);
        }
        consider(digits(s, at), Rule::Digits);
        consider(literal(s, at, "none"), Rule::None);
        for (i, (lit, _, _)) in KEYS.iter().enumerate() {
            consider(literal(s, at, lit), Rule::Key(i));
        }
        consider(socklogd_kernel(s, at), Rule::Socklogd);
        consider(literal(s, at, "kernel:"), Rule::SyslogKernel);
        consider(syslog_user(s, at), Rule::SyslogUser);
        consider(month(s, at), Rule::Month);
        let d = date(s, at);
        consider(d, Rule::Date);
        if d > 0 && s.get(at + 10) == Some(&b'T') {
            let t = time(s, at + 11);
            if t > 0 {
                consider(11 + t, Rule::DateT);
            }
        }
        consider(time(s, at), Rule::Time);
        consider(literal(s, at, "audit"), Rule::Audit);
        consider(dmesg_stamp(s, at), Rule::Stamp);
        let (len, rule) = best;
        if len == 0 {
            return self.begin(State::UnknownMessage);
        }
        self.at += len;
        Some(match rule {
            Rule::Single => {
                let tok = single.unwrap_or(Tok::Equals);
                if tok == Tok::OpenParen {
                    self.state = State::SubId;
                }
                tok
            }
            Rule::Digits => Tok::Digits(atol(&s[at..at + len])),
            Rule::None => Tok::None,
            Rule::Key(i) => {
                let (_, key, then) = KEYS[i];
                match then {
                    Then::Stay => {}
                    Then::Begin(state) => self.state = state,
                    Then::Push(state) => {
                        self.stack.push(self.state);
                        self.state = state;
                    }
                }
                Tok::Key(key)
            }
            Rule::Socklogd => {
                self.state = State::DmesgTimestamp;
                Tok::SocklogdKernel
            }
            Rule::SyslogKernel => {
                self.state = State::DmesgTimestamp;
                Tok::SyslogKernel
            }
            Rule::SyslogUser => Tok::SyslogUser,
            Rule::Month => Tok::Month,
            Rule::Date => Tok::Date,
            Rule::DateT => {
                // The time is trailing context: only the date and its `T`
                // are consumed.
                self.at = at + 11;
                Tok::Date
            }
            Rule::Time => {
                self.state = State::Hostname;
                Tok::Time
            }
            Rule::Audit => {
                self.stack.push(self.state);
                self.state = State::AuditId;
                Tok::Audit
            }
            Rule::Stamp => Tok::DmesgStamp,
        })
    }
}

/// The first spelling of a key, for messages.
pub(crate) fn key_spelling(key: Key) -> &'static str {
    KEYS.iter().find(|(_, k, _)| *k == key).map_or("?", |(s, _, _)| s)
}
