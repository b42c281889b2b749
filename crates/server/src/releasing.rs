//! The release officer's desk: the partner services with their clearances and keys, the
//! release plan as a partner by report matrix that says why each cell is on or off and
//! what each partner's variant loses, and a round of packages sent as a background job
//! that the page follows. `/release` for people; `/api/release/plan` and
//! `/api/release/rounds` for machines. The register of what was sent is the partner
//! portal's (`/packages`), seen whole from here.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use kartoteka_archive::Caller;
use kartoteka_model::{Action, Partner, PartnerState};
use kartoteka_release::{Cell, Plan};
use kartoteka_text::escape_html as esc;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{JsonBody, QueryOf};
use crate::error::ApiError;
use crate::pages::{error_page, frame, table_head, Lang, PageLang};
use crate::App;

/// The most reports the page's matrix shows at once; `from` pages through the rest.
const MATRIX_ROWS: usize = 100;

/// The partners and the plan over every current report.
async fn partners_and_plan(app: &App) -> Result<(Vec<Partner>, Plan), ApiError> {
    app.read(|a| {
        let release = a.release();
        Ok((release.partners()?, release.plan(&[])?))
    })
    .await
}

/// GET /api/release/plan: every partner, and the plan: for each partner and report
/// whether it goes, why, and what the partner's variant would lose (as `kartoteka
/// release plan --json` prints it).
pub(crate) async fn plan(State(app): State<Arc<App>>) -> Result<Json<Value>, ApiError> {
    let (partners, plan) = partners_and_plan(&app).await?;
    Ok(Json(json!({ "partners": partners, "plan": plan })))
}

/// A round as asked for: the partners to send to.
#[derive(Deserialize)]
pub(crate) struct NewRound {
    /// Partner ids.
    #[serde(default)]
    partners: Vec<String>,
}

/// Checks a round's partners before its job starts, so that a wrong name is refused at
/// once: each named, known, and active; each once.
async fn checked_round(app: &App, partners: Vec<String>) -> Result<Vec<String>, ApiError> {
    if partners.is_empty() {
        return Err(ApiError::bad_request(
            "partners: name the partners to send to",
        ));
    }
    if partners.len() > 1000 {
        return Err(ApiError::bad_request("partners: at most 1000 in a round"));
    }
    app.read(move |a| {
        let release = a.release();
        let mut ids: Vec<String> = Vec::new();
        for name in &partners {
            let partner = release.partner(name).map_err(|_| {
                ApiError::bad_request(format!(
                    "partners: no partner {}",
                    kartoteka_model::excerpt(name)
                ))
            })?;
            if partner.state == PartnerState::Suspended {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    format!("partner {} is suspended and receives nothing", partner.id),
                ));
            }
            if !ids.contains(&partner.id) {
                ids.push(partner.id);
            }
        }
        Ok(ids)
    })
    .await
}

