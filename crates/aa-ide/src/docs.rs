//! Short explanations of AppArmor vocabulary, in our own words, for hover
//! and completion. Each table is `(name, explanation)`.

pub(crate) type Table = &'static [(&'static str, &'static str)];

/// Rule keywords and statement keywords.
pub(crate) const KEYWORDS: Table = &[
    ("abi", "Pins the policy to a kernel feature ABI, so rules are read the same way whatever kernel loads them."),
    ("alias", "Rewrites one path prefix to another before file rules are matched."),
    ("all", "Grants every kind of access in one rule (used by `unconfined`-style profiles)."),
    ("allow", "Explicitly marks the rule as granting access (the default)."),
    ("audit", "Logs each access the rule matches, whether it is allowed or denied."),
    ("capability", "Grants Linux capabilities (privileged operations) to the confined task."),
    ("change_profile", "Lets the task switch itself to another profile, optionally only when it executes a given path."),
    ("dbus", "Mediates D-Bus messages: sending, receiving, binding names, eavesdropping."),
    ("deny", "Refuses the access and suppresses its log entry; a deny always wins over an allow."),
    ("file", "Grants file access; without a path it grants access to all files."),
    ("flags", "Profile modes and behaviours, e.g. `flags=(complain)`."),
    ("hat", "A sub-profile the application can switch into with `change_hat`."),
    ("if", "Includes the block only when a boolean variable or definition test holds."),
    ("else", "The block used when the `if` condition does not hold."),
    ("include", "Reads another file in place, as if its text were written here."),
    ("io_uring", "Mediates io_uring operations: overriding credentials and creating SQPOLL threads."),
    ("link", "Grants creating hard links from a path to a target."),
    ("mount", "Grants mounting file systems, with conditions on type, options and source."),
    ("mqueue", "Mediates POSIX and System V message queues."),
    ("network", "Grants socket access by address family, socket type or protocol."),
    ("owner", "Applies the rule only to files the task's user owns."),
    ("other", "Applies the rule only to files the task's user does not own."),
    ("pivot_root", "Grants changing the root file system of the mount namespace."),
    ("priority", "Orders the rule against others that match the same access; higher wins."),
    ("profile", "Declares a profile: a named set of rules that confines programs."),
    ("prompt", "Asks a user-space agent whether to allow the access."),
    ("ptrace", "Mediates tracing and inspecting other processes (debuggers, /proc access)."),
    ("remount", "Grants changing the options of an existing mount."),
    ("rlimit", "Sets a resource limit for the confined task, e.g. `set rlimit nofile <= 1024`."),
    ("set", "Introduces an `rlimit` setting."),
    ("signal", "Mediates sending and receiving signals."),
    ("umount", "Grants unmounting file systems."),
    ("unix", "Mediates UNIX domain sockets, including abstract and anonymous ones."),
    ("userns", "Grants creating user namespaces."),
    ("safe", "Scrubs the environment when executing (`change_profile safe`)."),
    ("unsafe", "Keeps the environment when executing (`change_profile unsafe`)."),
    ("exists", "`include if exists`: a missing file is silently skipped."),
    ("defined", "Tests whether a variable is defined, in an `if` condition."),
];

