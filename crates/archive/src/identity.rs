//! Identities: which person mentions are one person, decided by name comparison
//! (kartoteka-names) under people's judgements; persons with their names, cover names and
//! mentions; dossiers; cover names with their holders in time; FollowTheMoney export.
//!
//! Resolution is recomputed from the mentions and the judgements each time it runs, so it
//! is reproducible and reversible: undoing a judgement and resolving again gives what the
//! archive would have given without it. Person ids ("P17") are kept in a registry and
//! carried from one resolution to the next by `kartoteka_model::assign_person_ids`: new
//! evidence keeps every id, a merge keeps the id with more mentions and redirects the other,
//! a split gives the smaller part a new id, and no id is ever issued twice. The same
//! archive resolved from scratch gets the same ids: new ids are numbered in the order of
//! the persons' first mentions.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use kartoteka_model::{
    DateRange, DocId, Document, IdChange, IdentityRow, Judgement, MentionAnchor, MentionRecord,
    PartialDate, PersonRecord, PersonStatus, RelationRecord, Verdict,
};
use kartoteka_names::{Constraints, NameRecord};
use serde::Serialize;

pub use kartoteka_model::{
    CoverHolder, CoverNameHeld, CoverNameView, Dossier, DossierRelation, OwnFile, Person,
    PersonMention, Redirect, TimelineEntry,
};

use crate::{Archive, ArchiveError};

/// What a resolution run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ResolveReport {
    /// Person mentions resolved.
    pub mentions: u64,
    /// Persons they make.
    pub persons: u64,
    /// Judgements applied (undone ones are not).
    pub judgements: u64,
    /// Judgements whose mentions are no longer in the archive (re-extracted away).
    pub stale_judgements: Vec<i64>,
    /// "Different" judgements that "same" judgements contradict: (judgement, a, b).
    pub contradictions: Vec<String>,
    /// What changed in the person ids: persons new, merged, split, redirected, withdrawn.
    pub changes: Vec<PersonIdChange>,
    /// Seconds taken.
    pub seconds: f64,
}

/// One change to the person ids, and why.
#[derive(Clone, Debug, Serialize)]
pub struct PersonIdChange {
    /// What changed.
    #[serde(flatten)]
    pub change: IdChange,
    /// Why: the judgement that made it, or what the names say.
    pub reason: String,
}

/// The roles the text gives each mention ("оперработником Зайциным": case_officer).
fn store_roles(relations: &[RelationRecord], roles: &[MentionRecord]) -> HashMap<i64, Vec<String>> {
    let role_of: HashMap<i64, String> = roles
        .iter()
        .map(|r| (r.id, r.code.clone().unwrap_or_else(|| r.lemma.clone())))
        .collect();
    // "Агент «ШТОРМ» (Орлский Г. Н.)": the role is the cover name's, and so its holder's.
    let holder_of: HashMap<i64, i64> = relations
        .iter()
        .filter(|r| r.kind == "code_named")
        .map(|r| (r.to, r.from))
        .collect();
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for r in relations.iter().filter(|r| r.kind == "has_role") {
        if let Some(role) = role_of.get(&r.to) {
            for who in std::iter::once(r.from).chain(holder_of.get(&r.from).copied()) {
                let list = out.entry(who).or_default();
                if !list.contains(role) {
                    list.push(role.clone());
                }
            }
        }
    }
    out
}

/// A cover name's spellings and mentions.
pub(crate) struct CoverName {
    pub(crate) name: String,
    pub(crate) spellings: Vec<String>,
    pub(crate) mentions: Vec<i64>,
}

/// One person's holding of one cover name.
#[derive(Clone)]
pub(crate) struct Holding {
    pub(crate) cover: String,
    pub(crate) person: String,
    pub(crate) from: Option<PartialDate>,
    pub(crate) to: Option<PartialDate>,
    pub(crate) evidence: Vec<DocId>,
}

/// The key that makes HOLA, Hola and «ХОЛА» one cover name.
fn cover_key(name: &str) -> String {
    kartoteka_text::translit_keys(name)
        .into_iter()
        .next()
        .unwrap_or_else(|| name.to_lowercase())
}

fn anchor_of(m: &MentionRecord) -> MentionAnchor {
    MentionAnchor {
        doc: m.doc,
        page: m.page,
        start: m.start,
        text: m.text.clone(),
    }
}

/// A person's spellings, the one to show first: the most complete (given name,
/// patronymic, surname, initials), then the one most mentions use, then the longest.
fn ranked_names<'a>(spellings: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for s in spellings {
        *count.entry(s).or_default() += 1;
    }
    let mut names: Vec<((usize, usize, usize), &str)> = count
        .into_iter()
        .map(|(name, n)| {
            let p = kartoteka_names::parse(name);
            // A part written out counts twice an initial.
            let parts = 2 * usize::from(p.given.is_some())
                + 2 * usize::from(p.patronymic.is_some())
                + 2 * usize::from(p.surname.is_some())
                + p.initials.len().min(2);
            ((parts, n, name.chars().count()), name)
        })
        .collect();
    names.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    names.into_iter().map(|(_, n)| n.to_string()).collect()
}

