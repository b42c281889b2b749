//! Conformance of the job queue: numbering, claims, leases and their ends.

use std::time::Duration;

use kartoteka_model::{JobEnd, JobState, NewJob, MAX_ATTEMPTS};

use crate::MetadataStore;

fn new_job(kind: &str, home: Option<&str>, rerun: bool) -> NewJob {
    NewJob {
        kind: kind.into(),
        by: "ivanova".into(),
        input: format!("{{\"kind\":\"{kind}\"}}"),
        home: home.map(str::to_string),
        rerun,
    }
}

const LONG: Duration = Duration::from_secs(600);
const SHORT: Duration = Duration::from_millis(1);

/// Lets a short lease run out, by the store's clock as by ours.
fn outlive_lease() {
    std::thread::sleep(Duration::from_millis(40));
}

/// Jobs are numbered one after another and never twice; the oldest due job is claimed
/// first, by a worker of its home; only the worker that holds a job renews or ends it;
/// a lease that runs out lets another worker take the job again (up to the attempts
/// allowed) or, for work not done twice, marks it interrupted; none of it is audited.
pub fn job_queue(store: &mut dyn MetadataStore) {
    let audited = store
        .audit_log(&crate::AuditFilter::default())
        .expect("audit")
        .len();
    assert!(store.jobs(10).expect("jobs").is_empty());
    assert!(store.job(1).expect("job").is_none());
    assert!(
        store.claim_job("w1", "h1", LONG).expect("claim").is_none(),
        "nothing to claim in an empty queue"
    );

    let a = store.add_job(&new_job("verify", None, true)).expect("add");
    let b = store
        .add_job(&new_job("ingest", Some("h2"), true))
        .expect("add");
    let c = store.add_job(&new_job("send", None, false)).expect("add");
    assert_eq!((a.number, b.number, c.number), (1, 2, 3));
    assert_eq!(a.state, JobState::Queued);
    assert_eq!((a.attempts, a.worker.as_deref()), (0, None));
    assert!(!a.queued.is_empty() && a.started.is_none(), "{a:?}");
    assert_eq!((a.kind.as_str(), a.by.as_str()), ("verify", "ivanova"));
    assert_eq!(a.input, "{\"kind\":\"verify\"}");
    assert_eq!(
        (b.home.as_deref(), b.rerun, c.rerun),
        (Some("h2"), true, false)
    );

    // The oldest first; a job kept for another home is left for it.
    let first = store
        .claim_job("w1", "h1", LONG)
        .expect("claim")
        .expect("due");
    assert_eq!(first.number, 1);
    assert_eq!(first.state, JobState::Running);
    assert_eq!((first.worker.as_deref(), first.attempts), (Some("w1"), 1));
    assert!(first.started.is_some());
    let second = store
        .claim_job("w1", "h1", LONG)
        .expect("claim")
        .expect("due");
    assert_eq!(second.number, 3, "job 2 waits for a worker of h2");
    assert!(
        store.claim_job("w2", "h1", LONG).expect("claim").is_none(),
        "a job held under a live lease is not claimed again"
    );

    // Only the holder renews and ends.
    assert!(!store.renew_job(1, "w2", LONG, 10, 4).expect("renew"));
    assert!(store.renew_job(1, "w1", LONG, 10, 4).expect("renew"));
    let seen = store.job(1).expect("job").expect("kept");
    assert_eq!((seen.total, seen.done), (10, 4), "progress is shared");
    let done = JobEnd::Done {
        summary: "10 checked".into(),
        result: "{\"checked\":10}".into(),
    };
    assert!(!store.end_job(1, "w2", &done).expect("end"));
    assert_eq!(
        store.job(1).expect("job").expect("kept").state,
        JobState::Running
    );
    assert!(store.end_job(1, "w1", &done).expect("end"));
    let ended = store.job(1).expect("job").expect("kept");
    assert_eq!(ended.state, JobState::Done);
    assert_eq!(ended.summary.as_deref(), Some("10 checked"));
    assert_eq!(ended.result.as_deref(), Some("{\"checked\":10}"));
    assert_eq!((ended.total, ended.done), (10, 10), "a job done did all");
    assert!(ended.finished.is_some());
    assert!(
        !store.end_job(1, "w1", &done).expect("end"),
        "a job ends once"
    );
    assert!(store
        .end_job(3, "w1", &JobEnd::Failed("no partner".into()))
        .expect("end"));
    let failed = store.job(3).expect("job").expect("kept");
    assert_eq!(failed.state, JobState::Failed);
    assert_eq!(failed.error.as_deref(), Some("no partner"));

    // A worker dies: its lease runs out and another takes the job again.
    let d = store.add_job(&new_job("gaps", None, true)).expect("add");
    let held = store
        .claim_job("w3", "h1", SHORT)
        .expect("claim")
        .expect("due");
    assert_eq!(held.number, d.number);
    outlive_lease();
    let again = store
        .claim_job("w4", "h1", LONG)
        .expect("claim")
        .expect("due again");
    assert_eq!(again.number, d.number);
    assert_eq!((again.worker.as_deref(), again.attempts), (Some("w4"), 2));
    assert!(!store.renew_job(d.number, "w3", LONG, 1, 1).expect("renew"));
    assert!(
        !store.end_job(d.number, "w3", &done).expect("end"),
        "the dead worker's end is refused"
    );
    assert!(store.end_job(d.number, "w4", &done).expect("end"));

    // Work that must not be done twice is interrupted instead.
    let e = store.add_job(&new_job("send", None, false)).expect("add");
    store
        .claim_job("w5", "h1", SHORT)
        .expect("claim")
        .expect("due");
    outlive_lease();
    assert!(store.claim_job("w6", "h1", LONG).expect("claim").is_none());
    let cut = store.job(e.number).expect("job").expect("kept");
    assert_eq!(cut.state, JobState::Interrupted);
    assert!(
        cut.error
            .as_deref()
            .unwrap_or("")
            .contains("not done twice"),
        "{cut:?}"
    );
    assert!(cut.finished.is_some());

    // A job that every worker dies on is given up after the attempts allowed.
    let f = store.add_job(&new_job("resolve", None, true)).expect("add");
    for attempt in 1..=MAX_ATTEMPTS {
        let took = store
            .claim_job("w7", "h1", SHORT)
            .expect("claim")
            .expect("due");
        assert_eq!((took.number, took.attempts), (f.number, attempt));
        outlive_lease();
    }
    assert!(store.claim_job("w8", "h1", LONG).expect("claim").is_none());
    let given_up = store.job(f.number).expect("job").expect("kept");
    assert_eq!(given_up.state, JobState::Interrupted);
    assert!(
        given_up
            .error
            .as_deref()
            .unwrap_or("")
            .contains(&format!("{MAX_ATTEMPTS} times")),
        "{given_up:?}"
    );

    // The home's own worker takes what was kept for it.
    let theirs = store
        .claim_job("w9", "h2", LONG)
        .expect("claim")
        .expect("due");
    assert_eq!(theirs.number, 2);

    // A job from before is kept under its own number; numbers go on after the highest.
    let mut old = store.job(1).expect("job").expect("kept");
    old.number = 9;
    assert!(store.keep_job(&old).expect("keep"));
    assert!(
        !store.keep_job(&old).expect("keep"),
        "a number is kept once"
    );
    assert_eq!(store.job(9).expect("job"), Some(old.clone()));
    let next = store.add_job(&new_job("verify", None, true)).expect("add");
    assert_eq!(next.number, 10);
    let latest: Vec<u64> = store
        .jobs(3)
        .expect("jobs")
        .iter()
        .map(|j| j.number)
        .collect();
    assert_eq!(latest, vec![10, 9, f.number], "the latest first");
    assert_eq!(
        store
            .audit_log(&crate::AuditFilter::default())
            .expect("audit")
            .len(),
        audited,
        "jobs are not acts on the archive"
    );
}

