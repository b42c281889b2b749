//! The ingest pipeline: walk, read, hash, store, extract, place, save, index.
//!
//! ```text
//!   walk (main) --jobs--> workers x N: read, hash, store blob, extract --results--> writer (main):
//!                                                                        save document + ledger,
//!                                                                        index, commit in batches
//! ```
//!
//! Both channels are bounded, so memory stays flat however large the archive: at most a
//! few documents per worker are in flight. Every document is saved with its extraction
//! record in one transaction, and its index record is written only after the index commit
//! that holds its pages, so an ingest killed at any point resumes where it stopped: files
//! already saved are "unchanged", saved but unindexed documents are indexed first.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kartoteka_model::{
    ContentHash, DocId, Document, Format, Page, Placement, Reference, Sheet, Stage, StageOutcome,
    Unit,
};
use kartoteka_store::{hash_bytes, DocumentToSave, NewDocument, Saved};
use serde::Serialize;

use crate::archive::{page_entry, Archive, ArchiveError, INDEX_VERSION};
use crate::formats::{detect_format, read_pages, Limits, Ocr, PagesRead, RawPage};
use crate::inventory::{Inventory, InventoryRow};
use crate::placement::place_by_path;
use kartoteka_index::AnalyzedPage;

/// Version of text extraction: raising it re-extracts every document on the next ingest.
pub const EXTRACT_VERSION: u32 = 1;

/// Told about ingest progress; the CLI draws a progress bar with it.
pub trait Progress: Sync {
    /// The number of items to process.
    fn begin(&self, total: u64);
    /// `items` more processed, `bytes` more read.
    fn advance(&self, items: u64, bytes: u64);
    /// All done.
    fn finish(&self);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _: u64) {}
    fn advance(&self, _: u64, _: u64) {}
    fn finish(&self) {}
}

/// How to ingest.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// An inventory CSV placing the files.
    pub inventory: Option<PathBuf>,
    /// Files larger than this are stored but not extracted.
    pub max_file_size: u64,
    /// Worker threads (0: one per core).
    pub workers: usize,
    /// Only retry what failed or waits for OCR, instead of walking paths.
    pub retry_failed: bool,
    /// OCR, if available.
    pub ocr: Ocr,
    /// Limits on decompression.
    pub limits: Limits,
    /// Places for given files, as an inventory would give them, without describing the
    /// units (a transfer's description does that).
    pub placements: Vec<(PathBuf, Unit)>,
    /// Leave indexing to a later call: for writes inside a batch that may be rolled back,
    /// since the index cannot be.
    pub defer_index: bool,
    /// Files to pass over because the archive holds them already (a transfer's originals
    /// it has at the same place under another path); counted as unchanged.
    pub leave_out: HashSet<PathBuf>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            inventory: None,
            max_file_size: 512 * 1024 * 1024,
            workers: 0,
            retry_failed: false,
            ocr: Ocr::detect(),
            limits: Limits::default(),
            placements: Vec::new(),
            defer_index: false,
            leave_out: HashSet::new(),
        }
    }
}

/// A file that failed, and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct IngestError {
    /// The file (or inventory) concerned.
    pub path: String,
    /// What went wrong.
    pub error: String,
}

/// The summary of an ingest.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestReport {
    /// New documents.
    pub added: u64,
    /// Known files whose bytes changed: stored as a new version.
    pub updated: u64,
    /// Known files with the same bytes: nothing to do.
    pub unchanged: u64,
    /// Files or documents that failed.
    pub failed: u64,
    /// Documents stored but waiting for OCR.
    pub needs_ocr: u64,
    /// Files not in a format Kartoteka reads, listed in `skipped_paths`.
    pub skipped: u64,
    /// Bytes of originals read.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Each failure with its file and reason.
    pub errors: Vec<IngestError>,
    /// Documents waiting for OCR.
    pub needs_ocr_paths: Vec<String>,
    /// Files skipped as unsupported.
    pub skipped_paths: Vec<String>,
}

/// One file to ingest.
struct Job {
    path: PathBuf,
    /// The tree the file was found in, shared by all its files.
    root: std::sync::Arc<Path>,
    /// Placement from the inventory, when a row names the file or a folder above it.
    row: Option<usize>,
    /// The stored document when this is a retry.
    existing: Option<Document>,
    /// What the store held under this path when the feed looked (`None`: not looked).
    stored: Option<Option<Document>>,
}

