//! Reading formats: from an original's bytes to pages of text ("reading", so that
//! "extraction" keeps its one meaning: finding names in text).
//!
//! Each format has its own module. All of them return [`PagesRead`]: pages of text
//! (with the sheet number when the document marks it), the encoding read, and whether the
//! document still needs OCR. Limits on sizes guard against decompression bombs and
//! files too large to hold in memory; exceeding one is an error naming the limit.

mod docx;
pub mod external;
mod html;
pub mod ocr;
mod pdf;
mod text;

use kartoteka_model::{Format, Sheet};

pub use external::{
    install_interrupt_handler, restore_default_signal_actions, stop_external_programs,
};
pub use ocr::Ocr;
pub use text::sheet_marker;

/// A page as extraction finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawPage {
    /// The page's text.
    pub text: String,
    /// The sheet the document itself marks for this page ("л. 12", "Sheet 12", "## Page 3").
    pub marked_sheet: Option<Sheet>,
}

/// What extraction produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PagesRead {
    /// Pages in order.
    pub pages: Vec<RawPage>,
    /// Encoding the text was decoded from, for formats that carry bytes of text.
    pub encoding: Option<String>,
    /// True when some pages have no text layer and OCR could not run.
    pub needs_ocr: bool,
    /// A title the document gives itself (HTML title, DOCX core title).
    pub title: Option<String>,
    /// True when the pages are physical pages (PDF, scans, page markers) rather than one
    /// run of text.
    pub paged: bool,
}

/// Why text could not be extracted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// Bytes that no text encoding explains.
    #[error(transparent)]
    Decode(#[from] kartoteka_text::DecodeError),
    /// A PDF that does not parse (truncated, damaged, encrypted).
    #[error("PDF: {0}")]
    Pdf(String),
    /// A DOCX that is not a valid package.
    #[error("DOCX: {0}")]
    Docx(String),
    /// Decompressed content above the limit: a zip bomb or a document too large.
    #[error("{what} expands beyond {limit} bytes; refusing (possible decompression bomb)")]
    TooLarge {
        /// What was being decompressed.
        what: String,
        /// The limit.
        limit: u64,
    },
    /// OCR was attempted and failed.
    #[error("OCR: {0}")]
    Ocr(String),
    /// The parser for this format panicked on the file: a bug to report, with the file.
    #[error("the {0} extractor crashed on this file (please report it with the file)")]
    Crashed(Format),
}

/// Limits for extraction.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most bytes any decompressed part may reach.
    pub max_decompressed: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed: 256 * 1024 * 1024,
        }
    }
}

/// The format of a file from its name and first bytes; `None` when it is not one we read.
pub fn detect_format(file_name: &str, head: &[u8]) -> Option<Format> {
    if head.starts_with(b"%PDF-") {
        return Some(Format::Pdf);
    }
    if head.starts_with(b"\x89PNG")
        || head.starts_with(b"\xFF\xD8\xFF")
        || head.starts_with(b"II*\0")
        || head.starts_with(b"MM\0*")
    {
        return Some(Format::Image);
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => Some(Format::Pdf),
        "docx" => Some(Format::Docx),
        "html" | "htm" | "xhtml" => Some(Format::Html),
        "md" | "markdown" => Some(Format::Markdown),
        "txt" | "text" | "csv" | "tsv" | "" => Some(Format::Text),
        "tif" | "tiff" | "png" | "jpg" | "jpeg" => Some(Format::Image),
        _ => {
            // An unknown extension that sniffs as HTML or decodes as text is read as such.
            let lower: Vec<u8> = head.iter().take(512).map(u8::to_ascii_lowercase).collect();
            let text = String::from_utf8_lossy(&lower);
            if text.contains("<html") || text.contains("<!doctype html") {
                Some(Format::Html)
            } else if head.starts_with(b"PK\x03\x04") {
                None
            } else if kartoteka_text::decode(&head[..head.len().min(4096)]).is_ok() {
                Some(Format::Text)
            } else {
                None
            }
        }
    }
}

/// Extracts the text of an original of a known format.
pub fn read_pages(
    format: Format,
    bytes: &[u8],
    limits: &Limits,
    ocr: &Ocr,
) -> Result<PagesRead, FormatError> {
    match format {
        Format::Text | Format::Markdown => text::read(bytes),
        Format::Html => html::read(bytes),
        Format::Pdf => pdf::read(bytes, limits, ocr),
        Format::Docx => docx::read(bytes, limits),
        Format::Image => ocr.image(bytes),
    }
}
