//! `kartoteka publish`: the sample's public edition built, checked, opened in a browser,
//! searched in another case and script; a planted leak refusing the edition; editors'
//! decisions; and `publish check`, a folder clean or refused with each leak named by
//! file, offset and rule; bad input refused as such.

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

/// The sample extracted, resolved and reported, with the partner fonds secret, and its
/// reports reviewed and approved.
fn approved_sample() -> tempfile::TempDir {
    let sample = common::sample_archive();
    let k = || common::kartoteka(sample.path());
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    k().args(["marking", "set", "ф. 9002", "SECRET//REL TO GBR, USA"])
        .args(["--why", "agreement"])
        .assert()
        .success();
    k().args(["report", "build", "--all"]).assert().success();
    let reports = json(k().args(["reports", "--json"]));
    for r in reports["reports"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        k().args(["report", "review", id, "--why", "read"])
            .assert()
            .success();
        k().args(["report", "approve", id, "--why", "fine"])
            .assert()
            .success();
    }
    sample
}

/// The id of the person whose name starts so, from the edition's persons.csv.
fn person_id(site: &std::path::Path, name: &str) -> String {
    let csv = std::fs::read_to_string(site.join("data/persons.csv")).unwrap();
    csv.lines()
        .find(|l| l.split(',').nth(1).is_some_and(|n| n.starts_with(name)))
        .unwrap_or_else(|| panic!("{name} not in {csv}"))
        .split(',')
        .next()
        .unwrap()
        .to_string()
}

/// A page opened headless after its scripts ran: its DOM.
fn dom(url: &str) -> String {
    let out = common::chromium_headless()
        .args(["--virtual-time-budget=8000", "--dump-dom", url])
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn screenshot(url: &str, name: &str, width: u32) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    let _ = std::fs::remove_file(&file);
    let status = common::chromium_headless()
        .arg(format!("--window-size={width},1400"))
        .arg(format!("--screenshot={}", file.display()))
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let png = std::fs::read(&file).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{name}: {} bytes",
        png.len()
    );
    file
}

