//! Originals kept outside the archive folder: in an S3-compatible object store (the moto
//! server `scripts/s3-local` starts) or in a folder named by a `file://` URL, chosen by
//! `--blobs` when the archive is made and found again without it.

mod common;

use std::path::Path;

use common::{json, kartoteka, s3_prefix, sample};
use predicates::prelude::*;
use serde_json::Value;

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Changes (`Some`) or removes (`None`) the stored original `hash` at an S3 location,
/// behind the program's back, as a failing disk or a careless administrator would.
fn tamper(location: &str, hash: &str, bytes: Option<&[u8]>) {
    use object_store::{ObjectStoreExt, PutPayload};
    let (bucket, prefix) = location
        .strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .expect("s3://BUCKET/PREFIX");
    let store = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .build()
        .expect("the test server's client");
    let key = object_store::path::Path::from(format!("{prefix}/{}/{hash}", &hash[..2]));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        match bytes {
            Some(bytes) => store
                .put(&key, PutPayload::from(bytes.to_vec()))
                .await
                .map(|_| ()),
            None => store.delete(&key).await,
        }
        .expect("the test server takes the change")
    });
}

#[test]
fn an_archive_keeps_its_originals_in_an_object_store_and_verifies_them_there() {
    let Some(location) = s3_prefix("archive") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let input = dir.path().join("in");
    write(&input.join("a.txt"), "первый документ".as_bytes());
    write(&input.join("b.txt"), "второй документ".as_bytes());
    write(&input.join("c.txt"), "третий документ".as_bytes());
    let ingested = json(
        kartoteka(&archive)
            .args(["--blobs", &location, "ingest"])
            .arg(&input)
            .arg("--json"),
    );
    assert_eq!(ingested["added"], 3, "{ingested}");
    // Nothing of the originals is in the folder: they are in the bucket.
    assert!(!archive.join("blobs").exists());
    let first = sha256("первый документ".as_bytes());
    let second = sha256("второй документ".as_bytes());

    // Later commands find the originals without being told where.
    let clean = json(kartoteka(&archive).args(["verify", "--json"]));
    assert_eq!(
        (clean["checked"].as_u64(), clean["passed"].as_u64()),
        (Some(3), Some(3)),
        "{clean}"
    );
    // A bag of the archive's documents carries the originals read back from the store.
    let bag = dir.path().join("bag");
    kartoteka(&archive)
        .args(["transfer", "export", "--all", "--out"])
        .arg(&bag)
        .assert()
        .success();
    let mut carried: Vec<String> = common::files_under(&bag.join("data"))
        .iter()
        .map(|p| sha256(&std::fs::read(p).unwrap()))
        .collect();
    carried.sort();
    let mut expected = vec![
        first.clone(),
        second.clone(),
        sha256("третий документ".as_bytes()),
    ];
    expected.sort();
    assert_eq!(
        carried, expected,
        "the bag's originals are the ones ingested"
    );

    // Changed and lost behind the program's back, in the store: verify reads them back
    // from there, names both and fails.
    tamper(&location, &first, Some("подделка".as_bytes()));
    tamper(&location, &second, None);
    let out = kartoteka(&archive)
        .args(["verify", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "problems make the exit status 1"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["passed"], 1, "{report}");
    assert_eq!(report["corrupted"][0]["hash"], first.as_str(), "{report}");
    assert_eq!(report["missing"][0]["hash"], second.as_str(), "{report}");
}

#[test]
fn a_location_other_than_the_archives_is_refused_and_nothing_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let elsewhere = dir.path().join("originals");
    let url = format!("file://{}", elsewhere.display());
    kartoteka(&archive)
        .args(["--blobs", &url, "ingest"])
        .arg(sample().join("documents"))
        .assert()
        .success();
    // The originals are in the folder named, not in the archive's own.
    assert!(!archive.join("blobs").exists());
    assert!(std::fs::read_dir(&elsewhere).unwrap().count() > 10);
    kartoteka(&archive)
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains("0 corrupted, 0 missing"));
    let before = json(kartoteka(&archive).args(["status", "--json"]));

    // Another location for this archive: refused with both named, as bad usage.
    let other = format!("file://{}", dir.path().join("other").display());
    kartoteka(&archive)
        .args(["--blobs", &other, "ingest"])
        .arg(sample().join("documents"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(url.as_str())
                .and(predicate::str::contains(other.as_str()))
                .and(predicate::str::contains("nothing was done")),
        );
    // The same location, given again, is fine.
    kartoteka(&archive)
        .args(["--blobs", &url, "status"])
        .assert()
        .success();
    assert_eq!(json(kartoteka(&archive).args(["status", "--json"])), before);
    assert!(!dir.path().join("other").exists());
}