/// Linux capabilities.
pub(crate) const CAPABILITIES: Table = &[
    ("chown", "Change the owner and group of any file."),
    ("dac_override", "Ignore file read, write and execute permission bits."),
    ("dac_read_search", "Ignore permission bits for reading files and searching directories."),
    ("fowner", "Act as owner of any file for permission checks (chmod, utime, ...)."),
    ("fsetid", "Keep set-user/group-ID bits when modifying files; set the group ID bit freely."),
    ("kill", "Send signals to processes of other users."),
    ("setgid", "Change group IDs and supplementary groups arbitrarily."),
    ("setuid", "Change user IDs arbitrarily."),
    ("setpcap", "Change capability sets and bounding sets."),
    ("linux_immutable", "Set or clear the immutable and append-only file attributes."),
    ("net_bind_service", "Bind sockets to ports below 1024."),
    ("net_broadcast", "Broadcast and listen to multicast (unused by current kernels)."),
    ("net_admin", "Configure interfaces, routing, firewalls and other network settings."),
    ("net_raw", "Use raw and packet sockets and bind to any address."),
    ("ipc_lock", "Lock memory (mlock) and use huge shared memory."),
    ("ipc_owner", "Bypass permission checks on System V IPC objects."),
    ("sys_module", "Load and unload kernel modules."),
    ("sys_rawio", "Perform raw I/O: ioperm, iopl, /dev/mem and similar."),
    ("sys_chroot", "Call chroot and change mount namespaces with setns."),
    ("sys_ptrace", "Trace any process with ptrace."),
    ("sys_pacct", "Turn process accounting on or off."),
    ("sys_admin", "A broad set of administrative operations: mount, sethostname, quotas and many more."),
    ("sys_boot", "Reboot and load a new kernel with kexec."),
    ("sys_nice", "Raise scheduling priority and set real-time policies for any process."),
    ("sys_resource", "Exceed resource limits and quotas."),
    ("sys_time", "Set the system clock."),
    ("sys_tty_config", "Configure terminals (vhangup and some ioctls)."),
    ("mknod", "Create device special files."),
    ("lease", "Take leases on files the task does not own."),
    ("audit_write", "Write records to the kernel audit log."),
    ("audit_control", "Configure kernel auditing and its rules."),
    ("setfcap", "Set file capabilities."),
    ("mac_override", "Override mandatory access control (not used by AppArmor itself)."),
    ("mac_admin", "Administer the LSM: load and change AppArmor policy."),
    ("syslog", "Use privileged syslog operations, such as reading kernel addresses."),
    ("wake_alarm", "Set alarms that wake the system from suspend."),
    ("block_suspend", "Block system suspend."),
    ("audit_read", "Read the audit log through a multicast netlink socket."),
    ("perfmon", "Use performance monitoring (perf_event_open and related)."),
    ("bpf", "Use privileged BPF operations."),
    ("checkpoint_restore", "Checkpoint and restore processes (set PIDs, read map files)."),
];

pub(crate) const NETWORK_FAMILIES: Table = &[
    ("unspec", "Unspecified address family."),
    ("unix", "UNIX domain sockets (local inter-process communication)."),
    ("inet", "IPv4."),
    ("inet6", "IPv6."),
    ("ax25", "Amateur radio AX.25."),
    ("ipx", "Novell IPX."),
    ("appletalk", "AppleTalk DDP."),
    ("netrom", "Amateur radio NET/ROM."),
    ("bridge", "Multiprotocol bridge."),
    ("atmpvc", "ATM permanent virtual circuits."),
    ("x25", "ITU-T X.25."),
    ("rose", "Amateur radio X.25 PLP."),
    ("netbeui", "NetBEUI (reserved)."),
    ("security", "Security callback pseudo family."),
    ("key", "Key management (PF_KEY) for IPsec."),
    ("netlink", "Kernel/user-space messaging: routing, audit, udev and more."),
    ("packet", "Raw link-layer packets."),
    ("ash", "Ash."),
    ("econet", "Acorn Econet."),
    ("atmsvc", "ATM switched virtual circuits."),
    ("rds", "Reliable Datagram Sockets."),
    ("sna", "Linux SNA."),
    ("irda", "IrDA infrared."),
    ("pppox", "PPP over X (PPPoE, L2TP)."),
    ("wanpipe", "Wanpipe API sockets."),
    ("llc", "IEEE 802.2 LLC."),
    ("ib", "InfiniBand native addressing."),
    ("mpls", "MPLS."),
    ("can", "Controller Area Network."),
    ("tipc", "TIPC cluster communication."),
    ("bluetooth", "Bluetooth."),
    ("iucv", "IUCV on IBM z."),
    ("rxrpc", "RxRPC (AFS)."),
    ("isdn", "mISDN."),
    ("phonet", "Nokia Phonet."),
    ("ieee802154", "IEEE 802.15.4 low-rate wireless."),
    ("caif", "ST-Ericsson CAIF."),
    ("alg", "Kernel crypto API."),
    ("nfc", "Near-field communication."),
    ("vsock", "Virtual machine sockets (host/guest)."),
    ("kcm", "Kernel connection multiplexor."),
    ("qipcrtr", "Qualcomm IPC router."),
    ("smc", "Shared memory communications over RDMA."),
    ("xdp", "XDP (express data path) sockets."),
    ("mctp", "Management Component Transport Protocol."),
];

