//! Mentions found in a document's text, and the relations between them, as kept.

use serde::{Deserialize, Serialize};

use crate::{DocId, Sheet};

/// A mention of a person, cover name, role, service, place or date in one page of a
/// document, with its exact span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionRecord {
    /// The mention's number in the archive (0 before it is kept).
    pub id: i64,
    /// The document.
    pub doc: DocId,
    /// The page (1-based).
    pub page: u32,
    /// The sheet that page is, when known.
    pub sheet: Option<Sheet>,
    /// "person", "cover_name", "role", "org", "place" or "date".
    pub kind: String,
    /// The text as written.
    pub text: String,
    /// Its dictionary form.
    pub lemma: String,
    /// First character in the page's text.
    pub start: u32,
    /// One past the last.
    pub end: u32,
    /// ISO 3166 code of a place, ISO 8601 form of a date.
    pub code: Option<String>,
    /// The text around it.
    pub context: String,
}

/// A relation the text states between two mentions of the same page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationRecord {
    /// The document.
    pub doc: DocId,
    /// The page.
    pub page: u32,
    /// "recruited_by", "handled_by", "code_named", ...
    pub kind: String,
    /// The first mention (index into the page's mentions as written, resolved to its
    /// number once kept).
    pub from: i64,
    /// The second.
    pub to: i64,
    /// First character of the sentence that states it.
    pub start: u32,
    /// One past its last character.
    pub end: u32,
}
