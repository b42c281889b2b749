//! An edition built in memory, as a pure pass over what the archive gives it: the public
//! variants of the approved reports, who is named and who is protected, every protected
//! name taken out of every string, then the pages, the search index and the dataset, and
//! what changed since the previous edition. Writing it to a folder, after the leak check,
//! is the caller's.

use std::collections::{BTreeMap, BTreeSet};

use kartoteka_model::{
    CoverNameHeld, EditionRecord, EditorDecision, PersonFacts, RelationKind, Report,
};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::forms::withheld_forms;
use crate::leak::{marking_needles, Needle};
use crate::people::{assign_pseudonyms, decide, Context, Standing, Why};
use crate::redact::Redactor;
use crate::rules::Rules;
use crate::site::Page;
use crate::write::{InMemory, Sink, WriteError};

/// What an edition is built from.
#[derive(Clone)]
pub struct Input {
    /// The edition's date (YYYY-MM-DD).
    pub date: String,
    /// The approved version of every report that has one.
    pub reports: Vec<Report>,
    /// Every person the archive knows.
    pub persons: Vec<PersonFacts>,
    /// Editors' decisions, oldest first.
    pub decisions: Vec<EditorDecision>,
    /// The previous edition, if any.
    pub previous: Option<EditionRecord>,
    /// The collection's counts (documents, units, pages), shown as they are.
    pub collection: BTreeMap<String, u64>,
    /// Reference codes of the units whose material is not public (a marking rule above
    /// UNCLASSIFIED or with controls): never named in the edition.
    pub withheld_units: Vec<String>,
    /// The rules.
    pub rules: Rules,
    /// The rules as written (kept with the edition, and in its README).
    pub rules_text: String,
}

/// A person as the edition shows them.
#[derive(Clone, Debug, Serialize)]
pub struct PublicPerson {
    /// The person id: their page's address.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Every spelling of it.
    pub names: Vec<String>,
    /// Cover names held, earliest first.
    pub cover_names: Vec<CoverNameHeld>,
    /// Roles the documents give them.
    pub roles: Vec<String>,
    /// Dates of birth, as written.
    pub born: Vec<String>,
    /// Why they are named (the rule).
    pub why: Why,
    /// Their links to others.
    pub links: Vec<PublicLink>,
    /// The reports about them.
    pub reports: Vec<String>,
}

/// One end of a link as the edition shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Other {
    /// A named person, with a page.
    Person {
        /// Their id.
        id: String,
        /// Their name.
        name: String,
    },
    /// A protected person, by pseudonym.
    Protected {
        /// The pseudonym.
        pseudonym: String,
    },
    /// A place or a service.
    Thing {
        /// As written.
        name: String,
    },
}

/// A link of a named person.
#[derive(Clone, Debug, Serialize)]
pub struct PublicLink {
    /// What it says.
    pub kind: RelationKind,
    /// The person is its first end (recruited by), not its second (recruited).
    pub outgoing: bool,
    /// The other end.
    pub other: Other,
}

/// What a timeline entry tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A named person was born.
    Born,
    /// A named person was given a cover name.
    CoverName,
    /// A report's dated paragraph.
    Paragraph,
}

/// One dated entry of the timeline.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineItem {
    /// When, as written ("1937", "1937-05-14").
    pub date: String,
    /// What happened: a birth, a cover name given, or a paragraph's words.
    pub what: Event,
    /// Whom it is about (a named person's id), when it is about one person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The words: the cover name, or the paragraph's first words.
    pub text: String,
    /// The page that says more, relative to a language's folder.
    pub href: String,
}

/// Everything the edition shows, protected names already taken out: what pages, index
/// and dataset are drawn from.
pub struct Content {
    /// The edition's title.
    pub title: String,
    /// Its number.
    pub number: u32,
    /// Its date.
    pub date: String,
    /// The public reports, redacted.
    pub reports: Vec<Report>,
    /// The named persons, by id.
    pub persons: BTreeMap<String, PublicPerson>,
    /// The timeline, earliest first.
    pub timeline: Vec<TimelineItem>,
    /// Counts shown on the home page and in the README.
    pub counts: BTreeMap<String, u64>,
    /// Published reports by country (ISO 3166 alpha-3).
    pub by_country: BTreeMap<String, u64>,
    /// Published reports by service named in them.
    pub by_service: BTreeMap<String, u64>,
    /// What each rule did: persons named and protected by it.
    pub rule_counts: BTreeMap<String, (u64, u64)>,
    /// The rules as written.
    pub rules_text: String,
}

