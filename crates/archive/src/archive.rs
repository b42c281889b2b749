//! An archive: the store, the blobs and the search index of one folder, and the services
//! every front end calls (ingest, search, show, status, reindex).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use kartoteka_index::{
    snippet, AnalyzedPage, IndexError, PageEntry, Query, QueryError, SearchIndex, SearchOptions,
};
use kartoteka_model::{
    Convention, DocId, Document, Page, Reference, Stage, StageOutcome, StageRecord, Unit,
};
use kartoteka_store::{
    BlobError, BlobLocation, BlobStore, Failure, FsBlobStore, MetadataStore, StoreError,
    StoreLocation, Summary,
};
use serde::Serialize;

/// Version of the indexing stage: raising it makes `reindex` and ingest redo every document.
pub const INDEX_VERSION: u32 = 1;

/// Errors of archive operations.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// There is no archive in the folder.
    #[error("no archive at {0}")]
    NotAnArchive(PathBuf),
    /// The folder could not be created or read.
    #[error("archive folder {path}: {message}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The metadata store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The blob store failed.
    #[error(transparent)]
    Blob(#[from] BlobError),
    /// The search index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The query does not parse.
    #[error("query: {0}")]
    Query(#[from] QueryError),
    /// Input that cannot be taken (a target that is neither a document number nor a
    /// reference code, a grade off the scale, an edit to an approved report): the input and
    /// why.
    #[error("{}", bad_target(.0, .1))]
    BadTarget(String, String),
    /// Nothing at that number or reference.
    #[error("nothing in the archive at {0}")]
    NotFound(String),
    /// There are no persons yet: the archive's person mentions were never resolved.
    #[error("no persons yet: the archive's person mentions have not been resolved")]
    NotResolved,
    /// A bag failed validation; nothing was imported.
    #[error("the bag is invalid, nothing was imported:\n  {}", .0.join("\n  "))]
    InvalidBag(Vec<String>),
    /// A note could not be written or placed.
    #[error("note: {0}")]
    Note(String),
    /// A signing key could not be made or read.
    #[error("key: {0}")]
    Key(String),
    /// A transfer could not be completed; the archive is as it was.
    #[error("transfer: {0}")]
    Transfer(String),
    /// The audit chain no longer holds the head sealed after the last command: the
    /// archive was changed behind the program's back (or restored from a backup).
    #[error("the archive was changed outside kartoteka: {0}; nothing was done")]
    Tampered(String),
    /// The originals were asked for somewhere other than where this archive keeps them.
    #[error("this archive keeps its originals in {recorded}, not in {given}; nothing was done (`kartoteka migrate` moves them)")]
    BlobsElsewhere {
        /// Where the archive records them.
        recorded: String,
        /// Where they were asked for.
        given: String,
    },
    /// The records were asked for in a store other than the one this archive keeps them in.
    #[error("this archive keeps its records in {recorded}, not in {given}; nothing was done (`kartoteka migrate` moves them)")]
    StoreElsewhere {
        /// Where the archive records them (password hidden).
        recorded: String,
        /// Where they were asked for (password hidden).
        given: String,
    },
    /// Another command is changing the archive; this one did nothing.
    #[error("another kartoteka command is writing to this archive ({0}); nothing was done: run it again when that one ends")]
    Busy(String),
    /// A release package could not be made, opened or checked: what went wrong. Nothing
    /// is recorded as sent that was not written whole.
    #[error("package: {0}")]
    Package(String),
    /// An edit to a report version that is approved: approved versions stay as they are,
    /// and an edit makes the next version, a draft, only when that is asked for.
    #[error("report {report} version {version} is approved and stays as approved; an edit makes version {}, a new draft, only when a new version is asked for", .version + 1)]
    Approved {
        /// The report.
        report: String,
        /// Its approved version.
        version: u32,
    },
    /// The public edition's rules (`publish.toml`) cannot be used.
    #[error(transparent)]
    Rules(#[from] kartoteka_publish::rules::RulesError),
    /// The public edition was not written: its folder is something else, a file could not
    /// be written, or the leak check found what was withheld. The previous edition stays.
    #[error(transparent)]
    Edition(#[from] kartoteka_publish::write::WriteError),
}

/// The one writer of an archive, held by a command that changes it for as long as the
/// command runs, so that a second writer is refused (or waits) instead of breaking the
/// first one halfway: SQLite alone lets the second take the database while the first is
/// between transactions, and the first then fails as "busy". Released when dropped (or
/// when the process ends, however it ends).
#[derive(Debug)]
pub struct WriterLock {
    _file: std::fs::File,
}

/// The file, inside the archive folder, that records where the originals are when they
/// are not in its `blobs/` folder: one URL (`s3://BUCKET/PREFIX`, `file:///PATH`).
pub(crate) const BLOBS_RECORD: &str = "blobs.url";
/// The file in an archive folder that names the PostgreSQL database holding its records,
/// when they are not in the folder's own `archive.db`.
pub(crate) const STORE_RECORD: &str = "store.url";

/// The lock file, inside the archive folder.
const WRITER_LOCK: &str = "writer.lock";

/// The folder for temporary copies (OCR's scans), inside the archive folder.
pub(crate) const SCRATCH: &str = "tmp";

/// The folder uploads are received and unpacked in, inside the archive folder: the one
/// part of it an ingest reads from.
pub const UPLOADS: &str = "uploads";

/// Removes what a writer killed in the middle of its work left behind: temporary copies
/// of scans, blobs half received, notebooks half sealed. Only called with the writer lock
/// held, when no other writer can be using them. Returns how many were removed.
fn clear_leftovers(root: &Path) -> usize {
    let mut removed = 0;
    let mut remove = |path: &Path, folder: bool| {
        let done = if folder {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        if done.is_ok() {
            removed += 1;
        }
    };
    let entries = |dir: &Path| -> Vec<std::fs::DirEntry> {
        std::fs::read_dir(dir)
            .map(|d| d.flatten().collect())
            .unwrap_or_default()
    };
    for e in entries(&root.join(SCRATCH)) {
        let folder = e.file_type().is_ok_and(|t| t.is_dir());
        remove(&e.path(), folder);
    }
    for e in entries(root) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".audit-head.json.") && name.ends_with(".partial") {
            remove(&e.path(), false);
        }
    }
    for e in entries(&root.join("blobs")) {
        if e.file_name().to_string_lossy().starts_with(".incoming-") {
            remove(&e.path(), false);
        }
    }
    for e in entries(&root.join("notebooks")) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".partial") {
            remove(&e.path(), false);
        }
    }
    removed
}

