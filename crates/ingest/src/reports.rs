//! Claims and counter-intelligence reports over an archive's evidence.
//!
//! A claim is derived from each relation the text states about a resolved person (or
//! written by an analyst), cited to the exact sentence, and graded on the Admiralty scale
//! by rules that say why: an original file of the service is a usually reliable source (B),
//! an archivist's note or transcript a fairly reliable one (C), a document nobody has
//! placed cannot be judged (F); information found in files of two units is confirmed (1),
//! in two documents of one file probably true (2), in one document possibly true (3), and
//! contradicted by another claim doubtful (4).
//!
//! A report on an agent is built from the claims, paragraph by paragraph, each with its
//! citations and its portion marking (the highest of its sources'); people then edit,
//! review and approve it, each step a new version. Building again after new evidence
//! keeps what people edited and says what changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kartoteka_model::{
    Citation, Claim, DateRange, DocId, Grade, Marking, MarkingRule, MentionRecord, Paragraph,
    PartialDate, PersonStatus, Placement, Reference, Related, Report, ReportFate, ReportStatus,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::identity::World;
use crate::{Archive, ArchiveError};

/// Who derived claims and generated reports are by.
pub const MACHINE: &str = "kartoteka";

/// Claims with the conflicts among them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ClaimSet {
    /// Every claim, derived and written, by subject then topic.
    pub claims: Vec<Claim>,
    /// Pairs of claims that cannot both be true, with what they disagree on.
    pub conflicts: Vec<Conflict>,
    /// The name of each subject, by person id.
    pub names: BTreeMap<String, String>,
}

/// Two claims that contradict each other: both are kept and both are shown.
#[derive(Clone, Debug, Serialize)]
pub struct Conflict {
    /// The subject.
    pub subject: String,
    /// What they disagree on ("birth_date", "recruitment", ...).
    pub topic: String,
    /// One claim's id.
    pub a: String,
    /// The other's.
    pub b: String,
}

/// What `report build` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BuildReport {
    /// Reports written for the first time.
    pub created: Vec<String>,
    /// Reports given a new version, with what changed.
    pub updated: Vec<(String, Vec<String>)>,
    /// Reports the evidence leaves as they were.
    pub unchanged: Vec<String>,
    /// Reports replaced by others: their subject was merged into another person (the
    /// report on that person replaces it), or split (the versions before the split are
    /// replaced by the reports on both parts). Kept, and shown with where to look.
    pub superseded: Vec<ReportFate>,
    /// Reports whose subject, cover-name period or case file the evidence no longer has.
    pub withdrawn: Vec<ReportFate>,
    /// The collection's counts.
    pub index: CollectionIndex,
    /// Seconds taken.
    pub seconds: f64,
}

/// Counts over the whole collection, like "3,500 reports on 1,000 agents in 36 countries".
#[derive(Clone, Debug, Default, Serialize)]
pub struct CollectionIndex {
    /// Reports.
    pub reports: u64,
    /// Distinct subjects.
    pub agents: u64,
    /// Distinct countries.
    pub countries: u64,
    /// Reports by country (ISO 3166 alpha-3).
    pub by_country: BTreeMap<String, u64>,
    /// Reports by status.
    pub by_status: BTreeMap<String, u64>,
    /// Reports by decade of their period's start ("1930s").
    pub by_period: BTreeMap<String, u64>,
    /// Reports by service named in them ("unknown" when none is).
    pub by_service: BTreeMap<String, u64>,
}

/// A span a user cites: "DOC[/PAGE]:START-END", DOC a document number or a reference code.
fn parse_span(text: &str) -> Result<(String, u32, u32, u32), String> {
    let bad = || {
        format!("{text:?}: a span is DOC[/PAGE]:START-END, DOC a document number or a reference code (characters, from 0)")
    };
    let (doc, range) = text.rsplit_once(':').ok_or_else(bad)?;
    let (start, end) = range.split_once('-').ok_or_else(bad)?;
    let (start, end): (u32, u32) = (
        start.trim().parse().map_err(|_| bad())?,
        end.trim().parse().map_err(|_| bad())?,
    );
    if end <= start {
        return Err(format!("{text:?}: the span ends before it starts"));
    }
    let (doc, page) = match doc.rsplit_once('/') {
        Some((d, p)) if p.trim().parse::<u32>().is_ok() => {
            (d.trim().to_string(), p.trim().parse().unwrap_or(1))
        }
        _ => (doc.trim().to_string(), 1),
    };
    if page == 0 {
        return Err(format!("{text:?}: pages count from 1"));
    }
    Ok((doc, page, start, end))
}

/// The characters start..end of a text, when it has them.
fn chars_of(text: &str, start: u32, end: u32) -> Option<String> {
    let n = text.chars().count() as u32;
    (start < end && end <= n).then(|| {
        text.chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect()
    })
}

pub use crate::page_marking::page_marking;
use crate::page_marking::read_page_marking;

/// The pages claims cite, read once, and the marking rules of the units they are in.
struct Pages<'a> {
    archive: &'a Archive,
    text: HashMap<(DocId, u32), Option<String>>,
    rules: Vec<(Reference, Marking)>,
}

impl<'a> Pages<'a> {
    fn new(archive: &'a Archive) -> Result<Self, ArchiveError> {
        let rules = archive
            .store()
            .marking_rules()?
            .into_iter()
            .filter_map(|r| Some((Reference::parse(&r.unit).ok()?, r.marking)))
            .collect();
        Ok(Pages {
            archive,
            text: HashMap::new(),
            rules,
        })
    }

    /// A page's marking: the highest of what the page itself says and what the rules of
    /// the units holding it give.
    fn marking(
        &mut self,
        doc: DocId,
        page: u32,
        at: Option<&Reference>,
    ) -> Result<(Marking, Vec<String>), ArchiveError> {
        let (mut m, notes) = self
            .get(doc, page)?
            .map(read_page_marking)
            .unwrap_or_else(|| (Marking::unclassified(), Vec::new()));
        let place = at
            .map(|r| r.to_string())
            .unwrap_or_else(|| format!("document {}", doc.0));
        let notes = notes
            .into_iter()
            .map(|n| format!("{place}, p. {page}: {n}"))
            .collect();
        if let Some(at) = at {
            for (unit, rule) in &self.rules {
                if unit.contains(at) {
                    m = m.max(rule);
                }
            }
        }
        Ok((m, notes))
    }

    fn get(&mut self, doc: DocId, page: u32) -> Result<Option<&str>, ArchiveError> {
        if !self.text.contains_key(&(doc, page)) {
            let t = self.archive.store().page(doc, page)?.map(|p| p.text);
            self.text.insert((doc, page), t);
        }
        Ok(self.text[&(doc, page)].as_deref())
    }
}

/// Topics a subject has one truth of: two different answers are a conflict.
const SINGLE_VALUED: &[&str] = &["birth_date", "birth_place", "recruitment"];

impl World {
    /// Who each cover-name mention stands for: the person a statement in its document ties
    /// that cover name to.
    fn cover_owners(&self) -> HashMap<i64, String> {
        let covers = self.covers();
        let key_of: HashMap<i64, &String> = covers
            .iter()
            .flat_map(|(k, c)| c.mentions.iter().map(move |m| (*m, k)))
            .collect();
        // (document, cover key) -> holders stated in that document.
        let mut stated: HashMap<(DocId, &String), BTreeSet<&String>> = HashMap::new();
        for r in self.relations.iter().filter(|r| r.kind == "code_named") {
            let (p, c) = if key_of.contains_key(&r.to) {
                (r.from, r.to)
            } else {
                (r.to, r.from)
            };
            if let (Some(person), Some(key)) = (self.person_of.get(&p), key_of.get(&c)) {
                stated.entry((r.doc, *key)).or_default().insert(person);
            }
        }
        let mut named_on: HashMap<(DocId, u32), Vec<&kartoteka_model::RelationRecord>> =
            HashMap::new();
        for r in self.relations.iter().filter(|r| r.kind == "code_named") {
            named_on.entry((r.doc, r.page)).or_default().push(r);
        }
        let mut out = HashMap::new();
        for (m, key) in &key_of {
            let Some(mention) = self.mention.get(m) else {
                continue;
            };
            // The statement around the mention names its holder ("SOKOLOVA ... code-named
            // HOLA, was recruited"), even where the document gives the name to another later.
            let around = named_on
                .get(&(mention.doc, mention.page))
                .into_iter()
                .flatten()
                .find(|r| r.start <= mention.start && mention.end <= r.end);
            if let Some(r) = around {
                let p = if key_of.contains_key(&r.to) {
                    r.from
                } else {
                    r.to
                };
                let same_cover = key_of.get(&r.to).or_else(|| key_of.get(&r.from)) == Some(key);
                if let Some(person) = self.person_of.get(&p).filter(|_| same_cover) {
                    out.insert(*m, person.clone());
                    continue;
                }
            }
            if let Some(holders) = stated.get(&(mention.doc, *key)) {
                if holders.len() == 1 {
                    if let Some(h) = holders.iter().next() {
                        out.insert(*m, (*h).clone());
                    }
                }
            }
        }
        out
    }
}