/// What changed since the previous edition, by page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// The previous edition's number (0 for the first).
    pub since: u32,
    /// Pages that are new.
    pub added: Vec<String>,
    /// Pages whose content changed.
    pub changed: Vec<String>,
    /// Pages no longer made: each keeps its address, saying it was withdrawn.
    pub withdrawn: Vec<String>,
}

/// What a build did, for the person who ran it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Approved reports considered.
    pub reports_approved: u64,
    /// Published (at least one paragraph is public).
    pub reports_published: u64,
    /// Left out: nothing in them is public.
    pub reports_left_out: u64,
    /// Paragraphs published, and left out as not public.
    pub paragraphs_published: u64,
    /// Paragraphs left out.
    pub paragraphs_left_out: u64,
    /// Persons named and protected by each rule.
    pub rules: BTreeMap<String, (u64, u64)>,
    /// Names taken out of the text (each replaced by a pseudonym).
    pub replacements: u64,
    /// Strings the leak check looks for.
    pub withheld_strings: u64,
}

/// An edition laid out into a [`Sink`]: everything but its files, which are there.
pub struct Built {
    /// What the archive keeps of it.
    pub record: EditionRecord,
    /// What changed since the previous one.
    pub changes: Changes,
    /// What the build did.
    pub summary: Summary,
    /// What the leak check looks for.
    pub needles: Vec<Needle>,
    /// How many files were written.
    pub files: u64,
}

/// An edition, built in memory: its files by path, the record the archive keeps, what
/// changed, a summary, and the withheld strings the leak check must not find.
pub struct Edition {
    /// Every file, by its path in the edition ("en/persons/P3.html").
    pub files: BTreeMap<String, Vec<u8>>,
    /// What the archive keeps of it.
    pub record: EditionRecord,
    /// What changed since the previous one.
    pub changes: Changes,
    /// What the build did.
    pub summary: Summary,
    /// What the leak check looks for.
    pub needles: Vec<Needle>,
}

/// The SHA-256 of a page's content, in hex.
pub(crate) fn content_hash(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// A string folded as names are compared (lower case, ё as е, one space between words).
fn folded(s: &str) -> String {
    s.to_lowercase()
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The name of a person as a reader of a language sees it: the fullest spelling in its
/// script, else the fullest.
pub fn name_for(names: &[String], fallback: &str, cyrillic: bool) -> String {
    names
        .iter()
        .find(|n| n.chars().any(kartoteka_text::is_cyrillic) == cyrillic)
        .cloned()
        .unwrap_or_else(|| fallback.to_string())
}

/// Single words that are forms of a named person's name or cover names: a protected
/// person's form that is one of them is not taken out (the named person's name would go
/// with it) and not looked for.
fn named_words(persons: &[&PersonFacts]) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for p in persons {
        for spelling in p.names.iter().take(6) {
            let parsed = kartoteka_names::parse(spelling);
            if let Some(s) = parsed.surname.as_deref() {
                let forms = crate::forms::surname_forms(s, None);
                for f in crate::forms::romanised(&forms).iter().chain(&forms) {
                    words.insert(folded(f));
                }
            }
        }
        for c in &p.cover_names {
            words.insert(folded(&c.name));
        }
    }
    words
}

/// The forms of a protected person's names to take out and to look for: every withheld
/// form of each spelling, less single words a named person's name shares. A form shorter
/// than three letters is not a name to look for.
fn protected_forms(p: &PersonFacts, named: &BTreeSet<String>) -> Vec<String> {
    let mut out = BTreeSet::new();
    for spelling in p.names.iter().take(6) {
        for f in withheld_forms(spelling) {
            let fold = folded(&f);
            if fold.chars().filter(|c| c.is_alphabetic()).count() < 3 {
                continue;
            }
            if !fold.contains(' ') && named.contains(&fold) {
                continue;
            }
            out.insert(f);
        }
    }
    out.into_iter().collect()
}

/// The forms the leak check needs: a form holding one of the single-word forms as a whole
/// word is found by that word already.
fn needle_forms(forms: &[String]) -> Vec<String> {
    let singles: BTreeSet<String> = forms
        .iter()
        .map(|f| folded(f))
        .filter(|f| !f.contains(' '))
        .collect();
    forms
        .iter()
        .filter(|f| {
            let fold = folded(f);
            !fold.contains(' ')
                || !fold
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| !w.is_empty() && singles.contains(w))
        })
        .cloned()
        .collect()
}

