//! Checking and reading the audit chain.

use kartoteka_store::{AuditAction, AuditEntry, AuditFilter, ChainCheck};
use serde::Serialize;

use crate::{Archive, ArchiveError, Progress};

/// What `audit verify` found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// True when every entry is intact and linked, and the expected head (if given) was found.
    pub ok: bool,
    /// Entries read.
    pub entries: u64,
    /// Position of the first broken entry.
    pub first_bad: Option<u64>,
    /// What is wrong there, or why the head was not found.
    pub problem: Option<String>,
    /// Hash of the last intact entry: print it, keep it elsewhere, check it later.
    pub head: String,
    /// Rows of the archive that differ from what the chain recorded of them, are missing,
    /// or were never in the chain: each named, with what is wrong.
    pub rows: Vec<String>,
}

/// What the chain last recorded of the archive's rows.
#[derive(Default)]
struct Recorded {
    /// Per document: its original's hash and its text's hash, when recorded.
    documents: std::collections::BTreeMap<i64, (Option<String>, Option<String>)>,
    /// Per unit: its marking rule (None once removed).
    rules: std::collections::BTreeMap<String, Option<String>>,
    /// Per report version: the hash of its body, when recorded.
    reports: std::collections::BTreeMap<(String, u32), Option<String>>,
}

impl Recorded {
    fn read(&mut self, e: &AuditEntry) {
        let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
        let text = |k: &str| detail.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let Some(object) = e.object.as_deref() else {
            return;
        };
        if let Some(n) = object
            .strip_prefix("doc:")
            .and_then(|n| n.parse::<i64>().ok())
        {
            let row = self.documents.entry(n).or_default();
            if matches!(e.kind(), Some(AuditAction::Ingest | AuditAction::Update)) {
                row.0 = text("content");
            }
            if matches!(
                e.kind(),
                Some(AuditAction::Ingest | AuditAction::Update | AuditAction::ReExtract)
            ) {
                row.1 = text("text");
            }
        } else if e.is(AuditAction::MarkingRule) {
            if let Some(unit) = object.strip_prefix("marking rule ") {
                self.rules.insert(unit.to_string(), text("marking"));
            }
        } else if e.is(AuditAction::Report) {
            if let (Some(id), Some(v)) = (
                text("report"),
                detail.get("version").and_then(|v| v.as_u64()),
            ) {
                self.reports.insert((id, v as u32), text("body"));
            }
        }
    }
}

/// Entries read and hashed per round.
const BATCH: usize = 50_000;

impl Archive {
    /// Recomputes the chain from its first entry and reports the first place it breaks.
    /// `expected_head` is a head hash kept from earlier: it must be in the chain, or
    /// entries were cut from its end.
    pub fn audit_verify(
        &self,
        expected_head: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<ChainReport, ArchiveError> {
        let total = self.store().audit_head()?.map(|(n, _)| n).unwrap_or(0);
        progress.begin(total);
        let mut check = ChainCheck::new(expected_head);
        let mut recorded = Recorded::default();
        let mut after = 0;
        'chain: loop {
            let batch = self.store().audit_after(after, BATCH)?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            // Hashing is the work; it runs on every core, the linking check in order.
            let hashes = crate::archive::parallel_map(self.jobs(), &batch, |e: &AuditEntry| {
                e.computed_hash()
            });
            for (entry, hash) in batch.iter().zip(&hashes) {
                if !check.feed_with_hash(entry, hash) {
                    break 'chain;
                }
                recorded.read(entry);
            }
            progress.advance(batch.len() as u64, 0);
        }
        progress.finish();
        let (first_bad, mut problem) = match check.first_bad() {
            Some((at, why)) => (Some(*at), Some(why.clone())),
            None => (None, None),
        };
        if first_bad.is_none() && !check.head_seen() {
            problem = Some(format!(
                "the expected head {} is not in the chain: entries after it were removed, or it is from another archive",
                expected_head.unwrap_or_default()
            ));
        }
        let rows = if first_bad.is_none() {
            self.rows_against(&recorded)?
        } else {
            Vec::new()
        };
        if problem.is_none() && check.entries() == 0 && self.store().summary()?.documents > 0 {
            problem = Some(
                "the chain is empty, but the archive holds documents: its entries were removed"
                    .to_string(),
            );
        }
        Ok(ChainReport {
            ok: problem.is_none() && rows.is_empty(),
            entries: check.entries(),
            first_bad,
            problem,
            head: check.head().to_string(),
            rows,
        })
    }

