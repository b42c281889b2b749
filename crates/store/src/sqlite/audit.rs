//! The audit chain in SQLite: entries appended after the head inside the writer's transaction, and read back.

use kartoteka_model::Reference;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{db, now, within_pattern, SqliteStore};
use crate::audit::{entry_hash, unit_key, AuditAct, AuditEntry, AuditFilter, GENESIS};
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
    let (mut seq, mut prev): (u64, String) = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
        )
        .optional()
        .map_err(db)?
        .unwrap_or((0, GENESIS.to_string()));
    let at = now();
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO audit(seq, at, actor, action, unit, unit_key, object, detail, prev, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(db)?;
    for act in acts {
        seq += 1;
        let hash = entry_hash(
            seq,
            &at,
            actor,
            (
                &act.action,
                act.unit.as_deref(),
                act.object.as_deref(),
                &act.detail,
            ),
            &prev,
        );
        stmt.execute(params![
            seq as i64,
            at,
            actor,
            act.action,
            act.unit,
            act.unit.as_deref().map(unit_key),
            act.object,
            act.detail,
            prev,
            hash
        ])
        .map_err(db)?;
        prev = hash;
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
    let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE 1");
    let mut values: Vec<String> = Vec::new();
    if let Some(unit) = &filter.unit {
        let (key, pattern) = match Reference::parse(unit) {
            Ok(r) => within_pattern(&r),
            Err(_) => (unit.clone(), unit.clone()),
        };
        values.push(key);
        values.push(pattern);
        sql.push_str(&format!(
            " AND (unit_key = ?{} OR unit_key LIKE ?{} ESCAPE '\\')",
            values.len() - 1,
            values.len()
        ));
    }
    for (column, value) in [
        ("object", &filter.object),
        ("actor", &filter.actor),
        ("action", &filter.action),
    ] {
        if let Some(v) = value {
            values.push(v.clone());
            sql.push_str(&format!(" AND {column} = ?{}", values.len()));
        }
    }
    if let Some(since) = &filter.since {
        values.push(since.clone());
        sql.push_str(&format!(" AND at >= ?{}", values.len()));
    }
    if let Some(until) = &filter.until {
        values.push(until.clone());
        let n = values.len();
        sql.push_str(&format!(" AND substr(at, 1, length(?{n})) <= ?{n}"));
    }
    match filter.limit {
        // The newest `limit`, still in chain order.
        Some(limit) => {
            sql = format!("SELECT * FROM ({sql} ORDER BY seq DESC LIMIT {limit}) ORDER BY seq")
        }
        None => sql.push_str(" ORDER BY seq"),
    }
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
