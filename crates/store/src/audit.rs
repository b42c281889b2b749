//! The audit chain: an append-only log of every act that changes the archive or releases
//! anything, where each entry carries the hash of the one before it.
//!
//! An entry's hash covers its position, time, actor, action, unit, object, detail and the
//! previous entry's hash, so that editing, deleting, reordering or inserting an entry
//! directly in the database breaks the chain at that entry. Deleting entries from the end
//! cannot be seen from the chain alone; the head hash, printed and kept (or signed)
//! elsewhere, closes that hole: [`ChainCheck::head_seen`].

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The acts the archive records, each one word in the chain. The vocabulary is defined
/// here once: every backend writes these words for the same acts, and the readers
/// (history, gaps, verification) match on them. Entries written by callers for acts the
/// store cannot see may use other words ("release").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A document stored for the first time.
    Ingest,
    /// A document's original replaced by a new version.
    Update,
    /// A document's text read again (OCR, a new reader).
    ReExtract,
    /// A unit described or its description changed.
    Describe,
    /// A bag received.
    TransferIn,
    /// A bag sent.
    TransferOut,
    /// Units moved to a new place.
    Move,
    /// A gaps finding annotated.
    Annotate,
    /// A note written.
    Note,
    /// A note changed (by its author, or re-anchored).
    NoteEdit,
    /// Notes locked away into an encrypted notebook.
    NotebookLock,
    /// Notes put back from a notebook.
    NotebookUnlock,
    /// A person's judgement on two mentions.
    Judge,
    /// A judgement undone.
    UndoJudgement,
    /// Person mentions grouped into persons.
    Resolve,
    /// An analyst's claim.
    Claim,
    /// A report version kept.
    Report,
    /// What became of a report no longer made.
    ReportFate,
    /// A marking rule set or removed.
    MarkingRule,
    /// The key that seals the chain's head, recorded.
    HeadKey,
    /// A changed chain accepted by a person, with the reason.
    HeadAccepted,
    /// A partner service added or changed (keys, clearance, suspended, resumed).
    Partner,
    /// A report routed to a partner, or held back from it, by hand.
    Routing,
    /// An originator's consent to release ORCON material to a partner recorded.
    Consent,
    /// A package made for a partner (a release or a recall notice).
    Release,
    /// A partner's receipt for a package recorded.
    Receipt,
    /// An editor's decision to name or protect a person in the public edition.
    EditorDecision,
    /// A public edition built.
    Publish,
    /// A user added or changed (role, disabled, password).
    User,
    /// An API token made or revoked.
    Token,
    /// A person signed in to the reading room.
    SignIn,
    /// A person signed out.
    SignOut,
    /// A person read a document held under a marking above UNCLASSIFIED.
    Read,
}

impl AuditAction {
    /// Every action, for readers that list them.
    pub const ALL: [AuditAction; 33] = [
        AuditAction::Ingest,
        AuditAction::Update,
        AuditAction::ReExtract,
        AuditAction::Describe,
        AuditAction::TransferIn,
        AuditAction::TransferOut,
        AuditAction::Move,
        AuditAction::Annotate,
        AuditAction::Note,
        AuditAction::NoteEdit,
        AuditAction::NotebookLock,
        AuditAction::NotebookUnlock,
        AuditAction::Judge,
        AuditAction::UndoJudgement,
        AuditAction::Resolve,
        AuditAction::Claim,
        AuditAction::Report,
        AuditAction::ReportFate,
        AuditAction::MarkingRule,
        AuditAction::HeadKey,
        AuditAction::HeadAccepted,
        AuditAction::Partner,
        AuditAction::Routing,
        AuditAction::Consent,
        AuditAction::Release,
        AuditAction::Receipt,
        AuditAction::EditorDecision,
        AuditAction::Publish,
        AuditAction::User,
        AuditAction::Token,
        AuditAction::SignIn,
        AuditAction::SignOut,
        AuditAction::Read,
    ];

