//! The `kartoteka` command as a user runs it: on the bundled sample, on bad input, and
//! when interrupted.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{json, kartoteka, sample, sample_archive};

fn search(archive: &Path, args: &[&str]) -> Value {
    json(
        kartoteka(archive)
            .arg("search")
            .args(args)
            .arg("--json")
            .arg("--limit")
            .arg("50"),
    )
}

/// True when one of the paths contains `part`.
fn has(paths: &[String], part: &str) -> bool {
    paths.iter().any(|p| p.contains(part))
}

fn hit_paths(result: &Value) -> Vec<String> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn sample_ingest_reports_and_places_everything() {
    let dir = tempfile::tempdir().unwrap();
    let report = common::ingest_sample(dir.path(), "archivist");
    assert_eq!(report["failed"], 0);
    assert_eq!(
        report["needs_ocr"], 1,
        "the scan waits for OCR when OCR is off: {report}"
    );
    assert!(report["needs_ocr_paths"][0]
        .as_str()
        .unwrap()
        .ends_with(".png"));
    for key in ["added", "unchanged", "failed", "needs_ocr", "errors"] {
        assert!(report.get(key).is_some(), "ingest --json has {key}");
    }
    let status = json(kartoteka(dir.path()).args(["status", "--json"]));
    assert_eq!(status["documents"], report["added"]);
    assert_eq!(status["needs_ocr"], 1);
    let placements: Vec<String> = status["by_placement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap().to_string())
        .collect();
    for how in ["inventory", "file_name"] {
        assert!(placements.contains(&how.to_string()), "{placements:?}");
    }
    // Running it again changes nothing.
    let again = json(
        kartoteka(dir.path())
            .arg("ingest")
            .arg(sample().join("documents"))
            .arg("--inventory")
            .arg(sample().join("opis.csv"))
            .arg("--json"),
    );
    assert_eq!(again["added"], 0);
    assert_eq!(again["unchanged"], report["added"]);
    let status2 = json(kartoteka(dir.path()).args(["status", "--json"]));
    assert_eq!(status2["pages"], status["pages"]);
    assert_eq!(status2["indexed_pages"], status["indexed_pages"]);
}

#[test]
fn search_finds_inflected_and_romanised_names() {
    let dir = sample_archive();
    let a = dir.path();
    // Кузьмин appears as Кузьмин, Кузьмина, Кузьминым, KUZMIN, Kuzmina, Kouzmine.
    let found = search(a, &["Кузьмин"]);
    let paths = hit_paths(&found);
    assert!(
        has(&paths, "ф. 9001/оп. 1/д. 1/л. 2.txt"),
        "Кузьминым: {paths:?}"
    );
    assert!(
        has(&paths, "ф. 9001/оп. 2/д. 5"),
        "Кузьмина (genitive): {paths:?}"
    );
    assert!(has(&paths, "ф. 9002/оп. 1/д. 1"), "KUZMIN: {paths:?}");
    // Хрущёв in Russian, and in English, German, French and Polish romanisations.
    for q in [
        "Хрущёв",
        "Хрущёвым",
        "Khrushchev",
        "Chruschtschow",
        "Khrouchtchev",
        "Chruszczow",
        "Hruŝëv",
    ] {
        let paths = hit_paths(&search(a, &[q]));
        assert!(
            has(&paths, "ф. 9001/оп. 1/д. 4/л. 2.txt"),
            "{q} finds Хрущёву: {paths:?}"
        );
        assert!(
            has(&paths, "ф. 9002/оп. 1/д. 3"),
            "{q} finds Chruschtschow: {paths:?}"
        );
        assert!(
            has(&paths, "ф. 9002/оп. 1/д. 2"),
            "{q} finds Khrushchev: {paths:?}"
        );
    }
    // Every encoding was read: the KOI8-R, CP866 and UTF-16 pages are found by their words.
    for (q, file) in [
        ("Гайд-парке", "д. 1/л. 4.txt"),
        ("исключен", "д. 1/л. 6.txt"),
        ("Ялте", "д. 1/л. 8.txt"),
    ] {
        assert!(
            hit_paths(&search(a, &[q]))
                .iter()
                .any(|p| p.ends_with(file)),
            "{q}"
        );
    }
}

#[test]
fn hits_carry_reference_sheet_and_snippet() {
    let dir = sample_archive();
    let result = search(dir.path(), &["Гайд-парке"]);
    assert_eq!(result["total"], 1);
    let hit = &result["hits"][0];
    assert_eq!(hit["reference"], "ф. 9001, оп. 1, д. 1, л. 4");
    assert_eq!(hit["sheet"], 4);
    assert!(hit["path"].as_str().unwrap().ends_with("л. 4.txt"));
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<b>Гайд</b>-<b>парке</b>"),
        "{hit}"
    );
    // The verso of sheet 1 is its own page, and the citation names it.
    let verso = search(dir.path(), &["Родственники"]);
    assert_eq!(
        verso["hits"][0]["citation"],
        "ф. 9001, оп. 1, д. 1, л. 1 об."
    );
    assert_eq!(
        (
            verso["hits"][0]["sheet"].as_u64(),
            verso["hits"][0]["verso"].as_bool()
        ),
        (Some(1), Some(true))
    );
}

