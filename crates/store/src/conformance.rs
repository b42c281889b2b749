//! The conformance suite every storage backend must pass.
//!
//! Each function takes a fresh, empty store and panics with a message on the first
//! behaviour that differs from the contract. Backends call them from their own tests:
//!
//! ```
//! use kartoteka_store::{conformance, MemoryBlobStore, SqliteStore};
//! conformance::blob_store(&MemoryBlobStore::default());
//! conformance::metadata_store(&mut SqliteStore::in_memory().unwrap());
//! ```

use kartoteka_model::MentionKind;
use kartoteka_model::{
    DateRange, Format, Level, Page, Placement, Reference, Sheet, Stage, StageOutcome, StageRecord,
    Unit,
};

use crate::{
    hash_bytes, AuditFilter, BlobError, BlobStore, MetadataStore, NewDocument, NoteFilter, Saved,
};

mod access;
mod editions;
mod jobs;
mod release;
pub use access::users_tokens_and_sessions;
pub use editions::editions_and_decisions;
pub use jobs::{job_claims_race, job_queue};
pub use release::partners_and_routing;

/// A new, empty PostgreSQL database for one test, made on the server that
/// `KARTOTEKA_TEST_POSTGRES` names (a URL of a database the tests may create databases
/// from, `postgres://postgres@127.0.0.1/postgres` on the machines here) and dropped when
/// this goes; `None`, with the reason printed, when it is not set. With
/// `KARTOTEKA_REQUIRE_PEERS` set, a missing server fails the test instead of skipping it.
pub fn scratch_postgres(name: &str) -> Option<ScratchDatabase> {
    let Ok(base) = std::env::var("KARTOTEKA_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("KARTOTEKA_REQUIRE_PEERS").is_none(),
            "KARTOTEKA_TEST_POSTGRES is not set: name a PostgreSQL server the tests may use"
        );
        eprintln!("skipped: no PostgreSQL server (set KARTOTEKA_TEST_POSTGRES)");
        return None;
    };
    let mut client = postgres::Client::connect(&base, postgres::NoTls)
        .unwrap_or_else(|e| panic!("KARTOTEKA_TEST_POSTGRES={base}: {e}"));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let database = format!("kartoteka_{name}_{}_{nanos}", std::process::id());
    client
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .unwrap_or_else(|e| panic!("creating {database}: {e}"));
    let config: postgres::Config = base.parse().expect("a PostgreSQL URL");
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("postgres");
    Some(ScratchDatabase {
        url: format!("postgres://{user}@{host}:{port}/{database}"),
        database,
        admin: client,
    })
}

/// A test's own PostgreSQL database, dropped (its connections closed) when this goes.
pub struct ScratchDatabase {
    /// Where it is: what `--store` or [`crate::PostgresStore::open`] takes.
    pub url: String,
    database: String,
    admin: postgres::Client,
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let _ = self.admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.database
        ));
    }
}

/// Blobs: content addressing, idempotence, byte-exact round trips, missing blobs.
pub fn blob_store(store: &dyn BlobStore) {
    let original: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let hash = store.put(&original).expect("put");
    assert_eq!(
        hash,
        hash_bytes(&original),
        "a blob is named by the SHA-256 of its bytes"
    );
    assert_eq!(
        store.put(&original).expect("second put"),
        hash,
        "storing the same bytes twice gives the same name"
    );
    assert_eq!(
        store.get(&hash).expect("get"),
        original,
        "a blob reads back byte for byte"
    );
    assert!(store.contains(&hash).expect("contains"));
    let mut reader: &[u8] = b"";
    let (empty, len) = store.put_reader(&mut reader).expect("empty blob");
    assert_eq!(len, 0);
    assert_eq!(
        store.get(&empty).expect("empty get"),
        b"",
        "an empty original is still stored"
    );
    let absent = hash_bytes(b"never stored");
    assert!(!store.contains(&absent).expect("contains absent"));
    assert!(
        matches!(store.get(&absent), Err(BlobError::Missing(h)) if h == absent),
        "a missing blob is reported as missing"
    );

    // A large original (an object store uploads it in parts) streams in and back out.
    let large_len = 24 * 1024 * 1024 + 12_345;
    let large = |i: usize| ((i * 31 + i / 4096) % 253) as u8;
    let mut source = Generated {
        len: large_len,
        at: 0,
        byte: large,
    };
    let (large_hash, stored) = store.put_reader(&mut source).expect("large put");
    assert_eq!(
        stored, large_len as u64,
        "every byte of a large original is stored"
    );
    let mut reader = store.open(&large_hash).expect("large open");
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    let (mut read, mut buf, mut same) = (0usize, vec![0u8; 1 << 20], true);
    loop {
        let n = std::io::Read::read(&mut reader, &mut buf).expect("large read");
        if n == 0 {
            break;
        }
        same &= buf[..n]
            .iter()
            .enumerate()
            .all(|(k, b)| *b == large(read + k));
        sha2::Digest::update(&mut hasher, &buf[..n]);
        read += n;
    }
    assert_eq!(read, large_len, "a large original reads back whole");
    assert!(same, "a large original reads back byte for byte, in order");
    assert_eq!(
        kartoteka_model::ContentHash(sha2::Digest::finalize(hasher).into()),
        large_hash
    );

    // Writers racing to store the same original all get its name, and it reads back.
    let raced: Vec<u8> = (0..100_000u32).map(|i| (i % 241) as u8).collect();
    let names: Vec<_> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| store.put(&raced).expect("racing put")))
            .collect();
        writers
            .into_iter()
            .map(|w| w.join().expect("writer"))
            .collect()
    });
    assert!(names.iter().all(|n| *n == hash_bytes(&raced)), "{names:?}");
    assert_eq!(store.get(&names[0]).expect("raced get"), raced);

    // Every blob is listed once, and nothing else.
    let mut listed = store.hashes().expect("hashes");
    listed.sort();
    let mut stored = vec![hash, empty, large_hash, names[0]];
    stored.sort();
    assert_eq!(listed, stored, "the store lists exactly what it holds");
}

