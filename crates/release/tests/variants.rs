//! A partner's variant, written in every format, holds nothing of what the rule withholds
//! from it, and everything it keeps.

use kartoteka_model::{
    releasable, Audience, Caveat, Citation, Classification, DocId, Marking, NeedToKnow, Paragraph,
    Partner, PartnerState, Related, Report, ReportStatus,
};
use kartoteka_release::variant;

fn partner(country: &str, clearance: Classification, orcon: bool) -> Partner {
    Partner {
        id: format!("{country}-SERVICE"),
        country: country.to_string(),
        service: "Service".to_string(),
        clearance,
        caveats: if orcon { vec![Caveat::Orcon] } else { vec![] },
        groups: vec![],
        recipient: String::new(),
        verify_key: String::new(),
        need_to_know: NeedToKnow::default(),
        state: PartnerState::Active,
        why: String::new(),
        by: String::new(),
        at: String::new(),
    }
}

/// Unique words: none is a part of another.
fn para_word(i: usize) -> String {
    format!("PARA{i}END")
}
fn quote_word(i: usize, j: usize) -> String {
    format!("QUOTE{i}X{j}END")
}
fn ref_word(i: usize, j: usize) -> String {
    format!("REFCODE{i}X{j}END")
}
fn name_word(i: usize) -> String {
    format!("NAME{i}END")
}
fn cover_word(i: usize) -> String {
    format!("COVER{i}END")
}
fn place_word(i: usize) -> String {
    format!("PLACE{i}END")
}

/// A report whose paragraph i alone says PARA{i}, names NAME{i}, COVER{i} and PLACE{i},
/// and cites QUOTE{i}X{j} at REFCODE{i}X{j}; the first is the subject's.
fn report(markings: &[(Marking, Vec<Marking>)]) -> Report {
    let paragraphs = markings
        .iter()
        .enumerate()
        .map(|(i, (m, cites))| Paragraph {
            section: if i == 0 { "subject" } else { "activity" }.to_string(),
            text: format!(
                "{}{} {} met {} as «{}» in {}.",
                if i == 0 { "Subject Person. " } else { "" },
                1930 + i,
                para_word(i),
                name_word(i),
                cover_word(i),
                place_word(i)
            ),
            claims: vec![format!("D{i}")],
            citations: cites
                .iter()
                .enumerate()
                .map(|(j, cm)| Citation {
                    doc: DocId(i as i64 * 10 + j as i64 + 1),
                    reference: Some(ref_word(i, j)),
                    page: 1,
                    start: 0,
                    end: 5,
                    quote: quote_word(i, j),
                    marking: Some(cm.clone()),
                    withheld: false,
                })
                .collect(),
            marking: m.clone(),
            marking_override: None,
            edited: false,
            marking_notes: vec![],
        })
        .collect();
    Report {
        id: "R-P1".to_string(),
        version: 3,
        subject: "P1".to_string(),
        subject_name: "Subject Person".to_string(),
        title: format!("Agent «{}»: Subject Person", cover_word(1)),
        status: ReportStatus::Approved,
        paragraphs,
        countries: vec!["GBR".to_string()],
        period: Some((1930, 1940)),
        cover_names: (0..markings.len()).map(cover_word).collect(),
        related: (0..markings.len())
            .map(|i| Related {
                person: Some(format!("P{}", i + 10)),
                name: name_word(i),
                relation: "met_with".to_string(),
            })
            .collect(),
        places: (0..markings.len()).map(place_word).collect(),
        services: vec![],
        by: "reviewer".to_string(),
        at: "2026-12-06T00:00:00Z".to_string(),
        why: "approved".to_string(),
        released_to: None,
    }
}

fn marking(level: usize, rel: &[String], noforn: bool, orcon: bool) -> Marking {
    let mut list: Vec<String> = Vec::new();
    for r in rel {
        if !list.contains(r) {
            list.push(r.clone());
        }
    }
    Marking {
        classification: Classification::ALL[level],
        releasable_to: if noforn { vec![] } else { list },
        noforn,
        orcon,
    }
}

/// Every format a variant is written in, as text (the PDF is checked apart).
fn formats(r: &Report) -> Vec<(&'static str, String)> {
    vec![
        ("markdown", kartoteka_report::markdown(r)),
        ("html", kartoteka_report::html(r)),
        ("json", kartoteka_report::json(r).to_string()),
        ("stix", kartoteka_report::stix_bundle(r).to_string()),
    ]
}