/// Why an id changed: the judgement joining or parting the two persons, if a person made
/// one, else what resolution found.
fn change_reason(
    change: &IdChange,
    judgements: &[Judgement],
    previous: &HashMap<(DocId, u32, u32), String>,
    now: &HashMap<(DocId, u32, u32), &str>,
) -> String {
    let at = |a: &MentionAnchor| (a.doc, a.page, a.start);
    let was = |a: &MentionAnchor| previous.get(&at(a)).map(String::as_str);
    let is = |a: &MentionAnchor| now.get(&at(a)).copied();
    let said = |j: &Judgement, how: &str| format!("judgement {} ({how}): {}", j.id, j.why);
    match change {
        IdChange::New { .. } => "new person".to_string(),
        IdChange::Withdrawn { .. } => "none of its mentions is left in the archive".to_string(),
        IdChange::Redirected { from, into } => {
            format!("{from} was merged earlier; its mentions are now under {into}")
        }
        IdChange::Merged { from, into } => judgements
            .iter()
            .rev()
            .filter(|j| j.undone.is_none() && j.verdict == Verdict::Same)
            .find(|j| {
                (was(&j.a) == Some(from) && is(&j.b) == Some(into))
                    || (was(&j.b) == Some(from) && is(&j.a) == Some(into))
            })
            .map(|j| format!("{from} merged into {into} by {}", said(j, "same")))
            .unwrap_or_else(|| {
                format!("{from} merged into {into}: resolution now joins their names")
            }),
        IdChange::Split { from, new } => {
            let parts = |j: &Judgement| {
                (is(&j.a) == Some(from) && is(&j.b) == Some(new))
                    || (is(&j.a) == Some(new) && is(&j.b) == Some(from))
            };
            if let Some(j) = judgements
                .iter()
                .rev()
                .find(|j| j.undone.is_none() && j.verdict == Verdict::Different && parts(j))
            {
                format!("{new} split from {from} by {}", said(j, "different"))
            } else if let Some(j) = judgements
                .iter()
                .rev()
                .find(|j| j.undone.is_some() && j.verdict == Verdict::Same && parts(j))
            {
                format!(
                    "{new} split from {from}: judgement {} (same) was undone",
                    j.id
                )
            } else {
                format!("{new} split from {from}: resolution no longer joins them")
            }
        }
    }
}

