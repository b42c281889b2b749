//! Claims and reports as rules over the resolved evidence, with no I/O.
//!
//! A claim is derived from each relation the text states about a resolved person (or
//! written by an analyst), cited to the exact sentence, and graded on the Admiralty scale
//! by rules that say why: an original file of the service is a usually reliable source (B),
//! an archivist's note or transcript a fairly reliable one (C), a document nobody has
//! placed cannot be judged (F); information found in files of two units is confirmed (1),
//! in two documents of one file probably true (2), in one document possibly true (3), and
//! contradicted by another claim doubtful (4).
//!
//! A report on an agent is composed from the claims, paragraph by paragraph, each with
//! its citations and its portion marking (the highest of its sources': what each cited
//! page states in its own words, raised by the marking rules of the units that hold it).
//! A rebuilt report is set against the old one so that what people edited is kept and
//! what changed is said.
//!
//! The pages are read through [`PageText`], which the archive implements over its store:
//! the rules themselves read and write nothing.

#![warn(missing_docs)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kartoteka_identity::Resolved;
use kartoteka_model::{
    Citation, Claim, DateRange, DocId, Grade, Marking, MarkingRule, MentionKind, MentionRecord,
    Paragraph, PartialDate, Placement, Reference, Related, RelationKind, Report, ReportStatus,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

mod compose;
mod derive;
mod marking;
#[cfg(test)]
mod tests;

pub use compose::compose;
pub use compose::{
    by_case_file, case_id, collection_index, conflicts, counted, current, differences, file_of,
    id_part, paragraph_key, regenerate, within,
};
use derive::derived_id;
pub use derive::{derive, Evidence, SINGLE_VALUED};
pub use marking::page_marking;
use marking::read_page_marking;

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

/// A span a user cites: "DOC[/PAGE]:START-END", DOC a document number or a reference code.
pub fn parse_span(text: &str) -> Result<(String, u32, u32, u32), String> {
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
pub fn chars_of(text: &str, start: u32, end: u32) -> Option<String> {
    let n = text.chars().count() as u32;
    (start < end && end <= n).then(|| {
        text.chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect()
    })
}

/// Where the rules read the pages they cite: the archive's store, or anything else that
/// holds page texts.
pub trait PageText {
    /// Why a page could not be read.
    type Error;

    /// The text of a page of a document (pages count from 1), or None when it has none.
    fn page_text(&mut self, doc: DocId, page: u32) -> Result<Option<String>, Self::Error>;
}

/// The pages claims cite, read once, and the marking rules of the units they are in.
pub struct Pages<R: PageText> {
    reader: R,
    text: HashMap<(DocId, u32), Option<String>>,
    rules: Vec<(Reference, Marking)>,
}

impl<R: PageText> Pages<R> {
    /// Pages read through `reader`, marked under `rules` (a rule whose unit does not parse
    /// marks nothing).
    pub fn new(reader: R, rules: &[MarkingRule]) -> Self {
        Pages {
            reader,
            text: HashMap::new(),
            rules: rules
                .iter()
                .filter_map(|r| Some((Reference::parse(&r.unit).ok()?, r.marking.clone())))
                .collect(),
        }
    }

    /// A page's marking: the highest of what the page itself says and what the rules of
    /// the units holding it give, with notes on how the page's own words were read.
    pub fn marking(
        &mut self,
        doc: DocId,
        page: u32,
        at: Option<&Reference>,
    ) -> Result<(Marking, Vec<String>), R::Error> {
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

    /// A page's text, read once.
    pub fn get(&mut self, doc: DocId, page: u32) -> Result<Option<&str>, R::Error> {
        if !self.text.contains_key(&(doc, page)) {
            let t = self.reader.page_text(doc, page)?;
            self.text.insert((doc, page), t);
        }
        Ok(self.text[&(doc, page)].as_deref())
    }
}
