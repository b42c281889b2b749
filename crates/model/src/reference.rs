//! Archival reference codes: "ф. 17, оп. 171, д. 409, л. 12" and "Fonds 17, Inventory 171,
//! File 409, Sheet 12".
//!
//! A [`Reference`] names a unit of the Russian archival hierarchy: a fonds (фонд), an
//! inventory (опись), a file (дело) and a sheet (лист), each level requiring the one above.
//! Researchers write these in many ways ("Ф.17 Оп.171 Д.409 Л.12об.", "f. 17, op. 171",
//! "fond_17-op_171-d_409.pdf"), so the parser is forgiving about spacing and punctuation
//! but strict about order and values: a reference either parses to exactly one unit or
//! fails with the offending token named.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A level of the archival hierarchy, top to bottom (ISAD(G): fonds, series, file, item).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// фонд: the records of one creator.
    Fonds,
    /// опись: an inventory (series) within a fonds.
    Inventory,
    /// дело: a file, the unit a reader orders.
    File,
    /// лист: a sheet (folio) of a file.
    Sheet,
}

impl Level {
    /// All levels from the top down.
    pub const ALL: [Level; 4] = [Level::Fonds, Level::Inventory, Level::File, Level::Sheet];

    /// The ISAD(G) name of the level.
    pub fn isad_name(self) -> &'static str {
        match self {
            Level::Fonds => "fonds",
            Level::Inventory => "series",
            Level::File => "file",
            Level::Sheet => "item",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Fonds => "fonds",
            Level::Inventory => "inventory",
            Level::File => "file",
            Level::Sheet => "sheet",
        })
    }
}

/// A sheet number with its side: "л. 12" is the recto, "л. 12 об." (оборот) the verso.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Sheet {
    /// The sheet number as written on the sheet (foliation starts at 1).
    pub number: u32,
    /// True for the back of the sheet (об., verso).
    pub verso: bool,
}

impl Sheet {
    /// The sheet as an archivist writes it alone: "л. 12", "л. 12 об.".
    pub fn label(&self) -> String {
        format!("л. {}{}", self.number, if self.verso { " об." } else { "" })
    }

    /// The recto of sheet `number`.
    pub fn recto(number: u32) -> Sheet {
        Sheet {
            number,
            verso: false,
        }
    }
}

/// A sheet or an inclusive range of sheets ("лл. 12-15").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sheets {
    /// First sheet of the range.
    pub first: Sheet,
    /// Last sheet, when the reference names a range.
    pub last: Option<Sheet>,
}

/// A parsed archival reference code, from a fonds down to a sheet.
///
/// Values are kept as written ("Р-9401", "1с"); two references name the same unit when
/// their [`Reference::key`]s are equal, which ignores letter case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    /// Fonds number, possibly with a letter prefix ("Р-9401").
    pub fonds: String,
    /// Inventory (опись) number.
    pub inventory: Option<String>,
    /// File (дело) number.
    pub file: Option<String>,
    /// Sheet or sheet range within the file.
    pub sheets: Option<Sheets>,
}

/// Which convention to print a reference in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Convention {
    /// "ф. 17, оп. 171, д. 409, л. 12 об."
    #[default]
    Russian,
    /// "Fonds 17, Inventory 171, File 409, Sheet 12 verso"
    English,
}

