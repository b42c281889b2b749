//! PDF: the text layer page by page; pages without one go to OCR.

use super::{ocr::Ocr, FormatError, Limits, PagesRead, RawPage};

pub fn read(bytes: &[u8], limits: &Limits, ocr: &Ocr) -> Result<PagesRead, FormatError> {
    let mut doc =
        lopdf::Document::load_mem(bytes).map_err(|e| FormatError::Pdf(describe(&e.to_string())))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(FormatError::Pdf("encrypted with a password".into()));
    }
    let page_numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    if page_numbers.is_empty() {
        return Err(FormatError::Pdf("no pages".into()));
    }
    let mut pages = Vec::with_capacity(page_numbers.len());
    let mut blank = Vec::new();
    for &n in &page_numbers {
        let text = doc
            .extract_text_with_limit(&[n], limits.max_decompressed as usize)
            .unwrap_or_default();
        let text = text.trim_end().to_string();
        if text.trim().is_empty() {
            blank.push(pages.len());
        }
        pages.push(RawPage {
            text,
            marked_sheet: None,
        });
    }
    let mut needs_ocr = false;
    if !blank.is_empty() {
        match ocr.pdf_pages(
            bytes,
            &blank.iter().map(|&i| page_numbers[i]).collect::<Vec<_>>(),
        )? {
            Some(texts) => {
                for (i, text) in blank.iter().zip(texts) {
                    pages[*i].text = text;
                }
            }
            None => needs_ocr = true,
        }
    }
    Ok(PagesRead {
        pages,
        encoding: None,
        needs_ocr,
        title: None,
        paged: true,
    })
}

fn describe(message: &str) -> String {
    if message.contains("xref")
        || message.contains("trailer")
        || message.contains("EOF")
        || message.contains("Invalid file")
    {
        format!("damaged or truncated ({message})")
    } else {
        message.to_string()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PDF with one page per string, in Helvetica (ASCII text only).
    pub fn pdf(pages: &[&str]) -> Vec<u8> {
        use lopdf::content::{Content, Operation};
        use lopdf::{dictionary, Object, Stream};
        let mut doc = lopdf::Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
        );
        let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
        let mut kids = Vec::new();
        for text in pages {
            let ops = if text.is_empty() {
                vec![]
            } else {
                vec![
                    Operation::new("BT", vec![]),
                    Operation::new("Tf", vec!["F1".into(), 12.into()]),
                    Operation::new("Td", vec![72.into(), 700.into()]),
                    Operation::new("Tj", vec![Object::string_literal(*text)]),
                    Operation::new("ET", vec![]),
                ]
            };
            let content = doc.add_object(Stream::new(
                dictionary! {},
                Content { operations: ops }.encode().unwrap(),
            ));
            let page = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            });
            kids.push(page.into());
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn text_layer_per_page() {
        let e = read(
            &pdf(&["First sheet Khrushchev", "Second sheet"]),
            &Limits::default(),
            &Ocr::disabled(),
        )
        .unwrap();
        assert_eq!(e.pages.len(), 2);
        assert!(e.pages[0].text.contains("Khrushchev"), "{:?}", e.pages);
        assert!(e.pages[1].text.contains("Second"));
        assert!(!e.needs_ocr);
    }

    #[test]
    fn image_only_pages_need_ocr_without_tesseract() {
        let e = read(&pdf(&["text", ""]), &Limits::default(), &Ocr::disabled()).unwrap();
        assert!(e.needs_ocr);
    }

    #[test]
    fn truncated_pdf_is_an_error() {
        let bytes = pdf(&["whole"]);
        let err = read(
            &bytes[..bytes.len() / 2],
            &Limits::default(),
            &Ocr::disabled(),
        )
        .unwrap_err();
        assert!(matches!(err, FormatError::Pdf(_)), "{err}");
    }
}
