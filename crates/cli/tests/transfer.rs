//! Transfers as an archivist makes them: a unit out as a bag, into another archive with the
//! same hierarchy, bags from bagit-python in, bad bags refused with nothing imported, and an
//! import killed half-way leaving the archive as it was.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{bagit_py, bagit_python, json, kartoteka, sample_archive};
use serde_json::Value;

fn status(archive: &Path) -> Value {
    json(kartoteka(archive).args(["status", "--json"]))
}

fn audit_entries(archive: &Path) -> u64 {
    json(kartoteka(archive).args(["audit", "verify", "--json"]))["entries"]
        .as_u64()
        .unwrap_or(0)
}

fn export(archive: &Path, units: &[&str], out: &Path) -> Value {
    json(
        kartoteka(archive)
            .args(["transfer", "export"])
            .args(units)
            .arg("--out")
            .arg(out)
            .arg("--json"),
    )
}

/// The unit's description and the references of its documents, as `show` gives them.
fn unit_view(archive: &Path, unit: &str) -> (Value, Vec<String>) {
    let shown = json(kartoteka(archive).args(["show", unit, "--json"]));
    let unit = shown["unit"].clone();
    let mut refs: Vec<String> = shown["documents"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|d| {
            // What must survive the move: place, bytes, title, dates, format.
            serde_json::json!([
                d["reference"],
                d["content"],
                d["title"],
                d["dates"],
                d["format"]
            ])
            .to_string()
        })
        .collect();
    assert!(!refs.is_empty(), "no documents in {shown}");
    refs.sort();
    (unit, refs)
}

