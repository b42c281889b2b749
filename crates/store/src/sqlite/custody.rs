//! Transfers and custody in SQLite.

use kartoteka_model::{CustodyEntry, Direction, Location, Reference, Transfer};
use rusqlite::{params, Connection, Row};

use super::audit::append_audit;
use super::{corrupt, db, now, SqliteStore};
use crate::acts;
use crate::audit::unit_key;
use crate::metadata::StoreError;
use crate::prelude::CustodyStore;

pub(crate) fn location_json(l: &Location) -> String {
    serde_json::to_string(l).unwrap_or_default()
}

/// Closes each unit's open custody and opens the new one.
fn insert_custody(
    conn: &Connection,
    actor: &str,
    custody: &[CustodyEntry],
) -> Result<(), StoreError> {
    let mut close = conn
        .prepare_cached("UPDATE custody SET until_at = ?2 WHERE unit_key = ?1 AND until_at IS NULL")
        .map_err(db)?;
    let mut open = conn
        .prepare_cached(
            "INSERT INTO custody(unit_key, unit, location, from_at, until_at, moved_by, transfer)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(db)?;
    for c in custody {
        let key = unit_key(&c.unit);
        close.execute(params![key, c.from]).map_err(db)?;
        open.execute(params![
            key,
            c.unit,
            location_json(&c.location),
            c.from,
            c.until,
            if c.moved_by.is_empty() {
                actor
            } else {
                c.moved_by.as_str()
            },
            c.transfer
        ])
        .map_err(db)?;
    }
    Ok(())
}

pub(super) fn record_transfer(
    conn: &Connection,
    actor: &str,
    t: &Transfer,
    custody: &[CustodyEntry],
) -> Result<i64, StoreError> {
    let units = serde_json::to_string(&t.units).unwrap_or_else(|_| "[]".into());
    let id: i64 = conn
        .query_row(
            "INSERT INTO transfers(direction, bag_id, bag_path, source, from_location, to_location, units, files, bytes, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
            params![
                t.direction.as_str(),
                t.bag_id,
                t.bag_path,
                t.source,
                t.from,
                t.to,
                units,
                t.files as i64,
                t.bytes as i64,
                actor,
                if t.at.is_empty() { now() } else { t.at.clone() }
            ],
            |r| r.get(0),
        )
        .map_err(db)?;
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
}

fn transfer_row(r: &Row<'_>) -> Result<Transfer, StoreError> {
    let direction: String = r.get(1).map_err(db)?;
    let units: String = r.get(7).map_err(db)?;
    Ok(Transfer {
        id: r.get(0).map_err(db)?,
        direction: match direction.as_str() {
            "in" => Direction::In,
            "out" => Direction::Out,
            other => return Err(corrupt("transfer direction", other)),
        },
        bag_id: r.get(2).map_err(db)?,
        bag_path: r.get(3).map_err(db)?,
        source: r.get(4).map_err(db)?,
        from: r.get(5).map_err(db)?,
        to: r.get(6).map_err(db)?,
        units: serde_json::from_str(&units).map_err(|_| corrupt("transfer units", &units))?,
        files: r.get::<_, i64>(8).map_err(db)? as u64,
        bytes: r.get::<_, i64>(9).map_err(db)? as u64,
        actor: r.get(10).map_err(db)?,
        at: r.get(11).map_err(db)?,
    })
}

const TRANSFER_COLUMNS: &str =
    "id, direction, bag_id, bag_path, source, from_location, to_location, units, files, bytes, actor, at";

pub(super) fn transfers(
    conn: &Connection,
    filter: &str,
    value: rusqlite::types::Value,
) -> Result<Vec<Transfer>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers WHERE {filter} ORDER BY id"
        ))
        .map_err(db)?;
    let rows = stmt
        .query_map([value], |r| Ok(transfer_row(r)))
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row.map_err(db)??);
    }
    Ok(out)
}

pub(super) fn record_moves(
    conn: &Connection,
    actor: &str,
    custody: &[CustodyEntry],
) -> Result<(), StoreError> {
    insert_custody(conn, actor, custody)?;
    append_audit(conn, actor, &acts::moves(custody))
}

pub(super) fn custody(
    conn: &Connection,
    unit: &Reference,
) -> Result<Vec<CustodyEntry>, StoreError> {
    // The unit and every unit that holds it: a fonds that moved took its files with it.
    let mut keys = Vec::new();
    let mut r = Some(unit.clone());
    while let Some(u) = r {
        keys.push(u.key());
        r = u.parent();
    }
    let marks = (1..=keys.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn
        .prepare(&format!(
            "SELECT unit, location, from_at, until_at, moved_by, transfer FROM custody
             WHERE unit_key IN ({marks}) ORDER BY from_at, id"
        ))
        .map_err(db)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(keys.iter()), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (unit, location, from, until, moved_by, transfer) = row.map_err(db)?;
        out.push(CustodyEntry {
            unit,
            location: serde_json::from_str(&location)
                .map_err(|_| corrupt("location", &location))?,
            from,
            until,
            moved_by,
            transfer,
        });
    }
    Ok(out)
}

impl CustodyStore for SqliteStore {
    fn record_transfer(
        &mut self,
        transfer: &Transfer,
        custody: &[CustodyEntry],
    ) -> Result<i64, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let id = record_transfer(&tx, &self.actor, transfer, custody)?;
        tx.commit().map_err(db)?;
        Ok(id)
    }

    fn transfers_of_bag(&self, bag_id: &str) -> Result<Vec<Transfer>, StoreError> {
        transfers(&self.conn, "bag_id = ?1", bag_id.to_string().into())
    }

    fn transfer(&self, id: i64) -> Result<Option<Transfer>, StoreError> {
        Ok(transfers(&self.conn, "id = ?1", id.into())?.pop())
    }

    fn record_moves(&mut self, custody: &[CustodyEntry]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        record_moves(&tx, &self.actor, custody)?;
        tx.commit().map_err(db)
    }

    fn custody(&self, unit: &Reference) -> Result<Vec<CustodyEntry>, StoreError> {
        custody(&self.conn, unit)
    }
}