fn marking_strategy() -> impl proptest::strategy::Strategy<Value = Marking> {
    use proptest::prelude::*;
    (
        0usize..5,
        proptest::collection::vec("(GBR|USA|DEU|FVEY|NATO)", 0..3),
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(l, rel, nf, oc)| marking(l, &rel, nf, oc))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn nothing_withheld_reaches_a_partner_in_any_format(
        markings in proptest::collection::vec(
            (marking_strategy(), proptest::collection::vec(marking_strategy(), 1..3)), 1..6),
        country in "(GBR|USA|DEU|EST)",
        cleared in 0usize..5,
        orcon: bool,
        consent: bool,
    ) {
        let r = report(&markings);
        let p = partner(&country, Classification::ALL[cleared], orcon);
        let v = variant(&r, &p, consent);
        let out = formats(&v.report);
        let open = |m: &Marking| releasable(m, Audience::Partner(&p), consent).is_ok();
        for (i, (m, cites)) in markings.iter().enumerate() {
            if open(m) {
                proptest::prop_assert!(out[0].1.contains(&para_word(i)), "kept paragraph {} missing", i);
                for (j, cm) in cites.iter().enumerate() {
                    let word = quote_word(i, j);
                    if open(cm) {
                        proptest::prop_assert!(out[0].1.contains(&word), "kept citation {} {} missing", i, j);
                    } else {
                        for (format, text) in &out {
                            proptest::prop_assert!(!text.contains(&word), "{} has withheld {}", format, word);
                            proptest::prop_assert!(!text.contains(&ref_word(i, j)), "{} has withheld {}", format, ref_word(i, j));
                        }
                    }
                }
            } else {
                for word in [para_word(i), name_word(i), cover_word(i), place_word(i)]
                    .into_iter()
                    .chain((0..cites.len()).flat_map(|j| [quote_word(i, j), ref_word(i, j)]))
                {
                    for (format, text) in &out {
                        proptest::prop_assert!(!text.contains(&word), "{} has withheld {} (paragraph {} marked {})", format, word, i, m);
                    }
                }
            }
        }
        // The banner is what is left's, never lower than a kept paragraph's.
        let banner = v.report.marking();
        for para in &v.report.paragraphs {
            proptest::prop_assert!(banner.classification >= para.effective_marking().classification);
        }
        proptest::prop_assert_eq!(v.loss.dropped.len() + v.report.paragraphs.len(), markings.len());
    }
}

#[test]
fn a_variant_keeps_what_its_partner_may_have_and_says_whom_it_is_about() {
    let open = Marking::parse("SECRET//REL TO GBR").unwrap();
    let closed = Marking::parse("SECRET//NOFORN").unwrap();
    let r = report(&[
        (open.clone(), vec![open.clone()]),
        (closed.clone(), vec![closed.clone()]),
        (open.clone(), vec![open.clone(), closed.clone()]),
    ]);
    let mi5 = partner("GBR", Classification::Secret, false);
    let v = variant(&r, &mi5, false);
    assert_eq!(v.report.paragraphs.len(), 2);
    assert_eq!(v.loss.citations_replaced, 1);
    assert!(v.report.paragraphs[1].citations.iter().any(|c| c.withheld));
    // The title named a cover name only the dropped paragraph gives.
    assert_eq!(v.report.title, "Report on Subject Person");
    assert_eq!(v.report.cover_names, [cover_word(0), cover_word(2)]);
    assert_eq!(v.report.period, Some((1932, 1932)));
    let md = kartoteka_report::markdown(&v.report);
    assert!(md.contains(kartoteka_report::WITHHELD_SOURCE), "{md}");
    assert!(
        md.contains("released to GBR-SERVICE (Service, GBR)"),
        "{md}"
    );
    assert!(kartoteka_report::html(&v.report).contains("released to GBR-SERVICE"));
    assert!(md.contains("SECRET//REL TO GBR"), "{md}");
    // The PDF is written from the same variant.
    let pdf = kartoteka_report::pdf(&v.report).expect("a PDF");
    assert!(pdf.starts_with(b"%PDF"));
}
