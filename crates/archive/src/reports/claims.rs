//! Claims: derived from the relations the text states about resolved persons, or
//! written by analysts, each cited and graded; and the marking rules.

use super::*;

impl Reports<'_> {
    /// Every claim about a subject (or all), derived from the text and written by
    /// analysts, with the conflicts among them.
    pub fn claims(&self, subject: Option<&str>) -> Result<ClaimSet, ArchiveError> {
        let world = self.archive.resolved()?;
        let subject = subject.map(|s| world.find(s)).transpose()?;
        let mut pages = self.pages()?;
        let subjects: Vec<String> = match &subject {
            Some(s) => vec![s.clone()],
            None => world.ids().cloned().collect(),
        };
        let ix = Evidence::new(&world);
        let mut set = ClaimSet::default();
        for s in &subjects {
            let (claims, _) = derive(&world, &ix, &mut pages, s)?;
            set.claims.extend(claims);
        }
        let written = self.archive.store().claims(subject.as_deref())?;
        set.claims.extend(written);
        set.conflicts = conflicts(&mut set.claims);
        for c in &set.claims {
            if !set.names.contains_key(&c.subject) && world.is_person(&c.subject) {
                set.names
                    .insert(c.subject.clone(), world.best_name(&c.subject));
            }
        }
        Ok(set)
    }

    /// Keeps an analyst's claim about a person, citing spans ("DOC[/PAGE]:START-END"),
    /// graded "B2" with the reason for the grade.
    pub fn add_claim(
        &self,
        subject: &str,
        text: &str,
        cites: &[String],
        grade: &str,
        why: &str,
    ) -> Result<Claim, ArchiveError> {
        let grade = Grade::parse(grade)
            .map_err(|e| ArchiveError::BadTarget(grade.to_string(), e.to_string()))?;
        if text.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "a claim needs its text".to_string(),
            ));
        }
        if why.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "a grade needs a reason".to_string(),
            ));
        }
        if cites.is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "a claim needs at least one cited span".to_string(),
            ));
        }
        let world = self.archive.resolved()?;
        let subject = world.find(subject)?;
        let mut citations = Vec::new();
        for c in cites {
            let (doc, page, start, end) =
                parse_span(c).map_err(|e| ArchiveError::BadTarget(c.clone(), e))?;
            let document = self.document_for(&doc)?;
            let page_text = self
                .archive
                .store()
                .page(document.0, page)?
                .ok_or_else(|| {
                    ArchiveError::NotFound(format!("page {page} of document {}", document.0 .0))
                })?
                .text;
            let quote = chars_of(&page_text, start, end).ok_or_else(|| {
                ArchiveError::BadTarget(
                    c.clone(),
                    format!(
                        "page {page} of document {} has {} characters: the span {start}-{end} is not in it",
                        document.0 .0,
                        page_text.chars().count()
                    ),
                )
            })?;
            citations.push(Citation {
                doc: document.0,
                reference: document.1,
                page,
                start,
                end,
                quote,
                marking: None,
                withheld: false,
            });
        }
        let claim = Claim {
            id: String::new(),
            subject,
            topic: "analyst".to_string(),
            text: text.trim().to_string(),
            object: None,
            date: None,
            citations,
            grade,
            why: why.trim().to_string(),
            by: String::new(),
            at: String::new(),
        };
        Ok(self.archive.store().save_claim(&claim)?)
    }

    /// Keeps an analyst's claim citing a passage as a reader selected it: the quote as
    /// read on the page, found in the page's text (the place nearest `near`, a character
    /// offset, when it occurs more than once), then kept as [`Reports::add_claim`] keeps
    /// one.
    #[allow(clippy::too_many_arguments)]
    pub fn add_claim_from_quote(
        &self,
        subject: &str,
        text: &str,
        doc: kartoteka_model::DocId,
        page: u32,
        quote: &str,
        near: Option<usize>,
        grade: &str,
        why: &str,
    ) -> Result<Claim, ArchiveError> {
        if quote.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "a claim cites a passage: select it on the page".to_string(),
            ));
        }
        let page_text = self
            .archive
            .store()
            .page(doc, page)?
            .ok_or_else(|| ArchiveError::NotFound(format!("page {page} of document {}", doc.0)))?
            .text;
        let span =
            kartoteka_text::quote::locate(&page_text, quote, "", "", near).ok_or_else(|| {
                ArchiveError::BadTarget(
                    kartoteka_model::excerpt(quote),
                    format!("not on page {page} of document {}", doc.0),
                )
            })?;
        let cite = format!("{}/{page}:{}-{}", doc.0, span.start, span.end);
        self.add_claim(subject, text, &[cite], grade, why)
    }

    /// Sets the marking rule of a unit (a fonds, inventory or file by its reference code):
    /// whatever cites a sheet in it is marked at least so high from the next build on.
    pub fn set_marking_rule(
        &self,
        unit: &str,
        marking: &str,
        why: &str,
    ) -> Result<MarkingRule, ArchiveError> {
        let unit = Reference::parse(unit).map_err(|e| ArchiveError::not_a_target(unit, &e))?;
        let marking = Marking::parse(marking)
            .map_err(|e| ArchiveError::BadTarget(marking.to_string(), e.to_string()))?;
        if why.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "a marking rule needs its authority (the reason)".to_string(),
            ));
        }
        Ok(self.archive.store().set_marking_rule(&MarkingRule {
            unit: unit.to_string(),
            marking,
            why: why.trim().to_string(),
            by: String::new(),
            at: String::new(),
        })?)
    }

    /// Drops a unit's marking rule.
    pub fn remove_marking_rule(&self, unit: &str, why: &str) -> Result<(), ArchiveError> {
        let parsed = Reference::parse(unit).map_err(|e| ArchiveError::not_a_target(unit, &e))?;
        if self
            .archive
            .store()
            .remove_marking_rule(&parsed.to_string(), why)?
        {
            Ok(())
        } else {
            Err(ArchiveError::NotFound(format!(
                "a marking rule for {parsed}"
            )))
        }
    }

    /// Every marking rule, by unit.
    pub fn marking_rules(&self) -> Result<Vec<MarkingRule>, ArchiveError> {
        Ok(self.archive.store().marking_rules()?)
    }

    /// A document by number or by the reference code of exactly one document.
    pub(super) fn document_for(
        &self,
        target: &str,
    ) -> Result<(DocId, Option<String>), ArchiveError> {
        let store = self.archive.store();
        if let Ok(n) = target.parse::<i64>() {
            let d = store
                .document(DocId(n))?
                .ok_or_else(|| ArchiveError::NotFound(format!("document {n}")))?;
            return Ok((d.id, d.reference.map(|r| r.to_string())));
        }
        let reference =
            Reference::parse(target).map_err(|e| ArchiveError::not_a_target(target, &e))?;
        let docs: Vec<_> = store
            .documents_within(&reference)?
            .into_iter()
            .filter(|d| d.reference.as_ref() == Some(&reference))
            .collect();
        match &docs[..] {
            [one] => Ok((one.id, one.reference.as_ref().map(|r| r.to_string()))),
            [] => Err(ArchiveError::NotFound(format!("a document at {reference}"))),
            _ => Err(ArchiveError::BadTarget(
                target.to_string(),
                format!(
                    "{} documents are at {reference}: give a document number",
                    docs.len()
                ),
            )),
        }
    }
}
