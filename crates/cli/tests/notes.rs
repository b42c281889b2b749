//! The notebook as a researcher uses it: notes on exact passages that survive a new
//! extraction of the text, are orphaned (never moved or dropped) when their passage goes,
//! and travel as W3C Web Annotations.

mod common;

use std::path::Path;

use common::{json, kartoteka};
use serde_json::Value;

const FIRST: &str = "л. 3\nДОНЕСЕНИЕ\nИсточник «МАРТА» сообщил, что 12 апреля 1951 г. в Вене\nвстретился с резидентом и передал материалы по атомному проекту.\n";

fn archive_with(dir: &Path, text: &str) -> std::path::PathBuf {
    let file = dir.join("holdings/ф. 5/оп. 1/д. 7/л. 3.txt");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, text).unwrap();
    let archive = dir.join("archive");
    kartoteka(&archive)
        .env("KARTOTEKA_USER", "researcher")
        .arg("ingest")
        .arg(dir.join("holdings"))
        .assert()
        .code(0);
    file
}

fn notes(archive: &Path, extra: &[&str]) -> Vec<Value> {
    json(
        kartoteka(archive)
            .args(["note", "list", "--json"])
            .args(extra),
    )["notes"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_note_survives_a_new_extraction_and_is_orphaned_when_its_passage_goes() {
    let dir = tempfile::tempdir().unwrap();
    let file = archive_with(dir.path(), FIRST);
    let archive = dir.path().join("archive");
    let note = json(
        kartoteka(&archive)
            .env("KARTOTEKA_USER", "researcher")
            .args([
                "note",
                "add",
                "ф. 5, оп. 1, д. 7, л. 3",
                "--quote",
                "встретился с резидентом",
                "--comment",
                "first contact in Vienna",
                "--tag",
                "vienna",
                "--tag",
                "contact",
                "--json",
            ]),
    );
    assert_eq!(note["anchor"]["exact"], "встретился с резидентом");
    assert_eq!(note["anchor"]["sheet"]["number"], 3);
    assert_eq!(note["author"], "researcher");
    let start = note["anchor"]["start"].as_u64().unwrap();

    // A better reading of the scan: a new line before, the passage broken across lines.
    let second = FIRST
        .replace("ДОНЕСЕНИЕ\n", "СОВ. СЕКРЕТНО\nДОНЕСЕНИЕ\n")
        .replace("встретился с резидентом", "встретился с\nрезидентом");
    std::fs::write(&file, &second).unwrap();
    kartoteka(&archive)
        .arg("ingest")
        .arg(dir.path().join("holdings"))
        .assert()
        .code(0);
    let after = notes(&archive, &[]);
    assert_eq!(after.len(), 1);
    let moved = &after[0];
    assert_eq!(moved["orphaned"], false);
    assert_eq!(moved["anchor"]["exact"], "встретился с\nрезидентом");
    assert!(
        moved["anchor"]["start"].as_u64().unwrap() > start,
        "the anchor moved with the text"
    );
    assert_eq!(moved["comment"], "first contact in Vienna");
    let shown = json(kartoteka(&archive).args(["note", "show", "1", "--json"]));
    let whys: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["why"].as_str().unwrap())
        .collect();
    assert_eq!(whys, ["written", "re-anchored after re-extraction"]);

    // The passage is gone from the next version: the note stays, orphaned, where it was.
    std::fs::write(
        &file,
        "л. 3\nДОНЕСЕНИЕ\nИсточник «МАРТА» сообщений не передавал.\n",
    )
    .unwrap();
    kartoteka(&archive)
        .arg("ingest")
        .arg(dir.path().join("holdings"))
        .assert()
        .code(0);
    let orphans = notes(&archive, &["--orphaned"]);
    assert_eq!(orphans.len(), 1);
    assert_eq!(orphans[0]["anchor"]["exact"], "встретился с\nрезидентом");
    assert_eq!(
        notes(&archive, &[]).len(),
        1,
        "an orphaned note is still listed"
    );

    // The passage comes back: the note finds it again.
    std::fs::write(&file, FIRST).unwrap();
    kartoteka(&archive)
        .arg("ingest")
        .arg(dir.path().join("holdings"))
        .assert()
        .code(0);
    assert!(notes(&archive, &["--orphaned"]).is_empty());
    assert_eq!(
        notes(&archive, &[])[0]["anchor"]["start"].as_u64(),
        Some(start)
    );
}

#[test]
fn quotes_that_are_not_there_or_ambiguous_are_refused_with_help() {
    let dir = tempfile::tempdir().unwrap();
    archive_with(
        dir.path(),
        "л. 3\nагент МАРТА прибыл. Позже агент МАРТА убыл.\n",
    );
    let archive = dir.path().join("archive");
    kartoteka(&archive)
        .args(["note", "add", "1", "--quote", "агент МАРТО прибыл"])
        .assert()
        .code(1)
        .stderr(
            predicates::str::contains("closest passage")
                .and(predicates::str::contains("агент МАРТА прибыл")),
        );
    kartoteka(&archive)
        .args(["note", "add", "1", "--quote", "агент МАРТА"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("occurs 2 times"));
    kartoteka(&archive)
        .args(["note", "add", "1", "--quote", "Позже агент МАРТА"])
        .assert()
        .success();
    kartoteka(&archive)
        .args(["note", "add", "99", "--quote", "x"])
        .assert()
        .code(3);
    kartoteka(&archive)
        .args(["note", "add", "not a reference", "--quote", "x"])
        .assert()
        .code(1);
    kartoteka(&archive)
        .args(["note", "show", "42"])
        .assert()
        .code(3);
    // Look-alike Latin letters in the quote, as pasted from an OCR copy.
    kartoteka(&archive)
        .args(["note", "add", "1", "--quote", "MAPTA yбыл"])
        .assert()
        .success();
}

use predicates::prelude::*;

#[test]
fn notes_are_edited_with_history_searched_and_exchanged_as_web_annotations() {
    let dir = tempfile::tempdir().unwrap();
    archive_with(dir.path(), FIRST);
    let archive = dir.path().join("archive");
    kartoteka(&archive)
        .env("KARTOTEKA_USER", "researcher")
        .args([
            "note",
            "add",
            "1",
            "--quote",
            "атомному проекту",
            "--comment",
            "atomic",
            "--tag",
            "atom",
        ])
        .assert()
        .success();
    kartoteka(&archive)
        .env("KARTOTEKA_USER", "editor")
        .args([
            "note",
            "edit",
            "1",
            "--comment",
            "atomic project, 1951",
            "--tag",
            "atom",
            "--tag",
            "1951",
        ])
        .assert()
        .success();
    let shown = json(kartoteka(&archive).args(["note", "show", "1", "--json"]));
    assert_eq!(shown["note"]["version"], 2);
    assert_eq!(
        shown["history"][0]["note"]["comment"], "atomic",
        "the first version is kept"
    );
    assert_eq!(shown["history"][1]["by"], "editor");
    assert_eq!(notes(&archive, &["--tag", "1951"]).len(), 1);
    assert_eq!(notes(&archive, &["--search", "ATOMIC PROJECT"]).len(), 1);
    assert_eq!(notes(&archive, &["--search", "vienna"]).len(), 0);
    let audit = json(kartoteka(&archive).args(["audit", "log", "--json"]));
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"note") && actions.contains(&"note-edit"),
        "{actions:?}"
    );

    let out = kartoteka(&archive)
        .args(["note", "export", "--format", "web-annotation"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let exported: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(exported["@context"], "http://www.w3.org/ns/anno.jsonld");
    assert_eq!(exported["type"], "AnnotationCollection");
    let item = &exported["first"]["items"][0];
    assert_eq!(item["type"], "Annotation");
    let refined = item["target"]["selector"]["refinedBy"].as_array().unwrap();
    assert!(refined
        .iter()
        .any(|s| s["type"] == "TextQuoteSelector" && s["exact"] == "атомному проекту"));
    assert!(refined.iter().any(|s| s["type"] == "TextPositionSelector"));

    // Another archive holding the same original takes the notes in.
    let other = tempfile::tempdir().unwrap();
    archive_with(other.path(), FIRST);
    let file = other.path().join("notes.jsonld");
    std::fs::write(&file, &out.stdout).unwrap();
    let imported = json(
        kartoteka(&other.path().join("archive"))
            .args(["note", "import"])
            .arg(&file)
            .arg("--json"),
    );
    assert_eq!(
        imported["imported"].as_array().unwrap().len(),
        1,
        "{imported}"
    );
    let there = notes(&other.path().join("archive"), &[]);
    assert_eq!(there[0]["comment"], "atomic project, 1951");
    assert_eq!(there[0]["tags"], serde_json::json!(["atom", "1951"]));
    assert_eq!(
        there[0]["author"], "researcher",
        "the author is who wrote it first"
    );

    // Not annotations at all.
    std::fs::write(&file, "{\"hello\": 1}").unwrap();
    kartoteka(&other.path().join("archive"))
        .args(["note", "import"])
        .arg(&file)
        .assert()
        .code(1);
    std::fs::write(&file, "not json").unwrap();
    kartoteka(&other.path().join("archive"))
        .args(["note", "import"])
        .arg(&file)
        .assert()
        .code(2);
}

#[test]
fn a_locked_notebook_is_its_owners_alone_until_unlocked() {
    let dir = tempfile::tempdir().unwrap();
    archive_with(dir.path(), FIRST);
    let archive = dir.path().join("archive");
    let as_user = |user: &str| {
        let mut cmd = kartoteka(&archive);
        cmd.env("KARTOTEKA_USER", user);
        cmd
    };
    as_user("vera")
        .args([
            "note",
            "add",
            "1",
            "--quote",
            "атомному проекту",
            "--comment",
            "SECRET-COMMENT-VERA",
        ])
        .assert()
        .success();
    as_user("vera")
        .args(["note", "edit", "1", "--comment", "SECRET-COMMENT-VERA-2"])
        .assert()
        .success();
    as_user("pavel")
        .args([
            "note",
            "add",
            "1",
            "--quote",
            "в Вене",
            "--comment",
            "pavel's own",
        ])
        .assert()
        .success();
    let pass = dir.path().join("pass");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "incorrect\n").unwrap();

    as_user("vera")
        .args(["notebook", "lock", "--passphrase-file"])
        .arg(&pass)
        .assert()
        .success();
    let left = notes(&archive, &[]);
    assert_eq!(left.len(), 1, "only pavel's note is left: {left:?}");
    assert_eq!(left[0]["author"], "pavel");
    // Nothing of vera's text is left in the database, not even in free pages.
    let db = std::fs::read(archive.join("archive.db")).unwrap();
    let wal = std::fs::read(archive.join("archive.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(19).any(|w| w == b"SECRET-COMMENT-VERA"),
            "the comment is still in the database"
        );
    }
    as_user("vera")
        .args(["notebook", "lock", "--passphrase-file"])
        .arg(&pass)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("already locked"));

    // The wrong passphrase says so and changes nothing.
    as_user("vera")
        .args(["notebook", "unlock", "--passphrase-file"])
        .arg(&wrong)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("wrong passphrase"));
    assert_eq!(notes(&archive, &[]).len(), 1);

    as_user("vera")
        .args(["notebook", "unlock", "--passphrase-file"])
        .arg(&pass)
        .assert()
        .success();
    let back = notes(&archive, &[]);
    assert_eq!(back.len(), 2);
    let vera = back.iter().find(|n| n["author"] == "vera").unwrap();
    assert_eq!(vera["comment"], "SECRET-COMMENT-VERA-2");
    let shown = json(kartoteka(&archive).args(["note", "show", &vera["id"].to_string(), "--json"]));
    assert_eq!(
        shown["history"].as_array().unwrap().len(),
        2,
        "the history came back too"
    );

    // Locked to a key, with the anchors left as stand-ins.
    let identity = dir.path().join("vera.key");
    let out = kartoteka(&archive)
        .args(["notebook", "keygen", "--out"])
        .arg(&identity)
        .output()
        .unwrap();
    let recipient = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(recipient.starts_with("age1"), "{recipient}");
    as_user("vera")
        .args([
            "notebook",
            "lock",
            "--keep-anchors",
            "--recipient",
            &recipient,
        ])
        .assert()
        .success();
    let stubs = notes(&archive, &[]);
    let stub = stubs.iter().find(|n| n["author"] == "vera").unwrap();
    assert_eq!(stub["locked"], true);
    assert_eq!(stub["anchor"]["exact"], "");
    assert_eq!(stub["comment"], Value::Null);
    as_user("vera")
        .args(["notebook", "unlock", "--identity"])
        .arg(&identity)
        .assert()
        .success();
    let vera_back = notes(&archive, &["--search", "secret-comment"]);
    assert_eq!(vera_back.len(), 1);
    assert_eq!(vera_back[0]["locked"], false);
    let audit = json(kartoteka(&archive).args(["audit", "log", "--json"]));
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "notebook-lock").count(), 2);
    assert_eq!(
        actions.iter().filter(|a| **a == "notebook-unlock").count(),
        2
    );
}

