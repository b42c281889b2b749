//! Packages: a partner's variants as a BagIt bag signed with the archive's key, zipped and
//! encrypted to the partner's age recipient; the register of what was sent; the partner's
//! side, which opens a package and signs a receipt; receipts; and recall notices.
//!
//! A package file is `ID.zip.age`. Inside the encryption is a zip of one bag:
//!
//! ```text
//! bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
//! signature.json          the archive's Ed25519 signature over tagmanifest-sha256.txt
//! data/package.json       what the package is and holds
//! data/R-P3/R-P3.md .html .pdf .json .stix.json    one folder per report variant
//! ```
//!
//! The tag manifest covers every other file by its hash, so one signature over it covers
//! the whole bag; the signature file itself is the one file outside it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use kartoteka_bagit::{Algorithm, ValidateOptions};
use kartoteka_model::{
    KeptFile, KeptVariant, Package, PackageKind, PackagedReport, Partner, PartnerState, Receipt,
    ReportStatus,
};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::{PartnerKeys, Release};
use crate::audit::HeadKey;
use crate::{ArchiveError, HeadKeys};

/// The tag file the signature covers.
const SIGNED_FILE: &str = "tagmanifest-sha256.txt";
/// The signature's file, at the bag's root.
const SIGNATURE_FILE: &str = "signature.json";
/// The largest package opened, encrypted or unpacked, in bytes.
const LARGEST: u64 = 8 << 30;
/// The most files a package may unpack into.
const MOST_FILES: usize = 200_000;

/// The archive's signature over a bag.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Signature {
    /// The tag file signed.
    signed: String,
    /// The archive's Ed25519 public key, hex.
    verify_key: String,
    /// The signature, hex.
    signature: String,
}

/// What a package says it is (its `data/package.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PackageManifest {
    /// The package's id.
    pub id: String,
    /// Release or recall notice.
    pub kind: PackageKind,
    /// The partner it is for.
    pub partner: String,
    /// Its country.
    pub country: String,
    /// Its service.
    pub service: String,
    /// The report versions it holds or recalls.
    pub reports: Vec<PackagedReport>,
    /// Per report, its files and what its variant left out.
    #[serde(default)]
    pub contents: Vec<PackagedVariant>,
    /// Why (a recall's reason).
    #[serde(default)]
    pub why: String,
    /// The archive's Ed25519 public key, hex, as it signs.
    pub verify_key: String,
    /// When it was made.
    pub made_at: String,
}

/// One report variant in a package.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PackagedVariant {
    /// The report.
    pub id: String,
    /// Its version.
    pub version: u32,
    /// The variant's own marking.
    pub marking: String,
    /// Paragraphs kept, of the report's.
    pub paragraphs: usize,
    /// Paragraphs the partner may not have.
    pub dropped: usize,
    /// Its files in the bag.
    pub files: Vec<String>,
}

/// A package made and registered.
#[derive(Clone, Debug, Serialize)]
pub struct SentPackage {
    /// Its id.
    pub id: String,
    /// The partner.
    pub partner: String,
    /// The package file.
    pub path: PathBuf,
    /// The report versions it holds.
    pub reports: Vec<PackagedReport>,
    /// The package file's size.
    pub bytes: u64,
}

/// A package as its partner opened it.
#[derive(Clone, Debug, Serialize)]
pub struct Opened {
    /// What the package says it is.
    pub manifest: PackageManifest,
    /// Where the bag was written.
    pub bag: PathBuf,
    /// The signed receipt to send back.
    pub receipt: Receipt,
}

/// Who holds a recalled report, and the notices made.
#[derive(Clone, Debug, Serialize)]
pub struct Recall {
    /// The report.
    pub report: String,
    /// Each partner holding a version of it, with the packages that carried it.
    pub holders: Vec<(String, Vec<String>)>,
    /// The recall notice packages made (none without an output folder).
    pub notices: Vec<SentPackage>,
}

pub(super) fn failed(message: impl Into<String>) -> ArchiveError {
    ArchiveError::Package(message.into())
}

fn io_failed(path: &Path) -> impl Fn(std::io::Error) -> ArchiveError + '_ {
    move |e| failed(format!("{}: {e}", path.display()))
}

