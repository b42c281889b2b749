//! On real archives in ../shared/data: Memorial's lists of people shot in Moscow (CP1251
//! HTML) and CIA/FBI documents read by OCR (English Markdown). A newcomer ingests them and
//! finds the people in them by any spelling.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn shared_data(sub: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("KARTOTEKA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data")
        .join(sub);
    if dir.exists() {
        return Some(dir);
    }
    if std::env::var("KARTOTEKA_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!("KARTOTEKA_REQUIRE_DATA=1 but {} is missing", dir.display());
    }
    eprintln!(
        "skipping: {} not found (set KARTOTEKA_SHARED)",
        dir.display()
    );
    None
}

fn kartoteka(archive: &Path) -> Command {
    let mut cmd = Command::cargo_bin("kartoteka").expect("binary");
    cmd.arg("--archive")
        .arg(archive)
        .env("KARTOTEKA_OCR", "off");
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn files_found(archive: &Path, query: &str) -> Vec<String> {
    let result = json(kartoteka(archive).args(["search", query, "--json", "--limit", "100"]));
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            Path::new(h["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn memorial_lists_are_read_and_searchable_by_any_spelling() {
    let Some(pages) = shared_data("memorial-moscow/data/mos.memo.ru/pages") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a");
    let report = json(kartoteka(&archive).arg("ingest").arg(&pages).arg("--json"));
    assert_eq!(report["failed"], 0, "{report}");
    let files = std::fs::read_dir(&pages).unwrap().count() as u64;
    assert_eq!(report["added"].as_u64(), Some(files));
    // The page declares windows-1251 and is read so.
    let show = json(kartoteka(&archive).args(["show", "1", "--json"]));
    assert_eq!(
        show["document"]["encoding"], "windows-1251",
        "{}",
        show["document"]
    );
    // "Велихов Павел Аполлонович" on page 41: nominative, oblique cases, romanisations.
    for query in [
        "Велихов",
        "Велихова",
        "Велиховым",
        "Velikhov",
        "Welichow",
        "Velihov",
        "Wielichow",
    ] {
        assert!(
            files_found(&archive, query).contains(&"41.htm".to_string()),
            "{query}"
        );
    }
    // A phrase of surname, given name and patronymic.
    assert!(files_found(&archive, "\"Плисскин Яков Беркович\"").contains(&"41.htm".to_string()));
    assert!(files_found(&archive, "Plisskin").contains(&"41.htm".to_string()));
}

#[test]
fn ocr_documents_are_found_from_the_russian_spelling() {
    let Some(jfk) = shared_data("jfk-ocr/jfk_markdown") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("jfk");
    std::fs::create_dir_all(&input).unwrap();
    // Documents that mention the KGB officer Kostikov and Khrushchev, and some that do not.
    for n in [11, 12, 453, 682, 1032, 1037, 1095, 1, 2, 3, 4, 5] {
        let name = format!("jfk_doc_{n}.md");
        std::fs::copy(jfk.join(&name), input.join(&name)).unwrap();
    }
    let archive = dir.path().join("a");
    let report = json(kartoteka(&archive).arg("ingest").arg(&input).arg("--json"));
    assert_eq!(report["failed"], 0, "{report}");
    let kostikov = files_found(&archive, "Костиков");
    for file in ["jfk_doc_11.md", "jfk_doc_12.md", "jfk_doc_453.md"] {
        assert!(
            kostikov.contains(&file.to_string()),
            "Костиков finds Kostikov in {file}: {kostikov:?}"
        );
    }
    assert!(files_found(&archive, "Хрущёв").contains(&"jfk_doc_1032.md".to_string()));
    assert!(files_found(&archive, "Chruschtschow").contains(&"jfk_doc_1032.md".to_string()));
    // Pages of the OCR'd documents are their sheets ("## Page N").
    let hit = &json(kartoteka(&archive).args(["search", "Kostikov", "--json", "--limit", "1"]))
        ["hits"][0];
    assert!(hit["sheet"].as_u64().is_some(), "{hit}");
}
