//! The domain model of Kartoteka, with no I/O.
//!
//! # Brief overview
//!
//! An archive holds [`Document`]s. Each document is one original file, stored byte for
//! byte under its [`ContentHash`], placed in the archival hierarchy at a [`Reference`]
//! ("ф. 17, оп. 171, д. 409") by some [`Placement`] method, and split into [`Page`]s, each
//! of which may carry the archival [`Sheet`] it is. Every pipeline [`Stage`] that runs on a
//! document leaves a [`StageRecord`] in the stage ledger.
//!
//! ```
//! use kartoteka_model::{Reference, Level};
//! let unit: Reference = "ф. 17, оп. 171".parse().unwrap();
//! assert_eq!(unit.level(), Level::Inventory);
//! assert!(unit.contains(&"Fonds 17, Inventory 171, File 409".parse().unwrap()));
//! ```

mod access;
mod countries;
mod custody;
mod document;
mod dossier;
mod edition;
mod finding;
mod identity;
mod job;
mod mention;
mod note;
mod reference;
mod release;
mod report;

pub use access::{
    allows, role_allows, scope_list, AccessWordError, Action, ApiToken, Role, Scope, TokenCard,
    User, UserCard, WebSession,
};
pub use countries::{country_name, COUNTRIES};
pub use custody::{CustodyEntry, Direction, Location, LocationError, Transfer};
pub use document::{
    is_audit_time, now_rfc3339, rfc3339, ContentHash, DateRange, DocId, Document, Format,
    HashError, Page, PartialDate, Placement, Stage, StageOutcome, StageRecord, Unit,
};
pub use dossier::{
    CandidateLink, CoverHolder, CoverNameHeld, CoverNameView, Dossier, DossierRelation, OwnFile,
    Person, PersonFacts, PersonMention, Redirect, TimelineEntry,
};
pub use edition::{Disclosure, EditionRecord, EditorDecision};
pub use finding::{Finding, FindingKind, FindingStatus, Severity};
pub use identity::{
    assign_person_ids, IdAssignment, IdChange, IdentityRow, Judgement, MentionAnchor, PersonRecord,
    PersonStatus, Sex, Verdict, VerdictError,
};
pub use job::{JobEnd, JobRecord, JobState, NewJob, MAX_ATTEMPTS};
pub use mention::{MentionKind, MentionRecord, RelationKind, RelationRecord, UnknownKind};
pub use note::{Anchor, Note, NoteVersion};
pub use reference::{Convention, Level, Reference, ReferenceError, Sheet, Sheets};
pub use release::{
    group_members, is_group_name, releasable, Audience, Caveat, CaveatError, Consent, KeptFile,
    KeptVariant, NeedToKnow, Package, PackageKind, PackagedReport, Partner, PartnerState, Receipt,
    Routing, Withheld, GROUPS,
};
pub use report::{
    excerpt, Citation, Claim, Classification, CollectionIndex, Fate, Grade, GradeError, Marking,
    MarkingError, MarkingRule, Paragraph, Related, Report, ReportFate, ReportStatus,
    ReportStatusError,
};