#[test]
fn a_unit_moves_to_another_archive_with_its_hierarchy() {
    let source = sample_archive();
    let dir = tempfile::tempdir().unwrap();
    let bag = dir.path().join("bag");
    // Where the fonds is kept before it leaves; a place that does not parse is refused.
    kartoteka(source.path())
        .args(["move", "ф. 9001", "--to", "Архив А / корпус 2 / комн. 14"])
        .assert()
        .success();
    kartoteka(source.path())
        .args(["move", "ф. 9001", "--to", "Архив А / / комн. 14"])
        .assert()
        .code(2);
    let kept = json(kartoteka(source.path()).args(["history", "ф. 9001, оп. 1, д. 1", "--json"]));
    assert_eq!(kept["location"], "Архив А / корпус 2 / комн. 14", "{kept}");
    let exported = export(source.path(), &["ф. 9001", "ф. 9002, оп. 1"], &bag);
    assert_eq!(
        exported["units"],
        serde_json::json!(["ф. 9001", "ф. 9002, оп. 1"])
    );
    let files = exported["files"].as_u64().unwrap();
    assert!(files > 10);

    kartoteka(source.path())
        .args(["transfer", "validate"])
        .arg(&bag)
        .assert()
        .success();
    if bagit_python() {
        bagit_py(&["--validate"], &bag);
    }

    let dest = dir.path().join("dest");
    let imported = json(
        kartoteka(&dest)
            .env("KARTOTEKA_USER", "receiving-archivist")
            .args(["transfer", "import"])
            .arg(&bag)
            .args(["--to", "Hoover Institution / Stacks / 3 / box 12", "--json"]),
    );
    assert_eq!(imported["added"], files, "{imported}");
    assert_eq!(imported["already_imported"], false);
    assert_eq!(status(&dest)["documents"], files);

    // The same hierarchy: every unit's description and documents as at the source.
    for unit in ["ф. 9001, оп. 1, д. 1", "ф. 9001, оп. 1", "ф. 9002, оп. 1"] {
        assert_eq!(
            unit_view(&dest, unit),
            unit_view(source.path(), unit),
            "{unit}"
        );
    }
    // And searchable at once.
    let hits = json(kartoteka(&dest).args(["search", "ХОЛА", "--json"]));
    assert!(hits["total"].as_u64().unwrap() > 0, "{hits}");

    // The history names the transfer, where the unit is now, and who received it.
    let history = json(kartoteka(&dest).args(["history", "ф. 9001, оп. 1, д. 1", "--json"]));
    assert_eq!(
        history["location"],
        "Hoover Institution / Stacks / 3 / box 12"
    );
    assert_eq!(history["transfers"][0]["direction"], "in");
    assert!(history["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "transfer-in" && m["actor"] == "receiving-archivist"));
    // The source records that the bag left.
    let history = json(kartoteka(source.path()).args(["history", "ф. 9001", "--json"]));
    assert_eq!(history["transfers"][0]["direction"], "out");

    // Importing the same bag again adds nothing.
    let again = json(
        kartoteka(&dest)
            .args(["transfer", "import"])
            .arg(&bag)
            .arg("--json"),
    );
    assert_eq!(again["already_imported"], true);
    assert_eq!(status(&dest)["documents"], files);
    assert_eq!(
        json(kartoteka(&dest).args(["audit", "verify", "--json"]))["ok"],
        true
    );
}

#[test]
fn a_bag_from_bagit_python_is_placed_by_its_folder_names() {
    if !bagit_python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bag = dir.path().join("from-vendor");
    let file = bag.join("ф. 7/оп. 2/д. 31");
    std::fs::create_dir_all(&file).unwrap();
    std::fs::write(file.join("л. 1.txt"), "Донесение агента «МАРТА»".as_bytes()).unwrap();
    std::fs::write(file.join("л. 2.txt"), "Справка о проверке".as_bytes()).unwrap();
    bagit_py(
        &[
            "--processes",
            "2",
            "--source-organization",
            "Digitisation vendor",
        ],
        &bag,
    );
    let archive = dir.path().join("archive");
    // Given as a relative path, as people type it.
    let imported = json(kartoteka(&archive).current_dir(dir.path()).args([
        "transfer",
        "import",
        "from-vendor",
        "--json",
    ]));
    assert_eq!(imported["added"], 2, "{imported}");
    assert_eq!(imported["units"], serde_json::json!(["ф. 7"]));
    let shown = json(kartoteka(&archive).args(["show", "ф. 7, оп. 2, д. 31", "--json"]));
    let mut sheets: Vec<u64> = shown["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["reference"]["sheets"]["first"]["number"]
                .as_u64()
                .unwrap()
        })
        .collect();
    sheets.sort();
    assert_eq!(sheets, [1, 2], "{shown}");
}

/// A bag put together by hand with sha256sum (a `*` before each path), a `%` in a name
/// written %25 as RFC 8493 asks, and bag-info.txt in UTF-16 as bagit.txt declares: valid
/// with warnings, refused only when warnings are taken as errors, and imported.
#[test]
fn a_bag_made_with_other_tools_is_accepted_with_warnings() {
    use sha2::Digest as _;
    let dir = tempfile::tempdir().unwrap();
    let bag = dir.path().join("handmade");
    let sheets = [
        ("data/ф. 7/оп. 2/д. 31/л. 1.txt", "Донесение агента «МАРТА»"),
        (
            "data/ф. 7/оп. 2/д. 31/л. 2 (100%).txt",
            "Справка о проверке",
        ),
    ];
    let mut manifest = String::new();
    for (path, text) in sheets {
        let at = bag.join(path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(&at, text).unwrap();
        let sum = hex::encode(sha2::Sha256::digest(text.as_bytes()));
        manifest.push_str(&format!("{sum} *{}\n", path.replace('%', "%25")));
    }
    std::fs::write(
        bag.join("bagit.txt"),
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-16\n",
    )
    .unwrap();
    let utf16 = |text: &str| -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            out.extend_from_slice(&unit.to_le_bytes());
        }
        out
    };
    std::fs::write(bag.join("manifest-sha256.txt"), utf16(&manifest)).unwrap();
    std::fs::write(
        bag.join("bag-info.txt"),
        utf16("Source-Organization:\tАрхив СБУ\n"),
    )
    .unwrap();

    let archive = dir.path().join("archive");
    kartoteka(&archive)
        .args(["transfer", "validate"])
        .arg(&bag)
        .assert()
        .success()
        .stdout(predicates::str::contains("VALID"))
        .stderr(predicates::str::contains("as md5sum writes"));
    kartoteka(&archive)
        .args(["transfer", "validate", "--warnings-as-errors"])
        .arg(&bag)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("warning:"));
    let imported = json(
        kartoteka(&archive)
            .args(["transfer", "import"])
            .arg(&bag)
            .arg("--json"),
    );
    assert_eq!(imported["added"], 2, "{imported}");
    let shown = json(kartoteka(&archive).args(["show", "ф. 7, оп. 2, д. 31", "--json"]));
    assert_eq!(
        shown["documents"].as_array().map(Vec::len),
        Some(2),
        "{shown}"
    );
}