#[test]
fn phrases_booleans_filters_and_exact_mode() {
    let dir = sample_archive();
    let a = dir.path();
    assert!(
        search(a, &["\"Вера Андреевна\""])["total"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(search(a, &["\"Андреевна Вера\""])["total"], 0);
    let with = search(a, &["ХОЛА"])["total"].as_u64().unwrap();
    let without = search(a, &["ХОЛА -Жданов"])["total"].as_u64().unwrap();
    assert!(without < with && without > 0, "{without} < {with}");
    let in_file = search(a, &["ХОЛА", "--in", "ф. 9001, оп. 1, д. 2"]);
    assert!(
        hit_paths(&in_file)
            .iter()
            .all(|p| p.contains("ф. 9001/оп. 1/д. 2/")),
        "{in_file}"
    );
    assert!(in_file["total"].as_u64().unwrap() >= 2);
    let english = search(a, &["HOLA", "--lang", "en"]);
    assert!(english["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| !h["path"].as_str().unwrap().contains("ф. 9001")));
    let docx = search(a, &["Стокгольм", "--format", "docx"]);
    assert_eq!(docx["total"], 1);
    let dated = hit_paths(&search(a, &["Кузьмин", "--dates", "1950..1951"]));
    assert!(
        dated.iter().any(|p| p.contains("оп. 2/д. 4"))
            && dated.iter().any(|p| p.contains("оп. 2/д. 5")),
        "{dated:?}"
    );
    assert!(
        !dated.iter().any(|p| p.contains("ф. 9001/оп. 1/д. 1/")),
        "the file of 1937-1947 is outside 1950-1951: {dated:?}"
    );
    assert!(
        search(a, &["Хрущев", "--exact"])["total"] == 0,
        "exact mode does not fold ё"
    );
    assert!(
        search(a, &["Хрущёву", "--exact"])["total"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(
        search(a, &["Хрущёв", "--exact"])["total"],
        0,
        "exact mode has no lemmas"
    );
}

#[test]
fn show_by_number_and_reference() {
    let dir = sample_archive();
    let a = dir.path();
    let hit = &search(a, &["Гайд-парке"])["hits"][0];
    let id = hit["doc"].as_i64().unwrap().to_string();
    let by_id = json(kartoteka(a).args(["show", &id, "--json"]));
    assert_eq!(by_id["kind"], "document");
    assert_eq!(by_id["document"]["encoding"], "KOI8-R");
    assert_eq!(by_id["document"]["placement"], "inventory");
    assert_eq!(
        by_id["reference_en"],
        "Fonds 9001, Inventory 1, File 1, Sheet 4"
    );
    assert_eq!(by_id["ledger"][0]["stage"], "extract");
    let by_ref =
        json(kartoteka(a).args(["show", "Fonds 9001, Inventory 1, File 1, Sheet 4", "--json"]));
    assert_eq!(by_ref["document"]["id"].as_i64().unwrap().to_string(), id);
    let unit = json(kartoteka(a).args(["show", "ф. 9001, оп. 1", "--json"]));
    assert_eq!(unit["kind"], "unit");
    assert!(unit["documents"].as_array().unwrap().len() >= 8);
    kartoteka(a)
        .args(["show", "ф. 9001, оп. 1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Личное дело (изъято)"));
    kartoteka(a)
        .args(["show", "ф. 77"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("nothing in the archive at ф. 77"));
    kartoteka(a)
        .args(["show", "оп. 5, д. 1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fonds"));
    kartoteka(a).args(["show", "999999"]).assert().code(3);
}

#[test]
fn bad_queries_are_usage_errors_naming_the_problem() {
    let dir = sample_archive();
    kartoteka(dir.path())
        .args(["search", "agent \"HOLA"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unbalanced quote")
                .and(predicate::str::contains("character 7")),
        );
    kartoteka(dir.path())
        .args(["search", "(a OR b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("parenthesis"));
    kartoteka(dir.path())
        .args(["search", "ХОЛА", "--in", "д. 4"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--in"));
    kartoteka(dir.path())
        .args(["search", "ХОЛА", "--dates", "вчера"])
        .assert()
        .code(2);
}

#[test]
fn reindex_rebuilds_the_same_index() {
    let dir = sample_archive();
    let before = search(dir.path(), &["Кузьмин"]);
    // A lost index (or one from a version with another schema) is rebuilt on opening.
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let rebuilt = search(dir.path(), &["Кузьмин"]);
    assert_eq!(before["total"], rebuilt["total"]);
    kartoteka(dir.path())
        .arg("reindex")
        .assert()
        .success()
        .stdout(predicate::str::contains("Reindexed"));
    let after = search(dir.path(), &["Кузьмин"]);
    assert_eq!(before["total"], after["total"]);
    assert_eq!(hit_paths(&before).len(), hit_paths(&after).len());
}

#[test]
fn commands_on_a_missing_archive_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    kartoteka(&missing).arg("status").assert().code(1).stderr(
        predicate::str::contains("no archive at").and(predicate::str::contains("kartoteka init")),
    );
    kartoteka(&missing)
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("Created archive"));
    kartoteka(&missing).arg("status").assert().success();
}

#[test]
fn archive_comes_from_environment_and_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("kartoteka").unwrap();
    cmd.current_dir(dir.path())
        .env_remove("KARTOTEKA_ARCHIVE")
        .env("HOME", dir.path())
        .env_remove("XDG_CONFIG_HOME");
    cmd.arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("kartoteka-archive"));
    assert!(
        dir.path().join("kartoteka-archive/archive.db").is_file(),
        "the default is ./kartoteka-archive"
    );
    std::fs::write(
        dir.path().join("kartoteka.toml"),
        "archive = \"from-config\"\n",
    )
    .unwrap();
    Command::cargo_bin("kartoteka")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("KARTOTEKA_ARCHIVE")
        .arg("init")
        .assert()
        .success();
    assert!(
        dir.path().join("from-config/archive.db").is_file(),
        "the config file names the archive"
    );
    Command::cargo_bin("kartoteka")
        .unwrap()
        .current_dir(dir.path())
        .env("KARTOTEKA_ARCHIVE", "from-env")
        .arg("init")
        .assert()
        .success();
    assert!(
        dir.path().join("from-env/archive.db").is_file(),
        "the environment beats the config file"
    );
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn bad_files_fail_alone_and_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let archive = dir.path().join("archive");
    write(
        &input.join("good.txt"),
        "Донесение агента «ХОЛА».".as_bytes(),
    );
    write(
        &input.join("truncated.pdf"),
        b"%PDF-1.5\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj << /Ty",
    );
    write(
        &input.join("notazip.docx"),
        b"this is not a zip file at all",
    );
    write(
        &input.join("binary.dat"),
        &[0u8, 159, 146, 150, 0, 1, 2, 3, 0, 0, 0, 255],
    );
    write(&input.join("huge.txt"), &vec![b'a'; 200_000]);
    // A zip bomb: a DOCX whose document.xml inflates far beyond the limit. It is made
    // smaller than real ones so the test stays fast; the limit is the same code path.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&input, input.join("loop")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", input.join("outside.txt")).unwrap();
    }
    let out = kartoteka(&archive)
        .arg("ingest")
        .arg(&input)
        .args(["--max-file-size", "100000", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "failures make the exit status non-zero"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["added"], 4,
        "good, truncated, notazip and huge are stored: {report}"
    );
    let errors: Vec<(String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["error"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let error_for = |name: &str| {
        errors
            .iter()
            .find(|(p, _)| p.ends_with(name))
            .map(|(_, e)| e.clone())
            .unwrap_or_else(|| panic!("no error for {name}: {errors:?}"))
    };
    assert!(error_for("truncated.pdf").contains("PDF"));
    assert!(error_for("notazip.docx").contains("not a zip"));
    assert!(
        error_for("huge.txt").contains("too large") && error_for("huge.txt").contains("100000")
    );
    #[cfg(unix)]
    {
        assert!(error_for("loop").contains("loop"), "{errors:?}");
        assert!(
            error_for("outside.txt").contains("outside the tree"),
            "{errors:?}"
        );
    }
    assert_eq!(
        report["skipped"], 1,
        "binary.dat is not a format we read: {report}"
    );
    // The good file is searchable, and the failures are in the ledger for retry.
    assert_eq!(search(&archive, &["ХОЛА"])["total"], 1);
    let status = json(kartoteka(&archive).args(["status", "--json"]));
    assert_eq!(status["failed"].as_u64(), Some(3), "{status}");
    kartoteka(&archive)
        .args(["ingest", "--retry-failed"])
        .assert()
        .code(1);
}

#[test]
fn a_zip_bomb_docx_is_refused() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in/bomb.docx");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..300 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap();
    assert!(
        std::fs::metadata(&path).unwrap().len() < 2_000_000,
        "the bomb is small on disk"
    );
    let out = kartoteka(&dir.path().join("a"))
        .arg("ingest")
        .arg(dir.path().join("in"))
        .arg("--json")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["errors"][0]["error"]
            .as_str()
            .unwrap()
            .contains("decompression bomb"),
        "{report}"
    );
}

#[test]
fn inventory_problems_are_reported_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("a.txt"), "первый".as_bytes());
    write(&input.join("b.txt"), "второй".as_bytes());
    write(&input.join("opis.csv"), "reference,path\n\"ф. 1, оп. 1, д. 1\",a.txt\n\"ф. 1, оп. 1, д. 1\",b.txt\n\"ф. 1, д. 2\",b.txt\n".as_bytes());
    let out = kartoteka(&dir.path().join("a"))
        .arg("ingest")
        .arg(&input)
        .arg("--inventory")
        .arg(input.join("opis.csv"))
        .arg("--json")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = report["errors"].to_string();
    assert!(
        errors.contains("line 3") && errors.contains("listed twice"),
        "{errors}"
    );
    assert!(errors.contains("line 4"), "{errors}");
    assert_eq!(
        report["added"], 2,
        "both files are still ingested: {report}"
    );
    let first = search(&dir.path().join("a"), &["первый"]);
    assert_eq!(first["hits"][0]["reference"], "ф. 1, оп. 1, д. 1");

    write(&input.join("bad.csv"), "file,title\na.txt,x\n".as_bytes());
    let out = kartoteka(&dir.path().join("b"))
        .arg("ingest")
        .arg(&input)
        .arg("--inventory")
        .arg(input.join("bad.csv"))
        .arg("--json")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["errors"]
            .to_string()
            .contains("no \\\"reference\\\" column"),
        "{report}"
    );
}

#[test]
fn changed_files_become_new_versions() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("doc.txt"), "старый текст".as_bytes());
    let a = dir.path().join("a");
    json(kartoteka(&a).arg("ingest").arg(&input).arg("--json"));
    write(&input.join("doc.txt"), "новый текст".as_bytes());
    let report = json(kartoteka(&a).arg("ingest").arg(&input).arg("--json"));
    assert_eq!(report["updated"], 1);
    assert_eq!(search(&a, &["старый"])["total"], 0);
    assert_eq!(search(&a, &["новый"])["total"], 1);
    // The first original is still stored: originals are never deleted.
    assert_eq!(stored_originals(&a), 2);
}

/// Originals in the blob store (not counting its temporary folder).
fn stored_originals(archive: &Path) -> usize {
    let blobs = archive.join("blobs");
    walk_files(&blobs)
        .iter()
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".incoming-")
        })
        .count()
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_same_bytes_are_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("one/copy.txt"), "одинаковый текст".as_bytes());
    write(&input.join("two/copy.txt"), "одинаковый текст".as_bytes());
    let a = dir.path().join("a");
    let report = json(kartoteka(&a).arg("ingest").arg(&input).arg("--json"));
    assert_eq!(report["added"], 2, "two documents, two places");
    assert_eq!(stored_originals(&a), 1);
}

