//! Full-text search over an archive's pages, Russian- and transliteration-aware.
//!
//! # Brief overview
//!
//! A [`SearchIndex`] is a tantivy index with one entry per page ([`PageEntry`]). Each page
//! is indexed twice, once per [`Form`] of its words: folded, and by transliteration key
//! ([`AnalyzedPage`] computes both in one pass). A [`Query`] in the researcher's language
//! is parsed, then each word asks for its own folded form, the other forms of the index
//! that share its lemma, and its transliteration keys, the closer weighted higher, so that
//! a search for "Хрущёвым" finds "Хрущёв", "Хрущеве" and "Khrushchev", with the exact
//! spelling ranked first. Exact mode checks folded
//! candidates word for word against the page text ([`PageText`]). [`snippet_at`] marks
//! the words the index matched; [`snippet`] re-matches them from the text.
//!
//! ```
//! use kartoteka_index::{PageEntry, Query, SearchIndex, SearchOptions};
//! use kartoteka_model::{DocId, Format};
//! let index = SearchIndex::in_memory().unwrap();
//! let mut writer = index.writer().unwrap();
//! let page = PageEntry { doc: DocId(1), page: 1, sheet: None, text: "Письмо Хрущёву", reference: None,
//!     language: None, format: Format::Text, dates: None, analyzed: None };
//! writer.add_document(vec![page]).unwrap();
//! writer.commit().unwrap();
//! index.refresh().unwrap();
//! let no_text = |_: DocId, _: u32| -> Option<String> { None };
//! let found = index.search(&Query::parse("Khrushchev").unwrap(), &SearchOptions::default(), &no_text).unwrap();
//! assert_eq!(found.hits[0].doc, DocId(1));
//! ```
//!
//! The index is derived data: it can always be rebuilt from the store.

mod analyzer;
mod query;
mod snippet;
mod stored;
mod watched;

use std::ops::Bound;
use std::path::Path;

use kartoteka_model::{DateRange, DocId, Format, Reference, Sheet};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query as TantivyQuery, RangeQuery,
    TermQuery,
};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, Value, STRING,
};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use analyzer::{AnalyzedPage, Form, PreAnalyzedTokenizer, WordMarks, MARK_EVERY};
pub use query::{
    Query, QueryError, MAX_DEPTH, MAX_HITS, MAX_PHRASE_WORDS, MAX_QUERY_CHARS, MAX_WORDS,
};
pub use snippet::{snippet, snippet_at, snippet_marked, snippet_marked_bytes, Snippet};
pub use watched::WriteFailure;

use watched::{FailureSlot, WatchedDirectory};

/// Errors of the search index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Another process holds the index writer.
    #[error("the search index is locked: another kartoteka process is writing to this archive")]
    Locked,
    /// The index files are unreadable or tantivy failed.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Writing the index failed: the disk is full, or another I/O error, with the cause
    /// tantivy's worker threads keep to themselves.
    #[error("{}", write_failure_text(.path, .failure))]
    Write {
        /// The index folder.
        path: String,
        /// The first write error met.
        failure: WriteFailure,
    },
    /// The index directory could not be opened.
    #[error("search index directory {path}: {message}")]
    Directory {
        /// The directory.
        path: String,
        /// What went wrong.
        message: String,
    },
}

fn write_failure_text(path: &str, failure: &WriteFailure) -> String {
    if failure.is_disk_full() {
        format!(
            "the disk holding the search index ({path}) is full: {}; what the archive stored is kept, and the index can be rebuilt from it once there is room",
            failure.message
        )
    } else {
        format!(
            "writing the search index ({path}) failed: {}",
            failure.message
        )
    }
}

/// One page as the index takes it.
#[derive(Clone, Debug)]
pub struct PageEntry<'a> {
    /// The document.
    pub doc: DocId,
    /// Page number within the document (1-based).
    pub page: u32,
    /// The archival sheet, when known.
    pub sheet: Option<Sheet>,
    /// The page's text.
    pub text: &'a str,
    /// The document's place in the hierarchy.
    pub reference: Option<&'a Reference>,
    /// Language code ("ru", "en", ...).
    pub language: Option<&'a str>,
    /// Format of the original.
    pub format: Format,
    /// Dates of the document.
    pub dates: Option<DateRange>,
    /// The text already analysed (by an ingest worker); analysed here when absent.
    pub analyzed: Option<AnalyzedPage>,
}

