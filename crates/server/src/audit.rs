//! The audit viewer: the chain's entries filtered by unit, actor, action and period, the
//! chain's head and the state of its seal, and on request the whole chain verified entry
//! by entry. `/audit` for people, `/api/audit` and `/api/audit/chain` for machines.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use kartoteka_archive::{AuditEntry, AuditFilter, Caller, ChainReport, NoProgress, SealCheck};
use kartoteka_model::Reference;
use kartoteka_text::escape_html as esc;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::QueryOf;
use crate::error::ApiError;
use crate::pages::{error_page, frame, table_head, Lang, PageLang};
use crate::App;

/// Entries shown when no limit is asked for.
const DEFAULT_LIMIT: usize = 200;
/// The most entries one answer holds; narrow the filters for the rest.
pub(crate) const MOST: usize = 10_000;

/// The filters, as the query string gives them.
#[derive(Deserialize, Default)]
pub(crate) struct AuditQuery {
    unit: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<usize>,
    /// On the page: verify the whole chain too.
    #[serde(default)]
    verify: Option<String>,
}

/// The filters checked: a unit that is a reference code, bounds that are days or times,
/// a limit within reach. Empty fields are no filter.
fn filter_of(q: &AuditQuery) -> Result<AuditFilter, ApiError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let unit = given(&q.unit);
    if let Some(u) = &unit {
        Reference::parse(u).map_err(|e| {
            ApiError::bad_request(format!("unit={}: {e}", kartoteka_model::excerpt(u)))
        })?;
    }
    let (since, until) = (given(&q.since), given(&q.until));
    for (name, t) in [("since", &since), ("until", &until)] {
        if let Some(t) = t {
            if !kartoteka_model::is_audit_time(t) {
                return Err(ApiError::bad_request(format!(
                    "{name}={}: a day (2026-11-27) or a time (2026-11-27T10:00:00Z)",
                    kartoteka_model::excerpt(t)
                )));
            }
        }
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MOST {
        return Err(ApiError::bad_request(format!(
            "limit {limit}: from 1 to {MOST}; narrow the filters instead"
        )));
    }
    Ok(AuditFilter {
        unit,
        object: None,
        actor: given(&q.actor),
        action: given(&q.action),
        since,
        until,
        limit: Some(limit),
    })
}

/// The entries the filter picks (the newest `limit`, in chain order) and the chain's head.
async fn entries(
    app: &App,
    filter: AuditFilter,
) -> Result<(Vec<AuditEntry>, (u64, String)), ApiError> {
    app.read(move |a| Ok((a.audit_log(&filter)?, a.audit_head()?)))
        .await
}

/// GET /api/audit: the chain's entries by the filters (`unit`, `actor`, `action`, `since`,
/// `until`, `limit`), the newest last, as `kartoteka audit log --json` prints them, and
/// the chain's head.
pub(crate) async fn log(
    State(app): State<Arc<App>>,
    QueryOf(q): QueryOf<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let filter = filter_of(&q)?;
    let (entries, (length, hash)) = entries(&app, filter).await?;
    Ok(Json(json!({
        "entries": entries,
        "head": {"entries": length, "hash": hash},
    })))
}

/// The whole chain verified, and the seal's state in words.
async fn chain(app: &Arc<App>) -> Result<(ChainReport, String), ApiError> {
    let app = app.clone();
    let keys = app.keys.clone();
    app.read(move |a| {
        let report = a.audit_verify(None, &NoProgress)?;
        let seal = match a.check_seal(&keys) {
            Ok(SealCheck::Unsealed) => "unsealed: no head has been sealed yet".to_string(),
            Ok(SealCheck::Held { entries, after }) => format!(
                "sealed at entry {entries} under this server's key{}",
                if after > 0 {
                    format!(", {after} entries since")
                } else {
                    String::new()
                }
            ),
            Ok(SealCheck::NotHeld {
                entries,
                public_key,
            }) => format!(
                "sealed at entry {entries} under a key this server does not keep ({public_key})"
            ),
            Err(e) => format!("the seal does not hold: {e}"),
        };
        Ok((report, seal))
    })
    .await
}

/// GET /api/audit/chain: every entry of the chain checked against the one before it and
/// against the rows it recorded, and the state of the sealed head (`kartoteka audit
/// verify`). It reads the whole chain.
pub(crate) async fn verify(State(app): State<Arc<App>>) -> Result<Json<Value>, ApiError> {
    let (report, seal) = chain(&app).await?;
    Ok(Json(json!({ "chain": report, "seal": seal })))
}

