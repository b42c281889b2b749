//! The gate before every route: who is calling (bearer token or session cookie), whether
//! their role and scopes allow the endpoint's action, and, for a browser session's
//! state-changing request, whether it carries the session's CSRF token.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use kartoteka_archive::{Caller, Denied, TOKEN_PREFIX};

use crate::endpoints::{self, Answer};
use crate::error::ApiError;
use crate::App;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "kartoteka_session";

/// The header a script sends the CSRF token in; forms send it as the field `csrf`.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The credentials a request carries.
pub(crate) enum Credentials {
    /// `Authorization: Bearer ...`.
    Token(String),
    /// The session cookie.
    Session(String),
    /// Neither.
    None,
    /// Something that is neither (a Basic header, a token without our prefix).
    Malformed,
}

/// Reads the credentials: a bearer token first, else the session cookie.
pub(crate) fn credentials(headers: &HeaderMap) -> Credentials {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let Ok(value) = value.to_str() else {
            return Credentials::Malformed;
        };
        return match value.strip_prefix("Bearer ") {
            Some(t) if t.trim().starts_with(TOKEN_PREFIX) && t.trim().len() < 200 => {
                Credentials::Token(t.trim().to_string())
            }
            _ => Credentials::Malformed,
        };
    }
    match session_cookie(headers) {
        Some(s) => Credentials::Session(s),
        None => Credentials::None,
    }
}

/// The session cookie's value, if the request carries one of our shape.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| v.starts_with(TOKEN_PREFIX) && v.len() < 200)
}

/// Compares two secrets in time that depends only on their lengths.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Who is calling, if anyone: looked up by the archive's access service.
pub(crate) async fn caller(app: &App, headers: &HeaderMap) -> Result<Option<Caller>, ApiError> {
    let found = match credentials(headers) {
        Credentials::None => return Ok(None),
        Credentials::Malformed => Err(Denied::Credentials),
        Credentials::Token(secret) => app.read(move |a| Ok(a.access().by_token(&secret)?)).await?,
        Credentials::Session(secret) => {
            app.read(move |a| Ok(a.access().by_session(&secret)?))
                .await?
        }
    };
    match found {
        Ok(caller) => Ok(Some(caller)),
        Err(denied) => Err(ApiError::unauthorized(denied.to_string())),
    }
}

/// The middleware: authorise the request by its endpoint's row, or answer for it.
pub(crate) async fn gate(
    State(app): State<Arc<App>>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_string();
    let route = matched.as_ref().map(|m| m.as_str().to_string());
    let Some(endpoint) = route.as_deref().and_then(|r| endpoints::find(&method, r)) else {
        // A path served for other methods says which; a route without a row is never
        // served: the table is the whole of access.
        let allowed: Vec<&str> = endpoints::ENDPOINTS
            .iter()
            .filter(|e| Some(e.path) == route.as_deref())
            .map(|e| e.method.as_str())
            .collect();
        if allowed.is_empty() {
            return ApiError::not_found("no such endpoint").into_response();
        }
        let mut response = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{method} is not served here; {} is", allowed.join(", ")),
        )
        .into_response();
        if let Ok(value) = allowed.join(", ").parse() {
            response.headers_mut().insert(header::ALLOW, value);
        }
        return response;
    };
    // Pages and the originals they show send a browser to sign in; the API answers 401.
    let page = matches!(endpoint.answer, Answer::Html | Answer::Original);
    let Some(action) = endpoint.action else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let caller = match caller(&app, &parts.headers).await {
        Ok(Some(caller)) => caller,
        Ok(None)
        | Err(ApiError {
            code: "unauthorized",
            ..
        }) if page => {
            let back = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next = if endpoint.method.changes_state() {
                "/"
            } else {
                back
            };
            return Redirect::to(&format!(
                "/login?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ))
            .into_response();
        }
        Ok(None) => {
            return ApiError::unauthorized(
                "sign in, or send a token as `Authorization: Bearer TOKEN`",
            )
            .into_response()
        }
        Err(e) => return e.into_response(),
    };
    if !kartoteka_model::allows(caller.user.role, caller.scopes.as_deref(), action) {
        let why = match &caller.scopes {
            Some(scopes) if kartoteka_model::role_allows(caller.user.role, action) => format!(
                "this token's scopes ({}) do not include {}",
                kartoteka_model::scope_list(scopes),
                action.scope()
            ),
            _ => format!("a {} may not do this", caller.user.role),
        };
        return forbidden(page.then_some(&parts), &caller, &why);
    }
    let mut body = body;
    if endpoint.method.changes_state() {
        if let Some(expected) = caller.csrf.as_deref() {
            let (ok, passed) = match csrf_sent(&parts.headers, body, app.config.body_limit).await {
                Ok(found) => found,
                Err(e) => return e.into_response(),
            };
            if !ok.is_some_and(|sent| same_secret(&sent, expected)) {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "the request does not carry this session's CSRF token (reload the page)",
                )
                .into_response();
            }
            body = passed;
        }
    }
    parts.extensions.insert(caller);
    next.run(Request::from_parts(parts, body)).await
}

/// The CSRF token a request sends, in its header or its form's `csrf` field, and the body
/// to pass on. The body is read (within the limit) only to find a form's field: with the
/// header, it passes untouched, so that an upload streams.
async fn csrf_sent(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<(Option<String>, Body), ApiError> {
    if let Some(sent) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Ok((Some(sent.to_string()), body));
    }
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Ok((None, body));
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than {limit} bytes"),
        )
    })?;
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned());
    Ok((sent, Body::from(bytes)))
}

/// The refusal: for a page, a page in the reader's language that still says who is
/// signed in (so that they can sign out); for the API, the JSON error.
fn forbidden(page: Option<&Parts>, caller: &Caller, why: &str) -> Response {
    let error = ApiError::forbidden(why);
    match page {
        Some(parts) => {
            crate::pages::error_page(crate::pages::Lang::of_request(parts), Some(caller), &error)
        }
        None => error.into_response(),
    }
}
