//! Fixity and gaps findings in SQLite, and the holdings they are checked against.

use kartoteka_model::{DocId, Finding, FindingKind, FindingStatus};
use rusqlite::{params, Connection, Row};

use super::audit::append_audit;
use super::{corrupt, db, now, SqliteStore};
use crate::acts;
use crate::audit::unit_key;
use crate::metadata::{Holding, StoreError, VersionRecord};
use crate::prelude::FindingStore;

pub(crate) fn finding_key(f: &Finding) -> String {
    format!(
        "{}|{}|{}|{}",
        f.kind.as_str(),
        f.reference,
        f.expected,
        f.found
    )
}

fn finding_row(r: &Row<'_>) -> Result<Finding, StoreError> {
    let kind: String = r.get(1).map_err(db)?;
    let expected: String = r.get(3).map_err(db)?;
    let found: String = r.get(4).map_err(db)?;
    let status: String = r.get(6).map_err(db)?;
    let kind = FindingKind::parse(&kind).ok_or_else(|| corrupt("finding kind", &kind))?;
    Ok(Finding {
        id: r.get(0).map_err(db)?,
        kind,
        reference: r.get(2).map_err(db)?,
        expected: serde_json::from_str(&expected).map_err(|_| corrupt("finding", &expected))?,
        found: serde_json::from_str(&found).map_err(|_| corrupt("finding", &found))?,
        evidence: r.get(5).map_err(db)?,
        severity: kind.severity(),
        status: FindingStatus::parse(&status).ok_or_else(|| corrupt("finding status", &status))?,
        note: r.get(7).map_err(db)?,
        first_seen: r.get(8).map_err(db)?,
    })
}

const FINDING_COLUMNS: &str =
    "id, kind, reference, expected, found, evidence, status, note, first_seen";

pub(crate) fn in_scope(scope: &str, reference: &str) -> bool {
    if scope.is_empty() {
        return true;
    }
    let key = unit_key(reference);
    key == scope || key.starts_with(&format!("{scope}/"))
}

pub(super) fn keep_findings(
    conn: &Connection,
    scope: &str,
    findings: &[Finding],
) -> Result<Vec<Finding>, StoreError> {
    let at = now();
    // Everything in scope is no longer current until found again.
    {
        let mut stmt = conn
            .prepare("SELECT id, reference FROM findings WHERE current = 1")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(db)?;
        let mut stale = Vec::new();
        for row in rows {
            let (id, reference) = row.map_err(db)?;
            if in_scope(scope, &reference) {
                stale.push(id);
            }
        }
        let mut clear = conn
            .prepare_cached("UPDATE findings SET current = 0 WHERE id = ?1")
            .map_err(db)?;
        for id in stale {
            clear.execute([id]).map_err(db)?;
        }
    }
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO findings(key, kind, reference, expected, found, evidence, first_seen, last_seen, current)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 1)
             ON CONFLICT(key) DO UPDATE SET evidence = excluded.evidence, last_seen = excluded.last_seen, current = 1
             RETURNING id",
        )
        .map_err(db)?;
    let mut ids = Vec::with_capacity(findings.len());
    for f in findings {
        let id: i64 = upsert
            .query_row(
                params![
                    finding_key(f),
                    f.kind.as_str(),
                    f.reference,
                    f.expected.to_string(),
                    f.found.to_string(),
                    f.evidence,
                    at
                ],
                |r| r.get(0),
            )
            .map_err(db)?;
        ids.push(id);
    }
    let mut current = current_findings(conn)?;
    current.retain(|f| in_scope(scope, &f.reference));
    Ok(current)
}

