//! Background jobs: the archivist's long work (checking fixity, retrying the ledger's
//! failures, reconciling the holdings, extracting and resolving persons) started from a
//! page or the API and run on a thread of its own, while the page that started it shows
//! its progress live and can be reloaded or left.
//!
//! Each job is also a small JSON file in the archive's `jobs/` folder, written whole and
//! renamed into place, so that its number, outcome and figures outlive the page and the
//! server: a job number means the same job forever, and a job that was running when the
//! server stopped says so ("interrupted") when it comes back.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use kartoteka_archive::{Archive, HeadKeys, IngestOptions, Progress, Unpacked};
use kartoteka_model::{JobEnd, JobRecord, NewJob};
use kartoteka_store::{prelude::*, StoreLocation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The archive's folder for the package files the release officer's desk sends.
pub const OUTBOX: &str = "outbox";

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    /// Re-hash every stored original (`kartoteka verify`).
    Verify,
    /// Retry the ledger's failures and the documents waiting for OCR
    /// (`kartoteka ingest --retry-failed`).
    Retry,
    /// Reconcile the holdings against the inventories (`kartoteka gaps`).
    Gaps,
    /// Find persons, cover names and relations in the text, then resolve who is who
    /// (`kartoteka extract` and `kartoteka resolve`).
    Resolve,
    /// Build the reports: one on each person the text names as an agent, rebuilt where
    /// the evidence changed (`kartoteka report build`).
    Reports,
    /// Unpack an uploaded zip and ingest it: a folder of originals (placed by the
    /// inventory at its top, if any) or a BagIt bag (`kartoteka transfer import`). Started
    /// by an upload, never by name.
    Ingest,
    /// Send a round of packages to the partners named: each one's variants of the
    /// reports the plan sends it, signed, encrypted and registered (`kartoteka release
    /// send`). Started from the release officer's desk, never by name.
    Send,
}

impl JobKind {
    /// Every kind that is started by name (an ingest is started by its upload).
    pub const ALL: [JobKind; 5] = [
        JobKind::Verify,
        JobKind::Retry,
        JobKind::Gaps,
        JobKind::Resolve,
        JobKind::Reports,
    ];

    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Verify => "verify",
            JobKind::Retry => "retry",
            JobKind::Gaps => "gaps",
            JobKind::Resolve => "resolve",
            JobKind::Reports => "reports",
            JobKind::Ingest => "ingest",
            JobKind::Send => "send",
        }
    }

    /// What a caller must be allowed to see a job of this kind: the work it does.
    pub fn seen_with(self) -> kartoteka_model::Action {
        match self {
            JobKind::Send => kartoteka_model::Action::PlanReleases,
            _ => kartoteka_model::Action::ReadKeeping,
        }
    }

    /// The kind of this name, of those started by name.
    pub fn parse(name: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind of this name, of every kind.
    fn from_name(name: &str) -> Option<JobKind> {
        JobKind::parse(name).or(match name {
            "ingest" => Some(JobKind::Ingest),
            "send" => Some(JobKind::Send),
            _ => None,
        })
    }
}

pub use kartoteka_model::JobState;

/// One background job, as the API shows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    /// Its number, "J" and a count that never repeats in this archive.
    pub id: String,
    /// What it does.
    pub kind: JobKind,
    /// Who started it.
    pub by: String,
    /// For an ingest, the name the uploaded file had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<String>,
    /// For a round of packages, the partners it sends to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<String>,
    /// Where it stands.
    pub state: JobState,
    /// When it was asked for (RFC 3339).
    pub started: String,
    /// When it ended.
    pub finished: Option<String>,
    /// How many times a worker took it: more than once when a worker died at it.
    #[serde(default)]
    pub attempts: u32,
    /// Items to do, once known (0 while unknown).
    pub total: u64,
    /// Items done.
    pub done: u64,
    /// One line on what it found.
    pub summary: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Its full result, as the command's `--json` prints it.
    pub result: Option<serde_json::Value>,
}

/// What a job works on, kept with it in the store as JSON.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct JobParams {
    /// The name the uploaded file had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    upload: Option<String>,
    /// Where the upload waits, in the server's `uploads/` folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    /// A round's partners.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    partners: Vec<String>,
}

