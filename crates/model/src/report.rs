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
    /// In a release variant: a citation of a source the recipient may not see, standing
    /// where it was with nothing of it (no document, place or quote).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withheld: bool,
}

impl Citation {
    /// The neutral reference that replaces a citation its recipient may not see.
    pub fn withheld() -> Citation {
        Citation {
            doc: DocId(0),
            reference: None,
            page: 0,
            start: 0,
            end: 0,
            quote: String::new(),
            marking: None,
            withheld: true,
        }
    }

    fn key(&self) -> (bool, DocId, u32, u32, u32, &Option<String>, &str) {
        (
            self.withheld,
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

/// A classification level. The order is the order of sensitivity, lowest first, so that
/// `max` and `<` compare levels. A word that is not one of them is an error wherever it is
/// read (from a flag, a page of JSON, the store): never quietly UNCLASSIFIED.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum Classification {
    /// Not classified.
    #[default]
    #[serde(rename = "UNCLASSIFIED")]
    Unclassified,
    /// RESTRICTED.
    #[serde(rename = "RESTRICTED")]
    Restricted,
    /// CONFIDENTIAL.
    #[serde(rename = "CONFIDENTIAL")]
    Confidential,
    /// SECRET.
    #[serde(rename = "SECRET")]
    Secret,
    /// TOP SECRET.
    #[serde(rename = "TOP SECRET")]
    TopSecret,
}

impl Classification {
    /// Every level, lowest first.
    pub const ALL: [Classification; 5] = [
        Classification::Unclassified,
        Classification::Restricted,
        Classification::Confidential,
        Classification::Secret,
        Classification::TopSecret,
    ];

    /// The level as written in a banner: "TOP SECRET".
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Unclassified => "UNCLASSIFIED",
            Classification::Restricted => "RESTRICTED",
            Classification::Confidential => "CONFIDENTIAL",
            Classification::Secret => "SECRET",
            Classification::TopSecret => "TOP SECRET",
        }
    }

    /// The level as written in a portion mark: "TS".
    pub fn short(self) -> &'static str {
        match self {
            Classification::Unclassified => "U",
            Classification::Restricted => "R",
            Classification::Confidential => "C",
            Classification::Secret => "S",
            Classification::TopSecret => "TS",
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Classification {
    type Err = MarkingError;

    /// Reads a level in any case ("secret", "Top Secret").
    fn from_str(text: &str) -> Result<Classification, MarkingError> {
        let level = text.trim();
        Classification::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(level))
            .ok_or_else(|| {
                MarkingError(
                    excerpt(text),
                    "a classification is one of UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET, TOP SECRET".to_string(),
                )
            })
    }
}

/// A portion marking: a classification, who it may be released to, and the dissemination
/// controls on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Marking {
    /// The level.
    pub classification: Classification,
    /// ISO 3166 alpha-3 codes it may be released to; empty for no restriction beyond the
    /// classification (unless `noforn`).
    pub releasable_to: Vec<String>,
    /// NOFORN: not releasable to any foreign service or national.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub noforn: bool,
    /// ORCON: the originator controls any further dissemination.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub orcon: bool,
}

/// A marking that does not parse: (a short excerpt of) the input, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a marking: {1}")]
pub struct MarkingError(pub String, pub String);

/// The longest marking taken, in characters.
const MARKING_MAX: usize = 1000;

/// What a marking must look like, said after what was wrong.
const MARKING_FORM: &str = "one of UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET, TOP SECRET, optionally followed by dissemination controls as in 'SECRET//REL TO GBR, USA', 'SECRET//NOFORN' or 'SECRET//ORCON/REL TO GBR' (NOFORN and REL TO exclude each other; any case)";

/// At most 60 characters of an input, quoted with control characters escaped: what an
/// error quotes of what it was given, never a huge input nor a terminal escape.
pub fn excerpt(text: &str) -> String {
    let mut cut: String = text.chars().take(60).collect();
    if text.chars().nth(60).is_some() {
        cut.push('…');
    }
    format!("{cut:?}")
}

