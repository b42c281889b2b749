//! `kartoteka match-names` and `cluster-names`: names compared and grouped the way a
//! researcher would call them, from the command line.

mod common;

use common::json;

fn kartoteka() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("kartoteka").unwrap()
}

#[test]
fn match_names_gives_a_verdict_a_score_and_reasons() {
    let same = json(kartoteka().args([
        "match-names",
        "Хрущёв Н. С.",
        "Nikita Sergeyevich Khrushchev",
        "--json",
    ]));
    assert_eq!(same["verdict"], "same", "{same}");
    assert!(same["score"].as_f64().unwrap() > 0.5, "{same}");
    assert!(!same["reasons"].as_array().unwrap().is_empty(), "{same}");

    let family = json(kartoteka().args(["match-names", "Петров Иван", "Петрова Анна", "--json"]));
    assert_eq!(family["verdict"], "different", "{family}");
    let unsure = json(kartoteka().args(["match-names", "Хрущёв", "Никита Хрущёв", "--json"]));
    assert_eq!(unsure["verdict"], "unsure", "{unsure}");

    kartoteka().args(["match-names", "Берия"]).assert().code(2);
}

#[test]
fn cluster_names_groups_a_list_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("names.tsv");
    // A card index in Windows-1251, with a document key joining "Трамп" to its full name.
    let text = "# id\tname\tlanguage\tdocument\n\
                1\tН. С. Хрущёв\n\
                2\tKHRUSHCHEV, Nikita S.\ten\n\
                3\tТрамп\tru\td1\n\
                4\tДональд Трамп\tru\td1\n\
                5\tПетрова Анна\n\
                6\tПетров Иван\n\
                7\tIvan Petrov\ten\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    std::fs::write(&list, &bytes).unwrap();
    let out = json(kartoteka().arg("cluster-names").arg(&list).arg("--json"));
    assert_eq!(
        out["clusters"],
        serde_json::json!([["1", "2"], ["3", "4"], ["5"], ["6", "7"]]),
        "{out}"
    );

    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "1\tИванов\n2\n").unwrap();
    kartoteka()
        .arg("cluster-names")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("line 2"));
    std::fs::write(&bad, "1\tИванов\n1\tПетров\n").unwrap();
    kartoteka()
        .arg("cluster-names")
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("appears twice"));
    kartoteka()
        .arg("cluster-names")
        .arg(dir.path().join("absent.tsv"))
        .assert()
        .code(1);
}

#[test]
fn what_is_known_of_the_bearers_weighs_in_with_its_reasons() {
    let m = json(kartoteka().args([
        "match-names",
        "Соколова В. А.",
        "Sokolova, Vera",
        "--context-a",
        "born=1911,place=London,years=1944",
        "--context-b",
        "born=1912,place=London,years=1940-1947",
        "--json",
    ]));
    let reasons: Vec<&str> = m["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"birth years differ by 1"), "{m}");
    assert!(reasons.contains(&"both in London 1944"), "{m}");
    assert_ne!(m["verdict"], "different", "{m}");
    // The same full name, born nineteen years apart: two people.
    let two = json(kartoteka().args([
        "match-names",
        "Петров Иван Сергеевич",
        "Петров Иван Сергеевич",
        "--context-a",
        "born=1911",
        "--context-b",
        "born=1930",
        "--json",
    ]));
    assert_eq!(two["verdict"], "different", "{two}");
    kartoteka()
        .args(["match-names", "a", "b", "--context-a", "born=soon"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a year"));

    // cluster-names takes the same context as a fifth column.
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("names.tsv");
    std::fs::write(
        &list,
        "1\tПетров Иван Сергеевич\t\td1\tborn=1911\n\
         2\tПетров Иван Сергеевич\t\td2\tborn=1930\n\
         3\tPetrov Ivan Sergeyevich\ten\td3\tborn=1912\n",
    )
    .unwrap();
    let out = json(kartoteka().arg("cluster-names").arg(&list).arg("--json"));
    assert_eq!(
        out["clusters"],
        serde_json::json!([["1", "3"], ["2"]]),
        "{out}"
    );
    std::fs::write(&list, "1\tПетров\t\td1\tcolour=red\n").unwrap();
    kartoteka()
        .arg("cluster-names")
        .arg(&list)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("line 1"));
}