impl Archive {
    /// Resolves every person mention into persons, under people's judgements, and keeps
    /// the result (audited as "resolve").
    pub fn resolve(&self) -> Result<ResolveReport, ArchiveError> {
        let started = Instant::now();
        let mentions = self.store().mentions(&[], Some("person"))?;
        let judgements = self.store().judgements()?;
        let at: HashMap<(DocId, u32, u32), usize> = mentions
            .iter()
            .enumerate()
            .map(|(i, m)| ((m.doc, m.page, m.start), i))
            .collect();
        let contexts = self.contexts(&mentions)?;
        let records: Vec<NameRecord> = mentions
            .iter()
            .zip(contexts)
            .map(|(m, context)| NameRecord {
                id: m.id.to_string(),
                name: m.lemma.clone(),
                language: None,
                document: Some(m.doc.0.to_string()),
                context,
            })
            .collect();
        let mut constraints = Constraints::default();
        let mut report = ResolveReport {
            mentions: mentions.len() as u64,
            ..ResolveReport::default()
        };
        let mut judgement_of_pair: HashMap<(usize, usize), i64> = HashMap::new();
        for j in judgements.iter().filter(|j| j.undone.is_none()) {
            let find = |a: &MentionAnchor| at.get(&(a.doc, a.page, a.start)).copied();
            let (Some(a), Some(b)) = (find(&j.a), find(&j.b)) else {
                report.stale_judgements.push(j.id);
                continue;
            };
            report.judgements += 1;
            match j.verdict {
                Verdict::Same => constraints.same.push((a, b)),
                Verdict::Different => {
                    constraints.different.push((a, b));
                    judgement_of_pair.insert((a.min(b), a.max(b)), j.id);
                }
                Verdict::Unsure => {}
            }
        }
        let clustering = kartoteka_names::cluster_judged_on(&records, &constraints, self.jobs());
        for (a, b) in &clustering.contradictions {
            report.contradictions.push(format!(
                "judgement {}: {} (mention {}) and {} (mention {}) were judged different, but judgements of \"same\" join them",
                judgement_of_pair.get(&(*a, *b)).copied().unwrap_or(0),
                mentions[*a].text,
                mentions[*a].id,
                mentions[*b].text,
                mentions[*b].id
            ));
        }
        let (previous, registry) = {
            let store = self.store();
            let previous: HashMap<(DocId, u32, u32), String> = store
                .identities()?
                .into_iter()
                .filter(|r| r.at.0 .0 != 0)
                .map(|r| (r.at, r.person))
                .collect();
            (previous, store.person_records()?)
        };
        // Only where each mention is counts for the ids: its text is left out (an
        // allocation per mention saved).
        let groups: Vec<Vec<MentionAnchor>> = clustering
            .groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|&i| MentionAnchor {
                        doc: mentions[i].doc,
                        page: mentions[i].page,
                        start: mentions[i].start,
                        text: String::new(),
                    })
                    .collect()
            })
            .collect();
        let mut assignment = kartoteka_model::assign_person_ids(
            &groups,
            &previous,
            &registry,
            &crate::archive::now(),
        );
        let mut rows = Vec::with_capacity(mentions.len());
        for (group, id) in clustering.groups.iter().zip(&assignment.ids) {
            for &i in group {
                let m = &mentions[i];
                rows.push(IdentityRow {
                    mention: m.id,
                    person: id.clone(),
                    at: (m.doc, m.page, m.start),
                });
            }
        }
        let now_of: HashMap<(DocId, u32, u32), &str> =
            rows.iter().map(|r| (r.at, r.person.as_str())).collect();
        let record_at: HashMap<String, usize> = assignment
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        for change in &assignment.changes {
            let reason = change_reason(change, &judgements, &previous, &now_of);
            report.changes.push(PersonIdChange {
                change: change.clone(),
                reason: reason.clone(),
            });
            let concerned = match change {
                IdChange::Merged { from, .. } | IdChange::Redirected { from, .. } => from,
                IdChange::Split { new, .. } => new,
                IdChange::New { .. } | IdChange::Withdrawn { .. } => continue,
            };
            if let Some(&i) = record_at.get(concerned) {
                assignment.records[i].reason = reason;
            }
        }
        report.persons = clustering.groups.len() as u64;
        let count = |f: fn(&IdChange) -> bool| assignment.changes.iter().filter(|c| f(c)).count();
        let detail = serde_json::json!({
            "mentions": report.mentions,
            "persons": report.persons,
            "judgements": report.judgements,
            "contradictions": report.contradictions.len(),
            "new": count(|c| matches!(c, IdChange::New { .. })),
            "merged": count(|c| matches!(c, IdChange::Merged { .. })),
            "split": count(|c| matches!(c, IdChange::Split { .. })),
            "withdrawn": count(|c| matches!(c, IdChange::Withdrawn { .. })),
        });
        self.store()
            .replace_identities(&rows, &assignment.records, &detail.to_string())?;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// The circumstances of each person mention, for resolution to weigh: the birth years
    /// the text gives for it, and the places, years and other people named on its page.
    /// Mentions of one page share one context unless a birth sets one apart.
    fn contexts(
        &self,
        persons: &[MentionRecord],
    ) -> Result<Vec<Option<Arc<kartoteka_names::Context>>>, ArchiveError> {
        let store = self.store();
        let places = store.mentions(&[], Some("place"))?;
        let dates = store.mentions(&[], Some("date"))?;
        let relations = store.relations(&[])?;
        drop(store);
        let year_of = |m: &MentionRecord| -> Option<(i32, i32)> {
            let range = DateRange::parse(m.code.as_deref().unwrap_or(&m.lemma))?;
            Some(((range.from / 10000) as i32, (range.to / 10000) as i32))
        };
        let date_by_id: HashMap<i64, &MentionRecord> = dates.iter().map(|d| (d.id, d)).collect();
        let roles = store_roles(&relations, &self.store().mentions(&[], Some("role"))?);
        let mut born: HashMap<i64, Vec<i32>> = HashMap::new();
        let mut birth_dates: std::collections::HashSet<i64> = Default::default();
        for r in relations.iter().filter(|r| r.kind == "born") {
            if let Some((year, _)) = date_by_id.get(&r.to).and_then(|d| year_of(d)) {
                born.entry(r.from).or_default().push(year);
                birth_dates.insert(r.to);
            }
        }
        let mut pages: HashMap<(DocId, u32), kartoteka_names::Context> = HashMap::new();
        for p in &places {
            let c = pages.entry((p.doc, p.page)).or_default();
            let place = p.code.clone().unwrap_or_else(|| p.lemma.clone());
            if !c.places.contains(&place) {
                c.places.push(place);
            }
        }
        for d in dates.iter().filter(|d| !birth_dates.contains(&d.id)) {
            if let Some((from, to)) = year_of(d) {
                let c = pages.entry((d.doc, d.page)).or_default();
                c.years = Some(match c.years {
                    Some((a, b)) => (a.min(from), b.max(to)),
                    None => (from, to),
                });
            }
        }
        for m in persons {
            if let Some(surname) = kartoteka_names::parse(&m.lemma).surname {
                let c = pages.entry((m.doc, m.page)).or_default();
                if !c.people.contains(&surname) && c.people.len() < 32 {
                    c.people.push(surname);
                }
            }
        }
        let shared: HashMap<(DocId, u32), Arc<kartoteka_names::Context>> =
            pages.into_iter().map(|(k, c)| (k, Arc::new(c))).collect();
        Ok(persons
            .iter()
            .map(|m| {
                let page = shared.get(&(m.doc, m.page));
                match (born.get(&m.id), roles.get(&m.id)) {
                    (None, None) => page.cloned(),
                    (years, role) => {
                        let mut c = page.map(|c| (**c).clone()).unwrap_or_default();
                        c.born = years.cloned().unwrap_or_default();
                        c.roles = role.cloned().unwrap_or_default();
                        Some(Arc::new(c))
                    }
                }
            })
            .collect())
    }

    /// Every person, or those whose names fit the query (a name compared as a name, or a
    /// piece of one).
    pub fn persons(&self, query: Option<&str>) -> Result<Vec<Person>, ArchiveError> {
        let world = World::load(self)?;
        let mut out: Vec<Person> = world.person_ids().map(|p| world.person(p)).collect();
        if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
            let lower = q.to_lowercase();
            if let Some(r) = world.redirect(q) {
                out.retain(|p| p.id == r.merged_into);
                return Ok(out);
            }
            out.retain(|p| {
                p.names.iter().any(|n| {
                    n.to_lowercase().contains(&lower)
                        || kartoteka_names::match_names(q, n).verdict
                            == kartoteka_names::Verdict::Same
                }) || p.id == q
            });
        }
        Ok(out)
    }

    /// Everything on one person, by id or by a name that picks out one person.
    pub fn dossier(&self, who: &str) -> Result<Dossier, ArchiveError> {
        let world = World::load(self)?;
        let id = world.find(who)?;
        let redirect = world.redirect(who);
        let person = world.person(&id);
        let mine: BTreeSet<i64> = world.members[&id].iter().copied().collect();
        let mut roles = BTreeSet::new();
        let mut relations = Vec::new();
        for r in &world.relations {
            let (mine_from, mine_to) = (mine.contains(&r.from), mine.contains(&r.to));
            if !mine_from && !mine_to {
                continue;
            }
            let other_id = if mine_from { r.to } else { r.from };
            let Some(other) = world.mention.get(&other_id) else {
                continue;
            };
            if r.kind == "has_role" {
                roles.insert(other.lemma.clone());
                continue;
            }
            if r.kind == "code_named" {
                continue;
            }
            relations.push(DossierRelation {
                kind: r.kind.clone(),
                outgoing: mine_from,
                other_person: world.person_of.get(&other_id).cloned(),
                other: other.lemma.clone(),
                doc: r.doc,
                page: r.page,
            });
        }
        let mut units = BTreeSet::new();
        let mut timeline = Vec::new();
        let mut dated_docs = BTreeSet::new();
        for m in &person.mentions {
            if let Some(r) = &m.reference {
                units.insert(r.clone());
            }
            if let Some(d) = world.documents.get(&m.doc).and_then(|d| d.dates.as_ref()) {
                if dated_docs.insert(m.doc) {
                    timeline.push(TimelineEntry {
                        date: d.to_string(),
                        doc: m.doc,
                        reference: m.reference.clone(),
                        text: m.context.clone(),
                    });
                }
            }
        }
        let first_day = |date: &str| DateRange::parse(date).map_or(0, |d| d.from);
        timeline.sort_by(|a, b| {
            first_day(&a.date)
                .cmp(&first_day(&b.date))
                .then(a.doc.cmp(&b.doc))
        });
        let own_files = self.own_files(&person)?;
        let judgements = self
            .store()
            .judgements()?
            .into_iter()
            .filter(|j| {
                person.mentions.iter().any(|m| {
                    (m.doc, m.page) == (j.a.doc, j.a.page) || (m.doc, m.page) == (j.b.doc, j.b.page)
                })
            })
            .collect();
        Ok(Dossier {
            person,
            roles: roles.into_iter().collect(),
            units: units.into_iter().collect(),
            own_files,
            relations,
            timeline,
            judgements,
            redirect,
        })
    }

    /// Where a retired person id points (None for a current id, a name, or an id never
    /// issued): for front ends to say that an id was merged into another person.
    pub fn redirect(&self, id: &str) -> Result<Option<Redirect>, ArchiveError> {
        Ok(World::load(self)?.redirect(id))
    }

    /// Every person id ever issued, with what became of it, in the order of issue.
    pub fn person_registry(&self) -> Result<Vec<PersonRecord>, ArchiveError> {
        Ok(self.store().person_records()?)
    }

    /// Units whose titles name the person (a personal file), with their open gaps.
    fn own_files(&self, person: &Person) -> Result<Vec<OwnFile>, ArchiveError> {
        let surnames: Vec<String> = person
            .names
            .iter()
            .filter_map(|n| kartoteka_names::parse(n).surname)
            .collect();
        if surnames.is_empty() {
            return Ok(Vec::new());
        }
        let units = self.store().units(None)?;
        let findings = self.gap_findings_by_unit()?;
        let mut out = Vec::new();
        for u in units {
            let Some(title) = u.title.as_deref() else {
                continue;
            };
            let named = kartoteka_text::words(title).any(|w| {
                w.text.chars().next().is_some_and(char::is_uppercase)
                    && surnames.iter().any(|s| {
                        kartoteka_names::match_names(s, w.text).verdict
                            != kartoteka_names::Verdict::Different
                            && kartoteka_text::translit_keys(s)
                                .iter()
                                .any(|k| kartoteka_text::translit_keys(w.text).contains(k))
                    })
            });
            if named {
                let reference = u.reference.to_string();
                out.push(OwnFile {
                    findings: findings.get(&reference).cloned().unwrap_or_default(),
                    reference,
                    title: title.to_string(),
                });
            }
        }
        Ok(out)
    }

    /// Every cover name with who held it and when.
    pub fn cover_names(&self) -> Result<Vec<CoverNameView>, ArchiveError> {
        let world = World::load(self)?;
        let covers = world.covers();
        let holdings = world.holdings(&covers);
        let mut out = Vec::new();
        for (key, cover) in &covers {
            let mine: Vec<&Holding> = holdings.iter().filter(|h| &h.cover == key).collect();
            let linked: BTreeSet<DocId> = mine
                .iter()
                .flat_map(|h| h.evidence.iter().copied())
                .collect();
            let unknown: BTreeSet<DocId> = cover
                .mentions
                .iter()
                .filter_map(|m| world.mention.get(m).map(|m| m.doc))
                .filter(|d| !linked.contains(d))
                .collect();
            out.push(CoverNameView {
                name: cover.name.clone(),
                spellings: cover.spellings.clone(),
                mentions: cover.mentions.len() as u64,
                holders: mine
                    .iter()
                    .map(|h| CoverHolder {
                        person_id: h.person.clone(),
                        name: world.best_name(&h.person),
                        from: h.from.map(|d| d.to_string()),
                        to: h.to.map(|d| d.to_string()),
                        evidence: h.evidence.clone(),
                    })
                    .collect(),
                unknown_holder_docs: unknown.into_iter().collect(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Records a person's judgement on two mentions or persons ("P..." ids or mention
    /// numbers) and resolves again.
    pub fn judge(
        &self,
        a: &str,
        b: &str,
        verdict: Verdict,
        why: &str,
    ) -> Result<(Judgement, ResolveReport), ArchiveError> {
        if why.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                why.to_string(),
                "a judgement needs a reason".to_string(),
            ));
        }
        let world = World::load(self)?;
        let anchor = |s: &str| -> Result<MentionAnchor, ArchiveError> {
            let id = world.find_mention(s)?;
            Ok(anchor_of(&world.mention[&id]))
        };
        let (x, y) = (anchor(a)?, anchor(b)?);
        if x == y {
            return Err(ArchiveError::BadTarget(
                b.to_string(),
                "both sides are the same mention".to_string(),
            ));
        }
        let saved = self.store().save_judgement(&Judgement {
            id: 0,
            a: x,
            b: y,
            verdict,
            why: why.to_string(),
            by: String::new(),
            at: String::new(),
            undone: None,
        })?;
        let report = self.resolve()?;
        Ok((saved, report))
    }

    /// Undoes a judgement (it stays on record, marked undone) and resolves again.
    pub fn undo_judgement(&self, id: i64) -> Result<(Judgement, ResolveReport), ArchiveError> {
        let undone = self.store().undo_judgement(id).map_err(|e| match e {
            kartoteka_store::StoreError::NotFound(w) => ArchiveError::NotFound(w),
            other => ArchiveError::Store(other),
        })?;
        let report = self.resolve()?;
        Ok((undone, report))
    }

    /// Persons and their links as FollowTheMoney entities, one JSON object per line.
    pub fn export_ftm(&self) -> Result<Vec<serde_json::Value>, ArchiveError> {
        let world = World::load(self)?;
        let covers = self.cover_names()?;
        let mut cover_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in &covers {
            for h in &c.holders {
                cover_of
                    .entry(h.person_id.clone())
                    .or_default()
                    .push(c.name.clone());
            }
        }
        let mut out = Vec::new();
        for pid in world.person_ids() {
            let p = world.person(pid);
            let aliases: Vec<&String> = p.names.iter().filter(|n| **n != p.name).collect();
            out.push(serde_json::json!({
                "id": format!("kartoteka-{}", p.id),
                "schema": "Person",
                "properties": {
                    "name": [p.name],
                    "alias": aliases,
                    "weakAlias": cover_of.get(pid).cloned().unwrap_or_default(),
                    "sourceUrl": [],
                    "notes": [format!("{} mentions in {} documents", p.mentions.len(),
                        p.mentions.iter().map(|m| m.doc).collect::<BTreeSet<_>>().len())],
                }
            }));
        }
        let mut orgs: BTreeMap<String, String> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for r in &world.relations {
            let (Some(from), Some(to)) = (world.mention.get(&r.from), world.mention.get(&r.to))
            else {
                continue;
            };
            let Some(pa) = world.person_of.get(&r.from) else {
                continue;
            };
            match (r.kind.as_str(), world.person_of.get(&r.to)) {
                ("handled_by" | "recruited_by" | "met_with" | "reported_on", Some(pb)) => {
                    if pa == pb || !seen.insert((pa.clone(), pb.clone(), r.kind.clone())) {
                        continue;
                    }
                    out.push(serde_json::json!({
                        "id": format!("kartoteka-{}-{}-{}", r.kind, pa, pb),
                        "schema": "Associate",
                        "properties": {
                            "person": [format!("kartoteka-{pa}")],
                            "associate": [format!("kartoteka-{pb}")],
                            "relationship": [r.kind.replace('_', " ")],
                            "summary": [format!("{} {} {}", from.lemma, r.kind.replace('_', " "), to.lemma)],
                        }
                    }));
                }
                ("worked_at", None) if to.kind == "org" => {
                    let org_id = format!("kartoteka-org-{}", to.lemma);
                    orgs.insert(org_id.clone(), to.lemma.clone());
                    if !seen.insert((pa.clone(), org_id.clone(), r.kind.clone())) {
                        continue;
                    }
                    out.push(serde_json::json!({
                        "id": format!("kartoteka-membership-{pa}-{}", to.lemma),
                        "schema": "Membership",
                        "properties": {
                            "member": [format!("kartoteka-{pa}")],
                            "organization": [org_id],
                        }
                    }));
                }
                _ => {}
            }
        }
        for (id, name) in orgs {
            out.push(serde_json::json!({
                "id": id,
                "schema": "Organization",
                "properties": { "name": [name] }
            }));
        }
        Ok(out)
    }

    fn gap_findings_by_unit(&self) -> Result<HashMap<String, Vec<String>>, ArchiveError> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        let findings = self.store().current_findings()?;
        for f in findings {
            if f.status != kartoteka_model::FindingStatus::Explained {
                out.entry(f.reference.clone()).or_default().push(format!(
                    "{}: {}",
                    f.kind.as_str(),
                    f.evidence
                ));
            }
        }
        Ok(out)
    }
}

