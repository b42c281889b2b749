use super::*;
use kartoteka_model::Classification;

proptest::proptest! {
    // A span from anyone: parsed or refused with a reason, never a panic.
    #[test]
    fn any_span_text_gets_an_answer(text in "\\PC{0,40}") {
        if let Ok((_, page, start, end)) = parse_span(&text) {
            proptest::prop_assert!(page >= 1 && start < end);
        }
    }

    // Any page gets a marking (a level, by its type), never a panic.
    #[test]
    fn any_page_gets_a_marking(text in "\\PC{0,200}") {
        let _ = page_marking(&text);
    }
}

#[test]
fn spans_parse_and_bad_ones_say_why() {
    assert_eq!(parse_span("12:5-9").unwrap(), ("12".into(), 1, 5, 9));
    assert_eq!(parse_span("12/3:5-9").unwrap(), ("12".into(), 3, 5, 9));
    assert_eq!(
        parse_span("ф. 9001, оп. 1, д. 1, л. 2:10-40").unwrap(),
        ("ф. 9001, оп. 1, д. 1, л. 2".into(), 1, 10, 40)
    );
    for bad in ["12", "12:9-5", "12:a-b", "12/0:1-2", ":1"] {
        assert!(parse_span(bad).is_err(), "{bad}");
    }
}

fn claim(id: &str, topic: &str, object: &str) -> Claim {
    Claim {
        id: id.into(),
        subject: "P1".into(),
        topic: topic.into(),
        text: format!("{topic} {object}"),
        object: Some(object.into()),
        date: None,
        citations: vec![],
        grade: Grade {
            reliability: 'B',
            credibility: 2,
        },
        why: "test".into(),
        by: MACHINE.into(),
        at: String::new(),
    }
}

#[test]
fn contradicting_claims_are_both_kept_and_marked_doubtful() {
    let mut claims = vec![
        claim("D1", "birth_date", "1911"),
        claim("D2", "birth_date", "1911-03-02"),
        claim("D3", "birth_date", "1912"),
        claim("D4", "recruitment", "P7"),
        claim("D5", "contact", "P8"),
        claim("D6", "contact", "P9"),
    ];
    let found = conflicts(&mut claims);
    let pairs: Vec<(&str, &str)> = found.iter().map(|c| (c.a.as_str(), c.b.as_str())).collect();
    // 1911 and 1911-03-02 agree; 1912 contradicts both; several contacts are no conflict.
    assert_eq!(pairs, vec![("D1", "D3"), ("D2", "D3")]);
    assert_eq!(claims.len(), 6);
    assert_eq!(claims[2].grade.credibility, 4);
    assert!(claims[2].why.contains("contradicted by D1"));
    assert_eq!(claims[4].grade.credibility, 2);
}

#[test]
fn the_index_counts_by_country_status_period_and_service() {
    let report = |id: &str, subject: &str, countries: &[&str], service: Option<&str>| Report {
        id: id.into(),
        version: 1,
        subject: subject.into(),
        subject_name: subject.into(),
        title: id.into(),
        status: ReportStatus::Draft,
        paragraphs: vec![],
        countries: countries.iter().map(|c| c.to_string()).collect(),
        period: Some((1944, 1946)),
        cover_names: vec![],
        related: vec![],
        places: vec![],
        services: service.into_iter().map(String::from).collect(),
        by: MACHINE.into(),
        at: String::new(),
        why: String::new(),
        released_to: None,
    };
    let ix = collection_index(&[
        report("R-P1", "P1", &["GBR", "USA"], Some("НКВД")),
        report("R-P1-1", "P1", &["GBR"], Some("НКВД")),
        report("R-P2", "P2", &[], None),
    ]);
    assert_eq!((ix.reports, ix.agents, ix.countries), (3, 2, 2));
    assert_eq!(ix.by_country["GBR"], 2);
    assert_eq!(ix.by_service["НКВД"], 2);
    assert_eq!(ix.by_service["unknown"], 1);
    assert_eq!(ix.by_period["1940s"], 3);
}

