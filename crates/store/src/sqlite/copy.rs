//! Copying an embedded store whole, and the per-table digests that prove a copy holds
//! every row of the original: what `kartoteka migrate` checks on both sides.

use std::path::Path;

use rusqlite::types::ValueRef;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{db, SqliteStore};
use crate::metadata::StoreError;

/// One table's rows, counted and hashed in a fixed order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableDigest {
    /// The table.
    pub table: String,
    /// How many rows it holds.
    pub rows: u64,
    /// SHA-256 over every row, in the order of all its columns, each value tagged with
    /// its type: two tables with the same digest hold the same rows.
    pub sha256: String,
}

impl SqliteStore {
    /// Writes a consistent copy of the whole database to `path` (which must not exist),
    /// as of one moment: SQLite's `VACUUM INTO`, which also leaves the copy compact.
    pub fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        let target = path.to_str().ok_or_else(|| {
            StoreError::Database(format!("{} is not a UTF-8 path", path.display()))
        })?;
        self.conn.execute("VACUUM INTO ?1", [target]).map_err(db)?;
        Ok(())
    }

    /// The digest of every table, by name. Reads every row: minutes at a million
    /// documents, which a migration spends once.
    pub fn table_digests(&self) -> Result<Vec<TableDigest>, StoreError> {
        let tables: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT name FROM sqlite_master WHERE type = 'table'
                     AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .map_err(db)?;
            let names = stmt.query_map([], |r| r.get(0)).map_err(db)?;
            names.collect::<Result<_, _>>().map_err(db)?
        };
        let mut digests = Vec::with_capacity(tables.len());
        for table in tables {
            let quoted = format!("\"{}\"", table.replace('"', "\"\""));
            let columns = self
                .conn
                .prepare(&format!("SELECT * FROM {quoted} LIMIT 0"))
                .map_err(db)?
                .column_count();
            let order: Vec<String> = (1..=columns).map(|i| i.to_string()).collect();
            let mut stmt = self
                .conn
                .prepare(&format!(
                    "SELECT * FROM {quoted} ORDER BY {}",
                    order.join(", ")
                ))
                .map_err(db)?;
            let mut rows = stmt.query([]).map_err(db)?;
            let mut hasher = Sha256::new();
            let mut count = 0u64;
            while let Some(row) = rows.next().map_err(db)? {
                count += 1;
                for i in 0..columns {
                    match row.get_ref(i).map_err(db)? {
                        ValueRef::Null => hasher.update([0u8]),
                        ValueRef::Integer(n) => {
                            hasher.update([1u8]);
                            hasher.update(n.to_le_bytes());
                        }
                        ValueRef::Real(x) => {
                            hasher.update([2u8]);
                            hasher.update(x.to_le_bytes());
                        }
                        ValueRef::Text(t) => {
                            hasher.update([3u8]);
                            hasher.update((t.len() as u64).to_le_bytes());
                            hasher.update(t);
                        }
                        ValueRef::Blob(b) => {
                            hasher.update([4u8]);
                            hasher.update((b.len() as u64).to_le_bytes());
                            hasher.update(b);
                        }
                    }
                }
            }
            digests.push(TableDigest {
                table,
                rows: count,
                sha256: hex::encode(hasher.finalize()),
            });
        }
        Ok(digests)
    }
}
