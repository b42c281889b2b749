//! The embedded backends pass the storage conformance suite.

use kartoteka_store::{
    conformance, BlobLocation, FsBlobStore, MemoryBlobStore, MetadataStore, PostgresStore,
    SqliteStore,
};

#[test]
fn filesystem_blobs_conform() {
    let dir = tempfile::tempdir().unwrap();
    conformance::blob_store(&FsBlobStore::open(dir.path().join("blobs")).unwrap());
}

/// The S3 backend, on the server `scripts/s3-local` starts (KARTOTEKA_TEST_S3 names its
/// bucket), each run under a prefix of its own.
#[test]
fn object_store_blobs_conform() {
    let Some(bucket) = std::env::var("KARTOTEKA_TEST_S3").ok() else {
        assert!(
            std::env::var_os("KARTOTEKA_REQUIRE_PEERS").is_none(),
            "KARTOTEKA_TEST_S3 is not set: start scripts/s3-local"
        );
        eprintln!("skipped: no S3 server (eval \"$(scripts/s3-local)\" starts one)");
        return;
    };
    let prefix = format!("conformance-{}-{}", std::process::id(), unique());
    let location = BlobLocation::parse(&format!("{bucket}/{prefix}")).unwrap();
    let store = location.open().unwrap();
    conformance::blob_store(store.as_ref());
}

/// A bucket that does not exist is refused when the store is opened, by name.
#[test]
fn a_missing_bucket_is_refused_at_opening() {
    if std::env::var_os("KARTOTEKA_TEST_S3").is_none() {
        eprintln!("skipped: no S3 server (eval \"$(scripts/s3-local)\" starts one)");
        return;
    }
    let location = BlobLocation::parse("s3://no-such-bucket-kartoteka/x").unwrap();
    let err = match location.open() {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a missing bucket was opened"),
    };
    assert!(err.contains("s3://no-such-bucket-kartoteka/x"), "{err}");
    assert!(err.contains("NoSuchBucket") || err.contains("404"), "{err}");
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

#[test]
fn memory_blobs_conform() {
    conformance::blob_store(&MemoryBlobStore::default());
}

#[test]
fn sqlite_file_conforms() {
    let dir = tempfile::tempdir().unwrap();
    conformance::metadata_store(&mut SqliteStore::open(&dir.path().join("archive.db")).unwrap());
}

#[test]
fn sqlite_memory_conforms() {
    conformance::metadata_store(&mut SqliteStore::in_memory().unwrap());
    conformance::audit_chain(&mut SqliteStore::in_memory().unwrap());
    conformance::custody_and_findings(&mut SqliteStore::in_memory().unwrap());
    conformance::claims_and_reports(&mut SqliteStore::in_memory().unwrap());
    conformance::marking_rules(&mut SqliteStore::in_memory().unwrap());
    conformance::person_registry(&mut SqliteStore::in_memory().unwrap());
    conformance::mentions_and_relations(&mut SqliteStore::in_memory().unwrap());
    conformance::judgements(&mut SqliteStore::in_memory().unwrap());
    conformance::notes(&mut SqliteStore::in_memory().unwrap());
    conformance::partners_and_routing(&mut SqliteStore::in_memory().unwrap());
    conformance::editions_and_decisions(&mut SqliteStore::in_memory().unwrap());
    conformance::users_tokens_and_sessions(&mut SqliteStore::in_memory().unwrap());
    conformance::job_queue(&mut SqliteStore::in_memory().unwrap());
    conformance::saving_many(&mut SqliteStore::in_memory().unwrap());
}

#[test]
fn sqlite_file_batches_conform() {
    let dir = tempfile::tempdir().unwrap();
    conformance::batches(&mut SqliteStore::open(&dir.path().join("archive.db")).unwrap());
    conformance::saving_many(&mut SqliteStore::open(&dir.path().join("many.db")).unwrap());
}

#[test]
fn the_program_cannot_change_or_delete_audit_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    let mut store = SqliteStore::open(&path).unwrap();
    use kartoteka_store::prelude::*;
    store
        .append_audit(&[kartoteka_store::AuditAct::new("note", "first")])
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let update = conn.execute("UPDATE audit SET actor = 'x'", []);
    assert!(update.unwrap_err().to_string().contains("never changed"));
    let delete = conn.execute("DELETE FROM audit", []);
    assert!(delete.unwrap_err().to_string().contains("never deleted"));
}