/// A reader yielding `len` bytes made by `byte(offset)`, without holding them.
struct Generated<F: Fn(usize) -> u8> {
    len: usize,
    at: usize,
    byte: F,
}

impl<F: Fn(usize) -> u8> std::io::Read for Generated<F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.len - self.at).min(100_000);
        for (k, b) in buf[..n].iter_mut().enumerate() {
            *b = (self.byte)(self.at + k);
        }
        self.at += n;
        Ok(n)
    }
}

fn doc(path: &str, content: &[u8], reference: Option<&str>) -> NewDocument {
    NewDocument {
        content: hash_bytes(content),
        size: content.len() as u64,
        source_path: path.into(),
        format: Format::Text,
        encoding: Some("UTF-8".into()),
        language: Some("ru".into()),
        reference: reference.map(|r| Reference::parse(r).expect("test reference")),
        placement: if reference.is_some() {
            Placement::Inventory
        } else {
            Placement::Unplaced
        },
        title: Some("Справка".into()),
        dates: DateRange::parse("1937-1945"),
        needs_ocr: false,
    }
}

fn page(number: u32, sheet: Option<u32>, text: &str) -> Page {
    Page {
        number,
        sheet: sheet.map(|n| Sheet {
            number: n,
            verso: number.is_multiple_of(2),
        }),
        text: text.into(),
    }
}

