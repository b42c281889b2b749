//! Archive storage behind two traits.
//!
//! # Brief overview
//!
//! * [`BlobStore`] holds originals byte for byte under their SHA-256 ([`FsBlobStore`] in
//!   the archive folder, [`ObjectBlobStore`] in an S3-compatible object store,
//!   [`MemoryBlobStore`] for tests); a [`BlobLocation`] URL chooses between them.
//! * [`MetadataStore`] holds the hierarchy's units, documents, their pages of text and the
//!   stage ledger ([`SqliteStore`] in the archive folder, [`PostgresStore`] in a database
//!   several servers share); a [`StoreLocation`] URL chooses between them.
//! * [`audit`] is the hash-chained log of every act that changes the archive; the
//!   metadata store appends to it in the same transaction as each change.
//! * [`conformance`] is the test suite every backend must pass.
//!
//! Nothing above this crate knows which backend it has.
//!
//! ```
//! use kartoteka_store::{BlobStore, MemoryBlobStore};
//! let blobs = MemoryBlobStore::default();
//! let a = blobs.put(b"protocol").unwrap();
//! assert_eq!(blobs.put(b"protocol").unwrap(), a); // the same bytes are stored once
//! assert_eq!(blobs.get(&a).unwrap(), b"protocol");
//! ```

pub mod acts;
pub mod audit;
mod blob;
pub mod conformance;
mod metadata;
mod object;
mod postgresql;
pub mod records;
mod sqlite;

pub use audit::{AuditAct, AuditAction, AuditEntry, AuditFilter, ChainCheck};
pub use blob::{hash_bytes, hash_reader, BlobError, BlobStore, FsBlobStore, MemoryBlobStore};
pub use metadata::{
    AccessStore, AuditStore, Batches, CustodyStore, DocumentToSave, EditionStore, Event, Failure,
    FindingStore, Holding, HoldingsStore, IdentityStore, JobStore, LedgerStore, MentionStore,
    MetadataStore, NewDocument, NoteFilter, NoteStore, ReleaseStore, ReportStore, RuleStore, Saved,
    StoreError, Summary, VersionRecord,
};
pub use object::{BlobLocation, ObjectBlobStore};
pub use postgresql::{PostgresStore, StoreLocation};

/// The storage roles' traits, for code that calls a store's methods through
/// `dyn MetadataStore`: `use kartoteka_store::prelude::*;`.
pub mod prelude {
    pub use crate::metadata::{
        AccessStore, AuditStore, Batches, CustodyStore, EditionStore, FindingStore, HoldingsStore,
        IdentityStore, JobStore, LedgerStore, MentionStore, MetadataStore, NoteStore, ReleaseStore,
        ReportStore, RuleStore,
    };
}
pub use records::{Cell, CopyTarget, Records, TableDigest, TableShape};
pub use sqlite::{SqliteStore, SCHEMA_VERSION};

/// The hash of a document's text, page by page (pages joined by a form feed), as the audit
/// chain records it when the text is written: what `audit verify` compares the pages with.
pub fn text_hash(pages: &[kartoteka_model::Page]) -> String {
    let mut joined = String::new();
    for (i, p) in pages.iter().enumerate() {
        if i > 0 {
            joined.push('\u{c}');
        }
        joined.push_str(&p.text);
    }
    hash_bytes(joined.as_bytes()).to_hex()
}
