//! Reads of classified holdings: a document kept in a unit that a marking rule marks
//! above UNCLASSIFIED is recorded in the audit chain each time someone reads it (its text,
//! its original, through the API), with who read it and how. The chain then answers "who
//! saw this file", as a registry of secret holdings must.

use kartoteka_model::{Classification, DocId, Marking, Reference};

use crate::{Archive, ArchiveError};

impl Archive {
    /// The marking a document is held under: the highest of the marking rules on the units
    /// that hold it, UNCLASSIFIED when none does (or it has no place).
    pub fn document_marking(&self, doc: DocId) -> Result<Marking, ArchiveError> {
        let store = self.store();
        let document = store
            .document(doc)?
            .ok_or_else(|| ArchiveError::NotFound(format!("document {}", doc.0)))?;
        let Some(place) = document.reference else {
            return Ok(Marking::unclassified());
        };
        let mut marking = Marking::unclassified();
        for rule in store.marking_rules()? {
            let Ok(unit) = Reference::parse(&rule.unit) else {
                continue;
            };
            if unit.contains(&place) {
                marking = marking.max(&rule.marking);
            }
        }
        Ok(marking)
    }

    /// Records that the archive's actor read a document `how` ("reader", "original",
    /// "api"), when it is held under a marking above UNCLASSIFIED; a read of anything else
    /// leaves no entry. Answers with the document's marking.
    pub fn record_read(&self, doc: DocId, how: &str) -> Result<Marking, ArchiveError> {
        let marking = self.document_marking(doc)?;
        if marking.classification > Classification::Unclassified {
            let unit = self
                .store()
                .document(doc)?
                .and_then(|d| d.reference)
                .map(|r| r.to_string());
            self.store().append_audit(&[kartoteka_store::acts::read(
                doc,
                unit,
                &marking.to_string(),
                how,
            )])?;
        }
        Ok(marking)
    }
}
