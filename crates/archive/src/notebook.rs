//! Private notebooks: a researcher's notes encrypted at rest with age, under a passphrase
//! or an X25519 key, so that on a shared machine they are theirs alone until unlocked.
//!
//! Locking writes the owner's notes and their whole history to
//! `notebooks/OWNER.age` (written, synced and renamed into place first), then erases them
//! from the store, which overwrites what it deletes. With `keep_anchors` a stand-in per
//! note stays, saying only that a note exists on a document and page. Unlocking decrypts
//! the file, puts everything back and removes the file; a wrong passphrase or key changes
//! nothing.

use std::io::{Read, Write};
use std::path::PathBuf;

use age::secrecy::SecretString;
use kartoteka_model::{Note, NoteVersion};
use kartoteka_store::NoteFilter;
use serde::{Deserialize, Serialize};

use crate::{Archive, ArchiveError};

const FORMAT: &str = "kartoteka-notebook/1";

/// The key that locks or unlocks a notebook.
pub enum NotebookKey {
    /// A passphrase (scrypt).
    Passphrase(String),
    /// For locking: an age X25519 recipient (`age1...`).
    Recipient(String),
    /// For unlocking: an age X25519 identity (`AGE-SECRET-KEY-1...`).
    Identity(String),
}

/// The notebook as encrypted.
#[derive(Serialize, Deserialize)]
struct Sealed {
    format: String,
    owner: String,
    notes: Vec<Note>,
    versions: Vec<NoteVersion>,
}

/// What locking did.
#[derive(Clone, Debug, Serialize)]
pub struct LockReport {
    /// Notes locked away.
    pub notes: usize,
    /// The encrypted file.
    pub file: PathBuf,
    /// Whether stand-ins with the anchors stayed in the archive.
    pub anchors_kept: bool,
}

fn key_error(e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Key(e.to_string())
}

/// A new age X25519 identity and its recipient: keep the first, give out the second.
pub fn generate_identity() -> (String, String) {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    (identity.to_string().expose_secret().to_string(), recipient)
}

impl Archive {
    /// The encrypted notebook file of an owner.
    pub fn notebook_file(&self, owner: &str) -> PathBuf {
        let safe: String = owner
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.root().join("notebooks").join(format!("{safe}.age"))
    }

    /// Encrypts `owner`'s notes into their notebook file and takes them out of the archive.
    pub fn lock_notebook(
        &self,
        owner: &str,
        key: &NotebookKey,
        keep_anchors: bool,
    ) -> Result<LockReport, ArchiveError> {
        let file = self.notebook_file(owner);
        if file.exists() {
            return Err(ArchiveError::Note(format!(
                "{owner}'s notebook is already locked in {}; unlock it first",
                file.display()
            )));
        }
        let notes = self.store().notes(&NoteFilter {
            author: Some(owner.to_string()),
            ..Default::default()
        })?;
        let notes: Vec<Note> = notes.into_iter().filter(|n| !n.locked).collect();
        // The erasing must be able to finish before anything is moved: another process's
        // open read would keep the text in the database's log.
        if !notes.is_empty() && !self.store().purge_old_copies()? {
            return Err(ArchiveError::Note(
                "another process holds an open read of the archive's database, which would keep \
                 the notes' text on disk after the lock; nothing was done: end it and lock again"
                    .to_string(),
            ));
        }
        if notes.is_empty() {
            return Err(ArchiveError::Note(format!("{owner} has no notes to lock")));
        }
        let mut versions = Vec::new();
        for n in &notes {
            versions.extend(self.store().note_versions(n.id)?);
        }
        let sealed = Sealed {
            format: FORMAT.into(),
            owner: owner.to_string(),
            notes: notes.clone(),
            versions,
        };
        let plain = serde_json::to_vec(&sealed).map_err(key_error)?;
        let encryptor = match key {
            NotebookKey::Passphrase(p) => {
                age::Encryptor::with_user_passphrase(SecretString::from(p.clone()))
            }
            NotebookKey::Recipient(r) => {
                let recipient: age::x25519::Recipient = r
                    .trim()
                    .parse()
                    .map_err(|e| key_error(format!("recipient {r:?}: {e}")))?;
                age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                    .map_err(key_error)?
            }
            NotebookKey::Identity(_) => {
                return Err(key_error("lock with a passphrase or a recipient (age1...)"))
            }
        };
        let mut sealed_bytes = Vec::new();
        let mut writer = encryptor
            .wrap_output(&mut sealed_bytes)
            .map_err(key_error)?;
        writer.write_all(&plain).map_err(key_error)?;
        writer.finish().map_err(key_error)?;
        // The file first, synced and renamed: the notes leave the store only once it is safe.
        let dir = file.parent().unwrap_or(self.root()).to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| ArchiveError::Folder {
            path: dir.clone(),
            message: e.to_string(),
        })?;
        let tmp = dir.join(format!(".{}.partial", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = crate::archive::private_file(&tmp)?;
            f.write_all(&sealed_bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &file)
        };
        write().map_err(|e| ArchiveError::Folder {
            path: file.clone(),
            message: e.to_string(),
        })?;
        let ids: Vec<i64> = notes.iter().map(|n| n.id).collect();
        self.store().remove_notes(&ids, keep_anchors)?;
        // Gone from the tables is not gone from the disk: the old pages must leave the
        // write-ahead log, which another process's open read can prevent. The lock
        // succeeds only when no comment can be found in the database's files.
        let purged = self.store().purge_old_copies()?;
        let mut left = 0;
        for n in &notes {
            if let Some(c) = n.comment.as_deref().filter(|c| c.chars().count() >= 6) {
                if self.store().holds_bytes(c.as_bytes())? {
                    left += 1;
                }
            }
        }
        if !purged || left > 0 {
            // Put everything back as it was: a lock that leaves the text on disk is no lock.
            self.store()
                .restore_notes(&sealed.notes, &sealed.versions)?;
            let _ = std::fs::remove_file(&file);
            return Err(ArchiveError::Note(format!(
                "another process holds an open read of the archive's database, which keeps {} \
                 on disk; nothing was locked: end that process and lock again",
                if left > 0 {
                    format!("{left} comment(s)")
                } else {
                    "old copies of the notes".to_string()
                }
            )));
        }
        Ok(LockReport {
            notes: ids.len(),
            file,
            anchors_kept: keep_anchors,
        })
    }

