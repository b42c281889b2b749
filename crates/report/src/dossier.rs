//! A person's dossier as one standalone HTML page: names, cover names, roles, own files,
//! the relationship diagram the reports draw, the timeline and every mention. Pure: a
//! dossier in, a page out.

use std::fmt::Write as _;

use kartoteka_model::Dossier;

use crate::html::{esc as escape, group_relations, relations_svg};

/// The person's relations drawn around them as an SVG diagram (the one the reports
/// draw), or `None` when the text states no relation.
pub fn dossier_diagram(d: &Dossier) -> Option<String> {
    let people = group_relations(
        d.relations
            .iter()
            .map(|r| (r.other.as_str(), r.kind.as_str())),
    );
    if people.is_empty() {
        return None;
    }
    let covers: Vec<String> = d
        .person
        .cover_names
        .iter()
        .map(|c| c.name.clone())
        .collect();
    Some(relations_svg(&d.person.name, &covers, &people))
}

/// A dossier as one standalone HTML page (no scripts, no outside resources), with the
/// person's relations drawn as an SVG diagram around them.
pub fn dossier_html(d: &Dossier) -> String {
    let p = &d.person;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}}\
         h1{{margin-bottom:0}} .id{{color:#777}} table{{border-collapse:collapse}}\
         td,th{{border-bottom:1px solid #ddd;padding:.2em .6em;text-align:left;vertical-align:top}}\
         .finding{{color:#a00}} svg text{{font-size:12px}}</style></head><body>",
        escape(&p.name)
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p class=\"id\">{}</p>",
        escape(&p.name),
        escape(&p.id)
    );
    if p.names.len() > 1 {
        let _ = write!(
            h,
            "<p>Also written: {}</p>",
            escape(&p.names[1..].join("; "))
        );
    }
    if !p.cover_names.is_empty() {
        h.push_str("<h2>Cover names</h2><ul>");
        for c in &p.cover_names {
            let _ = write!(
                h,
                "<li>«{}» {}–{}</li>",
                escape(&c.name),
                escape(c.from.as_deref().unwrap_or("?")),
                escape(c.to.as_deref().unwrap_or("?"))
            );
        }
        h.push_str("</ul>");
    }
    if !d.roles.is_empty() {
        let _ = write!(h, "<p>Roles: {}</p>", escape(&d.roles.join(", ")));
    }
    if !d.own_files.is_empty() {
        h.push_str("<h2>Own files</h2><ul>");
        for f in &d.own_files {
            let _ = write!(h, "<li>{} «{}»", escape(&f.reference), escape(&f.title));
            for finding in &f.findings {
                let _ = write!(h, " <span class=\"finding\">{}</span>", escape(finding));
            }
            h.push_str("</li>");
        }
        h.push_str("</ul>");
    }
    // The diagram, as in the reports, then the relations with their sources.
    if let Some(svg) = dossier_diagram(d) {
        h.push_str("<h2>Relations</h2>");
        h.push_str(&svg);
        h.push_str("<table><tr><th>relation</th><th>with</th><th>document</th></tr>");
        for r in &d.relations {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{} p. {}</td></tr>",
                escape(&r.kind.as_str().replace('_', " ")),
                escape(&r.other),
                r.doc,
                r.page
            );
        }
        h.push_str("</table>");
    }
    if !d.timeline.is_empty() {
        h.push_str("<h2>Timeline</h2><table>");
        for t in &d.timeline {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&t.date),
                escape(t.reference.as_deref().unwrap_or("")),
                escape(&t.text)
            );
        }
        h.push_str("</table>");
    }
    let _ = write!(
        h,
        "<h2>Mentions ({})</h2><table><tr><th>document</th><th>sheet</th><th>reference</th><th>text</th></tr>",
        p.mentions.len()
    );
    for m in &p.mentions {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            m.doc,
            m.sheet
                .map(|s| format!("л. {s}"))
                .unwrap_or_else(|| format!("p. {}", m.page)),
            escape(m.reference.as_deref().unwrap_or("")),
            escape(&m.context)
        );
    }
    h.push_str("</table></body></html>\n");
    h
}
