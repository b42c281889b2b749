//! The queue of background jobs in PostgreSQL, shared by every server on the database.
//!
//! A claim is one statement that picks the oldest due job `FOR UPDATE SKIP LOCKED`: two
//! workers claiming at once take different jobs and never wait on each other. Leases are
//! reckoned by the database's clock, the one clock every server shares. None of this
//! takes the writer lock: a job's worker renews its lease while an ingest writes.

use std::time::Duration;

use kartoteka_model::{now_rfc3339 as now, JobEnd, JobRecord, NewJob, MAX_ATTEMPTS};
use postgres::Row;

use super::{get, PostgresStore};
use crate::metadata::StoreError;
use crate::prelude::JobStore;
use crate::sqlite::jobs::{ending, interrupted_because, JobRow, JOB_COLUMNS};

/// Milliseconds since 1970 by the database's clock.
const NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/// Serialises the numbering of new jobs (any other advisory lock's number but this).
const NUMBERING_LOCK: i64 = 0x4B52_544A;

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)
}

fn job_row(r: &Row) -> Result<JobRecord, StoreError> {
    JobRow {
        number: get(r, 0)?,
        kind: get(r, 1)?,
        actor: get(r, 2)?,
        input: get(r, 3)?,
        home: get(r, 4)?,
        rerun: get(r, 5)?,
        state: get(r, 6)?,
        worker: get(r, 7)?,
        attempts: get(r, 8)?,
        queued: get(r, 9)?,
        started: get(r, 10)?,
        finished: get(r, 11)?,
        total: get(r, 12)?,
        done: get(r, 13)?,
        summary: get(r, 14)?,
        error: get(r, 15)?,
        result: get(r, 16)?,
    }
    .record()
}

impl JobStore for PostgresStore {
    fn add_job(&mut self, job: &NewJob) -> Result<JobRecord, StoreError> {
        let conn = self.conn.get_mut();
        let (begin, commit, rollback) = if self.in_batch {
            (
                "SAVEPOINT job",
                "RELEASE SAVEPOINT job",
                "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job",
            )
        } else {
            ("BEGIN", "COMMIT", "ROLLBACK")
        };
        conn.batch(&format!(
            "{begin}; SELECT pg_advisory_xact_lock({NUMBERING_LOCK})"
        ))?;
        let added = conn.row(
            &format!(
                "INSERT INTO jobs(number, kind, actor, input, home, rerun, state, attempts, queued, total, done)
                 SELECT COALESCE(MAX(number), 0) + 1, $1, $2, $3, $4, $5, 'queued', 0, $6, 0, 0 FROM jobs
                 RETURNING {JOB_COLUMNS}"
            ),
            &[&job.kind, &job.by, &job.input, &job.home, &i64::from(job.rerun), &now()],
        );
        match added {
            Ok(Some(row)) => {
                conn.batch(commit)?;
                job_row(&row)
            }
            Ok(None) => {
                let _ = conn.batch(rollback);
                Err(StoreError::Database("a new job was not kept".to_string()))
            }
            Err(e) => {
                let _ = conn.batch(rollback);
                Err(e)
            }
        }
    }

    fn keep_job(&mut self, job: &JobRecord) -> Result<bool, StoreError> {
        let added = self.conn.get_mut().exec(
            "INSERT INTO jobs(number, kind, actor, input, home, rerun, state, worker, attempts,
                 queued, started, finished, total, done, summary, error, result)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
             ON CONFLICT (number) DO NOTHING",
            &[
                &(job.number as i64),
                &job.kind,
                &job.by,
                &job.input,
                &job.home,
                &i64::from(job.rerun),
                &job.state.as_str(),
                &job.worker,
                &i64::from(job.attempts),
                &job.queued,
                &job.started,
                &job.finished,
                &(job.total as i64),
                &(job.done as i64),
                &job.summary,
                &job.error,
                &job.result,
            ],
        )?;
        Ok(added == 1)
    }

    fn claim_job(
        &mut self,
        worker: &str,
        home: &str,
        lease: Duration,
    ) -> Result<Option<JobRecord>, StoreError> {
        let conn = self.conn.get_mut();
        // Each statement is its own transaction: a job given up is given up whether or
        // not this worker then finds one to take.
        for rerun in [false, true] {
            conn.exec(
                &format!(
                    "UPDATE jobs SET state = 'interrupted', finished = $1, lease_until = NULL, error = $2
                     WHERE state = 'running' AND lease_until < {NOW_MS} AND rerun = $3
                       AND (rerun = 0 OR attempts >= $4)"
                ),
                &[
                    &now(),
                    &interrupted_because(rerun),
                    &i64::from(rerun),
                    &i64::from(MAX_ATTEMPTS),
                ],
            )?;
        }
        let claimed = conn.row(
            &format!(
                "UPDATE jobs SET state = 'running', worker = $1, lease_until = {NOW_MS} + $2,
                     attempts = attempts + 1, started = COALESCE(started, $3), total = 0, done = 0
                 FROM (SELECT number FROM jobs
                       WHERE (state = 'queued' OR (state = 'running' AND lease_until < {NOW_MS}))
                         AND (home IS NULL OR home = $4)
                       ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED) AS due
                 WHERE jobs.number = due.number
                 RETURNING {}",
                JOB_COLUMNS
                    .split(", ")
                    .map(|c| format!("jobs.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &[&worker, &millis(lease), &now(), &home],
        )?;
        claimed.map(|r| job_row(&r)).transpose()
    }

    fn renew_job(
        &mut self,
        number: u64,
        worker: &str,
        lease: Duration,
        total: u64,
        done: u64,
    ) -> Result<bool, StoreError> {
        let renewed = self.conn.get_mut().exec(
            &format!(
                "UPDATE jobs SET lease_until = {NOW_MS} + $1, total = $2, done = $3
                 WHERE number = $4 AND worker = $5 AND state = 'running'"
            ),
            &[
                &millis(lease),
                &(total as i64),
                &(done as i64),
                &(number as i64),
                &worker,
            ],
        )?;
        Ok(renewed == 1)
    }

    fn end_job(&mut self, number: u64, worker: &str, end: &JobEnd) -> Result<bool, StoreError> {
        let (state, summary, error, result) = ending(end);
        let ended = self.conn.get_mut().exec(
            "UPDATE jobs SET state = $1, summary = $2, error = $3, result = $4, finished = $5,
                 lease_until = NULL, done = CASE WHEN $1 = 'done' THEN GREATEST(done, total) ELSE done END
             WHERE number = $6 AND worker = $7 AND state = 'running'",
            &[&state, &summary, &error, &result, &now(), &(number as i64), &worker],
        )?;
        Ok(ended == 1)
    }

    fn job(&self, number: u64) -> Result<Option<JobRecord>, StoreError> {
        let Ok(number) = i64::try_from(number) else {
            return Ok(None);
        };
        self.read()
            .row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE number = $1"),
                &[&number],
            )?
            .map(|r| job_row(&r))
            .transpose()
    }

    fn jobs(&self, limit: usize) -> Result<Vec<JobRecord>, StoreError> {
        self.read()
            .rows(
                &format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY number DESC LIMIT $1"),
                &[&i64::try_from(limit).unwrap_or(i64::MAX)],
            )?
            .iter()
            .map(job_row)
            .collect()
    }
}