#[test]
fn an_interrupted_ingest_resumes_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let synth = dir.path().join("synth");
    Command::cargo_bin("kartoteka")
        .unwrap()
        .args(["synth", "--docs", "3000", "--seed", "5", "--out"])
        .arg(&synth)
        .assert()
        .success();
    let archive = dir.path().join("a");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kartoteka"))
        .arg("--archive")
        .arg(&archive)
        .arg("ingest")
        .arg(synth.join("documents"))
        .arg("--inventory")
        .arg(synth.join("opis.csv"))
        .env("KARTOTEKA_OCR", "off")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it part-way (whatever it is doing at that moment).
    std::thread::sleep(std::time::Duration::from_millis(700));
    child.kill().unwrap();
    child.wait().unwrap();
    let report = json(
        kartoteka(&archive)
            .arg("ingest")
            .arg(synth.join("documents"))
            .arg("--inventory")
            .arg(synth.join("opis.csv"))
            .arg("--json"),
    );
    assert_eq!(report["failed"], 0, "{report}");
    let files = walk_files(&synth.join("documents")).len() as u64;
    let status = json(kartoteka(&archive).args(["status", "--json"]));
    assert_eq!(status["documents"].as_u64(), Some(files), "every file once");
    assert_eq!(status["not_indexed"], 0);
    assert_eq!(
        status["indexed_pages"], status["pages"],
        "no page indexed twice or missed"
    );
}

