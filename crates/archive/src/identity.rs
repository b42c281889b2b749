//! The identity service: resolves person mentions into persons (the rules are
//! kartoteka-identity's, over a snapshot this service loads), records people's judgements,
//! and answers for persons, dossiers, cover names and the FollowTheMoney export.

use kartoteka_model::MentionKind;
use std::collections::HashMap;
use std::time::Instant;

use kartoteka_identity::{Evidence, IdentityError, Resolved};
use kartoteka_model::{Judgement, PersonRecord, Verdict};

pub use kartoteka_identity::{PersonIdChange, ResolveReport};
pub use kartoteka_model::{
    CandidateLink, CoverHolder, CoverNameHeld, CoverNameView, Dossier, DossierRelation, OwnFile,
    Person, PersonMention, Redirect, TimelineEntry,
};

use crate::{Archive, ArchiveError};

impl From<IdentityError> for ArchiveError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::NotResolved => ArchiveError::NotResolved,
            IdentityError::NotFound(what) => ArchiveError::NotFound(what),
            e @ IdentityError::Withdrawn { .. } => ArchiveError::NotFound(e.to_string()),
            IdentityError::Ambiguous {
                who,
                count,
                candidates,
            } => ArchiveError::BadTarget(
                who,
                format!("{count} persons fit; give an id: {}", candidates.join(", ")),
            ),
            e @ IdentityError::NotAPerson { mention, .. } => {
                ArchiveError::BadTarget(mention.to_string(), e.to_string())
            }
        }
    }
}

impl Archive {
    /// The persons as last resolved, with the evidence they rest on.
    pub(crate) fn resolved(&self) -> Result<Resolved, ArchiveError> {
        let store = self.store();
        let identities = store.identities()?;
        if identities.is_empty() {
            return Err(IdentityError::NotResolved.into());
        }
        let mentions = store.mentions(&[], None)?;
        let mut documents = HashMap::new();
        for m in &mentions {
            if let std::collections::hash_map::Entry::Vacant(e) = documents.entry(m.doc) {
                if let Some(d) = store.document(m.doc)? {
                    e.insert(d);
                }
            }
        }
        Ok(Resolved::new(
            identities,
            mentions,
            store.relations(&[])?,
            store.person_records()?,
            documents,
        )?)
    }

    /// The identity service: resolution, judgements, persons, dossiers and cover names.
    pub fn identities(&self) -> Identities<'_> {
        Identities { archive: self }
    }
}

/// The identity service of an archive: resolves person mentions into persons (the rules
/// are kartoteka-identity's), records people's judgements, and answers for persons,
/// dossiers, cover names and the FollowTheMoney export.
pub struct Identities<'a> {
    archive: &'a Archive,
}

