//! Fixity: proving that every stored original still has the bytes it was stored with.

use std::collections::BTreeMap;
use std::time::Instant;

use kartoteka_model::ContentHash;
use kartoteka_store::{BlobError, Event};
use serde::Serialize;

use crate::archive::{now, parallel_map, Archive, ArchiveError, DocSummary};
use crate::Progress;

/// An original that failed its fixity check, with the documents that rest on it.
#[derive(Clone, Debug, Serialize)]
pub struct FixityProblem {
    /// The SHA-256 the original was stored under.
    pub hash: String,
    /// What was found.
    pub detail: String,
    /// The documents whose original it is.
    pub documents: Vec<DocSummary>,
}

/// A file kept from a package that failed its fixity check.
#[derive(Clone, Debug, Serialize)]
pub struct KeptProblem {
    /// The SHA-256 it was kept under.
    pub hash: String,
    /// What was found.
    pub detail: String,
    /// Where it was sent: "PKG-GBR-MI5-1: R-P3.md", each package that holds it.
    pub files: Vec<String>,
}

impl FixityReport {
    /// Whether anything failed: an original or a kept package file changed or missing.
    pub fn failed(&self) -> bool {
        !self.corrupted.is_empty() || !self.missing.is_empty() || !self.kept_problems.is_empty()
    }
}

/// The outcome of `kartoteka verify`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FixityReport {
    /// Originals checked.
    pub checked: u64,
    /// Originals whose bytes still hash to their name.
    pub passed: u64,
    /// Originals whose bytes changed.
    pub corrupted: Vec<FixityProblem>,
    /// Originals the metadata points at that are not stored.
    pub missing: Vec<FixityProblem>,
    /// Files kept from the packages sent to partners (what the portal shows them as
    /// packaged) checked.
    pub kept_checked: u64,
    /// Kept package files whose bytes changed or that are missing.
    pub kept_problems: Vec<KeptProblem>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

enum Check {
    Pass,
    Corrupted(String),
    Missing,
}

impl Archive {
    /// Re-hashes every original a document rests on, on every core, and records a PREMIS
    /// "fixity check" event with its outcome for each.
    pub fn verify(&self, progress: &dyn Progress) -> Result<FixityReport, ArchiveError> {
        let started = Instant::now();
        let mut by_hash: BTreeMap<ContentHash, Vec<DocSummary>> = BTreeMap::new();
        self.store().each_document(&mut |d| {
            by_hash.entry(d.content).or_default().push(DocSummary {
                doc: d.id,
                path: d.source_path,
                reference: d.reference.map(|r| r.to_string()),
            });
            Ok(())
        })?;
        progress.begin(by_hash.len() as u64);
        let hashes: Vec<ContentHash> = by_hash.keys().copied().collect();
        // Checks against a store across a network mostly wait: more of them at once.
        let workers = self.jobs() * self.blobs().reads_per_core().max(1);
        let checks: Vec<(ContentHash, Check)> = parallel_map(workers, &hashes, |h| {
            let check = self.check(h);
            progress.advance(1, 0);
            (*h, check)
        });
        progress.finish();
        let mut report = FixityReport {
            checked: checks.len() as u64,
            ..FixityReport::default()
        };
        let at = now();
        let mut events = Vec::with_capacity(checks.len());
        for (hash, check) in checks {
            let (outcome, detail) = match &check {
                Check::Pass => ("pass", None),
                Check::Corrupted(d) => ("fail", Some(d.clone())),
                Check::Missing => (
                    "fail",
                    Some("the original is missing from the blob store".to_string()),
                ),
            };
            events.push(Event {
                object: hash.to_hex(),
                event_type: "fixity check".into(),
                outcome: outcome.into(),
                detail: detail.clone(),
                at: at.clone(),
            });
            let documents = by_hash.remove(&hash).unwrap_or_default();
            match check {
                Check::Pass => report.passed += 1,
                Check::Corrupted(detail) => report.corrupted.push(FixityProblem {
                    hash: hash.to_hex(),
                    detail,
                    documents,
                }),
                Check::Missing => report.missing.push(FixityProblem {
                    hash: hash.to_hex(),
                    detail: "the original is missing from the blob store".into(),
                    documents,
                }),
            }
        }
        for batch in events.chunks(10_000) {
            self.store().record_events(batch)?;
        }
        // The files kept from packages: each hash once, with every place it was sent.
        let mut kept: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in self.store().packages()? {
            for v in &p.variants {
                for f in &v.files {
                    kept.entry(f.sha256.clone())
                        .or_default()
                        .push(format!("{}: {}", p.id, f.name));
                }
            }
        }
        let kept: Vec<(String, Vec<String>)> = kept.into_iter().collect();
        let checks = parallel_map(self.jobs(), &kept, |(hex, _)| {
            match ContentHash::from_hex(hex) {
                Ok(h) => self.check(&h),
                Err(e) => Check::Corrupted(format!("the register names no hash: {e}")),
            }
        });
        report.kept_checked = kept.len() as u64;
        for ((hex, files), check) in kept.into_iter().zip(checks) {
            let detail = match check {
                Check::Pass => continue,
                Check::Corrupted(d) => d,
                Check::Missing => "the kept file is missing from the blob store".to_string(),
            };
            report.kept_problems.push(KeptProblem {
                hash: hex,
                detail,
                files,
            });
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    fn check(&self, hash: &ContentHash) -> Check {
        let mut reader = match self.blobs().open(hash) {
            Ok(r) => r,
            Err(BlobError::Missing(_)) => return Check::Missing,
            Err(e) => return Check::Corrupted(format!("cannot be read: {e}")),
        };
        let actual = match kartoteka_store::hash_reader(&mut reader) {
            Ok((actual, _)) => actual,
            Err(e) => return Check::Corrupted(format!("cannot be read: {e}")),
        };
        if actual == *hash {
            Check::Pass
        } else {
            Check::Corrupted(format!("its bytes now hash to {actual}"))
        }
    }
}