#[test]
fn a_location_that_cannot_be_used_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    for (url, why) in [
        ("gs://bucket/prefix", "`gs://` is not a blob store"),
        ("s3://Bad_Bucket/x", "bucket"),
        ("s3://bucket/../up", "`..`"),
        ("file://relative", "absolute"),
    ] {
        kartoteka(&archive)
            .args(["--blobs", url, "ingest"])
            .arg(sample().join("documents"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(url).and(predicate::str::contains(why)));
        assert!(!archive.exists(), "{url}: no archive is made");
    }
    // Through the environment as through the flag.
    kartoteka(&archive)
        .env("KARTOTEKA_BLOBS", "ftp://host/x")
        .args(["ingest"])
        .arg(sample().join("documents"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ftp://host/x"));
}

#[test]
fn a_bucket_that_does_not_exist_fails_before_anything_is_stored() {
    if s3_prefix("missing-bucket").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    kartoteka(&archive)
        .args(["--blobs", "s3://kartoteka-no-such-bucket/x", "ingest"])
        .arg(sample().join("documents"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("s3://kartoteka-no-such-bucket/x"));
    // No archive was made whose originals would be nowhere.
    assert!(!archive.exists());
}

/// The sample with its persons resolved and a note taken: an archive with something in
/// most of its tables.
fn worked_sample(archive: &Path) {
    common::ingest_sample(archive, "ilya");
    for step in [&["extract"][..], &["resolve"][..]] {
        kartoteka(archive).args(step).assert().success();
    }
    kartoteka(archive)
        .args([
            "note",
            "add",
            "ф. 9001, оп. 1, д. 1, л. 1",
            "--quote",
            "Соколова",
        ])
        .args(["--comment", "check against the personal file", "--json"])
        .assert()
        .success();
}

/// What a user sees of an archive, to compare two: its counts, a search, a document, its
/// persons, its notes and its audit head.
fn seen(archive: &Path) -> Vec<Value> {
    let mut status = json(kartoteka(archive).args(["status", "--json"]));
    status.as_object_mut().unwrap().remove("archive");
    vec![
        status,
        json(kartoteka(archive).args(["search", "Соколов", "--json"])),
        json(kartoteka(archive).args(["show", "4", "--json"])),
        json(kartoteka(archive).args(["persons", "--json"])),
        json(kartoteka(archive).args(["note", "list", "--json"])),
        json(kartoteka(archive).args(["audit", "head", "--json"])),
    ]
}

#[test]
fn an_archive_moves_to_an_object_store_and_back_with_everything_verified() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    worked_sample(&first);
    let before = seen(&first);
    // To a bucket when the test server runs, else to a folder named by URL.
    let location = s3_prefix("migrate")
        .unwrap_or_else(|| format!("file://{}", dir.path().join("originals").display()));
    let second = dir.path().join("second");
    let moved = json(
        kartoteka(&first)
            .args(["migrate", "--to"])
            .arg(&second)
            .args(["--blobs", &location, "--json"]),
    );
    assert_eq!(moved["blobs"], location.as_str(), "{moved}");
    assert!(moved["objects"].as_u64().unwrap() >= 38, "{moved}");
    assert!(moved["tables"].as_array().unwrap().len() > 20, "{moved}");
    // The source is as it was, and the new archive shows the same things.
    assert_eq!(seen(&first), before);
    assert_eq!(seen(&second), before);
    kartoteka(&second)
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains("0 corrupted, 0 missing"));
    kartoteka(&second)
        .args(["audit", "verify"])
        .assert()
        .success();
    assert!(
        !second.join("blobs").exists(),
        "the originals are at {location}"
    );

    // And back into a folder of its own.
    let third = dir.path().join("third");
    kartoteka(&second)
        .args(["migrate", "--from"])
        .arg(&second)
        .arg("--to")
        .arg(&third)
        .assert()
        .success()
        .stdout(predicate::str::contains("each read back and re-hashed"));
    assert!(third.join("blobs").is_dir());
    assert!(!third.join("blobs.url").exists());
    for (moved, was) in seen(&third).iter().zip(seen(&second)) {
        assert_eq!(*moved, was);
    }
    kartoteka(&third).arg("verify").assert().success();
}

#[test]
fn a_migration_that_cannot_be_completed_leaves_nothing_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    worked_sample(&source);
    let before = seen(&source);

    // Onto an archive, or any folder with something in it: refused, the folder untouched.
    let occupied = dir.path().join("occupied");
    write(&occupied.join("keep.txt"), b"mine");
    kartoteka(&source)
        .args(["migrate", "--to"])
        .arg(&occupied)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not empty"));
    assert_eq!(std::fs::read(occupied.join("keep.txt")).unwrap(), b"mine");
    assert_eq!(std::fs::read_dir(&occupied).unwrap().count(), 1);

    // From a folder that holds no archive.
    kartoteka(&source)
        .args(["migrate", "--from"])
        .arg(dir.path().join("nothing"))
        .arg("--to")
        .arg(dir.path().join("new"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("no archive"));
    assert!(!dir.path().join("new").exists());

    // An original that no longer matches its name is not carried over as if it did: the
    // move stops, names it, and leaves no new archive behind.
    let blob = first_blob(&source.join("blobs"));
    let mut perms = std::fs::metadata(&blob).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&blob, perms).unwrap();
    std::fs::write(&blob, "подделка").unwrap();
    let name = blob.file_name().unwrap().to_string_lossy().into_owned();
    let target = dir.path().join("target");
    kartoteka(&source)
        .args(["migrate", "--to"])
        .arg(&target)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(name.as_str()).and(predicate::str::contains("verify")));
    assert!(!target.exists(), "nothing half-made is left");
    assert_eq!(seen(&source), before, "the source is as it was");
}

