//! The archival tree and a unit's history: `/holdings` for people, `/api/units` for
//! machines. The tree is the archive's (`Archive::tree`), the history too
//! (`Archive::history`); this module reads the unit from the request and renders.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use kartoteka_archive::{Caller, History, TreeView};
use kartoteka_model::{Reference, Severity};
use kartoteka_text::escape_html as esc;
use serde::Deserialize;

use crate::api::QueryOf;
use crate::error::ApiError;
use crate::pages::{error_page, frame, table_head, Lang};
use crate::App;

/// The longest reference code taken.
const MAX_REFERENCE_CHARS: usize = 300;

#[derive(Deserialize, Default)]
pub(crate) struct UnitQuery {
    unit: Option<String>,
    hl: Option<String>,
}

/// The unit a request names, if any, parsed as a reference code.
fn unit_of(text: Option<&str>) -> Result<Option<Reference>, ApiError> {
    // Measured as given, before trimming: 300 carriage returns are not "no unit".
    if text.is_some_and(|t| t.chars().count() > MAX_REFERENCE_CHARS) {
        return Err(ApiError::bad_request(format!(
            "unit: a reference code has at most {MAX_REFERENCE_CHARS} characters"
        )));
    }
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    Reference::parse(text).map(Some).map_err(|e| {
        ApiError::bad_request(format!(
            "unit {:?} is not a reference code: {e}",
            kartoteka_model::excerpt(text)
        ))
    })
}

