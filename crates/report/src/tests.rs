use crate::pdf::{PAGE_HEIGHT, TEXT_LEFT, TEXT_RIGHT};
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
        marking: None,
        withheld: false,
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
        marking_notes: Vec::new(),
    }
}

fn report() -> Report {
    Report {
        id: "R-P1".into(),
        version: 2,
        subject: "P1".into(),
        subject_name: "Соколова Вера Андреевна".into(),
        title: "Agent «ХОЛА»: Соколова Вера Андреевна".into(),
        status: kartoteka_model::ReportStatus::Draft,
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
        released_to: None,
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
        md.contains(
            "1. (C//REL TO GBR, USA) ф. 9001, оп. 1, д. 1, л. 2, p. 1, chars 10-28: «Год рождения: 1911»"
        ),
        "{md}"
    );
    // A citation that knows its page's marking is marked by it, not by its paragraph.
    let mut r = report();
    r.paragraphs[0].citations[0].marking = Some(Marking::parse("RESTRICTED").unwrap());
    assert!(markdown(&r).contains("1. (R) ф. 9001"), "{}", markdown(&r));
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

/// The body text of a layout, in reading order, as one string of words.
fn body_words(layout: &Layout) -> Vec<String> {
    layout
        .pages
        .iter()
        .flat_map(|p| p.runs.iter().filter(|r| r.role == "body"))
        .flat_map(|r| r.text.split_whitespace().map(str::to_string))
        .collect()
}

#[test]
fn every_pdf_page_has_its_banners_and_folio_and_every_paragraph_its_mark() {
    let r = report();
    let layout = lay_out(&r).unwrap();
    let total = layout.pages.len();
    for (i, page) in layout.pages.iter().enumerate() {
        let banners: Vec<&Run> = page.runs.iter().filter(|r| r.role == "banner").collect();
        assert_eq!(banners.len(), 2, "page {}", i + 1);
        assert!(banners.iter().all(|b| b.text == "SECRET//REL TO GBR"));
        // One at the head, one at the foot, outside the body.
        assert!(banners.iter().any(|b| b.y > 780.0) && banners.iter().any(|b| b.y < 60.0));
        let folio = format!("Page {} of {total}", i + 1);
        assert!(page.runs.iter().any(|r| r.text == folio), "{folio}");
    }
    // Each paragraph's first line has its portion mark beside it, in the margin.
    let page = &layout.pages[0];
    for (text, mark) in [
        ("Соколова Вера Андреевна, born 1911.", "(C//REL TO"),
        ("1937-05-14 — recruited by Кузьмин А. П.", "(S//REL TO"),
        ("1938-09-03 — met Кузьмин", "(U)"),
    ] {
        let line = page
            .runs
            .iter()
            .find(|r| r.role == "body" && r.text.starts_with(text))
            .unwrap_or_else(|| panic!("{text}"));
        let beside = page
            .runs
            .iter()
            .find(|r| r.role == "mark" && r.y == line.y)
            .unwrap_or_else(|| panic!("no mark beside {text}"));
        assert_eq!(beside.text, mark);
        assert!(beside.x + beside.width < line.x);
    }
}

#[test]
fn long_reports_flow_onto_pages_without_losing_a_word_or_leaving_the_column() {
    let mut r = report();
    let long_word = "ф.9001/оп.1/д.1/л.2".repeat(12);
    let text = format!(
        "{} {long_word} конец.",
        "Встреча с Кузьминым в Лондоне, передано 12 листов. ".repeat(40)
    );
    for _ in 0..12 {
        r.paragraphs.push(paragraph(
            "activity",
            &text,
            "SECRET",
            "Встреча с Кузьминым",
        ));
    }
    let layout = lay_out(&r).unwrap();
    assert!(layout.pages.len() >= 4, "{} pages", layout.pages.len());
    for page in &layout.pages {
        for run in page.runs.iter().filter(|r| r.role == "body") {
            assert!(
                run.x >= TEXT_LEFT && run.x + run.width <= TEXT_RIGHT + 0.01,
                "{run:?}"
            );
            assert!(run.y >= 70.0 && run.y <= PAGE_HEIGHT - 70.0, "{run:?}");
        }
    }
    // Every word of the paragraphs is set, in order; the word wider than a line is cut,
    // not dropped.
    let words = body_words(&layout).join(" ");
    let joined: String = words.split_whitespace().collect();
    for p in &r.paragraphs {
        let want: String = p.text.split_whitespace().collect();
        assert!(joined.contains(&want), "missing: {}", p.text);
    }
    // A paragraph that runs onto the next page is marked there again.
    let continued = layout
        .pages
        .iter()
        .skip(1)
        .filter(|p| {
            let top = p
                .runs
                .iter()
                .filter(|r| r.role == "body")
                .map(|r| r.y)
                .fold(0.0, f32::max);
            p.runs.iter().any(|r| r.role == "mark" && r.y == top)
        })
        .count();
    assert_eq!(continued, layout.pages.len() - 1);
}

#[test]
fn the_pdf_is_whole_the_same_each_time_and_embeds_its_fonts() {
    let r = report();
    let bytes = pdf(&r).unwrap();
    assert_eq!(bytes, pdf(&r).unwrap());
    assert!(bytes.starts_with(b"%PDF-"));
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    assert_eq!(doc.get_pages().len(), lay_out(&r).unwrap().pages.len());
    let mut embedded = 0;
    let mut unicode_maps = 0;
    for object in doc.objects.values() {
        if let Ok(d) = object.as_dict() {
            if d.has(b"FontFile2") {
                embedded += 1;
            }
            if d.has(b"ToUnicode") {
                unicode_maps += 1;
            }
        }
    }
    assert_eq!((embedded, unicode_maps), (2, 2));
    // Only the glyphs used travel: the file is far smaller than the two faces.
    assert!(bytes.len() < 120_000, "{} bytes", bytes.len());
}

proptest::proptest! {
    // Any text in a paragraph is laid out without a panic, inside the column, with every
    // character that prints kept in order (control characters, scripts the font lacks and
    // words longer than a line included).
    #[test]
    fn any_paragraph_text_is_laid_out_whole_inside_the_column(
        text in "(\\PC|[\\n\\t ]){0,300}",
        long in "[a-zа-я0-9]{0,400}",
    ) {
        let mut r = report();
        r.paragraphs[0].text = format!("{text} {long}");
        let layout = lay_out(&r).unwrap();
        for page in &layout.pages {
            for run in page.runs.iter().filter(|r| r.role == "body") {
                proptest::prop_assert!(run.x >= TEXT_LEFT && run.x + run.width <= TEXT_RIGHT + 0.01, "{:?}", run);
            }
        }
        let set: String = body_words(&layout).concat();
        let want: String = r.paragraphs[0].text.split_whitespace().collect();
        proptest::prop_assert!(set.contains(&want), "{} not in {}", want, set);
        proptest::prop_assert!(pdf(&r).is_ok());
    }
}

#[test]
fn citation_numbers_link_to_their_entries() {
    let r = report();
    let layout = lay_out(&r).unwrap();
    let (citations, per) = numbered_citations(&r);
    // One link for each number a paragraph cites, over the "[n]" it prints.
    assert_eq!(layout.links.len(), per.iter().map(Vec::len).sum::<usize>());
    assert_eq!(layout.anchors.len(), citations.len());
    for link in &layout.links {
        let [x0, y0, x1, y1] = link.rect;
        assert!(
            x0 >= TEXT_LEFT && x1 <= TEXT_RIGHT && x1 - x0 > 5.0 && y1 > y0,
            "{link:?}"
        );
        // Its entry is where the anchor says: the bold line starting "[n]".
        let (page, top) = layout.anchors[link.citation - 1];
        let entry = layout.pages[page]
            .runs
            .iter()
            .find(|r| r.text.starts_with(&format!("[{}] ", link.citation)))
            .unwrap();
        assert!(top > entry.y && top - entry.y < 20.0, "{top} {entry:?}");
    }
    let doc = lopdf::Document::load_mem(&pdf(&r).unwrap()).unwrap();
    let annotations = doc
        .objects
        .values()
        .filter(|o| {
            o.as_dict().is_ok_and(|d| {
                d.get(b"Subtype")
                    .is_ok_and(|s| s.as_name().is_ok_and(|n| n == b"Link"))
            })
        })
        .count();
    assert_eq!(annotations, layout.links.len());
}

/// Issue 15, class 3: a figure repeats what paragraphs say, so it carries the highest
/// marking of what it shows, visibly, above it and inside the drawing.
#[test]
fn figures_carry_the_portion_mark_of_what_they_show() {
    let r = report();
    let page = html(&r);
    let figures: Vec<&str> = page.split("<figure").skip(1).collect();
    assert_eq!(figures.len(), 2, "a diagram and a timeline");
    // The timeline draws a SECRET//REL TO GBR paragraph and an unclassified one.
    let secret = portion_mark(&Marking::parse("SECRET//REL TO GBR").unwrap());
    let timeline = figures.iter().find(|f| f.contains("Timeline")).unwrap();
    assert!(
        timeline.contains(&format!("<figcaption class=\"mark\">{}", secret)),
        "{timeline}"
    );
    let svg = &timeline[timeline.find("<svg").unwrap()..];
    assert!(svg.contains(&secret), "the drawing itself carries the mark");
    // The diagram shows the subject (CONFIDENTIAL//REL TO GBR, USA) and a related person
    // (unclassified): the higher of the two.
    let diagram = figures
        .iter()
        .find(|f| f.contains("Relationships"))
        .unwrap();
    let confidential = portion_mark(&Marking::parse("CONFIDENTIAL//REL TO GBR, USA").unwrap());
    assert!(diagram.contains(&confidential), "{diagram}");
    // Raise the related paragraph: the diagram follows.
    let mut raised = r.clone();
    raised.paragraphs[3].marking_override = Some(Marking::parse("TOP SECRET").unwrap());
    let page = html(&raised);
    let diagram = page
        .split("<figure")
        .find(|f| f.contains("Relationships"))
        .unwrap();
    assert!(
        diagram.contains(&portion_mark(&Marking::parse("TOP SECRET").unwrap())),
        "{diagram}"
    );
}

/// A dossier page: every name escaped, the diagram drawn once per other person with all
/// the ways they are related, and every mention listed with its sheet.
#[test]
fn a_dossier_page_escapes_names_and_draws_each_relation_once() {
    use kartoteka_model::{
        CoverNameHeld, DocId, Dossier, DossierRelation, Person, PersonMention, RelationKind,
        TimelineEntry,
    };
    let relation = |kind: RelationKind, other: &str| DossierRelation {
        kind,
        outgoing: true,
        other_person: None,
        other: other.into(),
        doc: DocId(3),
        page: 1,
    };
    let d = Dossier {
        person: Person {
            id: "P7".into(),
            name: "Соколова <Вера>".into(),
            names: vec!["Соколова <Вера>".into(), "V. Sokolova".into()],
            cover_names: vec![CoverNameHeld {
                name: "ХОЛА".into(),
                from: Some("1937".into()),
                to: None,
            }],
            merged_from: vec![],
            mentions: vec![PersonMention {
                id: 11,
                doc: DocId(3),
                reference: Some("ф. 9002, оп. 1, д. 1".into()),
                page: 1,
                sheet: Some(4),
                start: 0,
                end: 8,
                text: "Соколова".into(),
                context: "агент \"ХОЛА\" & связь".into(),
            }],
        },
        roles: vec!["agent".into()],
        units: vec![],
        own_files: vec![],
        relations: vec![
            relation(RelationKind::HandledBy, "Зайцин"),
            relation(RelationKind::MetWith, "Зайцин"),
            relation(RelationKind::RecruitedBy, "Орлов"),
        ],
        timeline: vec![TimelineEntry {
            date: "1937-05-14".into(),
            doc: DocId(3),
            reference: None,
            text: "встреча".into(),
        }],
        judgements: vec![],
        redirect: None,
    };
    let page = crate::dossier_html(&d);
    assert!(page.contains("Соколова &lt;Вера&gt;"), "{page}");
    assert!(!page.contains("<Вера>"));
    assert!(page.contains("агент &quot;ХОЛА&quot; &amp; связь"));
    assert!(page.contains("л. 4"));
    let svg = &page[page.find("<svg").expect("a diagram")..page.find("</svg>").expect("closed")];
    // One box for Зайцин with both relations on its line, one for Орлов.
    assert_eq!(svg.matches(">Зайцин<").count(), 1, "{svg}");
    assert!(svg.contains("handled by, met with"), "{svg}");
    assert_eq!(svg.matches(">Орлов<").count(), 1, "{svg}");
    assert!(svg.contains("«ХОЛА»"));
}

/// A collection is every report in every format, then its index, which lists the reports
/// and what became of those no longer made.
#[test]
fn a_collection_has_each_report_in_every_format_and_an_index() {
    use kartoteka_model::{CollectionIndex, Fate, ReportFate};
    let first = report();
    let mut second = report();
    second.id = "R-P9".into();
    second.title = "Report on P9".into();
    let index = CollectionIndex {
        reports: 2,
        agents: 2,
        countries: 1,
        ..CollectionIndex::default()
    };
    let gone = [ReportFate {
        report: "R-P4".into(),
        version: 2,
        fate: Fate::Superseded,
        by: vec!["R-P9".into()],
        reason: "merged".into(),
        at: String::new(),
    }];
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    crate::write_collection::<crate::PdfError>(&[&first, &second], &index, &gone, false, |n, b| {
        files.push((n.to_string(), b.to_vec()));
        Ok(())
    })
    .expect("written");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for id in [first.id.as_str(), "R-P9"] {
        for ext in ["md", "html", "json", "stix.json"] {
            let name = format!("{id}.{ext}");
            assert!(names.contains(&name.as_str()), "{name} in {names:?}");
        }
        assert!(!names.contains(&format!("{id}.pdf").as_str()));
    }
    let index_md = files
        .iter()
        .find(|(n, _)| n == "index.md")
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .expect("index.md");
    assert!(index_md.contains("(R-P9.md)"), "{index_md}");
    assert!(
        index_md.contains("2 reports on 2 agents in 1 countries"),
        "{index_md}"
    );
    assert!(
        index_md.contains("R-P4 v2 superseded by R-P9 (merged)"),
        "{index_md}"
    );
    let counts = files
        .iter()
        .find(|(n, _)| n == "index.json")
        .map(|(_, b)| serde_json::from_slice::<CollectionIndex>(b).expect("counts read back"))
        .expect("index.json");
    assert_eq!(counts, index);
    assert_eq!(names.last(), Some(&"index.json"));
}
