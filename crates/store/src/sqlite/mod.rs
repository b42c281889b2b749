//! The embedded metadata store: one SQLite database in the archive folder.

use std::path::Path;
use std::time::Duration;

use kartoteka_model::{
    Claim, ContentHash, CustodyEntry, DateRange, DocId, Document, Finding, FindingStatus, Format,
    IdentityRow, Judgement, Level, MarkingRule, MentionRecord, Note, NoteVersion, Page,
    PersonRecord, Placement, Reference, RelationRecord, Report, ReportFate, Sheet, Stage,
    StageOutcome, StageRecord, Transfer, Unit,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

mod records;

use crate::audit::{AuditAct, AuditAction, AuditEntry, AuditFilter};
use crate::metadata::{
    Event, Failure, Holding, NewDocument, NoteFilter, Saved, StoreError, Summary, VersionRecord,
};
use crate::prelude::*;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = 6;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (
    key TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    level TEXT NOT NULL,
    title TEXT,
    date_from INTEGER,
    date_to INTEGER,
    sheet_count INTEGER
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    source_path TEXT NOT NULL UNIQUE,
    content TEXT NOT NULL,
    size INTEGER NOT NULL,
    format TEXT NOT NULL,
    encoding TEXT,
    language TEXT,
    reference TEXT,
    unit_key TEXT,
    placement TEXT NOT NULL,
    title TEXT,
    date_from INTEGER,
    date_to INTEGER,
    page_count INTEGER NOT NULL,
    needs_ocr INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_unit ON documents(unit_key);
CREATE INDEX IF NOT EXISTS documents_content ON documents(content);
CREATE TABLE IF NOT EXISTS document_versions (
    doc INTEGER NOT NULL REFERENCES documents(id),
    content TEXT NOT NULL,
    at TEXT NOT NULL,
    size INTEGER,
    pages INTEGER,
    chars INTEGER
);
CREATE INDEX IF NOT EXISTS document_versions_doc ON document_versions(doc);
CREATE TABLE IF NOT EXISTS pages (
    doc INTEGER NOT NULL REFERENCES documents(id),
    number INTEGER NOT NULL,
    sheet INTEGER,
    verso INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    PRIMARY KEY (doc, number)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL REFERENCES documents(id),
    stage TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS ledger_doc_stage ON ledger(doc, stage, id);
CREATE TABLE IF NOT EXISTS source_failures (path TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    object TEXT NOT NULL,
    type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_object ON events(object, id);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    unit TEXT,
    unit_key TEXT,
    object TEXT,
    detail TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_unit ON audit(unit_key);
CREATE INDEX IF NOT EXISTS audit_object ON audit(object);
CREATE TRIGGER IF NOT EXISTS audit_never_updated BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit entries are never changed'); END;
CREATE TRIGGER IF NOT EXISTS audit_never_deleted BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit entries are never deleted'); END;
CREATE TABLE IF NOT EXISTS transfers (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL,
    bag_id TEXT NOT NULL,
    bag_path TEXT NOT NULL,
    source TEXT,
    from_location TEXT,
    to_location TEXT,
    units TEXT NOT NULL,
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transfers_bag ON transfers(bag_id);
CREATE TABLE IF NOT EXISTS custody (
    id INTEGER PRIMARY KEY,
    unit_key TEXT NOT NULL,
    unit TEXT NOT NULL,
    location TEXT NOT NULL,
    from_at TEXT NOT NULL,
    until_at TEXT,
    moved_by TEXT NOT NULL,
    transfer INTEGER REFERENCES transfers(id)
);
CREATE INDEX IF NOT EXISTS custody_unit ON custody(unit_key, id);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    expected TEXT NOT NULL,
    found TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    note TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    current INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL,
    orphaned INTEGER NOT NULL,
    tags TEXT NOT NULL,
    search TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_doc ON notes(doc);
CREATE TABLE IF NOT EXISTS mentions (
    id INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL,
    page INTEGER NOT NULL,
    sheet INTEGER,
    verso INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    lemma TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    code TEXT,
    context TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions(doc);
CREATE INDEX IF NOT EXISTS mentions_lemma ON mentions(kind, lemma);
CREATE TABLE IF NOT EXISTS relations (
    id INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL,
    page INTEGER NOT NULL,
    kind TEXT NOT NULL,
    from_mention INTEGER NOT NULL,
    to_mention INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS relations_doc ON relations(doc);
CREATE TABLE IF NOT EXISTS judgements (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identities (
    mention INTEGER PRIMARY KEY,
    person TEXT NOT NULL,
    doc INTEGER,
    page INTEGER,
    start INTEGER
);
CREATE TABLE IF NOT EXISTS persons (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    status TEXT NOT NULL,
    body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS report_fates (
    report TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (report, version)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS identities_person ON identities(person);
CREATE TABLE IF NOT EXISTS claims (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS claims_subject ON claims(subject);
CREATE TABLE IF NOT EXISTS report_versions (
    report TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (report, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS marking_rules (
    unit TEXT PRIMARY KEY,
    body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS note_versions (
    note INTEGER NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    why TEXT NOT NULL,
    PRIMARY KEY (note, version)
);
"#;

/// Changes that take an archive of an older schema to this one: the version each leads to,
/// the table it changes (when that table is not there yet the schema makes it whole, and
/// the change is skipped), and the SQL.
const MIGRATIONS: &[(i64, Option<&str>, &str)] = &[
    // 6: the person-id registry and what became of reports. Identities learn where their
    // mentions are; the ids an older archive already showed are registered as they are,
    // in the order of their first mentions, so that every id keeps meaning its person.
    (
        6,
        Some("identities"),
        "ALTER TABLE identities ADD COLUMN doc INTEGER;
     ALTER TABLE identities ADD COLUMN page INTEGER;
     ALTER TABLE identities ADD COLUMN start INTEGER;
     UPDATE identities SET doc = (SELECT doc FROM mentions WHERE mentions.id = identities.mention),
         page = (SELECT page FROM mentions WHERE mentions.id = identities.mention),
         start = (SELECT start FROM mentions WHERE mentions.id = identities.mention);
     CREATE TABLE IF NOT EXISTS persons (id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,
         status TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
     INSERT INTO persons(id, seq, status, body)
         SELECT person, n, 'active', json_object('id', person, 'seq', n, 'status', 'active',
             'merged_into', NULL, 'split_from', NULL,
             'reason', 'issued before the registry (schema 6)',
             'at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'anchors', json_array())
         FROM (SELECT person, ROW_NUMBER() OVER (ORDER BY MIN(doc), MIN(page), MIN(start), person) AS n
               FROM identities GROUP BY person);",
    ),
    // 5: marking rules, a new table made by the schema itself.
    (5, None, ""),
    // 4: claims and report versions, new tables made by the schema itself.
    (4, None, ""),
    // 3: judgements and identities, new tables made by the schema itself.
    (3, None, ""),
    (
        2,
        Some("document_versions"),
        "ALTER TABLE document_versions ADD COLUMN size INTEGER;
     ALTER TABLE document_versions ADD COLUMN pages INTEGER;
     ALTER TABLE document_versions ADD COLUMN chars INTEGER;",
    ),
];

/// A [`MetadataStore`] in one SQLite file (or in memory).
pub struct SqliteStore {
    conn: Connection,
    actor: String,
}

/// Who acts when nobody said: the login name, or "unknown".
fn default_actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn db(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
            StoreError::Busy
        }
        other => StoreError::Database(other.to_string()),
    }
}

use kartoteka_model::now_rfc3339 as now;

impl SqliteStore {
    /// Opens or creates the database at `path`, in WAL mode so that readers never block
    /// the ingest writer.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        Self::init(conn)
    }

    /// A fresh in-memory store.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        Self::init(Connection::open_in_memory().map_err(db)?)
    }

    fn init(conn: Connection) -> Result<SqliteStore, StoreError> {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )
        .map_err(db)?;
        let version: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        match version {
            None => {
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('schema_version', ?1)",
                    [SCHEMA_VERSION.to_string()],
                )
                .map_err(db)?;
            }
            Some(v) => {
                let found: i64 = v
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("schema version {v:?}")))?;
                if found > SCHEMA_VERSION {
                    return Err(StoreError::Schema {
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
                // Older archives: the tables they lack are made below; new columns here.
                let mut due: Vec<&(i64, Option<&str>, &str)> =
                    MIGRATIONS.iter().filter(|(to, _, _)| *to > found).collect();
                due.sort_by_key(|(to, _, _)| *to);
                for (to, table, sql) in due {
                    let present = match table {
                        Some(t) => conn
                            .query_row(
                                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                                [t],
                                |r| r.get::<_, i64>(0),
                            )
                            .map_err(db)?
                            > 0,
                        None => true,
                    };
                    let sql = if present { *sql } else { "" };
                    conn.execute_batch(&format!(
                        "BEGIN; {sql} UPDATE meta SET value = '{to}' WHERE key = 'schema_version'; COMMIT;"
                    ))
                    .map_err(db)?;
                }
            }
        }
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(SqliteStore {
            conn,
            actor: default_actor(),
        })
    }

    fn insert_pages(tx: &Connection, id: DocId, pages: &[Page]) -> Result<(), StoreError> {
        tx.execute("DELETE FROM pages WHERE doc = ?1", [id.0])
            .map_err(db)?;
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO pages(doc, number, sheet, verso, text) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(db)?;
        for p in pages {
            stmt.execute(params![
                id.0,
                p.number,
                p.sheet.map(|s| s.number),
                p.sheet.is_some_and(|s| s.verso),
                p.text
            ])
            .map_err(db)?;
        }
        Ok(())
    }

    fn query_documents(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Document>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(db)?;
        let rows = stmt
            .query_map(params, |r| Ok(document_row(r)))
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(db)??);
        }
        Ok(out)
    }
}

const DOC_COLUMNS: &str =
    "id, content, size, source_path, format, encoding, language, reference, placement, title, \
    date_from, date_to, page_count, needs_ocr, ingested_at";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn document_row(r: &Row<'_>) -> Result<Document, StoreError> {
    let get_s = |i: usize| -> Result<String, StoreError> { r.get::<_, String>(i).map_err(db) };
    let get_o = |i: usize| -> Result<Option<String>, StoreError> {
        r.get::<_, Option<String>>(i).map_err(db)
    };
    let content = get_s(1)?;
    let format = get_s(4)?;
    let placement = get_s(8)?;
    let reference = match get_o(7)? {
        Some(text) => Some(Reference::parse(&text).map_err(|_| corrupt("reference", &text))?),
        None => None,
    };
    let dates = match (
        r.get::<_, Option<u32>>(10).map_err(db)?,
        r.get::<_, Option<u32>>(11).map_err(db)?,
    ) {
        (Some(from), Some(to)) => Some(DateRange { from, to }),
        _ => None,
    };
    Ok(Document {
        id: DocId(r.get(0).map_err(db)?),
        content: ContentHash::from_hex(&content).map_err(|_| corrupt("content hash", &content))?,
        size: r.get::<_, i64>(2).map_err(db)? as u64,
        source_path: get_s(3)?,
        format: Format::parse(&format).ok_or_else(|| corrupt("format", &format))?,
        encoding: get_o(5)?,
        language: get_o(6)?,
        reference,
        placement: Placement::parse(&placement).ok_or_else(|| corrupt("placement", &placement))?,
        title: get_o(9)?,
        dates,
        page_count: r.get(12).map_err(db)?,
        needs_ocr: r.get(13).map_err(db)?,
        ingested_at: get_s(14)?,
    })
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Fonds => "fonds",
        Level::Inventory => "inventory",
        Level::File => "file",
        Level::Sheet => "sheet",
    }
}

fn unit_row(r: &Row<'_>) -> Result<Unit, StoreError> {
    let text: String = r.get(0).map_err(db)?;
    let reference = Reference::parse(&text).map_err(|_| corrupt("unit reference", &text))?;
    let dates = match (
        r.get::<_, Option<u32>>(2).map_err(db)?,
        r.get::<_, Option<u32>>(3).map_err(db)?,
    ) {
        (Some(from), Some(to)) => Some(DateRange { from, to }),
        _ => None,
    };
    Ok(Unit {
        level: reference.level(),
        reference,
        title: r.get(1).map_err(db)?,
        dates,
        sheet_count: r.get(4).map_err(db)?,
    })
}

/// The `unit_key` prefix pattern matching a unit and everything inside it.
fn within_pattern(unit: &Reference) -> (String, String) {
    let key = unit.truncate(Level::File).key();
    let escaped = key
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    (key, format!("{escaped}/%"))
}

fn outcome_columns(outcome: &StageOutcome) -> (&'static str, Option<&str>) {
    match outcome {
        StageOutcome::Done => ("done", None),
        StageOutcome::Pending(why) => ("pending", Some(why.as_str())),
        StageOutcome::Failed(why) => ("failed", Some(why.as_str())),
    }
}

fn record_row(r: &Row<'_>) -> Result<StageRecord, StoreError> {
    let stage: String = r.get(1).map_err(db)?;
    let outcome: String = r.get(5).map_err(db)?;
    let reason: Option<String> = r.get(6).map_err(db)?;
    let outcome = match outcome.as_str() {
        "done" => StageOutcome::Done,
        "pending" => StageOutcome::Pending(reason.unwrap_or_default()),
        "failed" => StageOutcome::Failed(reason.unwrap_or_default()),
        other => return Err(corrupt("stage outcome", other)),
    };
    Ok(StageRecord {
        doc: DocId(r.get(0).map_err(db)?),
        stage: Stage::parse(&stage).ok_or_else(|| corrupt("stage", &stage))?,
        input_hash: r.get(2).map_err(db)?,
        version: r.get(3).map_err(db)?,
        at: r.get(4).map_err(db)?,
        outcome,
    })
}

impl HoldingsStore for SqliteStore {
    fn upsert_units(&mut self, units: &[Unit]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO units(key, reference, level, title, date_from, date_to, sheet_count)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(key) DO UPDATE SET reference = excluded.reference, title = excluded.title,
                       date_from = excluded.date_from, date_to = excluded.date_to, sheet_count = excluded.sheet_count
                     WHERE (units.reference, units.title, units.date_from, units.date_to, units.sheet_count)
                       IS NOT (excluded.reference, excluded.title, excluded.date_from, excluded.date_to, excluded.sheet_count)",
                )
                .map_err(db)?;
            let mut acts = Vec::new();
            for u in units {
                let changed = stmt
                    .execute(params![
                        u.reference.key(),
                        u.reference.to_string(),
                        level_name(u.level),
                        u.title,
                        u.dates.map(|d| d.from),
                        u.dates.map(|d| d.to),
                        u.sheet_count
                    ])
                    .map_err(db)?;
                if changed > 0 {
                    let detail = serde_json::json!({
                        "title": u.title,
                        "dates": u.dates.map(|d| d.to_string()),
                        "sheets": u.sheet_count,
                    });
                    acts.push(AuditAct {
                        action: AuditAction::Describe.as_str().into(),
                        unit: Some(u.reference.to_string()),
                        object: None,
                        detail: detail.to_string(),
                    });
                }
            }
            records::append_audit(&tx, &self.actor, &acts)?;
        }
        tx.commit().map_err(db)
    }

    fn unit(&self, reference: &Reference) -> Result<Option<Unit>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT reference, title, date_from, date_to, sheet_count FROM units WHERE key = ?1")
            .map_err(db)?;
        let row = stmt
            .query_row([reference.key()], |r| Ok(unit_row(r)))
            .optional()
            .map_err(db)?;
        row.transpose()
    }

    fn units(&self, within: Option<&Reference>) -> Result<Vec<Unit>, StoreError> {
        let (key, pattern) = within
            .map(within_pattern)
            .unwrap_or_else(|| (String::new(), "%".to_string()));
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT reference, title, date_from, date_to, sheet_count FROM units
                 WHERE key = ?1 OR key LIKE ?2 ESCAPE '\\' ORDER BY key",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([key, pattern], |r| Ok(unit_row(r)))
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(db)??);
        }
        Ok(out)
    }

    fn save_document(
        &mut self,
        doc: &NewDocument,
        pages: &[Page],
        extract: &StageOutcome,
        version: u32,
    ) -> Result<Saved, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM documents WHERE source_path = ?1",
                [&doc.source_path],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let at = now();
        let unit_key = doc
            .reference
            .as_ref()
            .map(|r| r.truncate(Level::File).key());
        let values = params![
            doc.source_path,
            doc.content.to_hex(),
            doc.size as i64,
            doc.format.as_str(),
            doc.encoding,
            doc.language,
            doc.reference.as_ref().map(|r| r.to_string()),
            unit_key,
            doc.placement.as_str(),
            doc.title,
            doc.dates.map(|d| d.from),
            doc.dates.map(|d| d.to),
            pages.len() as u32,
            doc.needs_ocr,
            at,
        ];
        // One statement for both cases; an update keeps the first ingest time, and the
        // version table keeps the history of contents.
        let id: i64 = tx
            .query_row(
                "INSERT INTO documents(source_path, content, size, format, encoding, language, reference, unit_key,
                   placement, title, date_from, date_to, page_count, needs_ocr, ingested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT(source_path) DO UPDATE SET content = excluded.content, size = excluded.size,
                   format = excluded.format, encoding = excluded.encoding, language = excluded.language,
                   reference = excluded.reference, unit_key = excluded.unit_key, placement = excluded.placement,
                   title = excluded.title, date_from = excluded.date_from, date_to = excluded.date_to,
                   page_count = excluded.page_count, needs_ocr = excluded.needs_ocr
                 RETURNING id",
                values,
                |r| r.get(0),
            )
            .map_err(db)?;
        let saved = if existing.is_some() {
            Saved::Updated(DocId(id))
        } else {
            Saved::Added(DocId(id))
        };
        let chars: usize = pages.iter().map(|p| p.text.trim().chars().count()).sum();
        let previous: Option<(String, Option<i64>, Option<i64>)> = tx
            .query_row(
                "SELECT content, size, chars FROM document_versions WHERE doc = ?1 ORDER BY rowid DESC LIMIT 1",
                [saved.id().0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(db)?;
        tx.execute(
            "INSERT INTO document_versions(doc, content, at, size, pages, chars) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![saved.id().0, doc.content.to_hex(), at, doc.size as i64, pages.len() as i64, chars as i64],
        )
        .map_err(db)?;
        // A re-read of the same bytes (OCR, a retry) is not a new version of the content.
        let same_content = previous
            .as_ref()
            .is_some_and(|(c, _, _)| *c == doc.content.to_hex());
        if !same_content {
            let mut detail = serde_json::json!({
                "source": doc.source_path,
                "content": doc.content.to_hex(),
                "text": crate::text_hash(pages),
                "size": doc.size,
                "pages": pages.len(),
                "chars": chars,
            });
            if let Some((content, size, chars)) = &previous {
                detail["previous"] =
                    serde_json::json!({"content": content, "size": size, "chars": chars});
            }
            let act = AuditAct {
                action: if previous.is_some() {
                    AuditAction::Update
                } else {
                    AuditAction::Ingest
                }
                .as_str()
                .into(),
                unit: doc.reference.as_ref().map(|r| r.to_string()),
                object: Some(format!("doc:{}", saved.id().0)),
                detail: detail.to_string(),
            };
            records::append_audit(&tx, &self.actor, &[act])?;
        }
        Self::insert_pages(&tx, saved.id(), pages)?;
        let (outcome, reason) = outcome_columns(extract);
        tx.execute(
            "INSERT INTO ledger(doc, stage, input_hash, version, at, outcome, reason) VALUES (?1, 'extract', ?2, ?3, ?4, ?5, ?6)",
            params![saved.id().0, doc.content.to_hex(), version, at, outcome, reason],
        )
        .map_err(db)?;
        tx.execute(
            "DELETE FROM source_failures WHERE path = ?1",
            [&doc.source_path],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn replace_pages(
        &mut self,
        id: DocId,
        pages: &[Page],
        needs_ocr: bool,
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        Self::insert_pages(&tx, id, pages)?;
        let updated = tx
            .execute(
                "UPDATE documents SET page_count = ?2, needs_ocr = ?3 WHERE id = ?1",
                params![id.0, pages.len() as u32, needs_ocr],
            )
            .map_err(db)?;
        if updated == 0 {
            return Err(StoreError::Database(format!("no document {}", id.0)));
        }
        // Stages that read the text must read it again.
        tx.execute(
            "INSERT INTO ledger(doc, stage, input_hash, version, at, outcome, reason)
             SELECT ?1, 'mentions', content, 0, ?2, 'pending', 'the text was replaced' FROM documents WHERE id = ?1",
            params![id.0, now()],
        )
        .map_err(db)?;
        let chars: usize = pages.iter().map(|p| p.text.trim().chars().count()).sum();
        tx.execute(
            "UPDATE document_versions SET pages = ?2, chars = ?3
             WHERE rowid = (SELECT MAX(rowid) FROM document_versions WHERE doc = ?1)",
            params![id.0, pages.len() as i64, chars as i64],
        )
        .map_err(db)?;
        let unit: Option<String> = tx
            .query_row(
                "SELECT reference FROM documents WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .map_err(db)?;
        let act = AuditAct {
            action: AuditAction::ReExtract.as_str().into(),
            unit,
            object: Some(format!("doc:{}", id.0)),
            detail: serde_json::json!({
                "pages": pages.len(), "chars": chars, "needs_ocr": needs_ocr,
                "text": crate::text_hash(pages),
            })
            .to_string(),
        };
        records::append_audit(&tx, &self.actor, &[act])?;
        tx.commit().map_err(db)
    }

    fn document(&self, id: DocId) -> Result<Option<Document>, StoreError> {
        Ok(self
            .query_documents(
                &format!("SELECT {DOC_COLUMNS} FROM documents WHERE id = ?1"),
                [id.0],
            )?
            .pop())
    }

    fn document_by_source(&self, source_path: &str) -> Result<Option<Document>, StoreError> {
        Ok(self
            .query_documents(
                &format!("SELECT {DOC_COLUMNS} FROM documents WHERE source_path = ?1"),
                [source_path],
            )?
            .pop())
    }

    fn documents_with_content(&self, content: &ContentHash) -> Result<Vec<Document>, StoreError> {
        self.query_documents(
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE content = ?1 ORDER BY id"),
            [content.to_hex()],
        )
    }

    fn documents_within(&self, unit: &Reference) -> Result<Vec<Document>, StoreError> {
        let (key, pattern) = within_pattern(unit);
        let docs = self.query_documents(
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE unit_key = ?1 OR unit_key LIKE ?2 ESCAPE '\\' ORDER BY id"),
            [key, pattern],
        )?;
        // A sheet-level unit narrows further than the key can.
        Ok(docs
            .into_iter()
            .filter(|d| {
                d.reference
                    .as_ref()
                    .is_some_and(|r| unit.contains(r) || r.contains(unit))
            })
            .collect())
    }

    fn documents_after(
        &self,
        after: Option<DocId>,
        limit: usize,
    ) -> Result<Vec<Document>, StoreError> {
        self.query_documents(
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE id > ?1 ORDER BY id LIMIT ?2"),
            params![after.map(|d| d.0).unwrap_or(i64::MIN), limit as i64],
        )
    }

    fn documents_waiting_for_ocr(&self) -> Result<Vec<Document>, StoreError> {
        self.query_documents(
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE needs_ocr ORDER BY id"),
            [],
        )
    }

    fn pages(&self, id: DocId) -> Result<Vec<Page>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT number, sheet, verso, text FROM pages WHERE doc = ?1 ORDER BY number",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([id.0], |r| {
                let sheet: Option<u32> = r.get(1)?;
                let verso: bool = r.get(2)?;
                Ok(Page {
                    number: r.get(0)?,
                    sheet: sheet.map(|number| Sheet { number, verso }),
                    text: r.get(3)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db)
    }

    fn page(&self, id: DocId, number: u32) -> Result<Option<Page>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT sheet, verso, text FROM pages WHERE doc = ?1 AND number = ?2")
            .map_err(db)?;
        stmt.query_row(params![id.0, number], |r| {
            let sheet: Option<u32> = r.get(0)?;
            let verso: bool = r.get(1)?;
            Ok(Page {
                number,
                sheet: sheet.map(|number| Sheet { number, verso }),
                text: r.get(2)?,
            })
        })
        .optional()
        .map_err(db)
    }

    fn summary(&self) -> Result<Summary, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(db)
        };
        let grouped = |sql: &str| -> Result<Vec<(String, u64)>, StoreError> {
            let mut stmt = self.conn.prepare(sql).map_err(db)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
                })
                .map_err(db)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db)
        };
        Ok(Summary {
            documents: count("SELECT COUNT(*) FROM documents")?,
            pages: count("SELECT COUNT(*) FROM pages")?,
            units: count("SELECT COUNT(*) FROM units")?,
            needs_ocr: count("SELECT COUNT(*) FROM documents WHERE needs_ocr")?,
            failed: self.failures()?.len() as u64,
            not_indexed: self.documents_needing(Stage::Index, 0)?.len() as u64,
            by_format: grouped(
                "SELECT format, COUNT(*) FROM documents GROUP BY format ORDER BY 2 DESC",
            )?,
            by_placement: grouped(
                "SELECT placement, COUNT(*) FROM documents GROUP BY placement ORDER BY 2 DESC",
            )?,
        })
    }
}

impl LedgerStore for SqliteStore {
    fn record_stages(&mut self, records: &[StageRecord]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO ledger(doc, stage, input_hash, version, at, outcome, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(db)?;
            for r in records {
                let (outcome, reason) = outcome_columns(&r.outcome);
                stmt.execute(params![
                    r.doc.0,
                    r.stage.as_str(),
                    r.input_hash,
                    r.version,
                    r.at,
                    outcome,
                    reason
                ])
                .map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }

    fn ledger(&self, id: DocId) -> Result<Vec<StageRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT doc, stage, input_hash, version, at, outcome, reason FROM ledger WHERE doc = ?1 ORDER BY id",
            )
            .map_err(db)?;
        let rows = stmt.query_map([id.0], |r| Ok(record_row(r))).map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(db)??);
        }
        Ok(out)
    }

    fn documents_needing(&self, stage: Stage, version: u32) -> Result<Vec<DocId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.id FROM documents d
                 LEFT JOIN ledger l ON l.id = (SELECT MAX(id) FROM ledger WHERE doc = d.id AND stage = ?1)
                 WHERE l.id IS NULL OR l.outcome != 'done' OR l.input_hash != d.content OR l.version < ?2
                 ORDER BY d.id",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![stage.as_str(), version], |r| r.get::<_, i64>(0))
            .map_err(db)?;
        rows.map(|r| r.map(DocId))
            .collect::<Result<Vec<_>, _>>()
            .map_err(db)
    }

    fn record_source_failure(&mut self, path: &str, reason: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO source_failures(path, reason, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(path) DO UPDATE SET reason = excluded.reason, at = excluded.at",
                params![path, reason, now()],
            )
            .map_err(db)?;
        Ok(())
    }

    fn clear_source_failure(&mut self, path: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM source_failures WHERE path = ?1", [path])
            .map_err(db)?;
        Ok(())
    }

    fn failures(&self) -> Result<Vec<Failure>, StoreError> {
        let mut out = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT d.id, d.source_path, l.stage, l.reason, l.at FROM ledger l JOIN documents d ON d.id = l.doc
                 WHERE l.outcome = 'failed'
                   AND l.id = (SELECT MAX(id) FROM ledger WHERE doc = l.doc AND stage = l.stage)
                 ORDER BY d.id",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Failure {
                    doc: Some(DocId(r.get(0)?)),
                    path: r.get(1)?,
                    stage: r.get(2)?,
                    reason: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    at: r.get(4)?,
                })
            })
            .map_err(db)?;
        for row in rows {
            out.push(row.map_err(db)?);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path, reason, at FROM source_failures ORDER BY path")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Failure {
                    doc: None,
                    path: r.get(0)?,
                    stage: "read".into(),
                    reason: r.get(1)?,
                    at: r.get(2)?,
                })
            })
            .map_err(db)?;
        for row in rows {
            out.push(row.map_err(db)?);
        }
        Ok(out)
    }

    fn record_events(&mut self, events: &[Event]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        {
            let mut stmt = tx
                .prepare_cached("INSERT INTO events(object, type, outcome, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(db)?;
            for e in events {
                stmt.execute(params![e.object, e.event_type, e.outcome, e.detail, e.at])
                    .map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }

    fn events(&self, object: &str) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT object, type, outcome, detail, at FROM events WHERE object = ?1 ORDER BY id")
            .map_err(db)?;
        let rows = stmt
            .query_map([object], |r| {
                Ok(Event {
                    object: r.get(0)?,
                    event_type: r.get(1)?,
                    outcome: r.get(2)?,
                    detail: r.get(3)?,
                    at: r.get(4)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db)
    }
}

impl Batches for SqliteStore {
    fn begin_batch(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(db)
    }

    fn commit_batch(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("COMMIT").map_err(db)
    }

    fn rollback_batch(&mut self) -> Result<(), StoreError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.conn.execute_batch("ROLLBACK").map_err(db)
    }
}

impl AuditStore for SqliteStore {
    fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    fn append_audit(&mut self, acts: &[AuditAct]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        records::append_audit(&tx, &self.actor, acts)?;
        tx.commit().map_err(db)
    }

    fn audit_after(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        records::audit_after(&self.conn, after, limit)
    }

    fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        records::audit_log(&self.conn, filter)
    }

    fn audit_head(&self) -> Result<Option<(u64, String)>, StoreError> {
        records::audit_head(&self.conn)
    }
}

impl CustodyStore for SqliteStore {
    fn record_transfer(
        &mut self,
        transfer: &Transfer,
        custody: &[CustodyEntry],
    ) -> Result<i64, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let id = records::record_transfer(&tx, &self.actor, transfer, custody)?;
        tx.commit().map_err(db)?;
        Ok(id)
    }

    fn transfers_of_bag(&self, bag_id: &str) -> Result<Vec<Transfer>, StoreError> {
        records::transfers(&self.conn, "bag_id = ?1", bag_id.to_string().into())
    }

    fn transfer(&self, id: i64) -> Result<Option<Transfer>, StoreError> {
        Ok(records::transfers(&self.conn, "id = ?1", id.into())?.pop())
    }

    fn record_moves(&mut self, custody: &[CustodyEntry]) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        records::record_moves(&tx, &self.actor, custody)?;
        tx.commit().map_err(db)
    }

    fn custody(&self, unit: &Reference) -> Result<Vec<CustodyEntry>, StoreError> {
        records::custody(&self.conn, unit)
    }
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
            .prepare("SELECT DISTINCT doc, sheet FROM pages WHERE sheet IS NOT NULL ORDER BY doc")
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
        let kept = records::keep_findings(&tx, scope, findings)?;
        tx.commit().map_err(db)?;
        Ok(kept)
    }

    fn current_findings(&self) -> Result<Vec<Finding>, StoreError> {
        records::current_findings(&self.conn)
    }

    fn annotate_finding(
        &mut self,
        id: i64,
        status: FindingStatus,
        note: Option<&str>,
    ) -> Result<Finding, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let f = records::annotate_finding(&tx, &self.actor, id, status, note)?;
        tx.commit().map_err(db)?;
        Ok(f)
    }
}

