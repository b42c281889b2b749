//! The edition's dataset: what the site shows, as CSV, JSON and FollowTheMoney entities,
//! with a README that gives the edition's date, rules and counts.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kartoteka_model::Report;
use serde::Serialize;

use crate::edition::{Changes, Content, Other, Out, PublicPerson, Summary, TimelineItem};
use crate::site::Page;
use crate::write::WriteError;

/// A CSV file written row by row as `rows` gives them.
fn csv_file(
    out: &mut Out<'_>,
    path: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), WriteError> {
    out.data(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(header)?;
        for r in rows {
            csv.write_record(&r)?;
        }
        csv.flush()
    })
}

/// The whole edition as one JSON object, serialised straight to its file (the keys in
/// the order they have always had: alphabetical).
#[derive(Serialize)]
struct EditionJson<'a> {
    by_country: &'a BTreeMap<String, u64>,
    by_service: &'a BTreeMap<String, u64>,
    persons: Vec<&'a PublicPerson>,
    reports: &'a [Report],
    timeline: &'a [TimelineItem],
    title: &'a str,
}

/// Lays out the dataset's files into `out`, each written as it is made.
pub fn files(content: &Content, out: &mut Out<'_>) -> Result<(), WriteError> {
    let persons = content.persons.values().map(|p| {
        vec![
            p.id.clone(),
            p.name.clone(),
            p.names.join("; "),
            p.cover_names
                .iter()
                .map(|c| {
                    format!(
                        "{} ({}–{})",
                        c.name,
                        c.from.as_deref().unwrap_or("?"),
                        c.to.as_deref().unwrap_or("?")
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            p.roles.join("; "),
            p.born.join("; "),
            p.why.rule().to_string(),
            p.reports.join("; "),
            format!("en/persons/{}.html", p.id),
        ]
    });
    csv_file(
        out,
        "data/persons.csv",
        &[
            "id",
            "name",
            "spellings",
            "cover_names",
            "roles",
            "born",
            "named_as",
            "reports",
            "page",
        ],
        persons,
    )?;
    let reports = content.reports.iter().map(|r| {
        vec![
            r.id.clone(),
            r.version.to_string(),
            r.title.clone(),
            r.subject.clone(),
            r.subject_name.clone(),
            r.cover_names.join("; "),
            r.countries.join("; "),
            r.period.map_or(String::new(), |(a, b)| format!("{a}-{b}")),
            r.paragraphs.len().to_string(),
            format!("en/reports/{}.html", r.id),
        ]
    });
    csv_file(
        out,
        "data/reports.csv",
        &[
            "id",
            "version",
            "title",
            "subject",
            "subject_name",
            "cover_names",
            "countries",
            "period",
            "paragraphs",
            "page",
        ],
        reports,
    )?;
    let citations = content.reports.iter().flat_map(|r| {
        r.paragraphs.iter().enumerate().flat_map(move |(i, p)| {
            p.citations.iter().map(move |c| {
                vec![
                    r.id.clone(),
                    (i + 1).to_string(),
                    p.section.clone(),
                    if c.withheld {
                        "not public".to_string()
                    } else {
                        c.reference.clone().unwrap_or_default()
                    },
                    if c.withheld {
                        String::new()
                    } else {
                        c.page.to_string()
                    },
                    c.quote.clone(),
                ]
            })
        })
    });
    csv_file(
        out,
        "data/citations.csv",
        &[
            "report",
            "paragraph",
            "section",
            "reference",
            "page",
            "quote",
        ],
        citations,
    )?;
    let json = EditionJson {
        by_country: &content.by_country,
        by_service: &content.by_service,
        persons: content.persons.values().collect(),
        reports: &content.reports,
        timeline: &content.timeline,
        title: &content.title,
    };
    out.data("data/edition.json", |w| {
        serde_json::to_writer(w, &json).map_err(std::io::Error::other)
    })?;
    out.data("data/entities.ftm.json", |w| ftm(content, w))
}

/// FollowTheMoney entities, one JSON object a line: a Person for each named person (with
/// their spellings and cover names), one for each pseudonym a link shows, and an
/// Associate for each link between them.
fn ftm(content: &Content, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut lines: Vec<String> = Vec::new();
    let mut pseudonyms = std::collections::BTreeSet::new();
    for p in content.persons.values() {
        let entity = serde_json::json!({
            "id": format!("kartoteka-{}", p.id),
            "schema": "Person",
            "properties": {
                "name": [p.name],
                "alias": p.names.iter().filter(|n| **n != p.name).collect::<Vec<_>>(),
                "weakAlias": p.cover_names.iter().map(|c| &c.name).collect::<Vec<_>>(),
                "birthDate": p.born,
                "sourceUrl": [format!("en/persons/{}.html", p.id)],
            }
        });
        lines.push(entity.to_string());
    }
    for p in content.persons.values() {
        for (i, l) in p.links.iter().enumerate() {
            if !l.outgoing {
                continue;
            }
            let other = match &l.other {
                Other::Person { id, .. } => format!("kartoteka-{id}"),
                Other::Protected { pseudonym } => {
                    let id = format!("kartoteka-{}", pseudonym.replace(' ', "-"));
                    if pseudonyms.insert(id.clone()) {
                        lines.push(
                            serde_json::json!({
                                "id": id,
                                "schema": "Person",
                                "properties": {"name": [pseudonym], "notes": ["a private person, by pseudonym"]}
                            })
                            .to_string(),
                        );
                    }
                    id
                }
                Other::Thing { .. } => continue,
            };
            lines.push(
                serde_json::json!({
                    "id": format!("kartoteka-{}-{}-{i}", p.id, l.kind),
                    "schema": "Associate",
                    "properties": {
                        "person": [format!("kartoteka-{}", p.id)],
                        "associate": [other],
                        "relationship": [l.kind.as_str().replace('_', " ")],
                    }
                })
                .to_string(),
            );
        }
    }
    for line in lines {
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// The README, at the root and beside the data.
pub fn readme(content: &Content, changes: &Changes, summary: &Summary) -> BTreeMap<String, Page> {
    let mut t = String::new();
    let _ = writeln!(t, "# {}\n", content.title);
    let _ = writeln!(
        t,
        "Edition {} of {}. Open `index.html` in a browser (no server is needed; search works from the files).\n",
        content.number, content.date
    );
    let _ = writeln!(t, "## What is in it\n");
    let _ = writeln!(
        t,
        "Only paragraphs, quotes and document excerpts marked UNCLASSIFIED with no control, from approved reports, and the collection's counts. Agents, case officers and officials the claims name are named; every other person is a private person and appears as a pseudonym (\"Person A-17\"), the same one across the edition and from one edition to the next.\n"
    );
    let _ = writeln!(t, "## Counts\n");
    for (k, v) in &content.counts {
        let _ = writeln!(t, "- {k}: {v}");
    }
    let _ = writeln!(
        t,
        "- paragraphs published: {}; left out as not public: {}\n- approved reports left out (nothing in them public): {}\n",
        summary.paragraphs_published, summary.paragraphs_left_out, summary.reports_left_out
    );
    let _ = writeln!(t, "## Who is named, by rule\n");
    for (rule, (named, protected)) in &content.rule_counts {
        let _ = writeln!(t, "- {rule}: {named} named, {protected} protected");
    }
    let _ = writeln!(t, "\n## Changes since edition {}\n", changes.since);
    let _ = writeln!(
        t,
        "{} added, {} changed, {} withdrawn (see `en/changes.html`).\n",
        changes.added.len(),
        changes.changed.len(),
        changes.withdrawn.len()
    );
    let _ = writeln!(
        t,
        "## The rules it was built from\n\n```toml\n{}\n```\n",
        content.rules_text.trim_end()
    );
    let _ = writeln!(
        t,
        "## The data\n\n- `data/persons.csv`: the named persons (id, name, spellings, cover names with their periods, roles, births, the rule that names them, their reports, their page).\n- `data/reports.csv`: the published reports.\n- `data/citations.csv`: every citation of every published paragraph, with its reference code, page and quote.\n- `data/edition.json`: all of the above, with the timeline and the counts by country and service.\n- `data/entities.ftm.json`: FollowTheMoney entities (Person, Associate), one JSON object a line.\n- `search/`: the search index the pages use.\n\nPage addresses are made of ids (`en/persons/P3.html`) and do not change between editions; a page withdrawn from an edition stays at its address and says so."
    );
    let page = || Page {
        bytes: t.clone().into_bytes(),
        hashed: t.clone().into_bytes(),
    };
    let mut out = BTreeMap::new();
    out.insert("README.md".to_string(), page());
    out.insert("data/README.md".to_string(), page());
    out
}