#[test]
fn bad_bags_are_refused_and_nothing_enters_the_archive() {
    let source = sample_archive();
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean");
    export(source.path(), &["ф. 9001, оп. 1"], &clean);
    let archive = dir.path().join("archive");
    kartoteka(&archive).arg("init").assert().success();

    type Spoil = (&'static str, fn(&Path));
    let spoil: [Spoil; 4] = [
        ("a payload file changed after bagging", |b| {
            std::fs::write(
                b.join("data/ф. 9001/оп. 1/д. 1/л. 1.txt"),
                "подделка".as_bytes(),
            )
            .unwrap()
        }),
        ("a truncated bag", |b| {
            std::fs::remove_file(b.join("data/ф. 9001/оп. 1/д. 1/л. 2.txt")).unwrap()
        }),
        ("a manifest reaching for /etc/passwd", |b| {
            let m = b.join("manifest-sha256.txt");
            let mut text = std::fs::read_to_string(&m).unwrap();
            text.push_str(&format!("{}  ../../etc/passwd\n", "0".repeat(64)));
            std::fs::write(m, text).unwrap();
        }),
        ("a space before the colon in bagit.txt", |b| {
            std::fs::write(
                b.join("bagit.txt"),
                "BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n",
            )
            .unwrap()
        }),
    ];
    for (what, f) in spoil {
        let bag = dir.path().join(what.replace(' ', "-"));
        copy_dir(&clean, &bag);
        f(&bag);
        let out = kartoteka(&archive)
            .args(["transfer", "validate"])
            .arg(&bag)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("invalid:"),
            "{what}: reasons go to stderr"
        );
        let report = json(
            kartoteka(&archive)
                .args(["transfer", "validate", "--json"])
                .arg(&bag),
        );
        assert!(
            !report["errors"].as_array().unwrap().is_empty(),
            "{what}: {report}"
        );
        let out = kartoteka(&archive)
            .args(["transfer", "import"])
            .arg(&bag)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("nothing was imported"),
            "{what}"
        );
        assert_eq!(status(&archive)["documents"], 0, "{what}");
        assert_eq!(audit_entries(&archive), 0, "{what}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn export_failures_say_what_and_leave_no_partial_bag() {
    let source = sample_archive();
    let dir = tempfile::tempdir().unwrap();
    kartoteka(source.path())
        .args(["transfer", "export", "ф. 12345", "--out"])
        .arg(dir.path().join("none"))
        .assert()
        .code(3);
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    kartoteka(source.path())
        .args(["transfer", "export", "ф. 9001", "--out"])
        .arg(dir.path().join("taken"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("already exists"));
    kartoteka(source.path())
        .args(["transfer", "export", "not a reference", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .code(2);
    // A corrupted original must not leave as if it were sound.
    let blob = first_blob(&source.path().join("blobs"));
    let mut perms = std::fs::metadata(&blob).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&blob, perms).unwrap();
    std::fs::write(&blob, b"rotten").unwrap();
    kartoteka(source.path())
        .args(["transfer", "export", "--all", "--out"])
        .arg(dir.path().join("all"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("does not match its hash"));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["taken"], "no partial bag is left behind");
}

fn first_blob(dir: &Path) -> std::path::PathBuf {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.file_name().unwrap().to_string_lossy().starts_with('.') {
                return p;
            }
        }
    }
    panic!("no blob")
}

#[test]
fn an_interrupted_import_leaves_the_archive_as_it_was_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let synth = dir.path().join("synth");
    Command::cargo_bin("kartoteka")
        .unwrap()
        .args(["synth", "--docs", "3000", "--seed", "11", "--out"])
        .arg(&synth)
        .assert()
        .success();
    let source = dir.path().join("source");
    kartoteka(&source)
        .arg("ingest")
        .arg(synth.join("documents"))
        .arg("--inventory")
        .arg(synth.join("opis.csv"))
        .assert()
        .success();
    let bag = dir.path().join("bag");
    let exported = export(&source, &["--all"], &bag);
    let files = exported["files"].as_u64().unwrap();

    // The receiving archive already holds something of its own.
    let archive = dir.path().join("archive");
    kartoteka(&archive)
        .arg("ingest")
        .arg(common::sample().join("documents"))
        .assert()
        .code(0);
    let before = (
        status(&archive)["documents"].clone(),
        audit_entries(&archive),
    );

    // Killed at any moment, the archive holds either nothing of the bag or all of it
    // (the commit is one transaction; only the index may lag behind, and catches up).
    let before_docs = before.0.as_u64().unwrap();
    let mut interrupted_before_commit = false;
    let mut committed = false;
    for delay in [300, 700, 1200, 2000] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kartoteka"))
            .arg("--archive")
            .arg(&archive)
            .args(["transfer", "import"])
            .arg(&bag)
            .env("KARTOTEKA_OCR", "off")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        let docs = status(&archive)["documents"].as_u64().unwrap();
        if docs == before_docs {
            assert_eq!(
                audit_entries(&archive),
                before.1,
                "killed after {delay} ms: nothing of the bag may be logged"
            );
            interrupted_before_commit |= !finished;
        } else {
            assert_eq!(
                docs,
                before_docs + files,
                "killed after {delay} ms: a partial import is visible"
            );
            committed = true;
            break;
        }
    }
    assert!(
        interrupted_before_commit,
        "no run was interrupted before its commit (the machine is too fast for these delays)"
    );
    let imported = json(
        kartoteka(&archive)
            .args(["transfer", "import"])
            .arg(&bag)
            .arg("--json"),
    );
    // A run that got as far as its commit left the bag imported; the rerun says so.
    assert_eq!(imported["already_imported"], committed, "{imported}");
    assert_eq!(imported["files"], files);
    let after = status(&archive);
    assert_eq!(after["documents"].as_u64().unwrap(), before_docs + files);
    assert_eq!(after["not_indexed"], 0, "the index caught up");
    assert_eq!(
        json(kartoteka(&archive).args(["audit", "verify", "--json"]))["ok"],
        true
    );
}
