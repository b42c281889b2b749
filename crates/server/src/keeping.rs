//! The archivist's pages: what the archive holds, the stage ledger's failures with their
//! retry, documents waiting for OCR, the latest transfers, and the background jobs
//! (fixity, retry, reconciliation, resolution) with their progress. `/keeping` and
//! `/jobs/{id}` for people, `/api/status` and `/api/jobs` for machines.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use kartoteka_archive::Caller;
use kartoteka_model::Action;
use kartoteka_text::escape_html as esc;
use serde::Deserialize;

use crate::api::{JsonBody, QueryOf};
use crate::error::ApiError;
use crate::jobs::{Job, JobKind, JobState};
use crate::pages::{error_page, frame, table_head, Lang, PageLang};
use crate::App;

/// GET /api/status: counts, the ledger's failures and documents waiting for OCR, as
/// `kartoteka status --json` prints them.
pub(crate) async fn status(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let status = app.read(|a| Ok(a.status()?)).await?;
    Ok(Json(status).into_response())
}

/// Whether the caller may see jobs of this kind: those of the work it may do (an
/// archivist the keeping, a release officer the rounds of packages).
fn may_see(caller: &Caller, kind: JobKind) -> bool {
    kartoteka_model::allows(caller.user.role, caller.scopes.as_deref(), kind.seen_with())
}

/// GET /api/jobs: every job the caller may see, the latest first.
pub(crate) async fn jobs(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let jobs: Vec<Job> = app
        .with_jobs(|q| q.list())
        .await?
        .into_iter()
        .filter(|j| may_see(&caller, j.kind))
        .collect();
    Ok(Json(serde_json::json!({ "jobs": jobs })))
}

/// A job's number from the path ("J3"), every other shape a `bad_request`.
pub(crate) struct JobId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for JobId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        crate::api::path_id(parts, state, 'J', "job number")
            .await
            .map(JobId)
    }
}

/// The job of this number, or `not_found`, the same for a job of work the caller may
/// not see as for none.
async fn job_of(app: &App, caller: &Caller, id: &str) -> Result<Job, ApiError> {
    let asked = id.to_string();
    app.with_jobs(move |q| q.get(&asked))
        .await?
        .filter(|j| may_see(caller, j.kind))
        .ok_or_else(|| ApiError::not_found(format!("job {id}")))
}

/// GET /api/jobs/{id}: one job, with its progress.
pub(crate) async fn job(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JobId(id): JobId,
) -> Result<Json<Job>, ApiError> {
    job_of(&app, &caller, &id).await.map(Json)
}

#[derive(Deserialize)]
pub(crate) struct NewJob {
    kind: String,
}

fn kind_of(name: &str) -> Result<JobKind, ApiError> {
    JobKind::parse(name).ok_or_else(|| {
        ApiError::bad_request(format!(
            "kind: one of {}, not {}",
            JobKind::ALL.map(|k| k.as_str()).join(", "),
            kartoteka_model::excerpt(name)
        ))
    })
}

/// POST /api/jobs: starts a job; answers 202 with it, running.
pub(crate) async fn start(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<NewJob>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&body.kind)?;
    let job = app.start_job(kind, &caller.user.name).await?;
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

fn job_title(kind: JobKind, lang: Lang) -> &'static str {
    match kind {
        JobKind::Verify => lang.pick("Fixity check of every original", "Проверка целостности"),
        JobKind::Retry => lang.pick("Retry of the ledger's failures", "Повтор неудачных шагов"),
        JobKind::Gaps => lang.pick("Reconciliation against the inventories", "Сверка с описями"),
        JobKind::Resolve => lang.pick(
            "Extraction and resolution of persons",
            "Поиск и сведение лиц",
        ),
        JobKind::Reports => lang.pick("Build of the reports", "Сборка справок"),
        JobKind::Ingest => lang.pick("Ingest of an upload", "Приём загрузки"),
        JobKind::Send => lang.pick(
            "A round of packages to partners",
            "Рассылка пакетов партнёрам",
        ),
    }
}

