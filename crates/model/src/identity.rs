//! Who is who: people's judgements that two mentions are (or are not) one person, and the
//! persons that resolution found.

use serde::{Deserialize, Serialize};

use crate::DocId;

/// Where a mention is, in a form that survives re-extraction (mention numbers do not).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MentionAnchor {
    /// The document.
    pub doc: DocId,
    /// The page.
    pub page: u32,
    /// First character in the page's text.
    pub start: u32,
    /// The text as written.
    pub text: String,
}

/// A person's judgement that two mentions are one person, are not, or may be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// Its number (0 before it is kept).
    pub id: i64,
    /// One mention.
    pub a: MentionAnchor,
    /// The other.
    pub b: MentionAnchor,
    /// "same", "different" or "unsure".
    pub verdict: String,
    /// Why, in the judge's words.
    pub why: String,
    /// Who judged.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who undid it and when, if it was undone.
    pub undone: Option<(String, String)>,
}

/// A person mention's place in the resolution: the person it belongs to and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityRow {
    /// The mention's number.
    pub mention: i64,
    /// The person's id ("P" and a number derived from the person's first mention).
    pub person: String,
}
