//! The rules that need no store: a report composed from its subject's claims, the
//! differences between two versions, a rebuilt report set against the old, report and
//! case ids, the collection's index, conflicts among claims.

use crate::*;
use kartoteka_model::{CollectionIndex, ReportFate};

/// What makes a paragraph the same paragraph in two versions: its section where a
/// report has one of that section (subject, related persons, assessment), else its
/// section and the claims it rests on.
pub fn paragraph_key(p: &Paragraph) -> (String, String) {
    match p.section.as_str() {
        "subject" | "related" | "assessment" => (p.section.clone(), String::new()),
        _ => (p.section.clone(), p.claims.join(" ")),
    }
}

/// The lines that differ between two versions.
pub fn differences(a: &Report, b: &Report) -> Vec<String> {
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
pub fn regenerate(old: &Report, mut new: Report) -> (Report, Vec<String>) {
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
pub fn compose<R: PageText>(
    world: &Resolved,
    holdings: &[kartoteka_identity::Holding],
    covers: &BTreeMap<String, kartoteka_identity::CoverName>,
    subject: &str,
    claims: &[Claim],
    conflicts: &[Conflict],
    mut related: Vec<Related>,
    pages: &mut Pages<R>,
    places_on: &HashMap<(DocId, u32), Vec<&MentionRecord>>,
) -> Result<Report, R::Error> {
    let person = world.person_light(subject);
    let mut marking_of: HashMap<(DocId, u32), (Marking, Vec<String>)> = HashMap::new();
    // Each citation gets its page's marking; the paragraph, the highest of them, and what
    // the reviewer should know of how they were read.
    let mut mark = |cites: &mut [Citation],
                    pages: &mut Pages<R>|
     -> Result<(Marking, Vec<String>), R::Error> {
        let mut m = Marking::unclassified();
        let mut notes: Vec<String> = Vec::new();
        for c in cites {
            let key = (c.doc, c.page);
            let page = match marking_of.entry(key) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let at = world.document(c.doc).and_then(|d| d.reference.as_ref());
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
                    pages: &mut Pages<R>|
     -> Result<(), R::Error> {
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
    let mine: Vec<&kartoteka_identity::Holding> =
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
                        withheld: false,
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
                    .document(x.doc)
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
        released_to: None,
    })
}

/// "1 claim", "2 claims".
pub fn counted(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// The case file (дело) a document belongs to, when it is placed down to a file.
pub fn file_of(world: &Resolved, doc: DocId) -> Option<Reference> {
    let mut r = world.document(doc)?.reference.clone()?;
    r.file.as_ref()?;
    r.sheets = None;
    Some(r)
}

/// A person's claims by the case files they cite: each claim under every file it cites,
/// with only that file's citations.
pub fn by_case_file(world: &Resolved, claims: &[Claim]) -> Vec<(Reference, Vec<Claim>)> {
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
pub fn case_id(file: &Reference) -> String {
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
pub fn id_part(name: &str) -> String {
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
pub fn within(date: &str, from: Option<PartialDate>, to: Option<PartialDate>) -> bool {
    let Some(d) = DateRange::parse(date) else {
        return false;
    };
    from.is_none_or(|f| d.to >= f.first_day()) && to.is_none_or(|t| d.from <= t.last_day())
}

/// The reports whose latest version no fate has overtaken (superseded or withdrawn).
pub fn current(latest: Vec<Report>, fates: &BTreeMap<(String, u32), ReportFate>) -> Vec<Report> {
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
pub fn conflicts(claims: &mut [Claim]) -> Vec<Conflict> {
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