/// Why a reference code did not parse. Each variant names the offending text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// Nothing but spaces and punctuation.
    #[error("empty reference code")]
    Empty,
    /// The code does not start with a fonds.
    #[error("reference code must start with a fonds (ф. / Fonds), found {found:?}")]
    MissingFonds {
        /// The text where the fonds was expected.
        found: String,
    },
    /// A level label followed by a negative number ("ф. -1").
    #[error("{level} label {label:?} is followed by a negative number; units are numbered from 1")]
    Negative {
        /// The level.
        level: Level,
        /// The label as written.
        label: String,
    },
    /// A level label with no value after it.
    #[error("{level} label {label:?} has no number after it")]
    MissingValue {
        /// Level whose value is missing.
        level: Level,
        /// The label as written.
        label: String,
    },
    /// A level appears after a lower one or twice ("д. 5, оп. 2").
    #[error(
        "{level} {label:?} is out of order: it must come after the {after} and before lower levels"
    )]
    OutOfOrder {
        /// Level that is misplaced.
        level: Level,
        /// The label as written.
        label: String,
        /// The level it appeared after.
        after: Level,
    },
    /// A level is skipped ("ф. 17, д. 409" has no inventory).
    #[error("{level} given without a {missing}: a reference names each level down to the lowest one it gives")]
    SkippedLevel {
        /// Level that was given.
        level: Level,
        /// Level that is missing above it.
        missing: Level,
    },
    /// A token that is neither a label nor a value.
    #[error("unexpected {token:?} in reference code")]
    Unexpected {
        /// The token as written.
        token: String,
    },
    /// A sheet value that is not a number ("л. XII").
    #[error("sheet {value:?} is not a sheet number")]
    BadSheet {
        /// The value as written.
        value: String,
    },
    /// A range whose end comes before its start.
    #[error("sheet range {first}-{last} runs backwards")]
    BackwardsRange {
        /// First sheet.
        first: u32,
        /// Last sheet.
        last: u32,
    },
}

impl Reference {
    /// A reference to a whole fonds.
    pub fn fonds(number: impl Into<String>) -> Reference {
        Reference {
            fonds: number.into(),
            inventory: None,
            file: None,
            sheets: None,
        }
    }

    /// Parses a reference code written in either convention.
    ///
    /// ```
    /// use kartoteka_model::Reference;
    /// let r: Reference = "Ф.17 Оп.171 Д.409 Л.12об.".parse().unwrap();
    /// assert_eq!(r.to_string(), "ф. 17, оп. 171, д. 409, л. 12 об.");
    /// assert_eq!(r, "Fonds 17, Inventory 171, File 409, Sheet 12 verso".parse().unwrap());
    /// ```
    pub fn parse(text: &str) -> Result<Reference, ReferenceError> {
        let mut parser = Parser::new(text);
        let parsed = parser.reference(true)?;
        parser.skip_separators();
        while parser.peek() == Some('.') {
            parser.bump();
            parser.skip_separators();
        }
        if let Some(rest) = parser.rest() {
            return Err(ReferenceError::Unexpected {
                token: first_token(rest),
            });
        }
        parsed.ok_or(ReferenceError::Empty)
    }

