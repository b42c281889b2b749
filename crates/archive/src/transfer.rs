//! Transfers: a unit out of the archive as a BagIt bag, and a bag into it.
//!
//! An export copies each original out of the blob store, checking it against its hash on
//! the way, and adds the archival description as tag files (`kartoteka/description.json`
//! for a Kartoteka on the other side, `kartoteka/inventory.csv` for people and other
//! tools), so that the receiving archive rebuilds the same hierarchy.
//!
//! An import validates the bag completely first; then ingests it inside one store batch,
//! checks each stored original against the bag's SHA-256 manifest, records the transfer
//! and the custody it starts, and commits. Killed at any point before the commit, it
//! leaves the archive as it was; rerun, it completes. The search index follows after the
//! commit (a killed run's documents are indexed by the next command that writes).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use kartoteka_bagit::{Algorithm, BagWriter, ValidateOptions};
use kartoteka_model::{
    CustodyEntry, DateRange, Direction, Document, Level, Location, MarkingRule, Reference,
    Transfer, Unit,
};
use serde::{Deserialize, Serialize};

use crate::archive::now;
use crate::{Archive, ArchiveError, IngestOptions, Progress};

/// Identifies our description tag file and its version.
const DESCRIPTION_FORMAT: &str = "kartoteka-transfer/1";
const DESCRIPTION: &str = "kartoteka/description.json";
const INVENTORY: &str = "kartoteka/inventory.csv";

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// Units to export; empty for the whole archive.
    pub units: Vec<Reference>,
    /// The bag folder to create.
    pub out: PathBuf,
    /// Source-Organization in bag-info.txt.
    pub organization: Option<String>,
    /// Where the bag is going, for the transfer record.
    pub to: Option<String>,
    /// Write the sender's own file paths into the description (left out unless asked:
    /// they tell the receiver about the sender's machine).
    pub with_paths: bool,
}

/// What an export wrote.
#[derive(Clone, Debug, Serialize)]
pub struct ExportReport {
    /// The transfer's number in this archive.
    pub transfer: i64,
    /// The bag.
    pub bag: PathBuf,
    /// The bag's identity (SHA-256 of its SHA-512 payload manifest).
    pub bag_id: String,
    /// Units the bag carries (External-Identifier).
    pub units: Vec<String>,
    /// Payload files.
    pub files: u64,
    /// Payload bytes.
    pub bytes: u64,
    /// Seconds taken.
    pub seconds: f64,
}

/// What an import did.
#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    /// The transfer's number.
    pub transfer: i64,
    /// True when this bag had been imported before; nothing was added.
    pub already_imported: bool,
    /// The bag's identity.
    pub bag_id: String,
    /// Units the bag carries.
    pub units: Vec<String>,
    /// Payload files.
    pub files: u64,
    /// Payload bytes.
    pub bytes: u64,
    /// Documents added.
    pub added: u64,
    /// Documents that were already in the archive unchanged.
    pub unchanged: u64,
    /// Files whose text could not be extracted (stored all the same).
    pub not_extracted: Vec<String>,
    /// Warnings from validation.
    pub warnings: Vec<String>,
    /// Marking rules the bag carried, as applied here (never lower than a rule this
    /// archive already had for the unit).
    pub markings: Vec<MarkingRule>,
    /// Seconds taken.
    pub seconds: f64,
}

/// One document in a transfer's description.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct DescribedDocument {
    path: String,
    reference: Option<String>,
    title: Option<String>,
    dates: Option<String>,
    content: String,
    size: u64,
    format: String,
    placement: String,
    source_path: String,
    ingested_at: String,
}

/// The archival description carried as a tag file.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Description {
    format: String,
    units: Vec<Unit>,
    documents: Vec<DescribedDocument>,
    custody: Vec<CustodyEntry>,
    /// The marking rules of the units the bag carries and of the units that hold them:
    /// markings travel with the holdings.
    #[serde(default)]
    markings: Vec<MarkingRule>,
}

/// The marking rules that bear on what a bag carries: those of the exported units, of
/// units inside them, and of units that hold them.
fn rules_for(rules: &[MarkingRule], exported: &[Reference]) -> Vec<MarkingRule> {
    rules
        .iter()
        .filter(|rule| {
            exported.is_empty()
                || Reference::parse(&rule.unit).is_ok_and(|unit| {
                    exported
                        .iter()
                        .any(|e| unit.contains(e) || e.contains(&unit))
                })
        })
        .cloned()
        .collect()
}

