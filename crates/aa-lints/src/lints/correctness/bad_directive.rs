use aa_hir::directives::file_directives;

use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// A build directive of the apparmor.d collection (a comment starting
    /// with `#aa:`) that its build would reject or misread: an unknown
    /// directive name, `#aa:dbus` without an access (`own`, `talk`, `see`),
    /// `bus=` or `name=`, with an unknown option or bus, `talk` without
    /// `label=`, an `#aa:exec` or `#aa:stack` naming no profile file or one
    /// that does not exist, an `#aa:only` / `#aa:exclude` filter that is not
    /// a distribution, family or ABI, and a directive ending with a comma.
    ///
    /// ## Why it matters
    ///
    /// `apparmor_parser` reads these lines as comments, so nothing complains
    /// until the collection's build breaks or, worse, silently generates no
    /// rule: the profile then lacks the access the directive was meant to
    /// give.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// #aa:dbus own bus=system
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// #aa:dbus own bus=system name=org.example.Daemon
    /// ```
    ///
    /// ## Fix
    ///
    /// None: only the author knows what the directive should say.
    pub static BAD_DIRECTIVE = {
        code: "AA218",
        name: "bad-directive",
        group: Correctness,
        level: Warn,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for error in &file_directives(ctx.db, ctx.root).errors {
        sink.report(error.message.clone(), ctx.root, error.range);
    }
}
