//! The partner portal: the register of packages sent to partner services. A liaison sees
//! only its own partner's packages (releases and recall notices, with its receipts); for
//! a liaison nothing else exists, so a package that is not its own answers exactly as one
//! that does not exist, reached by the same work. A release officer sees every partner's.
//! `/packages` for people, `/api/packages` for machines.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use kartoteka_archive::{Caller, ReleasedSearch};
use kartoteka_model::{KeptFile, Package, PackageKind, Role};
use kartoteka_text::escape_html as esc;
use serde_json::{json, Value};

use crate::api::{QueryOf, SearchParams};
use crate::error::ApiError;
use crate::pages::{error_page, frame, table_head, Lang, PageLang};
use crate::App;

/// A package's id from the path ("PKG-GBR-MI5-3"); any other shape is a `bad_request`,
/// decided by the shape alone.
pub(crate) struct PackageId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PackageId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = crate::api::path_text(parts, state).await?;
        if package_id_shape(&raw) {
            Ok(PackageId(raw))
        } else {
            Err(ApiError::bad_request(format!(
                "{} is not a package id (PKG-, the partner and a number)",
                kartoteka_model::excerpt(&raw)
            )))
        }
    }
}

/// A package, report and file named in the path (`/packages/{id}/reports/{report}/{file}`):
/// each of its shape, or a `bad_request` decided by the shape alone. The names are only
/// ever compared with the register's, never used as paths.
pub(crate) struct VariantPath {
    /// The package.
    pub package: String,
    /// The report.
    pub report: String,
    /// The file, when the path names one.
    pub file: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for VariantPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let package = get("id").unwrap_or_default();
        if !package_id_shape(&package) {
            return Err(ApiError::bad_request(format!(
                "{} is not a package id (PKG-, the partner and a number)",
                kartoteka_model::excerpt(&package)
            )));
        }
        let report = get("report").unwrap_or_default();
        let report_ok = !report.is_empty()
            && report.len() <= 100
            && report
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !report_ok {
            return Err(ApiError::bad_request(format!(
                "{} is not a report id",
                kartoteka_model::excerpt(&report)
            )));
        }
        let file = get("file");
        if let Some(f) = &file {
            let ok = f.len() <= 200
                && !f.starts_with('.')
                && !f.contains("..")
                && f.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            if !ok {
                return Err(ApiError::bad_request(format!(
                    "{} is not the name of a file in a package",
                    kartoteka_model::excerpt(f)
                )));
            }
        }
        Ok(VariantPath {
            package,
            report,
            file,
        })
    }
}

/// Whether `raw` has the shape of a package id.
fn package_id_shape(raw: &str) -> bool {
    raw.len() <= 100
        && raw.starts_with("PKG-")
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Whose packages the caller sees: a liaison its own partner's (`Some`; no partner's at
/// all for a liaison bound to none, whose empty id names no partner), anyone else every
/// partner's (`None`).
pub(crate) fn partner_seen(caller: &Caller) -> Option<String> {
    (caller.user.role == Role::Liaison).then(|| caller.user.partner.clone().unwrap_or_default())
}

/// The packages the caller may see: a liaison's partner's only, everyone else's every
/// partner's.
async fn visible(app: &App, caller: &Caller) -> Result<Vec<Package>, ApiError> {
    let partner = partner_seen(caller);
    app.read(move |a| {
        Ok(match partner {
            Some(partner) => a.release().packages_for(&partner)?,
            None => a.release().register(None, None)?,
        })
    })
    .await
}

/// A package as the portal shows it: what was sent, when, and whether it was received.
fn package_json(p: &Package) -> Value {
    json!({
        "id": p.id,
        "kind": p.kind.as_str(),
        "partner": p.partner,
        "sent_at": p.sent_at,
        "reports": p.reports,
        "sha256": p.sha256,
        "why": p.why,
        "received_at": p.receipt.as_ref().map(|r| r.received_at.clone()),
        "variants": p.variants.iter().map(|v| json!({
            "report": v.report,
            "version": v.version,
            "marking": v.marking,
            "files": v.files,
        })).collect::<Vec<_>>(),
    })
}

/// The one answer for a package the caller cannot see, whether or not it exists.
fn no_such_package(id: &str) -> ApiError {
    ApiError::not_found(format!("no package {id}"))
}

/// GET /api/packages: the packages the caller may see, in the order they were sent.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    let packages = visible(&app, &caller).await?;
    Ok(Json(json!({
        "packages": packages.iter().map(package_json).collect::<Vec<_>>()
    })))
}