/// What derivation looks up, worked out once for all subjects: who each cover-name
/// mention stands for, the dates and places of each page, which dates are births, the
/// cover name of each mention, and the relations of each person.
struct Evidence<'w> {
    owners: HashMap<i64, String>,
    dates_on: HashMap<(DocId, u32), Vec<&'w MentionRecord>>,
    places_on: HashMap<(DocId, u32), Vec<&'w MentionRecord>>,
    births: BTreeSet<i64>,
    cover_name_of: HashMap<i64, String>,
    relations_of: HashMap<String, Vec<&'w kartoteka_model::RelationRecord>>,
}

impl<'w> Evidence<'w> {
    fn new(world: &'w World) -> Evidence<'w> {
        let owners = world.cover_owners();
        let mut dates_on: HashMap<(DocId, u32), Vec<&MentionRecord>> = HashMap::new();
        let mut places_on: HashMap<(DocId, u32), Vec<&MentionRecord>> = HashMap::new();
        for m in world.mention.values() {
            match m.kind.as_str() {
                "date" => dates_on.entry((m.doc, m.page)).or_default().push(m),
                "place" => places_on.entry((m.doc, m.page)).or_default().push(m),
                _ => {}
            }
        }
        let births = world
            .relations
            .iter()
            .filter(|r| r.kind == "born")
            .map(|r| r.to)
            .collect();
        let cover_name_of = world
            .covers()
            .into_values()
            .flat_map(|c| c.mentions.into_iter().map(move |m| (m, c.name.clone())))
            .collect();
        let mut relations_of: HashMap<String, Vec<&kartoteka_model::RelationRecord>> =
            HashMap::new();
        for r in &world.relations {
            let ends: BTreeSet<&String> = [r.from, r.to]
                .iter()
                .filter_map(|m| world.person_of.get(m).or_else(|| owners.get(m)))
                .collect();
            for p in ends {
                relations_of.entry(p.clone()).or_default().push(r);
            }
        }
        Evidence {
            owners,
            dates_on,
            places_on,
            births,
            cover_name_of,
            relations_of,
        }
    }
}

/// The name a mention gives the other end of a relation: its person's best name, its
/// cover name, or its text.
fn end_name(
    world: &World,
    owners: &HashMap<i64, String>,
    m: &MentionRecord,
) -> (Option<String>, String) {
    if let Some(p) = world.person_of.get(&m.id).or_else(|| owners.get(&m.id)) {
        return (Some(p.clone()), world.best_name(p));
    }
    if m.kind == "cover_name" {
        return (None, format!("«{}»", m.lemma));
    }
    (None, m.lemma.clone())
}

/// A claim in the making: its key, text parts and evidence.
struct Draft {
    topic: String,
    object: Option<String>,
    object_person: Option<String>,
    relation: String,
    text: String,
    date: Option<String>,
    citations: BTreeSet<Citation>,
}

fn derived_id(subject: &str, topic: &str, object: &str) -> String {
    let digest = Sha256::digest(format!("{subject}\u{1f}{topic}\u{1f}{object}").as_bytes());
    format!("D{}", &hex::encode(digest)[..12])
}

impl Archive {
    /// Every claim about a subject (or all), derived from the text and written by
    /// analysts, with the conflicts among them.
    pub fn claims(&self, subject: Option<&str>) -> Result<ClaimSet, ArchiveError> {
        let world = World::load(self)?;
        let subject = subject.map(|s| world.find(s)).transpose()?;
        let mut pages = Pages::new(self)?;
        let subjects: Vec<String> = match &subject {
            Some(s) => vec![s.clone()],
            None => world.members.keys().cloned().collect(),
        };
        let ix = Evidence::new(&world);
        let mut set = ClaimSet::default();
        for s in &subjects {
            let (claims, _) = self.derive(&world, &ix, &mut pages, s)?;
            set.claims.extend(claims);
        }
        let written = self.store().claims(subject.as_deref())?;
        set.claims.extend(written);
        set.conflicts = conflicts(&mut set.claims);
        for c in &set.claims {
            if !set.names.contains_key(&c.subject) && world.members.contains_key(&c.subject) {
                set.names
                    .insert(c.subject.clone(), world.best_name(&c.subject));
            }
        }
        Ok(set)
    }

