//! A report as one standalone HTML page: the banner marking at the top and the bottom,
//! portion marks in the margin, citation numbers that link to the quotes, a relationship
//! diagram and a timeline drawn as SVG.

use std::fmt::Write as _;

use kartoteka_model::{Marking, Paragraph, Report};

use crate::{
    citation_markings, citation_place, numbered_citations, one_line, portion_mark, section_title,
};

pub(crate) use kartoteka_text::escape_html as esc;

/// The marking of a figure: the highest of the paragraphs whose content it shows. The
/// diagram shows the subject, their cover names and the people related to them (the
/// subject and related sections); the timeline the activity paragraphs it draws.
pub(crate) fn figure_marking<'a>(paragraphs: impl Iterator<Item = &'a Paragraph>) -> Marking {
    paragraphs.fold(Marking::unclassified(), |m, p| m.max(p.effective_marking()))
}

/// A figure with its portion mark, shown above it and written into the drawing itself
/// (so that the SVG carries it when copied out of the page).
fn marked_figure(svg: &str, marking: &Marking) -> String {
    let mark = esc(&portion_mark(marking));
    let inside = format!(
        r##"<text x="50%" y="12" font-size="10" font-weight="bold" fill="#b03030" text-anchor="middle">{mark}</text>"##
    );
    let svg = match svg.find('>') {
        Some(end) => format!("{}{inside}{}", &svg[..=end], &svg[end + 1..]),
        None => svg.to_string(),
    };
    format!(r#"<figure class="para"><figcaption class="mark">{mark}</figcaption>{svg}</figure>"#)
}

/// The relationship diagram of a report: the subject in the middle, the people named
/// around it, each line labelled with the relation.
fn diagram(report: &Report) -> String {
    let people = group_relations(
        report
            .related
            .iter()
            .map(|r| (r.name.as_str(), r.relation.as_str())),
    );
    relations_svg(&report.subject_name, &report.cover_names, &people)
}

/// Relations as (other, how) pairs grouped by the other: one entry a person, with every
/// relation to them, in the order they first appear.
pub(crate) fn group_relations<'a>(
    relations: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, Vec<String>)> {
    let mut people: Vec<(String, Vec<String>)> = Vec::new();
    for (name, relation) in relations {
        let how = relation.replace('_', " ");
        match people.iter_mut().find(|(n, _)| n == name) {
            Some((_, hows)) => {
                if !hows.contains(&how) {
                    hows.push(how)
                }
            }
            None => people.push((name.to_string(), vec![how])),
        }
    }
    people
}

/// The one relationship diagram, for reports and dossiers alike: the subject (with their
/// cover names) in the middle, each other person in a box on an ellipse around it, each
/// line labelled with how they are related.
pub(crate) fn relations_svg(
    subject: &str,
    cover_names: &[String],
    people: &[(String, Vec<String>)],
) -> String {
    let n = people.len();
    let (w, h) = (720.0_f64, if n > 6 { 420.0 } else { 320.0 });
    let (cx, cy) = (w / 2.0, h / 2.0);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Relationships of {}">"#,
        esc(subject)
    );
    let (rx, ry) = (w / 2.0 - 110.0, h / 2.0 - 40.0);
    for (i, (name, hows)) in people.iter().enumerate() {
        let a = std::f64::consts::TAU * i as f64 / n.max(1) as f64 - std::f64::consts::FRAC_PI_2;
        let (x, y) = (cx + rx * a.cos(), cy + ry * a.sin());
        let _ = write!(
            svg,
            r##"<line x1="{cx:.0}" y1="{cy:.0}" x2="{x:.0}" y2="{y:.0}" stroke="#8a8f98"/><text x="{:.0}" y="{:.0}" font-size="11" fill="#555" text-anchor="middle">{}</text><rect x="{:.0}" y="{:.0}" width="200" height="26" rx="5" fill="#eef2f7" stroke="#8a8f98"/><text x="{x:.0}" y="{:.0}" font-size="12" text-anchor="middle">{}</text>"##,
            (cx + x) / 2.0,
            (cy + y) / 2.0 - 4.0,
            esc(&hows.join(", ")),
            x - 100.0,
            y - 13.0,
            y + 4.0,
            esc(name)
        );
    }
    let covers = if cover_names.is_empty() {
        String::new()
    } else {
        format!("«{}»", cover_names.join("», «"))
    };
    let _ = write!(
        svg,
        r##"<rect x="{:.0}" y="{:.0}" width="240" height="44" rx="6" fill="#1f3a5f"/><text x="{cx:.0}" y="{:.0}" font-size="13" fill="#fff" text-anchor="middle" font-weight="bold">{}</text><text x="{cx:.0}" y="{:.0}" font-size="11" fill="#dde" text-anchor="middle">{}</text></svg>"##,
        cx - 120.0,
        cy - 22.0,
        cy - 3.0,
        esc(subject),
        cy + 14.0,
        esc(&covers)
    );
    svg
}

/// The year an activity paragraph opens with, which puts it on the timeline.
fn dated(p: &Paragraph) -> Option<i32> {
    p.text.get(0..4)?.parse().ok()
}

