//! Routing and the release plan: which report goes to which partner, why, and what its
//! variant would lose.

use std::collections::BTreeSet;
use std::fmt;

use kartoteka_model::{
    releasable, Audience, Consent, Partner, PartnerState, Report, ReportStatus, Routing, Withheld,
};
use serde::Serialize;

/// A report as the plan sees it: its latest version, and its latest approved version
/// (the one a release sends), if it has one.
#[derive(Clone, Copy, Debug)]
pub struct Offer<'a> {
    /// The latest version.
    pub latest: &'a Report,
    /// The latest approved version.
    pub approved: Option<&'a Report>,
}

/// Why a report goes to a partner, or why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// The report concerns the partner's country.
    Concerns {
        /// The country (ISO 3166 alpha-3).
        country: String,
    },
    /// The partner's need-to-know names a country the report concerns.
    NeedsCountry {
        /// The country.
        country: String,
    },
    /// The partner's need-to-know names a topic the report is on.
    NeedsTopic {
        /// The topic.
        topic: String,
    },
    /// A release officer sent it by hand.
    SentByHand {
        /// Who.
        by: String,
        /// Why.
        why: String,
    },
    /// No version of the report is approved.
    NotApproved {
        /// Its latest version.
        version: u32,
        /// That version's status.
        status: ReportStatus,
    },
    /// The partner is suspended.
    Suspended,
    /// Nothing routes it: the report concerns other countries and none of the partner's
    /// needs.
    NotRouted {
        /// The countries it concerns.
        countries: Vec<String>,
    },
    /// A release officer held it back by hand.
    HeldByHand {
        /// Who.
        by: String,
        /// Why.
        why: String,
    },
    /// The variant would keep no paragraph that names its subject.
    LosesSubject,
    /// The variant would keep no paragraph at all.
    NothingReleasable,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Concerns { country } => write!(f, "concerns {country}"),
            Reason::NeedsCountry { country } => write!(f, "need to know: {country}"),
            Reason::NeedsTopic { topic } => write!(f, "need to know: {topic:?}"),
            Reason::SentByHand { by, why } => write!(f, "sent by hand by {by}: {why}"),
            Reason::NotApproved { version, status } => {
                write!(f, "not approved (version {version} is {status})")
            }
            Reason::Suspended => write!(f, "the partner is suspended"),
            Reason::NotRouted { countries } if countries.is_empty() => {
                write!(
                    f,
                    "not routed: it concerns no country and none of the partner's needs"
                )
            }
            Reason::NotRouted { countries } => write!(
                f,
                "not routed: it concerns {} and none of the partner's needs",
                countries.join(", ")
            ),
            Reason::HeldByHand { by, why } => write!(f, "held back by hand by {by}: {why}"),
            Reason::LosesSubject => {
                write!(f, "the variant would keep no paragraph naming its subject")
            }
            Reason::NothingReleasable => write!(f, "nothing in it is releasable to the partner"),
        }
    }
}

/// A paragraph a variant drops.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Loss {
    /// Its number in the report, from 1.
    pub paragraph: usize,
    /// Its section ("subject", "recruitment", ...).
    pub section: String,
    /// Its marking.
    pub marking: String,
    /// Why the rule withholds it.
    pub withheld: Withheld,
}

/// What a partner's variant of a report keeps and loses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VariantLoss {
    /// Paragraphs in the report.
    pub paragraphs: usize,
    /// Paragraphs dropped, with why.
    pub dropped: Vec<Loss>,
    /// Citations in kept paragraphs replaced by a neutral reference.
    pub citations_replaced: usize,
    /// Whether a paragraph of the "subject" section is kept.
    pub keeps_subject: bool,
}

/// One cell of the partner by report matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The partner.
    pub partner: String,
    /// The report.
    pub report: String,
    /// The version a release would send (the latest approved), if any.
    pub version: Option<u32>,
    /// Whether the report goes to the partner.
    pub send: bool,
    /// Every reason for it or against it.
    pub why: Vec<Reason>,
    /// What the partner's variant would lose, when there is an approved version.
    pub loss: Option<VariantLoss>,
}

/// The release plan: every partner against every report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The partners, in the order given.
    pub partners: Vec<String>,
    /// The reports, in the order given.
    pub reports: Vec<String>,
    /// The cells, partner by partner, report by report within each.
    pub cells: Vec<Cell>,
}

impl Plan {
    /// The cells that send a report.
    pub fn sent(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(|c| c.send)
    }
}

