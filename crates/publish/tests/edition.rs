//! The public edition built from made-up archives: who is named, who is protected and
//! how, that no form of a protected name survives in any byte, that planted leaks stop
//! the edition before it replaces the previous one, and that a second edition keeps its
//! addresses and pseudonyms and says what changed.

use std::collections::BTreeMap;

use kartoteka_model::{
    Citation, Classification, CoverNameHeld, DocId, DossierRelation, EditionRecord, Marking,
    Paragraph, PersonFacts, Related, RelationKind, Report, ReportStatus,
};
use kartoteka_publish::edition::{build, build_into, Edition, Input};
use kartoteka_publish::forms::withheld_forms;
use kartoteka_publish::leak::{marking_needles, LeakCheck, Needle};
use kartoteka_publish::rules::Rules;
use kartoteka_publish::write::{write_checked, Building, WriteError, MARKER};

fn person(id: &str, names: &[&str]) -> PersonFacts {
    PersonFacts {
        id: id.into(),
        name: names[0].into(),
        names: names.iter().map(|n| n.to_string()).collect(),
        cover_names: vec![],
        roles: vec![],
        born: vec![],
        links: vec![],
    }
}

fn link(kind: RelationKind, outgoing: bool, other: &str, name: &str) -> DossierRelation {
    DossierRelation {
        kind,
        outgoing,
        other_person: Some(other.into()),
        other: name.into(),
        doc: DocId(1),
        page: 1,
    }
}

fn marking(text: &str) -> Marking {
    Marking::parse(text).expect("a marking")
}

fn citation(doc: i64, reference: &str, quote: &str, m: &str) -> Citation {
    Citation {
        doc: DocId(doc),
        reference: Some(reference.into()),
        page: 1,
        start: 0,
        end: quote.chars().count() as u32,
        quote: quote.into(),
        marking: Some(marking(m)),
        withheld: false,
    }
}

fn paragraph(section: &str, text: &str, m: &str, citations: Vec<Citation>) -> Paragraph {
    Paragraph {
        section: section.into(),
        text: text.into(),
        claims: vec![],
        citations,
        marking: marking(m),
        marking_override: None,
        edited: false,
        marking_notes: vec![],
    }
}

fn report(id: &str, subject: &str, name: &str, paragraphs: Vec<Paragraph>) -> Report {
    Report {
        id: id.into(),
        version: 1,
        subject: subject.into(),
        subject_name: name.into(),
        title: format!("Agent: {name}"),
        status: ReportStatus::Approved,
        paragraphs,
        countries: vec!["GBR".into()],
        period: Some((1937, 1946)),
        cover_names: vec![],
        related: vec![],
        places: vec![],
        services: vec![],
        by: "analyst".into(),
        at: "2026-01-01T00:00:00Z".into(),
        why: "approved".into(),
        released_to: None,
    }
}

const PRIVATE: &str = "Петрова Ольга Ивановна";

