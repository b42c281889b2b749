//! The rules on small snapshots made by hand: no store, no process.

use std::collections::HashMap;

use kartoteka_model::{
    DocId, IdChange, Judgement, MentionAnchor, MentionKind, MentionRecord, OwnFile, RelationKind,
    RelationRecord, Verdict,
};

use crate::{resolve, Evidence, IdentityError, Resolution, Resolved};

/// A mention of `kind` in document `doc`, page 1, at `start`.
fn mention(id: i64, doc: i64, kind: MentionKind, text: &str, start: u32) -> MentionRecord {
    MentionRecord {
        id,
        doc: DocId(doc),
        page: 1,
        sheet: None,
        kind,
        text: text.to_string(),
        lemma: text.to_string(),
        start,
        end: start + text.chars().count() as u32,
        code: None,
        context: format!("… {text} …"),
    }
}

fn relation(kind: RelationKind, from: &MentionRecord, to: &MentionRecord) -> RelationRecord {
    RelationRecord {
        doc: from.doc,
        page: from.page,
        kind,
        from: from.id,
        to: to.id,
        start: from.start.min(to.start),
        end: from.end.max(to.end),
    }
}

fn anchor(m: &MentionRecord) -> MentionAnchor {
    MentionAnchor {
        doc: m.doc,
        page: m.page,
        start: m.start,
        text: m.text.clone(),
    }
}

/// Three forms of one man's name in two scripts, and a woman with a cover name given in
/// 1947 in the same sentence.
fn evidence() -> Evidence {
    let mut date = mention(6, 1, MentionKind::Date, "1947", 60);
    date.code = Some("1947".to_string());
    Evidence {
        persons: vec![
            mention(1, 1, MentionKind::Person, "Иван Петрович Орлов", 0),
            mention(2, 1, MentionKind::Person, "Орлов И. П.", 30),
            mention(3, 2, MentionKind::Person, "Анна Берг", 0),
            mention(4, 2, MentionKind::Person, "Ivan Petrovich Orlov", 40),
        ],
        dates: vec![date],
        ..Evidence::default()
    }
}

fn snapshot(evidence: &Evidence, resolution: &Resolution) -> Resolved {
    let mut mentions = evidence.persons.clone();
    mentions.extend(evidence.dates.iter().cloned());
    mentions.extend(evidence.places.iter().cloned());
    Resolved::new(
        resolution.rows.clone(),
        mentions,
        evidence.relations.clone(),
        resolution.records.clone(),
        HashMap::new(),
    )
    .expect("a resolution with persons")
}

fn person_of(resolution: &Resolution, mention: i64) -> String {
    resolution
        .rows
        .iter()
        .find(|r| r.mention == mention)
        .map(|r| r.person.clone())
        .expect("every person mention has a person")
}

#[test]
fn forms_of_one_name_are_one_person_and_others_are_not() {
    let evidence = evidence();
    let r = resolve(&evidence, 1, "2026-12-05T00:00:00Z");
    assert_eq!(r.report.mentions, 4);
    assert_eq!(r.report.persons, 2, "{:?}", r.rows);
    assert_eq!(person_of(&r, 1), person_of(&r, 2));
    assert_eq!(person_of(&r, 1), person_of(&r, 4));
    assert_ne!(person_of(&r, 1), person_of(&r, 3));
    // New ids follow first mentions.
    assert_eq!(person_of(&r, 1), "P1");
    assert_eq!(person_of(&r, 3), "P2");
}

#[test]
fn ids_are_the_same_whatever_the_thread_count_and_kept_on_a_second_run() {
    let evidence = evidence();
    let one = resolve(&evidence, 1, "t1");
    let four = resolve(&evidence, 4, "t1");
    assert_eq!(one.rows, four.rows);
    let again = resolve(
        &Evidence {
            previous: one.rows.clone(),
            registry: one.records.clone(),
            ..evidence
        },
        2,
        "t2",
    );
    assert_eq!(one.rows, again.rows);
    assert!(
        again
            .report
            .changes
            .iter()
            .all(|c| !matches!(c.change, IdChange::New { .. })),
        "{:?}",
        again.report.changes
    );
}

