//! Documents, pages, units and the stage ledger's records.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::reference::{Level, Reference, Sheet};

/// The SHA-256 of an original's bytes: the name it is stored under.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(pub [u8; 32]);

/// A string that is not a SHA-256 in hex.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a SHA-256 digest (64 hex digits)")]
pub struct HashError(pub String);

impl ContentHash {
    /// Lower-case hex, as used in blob file names and reports.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Result<ContentHash, HashError> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(HashError(text.to_string()));
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            let hex = std::str::from_utf8(pair).map_err(|_| HashError(text.to_string()))?;
            out[i] = u8::from_str_radix(hex, 16).map_err(|_| HashError(text.to_string()))?;
        }
        Ok(ContentHash(out))
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.to_hex())
    }
}

impl Serialize for ContentHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for ContentHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ContentHash::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// A document's number in the archive, stable for the archive's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocId(pub i64);

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The format an original came in, which decides how its text is extracted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text in any supported encoding.
    Text,
    /// Markdown.
    Markdown,
    /// HTML.
    Html,
    /// PDF (text layer, or OCR when it has none).
    Pdf,
    /// Word 2007+ document.
    Docx,
    /// A scanned image (TIFF, PNG, JPEG), read by OCR.
    Image,
}

impl Format {
    /// The name used in filters and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Image => "image",
        }
    }

    /// Parses the name used in filters ("pdf", "txt", "md", ...).
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.to_ascii_lowercase().as_str() {
            "text" | "txt" | "plain" => Format::Text,
            "markdown" | "md" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "pdf" => Format::Pdf,
            "docx" | "word" => Format::Docx,
            "image" | "tiff" | "tif" | "png" | "jpeg" | "jpg" | "scan" => Format::Image,
            _ => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a document got its place in the hierarchy, shown to the user so that a wrong
/// placement can be traced to its cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// A row of an inventory CSV (опись) names the file.
    Inventory,
    /// The folder names spell the reference ("ф. 17/оп. 171/д. 409/...").
    Folder,
    /// The file name carries a reference code ("f17_op171_d409.pdf").
    FileName,
    /// Folders give the upper levels and the file name the rest.
    FolderAndFileName,
    /// Nothing placed it; it sits outside the hierarchy until someone does.
    Unplaced,
    /// A typed note that cites the unit it was taken from: it stands for the unit, whose
    /// original may be elsewhere or lost, and is not the unit's original itself.
    Cited,
}

impl Placement {
    /// The name shown to users and stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Inventory => "inventory",
            Placement::Folder => "folder",
            Placement::FileName => "file_name",
            Placement::FolderAndFileName => "folder_and_file_name",
            Placement::Unplaced => "unplaced",
            Placement::Cited => "cited",
        }
    }

    /// Inverse of [`Placement::as_str`].
    pub fn parse(s: &str) -> Option<Placement> {
        Some(match s {
            "inventory" => Placement::Inventory,
            "folder" => Placement::Folder,
            "file_name" => Placement::FileName,
            "folder_and_file_name" => Placement::FolderAndFileName,
            "unplaced" => Placement::Unplaced,
            "cited" => Placement::Cited,
            _ => return None,
        })
    }
}

/// A date or period, as precise as the source allows, in days since the common era's
/// proleptic calendar expressed as YYYYMMDD integers (so 1937 is 19370101..19371231).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// First day, as YYYYMMDD.
    pub from: u32,
    /// Last day, as YYYYMMDD.
    pub to: u32,
}

