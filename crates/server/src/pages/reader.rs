//! The document reader: the text sheet by sheet, with the mentions the extraction found
//! marked, the scan beside it where the original is an image, notes in the margin, the
//! citation to copy, and a note made by selecting a passage.
//!
//! Each paragraph carries the character offset it starts at on its page, so the room's
//! script can turn a selection into the W3C position the archive anchors a note with
//! (the same anchoring as `kartoteka note add`, refined by where the reader selected).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use futures_util::StreamExt;
use kartoteka_archive::{Caller, NewNote, NoteFilter, Selection, Shown};
use kartoteka_model::{DocId, Format, MentionKind};
use kartoteka_text::escape_html as esc;
use serde::Deserialize;

use super::{error_page, frame, Lang};
use crate::api::{self, DocNumber, QueryOf};
use crate::error::ApiError;
use crate::App;

#[derive(Deserialize, Default)]
pub(crate) struct DocQuery {
    hl: Option<String>,
    /// A mention to point out (from a dossier's list of mentions).
    mark: Option<i64>,
}

/// A mention to mark on a page, in characters of the page's text.
pub(crate) struct Mark {
    start: usize,
    end: usize,
    id: i64,
    kind: MentionKind,
    /// What it resolves to, for the tooltip: a lemma, a person's id.
    about: String,
}