impl Identities<'_> {
    /// Resolves every person mention into persons, under people's judgements, and keeps
    /// the result (audited as "resolve").
    pub fn resolve(&self) -> Result<ResolveReport, ArchiveError> {
        let started = Instant::now();
        let evidence = {
            let store = self.archive.store();
            Evidence {
                persons: store.mentions(&[], Some(MentionKind::Person))?,
                places: store.mentions(&[], Some(MentionKind::Place))?,
                dates: store.mentions(&[], Some(MentionKind::Date))?,
                roles: store.mentions(&[], Some(MentionKind::Role))?,
                relations: store.relations(&[])?,
                judgements: store.judgements()?,
                previous: store.identities()?,
                registry: store.person_records()?,
            }
        };
        let resolution =
            kartoteka_identity::resolve(&evidence, self.archive.jobs(), &crate::archive::now());
        self.archive.store().replace_identities(
            &resolution.rows,
            &resolution.records,
            &resolution.detail.to_string(),
        )?;
        let mut report = resolution.report;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Every person, or those whose names fit the query (a name compared as a name, or a
    /// piece of one).
    pub fn persons(&self, query: Option<&str>) -> Result<Vec<Person>, ArchiveError> {
        Ok(self.archive.resolved()?.persons(query))
    }

    /// Everything on one person, by id or by a name that picks out one person.
    pub fn dossier(&self, who: &str) -> Result<Dossier, ArchiveError> {
        let resolved = self.archive.resolved()?;
        let judgements = self.archive.store().judgements()?;
        Ok(resolved.dossier(who, &judgements, &self.titled_units()?)?)
    }

    /// The persons who may be the one `who` names, closest first (at most `limit`), with
    /// the judgements already made between them: the candidate links of a dossier.
    pub fn candidates(&self, who: &str, limit: usize) -> Result<Vec<CandidateLink>, ArchiveError> {
        let resolved = self.archive.resolved()?;
        let id = resolved.find(who)?;
        let judgements = self.archive.store().judgements()?;
        Ok(resolved.candidates(&id, &judgements, limit))
    }

    /// Where a retired person id points (None for a current id, a name, or an id never
    /// issued): for front ends to say that an id was merged into another person.
    pub fn redirect(&self, id: &str) -> Result<Option<Redirect>, ArchiveError> {
        Ok(self.archive.resolved()?.redirect(id))
    }

    /// Every person id ever issued, with what became of it, in the order of issue.
    pub fn person_registry(&self) -> Result<Vec<PersonRecord>, ArchiveError> {
        Ok(self.archive.store().person_records()?)
    }

    /// Every unit with a title, with its open gaps: the candidates for a person's own
    /// files.
    fn titled_units(&self) -> Result<Vec<OwnFile>, ArchiveError> {
        let units = self.archive.store().units(None)?;
        let mut findings: HashMap<String, Vec<String>> = HashMap::new();
        for f in self.archive.store().current_findings()? {
            if f.status != kartoteka_model::FindingStatus::Explained {
                findings
                    .entry(f.reference.clone())
                    .or_default()
                    .push(format!("{}: {}", f.kind.as_str(), f.evidence));
            }
        }
        Ok(units
            .into_iter()
            .filter_map(|u| {
                let title = u.title?;
                let reference = u.reference.to_string();
                Some(OwnFile {
                    findings: findings.get(&reference).cloned().unwrap_or_default(),
                    reference,
                    title,
                })
            })
            .collect())
    }

    /// Every cover name with who held it and when.
    pub fn cover_names(&self) -> Result<Vec<CoverNameView>, ArchiveError> {
        Ok(self.archive.resolved()?.cover_names())
    }

    /// Records a person's judgement on two mentions or persons ("P..." ids or mention
    /// numbers) and resolves again.
    pub fn judge(
        &self,
        a: &str,
        b: &str,
        verdict: Verdict,
        why: &str,
    ) -> Result<(Judgement, ResolveReport), ArchiveError> {
        if why.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                why.to_string(),
                "a judgement needs a reason".to_string(),
            ));
        }
        let resolved = self.archive.resolved()?;
        let (x, y) = (resolved.anchor(a)?, resolved.anchor(b)?);
        if x == y {
            return Err(ArchiveError::BadTarget(
                b.to_string(),
                "both sides are the same mention".to_string(),
            ));
        }
        let saved = self.archive.store().save_judgement(&Judgement {
            id: 0,
            a: x,
            b: y,
            verdict,
            why: why.to_string(),
            by: String::new(),
            at: String::new(),
            undone: None,
        })?;
        let report = self.resolve()?;
        Ok((saved, report))
    }

    /// Undoes a judgement (it stays on record, marked undone) and resolves again.
    pub fn undo_judgement(&self, id: i64) -> Result<(Judgement, ResolveReport), ArchiveError> {
        let undone = self
            .archive
            .store()
            .undo_judgement(id)
            .map_err(|e| match e {
                kartoteka_store::StoreError::NotFound(w) => ArchiveError::NotFound(w),
                other => ArchiveError::Store(other),
            })?;
        let report = self.resolve()?;
        Ok((undone, report))
    }

    /// Persons and their links as FollowTheMoney entities, one JSON object per line.
    pub fn export_ftm(&self) -> Result<Vec<serde_json::Value>, ArchiveError> {
        Ok(self.archive.resolved()?.ftm())
    }
}