#[test]
fn a_judgement_of_different_splits_and_says_which_judgement() {
    let evidence = evidence();
    let first = resolve(&evidence, 1, "t1");
    let judged = Evidence {
        judgements: vec![Judgement {
            id: 7,
            a: anchor(&evidence.persons[0]),
            b: anchor(&evidence.persons[3]),
            verdict: Verdict::Different,
            why: "different fathers".to_string(),
            by: "analyst".to_string(),
            at: "t2".to_string(),
            undone: None,
        }],
        previous: first.rows.clone(),
        registry: first.records.clone(),
        ..evidence
    };
    let r = resolve(&judged, 1, "t2");
    assert_eq!(r.report.judgements, 1);
    assert_ne!(person_of(&r, 1), person_of(&r, 4));
    let split = r
        .report
        .changes
        .iter()
        .find(|c| matches!(c.change, IdChange::Split { .. }))
        .expect("a split is reported");
    assert!(split.reason.contains("judgement 7"), "{}", split.reason);
    // The bigger part keeps the id.
    assert_eq!(person_of(&r, 1), "P1");
}

#[test]
fn a_judgement_on_mentions_no_longer_there_is_stale() {
    let mut evidence = evidence();
    let gone = mention(99, 9, MentionKind::Person, "Пётр Зимин", 0);
    evidence.judgements.push(Judgement {
        id: 3,
        a: anchor(&gone),
        b: anchor(&evidence.persons[0]),
        verdict: Verdict::Same,
        why: "w".to_string(),
        by: String::new(),
        at: String::new(),
        undone: None,
    });
    let r = resolve(&evidence, 1, "t");
    assert_eq!(r.report.stale_judgements, vec![3]);
    assert_eq!(r.report.judgements, 0);
}

#[test]
fn a_person_is_found_by_id_or_name_and_a_bad_ask_says_why() {
    let evidence = evidence();
    let r = resolve(&evidence, 1, "t");
    let resolved = snapshot(&evidence, &r);
    assert_eq!(resolved.find("P2"), Ok("P2".to_string()));
    assert_eq!(resolved.find("Анна Берг"), Ok("P2".to_string()));
    assert_eq!(resolved.find("Ivan Orlov"), Ok("P1".to_string()));
    assert!(matches!(
        resolved.find("Сергей Зимин"),
        Err(IdentityError::NotFound(_))
    ));
    assert!(matches!(
        resolved.find_mention("6"),
        Err(IdentityError::NotAPerson { mention: 6, .. })
    ));
    assert_eq!(resolved.find_mention("P1"), Ok(1));
    let person = resolved.person("P1");
    // The spellings written out in full come before the one with initials.
    assert_eq!(person.mentions.len(), 3);
    assert_eq!(person.names.len(), 3);
    assert_ne!(person.name, "Орлов И. П.");
    assert_eq!(person.names.last().map(String::as_str), Some("Орлов И. П."));
}

#[test]
fn a_name_two_persons_fit_is_refused_with_both() {
    // Two men of one name, judged different: the name alone cannot pick one.
    let mut evidence = evidence();
    evidence.persons = vec![
        mention(1, 1, MentionKind::Person, "Пётр Зимин", 0),
        mention(2, 2, MentionKind::Person, "Пётр Зимин", 0),
    ];
    evidence.judgements = vec![Judgement {
        id: 1,
        a: anchor(&evidence.persons[0]),
        b: anchor(&evidence.persons[1]),
        verdict: Verdict::Different,
        why: "born twenty years apart".to_string(),
        by: String::new(),
        at: String::new(),
        undone: None,
    }];
    let r = resolve(&evidence, 1, "t");
    assert_eq!(r.report.persons, 2);
    let resolved = snapshot(&evidence, &r);
    match resolved.find("Пётр Зимин") {
        Err(IdentityError::Ambiguous {
            count, candidates, ..
        }) => {
            assert_eq!(count, 2);
            assert!(
                candidates.iter().any(|c| c.starts_with("P1 ")),
                "{candidates:?}"
            );
            assert!(
                candidates.iter().any(|c| c.starts_with("P2 ")),
                "{candidates:?}"
            );
        }
        other => panic!("expected two candidates, got {other:?}"),
    }
    assert_eq!(resolved.find("P2"), Ok("P2".to_string()));
}

#[test]
fn an_archive_never_resolved_has_no_persons() {
    let err = Resolved::new(
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        HashMap::new(),
    )
    .expect_err("no identities");
    assert_eq!(err, IdentityError::NotResolved);
}