    /// The word in the chain.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Ingest => "ingest",
            AuditAction::Update => "update",
            AuditAction::ReExtract => "re-extract",
            AuditAction::Describe => "describe",
            AuditAction::TransferIn => "transfer-in",
            AuditAction::TransferOut => "transfer-out",
            AuditAction::Move => "move",
            AuditAction::Annotate => "annotate",
            AuditAction::Note => "note",
            AuditAction::NoteEdit => "note-edit",
            AuditAction::NotebookLock => "notebook-lock",
            AuditAction::NotebookUnlock => "notebook-unlock",
            AuditAction::Judge => "judge",
            AuditAction::UndoJudgement => "undo-judgement",
            AuditAction::Resolve => "resolve",
            AuditAction::Claim => "claim",
            AuditAction::Report => "report",
            AuditAction::ReportFate => "report-fate",
            AuditAction::MarkingRule => "marking-rule",
            AuditAction::HeadKey => "head-key",
            AuditAction::HeadAccepted => "head-accepted",
            AuditAction::Partner => "partner",
            AuditAction::Routing => "routing",
            AuditAction::Consent => "consent",
            AuditAction::Release => "release",
            AuditAction::Receipt => "receipt",
            AuditAction::EditorDecision => "editor-decision",
            AuditAction::Publish => "publish",
            AuditAction::User => "user",
            AuditAction::Token => "token",
            AuditAction::SignIn => "sign-in",
            AuditAction::SignOut => "sign-out",
            AuditAction::Read => "read",
        }
    }

    /// The action a word of the chain names, if it is one of these.
    pub fn of(word: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == word)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// An act about to be logged; the store gives it its place, time and hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditAct {
    /// What kind of act: an [`AuditAction`]'s word, or a caller's own for an act the store
    /// cannot see ("broadcast").
    pub action: String,
    /// The unit it concerns, as a reference code, when it concerns one.
    pub unit: Option<String>,
    /// The object it concerns: a document number, an original's hash, a transfer.
    pub object: Option<String>,
    /// What was done, in a sentence or a small JSON object.
    pub detail: String,
}

impl AuditAct {
    /// An act of the archive's vocabulary, with its unit, object and detail.
    pub fn of(
        action: AuditAction,
        unit: Option<String>,
        object: Option<String>,
        detail: impl Into<String>,
    ) -> AuditAct {
        AuditAct {
            action: action.as_str().to_string(),
            unit,
            object,
            detail: detail.into(),
        }
    }

    /// An act with no unit or object.
    pub fn new(action: &str, detail: impl Into<String>) -> AuditAct {
        AuditAct {
            action: action.to_string(),
            unit: None,
            object: None,
            detail: detail.into(),
        }
    }
}

/// One entry of the chain as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without holes.
    pub seq: u64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: the user or service that acted.
    pub actor: String,
    /// What kind of act.
    pub action: String,
    /// The unit concerned.
    pub unit: Option<String>,
    /// The object concerned.
    pub object: Option<String>,
    /// What was done.
    pub detail: String,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev: String,
    /// This entry's hash.
    pub hash: String,
    /// The key the store files the entry under for a unit's history: derived from `unit`
    /// ([`unit_key`]) and outside the hash, so [`ChainCheck`] checks that it is the one the
    /// unit gives (an edited key would hide the entry from the unit's history).
    #[serde(skip)]
    pub unit_key: Option<String>,
}

impl AuditEntry {
    /// The act, when it is one of the archive's vocabulary.
    pub fn kind(&self) -> Option<AuditAction> {
        AuditAction::of(&self.action)
    }

    /// Whether the entry records this act.
    pub fn is(&self, action: AuditAction) -> bool {
        self.action == action.as_str()
    }
}

/// The key of a unit for the audit and custody tables: the file-level key of a reference,
/// or the text as given when it does not parse.
pub fn unit_key(unit: &str) -> String {
    kartoteka_model::Reference::parse(unit)
        .map(|r| r.key())
        .unwrap_or_else(|_| unit.to_string())
}

/// Filters for reading the log; every field that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Entries on this unit or inside it (by reference key prefix).
    pub unit: Option<String>,
    /// Entries on this object ("doc:12", "transfer:3", "finding:7").
    pub object: Option<String>,
    /// Entries by this actor.
    pub actor: Option<String>,
    /// Entries of this action.
    pub action: Option<String>,
    /// Entries at or after this time (RFC 3339 or a date, compared as text).
    pub since: Option<String>,
    /// Entries at or before this time: compared over its own length, so that a day
    /// ("2026-12-07") takes in the whole day.
    pub until: Option<String>,
    /// At most this many, newest last.
    pub limit: Option<usize>,
}

/// The hash of an entry from its fields: each field is length-prefixed, so that no two
/// different entries can hash the same text.
pub fn entry_hash(
    seq: u64,
    at: &str,
    actor: &str,
    act: (&str, Option<&str>, Option<&str>, &str),
    prev: &str,
) -> String {
    let (action, unit, object, detail) = act;
    let mut h = Sha256::new();
    h.update(b"kartoteka-audit-v1");
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(seq.to_string().as_bytes());
    field(at.as_bytes());
    field(actor.as_bytes());
    field(action.as_bytes());
    // An absent unit and an empty one differ.
    field(unit.map(|u| format!("+{u}")).unwrap_or_default().as_bytes());
    field(
        object
            .map(|o| format!("+{o}"))
            .unwrap_or_default()
            .as_bytes(),
    );
    field(detail.as_bytes());
    field(prev.as_bytes());
    hex::encode(h.finalize())
}