/// The archive's people, loaded once for a listing or a dossier.
pub(crate) struct World {
    pub(crate) mention: HashMap<i64, MentionRecord>,
    pub(crate) person_of: HashMap<i64, String>,
    pub(crate) members: BTreeMap<String, Vec<i64>>,
    pub(crate) relations: Vec<RelationRecord>,
    pub(crate) documents: HashMap<DocId, Document>,
    /// Every person id ever issued, by id.
    pub(crate) registry: HashMap<String, PersonRecord>,
    /// The retired ids that lead to each person, in the order of issue.
    merged_from: HashMap<String, Vec<String>>,
}

impl World {
    pub(crate) fn load(archive: &Archive) -> Result<World, ArchiveError> {
        let store = archive.store();
        let identities = store.identities()?;
        if identities.is_empty() {
            drop(store);
            return Err(ArchiveError::NotFound(
                "resolution (run `kartoteka resolve` after `kartoteka extract`)".to_string(),
            ));
        }
        let mentions = store.mentions(&[], None)?;
        let relations = store.relations(&[])?;
        let records = store.person_records()?;
        let mut merged_from: HashMap<String, Vec<String>> = HashMap::new();
        // Records come in the order of issue, so each list is too.
        for r in records.iter().filter(|r| r.status == PersonStatus::Merged) {
            if let Some(into) = &r.merged_into {
                merged_from
                    .entry(into.clone())
                    .or_default()
                    .push(r.id.clone());
            }
        }
        let registry = records.into_iter().map(|r| (r.id.clone(), r)).collect();
        let mut documents = HashMap::new();
        for m in &mentions {
            if let std::collections::hash_map::Entry::Vacant(e) = documents.entry(m.doc) {
                if let Some(d) = store.document(m.doc)? {
                    e.insert(d);
                }
            }
        }
        let mut person_of = HashMap::new();
        let mut members: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for r in identities {
            members.entry(r.person.clone()).or_default().push(r.mention);
            person_of.insert(r.mention, r.person);
        }
        Ok(World {
            mention: mentions.into_iter().map(|m| (m.id, m)).collect(),
            person_of,
            members,
            relations,
            documents,
            registry,
            merged_from,
        })
    }