#[test]
fn a_version_1_archive_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO meta VALUES ('schema_version', '1');
         CREATE TABLE documents (id INTEGER PRIMARY KEY, source_path TEXT NOT NULL UNIQUE, content TEXT NOT NULL,
           size INTEGER NOT NULL, format TEXT NOT NULL, encoding TEXT, language TEXT, reference TEXT, unit_key TEXT,
           placement TEXT NOT NULL, title TEXT, date_from INTEGER, date_to INTEGER, page_count INTEGER NOT NULL,
           needs_ocr INTEGER NOT NULL, ingested_at TEXT NOT NULL);
         CREATE TABLE document_versions (doc INTEGER NOT NULL REFERENCES documents(id), content TEXT NOT NULL, at TEXT NOT NULL);",
    )
    .unwrap();
    drop(conn);
    let mut store = SqliteStore::open(&path).unwrap();
    conformance::audit_chain(&mut store);
}

#[test]
fn a_version_5_archive_keeps_the_person_ids_it_showed() {
    use kartoteka_store::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO meta VALUES ('schema_version', '5');
         CREATE TABLE mentions (id INTEGER PRIMARY KEY, doc INTEGER NOT NULL, page INTEGER NOT NULL,
           sheet INTEGER, verso INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL, text TEXT NOT NULL,
           lemma TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, code TEXT, context TEXT NOT NULL);
         CREATE TABLE identities (mention INTEGER PRIMARY KEY, person TEXT NOT NULL);
         INSERT INTO mentions VALUES (1, 4, 1, NULL, 0, 'person', 'Орлов', 'Орлов', 10, 15, NULL, '');
         INSERT INTO mentions VALUES (2, 2, 1, NULL, 0, 'person', 'Соколова', 'Соколова', 31, 39, NULL, '');
         INSERT INTO mentions VALUES (3, 4, 2, NULL, 0, 'person', 'Соколова', 'Соколова', 5, 13, NULL, '');
         INSERT INTO identities VALUES (1, 'P4.1.10'), (2, 'P2.1.31'), (3, 'P2.1.31');",
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    let records = store.person_records().unwrap();
    let ids: Vec<(&str, u64)> = records.iter().map(|r| (r.id.as_str(), r.seq)).collect();
    assert_eq!(ids, [("P2.1.31", 1), ("P4.1.10", 2)]);
    let at: Vec<_> = store
        .identities()
        .unwrap()
        .into_iter()
        .map(|r| r.at)
        .collect();
    assert_eq!(
        at,
        [
            (kartoteka_model::DocId(4), 1, 10),
            (kartoteka_model::DocId(2), 1, 31),
            (kartoteka_model::DocId(4), 2, 5)
        ]
    );
}

#[test]
fn stored_originals_are_read_only_and_survive_reopening() {
    use kartoteka_store::BlobStore;
    let dir = tempfile::tempdir().unwrap();
    let hash = FsBlobStore::open(dir.path())
        .unwrap()
        .put(b"original")
        .unwrap();
    let store = FsBlobStore::open(dir.path()).unwrap();
    assert_eq!(store.get(&hash).unwrap(), b"original");
    assert!(std::fs::metadata(store.path_of(&hash))
        .unwrap()
        .permissions()
        .readonly());
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
        [],
    )
    .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).err().expect("must refuse");
    assert!(err.to_string().contains("99"), "{err}");
}

/// A new PostgreSQL store in a database of its own (dropped with the guard), or `None`
/// when no server is given.
fn postgres(name: &str) -> Option<(conformance::ScratchDatabase, PostgresStore)> {
    let db = conformance::scratch_postgres(name)?;
    let store = PostgresStore::open(&db.url).unwrap_or_else(|e| panic!("{}: {e}", db.url));
    Some((db, store))
}