impl Marking {
    /// The lowest marking.
    pub fn unclassified() -> Marking {
        Marking {
            classification: Classification::Unclassified,
            releasable_to: Vec::new(),
            noforn: false,
            orcon: false,
        }
    }

    /// Reads "SECRET", "SECRET//REL TO GBR, USA", "SECRET//NOFORN" (or NF),
    /// "TOP SECRET//ORCON/NOFORN" (ORCON or OC), in either case.
    pub fn parse(text: &str) -> Result<Marking, MarkingError> {
        let why = |reason: &str| MarkingError(excerpt(text), reason.to_string());
        let bad = || why(MARKING_FORM);
        if text.chars().count() > MARKING_MAX {
            return Err(why(&format!(
                "it is {} characters long; a marking is at most {MARKING_MAX}",
                text.chars().count()
            )));
        }
        // One rule for case: none. Levels, controls and country codes are read in any
        // case and kept in capitals.
        let (level, controls) = match text.split_once("//") {
            Some((l, r)) => (l.trim(), Some(r)),
            None => (text.trim(), None),
        };
        let classification: Classification = level.parse().map_err(|_| bad())?;
        let mut m = Marking {
            classification,
            ..Marking::unclassified()
        };
        let mut rel_seen = false;
        for part in controls.into_iter().flat_map(|r| r.split('/')) {
            let upper = part.trim().to_uppercase();
            match upper.as_str() {
                "" => continue,
                "NOFORN" | "NF" => m.noforn = true,
                "ORCON" | "OC" => m.orcon = true,
                _ => {
                    let list = upper.strip_prefix("REL TO").ok_or_else(bad)?;
                    if rel_seen {
                        return Err(why("REL TO is given twice; give one list"));
                    }
                    rel_seen = true;
                    let codes: Vec<&str> = list.split(',').map(str::trim).collect();
                    if codes.iter().all(|c| c.is_empty()) {
                        return Err(why("REL TO names no country"));
                    }
                    for code in codes {
                        if code.is_empty() {
                            return Err(why("an empty place between commas in REL TO"));
                        }
                        if code.len() == 3 && crate::countries::country_name(code).is_none() {
                            return Err(why(&format!(
                                "{} is not an ISO 3166 alpha-3 country code",
                                excerpt(code)
                            )));
                        }
                        if code.len() != 3 && !crate::release::is_group_name(code) {
                            return Err(why(&format!(
                                "{} is neither an ISO 3166 alpha-3 country code nor a group's name (FVEY, NATO, or 4 to 16 capitals and digits an archive defines)",
                                excerpt(code)
                            )));
                        }
                        if m.releasable_to.iter().any(|c| c == code) {
                            return Err(why(&format!("{code} is listed twice in REL TO")));
                        }
                        m.releasable_to.push(code.to_string());
                    }
                }
            }
        }
        if controls.is_some_and(|c| c.trim().is_empty()) {
            return Err(why("nothing follows //"));
        }
        if m.noforn && rel_seen {
            return Err(why("NOFORN and REL TO exclude each other"));
        }
        Ok(m)
    }

    /// The higher of two markings: the higher classification, every dissemination control
    /// of either, released only to those both may go to. Two release lists with nobody in
    /// common leave nobody foreign it may go to: NOFORN.
    ///
    /// A group every archive knows (`FVEY`) counts as its member countries, so `REL TO
    /// FVEY` and `REL TO GBR, DEU` leave `REL TO GBR`; a group an archive defines is kept
    /// only when both lists name it, since its members are not known here.
    pub fn max(&self, other: &Marking) -> Marking {
        let classification = self.classification.max(other.classification);
        let mut noforn = self.noforn || other.noforn;
        let mut releasable_to = match (
            self.releasable_to.is_empty(),
            other.releasable_to.is_empty(),
        ) {
            (true, _) => other.releasable_to.clone(),
            (_, true) => self.releasable_to.clone(),
            _ => {
                let common = common_release(&self.releasable_to, &other.releasable_to);
                if common.is_empty() {
                    noforn = true;
                }
                common
            }
        };
        if noforn {
            releasable_to.clear();
        }
        Marking {
            classification,
            releasable_to,
            noforn,
            orcon: self.orcon || other.orcon,
        }
    }

