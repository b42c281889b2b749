//! What a face shows of the persons: a listing filtered by a name, a person's dossier,
//! their own files, and the FollowTheMoney entities an export writes.

use kartoteka_model::{MentionKind, RelationKind, Sex, Verdict};
use std::collections::{BTreeMap, BTreeSet};

use kartoteka_model::{
    CandidateLink, DateRange, Dossier, DossierRelation, Judgement, OwnFile, Person, TimelineEntry,
};

use crate::{IdentityError, Resolved};

/// The units among `files` whose titles name the person (a personal file, "Дело
/// агента Орлова"): a capitalised word of the title that is one of the person's surnames
/// in any case or script. `files` are every titled unit with its open gaps.
pub fn own_files(person: &Person, files: &[OwnFile]) -> Vec<OwnFile> {
    let surnames: Vec<String> = person
        .names
        .iter()
        .filter_map(|n| kartoteka_names::parse(n).surname)
        .collect();
    if surnames.is_empty() {
        return Vec::new();
    }
    let keys: Vec<(&String, Vec<String>)> = surnames
        .iter()
        .map(|s| (s, kartoteka_text::translit_keys(s)))
        .collect();
    // A title names its person in the genitive ("Личное дело Орлова", "Дело Соколовой"):
    // a word counts in its own form and as either nominative it may be a case of.
    let names_surname = |word: &str| {
        let forms = [
            word.to_string(),
            kartoteka_lexicon::surname_nominative(word, Some(Sex::Male)),
            kartoteka_lexicon::surname_nominative(word, Some(Sex::Female)),
        ];
        forms.iter().any(|form| {
            let form_keys = kartoteka_text::translit_keys(form);
            keys.iter().any(|(s, k)| {
                k.iter().any(|k| form_keys.contains(k))
                    && kartoteka_names::match_names(s, form).verdict
                        != kartoteka_names::Verdict::Different
            })
        })
    };
    files
        .iter()
        .filter(|f| {
            kartoteka_text::words(&f.title).any(|w| {
                w.text.chars().next().is_some_and(char::is_uppercase) && names_surname(w.text)
            })
        })
        .cloned()
        .collect()
}

/// A place as one name among those a dossier's relations give it: of the places that are
/// one name in two scripts (Рига, Riga: the same transliteration key), the one in the
/// reader's script.
fn place_in_script(place: &str, places: &[String], cyrillic: bool) -> String {
    let keys = kartoteka_text::translit_keys(place);
    let same: Vec<&String> = places
        .iter()
        .filter(|p| {
            kartoteka_text::translit_keys(p)
                .iter()
                .any(|k| keys.contains(k))
        })
        .collect();
    same.iter()
        .find(|p| p.chars().any(kartoteka_text::is_cyrillic) == cyrillic)
        .map(|p| (*p).clone())
        .unwrap_or_else(|| place.to_string())
}

impl Resolved {
    /// A person's name as a reader of one script would see it: the fullest of their names
    /// written in that script, or their fullest name when none is.
    pub fn name_in_script(&self, id: &str, cyrillic: bool) -> String {
        let p = self.person_light(id);
        p.names
            .iter()
            .find(|n| n.chars().any(kartoteka_text::is_cyrillic) == cyrillic)
            .cloned()
            .unwrap_or(p.name)
    }

