//! The audit chain, transfers with custody, and findings in PostgreSQL.

use kartoteka_model::{
    CustodyEntry, Direction, DocId, Finding, FindingKind, FindingStatus, Reference, Transfer,
};
use postgres::Row;

use super::{get, get_u32, Conn, Param, PostgresStore};
use crate::acts;
use crate::audit::{filter_query, linked_entries, unit_key, AuditAct, AuditEntry, AuditFilter};
use crate::metadata::{Holding, StoreError, VersionRecord};
use crate::prelude::{AuditStore, CustodyStore, FindingStore};
use crate::sqlite::corrupt;
use crate::sqlite::custody::location_json;
use crate::sqlite::findings::{finding_key, in_scope};
use kartoteka_model::now_rfc3339 as now;

/// Appends acts after the current head, inside the caller's transaction. The writer lock
/// the transaction holds keeps any other process from appending after the same head.
pub(super) fn append_audit(
    conn: &mut Conn,
    actor: &str,
    acts: &[AuditAct],
) -> Result<(), StoreError> {
    if acts.is_empty() {
        return Ok(());
    }
    let head = audit_head(conn)?;
    let at = now();
    for entry in linked_entries(head, &at, actor, acts) {
        let act = entry.act;
        conn.exec(
            "INSERT INTO audit(seq, at, actor, action, unit, unit_key, object, detail, prev, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &(entry.seq as i64),
                &at,
                &actor,
                &act.action,
                &act.unit,
                &act.unit.as_deref().map(unit_key),
                &act.object,
                &act.detail,
                &entry.prev,
                &entry.hash,
            ],
        )?;
    }
    Ok(())
}

pub(super) fn audit_head(conn: &mut Conn) -> Result<Option<(u64, String)>, StoreError> {
    conn.row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])?
        .map(|r| Ok((get::<i64>(&r, 0)? as u64, get(&r, 1)?)))
        .transpose()
}

const AUDIT_COLUMNS: &str = "seq, at, actor, action, unit, object, detail, prev, hash, unit_key";

fn audit_row(r: &Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: get::<i64>(r, 0)? as u64,
        at: get(r, 1)?,
        actor: get(r, 2)?,
        action: get(r, 3)?,
        unit: get(r, 4)?,
        object: get(r, 5)?,
        detail: get(r, 6)?,
        prev: get(r, 7)?,
        hash: get(r, 8)?,
        unit_key: get(r, 9)?,
    })
}

impl AuditStore for PostgresStore {
    fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    fn append_audit(&mut self, acts: &[AuditAct]) -> Result<(), StoreError> {
        self.write(|conn, actor| append_audit(conn, actor, acts))
    }

    fn audit_after(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.read()
            .rows(
                &format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2"),
                &[&(after as i64), &(limit as i64)],
            )?
            .iter()
            .map(audit_row)
            .collect()
    }

    fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let (sql, values) = filter_query(AUDIT_COLUMNS, filter, |n| format!("${n}"));
        let params: Vec<Param<'_>> = values.iter().map(|v| v as Param<'_>).collect();
        self.read()
            .rows(&sql, &params)?
            .iter()
            .map(audit_row)
            .collect()
    }

    fn audit_head(&self) -> Result<Option<(u64, String)>, StoreError> {
        audit_head(&mut self.read())
    }
}

/// Closes each unit's open custody and opens the new one.
fn insert_custody(
    conn: &mut Conn,
    actor: &str,
    custody: &[CustodyEntry],
) -> Result<(), StoreError> {
    for c in custody {
        let key = unit_key(&c.unit);
        conn.exec(
            "UPDATE custody SET until_at = $2 WHERE unit_key = $1 AND until_at IS NULL",
            &[&key, &c.from],
        )?;
        let moved_by = if c.moved_by.is_empty() {
            actor
        } else {
            c.moved_by.as_str()
        };
        conn.exec(
            "INSERT INTO custody(unit_key, unit, location, from_at, until_at, moved_by, transfer)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &key,
                &c.unit,
                &location_json(&c.location),
                &c.from,
                &c.until,
                &moved_by,
                &c.transfer,
            ],
        )?;
    }
    Ok(())
}

const TRANSFER_COLUMNS: &str =
    "id, direction, bag_id, bag_path, source, from_location, to_location, units, files, bytes, actor, at";

fn transfer_row(r: &Row) -> Result<Transfer, StoreError> {
    let direction: String = get(r, 1)?;
    let units: String = get(r, 7)?;
    Ok(Transfer {
        id: get(r, 0)?,
        direction: match direction.as_str() {
            "in" => Direction::In,
            "out" => Direction::Out,
            other => return Err(corrupt("transfer direction", other)),
        },
        bag_id: get(r, 2)?,
        bag_path: get(r, 3)?,
        source: get(r, 4)?,
        from: get(r, 5)?,
        to: get(r, 6)?,
        units: serde_json::from_str(&units).map_err(|_| corrupt("transfer units", &units))?,
        files: get::<i64>(r, 8)? as u64,
        bytes: get::<i64>(r, 9)? as u64,
        actor: get(r, 10)?,
        at: get(r, 11)?,
    })
}

