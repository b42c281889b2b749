//! The reading-room notebook: notes anchored to exact spans of the text, which find their
//! place again when the text is re-extracted, and travel as W3C Web Annotations.

use kartoteka_model::{Anchor, DocId, Document, Note, NoteVersion, Page, Reference, Sheet};
use kartoteka_store::NoteFilter;
use kartoteka_text::quote;
use serde_json::{json, Value};
use sha2::Digest;

use crate::{Archive, ArchiveError};

/// Characters of context kept on each side of a quote.
const CONTEXT: usize = 32;

/// What a new note says and where it goes.
#[derive(Clone, Debug, Default)]
pub struct NewNote {
    /// A document number or a reference code (a sheet, a file: the quote is looked for in
    /// every document there).
    pub target: String,
    /// The passage quoted, as the reader sees it.
    pub quote: String,
    /// The sheet it is on, when the quote occurs on several.
    pub sheet: Option<u32>,
    /// What the reader makes of it.
    pub comment: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Where a reader selected the quote, as a W3C selector names it: the page, the
    /// selection's first character on it (TextPositionSelector) and the words around it
    /// (TextQuoteSelector). When the quote occurs more than once, these pick the one meant.
    pub selector: Option<Selection>,
}

/// Where on a page a reader selected a quote.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// The page (1-based).
    pub page: u32,
    /// The selection's first character on the page, counted in characters.
    pub start: Option<u32>,
    /// The words just before the quote.
    pub prefix: String,
    /// The words just after it.
    pub suffix: String,
}

/// A hash of a document's text, page by page: when it changes, anchors are placed again.
fn text_hash(pages: &[Page]) -> String {
    let mut h = sha2::Sha256::new();
    for p in pages {
        h.update(p.number.to_le_bytes());
        h.update((p.text.len() as u64).to_le_bytes());
        h.update(p.text.as_bytes());
    }
    hex::encode(h.finalize())
}

fn context(text: &str, span: quote::Span) -> (String, String, String) {
    let chars: Vec<char> = text.chars().collect();
    let exact = chars[span.start..span.end].iter().collect();
    let prefix = chars[span.start.saturating_sub(CONTEXT)..span.start]
        .iter()
        .collect();
    let suffix = chars[span.end..(span.end + CONTEXT).min(chars.len())]
        .iter()
        .collect();
    (exact, prefix, suffix)
}

fn anchor_at(doc: &Document, page: &Page, span: quote::Span) -> Anchor {
    let (exact, prefix, suffix) = context(&page.text, span);
    Anchor {
        doc: doc.id,
        content: doc.content,
        page: page.number,
        sheet: page.sheet,
        start: span.start as u32,
        end: span.end as u32,
        exact,
        prefix,
        suffix,
    }
}

impl Archive {
    /// The documents a note target names.
    fn note_targets(&self, target: &str) -> Result<Vec<Document>, ArchiveError> {
        let store = self.store();
        if let Ok(n) = target.trim().parse::<i64>() {
            return Ok(vec![store
                .document(DocId(n))?
                .ok_or_else(|| ArchiveError::NotFound(format!("document {n}")))?]);
        }
        let reference =
            Reference::parse(target).map_err(|e| ArchiveError::not_a_target(target, &e))?;
        let docs = store.documents_within(&reference)?;
        // A sheet reference names the document at that sheet, or the one it falls in.
        let docs: Vec<Document> = match reference.sheets {
            Some(_) => {
                let exact: Vec<Document> = docs
                    .iter()
                    .filter(|d| d.reference.as_ref() == Some(&reference))
                    .cloned()
                    .collect();
                if exact.is_empty() {
                    store.documents_within(&reference.truncate(kartoteka_model::Level::File))?
                } else {
                    exact
                }
            }
            None => docs,
        };
        if docs.is_empty() {
            return Err(ArchiveError::NotFound(reference.to_string()));
        }
        Ok(docs)
    }