    /// Where a retired id points: the person its mentions are now under. None for an id
    /// of the current resolution or one never issued.
    pub(crate) fn redirect(&self, id: &str) -> Option<Redirect> {
        let r = self.registry.get(id.trim())?;
        if r.status != PersonStatus::Merged {
            return None;
        }
        let into = r.merged_into.clone()?;
        self.members.contains_key(&into).then(|| Redirect {
            from: r.id.clone(),
            merged_into: into,
            reason: r.reason.clone(),
            at: r.at.clone(),
        })
    }

    /// The cover names of the archive, one per transliteration key: oblique forms
    /// («ХОЛОЙ») take the nominative met anywhere, and HOLA is «ХОЛА».
    pub(crate) fn covers(&self) -> BTreeMap<String, CoverName> {
        let mut all: Vec<&MentionRecord> = self
            .mention
            .values()
            .filter(|m| m.kind == "cover_name")
            .collect();
        all.sort_by_key(|m| m.id);
        let known: std::collections::HashSet<String> =
            all.iter().map(|c| c.lemma.clone()).collect();
        let mut out: BTreeMap<String, CoverName> = BTreeMap::new();
        for c in all {
            let name = kartoteka_extract::cover_nominative(&c.lemma, &known)
                .unwrap_or_else(|| c.lemma.clone());
            let key = cover_key(&name);
            let entry = out.entry(key).or_insert_with(|| CoverName {
                name: name.clone(),
                spellings: Vec::new(),
                mentions: Vec::new(),
            });
            if !entry.spellings.contains(&name) {
                entry.spellings.push(name.clone());
            }
            // The Cyrillic spelling names it: the service's own.
            if name.chars().any(kartoteka_text::is_cyrillic)
                && !entry.name.chars().any(kartoteka_text::is_cyrillic)
            {
                entry.name = name;
            }
            entry.mentions.push(c.id);
        }
        out
    }

