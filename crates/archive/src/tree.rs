//! The archival tree as a reader walks it: one unit at a time (fonds, inventory, file),
//! with the units inside it, the documents placed in it, and the gaps findings that stand
//! on it, so that a missing or emptied file shows where it would be.
//!
//! The tree is built from what the inventories list and from where documents are placed:
//! a file an inventory lists but that holds nothing is in the tree (it is what a "missing"
//! finding is about), and so is a file that holds documents but no inventory lists.

use std::collections::BTreeMap;

use kartoteka_model::{Convention, DateRange, DocId, Finding, Level, Reference, Severity, Unit};
use kartoteka_store::Holding;
use serde::Serialize;

use crate::{Archive, ArchiveError};

/// One level of the archival tree.
#[derive(Clone, Debug, Serialize)]
pub struct TreeView {
    /// The unit shown, as a reference code; `None` for the whole archive.
    pub reference: Option<String>,
    /// The same in the English convention.
    pub reference_en: Option<String>,
    /// The units above it, from the fonds down (not including it).
    pub trail: Vec<TreeStep>,
    /// What the inventory says of it, when it lists it.
    pub unit: Option<Unit>,
    /// The units directly inside it, in their numbering's order.
    pub children: Vec<TreeNode>,
    /// The documents placed directly in it (in a file: each sheet's document), by sheet.
    pub documents: Vec<TreeDocument>,
    /// The gaps findings of the last reconciliation that stand on it or inside it.
    pub findings: Vec<Finding>,
    /// At the top of the tree: documents placed nowhere in it.
    pub unplaced: u64,
}

/// A unit above the one shown.
#[derive(Clone, Debug, Serialize)]
pub struct TreeStep {
    /// Its reference code.
    pub reference: String,
    /// Its title, when the inventory gives one.
    pub title: Option<String>,
}

/// A unit inside the one shown.
#[derive(Clone, Debug, Serialize)]
pub struct TreeNode {
    /// Its reference code.
    pub reference: String,
    /// Its level.
    pub level: Level,
    /// Its title, when the inventory gives one.
    pub title: Option<String>,
    /// Its dates, when the inventory gives them.
    pub dates: Option<DateRange>,
    /// The sheet count the inventory declares, for a file.
    pub sheet_count: Option<u32>,
    /// Whether an inventory lists it (a unit only documents point to is not listed).
    pub listed: bool,
    /// Documents placed in it or below it.
    pub documents: u64,
    /// Standing gaps findings on it or below it.
    pub findings: u64,
    /// The most severe of them.
    pub worst: Option<Severity>,
}

/// A document placed in the unit shown.
#[derive(Clone, Debug, Serialize)]
pub struct TreeDocument {
    /// Its number.
    pub doc: DocId,
    /// Its reference code.
    pub reference: Option<String>,
    /// Its title, when known.
    pub title: Option<String>,
    /// Its dates, when known.
    pub dates: Option<DateRange>,
    /// Pages of text.
    pub pages: u32,
    /// Where the original was read from.
    pub source_path: String,
}

/// Numbers in their numeric order, then the rest: "2" before "10", "5" before "5а".
fn numbering_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn split(s: &str) -> (u64, &str) {
        let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n = s[..digits].parse().unwrap_or(u64::MAX);
        (n, &s[digits..])
    }
    split(a).cmp(&split(b)).then_with(|| a.cmp(b))
}

/// The level of a unit `depth` steps below the top (1 = fonds).
fn level_at(depth: usize) -> Level {
    match depth {
        1 => Level::Fonds,
        2 => Level::Inventory,
        _ => Level::File,
    }
}

