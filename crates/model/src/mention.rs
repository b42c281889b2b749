//! Mentions found in a document's text, and the relations between them, as kept.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{DocId, Sheet};

/// What a mention is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentionKind {
    /// A person named by name.
    Person,
    /// A cover name (псевдоним, cryptonym).
    CoverName,
    /// A role: agent, illegal, case officer, resident...
    Role,
    /// A service, its directorate or line.
    Org,
    /// A place.
    Place,
    /// A date or period.
    Date,
}

/// What a relation between two mentions says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// `from` was recruited by `to`.
    RecruitedBy,
    /// `from` was handled by `to` (case officer).
    HandledBy,
    /// `from` reported on `to`.
    ReportedOn,
    /// `from` met with `to`.
    MetWith,
    /// `from` (a person) has the cover name `to`.
    CodeNamed,
    /// `from` worked at `to` (a service).
    WorkedAt,
    /// `from` operated in `to` (a place).
    OperatedIn,
    /// `from` holds the role `to`.
    HasRole,
    /// `from` (a person) was born at `to` (a date) or in `to` (a place).
    Born,
}

/// A kind's name that is not one of the kinds: the name as given and what it should be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a {what}; one of: {}", .known.join(", "))]
pub struct UnknownKind {
    /// The name given.
    pub name: String,
    /// "mention kind" or "relation kind".
    pub what: &'static str,
    /// The names there are.
    pub known: Vec<&'static str>,
}

macro_rules! named_kinds {
    ($type:ident, $what:literal, $($variant:ident => $name:literal),+ $(,)?) => {
        impl $type {
            /// Every kind, in a fixed order.
            pub const ALL: &'static [$type] = &[$($type::$variant),+];

            /// The name used in JSON, in the store and on the command line.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($type::$variant => $name),+
                }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $type {
            type Err = UnknownKind;

            fn from_str(name: &str) -> Result<Self, UnknownKind> {
                $type::ALL
                    .iter()
                    .copied()
                    .find(|k| k.as_str() == name)
                    .ok_or_else(|| UnknownKind {
                        name: name.to_string(),
                        what: $what,
                        known: $type::ALL.iter().map(|k| k.as_str()).collect(),
                    })
            }
        }
    };
}

named_kinds!(MentionKind, "mention kind",
    Person => "person",
    CoverName => "cover_name",
    Role => "role",
    Org => "org",
    Place => "place",
    Date => "date",
);

named_kinds!(RelationKind, "relation kind",
    RecruitedBy => "recruited_by",
    HandledBy => "handled_by",
    ReportedOn => "reported_on",
    MetWith => "met_with",
    CodeNamed => "code_named",
    WorkedAt => "worked_at",
    OperatedIn => "operated_in",
    HasRole => "has_role",
    Born => "born",
);

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
    /// What it is a mention of.
    pub kind: MentionKind,
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
    /// What it says.
    pub kind: RelationKind,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_their_own_names_in_text_and_json() {
        for k in MentionKind::ALL {
            assert_eq!(k.as_str().parse::<MentionKind>(), Ok(*k));
            assert_eq!(
                serde_json::to_value(k).ok(),
                Some(serde_json::Value::from(k.as_str()))
            );
        }
        for k in RelationKind::ALL {
            assert_eq!(k.to_string().parse::<RelationKind>(), Ok(*k));
            assert_eq!(
                serde_json::to_value(k).ok(),
                Some(serde_json::Value::from(k.as_str()))
            );
        }
    }

    #[test]
    fn an_unknown_kind_is_an_error_that_names_it_and_the_kinds_there_are() {
        let err = "agent".parse::<MentionKind>().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"agent\""), "{text}");
        assert!(text.contains("cover_name"), "{text}");
        assert!("Born".parse::<RelationKind>().is_err());
        assert!(serde_json::from_str::<RelationKind>("\"knew\"").is_err());
    }
}
