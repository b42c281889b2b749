//! The analyst's and the reviewer's desks. The analyst reads the claims on a person with
//! their grades and citations and the conflicts side by side, adds a claim by selecting a
//! passage in the reader, and builds the person's report. The reviewer works through the
//! queue of reports: each shown with its portion marks and every citation opening its
//! sheet, a paragraph's marking raised freely or lowered with a reason, reviewed and
//! approved, every version kept with what changed since the one before.
//! `/reports` and `/claims` for people, `/api/reports` and `/api/claims` for machines.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use kartoteka_archive::Caller;
use kartoteka_model::{Action, Citation, DocId, Report, ReportStatus};
use kartoteka_text::escape_html as esc;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{JsonBody, QueryOf};
use crate::error::ApiError;
use crate::pages::{error_page, frame, table_head, Lang, PageLang};
use crate::App;

/// Whether `raw` has the shape of a report id ("R-P3", "R-ф-9002-...": letters, digits,
/// `-` and `_`).
fn report_id_shape(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= 200
        && raw.starts_with("R-")
        && raw
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// A report's id from the path, and a paragraph's number when the path has one; any other
/// shape is a `bad_request`, decided by the shape alone.
pub(crate) struct ReportPath {
    /// The report.
    pub id: String,
    /// The paragraph, from 1.
    pub paragraph: Option<usize>,
}

impl<S: Send + Sync> FromRequestParts<S> for ReportPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let id = get("id").cloned().unwrap_or_default();
        if !report_id_shape(&id) {
            return Err(ApiError::bad_request(format!(
                "{} is not a report id (R- and the subject)",
                kartoteka_model::excerpt(&id)
            )));
        }
        let paragraph = match get("n") {
            None => None,
            Some(n) => Some(n.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "{} is not a paragraph number (1 or more)",
                    kartoteka_model::excerpt(n)
                ))
            })?),
        };
        Ok(ReportPath { id, paragraph })
    }
}

/// The queue's filter.
#[derive(Deserialize, Default)]
pub(crate) struct ReportsQuery {
    /// Only reports whose latest version has this status.
    status: Option<String>,
}

fn status_of(word: &str) -> Result<ReportStatus, ApiError> {
    match word {
        "draft" => Ok(ReportStatus::Draft),
        "reviewed" => Ok(ReportStatus::Reviewed),
        "approved" => Ok(ReportStatus::Approved),
        other => Err(ApiError::bad_request(format!(
            "status: draft, reviewed or approved, not {}",
            kartoteka_model::excerpt(other)
        ))),
    }
}

/// A report as a line of the queue.
fn report_line(r: &Report) -> Value {
    json!({
        "id": r.id,
        "version": r.version,
        "status": r.status,
        "title": r.title,
        "subject": r.subject,
        "marking": r.marking().to_string(),
        "countries": r.countries,
        "by": r.by,
        "at": r.at,
    })
}

/// Every report at its latest version, those of one status when asked.
async fn queue(app: &App, status: Option<&str>) -> Result<Vec<Report>, ApiError> {
    let status = status.map(status_of).transpose()?;
    let all = app.read(|a| Ok(a.reports().all()?)).await?;
    Ok(all
        .into_iter()
        .filter(|r| status.is_none_or(|s| r.status == s))
        .collect())
}

/// GET /api/reports: every report at its latest version (`?status=draft` for the queue
/// of reports to review), as lines.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    QueryOf(q): QueryOf<ReportsQuery>,
) -> Result<Json<Value>, ApiError> {
    let reports = queue(&app, q.status.as_deref()).await?;
    Ok(Json(json!({
        "reports": reports.iter().map(report_line).collect::<Vec<_>>()
    })))
}

/// Which version.
#[derive(Deserialize, Default)]
pub(crate) struct VersionQuery {
    version: Option<u32>,
}

/// A report at a version (the latest when none), with its versions' history.
async fn report_at(
    app: &App,
    id: &str,
    version: Option<u32>,
) -> Result<(Report, Vec<Report>), ApiError> {
    let id = id.to_string();
    app.read(move |a| {
        let reports = a.reports();
        let report = reports.report(&id, version)?;
        let versions = a
            .store()
            .report_versions(&report.id)
            .map_err(kartoteka_archive::ArchiveError::from)?;
        Ok((report, versions))
    })
    .await
}

