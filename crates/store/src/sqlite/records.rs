//! The SQLite side of the audit chain, transfers, custody and findings.

use kartoteka_model::{
    Claim, CustodyEntry, Direction, Finding, FindingKind, FindingStatus, IdentityRow, Judgement,
    Location, MarkingRule, Note, NoteVersion, PersonRecord, Reference, Report, ReportFate,
    Transfer,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{corrupt, db, now, within_pattern};
use crate::audit::{entry_hash, unit_key, AuditAct, AuditAction, AuditEntry, AuditFilter, GENESIS};
use crate::metadata::StoreError;

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

fn location_json(l: &Location) -> String {
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

/// The act a transfer is in the chain.
fn transfer_action(t: &Transfer) -> AuditAction {
    match t.direction {
        kartoteka_model::Direction::In => AuditAction::TransferIn,
        kartoteka_model::Direction::Out => AuditAction::TransferOut,
    }
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
    let detail = serde_json::json!({
        "bag": t.bag_id,
        "path": t.bag_path,
        "source": t.source,
        "from": t.from,
        "to": t.to,
        "units": t.units,
        "files": t.files,
        "bytes": t.bytes,
    });
    let acts: Vec<AuditAct> = std::iter::once(AuditAct {
        action: transfer_action(t).as_str().into(),
        unit: t.units.first().cloned(),
        object: Some(format!("transfer:{id}")),
        detail: detail.to_string(),
    })
    .chain(t.units.iter().skip(1).map(|u| AuditAct {
        action: transfer_action(t).as_str().into(),
        unit: Some(u.clone()),
        object: Some(format!("transfer:{id}")),
        detail: serde_json::json!({"bag": t.bag_id}).to_string(),
    }))
    .collect();
    append_audit(conn, actor, &acts)?;
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
    let acts: Vec<AuditAct> = custody
        .iter()
        .map(|c| AuditAct {
            action: AuditAction::Move.as_str().into(),
            unit: Some(c.unit.clone()),
            object: None,
            detail: serde_json::json!({"to": c.location.to_string(), "moved_by": c.moved_by})
                .to_string(),
        })
        .collect();
    append_audit(conn, actor, &acts)
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

fn finding_key(f: &Finding) -> String {
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

fn in_scope(scope: &str, reference: &str) -> bool {
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
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {FINDING_COLUMNS} FROM findings WHERE current = 1 ORDER BY id"
        ))
        .map_err(db)?;
    let rows = stmt.query_map([], |r| Ok(finding_row(r))).map_err(db)?;
    let mut out = Vec::new();
    for row in rows {
        let f = row.map_err(db)??;
        if in_scope(scope, &f.reference) {
            out.push(f);
        }
    }
    Ok(out)
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
        &[AuditAct {
            action: AuditAction::Annotate.as_str().into(),
            unit: Some(f.reference.clone()),
            object: Some(format!("finding:{id}")),
            detail: serde_json::json!({"status": status.as_str(), "note": note, "kind": f.kind.as_str()}).to_string(),
        }],
    )?;
    Ok(f)
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
    let action;
    if note.id == 0 {
        note.version = 1;
        if note.author.is_empty() {
            note.author = actor.to_string();
        }
        if note.created.is_empty() {
            note.created = at.clone();
        }
        if note.modified.is_empty() {
            note.modified = note.created.clone();
        }
        note.id = conn
            .query_row(
                "INSERT INTO notes(doc, orphaned, tags, search, body) VALUES (?1, 0, '', '', '{}') RETURNING id",
                [note.anchor.doc.0],
                |r| r.get(0),
            )
            .map_err(db)?;
        action = AuditAction::Note.as_str();
    } else {
        let old: Option<String> = conn
            .query_row("SELECT body FROM notes WHERE id = ?1", [note.id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)?;
        let old =
            note_from(&old.ok_or_else(|| StoreError::NotFound(format!("note {}", note.id)))?)?;
        note.version = old.version + 1;
        note.created = old.created;
        note.modified = at.clone();
        action = AuditAction::NoteEdit.as_str();
    }
    let body = serde_json::to_string(&note).map_err(|e| StoreError::Database(e.to_string()))?;
    let tags = format!("|{}|", note.tags.join("|"));
    let search = format!(
        "{}\n{}",
        note.anchor.exact,
        note.comment.as_deref().unwrap_or("")
    )
    .to_lowercase();
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
    let by = if why.starts_with("re-anchored") || why == "orphaned" {
        "kartoteka"
    } else {
        actor
    };
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
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: action.into(),
            unit,
            object: Some(format!("note:{}", note.id)),
            detail: serde_json::json!({"why": why, "doc": note.anchor.doc.0, "page": note.anchor.page, "orphaned": note.orphaned}).to_string(),
        }],
    )?;
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
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: AuditAction::NotebookLock.as_str().into(),
            unit: None,
            object: None,
            detail: serde_json::json!({"notes": ids.len(), "anchors_kept": keep_stubs}).to_string(),
        }],
    )
}

