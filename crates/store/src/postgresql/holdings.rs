//! Holdings, the ledger and mentions in PostgreSQL: units, documents and their pages, what
//! each stage did to each document, and what extraction found in it.

use kartoteka_model::{
    ContentHash, DateRange, DocId, Document, Format, Level, MentionKind, MentionRecord, Page,
    Placement, Reference, RelationRecord, Sheet, Stage, StageOutcome, StageRecord, Unit,
};
use postgres::Row;
use std::collections::HashSet;

use super::records::{append_audit, audit_head};
use super::{get, get_opt_u32, get_u32, Conn, PostgresStore};
use crate::acts;
use crate::audit::linked_entries;
use crate::audit::AuditAct;
use crate::metadata::{DocumentToSave, Event, Failure, NewDocument, Saved, StoreError, Summary};
use crate::prelude::{HoldingsStore, LedgerStore, MentionStore};
use crate::sqlite::holdings::level_name;
use crate::sqlite::ledger::{outcome_columns, outcome_from};
use crate::sqlite::{corrupt, within_pattern};
use kartoteka_model::now_rfc3339 as now;

const DOC_COLUMNS: &str =
    "id, content, size, source_path, format, encoding, language, reference, placement, title, \
    date_from, date_to, page_count, needs_ocr, ingested_at";

fn document_row(r: &Row) -> Result<Document, StoreError> {
    let content: String = get(r, 1)?;
    let format: String = get(r, 4)?;
    let placement: String = get(r, 8)?;
    let reference = match get::<Option<String>>(r, 7)? {
        Some(text) => Some(Reference::parse(&text).map_err(|_| corrupt("reference", &text))?),
        None => None,
    };
    let dates = match (get_opt_u32(r, 10)?, get_opt_u32(r, 11)?) {
        (Some(from), Some(to)) => Some(DateRange { from, to }),
        _ => None,
    };
    Ok(Document {
        id: DocId(get(r, 0)?),
        content: ContentHash::from_hex(&content).map_err(|_| corrupt("content hash", &content))?,
        size: get::<i64>(r, 2)? as u64,
        source_path: get(r, 3)?,
        format: Format::parse(&format).ok_or_else(|| corrupt("format", &format))?,
        encoding: get(r, 5)?,
        language: get(r, 6)?,
        reference,
        placement: Placement::parse(&placement).ok_or_else(|| corrupt("placement", &placement))?,
        title: get(r, 9)?,
        dates,
        page_count: get_u32(r, 12)?,
        needs_ocr: get(r, 13)?,
        ingested_at: get(r, 14)?,
    })
}

