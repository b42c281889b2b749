//! Counter-intelligence reports and the claims they are made of: what the archive says of an
//! agent, graded on the Admiralty scale, cited to the exact span of a sheet, and marked
//! paragraph by paragraph for classification and releasability.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DocId;

/// A grade on the Admiralty (NATO STANAG 2511) scale: how reliable the source is (A
/// completely reliable .. E unreliable, F cannot be judged) and how credible the
/// information (1 confirmed by other sources .. 5 improbable, 6 cannot be judged).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grade {
    /// 'A' to 'F'.
    pub reliability: char,
    /// 1 to 6.
    pub credibility: u8,
}

/// A grade outside the scale.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an Admiralty grade: a letter A-F (source reliability) and a digit 1-6 (information credibility), as in B2")]
pub struct GradeError(pub String);

impl Grade {
    /// Reads "B2" (either case).
    pub fn parse(text: &str) -> Result<Grade, GradeError> {
        let t = text.trim();
        let mut chars = t.chars();
        let (Some(letter), Some(digit), None) = (chars.next(), chars.next(), chars.next()) else {
            return Err(GradeError(text.to_string()));
        };
        let reliability = letter.to_ascii_uppercase();
        let credibility = digit.to_digit(10).map(|d| d as u8);
        match credibility {
            Some(c @ 1..=6) if ('A'..='F').contains(&reliability) => Ok(Grade {
                reliability,
                credibility: c,
            }),
            _ => Err(GradeError(text.to_string())),
        }
    }

    /// What the letter means.
    pub fn reliability_meaning(&self) -> &'static str {
        match self.reliability {
            'A' => "completely reliable",
            'B' => "usually reliable",
            'C' => "fairly reliable",
            'D' => "not usually reliable",
            'E' => "unreliable",
            _ => "reliability cannot be judged",
        }
    }

    /// What the digit means.
    pub fn credibility_meaning(&self) -> &'static str {
        match self.credibility {
            1 => "confirmed by other sources",
            2 => "probably true",
            3 => "possibly true",
            4 => "doubtful",
            5 => "improbable",
            _ => "truth cannot be judged",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.reliability, self.credibility)
    }
}

/// An exact span of a page that a claim rests on.
///
/// Two citations are the same when they quote the same span; the marking follows from
/// where the span is, so it takes no part in comparing them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Citation {
    /// The document.
    pub doc: DocId,
    /// Its reference code, when placed ("ф. 9001, оп. 1, д. 1, л. 2").
    pub reference: Option<String>,
    /// The page (1-based).
    pub page: u32,
    /// First character of the span in the page's text.
    pub start: u32,
    /// One past its last.
    pub end: u32,
    /// The span's text, exactly.
    pub quote: String,
    /// The marking of the page it quotes (what the page says, raised by the marking rules
    /// of its units), once a report has worked it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking: Option<Marking>,
}

impl Citation {
    fn key(&self) -> (DocId, u32, u32, u32, &Option<String>, &str) {
        (
            self.doc,
            self.page,
            self.start,
            self.end,
            &self.reference,
            &self.quote,
        )
    }
}