/// Checks an Ed25519 signature (hex) over `bytes` under a public key (hex).
pub(crate) fn signature_holds(public: &str, bytes: &[u8], signature: &str) -> bool {
    let key: Option<[u8; 32]> = hex::decode(public.trim())
        .ok()
        .and_then(|b| b.try_into().ok());
    let sig: Option<[u8; 64]> = hex::decode(signature.trim())
        .ok()
        .and_then(|b| b.try_into().ok());
    match (key, sig) {
        (Some(k), Some(s)) => ed25519_dalek::VerifyingKey::from_bytes(&k)
            .map(|k| {
                k.verify_strict(bytes, &ed25519_dalek::Signature::from_bytes(&s))
                    .is_ok()
            })
            .unwrap_or(false),
        _ => false,
    }
}

/// Makes a bag of `files` (paths under `data/`) in memory, signs its tag manifest, zips
/// it under a folder named `id`, encrypts it to the partner and writes `OUT/ID.zip.age`
/// whole (beside it first, then renamed). Returns the file, its SHA-256 and its size.
/// Nothing but the package file touches the disk: a release of thousands of variants is
/// not thousands of files created and synced.
fn write_package(
    id: &str,
    partner: &Partner,
    files: Vec<(String, Vec<u8>)>,
    info: &[(String, String)],
    key: &HeadKey,
    out: &Path,
) -> Result<(PathBuf, String, u64), ArchiveError> {
    let bag = kartoteka_bagit::bag_in_memory(files, Vec::new(), info, &[Algorithm::Sha256])
        .map_err(|e| failed(format!("making the bag: {e}")))?;
    let signed = bag
        .iter()
        .find(|(name, _)| name == SIGNED_FILE)
        .map(|(_, bytes)| bytes.as_slice())
        .ok_or_else(|| failed("the bag has no SHA-256 tag manifest"))?;
    let signature = Signature {
        signed: SIGNED_FILE.to_string(),
        verify_key: key.public_hex(),
        signature: key.sign_hex(signed),
    };
    let signature = serde_json::to_vec_pretty(&signature).map_err(|e| failed(e.to_string()))?;

    let mut zipped = std::io::Cursor::new(Vec::new());
    {
        let zip_error = |e: zip::result::ZipError| failed(format!("zipping the bag: {e}"));
        let mut zip = zip::ZipWriter::new(&mut zipped);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o600);
        let mut entries: Vec<(&str, &[u8])> = bag
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        entries.push((SIGNATURE_FILE, &signature));
        entries.sort_by(|a, b| a.0.cmp(b.0));
        for (name, bytes) in entries {
            zip.start_file(format!("{id}/{name}"), options)
                .map_err(zip_error)?;
            zip.write_all(bytes)
                .map_err(|e| failed(format!("zipping the bag: {e}")))?;
        }
        zip.finish().map_err(zip_error)?;
    }
    let sealed = encrypt_to(&partner.recipient, zipped.get_ref())
        .map_err(|e| failed(format!("partner {}: {e}", partner.id)))?;
    std::fs::create_dir_all(out).map_err(io_failed(out))?;
    let file = out.join(format!("{id}.zip.age"));
    if file.exists() {
        return Err(failed(format!(
            "{} exists already; nothing was sent",
            file.display()
        )));
    }
    let work = tempfile::Builder::new()
        .prefix(".package-")
        .tempdir_in(out)
        .map_err(io_failed(out))?;
    let partial = work.path().join(format!("{id}.zip.age"));
    std::fs::write(&partial, &sealed).map_err(io_failed(&partial))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io_failed(&partial))?;
    std::fs::rename(&partial, &file).map_err(io_failed(&file))?;
    let sha = hex::encode(sha2::Sha256::digest(&sealed));
    Ok((file, sha, sealed.len() as u64))
}

