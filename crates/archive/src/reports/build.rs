//! Building reports from claims, and their life afterwards: versions kept, edits,
//! review and approval, what became of a report whose subject changed, differences.

use super::*;
use kartoteka_model::{Fate, RelationKind};

/// Roles that make a person the subject of a report of their own.
pub(super) const AGENT_ROLES: &[&str] = &["agent", "source", "illegal", "confidential_contact"];

impl Reports<'_> {
    /// Builds (or rebuilds) the report on one person, or on every agent when `who` is
    /// None: persons who held a cover name or whom the text calls an agent, a source or an
    /// illegal. Edited paragraphs are kept; what the new evidence changed is listed.
    pub fn build_reports(&self, who: Option<&str>) -> Result<BuildReport, ArchiveError> {
        let started = std::time::Instant::now();
        let world = self.archive.resolved()?;
        let ix = Evidence::new(&world);
        let owners = &ix.owners;
        let covers = world.covers();
        let holdings = world.holdings(&covers);
        // A case is a file of the archive ("ф. 9002, оп. 1, д. 1"): the reports on it are
        // those of the agents its documents name, each on what that file says.
        let case = match who.map(Reference::parse) {
            Some(Ok(r)) if r.file.is_none() => {
                return Err(ArchiveError::NotFound(format!(
                    "case file {r}: a case is one file (д.), as in ф. 9002, оп. 1, д. 1; or build the whole collection"
                )))
            }
            Some(Ok(mut r)) => {
                r.sheets = None;
                Some(r)
            }
            _ => None,
        };
        let agents = || {
            let mut s: BTreeSet<String> = holdings.iter().map(|h| h.person.clone()).collect();
            for r in world
                .relations()
                .iter()
                .filter(|r| r.kind == RelationKind::HasRole)
            {
                let role = world
                    .mention(r.to)
                    .map(|m| m.code.clone().unwrap_or_else(|| m.lemma.clone()));
                if role.as_deref().is_some_and(|x| AGENT_ROLES.contains(&x)) {
                    if let Some(p) = world.person_of(r.from).or_else(|| owners.get(&r.from)) {
                        s.insert(p.clone());
                    }
                }
            }
            s
        };
        let subjects: Vec<String> = match (who, &case) {
            (Some(_), Some(file)) => {
                let agents = agents();
                let named: BTreeSet<String> = world
                    .mentions()
                    .filter(|m| file_of(&world, m.doc).is_some_and(|f| f == *file))
                    .filter_map(|m| world.person_of(m.id).or_else(|| owners.get(&m.id)))
                    .filter(|p| agents.contains(*p))
                    .cloned()
                    .collect();
                if named.is_empty() {
                    return Err(ArchiveError::NotFound(format!(
                        "case file {file} naming an agent"
                    )));
                }
                named.into_iter().collect()
            }
            (Some(w), None) => vec![world.find(w).map_err(|e| match e {
                kartoteka_identity::IdentityError::NotFound(_) => ArchiveError::NotFound(format!(
                    "person {w} (merged into another, or never resolved)"
                )),
                other => other.into(),
            })?],
            (None, _) => agents().into_iter().collect(),
        };
        let written = self.archive.store().claims(None)?;
        let existing: HashMap<String, Report> = self
            .archive
            .store()
            .reports()?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let mut pages = self.pages()?;
        let mut out = BuildReport::default();
        for subject in &subjects {
            let (mut claims, related) = derive(&world, &ix, &mut pages, subject)?;
            claims.extend(written.iter().filter(|c| &c.subject == subject).cloned());
            let conflicts = conflicts(&mut claims);
            let whole = compose(
                &world,
                &holdings,
                &covers,
                subject,
                &claims,
                &conflicts,
                related.clone(),
                &mut pages,
                &ix.places_on,
            )?;
            let mut generated = Vec::new();
            // An agent who held several cover names also gets a report on each period, as
            // the real collection has: the claims of that period, and who they name.
            let mine: Vec<&kartoteka_identity::Holding> =
                holdings.iter().filter(|h| &h.person == subject).collect();
            let mut period_ids: Vec<String> = Vec::new();
            if mine.len() >= 2 && case.is_none() {
                for (n, h) in mine.iter().enumerate() {
                    let cover = covers
                        .get(&h.cover)
                        .map_or(h.cover.as_str(), |c| c.name.as_str());
                    let in_period: Vec<Claim> = claims
                        .iter()
                        .filter(|c| {
                            c.topic.starts_with("birth")
                                || (c.topic == "cover_name" && c.object.as_deref() == Some(cover))
                                || c.date.as_deref().is_some_and(|d| within(d, h.from, h.to))
                        })
                        .cloned()
                        .collect();
                    let named: Vec<Related> = related
                        .iter()
                        .filter(|r| in_period.iter().any(|c| c.text.contains(&r.name)))
                        .cloned()
                        .collect();
                    let ids: BTreeSet<&String> = in_period.iter().map(|c| &c.id).collect();
                    let period_conflicts: Vec<Conflict> = conflicts
                        .iter()
                        .filter(|k| ids.contains(&k.a) && ids.contains(&k.b))
                        .cloned()
                        .collect();
                    let one = [(*h).clone()];
                    let mut r = compose(
                        &world,
                        &one,
                        &covers,
                        subject,
                        &in_period,
                        &period_conflicts,
                        named,
                        &mut pages,
                        &ix.places_on,
                    )?;
                    // Named by the cover name, not by its place in a list, so the id holds
                    // when another period is found; two cover names that read alike in
                    // Latin letters are told apart by their order.
                    let mut id = format!("{}-{}", r.id, id_part(cover));
                    if period_ids.contains(&id) {
                        id = format!("{id}-{}", n + 1);
                    }
                    period_ids.push(id.clone());
                    r.id = id;
                    r.title = format!(
                        "Agent «{cover}», {}–{}: {}",
                        h.from.map_or("?".to_string(), |d| d.to_string()),
                        h.to.map_or("?".to_string(), |d| d.to_string()),
                        r.subject_name
                    );
                    generated.push(r);
                }
            }
            // An agent whose claims rest on two or more case files also gets a report on
            // each file that holds a body of evidence on them (two documents or more), on
            // what that file says; asked for a case, the report on that one.
            let files = by_case_file(&world, &claims);
            if files.len() >= 2 || case.is_some() {
                for (file, in_file) in &files {
                    let wanted = match &case {
                        Some(c) => c == file,
                        None => {
                            in_file
                                .iter()
                                .filter(|c| !c.topic.starts_with("birth"))
                                .flat_map(|c| c.citations.iter().map(|x| x.doc))
                                .collect::<BTreeSet<DocId>>()
                                .len()
                                >= 2
                        }
                    };
                    if !wanted {
                        continue;
                    }
                    let ids: BTreeSet<&String> = in_file.iter().map(|c| &c.id).collect();
                    let file_conflicts: Vec<Conflict> = conflicts
                        .iter()
                        .filter(|k| ids.contains(&k.a) && ids.contains(&k.b))
                        .cloned()
                        .collect();
                    let named: Vec<Related> = related
                        .iter()
                        .filter(|r| in_file.iter().any(|c| c.text.contains(&r.name)))
                        .cloned()
                        .collect();
                    let theirs: Vec<kartoteka_identity::Holding> = mine
                        .iter()
                        .filter(|h| {
                            let cover = covers
                                .get(&h.cover)
                                .map_or(h.cover.as_str(), |c| c.name.as_str());
                            in_file.iter().any(|c| {
                                c.topic == "cover_name" && c.object.as_deref() == Some(cover)
                            })
                        })
                        .map(|h| (*h).clone())
                        .collect();
                    let mut r = compose(
                        &world,
                        &theirs,
                        &covers,
                        subject,
                        in_file,
                        &file_conflicts,
                        named,
                        &mut pages,
                        &ix.places_on,
                    )?;
                    r.id = format!("{}-{}", r.id, case_id(file));
                    r.title = format!("{}, case file {file}", r.title);
                    generated.push(r);
                }
            }
            if case.is_none() {
                generated.insert(0, whole);
            }
            for generated in generated {
                let id = generated.id.clone();
                match existing.get(&id) {
                    None => {
                        self.archive.store().save_report(&generated)?;
                        out.created.push(id);
                    }
                    Some(old) => {
                        let (merged, changes) = regenerate(old, generated);
                        if changes.is_empty() {
                            out.unchanged.push(id);
                        } else {
                            self.archive.store().save_report(&merged)?;
                            out.updated.push((id, changes));
                        }
                    }
                }
            }
        }
        let latest = self.archive.store().reports()?;
        if who.is_none() {
            self.record_fates(&world, &existing, &latest, &mut out)?;
        }
        out.index = collection_index(&current(latest, &self.report_fates()?));
        out.seconds = started.elapsed().as_secs_f64();
        Ok(out)
    }

    /// Says what became of the reports this build of the whole collection did not make
    /// again, and of those whose subject split, and keeps it (once per report version).
    pub(super) fn record_fates(
        &self,
        world: &Resolved,
        existing: &HashMap<String, Report>,
        latest: &[Report],
        out: &mut BuildReport,
    ) -> Result<(), ArchiveError> {
        let built: BTreeSet<&String> = out
            .created
            .iter()
            .chain(out.updated.iter().map(|(id, _)| id))
            .chain(&out.unchanged)
            .collect();
        let known_fates: HashMap<(String, u32), ReportFate> = self
            .archive
            .store()
            .report_fates()?
            .into_iter()
            .map(|f| ((f.report.clone(), f.version), f))
            .collect();
        let known: BTreeSet<(String, u32)> = known_fates.keys().cloned().collect();
        let fate = |r: &Report, fate: Fate, by: Vec<String>, reason: String| ReportFate {
            report: r.id.clone(),
            version: r.version,
            fate,
            by,
            reason,
            at: String::new(),
        };
        let now_built: Vec<&Report> = latest.iter().filter(|r| built.contains(&r.id)).collect();
        // The report that now carries all of a report's cover names: on its subject or on
        // a person split from it.
        let heir_by_cover = |r: &Report| -> Option<&Report> {
            if r.cover_names.is_empty() {
                return None;
            }
            now_built
                .iter()
                .copied()
                .filter(|x| {
                    x.subject == r.subject
                        || world
                            .record(&x.subject)
                            .is_some_and(|p| p.split_from.as_deref() == Some(r.subject.as_str()))
                })
                .filter(|x| r.cover_names.iter().all(|c| x.cover_names.contains(c)))
                .min_by_key(|x| (x.cover_names.len(), x.id.len(), x.id.clone()))
        };
        let mut fates: Vec<ReportFate> = Vec::new();
        let mut by_id: Vec<(&String, &Report)> = existing.iter().collect();
        by_id.sort_by(|a, b| a.0.cmp(b.0));
        for (id, r) in by_id {
            if built.contains(id) {
                continue;
            }
            let redirect = world.redirect(&r.subject);
            if let Some(f) = known_fates.get(&(id.clone(), r.version)) {
                // Kept, unless the person it was merged into has since split and its
                // mentions went elsewhere: then it is recorded again, pointing there.
                let moved = redirect.as_ref().is_some_and(|to| {
                    !f.by.iter().any(|b| {
                        b.strip_prefix("R-")
                            .is_some_and(|s| s.split('-').next() == Some(to.merged_into.as_str()))
                    })
                });
                if !moved {
                    continue;
                }
            }
            let record = world.record(&r.subject);
            if let Some(redirect) = redirect {
                // The same kind of report on the person it merged into, else theirs.
                let old_prefix = format!("R-{}", r.subject);
                let new_prefix = format!("R-{}", redirect.merged_into);
                let twin = id.replacen(&old_prefix, &new_prefix, 1);
                let by = if built.contains(&twin) {
                    twin
                } else {
                    new_prefix
                };
                fates.push(fate(r, Fate::Superseded, vec![by], redirect.reason));
            } else if record.is_some_and(|p| p.status == PersonStatus::Withdrawn) {
                let reason = format!(
                    "its subject {} was withdrawn: {}",
                    r.subject,
                    record.map_or("", |p| p.reason.as_str())
                );
                fates.push(fate(r, Fate::Withdrawn, Vec::new(), reason));
            } else if let Some(same) = existing.values().find(|x| {
                x.id != r.id
                    && built.contains(&x.id)
                    && x.subject == r.subject
                    && x.title == r.title
            }) {
                // The same report under a new id (an id from before ids were kept).
                fates.push(fate(
                    r,
                    Fate::Superseded,
                    vec![same.id.clone()],
                    "the same report, under the id it now keeps".to_string(),
                ));
            } else if let Some(heir) = heir_by_cover(r) {
                // A period report whose cover name is now covered by another report on
                // the subject, or on the person split from it that holds the cover name.
                fates.push(fate(
                    r,
                    Fate::Superseded,
                    vec![heir.id.clone()],
                    format!(
                        "«{}» is now in {} on {}",
                        r.cover_names.join("», «"),
                        heir.id,
                        heir.subject
                    ),
                ));
            } else {
                let reason = if world.is_person(&r.subject) {
                    format!(
                        "the evidence no longer makes this report on {}: its cover-name period, case file or role is no longer found",
                        r.subject
                    )
                } else {
                    format!(
                        "its subject {} is not a person of the current resolution",
                        r.subject
                    )
                };
                fates.push(fate(r, Fate::Withdrawn, Vec::new(), reason));
            }
        }
        // A person split: the reports before the split are replaced by the reports on
        // both parts.
        for id in &out.created {
            let Some(subject) = id
                .strip_prefix("R-")
                .map(|s| s.split('-').next().unwrap_or(s))
            else {
                continue;
            };
            let Some(from) = world
                .record(subject)
                .and_then(|p| p.split_from.as_ref().map(|f| (f.clone(), p.reason.clone())))
            else {
                continue;
            };
            let old_prefix = format!("R-{}", from.0);
            let twin = id.replacen(&format!("R-{subject}"), &old_prefix, 1);
            let Some(before) = existing.get(&twin) else {
                continue;
            };
            // Unchanged by the split, the report before it still stands.
            if known.contains(&(twin.clone(), before.version)) || out.unchanged.contains(&twin) {
                continue;
            }
            let mut by = vec![id.clone()];
            if built.contains(&twin) {
                by.insert(0, twin.clone());
            }
            fates.push(fate(before, Fate::Superseded, by, from.1));
        }
        for f in fates {
            let saved = self.archive.store().save_report_fate(&f)?;
            if saved.fate == Fate::Withdrawn {
                out.withdrawn.push(saved);
            } else {
                out.superseded.push(saved);
            }
        }
        Ok(())
    }

    /// The latest version of every report that is current: not superseded nor withdrawn.
    pub fn current_reports(&self) -> Result<Vec<Report>, ArchiveError> {
        Ok(current(self.all()?, &self.report_fates()?))
    }

    /// What became of reports, by report and version: superseded (by which) or withdrawn,
    /// and why.
    pub fn report_fates(&self) -> Result<BTreeMap<(String, u32), ReportFate>, ArchiveError> {
        Ok(self
            .archive
            .store()
            .report_fates()?
            .into_iter()
            .map(|f| ((f.report.clone(), f.version), f))
            .collect())
    }

    /// A report, at its latest version or the one asked for: by its id, or by its
    /// subject (a person's id or a name that picks out one).
    pub fn report(&self, id: &str, version: Option<u32>) -> Result<Report, ArchiveError> {
        let mut versions = self.archive.store().report_versions(id)?;
        let mut id = id.to_string();
        if versions.is_empty() && !id.starts_with("R-") {
            if let Ok(world) = self.archive.resolved() {
                if let Ok(person) = world.find(&id) {
                    id = format!("R-{person}");
                    versions = self.archive.store().report_versions(&id)?;
                }
            }
        }
        let id = id.as_str();
        let found = match version {
            Some(v) => versions.into_iter().find(|r| r.version == v),
            None => versions.into_iter().last(),
        };
        found.ok_or_else(|| {
            ArchiveError::NotFound(match version {
                Some(v) => format!("version {v} of report {id}"),
                None => format!("report {id}"),
            })
        })
    }

    /// Every report at its latest version.
    pub fn all(&self) -> Result<Vec<Report>, ArchiveError> {
        Ok(self.archive.store().reports()?)
    }

    /// Whether a report's subject is still a person of the resolution.
    pub fn report_subject_exists(&self, report: &Report) -> Result<bool, ArchiveError> {
        Ok(self
            .archive
            .store()
            .identities()?
            .iter()
            .any(|r| r.person == report.subject))
    }

    /// Edits one paragraph (its text, its marking, or both) as a new version. An approved
    /// report is only edited into a new draft when `new_version` says so.
    pub fn edit_report(
        &self,
        id: &str,
        paragraph: usize,
        text: Option<&str>,
        marking: Option<&str>,
        new_version: bool,
        why: &str,
    ) -> Result<Report, ArchiveError> {
        let mut r = self.report(id, None)?;
        if r.status == ReportStatus::Approved && !new_version {
            return Err(ArchiveError::Approved {
                report: id.to_string(),
                version: r.version,
            });
        }
        let count = r.paragraphs.len();
        let p = paragraph
            .checked_sub(1)
            .and_then(|i| r.paragraphs.get_mut(i))
            .ok_or_else(|| {
                ArchiveError::BadTarget(
                    paragraph.to_string(),
                    format!("report {id} has paragraphs 1 to {count}"),
                )
            })?;
        if text.is_none() && marking.is_none() {
            return Err(ArchiveError::BadTarget(
                id.to_string(),
                "nothing to change: give a new text, a new marking or both".to_string(),
            ));
        }
        if let Some(t) = text {
            if t.trim().is_empty() {
                return Err(ArchiveError::BadTarget(
                    id.to_string(),
                    "an empty paragraph".to_string(),
                ));
            }
            p.text = t.trim().to_string();
            p.edited = true;
        }
        if let Some(m) = marking {
            let new = Marking::parse(m)
                .map_err(|e| ArchiveError::BadTarget(m.to_string(), e.to_string()))?;
            // Lower than its sources' marking in any part (level, release list, a
            // control): only a named reviewer, with a reason that the version keeps.
            if p.marking.max(&new) != new && why.trim().is_empty() {
                return Err(ArchiveError::BadTarget(
                    m.to_string(),
                    format!(
                        "{new} is lower than the marking of paragraph {paragraph}'s sources ({}); lowering it needs a reason",
                        p.marking
                    ),
                ));
            }
            p.marking_override = Some(new);
        }
        r.version += 1;
        r.status = ReportStatus::Draft;
        r.why = if why.trim().is_empty() {
            format!("edited paragraph {paragraph}")
        } else {
            format!("edited paragraph {paragraph}: {}", why.trim())
        };
        Ok(self.archive.store().save_report(&r)?)
    }

    /// Moves a report on: draft to reviewed, reviewed to approved.
    pub fn advance_report(
        &self,
        id: &str,
        to: ReportStatus,
        why: &str,
    ) -> Result<Report, ArchiveError> {
        let mut r = self.report(id, None)?;
        let Some(from) = to.comes_after() else {
            return Err(ArchiveError::BadTarget(
                to.to_string(),
                "a report is reviewed or approved; a draft is made by an edit or a build"
                    .to_string(),
            ));
        };
        if r.status != from {
            return Err(ArchiveError::BadTarget(
                id.to_string(),
                format!(
                    "version {} is {}; only a {from} report can be {to}",
                    r.version, r.status
                ),
            ));
        }
        if !self.report_subject_exists(&r)? {
            return Err(ArchiveError::NotFound(format!(
                "person {} of report {id}: merged into another or gone; build the report on the person they are now",
                r.subject
            )));
        }
        r.version += 1;
        r.status = to;
        r.why = if why.trim().is_empty() {
            to.to_string()
        } else {
            format!("{to}: {}", why.trim())
        };
        Ok(self.archive.store().save_report(&r)?)
    }

    /// What changed between two versions of a report (the last two when none are given).
    pub fn report_diff(
        &self,
        id: &str,
        versions: Option<(u32, u32)>,
    ) -> Result<Vec<String>, ArchiveError> {
        let id = self.report(id, None)?.id;
        let id = id.as_str();
        let all = self.archive.store().report_versions(id)?;
        let (a, b) = match versions {
            Some(v) => v,
            None => {
                let last = all.len() as u32;
                (last.saturating_sub(1).max(1), last)
            }
        };
        let get = |v: u32| {
            all.iter()
                .find(|r| r.version == v)
                .ok_or_else(|| ArchiveError::NotFound(format!("version {v} of report {id}")))
        };
        Ok(differences(get(a)?, get(b)?))
    }
}
