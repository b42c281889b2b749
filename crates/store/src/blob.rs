//! Content-addressed storage of originals.
//!
//! An original is stored once, under the SHA-256 of its bytes, and never changed: writing
//! the same bytes again is a no-op that returns the same hash. The [`BlobStore`] trait is
//! the seam the S3-compatible backend ([`ObjectBlobStore`](crate::ObjectBlobStore)) implements; [`FsBlobStore`] keeps blobs in a
//! directory of the archive folder and [`MemoryBlobStore`] in memory for tests.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use kartoteka_model::ContentHash;
use sha2::{Digest, Sha256};

/// Errors of blob storage.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// Reading or writing the backing storage failed.
    #[error("blob storage at {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Reading the source of a new blob failed.
    #[error("reading the original: {0}")]
    Source(io::Error),
    /// No blob has this hash.
    #[error("no stored original with hash {0}")]
    Missing(ContentHash),
    /// A blob store's location that cannot be used as given.
    #[error("blob store location {url:?}: {why}")]
    Location {
        /// The location as given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// An object store refused or failed a request, after its retries.
    #[error("object store {url}: {message}")]
    Remote {
        /// The store's location.
        url: String,
        /// What it answered, or why it could not be reached.
        message: String,
    },
}

/// Where originals live, addressed by the SHA-256 of their bytes.
pub trait BlobStore: Send + Sync {
    /// Stores everything `reader` yields and returns its hash and length. Storing bytes
    /// that are already present changes nothing.
    fn put_reader(&self, reader: &mut dyn Read) -> Result<(ContentHash, u64), BlobError>;

    /// Opens a stored original for reading.
    fn open(&self, hash: &ContentHash) -> Result<Box<dyn Read + Send>, BlobError>;

    /// True when an original with this hash is stored.
    fn contains(&self, hash: &ContentHash) -> Result<bool, BlobError>;

    /// The name of every stored blob, in no particular order: what a migration moves.
    fn hashes(&self) -> Result<Vec<ContentHash>, BlobError>;

    /// How many reads per core this store rewards: one for a disk, where the core is the
    /// limit; more for a store across a network, where each read mostly waits.
    fn reads_per_core(&self) -> usize {
        1
    }

    /// Stores a byte slice.
    fn put(&self, bytes: &[u8]) -> Result<ContentHash, BlobError> {
        let mut reader = bytes;
        self.put_reader(&mut reader).map(|(hash, _)| hash)
    }

    /// Reads a whole stored original into memory.
    fn get(&self, hash: &ContentHash) -> Result<Vec<u8>, BlobError> {
        let mut out = Vec::new();
        self.open(hash)?
            .read_to_end(&mut out)
            .map_err(BlobError::Source)?;
        Ok(out)
    }
}

/// Copies everything `reader` yields to `out` (a temporary file at `path`, named in an
/// error), hashing it on the way: the name and length of what was written.
pub(crate) fn copy_hashing(
    reader: &mut dyn Read,
    out: &mut dyn Write,
    path: &Path,
) -> Result<(ContentHash, u64), BlobError> {
    let mut hasher = Sha256::new();
    let mut len = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(BlobError::Source(e)),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|source| BlobError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        len += n as u64;
    }
    out.flush().map_err(|source| BlobError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((ContentHash(hasher.finalize().into()), len))
}

/// The hash and length of everything `reader` yields, as blob stores name it: what a
/// fixity check or a migration compares with the name an original is stored under.
pub fn hash_reader(reader: &mut dyn Read) -> Result<(ContentHash, u64), BlobError> {
    copy_hashing(reader, &mut io::sink(), Path::new(""))
}

/// The hash of a byte slice, as blob stores name it.
pub fn hash_bytes(bytes: &[u8]) -> ContentHash {
    ContentHash(Sha256::digest(bytes).into())
}

/// Blobs as files under `root/ab/abcd…` (256 shards, as git does: a million originals make
/// about 4,000 files a folder, which ext4 and XFS index well), written to a temporary file
/// in the shard, synced and renamed into place so that a crash never leaves a partial blob
/// under a real name.
pub struct FsBlobStore {
    root: PathBuf,
    /// Shards known to exist, so that storing a blob costs no `mkdir`.
    shards: [std::sync::atomic::AtomicBool; 256],
}