    /// Every person, or those whose names fit the query (a name compared as a name, or a
    /// piece of one).
    pub fn persons(&self, query: Option<&str>) -> Vec<Person> {
        let world = self;
        let mut held = world.held_covers();
        let mut out: Vec<Person> = world
            .person_ids()
            .map(|p| world.person_holding(p, held.remove(p).unwrap_or_default()))
            .collect();
        if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
            let lower = q.to_lowercase();
            if let Some(r) = world.redirect(q) {
                out.retain(|p| p.id == r.merged_into);
                return out;
            }
            out.retain(|p| {
                p.names.iter().any(|n| {
                    n.to_lowercase().contains(&lower)
                        || kartoteka_names::match_names(q, n).verdict
                            == kartoteka_names::Verdict::Same
                }) || p.id == q
            });
        }
        out
    }

    /// Everything on one person, by id or by a name that picks out one person.
    pub fn dossier(
        &self,
        who: &str,
        judgements: &[Judgement],
        files: &[OwnFile],
    ) -> Result<Dossier, IdentityError> {
        let world = self;
        let id = world.find(who)?;
        let redirect = world.redirect(who);
        let person = world.person(&id);
        let mine: BTreeSet<i64> = world.members(&id).iter().copied().collect();
        let mut roles = BTreeSet::new();
        let mut relations = Vec::new();
        let mut other_kinds = Vec::new();
        for r in &world.relations {
            let (mine_from, mine_to) = (mine.contains(&r.from), mine.contains(&r.to));
            if !mine_from && !mine_to {
                continue;
            }
            let other_id = if mine_from { r.to } else { r.from };
            let Some(other) = world.mention.get(&other_id) else {
                continue;
            };
            if r.kind == RelationKind::HasRole {
                roles.insert(other.lemma.clone());
                continue;
            }
            if r.kind == RelationKind::CodeNamed {
                continue;
            }
            relations.push(DossierRelation {
                kind: r.kind,
                outgoing: mine_from,
                other_person: world.person_of.get(&other_id).cloned(),
                other: other.lemma.clone(),
                doc: r.doc,
                page: r.page,
            });
            other_kinds.push(other.kind);
        }
        // The other ends as the resolved entities they are, in the script the dossier is
        // read in (its person's name's): one node for "Кузьмин А. П." and "Arnold Kuzmin"
        // when they are one person, one for "Рига" and "Riga".
        let cyrillic = person.name.chars().any(kartoteka_text::is_cyrillic);
        let mut shown: BTreeMap<String, String> = BTreeMap::new();
        for rel in &relations {
            if let Some(pid) = &rel.other_person {
                shown
                    .entry(pid.clone())
                    .or_insert_with(|| world.name_in_script(pid, cyrillic));
            }
        }
        let places: Vec<String> = relations
            .iter()
            .zip(&other_kinds)
            .filter(|(r, k)| r.other_person.is_none() && **k == MentionKind::Place)
            .map(|(r, _)| r.other.clone())
            .collect();
        for (rel, kind) in relations.iter_mut().zip(&other_kinds) {
            if let Some(name) = rel.other_person.as_ref().and_then(|p| shown.get(p)) {
                rel.other = name.clone();
            } else if *kind == MentionKind::Place {
                rel.other = place_in_script(&rel.other, &places, cyrillic);
            }
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
        let own_files = own_files(&person, files);
        let judgements = judgements
            .iter()
            .filter(|j| {
                person.mentions.iter().any(|m| {
                    (m.doc, m.page) == (j.a.doc, j.a.page) || (m.doc, m.page) == (j.b.doc, j.b.page)
                })
            })
            .cloned()
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

    /// Persons and their links as FollowTheMoney entities, one JSON object per line.
    pub fn ftm(&self) -> Vec<serde_json::Value> {
        let world = self;
        let covers = self.cover_names();
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
            // Names only: the cover names come from `covers` above, once for all.
            let p = world.person_light(pid);
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
            match (r.kind, world.person_of.get(&r.to)) {
                (
                    RelationKind::HandledBy
                    | RelationKind::RecruitedBy
                    | RelationKind::MetWith
                    | RelationKind::ReportedOn,
                    Some(pb),
                ) => {
                    if pa == pb || !seen.insert((pa.clone(), pb.clone(), r.kind)) {
                        continue;
                    }
                    out.push(serde_json::json!({
                        "id": format!("kartoteka-{}-{}-{}", r.kind, pa, pb),
                        "schema": "Associate",
                        "properties": {
                            "person": [format!("kartoteka-{pa}")],
                            "associate": [format!("kartoteka-{pb}")],
                            "relationship": [r.kind.as_str().replace('_', " ")],
                            "summary": [format!("{} {} {}", from.lemma, r.kind.as_str().replace('_', " "), to.lemma)],
                        }
                    }));
                }
                (RelationKind::WorkedAt, None) if to.kind == MentionKind::Org => {
                    let org_id = format!("kartoteka-org-{}", to.lemma);
                    orgs.insert(org_id.clone(), to.lemma.clone());
                    if !seen.insert((pa.clone(), org_id.clone(), r.kind)) {
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
        out
    }
}

/// The agreement of two names the comparison calls different above which they are still
/// shown as a candidate link: the surname and the given name agree, but not all else.
const DIFFERENT_BUT_CLOSE: f64 = 0.15;

impl Resolved {
    /// The persons who may be `id` (a person id of this resolution): those whose fullest
    /// name does not contradict theirs, or contradicts it in part only, the closest
    /// first, at most `limit`. Resolution kept
    /// them apart because too little agreed, or because context or a judgement did; these
    /// are the links a reviewer settles.
    pub fn candidates(
        &self,
        id: &str,
        judgements: &[Judgement],
        limit: usize,
    ) -> Vec<CandidateLink> {
        let mine = kartoteka_names::parse(&self.best_name(id));
        let anchors = |person: &str| -> BTreeSet<(i64, u32, u32)> {
            self.members(person)
                .iter()
                .filter_map(|m| self.mention(*m))
                .map(|m| (m.doc.0, m.page, m.start))
                .collect()
        };
        let here = anchors(id);
        let mut out = Vec::new();
        for other in self.person_ids().filter(|o| o.as_str() != id) {
            let name = self.best_name(other);
            let m = kartoteka_names::compare(&mine, &kartoteka_names::parse(&name));
            // A "different" whose names still agree in part (the surname by its key and the
            // given name, say, but the endings read as another sex: a Polish genitive) may be
            // the machine's mistake; one that agrees in the patronymic alone is a family.
            if m.verdict == Verdict::Different && m.score < DIFFERENT_BUT_CLOSE {
                continue;
            }
            let there = anchors(other);
            let key = |a: &kartoteka_model::MentionAnchor| (a.doc.0, a.page, a.start);
            let between = judgements
                .iter()
                .filter(|j| j.undone.is_none())
                .filter(|j| {
                    (here.contains(&key(&j.a)) && there.contains(&key(&j.b)))
                        || (here.contains(&key(&j.b)) && there.contains(&key(&j.a)))
                })
                .map(|j| j.id)
                .collect();
            out.push(CandidateLink {
                person_id: other.clone(),
                name,
                mentions: there.len() as u64,
                verdict: m.verdict,
                score: m.score,
                reasons: m.reasons,
                judgements: between,
            });
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| b.mentions.cmp(&a.mentions))
        });
        out.truncate(limit);
        out
    }

    /// Every person with their cover names, roles, births and links, in one pass over the
    /// archive (a dossier per person would go over it once each).
    pub fn person_facts(&self) -> Vec<kartoteka_model::PersonFacts> {
        let mut held = self.held_covers();
        let best: BTreeMap<&String, String> = self
            .person_ids()
            .map(|id| (id, self.best_name(id)))
            .collect();
        let mut roles: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let mut born: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let mut links: BTreeMap<&str, Vec<DossierRelation>> = BTreeMap::new();
        for r in &self.relations {
            let (Some(from), Some(to)) = (self.mention.get(&r.from), self.mention.get(&r.to))
            else {
                continue;
            };
            let (pa, pb) = (self.person_of.get(&r.from), self.person_of.get(&r.to));
            match r.kind {
                RelationKind::HasRole => {
                    if let Some(pa) = pa {
                        roles.entry(pa).or_default().insert(to.lemma.clone());
                    }
                }
                RelationKind::Born => {
                    if let (Some(pa), MentionKind::Date) = (pa, to.kind) {
                        born.entry(pa).or_default().insert(to.text.clone());
                    }
                }
                RelationKind::CodeNamed => {}
                kind => {
                    let link =
                        |outgoing, other: &kartoteka_model::MentionRecord, id: Option<&String>| {
                            DossierRelation {
                                kind,
                                outgoing,
                                other_person: id.cloned(),
                                other: id
                                    .and_then(|p| best.get(p).cloned())
                                    .unwrap_or_else(|| other.lemma.clone()),
                                doc: r.doc,
                                page: r.page,
                            }
                        };
                    if let Some(pa) = pa {
                        links.entry(pa).or_default().push(link(true, to, pb));
                    }
                    if let Some(pb) = pb {
                        links.entry(pb).or_default().push(link(false, from, pa));
                    }
                }
            }
        }
        self.person_ids()
            .map(|id| {
                let p = self.person_light(id);
                let mut own_links = links.remove(id.as_str()).unwrap_or_default();
                own_links.sort_by(|a, b| {
                    (a.kind.as_str(), a.outgoing, &a.other, a.doc, a.page).cmp(&(
                        b.kind.as_str(),
                        b.outgoing,
                        &b.other,
                        b.doc,
                        b.page,
                    ))
                });
                own_links.dedup_by(|a, b| {
                    a.kind == b.kind && a.outgoing == b.outgoing && a.other == b.other
                });
                kartoteka_model::PersonFacts {
                    id: id.clone(),
                    name: p.name,
                    names: p.names,
                    cover_names: held.remove(id).unwrap_or_default(),
                    roles: roles
                        .remove(id.as_str())
                        .unwrap_or_default()
                        .into_iter()
                        .collect(),
                    born: born
                        .remove(id.as_str())
                        .unwrap_or_default()
                        .into_iter()
                        .collect(),
                    links: own_links,
                }
            })
            .collect()
    }
}