/// "\"G9\": why", or the reason alone when there is no input to show, or when the reason
/// already quotes it.
fn bad_target(input: &str, why: &str) -> String {
    let quoted = format!("{input:?}");
    let short = kartoteka_model::excerpt(input);
    if input.is_empty() || why.contains(&quoted) || why.contains(&short) {
        why.to_string()
    } else {
        format!("{short}: {why}")
    }
}

/// What kind of failure an error is, for a face to answer by (a command's exit status, a
/// server's HTTP status) without knowing every error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Nothing is there: no document, person, report or resolution of that name.
    NotFound,
    /// The input cannot be taken as asked: a malformed target, a grade off the scale.
    BadInput,
    /// The change asked for would alter what must stay as it is (an approved version).
    Refused,
    /// Another writer holds the archive.
    Busy,
    /// The archive was changed behind the program's back.
    Tampered,
    /// Anything else: the disk, the database, a bag, a transfer, a key.
    Failed,
}

impl ArchiveError {
    /// The kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ArchiveError::NotFound(_) | ArchiveError::NotResolved => ErrorKind::NotFound,
            ArchiveError::BadTarget(..) => ErrorKind::BadInput,
            ArchiveError::Approved { .. } => ErrorKind::Refused,
            ArchiveError::Rules(_) => ErrorKind::BadInput,
            ArchiveError::Edition(kartoteka_publish::write::WriteError::Leak(_)) => {
                ErrorKind::Refused
            }
            ArchiveError::Edition(kartoteka_publish::write::WriteError::NotAnEdition(_)) => {
                ErrorKind::BadInput
            }
            ArchiveError::BlobsElsewhere { .. }
            | ArchiveError::StoreElsewhere { .. }
            | ArchiveError::Blob(BlobError::Location { .. }) => ErrorKind::BadInput,
            ArchiveError::Busy(_) => ErrorKind::Busy,
            ArchiveError::Tampered(_) => ErrorKind::Tampered,
            ArchiveError::Store(kartoteka_store::StoreError::Busy) => ErrorKind::Busy,
            ArchiveError::Store(kartoteka_store::StoreError::Conflict(_)) => ErrorKind::Refused,
            _ => ErrorKind::Failed,
        }
    }

    /// Whether the change asked for clashes with what is already there (an approved
    /// version, a receipt already recorded, an id taken), rather than being malformed.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            ArchiveError::Approved { .. }
                | ArchiveError::Store(kartoteka_store::StoreError::Conflict(_))
        )
    }

    /// A target that is neither a document number nor a reference code.
    pub fn not_a_target(target: &str, why: &dyn std::fmt::Display) -> ArchiveError {
        ArchiveError::BadTarget(
            target.to_string(),
            format!("{target:?} is neither a document number nor a reference code ({why})"),
        )
    }
}