    /// Keeps an analyst's claim about a person, citing spans ("DOC[/PAGE]:START-END"),
    /// graded "B2" with the reason for the grade.
    pub fn add_claim(
        &self,
        subject: &str,
        text: &str,
        cites: &[String],
        grade: &str,
        why: &str,
    ) -> Result<Claim, ArchiveError> {
        let grade = Grade::parse(grade)
            .map_err(|e| ArchiveError::BadTarget(grade.to_string(), e.to_string()))?;
        if text.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "a claim needs its text".to_string(),
            ));
        }
        if why.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "a grade needs a reason".to_string(),
            ));
        }
        if cites.is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "a claim needs at least one cited span".to_string(),
            ));
        }
        let world = World::load(self)?;
        let subject = world.find(subject)?;
        let mut citations = Vec::new();
        for c in cites {
            let (doc, page, start, end) =
                parse_span(c).map_err(|e| ArchiveError::BadTarget(c.clone(), e))?;
            let document = self.document_for(&doc)?;
            let page_text = self
                .store()
                .page(document.0, page)?
                .ok_or_else(|| {
                    ArchiveError::NotFound(format!("page {page} of document {}", document.0 .0))
                })?
                .text;
            let quote = chars_of(&page_text, start, end).ok_or_else(|| {
                ArchiveError::BadTarget(
                    c.clone(),
                    format!(
                        "page {page} of document {} has {} characters: the span {start}-{end} is not in it",
                        document.0 .0,
                        page_text.chars().count()
                    ),
                )
            })?;
            citations.push(Citation {
                doc: document.0,
                reference: document.1,
                page,
                start,
                end,
                quote,
                marking: None,
            });
        }
        let claim = Claim {
            id: String::new(),
            subject,
            topic: "analyst".to_string(),
            text: text.trim().to_string(),
            object: None,
            date: None,
            citations,
            grade,
            why: why.trim().to_string(),
            by: String::new(),
            at: String::new(),
        };
        Ok(self.store().save_claim(&claim)?)
    }

    /// Sets the marking rule of a unit (a fonds, inventory or file by its reference code):
    /// whatever cites a sheet in it is marked at least so high from the next build on.
    pub fn set_marking_rule(
        &self,
        unit: &str,
        marking: &str,
        why: &str,
    ) -> Result<MarkingRule, ArchiveError> {
        let unit = Reference::parse(unit).map_err(|e| ArchiveError::not_a_target(unit, &e))?;
        let marking = Marking::parse(marking)
            .map_err(|e| ArchiveError::BadTarget(marking.to_string(), e.to_string()))?;
        if why.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "a marking rule needs its authority (the reason)".to_string(),
            ));
        }
        Ok(self.store().set_marking_rule(&MarkingRule {
            unit: unit.to_string(),
            marking,
            why: why.trim().to_string(),
            by: String::new(),
            at: String::new(),
        })?)
    }

    /// Drops a unit's marking rule.
    pub fn remove_marking_rule(&self, unit: &str, why: &str) -> Result<(), ArchiveError> {
        let parsed = Reference::parse(unit).map_err(|e| ArchiveError::not_a_target(unit, &e))?;
        if self.store().remove_marking_rule(&parsed.to_string(), why)? {
            Ok(())
        } else {
            Err(ArchiveError::NotFound(format!(
                "a marking rule for {parsed} (see `kartoteka markings`)"
            )))
        }
    }

    /// Every marking rule, by unit.
    pub fn marking_rules(&self) -> Result<Vec<MarkingRule>, ArchiveError> {
        Ok(self.store().marking_rules()?)
    }

    /// A document by number or by the reference code of exactly one document.
    fn document_for(&self, target: &str) -> Result<(DocId, Option<String>), ArchiveError> {
        let store = self.store();
        if let Ok(n) = target.parse::<i64>() {
            let d = store
                .document(DocId(n))?
                .ok_or_else(|| ArchiveError::NotFound(format!("document {n}")))?;
            return Ok((d.id, d.reference.map(|r| r.to_string())));
        }
        let reference =
            Reference::parse(target).map_err(|e| ArchiveError::not_a_target(target, &e))?;
        let docs: Vec<_> = store
            .documents_within(&reference)?
            .into_iter()
            .filter(|d| d.reference.as_ref() == Some(&reference))
            .collect();
        match &docs[..] {
            [one] => Ok((one.id, one.reference.as_ref().map(|r| r.to_string()))),
            [] => Err(ArchiveError::NotFound(format!("a document at {reference}"))),
            _ => Err(ArchiveError::BadTarget(
                target.to_string(),
                format!(
                    "{} documents are at {reference}: give a document number",
                    docs.len()
                ),
            )),
        }
    }

    /// The claims derived from what the text says about one person, and the people they
    /// name.
    fn derive(
        &self,
        world: &World,
        ix: &Evidence<'_>,
        pages: &mut Pages<'_>,
        person: &str,
    ) -> Result<(Vec<Claim>, Vec<Related>), ArchiveError> {
        let owners = &ix.owners;
        let mine = |m: i64| {
            world
                .person_of
                .get(&m)
                .or_else(|| owners.get(&m))
                .map(String::as_str)
                == Some(person)
        };
        let (dates_on, births) = (&ix.dates_on, &ix.births);
        let cover_name_of = &ix.cover_name_of;
        let mut drafts: BTreeMap<(String, String), Draft> = BTreeMap::new();
        for r in ix.relations_of.get(person).into_iter().flatten().copied() {
            let (forward, other) = if mine(r.from) {
                (true, r.to)
            } else if mine(r.to) {
                (false, r.from)
            } else {
                continue;
            };
            if mine(other) && r.kind != "code_named" {
                continue;
            }
            let Some(other_m) = world.mention.get(&other) else {
                continue;
            };
            let (object_person, name) = end_name(world, owners, other_m);
            let (topic, text) = match (r.kind.as_str(), forward) {
                ("recruited_by", true) => ("recruitment", format!("Recruited by {name}")),
                ("recruited_by", false) => ("recruited", format!("Recruited {name}")),
                ("handled_by", true) => ("handling", format!("Handled by {name}")),
                ("handled_by", false) => ("handled", format!("Handled {name}")),
                ("code_named", _) => {
                    let cover = cover_name_of
                        .get(&other)
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| other_m.lemma.clone());
                    if other_m.kind != "cover_name" {
                        continue;
                    }
                    ("cover_name", format!("Held the cover name «{cover}»"))
                }
                ("born", _) if other_m.kind == "date" => (
                    "birth_date",
                    format!(
                        "Born in {}",
                        other_m.code.as_deref().unwrap_or(&other_m.lemma)
                    ),
                ),
                ("born", _) => ("birth_place", format!("Born in {name}")),
                ("met_with", _) => ("contact", format!("Met {name}")),
                ("reported_on", true) => ("reporting", format!("Reported on {name}")),
                ("reported_on", false) => ("reported", format!("Reported on by {name}")),
                ("worked_at", _) => ("service", format!("Served in {name}")),
                ("operated_in", _) => ("place", format!("Active in {name}")),
                ("has_role", _) => ("role", format!("Described as {}", name.replace('_', " "))),
                _ => continue,
            };
            let object = match topic {
                "cover_name" => cover_name_of
                    .get(&other)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| other_m.lemma.clone()),
                "birth_date" => other_m
                    .code
                    .clone()
                    .unwrap_or_else(|| other_m.lemma.clone()),
                // Riga and Рига are one place.
                "birth_place" | "place" => kartoteka_text::translit_keys(&other_m.lemma)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| other_m.lemma.to_lowercase()),
                _ => object_person.clone().unwrap_or_else(|| name.clone()),
            };
            let Some(page_text) = pages.get(r.doc, r.page)? else {
                continue;
            };
            let Some(quote) = chars_of(page_text, r.start, r.end) else {
                continue;
            };
            let reference = world
                .documents
                .get(&r.doc)
                .and_then(|d| d.reference.as_ref())
                .map(|x| x.to_string());
            let citation = Citation {
                doc: r.doc,
                reference,
                page: r.page,
                start: r.start,
                end: r.end,
                quote,
                marking: None,
            };
            // The statement's own date: the one nearest the other end, births aside.
            let date = if topic.starts_with("birth") {
                None
            } else {
                dates_on
                    .get(&(r.doc, r.page))
                    .into_iter()
                    .flatten()
                    .filter(|d| d.start >= r.start && d.end <= r.end && !births.contains(&d.id))
                    .min_by_key(|d| (d.start.abs_diff(other_m.start), d.start, d.code.clone()))
                    .and_then(|d| d.code.clone())
            };
            let d = drafts
                .entry((topic.to_string(), object.clone()))
                .or_insert_with(|| Draft {
                    topic: topic.to_string(),
                    object: Some(object.clone()),
                    object_person: object_person.clone(),
                    relation: r.kind.clone() + if forward { "" } else { "_of" },
                    text,
                    date: None,
                    citations: BTreeSet::new(),
                });
            d.citations.insert(citation);
            if let Some(date) = date {
                // The earliest; of "1937-05" and "1937-05-14", the more exact.
                let better = d.date.as_ref().is_none_or(|x| {
                    (date < *x && !x.starts_with(date.as_str())) || date.starts_with(x.as_str())
                });
                if better {
                    d.date = Some(date);
                }
            }
        }
        let mut claims = Vec::new();
        let mut related = Vec::new();
        for d in drafts.into_values() {
            let docs: BTreeSet<DocId> = d.citations.iter().map(|c| c.doc).collect();
            let files: BTreeSet<String> = d
                .citations
                .iter()
                .map(|c| {
                    world
                        .documents
                        .get(&c.doc)
                        .and_then(|doc| doc.reference.as_ref())
                        .map(|r| r.truncate(kartoteka_model::Level::File).key())
                        .unwrap_or_else(|| format!("document {}", c.doc.0))
                })
                .collect();
            let placements: Vec<Placement> = docs
                .iter()
                .filter_map(|doc| world.documents.get(doc).map(|d| d.placement))
                .collect();
            let (reliability, source) = if placements.iter().any(|p| {
                matches!(
                    p,
                    Placement::Inventory
                        | Placement::Folder
                        | Placement::FileName
                        | Placement::FolderAndFileName
                )
            }) {
                ('B', "an original file of the service")
            } else if placements.contains(&Placement::Cited) {
                ('C', "an archivist's note or transcript")
            } else {
                ('F', "documents nobody has placed")
            };
            let (credibility, support) = match (docs.len(), files.len()) {
                (_, f) if f >= 2 => (1, format!("stated in {} files", f)),
                (n, _) if n >= 2 => (2, format!("stated in {n} documents of one file")),
                _ => (3, "stated in one document".to_string()),
            };
            let mut text = d.text.clone();
            if let Some(date) = &d.date {
                text.push_str(&format!(" ({date})"));
            }
            if let Some(p) = d.object_person.as_ref().filter(|p| p.as_str() != person) {
                related.push(Related {
                    person: Some(p.clone()),
                    name: world.best_name(p),
                    relation: d.relation.clone(),
                });
            }
            claims.push(Claim {
                id: derived_id(person, &d.topic, d.object.as_deref().unwrap_or("")),
                subject: person.to_string(),
                topic: d.topic,
                text,
                object: d.object,
                date: d.date,
                citations: d.citations.into_iter().collect(),
                grade: Grade {
                    reliability,
                    credibility,
                },
                why: format!("{source}; {support}"),
                by: MACHINE.to_string(),
                at: String::new(),
            });
        }
        Ok((claims, related))
    }
}

/// Roles that make a person the subject of a report of their own.
const AGENT_ROLES: &[&str] = &["agent", "source", "illegal", "confidential_contact"];