/// POST /api/release/rounds: sends a round of packages to the partners named, as a
/// background job; answers 202 with the job (follow it at `/api/jobs/{id}`).
pub(crate) async fn start_round(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(round): JsonBody<NewRound>,
) -> Result<Response, ApiError> {
    let partners = checked_round(&app, round.partners).await?;
    let job = app.start_round(partners, &caller.user.name).await?;
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

/// POST /release/rounds: the form's round (`partners` once per partner ticked); to the
/// job's page, which follows it.
pub(crate) async fn start_round_from_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    body: axum::body::Bytes,
) -> Response {
    // Several `partners` fields: a plain `Form` of a struct takes only one.
    let partners: Vec<String> = form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "partners")
        .map(|(_, v)| v.into_owned())
        .collect();
    let started = match checked_round(&app, partners).await {
        Ok(partners) => app.start_round(partners, &caller.user.name).await,
        Err(e) => Err(e),
    };
    match started {
        Ok(job) => Redirect::to(&format!("/jobs/{}?hl={}", job.id, lang.code())).into_response(),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// Where the matrix starts.
#[derive(Deserialize, Default)]
pub(crate) struct PlanQuery {
    /// The first report row shown, from 0.
    #[serde(default)]
    from: usize,
}

/// One cell of the matrix: send or hold, and in the cell's details why, and what the
/// variant loses.
fn cell_html(cell: &Cell, lang: Lang) -> String {
    let word = match (cell.send, cell.version) {
        (true, Some(v)) => format!("{} v{v}", lang.pick("send", "отправить")),
        (true, None) => lang.pick("send", "отправить").to_string(),
        (false, _) => lang.pick("hold", "не отправлять").to_string(),
    };
    let mut why: String = cell
        .why
        .iter()
        .map(|r| format!("<li>{}</li>", esc(&r.to_string())))
        .collect();
    if let Some(loss) = &cell.loss {
        if loss.dropped.is_empty() {
            why.push_str(&format!(
                "<li>{}</li>",
                lang.pick(
                    "the variant keeps every paragraph",
                    "вариант сохраняет все абзацы"
                )
            ));
        } else {
            why.push_str(&format!(
                "<li>{} {} / {}:<ul>{}</ul></li>",
                lang.pick("the variant drops", "вариант теряет"),
                loss.dropped.len(),
                loss.paragraphs,
                loss.dropped
                    .iter()
                    .map(|d| format!(
                        "<li>¶{} ({}, {}): {}</li>",
                        d.paragraph,
                        esc(&d.section),
                        esc(&d.marking),
                        esc(&d.withheld.to_string())
                    ))
                    .collect::<String>()
            ));
        }
        if loss.citations_replaced > 0 {
            why.push_str(&format!(
                "<li>{}: {}</li>",
                lang.pick(
                    "citations replaced by a neutral reference",
                    "ссылки заменены нейтральными"
                ),
                loss.citations_replaced
            ));
        }
    }
    format!(
        r#"<td class="cell {class}" data-partner="{p}" data-report="{r}"><details><summary>{word}</summary><ul>{why}</ul></details></td>"#,
        class = if cell.send { "on" } else { "off" },
        p = esc(&cell.partner),
        r = esc(&cell.report),
    )
}

/// GET /release: the release officer's desk.
pub(crate) async fn page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    QueryOf(query): QueryOf<PlanQuery>,
) -> Response {
    let (partners, plan) = match partners_and_plan(&app).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let title = lang.pick("Release to partners", "Выдача партнёрам");
    let may_send = kartoteka_model::allows(
        caller.user.role,
        caller.scopes.as_deref(),
        Action::SendReleases,
    );
    let csrf = esc(caller.csrf.as_deref().unwrap_or(""));
    let mut main = format!(
        r#"<h1>{}</h1>
<p class="meta"><a href="/packages?hl={code}">{register}</a></p>
"#,
        esc(title),
        code = lang.code(),
        register = lang.pick(
            "The register of packages sent, receipts and recalls",
            "Реестр отправленных пакетов, расписки и отзывы"
        ),
    );
    // The partners.
    main.push_str(&format!(
        r#"<section aria-labelledby="h-partners"><h2 id="h-partners">{}</h2>"#,
        lang.pick("Partners", "Партнёры")
    ));
    if partners.is_empty() {
        main.push_str(&format!(
            "<p>{}</p>",
            lang.pick(
                "No partners yet: add them with kartoteka partner add.",
                "Партнёров пока нет: добавьте их командой kartoteka partner add."
            )
        ));
    } else {
        let mut columns = vec![
            lang.pick("Partner", "Партнёр"),
            lang.pick("Service", "Служба"),
            lang.pick("Cleared to", "Допуск"),
            lang.pick("State", "Состояние"),
            lang.pick("Encryption key", "Ключ шифрования"),
            lang.pick("Signing key", "Ключ подписи"),
        ];
        if may_send {
            columns.push(lang.pick("Suspend or resume", "Приостановить или возобновить"));
        }
        main.push_str(&table_head(&columns));
        for p in &partners {
            let short = |k: &str| k.chars().take(16).collect::<String>() + "…";
            let caveats: Vec<String> = p.caveats.iter().map(|c| c.to_string()).collect();
            main.push_str(&format!(
                r#"<tr id="partner-{id}"><td>{id}</td><td>{service}</td><td>{clearance}{caveats}</td><td>{state}</td><td><code title="{rec}">{rec_short}</code></td><td><code title="{ver}">{ver_short}</code></td>{change}</tr>
"#,
                change = if may_send {
                    let (to, label) = match p.state {
                        PartnerState::Active => ("suspended", lang.pick("Suspend", "Приостановить")),
                        PartnerState::Suspended => ("active", lang.pick("Resume", "Возобновить")),
                    };
                    format!(
                        r#"<td><form method="post" action="/release/partners/{id}/state?hl={hl}" class="partner-state"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="state" value="{to}"><input name="why" required aria-label="{why}" placeholder="{why}"> <button type="submit">{label}</button></form></td>"#,
                        id = esc(&p.id),
                        hl = lang.code(),
                        why = lang.pick("Why", "Причина"),
                    )
                } else {
                    String::new()
                },
                id = esc(&p.id),
                service = esc(&p.service),
                clearance = esc(&p.clearance.to_string()),
                caveats = if caveats.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", esc(&caveats.join(", ")))
                },
                state = match p.state {
                    PartnerState::Active => lang.pick("active", "действует"),
                    PartnerState::Suspended => lang.pick("suspended", "приостановлен"),
                },
                rec = esc(&p.recipient),
                rec_short = esc(&short(&p.recipient)),
                ver = esc(&p.verify_key),
                ver_short = esc(&short(&p.verify_key)),
            ));
        }
        main.push_str("</tbody></table>");
    }
    if may_send {
        let field = |name: &str, label: &str, required: bool| {
            format!(
                r#"<label for="new-{name}">{label}</label><input id="new-{name}" name="{name}"{}>"#,
                if required { " required" } else { "" }
            )
        };
        main.push_str(&format!(
            r#"<details class="add-partner"><summary>{add}</summary><form method="post" action="/release/partners?hl={hl}"><input type="hidden" name="csrf" value="{csrf}">{fields}<button type="submit">{add}</button></form></details>"#,
            add = lang.pick("Add a partner", "Добавить партнёра"),
            hl = lang.code(),
            fields = [
                field("country", lang.pick("Country (ISO 3166 alpha-3: GBR)", "Страна (ISO 3166: GBR)"), true),
                field("service", lang.pick("Service (MI5)", "Служба (MI5)"), true),
                field("clearance", lang.pick("Cleared to (SECRET)", "Допуск (SECRET)"), true),
                field("caveats", lang.pick("Caveats it accepts, comma-separated (ORCON)", "Оговорки через запятую (ORCON)"), false),
                field("groups", lang.pick("Groups, comma-separated (FVEY)", "Группы через запятую (FVEY)"), false),
                field("recipient", lang.pick("Its age recipient (age1...)", "Получатель age (age1...)"), true),
                field("verify_key", lang.pick("Its Ed25519 public key (64 hex digits)", "Открытый ключ Ed25519 (64 знака)"), true),
                field("need_countries", lang.pick("Countries it needs to know about", "Страны, о которых ему нужно знать"), false),
                field("need_topics", lang.pick("Topics it needs to know about", "Темы, о которых ему нужно знать"), false),
                field("why", lang.pick("Why (the agreement)", "Основание (соглашение)"), true),
            ]
            .concat(),
        ));
    }
    main.push_str("</section>");

    // The plan, a page of reports at a time.
    main.push_str(&format!(
        r#"<section aria-labelledby="h-plan"><h2 id="h-plan">{}</h2>"#,
        lang.pick("The plan", "План выдачи")
    ));
    let (n_partners, n_reports) = (plan.partners.len(), plan.reports.len());
    if n_partners == 0 || n_reports == 0 {
        main.push_str(&format!(
            "<p>{}</p>",
            lang.pick(
                "Nothing to plan: it takes partners and reports.",
                "Планировать нечего: нужны партнёры и справки."
            )
        ));
    } else {
        let from = query.from.min(n_reports.saturating_sub(1));
        let to = (from + MATRIX_ROWS).min(n_reports);
        main.push_str(&format!(
            r#"<p class="count">{} {}–{} / {}. {}</p>"#,
            lang.pick("Reports", "Справки"),
            from + 1,
            to,
            n_reports,
            lang.pick(
                "Open a cell to see why, and what the partner's variant loses.",
                "Откройте ячейку, чтобы увидеть причины и потери варианта."
            )
        ));
        let mut columns = vec![lang.pick("Report", "Справка").to_string()];
        columns.extend(plan.partners.iter().cloned());
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        main.push_str(
            &table_head(&columns)
                .replace(r#"<table class="units">"#, r#"<table class="units plan">"#),
        );
        for r in from..to {
            main.push_str(&format!(
                "<tr><th scope=\"row\">{}</th>",
                esc(&plan.reports[r])
            ));
            for p in 0..n_partners {
                main.push_str(&cell_html(&plan.cells[p * n_reports + r], lang));
            }
            main.push_str("</tr>\n");
        }
        main.push_str("</tbody></table>");
        let mut pager = Vec::new();
        if from > 0 {
            pager.push(format!(
                r#"<a href="/release?from={}&hl={}">{}</a>"#,
                from.saturating_sub(MATRIX_ROWS),
                lang.code(),
                lang.pick("Earlier reports", "Предыдущие")
            ));
        }
        if to < n_reports {
            pager.push(format!(
                r#"<a href="/release?from={to}&hl={}">{}</a>"#,
                lang.code(),
                lang.pick("Later reports", "Следующие")
            ));
        }
        if !pager.is_empty() {
            main.push_str(&format!(r#"<p class="pages">{}</p>"#, pager.join(" ")));
        }
    }
    main.push_str("</section>");

    // A round.
    let active: Vec<&Partner> = partners
        .iter()
        .filter(|p| p.state == PartnerState::Active)
        .collect();
    if may_send && !active.is_empty() {
        let boxes: String = active
            .iter()
            .map(|p| {
                let sends = plan
                    .cells
                    .iter()
                    .filter(|c| c.partner == p.id && c.send)
                    .count();
                format!(
                    r#"<label class="check"><input type="checkbox" name="partners" value="{id}"{checked}> {id} ({sends} {reports})</label>"#,
                    id = esc(&p.id),
                    checked = if sends > 0 { " checked" } else { "" },
                    reports = lang.pick("reports to send", "справок к отправке"),
                )
            })
            .collect();
        main.push_str(&format!(
            r#"<section aria-labelledby="h-round"><h2 id="h-round">{title}</h2>
<form method="post" action="/release/rounds?hl={code}"><input type="hidden" name="csrf" value="{csrf}">
<fieldset><legend>{legend}</legend>{boxes}</fieldset>
<button type="submit">{send}</button></form></section>"#,
            title = lang.pick("Send a round", "Отправить пакеты"),
            code = lang.code(),
            legend = lang.pick(
                "Each partner ticked gets one package of the reports the plan sends it, signed and encrypted to its key.",
                "Каждый отмеченный партнёр получит один пакет со справками, которые ему отправляет план, подписанный и зашифрованный его ключом."
            ),
            send = lang.pick("Send the round", "Отправить"),
        ));
    }
    if may_send {
        main.push_str(&format!(
            r#"<section aria-labelledby="h-receipts"><h2 id="h-receipts">{receipts}</h2>
<form method="post" action="/release/receipts?hl={code}"><input type="hidden" name="csrf" value="{csrf}">
<label for="receipt">{paste}</label><textarea id="receipt" name="receipt" rows="4" required></textarea>
<button type="submit">{record}</button></form></section>
<section aria-labelledby="h-recalls"><h2 id="h-recalls">{recalls}</h2>
<form method="post" action="/release/recalls?hl={code}"><input type="hidden" name="csrf" value="{csrf}">
<label for="recall-report">{report}</label><input id="recall-report" name="report" required>
<label for="recall-why">{why}</label><input id="recall-why" name="why" required>
<button type="submit">{send_recall}</button></form></section>"#,
            receipts = lang.pick("Receipts", "Расписки"),
            code = lang.code(),
            paste = lang.pick(
                "A partner's signed receipt, as its release open wrote it (JSON)",
                "Подписанная расписка партнёра, как её записал release open (JSON)"
            ),
            record = lang.pick("Record the receipt", "Записать расписку"),
            recalls = lang.pick("Recall a report", "Отозвать справку"),
            report = lang.pick("Report (R-P3)", "Справка (R-P3)"),
            why = lang.pick("Why it is recalled", "Причина отзыва"),
            send_recall = lang.pick(
                "Send a recall notice to every partner holding it",
                "Разослать уведомление всем получившим"
            ),
        ));
    }
    Html(frame(lang, title, Some(&caller), &main)).into_response()
}

/// A recall: the report, and why.
#[derive(Deserialize)]
pub(crate) struct NewRecall {
    report: String,
    #[serde(default)]
    why: String,
}

/// Sends a recall notice to every partner holding a version of the report, signed,
/// encrypted and registered, into the outbox.
async fn recall(app: &Arc<App>, caller: &Caller, r: NewRecall) -> Result<Value, ApiError> {
    if r.report.trim().is_empty() || r.report.len() > 200 {
        return Err(ApiError::bad_request("report: the id of a report sent"));
    }
    let keys = app.keys.clone();
    app.write(caller.user.name.clone(), move |a| {
        let outbox = a.root().join(crate::jobs::OUTBOX);
        let done = a
            .release()
            .recall(r.report.trim(), &r.why, Some(&outbox), &keys)?;
        serde_json::to_value(&done).map_err(ApiError::internal)
    })
    .await
}

/// POST /api/release/recalls: recalls a report from every partner holding a version of
/// it: a recall notice package to each, with the reason; 201 with who held it and the
/// notices made.
pub(crate) async fn recall_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(r): JsonBody<NewRecall>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(recall(&app, &caller, r).await?)).into_response())
}

