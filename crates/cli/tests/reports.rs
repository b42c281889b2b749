//! `kartoteka claim`, `claims`, `report` and `reports`: reports built from the sample's
//! evidence, every citation walked back to its page, every STIX bundle validated, and the
//! life of a report (edit, review, approve, rebuild) with its refusals.

mod common;

use std::collections::HashMap;

use common::json;
use serde_json::Value;

/// The sample, extracted, resolved and reported on.
fn reported() -> tempfile::TempDir {
    let archive = common::sample_archive();
    let k = || common::kartoteka(archive.path());
    k().arg("extract").assert().success();
    k().arg("resolve").assert().success();
    let built = json(k().args(["report", "build", "--all", "--json"]));
    assert!(!built["created"].as_array().unwrap().is_empty(), "{built}");
    archive
}

fn report_ids(archive: &std::path::Path) -> Vec<String> {
    let list = json(common::kartoteka(archive).args(["reports", "--json"]));
    list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The text of the pages reports cite, read once each through `kartoteka show`.
struct PageTexts {
    archive: std::path::PathBuf,
    text: HashMap<(u64, u64), Vec<char>>,
}

impl PageTexts {
    fn new(archive: &std::path::Path) -> PageTexts {
        PageTexts {
            archive: archive.to_path_buf(),
            text: HashMap::new(),
        }
    }

    /// Asserts what a reader relies on in a report (its JSON): every paragraph cites,
    /// every citation is the exact text of its page's span, and the report is marked no
    /// lower than any of its paragraphs.
    fn assert_cited(&mut self, report: &Value, label: &str) {
        const LEVELS: [&str; 5] = [
            "UNCLASSIFIED",
            "RESTRICTED",
            "CONFIDENTIAL",
            "SECRET",
            "TOP SECRET",
        ];
        let level = |c: &str| LEVELS.iter().position(|l| *l == c).unwrap();
        let paragraphs = report["paragraphs"].as_array().unwrap();
        assert!(!paragraphs.is_empty(), "{label}");
        let overall = report["marking"].as_str().unwrap();
        let overall = level(overall.split("//").next().unwrap());
        for p in paragraphs {
            let cites = p["citations"].as_array().unwrap();
            assert!(
                !cites.is_empty(),
                "{label}: a paragraph without a citation: {p}"
            );
            let own = p["marking_override"]
                .as_object()
                .unwrap_or_else(|| p["marking"].as_object().unwrap());
            assert!(
                overall >= level(own["classification"].as_str().unwrap()),
                "{label}: {p}"
            );
            for c in cites {
                let (doc, page) = (c["doc"].as_u64().unwrap(), c["page"].as_u64().unwrap());
                let archive = &self.archive;
                let text = self.text.entry((doc, page)).or_insert_with(|| {
                    let shown =
                        json(common::kartoteka(archive).args(["show", &doc.to_string(), "--json"]));
                    shown["pages"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|x| x["number"].as_u64() == Some(page))
                        .unwrap()["text"]
                        .as_str()
                        .unwrap()
                        .chars()
                        .collect()
                });
                let (start, end) = (
                    c["start"].as_u64().unwrap() as usize,
                    c["end"].as_u64().unwrap() as usize,
                );
                let quoted: String = text[start..end].iter().collect();
                assert_eq!(quoted, c["quote"].as_str().unwrap(), "{label}: {c}");
            }
        }
    }
}

fn show_json(archive: &std::path::Path, id: &str) -> Value {
    let out = common::kartoteka(archive)
        .args(["report", "show", id, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_paragraph_is_cited_and_every_citation_is_the_exact_text() {
    let archive = reported();
    let mut pages = PageTexts::new(archive.path());
    let ids = report_ids(archive.path());
    assert!(ids.len() >= 3, "{ids:?}");
    for id in &ids {
        pages.assert_cited(&show_json(archive.path(), id), id);
    }
}

#[test]
fn the_sample_agents_get_their_cover_names_and_officers() {
    let archive = reported();
    let r = show_json(
        archive.path(),
        &report_ids(archive.path())
            .into_iter()
            .find(|id| {
                show_json(archive.path(), id)["subject_name"]
                    .as_str()
                    .unwrap()
                    .starts_with("Соколова")
            })
            .expect("a report on Соколова"),
    );
    let covers: Vec<&str> = r["cover_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(covers, vec!["ХОЛА", "ЛИРА"], "{r}");
    let related: Vec<String> = r["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{} {}",
                x["relation"].as_str().unwrap(),
                x["name"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        related
            .iter()
            .any(|x| x.starts_with("recruited_by Кузьмин")),
        "{related:?}"
    );
    // Nobody the sample does not tie to her: not Жданов, who got «ХОЛА» later.
    assert!(!related.iter().any(|x| x.contains("Жданов")), "{related:?}");
    assert!(
        r["countries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "GBR"),
        "{r}"
    );
    let md = common::kartoteka(archive.path())
        .args(["report", "show", r["id"].as_str().unwrap()])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.starts_with("**UNCLASSIFIED**"), "{md}");
    assert!(
        md.contains("## Recruitment") && md.contains("## Citations"),
        "{md}"
    );
}

#[test]
fn every_stix_bundle_passes_the_strict_validator() {
    let archive = reported();
    let dir = tempfile::tempdir().unwrap();
    let validate = common::stix2_validator();
    for id in report_ids(archive.path()) {
        let out = dir.path().join(format!("{id}.json"));
        common::kartoteka(archive.path())
            .args(["report", "show", &id, "--format", "stix", "--out"])
            .arg(&out)
            .assert()
            .success();
        let bundle: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(bundle["type"], "bundle");
        let types: Vec<&str> = bundle["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["type"].as_str().unwrap())
            .collect();
        for t in ["report", "identity", "marking-definition"] {
            assert!(types.contains(&t), "{id}: {types:?}");
        }
        if validate {
            assert_eq!(strict_stix(&out), 1, "{id}");
        }
    }
}

#[test]
fn a_report_is_edited_reviewed_approved_and_rebuilt_without_losing_edits() {
    let archive = reported();
    let k = || common::kartoteka(archive.path());
    let id = report_ids(archive.path())[0].clone();
    k().args([
        "report",
        "edit",
        &id,
        "--paragraph",
        "1",
        "--text",
        "Checked against the personnel file.",
        "--why",
        "wording",
    ])
    .assert()
    .success();
    k().args([
        "report",
        "edit",
        &id,
        "--paragraph",
        "1",
        "--marking",
        "SECRET//REL TO GBR",
    ])
    .assert()
    .success();
    let r = show_json(archive.path(), &id);
    assert_eq!(r["version"], 3);
    assert_eq!(r["marking"], "SECRET//REL TO GBR");
    // Approval comes after review, and an approved version is not edited in place.
    k().args(["report", "approve", &id]).assert().code(2);
    k().args(["report", "review", &id]).assert().success();
    k().args(["report", "approve", &id]).assert().success();
    k().args(["report", "edit", &id, "--paragraph", "1", "--text", "x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--new-version"));
    assert_eq!(show_json(archive.path(), &id)["status"], "approved");
    // Rebuilding keeps the edit and the reviewer's marking.
    k().args(["report", "build", "--all"]).assert().success();
    let r = show_json(archive.path(), &id);
    assert_eq!(
        r["paragraphs"][0]["text"],
        "Checked against the personnel file."
    );
    assert_eq!(r["marking"], "SECRET//REL TO GBR");
    // Every version is kept, and the diff says what changed.
    let diff = k()
        .args(["report", "diff", &id, "1", "3"])
        .output()
        .unwrap();
    let diff = String::from_utf8(diff.stdout).unwrap();
    assert!(
        diff.contains("Checked against the personnel file."),
        "{diff}"
    );
    assert!(
        diff.contains("marking: UNCLASSIFIED -> SECRET//REL TO GBR"),
        "{diff}"
    );
    let listed = json(k().args(["reports", "--status", "approved", "--json"]));
    assert_eq!(listed["reports"].as_array().unwrap().len(), 1, "{listed}");
    k().args(["reports", "--status", "lost"]).assert().code(2);
    k().args(["report", "show", "R-nobody"]).assert().code(3);
    k().args(["report", "build", "P999.9.9"]).assert().code(3);
    k().args(["report", "show", &id, "--format", "pdf", "--version", "99"])
        .assert()
        .code(3);
}

#[test]
fn an_analyst_claim_cites_exact_spans_and_bad_ones_are_refused() {
    let archive = reported();
    let k = || common::kartoteka(archive.path());
    // `claim add SUBJECT --text ... --cite SPAN --grade GRADE --why ...`, as a user types it.
    let add = |subject: &str, span: &str, grade: &str| {
        let mut c = k();
        c.args([
            "claim",
            "add",
            subject,
            "--text",
            "Passed naval correspondence",
            "--cite",
            span,
            "--grade",
            grade,
            "--why",
            "original report",
        ]);
        c
    };
    let persons = json(k().args(["persons", "Соколова", "--json"]));
    let who = persons["persons"][0]["id"].as_str().unwrap().to_string();
    let doc = persons["persons"][0]["mentions"][0]["doc"].to_string();
    let claim = json(add(&who, &format!("{doc}:0-6"), "b2").arg("--json"));
    assert_eq!(claim["grade"]["reliability"], "B");
    assert_eq!(
        claim["citations"][0]["quote"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        6
    );
    let all = json(k().args(["claims", &who, "--json"]));
    let claims = all["claims"].as_array().unwrap();
    assert!(claims.iter().any(|c| c["id"] == claim["id"]), "{all}");
    assert!(claims.iter().any(|c| c["by"] == "kartoteka"), "{all}");
    // A span that is not there, a grade off the scale, an unknown subject or document.
    add(&who, &format!("{doc}:0-999999"), "B2")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not in it"));
    add(&who, &format!("{doc}:0-6"), "G7")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("Admiralty"));
    add("P999.9.9", &format!("{doc}:0-6"), "B2")
        .assert()
        .code(3);
    add(&who, "99999:0-6", "B2").assert().code(3);
    // Nothing was kept of the refused ones.
    let after = json(k().args(["claims", &who, "--json"]));
    assert_eq!(after["claims"].as_array().unwrap().len(), claims.len());
}

#[test]
fn the_collection_is_written_in_every_format_with_its_index() {
    let archive = reported();
    let k = || common::kartoteka(archive.path());
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("collection");
    let built = json(
        k().args(["report", "build", "--all", "--json", "--out"])
            .arg(&dir),
    );
    let ids = report_ids(archive.path());
    for id in &ids {
        for ext in ["md", "html", "json", "stix.json"] {
            let f = dir.join(format!("{id}.{ext}"));
            assert!(
                std::fs::metadata(&f).is_ok_and(|m| m.len() > 0),
                "{}",
                f.display()
            );
        }
    }
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["reports"].as_u64(), Some(ids.len() as u64));
    assert_eq!(index, built["index"]);
    assert!(index["by_country"]["GBR"].as_u64().unwrap() >= 1, "{index}");
    // Nothing new: nothing changes.
    assert_eq!(
        built["unchanged"].as_array().unwrap().len(),
        ids.len(),
        "{built}"
    );
    // Filters, and conflicts as JSON.
    let gbr = json(k().args(["reports", "--country", "GBR", "--json"]));
    assert!(gbr["reports"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["countries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "GBR")));
    k().args(["reports", "--country", "ATA"]).assert().code(3);
    let conflicts = json(k().args(["claims", "--conflicts", "--json"]));
    assert!(conflicts["conflicts"].is_array(), "{conflicts}");
}

/// Runs `stix2_validator --strict` on a bundle or a folder of them: every one must pass
/// without an error; returns how many were valid.
fn strict_stix(path: &std::path::Path) -> usize {
    let v = std::process::Command::new("stix2_validator")
        .arg("--strict")
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&v.stdout);
    assert!(v.status.success() && !text.contains("[X]"), "{text}");
    text.matches("STIX JSON: Valid").count()
}

/// A poppler tool's standard output.
fn poppler(tool: &str, args: &[&str], file: &std::path::Path) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(file)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[] })
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_report_prints_as_pdf_with_its_cyrillic_text_markings_and_sources() {
    let archive = reported();
    let dir = tempfile::tempdir().unwrap();
    let readable = common::poppler();
    let ids = report_ids(archive.path());
    // A reviewer marks the first paragraph of one report secret, releasable to Britain:
    // its PDF must say so in the margin, and in the banner of every page.
    let marked = ids[0].clone();
    common::kartoteka(archive.path())
        .args([
            "report",
            "edit",
            &marked,
            "--paragraph",
            "1",
            "--marking",
            "SECRET//REL TO GBR",
        ])
        .assert()
        .success();
    for id in &ids {
        let file = dir.path().join(format!("{id}.pdf"));
        common::kartoteka(archive.path())
            .args(["report", "show", id, "--format", "pdf", "--out"])
            .arg(&file)
            .assert()
            .success();
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            bytes.starts_with(b"%PDF-") && bytes.ends_with(b"%%EOF"),
            "{id}"
        );
        if !readable {
            continue;
        }
        let r = show_json(archive.path(), id);
        let info = poppler("pdfinfo", &[], &file);
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let text = poppler("pdftotext", &["-layout"], &file);
        let flat = common_words(&text);
        // The subject's name as written, Cyrillic and all, and the title.
        let name = r["subject_name"].as_str().unwrap();
        assert!(
            flat.contains(&common_words(name)),
            "{id}: {name} not in {text}"
        );
        // The banner at the head and the foot of every page, and the folios.
        let marking = r["marking"].as_str().unwrap();
        let banners = text.lines().filter(|l| l.trim() == marking).count();
        assert_eq!(
            banners,
            2 * pages,
            "{id}: {marking} x{banners} on {pages} pages"
        );
        for n in 1..=pages {
            assert!(
                text.contains(&format!("Page {n} of {pages}")),
                "{id} page {n}"
            );
        }
        // Every source's reference code, as a citation.
        for p in r["paragraphs"].as_array().unwrap() {
            for c in p["citations"].as_array().unwrap() {
                if let Some(code) = c["reference"].as_str() {
                    assert!(flat.contains(&common_words(code)), "{id}: {code}");
                }
            }
        }
        // The fonts travel inside the file, cut to the glyphs used, with a map to Unicode.
        let fonts = poppler("pdffonts", &[], &file);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(
                cols[cols.len() - 5..cols.len() - 2],
                ["yes", "yes", "yes"],
                "{row}"
            );
        }
        if *id == marked {
            assert_eq!(marking, "SECRET//REL TO GBR");
            assert!(text.contains("(S//REL TO"), "{text}");
        }
    }
    // Without --out the PDF goes to standard output when that is not a terminal.
    let out = common::kartoteka(archive.path())
        .args(["report", "show", &ids[0], "--format", "pdf"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.starts_with(b"%PDF-"));
}

/// A text with its whitespace made single spaces, for finding phrases a layout wrapped.
fn common_words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_case_file_gets_a_report_on_each_agent_it_names_citing_only_that_file() {
    let archive = reported();
    let k = || common::kartoteka(archive.path());
    // In the collection, an agent whose evidence is in several files gets a report on each
    // file that holds two documents or more on them, citing only that file.
    let ids = report_ids(archive.path());
    let mut cases = 0;
    for id in &ids {
        let r = show_json(archive.path(), id);
        let title = r["title"].as_str().unwrap();
        let Some((_, file)) = title.split_once(", case file ") else {
            continue;
        };
        cases += 1;
        let mut docs = std::collections::BTreeSet::new();
        for p in r["paragraphs"].as_array().unwrap() {
            for c in p["citations"].as_array().unwrap() {
                let code = c["reference"].as_str().unwrap();
                assert!(code.starts_with(&format!("{file}, л.")), "{id}: {code}");
                docs.insert(c["doc"].as_u64().unwrap());
            }
        }
        assert!(docs.len() >= 2, "{id} rests on {docs:?}");
    }
    assert!(cases >= 1, "{ids:?}");
    // Asked for one case, the reports are those of the agents it names, each citing only
    // that file.
    let file = "ф. 9002, оп. 1, д. 1";
    let built = json(k().args(["report", "build", file, "--json"]));
    let touched: Vec<String> = ["created", "unchanged"]
        .iter()
        .flat_map(|k| built[k].as_array().unwrap().iter())
        .map(|v| v.as_str().unwrap().to_string())
        .chain(
            built["updated"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u[0].as_str().unwrap().to_string()),
        )
        .collect();
    assert!(!touched.is_empty(), "{built}");
    let mut names = Vec::new();
    for id in &touched {
        let r = show_json(archive.path(), id);
        assert!(
            r["title"]
                .as_str()
                .unwrap()
                .ends_with(&format!("case file {file}")),
            "{r}"
        );
        names.push(r["subject_name"].as_str().unwrap().to_string());
        for p in r["paragraphs"].as_array().unwrap() {
            for c in p["citations"].as_array().unwrap() {
                let code = c["reference"].as_str().unwrap();
                assert!(code.starts_with(&format!("{file}, л.")), "{id}: {code}");
            }
        }
    }
    // The file is the one where ХОЛА passed from Соколова to Жданов: both are in it.
    assert!(
        names.contains(&"Соколова Вера Андреевна".to_string()),
        "{names:?}"
    );
    // A fonds is not a case, and a file nobody is named in has no report: exit 3, saying so.
    let out = k().args(["report", "build", "ф. 9001"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a case is one file"));
    let out = k()
        .args(["report", "build", "ф. 9999, оп. 1, д. 1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("naming an agent"));
}

#[test]
fn marking_rules_raise_the_paragraphs_and_citations_that_rest_on_their_units() {
    let archive = reported();
    let k = || common::kartoteka(archive.path());
    k().args([
        "marking",
        "set",
        "ф. 9002",
        "SECRET//REL TO GBR, USA",
        "--why",
        "partner agreement",
    ])
    .assert()
    .success();
    let rules = json(k().args(["markings", "--json"]));
    assert_eq!(rules["rules"][0]["unit"], "ф. 9002", "{rules}");
    assert_eq!(rules["rules"][0]["marking"], "SECRET//REL TO GBR, USA");
    let built = json(k().args(["report", "build", "--all", "--json"]));
    assert!(!built["updated"].as_array().unwrap().is_empty(), "{built}");
    let mut raised = 0;
    for id in report_ids(archive.path()) {
        let r = show_json(archive.path(), &id);
        let mut any_secret = false;
        for p in r["paragraphs"].as_array().unwrap() {
            let cites = p["citations"].as_array().unwrap();
            let in_unit = cites.iter().any(|c| {
                c["reference"]
                    .as_str()
                    .is_some_and(|x| x.starts_with("ф. 9002,"))
            });
            let marking = &p["marking"];
            if in_unit {
                // Resting on the unit: at least its rule.
                assert_eq!(marking["classification"], "SECRET", "{id}: {p}");
                assert_eq!(marking["releasable_to"], serde_json::json!(["GBR", "USA"]));
                any_secret = true;
            } else {
                // Elsewhere only: what the pages say (the sample's pages say nothing).
                assert_eq!(marking["classification"], "UNCLASSIFIED", "{id}: {p}");
            }
            // Each citation carries its own page's marking.
            for c in cites {
                let from_unit = c["reference"]
                    .as_str()
                    .is_some_and(|x| x.starts_with("ф. 9002,"));
                let want = if from_unit { "SECRET" } else { "UNCLASSIFIED" };
                assert_eq!(c["marking"]["classification"], want, "{id}: {c}");
            }
        }
        if any_secret {
            raised += 1;
            assert_eq!(r["marking"], "SECRET//REL TO GBR, USA", "{id}");
        }
    }
    assert!(raised >= 1);
    // The listing says so, and the Markdown marks the quotes.
    let secret_id = report_ids(archive.path())
        .into_iter()
        .find(|id| show_json(archive.path(), id)["marking"] == "SECRET//REL TO GBR, USA")
        .unwrap();
    let md = String::from_utf8(
        k().args(["report", "show", &secret_id])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(md.contains(". (S//REL TO GBR, USA) ф. 9002,"), "{md}");
    let listed = json(k().args(["reports", "--json"]));
    assert!(listed["reports"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["marking"] == "SECRET//REL TO GBR, USA"));
    // Bad rules are refused (exit 2) and change nothing; removing what is not there is 3.
    for bad in [
        ["marking", "set", "qq", "SECRET", "--why", "x"],
        ["marking", "set", "ф. 9002", "SECRETISH", "--why", "x"],
        ["marking", "set", "ф. 9002", "SECRET", "--why", " "],
    ] {
        k().args(bad).assert().code(2);
    }
    let rules = json(k().args(["markings", "--json"]));
    assert_eq!(rules["rules"].as_array().unwrap().len(), 1, "{rules}");
    assert_eq!(rules["rules"][0]["marking"], "SECRET//REL TO GBR, USA");
    k().args(["marking", "remove", "ф. 9003"]).assert().code(3);
    // Removed, the next build lowers them again and says what changed.
    k().args(["marking", "remove", "ф. 9002", "--why", "declassified"])
        .assert()
        .success();
    let rebuilt = json(k().args(["report", "build", "--all", "--json"]));
    let changes = rebuilt["updated"].to_string();
    assert!(
        changes.contains("SECRET//REL TO GBR, USA -> UNCLASSIFIED"),
        "{changes}"
    );
    let listed = json(k().args(["reports", "--json"]));
    assert!(
        listed["reports"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["marking"] == "UNCLASSIFIED"),
        "{listed}"
    );
    // Both acts are in the audit chain.
    let log = json(k().args(["audit", "log", "--json"]));
    assert!(
        log.to_string().matches("marking-rule").count() >= 2,
        "{log}"
    );
}

#[test]
fn a_synthetic_archive_collection_is_cited_exactly_and_every_bundle_validates() {
    let dir = tempfile::tempdir().unwrap();
    let synth = dir.path().join("synth");
    let archive = dir.path().join("a");
    let k = || common::kartoteka(&archive);
    k().args(["synth", "--docs", "600", "--seed", "3", "--out"])
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
    let out = dir.path().join("out");
    k().args(["report", "build", "--all", "--pdf", "--out"])
        .arg(&out)
        .assert()
        .success();
    let index: Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    let total = index["reports"].as_u64().unwrap();
    assert!(total >= 20, "{index}");
    // Every paragraph of every report cites, and every citation is its page's text.
    let mut pages = PageTexts::new(&archive);
    let stix = dir.path().join("stix");
    std::fs::create_dir(&stix).unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".stix.json") {
            std::fs::copy(&path, stix.join(&name)).unwrap();
            continue;
        }
        if !name.starts_with("R-") || !name.ends_with(".json") {
            continue;
        }
        seen += 1;
        assert!(path.with_extension("pdf").exists(), "{name} has no PDF");
        let r: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        pages.assert_cited(&r, &name);
    }
    assert_eq!(seen as u64, total);
    if common::stix2_validator() {
        assert_eq!(strict_stix(&stix) as u64, total);
    }
}

#[test]
fn noforn_and_orcon_are_kept_to_the_banner_the_bundle_and_the_pdf() {
    let archive = reported();
    let k = || common::kartoteka(archive.path());
    let id = report_ids(archive.path())[0].clone();
    k().args([
        "report",
        "edit",
        &id,
        "--paragraph",
        "1",
        "--marking",
        "secret//oc/nf",
    ])
    .assert()
    .success();
    let r = show_json(archive.path(), &id);
    assert_eq!(r["marking"], "SECRET//ORCON/NOFORN", "{r}");
    let md = String::from_utf8(k().args(["report", "show", &id]).output().unwrap().stdout).unwrap();
    assert!(
        md.starts_with("**SECRET//ORCON/NOFORN**") && md.contains("(S//OC/NF) "),
        "{md}"
    );
    // The bundle goes no wider than its readers: TLP:RED, and the marking as a statement.
    let dir = tempfile::tempdir().unwrap();
    let stix = dir.path().join("bundle.json");
    k().args(["report", "show", &id, "--format", "stix", "--out"])
        .arg(&stix)
        .assert()
        .success();
    let bundle: Value = serde_json::from_slice(&std::fs::read(&stix).unwrap()).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    assert!(objects.iter().any(|o| o["name"] == "TLP:RED"), "{bundle}");
    assert!(objects
        .iter()
        .any(|o| o["definition"]["statement"] == "SECRET//ORCON/NOFORN"));
    if common::stix2_validator() {
        assert_eq!(strict_stix(&stix), 1);
    }
    // The PDF's banners say it on every page.
    let pdf = dir.path().join("report.pdf");
    k().args(["report", "show", &id, "--format", "pdf", "--out"])
        .arg(&pdf)
        .assert()
        .success();
    if common::poppler() {
        let text = poppler("pdftotext", &["-layout"], &pdf);
        let pages = text.matches('\u{c}').count().max(1);
        let banners = text
            .lines()
            .filter(|l| l.trim() == "SECRET//ORCON/NOFORN")
            .count();
        assert_eq!(banners, 2 * pages, "{text}");
        assert!(text.contains("(S//OC/NF)"), "{text}");
    }
    // NOFORN and a release list contradict each other: refused, nothing changed.
    k().args([
        "report",
        "edit",
        &id,
        "--paragraph",
        "1",
        "--marking",
        "SECRET//NOFORN/REL TO GBR",
    ])
    .assert()
    .code(2);
    assert_eq!(
        show_json(archive.path(), &id)["marking"],
        "SECRET//ORCON/NOFORN"
    );
}
