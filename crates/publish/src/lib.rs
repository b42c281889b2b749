//! The public edition (issue 19): the trail anyone can follow, with nothing in it that was
//! taken out.
//!
//! # Brief overview
//!
//! * [`rules`]: what an edition is built from (`publish.toml`).
//! * [`people`]: who is named (agents, officers, officials, the long-born, the dead,
//!   public figures, editors' decisions) and who is protected, with pseudonyms that last
//!   from edition to edition.
//! * [`forms`]: every form of a person's name Kartoteka knows (cases, initials,
//!   given name with patronymic, diminutives, romanisations), the strings to withhold.
//! * [`redact`]: every form of a protected name replaced by its pseudonym.
//! * [`edition`]: the edition built in memory, as a pure pass: public variants of the
//!   approved reports, redacted; the named persons; the timeline and counts; then the
//!   pages ([`site`], in English and Russian), the search index ([`search`], our own, so
//!   that a name is found in any case and script) and the dataset ([`dataset`]: CSV,
//!   JSON, FollowTheMoney, README); and what changed since the previous edition, with
//!   page addresses that stay.
//! * [`write`]: the edition written beside its folder, checked for leaks from the disk,
//!   and only then put in the folder's place.
//! * [`leak`]: every byte of a folder scanned for withheld strings (private persons'
//!   names in every form, classification markings, reference codes of withheld units),
//!   after undoing what hides them (compression, character references, escapes, percent
//!   encoding, soft hyphens, case), naming the file, the offset and the rule. It shares
//!   no code with whatever took the strings out, so a bug there is not repeated here.
//!
//! ```
//! use kartoteka_publish::leak::{LeakCheck, Needle};
//! let check = LeakCheck::new(vec![Needle {
//!     text: "Соколовой".into(),
//!     rule: "private person P12".into(),
//!     exact_case: false,
//! }])
//! .unwrap();
//! let found = check.check_bytes("<img alt=\"&#1057;околовой\">".as_bytes());
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].offset, 10);
//! ```

pub mod dataset;
pub mod edition;
pub mod forms;
pub mod leak;
pub mod people;
pub mod redact;
pub mod rules;
pub mod search;
pub mod site;
pub mod write;
