//! Who is who: people's judgements that two mentions are (or are not) one person, and the
//! persons that resolution found.

use serde::{Deserialize, Serialize};

use crate::DocId;

/// Where a mention is, in a form that survives re-extraction (mention numbers do not).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MentionAnchor {
    /// The document.
    pub doc: DocId,
    /// The page.
    pub page: u32,
    /// First character in the page's text.
    pub start: u32,
    /// The text as written.
    pub text: String,
}

/// Whether two names are one person: what a comparison of names concludes, and what a
/// person's judgement says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// One person.
    Same,
    /// Two people (for names: a part contradicts, another given name, surname or sex).
    Different,
    /// Nothing contradicts, but too little agrees to say.
    Unsure,
}

impl Verdict {
    /// The word used in JSON and on the terminal.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Different => "different",
            Verdict::Unsure => "unsure",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A word that is not a verdict.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a verdict: one of same, different, unsure")]
pub struct VerdictError(pub String);

impl std::str::FromStr for Verdict {
    type Err = VerdictError;

    fn from_str(text: &str) -> Result<Verdict, VerdictError> {
        [Verdict::Same, Verdict::Different, Verdict::Unsure]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| VerdictError(crate::excerpt(text)))
    }
}

/// A person's sex as the forms of their name say it (Russian surnames, patronymics and
/// given names have a man's and a woman's form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// A woman's form ("Соколова", "Андреевна", "Вера").
    Female,
    /// A man's form ("Соколов", "Андреевич", "Иван").
    Male,
}

impl Sex {
    /// `Female` when `female`, else `Male`: for tables that keep the distinction as a flag.
    pub fn of_female(female: bool) -> Sex {
        if female {
            Sex::Female
        } else {
            Sex::Male
        }
    }
}

/// A person's judgement that two mentions are one person, are not, or may be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// Its number (0 before it is kept).
    pub id: i64,
    /// One mention.
    pub a: MentionAnchor,
    /// The other.
    pub b: MentionAnchor,
    /// "same", "different" or "unsure".
    pub verdict: Verdict,
    /// Why, in the judge's words.
    pub why: String,
    /// Who judged.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who undid it and when, if it was undone.
    pub undone: Option<(String, String)>,
}

/// A person mention's place in the resolution: the person it belongs to and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityRow {
    /// The mention's number.
    pub mention: i64,
    /// The person's id ("P17").
    pub person: String,
    /// Where the mention is (document, page, first character): what carries the person's
    /// id to the next resolution when extraction renumbers the mentions.
    pub at: (crate::DocId, u32, u32),
}

/// What became of a person id. An id, once issued, is never given to anyone else: it
/// stays active, or it is retired (merged, or withdrawn) and answers with what became of
/// its mentions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    /// A person of the current resolution.
    Active,
    /// Its mentions are now (mostly) another person's: `merged_into` names whom.
    Merged,
    /// None of its mentions is left in the archive (re-extracted away).
    Withdrawn,
}

/// A person id as the registry keeps it: every id ever issued has one, for good.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// The id ("P17").
    pub id: String,
    /// Its place in the order of issue (1 for the first id issued).
    pub seq: u64,
    /// Active, merged or withdrawn.
    pub status: PersonStatus,
    /// For a merged id: the person its mentions are now under (kept current as later
    /// resolutions move them).
    pub merged_into: Option<String>,
    /// For an id issued when a person split: the id of the person it split from.
    pub split_from: Option<String>,
    /// Why it was issued or why it last changed, in words.
    pub reason: String,
    /// When that happened (RFC 3339).
    pub at: String,
    /// For a retired id: the mentions it held when it was retired, by which its redirect
    /// is kept pointing at whoever holds them now.
    pub anchors: Vec<MentionAnchor>,
}

