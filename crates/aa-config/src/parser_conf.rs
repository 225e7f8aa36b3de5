//! `apparmor_parser`'s configuration file (`/etc/apparmor/parser.conf`):
//! long options without their dashes, one per line (`Include /usr/share/apparmor`,
//! `base=/etc/apparmor.d`). We read the ones that decide where includes are
//! found; `apparmor_parser` applies the file before its command line, so
//! its `Include` directories are searched before `-I` ones.

use std::path::PathBuf;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ParserConfig {
    pub include_dirs: Vec<PathBuf>,
    pub base: Option<PathBuf>,
}

pub fn parse(text: &str) -> ParserConfig {
    let mut config = ParserConfig::default();
    for line in text.lines() {
        let line = line.trim_start_matches([' ', '\t']);
        if line.starts_with('#') {
            continue;
        }
        let Some((option, value)) = line.split_once([' ', '\t', '=']) else { continue };
        let value = value.trim_start_matches([' ', '\t', '=']).trim_end();
        if value.is_empty() {
            continue;
        }
        match option {
            "Include" => config.include_dirs.push(PathBuf::from(value)),
            "base" => config.base = Some(PathBuf::from(value)),
            _ => {}
        }
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_include_and_base_lines() {
        let config = parse(
            "## Set additional include path\n#Include /etc/apparmor.d/\nInclude /usr/share/apparmor\n  Include=/opt/extra\nbase /srv/policy\npolicy-features=/x\n",
        );
        assert_eq!(
            config,
            ParserConfig {
                include_dirs: vec![PathBuf::from("/usr/share/apparmor"), PathBuf::from("/opt/extra")],
                base: Some(PathBuf::from("/srv/policy")),
            }
        );
    }
}
