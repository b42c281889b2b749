//! The metadata store: units of the hierarchy, documents, their pages and the stage ledger.

use kartoteka_model::{ApiToken, EditionRecord, EditorDecision, User, WebSession};
use kartoteka_model::{
    Claim, Consent, ContentHash, CustodyEntry, DateRange, DocId, Document, Finding, FindingStatus,
    Format, IdentityRow, Judgement, MarkingRule, MentionKind, MentionRecord, Note, NoteVersion,
    Package, Page, Partner, PersonRecord, Placement, Receipt, Reference, RelationRecord, Report,
    ReportFate, Routing, Stage, StageOutcome, StageRecord, Transfer, Unit,
};
use kartoteka_model::{JobEnd, JobRecord, NewJob};

use crate::audit::{AuditAct, AuditEntry, AuditFilter};
use serde::Serialize;

/// Errors of a metadata store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed an operation.
    #[error("database: {0}")]
    Database(String),
    /// The database is locked by another writer for longer than we wait.
    #[error("the archive database is busy: another kartoteka process is writing to it")]
    Busy,
    /// A row holds something this version cannot read (a newer schema, a hand edit).
    #[error("corrupt record in the archive database: {0}")]
    Corrupt(String),
    /// Nothing by that number or name.
    #[error("no {0} in this archive")]
    NotFound(String),
    /// The change contradicts what is stored (undoing what was already undone).
    #[error("{0}")]
    Conflict(String),
    /// The archive was made by a newer Kartoteka.
    #[error("archive schema version {found} is newer than this program understands ({supported})")]
    Schema {
        /// Version found in the archive.
        found: i64,
        /// Newest version this build reads.
        supported: i64,
    },
}

/// One document of a `save_documents` call: the document, its pages and what the
/// extraction came to.
#[derive(Clone, Copy, Debug)]
pub struct DocumentToSave<'a> {
    /// The document.
    pub doc: &'a NewDocument,
    /// Its pages, in order.
    pub pages: &'a [Page],
    /// The extraction's outcome, for the ledger.
    pub extract: &'a StageOutcome,
}

/// A document about to be saved: everything but its number.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDocument {
    /// Hash of the original.
    pub content: ContentHash,
    /// Size in bytes.
    pub size: u64,
    /// Where it was read from; the key that makes ingest idempotent.
    pub source_path: String,
    /// Format of the original.
    pub format: Format,
    /// Encoding the text was read in.
    pub encoding: Option<String>,
    /// Language of the text.
    pub language: Option<String>,
    /// Place in the hierarchy.
    pub reference: Option<Reference>,
    /// How it got that place.
    pub placement: Placement,
    /// Title.
    pub title: Option<String>,
    /// Dates.
    pub dates: Option<DateRange>,
    /// True while waiting for OCR.
    pub needs_ocr: bool,
}

/// What saving a document did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    /// A new document.
    Added(DocId),
    /// The source path was known and its content changed: a new version of the document.
    Updated(DocId),
}

impl Saved {
    /// The document's number either way.
    pub fn id(self) -> DocId {
        match self {
            Saved::Added(id) | Saved::Updated(id) => id,
        }
    }
}

/// A failure recorded against a document's stage or against a source path that never
/// became a document (unreadable, outside the tree).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The document, when one exists.
    pub doc: Option<DocId>,
    /// The source path.
    pub path: String,
    /// The stage that failed ("read" for files that could not be read at all).
    pub stage: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: String,
}

/// A preservation event on an object, in PREMIS terms: what happened ("fixity check"),
/// with what outcome, when. Events are only ever appended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// The object: an original's SHA-256, or another identifier.
    pub object: String,
    /// The PREMIS event type ("fixity check").
    pub event_type: String,
    /// "pass" or "fail".
    pub outcome: String,
    /// What was found, when it matters.
    pub detail: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// Counts for `kartoteka status`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Documents stored.
    pub documents: u64,
    /// Pages of text.
    pub pages: u64,
    /// Units of the hierarchy described.
    pub units: u64,
    /// Documents waiting for OCR.
    pub needs_ocr: u64,
    /// Documents or paths whose latest attempt failed.
    pub failed: u64,
    /// Documents whose text is not yet in the search index.
    pub not_indexed: u64,
    /// Documents by format.
    pub by_format: Vec<(String, u64)>,
    /// Documents by placement method.
    pub by_placement: Vec<(String, u64)>,
}