/// The archive's parts, behind their traits.
pub struct Archive {
    root: PathBuf,
    store: Mutex<Box<dyn MetadataStore>>,
    blobs: Arc<dyn BlobStore>,
    index: SearchIndex,
    /// Worker threads for parallel work (0: one per core). Results never depend on it.
    jobs: std::sync::atomic::AtomicUsize,
}

/// The file that marks a folder as an archive.
pub(crate) const MARKER: &str = "archive.db";

/// One hit as users see it.
#[derive(Clone, Debug, Serialize)]
pub struct SearchHit {
    /// Document number.
    pub doc: DocId,
    /// Reference code of the document, if placed.
    pub reference: Option<String>,
    /// The reference of the very sheet the hit is on ("ф. 17, оп. 171, д. 409, л. 12 об."):
    /// what a citation names.
    pub citation: Option<String>,
    /// The original's path at ingest.
    pub path: String,
    /// The page within the document.
    pub page: u32,
    /// The archival sheet, when known ("12" or "12 об.").
    pub sheet: Option<u32>,
    /// True when the hit is on the verso of the sheet.
    pub verso: bool,
    /// Relevance.
    pub score: f32,
    /// The matching fragment with matches wrapped in `<b>`…`</b>` (the text HTML-escaped).
    pub snippet: String,
    /// The fragment and the byte ranges of matches, for terminals.
    #[serde(skip)]
    pub fragment: kartoteka_index::Snippet,
}

/// A search's answer.
#[derive(Clone, Debug, Serialize)]
pub struct SearchResponse {
    /// Pages matching in all.
    pub total: usize,
    /// The best hits.
    pub hits: Vec<SearchHit>,
}

/// The reference a citation of a page names: the very sheet within its file when the sheet
/// is known ("ф. 17, оп. 171, д. 409, л. 12 об."), else the document's own reference.
pub fn citation(reference: &Reference, sheet: Option<kartoteka_model::Sheet>) -> String {
    match sheet {
        Some(sheet) => {
            let mut at = reference.truncate(kartoteka_model::Level::File);
            if at.file.is_some() {
                at.sheets = Some(kartoteka_model::Sheets {
                    first: sheet,
                    last: None,
                });
            }
            at.to_string()
        }
        None => reference.to_string(),
    }
}

/// What `show` tells about a document or unit.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Shown {
    /// A document with its pages and ledger.
    Document {
        /// The document.
        document: Document,
        /// Its reference in both conventions.
        reference_en: Option<String>,
        /// Pages of text.
        pages: Vec<Page>,
        /// Stage ledger.
        ledger: Vec<StageRecord>,
        /// Preservation events of its original (fixity checks), oldest first.
        events: Vec<kartoteka_store::Event>,
    },
    /// A unit with what the inventory says and the documents in it.
    Unit {
        /// The reference.
        reference: String,
        /// In the English convention.
        reference_en: String,
        /// The inventory's description, if any.
        unit: Option<Unit>,
        /// Units inside it.
        units: Vec<Unit>,
        /// Documents in it.
        documents: Vec<Document>,
    },
}

/// What `status` reports.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    /// The archive folder.
    pub archive: String,
    /// Counts.
    #[serde(flatten)]
    pub summary: Summary,
    /// Pages in the search index.
    pub indexed_pages: u64,
    /// Current failures.
    pub failures: Vec<Failure>,
    /// Documents waiting for OCR.
    pub needs_ocr_documents: Vec<DocSummary>,
}

/// A document in a list.
#[derive(Clone, Debug, Serialize)]
pub struct DocSummary {
    /// Number.
    pub doc: DocId,
    /// Original path.
    pub path: String,
    /// Reference, if placed.
    pub reference: Option<String>,
}

pub(crate) use kartoteka_model::now_rfc3339 as now;

use kartoteka_text::escape_html;

/// A store batch in progress (`Archive::begin_batch`): every write until `commit` is one
/// transaction, rolled back when the batch is dropped uncommitted.
pub struct Batch<'a> {
    archive: &'a Archive,
    open: bool,
}

impl Batch<'_> {
    /// Makes the batch's writes durable.
    pub fn commit(mut self) -> Result<(), ArchiveError> {
        self.open = false;
        self.archive.store().commit_batch()?;
        Ok(())
    }

    /// Undoes the batch's writes, saying whether that failed (dropping the batch undoes
    /// them too, silently).
    pub fn rollback(mut self) -> Result<(), ArchiveError> {
        self.open = false;
        self.archive.store().rollback_batch()?;
        Ok(())
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing better can be done with an error here: the caller is already
            // returning one, or unwinding from a panic.
            let _ = self.archive.store().rollback_batch();
        }
    }
}