fn public_reports(approved: Vec<Report>, summary: &mut Summary) -> Vec<Report> {
    let mut out = Vec::new();
    // Each approved report is let go once its public variant is made.
    for r in approved {
        summary.reports_approved += 1;
        let v = kartoteka_release::public_variant(&r);
        summary.paragraphs_left_out += v.loss.dropped.len() as u64;
        if v.report.paragraphs.is_empty() {
            summary.reports_left_out += 1;
            continue;
        }
        summary.reports_published += 1;
        summary.paragraphs_published += v.report.paragraphs.len() as u64;
        out.push(v.report);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// How a related person who has no person id stands, from how they relate to the subject:
/// whoever recruited or handled the subject is an officer, whoever the subject recruited
/// or handled an agent; anyone else is protected.
fn related_is_named(relation: &str) -> bool {
    matches!(
        relation,
        "recruited_by" | "handled_by" | "recruited" | "handled" | "handler" | "recruiter"
    )
}

/// Builds the edition.
/// Builds the next edition, writing each file into `sink` as it is laid out (so that
/// the edition is never held whole), and returns what the archive records of it.
pub fn build_into(mut input: Input, sink: &mut dyn Sink) -> Result<Built, WriteError> {
    let mut summary = Summary::default();
    let reports = public_reports(std::mem::take(&mut input.reports), &mut summary);
    let input = &input;
    let subjects: BTreeSet<String> = reports.iter().map(|r| r.subject.clone()).collect();
    let year = crate::rules::year_of(&input.date).unwrap_or(2000);
    let cx = Context {
        rules: &input.rules.persons,
        decisions: &input.decisions,
        subjects: &subjects,
        year,
    };
    let mut standings = decide(&input.persons, &cx);
    // Related persons the reports name with no person id (or an id no longer known).
    let known: BTreeSet<&str> = input.persons.iter().map(|p| p.id.as_str()).collect();
    let mut loose: BTreeMap<String, String> = BTreeMap::new();
    for r in &reports {
        for rel in &r.related {
            let unknown = rel.person.as_deref().is_none_or(|p| !known.contains(p));
            if unknown && !related_is_named(&rel.relation) {
                loose.insert(format!("name:{}", folded(&rel.name)), rel.name.clone());
            }
        }
    }
    let previous = input.previous.clone().unwrap_or_default();
    let loose_keys: Vec<String> = loose.keys().cloned().collect();
    let (registry, loose_pseudonyms) =
        assign_pseudonyms(&mut standings, &loose_keys, &previous.pseudonyms);
    let facts: BTreeMap<&str, &PersonFacts> =
        input.persons.iter().map(|p| (p.id.as_str(), p)).collect();
    let standing: BTreeMap<&str, &Standing> =
        standings.iter().map(|s| (s.id.as_str(), s)).collect();
    let named_persons: Vec<&PersonFacts> = standings
        .iter()
        .filter(|s| s.named)
        .filter_map(|s| facts.get(s.id.as_str()).copied())
        .collect();
    let named = named_words(&named_persons);

    // Every protected name's forms, with its pseudonym; and what the leak check needs.
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut needles: Vec<Needle> = Vec::new();
    let mut protect = |forms: Vec<String>, pseudonym: &str, rule: String| {
        for f in needle_forms(&forms) {
            needles.push(Needle {
                text: f,
                rule: rule.clone(),
                exact_case: false,
            });
        }
        pairs.extend(forms.into_iter().map(|f| (f, pseudonym.to_string())));
    };
    for s in standings.iter().filter(|s| !s.named) {
        let (Some(p), Some(pseudonym)) = (facts.get(s.id.as_str()), &s.pseudonym) else {
            continue;
        };
        protect(
            protected_forms(p, &named),
            pseudonym,
            format!("private person ({pseudonym})"),
        );
    }
    for (key, name) in &loose {
        let pseudonym = &loose_pseudonyms[key];
        let p = PersonFacts {
            id: key.clone(),
            name: name.clone(),
            names: vec![name.clone()],
            cover_names: vec![],
            roles: vec![],
            born: vec![],
            links: vec![],
        };
        protect(
            protected_forms(&p, &named),
            pseudonym,
            format!("private person ({pseudonym})"),
        );
    }
    // Longer forms first, so that a redactor built on them prefers the whole name.
    pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    let redactor = Redactor::new(pairs);
    let replaced = std::cell::Cell::new(0u64);
    let clean = |text: &str| -> String {
        let (out, n) = redactor.redact(text);
        replaced.set(replaced.get() + n as u64);
        out
    };

    // The reports, every string of them.
    let mut public: Vec<Report> = Vec::with_capacity(reports.len());
    for mut v in reports {
        v.title = clean(&v.title);
        v.subject_name = clean(&v.subject_name);
        if let Some(s) = standing.get(v.subject.as_str()) {
            if let Some(p) = &s.pseudonym {
                v.subject_name = p.clone();
                v.title = format!("Report on {p}");
            }
        }
        for p in &mut v.paragraphs {
            p.text = clean(&p.text);
            for c in &mut p.citations {
                c.quote = clean(&c.quote);
            }
        }
        for rel in &mut v.related {
            let by_id = rel
                .person
                .as_deref()
                .and_then(|id| standing.get(id))
                .and_then(|s| s.pseudonym.clone());
            let by_name = loose_pseudonyms
                .get(&format!("name:{}", folded(&rel.name)))
                .cloned();
            match by_id.or(by_name) {
                Some(pseudonym) => {
                    rel.name = pseudonym;
                    rel.person = None;
                }
                None => rel.name = clean(&rel.name),
            }
        }
        v.cover_names = v.cover_names.iter().map(|c| clean(c)).collect();
        v.places = v.places.iter().map(|c| clean(c)).collect();
        v.services = v.services.iter().map(|c| clean(c)).collect();
        public.push(v);
    }

    // The named persons, with their links.
    let mut persons: BTreeMap<String, PublicPerson> = BTreeMap::new();
    for s in standings.iter().filter(|s| s.named) {
        let Some(p) = facts.get(s.id.as_str()) else {
            continue;
        };
        let links = p
            .links
            .iter()
            .map(|l| {
                let other = match l.other_person.as_deref().and_then(|o| standing.get(o)) {
                    Some(o) if o.named => Other::Person {
                        id: o.id.clone(),
                        name: clean(
                            &facts
                                .get(o.id.as_str())
                                .map_or(l.other.clone(), |f| f.name.clone()),
                        ),
                    },
                    Some(o) => Other::Protected {
                        pseudonym: o.pseudonym.clone().unwrap_or_default(),
                    },
                    None => Other::Thing {
                        name: clean(&l.other),
                    },
                };
                PublicLink {
                    kind: l.kind,
                    outgoing: l.outgoing,
                    other,
                }
            })
            .collect();
        persons.insert(
            p.id.clone(),
            PublicPerson {
                id: p.id.clone(),
                name: clean(&p.name),
                names: p.names.iter().map(|n| clean(n)).collect(),
                cover_names: p
                    .cover_names
                    .iter()
                    .map(|c| CoverNameHeld {
                        name: clean(&c.name),
                        from: c.from.clone(),
                        to: c.to.clone(),
                    })
                    .collect(),
                roles: p.roles.iter().map(|r| clean(r)).collect(),
                born: p.born.clone(),
                why: s.why.clone(),
                links,
                reports: public
                    .iter()
                    .filter(|r| r.subject == p.id)
                    .map(|r| r.id.clone())
                    .collect(),
            },
        );
    }

    let mut rule_counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for s in &standings {
        let e = rule_counts.entry(s.why.rule().to_string()).or_default();
        if s.named {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    if !loose.is_empty() {
        rule_counts
            .entry("private person (named in a report only)".to_string())
            .or_default()
            .1 += loose.len() as u64;
    }
    summary.rules = rule_counts.clone();
    summary.replacements = replaced.get();

    let timeline = timeline(&public, &persons);
    let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_service: BTreeMap<String, u64> = BTreeMap::new();
    for r in &public {
        for c in &r.countries {
            *by_country.entry(c.clone()).or_default() += 1;
        }
        for s in &r.services {
            *by_service.entry(s.clone()).or_default() += 1;
        }
    }
    let mut counts = input.collection.clone();
    counts.insert("reports".into(), public.len() as u64);
    counts.insert("persons named".into(), persons.len() as u64);
    counts.insert(
        "persons protected".into(),
        standings.iter().filter(|s| !s.named).count() as u64 + loose.len() as u64,
    );
    counts.insert("countries".into(), by_country.len() as u64);
    let content = Content {
        title: input.rules.edition.title.clone(),
        number: previous.number + 1,
        date: input.date.clone(),
        reports: public,
        persons,
        timeline,
        counts: counts.clone(),
        by_country,
        by_service,
        rule_counts,
        rules_text: input.rules_text.clone(),
    };

    // Pages and data, each written as it is laid out; then what changed, then the pages
    // that say so.
    let mut out = Out::new(sink);
    crate::site::pages(&content, &mut out)?;
    crate::search::index(&content, &mut out)?;
    crate::dataset::files(&content, &mut out)?;
    let mut changes = Changes {
        since: previous.number,
        ..Changes::default()
    };
    for (path, hash) in &out.hashes {
        match previous.pages.get(path) {
            None => changes.added.push(path.clone()),
            Some(old) if old != hash => changes.changed.push(path.clone()),
            Some(_) => {}
        }
    }
    for (path, old) in &previous.pages {
        if out.hashes.contains_key(path) {
            continue;
        }
        let first_time = !old.starts_with(crate::site::WITHDRAWN);
        if first_time {
            changes.withdrawn.push(path.clone());
        }
        if let Some(page) = crate::site::withdrawn_page(&content, path, first_time) {
            let hash = format!("{}{}", crate::site::WITHDRAWN, content_hash(&page.hashed));
            out.page(path.clone(), page)?;
            out.hashes.insert(path.clone(), hash);
        }
    }
    // The pages that say what changed are not among the pages compared next time.
    let hashes = std::mem::take(&mut out.hashes);
    for (path, page) in crate::site::changes_pages(&content, &changes) {
        out.page(path, page)?;
    }
    for (path, page) in crate::dataset::readme(&content, &changes, &summary) {
        out.page(path, page)?;
    }
    let files = out.files;

    needles.extend(marking_needles());
    for unit in &input.withheld_units {
        let mut spellings = vec![unit.clone()];
        if let Ok(r) = unit.parse::<kartoteka_model::Reference>() {
            spellings.push(r.display(kartoteka_model::Convention::English));
            spellings.push(r.display(kartoteka_model::Convention::Russian));
        }
        spellings.sort();
        spellings.dedup();
        for s in spellings {
            needles.push(Needle {
                text: s,
                rule: "reference code of a withheld unit".into(),
                exact_case: false,
            });
        }
    }
    summary.withheld_strings = needles.len() as u64;
    let record = EditionRecord {
        number: previous.number + 1,
        at: String::new(),
        by: String::new(),
        pages: hashes,
        pseudonyms: registry,
        counts,
        rules: input.rules_text.clone(),
    };
    Ok(Built {
        record,
        changes,
        summary,
        needles,
        files,
    })
}

/// Builds the next edition in memory (for previews and tests; an edition of any size
/// goes to a folder with [`build_into`] and a [`crate::write::Building`]).
pub fn build(input: Input) -> Result<Edition, WriteError> {
    let mut memory = InMemory::default();
    let built = build_into(input, &mut memory)?;
    Ok(Edition {
        files: memory.files,
        record: built.record,
        changes: built.changes,
        summary: built.summary,
        needles: built.needles,
    })
}

/// The files of an edition as they are laid out, each written to the sink at once and
/// its content hash kept (what the record compares from edition to edition).
pub struct Out<'a> {
    sink: &'a mut dyn Sink,
    /// Each file's content hash, by path.
    pub(crate) hashes: BTreeMap<String, String>,
    files: u64,
}

impl<'a> Out<'a> {
    fn new(sink: &'a mut dyn Sink) -> Self {
        Out {
            sink,
            hashes: BTreeMap::new(),
            files: 0,
        }
    }

    /// A page, written whole; its hash is of its content without the frame.
    pub fn page(&mut self, path: String, page: Page) -> Result<(), WriteError> {
        self.write(&path, |w| w.write_all(&page.bytes))?;
        self.hashes.insert(path, content_hash(&page.hashed));
        Ok(())
    }

    /// A data file written in pieces by `write`, hashed whole as it goes.
    pub fn data(
        &mut self,
        path: &str,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), WriteError> {
        let mut hasher = Sha256::new();
        self.write(path, |w| {
            write(&mut Hashing {
                inner: w,
                hasher: &mut hasher,
            })
        })?;
        self.hashes
            .insert(path.to_string(), hex::encode(hasher.finalize()));
        Ok(())
    }

    /// One new file of the sink, written by `write` and flushed.
    fn write(
        &mut self,
        path: &str,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), WriteError> {
        let mut file = self.sink.create(path)?;
        write(&mut file)
            .and_then(|()| file.flush())
            .map_err(|source| WriteError::Io {
                path: path.into(),
                source,
            })?;
        self.files += 1;
        Ok(())
    }
}

/// A writer that hashes what goes through it.
struct Hashing<'a, W> {
    inner: W,
    hasher: &'a mut Sha256,
}

impl<W: std::io::Write> std::io::Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The dated events of the edition: cover names given, births, and the report paragraphs
/// that begin with a year (recruitment, handling, activity).
fn timeline(reports: &[Report], persons: &BTreeMap<String, PublicPerson>) -> Vec<TimelineItem> {
    let mut out = Vec::new();
    for p in persons.values() {
        for c in &p.cover_names {
            if let Some(from) = &c.from {
                out.push(TimelineItem {
                    date: from.clone(),
                    what: Event::CoverName,
                    person: Some(p.id.clone()),
                    text: c.name.clone(),
                    href: format!("persons/{}.html", p.id),
                });
            }
        }
        for b in &p.born {
            out.push(TimelineItem {
                date: b.clone(),
                what: Event::Born,
                person: Some(p.id.clone()),
                text: String::new(),
                href: format!("persons/{}.html", p.id),
            });
        }
    }
    for r in reports {
        for p in &r.paragraphs {
            if !matches!(p.section.as_str(), "recruitment" | "handling" | "activity") {
                continue;
            }
            let Some(year) = p.text.get(0..4).filter(|y| y.parse::<u16>().is_ok()) else {
                continue;
            };
            let text: String = p.text.chars().take(240).collect();
            out.push(TimelineItem {
                date: year.to_string(),
                what: Event::Paragraph,
                person: None,
                text,
                href: format!("reports/{}.html", r.id),
            });
        }
    }
    let key = |d: &str| crate::rules::year_of(d).unwrap_or(i32::MAX);
    out.sort_by(|a, b| {
        key(&a.date)
            .cmp(&key(&b.date))
            .then(a.date.cmp(&b.date))
            .then(a.href.cmp(&b.href))
            .then(a.text.cmp(&b.text))
    });
    out.dedup_by(|a, b| a.date == b.date && a.text == b.text && a.href == b.href);
    out
}
