//! Persons: the list, a person's dossier (names, cover names in time, relations drawn
//! around them, timeline, every mention) and the candidate links a reviewer settles with
//! "same", "different" or "unsure" and a reason. `/persons` for people, `/api/persons` and
//! `/api/judgements` for machines. Resolution and the judgement's effect are the archive's
//! identity service; this module reads requests and renders.

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use kartoteka_archive::{Caller, CandidateLink, Dossier};
use kartoteka_model::{Action, Verdict};
use kartoteka_text::escape_html as esc;
use serde::Deserialize;

use crate::api::{JsonBody, QueryOf};
use crate::error::ApiError;
use crate::pages::{error_page, frame, table_head, Lang};
use crate::App;

/// Candidate links shown with a dossier.
const CANDIDATES: usize = 12;

/// A person id from the path ("P17"), every other shape a `bad_request`.
pub(crate) struct PersonId(pub String);

/// Whether `text` has the shape of a person id.
fn is_person_id(text: &str) -> bool {
    text.len() <= 20
        && text
            .strip_prefix('P')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl<S: Send + Sync> FromRequestParts<S> for PersonId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        crate::api::path_id(parts, state, 'P', "person id")
            .await
            .map(PersonId)
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct PersonsQuery {
    q: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    hl: Option<String>,
}

/// One person in a list: who, under which names, how often mentioned.
fn listed(p: &kartoteka_archive::Person) -> serde_json::Value {
    serde_json::json!({
        "id": p.id,
        "name": p.name,
        "names": p.names,
        "cover_names": p.cover_names,
        "mentions": p.mentions.len(),
    })
}

/// The persons whose names fit `q`, a page of them, and how many there are.
async fn find_persons(
    app: &App,
    q: &PersonsQuery,
) -> Result<(usize, Vec<serde_json::Value>), ApiError> {
    let query = q.q.clone().filter(|s| !s.trim().is_empty());
    if query.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(ApiError::bad_request("q: at most 200 characters"));
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=crate::api::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit: 1 to {}",
            crate::api::MAX_LIMIT
        )));
    }
    let offset = q.offset.unwrap_or(0);
    if offset > crate::api::MAX_OFFSET {
        return Err(ApiError::bad_request(format!(
            "offset: at most {}",
            crate::api::MAX_OFFSET
        )));
    }
    app.read(move |a| {
        let all = a.identities().persons(query.as_deref())?;
        let page = all.iter().skip(offset).take(limit).map(listed).collect();
        Ok((all.len(), page))
    })
    .await
}

/// GET /api/persons.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    QueryOf(q): QueryOf<PersonsQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (total, persons) = find_persons(&app, &q).await?;
    Ok(Json(
        serde_json::json!({ "total": total, "persons": persons }),
    ))
}

/// A dossier and its candidate links.
async fn dossier_of(app: &App, id: String) -> Result<(Dossier, Vec<CandidateLink>), ApiError> {
    app.read(move |a| {
        let identities = a.identities();
        let dossier = identities.dossier(&id)?;
        let candidates = identities.candidates(&dossier.person.id, CANDIDATES)?;
        Ok((dossier, candidates))
    })
    .await
}

/// GET /api/persons/{id}: the dossier, as `kartoteka dossier --json` prints it, and the
/// candidate links.
pub(crate) async fn one(
    State(app): State<Arc<App>>,
    PersonId(id): PersonId,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (dossier, candidates) = dossier_of(&app, id).await?;
    Ok(Json(
        serde_json::json!({ "dossier": dossier, "candidates": candidates }),
    ))
}

/// A judgement as the API takes it: two persons ("P..." ids) or mentions (numbers), the
/// verdict and why.
#[derive(Deserialize)]
pub(crate) struct JudgementBody {
    a: String,
    b: String,
    verdict: Verdict,
    why: String,
}

