//! Conformance of the edition role: editors' decisions and the public editions.

use crate::MetadataStore;

/// Decisions are all kept in order with their actor and time; editions are numbered one
/// after another with no gap and no second edition of a number, and keep their pages and
/// pseudonyms exactly; both are audited.
pub fn editions_and_decisions(store: &mut dyn MetadataStore) {
    use kartoteka_model::{Disclosure, EditionRecord, EditorDecision};
    let before = store
        .audit_log(&crate::AuditFilter::default())
        .expect("audit")
        .len();
    let decision = |person: &str, disclosure| EditorDecision {
        person: person.into(),
        name: format!("name of {person}"),
        disclosure,
        why: "a public office".into(),
        by: String::new(),
        at: String::new(),
    };
    let first = store
        .add_editor_decision(&decision("P3", Disclosure::Name))
        .expect("decision");
    assert!(!first.by.is_empty() && !first.at.is_empty(), "{first:?}");
    store
        .add_editor_decision(&decision("P3", Disclosure::Protect))
        .expect("second decision");
    let kept = store.editor_decisions().expect("decisions");
    assert_eq!(
        kept.iter().map(|d| d.disclosure).collect::<Vec<_>>(),
        [Disclosure::Name, Disclosure::Protect],
        "every decision is kept, oldest first"
    );
    assert!(store.editions().expect("editions").is_empty());
    let mut edition = EditionRecord {
        number: 2,
        ..EditionRecord::default()
    };
    edition
        .pages
        .insert("persons/P3.html".into(), "ab".repeat(32));
    edition.pseudonyms.insert("P9".into(), 1);
    edition.counts.insert("reports".into(), 4);
    edition.rules = "[persons]\n".into();
    assert!(
        matches!(
            store.add_edition(&edition),
            Err(crate::StoreError::Conflict(_))
        ),
        "the first edition is number 1"
    );
    edition.number = 1;
    let saved = store.add_edition(&edition).expect("edition 1");
    assert!(!saved.at.is_empty() && !saved.by.is_empty());
    assert!(
        matches!(
            store.add_edition(&edition),
            Err(crate::StoreError::Conflict(_))
        ),
        "an edition's number is given once"
    );
    edition.number = 2;
    edition.pseudonyms.insert("name:иванов".into(), 2);
    store.add_edition(&edition).expect("edition 2");
    let editions = store.editions().expect("editions");
    assert_eq!(
        editions.iter().map(|e| e.number).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(editions[1].pages, edition.pages);
    assert_eq!(editions[1].pseudonyms, edition.pseudonyms);
    assert_eq!(editions[0].pseudonyms.len(), 1);
    let log = store
        .audit_log(&crate::AuditFilter::default())
        .expect("audit");
    let actions: Vec<&str> = log[before..].iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["editor-decision", "editor-decision", "publish", "publish"],
        "each decision and edition is audited, refusals are not"
    );
}
