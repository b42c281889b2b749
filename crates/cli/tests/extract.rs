//! `kartoteka extract-text`: one file in, mentions with character offsets out.

mod common;

use common::json;

fn run(args: &[&str], file: &std::path::Path) -> assert_cmd::assert::Assert {
    assert_cmd::Command::cargo_bin("kartoteka")
        .unwrap()
        .args(args)
        .arg(file)
        .assert()
}

#[test]
fn mentions_come_with_character_offsets_into_the_decoded_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("donesenie.txt");
    let text = "Докладываю, что 14 мая 1937 г. в Лондоне мною, оперработником Кузьминым А. П., \
                завербована Соколова Вера Андреевна. Источнику присвоен псевдоним «ХОЛА».";
    // In Windows-1251: offsets are into the decoded text, in characters, not bytes.
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    std::fs::write(&file, &bytes).unwrap();
    let out = json(
        assert_cmd::Command::cargo_bin("kartoteka")
            .unwrap()
            .args(["extract-text", "--json"])
            .arg(&file),
    );
    let chars: Vec<char> = text.chars().collect();
    let mentions = out["mentions"].as_array().unwrap();
    for m in mentions {
        let (s, e) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            m["text"].as_str().unwrap()
        );
    }
    let has = |kind: &str, lemma: &str| {
        mentions
            .iter()
            .any(|m| m["kind"] == kind && m["lemma"] == lemma)
    };
    assert!(has("person", "Кузьмин А. П."), "{out}");
    assert!(has("person", "Соколова Вера Андреевна"), "{out}");
    assert!(has("cover_name", "ХОЛА"), "{out}");
    assert!(has("place", "Лондон"), "{out}");
    assert!(has("date", "1937-05-14"), "{out}");
    let relations = out["relations"].as_array().unwrap();
    assert!(
        relations.iter().any(|r| r["kind"] == "recruited_by"),
        "{out}"
    );

    run(&["extract-text", "--lang", "de"], &file).code(2);
    run(&["extract-text"], &dir.path().join("absent.txt")).code(1);
}
