//! Every sample pair of the iuliia transliteration schemes: each romanised word must share
//! a transliteration key with its Cyrillic original, so that a search in either script
//! finds the other.

use std::path::PathBuf;

use kartoteka_text::{translit_keys, words};
use unicode_normalization::UnicodeNormalization;

fn iuliia_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KARTOTEKA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data/iuliia");
    if dir.is_dir() {
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

#[test]
fn every_iuliia_sample_word_shares_a_key_with_its_original() {
    let Some(dir) = iuliia_dir() else { return };
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        // Uzbek is not a Russian scheme.
        if path.extension().is_none_or(|e| e != "json") || name == "uz" {
            continue;
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for sample in json["samples"].as_array().unwrap() {
            let cyrillic = sample[0].as_str().unwrap();
            // Known defect: some schemes store decomposed letters; normalise to NFC.
            let latin: String = sample[1].as_str().unwrap().nfc().collect();
            let a: Vec<_> = words(cyrillic).map(|w| w.text).collect();
            let b: Vec<_> = words(&latin).map(|w| w.text).collect();
            if a.len() != b.len() {
                failures.push(format!(
                    "{name}: word counts differ: {cyrillic:?} / {latin:?}"
                ));
                continue;
            }
            for (c, l) in a.iter().zip(&b) {
                if !c.chars().any(|ch| ch.is_alphabetic()) {
                    continue;
                }
                checked += 1;
                let ck = translit_keys(c);
                let lk = translit_keys(l);
                if !lk.iter().any(|k| ck.contains(k)) {
                    failures.push(format!("{name}: {c} {ck:?} / {l} {lk:?}"));
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} words checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} words do not match:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_iuliia_sample_romanises_exactly() {
    let Some(dir) = iuliia_dir() else { return };
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = json["name"].as_str().unwrap();
        let Some(scheme) = kartoteka_text::schemes::scheme(name) else {
            failures.push(format!("no scheme {name}"));
            continue;
        };
        for sample in json["samples"].as_array().unwrap() {
            let cyrillic = sample[0].as_str().unwrap();
            // The known defects, corrected: decomposed letters, and a Cyrillic ё standing
            // for the Latin ë.
            let want: String = sample[1]
                .as_str()
                .unwrap()
                .nfc()
                .collect::<String>()
                .replace('ё', "ë")
                .replace('Ё', "Ë");
            let got = scheme.romanise(cyrillic);
            checked += 1;
            if got != want {
                failures.push(format!("{name}: {cyrillic:?} -> {got:?}, want {want:?}"));
            }
        }
    }
    assert!(checked > 150, "only {checked} samples checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
