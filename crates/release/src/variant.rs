//! A partner's variant of a report: what the releasability rule lets it have, and nothing
//! the dropped paragraphs alone said.

use kartoteka_model::{releasable, Audience, Citation, Partner, Report};

use crate::plan::{variant_loss, VariantLoss};

/// A report as one partner receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// The report cut to what the partner may have: every format is written from it.
    pub report: Report,
    /// What was left out.
    pub loss: VariantLoss,
}

/// The variant of `report` for `partner` (`consent`: the originator consented to release
/// its ORCON portions to it).
///
/// It keeps the paragraphs the rule releases to the partner; in them, a citation of a
/// source the rule withholds becomes a neutral reference ([`Citation::withheld`]). What
/// the report says beside its paragraphs is cut to what the kept paragraphs say, since a
/// dropped paragraph may be the only thing that says it: the people related to the
/// subject, the cover names, places and services are kept only when a kept paragraph
/// names them; the title loses cover names no kept paragraph names; the countries are
/// cut to the partner's own and those it needs to know about, and the period to the years
/// of the kept activity paragraphs, when anything was dropped. The banner, the portion
/// marks, the diagram and the timeline are drawn from what is left.
pub fn variant(report: &Report, partner: &Partner, consent: bool) -> Variant {
    cut(report, Audience::Partner(partner), consent)
}

/// The public variant of `report`: what the releasability rule lets anyone have (only
/// what is unclassified with no control), cut as a partner's variant is, with the
/// countries of dropped paragraphs gone too.
pub fn public_variant(report: &Report) -> Variant {
    cut(report, Audience::Public, false)
}

fn cut(report: &Report, audience: Audience<'_>, consent: bool) -> Variant {
    let loss = variant_loss(report, audience, consent);
    let mut v = report.clone();
    v.paragraphs = report
        .paragraphs
        .iter()
        .filter(|p| releasable(p.effective_marking(), audience, consent).is_ok())
        .cloned()
        .collect();
    for p in &mut v.paragraphs {
        let mut citations: Vec<Citation> = Vec::with_capacity(p.citations.len());
        for c in &p.citations {
            let open = c
                .marking
                .as_ref()
                .is_none_or(|m| releasable(m, audience, consent).is_ok());
            let c = if open {
                c.clone()
            } else {
                Citation::withheld()
            };
            if !citations.contains(&c) {
                citations.push(c);
            }
        }
        p.citations = citations;
    }
    let text: String = v
        .paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let said = |word: &str| !word.is_empty() && text.contains(word);
    v.related.retain(|r| said(&r.name));
    let dropped_covers: Vec<String> = v.cover_names.iter().filter(|c| !said(c)).cloned().collect();
    v.cover_names.retain(|c| said(c));
    v.places.retain(|p| said(p));
    v.services.retain(|s| said(s));
    let name_said = said(&v.subject_name);
    if !name_said {
        v.subject_name = v.subject.clone();
    }
    match audience {
        Audience::Partner(partner) => {
            v.why = format!("version {} as released to {}", v.version, partner.id);
            v.released_to = Some(format!(
                "{} ({}, {})",
                partner.id, partner.service, partner.country
            ));
        }
        Audience::Public => {
            v.why = format!("version {} as published", v.version);
            v.released_to = Some("the public".to_string());
        }
    }
    if !name_said {
        v.title = format!("Report {}", v.id);
    } else if dropped_covers.iter().any(|c| v.title.contains(c.as_str())) {
        v.title = format!("Report on {}", v.subject_name);
    }
    if !loss.dropped.is_empty() {
        v.countries.retain(|c| match audience {
            Audience::Partner(partner) => {
                *c == partner.country || partner.need_to_know.countries.contains(c)
            }
            Audience::Public => false,
        });
        let years: Vec<i32> = v
            .paragraphs
            .iter()
            .filter(|p| p.section == "activity")
            .filter_map(|p| p.text.get(0..4)?.parse().ok())
            .collect();
        v.period = years
            .iter()
            .min()
            .zip(years.iter().max())
            .map(|(a, b)| (*a, *b));
    }
    Variant { report: v, loss }
}
