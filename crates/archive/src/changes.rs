//! Keeping a folder's search index up with what other folders write to a shared store.
//!
//! When the records are in PostgreSQL, several archive folders (several servers) share
//! them, and each keeps its own search index: a projection of the records. The audit
//! chain is the ordered log of every change, in the store, so it is also the change log
//! the indexes follow: each folder notes (in `index-position`) the last entry its index
//! has taken in, and catching up reads the entries after it and indexes the documents
//! they added, changed or re-read. A document added through this folder is in its index
//! already and is passed over; one added elsewhere, or changed anywhere, is indexed.

use std::io::Write;
use std::path::Path;

use kartoteka_model::DocId;
use kartoteka_store::AuditAction;

use crate::archive::{Archive, ArchiveError};

/// The file in the archive folder that holds the audit sequence number through which the
/// folder's index has taken in the shared store's changes.
const POSITION: &str = "index-position";

/// Audit entries read per round trip while catching up.
const PAGE: usize = 2000;

/// What catching up did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CatchUp {
    /// Documents (re)indexed.
    pub documents: usize,
    /// The audit entry the index has now taken in everything through.
    pub through: u64,
}

impl Archive {
    /// Whether this folder's records are in a store other folders may share (PostgreSQL),
    /// so that its index must follow changes it did not make.
    pub fn shares_its_store(&self) -> bool {
        self.root().join(crate::archive::STORE_RECORD).is_file()
    }

    /// Indexes what the shared store's change log holds after this index's position, and
    /// moves the position on. Nothing to do for a folder that keeps its own records, and
    /// nothing done while another process of this folder writes its index.
    pub fn follow_changes(&self) -> Result<CatchUp, ArchiveError> {
        if !self.shares_its_store() {
            return Ok(CatchUp::default());
        }
        let start = read_position(self.root())?;
        let mut through = start;
        let mut changed: Vec<DocId> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            let entries = self.store().audit_after(through, PAGE)?;
            let Some(last) = entries.last() else { break };
            through = last.seq;
            for e in &entries {
                let Some(id) = e
                    .object
                    .as_deref()
                    .and_then(|o| o.strip_prefix("doc:"))
                    .and_then(|n| n.parse::<i64>().ok())
                else {
                    continue;
                };
                let id = DocId(id);
                // A new document's text can change only by a later entry: one the index
                // already holds (this folder ingested it) needs nothing.
                let needed = (e.is(AuditAction::Ingest) && !self.index().holds_document(id)?)
                    || e.is(AuditAction::Update)
                    || e.is(AuditAction::ReExtract);
                if needed && seen.insert(id) {
                    changed.push(id);
                }
            }
        }
        if !changed.is_empty() {
            let mut writer = match self.index().writer_with_threads(self.jobs()) {
                Ok(w) => w,
                // Another process of this folder (its server, an ingest) is writing the
                // index: it follows the changes itself, or the next round does.
                Err(kartoteka_index::IndexError::Locked) => {
                    return Ok(CatchUp {
                        documents: 0,
                        through: start,
                    })
                }
                Err(e) => return Err(e.into()),
            };
            for chunk in changed.chunks(500) {
                self.index_documents(&mut writer, chunk)?;
                writer.commit()?;
            }
            writer.finish()?;
            self.index().refresh()?;
        }
        if through != start {
            write_position(self.root(), through)?;
        }
        Ok(CatchUp {
            documents: changed.len(),
            through,
        })
    }

    /// Notes that the index has taken in every change through `seq` (after a rebuild).
    pub(crate) fn index_caught_up_through(&self, seq: u64) -> Result<(), ArchiveError> {
        if self.shares_its_store() {
            write_position(self.root(), seq)?;
        }
        Ok(())
    }
}

/// The position noted in `root`; 0 (the whole log) when none is, as in a folder made
/// before positions were kept.
fn read_position(root: &Path) -> Result<u64, ArchiveError> {
    let path = root.join(POSITION);
    match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().parse().map_err(|_| ArchiveError::Folder {
            path,
            message: format!("{:?} is not an audit sequence number", text.trim()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(ArchiveError::Folder {
            path,
            message: e.to_string(),
        }),
    }
}

/// Writes the position whole: a crash leaves the old one, and the next catch-up indexes
/// a few documents twice, which changes nothing.
pub(crate) fn write_position(root: &Path, seq: u64) -> Result<(), ArchiveError> {
    let path = root.join(POSITION);
    let written = tempfile::NamedTempFile::new_in(root).and_then(|mut tmp| {
        writeln!(tmp, "{seq}")?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    });
    written.map_err(|e| ArchiveError::Folder {
        path,
        message: e.to_string(),
    })
}
