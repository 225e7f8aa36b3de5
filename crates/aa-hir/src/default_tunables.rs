//! The standard tunables, built in for machines without an AppArmor policy
//! tree (a laptop without AppArmor, a CI runner), so that `@{HOME}`,
//! `@{PROC}`, `@{run}`, `@{multiarch}` and friends resolve.
//!
//! They are used only when no directory of the include path has a
//! `tunables/` directory: a user's own tunables always win. The variable
//! names and values are the ones AppArmor ships; the files are laid out as
//! in `/etc/apparmor.d/tunables` so that `include <tunables/global>` and the
//! single-file includes both work.

/// Where the built-in files live in the database's path space; no real
/// file system path starts like this.
pub const BUILTIN_ROOT: &str = "/<aa-lint builtin>";

const PID: &str = "{[1-9],[1-9][0-9],[1-9][0-9][0-9],[1-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9],[1-4][0-9][0-9][0-9][0-9][0-9][0-9]}";
const UID: &str = "{[0-9],[1-9][0-9],[1-9][0-9][0-9],[1-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9],[1-4][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]}";

/// The text of built-in file `name` (relative, e.g. `tunables/home`).
pub fn builtin_file(name: &str) -> Option<String> {
    let text = match name {
        "tunables/global" => concat!(
            "# aa-lint built-in tunables: the standard set, used because no tunables\n",
            "# directory was found in the include path.\n",
            "include <tunables/home>\n",
            "include <tunables/multiarch>\n",
            "include <tunables/proc>\n",
            "include <tunables/alias>\n",
            "include <tunables/kernelvars>\n",
            "include <tunables/xdg-user-dirs>\n",
            "include <tunables/share>\n",
            "include <tunables/etc>\n",
            "include <tunables/run>\n",
        )
        .to_string(),
        "tunables/home" => "@{HOMEDIRS}=/home/\n@{HOME}=@{HOMEDIRS}/*/ /root/\n".to_string(),
        "tunables/multiarch" => "@{multiarch}=*-linux-gnu*\n".to_string(),
        "tunables/proc" => "@{PROC}=/proc/\n".to_string(),
        "tunables/alias" => "# No aliases by default.\n".to_string(),
        "tunables/kernelvars" => format!(
            "@{{pid}}={PID}\n@{{tid}}=@{{pid}}\n@{{pids}}=@{{pid}}\n@{{uid}}={UID}\n@{{uids}}=@{{uid}}\n@{{sys}}=/sys/\n"
        ),
        "tunables/xdg-user-dirs" => concat!(
            "@{XDG_DESKTOP_DIR}=\"Desktop\"\n",
            "@{XDG_DOWNLOAD_DIR}=\"Downloads\"\n",
            "@{XDG_TEMPLATES_DIR}=\"Templates\"\n",
            "@{XDG_PUBLICSHARE_DIR}=\"Public\"\n",
            "@{XDG_DOCUMENTS_DIR}=\"Documents\"\n",
            "@{XDG_MUSIC_DIR}=\"Music\"\n",
            "@{XDG_PICTURES_DIR}=\"Pictures\"\n",
            "@{XDG_VIDEOS_DIR}=\"Videos\"\n",
        )
        .to_string(),
        "tunables/share" => concat!(
            "@{flatpak_exports_root}={flatpak/exports,flatpak/{app,runtime}/*/*/*/*/export}\n",
            "@{system_share_dirs}=/{usr,usr/local,var/lib/@{flatpak_exports_root}}/share\n",
            "@{user_share_dirs}=@{HOME}/.local{,/share/@{flatpak_exports_root}}/share\n",
        )
        .to_string(),
        "tunables/etc" => "@{etc_ro}=/etc/ /usr/etc/\n@{etc_rw}=/etc/\n".to_string(),
        "tunables/run" => "@{run}=/run/ /var/run/\n".to_string(),
        "tunables/sys" => "@{sys}=/sys/\n".to_string(),
        "tunables/securityfs" => "include <tunables/sys>\n@{securityfs}=@{sys}/kernel/security/\n".to_string(),
        "tunables/apparmorfs" => "include <tunables/securityfs>\n@{apparmorfs}=@{securityfs}/apparmor/\n".to_string(),
        _ => return None,
    };
    Some(text)
}
