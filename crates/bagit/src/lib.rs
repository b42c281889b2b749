//! BagIt bags (RFC 8493): strict validation and writing.
//!
//! # Brief overview
//!
//! [`validate`] reads a bag as RFC 8493 describes it and refuses it where the RFC says
//! MUST: the `bagit.txt` declaration, the payload and tag manifests, `bag-info.txt`, the
//! completeness of the payload against every manifest, every checksum, and paths that
//! would leave the bag. Where the RFC says SHOULD, it warns. Files are hashed once for all
//! the bag's algorithms, on several threads. A bag that changes while it is read is
//! refused.
//!
//! [`BagWriter`] writes a bag into a temporary folder beside its destination and renames it
//! into place only when every file, manifest and tag manifest is written and synced, so a
//! bag that exists is whole.
//!
//! We write our own rather than bind a library: the Rust crates for BagIt we found are
//! lenient where this program must be strict, and do not hash in parallel.
//!
//! ```no_run
//! let report = kartoteka_bagit::validate("incoming/bag".as_ref(), &Default::default(), &|_| {});
//! for e in &report.errors {
//!     eprintln!("{e}");
//! }
//! assert!(report.is_valid());
//! ```

mod algorithm;
pub mod tagfile;
mod validate;
mod write;

pub use algorithm::{hash_file, Algorithm, MultiHasher};
pub use validate::{validate, PayloadFile, Report, ValidateOptions};
pub use write::{bag_in_memory, BagWriter, WriteError};

/// One reason a bag is invalid, or one warning, naming the file and line when there is one.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file, relative to the bag.
    pub file: Option<String>,
    /// The line in that file.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem with the bag as a whole.
    pub fn bag(message: impl Into<String>) -> Problem {
        Problem {
            file: None,
            line: None,
            message: message.into(),
        }
    }

    /// A problem with one file.
    pub fn in_file(file: &str, message: impl Into<String>) -> Problem {
        Problem {
            file: Some(file.to_string()),
            line: None,
            message: message.into(),
        }
    }

    /// A problem on one line of a tag file.
    pub fn at_line(file: &str, line: usize, message: impl Into<String>) -> Problem {
        Problem {
            file: Some(file.to_string()),
            line: Some(line),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}, line {line}: {}", self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}
