//! Cover names: one per transliteration key, with the persons who held each and when,
//! worked out from what the sentences say ("псевдоним «ХОЛА» передан Жданову") and the
//! dates of the documents that say it.

use kartoteka_model::{MentionKind, RelationKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use kartoteka_model::{CoverHolder, CoverNameView, DateRange, DocId, MentionRecord, PartialDate};

use crate::Resolved;

/// A cover name's spellings and mentions.
#[derive(Clone, Debug)]
pub struct CoverName {
    /// The spelling that names it (the Cyrillic one where there is one).
    pub name: String,
    /// Every spelling met, in the order met.
    pub spellings: Vec<String>,
    /// Its mentions, by number.
    pub mentions: Vec<i64>,
}

/// One person's holding of one cover name.
#[derive(Clone, Debug)]
pub struct Holding {
    /// The cover name's key (see [`Resolved::covers`]).
    pub cover: String,
    /// The holder's person id.
    pub person: String,
    /// From when, as precise as the documents say.
    pub from: Option<PartialDate>,
    /// Until when.
    pub to: Option<PartialDate>,
    /// The documents that say so.
    pub evidence: Vec<DocId>,
}

/// The key that makes HOLA, Hola and «ХОЛА» one cover name.
fn cover_key(name: &str) -> String {
    kartoteka_text::translit_keys(name)
        .into_iter()
        .next()
        .unwrap_or_else(|| name.to_lowercase())
}

impl Resolved {
    /// The cover names of the archive, one per transliteration key: oblique forms
    /// («ХОЛОЙ») take the nominative met anywhere, and HOLA is «ХОЛА».
    pub fn covers(&self) -> BTreeMap<String, CoverName> {
        let mut all: Vec<&MentionRecord> = self
            .mention
            .values()
            .filter(|m| m.kind == MentionKind::CoverName)
            .collect();
        all.sort_by_key(|m| m.id);
        let known: std::collections::HashSet<String> =
            all.iter().map(|c| c.lemma.clone()).collect();
        let mut out: BTreeMap<String, CoverName> = BTreeMap::new();
        for c in all {
            let name = kartoteka_lexicon::cover_nominative(&c.lemma, &known)
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
    pub fn holdings(&self, covers: &BTreeMap<String, CoverName>) -> Vec<Holding> {
        let cover_of: HashMap<i64, &String> = covers
            .iter()
            .flat_map(|(k, c)| c.mentions.iter().map(move |m| (*m, k)))
            .collect();
        let births: BTreeSet<i64> = self
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::Born)
            .map(|r| r.to)
            .collect();
        let mut dates_on: HashMap<(DocId, u32), Vec<&MentionRecord>> = HashMap::new();
        for m in self
            .mention
            .values()
            .filter(|m| m.kind == MentionKind::Date && !births.contains(&m.id))
        {
            dates_on.entry((m.doc, m.page)).or_default().push(m);
        }
        let mut by_pair: BTreeMap<(String, String), Holding> = BTreeMap::new();
        for r in self
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::CodeNamed)
        {
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

    /// Who each cover-name mention stands for: the person a statement in its document ties
    /// that cover name to.
    pub fn cover_owners(&self) -> HashMap<i64, String> {
        let covers = self.covers();
        let key_of: HashMap<i64, &String> = covers
            .iter()
            .flat_map(|(k, c)| c.mentions.iter().map(move |m| (*m, k)))
            .collect();
        // (document, cover key) -> holders stated in that document.
        let mut stated: HashMap<(DocId, &String), BTreeSet<&String>> = HashMap::new();
        for r in self
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::CodeNamed)
        {
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
        for r in self
            .relations
            .iter()
            .filter(|r| r.kind == RelationKind::CodeNamed)
        {
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

    /// Every cover name with who held it and when.
    pub fn cover_names(&self) -> Vec<CoverNameView> {
        let world = self;
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
        out
    }
}
