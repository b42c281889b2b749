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

    // A Russian file quoting an English one: --lang keeps the mentions in its script, and
    // the cover names in any.
    let mixed = dir.path().join("mixed.txt");
    std::fs::write(
        &mixed,
        "Агент «ХОЛА» встречался с Иваном Петровым. Mr. Oswald met source HOMER in Dallas.",
    )
    .unwrap();
    let texts = |lang: &str| -> Vec<String> {
        let out = json(
            assert_cmd::Command::cargo_bin("kartoteka")
                .unwrap()
                .args(["extract-text", "--json", "--lang", lang])
                .arg(&mixed),
        );
        out["mentions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_string())
            .collect()
    };
    let (auto, ru, en) = (texts("auto"), texts("ru"), texts("en"));
    for name in ["Иваном Петровым", "Oswald", "ХОЛА", "HOMER"] {
        assert!(auto.contains(&name.to_string()), "{name}: {auto:?}");
    }
    assert!(
        ru.contains(&"Иваном Петровым".to_string()) && !ru.contains(&"Oswald".to_string()),
        "{ru:?}"
    );
    assert!(
        en.contains(&"Oswald".to_string()) && !en.contains(&"Иваном Петровым".to_string()),
        "{en:?}"
    );
    assert!(
        ru.contains(&"HOMER".to_string()) && en.contains(&"ХОЛА".to_string()),
        "{ru:?} {en:?}"
    );
    run(&["extract-text"], &dir.path().join("absent.txt")).code(1);
}

#[test]
fn extraction_is_a_resumable_stage_over_the_archive() {
    let archive = common::sample_archive();
    let k = || common::kartoteka(archive.path());
    let first = json(k().args(["extract", "--json"]));
    let documents = first["documents"].as_u64().unwrap();
    assert!(documents >= 30, "{first}");
    assert!(first["mentions"].as_u64().unwrap() > 50, "{first}");
    let again = json(k().args(["extract", "--json"]));
    assert_eq!(
        again["documents"], 0,
        "nothing changed, nothing redone: {again}"
    );
    assert_eq!(again["up_to_date"].as_u64(), Some(documents));

    let found = json(k().args([
        "mentions",
        "ф. 9001, оп. 1, д. 1",
        "--kind",
        "person",
        "--json",
    ]));
    let persons = found["mentions"].as_array().unwrap();
    assert!(persons.iter().all(|m| m["kind"] == "person"));
    assert!(
        persons
            .iter()
            .any(|m| m["lemma"] == "Кузьмин А. П." && m["sheet"]["number"] == 2),
        "{found}"
    );
    let relations =
        json(k().args(["mentions", "ф. 9001, оп. 1, д. 1", "--json"]))["relations"].clone();
    assert!(
        relations
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "recruited_by" && r["to"] == "Кузьмин А. П."),
        "{relations}"
    );
    // Each mention's span is exact in its page.
    let doc = persons[0]["doc"].as_i64().unwrap();
    let shown = json(k().args(["show", &doc.to_string(), "--json"]));
    let page = shown["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["number"] == persons[0]["page"])
        .unwrap();
    let chars: Vec<char> = page["text"].as_str().unwrap().chars().collect();
    let (s, e) = (
        persons[0]["start"].as_u64().unwrap() as usize,
        persons[0]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        chars[s..e].iter().collect::<String>(),
        persons[0]["text"].as_str().unwrap()
    );

    k().args(["mentions", "--kind", "spy"]).assert().code(2);
    k().args(["mentions", "9999"]).assert().code(3);
    k().args(["extract", "not a reference"]).assert().code(2);
}
