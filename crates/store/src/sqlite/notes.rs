//! Notes in SQLite: their versions, removal with or without stubs, and the check that no old copy is left.

use kartoteka_model::{Note, NoteVersion};
use rusqlite::{params, Connection, OptionalExtension};

use super::audit::append_audit;
use super::{bodies, corrupt, db, now, SqliteStore};
use crate::acts;
use crate::metadata::{NoteFilter, StoreError};
use crate::prelude::NoteStore;

/// A note as it is saved: a new one (`old` none) is version 1, by `actor` unless it names
/// its author, made and changed `at` unless it says when; a changed one is the next
/// version of `old`, made when `old` was, changed `at`.
pub(crate) fn next_version(mut note: Note, old: Option<Note>, actor: &str, at: &str) -> Note {
    match old {
        None => {
            note.version = 1;
            if note.author.is_empty() {
                note.author = actor.to_string();
            }
            if note.created.is_empty() {
                note.created = at.to_string();
            }
            if note.modified.is_empty() {
                note.modified = note.created.clone();
            }
        }
        Some(old) => {
            note.version = old.version + 1;
            note.created = old.created;
            note.modified = at.to_string();
        }
    }
    note
}

/// The columns a note is found by: its tags between bars, and its quote and comment in
/// lower case.
pub(crate) fn search_columns(note: &Note) -> (String, String) {
    let tags = format!("|{}|", note.tags.join("|"));
    let search = format!(
        "{}\n{}",
        note.anchor.exact,
        note.comment.as_deref().unwrap_or("")
    )
    .to_lowercase();
    (tags, search)
}

/// Who a version of a note is by: the program when it moved or lost the note's anchor
/// itself, else the actor.
pub(crate) fn changed_by<'a>(why: &str, actor: &'a str) -> &'a str {
    if why.starts_with("re-anchored") || why == "orphaned" {
        "kartoteka"
    } else {
        actor
    }
}

fn note_from(body: &str) -> Result<Note, StoreError> {
    serde_json::from_str(body).map_err(|_| corrupt("note", body))
}

pub(super) fn save_note(
    conn: &Connection,
    actor: &str,
    note: &Note,
    why: &str,
) -> Result<Note, StoreError> {
    let at = now();
    let mut note = note.clone();
    let new = note.id == 0;
    if new {
        note = next_version(note, None, actor, &at);
        note.id = conn
            .query_row(
                "INSERT INTO notes(doc, orphaned, tags, search, body) VALUES (?1, 0, '', '', '{}') RETURNING id",
                [note.anchor.doc.0],
                |r| r.get(0),
            )
            .map_err(db)?;
    } else {
        let old: Option<String> = conn
            .query_row("SELECT body FROM notes WHERE id = ?1", [note.id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)?;
        let old =
            note_from(&old.ok_or_else(|| StoreError::NotFound(format!("note {}", note.id)))?)?;
        note = next_version(note, Some(old), actor, &at);
    }
    let body = serde_json::to_string(&note).map_err(|e| StoreError::Database(e.to_string()))?;
    let (tags, search) = search_columns(&note);
    conn.execute(
        "UPDATE notes SET doc = ?2, orphaned = ?3, tags = ?4, search = ?5, body = ?6 WHERE id = ?1",
        params![
            note.id,
            note.anchor.doc.0,
            note.orphaned,
            tags,
            search,
            body
        ],
    )
    .map_err(db)?;
    let by = changed_by(why, actor);
    conn.execute(
        "INSERT INTO note_versions(note, version, body, by, at, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![note.id, note.version, body, by, at, why],
    )
    .map_err(db)?;
    let unit: Option<String> = conn
        .query_row(
            "SELECT reference FROM documents WHERE id = ?1",
            [note.anchor.doc.0],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?
        .flatten();
    append_audit(conn, actor, &[acts::note_saved(&note, new, unit, why)])?;
    Ok(note)
}

pub(super) fn notes(
    conn: &Connection,
    filter: &crate::NoteFilter,
) -> Result<Vec<Note>, StoreError> {
    let mut sql = String::from("SELECT body FROM notes WHERE 1");
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(id) = filter.id {
        values.push(id.into());
        sql.push_str(&format!(" AND id = ?{}", values.len()));
    }
    if let Some(doc) = filter.doc {
        values.push(doc.0.into());
        sql.push_str(&format!(" AND doc = ?{}", values.len()));
    }
    if let Some(o) = filter.orphaned {
        values.push(i64::from(o).into());
        sql.push_str(&format!(" AND orphaned = ?{}", values.len()));
    }
    if let Some(tag) = &filter.tag {
        values.push(format!("|{tag}|").into());
        sql.push_str(&format!(" AND instr(tags, ?{}) > 0", values.len()));
    }
    if let Some(author) = &filter.author {
        values.push(author.clone().into());
        sql.push_str(&format!(
            " AND json_extract(body, '$.author') = ?{}",
            values.len()
        ));
    }
    if let Some(text) = &filter.text {
        values.push(text.to_lowercase().into());
        sql.push_str(&format!(" AND instr(search, ?{}) > 0", values.len()));
    }
    sql.push_str(" ORDER BY id");
    bodies(conn, &sql, rusqlite::params_from_iter(values), "note")
}

pub(super) fn note_versions(conn: &Connection, id: i64) -> Result<Vec<NoteVersion>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT version, body, by, at, why FROM note_versions WHERE note = ?1 ORDER BY version",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })
        .map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let (version, body, by, at, why) = row.map_err(db)?;
        out.push(NoteVersion {
            version,
            note: note_from(&body)?,
            by,
            at,
            why,
        });
    }
    Ok(out)
}