pub(super) fn annotate_finding(
    conn: &Connection,
    actor: &str,
    id: i64,
    status: FindingStatus,
    note: Option<&str>,
) -> Result<Finding, StoreError> {
    let changed = conn
        .execute(
            "UPDATE findings SET status = ?2, note = COALESCE(?3, note) WHERE id = ?1",
            params![id, status.as_str(), note],
        )
        .map_err(db)?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("finding {id}")));
    }
    let f = conn
        .query_row(
            &format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id = ?1"),
            [id],
            |r| Ok(finding_row(r)),
        )
        .map_err(db)??;
    append_audit(
        conn,
        actor,
        &[acts::finding_annotated(&f, id, status, note)],
    )?;
    Ok(f)
}

pub(super) fn current_findings(conn: &Connection) -> Result<Vec<Finding>, StoreError> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {FINDING_COLUMNS} FROM findings WHERE current = 1 ORDER BY id"
        ))
        .map_err(db)?;
    let rows = stmt.query_map([], |r| Ok(finding_row(r))).map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row.map_err(db)??);
    }
    Ok(out)
}

impl FindingStore for SqliteStore {
    fn each_holding(
        &self,
        f: &mut dyn FnMut(Holding) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.id, d.reference, d.unit_key, d.content, d.size, d.page_count, d.needs_ocr,
                   (SELECT chars FROM document_versions v WHERE v.doc = d.id ORDER BY v.rowid DESC LIMIT 1),
                   (SELECT outcome FROM ledger l WHERE l.doc = d.id AND l.stage = 'extract' ORDER BY l.id DESC LIMIT 1)
                 FROM documents d WHERE d.placement != 'cited' ORDER BY d.id",
            )
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        while let Some(r) = rows.next().map_err(db)? {
            let holding = Holding {
                id: DocId(r.get(0).map_err(db)?),
                reference: r.get(1).map_err(db)?,
                file_key: r.get(2).map_err(db)?,
                content: r.get(3).map_err(db)?,
                size: r.get::<_, i64>(4).map_err(db)? as u64,
                pages: r.get(5).map_err(db)?,
                needs_ocr: r.get(6).map_err(db)?,
                chars: r.get::<_, Option<i64>>(7).map_err(db)?.unwrap_or(0) as u64,
                extracted: r.get::<_, Option<String>>(8).map_err(db)?.as_deref() == Some("done"),
            };
            f(holding)?;
        }
        Ok(())
    }

    fn each_sheet_held(
        &self,
        f: &mut dyn FnMut(DocId, u32) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT DISTINCT doc, sheet FROM pages WHERE sheet IS NOT NULL ORDER BY doc, sheet",
            )
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        while let Some(r) = rows.next().map_err(db)? {
            f(DocId(r.get(0).map_err(db)?), r.get(1).map_err(db)?)?;
        }
        Ok(())
    }

    fn changed_versions(&self) -> Result<Vec<(DocId, Vec<VersionRecord>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT doc, content, size, chars, at FROM document_versions
                 WHERE doc IN (SELECT doc FROM document_versions GROUP BY doc HAVING COUNT(DISTINCT content) > 1)
                 ORDER BY doc, rowid",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    DocId(r.get(0)?),
                    VersionRecord {
                        content: r.get(1)?,
                        size: r.get::<_, Option<i64>>(2)?.map(|n| n as u64),
                        chars: r.get::<_, Option<i64>>(3)?.map(|n| n as u64),
                        at: r.get(4)?,
                    },
                ))
            })
            .map_err(db)?;
        let mut out: Vec<(DocId, Vec<VersionRecord>)> = Vec::new();
        for row in rows {
            let (doc, version) = row.map_err(db)?;
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
        let tx = self.conn.savepoint().map_err(db)?;
        let kept = keep_findings(&tx, scope, findings)?;
        tx.commit().map_err(db)?;
        Ok(kept)
    }

    fn current_findings(&self) -> Result<Vec<Finding>, StoreError> {
        current_findings(&self.conn)
    }

    fn annotate_finding(
        &mut self,
        id: i64,
        status: FindingStatus,
        note: Option<&str>,
    ) -> Result<Finding, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let f = annotate_finding(&tx, &self.actor, id, status, note)?;
        tx.commit().map_err(db)?;
        Ok(f)
    }
}