    /// The dissemination controls as printed after the classification, long ("ORCON",
    /// "NOFORN", "REL TO GBR, USA") or short ("OC", "NF").
    pub fn controls(&self, short: bool) -> Vec<String> {
        let mut out = Vec::new();
        if self.orcon {
            out.push(if short { "OC" } else { "ORCON" }.to_string());
        }
        if self.noforn {
            out.push(if short { "NF" } else { "NOFORN" }.to_string());
        } else if !self.releasable_to.is_empty() {
            out.push(format!("REL TO {}", self.releasable_to.join(", ")));
        }
        out
    }
}

/// Who both release lists let through: the countries both admit (a known group counting as
/// its members) and the archive's own groups both name, written back as a known group
/// where all its members remain, in the order the lists first name them.
fn common_release(a: &[String], b: &[String]) -> Vec<String> {
    use crate::release::group_members;
    use std::collections::BTreeSet;
    let admits = |list: &[String]| -> BTreeSet<String> {
        let mut set = BTreeSet::new();
        for t in list {
            match group_members(t) {
                Some(members) => set.extend(members.iter().map(|m| m.to_string())),
                None => {
                    set.insert(t.clone());
                }
            }
        }
        set
    };
    let mut left: BTreeSet<String> = admits(a).intersection(&admits(b)).cloned().collect();
    let mut out = Vec::new();
    for t in a.iter().chain(b) {
        if out.contains(t) {
            continue;
        }
        match group_members(t) {
            Some(members) if members.iter().all(|m| left.contains(*m)) => {
                for m in members {
                    left.remove(*m);
                }
                out.push(t.clone());
            }
            Some(_) => {}
            None => {
                if left.remove(t) {
                    out.push(t.clone());
                }
            }
        }
    }
    out.extend(left);
    out
}

impl fmt::Display for Marking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.classification)?;
        let controls = self.controls(false);
        if !controls.is_empty() {
            write!(f, "//{}", controls.join("/"))?;
        }
        Ok(())
    }
}

/// A rule that marks what an archival unit holds at least so high: the holding service's
/// own classification of a fonds or a file, or what an agreement with a partner allows.
/// What became of a report that is no longer current: superseded by others (its subject
/// merged into another person, or split), or withdrawn (its subject, period or case is no
/// longer in the evidence). Kept for good beside the report's versions, so that a report
/// recalled by its id says where its content went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFate {
    /// The report.
    pub report: String,
    /// Its version that this concerns (the last one before the change).
    pub version: u32,
    /// What became of it.
    pub fate: Fate,
    /// The reports that replace it (superseded only).
    pub by: Vec<String>,
    /// Why, in words.
    pub reason: String,
    /// When (RFC 3339).
    pub at: String,
}

/// What became of a report the collection no longer makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fate {
    /// Its content is now in other reports (named in `by`).
    Superseded,
    /// The evidence no longer makes it, and nothing took its place.
    Withdrawn,
}

impl Fate {
    /// Its word: "superseded" or "withdrawn".
    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Superseded => "superseded",
            Fate::Withdrawn => "withdrawn",
        }
    }
}

impl std::fmt::Display for Fate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Counts over the whole collection, like "3,500 reports on 1,000 agents in 36 countries".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionIndex {
    /// Reports.
    pub reports: u64,
    /// Distinct subjects.
    pub agents: u64,
    /// Distinct countries.
    pub countries: u64,
    /// Reports by country (ISO 3166 alpha-3).
    pub by_country: std::collections::BTreeMap<String, u64>,
    /// Reports by status.
    pub by_status: std::collections::BTreeMap<String, u64>,
    /// Reports by decade of their period's start ("1930s").
    pub by_period: std::collections::BTreeMap<String, u64>,
    /// Reports by service named in them ("unknown" when none is).
    pub by_service: std::collections::BTreeMap<String, u64>,
}

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
    /// Where the marking rests on an uncertain reading of a source page (a header OCR
    /// garbled, taken at the highest level it could be): what was read, for the reviewer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marking_notes: Vec<String>,
}

