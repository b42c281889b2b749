use kartoteka_model::{Citation, DocId, Marking, Paragraph, Related, Report};

use super::*;

fn citation(quote: &str) -> Citation {
    Citation {
        doc: DocId(5),
        reference: Some("ф. 9001, оп. 1, д. 1, л. 2".into()),
        page: 1,
        start: 10,
        end: 10 + quote.chars().count() as u32,
        quote: quote.into(),
    }
}

fn paragraph(section: &str, text: &str, marking: &str, quote: &str) -> Paragraph {
    Paragraph {
        section: section.into(),
        text: text.into(),
        claims: vec![],
        citations: vec![citation(quote)],
        marking: Marking::parse(marking).unwrap(),
        marking_override: None,
        edited: false,
    }
}

fn report() -> Report {
    Report {
        id: "R-P1".into(),
        version: 2,
        subject: "P1".into(),
        subject_name: "Соколова Вера Андреевна".into(),
        title: "Agent «ХОЛА»: Соколова Вера Андреевна".into(),
        status: "draft".into(),
        paragraphs: vec![
            paragraph(
                "subject",
                "Соколова Вера Андреевна, born 1911.",
                "CONFIDENTIAL//REL TO GBR, USA",
                "Год рождения: 1911",
            ),
            paragraph(
                "activity",
                "1937-05-14 — recruited by Кузьмин А. П.",
                "SECRET//REL TO GBR",
                "завербована Соколова Вера Андреевна",
            ),
            paragraph(
                "activity",
                "1938-09-03 — met Кузьмин",
                "UNCLASSIFIED",
                "Встреча с Кузьминым",
            ),
            paragraph(
                "related",
                "Recruited by Кузьмин Арнольд Петрович.",
                "UNCLASSIFIED",
                "оперработником Кузьминым А. П.",
            ),
        ],
        countries: vec!["GBR".into()],
        period: Some((1937, 1947)),
        cover_names: vec!["ХОЛА".into(), "ЛИРА".into()],
        related: vec![Related {
            person: Some("P2".into()),
            name: "Кузьмин Арнольд Петрович".into(),
            relation: "recruited_by".into(),
        }],
        places: vec!["Лондон".into()],
        services: vec!["НКВД".into()],
        by: "analyst".into(),
        at: "2026-12-02T01:00:00Z".into(),
        why: "generated".into(),
    }
}

#[test]
fn the_report_marking_is_the_highest_of_its_paragraphs() {
    let r = report();
    assert_eq!(r.marking().to_string(), "SECRET//REL TO GBR");
    let md = markdown(&r);
    assert!(md.starts_with("**SECRET//REL TO GBR**"), "{md}");
    assert!(md.trim_end().ends_with("**SECRET//REL TO GBR**"), "{md}");
    assert!(md.contains("(C//REL TO GBR, USA) Соколова"), "{md}");
    assert!(
        md.contains("1. ф. 9001, оп. 1, д. 1, л. 2, p. 1, chars 10-28: «Год рождения: 1911»"),
        "{md}"
    );
}

#[test]
fn a_reviewer_marking_replaces_the_rules_one() {
    let mut r = report();
    r.paragraphs[1].marking_override = Some(Marking::parse("TOP SECRET").unwrap());
    assert_eq!(r.marking().to_string(), "TOP SECRET//REL TO GBR, USA");
    assert!(markdown(&r).contains("(TS) 1937-05-14"));
}

#[test]
fn html_has_banners_marks_diagram_and_timeline() {
    let page = html(&report());
    assert_eq!(
        page.matches(r#"<div class="banner">SECRET//REL TO GBR</div>"#)
            .count(),
        2
    );
    assert!(page.contains("<svg") && page.contains("Кузьмин Арнольд Петрович"));
    assert!(page.contains("aria-label=\"Timeline\""));
    assert!(page.contains(r##"<a href="#c2">[2]</a>"##));
    // Text is escaped.
    let mut r = report();
    r.title = "<script>".into();
    assert!(!html(&r).contains("<script>"));
}

#[test]
fn stix_ids_are_stable_and_markings_follow_the_classification() {
    let r = report();
    let a = stix_bundle(&r);
    assert_eq!(a, stix_bundle(&r));
    let objects = a["objects"].as_array().unwrap();
    let tlp = objects
        .iter()
        .find(|o| o["extensions"][TLP_2_0_EXTENSION].is_object())
        .unwrap();
    assert_eq!(tlp["name"], "TLP:AMBER+STRICT");
    let statement = objects
        .iter()
        .find(|o| o["definition_type"] == "statement")
        .unwrap();
    assert_eq!(statement["definition"]["statement"], "SECRET//REL TO GBR");
    let actor = objects
        .iter()
        .find(|o| o["type"] == "threat-actor")
        .unwrap();
    assert_eq!(actor["name"], "ХОЛА");
    assert_eq!(actor["aliases"], serde_json::json!(["ЛИРА"]));
    let report_object = objects.iter().find(|o| o["type"] == "report").unwrap();
    assert_eq!(
        report_object["external_references"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    for o in objects {
        let id = o["id"].as_str().unwrap();
        let uuid = id.split_once("--").unwrap().1;
        assert_eq!(uuid.len(), 36, "{id}");
    }
}