impl Archive {
    /// True when `root` holds an archive.
    pub fn exists(root: &Path) -> bool {
        root.join(MARKER).is_file() || root.join(STORE_RECORD).is_file()
    }

    /// Takes the archive's writer lock for `what` (the command, said to a second writer):
    /// at once, or, with `wait`, once the writer before it ends. None when there is no
    /// archive folder yet (the command will make it).
    pub fn lock_writer(
        root: &Path,
        what: &str,
        wait: bool,
    ) -> Result<Option<WriterLock>, ArchiveError> {
        use std::io::{Read, Seek, Write};

        if !root.is_dir() {
            return Ok(None);
        }
        let path = root.join(WRITER_LOCK);
        let folder = |e: std::io::Error| ArchiveError::Folder {
            path: path.clone(),
            message: e.to_string(),
        };
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(private_mode(false));
        }
        let mut file = options.open(&path).map_err(folder)?;
        if wait {
            file.lock().map_err(folder)?;
        } else {
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let holder: String = holder.trim().chars().take(200).collect();
                    return Err(ArchiveError::Busy(if holder.is_empty() {
                        "its name is not known".to_string()
                    } else {
                        holder
                    }));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(folder(e)),
            }
        }
        // Who holds it, for the message a second writer gets.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "`{what}`, process {}", std::process::id());
        let _ = file.flush();
        clear_leftovers(root);
        Ok(Some(WriterLock { _file: file }))
    }

    /// Creates an archive in `root` (or opens the one already there). A new archive
    /// folder is private to its owner (0700), whatever the umask: it holds every text in
    /// the clear. Widen it by hand (chmod) to share it with a group.
    pub fn init(root: &Path) -> Result<Archive, ArchiveError> {
        Self::init_with(root, None)
    }

    /// Creates an archive in `root` whose originals live at `blobs` (the folder's own
    /// `blobs/` when `None`), or opens the one already there, which must keep them
    /// there. The location is recorded in the folder (`blobs.url`), so every later
    /// command finds the originals without being told.
    pub fn init_with(root: &Path, blobs: Option<&BlobLocation>) -> Result<Archive, ArchiveError> {
        Self::init_at(root, blobs, None)
    }

    /// Creates an archive in `root` whose originals live at `blobs` and whose records
    /// live in `store` (the folder's own `archive.db` when `None`), or opens the one
    /// already there, which must keep them there. Both are recorded in the folder. A
    /// folder made over a PostgreSQL database that already holds an archive joins it: its
    /// search index is built from the records, as a second server's is.
    pub fn init_at(
        root: &Path,
        blobs: Option<&BlobLocation>,
        store: Option<&StoreLocation>,
    ) -> Result<Archive, ArchiveError> {
        if Self::exists(root) {
            Self::check_blobs(root, blobs)?;
            Self::check_store(root, store)?;
        } else {
            // Reached before the folder is made: a store that cannot be used leaves
            // nothing behind, not an archive whose originals or records would be nowhere.
            if let Some(location) = blobs {
                location.open()?;
            }
            if let Some(location) = store {
                location.open()?;
            }
        }
        let fresh = !root.exists();
        std::fs::create_dir_all(root).map_err(|e| ArchiveError::Folder {
            path: root.to_path_buf(),
            message: e.to_string(),
        })?;
        if fresh {
            make_private(root, true).map_err(|e| ArchiveError::Folder {
                path: root.to_path_buf(),
                message: format!("cannot make it private: {e}"),
            })?;
        }
        if !Self::exists(root) {
            // Recorded before anything is stored, so that nothing is ever kept where the
            // archive would not look for it. The store's record comes last: it is what
            // makes the folder an archive.
            if let Some(location) = blobs.filter(|b| **b != Self::default_blobs(root)) {
                write_record(root, BLOBS_RECORD, &location.url())?;
            }
            if let Some(StoreLocation::Postgres(url)) = store {
                write_record(root, STORE_RECORD, url)?;
            }
        }
        let archive = Self::open_parts(root)?;
        if fresh {
            let wal = format!("{MARKER}-wal");
            let shm = format!("{MARKER}-shm");
            for (name, dir) in [
                (MARKER, false),
                (wal.as_str(), false),
                (shm.as_str(), false),
                ("index", true),
                ("blobs", true),
            ] {
                let path = root.join(name);
                if path.exists() {
                    make_private(&path, dir).map_err(|e| ArchiveError::Folder {
                        path: path.clone(),
                        message: format!("cannot make it private: {e}"),
                    })?;
                }
            }
        }
        Ok(archive)
    }

    /// Opens the archive in `root`.
    pub fn open(root: &Path) -> Result<Archive, ArchiveError> {
        if !Self::exists(root) {
            return Err(ArchiveError::NotAnArchive(root.to_path_buf()));
        }
        Self::open_parts(root)
    }

    /// Where the archive in `root` keeps its originals: the location recorded when it
    /// was made, else its own `blobs/` folder.
    pub fn blob_location(root: &Path) -> Result<BlobLocation, ArchiveError> {
        let record = root.join(BLOBS_RECORD);
        match std::fs::read_to_string(&record) {
            Ok(text) => Ok(BlobLocation::parse(text.trim())?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default_blobs(root)),
            Err(e) => Err(ArchiveError::Folder {
                path: record,
                message: e.to_string(),
            }),
        }
    }

    /// Refuses `given` when it is not where the archive in `root` keeps its originals.
    pub fn check_blobs(root: &Path, given: Option<&BlobLocation>) -> Result<(), ArchiveError> {
        let Some(given) = given else { return Ok(()) };
        let recorded = Self::blob_location(root)?;
        if recorded.url() != given.url() {
            return Err(ArchiveError::BlobsElsewhere {
                recorded: recorded.url(),
                given: given.url(),
            });
        }
        Ok(())
    }

    /// Where the archive in `root` keeps its records: the database its folder names,
    /// else its own `archive.db`.
    pub fn store_location(root: &Path) -> Result<StoreLocation, ArchiveError> {
        let record = root.join(STORE_RECORD);
        match std::fs::read_to_string(&record) {
            Ok(text) => Ok(StoreLocation::parse(text.trim())?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(StoreLocation::Embedded(root.join(MARKER)))
            }
            Err(e) => Err(ArchiveError::Folder {
                path: record,
                message: e.to_string(),
            }),
        }
    }

    /// Refuses `given` when it is not where the archive in `root` keeps its records.
    pub fn check_store(root: &Path, given: Option<&StoreLocation>) -> Result<(), ArchiveError> {
        let Some(given) = given else { return Ok(()) };
        let recorded = Self::store_location(root)?;
        if recorded != *given {
            return Err(ArchiveError::StoreElsewhere {
                recorded: recorded.shown(),
                given: given.shown(),
            });
        }
        Ok(())
    }

    fn default_blobs(root: &Path) -> BlobLocation {
        BlobLocation::Folder(root.join("blobs"))
    }

    fn open_parts(root: &Path) -> Result<Archive, ArchiveError> {
        let store = Self::store_location(root)?.open()?;
        let blobs = match Self::blob_location(root)? {
            // The folder's own blobs, opened directly: the common case has no URL to read.
            BlobLocation::Folder(path) => Arc::new(FsBlobStore::open(path)?) as Arc<dyn BlobStore>,
            elsewhere => elsewhere.open()?,
        };
        let (index, fresh) = SearchIndex::open_or_rebuild(&root.join("index"))?;
        let archive = Archive::from_parts(root, store, blobs, index);
        if fresh && !archive.store().documents_after(None, 1)?.is_empty() {
            // The index was missing, or written by a version with another schema: it is
            // derived data, so it is refilled from the store rather than reported. Over a
            // shared store, what is written meanwhile is caught up from the head seen first.
            let head = archive.store().audit_head()?.map_or(0, |(seq, _)| seq);
            archive.reindex(&crate::NoProgress)?;
            archive.index_caught_up_through(head)?;
        } else if fresh {
            let head = archive.store().audit_head()?.map_or(0, |(seq, _)| seq);
            archive.index_caught_up_through(head)?;
        }
        archive.follow_changes()?;
        Ok(archive)
    }

    /// An archive over any backends: the seam for PostgreSQL and S3.
    pub fn from_parts(
        root: &Path,
        store: Box<dyn MetadataStore>,
        blobs: Arc<dyn BlobStore>,
        index: SearchIndex,
    ) -> Archive {
        Archive {
            root: root.to_path_buf(),
            store: Mutex::new(store),
            blobs,
            index,
            jobs: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Sets the number of worker threads every parallel stage uses (0: one per core).
    /// Only speed depends on it: numbers, ids and results are the same for any value.
    pub fn set_jobs(&self, jobs: usize) {
        self.jobs.store(jobs, std::sync::atomic::Ordering::Relaxed);
    }

    /// The worker threads parallel stages use: the number set, else one per core.
    pub fn jobs(&self) -> usize {
        match self.jobs.load(std::sync::atomic::Ordering::Relaxed) {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }

    /// The archive folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The metadata store, locked for the caller.
    pub fn store(&self) -> MutexGuard<'_, Box<dyn MetadataStore>> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a store batch that is rolled back unless committed: an error, an early
    /// return or a panic inside it leaves the store as it was before.
    pub fn begin_batch(&self) -> Result<Batch<'_>, ArchiveError> {
        self.store().begin_batch()?;
        Ok(Batch {
            archive: self,
            open: true,
        })
    }

    /// The blob store.
    pub fn blobs(&self) -> &Arc<dyn BlobStore> {
        &self.blobs
    }

    /// The search index.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// Parses and runs a query, and resolves each hit to its document, reference and snippet.
    pub fn search(
        &self,
        query: &str,
        options: &SearchOptions,
    ) -> Result<SearchResponse, ArchiveError> {
        if options.limit > kartoteka_index::MAX_HITS {
            return Err(kartoteka_index::QueryError::TooManyHits {
                asked: options.limit,
                max: kartoteka_index::MAX_HITS,
            }
            .into());
        }
        let parsed = Query::parse(query)?;
        let page_text = |doc, page| self.store().page(doc, page).ok().flatten().map(|p| p.text);
        let results = self.index.search(&parsed, options, &page_text)?;
        let terms = self.index.match_terms(&parsed);
        let ids: Vec<DocId> = results.hits.iter().map(|h| h.doc).collect();
        // The store is held only while it is read: snippets are made from the index,
        // and searches of several callers (the reading room's) run side by side.
        let documents: std::collections::HashMap<DocId, Document> = self
            .store()
            .documents_by_id(&ids)?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
        let mut hits = Vec::with_capacity(results.hits.len());
        for hit in results.hits {
            // Several hits may be pages of one document.
            let Some(doc) = documents.get(&hit.doc).cloned() else {
                continue;
            };
            // The index says where the words matched and keeps the page's text as it
            // counted them; exact mode re-matches the spelling. A page the index kept no
            // text of is read from the store.
            let source = self.index.page_source(&hit)?;
            let made = if options.exact {
                source.text().map(|text| snippet(text, &parsed, true))
            } else {
                let positions = self.index.positions_of(&terms, &hit)?;
                source.snippet(&positions)
            };
            let fragment = match made {
                Some(fragment) => fragment,
                None => {
                    let text = self
                        .store()
                        .page(hit.doc, hit.page)?
                        .map(|p| p.text)
                        .unwrap_or_default();
                    snippet(&text, &parsed, options.exact)
                }
            };
            let html = {
                let mut out = String::new();
                let mut last = 0;
                for r in &fragment.highlights {
                    out.push_str(&escape_html(&fragment.fragment[last..r.start]));
                    out.push_str("<b>");
                    out.push_str(&escape_html(&fragment.fragment[r.clone()]));
                    out.push_str("</b>");
                    last = r.end;
                }
                out.push_str(&escape_html(&fragment.fragment[last..]));
                out
            };
            let citation = doc.reference.as_ref().map(|r| citation(r, hit.sheet));
            hits.push(SearchHit {
                doc: hit.doc,
                citation,
                reference: doc.reference.as_ref().map(|r| r.to_string()),
                path: doc.source_path,
                page: hit.page,
                sheet: hit.sheet.map(|s| s.number),
                verso: hit.sheet.is_some_and(|s| s.verso),
                score: hit.score,
                snippet: html,
                fragment,
            });
        }
        Ok(SearchResponse {
            total: results.total,
            hits,
        })
    }

    /// A document by number, or a unit by reference code.
    pub fn show(&self, target: &str) -> Result<Shown, ArchiveError> {
        let store = self.store();
        if let Ok(n) = target.trim().parse::<i64>() {
            let id = DocId(n);
            let document = store
                .document(id)?
                .ok_or_else(|| ArchiveError::NotFound(format!("document {n}")))?;
            return document_view(&**store, document);
        }
        let reference =
            Reference::parse(target).map_err(|e| ArchiveError::not_a_target(target, &e))?;
        // A reference that names exactly one document's place shows that document.
        let documents = store.documents_within(&reference)?;
        let exact: Vec<&Document> = documents
            .iter()
            .filter(|d| d.reference.as_ref() == Some(&reference))
            .collect();
        if exact.len() == 1 && reference.level() >= kartoteka_model::Level::File {
            return document_view(&**store, exact[0].clone());
        }
        let unit = store.unit(&reference)?;
        let units: Vec<Unit> = store
            .units(Some(&reference))?
            .into_iter()
            .filter(|u| u.reference != reference)
            .collect();
        if unit.is_none() && units.is_empty() && documents.is_empty() {
            return Err(ArchiveError::NotFound(reference.to_string()));
        }
        Ok(Shown::Unit {
            reference: reference.to_string(),
            reference_en: reference.display(Convention::English),
            unit,
            units,
            documents,
        })
    }

    /// Counts, failures and documents waiting for OCR.
    pub fn status(&self) -> Result<Status, ArchiveError> {
        let store = self.store();
        let summary = store.summary()?;
        let failures = store.failures()?;
        let needs_ocr = store
            .documents_waiting_for_ocr()?
            .into_iter()
            .map(|d| DocSummary {
                doc: d.id,
                path: d.source_path,
                reference: d.reference.map(|r| r.to_string()),
            })
            .collect();
        Ok(Status {
            archive: self.root.display().to_string(),
            summary,
            indexed_pages: self.index.page_count(),
            failures,
            needs_ocr_documents: needs_ocr,
        })
    }

    /// Indexes the pages of these documents and records it in the ledger.
    pub(crate) fn index_documents(
        &self,
        writer: &mut kartoteka_index::IndexWriterHandle,
        ids: &[DocId],
    ) -> Result<Vec<StageRecord>, ArchiveError> {
        let loaded = self.store().documents_with_pages(ids)?;
        // Analyse on every core, as ingest does, then hand the pages to the index in order.
        let analyzed = parallel_map(self.jobs(), &loaded, |(_, pages)| {
            pages
                .iter()
                .map(|p| AnalyzedPage::new(&p.text))
                .collect::<Vec<_>>()
        });
        let mut records = Vec::with_capacity(loaded.len());
        for ((doc, pages), analyzed) in loaded.iter().zip(analyzed) {
            let entries: Vec<PageEntry<'_>> = pages
                .iter()
                .zip(analyzed)
                .map(|(p, a)| PageEntry {
                    analyzed: Some(a),
                    ..page_entry(doc, p)
                })
                .collect();
            writer.replace_document(doc.id, entries)?;
            records.push(index_record(doc));
        }
        Ok(records)
    }

    /// Rebuilds the search index from the store. `progress` is told the total and each
    /// document done.
    pub fn reindex(&self, progress: &dyn crate::Progress) -> Result<u64, ArchiveError> {
        let mut writer = self.index.writer_with_threads(self.jobs())?;
        writer.delete_all()?;
        let total = self.store().summary()?.documents;
        progress.begin(total);
        let mut after = None;
        let mut done = 0u64;
        loop {
            let batch = self.store().documents_after(after, 500)?;
            let Some(last) = batch.last() else { break };
            after = Some(last.id);
            let ids: Vec<DocId> = batch.iter().map(|d| d.id).collect();
            let records = self.index_documents(&mut writer, &ids)?;
            writer.commit()?;
            self.store().record_stages(&records)?;
            done += ids.len() as u64;
            progress.advance(ids.len() as u64, batch.iter().map(|d| d.size).sum());
        }
        writer.commit()?;
        writer.finish()?;
        self.index.refresh()?;
        progress.finish();
        Ok(done)
    }
}

/// A document with its pages, ledger and preservation events, as `show` presents it.
fn document_view(store: &dyn MetadataStore, document: Document) -> Result<Shown, ArchiveError> {
    Ok(Shown::Document {
        pages: store.pages(document.id)?,
        ledger: store.ledger(document.id)?,
        events: store.events(&document.content.to_hex())?,
        reference_en: document
            .reference
            .as_ref()
            .map(|r| r.display(Convention::English)),
        document,
    })
}

/// `f` over `items` on `threads` threads, results in the order of `items` whatever the
/// number of threads. A panic in `f` is passed on rather than swallowed, so that no result
/// silently goes missing.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    threads: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.max(1);
    let chunk = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

pub(crate) fn page_entry<'a>(doc: &'a Document, page: &'a Page) -> PageEntry<'a> {
    PageEntry {
        doc: doc.id,
        page: page.number,
        sheet: page.sheet,
        text: &page.text,
        reference: doc.reference.as_ref(),
        language: doc.language.as_deref(),
        format: doc.format,
        dates: doc.dates,
        analyzed: None,
    }
}

pub(crate) fn index_record(doc: &Document) -> StageRecord {
    StageRecord {
        doc: doc.id,
        stage: Stage::Index,
        input_hash: doc.content.to_hex(),
        version: INDEX_VERSION,
        at: now(),
        outcome: StageOutcome::Done,
    }
}

/// Makes a folder (0700) or a file (0600) its owner's alone. On systems without Unix
/// permissions it does nothing.
/// Whether what Kartoteka creates is shared with the owner's group (see [`share_with_group`]).
static GROUP_ACCESS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Who may read and write what Kartoteka creates from now on, in this process: its owner
/// alone (the default: an archive holds every text in the clear), or also the owner's
/// group (colleagues who work on one archive). Sets the process's file-creation mask too,
/// so that files other libraries create (the search index, the database's journal) follow.
pub fn share_with_group(group: bool) {
    GROUP_ACCESS.store(group, std::sync::atomic::Ordering::SeqCst);
    #[cfg(unix)]
    // SAFETY: umask(2) only sets the process's mask and cannot fail.
    unsafe {
        libc::umask(if group { 0o007 } else { 0o077 });
    }
}

/// The mode of a private folder or file: the owner's, and the group's when shared.
fn private_mode(folder: bool) -> u32 {
    let group = GROUP_ACCESS.load(std::sync::atomic::Ordering::SeqCst);
    match (folder, group) {
        (true, false) => 0o700,
        (false, false) => 0o600,
        (true, true) => 0o770,
        (false, true) => 0o660,
    }
}

/// Writes a one-line record file (`blobs.url`, `store.url`) into the archive folder whole:
/// a crash leaves it as it was or as written, never half.
pub(crate) fn write_record(root: &Path, name: &str, value: &str) -> Result<(), ArchiveError> {
    let record = format!("{value}\n");
    let written = tempfile::NamedTempFile::new_in(root).and_then(|mut tmp| {
        tmp.write_all(record.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(root.join(name)).map_err(|e| e.error)?;
        Ok(())
    });
    written.map_err(|e| ArchiveError::Folder {
        path: root.join(name),
        message: e.to_string(),
    })
}

pub(crate) fn make_private(path: &Path, folder: bool) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = private_mode(folder);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, folder);
    Ok(())
}

