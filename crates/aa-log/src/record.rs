//! The record read from one audit message: the fields libapparmor's
//! `aa_log_record` keeps, with `None` where the message did not say.

/// What kind of record the message is, as libapparmor classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// Not an AppArmor record, or one this reader (like libapparmor) could not read.
    Invalid,
    /// `apparmor="ERROR"`: an internal AppArmor error.
    Error,
    /// `apparmor="AUDIT"`: an access granted by an `audit` rule.
    Audit,
    /// `apparmor="ALLOWED"`: an access a complain-mode profile would deny.
    Allowed,
    /// `apparmor="DENIED"`: an access the profile denied.
    Denied,
    /// `apparmor="HINT"`: process-tracking information (fork, exec).
    Hint,
    /// `apparmor="STATUS"`: a policy change (load, replace, remove).
    Status,
}

impl EventType {
    /// The event of an audit message type number (`type=1503`), as the
    /// kernel's `AUDIT_APPARMOR_*` constants define them; any other number
    /// (e.g. 1400, the generic `AVC`) leaves the record invalid until an
    /// `apparmor=` field says what it is.
    pub fn from_audit_type(number: u64) -> EventType {
        match number {
            1501 => EventType::Audit,
            1502 => EventType::Allowed,
            1503 => EventType::Denied,
            1504 => EventType::Hint,
            1505 => EventType::Status,
            1506 => EventType::Error,
            _ => EventType::Invalid,
        }
    }

    /// The name libapparmor's test harness prints (`AA_RECORD_DENIED`).
    pub fn libapparmor_name(self) -> &'static str {
        match self {
            EventType::Invalid => "AA_RECORD_INVALID",
            EventType::Error => "AA_RECORD_ERROR",
            EventType::Audit => "AA_RECORD_AUDIT",
            EventType::Allowed => "AA_RECORD_ALLOWED",
            EventType::Denied => "AA_RECORD_DENIED",
            EventType::Hint => "AA_RECORD_HINT",
            EventType::Status => "AA_RECORD_STATUS",
        }
    }
}

/// One audit record. String values are decoded: quoted values unescaped,
/// hex-encoded ones (`name=2F746D70`, used by the kernel when a value has
/// spaces or unprintable bytes) turned back into text (bytes that are not
/// UTF-8 are replaced by U+FFFD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub event: EventType,
    /// `true` for the AppArmor 2.6+ key=value syntax (every form this reader
    /// accepts); `false` for messages that were not read as such.
    pub v2_syntax: bool,
    /// `EPOCH.MILLIS:SERIAL`, as in `msg=audit(1661734785.992:270)`.
    pub audit_id: Option<String>,
    pub epoch: Option<u64>,
    pub audit_sub_id: Option<u64>,
    pub operation: Option<String>,
    pub requested_mask: Option<String>,
    pub denied_mask: Option<String>,
    pub fsuid: Option<u64>,
    pub ouid: Option<u64>,
    /// `profile=` or `label=`: the confining label, with its namespace
    /// (`:ns:name`) and stacked layers (`a//&b`) as the kernel wrote them.
    pub profile: Option<String>,
    /// `peer_profile=`, `peer_label=` or `tcontext=`.
    pub peer_profile: Option<String>,
    pub peer: Option<String>,
    /// The object: a path, a capability name (`capname=`), a D-Bus name...
    pub name: Option<String>,
    /// `comm=` or `exe=` (the last one given).
    pub comm: Option<String>,
    /// The second object: a link or rename target, or `target=` of an exec.
    pub name2: Option<String>,
    pub namespace: Option<String>,
    pub attribute: Option<String>,
    pub task: Option<u64>,
    pub parent: Option<u64>,
    pub magic_token: Option<u64>,
    /// `info=`, or the unread rest of a message that could not be read.
    pub info: Option<String>,
    pub peer_info: Option<String>,
    /// `error=-13` is kept as 13 (the errno), as libapparmor keeps it.
    pub error_code: Option<u64>,
    pub pid: Option<u64>,
    pub peer_pid: Option<u64>,
    pub net_addr: Option<String>,
    pub peer_addr: Option<String>,
    pub net_family: Option<String>,
    pub net_sock_type: Option<String>,
    /// `protocol=6` is kept by name (`tcp`), as libapparmor names it.
    pub net_protocol: Option<String>,
    pub net_local_addr: Option<String>,
    pub net_foreign_addr: Option<String>,
    pub net_local_port: Option<u64>,
    pub net_foreign_port: Option<u64>,
    pub dbus_bus: Option<String>,
    pub dbus_path: Option<String>,
    pub dbus_interface: Option<String>,
    pub dbus_member: Option<String>,
    pub signal: Option<String>,
    pub fs_type: Option<String>,
    pub flags: Option<String>,
    pub src_name: Option<String>,
    pub execpath: Option<String>,
    /// `class=` (`file`, `net`, `posix_mqueue`, `io_uring`, `namespace`...).
    pub rule_class: Option<String>,
}

