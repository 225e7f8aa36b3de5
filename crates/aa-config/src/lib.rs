//! The one configuration of aa-lint: `aa-lint.toml` (lint selection, levels,
//! overrides, include search paths, `fail-on`) and the `Include`/`base`
//! lines of `apparmor_parser`'s `parser.conf`, read from text.
//!
//! The CLI (`aa-lint check`) and the language server both read their
//! configuration through this crate, so the editor and the command line
//! report the same findings on the same project. It touches no file: the
//! front ends read the files and hand over their text.

pub mod parser_conf;
pub mod project;

use std::path::{Path, PathBuf};

pub use crate::{
    parser_conf::ParserConfig,
    project::{Config, ConfigFiles, FILE_NAME, FailOn, Finder, Step, apply_steps},
};

/// `apparmor_parser`'s configuration file when none is given.
pub const DEFAULT_PARSER_CONF: &str = "/etc/apparmor/parser.conf";

/// The base directory when nothing names one.
pub const DEFAULT_BASE: &str = "/etc/apparmor.d";

/// Where `include <...>` looks, as `apparmor_parser -I` and `--base`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchPaths {
    pub include_dirs: Vec<PathBuf>,
    pub base: PathBuf,
}

/// The search paths of a checked file, in `apparmor_parser`'s order:
/// `parser.conf`'s `Include` directories (it applies the file before its
/// command line), then `aa-lint.toml`'s `include`, then the `-I` directories
/// given (command line, or the editor's `includePaths`), and the base from
/// the command line, else `aa-lint.toml`, else `parser.conf`, else
/// `/etc/apparmor.d`.
pub fn search_paths(
    parser_conf: &ParserConfig,
    project: Option<&Config>,
    include_flags: &[PathBuf],
    base_flag: Option<&Path>,
) -> SearchPaths {
    let include_dirs = parser_conf
        .include_dirs
        .iter()
        .chain(project.into_iter().flat_map(|c| &c.include_dirs))
        .chain(include_flags)
        .cloned()
        .collect();
    let base = base_flag
        .map(Path::to_path_buf)
        .or_else(|| project.and_then(|c| c.base.clone()))
        .or_else(|| parser_conf.base.clone())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_BASE));
    SearchPaths { include_dirs, base }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_order_is_apparmor_parsers() {
        let conf = parser_conf::parse("Include /usr/share/apparmor\nbase /srv/conf-base\n");
        let project = Config::parse(Path::new("/p/aa-lint.toml"), "include = [\"inc\"]\nbase = \"pol\"\n").unwrap();
        let flags = [PathBuf::from("/flag")];
        let all = search_paths(&conf, Some(&project), &flags, Some(Path::new("/flag-base")));
        assert_eq!(
            all.include_dirs,
            [PathBuf::from("/usr/share/apparmor"), PathBuf::from("/p/inc"), PathBuf::from("/flag")]
        );
        assert_eq!(all.base, PathBuf::from("/flag-base"));
        assert_eq!(search_paths(&conf, Some(&project), &[], None).base, PathBuf::from("/p/pol"));
        assert_eq!(search_paths(&conf, None, &[], None).base, PathBuf::from("/srv/conf-base"));
        assert_eq!(search_paths(&ParserConfig::default(), None, &[], None).base, PathBuf::from(DEFAULT_BASE));
    }
}