/// GET /api/packages/{id}: one package, if the caller may see it; else `not_found`, the
/// same for a package of another partner as for none at all.
pub(crate) async fn one(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PackageId(id): PackageId,
) -> Result<Json<Value>, ApiError> {
    let packages = visible(&app, &caller).await?;
    packages
        .iter()
        .find(|p| p.id == id)
        .map(|p| Json(package_json(p)))
        .ok_or_else(|| no_such_package(&id))
}

/// GET /packages: the register as the caller may see it, a package to a row; for a
/// liaison, a search over the reports released to its service above it, and the hits
/// when it asked (`?q=`).
pub(crate) async fn page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    QueryOf(params): QueryOf<SearchParams>,
) -> Response {
    let packages = match visible(&app, &caller).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let liaison = caller.user.role == Role::Liaison;
    let title = if liaison {
        lang.pick(
            "Packages released to your service",
            "Пакеты, переданные вашей службе",
        )
    } else {
        lang.pick(
            "Packages sent to partners",
            "Пакеты, отправленные партнёрам",
        )
    };
    let mut main = format!("<h1>{}</h1>\n", esc(title));
    if liaison {
        main.push_str(&format!(
            r#"<form method="get" action="/packages" role="search" class="search"><input type="hidden" name="hl" value="{hl}"><label for="q">{label}</label> <input type="search" id="q" name="q" value="{q}"> <button type="submit">{go}</button></form>
"#,
            hl = lang.code(),
            label = lang.pick("Search the reports released to you", "Поиск по переданным справкам"),
            q = esc(&params.q),
            go = lang.pick("Search", "Искать"),
        ));
        if !params.q.trim().is_empty() {
            match released_search(&app, &caller, &params).await {
                Ok(found) => main.push_str(&hits_html(lang, &found)),
                Err(e) => return error_page(lang, Some(&caller), &e),
            }
        }
    }
    if packages.is_empty() {
        main.push_str(&format!(
            "<p>{}</p>",
            lang.pick("No packages yet.", "Пакетов пока нет.")
        ));
    } else {
        let mut columns = vec![lang.pick("Package", "Пакет")];
        if !liaison {
            columns.push(lang.pick("Partner", "Партнёр"));
        }
        columns.extend([
            lang.pick("Sent", "Отправлен"),
            lang.pick("Reports", "Справки"),
            lang.pick("Received", "Получен"),
        ]);
        main.push_str(&table_head(&columns));
        for p in packages.iter().rev() {
            let reports = p
                .reports
                .iter()
                .map(|r| format!("{} v{}", r.id, r.version))
                .collect::<Vec<_>>()
                .join(", ");
            let what = match p.kind {
                PackageKind::Release => esc(&reports),
                PackageKind::Recall => format!(
                    r#"<strong>{}</strong>: {} ({})"#,
                    lang.pick("Recalled", "Отозваны"),
                    esc(&reports),
                    esc(&p.why)
                ),
            };
            let received = match &p.receipt {
                Some(r) => esc(&r.received_at),
                None => lang.pick("not yet", "ещё нет").to_string(),
            };
            let partner = if liaison {
                String::new()
            } else {
                format!("<td>{}</td>", esc(&p.partner))
            };
            main.push_str(&format!(
                r#"<tr id="{id}" class="{kind}"><td><a href="/packages/{id}?hl={hl}">{id}</a></td>{partner}<td>{sent}</td><td>{what}</td><td>{received}</td></tr>
"#,
                id = esc(&p.id),
                kind = p.kind.as_str(),
                hl = lang.code(),
                sent = esc(p.sent_at.get(..10).unwrap_or(&p.sent_at)),
            ));
        }
        main.push_str("</tbody></table>");
    }
    Html(frame(lang, title, Some(&caller), &main)).into_response()
}

/// A file of a variant as packaged, or the one `not_found` for a package, report or
/// file the caller was not sent (whether it exists for another partner or not).
async fn kept_file(
    app: &App,
    caller: &Caller,
    path: &VariantPath,
    name: String,
) -> Result<(KeptFile, Vec<u8>), ApiError> {
    let partner = partner_seen(caller);
    let (package, report) = (path.package.clone(), path.report.clone());
    let found = app
        .read(move |a| {
            Ok(a.release()
                .kept_file(partner.as_deref(), &package, &report, &name)?)
        })
        .await?;
    found.ok_or_else(|| no_such_variant(path))
}

