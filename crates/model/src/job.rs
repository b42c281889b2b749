//! Background jobs as the store keeps them: the archivist's long work, queued by one
//! server and done by whichever worker of the servers sharing the store claims it first.
//!
//! A job is claimed under a lease, a time by which its worker must say it is still at
//! work. A worker that dies stops saying so; when the lease runs out, another worker
//! claims the job and does it again (every step of the archive's work is its own
//! transaction, so what the dead worker wrote is kept, and the work is idempotent), up to
//! [`MAX_ATTEMPTS`] times. A job that must not be done twice (a round of packages already
//! partly sent) is marked interrupted instead.

use serde::{Deserialize, Serialize};

/// How many workers may take a job in turn before it is given up as interrupted: a job
/// that kills every worker that takes it must not go round the servers for ever.
pub const MAX_ATTEMPTS: u32 = 3;

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Claimed by a worker, which waits for the archive's writer lock or works.
    Running,
    /// Finished; its result says what it found.
    Done,
    /// Stopped by an error, which it names.
    Failed,
    /// Its worker stopped while it ran and it is not done again by another (it must not
    /// be done twice, or every worker that took it stopped); what it had written is kept,
    /// and it can be started again.
    Interrupted,
}

impl JobState {
    /// Its name in the store and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Interrupted => "interrupted",
        }
    }

    /// The state of this name.
    pub fn parse(name: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
            JobState::Interrupted,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }

    /// Whether the job has ended, one way or another.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Interrupted
        )
    }
}

/// A job about to be queued: everything but its number and its course.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    /// What it does (the server's name for the kind of work).
    pub kind: String,
    /// Who asked for it.
    pub by: String,
    /// What it works on, as JSON (an upload's name, a round's partners).
    pub input: String,
    /// Only a worker of this home may do it (the server whose folder holds its upload or
    /// its outbox); any worker when `None`.
    pub home: Option<String>,
    /// Whether another worker may do it again when its worker dies.
    pub rerun: bool,
}

/// A job as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    /// Its number: "J" and this, never given twice in an archive.
    pub number: u64,
    /// What it does.
    pub kind: String,
    /// Who asked for it.
    pub by: String,
    /// What it works on, as JSON.
    pub input: String,
    /// Only a worker of this home may do it.
    pub home: Option<String>,
    /// Whether another worker may do it again when its worker dies.
    pub rerun: bool,
    /// Where it stands.
    pub state: JobState,
    /// The worker that holds it (or last held it).
    pub worker: Option<String>,
    /// How many times a worker has claimed it.
    pub attempts: u32,
    /// When it was queued (RFC 3339).
    pub queued: String,
    /// When a worker first claimed it.
    pub started: Option<String>,
    /// When it ended.
    pub finished: Option<String>,
    /// Items to do, once known (0 while unknown), as its worker last said.
    pub total: u64,
    /// Items done, as its worker last said.
    pub done: u64,
    /// One line on what it found.
    pub summary: Option<String>,
    /// Why it failed or was interrupted.
    pub error: Option<String>,
    /// Its full result, as JSON.
    pub result: Option<String>,
}

/// How a job ended, as its worker reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobEnd {
    /// Done: its summary line and its result as JSON.
    Done {
        /// One line on what it found.
        summary: String,
        /// Its full result, as JSON.
        result: String,
    },
    /// Failed, for this reason.
    Failed(String),
}