pub(super) fn restore_notes(
    conn: &Connection,
    actor: &str,
    notes: &[Note],
    versions: &[NoteVersion],
) -> Result<(), StoreError> {
    for n in notes {
        let body = serde_json::to_string(n).map_err(|e| StoreError::Database(e.to_string()))?;
        let tags = format!("|{}|", n.tags.join("|"));
        let search =
            format!("{}\n{}", n.anchor.exact, n.comment.as_deref().unwrap_or("")).to_lowercase();
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
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: AuditAction::NotebookUnlock.as_str().into(),
            unit: None,
            object: None,
            detail: serde_json::json!({"notes": notes.len()}).to_string(),
        }],
    )
}

pub(super) fn replace_mentions(
    conn: &Connection,
    doc: kartoteka_model::DocId,
    mentions: &[kartoteka_model::MentionRecord],
    relations: &[kartoteka_model::RelationRecord],
) -> Result<(), StoreError> {
    conn.execute("DELETE FROM relations WHERE doc = ?1", [doc.0])
        .map_err(db)?;
    conn.execute("DELETE FROM mentions WHERE doc = ?1", [doc.0])
        .map_err(db)?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO mentions(doc, page, sheet, verso, kind, text, lemma, start, end, code, context)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
        )
        .map_err(db)?;
    let mut ids = Vec::with_capacity(mentions.len());
    for m in mentions {
        let id: i64 = insert
            .query_row(
                params![
                    doc.0,
                    m.page,
                    m.sheet.map(|s| s.number),
                    m.sheet.is_some_and(|s| s.verso),
                    m.kind,
                    m.text,
                    m.lemma,
                    m.start,
                    m.end,
                    m.code,
                    m.context
                ],
                |r| r.get(0),
            )
            .map_err(db)?;
        ids.push(id);
    }
    let mut rel = conn
        .prepare_cached(
            "INSERT INTO relations(doc, page, kind, from_mention, to_mention, start, end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(db)?;
    for r in relations {
        let (Some(from), Some(to)) = (ids.get(r.from as usize), ids.get(r.to as usize)) else {
            return Err(StoreError::Corrupt(format!(
                "relation between mentions {} and {} that are not given",
                r.from, r.to
            )));
        };
        rel.execute(params![doc.0, r.page, r.kind, from, to, r.start, r.end])
            .map_err(db)?;
    }
    Ok(())
}

