//! `kartoteka publish check`: a folder is clean or refused with each leak named by file,
//! offset and rule; bad input is refused as such.

mod common;

use common::json;

fn publish(dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = common::kartoteka(&dir.join("no-archive"));
    cmd.args(["publish", "check"]);
    cmd
}

#[test]
fn a_folder_is_clean_or_each_leak_is_named_by_file_offset_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("persons")).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<h1>Person A-17</h1><p>the secret police</p>",
    )
    .unwrap();
    let withheld = dir.path().join("withheld.tsv");
    std::fs::write(
        &withheld,
        "# private persons\nСоколовой\tprivate person P12\nSokolova\tprivate person P12\n",
    )
    .unwrap();
    let clean = json(
        publish(dir.path())
            .arg(&site)
            .arg("--withheld")
            .arg(&withheld)
            .arg("--json"),
    );
    assert_eq!(clean["clean"], true, "{clean}");
    assert_eq!(clean["files"], 1);

    let page = "<img alt=\"письмо &#1057;околовой\"><p>(S//NF) text</p>";
    std::fs::write(site.join("persons/a-17.html"), page).unwrap();
    let out = publish(dir.path())
        .arg(&site)
        .arg("--withheld")
        .arg(&withheld)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["clean"], false);
    let findings = found["findings"].as_array().unwrap();
    let name = findings
        .iter()
        .find(|f| f["rule"] == "private person P12")
        .expect("the name");
    assert_eq!(name["file"], "persons/a-17.html");
    assert_eq!(name["offset"], page.find("&#1057;").unwrap());
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "classification marking"));
    let text = publish(dir.path())
        .arg(&site)
        .arg("--withheld")
        .arg(&withheld)
        .assert()
        .code(1);
    let said = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
    assert!(
        said.contains("NOT CLEAN") && said.contains("persons/a-17.html at byte"),
        "{said}"
    );

    // A person named once: every form of the name is looked for.
    std::fs::write(
        site.join("persons/b.html"),
        "<p>Верочка wrote to V. A. Sokolova</p>",
    )
    .unwrap();
    let by_person = json(publish(dir.path()).arg(&site).args([
        "--person",
        "Соколова Вера Андреевна",
        "--json",
    ]));
    let found: Vec<&str> = by_person["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == "persons/b.html")
        .map(|f| f["found"].as_str().unwrap())
        .collect();
    assert!(found.contains(&"Верочка"), "{by_person}");
    assert!(found.iter().any(|f| f.contains("Sokolova")), "{by_person}");

    // Bad input: no such folder, an empty list, no list.
    publish(dir.path())
        .arg(dir.path().join("nowhere"))
        .arg("--withheld")
        .arg(&withheld)
        .assert()
        .code(2);
    let empty = dir.path().join("empty.tsv");
    std::fs::write(&empty, "# nothing\n\n").unwrap();
    publish(dir.path())
        .arg(&site)
        .arg("--withheld")
        .arg(&empty)
        .assert()
        .code(2);
    publish(dir.path())
        .arg(&site)
        .arg("--withheld")
        .arg(dir.path().join("missing.tsv"))
        .assert()
        .failure();
    publish(dir.path()).arg(&site).assert().code(2);
}