    /// Who held which cover name, and when. A holding is what a sentence says
    /// ("псевдоним «ХОЛА» передан Жданову"): it starts at the date the sentence gives (a
    /// birth date aside), else at the start of its document's dates, and runs to the end
    /// of the latest document that says so, but not past the day the cover name passed to
    /// its next holder, nor past the day its holder took a new one.
    pub(crate) fn holdings(&self, covers: &BTreeMap<String, CoverName>) -> Vec<Holding> {
        let cover_of: HashMap<i64, &String> = covers
            .iter()
            .flat_map(|(k, c)| c.mentions.iter().map(move |m| (*m, k)))
            .collect();
        let births: BTreeSet<i64> = self
            .relations
            .iter()
            .filter(|r| r.kind == "born")
            .map(|r| r.to)
            .collect();
        let mut dates_on: HashMap<(DocId, u32), Vec<&MentionRecord>> = HashMap::new();
        for m in self
            .mention
            .values()
            .filter(|m| m.kind == "date" && !births.contains(&m.id))
        {
            dates_on.entry((m.doc, m.page)).or_default().push(m);
        }
        let mut by_pair: BTreeMap<(String, String), Holding> = BTreeMap::new();
        for r in self.relations.iter().filter(|r| r.kind == "code_named") {
            let (person_end, cover) = match (cover_of.get(&r.to), cover_of.get(&r.from)) {
                (Some(c), _) => (r.from, *c),
                (None, Some(c)) => (r.to, *c),
                _ => continue,
            };
            let Some(pid) = self.person_of.get(&person_end) else {
                continue;
            };
            // The date nearest the cover name in the statement ("From 1947 she was known
            // as LIRA" after a sentence of 1937).
            let cover_end = if person_end == r.from { r.to } else { r.from };
            let at = self.mention.get(&cover_end).map_or(r.start, |m| m.start);
            let said = dates_on
                .get(&(r.doc, r.page))
                .into_iter()
                .flatten()
                .filter(|d| d.start >= r.start && d.end <= r.end)
                .filter_map(|d| {
                    let range = d.code.as_deref().and_then(DateRange::parse)?;
                    Some((d.start.abs_diff(at), range.from, range.start()))
                })
                .min_by_key(|&(distance, from, _)| (distance, from))
                .map(|(_, _, start)| start);
            let document = self.documents.get(&r.doc).and_then(|d| d.dates.as_ref());
            let h = by_pair
                .entry((cover.clone(), pid.clone()))
                .or_insert_with(|| Holding {
                    cover: cover.clone(),
                    person: pid.clone(),
                    from: None,
                    to: None,
                    evidence: Vec::new(),
                });
            if !h.evidence.contains(&r.doc) {
                h.evidence.push(r.doc);
            }
            // Dates stay as precise as the documents give them: a file dated 1937 starts
            // a holding in 1937, not on 1 January.
            let from = said.or(document.map(DateRange::start));
            if let Some(f) = from {
                if h.from.is_none_or(|x| f.first_day() < x.first_day()) {
                    h.from = Some(f);
                }
            }
            if let Some(t) = document.map(DateRange::end) {
                if h.to.is_none_or(|x| t.last_day() > x.last_day()) {
                    h.to = Some(t);
                }
            }
        }
        let mut out: Vec<Holding> = by_pair.into_values().collect();
        // A later start, of the same cover name by another or of another cover name by
        // the same person, ends a holding the day before.
        // The period before a start ends the year, month or day before, as precise as
        // that start ("from 1947" ends the one before in 1946).
        let starts: Vec<(String, String, PartialDate)> = out
            .iter()
            .filter_map(|h| h.from.map(|f| (h.cover.clone(), h.person.clone(), f)))
            .collect();
        for h in &mut out {
            let Some(from) = h.from else {
                continue;
            };
            let next = starts
                .iter()
                .filter(|(c, p, f)| {
                    (*c == h.cover) != (*p == h.person) && f.first_day() > from.first_day()
                })
                .map(|(_, _, f)| *f)
                .min_by_key(|f| (f.first_day(), f.last_day()));
            if let Some(next) = next {
                if h.to.is_none_or(|t| t.last_day() >= next.first_day()) {
                    let before = next.before();
                    // Never before the holding's own start.
                    h.to = Some(if before.last_day() < from.first_day() {
                        from
                    } else {
                        before
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            (&a.cover, a.from.map(|d| d.first_day()), &a.person).cmp(&(
                &b.cover,
                b.from.map(|d| d.first_day()),
                &b.person,
            ))
        });
        out
    }

    /// The persons' ids in the order they were issued (P2 before P10).
    fn person_ids(&self) -> impl Iterator<Item = &String> {
        let mut ids: Vec<&String> = self.members.keys().collect();
        ids.sort_by_key(|id| (self.registry.get(*id).map_or(u64::MAX, |r| r.seq), *id));
        ids.into_iter()
    }

    pub(crate) fn best_name(&self, id: &str) -> String {
        ranked_names(
            self.members[id]
                .iter()
                .filter_map(|m| self.mention.get(m).map(|m| m.lemma.as_str())),
        )
        .into_iter()
        .next()
        .unwrap_or_default()
    }

    pub(crate) fn person(&self, id: &str) -> Person {
        self.person_with(id, true)
    }

    /// A person's names and mentions without their cover names (which take a pass over
    /// the whole archive): for work done person by person.
    pub(crate) fn person_light(&self, id: &str) -> Person {
        self.person_with(id, false)
    }

    fn person_with(&self, id: &str, with_covers: bool) -> Person {
        let mut spellings: Vec<&str> = Vec::new();
        let mut mentions = Vec::new();
        for mid in &self.members[id] {
            let Some(m) = self.mention.get(mid) else {
                continue;
            };
            spellings.push(&m.lemma);
            mentions.push(PersonMention {
                id: m.id,
                doc: m.doc,
                reference: self
                    .documents
                    .get(&m.doc)
                    .and_then(|d| d.reference.as_ref())
                    .map(|r| r.to_string()),
                page: m.page,
                sheet: m.sheet.map(|s| s.number),
                start: m.start,
                end: m.end,
                text: m.text.clone(),
                context: m.context.clone(),
            });
        }
        let names = ranked_names(spellings.into_iter());
        mentions.sort_by_key(|m| (m.doc, m.page, m.id));
        let covers = if with_covers {
            self.covers()
        } else {
            BTreeMap::new()
        };
        let holdings = if with_covers {
            self.holdings(&covers)
        } else {
            Vec::new()
        };
        let held: Vec<CoverNameHeld> = holdings
            .into_iter()
            .filter(|h| h.person == id)
            .map(|h| CoverNameHeld {
                name: covers[&h.cover].name.clone(),
                from: h.from.map(|d| d.to_string()),
                to: h.to.map(|d| d.to_string()),
            })
            .collect();
        Person {
            id: id.to_string(),
            name: names.first().cloned().unwrap_or_default(),
            names,
            cover_names: held,
            merged_from: self.merged_from.get(id).cloned().unwrap_or_default(),
            mentions,
        }
    }

    /// A person by id (a retired id answers with the person its mentions are now under),
    /// or by a name that picks out exactly one.
    pub(crate) fn find(&self, who: &str) -> Result<String, ArchiveError> {
        let who = who.trim();
        if self.members.contains_key(who) {
            return Ok(who.to_string());
        }
        if let Some(r) = self.redirect(who) {
            return Ok(r.merged_into);
        }
        if let Some(r) = self.registry.get(who) {
            return Err(ArchiveError::NotFound(format!(
                "person {who}: withdrawn on {} ({})",
                r.at, r.reason
            )));
        }
        let mut found: Vec<&String> = Vec::new();
        for id in self.members.keys() {
            let fits = self.members[id].iter().any(|m| {
                self.mention.get(m).is_some_and(|m| {
                    m.lemma.eq_ignore_ascii_case(who)
                        || m.lemma.to_lowercase() == who.to_lowercase()
                        || kartoteka_names::match_names(who, &m.lemma).verdict
                            == kartoteka_names::Verdict::Same
                })
            });
            if fits {
                found.push(id);
            }
        }
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(ArchiveError::NotFound(format!("person {who:?}"))),
            many => Err(ArchiveError::BadTarget(
                who.to_string(),
                format!(
                    "{} persons fit; give an id: {}",
                    many.len(),
                    many.iter()
                        .take(10)
                        .map(|id| format!("{id} ({})", self.best_name(id)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// A mention by number, or a person's first mention by person id.
    fn find_mention(&self, s: &str) -> Result<i64, ArchiveError> {
        if let Ok(n) = s.trim().parse::<i64>() {
            return match self.mention.get(&n) {
                Some(m) if m.kind == "person" => Ok(n),
                Some(m) => Err(ArchiveError::BadTarget(
                    s.to_string(),
                    format!("mention {n} is a {}, not a person", m.kind),
                )),
                None => Err(ArchiveError::NotFound(format!("mention {n}"))),
            };
        }
        let id = self.find(s)?;
        self.members[&id]
            .iter()
            .copied()
            .min_by_key(|m| {
                self.mention
                    .get(m)
                    .map(|m| (m.doc.0, m.page, m.start))
                    .unwrap_or((i64::MAX, 0, 0))
            })
            .ok_or_else(|| ArchiveError::NotFound(format!("person {s}")))
    }
}