impl PartialEq for Citation {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Citation {}

impl std::hash::Hash for Citation {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl Ord for Citation {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Citation {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// An assertion about a person or a case, with its evidence and its grade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// Its id: "C" and a number for an analyst's claim, "D" and a digest for one derived
    /// from the text (stable while the text says the same).
    pub id: String,
    /// The person ("P...") or case it is about.
    pub subject: String,
    /// What it is about: "recruitment", "handling", "cover_name", "birth", "activity",
    /// "role", "contact", "place", or "analyst".
    pub topic: String,
    /// The assertion, in a sentence.
    pub text: String,
    /// The other person or thing it names, if any (for conflicts: two recruiters).
    pub object: Option<String>,
    /// The date it is about, ISO 8601, if any.
    pub date: Option<String>,
    /// The spans it rests on: at least one.
    pub citations: Vec<Citation>,
    /// The grade.
    pub grade: Grade,
    /// Why that grade.
    pub why: String,
    /// Who made it: "kartoteka" for a derived claim, else the analyst.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// Classification levels, lowest first.
pub const CLASSIFICATIONS: &[&str] = &[
    "UNCLASSIFIED",
    "RESTRICTED",
    "CONFIDENTIAL",
    "SECRET",
    "TOP SECRET",
];

/// A portion marking: a classification and who it may be released to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Marking {
    /// One of [`CLASSIFICATIONS`].
    pub classification: String,
    /// ISO 3166 alpha-3 codes it may be released to; empty for no restriction beyond the
    /// classification.
    pub releasable_to: Vec<String>,
}

/// A marking that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a marking: one of UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET, TOP SECRET, optionally followed by '//REL TO GBR, USA'")]
pub struct MarkingError(pub String);

impl Marking {
    /// The lowest marking.
    pub fn unclassified() -> Marking {
        Marking {
            classification: "UNCLASSIFIED".to_string(),
            releasable_to: Vec::new(),
        }
    }

    /// The classification's rank (0 for UNCLASSIFIED).
    pub fn level(&self) -> usize {
        CLASSIFICATIONS
            .iter()
            .position(|c| *c == self.classification)
            .unwrap_or(0)
    }

    /// Reads "SECRET//REL TO GBR, USA" or "SECRET".
    pub fn parse(text: &str) -> Result<Marking, MarkingError> {
        let (level, rel) = match text.split_once("//") {
            Some((l, r)) => (l.trim(), Some(r.trim())),
            None => (text.trim(), None),
        };
        let classification = CLASSIFICATIONS
            .iter()
            .find(|c| c.eq_ignore_ascii_case(level))
            .ok_or_else(|| MarkingError(text.to_string()))?
            .to_string();
        let mut releasable_to = Vec::new();
        if let Some(r) = rel {
            let list = r
                .strip_prefix("REL TO")
                .or_else(|| r.strip_prefix("rel to"))
                .ok_or_else(|| MarkingError(text.to_string()))?;
            for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
                    return Err(MarkingError(text.to_string()));
                }
                releasable_to.push(code.to_string());
            }
        }
        Ok(Marking {
            classification,
            releasable_to,
        })
    }

    /// The higher of two markings: the higher classification, released only to those both
    /// may go to.
    pub fn max(&self, other: &Marking) -> Marking {
        let classification = if other.level() > self.level() {
            other.classification.clone()
        } else {
            self.classification.clone()
        };
        let releasable_to = match (
            self.releasable_to.is_empty(),
            other.releasable_to.is_empty(),
        ) {
            (true, _) => other.releasable_to.clone(),
            (_, true) => self.releasable_to.clone(),
            _ => self
                .releasable_to
                .iter()
                .filter(|c| other.releasable_to.contains(c))
                .cloned()
                .collect(),
        };
        Marking {
            classification,
            releasable_to,
        }
    }
}

impl fmt::Display for Marking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.classification)?;
        if !self.releasable_to.is_empty() {
            write!(f, "//REL TO {}", self.releasable_to.join(", "))?;
        }
        Ok(())
    }
}

/// A rule that marks what an archival unit holds at least so high: the holding service's
/// own classification of a fonds or a file, or what an agreement with a partner allows.
/// A paragraph citing a sheet of the unit is marked no lower than the rule, whatever the
/// sheet itself says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkingRule {
    /// The unit, as a printed reference code ("ф. 9002" or "ф. 9002, оп. 1, д. 1").
    pub unit: String,
    /// The marking it gives.
    pub marking: Marking,
    /// Why (the authority for it).
    pub why: String,
    /// Who set it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// One paragraph of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    /// Its section: "subject", "service", "recruitment", "handling", "activity", "access",
    /// "related", "assessment", "questions", "sources".
    pub section: String,
    /// The text.
    pub text: String,
    /// The claims it rests on.
    pub claims: Vec<String>,
    /// Its citations (those of its claims).
    pub citations: Vec<Citation>,
    /// The marking the rules give (the highest of its sources').
    pub marking: Marking,
    /// A reviewer's marking, which replaces the rules' one.
    pub marking_override: Option<Marking>,
    /// A person edited the text (regeneration keeps it and says what changed).
    pub edited: bool,
}

