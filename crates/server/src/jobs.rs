//! Background jobs: the archivist's long work (checking fixity, retrying the ledger's
//! failures, reconciling the holdings, extracting and resolving persons) started from a
//! page or the API and run on a thread of its own, while the page that started it shows
//! its progress live and can be reloaded or left.
//!
//! Each job is also a small JSON file in the archive's `jobs/` folder, written whole and
//! renamed into place, so that its number, outcome and figures outlive the page and the
//! server: a job number means the same job forever, and a job that was running when the
//! server stopped says so ("interrupted") when it comes back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use kartoteka_archive::{Archive, HeadKeys, IngestOptions, Progress, Unpacked};
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

    /// The kind of this name.
    pub fn parse(name: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Started, waiting for the archive's writer lock or working.
    Running,
    /// Finished; its result says what it found.
    Done,
    /// Stopped by an error, which it names.
    Failed,
    /// The server stopped while it ran; what it had written is kept (every step of the
    /// archive's work is its own transaction), and it can be started again.
    Interrupted,
}

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
    /// When it started (RFC 3339).
    pub started: String,
    /// When it ended.
    pub finished: Option<String>,
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

/// The jobs of this archive, in memory and in its `jobs/` folder.
pub struct Jobs {
    dir: PathBuf,
    all: Mutex<BTreeMap<u64, Job>>,
    next: AtomicU64,
}

fn number(id: &str) -> Option<u64> {
    id.strip_prefix('J')?
        .parse()
        .ok()
        .filter(|n| *n > 0 && id.len() < 22)
}

impl Jobs {
    /// The jobs kept in `dir` (created if missing); those that were running are marked
    /// interrupted. A job file that cannot be read is left where it is and its number is
    /// never given again.
    pub fn open(dir: &Path) -> std::io::Result<Jobs> {
        std::fs::create_dir_all(dir)?;
        let mut all = BTreeMap::new();
        let mut highest = 0;
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let Some(n) = path.file_stem().and_then(|s| s.to_str()).and_then(number) else {
                continue;
            };
            highest = highest.max(n);
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let Ok(mut job) = serde_json::from_slice::<Job>(&bytes) else {
                continue;
            };
            if job.state == JobState::Running {
                job.state = JobState::Interrupted;
                job.error = Some("the server stopped while the job ran".to_string());
                write_job(dir, &job)?;
            }
            all.insert(n, job);
        }
        Ok(Jobs {
            dir: dir.to_path_buf(),
            all: Mutex::new(all),
            next: AtomicU64::new(highest + 1),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Job>> {
        self.all.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a new running job (of an upload named `upload`, for an ingest).
    pub fn begin(&self, kind: JobKind, by: &str, upload: Option<&str>) -> Result<Job, ApiError> {
        self.begin_with(kind, by, upload, Vec::new())
    }

    /// Records a new running job, with the partners of a round of packages.
    pub fn begin_with(
        &self,
        kind: JobKind,
        by: &str,
        upload: Option<&str>,
        partners: Vec<String>,
    ) -> Result<Job, ApiError> {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let job = Job {
            id: format!("J{n}"),
            kind,
            by: by.to_string(),
            upload: upload.map(str::to_string),
            partners,
            state: JobState::Running,
            started: kartoteka_model::now_rfc3339(),
            finished: None,
            total: 0,
            done: 0,
            summary: None,
            error: None,
            result: None,
        };
        write_job(&self.dir, &job).map_err(ApiError::internal)?;
        self.lock().insert(n, job.clone());
        Ok(job)
    }

    /// A job by its number.
    pub fn get(&self, id: &str) -> Option<Job> {
        self.lock().get(&number(id)?).cloned()
    }

    /// Every job, the latest first.
    pub fn list(&self) -> Vec<Job> {
        self.lock().values().rev().cloned().collect()
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Job)) {
        if let Some(job) = number(id).and_then(|n| {
            self.lock().get_mut(&n).map(|j| {
                f(j);
                j.clone()
            })
        }) {
            if job.state != JobState::Running {
                // The end of a job is kept on disk; its progress lives in memory.
                let _ = write_job(&self.dir, &job);
            }
        }
    }

    /// Records how a job ended.
    pub fn end(&self, id: &str, outcome: Result<(String, serde_json::Value), ApiError>) {
        self.update(id, |job| {
            job.finished = Some(kartoteka_model::now_rfc3339());
            match outcome {
                Ok((summary, result)) => {
                    job.state = JobState::Done;
                    job.summary = Some(summary);
                    job.result = Some(result);
                    job.done = job.done.max(job.total);
                }
                Err(e) => {
                    job.state = JobState::Failed;
                    job.error = Some(e.message);
                }
            }
        });
    }
}

/// Writes a job's file whole, then renames it into place.
fn write_job(dir: &Path, job: &Job) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(job).map_err(std::io::Error::other)?;
    let tmp = dir.join(format!(".{}.json.tmp", job.id));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(format!("{}.json", job.id)))
}

/// The archive's progress, counted into a job.
pub(crate) struct JobProgress {
    pub(crate) jobs: Arc<Jobs>,
    pub(crate) id: String,
}

impl Progress for JobProgress {
    fn begin(&self, total: u64) {
        self.jobs.update(&self.id, |j| {
            j.total = total;
            j.done = 0;
        });
    }
    fn advance(&self, items: u64, _bytes: u64) {
        self.jobs.update(&self.id, |j| j.done += items);
    }
    fn finish(&self) {
        self.jobs.update(&self.id, |j| j.done = j.done.max(j.total));
    }
}

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

    #[test]
    fn a_job_running_when_the_server_stopped_comes_back_interrupted_and_numbers_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let jobs = Jobs::open(dir.path()).unwrap();
        let done = jobs.begin(JobKind::Gaps, "ivanova", None).unwrap();
        jobs.end(&done.id, Ok(("0 findings".into(), serde_json::json!({}))));
        let cut = jobs.begin(JobKind::Verify, "ivanova", None).unwrap();
        assert_eq!((done.id.as_str(), cut.id.as_str()), ("J1", "J2"));
        // A file nobody can read still holds its number.
        std::fs::write(dir.path().join("J7.json"), b"{not json").unwrap();
        drop(jobs);

        let again = Jobs::open(dir.path()).unwrap();
        assert_eq!(again.get("J1").unwrap().state, JobState::Done);
        let interrupted = again.get("J2").unwrap();
        assert_eq!(interrupted.state, JobState::Interrupted);
        assert!(interrupted.error.unwrap().contains("server stopped"));
        // And on disk, for the next start.
        let on_disk: Job =
            serde_json::from_slice(&std::fs::read(dir.path().join("J2.json")).unwrap()).unwrap();
        assert_eq!(on_disk.state, JobState::Interrupted);
        let next = again.begin(JobKind::Gaps, "petrov", None).unwrap();
        assert_eq!(next.id, "J8", "no number is given twice");
        assert!(
            again.get("J0").is_none() && again.get("J99").is_none() && again.get("x").is_none()
        );
    }
}
