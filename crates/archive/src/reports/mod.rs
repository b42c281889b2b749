//! Claims and counter-intelligence reports over an archive's evidence.
//!
//! A claim is derived from each relation the text states about a resolved person (or
//! written by an analyst), cited to the exact sentence, and graded on the Admiralty scale
//! by rules that say why: an original file of the service is a usually reliable source (B),
//! an archivist's note or transcript a fairly reliable one (C), a document nobody has
//! placed cannot be judged (F); information found in files of two units is confirmed (1),
//! in two documents of one file probably true (2), in one document possibly true (3), and
//! contradicted by another claim doubtful (4).
//!
//! A report on an agent is built from the claims, paragraph by paragraph, each with its
//! citations and its portion marking (the highest of its sources'); people then edit,
//! review and approve it, each step a new version. Building again after new evidence
//! keeps what people edited and says what changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use kartoteka_model::CollectionIndex;
use kartoteka_model::{
    Citation, Claim, DateRange, DocId, Grade, Marking, MarkingRule, MentionRecord, Paragraph,
    PartialDate, PersonStatus, Placement, Reference, Related, Report, ReportFate, ReportStatus,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Archive, ArchiveError};
use kartoteka_identity::Resolved;

mod build;
mod claims;
mod compose;
#[cfg(test)]
mod tests;

use claims::*;
pub use compose::collection_index;
use compose::*;

/// The reports service of an archive: claims derived and written, marking rules, and
/// the reports built from them with their versions, review, approval and fates.
pub struct Reports<'a> {
    archive: &'a Archive,
}

impl Archive {
    /// The reports service: claims, marking rules and reports.
    pub fn reports(&self) -> Reports<'_> {
        Reports { archive: self }
    }
}

/// Who derived claims and generated reports are by.
pub const MACHINE: &str = "kartoteka";

/// Claims with the conflicts among them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ClaimSet {
    /// Every claim, derived and written, by subject then topic.
    pub claims: Vec<Claim>,
    /// Pairs of claims that cannot both be true, with what they disagree on.
    pub conflicts: Vec<Conflict>,
    /// The name of each subject, by person id.
    pub names: BTreeMap<String, String>,
}

/// Two claims that contradict each other: both are kept and both are shown.
#[derive(Clone, Debug, Serialize)]
pub struct Conflict {
    /// The subject.
    pub subject: String,
    /// What they disagree on ("birth_date", "recruitment", ...).
    pub topic: String,
    /// One claim's id.
    pub a: String,
    /// The other's.
    pub b: String,
}

/// What `report build` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BuildReport {
    /// Reports written for the first time.
    pub created: Vec<String>,
    /// Reports given a new version, with what changed.
    pub updated: Vec<(String, Vec<String>)>,
    /// Reports the evidence leaves as they were.
    pub unchanged: Vec<String>,
    /// Reports replaced by others: their subject was merged into another person (the
    /// report on that person replaces it), or split (the versions before the split are
    /// replaced by the reports on both parts). Kept, and shown with where to look.
    pub superseded: Vec<ReportFate>,
    /// Reports whose subject, cover-name period or case file the evidence no longer has.
    pub withdrawn: Vec<ReportFate>,
    /// The collection's counts.
    pub index: CollectionIndex,
    /// Seconds taken.
    pub seconds: f64,
}

/// A span a user cites: "DOC[/PAGE]:START-END", DOC a document number or a reference code.
pub(super) fn parse_span(text: &str) -> Result<(String, u32, u32, u32), String> {
    let bad = || {
        format!("{text:?}: a span is DOC[/PAGE]:START-END, DOC a document number or a reference code (characters, from 0)")
    };
    let (doc, range) = text.rsplit_once(':').ok_or_else(bad)?;
    let (start, end) = range.split_once('-').ok_or_else(bad)?;
    let (start, end): (u32, u32) = (
        start.trim().parse().map_err(|_| bad())?,
        end.trim().parse().map_err(|_| bad())?,
    );
    if end <= start {
        return Err(format!("{text:?}: the span ends before it starts"));
    }
    let (doc, page) = match doc.rsplit_once('/') {
        Some((d, p)) if p.trim().parse::<u32>().is_ok() => {
            (d.trim().to_string(), p.trim().parse().unwrap_or(1))
        }
        _ => (doc.trim().to_string(), 1),
    };
    if page == 0 {
        return Err(format!("{text:?}: pages count from 1"));
    }
    Ok((doc, page, start, end))
}

/// The characters start..end of a text, when it has them.
pub(super) fn chars_of(text: &str, start: u32, end: u32) -> Option<String> {
    let n = text.chars().count() as u32;
    (start < end && end <= n).then(|| {
        text.chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect()
    })
}

pub use crate::page_marking::page_marking;
use crate::page_marking::read_page_marking;

/// The pages claims cite, read once, and the marking rules of the units they are in.
pub(super) struct Pages<'a> {
    archive: &'a Archive,
    text: HashMap<(DocId, u32), Option<String>>,
    rules: Vec<(Reference, Marking)>,
}

impl<'a> Pages<'a> {
    pub(super) fn new(archive: &'a Archive) -> Result<Self, ArchiveError> {
        let rules = archive
            .store()
            .marking_rules()?
            .into_iter()
            .filter_map(|r| Some((Reference::parse(&r.unit).ok()?, r.marking)))
            .collect();
        Ok(Pages {
            archive,
            text: HashMap::new(),
            rules,
        })
    }

    /// A page's marking: the highest of what the page itself says and what the rules of
    /// the units holding it give.
    pub(super) fn marking(
        &mut self,
        doc: DocId,
        page: u32,
        at: Option<&Reference>,
    ) -> Result<(Marking, Vec<String>), ArchiveError> {
        let (mut m, notes) = self
            .get(doc, page)?
            .map(read_page_marking)
            .unwrap_or_else(|| (Marking::unclassified(), Vec::new()));
        let place = at
            .map(|r| r.to_string())
            .unwrap_or_else(|| format!("document {}", doc.0));
        let notes = notes
            .into_iter()
            .map(|n| format!("{place}, p. {page}: {n}"))
            .collect();
        if let Some(at) = at {
            for (unit, rule) in &self.rules {
                if unit.contains(at) {
                    m = m.max(rule);
                }
            }
        }
        Ok((m, notes))
    }

    pub(super) fn get(&mut self, doc: DocId, page: u32) -> Result<Option<&str>, ArchiveError> {
        if !self.text.contains_key(&(doc, page)) {
            let t = self.archive.store().page(doc, page)?.map(|p| p.text);
            self.text.insert((doc, page), t);
        }
        Ok(self.text[&(doc, page)].as_deref())
    }
}