/// Metadata: units, documents keyed by source, versions, pages, the ledger and failures.
pub fn metadata_store(store: &mut dyn MetadataStore) {
    // Units and containment.
    let units: Vec<Unit> = [
        "ф. 17",
        "ф. 17, оп. 171",
        "ф. 17, оп. 171, д. 409",
        "ф. 17, оп. 172, д. 1",
        "ф. 170",
    ]
    .iter()
    .map(|r| {
        let reference = Reference::parse(r).expect("unit");
        Unit {
            level: reference.level(),
            reference,
            title: Some(format!("unit {r}")),
            dates: None,
            sheet_count: Some(12),
        }
    })
    .collect();
    store.upsert_units(&units).expect("upsert units");
    store
        .upsert_units(&units[..1])
        .expect("upsert is idempotent");
    let inv = Reference::parse("ф. 17, оп. 171").expect("ref");
    let within: Vec<String> = store
        .units(Some(&inv))
        .expect("units")
        .iter()
        .map(|u| u.reference.to_string())
        .collect();
    assert_eq!(
        within,
        ["ф. 17, оп. 171", "ф. 17, оп. 171, д. 409"],
        "units within an inventory, and not ф. 170"
    );
    assert_eq!(store.units(None).expect("all").len(), 5);
    let file = store
        .unit(&Reference::parse("Fonds 17, Inventory 171, File 409").expect("ref"))
        .expect("unit");
    assert_eq!(
        file.map(|u| (u.level, u.sheet_count)),
        Some((Level::File, Some(12)))
    );

    // Documents, pages, versions.
    let a = doc("/in/a.txt", b"first", Some("ф. 17, оп. 171, д. 409, л. 3"));
    let pages = [page(1, Some(3), "Хрущёв"), page(2, Some(3), "оборот")];
    let id = match store
        .save_document(&a, &pages, &StageOutcome::Done, 1)
        .expect("save")
    {
        Saved::Added(id) => id,
        other => panic!("a new source path is added, got {other:?}"),
    };
    let stored = store.document(id).expect("document").expect("present");
    assert_eq!(
        (
            stored.source_path.as_str(),
            stored.page_count,
            stored.content
        ),
        ("/in/a.txt", 2, a.content)
    );
    assert_eq!(stored.reference, a.reference);
    assert_eq!(stored.dates, a.dates);
    assert_eq!(
        store.pages(id).expect("pages"),
        pages,
        "pages read back in order with their sheets"
    );
    assert_eq!(store.page(id, 2).expect("page"), Some(pages[1].clone()));
    assert_eq!(store.page(id, 3).expect("page"), None);
    let found = store
        .documents_by_id(&[id, kartoteka_model::DocId(id.0 + 1000), id])
        .expect("documents by id");
    assert!(
        !found.is_empty() && found.iter().all(|d| d.id == id),
        "documents by id give the ones that exist"
    );
    let mut lent = String::new();
    assert!(store
        .with_page_text(id, 2, &mut |t| lent = t.to_string())
        .expect("page text"));
    assert_eq!(lent, pages[1].text, "a page's text lent is the page's text");
    assert!(!store
        .with_page_text(id, 3, &mut |_| panic!("no page 3"))
        .expect("page text"));
    let extract = store.ledger(id).expect("ledger");
    assert_eq!(
        (extract.len(), extract[0].stage, &extract[0].outcome),
        (1, Stage::Extract, &StageOutcome::Done),
        "saving records the extraction"
    );
    assert_eq!(
        store
            .document_by_source("/in/a.txt")
            .expect("by source")
            .map(|d| d.id),
        Some(id)
    );

    let a2 = NewDocument {
        content: hash_bytes(b"second"),
        ..a.clone()
    };
    assert_eq!(
        store
            .save_document(&a2, &pages[..1], &StageOutcome::Done, 1)
            .expect("resave"),
        Saved::Updated(id),
        "same path, new bytes: a new version"
    );
    let stored = store.document(id).expect("document").expect("present");
    assert_eq!((stored.content, stored.page_count), (a2.content, 1));
    let by_content = |store: &dyn MetadataStore, bytes: &[u8]| -> Vec<kartoteka_model::DocId> {
        store
            .documents_with_content(&hash_bytes(bytes))
            .expect("by content")
            .iter()
            .map(|d| d.id)
            .collect()
    };
    assert_eq!(
        by_content(store, b"second"),
        [id],
        "found by its current bytes"
    );
    assert!(
        by_content(store, b"first").is_empty(),
        "not by the bytes of an earlier version"
    );

    let b = doc("/in/b.txt", b"other", Some("ф. 17, оп. 172, д. 1"));
    let b_id = store
        .save_document(&b, &[page(1, None, "text")], &StageOutcome::Done, 1)
        .expect("save b")
        .id();
    let c_id = store
        .save_document(
            &doc("/in/c.txt", b"c", None),
            &[],
            &StageOutcome::Pending("needs OCR".into()),
            1,
        )
        .expect("save c")
        .id();
    let in_inv: Vec<_> = store
        .documents_within(&inv)
        .expect("within")
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(in_inv, [id], "documents within an inventory");
    let in_fonds: Vec<_> = store
        .documents_within(&Reference::fonds("17"))
        .expect("within")
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(in_fonds, [id, b_id]);
    let walked: Vec<_> = store
        .documents_after(Some(id), 10)
        .expect("walk")
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(walked, [b_id, c_id]);

    // Ledger: what needs doing, what failed.
    let rec = |doc, stage, outcome, hash: &str| StageRecord {
        doc,
        stage,
        input_hash: hash.to_string(),
        version: 1,
        at: "2026-01-01T00:00:00Z".into(),
        outcome,
    };
    assert_eq!(
        store.documents_needing(Stage::Index, 1).expect("needing"),
        [id, b_id, c_id]
    );
    store
        .record_stages(&[
            rec(id, Stage::Index, StageOutcome::Done, &a2.content.to_hex()),
            rec(b_id, Stage::Index, StageOutcome::Done, &a.content.to_hex()),
            rec(
                c_id,
                Stage::Extract,
                StageOutcome::Failed("truncated PDF".into()),
                &hash_bytes(b"c").to_hex(),
            ),
        ])
        .expect("record");
    assert_eq!(
        store.documents_needing(Stage::Index, 1).expect("needing"),
        [b_id, c_id],
        "done on stale content, or never done, still needs doing"
    );
    assert_eq!(
        store
            .documents_needing(Stage::Index, 2)
            .expect("needing v2")
            .len(),
        3,
        "a newer stage version re-runs"
    );
    assert_eq!(store.ledger(c_id).expect("ledger").len(), 2);
    store
        .record_source_failure("/in/unreadable.txt", "permission denied")
        .expect("source failure");
    let failures = store.failures().expect("failures");
    assert_eq!(failures.len(), 2);
    assert!(failures
        .iter()
        .any(|f| f.doc == Some(c_id) && f.reason == "truncated PDF"));
    assert!(failures
        .iter()
        .any(|f| f.doc.is_none() && f.stage == "read"));
    store
        .record_stages(&[rec(
            c_id,
            Stage::Extract,
            StageOutcome::Done,
            &hash_bytes(b"c").to_hex(),
        )])
        .expect("retry");
    store
        .clear_source_failure("/in/unreadable.txt")
        .expect("clear");
    assert!(
        store.failures().expect("failures").is_empty(),
        "a later success clears a failure"
    );

    store
        .replace_pages(c_id, &[page(1, None, "OCR text")], false)
        .expect("replace pages");
    assert_eq!(store.pages(c_id).expect("pages").len(), 1);
    let event = |outcome: &str| crate::Event {
        object: a2.content.to_hex(),
        event_type: "fixity check".into(),
        outcome: outcome.into(),
        detail: None,
        at: "2026-01-01T00:00:00Z".into(),
    };
    store
        .record_events(&[event("pass"), event("fail")])
        .expect("events");
    let events = store.events(&a2.content.to_hex()).expect("events");
    assert_eq!(
        events
            .iter()
            .map(|e| e.outcome.as_str())
            .collect::<Vec<_>>(),
        ["pass", "fail"],
        "events in order"
    );
    assert!(store.events("nothing").expect("no events").is_empty());
    let summary = store.summary().expect("summary");
    assert_eq!((summary.documents, summary.units, summary.pages), (3, 5, 3));
    // Several documents with their pages at once: as read one by one, in the order
    // asked, a number with no document left out.
    let all: Vec<kartoteka_model::DocId> = store
        .documents_after(None, 1000)
        .expect("documents")
        .iter()
        .map(|d| d.id)
        .collect();
    assert!(all.len() >= 2, "the suite saved documents above");
    let mut asked: Vec<kartoteka_model::DocId> = all.iter().rev().copied().collect();
    asked.insert(1, kartoteka_model::DocId(999_999));
    let together = store
        .documents_with_pages(&asked)
        .expect("documents with pages");
    let one_by_one: Vec<_> = all
        .iter()
        .rev()
        .map(|&id| {
            (
                store.document(id).expect("read").expect("there"),
                store.pages(id).expect("pages"),
            )
        })
        .collect();
    assert_eq!(
        together, one_by_one,
        "documents with their pages, in the order asked"
    );
}