/// The one answer for a report variant the caller was not sent: the same whether the
/// package, the report or the file does not exist or is another partner's.
fn no_such_variant(path: &VariantPath) -> ApiError {
    ApiError::not_found(format!(
        "no report {} in package {}",
        path.report, path.package
    ))
}

/// The media type of a packaged file, by its name.
fn media_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// GET /api/packages/{id}/reports/{report}: the report variant exactly as packaged (its
/// JSON file, byte for byte).
pub(crate) async fn variant_json(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    path: VariantPath,
) -> Result<Response, ApiError> {
    let name = format!("{}.json", path.report);
    let (_, bytes) = kept_file(&app, &caller, &path, name).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// GET /packages/{id}/reports/{report}/{file}: a file of the variant as packaged, to
/// save (never shown in the room's own pages, so a packaged HTML runs under nothing of
/// the room's).
pub(crate) async fn variant_file(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    path: VariantPath,
) -> Result<Response, ApiError> {
    let name = path.file.clone().unwrap_or_default();
    let (file, bytes) = kept_file(&app, &caller, &path, name).await?;
    Ok((
        [
            (header::CONTENT_TYPE, media_type(&file.name).to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(r#"attachment; filename="{}""#, file.name),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The recall notices that name this report version, among `packages`.
fn recalls_of<'a>(packages: &'a [Package], report: &str, version: u32) -> Vec<&'a Package> {
    packages
        .iter()
        .filter(|p| p.kind == PackageKind::Recall)
        .filter(|p| {
            p.reports
                .iter()
                .any(|r| r.id == report && r.version == version)
        })
        .collect()
}

/// GET /packages/{id}: one package, its variants to read and its files to save, its
/// receipt and any recall of what it holds.
pub(crate) async fn package_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    PackageId(id): PackageId,
) -> Response {
    let packages = match visible(&app, &caller).await {
        Ok(p) => p,
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let Some(p) = packages.iter().find(|p| p.id == id) else {
        return error_page(lang, Some(&caller), &no_such_package(&id));
    };
    let mut main = format!(
        "<h1>{} {}</h1>\n",
        lang.pick("Package", "Пакет"),
        esc(&p.id)
    );
    main.push_str(&format!(
        "<p class=\"meta\">{} {} · {} {}{}</p>\n",
        lang.pick("Sent to", "Отправлен"),
        esc(&p.partner),
        esc(p.sent_at.get(..10).unwrap_or(&p.sent_at)),
        lang.pick("· received", "· получен"),
        match &p.receipt {
            Some(r) => format!(" {}", esc(&r.received_at)),
            None => format!(" {}", lang.pick("not yet", "ещё нет")),
        }
    ));
    if p.kind == PackageKind::Recall {
        main.push_str(&format!(
            "<p class=\"recall\"><strong>{}</strong>: {}</p>",
            lang.pick("Recall notice", "Уведомление об отзыве"),
            esc(&p.why)
        ));
    }
    if p.variants.is_empty() {
        main.push_str(&format!(
            "<p>{}</p>",
            lang.pick(
                "This package holds no report to read here.",
                "В этом пакете нет справок для чтения."
            )
        ));
    } else {
        main.push_str(&table_head(&[
            lang.pick("Report", "Справка"),
            lang.pick("Version", "Версия"),
            lang.pick("Marking", "Гриф"),
            lang.pick("Files as packaged", "Файлы пакета"),
        ]));
        for v in &p.variants {
            let recalled = recalls_of(&packages, &v.report, v.version);
            let files: String = v
                .files
                .iter()
                .map(|f| {
                    format!(
                        r#"<a href="/packages/{pkg}/reports/{r}/{name}" download>{name}</a> "#,
                        pkg = esc(&p.id),
                        r = esc(&v.report),
                        name = esc(&f.name)
                    )
                })
                .collect();
            let recall = recalled
                .iter()
                .map(|n| {
                    format!(
                        r#" <strong class="recall">{} ({})</strong>"#,
                        lang.pick("recalled", "отозвана"),
                        esc(&n.id)
                    )
                })
                .collect::<String>();
            main.push_str(&format!(
                r#"<tr><td><a href="/packages/{pkg}/reports/{r}">{r}</a>{recall}</td><td>{ver}</td><td>{mark}</td><td>{files}</td></tr>
"#,
                pkg = esc(&p.id),
                r = esc(&v.report),
                ver = v.version,
                mark = esc(&v.marking),
            ));
        }
        main.push_str("</tbody></table>");
    }
    let title = format!("{} {}", lang.pick("Package", "Пакет"), p.id);
    Html(frame(lang, &title, Some(&caller), &main)).into_response()
}

/// GET /packages/{id}/reports/{report}: the variant as packaged, read from its kept JSON
/// file: the same paragraphs, marks and citations as the partner's copy.
pub(crate) async fn variant_page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
    path: VariantPath,
) -> Response {
    let partner = partner_seen(&caller);
    let (package, report) = (path.package.clone(), path.report.clone());
    let found = app
        .read(move |a| {
            let release = a.release();
            let report = release.kept_report(partner.as_deref(), &package, &report)?;
            let packages = match partner {
                Some(p) => release.packages_for(&p)?,
                None => release.register(None, None)?,
            };
            Ok(report.map(|r| (r, packages)))
        })
        .await;
    let (report, packages) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return error_page(lang, Some(&caller), &no_such_variant(&path)),
        Err(e) => return error_page(lang, Some(&caller), &e),
    };
    let mut main = format!(
        r#"<p class="meta"><a href="/packages/{pkg}">{pkg}</a> · {as_sent}</p>
"#,
        pkg = esc(&path.package),
        as_sent = lang.pick(
            "the report exactly as packaged for your service",
            "справка в точности как в пакете для вашей службы"
        ),
    );
    for n in recalls_of(&packages, &report.id, report.version) {
        main.push_str(&format!(
            r#"<p class="recall" role="alert"><strong>{}</strong> ({}): {}</p>"#,
            lang.pick("Recalled", "Отозвана"),
            esc(&n.id),
            esc(&n.why)
        ));
    }
    main.push_str(&format!(
        r#"<article class="report" lang="ru">{}</article>"#,
        kartoteka_report::html_article(&report)
    ));
    Html(frame(lang, &report.title, Some(&caller), &main)).into_response()
}

/// A liaison's search: the paragraphs of the variants released to its partner, and
/// nothing of the holdings. The holdings' filters have nothing to filter here and are
/// refused, in words that say nothing of what the holdings hold.
pub(crate) async fn released_search(
    app: &App,
    caller: &Caller,
    params: &SearchParams,
) -> Result<ReleasedSearch, ApiError> {
    if params.q.trim().is_empty() {
        return Err(ApiError::bad_request("q: say what to look for"));
    }
    if params.q.chars().count() > 2000 {
        return Err(ApiError::bad_request("q: at most 2000 characters"));
    }
    let filtered = [&params.within, &params.dates, &params.lang, &params.format]
        .iter()
        .any(|f| f.as_deref().is_some_and(|f| !f.trim().is_empty()));
    if filtered || params.exact {
        return Err(ApiError::bad_request(
            "in, dates, lang, format and exact do not apply: a liaison searches the reports released to its service",
        ));
    }
    let (options, offset) = params.options()?;
    // The options' limit counts the hits skipped too.
    let limit = options.limit - offset;
    let partner = partner_seen(caller).unwrap_or_default();
    let q = params.q.clone();
    app.read(move |a| Ok(a.release().search_released(&partner, &q, limit, offset)?))
        .await
}

/// A liaison's search hits, as a list under the search form.
fn hits_html(lang: Lang, found: &ReleasedSearch) -> String {
    let mut out = format!(
        r#"<p class="total">{}: {}</p><ol class="hits">"#,
        lang.pick("Paragraphs found", "Найдено абзацев"),
        found.total
    );
    for h in &found.hits {
        let recalled = if h.recalled {
            format!(
                r#" <strong class="recall">{}</strong>"#,
                lang.pick("recalled", "отозвана")
            )
        } else {
            String::new()
        };
        // The snippet is escaped already, with the matches in <b>.
        out.push_str(&format!(
            r#"<li><a href="/packages/{pkg}/reports/{r}">{title}</a> · {r} v{v} · {pkg} · ¶{n}{recalled}<br><span class="mark">{mark}</span> {snippet}</li>
"#,
            pkg = esc(&h.package),
            r = esc(&h.report),
            title = esc(&h.title),
            v = h.version,
            n = h.paragraph,
            mark = esc(&h.mark),
            snippet = h.snippet,
        ));
    }
    out.push_str("</ol>");
    out
}
