//! Extraction as a pipeline stage: the mentions and relations of every document's text,
//! found in parallel, kept per document with a ledger record, redone when the text or the
//! extractor changes.

use kartoteka_model::{
    DocId, Document, MentionRecord, Page, Reference, RelationRecord, Stage, StageOutcome,
    StageRecord,
};
use kartoteka_model::{MentionKind, RelationKind};
use serde::Serialize;

use crate::archive::{now, parallel_map};
use crate::{Archive, ArchiveError, Progress};

/// The extractor's version: raise it when extraction changes, and `kartoteka extract`
/// redoes every document.
pub const MENTIONS_VERSION: u32 = 5;

/// Characters of text kept on each side of a mention.
const CONTEXT: usize = 40;

/// What an extraction run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExtractReport {
    /// Documents read.
    pub documents: u64,
    /// Documents already up to date.
    pub up_to_date: u64,
    /// Mentions kept.
    pub mentions: u64,
    /// Relations kept.
    pub relations: u64,
    /// Mentions by kind.
    pub by_kind: Vec<(String, u64)>,
    /// Seconds taken.
    pub seconds: f64,
}

/// A mention as listed: where it is, what it is.
#[derive(Clone, Debug, Serialize)]
pub struct MentionView {
    /// The mention.
    #[serde(flatten)]
    pub mention: MentionRecord,
    /// The document's reference code.
    pub reference: Option<String>,
}

/// A relation as listed, with both ends.
#[derive(Clone, Debug, Serialize)]
pub struct RelationView {
    /// What it says.
    pub kind: RelationKind,
    /// The first mention's lemma.
    pub from: String,
    /// The second's.
    pub to: String,
    /// The document.
    pub doc: DocId,
    /// The page.
    pub page: u32,
    /// The sentence that states it.
    pub evidence: String,
}

/// A document's mentions and relations from its pages.
fn extract_document(pages: &[Page], doc: DocId) -> (Vec<MentionRecord>, Vec<RelationRecord>) {
    let mut mentions = Vec::new();
    let mut relations = Vec::new();
    for page in pages {
        let found = kartoteka_extract::extract(&page.text);
        let chars: Vec<char> = page.text.chars().collect();
        let base = mentions.len() as i64;
        for m in &found.mentions {
            let (from, to) = context_span(&chars, m.start, m.end);
            mentions.push(MentionRecord {
                id: 0,
                doc,
                page: page.number,
                sheet: page.sheet,
                kind: m.kind,
                text: m.text.clone(),
                lemma: m.lemma.clone(),
                start: m.start as u32,
                end: m.end as u32,
                code: m.code.clone(),
                context: chars[from..to]
                    .iter()
                    .collect::<String>()
                    .replace('\n', " "),
            });
        }
        for r in &found.relations {
            relations.push(RelationRecord {
                doc,
                page: page.number,
                kind: r.kind,
                from: base + r.from as i64,
                to: base + r.to as i64,
                start: r.start as u32,
                end: r.end as u32,
            });
        }
    }
    (mentions, relations)
}