/// The audit chain: every write leaves an entry, entries chain, filters work.
pub fn audit_chain(store: &mut dyn MetadataStore) {
    use crate::{AuditFilter, ChainCheck};
    store.set_actor("archivist-a");
    let units = [Unit {
        reference: Reference::parse("ф. 3, оп. 1, д. 7").expect("reference"),
        level: Level::File,
        title: Some("Переписка".into()),
        dates: None,
        sheet_count: Some(2),
    }];
    store.upsert_units(&units).expect("units");
    store.upsert_units(&units).expect("same units again");
    let text = "л. 1\nПротокол допроса";
    let first = doc(
        "/in/a.txt",
        text.as_bytes(),
        Some("ф. 3, оп. 1, д. 7, л. 1"),
    );
    store
        .save_document(&first, &[page(1, Some(1), text)], &StageOutcome::Done, 1)
        .expect("save");
    store.set_actor("archivist-b");
    let emptied = doc("/in/a.txt", b"", Some("ф. 3, оп. 1, д. 7, л. 1"));
    store
        .save_document(&emptied, &[], &StageOutcome::Done, 1)
        .expect("save emptied");
    store
        .append_audit(&[crate::AuditAct::new("release", "report 1 to partner")])
        .expect("append");

    let all = store.audit_after(0, 100).expect("entries");
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["describe", "ingest", "update", "release"],
        "a unsaved-again unit is not described twice; every change is logged once"
    );
    let mut check = ChainCheck::new(Some(&all[3].hash));
    for e in &all {
        assert!(
            check.feed(e),
            "an untouched chain verifies: {:?}",
            check.first_bad()
        );
    }
    assert!(check.head_seen());
    assert_eq!(
        store.audit_head().expect("head"),
        Some((4, all[3].hash.clone()))
    );
    let by_b = store
        .audit_log(&AuditFilter {
            actor: Some("archivist-b".into()),
            ..Default::default()
        })
        .expect("log");
    assert_eq!(by_b.len(), 2);
    let on_unit = store
        .audit_log(&AuditFilter {
            unit: Some("ф. 3, оп. 1".into()),
            ..Default::default()
        })
        .expect("log");
    assert_eq!(on_unit.len(), 3, "entries on units inside the inventory");
    assert!(
        on_unit[2].detail.contains("previous"),
        "an update names the content it replaced"
    );
    let newest = store
        .audit_log(&AuditFilter {
            limit: Some(1),
            ..Default::default()
        })
        .expect("log");
    assert_eq!(newest[0].action, "release");
    // A day as the end of a period takes in the whole of that day.
    let day: String = all[0].at.chars().take(10).collect();
    let within = |since: Option<&str>, until: Option<&str>| {
        store
            .audit_log(&AuditFilter {
                since: since.map(str::to_string),
                until: until.map(str::to_string),
                ..Default::default()
            })
            .expect("log")
            .len()
    };
    assert_eq!(within(Some(&day), Some(&day)), 4);
    assert_eq!(within(None, Some("2000-01-01")), 0);
    assert_eq!(within(Some("2100-01-01"), None), 0);
    let versions = store.changed_versions().expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].1[0].chars, Some(text.chars().count() as u64));
    assert_eq!(versions[0].1[1].chars, Some(0));
}

/// A batch is all or nothing.
pub fn batches(store: &mut dyn MetadataStore) {
    store.begin_batch().expect("begin");
    store
        .save_document(
            &doc("/b/1.txt", b"one", None),
            &[page(1, None, "one")],
            &StageOutcome::Done,
            1,
        )
        .expect("save in batch");
    store.rollback_batch().expect("rollback");
    assert!(store
        .document_by_source("/b/1.txt")
        .expect("read")
        .is_none());
    assert_eq!(
        store.audit_head().expect("head"),
        None,
        "the audit entry went with it"
    );
    store.begin_batch().expect("begin");
    store
        .save_document(
            &doc("/b/2.txt", b"two", None),
            &[page(1, None, "two")],
            &StageOutcome::Done,
            1,
        )
        .expect("save in batch");
    store.commit_batch().expect("commit");
    assert!(store
        .document_by_source("/b/2.txt")
        .expect("read")
        .is_some());
}