/// Where exact mode reads a candidate page's text to check it word for word.
///
/// The index keeps folded forms only; exact mode finds candidates through them (every
/// exact match is a folded match) and keeps those whose text matches as written.
pub trait PageText {
    /// The text of a page, if there is such a page.
    fn page_text(&self, doc: DocId, page: u32) -> Option<String>;
}

impl<F: Fn(DocId, u32) -> Option<String>> PageText for F {
    fn page_text(&self, doc: DocId, page: u32) -> Option<String> {
        self(doc, page)
    }
}

/// How many dictionary terms a query word's expansion to its other forms reads at most.
const MAX_FORMS_SCANNED: usize = 5_000;

/// How many combinations of forms an inflected phrase tries at most.
const MAX_PHRASE_FORMS: usize = 64;

/// How many folded candidates exact mode checks at most.
pub const EXACT_CANDIDATES: usize = 10_000;

/// Limits and filters of a search.
#[derive(Clone, Debug, Default)]
pub struct SearchOptions {
    /// At most this many hits (0 means 10).
    pub limit: usize,
    /// Only pages inside this unit.
    pub within: Option<Reference>,
    /// Only documents in this language.
    pub language: Option<String>,
    /// Only documents of this format.
    pub format: Option<Format>,
    /// Only documents whose dates overlap this period.
    pub dates: Option<DateRange>,
    /// Exact mode: match words as written, no folding, lemmas or transliteration.
    pub exact: bool,
}

/// One matching page.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The document.
    pub doc: DocId,
    /// The page.
    pub page: u32,
    /// The archival sheet of the page, when known.
    pub sheet: Option<Sheet>,
    /// Relevance score (higher is better).
    pub score: f32,
    /// Where tantivy keeps the page, for [`SearchIndex::matched_positions`].
    pub address: tantivy::DocAddress,
}

/// A page as the index keeps it for its snippet (see [`SearchIndex::page_source`]).
pub struct PageSource(Source);

enum Source {
    /// The bytes of the store, with the marks and the text found in them.
    Raw {
        bytes: tantivy::directory::OwnedBytes,
        located: stored::Located,
    },
    /// Decoded by tantivy, when the bytes were not of the shape expected.
    Decoded {
        stored: Box<TantivyDocument>,
        fields: Fields,
    },
}

impl PageSource {
    /// The page's text as it was analysed, as the index keeps it: UTF-8 bytes, checked
    /// only where they are read.
    fn bytes(&self) -> Option<&[u8]> {
        match &self.0 {
            Source::Raw { bytes, located } => located.text.clone().map(|r| &bytes[r]),
            Source::Decoded { stored, fields } => {
                stored.get_first(fields.text).and_then(|v| v.as_bytes())
            }
        }
    }

    /// The page's text as it was analysed; `None` for an index that kept no text (or kept
    /// bytes that are not UTF-8).
    pub fn text(&self) -> Option<&str> {
        self.bytes().and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The snippet with the words at `positions` marked (see [`snippet_marked`]), reading
    /// only the stretches of the page it needs; `None` for an index that kept no text.
    pub fn snippet(&self, positions: &[u32]) -> Option<Snippet> {
        snippet_marked_bytes(self.bytes()?, positions, &self.marks())
    }

    /// Where every 16th word of the text starts (empty when the index kept none).
    pub fn marks(&self) -> WordMarks {
        let bytes = match &self.0 {
            Source::Raw { bytes, located } => located.marks.clone().map(|r| &bytes[r]),
            Source::Decoded { stored, fields } => {
                stored.get_first(fields.marks).and_then(|v| v.as_bytes())
            }
        };
        bytes.and_then(WordMarks::decode).unwrap_or_default()
    }
}

/// The index terms a query matches, for finding its words in each hit's page.
#[derive(Clone, Debug)]
pub struct MatchTerms(Vec<Term>);

/// The hits of a search and how many pages matched in all.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    /// Pages matching, in all.
    pub total: usize,
    /// The best `limit` of them, best first.
    pub hits: Vec<Hit>,
}