impl Paragraph {
    /// The marking in force.
    pub fn effective_marking(&self) -> &Marking {
        self.marking_override.as_ref().unwrap_or(&self.marking)
    }
}

/// Where a report is in its life.
pub const REPORT_STATUSES: &[&str] = &["draft", "reviewed", "approved"];

/// One version of a report on one agent or case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Its id ("R-" and the subject's id, with a period or case when there are several).
    pub id: String,
    /// Its version, from 1.
    pub version: u32,
    /// The person or case it covers.
    pub subject: String,
    /// The subject's name as the report gives it.
    pub subject_name: String,
    /// Its title.
    pub title: String,
    /// "draft", "reviewed" or "approved".
    pub status: String,
    /// The paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
    /// Countries it concerns (ISO 3166 alpha-3).
    pub countries: Vec<String>,
    /// The earliest and latest year it covers.
    pub period: Option<(i32, i32)>,
    /// The subject's cover names, earliest first.
    #[serde(default)]
    pub cover_names: Vec<String>,
    /// The people the report names beside the subject, and how.
    #[serde(default)]
    pub related: Vec<Related>,
    /// The places it names.
    #[serde(default)]
    pub places: Vec<String>,
    /// The services the subject served in, as the text names them ("НКВД").
    #[serde(default)]
    pub services: Vec<String>,
    /// Who made this version and when, and why.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why this version (generated, edited, reviewed, approved, regenerated).
    pub why: String,
}

/// A person a report names beside its subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    /// Their person id, when resolution knows them.
    pub person: Option<String>,
    /// Their name.
    pub name: String,
    /// How: "recruited_by", "handled_by", "met_with", "reported_on", "recruited", ...
    pub relation: String,
}

impl Report {
    /// The report's own marking: the highest of its paragraphs'.
    pub fn marking(&self) -> Marking {
        self.paragraphs
            .iter()
            .fold(Marking::unclassified(), |m, p| m.max(p.effective_marking()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_on_the_scale_and_off_it() {
        assert_eq!(
            Grade::parse("b2").unwrap(),
            Grade {
                reliability: 'B',
                credibility: 2
            }
        );
        assert_eq!(Grade::parse("F6").unwrap().to_string(), "F6");
        for bad in ["G1", "A0", "A7", "AA", "B", "B22", "", "2B"] {
            assert!(Grade::parse(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        // Any text gets an answer, never a panic; what parses prints back the same.
        #[test]
        fn grades_and_markings_parse_or_refuse(text in "\\PC{0,40}") {
            if let Ok(g) = Grade::parse(&text) {
                proptest::prop_assert_eq!(Grade::parse(&g.to_string()).unwrap(), g);
            }
            if let Ok(m) = Marking::parse(&text) {
                proptest::prop_assert_eq!(Marking::parse(&m.to_string()).unwrap(), m);
            }
        }

        #[test]
        fn near_valid_markings_round_trip(level in 0usize..5, codes in proptest::collection::vec("[A-Z]{3}", 0..4)) {
            let mut text = CLASSIFICATIONS[level].to_string();
            if !codes.is_empty() {
                text.push_str(&format!("//REL TO {}", codes.join(", ")));
            }
            let m = Marking::parse(&text).unwrap();
            proptest::prop_assert_eq!(m.to_string(), text);
        }
    }

    #[test]
    fn the_higher_marking_wins_and_release_narrows() {
        let a = Marking::parse("SECRET//REL TO GBR, USA").unwrap();
        let b = Marking::parse("confidential//REL TO USA, CAN").unwrap();
        let m = a.max(&b);
        assert_eq!(m.to_string(), "SECRET//REL TO USA");
        assert_eq!(Marking::unclassified().max(&b), b);
        for bad in ["SECRETISH", "SECRET//TO GBR", "SECRET//REL TO GB"] {
            assert!(Marking::parse(bad).is_err(), "{bad}");
        }
    }
}