impl NoteStore for SqliteStore {
    fn save_note(&mut self, note: &Note, why: &str) -> Result<Note, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = records::save_note(&tx, &self.actor, note, why)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn note(&self, id: i64) -> Result<Option<Note>, StoreError> {
        Ok(records::notes(
            &self.conn,
            &NoteFilter {
                id: Some(id),
                ..Default::default()
            },
        )?
        .pop())
    }

    fn notes(&self, filter: &NoteFilter) -> Result<Vec<Note>, StoreError> {
        records::notes(&self.conn, filter)
    }

    fn note_versions(&self, id: i64) -> Result<Vec<NoteVersion>, StoreError> {
        records::note_versions(&self.conn, id)
    }

    fn remove_notes(&mut self, ids: &[i64], keep_stubs: bool) -> Result<(), StoreError> {
        // Deleted text is overwritten, not left in free pages.
        self.conn
            .pragma_update(None, "secure_delete", "ON")
            .map_err(db)?;
        let tx = self.conn.savepoint().map_err(db)?;
        records::remove_notes(&tx, &self.actor, ids, keep_stubs)?;
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
        records::restore_notes(&tx, &self.actor, notes, versions)?;
        tx.commit().map_err(db)
    }
}

impl MentionStore for SqliteStore {
    fn replace_mentions(
        &mut self,
        doc: DocId,
        mentions: &[MentionRecord],
        relations: &[RelationRecord],
        record: &StageRecord,
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        records::replace_mentions(&tx, doc, mentions, relations)?;
        let (outcome, reason) = outcome_columns(&record.outcome);
        tx.execute(
            "INSERT INTO ledger(doc, stage, input_hash, version, at, outcome, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![record.doc.0, record.stage.as_str(), record.input_hash, record.version, record.at, outcome, reason],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }

    fn mentions(
        &self,
        docs: &[DocId],
        kind: Option<&str>,
    ) -> Result<Vec<MentionRecord>, StoreError> {
        records::mentions(&self.conn, docs, kind)
    }

    fn relations(&self, docs: &[DocId]) -> Result<Vec<RelationRecord>, StoreError> {
        records::relations(&self.conn, docs)
    }
}

impl IdentityStore for SqliteStore {
    fn save_judgement(&mut self, judgement: &Judgement) -> Result<Judgement, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = records::save_judgement(&tx, &self.actor, judgement)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn undo_judgement(&mut self, id: i64) -> Result<Judgement, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let undone = records::undo_judgement(&tx, &self.actor, id)?;
        tx.commit().map_err(db)?;
        Ok(undone)
    }

    fn judgements(&self) -> Result<Vec<Judgement>, StoreError> {
        records::judgements(&self.conn)
    }

    fn replace_identities(
        &mut self,
        rows: &[IdentityRow],
        persons: &[PersonRecord],
        detail: &str,
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        records::replace_identities(&tx, &self.actor, rows, persons, detail)?;
        tx.commit().map_err(db)
    }

    fn identities(&self) -> Result<Vec<IdentityRow>, StoreError> {
        records::identities(&self.conn)
    }

    fn person_records(&self) -> Result<Vec<PersonRecord>, StoreError> {
        records::person_records(&self.conn)
    }
}

impl ReportStore for SqliteStore {
    fn save_claim(&mut self, claim: &Claim) -> Result<Claim, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = records::save_claim(&tx, &self.actor, claim)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn claims(&self, subject: Option<&str>) -> Result<Vec<Claim>, StoreError> {
        records::claims(&self.conn, subject)
    }