impl Archive {
    /// Finds the mentions of every document (inside `scope`, when given) whose text or
    /// extractor changed since it was last done.
    pub fn extract_mentions(
        &self,
        scope: Option<&Reference>,
        progress: &dyn Progress,
    ) -> Result<ExtractReport, ArchiveError> {
        let started = std::time::Instant::now();
        let mut report = ExtractReport::default();
        let pending = self
            .store()
            .documents_needing(Stage::Mentions, MENTIONS_VERSION)?;
        let in_scope: Option<std::collections::HashSet<DocId>> = match scope {
            Some(unit) => Some(
                self.store()
                    .documents_within(unit)?
                    .into_iter()
                    .map(|d| d.id)
                    .collect(),
            ),
            None => None,
        };
        let todo: Vec<DocId> = pending
            .into_iter()
            .filter(|d| in_scope.as_ref().is_none_or(|s| s.contains(d)))
            .collect();
        let total = in_scope.as_ref().map(|s| s.len()).unwrap_or_else(|| {
            self.store()
                .summary()
                .map(|s| s.documents as usize)
                .unwrap_or(0)
        });
        report.up_to_date = total.saturating_sub(todo.len()) as u64;
        progress.begin(todo.len() as u64);
        let mut kinds: std::collections::BTreeMap<String, u64> = Default::default();
        for chunk in todo.chunks(256) {
            let loaded: Vec<(Document, Vec<Page>)> = self.store().documents_with_pages(chunk)?;
            let extracted = parallel_map(self.jobs(), &loaded, |(d, pages)| {
                extract_document(pages, d.id)
            });
            for ((doc, pages), (mentions, relations)) in loaded.iter().zip(extracted) {
                let record = StageRecord {
                    doc: doc.id,
                    stage: Stage::Mentions,
                    input_hash: doc.content.to_hex(),
                    version: MENTIONS_VERSION,
                    at: now(),
                    outcome: StageOutcome::Done,
                };
                self.store()
                    .replace_mentions(doc.id, &mentions, &relations, &record)?;
                report.documents += 1;
                report.mentions += mentions.len() as u64;
                report.relations += relations.len() as u64;
                for m in &mentions {
                    *kinds.entry(m.kind.to_string()).or_default() += 1;
                }
                progress.advance(1, pages.iter().map(|p| p.text.len() as u64).sum());
            }
        }
        progress.finish();
        report.by_kind = kinds.into_iter().collect();
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// What extraction found in one document, in page and position order, without the
    /// relations (a reader marking a page needs no more).
    pub fn document_mentions(&self, doc: DocId) -> Result<Vec<MentionRecord>, ArchiveError> {
        Ok(self.store().mentions(&[doc], None)?)
    }

    /// The mentions (of one kind, or all) in a document or unit, or in the whole archive,
    /// and the relations among them.
    pub fn mentions(
        &self,
        target: Option<&str>,
        kind: Option<MentionKind>,
    ) -> Result<(Vec<MentionView>, Vec<RelationView>), ArchiveError> {
        let store = self.store();
        let docs: Vec<Document> = match target {
            None => Vec::new(),
            Some(t) => {
                if let Ok(n) = t.trim().parse::<i64>() {
                    vec![store
                        .document(DocId(n))?
                        .ok_or_else(|| ArchiveError::NotFound(format!("document {n}")))?]
                } else {
                    let r = Reference::parse(t).map_err(|e| ArchiveError::not_a_target(t, &e))?;
                    let docs = store.documents_within(&r)?;
                    if docs.is_empty() {
                        return Err(ArchiveError::NotFound(r.to_string()));
                    }
                    docs
                }
            }
        };
        let ids: Vec<DocId> = docs.iter().map(|d| d.id).collect();
        let references: std::collections::HashMap<DocId, Option<String>> = if target.is_some() {
            docs.iter()
                .map(|d| (d.id, d.reference.as_ref().map(|r| r.to_string())))
                .collect()
        } else {
            Default::default()
        };
        let mentions = store.mentions(&ids, kind)?;
        let by_id: std::collections::HashMap<i64, &MentionRecord> =
            mentions.iter().map(|m| (m.id, m)).collect();
        let all_for_relations = if kind.is_some() {
            store.mentions(&ids, None)?
        } else {
            Vec::new()
        };
        let lemma_of = |id: i64| -> String {
            by_id
                .get(&id)
                .map(|m| m.lemma.clone())
                .or_else(|| {
                    all_for_relations
                        .iter()
                        .find(|m| m.id == id)
                        .map(|m| m.lemma.clone())
                })
                .unwrap_or_default()
        };
        let mut relations = Vec::new();
        for r in store.relations(&ids)? {
            let pages = store.page(r.doc, r.page)?;
            let evidence = pages
                .map(|p| {
                    p.text
                        .chars()
                        .skip(r.start as usize)
                        .take((r.end - r.start) as usize)
                        .collect::<String>()
                        .replace('\n', " ")
                })
                .unwrap_or_default();
            relations.push(RelationView {
                kind: r.kind,
                from: lemma_of(r.from),
                to: lemma_of(r.to),
                doc: r.doc,
                page: r.page,
                evidence,
            });
        }
        let mut views = Vec::with_capacity(mentions.len());
        for m in mentions {
            let reference = match references.get(&m.doc) {
                Some(r) => r.clone(),
                None => store
                    .document(m.doc)?
                    .and_then(|d| d.reference)
                    .map(|r| r.to_string()),
            };
            views.push(MentionView {
                mention: m,
                reference,
            });
        }
        Ok((views, relations))
    }
}

/// The text around a mention, CONTEXT characters each side, widened or narrowed to whole
/// words so that a reader never sees "…ботником Кузьминым" or "Arnold Kouz…".
fn context_span(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let mut from = start.saturating_sub(CONTEXT).min(start);
    let mut to = (end + CONTEXT).min(chars.len()).max(end);
    // Back to the start of the word cut, within a few letters, or on past it.
    if from > 0 && chars[from - 1].is_alphanumeric() {
        let word_start = (0..from)
            .rev()
            .take(12)
            .find(|&i| !chars[i].is_alphanumeric())
            .map(|i| i + 1);
        from = match word_start {
            Some(i) => i,
            None => (from..start)
                .find(|&i| !chars[i].is_alphanumeric())
                .map_or(start, |i| i + 1),
        };
    }
    if to < chars.len() && to > 0 && chars[to - 1].is_alphanumeric() {
        let word_end = (to..chars.len())
            .take(12)
            .find(|&i| !chars[i].is_alphanumeric());
        to = match word_end {
            Some(i) => i,
            None => (end..to)
                .rev()
                .find(|&i| !chars[i].is_alphanumeric())
                .unwrap_or(end),
        };
    }
    (from.min(start), to.max(end))
}

#[cfg(test)]
mod context_tests {
    use super::*;

    #[test]
    fn context_keeps_whole_words() {
        let text: Vec<char> = "оперативным работником Кузьминым А. П., завербована Соколова Вера Андреевна. Источнику присвоен псевдоним «ХОЛА». Вскоре"
            .chars()
            .collect();
        let s: String = "Соколова Вера Андреевна".into();
        let whole: String = text.iter().collect();
        let start = whole.chars().count() - whole[whole.find(&s).unwrap_or(0)..].chars().count();
        let end = start + s.chars().count();
        let (from, to) = context_span(&text, start, end);
        let around: String = text[from..to].iter().collect();
        assert!(around.contains(&s), "{around}");
        let first = around.split_whitespace().next().unwrap_or("");
        let last = around.split_whitespace().last().unwrap_or("");
        assert!(whole.split_whitespace().any(|w| w == first), "{around}");
        assert!(whole.split_whitespace().any(|w| w == last), "{around}");
    }
}
