//! Writing an edition to its folder: whole or not at all, and only once the leak check has
//! found nothing.
//!
//! The files go to a new folder beside the final one; the leak check reads that folder
//! back from the disk (every byte, as a reader would get it); only when it is clean does
//! the new folder take the final one's place, the previous edition being moved aside and
//! then removed. A refused or interrupted build leaves the previous edition as it was.

use std::path::{Path, PathBuf};

use crate::leak::{LeakCheck, LeakError, LeakReport};

/// The file that marks a folder as an edition Kartoteka wrote (so that a folder of
/// anything else is never replaced).
pub const MARKER: &str = ".kartoteka-edition";

/// Why an edition was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The folder exists, is not empty, and is not an edition.
    #[error("{0} exists and is not a Kartoteka edition (no {MARKER} in it): choose an empty or new folder")]
    NotAnEdition(PathBuf),
    /// A file could not be written, read or moved.
    #[error("{path}: {source}")]
    Io {
        /// Where.
        path: PathBuf,
        /// What.
        source: std::io::Error,
    },
    /// The leak check could not run.
    #[error(transparent)]
    Check(#[from] LeakError),
    /// The leak check found withheld strings: nothing was published.
    #[error("the leak check found {} withheld strings in the edition: nothing was published", .0.findings.len())]
    Leak(LeakReport),
    /// A file's path in the edition would leave its folder.
    #[error("{0:?} is not a path inside the edition")]
    BadPath(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A folder beside `dir` named after it.
fn beside(dir: &Path, what: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "edition".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Writes `files` to a new folder, checks it, and puts it in `dir`'s place. Returns the
/// check's report; a check that finds anything leaves `dir` untouched and returns
/// [`WriteError::Leak`]. `after_check` runs between a clean check and the swap (to record
/// the edition): when it fails, nothing is published either.
pub fn write_checked<E>(
    files: &std::collections::BTreeMap<String, Vec<u8>>,
    number: u32,
    dir: &Path,
    check: &LeakCheck,
    after_check: impl FnOnce(&LeakReport) -> Result<(), E>,
) -> Result<Result<LeakReport, E>, WriteError> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir).map_err(io(dir))?.next().is_none();
        if !empty && !dir.join(MARKER).is_file() {
            return Err(WriteError::NotAnEdition(dir.to_path_buf()));
        }
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let building = beside(dir, "building");
    if building.exists() {
        std::fs::remove_dir_all(&building).map_err(io(&building))?;
    }
    let result = write_all(files, number, &building).and_then(|()| {
        let report = check.check_dir(&building)?;
        if !report.is_clean() {
            return Err(WriteError::Leak(report));
        }
        Ok(report)
    });
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&building);
            return Err(e);
        }
    };
    if let Err(e) = after_check(&report) {
        let _ = std::fs::remove_dir_all(&building);
        return Ok(Err(e));
    }
    let old = beside(dir, "previous");
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(io(dir))?;
    }
    if let Err(e) = std::fs::rename(&building, dir) {
        // Put the previous edition back before saying what failed.
        let _ = std::fs::rename(&old, dir);
        return Err(io(dir)(e));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(Ok(report))
}

fn write_all(
    files: &std::collections::BTreeMap<String, Vec<u8>>,
    number: u32,
    dir: &Path,
) -> Result<(), WriteError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for (path, bytes) in files {
        let inside = Path::new(path);
        let safe = inside
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !safe || path.is_empty() {
            return Err(WriteError::BadPath(path.clone()));
        }
        let target = dir.join(inside);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&target, bytes).map_err(io(&target))?;
    }
    let marker = dir.join(MARKER);
    std::fs::write(&marker, format!("edition {number}\n")).map_err(io(&marker))?;
    Ok(())
}
