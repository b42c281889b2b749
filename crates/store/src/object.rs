//! Originals in an S3-compatible object store, and the URLs that choose where originals
//! live.
//!
//! An institution past one machine keeps its originals where it keeps everything else:
//! in an object store it already operates (Amazon S3, MinIO, Ceph, a cloud's S3
//! interface). [`ObjectBlobStore`] keeps blobs there through the `object_store` crate
//! under the same names [`FsBlobStore`](crate::FsBlobStore) gives files
//! (`PREFIX/ab/abcd…`), so that a folder copied into a bucket is a valid blob store.
//!
//! The [`BlobStore`] trait is synchronous, as every caller (ingest workers, the fixity
//! check, the server's blocking tasks) is; the object store's client is asynchronous.
//! Each store owns a small runtime of its own and hands it every request, waiting on a
//! plain channel for the answer, so a call works from any thread, a server's included.
//!
//! Writing an original first spools it to a local temporary file while hashing it (the
//! name is its hash, known only at the end), then uploads it in one request, or in parts
//! when it is large, so that a file of any size never sits whole in memory. Reading
//! fetches it range by range. Requests that fail for a reason worth retrying (a timeout,
//! a 5xx, throttling) are retried with exponential backoff by the client.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kartoteka_model::ContentHash;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientConfigKey, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload,
    RetryConfig, WriteMultipart,
};

use crate::blob::{BlobError, BlobStore, FsBlobStore};

/// Where an archive's originals live, as a user names it: `s3://BUCKET/PREFIX`, or
/// `file:///PATH` (or a bare path) for a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlobLocation {
    /// A folder on this machine, with blobs as files.
    Folder(PathBuf),
    /// A bucket of an S3-compatible store, and the prefix inside it (without slashes at
    /// either end; empty for the whole bucket).
    S3 {
        /// The bucket's name.
        bucket: String,
        /// The prefix every key starts with.
        prefix: String,
    },
}

impl BlobLocation {
    /// Reads a location URL. Refuses schemes other than `s3` and `file`, a bucket name S3
    /// would refuse, and a prefix that climbs (`..`) or is not plain text, each naming the
    /// problem.
    pub fn parse(url: &str) -> Result<BlobLocation, BlobError> {
        let bad = |why: &str| BlobError::Location {
            url: url.to_string(),
            why: why.to_string(),
        };
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let bucket_ok = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                })
                && !bucket.starts_with(['-', '.'])
                && !bucket.ends_with(['-', '.']);
            if !bucket_ok {
                return Err(bad(
                    "a bucket's name is 3 to 63 lower-case letters, digits, dots and hyphens",
                ));
            }
            let prefix = prefix.trim_matches('/');
            for part in prefix.split('/').filter(|p| !p.is_empty()) {
                if part == "." || part == ".." {
                    return Err(bad("the prefix may not contain `.` or `..`"));
                }
                if part.chars().any(|c| c.is_control() || c == '\\') {
                    return Err(bad("the prefix may not contain control characters or `\\`"));
                }
            }
            if prefix.contains("//") {
                return Err(bad("the prefix may not contain an empty part (`//`)"));
            }
            return Ok(BlobLocation::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            });
        }
        if let Some(path) = url.strip_prefix("file://") {
            if !path.starts_with('/') {
                return Err(bad("a file URL names an absolute path: file:///PATH"));
            }
            return Ok(BlobLocation::Folder(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(bad(&format!(
                "`{scheme}://` is not a blob store this build knows; use s3://BUCKET/PREFIX or file:///PATH"
            )));
        }
        if url.trim().is_empty() {
            return Err(bad("the location is empty"));
        }
        Ok(BlobLocation::Folder(PathBuf::from(url)))
    }

    /// The location as a URL, the form it is recorded in.
    pub fn url(&self) -> String {
        match self {
            BlobLocation::Folder(path) => {
                let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                format!("file://{}", absolute.display())
            }
            BlobLocation::S3 { bucket, prefix } if prefix.is_empty() => format!("s3://{bucket}"),
            BlobLocation::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
        }
    }

    /// Opens the blob store at this location. An S3 location takes its credentials,
    /// region and endpoint from the usual AWS environment variables (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`), and is
    /// reached once at opening so that a wrong bucket or key fails here, by name.
    pub fn open(&self) -> Result<Arc<dyn BlobStore>, BlobError> {
        match self {
            BlobLocation::Folder(path) => Ok(Arc::new(FsBlobStore::open(path.clone())?)),
            BlobLocation::S3 { .. } => Ok(Arc::new(ObjectBlobStore::open(self)?)),
        }
    }
}