fn documents(
    conn: &mut Conn,
    sql: &str,
    params: &[super::Param<'_>],
) -> Result<Vec<Document>, StoreError> {
    conn.rows(sql, params)?.iter().map(document_row).collect()
}

fn unit_row(r: &Row) -> Result<Unit, StoreError> {
    let text: String = get(r, 0)?;
    let reference = Reference::parse(&text).map_err(|_| corrupt("unit reference", &text))?;
    let dates = match (get_opt_u32(r, 2)?, get_opt_u32(r, 3)?) {
        (Some(from), Some(to)) => Some(DateRange { from, to }),
        _ => None,
    };
    Ok(Unit {
        level: reference.level(),
        reference,
        title: get(r, 1)?,
        dates,
        sheet_count: get_opt_u32(r, 4)?,
    })
}

/// Replaces a document's pages, all of them in one statement (a round trip per page was
/// a good part of an ingest's time).
fn insert_pages(conn: &mut Conn, id: DocId, pages: &[Page]) -> Result<(), StoreError> {
    conn.exec("DELETE FROM pages WHERE doc = $1", &[&id.0])?;
    let (numbers, sheets, versos, texts) = page_columns(pages);
    conn.exec(
        "INSERT INTO pages(doc, number, sheet, verso, text)
         SELECT $1, * FROM UNNEST($2::BIGINT[], $3::BIGINT[], $4::BOOLEAN[], $5::TEXT[])",
        &[&id.0, &numbers, &sheets, &versos, &texts],
    )?;
    Ok(())
}

fn page_from(number: u32, sheet: Option<u32>, verso: bool, text: String) -> Page {
    Page {
        number,
        sheet: sheet.map(|number| Sheet { number, verso }),
        text,
    }
}

fn insert_ledger(conn: &mut Conn, r: &StageRecord) -> Result<(), StoreError> {
    let (outcome, reason) = outcome_columns(&r.outcome);
    conn.exec(
        "INSERT INTO ledger(doc, stage, input_hash, version, at, outcome, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&r.doc.0, &r.stage.as_str(), &r.input_hash, &i64::from(r.version), &r.at, &outcome, &reason],
    )?;
    Ok(())
}

/// The audit chain's head as a run of saves inside one transaction knows it: `None` until
/// the first entry it appends reads it, then carried along.
type AuditHead = Option<Option<(u64, String)>>;

/// Saves one document inside the caller's transaction, in two statements when it is new
/// (three when it replaces pages): a store across a network pays for each round trip.
fn save_one(
    conn: &mut Conn,
    actor: &str,
    head: &mut AuditHead,
    doc: &NewDocument,
    pages: &[Page],
    extract: &StageOutcome,
    version: u32,
) -> Result<Saved, StoreError> {
    let at = now();
    let unit_key = doc
        .reference
        .as_ref()
        .map(|r| r.truncate(Level::File).key());
    let content = doc.content.to_hex();
    let chars: usize = pages.iter().map(|p| p.text.trim().chars().count()).sum();
    // One statement for both cases; an update keeps the first ingest time and number,
    // and the version table keeps the history of contents. `xmax` is 0 in a row this
    // statement inserted, and names the updating transaction in one it updated: whether
    // the document is new, without asking first. The sub-statements share one snapshot,
    // so the previous version read is the one before this statement's.
    let row = conn.row(
        "WITH d AS (
           INSERT INTO documents(id, source_path, content, size, format, encoding, language, reference, unit_key,
             placement, title, date_from, date_to, page_count, needs_ocr, ingested_at)
           VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM documents),
             $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT(source_path) DO UPDATE SET content = excluded.content, size = excluded.size,
             format = excluded.format, encoding = excluded.encoding, language = excluded.language,
             reference = excluded.reference, unit_key = excluded.unit_key, placement = excluded.placement,
             title = excluded.title, date_from = excluded.date_from, date_to = excluded.date_to,
             page_count = excluded.page_count, needs_ocr = excluded.needs_ocr
           RETURNING id, xmax = 0 AS inserted),
         v AS (INSERT INTO document_versions(doc, content, at, size, pages, chars)
           SELECT id, $2, $15, $3, $13, $16 FROM d)
         SELECT d.id, d.inserted, p.content, p.size, p.chars FROM d
         LEFT JOIN LATERAL (SELECT content, size, chars FROM document_versions
           WHERE doc = d.id ORDER BY id DESC LIMIT 1) p ON TRUE",
        &[
            &doc.source_path,
            &content,
            &(doc.size as i64),
            &doc.format.as_str(),
            &doc.encoding,
            &doc.language,
            &doc.reference.as_ref().map(|r| r.to_string()),
            &unit_key,
            &doc.placement.as_str(),
            &doc.title,
            &doc.dates.map(|d| i64::from(d.from)),
            &doc.dates.map(|d| i64::from(d.to)),
            &(pages.len() as i64),
            &doc.needs_ocr,
            &at,
            &(chars as i64),
        ],
    )?;
    let row = row.ok_or_else(|| StoreError::Database("the document was not saved".into()))?;
    let (id, inserted): (i64, bool) = (get(&row, 0)?, get(&row, 1)?);
    let previous: Option<(String, Option<i64>, Option<i64>)> = get::<Option<String>>(&row, 2)?
        .map(|c| Ok::<_, StoreError>((c, get(&row, 3)?, get(&row, 4)?)))
        .transpose()?;
    let saved = if inserted {
        Saved::Added(DocId(id))
    } else {
        Saved::Updated(DocId(id))
    };
    if !inserted {
        conn.exec("DELETE FROM pages WHERE doc = $1", &[&id])?;
    }
    // A re-read of the same bytes (OCR, a retry) is not a new version of the content.
    let same_content = previous.as_ref().is_some_and(|(c, _, _)| *c == content);
    let act = (!same_content).then(|| {
        let previous = previous
            .as_ref()
            .map(|(content, size, chars)| (content.as_str(), *size, *chars));
        acts::document_saved(doc, pages, saved.id(), previous)
    });
    let (numbers, sheets, versos, texts) = page_columns(pages);
    let (outcome, reason) = outcome_columns(extract);
    let version = i64::from(version);
    // The pages, the ledger's record, the failure forgotten and (for new content) the
    // audit entry: one statement.
    let rest = "INSERT INTO ledger(doc, stage, input_hash, version, at, outcome, reason)
                  VALUES ($1, 'extract', $6, $7, $8, $9, $10)),
                f AS (DELETE FROM source_failures WHERE path = $11)
              INSERT INTO pages(doc, number, sheet, verso, text)
              SELECT $1, * FROM UNNEST($2::BIGINT[], $3::BIGINT[], $4::BOOLEAN[], $5::TEXT[])";
    let mut params: Vec<super::Param<'_>> = vec![
        &id,
        &numbers,
        &sheets,
        &versos,
        &texts,
        &content,
        &version,
        &at,
        &outcome,
        &reason,
        &doc.source_path,
    ];
    let linked = match &act {
        Some(act) => {
            let known = match head {
                Some(known) => known,
                None => head.insert(audit_head(conn)?),
            };
            let linked = linked_entries(known.clone(), &at, actor, std::slice::from_ref(act));
            if let Some(last) = linked.last() {
                *known = Some((last.seq, last.hash.clone()));
            }
            linked
        }
        None => Vec::new(),
    };
    let audit_values;
    match linked.first() {
        Some(entry) => {
            audit_values = (
                entry.seq as i64,
                entry.act.unit.as_deref().map(crate::audit::unit_key),
            );
            params.extend_from_slice(&[
                &audit_values.0 as super::Param<'_>,
                &actor,
                &entry.act.action,
                &entry.act.unit,
                &audit_values.1,
                &entry.act.object,
                &entry.act.detail,
                &entry.prev,
                &entry.hash,
            ]);
            conn.exec(
                &format!(
                    "WITH a AS (INSERT INTO audit(seq, at, actor, action, unit, unit_key, object, detail, prev, hash)
                       VALUES ($12, $8, $13, $14, $15, $16, $17, $18, $19, $20)),
                     l AS ({rest}"
                ),
                &params,
            )?;
        }
        None => {
            conn.exec(&format!("WITH l AS ({rest}"), &params)?;
        }
    }
    Ok(saved)
}

