//! Findings of the reconciliation of holdings against inventories and against themselves.

use serde::{Deserialize, Serialize};

/// What kind of gap or inconsistency a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A file had content when ingested and a later version has none.
    Emptied,
    /// A file the inventory lists is not in the archive.
    Missing,
    /// A file with no sheets, or whose sheets hold no text.
    Empty,
    /// The sheets found differ from the count the inventory declares.
    SheetCount,
    /// The same content under two references.
    Duplicate,
    /// A hole in the numbering of files in an inventory or of sheets in a file.
    Numbering,
    /// A file in the archive that its inventory does not list.
    Unlisted,
}

impl FindingKind {
    /// Every kind, most severe first.
    pub const ALL: [FindingKind; 7] = [
        FindingKind::Emptied,
        FindingKind::Missing,
        FindingKind::Empty,
        FindingKind::SheetCount,
        FindingKind::Duplicate,
        FindingKind::Numbering,
        FindingKind::Unlisted,
    ];

    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Emptied => "emptied",
            FindingKind::Missing => "missing",
            FindingKind::Empty => "empty",
            FindingKind::SheetCount => "sheet_count",
            FindingKind::Duplicate => "duplicate",
            FindingKind::Numbering => "numbering",
            FindingKind::Unlisted => "unlisted",
        }
    }

    /// The kind with this name.
    pub fn parse(name: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// How much it matters: content removed or absent comes first.
    pub fn severity(self) -> Severity {
        match self {
            FindingKind::Emptied | FindingKind::Missing => Severity::High,
            FindingKind::Empty | FindingKind::SheetCount | FindingKind::Duplicate => {
                Severity::Medium
            }
            FindingKind::Numbering | FindingKind::Unlisted => Severity::Low,
        }
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Content is gone or never came.
    High,
    /// The holdings disagree with themselves or the inventory.
    Medium,
    /// Worth a look.
    Low,
}

/// Where an archivist stands on a finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Nobody has looked yet.
    #[default]
    Open,
    /// Someone is finding out.
    UnderInvestigation,
    /// It has an explanation (the note says what).
    Explained,
}

impl FindingStatus {
    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::UnderInvestigation => "under_investigation",
            FindingStatus::Explained => "explained",
        }
    }

    /// The status with this name ("investigating" is accepted too).
    pub fn parse(name: &str) -> Option<FindingStatus> {
        match name.replace('-', "_").as_str() {
            "open" => Some(FindingStatus::Open),
            "under_investigation" | "investigating" => Some(FindingStatus::UnderInvestigation),
            "explained" => Some(FindingStatus::Explained),
            _ => None,
        }
    }
}

/// One finding: the unit, what was expected, what was found, and the evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Number in the archive's list of findings (0 before it is kept).
    pub id: i64,
    /// What kind.
    pub kind: FindingKind,
    /// The unit, as a reference code.
    pub reference: String,
    /// What the inventory or the earlier state says.
    pub expected: serde_json::Value,
    /// What the archive holds.
    pub found: serde_json::Value,
    /// Why we say so: the inventory line, the documents, the audit entries.
    pub evidence: String,
    /// How much it matters.
    pub severity: Severity,
    /// Where an archivist stands on it.
    pub status: FindingStatus,
    /// The archivist's note.
    pub note: Option<String>,
    /// When it was first found (RFC 3339).
    pub first_seen: String,
}

impl Finding {
    /// A new, open finding.
    pub fn new(
        kind: FindingKind,
        reference: impl Into<String>,
        expected: serde_json::Value,
        found: serde_json::Value,
        evidence: impl Into<String>,
    ) -> Finding {
        Finding {
            id: 0,
            kind,
            reference: reference.into(),
            expected,
            found,
            evidence: evidence.into(),
            severity: kind.severity(),
            status: FindingStatus::Open,
            note: None,
            first_seen: String::new(),
        }
    }
}
