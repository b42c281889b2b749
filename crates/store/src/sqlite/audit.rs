//! The audit chain in SQLite: entries appended after the head inside the writer's transaction, and read back.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{db, now, SqliteStore};
use crate::audit::{filter_query, linked_entries, unit_key, AuditAct, AuditEntry, AuditFilter};
use crate::metadata::StoreError;
use crate::prelude::AuditStore;

/// Appends acts after the current head, inside the caller's transaction.
pub(super) fn append_audit(
    conn: &Connection,
    actor: &str,
    acts: &[AuditAct],
) -> Result<(), StoreError> {
    if acts.is_empty() {
        return Ok(());
    }
    let head = audit_head(conn)?;
    let at = now();
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO audit(seq, at, actor, action, unit, unit_key, object, detail, prev, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(db)?;
    for entry in linked_entries(head, &at, actor, acts) {
        let act = entry.act;
        stmt.execute(params![
            entry.seq as i64,
            at,
            actor,
            act.action,
            act.unit,
            act.unit.as_deref().map(unit_key),
            act.object,
            act.detail,
            entry.prev,
            entry.hash
        ])
        .map_err(db)?;
    }
    Ok(())
}

fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get::<_, i64>(0)? as u64,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        unit: r.get(4)?,
        object: r.get(5)?,
        detail: r.get(6)?,
        prev: r.get(7)?,
        hash: r.get(8)?,
        unit_key: r.get(9)?,
    })
}

const AUDIT_COLUMNS: &str = "seq, at, actor, action, unit, object, detail, prev, hash, unit_key";

pub(super) fn audit_after(
    conn: &Connection,
    after: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))
        .map_err(db)?;
    let rows = stmt
        .query_map(params![after as i64, limit as i64], audit_row)
        .map_err(db)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db)
}

pub(super) fn audit_log(
    conn: &Connection,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>, StoreError> {
    let (sql, values) = filter_query(AUDIT_COLUMNS, filter, |n| format!("?{n}"));
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(values.iter()), audit_row)
        .map_err(db)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db)
}

pub(super) fn audit_head(conn: &Connection) -> Result<Option<(u64, String)>, StoreError> {
    conn.query_row(
        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
    )
    .optional()
    .map_err(db)
}

impl AuditStore for SqliteStore {
    fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    fn append_audit(&mut self, acts: &[AuditAct]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        append_audit(&tx, &self.actor, acts)?;
        tx.commit().map_err(db)
    }

    fn audit_after(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        audit_after(&self.conn, after, limit)
    }

    fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        audit_log(&self.conn, filter)
    }

    fn audit_head(&self) -> Result<Option<(u64, String)>, StoreError> {
        audit_head(&self.conn)
    }
}
