//! Editors' decisions and the public editions in SQLite.

use kartoteka_model::{EditionRecord, EditorDecision};

use super::audit::append_audit;
use super::{bodies, db, now, SqliteStore};
use crate::acts;
use crate::metadata::StoreError;
use crate::prelude::EditionStore;

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(e.to_string()))
}

impl EditionStore for SqliteStore {
    fn add_editor_decision(
        &mut self,
        decision: &EditorDecision,
    ) -> Result<EditorDecision, StoreError> {
        let mut d = decision.clone();
        d.by = self.actor.clone();
        d.at = now();
        let tx = self.conn.savepoint().map_err(db)?;
        tx.execute(
            "INSERT INTO editor_decisions(body) VALUES (?1)",
            [json(&d)?],
        )
        .map_err(db)?;
        append_audit(&tx, &self.actor, &[acts::editor_decision(&d)])?;
        tx.commit().map_err(db)?;
        Ok(d)
    }

    fn editor_decisions(&self) -> Result<Vec<EditorDecision>, StoreError> {
        bodies(
            &self.conn,
            "SELECT body FROM editor_decisions ORDER BY id",
            [],
            "editor decision",
        )
    }

    fn add_edition(&mut self, edition: &EditionRecord) -> Result<EditionRecord, StoreError> {
        let mut e = edition.clone();
        e.by = self.actor.clone();
        e.at = now();
        let tx = self.conn.savepoint().map_err(db)?;
        let last: u32 = tx
            .query_row("SELECT COALESCE(MAX(number), 0) FROM editions", [], |r| {
                r.get(0)
            })
            .map_err(db)?;
        if e.number != last + 1 {
            return Err(StoreError::Conflict(format!(
                "edition {} cannot follow edition {last}: another edition was recorded meanwhile",
                e.number
            )));
        }
        tx.execute(
            "INSERT INTO editions(number, body) VALUES (?1, ?2)",
            rusqlite::params![e.number, json(&e)?],
        )
        .map_err(db)?;
        append_audit(&tx, &self.actor, &[acts::edition(&e)])?;
        tx.commit().map_err(db)?;
        Ok(e)
    }

    fn editions(&self) -> Result<Vec<EditionRecord>, StoreError> {
        bodies(
            &self.conn,
            "SELECT body FROM editions ORDER BY number",
            [],
            "edition",
        )
    }
}