    /// Writes a note against the passage it quotes. The quote must be in the text: when it
    /// is not, the error shows the closest passage; when it is in several places, the error
    /// lists them and asks for a sheet or a longer quote.
    pub fn add_note(&self, new: &NewNote) -> Result<Note, ArchiveError> {
        if new.quote.trim().is_empty() {
            return Err(ArchiveError::Note("the quote is empty".into()));
        }
        let docs = self.note_targets(&new.target)?;
        let sheet_reference = Reference::parse(&new.target)
            .ok()
            .and_then(|r| r.sheets)
            .map(|s| s.first.number);
        let wanted_sheet = new.sheet.or(sheet_reference);
        let mut places: Vec<(Document, Page, quote::Span)> = Vec::new();
        let mut nearest: Option<(String, f64, String)> = None;
        for doc in docs {
            let pages = self.store().pages(doc.id)?;
            for page in pages {
                if let (Some(want), Some(s)) = (wanted_sheet, page.sheet) {
                    if s.number != want && new.sheet.is_some() {
                        continue;
                    }
                }
                let found = quote::find_all(&page.text, &new.quote);
                if found.is_empty() {
                    if let Some((passage, score)) = quote::closest(&page.text, &new.quote) {
                        if nearest.as_ref().is_none_or(|(_, s, _)| score > *s) {
                            nearest = Some((passage, score, where_(&doc, &page)));
                        }
                    }
                }
                for span in found {
                    places.push((doc.clone(), page.clone(), span));
                }
            }
        }
        // A reader's selection names its page, and where on it.
        if let Some(sel) = &new.selector {
            places.retain(|(_, p, _)| p.number == sel.page);
            if places.len() > 1 {
                let text = places[0].1.text.clone();
                if let Some(meant) = quote::locate(
                    &text,
                    &new.quote,
                    &sel.prefix,
                    &sel.suffix,
                    sel.start.map(|s| s as usize),
                ) {
                    places.retain(|(_, _, span)| *span == meant);
                }
            }
        }
        // With a sheet reference but no --sheet, prefer the pages on that sheet.
        if places.len() > 1 {
            if let Some(want) = wanted_sheet {
                let on_sheet: Vec<_> = places
                    .iter()
                    .filter(|(_, p, _)| p.sheet.map(|s| s.number) == Some(want))
                    .cloned()
                    .collect();
                if !on_sheet.is_empty() {
                    places = on_sheet;
                }
            }
        }
        match places.len() {
            0 => Err(ArchiveError::Note(match nearest {
                Some((passage, score, at)) => format!(
                    "the quote is not in {}; the closest passage ({:.0}% alike) is at {at}: {passage:?}",
                    new.target,
                    score.max(0.0) * 100.0
                ),
                None => format!("the quote is not in {} (it holds no text)", new.target),
            })),
            1 => {
                let (doc, page, span) = places.remove(0);
                let pages = self.store().pages(doc.id)?;
                let note = Note {
                    id: 0,
                    anchor: anchor_at(&doc, &page, span),
                    comment: new.comment.clone().filter(|c| !c.is_empty()),
                    tags: new.tags.clone(),
                    author: String::new(),
                    created: String::new(),
                    modified: String::new(),
                    version: 1,
                    orphaned: false,
                    text_hash: text_hash(&pages),
                    locked: false,
                };
                Ok(self.store().save_note(&note, "written")?)
            }
            n => Err(ArchiveError::Note(format!(
                "the quote occurs {n} times ({}); name the sheet or quote more",
                places.iter().take(5).map(|(d, p, _)| where_(d, p)).collect::<Vec<_>>().join("; ")
            ))),
        }
    }

    /// Notes that pass the filter, each re-anchored first if its document's text changed.
    pub fn notes(&self, filter: &NoteFilter) -> Result<Vec<Note>, ArchiveError> {
        // Whether a note is orphaned is known only after re-anchoring it.
        let unfiltered = NoteFilter {
            orphaned: None,
            ..filter.clone()
        };
        let notes = self.store().notes(&unfiltered)?;
        let mut out = Vec::with_capacity(notes.len());
        for note in notes {
            out.push(self.reanchor(note)?);
        }
        if let Some(o) = filter.orphaned {
            out.retain(|n| n.orphaned == o);
        }
        Ok(out)
    }

    /// A note and its history.
    pub fn note(&self, id: i64) -> Result<(Note, Vec<NoteVersion>), ArchiveError> {
        let note = self
            .store()
            .note(id)?
            .ok_or_else(|| ArchiveError::NotFound(format!("note {id}")))?;
        let note = self.reanchor(note)?;
        let history = self.store().note_versions(id)?;
        Ok((note, history))
    }

    /// Changes a note's comment or tags; the old state stays in its history.
    pub fn edit_note(
        &self,
        id: i64,
        comment: Option<String>,
        tags: Option<Vec<String>>,
    ) -> Result<Note, ArchiveError> {
        let (mut note, _) = self.note(id)?;
        if let Some(c) = comment {
            note.comment = Some(c).filter(|c| !c.is_empty());
        }
        if let Some(t) = tags {
            note.tags = t;
        }
        Ok(self.store().save_note(&note, "edited")?)
    }

