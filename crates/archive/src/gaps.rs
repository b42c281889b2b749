//! Reconciling holdings against the inventories and against themselves: what is missing,
//! empty, emptied, miscounted, misnumbered, duplicated or unlisted.
//!
//! Each file (дело) gets the most telling finding only: a file that is missing is not also
//! empty; a file whose content was removed after ingest is reported as emptied, not also
//! as empty or short of sheets, since the removal explains both.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kartoteka_model::{Finding, FindingKind, FindingStatus, Level, Reference};
use kartoteka_store::{AuditFilter, Holding};
use serde::Serialize;
use serde_json::json;

use crate::{Archive, ArchiveError};

/// What `gaps` found.
#[derive(Clone, Debug, Serialize)]
pub struct GapsReport {
    /// The findings, most severe first.
    pub findings: Vec<Finding>,
    /// Files checked.
    pub files: u64,
    /// Documents checked.
    pub documents: u64,
    /// Seconds taken.
    pub seconds: f64,
}

/// What is known of one file (дело).
#[derive(Default)]
struct FileState {
    reference: Option<Reference>,
    listed: bool,
    declared_sheets: Option<u32>,
    documents: u64,
    chars: u64,
    pages: u64,
    unknown_text: bool,
    /// Each document's first sheet (from its reference) and last (when a range says).
    documents_at: Vec<(i64, u32, Option<u32>)>,
    /// Every document in the file.
    ids: Vec<i64>,
    sheets: BTreeSet<u32>,
    emptied: bool,
}

/// Holes in a set of numbers between 1 and its largest.
fn holes(numbers: &BTreeSet<u32>, up_to: u32) -> Vec<u32> {
    (1..=up_to).filter(|n| !numbers.contains(n)).collect()
}

/// The sheets a file's documents cover. A document whose pages mark more than its first
/// sheet, or whose reference gives a range, covers exactly those. One that marks only its
/// first sheet may run on unmarked: it is taken to run to the sheet before the next
/// document begins, and the last one to the count the inventory declares. So a file
/// filed as л. 1, л. 4, л. 9 of 10 sheets is whole, while marked sheets are checked one by one.
fn sheets_covered(f: &FileState, marked: &HashMap<i64, BTreeSet<u32>>) -> BTreeSet<u32> {
    let mut starts: Vec<(u32, i64, Option<u32>)> = f
        .documents_at
        .iter()
        .map(|(id, first, last)| (*first, *id, *last))
        .collect();
    starts.sort();
    let mut covered = BTreeSet::new();
    // Documents placed without sheets still mark some.
    for id in &f.ids {
        if !f.documents_at.iter().any(|(d, _, _)| d == id) {
            if let Some(sheets) = marked.get(id) {
                covered.extend(sheets.iter().copied());
            }
        }
    }
    for (i, (first, id, last)) in starts.iter().enumerate() {
        let own = marked.get(id);
        covered.insert(*first);
        if let Some(last) = last {
            covered.extend(*first..=(*last).min(first + 100_000));
            continue;
        }
        match own {
            Some(s) if s.iter().any(|n| n != first) => covered.extend(s.iter().copied()),
            _ => {
                let end = match starts.get(i + 1) {
                    Some((next, _, _)) => next.saturating_sub(1),
                    None => f.declared_sheets.unwrap_or(*first),
                };
                covered.extend(*first..=end.max(*first).min(first + 100_000));
            }
        }
    }
    covered
}