    /// The archive's rows against what the chain recorded of them: documents (original
    /// and text), marking rules and report versions. Each one that differs, is missing, or
    /// was never recorded, named.
    fn rows_against(&self, recorded: &Recorded) -> Result<Vec<String>, ArchiveError> {
        let mut out = Vec::new();
        let mut documents = Vec::new();
        self.store().each_document(&mut |d| {
            documents.push(d);
            Ok(())
        })?;
        let mut seen = std::collections::BTreeSet::new();
        for d in &documents {
            seen.insert(d.id.0);
            let name = format!("document {} ({})", d.id.0, d.source_path);
            match recorded.documents.get(&d.id.0) {
                None | Some((None, _)) => out.push(format!("{name}: not in the chain")),
                Some((Some(content), text)) => {
                    if *content != d.content.to_hex() {
                        out.push(format!(
                            "{name}: its original's hash differs from the chain's"
                        ));
                    }
                    if let Some(text) = text {
                        let pages = self.store().pages(d.id)?;
                        if *text != kartoteka_store::text_hash(&pages) {
                            out.push(format!(
                                "{name}: its text differs from what the chain recorded"
                            ));
                        }
                    }
                }
            }
        }
        for (n, (content, _)) in &recorded.documents {
            if content.is_some() && !seen.contains(n) {
                out.push(format!(
                    "document {n}: in the chain, missing from the archive"
                ));
            }
        }
        let rules = self.store().marking_rules()?;
        for r in &rules {
            match recorded.rules.get(&r.unit) {
                Some(Some(m)) if *m == r.marking.to_string() => {}
                Some(Some(m)) => out.push(format!(
                    "marking rule {}: {} here, {m} in the chain",
                    r.unit, r.marking
                )),
                _ => out.push(format!("marking rule {}: not in the chain", r.unit)),
            }
        }
        for (unit, m) in &recorded.rules {
            if m.is_some() && !rules.iter().any(|r| &r.unit == unit) {
                out.push(format!(
                    "marking rule {unit}: in the chain, missing from the archive"
                ));
            }
        }
        let mut versions = std::collections::BTreeSet::new();
        // Bound first: a guard made in a `for` head lives through the loop.
        let latest_reports = self.store().reports()?;
        for latest in latest_reports {
            let kept = self.store().report_versions(&latest.id)?;
            for r in kept {
                let key = (r.id.clone(), r.version);
                versions.insert(key.clone());
                let name = format!("report {} version {}", r.id, r.version);
                match recorded.reports.get(&key) {
                    None => out.push(format!("{name}: not in the chain")),
                    Some(Some(body)) => {
                        let here = serde_json::to_string(&r).unwrap_or_default();
                        if *body != kartoteka_store::hash_bytes(here.as_bytes()).to_hex() {
                            out.push(format!(
                                "{name}: its text differs from what the chain recorded"
                            ));
                        }
                    }
                    Some(None) => {}
                }
            }
        }
        for key in recorded.reports.keys() {
            if !versions.contains(key) {
                out.push(format!(
                    "report {} version {}: in the chain, missing from the archive",
                    key.0, key.1
                ));
            }
        }
        Ok(out)
    }

    /// Entries that pass the filter, in chain order.
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, ArchiveError> {
        Ok(self.store().audit_log(filter)?)
    }

    /// The chain's length and last hash.
    pub fn audit_head(&self) -> Result<(u64, String), ArchiveError> {
        Ok(self
            .store()
            .audit_head()?
            .unwrap_or((0, kartoteka_store::audit::GENESIS.to_string())))
    }

    /// Names who is acting, for the audit entries of what follows.
    pub fn set_actor(&self, actor: &str) {
        self.store().set_actor(actor);
    }
}

/// A head hash signed with an Ed25519 key: kept outside the archive, it proves later that
/// the chain up to that entry was not rewritten or cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SignedHead {
    /// The archive folder it was signed in (for people; not trusted).
    pub archive: String,
    /// The chain's length when signed.
    pub entries: u64,
    /// The hash of the entry at that position.
    pub head: String,
    /// When it was signed (RFC 3339).
    pub at: String,
    /// The signer's Ed25519 public key, hex.
    pub public_key: String,
    /// The signature over the fields above, hex.
    pub signature: String,
}