#[test]
fn the_samples_edition_is_clean_names_agents_protects_the_rest_and_reads_in_a_browser() {
    let sample = approved_sample();
    let archive = sample.path();
    let k = || common::kartoteka(archive);
    let rules = archive.join("publish.toml");
    std::fs::write(
        &rules,
        "[persons]\nborn_more_than_years_ago = 110\npublic_figures = [\"Хрущёв Никита Сергеевич\"]\n",
    )
    .unwrap();
    let site = archive.join("site");
    let built = json(
        k().args(["publish", "--json", "--rules"])
            .arg(&rules)
            .arg("--out")
            .arg(&site),
    );
    assert_eq!(built["edition"], 1, "{built}");
    assert_eq!(built["check"]["findings"].as_array().unwrap().len(), 0);
    let rules_done = &built["summary"]["rules"];
    assert_eq!(
        rules_done["public figure"][0], 1,
        "Хрущёв by the list: {built}"
    );
    assert!(
        rules_done["private person"][1].as_u64().unwrap() >= 2,
        "{built}"
    );
    assert!(
        built["summary"]["paragraphs_left_out"].as_u64().unwrap() > 0,
        "the secret fonds"
    );
    // The agent and her cover names in time; the officer; no page for a private person.
    let vera = person_id(&site, "Соколова Вера");
    let page = std::fs::read_to_string(site.join(format!("en/persons/{vera}.html"))).unwrap();
    assert!(
        page.contains("ХОЛА") && page.contains("ЛИРА") && page.contains("1937"),
        "{page}"
    );
    let kuzmin = person_id(&site, "Кузьмин");
    assert!(site.join(format!("ru/persons/{kuzmin}.html")).is_file());
    let persons_csv = std::fs::read_to_string(site.join("data/persons.csv")).unwrap();
    assert!(
        !persons_csv.contains("Соколов Павел"),
        "a private person is not listed"
    );
    // Checked again from outside, for the private brother's distinctive forms.
    let withheld = archive.join("withheld.tsv");
    std::fs::write(
        &withheld,
        "Павел Андреевич\nПавла Андреевича\nСоколов П. А.\nП. А. Соколов\nPavel Sokolov\n",
    )
    .unwrap();
    let again = json(
        k().args(["publish", "check"])
            .arg(&site)
            .arg("--withheld")
            .arg(&withheld)
            .arg("--json"),
    );
    assert_eq!(again["clean"], true, "{again}");
    // Nothing of the secret fonds, not even its reference code.
    for file in walk(&site) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(
            !text.contains("ф. 9002") && !text.contains("SECRET"),
            "{}",
            file.display()
        );
    }
    // Editions are listed and audited.
    let editions = json(k().args(["publish", "editions", "--json"]));
    assert_eq!(editions["editions"].as_array().unwrap().len(), 1);
    let log = json(k().args(["audit", "log", "--json"]));
    assert!(
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "publish"),
        "{log}"
    );

    if !common::chromium() {
        return;
    }
    let url = |p: &str| format!("file://{}/{p}", site.display());
    screenshot(&url("en/index.html"), "edition-home.png", 1000);
    screenshot(
        &url(&format!("en/persons/{vera}.html")),
        "edition-person.png",
        1000,
    );
    screenshot(&url("ru/timeline.html"), "edition-timeline.png", 1000);
    screenshot(
        &url(&format!("ru/persons/{vera}.html")),
        "edition-person-phone.png",
        390,
    );
    // Search for her name in another case and in another script and spelling.
    for query in [
        "%D0%A1%D0%BE%D0%BA%D0%BE%D0%BB%D0%BE%D0%B2%D0%BE%D0%B9",
        "Sokolowa",
    ] {
        let page = dom(&format!("{}?q={query}", url("en/search.html")));
        assert!(
            page.contains("data-selfcheck=\"ok\""),
            "the script's keys are the index's: {page}"
        );
        assert!(
            page.contains(&format!("href=\"persons/{vera}.html\"")),
            "{query}: {page}"
        );
    }
    screenshot(
        &format!("{}?q=Sokolowa", url("en/search.html")),
        "edition-search.png",
        1000,
    );
    let none = dom(&format!("{}?q=Zzyzx", url("ru/search.html")));
    assert!(none.contains("Ничего не найдено"), "{none}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_protected_name_in_an_editors_reason_stops_the_edition_and_bad_input_is_refused() {
    let sample = approved_sample();
    let archive = sample.path();
    let k = || common::kartoteka(archive);
    let site = archive.join("site");
    k().args(["publish", "--out"]).arg(&site).assert().success();
    let kuzmin = person_id(&site, "Кузьмин");
    let decided = json(
        k().args(["publish", "decide", &kuzmin, "--name", "--json", "--why"])
            .arg("in office; not the man who met Павла Андреевича Соколова"),
    );
    assert_eq!(decided["disclosure"], "name", "{decided}");
    let out = k()
        .args(["publish", "--json", "--out"])
        .arg(&site)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let refused: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(refused["published"], false);
    let finding = refused["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == format!("en/persons/{kuzmin}.html"))
        .unwrap_or_else(|| panic!("the officer's page: {refused}"));
    assert!(
        finding["rule"]
            .as_str()
            .unwrap()
            .starts_with("private person"),
        "{refused}"
    );
    assert!(finding["offset"].as_u64().unwrap() > 0);
    assert_eq!(
        std::fs::read_to_string(site.join(".kartoteka-edition")).unwrap(),
        "edition 1\n"
    );
    let editions = json(k().args(["publish", "editions", "--json"]));
    assert_eq!(
        editions["editions"].as_array().unwrap().len(),
        1,
        "a refused edition is not recorded"
    );
    // The editor says it again without the name: the edition goes out, as number 2.
    k().args([
        "publish",
        "decide",
        &kuzmin,
        "--name",
        "--why",
        "held public office",
    ])
    .assert()
    .success();
    let second = json(k().args(["publish", "--json", "--out"]).arg(&site));
    assert_eq!(second["edition"], 2, "{second}");
    assert!(second["changes"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == &format!("en/persons/{kuzmin}.html")));
    let decisions = json(k().args(["publish", "decisions", "--json"]));
    assert_eq!(decisions["decisions"].as_array().unwrap().len(), 2);

    // Bad input, each refused with a clear word and nothing published.
    let rules = archive.join("bad.toml");
    std::fs::write(&rules, "[persons]\nborn_more_then_years_ago = 90\n").unwrap();
    let bad = k()
        .args(["publish", "--rules"])
        .arg(&rules)
        .arg("--out")
        .arg(&site)
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("born_more_then_years_ago"));
    let mine = archive.join("thesis");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("chapter1.tex"), "mine").unwrap();
    let refused = k().args(["publish", "--out"]).arg(&mine).assert().code(2);
    assert!(
        String::from_utf8_lossy(&refused.get_output().stderr).contains("not a Kartoteka edition")
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("chapter1.tex")).unwrap(),
        "mine"
    );
    k().args(["publish"]).assert().code(2);
    k().args(["publish", "decide", "P999", "--name", "--why", "x"])
        .assert()
        .code(3);
    k().args(["publish", "decide", &kuzmin, "--name", "--why", " "])
        .assert()
        .code(2);
    k().args([
        "publish",
        "decide",
        &kuzmin,
        "--name",
        "--protect",
        "--why",
        "x",
    ])
    .assert()
    .code(2);
}