impl CustodyStore for PostgresStore {
    fn record_transfer(
        &mut self,
        t: &Transfer,
        custody: &[CustodyEntry],
    ) -> Result<i64, StoreError> {
        self.write(|conn, actor| {
            let units = serde_json::to_string(&t.units).unwrap_or_else(|_| "[]".into());
            let at = if t.at.is_empty() { now() } else { t.at.clone() };
            let id: i64 = conn.value(
                "INSERT INTO transfers(id, direction, bag_id, bag_path, source, from_location, to_location, units, files, bytes, actor, at)
                 VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM transfers), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 RETURNING id",
                &[
                    &t.direction.as_str(),
                    &t.bag_id,
                    &t.bag_path,
                    &t.source,
                    &t.from,
                    &t.to,
                    &units,
                    &(t.files as i64),
                    &(t.bytes as i64),
                    &actor,
                    &at,
                ],
            )?;
            let custody: Vec<CustodyEntry> = custody
                .iter()
                .cloned()
                .map(|mut c| {
                    c.transfer = Some(id);
                    c
                })
                .collect();
            insert_custody(conn, actor, &custody)?;
            append_audit(conn, actor, &acts::transfer(t, id))?;
            Ok(id)
        })
    }

    fn transfers_of_bag(&self, bag_id: &str) -> Result<Vec<Transfer>, StoreError> {
        self.read()
            .rows(
                &format!("SELECT {TRANSFER_COLUMNS} FROM transfers WHERE bag_id = $1 ORDER BY id"),
                &[&bag_id],
            )?
            .iter()
            .map(transfer_row)
            .collect()
    }

    fn transfer(&self, id: i64) -> Result<Option<Transfer>, StoreError> {
        self.read()
            .row(
                &format!("SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id = $1"),
                &[&id],
            )?
            .map(|r| transfer_row(&r))
            .transpose()
    }

    fn record_moves(&mut self, custody: &[CustodyEntry]) -> Result<(), StoreError> {
        self.write(|conn, actor| {
            insert_custody(conn, actor, custody)?;
            append_audit(conn, actor, &acts::moves(custody))
        })
    }

    fn custody(&self, unit: &Reference) -> Result<Vec<CustodyEntry>, StoreError> {
        // The unit and every unit that holds it: a fonds that moved took its files with it.
        let mut keys = Vec::new();
        let mut r = Some(unit.clone());
        while let Some(u) = r {
            keys.push(u.key());
            r = u.parent();
        }
        self.read()
            .rows(
                "SELECT unit, location, from_at, until_at, moved_by, transfer FROM custody
                 WHERE unit_key = ANY($1) ORDER BY from_at COLLATE \"C\", id",
                &[&keys],
            )?
            .iter()
            .map(|r| {
                let location: String = get(r, 1)?;
                Ok(CustodyEntry {
                    unit: get(r, 0)?,
                    location: serde_json::from_str(&location)
                        .map_err(|_| corrupt("location", &location))?,
                    from: get(r, 2)?,
                    until: get(r, 3)?,
                    moved_by: get(r, 4)?,
                    transfer: get(r, 5)?,
                })
            })
            .collect()
    }
}

const FINDING_COLUMNS: &str =
    "id, kind, reference, expected, found, evidence, status, note, first_seen";

fn finding_row(r: &Row) -> Result<Finding, StoreError> {
    let kind: String = get(r, 1)?;
    let expected: String = get(r, 3)?;
    let found: String = get(r, 4)?;
    let status: String = get(r, 6)?;
    let kind = FindingKind::parse(&kind).ok_or_else(|| corrupt("finding kind", &kind))?;
    Ok(Finding {
        id: get(r, 0)?,
        kind,
        reference: get(r, 2)?,
        expected: serde_json::from_str(&expected).map_err(|_| corrupt("finding", &expected))?,
        found: serde_json::from_str(&found).map_err(|_| corrupt("finding", &found))?,
        evidence: get(r, 5)?,
        severity: kind.severity(),
        status: FindingStatus::parse(&status).ok_or_else(|| corrupt("finding status", &status))?,
        note: get(r, 7)?,
        first_seen: get(r, 8)?,
    })
}

fn current_findings(conn: &mut Conn) -> Result<Vec<Finding>, StoreError> {
    conn.rows(
        &format!("SELECT {FINDING_COLUMNS} FROM findings WHERE current ORDER BY id"),
        &[],
    )?
    .iter()
    .map(finding_row)
    .collect()
}

