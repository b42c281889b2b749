//! Identity resolution as rules over an evidence snapshot, with no I/O.
//!
//! # Brief overview
//!
//! Extraction finds person mentions ("Орловым И. П.", "Ivan Orlov") and the relations
//! the text states between mentions. [`resolve`] decides which person mentions are one
//! person, by name comparison (kartoteka-names) under people's judgements ("same",
//! "different"), and carries the person ids ("P17") over from the last resolution: new
//! evidence keeps every id, a merge keeps the id with more mentions and redirects the
//! other, a split gives the smaller part a new id, and no id is ever issued twice.
//!
//! [`Resolved`] is the outcome with the evidence it rests on, loaded once: the persons
//! and their best names ([`Resolved::person`]), a person picked out by id or name
//! ([`Resolved::find`]), cover names and who held them when ([`Resolved::covers`],
//! [`Resolved::holdings`]), a dossier, and the FollowTheMoney entities.
//!
//! Resolution is recomputed from the mentions and the judgements each time it runs, so it
//! is reproducible and reversible: undoing a judgement and resolving again gives what
//! the archive would have given without it. The archive's identity service loads the
//! snapshot from the store and keeps what [`resolve`] returns; nothing here reads or
//! writes.

mod covers;
mod resolve;
mod resolved;
mod views;

pub use covers::{CoverName, Holding};
pub use resolve::{resolve, Evidence, PersonIdChange, Resolution, ResolveReport};
pub use resolved::{IdentityError, Resolved};
pub use views::own_files;

#[cfg(test)]
mod tests;