pub(crate) const NETWORK_TYPES: Table = &[
    ("stream", "Connection-oriented byte streams (TCP for inet)."),
    ("dgram", "Connectionless datagrams (UDP for inet)."),
    ("seqpacket", "Connection-oriented, record-preserving packets."),
    ("rdm", "Reliably delivered messages."),
    ("raw", "Raw protocol access."),
    ("packet", "Link-layer packets (obsolete type)."),
    ("tcp", "Protocol TCP (stream sockets)."),
    ("udp", "Protocol UDP (datagram sockets)."),
    ("icmp", "Protocol ICMP."),
];

pub(crate) const SIGNALS: Table = &[
    ("hup", "Hang-up; daemons often reload their configuration on it."),
    ("int", "Interrupt from the keyboard (Ctrl-C)."),
    ("quit", "Quit from the keyboard, with a core dump."),
    ("ill", "Illegal instruction."),
    ("trap", "Trace or breakpoint trap."),
    ("abrt", "Abort (raised by abort())."),
    ("bus", "Bus error: bad memory access."),
    ("fpe", "Arithmetic error."),
    ("kill", "Kill; cannot be caught or ignored."),
    ("usr1", "First user-defined signal."),
    ("segv", "Invalid memory reference."),
    ("usr2", "Second user-defined signal."),
    ("pipe", "Write to a pipe with no readers."),
    ("alrm", "Timer from alarm()."),
    ("term", "Polite termination request."),
    ("stkflt", "Coprocessor stack fault (unused)."),
    ("chld", "A child stopped or exited."),
    ("cont", "Continue if stopped."),
    ("stop", "Stop; cannot be caught or ignored."),
    ("stp", "Alias of `tstp`."),
    ("tstp", "Stop from the terminal (Ctrl-Z)."),
    ("ttin", "Terminal input for a background process."),
    ("ttou", "Terminal output for a background process."),
    ("urg", "Urgent condition on a socket."),
    ("xcpu", "CPU time limit exceeded."),
    ("xfsz", "File size limit exceeded."),
    ("vtalrm", "Virtual timer alarm."),
    ("prof", "Profiling timer expired."),
    ("winch", "Terminal window size changed."),
    ("io", "I/O is possible."),
    ("poll", "Pollable event (same as `io`)."),
    ("pwr", "Power failure."),
    ("sys", "Bad system call."),
    ("emt", "Emulator trap."),
    ("exists", "Signal 0: only checks that the target exists."),
];

pub(crate) const FLAGS: Table = &[
    ("enforce", "Mode: deny and log what the profile does not allow (the default)."),
    ("complain", "Mode: allow everything, but log what the profile would deny; for developing profiles."),
    ("kill", "Mode: kill the task on any denied access."),
    ("unconfined", "Mode: no confinement; the profile only names the task."),
    ("prompt", "Mode: ask a user-space agent about accesses the profile does not cover."),
    ("default_allow", "Mode: allow what no rule denies."),
    ("debug", "Log extra debugging information for this profile."),
    ("audit", "Log every access the profile allows as well as the denials."),
    ("chroot_relative", "Match file paths relative to the task's chroot."),
    ("namespace_relative", "Match file paths relative to the mount namespace (the default)."),
    ("mediate_deleted", "Mediate deleted files by their former name."),
    ("delegate_deleted", "Let accesses to deleted files through."),
    ("attach_disconnected", "Treat paths unreachable from the namespace root as if under `/`."),
    ("no_attach_disconnected", "Do not attach disconnected paths (the default)."),
    ("chroot_attach", "Attach disconnected paths to the chroot."),
    ("chroot_no_attach", "Do not attach disconnected paths to the chroot."),
    ("interruptible", "Let prompts be interrupted by signals."),
    ("attach_disconnected.ipc", "Attach disconnected IPC paths (mqueue, sockets) too."),
    ("attach_disconnected.path", "`attach_disconnected.path=/prefix`: where disconnected paths are attached."),
    ("error", "`error=EPERM`: the errno returned for denials."),
];

/// File permission letters.
pub(crate) const PERMS: Table = &[
    ("r", "read"),
    ("w", "write (implies append; cannot be combined with `a`)"),
    ("a", "append only"),
    ("l", "create hard links to the file"),
    ("k", "lock the file"),
    ("m", "map the file executable (mmap with PROT_EXEC)"),
    ("x", "execute (needs a mode such as `ix`, `Px`)"),
    ("c", "create (permission-table policies)"),
    ("d", "delete (permission-table policies)"),
];