/// `plain` encrypted to an age X25519 recipient ("age1..."), as the `age` tool would.
pub fn encrypt_to(recipient: &str, plain: &[u8]) -> Result<Vec<u8>, ArchiveError> {
    let recipient: age::x25519::Recipient = recipient
        .parse()
        .map_err(|e| failed(format!("the recipient does not read: {e}")))?;
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| failed(format!("encrypting: {e}")))?;
    let mut sealed = Vec::with_capacity(plain.len() + 256);
    let mut writer = encryptor
        .wrap_output(&mut sealed)
        .map_err(|e| failed(format!("encrypting: {e}")))?;
    writer
        .write_all(plain)
        .map_err(|e| failed(format!("encrypting: {e}")))?;
    writer
        .finish()
        .map_err(|e| failed(format!("encrypting: {e}")))?;
    Ok(sealed)
}

/// A variant's files (under `data/ID/`) and its line in the package's manifest.
type WrittenVariant = (Vec<(String, Vec<u8>)>, PackagedVariant);

/// The partner's variants of `sends` in every format, on `jobs` threads, in the order
/// given.
fn write_variants(
    partner: &Partner,
    sends: &[(&kartoteka_model::Report, bool)],
    pdf: bool,
    jobs: usize,
    progress: &dyn crate::Progress,
) -> Result<Vec<WrittenVariant>, ArchiveError> {
    let one = |report: &kartoteka_model::Report, consent: bool| {
        let variant = kartoteka_release::variant(report, partner, consent);
        let mut files = Vec::new();
        let mut names = Vec::new();
        let written = kartoteka_report::report_files(&variant.report, pdf)
            .map_err(|e| failed(format!("writing {}: {e}", report.id)))?;
        let mut bytes = 0u64;
        for (name, data) in written {
            let path = format!("data/{}/{name}", report.id);
            names.push(path.clone());
            bytes += data.len() as u64;
            files.push((path, data));
        }
        progress.advance(1, bytes);
        Ok((
            files,
            PackagedVariant {
                id: report.id.clone(),
                version: report.version,
                marking: variant.report.marking().to_string(),
                paragraphs: variant.report.paragraphs.len(),
                dropped: variant.loss.dropped.len(),
                files: names,
            },
        ))
    };
    let chunk = sends.len().div_ceil(jobs).max(1);
    let parts: Vec<Result<Vec<WrittenVariant>, ArchiveError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = sends
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|(r, c)| one(r, *c)).collect()))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(failed("a thread writing variants failed")))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(sends.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// The next package id of a partner: its packages counted from 1.
fn next_id(register: &[Package], partner: &str) -> String {
    let n = register.iter().filter(|p| p.partner == partner).count() + 1;
    format!("PKG-{partner}-{n}")
}

impl Release<'_> {
    /// Makes a package for each partner named (every active partner with `all`) that the
    /// plan sends reports to: its variants of those reports in every format (PDF too
    /// when `pdf`), signed with the archive's key and encrypted to it, written to `out`
    /// and recorded in the register. A partner the plan sends nothing gets no package.
    /// One partner at a time, its variants written on every core; `progress` counts
    /// variants.
    pub fn send(
        &self,
        partners: &[String],
        all: bool,
        out: &Path,
        keys: &HeadKeys,
        pdf: bool,
        progress: &dyn crate::Progress,
    ) -> Result<Vec<SentPackage>, ArchiveError> {
        if partners.is_empty() && !all {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "name the partners to send to, or send to all".into(),
            ));
        }
        let chosen = self.chosen(partners)?;
        if let Some(p) = chosen
            .iter()
            .find(|p| p.state == PartnerState::Suspended && !all)
        {
            return Err(ArchiveError::BadTarget(
                p.id.clone(),
                format!("partner {} is suspended and receives nothing", p.id),
            ));
        }
        let key = self.archive.signing_key(keys)?;
        let collection = self.collection()?;
        let offers = collection.offers();
        // What goes to whom, one partner's plan at a time (the whole matrix is never held).
        let mut rounds: Vec<(&Partner, Vec<(&kartoteka_model::Report, bool)>)> = Vec::new();
        for partner in chosen.iter().filter(|p| p.state == PartnerState::Active) {
            let plan = kartoteka_release::plan(
                std::slice::from_ref(partner),
                &offers,
                &collection.routings,
                &collection.consents,
            );
            let mut sends = Vec::new();
            for (cell, offer) in plan.cells.iter().zip(&offers) {
                if !cell.send {
                    continue;
                }
                let report = offer.approved.ok_or_else(|| {
                    failed(format!("report {} has no approved version", cell.report))
                })?;
                if report.status != ReportStatus::Approved {
                    return Err(failed(format!(
                        "report {} version {} is not approved",
                        report.id, report.version
                    )));
                }
                let consent = collection
                    .consents
                    .iter()
                    .any(|c| c.report == report.id && c.partner == partner.id);
                sends.push((report, consent));
            }
            if !sends.is_empty() {
                rounds.push((partner, sends));
            }
        }
        progress.begin(rounds.iter().map(|(_, s)| s.len() as u64).sum());
        let jobs = self.archive.jobs().max(1);
        let mut sent = Vec::new();
        for (partner, sends) in rounds {
            let written = write_variants(partner, &sends, pdf, jobs, progress)?;
            let mut files = Vec::new();
            let mut contents = Vec::new();
            let mut reports = Vec::new();
            let mut kept = Vec::with_capacity(written.len());
            for (variant_files, packaged) in written {
                kept.push(self.keep_variant(&packaged, &variant_files)?);
                files.extend(variant_files);
                reports.push(PackagedReport {
                    id: packaged.id.clone(),
                    version: packaged.version,
                });
                contents.push(packaged);
            }
            let register = self.archive.store().packages()?;
            let id = next_id(&register, &partner.id);
            let manifest = PackageManifest {
                id: id.clone(),
                kind: PackageKind::Release,
                partner: partner.id.clone(),
                country: partner.country.clone(),
                service: partner.service.clone(),
                reports,
                contents,
                why: String::new(),
                verify_key: key.public_hex(),
                made_at: kartoteka_model::now_rfc3339(),
            };
            sent.push(self.seal_and_register(&manifest, partner, files, kept, &key, out)?);
        }
        progress.finish();
        Ok(sent)
    }

    /// Keeps a variant's files in the blob store, as they go into the package, so that
    /// the portal shows the partner what it was sent and not a variant made again (which
    /// a later marking rule or consent would change). A package that then fails to be
    /// registered leaves these blobs unreferenced, which is harmless: they are addressed
    /// by content and nothing lists them.
    fn keep_variant(
        &self,
        packaged: &PackagedVariant,
        files: &[(String, Vec<u8>)],
    ) -> Result<KeptVariant, ArchiveError> {
        let mut kept = Vec::with_capacity(files.len());
        for (path, bytes) in files {
            let hash = self
                .archive
                .blobs()
                .put(bytes)
                .map_err(|e| failed(format!("keeping {path}: {e}")))?;
            kept.push(KeptFile {
                name: path.rsplit('/').next().unwrap_or(path).to_string(),
                sha256: hash.to_hex(),
                bytes: bytes.len() as u64,
            });
        }
        Ok(KeptVariant {
            report: packaged.id.clone(),
            version: packaged.version,
            marking: packaged.marking.clone(),
            files: kept,
        })
    }

    /// Writes a package with its manifest and records it; a package not recorded is
    /// removed, so that nothing is on disk as sent that the register does not hold.
    fn seal_and_register(
        &self,
        manifest: &PackageManifest,
        partner: &Partner,
        mut files: Vec<(String, Vec<u8>)>,
        variants: Vec<KeptVariant>,
        key: &HeadKey,
        out: &Path,
    ) -> Result<SentPackage, ArchiveError> {
        let json = serde_json::to_vec_pretty(manifest).map_err(|e| failed(e.to_string()))?;
        files.insert(0, ("data/package.json".to_string(), json));
        let info = vec![
            ("External-Identifier".to_string(), manifest.id.clone()),
            (
                "External-Description".to_string(),
                format!(
                    "Kartoteka {} package for {} ({})",
                    manifest.kind.as_str(),
                    partner.id,
                    partner.service
                ),
            ),
            (
                "Bagging-Date".to_string(),
                manifest.made_at.chars().take(10).collect(),
            ),
        ];
        let (path, sha256, bytes) = write_package(&manifest.id, partner, files, &info, key, out)?;
        let record = Package {
            id: manifest.id.clone(),
            kind: manifest.kind,
            partner: partner.id.clone(),
            country: partner.country.clone(),
            reports: manifest.reports.clone(),
            sha256,
            file: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            sent_at: String::new(),
            officer: String::new(),
            why: manifest.why.clone(),
            receipt: None,
            variants,
        };
        if let Err(e) = self.archive.store().add_package(&record) {
            let _ = std::fs::remove_file(&path);
            return Err(e.into());
        }
        Ok(SentPackage {
            id: manifest.id.clone(),
            partner: partner.id.clone(),
            path,
            reports: manifest.reports.clone(),
            bytes,
        })
    }

    /// The register: every package, for one partner or holding one report when asked.
    pub fn register(
        &self,
        partner: Option<&str>,
        report: Option<&str>,
    ) -> Result<Vec<Package>, ArchiveError> {
        let partner = match partner {
            Some(p) => Some(self.partner(p)?.id),
            None => None,
        };
        Ok(self
            .archive
            .store()
            .packages()?
            .into_iter()
            .filter(|p| partner.as_ref().is_none_or(|id| p.partner == *id))
            .filter(|p| report.is_none_or(|r| p.reports.iter().any(|x| x.id == r)))
            .collect())
    }

    /// The packages sent to the partner of this id, releases and recall notices, in the
    /// order they were sent. Whether such a partner exists is not asked: the answer for
    /// an unknown id is the empty list, reached by the same work as any other.
    pub fn packages_for(&self, partner: &str) -> Result<Vec<Package>, ArchiveError> {
        Ok(self
            .archive
            .store()
            .packages()?
            .into_iter()
            .filter(|p| p.partner == partner)
            .collect())
    }

    /// Records a partner's receipt (the JSON `release open` wrote) once its signature
    /// holds under the partner's key and it names a package sent to that partner, with
    /// the file's hash as sent.
    pub fn record_receipt(&self, json: &[u8]) -> Result<Package, ArchiveError> {
        let receipt: Receipt = serde_json::from_slice(json)
            .map_err(|e| ArchiveError::BadTarget(String::new(), format!("not a receipt: {e}")))?;
        let package = self
            .archive
            .store()
            .packages()?
            .into_iter()
            .find(|p| p.id == receipt.package)
            .ok_or_else(|| ArchiveError::NotFound(format!("package {}", receipt.package)))?;
        let refuse = |why: String| ArchiveError::BadTarget(receipt.package.clone(), why);
        if package.partner != receipt.partner {
            return Err(refuse(format!(
                "the receipt names partner {}, but the package went to {}",
                receipt.partner, package.partner
            )));
        }
        if package.sha256 != receipt.sha256 {
            return Err(refuse(
                "the receipt is for other bytes than the package sent".into(),
            ));
        }
        let partner = self.partner(&package.partner)?;
        if !signature_holds(
            &partner.verify_key,
            receipt.signed_text().as_bytes(),
            &receipt.signature,
        ) {
            return Err(refuse(format!(
                "the receipt's signature does not hold under {}'s key",
                partner.id
            )));
        }
        Ok(self.archive.store().set_receipt(&receipt)?)
    }

    /// Who holds a version of a report, from the register; with `out`, a recall notice
    /// package for each of them, signed, encrypted and registered.
    pub fn recall(
        &self,
        report: &str,
        why: &str,
        out: Option<&Path>,
        keys: &HeadKeys,
    ) -> Result<Recall, ArchiveError> {
        if why.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                report.to_string(),
                "say why the report is recalled".into(),
            ));
        }
        let register = self.archive.store().packages()?;
        let mut holders: Vec<(String, Vec<String>)> = Vec::new();
        for p in register.iter().filter(|p| p.kind == PackageKind::Release) {
            if p.reports.iter().any(|r| r.id == report) {
                match holders.iter_mut().find(|(h, _)| *h == p.partner) {
                    Some((_, ids)) => ids.push(p.id.clone()),
                    None => holders.push((p.partner.clone(), vec![p.id.clone()])),
                }
            }
        }
        if holders.is_empty() {
            // Say whether the report exists at all.
            self.archive.reports().report(report, None)?;
        }
        let mut notices = Vec::new();
        if let Some(out) = out {
            let key = self.archive.signing_key(keys)?;
            for (partner, packages) in &holders {
                let partner = self.partner(partner)?;
                let versions: Vec<PackagedReport> = register
                    .iter()
                    .filter(|p| packages.contains(&p.id))
                    .flat_map(|p| p.reports.iter().filter(|r| r.id == report).cloned())
                    .collect();
                let notice = serde_json::json!({
                    "recall": report,
                    "versions": versions,
                    "packages": packages,
                    "why": why.trim(),
                });
                let manifest = PackageManifest {
                    id: next_id(&self.archive.store().packages()?, &partner.id),
                    kind: PackageKind::Recall,
                    partner: partner.id.clone(),
                    country: partner.country.clone(),
                    service: partner.service.clone(),
                    reports: versions,
                    contents: vec![],
                    why: why.trim().to_string(),
                    verify_key: key.public_hex(),
                    made_at: kartoteka_model::now_rfc3339(),
                };
                let files = vec![(
                    "data/recall.json".to_string(),
                    serde_json::to_vec_pretty(&notice).map_err(|e| failed(e.to_string()))?,
                )];
                notices.push(self.seal_and_register(
                    &manifest,
                    &partner,
                    files,
                    Vec::new(),
                    &key,
                    out,
                )?);
            }
        }
        Ok(Recall {
            report: report.to_string(),
            holders,
            notices,
        })
    }
}