impl AuditEntry {
    /// The hash this entry's fields give.
    pub fn computed_hash(&self) -> String {
        entry_hash(
            self.seq,
            &self.at,
            &self.actor,
            (
                &self.action,
                self.unit.as_deref(),
                self.object.as_deref(),
                &self.detail,
            ),
            &self.prev,
        )
    }
}

/// Walks a chain entry by entry and remembers the first place it breaks.
#[derive(Clone, Debug)]
pub struct ChainCheck {
    position: u64,
    last_hash: String,
    first_bad: Option<(u64, String)>,
    expected_head: Option<String>,
    head_seen: bool,
}

impl ChainCheck {
    /// A check of a chain from its first entry; `expected_head`, when given, is a head hash
    /// kept elsewhere that must appear in the chain.
    pub fn new(expected_head: Option<&str>) -> ChainCheck {
        ChainCheck {
            position: 0,
            last_hash: GENESIS.to_string(),
            first_bad: None,
            expected_head: expected_head.map(|h| h.to_ascii_lowercase()),
            head_seen: false,
        }
    }

    /// Feeds the next entry in stored order. Returns false once the chain is broken (later
    /// entries need not be read).
    pub fn feed(&mut self, entry: &AuditEntry) -> bool {
        let computed = entry.computed_hash();
        self.feed_with_hash(entry, &computed)
    }

