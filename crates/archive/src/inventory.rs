//! Inventory CSVs (описи): which files the archive holds, under which reference, with
//! titles, dates and sheet counts.
//!
//! Columns are found by header name, in English or Russian, in any order:
//!
//! | column | also | required |
//! |---|---|---|
//! | `reference` | `ref`, `шифр`, `архивный шифр` | yes |
//! | `path` | `file`, `файл`, `путь` | no: a row without one lists a unit with no file |
//! | `title` | `заголовок`, `название` | no |
//! | `dates` | `date`, `даты`, `дата` | no |
//! | `sheets` | `sheet_count`, `листов`, `кол-во листов` | no |
//!
//! The file may be in any encoding [`kartoteka_text::decode`] detects and use a comma,
//! semicolon or tab. Problems in single rows are reported and the row is left out; a
//! file without a reference column cannot be used at all.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use kartoteka_model::{DateRange, Reference, Unit};

/// One usable row of an inventory.
#[derive(Clone, Debug, PartialEq)]
pub struct InventoryRow {
    /// Line in the file (1-based, the header is line 1).
    pub line: usize,
    /// The unit's reference.
    pub reference: Reference,
    /// The file or folder the row describes, resolved against the inventory's folder.
    pub path: Option<PathBuf>,
    /// Title.
    pub title: Option<String>,
    /// Dates.
    pub dates: Option<DateRange>,
    /// Declared sheet count.
    pub sheets: Option<u32>,
}

impl InventoryRow {
    /// The unit the row describes.
    pub fn unit(&self) -> Unit {
        Unit {
            level: self.reference.level(),
            reference: self.reference.clone(),
            title: self.title.clone(),
            dates: self.dates,
            sheet_count: self.sheets,
        }
    }
}

/// A problem with an inventory or one of its rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    /// The file could not be read.
    #[error("{file}: {message}")]
    Unreadable {
        /// The inventory file.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A required column is absent.
    #[error("{file}: no {column:?} column (found columns: {found})")]
    MissingColumn {
        /// The inventory file.
        file: String,
        /// The missing column.
        column: String,
        /// The columns that are there.
        found: String,
    },
    /// A row is unusable.
    #[error("{file}, line {line}: {message}")]
    BadRow {
        /// The inventory file.
        file: String,
        /// Line number.
        line: usize,
        /// What is wrong, naming the value.
        message: String,
    },
}

/// A parsed inventory: its usable rows and the problems of the rest.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Rows in file order.
    pub rows: Vec<InventoryRow>,
    /// Problems, each naming the file and line.
    pub problems: Vec<InventoryError>,
}

fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| names.contains(&h.as_str()))
}

/// Resolves a path from the inventory against its folder, refusing absolute paths and
/// any that climb out of it.
fn resolve(base: &Path, raw: &str) -> Result<PathBuf, String> {
    let rel = Path::new(raw);
    if rel.is_absolute() || raw.starts_with('\\') || raw.chars().nth(1) == Some(':') {
        return Err(format!(
            "path {raw:?} is absolute; inventory paths are relative to the inventory's folder"
        ));
    }
    let mut out = base.to_path_buf();
    for c in rel.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return Err(format!("path {raw:?} leaves the inventory's folder")),
        }
    }
    Ok(out)
}

impl Inventory {
    /// Reads an inventory file.
    pub fn read(path: &Path) -> Result<Inventory, InventoryError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| InventoryError::Unreadable {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Inventory::parse(&bytes, &file, base)
    }

