//! The audit acts the store records, composed once for every backend.
//!
//! A backend decides where an act goes (after the chain's head, inside the transaction of
//! the change it records); what the act says (its word, unit, object and detail) is
//! decided here, so that SQLite and any other backend write the same entries for the same
//! changes, and `audit verify` reads them the same way. Each function takes the change as
//! it is being stored, with what only the backend knows (the number it assigned, the
//! version it replaced).

use kartoteka_model::{ApiToken, User, WebSession};
use kartoteka_model::{
    Claim, Consent, CustodyEntry, Direction, DocId, EditionRecord, EditorDecision, Finding,
    FindingStatus, Judgement, MarkingRule, Note, Package, Page, Partner, Receipt, Report,
    ReportFate, Routing, Transfer, Unit,
};

use crate::audit::{AuditAct, AuditAction};
use crate::metadata::NewDocument;

fn act(
    action: AuditAction,
    unit: Option<String>,
    object: Option<String>,
    detail: serde_json::Value,
) -> AuditAct {
    AuditAct::of(action, unit, object, detail.to_string())
}

/// A unit's description changed (title, dates, sheets).
pub fn unit_described(u: &Unit) -> AuditAct {
    act(
        AuditAction::Describe,
        Some(u.reference.to_string()),
        None,
        serde_json::json!({
            "title": u.title,
            "dates": u.dates.map(|d| d.to_string()),
            "sheets": u.sheet_count,
        }),
    )
}

/// What a document's content was before a new version: its original's hash, size and
/// characters of text, as the last version recorded them.
pub type PreviousVersion<'a> = (&'a str, Option<i64>, Option<i64>);

/// A document was added (or its content changed: `previous` is the version replaced), as
/// number `id`, with its pages.
pub fn document_saved(
    doc: &NewDocument,
    pages: &[Page],
    id: DocId,
    previous: Option<PreviousVersion<'_>>,
) -> AuditAct {
    let chars: usize = pages.iter().map(|p| p.text.trim().chars().count()).sum();
    let mut detail = serde_json::json!({
        "source": doc.source_path,
        "content": doc.content.to_hex(),
        "text": crate::text_hash(pages),
        "size": doc.size,
        "pages": pages.len(),
        "chars": chars,
    });
    if let Some((content, size, chars)) = previous {
        detail["previous"] = serde_json::json!({"content": content, "size": size, "chars": chars});
    }
    act(
        if previous.is_some() {
            AuditAction::Update
        } else {
            AuditAction::Ingest
        },
        doc.reference.as_ref().map(|r| r.to_string()),
        Some(format!("doc:{}", id.0)),
        detail,
    )
}

/// A document's text was read again (OCR, a new reader) from the same original.
pub fn text_reread(id: DocId, unit: Option<String>, pages: &[Page], needs_ocr: bool) -> AuditAct {
    let chars: usize = pages.iter().map(|p| p.text.trim().chars().count()).sum();
    act(
        AuditAction::ReExtract,
        unit,
        Some(format!("doc:{}", id.0)),
        serde_json::json!({
            "pages": pages.len(), "chars": chars, "needs_ocr": needs_ocr,
            "text": crate::text_hash(pages),
        }),
    )
}

/// A transfer recorded as number `id`: one act per unit it moved, the first with the
/// whole transfer's detail.
pub fn transfer(t: &Transfer, id: i64) -> Vec<AuditAct> {
    let action = match t.direction {
        Direction::In => AuditAction::TransferIn,
        Direction::Out => AuditAction::TransferOut,
    };
    let object = Some(format!("transfer:{id}"));
    let whole = serde_json::json!({
        "bag": t.bag_id,
        "path": t.bag_path,
        "source": t.source,
        "from": t.from,
        "to": t.to,
        "units": t.units,
        "files": t.files,
        "bytes": t.bytes,
    });
    std::iter::once(act(action, t.units.first().cloned(), object.clone(), whole))
        .chain(t.units.iter().skip(1).map(|u| {
            act(
                action,
                Some(u.clone()),
                object.clone(),
                serde_json::json!({"bag": t.bag_id}),
            )
        }))
        .collect()
}

/// Units moved to new locations, one act each.
pub fn moves(custody: &[CustodyEntry]) -> Vec<AuditAct> {
    custody
        .iter()
        .map(|c| {
            act(
                AuditAction::Move,
                Some(c.unit.clone()),
                None,
                serde_json::json!({"to": c.location.to_string(), "moved_by": c.moved_by}),
            )
        })
        .collect()
}

/// A finding (number `id`) was given a status and a note.
pub fn finding_annotated(
    f: &Finding,
    id: i64,
    status: FindingStatus,
    note: Option<&str>,
) -> AuditAct {
    act(
        AuditAction::Annotate,
        Some(f.reference.clone()),
        Some(format!("finding:{id}")),
        serde_json::json!({"status": status.as_str(), "note": note, "kind": f.kind.as_str()}),
    )
}

