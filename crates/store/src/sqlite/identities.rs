//! Judgements, identities and the registry of person ids in SQLite.

use kartoteka_model::{IdentityRow, Judgement, PersonRecord};
use rusqlite::{params, Connection, OptionalExtension};

use super::audit::append_audit;
use super::{bodies, db, now, SqliteStore};
use crate::acts;
use crate::metadata::StoreError;
use crate::prelude::IdentityStore;

fn judgement_from(body: &str) -> Result<Judgement, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("judgement: {e}")))
}

fn judgement_body(j: &Judgement) -> Result<String, StoreError> {
    serde_json::to_string(j).map_err(|e| StoreError::Database(e.to_string()))
}

pub(super) fn save_judgement(
    conn: &Connection,
    actor: &str,
    judgement: &Judgement,
) -> Result<Judgement, StoreError> {
    let mut j = judgement.clone();
    j.by = actor.to_string();
    j.at = now();
    j.undone = None;
    j.id = conn
        .query_row(
            "INSERT INTO judgements(body) VALUES ('{}') RETURNING id",
            [],
            |r| r.get(0),
        )
        .map_err(db)?;
    conn.execute(
        "UPDATE judgements SET body = ?2 WHERE id = ?1",
        params![j.id, judgement_body(&j)?],
    )
    .map_err(db)?;
    append_audit(conn, actor, &[acts::judged(&j)])?;
    Ok(j)
}

pub(super) fn undo_judgement(
    conn: &Connection,
    actor: &str,
    id: i64,
) -> Result<Judgement, StoreError> {
    let body: Option<String> = conn
        .query_row("SELECT body FROM judgements WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db)?;
    let mut j =
        judgement_from(&body.ok_or_else(|| StoreError::NotFound(format!("judgement {id}")))?)?;
    if let Some((by, at)) = &j.undone {
        return Err(StoreError::Conflict(format!(
            "judgement {id} was already undone by {by} at {at}"
        )));
    }
    j.undone = Some((actor.to_string(), now()));
    conn.execute(
        "UPDATE judgements SET body = ?2 WHERE id = ?1",
        params![id, judgement_body(&j)?],
    )
    .map_err(db)?;
    append_audit(conn, actor, &[acts::judgement_undone(&j)])?;
    Ok(j)
}

pub(super) fn judgements(conn: &Connection) -> Result<Vec<Judgement>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM judgements ORDER BY id",
        [],
        "judgement",
    )
}

pub(super) fn replace_identities(
    conn: &Connection,
    actor: &str,
    rows: &[IdentityRow],
    persons: &[PersonRecord],
    detail: &str,
) -> Result<(), StoreError> {
    conn.execute("DELETE FROM identities", []).map_err(db)?;
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO identities(mention, person, doc, page, start) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(db)?;
    for r in rows {
        stmt.execute(params![r.mention, r.person, r.at.0 .0, r.at.1, r.at.2])
            .map_err(db)?;
    }
    let mut stmt = conn
        .prepare_cached(
            "INSERT OR REPLACE INTO persons(id, seq, status, body) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(db)?;
    for p in persons {
        let body = serde_json::to_string(p).map_err(|e| StoreError::Database(e.to_string()))?;
        let status = serde_json::to_value(p.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        stmt.execute(params![p.id, p.seq as i64, status, body])
            .map_err(db)?;
    }
    append_audit(conn, actor, &[acts::resolved(detail)])
}

pub(super) fn identities(conn: &Connection) -> Result<Vec<IdentityRow>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT mention, person, COALESCE(doc, 0), COALESCE(page, 0), COALESCE(start, 0) \
             FROM identities ORDER BY mention",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(IdentityRow {
                mention: r.get(0)?,
                person: r.get(1)?,
                at: (kartoteka_model::DocId(r.get(2)?), r.get(3)?, r.get(4)?),
            })
        })
        .map_err(db)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db)
}

pub(super) fn person_records(conn: &Connection) -> Result<Vec<PersonRecord>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM persons ORDER BY seq",
        [],
        "person record",
    )
}

impl IdentityStore for SqliteStore {
    fn save_judgement(&mut self, judgement: &Judgement) -> Result<Judgement, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = save_judgement(&tx, &self.actor, judgement)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn undo_judgement(&mut self, id: i64) -> Result<Judgement, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let undone = undo_judgement(&tx, &self.actor, id)?;
        tx.commit().map_err(db)?;
        Ok(undone)
    }

    fn judgements(&self) -> Result<Vec<Judgement>, StoreError> {
        judgements(&self.conn)
    }

    fn replace_identities(
        &mut self,
        rows: &[IdentityRow],
        persons: &[PersonRecord],
        detail: &str,
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        replace_identities(&tx, &self.actor, rows, persons, detail)?;
        tx.commit().map_err(db)
    }

    fn identities(&self) -> Result<Vec<IdentityRow>, StoreError> {
        identities(&self.conn)
    }

    fn person_records(&self) -> Result<Vec<PersonRecord>, StoreError> {
        person_records(&self.conn)
    }
}