impl DateRange {
    /// Parses "1937", "1937-05", "1937-05-14", "14.05.1937", and ranges of these joined by
    /// "..", "/", " - " or "–" ("1937-1945", "1937..1945").
    pub fn parse(text: &str) -> Option<DateRange> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        for sep in ["..", "/", " - ", "–", "—", " to "] {
            if let Some((a, b)) = t.split_once(sep) {
                let a = DateRange::parse_one(a.trim())?;
                let b = DateRange::parse_one(b.trim())?;
                return (a.from <= b.to).then_some(DateRange {
                    from: a.from,
                    to: b.to,
                });
            }
        }
        if let Some(one) = DateRange::parse_one(t) {
            return Some(one);
        }
        // "1937-1945": a hyphen between two bare years.
        let (a, b) = t.split_once('-')?;
        if a.len() == 4 && b.len() == 4 {
            let a = DateRange::parse_one(a)?;
            let b = DateRange::parse_one(b)?;
            return (a.from <= b.to).then_some(DateRange {
                from: a.from,
                to: b.to,
            });
        }
        None
    }

    fn parse_one(t: &str) -> Option<DateRange> {
        let num = |s: &str| -> Option<u32> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (y, m, d) = if t.contains('.') {
            let parts: Vec<&str> = t.split('.').collect();
            match parts.as_slice() {
                [d, m, y] => (num(y)?, Some(num(m)?), Some(num(d)?)),
                [m, y] => (num(y)?, Some(num(m)?), None),
                _ => return None,
            }
        } else {
            let parts: Vec<&str> = t.split('-').collect();
            match parts.as_slice() {
                [y] => (num(y)?, None, None),
                [y, m] => (num(y)?, Some(num(m)?), None),
                [y, m, d] => (num(y)?, Some(num(m)?), Some(num(d)?)),
                _ => return None,
            }
        };
        if !(1000..=2999).contains(&y) {
            return None;
        }
        match (m, d) {
            (None, _) => Some(DateRange {
                from: y * 10000 + 101,
                to: y * 10000 + 1231,
            }),
            (Some(m), None) if (1..=12).contains(&m) => Some(DateRange {
                from: y * 10000 + m * 100 + 1,
                to: y * 10000 + m * 100 + 31,
            }),
            (Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
                let v = y * 10000 + m * 100 + d;
                Some(DateRange { from: v, to: v })
            }
            _ => None,
        }
    }

    /// True when the two periods share at least one day.
    pub fn overlaps(&self, other: &DateRange) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

impl DateRange {
    /// How precise the period's bounds are, read from the bounds themselves: a period
    /// from a 1 January to a 31 December is in years, from a 1st to a 31st in months,
    /// anything else in days (a month period ends on the 31st, as [`DateRange::parse`]
    /// makes it).
    fn precision(&self) -> Precision {
        if self.from == self.to {
            Precision::Day
        } else if self.from % 10000 == 101 && self.to % 10000 == 1231 {
            Precision::Year
        } else if self.from % 100 == 1 && self.to % 100 == 31 {
            Precision::Month
        } else {
            Precision::Day
        }
    }

    /// The first date of the period at the precision the source gave: 1937 for a period
    /// parsed from "1937..1946", 1937-05 for "1937-05".
    pub fn start(&self) -> PartialDate {
        PartialDate::at(self.from, self.precision())
    }

    /// The last date of the period at the precision the source gave.
    pub fn end(&self) -> PartialDate {
        PartialDate::at(self.to, self.precision())
    }
}

impl fmt::Display for DateRange {
    /// "1937", "1937-05", "1937-05-14", or two of these joined by "..", as precise as the
    /// period is: what [`DateRange::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (start, end) = (self.start(), self.end());
        if start == end {
            write!(f, "{start}")
        } else {
            write!(f, "{start}..{end}")
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Precision {
    Year,
    Month,
    Day,
}

/// A date as precise as its source: a year ("1937"), a month ("1937-05") or a day
/// ("1937-05-14"). A source that says "1937" is not 1 January 1937, and nothing shown to a
/// reader should say so. Printed and read as ISO 8601 at its own precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialDate {
    /// The year.
    pub year: u16,
    /// The month (1-12), when the source gives one.
    pub month: Option<u8>,
    /// The day (1-31), when the source gives one (only with a month).
    pub day: Option<u8>,
}

impl PartialDate {
    fn at(ymd: u32, precision: Precision) -> PartialDate {
        let (year, month, day) = (
            (ymd / 10000) as u16,
            (ymd / 100 % 100) as u8,
            (ymd % 100) as u8,
        );
        match precision {
            Precision::Year => PartialDate {
                year,
                month: None,
                day: None,
            },
            Precision::Month => PartialDate {
                year,
                month: Some(month),
                day: None,
            },
            Precision::Day => PartialDate {
                year,
                month: Some(month),
                day: Some(day),
            },
        }
    }