/// Creates a file only its owner can read (0600 on Unix), whatever the umask.
pub(crate) fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(private_mode(false));
    }
    let file = options.open(path)?;
    make_private(path, false)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use kartoteka_model::{Marking, MarkingRule};
    use kartoteka_store::{MemoryBlobStore, SqliteStore};

    use super::*;

    /// An archive on in-memory backends: the services tested without a process or a disk.
    fn archive() -> Archive {
        Archive::from_parts(
            Path::new("/nowhere"),
            Box::new(SqliteStore::in_memory().expect("an in-memory store")),
            Arc::new(MemoryBlobStore::default()),
            SearchIndex::in_memory().expect("an in-memory index"),
        )
    }

    fn rule(unit: &str) -> MarkingRule {
        MarkingRule {
            unit: unit.into(),
            marking: Marking::parse("SECRET").expect("a marking"),
            why: "the holding service's classification".into(),
            by: String::new(),
            at: String::new(),
        }
    }

    #[test]
    fn a_batch_is_kept_only_when_committed() {
        let a = archive();
        let batch = a.begin_batch().expect("begin");
        a.store().set_marking_rule(&rule("ф. 1")).expect("write");
        batch.commit().expect("commit");
        // Dropped uncommitted, or rolled back on an error: nothing of it stays.
        let batch = a.begin_batch().expect("begin");
        a.store().set_marking_rule(&rule("ф. 2")).expect("write");
        drop(batch);
        let batch = a.begin_batch().expect("begin");
        a.store().set_marking_rule(&rule("ф. 3")).expect("write");
        batch.rollback().expect("rollback");
        let units: Vec<String> = a
            .store()
            .marking_rules()
            .expect("rules")
            .into_iter()
            .map(|r| r.unit)
            .collect();
        assert_eq!(units, ["ф. 1"]);
    }

    #[test]
    fn a_panic_inside_a_batch_leaves_the_store_as_it_was() {
        let a = archive();
        let before = a.store().audit_head().expect("head");
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _batch = a.begin_batch().expect("begin");
            a.store().set_marking_rule(&rule("ф. 9")).expect("write");
            panic!("a bug halfway through an import");
        }));
        assert!(outcome.is_err());
        assert!(a.store().marking_rules().expect("rules").is_empty());
        assert_eq!(a.store().audit_head().expect("head"), before);
        // And the store takes the next batch as usual.
        let batch = a.begin_batch().expect("a new batch after the panic");
        a.store().set_marking_rule(&rule("ф. 10")).expect("write");
        batch.commit().expect("commit");
        assert_eq!(a.store().marking_rules().expect("rules").len(), 1);
    }
}
