//! DOCX: the text of `word/document.xml`, split at page breaks, with every part read
//! under a size limit so that a zip bomb is refused rather than expanded.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{text::split_sheets, FormatError, Limits, PagesRead, RawPage};

fn read_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
) -> Result<Option<String>, FormatError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(FormatError::Docx(format!("{name}: {e}"))),
    };
    if file.size() > limits.max_decompressed {
        return Err(FormatError::TooLarge {
            what: name.to_string(),
            limit: limits.max_decompressed,
        });
    }
    let mut bytes = Vec::new();
    // The declared size can lie; the limit is enforced on what actually comes out.
    file.take(limits.max_decompressed + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FormatError::Docx(format!("{name}: {e}")))?;
    if bytes.len() as u64 > limits.max_decompressed {
        return Err(FormatError::TooLarge {
            what: name.to_string(),
            limit: limits.max_decompressed,
        });
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| FormatError::Docx(format!("{name} is not UTF-8 XML")))
}

pub fn read(bytes: &[u8], limits: &Limits) -> Result<PagesRead, FormatError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| FormatError::Docx(format!("not a zip package: {e}")))?;
    let xml = read_part(&mut zip, "word/document.xml", limits)?
        .ok_or_else(|| FormatError::Docx("no word/document.xml: not a Word document".into()))?;
    let title = read_part(&mut zip, "docProps/core.xml", limits)
        .ok()
        .flatten()
        .and_then(|core| core_title(&core));
    let mut pages: Vec<String> = vec![String::new()];
    let mut reader = Reader::from_str(&xml);
    let mut in_text = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| FormatError::Docx(format!("word/document.xml: {e}")))?;
        let page = pages.last_mut().expect("pages is never empty");
        match event {
            Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            Event::End(e) if e.local_name().as_ref() == "t" => in_text = false,
            Event::End(e) if e.local_name().as_ref() == "p" => page.push('\n'),
            Event::Empty(e) | Event::Start(e) => match e.local_name().as_ref() {
                "tab" => page.push('\t'),
                "br" | "cr" => {
                    let is_page = e.attributes().flatten().any(|a| {
                        a.key.local_name().as_ref() == "type" && a.value.as_ref() == "page"
                    });
                    if is_page {
                        pages.push(String::new());
                    } else {
                        page.push('\n');
                    }
                }
                "lastRenderedPageBreak" if !page.trim().is_empty() => pages.push(String::new()),
                _ => {}
            },
            Event::Text(t) if in_text => page.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                page.extend(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let paged = pages.len() > 1;
    let mut out: Vec<RawPage> = Vec::new();
    for p in pages {
        // Sheet markers typed into the document still count.
        let (mut split, _) = split_sheets(&p);
        out.append(&mut split);
    }
    Ok(PagesRead {
        pages: out,
        encoding: None,
        needs_ocr: false,
        title,
        paged,
    })
}

fn core_title(core: &str) -> Option<String> {
    let mut reader = Reader::from_str(core);
    let mut in_title = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == "title" => in_title = true,
            Event::Text(t) if in_title => {
                let t = t.xml10_content().trim().to_string();
                return (!t.is_empty()).then_some(t);
            }
            Event::End(_) => in_title = false,
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    /// A minimal Word document with the given body XML.
    pub fn docx(body: &str) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default();
            zip.start_file("word/document.xml", opts).unwrap();
            write!(zip, r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#).unwrap();
            zip.start_file("docProps/core.xml", opts).unwrap();
            write!(zip, r#"<cp:coreProperties xmlns:cp="c" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Протокол</dc:title></cp:coreProperties>"#).unwrap();
            zip.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn paragraphs_and_page_breaks() {
        let bytes = docx(
            r#"<w:p><w:r><w:t>Агент &quot;ХОЛА&quot;</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/><w:t>Второй лист</w:t></w:r></w:p>"#,
        );
        let e = read(&bytes, &Limits::default()).unwrap();
        assert_eq!(e.title.as_deref(), Some("Протокол"));
        let texts: Vec<_> = e.pages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["Агент \"ХОЛА\"", "Второй лист"]);
    }

    #[test]
    fn not_a_zip_and_zip_bombs_are_refused() {
        assert!(
            matches!(read(b"plain text", &Limits::default()), Err(FormatError::Docx(m)) if m.contains("not a zip"))
        );
        let big = format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", "а".repeat(200_000));
        let bytes = docx(&big);
        assert!(bytes.len() < 100_000, "compresses well: {}", bytes.len());
        let tight = Limits {
            max_decompressed: 100_000,
        };
        assert!(matches!(
            read(&bytes, &tight),
            Err(FormatError::TooLarge { .. })
        ));
    }
}
