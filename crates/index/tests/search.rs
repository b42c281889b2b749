//! Search behaviour a researcher relies on, on a small in-memory index.

use kartoteka_index::{PageEntry, Query, SearchIndex, SearchOptions};
use kartoteka_model::{DateRange, DocId, Format, Reference, Sheet};

struct Doc {
    text: &'static str,
    reference: &'static str,
    lang: &'static str,
    format: Format,
    dates: &'static str,
}

const DOCS: &[Doc] = &[
    Doc {
        text: "Справка. Хрущёв Н. С. принял делегацию.",
        reference: "ф. 17, оп. 171, д. 409",
        lang: "ru",
        format: Format::Text,
        dates: "1956",
    },
    Doc {
        text: "Письмо Хрущёву от Кузьминой о поездке в Лондон.",
        reference: "ф. 17, оп. 171, д. 410",
        lang: "ru",
        format: Format::Pdf,
        dates: "1957",
    },
    Doc {
        text: "Memorandum: Khrushchev met the ambassador in Vienna.",
        reference: "ф. 17, оп. 172, д. 1",
        lang: "en",
        format: Format::Markdown,
        dates: "1961",
    },
    Doc {
        text: "Донесение агента «ХОЛА» о встрече с Лаврентием Берией в Лондоне.",
        reference: "ф. 5, оп. 1, д. 7",
        lang: "ru",
        format: Format::Text,
        dates: "1944-1946",
    },
    Doc {
        text: "Кузьмин прибыл в Москву. Кузьмин доложил резиденту.",
        reference: "ф. 5, оп. 1, д. 8",
        lang: "ru",
        format: Format::Docx,
        dates: "1938",
    },
    Doc {
        text: "Die Rede Chruschtschows wurde gedruckt.",
        reference: "ф. 5, оп. 2, д. 1",
        lang: "de",
        format: Format::Html,
        dates: "1956",
    },
];

fn index() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    let refs: Vec<Reference> = DOCS.iter().map(|d| d.reference.parse().unwrap()).collect();
    for (i, d) in DOCS.iter().enumerate() {
        let id = DocId(i as i64 + 1);
        let page = PageEntry {
            doc: id,
            page: 1,
            sheet: Some(Sheet::recto(i as u32 + 10)),
            text: d.text,
            reference: Some(&refs[i]),
            language: Some(d.lang),
            format: d.format,
            dates: DateRange::parse(d.dates),
            analyzed: None,
        };
        writer.replace_document(id, vec![page.clone()]).unwrap();
        // Re-adding replaces rather than duplicates.
        writer.replace_document(id, vec![page]).unwrap();
    }
    writer.commit().unwrap();
    index.refresh().unwrap();
    index
}

/// The text of the test pages, for exact mode.
fn text(doc: DocId, _page: u32) -> Option<String> {
    DOCS.get(doc.0 as usize - 1).map(|d| d.text.to_string())
}

fn found(index: &SearchIndex, q: &str, options: SearchOptions) -> Vec<i64> {
    let mut docs: Vec<i64> = index
        .search(
            &Query::parse(q).unwrap(),
            &SearchOptions {
                limit: 50,
                ..options
            },
            &text,
        )
        .unwrap()
        .hits
        .iter()
        .map(|h| h.doc.0)
        .collect();
    docs.sort();
    docs
}

fn plain(index: &SearchIndex, q: &str) -> Vec<i64> {
    found(index, q, SearchOptions::default())
}

#[test]
fn surnames_are_found_in_every_case() {
    let index = index();
    for q in ["Хрущёв", "Хрущёва", "Хрущёвым", "Хрущеве"] {
        let docs = plain(&index, q);
        assert!(docs.contains(&1) && docs.contains(&2), "{q}: {docs:?}");
    }
    assert!(
        plain(&index, "Кузьмина").contains(&5),
        "Кузьмина finds Кузьмин"
    );
    assert!(plain(&index, "Берия").contains(&4), "Берия finds Берией");
}

#[test]
fn names_are_found_across_scripts() {
    let index = index();
    for q in [
        "Khrushchev",
        "Khrushchyov",
        "Chruschtschow",
        "Khrouchtchev",
        "Chruszczow",
        "Hruŝëv",
    ] {
        let docs = plain(&index, q);
        assert!(docs.contains(&1) && docs.contains(&3), "{q}: {docs:?}");
    }
    let docs = plain(&index, "Хрущёв");
    assert!(docs.contains(&3), "Хрущёв finds Khrushchev: {docs:?}");
    assert!(plain(&index, "Beria").contains(&4));
    assert!(plain(&index, "HOLA").contains(&4));
}

#[test]
fn the_exact_spelling_ranks_first() {
    let index = index();
    let results = index
        .search(
            &Query::parse("Khrushchev").unwrap(),
            &SearchOptions::default(),
            &text,
        )
        .unwrap();
    assert_eq!(results.hits[0].doc, DocId(3));
}

