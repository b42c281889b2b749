//! HTML: charset from the page (meta charset / http-equiv) or detected, then the visible
//! text with block elements as line breaks. Hand-written rather than a full HTML5 parser:
//! archive pages are simple, and text extraction needs only tags, entities and the
//! script/style exclusions, not a DOM.

use super::{text::split_sheets, FormatError, PagesRead};

pub fn read(bytes: &[u8]) -> Result<PagesRead, FormatError> {
    let decoded = match declared_charset(bytes) {
        Some(label) => kartoteka_text::decode_declared(bytes, &label)
            .or_else(|_| kartoteka_text::decode(bytes))?,
        None => kartoteka_text::decode(bytes)?,
    };
    let (text, title) = visible_text(&decoded.text);
    let (pages, paged) = split_sheets(&text);
    Ok(PagesRead {
        pages,
        encoding: Some(decoded.encoding.to_string()),
        needs_ocr: false,
        title,
        paged,
    })
}

/// The charset a page declares in its first 2 KiB.
fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let value: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!value.is_empty()).then_some(value)
}

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "td",
    "th",
    "hr",
    "blockquote",
    "pre",
    "title",
];

fn visible_text(html: &str) -> (String, Option<String>) {
    let mut out = String::with_capacity(html.len() / 2);
    let mut title: Option<String> = None;
    let mut rest = html;
    let mut skip_until: Option<&'static str> = None;
    let mut in_title = false;
    let mut title_text = String::new();
    while let Some(lt) = rest.find('<') {
        let chunk = &rest[..lt];
        if skip_until.is_none() {
            let text = decode_entities(chunk);
            if in_title {
                title_text.push_str(&text);
            } else {
                out.push_str(&text);
            }
        }
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map(|e| &rest[e + 3..]).unwrap_or("");
            continue;
        }
        let Some(gt) = rest.find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .flat_map(|c| c.to_lowercase())
            .collect();
        if let Some(end) = skip_until {
            if closing && name == end {
                skip_until = None;
            }
            continue;
        }
        match name.as_str() {
            "script" if !closing => skip_until = Some("script"),
            "style" if !closing => skip_until = Some("style"),
            "title" => {
                in_title = !closing;
                if closing && title.is_none() {
                    let t = title_text.split_whitespace().collect::<Vec<_>>().join(" ");
                    title = (!t.is_empty()).then_some(t);
                }
            }
            n if BLOCKS.contains(&n) => {
                if n == "td" || n == "th" {
                    out.push(' ');
                } else if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    if skip_until.is_none() && !in_title {
        out.push_str(&decode_entities(rest));
    }
    // Collapse the spaces HTML source is full of, keeping line breaks.
    let text = out
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    (text, title)
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest
            .char_indices()
            .take_while(|(i, _)| *i < 12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "laquo" => Some('«'),
                "raquo" => Some('»'),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                "hellip" => Some('…'),
                "copy" => Some('©'),
                "sect" => Some('§'),
                "numero" => Some('№'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp1251_page_with_meta_charset() {
        let html = "<HTML><HEAD><TITLE>Расстрелы</TITLE><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=windows-1251\">\
            <style>p{}</style></HEAD><BODY><p class=pers><B>Султан-Заде Авет</B>, род. 1889&nbsp;г.</p><script>var x='<p>';</script><p>&laquo;ХОЛА&raquo; &#1044;</p></BODY></HTML>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(html);
        let e = read(&bytes).unwrap();
        assert_eq!(e.encoding.as_deref(), Some("windows-1251"));
        assert_eq!(e.title.as_deref(), Some("Расстрелы"));
        assert_eq!(e.pages[0].text, "Султан-Заде Авет, род. 1889 г.\n«ХОЛА» Д");
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for s in [
            "<p",
            "<!-- never closed",
            "&#xZZZZ; &#99999999;",
            "<script>",
            "text < 5 & > 3",
        ] {
            let _ = read(s.as_bytes()).unwrap();
        }
    }
}