/// Records a judgement as `caller`, and resolves again.
async fn write_judgement(
    app: &Arc<App>,
    caller: &Caller,
    body: JudgementBody,
) -> Result<serde_json::Value, ApiError> {
    for (side, v) in [("a", &body.a), ("b", &body.b)] {
        let mention = v.len() <= 20 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
        if !is_person_id(v) && !mention {
            return Err(ApiError::bad_request(format!(
                "{side}: a person id (P and a number) or a mention number, not {}",
                kartoteka_model::excerpt(v)
            )));
        }
    }
    if body.why.trim().is_empty() || body.why.chars().count() > 10_000 {
        return Err(ApiError::bad_request(
            "why: say why, in at most 10,000 characters",
        ));
    }
    app.write(caller.user.name.clone(), move |a| {
        let (judgement, report) =
            a.identities()
                .judge(&body.a, &body.b, body.verdict, &body.why)?;
        Ok(serde_json::json!({ "judgement": judgement, "resolve": report }))
    })
    .await
}

/// POST /api/judgements.
pub(crate) async fn judge(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<JudgementBody>,
) -> Result<Response, ApiError> {
    let answer = write_judgement(&app, &caller, body).await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

fn person_link(id: &str, label: &str, lang: Lang) -> String {
    format!(
        r#"<a href="/persons/{}?hl={}">{}</a>"#,
        esc(id),
        lang.code(),
        esc(label)
    )
}

/// GET /persons: the persons, found by name.
pub(crate) async fn list_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    QueryOf(q): QueryOf<PersonsQuery>,
) -> Response {
    let lang = Lang::of(q.hl.as_deref(), &headers);
    let (total, persons) = match find_persons(&app, &q).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let mut main = format!(
        r#"<h1>{title}</h1>
<form method="get" action="/persons" role="search" class="search">
<input type="hidden" name="hl" value="{code}">
<label for="pq">{label}</label>
<input id="pq" name="q" type="search" value="{q}">
<button type="submit">{find}</button>
</form>
<p class="count">{total} {persons}</p>
{head}"#,
        title = lang.pick("Persons", "Лица"),
        code = lang.code(),
        label = lang.pick(
            "Name, in any script or case",
            "Имя в любом написании и падеже"
        ),
        q = esc(q.q.as_deref().unwrap_or("")),
        find = lang.t("search"),
        persons = lang.pick("persons", "лиц"),
        head = table_head(&[
            lang.t("name"),
            lang.pick("Cover names", "Псевдонимы"),
            lang.pick("Mentions", "Упоминаний"),
        ]),
    );
    for p in &persons {
        let covers = p["cover_names"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(|c| c["name"].as_str())
                    .map(|n| format!("«{}»", esc(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        main.push_str(&format!(
            "<tr><td>{} <span class=\"meta\">{}</span></td><td>{covers}</td><td>{}</td></tr>",
            person_link(
                p["id"].as_str().unwrap_or(""),
                p["name"].as_str().unwrap_or(""),
                lang
            ),
            esc(p["id"].as_str().unwrap_or("")),
            p["mentions"],
        ));
    }
    main.push_str("</tbody></table>");
    Html(frame(
        lang,
        lang.pick("Persons", "Лица"),
        Some(&caller),
        &main,
    ))
    .into_response()
}

#[derive(Deserialize, Default)]
pub(crate) struct PersonQuery {
    hl: Option<String>,
}

/// GET /persons/{id}: the dossier, its diagram and the candidate links.
pub(crate) async fn page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    PersonId(id): PersonId,
    QueryOf(q): QueryOf<PersonQuery>,
) -> Response {
    let lang = Lang::of(q.hl.as_deref(), &headers);
    let (d, candidates) = match dossier_of(&app, id).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let p = &d.person;
    let mut main = String::new();
    if let Some(r) = &d.redirect {
        main.push_str(&format!(
            r#"<p role="status" class="alert">{} {} {} {}: {}</p>"#,
            lang.pick("Person", "Лицо"),
            esc(&r.from),
            lang.pick("was merged into", "объединено с"),
            esc(&r.merged_into),
            esc(&r.reason)
        ));
    }
    main.push_str(&format!(
        r#"<h1>{}</h1><p class="meta">{}</p>"#,
        esc(&p.name),
        esc(&p.id)
    ));
    if p.names.len() > 1 {
        main.push_str(&format!(
            "<p>{}: {}</p>",
            lang.pick("Also written", "Также пишется"),
            esc(&p.names[1..].join("; "))
        ));
    }
    if !d.roles.is_empty() {
        main.push_str(&format!(
            "<p>{}: {}</p>",
            lang.pick("Roles in the text", "Роли в тексте"),
            esc(&d.roles.join(", "))
        ));
    }
    if !p.cover_names.is_empty() {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-covers"><h2 id="h-covers">{}</h2><ul>"#,
            lang.pick("Cover names in time", "Псевдонимы по времени")
        ));
        for c in &p.cover_names {
            main.push_str(&format!(
                "<li>«{}» {}–{}</li>",
                esc(&c.name),
                esc(c.from.as_deref().unwrap_or("?")),
                esc(c.to.as_deref().unwrap_or("?"))
            ));
        }
        main.push_str("</ul></section>");
    }
    if !d.own_files.is_empty() {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-files"><h2 id="h-files">{}</h2><ul>"#,
            lang.pick("Their own files", "Личные дела")
        ));
        for f in &d.own_files {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("unit", &f.reference)
                .append_pair("hl", lang.code())
                .finish();
            main.push_str(&format!(
                r#"<li><a href="/holdings?{}">{}</a> «{}» {}</li>"#,
                esc(&query),
                esc(&f.reference),
                esc(&f.title),
                f.findings
                    .iter()
                    .map(|x| format!(r#"<span class="finding high">{}</span>"#, esc(x)))
                    .collect::<String>()
            ));
        }
        main.push_str("</ul></section>");
    }
    if let Some(svg) = kartoteka_report::dossier_diagram(&d) {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-relations"><h2 id="h-relations">{}</h2><div class="diagram">{svg}</div>{}"#,
            lang.pick("Relations", "Связи"),
            table_head(&[
                lang.pick("Relation", "Связь"),
                lang.pick("With", "С кем"),
                lang.pick("Stated in", "Источник"),
            ]),
        ));
        for r in &d.relations {
            let with = match &r.other_person {
                Some(other) => person_link(other, &r.other, lang),
                None => esc(&r.other),
            };
            main.push_str(&format!(
                r#"<tr><td>{}</td><td>{with}</td><td><a href="/documents/{doc}?hl={code}#page-{page}">{document} {doc}, {pg} {page}</a></td></tr>"#,
                esc(&r.kind.as_str().replace('_', " ")),
                doc = r.doc.0,
                code = lang.code(),
                page = r.page,
                document = lang.t("document"),
                pg = lang.t("page"),
            ));
        }
        main.push_str("</tbody></table></section>");
    }
    if !d.timeline.is_empty() {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-timeline"><h2 id="h-timeline">{}</h2><ol class="timeline">"#,
            lang.pick("Timeline", "Хронология")
        ));
        for t in &d.timeline {
            main.push_str(&format!(
                r#"<li><strong>{}</strong> <a href="/documents/{}?hl={}">{}</a> — {}</li>"#,
                esc(&t.date),
                t.doc.0,
                lang.code(),
                esc(t.reference.as_deref().unwrap_or("")),
                esc(&t.text)
            ));
        }
        main.push_str("</ol></section>");
    }
    main.push_str(&candidates_section(&caller, &d, &candidates, lang));
    main.push_str(&format!(
        r#"<section aria-labelledby="h-mentions"><h2 id="h-mentions">{} ({})</h2><ol class="mentions">"#,
        lang.pick("Mentions", "Упоминания"),
        p.mentions.len()
    ));
    for m in &p.mentions {
        let place = match (&m.reference, m.sheet) {
            (Some(r), _) => r.clone(),
            (None, Some(s)) => format!("{} {}, л. {s}", lang.t("document"), m.doc.0),
            (None, None) => format!(
                "{} {}, {} {}",
                lang.t("document"),
                m.doc.0,
                lang.t("page"),
                m.page
            ),
        };
        main.push_str(&format!(
            r#"<li><a href="/documents/{doc}?hl={code}&amp;mark={id}#mention-{id}">{place}</a> — {context}</li>"#,
            doc = m.doc.0,
            code = lang.code(),
            id = m.id,
            place = esc(&place),
            context = highlight(&m.context, &m.text),
        ));
    }
    main.push_str("</ol></section>");
    Html(frame(lang, &p.name, Some(&caller), &main)).into_response()
}

