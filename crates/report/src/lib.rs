//! Counter-intelligence reports written out in the forms services and researchers
//! exchange: Markdown, a standalone HTML page (with a relationship diagram and a timeline
//! as SVG), PDF, JSON, and STIX 2.1 bundles. Nothing here reads or writes files: each writer
//! takes a [`Report`] and returns text (or, for PDF, bytes).
//!
//! Every paragraph is written with its portion marking ("(S//REL TO GBR)") and its
//! citations, numbered across the report and listed at the end with the exact quote, so
//! that a reader can go from any sentence to the sheet it came from.

mod collection;
mod dossier;
mod html;
mod pdf;
mod stix;

pub use collection::{fate_line, report_files, write_collection};
pub use dossier::{dossier_diagram, dossier_html};
pub use html::{html, html_article};
pub use pdf::{lay_out, pdf, Face, LaidOutPage, Layout, Link, PdfError, Run};
pub use stix::{stix_bundle, TLP_2_0_EXTENSION};

use kartoteka_model::{Citation, Marking, Report};

/// The heading of each section, in report order.
pub const SECTIONS: &[(&str, &str)] = &[
    ("subject", "Subject"),
    ("service", "Service and line"),
    ("recruitment", "Recruitment"),
    ("handling", "Handling"),
    ("activity", "Activity"),
    ("access", "Access and product"),
    ("related", "Related persons"),
    ("assessment", "Assessment"),
    ("questions", "Open questions"),
    ("sources", "Sources"),
];

/// The heading of a section.
pub fn section_title(section: &str) -> &str {
    SECTIONS
        .iter()
        .find(|(s, _)| *s == section)
        .map_or(section, |(_, t)| t)
}

/// A portion mark as printed before a paragraph: "(U)", "(S//REL TO GBR, USA)",
/// "(TS//OC/NF)".
pub fn portion_mark(m: &Marking) -> String {
    let short = m.classification.short();
    let controls = m.controls(true);
    if controls.is_empty() {
        format!("({short})")
    } else {
        format!("({short}//{})", controls.join("/"))
    }
}

/// The report's citations, numbered in the order they first appear, and for each
/// paragraph the numbers it cites.
pub fn numbered_citations(report: &Report) -> (Vec<&Citation>, Vec<Vec<usize>>) {
    let mut all: Vec<&Citation> = Vec::new();
    let mut per = Vec::with_capacity(report.paragraphs.len());
    for p in &report.paragraphs {
        let mut mine = Vec::new();
        for c in &p.citations {
            let n = match all.iter().position(|x| *x == c) {
                Some(i) => i + 1,
                None => {
                    all.push(c);
                    all.len()
                }
            };
            if !mine.contains(&n) {
                mine.push(n);
            }
        }
        per.push(mine);
    }
    (all, per)
}

/// The portion marking of each numbered citation: its page's, when the report worked it
/// out, else the lowest marking of the paragraphs that cite it (never lower than the page,
/// since a paragraph is marked as the highest of its pages).
pub fn citation_markings(
    report: &Report,
    citations: &[&Citation],
    per: &[Vec<usize>],
) -> Vec<Marking> {
    citations
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.marking.clone().unwrap_or_else(|| {
                let citing = report
                    .paragraphs
                    .iter()
                    .zip(per)
                    .filter(|(_, ns)| ns.contains(&(i + 1)))
                    .map(|(p, _)| p.effective_marking().clone());
                citing
                    .reduce(|a, b| {
                        if b.classification < a.classification {
                            b
                        } else {
                            a
                        }
                    })
                    .unwrap_or_else(Marking::unclassified)
            })
        })
        .collect()
}

/// What a release variant says in place of a source its recipient may not see.
pub const WITHHELD_SOURCE: &str = "a source not releasable to this recipient";

/// Where a citation points, as a reader finds it: reference code (or document number),
/// page and characters.
pub fn citation_place(c: &Citation) -> String {
    if c.withheld {
        return WITHHELD_SOURCE.to_string();
    }
    let place = c
        .reference
        .clone()
        .unwrap_or_else(|| format!("document {}", c.doc.0));
    format!("{place}, p. {}, chars {}-{}", c.page, c.start, c.end)
}

/// The report as Markdown: banner marking at the top and bottom, each paragraph with its
/// portion mark and citation numbers, the citations with their quotes at the end.
pub fn markdown(report: &Report) -> String {
    let banner = report.marking().to_string();
    let (citations, per) = numbered_citations(report);
    let mut out = String::new();
    out.push_str(&format!("**{banner}**\n\n# {}\n\n", report.title));
    let mut particulars = vec![
        format!("Report {}", report.id),
        format!("version {}", report.version),
        report.status.to_string(),
    ];
    if !report.countries.is_empty() {
        particulars.push(report.countries.join(", "));
    }
    if let Some((a, b)) = report.period {
        particulars.push(if a == b {
            a.to_string()
        } else {
            format!("{a}-{b}")
        });
    }
    if let Some(to) = &report.released_to {
        particulars.push(format!("released to {to}"));
    }
    out.push_str(&particulars.join(" · "));
    out.push('\n');
    let mut current = "";
    for (p, cites) in report.paragraphs.iter().zip(&per) {
        if p.section != current {
            current = &p.section;
            out.push_str(&format!("\n## {}\n\n", section_title(current)));
        }
        let refs: Vec<String> = cites.iter().map(|n| format!("[{n}]")).collect();
        out.push_str(&format!(
            "{} {} {}\n\n",
            portion_mark(p.effective_marking()),
            p.text.trim(),
            refs.join("")
        ));
    }
    out.push_str("\n## Citations\n\n");
    let marks = citation_markings(report, &citations, &per);
    for (i, (c, m)) in citations.iter().zip(&marks).enumerate() {
        out.push_str(&format!(
            "{}. {} {}: «{}»\n",
            i + 1,
            portion_mark(m),
            citation_place(c),
            one_line(&c.quote)
        ));
    }
    // Until approved, the reviewer is told where a marking rests on an uncertain reading.
    if report.status != kartoteka_model::ReportStatus::Approved {
        let notes: Vec<String> = report
            .paragraphs
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                p.marking_notes
                    .iter()
                    .map(move |n| format!("- Paragraph {} ({}): {n}\n", i + 1, p.section))
            })
            .collect();
        if !notes.is_empty() {
            out.push_str("\n## For the reviewer: markings read uncertainly\n\n");
            out.extend(notes);
        }
    }
    out.push_str(&format!("\n**{banner}**\n"));
    out
}

/// A quote on one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The report as JSON: the stored report with its overall marking.
pub fn json(report: &Report) -> serde_json::Value {
    let mut v = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "marking".to_string(),
            serde_json::Value::String(report.marking().to_string()),
        );
    }
    v
}

#[cfg(test)]
mod tests;
