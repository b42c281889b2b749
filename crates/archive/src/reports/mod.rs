//! The reports service: claims derived (by kartoteka-claims' rules) and written by
//! analysts, marking rules, and the reports built from the claims, with their versions,
//! edits, review, approval and fates, kept in the store.
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use kartoteka_model::CollectionIndex;
use kartoteka_model::{
    Citation, Claim, DocId, Grade, Marking, MarkingRule, PersonStatus, Reference, Related, Report,
    ReportFate, ReportStatus,
};
use serde::Serialize;

use crate::{Archive, ArchiveError};
use kartoteka_identity::Resolved;

mod build;
mod claims;

use kartoteka_claims::{
    by_case_file, case_id, chars_of, compose, conflicts, current, derive, differences, file_of,
    id_part, parse_span, regenerate, within, Evidence, PageText, Pages,
};
pub use kartoteka_claims::{collection_index, page_marking, ClaimSet, Conflict};

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

/// The store's pages, for the claims' rules to read.
pub(super) struct StorePages<'a>(pub(super) &'a Archive);

impl PageText for StorePages<'_> {
    type Error = ArchiveError;

    fn page_text(&mut self, doc: DocId, page: u32) -> Result<Option<String>, ArchiveError> {
        Ok(self.0.store().page(doc, page)?.map(|p| p.text))
    }
}

impl Reports<'_> {
    /// The pages claims cite, read from the store, under the archive's marking rules.
    pub(super) fn pages(&self) -> Result<Pages<StorePages<'_>>, ArchiveError> {
        let rules = self.archive.store().marking_rules()?;
        Ok(Pages::new(StorePages(self.archive), &rules))
    }
}