impl Archive {
    /// The archival tree at a unit (`None`: the fonds of the whole archive). A reference to
    /// sheets shows the file they are in.
    pub fn tree(&self, at: Option<&Reference>) -> Result<TreeView, ArchiveError> {
        let at = at.map(|r| r.truncate(Level::File));
        let depth = at.as_ref().map(|r| r.unit_path().len()).unwrap_or(0);
        let within = |r: &Reference| at.as_ref().is_none_or(|a| a.contains(r));
        let store = self.store();
        let unit = match &at {
            Some(r) => store.unit(r)?,
            None => None,
        };
        let mut children: BTreeMap<Vec<String>, TreeNode> = BTreeMap::new();
        let node = |r: &Reference| TreeNode {
            reference: r.to_string(),
            level: r.level(),
            title: None,
            dates: None,
            sheet_count: None,
            listed: false,
            documents: 0,
            findings: 0,
            worst: None,
        };
        let units = store.units(at.as_ref())?;
        for u in &units {
            let path = u.reference.unit_path();
            if path.len() <= depth || u.level == Level::Sheet {
                continue;
            }
            let child = u.reference.truncate(level_at(depth + 1));
            let entry = children
                .entry(child.unit_path())
                .or_insert_with(|| node(&child));
            if path.len() == depth + 1 {
                entry.listed = true;
                entry.title = u.title.clone();
                entry.dates = u.dates;
                entry.sheet_count = u.sheet_count;
            }
        }

        // Where documents are: counted into the child they are in, or listed here.
        let mut documents = Vec::new();
        let mut unplaced = 0;
        let mut place = |reference: Option<Reference>, doc: TreeDocument| match reference {
            Some(r) if within(&r) => {
                let path = r.unit_path();
                if path.len() > depth && depth < 3 {
                    let child = r.truncate(level_at(depth + 1));
                    children
                        .entry(child.unit_path())
                        .or_insert_with(|| node(&child))
                        .documents += 1;
                } else {
                    documents.push((r.sheets.as_ref().map(|s| s.first), doc));
                }
            }
            Some(_) => {}
            None => unplaced += 1,
        };
        match &at {
            Some(r) => {
                for d in store.documents_within(r)? {
                    let reference = d.reference.clone();
                    place(
                        reference,
                        TreeDocument {
                            doc: d.id,
                            reference: d.reference.as_ref().map(|r| r.to_string()),
                            title: d.title,
                            dates: d.dates,
                            pages: d.page_count,
                            source_path: d.source_path,
                        },
                    );
                }
            }
            None => {
                // The whole archive: only the fonds are counted, so the light listing will do.
                store.each_holding(&mut |h: Holding| {
                    let reference = h
                        .reference
                        .as_deref()
                        .and_then(|t| Reference::parse(t).ok());
                    place(
                        reference,
                        TreeDocument {
                            doc: h.id,
                            reference: h.reference,
                            title: None,
                            dates: None,
                            pages: h.pages,
                            source_path: String::new(),
                        },
                    );
                    Ok(())
                })?;
            }
        }
        documents.sort_by(|(a, x), (b, y)| {
            let sheet = |s: &Option<kartoteka_model::Sheet>| s.map(|s| (s.number, s.verso));
            sheet(a).cmp(&sheet(b)).then(x.doc.0.cmp(&y.doc.0))
        });

        // The findings that stand here, counted into the children they are in.
        let mut findings = Vec::new();
        for f in store.current_findings()? {
            let Ok(r) = Reference::parse(&f.reference) else {
                continue;
            };
            if !within(&r) {
                continue;
            }
            if r.unit_path().len() > depth && depth < 3 {
                let child = r.truncate(level_at(depth + 1));
                let n = children
                    .entry(child.unit_path())
                    .or_insert_with(|| node(&child));
                n.findings += 1;
                n.worst = Some(n.worst.map_or(f.severity, |w| w.min(f.severity)));
            }
            findings.push(f);
        }
        findings.sort_by(|a, b| a.severity.cmp(&b.severity).then(a.id.cmp(&b.id)));
        if let Some(r) = &at {
            if unit.is_none() && children.is_empty() && documents.is_empty() && findings.is_empty()
            {
                return Err(ArchiveError::NotFound(r.to_string()));
            }
        }

        let mut trail = Vec::new();
        if let Some(r) = &at {
            let mut up = r.parent();
            while let Some(u) = up {
                let title = store.unit(&u)?.and_then(|u| u.title);
                up = u.parent();
                trail.push(TreeStep {
                    reference: u.to_string(),
                    title,
                });
            }
            trail.reverse();
        }
        let mut children: Vec<TreeNode> = children.into_values().collect();
        children.sort_by(|a, b| {
            let (Ok(x), Ok(y)) = (
                Reference::parse(&a.reference),
                Reference::parse(&b.reference),
            ) else {
                return a.reference.cmp(&b.reference);
            };
            let (x, y) = (x.unit_path(), y.unit_path());
            x.iter()
                .zip(&y)
                .map(|(p, q)| numbering_order(p, q))
                .find(|o| o.is_ne())
                .unwrap_or(x.len().cmp(&y.len()))
        });
        Ok(TreeView {
            reference: at.as_ref().map(|r| r.to_string()),
            reference_en: at.as_ref().map(|r| r.display(Convention::English)),
            trail,
            unit,
            children,
            documents: documents.into_iter().map(|(_, d)| d).collect(),
            findings,
            unplaced,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::numbering_order;
    use std::cmp::Ordering::*;

    #[test]
    fn numbers_sort_as_numbers_and_letters_after() {
        assert_eq!(numbering_order("2", "10"), Less);
        assert_eq!(numbering_order("10", "9"), Greater);
        assert_eq!(numbering_order("5", "5а"), Less);
        assert_eq!(numbering_order("р-9401", "р-9402"), Less);
    }
}