/// Saves documents none of which is known yet in two statements however many they are
/// (a round trip per document was most of an ingest's time on PostgreSQL); `None`, with
/// nothing written, when some source path is known already or given twice, for the
/// caller to save them one by one.
fn save_new(
    conn: &mut Conn,
    actor: &str,
    docs: &[DocumentToSave<'_>],
    version: u32,
) -> Result<Option<Vec<Saved>>, StoreError> {
    let paths: Vec<&str> = docs.iter().map(|d| d.doc.source_path.as_str()).collect();
    let distinct: HashSet<&str> = paths.iter().copied().collect();
    if distinct.len() < paths.len() {
        return Ok(None);
    }
    let row = conn
        .row(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM documents),
                    EXISTS (SELECT 1 FROM documents WHERE source_path = ANY($1)),
                    (SELECT seq FROM audit ORDER BY seq DESC LIMIT 1),
                    (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1)",
            &[&paths],
        )?
        .ok_or_else(|| StoreError::Database("no answer to the documents' numbers".into()))?;
    let (last, known): (i64, bool) = (get(&row, 0)?, get(&row, 1)?);
    if known {
        return Ok(None);
    }
    let head = match (
        get::<Option<i64>>(&row, 2)?,
        get::<Option<String>>(&row, 3)?,
    ) {
        (Some(seq), Some(hash)) => Some((seq as u64, hash)),
        _ => None,
    };
    let at = now();
    let ids: Vec<i64> = (1..=docs.len() as i64).map(|n| last + n).collect();
    let acts: Vec<AuditAct> = docs
        .iter()
        .zip(&ids)
        .map(|(d, id)| acts::document_saved(d.doc, d.pages, DocId(*id), None))
        .collect();
    let linked = linked_entries(head, &at, actor, &acts);

    // Column by column, as arrays UNNEST turns back into rows.
    let column = |f: &dyn Fn(&NewDocument) -> Option<String>| -> Vec<Option<String>> {
        docs.iter().map(|d| f(d.doc)).collect()
    };
    let sources: Vec<&str> = paths.clone();
    let contents: Vec<String> = docs.iter().map(|d| d.doc.content.to_hex()).collect();
    let sizes: Vec<i64> = docs.iter().map(|d| d.doc.size as i64).collect();
    let formats: Vec<&str> = docs.iter().map(|d| d.doc.format.as_str()).collect();
    let encodings = column(&|d| d.encoding.clone());
    let languages = column(&|d| d.language.clone());
    let references = column(&|d| d.reference.as_ref().map(|r| r.to_string()));
    let unit_keys = column(&|d| d.reference.as_ref().map(|r| r.truncate(Level::File).key()));
    let placements: Vec<&str> = docs.iter().map(|d| d.doc.placement.as_str()).collect();
    let titles = column(&|d| d.title.clone());
    let froms: Vec<Option<i64>> = docs
        .iter()
        .map(|d| d.doc.dates.map(|r| i64::from(r.from)))
        .collect();
    let tos: Vec<Option<i64>> = docs
        .iter()
        .map(|d| d.doc.dates.map(|r| i64::from(r.to)))
        .collect();
    let page_counts: Vec<i64> = docs.iter().map(|d| d.pages.len() as i64).collect();
    let needs_ocr: Vec<bool> = docs.iter().map(|d| d.doc.needs_ocr).collect();
    let chars: Vec<i64> = docs
        .iter()
        .map(|d| {
            d.pages
                .iter()
                .map(|p| p.text.trim().chars().count() as i64)
                .sum()
        })
        .collect();
    let (outcomes, reasons): (Vec<&str>, Vec<Option<&str>>) =
        docs.iter().map(|d| outcome_columns(d.extract)).unzip();
    let page_docs: Vec<i64> = docs
        .iter()
        .zip(&ids)
        .flat_map(|(d, id)| d.pages.iter().map(move |_| *id))
        .collect();
    let all_pages: Vec<Page> = docs.iter().flat_map(|d| d.pages.iter().cloned()).collect();
    let (numbers, sheets, versos, texts) = page_columns(&all_pages);
    let seqs: Vec<i64> = linked.iter().map(|e| e.seq as i64).collect();
    let actions: Vec<&str> = linked.iter().map(|e| e.act.action.as_str()).collect();
    let units: Vec<Option<&str>> = linked.iter().map(|e| e.act.unit.as_deref()).collect();
    let audit_unit_keys: Vec<Option<String>> = linked
        .iter()
        .map(|e| e.act.unit.as_deref().map(crate::audit::unit_key))
        .collect();
    let objects: Vec<Option<&str>> = linked.iter().map(|e| e.act.object.as_deref()).collect();
    let details: Vec<&str> = linked.iter().map(|e| e.act.detail.as_str()).collect();
    let prevs: Vec<&str> = linked.iter().map(|e| e.prev.as_str()).collect();
    let hashes: Vec<&str> = linked.iter().map(|e| e.hash.as_str()).collect();
    let version = i64::from(version);
    // The documents first, then what refers to them: the references are checked at the
    // statement's end.
    conn.exec(
        "WITH d AS (
           INSERT INTO documents(id, source_path, content, size, format, encoding, language, reference,
             unit_key, placement, title, date_from, date_to, page_count, needs_ocr, ingested_at)
           SELECT id, source, content, size, format, encoding, language, reference, unit_key, placement,
             title, date_from, date_to, page_count, needs_ocr, $15
           FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::TEXT[], $6::TEXT[],
             $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::TEXT[], $12::BIGINT[], $13::BIGINT[],
             $14::BIGINT[], $16::BOOLEAN[])
             AS n(id, source, content, size, format, encoding, language, reference, unit_key, placement,
               title, date_from, date_to, page_count, needs_ocr)
           RETURNING id),
         v AS (INSERT INTO document_versions(doc, content, at, size, pages, chars)
           SELECT * FROM UNNEST($1::BIGINT[], $3::TEXT[], ARRAY_FILL($15::TEXT, ARRAY[$17::INT]),
             $4::BIGINT[], $14::BIGINT[], $18::BIGINT[])),
         l AS (INSERT INTO ledger(doc, stage, input_hash, version, at, outcome, reason)
           SELECT doc, 'extract', hash, $19, $15, outcome, reason
           FROM UNNEST($1::BIGINT[], $3::TEXT[], $20::TEXT[], $21::TEXT[]) AS l(doc, hash, outcome, reason)),
         f AS (DELETE FROM source_failures WHERE path = ANY($2::TEXT[])),
         a AS (INSERT INTO audit(seq, at, actor, action, unit, unit_key, object, detail, prev, hash)
           SELECT seq, $15, $22, action, unit, unit_key, object, detail, prev, hash
           FROM UNNEST($23::BIGINT[], $24::TEXT[], $25::TEXT[], $26::TEXT[], $27::TEXT[], $28::TEXT[],
             $29::TEXT[], $30::TEXT[]) AS a(seq, action, unit, unit_key, object, detail, prev, hash))
         INSERT INTO pages(doc, number, sheet, verso, text)
         SELECT * FROM UNNEST($31::BIGINT[], $32::BIGINT[], $33::BIGINT[], $34::BOOLEAN[], $35::TEXT[])",
        &[
            &ids,
            &sources,
            &contents,
            &sizes,
            &formats,
            &encodings,
            &languages,
            &references,
            &unit_keys,
            &placements,
            &titles,
            &froms,
            &tos,
            &page_counts,
            &at,
            &needs_ocr,
            &(docs.len() as i32),
            &chars,
            &version,
            &outcomes,
            &reasons,
            &actor,
            &seqs,
            &actions,
            &units,
            &audit_unit_keys,
            &objects,
            &details,
            &prevs,
            &hashes,
            &page_docs,
            &numbers,
            &sheets,
            &versos,
            &texts,
        ],
    )?;
    Ok(Some(
        ids.into_iter().map(|id| Saved::Added(DocId(id))).collect(),
    ))
}