/// An agent recruited by an officer, who reported on a private person (a neighbour) and
/// whose sister is named too; one paragraph is secret.
fn archive() -> Input {
    let mut agent = person("P1", &["Соколова Вера Андреевна", "Vera Sokolova"]);
    agent.cover_names.push(CoverNameHeld {
        name: "ХОЛА".into(),
        from: Some("1937".into()),
        to: Some("1946".into()),
    });
    agent.links.push(link(
        RelationKind::RecruitedBy,
        true,
        "P2",
        "Кузьмин Арнольд Петрович",
    ));
    agent
        .links
        .push(link(RelationKind::ReportedOn, true, "P3", PRIVATE));
    let mut officer = person("P2", &["Кузьмин Арнольд Петрович", "Arnold Kuzmin"]);
    officer.links.push(link(
        RelationKind::RecruitedBy,
        false,
        "P1",
        "Соколова Вера Андреевна",
    ));
    let mut neighbour = person("P3", &[PRIVATE, "Olga Petrova"]);
    neighbour.links.push(link(
        RelationKind::ReportedOn,
        false,
        "P1",
        "Соколова Вера Андреевна",
    ));
    let mut r = report(
        "R-P1",
        "P1",
        "Соколова Вера Андреевна",
        vec![
            paragraph(
                "recruitment",
                "1937: recruited in London by Кузьмин А. П. as ХОЛА; she reported on her neighbour Петровой О. И. (Olga PETROVA).",
                "UNCLASSIFIED",
                vec![citation(
                    5,
                    "ф. 9001, оп. 1, д. 1, л. 2",
                    "завербована Соколова Вера Андреевна; сведения о Петровой Ольге Ивановне",
                    "UNCLASSIFIED",
                )],
            ),
            paragraph(
                "activity",
                "1940: reported to the residency in a secret channel.",
                "SECRET//REL TO GBR",
                vec![citation(7, "ф. 9002, оп. 1, д. 3, л. 1", "секретный канал", "SECRET//REL TO GBR")],
            ),
        ],
    );
    r.cover_names.push("ХОЛА".into());
    r.related.push(Related {
        person: Some("P3".into()),
        name: PRIVATE.into(),
        relation: "reported_on".into(),
    });
    r.related.push(Related {
        person: Some("P2".into()),
        name: "Кузьмин Арнольд Петрович".into(),
        relation: "recruited_by".into(),
    });
    Input {
        date: "2026-12-06".into(),
        reports: vec![r],
        persons: vec![agent, officer, neighbour],
        decisions: vec![],
        previous: None,
        collection: [("documents".to_string(), 12u64)].into(),
        withheld_units: vec!["ф. 9002".into()],
        rules: Rules::default(),
        rules_text: String::new(),
    }
}

fn text_of(edition: &Edition, path: &str) -> String {
    String::from_utf8(edition.files[path].clone()).expect("utf-8")
}

fn check_of(edition: &Edition) -> LeakCheck {
    LeakCheck::new(edition.needles.clone()).expect("needles")
}

/// A check made here, from the name itself, not from the edition's own needles.
fn independent_check(names: &[&str]) -> LeakCheck {
    let mut needles = marking_needles();
    for n in names {
        needles.extend(withheld_forms(n).into_iter().map(|text| Needle {
            text,
            rule: format!("private {n}"),
            exact_case: false,
        }));
    }
    LeakCheck::new(needles).expect("needles")
}

