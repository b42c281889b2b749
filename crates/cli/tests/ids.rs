//! Ids are promises: the same archive gets the same document numbers, person ids and
//! report ids whatever the number of worker threads; new evidence, merges and splits
//! never make an id mean someone else; dates stay as precise as the source.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::json;
use serde_json::Value;

/// Runs the pipeline on `documents` into a fresh archive with `jobs` workers.
fn run_pipeline(archive: &Path, documents: &Path, inventory: &Path, jobs: &str, out: &Path) {
    let k = || {
        let mut c = common::kartoteka(archive);
        c.args(["--jobs", jobs]);
        c
    };
    k().arg("ingest")
        .arg(documents)
        .arg("--inventory")
        .arg(inventory)
        .assert()
        .success();
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    k().args(["report", "build", "--all", "--out"])
        .arg(out)
        .assert()
        .success();
}

/// A value with the times and the acting user taken out: what must be equal between runs.
fn without_times(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "at" | "seconds" | "created" | "modified" | "published"
                    )
                })
                .map(|(k, v)| (k.clone(), without_times(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_times).collect()),
        other => other.clone(),
    }
}

/// What a user sees of an archive: every document by number, every person, every report.
fn seen(archive: &Path, out: &Path, documents: u64) -> BTreeMap<String, Value> {
    let k = || common::kartoteka(archive);
    let mut all = BTreeMap::new();
    let step = (documents / 40).max(1);
    for n in (1..=documents).step_by(step as usize) {
        let d = json(k().args(["show", &n.to_string(), "--json"]));
        all.insert(
            format!("doc {n}"),
            serde_json::json!([d["document"]["source_path"], d["document"]["reference"]]),
        );
    }
    all.insert("persons".into(), json(k().args(["persons", "--json"])));
    all.insert("reports".into(), json(k().args(["reports", "--json"])));
    all.insert("claims".into(), json(k().args(["claims", "--json"])));
    let mut files: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no report written to {}", out.display());
    for f in files {
        let v: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        all.insert(f.file_name().unwrap().to_string_lossy().into(), v);
    }
    all.into_iter()
        .map(|(k, v)| (k, without_times(&v)))
        .collect()
}

fn same_runs(documents: &Path, inventory: &Path, count: u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for jobs in ["1", "3"] {
        let archive = dir.path().join(format!("archive-{jobs}"));
        let out = dir.path().join(format!("out-{jobs}"));
        run_pipeline(&archive, documents, inventory, jobs, &out);
        runs.push(seen(&archive, &out, count));
    }
    assert_eq!(runs[0].len(), runs[1].len());
    for (key, one) in &runs[0] {
        assert_eq!(
            Some(one),
            runs[1].get(key),
            "{key} differs between --jobs 1 and --jobs 3"
        );
    }
}

#[test]
fn the_sample_gets_the_same_numbers_and_ids_with_one_job_or_several() {
    let sample = common::sample();
    let documents = sample.join("documents");
    let count = walk_count(&documents);
    same_runs(&documents, &sample.join("opis.csv"), count);
}

#[test]
fn a_synthetic_archive_gets_the_same_numbers_and_ids_with_one_job_or_several() {
    let dir = tempfile::tempdir().unwrap();
    let synth = dir.path().join("synth");
    common::kartoteka(&dir.path().join("unused"))
        .args(["synth", "--docs", "300", "--seed", "11", "--out"])
        .arg(&synth)
        .assert()
        .success();
    let documents = synth.join("documents");
    let count = walk_count(&documents);
    same_runs(&documents, &synth.join("opis.csv"), count);
}

fn walk_count(dir: &Path) -> u64 {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|f| f != "opis.csv") {
                n += 1;
            }
        }
    }
    n
}

fn person_named<'a>(persons: &'a Value, name: &str) -> &'a Value {
    persons["persons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {persons}"))
}

fn number(id: &Value) -> u64 {
    id.as_str().unwrap()[1..].parse().unwrap()
}