/// The kind a job record holds that no job of this program has: a placeholder for a
/// number an unreadable job file held.
const UNREADABLE: &str = "unreadable";

/// The jobs of this archive: a queue in the store that every server sharing it takes
/// work from, seen through a connection of this server's own (so that a long step of a
/// job, holding the archive's connection, never holds up the lease of another).
pub struct Jobs {
    store: Mutex<Box<dyn MetadataStore>>,
    /// This server: the machine and the archive folder, where its uploads and outbox are.
    home: String,
    /// This worker: the home and the process.
    worker: String,
    lease: Duration,
    /// Rung when a job is queued here, so that this server's worker takes it at once.
    wake: (Mutex<bool>, Condvar),
}

fn number(id: &str) -> Option<u64> {
    id.strip_prefix('J')?
        .parse()
        .ok()
        .filter(|n| *n > 0 && id.len() < 22)
}

/// The name this machine goes by, for telling servers apart.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

impl Jobs {
    /// The job queue of the archive at `root`, whose store is at `store`, taken from
    /// under leases of `lease`. Jobs the archive's `jobs/` folder kept before the store
    /// kept them are moved into the store once, under their numbers; one that was
    /// running is interrupted, and a file that cannot be read keeps its number.
    pub fn open(root: &Path, store: &StoreLocation, lease: Duration) -> Result<Jobs, String> {
        let mut store = store.open().map_err(|e| e.to_string())?;
        import_job_files(&root.join("jobs"), store.as_mut())?;
        let folder = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let home = format!("{}:{}", host_name(), folder.display());
        static STARTED: AtomicU64 = AtomicU64::new(0);
        let worker = format!(
            "{home}#{}.{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::SeqCst)
        );
        Ok(Jobs {
            store: Mutex::new(store),
            home,
            worker,
            lease,
            wake: (Mutex::new(false), Condvar::new()),
        })
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Box<dyn MetadataStore>> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a new job (of an upload named `upload`, for an ingest).
    pub fn begin(&self, kind: JobKind, by: &str, upload: Option<&str>) -> Result<Job, ApiError> {
        self.queue(
            kind,
            by,
            JobParams {
                upload: upload.map(str::to_string),
                ..JobParams::default()
            },
        )
    }

    /// Queues a new job, with the partners of a round of packages.
    pub fn begin_with(
        &self,
        kind: JobKind,
        by: &str,
        upload: Option<&str>,
        partners: Vec<String>,
    ) -> Result<Job, ApiError> {
        self.queue(
            kind,
            by,
            JobParams {
                upload: upload.map(str::to_string),
                file: None,
                partners,
            },
        )
    }

    /// Queues an ingest of the upload waiting in this server's `uploads/` as `file`.
    pub(crate) fn begin_ingest(&self, by: &str, upload: &str, file: &str) -> Result<Job, ApiError> {
        self.queue(
            JobKind::Ingest,
            by,
            JobParams {
                upload: Some(upload.to_string()),
                file: Some(file.to_string()),
                partners: Vec::new(),
            },
        )
    }

    fn queue(&self, kind: JobKind, by: &str, input: JobParams) -> Result<Job, ApiError> {
        // An upload and an outbox are in this server's folder: only its worker may take
        // those. A round of packages is never sent twice by a second worker.
        let here = matches!(kind, JobKind::Ingest | JobKind::Send);
        let record = self
            .store()
            .add_job(&NewJob {
                kind: kind.as_str().to_string(),
                by: by.to_string(),
                input: serde_json::to_string(&input).map_err(ApiError::internal)?,
                home: here.then(|| self.home.clone()),
                rerun: kind != JobKind::Send,
            })
            .map_err(kartoteka_archive::ArchiveError::from)?;
        self.ring();
        shown(record).ok_or_else(|| ApiError::internal("a job of no kind was queued"))
    }

    fn ring(&self) {
        let (rung, bell) = &self.wake;
        *rung.lock().unwrap_or_else(|p| p.into_inner()) = true;
        bell.notify_all();
    }

    /// Waits up to `most` for a job to be queued through this server.
    fn wait(&self, most: Duration) {
        let (rung, bell) = &self.wake;
        let guard = rung.lock().unwrap_or_else(|p| p.into_inner());
        let (mut guard, _) = bell
            .wait_timeout_while(guard, most, |rung| !*rung)
            .unwrap_or_else(|p| p.into_inner());
        *guard = false;
    }

    /// A job by its number; a store that cannot be read is an error, not "no such job".
    pub fn get(&self, id: &str) -> Result<Option<Job>, ApiError> {
        let Some(n) = number(id) else { return Ok(None) };
        let record = self
            .store()
            .job(n)
            .map_err(kartoteka_archive::ArchiveError::from)?;
        Ok(record.and_then(shown))
    }

    /// The latest jobs, the latest first.
    pub fn list(&self) -> Result<Vec<Job>, ApiError> {
        let records = self
            .store()
            .jobs(LISTED)
            .map_err(kartoteka_archive::ArchiveError::from)?;
        Ok(records.into_iter().filter_map(shown).collect())
    }

    /// Takes the oldest job this server may do, if any is due.
    fn claim(&self) -> Result<Option<(Job, JobParams)>, String> {
        let record = self
            .store()
            .claim_job(&self.worker, &self.home, self.lease)
            .map_err(|e| e.to_string())?;
        Ok(record.and_then(|r| {
            let input = serde_json::from_str(&r.input).unwrap_or_default();
            shown(r).map(|job| (job, input))
        }))
    }

    /// Renews this worker's lease on a job with its progress; false when the job was
    /// taken from it.
    fn renew(&self, id: &str, total: u64, done: u64) -> Result<bool, String> {
        let Some(n) = number(id) else {
            return Ok(false);
        };
        self.store()
            .renew_job(n, &self.worker, self.lease, total, done)
            .map_err(|e| e.to_string())
    }

    /// Records how a job ended.
    pub fn end(&self, id: &str, outcome: Result<(String, serde_json::Value), ApiError>) {
        let Some(n) = number(id) else { return };
        let end = match outcome {
            Ok((summary, result)) => JobEnd::Done {
                summary,
                result: result.to_string(),
            },
            Err(e) => JobEnd::Failed(e.message),
        };
        match self.store().end_job(n, &self.worker, &end) {
            Ok(true) => {}
            Ok(false) => eprintln!(
                "kartoteka serve: job {id} ended here after another worker took it (this one's lease ran out)"
            ),
            Err(e) => eprintln!("kartoteka serve: recording the end of job {id}: {e}"),
        }
    }
}

/// How many jobs the lists show.
const LISTED: usize = 500;

/// A job record as the API shows it; `None` for a kind this program does not know (a
/// placeholder for an unreadable file, a kind of a newer version).
fn shown(r: JobRecord) -> Option<Job> {
    let kind = JobKind::from_name(&r.kind)?;
    let input: JobParams = serde_json::from_str(&r.input).unwrap_or_default();
    Some(Job {
        id: format!("J{}", r.number),
        kind,
        by: r.by,
        upload: input.upload,
        partners: input.partners,
        state: r.state,
        started: r.started.unwrap_or(r.queued),
        finished: r.finished,
        attempts: r.attempts,
        total: r.total,
        done: r.done,
        summary: r.summary,
        error: r.error,
        result: r.result.and_then(|t| serde_json::from_str(&t).ok()),
    })
}

/// Moves the job files an archive's `jobs/` folder kept (before the store kept jobs)
/// into the store, under their own numbers; those already there are left.
fn import_job_files(dir: &Path, store: &mut dyn MetadataStore) -> Result<(), String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("reading {}: {e}", dir.display())),
    };
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let Some(n) = path.file_stem().and_then(|s| s.to_str()).and_then(number) else {
            continue;
        };
        if store.job(n).map_err(|e| e.to_string())?.is_some() {
            continue;
        }
        let old = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Job>(&bytes).ok());
        let record = match old {
            Some(job) => {
                let interrupted = job.state == JobState::Running || job.state == JobState::Queued;
                JobRecord {
                    number: n,
                    kind: job.kind.as_str().to_string(),
                    by: job.by,
                    input: serde_json::to_string(&JobParams {
                        upload: job.upload,
                        file: None,
                        partners: job.partners,
                    })
                    .map_err(|e| e.to_string())?,
                    home: None,
                    rerun: false,
                    state: if interrupted {
                        JobState::Interrupted
                    } else {
                        job.state
                    },
                    worker: None,
                    attempts: 1,
                    queued: job.started.clone(),
                    started: Some(job.started),
                    finished: job.finished,
                    total: job.total,
                    done: job.done,
                    summary: job.summary,
                    error: if interrupted {
                        Some("the server stopped while the job ran".to_string())
                    } else {
                        job.error
                    },
                    result: job.result.map(|r| r.to_string()),
                }
            }
            // Its number was shown once; it is never given again.
            None => JobRecord {
                number: n,
                kind: UNREADABLE.to_string(),
                by: String::new(),
                input: "{}".to_string(),
                home: None,
                rerun: false,
                state: JobState::Interrupted,
                worker: None,
                attempts: 0,
                queued: kartoteka_model::now_rfc3339(),
                started: None,
                finished: None,
                total: 0,
                done: 0,
                summary: None,
                error: Some(format!("{} could not be read", path.display())),
                result: None,
            },
        };
        store.keep_job(&record).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The archive's progress, counted into a job; its worker's lease renewals carry it to
