//! The partner portal: the register of packages sent to partner services. A liaison sees
//! only its own partner's packages (releases and recall notices, with its receipts); for
//! a liaison nothing else exists, so a package that is not its own answers exactly as one
//! that does not exist, reached by the same work. A release officer sees every partner's.
//! `/packages` for people, `/api/packages` for machines.

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use kartoteka_archive::Caller;
use kartoteka_model::{Package, PackageKind, Role};
use kartoteka_text::escape_html as esc;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::pages::{error_page, frame, table_head, PageLang};
use crate::App;

/// A package's id from the path ("PKG-GBR-MI5-3"); any other shape is a `bad_request`,
/// decided by the shape alone.
pub(crate) struct PackageId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PackageId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = crate::api::path_text(parts, state).await?;
        let ok = raw.len() <= 100
            && raw.starts_with("PKG-")
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok {
            Ok(PackageId(raw))
        } else {
            Err(ApiError::bad_request(format!(
                "{} is not a package id (PKG-, the partner and a number)",
                kartoteka_model::excerpt(&raw)
            )))
        }
    }
}

/// The packages the caller may see: a liaison's partner's only (none for a liaison bound
/// to no partner), everyone else's every partner's.
async fn visible(app: &App, caller: &Caller) -> Result<Vec<Package>, ApiError> {
    let liaison = caller.user.role == Role::Liaison;
    let partner = caller.user.partner.clone();
    app.read(move |a| {
        Ok(match (liaison, partner) {
            (true, Some(partner)) => a.release().packages_for(&partner)?,
            (true, None) => Vec::new(),
            (false, _) => a.release().register(None, None)?,
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

/// GET /packages: the register as the caller may see it, a package to a row.
pub(crate) async fn page(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    PageLang(lang): PageLang,
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
                r#"<tr id="{id}" class="{kind}"><td>{id}</td>{partner}<td>{sent}</td><td>{what}</td><td>{received}</td></tr>
"#,
                id = esc(&p.id),
                kind = p.kind.as_str(),
                sent = esc(p.sent_at.get(..10).unwrap_or(&p.sent_at)),
            ));
        }
        main.push_str("</tbody></table>");
    }
    Html(frame(lang, title, Some(&caller), &main)).into_response()
}
