//! `kartoteka gaps` on archives with planted gaps: exactly those findings and no others.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use common::{json, kartoteka};
use serde_json::Value;

fn findings(archive: &Path, extra: &[&str]) -> Vec<Value> {
    let report = json(kartoteka(archive).arg("gaps").args(extra).arg("--json"));
    report["findings"].as_array().expect("findings").clone()
}

fn kinds_and_references(found: &[Value]) -> BTreeSet<(String, String)> {
    found
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["reference"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ingest(archive: &Path, synth: &Path, user: &str) {
    kartoteka(archive)
        .env("KARTOTEKA_USER", user)
        .arg("ingest")
        .arg(synth.join("documents"))
        .arg("--inventory")
        .arg(synth.join("opis.csv"))
        .assert()
        .code(0);
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn planted_missing_empty_and_emptied_files_are_exactly_what_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let synth = dir.path().join("synth");
    Command::cargo_bin("kartoteka")
        .unwrap()
        .args(["synth", "--docs", "1500", "--seed", "1956", "--out"])
        .arg(&synth)
        .assert()
        .success();
    let planted: BTreeSet<(String, String)> = read_jsonl(&synth.join("truth/gaps.jsonl"))
        .iter()
        .map(|g| {
            (
                g["kind"].as_str().unwrap().into(),
                g["reference"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        planted.iter().any(|(k, _)| k == "missing"),
        "the seed plants missing files"
    );
    assert!(
        planted.iter().any(|(k, _)| k == "empty"),
        "the seed plants empty files"
    );

    let archive = dir.path().join("archive");
    ingest(&archive, &synth, "archivist");
    assert_eq!(kinds_and_references(&findings(&archive, &[])), planted);

    // Someone empties three documents of sound files and the archive takes the new versions.
    let sound: Vec<Value> = read_jsonl(&synth.join("truth/documents.jsonl"))
        .into_iter()
        .filter(|d| d["encoding"] != "empty")
        .step_by(97)
        .take(3)
        .collect();
    let mut expected = planted.clone();
    for d in &sound {
        std::fs::write(synth.join(d["path"].as_str().unwrap()), b"").unwrap();
        expected.insert(("emptied".into(), d["reference"].as_str().unwrap().into()));
    }
    ingest(&archive, &synth, "someone-else");
    let found = findings(&archive, &[]);
    assert_eq!(kinds_and_references(&found), expected);
    for f in found.iter().filter(|f| f["kind"] == "emptied") {
        let evidence = f["evidence"].as_str().unwrap();
        assert!(
            evidence.contains("archivist") && evidence.contains("someone-else"),
            "{evidence}"
        );
        assert!(f["expected"]["characters"].as_u64().unwrap() > 0);
        assert_eq!(f["found"]["characters"], 0);
    }
    // Most severe first.
    let severities: Vec<&str> = found
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    let mut sorted = severities.clone();
    sorted.sort_by_key(|s| ["high", "medium", "low"].iter().position(|x| x == s));
    assert_eq!(severities, sorted);

    // Annotations stick across runs; filters work.
    let missing = found.iter().find(|f| f["kind"] == "missing").unwrap();
    let id = missing["id"].as_i64().unwrap().to_string();
    kartoteka(&archive)
        .args([
            "gaps",
            "annotate",
            &id,
            "--status",
            "explained",
            "--note",
            "destroyed by act no. 12 of 1956",
        ])
        .assert()
        .success();
    let again = findings(&archive, &["--kind", "missing"]);
    assert!(again.iter().all(|f| f["kind"] == "missing"));
    let annotated = again
        .iter()
        .find(|f| f["id"].as_i64().unwrap().to_string() == id)
        .unwrap();
    assert_eq!(annotated["status"], "explained");
    assert_eq!(annotated["note"], "destroyed by act no. 12 of 1956");
    let audit = json(kartoteka(&archive).args(["audit", "log", "--action", "annotate", "--json"]));
    assert_eq!(audit["entries"].as_array().unwrap().len(), 1);

    let one_fonds = missing["reference"]
        .as_str()
        .unwrap()
        .split(", оп.")
        .next()
        .unwrap()
        .to_string();
    let scoped = findings(&archive, &[&one_fonds]);
    assert!(!scoped.is_empty());
    assert!(scoped.iter().all(|f| f["reference"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{one_fonds},"))));

    kartoteka(&archive)
        .args(["gaps", "annotate", "99999", "--status", "explained"])
        .assert()
        .code(3);
    kartoteka(&archive)
        .args(["gaps", "annotate", &id, "--status", "maybe"])
        .assert()
        .code(2);
    kartoteka(&archive)
        .args(["gaps", "--kind", "lost"])
        .assert()
        .code(2);
}

#[test]
fn counts_numbering_duplicates_and_unlisted_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("holdings");
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // д. 1: sheets 1-3 marked, the inventory says 5.
    write(
        "ф. 1/оп. 1/д. 1/л. 1.txt",
        "л. 1\nпервый\nл. 2\nвторой\nл. 3\nтретий\n",
    );
    // д. 2: no count in the inventory; marked sheets 1, 2, 4 and 5: sheet 3 is gone.
    write("ф. 1/оп. 1/д. 2/л. 1.txt", "л. 1\nодин\nл. 2\nдва\n");
    write("ф. 1/оп. 1/д. 2/л. 4.txt", "л. 4\nчетыре\nл. 5\nпять\n");
    // д. 4: the same report as д. 1 filed twice; д. 3 is neither listed nor held.
    write(
        "ф. 1/оп. 1/д. 4/л. 1.txt",
        "л. 1\nпервый\nл. 2\nвторой\nл. 3\nтретий\n",
    );
    // д. 5: held but not in the inventory.
    write("ф. 1/оп. 1/д. 5/л. 1.txt", "л. 1\nнеучтённый\n");
    // д. 6: as the inventory says, one document a sheet, unmarked pages in between.
    write("ф. 1/оп. 1/д. 6/л. 1.txt", "Протокол\n");
    write("ф. 1/оп. 1/д. 6/л. 3.txt", "Справка\n");
    std::fs::write(
        root.join("opis.csv"),
        "reference,path,title,sheets\n\
         \"ф. 1, оп. 1, д. 1\",ф. 1/оп. 1/д. 1,Первое,5\n\
         \"ф. 1, оп. 1, д. 2\",ф. 1/оп. 1/д. 2,Второе,\n\
         \"ф. 1, оп. 1, д. 4\",ф. 1/оп. 1/д. 4,Четвёртое,3\n\
         \"ф. 1, оп. 1, д. 6\",ф. 1/оп. 1/д. 6,Шестое,4\n",
    )
    .unwrap();
    let archive = dir.path().join("archive");
    kartoteka(&archive)
        .arg("ingest")
        .arg(&root)
        .arg("--inventory")
        .arg(root.join("opis.csv"))
        .assert()
        .code(0);
    let found = findings(&archive, &[]);
    let got = kinds_and_references(&found);
    let want: BTreeSet<(String, String)> = [
        ("sheet_count", "ф. 1, оп. 1, д. 1"),
        ("numbering", "ф. 1, оп. 1, д. 2"),
        ("numbering", "ф. 1, оп. 1"),
        ("duplicate", "ф. 1, оп. 1, д. 1, л. 1"),
        ("unlisted", "ф. 1, оп. 1, д. 5"),
    ]
    .iter()
    .map(|(k, r)| (k.to_string(), r.to_string()))
    .collect();
    assert_eq!(got, want, "{found:#?}");
    let by = |kind: &str, reference: &str| {
        found
            .iter()
            .find(|f| f["kind"] == kind && f["reference"] == reference)
            .unwrap()
            .clone()
    };
    let count = by("sheet_count", "ф. 1, оп. 1, д. 1");
    assert_eq!(
        (count["expected"].as_u64(), count["found"].as_u64()),
        (Some(5), Some(3))
    );
    assert!(count["evidence"]
        .as_str()
        .unwrap()
        .contains("absent: л. 4-5"));
    assert_eq!(
        by("numbering", "ф. 1, оп. 1, д. 2")["found"]["absent"],
        serde_json::json!([3])
    );
    assert_eq!(
        by("numbering", "ф. 1, оп. 1")["found"]["absent"],
        serde_json::json!([3])
    );
    let dup = by("duplicate", "ф. 1, оп. 1, д. 1, л. 1");
    assert!(dup["evidence"].as_str().unwrap().contains("д. 4"));
}