#[test]
fn a_synthetic_archives_edition_passes_the_leak_check_and_protects_its_private_persons() {
    let dir = tempfile::tempdir().unwrap();
    let synth = dir.path().join("synth");
    let archive = dir.path().join("archive");
    let k = || common::kartoteka(&archive);
    common::kartoteka(&dir.path().join("none"))
        .args(["synth", "--docs", "400", "--seed", "11", "--out"])
        .arg(&synth)
        .assert()
        .success();
    k().arg("ingest")
        .arg(synth.join("documents"))
        .arg("--inventory")
        .arg(synth.join("opis.csv"))
        .assert()
        .success();
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    k().args(["report", "build", "--all"]).assert().success();
    let reports = json(k().args(["reports", "--json"]));
    let ids: Vec<String> = reports["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 10, "{reports}");
    // Half of them approved: only those are published.
    for id in ids.iter().step_by(2) {
        k().args(["report", "review", id, "--why", "read"])
            .assert()
            .success();
        k().args(["report", "approve", id, "--why", "fine"])
            .assert()
            .success();
    }
    let site = dir.path().join("site");
    let built = json(k().args(["publish", "--json", "--out"]).arg(&site));
    assert_eq!(
        built["check"]["findings"].as_array().unwrap().len(),
        0,
        "{built}"
    );
    let published = built["summary"]["reports_published"].as_u64().unwrap();
    assert_eq!(published as usize, ids.len().div_ceil(2), "{built}");
    for (i, id) in ids.iter().enumerate() {
        let page = site.join(format!("en/reports/{id}.html"));
        assert_eq!(page.is_file(), i % 2 == 0, "{id}: only approved reports");
    }
    // Whoever the rules protect has no page, and their full name is nowhere.
    let persons = json(k().args(["persons", "--json"]));
    let listed = std::fs::read_to_string(site.join("data/persons.csv")).unwrap();
    let protected: Vec<String> = persons["persons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !listed.contains(&format!("\n{},", p["id"].as_str().unwrap())))
        .map(|p| p["name"].as_str().unwrap().to_string())
        .filter(|n| n.split_whitespace().count() == 3)
        .collect();
    for file in walk(&site) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for name in &protected {
            assert!(
                !text.contains(name.as_str()),
                "{name} in {}",
                file.display()
            );
        }
    }
}