/// GET /api/reports/{id}: the report (at `?version=`, else its latest), as `kartoteka
/// report show --format json` prints it.
pub(crate) async fn one(
    State(app): State<Arc<App>>,
    path: ReportPath,
    QueryOf(q): QueryOf<VersionQuery>,
) -> Result<Json<Value>, ApiError> {
    let (report, _) = report_at(&app, &path.id, q.version).await?;
    Ok(Json(kartoteka_report::json(&report)))
}

/// The versions compared.
#[derive(Deserialize, Default)]
pub(crate) struct DiffQuery {
    from: Option<u32>,
    to: Option<u32>,
}

/// GET /api/reports/{id}/diff: what changed between two versions (`?from=&to=`; the last
/// two when not given), paragraph by paragraph, with markings.
pub(crate) async fn diff(
    State(app): State<Arc<App>>,
    path: ReportPath,
    QueryOf(q): QueryOf<DiffQuery>,
) -> Result<Json<Value>, ApiError> {
    let versions = match (q.from, q.to) {
        (Some(a), Some(b)) => Some((a, b)),
        (None, None) => None,
        _ => return Err(ApiError::bad_request("give both from and to, or neither")),
    };
    let id = path.id.clone();
    let changes = app
        .read(move |a| Ok(a.reports().report_diff(&id, versions)?))
        .await?;
    Ok(Json(json!({ "report": path.id, "changes": changes })))
}

/// A paragraph's edit: its new marking, its new text, or both, and why.
#[derive(Deserialize)]
pub(crate) struct ParagraphEdit {
    #[serde(default)]
    marking: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    why: String,
}

/// Makes the edit a new draft version (of an approved report too: approving it again is
/// the reviewer's next step).
async fn edit(
    app: &Arc<App>,
    caller: &Caller,
    path: &ReportPath,
    e: ParagraphEdit,
) -> Result<Report, ApiError> {
    let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let (marking, text) = (blank(e.marking), blank(e.text));
    let (id, n) = (path.id.clone(), path.paragraph.unwrap_or(0));
    app.write(caller.user.name.clone(), move |a| {
        Ok(a.reports()
            .edit_report(&id, n, text.as_deref(), marking.as_deref(), true, &e.why)?)
    })
    .await
}

/// POST /api/reports/{id}/paragraphs/{n}: edits a paragraph's marking (raised freely,
/// lowered below its sources' only with a reason) or text, as a new draft version.
pub(crate) async fn edit_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    path: ReportPath,
    JsonBody(e): JsonBody<ParagraphEdit>,
) -> Result<Response, ApiError> {
    let report = edit(&app, &caller, &path, e).await?;
    Ok((StatusCode::CREATED, Json(kartoteka_report::json(&report))).into_response())
}

/// A report moved on: to reviewed or approved, and why.
#[derive(Deserialize)]
pub(crate) struct StatusChange {
    to: String,
    #[serde(default)]
    why: String,
}

async fn advance(
    app: &Arc<App>,
    caller: &Caller,
    path: &ReportPath,
    change: StatusChange,
) -> Result<Report, ApiError> {
    let to = match status_of(&change.to)? {
        ReportStatus::Draft => {
            return Err(ApiError::bad_request(
                "to: reviewed or approved (an edit makes a draft)",
            ))
        }
        s => s,
    };
    let id = path.id.clone();
    app.write(caller.user.name.clone(), move |a| {
        Ok(a.reports().advance_report(&id, to, &change.why)?)
    })
    .await
}

/// POST /api/reports/{id}/status: a draft reviewed, a reviewed report approved, as a new
/// version in the reviewer's name.
pub(crate) async fn advance_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    path: ReportPath,
    JsonBody(change): JsonBody<StatusChange>,
) -> Result<Response, ApiError> {
    let report = advance(&app, &caller, &path, change).await?;
    Ok((StatusCode::CREATED, Json(kartoteka_report::json(&report))).into_response())
}

/// The claims asked for.
#[derive(Deserialize, Default)]
pub(crate) struct ClaimsQuery {
    /// A person's id or a name that picks out one.
    #[serde(default)]
    subject: String,
}

