//! A unit's history as a timeline: where it was kept, the transfers that moved it, and
//! every audited act on it or inside it.

use kartoteka_model::{CustodyEntry, Reference, Transfer, Unit};
use kartoteka_store::{AuditEntry, AuditFilter};
use serde::Serialize;

use crate::{Archive, ArchiveError};

/// One moment of a unit's history.
#[derive(Clone, Debug, Serialize)]
pub struct Moment {
    /// When (RFC 3339).
    pub at: String,
    /// What kind: "custody", or an audit action ("ingest", "transfer-in", ...).
    pub kind: String,
    /// Who.
    pub actor: String,
    /// The unit it concerns (this one, one holding it, or one inside it).
    pub unit: Option<String>,
    /// What happened, in a line.
    pub what: String,
}

/// A unit's history.
#[derive(Clone, Debug, Serialize)]
pub struct History {
    /// The unit asked for.
    pub reference: String,
    /// Its description, when the inventory has one.
    pub unit: Option<Unit>,
    /// Where it is now, when known.
    pub location: Option<String>,
    /// Its custody, oldest first (including that of the units holding it).
    pub custody: Vec<CustodyEntry>,
    /// The transfers that carried it.
    pub transfers: Vec<Transfer>,
    /// Every audited act on it or inside it, oldest first.
    pub audit: Vec<AuditEntry>,
    /// Every act in chain order, in words.
    pub timeline: Vec<Moment>,
}

impl Archive {
    /// The history of a unit.
    pub fn history(&self, reference: &Reference) -> Result<History, ArchiveError> {
        let store = self.store();
        let unit = store.unit(reference)?;
        let custody = store.custody(reference)?;
        // Acts on the unit and inside it, and on the units that hold it.
        let mut audit = store.audit_log(&AuditFilter {
            unit: Some(reference.to_string()),
            ..Default::default()
        })?;
        let mut parent = reference.parent();
        while let Some(p) = parent {
            let on_parent = store.audit_log(&AuditFilter {
                unit: Some(p.to_string()),
                ..Default::default()
            })?;
            audit.extend(
                on_parent
                    .into_iter()
                    .filter(|e| e.unit.as_deref() == Some(&p.to_string())),
            );
            parent = p.parent();
        }
        audit.sort_by_key(|e| e.seq);
        audit.dedup_by_key(|e| e.seq);
        let mut transfers = Vec::new();
        for id in audit.iter().filter_map(|e| {
            e.object
                .as_deref()?
                .strip_prefix("transfer:")?
                .parse::<i64>()
                .ok()
        }) {
            if transfers.iter().any(|t: &Transfer| t.id == id) {
                continue;
            }
            if let Some(t) = store.transfer(id)? {
                transfers.push(t);
            }
        }
        if unit.is_none() && audit.is_empty() && custody.is_empty() {
            return Err(ArchiveError::NotFound(reference.to_string()));
        }
        // Every change of custody is audited (a move or a transfer), so the audit entries
        // alone make the timeline.
        let mut timeline: Vec<Moment> = Vec::new();
        timeline.extend(audit.iter().map(|e| Moment {
            at: e.at.clone(),
            kind: e.action.clone(),
            actor: e.actor.clone(),
            unit: e.unit.clone(),
            what: describe(e),
        }));
        let location = custody
            .iter()
            .rev()
            .find(|c| c.until.is_none())
            .map(|c| c.location.to_string());
        Ok(History {
            reference: reference.to_string(),
            unit,
            location,
            custody,
            transfers,
            audit,
            timeline,
        })
    }
}

/// An audit entry in words.
fn describe(e: &AuditEntry) -> String {
    let detail: serde_json::Value =
        serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null);
    let field = |k: &str| detail.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let count = |k: &str| detail.get(k).and_then(|v| v.as_u64());
    use kartoteka_store::AuditAction as A;
    match e.kind() {
        Some(A::Ingest) => format!(
            "{} ingested from {} ({} bytes, {} characters of text)",
            e.object.as_deref().unwrap_or("document"),
            field("source").unwrap_or_default(),
            count("size").unwrap_or(0),
            count("chars").unwrap_or(0)
        ),
        Some(A::Update) => format!(
            "{} replaced by a new version ({} bytes, {} characters; before: {} characters)",
            e.object.as_deref().unwrap_or("document"),
            count("size").unwrap_or(0),
            count("chars").unwrap_or(0),
            detail["previous"]["chars"].as_u64().unwrap_or(0)
        ),
        Some(A::TransferIn) => format!(
            "arrived in bag {} from {}{}",
            field("path").unwrap_or_default(),
            field("source").unwrap_or_else(|| "an unnamed source".into()),
            field("to")
                .map(|t| format!("; now kept at {t}"))
                .unwrap_or_default()
        ),
        Some(A::TransferOut) => format!(
            "copied out as bag {} to {}",
            field("path").unwrap_or_default(),
            field("to").unwrap_or_default()
        ),
        Some(A::Move) => format!("moved to {}", field("to").unwrap_or_default()),
        Some(A::Describe) => format!("described: {}", e.detail),
        _ => e.detail.clone(),
    }
}
