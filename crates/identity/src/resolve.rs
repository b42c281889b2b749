//! Resolution: which person mentions are one person, decided by name comparison
//! (kartoteka-names) under people's judgements, and the stable person ids carried from the
//! last resolution to this one.
//!
//! [`resolve`] is a function of an [`Evidence`] snapshot: the same snapshot gives the
//! same persons and the same ids, whatever the thread count. It reads nothing and writes
//! nothing; the archive's identity service loads the snapshot and stores the
//! [`Resolution`].

use kartoteka_model::RelationKind;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kartoteka_model::{
    DateRange, DocId, IdChange, IdentityRow, Judgement, MentionAnchor, MentionRecord, PersonRecord,
    RelationRecord, Verdict,
};
use kartoteka_names::{Constraints, Context, NameRecord};
use serde::Serialize;

/// What resolution looks at: the mentions and relations extraction found, the judgements
/// people made, and what the last resolution decided.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Every person mention, in the store's order (the order decides nothing but the
    /// numbering of new ids, which follows first mentions).
    pub persons: Vec<MentionRecord>,
    /// Place mentions: the places named beside a person weigh in comparison.
    pub places: Vec<MentionRecord>,
    /// Date mentions: the years of a page, and birth dates.
    pub dates: Vec<MentionRecord>,
    /// Role mentions ("оперработник"): what the text calls a person.
    pub roles: Vec<MentionRecord>,
    /// Every relation extraction found.
    pub relations: Vec<RelationRecord>,
    /// Every judgement, undone ones included (they explain splits).
    pub judgements: Vec<Judgement>,
    /// The person of each mention at the last resolution.
    pub previous: Vec<IdentityRow>,
    /// Every person id ever issued, in the order of issue.
    pub registry: Vec<PersonRecord>,
}

/// What resolution decided: the person of each mention, the registry of ids as it now
/// stands, and what changed.
#[derive(Clone, Debug)]
pub struct Resolution {
    /// What the run did, for the user (its `seconds` are left to the caller).
    pub report: ResolveReport,
    /// The person of each person mention.
    pub rows: Vec<IdentityRow>,
    /// Every person id ever issued, with what became of it.
    pub records: Vec<PersonRecord>,
    /// The counts the audit entry keeps.
    pub detail: serde_json::Value,
}

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
fn roles_of(relations: &[RelationRecord], roles: &[MentionRecord]) -> HashMap<i64, Vec<String>> {
    let role_of: HashMap<i64, String> = roles
        .iter()
        .map(|r| (r.id, r.code.clone().unwrap_or_else(|| r.lemma.clone())))
        .collect();
    // "Агент «ШТОРМ» (Орлский Г. Н.)": the role is the cover name's, and so its holder's.
    let holder_of: HashMap<i64, i64> = relations
        .iter()
        .filter(|r| r.kind == RelationKind::CodeNamed)
        .map(|r| (r.to, r.from))
        .collect();
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for r in relations.iter().filter(|r| r.kind == RelationKind::HasRole) {
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
/// Resolves every person mention of the snapshot into persons, under people's
/// judgements, and carries the person ids over from the last resolution (`now` dates the
/// registry records it writes).
pub fn resolve(evidence: &Evidence, threads: usize, now: &str) -> Resolution {
    let mentions = &evidence.persons;
    let judgements = &evidence.judgements;
    let at: HashMap<(DocId, u32, u32), usize> = mentions
        .iter()
        .enumerate()
        .map(|(i, m)| ((m.doc, m.page, m.start), i))
        .collect();
    let records: Vec<NameRecord> = mentions
        .iter()
        .zip(contexts(evidence))
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
    let clustering = kartoteka_names::cluster_judged_on(&records, &constraints, threads);
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
    let previous: HashMap<(DocId, u32, u32), String> = evidence
        .previous
        .iter()
        .filter(|r| r.at.0 .0 != 0)
        .map(|r| (r.at, r.person.clone()))
        .collect();
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
    let mut assignment =
        kartoteka_model::assign_person_ids(&groups, &previous, &evidence.registry, now);
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
        let reason = change_reason(change, judgements, &previous, &now_of);
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
    Resolution {
        report,
        rows,
        records: assignment.records,
        detail,
    }
}

/// The circumstances of each person mention, for resolution to weigh: the birth years
/// the text gives for it, and the places, years and other people named on its page.
/// Mentions of one page share one context unless a birth sets one apart.
fn contexts(evidence: &Evidence) -> Vec<Option<Arc<Context>>> {
    let (persons, places, dates) = (&evidence.persons, &evidence.places, &evidence.dates);
    let relations = &evidence.relations;
    let year_of = |m: &MentionRecord| -> Option<(i32, i32)> {
        let range = DateRange::parse(m.code.as_deref().unwrap_or(&m.lemma))?;
        Some(((range.from / 10000) as i32, (range.to / 10000) as i32))
    };
    let date_by_id: HashMap<i64, &MentionRecord> = dates.iter().map(|d| (d.id, d)).collect();
    let roles = roles_of(relations, &evidence.roles);
    let mut born: HashMap<i64, Vec<i32>> = HashMap::new();
    let mut birth_dates: HashSet<i64> = HashSet::new();
    for r in relations.iter().filter(|r| r.kind == RelationKind::Born) {
        if let Some((year, _)) = date_by_id.get(&r.to).and_then(|d| year_of(d)) {
            born.entry(r.from).or_default().push(year);
            birth_dates.insert(r.to);
        }
    }
    let mut pages: HashMap<(DocId, u32), Context> = HashMap::new();
    for p in places {
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
    let shared: HashMap<(DocId, u32), Arc<Context>> =
        pages.into_iter().map(|(k, c)| (k, Arc::new(c))).collect();
    persons
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
        .collect()
}