/// How many files the feed looks up in the store at once.
const LOOKUP_CHUNK: usize = 256;

// A saved document is the common case; boxing it would cost an allocation per file to
// shrink the rare variants.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Save {
        doc: NewDocument,
        pages: Vec<Page>,
        analyzed: Vec<AnalyzedPage>,
        extract: StageOutcome,
        bytes: u64,
    },
    Unchanged {
        bytes: u64,
    },
    Skipped {
        path: String,
    },
    SourceFailed {
        path: String,
        error: String,
    },
}

/// How many extracted documents the writer saves in one store transaction: few enough
/// that little is held in memory or redone after a failure, enough that a store across a
/// network is asked once per batch rather than once per document.
const SAVE_BATCH: usize = 64;

/// An extracted document waiting for its batch to be saved.
struct Ready {
    existing: Option<Document>,
    doc: NewDocument,
    pages: Vec<Page>,
    analyzed: Vec<AnalyzedPage>,
    extract: StageOutcome,
}

/// How many results the writer has written, for the feed to wait on.
#[derive(Default)]
struct Written {
    count: std::sync::Mutex<u64>,
    changed: std::sync::Condvar,
}

impl Written {
    /// Waits until job `seq` is less than `window` ahead of the writer; false when the
    /// ingest stops first.
    fn wait_below(&self, seq: u64, window: u64, stop: &AtomicBool) -> bool {
        let mut count = self.count.lock().unwrap_or_else(|p| p.into_inner());
        while seq >= *count + window {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            count = self
                .changed
                .wait_timeout(count, Duration::from_millis(200))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        !stop.load(Ordering::Relaxed)
    }

    fn advance(&self) {
        *self.count.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.changed.notify_all();
    }

    fn wake_all(&self) {
        self.changed.notify_all();
    }
}

/// The workers' results put back in the order of the walk.
struct InOrder<'a> {
    results: crossbeam_channel::Receiver<(u64, Option<Document>, Outcome)>,
    held: std::collections::BTreeMap<u64, (Option<Document>, Outcome)>,
    next: u64,
    written: &'a Written,
}

impl Iterator for InOrder<'_> {
    type Item = (Option<Document>, Outcome);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(found) = self.held.remove(&self.next) {
                self.next += 1;
                self.written.advance();
                return Some(found);
            }
            match self.results.recv() {
                Ok((seq, existing, outcome)) => {
                    self.held.insert(seq, (existing, outcome));
                }
                // Every worker is done: what is held is all there is (a worker that
                // stopped early leaves a hole, which only happens when the ingest stops).
                Err(_) => {
                    let (&seq, _) = self.held.iter().next()?;
                    self.next = seq;
                }
            }
        }
    }
}

/// Produces the jobs of an ingest, handing each to the closure until it returns false.
type Feed<'a> = Box<dyn FnOnce(&mut dyn FnMut(Job) -> bool) -> bool + Send + 'a>;

/// What a file that is not a regular file is, in words.
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    let _ = kind;
    "not a regular file"
}

/// A 64-bit hash of a path: what the walk remembers of the paths it has seen and of the
/// paths an inventory names, so that millions of them take little memory.
fn path_hash(path: &Path) -> u64 {
    use std::hash::BuildHasher;

    std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::new().hash_one(path)
}

