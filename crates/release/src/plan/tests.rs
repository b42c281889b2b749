use kartoteka_model::{
    Caveat, Citation, Classification, Consent, DocId, Marking, NeedToKnow, Paragraph, Partner,
    PartnerState, Report, ReportStatus, Routing, Withheld,
};

use super::*;

fn partner(id: &str, country: &str, clearance: Classification) -> Partner {
    Partner {
        id: id.to_string(),
        country: country.to_string(),
        service: id.to_string(),
        clearance,
        caveats: vec![],
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

fn citation(marking: &str) -> Citation {
    Citation {
        doc: DocId(1),
        reference: Some("ф. 9001, оп. 1, д. 1, л. 2".to_string()),
        page: 1,
        start: 0,
        end: 5,
        quote: "слово".to_string(),
        marking: Some(Marking::parse(marking).expect("a marking")),
        withheld: false,
    }
}

fn paragraph(section: &str, marking: &str) -> Paragraph {
    Paragraph {
        section: section.to_string(),
        text: format!("{section} paragraph"),
        claims: vec![],
        citations: vec![citation(marking)],
        marking: Marking::parse(marking).expect("a marking"),
        marking_override: None,
        edited: false,
        marking_notes: vec![],
    }
}

fn report(id: &str, countries: &[&str], paragraphs: Vec<Paragraph>) -> Report {
    Report {
        id: id.to_string(),
        version: 3,
        subject: "P1".to_string(),
        subject_name: "Соколова Вера Андреевна".to_string(),
        title: "Agent «ХОЛА»".to_string(),
        status: ReportStatus::Approved,
        paragraphs,
        countries: countries.iter().map(|c| c.to_string()).collect(),
        period: None,
        cover_names: vec!["ХОЛА".to_string()],
        related: vec![],
        places: vec![],
        services: vec!["НКВД".to_string()],
        by: "reviewer".to_string(),
        at: String::new(),
        why: "approved".to_string(),
        released_to: None,
    }
}

fn approved(r: &Report) -> Offer<'_> {
    Offer {
        latest: r,
        approved: Some(r),
    }
}

fn routing(report: &str, partner: &str, send: bool) -> Routing {
    Routing {
        report: report.to_string(),
        partner: partner.to_string(),
        send,
        why: "asked".to_string(),
        by: "officer".to_string(),
        at: String::new(),
    }
}

#[test]
fn a_report_goes_to_the_countries_it_concerns_and_to_those_who_need_it() {
    let r = report(
        "R-P1",
        &["GBR", "UKR"],
        vec![paragraph("subject", "SECRET//REL TO GBR, USA, DEU")],
    );
    let mi5 = partner("GBR-MI5", "GBR", Classification::Secret);
    let mut bnd = partner("DEU-BND", "DEU", Classification::Secret);
    let cia = partner("USA-CIA", "USA", Classification::TopSecret);
    let mut usa_topic = partner("USA-FBI", "USA", Classification::TopSecret);
    usa_topic.need_to_know.topics.push("холА".to_string());
    bnd.need_to_know.countries.push("UKR".to_string());
    let p = plan(&[mi5, bnd, cia, usa_topic], &[approved(&r)], &[], &[]);
    let sent: Vec<&str> = p.sent().map(|c| c.partner.as_str()).collect();
    assert_eq!(sent, ["GBR-MI5", "DEU-BND", "USA-FBI"]);
    assert_eq!(
        p.cells[0].why,
        [Reason::Concerns {
            country: "GBR".into()
        }]
    );
    assert_eq!(
        p.cells[1].why,
        [Reason::NeedsCountry {
            country: "UKR".into()
        }]
    );
    assert_eq!(
        p.cells[2].why,
        [Reason::NotRouted {
            countries: vec!["GBR".into(), "UKR".into()]
        }]
    );
    assert_eq!(
        p.cells[3].why,
        [Reason::NeedsTopic {
            topic: "холА".into()
        }]
    );
    assert!(p.cells.iter().all(|c| c.version == Some(3)));
}

#[test]
fn a_release_officer_decides_last_and_suspension_and_drafts_stop_everything() {
    let r = report("R-P1", &["GBR"], vec![paragraph("subject", "CONFIDENTIAL")]);
    let mi5 = partner("GBR-MI5", "GBR", Classification::Secret);
    let asis = partner("AUS-ASIS", "AUS", Classification::Secret);
    let routings = [
        routing("R-P1", "GBR-MI5", false),
        routing("R-P1", "AUS-ASIS", false),
        routing("R-P1", "AUS-ASIS", true),
    ];
    let p = plan(
        &[mi5.clone(), asis.clone()],
        &[approved(&r)],
        &routings,
        &[],
    );
    assert!(!p.cells[0].send, "{:?}", p.cells[0]);
    assert!(matches!(
        p.cells[0].why.last(),
        Some(Reason::HeldByHand { .. })
    ));
    assert!(p.cells[1].send, "{:?}", p.cells[1]);
    assert!(matches!(
        p.cells[1].why.last(),
        Some(Reason::SentByHand { .. })
    ));

    let mut suspended = mi5.clone();
    suspended.state = PartnerState::Suspended;
    let p = plan(&[suspended], &[approved(&r)], &[], &[]);
    assert!(!p.cells[0].send);
    assert!(p.cells[0].why.contains(&Reason::Suspended));

    // A draft after an approved version: the approved one goes. Never approved: nothing.
    let mut draft = r.clone();
    draft.version = 4;
    draft.status = ReportStatus::Draft;
    let p = plan(
        std::slice::from_ref(&mi5),
        &[Offer {
            latest: &draft,
            approved: Some(&r),
        }],
        &[],
        &[],
    );
    assert!(p.cells[0].send);
    assert_eq!(p.cells[0].version, Some(3));
    let p = plan(
        &[mi5],
        &[Offer {
            latest: &draft,
            approved: None,
        }],
        &[],
        &[],
    );
    assert!(!p.cells[0].send);
    assert_eq!(p.cells[0].version, None);
    assert!(p.cells[0].why.contains(&Reason::NotApproved {
        version: 4,
        status: ReportStatus::Draft
    }));
}

#[test]
fn a_variant_that_would_not_say_whom_it_is_about_is_not_sent() {
    let r = report(
        "R-P1",
        &["GBR"],
        vec![
            paragraph("subject", "SECRET//NOFORN"),
            paragraph("recruitment", "CONFIDENTIAL"),
        ],
    );
    let mi5 = partner("GBR-MI5", "GBR", Classification::TopSecret);
    let p = plan(std::slice::from_ref(&mi5), &[approved(&r)], &[], &[]);
    assert!(!p.cells[0].send);
    assert!(p.cells[0].why.contains(&Reason::LosesSubject));
    let loss = p.cells[0].loss.as_ref().expect("an approved version");
    assert_eq!(loss.dropped.len(), 1);
    assert_eq!(loss.dropped[0].paragraph, 1);
    assert_eq!(loss.dropped[0].withheld, Withheld::Noforn);

    let r = report("R-P2", &["GBR"], vec![paragraph("subject", "TOP SECRET")]);
    let low = partner("GBR-LOW", "GBR", Classification::Secret);
    let p = plan(&[low], &[approved(&r)], &[], &[]);
    assert!(!p.cells[0].send);
    assert!(p.cells[0].why.contains(&Reason::NothingReleasable));
}

#[test]
fn orcon_needs_the_partners_caveat_and_the_originators_consent() {
    let r = report(
        "R-P1",
        &["EST"],
        vec![
            paragraph("subject", "SECRET//REL TO EST"),
            paragraph("handling", "SECRET//ORCON/REL TO EST"),
        ],
    );
    let mut kapo = partner("EST-KAPO", "EST", Classification::Secret);
    let dropped = |p: &Plan| p.cells[0].loss.as_ref().map(|l| l.dropped.len());
    assert_eq!(
        dropped(&plan(&[kapo.clone()], &[approved(&r)], &[], &[])),
        Some(1)
    );
    kapo.caveats.push(Caveat::Orcon);
    assert_eq!(
        dropped(&plan(&[kapo.clone()], &[approved(&r)], &[], &[])),
        Some(1)
    );
    let consent = Consent {
        report: "R-P1".into(),
        partner: "EST-KAPO".into(),
        originator: "originator".into(),
        why: "letter".into(),
        by: String::new(),
        at: String::new(),
    };
    assert_eq!(
        dropped(&plan(&[kapo], &[approved(&r)], &[], &[consent])),
        Some(0)
    );
}

#[test]
fn a_kept_paragraph_citing_a_source_the_partner_may_not_see_has_that_citation_replaced() {
    let mut p = paragraph("subject", "SECRET//REL TO GBR");
    // A reviewer lowered the paragraph; its second source stays NOFORN.
    p.citations.push(citation("SECRET//NOFORN"));
    let r = report("R-P1", &["GBR"], vec![p]);
    let mi5 = partner("GBR-MI5", "GBR", Classification::Secret);
    let loss = variant_loss(&r, kartoteka_model::Audience::Partner(&mi5), false);
    assert!(loss.dropped.is_empty());
    assert_eq!(loss.citations_replaced, 1);
    assert!(loss.keeps_subject);
}

proptest::proptest! {
    // Whatever the markings and partners, a cell sends only to an active partner an
    // approved report whose variant keeps its subject, and every paragraph the variant
    // keeps passes a check written apart from the rule: cleared high enough, not NOFORN,
    // the partner's country (or a known group of it) on the release list, ORCON only with
    // the caveat and consent.
    #[test]
    fn no_kept_paragraph_is_one_the_partner_may_not_have(
        markings in proptest::collection::vec(
            (0usize..5, proptest::collection::vec("(GBR|USA|DEU|EST|FVEY|NATO)", 0..3), proptest::bool::ANY, proptest::bool::ANY),
            1..6),
        partners in proptest::collection::vec(
            ("(GBR|USA|DEU|EST|NZL)", 0usize..5, proptest::bool::ANY, proptest::bool::ANY, proptest::bool::ANY),
            1..4),
        consent: bool,
    ) {
        let paragraphs: Vec<Paragraph> = markings.iter().enumerate().map(|(i, (level, rel, noforn, orcon))| {
            let mut list = Vec::new();
            for r in rel { if !list.contains(r) { list.push(r.clone()); } }
            let m = Marking {
                classification: Classification::ALL[*level],
                releasable_to: if *noforn { vec![] } else { list },
                noforn: *noforn,
                orcon: *orcon,
            };
            let mut p = paragraph(if i == 0 { "subject" } else { "activity" }, "UNCLASSIFIED");
            p.marking = m.clone();
            p.citations[0].marking = Some(m);
            p
        }).collect();
        let r = report("R-P1", &["GBR", "USA", "DEU", "EST", "NZL"], paragraphs);
        let partners: Vec<Partner> = partners.iter().enumerate().map(|(i, (country, cleared, orcon, active, _))| {
            let mut p = partner(&format!("{country}-{i}"), country, Classification::ALL[*cleared]);
            if *orcon { p.caveats.push(Caveat::Orcon); }
            if !*active { p.state = PartnerState::Suspended; }
            p
        }).collect();
        let consents: Vec<Consent> = if consent {
            partners.iter().map(|p| Consent {
                report: "R-P1".into(), partner: p.id.clone(), originator: "o".into(),
                why: "w".into(), by: String::new(), at: String::new(),
            }).collect()
        } else { vec![] };
        let known = |g: &str, c: &str| match g {
            "FVEY" => ["AUS", "CAN", "GBR", "NZL", "USA"].contains(&c),
            "NATO" => ["GBR", "USA", "DEU", "EST"].contains(&c),
            _ => false,
        };
        let p = plan(&partners, &[approved(&r)], &[], &consents);
        for (cell, partner) in p.cells.iter().zip(&partners) {
            let loss = cell.loss.as_ref().expect("approved");
            if cell.send {
                proptest::prop_assert!(partner.state == PartnerState::Active);
                proptest::prop_assert!(loss.keeps_subject);
            }
            let dropped: Vec<usize> = loss.dropped.iter().map(|l| l.paragraph).collect();
            for (i, para) in r.paragraphs.iter().enumerate() {
                if dropped.contains(&(i + 1)) { continue; }
                let m = &para.marking;
                proptest::prop_assert!(partner.state == PartnerState::Active);
                proptest::prop_assert!(m.classification <= partner.clearance);
                proptest::prop_assert!(!m.noforn);
                proptest::prop_assert!(m.releasable_to.is_empty() || m.releasable_to.iter().any(|t| *t == partner.country || known(t, &partner.country)));
                proptest::prop_assert!(!m.orcon || (partner.caveats.contains(&Caveat::Orcon) && consent));
            }
        }
    }
}