/// GET /audit: the filters, the entries, the head, and the chain verified on request.
pub(crate) async fn page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    QueryOf(q): QueryOf<AuditQuery>,
) -> Response {
    let filter = match filter_of(&q) {
        Ok(f) => f,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let (found, (length, hash)) = match entries(&app, filter).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let title = lang.pick("Audit log", "Журнал аудита");
    let value = |v: &Option<String>| esc(v.as_deref().unwrap_or(""));
    let field = |id: &str, label: &str, v: &Option<String>, hint: &str| {
        format!(
            r#"<div><label for="{id}">{label}</label><input id="{id}" name="{id}" value="{}" placeholder="{hint}"></div>"#,
            value(v)
        )
    };
    let mut main = format!(
        r#"<h1>{title}</h1>
<p class="meta" id="chain-head">{head_word}: {length} {entries_word} · <code>{hash}</code></p>
<form method="get" action="/audit" class="filters"><input type="hidden" name="hl" value="{hl}">
{unit}{actor}{action}{since}{until}
<button type="submit">{show}</button></form>
"#,
        head_word = lang.pick("The chain", "Цепочка"),
        entries_word = lang.pick("entries, last", "записей, последняя"),
        hash = esc(&hash),
        hl = lang.code(),
        unit = field(
            "unit",
            lang.pick("Unit", "Единица"),
            &q.unit,
            "ф. 9001, оп. 1"
        ),
        actor = field("actor", lang.pick("Actor", "Кто"), &q.actor, "olga"),
        action = field(
            "action",
            lang.pick("Action", "Действие"),
            &q.action,
            "release"
        ),
        since = field("since", lang.pick("From", "С"), &q.since, "2026-11-27"),
        until = field("until", lang.pick("To", "По"), &q.until, "2026-12-31"),
        show = lang.pick("Show", "Показать"),
    );
    if q.verify.as_deref() == Some("true") {
        match chain(&app).await {
            Ok((report, seal)) => main.push_str(&chain_html(&report, &seal, lang)),
            Err(e) => return error_page(lang, Some(&caller), &e),
        }
    } else {
        main.push_str(&format!(
            r#"<p><a href="/audit?verify=true&hl={}">{}</a></p>"#,
            lang.code(),
            lang.pick(
                "Verify the whole chain and its seal",
                "Проверить всю цепочку и печать"
            )
        ));
    }
    main.push_str(&format!(
        r#"<p class="count">{}: {}</p>"#,
        lang.pick(
            "Entries shown, the newest last",
            "Показано записей, новые внизу"
        ),
        found.len()
    ));
    if !found.is_empty() {
        main.push_str(&table_head(&[
            "#",
            lang.pick("When", "Когда"),
            lang.pick("Actor", "Кто"),
            lang.pick("Action", "Действие"),
            lang.pick("Unit or object", "Единица или объект"),
            lang.pick("Detail", "Подробности"),
        ]));
        for e in &found {
            let on = match (&e.unit, &e.object) {
                (Some(u), Some(o)) => format!("{} · {}", esc(u), esc(o)),
                (Some(u), None) => esc(u),
                (None, Some(o)) => esc(o),
                (None, None) => String::new(),
            };
            main.push_str(&format!(
                r#"<tr id="entry-{seq}"><td>{seq}</td><td>{at}</td><td>{actor}</td><td>{action}</td><td>{on}</td><td><code class="detail">{detail}</code></td></tr>
"#,
                seq = e.seq,
                at = esc(&e.at),
                actor = esc(&e.actor),
                action = esc(&e.action),
                detail = esc(&kartoteka_model::excerpt(&e.detail)),
            ));
        }
        main.push_str("</tbody></table>");
    }
    Html(frame(lang, title, Some(&caller), &main)).into_response()
}

/// The chain's verification in words.
fn chain_html(report: &ChainReport, seal: &str, lang: Lang) -> String {
    let state = if report.ok {
        format!(
            r#"<p class="ok" role="status" id="chain-state"><strong>{}</strong>: {} {}</p>"#,
            lang.pick("The chain holds", "Цепочка цела"),
            report.entries,
            lang.pick("entries checked", "записей проверено")
        )
    } else {
        format!(
            r#"<p class="alert" role="alert" id="chain-state"><strong>{}</strong> {} {}: {}</p>"#,
            lang.pick("The chain is broken", "Цепочка нарушена"),
            lang.pick("at entry", "на записи"),
            report.first_bad.map(|n| n.to_string()).unwrap_or_default(),
            esc(report.problem.as_deref().unwrap_or(""))
        )
    };
    let rows: String = report
        .rows
        .iter()
        .map(|r| format!("<li>{}</li>", esc(r)))
        .collect();
    let rows = if rows.is_empty() {
        String::new()
    } else {
        format!(
            r#"<p>{}</p><ul class="rows">{rows}</ul>"#,
            lang.pick(
                "Rows that differ from what the chain recorded:",
                "Записи, расходящиеся с цепочкой:"
            )
        )
    };
    format!(
        r#"<section aria-labelledby="h-chain"><h2 id="h-chain">{}</h2>{state}<p id="seal-state">{}</p>{rows}</section>"#,
        lang.pick("Verification", "Проверка"),
        esc(seal)
    )
}