    /// Finds the first reference code inside free text such as a file name
    /// ("f17_op171_d409_l12.pdf", "Ф. 17 оп. 171 д. 409 — протокол.txt").
    ///
    /// Returns `None` when no fonds label followed by a number appears.
    pub fn find_in(text: &str) -> Option<Reference> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for (i, &(offset, c)) in chars.iter().enumerate() {
            let at_boundary = i == 0 || !chars[i - 1].1.is_alphabetic();
            if !at_boundary || !c.is_alphabetic() {
                continue;
            }
            let mut parser = Parser::new(&text[offset..]);
            if let Ok(Some(found)) = parser.reference(false) {
                return Some(found);
            }
        }
        None
    }

    /// The lowest level this reference names.
    pub fn level(&self) -> Level {
        if self.sheets.is_some() {
            Level::Sheet
        } else if self.file.is_some() {
            Level::File
        } else if self.inventory.is_some() {
            Level::Inventory
        } else {
            Level::Fonds
        }
    }

    /// The reference one level up, or `None` for a fonds.
    pub fn parent(&self) -> Option<Reference> {
        let mut up = self.clone();
        if up.sheets.take().is_some() || up.file.take().is_some() || up.inventory.take().is_some() {
            Some(up)
        } else {
            None
        }
    }

    /// The reference cut down to `level` (or itself when it is already higher).
    pub fn truncate(&self, level: Level) -> Reference {
        let mut r = self.clone();
        if level < Level::Sheet {
            r.sheets = None;
        }
        if level < Level::File {
            r.file = None;
        }
        if level < Level::Inventory {
            r.inventory = None;
        }
        r
    }

    /// Path segments identifying the unit down to the file level (sheets are not units of
    /// placement), lower-cased so that "Р-9401" and "р-9401" are one fonds.
    pub fn unit_path(&self) -> Vec<String> {
        let mut path = vec![self.fonds.to_lowercase()];
        path.extend(self.inventory.iter().map(|v| v.to_lowercase()));
        path.extend(self.file.iter().map(|v| v.to_lowercase()));
        path
    }

    /// A stable comparison key: equal keys name the same unit.
    pub fn key(&self) -> String {
        let mut key = self.unit_path().join("/");
        if let Some(s) = &self.sheets {
            key.push('/');
            key.push_str(&sheet_key(&s.first));
            if let Some(last) = &s.last {
                key.push('-');
                key.push_str(&sheet_key(last));
            }
        }
        key
    }

    /// True when `other` is this unit or lies inside it.
    pub fn contains(&self, other: &Reference) -> bool {
        let mine = self.unit_path();
        let theirs = other.unit_path();
        if theirs.len() < mine.len() || theirs[..mine.len()] != mine[..] {
            return false;
        }
        match (&self.sheets, &other.sheets) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => {
                let a_last = a.last.unwrap_or(a.first);
                let b_last = b.last.unwrap_or(b.first);
                a.first <= b.first && b_last <= a_last
            }
        }
    }

    /// Prints the reference in the chosen convention.
    pub fn display(&self, convention: Convention) -> String {
        let (f, o, d, l, ll, verso, sep) = match convention {
            Convention::Russian => ("ф. ", "оп. ", "д. ", "л. ", "лл. ", " об.", ", "),
            Convention::English => (
                "Fonds ",
                "Inventory ",
                "File ",
                "Sheet ",
                "Sheets ",
                " verso",
                ", ",
            ),
        };
        let mut out = format!("{f}{}", self.fonds);
        if let Some(v) = &self.inventory {
            out.push_str(&format!("{sep}{o}{v}"));
        }
        if let Some(v) = &self.file {
            out.push_str(&format!("{sep}{d}{v}"));
        }
        if let Some(s) = &self.sheets {
            let side =
                |sheet: &Sheet| format!("{}{}", sheet.number, if sheet.verso { verso } else { "" });
            match &s.last {
                None => out.push_str(&format!("{sep}{l}{}", side(&s.first))),
                Some(last) => out.push_str(&format!("{sep}{ll}{}-{}", side(&s.first), side(last))),
            }
        }
        out
    }
}

fn sheet_key(s: &Sheet) -> String {
    format!("{}{}", s.number, if s.verso { "v" } else { "" })
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display(Convention::Russian))
    }
}

impl std::str::FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

/// Labels for each level, lower-case, longest first within a level so that "fonds" wins
/// over "f". Latin abbreviations follow the transliterated Russian usage of Western
/// scholarship ("f. 17, op. 171, d. 409, l. 12").
const LABELS: &[(Level, &[&str])] = &[
    (Level::Fonds, &["фонд", "fonds", "fond", "ф", "f"]),
    (
        Level::Inventory,
        &[
            "опись",
            "inventory",
            "series",
            "opis'",
            "opis",
            "inv",
            "оп",
            "op",
        ],
    ),
    (Level::File, &["дело", "delo", "file", "д", "d"]),
    (
        Level::Sheet,
        &[
            "листы",
            "лист",
            "sheets",
            "sheet",
            "folio",
            "лл",
            "ll",
            "fol",
            "л",
            "l",
        ],
    ),
];