/// Several documents saved in one call: numbered in the order given, each saved as it
/// would be alone (versions, pages, ledger, failures forgotten, one audit entry per new
/// content, the chain unbroken), and inside a batch rolled back with it.
pub fn saving_many(store: &mut dyn MetadataStore) {
    use crate::{ChainCheck, DocumentToSave};
    let old = doc("/s/old.txt", b"old", None);
    let old_id = store
        .save_document(
            &old,
            &[page(1, None, "a"), page(2, None, "b")],
            &StageOutcome::Done,
            1,
        )
        .expect("save")
        .id();
    store
        .record_source_failure("/s/new2.txt", "cannot read: busy")
        .expect("failure");
    assert!(store.save_documents(&[], 1).expect("nothing").is_empty());

    let next = |n: i64| kartoteka_model::DocId(old_id.0 + n);
    // New documents only.
    let placed = doc("/s/placed.txt", b"placed", Some("ф. 5, оп. 1, д. 2, л. 7"));
    let new2 = doc("/s/new2.txt", b"new two", None);
    let sheets = [page(1, Some(7), "лицевая"), page(2, Some(7), "оборот")];
    let pending = StageOutcome::Pending("needs OCR".into());
    let saved = store
        .save_documents(
            &[
                DocumentToSave {
                    doc: &placed,
                    pages: &sheets,
                    extract: &StageOutcome::Done,
                },
                DocumentToSave {
                    doc: &new2,
                    pages: &[],
                    extract: &pending,
                },
            ],
            2,
        )
        .expect("save new ones");
    assert_eq!(saved, [Saved::Added(next(1)), Saved::Added(next(2))]);
    let stored = store.document(next(1)).expect("read").expect("present");
    assert_eq!(
        (
            stored.source_path.as_str(),
            stored.content,
            stored.size,
            &stored.reference,
            stored.placement,
            stored.dates,
            stored.page_count,
        ),
        (
            "/s/placed.txt",
            placed.content,
            placed.size,
            &placed.reference,
            placed.placement,
            placed.dates,
            2
        ),
        "a document saved among others reads back as given"
    );
    assert_eq!(store.pages(next(1)).expect("pages"), sheets);
    let ledger = store.ledger(next(2)).expect("ledger");
    assert_eq!(
        (ledger.len(), &ledger[0].outcome, ledger[0].version),
        (1, &pending, 2),
        "each document's extraction in the ledger"
    );
    assert!(
        store
            .failures()
            .expect("failures")
            .iter()
            .all(|f| f.path != "/s/new2.txt"),
        "a source saved at last is no longer a failure"
    );

    // New and known together.
    let new1 = doc("/s/new1.txt", b"new one", None);
    let old2 = doc("/s/old.txt", b"old, second version", None);
    let (one, two) = ([page(1, None, "один")], [page(1, None, "два")]);
    let saved = store
        .save_documents(
            &[
                DocumentToSave {
                    doc: &new1,
                    pages: &one,
                    extract: &StageOutcome::Done,
                },
                DocumentToSave {
                    doc: &old2,
                    pages: &two,
                    extract: &StageOutcome::Done,
                },
            ],
            2,
        )
        .expect("save many");
    assert_eq!(
        saved,
        [Saved::Added(next(3)), Saved::Updated(old_id)],
        "new documents numbered in the order given, a known path updated"
    );
    assert_eq!(
        store.pages(old_id).expect("pages"),
        two,
        "the update's pages replace the old"
    );
    assert_eq!(store.pages(next(3)).expect("pages"), one);
    let stored = store.document(old_id).expect("read").expect("present");
    assert_eq!((stored.content, stored.page_count), (old2.content, 1));
    let all = store.audit_after(0, 100).expect("entries");
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["ingest", "ingest", "ingest", "ingest", "update"]);
    let mut check = ChainCheck::new(all.last().map(|e| e.hash.as_str()));
    assert!(
        all.iter().all(|e| check.feed(e)) && check.head_seen(),
        "the chain runs unbroken through the batch: {:?}",
        check.first_bad()
    );

    let mut by_paths: Vec<_> = store
        .documents_by_source_paths(&["/s/placed.txt", "/s/never.txt", "/s/old.txt"])
        .expect("by source paths")
        .iter()
        .map(|d| d.id)
        .collect();
    by_paths.sort();
    assert_eq!(
        by_paths,
        [old_id, next(1)],
        "the paths known, and only those"
    );

    // The same bytes again: saved, but no new version in the audit log.
    let again = store
        .save_documents(
            &[DocumentToSave {
                doc: &new1,
                pages: &one,
                extract: &StageOutcome::Done,
            }],
            2,
        )
        .expect("again");
    assert_eq!(again, [Saved::Updated(next(3))]);
    assert_eq!(store.audit_after(0, 100).expect("entries").len(), all.len());

    // Inside a batch, rolled back with it.
    store.begin_batch().expect("begin");
    let gone = doc("/s/gone.txt", b"gone", None);
    store
        .save_documents(
            &[DocumentToSave {
                doc: &gone,
                pages: &one,
                extract: &StageOutcome::Done,
            }],
            2,
        )
        .expect("save in batch");
    store.rollback_batch().expect("rollback");
    assert!(store
        .document_by_source("/s/gone.txt")
        .expect("read")
        .is_none());
    assert_eq!(store.audit_after(0, 100).expect("entries").len(), all.len());
}

/// Transfers, custody and findings.
pub fn custody_and_findings(store: &mut dyn MetadataStore) {
    use kartoteka_model::{CustodyEntry, Direction, Finding, FindingKind, FindingStatus, Transfer};
    let fonds = "ф. 3".to_string();
    let place = |text: &str| text.parse().expect("location");
    store
        .record_moves(&[CustodyEntry {
            unit: fonds.clone(),
            location: place("Архив А / корпус 1"),
            from: "1972-03-01T00:00:00Z".into(),
            until: None,
            moved_by: "Митрохин".into(),
            transfer: None,
        }])
        .expect("move");
    let transfer = Transfer {
        id: 0,
        direction: Direction::In,
        bag_id: "abc".into(),
        bag_path: "/bags/1".into(),
        source: Some("Архив А".into()),
        from: Some("Архив А / корпус 1".into()),
        to: Some("Архив Б / хранилище 2".into()),
        units: vec![fonds.clone()],
        files: 2,
        bytes: 10,
        actor: "archivist".into(),
        at: "2026-01-01T00:00:00Z".into(),
    };
    let id = store
        .record_transfer(
            &transfer,
            &[CustodyEntry {
                unit: fonds.clone(),
                location: place("Архив Б / хранилище 2"),
                from: "2026-01-01T00:00:00Z".into(),
                until: None,
                moved_by: "archivist".into(),
                transfer: None,
            }],
        )
        .expect("transfer");
    assert_eq!(store.transfers_of_bag("abc").expect("by bag").len(), 1);
    assert_eq!(
        store.transfer(id).expect("by id").expect("there").units,
        std::slice::from_ref(&fonds)
    );
    let history = store
        .custody(&Reference::parse("ф. 3, оп. 1, д. 7").expect("reference"))
        .expect("custody");
    assert_eq!(history.len(), 2, "a file's custody includes its fonds'");
    assert_eq!(
        history[0].until.as_deref(),
        Some("2026-01-01T00:00:00Z"),
        "the move closed the old place"
    );
    assert_eq!(history[1].transfer, Some(id));

    let missing = Finding::new(
        FindingKind::Missing,
        "ф. 3, оп. 1, д. 8",
        1.into(),
        0.into(),
        "inventory",
    );
    let empty = Finding::new(
        FindingKind::Empty,
        "ф. 3, оп. 1, д. 9",
        1.into(),
        0.into(),
        "no text",
    );
    let kept = store
        .keep_findings("", &[missing.clone(), empty])
        .expect("keep");
    assert_eq!(kept.len(), 2);
    let annotated = store
        .annotate_finding(
            kept[0].id,
            FindingStatus::Explained,
            Some("destroyed in 1956"),
        )
        .expect("annotate");
    assert_eq!(annotated.status, FindingStatus::Explained);
    let again = store.keep_findings("", &[missing]).expect("keep again");
    assert_eq!(
        again.len(),
        1,
        "a finding no longer found stops being current"
    );
    assert_eq!(
        again[0].note.as_deref(),
        Some("destroyed in 1956"),
        "annotations survive a re-run"
    );
    assert!(store
        .annotate_finding(9999, FindingStatus::Open, None)
        .is_err());
}

