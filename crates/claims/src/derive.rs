//! Claims derived from what the text states about a resolved person, each cited to its
//! sentence and graded by rule.

use crate::*;

/// Topics a subject has one truth of: two different answers are a conflict.
pub const SINGLE_VALUED: &[&str] = &["birth_date", "birth_place", "recruitment"];

/// What derivation looks up, worked out once for all subjects: who each cover-name
/// mention stands for, the dates and places of each page, which dates are births, the
/// cover name of each mention, and the relations of each person.
pub struct Evidence<'w> {
    /// The person each cover-name mention stands for.
    pub owners: HashMap<i64, String>,
    dates_on: HashMap<(DocId, u32), Vec<&'w MentionRecord>>,
    /// The place mentions of each page.
    pub places_on: HashMap<(DocId, u32), Vec<&'w MentionRecord>>,
    births: BTreeSet<i64>,
    cover_name_of: HashMap<i64, String>,
    relations_of: HashMap<String, Vec<&'w kartoteka_model::RelationRecord>>,
}

impl<'w> Evidence<'w> {
    /// The look-ups over one resolution.
    pub fn new(world: &'w Resolved) -> Evidence<'w> {
        let owners = world.cover_owners();
        let mut dates_on: HashMap<(DocId, u32), Vec<&MentionRecord>> = HashMap::new();
        let mut places_on: HashMap<(DocId, u32), Vec<&MentionRecord>> = HashMap::new();
        for m in world.mentions() {
            match m.kind {
                MentionKind::Date => dates_on.entry((m.doc, m.page)).or_default().push(m),
                MentionKind::Place => places_on.entry((m.doc, m.page)).or_default().push(m),
                _ => {}
            }
        }
        let births = world
            .relations()
            .iter()
            .filter(|r| r.kind == RelationKind::Born)
            .map(|r| r.to)
            .collect();
        let cover_name_of = world
            .covers()
            .into_values()
            .flat_map(|c| c.mentions.into_iter().map(move |m| (m, c.name.clone())))
            .collect();
        let mut relations_of: HashMap<String, Vec<&kartoteka_model::RelationRecord>> =
            HashMap::new();
        for r in world.relations() {
            let ends: BTreeSet<&String> = [r.from, r.to]
                .iter()
                .filter_map(|m| world.person_of(*m).or_else(|| owners.get(m)))
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
    world: &Resolved,
    owners: &HashMap<i64, String>,
    m: &MentionRecord,
) -> (Option<String>, String) {
    if let Some(p) = world.person_of(m.id).or_else(|| owners.get(&m.id)) {
        return (Some(p.clone()), world.best_name(p));
    }
    if m.kind == MentionKind::CoverName {
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

pub(crate) fn derived_id(subject: &str, topic: &str, object: &str) -> String {
    let digest = Sha256::digest(format!("{subject}\u{1f}{topic}\u{1f}{object}").as_bytes());
    format!("D{}", &hex::encode(digest)[..12])
}

/// The claims derived from what the text says about one person, and the people they
/// name.
pub fn derive<R: PageText>(
    world: &Resolved,
    ix: &Evidence<'_>,
    pages: &mut Pages<R>,
    person: &str,
) -> Result<(Vec<Claim>, Vec<Related>), R::Error> {
    let owners = &ix.owners;
    let mine = |m: i64| {
        world
            .person_of(m)
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
        if mine(other) && r.kind != RelationKind::CodeNamed {
            continue;
        }
        let Some(other_m) = world.mention(other) else {
            continue;
        };
        let (object_person, name) = end_name(world, owners, other_m);
        let (topic, text) = match (r.kind, forward) {
            (RelationKind::RecruitedBy, true) => ("recruitment", format!("Recruited by {name}")),
            (RelationKind::RecruitedBy, false) => ("recruited", format!("Recruited {name}")),
            (RelationKind::HandledBy, true) => ("handling", format!("Handled by {name}")),
            (RelationKind::HandledBy, false) => ("handled", format!("Handled {name}")),
            (RelationKind::CodeNamed, _) => {
                let cover = cover_name_of
                    .get(&other)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| other_m.lemma.clone());
                if other_m.kind != MentionKind::CoverName {
                    continue;
                }
                ("cover_name", format!("Held the cover name «{cover}»"))
            }
            (RelationKind::Born, _) if other_m.kind == MentionKind::Date => (
                "birth_date",
                format!(
                    "Born in {}",
                    other_m.code.as_deref().unwrap_or(&other_m.lemma)
                ),
            ),
            (RelationKind::Born, _) => ("birth_place", format!("Born in {name}")),
            (RelationKind::MetWith, _) => ("contact", format!("Met {name}")),
            (RelationKind::ReportedOn, true) => ("reporting", format!("Reported on {name}")),
            (RelationKind::ReportedOn, false) => ("reported", format!("Reported on by {name}")),
            (RelationKind::WorkedAt, _) => ("service", format!("Served in {name}")),
            (RelationKind::OperatedIn, _) => ("place", format!("Active in {name}")),
            (RelationKind::HasRole, _) => {
                ("role", format!("Described as {}", name.replace('_', " ")))
            }
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
            .document(r.doc)
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
            withheld: false,
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
                relation: format!("{}{}", r.kind, if forward { "" } else { "_of" }),
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
                    .document(c.doc)
                    .and_then(|doc| doc.reference.as_ref())
                    .map(|r| r.truncate(kartoteka_model::Level::File).key())
                    .unwrap_or_else(|| format!("document {}", c.doc.0))
            })
            .collect();
        let placements: Vec<Placement> = docs
            .iter()
            .filter_map(|doc| world.document(*doc).map(|d| d.placement))
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