/// A released report version that is no longer what the archive would send: the report
/// was superseded or withdrawn, or a later version was approved.
#[derive(Clone, Debug, Serialize)]
pub struct Outdated {
    /// The report.
    pub report: String,
    /// The version the partner holds.
    pub version: u32,
    /// The partner.
    pub partner: String,
    /// The package that carried it.
    pub package: String,
    /// What happened since, in words.
    pub why: String,
}

impl Release<'_> {
    /// Every released report version a partner holds that is no longer current, with what
    /// happened to it: the list to recall from (`recall`), newest package first for each.
    pub fn outdated(&self) -> Result<Vec<Outdated>, ArchiveError> {
        let reports = self.archive.reports();
        let fates = reports.report_fates()?;
        let latest: std::collections::HashMap<String, kartoteka_model::Report> = reports
            .all()?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let mut out: Vec<Outdated> = Vec::new();
        let register = self.archive.store().packages()?;
        let recalled: Vec<(&str, &str)> = register
            .iter()
            .filter(|p| p.kind == PackageKind::Recall)
            .flat_map(|p| {
                p.reports
                    .iter()
                    .map(move |r| (p.partner.as_str(), r.id.as_str()))
            })
            .collect();
        for p in register.iter().filter(|p| p.kind == PackageKind::Release) {
            for held in &p.reports {
                if recalled.contains(&(p.partner.as_str(), held.id.as_str())) {
                    continue;
                }
                let fate = fates
                    .iter()
                    .find(|((id, v), _)| *id == held.id && *v >= held.version)
                    .map(|(_, f)| f);
                let why = match (fate, latest.get(&held.id)) {
                    (Some(f), _) if f.by.is_empty() => format!("{}: {}", f.fate, f.reason),
                    (Some(f), _) => format!("{} by {}: {}", f.fate, f.by.join(", "), f.reason),
                    (None, Some(r))
                        if r.version > held.version && r.status == ReportStatus::Approved =>
                    {
                        format!("version {} approved since", r.version)
                    }
                    _ => continue,
                };
                out.retain(|o| !(o.partner == p.partner && o.report == held.id));
                out.push(Outdated {
                    report: held.id.clone(),
                    version: held.version,
                    partner: p.partner.clone(),
                    package: p.id.clone(),
                    why,
                });
            }
        }
        Ok(out)
    }
}