/// Pages as columns: numbers, sheets, whether each is a verso, texts.
type PageColumns<'a> = (Vec<i64>, Vec<Option<i64>>, Vec<bool>, Vec<&'a str>);

/// A document's pages as the four arrays one statement inserts.
fn page_columns(pages: &[Page]) -> PageColumns<'_> {
    (
        pages.iter().map(|p| i64::from(p.number)).collect(),
        pages
            .iter()
            .map(|p| p.sheet.map(|s| i64::from(s.number)))
            .collect(),
        pages
            .iter()
            .map(|p| p.sheet.is_some_and(|s| s.verso))
            .collect(),
        pages.iter().map(|p| p.text.as_str()).collect(),
    )
}

impl HoldingsStore for PostgresStore {
    fn upsert_units(&mut self, units: &[Unit]) -> Result<(), StoreError> {
        self.write(|conn, actor| {
            let mut acts = Vec::new();
            for u in units {
                let changed = conn.exec(
                    "INSERT INTO units(key, reference, level, title, date_from, date_to, sheet_count)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT(key) DO UPDATE SET reference = excluded.reference, title = excluded.title,
                       date_from = excluded.date_from, date_to = excluded.date_to, sheet_count = excluded.sheet_count
                     WHERE (units.reference, units.title, units.date_from, units.date_to, units.sheet_count)
                       IS DISTINCT FROM (excluded.reference, excluded.title, excluded.date_from, excluded.date_to, excluded.sheet_count)",
                    &[
                        &u.reference.key(),
                        &u.reference.to_string(),
                        &level_name(u.level),
                        &u.title,
                        &u.dates.map(|d| i64::from(d.from)),
                        &u.dates.map(|d| i64::from(d.to)),
                        &u.sheet_count.map(i64::from),
                    ],
                )?;
                if changed > 0 {
                    acts.push(acts::unit_described(u));
                }
            }
            append_audit(conn, actor, &acts)
        })
    }

    fn unit(&self, reference: &Reference) -> Result<Option<Unit>, StoreError> {
        self.read()
            .row(
                "SELECT reference, title, date_from, date_to, sheet_count FROM units WHERE key = $1",
                &[&reference.key()],
            )?
            .map(|r| unit_row(&r))
            .transpose()
    }

