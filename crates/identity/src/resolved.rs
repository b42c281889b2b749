//! The archive's persons as last resolved, with the evidence they rest on: the snapshot a
//! listing, a dossier, the cover names or the claims are worked out from.

use kartoteka_model::MentionKind;
use std::collections::{BTreeMap, HashMap};

use kartoteka_model::{
    CoverNameHeld, DocId, Document, IdentityRow, MentionAnchor, MentionRecord, Person,
    PersonMention, PersonRecord, PersonStatus, Redirect, RelationRecord,
};

/// Why a person or a mention could not be picked out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// There are no persons yet: the person mentions were never resolved.
    #[error("the archive's person mentions have not been resolved into persons yet")]
    NotResolved,
    /// No person or mention answers to this (the thing looked for, as it was asked).
    #[error("nothing in the archive at {0}")]
    NotFound(String),
    /// A person id that was withdrawn: none of its mentions is left.
    #[error("person {id}: withdrawn on {at} ({reason})")]
    Withdrawn {
        /// The id asked for.
        id: String,
        /// When it was withdrawn.
        at: String,
        /// Why.
        reason: String,
    },
    /// A name that fits more than one person.
    #[error("{who}: {count} persons fit; give an id: {}", .candidates.join(", "))]
    Ambiguous {
        /// The name asked for.
        who: String,
        /// How many persons fit.
        count: usize,
        /// The first of them, "P3 (Иван Орлов)".
        candidates: Vec<String>,
    },
    /// A mention that is not of a person (a place, a date, a cover name).
    #[error("mention {mention} is a {kind}, not a person")]
    NotAPerson {
        /// The mention number.
        mention: i64,
        /// What it is a mention of.
        kind: MentionKind,
    },
}

/// The archive's persons as last resolved, and the mentions, relations and documents
/// they rest on. Built from what the store holds; reads and writes nothing itself.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub(crate) mention: HashMap<i64, MentionRecord>,
    pub(crate) person_of: HashMap<i64, String>,
    pub(crate) members: BTreeMap<String, Vec<i64>>,
    pub(crate) relations: Vec<RelationRecord>,
    pub(crate) documents: HashMap<DocId, Document>,
    /// Every person id ever issued, by id.
    pub(crate) registry: HashMap<String, PersonRecord>,
    /// The retired ids that lead to each person, in the order of issue.
    pub(crate) merged_from: HashMap<String, Vec<String>>,
}

impl Resolved {
    /// The snapshot of one resolution: its identities, every mention and relation, the
    /// registry of ids in the order of issue, and the documents the mentions are in.
    /// An archive never resolved (no identities) has no persons to show.
    pub fn new(
        identities: Vec<IdentityRow>,
        mentions: Vec<MentionRecord>,
        relations: Vec<RelationRecord>,
        records: Vec<PersonRecord>,
        documents: HashMap<DocId, Document>,
    ) -> Result<Resolved, IdentityError> {
        if identities.is_empty() {
            return Err(IdentityError::NotResolved);
        }
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
        let mut person_of = HashMap::new();
        let mut members: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for r in identities {
            members.entry(r.person.clone()).or_default().push(r.mention);
            person_of.insert(r.mention, r.person);
        }
        Ok(Resolved {
            mention: mentions.into_iter().map(|m| (m.id, m)).collect(),
            person_of,
            members,
            relations,
            documents,
            registry,
            merged_from,
        })
    }

    /// A mention by number.
    pub fn mention(&self, id: i64) -> Option<&MentionRecord> {
        self.mention.get(&id)
    }

    /// Every mention, of every kind, in no particular order.
    pub fn mentions(&self) -> impl Iterator<Item = &MentionRecord> {
        self.mention.values()
    }

    /// The person a mention is of, if it is a person mention.
    pub fn person_of(&self, mention: i64) -> Option<&String> {
        self.person_of.get(&mention)
    }

    /// Whether this is the id of a current person.
    pub fn is_person(&self, id: &str) -> bool {
        self.members.contains_key(id)
    }