/// The partner's side: decrypts a package with its keys, checks the archive's signature
/// under `archive_key` (hex), validates the bag, writes it to `out` (which must not
/// exist) and signs a receipt. Nothing is written to `out` unless every check holds.
pub fn open_package(
    package: &Path,
    keys: &PartnerKeys,
    archive_key: &str,
    out: &Path,
) -> Result<Opened, ArchiveError> {
    if out.exists() {
        return Err(ArchiveError::BadTarget(
            out.display().to_string(),
            "the folder to open the package into exists already; name a new one".into(),
        ));
    }
    let size = std::fs::metadata(package)
        .map_err(io_failed(package))?
        .len();
    if size > LARGEST {
        return Err(failed(format!(
            "{}: {size} bytes is more than a package may be",
            package.display()
        )));
    }
    let sealed = std::fs::read(package).map_err(io_failed(package))?;
    let sha256 = hex::encode(sha2::Sha256::digest(&sealed));
    let decryptor = age::Decryptor::new(&sealed[..]).map_err(|e| {
        failed(format!(
            "{} is not an age-encrypted package: {e}",
            package.display()
        ))
    })?;
    let mut reader = decryptor
        .decrypt(std::iter::once(keys.identity() as &dyn age::Identity))
        .map_err(|_| {
            failed(format!(
                "{} was not encrypted to these keys (it is for another partner, or damaged)",
                package.display()
            ))
        })?;
    let mut zipped = Vec::new();
    reader
        .by_ref()
        .take(LARGEST)
        .read_to_end(&mut zipped)
        .map_err(|e| failed(format!("{}: damaged: {e}", package.display())))?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_failed(parent))?;
    let work = tempfile::Builder::new()
        .prefix(".opening-")
        .tempdir_in(parent)
        .map_err(io_failed(parent))?;
    let bag = unzip_one_bag(&zipped, work.path())?;
    let signature: Signature = std::fs::read(bag.join(SIGNATURE_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| failed("the package carries no signature of the archive"))?;
    if signature.signed != SIGNED_FILE {
        return Err(failed(format!(
            "the package's signature covers {:?}, not {SIGNED_FILE}",
            signature.signed
        )));
    }
    let signed = std::fs::read(bag.join(SIGNED_FILE)).map_err(io_failed(&bag))?;
    if !signature_holds(archive_key, &signed, &signature.signature) {
        return Err(failed(
            "the archive's signature does not hold under the key given: the package was changed, or is not from that archive",
        ));
    }
    let report = kartoteka_bagit::validate(&bag, &ValidateOptions::default(), &|_| {});
    if !report.errors.is_empty() {
        let problems: Vec<String> = report.errors.iter().map(|p| p.to_string()).collect();
        return Err(failed(format!(
            "the bag inside is invalid: {}",
            problems.join("; ")
        )));
    }
    let manifest: PackageManifest = std::fs::read(bag.join("data/package.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| failed("the bag holds no readable data/package.json"))?;
    std::fs::rename(&bag, out).map_err(io_failed(out))?;
    let mut receipt = Receipt {
        package: manifest.id.clone(),
        partner: manifest.partner.clone(),
        sha256,
        received_at: kartoteka_model::now_rfc3339(),
        signature: String::new(),
    };
    {
        use ed25519_dalek::Signer;
        receipt.signature = hex::encode(
            keys.signing_key()
                .sign(receipt.signed_text().as_bytes())
                .to_bytes(),
        );
    }
    Ok(Opened {
        manifest,
        bag: out.to_path_buf(),
        receipt,
    })
}

/// Unpacks a zip holding one bag folder into `into`, refusing paths that leave it, links,
/// and more files or bytes than a package may hold. Returns the bag's folder.
fn unzip_one_bag(zipped: &[u8], into: &Path) -> Result<PathBuf, ArchiveError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zipped))
        .map_err(|e| failed(format!("the package is not a zip of a bag: {e}")))?;
    if zip.len() > MOST_FILES {
        return Err(failed(format!("the package holds {} files", zip.len())));
    }
    let mut top: Option<String> = None;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| failed(format!("the package's zip is damaged: {e}")))?;
        let name = entry.name().map(|n| n.into_owned()).map_err(|e| {
            failed(format!(
                "the package's zip has a name that does not read: {e}"
            ))
        })?;
        if name.starts_with(['/', '\\']) || name.contains(':') {
            return Err(failed(format!("the package holds an unsafe path {name:?}")));
        }
        let rel = entry
            .enclosed_name()
            .filter(|p| {
                p.components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)))
            })
            .ok_or_else(|| failed(format!("the package holds an unsafe path {name:?}")))?;
        if entry.is_symlink() {
            return Err(failed(format!("the package holds a link {name:?}")));
        }
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        match &top {
            None => top = Some(first),
            Some(t) if *t == first => {}
            Some(_) => return Err(failed("the package holds more than one bag")),
        }
        if entry.is_dir() {
            continue;
        }
        let path = into.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_failed(dir))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io_failed(&path))?;
        let copied = std::io::copy(&mut (&mut entry).take(LARGEST - total + 1), &mut file)
            .map_err(|e| failed(format!("{name}: {e}")))?;
        total += copied;
        if total > LARGEST {
            return Err(failed(
                "the package unpacks to more than a package may hold",
            ));
        }
    }
    let top = top.ok_or_else(|| failed("the package is empty"))?;
    Ok(into.join(top))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            for (name, bytes) in entries {
                zip.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                zip.write_all(bytes).unwrap();
            }
            zip.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn a_package_never_unpacks_outside_its_folder_nor_into_two_bags() {
        let dir = tempfile::tempdir().unwrap();
        for (entries, says) in [
            (vec![("../evil.txt", &b"x"[..])], "unsafe path"),
            (vec![("/etc/evil", &b"x"[..])], "unsafe path"),
            (
                vec![("bag/a.txt", &b"x"[..]), ("other/b.txt", &b"y"[..])],
                "more than one bag",
            ),
        ] {
            let into = tempfile::tempdir_in(dir.path()).unwrap();
            let e = unzip_one_bag(&zip_of(&entries), into.path()).unwrap_err();
            assert!(e.to_string().contains(says), "{e}");
        }
        assert!(!dir.path().join("evil.txt").exists());
        let into = tempfile::tempdir_in(dir.path()).unwrap();
        let bag = unzip_one_bag(&zip_of(&[("bag/data/a.txt", b"x")]), into.path()).unwrap();
        assert_eq!(std::fs::read(bag.join("data/a.txt")).unwrap(), b"x");
        assert!(unzip_one_bag(b"not a zip", into.path()).is_err());
    }

    proptest::proptest! {
        // Whatever bytes a package decrypts to, unpacking answers with an error or a bag
        // inside its folder, and never panics; a valid zip with a byte changed likewise.
        #[test]
        fn unpacking_any_bytes_never_panics_nor_leaves_its_folder(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000),
            flip in 0usize..2000,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let into = tempfile::tempdir_in(dir.path()).unwrap();
            if let Ok(bag) = unzip_one_bag(&bytes, into.path()) {
                proptest::prop_assert!(bag.starts_with(into.path()));
            }
            let mut zipped = zip_of(&[("bag/data/a.txt", b"text"), ("bag/bagit.txt", b"BagIt-Version: 1.0")]);
            let at = flip % zipped.len();
            zipped[at] ^= 0x5a;
            let into = tempfile::tempdir_in(dir.path()).unwrap();
            if let Ok(bag) = unzip_one_bag(&zipped, into.path()) {
                proptest::prop_assert!(bag.starts_with(into.path()));
            }
            let outside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok)
                .filter(|e| e.file_type().map(|t| !t.is_dir()).unwrap_or(true)).collect();
            proptest::prop_assert!(outside.is_empty());
        }
    }

    #[test]
    fn a_signature_holds_only_for_its_bytes_and_key() {
        let key = HeadKey::generate().unwrap();
        let other = HeadKey::generate().unwrap();
        let sig = key.sign_hex(b"tag manifest");
        assert!(signature_holds(&key.public_hex(), b"tag manifest", &sig));
        assert!(!signature_holds(&key.public_hex(), b"tag manifesT", &sig));
        assert!(!signature_holds(&other.public_hex(), b"tag manifest", &sig));
        assert!(!signature_holds("zz", b"tag manifest", &sig));
        assert!(!signature_holds(&key.public_hex(), b"tag manifest", "00"));
    }
}