    /// Reads "1937", "1937-05" or "1937-05-14" (and what [`DateRange::parse`] reads as
    /// one date, such as "14.05.1937").
    pub fn parse(text: &str) -> Option<PartialDate> {
        let range = DateRange::parse_one(text.trim())?;
        Some(range.start())
    }

    /// The first day it covers, as YYYYMMDD.
    pub fn first_day(&self) -> u32 {
        let y = u32::from(self.year) * 10000;
        match (self.month, self.day) {
            (None, _) => y + 101,
            (Some(m), None) => y + u32::from(m) * 100 + 1,
            (Some(m), Some(d)) => y + u32::from(m) * 100 + u32::from(d),
        }
    }

    /// The last day it covers, as YYYYMMDD (a month's is its 31st, as in [`DateRange`]).
    pub fn last_day(&self) -> u32 {
        let y = u32::from(self.year) * 10000;
        match (self.month, self.day) {
            (None, _) => y + 1231,
            (Some(m), None) => y + u32::from(m) * 100 + 31,
            (Some(m), Some(d)) => y + u32::from(m) * 100 + u32::from(d),
        }
    }

    /// The year, month or day just before, at the same precision: what a period ends on
    /// when the next one starts on this date ("1947" ends a period at 1946).
    pub fn before(&self) -> PartialDate {
        let mut p = *self;
        match (self.month, self.day) {
            (None, _) => p.year = self.year.saturating_sub(1),
            (Some(1), None) => {
                p.year = self.year.saturating_sub(1);
                p.month = Some(12);
            }
            (Some(m), None) => p.month = Some(m - 1),
            (Some(_), Some(d)) if d > 1 => p.day = Some(d - 1),
            (Some(1), Some(_)) => {
                p.year = self.year.saturating_sub(1);
                p.month = Some(12);
                p.day = Some(31);
            }
            (Some(m), Some(_)) => {
                p.month = Some(m - 1);
                p.day = Some(days_in_month(self.year, m - 1));
            }
        }
        p
    }

    /// Whether the two share at least one day.
    pub fn overlaps(&self, other: &PartialDate) -> bool {
        self.first_day() <= other.last_day() && other.first_day() <= self.last_day()
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        PartialDate::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a date: {text:?}")))
    }
}

/// A unit of the hierarchy as the inventory or placement describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// The unit's reference code.
    pub reference: Reference,
    /// Its level (derived from the reference, kept for queries).
    pub level: Level,
    /// Title from the inventory, if any.
    pub title: Option<String>,
    /// Dates from the inventory, if any.
    pub dates: Option<DateRange>,
    /// Sheet count the inventory declares, if any.
    pub sheet_count: Option<u32>,
}

/// One page of extracted text, with the archival sheet it is when that is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based position in the document.
    pub number: u32,
    /// The archival sheet, when known from a marker or the document's reference.
    pub sheet: Option<Sheet>,
    /// The page's text, decoded to UTF-8.
    pub text: String,
}

/// A stored document: one original file placed in the hierarchy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The document's number in the archive.
    pub id: DocId,
    /// Hash of the original bytes, the blob's name.
    pub content: ContentHash,
    /// Size of the original in bytes.
    pub size: u64,
    /// Where the original was read from, as given at ingest.
    pub source_path: String,
    /// Format of the original.
    pub format: Format,
    /// The encoding the text was decoded from, when it was decoded from bytes.
    pub encoding: Option<String>,
    /// Language of the text ("ru", "en", "mixed", "und").
    pub language: Option<String>,
    /// The document's place in the hierarchy.
    pub reference: Option<Reference>,
    /// How it got that place.
    pub placement: Placement,
    /// Title, from the inventory or the document itself.
    pub title: Option<String>,
    /// Dates, from the inventory or the file name.
    pub dates: Option<DateRange>,
    /// Number of pages of extracted text.
    pub page_count: u32,
    /// True while the document waits for OCR.
    pub needs_ocr: bool,
    /// When it was first ingested (RFC 3339, UTC).
    pub ingested_at: String,
}

