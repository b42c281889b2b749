//! The queue of background jobs in SQLite. One database file has one writer at a time,
//! so a claim is a plain transaction; the SQL that decides which job is due is shared
//! with the PostgreSQL store.

use std::time::Duration;

use kartoteka_model::{now_rfc3339 as now, JobEnd, JobRecord, JobState, NewJob, MAX_ATTEMPTS};
use rusqlite::{OptionalExtension, Row};

use super::{corrupt, db, SqliteStore};
use crate::metadata::StoreError;
use crate::prelude::JobStore;

/// The columns of a job, in the order [`JobRecord`]s are read from.
pub(crate) const JOB_COLUMNS: &str = "number, kind, actor, input, home, rerun, state, worker, \
     attempts, queued, started, finished, total, done, summary, error, result";

/// Why a job was marked interrupted when its lease ran out.
pub(crate) fn interrupted_because(rerun: bool) -> String {
    if rerun {
        format!(
            "its worker stopped while it ran, {MAX_ATTEMPTS} times: it is not tried again; what it wrote is kept"
        )
    } else {
        "its worker stopped while it ran; what it wrote is kept, and work of this kind is not done twice: start it again for what is left".to_string()
    }
}

/// The pieces a job's row is read from, whatever the backend.
pub(crate) struct JobRow {
    pub(crate) number: i64,
    pub(crate) kind: String,
    pub(crate) actor: String,
    pub(crate) input: String,
    pub(crate) home: Option<String>,
    pub(crate) rerun: i64,
    pub(crate) state: String,
    pub(crate) worker: Option<String>,
    pub(crate) attempts: i64,
    pub(crate) queued: String,
    pub(crate) started: Option<String>,
    pub(crate) finished: Option<String>,
    pub(crate) total: i64,
    pub(crate) done: i64,
    pub(crate) summary: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) result: Option<String>,
}

impl JobRow {
    /// The record, or the first field that does not read.
    pub(crate) fn record(self) -> Result<JobRecord, StoreError> {
        let count = |what: &str, n: i64| -> Result<u64, StoreError> {
            u64::try_from(n).map_err(|_| corrupt(what, &n.to_string()))
        };
        Ok(JobRecord {
            number: count("job number", self.number)?,
            state: JobState::parse(&self.state).ok_or_else(|| corrupt("job state", &self.state))?,
            kind: self.kind,
            by: self.actor,
            input: self.input,
            home: self.home,
            rerun: self.rerun != 0,
            worker: self.worker,
            attempts: u32::try_from(self.attempts)
                .map_err(|_| corrupt("job attempts", &self.attempts.to_string()))?,
            queued: self.queued,
            started: self.started,
            finished: self.finished,
            total: count("job total", self.total)?,
            done: count("job progress", self.done)?,
            summary: self.summary,
            error: self.error,
            result: self.result,
        })
    }
}

/// What an ended job's row is set to: state, summary, error, result.
pub(crate) fn ending(end: &JobEnd) -> (&'static str, Option<&str>, Option<&str>, Option<&str>) {
    match end {
        JobEnd::Done { summary, result } => (
            JobState::Done.as_str(),
            Some(summary.as_str()),
            None,
            Some(result.as_str()),
        ),
        JobEnd::Failed(why) => (JobState::Failed.as_str(), None, Some(why.as_str()), None),
    }
}

/// Milliseconds since 1970 by this machine's clock: the embedded store's leases.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)
}

fn job_row(r: &Row) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        number: r.get(0)?,
        kind: r.get(1)?,
        actor: r.get(2)?,
        input: r.get(3)?,
        home: r.get(4)?,
        rerun: r.get(5)?,
        state: r.get(6)?,
        worker: r.get(7)?,
        attempts: r.get(8)?,
        queued: r.get(9)?,
        started: r.get(10)?,
        finished: r.get(11)?,
        total: r.get(12)?,
        done: r.get(13)?,
        summary: r.get(14)?,
        error: r.get(15)?,
        result: r.get(16)?,
    })
}

impl JobStore for SqliteStore {
    fn add_job(&mut self, job: &NewJob) -> Result<JobRecord, StoreError> {
        // Numbered and kept in one statement: a read and then a write would be refused
        // as busy when another connection writes in between.
        let number: i64 = self
            .conn
            .query_row(
                "INSERT INTO jobs(number, kind, actor, input, home, rerun, state, attempts, queued, total, done)
                 SELECT COALESCE(MAX(number), 0) + 1, ?1, ?2, ?3, ?4, ?5, 'queued', 0, ?6, 0, 0 FROM jobs
                 RETURNING number",
                rusqlite::params![job.kind, job.by, job.input, job.home, job.rerun as i64, now()],
                |r| r.get(0),
            )
            .map_err(db)?;
        self.job(number as u64)?
            .ok_or_else(|| StoreError::NotFound(format!("job J{number}")))
    }

