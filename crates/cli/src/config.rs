//! Where the archive is: flag, then environment (both handled by clap), then a config
//! file, then the default.

use std::path::{Path, PathBuf};

/// The default archive folder, relative to the working directory.
pub const DEFAULT_ARCHIVE: &str = "kartoteka-archive";

/// Reads `archive = "DIR"` from a config file. The format is a one-key subset of TOML,
/// read by hand: a TOML parser for one line is not worth a dependency.
fn archive_from_file(path: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        if key.trim() != "archive" {
            return None;
        }
        let value = value.trim().trim_matches('"').trim_matches('\'');
        let dir = PathBuf::from(value);
        // A relative path in a config file is relative to the file.
        Some(if dir.is_relative() {
            path.parent().unwrap_or(Path::new(".")).join(dir)
        } else {
            dir
        })
    })
}

/// The archive folder from the flag or environment, else the config files, else the default.
pub fn archive_dir(from_flag_or_env: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = from_flag_or_env {
        return dir;
    }
    let home_config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|c| c.join("kartoteka/config.toml"));
    [Some(PathBuf::from("kartoteka.toml")), home_config]
        .into_iter()
        .flatten()
        .find_map(|p| archive_from_file(&p))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_ARCHIVE))
}