    /// [`ChainCheck::feed`] with the entry's hash already computed (in parallel, say).
    pub fn feed_with_hash(&mut self, entry: &AuditEntry, computed: &str) -> bool {
        self.position += 1;
        if self.first_bad.is_some() {
            return false;
        }
        let problem = if entry.seq != self.position {
            Some(format!(
                "entry {} is numbered {}: an entry was deleted, inserted or moved",
                self.position, entry.seq
            ))
        } else if entry.prev != self.last_hash {
            Some(format!(
                "entry {} does not follow the entry before it (its previous hash is {}, the chain's is {})",
                self.position, entry.prev, self.last_hash
            ))
        } else if computed != entry.hash {
            Some(format!(
                "entry {} was altered: its content no longer gives its hash",
                self.position
            ))
        } else if entry.unit_key != entry.unit.as_deref().map(unit_key) {
            Some(format!(
                "entry {} is filed under another unit than its own ({}): it would be missing from that unit's history",
                self.position,
                entry.unit.as_deref().unwrap_or("none")
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            self.first_bad = Some((self.position, p));
            return false;
        }
        if self.expected_head.as_deref() == Some(entry.hash.as_str()) {
            self.head_seen = true;
        }
        self.last_hash = entry.hash.clone();
        true
    }

    /// Entries fed so far.
    pub fn entries(&self) -> u64 {
        self.position
    }

    /// The first broken entry's position and what is wrong with it.
    pub fn first_bad(&self) -> Option<&(u64, String)> {
        self.first_bad.as_ref()
    }

    /// Whether the expected head hash was found in the intact part of the chain (true when
    /// none was expected).
    pub fn head_seen(&self) -> bool {
        self.expected_head.is_none() || self.head_seen
    }

    /// The hash of the last intact entry.
    pub fn head(&self) -> &str {
        &self.last_hash
    }
}

/// The query that lists `filter`'s entries in chain order (the newest `limit` of them when
/// it has one) and its values in order, each value's place written by `mark` (SQLite's
/// `?N`, PostgreSQL's `$N`): one reading of a filter for every backend.
pub(crate) fn filter_query(
    columns: &str,
    filter: &AuditFilter,
    mark: fn(usize) -> String,
) -> (String, Vec<String>) {
    let mut sql = format!("SELECT {columns} FROM audit WHERE true");
    let mut values: Vec<String> = Vec::new();
    if let Some(unit) = &filter.unit {
        let (key, pattern) = match kartoteka_model::Reference::parse(unit) {
            Ok(r) => crate::sqlite::within_pattern(&r),
            Err(_) => (unit.clone(), unit.clone()),
        };
        values.push(key);
        values.push(pattern);
        sql.push_str(&format!(
            " AND (unit_key = {} OR unit_key LIKE {} ESCAPE '\\')",
            mark(values.len() - 1),
            mark(values.len())
        ));
    }
    for (column, value) in [
        ("object", &filter.object),
        ("actor", &filter.actor),
        ("action", &filter.action),
    ] {
        if let Some(v) = value {
            values.push(v.clone());
            sql.push_str(&format!(" AND {column} = {}", mark(values.len())));
        }
    }
    if let Some(since) = &filter.since {
        values.push(since.clone());
        sql.push_str(&format!(" AND at >= {}", mark(values.len())));
    }
    if let Some(until) = &filter.until {
        values.push(until.clone());
        let n = mark(values.len());
        sql.push_str(&format!(" AND substr(at, 1, length({n})) <= {n}"));
    }
    match filter.limit {
        // The newest `limit`, still in chain order.
        Some(limit) => {
            sql =
                format!("SELECT * FROM ({sql} ORDER BY seq DESC LIMIT {limit}) newest ORDER BY seq")
        }
        None => sql.push_str(" ORDER BY seq"),
    }
    (sql, values)
}

/// An act as the entry it becomes: its number, the hash of the entry before and its own.
pub(crate) struct Linked<'a> {
    /// Its place in the chain.
    pub seq: u64,
    /// The hash of the entry before it.
    pub prev: String,
    /// Its own hash.
    pub hash: String,
    /// What it records.
    pub act: &'a AuditAct,
}

/// The entries `acts` become after the chain's `head` (none: the chain is empty), each
/// numbered next, linked to the one before and hashed: how every backend appends.
pub(crate) fn linked_entries<'a>(
    head: Option<(u64, String)>,
    at: &str,
    actor: &str,
    acts: &'a [AuditAct],
) -> Vec<Linked<'a>> {
    let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
    acts.iter()
        .map(|act| {
            seq += 1;
            let hash = entry_hash(
                seq,
                at,
                actor,
                (
                    &act.action,
                    act.unit.as_deref(),
                    act.object.as_deref(),
                    &act.detail,
                ),
                &prev,
            );
            Linked {
                seq,
                prev: std::mem::replace(&mut prev, hash.clone()),
                hash,
                act,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let detail = format!("act {seq}");
                let hash = entry_hash(
                    seq,
                    "2026-01-01T00:00:00Z",
                    "archivist",
                    ("ingest", Some("ф. 1"), None, &detail),
                    &prev,
                );
                let e = AuditEntry {
                    seq,
                    at: "2026-01-01T00:00:00Z".into(),
                    actor: "archivist".into(),
                    action: "ingest".into(),
                    unit: Some("ф. 1".into()),
                    object: None,
                    detail,
                    prev: prev.clone(),
                    hash: hash.clone(),
                    unit_key: Some(unit_key("ф. 1")),
                };
                prev = hash;
                e
            })
            .collect()
    }

    fn check(entries: &[AuditEntry]) -> Option<u64> {
        let mut c = ChainCheck::new(None);
        for e in entries {
            if !c.feed(e) {
                break;
            }
        }
        c.first_bad().map(|(p, _)| *p)
    }

    #[test]
    fn every_action_has_one_word_and_is_read_back_from_it() {
        let words: std::collections::HashSet<&str> =
            AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(words.len(), AuditAction::ALL.len(), "one word per act");
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::of(a.as_str()), Some(a));
        }
        assert_eq!(AuditAction::of("broadcast"), None);
        assert_eq!(
            AuditAction::of("Ingest"),
            None,
            "the chain's words are exact"
        );
    }

    #[test]
    fn an_intact_chain_passes() {
        assert_eq!(check(&chain(10)), None);
    }

    #[test]
    fn each_kind_of_tampering_is_caught_at_its_entry() {
        let mut edited = chain(10);
        edited[4].actor = "someone else".into();
        assert_eq!(check(&edited), Some(5));

        let mut deleted = chain(10);
        deleted.remove(6);
        assert_eq!(check(&deleted), Some(7));

        let mut swapped = chain(10);
        swapped.swap(2, 3);
        assert_eq!(check(&swapped), Some(3));

        // An inserted entry, even one given the right number and a correct hash of its own.
        let mut inserted = chain(10);
        let mut fake = inserted[3].clone();
        fake.detail = "forged".into();
        fake.hash = fake.computed_hash();
        inserted.insert(4, fake);
        assert_eq!(check(&inserted), Some(5));

        // Rewriting an entry and its hash still breaks the link from the next one.
        // The unit key is outside the hash, but filing an entry under another unit shows.
        let mut refiled = chain(10);
        refiled[5].unit_key = Some(unit_key("ф. 2"));
        assert_eq!(check(&refiled), Some(6));
        let mut unfiled = chain(10);
        unfiled[5].unit_key = None;
        assert_eq!(check(&unfiled), Some(6));

        let mut rehashed = chain(10);
        rehashed[2].detail = "rewritten".into();
        rehashed[2].hash = rehashed[2].computed_hash();
        assert_eq!(check(&rehashed), Some(4));
    }

    #[test]
    fn a_kept_head_proves_the_end_was_not_cut() {
        let full = chain(10);
        let head = full[9].hash.clone();
        let mut c = ChainCheck::new(Some(&head));
        for e in &full[..8] {
            c.feed(e);
        }
        assert!(c.first_bad().is_none());
        assert!(!c.head_seen());
        let mut c = ChainCheck::new(Some(&head));
        for e in &full {
            c.feed(e);
        }
        assert!(c.head_seen());
    }
}