/// Why routing sends `report` to `partner` (empty when it does not), with the release
/// officer's latest decision on the pair, if any. Suspension and approval are not routing:
/// [`plan`] weighs them.
pub fn route<'a>(
    partner: &Partner,
    report: &Report,
    routings: &'a [Routing],
) -> (Vec<Reason>, Option<&'a Routing>) {
    let mut why = Vec::new();
    if report.countries.contains(&partner.country) {
        why.push(Reason::Concerns {
            country: partner.country.clone(),
        });
    }
    for c in &partner.need_to_know.countries {
        if *c != partner.country && report.countries.contains(c) {
            why.push(Reason::NeedsCountry { country: c.clone() });
        }
    }
    if !partner.need_to_know.topics.is_empty() {
        let text = report_words(report);
        for t in &partner.need_to_know.topics {
            if text.contains(&t.to_lowercase()) {
                why.push(Reason::NeedsTopic { topic: t.clone() });
            }
        }
    }
    let by_hand = routings
        .iter()
        .rev()
        .find(|r| r.partner == partner.id && r.report == report.id);
    (why, by_hand)
}

/// The report's title, cover names, services, places and paragraphs, in lower case: what a
/// topic is looked for in.
fn report_words(report: &Report) -> String {
    let mut text = report.title.to_lowercase();
    for part in report
        .cover_names
        .iter()
        .chain(&report.services)
        .chain(&report.places)
        .chain(report.paragraphs.iter().map(|p| &p.text))
    {
        text.push('\n');
        text.push_str(&part.to_lowercase());
    }
    text
}

/// What `audience`'s variant of `report` keeps and loses under the releasability rule;
/// `consent` says whether the originator consented to release its ORCON portions to it.
pub fn variant_loss(report: &Report, audience: Audience<'_>, consent: bool) -> VariantLoss {
    let mut loss = VariantLoss {
        paragraphs: report.paragraphs.len(),
        ..VariantLoss::default()
    };
    for (i, p) in report.paragraphs.iter().enumerate() {
        let marking = p.effective_marking();
        match releasable(marking, audience, consent) {
            Ok(()) => {
                loss.keeps_subject |= p.section == "subject";
                loss.citations_replaced += p
                    .citations
                    .iter()
                    .filter(|c| {
                        c.marking
                            .as_ref()
                            .is_some_and(|m| releasable(m, audience, consent).is_err())
                    })
                    .count();
            }
            Err(withheld) => loss.dropped.push(Loss {
                paragraph: i + 1,
                section: p.section.clone(),
                marking: marking.to_string(),
                withheld,
            }),
        }
    }
    loss
}

/// The release plan for `partners` and `offers`, with the release officers' routing
/// decisions and the originators' consents. A report goes to a partner when the partner is
/// active, a version of it is approved, routing or a release officer sends it and no later
/// decision holds it back, and the partner's variant keeps a paragraph naming its subject.
pub fn plan(
    partners: &[Partner],
    offers: &[Offer<'_>],
    routings: &[Routing],
    consents: &[Consent],
) -> Plan {
    let consented: BTreeSet<(&str, &str)> = consents
        .iter()
        .map(|c| (c.report.as_str(), c.partner.as_str()))
        .collect();
    let mut cells = Vec::with_capacity(partners.len() * offers.len());
    for partner in partners {
        for offer in offers {
            let report = offer.approved.unwrap_or(offer.latest);
            let (mut why, by_hand) = route(partner, report, routings);
            let mut send = !why.is_empty();
            match by_hand {
                Some(r) if r.send => {
                    why.push(Reason::SentByHand {
                        by: r.by.clone(),
                        why: r.why.clone(),
                    });
                    send = true;
                }
                Some(r) => {
                    why.push(Reason::HeldByHand {
                        by: r.by.clone(),
                        why: r.why.clone(),
                    });
                    send = false;
                }
                None if !send => why.push(Reason::NotRouted {
                    countries: report.countries.clone(),
                }),
                None => {}
            }
            if partner.state == PartnerState::Suspended {
                why.push(Reason::Suspended);
                send = false;
            }
            let loss = offer.approved.map(|approved| {
                let consent = consented.contains(&(approved.id.as_str(), partner.id.as_str()));
                variant_loss(approved, Audience::Partner(partner), consent)
            });
            match &loss {
                None => {
                    why.push(Reason::NotApproved {
                        version: offer.latest.version,
                        status: offer.latest.status,
                    });
                    send = false;
                }
                Some(l) if l.dropped.len() == l.paragraphs => {
                    why.push(Reason::NothingReleasable);
                    send = false;
                }
                Some(l) if !l.keeps_subject => {
                    why.push(Reason::LosesSubject);
                    send = false;
                }
                Some(_) => {}
            }
            cells.push(Cell {
                partner: partner.id.clone(),
                report: offer.latest.id.clone(),
                version: offer.approved.map(|r| r.version),
                send,
                why,
                loss,
            });
        }
    }
    Plan {
        partners: partners.iter().map(|p| p.id.clone()).collect(),
        reports: offers.iter().map(|o| o.latest.id.clone()).collect(),
        cells,
    }
}

#[cfg(test)]
mod tests;
