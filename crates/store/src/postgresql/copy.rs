//! The PostgreSQL store's rows as plain values, for a migration into it or out of it.

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};

use super::{db, get, PostgresStore};
use crate::metadata::StoreError;
use crate::records::{Cell, Records, TableShape};

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Records for PostgresStore {
    fn tables(&self) -> Result<Vec<TableShape>, StoreError> {
        let rows = self.read().rows(
            "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name != 'meta'
             ORDER BY table_name COLLATE \"C\", ordinal_position",
            &[],
        )?;
        let mut out: Vec<TableShape> = Vec::new();
        for r in &rows {
            let (table, column): (String, String) = (get(r, 0)?, get(r, 1)?);
            match out.last_mut() {
                Some((t, columns)) if *t == table => columns.push(column),
                _ => out.push((table, vec![column])),
            }
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
        let order = if sorted {
            // As SQLite sorts: absent values first.
            list.iter()
                .map(|c| format!("{c} NULLS FIRST"))
                .collect::<Vec<_>>()
                .join(", ")
        } else if let Some(first) = self.written_order(table)? {
            first
        } else {
            "1".to_string()
        };
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {order}",
            list.join(", "),
            quoted(table)
        );
        let mut conn = self.read();
        let statement = conn.client.prepare(&sql).map_err(db)?;
        let none: [&(dyn ToSql + Sync); 0] = [];
        let mut rows = conn
            .client
            .query_raw(&statement, none.iter().copied())
            .map_err(db)?;
        let mut cells = Vec::with_capacity(columns.len());
        while let Some(row) = rows.next().map_err(db)? {
            cells.clear();
            for (i, column) in row.columns().iter().enumerate() {
                let cell = match *column.type_() {
                    Type::BOOL => row
                        .try_get::<_, Option<bool>>(i)
                        .map(|v| v.map_or(Cell::Null, |b| Cell::Int(i64::from(b)))),
                    Type::INT8 => row
                        .try_get::<_, Option<i64>>(i)
                        .map(|v| v.map_or(Cell::Null, Cell::Int)),
                    _ => row
                        .try_get::<_, Option<String>>(i)
                        .map(|v| v.map_or(Cell::Null, Cell::Text)),
                };
                cells.push(
                    cell.map_err(|e| {
                        StoreError::Corrupt(format!("{table}.{}: {e}", column.name()))
                    })?,
                );
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
        if rows.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quoted(table),
            list.join(", "),
            marks.join(", ")
        );
        self.write(|conn, _| {
            let statement = conn.statement(&sql)?;
            let types: Vec<Type> = statement.params().to_vec();
            for row in rows {
                let values: Vec<Box<dyn ToSql + Sync>> = row
                    .iter()
                    .zip(&types)
                    .map(|(cell, ty)| -> Box<dyn ToSql + Sync> {
                        match (cell, *ty == Type::BOOL) {
                            (Cell::Null, true) => Box::new(None::<bool>),
                            (Cell::Null, false) if *ty == Type::INT8 => Box::new(None::<i64>),
                            (Cell::Null, false) => Box::new(None::<String>),
                            (Cell::Int(n), true) => Box::new(*n != 0),
                            (Cell::Int(n), false) => Box::new(*n),
                            (Cell::Text(t), _) => Box::new(t.clone()),
                        }
                    })
                    .collect();
                let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
                conn.client.execute(&statement, &params).map_err(db)?;
            }
            Ok(())
        })
    }

    /// The identity columns go on from the largest number copied.
    fn rows_copied(&mut self) -> Result<(), StoreError> {
        let tables: Vec<String> = self
            .read()
            .rows(
                "SELECT table_name::TEXT FROM information_schema.columns
                 WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'",
                &[],
            )?
            .iter()
            .map(|r| get(r, 0))
            .collect::<Result<_, _>>()?;
        self.write(|conn, _| {
            for table in &tables {
                conn.batch(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {}",
                    quoted(table)
                ))?;
            }
            Ok(())
        })
    }
}

impl PostgresStore {
    /// The order rows were written in, where a table keeps it: its numbers.
    fn written_order(&self, table: &str) -> Result<Option<String>, StoreError> {
        let has_id = self
            .read()
            .row(
                "SELECT 1 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'",
                &[&table],
            )?
            .is_some();
        Ok(has_id.then(|| "\"id\"".to_string()))
    }
}