/// Claims get numbers and stay; report versions count up, a change to a stale version is
/// a conflict, and every version is kept.
pub fn claims_and_reports(store: &mut dyn MetadataStore) {
    use kartoteka_model::{Citation, Claim, DocId, Grade, Marking, Paragraph, Report};
    let claim = Claim {
        id: String::new(),
        subject: "P1.1.1".into(),
        topic: "analyst".into(),
        text: "Passed documents on the atomic project".into(),
        object: None,
        date: Some("1944".into()),
        citations: vec![Citation {
            doc: DocId(1),
            reference: None,
            page: 1,
            start: 0,
            end: 5,
            quote: "ХОЛА".into(),
            marking: None,
            withheld: false,
        }],
        grade: Grade::parse("B2").expect("grade"),
        why: "two independent files".into(),
        by: String::new(),
        at: String::new(),
    };
    let saved = store.save_claim(&claim).expect("save claim");
    assert!(saved.id.starts_with('C'), "{saved:?}");
    assert!(!saved.at.is_empty());
    store
        .save_claim(&Claim {
            subject: "P2.1.1".into(),
            ..claim.clone()
        })
        .expect("save claim");
    assert_eq!(store.claims(Some("P1.1.1")).expect("claims"), vec![saved]);
    assert_eq!(store.claims(None).expect("claims").len(), 2);

    let mut report = Report {
        id: "R-P1.1.1".into(),
        version: 1,
        subject: "P1.1.1".into(),
        subject_name: "Соколова Вера Андреевна".into(),
        title: "Agent ХОЛА".into(),
        status: kartoteka_model::ReportStatus::Draft,
        paragraphs: vec![Paragraph {
            section: "subject".into(),
            text: "x".into(),
            claims: vec![],
            citations: vec![],
            marking: Marking::unclassified(),
            marking_override: None,
            edited: false,
            marking_notes: Vec::new(),
        }],
        countries: vec!["GBR".into()],
        period: Some((1937, 1947)),
        cover_names: vec!["ХОЛА".into()],
        related: vec![],
        places: vec![],
        services: vec![],
        by: String::new(),
        at: String::new(),
        why: "generated".into(),
        released_to: None,
    };
    store.save_report(&report).expect("v1");
    // A second change made to version 1 while version 2 was kept: refused.
    report.version = 2;
    report.status = kartoteka_model::ReportStatus::Reviewed;
    store.save_report(&report).expect("v2");
    let stale = store.save_report(&report);
    assert!(
        matches!(stale, Err(crate::StoreError::Conflict(_))),
        "{stale:?}"
    );
    let versions = store.report_versions("R-P1.1.1").expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].status, kartoteka_model::ReportStatus::Draft);
    let latest = store.reports().expect("reports");
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].version, 2);
    assert!(store.report_versions("R-none").expect("none").is_empty());
}

/// A unit has one marking rule at a time; setting replaces it, removing says whether there
/// was one, and both are audited.
pub fn marking_rules(store: &mut dyn MetadataStore) {
    use kartoteka_model::{Marking, MarkingRule};
    let rule = |unit: &str, marking: &str| MarkingRule {
        unit: unit.into(),
        marking: Marking::parse(marking).expect("marking"),
        why: "the holding service's classification".into(),
        by: String::new(),
        at: String::new(),
    };
    let before = store
        .audit_log(&crate::AuditFilter::default())
        .expect("audit")
        .len();
    let saved = store
        .set_marking_rule(&rule("ф. 9002", "SECRET//REL TO GBR, USA"))
        .expect("set rule");
    assert!(!saved.at.is_empty() && !saved.by.is_empty(), "{saved:?}");
    store
        .set_marking_rule(&rule("ф. 9001, оп. 1, д. 1", "CONFIDENTIAL"))
        .expect("set rule");
    store
        .set_marking_rule(&rule("ф. 9002", "TOP SECRET"))
        .expect("replace rule");
    let rules = store.marking_rules().expect("rules");
    let units: Vec<(&str, String)> = rules
        .iter()
        .map(|r| (r.unit.as_str(), r.marking.to_string()))
        .collect();
    assert_eq!(
        units,
        vec![
            ("ф. 9001, оп. 1, д. 1", "CONFIDENTIAL".to_string()),
            ("ф. 9002", "TOP SECRET".to_string())
        ]
    );
    assert!(store
        .remove_marking_rule("ф. 9002", "declassified")
        .expect("remove"));
    assert!(!store
        .remove_marking_rule("ф. 9002", "again")
        .expect("remove"));
    assert_eq!(store.marking_rules().expect("rules").len(), 1);
    let after = store
        .audit_log(&crate::AuditFilter::default())
        .expect("audit");
    let acts: Vec<&str> = after[before..].iter().map(|e| e.action.as_str()).collect();
    assert_eq!(acts, ["marking-rule"; 4]);
}