/// Originals above this size are uploaded in parts.
const MULTIPART_ABOVE: u64 = 16 * 1024 * 1024;
/// The size of each uploaded part (S3 takes 5 MiB to 5 GiB, up to 10,000 parts: 80 GiB).
const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts uploaded at once.
const PARTS_AT_ONCE: usize = 4;
/// Originals above this size are looked for before they are sent, so that storing one
/// again costs a request, not its upload.
const ASK_FIRST_ABOVE: u64 = 1024 * 1024;
/// Reads in flight per core: each spends most of its time waiting on the network.
const READS_PER_CORE: usize = 8;
/// How much a read fetches per request.
const READ_RANGE: u64 = 8 * 1024 * 1024;

/// Blobs in an S3-compatible object store, under `PREFIX/ab/abcd…`.
pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
    url: String,
    /// Always `Some` until dropped; taken in `drop` to shut down without blocking.
    runtime: Option<tokio::runtime::Runtime>,
    multipart_above: u64,
}

impl ObjectBlobStore {
    /// Opens the store at an S3 location (see [`BlobLocation::open`]).
    pub fn open(location: &BlobLocation) -> Result<ObjectBlobStore, BlobError> {
        let BlobLocation::S3 { bucket, prefix } = location else {
            return Err(BlobError::Location {
                url: location.url(),
                why: "not an object store location".into(),
            });
        };
        let url = location.url();
        let remote = |message: String| BlobError::Remote {
            url: url.clone(),
            message,
        };
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(10),
                base: 2.0,
            },
            max_retries: 8,
            retry_timeout: Duration::from_secs(180),
        };
        // Timeouts are set key by key: whole client options would replace what the
        // environment set (AWS_ALLOW_HTTP, a proxy).
        let builder = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_retry(retry)
            .with_config(
                AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
                "10s",
            )
            .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "300s");
        let store = builder.build().map_err(|e| remote(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kartoteka-s3")
            .enable_all()
            .build()
            .map_err(|e| remote(format!("cannot start the client: {e}")))?;
        let this = ObjectBlobStore {
            store: Arc::new(store),
            prefix: ObjectPath::from(prefix.as_str()),
            url,
            runtime: Some(runtime),
            multipart_above: MULTIPART_ABOVE,
        };
        // Reach the bucket now: a wrong name, endpoint or key fails here, not mid-ingest.
        let store = this.store.clone();
        let prefix = this.prefix.clone();
        this.run(async move { store.list_with_delimiter(Some(&prefix)).await.map(|_| ()) })?;
        Ok(this)
    }

    /// The key a blob is stored under.
    fn key(&self, hash: &ContentHash) -> ObjectPath {
        let hex = hash.to_hex();
        let mut parts: Vec<String> = self
            .prefix
            .parts()
            .map(|p| p.as_ref().to_string())
            .collect();
        parts.push(hex[0..2].to_string());
        parts.push(hex);
        ObjectPath::from_iter(parts)
    }

    /// Runs one request on the store's runtime and waits for its answer.
    fn run<T, F>(&self, request: F) -> Result<T, BlobError>
    where
        T: Send + 'static,
        F: std::future::Future<Output = object_store::Result<T>> + Send + 'static,
    {
        let runtime = self.runtime.as_ref().ok_or_else(|| BlobError::Remote {
            url: self.url.clone(),
            message: "the store is closed".into(),
        })?;
        let (tx, rx) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let _ = tx.send(request.await);
        });
        match rx.recv() {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(BlobError::Remote {
                url: self.url.clone(),
                message: e.to_string(),
            }),
            Err(_) => Err(BlobError::Remote {
                url: self.url.clone(),
                message: "the request was abandoned".into(),
            }),
        }
    }

    /// The stored size of a blob, `None` when there is none.
    fn size(&self, key: &ObjectPath) -> Result<Option<u64>, BlobError> {
        let store = self.store.clone();
        let key = key.clone();
        let answer = self.run(async move {
            match store.head(&key).await {
                Ok(meta) => Ok(Some(meta.size)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })?;
        Ok(answer)
    }

    /// Stores a blob of `len` bytes read from `source` under `key`: in one request, or
    /// in parts when it is large. A large blob already there (same key, same size) is not
    /// sent again; a small one is simply sent, which costs one request where asking first
    /// would cost one or two.
    fn upload(
        &self,
        key: ObjectPath,
        mut source: Box<dyn Read + Send>,
        len: u64,
    ) -> Result<(), BlobError> {
        if len > ASK_FIRST_ABOVE && self.size(&key)? == Some(len) {
            return Ok(());
        }
        let store = self.store.clone();
        if len <= self.multipart_above {
            let mut bytes = Vec::with_capacity(len as usize);
            source.read_to_end(&mut bytes).map_err(BlobError::Source)?;
            return self
                .run(async move { store.put(&key, PutPayload::from(bytes)).await.map(|_| ()) });
        }
        let url = self.url.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let runtime = self.runtime.as_ref().ok_or_else(|| BlobError::Remote {
            url: url.clone(),
            message: "the store is closed".into(),
        })?;
        // The parts are read from the source between uploads, a few in flight at a time;
        // an error aborts the upload so that no part is left stored (and billed).
        runtime.spawn(async move {
            let outcome = async {
                let upload = store.put_multipart(&key).await.map_err(|e| e.to_string())?;
                let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
                let mut buf = vec![0u8; PART_SIZE];
                loop {
                    let n = match read_full(&mut source, &mut buf) {
                        Ok(n) => n,
                        Err(e) => {
                            let _ = writer.abort().await;
                            return Err(e.to_string());
                        }
                    };
                    if n == 0 {
                        break;
                    }
                    if let Err(e) = writer.wait_for_capacity(PARTS_AT_ONCE).await {
                        let _ = writer.abort().await;
                        return Err(e.to_string());
                    }
                    writer.write(&buf[..n]);
                }
                writer.finish().await.map(|_| ()).map_err(|e| e.to_string())
            }
            .await;
            let _ = tx.send(outcome);
        });
        match rx.recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(BlobError::Remote { url, message }),
            Err(_) => Err(BlobError::Remote {
                url,
                message: "the upload was abandoned".into(),
            }),
        }
    }

    fn handle(&self) -> Result<tokio::runtime::Handle, BlobError> {
        self.runtime
            .as_ref()
            .map(|r| r.handle().clone())
            .ok_or_else(|| BlobError::Remote {
                url: self.url.clone(),
                message: "the store is closed".into(),
            })
    }
}

