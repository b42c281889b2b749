//! Mentions and relations in SQLite, replaced document by document.

use kartoteka_model::{DocId, MentionKind, MentionRecord, RelationRecord, StageRecord};
use rusqlite::{params, Connection};

use super::ledger::outcome_columns;
use super::{db, SqliteStore};
use crate::metadata::StoreError;
use crate::prelude::MentionStore;

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
                    m.kind.as_str(),
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
        rel.execute(params![
            doc.0,
            r.page,
            r.kind.as_str(),
            from,
            to,
            r.start,
            r.end
        ])
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

/// A kind column read as its type: a name no kind has is a corrupt row, not a kind.
fn kind_column<K>(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<K>
where
    K: std::str::FromStr<Err = kartoteka_model::UnknownKind>,
{
    let name: String = row.get(index)?;
    name.parse().map_err(|e: kartoteka_model::UnknownKind| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(super) fn mentions(
    conn: &Connection,
    docs: &[kartoteka_model::DocId],
    kind: Option<MentionKind>,
) -> Result<Vec<kartoteka_model::MentionRecord>, StoreError> {
    let sql = format!(
        "SELECT id, doc, page, sheet, verso, kind, text, lemma, start, end, code, context FROM mentions
         WHERE {} AND (?1 IS NULL OR kind = ?1) ORDER BY doc, page, start, id",
        in_docs("doc", docs)
    );
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map([kind.map(MentionKind::as_str)], |r| {
            let sheet: Option<u32> = r.get(3)?;
            let verso: bool = r.get(4)?;
            Ok(kartoteka_model::MentionRecord {
                id: r.get(0)?,
                doc: kartoteka_model::DocId(r.get(1)?),
                page: r.get(2)?,
                sheet: sheet.map(|number| kartoteka_model::Sheet { number, verso }),
                kind: kind_column(r, 5)?,
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
        "SELECT doc, page, kind, from_mention, to_mention, start, end FROM relations WHERE {} ORDER BY doc, page, start, id",
        in_docs("doc", docs)
    );
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(kartoteka_model::RelationRecord {
                doc: kartoteka_model::DocId(r.get(0)?),
                page: r.get(1)?,
                kind: kind_column(r, 2)?,
                from: r.get(3)?,
                to: r.get(4)?,
                start: r.get(5)?,
                end: r.get(6)?,
            })
        })
        .map_err(db)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db)
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
        replace_mentions(&tx, doc, mentions, relations)?;
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
        kind: Option<MentionKind>,
    ) -> Result<Vec<MentionRecord>, StoreError> {
        mentions(&self.conn, docs, kind)
    }

    fn relations(&self, docs: &[DocId]) -> Result<Vec<RelationRecord>, StoreError> {
        relations(&self.conn, docs)
    }
}