impl Archive {
    /// Builds (or rebuilds) the report on one person, or on every agent when `who` is
    /// None: persons who held a cover name or whom the text calls an agent, a source or an
    /// illegal. Edited paragraphs are kept; what the new evidence changed is listed.
    pub fn build_reports(&self, who: Option<&str>) -> Result<BuildReport, ArchiveError> {
        let started = std::time::Instant::now();
        let world = World::load(self)?;
        let ix = Evidence::new(&world);
        let owners = &ix.owners;
        let covers = world.covers();
        let holdings = world.holdings(&covers);
        // A case is a file of the archive ("ф. 9002, оп. 1, д. 1"): the reports on it are
        // those of the agents its documents name, each on what that file says.
        let case = match who.map(Reference::parse) {
            Some(Ok(r)) if r.file.is_none() => {
                return Err(ArchiveError::NotFound(format!(
                    "case file {r}: a case is one file (д.), as in ф. 9002, оп. 1, д. 1; or build the whole collection"
                )))
            }
            Some(Ok(mut r)) => {
                r.sheets = None;
                Some(r)
            }
            _ => None,
        };
        let agents = || {
            let mut s: BTreeSet<String> = holdings.iter().map(|h| h.person.clone()).collect();
            for r in world.relations.iter().filter(|r| r.kind == "has_role") {
                let role = world
                    .mention
                    .get(&r.to)
                    .map(|m| m.code.clone().unwrap_or_else(|| m.lemma.clone()));
                if role.as_deref().is_some_and(|x| AGENT_ROLES.contains(&x)) {
                    if let Some(p) = world.person_of.get(&r.from).or_else(|| owners.get(&r.from)) {
                        s.insert(p.clone());
                    }
                }
            }
            s
        };
        let subjects: Vec<String> = match (who, &case) {
            (Some(_), Some(file)) => {
                let agents = agents();
                let named: BTreeSet<String> = world
                    .mention
                    .values()
                    .filter(|m| file_of(&world, m.doc).is_some_and(|f| f == *file))
                    .filter_map(|m| world.person_of.get(&m.id).or_else(|| owners.get(&m.id)))
                    .filter(|p| agents.contains(*p))
                    .cloned()
                    .collect();
                if named.is_empty() {
                    return Err(ArchiveError::NotFound(format!(
                        "case file {file} naming an agent (see `kartoteka tree` for the files, `kartoteka persons` for who is named)"
                    )));
                }
                named.into_iter().collect()
            }
            (Some(w), None) => vec![world.find(w).map_err(|e| match e {
                ArchiveError::NotFound(_) => ArchiveError::NotFound(format!(
                    "person {w} (merged into another, or never resolved: see `kartoteka persons`)"
                )),
                other => other,
            })?],
            (None, _) => agents().into_iter().collect(),
        };
        let written = self.store().claims(None)?;
        let existing: HashMap<String, Report> = self
            .store()
            .reports()?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let mut pages = Pages::new(self)?;
        let mut out = BuildReport::default();
        for subject in &subjects {
            let (mut claims, related) = self.derive(&world, &ix, &mut pages, subject)?;
            claims.extend(written.iter().filter(|c| &c.subject == subject).cloned());
            let conflicts = conflicts(&mut claims);
            let whole = compose(
                &world,
                &holdings,
                &covers,
                subject,
                &claims,
                &conflicts,
                related.clone(),
                &mut pages,
                &ix.places_on,
            )?;
            let mut generated = Vec::new();
            // An agent who held several cover names also gets a report on each period, as
            // the real collection has: the claims of that period, and who they name.
            let mine: Vec<&crate::identity::Holding> =
                holdings.iter().filter(|h| &h.person == subject).collect();
            let mut period_ids: Vec<String> = Vec::new();
            if mine.len() >= 2 && case.is_none() {
                for (n, h) in mine.iter().enumerate() {
                    let cover = covers
                        .get(&h.cover)
                        .map_or(h.cover.as_str(), |c| c.name.as_str());
                    let in_period: Vec<Claim> = claims
                        .iter()
                        .filter(|c| {
                            c.topic.starts_with("birth")
                                || (c.topic == "cover_name" && c.object.as_deref() == Some(cover))
                                || c.date.as_deref().is_some_and(|d| within(d, h.from, h.to))
                        })
                        .cloned()
                        .collect();
                    let named: Vec<Related> = related
                        .iter()
                        .filter(|r| in_period.iter().any(|c| c.text.contains(&r.name)))
                        .cloned()
                        .collect();
                    let ids: BTreeSet<&String> = in_period.iter().map(|c| &c.id).collect();
                    let period_conflicts: Vec<Conflict> = conflicts
                        .iter()
                        .filter(|k| ids.contains(&k.a) && ids.contains(&k.b))
                        .cloned()
                        .collect();
                    let one = [(*h).clone()];
                    let mut r = compose(
                        &world,
                        &one,
                        &covers,
                        subject,
                        &in_period,
                        &period_conflicts,
                        named,
                        &mut pages,
                        &ix.places_on,
                    )?;
                    // Named by the cover name, not by its place in a list, so the id holds
                    // when another period is found; two cover names that read alike in
                    // Latin letters are told apart by their order.
                    let mut id = format!("{}-{}", r.id, id_part(cover));
                    if period_ids.contains(&id) {
                        id = format!("{id}-{}", n + 1);
                    }
                    period_ids.push(id.clone());
                    r.id = id;
                    r.title = format!(
                        "Agent «{cover}», {}–{}: {}",
                        h.from.map_or("?".to_string(), |d| d.to_string()),
                        h.to.map_or("?".to_string(), |d| d.to_string()),
                        r.subject_name
                    );
                    generated.push(r);
                }
            }
            // An agent whose claims rest on two or more case files also gets a report on
            // each file that holds a body of evidence on them (two documents or more), on
            // what that file says; asked for a case, the report on that one.
            let files = by_case_file(&world, &claims);
            if files.len() >= 2 || case.is_some() {
                for (file, in_file) in &files {
                    let wanted = match &case {
                        Some(c) => c == file,
                        None => {
                            in_file
                                .iter()
                                .filter(|c| !c.topic.starts_with("birth"))
                                .flat_map(|c| c.citations.iter().map(|x| x.doc))
                                .collect::<BTreeSet<DocId>>()
                                .len()
                                >= 2
                        }
                    };
                    if !wanted {
                        continue;
                    }
                    let ids: BTreeSet<&String> = in_file.iter().map(|c| &c.id).collect();
                    let file_conflicts: Vec<Conflict> = conflicts
                        .iter()
                        .filter(|k| ids.contains(&k.a) && ids.contains(&k.b))
                        .cloned()
                        .collect();
                    let named: Vec<Related> = related
                        .iter()
                        .filter(|r| in_file.iter().any(|c| c.text.contains(&r.name)))
                        .cloned()
                        .collect();
                    let theirs: Vec<crate::identity::Holding> = mine
                        .iter()
                        .filter(|h| {
                            let cover = covers
                                .get(&h.cover)
                                .map_or(h.cover.as_str(), |c| c.name.as_str());
                            in_file.iter().any(|c| {
                                c.topic == "cover_name" && c.object.as_deref() == Some(cover)
                            })
                        })
                        .map(|h| (*h).clone())
                        .collect();
                    let mut r = compose(
                        &world,
                        &theirs,
                        &covers,
                        subject,
                        in_file,
                        &file_conflicts,
                        named,
                        &mut pages,
                        &ix.places_on,
                    )?;
                    r.id = format!("{}-{}", r.id, case_id(file));
                    r.title = format!("{}, case file {file}", r.title);
                    generated.push(r);
                }
            }
            if case.is_none() {
                generated.insert(0, whole);
            }
            for generated in generated {
                let id = generated.id.clone();
                match existing.get(&id) {
                    None => {
                        self.store().save_report(&generated)?;
                        out.created.push(id);
                    }
                    Some(old) => {
                        let (merged, changes) = regenerate(old, generated);
                        if changes.is_empty() {
                            out.unchanged.push(id);
                        } else {
                            self.store().save_report(&merged)?;
                            out.updated.push((id, changes));
                        }
                    }
                }
            }
        }
        let latest = self.store().reports()?;
        if who.is_none() {
            self.record_fates(&world, &existing, &latest, &mut out)?;
        }
        out.index = collection_index(&current(latest, &self.report_fates()?));
        out.seconds = started.elapsed().as_secs_f64();
        Ok(out)
    }

