//! The publish service: the public edition of an archive, built from its approved reports
//! and its persons by kartoteka-publish, checked for leaks, written, and recorded (with
//! the pseudonyms it gave) so that the next edition keeps its addresses and pseudonyms;
//! and the editors' decisions on who is named.

use std::path::Path;

use kartoteka_model::{
    releasable, Audience, Disclosure, EditionRecord, EditorDecision, Report, ReportStatus,
};
use kartoteka_publish::edition::{build, build_into, Changes, Edition, Input, Summary};
use kartoteka_publish::leak::{LeakCheck, LeakReport};
use kartoteka_publish::rules::Rules;
use kartoteka_publish::write::{Building, WriteError};

use crate::{Archive, ArchiveError};

/// The publish service of an archive.
pub struct Publish<'a> {
    archive: &'a Archive,
}

impl Archive {
    /// The publish service: the public edition and the editors' decisions.
    pub fn publish(&self) -> Publish<'_> {
        Publish { archive: self }
    }
}

/// An edition written: its number, what changed, what the build did and what the leak
/// check read.
#[derive(Debug, serde::Serialize)]
pub struct Published {
    /// Its number.
    pub edition: u32,
    /// Its date.
    pub date: String,
    /// What changed since the previous one.
    pub changes: Changes,
    /// What the build did.
    pub summary: Summary,
    /// Files written.
    pub files: u64,
    /// What the leak check read (and found nothing in).
    pub check: LeakReport,
}

impl Publish<'_> {
    /// Records an editor's decision that the edition names (`Disclosure::Name`) or
    /// protects a person, with the reason; audited. `who` is a person id or a name that
    /// picks out one person.
    pub fn decide(
        &self,
        who: &str,
        disclosure: Disclosure,
        why: &str,
    ) -> Result<EditorDecision, ArchiveError> {
        if why.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                why.to_string(),
                "an editor's decision needs a reason (--why): it is kept in the audit chain".into(),
            ));
        }
        let resolved = self.archive.resolved()?;
        let id = resolved.find(who).map_err(ArchiveError::from)?;
        let decision = EditorDecision {
            person: id.clone(),
            name: resolved.best_name(&id),
            disclosure,
            why: why.trim().to_string(),
            by: String::new(),
            at: String::new(),
        };
        Ok(self.archive.store().add_editor_decision(&decision)?)
    }

    /// Every editor's decision, oldest first.
    pub fn decisions(&self) -> Result<Vec<EditorDecision>, ArchiveError> {
        Ok(self.archive.store().editor_decisions()?)
    }

    /// Every edition recorded, oldest first.
    pub fn editions(&self) -> Result<Vec<EditionRecord>, ArchiveError> {
        Ok(self.archive.store().editions()?)
    }

    /// The latest approved version of every current report.
    fn approved_reports(&self) -> Result<Vec<Report>, ArchiveError> {
        let current = self.archive.reports().current_reports()?;
        let store = self.archive.store();
        let mut out = Vec::new();
        for r in current {
            if r.status == ReportStatus::Approved {
                out.push(r);
                continue;
            }
            if let Some(v) = store
                .report_versions(&r.id)?
                .into_iter()
                .rev()
                .find(|v| v.status == ReportStatus::Approved)
            {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// What the next edition is built from: `rules_text` (the text of a `publish.toml`;
    /// empty for the defaults), dated `date` (YYYY-MM-DD).
    fn input(&self, rules_text: &str, date: &str) -> Result<Input, ArchiveError> {
        let rules = Rules::parse(rules_text)?;
        let reports = self.approved_reports()?;
        let persons = match self.archive.resolved() {
            Ok(r) => r.person_facts(),
            Err(ArchiveError::NotResolved) => Vec::new(),
            Err(e) => return Err(e),
        };
        let store = self.archive.store();
        let summary = store.summary()?;
        let collection = [
            ("documents".to_string(), summary.documents),
            ("pages".to_string(), summary.pages),
            ("units".to_string(), summary.units),
        ]
        .into();
        let withheld_units = store
            .marking_rules()?
            .into_iter()
            .filter(|r| releasable(&r.marking, Audience::Public, false).is_err())
            .map(|r| r.unit)
            .collect();
        let input = Input {
            date: date.to_string(),
            reports,
            persons,
            decisions: store.editor_decisions()?,
            previous: store.editions()?.pop(),
            collection,
            withheld_units,
            rules,
            rules_text: rules_text.to_string(),
        };
        Ok(input)
    }

    /// Builds the next edition in memory from `rules_text` (the text of a
    /// `publish.toml`; empty for the defaults), dated `date` (YYYY-MM-DD): for a preview
    /// or its withheld strings; [`Publish::publish`] writes one of any size file by file.
    pub fn build(&self, rules_text: &str, date: &str) -> Result<Edition, ArchiveError> {
        let input = self.input(rules_text, date)?;
        build(input).map_err(ArchiveError::from)
    }

    /// Builds the next edition, writes it beside `out`, runs the leak check on what was
    /// written, and only when it finds nothing records the edition (audited) and puts it in
    /// `out`'s place. A leak, or any failure, leaves `out` and the record as they were.
    pub fn publish(&self, rules_text: &str, out: &Path) -> Result<Published, ArchiveError> {
        let date = kartoteka_model::now_rfc3339()
            .get(..10)
            .unwrap_or("1970-01-01")
            .to_string();
        let input = self.input(rules_text, &date)?;
        // Each file goes to the folder beside `out` as it is laid out; the check then
        // reads them back from the disk.
        let mut building = Building::begin(out)?;
        let built = build_into(input, &mut building)?;
        let check = LeakCheck::new(built.needles).map_err(WriteError::from)?;
        let record = &built.record;
        let written = building.finish(record.number, &check, |_| {
            self.archive.store().add_edition(record).map(|_| ())
        })?;
        let report = written.map_err(ArchiveError::from)?;
        Ok(Published {
            edition: record.number,
            date,
            changes: built.changes,
            summary: built.summary,
            files: built.files + 1,
            check: report,
        })
    }
}
