//! The one table of lints: code ↔ name ↔ metadata ↔ check function.
//!
//! Codes are stable and never reused: `AA0xx` the `parser` group (what
//! `apparmor_parser` rejects, found by `aa-hir`), `AA1xx` security,
//! `AA2xx` correctness, `AA3xx` style, `AA4xx` nursery, `AA5xx` the
//! opt-in `apparmor.d` group (that collection's house rules). A new lint takes
//! the next free code of its group and is added to `REGISTRY` below.

use crate::{context::LintContext, diagnostic::Severity, diagnostic::Sink, lints};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// What `apparmor_parser` rejects (or warns about) when it loads the policy.
    Parser,
    /// Grants wider than the program needs: least privilege.
    Security,
    /// Rules that do not do what they seem to.
    Correctness,
    /// House style: layout, naming, tunables. Off by default.
    Style,
    /// New lints that are still settling. Off by default.
    Nursery,
    /// The apparmor.d collection's own rules (its `check.sh`): house style
    /// and lists of programs that only mean something there. Off by default.
    ApparmorD,
}

impl Group {
    pub const ALL: &'static [Group] =
        &[Group::Parser, Group::Security, Group::Correctness, Group::Style, Group::Nursery, Group::ApparmorD];

    pub fn name(self) -> &'static str {
        match self {
            Group::Parser => "parser",
            Group::Security => "security",
            Group::Correctness => "correctness",
            Group::Style => "style",
            Group::Nursery => "nursery",
            Group::ApparmorD => "apparmor.d",
        }
    }

    pub fn from_name(name: &str) -> Option<Group> {
        Group::ALL.iter().copied().find(|g| g.name().eq_ignore_ascii_case(name))
    }
}

/// How a lint is configured: `Allow` turns it off; the others turn it on and
/// set the severity of every finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Allow,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Info => Some(Severity::Info),
            Level::Warn => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    pub fn from_name(name: &str) -> Option<Level> {
        [Level::Allow, Level::Info, Level::Warn, Level::Error].into_iter().find(|l| l.name().eq_ignore_ascii_case(name))
    }
}

/// What fix a lint offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FixSafety {
    None,
    /// Keeps the policy's meaning.
    Safe,
    /// May change what the profile grants: review before applying.
    Unsafe,
}

impl FixSafety {
    pub fn name(self) -> &'static str {
        match self {
            FixSafety::None => "none",
            FixSafety::Safe => "safe",
            FixSafety::Unsafe => "unsafe",
        }
    }
}

/// What a lint looks at, which decides when an unused suppression of it can
/// be reported: a model lint finds nothing in a file that holds no profile
/// (an abstraction linted on its own), so its suppressions there are not
/// unused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The resolved policy model (through includes and variables).
    Model,
    /// The text and syntax of the file being linted.
    Syntax,
}

pub type CheckFn = fn(&LintContext<'_>, &mut Sink<'_>);

/// A lint's metadata and check function.
#[derive(Debug)]
pub struct Lint {
    pub code: &'static str,
    pub name: &'static str,
    pub group: Group,
    pub default_level: Level,
    pub fix: FixSafety,
    pub scope: Scope,
    /// The doc comment, as written (one leading space per line).
    pub docs: &'static str,
    /// `None` for `parser` group entries: `aa-hir` finds those.
    pub check: Option<CheckFn>,
}

impl Lint {
    pub fn is_enabled_by_default(&self) -> bool {
        self.default_level != Level::Allow
    }
}