    fn units(&self, within: Option<&Reference>) -> Result<Vec<Unit>, StoreError> {
        let (key, pattern) = within
            .map(within_pattern)
            .unwrap_or_else(|| (String::new(), "%".to_string()));
        self.read()
            .rows(
                "SELECT reference, title, date_from, date_to, sheet_count FROM units
                 WHERE key = $1 OR key LIKE $2 ESCAPE '\\' ORDER BY key COLLATE \"C\"",
                &[&key, &pattern],
            )?
            .iter()
            .map(unit_row)
            .collect()
    }

    fn save_document(
        &mut self,
        doc: &NewDocument,
        pages: &[Page],
        extract: &StageOutcome,
        version: u32,
    ) -> Result<Saved, StoreError> {
        self.write(|conn, actor| {
            let mut head: AuditHead = None;
            save_one(conn, actor, &mut head, doc, pages, extract, version)
        })
    }

    fn save_documents(
        &mut self,
        docs: &[DocumentToSave<'_>],
        version: u32,
    ) -> Result<Vec<Saved>, StoreError> {
        if docs.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|conn, actor| {
            if let Some(saved) = save_new(conn, actor, docs, version)? {
                return Ok(saved);
            }
            // Some are known already: one by one. The writer lock is held to the commit,
            // so the chain's head read once serves the whole batch.
            let mut head: AuditHead = None;
            docs.iter()
                .map(|d| save_one(conn, actor, &mut head, d.doc, d.pages, d.extract, version))
                .collect()
        })
    }

    fn replace_pages(
        &mut self,
        id: DocId,
        pages: &[Page],
        needs_ocr: bool,
    ) -> Result<(), StoreError> {
        self.write(|conn, actor| {
            insert_pages(conn, id, pages)?;
            let updated = conn.exec(
                "UPDATE documents SET page_count = $2, needs_ocr = $3 WHERE id = $1",
                &[&id.0, &(pages.len() as i64), &needs_ocr],
            )?;
            if updated == 0 {
                return Err(StoreError::Database(format!("no document {}", id.0)));
            }
            // Stages that read the text must read it again.
            conn.exec(
                "INSERT INTO ledger(doc, stage, input_hash, version, at, outcome, reason)
                 SELECT $1, 'mentions', content, 0, $2, 'pending', 'the text was replaced' FROM documents WHERE id = $1",
                &[&id.0, &now()],
            )?;
            let chars: usize = pages.iter().map(|p| p.text.trim().chars().count()).sum();
            conn.exec(
                "UPDATE document_versions SET pages = $2, chars = $3
                 WHERE id = (SELECT MAX(id) FROM document_versions WHERE doc = $1)",
                &[&id.0, &(pages.len() as i64), &(chars as i64)],
            )?;
            let unit: Option<String> = conn.value("SELECT reference FROM documents WHERE id = $1", &[&id.0])?;
            append_audit(conn, actor, &[acts::text_reread(id, unit, pages, needs_ocr)])
        })
    }

    fn document(&self, id: DocId) -> Result<Option<Document>, StoreError> {
        Ok(documents(
            &mut self.read(),
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE id = $1"),
            &[&id.0],
        )?
        .pop())
    }

    fn documents_by_id(&self, ids: &[DocId]) -> Result<Vec<Document>, StoreError> {
        let ids: Vec<i64> = ids.iter().map(|d| d.0).collect();
        let mut found = documents(
            &mut self.read(),
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE id = ANY($1)"),
            &[&ids],
        )?;
        // In the order asked, as the embedded store answers.
        let order: std::collections::HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        found.sort_by_key(|d| order.get(&d.id.0).copied().unwrap_or(usize::MAX));
        Ok(found)
    }

    fn document_by_source(&self, source_path: &str) -> Result<Option<Document>, StoreError> {
        Ok(documents(
            &mut self.read(),
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE source_path = $1"),
            &[&source_path],
        )?
        .pop())
    }

    fn documents_by_source_paths(&self, paths: &[&str]) -> Result<Vec<Document>, StoreError> {
        documents(
            &mut self.read(),
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE source_path = ANY($1)"),
            &[&paths],
        )
    }

    fn documents_with_content(&self, content: &ContentHash) -> Result<Vec<Document>, StoreError> {
        documents(
            &mut self.read(),
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE content = $1 ORDER BY id"),
            &[&content.to_hex()],
        )
    }