impl FindingStore for PostgresStore {
    fn each_holding(
        &self,
        f: &mut dyn FnMut(Holding) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // In pages of documents, the connection given back between them: `f` may read.
        let mut after = i64::MIN;
        loop {
            let rows = self.read().rows(
                "SELECT d.id, d.reference, d.unit_key, d.content, d.size, d.page_count, d.needs_ocr,
                   (SELECT chars FROM document_versions v WHERE v.doc = d.id ORDER BY v.id DESC LIMIT 1),
                   (SELECT outcome FROM ledger l WHERE l.doc = d.id AND l.stage = 'extract' ORDER BY l.id DESC LIMIT 1)
                 FROM documents d WHERE d.placement != 'cited' AND d.id > $1 ORDER BY d.id LIMIT 1000",
                &[&after],
            )?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = get(last, 0)?;
            for r in &rows {
                f(Holding {
                    id: DocId(get(r, 0)?),
                    reference: get(r, 1)?,
                    file_key: get(r, 2)?,
                    content: get(r, 3)?,
                    size: get::<i64>(r, 4)? as u64,
                    pages: get_u32(r, 5)?,
                    needs_ocr: get(r, 6)?,
                    chars: get::<Option<i64>>(r, 7)?.unwrap_or(0) as u64,
                    extracted: get::<Option<String>>(r, 8)?.as_deref() == Some("done"),
                })?;
            }
        }
    }

    fn each_sheet_held(
        &self,
        f: &mut dyn FnMut(DocId, u32) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut after = i64::MIN;
        loop {
            let rows = self.read().rows(
                "SELECT DISTINCT doc, sheet FROM pages WHERE sheet IS NOT NULL
                   AND doc IN (SELECT id FROM documents WHERE id > $1 ORDER BY id LIMIT 1000)
                 ORDER BY doc, sheet",
                &[&after],
            )?;
            let next: Option<i64> = self
                .read()
                .value("SELECT MAX(id) FROM (SELECT id FROM documents WHERE id > $1 ORDER BY id LIMIT 1000) page", &[&after])?;
            for r in &rows {
                f(DocId(get(r, 0)?), get_u32(r, 1)?)?;
            }
            match next {
                Some(n) => after = n,
                None => return Ok(()),
            }
        }
    }

    fn changed_versions(&self) -> Result<Vec<(DocId, Vec<VersionRecord>)>, StoreError> {
        let rows = self.read().rows(
            "SELECT doc, content, size, chars, at FROM document_versions
             WHERE doc IN (SELECT doc FROM document_versions GROUP BY doc HAVING COUNT(DISTINCT content) > 1)
             ORDER BY doc, id",
            &[],
        )?;
        let mut out: Vec<(DocId, Vec<VersionRecord>)> = Vec::new();
        for r in &rows {
            let doc = DocId(get(r, 0)?);
            let version = VersionRecord {
                content: get(r, 1)?,
                size: get::<Option<i64>>(r, 2)?.map(|n| n as u64),
                chars: get::<Option<i64>>(r, 3)?.map(|n| n as u64),
                at: get(r, 4)?,
            };
            match out.last_mut() {
                Some((last, versions)) if *last == doc => versions.push(version),
                _ => out.push((doc, vec![version])),
            }
        }
        Ok(out)
    }

    fn keep_findings(
        &mut self,
        scope: &str,
        findings: &[Finding],
    ) -> Result<Vec<Finding>, StoreError> {
        self.write(|conn, _| {
            let at = now();
            // Everything in scope is no longer current until found again.
            let stale: Vec<i64> = conn
                .rows("SELECT id, reference FROM findings WHERE current", &[])?
                .iter()
                .filter_map(|r| match (get::<i64>(r, 0), get::<String>(r, 1)) {
                    (Ok(id), Ok(reference)) => in_scope(scope, &reference).then_some(Ok(id)),
                    (Err(e), _) | (_, Err(e)) => Some(Err(e)),
                })
                .collect::<Result<_, _>>()?;
            conn.exec("UPDATE findings SET current = false WHERE id = ANY($1)", &[&stale])?;
            for f in findings {
                conn.exec(
                    "INSERT INTO findings(id, key, kind, reference, expected, found, evidence, first_seen, last_seen, current)
                     VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM findings), $1, $2, $3, $4, $5, $6, $7, $7, true)
                     ON CONFLICT(key) DO UPDATE SET evidence = excluded.evidence, last_seen = excluded.last_seen, current = true",
                    &[
                        &finding_key(f),
                        &f.kind.as_str(),
                        &f.reference,
                        &f.expected.to_string(),
                        &f.found.to_string(),
                        &f.evidence,
                        &at,
                    ],
                )?;
            }
            let mut current = current_findings(conn)?;
            current.retain(|f| in_scope(scope, &f.reference));
            Ok(current)
        })
    }

    fn current_findings(&self) -> Result<Vec<Finding>, StoreError> {
        current_findings(&mut self.read())
    }

    fn annotate_finding(
        &mut self,
        id: i64,
        status: FindingStatus,
        note: Option<&str>,
    ) -> Result<Finding, StoreError> {
        self.write(|conn, actor| {
            let changed = conn.exec(
                "UPDATE findings SET status = $2, note = COALESCE($3, note) WHERE id = $1",
                &[&id, &status.as_str(), &note],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("finding {id}")));
            }
            let row = conn
                .row(
                    &format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id = $1"),
                    &[&id],
                )?
                .ok_or_else(|| StoreError::NotFound(format!("finding {id}")))?;
            let f = finding_row(&row)?;
            append_audit(
                conn,
                actor,
                &[acts::finding_annotated(&f, id, status, note)],
            )?;
            Ok(f)
        })
    }
}
