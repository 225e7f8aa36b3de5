use aa_syntax::ast::{self, AstNode};

use crate::{
    context::LintContext,
    diagnostic::{Severity, Sink},
    registry::declare_lint,
};

declare_lint! {
    /// ## What it flags
    ///
    /// A `default-allow` or `default_allow` profile flag. `apparmor_parser`
    /// 3.x rejects both (`Invalid profile flag`); `default-allow` is not a
    /// flag in any version, and the `default_allow` mode is only known to
    /// newer parsers. (The `parser` group reports the unknown spelling as
    /// well; this lint says why and what to write instead.)
    ///
    /// ## Why it matters
    ///
    /// The whole policy file fails to load, so nothing in it is enforced:
    /// not the profile with the flag, not its neighbours.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile system /** flags=(default-allow) {
    ///   deny /etc/shadow r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile system /** {
    ///   file,
    ///   capability,
    ///   network,
    ///   deny /etc/shadow r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None.
    pub static DEFAULT_ALLOW_FLAG = {
        code: "AA207",
        name: "default-allow-flag",
        group: Correctness,
        level: Error,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let tree = ctx.parse(ctx.root).syntax_node();
    for profile in tree.descendants().filter_map(ast::Profile::cast) {
        let Some(flags) = profile.flags() else {
            continue;
        };
        for flag in flags.syntax().children() {
            let text = flag.text().to_string();
            let message = match text.trim() {
                "default-allow" => {
                    "`default-allow` is not a profile flag: apparmor_parser rejects the file (\"Invalid profile flag\"). To allow by default, grant broadly (`file,`, `capability,`, `network,`, ...) and deny what must not happen"
                }
                "default_allow" => {
                    "the `default_allow` mode is unknown to apparmor_parser 3.x, which rejects the file (\"Invalid profile flag\"); it needs a parser and kernel that support it. Otherwise grant broadly (`file,`, `capability,`, ...) and deny what must not happen"
                }
                _ => continue,
            };
            sink.report_with(Severity::Error, message, ctx.root, flag.text_range());
        }
    }
}