    fn documents_within(&self, unit: &Reference) -> Result<Vec<Document>, StoreError> {
        let (key, pattern) = within_pattern(unit);
        let docs = documents(
            &mut self.read(),
            &format!(
                "SELECT {DOC_COLUMNS} FROM documents WHERE unit_key = $1 OR unit_key LIKE $2 ESCAPE '\\' ORDER BY id"
            ),
            &[&key, &pattern],
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
        documents(
            &mut self.read(),
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE id > $1 ORDER BY id LIMIT $2"),
            &[&after.map(|d| d.0).unwrap_or(i64::MIN), &(limit as i64)],
        )
    }

    fn documents_waiting_for_ocr(&self) -> Result<Vec<Document>, StoreError> {
        documents(
            &mut self.read(),
            &format!("SELECT {DOC_COLUMNS} FROM documents WHERE needs_ocr ORDER BY id"),
            &[],
        )
    }

    fn pages(&self, id: DocId) -> Result<Vec<Page>, StoreError> {
        self.read()
            .rows(
                "SELECT number, sheet, verso, text FROM pages WHERE doc = $1 ORDER BY number",
                &[&id.0],
            )?
            .iter()
            .map(|r| {
                Ok(page_from(
                    get_u32(r, 0)?,
                    get_opt_u32(r, 1)?,
                    get(r, 2)?,
                    get(r, 3)?,
                ))
            })
            .collect()
    }

    fn documents_with_pages(
        &self,
        ids: &[DocId],
    ) -> Result<Vec<(Document, Vec<Page>)>, StoreError> {
        let docs = self.documents_by_id(ids)?;
        let numbers: Vec<i64> = docs.iter().map(|d| d.id.0).collect();
        let mut pages: std::collections::HashMap<i64, Vec<Page>> = std::collections::HashMap::new();
        for r in self.read().rows(
            "SELECT doc, number, sheet, verso, text FROM pages WHERE doc = ANY($1) ORDER BY doc, number",
            &[&numbers],
        )? {
            let page = page_from(get_u32(&r, 1)?, get_opt_u32(&r, 2)?, get(&r, 3)?, get(&r, 4)?);
            pages.entry(get(&r, 0)?).or_default().push(page);
        }
        Ok(docs
            .into_iter()
            .map(|d| {
                let p = pages.remove(&d.id.0).unwrap_or_default();
                (d, p)
            })
            .collect())
    }

    fn page(&self, id: DocId, number: u32) -> Result<Option<Page>, StoreError> {
        self.read()
            .row(
                "SELECT sheet, verso, text FROM pages WHERE doc = $1 AND number = $2",
                &[&id.0, &i64::from(number)],
            )?
            .map(|r| {
                Ok(page_from(
                    number,
                    get_opt_u32(&r, 0)?,
                    get(&r, 1)?,
                    get(&r, 2)?,
                ))
            })
            .transpose()
    }

    fn summary(&self) -> Result<Summary, StoreError> {
        let mut conn = self.read();
        let mut count =
            |sql: &str| -> Result<u64, StoreError> { Ok(conn.value::<i64>(sql, &[])? as u64) };
        let documents = count("SELECT COUNT(*) FROM documents")?;
        let pages = count("SELECT COALESCE(SUM(page_count), 0)::BIGINT FROM documents")?;
        let units = count("SELECT COUNT(*) FROM units")?;
        let needs_ocr = count("SELECT COUNT(*) FROM documents WHERE needs_ocr")?;
        let not_indexed = count(
            "WITH latest AS (SELECT doc, MAX(id) AS id FROM ledger WHERE stage = 'index' GROUP BY doc)
             SELECT (SELECT COUNT(*) FROM documents) - COUNT(*) FROM latest
             JOIN ledger l ON l.id = latest.id JOIN documents d ON d.id = latest.doc
             WHERE l.outcome = 'done' AND l.input_hash = d.content",
        )?;
        let mut grouped = |sql: &str| -> Result<Vec<(String, u64)>, StoreError> {
            conn.rows(sql, &[])?
                .iter()
                .map(|r| Ok((get(r, 0)?, get::<i64>(r, 1)? as u64)))
                .collect()
        };
        let by_format =
            grouped("SELECT format, COUNT(*) FROM documents GROUP BY format ORDER BY 2 DESC, 1")?;
        let by_placement = grouped(
            "SELECT placement, COUNT(*) FROM documents GROUP BY placement ORDER BY 2 DESC, 1",
        )?;
        drop(conn);
        Ok(Summary {
            documents,
            pages,
            units,
            needs_ocr,
            failed: self.failures()?.len() as u64,
            not_indexed,
            by_format,
            by_placement,
        })
    }
}

fn record_row(r: &Row) -> Result<StageRecord, StoreError> {
    let stage: String = get(r, 1)?;
    let outcome: String = get(r, 5)?;
    let outcome = outcome_from(&outcome, get(r, 6)?)?;
    Ok(StageRecord {
        doc: DocId(get(r, 0)?),
        stage: Stage::parse(&stage).ok_or_else(|| corrupt("stage", &stage))?,
        input_hash: get(r, 2)?,
        version: get_u32(r, 3)?,
        at: get(r, 4)?,
        outcome,
    })
}

impl LedgerStore for PostgresStore {
    fn record_stages(&mut self, records: &[StageRecord]) -> Result<(), StoreError> {
        self.write(|conn, _| records.iter().try_for_each(|r| insert_ledger(conn, r)))
    }

    fn ledger(&self, id: DocId) -> Result<Vec<StageRecord>, StoreError> {
        self.read()
            .rows(
                "SELECT doc, stage, input_hash, version, at, outcome, reason FROM ledger WHERE doc = $1 ORDER BY id",
                &[&id.0],
            )?
            .iter()
            .map(record_row)
            .collect()
    }