#[derive(Clone, Copy)]
struct Fields {
    doc: Field,
    page: Field,
    sheet: Field,
    verso: Field,
    folded: Field,
    translit: Field,
    unit: Field,
    language: Field,
    format: Field,
    date_from: Field,
    date_to: Field,
    marks: Field,
    text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let num = NumericOptions::default()
        .set_indexed()
        .set_stored()
        .set_fast();
    let text = |positions: bool| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer::PRE_ANALYZED)
                .set_index_option(if positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                }),
        )
    };
    let fields = Fields {
        doc: b.add_u64_field("doc", num.clone()),
        page: b.add_u64_field("page", NumericOptions::default().set_stored().set_fast()),
        sheet: b.add_u64_field("sheet", num.clone()),
        verso: b.add_u64_field("verso", NumericOptions::default().set_stored().set_fast()),
        folded: b.add_text_field("folded", text(true)),
        // Positions here too, so that snippets can mark the romanised names that matched.
        translit: b.add_text_field("translit", text(true)),
        unit: b.add_facet_field("unit", FacetOptions::default()),
        language: b.add_text_field("language", STRING),
        format: b.add_text_field("format", STRING),
        date_from: b.add_u64_field(
            "date_from",
            NumericOptions::default().set_indexed().set_fast(),
        ),
        date_to: b.add_u64_field(
            "date_to",
            NumericOptions::default().set_indexed().set_fast(),
        ),
        // Where every 16th word of the page starts, for snippets (see WordMarks).
        marks: b.add_bytes_field(
            "marks",
            tantivy::schema::BytesOptions::default().set_stored(),
        ),
        // The page's text as it was analysed, kept for snippets: read from the index's
        // compressed store instead of the archive's database, and always the text the
        // positions and marks were counted in.
        // Bytes, not a text field: a stored text is checked as UTF-8 whole each time it is
        // read, and on long pages that cost more than the rest of a search; the snippet
        // checks only the stretches it reads.
        text: b.add_bytes_field(
            "text",
            tantivy::schema::BytesOptions::default().set_stored(),
        ),
    };
    (b.build(), fields)
}

fn register_tokenizers(index: &Index) {
    index
        .tokenizers()
        .register(analyzer::PRE_ANALYZED, PreAnalyzedTokenizer::default());
}

/// The search index of an archive.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The folder, for errors ("in memory" for a throwaway index).
    location: String,
    /// The first error met writing the index's files.
    failure: FailureSlot,
    /// The segments' stores, for reading hits' pages.
    stores: stored::StoreReaders,
}

/// Adds and removes pages; changes become visible to searches at [`IndexWriterHandle::commit`].
pub struct IndexWriterHandle {
    writer: IndexWriter,
    fields: Fields,
    location: String,
    failure: FailureSlot,
}

/// Memory the index writer may use before it flushes a segment: bounded, whatever the
/// size of the ingest.
const WRITER_MEMORY: usize = 192 * 1024 * 1024;

impl SearchIndex {
    /// Opens the index in `dir`, creating it when the directory is empty.
    pub fn open(dir: &Path) -> Result<SearchIndex, IndexError> {
        Ok(Self::open_or_rebuild(dir)?.0)
    }

    /// Opens the index in `dir`; when the folder holds no index, or one written by another
    /// version with another schema, starts an empty one there and says so (`true`), so that
    /// the caller refills it from the store: the index is derived data and never worth an
    /// error a user cannot fix.
    pub fn open_or_rebuild(dir: &Path) -> Result<(SearchIndex, bool), IndexError> {
        let io = |e: &dyn std::fmt::Display| IndexError::Directory {
            path: dir.display().to_string(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| io(&e))?;
        let location = dir.display().to_string();
        let watched = |failure: &FailureSlot| -> Result<WatchedDirectory, IndexError> {
            let mmap = tantivy::directory::MmapDirectory::open(dir).map_err(|e| io(&e))?;
            Ok(WatchedDirectory::new(Box::new(mmap), failure.clone()))
        };
        let failure = FailureSlot::default();
        match Self::open_in(Box::new(watched(&failure)?), location.clone(), failure) {
            Err(IndexError::Tantivy(tantivy::TantivyError::SchemaError(_))) => {
                // Written by another version: clear the folder and start again.
                std::fs::remove_dir_all(dir).map_err(|e| io(&e))?;
                std::fs::create_dir_all(dir).map_err(|e| io(&e))?;
                let failure = FailureSlot::default();
                let (index, _) = Self::open_in(Box::new(watched(&failure)?), location, failure)?;
                Ok((index, true))
            }
            other => other,
        }
    }

    /// Opens or creates the index in a tantivy directory; says whether it was created.
    fn open_in(
        directory: Box<dyn tantivy::Directory>,
        location: String,
        failure: FailureSlot,
    ) -> Result<(SearchIndex, bool), IndexError> {
        let (schema, fields) = schema();
        let existed = Index::exists(&*directory).unwrap_or(false);
        let index = Index::open_or_create(directory, schema)?;
        Ok((
            Self::with_index(index, fields, location, failure)?,
            !existed,
        ))
    }

    /// A throwaway index in memory.
    pub fn in_memory() -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema();
        Self::with_index(
            Index::create_in_ram(schema),
            fields,
            "in memory".to_string(),
            FailureSlot::default(),
        )
    }