/// A conformance function with the name its database is given.
type Suite = (&'static str, fn(&mut dyn MetadataStore));

#[test]
fn postgres_conforms() {
    let suites: [Suite; 15] = [
        ("metadata", conformance::metadata_store),
        ("audit", conformance::audit_chain),
        ("batches", conformance::batches),
        ("saving", conformance::saving_many),
        ("custody", conformance::custody_and_findings),
        ("reports", conformance::claims_and_reports),
        ("rules", conformance::marking_rules),
        ("persons", conformance::person_registry),
        ("mentions", conformance::mentions_and_relations),
        ("judgements", conformance::judgements),
        ("notes", conformance::notes),
        ("partners", conformance::partners_and_routing),
        ("editions", conformance::editions_and_decisions),
        ("access", conformance::users_tokens_and_sessions),
        ("jobs", conformance::job_queue),
    ];
    for (name, suite) in suites {
        let Some((_db, mut store)) = postgres(name) else {
            return;
        };
        suite(&mut store);
    }
}

/// Workers on connections of their own claiming jobs from one PostgreSQL database at
/// once: each job taken by one of them.
#[test]
fn postgres_job_claims_race() {
    let Some((db, store)) = postgres("claims") else {
        return;
    };
    drop(store);
    conformance::job_claims_race(&|| Box::new(PostgresStore::open(&db.url).unwrap()));
}

/// The same on one SQLite file opened by several connections (a server and the command
/// line).
#[test]
fn sqlite_file_job_claims_race() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    drop(SqliteStore::open(&path).unwrap());
    conformance::job_claims_race(&|| Box::new(SqliteStore::open(&path).unwrap()));
}

/// Writers on several connections (as several servers are) racing to append: one chain,
/// every entry in it once, no fork and no gap, and it verifies.
#[test]
fn postgres_audit_chain_stays_one_chain_under_racing_writers() {
    use kartoteka_store::prelude::*;
    let Some((db, store)) = postgres("race") else {
        return;
    };
    drop(store);
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let url = db.url.clone();
            std::thread::spawn(move || {
                let mut store = PostgresStore::open(&url).unwrap();
                store.set_actor(&format!("writer{w}"));
                for i in 0..25 {
                    store
                        .append_audit(&[
                            kartoteka_store::AuditAct::new("note", format!("{w}-{i}-a")),
                            kartoteka_store::AuditAct::new("note", format!("{w}-{i}-b")),
                        ])
                        .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let store = PostgresStore::open(&db.url).unwrap();
    let entries = store.audit_after(0, 1000).unwrap();
    assert_eq!(entries.len(), 200, "every act once");
    let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=200).collect::<Vec<u64>>(), "no gap");
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev, pair[0].hash, "no fork at {}", pair[1].seq);
    }
    // Each writer's two acts of one call are next to each other: a call is atomic.
    for pair in entries.chunks(2) {
        assert_eq!(pair[0].actor, pair[1].actor);
        assert_eq!(
            pair[0].detail.trim_end_matches("-a"),
            pair[1].detail.trim_end_matches("-b")
        );
    }
    let mut check = kartoteka_store::ChainCheck::new(None);
    for e in &entries {
        check.feed(e);
    }
    assert_eq!(check.first_bad(), None, "every entry's hash is its own");
}

/// The database refuses to change or delete audit entries, whoever asks.
#[test]
fn postgres_refuses_to_change_or_delete_audit_entries() {
    use kartoteka_store::prelude::*;
    let Some((db, mut store)) = postgres("kept") else {
        return;
    };
    store
        .append_audit(&[kartoteka_store::AuditAct::new("note", "first")])
        .unwrap();
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    for sql in [
        "UPDATE audit SET actor = 'x'",
        "DELETE FROM audit",
        "TRUNCATE audit",
    ] {
        let err = client.batch_execute(sql).unwrap_err();
        assert!(
            format!("{err:?}").contains("never changed or deleted"),
            "{sql}: {err:?}"
        );
    }
    assert_eq!(store.audit_head().unwrap().map(|h| h.0), Some(1));
}

/// A database made by a newer Kartoteka is refused by number, and a bad URL by its text.
#[test]
fn postgres_refuses_a_newer_schema_and_a_bad_url() {
    let Some((db, store)) = postgres("newer") else {
        return;
    };
    drop(store);
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    client
        .batch_execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        .unwrap();
    let err = PostgresStore::open(&db.url).err().expect("must refuse");
    assert!(err.to_string().contains("99"), "{err}");
    let err = PostgresStore::open("postgres://nobody:secret@127.0.0.1:1/none")
        .err()
        .expect("nothing listens there");
    let text = err.to_string();
    assert!(
        text.contains("cannot connect to postgres://nobody:***@127.0.0.1:1/none"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
}