impl Archive {
    /// Reconciles the archive (or one unit of it) and keeps the findings; findings seen
    /// before keep their annotations, and those no longer found stop being listed.
    pub fn gaps(&self, scope: Option<&Reference>) -> Result<GapsReport, ArchiveError> {
        let started = std::time::Instant::now();
        let scope_key = scope
            .map(|s| s.truncate(Level::File).key())
            .unwrap_or_default();
        let in_scope = |key: &str| {
            scope_key.is_empty() || key == scope_key || key.starts_with(&format!("{scope_key}/"))
        };
        let mut files: BTreeMap<String, FileState> = BTreeMap::new();
        let mut findings = Vec::new();

        // What the inventories list.
        let units = self.store().units(scope)?;
        let mut listed_inventories = BTreeSet::new();
        for u in units.iter().filter(|u| u.level == Level::File) {
            let key = u.reference.key();
            listed_inventories.insert(u.reference.truncate(Level::Inventory).key());
            let f = files.entry(key).or_default();
            f.reference = Some(u.reference.clone());
            f.listed = true;
            f.declared_sheets = u.sheet_count;
        }

        // What the archive holds.
        let mut by_content: HashMap<String, Vec<(i64, String)>> = HashMap::new();
        let mut documents = 0u64;
        let mut doc_file: HashMap<i64, String> = HashMap::new();
        let mut doc_reference: HashMap<i64, String> = HashMap::new();
        self.store().each_holding(&mut |h: Holding| {
            let (Some(key), Some(text)) = (h.file_key.clone(), h.reference.clone()) else {
                return Ok(());
            };
            if !in_scope(&key) {
                return Ok(());
            }
            let Ok(reference) = Reference::parse(&text) else {
                return Ok(());
            };
            if reference.file.is_none() {
                return Ok(());
            }
            documents += 1;
            let f = files.entry(key.clone()).or_default();
            if f.reference.is_none() {
                f.reference = Some(reference.truncate(Level::File));
            }
            f.documents += 1;
            f.ids.push(h.id.0);
            f.chars += h.chars;
            f.pages += u64::from(h.pages);
            f.unknown_text |= h.needs_ocr || !h.extracted;
            if let Some(s) = reference.sheets {
                f.documents_at
                    .push((h.id.0, s.first.number, s.last.map(|l| l.number)));
            }
            if h.size > 0 && h.chars > 0 {
                by_content
                    .entry(h.content.clone())
                    .or_default()
                    .push((h.id.0, text.clone()));
            }
            doc_file.insert(h.id.0, key);
            doc_reference.insert(h.id.0, text);
            Ok(())
        })?;
        let mut marked: HashMap<i64, BTreeSet<u32>> = HashMap::new();
        self.store().each_sheet_held(&mut |doc, sheet| {
            if doc_file.contains_key(&doc.0) {
                marked.entry(doc.0).or_default().insert(sheet);
            }
            Ok(())
        })?;
        for f in files.values_mut() {
            f.sheets = sheets_covered(f, &marked);
        }

        // Emptied: a later version with no text where an earlier one had some.
        // (Bound first: a guard in a `for` head would live through the loop's own store calls.)
        let changed = self.store().changed_versions()?;
        for (doc, versions) in changed {
            let Some(key) = doc_file.get(&doc.0) else {
                continue;
            };
            let Some(last) = versions.last() else {
                continue;
            };
            let now_empty = last.chars == Some(0) || last.size == Some(0);
            let Some(before) = versions[..versions.len() - 1]
                .iter()
                .rev()
                .find(|v| v.chars.unwrap_or(0) > 0)
            else {
                continue;
            };
            if !now_empty {
                continue;
            }
            let acts = self.store().audit_log(&AuditFilter {
                object: Some(format!("doc:{}", doc.0)),
                ..Default::default()
            })?;
            let who = acts
                .iter()
                .rev()
                .find(|a| a.is(kartoteka_store::AuditAction::Update))
                .map(|a| {
                    format!(
                        "replaced by an empty version on {} by {} (audit entry {})",
                        a.at, a.actor, a.seq
                    )
                })
                .unwrap_or_else(|| format!("replaced by an empty version on {}", last.at));
            let first = acts
                .iter()
                .find(|a| a.is(kartoteka_store::AuditAction::Ingest))
                .map(|a| {
                    format!(
                        "ingested on {} by {} (audit entry {})",
                        a.at, a.actor, a.seq
                    )
                })
                .unwrap_or_else(|| format!("stored on {}", before.at));
            if let Some(f) = files.get_mut(key) {
                f.emptied = true;
            }
            findings.push(Finding::new(
                FindingKind::Emptied,
                doc_reference.get(&doc.0).cloned().unwrap_or_default(),
                json!({"characters": before.chars, "bytes": before.size, "content": before.content}),
                json!({"characters": last.chars, "bytes": last.size, "content": last.content}),
                format!("document {}: {first} with {} characters of text; {who}", doc.0, before.chars.unwrap_or(0)),
            ));
        }

        // File by file.
        let mut numbers_by_inventory: BTreeMap<String, (Reference, BTreeSet<u32>)> =
            BTreeMap::new();
        for f in files.values() {
            let Some(reference) = &f.reference else {
                continue;
            };
            let name = reference.to_string();
            let inventory = reference.truncate(Level::Inventory);
            if let Some(n) = reference
                .file
                .as_deref()
                .and_then(|n| n.parse::<u32>().ok())
            {
                if reference.inventory.is_some() {
                    numbers_by_inventory
                        .entry(inventory.key())
                        .or_insert_with(|| (inventory.clone(), BTreeSet::new()))
                        .1
                        .insert(n);
                }
            }
            if f.listed && f.documents == 0 {
                findings.push(Finding::new(
                    FindingKind::Missing,
                    &name,
                    json!({"listed": true, "sheets": f.declared_sheets}),
                    json!({"documents": 0}),
                    format!(
                        "the inventory lists {name}{}; the archive holds no document in it",
                        f.declared_sheets
                            .map(|n| format!(" with {n} sheets"))
                            .unwrap_or_default()
                    ),
                ));
                continue;
            }
            if !f.listed && f.documents > 0 && listed_inventories.contains(&inventory.key()) {
                findings.push(Finding::new(
                    FindingKind::Unlisted,
                    &name,
                    json!({"listed": false}),
                    json!({"documents": f.documents}),
                    format!("{} document(s) are placed in {name}, which the inventory of {inventory} does not list", f.documents),
                ));
            }
            if f.emptied || f.unknown_text {
                // Emptied files were reported above; files waiting for OCR cannot be judged yet.
                continue;
            }
            if f.chars == 0 || (f.listed && f.declared_sheets == Some(0)) {
                findings.push(Finding::new(
                    FindingKind::Empty,
                    &name,
                    json!({"sheets": f.declared_sheets}),
                    json!({"documents": f.documents, "characters": f.chars}),
                    if f.chars == 0 {
                        format!(
                            "{} document(s) with {} page(s) and no text at all",
                            f.documents, f.pages
                        )
                    } else {
                        "the inventory declares 0 sheets".to_string()
                    },
                ));
                continue;
            }
            // Sheets: the numbers marked in the text, or the page count when none is marked.
            let (found, counted) = if f.sheets.is_empty() {
                (f.pages as u32, "pages (no sheet numbers marked)")
            } else {
                (f.sheets.len() as u32, "distinct sheet numbers")
            };
            let max = f.sheets.last().copied().unwrap_or(0);
            match f.declared_sheets {
                Some(declared) if declared != found => {
                    let absent = holes(&f.sheets, declared);
                    let beyond: Vec<u32> = f.sheets.range(declared + 1..).copied().collect();
                    let mut evidence = format!("the inventory declares {declared} sheets; the documents hold {found} {counted}");
                    if !f.sheets.is_empty() && !absent.is_empty() {
                        evidence
                            .push_str(&format!("; absent: л. {}", kartoteka_text::ranges(&absent)));
                    }
                    if !beyond.is_empty() {
                        evidence.push_str(&format!(
                            "; beyond the count: л. {}",
                            kartoteka_text::ranges(&beyond)
                        ));
                    }
                    findings.push(Finding::new(
                        FindingKind::SheetCount,
                        &name,
                        json!(declared),
                        json!(found),
                        evidence,
                    ));
                }
                _ if !f.sheets.is_empty() => {
                    let absent = holes(&f.sheets, max);
                    if !absent.is_empty() {
                        findings.push(Finding::new(
                            FindingKind::Numbering,
                            &name,
                            json!({"sheets": format!("1-{max}")}),
                            json!({"absent": absent}),
                            format!(
                                "sheets run to л. {max}; not there: л. {}",
                                kartoteka_text::ranges(&absent)
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        // Holes in the numbering of files within each inventory.
        for (inventory, numbers) in numbers_by_inventory.values() {
            let max = numbers.last().copied().unwrap_or(0);
            let absent = holes(numbers, max);
            if !absent.is_empty() {
                findings.push(Finding::new(
                    FindingKind::Numbering,
                    inventory.to_string(),
                    json!({"files": format!("1-{max}")}),
                    json!({"absent": absent}),
                    format!(
                        "files run to д. {max}; neither listed nor held: д. {}",
                        kartoteka_text::ranges(&absent)
                    ),
                ));
            }
        }
        // The same content under two references.
        for (content, mut docs) in by_content {
            docs.sort();
            let refs: BTreeSet<&String> = docs.iter().map(|(_, r)| r).collect();
            if refs.len() < 2 {
                continue;
            }
            let ids: Vec<String> = docs
                .iter()
                .map(|(id, r)| format!("doc {id} at {r}"))
                .collect();
            findings.push(Finding::new(
                FindingKind::Duplicate,
                docs[0].1.clone(),
                json!({"references": 1}),
                json!({"references": refs.into_iter().collect::<Vec<_>>()}),
                format!(
                    "identical originals (SHA-256 {content}): {}",
                    ids.join("; ")
                ),
            ));
        }

        findings.sort_by(|a, b| {
            (a.severity, a.kind, &a.reference).cmp(&(b.severity, b.kind, &b.reference))
        });
        let mut kept = self.store().keep_findings(&scope_key, &findings)?;
        kept.sort_by(|a, b| {
            (a.severity, a.kind, &a.reference).cmp(&(b.severity, b.kind, &b.reference))
        });
        Ok(GapsReport {
            findings: kept,
            files: files.len() as u64,
            documents,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Records an archivist's view of a finding.
    pub fn annotate_finding(
        &self,
        id: i64,
        status: FindingStatus,
        note: Option<&str>,
    ) -> Result<Finding, ArchiveError> {
        self.store()
            .annotate_finding(id, status, note)
            .map_err(|e| match e {
                kartoteka_store::StoreError::NotFound(what) => ArchiveError::NotFound(what),
                other => other.into(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_are_the_numbers_missing_up_to_the_count() {
        assert_eq!(holes(&[1, 2, 5].into_iter().collect(), 6), [3, 4, 6]);
    }
}
