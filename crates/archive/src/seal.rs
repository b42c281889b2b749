//! The sealed head: the audit chain's last entry, signed after every command that writes
//! and checked whenever the archive is opened.
//!
//! A hash chain alone cannot show that entries were cut from its end, or that the whole
//! chain was recomputed by someone who edited the database: it holds no secret. The seal
//! does. After each writing command the head (its position and hash) is signed with an
//! Ed25519 key kept *outside* the archive folder, in the head-keys folder of the person
//! or service that runs Kartoteka, and written to `audit-head.json` in the archive. On
//! opening, the signature must hold and the chain must still have that hash at that
//! position, or the archive is refused until someone looks (`audit verify`) and, if the
//! change was legitimate (a restore from backup), accepts it with a reason that goes
//! into the chain (`audit accept-head`).
//!
//! The chain itself records each key that seals it (a `head-key` entry), so a seal
//! cannot be removed, or replaced by one under a stranger's key, without the opening
//! check noticing. On a machine that does not hold the key (an archive copied to a
//! colleague's laptop) the chain is still checked against the seal, and the caller is
//! told that the signature could only be checked against the chain's record of the key.

use std::path::{Path, PathBuf};

use kartoteka_store::{AuditAct, AuditAction, AuditFilter};
use serde::Serialize;

use crate::audit::{HeadKey, SignedHead};
use crate::{Archive, ArchiveError};

/// The seal's file, inside the archive folder.
pub const SEAL_FILE: &str = "audit-head.json";

/// The audit action that records a new sealing key in the chain.
const KEY_ACTION: AuditAction = AuditAction::HeadKey;

/// The folder of head-signing keys, outside every archive: one `<public key>.key` file per
/// key, readable only by its owner.
#[derive(Clone, Debug)]
pub struct HeadKeys {
    dir: PathBuf,
}

impl HeadKeys {
    /// Keys in `dir` (created when the first key is made).
    pub fn new(dir: impl Into<PathBuf>) -> HeadKeys {
        HeadKeys { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, public_hex: &str) -> PathBuf {
        self.dir.join(format!("{public_hex}.key"))
    }

    /// The key whose public half is `public_hex`, when this folder holds it.
    pub fn get(&self, public_hex: &str) -> Result<Option<HeadKey>, ArchiveError> {
        if public_hex.len() != 64 || !public_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let path = self.file(public_hex);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ArchiveError::Key(format!("{}: {e}", path.display()))),
        };
        let key = HeadKey::from_hex(&text)
            .map_err(|e| ArchiveError::Key(format!("{}: {e}", path.display())))?;
        if !key.public_hex().eq_ignore_ascii_case(public_hex) {
            return Err(ArchiveError::Key(format!(
                "{} holds another key than its name says",
                path.display()
            )));
        }
        Ok(Some(key))
    }

    /// Makes and keeps a new key (the folder 0700, the file 0600).
    pub fn create(&self) -> Result<HeadKey, ArchiveError> {
        use std::io::Write;
        let key = HeadKey::generate()?;
        let fail = |e: std::io::Error| {
            ArchiveError::Key(format!("keeping a key in {}: {e}", self.dir.display()))
        };
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        crate::archive::make_private(&self.dir, true).map_err(fail)?;
        let mut file = crate::archive::private_file(&self.file(&key.public_hex())).map_err(fail)?;
        file.write_all(key.to_hex().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(fail)?;
        Ok(key)
    }
}

/// What the opening check found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum SealCheck {
    /// No seal and no key recorded in the chain: an archive from before seals, or one no
    /// command has written to yet.
    Unsealed,
    /// The seal holds under a key this machine keeps.
    Held {
        /// The sealed position.
        entries: u64,
        /// Entries written after it (by a command killed before it could seal).
        after: u64,
    },
    /// The seal holds against the chain, but its key is not kept here: its signature was
    /// checked against the key the chain records, which an editor of the database could
    /// have rewritten too.
    NotHeld {
        /// The sealed position.
        entries: u64,
        /// The key that sealed it.
        public_key: String,
    },
}