/// GET /api/claims?subject=: the claims on a person, derived and written, with their
/// grades and citations, and the conflicts among them.
pub(crate) async fn claims(
    State(app): State<Arc<App>>,
    QueryOf(q): QueryOf<ClaimsQuery>,
) -> Result<Json<Value>, ApiError> {
    if q.subject.trim().is_empty() {
        return Err(ApiError::bad_request("subject: a person's id or name"));
    }
    let subject = q.subject.clone();
    let set = app
        .read(move |a| Ok(a.reports().claims(Some(&subject))?))
        .await?;
    Ok(Json(
        serde_json::to_value(&set).map_err(ApiError::internal)?,
    ))
}

/// An analyst's claim: on whom, what, graded how and why, citing spans
/// ("DOC[/PAGE]:START-END").
#[derive(Deserialize)]
pub(crate) struct NewClaim {
    subject: String,
    text: String,
    grade: String,
    #[serde(default)]
    why: String,
    cites: Vec<String>,
}

/// POST /api/claims: keeps an analyst's claim; 201 with it.
pub(crate) async fn add_claim_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(c): JsonBody<NewClaim>,
) -> Result<Response, ApiError> {
    if c.cites.len() > 100 {
        return Err(ApiError::bad_request("cites: at most 100 spans"));
    }
    let claim = app
        .write(caller.user.name.clone(), move |a| {
            Ok(a.reports()
                .add_claim(&c.subject, &c.text, &c.cites, &c.grade, &c.why)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(claim)).into_response())
}

/// A report to build.
#[derive(Deserialize)]
pub(crate) struct BuildRequest {
    subject: String,
}

async fn build(app: &Arc<App>, caller: &Caller, subject: String) -> Result<Value, ApiError> {
    if subject.trim().is_empty() {
        return Err(ApiError::bad_request("subject: a person's id or name"));
    }
    app.write(caller.user.name.clone(), move |a| {
        let built = a.reports().build_reports(Some(subject.trim()))?;
        serde_json::to_value(&built).map_err(ApiError::internal)
    })
    .await
}

/// POST /api/reports/build: builds (or rebuilds) the report on one person from the
/// claims, as `kartoteka report build PERSON` does.
pub(crate) async fn build_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(b): JsonBody<BuildRequest>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(build(&app, &caller, b.subject).await?))
}

fn status_word(s: ReportStatus, lang: Lang) -> &'static str {
    match s {
        ReportStatus::Draft => lang.pick("draft", "черновик"),
        ReportStatus::Reviewed => lang.pick("reviewed", "проверена"),
        ReportStatus::Approved => lang.pick("approved", "утверждена"),
    }
}

/// GET /reports: the queue: drafts to review, reviewed reports to approve, and the
/// approved ones.
pub(crate) async fn queue_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
) -> Response {
    let reports = match queue(&app, None).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let title = lang.pick("Reports", "Справки");
    let mut main = format!("<h1>{}</h1>\n", esc(title));
    for (status, heading) in [
        (
            ReportStatus::Draft,
            lang.pick("Drafts to review", "Черновики на проверку"),
        ),
        (
            ReportStatus::Reviewed,
            lang.pick("Reviewed, to approve", "Проверены, ждут утверждения"),
        ),
        (ReportStatus::Approved, lang.pick("Approved", "Утверждены")),
    ] {
        let these: Vec<&Report> = reports.iter().filter(|r| r.status == status).collect();
        main.push_str(&format!(
            r#"<section aria-labelledby="h-{s}" class="queue {s}"><h2 id="h-{s}">{heading} ({n})</h2>"#,
            s = status_word(status, Lang::En),
            n = these.len(),
        ));
        if !these.is_empty() {
            main.push_str(&table_head(&[
                lang.pick("Report", "Справка"),
                lang.pick("Title", "Заголовок"),
                lang.pick("Version", "Версия"),
                lang.pick("Marking", "Гриф"),
                lang.pick("Last change", "Последнее изменение"),
            ]));
            for r in these {
                main.push_str(&format!(
                    r#"<tr><td><a href="/reports/{id}?hl={hl}">{id}</a></td><td>{title}</td><td>{v}</td><td>{marking}</td><td>{by} · {why}</td></tr>
"#,
                    id = esc(&r.id),
                    hl = lang.code(),
                    title = esc(&r.title),
                    v = r.version,
                    marking = esc(&r.marking().to_string()),
                    by = esc(&r.by),
                    why = esc(&r.why),
                ));
            }
            main.push_str("</tbody></table>");
        }
        main.push_str("</section>");
    }
    Html(frame(lang, title, Some(&caller), &main)).into_response()
}