    /// Says what became of the reports this build of the whole collection did not make
    /// again, and of those whose subject split, and keeps it (once per report version).
    fn record_fates(
        &self,
        world: &World,
        existing: &HashMap<String, Report>,
        latest: &[Report],
        out: &mut BuildReport,
    ) -> Result<(), ArchiveError> {
        let built: BTreeSet<&String> = out
            .created
            .iter()
            .chain(out.updated.iter().map(|(id, _)| id))
            .chain(&out.unchanged)
            .collect();
        let known_fates: HashMap<(String, u32), ReportFate> = self
            .store()
            .report_fates()?
            .into_iter()
            .map(|f| ((f.report.clone(), f.version), f))
            .collect();
        let known: BTreeSet<(String, u32)> = known_fates.keys().cloned().collect();
        let fate = |r: &Report, fate: &str, by: Vec<String>, reason: String| ReportFate {
            report: r.id.clone(),
            version: r.version,
            fate: fate.to_string(),
            by,
            reason,
            at: String::new(),
        };
        let now_built: Vec<&Report> = latest.iter().filter(|r| built.contains(&r.id)).collect();
        // The report that now carries all of a report's cover names: on its subject or on
        // a person split from it.
        let heir_by_cover = |r: &Report| -> Option<&Report> {
            if r.cover_names.is_empty() {
                return None;
            }
            now_built
                .iter()
                .copied()
                .filter(|x| {
                    x.subject == r.subject
                        || world
                            .registry
                            .get(&x.subject)
                            .is_some_and(|p| p.split_from.as_deref() == Some(r.subject.as_str()))
                })
                .filter(|x| r.cover_names.iter().all(|c| x.cover_names.contains(c)))
                .min_by_key(|x| (x.cover_names.len(), x.id.len(), x.id.clone()))
        };
        let mut fates: Vec<ReportFate> = Vec::new();
        let mut by_id: Vec<(&String, &Report)> = existing.iter().collect();
        by_id.sort_by(|a, b| a.0.cmp(b.0));
        for (id, r) in by_id {
            if built.contains(id) {
                continue;
            }
            let redirect = world.redirect(&r.subject);
            if let Some(f) = known_fates.get(&(id.clone(), r.version)) {
                // Kept, unless the person it was merged into has since split and its
                // mentions went elsewhere: then it is recorded again, pointing there.
                let moved = redirect.as_ref().is_some_and(|to| {
                    !f.by.iter().any(|b| {
                        b.strip_prefix("R-")
                            .is_some_and(|s| s.split('-').next() == Some(to.merged_into.as_str()))
                    })
                });
                if !moved {
                    continue;
                }
            }
            let record = world.registry.get(&r.subject);
            if let Some(redirect) = redirect {
                // The same kind of report on the person it merged into, else theirs.
                let old_prefix = format!("R-{}", r.subject);
                let new_prefix = format!("R-{}", redirect.merged_into);
                let twin = id.replacen(&old_prefix, &new_prefix, 1);
                let by = if built.contains(&twin) {
                    twin
                } else {
                    new_prefix
                };
                fates.push(fate(r, "superseded", vec![by], redirect.reason));
            } else if record.is_some_and(|p| p.status == PersonStatus::Withdrawn) {
                let reason = format!(
                    "its subject {} was withdrawn: {}",
                    r.subject,
                    record.map_or("", |p| p.reason.as_str())
                );
                fates.push(fate(r, "withdrawn", Vec::new(), reason));
            } else if let Some(same) = existing.values().find(|x| {
                x.id != r.id
                    && built.contains(&x.id)
                    && x.subject == r.subject
                    && x.title == r.title
            }) {
                // The same report under a new id (an id from before ids were kept).
                fates.push(fate(
                    r,
                    "superseded",
                    vec![same.id.clone()],
                    "the same report, under the id it now keeps".to_string(),
                ));
            } else if let Some(heir) = heir_by_cover(r) {
                // A period report whose cover name is now covered by another report on
                // the subject, or on the person split from it that holds the cover name.
                fates.push(fate(
                    r,
                    "superseded",
                    vec![heir.id.clone()],
                    format!(
                        "«{}» is now in {} on {}",
                        r.cover_names.join("», «"),
                        heir.id,
                        heir.subject
                    ),
                ));
            } else {
                let reason = if world.members.contains_key(&r.subject) {
                    format!(
                        "the evidence no longer makes this report on {}: its cover-name period, case file or role is no longer found",
                        r.subject
                    )
                } else {
                    format!(
                        "its subject {} is not a person of the current resolution",
                        r.subject
                    )
                };
                fates.push(fate(r, "withdrawn", Vec::new(), reason));
            }
        }
        // A person split: the reports before the split are replaced by the reports on
        // both parts.
        for id in &out.created {
            let Some(subject) = id
                .strip_prefix("R-")
                .map(|s| s.split('-').next().unwrap_or(s))
            else {
                continue;
            };
            let Some(from) = world
                .registry
                .get(subject)
                .and_then(|p| p.split_from.as_ref().map(|f| (f.clone(), p.reason.clone())))
            else {
                continue;
            };
            let old_prefix = format!("R-{}", from.0);
            let twin = id.replacen(&format!("R-{subject}"), &old_prefix, 1);
            let Some(before) = existing.get(&twin) else {
                continue;
            };
            // Unchanged by the split, the report before it still stands.
            if known.contains(&(twin.clone(), before.version)) || out.unchanged.contains(&twin) {
                continue;
            }
            let mut by = vec![id.clone()];
            if built.contains(&twin) {
                by.insert(0, twin.clone());
            }
            fates.push(fate(before, "superseded", by, from.1));
        }
        for f in fates {
            let saved = self.store().save_report_fate(&f)?;
            if saved.fate == "withdrawn" {
                out.withdrawn.push(saved);
            } else {
                out.superseded.push(saved);
            }
        }
        Ok(())
    }

    /// The latest version of every report that is current: not superseded nor withdrawn.
    pub fn current_reports(&self) -> Result<Vec<Report>, ArchiveError> {
        Ok(current(self.reports()?, &self.report_fates()?))
    }

    /// What became of reports, by report and version: superseded (by which) or withdrawn,
    /// and why.
    pub fn report_fates(&self) -> Result<BTreeMap<(String, u32), ReportFate>, ArchiveError> {
        Ok(self
            .store()
            .report_fates()?
            .into_iter()
            .map(|f| ((f.report.clone(), f.version), f))
            .collect())
    }

    /// A report, at its latest version or the one asked for: by its id, or by its
    /// subject (a person's id or a name that picks out one).
    pub fn report(&self, id: &str, version: Option<u32>) -> Result<Report, ArchiveError> {
        let mut versions = self.store().report_versions(id)?;
        let mut id = id.to_string();
        if versions.is_empty() && !id.starts_with("R-") {
            if let Ok(world) = World::load(self) {
                if let Ok(person) = world.find(&id) {
                    id = format!("R-{person}");
                    versions = self.store().report_versions(&id)?;
                }
            }
        }
        let id = id.as_str();
        let found = match version {
            Some(v) => versions.into_iter().find(|r| r.version == v),
            None => versions.into_iter().last(),
        };
        found.ok_or_else(|| {
            ArchiveError::NotFound(match version {
                Some(v) => format!("version {v} of report {id}"),
                None => format!("report {id} (see `kartoteka reports`)"),
            })
        })
    }

    /// Every report at its latest version.
    pub fn reports(&self) -> Result<Vec<Report>, ArchiveError> {
        Ok(self.store().reports()?)
    }

    /// Whether a report's subject is still a person of the resolution.
    pub fn report_subject_exists(&self, report: &Report) -> Result<bool, ArchiveError> {
        Ok(self
            .store()
            .identities()?
            .iter()
            .any(|r| r.person == report.subject))
    }

    /// Edits one paragraph (its text, its marking, or both) as a new version. An approved
    /// report is only edited into a new draft when `new_version` says so.
    pub fn edit_report(
        &self,
        id: &str,
        paragraph: usize,
        text: Option<&str>,
        marking: Option<&str>,
        new_version: bool,
        why: &str,
    ) -> Result<Report, ArchiveError> {
        let mut r = self.report(id, None)?;
        if r.status == ReportStatus::Approved && !new_version {
            return Err(ArchiveError::Approved {
                report: id.to_string(),
                version: r.version,
            });
        }
        let count = r.paragraphs.len();
        let p = paragraph
            .checked_sub(1)
            .and_then(|i| r.paragraphs.get_mut(i))
            .ok_or_else(|| {
                ArchiveError::BadTarget(
                    paragraph.to_string(),
                    format!("report {id} has paragraphs 1 to {count}"),
                )
            })?;
        if text.is_none() && marking.is_none() {
            return Err(ArchiveError::BadTarget(
                id.to_string(),
                "nothing to change: give a new text, a new marking or both".to_string(),
            ));
        }
        if let Some(t) = text {
            if t.trim().is_empty() {
                return Err(ArchiveError::BadTarget(
                    id.to_string(),
                    "an empty paragraph".to_string(),
                ));
            }
            p.text = t.trim().to_string();
            p.edited = true;
        }
        if let Some(m) = marking {
            p.marking_override = Some(
                Marking::parse(m)
                    .map_err(|e| ArchiveError::BadTarget(m.to_string(), e.to_string()))?,
            );
        }
        r.version += 1;
        r.status = ReportStatus::Draft;
        r.why = if why.trim().is_empty() {
            format!("edited paragraph {paragraph}")
        } else {
            format!("edited paragraph {paragraph}: {}", why.trim())
        };
        Ok(self.store().save_report(&r)?)
    }

    /// Moves a report on: draft to reviewed, reviewed to approved.
    pub fn advance_report(
        &self,
        id: &str,
        to: ReportStatus,
        why: &str,
    ) -> Result<Report, ArchiveError> {
        let mut r = self.report(id, None)?;
        let Some(from) = to.comes_after() else {
            return Err(ArchiveError::BadTarget(
                to.to_string(),
                "a report is reviewed or approved; a draft is made by an edit or a build"
                    .to_string(),
            ));
        };
        if r.status != from {
            return Err(ArchiveError::BadTarget(
                id.to_string(),
                format!(
                    "version {} is {}; only a {from} report can be {to}",
                    r.version, r.status
                ),
            ));
        }
        if !self.report_subject_exists(&r)? {
            return Err(ArchiveError::NotFound(format!(
                "person {} of report {id}: merged into another or gone; build the report on the person they are now",
                r.subject
            )));
        }
        r.version += 1;
        r.status = to;
        r.why = if why.trim().is_empty() {
            to.to_string()
        } else {
            format!("{to}: {}", why.trim())
        };
        Ok(self.store().save_report(&r)?)
    }

    /// What changed between two versions of a report (the last two when none are given).
    pub fn report_diff(
        &self,
        id: &str,
        versions: Option<(u32, u32)>,
    ) -> Result<Vec<String>, ArchiveError> {
        let id = self.report(id, None)?.id;
        let id = id.as_str();
        let all = self.store().report_versions(id)?;
        let (a, b) = match versions {
            Some(v) => v,
            None => {
                let last = all.len() as u32;
                (last.saturating_sub(1).max(1), last)
            }
        };
        let get = |v: u32| {
            all.iter()
                .find(|r| r.version == v)
                .ok_or_else(|| ArchiveError::NotFound(format!("version {v} of report {id}")))
        };
        Ok(differences(get(a)?, get(b)?))
    }
}