impl Default for Record {
    fn default() -> Record {
        Record {
            event: EventType::Invalid,
            v2_syntax: false,
            audit_id: None,
            epoch: None,
            audit_sub_id: None,
            operation: None,
            requested_mask: None,
            denied_mask: None,
            fsuid: None,
            ouid: None,
            profile: None,
            peer_profile: None,
            peer: None,
            name: None,
            comm: None,
            name2: None,
            namespace: None,
            attribute: None,
            task: None,
            parent: None,
            magic_token: None,
            info: None,
            peer_info: None,
            error_code: None,
            pid: None,
            peer_pid: None,
            net_addr: None,
            peer_addr: None,
            net_family: None,
            net_sock_type: None,
            net_protocol: None,
            net_local_addr: None,
            net_foreign_addr: None,
            net_local_port: None,
            net_foreign_port: None,
            dbus_bus: None,
            dbus_path: None,
            dbus_interface: None,
            dbus_member: None,
            signal: None,
            fs_type: None,
            flags: None,
            src_name: None,
            execpath: None,
            rule_class: None,
        }
    }
}

impl Record {
    /// The record in the text format of libapparmor's `test_multi` harness
    /// (its `.out` files), without the `START` and `File:` header lines.
    /// Numbers that libapparmor stores as 0 for "unset" are not printed when
    /// 0, as it does not print them.
    pub fn libapparmor_dump(&self) -> String {
        let mut out = String::new();
        let mut s = |label: &str, value: &Option<String>| {
            if let Some(value) = value {
                out.push_str(label);
                out.push_str(": ");
                out.push_str(value);
                out.push('\n');
            }
        };
        let n = |v: Option<u64>, zero_is_unset: bool| match v {
            Some(0) if zero_is_unset => None,
            Some(v) => Some(v.to_string()),
            None => None,
        };
        s("Event type", &Some(self.event.libapparmor_name().to_owned()));
        s("Audit ID", &self.audit_id);
        s("Operation", &self.operation);
        s("Mask", &self.requested_mask);
        s("Denied Mask", &self.denied_mask);
        s("fsuid", &n(self.fsuid, false));
        s("ouid", &n(self.ouid, false));
        s("Profile", &self.profile);
        s("Peer profile", &self.peer_profile);
        s("Peer", &self.peer);
        s("Name", &self.name);
        s("Command", &self.comm);
        s("Name2", &self.name2);
        s("Namespace", &self.namespace);
        s("Attribute", &self.attribute);
        s("Task", &n(self.task, true));
        s("Parent", &n(self.parent, true));
        s("Token", &n(self.magic_token, true));
        s("Info", &self.info);
        s("Peer info", &self.peer_info);
        s("ErrorCode", &n(self.error_code, true));
        s("PID", &n(self.pid, true));
        s("Peer PID", &n(self.peer_pid, true));
        s("Net Addr", &self.net_addr);
        s("Peer Addr", &self.peer_addr);
        s("Network family", &self.net_family);
        s("Socket type", &self.net_sock_type);
        s("Protocol", &self.net_protocol);
        s("Local addr", &self.net_local_addr);
        s("Foreign addr", &self.net_foreign_addr);
        s("Local port", &n(self.net_local_port, true));
        s("Foreign port", &n(self.net_foreign_port, true));
        s("DBus bus", &self.dbus_bus);
        s("DBus path", &self.dbus_path);
        s("DBus interface", &self.dbus_interface);
        s("DBus member", &self.dbus_member);
        s("Signal", &self.signal);
        s("FS Type", &self.fs_type);
        s("Flags", &self.flags);
        s("Src name", &self.src_name);
        s("Execpath", &self.execpath);
        s("Class", &self.rule_class);
        s("Epoch", &n(self.epoch, true));
        s("Audit subid", &n(self.audit_sub_id, true));
        out
    }
}
