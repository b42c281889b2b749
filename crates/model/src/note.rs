//! Notes: a quote, where it is anchored, and what the reader made of it.

use serde::{Deserialize, Serialize};

use crate::{ContentHash, DocId, Sheet};

/// Where a note is anchored: a span of one page of a document, with the quoted text and
/// some context on each side (as the W3C TextQuoteSelector and TextPositionSelector give
/// them), so that the note can find its place again after the text is re-extracted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// The document.
    pub doc: DocId,
    /// The document's content when the anchor was last placed.
    pub content: ContentHash,
    /// The page (1-based).
    pub page: u32,
    /// The sheet that page is, when known.
    pub sheet: Option<Sheet>,
    /// First character of the span in the page's text.
    pub start: u32,
    /// One past its last character.
    pub end: u32,
    /// The quoted text, exactly as it stands in the page.
    pub exact: String,
    /// Text just before it.
    pub prefix: String,
    /// Text just after it.
    pub suffix: String,
}

/// A note in a reader's notebook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The note's number (0 before it is saved).
    pub id: i64,
    /// Where it is anchored.
    pub anchor: Anchor,
    /// What the reader wrote about it.
    pub comment: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Who wrote it.
    pub author: String,
    /// When it was written (RFC 3339).
    pub created: String,
    /// When it last changed.
    pub modified: String,
    /// How many times it changed (1 when new).
    pub version: u32,
    /// True when the text it was anchored to is no longer in the document: the note keeps
    /// its last anchor and waits for a person, it is never moved or dropped silently.
    pub orphaned: bool,
    /// A hash of the document's text when the anchor was last placed: when the text
    /// changes, the anchor is looked for again.
    pub text_hash: String,
    /// True for the stand-in of a note locked away in its owner's encrypted notebook: it
    /// says only that a note exists on this document and page (when the owner allowed it).
    #[serde(default)]
    pub locked: bool,
}

/// One earlier state of a note, kept when it changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteVersion {
    /// The version number.
    pub version: u32,
    /// The note as it was.
    pub note: Note,
    /// Who changed it (or "kartoteka" for re-anchoring).
    pub by: String,
    /// When.
    pub at: String,
    /// Why: "written", "edited", "re-anchored after re-extraction", "orphaned".
    pub why: String,
}
