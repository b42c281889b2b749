//! The audit chain as a user meets it: every act logged with who did it, and any tampering
//! in the database caught at the entry it touched.

mod common;

use std::path::Path;

use common::{ingest_sample, json, kartoteka, sample};
use serde_json::Value;

fn ingested_by(user: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let report = ingest_sample(dir.path(), user);
    assert_eq!(report["failed"], 0, "{report}");
    dir
}

fn verify(archive: &Path, extra: &[&str]) -> (Value, i32) {
    let out = kartoteka(archive)
        .args(["audit", "verify", "--json"])
        .args(extra)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    (v, out.status.code().unwrap_or(-1))
}

/// Opens the database as an attacker would, with the program's guards removed.
fn tamper(archive: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(archive.join("archive.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_never_updated; DROP TRIGGER IF EXISTS audit_never_deleted;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
}

fn copy_archive(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let target = to.path().join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &target).unwrap();
    }
    to
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn every_act_is_logged_with_its_actor_and_the_chain_verifies() {
    let archive = ingested_by("mitrokhin");
    let (report, code) = verify(archive.path(), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["first_bad"], Value::Null);
    let entries = report["entries"].as_u64().unwrap();

    let log = json(kartoteka(archive.path()).args(["audit", "log", "--json"]));
    let all = log["entries"].as_array().unwrap();
    assert_eq!(all.len() as u64, entries);
    let ingests = all.iter().filter(|e| e["action"] == "ingest").count();
    let documents = json(kartoteka(archive.path()).args(["status", "--json"]))["documents"]
        .as_u64()
        .unwrap();
    assert_eq!(ingests as u64, documents, "one ingest entry per document");
    assert!(
        all.iter().any(|e| e["action"] == "describe"),
        "inventory units are logged"
    );
    assert!(all.iter().all(|e| e["actor"] == "mitrokhin"));

    // Re-running the same ingest changes nothing and logs nothing.
    kartoteka(archive.path())
        .env("KARTOTEKA_USER", "someone")
        .arg("ingest")
        .arg(sample().join("documents"))
        .arg("--inventory")
        .arg(sample().join("opis.csv"))
        .assert()
        .success();
    let (again, _) = verify(archive.path(), &[]);
    assert_eq!(again["entries"].as_u64().unwrap(), entries);

    // Filters.
    let by_other =
        json(kartoteka(archive.path()).args(["audit", "log", "--actor", "someone", "--json"]));
    assert_eq!(by_other["entries"].as_array().unwrap().len(), 0);
    let unit = json(kartoteka(archive.path()).args([
        "audit", "log", "--unit", "ф. 9003", "--action", "ingest", "--json",
    ]));
    let unit = unit["entries"].as_array().unwrap();
    assert!(!unit.is_empty());
    assert!(unit
        .iter()
        .all(|e| e["unit"].as_str().unwrap().starts_with("ф. 9003,") && e["action"] == "ingest"));
    let future =
        json(kartoteka(archive.path()).args(["audit", "log", "--since", "2999-01-01", "--json"]));
    assert_eq!(future["entries"].as_array().unwrap().len(), 0);
    kartoteka(archive.path())
        .args(["audit", "log", "--unit", "not a reference"])
        .assert()
        .code(2);
}

#[test]
fn tampering_is_caught_at_the_entry_it_touched() {
    let original = ingested_by("archivist");
    let (report, _) = verify(original.path(), &[]);
    let entries = report["entries"].as_u64().unwrap();
    assert!(entries > 12);
    let cases: [(&str, String, u64); 5] = [
        ("edited", "UPDATE audit SET actor = 'nobody' WHERE seq = 7".into(), 7),
        ("deleted", "DELETE FROM audit WHERE seq = 9".into(), 9),
        (
            "reordered",
            "UPDATE audit SET seq = -1 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = -1;".into(),
            4,
        ),
        (
            "inserted without a valid hash",
            "UPDATE audit SET seq = -seq WHERE seq >= 6; UPDATE audit SET seq = -seq + 1 WHERE seq < 0;
             INSERT INTO audit(seq, at, actor, action, detail, prev, hash)
             SELECT 6, at, actor, 'delete', 'forged', hash, hash FROM audit WHERE seq = 5;"
                .into(),
            6,
        ),
        ("the time changed", "UPDATE audit SET at = '1999-01-01T00:00:00Z' WHERE seq = 3".into(), 3),
    ];
    for (what, sql, at) in cases {
        let copy = copy_archive(original.path());
        tamper(copy.path(), &sql);
        let (report, code) = verify(copy.path(), &[]);
        assert_eq!(code, 1, "{what}: {report}");
        assert_eq!(report["ok"], false, "{what}");
        assert_eq!(report["first_bad"], at, "{what}: {report}");
    }
}

#[test]
fn a_kept_head_shows_that_the_end_was_cut() {
    let archive = ingested_by("archivist");
    let head = json(kartoteka(archive.path()).args(["audit", "head", "--json"]));
    let hash = head["head"].as_str().unwrap().to_string();
    let (ok, code) = verify(archive.path(), &["--head", &hash]);
    assert_eq!((code, &ok["ok"]), (0, &Value::Bool(true)));
    // The end cut from the last ingest entry on (the sealing key's entry after it too).
    tamper(
        archive.path(),
        "DELETE FROM audit WHERE seq >= (SELECT MAX(seq) FROM audit WHERE action = 'ingest')",
    );
    // What is left still links, but the document the cut entry recorded is now a row
    // the chain does not know: found even without a kept head.
    let (plain, code) = verify(archive.path(), &[]);
    assert_eq!(code, 1, "{plain}");
    assert_eq!(plain["first_bad"], Value::Null, "{plain}");
    assert!(
        plain["rows"][0]
            .as_str()
            .unwrap()
            .contains("not in the chain"),
        "{plain}"
    );
    let (report, code) = verify(archive.path(), &["--head", &hash]);
    assert_eq!(code, 1);
    assert_eq!(report["ok"], false);
    assert!(report["problem"]
        .as_str()
        .unwrap()
        .contains("not in the chain"));
}

#[test]
fn a_signed_head_proves_history_was_not_rewritten() {
    let archive = ingested_by("archivist");
    let keys = tempfile::tempdir().unwrap();
    let keyfile = keys.path().join("head.key");
    let out = kartoteka(archive.path())
        .args(["audit", "key", "--out"])
        .arg(&keyfile)
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(public.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&keyfile).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the private key is readable by its owner only"
        );
    }
    kartoteka(archive.path())
        .args(["audit", "key", "--out"])
        .arg(&keyfile)
        .assert()
        .code(2);

    let signed = json(
        kartoteka(archive.path())
            .args(["audit", "head", "--sign"])
            .arg(&keyfile),
    );
    assert_eq!(signed["public_key"], public.as_str());
    let signed_file = keys.path().join("head.json");
    std::fs::write(&signed_file, signed.to_string()).unwrap();
    let check = |extra: &[&str]| {
        verify(
            archive.path(),
            &[&["--signed", signed_file.to_str().unwrap()], extra].concat(),
        )
    };

    let (ok, code) = check(&["--key", &public]);
    assert_eq!((code, &ok["ok"]), (0, &Value::Bool(true)), "{ok}");

    // More acts after signing are fine: the signed entry is still there.
    kartoteka(archive.path())
        .args(["move", "ф. 9001", "--to", "Архив / корпус 1"])
        .assert()
        .success();
    assert_eq!(check(&[]).1, 0);

    // Another key is not trusted.
    let other = "11".repeat(32);
    let (report, code) = check(&["--key", &other]);
    assert_eq!(code, 1);
    assert!(report["problem"].as_str().unwrap().contains("another key"));

    // An altered signed head is caught.
    let mut forged = signed.clone();
    forged["entries"] = Value::from(signed["entries"].as_u64().unwrap() - 1);
    let forged_file = keys.path().join("forged.json");
    std::fs::write(&forged_file, forged.to_string()).unwrap();
    let (report, code) = verify(archive.path(), &["--signed", forged_file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        report["problem"].as_str().unwrap().contains("altered"),
        "{report}"
    );

    // Entries cut from the end, back past the signed one: what is left still links, but
    // the signed entry is gone.
    let conn = rusqlite::Connection::open(archive.path().join("archive.db")).unwrap();
    conn.execute_batch("DROP TRIGGER audit_never_updated; DROP TRIGGER audit_never_deleted;")
        .unwrap();
    let n: u64 = signed["entries"].as_u64().unwrap();
    conn.execute("DELETE FROM audit WHERE seq > ?1", [n as i64 - 2])
        .unwrap();
    drop(conn);
    // It still links, but the rows the cut entries recorded are no longer in it.
    let (plain, code) = verify(archive.path(), &[]);
    assert_eq!(code, 1, "{plain}");
    assert_eq!(
        plain["first_bad"],
        Value::Null,
        "a cut chain still links: {plain}"
    );
    let (report, code) = check(&[]);
    assert_eq!(code, 1);
    assert!(
        report["problem"]
            .as_str()
            .unwrap()
            .contains("removed from its end"),
        "{report}"
    );
}
