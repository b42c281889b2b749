//! Writing an edition to its folder: whole or not at all, and only once the leak check has
//! found nothing.
//!
//! The files go to a new folder beside the final one ([`Building`], a [`Sink`] the
//! edition is laid out into file by file); the leak check reads that folder
//! back from the disk (every byte, as a reader would get it); only when it is clean does
//! the new folder take the final one's place, the previous edition being moved aside and
//! then removed. A refused or interrupted build leaves the previous edition as it was.

use std::io::Write as _;
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

/// Where an edition's files go as they are laid out, one at a time, so that an edition
/// of any size is never held whole: a folder being built ([`Building`]), or memory
/// ([`InMemory`], for previews and tests).
pub trait Sink {
    /// A new file at `path` in the edition ("en/persons/P3.html"), written through the
    /// writer returned; a path that would leave the edition is refused.
    fn create(&mut self, path: &str) -> Result<Box<dyn std::io::Write + '_>, WriteError>;
}

/// An edition's files kept in memory, by path.
#[derive(Default)]
pub struct InMemory {
    /// Every file, by its path in the edition.
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
}

impl Sink for InMemory {
    fn create(&mut self, path: &str) -> Result<Box<dyn std::io::Write + '_>, WriteError> {
        inside(path)?;
        let file = self.files.entry(path.to_string()).or_default();
        file.clear();
        Ok(Box::new(file))
    }
}

/// A path in the edition, refused when it would leave its folder.
fn inside(path: &str) -> Result<&Path, WriteError> {
    let inside = Path::new(path);
    let safe = inside
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !safe || path.is_empty() {
        return Err(WriteError::BadPath(path.to_string()));
    }
    Ok(inside)
}

/// A new edition being written in a folder beside the one it will replace. Until
/// [`Building::finish`] puts it in place, nothing a reader sees has changed; dropped
/// unfinished (an error, a refusal), it is removed.
pub struct Building {
    dir: PathBuf,
    building: PathBuf,
    files: u64,
}

impl Building {
    /// Starts an edition that will take `dir`'s place. `dir` must be missing, empty or
    /// an edition Kartoteka wrote.
    pub fn begin(dir: &Path) -> Result<Building, WriteError> {
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
        std::fs::create_dir_all(&building).map_err(io(&building))?;
        Ok(Building {
            dir: dir.to_path_buf(),
            building,
            files: 0,
        })
    }

    /// Files written so far.
    pub fn files(&self) -> u64 {
        self.files
    }

    /// Marks the folder as edition `number`, checks every byte of it from the disk, and
    /// only when the check finds nothing and `after_check` (which records the edition)
    /// succeeds puts it in `dir`'s place, the previous edition moved aside and then
    /// removed. A finding is [`WriteError::Leak`]; either way `dir` is left as it was.
    pub fn finish<E>(
        self,
        number: u32,
        check: &LeakCheck,
        after_check: impl FnOnce(&LeakReport) -> Result<(), E>,
    ) -> Result<Result<LeakReport, E>, WriteError> {
        let marker = self.building.join(MARKER);
        std::fs::write(&marker, format!("edition {number}\n")).map_err(io(&marker))?;
        let report = check.check_dir(&self.building)?;
        if !report.is_clean() {
            return Err(WriteError::Leak(report));
        }
        if let Err(e) = after_check(&report) {
            return Ok(Err(e));
        }
        let old = beside(&self.dir, "previous");
        if self.dir.exists() {
            std::fs::rename(&self.dir, &old).map_err(io(&self.dir))?;
        }
        if let Err(e) = std::fs::rename(&self.building, &self.dir) {
            // Put the previous edition back before saying what failed.
            let _ = std::fs::rename(&old, &self.dir);
            return Err(io(&self.dir)(e));
        }
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        }
        Ok(Ok(report))
    }
}

impl Sink for Building {
    fn create(&mut self, path: &str) -> Result<Box<dyn std::io::Write + '_>, WriteError> {
        let target = self.building.join(inside(path)?);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let file = std::fs::File::create(&target).map_err(io(&target))?;
        self.files += 1;
        Ok(Box::new(std::io::BufWriter::with_capacity(1 << 16, file)))
    }
}

impl Drop for Building {
    fn drop(&mut self) {
        // Once in place the folder is gone from here; otherwise it is a half-built
        // edition no one must read.
        if self.building.exists() {
            let _ = std::fs::remove_dir_all(&self.building);
        }
    }
}

/// Writes `files` to a new folder, checks it, and puts it in `dir`'s place (see
/// [`Building`]). Returns the check's report; a check that finds anything leaves `dir`
/// untouched and returns [`WriteError::Leak`]. `after_check` runs between a clean check
/// and the swap (to record the edition): when it fails, nothing is published either.
pub fn write_checked<E>(
    files: &std::collections::BTreeMap<String, Vec<u8>>,
    number: u32,
    dir: &Path,
    check: &LeakCheck,
    after_check: impl FnOnce(&LeakReport) -> Result<(), E>,
) -> Result<Result<LeakReport, E>, WriteError> {
    let mut building = Building::begin(dir)?;
    for (path, bytes) in files {
        let mut file = building.create(path)?;
        file.write_all(bytes)
            .and_then(|()| file.flush())
            .map_err(io(&dir.join(path)))?;
    }
    building.finish(number, check, after_check)
}