/// Reads until `buf` is full or the source ends.
fn read_full(source: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl Drop for ObjectBlobStore {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which a server's async thread may not do.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl BlobStore for ObjectBlobStore {
    fn put_reader(&self, reader: &mut dyn Read) -> Result<(ContentHash, u64), BlobError> {
        let spool = tempfile::tempfile().map_err(|source| BlobError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        let (hash, len) = {
            let mut out = io::BufWriter::new(&spool);
            crate::blob::copy_hashing(reader, &mut out, &std::env::temp_dir())?
        };
        let mut spool = spool;
        spool.seek(SeekFrom::Start(0)).map_err(BlobError::Source)?;
        self.upload(self.key(&hash), Box::new(spool), len)?;
        Ok((hash, len))
    }

    fn put(&self, bytes: &[u8]) -> Result<ContentHash, BlobError> {
        // Already in memory: hashed and sent from there, with no spool.
        let hash = crate::blob::hash_bytes(bytes);
        let source = io::Cursor::new(bytes.to_vec());
        self.upload(self.key(&hash), Box::new(source), bytes.len() as u64)?;
        Ok(hash)
    }

    fn open(&self, hash: &ContentHash) -> Result<Box<dyn Read + Send>, BlobError> {
        // The first range comes with the object's size: one request for most originals.
        let key = self.key(hash);
        let (store, first_key) = (self.store.clone(), key.clone());
        let first = self.run(async move {
            let options = GetOptions {
                range: Some(GetRange::Bounded(0..READ_RANGE)),
                ..GetOptions::default()
            };
            match store.get_opts(&first_key, options).await {
                Ok(got) => {
                    let size = got.meta.size;
                    got.bytes().await.map(|b| Some((size, b.to_vec())))
                }
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                // An empty object has no first byte to ask for; its size tells below.
                Err(_) => Ok(Some((u64::MAX, Vec::new()))),
            }
        })?;
        let (size, chunk) = match first {
            None => return Err(BlobError::Missing(*hash)),
            Some((u64::MAX, _)) => match self.size(&key)? {
                None => return Err(BlobError::Missing(*hash)),
                Some(0) => (0, Vec::new()),
                Some(_) => {
                    return Err(BlobError::Remote {
                        url: self.url.clone(),
                        message: format!("{key} could not be read"),
                    })
                }
            },
            Some(found) => found,
        };
        Ok(Box::new(RangeReader {
            store: self.store.clone(),
            handle: self.handle()?,
            key,
            size,
            next: chunk.len() as u64,
            chunk,
            at: 0,
        }))
    }

    fn contains(&self, hash: &ContentHash) -> Result<bool, BlobError> {
        Ok(self.size(&self.key(hash))?.is_some())
    }

    fn reads_per_core(&self) -> usize {
        READS_PER_CORE
    }

    fn hashes(&self) -> Result<Vec<ContentHash>, BlobError> {
        use futures::TryStreamExt;
        let (store, prefix) = (self.store.clone(), self.prefix.clone());
        let listed =
            self.run(async move { store.list(Some(&prefix)).try_collect::<Vec<_>>().await })?;
        // PREFIX/ab/abcd…: the last two parts, the first naming the second's shard.
        Ok(listed
            .iter()
            .filter_map(|meta| {
                let parts: Vec<_> = meta.location.parts().collect();
                let [.., shard, name] = parts.as_slice() else {
                    return None;
                };
                let name = name.as_ref();
                if !name.starts_with(shard.as_ref()) {
                    return None;
                }
                ContentHash::from_hex(name).ok()
            })
            .collect())
    }
}

/// A stored object read range by range, as the reader asks for it.
struct RangeReader {
    store: Arc<dyn ObjectStore>,
    handle: tokio::runtime::Handle,
    key: ObjectPath,
    size: u64,
    /// The offset of the next range to fetch.
    next: u64,
    /// The range fetched last, and how much of it was read.
    chunk: Vec<u8>,
    at: usize,
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.chunk.len() {
            if self.next >= self.size {
                return Ok(0);
            }
            let end = (self.next + READ_RANGE).min(self.size);
            let (store, key, range) = (self.store.clone(), self.key.clone(), self.next..end);
            let (tx, rx) = std::sync::mpsc::channel();
            self.handle.spawn(async move {
                let _ = tx.send(store.get_range(&key, range).await);
            });
            let bytes = match rx.recv() {
                Ok(Ok(bytes)) => bytes,
                Ok(Err(e)) => return Err(io::Error::other(e.to_string())),
                Err(_) => return Err(io::Error::other("the read was abandoned")),
            };
            if bytes.len() as u64 != end - self.next {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("{} changed size while being read", self.key),
                ));
            }
            self.chunk = bytes.to_vec();
            self.at = 0;
            self.next = end;
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> String {
        match BlobLocation::parse(url) {
            Err(e) => e.to_string(),
            Ok(l) => panic!("{url} was taken as {l:?}"),
        }
    }

    #[test]
    fn locations_are_read_from_urls() {
        assert_eq!(
            BlobLocation::parse("s3://archive-originals/kyiv/sbu").unwrap(),
            BlobLocation::S3 {
                bucket: "archive-originals".into(),
                prefix: "kyiv/sbu".into()
            }
        );
        assert_eq!(
            BlobLocation::parse("s3://archive-originals/").unwrap(),
            BlobLocation::S3 {
                bucket: "archive-originals".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            BlobLocation::parse("file:///srv/kartoteka/blobs").unwrap(),
            BlobLocation::Folder(PathBuf::from("/srv/kartoteka/blobs"))
        );
        assert_eq!(
            BlobLocation::parse("blobs").unwrap(),
            BlobLocation::Folder(PathBuf::from("blobs"))
        );
        // The URL a location is recorded as reads back as the same location.
        for url in [
            "s3://archive-originals/kyiv/sbu",
            "s3://abc",
            "file:///srv/blobs",
        ] {
            let location = BlobLocation::parse(url).unwrap();
            assert_eq!(location.url(), url);
            assert_eq!(BlobLocation::parse(&location.url()).unwrap(), location);
        }
    }

    proptest::proptest! {
        /// Whatever is given, the reading answers (no panic), and a location it takes
        /// reads back from its own URL as the same location: what `blobs.url` records
        /// is what the archive opens next time.
        #[test]
        fn any_url_is_read_or_refused_and_what_is_taken_round_trips(
            url in "(s3://|file:///|gs://|)[a-z0-9./_\\-]{0,12}(/[\\PC]{0,8}){0,3}"
        ) {
            if let Ok(location) = BlobLocation::parse(&url) {
                if let BlobLocation::S3 { prefix, .. } = &location {
                    proptest::prop_assert!(!prefix.split('/').any(|p| p == ".."));
                    proptest::prop_assert_eq!(BlobLocation::parse(&location.url()).ok(), Some(location.clone()));
                }
            }
        }
    }

    #[test]
    fn bad_locations_are_refused_by_name() {
        assert!(refused("gs://bucket/x").contains("`gs://` is not a blob store"));
        assert!(refused("s3://Upper/x").contains("bucket"));
        assert!(refused("s3://ab").contains("bucket"));
        assert!(refused("s3://-dash/x").contains("bucket"));
        assert!(refused("s3://bucket/a/../b").contains("`..`"));
        assert!(refused("s3://bucket/a//b").contains("empty part"));
        assert!(refused("s3://bucket/a\nb").contains("control"));
        assert!(refused("file://relative/path").contains("absolute"));
        assert!(refused("").contains("empty"));
        // The message names the location as given.
        assert!(refused("s3://Upper/x").contains("\"s3://Upper/x\""));
    }
}