impl Paragraph {
    /// The marking in force.
    pub fn effective_marking(&self) -> &Marking {
        self.marking_override.as_ref().unwrap_or(&self.marking)
    }
}

/// Where a report is in its life: a draft is reviewed, then approved, one step at a time;
/// any edit makes a new version that is a draft again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    /// Written or rebuilt, not yet reviewed.
    Draft,
    /// Reviewed, not yet approved.
    Reviewed,
    /// Approved: this version stays as it is.
    Approved,
}

impl ReportStatus {
    /// Every status, in the order a report goes through them.
    pub const ALL: [ReportStatus; 3] = [
        ReportStatus::Draft,
        ReportStatus::Reviewed,
        ReportStatus::Approved,
    ];

    /// The word for it: "draft", "reviewed", "approved".
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Reviewed => "reviewed",
            ReportStatus::Approved => "approved",
        }
    }

    /// The status a report must have to be moved to this one: none for a draft, which is
    /// reached by writing, not by moving on.
    pub fn comes_after(self) -> Option<ReportStatus> {
        match self {
            ReportStatus::Draft => None,
            ReportStatus::Reviewed => Some(ReportStatus::Draft),
            ReportStatus::Approved => Some(ReportStatus::Reviewed),
        }
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A word that is not a report status.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a report status: one of draft, reviewed, approved")]
pub struct ReportStatusError(pub String);

impl std::str::FromStr for ReportStatus {
    type Err = ReportStatusError;

    fn from_str(text: &str) -> Result<ReportStatus, ReportStatusError> {
        ReportStatus::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| ReportStatusError(excerpt(text)))
    }
}

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
    /// Where it is in its life.
    pub status: ReportStatus,
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
    /// In a release variant: who it was released to ("GBR-MI5 (MI5, GBR)"), printed
    /// with the report's particulars so that a copy says whose it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_to: Option<String>,
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

    /// A report moves on one step at a time, and only words of the vocabulary are read.
    #[test]
    fn report_statuses_move_on_one_step_at_a_time() {
        use ReportStatus::*;
        assert_eq!(Reviewed.comes_after(), Some(Draft));
        assert_eq!(Approved.comes_after(), Some(Reviewed));
        assert_eq!(Draft.comes_after(), None);
        assert_eq!("Approved".parse(), Ok(Approved));
        assert!("lost".parse::<ReportStatus>().is_err());
        assert!(serde_json::from_str::<ReportStatus>("\"final\"").is_err());
        assert_eq!(serde_json::to_string(&Reviewed).unwrap(), "\"reviewed\"");
        assert_eq!(format!("{:<9}|", Draft), "draft    |");
    }

    /// A level nobody knows is an error wherever it comes from, never the lowest level:
    /// from text, and from JSON (a stored report, a bag's description).
    #[test]
    fn an_unknown_classification_is_an_error_never_unclassified() {
        assert_eq!("secret".parse(), Ok(Classification::Secret));
        assert_eq!(" Top Secret ".parse(), Ok(Classification::TopSecret));
        for bad in ["SEKRET", "", "UNCLASSIFIED//", "STRENG GEHEIM"] {
            assert!(bad.parse::<Classification>().is_err(), "{bad:?}");
        }
        let stored = r#"{"classification":"SEKRET","releasable_to":[]}"#;
        assert!(serde_json::from_str::<Marking>(stored).is_err());
        let stored = r#"{"classification":"TOP SECRET","releasable_to":["GBR"]}"#;
        let m: Marking = serde_json::from_str(stored).expect("a known level");
        assert_eq!(m.classification, Classification::TopSecret);
        assert_eq!(m.to_string(), "TOP SECRET//REL TO GBR");
        // Levels compare by sensitivity.
        assert!(Classification::Restricted < Classification::Confidential);
        assert_eq!(
            Classification::ALL.iter().max(),
            Some(&Classification::TopSecret)
        );
    }

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
        fn near_valid_markings_round_trip(
            level in 0usize..5,
            picks in proptest::collection::btree_set(0usize..crate::countries::COUNTRIES.len(), 0..4),
            orcon: bool,
            noforn: bool,
        ) {
            let codes: Vec<&str> = picks.iter().map(|&i| crate::countries::COUNTRIES[i].0).collect();
            let mut text = Classification::ALL[level].to_string();
            let mut controls = Vec::new();
            if orcon {
                controls.push("ORCON".to_string());
            }
            if noforn {
                controls.push("NOFORN".to_string());
            } else if !codes.is_empty() {
                controls.push(format!("REL TO {}", codes.join(", ")));
            }
            if !controls.is_empty() {
                text.push_str(&format!("//{}", controls.join("/")));
            }
            let m = Marking::parse(&text).unwrap();
            proptest::prop_assert_eq!(m.to_string(), text);
            // The higher of a marking and itself is itself.
            proptest::prop_assert_eq!(m.max(&m), m.clone());
        }

        /// A three-letter code is taken exactly when it is a country's, in any case.
        #[test]
        fn a_code_is_taken_only_when_it_is_a_country(code in "[A-Za-z]{3}") {
            let parsed = Marking::parse(&format!("SECRET//REL TO {code}"));
            let known = crate::countries::country_name(&code.to_uppercase()).is_some();
            proptest::prop_assert_eq!(parsed.is_ok(), known);
        }

        // Whatever two markings are combined, the result is as high as either, keeps
        // every control, and goes to nobody either may not go to.
        #[test]
        fn the_higher_of_two_markings_never_releases_more(
            a in 0usize..5, b in 0usize..5,
            ra in proptest::collection::vec("(GBR|USA|CAN|AUS|NZL|DEU|FVEY|NATO|BALTIC)", 0..3),
            rb in proptest::collection::vec("(GBR|USA|CAN|AUS|NZL|DEU|FVEY|NATO|BALTIC)", 0..3),
            na: bool, nb: bool, oa: bool, ob: bool,
        ) {
            let make = |level: usize, rel: &Vec<String>, noforn: bool, orcon: bool| Marking {
                classification: Classification::ALL[level],
                releasable_to: if noforn {
                    vec![]
                } else {
                    rel.iter().fold(Vec::new(), |mut list, c| {
                        if !list.contains(c) {
                            list.push(c.clone());
                        }
                        list
                    })
                },
                noforn,
                orcon,
            };
            let (x, y) = (make(a, &ra, na, oa), make(b, &rb, nb, ob));
            let m = x.max(&y);
            proptest::prop_assert_eq!(m.classification, Classification::ALL[a.max(b)]);
            proptest::prop_assert_eq!(m.orcon, oa || ob);
            // "EST*" is a partner of Estonia said to be in the archive's own group BALTIC.
            let may_go = |k: &Marking, c: &str| {
                let country = c.trim_end_matches('*');
                !k.noforn
                    && (k.releasable_to.is_empty()
                        || k.releasable_to.iter().any(|r| {
                            r == country
                                || crate::release::group_members(r)
                                    .is_some_and(|g| g.contains(&country))
                                || (r == "BALTIC" && c.ends_with('*'))
                        }))
            };
            for country in ["GBR", "USA", "CAN", "AUS", "NZL", "DEU", "FRA", "EST", "EST*"] {
                if may_go(&m, country) {
                    proptest::prop_assert!(may_go(&x, country) && may_go(&y, country), "{} to {}", m, country);
                }
            }
            // And it prints as something that reads back the same.
            proptest::prop_assert_eq!(Marking::parse(&m.to_string()).unwrap(), m);
        }
    }

    #[test]
    fn a_known_group_counts_as_its_countries_when_release_lists_are_combined() {
        let max = |a: &str, b: &str| {
            Marking::parse(a)
                .unwrap()
                .max(&Marking::parse(b).unwrap())
                .to_string()
        };
        assert_eq!(
            max("SECRET//REL TO FVEY", "SECRET//REL TO GBR, DEU"),
            "SECRET//REL TO GBR"
        );
        assert_eq!(
            max("SECRET//REL TO NATO", "SECRET//REL TO FVEY"),
            "SECRET//REL TO CAN, GBR, USA"
        );
        assert_eq!(
            max("SECRET//REL TO FVEY", "SECRET//REL TO FVEY, DEU"),
            "SECRET//REL TO FVEY"
        );
        assert_eq!(
            max("SECRET//REL TO ACGU, NZL", "SECRET//REL TO FVEY"),
            "SECRET//REL TO ACGU, NZL"
        );
        // The archive's own groups: kept only when both name them.
        assert_eq!(
            max("SECRET//REL TO BALTIC", "SECRET//REL TO EST"),
            "SECRET//NOFORN"
        );
        assert_eq!(
            max("SECRET//REL TO BALTIC, GBR", "SECRET//REL TO BALTIC"),
            "SECRET//REL TO BALTIC"
        );
        // A word of a group's shape reads; one of a country's shape must be a country.
        assert!(Marking::parse("SECRET//REL TO GERMANY").is_ok());
        assert!(Marking::parse("SECRET//REL TO fvey").is_ok());
        assert!(Marking::parse("SECRET//REL TO GER").is_err());
        assert!(Marking::parse("SECRET//REL TO F-EY").is_err());
    }

    #[test]
    fn the_higher_marking_wins_and_release_narrows() {
        let a = Marking::parse("SECRET//REL TO GBR, USA").unwrap();
        let b = Marking::parse("confidential//REL TO USA, CAN").unwrap();
        let m = a.max(&b);
        assert_eq!(m.to_string(), "SECRET//REL TO USA");
        assert_eq!(Marking::unclassified().max(&b), b);
        for bad in [
            "SECRETISH",
            "SECRET//TO GBR",
            "SECRET//REL TO GB",
            "SECRET//REL TO XXX",
            "SECRET//REL TO GBR,,USA",
            "SECRET//REL TO GBR, GBR",
            "SECRET//",
            "SECRET//REL TO",
            "SECRET//NOFORN/REL TO GBR",
            "SECRET//REL TO GBR/REL TO USA",
        ] {
            assert!(Marking::parse(bad).is_err(), "{bad}");
        }
        // Lists with nobody in common leave nobody foreign: NOFORN, not "anyone".
        let gbr = Marking::parse("SECRET//REL TO GBR").unwrap();
        let usa = Marking::parse("CONFIDENTIAL//REL TO USA").unwrap();
        assert_eq!(gbr.max(&usa).to_string(), "SECRET//NOFORN");
        // One rule for case: any case is read, and kept in capitals.
        assert_eq!(
            Marking::parse("Secret//rel to gbr, usa")
                .unwrap()
                .to_string(),
            "SECRET//REL TO GBR, USA"
        );
        // Errors say what is wrong and quote at most a short excerpt.
        let long = format!("SECRET//REL TO {}", "GBR, ".repeat(20_000));
        let e = Marking::parse(&long).unwrap_err().to_string();
        assert!(e.contains("at most 1000") && e.len() < 300, "{e}");
        let e = Marking::parse("SECRET//REL TO GBR, XXX")
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"XXX\" is not an ISO 3166"), "{e}");
        let e = Marking::parse("SECRET//REL TO GBR, USA, GBR")
            .unwrap_err()
            .to_string();
        assert!(e.contains("GBR is listed twice"), "{e}");
        assert!(
            Marking::parse("SECRET//REL TO SUN").is_ok(),
            "a former country is a country"
        );
        // Controls add up and are read short or long, in either case.
        let m = Marking::parse("top secret//oc/nf").unwrap();
        assert_eq!(m.to_string(), "TOP SECRET//ORCON/NOFORN");
        assert_eq!(
            Marking::parse("SECRET//ORCON/REL TO GBR")
                .unwrap()
                .max(&gbr)
                .to_string(),
            "SECRET//ORCON/REL TO GBR"
        );
    }
}