/// A person's judgement on two mentions was recorded.
pub fn judged(j: &Judgement) -> AuditAct {
    act(
        AuditAction::Judge,
        None,
        Some(format!("judgement {}", j.id)),
        serde_json::json!({
            "judgement": j.id, "verdict": j.verdict, "why": j.why,
            "a": j.a, "b": j.b,
        }),
    )
}

/// A judgement was marked undone.
pub fn judgement_undone(j: &Judgement) -> AuditAct {
    AuditAct::of(
        AuditAction::UndoJudgement,
        None,
        Some(format!("judgement {}", j.id)),
        format!("undid {} ({})", j.verdict, j.why),
    )
}

/// Person mentions were resolved into persons; `detail` holds the counts.
pub fn resolved(detail: &str) -> AuditAct {
    AuditAct::of(AuditAction::Resolve, None, None, detail)
}

/// A note was written (`new`) or edited, on a document in `unit`, for the reason given.
pub fn note_saved(note: &Note, new: bool, unit: Option<String>, why: &str) -> AuditAct {
    act(
        if new {
            AuditAction::Note
        } else {
            AuditAction::NoteEdit
        },
        unit,
        Some(format!("note:{}", note.id)),
        serde_json::json!({"why": why, "doc": note.anchor.doc.0, "page": note.anchor.page, "orphaned": note.orphaned}),
    )
}

/// An author's notes were locked into a notebook and taken out of the store.
pub fn notebook_locked(notes: usize, anchors_kept: bool) -> AuditAct {
    act(
        AuditAction::NotebookLock,
        None,
        None,
        serde_json::json!({"notes": notes, "anchors_kept": anchors_kept}),
    )
}

/// A notebook's notes were put back into the store.
pub fn notebook_unlocked(notes: usize) -> AuditAct {
    act(
        AuditAction::NotebookUnlock,
        None,
        None,
        serde_json::json!({ "notes": notes }),
    )
}

/// What became of a report the collection no longer makes.
pub fn report_fate(f: &ReportFate) -> AuditAct {
    act(
        AuditAction::ReportFate,
        None,
        Some(format!("report {} v{}", f.report, f.version)),
        serde_json::json!({"fate": f.fate, "by": f.by, "reason": f.reason}),
    )
}

/// An analyst's claim was kept.
pub fn claim_saved(c: &Claim) -> AuditAct {
    act(
        AuditAction::Claim,
        None,
        Some(format!("claim {}", c.id)),
        serde_json::json!({
            "claim": c.id, "subject": c.subject, "text": c.text, "grade": c.grade.to_string(),
            "why": c.why, "citations": c.citations.len(),
        }),
    )
}

/// A report version was kept; `body` is the version as stored, whose hash the chain keeps.
pub fn report_saved(r: &Report, body: &[u8]) -> AuditAct {
    act(
        AuditAction::Report,
        None,
        Some(format!("report {} v{}", r.id, r.version)),
        serde_json::json!({
            "report": r.id, "version": r.version, "status": r.status, "why": r.why,
            "marking": r.marking().to_string(),
            "body": crate::hash_bytes(body).to_hex(),
        }),
    )
}

/// A unit's marking rule was set.
pub fn marking_rule_set(r: &MarkingRule) -> AuditAct {
    act(
        AuditAction::MarkingRule,
        Some(r.unit.clone()),
        Some(format!("marking rule {}", r.unit)),
        serde_json::json!({
            "unit": r.unit, "marking": r.marking.to_string(), "why": r.why,
        }),
    )
}

/// A unit's marking rule was removed.
pub fn marking_rule_removed(unit: &str, why: &str) -> AuditAct {
    act(
        AuditAction::MarkingRule,
        Some(unit.to_string()),
        Some(format!("marking rule {unit}")),
        serde_json::json!({ "unit": unit, "marking": null, "why": why }),
    )
}

/// A partner was added (`change` "added") or changed: everything that decides what it
/// receives, so that the chain alone tells who could receive what, when.
pub fn partner(p: &Partner, change: &str) -> AuditAct {
    act(
        AuditAction::Partner,
        None,
        Some(format!("partner {}", p.id)),
        serde_json::json!({
            "change": change,
            "country": p.country,
            "service": p.service,
            "clearance": p.clearance.as_str(),
            "caveats": p.caveats,
            "groups": p.groups,
            "recipient": p.recipient,
            "verify_key": p.verify_key,
            "need_to_know": p.need_to_know,
            "state": p.state.as_str(),
            "why": p.why,
        }),
    )
}

/// A report was routed to a partner, or held back from it, by hand.
pub fn routing(r: &Routing) -> AuditAct {
    act(
        AuditAction::Routing,
        None,
        Some(format!("report {}", r.report)),
        serde_json::json!({ "partner": r.partner, "send": r.send, "why": r.why }),
    )
}

/// The originator's consent to release a report's ORCON portions to a partner.
pub fn consent(c: &Consent) -> AuditAct {
    act(
        AuditAction::Consent,
        None,
        Some(format!("report {}", c.report)),
        serde_json::json!({ "partner": c.partner, "originator": c.originator, "why": c.why }),
    )
}