fn first_token(s: &str) -> String {
    let t: String = s
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ',')
        .collect();
    if t.is_empty() {
        s.chars().take(12).collect()
    } else {
        t
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | ';' | '_' | '/' | '\\' | '|' | '·')
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { text, pos: 0 }
    }

    fn rest(&self) -> Option<&'a str> {
        let r = &self.text[self.pos..];
        if r.is_empty() {
            None
        } else {
            Some(r)
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_separators(&mut self) {
        while let Some(c) = self.peek() {
            if is_separator(c) {
                self.bump();
            } else {
                break;
            }
        }
    }

    /// Matches a level label at the current position, without consuming it.
    fn label_at(&self, at: usize) -> Option<(Level, usize)> {
        let rest = &self.text[at..];
        let lower: String = rest.chars().take(10).flat_map(char::to_lowercase).collect();
        for (level, labels) in LABELS {
            for label in labels.iter() {
                if let Some(after) = lower.strip_prefix(label) {
                    // A label is a whole word: "file" in "filename" or "d" in "draft" is not.
                    if after.chars().next().is_some_and(|c| c.is_alphabetic()) {
                        continue;
                    }
                    let byte_len = rest
                        .char_indices()
                        .nth(label.chars().count())
                        .map(|(i, _)| i)
                        .unwrap_or(rest.len());
                    return Some((*level, byte_len));
                }
            }
        }
        None
    }

    /// Parses labelled levels in order. `strict` reports errors; otherwise parsing stops
    /// at the first thing that is not part of a reference.
    fn reference(&mut self, strict: bool) -> Result<Option<Reference>, ReferenceError> {
        let mut values: [Option<String>; 3] = [None, None, None];
        let mut sheets: Option<Sheets> = None;
        let mut last_level: Option<Level> = None;
        loop {
            let checkpoint = self.pos;
            // Between levels: spaces, commas, and the dots and dashes of file names.
            while let Some(c) = self.peek() {
                if is_separator(c) || matches!(c, '.' | '-' | '–') {
                    self.bump();
                } else {
                    break;
                }
            }
            let Some((level, len)) = self.label_at(self.pos) else {
                if strict && last_level.is_none() {
                    return match self.rest() {
                        None => Ok(None),
                        Some(rest) => Err(ReferenceError::MissingFonds {
                            found: first_token(rest),
                        }),
                    };
                }
                self.pos = checkpoint;
                break;
            };
            let label = self.text[self.pos..self.pos + len].to_string();
            if let Some(prev) = last_level {
                if level <= prev {
                    if strict {
                        return Err(ReferenceError::OutOfOrder {
                            level,
                            label,
                            after: prev,
                        });
                    }
                    self.pos = checkpoint;
                    break;
                }
            }
            let expected = match last_level {
                None => Level::Fonds,
                Some(Level::Fonds) => Level::Inventory,
                Some(Level::Inventory) => Level::File,
                Some(_) => Level::Sheet,
            };
            if level != expected {
                if strict {
                    return Err(if last_level.is_none() {
                        ReferenceError::MissingFonds { found: label }
                    } else {
                        ReferenceError::SkippedLevel {
                            level,
                            missing: expected,
                        }
                    });
                }
                self.pos = checkpoint;
                break;
            }
            self.pos += len;
            // Optional dot, spaces or dashes between label and value: "ф. 17", "f-17",
            // "оп.171". A dash after a space is a minus sign ("ф. -1"): no archive numbers
            // a unit below zero, and reading it as "ф. 1" would name another fonds.
            let mut spaced = false;
            while let Some(c) = self.peek() {
                if c == '-' && spaced {
                    if strict {
                        return Err(ReferenceError::Negative { level, label });
                    }
                    self.pos = checkpoint;
                    break;
                }
                if c == '.' || c == '-' || c == '№' || c == '#' || c == ':' || is_separator(c) {
                    spaced |= is_separator(c);
                    self.bump();
                } else {
                    break;
                }
            }
            if self.pos == checkpoint {
                break;
            }
            let value = self.value(level == Level::Sheet);
            if value.is_empty() {
                if strict {
                    return Err(ReferenceError::MissingValue { level, label });
                }
                self.pos = checkpoint;
                break;
            }
            if level == Level::Sheet {
                match self.sheet_range(&value) {
                    Ok(s) => sheets = Some(s),
                    Err(e) if strict => return Err(e),
                    Err(_) => {
                        self.pos = checkpoint;
                        break;
                    }
                }
            } else {
                values[level as usize] = Some(value);
            }
            last_level = Some(level);
            if level == Level::Sheet {
                break;
            }
        }
        let [fonds, inventory, file] = values;
        Ok(fonds.map(|fonds| Reference {
            fonds,
            inventory,
            file,
            sheets,
        }))
    }

    /// Reads a value: letters and digits with inner hyphens ("Р-9401"), which must contain
    /// a digit. A hyphen followed by another label ends the value ("f17-op171").
    fn value(&mut self, sheet: bool) -> String {
        let start = self.pos;
        let mut end = self.pos;
        let mut has_digit = false;
        let mut i = self.pos;
        while let Some(c) = self.text[i..].chars().next() {
            if c.is_alphanumeric() {
                if sheet && !c.is_ascii_digit() {
                    // Sheet numbers are digits; letters that follow are a side marker.
                    break;
                }
                has_digit |= c.is_ascii_digit();
                i += c.len_utf8();
                end = i;
            } else if c == '-' && !sheet && end > start {
                let next = i + 1;
                let follows_value = self.text[next..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_alphanumeric());
                if follows_value && self.label_at(next).is_none() {
                    i = next;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        if !has_digit {
            return String::new();
        }
        self.pos = end;
        self.text[start..end].to_string()
    }

    /// After a sheet number: an optional verso marker and an optional "-N" range end.
    fn sheet_range(&mut self, first: &str) -> Result<Sheets, ReferenceError> {
        let number = |v: &str| {
            v.parse::<u32>().map_err(|_| ReferenceError::BadSheet {
                value: v.to_string(),
            })
        };
        let first = Sheet {
            number: number(first)?,
            verso: self.verso(),
        };
        let checkpoint = self.pos;
        let mut last = None;
        while self.peek().is_some_and(|c| c == ' ') {
            self.bump();
        }
        if matches!(self.peek(), Some('-' | '–' | '—')) {
            self.bump();
            while self.peek().is_some_and(|c| c == ' ') {
                self.bump();
            }
            let v = self.value(true);
            if v.is_empty() {
                self.pos = checkpoint;
            } else {
                let end = Sheet {
                    number: number(&v)?,
                    verso: self.verso(),
                };
                if end < first {
                    return Err(ReferenceError::BackwardsRange {
                        first: first.number,
                        last: end.number,
                    });
                }
                last = Some(end);
            }
        } else {
            self.pos = checkpoint;
        }
        Ok(Sheets { first, last })
    }

    fn verso(&mut self) -> bool {
        let checkpoint = self.pos;
        while self.peek().is_some_and(|c| c == ' ') {
            self.bump();
        }
        let rest = &self.text[self.pos..];
        let lower: String = rest.chars().take(6).flat_map(char::to_lowercase).collect();
        for marker in ["verso", "об", "ob", "v"] {
            if let Some(after) = lower.strip_prefix(marker) {
                if after.chars().next().is_some_and(|c| c.is_alphanumeric()) {
                    continue;
                }
                let len = rest
                    .char_indices()
                    .nth(marker.chars().count())
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                self.pos += len;
                if self.peek() == Some('.') {
                    self.bump();
                }
                return true;
            }
        }
        self.pos = checkpoint;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Reference {
        Reference::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn a_sheet_is_labelled_as_an_archivist_writes_it() {
        assert_eq!(Sheet::recto(12).label(), "л. 12");
        assert_eq!(
            Sheet {
                number: 3,
                verso: true
            }
            .label(),
            "л. 3 об."
        );
    }

    #[test]
    fn both_conventions_name_the_same_sheet() {
        let a = r("ф. 17, оп. 171, д. 409, л. 12");
        assert_eq!(a.fonds, "17");
        assert_eq!(a.inventory.as_deref(), Some("171"));
        assert_eq!(a.file.as_deref(), Some("409"));
        assert_eq!(a.sheets.unwrap().first, Sheet::recto(12));
        assert_eq!(a, r("Fonds 17, Inventory 171, File 409, Sheet 12"));
        assert_eq!(a, r("f. 17, op. 171, d. 409, l. 12"));
        assert_eq!(a, r("Ф.17 Оп.171 Д.409 Л.12"));
    }

    #[test]
    fn verso_is_parsed_and_printed() {
        let a = r("Ф.17 Оп.171 Д.409 Л.12об.");
        assert!(a.sheets.unwrap().first.verso);
        assert_eq!(a.to_string(), "ф. 17, оп. 171, д. 409, л. 12 об.");
        assert_eq!(
            a.display(Convention::English),
            "Fonds 17, Inventory 171, File 409, Sheet 12 verso"
        );
        assert_eq!(r("ф. 17, оп. 171, д. 409, л. 12 об."), a);
    }

    #[test]
    fn ranges_and_prefixed_fonds() {
        let a = r("ф. Р-9401, оп. 2, д. 64, лл. 3-15");
        assert_eq!(a.fonds, "Р-9401");
        let s = a.sheets.unwrap();
        assert_eq!((s.first.number, s.last.unwrap().number), (3, 15));
        assert_eq!(r(&a.to_string()), a);
        assert!(matches!(
            Reference::parse("ф. 1, оп. 1, д. 1, лл. 9-3"),
            Err(ReferenceError::BackwardsRange { .. })
        ));
    }

    #[test]
    fn higher_units_contain_lower_ones() {
        let inv = r("ф. 17, оп. 171");
        assert!(inv.contains(&r("ф. 17, оп. 171, д. 409, л. 12")));
        assert!(!inv.contains(&r("ф. 17, оп. 172, д. 409")));
        assert!(!inv.contains(&r("ф. 171")));
        assert_eq!(r("ф. 17, оп. 171, д. 409").parent(), Some(inv));
        assert!(r("ф. Р-1").contains(&r("ф. р-1, оп. 1")));
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(matches!(Reference::parse("  "), Err(ReferenceError::Empty)));
        assert!(matches!(
            Reference::parse("оп. 171"),
            Err(ReferenceError::MissingFonds { .. })
        ));
        assert!(matches!(
            Reference::parse("ф. 17, д. 409"),
            Err(ReferenceError::SkippedLevel { .. })
        ));
        assert!(matches!(
            Reference::parse("ф. 17, оп. 3, оп. 4"),
            Err(ReferenceError::OutOfOrder { .. })
        ));
        assert!(matches!(
            Reference::parse("ф. "),
            Err(ReferenceError::MissingValue { .. })
        ));
        // A minus sign is not a dash: "ф. -1" is no fonds, not fonds 1.
        for negative in ["ф. -1", "ф. 17, оп. -3", "Fonds -17"] {
            assert!(
                matches!(
                    Reference::parse(negative),
                    Err(ReferenceError::Negative { .. })
                ),
                "{negative}"
            );
        }
        assert_eq!(Reference::parse("f-17").unwrap().fonds, "17");
        assert_eq!(Reference::parse("ф. Р-9401").unwrap().fonds, "Р-9401");
        let e = Reference::parse("ф. 17 заметки").unwrap_err();
        assert_eq!(
            e,
            ReferenceError::Unexpected {
                token: "заметки".into()
            }
        );
        assert!(e.to_string().contains("заметки"));
    }

    #[test]
    fn references_are_found_in_file_names() {
        let want = r("ф. 17, оп. 171, д. 409");
        assert_eq!(Reference::find_in("f17_op171_d409.pdf"), Some(want.clone()));
        assert_eq!(Reference::find_in("f17-op171-d409.txt"), Some(want.clone()));
        assert_eq!(
            Reference::find_in("Ф.17 Оп.171 Д.409 протокол.txt"),
            Some(want.clone())
        );
        assert_eq!(
            Reference::find_in("copy of fond_17-op_171-delo_409"),
            Some(want)
        );
        assert_eq!(
            Reference::find_in("ф.Р-9401_оп.2.txt"),
            Some(r("ф. Р-9401, оп. 2"))
        );
        assert_eq!(Reference::find_in("final draft.docx"), None);
        assert_eq!(Reference::find_in("fondue.txt"), None);
    }
}
