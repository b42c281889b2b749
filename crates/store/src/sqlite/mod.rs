//! The embedded metadata store: one SQLite database in the archive folder.
//!
//! This file holds the schema, its migrations, opening and batches; each storage role
//! is implemented in a file of its own (holdings, ledger, audit, custody, findings,
//! notes, mentions, identities, reports and rules), beside the SQL it needs.

use std::path::Path;
use std::time::Duration;

use kartoteka_model::{Level, Reference};
use rusqlite::{Connection, OptionalExtension};

mod access;
mod audit;
mod copy;
pub(crate) mod custody;
mod editions;
pub(crate) mod findings;
pub(crate) mod holdings;
mod identities;
pub(crate) mod jobs;
pub(crate) mod ledger;
mod mentions;
pub(crate) mod notes;
mod release;
mod reports;

use crate::metadata::StoreError;
use crate::prelude::*;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = 9;

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
-- What `status` counts and lists, each from an index rather than a pass over every row.
CREATE INDEX IF NOT EXISTS documents_format ON documents(format);
CREATE INDEX IF NOT EXISTS documents_placement ON documents(placement);
CREATE INDEX IF NOT EXISTS documents_needs_ocr ON documents(id) WHERE needs_ocr;
CREATE INDEX IF NOT EXISTS documents_pages ON documents(page_count);
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
CREATE INDEX IF NOT EXISTS ledger_failed ON ledger(doc, stage) WHERE outcome = 'failed';
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
-- Every command finds the keys that sealed the head by action: without this it read the
-- whole chain (half a gigabyte at 300,000 documents) before doing anything.
CREATE INDEX IF NOT EXISTS audit_action ON audit(action, seq);
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
CREATE TABLE IF NOT EXISTS partners (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS routings (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS consents (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS packages (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS editor_decisions (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS editions (
    number INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS api_tokens (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_sessions (
    hash TEXT PRIMARY KEY,
    body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobs (
    number INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    input TEXT NOT NULL,
    home TEXT,
    rerun INTEGER NOT NULL,
    state TEXT NOT NULL,
    worker TEXT,
    lease_until INTEGER,
    attempts INTEGER NOT NULL,
    queued TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL,
    summary TEXT,
    error TEXT,
    result TEXT
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs(state, number);
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
    // 9: users, API tokens and browser sessions of the reading room, new tables made by
    // the schema itself.
    (9, None, ""),
    // 8: editors' decisions and the editions of the public edition, new tables made by
    // the schema itself.
    (8, None, ""),
    // 7: partners, routing decisions, consents and the register of packages, new tables
    // made by the schema itself.
    (7, None, ""),
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
pub(crate) fn default_actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn db(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy => {
            StoreError::Busy
        }
        // A value the program cannot read as its type (a kind no kind has): the row is
        // damaged, not the database.
        rusqlite::Error::FromSqlConversionFailure(_, _, e) => StoreError::Corrupt(e.to_string()),
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
        // Search reads a page's text for every hit: read the file through a memory map
        // (no system call and no copy per page) and keep more of it cached than the
        // default 2 MB. The map is capped at 256 MiB: every page a long ingest touches
        // through it stays in the process's resident memory, and with a 1 GiB map an
        // ingest of a million documents peaked at 2.1 GB (a quarter of it at 300,000
        // documents was the map). Beyond the cap SQLite reads as usual.
        conn.pragma_update(None, "mmap_size", 256i64 << 20)
            .map_err(db)?;
        conn.pragma_update(None, "cache_size", -65536).map_err(db)?;
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
                let found = readable_version(&v)?;
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
}

/// The schema version a store records, when this build can read it: a newer one is
/// refused by number, a damaged one as corrupt.
pub(crate) fn readable_version(recorded: &str) -> Result<i64, StoreError> {
    let found: i64 = recorded
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("schema version {recorded:?}")))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::Schema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// The `unit_key` prefix pattern matching a unit and everything inside it.
pub(crate) fn within_pattern(unit: &Reference) -> (String, String) {
    let key = unit.truncate(Level::File).key();
    let escaped = key
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    (key, format!("{escaped}/%"))
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