/// A package was made for a partner: what it holds and the hash of its file.
pub fn package(p: &Package) -> AuditAct {
    act(
        AuditAction::Release,
        None,
        Some(format!("package {}", p.id)),
        serde_json::json!({
            "kind": p.kind.as_str(),
            "partner": p.partner,
            "reports": p.reports,
            "sha256": p.sha256,
            "file": p.file,
            "why": p.why,
        }),
    )
}

/// A partner's receipt for a package was recorded.
pub fn receipt(r: &Receipt) -> AuditAct {
    act(
        AuditAction::Receipt,
        None,
        Some(format!("package {}", r.package)),
        serde_json::json!({
            "partner": r.partner,
            "sha256": r.sha256,
            "received_at": r.received_at,
            "signature": r.signature,
        }),
    )
}

/// An editor decided whether the public edition names a person.
pub fn editor_decision(d: &EditorDecision) -> AuditAct {
    act(
        AuditAction::EditorDecision,
        None,
        Some(format!("person {}", d.person)),
        serde_json::json!({ "name": d.name, "disclosure": d.disclosure.as_str(), "why": d.why }),
    )
}

/// A public edition was built: its number, its counts and the hash of its rules.
pub fn edition(e: &EditionRecord) -> AuditAct {
    use sha2::Digest as _;
    act(
        AuditAction::Publish,
        None,
        Some(format!("edition {}", e.number)),
        serde_json::json!({
            "pages": e.pages.len(),
            "counts": e.counts,
            "rules_sha256": hex::encode(sha2::Sha256::digest(e.rules.as_bytes())),
        }),
    )
}

/// A user was added or changed (`what`: "added", "disabled", "password changed"). Their
/// password's hash is never in the chain.
pub fn user(u: &User, what: &str) -> AuditAct {
    act(
        AuditAction::User,
        None,
        Some(format!("user {}", u.name)),
        serde_json::json!({
            "change": what,
            "role": u.role.as_str(),
            "partner": u.partner,
            "disabled": u.disabled,
        }),
    )
}

/// A token was made or revoked; its secret's hash is never in the chain.
pub fn token(t: &ApiToken, what: &str) -> AuditAct {
    act(
        AuditAction::Token,
        None,
        Some(format!("token {}", t.id)),
        serde_json::json!({
            "change": what,
            "user": t.user,
            "scopes": t.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        }),
    )
}

/// Someone signed in to the reading room, or out.
pub fn session(s: &WebSession, signed_in: bool) -> AuditAct {
    act(
        if signed_in {
            AuditAction::SignIn
        } else {
            AuditAction::SignOut
        },
        None,
        Some(format!("user {}", s.user)),
        serde_json::json!({ "expires": s.expires }),
    )
}

/// Someone read a classified document (its text, its original, or through the API).
pub fn read(doc: DocId, unit: Option<String>, marking: &str, how: &str) -> AuditAct {
    act(
        AuditAction::Read,
        unit,
        Some(format!("doc:{}", doc.0)),
        serde_json::json!({ "marking": marking, "how": how }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_is_an_act_per_unit_the_first_with_the_whole_transfer() {
        let t = Transfer {
            id: 0,
            direction: Direction::In,
            bag_id: "bag-1".into(),
            bag_path: "/in/bag-1".into(),
            source: Some("Архив А".into()),
            from: None,
            to: None,
            units: vec!["ф. 1, оп. 1".into(), "ф. 1, оп. 2".into()],
            files: 3,
            bytes: 10,
            actor: String::new(),
            at: String::new(),
        };
        let acts = transfer(&t, 7);
        assert_eq!(acts.len(), 2);
        assert!(acts
            .iter()
            .all(|a| a.action == "transfer-in" && a.object.as_deref() == Some("transfer:7")));
        assert_eq!(acts[1].unit.as_deref(), Some("ф. 1, оп. 2"));
        let first: serde_json::Value = serde_json::from_str(&acts[0].detail).expect("JSON");
        assert_eq!(first["files"], 3);
        assert_eq!(first["source"], "Архив А");
        let second: serde_json::Value = serde_json::from_str(&acts[1].detail).expect("JSON");
        assert_eq!(second, serde_json::json!({"bag": "bag-1"}));
    }

    #[test]
    fn setting_and_removing_a_marking_rule_are_one_act_on_the_unit() {
        let rule = MarkingRule {
            unit: "ф. 9002".into(),
            marking: kartoteka_model::Marking::parse("SECRET").expect("a marking"),
            why: "order 12".into(),
            by: String::new(),
            at: String::new(),
        };
        let set = marking_rule_set(&rule);
        let removed = marking_rule_removed("ф. 9002", "declassified");
        for a in [&set, &removed] {
            assert_eq!(a.action, AuditAction::MarkingRule.as_str());
            assert_eq!(a.unit.as_deref(), Some("ф. 9002"));
        }
        let detail: serde_json::Value = serde_json::from_str(&set.detail).expect("JSON");
        assert_eq!(detail["marking"], "SECRET");
        let detail: serde_json::Value = serde_json::from_str(&removed.detail).expect("JSON");
        assert_eq!(detail["marking"], serde_json::Value::Null);
        assert_eq!(detail["why"], "declassified");
    }
}