/// What makes a paragraph the same paragraph in two versions: its section where a
/// report has one of that section (subject, related persons, assessment), else its
/// section and the claims it rests on.
fn paragraph_key(p: &Paragraph) -> (String, String) {
    match p.section.as_str() {
        "subject" | "related" | "assessment" => (p.section.clone(), String::new()),
        _ => (p.section.clone(), p.claims.join(" ")),
    }
}

/// The lines that differ between two versions.
fn differences(a: &Report, b: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if a.status != b.status {
        out.push(format!("status: {} -> {}", a.status, b.status));
    }
    if a.marking() != b.marking() {
        out.push(format!("marking: {} -> {}", a.marking(), b.marking()));
    }
    let key = paragraph_key;
    let old: Vec<_> = a.paragraphs.iter().map(|p| (key(p), p)).collect();
    let new: Vec<_> = b.paragraphs.iter().map(|p| (key(p), p)).collect();
    for (i, (k, p)) in new.iter().enumerate() {
        match old.iter().find(|(ok, _)| ok == k) {
            None => out.push(format!("+ paragraph {} ({}): {}", i + 1, p.section, p.text)),
            Some((_, o)) => {
                if o.text != p.text {
                    out.push(format!(
                        "~ paragraph {} ({}): {} -> {}",
                        i + 1,
                        p.section,
                        o.text,
                        p.text
                    ));
                }
                if o.effective_marking() != p.effective_marking() {
                    out.push(format!(
                        "~ paragraph {} marking: {} -> {}",
                        i + 1,
                        o.effective_marking(),
                        p.effective_marking()
                    ));
                }
                // A quoted page's marking that changed (a report kept before citations
                // carried markings is not changed by gaining them).
                for c in &p.citations {
                    let before = o.citations.iter().find(|x| *x == c);
                    if let (Some(Some(was)), Some(now)) = (before.map(|x| &x.marking), &c.marking) {
                        if was != now {
                            out.push(format!(
                                "~ paragraph {} citation {}: {was} -> {now}",
                                i + 1,
                                c.reference
                                    .clone()
                                    .unwrap_or_else(|| format!("document {}", c.doc.0)),
                            ));
                        }
                    }
                }
            }
        }
    }
    for (k, o) in &old {
        if !new.iter().any(|(nk, _)| nk == k) {
            out.push(format!("- paragraph ({}): {}", o.section, o.text));
        }
    }
    out
}

/// The new generation of a report merged into the old: paragraphs people edited (and
/// markings they set) are kept; the rest follow the evidence. Returns the next version
/// and what changed (nothing: no new version).
fn regenerate(old: &Report, mut new: Report) -> (Report, Vec<String>) {
    for p in &mut new.paragraphs {
        let same = old
            .paragraphs
            .iter()
            .find(|o| paragraph_key(o) == paragraph_key(p));
        if let Some(o) = same {
            if o.edited {
                p.text = o.text.clone();
                p.edited = true;
            }
            p.marking_override = o.marking_override.clone();
        }
    }
    let mut probe = new.clone();
    probe.status = old.status;
    let changes = differences(old, &probe);
    if changes.is_empty() {
        return (old.clone(), changes);
    }
    new.version = old.version + 1;
    new.status = ReportStatus::Draft;
    new.why = format!("regenerated: {} changes", changes.len());
    (new, changes)
}

/// A report's paragraphs from its subject's claims.
#[allow(clippy::too_many_arguments)]
fn compose(
    world: &World,
    holdings: &[crate::identity::Holding],
    covers: &BTreeMap<String, crate::identity::CoverName>,
    subject: &str,
    claims: &[Claim],
    conflicts: &[Conflict],
    mut related: Vec<Related>,
    pages: &mut Pages<'_>,
    places_on: &HashMap<(DocId, u32), Vec<&MentionRecord>>,
) -> Result<Report, ArchiveError> {
    let person = world.person_light(subject);
    let mut marking_of: HashMap<(DocId, u32), (Marking, Vec<String>)> = HashMap::new();
    // Each citation gets its page's marking; the paragraph, the highest of them, and what
    // the reviewer should know of how they were read.
    let mut mark = |cites: &mut [Citation],
                    pages: &mut Pages<'_>|
     -> Result<(Marking, Vec<String>), ArchiveError> {
        let mut m = Marking::unclassified();
        let mut notes: Vec<String> = Vec::new();
        for c in cites {
            let key = (c.doc, c.page);
            let page = match marking_of.entry(key) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let at = world
                        .documents
                        .get(&c.doc)
                        .and_then(|d| d.reference.as_ref());
                    e.insert(pages.marking(c.doc, c.page, at)?)
                }
            };
            c.marking = Some(page.0.clone());
            m = m.max(&page.0);
            for n in &page.1 {
                if !notes.contains(n) {
                    notes.push(n.clone());
                }
            }
        }
        Ok((m, notes))
    };
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut push = |section: &str,
                    text: String,
                    used: &[&Claim],
                    pages: &mut Pages<'_>|
     -> Result<(), ArchiveError> {
        let mut citations: Vec<Citation> = Vec::new();
        for c in used {
            for x in &c.citations {
                if !citations.contains(x) {
                    citations.push(x.clone());
                }
            }
        }
        if citations.is_empty() {
            return Ok(());
        }
        let (marking, marking_notes) = mark(&mut citations, pages)?;
        paragraphs.push(Paragraph {
            section: section.to_string(),
            text,
            claims: used.iter().map(|c| c.id.clone()).collect(),
            citations,
            marking,
            marking_override: None,
            edited: false,
            marking_notes,
        });
        Ok(())
    };
    let of = |topics: &[&str]| -> Vec<&Claim> {
        claims
            .iter()
            .filter(|c| topics.contains(&c.topic.as_str()))
            .collect()
    };
    let graded = |c: &Claim| format!("{} [{}]", c.text, c.grade);

    // Subject: names, birth, cover names with periods.
    let mine: Vec<&crate::identity::Holding> =
        holdings.iter().filter(|h| h.person == subject).collect();
    let mut cover_names: Vec<String> = Vec::new();
    let mut periods = Vec::new();
    for h in &mine {
        let name = covers
            .get(&h.cover)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| h.cover.clone());
        periods.push(format!(
            "«{name}» {}–{}",
            h.from.map_or("?".to_string(), |d| d.to_string()),
            h.to.map_or("?".to_string(), |d| d.to_string())
        ));
        if !cover_names.contains(&name) {
            cover_names.push(name);
        }
    }
    let mut text = person.name.clone();
    if person.names.len() > 1 {
        text.push_str(&format!(" (also written {})", person.names[1..].join(", ")));
    }
    text.push('.');
    let births = of(&["birth_date", "birth_place"]);
    if !births.is_empty() {
        let b: Vec<String> = births.iter().map(|c| graded(c)).collect();
        text.push_str(&format!(" {}.", b.join("; ")));
    }
    if !periods.is_empty() {
        text.push_str(&format!(" Cover names: {}.", periods.join(", ")));
    }
    let mut used = births.clone();
    used.extend(of(&["cover_name"]));
    let mention_claim;
    if used.is_empty() {
        // Nothing but the name: the mention itself is the evidence.
        if let Some(m) = person.mentions.first() {
            let quote = pages
                .get(m.doc, m.page)?
                .and_then(|t| chars_of(t, m.start, m.end));
            if let Some(quote) = quote {
                mention_claim = Claim {
                    id: derived_id(subject, "mention", ""),
                    subject: subject.to_string(),
                    topic: "mention".to_string(),
                    text: format!("Named as {}", m.text),
                    object: None,
                    date: None,
                    citations: vec![Citation {
                        doc: m.doc,
                        reference: m.reference.clone(),
                        page: m.page,
                        start: m.start,
                        end: m.end,
                        quote,
                        marking: None,
                    }],
                    grade: Grade {
                        reliability: 'F',
                        credibility: 6,
                    },
                    why: "a mention of the name only".to_string(),
                    by: MACHINE.to_string(),
                    at: String::new(),
                };
                used.push(&mention_claim);
            }
        }
    }
    push("subject", text, &used, pages)?;
    for c in of(&["service", "role", "place"]) {
        push("service", graded(c), &[c], pages)?;
    }
    for c in of(&["recruitment"]) {
        push("recruitment", graded(c), &[c], pages)?;
    }
    for c in of(&["handling"]) {
        push("handling", graded(c), &[c], pages)?;
    }
    let mut dated: Vec<&Claim> = claims.iter().filter(|c| c.date.is_some()).collect();
    dated.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    for c in &dated {
        let date = c.date.as_deref().unwrap_or("");
        // The date leads the line, so the claim's own "(1937-05-14)" goes.
        let what = c
            .text
            .strip_suffix(&format!(" ({date})"))
            .unwrap_or(&c.text);
        push(
            "activity",
            format!("{date} — {what} [{}]", c.grade),
            &[c],
            pages,
        )?;
    }
    for c in of(&["reporting", "analyst", "recruited", "handled"]) {
        push("access", graded(c), &[c], pages)?;
    }
    // One line a name and relation: partial names resolution could not place ("Луков" in
    // ten documents) are one name to a reader.
    related
        .sort_by(|a, b| (&a.name, &a.relation, &a.person).cmp(&(&b.name, &b.relation, &b.person)));
    related.dedup_by(|a, b| a.name == b.name && a.relation == b.relation);
    let contacts = of(&[
        "recruitment",
        "handling",
        "contact",
        "recruited",
        "handled",
        "reported",
        "reporting",
    ]);
    if !related.is_empty() {
        let mut by_person: Vec<(&str, Vec<String>)> = Vec::new();
        for r in &related {
            let how = r.relation.replace('_', " ");
            match by_person.iter_mut().find(|(n, _)| *n == r.name) {
                Some((_, hows)) => hows.push(how),
                None => by_person.push((&r.name, vec![how])),
            }
        }
        let names: Vec<String> = by_person
            .iter()
            .map(|(n, hows)| format!("{n} ({})", hows.join(", ")))
            .collect();
        push("related", names.join("; ") + ".", &contacts, pages)?;
    }
    // Assessment: what the grades add up to.
    let docs: BTreeSet<DocId> = claims
        .iter()
        .flat_map(|c| c.citations.iter().map(|x| x.doc))
        .collect();
    let mut grades: BTreeMap<String, u32> = BTreeMap::new();
    for c in claims {
        *grades.entry(c.grade.to_string()).or_default() += 1;
    }
    let grade_list: Vec<String> = grades.iter().map(|(g, n)| format!("{g} ×{n}")).collect();
    let all: Vec<&Claim> = claims.iter().collect();
    push(
        "assessment",
        format!(
            "{} from {}; grades {}.{}",
            counted(claims.len(), "claim"),
            counted(docs.len(), "document"),
            grade_list.join(", "),
            if conflicts.is_empty() {
                String::new()
            } else {
                format!(" {} between claims.", counted(conflicts.len(), "conflict"))
            }
        ),
        &all,
        pages,
    )?;
    // Open questions: conflicts, and what rests on one document.
    for k in conflicts {
        let pair: Vec<&Claim> = claims
            .iter()
            .filter(|c| c.id == k.a || c.id == k.b)
            .collect();
        let texts: Vec<&str> = pair.iter().map(|c| c.text.as_str()).collect();
        push(
            "questions",
            format!(
                "The sources disagree on {}: {}.",
                k.topic.replace('_', " "),
                texts.join(" / ")
            ),
            &pair,
            pages,
        )?;
    }
    for c in claims.iter().filter(|c| c.grade.credibility == 3) {
        push(
            "questions",
            format!("Rests on one document: {}.", c.text),
            &[c],
            pages,
        )?;
    }
    // Sources: each document once, with its first citation.
    let mut seen = BTreeSet::new();
    for c in claims {
        for x in &c.citations {
            if seen.insert(x.doc) {
                let name = x
                    .reference
                    .clone()
                    .unwrap_or_else(|| format!("document {}", x.doc.0));
                let placement = world
                    .documents
                    .get(&x.doc)
                    .map(|d| d.placement.as_str())
                    .unwrap_or("unplaced");
                // Keyed by the document, so that a rebuild compares like with like.
                let one = Claim {
                    id: format!("S{}", x.doc.0),
                    citations: vec![x.clone()],
                    ..c.clone()
                };
                push(
                    "sources",
                    format!("{name} (document {}, {placement})", x.doc.0),
                    &[&one],
                    pages,
                )?;
            }
        }
    }
    // Countries: the places the claims cite, by code.
    let mut countries: BTreeSet<String> = BTreeSet::new();
    let mut places: BTreeSet<String> = BTreeSet::new();
    let cited_pages: BTreeSet<(DocId, u32)> = claims
        .iter()
        .flat_map(|c| c.citations.iter().map(|x| (x.doc, x.page)))
        .collect();
    let on_cited = cited_pages
        .iter()
        .flat_map(|k| places_on.get(k).into_iter().flatten());
    for m in on_cited {
        let cited = claims.iter().any(|c| {
            c.citations
                .iter()
                .any(|x| x.doc == m.doc && x.page == m.page && m.start >= x.start && m.end <= x.end)
        });
        if cited {
            if let Some(code) = &m.code {
                countries.insert(code.clone());
            }
            places.insert(m.lemma.clone());
        }
    }
    let years: Vec<i32> = claims
        .iter()
        .filter(|c| !c.topic.starts_with("birth"))
        .filter_map(|c| c.date.as_deref()?.get(..4)?.parse().ok())
        .collect();
    let title = match cover_names.first() {
        Some(c) => format!("Agent «{c}»: {}", person.name),
        None => person.name.to_string(),
    };
    Ok(Report {
        id: format!("R-{subject}"),
        version: 1,
        subject: subject.to_string(),
        subject_name: person.name.clone(),
        title,
        status: ReportStatus::Draft,
        paragraphs,
        countries: countries.into_iter().collect(),
        period: years
            .iter()
            .min()
            .zip(years.iter().max())
            .map(|(a, b)| (*a, *b)),
        cover_names,
        related,
        places: places.into_iter().collect(),
        services: of(&["service"])
            .iter()
            .filter_map(|c| c.object.clone())
            .collect(),
        by: MACHINE.to_string(),
        at: String::new(),
        why: "generated from the claims".to_string(),
    })
}