/// The store of everything but the originals' bytes and the search index: every role
/// together. A backend implements each role trait and has this one for free; callers that
/// hold a `dyn MetadataStore` call any role's methods (with `kartoteka_store::prelude::*`
/// in scope).
///
/// Every method that writes is atomic: it either happens whole or not at all, so an
/// ingest killed at any moment leaves the store as it was before the interrupted call.
pub trait MetadataStore:
    HoldingsStore
    + LedgerStore
    + Batches
    + AuditStore
    + CustodyStore
    + FindingStore
    + NoteStore
    + MentionStore
    + IdentityStore
    + ReportStore
    + RuleStore
    + ReleaseStore
    + EditionStore
    + AccessStore
    + JobStore
    + Send
{
}

impl<
        T: HoldingsStore
            + LedgerStore
            + Batches
            + AuditStore
            + CustodyStore
            + FindingStore
            + NoteStore
            + MentionStore
            + IdentityStore
            + ReportStore
            + RuleStore
            + ReleaseStore
            + EditionStore
            + AccessStore
            + JobStore
            + Send,
    > MetadataStore for T
{
}

/// Units, documents and their pages: what the archive holds and where it is placed.
pub trait HoldingsStore {
    /// Adds or replaces the description of a unit.
    fn upsert_units(&mut self, units: &[Unit]) -> Result<(), StoreError>;

    /// The unit with exactly this reference.
    fn unit(&self, reference: &Reference) -> Result<Option<Unit>, StoreError>;

    /// All units inside `within` (or all units), in reference order.
    fn units(&self, within: Option<&Reference>) -> Result<Vec<Unit>, StoreError>;

    /// Saves a document with its pages and the extraction's ledger record, in one
    /// transaction, keyed by source path: a known path with new content becomes a new
    /// version of the same document.
    fn save_document(
        &mut self,
        doc: &NewDocument,
        pages: &[Page],
        extract: &StageOutcome,
        version: u32,
    ) -> Result<Saved, StoreError>;