/// The context of a mention with the mention marked.
fn highlight(context: &str, text: &str) -> String {
    match context.find(text).filter(|_| !text.is_empty()) {
        Some(at) => format!(
            "{}<mark>{}</mark>{}",
            esc(&context[..at]),
            esc(text),
            esc(&context[at + text.len()..])
        ),
        None => esc(context),
    }
}

/// The candidate links, each with the form that judges it (for those who may judge).
fn candidates_section(
    caller: &Caller,
    d: &Dossier,
    candidates: &[CandidateLink],
    lang: Lang,
) -> String {
    let mut h = format!(
        r#"<section aria-labelledby="h-candidates" id="candidates"><h2 id="h-candidates">{}</h2>"#,
        lang.pick("Candidate links", "Возможные совпадения")
    );
    if candidates.is_empty() {
        h.push_str(&format!(
            "<p>{}</p>",
            lang.pick(
                "No other person's name fits this one's.",
                "Ни одно другое имя не подходит."
            )
        ));
    }
    let may_judge =
        kartoteka_model::allows(caller.user.role, caller.scopes.as_deref(), Action::Judge);
    for (i, c) in candidates.iter().enumerate() {
        h.push_str(&format!(
            r#"<article class="candidate"><h3>{} <span class="meta">{} · {} {} · {}: {}</span></h3><ul class="reasons">{}</ul>"#,
            person_link(&c.person_id, &c.name, lang),
            esc(&c.person_id),
            c.mentions,
            lang.pick("mentions", "упоминаний"),
            lang.pick("names alone say", "по именам"),
            esc(c.verdict.as_str()),
            c.reasons
                .iter()
                .map(|r| format!("<li>{}</li>", esc(r)))
                .collect::<String>()
        ));
        if !c.judgements.is_empty() {
            h.push_str(&format!(
                r#"<p class="meta">{}: {}</p>"#,
                lang.pick("Already judged", "Уже решено"),
                c.judgements
                    .iter()
                    .filter_map(|id| d.judgements.iter().find(|j| j.id == *id))
                    .map(|j| format!(
                        "{} ({}, {}: {})",
                        esc(j.verdict.as_str()),
                        esc(&j.by),
                        esc(&j.at),
                        esc(&j.why)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        if may_judge {
            h.push_str(&format!(
                r#"<form method="post" action="/persons/{me}/judgements?hl={code}" class="judge">
<input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="other" value="{other}">
<fieldset><legend>{question}</legend>
<label class="check"><input type="radio" name="verdict" value="same" required> {same}</label>
<label class="check"><input type="radio" name="verdict" value="different"> {different}</label>
<label class="check"><input type="radio" name="verdict" value="unsure"> {unsure}</label>
</fieldset>
<label for="why-{i}">{why}</label>
<textarea id="why-{i}" name="why" rows="2" required></textarea>
<button type="submit">{record}</button>
</form>"#,
                me = esc(&d.person.id),
                code = lang.code(),
                csrf = esc(caller.csrf.as_deref().unwrap_or("")),
                other = esc(&c.person_id),
                question = lang.pick("Is this the same person?", "Это одно лицо?"),
                same = lang.pick("Same person", "Одно лицо"),
                different = lang.pick("Different persons", "Разные лица"),
                unsure = lang.pick("Unsure", "Не ясно"),
                why = lang.pick("Why (the evidence you weighed)", "Почему (какие данные)"),
                record = lang.pick("Record the judgement", "Записать решение"),
            ));
        }
        h.push_str("</article>");
    }
    h.push_str("</section>");
    h
}

#[derive(Deserialize)]
pub(crate) struct JudgementForm {
    other: String,
    verdict: String,
    why: String,
}

/// POST /persons/{id}/judgements: a judgement from the dossier's form; back to the
/// dossier (under the id the person has after resolving again).
pub(crate) async fn judge_from_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    PersonId(id): PersonId,
    QueryOf(q): QueryOf<PersonQuery>,
    Form(form): Form<JudgementForm>,
) -> Response {
    let lang = Lang::of(q.hl.as_deref(), &headers);
    let verdict = match form.verdict.parse::<Verdict>() {
        Ok(v) => v,
        Err(e) => return error_page(lang, Some(&caller), &ApiError::bad_request(e.to_string())),
    };
    let body = JudgementBody {
        a: id.clone(),
        b: form.other,
        verdict,
        why: form.why,
    };
    match write_judgement(&app, &caller, body).await {
        Ok(_) => {
            Redirect::to(&format!("/persons/{id}?hl={}#candidates", lang.code())).into_response()
        }
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}