/// The paragraphs of a page's text (split at blank lines, trimmed), each as its range of
/// characters.
fn paragraph_ranges(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut push = |from: usize, to: usize| {
        let mut a = from;
        let mut b = to;
        while a < b && chars[a].is_whitespace() {
            a += 1;
        }
        while b > a && chars[b - 1].is_whitespace() {
            b -= 1;
        }
        if a < b {
            out.push((a, b));
        }
    };
    while i + 1 < chars.len() {
        if chars[i] == '\n' && chars[i + 1] == '\n' {
            push(start, i);
            while i < chars.len() && chars[i] == '\n' {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    push(start, chars.len());
    out
}

/// A page's text as HTML paragraphs, escaped, with line breaks kept and the marks
/// (which must not overlap; later overlapping ones are left out) wrapped in `<mark>`.
pub(crate) fn render_text(text: &str, marks: &[Mark], pointed: Option<i64>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut sorted: Vec<&Mark> = marks
        .iter()
        .filter(|m| m.start < m.end && m.end <= chars.len())
        .collect();
    sorted.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut kept: Vec<&Mark> = Vec::new();
    for m in sorted {
        if kept.last().is_none_or(|k| m.start >= k.end) {
            kept.push(m);
        }
    }
    let mut html = String::with_capacity(text.len() * 11 / 10 + 64);
    let mut plain = String::new();
    let flush = |plain: &mut String, html: &mut String| {
        html.push_str(&esc(plain));
        plain.clear();
    };
    let mut next = 0;
    for (a, b) in paragraph_ranges(&chars) {
        html.push_str(&format!(r#"<p data-start="{a}">"#));
        let mut open: Option<&Mark> = None;
        for (i, c) in chars.iter().enumerate().take(b).skip(a) {
            if open.is_some_and(|m| m.end == i) {
                flush(&mut plain, &mut html);
                html.push_str("</mark>");
                open = None;
            }
            while next < kept.len() && kept[next].end <= i {
                next += 1;
            }
            if open.is_none() && next < kept.len() && kept[next].start <= i {
                let m = kept[next];
                flush(&mut plain, &mut html);
                // Only the first piece of a mention split by a paragraph break carries its id.
                let id = if m.start >= a {
                    format!(r#" id="mention-{}""#, m.id)
                } else {
                    String::new()
                };
                html.push_str(&format!(
                    r#"<mark class="mention {kind}{here}"{id} title="{about}">"#,
                    kind = m.kind.as_str(),
                    here = if pointed == Some(m.id) {
                        " pointed"
                    } else {
                        ""
                    },
                    about = esc(&m.about),
                ));
                open = Some(m);
            }
            if *c == '\n' {
                flush(&mut plain, &mut html);
                html.push_str("<br>");
            } else {
                plain.push(*c);
            }
        }
        flush(&mut plain, &mut html);
        if open.is_some() {
            html.push_str("</mark>");
        }
        html.push_str("</p>\n");
    }
    html
}

/// What kind of image the bytes begin like, for the browser: only what a browser shows.
fn image_type(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// GET /documents/{id}: the reader.
pub(crate) async fn document(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    DocNumber(n): DocNumber,
    QueryOf(q): QueryOf<DocQuery>,
) -> Response {
    let lang = Lang::of(q.hl.as_deref(), &headers);
    let marking = match api::audited_read(&app, &caller, n, "reader").await {
        Ok(m) => m,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let found = app
        .read(move |a| {
            let shown = a.show(&n.to_string())?;
            let notes = a.notes(&NoteFilter {
                doc: Some(DocId(n)),
                ..NoteFilter::default()
            })?;
            // Mentions are there once extraction has run; before, there are none to mark.
            let mentions = a.document_mentions(DocId(n))?;
            let scan = match &shown {
                Shown::Document { document, .. } if document.format == Format::Image => {
                    let mut head = [0u8; 16];
                    let mut reader = a.blobs().open(&document.content).ok();
                    let read = reader
                        .as_mut()
                        .and_then(|r| std::io::Read::read(r, &mut head).ok())
                        .unwrap_or(0);
                    image_type(&head[..read]).is_some()
                }
                _ => false,
            };
            Ok((shown, notes, mentions, scan))
        })
        .await;
    let (shown, notes, mentions, scan) = match found {
        Ok(f) => f,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let Shown::Document {
        document, pages, ..
    } = shown
    else {
        return error_page(
            lang,
            Some(&caller),
            &ApiError::not_found(format!("document {n}")),
        );
    };
    let title = document
        .reference
        .as_ref()
        .map(|r| r.to_string())
        .unwrap_or_else(|| format!("{} {n}", lang.t("document")));
    let original = match document.format {
        Format::Image | Format::Pdf => format!(
            r#" · <a href="/documents/{n}/original">{}</a>"#,
            lang.pick("the original", "оригинал")
        ),
        _ => String::new(),
    };
    let banner = if marking.classification == kartoteka_model::Classification::Unclassified {
        String::new()
    } else {
        format!(
            r#"<p class="banner" role="note"><strong>{}</strong> — {}</p>"#,
            esc(&marking.to_string()),
            lang.pick(
                "held under this marking; your reading is recorded in the audit chain.",
                "хранится под этой отметкой; ваше чтение записано в журнал аудита."
            )
        )
    };
    let mut main = format!(
        r#"{banner}<h1>{}</h1><p class="meta">{} {n} · {}: <code>{}</code>{original}</p>"#,
        esc(&title),
        lang.t("document"),
        lang.t("source"),
        esc(&document.source_path)
    );
    if !mentions.is_empty() {
        main.push_str(&format!(
            r#"<p class="legend meta">{}: <mark class="mention person">{}</mark> <mark class="mention cover_name">{}</mark> <mark class="mention place">{}</mark> <mark class="mention date">{}</mark> <mark class="mention org">{}</mark> <mark class="mention role">{}</mark></p>"#,
            lang.pick("Marked", "Отмечены"),
            lang.pick("persons", "лица"),
            lang.pick("cover names", "псевдонимы"),
            lang.pick("places", "места"),
            lang.pick("dates", "даты"),
            lang.pick("services", "службы"),
            lang.pick("roles", "роли"),
        ));
    }
    let csrf = esc(caller.csrf.as_deref().unwrap_or(""));
    let may_annotate = kartoteka_model::allows(
        caller.user.role,
        caller.scopes.as_deref(),
        kartoteka_model::Action::Annotate,
    );
    let may_claim = kartoteka_model::allows(
        caller.user.role,
        caller.scopes.as_deref(),
        kartoteka_model::Action::Analyse,
    );
    for page in &pages {
        let heading = match page.sheet {
            Some(s) => format!(
                "{} {}{}",
                lang.t("sheet"),
                s.number,
                if s.verso { " об." } else { "" }
            ),
            None => format!("{} {}", lang.t("page"), page.number),
        };
        let citation = match &document.reference {
            Some(r) => kartoteka_archive::citation(r, page.sheet),
            None => format!(
                "{}, {} {}",
                document.source_path,
                lang.t("page"),
                page.number
            ),
        };
        let marks: Vec<Mark> = mentions
            .iter()
            .filter(|m| m.page == page.number)
            .map(|m| Mark {
                start: m.start as usize,
                end: m.end as usize,
                id: m.id,
                kind: m.kind,
                about: format!("{} · {}", m.kind.as_str().replace('_', " "), m.lemma),
            })
            .collect();
        let page_notes: Vec<_> = notes
            .iter()
            .filter(|x| x.anchor.page == page.number)
            .collect();
        let margin = if page_notes.is_empty() {
            format!("<p>{}</p>", lang.t("nonotes"))
        } else {
            page_notes
                .iter()
                .map(|x| {
                    format!(
                        r#"<article class="note" id="note-{id}"><blockquote>{quote}</blockquote>{comment}<p class="by">{author} · {at}</p></article>"#,
                        id = x.id,
                        quote = esc(&x.anchor.exact),
                        comment = x
                            .comment
                            .as_deref()
                            .map(|c| format!("<p>{}</p>", esc(c)))
                            .unwrap_or_default(),
                        author = esc(&x.author),
                        at = esc(&x.created),
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        let sheet_field = page
            .sheet
            .filter(|s| !s.verso)
            .map(|s| format!(r#"<input type="hidden" name="sheet" value="{}">"#, s.number))
            .unwrap_or_default();
        let form = if may_annotate {
            format!(
                r#"<details><summary>{add}</summary>
<form method="post" action="/documents/{doc}/notes?hl={code}" class="note-form">
<input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="page" value="{num}">
<input type="hidden" name="start" value="">
{sheet_field}
<p class="selected-hint meta" hidden>{hint}</p>
<label for="quote-{num}">{quote}</label>
<textarea id="quote-{num}" name="quote" rows="2" required></textarea>
<label for="comment-{num}">{comment}</label>
<textarea id="comment-{num}" name="comment" rows="3"></textarea>
<label for="tags-{num}">{tags}</label>
<input id="tags-{num}" name="tags">
<button type="submit">{save}</button>
</form></details>"#,
                add = lang.t("addnote"),
                doc = n,
                code = lang.code(),
                num = page.number,
                hint = lang.pick(
                    "The passage you selected is the quote.",
                    "Выделенный фрагмент стал цитатой."
                ),
                quote = lang.t("quote"),
                comment = lang.t("comment"),
                tags = lang.t("tags"),
                save = lang.t("save"),
            )
        } else {
            String::new()
        };
        // An analyst's claim on the passage selected, beside the note.
        let claim_form = if may_claim {
            format!(
                r#"<details class="claim-form"><summary>{add}</summary>
<form method="post" action="/documents/{doc}/claims?hl={code}" class="claim-form">
<input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="page" value="{num}">
<input type="hidden" name="start" value="">
<p class="selected-hint meta" hidden>{hint}</p>
<label for="claim-quote-{num}">{cited}</label>
<textarea id="claim-quote-{num}" name="quote" rows="2" required></textarea>
<label for="claim-subject-{num}">{subject}</label>
<input id="claim-subject-{num}" name="subject" required>
<label for="claim-text-{num}">{text}</label>
<textarea id="claim-text-{num}" name="text" rows="2" required></textarea>
<label for="claim-grade-{num}">{grade}</label>
<input id="claim-grade-{num}" name="grade" required maxlength="2" pattern="[A-Fa-f][1-6]" placeholder="B2">
<label for="claim-why-{num}">{why}</label>
<input id="claim-why-{num}" name="why" required>
<button type="submit">{save}</button>
</form></details>"#,
                add = lang.pick("Add a claim", "Добавить утверждение"),
                doc = n,
                code = lang.code(),
                num = page.number,
                hint = lang.pick(
                    "The passage you selected is the citation.",
                    "Выделенный фрагмент стал ссылкой."
                ),
                cited = lang.pick("Cited passage", "Цитируемый фрагмент"),
                subject = lang.pick("On whom (person id or name)", "О ком (номер или имя лица)"),
                text = lang.pick("The claim", "Утверждение"),
                grade = lang.pick(
                    "Grade: source A-F, information 1-6",
                    "Оценка: источник A-F, сведения 1-6"
                ),
                why = lang.pick("Why this grade", "Почему такая оценка"),
                save = lang.pick("Keep the claim", "Сохранить утверждение"),
            )
        } else {
            String::new()
        };
        let form = form + &claim_form;
        // The scan beside the text: one image is the whole document, shown by its first page.
        let image = if scan && page.number == 1 {
            format!(
                r#"<figure class="scan"><a href="/documents/{n}/original"><img src="/documents/{n}/original" alt="{alt} {heading}" loading="lazy"></a></figure>"#,
                alt = lang.pick("Scan of", "Скан:"),
                heading = esc(&heading),
            )
        } else {
            String::new()
        };
        main.push_str(&format!(
            r#"<section class="sheet{wide}" id="page-{num}" aria-labelledby="h-page-{num}">
{image}<div class="text" lang="{text_lang}">
<h2 id="h-page-{num}">{heading}</h2>
<p class="cite"><label for="cite-{num}">{cite}</label> <input id="cite-{num}" readonly value="{citation}" data-copy="{copy}" data-copied="{copied}"></p>
{text}
</div>
<aside class="margin" aria-label="{notes} · {heading}">
<h3>{notes}</h3>
{margin}
{form}
</aside>
</section>"#,
            wide = if image.is_empty() { "" } else { " with-scan" },
            num = page.number,
            text_lang = match document.language.as_deref() {
                Some("ru") => "ru",
                Some("en") => "en",
                _ => "",
            },
            heading = esc(&heading),
            cite = lang.t("cite"),
            citation = esc(&citation),
            copy = lang.pick("Copy", "Копировать"),
            copied = lang.pick("Copied", "Скопировано"),
            text = render_text(&page.text, &marks, q.mark),
            notes = lang.t("notes"),
        ));
    }
    if pages.is_empty() {
        // No text yet (a scan waiting for OCR, a file that failed): the scan at least.
        let why = if document.needs_ocr {
            lang.pick(
                "Its text is not read yet: it waits for OCR.",
                "Текст ещё не распознан: ждёт OCR.",
            )
        } else {
            lang.pick("It holds no text.", "Текста нет.")
        };
        main.push_str(&format!(r#"<p class="meta">{why}</p>"#));
        if scan {
            main.push_str(&format!(
                r#"<figure class="scan"><a href="/documents/{n}/original"><img src="/documents/{n}/original" alt="{alt}" loading="lazy"></a></figure>"#,
                alt = esc(&format!("{} {title}", lang.pick("Scan of", "Скан:"))),
            ));
        }
    }
    main.push_str(r#"<script src="/assets/room.js" defer></script>"#);
    Html(frame(lang, &title, Some(&caller), &main)).into_response()
}

/// GET /documents/{id}/original: the original as stored, streamed. Images a browser
/// shows and PDFs are shown in place; anything else is a download.
pub(crate) async fn original(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    DocNumber(n): DocNumber,
) -> Result<Response, ApiError> {
    api::audited_read(&app, &caller, n, "original").await?;
    let (document, reader) = app
        .read(move |a| {
            let Shown::Document { document, .. } = a.show(&n.to_string())? else {
                return Err(ApiError::not_found(format!("document {n}")));
            };
            let reader = a.blobs().open(&document.content).map_err(|e| {
                ApiError::not_found(format!("the original of document {n} cannot be read: {e}"))
            })?;
            Ok((document, reader))
        })
        .await?;
    // The bytes go out as they are read, a chunk at a time, from the blocking pool.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let mut first = Vec::new();
    let mut reader = reader;
    let opened = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut head = vec![0u8; 64 * 1024];
        let read = reader.read(&mut head).map(|k| {
            head.truncate(k);
            head
        });
        (read, reader)
    })
    .await
    .map_err(ApiError::internal)?;
    let (head, mut reader) = opened;
    let head = head.map_err(ApiError::internal)?;
    first.extend_from_slice(&head);
    let kind = match document.format {
        Format::Pdf => Some("application/pdf"),
        Format::Image => image_type(&first),
        _ => None,
    };
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        loop {
            let mut chunk = vec![0u8; 256 * 1024];
            match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(k) => {
                    chunk.truncate(k);
                    if tx.blocking_send(Ok(chunk)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    break;
                }
            }
        }
    });
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let stream =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(rest);
    let name: String = document
        .source_path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("original")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let disposition = match kind {
        Some(_) => format!("inline; filename=\"{name}\""),
        None => format!("attachment; filename=\"{name}\""),
    };
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.unwrap_or("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub(crate) struct NoteForm {
    quote: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    tags: String,
    sheet: Option<u32>,
    page: Option<u32>,
    /// The selection's first character on the page, set by the script (empty without it).
    #[serde(default)]
    start: String,
}

/// POST /documents/{id}/notes: a note from the reader's form.
pub(crate) async fn add_note(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    DocNumber(n): DocNumber,
    QueryOf(q): QueryOf<DocQuery>,
    Form(form): Form<NoteForm>,
) -> Response {
    let lang = Lang::of(q.hl.as_deref(), &headers);
    let selector = form.page.filter(|p| *p > 0).map(|page| Selection {
        page,
        start: form.start.trim().parse().ok(),
        ..Selection::default()
    });
    let new = NewNote {
        target: n.to_string(),
        quote: form.quote,
        sheet: form.sheet,
        comment: Some(form.comment).filter(|c| !c.trim().is_empty()),
        tags: form
            .tags
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        selector,
    };
    match api::write_note(&app, &caller, new).await {
        Ok(note) => Redirect::to(&format!(
            "/documents/{n}?hl={}#note-{}",
            lang.code(),
            note.id
        ))
        .into_response(),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(start: usize, end: usize, id: i64) -> Mark {
        Mark {
            start,
            end,
            id,
            kind: MentionKind::Person,
            about: "person".into(),
        }
    }

    #[test]
    fn paragraphs_carry_their_offsets_and_marks_wrap_the_mention() {
        let text = "Агент <КЛИМ>\nвстретил Соколова.\n\n  Второй абзац.";
        let chars: Vec<char> = text.chars().collect();
        let at = text.find("Соколова").unwrap();
        let start = text[..at].chars().count();
        let html = render_text(text, &[mark(start, start + 8, 7)], None);
        assert!(html.starts_with(r#"<p data-start="0">Агент &lt;КЛИМ&gt;<br>встретил <mark class="mention person" id="mention-7""#), "{html}");
        assert!(html.contains(">Соколова</mark>."), "{html}");
        let second = text.find("Второй").unwrap();
        let offset = text[..second].chars().count();
        assert!(
            html.contains(&format!(r#"<p data-start="{offset}">Второй абзац.</p>"#)),
            "{html}"
        );
        assert_eq!(chars[offset], 'В');
    }

    #[test]
    fn overlapping_and_out_of_range_marks_are_left_out() {
        let text = "abcdef";
        let html = render_text(
            text,
            &[mark(0, 3, 1), mark(2, 5, 2), mark(4, 99, 3)],
            Some(1),
        );
        assert_eq!(
            html,
            "<p data-start=\"0\"><mark class=\"mention person pointed\" id=\"mention-1\" title=\"person\">abc</mark>def</p>\n"
        );
    }

    #[test]
    fn a_mention_across_a_paragraph_break_is_closed_in_each() {
        let text = "ab\n\ncd";
        let html = render_text(text, &[mark(1, 6, 4)], None);
        assert_eq!(html.matches("<mark").count(), 2, "{html}");
        assert_eq!(html.matches("</mark>").count(), 2, "{html}");
        assert_eq!(html.matches("id=\"mention-4\"").count(), 1, "{html}");
    }

    #[test]
    fn only_images_a_browser_shows_are_shown() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"II*\x00"), None);
        assert_eq!(image_type(b"<svg"), None);
    }
}
