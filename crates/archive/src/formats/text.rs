//! Plain text and Markdown: decode, then split into pages at form feeds and sheet markers.

use kartoteka_model::Sheet;

use super::{FormatError, PagesRead, RawPage};

pub fn read(bytes: &[u8]) -> Result<PagesRead, FormatError> {
    let decoded = kartoteka_text::decode(bytes)?;
    let (pages, paged) = split_sheets(&decoded.text);
    Ok(PagesRead {
        pages,
        encoding: Some(decoded.encoding.to_string()),
        needs_ocr: false,
        title: None,
        paged,
    })
}

/// Recognises a line that only marks a sheet or page: "л. 12", "Л. 12 об.", "[Лист 3]",
/// "--- Sheet 4 ---", "Page 5", "## Page 5", "стр. 6".
pub fn sheet_marker(line: &str) -> Option<Sheet> {
    // Most lines are text: reject them before any allocation.
    let trimmed = line.trim_start();
    if trimmed.len() > 48
        || !trimmed.starts_with([
            'л', 'Л', 'с', 'С', 's', 'S', 'p', 'P', 'f', 'F', '#', '[', '-', '—', '=', '*',
        ])
    {
        return None;
    }
    let t = line
        .trim()
        .trim_start_matches('#')
        .trim_matches(|c: char| matches!(c, '[' | ']' | '-' | '—' | '=' | '*' | ' '));
    let lower = t.to_lowercase();
    const LABELS: [&str; 10] = [
        "листы",
        "лист",
        "страница",
        "стр.",
        "лл.",
        "л.",
        "sheet",
        "folio",
        "page",
        "p.",
    ];
    let rest = LABELS.iter().find_map(|l| lower.strip_prefix(l))?;
    let rest = rest.trim_start_matches(['.', ' ', '№']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 6 {
        return None;
    }
    let after = rest[digits.len()..].trim().trim_end_matches('.');
    let verso = match after {
        "" => false,
        "об" | "verso" | "v" | "оборот" => true,
        _ => return None,
    };
    Some(Sheet {
        number: digits.parse().ok()?,
        verso,
    })
}

/// Splits text into pages at form feeds and at sheet-marker lines; returns the pages and
/// whether any boundary was found.
pub(crate) fn split_sheets(text: &str) -> (Vec<RawPage>, bool) {
    let mut pages = Vec::new();
    let mut current = String::new();
    let mut current_sheet: Option<Sheet> = None;
    let mut paged = false;
    let flush = |pages: &mut Vec<RawPage>, current: &mut String, sheet: Option<Sheet>| {
        let text = std::mem::take(current);
        if !text.trim().is_empty() || sheet.is_some() {
            pages.push(RawPage {
                text: text.trim_end().to_string(),
                marked_sheet: sheet,
            });
        }
    };
    for (i, chunk) in text.split('\u{000C}').enumerate() {
        if i > 0 {
            paged = true;
            flush(&mut pages, &mut current, current_sheet.take());
        }
        for line in chunk.split_inclusive('\n') {
            if let Some(sheet) = sheet_marker(line) {
                paged = true;
                flush(&mut pages, &mut current, current_sheet.take());
                current_sheet = Some(sheet);
                continue;
            }
            current.push_str(line);
        }
    }
    flush(&mut pages, &mut current, current_sheet);
    if pages.is_empty() {
        pages.push(RawPage {
            text: String::new(),
            marked_sheet: None,
        });
    }
    (pages, paged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_recognised() {
        assert_eq!(sheet_marker("л. 12"), Some(Sheet::recto(12)));
        assert_eq!(
            sheet_marker("  Л. 12 об."),
            Some(Sheet {
                number: 12,
                verso: true
            })
        );
        assert_eq!(sheet_marker("[Лист 3]"), Some(Sheet::recto(3)));
        assert_eq!(sheet_marker("--- Sheet 4 ---"), Some(Sheet::recto(4)));
        assert_eq!(sheet_marker("## Page 5"), Some(Sheet::recto(5)));
        assert_eq!(sheet_marker("Лист 3 содержит подпись"), None);
        assert_eq!(sheet_marker("Page"), None);
    }

    #[test]
    fn text_splits_at_markers_and_form_feeds() {
        let (pages, paged) = split_sheets("Опись\nл. 1\nпервый\nл. 1 об.\nоборот\n\u{000C}третий");
        assert!(paged);
        let got: Vec<_> = pages
            .iter()
            .map(|p| (p.text.as_str(), p.marked_sheet))
            .collect();
        assert_eq!(
            got,
            [
                ("Опись", None),
                ("первый", Some(Sheet::recto(1))),
                (
                    "оборот",
                    Some(Sheet {
                        number: 1,
                        verso: true
                    })
                ),
                ("третий", None)
            ]
        );
        let (pages, paged) = split_sheets("just text");
        assert!(!paged);
        assert_eq!(pages.len(), 1);
    }
}
