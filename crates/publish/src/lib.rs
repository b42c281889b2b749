//! The public edition (issue 19), starting with its independent leak check.
//!
//! # Brief overview
//!
//! * [`forms`]: every form of a person's name Kartoteka knows (cases, initials,
//!   given name with patronymic, diminutives, romanisations), the strings to withhold.
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

pub mod forms;
pub mod leak;