    fn with_index(
        index: Index,
        fields: Fields,
        location: String,
        failure: FailureSlot,
    ) -> Result<SearchIndex, IndexError> {
        register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            location,
            failure,
            stores: stored::StoreReaders::default(),
        })
    }

    /// Takes the index's single writer lock, indexing on up to four threads (one per core).
    pub fn writer(&self) -> Result<IndexWriterHandle, IndexError> {
        self.writer_with_threads(0)
    }

    /// Takes the index's single writer lock, indexing on `threads` threads (0: one per
    /// core), at most four.
    pub fn writer_with_threads(&self, threads: usize) -> Result<IndexWriterHandle, IndexError> {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
        .min(4);
        match self
            .index
            .writer_with_num_threads(threads, WRITER_MEMORY.max(threads * 16 * 1024 * 1024))
        {
            Ok(writer) => {
                // Bulk ingest does not merge as it goes; `finish` merges once if needed.
                writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
                Ok(IndexWriterHandle {
                    writer,
                    fields: self.fields,
                    location: self.location.clone(),
                    failure: self.failure.clone(),
                })
            }
            Err(tantivy::TantivyError::LockFailure(..)) => Err(IndexError::Locked),
            Err(e) => Err(e.into()),
        }
    }

    /// Makes the latest commit visible to searches.
    pub fn refresh(&self) -> Result<(), IndexError> {
        self.reader.reload()?;
        Ok(())
    }

    /// Whether the index holds any page of `doc`.
    pub fn holds_document(&self, doc: DocId) -> Result<bool, IndexError> {
        let term = Term::from_field_u64(self.fields.doc, doc.0 as u64);
        Ok(self.reader.searcher().doc_freq(&term)? > 0)
    }

    /// Number of pages in the index.
    pub fn page_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a parsed query. `pages` gives exact mode the text to check candidates against.
    pub fn search(
        &self,
        query: &Query,
        options: &SearchOptions,
        pages: &dyn PageText,
    ) -> Result<SearchResults, IndexError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> =
            vec![(Occur::Must, self.compile(&searcher, query, options.exact))];
        if let Some(unit) = &options.within {
            let facet = Facet::from_path(unit.unit_path());
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_facet(f.unit, &facet),
                    IndexRecordOption::Basic,
                )),
            ));
            if let Some(sheets) = &unit.sheets {
                let last = sheets.last.unwrap_or(sheets.first).number as u64;
                clauses.push((
                    Occur::Must,
                    Box::new(RangeQuery::new(
                        Bound::Included(Term::from_field_u64(f.sheet, sheets.first.number as u64)),
                        Bound::Included(Term::from_field_u64(f.sheet, last)),
                    )),
                ));
            }
        }
        if let Some(lang) = &options.language {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.language, lang),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(format) = options.format {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.format, format.as_str()),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(dates) = options.dates {
            // Overlap: the document starts before the period ends and ends after it starts.
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Unbounded,
                    Bound::Included(Term::from_field_u64(f.date_from, dates.to as u64)),
                )),
            ));
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_u64(f.date_to, dates.from as u64)),
                    Bound::Unbounded,
                )),
            ));
        }
        let compiled = BooleanQuery::new(clauses);
        // The caller refuses a larger limit with a message; here it only bounds memory.
        let limit = if options.limit == 0 {
            10
        } else {
            options.limit.min(MAX_HITS)
        };
        if options.exact {
            let top = searcher.search(
                &compiled,
                &TopDocs::with_limit(EXACT_CANDIDATES).order_by_score(),
            )?;
            let mut total = 0;
            let mut hits = Vec::new();
            for (score, address) in top {
                let hit = self.hit(&searcher, score, address)?;
                // The index's own copy of the page when it kept one, else the store's.
                let source = self.page_source(&hit)?;
                let exact = match source.text() {
                    Some(text) => query.matches_exact(text),
                    None => pages
                        .page_text(hit.doc, hit.page)
                        .is_some_and(|text| query.matches_exact(&text)),
                };
                if exact {
                    total += 1;
                    if hits.len() < limit {
                        hits.push(hit);
                    }
                }
            }
            in_reading_order(&mut hits);
            return Ok(SearchResults { total, hits });
        }
        let (top, total) = searcher.search(
            &compiled,
            &(TopDocs::with_limit(limit).order_by_score(), Count),
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            hits.push(self.hit(&searcher, score, address)?);
        }
        in_reading_order(&mut hits);
        Ok(SearchResults { total, hits })
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        score: f32,
        address: tantivy::DocAddress,
    ) -> Result<Hit, IndexError> {
        // From the columns, not the stored document, which holds the page's whole text.
        let fast = searcher.segment_reader(address.segment_ord).fast_fields();
        let get = |name: &str| -> Result<Option<u64>, IndexError> {
            Ok(fast.u64(name)?.first(address.doc_id))
        };
        let sheet = get("sheet")?.filter(|n| *n > 0).map(|n| Sheet {
            number: n as u32,
            verso: get("verso").ok().flatten() == Some(1),
        });
        Ok(Hit {
            doc: DocId(get("doc")?.unwrap_or(0) as i64),
            page: get("page")?.unwrap_or(0) as u32,
            sheet,
            score,
            address,
        })
    }

    /// A hit's page as the index analysed it: its text and where every 16th word of it
    /// starts ([`WordMarks`]), for its snippet.
    pub fn page_source(&self, hit: &Hit) -> Result<PageSource, IndexError> {
        self.source_at(hit.address)
    }

    /// The stored page at `address`: its bytes as the store keeps them, else decoded.
    fn source_at(&self, address: tantivy::DocAddress) -> Result<PageSource, IndexError> {
        let searcher = self.reader.searcher();
        let readers = self
            .stores
            .for_searcher(&searcher)
            .map_err(|e| IndexError::Tantivy(e.into()))?;
        if let Some(reader) = readers.get(address.segment_ord as usize) {
            let bytes = reader.get_document_bytes(address.doc_id)?;
            if let Some(located) = stored::locate(&bytes, self.fields.marks, self.fields.text) {
                return Ok(PageSource(Source::Raw { bytes, located }));
            }
        }
        self.decoded_at(&searcher, address)
    }

    /// The stored page at `address`, decoded by tantivy.
    fn decoded_at(
        &self,
        searcher: &tantivy::Searcher,
        address: tantivy::DocAddress,
    ) -> Result<PageSource, IndexError> {
        Ok(PageSource(Source::Decoded {
            stored: Box::new(searcher.doc(address)?),
            fields: self.fields,
        }))
    }

    /// The word positions in a hit's page where the query's words matched, in any form,
    /// read from the index's postings: what a snippet highlights, found without analysing
    /// the page again.
    pub fn matched_positions(&self, query: &Query, hit: &Hit) -> Result<Vec<u32>, IndexError> {
        self.positions_of(&self.match_terms(query), hit)
    }

    /// The index terms a query's words match in any form: worked out once for a search,
    /// then looked up in each hit's postings by [`SearchIndex::positions_of`].
    pub fn match_terms(&self, query: &Query) -> MatchTerms {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut terms = Vec::new();
        for word in query.positive_words() {
            for t in self.forms_in_index(&searcher, word) {
                terms.push(Term::from_field_text(f.folded, &t));
            }
            for t in Form::Translit.query_terms(word) {
                terms.push(Term::from_field_text(f.translit, &t));
            }
        }
        MatchTerms(terms)
    }

    /// The word positions in a hit's page where these terms occur (see
    /// [`SearchIndex::matched_positions`]).
    pub fn positions_of(&self, terms: &MatchTerms, hit: &Hit) -> Result<Vec<u32>, IndexError> {
        use tantivy::postings::Postings;
        use tantivy::DocSet;
        let searcher = self.reader.searcher();
        let segment = searcher.segment_reader(hit.address.segment_ord);
        let mut positions = Vec::new();
        let mut buffer = Vec::new();
        for term in &terms.0 {
            let inverted = segment.inverted_index(term.field())?;
            let Some(mut postings) = inverted
                .read_postings(term, IndexRecordOption::WithFreqsAndPositions)
                .map_err(|e| IndexError::Tantivy(e.into()))?
            else {
                continue;
            };
            // `seek` only moves forward: a list starting past the page lacks it.
            let target = hit.address.doc_id;
            if postings.doc() <= target && postings.seek(target) == target {
                postings.positions(&mut buffer);
                positions.extend_from_slice(&buffer);
            }
        }
        positions.sort_unstable();
        positions.dedup();
        Ok(positions)
    }

    /// The folded terms of the index that share the lemma of `word`: the word's other
    /// grammatical forms as they occur in the archive ("хрущевым", "хрущеве" for
    /// "Хрущёв"), found by scanning the term dictionary from the prefix the forms share.
    /// Expanding queries this way replaces a lemma field, whose terms cost as much to index
    /// as the folded ones. The word's own folded form comes first.
    fn forms_in_index(&self, searcher: &tantivy::Searcher, word: &str) -> Vec<String> {
        let folded = kartoteka_text::fold(word).into_owned();
        let lemma = kartoteka_text::lemma(&folded).into_owned();
        let mut forms = vec![folded.clone()];
        // The prefix every form with this lemma starts with: the lemma itself for Russian
        // (endings are stripped), the part shared with the word for English stems (happi/happy).
        let shared = folded
            .char_indices()
            .zip(lemma.chars())
            .take_while(|((_, a), b)| a == b)
            .last();
        let Some(((at, c), _)) = shared else {
            return forms;
        };
        let prefix = &folded[..at + c.len_utf8()];
        if prefix.chars().count() < 2 {
            return forms;
        }
        for segment in searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.fields.folded) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().range().ge(prefix.as_bytes()).into_stream()
            else {
                continue;
            };
            let mut scanned = 0;
            while stream.advance() && scanned < MAX_FORMS_SCANNED {
                let key = stream.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                scanned += 1;
                if let Ok(term) = std::str::from_utf8(key) {
                    if term != folded
                        && kartoteka_text::lemma(term) == lemma
                        && !forms.iter().any(|f| f == term)
                    {
                        forms.push(term.to_string());
                    }
                }
            }
        }
        forms
    }

    fn compile(
        &self,
        searcher: &tantivy::Searcher,
        query: &Query,
        exact: bool,
    ) -> Box<dyn TantivyQuery> {
        let f = self.fields;
        let term_query = |field, text: &str, boost: f32| -> (Occur, Box<dyn TantivyQuery>) {
            let q = TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::WithFreqs,
            );
            (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
        };
        match query {
            // Exact mode: candidates only, as every word as written is also a folded word;
            // the caller of `search` checks each candidate's text as written.
            Query::Word(word) if exact => Box::new(BooleanQuery::new(vec![term_query(
                f.folded,
                &kartoteka_text::fold(word),
                1.0,
            )])),
            Query::Word(word) => {
                let forms = self.forms_in_index(searcher, word);
                let mut alternatives = vec![term_query(f.folded, &forms[0], 3.0)];
                alternatives.extend(
                    forms[1..]
                        .iter()
                        .map(|form| term_query(f.folded, form, 2.0)),
                );
                alternatives.extend(
                    Form::Translit
                        .query_terms(word)
                        .iter()
                        .map(|key| term_query(f.translit, key, 1.0)),
                );
                Box::new(BooleanQuery::new(alternatives))
            }
            Query::Phrase(words) => {
                let folded: Vec<String> = words
                    .iter()
                    .map(|w| kartoteka_text::fold(w).into_owned())
                    .collect();
                let phrase = |terms: &[String]| -> Box<dyn TantivyQuery> {
                    Box::new(PhraseQuery::new(
                        terms
                            .iter()
                            .map(|t| Term::from_field_text(f.folded, t))
                            .collect(),
                    ))
                };
                let mut alternatives: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(
                    Occur::Should,
                    Box::new(BoostQuery::new(phrase(&folded), 3.0)),
                )];
                if !exact {
                    // The phrase in other grammatical forms ("Лаврентием Берией" for
                    // "Лаврентий Берия"): every combination of forms found in the index,
                    // up to a bound. Transliteration keys are several per word and stay out.
                    let forms: Vec<Vec<String>> = words
                        .iter()
                        .map(|w| self.forms_in_index(searcher, w))
                        .collect();
                    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
                    for options in &forms {
                        combos = combos
                            .iter()
                            .flat_map(|c| {
                                options
                                    .iter()
                                    .map(move |o| [c.clone(), vec![o.clone()]].concat())
                            })
                            .take(MAX_PHRASE_FORMS)
                            .collect();
                    }
                    for combo in combos.iter().filter(|c| **c != folded) {
                        alternatives
                            .push((Occur::Should, Box::new(BoostQuery::new(phrase(combo), 2.0))));
                    }
                }
                Box::new(BooleanQuery::new(alternatives))
            }
            Query::And(parts) => {
                let clauses = parts
                    .iter()
                    .map(|p| match p {
                        Query::Not(inner) => (Occur::MustNot, self.compile(searcher, inner, exact)),
                        other => (Occur::Must, self.compile(searcher, other, exact)),
                    })
                    .collect();
                Box::new(BooleanQuery::new(clauses))
            }
            Query::Or(parts) => Box::new(BooleanQuery::new(
                parts
                    .iter()
                    .map(|p| (Occur::Should, self.compile(searcher, p, exact)))
                    .collect(),
            )),
            Query::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn TantivyQuery>),
                (Occur::MustNot, self.compile(searcher, inner, exact)),
            ])),
        }
    }
}

