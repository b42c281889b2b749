//! What the archive says of one person, as a face shows it: the person with every name,
//! cover name and mention, their relations and timeline, and cover names with their
//! holders. Views built by the identity service and rendered by the report crate and the
//! CLI; no rule lives here.

use serde::Serialize;

use crate::{DocId, Judgement};

/// A retired person id, and where its mentions are now: what a command says when it is
/// given an id that was merged into another person.
#[derive(Clone, Debug, Serialize)]
pub struct Redirect {
    /// The id asked for.
    pub from: String,
    /// The person its mentions are now under.
    pub merged_into: String,
    /// Why it was merged.
    pub reason: String,
    /// When.
    pub at: String,
}

/// One mention of a person, where it is.
#[derive(Clone, Debug, Serialize)]
pub struct PersonMention {
    /// The mention's number.
    pub id: i64,
    /// The document.
    pub doc: DocId,
    /// Its reference code.
    pub reference: Option<String>,
    /// The page.
    pub page: u32,
    /// The sheet, when known.
    pub sheet: Option<u32>,
    /// First character in the page's text.
    pub start: u32,
    /// One past the last.
    pub end: u32,
    /// As written.
    pub text: String,
    /// The text around it.
    pub context: String,
}

/// A cover name a person held, and when the documents say so.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct CoverNameHeld {
    /// The cover name.
    pub name: String,
    /// First date of the documents that link it to the person, as precise as they give
    /// it ("1937", "1937-05", "1937-05-14"), if dated.
    pub from: Option<String>,
    /// Last date.
    pub to: Option<String>,
}

/// A person as resolution found them.
#[derive(Clone, Debug, Serialize)]
pub struct Person {
    /// Stable id.
    pub id: String,
    /// The fullest name.
    pub name: String,
    /// Every spelling met.
    pub names: Vec<String>,
    /// Cover names linked by the text ("псевдоним", "code-named"), with periods.
    pub cover_names: Vec<CoverNameHeld>,
    /// Ids of persons since merged into this one: they still lead here.
    pub merged_from: Vec<String>,
    /// Every mention.
    pub mentions: Vec<PersonMention>,
}

/// A relation of a person to another person, a service or a place.
#[derive(Clone, Debug, Serialize)]
pub struct DossierRelation {
    /// What the relation says.
    pub kind: crate::RelationKind,
    /// Whether the person is the first end ("X handled_by Y": X is "from").
    pub outgoing: bool,
    /// The other end: a person's id when it is a resolved person.
    pub other_person: Option<String>,
    /// The other end as written (lemma).
    pub other: String,
    /// The document and page that state it.
    pub doc: DocId,
    /// The page.
    pub page: u32,
}

/// One dated event in a person's file.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineEntry {
    /// The document's date as precise as it is given: "1937", "1937-05-14", "1938..1941".
    pub date: String,
    /// The document.
    pub doc: DocId,
    /// Its reference code.
    pub reference: Option<String>,
    /// What the document says of the person (the first mention's context).
    pub text: String,
}

/// Everything on one person.
#[derive(Clone, Debug, Serialize)]
pub struct Dossier {
    /// The person.
    #[serde(flatten)]
    pub person: Person,
    /// Roles the text gives them ("agent", "case_officer", ...).
    pub roles: Vec<String>,
    /// The units (files) their mentions are in, by reference code.
    pub units: Vec<String>,
    /// Units that are the person's own file by title, with what the gaps findings say of
    /// them (an empty or stripped file is itself a finding).
    pub own_files: Vec<OwnFile>,
    /// Relations stated in the text.
    pub relations: Vec<DossierRelation>,
    /// Dated documents in order.
    pub timeline: Vec<TimelineEntry>,
    /// Judgements people made about this person's mentions.
    pub judgements: Vec<Judgement>,
    /// When the dossier was asked for by an id since merged into this person: which, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirect>,
}

/// Another person who may be this one: resolution keeps them apart, yet nothing in their
/// names contradicts. What a reviewer settles with "same", "different" or "unsure".
#[derive(Clone, Debug, Serialize)]
pub struct CandidateLink {
    /// The other person's id.
    pub person_id: String,
    /// Their fullest name.
    pub name: String,
    /// How many times they are mentioned.
    pub mentions: u64,
    /// What the names alone say: "same" (kept apart by context or a judgement) or "unsure".
    pub verdict: crate::Verdict,
    /// How strongly the names agree (1 = every part the same).
    pub score: f64,
    /// Why, one line per part of the names compared.
    pub reasons: Vec<String>,
    /// Judgements already made between the two (undone ones left out), by number.
    pub judgements: Vec<i64>,
}

/// A unit whose title names the person.
#[derive(Clone, Debug, Serialize)]
pub struct OwnFile {
    /// Its reference code.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Open gaps findings on it ("empty", "missing", "sheets").
    pub findings: Vec<String>,
}

/// A cover name with its holders.
#[derive(Clone, Debug, Serialize)]
pub struct CoverNameView {
    /// The cover name (nominative where the text gave it; the Cyrillic spelling where
    /// there is one).
    pub name: String,
    /// Every spelling met: «ХОЛА», HOLA, Hola are one cover name.
    pub spellings: Vec<String>,
    /// Mentions of it.
    pub mentions: u64,
    /// Who held it, and when, by the documents that say so.
    pub holders: Vec<CoverHolder>,
    /// Documents that mention it but do not say who held it then.
    pub unknown_holder_docs: Vec<DocId>,
}

/// One holder of a cover name.
#[derive(Clone, Debug, Serialize)]
pub struct CoverHolder {
    /// The person's id.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// First date.
    pub from: Option<String>,
    /// Last date.
    pub to: Option<String>,
    /// Documents that link them.
    pub evidence: Vec<DocId>,
}

/// What the archive knows of one person, in the round, for deciding who is named in public
/// and for drawing their public page: names, cover names held, roles, births and links.
#[derive(Clone, Debug, Serialize)]
pub struct PersonFacts {
    /// The person id ("P12").
    pub id: String,
    /// Their fullest name.
    pub name: String,
    /// Every spelling of their name, fullest first.
    pub names: Vec<String>,
    /// Cover names they held, earliest first.
    pub cover_names: Vec<CoverNameHeld>,
    /// Roles the text gives them ("резидент", "case officer").
    pub roles: Vec<String>,
    /// Dates of birth the text gives, as written.
    pub born: Vec<String>,
    /// Their links to others (no roles, cover names or births: those are above).
    pub links: Vec<DossierRelation>,
}
