//! The metadata store: units of the hierarchy, documents, their pages and the stage ledger.

use kartoteka_model::{
    ContentHash, DateRange, DocId, Document, Format, Page, Placement, Reference, Stage,
    StageOutcome, StageRecord, Unit,
};
use serde::Serialize;

/// Errors of a metadata store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed an operation.
    #[error("database: {0}")]
    Database(String),
    /// The database is locked by another writer for longer than we wait.
    #[error("the archive database is busy: another kartoteka process is writing to it")]
    Busy,
    /// A row holds something this version cannot read (a newer schema, a hand edit).
    #[error("corrupt record in the archive database: {0}")]
    Corrupt(String),
    /// The archive was made by a newer Kartoteka.
    #[error("archive schema version {found} is newer than this program understands ({supported})")]
    Schema {
        /// Version found in the archive.
        found: i64,
        /// Newest version this build reads.
        supported: i64,
    },
}

/// A document about to be saved: everything but its number.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDocument {
    /// Hash of the original.
    pub content: ContentHash,
    /// Size in bytes.
    pub size: u64,
    /// Where it was read from; the key that makes ingest idempotent.
    pub source_path: String,
    /// Format of the original.
    pub format: Format,
    /// Encoding the text was read in.
    pub encoding: Option<String>,
    /// Language of the text.
    pub language: Option<String>,
    /// Place in the hierarchy.
    pub reference: Option<Reference>,
    /// How it got that place.
    pub placement: Placement,
    /// Title.
    pub title: Option<String>,
    /// Dates.
    pub dates: Option<DateRange>,
    /// True while waiting for OCR.
    pub needs_ocr: bool,
}

/// What saving a document did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    /// A new document.
    Added(DocId),
    /// The source path was known and its content changed: a new version of the document.
    Updated(DocId),
}

impl Saved {
    /// The document's number either way.
    pub fn id(self) -> DocId {
        match self {
            Saved::Added(id) | Saved::Updated(id) => id,
        }
    }
}

/// A failure recorded against a document's stage or against a source path that never
/// became a document (unreadable, outside the tree).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The document, when one exists.
    pub doc: Option<DocId>,
    /// The source path.
    pub path: String,
    /// The stage that failed ("read" for files that could not be read at all).
    pub stage: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: String,
}

/// A preservation event on an object, in PREMIS terms: what happened ("fixity check"),
/// with what outcome, when. Events are only ever appended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// The object: an original's SHA-256, or another identifier.
    pub object: String,
    /// The PREMIS event type ("fixity check").
    pub event_type: String,
    /// "pass" or "fail".
    pub outcome: String,
    /// What was found, when it matters.
    pub detail: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// Counts for `kartoteka status`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Documents stored.
    pub documents: u64,
    /// Pages of text.
    pub pages: u64,
    /// Units of the hierarchy described.
    pub units: u64,
    /// Documents waiting for OCR.
    pub needs_ocr: u64,
    /// Documents or paths whose latest attempt failed.
    pub failed: u64,
    /// Documents whose text is not yet in the search index.
    pub not_indexed: u64,
    /// Documents by format.
    pub by_format: Vec<(String, u64)>,
    /// Documents by placement method.
    pub by_placement: Vec<(String, u64)>,
}

/// The store of everything but the originals' bytes and the search index.
///
/// Every method that writes is atomic: it either happens whole or not at all, so an
/// ingest killed at any moment leaves the store as it was before the interrupted call.
pub trait MetadataStore: Send {
    /// Adds or replaces the description of a unit.
    fn upsert_units(&mut self, units: &[Unit]) -> Result<(), StoreError>;
    /// The unit with exactly this reference.
    fn unit(&self, reference: &Reference) -> Result<Option<Unit>, StoreError>;
    /// All units inside `within` (or all units), in reference order.
    fn units(&self, within: Option<&Reference>) -> Result<Vec<Unit>, StoreError>;

    /// Saves a document with its pages and the extraction's ledger record, in one
    /// transaction, keyed by source path: a known path with new content becomes a new
    /// version of the same document.
    fn save_document(
        &mut self,
        doc: &NewDocument,
        pages: &[Page],
        extract: &StageOutcome,
        version: u32,
    ) -> Result<Saved, StoreError>;
    /// Replaces a stored document's pages (after OCR or a better extractor) and its OCR flag.
    fn replace_pages(
        &mut self,
        id: DocId,
        pages: &[Page],
        needs_ocr: bool,
    ) -> Result<(), StoreError>;
    /// A document by number.
    fn document(&self, id: DocId) -> Result<Option<Document>, StoreError>;
    /// The document ingested from this source path.
    fn document_by_source(&self, source_path: &str) -> Result<Option<Document>, StoreError>;
    /// Documents placed at or inside a unit.
    fn documents_within(&self, unit: &Reference) -> Result<Vec<Document>, StoreError>;
    /// Documents, in number order, after `after`, at most `limit`: for walking the archive.
    fn documents_after(
        &self,
        after: Option<DocId>,
        limit: usize,
    ) -> Result<Vec<Document>, StoreError>;
    /// Documents waiting for OCR.
    fn documents_waiting_for_ocr(&self) -> Result<Vec<Document>, StoreError>;
    /// Calls `f` with every document in number order, reading them in batches so that
    /// memory stays flat however large the archive.
    fn each_document(
        &self,
        f: &mut dyn FnMut(Document) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut after = None;
        loop {
            let batch = self.documents_after(after, 1000)?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            after = Some(last.id);
            for doc in batch {
                f(doc)?;
            }
        }
    }
    /// A document's pages in order.
    fn pages(&self, id: DocId) -> Result<Vec<Page>, StoreError>;
    /// One page of a document.
    fn page(&self, id: DocId, number: u32) -> Result<Option<Page>, StoreError>;

    /// Appends records to the stage ledger.
    fn record_stages(&mut self, records: &[StageRecord]) -> Result<(), StoreError>;
    /// The ledger of one document, oldest first.
    fn ledger(&self, id: DocId) -> Result<Vec<StageRecord>, StoreError>;
    /// Documents whose latest record for `stage` is not a success on their current
    /// content at `version` or later: the work a resumed or re-run stage has to do.
    fn documents_needing(&self, stage: Stage, version: u32) -> Result<Vec<DocId>, StoreError>;

    /// Records that a source path could not be read at all.
    fn record_source_failure(&mut self, path: &str, reason: &str) -> Result<(), StoreError>;
    /// Forgets a source failure once the path has been read.
    fn clear_source_failure(&mut self, path: &str) -> Result<(), StoreError>;
    /// Every current failure: documents whose latest stage record failed, and unreadable paths.
    fn failures(&self) -> Result<Vec<Failure>, StoreError>;
    /// Counts for status.
    fn summary(&self) -> Result<Summary, StoreError>;

    /// Appends preservation events (PREMIS: "fixity check", ...).
    fn record_events(&mut self, events: &[Event]) -> Result<(), StoreError>;
    /// The events of one object, oldest first.
    fn events(&self, object: &str) -> Result<Vec<Event>, StoreError>;
}