fn in_docs(column: &str, docs: &[kartoteka_model::DocId]) -> String {
    if docs.is_empty() {
        "1".to_string()
    } else {
        format!(
            "{column} IN ({})",
            docs.iter()
                .map(|d| d.0.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )
    }
}

pub(super) fn mentions(
    conn: &Connection,
    docs: &[kartoteka_model::DocId],
    kind: Option<&str>,
) -> Result<Vec<kartoteka_model::MentionRecord>, StoreError> {
    let sql = format!(
        "SELECT id, doc, page, sheet, verso, kind, text, lemma, start, end, code, context FROM mentions
         WHERE {} AND (?1 IS NULL OR kind = ?1) ORDER BY doc, page, start",
        in_docs("doc", docs)
    );
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map([kind], |r| {
            let sheet: Option<u32> = r.get(3)?;
            let verso: bool = r.get(4)?;
            Ok(kartoteka_model::MentionRecord {
                id: r.get(0)?,
                doc: kartoteka_model::DocId(r.get(1)?),
                page: r.get(2)?,
                sheet: sheet.map(|number| kartoteka_model::Sheet { number, verso }),
                kind: r.get(5)?,
                text: r.get(6)?,
                lemma: r.get(7)?,
                start: r.get(8)?,
                end: r.get(9)?,
                code: r.get(10)?,
                context: r.get(11)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db)
}

pub(super) fn relations(
    conn: &Connection,
    docs: &[kartoteka_model::DocId],
) -> Result<Vec<kartoteka_model::RelationRecord>, StoreError> {
    let sql = format!(
        "SELECT doc, page, kind, from_mention, to_mention, start, end FROM relations WHERE {} ORDER BY doc, page, start",
        in_docs("doc", docs)
    );
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(kartoteka_model::RelationRecord {
                doc: kartoteka_model::DocId(r.get(0)?),
                page: r.get(1)?,
                kind: r.get(2)?,
                from: r.get(3)?,
                to: r.get(4)?,
                start: r.get(5)?,
                end: r.get(6)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db)
}

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
    let detail = serde_json::json!({
        "judgement": j.id, "verdict": j.verdict, "why": j.why,
        "a": j.a, "b": j.b,
    });
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: AuditAction::Judge.as_str().into(),
            unit: None,
            object: Some(format!("judgement {}", j.id)),
            detail: detail.to_string(),
        }],
    )?;
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
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: AuditAction::UndoJudgement.as_str().into(),
            unit: None,
            object: Some(format!("judgement {id}")),
            detail: format!("undid {} ({})", j.verdict, j.why),
        }],
    )?;
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
    append_audit(
        conn,
        actor,
        &[AuditAct::of(AuditAction::Resolve, None, None, detail)],
    )
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

pub(super) fn save_report_fate(
    conn: &Connection,
    actor: &str,
    fate: &ReportFate,
) -> Result<ReportFate, StoreError> {
    let mut f = fate.clone();
    f.at = now();
    let body = serde_json::to_string(&f).map_err(|e| StoreError::Database(e.to_string()))?;
    conn.execute(
        "INSERT OR REPLACE INTO report_fates(report, version, body) VALUES (?1, ?2, ?3)",
        params![f.report, f.version, body],
    )
    .map_err(db)?;
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: AuditAction::ReportFate.as_str().into(),
            unit: None,
            object: Some(format!("report {} v{}", f.report, f.version)),
            detail: serde_json::json!({"fate": f.fate, "by": f.by, "reason": f.reason}).to_string(),
        }],
    )?;
    Ok(f)
}

pub(super) fn report_fates(conn: &Connection) -> Result<Vec<ReportFate>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM report_fates ORDER BY report, version",
        [],
        "report fate",
    )
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

pub(super) fn save_claim(
    conn: &Connection,
    actor: &str,
    claim: &Claim,
) -> Result<Claim, StoreError> {
    let mut c = claim.clone();
    c.by = actor.to_string();
    c.at = now();
    let n: i64 = conn
        .query_row(
            "INSERT INTO claims(subject, body) VALUES (?1, '{}') RETURNING id",
            [&c.subject],
            |r| r.get(0),
        )
        .map_err(db)?;
    c.id = format!("C{n}");
    let body = serde_json::to_string(&c).map_err(|e| StoreError::Database(e.to_string()))?;
    conn.execute(
        "UPDATE claims SET body = ?2 WHERE id = ?1",
        params![n, body],
    )
    .map_err(db)?;
    let detail = serde_json::json!({
        "claim": c.id, "subject": c.subject, "text": c.text, "grade": c.grade.to_string(),
        "why": c.why, "citations": c.citations.len(),
    });
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: AuditAction::Claim.as_str().into(),
            unit: None,
            object: Some(format!("claim {}", c.id)),
            detail: detail.to_string(),
        }],
    )?;
    Ok(c)
}

pub(super) fn claims(conn: &Connection, subject: Option<&str>) -> Result<Vec<Claim>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM claims WHERE ?1 IS NULL OR subject = ?1 ORDER BY id",
        [subject],
        "claim",
    )
}

