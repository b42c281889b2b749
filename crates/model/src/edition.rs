//! The public edition as the archive remembers it: editors' decisions on who is named, and
//! each edition built (what pages it had, which pseudonyms it gave), so that the next one
//! keeps its URLs and its pseudonyms and says what changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Whether the public edition names a person or protects them behind a pseudonym.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Disclosure {
    /// Named, with their name in every form.
    Name,
    /// A private person: replaced by a pseudonym ("Person A-17") everywhere.
    Protect,
}

impl Disclosure {
    /// Its word: "name" or "protect".
    pub fn as_str(self) -> &'static str {
        match self {
            Disclosure::Name => "name",
            Disclosure::Protect => "protect",
        }
    }
}

impl std::fmt::Display for Disclosure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// An editor's decision that overrides the edition's rules for one person, with its reason.
/// The latest decision on a person stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorDecision {
    /// The person's id ("P12").
    pub person: String,
    /// Their name when the decision was taken, for the reader of the audit chain.
    pub name: String,
    /// Named or protected.
    pub disclosure: Disclosure,
    /// Why (a public office, a death certificate, a relative's request).
    pub why: String,
    /// Who decided.
    #[serde(default)]
    pub by: String,
    /// When (RFC 3339).
    #[serde(default)]
    pub at: String,
}

/// One public edition as built: enough for the next edition to keep its pages' addresses
/// and its pseudonyms, and to say what was added, changed and withdrawn.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditionRecord {
    /// Its number, from 1.
    pub number: u32,
    /// When it was built (RFC 3339).
    #[serde(default)]
    pub at: String,
    /// Who built it.
    #[serde(default)]
    pub by: String,
    /// Every page and data file, by its path in the edition, with the SHA-256 of its
    /// content (less the edition's own date and number, so that an unchanged page hashes
    /// the same).
    pub pages: BTreeMap<String, String>,
    /// The pseudonym numbers given so far, by whom they stand for (a person id, or a name
    /// no person id holds): never shown, never reissued.
    pub pseudonyms: BTreeMap<String, u32>,
    /// The edition's counts (reports, persons named, persons protected, ...).
    pub counts: BTreeMap<String, u64>,
    /// The rules it was built from, as written.
    pub rules: String,
}