impl IndexWriterHandle {
    /// Replaces every page of `doc` with `pages`: re-adding a document never duplicates it.
    pub fn replace_document(
        &mut self,
        doc: DocId,
        pages: Vec<PageEntry<'_>>,
    ) -> Result<(), IndexError> {
        self.writer
            .delete_term(Term::from_field_u64(self.fields.doc, doc.0 as u64));
        self.add_document(pages)
    }

    /// Adds the pages of a document the index has never held. Cheaper than
    /// [`IndexWriterHandle::replace_document`], which must delete first; only for documents
    /// that are new to the archive.
    pub fn add_document(&mut self, pages: Vec<PageEntry<'_>>) -> Result<(), IndexError> {
        let f = self.fields;
        for p in pages {
            let mut d = doc!(
                f.doc => p.doc.0 as u64,
                f.page => p.page as u64,
                f.sheet => p.sheet.map(|s| s.number as u64).unwrap_or(0),
                f.verso => p.sheet.map(|s| s.verso as u64).unwrap_or(0),
                f.format => p.format.as_str(),
            );
            let analyzed = p.analyzed.unwrap_or_else(|| AnalyzedPage::new(p.text));
            d.add_text(f.folded, analyzed.folded);
            d.add_text(f.translit, analyzed.translit);
            d.add_bytes(f.marks, &analyzed.marks);
            d.add_bytes(f.text, p.text.as_bytes());
            if let Some(r) = p.reference {
                d.add_facet(f.unit, Facet::from_path(r.unit_path()));
            }
            if let Some(lang) = p.language {
                d.add_text(f.language, lang);
            }
            if let Some(dates) = p.dates {
                d.add_u64(f.date_from, dates.from as u64);
                d.add_u64(f.date_to, dates.to as u64);
            }
            self.writer.add_document(d).map_err(|e| self.explain(e))?;
        }
        Ok(())
    }