#[test]
fn a_second_writer_is_told_the_archive_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let synth = dir.path().join("synth");
    Command::cargo_bin("kartoteka")
        .unwrap()
        .args(["synth", "--docs", "3000", "--seed", "9", "--out"])
        .arg(&synth)
        .assert()
        .success();
    let archive = dir.path().join("a");
    kartoteka(&archive).arg("init").assert().success();
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("kartoteka"))
        .arg("--archive")
        .arg(&archive)
        .arg("ingest")
        .arg(synth.join("documents"))
        .env("KARTOTEKA_OCR", "off")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let second = kartoteka(&archive)
        .arg("ingest")
        .arg(synth.join("documents"))
        .output()
        .unwrap();
    let first_status = first.wait().unwrap();
    assert!(first_status.success());
    if !second.status.success() {
        let stderr = String::from_utf8_lossy(&second.stderr);
        assert!(
            stderr.contains("another kartoteka command is writing"),
            "{stderr}"
        );
        assert_eq!(second.status.code(), Some(4), "{stderr}");
    }
    // Whatever the interleaving, the archive holds each file once and is consistent.
    let status = json(kartoteka(&archive).args(["status", "--json"]));
    assert_eq!(
        status["documents"].as_u64(),
        Some(walk_files(&synth.join("documents")).len() as u64)
    );
    assert_eq!(status["indexed_pages"], status["pages"]);
}