/// Person ids and report fates: the registry keeps every id ever issued, in order of
/// issue, replaced record by record; the resolution and the registry change together;
/// what became of a report is kept beside its versions.
pub fn person_registry(store: &mut dyn MetadataStore) {
    use kartoteka_model::{DocId, IdentityRow, PersonRecord, PersonStatus, ReportFate};

    let record = |id: &str, seq: u64, status: PersonStatus| PersonRecord {
        id: id.to_string(),
        seq,
        status,
        merged_into: (status == PersonStatus::Merged).then(|| "P1".to_string()),
        split_from: None,
        reason: "test".to_string(),
        at: "2026-12-04T00:00:00Z".to_string(),
        anchors: Vec::new(),
    };
    let rows = [
        IdentityRow {
            mention: 7,
            person: "P2".to_string(),
            at: (DocId(3), 1, 40),
        },
        IdentityRow {
            mention: 5,
            person: "P1".to_string(),
            at: (DocId(1), 2, 0),
        },
    ];
    store
        .replace_identities(
            &rows,
            &[
                record("P2", 2, PersonStatus::Active),
                record("P1", 1, PersonStatus::Active),
            ],
            "{}",
        )
        .expect("resolve");
    let kept = store.identities().expect("identities");
    assert_eq!(kept.len(), 2);
    assert_eq!(
        kept.iter().find(|r| r.mention == 7).map(|r| r.at),
        Some((DocId(3), 1, 40)),
        "an identity keeps where its mention is"
    );
    let ids: Vec<String> = store
        .person_records()
        .expect("records")
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(
        ids,
        ["P1", "P2"],
        "the registry lists ids in the order of issue"
    );
    store
        .replace_identities(&rows[1..], &[record("P2", 2, PersonStatus::Merged)], "{}")
        .expect("resolve again");
    assert_eq!(
        store.identities().expect("identities").len(),
        1,
        "a resolution replaces the last"
    );
    let records = store.person_records().expect("records");
    assert_eq!(records.len(), 2, "a record is replaced, never dropped");
    assert_eq!(records[1].status, PersonStatus::Merged);
    assert_eq!(records[1].merged_into.as_deref(), Some("P1"));

    let fate = ReportFate {
        report: "R-P2".to_string(),
        version: 3,
        fate: kartoteka_model::Fate::Superseded,
        by: vec!["R-P1".to_string()],
        reason: "P2 merged into P1".to_string(),
        at: String::new(),
    };
    let saved = store.save_report_fate(&fate).expect("fate");
    assert!(!saved.at.is_empty(), "a fate is dated when kept");
    let fates = store.report_fates().expect("fates");
    assert_eq!(fates.len(), 1);
    assert_eq!(fates[0].by, ["R-P1"]);
}

/// A document saved for the functions below to hang their records on.
fn saved_document(store: &mut dyn MetadataStore, path: &str, text: &str) -> kartoteka_model::DocId {
    let d = doc(path, text.as_bytes(), Some("ф. 9002, оп. 1, д. 1, л. 1"));
    match store
        .save_document(&d, &[page(1, Some(1), text)], &StageOutcome::Done, 1)
        .expect("save a document")
    {
        Saved::Added(id) => id,
        other => panic!("a new document is added, not {other:?}"),
    }
}

/// Mentions and relations: a document's set replaced whole (never added to), relations'
/// ends turned from indices into mention numbers, and the lists filtered by document and
/// kind.
pub fn mentions_and_relations(store: &mut dyn MetadataStore) {
    use kartoteka_model::{MentionRecord, RelationRecord};
    let text = "Агент ХОЛА завербована Кузьминым";
    let a = saved_document(store, "/in/m1.txt", text);
    let b = saved_document(store, "/in/m2.txt", "Кузьмин в Лондоне");
    let mention = |doc, kind: MentionKind, lemma: &str, start: u32, end: u32| MentionRecord {
        id: 0,
        doc,
        page: 1,
        sheet: None,
        kind,
        text: lemma.into(),
        lemma: lemma.into(),
        start,
        end,
        code: None,
        context: String::new(),
    };
    let record = |doc| StageRecord {
        doc,
        stage: Stage::Mentions,
        input_hash: "h".into(),
        version: 1,
        at: "2026-01-01T00:00:00Z".into(),
        outcome: StageOutcome::Done,
    };
    let first = [
        mention(a, MentionKind::CoverName, "ХОЛА", 6, 10),
        mention(a, MentionKind::Person, "Кузьмин", 23, 32),
    ];
    let recruited = RelationRecord {
        doc: a,
        page: 1,
        kind: kartoteka_model::RelationKind::RecruitedBy,
        from: 0,
        to: 1,
        start: 0,
        end: 32,
    };
    store
        .replace_mentions(a, &first, std::slice::from_ref(&recruited), &record(a))
        .expect("mentions of a");
    store
        .replace_mentions(
            b,
            &[
                mention(b, MentionKind::Person, "Кузьмин", 0, 7),
                mention(b, MentionKind::Place, "Лондон", 10, 17),
            ],
            &[],
            &record(b),
        )
        .expect("mentions of b");
    let of_a = store.mentions(&[a], None).expect("mentions");
    assert_eq!(of_a.len(), 2);
    assert!(of_a.iter().all(|m| m.id > 0), "kept mentions get numbers");
    let relations = store.relations(&[a]).expect("relations");
    assert_eq!(relations.len(), 1);
    let (from, to) = (relations[0].from, relations[0].to);
    let lemma_of = |id: i64| {
        of_a.iter()
            .find(|m| m.id == id)
            .map(|m| m.lemma.clone())
            .expect("a relation's end is a kept mention")
    };
    assert_eq!(
        (lemma_of(from), lemma_of(to)),
        ("ХОЛА".into(), "Кузьмин".into())
    );
    let persons = store
        .mentions(&[], Some(MentionKind::Person))
        .expect("persons");
    assert_eq!(persons.len(), 2, "persons of every document");
    assert!(persons.iter().all(|m| m.kind == MentionKind::Person));
    // Replacing is replacing: the old set is gone, relations with it.
    store
        .replace_mentions(a, &first[1..], &[], &record(a))
        .expect("again");
    assert_eq!(store.mentions(&[a], None).expect("mentions").len(), 1);
    assert!(store.relations(&[a]).expect("relations").is_empty());
    assert_eq!(store.mentions(&[b], None).expect("b untouched").len(), 2);
    // The stage is recorded with the mentions.
    assert!(store
        .ledger(a)
        .expect("ledger")
        .iter()
        .any(|r| r.stage == Stage::Mentions));
}