    /// The error to give for a failed write: the I/O error behind it when the directory
    /// saw one (a full disk), else tantivy's own.
    fn explain(&self, e: tantivy::TantivyError) -> IndexError {
        match self.failure.get() {
            Some(failure) => IndexError::Write {
                path: self.location.clone(),
                failure,
            },
            None => e.into(),
        }
    }

    /// Removes a document's pages.
    pub fn delete_document(&mut self, doc: DocId) {
        self.writer
            .delete_term(Term::from_field_u64(self.fields.doc, doc.0 as u64));
    }

    /// Removes everything (before a rebuild).
    pub fn delete_all(&mut self) -> Result<(), IndexError> {
        self.writer
            .delete_all_documents()
            .map_err(|e| self.explain(e))?;
        Ok(())
    }

    /// Makes the changes durable and visible to readers refreshed after this.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.writer.commit().map_err(|e| self.explain(e))?;
        Ok(())
    }

    /// Merges the index down when ingests have left it in many segments, waits for that,
    /// and releases the lock. Merging once at the end costs less than merging as segments
    /// appear, and few segments keep searches fast.
    pub fn finish(self) -> Result<(), IndexError> {
        let (location, failure) = (self.location.clone(), self.failure.clone());
        self.merge_and_wait().map_err(|e| match (e, failure.get()) {
            (IndexError::Tantivy(_), Some(failure)) => IndexError::Write {
                path: location,
                failure,
            },
            (e, _) => e,
        })
    }

    fn merge_and_wait(mut self) -> Result<(), IndexError> {
        let segments = self.writer.index().searchable_segment_ids()?;
        if segments.len() > MAX_SEGMENTS {
            // Merge the smallest segments together, leaving the large ones alone.
            let metas = self.writer.index().searchable_segment_metas()?;
            let mut by_size: Vec<_> = metas.iter().map(|m| (m.num_docs(), m.id())).collect();
            by_size.sort();
            let smallest: Vec<_> = by_size
                .iter()
                .take(by_size.len() - MAX_SEGMENTS / 2)
                .map(|(_, id)| *id)
                .collect();
            let _ = self.writer.merge(&smallest).wait()?;
            self.writer.commit()?;
        }
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// Segments an index may have before `finish` merges the small ones.
const MAX_SEGMENTS: usize = 8;

/// Hits by score, and hits of equal score in the order of the archive (document, then
/// page): where the index happened to put a page (the order of an ingest's threads, which
/// segment it fell in) never decides the order a reader sees.
fn in_reading_order(hits: &mut [Hit]) {
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.doc.cmp(&b.doc))
            .then(a.page.cmp(&b.page))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// The page a snippet reads from the store's bytes is the page tantivy decodes:
        /// the same text and the same marks, whatever the page holds.
        #[test]
        fn pages_read_from_the_store_are_the_pages_tantivy_decodes(
            texts in proptest::collection::vec("[a-zа-яё0-9 .,\n«»’]{0,3000}", 1..6),
            sheeted in proptest::prelude::any::<bool>(),
        ) {
            let index = SearchIndex::in_memory().unwrap();
            let reference: Reference = "ф. 1, оп. 2, д. 3".parse().unwrap();
            let mut writer = index.writer_with_threads(1).unwrap();
            for (i, text) in texts.iter().enumerate() {
                let page = PageEntry {
                    doc: DocId(i as i64 + 1),
                    page: 1,
                    sheet: sheeted.then(|| Sheet::recto(i as u32 + 1)),
                    text,
                    reference: sheeted.then_some(&reference),
                    language: Some("ru"),
                    format: Format::Text,
                    dates: None,
                    analyzed: None,
                };
                writer.replace_document(DocId(i as i64 + 1), vec![page]).unwrap();
            }
            writer.commit().unwrap();
            index.refresh().unwrap();
            let searcher = index.reader.searcher();
            let mut seen = 0;
            for (ord, segment) in searcher.segment_readers().iter().enumerate() {
                for doc in 0..segment.max_doc() {
                    let address = tantivy::DocAddress::new(ord as u32, doc);
                    let raw = index.source_at(address).unwrap();
                    proptest::prop_assert!(matches!(raw.0, Source::Raw { .. }), "read raw");
                    let decoded = index.decoded_at(&searcher, address).unwrap();
                    proptest::prop_assert_eq!(raw.text(), decoded.text());
                    proptest::prop_assert!(raw.text().is_some());
                    proptest::prop_assert_eq!(raw.marks(), decoded.marks());
                    seen += 1;
                }
            }
            proptest::prop_assert_eq!(seen, texts.len());
        }
    }
}