/// The timeline: every activity paragraph that opens with a year, on one axis.
fn timeline(report: &Report) -> Option<String> {
    let events: Vec<(i32, &str)> = report
        .paragraphs
        .iter()
        .filter(|p| p.section == "activity")
        .filter_map(|p| Some((dated(p)?, p.text.as_str())))
        .collect();
    let (first, last) = (
        events.iter().map(|e| e.0).min()?,
        events.iter().map(|e| e.0).max()?,
    );
    let span = (last - first).max(1) as f64;
    let w = 720.0;
    let h = 60.0 + 18.0 * events.len() as f64;
    let x = |y: i32| 40.0 + (w - 80.0) * f64::from(y - first) / span;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Timeline"><line x1="40" y1="30" x2="{}" y2="30" stroke="#1f3a5f" stroke-width="2"/><text x="40" y="18" font-size="11">{first}</text><text x="{}" y="18" font-size="11" text-anchor="end">{last}</text>"##,
        w - 40.0,
        w - 40.0
    );
    for (i, (year, text)) in events.iter().enumerate() {
        let px = x(*year);
        let py = 52.0 + 18.0 * i as f64;
        let label: String = text.chars().take(90).collect();
        let anchor = if px > w / 2.0 { "end" } else { "start" };
        let _ = write!(
            svg,
            r##"<circle cx="{px:.0}" cy="30" r="4" fill="#b03030"/><line x1="{px:.0}" y1="34" x2="{px:.0}" y2="{:.0}" stroke="#ccc"/><text x="{px:.0}" y="{py:.0}" font-size="11" text-anchor="{anchor}">{}</text>"##,
            py - 10.0,
            esc(&label)
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// A report's content as a fragment of HTML, for a page that has its own frame and style
/// (the partner portal): the banner marking at the top and the bottom, the paragraphs with
/// their portion marks and figures, and the numbered citations.
pub fn html_article(report: &Report) -> String {
    let banner = esc(&report.marking().to_string());
    let (citations, per) = numbered_citations(report);
    let mut body = String::new();
    let mut current = "";
    for (p, cites) in report.paragraphs.iter().zip(&per) {
        if p.section != current {
            current = &p.section;
            let _ = write!(body, "<h2>{}</h2>", esc(section_title(current)));
            if current == "related" && !report.related.is_empty() {
                let shown = report
                    .paragraphs
                    .iter()
                    .filter(|p| p.section == "subject" || p.section == "related");
                body.push_str(&marked_figure(&diagram(report), &figure_marking(shown)));
            }
            if current == "activity" {
                if let Some(t) = timeline(report) {
                    let shown = report
                        .paragraphs
                        .iter()
                        .filter(|p| p.section == "activity" && dated(p).is_some());
                    body.push_str(&marked_figure(&t, &figure_marking(shown)));
                }
            }
        }
        let refs: String = cites
            .iter()
            .map(|n| format!(r##"<a href="#c{n}">[{n}]</a>"##))
            .collect();
        let _ = write!(
            body,
            r#"<div class="para"><span class="mark">{}</span><p>{} <sup>{refs}</sup></p></div>"#,
            esc(&portion_mark(p.effective_marking())),
            esc(p.text.trim())
        );
    }
    let mut notes = String::new();
    let marks = citation_markings(report, &citations, &per);
    for (i, (c, m)) in citations.iter().zip(&marks).enumerate() {
        let _ = write!(
            notes,
            r#"<li id="c{}"><span class="cmark">{}</span> <span class="ref">{}</span> <q>{}</q></li>"#,
            i + 1,
            esc(&portion_mark(m)),
            esc(&citation_place(c)),
            esc(&one_line(&c.quote))
        );
    }
    format!(
        r##"<div class="banner">{banner}</div>
<h1>{title}</h1>
<p class="meta">Report {id} · version {version} · {status} · {countries}{period}{released}</p>
{body}
<h2>Citations</h2><ol class="citations">{notes}</ol>
<div class="banner">{banner}</div>
"##,
        title = esc(&report.title),
        id = esc(&report.id),
        version = report.version,
        status = report.status,
        countries = esc(&report.countries.join(", ")),
        period = report
            .period
            .map(|(a, b)| format!(" · {a}-{b}"))
            .unwrap_or_default(),
        released = report
            .released_to
            .as_ref()
            .map(|to| format!(" · released to {}", esc(to)))
            .unwrap_or_default(),
    )
}

/// A report as one standalone HTML page: [`html_article`] with its own style.
pub fn html(report: &Report) -> String {
    format!(
        r##"<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "DejaVu Sans", "Noto Sans", sans-serif; max-width: 60em; margin: 0 auto; padding: 3em 2em; color: #1a1a1a; }}
.banner {{ text-align: center; font-weight: bold; letter-spacing: .08em; padding: .3em; background: #f3e9c6; border: 1px solid #c9b26b; }}
.meta {{ color: #555; font-size: .9em; }}
.para {{ display: grid; grid-template-columns: 9em 1fr; gap: .5em; }}
.mark {{ font-weight: bold; font-size: .85em; color: #7a1f1f; padding-top: 1.05em; }}
h2 {{ border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.6em; }}
svg {{ max-width: 100%; height: auto; display: block; margin: .8em 0; }}
ol.citations li {{ margin-bottom: .4em; }} .cmark {{ font-weight: bold; font-size: .85em; color: #7a1f1f; }} .ref {{ color: #1f3a5f; }}
</style></head><body>
{article}</body></html>
"##,
        title = esc(&report.title),
        article = html_article(report),
    )
}