impl FsBlobStore {
    /// Opens (creating if needed) a blob directory.
    pub fn open(root: impl Into<PathBuf>) -> Result<FsBlobStore, BlobError> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(|source| BlobError::Io {
            path: root.clone(),
            source,
        })?;
        // Writes a crash interrupted leave `.incoming-*` files; an hour-old one is abandoned.
        if let Ok(entries) = fs::read_dir(&root) {
            for entry in entries.flatten() {
                let stale = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age.as_secs() > 3600);
                if stale
                    && entry
                        .file_name()
                        .to_string_lossy()
                        .starts_with(".incoming-")
                {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(FsBlobStore {
            root,
            shards: std::array::from_fn(|_| std::sync::atomic::AtomicBool::new(false)),
        })
    }

    /// The file a blob is stored in.
    pub fn path_of(&self, hash: &ContentHash) -> PathBuf {
        let hex = hash.to_hex();
        self.root.join(&hex[0..2]).join(hex)
    }

    /// The shard folder for hashes starting with `byte`, created on first use.
    fn shard(&self, byte: u8) -> Result<PathBuf, BlobError> {
        let dir = self.root.join(format!("{byte:02x}"));
        let known = &self.shards[byte as usize];
        if !known.load(std::sync::atomic::Ordering::Relaxed) {
            Self::io(&dir, fs::create_dir_all(&dir))?;
            known.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(dir)
    }

    fn io<T>(path: &Path, r: io::Result<T>) -> Result<T, BlobError> {
        r.map_err(|source| BlobError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

impl BlobStore for FsBlobStore {
    fn put_reader(&self, reader: &mut dyn Read) -> Result<(ContentHash, u64), BlobError> {
        // The temporary file lives in the root; it is renamed into its shard once hashed.
        let tmp = Self::io(
            &self.root,
            tempfile::Builder::new()
                .prefix(".incoming-")
                .tempfile_in(&self.root),
        )?;
        let (hash, len) = copy_hashing(reader, &mut tmp.as_file(), tmp.path())?;
        let target = self.path_of(&hash);
        if target.exists() {
            return Ok((hash, len));
        }
        Self::io(tmp.path(), tmp.as_file().sync_all())?;
        self.shard(hash.0[0])?;
        let file = tmp.persist(&target).map_err(|e| BlobError::Io {
            path: target.clone(),
            source: e.error,
        })?;
        // Originals are immutable: make that visible to anyone who opens the folder.
        let mut perms = Self::io(&target, file.metadata())?.permissions();
        perms.set_readonly(true);
        Self::io(&target, fs::set_permissions(&target, perms))?;
        Ok((hash, len))
    }

    fn open(&self, hash: &ContentHash) -> Result<Box<dyn Read + Send>, BlobError> {
        let path = self.path_of(hash);
        match File::open(&path) {
            Ok(f) => Ok(Box::new(io::BufReader::new(f))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(BlobError::Missing(*hash)),
            Err(source) => Err(BlobError::Io { path, source }),
        }
    }

    fn contains(&self, hash: &ContentHash) -> Result<bool, BlobError> {
        Ok(self.path_of(hash).is_file())
    }

    fn hashes(&self) -> Result<Vec<ContentHash>, BlobError> {
        let mut out = Vec::new();
        for shard in Self::io(&self.root, fs::read_dir(&self.root))? {
            let shard = Self::io(&self.root, shard)?;
            let prefix = shard.file_name().to_string_lossy().into_owned();
            if prefix.len() != 2 || !shard.path().is_dir() {
                continue; // writes in progress, and anything that is not a shard
            }
            for file in Self::io(&shard.path(), fs::read_dir(shard.path()))? {
                let file = Self::io(&shard.path(), file)?;
                let name = file.file_name().to_string_lossy().into_owned();
                if name.starts_with(&prefix) {
                    if let Ok(hash) = ContentHash::from_hex(&name) {
                        out.push(hash);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Blobs in memory: for tests and for throwaway archives.
#[derive(Default)]
pub struct MemoryBlobStore {
    blobs: Mutex<HashMap<ContentHash, std::sync::Arc<Vec<u8>>>>,
}

impl BlobStore for MemoryBlobStore {
    fn put_reader(&self, reader: &mut dyn Read) -> Result<(ContentHash, u64), BlobError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(BlobError::Source)?;
        let hash = hash_bytes(&bytes);
        let len = bytes.len() as u64;
        let mut blobs = self.blobs.lock().unwrap_or_else(|p| p.into_inner());
        blobs
            .entry(hash)
            .or_insert_with(|| std::sync::Arc::new(bytes));
        Ok((hash, len))
    }

    fn open(&self, hash: &ContentHash) -> Result<Box<dyn Read + Send>, BlobError> {
        let blobs = self.blobs.lock().unwrap_or_else(|p| p.into_inner());
        let bytes = blobs.get(hash).cloned().ok_or(BlobError::Missing(*hash))?;
        Ok(Box::new(io::Cursor::new(bytes.as_ref().clone())))
    }

    fn contains(&self, hash: &ContentHash) -> Result<bool, BlobError> {
        Ok(self
            .blobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(hash))
    }

    fn hashes(&self) -> Result<Vec<ContentHash>, BlobError> {
        Ok(self
            .blobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .copied()
            .collect())
    }
}