/// Exec modes, longest first, as completion lists them.
pub(crate) const EXEC_MODES: Table = &[
    ("ix", "inherit: run the program under the current profile"),
    ("ux", "unconfined: run the program without confinement, environment scrubbed"),
    ("Ux", "unconfined, environment kept (dangerous)"),
    ("px", "discrete profile: run under the profile for the program, which must exist; environment scrubbed"),
    ("Px", "discrete profile, environment kept"),
    ("cx", "child profile: run under a child profile of this one; environment scrubbed"),
    ("Cx", "child profile, environment kept"),
    ("pix", "discrete profile if it exists, else inherit; environment scrubbed"),
    ("Pix", "discrete profile if it exists, else inherit; environment kept"),
    ("pux", "discrete profile if it exists, else unconfined; environment scrubbed"),
    ("PUx", "discrete profile if it exists, else unconfined; environment kept"),
    ("cix", "child profile if it exists, else inherit; environment scrubbed"),
    ("Cix", "child profile if it exists, else inherit; environment kept"),
    ("cux", "child profile if it exists, else unconfined; environment scrubbed"),
    ("CUx", "child profile if it exists, else unconfined; environment kept"),
];

pub(crate) const PTRACE_ACCESS: &[&str] = &["trace", "read", "tracedby", "readby", "r", "w", "rw"];
pub(crate) const SIGNAL_ACCESS: &[&str] = &["send", "receive", "r", "w", "rw"];
pub(crate) const DBUS_ACCESS: &[&str] = &["send", "receive", "bind", "eavesdrop", "r", "w", "rw"];
pub(crate) const DBUS_CONDS: &[&str] = &["bus=", "name=", "path=", "interface=", "member=", "peer=(", "label="];
pub(crate) const UNIX_ACCESS: &[&str] = &[
    "create", "bind", "listen", "accept", "connect", "shutdown", "getattr", "setattr", "getopt",
    "setopt", "send", "receive", "r", "w", "rw",
];
pub(crate) const UNIX_CONDS: &[&str] = &["type=", "protocol=", "addr=", "label=", "attr=", "opt=", "peer=("];
pub(crate) const MOUNT_CONDS: &[&str] = &["fstype=", "options=", "options in ("];
pub(crate) const MOUNT_OPTIONS: &[&str] = &[
    "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "remount",
    "mand", "nomand", "dirsync", "symfollow", "nosymfollow", "atime", "noatime", "diratime",
    "nodiratime", "bind", "move", "rbind", "verbose", "silent", "loud", "acl", "noacl",
    "unbindable", "runbindable", "private", "rprivate", "slave", "rslave", "shared", "rshared",
    "relatime", "norelatime", "iversion", "noiversion", "strictatime", "nostrictatime",
    "lazytime", "nolazytime", "user", "nouser",
];
pub(crate) const RLIMITS: &[&str] = &[
    "fsize", "data", "stack", "core", "rss", "as", "memlock", "msgqueue", "nofile", "ofile",
    "nproc", "locks", "sigpending", "rtprio", "cpu", "rttime", "nice",
];

/// Keywords that start a rule or statement inside a profile.
pub(crate) const RULE_KEYWORDS: &[&str] = &[
    "capability", "network", "unix", "dbus", "signal", "ptrace", "mount", "remount", "umount",
    "pivot_root", "change_profile", "file", "link", "rlimit", "mqueue", "io_uring", "userns",
    "include", "include if exists", "profile", "hat", "audit", "deny", "allow", "owner", "other",
    "priority=", "all", "abi", "if",
];

pub(crate) fn lookup(table: Table, name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
}

/// Explains a file permission word (`rwk`, `Px`, `pix`) letter by letter.
pub(crate) fn explain_perms(word: &str) -> Option<String> {
    let mut lines = Vec::new();
    let mut rest = word;
    while !rest.is_empty() {
        // Exec modes first, longest match.
        let mode = EXEC_MODES
            .iter()
            .filter(|(m, _)| rest.starts_with(m))
            .max_by_key(|(m, _)| m.len());
        if let Some((m, d)) = mode {
            lines.push(format!("- `{m}`: {d}"));
            rest = &rest[m.len()..];
            continue;
        }
        let ch = rest.chars().next()?;
        let s = &rest[..ch.len_utf8()];
        match lookup(PERMS, s) {
            Some(d) => lines.push(format!("- `{s}`: {d}")),
            None => lines.push(format!("- `{s}`: not a file permission")),
        }
        rest = &rest[ch.len_utf8()..];
    }
    Some(lines.join("\n"))
}