/// Workers on connections of their own (as several servers are) claiming at once: every
/// job is claimed by exactly one of them, and numbers added at once are all different.
pub fn job_claims_race(open: &(dyn Fn() -> Box<dyn MetadataStore> + Sync)) {
    let added: Vec<u64> = std::thread::scope(|s| {
        let adders: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut store = open();
                    (0..10)
                        .map(|_| {
                            store
                                .add_job(&new_job("verify", None, true))
                                .expect("add")
                                .number
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        adders
            .into_iter()
            .flat_map(|h| h.join().expect("adder"))
            .collect()
    });
    let mut numbers = added.clone();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=40).collect::<Vec<u64>>(),
        "no number twice, no gap"
    );

    let claimed: Vec<(usize, u64)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                s.spawn(move || {
                    let mut store = open();
                    let mut mine = Vec::new();
                    while let Some(job) =
                        store.claim_job(&format!("w{w}"), "h", LONG).expect("claim")
                    {
                        mine.push((w, job.number));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    let mut taken: Vec<u64> = claimed.iter().map(|(_, n)| *n).collect();
    taken.sort_unstable();
    assert_eq!(taken, numbers, "every job claimed exactly once");
    let store = open();
    for (w, number) in claimed {
        let job = store.job(number).expect("job").expect("kept");
        assert_eq!(job.worker, Some(format!("w{w}")), "job {number}");
        assert_eq!(job.attempts, 1, "job {number}");
    }
}