    /// Places a note again when its document's text changed since it was anchored: by its
    /// quote and context, on the same sheet first. A quote that is gone leaves the note
    /// orphaned at its last place.
    fn reanchor(&self, note: Note) -> Result<Note, ArchiveError> {
        if note.locked {
            return Ok(note);
        }
        let Some(doc) = self.store().document(note.anchor.doc)? else {
            return Ok(note);
        };
        let pages = self.store().pages(doc.id)?;
        let hash = text_hash(&pages);
        if hash == note.text_hash {
            return Ok(note);
        }
        let a = &note.anchor;
        // Same sheet, then same page number, then anywhere.
        let mut order: Vec<&Page> = pages.iter().collect();
        order.sort_by_key(|p| {
            let same_sheet = a.sheet.is_some() && p.sheet == a.sheet;
            (!same_sheet, p.number != a.page, p.number)
        });
        let found = order.iter().find_map(|p| {
            quote::locate(
                &p.text,
                &a.exact,
                &a.prefix,
                &a.suffix,
                Some(a.start as usize),
            )
            .map(|s| (*p, s))
        });
        let mut moved = note.clone();
        moved.text_hash = hash;
        let why = match found {
            Some((page, span)) => {
                moved.anchor = anchor_at(&doc, page, span);
                moved.orphaned = false;
                "re-anchored after re-extraction"
            }
            None => {
                moved.orphaned = true;
                "orphaned"
            }
        };
        Ok(self.store().save_note(&moved, why)?)
    }

    /// Every note (or those passing the filter) as a W3C Web Annotation collection.
    pub fn export_notes(&self, filter: &NoteFilter) -> Result<Value, ArchiveError> {
        let notes = self.notes(filter)?;
        let mut items = Vec::with_capacity(notes.len());
        for n in &notes {
            let reference = self
                .store()
                .document(n.anchor.doc)?
                .and_then(|d| d.reference)
                .map(|r| r.to_string());
            items.push(web_annotation(n, reference.as_deref()));
        }
        Ok(json!({
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "AnnotationCollection",
            "label": format!("Kartoteka notebook, {}", self.root().display()),
            "total": items.len(),
            "first": {"type": "AnnotationPage", "items": items},
        }))
    }