fn state_word(state: JobState, lang: Lang) -> &'static str {
    match state {
        JobState::Queued => lang.pick("waiting for a worker", "ждёт исполнителя"),
        JobState::Running => lang.pick("running", "выполняется"),
        JobState::Done => lang.pick("done", "готово"),
        JobState::Failed => lang.pick("failed", "ошибка"),
        JobState::Interrupted => lang.pick("interrupted", "прервано"),
    }
}

/// A button that starts a job of `kind`.
fn start_button(kind: JobKind, label: &str, caller: &Caller, lang: Lang) -> String {
    format!(
        r#"<form method="post" action="/keeping/jobs?hl={}" class="inline-form"><input type="hidden" name="csrf" value="{}"><input type="hidden" name="kind" value="{}"><button type="submit">{}</button></form>"#,
        lang.code(),
        esc(caller.csrf.as_deref().unwrap_or("")),
        kind.as_str(),
        esc(label)
    )
}

/// GET /keeping: the archivist's page.
pub(crate) async fn page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
) -> Response {
    let found = app
        .read(|a| Ok((a.status()?, a.recent_transfers(10)?)))
        .await;
    let (status, transfers) = match found {
        Ok(f) => f,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let may_keep =
        kartoteka_model::allows(caller.user.role, caller.scopes.as_deref(), Action::Keep);
    let s = &status.summary;
    let mut main = format!(
        r#"<h1>{title}</h1>
<section aria-labelledby="h-counts"><h2 id="h-counts">{holdings}</h2>
<dl class="counts">
<dt>{documents}</dt><dd>{}</dd>
<dt>{pages}</dt><dd>{} ({} {indexed})</dd>
<dt>{units}</dt><dd>{}</dd>
<dt>{ocr}</dt><dd>{}</dd>
<dt>{failed}</dt><dd>{}</dd>
<dt>{unindexed}</dt><dd>{}</dd>
</dl></section>"#,
        s.documents,
        s.pages,
        status.indexed_pages,
        s.units,
        s.needs_ocr,
        s.failed,
        s.not_indexed,
        title = lang.pick("Keeping", "Хранение"),
        holdings = lang.pick("What the archive holds", "Что хранится"),
        documents = lang.pick("Documents", "Документы"),
        pages = lang.pick("Pages of text", "Страниц текста"),
        indexed = lang.pick("in the search index", "в поисковом индексе"),
        units = lang.pick("Units described", "Описано единиц"),
        ocr = lang.pick("Waiting for OCR", "Ждут распознавания"),
        failed = lang.pick("Failed", "С ошибками"),
        unindexed = lang.pick("Not yet indexed", "Ещё не в индексе"),
    );

    main.push_str(&format!(
        r#"<section aria-labelledby="h-ledger"><h2 id="h-ledger">{}</h2>"#,
        lang.pick("The ledger's failures", "Неудачные шаги")
    ));
    if status.failures.is_empty() && status.needs_ocr_documents.is_empty() {
        main.push_str(&format!(
            "<p>{}</p>",
            lang.pick(
                "None: every stage of every document succeeded.",
                "Нет: все шаги всех документов прошли."
            )
        ));
    } else {
        main.push_str(&table_head(&[
            lang.t("document"),
            lang.pick("Stage", "Шаг"),
            lang.pick("Why", "Причина"),
            lang.pick("When", "Когда"),
        ]));
        for f in &status.failures {
            let doc = match f.doc {
                Some(d) => format!(
                    r#"<a href="/documents/{}?hl={}">{}</a> "#,
                    d.0,
                    lang.code(),
                    d.0
                ),
                None => String::new(),
            };
            main.push_str(&format!(
                "<tr><td>{doc}<code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&f.path),
                esc(&f.stage),
                esc(&f.reason),
                esc(&f.at)
            ));
        }
        for d in &status.needs_ocr_documents {
            main.push_str(&format!(
                r#"<tr><td><a href="/documents/{}?hl={}">{}</a> <code>{}</code></td><td>ocr</td><td>{}</td><td></td></tr>"#,
                d.doc.0,
                lang.code(),
                d.doc.0,
                esc(&d.path),
                lang.pick("waiting for OCR", "ждёт распознавания"),
            ));
        }
        main.push_str("</tbody></table>");
        if may_keep {
            main.push_str(&start_button(
                JobKind::Retry,
                lang.pick("Retry the failures", "Повторить неудачные"),
                &caller,
                lang,
            ));
        }
    }
    main.push_str("</section>");

    if may_keep {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-upload"><h2 id="h-upload">{title}</h2>
<form id="upload" class="upload" data-csrf="{csrf}" hidden>
<label for="upload-file">{label}</label>
<input id="upload-file" name="file" type="file" accept=".zip,application/zip" required>
<button type="submit">{send}</button>
<progress id="upload-progress" max="1" value="0" hidden></progress>
<p id="upload-error" role="alert" class="alert" hidden></p>
</form>
<noscript><p>{noscript}</p></noscript>
</section>"#,
            title = lang.pick("Upload holdings", "Загрузить поступление"),
            csrf = esc(caller.csrf.as_deref().unwrap_or("")),
            label = lang.pick(
                "One zip: a folder of originals (with opis.csv at its top to place them), or a BagIt bag",
                "Один zip: папка с оригиналами (с opis.csv наверху для размещения) или пакет BagIt"
            ),
            send = lang.pick("Upload and ingest", "Загрузить и принять"),
            noscript = lang.pick(
                "Uploading from the browser needs JavaScript; without it, use `kartoteka ingest` or `kartoteka transfer import`.",
                "Загрузка из браузера требует JavaScript; без него — `kartoteka ingest` или `kartoteka transfer import`."
            ),
        ));
        main.push_str(&format!(
            r#"<section aria-labelledby="h-work"><h2 id="h-work">{}</h2><div class="actions">{}{}{}{}</div></section>"#,
            lang.pick("Start work", "Запустить"),
            start_button(JobKind::Verify, job_title(JobKind::Verify, lang), &caller, lang),
            start_button(JobKind::Gaps, job_title(JobKind::Gaps, lang), &caller, lang),
            start_button(JobKind::Resolve, job_title(JobKind::Resolve, lang), &caller, lang),
            start_button(JobKind::Reports, job_title(JobKind::Reports, lang), &caller, lang),
        ));
    }

    let jobs: Vec<Job> = app
        .with_jobs(|q| q.list())
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|j| j.kind.seen_with() == Action::ReadKeeping)
        .collect();
    main.push_str(&format!(
        r#"<section aria-labelledby="h-jobs"><h2 id="h-jobs">{}</h2>"#,
        lang.pick("Jobs", "Задания")
    ));
    if jobs.is_empty() {
        main.push_str(&format!("<p>{}</p>", lang.pick("None yet.", "Пока нет.")));
    } else {
        main.push_str(r#"<ol class="jobs">"#);
        for j in jobs.iter().take(20) {
            main.push_str(&format!(
                r#"<li><a href="/jobs/{id}?hl={code}">{id}</a> {title} — <strong>{state}</strong> {summary} <span class="meta">{by}, {at}</span></li>"#,
                id = esc(&j.id),
                code = lang.code(),
                title = job_title(j.kind, lang),
                state = state_word(j.state, lang),
                summary = esc(j.summary.as_deref().or(j.error.as_deref()).unwrap_or("")),
                by = esc(&j.by),
                at = esc(&j.started),
            ));
        }
        main.push_str("</ol>");
    }
    main.push_str("</section>");

    // Fixity: what the latest check found.
    if let Some(v) = jobs
        .iter()
        .find(|j| j.kind == JobKind::Verify && j.state == JobState::Done)
    {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-fixity"><h2 id="h-fixity">{}</h2><p>{} <a href="/jobs/{}?hl={}">{}</a></p>"#,
            lang.pick("Fixity", "Целостность"),
            esc(v.summary.as_deref().unwrap_or("")),
            esc(&v.id),
            lang.code(),
            esc(v.finished.as_deref().unwrap_or(&v.started)),
        ));
        for (list, word) in [
            ("corrupted", lang.pick("changed", "изменён")),
            ("missing", lang.pick("missing", "отсутствует")),
        ] {
            let problems = v
                .result
                .as_ref()
                .and_then(|r| r[list].as_array().cloned())
                .unwrap_or_default();
            if !problems.is_empty() {
                main.push_str(r#"<ul class="findings">"#);
                for p in &problems {
                    main.push_str(&format!(
                        r#"<li><span class="finding high">{word}</span> <code>{}</code></li>"#,
                        esc(&p.to_string())
                    ));
                }
                main.push_str("</ul>");
            }
        }
        main.push_str("</section>");
    }

    main.push_str(&format!(
        r#"<section aria-labelledby="h-transfers"><h2 id="h-transfers">{}</h2>"#,
        lang.pick("Latest transfers", "Последние передачи")
    ));
    if transfers.is_empty() {
        main.push_str(&format!("<p>{}</p>", lang.pick("None yet.", "Пока нет.")));
    } else {
        main.push_str(&table_head(&[
            lang.pick("When", "Когда"),
            lang.pick("Direction", "Направление"),
            lang.pick("Bag", "Пакет"),
            lang.pick("Units", "Единицы"),
        ]));
        for t in &transfers {
            main.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td><code>{}</code> ({} {}, {} B)</td><td>{}</td></tr>",
                esc(&t.at),
                esc(t.direction.as_str()),
                esc(&t.bag_id),
                t.files,
                lang.pick("files", "файлов"),
                t.bytes,
                esc(&t.units.join("; ")),
            ));
        }
        main.push_str("</tbody></table>");
    }
    main.push_str("</section>");
    main.push_str(r#"<script src="/assets/room.js" defer></script>"#);
    Html(frame(
        lang,
        lang.pick("Keeping", "Хранение"),
        Some(&caller),
        &main,
    ))
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct JobForm {
    kind: String,
}

/// POST /keeping/jobs: starts a job from the page, then shows it.
pub(crate) async fn start_from_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    Form(form): Form<JobForm>,
) -> Response {
    let started = match kind_of(&form.kind) {
        Ok(kind) => app.start_job(kind, &caller.user.name).await,
        Err(e) => Err(e),
    };
    match started {
        Ok(job) => Redirect::to(&format!("/jobs/{}?hl={}", job.id, lang.code())).into_response(),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// GET /jobs/{id}: a job's page. While it runs, the page follows it (a script asks
/// `/api/jobs/{id}` each second; without scripts the page reloads itself).
pub(crate) async fn job_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    JobId(id): JobId,
) -> Response {
    let job = match job_of(&app, &caller, &id).await {
        Ok(j) => j,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let running = !job.state.is_final();
    let progress = if job.total > 0 {
        format!(
            r#"<progress id="job-progress" max="{}" value="{}">{} / {}</progress> <span id="job-count">{} / {}</span>"#,
            job.total, job.done, job.done, job.total, job.done, job.total
        )
    } else if running {
        r#"<progress id="job-progress">…</progress> <span id="job-count"></span>"#.to_string()
    } else {
        String::new()
    };
    let result = job
        .result
        .as_ref()
        .and_then(|r| serde_json::to_string_pretty(r).ok())
        .map(|r| {
            format!(
                r#"<details><summary>{}</summary><pre>{}</pre></details>"#,
                lang.pick("The whole result", "Полный результат"),
                esc(&r)
            )
        })
        .unwrap_or_default();
    let main = format!(
        r#"<h1>{title} <span class="meta">{id}</span></h1>
<div id="job" data-job="{id}" data-running="{running}" data-state="{state_name}">
<p><strong id="job-state" role="status" aria-live="polite">{state}</strong> {progress}</p>
<p id="job-summary">{summary}</p>
{upload}
</div>
{result}
<p class="meta">{started_by} {by}, {started}{finished}</p>
{refresh}
<p><a href="{desk}?hl={code}">{back}</a></p>
<script src="/assets/room.js" defer></script>"#,
        title = job_title(job.kind, lang),
        id = esc(&job.id),
        state = state_word(job.state, lang),
        state_name = job.state.as_str(),
        summary = esc(job
            .summary
            .as_deref()
            .or(job.error.as_deref())
            .unwrap_or("")),
        upload = job
            .upload
            .as_deref()
            .map(|u| format!(
                r#"<p class="meta">{}: <code>{}</code></p>"#,
                lang.pick("Uploaded", "Загружено"),
                esc(u)
            ))
            .unwrap_or_default(),
        started_by = lang.pick("Started by", "Запустил"),
        by = esc(&job.by),
        started = esc(&job.started),
        finished = job
            .finished
            .as_deref()
            .map(|f| format!(" — {}", esc(f)))
            .unwrap_or_default(),
        refresh = if running {
            r#"<noscript><meta http-equiv="refresh" content="2"></noscript>"#
        } else {
            ""
        },
        code = lang.code(),
        desk = if job.kind == JobKind::Send {
            "/release"
        } else {
            "/keeping"
        },
        back = if job.kind == JobKind::Send {
            lang.pick("Back to releases", "Назад к выдаче")
        } else {
            lang.pick("Back to keeping", "Назад к хранению")
        },
    );
    Html(frame(lang, job_title(job.kind, lang), Some(&caller), &main)).into_response()
}

#[derive(Deserialize, Default)]
pub(crate) struct UploadQuery {
    /// The uploaded file's name, for the job's record.
    name: Option<String>,
}

/// POST /api/uploads: a zip of holdings (a folder of originals, or a BagIt bag) as the
/// body, streamed to disk; answers 202 with the ingest job that unpacks and ingests it.
/// The CSRF token of a browser session comes in its header (the body is the zip).
pub(crate) async fn upload(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    QueryOf(q): QueryOf<UploadQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(kind.starts_with("application/zip") || kind.starts_with("application/octet-stream")) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "bad_request",
            "send the holdings as one zip file (application/zip)",
        ));
    }
    let limit = app.config.upload_limit;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("an upload is at most {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let name: String = q
        .name
        .unwrap_or_else(|| "upload.zip".to_string())
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();

    // Received whole under a name of its own, checked to be a zip, and only then a job.
    let part = app.uploads.join(format!(
        ".upload-{}.part",
        kartoteka_archive::secret_hash(&format!("{:?}{name}", std::time::SystemTime::now()))
            .get(..16)
            .unwrap_or("0")
    ));
    let received = receive(body, &part, limit).await;
    let size = match received {
        Ok(size) => size,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(e.unwrap_or_else(too_large));
        }
    };
    let checked = {
        let part = part.clone();
        tokio::task::spawn_blocking(move || {
            std::fs::File::open(&part)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    zip::ZipArchive::new(f)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
        })
        .await
        .map_err(ApiError::internal)?
    };
    if let Err(why) = checked {
        let _ = std::fs::remove_file(&part);
        return Err(ApiError::bad_request(format!(
            "{} ({size} bytes) is not a zip file: {why}",
            kartoteka_model::excerpt(&name)
        )));
    }
    // In place under a name of its own before the job is queued: the worker may take
    // the job at once.
    let file = format!(
        "{}.zip",
        part.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("upload")
            .trim_start_matches('.')
    );
    if let Err(e) = std::fs::rename(&part, app.uploads.join(&file)) {
        let _ = std::fs::remove_file(&part);
        return Err(ApiError::internal(e));
    }
    let queued = {
        let (by, file) = (caller.user.name.clone(), file.clone());
        app.with_jobs(move |q| q.begin_ingest(&by, &name, &file))
            .await
    };
    let job = match queued {
        Ok(job) => job,
        Err(e) => {
            let _ = std::fs::remove_file(app.uploads.join(&file));
            return Err(e);
        }
    };
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

/// Streams a request's body into the file `to`, at most `limit` bytes. `Err(None)` when
/// the body is larger.
async fn receive(body: Body, to: &std::path::Path, limit: u64) -> Result<u64, Option<ApiError>> {
    use futures_util::StreamExt;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<axum::body::Bytes>(8);
    let path = to.to_path_buf();
    let writer = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::File::create(&path)?;
        while let Some(chunk) = rx.blocking_recv() {
            file.write_all(&chunk)?;
        }
        file.sync_all()
    });
    let mut stream = body.into_data_stream();
    let mut size: u64 = 0;
    let mut failure = None;
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                failure = Some(Some(ApiError::bad_request(format!(
                    "the upload broke off after {size} bytes: {e}"
                ))));
                break;
            }
        };
        size += chunk.len() as u64;
        if size > limit {
            failure = Some(None);
            break;
        }
        if tx.send(chunk).await.is_err() {
            break;
        }
    }
    drop(tx);
    let written = writer.await.map_err(|e| Some(ApiError::internal(e)))?;
    if let Some(f) = failure {
        return Err(f);
    }
    written.map_err(|e| Some(ApiError::internal(e)))?;
    Ok(size)
}