/// the store.
pub(crate) struct JobProgress {
    total: AtomicU64,
    done: AtomicU64,
}

impl Progress for JobProgress {
    fn begin(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }
    fn advance(&self, items: u64, _bytes: u64) {
        self.done.fetch_add(items, Ordering::Relaxed);
    }
    fn finish(&self) {
        let total = self.total.load(Ordering::Relaxed);
        self.done.fetch_max(total, Ordering::Relaxed);
    }
}

/// How often a worker renews its lease and says how far it got: at most every second,
/// and at least three times a lease.
fn renewal_every(lease: Duration) -> Duration {
    (lease / 3).min(Duration::from_secs(1))
}

/// This server's worker: takes the jobs due, one at a time, until the server goes.
/// `run` does a job's work (under the archive's writer lock) and gives its outcome.
pub(crate) fn work<F>(jobs: std::sync::Weak<Jobs>, run: F)
where
    F: Fn(
            &Job,
            Option<&Path>,
            &JobProgress,
        ) -> Option<Result<(String, serde_json::Value), ApiError>>
        + Send
        + 'static,
{
    let mut failing = false;
    loop {
        let Some(queue) = jobs.upgrade() else { return };
        match queue.claim() {
            Ok(Some((job, input))) => {
                failing = false;
                let progress = JobProgress {
                    total: AtomicU64::new(0),
                    done: AtomicU64::new(0),
                };
                let (stop, stopped) = std::sync::mpsc::channel::<()>();
                let outcome = std::thread::scope(|s| {
                    let queue = &queue;
                    let progress = &progress;
                    let id = job.id.clone();
                    s.spawn(move || {
                        let every = renewal_every(queue.lease);
                        while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                            stopped.recv_timeout(every)
                        {
                            let (total, done) = (
                                progress.total.load(Ordering::Relaxed),
                                progress.done.load(Ordering::Relaxed),
                            );
                            match queue.renew(&id, total, done) {
                                Ok(true) => {}
                                Ok(false) => {
                                    eprintln!("kartoteka serve: job {id} was taken by another worker: this one's lease ran out");
                                    return;
                                }
                                Err(e) => eprintln!("kartoteka serve: renewing the lease on job {id}: {e}"),
                            }
                        }
                    });
                    let upload = input.file.as_deref().map(Path::new);
                    let outcome = run(&job, upload, progress);
                    let _ = stop.send(());
                    outcome
                });
                let Some(outcome) = outcome else { return };
                let _ = queue.renew(
                    &job.id,
                    progress.total.load(Ordering::Relaxed),
                    progress.done.load(Ordering::Relaxed),
                );
                queue.end(&job.id, outcome);
            }
            Ok(None) => {
                failing = false;
                queue.wait(POLL);
            }
            Err(e) => {
                if !failing {
                    eprintln!("kartoteka serve: taking a job from the queue: {e}");
                    failing = true;
                }
                queue.wait(POLL);
            }
        }
    }
}