    /// Imports W3C Web Annotations (a collection, a page, a list or one annotation) whose
    /// targets are documents of this archive, found by content hash and anchored by their
    /// quote. Returns the notes made and, for each annotation that could not be placed, why.
    pub fn import_notes(&self, data: &Value) -> Result<(Vec<Note>, Vec<String>), ArchiveError> {
        let items: Vec<&Value> =
            if let Some(items) = data.pointer("/first/items").and_then(Value::as_array) {
                items.iter().collect()
            } else if let Some(items) = data.get("items").and_then(Value::as_array) {
                items.iter().collect()
            } else if let Some(list) = data.as_array() {
                list.iter().collect()
            } else if data.get("type").and_then(Value::as_str) == Some("Annotation") {
                vec![data]
            } else {
                return Err(ArchiveError::Note(
                    "not a Web Annotation, an annotation list, page or collection".into(),
                ));
            };
        let mut made = Vec::new();
        let mut refused = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match self.import_one(item) {
                Ok(n) => made.push(n),
                Err(e) => refused.push(format!(
                    "annotation {} ({}): {e}",
                    i + 1,
                    item.get("id").and_then(Value::as_str).unwrap_or("no id")
                )),
            }
        }
        Ok((made, refused))
    }

    fn import_one(&self, item: &Value) -> Result<Note, ArchiveError> {
        let target = item
            .get("target")
            .ok_or_else(|| ArchiveError::Note("no target".into()))?;
        let source = target.get("source").and_then(Value::as_str).unwrap_or("");
        let selectors = selectors(target);
        let quote_sel = selectors
            .iter()
            .find(|s| s.get("type").and_then(Value::as_str) == Some("TextQuoteSelector"))
            .ok_or_else(|| ArchiveError::Note("no TextQuoteSelector".into()))?;
        let exact = quote_sel.get("exact").and_then(Value::as_str).unwrap_or("");
        let prefix = quote_sel
            .get("prefix")
            .and_then(Value::as_str)
            .unwrap_or("");
        let suffix = quote_sel
            .get("suffix")
            .and_then(Value::as_str)
            .unwrap_or("");
        let start = selectors
            .iter()
            .find(|s| s.get("type").and_then(Value::as_str) == Some("TextPositionSelector"))
            .and_then(|s| s.get("start").and_then(Value::as_u64));
        let page_no = selectors
            .iter()
            .find(|s| s.get("type").and_then(Value::as_str) == Some("FragmentSelector"))
            .and_then(|s| s.get("value").and_then(Value::as_str))
            .and_then(|v| v.strip_prefix("page="))
            .and_then(|v| v.parse::<u32>().ok());
        // The document: by content hash, else by the reference we wrote beside it.
        let hash = source.strip_prefix("urn:sha256:").unwrap_or("");
        let mut docs: Vec<Document> = Vec::new();
        self.store().each_document(&mut |d| {
            if d.content.to_hex() == hash {
                docs.push(d);
            }
            Ok(())
        })?;
        if docs.is_empty() {
            if let Some(r) = target.get("kartoteka:reference").and_then(Value::as_str) {
                docs = self.note_targets(r)?;
            }
        }
        if docs.is_empty() {
            return Err(ArchiveError::Note(format!(
                "no document in this archive has {source}"
            )));
        }
        for doc in docs {
            let pages = self.store().pages(doc.id)?;
            let mut order: Vec<&Page> = pages.iter().collect();
            order.sort_by_key(|p| (Some(p.number) != page_no, p.number));
            if let Some((page, span)) = order.iter().find_map(|p| {
                quote::locate(&p.text, exact, prefix, suffix, start.map(|s| s as usize))
                    .map(|s| (*p, s))
            }) {
                let bodies = bodies(item);
                let note = Note {
                    id: 0,
                    anchor: anchor_at(&doc, page, span),
                    comment: bodies
                        .iter()
                        .find(|(p, _)| p != "tagging")
                        .map(|(_, v)| v.clone()),
                    tags: bodies
                        .iter()
                        .filter(|(p, _)| p == "tagging")
                        .map(|(_, v)| v.clone())
                        .collect(),
                    author: item
                        .pointer("/creator/name")
                        .or_else(|| item.get("creator"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    created: item
                        .get("created")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    modified: String::new(),
                    version: 1,
                    orphaned: false,
                    text_hash: text_hash(&pages),
                    locked: false,
                };
                return Ok(self.store().save_note(&note, "imported")?);
            }
        }
        Err(ArchiveError::Note(format!(
            "the quote {exact:?} is not in the document"
        )))
    }
}

/// "doc 12, л. 3 (p. 1)".
fn where_(doc: &Document, page: &Page) -> String {
    match page.sheet {
        Some(s) => format!(
            "doc {}, л. {}{} (p. {})",
            doc.id.0,
            s.number,
            if s.verso { " об." } else { "" },
            page.number
        ),
        None => format!("doc {}, p. {}", doc.id.0, page.number),
    }
}

fn selectors(target: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = match target.get("selector") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    while let Some(s) = stack.pop() {
        match s.get("refinedBy") {
            Some(Value::Array(list)) => stack.extend(list.iter()),
            Some(one) => stack.push(one),
            None => {}
        }
        out.push(s);
    }
    out
}

fn bodies(item: &Value) -> Vec<(String, String)> {
    let list: Vec<&Value> = match item.get("body") {
        Some(Value::Array(l)) => l.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    list.iter()
        .filter_map(|b| {
            let value = b.get("value").and_then(Value::as_str)?;
            let purpose = b
                .get("purpose")
                .and_then(Value::as_str)
                .unwrap_or("commenting");
            Some((purpose.to_string(), value.to_string()))
        })
        .collect()
}

/// One note as a W3C Web Annotation: the comment and tags as textual bodies, the target
/// the original by its hash, refined to the page and then to the quote and its position.
fn web_annotation(n: &Note, reference: Option<&str>) -> Value {
    let mut body = Vec::new();
    if let Some(c) = &n.comment {
        body.push(json!({"type": "TextualBody", "value": c, "purpose": "commenting", "format": "text/plain"}));
    }
    for t in &n.tags {
        body.push(json!({"type": "TextualBody", "value": t, "purpose": "tagging"}));
    }
    let sheet = n.anchor.sheet.map(|s: Sheet| s.label());
    let mut target = json!({
        "source": format!("urn:sha256:{}", n.anchor.content.to_hex()),
        "selector": {
            "type": "FragmentSelector",
            "value": format!("page={}", n.anchor.page),
            "refinedBy": [
                {"type": "TextQuoteSelector", "exact": n.anchor.exact, "prefix": n.anchor.prefix, "suffix": n.anchor.suffix},
                {"type": "TextPositionSelector", "start": n.anchor.start, "end": n.anchor.end},
            ],
        },
    });
    if let Some(r) = reference {
        target["kartoteka:reference"] = json!(r);
    }
    if let Some(s) = sheet {
        target["kartoteka:sheet"] = json!(s);
    }
    json!({
        "id": format!("urn:kartoteka:note:{}", n.id),
        "type": "Annotation",
        "motivation": if n.comment.is_some() { "commenting" } else { "highlighting" },
        "creator": {"type": "Person", "name": n.author},
        "created": n.created,
        "modified": n.modified,
        "body": body,
        "target": target,
        "kartoteka:orphaned": n.orphaned,
    })
}