/// Judgements: numbered, signed with the actor and the time, undone but never deleted, and
/// each act in the audit chain.
pub fn judgements(store: &mut dyn MetadataStore) {
    use kartoteka_model::{Judgement, MentionAnchor};
    let d = saved_document(store, "/in/j.txt", "Соколова и Sokolova");
    store.set_actor("analyst");
    let anchor = |start: u32, text: &str| MentionAnchor {
        doc: d,
        page: 1,
        start,
        text: text.into(),
    };
    let asked = Judgement {
        id: 0,
        a: anchor(0, "Соколова"),
        b: anchor(11, "Sokolova"),
        verdict: kartoteka_model::Verdict::Same,
        why: "one signature".into(),
        by: String::new(),
        at: String::new(),
        undone: None,
    };
    let kept = store.save_judgement(&asked).expect("judge");
    assert!(kept.id > 0);
    assert_eq!(kept.by, "analyst");
    assert!(!kept.at.is_empty());
    let second = store
        .save_judgement(&Judgement {
            verdict: kartoteka_model::Verdict::Different,
            ..asked.clone()
        })
        .expect("a second judgement");
    assert!(second.id > kept.id);
    let undone = store.undo_judgement(kept.id).expect("undo");
    assert!(undone.undone.is_some());
    assert!(store.undo_judgement(9999).is_err(), "no such judgement");
    let all = store.judgements().expect("judgements");
    assert_eq!(all.len(), 2, "undone ones stay on record");
    assert!(all[0].undone.is_some() && all[1].undone.is_none());
    let actions: Vec<String> = store
        .audit_log(&AuditFilter::default())
        .expect("log")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "judge").count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == "undo-judgement").count(), 1);
}

/// Notes: numbered, every state kept, listed by document, tag, author and text; locked
/// away (erased, or leaving a stand-in) and put back with their history.
pub fn notes(store: &mut dyn MetadataStore) {
    use kartoteka_model::{Anchor, Note};
    let text = "Агент ХОЛА передала сведения";
    let d = saved_document(store, "/in/n.txt", text);
    store.set_actor("reader");
    let note = Note {
        id: 0,
        anchor: Anchor {
            doc: d,
            content: hash_bytes(text.as_bytes()),
            page: 1,
            sheet: None,
            start: 6,
            end: 10,
            exact: "ХОЛА".into(),
            prefix: "Агент ".into(),
            suffix: " передала".into(),
        },
        comment: Some("the cover name again".into()),
        tags: vec!["covers".into()],
        author: String::new(),
        created: String::new(),
        modified: String::new(),
        version: 0,
        orphaned: false,
        text_hash: "t".into(),
        locked: false,
    };
    let first = store.save_note(&note, "written").expect("note");
    assert!(first.id > 0);
    assert_eq!((first.version, first.author.as_str()), (1, "reader"));
    let mut edited = first.clone();
    edited.comment = Some("seen in two files".into());
    let edited = store.save_note(&edited, "edited").expect("edit");
    assert_eq!(edited.version, 2);
    assert_eq!(edited.created, first.created);
    let other = store
        .save_note(
            &Note {
                tags: vec![],
                comment: Some("unrelated".into()),
                ..note.clone()
            },
            "written",
        )
        .expect("another");
    let versions = store.note_versions(first.id).expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(
        versions[0].note.comment.as_deref(),
        Some("the cover name again")
    );
    let filter = |f: NoteFilter| -> Vec<i64> {
        store
            .notes(&f)
            .expect("notes")
            .iter()
            .map(|n| n.id)
            .collect()
    };
    assert_eq!(
        filter(NoteFilter {
            tag: Some("covers".into()),
            ..NoteFilter::default()
        }),
        [first.id]
    );
    assert_eq!(
        filter(NoteFilter {
            text: Some("TWO FILES".into()),
            ..NoteFilter::default()
        }),
        [first.id],
        "text is matched in any case"
    );
    assert_eq!(
        filter(NoteFilter {
            doc: Some(d),
            ..NoteFilter::default()
        }),
        [first.id, other.id]
    );
    // Locked away with a stand-in, then put back with the history.
    let history = store.note_versions(first.id).expect("versions");
    let kept = store.note(first.id).expect("read").expect("there");
    store.remove_notes(&[first.id], true).expect("lock");
    let stand_in = store.note(first.id).expect("read").expect("a stand-in");
    assert!(stand_in.locked);
    assert_eq!(
        stand_in.comment, None,
        "a stand-in says nothing of the note"
    );
    assert!(store.note_versions(first.id).expect("versions").is_empty());
    store.restore_notes(&[kept], &history).expect("unlock");
    let back = store.note(first.id).expect("read").expect("back");
    assert_eq!(back.comment.as_deref(), Some("seen in two files"));
    assert_eq!(store.note_versions(first.id).expect("versions").len(), 2);
    // Locked away with no stand-in: gone.
    store.remove_notes(&[other.id], false).expect("lock");
    assert_eq!(store.note(other.id).expect("read"), None);
}