fn tesseract_available() -> bool {
    let found = std::process::Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("rus"))
        .unwrap_or(false);
    if !found {
        if std::env::var("KARTOTEKA_REQUIRE_PEERS").as_deref() == Ok("1") {
            panic!("KARTOTEKA_REQUIRE_PEERS=1 but tesseract with the rus language pack is not installed");
        }
        eprintln!("skipping: tesseract with rus is not installed");
    }
    found
}

#[test]
fn scans_wait_for_ocr_and_are_read_when_it_is_there() {
    if !tesseract_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let scans = dir.path().join("scans/ф. 9001/оп. 3/д. 4");
    std::fs::create_dir_all(&scans).unwrap();
    std::fs::copy(
        sample().join("documents/ф. 9001/оп. 3/д. 4/л. 1.png"),
        scans.join("л. 1.png"),
    )
    .unwrap();
    let a = dir.path().join("a");
    let report = json(
        kartoteka(&a)
            .arg("ingest")
            .arg(dir.path().join("scans"))
            .arg("--json"),
    );
    assert_eq!(
        report["needs_ocr"], 1,
        "without OCR the scan is stored and listed: {report}"
    );
    kartoteka(&a).arg("status").assert().success().stdout(
        predicate::str::contains("Waiting for OCR").and(predicate::str::contains("л. 1.png")),
    );
    let mut retry = Command::cargo_bin("kartoteka").unwrap();
    retry
        .arg("--archive")
        .arg(&a)
        .args(["ingest", "--retry-failed", "--json"])
        .env_remove("KARTOTEKA_OCR");
    let retried = json(&mut retry);
    assert_eq!(retried["needs_ocr"], 0, "{retried}");
    let found = search(&a, &["Кузьмин"]);
    assert_eq!(found["total"], 1, "the scanned text is searchable: {found}");
    assert_eq!(found["hits"][0]["reference"], "ф. 9001, оп. 3, д. 4, л. 1");
    assert_eq!(
        json(kartoteka(&a).args(["status", "--json"]))["needs_ocr"],
        0
    );
}

