use crate::{context::LintContext, diagnostic::Sink, registry::declare_lint};

declare_lint! {
    /// ## What it flags
    ///
    /// A file whose top-level profiles are none of them named after the file:
    /// the file `usr.bin.example` (or `example`) should hold the profile
    /// `example`, `usr.bin.example` or `/usr/bin/example`, or a profile
    /// attached to `/usr/bin/example` (alternations such as
    /// `/{usr/,}bin/example` are tried one by one).
    ///
    /// ## Why it matters
    ///
    /// Tools and people find a profile by its file (`aa-enforce`,
    /// `aa-disable`, `local/NAME`); a profile living under another name is
    /// missed, and two files may end up defining the same profile.
    ///
    /// ## Example
    ///
    /// ```apparmor
    /// profile other /usr/bin/other {
    ///   /etc/other.conf r,
    /// }
    /// ```
    ///
    /// ## Use instead
    ///
    /// ```apparmor
    /// profile example /usr/bin/example {
    ///   /etc/example.conf r,
    /// }
    /// ```
    ///
    /// ## Fix
    ///
    /// None: renaming a profile changes what `local/` and policy tools refer to.
    pub static PROFILE_NAME_MISMATCH = {
        code: "AA303",
        name: "profile-name-mismatch",
        group: Style,
        level: Allow,
        fix: None,
        scope: Syntax,
        check: check,
    }
}

fn matches(file: &str, candidate: &str) -> bool {
    crate::glob::expand_braces(candidate, 64).iter().any(|alt| {
        let alt = crate::glob::normalize(alt);
        let dotted = alt.trim_start_matches('/').replace('/', ".");
        let base = alt.rsplit('/').next().unwrap_or(&alt);
        file == alt || file == dotted || file == base
    })
}

fn check(ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    let file = ctx.root_file_name();
    let top: Vec<_> =
        ctx.model.profiles.iter().filter(|p| p.parent.is_none() && p.origin.location.file == ctx.root).collect();
    let Some(first) = top.first() else { return };
    if top.iter().any(|p| matches(&file, &p.name) || p.attachment.as_deref().is_some_and(|a| matches(&file, a))) {
        return;
    }
    let range = ctx.first_line(ctx.root, first.origin.location.range);
    sink.report(format!("profile `{}` is not named after its file `{file}`", first.name), ctx.root, range);
}