    fn keep_job(&mut self, job: &JobRecord) -> Result<bool, StoreError> {
        let added = self
            .conn
            .execute(
                "INSERT INTO jobs(number, kind, actor, input, home, rerun, state, worker, attempts,
                     queued, started, finished, total, done, summary, error, result)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                 ON CONFLICT(number) DO NOTHING",
                rusqlite::params![
                    job.number as i64,
                    job.kind,
                    job.by,
                    job.input,
                    job.home,
                    job.rerun as i64,
                    job.state.as_str(),
                    job.worker,
                    job.attempts,
                    job.queued,
                    job.started,
                    job.finished,
                    job.total as i64,
                    job.done as i64,
                    job.summary,
                    job.error,
                    job.result,
                ],
            )
            .map_err(db)?;
        Ok(added == 1)
    }

    fn claim_job(
        &mut self,
        worker: &str,
        home: &str,
        lease: Duration,
    ) -> Result<Option<JobRecord>, StoreError> {
        let at = now_ms();
        let tx = self.conn.savepoint().map_err(db)?;
        for rerun in [false, true] {
            tx.execute(
                "UPDATE jobs SET state = 'interrupted', finished = ?1, lease_until = NULL, error = ?2
                 WHERE state = 'running' AND lease_until < ?3 AND rerun = ?4 AND (rerun = 0 OR attempts >= ?5)",
                rusqlite::params![now(), interrupted_because(rerun), at, rerun as i64, MAX_ATTEMPTS],
            )
            .map_err(db)?;
        }
        let next: Option<i64> = tx
            .query_row(
                "SELECT number FROM jobs
                 WHERE (state = 'queued' OR (state = 'running' AND lease_until < ?1))
                   AND (home IS NULL OR home = ?2)
                 ORDER BY number LIMIT 1",
                rusqlite::params![at, home],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let Some(number) = next else {
            tx.commit().map_err(db)?;
            return Ok(None);
        };
        tx.execute(
            "UPDATE jobs SET state = 'running', worker = ?1, lease_until = ?2, attempts = attempts + 1,
                 started = COALESCE(started, ?3), total = 0, done = 0
             WHERE number = ?4",
            rusqlite::params![worker, at + millis(lease), now(), number],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        self.job(number as u64)
    }

    fn renew_job(
        &mut self,
        number: u64,
        worker: &str,
        lease: Duration,
        total: u64,
        done: u64,
    ) -> Result<bool, StoreError> {
        let renewed = self
            .conn
            .execute(
                "UPDATE jobs SET lease_until = ?1, total = ?2, done = ?3
                 WHERE number = ?4 AND worker = ?5 AND state = 'running'",
                rusqlite::params![
                    now_ms() + millis(lease),
                    total as i64,
                    done as i64,
                    number as i64,
                    worker
                ],
            )
            .map_err(db)?;
        Ok(renewed == 1)
    }

    fn end_job(&mut self, number: u64, worker: &str, end: &JobEnd) -> Result<bool, StoreError> {
        let (state, summary, error, result) = ending(end);
        let ended = self
            .conn
            .execute(
                "UPDATE jobs SET state = ?1, summary = ?2, error = ?3, result = ?4, finished = ?5,
                     lease_until = NULL, done = CASE WHEN ?1 = 'done' THEN MAX(done, total) ELSE done END
                 WHERE number = ?6 AND worker = ?7 AND state = 'running'",
                rusqlite::params![state, summary, error, result, now(), number as i64, worker],
            )
            .map_err(db)?;
        Ok(ended == 1)
    }

    fn job(&self, number: u64) -> Result<Option<JobRecord>, StoreError> {
        let Ok(number) = i64::try_from(number) else {
            return Ok(None);
        };
        self.conn
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE number = ?1"),
                [number],
                job_row,
            )
            .optional()
            .map_err(db)?
            .map(JobRow::record)
            .transpose()
    }

    fn jobs(&self, limit: usize) -> Result<Vec<JobRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs ORDER BY number DESC LIMIT ?1"
            ))
            .map_err(db)?;
        let rows = stmt
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], job_row)
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(db)?.record()?);
        }
        Ok(out)
    }
}