fn first_blob(blobs: &Path) -> std::path::PathBuf {
    let mut all = common::files_under(blobs);
    all.sort();
    all.into_iter()
        .find(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .expect("a stored original")
}

#[test]
fn the_config_file_names_where_a_new_archives_originals_go_and_the_flag_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = dir.path().join("from-file");
    std::fs::write(
        dir.path().join("kartoteka.toml"),
        format!("blobs = \"file://{}\"\n", from_file.display()),
    )
    .unwrap();
    let by_file = dir.path().join("by-file");
    kartoteka(&by_file)
        .current_dir(dir.path())
        .arg("ingest")
        .arg(sample().join("documents"))
        .assert()
        .success();
    assert!(std::fs::read_dir(&from_file).unwrap().count() > 10);
    assert!(!by_file.join("blobs").exists());

    // The flag wins over the file.
    let from_flag = dir.path().join("from-flag");
    let by_flag = dir.path().join("by-flag");
    kartoteka(&by_flag)
        .current_dir(dir.path())
        .args([
            "--blobs",
            &format!("file://{}", from_flag.display()),
            "ingest",
        ])
        .arg(sample().join("documents"))
        .assert()
        .success();
    assert!(std::fs::read_dir(&from_flag).unwrap().count() > 10);
    let recorded = std::fs::read_to_string(by_flag.join("blobs.url")).unwrap();
    assert_eq!(recorded.trim(), format!("file://{}", from_flag.display()));
}