/// One change a resolution made to the person ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum IdChange {
    /// A person new to the archive.
    New {
        /// The id issued.
        id: String,
    },
    /// Two persons became one: `from` now redirects to `into`.
    Merged {
        /// The retired id.
        from: String,
        /// The id that kept.
        into: String,
    },
    /// A person split: `from` kept the part with the most evidence, `new` took the rest.
    Split {
        /// The id that kept.
        from: String,
        /// The id issued for the other part.
        new: String,
    },
    /// A retired id's mentions moved again: its redirect now points at `into`.
    Redirected {
        /// The retired id.
        from: String,
        /// Where it now points.
        into: String,
    },
    /// None of the person's mentions is left.
    Withdrawn {
        /// The retired id.
        id: String,
    },
}

/// The ids a resolution gives its groups, and what changed in the registry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdAssignment {
    /// The id of each group, in the order the groups were given.
    pub ids: Vec<String>,
    /// Registry records to write: new ids, and ids whose status or redirect changed.
    pub records: Vec<PersonRecord>,
    /// What changed, in the order of the ids concerned.
    pub changes: Vec<IdChange>,
}

/// The key of a mention for carrying ids across resolutions: where it starts.
fn key(a: &MentionAnchor) -> (crate::DocId, u32, u32) {
    (a.doc, a.page, a.start)
}