#[test]
fn a_cover_name_is_held_from_the_date_its_sentence_gives() {
    let mut evidence = evidence();
    let cover = mention(5, 2, MentionKind::CoverName, "ХОЛА", 20);
    let mut date = mention(6, 2, MentionKind::Date, "1947", 30);
    date.code = Some("1947".to_string());
    let anna = evidence.persons[2].clone();
    let mut said = relation(RelationKind::CodeNamed, &anna, &cover);
    said.end = 40;
    evidence.relations = vec![said];
    evidence.dates = vec![date];
    let r = resolve(&evidence, 1, "t");
    let mut mentions = evidence.persons.clone();
    mentions.push(cover);
    mentions.extend(evidence.dates.iter().cloned());
    let resolved = Resolved::new(
        r.rows.clone(),
        mentions,
        evidence.relations.clone(),
        r.records.clone(),
        HashMap::new(),
    )
    .expect("resolved");
    let views = resolved.cover_names();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].name, "ХОЛА");
    assert_eq!(views[0].holders.len(), 1);
    let holder = &views[0].holders[0];
    assert_eq!(holder.person_id, person_of(&r, 3));
    assert_eq!(holder.from.as_deref(), Some("1947"));
    assert_eq!(resolved.person(&holder.person_id).cover_names.len(), 1);
}

#[test]
fn own_files_are_units_whose_titles_name_the_person_in_any_case() {
    let evidence = evidence();
    let r = resolve(&evidence, 1, "t");
    let resolved = snapshot(&evidence, &r);
    let file = |reference: &str, title: &str| OwnFile {
        reference: reference.to_string(),
        title: title.to_string(),
        findings: Vec::new(),
    };
    let files = [
        file("Ф. 1, Оп. 1, Д. 1", "Личное дело Орлова Ивана Петровича"),
        file("Ф. 1, Оп. 1, Д. 2", "Личное дело Зимина Петра"),
        file("Ф. 1, Оп. 1, Д. 3", "Переписка об орловских заводах"),
        file("Ф. 1, Оп. 1, Д. 4", "Материалы на Орлова И. П."),
        file("Ф. 1, Оп. 1, Д. 5", "Дело Орловского Петра"),
    ];
    let own = crate::own_files(&resolved.person("P1"), &files);
    let references: Vec<&str> = own.iter().map(|f| f.reference.as_str()).collect();
    assert_eq!(references, ["Ф. 1, Оп. 1, Д. 1", "Ф. 1, Оп. 1, Д. 4"]);
}

#[test]
fn candidate_links_are_names_that_agree_in_part_and_never_a_family_or_a_stranger() {
    let evidence = Evidence {
        persons: vec![
            mention(1, 1, MentionKind::Person, "Кузьмин Арнольд Петрович", 0),
            // A Polish genitive: the ending reads as a woman's, the rest agrees.
            mention(2, 2, MentionKind::Person, "Arnolda Kuzmina", 0),
            // His sister: the patronymic alone agrees.
            mention(3, 3, MentionKind::Person, "Кузьмина Елена Петровна", 0),
            mention(4, 4, MentionKind::Person, "Громов", 0),
            mention(5, 5, MentionKind::Person, "Анна Берг", 0),
        ],
        ..Evidence::default()
    };
    let r = resolve(&evidence, 1, "2026-12-05T00:00:00Z");
    let world = snapshot(&evidence, &r);
    let kuzmin = person_of(&r, 1);
    assert_ne!(kuzmin, person_of(&r, 2), "the machine keeps them apart");
    let links = world.candidates(&kuzmin, &[], 10);
    let ids: Vec<&str> = links.iter().map(|c| c.person_id.as_str()).collect();
    assert_eq!(ids, [person_of(&r, 2).as_str()], "{links:?}");
    assert!(!links[0].reasons.is_empty());
    // A judgement between the two is named on the link.
    let judgement = Judgement {
        id: 7,
        a: anchor(&evidence.persons[0]),
        b: anchor(&evidence.persons[1]),
        verdict: Verdict::Unsure,
        why: "a Polish genitive?".into(),
        by: "anna".into(),
        at: "2026-12-06T00:00:00Z".into(),
        undone: None,
    };
    let links = world.candidates(&kuzmin, &[judgement], 10);
    assert_eq!(links[0].judgements, [7]);
    assert!(world.candidates(&person_of(&r, 5), &[], 10).is_empty());
}