/// Declares a lint: its doc comment becomes both the rustdoc of the static
/// and `Lint::docs`.
macro_rules! declare_lint {
    (
        $(#[doc = $doc:literal])*
        pub static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            group: $group:ident,
            level: $level:ident,
            fix: $fix:ident,
            scope: $scope:ident,
            check: $check:expr $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub static $ident: $crate::registry::Lint = $crate::registry::Lint {
            code: $code,
            name: $name,
            group: $crate::registry::Group::$group,
            default_level: $crate::registry::Level::$level,
            fix: $crate::registry::FixSafety::$fix,
            scope: $crate::registry::Scope::$scope,
            docs: concat!($($doc, "\n"),*),
            check: Some($check),
        };
    };
}
pub(crate) use declare_lint;

/// Every lint with a check function, in code order. The `parser` group's
/// entries are in `lints::parser::PARSER_LINTS`.
pub static REGISTRY: &[&Lint] = &[
    &lints::security::overbroad_glob::OVERBROAD_GLOB,
    &lints::security::missing_strict_abstraction::MISSING_STRICT_ABSTRACTION,
    &lints::security::global_profile_escape::GLOBAL_PROFILE_ESCAPE,
    &lints::security::fallback_exec::FALLBACK_EXEC,
    &lints::security::unconfined_exec::UNCONFINED_EXEC,
    &lints::security::dangerous_capability::DANGEROUS_CAPABILITY,
    &lints::security::write_and_exec::WRITE_AND_EXEC,
    &lints::security::unscoped_ptrace_or_signal::UNSCOPED_PTRACE_OR_SIGNAL,
    &lints::security::dbus_unscoped::DBUS_UNSCOPED,
    &lints::security::growing_stack::GROWING_STACK,
    &lints::security::pix_tagged_target::PIX_TAGGED_TARGET,
    &lints::security::undefined_transition_target::UNDEFINED_TRANSITION_TARGET,
    &lints::security::prompt_never_asks::PROMPT_NEVER_ASKS,
    &lints::correctness::duplicate_rule::DUPLICATE_RULE,
    &lints::correctness::allow_deny_conflict::ALLOW_DENY_CONFLICT,
    &lints::correctness::cancelled_by_deny::CANCELLED_BY_DENY,
    &lints::correctness::empty_profile::EMPTY_PROFILE,
    &lints::correctness::unused_variable::UNUSED_VARIABLE,
    &lints::correctness::strict_with_broad_abstraction::STRICT_WITH_BROAD_ABSTRACTION,
    &lints::correctness::default_allow_flag::DEFAULT_ALLOW_FLAG,
    &lints::correctness::file_rule_exec_conflict::FILE_RULE_EXEC_CONFLICT,
    &lints::correctness::invalid_suppression::INVALID_SUPPRESSION,
    &lints::correctness::unused_suppression::UNUSED_SUPPRESSION,
    &lints::correctness::duplicate_permission::DUPLICATE_PERMISSION,
    &lints::correctness::duplicate_signal_name::DUPLICATE_SIGNAL_NAME,
    &lints::correctness::alias_relative_path::ALIAS_RELATIVE_PATH,
    &lints::correctness::pivot_root_trailing_slash::PIVOT_ROOT_TRAILING_SLASH,
    &lints::correctness::missing_tunables_global::MISSING_TUNABLES_GLOBAL,
    &lints::correctness::missing_needed_variable::MISSING_NEEDED_VARIABLE,
    &lints::correctness::bad_directive::BAD_DIRECTIVE,
    &lints::correctness::regex_syntax_in_aare::REGEX_SYNTAX_IN_AARE,
    &lints::style::missing_abi::MISSING_ABI,
    &lints::style::missing_local_include::MISSING_LOCAL_INCLUDE,
    &lints::style::profile_name_mismatch::PROFILE_NAME_MISMATCH,
    &lints::style::prefer_tunables::PREFER_TUNABLES,
    &lints::style::directory_slash::DIRECTORY_SLASH,
    &lints::style::permission_order::PERMISSION_ORDER,
    &lints::style::indentation::INDENTATION,
    &lints::style::tab_character::TAB_CHARACTER,
    &lints::style::trailing_whitespace::TRAILING_WHITESPACE,
    &lints::style::missing_header_comment::MISSING_HEADER_COMMENT,
    &lints::style::missing_vim_modeline::MISSING_VIM_MODELINE,
    &lints::style::bare_proc_wildcard::BARE_PROC_WILDCARD,
    &lints::style::home_dot_file_exclusion::HOME_DOT_FILE_EXCLUSION,
    &lints::nursery::shadowed_rule::SHADOWED_RULE,
    &lints::nursery::subsumed_rule::SUBSUMED_RULE,
    &lints::nursery::write_and_exec_exact::WRITE_AND_EXEC_EXACT,
    &lints::apparmor_d::too_wide::TOO_WIDE,
    &lints::apparmor_d::program_transition::PROGRAM_TRANSITION,
    &lints::apparmor_d::discouraged_abstraction::DISCOURAGED_ABSTRACTION,
    &lints::apparmor_d::missing_equivalent_program::MISSING_EQUIVALENT_PROGRAM,
    &lints::apparmor_d::covered_by_base::COVERED_BY_BASE,
    &lints::apparmor_d::undocumented_udev_data::UNDOCUMENTED_UDEV_DATA,
];

/// Every lint: the `parser` group first, then `REGISTRY`.
pub fn lints() -> impl Iterator<Item = &'static Lint> {
    lints::parser::PARSER_LINTS.iter().chain(REGISTRY.iter().copied())
}

/// A lint by code (`AA101`, any case) or name (`overbroad-glob`).
pub fn lint_by_code_or_name(key: &str) -> Option<&'static Lint> {
    lints().find(|l| l.code.eq_ignore_ascii_case(key) || l.name == key)
}