    fn save_report(&mut self, report: &Report) -> Result<Report, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = records::save_report(&tx, &self.actor, report)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn report_versions(&self, id: &str) -> Result<Vec<Report>, StoreError> {
        records::report_versions(&self.conn, id)
    }

    fn reports(&self) -> Result<Vec<Report>, StoreError> {
        records::reports(&self.conn)
    }

    fn save_report_fate(&mut self, fate: &ReportFate) -> Result<ReportFate, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = records::save_report_fate(&tx, &self.actor, fate)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn report_fates(&self) -> Result<Vec<ReportFate>, StoreError> {
        records::report_fates(&self.conn)
    }
}

impl RuleStore for SqliteStore {
    fn set_marking_rule(&mut self, rule: &MarkingRule) -> Result<MarkingRule, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let saved = records::set_marking_rule(&tx, &self.actor, rule)?;
        tx.commit().map_err(db)?;
        Ok(saved)
    }

    fn remove_marking_rule(&mut self, unit: &str, why: &str) -> Result<bool, StoreError> {
        let tx = self.conn.savepoint().map_err(db)?;
        let removed = records::remove_marking_rule(&tx, &self.actor, unit, why)?;
        tx.commit().map_err(db)?;
        Ok(removed)
    }

    fn marking_rules(&self) -> Result<Vec<MarkingRule>, StoreError> {
        records::marking_rules(&self.conn)
    }
}