    /// The ids of the current persons in the order of their text ("P10" before "P2").
    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.members.keys()
    }

    /// A current person's mentions, by number (empty for an id not current).
    pub fn members(&self, id: &str) -> &[i64] {
        self.members.get(id).map_or(&[], Vec::as_slice)
    }

    /// Every relation extraction found.
    pub fn relations(&self) -> &[RelationRecord] {
        &self.relations
    }

    /// A document a mention is in.
    pub fn document(&self, doc: DocId) -> Option<&Document> {
        self.documents.get(&doc)
    }

    /// What became of a person id ever issued.
    pub fn record(&self, id: &str) -> Option<&PersonRecord> {
        self.registry.get(id)
    }

    /// Where a mention picked out by [`Resolved::find_mention`] is, as a judgement
    /// names it.
    pub fn anchor(&self, s: &str) -> Result<MentionAnchor, IdentityError> {
        let id = self.find_mention(s)?;
        Ok(anchor_of(&self.mention[&id]))
    }

    /// Where a retired id points: the person its mentions are now under. None for an id
    /// of the current resolution or one never issued.
    pub fn redirect(&self, id: &str) -> Option<Redirect> {
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

    /// The persons' ids in the order they were issued (P2 before P10).
    pub fn person_ids(&self) -> impl Iterator<Item = &String> {
        let mut ids: Vec<&String> = self.members.keys().collect();
        ids.sort_by_key(|id| (self.registry.get(*id).map_or(u64::MAX, |r| r.seq), *id));
        ids.into_iter()
    }

    pub fn best_name(&self, id: &str) -> String {
        ranked_names(
            self.members(id)
                .iter()
                .filter_map(|m| self.mention.get(m).map(|m| m.lemma.as_str())),
        )
        .into_iter()
        .next()
        .unwrap_or_default()
    }

    pub fn person(&self, id: &str) -> Person {
        self.person_with(id, true)
    }

    /// A person's names and mentions without their cover names (which take a pass over
    /// the whole archive): for work done person by person.
    pub fn person_light(&self, id: &str) -> Person {
        self.person_with(id, false)
    }

    fn person_with(&self, id: &str, with_covers: bool) -> Person {
        let held = if with_covers {
            self.held_covers().remove(id).unwrap_or_default()
        } else {
            Vec::new()
        };
        self.person_holding(id, held)
    }

    /// Every person's cover names held, earliest first, by person id: one pass over the
    /// archive for all of them (a list of persons asks once, not once a person).
    pub(crate) fn held_covers(&self) -> BTreeMap<String, Vec<CoverNameHeld>> {
        let covers = self.covers();
        let mut held: BTreeMap<String, Vec<CoverNameHeld>> = BTreeMap::new();
        for h in self.holdings(&covers) {
            held.entry(h.person.clone())
                .or_default()
                .push(CoverNameHeld {
                    name: covers[&h.cover].name.clone(),
                    from: h.from.map(|d| d.to_string()),
                    to: h.to.map(|d| d.to_string()),
                });
        }
        held
    }

    /// A person with the cover names `held` (from [`Resolved::held_covers`]).
    pub(crate) fn person_holding(&self, id: &str, held: Vec<CoverNameHeld>) -> Person {
        let mut spellings: Vec<&str> = Vec::new();
        let mut mentions = Vec::new();
        for mid in self.members(id) {
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
    pub fn find(&self, who: &str) -> Result<String, IdentityError> {
        let who = who.trim();
        if self.members.contains_key(who) {
            return Ok(who.to_string());
        }
        if let Some(r) = self.redirect(who) {
            return Ok(r.merged_into);
        }
        if let Some(r) = self.registry.get(who) {
            return Err(IdentityError::Withdrawn {
                id: who.to_string(),
                at: r.at.clone(),
                reason: r.reason.clone(),
            });
        }
        let mut found: Vec<&String> = Vec::new();
        for id in self.members.keys() {
            let fits = self.members(id).iter().any(|m| {
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
            [] => Err(IdentityError::NotFound(format!("person {who:?}"))),
            many => Err(IdentityError::Ambiguous {
                who: who.to_string(),
                count: many.len(),
                candidates: many
                    .iter()
                    .take(10)
                    .map(|id| format!("{id} ({})", self.best_name(id)))
                    .collect(),
            }),
        }
    }

    /// A mention by number, or a person's first mention by person id.
    pub fn find_mention(&self, s: &str) -> Result<i64, IdentityError> {
        if let Ok(n) = s.trim().parse::<i64>() {
            return match self.mention.get(&n) {
                Some(m) if m.kind == MentionKind::Person => Ok(n),
                Some(m) => Err(IdentityError::NotAPerson {
                    mention: n,
                    kind: m.kind,
                }),
                None => Err(IdentityError::NotFound(format!("mention {n}"))),
            };
        }
        let id = self.find(s)?;
        self.members(&id)
            .iter()
            .copied()
            .min_by_key(|m| {
                self.mention
                    .get(m)
                    .map(|m| (m.doc.0, m.page, m.start))
                    .unwrap_or((i64::MAX, 0, 0))
            })
            .ok_or_else(|| IdentityError::NotFound(format!("person {s}")))
    }
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
pub(crate) fn ranked_names<'a>(spellings: impl Iterator<Item = &'a str>) -> Vec<String> {
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
    let names: Vec<String> = names.into_iter().map(|(_, n)| n.to_string()).collect();
    // A man's surname seen only in its genitive ("Кузьмина" beside "Кузьмин Арнольд
    // Петрович") is a case of his name, not another spelling of it: it would read as a
    // woman's. Dropped when a name of the person says he is a man.
    let male = names
        .iter()
        .any(|n| kartoteka_names::parse(n).sex == Some(kartoteka_model::Sex::Male));
    if !male {
        return names;
    }
    let surnames: Vec<String> = names
        .iter()
        .filter_map(|n| kartoteka_names::parse(n).surname)
        .collect();
    names
        .iter()
        .filter(|n| {
            let first = n.split_whitespace().next().unwrap_or("");
            let genitive_of_his = first
                .strip_suffix('а')
                .is_some_and(|stem| surnames.iter().any(|s| s == stem));
            !genitive_of_his
        })
        .cloned()
        .collect()
}
