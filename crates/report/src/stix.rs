//! STIX 2.1 bundles: the report as a `report` object, its subject and the people it names
//! as `identity` objects, the subject's operational persona as a `threat-actor` whose
//! aliases are the cover names, relationships between them, the cited sheets as external
//! references with their reference codes, a TLP 2.0 marking and a statement marking that
//! carries the classification and releasability.
//!
//! Identifiers are name-based (the same report version gives the same ids), shaped as
//! RFC 4122 version-4 UUIDs from SHA-256, so a partner that receives a bundle twice
//! recognises the objects.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use kartoteka_model::{Marking, Report};

/// The extension definition that TLP 2.0 marking definitions carry.
pub const TLP_2_0_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The TLP 2.0 marking definitions OASIS publishes: (label, id, value).
const TLP: &[(&str, &str, &str)] = &[
    (
        "TLP:CLEAR",
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "clear",
    ),
    (
        "TLP:GREEN",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "green",
    ),
    (
        "TLP:AMBER",
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "amber",
    ),
    (
        "TLP:AMBER+STRICT",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "amber+strict",
    ),
    (
        "TLP:RED",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        "red",
    ),
];

/// The TLP level a marking maps to: unclassified and unrestricted is CLEAR, unclassified
/// for named countries GREEN, restricted and confidential AMBER, secret AMBER+STRICT, top
/// secret, NOFORN and ORCON RED.
fn tlp_for(m: &Marking) -> &'static (&'static str, &'static str, &'static str) {
    use kartoteka_model::Classification as C;
    let i = match m.classification {
        // Not for foreign services, or not to be passed on without the originator: only
        // the recipients themselves.
        _ if m.noforn || m.orcon => 4,
        C::Unclassified if m.releasable_to.is_empty() => 0,
        C::Unclassified => 1,
        C::Restricted | C::Confidential => 2,
        C::Secret => 3,
        C::TopSecret => 4,
    };
    &TLP[i]
}

/// A name-based id: `type--uuid` with the UUID built from SHA-256 of the seed, shaped as
/// version 4 (STIX wants version 4 for its domain objects; the bits are a hash, which is
/// as unpredictable as random ones and the same every time).
fn id(kind: &str, seed: &str) -> String {
    let digest = Sha256::digest(format!("kartoteka:{kind}:{seed}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{kind}--{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A STIX timestamp from an RFC 3339 one: UTC, to the millisecond ("...T01:44:07.000Z").
fn timestamp(at: &str) -> String {
    let Some(base) = at.strip_suffix('Z').filter(|b| b.len() >= 19) else {
        return "1970-01-01T00:00:00.000Z".to_string();
    };
    let (seconds, fraction) = base.split_once('.').unwrap_or((base, ""));
    let millis: String = fraction.chars().chain("000".chars()).take(3).collect();
    format!("{seconds}.{millis}Z")
}

/// One STIX 2.1 bundle for one report version.
pub fn stix_bundle(report: &Report) -> Value {
    let at = timestamp(&report.at);
    let marking = report.marking();
    let (tlp_name, tlp_id, tlp_value) = *tlp_for(&marking);
    let statement_text = marking.to_string();
    let statement_id = id("marking-definition", &statement_text);
    let markings = json!([tlp_id, statement_id]);
    let mut objects = vec![
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": tlp_id,
            "created": "2022-10-01T00:00:00.000Z",
            "name": tlp_name,
            "extensions": {
                TLP_2_0_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp_value}
            }
        }),
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": statement_id,
            "created": at,
            "definition_type": "statement",
            "definition": {"statement": statement_text}
        }),
    ];
    let sdo = |kind: &str, seed: &str, mut body: Value| -> Value {
        let o = body.as_object_mut().expect("an object");
        o.insert("type".into(), json!(kind));
        o.insert("spec_version".into(), json!("2.1"));
        o.insert("id".into(), json!(id(kind, seed)));
        o.insert("created".into(), json!(at));
        o.insert("modified".into(), json!(at));
        o.insert("object_marking_refs".into(), markings.clone());
        body
    };
    let subject = sdo(
        "identity",
        &report.subject,
        json!({
            "name": report.subject_name,
            "identity_class": "individual",
            "description": format!("Person {} of the archive", report.subject),
        }),
    );
    let subject_id = subject["id"].clone();
    let mut refs = vec![subject_id.clone()];
    objects.push(subject);
    if let Some((first, rest)) = report.cover_names.split_first() {
        let mut actor = json!({
            "name": first,
            "threat_actor_types": ["spy"],
            "description": format!("The operational persona of {} under cover names", report.subject_name),
        });
        let mut aliases: Vec<&String> = rest.iter().collect();
        aliases.dedup();
        if !aliases.is_empty() {
            actor["aliases"] = json!(aliases);
        }
        let actor = sdo(
            "threat-actor",
            &format!("{}:{first}", report.subject),
            actor,
        );
        let actor_id = actor["id"].clone();
        objects.push(actor);
        let rel = sdo(
            "relationship",
            &format!("{}:persona", report.subject),
            json!({
                "relationship_type": "attributed-to",
                "source_ref": actor_id,
                "target_ref": subject_id,
            }),
        );
        refs.push(actor_id);
        refs.push(rel["id"].clone());
        objects.push(rel);
    }
    for r in &report.related {
        let seed = r.person.clone().unwrap_or_else(|| r.name.clone());
        let person = sdo(
            "identity",
            &seed,
            json!({"name": r.name, "identity_class": "individual"}),
        );
        let person_id = person["id"].clone();
        if !refs.contains(&person_id) {
            refs.push(person_id.clone());
            objects.push(person);
        }
        let rel = sdo(
            "relationship",
            &format!("{}:{}:{seed}", report.subject, r.relation),
            json!({
                "relationship_type": "related-to",
                "source_ref": subject_id,
                "target_ref": person_id,
                "description": r.relation.replace('_', " "),
            }),
        );
        if !refs.contains(&rel["id"]) {
            refs.push(rel["id"].clone());
            objects.push(rel);
        }
    }
    let (citations, _) = crate::numbered_citations(report);
    let external: Vec<Value> = citations
        .iter()
        .map(|c| {
            json!({
                "source_name": "kartoteka",
                "external_id": c.reference.clone().unwrap_or_else(|| format!("document {}", c.doc.0)),
                "description": format!("{}: «{}»", crate::citation_place(c), crate::one_line(&c.quote)),
            })
        })
        .collect();
    let summary = report
        .paragraphs
        .iter()
        .find(|p| p.section == "subject")
        .map(|p| p.text.clone())
        .unwrap_or_default();
    let mut body = json!({
        "name": report.title,
        "description": summary,
        "published": at,
        "report_types": ["threat-actor"],
        "object_refs": refs,
        "labels": [format!("status:{}", report.status), format!("version:{}", report.version)],
    });
    if !external.is_empty() {
        body["external_references"] = json!(external);
    }
    objects.push(sdo(
        "report",
        &format!("{}:{}", report.id, report.version),
        body,
    ));
    json!({
        "type": "bundle",
        "id": id("bundle", &format!("{}:{}", report.id, report.version)),
        "objects": objects,
    })
}