/// POST /api/release/receipts: records a partner's signed receipt (the JSON `kartoteka
/// release open` wrote), once its signature holds under the partner's key.
pub(crate) async fn receipt_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let package = record_receipt(&app, &caller, body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(package)).into_response())
}

async fn record_receipt(
    app: &Arc<App>,
    caller: &Caller,
    json: Vec<u8>,
) -> Result<kartoteka_model::Package, ApiError> {
    app.write(caller.user.name.clone(), move |a| {
        Ok(a.release().record_receipt(&json)?)
    })
    .await
}

/// A form's recall.
#[derive(Deserialize)]
pub(crate) struct RecallForm {
    report: String,
    #[serde(default)]
    why: String,
}

/// POST /release/recalls: the recall form; to the register, where the notices are.
pub(crate) async fn recall_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    axum::Form(f): axum::Form<RecallForm>,
) -> Response {
    let r = NewRecall {
        report: f.report,
        why: f.why,
    };
    match recall(&app, &caller, r).await {
        Ok(_) => Redirect::to(&format!("/packages?hl={}", lang.code())).into_response(),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// A form's receipt: the receipt's JSON, pasted.
#[derive(Deserialize)]
pub(crate) struct ReceiptForm {
    receipt: String,
}

/// POST /release/receipts: the receipt form; to the register, where it shows.
pub(crate) async fn receipt_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    axum::Form(f): axum::Form<ReceiptForm>,
) -> Response {
    match record_receipt(&app, &caller, f.receipt.into_bytes()).await {
        Ok(p) => Redirect::to(&format!("/packages?hl={}#{}", lang.code(), p.id)).into_response(),
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// A partner as a release officer describes it (lists may be empty).
#[derive(Deserialize)]
pub(crate) struct NewPartnerBody {
    country: String,
    service: String,
    clearance: String,
    #[serde(default)]
    caveats: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    recipient: String,
    verify_key: String,
    #[serde(default)]
    need_countries: Vec<String>,
    #[serde(default)]
    need_topics: Vec<String>,
    #[serde(default)]
    why: String,
}

async fn add_partner(
    app: &Arc<App>,
    caller: &Caller,
    b: NewPartnerBody,
) -> Result<kartoteka_model::Partner, ApiError> {
    let lists = [&b.caveats, &b.groups, &b.need_countries, &b.need_topics];
    if lists.iter().any(|l| l.len() > 100) {
        return Err(ApiError::bad_request("at most 100 items in a list"));
    }
    let new = kartoteka_archive::NewPartner {
        country: b.country,
        service: b.service,
        clearance: b.clearance,
        caveats: b.caveats,
        groups: b.groups,
        recipient: b.recipient,
        verify_key: b.verify_key,
        need_countries: b.need_countries,
        need_topics: b.need_topics,
        why: b.why,
    };
    app.write(caller.user.name.clone(), move |a| {
        Ok(a.release().add_partner(&new)?)
    })
    .await
}

/// POST /api/partners: adds a partner service with its clearance, keys and needs, as
/// `kartoteka partner add` does; 201 with it.
pub(crate) async fn add_partner_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(b): JsonBody<NewPartnerBody>,
) -> Result<Response, ApiError> {
    let partner = add_partner(&app, &caller, b).await?;
    Ok((StatusCode::CREATED, Json(partner)).into_response())
}

/// A partner's id from the path ("GBR-MI5"), any other shape a `bad_request`.
pub(crate) struct PartnerId(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PartnerId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let raw = crate::api::path_text(parts, state).await?;
        let ok = !raw.is_empty()
            && raw.len() <= 100
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok {
            Ok(PartnerId(raw))
        } else {
            Err(ApiError::bad_request(format!(
                "{} is not a partner id (GBR-MI5)",
                kartoteka_model::excerpt(&raw)
            )))
        }
    }
}

/// A partner suspended or resumed, and why.
#[derive(Deserialize)]
pub(crate) struct StateChange {
    state: String,
    #[serde(default)]
    why: String,
}

async fn set_state(
    app: &Arc<App>,
    caller: &Caller,
    id: String,
    change: StateChange,
) -> Result<kartoteka_model::Partner, ApiError> {
    let state = match change.state.as_str() {
        "active" => PartnerState::Active,
        "suspended" => PartnerState::Suspended,
        other => {
            return Err(ApiError::bad_request(format!(
                "state: active or suspended, not {}",
                kartoteka_model::excerpt(other)
            )))
        }
    };
    app.write(caller.user.name.clone(), move |a| {
        Ok(a.release().set_state(&id, state, &change.why)?)
    })
    .await
}

/// POST /api/partners/{id}/state: suspends a partner (it receives nothing) or resumes it,
/// with the reason.
pub(crate) async fn set_state_api(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PartnerId(id): PartnerId,
    JsonBody(change): JsonBody<StateChange>,
) -> Result<Json<kartoteka_model::Partner>, ApiError> {
    Ok(Json(set_state(&app, &caller, id, change).await?))
}

/// A comma-separated list of a form as its items.
fn items(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The add-a-partner form: lists comma-separated.
#[derive(Deserialize)]
pub(crate) struct PartnerForm {
    country: String,
    service: String,
    clearance: String,
    #[serde(default)]
    caveats: String,
    #[serde(default)]
    groups: String,
    recipient: String,
    verify_key: String,
    #[serde(default)]
    need_countries: String,
    #[serde(default)]
    need_topics: String,
    #[serde(default)]
    why: String,
}

/// POST /release/partners: the add-a-partner form; back to the desk.
pub(crate) async fn add_partner_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    axum::Form(f): axum::Form<PartnerForm>,
) -> Response {
    let body = NewPartnerBody {
        country: f.country,
        service: f.service,
        clearance: f.clearance,
        caveats: items(&f.caveats),
        groups: items(&f.groups),
        recipient: f.recipient.trim().to_string(),
        verify_key: f.verify_key.trim().to_string(),
        need_countries: items(&f.need_countries),
        need_topics: items(&f.need_topics),
        why: f.why,
    };
    match add_partner(&app, &caller, body).await {
        Ok(p) => {
            Redirect::to(&format!("/release?hl={}#partner-{}", lang.code(), p.id)).into_response()
        }
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}

/// POST /release/partners/{id}/state: a row's suspend or resume form; back to the desk.
pub(crate) async fn set_state_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    PartnerId(id): PartnerId,
    axum::Form(change): axum::Form<StateChange>,
) -> Response {
    match set_state(&app, &caller, id, change).await {
        Ok(p) => {
            Redirect::to(&format!("/release?hl={}#partner-{}", lang.code(), p.id)).into_response()
        }
        Err(e) => error_page(lang, Some(&caller), &e),
    }
}