/// A pipeline stage recorded in the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Original stored and text extracted.
    Extract,
    /// Text read by OCR.
    Ocr,
    /// Text added to the search index.
    Index,
    /// Persons, cover names, roles, services, places and dates found in the text.
    Mentions,
}

impl Stage {
    /// The stage's name in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Extract => "extract",
            Stage::Ocr => "ocr",
            Stage::Index => "index",
            Stage::Mentions => "mentions",
        }
    }

    /// Inverse of [`Stage::as_str`].
    pub fn parse(s: &str) -> Option<Stage> {
        Some(match s {
            "extract" => Stage::Extract,
            "ocr" => Stage::Ocr,
            "index" => Stage::Index,
            "mentions" => Stage::Mentions,
            _ => return None,
        })
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a stage run ended with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum StageOutcome {
    /// The stage did its work.
    Done,
    /// The stage cannot run yet (OCR without Tesseract); the reason says what is missing.
    Pending(String),
    /// The stage failed; the reason names the problem.
    Failed(String),
}

/// One line of the stage ledger: which stage ran on which document, when, on which input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRecord {
    /// The document.
    pub doc: DocId,
    /// The stage.
    pub stage: Stage,
    /// Hash of the stage's input (the original's hash for extraction).
    pub input_hash: String,
    /// Version of the code that ran it, so that improved stages can be re-run.
    pub version: u32,
    /// When it ran (RFC 3339, UTC).
    pub at: String,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: StageOutcome,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges_parse_in_archival_forms() {
        assert_eq!(
            DateRange::parse("1937"),
            Some(DateRange {
                from: 19370101,
                to: 19371231
            })
        );
        assert_eq!(
            DateRange::parse("1937-1945"),
            Some(DateRange {
                from: 19370101,
                to: 19451231
            })
        );
        assert_eq!(
            DateRange::parse("14.05.1937"),
            Some(DateRange {
                from: 19370514,
                to: 19370514
            })
        );
        assert_eq!(
            DateRange::parse("1937-05..1938"),
            Some(DateRange {
                from: 19370501,
                to: 19381231
            })
        );
        assert_eq!(DateRange::parse("1945-1937"), None);
        assert_eq!(DateRange::parse("1937-13-01"), None);
        assert_eq!(DateRange::parse("вчера"), None);
        assert_eq!(
            DateRange::parse("1937-1945")
                .map(|d| d.to_string())
                .as_deref(),
            Some("1937..1945")
        );
    }

    #[test]
    fn hashes_round_trip_through_hex() {
        let h = ContentHash([0xab; 32]);
        assert_eq!(ContentHash::from_hex(&h.to_hex()).unwrap(), h);
        assert!(ContentHash::from_hex("xyz").is_err());
    }
}

/// The time now as an RFC 3339 UTC timestamp, to the second: when an act is recorded.
/// A clock set before 1970 reads as the epoch rather than failing.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

/// Whether a text is a day ("2026-11-27") or an RFC 3339 time in UTC
/// ("2026-11-27T10:00:00Z"), as the audit chain records them: the bounds a reader may
/// give a period of the log.
pub fn is_audit_time(text: &str) -> bool {
    let day_ok =
        |d: &str| d.len() == 10 && crate::PartialDate::parse(d).is_some_and(|p| p.day.is_some());
    match text.split_once('T') {
        None => day_ok(text),
        Some((day, time)) => {
            let time = time.strip_suffix('Z').unwrap_or(time);
            let parts: Vec<&str> = time.split(':').collect();
            day_ok(day)
                && parts.len() == 3
                && parts
                    .iter()
                    .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
                && parts[0] < "24"
                && parts[1] < "60"
                && parts[2] < "61"
        }
    }
}

/// Formats seconds since the Unix epoch as an RFC 3339 UTC timestamp
/// ("2026-11-27T06:38:14Z"), the form every record in the archive carries.
pub fn rfc3339(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let secs = unix_seconds % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_795_761_494), "2026-11-27T06:38:14Z");
    }
}