    /// Parses inventory bytes; `file` names it in messages, `base` resolves its paths.
    pub fn parse(bytes: &[u8], file: &str, base: &Path) -> Result<Inventory, InventoryError> {
        let text = kartoteka_text::decode(bytes)
            .map_err(|e| InventoryError::Unreadable {
                file: file.to_string(),
                message: e.to_string(),
            })?
            .text;
        let first_line = text.lines().next().unwrap_or("");
        let delimiter = [b'\t', b';', b',']
            .into_iter()
            .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| InventoryError::Unreadable {
                file: file.to_string(),
                message: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        let Some(ref_col) = column(&headers, &["reference", "ref", "шифр", "архивный шифр"])
        else {
            return Err(InventoryError::MissingColumn {
                file: file.to_string(),
                column: "reference".into(),
                found: headers.join(", "),
            });
        };
        let path_col = column(&headers, &["path", "file", "файл", "путь"]);
        let title_col = column(&headers, &["title", "заголовок", "название"]);
        let dates_col = column(&headers, &["dates", "date", "даты", "дата"]);
        let sheets_col = column(
            &headers,
            &["sheets", "sheet_count", "листов", "кол-во листов"],
        );

        let mut inventory = Inventory::default();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let bad = |message: String| InventoryError::BadRow {
                file: file.to_string(),
                line,
                message,
            };
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    inventory.problems.push(bad(e.to_string()));
                    continue;
                }
            };
            let field = |col: Option<usize>| {
                col.and_then(|c| record.get(c))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let Some(raw_ref) = field(Some(ref_col)) else {
                if record.iter().any(|f| !f.trim().is_empty()) {
                    inventory.problems.push(bad("no reference code".into()));
                }
                continue;
            };
            let reference = match Reference::parse(raw_ref) {
                Ok(r) => r,
                Err(e) => {
                    inventory
                        .problems
                        .push(bad(format!("reference {raw_ref:?}: {e}")));
                    continue;
                }
            };
            if let Some(first) = seen.get(&reference.key()) {
                inventory.problems.push(bad(format!(
                    "reference {raw_ref:?} is listed twice (first on line {first})"
                )));
                continue;
            }
            let path = match field(path_col).map(|p| resolve(base, p)).transpose() {
                Ok(p) => p,
                Err(message) => {
                    inventory.problems.push(bad(message));
                    continue;
                }
            };
            let dates = match field(dates_col) {
                None => None,
                Some(d) => {
                    match DateRange::parse(d) {
                        Some(d) => Some(d),
                        None => {
                            inventory.problems.push(bad(format!("dates {d:?} are not a date or period (1937, 1937-1945, 14.05.1937)")));
                            None
                        }
                    }
                }
            };
            let sheets = match field(sheets_col) {
                None => None,
                Some(s) => match s.parse::<u32>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        inventory
                            .problems
                            .push(bad(format!("sheet count {s:?} is not a number")));
                        None
                    }
                },
            };
            seen.insert(reference.key(), line);
            inventory.rows.push(InventoryRow {
                line,
                reference,
                path,
                title: field(title_col).map(String::from),
                dates,
                sheets,
            });
        }
        Ok(inventory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Inventory, InventoryError> {
        Inventory::parse(text.as_bytes(), "опись.csv", Path::new("/archive"))
    }

    #[test]
    fn russian_headers_and_semicolons() {
        let inv = parse("шифр;файл;заголовок;даты;листов\nф. 17, оп. 171, д. 409;д409.txt;Справка;1937-1945;12\n").unwrap();
        assert!(inv.problems.is_empty(), "{:?}", inv.problems);
        let row = &inv.rows[0];
        assert_eq!(row.reference.to_string(), "ф. 17, оп. 171, д. 409");
        assert_eq!(row.path.as_deref(), Some(Path::new("/archive/д409.txt")));
        assert_eq!(
            (row.sheets, row.title.as_deref()),
            (Some(12), Some("Справка"))
        );
    }

    #[test]
    fn problems_name_the_line_and_value() {
        let inv = parse(
            "reference,path,sheets\n\
             \"ф. 1, оп. 1, д. 1\",a.txt,3\n\
             \"ф. 1, оп. 1, д. 1\",b.txt,4\n\
             \"ф. 1, д. 2\",c.txt,1\n\
             \"ф. 1, оп. 1, д. 3\",../../etc/passwd,1\n\
             \"ф. 1, оп. 1, д. 4\",/etc/passwd,1\n\
             \"ф. 1, оп. 1, д. 5\",e.txt,many\n",
        )
        .unwrap();
        let messages: Vec<String> = inv.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(inv.rows.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("line 3") && messages[0].contains("listed twice"),
            "{messages:?}"
        );
        assert!(messages[1].contains("line 4") && messages[1].contains("ф. 1, д. 2"));
        assert!(messages[2].contains("leaves the inventory's folder"));
        assert!(messages[3].contains("absolute"));
        assert!(messages[4].contains("\"many\""));
    }

    #[test]
    fn missing_reference_column_is_refused() {
        let err = parse("path,title\na.txt,x\n").unwrap_err();
        assert!(
            err.to_string().contains("no \"reference\" column")
                && err.to_string().contains("path, title"),
            "{err}"
        );
    }
}