/// A citation as a link that opens its sheet in the reader.
fn citation_link(c: &Citation, lang: Lang) -> String {
    if c.withheld {
        return esc(&kartoteka_report::citation_place(c));
    }
    format!(
        r#"<a href="/documents/{doc}?hl={hl}#page-{page}">{place}</a> <q>{quote}</q>"#,
        doc = c.doc.0,
        hl = lang.code(),
        page = c.page,
        place = esc(&kartoteka_report::citation_place(c)),
        quote = esc(&c.quote),
    )
}

/// GET /reports/{id}: a report with its portion marks and citations, the reviewer's
/// forms, its versions, and what changed since the version before.
pub(crate) async fn report_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    path: ReportPath,
    QueryOf(q): QueryOf<VersionQuery>,
) -> Response {
    let (report, versions) = match report_at(&app, &path.id, q.version).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let previous = versions
        .iter()
        .rev()
        .find(|v| v.version < report.version)
        .cloned();
    let latest = versions.last().map_or(report.version, |v| v.version);
    let may_review =
        kartoteka_model::allows(caller.user.role, caller.scopes.as_deref(), Action::Review)
            && report.version == latest;
    let csrf = esc(caller.csrf.as_deref().unwrap_or(""));
    let hl = lang.code();
    let mut main = format!(
        r#"<div class="report"><div class="banner">{banner}</div>
<h1>{title}</h1>
<p class="meta">{id} · {version_word} {version} · <strong id="report-status">{status}</strong> · {by}: {why}</p>
"#,
        banner = esc(&report.marking().to_string()),
        title = esc(&report.title),
        id = esc(&report.id),
        version_word = lang.pick("version", "версия"),
        version = report.version,
        status = status_word(report.status, lang),
        by = esc(&report.by),
        why = esc(&report.why),
    );
    let mut section = "";
    for (i, p) in report.paragraphs.iter().enumerate() {
        let n = i + 1;
        if p.section != section {
            section = &p.section;
            main.push_str(&format!(
                "<h2>{}</h2>",
                esc(kartoteka_report::section_title(section))
            ));
        }
        let cites: String = p
            .citations
            .iter()
            .map(|c| format!("<li>{}</li>", citation_link(c, lang)))
            .collect();
        let lowered = p
            .marking_override
            .as_ref()
            .filter(|o| *o != &p.marking)
            .map(|_| {
                format!(
                    r#" <span class="meta">({} {})</span>"#,
                    lang.pick("sources:", "источники:"),
                    esc(&p.marking.to_string())
                )
            })
            .unwrap_or_default();
        let form = if may_review {
            format!(
                r#"<details class="edit"><summary>{edit}</summary>
<form method="post" action="/reports/{id}/paragraphs/{n}?hl={hl}"><input type="hidden" name="csrf" value="{csrf}">
<label for="marking-{n}">{marking_label}</label><input id="marking-{n}" name="marking" value="{current}">
<label for="why-{n}">{why_label}</label><input id="why-{n}" name="why">
<button type="submit">{save}</button></form></details>"#,
                edit = lang.pick("Change the marking", "Изменить гриф"),
                id = esc(&report.id),
                marking_label = lang.pick(
                    "Marking (raise freely; lower below the sources' only with a reason)",
                    "Гриф (повысить можно всегда; понизить ниже источников — только с причиной)"
                ),
                current = esc(&p.effective_marking().to_string()),
                why_label = lang.pick("Why", "Причина"),
                save = lang.pick("Save as a new version", "Сохранить новой версией"),
            )
        } else {
            String::new()
        };
        main.push_str(&format!(
            r#"<div class="para" id="para-{n}"><span class="mark">{mark}</span><div><p>{text}{lowered}</p><ol class="citations">{cites}</ol>{form}</div></div>
"#,
            mark = esc(&kartoteka_report::portion_mark(p.effective_marking())),
            text = esc(p.text.trim()),
        ));
    }
    main.push_str(&format!(
        r#"<div class="banner">{}</div></div>"#,
        esc(&report.marking().to_string())
    ));
    // Review and approval.
    if may_review && report.status != ReportStatus::Approved {
        let (to, label) = match report.status {
            ReportStatus::Draft => (
                "reviewed",
                lang.pick("Mark reviewed", "Отметить проверенной"),
            ),
            _ => ("approved", lang.pick("Approve", "Утвердить")),
        };
        main.push_str(&format!(
            r#"<section aria-labelledby="h-advance"><h2 id="h-advance">{heading}</h2>
<form method="post" action="/reports/{id}/status?hl={hl}" class="advance"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="to" value="{to}">
<label for="advance-why">{why_label}</label><input id="advance-why" name="why">
<button type="submit">{label}</button></form></section>"#,
            heading = lang.pick("Review", "Проверка"),
            id = esc(&report.id),
            why_label = lang.pick("Note (optional)", "Примечание (необязательно)"),
        ));
    }
    // What changed since the version before.
    if let Some(prev) = &previous {
        let changes = kartoteka_claims::differences(prev, &report);
        let items: String = if changes.is_empty() {
            format!("<li>{}</li>", lang.pick("nothing", "ничего"))
        } else {
            changes
                .iter()
                .map(|c| format!("<li>{}</li>", esc(c)))
                .collect()
        };
        main.push_str(&format!(
            r#"<section aria-labelledby="h-changes"><h2 id="h-changes">{} {} → {}</h2><ul class="changes">{items}</ul></section>"#,
            lang.pick("Changes from version", "Изменения с версии"),
            prev.version,
            report.version,
        ));
    }
    let links: String = versions
        .iter()
        .rev()
        .map(|v| {
            format!(
                r#"<li><a href="/reports/{id}?version={n}&hl={hl}">{n}</a> · {status} · {by} · {why}</li>"#,
                id = esc(&v.id),
                n = v.version,
                status = status_word(v.status, lang),
                by = esc(&v.by),
                why = esc(&v.why),
            )
        })
        .collect();
    main.push_str(&format!(
        r#"<section aria-labelledby="h-versions"><h2 id="h-versions">{}</h2><ol class="versions" reversed>{links}</ol></section>"#,
        lang.pick("Versions", "Версии"),
    ));
    Html(frame(lang, &report.title, Some(&caller), &main)).into_response()
}

