//! Release to partner services, as rules over what the archive holds, with no I/O.
//!
//! # Brief overview
//!
//! A report goes to a partner when it is approved, something routes it there, and the
//! partner's variant still says who the report is about. [`plan`] works this out for every
//! partner and report at once, before anything is sent: each cell of the partner by report
//! matrix says whether the report goes, every reason why or why not ([`Reason`]), and what
//! the partner's variant would lose ([`Loss`]).
//!
//! * Routing ([`route`]): a report goes to the partners of the countries it concerns (the
//!   agent operated in, against or from them), to those whose need-to-know names one of
//!   its countries or a topic in it, and to those a release officer added by hand; a
//!   release officer's decision to hold it back wins, and the latest decision stands.
//! * What a variant keeps ([`variant_loss`]): each paragraph and each citation is put to
//!   the model's one releasability rule, [`kartoteka_model::releasable`]. A paragraph it
//!   withholds is dropped; a citation it withholds inside a kept paragraph is replaced by a
//!   neutral reference. A variant that keeps none of the paragraphs naming its subject is
//!   not sent.
//!
//! ```
//! use kartoteka_release::{plan, Offer};
//! let cells = plan(&[], &[] as &[Offer<'_>], &[], &[]);
//! assert!(cells.cells.is_empty());
//! ```

mod plan;
mod variant;

pub use plan::{plan, route, variant_loss, Cell, Loss, Offer, Plan, Reason, VariantLoss};
pub use variant::{public_variant, variant, Variant};
