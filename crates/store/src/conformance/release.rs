//! Conformance of the release role: partners, routing decisions, consents and the
//! register of packages.

use crate::MetadataStore;

/// Partners keep their order of addition and their ids; an id is added once and only an
/// existing partner is changed; routing decisions, consents and packages name a partner
/// that exists and are all kept; a package is registered once and receives one receipt;
/// every one of these acts is audited.
pub fn partners_and_routing(store: &mut dyn MetadataStore) {
    use kartoteka_model::{
        Caveat, Classification, Consent, NeedToKnow, Partner, PartnerState, Routing,
    };
    let partner = |id: &str, country: &str| Partner {
        id: id.into(),
        country: country.into(),
        service: id.into(),
        clearance: Classification::Secret,
        caveats: vec![Caveat::Orcon],
        groups: vec!["BALTIC".into()],
        recipient: "age1example".into(),
        verify_key: "00".repeat(32),
        need_to_know: NeedToKnow {
            countries: vec!["UKR".into()],
            topics: vec!["illegals".into()],
        },
        state: PartnerState::Active,
        why: "agreement".into(),
        by: String::new(),
        at: String::new(),
    };
    let before = store
        .audit_log(&crate::AuditFilter::default())
        .expect("audit")
        .len();
    let added = store
        .add_partner(&partner("LVA-SAB", "LVA"))
        .expect("add partner");
    assert!(!added.by.is_empty() && !added.at.is_empty(), "{added:?}");
    store
        .add_partner(&partner("EST-KAPO", "EST"))
        .expect("add partner");
    assert!(matches!(
        store.add_partner(&partner("LVA-SAB", "LVA")),
        Err(crate::StoreError::Conflict(_))
    ));
    let mut suspended = added.clone();
    suspended.state = PartnerState::Suspended;
    suspended.why = "keys compromised".into();
    store
        .update_partner(&suspended, "suspended")
        .expect("suspend");
    assert!(matches!(
        store.update_partner(&partner("LTU-VSD", "LTU"), "suspended"),
        Err(crate::StoreError::NotFound(_))
    ));
    let partners = store.partners().expect("partners");
    let ids: Vec<(&str, PartnerState)> =
        partners.iter().map(|p| (p.id.as_str(), p.state)).collect();
    assert_eq!(
        ids,
        [
            ("LVA-SAB", PartnerState::Suspended),
            ("EST-KAPO", PartnerState::Active)
        ]
    );
    assert_eq!(partners[1], {
        let mut p = partner("EST-KAPO", "EST");
        p.by = partners[1].by.clone();
        p.at = partners[1].at.clone();
        p
    });

    let route = |partner: &str, send: bool| Routing {
        report: "R-P1".into(),
        partner: partner.into(),
        send,
        why: "asked for by the liaison".into(),
        by: String::new(),
        at: String::new(),
    };
    store.add_routing(&route("EST-KAPO", true)).expect("route");
    store.add_routing(&route("EST-KAPO", false)).expect("route");
    assert!(matches!(
        store.add_routing(&route("NOBODY", true)),
        Err(crate::StoreError::NotFound(_))
    ));
    let sends: Vec<bool> = store
        .routings()
        .expect("routings")
        .iter()
        .map(|r| r.send)
        .collect();
    assert_eq!(sends, [true, false]);
    let consent = |partner: &str| Consent {
        report: "R-P1".into(),
        partner: partner.into(),
        originator: "ФСБ".into(),
        why: "letter 12/3".into(),
        by: String::new(),
        at: String::new(),
    };
    store.add_consent(&consent("EST-KAPO")).expect("consent");
    assert!(store.add_consent(&consent("NOBODY")).is_err());
    let consents = store.consents().expect("consents");
    assert_eq!(consents.len(), 1);
    assert_eq!(consents[0].originator, "ФСБ");

    let package = |id: &str, partner: &str| kartoteka_model::Package {
        id: id.into(),
        kind: kartoteka_model::PackageKind::Release,
        partner: partner.into(),
        country: "EST".into(),
        reports: vec![kartoteka_model::PackagedReport {
            id: "R-P1".into(),
            version: 3,
        }],
        sha256: "ab".repeat(32),
        file: format!("{id}.zip.age"),
        sent_at: String::new(),
        officer: String::new(),
        why: String::new(),
        receipt: None,
        variants: vec![kartoteka_model::KeptVariant {
            report: "R-P1".into(),
            version: 3,
            marking: "SECRET//REL TO EST".into(),
            files: vec![kartoteka_model::KeptFile {
                name: "R-P1.json".into(),
                sha256: "ef".repeat(32),
                bytes: 1234,
            }],
        }],
    };
    let sent = store
        .add_package(&package("PKG-EST-KAPO-1", "EST-KAPO"))
        .expect("register");
    assert!(!sent.officer.is_empty() && !sent.sent_at.is_empty());
    // The variants as packaged are kept with the record, file by file.
    let kept = store.packages().expect("register");
    assert_eq!(
        kept[0].variants,
        package("PKG-EST-KAPO-1", "EST-KAPO").variants
    );
    store
        .add_package(&package("PKG-EST-KAPO-2", "EST-KAPO"))
        .expect("register");
    assert!(matches!(
        store.add_package(&package("PKG-EST-KAPO-1", "EST-KAPO")),
        Err(crate::StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.add_package(&package("PKG-X-1", "NOBODY")),
        Err(crate::StoreError::NotFound(_))
    ));
    let receipt = kartoteka_model::Receipt {
        package: "PKG-EST-KAPO-2".into(),
        partner: "EST-KAPO".into(),
        sha256: "ab".repeat(32),
        received_at: "2026-12-06T10:00:00Z".into(),
        signature: "cd".repeat(64),
    };
    let with = store.set_receipt(&receipt).expect("receipt");
    assert_eq!(with.receipt.as_ref(), Some(&receipt));
    assert!(matches!(
        store.set_receipt(&receipt),
        Err(crate::StoreError::Conflict(_))
    ));
    let mut stray = receipt.clone();
    stray.package = "PKG-NONE-1".into();
    assert!(matches!(
        store.set_receipt(&stray),
        Err(crate::StoreError::NotFound(_))
    ));
    let register = store.packages().expect("register");
    let ids: Vec<(&str, bool)> = register
        .iter()
        .map(|p| (p.id.as_str(), p.receipt.is_some()))
        .collect();
    assert_eq!(ids, [("PKG-EST-KAPO-1", false), ("PKG-EST-KAPO-2", true)]);

    let after = store
        .audit_log(&crate::AuditFilter::default())
        .expect("audit");
    let acts: Vec<&str> = after[before..].iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        acts,
        [
            "partner", "partner", "partner", "routing", "routing", "consent", "release", "release",
            "receipt"
        ]
    );
}
