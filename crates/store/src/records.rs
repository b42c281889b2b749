//! Every row of a metadata store, read and written as plain values: how `kartoteka
//! migrate` moves the records between the embedded store and PostgreSQL, and how it proves
//! that each table arrived whole.
//!
//! Both stores have the same tables and columns; PostgreSQL keeps one more column where
//! SQLite has an implicit row id (`document_versions.id`). A copy moves the columns both
//! have, in the order the rows were written, and the digests are taken over those columns
//! on both sides, sorted by every column, so that equal digests mean equal rows.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::metadata::StoreError;

/// One value of a row. The schema holds numbers and text only (a flag is the number 0 or
/// 1 in SQLite and a boolean in PostgreSQL; both read as a number here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// No value.
    Null,
    /// A number.
    Int(i64),
    /// Text.
    Text(String),
}

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

/// The tables other tables' rows refer to (by foreign key), copied before the rest.
const REFERRED_TO: &[&str] = &["documents", "transfers"];

/// A table and the columns moved and compared.
pub type TableShape = (String, Vec<String>);

/// A store whose rows can be listed, read and appended table by table.
pub trait Records {
    /// The tables that hold records (not the schema's own `meta`) with their columns, in
    /// the order the schema gives them.
    fn tables(&self) -> Result<Vec<TableShape>, StoreError>;

    /// Calls `f` with each row's `columns`: sorted by those columns (absent values first)
    /// when `sorted`, else in the order the rows were written.
    fn each_row(
        &self,
        table: &str,
        columns: &[String],
        sorted: bool,
        f: &mut dyn FnMut(&[Cell]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Appends rows to a table (inside the caller's batch, if one is open).
    fn insert_rows(
        &mut self,
        table: &str,
        columns: &[String],
        rows: &[Vec<Cell>],
    ) -> Result<(), StoreError>;

    /// After a copy: numbers the store gives from now on follow the rows copied.
    fn rows_copied(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// The shapes both stores share: `from`'s tables that `to` has, each with the columns
/// both have, in `from`'s order. A table or column `from` has and `to` lacks is an error:
/// its rows would be lost.
pub fn shared_shapes(from: &dyn Records, to: &dyn Records) -> Result<Vec<TableShape>, StoreError> {
    let theirs = to.tables()?;
    let mut shapes = Vec::new();
    for (table, columns) in from.tables()? {
        let Some((_, target)) = theirs.iter().find(|(t, _)| *t == table) else {
            return Err(StoreError::Conflict(format!(
                "the target store has no table {table}"
            )));
        };
        let mut kept = Vec::new();
        for c in columns {
            if target.contains(&c) {
                kept.push(c);
            } else if !(c == "id" && table == "document_versions") {
                return Err(StoreError::Conflict(format!(
                    "the target store's table {table} has no column {c}"
                )));
            }
        }
        shapes.push((table, kept));
    }
    // Rows that others refer to go first: documents before their pages, versions and
    // ledger lines, transfers before the custody they opened.
    shapes.sort_by_key(|(table, _)| !REFERRED_TO.contains(&table.as_str()));
    Ok(shapes)
}

/// The digest of each table of `shapes` in `store`.
pub fn digests(store: &dyn Records, shapes: &[TableShape]) -> Result<Vec<TableDigest>, StoreError> {
    let mut out = Vec::with_capacity(shapes.len());
    for (table, columns) in shapes {
        let mut hasher = Sha256::new();
        let mut rows = 0u64;
        store.each_row(table, columns, true, &mut |row| {
            rows += 1;
            for cell in row {
                match cell {
                    Cell::Null => hasher.update([0u8]),
                    Cell::Int(n) => {
                        hasher.update([1u8]);
                        hasher.update(n.to_le_bytes());
                    }
                    Cell::Text(t) => {
                        hasher.update([3u8]);
                        hasher.update((t.len() as u64).to_le_bytes());
                        hasher.update(t.as_bytes());
                    }
                }
            }
            Ok(())
        })?;
        out.push(TableDigest {
            table: table.clone(),
            rows,
            sha256: hex::encode(hasher.finalize()),
        });
    }
    Ok(out)
}

/// A store rows are copied into: one that lists its rows and takes new ones in a batch.
pub trait CopyTarget: Records + crate::prelude::Batches {}

impl<T: Records + crate::prelude::Batches> CopyTarget for T {}

/// Copies every row of `shapes` from `from` into `to`, which must hold none of them yet,
/// as one batch of `to`: all of it or nothing.
pub fn copy_records(
    from: &dyn Records,
    to: &mut dyn CopyTarget,
    shapes: &[TableShape],
) -> Result<(), StoreError> {
    for (table, columns) in shapes {
        let mut any = false;
        to.each_row(table, &columns[..1], false, &mut |_| {
            any = true;
            Ok(())
        })?;
        if any {
            return Err(StoreError::Conflict(format!(
                "the target store already holds records (table {table}): a migration fills an empty store only"
            )));
        }
    }
    to.begin_batch()?;
    let copied = (|| {
        for (table, columns) in shapes {
            let mut pending: Vec<Vec<Cell>> = Vec::with_capacity(500);
            from.each_row(table, columns, false, &mut |row| {
                pending.push(row.to_vec());
                if pending.len() == 500 {
                    to.insert_rows(table, columns, &pending)?;
                    pending.clear();
                }
                Ok(())
            })?;
            to.insert_rows(table, columns, &pending)?;
        }
        to.rows_copied()
    })();
    match copied {
        Ok(()) => to.commit_batch(),
        Err(e) => {
            let _ = to.rollback_batch();
            Err(e)
        }
    }
}