/// A file name safe in a bag that bagit-python also reads: no `%` (RFC 8493 encodes it,
/// bagit-python does not decode it), no line breaks, no separators.
fn payload_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '%' => '％',
            '/' | '\\' | '\n' | '\r' | '\0' => '_',
            c => c,
        })
        .collect()
}

/// The payload folder of a document: `ф. 17/оп. 171/д. 409`, so that a reader that knows
/// nothing of our description still places files by folder name.
fn payload_folder(reference: Option<&Reference>) -> String {
    let Some(r) = reference else {
        return "unplaced".into();
    };
    let mut parts = vec![format!("ф. {}", r.fonds)];
    parts.extend(r.inventory.iter().map(|i| format!("оп. {i}")));
    parts.extend(r.file.iter().map(|d| format!("д. {d}")));
    parts
        .into_iter()
        .map(|p| payload_name(&p))
        .collect::<Vec<_>>()
        .join("/")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The bag identity as validation computes it: the SHA-256 of the strongest payload
/// manifest's bytes.
fn bag_id_of(bag: &Path) -> Result<String, ArchiveError> {
    use sha2::Digest;
    let bytes =
        std::fs::read(bag.join("manifest-sha512.txt")).map_err(|e| ArchiveError::Folder {
            path: bag.to_path_buf(),
            message: e.to_string(),
        })?;
    Ok(hex::encode(sha2::Sha256::digest(&bytes)))
}

impl Archive {
    /// The latest transfers in and out, newest first, at most `limit` of each direction.
    pub fn recent_transfers(&self, limit: usize) -> Result<Vec<Transfer>, ArchiveError> {
        let store = self.store();
        let mut out: Vec<Transfer> = Vec::new();
        for action in ["transfer-in", "transfer-out"] {
            let entries = store.audit_log(&kartoteka_store::AuditFilter {
                action: Some(action.to_string()),
                limit: Some(limit),
                ..Default::default()
            })?;
            for id in entries.iter().filter_map(|e| {
                e.object
                    .as_deref()?
                    .strip_prefix("transfer:")?
                    .parse::<i64>()
                    .ok()
            }) {
                if out.iter().any(|t| t.id == id) {
                    continue;
                }
                if let Some(t) = store.transfer(id)? {
                    out.push(t);
                }
            }
        }
        out.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        Ok(out)
    }

    /// Applies the marking rules a bag carries: each unit's rule becomes the higher of the
    /// incoming one and any this archive has (a transfer never lowers a marking), audited
    /// as marking rules with the bag named in their reason. The rules as they now stand.
    fn apply_incoming_markings(
        &self,
        incoming: &[MarkingRule],
        bag_id: &str,
    ) -> Result<Vec<MarkingRule>, ArchiveError> {
        let existing = self.store().marking_rules()?;
        let mut applied = Vec::new();
        for rule in incoming {
            let unit = Reference::parse(&rule.unit)
                .map_err(|e| {
                    ArchiveError::Transfer(format!("marking rule for {:?}: {e}", rule.unit))
                })?
                .to_string();
            let here = existing.iter().find(|r| r.unit == unit);
            let marking = match here {
                Some(h) => h.marking.max(&rule.marking),
                None => rule.marking.clone(),
            };
            if here.is_some_and(|h| h.marking == marking) {
                applied.push(here.cloned().unwrap_or_else(|| rule.clone()));
                continue;
            }
            let why = format!(
                "with bag {}: {}",
                &bag_id[..bag_id.len().min(16)],
                rule.why.chars().take(200).collect::<String>()
            );
            applied.push(self.store().set_marking_rule(&MarkingRule {
                unit,
                marking,
                why,
                by: String::new(),
                at: String::new(),
            })?);
        }
        Ok(applied)
    }

    /// Writes units (or the whole archive) as a BagIt bag and records the transfer.
    pub fn export_bag(
        &self,
        options: &ExportOptions,
        progress: &dyn Progress,
    ) -> Result<ExportReport, ArchiveError> {
        let started = std::time::Instant::now();
        // What goes: the documents and the described units inside each unit asked for.
        let mut documents: Vec<Document> = Vec::new();
        let mut units: Vec<Unit> = Vec::new();
        {
            let store = self.store();
            if options.units.is_empty() {
                store.each_document(&mut |d| {
                    documents.push(d);
                    Ok(())
                })?;
                units = store.units(None)?;
            } else {
                let mut seen_docs = HashSet::new();
                let mut seen_units = HashSet::new();
                for unit in &options.units {
                    let inside = store.documents_within(unit)?;
                    let described = store.units(Some(unit))?;
                    if inside.is_empty() && described.is_empty() {
                        return Err(ArchiveError::NotFound(unit.to_string()));
                    }
                    documents.extend(inside.into_iter().filter(|d| seen_docs.insert(d.id)));
                    units.extend(
                        described
                            .into_iter()
                            .filter(|u| seen_units.insert(u.reference.key())),
                    );
                }
            }
        }
        let external: Vec<String> = if options.units.is_empty() {
            let fonds: BTreeSet<String> = units
                .iter()
                .map(|u| u.reference.truncate(Level::Fonds).to_string())
                .chain(
                    documents
                        .iter()
                        .filter_map(|d| d.reference.as_ref())
                        .map(|r| r.truncate(Level::Fonds).to_string()),
                )
                .collect();
            fonds.into_iter().collect()
        } else {
            options.units.iter().map(|u| u.to_string()).collect()
        };

        let mut writer = BagWriter::create(&options.out, &[Algorithm::Sha256, Algorithm::Sha512])
            .map_err(|e| ArchiveError::Transfer(e.to_string()))?;
        progress.begin(documents.len() as u64);
        let mut used: HashSet<String> = HashSet::new();
        let mut described = Vec::with_capacity(documents.len());
        let mut inventory = String::from("reference,path,title,dates,sheets\n");
        for u in &units {
            inventory.push_str(&format!(
                "{},,{},{},{}\n",
                csv_field(&u.reference.to_string()),
                csv_field(u.title.as_deref().unwrap_or("")),
                u.dates.map(|d| d.to_string()).unwrap_or_default(),
                u.sheet_count.map(|n| n.to_string()).unwrap_or_default()
            ));
        }
        for doc in &documents {
            let name = Path::new(&doc.source_path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| format!("document-{}", doc.id.0));
            let folder = payload_folder(doc.reference.as_ref());
            let mut path = format!("data/{folder}/{}", payload_name(&name));
            if !used.insert(path.clone()) {
                path = format!("data/{folder}/{}-{}", doc.id.0, payload_name(&name));
                used.insert(path.clone());
            }
            // Copy from the blob store, checking the bytes against their name on the way:
            // a corrupted original must not leave the building as if it were sound.
            let mut reader = HashingReader::new(self.blobs().open(&doc.content)?);
            writer
                .add_payload(&path, &mut reader)
                .map_err(|e| ArchiveError::Transfer(e.to_string()))?;
            if reader.digest() != doc.content.0 {
                return Err(ArchiveError::Transfer(format!(
                    "the stored original of document {} ({}) does not match its hash; restore it from a good copy before exporting",
                    doc.id.0, doc.source_path
                )));
            }
            inventory.push_str(&format!(
                "{},{},{},{},\n",
                csv_field(
                    &doc.reference
                        .as_ref()
                        .map(|r| r.to_string())
                        .unwrap_or_default()
                ),
                csv_field(&path),
                csv_field(doc.title.as_deref().unwrap_or("")),
                doc.dates.map(|d| d.to_string()).unwrap_or_default(),
            ));
            described.push(DescribedDocument {
                path,
                reference: doc.reference.as_ref().map(|r| r.to_string()),
                title: doc.title.clone(),
                dates: doc.dates.map(|d| d.to_string()),
                content: doc.content.to_hex(),
                size: doc.size,
                format: doc.format.as_str().to_string(),
                placement: doc.placement.as_str().to_string(),
                // The sender's path tells of the sender's machine: only the file's
                // name, unless asked for.
                source_path: if options.with_paths {
                    doc.source_path.clone()
                } else {
                    Path::new(&doc.source_path)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                },
                ingested_at: doc.ingested_at.clone(),
            });
            progress.advance(1, doc.size);
        }
        progress.finish();
        let mut custody = Vec::new();
        for u in &external {
            if let Ok(r) = Reference::parse(u) {
                custody.extend(self.store().custody(&r)?);
            }
        }
        let markings = rules_for(&self.store().marking_rules()?, &options.units);
        let description = Description {
            format: DESCRIPTION_FORMAT.into(),
            units: units.clone(),
            documents: described,
            custody,
            markings: markings.clone(),
        };
        let json = serde_json::to_vec_pretty(&description)
            .map_err(|e| ArchiveError::Transfer(e.to_string()))?;
        writer
            .add_tag_file(DESCRIPTION, &json)
            .map_err(|e| ArchiveError::Transfer(e.to_string()))?;
        writer
            .add_tag_file(INVENTORY, inventory.as_bytes())
            .map_err(|e| ArchiveError::Transfer(e.to_string()))?;
        let (bytes, files) = writer.oxum();
        let organization = options.organization.clone().unwrap_or_else(|| {
            format!(
                "Kartoteka archive {}",
                self.root()
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            )
        });
        let mut info = vec![
            ("Source-Organization".to_string(), organization.clone()),
            ("Bagging-Date".to_string(), now()[..10].to_string()),
            (
                "External-Description".to_string(),
                format!("{files} originals with their archival description, exported by Kartoteka"),
            ),
        ];
        info.extend(
            external
                .iter()
                .map(|u| ("External-Identifier".to_string(), u.clone())),
        );
        // The highest marking the holdings carry, where anyone opening the bag sees it
        // first; each rule is in the description.
        if let Some(highest) = markings
            .iter()
            .map(|r| r.marking.clone())
            .reduce(|a, b| a.max(&b))
        {
            info.insert(0, ("Kartoteka-Marking".to_string(), highest.to_string()));
            for r in &markings {
                info.push((
                    "Kartoteka-Marking-Rule".to_string(),
                    format!("{}: {}", r.unit, r.marking),
                ));
            }
        }
        let bag = writer
            .finish(&info)
            .map_err(|e| ArchiveError::Transfer(e.to_string()))?;
        let bag_id = bag_id_of(&bag)?;
        let transfer = Transfer {
            id: 0,
            direction: Direction::Out,
            bag_id: bag_id.clone(),
            bag_path: bag.display().to_string(),
            source: Some(organization),
            from: None,
            to: options
                .to
                .clone()
                .or_else(|| Some(bag.display().to_string())),
            units: external.clone(),
            files,
            bytes,
            actor: String::new(),
            at: now(),
        };
        let id = self.store().record_transfer(&transfer, &[])?;
        Ok(ExportReport {
            transfer: id,
            bag,
            bag_id,
            units: external,
            files,
            bytes,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Validates a bag completely without touching the archive, hashing on `jobs` threads
    /// (0: one per core).
    pub fn validate_bag(
        bag: &Path,
        jobs: usize,
        progress: &dyn Progress,
    ) -> kartoteka_bagit::Report {
        // Payload and tag files are hashed; a quick count sizes the progress bar.
        let total = walkdir::WalkDir::new(bag)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .count() as u64;
        progress.begin(total);
        let options = ValidateOptions { threads: jobs };
        let report = kartoteka_bagit::validate(bag, &options, &|n| progress.advance(1, n));
        progress.finish();
        report
    }

    /// Validates a bag, then imports it as one batch and records the transfer; the bag's
    /// units are put in custody at `to` when given.
    pub fn import_bag(
        &self,
        bag: &Path,
        to: Option<&Location>,
        progress: &dyn Progress,
    ) -> Result<ImportReport, ArchiveError> {
        let started = std::time::Instant::now();
        // Documents are keyed by canonical source paths; the bag's must be too.
        let bag = &std::fs::canonicalize(bag).map_err(|e| ArchiveError::Folder {
            path: bag.to_path_buf(),
            message: e.to_string(),
        })?;
        let validation = Self::validate_bag(bag, self.jobs(), &crate::NoProgress);
        if !validation.is_valid() {
            return Err(ArchiveError::InvalidBag(
                validation.errors.iter().map(|e| e.to_string()).collect(),
            ));
        }
        let bag_id = validation.bag_id.clone().unwrap_or_default();
        let warnings: Vec<String> = validation.warnings.iter().map(|w| w.to_string()).collect();
        let files = validation.payload.len() as u64;
        let bytes = validation.payload_bytes;
        let earlier = self.store().transfers_of_bag(&bag_id)?;
        if let Some(t) = earlier.iter().find(|t| t.direction == Direction::In) {
            // Already here: only make sure its documents are searchable.
            self.catch_up_index()?;
            return Ok(ImportReport {
                transfer: t.id,
                already_imported: true,
                bag_id,
                units: t.units.clone(),
                files,
                bytes,
                added: 0,
                unchanged: files,
                not_extracted: Vec::new(),
                warnings,
                markings: Vec::new(),
                seconds: started.elapsed().as_secs_f64(),
            });
        }

        // Our own description, when the bag carries one.
        let description: Option<Description> = match std::fs::read(bag.join(DESCRIPTION)) {
            Ok(bytes) => Some(
                serde_json::from_slice(&bytes)
                    .map_err(|e| ArchiveError::Transfer(format!("{DESCRIPTION}: {e}")))?,
            ),
            Err(_) => None,
        };
        let mut placements = Vec::new();
        let mut units = Vec::new();
        if let Some(d) = &description {
            if d.format != DESCRIPTION_FORMAT {
                return Err(ArchiveError::Transfer(format!(
                    "{DESCRIPTION} is in format {:?}; this version reads {DESCRIPTION_FORMAT}",
                    d.format
                )));
            }
            units = d.units.clone();
            for doc in &d.documents {
                let Some(reference) = doc
                    .reference
                    .as_deref()
                    .and_then(|r| Reference::parse(r).ok())
                else {
                    continue;
                };
                placements.push((
                    bag.join(&doc.path),
                    Unit {
                        level: reference.level(),
                        reference,
                        title: doc.title.clone(),
                        dates: doc.dates.as_deref().and_then(DateRange::parse),
                        sheet_count: None,
                    },
                ));
            }
        }
        let external: Vec<String> = validation
            .info_values("External-Identifier")
            .into_iter()
            .map(str::to_string)
            .collect();
        let source = validation
            .info_values("Source-Organization")
            .first()
            .map(|s| s.to_string());

        // Originals the archive holds already at the same place (its own bag coming back,
        // or a bag that repeats an earlier one) are not stored twice.
        let data = bag.join("data");
        let mut already_here: HashMap<PathBuf, kartoteka_model::Document> = HashMap::new();
        for p in &validation.payload {
            let Some(hash) = p
                .sha256
                .as_deref()
                .and_then(|h| kartoteka_model::ContentHash::from_hex(h).ok())
            else {
                continue;
            };
            let place = placements
                .iter()
                .find(|(path, _)| *path == p.disk)
                .map(|(_, unit)| unit.reference.clone())
                .or_else(|| crate::placement::place_by_path(&data, &p.disk).0);
            let same = self
                .store()
                .documents_with_content(&hash)?
                .into_iter()
                .find(|d| d.reference == place);
            if let Some(d) = same {
                already_here.insert(p.disk.clone(), d);
            }
        }
        let options = IngestOptions {
            placements,
            defer_index: true,
            leave_out: already_here.keys().cloned().collect(),
            ..IngestOptions::default()
        };
        let batch = self.begin_batch()?;
        let result = (|| -> Result<ImportReport, ArchiveError> {
            // A unit the archive describes already keeps its description: the bag's
            // differing title or dates are reported, never written over ours.
            let mut described = Vec::new();
            let mut unit_warnings = Vec::new();
            for u in &units {
                match self.store().unit(&u.reference)? {
                    None => described.push(u.clone()),
                    Some(ours) => {
                        let mut merged = ours.clone();
                        if merged.title.is_none() {
                            merged.title = u.title.clone();
                        } else if u.title.is_some() && u.title != ours.title {
                            unit_warnings.push(format!(
                                "{}: the bag gives the title {:?}; the archive's {:?} is kept",
                                u.reference,
                                u.title.as_deref().unwrap_or(""),
                                ours.title.as_deref().unwrap_or("")
                            ));
                        }
                        if merged.dates.is_none() {
                            merged.dates = u.dates;
                        } else if u.dates.is_some() && u.dates != ours.dates {
                            unit_warnings.push(format!(
                                "{}: the bag gives the dates {}; the archive's {} are kept",
                                u.reference,
                                u.dates.as_ref().map(|d| d.to_string()).unwrap_or_default(),
                                ours.dates
                                    .as_ref()
                                    .map(|d| d.to_string())
                                    .unwrap_or_default()
                            ));
                        }
                        if merged.sheet_count.is_none() {
                            merged.sheet_count = u.sheet_count;
                        }
                        if merged != ours {
                            described.push(merged);
                        }
                    }
                }
            }
            if !described.is_empty() {
                self.store().upsert_units(&described)?;
            }
            let report = self.ingest(std::slice::from_ref(&data), &options, progress)?;
            // Files that could not be read at all never became documents: refuse the bag.
            let unread: Vec<String> = report
                .errors
                .iter()
                .filter(|e| {
                    self.store()
                        .document_by_source(&e.path)
                        .ok()
                        .flatten()
                        .is_none()
                })
                .map(|e| format!("{}: {}", e.path, e.error))
                .collect();
            if !unread.is_empty() {
                return Err(ArchiveError::Transfer(format!(
                    "could not read every payload file: {}",
                    unread.join("; ")
                )));
            }
            // The bytes stored are the bytes validated: a file swapped between validation
            // and ingest is caught here.
            for p in &validation.payload {
                let Some(want) = &p.sha256 else { continue };
                if already_here.contains_key(&p.disk) {
                    continue;
                }
                let stored = self
                    .store()
                    .document_by_source(&p.disk.display().to_string())?;
                let got = stored.map(|d| d.content.to_hex());
                if got.as_deref() != Some(want.as_str()) {
                    return Err(ArchiveError::Transfer(format!(
                        "{} changed between validation and import",
                        p.path
                    )));
                }
            }
            let mut bag_units = external.clone();
            if bag_units.is_empty() {
                let fonds: BTreeSet<String> = validation
                    .payload
                    .iter()
                    .filter_map(|p| match already_here.get(&p.disk) {
                        Some(d) => Some(d.clone()),
                        None => self
                            .store()
                            .document_by_source(&p.disk.display().to_string())
                            .ok()
                            .flatten(),
                    })
                    .filter_map(|d| d.reference.map(|r| r.truncate(Level::Fonds).to_string()))
                    .collect();
                bag_units = fonds.into_iter().collect();
            }
            let at = now();
            let custody: Vec<CustodyEntry> = match to {
                Some(location) => bag_units
                    .iter()
                    .map(|u| CustodyEntry {
                        unit: u.clone(),
                        location: location.clone(),
                        from: at.clone(),
                        until: None,
                        moved_by: String::new(),
                        transfer: None,
                    })
                    .collect(),
                None => Vec::new(),
            };
            let transfer = Transfer {
                id: 0,
                direction: Direction::In,
                bag_id: bag_id.clone(),
                bag_path: bag.display().to_string(),
                source: source.clone(),
                from: source.clone(),
                to: to.map(|l| l.to_string()),
                units: bag_units.clone(),
                files,
                bytes,
                actor: String::new(),
                at,
            };
            let markings = match &description {
                Some(d) => self.apply_incoming_markings(&d.markings, &bag_id)?,
                None => Vec::new(),
            };
            let id = self.store().record_transfer(&transfer, &custody)?;
            Ok(ImportReport {
                transfer: id,
                already_imported: false,
                bag_id: bag_id.clone(),
                units: bag_units,
                files,
                bytes,
                added: report.added,
                unchanged: report.unchanged + already_here.len() as u64,
                not_extracted: report
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.path, e.error))
                    .collect(),
                warnings: warnings.iter().cloned().chain(unit_warnings).collect(),
                markings,
                seconds: 0.0,
            })
        })();
        match result {
            Ok(mut report) => {
                batch.commit()?;
                self.catch_up_index()?;
                report.seconds = started.elapsed().as_secs_f64();
                Ok(report)
            }
            Err(e) => {
                batch.rollback()?;
                Err(e)
            }
        }
    }

    /// Records that units moved to a new place without a transfer.
    pub fn move_units(&self, units: &[Reference], to: &Location) -> Result<(), ArchiveError> {
        let at = now();
        let custody: Vec<CustodyEntry> = units
            .iter()
            .map(|u| CustodyEntry {
                unit: u.to_string(),
                location: to.clone(),
                from: at.clone(),
                until: None,
                moved_by: String::new(),
                transfer: None,
            })
            .collect();
        Ok(self.store().record_moves(&custody)?)
    }
}

/// Reads through and computes the SHA-256 of what was read.
struct HashingReader<R> {
    inner: R,
    hasher: sha2::Sha256,
}

impl<R: std::io::Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        use sha2::Digest;
        HashingReader {
            inner,
            hasher: sha2::Sha256::new(),
        }
    }

    fn digest(self) -> [u8; 32] {
        use sha2::Digest;
        self.hasher.finalize().into()
    }
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}