pub(super) fn save_report(
    conn: &Connection,
    actor: &str,
    report: &Report,
) -> Result<Report, StoreError> {
    let latest: Option<u32> = conn
        .query_row(
            "SELECT MAX(version) FROM report_versions WHERE report = ?1",
            [&report.id],
            |r| r.get(0),
        )
        .map_err(db)?;
    let next = latest.unwrap_or(0) + 1;
    if report.version != next {
        return Err(StoreError::Conflict(format!(
            "report {} is at version {}; this change was made to version {}",
            report.id,
            latest.unwrap_or(0),
            report.version.saturating_sub(1)
        )));
    }
    let mut r = report.clone();
    r.by = actor.to_string();
    r.at = now();
    let body = serde_json::to_string(&r).map_err(|e| StoreError::Database(e.to_string()))?;
    conn.execute(
        "INSERT INTO report_versions(report, version, body) VALUES (?1, ?2, ?3)",
        params![r.id, r.version, body],
    )
    .map_err(db)?;
    let detail = serde_json::json!({
        "report": r.id, "version": r.version, "status": r.status, "why": r.why,
        "marking": r.marking().to_string(),
        "body": crate::hash_bytes(body.as_bytes()).to_hex(),
    });
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: AuditAction::Report.as_str().into(),
            unit: None,
            object: Some(format!("report {} v{}", r.id, r.version)),
            detail: detail.to_string(),
        }],
    )?;
    Ok(r)
}

pub(super) fn report_versions(conn: &Connection, id: &str) -> Result<Vec<Report>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM report_versions WHERE report = ?1 ORDER BY version",
        [id],
        "report",
    )
}

pub(super) fn reports(conn: &Connection) -> Result<Vec<Report>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM report_versions v WHERE version = \
         (SELECT MAX(version) FROM report_versions w WHERE w.report = v.report) ORDER BY report",
        [],
        "report",
    )
}

pub(super) fn set_marking_rule(
    conn: &Connection,
    actor: &str,
    rule: &MarkingRule,
) -> Result<MarkingRule, StoreError> {
    let mut r = rule.clone();
    r.by = actor.to_string();
    r.at = now();
    let body = serde_json::to_string(&r).map_err(|e| StoreError::Database(e.to_string()))?;
    conn.execute(
        "INSERT INTO marking_rules(unit, body) VALUES (?1, ?2)
         ON CONFLICT(unit) DO UPDATE SET body = excluded.body",
        params![r.unit, body],
    )
    .map_err(db)?;
    let detail = serde_json::json!({
        "unit": r.unit, "marking": r.marking.to_string(), "why": r.why,
    });
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: AuditAction::MarkingRule.as_str().into(),
            unit: Some(r.unit.clone()),
            object: Some(format!("marking rule {}", r.unit)),
            detail: detail.to_string(),
        }],
    )?;
    Ok(r)
}

pub(super) fn remove_marking_rule(
    conn: &Connection,
    actor: &str,
    unit: &str,
    why: &str,
) -> Result<bool, StoreError> {
    let n = conn
        .execute("DELETE FROM marking_rules WHERE unit = ?1", [unit])
        .map_err(db)?;
    if n == 0 {
        return Ok(false);
    }
    let detail = serde_json::json!({ "unit": unit, "marking": null, "why": why });
    append_audit(
        conn,
        actor,
        &[AuditAct {
            action: AuditAction::MarkingRule.as_str().into(),
            unit: Some(unit.to_string()),
            object: Some(format!("marking rule {unit}")),
            detail: detail.to_string(),
        }],
    )?;
    Ok(true)
}

pub(super) fn marking_rules(conn: &Connection) -> Result<Vec<MarkingRule>, StoreError> {
    bodies(
        conn,
        "SELECT body FROM marking_rules ORDER BY unit",
        [],
        "marking rule",
    )
}

/// The JSON bodies a query selects, each read as a `T`; `what` names them in the error
/// when one does not read.
fn bodies<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    what: &str,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(sql).map_err(db)?;
    let rows = stmt
        .query_map(params, |r| r.get::<_, String>(0))
        .map_err(db)?;
    let mut out = Vec::new();
    for body in rows {
        let body = body.map_err(db)?;
        out.push(
            serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?,
        );
    }
    Ok(out)
}