#[test]
fn dates_fall_in_periods_at_their_own_precision() {
    let d = |s: &str| PartialDate::parse(s);
    let (from, to) = (d("1937"), d("1946"));
    assert!(within("1937", from, to));
    assert!(within("1937-05", from, to));
    assert!(within("1946-12-31", from, to));
    assert!(!within("1947", from, to));
    assert!(!within("1936-12", from, to));
    assert!(within("1999", d("1960-01-01"), None));
    // A period of a month takes a date of its year (which may fall in it), a day of
    // it, and no day outside it.
    let (from, to) = (d("1937-05"), d("1937-05"));
    assert!(within("1937", from, to));
    assert!(within("1937-05-14", from, to));
    assert!(!within("1937-06-01", from, to));
    assert!(within("1944-03..1944-05", d("1944-04"), None));
    assert!(!within("spring", from, to));
}

#[test]
fn report_ids_are_latin_capitals_digits_and_hyphens() {
    assert_eq!(id_part("ХОЛА"), "KHOLA");
    assert_eq!(id_part("Штирлиц"), "SHTIRLITS");
    assert_eq!(id_part("«ЮНГА-2»"), "IUNGA-2");
    assert_eq!(id_part("Żbik"), "ZBIK");
    assert_eq!(id_part("«»"), "X");
    let file = Reference::parse("ф. Р-8131, оп. 1, д. 12").unwrap();
    assert_eq!(case_id(&file), "FR8131-1-12");
}

#[test]
fn pages_say_their_own_classification() {
    assert_eq!(
        page_marking("СОВЕРШЕННО СЕКРЕТНО\nЭкз. 1").classification,
        Classification::TopSecret
    );
    assert_eq!(
        page_marking("Секретно\nСПРАВКА").classification,
        Classification::Secret
    );
    // "секретность" is not a marking.
    assert_eq!(
        page_marking("вопросы секретности").classification,
        Classification::Unclassified
    );
    let m = page_marking("SECRET//REL TO GBR, USA\nMemo");
    assert_eq!(m.to_string(), "SECRET//REL TO GBR, USA");
    // Dissemination controls, in the short and the spelled-out forms.
    let m = page_marking("TOP SECRET // ORCON\nNOT RELEASABLE TO FOREIGN NATIONALS");
    assert_eq!(m.to_string(), "TOP SECRET//ORCON/NOFORN");
    // A word that holds the letters is not the control.
    assert!(!page_marking("the NOFORNIA affair").noforn);
}

/// Page texts held in memory, for the rules to read without a store.
struct Texts(HashMap<(DocId, u32), String>);

impl PageText for Texts {
    type Error = std::convert::Infallible;

    fn page_text(&mut self, doc: DocId, page: u32) -> Result<Option<String>, Self::Error> {
        Ok(self.0.get(&(doc, page)).cloned())
    }
}

#[test]
fn a_page_is_marked_by_its_own_words_and_raised_by_the_rule_of_its_unit() {
    let texts = Texts(HashMap::from([
        ((DocId(1), 1), "СЕКРЕТНО\nСправка".to_string()),
        ((DocId(2), 1), "Справка без грифа".to_string()),
    ]));
    let rule = MarkingRule {
        unit: "ф. 9002".into(),
        marking: Marking::parse("TOP SECRET").expect("a marking"),
        why: "order".into(),
        by: String::new(),
        at: String::new(),
    };
    let mut pages = Pages::new(texts, &[rule]);
    let (own, _) = pages.marking(DocId(1), 1, None).expect("read");
    assert_eq!(own.classification, Classification::Secret);
    let plain = Reference::parse("ф. 1, оп. 1, д. 1").expect("a reference");
    let (unmarked, _) = pages.marking(DocId(2), 1, Some(&plain)).expect("read");
    assert_eq!(unmarked.classification, Classification::Unclassified);
    let held = Reference::parse("ф. 9002, оп. 1, д. 4").expect("a reference");
    let (raised, _) = pages.marking(DocId(2), 1, Some(&held)).expect("read");
    assert_eq!(raised.classification, Classification::TopSecret);
    // A page that is not there is unmarked, not an error.
    let (none, _) = pages.marking(DocId(9), 1, None).expect("read");
    assert_eq!(none.classification, Classification::Unclassified);
    assert_eq!(
        pages.get(DocId(2), 1).expect("read"),
        Some("Справка без грифа")
    );
}
