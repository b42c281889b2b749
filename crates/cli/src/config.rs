//! Settings by flag, then environment (both handled by clap), then a config file, then the
//! default: where the archive is, who is acting, how many worker threads to use, and where
//! the keys that seal the audit head are kept.

use std::path::{Path, PathBuf};

/// The default archive folder, relative to the working directory.
pub const DEFAULT_ARCHIVE: &str = "kartoteka-archive";

/// Reads `key = "value"` from a config file. The format is a small subset of TOML (top-level
/// string keys), read by hand: a TOML parser for two keys is not worth a dependency.
fn value_from_file(path: &Path, wanted: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        if key.trim() != wanted {
            return None;
        }
        Some(
            value
                .trim()
                .trim_matches('"')
                .trim_matches('\'')
                .to_string(),
        )
    })
}

/// The config files, nearest first.
fn config_files() -> Vec<PathBuf> {
    let home_config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|c| c.join("kartoteka/config.toml"));
    [Some(PathBuf::from("kartoteka.toml")), home_config]
        .into_iter()
        .flatten()
        .collect()
}

/// A path set by `key` in the nearest config file that has it; a relative path is
/// relative to that file.
fn path_from_files(key: &str) -> Option<PathBuf> {
    config_files().into_iter().find_map(|p| {
        let path = PathBuf::from(value_from_file(&p, key)?);
        Some(if path.is_relative() {
            p.parent().unwrap_or(Path::new(".")).join(path)
        } else {
            path
        })
    })
}

/// The archive folder from the flag or environment, else the config files, else the default.
pub fn archive_dir(from_flag_or_env: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = from_flag_or_env {
        return dir;
    }
    path_from_files("archive").unwrap_or_else(|| PathBuf::from(DEFAULT_ARCHIVE))
}

/// Who is acting, for the audit chain: the flag or environment, else `user = "NAME"` in a
/// config file, else the login name.
pub fn user(from_flag_or_env: Option<String>) -> String {
    from_flag_or_env
        .or_else(|| {
            config_files()
                .into_iter()
                .find_map(|p| value_from_file(&p, "user"))
        })
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .or_else(|| {
            // Without a login name in the environment (a container, cron), the home
            // folder's name is the next best witness.
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .and_then(|h| h.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Worker threads: the flag or environment, else `jobs = N` in a config file, else 0 (one
/// per core). A value that is not a positive whole number is refused, naming where it
/// came from.
pub fn jobs(from_flag_or_env: Option<usize>) -> Result<usize, String> {
    if let Some(n) = from_flag_or_env {
        return match n {
            0 => Err("--jobs (or KARTOTEKA_JOBS) must be at least 1".to_string()),
            n => Ok(n),
        };
    }
    for p in config_files() {
        if let Some(v) = value_from_file(&p, "jobs") {
            return match v.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!(
                    "jobs = {v:?} in {}: give a whole number of worker threads, 1 or more",
                    p.display()
                )),
            };
        }
    }
    Ok(0)
}

/// The folder of keys that seal archives' audit heads: the flag or environment, else
/// `head_keys = "DIR"` in a config file, else `kartoteka/head-keys` in the user's config
/// folder. Never inside an archive: a key next to what it seals proves nothing.
pub fn head_keys(from_flag_or_env: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = from_flag_or_env {
        return dir;
    }
    path_from_files("head_keys")
        .or_else(|| {
            std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
                .map(|c| c.join("kartoteka/head-keys"))
        })
        .unwrap_or_else(|| PathBuf::from(".kartoteka-head-keys"))
}

/// Whether the archive is shared with the owner's group: the flag, else
/// `KARTOTEKA_SHARE_WITH_GROUP` (1, true or yes), else `share_with_group = true` in a
/// config file. Off by default: an archive holds every text in the clear.
pub fn share_with_group(flag: bool) -> bool {
    if flag {
        return true;
    }
    let yes = |v: &str| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes");
    if let Ok(v) = std::env::var("KARTOTEKA_SHARE_WITH_GROUP") {
        return yes(&v);
    }
    config_files()
        .into_iter()
        .find_map(|p| value_from_file(&p, "share_with_group"))
        .is_some_and(|v| yes(&v))
}

/// Where a new archive's originals live: the flag or environment, else `blobs = "URL"` in
/// a config file; `None` for the archive folder's own.
pub fn blobs(from_flag_or_env: Option<String>) -> Option<String> {
    from_flag_or_env.or_else(|| first_in_files("blobs"))
}

/// Where a new archive's records live: the flag or environment, else `store = "URL"` in
/// a config file; `None` for the archive folder's own archive.db.
pub fn store(from_flag_or_env: Option<String>) -> Option<String> {
    from_flag_or_env.or_else(|| first_in_files("store"))
}

/// The value of `key` in the first config file that sets it.
fn first_in_files(key: &str) -> Option<String> {
    config_files()
        .into_iter()
        .find_map(|p| value_from_file(&p, key))
}
