//! The embedded backends pass the storage conformance suite.

use kartoteka_store::{conformance, FsBlobStore, MemoryBlobStore, SqliteStore};

#[test]
fn filesystem_blobs_conform() {
    let dir = tempfile::tempdir().unwrap();
    conformance::blob_store(&FsBlobStore::open(dir.path().join("blobs")).unwrap());
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