#[test]
fn typed_notes_with_no_originals_are_placed_at_the_units_they_cite() {
    let dir = tempfile::tempdir().unwrap();
    let notes_file = dir.path().join("выписки-1972.txt");
    let text = "Выписки из архива ПГУ, 1972 г.\n\n\
        ф. 9100, оп. 1, д. 12, л. 3\n\
        Агент «ЛИСТ» (Андерсон) завербован в 1951 г. в Вене резидентом Морозовым.\n\n\
        ф. 9100, оп. 1, д. 14\n\
        Дело изъято в 1956 г. по указанию руководства.\n";
    // In Windows-1251, as a typed-up file from the period might well be.
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    std::fs::write(&notes_file, &bytes).unwrap();
    let archive = dir.path().join("archive");
    let report = json(
        kartoteka(&archive)
            .args(["ingest", "--notes", "--json"])
            .arg(&notes_file),
    );
    assert_eq!(
        (report["notes"].as_u64(), report["added"].as_u64()),
        (Some(2), Some(2)),
        "{report}"
    );

    // The unit shows the note though its original was never here.
    let shown = json(kartoteka(&archive).args(["show", "ф. 9100, оп. 1, д. 14", "--json"]));
    assert_eq!(shown["document"]["placement"], "cited", "{shown}");
    let found = json(kartoteka(&archive).args(["search", "Андерсон", "--json"]));
    assert_eq!(found["hits"][0]["reference"], "ф. 9100, оп. 1, д. 12, л. 3");
    // A note can be taken on a note.
    kartoteka(&archive)
        .args([
            "note",
            "add",
            "ф. 9100, оп. 1, д. 12, л. 3",
            "--quote",
            "резидентом Морозовым",
        ])
        .assert()
        .success();

    // Notes about a file are not the file: reconciliation does not count them as held
    // (here, a note on sheet 3 alone would otherwise be a hole in the numbering).
    let gaps = json(kartoteka(&archive).args(["gaps", "--json"]));
    assert_eq!(gaps["findings"], serde_json::json!([]), "{gaps}");

    // Again: nothing new. A file citing nothing is refused, by name.
    let again = json(
        kartoteka(&archive)
            .args(["ingest", "--notes", "--json"])
            .arg(&notes_file),
    );
    assert_eq!(again["unchanged"], 2);
    let stray = dir.path().join("stray.txt");
    std::fs::write(&stray, "просто текст без ссылок\n").unwrap();
    kartoteka(&archive)
        .args(["ingest", "--notes"])
        .arg(&stray)
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "stray.txt: no note cites a reference",
        ));
}