/// Gives each group of mentions (a person of a new resolution) an id, keeping the ids of
/// the previous resolution wherever the evidence allows, so that an id means the same
/// person from one resolution to the next:
///
/// * an id goes to the group that holds most of its mentions, and a group takes the id
///   of which it holds most mentions; ties go to the id issued first. So when two persons
///   become one, the one with more mentions keeps its id (the older on a tie) and the
///   other is retired as merged into it; when a person splits, the part with the most
///   evidence keeps the id and the rest get new ones, recorded as split from it;
/// * a group with no previous id gets the next one ("P" and the next number), in the
///   order of the groups' first mentions, so the same archive gets the same ids;
/// * an id whose mentions are gone is withdrawn; a retired id's redirect follows its
///   mentions to whoever holds most of them now;
/// * a retired id is never issued again.
///
/// `previous` is the id each mention had; `registry` every id ever issued. `now` dates
/// the records written.
pub fn assign_person_ids(
    groups: &[Vec<MentionAnchor>],
    previous: &std::collections::HashMap<(crate::DocId, u32, u32), String>,
    registry: &[PersonRecord],
    now: &str,
) -> IdAssignment {
    use std::collections::{BTreeMap, HashMap};

    let seq_of: HashMap<&str, u64> = registry.iter().map(|r| (r.id.as_str(), r.seq)).collect();
    let active: HashMap<&str, &PersonRecord> = registry
        .iter()
        .filter(|r| r.status == PersonStatus::Active)
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut next_seq = registry.iter().map(|r| r.seq).max().unwrap_or(0) + 1;
    // Groups in the order of their first mentions: the order ids are issued in.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| groups[g].iter().map(key).min());
    // How many of each group's mentions each active id held.
    let mut held: Vec<BTreeMap<&str, usize>> = vec![BTreeMap::new(); groups.len()];
    let mut group_of: HashMap<(crate::DocId, u32, u32), usize> = HashMap::new();
    for (g, members) in groups.iter().enumerate() {
        for a in members {
            group_of.insert(key(a), g);
            if let Some(id) = previous.get(&key(a)) {
                if active.contains_key(id.as_str()) {
                    *held[g].entry(id.as_str()).or_default() += 1;
                }
            }
        }
    }
    let mut rank_of = vec![0usize; groups.len()];
    for (r, &g) in order.iter().enumerate() {
        rank_of[g] = r;
    }
    let rank = |g: usize| rank_of[g];
    let mut pairs: Vec<(usize, u64, usize, &str)> = Vec::new();
    for (g, ids) in held.iter().enumerate() {
        for (&id, &n) in ids {
            pairs.push((n, seq_of.get(id).copied().unwrap_or(u64::MAX), g, id));
        }
    }
    pairs.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(rank(a.2).cmp(&rank(b.2)))
    });
    let mut ids: Vec<Option<String>> = vec![None; groups.len()];
    let mut taken: HashMap<&str, usize> = HashMap::new();
    for &(_, _, g, id) in &pairs {
        if ids[g].is_none() && !taken.contains_key(id) {
            ids[g] = Some(id.to_string());
            taken.insert(id, g);
        }
    }
    let mut out = IdAssignment::default();
    for &g in &order {
        if ids[g].is_some() {
            continue;
        }
        let id = format!("P{next_seq}");
        // The id most of these mentions had, if any: the person this one split from.
        let from = held[g]
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(seq_of[b.0].cmp(&seq_of[a.0])))
            .map(|(id, _)| id.to_string());
        out.records.push(PersonRecord {
            id: id.clone(),
            seq: next_seq,
            status: PersonStatus::Active,
            merged_into: None,
            split_from: from.clone(),
            reason: match &from {
                Some(f) => format!("split from {f}"),
                None => "new person".to_string(),
            },
            at: now.to_string(),
            anchors: Vec::new(),
        });
        out.changes.push(match from {
            Some(from) => IdChange::Split {
                from,
                new: id.clone(),
            },
            None => IdChange::New { id: id.clone() },
        });
        next_seq += 1;
        ids[g] = Some(id);
    }
    let ids: Vec<String> = ids.into_iter().map(Option::unwrap_or_default).collect();
    // Where mentions are now, for the ids that lost theirs.
    let holder = |anchors: &[MentionAnchor]| -> Option<String> {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for a in anchors {
            if let Some(&g) = group_of.get(&key(a)) {
                *count.entry(ids[g].as_str()).or_default() += 1;
            }
        }
        count
            .into_iter()
            .max_by(|a, b| {
                a.1.cmp(&b.1).then(
                    seq_of
                        .get(b.0)
                        .unwrap_or(&u64::MAX)
                        .cmp(seq_of.get(a.0).unwrap_or(&u64::MAX)),
                )
            })
            .map(|(id, _)| id.to_string())
    };
    let mut lost: BTreeMap<&str, Vec<MentionAnchor>> = BTreeMap::new();
    for (k, id) in previous {
        if active.contains_key(id.as_str()) && !taken.contains_key(id.as_str()) {
            lost.entry(id.as_str()).or_default().push(MentionAnchor {
                doc: k.0,
                page: k.1,
                start: k.2,
                text: String::new(),
            });
        }
    }
    let mut retired: Vec<&PersonRecord> = registry
        .iter()
        .filter(|r| {
            r.status == PersonStatus::Merged
                || (r.status == PersonStatus::Active && !taken.contains_key(r.id.as_str()))
        })
        .collect();
    retired.sort_by_key(|r| r.seq);
    for r in retired {
        let was_active = r.status == PersonStatus::Active;
        let mut anchors = if was_active {
            lost.remove(r.id.as_str()).unwrap_or_default()
        } else {
            r.anchors.clone()
        };
        anchors.sort();
        match holder(&anchors) {
            Some(into) if was_active || r.merged_into.as_deref() != Some(into.as_str()) => {
                out.changes.push(if was_active {
                    IdChange::Merged {
                        from: r.id.clone(),
                        into: into.clone(),
                    }
                } else {
                    IdChange::Redirected {
                        from: r.id.clone(),
                        into: into.clone(),
                    }
                });
                out.records.push(PersonRecord {
                    status: PersonStatus::Merged,
                    reason: format!("merged into {into}"),
                    merged_into: Some(into),
                    at: now.to_string(),
                    anchors,
                    ..r.clone()
                });
            }
            Some(_) => {}
            None => {
                out.changes.push(IdChange::Withdrawn { id: r.id.clone() });
                out.records.push(PersonRecord {
                    status: PersonStatus::Withdrawn,
                    reason: "none of its mentions is left in the archive".to_string(),
                    at: now.to_string(),
                    anchors,
                    ..r.clone()
                });
            }
        }
    }
    out.ids = ids;
    out
}
