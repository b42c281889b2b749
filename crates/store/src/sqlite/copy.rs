//! Copying an embedded store whole, and the per-table digests that prove a copy holds
//! every row of the original: what `kartoteka migrate` checks on both sides.

use std::path::Path;

use rusqlite::types::ValueRef;

use super::{db, SqliteStore};
use crate::metadata::StoreError;
use crate::records::{Cell, Records, TableDigest, TableShape};

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
        crate::records::digests(self, &self.tables()?)
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Records for SqliteStore {
    fn tables(&self) -> Result<Vec<TableShape>, StoreError> {
        let names: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT name FROM sqlite_master WHERE type = 'table'
                     AND name NOT LIKE 'sqlite_%' AND name != 'meta' ORDER BY name",
                )
                .map_err(db)?;
            let names = stmt.query_map([], |r| r.get(0)).map_err(db)?;
            names.collect::<Result<_, _>>().map_err(db)?
        };
        let mut out = Vec::with_capacity(names.len());
        for table in names {
            let stmt = self
                .conn
                .prepare(&format!("SELECT * FROM {} LIMIT 0", quoted(&table)))
                .map_err(db)?;
            let columns = stmt.column_names().map(|c| c.to_string()).collect();
            out.push((table, columns));
        }
        Ok(out)
    }

    fn each_row(
        &self,
        table: &str,
        columns: &[String],
        sorted: bool,
        f: &mut dyn FnMut(&[Cell]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let list: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
        // Written order is the row id's, where the table has one (all but the WITHOUT
        // ROWID tables, whose order is their key's).
        let has_rowid = self
            .conn
            .prepare(&format!("SELECT rowid FROM {} LIMIT 0", quoted(table)))
            .is_ok();
        let order = if sorted || !has_rowid {
            (1..=columns.len())
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            "rowid".to_string()
        };
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {} FROM {} ORDER BY {order}",
                list.join(", "),
                quoted(table)
            ))
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        let mut cells = Vec::with_capacity(columns.len());
        while let Some(row) = rows.next().map_err(db)? {
            cells.clear();
            for (i, column) in columns.iter().enumerate() {
                cells.push(match row.get_ref(i).map_err(db)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(n) => Cell::Int(n),
                    ValueRef::Text(t) => {
                        Cell::Text(String::from_utf8(t.to_vec()).map_err(|_| {
                            StoreError::Corrupt(format!("{table}.{column}: not UTF-8"))
                        })?)
                    }
                    ValueRef::Real(_) | ValueRef::Blob(_) => {
                        return Err(StoreError::Corrupt(format!(
                            "{table}.{column} holds a value of a kind the schema never writes"
                        )))
                    }
                });
            }
            f(&cells)?;
        }
        Ok(())
    }

    fn insert_rows(
        &mut self,
        table: &str,
        columns: &[String],
        rows: &[Vec<Cell>],
    ) -> Result<(), StoreError> {
        let list: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quoted(table),
                list.join(", "),
                marks.join(", ")
            ))
            .map_err(db)?;
        for row in rows {
            let values = row.iter().map(|c| match c {
                Cell::Null => rusqlite::types::Value::Null,
                Cell::Int(n) => rusqlite::types::Value::Integer(*n),
                Cell::Text(t) => rusqlite::types::Value::Text(t.clone()),
            });
            stmt.execute(rusqlite::params_from_iter(values))
                .map_err(db)?;
        }
        Ok(())
    }
}