impl Archive {
    fn seal_path(&self) -> PathBuf {
        self.root().join(SEAL_FILE)
    }

    fn read_seal(&self) -> Result<Option<SignedHead>, String> {
        let path = self.seal_path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{SEAL_FILE} cannot be read: {e}")),
        };
        if bytes.len() > 64 * 1024 {
            return Err(format!("{SEAL_FILE} is not a signed head (too large)"));
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("{SEAL_FILE} is not a signed head: {e}"))
    }

    /// The public keys the chain records as sealing it, oldest first, with their entries.
    fn recorded_keys(&self) -> Result<Vec<(u64, String)>, ArchiveError> {
        let entries = self.store().audit_log(&AuditFilter {
            action: Some(KEY_ACTION.as_str().into()),
            ..AuditFilter::default()
        })?;
        Ok(entries
            .into_iter()
            .filter_map(|e| e.object.map(|o| (e.seq, o)))
            .filter_map(|(seq, o)| o.strip_prefix("key:").map(|k| (seq, k.to_string())))
            .collect())
    }

    /// Checks the seal against the chain as the archive is opened. An error
    /// ([`ArchiveError::Tampered`]) when the seal is missing though the chain says heads
    /// are sealed, is altered, is under a key the chain never recorded, or names an entry
    /// the chain no longer has.
    pub fn check_seal(&self, keys: &HeadKeys) -> Result<SealCheck, ArchiveError> {
        let tampered = |why: String| Err(ArchiveError::Tampered(why));
        let seal = match self.read_seal() {
            Ok(s) => s,
            Err(why) => return tampered(why),
        };
        let recorded = self.recorded_keys()?;
        let Some(seal) = seal else {
            return match recorded.first() {
                None => Ok(SealCheck::Unsealed),
                Some((seq, _)) => tampered(format!(
                    "the signed head ({SEAL_FILE}) is gone, though the chain has sealed its head since entry {seq}"
                )),
            };
        };
        if let Err(why) = seal.signature_holds() {
            return tampered(format!("{SEAL_FILE}: {why}"));
        }
        let key = keys.get(&seal.public_key)?;
        if key.is_none()
            && !recorded
                .iter()
                .any(|(_, k)| k.eq_ignore_ascii_case(&seal.public_key))
        {
            return tampered(format!(
                "{SEAL_FILE} is signed by a key ({}) that neither this machine holds nor the chain records",
                short(&seal.public_key)
            ));
        }
        let (length, _) = self.audit_head()?;
        let at = if seal.entries == 0 {
            None
        } else {
            self.store()
                .audit_after(seal.entries - 1, 1)?
                .into_iter()
                .next()
                .filter(|e| e.seq == seal.entries)
        };
        let holds = match &at {
            None => seal.entries == 0,
            Some(e) => e.hash.eq_ignore_ascii_case(&seal.head),
        };
        if !holds {
            return tampered(format!(
                "the audit chain no longer holds the head sealed at {} (entry {}, {}): it now has {length} entries{}",
                seal.at,
                seal.entries,
                short(&seal.head),
                if at.is_some() {
                    " and a different entry there: it was rewritten"
                } else {
                    ": entries were cut from its end"
                }
            ));
        }
        Ok(match key {
            Some(_) => SealCheck::Held {
                entries: seal.entries,
                after: length.saturating_sub(seal.entries),
            },
            None => SealCheck::NotHeld {
                entries: seal.entries,
                public_key: seal.public_key,
            },
        })
    }

    /// Signs the chain's head and writes the seal, after a command that writes. The key
    /// is the one that sealed before when this machine holds it; otherwise a new one is
    /// made, kept in `keys`, and recorded in the chain first.
    ///
    /// An empty chain is not sealed (there is nothing to protect, and a command that was
    /// refused leaves no entry behind); `None` then.
    pub fn seal_head(&self, keys: &HeadKeys) -> Result<Option<SignedHead>, ArchiveError> {
        if self.audit_head()?.0 == 0 && self.read_seal().ok().flatten().is_none() {
            return Ok(None);
        }
        let previous = self.read_seal().ok().flatten();
        // The key of the seal there was, else the newest key the chain records that this
        // machine holds (a seal removed and accepted keeps its key).
        let mut held = match &previous {
            Some(p) => keys.get(&p.public_key)?,
            None => None,
        };
        if held.is_none() {
            for (_, public) in self.recorded_keys()?.iter().rev() {
                if let Some(k) = keys.get(public)? {
                    held = Some(k);
                    break;
                }
            }
        }
        let key = match held {
            Some(k) => k,
            None => {
                let key = keys.create()?;
                let detail = serde_json::json!({
                    "public_key": key.public_hex(),
                    "replaces": previous.as_ref().map(|p| p.public_key.clone()),
                    "kept_in": keys.dir().display().to_string(),
                });
                self.store().append_audit(&[AuditAct {
                    action: KEY_ACTION.as_str().into(),
                    unit: None,
                    object: Some(format!("key:{}", key.public_hex())),
                    detail: detail.to_string(),
                }])?;
                key
            }
        };
        let signed = self.sign_head(&key)?;
        self.write_seal(&signed)?;
        Ok(Some(signed))
    }

    /// The public key of the archive's seal, hex: the key its packages are signed with,
    /// for partners to check them by (`None` before the first writing command).
    pub fn verify_key(&self) -> Result<Option<String>, ArchiveError> {
        Ok(self
            .read_seal()
            .map_err(ArchiveError::Key)?
            .map(|s| s.public_key))
    }

    /// The key of the archive's seal, when this machine holds it: what packages are
    /// signed with.
    pub fn signing_key(&self, keys: &HeadKeys) -> Result<HeadKey, ArchiveError> {
        let public = self.verify_key()?.ok_or_else(|| {
            ArchiveError::Key(
                "the archive has no signing key yet: nothing was ever written to it".into(),
            )
        })?;
        keys.get(&public)?.ok_or_else(|| {
            ArchiveError::Key(format!(
                "the archive's signing key {}… is not kept in {} on this machine; send from the machine that seals it",
                public.chars().take(12).collect::<String>(),
                keys.dir().display()
            ))
        })
    }

    /// Accepts the chain as it is now after a change the opening check refused (a restore
    /// from a backup): the old seal and the reason go into the chain, and the head is
    /// sealed anew.
    pub fn accept_head(&self, keys: &HeadKeys, why: &str) -> Result<SignedHead, ArchiveError> {
        if why.trim().is_empty() {
            return Err(ArchiveError::BadTarget(
                String::new(),
                "accepting a changed chain needs a reason".into(),
            ));
        }
        let old = self.read_seal().ok().flatten();
        let detail = serde_json::json!({
            "why": why,
            "sealed_entries": old.as_ref().map(|s| s.entries),
            "sealed_head": old.as_ref().map(|s| s.head.clone()),
            "sealed_at": old.as_ref().map(|s| s.at.clone()),
        });
        self.store().append_audit(&[AuditAct {
            action: AuditAction::HeadAccepted.as_str().into(),
            unit: None,
            object: None,
            detail: detail.to_string(),
        }])?;
        self.seal_head(keys)?
            .ok_or_else(|| ArchiveError::Key("the chain has no entry to seal".into()))
    }

    fn write_seal(&self, signed: &SignedHead) -> Result<(), ArchiveError> {
        use std::io::Write;
        let path = self.seal_path();
        let tmp = self
            .root()
            .join(format!(".{SEAL_FILE}.{}.partial", std::process::id()));
        let fail = |e: std::io::Error| ArchiveError::Folder {
            path: path.clone(),
            message: e.to_string(),
        };
        let text =
            serde_json::to_string_pretty(signed).map_err(|e| ArchiveError::Key(e.to_string()))?;
        let mut file = crate::archive::private_file(&tmp).map_err(fail)?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(fail)?;
        std::fs::rename(&tmp, &path).map_err(fail)
    }
}

/// The first 12 hex digits, for messages.
fn short(hex: &str) -> String {
    hex.chars().take(12).collect()
}