    /// Decrypts `owner`'s notebook and puts the notes back. A wrong passphrase or key
    /// changes nothing.
    pub fn unlock_notebook(&self, owner: &str, key: &NotebookKey) -> Result<usize, ArchiveError> {
        let file = self.notebook_file(owner);
        let bytes = std::fs::read(&file).map_err(|_| {
            ArchiveError::Note(format!(
                "{owner} has no locked notebook ({} is not there)",
                file.display()
            ))
        })?;
        let decryptor = age::Decryptor::new(&bytes[..])
            .map_err(|e| key_error(format!("{}: {e}", file.display())))?;
        let wrong =
            || key_error("wrong passphrase or key: the notebook stays locked, nothing changed");
        let mut reader: Box<dyn Read> = match key {
            NotebookKey::Passphrase(p) => {
                let identity = age::scrypt::Identity::new(SecretString::from(p.clone()));
                Box::new(
                    decryptor
                        .decrypt(std::iter::once(&identity as &dyn age::Identity))
                        .map_err(|_| wrong())?,
                )
            }
            NotebookKey::Identity(text) => {
                let identity: age::x25519::Identity = text
                    .lines()
                    .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                    .unwrap_or("")
                    .parse()
                    .map_err(|e| key_error(format!("not an age identity: {e}")))?;
                Box::new(
                    decryptor
                        .decrypt(std::iter::once(&identity as &dyn age::Identity))
                        .map_err(|_| wrong())?,
                )
            }
            NotebookKey::Recipient(_) => {
                return Err(key_error("unlock with the passphrase or the identity file"))
            }
        };
        let mut plain = Vec::new();
        reader.read_to_end(&mut plain).map_err(|_| wrong())?;
        let sealed: Sealed = serde_json::from_slice(&plain)
            .map_err(|e| key_error(format!("the notebook does not read: {e}")))?;
        if sealed.format != FORMAT {
            return Err(key_error(format!(
                "notebook format {:?} is not {FORMAT}",
                sealed.format
            )));
        }
        self.store()
            .restore_notes(&sealed.notes, &sealed.versions)?;
        std::fs::remove_file(&file).map_err(|e| ArchiveError::Folder {
            path: file.clone(),
            message: e.to_string(),
        })?;
        Ok(sealed.notes.len())
    }
}
