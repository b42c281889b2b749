//! Holdings in SQLite: units, documents and their pages, and the summary.

use kartoteka_model::{
    ContentHash, DateRange, DocId, Document, Format, Level, Page, Placement, Reference, Sheet,
    StageOutcome, Unit,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::audit::append_audit;
use super::ledger::outcome_columns;
use super::{corrupt, db, now, within_pattern, SqliteStore};
use crate::acts;
use crate::metadata::{DocumentToSave, NewDocument, Saved, StoreError, Summary};
use crate::prelude::{HoldingsStore, LedgerStore};

const DOC_COLUMNS: &str =
    "id, content, size, source_path, format, encoding, language, reference, placement, title, \
    date_from, date_to, page_count, needs_ocr, ingested_at";

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

pub(crate) fn level_name(level: Level) -> &'static str {
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

impl SqliteStore {
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
                    acts.push(acts::unit_described(u));
                }
            }
            append_audit(&tx, &self.actor, &acts)?;
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
            let previous = previous
                .as_ref()
                .map(|(content, size, chars)| (content.as_str(), *size, *chars));
            let act = acts::document_saved(doc, pages, saved.id(), previous);
            append_audit(&tx, &self.actor, &[act])?;
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

    fn save_documents(
        &mut self,
        docs: &[DocumentToSave<'_>],
        version: u32,
    ) -> Result<Vec<Saved>, StoreError> {
        // One transaction around the documents' own savepoints: one commit, all or none.
        self.conn
            .execute_batch("SAVEPOINT save_documents")
            .map_err(db)?;
        let saved: Result<Vec<Saved>, StoreError> = docs
            .iter()
            .map(|d| self.save_document(d.doc, d.pages, d.extract, version))
            .collect();
        let end = match saved {
            Ok(_) => "RELEASE save_documents",
            Err(_) => "ROLLBACK TO save_documents; RELEASE save_documents",
        };
        let ended = self.conn.execute_batch(end).map_err(db);
        let saved = saved?;
        ended?;
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
        let act = acts::text_reread(id, unit, pages, needs_ocr);
        append_audit(&tx, &self.actor, &[act])?;
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

    fn documents_by_id(&self, ids: &[DocId]) -> Result<Vec<Document>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        // A statement per hundred, each with as many parameters (SQLite bounds their number).
        for chunk in ids.chunks(100) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!("SELECT {DOC_COLUMNS} FROM documents WHERE id IN ({marks})");
            let params: Vec<i64> = chunk.iter().map(|d| d.0).collect();
            out.extend(self.query_documents(&sql, rusqlite::params_from_iter(params))?);
        }
        Ok(out)
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

    fn with_page_text(
        &self,
        id: DocId,
        number: u32,
        f: &mut dyn FnMut(&str),
    ) -> Result<bool, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT text FROM pages WHERE doc = ?1 AND number = ?2")
            .map_err(db)?;
        let mut rows = stmt.query(params![id.0, number]).map_err(db)?;
        let Some(row) = rows.next().map_err(db)? else {
            return Ok(false);
        };
        let text =
            row.get_ref(0).map_err(db)?.as_str().map_err(|e| {
                StoreError::Corrupt(format!("page {number} of document {}: {e}", id.0))
            })?;
        f(text);
        Ok(true)
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
            // Each document row keeps its page count, written in the transaction that
            // writes its pages: summing it reads the documents, where counting the pages
            // would read every page's text (gigabytes at a million documents).
            pages: count("SELECT COALESCE(SUM(page_count), 0) FROM documents")?,
            units: count("SELECT COUNT(*) FROM units")?,
            needs_ocr: count("SELECT COUNT(*) FROM documents WHERE needs_ocr")?,
            failed: self.failures()?.len() as u64,
            // Counted, not listed: the documents whose latest index line is not a
            // success on their present content. (`+d.content`: SQLite 3.54 would
            // otherwise find each document through its content's index, by string,
            // three times slower than by number.)
            not_indexed: count(
                "WITH latest AS (SELECT doc, MAX(id) AS id FROM ledger WHERE stage = 'index' GROUP BY doc)
                 SELECT (SELECT COUNT(*) FROM documents) - COUNT(*) FROM latest
                 JOIN ledger l ON l.id = latest.id JOIN documents d ON d.id = latest.doc
                 WHERE l.outcome = 'done' AND l.input_hash = +d.content",
            )?,
            by_format: grouped(
                "SELECT format, COUNT(*) FROM documents GROUP BY format ORDER BY 2 DESC, 1",
            )?,
            by_placement: grouped(
                "SELECT placement, COUNT(*) FROM documents GROUP BY placement ORDER BY 2 DESC, 1",
            )?,
        })
    }
}