    /// Saves several documents as `save_document` would, one after the other (new ones
    /// are numbered in this order), in one transaction where the store can: all of them
    /// or none. What an ingest's writer does with the results that are ready, so that a
    /// store across a network is not asked once per document.
    fn save_documents(
        &mut self,
        docs: &[DocumentToSave<'_>],
        version: u32,
    ) -> Result<Vec<Saved>, StoreError> {
        docs.iter()
            .map(|d| self.save_document(d.doc, d.pages, d.extract, version))
            .collect()
    }

    /// Replaces a stored document's pages (after OCR or a better extractor) and its OCR flag.
    fn replace_pages(
        &mut self,
        id: DocId,
        pages: &[Page],
        needs_ocr: bool,
    ) -> Result<(), StoreError>;

    /// A document by number.
    fn document(&self, id: DocId) -> Result<Option<Document>, StoreError>;

    /// The documents with these numbers that exist, in any order: what a page of search
    /// hits names, read at once.
    fn documents_by_id(&self, ids: &[DocId]) -> Result<Vec<Document>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(d) = self.document(*id)? {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// The document ingested from this source path.
    fn document_by_source(&self, source_path: &str) -> Result<Option<Document>, StoreError>;

    /// The documents ingested from these source paths that exist, in any order: what an
    /// ingest asks about a chunk of files at once.
    fn documents_by_source_paths(&self, paths: &[&str]) -> Result<Vec<Document>, StoreError> {
        let mut out = Vec::with_capacity(paths.len());
        for path in paths {
            if let Some(d) = self.document_by_source(path)? {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Documents whose current original has these bytes (by hash), in number order: the
    /// same original arriving again under another path is known by it.
    fn documents_with_content(&self, content: &ContentHash) -> Result<Vec<Document>, StoreError>;

    /// Documents placed at or inside a unit.
    fn documents_within(&self, unit: &Reference) -> Result<Vec<Document>, StoreError>;

    /// Documents, in number order, after `after`, at most `limit`: for walking the archive.
    fn documents_after(
        &self,
        after: Option<DocId>,
        limit: usize,
    ) -> Result<Vec<Document>, StoreError>;

    /// Documents waiting for OCR.
    fn documents_waiting_for_ocr(&self) -> Result<Vec<Document>, StoreError>;

    /// Calls `f` with every document in number order, reading them in batches so that
    /// memory stays flat however large the archive.
    fn each_document(
        &self,
        f: &mut dyn FnMut(Document) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut after = None;
        loop {
            let batch = self.documents_after(after, 1000)?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            after = Some(last.id);
            for doc in batch {
                f(doc)?;
            }
        }
    }

    /// A document's pages in order.
    fn pages(&self, id: DocId) -> Result<Vec<Page>, StoreError>;

    /// Several documents with their pages, in the order asked (a number with no document
    /// is left out): what indexing reads, in one go where the store can (a round trip per
    /// document is most of the time over a network).
    fn documents_with_pages(
        &self,
        ids: &[DocId],
    ) -> Result<Vec<(Document, Vec<Page>)>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some(doc) = self.document(id)? {
                let pages = self.pages(id)?;
                out.push((doc, pages));
            }
        }
        Ok(out)
    }

    /// One page of a document.
    fn page(&self, id: DocId, number: u32) -> Result<Option<Page>, StoreError>;

    /// Calls `f` with a page's text where the store keeps it, without a copy when the
    /// store can lend it (a search reads a page for every hit's snippet); false when there
    /// is no such page.
    fn with_page_text(
        &self,
        id: DocId,
        number: u32,
        f: &mut dyn FnMut(&str),
    ) -> Result<bool, StoreError> {
        Ok(match self.page(id, number)? {
            Some(p) => {
                f(&p.text);
                true
            }
            None => false,
        })
    }

    /// Counts for status.
    fn summary(&self) -> Result<Summary, StoreError>;
}

/// The stage ledger (what was done to each document), source failures and PREMIS events.
pub trait LedgerStore {
    /// Appends records to the stage ledger.
    fn record_stages(&mut self, records: &[StageRecord]) -> Result<(), StoreError>;

    /// The ledger of one document, oldest first.
    fn ledger(&self, id: DocId) -> Result<Vec<StageRecord>, StoreError>;

    /// Documents whose latest record for `stage` is not a success on their current
    /// content at `version` or later: the work a resumed or re-run stage has to do.
    fn documents_needing(&self, stage: Stage, version: u32) -> Result<Vec<DocId>, StoreError>;

    /// Records that a source path could not be read at all.
    fn record_source_failure(&mut self, path: &str, reason: &str) -> Result<(), StoreError>;

    /// Forgets a source failure once the path has been read.
    fn clear_source_failure(&mut self, path: &str) -> Result<(), StoreError>;

    /// Every current failure: documents whose latest stage record failed, and unreadable paths.
    fn failures(&self) -> Result<Vec<Failure>, StoreError>;

    /// Appends preservation events (PREMIS: "fixity check", ...).
    fn record_events(&mut self, events: &[Event]) -> Result<(), StoreError>;

    /// The events of one object, oldest first.
    fn events(&self, object: &str) -> Result<Vec<Event>, StoreError>;
}

/// Batches: several writes made one transaction (an import commits whole or not at all).
pub trait Batches {
    /// Starts a batch: every write until [`MetadataStore::commit_batch`] becomes one
    /// transaction, invisible to readers until it commits and gone if the process dies
    /// first. Used by transfer import, where the archive must be as before or complete.
    fn begin_batch(&mut self) -> Result<(), StoreError>;

    /// Commits the open batch.
    fn commit_batch(&mut self) -> Result<(), StoreError>;

    /// Abandons the open batch.
    fn rollback_batch(&mut self) -> Result<(), StoreError>;
}

/// The audit chain. Every writing method of every role appends its own entries in the same transaction as the change; callers add entries for acts the store cannot see (exports, releases).
pub trait AuditStore {
    /// Names who is acting, for the audit entries of the writes that follow.
    fn set_actor(&mut self, actor: &str);

    /// Appends acts to the audit chain.
    fn append_audit(&mut self, acts: &[AuditAct]) -> Result<(), StoreError>;

    /// Entries after position `after`, at most `limit`, in chain order: for walking the chain.
    fn audit_after(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;

    /// Entries that pass a filter, in chain order.
    fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError>;

    /// The last entry's position and hash.
    fn audit_head(&self) -> Result<Option<(u64, String)>, StoreError>;
}

/// Transfers and custody: which bag brought what, and where each unit has been kept.
pub trait CustodyStore {
    /// Records a transfer and the custody it starts (closing each unit's open custody),
    /// with its audit entry. Returns the transfer's number.
    fn record_transfer(
        &mut self,
        transfer: &Transfer,
        custody: &[CustodyEntry],
    ) -> Result<i64, StoreError>;

    /// Transfers of a bag (by its identity), oldest first.
    fn transfers_of_bag(&self, bag_id: &str) -> Result<Vec<Transfer>, StoreError>;

    /// A transfer by number.
    fn transfer(&self, id: i64) -> Result<Option<Transfer>, StoreError>;

    /// Records that units moved without a transfer (within the repository).
    fn record_moves(&mut self, custody: &[CustodyEntry]) -> Result<(), StoreError>;

    /// The custody of a unit and of the units that hold it, oldest first.
    fn custody(&self, unit: &Reference) -> Result<Vec<CustodyEntry>, StoreError>;
}

/// Reconciliation: what the gaps finder reads of the holdings, and the findings it keeps.
pub trait FindingStore {
    /// Calls `f` with what is known of every original's content, in number order (typed
    /// notes that cite a unit are not its holdings and are left out).
    fn each_holding(
        &self,
        f: &mut dyn FnMut(Holding) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Calls `f` with every (document, sheet number) some page of the document is on.
    fn each_sheet_held(
        &self,
        f: &mut dyn FnMut(DocId, u32) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// The content versions of documents that have had more than one, oldest first.
    fn changed_versions(&self) -> Result<Vec<(DocId, Vec<VersionRecord>)>, StoreError>;

    /// Keeps the findings of a reconciliation of `scope` (a unit key, or "" for the whole
    /// archive): new ones are added, known ones keep their status and note, and those in
    /// scope no longer found are marked resolved. Returns the current findings in scope.
    fn keep_findings(
        &mut self,
        scope: &str,
        findings: &[Finding],
    ) -> Result<Vec<Finding>, StoreError>;

    /// The findings of the last reconciliations that still stand.
    fn current_findings(&self) -> Result<Vec<Finding>, StoreError>;

    /// Sets a finding's status and note, with an audit entry.
    fn annotate_finding(
        &mut self,
        id: i64,
        status: FindingStatus,
        note: Option<&str>,
    ) -> Result<Finding, StoreError>;
}

/// The notebook: notes anchored to passages, every state of each, and locking them away.
pub trait NoteStore {
    /// Saves a new note (id 0: it gets a number, version 1, times and the actor as author)
    /// or a changed one (its version goes up); every state is kept with `why`, and audited.
    fn save_note(&mut self, note: &Note, why: &str) -> Result<Note, StoreError>;

    /// A note by number.
    fn note(&self, id: i64) -> Result<Option<Note>, StoreError>;

    /// Notes that pass the filter, by number.
    fn notes(&self, filter: &NoteFilter) -> Result<Vec<Note>, StoreError>;

    /// Every state of a note, oldest first.
    fn note_versions(&self, id: i64) -> Result<Vec<NoteVersion>, StoreError>;

    /// Takes notes out of the store for an encrypted notebook: their text and history are
    /// erased (the database overwrites what it deletes); with `keep_stubs`, a stand-in
    /// saying where each note was anchored stays. Audited as "notebook-lock".
    fn remove_notes(&mut self, ids: &[i64], keep_stubs: bool) -> Result<(), StoreError>;

    /// Moves everything written into the store's main files and drops the old copies of
    /// what was deleted (for SQLite: a checkpoint that truncates the write-ahead log).
    /// False when another connection's open read keeps the old copies alive.
    fn purge_old_copies(&mut self) -> Result<bool, StoreError> {
        Ok(true)
    }

    /// Whether any file of the store still holds these bytes: what a notebook lock checks
    /// of the text it erased. A store with no files holds nothing.
    fn holds_bytes(&self, _needle: &[u8]) -> Result<bool, StoreError> {
        Ok(false)
    }

    /// Puts notes and their history back from an unlocked notebook, replacing stand-ins.
    /// Audited as "notebook-unlock".
    fn restore_notes(&mut self, notes: &[Note], versions: &[NoteVersion])
        -> Result<(), StoreError>;
}

/// What extraction found in each document: mentions and the relations between them.
pub trait MentionStore {
    /// Replaces a document's mentions and relations (relations refer to mentions by their
    /// index in `mentions`) and records the stage, in one transaction.
    fn replace_mentions(
        &mut self,
        doc: DocId,
        mentions: &[MentionRecord],
        relations: &[RelationRecord],
        record: &StageRecord,
    ) -> Result<(), StoreError>;

    /// The mentions in these documents (every document when empty), of one kind or all,
    /// in document, page and position order.
    fn mentions(
        &self,
        docs: &[DocId],
        kind: Option<MentionKind>,
    ) -> Result<Vec<MentionRecord>, StoreError>;

    /// The relations in these documents, their ends as mention numbers.
    fn relations(&self, docs: &[DocId]) -> Result<Vec<RelationRecord>, StoreError>;
}

/// Identities: people's judgements, the person of each mention, and the registry of person ids.
pub trait IdentityStore {
    /// Keeps a new judgement (it gets a number, the actor and the time). Audited as "judge".
    fn save_judgement(&mut self, judgement: &Judgement) -> Result<Judgement, StoreError>;

    /// Marks a judgement undone (it stays in the record). Audited as "undo-judgement".
    fn undo_judgement(&mut self, id: i64) -> Result<Judgement, StoreError>;

    /// Every judgement, undone ones included, by number.
    fn judgements(&self) -> Result<Vec<Judgement>, StoreError>;

    /// Replaces the resolution: which person each person mention belongs to, and, in the
    /// same transaction, writes the registry records of person ids issued or changed by it
    /// (replacing those of the same id). Audited as "resolve" with `detail`.
    fn replace_identities(
        &mut self,
        rows: &[IdentityRow],
        persons: &[PersonRecord],
        detail: &str,
    ) -> Result<(), StoreError>;

    /// The resolution as last kept.
    fn identities(&self) -> Result<Vec<IdentityRow>, StoreError>;

    /// Every person id ever issued, in the order of issue.
    fn person_records(&self) -> Result<Vec<PersonRecord>, StoreError>;
}

/// Claims, reports with every version, and what became of reports no longer made.
pub trait ReportStore {
    /// Keeps an analyst's claim (it gets a number "C…", the actor and the time). Audited
    /// as "claim".
    fn save_claim(&mut self, claim: &Claim) -> Result<Claim, StoreError>;

    /// The analysts' claims, by number; about one subject when given.
    fn claims(&self, subject: Option<&str>) -> Result<Vec<Claim>, StoreError>;

    /// Keeps a report as its next version (version numbers count up from 1 per report;
    /// the report's `version` says which one it expects to follow, and a version kept in
    /// between is a conflict). Audited as "report" with its status and why.
    fn save_report(&mut self, report: &Report) -> Result<Report, StoreError>;

    /// Every version of one report, oldest first.
    fn report_versions(&self, id: &str) -> Result<Vec<Report>, StoreError>;

    /// The latest version of every report, by id.
    fn reports(&self) -> Result<Vec<Report>, StoreError>;

    /// Records what became of a report version (the time is set here). Audited as
    /// "report-fate".
    fn save_report_fate(&mut self, fate: &ReportFate) -> Result<ReportFate, StoreError>;

    /// What became of reports, by report and version.
    fn report_fates(&self) -> Result<Vec<ReportFate>, StoreError>;
}

/// Marking rules: the lowest marking of what a unit holds.
pub trait RuleStore {
    /// Keeps a marking rule for a unit, replacing the one it had (the actor and the time
    /// are set here). Audited as "marking-rule".
    fn set_marking_rule(&mut self, rule: &MarkingRule) -> Result<MarkingRule, StoreError>;

    /// Drops a unit's marking rule; false when it had none. Audited as "marking-rule".
    fn remove_marking_rule(&mut self, unit: &str, why: &str) -> Result<bool, StoreError>;

    /// Every marking rule, by unit.
    fn marking_rules(&self) -> Result<Vec<MarkingRule>, StoreError>;
}

/// Partner services, the release officers' routing decisions and the originators'
/// consents: what decides who receives which report.
pub trait ReleaseStore {
    /// Adds a partner under its id, which must be new (the actor and the time are set
    /// here). Audited as "partner".
    fn add_partner(&mut self, partner: &Partner) -> Result<Partner, StoreError>;

    /// Keeps a change to a partner that exists (its keys, clearance, groups, state),
    /// saying what changed. Audited as "partner".
    fn update_partner(&mut self, partner: &Partner, change: &str) -> Result<Partner, StoreError>;

    /// Every partner, in the order they were added.
    fn partners(&self) -> Result<Vec<Partner>, StoreError>;

    /// Keeps a release officer's decision to send a report to a partner or hold it back
    /// (the actor and the time are set here). Audited as "routing".
    fn add_routing(&mut self, routing: &Routing) -> Result<Routing, StoreError>;

    /// Every routing decision, oldest first.
    fn routings(&self) -> Result<Vec<Routing>, StoreError>;

    /// Keeps an originator's consent to release a report's ORCON portions to a partner.
    /// Audited as "consent".
    fn add_consent(&mut self, consent: &Consent) -> Result<Consent, StoreError>;

    /// Every consent recorded, oldest first.
    fn consents(&self) -> Result<Vec<Consent>, StoreError>;

    /// Records a package in the register under its id, which must be new, for a partner
    /// that exists (the officer and the time are set here). Audited as "release".
    fn add_package(&mut self, package: &Package) -> Result<Package, StoreError>;

    /// Every package of the register, in the order they were made.
    fn packages(&self) -> Result<Vec<Package>, StoreError>;

    /// Records a partner's receipt on its package, once. Audited as "receipt".
    fn set_receipt(&mut self, receipt: &Receipt) -> Result<Package, StoreError>;
}

/// The public edition's memory: editors' decisions on who is named, and the editions built.
pub trait EditionStore {
    /// Keeps an editor's decision on a person (the actor and the time are set here).
    /// Audited as "editor-decision".
    fn add_editor_decision(
        &mut self,
        decision: &EditorDecision,
    ) -> Result<EditorDecision, StoreError>;

    /// Every editor's decision, oldest first.
    fn editor_decisions(&self) -> Result<Vec<EditorDecision>, StoreError>;

    /// Records an edition, whose number must be the next one (the actor and the time are
    /// set here). Audited as "publish".
    fn add_edition(&mut self, edition: &EditionRecord) -> Result<EditionRecord, StoreError>;

    /// Every edition, oldest first.
    fn editions(&self) -> Result<Vec<EditionRecord>, StoreError>;
}

/// The reading room's door: the people who sign in, the tokens machines carry, and the
/// browser sessions open now. Secrets are never stored, only their hashes; no audit entry
/// carries a hash.
pub trait AccessStore {
    /// Adds a user, whose name must be new (the actor and the time are set here).
    /// Audited as "user".
    fn add_user(&mut self, user: &User) -> Result<User, StoreError>;

    /// The user of this name.
    fn user(&self, name: &str) -> Result<Option<User>, StoreError>;

    /// Every user, in the order they were added.
    fn users(&self) -> Result<Vec<User>, StoreError>;

    /// Replaces a user's record (disabled, a new password), saying what changed in `what`.
    /// Audited as "user".
    fn update_user(&mut self, user: &User, what: &str) -> Result<User, StoreError>;

    /// Keeps a token for a user that exists, giving it the next id ("T1", "T2", ...).
    /// Audited as "token".
    fn add_token(&mut self, token: &ApiToken) -> Result<ApiToken, StoreError>;

    /// The token whose secret has this hash, revoked or not.
    fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>, StoreError>;

    /// Every token, in the order they were made.
    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError>;

    /// Revokes a token, once. Audited as "token".
    fn revoke_token(&mut self, id: &str) -> Result<ApiToken, StoreError>;

    /// Keeps a new browser session. Audited as "sign-in".
    fn add_session(&mut self, session: &WebSession) -> Result<(), StoreError>;

    /// The session whose secret has this hash, if it is still kept.
    fn session(&self, hash: &str) -> Result<Option<WebSession>, StoreError>;

    /// Ends a session (signing out), if it is kept. Audited as "sign-out" when it was.
    fn end_session(&mut self, hash: &str) -> Result<(), StoreError>;
}

/// The queue of background jobs the servers sharing a store take their work from. A job
/// is claimed by one worker at a time (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so
/// that workers never wait on each other), under a lease the worker renews while it
/// works; when the lease runs out (the worker died), the next claim takes the job again or,
/// when it must not be done twice, marks it interrupted. Jobs are not acts on the archive
/// and are not audited: the work a job does is.
pub trait JobStore {
    /// Queues a job under the next number.
    fn add_job(&mut self, job: &NewJob) -> Result<JobRecord, StoreError>;

    /// Keeps a job under its own number (one recorded before the store kept jobs); false,
    /// and nothing written, when the number is taken.
    fn keep_job(&mut self, job: &JobRecord) -> Result<bool, StoreError>;

    /// Claims the oldest job this worker may do: queued, or running under a lease that
    /// ran out. `home` is the worker's home (jobs kept for another home are left); the
    /// lease runs `lease` from now by the store's clock. Jobs whose lease ran out and that
    /// must not be done again are marked interrupted on the way.
    fn claim_job(
        &mut self,
        worker: &str,
        home: &str,
        lease: std::time::Duration,
    ) -> Result<Option<JobRecord>, StoreError>;

    /// Renews a worker's lease on a job and records its progress; false when the worker
    /// no longer holds the job (its lease ran out and another took it).
    fn renew_job(
        &mut self,
        number: u64,
        worker: &str,
        lease: std::time::Duration,
        total: u64,
        done: u64,
    ) -> Result<bool, StoreError>;

    /// Records how a job ended; false, and nothing written, when the worker no longer
    /// holds it.
    fn end_job(&mut self, number: u64, worker: &str, end: &JobEnd) -> Result<bool, StoreError>;

    /// The job of this number.
    fn job(&self, number: u64) -> Result<Option<JobRecord>, StoreError>;

    /// The latest `limit` jobs, the latest first.
    fn jobs(&self, limit: usize) -> Result<Vec<JobRecord>, StoreError>;
}

/// Which notes to list; every field that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoteFilter {
    /// This note only.
    pub id: Option<i64>,
    /// Notes on this document.
    pub doc: Option<DocId>,
    /// Notes with this tag.
    pub tag: Option<String>,
    /// Notes by this author.
    pub author: Option<String>,
    /// Only orphaned notes (true) or only anchored ones (false).
    pub orphaned: Option<bool>,
    /// Notes whose quote or comment contains this text (case-insensitive).
    pub text: Option<String>,
}

/// What reconciliation needs to know of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holding {
    /// The document.
    pub id: DocId,
    /// Its reference code, as written.
    pub reference: Option<String>,
    /// The key of the file (дело) it is in.
    pub file_key: Option<String>,
    /// Hash of the original.
    pub content: String,
    /// Size of the original.
    pub size: u64,
    /// Pages of text.
    pub pages: u32,
    /// Characters of text, not counting surrounding white space.
    pub chars: u64,
    /// Waiting for OCR: its text is not known yet.
    pub needs_ocr: bool,
    /// Whether text extraction last succeeded.
    pub extracted: bool,
}

/// One content version of a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionRecord {
    /// Hash of the original at this version.
    pub content: String,
    /// Size in bytes.
    pub size: Option<u64>,
    /// Characters of text.
    pub chars: Option<u64>,
    /// When it was stored.
    pub at: String,
}