#[test]
fn agents_and_officers_are_named_and_the_neighbour_is_a_pseudonym_everywhere() {
    let edition = build(archive()).unwrap();
    for page in [
        "en/persons/P1.html",
        "ru/persons/P1.html",
        "en/persons/P2.html",
    ] {
        assert!(edition.files.contains_key(page), "{page}");
    }
    assert!(
        !edition.files.keys().any(|p| p.contains("P3")),
        "no page of the private person"
    );
    let page = text_of(&edition, "en/reports/R-P1.html");
    assert!(page.contains("Person A-1"), "the neighbour by pseudonym");
    assert!(page.contains("Кузьмин А. П."), "the officer by name");
    assert!(page.contains("ХОЛА"));
    assert!(
        !page.contains("secret channel"),
        "the secret paragraph is out"
    );
    assert!(!page.contains("ф. 9002"), "and its citation");
    let agent = text_of(&edition, "en/persons/P1.html");
    assert!(
        agent.contains("Person A-1") && agent.contains("P2.html"),
        "{agent}"
    );
    // No form of her name anywhere, checked by forms made here.
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let report = write_checked(&edition.files, 1, &site, &check_of(&edition), |_| {
        Ok::<_, ()>(())
    })
    .expect("written")
    .expect("recorded");
    assert!(report.is_clean());
    let again = independent_check(&[PRIVATE]).check_dir(&site).unwrap();
    assert!(again.is_clean(), "{:?}", again.findings);
    // The dataset and the index carry the named, not the protected.
    let persons = text_of(&edition, "data/persons.csv");
    assert!(persons.contains("Соколова Вера Андреевна") && !persons.contains("Петрова"));
    let docs = text_of(&edition, "search/docs.js");
    assert!(docs.contains("Vera Sokolova"), "{docs}");
    assert!(text_of(&edition, "README.md").contains("Edition 1 of 2026-12-06"));
    let ftm = text_of(&edition, "data/entities.ftm.json");
    assert!(ftm
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
}

#[test]
fn each_kind_of_planted_leak_stops_the_edition_and_leaves_the_previous_one() {
    let input = archive();
    let first = build(input.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    write_checked(&first.files, 1, &site, &check_of(&first), |_| {
        Ok::<_, ()>(())
    })
    .unwrap()
    .unwrap();
    let plants: [(&str, &str, &str); 5] = [
        (
            "en/persons/P1.html",
            "<img src=x.png alt=\"&#1055;етровой\">",
            "private person",
        ),
        (
            "search/docs.js",
            "[\"x\",\"\\u041f\\u0435\\u0442\\u0440\\u043e\\u0432\\u043e\\u0439\"]",
            "private person",
        ),
        ("data/persons.csv", "P9,Olga Petrowa\n", "private person"),
        (
            "en/reports/R-P1.html",
            "<p>SECRET//NOFORN</p>",
            "classification marking",
        ),
        (
            "data/citations.csv",
            "R-P1,1,x,\"Fonds 9002, Inventory 1\",1,q\n",
            "reference code of a withheld unit",
        ),
    ];
    for (file, plant, rule) in plants {
        let mut files = first.files.clone();
        files
            .get_mut(file)
            .unwrap()
            .extend_from_slice(plant.as_bytes());
        let mut recorded = false;
        let err = write_checked(&files, 2, &site, &check_of(&first), |_| {
            recorded = true;
            Ok::<_, ()>(())
        })
        .expect_err(plant);
        let WriteError::Leak(report) = err else {
            panic!("{plant}: {err}");
        };
        assert!(!recorded, "a leaky edition is not recorded");
        let f = &report.findings[0];
        assert_eq!(f.file, std::path::Path::new(file), "{plant}");
        assert!(f.rule.starts_with(rule), "{plant}: {}", f.rule);
        assert!(
            f.offset as usize >= first.files[file].len(),
            "{plant}: offset {}",
            f.offset
        );
        assert_eq!(
            std::fs::read_to_string(site.join(MARKER)).unwrap(),
            "edition 1\n",
            "the previous edition stays"
        );
        assert_eq!(std::fs::read(site.join(file)).unwrap(), first.files[file]);
    }
    let parent: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(parent, ["site"], "no half-written folder is left beside it");
}

#[test]
fn a_folder_that_is_not_an_edition_is_never_replaced() {
    let edition = build(archive()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.tex"), "mine").unwrap();
    let err = write_checked(&edition.files, 1, dir.path(), &check_of(&edition), |_| {
        Ok::<_, ()>(())
    })
    .expect_err("not an edition");
    assert!(matches!(err, WriteError::NotAnEdition(_)), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("thesis.tex")).unwrap(),
        "mine"
    );
    let mut bad = edition.files.clone();
    bad.insert("../escape.html".into(), b"x".to_vec());
    let err = write_checked(
        &bad,
        1,
        &dir.path().join("new"),
        &check_of(&edition),
        |_| Ok::<_, ()>(()),
    )
    .expect_err("a path out of the folder");
    assert!(matches!(err, WriteError::BadPath(_)), "{err}");
    assert!(!dir.path().join("escape.html").exists());
}

#[test]
fn an_edition_laid_out_file_by_file_replaces_the_old_one_only_when_finished() {
    let input = archive();
    let root = tempfile::tempdir().unwrap();
    let site = root.path().join("site");
    let first = build(input.clone()).unwrap();
    write_checked(&first.files, 1, &site, &check_of(&first), |_| {
        Ok::<_, ()>(())
    })
    .unwrap()
    .unwrap();
    let before = std::fs::read(site.join("en/index.html")).unwrap();
    let listing = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    // Laid out into a folder beside it and then dropped (a failure half-way): the
    // edition in place is untouched and nothing half-built is left.
    {
        let mut building = Building::begin(&site).unwrap();
        let built = build_into(input.clone(), &mut building).unwrap();
        assert_eq!(building.files(), built.files);
        assert_eq!(built.files as usize, first.files.len());
        assert_eq!(listing().len(), 2, "{:?}", listing());
    }
    assert_eq!(listing(), ["site"]);
    assert_eq!(std::fs::read(site.join("en/index.html")).unwrap(), before);
    // Finished, it holds the same files the edition built in memory has.
    let mut building = Building::begin(&site).unwrap();
    let built = build_into(input.clone(), &mut building).unwrap();
    let check = LeakCheck::new(built.needles.clone()).unwrap();
    building
        .finish(built.record.number, &check, |_| Ok::<_, ()>(()))
        .unwrap()
        .unwrap();
    for (path, bytes) in &first.files {
        assert_eq!(&std::fs::read(site.join(path)).unwrap(), bytes, "{path}");
    }
    assert_eq!(built.record.pages, first.record.pages);
    assert_eq!(listing(), ["site"]);
}

#[test]
fn a_second_edition_keeps_addresses_and_pseudonyms_and_says_what_changed() {
    let mut input = archive();
    let first = build(input.clone()).unwrap();
    let mut previous: EditionRecord = first.record.clone();
    previous.at = "2026-12-06T00:00:00Z".into();
    // New evidence: a second agent with a report; the first report gains a paragraph; a
    // new private person is protected; the officer's page goes (the editor protects him).
    let mut second_agent = person("P4", &["Жданов Пётр Семенович"]);
    second_agent.roles.push("агент".into());
    let private2 = person("P5", &["Сидоров Илья Петрович"]);
    input.persons.insert(0, private2);
    input.persons.push(second_agent);
    input.reports[0].version = 2;
    input.reports[0].paragraphs.push(paragraph(
        "assessment",
        "Reliable; met Сидоровым И. П. twice.",
        "UNCLASSIFIED",
        vec![],
    ));
    input.reports.push(report(
        "R-P4",
        "P4",
        "Жданов Пётр Семенович",
        vec![paragraph(
            "subject",
            "Жданов Пётр Семенович, engineer.",
            "UNCLASSIFIED",
            vec![],
        )],
    ));
    input.decisions.push(kartoteka_model::EditorDecision {
        person: "P2".into(),
        name: "Кузьмин Арнольд Петрович".into(),
        disclosure: kartoteka_model::Disclosure::Protect,
        why: "a court order".into(),
        by: "editor".into(),
        at: String::new(),
    });
    input.previous = Some(previous);
    let second = build(input.clone()).unwrap();
    assert_eq!(second.record.number, 2);
    assert_eq!(second.changes.since, 1);
    assert!(second
        .changes
        .added
        .contains(&"en/reports/R-P4.html".to_string()));
    assert!(second
        .changes
        .added
        .contains(&"en/persons/P4.html".to_string()));
    assert!(second
        .changes
        .changed
        .contains(&"en/reports/R-P1.html".to_string()));
    assert!(second
        .changes
        .withdrawn
        .contains(&"en/persons/P2.html".to_string()));
    assert!(
        !second
            .changes
            .changed
            .contains(&"en/persons/P4.html".to_string())
            && !second
                .changes
                .changed
                .iter()
                .any(|p| p.ends_with("style.css")),
        "an unchanged page is not a change because the edition is new"
    );
    // The withdrawn page keeps its address and says so.
    let gone = text_of(&second, "en/persons/P2.html");
    assert!(gone.contains("Withdrawn") && !gone.contains("Кузьмин"));
    // The neighbour keeps A-1; the newcomers get new numbers, never A-1 again.
    let r1 = text_of(&second, "en/reports/R-P1.html");
    assert!(r1.contains("Person A-1"), "{r1}");
    assert_eq!(
        second.record.pseudonyms["P3"],
        first.record.pseudonyms["P3"]
    );
    assert!(second.record.pseudonyms["P5"] > 1 && second.record.pseudonyms["P2"] > 1);
    assert!(!r1.contains("Сидоров") && !r1.contains("Кузьмин"), "{r1}");
    let changes = text_of(&second, "en/changes.html");
    assert!(changes.contains("persons/P2.html") && changes.contains("reports/R-P4.html"));
    // A third edition with nothing new changes no page but the edition's own.
    let mut again = input;
    again.previous = Some(second.record.clone());
    let third = build(again).unwrap();
    assert!(third.changes.added.is_empty() && third.changes.withdrawn.is_empty());
    assert!(
        third
            .changes
            .changed
            .iter()
            .all(|p| p.ends_with("README.md")
                || p.ends_with("changes.html")
                || p.ends_with("index.html")),
        "{:?}",
        third.changes.changed
    );
}

/// Made-up names from two pools that share no surname, so the named never hide the
/// protected.
const AGENT_SURNAMES: [&str; 6] = ["Жданов", "Лебедев", "Громов", "Орлов", "Белов", "Зуев"];
const PRIVATE_SURNAMES: [&str; 6] = [
    "Петров",
    "Сидоров",
    "Морозов",
    "Волков",
    "Фёдоров",
    "Крылов",
];
const GIVEN: [(&str, &str); 5] = [
    ("Иван", "Иванович"),
    ("Павел", "Петрович"),
    ("Олег", "Сергеевич"),
    ("Илья", "Андреевич"),
    ("Николай", "Ильич"),
];

fn full_name(surname: &str, given: usize, woman: bool) -> String {
    let (g, p) = GIVEN[given % GIVEN.len()];
    if woman {
        let g = match g {
            "Иван" => "Ивана",
            "Павел" => "Павла",
            "Олег" => "Ольга",
            "Илья" => "Ирина",
            _ => "Нина",
        };
        let p = p
            .replace("ович", "овна")
            .replace("евич", "евна")
            .replace("Ильич", "Ильинична");
        format!("{surname}а {g} {p}")
    } else {
        format!("{surname} {g} {p}")
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    // Random archives: agents with reports, private persons mentioned in them in a random
    // form of their name (a case, a romanisation, initials) in paragraphs, quotes and the
    // related list; whatever the mix, no withheld form of a private name is in any byte.
    #[test]
    fn no_withheld_form_of_a_private_name_is_in_any_byte(
        agents in proptest::collection::vec((0usize..6, 0usize..5, proptest::bool::ANY), 1..4),
        privates in proptest::collection::vec((0usize..6, 0usize..5, proptest::bool::ANY, 0usize..10_000), 1..4),
    ) {
        let mut persons = Vec::new();
        let mut reports = Vec::new();
        let mut private_names = Vec::new();
        for (i, (s, g, w, _)) in privates.iter().enumerate() {
            let name = full_name(PRIVATE_SURNAMES[*s], *g, *w);
            if private_names.contains(&name) {
                continue;
            }
            persons.push(person(&format!("P{}", 100 + i), &[name.as_str()]));
            private_names.push(name);
        }
        for (i, (s, g, w)) in agents.iter().enumerate() {
            let name = full_name(AGENT_SURNAMES[*s], *g, *w);
            let id = format!("P{}", i + 1);
            let mut agent = person(&id, &[name.as_str()]);
            agent.roles.push("агент".into());
            persons.push(agent);
            let mut paragraphs = Vec::new();
            let mut related = Vec::new();
            for (j, (_, _, _, pick)) in privates.iter().enumerate() {
                let Some(private) = private_names.get(j) else { continue };
                let forms = withheld_forms(private);
                let form = &forms[(pick + i * 7) % forms.len()];
                paragraphs.push(paragraph(
                    "activity",
                    &format!("1950: {name} met {form}, \"{form}\" — <{form}>."),
                    "UNCLASSIFIED",
                    vec![citation(1, "ф. 1, оп. 1, д. 1, л. 1", &format!("о встрече с {form}"), "UNCLASSIFIED")],
                ));
                related.push(Related { person: None, name: form.clone(), relation: "met_with".into() });
            }
            let mut r = report(&format!("R-{id}"), &id, &name, paragraphs);
            r.related = related;
            reports.push(r);
        }
        let input = Input {
            date: "2026-12-06".into(),
            reports,
            persons,
            decisions: vec![],
            previous: None,
            collection: BTreeMap::new(),
            withheld_units: vec![],
            rules: Rules::default(),
            rules_text: String::new(),
        };
        let edition = build(input.clone()).unwrap();
        let names: Vec<&str> = private_names.iter().map(String::as_str).collect();
        let check = independent_check(&names);
        for (path, bytes) in &edition.files {
            let found = check.check_bytes(bytes);
            proptest::prop_assert!(found.is_empty(), "{}: {:?}", path, found.iter().map(|f| &f.found).collect::<Vec<_>>());
        }
    }
}

#[test]
fn the_paragraphs_that_are_not_public_and_their_sources_stay_out() {
    let mut input = archive();
    input.reports[0].paragraphs[0].marking = Marking {
        classification: Classification::Unclassified,
        releasable_to: vec!["GBR".into()],
        noforn: false,
        orcon: false,
    };
    let edition = build(input.clone()).unwrap();
    assert!(
        !edition.files.contains_key("en/reports/R-P1.html"),
        "a report with nothing public is left out"
    );
    assert_eq!(edition.summary.reports_left_out, 1);
}

/// The relative luminance of a "#rrggbb" colour (WCAG 2.1).
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn every_page_has_the_structure_a_screen_reader_and_a_phone_need() {
    let edition = build(archive()).unwrap();
    let mut pages = 0;
    for (path, bytes) in &edition.files {
        if !path.ends_with(".html") {
            continue;
        }
        pages += 1;
        let page = std::str::from_utf8(bytes).unwrap();
        assert!(page.starts_with("<!doctype html>"), "{path}");
        assert!(
            page.contains("<html lang=\"en\">") || page.contains("<html lang=\"ru\">"),
            "{path}"
        );
        assert!(page.contains("<meta name=\"viewport\""), "{path}");
        assert_eq!(page.matches("<h1").count(), 1, "{path}: one h1");
        assert!(
            page.contains("<main id=\"main\">") && page.contains("href=\"#main\""),
            "{path}"
        );
        assert!(
            page.contains("<nav aria-label=")
                && page.contains("<header>")
                && page.contains("<footer>"),
            "{path}"
        );
        for input in page.split("<input id=\"").skip(1) {
            let id = &input[..input.find('"').unwrap()];
            assert!(
                page.contains(&format!("<label for=\"{id}\"")),
                "{path}: a label for {id}"
            );
        }
        if path.starts_with("ru/") {
            assert!(page.contains("<html lang=\"ru\">"), "{path}");
        }
    }
    assert!(pages >= 16, "{pages}");
    // The colours text and links are drawn in stand out from the page (WCAG AA: 4.5).
    let css = String::from_utf8(edition.files["assets/style.css"].clone()).unwrap();
    let colour = |selector: &str, property: &str| -> String {
        let rule = &css[css.find(selector).unwrap()..];
        let rule = &rule[..rule.find('}').unwrap()];
        let at = rule.find(&format!("{property}: #")).unwrap() + property.len() + 2;
        rule[at..at + 7].to_string()
    };
    let background = colour("body {", "background");
    for (selector, property) in [
        ("body {", "color"),
        ("a {", "color"),
        ("a:visited", "color"),
        ("footer {", "color"),
    ] {
        let c = colour(selector, property);
        assert!(
            contrast(&c, &background) >= 4.5,
            "{selector} {c} on {background}: {}",
            contrast(&c, &background)
        );
    }
}
