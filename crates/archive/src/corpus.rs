//! Notes as a corpus: typed notes with no originals behind them (Mitrokhin's situation:
//! the notes are all that left the building), ingested as documents of their own, each
//! placed at the reference code it cites.
//!
//! A notes file is text in which a line holding nothing but a reference code begins a
//! note; the note runs to the next such line. Each note becomes a document placed
//! "cited" at that reference, so that the unit shows it even when the unit's original is
//! not in the archive; reconciliation (`gaps`) does not count it as the unit's original.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use kartoteka_model::{Format, Page, Placement, Reference, StageOutcome};
use kartoteka_store::NewDocument;
use serde::Serialize;

use crate::{Archive, ArchiveError, Progress, EXTRACT_VERSION};

/// One note of a notes file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitedNote {
    /// The reference the note was taken from.
    pub reference: Reference,
    /// The note's text.
    pub text: String,
    /// The line of the reference, 1-based.
    pub line: usize,
}

/// Splits notes text at lines that hold only a reference code. Text before the first one
/// cites nothing and is returned apart.
pub fn split_notes(text: &str) -> (Vec<CitedNote>, String) {
    let mut notes: Vec<CitedNote> = Vec::new();
    let mut preamble = String::new();
    for (i, line) in text.lines().enumerate() {
        let candidate = line.trim().trim_end_matches(['.', ':', ';']);
        let reference = if candidate.is_empty() || candidate.len() > 120 {
            None
        } else {
            Reference::parse(candidate).ok()
        };
        match reference {
            Some(reference) => notes.push(CitedNote {
                reference,
                text: String::new(),
                line: i + 1,
            }),
            None => {
                let target = match notes.last_mut() {
                    Some(n) => &mut n.text,
                    None => &mut preamble,
                };
                target.push_str(line);
                target.push('\n');
            }
        }
    }
    for n in &mut notes {
        n.text = n.text.trim().to_string();
    }
    notes.retain(|n| !n.text.is_empty());
    (notes, preamble.trim().to_string())
}

/// What ingesting notes did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct NotesReport {
    /// Notes files read.
    pub files: u64,
    /// Notes found.
    pub notes: u64,
    /// New notes.
    pub added: u64,
    /// Notes whose text changed.
    pub updated: u64,
    /// Notes already in the archive as they are.
    pub unchanged: u64,
    /// Files that could not be read, or held no note citing a reference.
    pub errors: Vec<String>,
}

fn files_under(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        if let Ok(entries) = std::fs::read_dir(path) {
            let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            entries.sort();
            for e in entries {
                files_under(&e, out);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

impl Archive {
    /// Ingests notes files (or folders of them) as cited notes.
    pub fn ingest_notes(
        &self,
        paths: &[PathBuf],
        progress: &dyn Progress,
    ) -> Result<NotesReport, ArchiveError> {
        let mut files = Vec::new();
        for p in paths {
            files_under(p, &mut files);
        }
        let mut report = NotesReport::default();
        progress.begin(files.len() as u64);
        for file in files {
            report.files += 1;
            let shown = file.display().to_string();
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => {
                    report.errors.push(format!("{shown}: cannot read: {e}"));
                    continue;
                }
            };
            let decoded = match kartoteka_text::decode(&bytes) {
                Ok(d) => d,
                Err(e) => {
                    report.errors.push(format!("{shown}: {e}"));
                    continue;
                }
            };
            let (notes, _) = split_notes(&decoded.text);
            if notes.is_empty() {
                report.errors.push(format!(
                    "{shown}: no note cites a reference (a note begins with a line holding only a reference code, such as \"ф. 17, оп. 171, д. 409, л. 3\")"
                ));
                continue;
            }
            let canonical = std::fs::canonicalize(&file).unwrap_or(file.clone());
            let mut seen: HashMap<String, u32> = HashMap::new();
            for note in notes {
                report.notes += 1;
                // Keyed by file, reference and occurrence: inserting a note elsewhere in
                // the file does not make the others new.
                let k = seen.entry(note.reference.key()).or_insert(0);
                *k += 1;
                let source_path = format!("{}#{}#{}", canonical.display(), note.reference, k);
                let text_bytes = note.text.as_bytes();
                let content = self.blobs().put(text_bytes)?;
                let existing = self.store().document_by_source(&source_path)?;
                if existing.as_ref().is_some_and(|d| d.content == content) {
                    report.unchanged += 1;
                    continue;
                }
                let title: String = note
                    .text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(80)
                    .collect();
                let doc = NewDocument {
                    content,
                    size: text_bytes.len() as u64,
                    source_path,
                    format: Format::Text,
                    encoding: Some(decoded.encoding.to_string()),
                    language: Some(kartoteka_text::language(&note.text).to_string()),
                    reference: Some(note.reference.clone()),
                    placement: Placement::Cited,
                    title: Some(title),
                    dates: None,
                    needs_ocr: false,
                };
                let page = Page {
                    number: 1,
                    sheet: note.reference.sheets.map(|s| s.first),
                    text: note.text.clone(),
                };
                self.store()
                    .save_document(&doc, &[page], &StageOutcome::Done, EXTRACT_VERSION)?;
                if existing.is_some() {
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
            }
            progress.advance(1, bytes.len() as u64);
        }
        progress.finish();
        self.catch_up_index()?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_split_at_reference_lines() {
        let text = "Выписки, 1972 г.\n\nф. 9001, оп. 1, д. 1, лл. 3-5\nАгент «ХОЛА» завербована в 1937 г.\nв Лондоне.\n\nФ.9001 Оп.1 Д.3:\nДело изъято в 1956 г.\nф. 9001\n";
        let (notes, preamble) = split_notes(text);
        assert_eq!(preamble, "Выписки, 1972 г.");
        assert_eq!(
            notes.len(),
            2,
            "a reference line with no text after it is no note"
        );
        assert_eq!(
            notes[0].reference.to_string(),
            "ф. 9001, оп. 1, д. 1, лл. 3-5"
        );
        assert_eq!(
            notes[0].text,
            "Агент «ХОЛА» завербована в 1937 г.\nв Лондоне."
        );
        assert_eq!(notes[1].reference.to_string(), "ф. 9001, оп. 1, д. 3");
        assert_eq!(notes[1].line, 7);
    }
}
