//! Moving an archive to other storage: its originals to another blob store (a bucket, a
//! folder), its records to a new folder, each verified on the other side before the
//! move is called done.
//!
//! A migration never changes its source: it makes a new archive. Every stored original
//! is copied and then read back from the target and re-hashed ("object by object"); the
//! records are copied as of one moment and every table's rows are counted and hashed on
//! both sides ("row by row"); the audit chain is then verified on the target from its
//! first entry and must end at the source's head. Anything short of that removes the
//! new folder and says why; objects already uploaded stay, harmless, under their hashes.

use std::path::Path;
use std::time::Instant;

use kartoteka_model::ContentHash;
use kartoteka_store::records::{copy_records, digests, shared_shapes};
use kartoteka_store::{BlobLocation, BlobStore, SqliteStore, StoreLocation, TableDigest};
use serde::Serialize;

use crate::archive::{make_private, parallel_map, Archive, ArchiveError, MARKER};
use crate::Progress;

/// What a migration moved and how it was checked.
#[derive(Clone, Debug, Serialize)]
pub struct Migration {
    /// The archive moved from (unchanged).
    pub from: String,
    /// The new archive.
    pub to: String,
    /// Where the new archive keeps its originals.
    pub blobs: String,
    /// Where the new archive keeps its records (a password in the URL hidden).
    pub store: String,
    /// Originals copied, each read back and re-hashed in the target.
    pub objects: u64,
    /// Of those, how many the target already held (not sent again, still re-hashed).
    pub objects_already_there: u64,
    /// Bytes of originals.
    pub bytes: u64,
    /// Every table, with its rows counted and hashed, equal on both sides.
    pub tables: Vec<TableDigest>,
    /// Entries in the audit chain, verified on the target.
    pub audit_entries: u64,
    /// The chain's head, the same on both sides.
    pub audit_head: String,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Files of an archive folder that a migration does not copy: the records (copied as a
/// database), the originals (copied as objects), what belongs to a process. The search
/// index is copied, not rebuilt: rebuilding would add a ledger line per document, and
/// the new archive would no longer hold exactly the rows it was checked to hold.
const NOT_COPIED: &[&str] = &[
    MARKER,
    "archive.db-wal",
    "archive.db-shm",
    "blobs",
    "blobs.url",
    "store.url",
    "index-position",
    "writer.lock",
    crate::archive::SCRATCH,
];

impl Archive {
    /// Makes a new archive in `to` holding everything of the one in `from`, with its
    /// originals at `blobs` (default: the new folder's own `blobs/`) and its records in
    /// `store` (default: the new folder's own `archive.db`; a PostgreSQL database must be
    /// empty), verified object by object, row by row and along the audit chain. `from` is
    /// not changed; its records may be in either store too.
    pub fn migrate(
        from: &Path,
        to: &Path,
        blobs: Option<&BlobLocation>,
        store: Option<&StoreLocation>,
        jobs: usize,
        progress: &dyn Progress,
    ) -> Result<Migration, ArchiveError> {
        let started = Instant::now();
        if !Self::exists(from) {
            return Err(ArchiveError::NotAnArchive(from.to_path_buf()));
        }
        let refuse = |path: &Path, message: &str| ArchiveError::Folder {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        if to.exists()
            && std::fs::read_dir(to)
                .map_err(|e| refuse(to, &e.to_string()))?
                .next()
                .is_some()
        {
            return Err(refuse(
                to,
                "is not empty: a migration makes a new archive, and never writes over one",
            ));
        }
        let source = Archive::open(from)?;
        source.set_jobs(jobs);
        let chain = source.audit_verify(None, &crate::NoProgress)?;
        if !chain.ok {
            return Err(ArchiveError::Transfer(format!(
                "the audit chain of {} does not hold ({}); nothing was moved: see `kartoteka audit verify`",
                from.display(),
                chain.problem.unwrap_or_else(|| chain.rows.join("; "))
            )));
        }
        std::fs::create_dir_all(to).map_err(|e| refuse(to, &e.to_string()))?;
        make_private(to, true).map_err(|e| refuse(to, &format!("cannot make it private: {e}")))?;
        let made = Self::migrate_into(&source, from, to, (blobs, store), progress, &chain);
        match made {
            Ok(mut migration) => {
                migration.seconds = started.elapsed().as_secs_f64();
                Ok(migration)
            }
            Err(e) => {
                // Nothing half-made stays behind to be taken for an archive.
                let _ = std::fs::remove_dir_all(to);
                Err(e)
            }
        }
    }

    fn migrate_into(
        source: &Archive,
        from: &Path,
        to: &Path,
        (blobs, store): (Option<&BlobLocation>, Option<&StoreLocation>),
        progress: &dyn Progress,
        chain: &crate::ChainReport,
    ) -> Result<Migration, ArchiveError> {
        let head = chain.head.as_str();
        let location = blobs
            .cloned()
            .unwrap_or_else(|| BlobLocation::Folder(to.join("blobs")));
        let target = location.open()?;

        // The originals: copied, then each read back from the target and re-hashed.
        let hashes = source.blobs().hashes()?;
        let workers = source.jobs()
            * target
                .reads_per_core()
                .max(source.blobs().reads_per_core())
                .max(1);
        progress.begin(hashes.len() as u64 * 2);
        let copied = parallel_map(workers, &hashes, |hash| {
            let outcome = copy_object(source.blobs().as_ref(), target.as_ref(), hash);
            progress.advance(1, 0);
            outcome
        });
        let mut already = 0u64;
        for outcome in &copied {
            match outcome {
                Ok(true) => already += 1,
                Ok(false) => {}
                Err(why) => return Err(ArchiveError::Transfer(why.clone())),
            }
        }
        let reread = parallel_map(workers, &hashes, |hash| {
            let outcome = rehash(target.as_ref(), hash);
            progress.advance(1, 0);
            outcome
        });
        let mut bytes = 0u64;
        for (hash, outcome) in hashes.iter().zip(reread) {
            match outcome {
                Ok((read, len)) if read == *hash => bytes += len,
                Ok((read, _)) => {
                    return Err(ArchiveError::Transfer(format!(
                        "the original {hash} reads back from {} as {read}: the copy is not the original",
                        location.url()
                    )))
                }
                Err(why) => return Err(ArchiveError::Transfer(why)),
            }
        }
        progress.finish();

        // The records, then every table compared. Folder to folder they are copied as of
        // one moment by SQLite itself; to or from PostgreSQL row by row in one
        // transaction of the target, the source held still by its writer lock.
        let source_store = Self::store_location(from)?;
        let target_store = store
            .cloned()
            .unwrap_or_else(|| StoreLocation::Embedded(to.join(MARKER)));
        let (before, after) = match (&source_store, &target_store) {
            (StoreLocation::Embedded(path), StoreLocation::Embedded(target)) => {
                let records = SqliteStore::open(path)?;
                records.copy_to(target)?;
                let before = records.table_digests()?;
                drop(records);
                (before, SqliteStore::open(target)?.table_digests()?)
            }
            _ => {
                let records = source_store.open_records()?;
                let mut target = target_store.open_records()?;
                let shapes = shared_shapes(records.as_ref(), target.as_ref())?;
                copy_records(records.as_ref(), target.as_mut(), &shapes)?;
                (
                    digests(records.as_ref(), &shapes)?,
                    digests(target.as_ref(), &shapes)?,
                )
            }
        };
        if let StoreLocation::Postgres(url) = &target_store {
            crate::archive::write_record(to, crate::archive::STORE_RECORD, url)?;
            // The index comes with the folder and holds everything through the head.
            crate::changes::write_position(to, chain.entries)?;
        }
        if before != after {
            let differ: Vec<String> = before
                .iter()
                .filter(|b| !after.contains(b))
                .map(|b| b.table.clone())
                .collect();
            return Err(ArchiveError::Transfer(format!(
                "the copied records differ from the originals in {} (were they changed during the move?)",
                differ.join(", ")
            )));
        }

        // Where the originals are, then the rest of the folder (the sealed head,
        // notebooks, the outbox, the edition's rules).
        if location != BlobLocation::Folder(to.join("blobs")) {
            let record = to.join(crate::archive::BLOBS_RECORD);
            std::fs::write(&record, format!("{}\n", location.url())).map_err(|e| {
                ArchiveError::Folder {
                    path: record.clone(),
                    message: e.to_string(),
                }
            })?;
        }
        for entry in std::fs::read_dir(from).map_err(|e| ArchiveError::Folder {
            path: from.to_path_buf(),
            message: e.to_string(),
        })? {
            let entry = entry.map_err(|e| ArchiveError::Folder {
                path: from.to_path_buf(),
                message: e.to_string(),
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if NOT_COPIED.contains(&name.as_str()) || name.ends_with(".partial") {
                continue;
            }
            copy_tree(&entry.path(), &to.join(&name)).map_err(|e| ArchiveError::Folder {
                path: entry.path(),
                message: format!("cannot copy it: {e}"),
            })?;
        }

        // The new archive, opened as any command would, and its chain verified to the
        // source's head.
        let moved = Archive::open(to)?;
        moved.set_jobs(source.jobs());
        // An archive that never recorded an act has no head to find.
        let expected = (chain.entries > 0).then_some(head);
        let chain = moved.audit_verify(expected, &crate::NoProgress)?;
        if !chain.ok || chain.head != head {
            return Err(ArchiveError::Transfer(format!(
                "the audit chain does not hold in the new archive: {}",
                chain
                    .problem
                    .unwrap_or_else(|| format!("its head is {}, not {head}", chain.head))
            )));
        }
        Ok(Migration {
            from: from.display().to_string(),
            to: to.display().to_string(),
            blobs: location.url(),
            store: target_store.shown(),
            objects: hashes.len() as u64,
            objects_already_there: already,
            bytes,
            tables: after,
            audit_entries: chain.entries,
            audit_head: chain.head,
            seconds: 0.0,
        })
    }
}

/// Copies one original unless the target has it; `true` when it was already there. The
/// bytes sent are hashed on the way: an original that no longer matches its name is not
/// carried over as if it did.
fn copy_object(
    source: &dyn BlobStore,
    target: &dyn BlobStore,
    hash: &ContentHash,
) -> Result<bool, String> {
    if target.contains(hash).map_err(|e| e.to_string())? {
        return Ok(true);
    }
    let mut reader = source.open(hash).map_err(|e| e.to_string())?;
    let (stored, _) = target.put_reader(&mut reader).map_err(|e| e.to_string())?;
    if stored != *hash {
        return Err(format!(
            "the original {hash} no longer matches its name (it reads as {stored}); nothing was moved: run `kartoteka verify` on the source"
        ));
    }
    Ok(false)
}

/// The hash and length of a stored original, read back whole.
fn rehash(store: &dyn BlobStore, hash: &ContentHash) -> Result<(ContentHash, u64), String> {
    let mut reader = store.open(hash).map_err(|e| e.to_string())?;
    kartoteka_store::hash_reader(&mut reader).map_err(|e| format!("reading {hash} back: {e}"))
}

/// Copies a file or a folder with everything in it, keeping files private.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        make_private(to, true)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else {
        std::fs::copy(from, to)?;
        make_private(to, false)?;
    }
    Ok(())
}