#[test]
fn phrases_booleans_and_exact_mode() {
    let index = index();
    assert_eq!(
        plain(&index, "\"Лаврентий Берия\""),
        [4],
        "phrase across inflection"
    );
    assert_eq!(
        plain(&index, "\"Берия Лаврентий\""),
        Vec::<i64>::new(),
        "word order matters in a phrase"
    );
    assert_eq!(plain(&index, "Лондон -ХОЛА"), [2]);
    assert_eq!(plain(&index, "Вена OR Vienna OR Москва"), [3, 5]);
    let exact = SearchOptions {
        exact: true,
        ..Default::default()
    };
    assert_eq!(found(&index, "Хрущёв", exact.clone()), [1]);
    assert_eq!(
        found(&index, "Хрущев", exact.clone()),
        Vec::<i64>::new(),
        "exact mode does not fold ё"
    );
    assert_eq!(
        found(&index, "хрущёв", exact),
        Vec::<i64>::new(),
        "exact mode is case-sensitive"
    );
}

#[test]
fn filters_by_unit_language_format_and_date() {
    let index = index();
    let within = |r: &str| SearchOptions {
        within: Some(r.parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(found(&index, "Хрущёв", within("ф. 17, оп. 171")), [1, 2]);
    assert_eq!(found(&index, "Хрущёв", within("ф. 17")), [1, 2, 3]);
    assert_eq!(
        found(&index, "Хрущёв", within("ф. 17, оп. 171, д. 410")),
        [2]
    );
    assert_eq!(
        found(&index, "Хрущёв", within("ф. 17, оп. 171, д. 409, л. 10")),
        [1]
    );
    assert_eq!(
        found(&index, "Хрущёв", within("ф. 17, оп. 171, д. 409, л. 11")),
        Vec::<i64>::new()
    );
    let lang = SearchOptions {
        language: Some("en".into()),
        ..Default::default()
    };
    assert_eq!(found(&index, "Хрущёв", lang), [3]);
    let format = SearchOptions {
        format: Some(Format::Pdf),
        ..Default::default()
    };
    assert_eq!(found(&index, "Хрущёв", format), [2]);
    let dates = SearchOptions {
        dates: DateRange::parse("1945..1956"),
        ..Default::default()
    };
    assert_eq!(found(&index, "Лондон OR Хрущёв", dates), [1, 4]);
}

#[test]
fn hits_carry_sheet_and_totals() {
    let index = index();
    let results = index
        .search(
            &Query::parse("Кузьмин").unwrap(),
            &SearchOptions {
                limit: 1,
                ..Default::default()
            },
            &text,
        )
        .unwrap();
    assert_eq!(results.total, 2);
    assert_eq!(results.hits.len(), 1);
    assert!(results.hits[0].sheet.is_some());
}

#[test]
fn matched_positions_point_at_the_words_that_matched() {
    let index = index();
    for q in [
        "Хрущёв",
        "Кузьмин",
        "Лондон OR Vienna",
        "\"Лаврентий Берия\"",
    ] {
        let query = Query::parse(q).unwrap();
        let results = index
            .search(
                &query,
                &SearchOptions {
                    limit: 50,
                    ..Default::default()
                },
                &text,
            )
            .unwrap();
        for hit in &results.hits {
            let positions = index.matched_positions(&query, hit).unwrap();
            assert!(
                !positions.is_empty(),
                "{q}: a hit has at least one matched word"
            );
            let page = text(hit.doc, hit.page).unwrap();
            let marked = kartoteka_index::snippet_at(&page, &positions);
            assert!(!marked.highlights.is_empty(), "{q}: {page}");
        }
    }
    // Хрущёву in one page, Khrushchev in another: each is marked where it stands.
    let query = Query::parse("Хрущёв").unwrap();
    let hits = index
        .search(&query, &SearchOptions::default(), &text)
        .unwrap()
        .hits;
    let khrushchev = hits.iter().find(|h| h.doc == DocId(3)).unwrap();
    let page = text(khrushchev.doc, 1).unwrap();
    let s =
        kartoteka_index::snippet_at(&page, &index.matched_positions(&query, khrushchev).unwrap());
    assert_eq!(
        s.marked("[", "]"),
        "Memorandum: [Khrushchev] met the ambassador in Vienna."
    );
}

#[test]
fn an_index_of_another_schema_is_replaced_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut other = tantivy::schema::Schema::builder();
    other.add_text_field("something_else", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(dir.path(), other.build()).unwrap();
    let (index, fresh) = SearchIndex::open_or_rebuild(dir.path()).unwrap();
    assert!(fresh, "the caller is told to refill it");
    assert_eq!(index.page_count(), 0);
    let (_, fresh_again) = SearchIndex::open_or_rebuild(dir.path()).unwrap();
    assert!(!fresh_again, "an index of this schema is kept");
}
