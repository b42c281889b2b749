//! A tantivy `Directory` that remembers the first error met while writing to it.
//!
//! When the disk fills up during indexing, tantivy's worker thread fails with the
//! `io::Error`, but the error the caller gets back is often only "Worker thread failed":
//! the cause stays in the thread. Every write to the index goes through this directory, so
//! the error a user sees can say what really happened ("No space left on device") and where.
//! tantivy offers no hook for this; wrapping its `Directory` trait is the way it is meant to
//! be extended.

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, TerminatingWrite, WatchCallback,
    WatchHandle, WritePtr,
};

/// The first write error an index directory met: its kind and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteFailure {
    /// The kind of I/O error (`StorageFull` for a full disk).
    pub kind: io::ErrorKind,
    /// The operating system's words for it.
    pub message: String,
}

impl WriteFailure {
    /// Whether the failure is a full disk or an exceeded quota.
    pub fn is_disk_full(&self) -> bool {
        matches!(
            self.kind,
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
        )
    }
}

/// Where a directory's first write failure is kept, shared by its writers.
#[derive(Clone, Default)]
pub(crate) struct FailureSlot(Arc<Mutex<Option<WriteFailure>>>);

impl FailureSlot {
    fn record(&self, e: &io::Error) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(WriteFailure {
                kind: e.kind(),
                message: e.to_string(),
            });
        }
    }

    /// The first failure recorded, if any.
    pub(crate) fn get(&self) -> Option<WriteFailure> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Another directory, with every write error it returns recorded.
#[derive(Clone)]
pub(crate) struct WatchedDirectory {
    inner: Box<dyn Directory>,
    failure: FailureSlot,
}

impl WatchedDirectory {
    pub(crate) fn new(inner: Box<dyn Directory>, failure: FailureSlot) -> Self {
        WatchedDirectory { inner, failure }
    }
}

impl fmt::Debug for WatchedDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WatchedDirectory({:?})", self.inner)
    }
}

impl Directory for WatchedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let writer = self.inner.open_write(path).inspect_err(|e| {
            if let OpenWriteError::IoError { io_error, .. } = e {
                self.failure.record(io_error);
            }
        })?;
        let capacity = writer.capacity();
        // Nothing is written yet, so the buffer is empty and taking it apart loses nothing.
        let (inner, _) = writer.into_parts();
        Ok(BufWriter::with_capacity(
            capacity,
            Box::new(WatchedWrite {
                inner,
                failure: self.failure.clone(),
            }),
        ))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner
            .atomic_write(path, data)
            .inspect_err(|e| self.failure.record(e))
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner
            .sync_directory()
            .inspect_err(|e| self.failure.record(e))
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// A file being written, with its errors recorded.
struct WatchedWrite {
    inner: Box<dyn TerminatingWrite + Send + Sync>,
    failure: FailureSlot,
}

impl Write for WatchedWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner
            .write(buf)
            .inspect_err(|e| self.failure.record(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().inspect_err(|e| self.failure.record(e))
    }
}

impl TerminatingWrite for WatchedWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        self.inner
            .terminate_ref(token)
            .inspect_err(|e| self.failure.record(e))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use kartoteka_model::{DocId, Format};
    use tantivy::directory::RamDirectory;

    use super::*;
    use crate::{IndexError, PageEntry, Query, SearchIndex, SearchOptions};

    /// A disk in memory with room for a given number of bytes of new files.
    #[derive(Clone, Debug)]
    struct SmallDisk {
        inner: RamDirectory,
        used: Arc<AtomicUsize>,
        room: Arc<AtomicUsize>,
    }

    impl Directory for SmallDisk {
        fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
            self.inner.get_file_handle(path)
        }
        fn delete(&self, path: &Path) -> Result<(), DeleteError> {
            self.inner.delete(path)
        }
        fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
            self.inner.exists(path)
        }
        fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
            let (inner, _) = self.inner.open_write(path)?.into_parts();
            Ok(BufWriter::new(Box::new(Metered {
                inner,
                disk: self.clone(),
            })))
        }
        fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
            self.inner.atomic_read(path)
        }
        fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
            self.take(data.len())?;
            self.inner.atomic_write(path, data)
        }
        fn sync_directory(&self) -> io::Result<()> {
            self.inner.sync_directory()
        }
        fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
            self.inner.watch(watch_callback)
        }
    }

    impl SmallDisk {
        fn take(&self, n: usize) -> io::Result<()> {
            let used = self.used.fetch_add(n, Ordering::SeqCst) + n;
            if used > self.room.load(Ordering::SeqCst) {
                return Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "No space left on device",
                ));
            }
            Ok(())
        }
    }

    struct Metered {
        inner: Box<dyn TerminatingWrite + Send + Sync>,
        disk: SmallDisk,
    }

    impl Write for Metered {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.disk.take(buf.len())?;
            self.inner.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.inner.flush()
        }
    }

    impl TerminatingWrite for Metered {
        fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
            self.inner.terminate_ref(token)
        }
    }

    fn open(disk: &SmallDisk) -> SearchIndex {
        let failure = FailureSlot::default();
        let watched = WatchedDirectory::new(Box::new(disk.clone()), failure.clone());
        SearchIndex::open_in(Box::new(watched), "the test disk".into(), failure)
            .expect("an index opens while there is room")
            .0
    }

    fn page(doc: u64, text: &str) -> PageEntry<'_> {
        PageEntry {
            doc: DocId(doc as i64),
            page: 1,
            sheet: None,
            text,
            reference: None,
            language: None,
            format: Format::Text,
            dates: None,
            analyzed: None,
        }
    }

    #[test]
    fn a_full_disk_is_named_as_such_and_the_last_commit_survives() {
        let disk = SmallDisk {
            inner: RamDirectory::create(),
            used: Arc::new(AtomicUsize::new(0)),
            room: Arc::new(AtomicUsize::new(usize::MAX)),
        };
        let index = open(&disk);
        let mut writer = index.writer_with_threads(1).expect("a writer");
        writer
            .add_document(vec![page(1, "Донесение агента о встрече в Лондоне")])
            .expect("room for one page");
        writer.commit().expect("room for the first commit");
        // Now the disk has room for little more than nothing.
        disk.room
            .store(disk.used.load(Ordering::SeqCst) + 200, Ordering::SeqCst);
        let text = "Резидент сообщил о вербовке источника в министерстве. ".repeat(200);
        let mut failed = None;
        for doc in 2..200 {
            if let Err(e) = writer.add_document(vec![page(doc, &text)]) {
                failed = Some(e);
                break;
            }
        }
        let err = match failed {
            Some(e) => e,
            None => writer.commit().expect_err("the disk is full"),
        };
        match &err {
            IndexError::Write { path, failure } => {
                assert!(failure.is_disk_full(), "{failure:?}");
                assert_eq!(path, "the test disk");
            }
            other => panic!("a full disk reported as {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains("is full"), "{text}");
        assert!(text.contains("No space left on device"), "{text}");
        drop(writer);
        // What was committed before is still there.
        let again = open(&disk);
        let no_text = |_: DocId, _: u32| -> Option<String> { None };
        let found = again
            .search(
                &Query::parse("Лондон").expect("a query"),
                &SearchOptions::default(),
                &no_text,
            )
            .expect("the index reads");
        assert_eq!(found.hits.len(), 1);
        assert_eq!(found.hits[0].doc, DocId(1));
    }
}