/// How long an idle worker waits before it looks for jobs other servers queued.
const POLL: Duration = Duration::from_millis(500);

/// What a job works with besides the archive.
pub(crate) struct JobInput<'a> {
    /// An ingest's uploaded zip.
    pub upload: Option<&'a Path>,
    /// A round's partners.
    pub partners: &'a [String],
    /// The keys the archive signs with.
    pub keys: &'a HeadKeys,
}

/// Does a job's work on the archive (the caller holds the writer lock): its summary line
/// and its result.
pub(crate) fn run(
    kind: JobKind,
    input: &JobInput<'_>,
    archive: &Archive,
    progress: &JobProgress,
) -> Result<(String, serde_json::Value), ApiError> {
    let upload = input.upload;
    match kind {
        JobKind::Send => {
            // The package files go to the archive's outbox, whence they are delivered.
            let outbox = archive.root().join(OUTBOX);
            let sent = archive.release().send(
                input.partners,
                false,
                &outbox,
                input.keys,
                true,
                progress,
            )?;
            let summary = format!(
                "{} packages sent: {}",
                sent.len(),
                sent.iter()
                    .map(|p| format!("{} ({} reports)", p.id, p.reports.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok((summary, serde_json::json!({ "packages": json(&sent) })))
        }
        JobKind::Ingest => {
            let Some(zip) = upload else {
                return Err(ApiError::bad_request("an ingest needs its upload"));
            };
            let into = zip.with_extension("");
            let unpacked = kartoteka_archive::unpack_upload(zip, &into, Default::default())?;
            let done = match unpacked {
                Unpacked::Folder { root, inventory } => {
                    let options = IngestOptions {
                        inventory,
                        ..IngestOptions::default()
                    };
                    archive.ingest(&[root], &options, progress).map(|report| {
                        (
                            format!(
                                "{} added, {} updated, {} unchanged, {} failed",
                                report.added, report.updated, report.unchanged, report.failed
                            ),
                            json(&report),
                        )
                    })
                }
                Unpacked::Bag(bag) => archive.import_bag(&bag, None, progress).map(|report| {
                    (
                        format!(
                            "bag {}: {} files, {} added, {} unchanged",
                            report.bag_id, report.files, report.added, report.unchanged
                        ),
                        json(&report),
                    )
                }),
            };
            // The originals are in the archive now; what was unpacked is not needed.
            let _ = std::fs::remove_dir_all(&into);
            if done.is_ok() {
                let _ = std::fs::remove_file(zip);
            }
            Ok(done?)
        }
        JobKind::Verify => {
            let report = archive.verify(progress)?;
            let mut summary = format!(
                "{} originals checked: {} intact, {} changed, {} missing",
                report.checked,
                report.passed,
                report.corrupted.len(),
                report.missing.len()
            );
            if report.kept_checked > 0 {
                summary.push_str(&format!(
                    "; {} files kept from packages: {} changed or missing",
                    report.kept_checked,
                    report.kept_problems.len()
                ));
            }
            Ok((summary, json(&report)))
        }
        JobKind::Retry => {
            let options = IngestOptions {
                retry_failed: true,
                ..IngestOptions::default()
            };
            let report = archive.ingest(&[], &options, progress)?;
            let summary = format!(
                "{} added, {} updated, {} still failing, {} waiting for OCR",
                report.added, report.updated, report.failed, report.needs_ocr
            );
            Ok((summary, json(&report)))
        }
        JobKind::Gaps => {
            let report = archive.gaps(None)?;
            let summary = format!(
                "{} files checked, {} findings",
                report.files,
                report.findings.len()
            );
            Ok((summary, json(&report)))
        }
        JobKind::Reports => {
            let built = archive.reports().build_reports(None)?;
            let summary = format!(
                "{} reports new, {} updated, {} unchanged, {} withdrawn",
                built.created.len(),
                built.updated.len(),
                built.unchanged.len(),
                built.withdrawn.len()
            );
            Ok((summary, json(&built)))
        }
        JobKind::Resolve => {
            let extracted = archive.extract_mentions(None, progress)?;
            let resolved = archive.identities().resolve()?;
            let summary = format!(
                "{} person mentions make {} persons",
                resolved.mentions, resolved.persons
            );
            Ok((
                summary,
                serde_json::json!({"extract": json(&extracted), "resolve": json(&resolved)}),
            ))
        }
    }
}

/// A report as JSON (the archive's reports always serialise).
fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job_file(state: &str) -> String {
        format!(
            r#"{{"id":"J0","kind":"gaps","by":"ivanova","state":"{state}","started":"2026-11-01T10:00:00Z",
                "finished":null,"total":3,"done":1,"summary":null,"error":null,"result":null}}"#
        )
    }

    #[test]
    fn jobs_kept_in_files_before_move_into_the_store_and_numbers_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let files = dir.path().join("jobs");
        std::fs::create_dir_all(&files).unwrap();
        std::fs::write(files.join("J1.json"), job_file("done")).unwrap();
        std::fs::write(files.join("J2.json"), job_file("running")).unwrap();
        // A file nobody can read still holds its number.
        std::fs::write(files.join("J7.json"), b"{not json").unwrap();
        let store = StoreLocation::Embedded(dir.path().join("archive.db"));
        let lease = Duration::from_secs(30);
        let jobs = Jobs::open(dir.path(), &store, lease).unwrap();
        let first = jobs.get("J1").unwrap().unwrap();
        assert_eq!(
            (first.state, first.kind, first.by.as_str()),
            (JobState::Done, JobKind::Gaps, "ivanova")
        );
        let interrupted = jobs.get("J2").unwrap().unwrap();
        assert_eq!(interrupted.state, JobState::Interrupted);
        assert!(interrupted.error.unwrap().contains("server stopped"));
        assert!(
            jobs.get("J7").unwrap().is_none(),
            "an unreadable job is not shown"
        );
        let next = jobs.begin(JobKind::Verify, "petrov", None).unwrap();
        assert_eq!(
            (next.id.as_str(), next.state),
            ("J8", JobState::Queued),
            "no number is given twice"
        );
        drop(jobs);

        // Opened again, nothing is moved twice.
        let again = Jobs::open(dir.path(), &store, lease).unwrap();
        let ids: Vec<String> = again.list().unwrap().into_iter().map(|j| j.id).collect();
        assert_eq!(ids, ["J8", "J2", "J1"]);
        assert!(
            again.get("J0").unwrap().is_none()
                && again.get("J99").unwrap().is_none()
                && again.get("x").unwrap().is_none()
        );
    }

    #[test]
    fn the_worker_does_a_job_and_says_how_far_it_got() {
        let dir = tempfile::tempdir().unwrap();
        let store = StoreLocation::Embedded(dir.path().join("archive.db"));
        let jobs =
            std::sync::Arc::new(Jobs::open(dir.path(), &store, Duration::from_secs(30)).unwrap());
        let job = jobs.begin(JobKind::Gaps, "ivanova", None).unwrap();
        let (seen, saw) = std::sync::mpsc::channel();
        let queue = std::sync::Arc::downgrade(&jobs);
        let worker = std::thread::spawn(move || {
            work(queue, move |job, _, progress| {
                progress.begin(4);
                progress.advance(4, 0);
                let _ = seen.send(job.id.clone());
                Some(Ok((
                    "4 files checked".to_string(),
                    serde_json::json!({"files": 4}),
                )))
            })
        });
        assert_eq!(saw.recv_timeout(Duration::from_secs(10)).unwrap(), job.id);
        let started = std::time::Instant::now();
        let done = loop {
            let j = jobs.get(&job.id).unwrap().unwrap();
            if j.state.is_final() {
                break j;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{j:?}");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(done.state, JobState::Done);
        assert_eq!((done.total, done.done, done.attempts), (4, 4, 1));
        assert_eq!(done.summary.as_deref(), Some("4 files checked"));
        assert_eq!(done.result, Some(serde_json::json!({"files": 4})));
        drop(jobs);
        worker.join().unwrap();
    }
}
