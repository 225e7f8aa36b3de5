use crate::registry::declare_lint;

declare_lint! {
    /// ## What it flags
    ///
    /// A suppression comment that silences nothing: the lints it names found
    /// nothing where it applies. Only lints that ran are considered, and
    /// model lints only in files that declare a profile.
    ///
    /// ## Why it matters
    ///
    /// A stale suppression hides the next real finding at that place, and
    /// its reason no longer describes the profile.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   capability net_bind_service, # aa-lint: allow(dangerous-capability) binds port 80
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   capability net_bind_service,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// Safe: deletes the comment (its whole line when it stands alone), when
    /// none of its names is used.
    pub static UNUSED_SUPPRESSION = {
        code: "AA210",
        name: "unused-suppression",
        group: Correctness,
        level: Warn,
        fix: Safe,
        scope: Syntax,
        check: |_, _| {},
    }
}
