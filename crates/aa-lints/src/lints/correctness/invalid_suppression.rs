use crate::registry::declare_lint;

declare_lint! {
    /// ## What it flags
    ///
    /// A suppression comment that is malformed, gives no reason, names a lint
    /// that does not exist, or names a `parser` group code (what
    /// `apparmor_parser` rejects cannot be silenced). The form is
    /// `# aa-lint: allow(NAME[, NAME]) reason`; names may be lint names or
    /// codes. A suppression without a reason still applies.
    ///
    /// ## Why it matters
    ///
    /// A suppression is a decision that a grant is acceptable; the reason is
    /// what the next reviewer needs to check it. A misspelt name silences
    /// nothing.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   capability sys_admin, # aa-lint: allow(dangerous-capability)
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   capability sys_admin, # aa-lint: allow(dangerous-capability) mounts FUSE file systems
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None.
    pub static INVALID_SUPPRESSION = {
        code: "AA209",
        name: "invalid-suppression",
        group: Correctness,
        level: Warn,
        fix: None,
        scope: Syntax,
        check: |_, _| {},
    }
}