/// "1 claim", "2 claims".
fn counted(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// The case file (дело) a document belongs to, when it is placed down to a file.
fn file_of(world: &World, doc: DocId) -> Option<Reference> {
    let mut r = world.documents.get(&doc)?.reference.clone()?;
    r.file.as_ref()?;
    r.sheets = None;
    Some(r)
}

/// A person's claims by the case files they cite: each claim under every file it cites,
/// with only that file's citations.
fn by_case_file(world: &World, claims: &[Claim]) -> Vec<(Reference, Vec<Claim>)> {
    // Keyed by the printed reference, which orders files as a reader lists them.
    let mut out: BTreeMap<String, (Reference, Vec<Claim>)> = BTreeMap::new();
    for c in claims {
        let mut files: Vec<Reference> = c
            .citations
            .iter()
            .filter_map(|x| file_of(world, x.doc))
            .collect();
        files.dedup();
        for f in files {
            let mut one = c.clone();
            one.citations
                .retain(|x| file_of(world, x.doc).as_ref() == Some(&f));
            let entry = out.entry(f.to_string()).or_insert_with(|| (f, Vec::new()));
            if !entry.1.iter().any(|x| x.id == one.id) {
                entry.1.push(one);
            }
        }
    }
    // A file that says nothing of the agent beyond their birth is no case of theirs.
    out.into_values()
        .filter(|(_, cs)| cs.iter().any(|c| !c.topic.starts_with("birth")))
        .collect()
}

/// The part of a report id that names a case file: "F9002-1-1" for ф. 9002, оп. 1, д. 1,
/// "FR8131-1-12" for ф. Р-8131.
fn case_id(file: &Reference) -> String {
    format!(
        "F{}-{}-{}",
        id_part(&file.fonds).replace('-', ""),
        file.inventory
            .as_deref()
            .map_or_else(|| "0".to_string(), |s| id_part(s).replace('-', "")),
        file.file
            .as_deref()
            .map_or_else(String::new, |s| id_part(s).replace('-', ""))
    )
}

/// A name made fit for an id that people read, type, and put in file names and URLs: in
/// capital Latin letters (Cyrillic romanised as passports write it, ICAO 9303), digits
/// and single hyphens. «ХОЛА» is KHOLA, «Штирлиц» SHTIRLITS.
fn id_part(name: &str) -> String {
    let latin = kartoteka_text::schemes::scheme("icao_doc_9303")
        .map_or_else(|| name.to_string(), |s| s.romanise(name));
    let mut out = String::new();
    for c in latin.chars() {
        let c = match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => c.to_ascii_uppercase(),
            // Latin letters with marks lose them; anything else separates words.
            c if c.is_alphabetic() => kartoteka_text::fold(&c.to_string())
                .chars()
                .find(char::is_ascii_alphanumeric)
                .map_or('-', |c| c.to_ascii_uppercase()),
            _ => '-',
        };
        if c != '-' || !(out.is_empty() || out.ends_with('-')) {
            out.push(c);
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "X".to_string()
    } else {
        out
    }
}

/// Whether a date ("1937", "1937-05", "1937-05-14", "1944-03..1944-05") falls in a
/// period, compared at the date's own precision (1937 is in a period from 1937-05); an
/// open bound takes anything.
fn within(date: &str, from: Option<PartialDate>, to: Option<PartialDate>) -> bool {
    let Some(d) = DateRange::parse(date) else {
        return false;
    };
    from.is_none_or(|f| d.to >= f.first_day()) && to.is_none_or(|t| d.from <= t.last_day())
}

/// The reports whose latest version no fate has overtaken (superseded or withdrawn).
fn current(latest: Vec<Report>, fates: &BTreeMap<(String, u32), ReportFate>) -> Vec<Report> {
    latest
        .into_iter()
        .filter(|r| !fates.contains_key(&(r.id.clone(), r.version)))
        .collect()
}

/// Counts over a collection.
pub fn collection_index(reports: &[Report]) -> CollectionIndex {
    let mut ix = CollectionIndex {
        reports: reports.len() as u64,
        ..CollectionIndex::default()
    };
    let subjects: BTreeSet<&String> = reports.iter().map(|r| &r.subject).collect();
    ix.agents = subjects.len() as u64;
    for r in reports {
        for c in &r.countries {
            *ix.by_country.entry(c.clone()).or_default() += 1;
        }
        *ix.by_status.entry(r.status.to_string()).or_default() += 1;
        let period = r
            .period
            .map_or("undated".to_string(), |(a, _)| format!("{}s", a / 10 * 10));
        *ix.by_period.entry(period).or_default() += 1;
        let service = r.services.first().map_or("unknown", String::as_str);
        *ix.by_service.entry(service.to_string()).or_default() += 1;
    }
    ix.countries = ix.by_country.len() as u64;
    ix
}

/// Finds claims that cannot both be true, lowers both to "doubtful" (4) and says why.
fn conflicts(claims: &mut [Claim]) -> Vec<Conflict> {
    let mut out = Vec::new();
    let mut by_topic: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        if SINGLE_VALUED.contains(&c.topic.as_str()) {
            by_topic
                .entry((c.subject.clone(), c.topic.clone()))
                .or_default()
                .push(i);
        }
    }
    for ((subject, topic), ids) in by_topic {
        for (k, &a) in ids.iter().enumerate() {
            for &b in &ids[k + 1..] {
                let same = match topic.as_str() {
                    // Dates of birth agree when their years do.
                    "birth_date" => {
                        claims[a].object.as_deref().and_then(|o| o.get(..4))
                            == claims[b].object.as_deref().and_then(|o| o.get(..4))
                    }
                    _ => claims[a].object == claims[b].object,
                };
                if same {
                    continue;
                }
                out.push(Conflict {
                    subject: subject.clone(),
                    topic: topic.clone(),
                    a: claims[a].id.clone(),
                    b: claims[b].id.clone(),
                });
                for (x, y) in [(a, b), (b, a)] {
                    let other = claims[y].id.clone();
                    let c = &mut claims[x];
                    c.grade.credibility = c.grade.credibility.max(4);
                    c.why.push_str(&format!("; contradicted by {other}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kartoteka_model::Classification;

    proptest::proptest! {
        // A span from anyone: parsed or refused with a reason, never a panic.
        #[test]
        fn any_span_text_gets_an_answer(text in "\\PC{0,40}") {
            if let Ok((_, page, start, end)) = parse_span(&text) {
                proptest::prop_assert!(page >= 1 && start < end);
            }
        }

        // Any page gets a marking (a level, by its type), never a panic.
        #[test]
        fn any_page_gets_a_marking(text in "\\PC{0,200}") {
            let _ = page_marking(&text);
        }
    }

    #[test]
    fn spans_parse_and_bad_ones_say_why() {
        assert_eq!(parse_span("12:5-9").unwrap(), ("12".into(), 1, 5, 9));
        assert_eq!(parse_span("12/3:5-9").unwrap(), ("12".into(), 3, 5, 9));
        assert_eq!(
            parse_span("ф. 9001, оп. 1, д. 1, л. 2:10-40").unwrap(),
            ("ф. 9001, оп. 1, д. 1, л. 2".into(), 1, 10, 40)
        );
        for bad in ["12", "12:9-5", "12:a-b", "12/0:1-2", ":1"] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
    }

    fn claim(id: &str, topic: &str, object: &str) -> Claim {
        Claim {
            id: id.into(),
            subject: "P1".into(),
            topic: topic.into(),
            text: format!("{topic} {object}"),
            object: Some(object.into()),
            date: None,
            citations: vec![],
            grade: Grade {
                reliability: 'B',
                credibility: 2,
            },
            why: "test".into(),
            by: MACHINE.into(),
            at: String::new(),
        }
    }

    #[test]
    fn contradicting_claims_are_both_kept_and_marked_doubtful() {
        let mut claims = vec![
            claim("D1", "birth_date", "1911"),
            claim("D2", "birth_date", "1911-03-02"),
            claim("D3", "birth_date", "1912"),
            claim("D4", "recruitment", "P7"),
            claim("D5", "contact", "P8"),
            claim("D6", "contact", "P9"),
        ];
        let found = conflicts(&mut claims);
        let pairs: Vec<(&str, &str)> = found.iter().map(|c| (c.a.as_str(), c.b.as_str())).collect();
        // 1911 and 1911-03-02 agree; 1912 contradicts both; several contacts are no conflict.
        assert_eq!(pairs, vec![("D1", "D3"), ("D2", "D3")]);
        assert_eq!(claims.len(), 6);
        assert_eq!(claims[2].grade.credibility, 4);
        assert!(claims[2].why.contains("contradicted by D1"));
        assert_eq!(claims[4].grade.credibility, 2);
    }

    #[test]
    fn the_index_counts_by_country_status_period_and_service() {
        let report = |id: &str, subject: &str, countries: &[&str], service: Option<&str>| Report {
            id: id.into(),
            version: 1,
            subject: subject.into(),
            subject_name: subject.into(),
            title: id.into(),
            status: ReportStatus::Draft,
            paragraphs: vec![],
            countries: countries.iter().map(|c| c.to_string()).collect(),
            period: Some((1944, 1946)),
            cover_names: vec![],
            related: vec![],
            places: vec![],
            services: service.into_iter().map(String::from).collect(),
            by: MACHINE.into(),
            at: String::new(),
            why: String::new(),
        };
        let ix = collection_index(&[
            report("R-P1", "P1", &["GBR", "USA"], Some("НКВД")),
            report("R-P1-1", "P1", &["GBR"], Some("НКВД")),
            report("R-P2", "P2", &[], None),
        ]);
        assert_eq!((ix.reports, ix.agents, ix.countries), (3, 2, 2));
        assert_eq!(ix.by_country["GBR"], 2);
        assert_eq!(ix.by_service["НКВД"], 2);
        assert_eq!(ix.by_service["unknown"], 1);
        assert_eq!(ix.by_period["1940s"], 3);
    }

    #[test]
    fn dates_fall_in_periods_at_their_own_precision() {
        let d = |s: &str| PartialDate::parse(s);
        let (from, to) = (d("1937"), d("1946"));
        assert!(within("1937", from, to));
        assert!(within("1937-05", from, to));
        assert!(within("1946-12-31", from, to));
        assert!(!within("1947", from, to));
        assert!(!within("1936-12", from, to));
        assert!(within("1999", d("1960-01-01"), None));
        // A period of a month takes a date of its year (which may fall in it), a day of
        // it, and no day outside it.
        let (from, to) = (d("1937-05"), d("1937-05"));
        assert!(within("1937", from, to));
        assert!(within("1937-05-14", from, to));
        assert!(!within("1937-06-01", from, to));
        assert!(within("1944-03..1944-05", d("1944-04"), None));
        assert!(!within("spring", from, to));
    }

    #[test]
    fn report_ids_are_latin_capitals_digits_and_hyphens() {
        assert_eq!(id_part("ХОЛА"), "KHOLA");
        assert_eq!(id_part("Штирлиц"), "SHTIRLITS");
        assert_eq!(id_part("«ЮНГА-2»"), "IUNGA-2");
        assert_eq!(id_part("Żbik"), "ZBIK");
        assert_eq!(id_part("«»"), "X");
        let file = Reference::parse("ф. Р-8131, оп. 1, д. 12").unwrap();
        assert_eq!(case_id(&file), "FR8131-1-12");
    }

    #[test]
    fn pages_say_their_own_classification() {
        assert_eq!(
            page_marking("СОВЕРШЕННО СЕКРЕТНО\nЭкз. 1").classification,
            Classification::TopSecret
        );
        assert_eq!(
            page_marking("Секретно\nСПРАВКА").classification,
            Classification::Secret
        );
        // "секретность" is not a marking.
        assert_eq!(
            page_marking("вопросы секретности").classification,
            Classification::Unclassified
        );
        let m = page_marking("SECRET//REL TO GBR, USA\nMemo");
        assert_eq!(m.to_string(), "SECRET//REL TO GBR, USA");
        // Dissemination controls, in the short and the spelled-out forms.
        let m = page_marking("TOP SECRET // ORCON\nNOT RELEASABLE TO FOREIGN NATIONALS");
        assert_eq!(m.to_string(), "TOP SECRET//ORCON/NOFORN");
        // A word that holds the letters is not the control.
        assert!(!page_marking("the NOFORNIA affair").noforn);
    }
}