#[test]
fn synth_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        Command::cargo_bin("kartoteka")
            .unwrap()
            .args(["synth", "--docs", "50", "--seed", "3", "--out"])
            .arg(dir.path().join(name))
            .assert()
            .success();
    }
    let read = |n: &str| std::fs::read(dir.path().join(n).join("truth/documents.jsonl")).unwrap();
    assert_eq!(read("a"), read("b"));
}

#[test]
fn help_teaches() {
    Command::cargo_bin("kartoteka")
        .unwrap()
        .arg("--help")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("EXAMPLES").and(predicate::str::contains("KARTOTEKA_ARCHIVE")),
        );
    Command::cargo_bin("kartoteka")
        .unwrap()
        .args(["search", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("QUERY LANGUAGE"));
    Command::cargo_bin("kartoteka")
        .unwrap()
        .arg("frobnicate")
        .assert()
        .code(2);
}

#[test]
fn verify_finds_corrupted_and_missing_originals() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("a.txt"), "первый документ".as_bytes());
    write(&input.join("b.txt"), "второй документ".as_bytes());
    write(&input.join("c.txt"), "третий документ".as_bytes());
    let a = dir.path().join("a");
    json(kartoteka(&a).arg("ingest").arg(&input).arg("--json"));
    let clean = json(kartoteka(&a).args(["verify", "--json"]));
    assert_eq!(
        (clean["checked"].as_u64(), clean["passed"].as_u64()),
        (Some(3), Some(3)),
        "{clean}"
    );
    kartoteka(&a)
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains("3 intact"));

    // Tamper with one original and delete another, behind the program's back.
    let hash_of = |text: &str| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(text.as_bytes()))
    };
    let blob = |h: &str| a.join("blobs").join(&h[..2]).join(h);
    let (first, second) = (hash_of("первый документ"), hash_of("второй документ"));
    let mut perms = std::fs::metadata(blob(&first)).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(blob(&first), perms).unwrap();
    std::fs::write(blob(&first), "подделка").unwrap();
    std::fs::remove_file(blob(&second)).unwrap();

    let out = kartoteka(&a).args(["verify", "--json"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "problems make the exit status 1"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["passed"], 1);
    assert_eq!(report["corrupted"][0]["hash"], first.as_str());
    assert!(report["corrupted"][0]["documents"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("a.txt"));
    assert_eq!(report["missing"][0]["hash"], second.as_str());
    assert!(report["missing"][0]["documents"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("b.txt"));
    kartoteka(&a)
        .arg("verify")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CORRUPTED").and(predicate::str::contains("MISSING")));
    // Each check is an event on the original, kept with the document.
    let doc = report["corrupted"][0]["documents"][0]["doc"]
        .as_i64()
        .unwrap()
        .to_string();
    let shown = json(kartoteka(&a).args(["show", &doc, "--json"]));
    let outcomes: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["pass", "pass", "fail", "fail"], "{shown}");
    assert_eq!(shown["events"][0]["event_type"], "fixity check");
}