#[test]
fn a_merged_person_redirects_and_an_undone_merge_splits_without_reusing_an_id() {
    let archive = common::sample_archive();
    let k = || common::kartoteka(archive.path());
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    k().args(["report", "build", "--all"]).assert().success();
    let before = json(k().args(["persons", "--json"]));
    let ids_before: Vec<String> = before["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    // Two persons the machine kept apart: a surname alone, and a man named by initials.
    let a = person_named(&before, "Громов").clone();
    let b = person_named(&before, "Н. С. Хрущёв").clone();
    let mentions = |p: &Value| p["mentions"].as_array().unwrap().len();
    // The rule: the one with more mentions keeps its id; on a tie, the one issued first.
    let (keeper, gone) = if mentions(&a) > mentions(&b)
        || (mentions(&a) == mentions(&b) && number(&a["id"]) < number(&b["id"]))
    {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let (keeper_id, gone_id) = (keeper["id"].as_str().unwrap(), gone["id"].as_str().unwrap());

    // A judgement joins them (wrongly, as it will turn out).
    let judged = json(k().args([
        "judge",
        gone_id,
        keeper_id,
        "same",
        "--why",
        "test: one man, two files",
        "--json",
    ]));
    let changes = judged["resolution"]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["change"] == "merged" && c["from"] == gone_id && c["into"] == keeper_id),
        "{judged}"
    );
    // Every command taking a person id takes the old one, says so, and answers for the
    // person it was merged into.
    let found = json(k().args(["persons", gone_id, "--json"]));
    assert_eq!(found["merged_into"], keeper_id, "{found}");
    assert_eq!(found["persons"][0]["id"], keeper_id, "{found}");
    let out = k().args(["persons", gone_id]).output().unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("{gone_id} was merged into {keeper_id}")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dossier = json(k().args(["dossier", gone_id, "--json"]));
    assert_eq!(dossier["id"], keeper_id);
    assert_eq!(dossier["redirect"]["merged_into"], keeper_id, "{dossier}");
    assert!(dossier["merged_from"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == gone_id));

    // A judgement can name the old id: it is the person it was merged into.
    let other = ids_before
        .iter()
        .find(|id| *id != keeper_id && *id != gone_id)
        .unwrap();
    let out = k()
        .args([
            "judge",
            gone_id,
            other,
            "unsure",
            "--why",
            "test: checking",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let unsure: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(unsure["redirects"][0]["merged_into"], keeper_id, "{unsure}");

    // Undone: the two are apart again. The keeper keeps its id; the other part gets a new
    // one, and the old id now leads there, never to the keeper.
    let judgement = judged["judgement"]["id"].as_i64().unwrap().to_string();
    let undone = json(k().args(["undo-judgement", &judgement, "--json"]));
    let split = undone["resolution"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"] == "split")
        .unwrap_or_else(|| panic!("{undone}"))
        .clone();
    assert_eq!(split["from"], keeper_id);
    let new_id = split["new"].as_str().unwrap();
    assert!(
        !ids_before.iter().any(|id| id == new_id),
        "{new_id} was issued before"
    );
    let after = json(k().args(["persons", "--json"]));
    assert_eq!(
        person_named(&after, keeper["name"].as_str().unwrap())["id"],
        keeper_id
    );
    let first = &gone["mentions"][0];
    let holder = after["persons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["mentions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["doc"] == first["doc"] && m["start"] == first["start"])
        })
        .unwrap();
    assert_eq!(holder["id"], new_id, "{holder}");
    let again = json(k().args(["persons", gone_id, "--json"]));
    assert_eq!(again["merged_into"], new_id, "{again}");
    // A withdrawn or unknown id is an error naming it, with exit 3.
    k().args(["dossier", "P999"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("P999"));
}

#[test]
fn new_documents_never_renumber_what_is_stored_nor_change_a_person_id() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a");
    let k = || common::kartoteka(&archive);
    let sample = common::sample();
    // First part: the files of fonds 9001; then the whole sample.
    k().arg("ingest")
        .arg(sample.join("documents/ф. 9001"))
        .assert()
        .success();
    let first_docs: Vec<Value> = (1..=5)
        .map(|n| {
            json(k().args(["show", &n.to_string(), "--json"]))["document"]["source_path"].clone()
        })
        .collect();
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    let before = json(k().args(["persons", "--json"]));
    k().arg("ingest")
        .arg(sample.join("documents"))
        .arg("--inventory")
        .arg(sample.join("opis.csv"))
        .assert()
        .success();
    for (n, path) in first_docs.iter().enumerate() {
        let now = json(k().args(["show", &(n + 1).to_string(), "--json"]));
        assert_eq!(
            &now["document"]["source_path"],
            path,
            "document {} renumbered",
            n + 1
        );
    }
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    let after = json(k().args(["persons", "--json"]));
    for p in before["persons"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        // Each earlier person is still there under the same id, or (if the new evidence
        // joined them to someone) redirects to the person holding their mentions.
        let now = json(k().args(["persons", id, "--json"]));
        let holder = now["persons"][0].clone();
        let first = &p["mentions"][0];
        assert!(
            holder["mentions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["doc"] == first["doc"] && m["start"] == first["start"]),
            "{id} no longer leads to its mentions: {now}"
        );
        if now.get("merged_into").is_none() {
            assert_eq!(holder["id"], id);
        }
    }
    assert!(
        after["persons"].as_array().unwrap().len() >= before["persons"].as_array().unwrap().len()
    );
}

#[test]
fn dates_are_as_precise_as_the_documents_give_them_in_every_format() {
    let archive = common::sample_archive();
    let k = || common::kartoteka(archive.path());
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    let persons = json(k().args(["persons", "Соколова Вера Андреевна", "--json"]));
    let hola = persons["persons"][0]["cover_names"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ХОЛА")
        .unwrap()
        .clone();
    // The sample's files on her are dated by year: no day appears that no sheet states.
    for bound in ["from", "to"] {
        let d = hola[bound].as_str().unwrap();
        assert_eq!(
            d.len(),
            4,
            "{bound} of ХОЛА is {d}, a precision no sheet gives"
        );
    }
    k().args(["report", "build", "--all"]).assert().success();
    let md = k()
        .args([
            "report",
            "show",
            "Соколова Вера Андреевна",
            "--format",
            "md",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    let period = format!(
        "«ХОЛА» {}–{}",
        hola["from"].as_str().unwrap(),
        hola["to"].as_str().unwrap()
    );
    assert!(md.contains(&period), "{period} not in the report:\n{md}");
    for format in ["html", "json", "md"] {
        let out = k()
            .args([
                "report",
                "show",
                "Соколова Вера Андреевна",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains("-01-01–"),
            "{format} shows a first of January no sheet states"
        );
        assert!(
            !text.contains("-12-31."),
            "{format} shows a 31 December no sheet states"
        );
    }
    // A claim dated by a day in the text keeps its day.
    let claims = json(k().args(["claims", "--json"]));
    let dates: Vec<&str> = claims["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["date"].as_str())
        .collect();
    assert!(dates.iter().any(|d| d.len() == 10), "{dates:?}");
    assert!(dates.iter().any(|d| d.len() == 4), "{dates:?}");
    let dossier = json(k().args(["dossier", "Соколова Вера Андреевна", "--json"]));
    let timeline = dossier["timeline"].as_array().unwrap();
    assert!(!timeline.is_empty(), "{dossier}");
    for t in timeline {
        let d = t["date"].as_str().unwrap();
        // A year, a month, a day, or two of them: never a day made up for a year.
        let ok = d.split("..").all(|p| [4, 7, 10].contains(&p.len()));
        assert!(
            ok && !d.ends_with("-01-01..") && !d.contains("-01-01.."),
            "{d}"
        );
    }
}

/// Writes one sheet of a file of fonds 501 under `root`.
fn sheet(root: &Path, file: u32, text: &str) {
    let dir = root.join(format!("ф. 501/оп. 1/д. {file}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("л. 1.txt"), text).unwrap();
}

#[test]
fn new_documents_merge_two_agents_and_a_judgement_splits_them_with_their_reports() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a");
    let k = || common::kartoteka(&archive);
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    // Two agents the names alone cannot join: "Зотов И. П." and "Зотов И." may or may not
    // be one man.
    sheet(
        &first,
        1,
        "Агент «ВЕТЕР» (Зотов И. П.) завербован в 1951 году в Вене.\n",
    );
    sheet(
        &first,
        2,
        "В 1953 году в Риге агент «ПОРТ» (Зотов И.) передал сведения.\n",
    );
    k().arg("ingest").arg(&first).assert().success();
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    k().args(["report", "build", "--all"]).assert().success();
    let before = json(k().args(["persons", "--json"]));
    let zotov: Vec<Value> = before["persons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"].as_str().unwrap().starts_with("Зотов"))
        .cloned()
        .collect();
    assert_eq!(zotov.len(), 2, "{before}");
    let (a, b) = (
        zotov[0]["id"].as_str().unwrap(),
        zotov[1]["id"].as_str().unwrap(),
    );
    let reports = json(k().args(["reports", "--json"]));
    let subjects: Vec<&str> = reports["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["subject_id"].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&a) && subjects.contains(&b), "{reports}");
    // A report lists its subject by name, and by id apart.
    assert!(reports["reports"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["subject"].as_str().unwrap().starts_with("Зотов")));

    // A certificate names him in full under both cover names: the two are one.
    sheet(
        &second,
        3,
        "Справка: агент «ВЕТЕР», он же «ПОРТ», — Зотов Игорь Павлович; в 1955 году Зотов И. П. работал в Вене.\n",
    );
    k().arg("ingest").arg(&second).assert().success();
    // The first two documents keep their numbers.
    for (n, file) in [(1, "д. 1"), (2, "д. 2")] {
        let d = json(k().args(["show", &n.to_string(), "--json"]));
        assert!(
            d["document"]["source_path"]
                .as_str()
                .unwrap()
                .contains(file),
            "{d}"
        );
    }
    k().arg("extract").assert().success();
    let resolved = json(k().args(["resolve", "--json"]));
    // One mention each: the tie goes to the id issued first.
    let (keeper, gone) = if number(&zotov[0]["id"]) < number(&zotov[1]["id"]) {
        (a, b)
    } else {
        (b, a)
    };
    assert!(
        resolved["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["change"] == "merged" && c["from"] == gone && c["into"] == keeper),
        "{resolved}"
    );
    let built = json(k().args(["report", "build", "--all", "--json"]));
    assert!(
        built["superseded"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["report"] == format!("R-{gone}") && f["by"][0] == format!("R-{keeper}")),
        "{built}"
    );
    let shown = k()
        .args(["report", "show", &format!("R-{gone}")])
        .output()
        .unwrap();
    assert!(shown.status.success());
    assert!(
        String::from_utf8_lossy(&shown.stderr).contains(&format!("superseded by R-{keeper}")),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let by_old_id = k()
        .args(["report", "show", gone, "--format", "json"])
        .output()
        .unwrap();
    assert!(by_old_id.status.success());
    assert!(String::from_utf8_lossy(&by_old_id.stderr).contains("was merged into"));
    let r: Value = serde_json::from_slice(&by_old_id.stdout).unwrap();
    assert_eq!(r["id"], format!("R-{keeper}"));
    let listed = json(k().args(["reports", "--json"]));
    assert!(
        !listed["reports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["subject_id"] == gone),
        "{listed}"
    );

    // An analyst judges the two first mentions different: the person splits. The part
    // with more evidence keeps the id; the other is new, never an id used before.
    let now = json(k().args(["persons", keeper, "--json"]));
    let mentions = now["persons"][0]["mentions"].as_array().unwrap().clone();
    let in_file = |doc: i64| {
        mentions
            .iter()
            .find(|m| m["doc"] == doc)
            .map(|m| m["id"].as_i64().unwrap().to_string())
            .unwrap()
    };
    let judged = json(k().args([
        "judge",
        &in_file(1),
        &in_file(2),
        "different",
        "--why",
        "test: different handwriting, different towns",
        "--json",
    ]));
    let split = judged["resolution"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"] == "split")
        .unwrap_or_else(|| panic!("{judged}"))
        .clone();
    assert_eq!(split["from"], keeper);
    assert!(
        split["reason"]
            .as_str()
            .unwrap()
            .contains("different handwriting"),
        "{split}"
    );
    let new_id = split["new"].as_str().unwrap();
    assert!(new_id != a && new_id != b);
    let parts = json(k().args(["persons", "--json"]));
    let count = |id: &str| {
        parts["persons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .map(|p| p["mentions"].as_array().unwrap().len())
            .unwrap()
    };
    assert!(count(keeper) >= count(new_id), "{parts}");
    let rebuilt = json(k().args(["report", "build", "--all", "--json"]));
    assert!(
        rebuilt["created"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| id.as_str().unwrap().starts_with(&format!("R-{new_id}"))),
        "{rebuilt}"
    );
    assert!(
        rebuilt["superseded"].as_array().unwrap().iter().any(|f| {
            f["report"] == format!("R-{keeper}")
                && f["by"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| *x == format!("R-{new_id}"))
                && f["reason"]
                    .as_str()
                    .unwrap()
                    .contains("different handwriting")
        }),
        "{rebuilt}"
    );
    // The id merged away follows its mention to the new person, and so does its report.
    let old = json(k().args(["persons", gone, "--json"]));
    assert_eq!(old["merged_into"], new_id, "{old}");
    let all = json(k().args(["reports", "--all", "--json"]));
    let gone_report = all["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == format!("R-{gone}"))
        .unwrap();
    assert_eq!(
        gone_report["superseded_by"][0],
        format!("R-{new_id}"),
        "{gone_report}"
    );
}

#[test]
fn jobs_come_from_the_flag_the_environment_or_the_config_file_and_zero_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a");
    common::kartoteka(&archive)
        .args(["--jobs", "0", "status"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("at least 1"));
    common::kartoteka(&archive)
        .env("KARTOTEKA_JOBS", "two")
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--jobs"));
    common::kartoteka(&archive)
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .success();
    std::fs::write(dir.path().join("kartoteka.toml"), "jobs = \"many\"\n").unwrap();
    common::kartoteka(&archive)
        .current_dir(dir.path())
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("kartoteka.toml"));
    common::kartoteka(&archive)
        .current_dir(dir.path())
        .env("KARTOTEKA_JOBS", "2")
        .arg("status")
        .assert()
        .success();
}