pub(super) fn remove_notes(
    conn: &Connection,
    actor: &str,
    ids: &[i64],
    keep_stubs: bool,
) -> Result<(), StoreError> {
    let mut get = conn
        .prepare_cached("SELECT body FROM notes WHERE id = ?1")
        .map_err(db)?;
    for id in ids {
        conn.execute("DELETE FROM note_versions WHERE note = ?1", [id])
            .map_err(db)?;
        if keep_stubs {
            let body: Option<String> = get.query_row([id], |r| r.get(0)).optional().map_err(db)?;
            let Some(body) = body else { continue };
            let mut stub = note_from(&body)?;
            stub.anchor.exact.clear();
            stub.anchor.prefix.clear();
            stub.anchor.suffix.clear();
            stub.comment = None;
            stub.tags.clear();
            stub.locked = true;
            let stub =
                serde_json::to_string(&stub).map_err(|e| StoreError::Database(e.to_string()))?;
            conn.execute(
                "UPDATE notes SET tags = '', search = '', body = ?2 WHERE id = ?1",
                params![id, stub],
            )
            .map_err(db)?;
        } else {
            conn.execute("DELETE FROM notes WHERE id = ?1", [id])
                .map_err(db)?;
        }
    }
    append_audit(conn, actor, &[acts::notebook_locked(ids.len(), keep_stubs)])
}

pub(super) fn restore_notes(
    conn: &Connection,
    actor: &str,
    notes: &[Note],
    versions: &[NoteVersion],
) -> Result<(), StoreError> {
    for n in notes {
        let body = serde_json::to_string(n).map_err(|e| StoreError::Database(e.to_string()))?;
        let (tags, search) = search_columns(n);
        conn.execute(
            "INSERT INTO notes(id, doc, orphaned, tags, search, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, orphaned = excluded.orphaned, tags = excluded.tags,
               search = excluded.search, body = excluded.body",
            params![n.id, n.anchor.doc.0, n.orphaned, tags, search, body],
        )
        .map_err(db)?;
    }
    for v in versions {
        let body =
            serde_json::to_string(&v.note).map_err(|e| StoreError::Database(e.to_string()))?;
        conn.execute(
            "INSERT OR REPLACE INTO note_versions(note, version, body, by, at, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![v.note.id, v.version, body, v.by, v.at, v.why],
        )
        .map_err(db)?;
    }
    append_audit(conn, actor, &[acts::notebook_unlocked(notes.len())])
}

impl NoteStore for SqliteStore {
    fn save_note(&mut self, note: &Note, why: &str) -> Result<Note, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = save_note(&tx, &self.actor, note, why)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn note(&self, id: i64) -> Result<Option<Note>, StoreError> {
        Ok(notes(
            &self.conn,
            &NoteFilter {
                id: Some(id),
                ..Default::default()
            },
        )?
        .pop())
    }

    fn notes(&self, filter: &NoteFilter) -> Result<Vec<Note>, StoreError> {
        notes(&self.conn, filter)
    }

    fn note_versions(&self, id: i64) -> Result<Vec<NoteVersion>, StoreError> {
        note_versions(&self.conn, id)
    }

    fn remove_notes(&mut self, ids: &[i64], keep_stubs: bool) -> Result<(), StoreError> {
        // Deleted text is overwritten, not left in free pages.
        self.conn
            .pragma_update(None, "secure_delete", "ON")
            .map_err(db)?;
        let tx = self.conn.savepoint().map_err(db)?;
        remove_notes(&tx, &self.actor, ids, keep_stubs)?;
        tx.commit().map_err(db)
    }

    fn purge_old_copies(&mut self) -> Result<bool, StoreError> {
        let (busy, log, moved): (i64, i64, i64) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(db)?;
        Ok(busy == 0 && log == moved)
    }

    fn holds_bytes(&self, needle: &[u8]) -> Result<bool, StoreError> {
        let Some(path) = self.conn.path().filter(|p| !p.is_empty()) else {
            return Ok(false);
        };
        for file in [path.to_string(), format!("{path}-wal")] {
            match std::fs::read(&file) {
                Ok(bytes) => {
                    if !needle.is_empty() && bytes.windows(needle.len()).any(|w| w == needle) {
                        return Ok(true);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::Database(format!("reading {file}: {e}"))),
            }
        }
        Ok(false)
    }

    fn restore_notes(
        &mut self,
        notes: &[Note],
        versions: &[NoteVersion],
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        restore_notes(&tx, &self.actor, notes, versions)?;
        tx.commit().map_err(db)
    }
}