/// The tree at a unit and, for a unit, its history (none when nothing was ever done to it).
async fn tree_and_history(
    app: &App,
    unit: Option<Reference>,
) -> Result<(TreeView, Option<History>), ApiError> {
    app.read(move |a| {
        let tree = a.tree(unit.as_ref())?;
        let history = match &unit {
            Some(r) => match a.history(&r.truncate(kartoteka_model::Level::File)) {
                Ok(h) => Some(h),
                Err(kartoteka_archive::ArchiveError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        Ok((tree, history))
    })
    .await
}

/// GET /api/units: the tree at a unit (or the fonds), with the unit's history.
pub(crate) async fn units(
    State(app): State<Arc<App>>,
    QueryOf(q): QueryOf<UnitQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let unit = unit_of(q.unit.as_deref())?;
    let (tree, history) = tree_and_history(&app, unit).await?;
    Ok(Json(
        serde_json::json!({ "tree": tree, "history": history }),
    ))
}

/// A link to a unit's place in the tree.
fn unit_link(reference: &str, label: &str, lang: Lang) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("unit", reference)
        .append_pair("hl", lang.code())
        .finish();
    format!(r#"<a href="/holdings?{}">{}</a>"#, esc(&query), esc(label))
}

fn severity_word(s: Severity, lang: Lang) -> &'static str {
    match s {
        Severity::High => lang.pick("serious", "серьёзные"),
        Severity::Medium => lang.pick("to check", "проверить"),
        Severity::Low => lang.pick("minor", "мелкие"),
    }
}

fn kind_word(kind: kartoteka_model::FindingKind, lang: Lang) -> &'static str {
    use kartoteka_model::FindingKind as K;
    match kind {
        K::Emptied => lang.pick("emptied since ingest", "опустошено после приёма"),
        K::Missing => lang.pick("missing", "отсутствует"),
        K::Empty => lang.pick("empty", "пусто"),
        K::SheetCount => lang.pick("sheet count differs", "число листов не совпадает"),
        K::Duplicate => lang.pick("duplicate", "дубликат"),
        K::Numbering => lang.pick("hole in the numbering", "пропуск в нумерации"),
        K::Unlisted => lang.pick("not in the inventory", "нет в описи"),
    }
}

/// GET /holdings: the archival tree, a unit at a time.
pub(crate) async fn page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    QueryOf(q): QueryOf<UnitQuery>,
) -> Response {
    let lang = Lang::of(q.hl.as_deref(), &headers);
    let found = match unit_of(q.unit.as_deref()) {
        Ok(unit) => tree_and_history(&app, unit).await,
        Err(e) => Err(e),
    };
    let (tree, history) = match found {
        Ok(f) => f,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let may_keep = kartoteka_model::allows(
        caller.user.role,
        caller.scopes.as_deref(),
        kartoteka_model::Action::Keep,
    );
    let title = match &tree.reference {
        Some(r) => r.clone(),
        None => lang.pick("The holdings", "Фонды архива").to_string(),
    };
    let mut main = String::new();
    // Where we are: the trail down from the top.
    main.push_str(&format!(
        r#"<nav aria-label="{}" class="trail"><ol><li><a href="/holdings?hl={}">{}</a></li>"#,
        lang.pick("Place in the tree", "Место в иерархии"),
        lang.code(),
        lang.pick("All fonds", "Все фонды")
    ));
    for step in &tree.trail {
        main.push_str(&format!(
            "<li>{}</li>",
            unit_link(&step.reference, &step.reference, lang)
        ));
    }
    main.push_str("</ol></nav>");
    main.push_str(&format!("<h1>{}</h1>", esc(&title)));
    if let Some(unit) = &tree.unit {
        let mut facts = Vec::new();
        if let Some(t) = &unit.title {
            facts.push(format!("<strong>{}</strong>", esc(t)));
        }
        if let Some(d) = &unit.dates {
            facts.push(esc(&d.to_string()));
        }
        if let Some(n) = unit.sheet_count {
            facts.push(format!(
                "{n} {}",
                lang.pick("sheets listed", "листов по описи")
            ));
        }
        main.push_str(&format!(r#"<p class="meta">{}</p>"#, facts.join(" · ")));
    }
    if let Some(en) = &tree.reference_en {
        main.push_str(&format!(r#"<p class="meta" lang="en">{}</p>"#, esc(en)));
    }

    if !tree.children.is_empty() {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-units"><h2 id="h-units">{}</h2>{}"#,
            lang.pick("Units", "Единицы"),
            table_head(&[
                lang.pick("Unit", "Единица"),
                lang.pick("Title", "Заголовок"),
                lang.pick("Documents", "Документов"),
                lang.pick("Findings", "Находки"),
            ]),
        ));
        for c in &tree.children {
            let title = c.title.as_deref().map(esc).unwrap_or_default();
            let listed = if c.listed {
                String::new()
            } else {
                format!(
                    r#" <span class="tag">{}</span>"#,
                    lang.pick("not in an inventory", "нет в описи")
                )
            };
            let findings = match c.worst {
                Some(w) => format!(
                    r#"<span class="finding {}">{} ({})</span>"#,
                    match w {
                        Severity::High => "high",
                        Severity::Medium => "medium",
                        Severity::Low => "low",
                    },
                    c.findings,
                    severity_word(w, lang)
                ),
                None => "—".to_string(),
            };
            main.push_str(&format!(
                "<tr><td>{}</td><td>{title}{listed}</td><td>{}</td><td>{findings}</td></tr>",
                unit_link(&c.reference, &c.reference, lang),
                c.documents,
            ));
        }
        main.push_str("</tbody></table></section>");
    }

    if !tree.documents.is_empty() {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-docs"><h2 id="h-docs">{}</h2><ul class="docs">"#,
            lang.pick("Documents", "Документы")
        ));
        for d in &tree.documents {
            let label = d
                .reference
                .clone()
                .unwrap_or_else(|| format!("{} {}", lang.t("document"), d.doc.0));
            let about = [
                d.title.as_deref().map(esc),
                d.dates.as_ref().map(|x| esc(&x.to_string())),
                Some(format!("{} {}", d.pages, lang.pick("pages", "стр."))),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            main.push_str(&format!(
                r#"<li><a href="/documents/{}?hl={}">{}</a> <span class="meta">{about}</span></li>"#,
                d.doc.0,
                lang.code(),
                esc(&label)
            ));
        }
        main.push_str("</ul></section>");
    }
    if tree.unplaced > 0 {
        main.push_str(&format!(
            r#"<p class="meta">{} {}</p>"#,
            tree.unplaced,
            lang.pick(
                "documents are not placed in the tree (no reference code).",
                "документов не размещены в иерархии (нет шифра)."
            )
        ));
    }

    main.push_str(&format!(
        r#"<section aria-labelledby="h-findings"><h2 id="h-findings">{}</h2>"#,
        lang.pick("Gaps findings", "Находки сверки")
    ));
    if tree.findings.is_empty() {
        main.push_str(&format!(
            "<p>{}</p>",
            lang.pick(
                "None stand here (as of the last reconciliation).",
                "Здесь нет (по последней сверке)."
            )
        ));
    } else {
        main.push_str(r#"<ul class="findings">"#);
        for f in &tree.findings {
            let form = if may_keep {
                let options: String = [
                    ("open", lang.pick("open", "открыта")),
                    (
                        "under_investigation",
                        lang.pick("under investigation", "проверяется"),
                    ),
                    ("explained", lang.pick("explained", "объяснена")),
                ]
                .iter()
                .map(|(value, label)| {
                    format!(
                        r#"<option value="{value}"{}>{label}</option>"#,
                        if f.status.as_str() == *value {
                            " selected"
                        } else {
                            ""
                        }
                    )
                })
                .collect();
                format!(
                    r#"<details><summary>{say}</summary><form method="post" action="/holdings/findings/{id}?hl={code}" class="finding-form">
<input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="back" value="{back}">
<label for="status-{id}">{status_l}</label><select id="status-{id}" name="status">{options}</select>
<label for="note-{id}">{note_l}</label><textarea id="note-{id}" name="note" rows="2">{note_v}</textarea>
<button type="submit">{save}</button></form></details>"#,
                    say = lang.pick("Say where it stands", "Отметить состояние"),
                    id = f.id,
                    code = lang.code(),
                    csrf = esc(caller.csrf.as_deref().unwrap_or("")),
                    back = esc(tree.reference.as_deref().unwrap_or("")),
                    status_l = lang.pick("Status", "Состояние"),
                    note_l = lang.pick(
                        "What explains it (an act of destruction, a transfer)",
                        "Чем объясняется (акт уничтожения, передача)"
                    ),
                    note_v = esc(f.note.as_deref().unwrap_or("")),
                    save = lang.pick("Save", "Сохранить"),
                )
            } else {
                String::new()
            };
            main.push_str(&format!(
                r#"<li id="finding-{id}"><span class="finding {sev}">{kind}</span> {unit} — {evidence} <span class="meta">{status}{note}</span>{form}</li>"#,
                id = f.id,
                sev = match f.severity {
                    Severity::High => "high",
                    Severity::Medium => "medium",
                    Severity::Low => "low",
                },
                kind = kind_word(f.kind, lang),
                unit = unit_link(&f.reference, &f.reference, lang),
                evidence = esc(&f.evidence),
                status = esc(f.status.as_str()),
                note = f
                    .note
                    .as_deref()
                    .map(|n| format!(": {}", esc(n)))
                    .unwrap_or_default(),
            ));
        }
        main.push_str("</ul>");
    }
    main.push_str("</section>");

    if let Some(h) = &history {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-history"><h2 id="h-history">{}</h2>"#,
            lang.pick("History", "История")
        ));
        if let Some(place) = &h.location {
            main.push_str(&format!(
                r#"<p>{}: <strong>{}</strong></p>"#,
                lang.pick("Kept at", "Место хранения"),
                esc(place)
            ));
        }
        // The latest acts first, at most a hundred on the page (the API gives them all).
        const SHOWN: usize = 100;
        main.push_str(r#"<ol class="timeline" reversed>"#);
        for m in h.timeline.iter().rev().take(SHOWN) {
            main.push_str(&format!(
                r#"<li><time datetime="{at}">{at}</time> <span class="tag">{kind}</span> {what} <span class="meta">{actor}</span></li>"#,
                at = esc(&m.at),
                kind = esc(&m.kind),
                what = esc(&m.what),
                actor = esc(&m.actor),
            ));
        }
        main.push_str("</ol>");
        if h.timeline.len() > SHOWN {
            main.push_str(&format!(
                r#"<p class="meta">{} {} (/api/units)</p>"#,
                h.timeline.len() - SHOWN,
                lang.pick(
                    "earlier acts not shown",
                    "более ранних действий не показаны"
                ),
            ));
        }
        main.push_str("</section>");
    }
    Html(frame(lang, &title, Some(&caller), &main)).into_response()
}

/// A finding's number from the path, every other shape a `bad_request`.
pub(crate) struct FindingId(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for FindingId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        crate::api::path_number(parts, state, "finding")
            .await
            .map(FindingId)
    }
}

/// Where an archivist stands on a finding: its status and, to explain it, a note.
#[derive(Deserialize)]
pub(crate) struct FindingNote {
    status: String,
    #[serde(default)]
    note: Option<String>,
}

/// Records an archivist's view of a finding as `caller`.
async fn annotate(
    app: &Arc<App>,
    caller: &Caller,
    id: i64,
    body: FindingNote,
) -> Result<kartoteka_model::Finding, ApiError> {
    let status = kartoteka_model::FindingStatus::parse(&body.status).ok_or_else(|| {
        ApiError::bad_request(format!(
            "status: open, under_investigation or explained, not {}",
            kartoteka_model::excerpt(&body.status)
        ))
    })?;
    let note = body.note.filter(|n| !n.trim().is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 10_000) {
        return Err(ApiError::bad_request("note: at most 10,000 characters"));
    }
    if status == kartoteka_model::FindingStatus::Explained && note.is_none() {
        return Err(ApiError::bad_request(
            "note: an explained finding says what explains it",
        ));
    }
    app.write(caller.user.name.clone(), move |a| {
        Ok(a.annotate_finding(id, status, note.as_deref())?)
    })
    .await
}

/// POST /api/findings/{id}: an archivist's status and note on a gaps finding.
pub(crate) async fn annotate_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    FindingId(id): FindingId,
    crate::api::JsonBody(body): crate::api::JsonBody<FindingNote>,
) -> Result<Json<kartoteka_model::Finding>, ApiError> {
    annotate(&app, &caller, id, body).await.map(Json)
}

#[derive(Deserialize)]
pub(crate) struct FindingForm {
    status: String,
    #[serde(default)]
    note: String,
    /// The unit whose page the form was on, to go back to.
    #[serde(default)]
    back: String,
}

/// POST /holdings/findings/{id}: the same from the tree's form; back to the unit.
pub(crate) async fn annotate_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    FindingId(id): FindingId,
    QueryOf(q): QueryOf<UnitQuery>,
    axum::Form(form): axum::Form<FindingForm>,
) -> Response {
    let lang = Lang::of(q.hl.as_deref(), &headers);
    let body = FindingNote {
        status: form.status,
        note: Some(form.note),
    };
    match annotate(&app, &caller, id, body).await {
        Ok(_) => {
            let mut query = form_urlencoded::Serializer::new(String::new());
            if !form.back.is_empty() && form.back.chars().count() <= MAX_REFERENCE_CHARS {
                query.append_pair("unit", &form.back);
            }
            query.append_pair("hl", lang.code());
            axum::response::Redirect::to(&format!("/holdings?{}#finding-{id}", query.finish()))
                .into_response()
        }
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}