/// Counts the files under `paths`, for the progress bar only.
fn count_files(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .flat_map(|p| {
            walkdir::WalkDir::new(p)
                .follow_links(true)
                .into_iter()
                .flatten()
        })
        .filter(|e| e.file_type().is_file())
        .count() as u64
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Gives pages their sheets: a sheet marked in the text wins; otherwise paged documents
/// count sheets from the reference's first sheet (or 1), and a single unpaged text is the
/// reference's sheet, if it names one.
fn assign_sheets(raw: Vec<RawPage>, paged: bool, reference: Option<&Reference>) -> Vec<Page> {
    let first = reference.and_then(|r| r.sheets).map(|s| s.first);
    let single = raw.len() == 1;
    raw.into_iter()
        .enumerate()
        .map(|(i, p)| {
            let sheet = p.marked_sheet.or_else(|| {
                if paged {
                    Some(Sheet::recto(
                        first.map(|s| s.number).unwrap_or(1) + i as u32,
                    ))
                } else if single {
                    first
                } else {
                    None
                }
            });
            Page {
                number: i as u32 + 1,
                sheet,
                text: p.text,
            }
        })
        .collect()
}

impl Archive {
    /// Ingests files and folders. Failures of single files are reported, not raised; an
    /// error is returned only when the archive itself cannot be written.
    pub fn ingest(
        &self,
        paths: &[PathBuf],
        options: &IngestOptions,
        progress: &dyn Progress,
    ) -> Result<IngestReport, ArchiveError> {
        let started = Instant::now();
        let mut report = IngestReport::default();
        // Temporary copies for OCR stay inside the archive folder, private like it, where
        // the next writer clears what a killed run left.
        let options = &IngestOptions {
            ocr: options
                .ocr
                .clone()
                .with_scratch(self.root().join(crate::archive::SCRATCH)),
            ..options.clone()
        };

        // The inventory: units first, then a map from files and folders to rows.
        let mut rows: Vec<Unit> = Vec::new();
        let mut by_path: HashMap<u64, u32> = HashMap::new();
        let mut inventory_file: Option<PathBuf> = None;
        if let Some(inv) = &options.inventory {
            match Inventory::read(inv) {
                Ok(parsed) => {
                    for p in &parsed.problems {
                        report.errors.push(IngestError {
                            path: display(inv),
                            error: p.to_string(),
                        });
                    }
                    // Only what placement needs stays in memory: the units, and the hashes of
                    // the paths the rows name (about 200 bytes a row).
                    rows = parsed.rows.iter().map(InventoryRow::unit).collect();
                    for batch in rows.chunks(10_000) {
                        self.store().upsert_units(batch)?;
                    }
                    for (i, row) in parsed.rows.iter().enumerate() {
                        if let Some(p) = row
                            .path
                            .as_ref()
                            .and_then(|p| std::fs::canonicalize(p).ok())
                        {
                            by_path.insert(path_hash(&p), i as u32);
                        }
                    }
                    inventory_file = std::fs::canonicalize(inv).ok();
                }
                Err(e) => report.errors.push(IngestError {
                    path: display(inv),
                    error: e.to_string(),
                }),
            }
        }

        for (path, unit) in &options.placements {
            if let Ok(p) = std::fs::canonicalize(path) {
                by_path.insert(path_hash(&p), rows.len() as u32);
                rows.push(unit.clone());
            }
        }

        // Documents a killed run saved but did not index.
        if !options.defer_index {
            self.catch_up_index()?;
        }

        // Files stream from the walk to the workers, so that memory does not grow with the
        // number of files; a quick count first gives the progress bar its length.
        let walk_errors = std::sync::Mutex::new(Vec::new());
        let walk_skipped = std::sync::Mutex::new(Vec::<String>::new());
        if options.retry_failed {
            let jobs = self.retry_jobs(options)?;
            progress.begin(jobs.len() as u64);
            self.run(
                Box::new(move |emit| jobs.into_iter().all(emit)),
                &rows,
                options,
                progress,
                &mut report,
            )?;
        } else {
            progress.begin(count_files(paths).saturating_sub(options.leave_out.len() as u64));
            let inventory = inventory_file.as_deref();
            let by_path = &by_path;
            let walk_errors = &walk_errors;
            let walk_skipped = &walk_skipped;
            self.run(
                Box::new(move |emit| {
                    let mut errors = Vec::new();
                    let mut skipped = Vec::new();
                    self.walk(
                        paths,
                        by_path,
                        inventory,
                        &options.leave_out,
                        &mut errors,
                        &mut skipped,
                        emit,
                    );
                    walk_errors
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .extend(errors);
                    walk_skipped
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .extend(skipped);
                    true
                }),
                &rows,
                options,
                progress,
                &mut report,
            )?;
        }
        report
            .errors
            .extend(walk_errors.into_inner().unwrap_or_else(|p| p.into_inner()));
        let special = walk_skipped.into_inner().unwrap_or_else(|p| p.into_inner());
        report.skipped += special.len() as u64;
        report.skipped_paths.extend(special);
        progress.finish();
        report.failed = report.errors.len() as u64;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    pub(crate) fn catch_up_index(&self) -> Result<(), ArchiveError> {
        let pending = self
            .store()
            .documents_needing(Stage::Index, INDEX_VERSION)?;
        if pending.is_empty() {
            return Ok(());
        }
        let mut writer = self.index().writer_with_threads(self.jobs())?;
        for chunk in pending.chunks(1000) {
            let records = self.index_documents(&mut writer, chunk)?;
            writer.commit()?;
            self.store().record_stages(&records)?;
        }
        writer.finish()?;
        self.index().refresh()?;
        Ok(())
    }

    fn retry_jobs(&self, options: &IngestOptions) -> Result<Vec<Job>, ArchiveError> {
        let store = self.store();
        let mut jobs = Vec::new();
        let mut seen = HashSet::new();
        for f in store.failures()? {
            if !seen.insert(f.path.clone()) {
                continue;
            }
            let existing = match f.doc {
                Some(id) => store.document(id)?,
                None => None,
            };
            jobs.push(Job {
                path: PathBuf::from(&f.path),
                root: std::sync::Arc::from(Path::new("/")),
                row: None,
                existing,
                stored: None,
            });
        }
        if options.ocr.available() {
            for d in store.documents_waiting_for_ocr()? {
                if seen.insert(d.source_path.clone()) {
                    jobs.push(Job {
                        path: PathBuf::from(&d.source_path),
                        root: std::sync::Arc::from(Path::new("/")),
                        row: None,
                        existing: Some(d),
                        stored: None,
                    });
                }
            }
        }
        Ok(jobs)
    }

    /// Hands each file under `paths` to `emit` (until it returns false), refusing links
    /// that lead outside the tree and loops.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        paths: &[PathBuf],
        by_path: &HashMap<u64, u32>,
        inventory: Option<&Path>,
        leave_out: &HashSet<PathBuf>,
        errors: &mut Vec<IngestError>,
        skipped: &mut Vec<String>,
        emit: &mut dyn FnMut(Job) -> bool,
    ) {
        let archive_root = std::fs::canonicalize(self.root()).ok();
        // The archive's own files are never its holdings; its uploads folder holds only
        // what was sent to be ingested.
        let uploads = archive_root
            .as_ref()
            .map(|a| a.join(crate::archive::UPLOADS));
        // Paths reached twice (through links, or overlapping arguments) are ingested once;
        // a 64-bit hash per path keeps this small for millions of files.
        let mut seen: HashSet<u64> = HashSet::new();
        for input in paths {
            let root = match std::fs::canonicalize(input) {
                Ok(r) => r,
                Err(e) => {
                    errors.push(IngestError {
                        path: display(input),
                        error: format!("cannot open: {e}"),
                    });
                    continue;
                }
            };
            let tree: std::sync::Arc<Path> = if root.is_dir() {
                root.clone().into()
            } else {
                root.parent().unwrap_or(&root).into()
            };
            for entry in walkdir::WalkDir::new(&root)
                .follow_links(true)
                .sort_by_file_name()
            {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        let path = e.path().map(display).unwrap_or_else(|| display(input));
                        let error = if e.loop_ancestor().is_some() {
                            "symbolic link loop: this folder links back to one of its ancestors"
                                .to_string()
                        } else {
                            e.io_error()
                                .map(|io| io.to_string())
                                .unwrap_or_else(|| e.to_string())
                        };
                        errors.push(IngestError { path, error });
                        continue;
                    }
                };
                let name = entry.file_name().to_string_lossy();
                if entry.depth() > 0 && name.starts_with('.') {
                    continue;
                }
                let kind = entry.file_type();
                if kind.is_dir() {
                    continue;
                }
                if !kind.is_file() {
                    // A FIFO would hang the reader and a device never ends: listed, not read.
                    skipped.push(format!(
                        "{} ({}: only regular files are read)",
                        display(entry.path()),
                        special_kind(&kind)
                    ));
                    continue;
                }
                let path = entry.path();
                let canonical = match std::fs::canonicalize(path) {
                    Ok(c) => c,
                    Err(e) => {
                        errors.push(IngestError {
                            path: display(path),
                            error: format!("cannot resolve: {e}"),
                        });
                        continue;
                    }
                };
                if !canonical.starts_with(&tree) {
                    errors.push(IngestError {
                        path: display(path),
                        error: format!(
                            "path outside the tree: it links to {}, outside {}",
                            display(&canonical),
                            display(&tree)
                        ),
                    });
                    continue;
                }
                if Some(canonical.as_path()) == inventory
                    || archive_root.as_ref().is_some_and(|a| {
                        canonical.starts_with(a)
                            && !uploads.as_ref().is_some_and(|u| canonical.starts_with(u))
                    })
                {
                    continue;
                }
                if !seen.insert(path_hash(&canonical)) || leave_out.contains(&canonical) {
                    continue;
                }
                let row = canonical
                    .ancestors()
                    .find_map(|a| by_path.get(&path_hash(a)).map(|&i| i as usize));
                let job = Job {
                    path: canonical,
                    root: tree.clone(),
                    row,
                    existing: None,
                    stored: None,
                };
                if !emit(job) {
                    return;
                }
            }
        }
    }

    fn run(
        &self,
        feed: Feed<'_>,
        rows: &[Unit],
        options: &IngestOptions,
        progress: &dyn Progress,
        report: &mut IngestReport,
    ) -> Result<(), ArchiveError> {
        // Workers storing originals across a network spend most of their time waiting
        // on it: more of them keep the cores busy. Numbers never depend on how many.
        let workers = if options.workers == 0 {
            self.jobs() * self.blobs().reads_per_core().clamp(1, 4)
        } else {
            options.workers
        };
        // Results are written in the order of the walk, whatever order the workers finish
        // in: a document's number is its place among the new files of a sorted walk, the
        // same for one worker or many. The feed waits while more than `window` files are
        // between the walk and the writer, so the results held back stay few.
        let window = (workers * 16) as u64;
        let (job_tx, job_rx) = crossbeam_channel::bounded::<(u64, Job)>(workers * 4);
        let (out_tx, out_rx) =
            crossbeam_channel::bounded::<(u64, Option<Document>, Outcome)>(workers * 4);
        let stop = AtomicBool::new(false);
        let written = Written::default();
        let mut writer = self.index().writer_with_threads(self.jobs())?;
        let result = std::thread::scope(|scope| -> Result<(), ArchiveError> {
            let (stop, written) = (&stop, &written);
            scope.spawn(move || {
                let mut seq = 0u64;
                // Files go out in chunks, each chunk's stored documents looked up at once:
                // a worker asking the store about each file on its own would wait on the
                // writer's transactions.
                let mut chunk: Vec<Job> = Vec::new();
                let mut send = |chunk: &mut Vec<Job>| -> bool {
                    self.look_up_stored(chunk);
                    for job in chunk.drain(..) {
                        if !written.wait_below(seq, window, stop)
                            || job_tx.send((seq, job)).is_err()
                        {
                            return false;
                        }
                        seq += 1;
                    }
                    true
                };
                let mut going = true;
                feed(&mut |job| {
                    chunk.push(job);
                    if chunk.len() >= LOOKUP_CHUNK {
                        going = send(&mut chunk);
                    }
                    going
                });
                if going {
                    send(&mut chunk);
                }
            });
            for _ in 0..workers {
                let job_rx = job_rx.clone();
                let out_tx = out_tx.clone();
                scope.spawn(move || {
                    for (seq, job) in job_rx {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let existing = job.existing.clone();
                        let outcome = self.process(job, rows, options);
                        if out_tx.send((seq, existing, outcome)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(out_tx);
            drop(job_rx);
            let in_order = InOrder {
                results: out_rx,
                held: std::collections::BTreeMap::new(),
                next: 0,
                written,
            };
            let outcome =
                self.write_results(in_order, &mut writer, options.defer_index, progress, report);
            if outcome.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            written.wake_all();
            outcome
        });
        writer.finish()?;
        self.index().refresh()?;
        result
    }

    /// The writer's loop: save the results in small batches (one store transaction
    /// each), index them, commit the index in larger ones.
    fn write_results(
        &self,
        results: InOrder<'_>,
        writer: &mut kartoteka_index::IndexWriterHandle,
        defer_index: bool,
        progress: &dyn Progress,
        report: &mut IngestReport,
    ) -> Result<(), ArchiveError> {
        let mut uncommitted: Vec<Document> = Vec::new();
        let mut ready: Vec<Ready> = Vec::new();
        let mut last_commit = Instant::now();
        for (existing, outcome) in results {
            match outcome {
                Outcome::Save {
                    doc,
                    pages,
                    analyzed,
                    extract,
                    bytes,
                } => {
                    report.bytes += bytes;
                    ready.push(Ready {
                        existing,
                        doc,
                        pages,
                        analyzed,
                        extract,
                    });
                    progress.advance(1, bytes);
                }
                Outcome::Unchanged { bytes } => {
                    report.unchanged += 1;
                    progress.advance(1, bytes);
                }
                Outcome::Skipped { path } => {
                    report.skipped += 1;
                    report.skipped_paths.push(path);
                    progress.advance(1, 0);
                }
                Outcome::SourceFailed { path, error } => {
                    self.store().record_source_failure(&path, &error)?;
                    report.errors.push(IngestError { path, error });
                    progress.advance(1, 0);
                }
            }
            if ready.len() >= SAVE_BATCH {
                self.save_ready(&mut ready, writer, defer_index, report, &mut uncommitted)?;
            }
            if uncommitted.len() >= 20_000 || last_commit.elapsed() > Duration::from_secs(20) {
                self.save_ready(&mut ready, writer, defer_index, report, &mut uncommitted)?;
                self.commit_index(writer, &mut uncommitted)?;
                last_commit = Instant::now();
            }
        }
        self.save_ready(&mut ready, writer, defer_index, report, &mut uncommitted)?;
        self.commit_index(writer, &mut uncommitted)
    }

    /// Saves the results held back, in walk order and one store transaction, and hands
    /// them to the index writer.
    fn save_ready(
        &self,
        ready: &mut Vec<Ready>,
        writer: &mut kartoteka_index::IndexWriterHandle,
        defer_index: bool,
        report: &mut IngestReport,
        uncommitted: &mut Vec<Document>,
    ) -> Result<(), ArchiveError> {
        if ready.is_empty() {
            return Ok(());
        }
        let batch: Vec<_> = ready
            .iter()
            .map(|r| DocumentToSave {
                doc: &r.doc,
                pages: &r.pages,
                extract: &r.extract,
            })
            .collect();
        let saved = self.store().save_documents(&batch, EXTRACT_VERSION)?;
        let stored = if defer_index {
            Vec::new()
        } else {
            let ids: Vec<DocId> = saved.iter().map(|s| s.id()).collect();
            self.store().documents_by_id(&ids)?
        };
        let mut stored: HashMap<DocId, Document> = stored.into_iter().map(|d| (d.id, d)).collect();
        for (r, saved) in ready.drain(..).zip(saved) {
            match (saved, &r.existing) {
                (Saved::Added(_), _) => report.added += 1,
                (Saved::Updated(_), Some(_)) => {}
                (Saved::Updated(_), None) => report.updated += 1,
            }
            match &r.extract {
                StageOutcome::Failed(reason) => report.errors.push(IngestError {
                    path: r.doc.source_path.clone(),
                    error: reason.clone(),
                }),
                StageOutcome::Pending(_) => {
                    report.needs_ocr += 1;
                    report.needs_ocr_paths.push(r.doc.source_path.clone());
                }
                StageOutcome::Done => {}
            }
            if let Some(stored) = stored.remove(&saved.id()) {
                let entries: Vec<_> = r
                    .pages
                    .iter()
                    .zip(r.analyzed)
                    .map(|(p, a)| kartoteka_index::PageEntry {
                        analyzed: Some(a),
                        ..page_entry(&stored, p)
                    })
                    .collect();
                match saved {
                    Saved::Added(_) => writer.add_document(entries)?,
                    Saved::Updated(id) => writer.replace_document(id, entries)?,
                }
                uncommitted.push(stored);
            }
        }
        Ok(())
    }

    /// Commits the index and records in the ledger that these documents are in it.
    fn commit_index(
        &self,
        writer: &mut kartoteka_index::IndexWriterHandle,
        docs: &mut Vec<Document>,
    ) -> Result<(), ArchiveError> {
        if docs.is_empty() {
            return Ok(());
        }
        writer.commit()?;
        let records: Vec<_> = docs.iter().map(crate::archive::index_record).collect();
        self.store().record_stages(&records)?;
        docs.clear();
        Ok(())
    }

    /// A worker's whole job on one file.
    fn process(&self, job: Job, rows: &[Unit], options: &IngestOptions) -> Outcome {
        let source = display(&job.path);
        let read = match std::fs::metadata(&job.path) {
            Ok(meta) if meta.len() > options.max_file_size => None,
            Ok(_) => match std::fs::read(&job.path) {
                Ok(bytes) => Some(bytes),
                Err(e) => {
                    return self.retry_from_blob(job, rows, options, format!("cannot read: {e}"))
                }
            },
            Err(e) => return self.retry_from_blob(job, rows, options, format!("cannot read: {e}")),
        };
        let Some(bytes) = read else {
            return self.store_oversized(job, rows, options);
        };
        let hash = hash_bytes(&bytes);
        if !options.retry_failed
            && self.is_unchanged(&source, &job.stored, &hash, options.ocr.available())
        {
            return Outcome::Unchanged {
                bytes: bytes.len() as u64,
            };
        }
        self.extract_and_describe(job, rows, options, bytes, hash)
    }

    /// Looks up at once what the store holds under these files' paths.
    fn look_up_stored(&self, jobs: &mut [Job]) {
        let paths: Vec<String> = jobs.iter().map(|j| display(&j.path)).collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        // Left unlooked on an error: each worker asks again and meets it there.
        let Ok(found) = self.store().documents_by_source_paths(&refs) else {
            return;
        };
        let mut found: HashMap<String, Document> = found
            .into_iter()
            .map(|d| (d.source_path.clone(), d))
            .collect();
        for (job, path) in jobs.iter_mut().zip(&paths) {
            job.stored = Some(found.remove(path));
        }
    }

    fn is_unchanged(
        &self,
        source: &str,
        stored: &Option<Option<Document>>,
        hash: &ContentHash,
        ocr_available: bool,
    ) -> bool {
        let doc = match stored {
            Some(Some(doc)) => doc.clone(),
            Some(None) => return false,
            None => match self.store().document_by_source(source) {
                Ok(Some(doc)) => doc,
                _ => return false,
            },
        };
        if doc.content != *hash {
            return false;
        }
        let Ok(ledger) = self.store().ledger(doc.id) else {
            return false;
        };
        // Unchanged when the latest extraction of these bytes succeeded with this version.
        ledger
            .iter()
            .rev()
            .find(|r| r.stage == Stage::Extract)
            .is_some_and(|r| {
                r.input_hash == hash.to_hex()
                    && r.version >= EXTRACT_VERSION
                    && r.outcome == StageOutcome::Done
            })
            || (doc.needs_ocr && !ocr_available)
    }

    /// A retried document whose source is gone is re-extracted from its stored original.
    fn retry_from_blob(
        &self,
        job: Job,
        rows: &[Unit],
        options: &IngestOptions,
        error: String,
    ) -> Outcome {
        if let Some(doc) = &job.existing {
            if let Ok(bytes) = self.blobs().get(&doc.content) {
                let hash = doc.content;
                return self.extract_and_describe(job, rows, options, bytes, hash);
            }
        }
        Outcome::SourceFailed {
            path: display(&job.path),
            error,
        }
    }

    fn placement(
        &self,
        job: &Job,
        rows: &[Unit],
    ) -> (
        Option<Reference>,
        Placement,
        Option<String>,
        Option<kartoteka_model::DateRange>,
    ) {
        if let Some(doc) = &job.existing {
            return (
                doc.reference.clone(),
                doc.placement,
                doc.title.clone(),
                doc.dates,
            );
        }
        if let Some(row) = job.row.map(|i| &rows[i]) {
            let mut reference = row.reference.clone();
            // A row for a whole file (дело) and a file name that names its first sheet ("л. 3.txt").
            if reference.sheets.is_none() && reference.file.is_some() {
                let stem = job
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if let Some(sheet) = crate::formats::sheet_marker(&stem) {
                    reference.sheets = Some(kartoteka_model::Sheets {
                        first: sheet,
                        last: None,
                    });
                }
            }
            return (
                Some(reference),
                Placement::Inventory,
                row.title.clone(),
                row.dates,
            );
        }
        let (reference, placement) = place_by_path(&job.root, &job.path);
        (reference, placement, None, None)
    }

    /// Stores a file too large to extract, so that it is kept and listed as failed.
    fn store_oversized(&self, job: Job, rows: &[Unit], options: &IngestOptions) -> Outcome {
        let source = display(&job.path);
        let file = match std::fs::File::open(&job.path) {
            Ok(f) => f,
            Err(e) => {
                return Outcome::SourceFailed {
                    path: source,
                    error: format!("cannot read: {e}"),
                }
            }
        };
        let mut reader = std::io::BufReader::new(file);
        let (hash, size) = match self.blobs().put_reader(&mut reader) {
            Ok(v) => v,
            Err(e) => {
                return Outcome::SourceFailed {
                    path: source,
                    error: e.to_string(),
                }
            }
        };
        let (reference, placement, title, dates) = self.placement(&job, rows);
        let name = job
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let doc = NewDocument {
            content: hash,
            size,
            source_path: source,
            format: detect_format(&name, b"").unwrap_or(Format::Text),
            encoding: None,
            language: None,
            reference,
            placement,
            title,
            dates,
            needs_ocr: false,
        };
        let reason = format!(
            "too large to extract: {size} bytes is over the {} byte limit (the original is stored; raise the size limit to extract it)",
            options.max_file_size
        );
        Outcome::Save {
            doc,
            pages: Vec::new(),
            analyzed: Vec::new(),
            extract: StageOutcome::Failed(reason),
            bytes: size,
        }
    }

    fn extract_and_describe(
        &self,
        job: Job,
        rows: &[Unit],
        options: &IngestOptions,
        bytes: Vec<u8>,
        hash: ContentHash,
    ) -> Outcome {
        let source = display(&job.path);
        let name = job
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let format = match job
            .existing
            .as_ref()
            .map(|d| d.format)
            .or_else(|| detect_format(&name, &bytes[..bytes.len().min(4096)]))
        {
            Some(f) => f,
            None => return Outcome::Skipped { path: source },
        };
        if let Err(e) = self.blobs().put(&bytes) {
            return Outcome::SourceFailed {
                path: source,
                error: format!("storing the original: {e}"),
            };
        }
        let (reference, placement, title, dates) = self.placement(&job, rows);
        // A panic in a parser must cost one file, not the ingest.
        let extracted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_pages(format, &bytes, &options.limits, &options.ocr)
        }))
        .unwrap_or(Err(crate::formats::FormatError::Crashed(format)));
        let (extracted, outcome) = match extracted {
            Ok(e) => {
                let outcome = if e.needs_ocr {
                    StageOutcome::Pending(format!("needs OCR: {}", options.ocr.why_not()))
                } else {
                    StageOutcome::Done
                };
                (e, outcome)
            }
            Err(e) => (PagesRead::default(), StageOutcome::Failed(e.to_string())),
        };
        let paged = extracted.paged;
        let pages = assign_sheets(extracted.pages, paged, reference.as_ref());
        let all_text: String = pages
            .iter()
            .take(20)
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let language = if all_text.trim().is_empty() {
            None
        } else {
            Some(kartoteka_text::language(&all_text).to_string())
        };
        let doc = NewDocument {
            content: hash,
            size: bytes.len() as u64,
            source_path: source,
            format,
            encoding: extracted.encoding,
            language,
            reference,
            placement,
            title: title.or(extracted.title),
            dates,
            needs_ocr: extracted.needs_ocr,
        };
        // Analysed here, in the worker, so that both cores share the work of the index.
        let analyzed = pages.iter().map(|p| AnalyzedPage::new(&p.text)).collect();
        Outcome::Save {
            doc,
            pages,
            analyzed,
            extract: outcome,
            bytes: bytes.len() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_follow_markers_then_the_reference() {
        let raw = |texts: &[&str]| {
            texts
                .iter()
                .map(|t| RawPage {
                    text: t.to_string(),
                    marked_sheet: None,
                })
                .collect::<Vec<_>>()
        };
        let r: Reference = "ф. 1, оп. 1, д. 1, л. 5".parse().unwrap();
        let pages = assign_sheets(raw(&["a", "b"]), true, Some(&r));
        assert_eq!(
            pages
                .iter()
                .map(|p| p.sheet.map(|s| s.number))
                .collect::<Vec<_>>(),
            [Some(5), Some(6)]
        );
        let pages = assign_sheets(raw(&["a"]), false, Some(&r));
        assert_eq!(pages[0].sheet, Some(Sheet::recto(5)));
        let pages = assign_sheets(raw(&["a"]), false, None);
        assert_eq!(pages[0].sheet, None);
        let mut marked = raw(&["a"]);
        marked[0].marked_sheet = Some(Sheet {
            number: 9,
            verso: true,
        });
        assert_eq!(
            assign_sheets(marked, true, Some(&r))[0].sheet,
            Some(Sheet {
                number: 9,
                verso: true
            })
        );
    }
}