    fn documents_needing(&self, stage: Stage, version: u32) -> Result<Vec<DocId>, StoreError> {
        self.read()
            .rows(
                "WITH latest AS (SELECT doc, MAX(id) AS id FROM ledger WHERE stage = $1 GROUP BY doc)
                 SELECT d.id FROM documents d
                 LEFT JOIN latest ON latest.doc = d.id
                 LEFT JOIN ledger l ON l.id = latest.id
                 WHERE l.id IS NULL OR l.outcome != 'done' OR l.input_hash != d.content OR l.version < $2
                 ORDER BY d.id",
                &[&stage.as_str(), &i64::from(version)],
            )?
            .iter()
            .map(|r| Ok(DocId(get(r, 0)?)))
            .collect()
    }

    fn record_source_failure(&mut self, path: &str, reason: &str) -> Result<(), StoreError> {
        self.write(|conn, _| {
            conn.exec(
                "INSERT INTO source_failures(path, reason, at) VALUES ($1, $2, $3)
                 ON CONFLICT(path) DO UPDATE SET reason = excluded.reason, at = excluded.at",
                &[&path, &reason, &now()],
            )
            .map(drop)
        })
    }

    fn clear_source_failure(&mut self, path: &str) -> Result<(), StoreError> {
        self.write(|conn, _| {
            conn.exec("DELETE FROM source_failures WHERE path = $1", &[&path])
                .map(drop)
        })
    }

    fn failures(&self) -> Result<Vec<Failure>, StoreError> {
        let mut conn = self.read();
        let mut out = Vec::new();
        for r in conn.rows(
            "SELECT d.id, d.source_path, l.stage, l.reason, l.at FROM ledger l JOIN documents d ON d.id = l.doc
             WHERE l.outcome = 'failed'
               AND l.id = (SELECT MAX(id) FROM ledger WHERE doc = l.doc AND stage = l.stage)
             ORDER BY d.id, l.id",
            &[],
        )? {
            out.push(Failure {
                doc: Some(DocId(get(&r, 0)?)),
                path: get(&r, 1)?,
                stage: get(&r, 2)?,
                reason: get::<Option<String>>(&r, 3)?.unwrap_or_default(),
                at: get(&r, 4)?,
            });
        }
        for r in conn.rows(
            "SELECT path, reason, at FROM source_failures ORDER BY path COLLATE \"C\"",
            &[],
        )? {
            out.push(Failure {
                doc: None,
                path: get(&r, 0)?,
                stage: "read".into(),
                reason: get(&r, 1)?,
                at: get(&r, 2)?,
            });
        }
        Ok(out)
    }

    fn record_events(&mut self, events: &[Event]) -> Result<(), StoreError> {
        self.write(|conn, _| {
            for e in events {
                conn.exec(
                    "INSERT INTO events(object, type, outcome, detail, at) VALUES ($1, $2, $3, $4, $5)",
                    &[&e.object, &e.event_type, &e.outcome, &e.detail, &e.at],
                )?;
            }
            Ok(())
        })
    }

