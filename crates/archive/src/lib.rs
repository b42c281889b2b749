//! The archive's services, over the storage traits; ingest is one of them.
//!
//! # Brief overview
//!
//! An [`Archive`] is one folder: the SQLite store, the blob directory and the search
//! index, each behind its trait. [`Archive::ingest`] walks files, reads and hashes them,
//! stores each original once, reads its text page by page ([`formats`]), places it in
//! the hierarchy (by [`inventory`], folder names or file name; see [`placement`]), saves it
//! with its ledger record, and indexes it. [`Archive::search`], [`Archive::show`],
//! [`Archive::status`] and [`Archive::reindex`] serve the front ends.
//!
//! ```no_run
//! use kartoteka_archive::{Archive, IngestOptions, NoProgress};
//! let archive = Archive::init("my-archive".as_ref()).unwrap();
//! let report = archive.ingest(&["scans/".into()], &IngestOptions::default(), &NoProgress).unwrap();
//! println!("{} added, {} failed", report.added, report.failed);
//! let found = archive.search("Хрущёвым", &Default::default()).unwrap();
//! ```

mod access;
mod archive;
mod audit;
mod changes;
pub use changes::CatchUp;
mod corpus;
mod fixity;
pub mod formats;
mod gaps;
mod history;
mod identity;
pub mod inventory;
mod mentions;
mod migrate;
mod notebook;
mod notes;
mod pipeline;
pub mod placement;
mod publish;
mod reading;
mod release;
mod reports;
mod seal;
mod transfer;
mod tree;
mod uploads;

pub use access::{secret_hash, Access, Caller, Denied, MIN_PASSWORD_CHARS, TOKEN_PREFIX};
pub use archive::{
    citation, share_with_group, Archive, ArchiveError, Batch, DocSummary, ErrorKind, SearchHit,
    SearchResponse, Shown, Status, WriterLock, INDEX_VERSION, UPLOADS,
};
pub use audit::{ChainReport, HeadKey, SignedHead};
pub use corpus::{split_notes, CitedNote, NotesReport};
pub use fixity::{FixityProblem, FixityReport, KeptProblem};
pub use gaps::GapsReport;
pub use history::{History, Moment};
pub use identity::{
    CandidateLink, CoverHolder, CoverNameHeld, CoverNameView, Dossier, DossierRelation, Identities,
    OwnFile, Person, PersonIdChange, PersonMention, Redirect, ResolveReport, TimelineEntry,
};
pub use kartoteka_index::SearchOptions;
pub use kartoteka_store::{AuditEntry, AuditFilter, BlobLocation, NoteFilter, StoreLocation};
pub use mentions::{ExtractReport, MentionView, RelationView, MENTIONS_VERSION};
pub use migrate::Migration;
pub use notebook::{generate_identity, LockReport, NotebookKey};
pub use notes::{NewNote, Selection};
pub use pipeline::{
    IngestError, IngestOptions, IngestReport, NoProgress, Progress, EXTRACT_VERSION,
};
pub use publish::{Publish, Published};
pub use release::{
    check_recipient, check_verify_key, encrypt_to, open_package, NewPartner, Opened, Outdated,
    PackageManifest, PackagedVariant, PartnerChange, PartnerKeys, Recall, Release, ReleasedHit,
    ReleasedSearch, SentPackage,
};
pub use reports::{
    collection_index, page_marking, BuildReport, ClaimSet, CollectionIndex, Conflict, Reports,
};
pub use seal::{HeadKeys, SealCheck, SEAL_FILE};
pub use transfer::{ExportOptions, ExportReport, ImportReport};
pub use tree::{TreeDocument, TreeNode, TreeStep, TreeView};
pub use uploads::{unpack_upload, UnpackLimits, Unpacked};