impl SignedHead {
    /// Whether the signature is the one its public key makes over its fields (which says
    /// nothing of whether that key is to be trusted).
    pub fn signature_holds(&self) -> Result<(), String> {
        use ed25519_dalek::Verifier;
        let key = hex::decode(&self.public_key)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
            .ok_or("the signed head's public key is not an Ed25519 key")?;
        let signature = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(|b| ed25519_dalek::Signature::from_bytes(&b))
            .ok_or("the signature is not 128 hex digits")?;
        key.verify(&self.message(), &signature).map_err(|_| {
            "the signature does not match the signed head: the file was altered".to_string()
        })
    }

    fn message(&self) -> Vec<u8> {
        format!(
            "kartoteka-audit-head-v1\n{}\n{}\n{}\n{}",
            self.entries, self.head, self.at, self.archive
        )
        .into_bytes()
    }
}

/// A signing key for audit heads: 32 random bytes, kept by the person who signs.
pub struct HeadKey(ed25519_dalek::SigningKey);

impl HeadKey {
    /// A new random key.
    pub fn generate() -> Result<HeadKey, ArchiveError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| ArchiveError::Key(format!("no randomness for a key: {e}")))?;
        Ok(HeadKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// Reads a key from its hex text.
    pub fn from_hex(text: &str) -> Result<HeadKey, ArchiveError> {
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| ArchiveError::Key("a signing key is 64 hex digits".into()))?;
        Ok(HeadKey(ed25519_dalek::SigningKey::from_bytes(&bytes)))
    }

    /// The key as hex text, for its file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// The public half, hex: give it to whoever will check signatures.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    /// An Ed25519 signature over `bytes`, hex.
    pub fn sign_hex(&self, bytes: &[u8]) -> String {
        use ed25519_dalek::Signer;
        hex::encode(self.0.sign(bytes).to_bytes())
    }
}

impl Archive {
    /// Signs the current head.
    pub fn sign_head(&self, key: &HeadKey) -> Result<SignedHead, ArchiveError> {
        use ed25519_dalek::Signer;
        let (entries, head) = self.audit_head()?;
        let mut signed = SignedHead {
            archive: self.root().display().to_string(),
            entries,
            head,
            at: crate::archive::now(),
            public_key: key.public_hex(),
            signature: String::new(),
        };
        signed.signature = hex::encode(key.0.sign(&signed.message()).to_bytes());
        Ok(signed)
    }

    /// Checks the chain and a signed head kept from earlier: the signature must hold (under
    /// `trusted_key` when given), and the chain must still have that hash at that position.
    pub fn verify_signed_head(
        &self,
        signed: &SignedHead,
        trusted_key: Option<&str>,
        progress: &dyn Progress,
    ) -> Result<ChainReport, ArchiveError> {
        let mut report = self.audit_verify(None, progress)?;
        let key_problem = (|| -> Result<(), String> {
            if let Some(trusted) = trusted_key {
                if !trusted.trim().eq_ignore_ascii_case(&signed.public_key) {
                    return Err(
                        "the signed head is signed by another key than the one trusted".into(),
                    );
                }
            }
            signed.signature_holds()
        })();
        if let Err(problem) = key_problem {
            report.ok = false;
            report.problem = Some(problem);
            return Ok(report);
        }
        if report.first_bad.is_none() {
            let at = if signed.entries == 0 {
                None
            } else {
                self.store().audit_after(signed.entries - 1, 1)?.pop()
            };
            let found = at
                .as_ref()
                .map(|e| e.hash.as_str())
                .unwrap_or(kartoteka_store::audit::GENESIS);
            if found != signed.head {
                report.ok = false;
                report.problem = Some(if at.is_none() {
                    format!(
                        "the chain has {} entries, fewer than the {} signed on {}: entries were removed from its end",
                        report.entries, signed.entries, signed.at
                    )
                } else {
                    format!(
                        "entry {} is not the one signed on {}: the chain was rewritten up to there",
                        signed.entries, signed.at
                    )
                });
            }
        }
        Ok(report)
    }
}