    fn events(&self, object: &str) -> Result<Vec<Event>, StoreError> {
        self.read()
            .rows(
                "SELECT object, type, outcome, detail, at FROM events WHERE object = $1 ORDER BY id",
                &[&object],
            )?
            .iter()
            .map(|r| {
                Ok(Event {
                    object: get(r, 0)?,
                    event_type: get(r, 1)?,
                    outcome: get(r, 2)?,
                    detail: get(r, 3)?,
                    at: get(r, 4)?,
                })
            })
            .collect()
    }
}

/// A kind column read as its type: a name no kind has is a corrupt row, not a kind.
fn kind_column<K>(r: &Row, i: usize) -> Result<K, StoreError>
where
    K: std::str::FromStr<Err = kartoteka_model::UnknownKind>,
{
    let name: String = get(r, i)?;
    name.parse()
        .map_err(|e: kartoteka_model::UnknownKind| StoreError::Corrupt(e.to_string()))
}

impl MentionStore for PostgresStore {
    fn replace_mentions(
        &mut self,
        doc: DocId,
        mentions: &[MentionRecord],
        relations: &[RelationRecord],
        record: &StageRecord,
    ) -> Result<(), StoreError> {
        // Three statements whatever the number of mentions (a round trip for each was
        // most of an extraction's time on PostgreSQL). Numbers go on from the largest
        // left once this document's are gone, as one insert after another gave them; the
        // largest is asked for as the first in descending order, which the cached plan
        // reads from the key's index (written as MAX beside the deletes, it scanned the
        // table for every document).
        let mut relation_ends = Vec::with_capacity(relations.len());
        for r in relations {
            match (mentions.get(r.from as usize), mentions.get(r.to as usize)) {
                (Some(_), Some(_)) => relation_ends.push((r.from, r.to)),
                _ => {
                    return Err(StoreError::Corrupt(format!(
                        "relation between mentions {} and {} that are not given",
                        r.from, r.to
                    )))
                }
            }
        }
        self.write(|conn, _| {
            let last: i64 = conn.value(
                "WITH r AS (DELETE FROM relations WHERE doc = $1),
                      m AS (DELETE FROM mentions WHERE doc = $1)
                 SELECT COALESCE((SELECT id FROM mentions WHERE doc <> $1 ORDER BY id DESC LIMIT 1), 0)",
                &[&doc.0],
            )?;
            let ids: Vec<i64> = (1..=mentions.len() as i64).map(|n| last + n).collect();
            let pages: Vec<i64> = mentions.iter().map(|m| i64::from(m.page)).collect();
            let sheets: Vec<Option<i64>> = mentions
                .iter()
                .map(|m| m.sheet.map(|s| i64::from(s.number)))
                .collect();
            let versos: Vec<bool> = mentions
                .iter()
                .map(|m| m.sheet.is_some_and(|s| s.verso))
                .collect();
            let kinds: Vec<&str> = mentions.iter().map(|m| m.kind.as_str()).collect();
            let texts: Vec<&str> = mentions.iter().map(|m| m.text.as_str()).collect();
            let lemmas: Vec<&str> = mentions.iter().map(|m| m.lemma.as_str()).collect();
            let starts: Vec<i64> = mentions.iter().map(|m| i64::from(m.start)).collect();
            let ends: Vec<i64> = mentions.iter().map(|m| i64::from(m.end)).collect();
            let codes: Vec<Option<&str>> = mentions.iter().map(|m| m.code.as_deref()).collect();
            let contexts: Vec<&str> = mentions.iter().map(|m| m.context.as_str()).collect();
            let r_pages: Vec<i64> = relations.iter().map(|r| i64::from(r.page)).collect();
            let r_kinds: Vec<&str> = relations.iter().map(|r| r.kind.as_str()).collect();
            let r_from: Vec<i64> = relation_ends.iter().map(|(f, _)| ids[*f as usize]).collect();
            let r_to: Vec<i64> = relation_ends.iter().map(|(_, t)| ids[*t as usize]).collect();
            let r_starts: Vec<i64> = relations.iter().map(|r| i64::from(r.start)).collect();
            let r_ends: Vec<i64> = relations.iter().map(|r| i64::from(r.end)).collect();
            // The relations' references to the mentions are checked at the statement's end.
            conn.exec(
                "WITH m AS (
                   INSERT INTO mentions(id, doc, page, sheet, verso, kind, text, lemma, start, \"end\", code, context)
                   SELECT id, $1, page, sheet, verso, kind, text, lemma, start, stop, code, context
                   FROM UNNEST($2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BOOLEAN[], $6::TEXT[], $7::TEXT[],
                     $8::TEXT[], $9::BIGINT[], $10::BIGINT[], $11::TEXT[], $12::TEXT[])
                     AS n(id, page, sheet, verso, kind, text, lemma, start, stop, code, context))
                 INSERT INTO relations(doc, page, kind, from_mention, to_mention, start, \"end\")
                 SELECT $1, * FROM UNNEST($13::BIGINT[], $14::TEXT[], $15::BIGINT[], $16::BIGINT[],
                   $17::BIGINT[], $18::BIGINT[])",
                &[
                    &doc.0, &ids, &pages, &sheets, &versos, &kinds, &texts, &lemmas, &starts,
                    &ends, &codes, &contexts, &r_pages, &r_kinds, &r_from, &r_to, &r_starts,
                    &r_ends,
                ],
            )?;
            insert_ledger(conn, record)
        })
    }

    fn mentions(
        &self,
        docs: &[DocId],
        kind: Option<MentionKind>,
    ) -> Result<Vec<MentionRecord>, StoreError> {
        let all = docs.is_empty();
        let docs: Vec<i64> = docs.iter().map(|d| d.0).collect();
        self.read()
            .rows(
                "SELECT id, doc, page, sheet, verso, kind, text, lemma, start, \"end\", code, context FROM mentions
                 WHERE ($1 OR doc = ANY($2)) AND ($3::TEXT IS NULL OR kind = $3) ORDER BY doc, page, start, id",
                &[&all, &docs, &kind.map(MentionKind::as_str)],
            )?
            .iter()
            .map(|r| {
                let sheet = get_opt_u32(r, 3)?;
                let verso: bool = get(r, 4)?;
                Ok(MentionRecord {
                    id: get(r, 0)?,
                    doc: DocId(get(r, 1)?),
                    page: get_u32(r, 2)?,
                    sheet: sheet.map(|number| Sheet { number, verso }),
                    kind: kind_column(r, 5)?,
                    text: get(r, 6)?,
                    lemma: get(r, 7)?,
                    start: get_u32(r, 8)?,
                    end: get_u32(r, 9)?,
                    code: get(r, 10)?,
                    context: get(r, 11)?,
                })
            })
            .collect()
    }

    fn relations(&self, docs: &[DocId]) -> Result<Vec<RelationRecord>, StoreError> {
        let all = docs.is_empty();
        let docs: Vec<i64> = docs.iter().map(|d| d.0).collect();
        self.read()
            .rows(
                "SELECT doc, page, kind, from_mention, to_mention, start, \"end\" FROM relations
                 WHERE ($1 OR doc = ANY($2)) ORDER BY doc, page, start, id",
                &[&all, &docs],
            )?
            .iter()
            .map(|r| {
                Ok(RelationRecord {
                    doc: DocId(get(r, 0)?),
                    page: get_u32(r, 1)?,
                    kind: kind_column(r, 2)?,
                    from: get(r, 3)?,
                    to: get(r, 4)?,
                    start: get_u32(r, 5)?,
                    end: get_u32(r, 6)?,
                })
            })
            .collect()
    }
}