/// POST /reports/{id}/paragraphs/{n}: the marking form; back to the report.
pub(crate) async fn edit_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    path: ReportPath,
    Form(e): Form<ParagraphEdit>,
) -> Response {
    match edit(&app, &caller, &path, e).await {
        Ok(r) => Redirect::to(&format!(
            "/reports/{}?hl={}#para-{}",
            r.id,
            lang.code(),
            path.paragraph.unwrap_or(1)
        ))
        .into_response(),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// POST /reports/{id}/status: the review form; back to the report.
pub(crate) async fn advance_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    path: ReportPath,
    Form(change): Form<StatusChange>,
) -> Response {
    match advance(&app, &caller, &path, change).await {
        Ok(r) => Redirect::to(&format!("/reports/{}?hl={}", r.id, lang.code())).into_response(),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// GET /claims?subject=: the claims on a person with grades and citations, conflicts side
/// by side, and (for an analyst) the button that builds the person's report.
pub(crate) async fn claims_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    QueryOf(q): QueryOf<ClaimsQuery>,
) -> Response {
    let title = lang.pick("Claims", "Утверждения");
    let hl = lang.code();
    let mut main = format!(
        r#"<h1>{title}</h1>
<form method="get" action="/claims" class="search" role="search"><input type="hidden" name="hl" value="{hl}"><label for="subject">{label}</label> <input id="subject" name="subject" value="{value}"> <button type="submit">{go}</button></form>
"#,
        label = lang.pick("A person: id or name", "Лицо: номер или имя"),
        value = esc(&q.subject),
        go = lang.pick("Show", "Показать"),
    );
    if q.subject.trim().is_empty() {
        return Html(frame(lang, title, Some(&caller), &main)).into_response();
    }
    let subject = q.subject.clone();
    let set = match app
        .read(move |a| Ok(a.reports().claims(Some(subject.trim()))?))
        .await
    {
        Ok(s) => s,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let person = set
        .claims
        .first()
        .map(|c| c.subject.clone())
        .unwrap_or_default();
    let name = set.names.get(&person).cloned().unwrap_or_default();
    main.push_str(&format!(
        r#"<h2 id="h-claims"><a href="/persons/{p}?hl={hl}">{name}</a> <span class="meta">{p}</span></h2>"#,
        p = esc(&person),
        name = esc(&name),
    ));
    let claim_html = |c: &kartoteka_model::Claim| {
        let cites: String = c
            .citations
            .iter()
            .map(|x| format!("<li>{}</li>", citation_link(x, lang)))
            .collect();
        format!(
            r#"<article class="claim" id="claim-{id}"><p><span class="tag">{topic}</span> {text} <strong class="grade" title="{why}">{grade}</strong></p><p class="meta">{grade_word}: {why} · {by}</p><ol class="citations">{cites}</ol></article>"#,
            id = esc(&c.id),
            topic = esc(&c.topic),
            text = esc(&c.text),
            grade = esc(&c.grade.to_string()),
            grade_word = lang.pick("graded so because", "оценка, так как"),
            why = esc(&c.why),
            by = esc(if c.by.is_empty() {
                "derived from the text"
            } else {
                &c.by
            }),
        )
    };
    if !set.conflicts.is_empty() {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-conflicts"><h2 id="h-conflicts">{}</h2>"#,
            lang.pick("Conflicts", "Противоречия")
        ));
        for conflict in &set.conflicts {
            let find = |id: &str| set.claims.iter().find(|c| c.id == id);
            if let (Some(a), Some(b)) = (find(&conflict.a), find(&conflict.b)) {
                main.push_str(&format!(
                    r#"<div class="conflict"><h3>{topic}</h3><div class="side-by-side">{a}{b}</div></div>"#,
                    topic = esc(&conflict.topic),
                    a = claim_html(a),
                    b = claim_html(b),
                ));
            }
        }
        main.push_str("</section>");
    }
    main.push_str(&format!(
        r#"<section aria-labelledby="h-all"><h2 id="h-all">{} ({})</h2>"#,
        lang.pick("Every claim", "Все утверждения"),
        set.claims.len()
    ));
    for c in &set.claims {
        main.push_str(&claim_html(c));
    }
    main.push_str("</section>");
    if kartoteka_model::allows(caller.user.role, caller.scopes.as_deref(), Action::Analyse)
        && !person.is_empty()
    {
        main.push_str(&format!(
            r#"<form method="post" action="/claims/build?hl={hl}"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="subject" value="{p}"><button type="submit">{label}</button></form>"#,
            csrf = esc(caller.csrf.as_deref().unwrap_or("")),
            p = esc(&person),
            label = lang.pick("Build the report on this person", "Собрать справку на это лицо"),
        ));
    }
    Html(frame(lang, title, Some(&caller), &main)).into_response()
}

/// POST /claims/build: the analyst's button; to the report built.
pub(crate) async fn build_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    Form(b): Form<BuildRequest>,
) -> Response {
    let subject = b.subject.trim().to_string();
    match build(&app, &caller, subject.clone()).await {
        Ok(_) => Redirect::to(&format!("/reports/R-{subject}?hl={}", lang.code())).into_response(),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// A claim from the reader: the passage selected on a page, and the claim on it.
#[derive(Deserialize)]
pub(crate) struct ClaimForm {
    page: u32,
    #[serde(default)]
    start: String,
    quote: String,
    subject: String,
    text: String,
    grade: String,
    #[serde(default)]
    why: String,
}

/// POST /documents/{id}/claims: a claim citing the passage selected in the reader; to
/// the claims on its subject.
pub(crate) async fn claim_from_reader(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    crate::api::DocNumber(n): crate::api::DocNumber,
    Form(f): Form<ClaimForm>,
) -> Response {
    let near = f.start.trim().parse::<usize>().ok();
    let made = app
        .write(caller.user.name.clone(), move |a| {
            Ok(a.reports().add_claim_from_quote(
                &f.subject,
                &f.text,
                DocId(n),
                f.page,
                &f.quote,
                near,
                &f.grade,
                &f.why,
            )?)
        })
        .await;
    match made {
        Ok(claim) => Redirect::to(&format!(
            "/claims?subject={}&hl={}#claim-{}",
            claim.subject,
            lang.code(),
            claim.id
        ))
        .into_response(),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}
