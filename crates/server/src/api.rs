//! The JSON API's handlers: each reads its input, calls one archive service, and answers
//! with what the service returned, as the command line's `--json` prints it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use kartoteka_archive::{ArchiveError, Caller, NewNote, NoteFilter, SearchOptions};
use kartoteka_model::{DateRange, DocId, Format, Reference};
use serde::Deserialize;

use crate::error::ApiError;
use crate::gate::{session_cookie, SESSION_COOKIE};
use crate::App;

/// A JSON body, read within the body limit; every failure is an [`ApiError`] with a code.
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, ApiError> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json"));
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "bad_request",
                "send the body as application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, &())
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(e.status(), "payload_too_large", e.body_text())
                } else {
                    ApiError::bad_request(e.body_text())
                }
            })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::bad_request(format!("the JSON body: {e}")))
    }
}

/// The caller's address, when the server knows it (not in tests that call the router
/// directly).
pub(crate) struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}

/// A query string read into `T`, every failure a `bad_request`.
pub(crate) struct QueryOf<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for QueryOf<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryOf(q.0))
            .map_err(|e| ApiError::bad_request(e.body_text()))
    }
}

/// The path's one parameter, as text.
pub(crate) async fn path_text<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<String, ApiError> {
    let Path(raw) = Path::<String>::from_request_parts(parts, state)
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?;
    Ok(raw)
}

/// The path's number (1 or more), or a `bad_request` saying it is not a `what` number.
pub(crate) async fn path_number<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    what: &str,
) -> Result<i64, ApiError> {
    let raw = path_text(parts, state).await?;
    raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::bad_request(format!(
            "{} is not a {what} number",
            kartoteka_model::excerpt(&raw)
        ))
    })
}

/// The path's id of the shape PREFIX and a number ("P17", "J3"), or a `bad_request`
/// saying it is not a `what`.
pub(crate) async fn path_id<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    prefix: char,
    what: &str,
) -> Result<String, ApiError> {
    let raw = path_text(parts, state).await?;
    let ok = raw.len() <= 20
        && raw
            .strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(raw)
    } else {
        Err(ApiError::bad_request(format!(
            "{} is not a {what} ({prefix} and a number)",
            kartoteka_model::excerpt(&raw)
        )))
    }
}

/// A document number from the path, every failure a `bad_request`.
pub(crate) struct DocNumber(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for DocNumber {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        path_number(parts, state, "document").await.map(DocNumber)
    }
}

#[derive(Deserialize)]
pub(crate) struct SignIn {
    name: String,
    password: String,
}

/// The `Set-Cookie` value of a session.
pub(crate) fn session_cookie_header(app: &App, secret: &str) -> HeaderValue {
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        app.config.session_hours * 3600
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The `Set-Cookie` value that removes the session cookie.
pub(crate) fn cleared_cookie() -> HeaderValue {
    HeaderValue::from_static("kartoteka_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// Signs in with the sign-in limiter before the password check. Returns the session's
/// CSRF token, its expiry and the cookie secret.
pub(crate) async fn sign_in_checked(
    app: &Arc<App>,
    name: String,
    password: String,
    address: Option<String>,
) -> Result<(Caller, String, String), ApiError> {
    if let Some(wait) = app.limiter.wait(&name, address.as_deref()) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            format!(
                "too many failed sign-ins; try again in {} minutes",
                wait.as_secs().div_ceil(60)
            ),
        ));
    }
    let hours = app.config.session_hours;
    let who = name.clone();
    let signed = app
        .write(name.clone(), move |a| {
            Ok(a.access().sign_in(&who, &password, hours)?)
        })
        .await?;
    match signed {
        Ok((session, secret)) => {
            app.limiter.succeeded(&name);
            let caller = app
                .read(move |a| Ok(a.access().by_session(&secret)?.map(|c| (c, secret))))
                .await?
                .map_err(|d| ApiError::unauthorized(d.to_string()))?;
            Ok((caller.0, session.expires, caller.1))
        }
        Err(denied) => {
            app.limiter.failed(&name, address.as_deref());
            Err(ApiError::unauthorized(denied.to_string()))
        }
    }
}

/// POST /api/session.
pub(crate) async fn sign_in(
    State(app): State<Arc<App>>,
    ClientAddr(address): ClientAddr,
    JsonBody(body): JsonBody<SignIn>,
) -> Result<Response, ApiError> {
    let (caller, expires, secret) =
        sign_in_checked(&app, body.name, body.password, address).await?;
    let mut response = Json(serde_json::json!({
        "user": caller.user.name,
        "role": caller.user.role,
        "csrf": caller.csrf,
        "expires": expires,
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie_header(&app, &secret));
    Ok(response)
}

/// Ends the session of the request's cookie, if it has one.
pub(crate) async fn end_session(
    app: &Arc<App>,
    caller: &Caller,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    if let Some(secret) = session_cookie(headers) {
        app.write(caller.user.name.clone(), move |a| {
            Ok(a.access().sign_out(&secret)?)
        })
        .await?;
    }
    Ok(())
}

/// DELETE /api/session.
pub(crate) async fn sign_out(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    end_session(&app, &caller, &headers).await?;
    let mut response = Json(serde_json::json!({"signed_out": true})).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cleared_cookie());
    Ok(response)
}

/// GET /api/me.
pub(crate) async fn me(Extension(caller): Extension<Caller>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "name": caller.user.name,
        "role": caller.user.role,
        "partner": caller.user.partner,
        "scopes": caller.scopes,
    }))
}

/// The search parameters, as the command line's flags.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct SearchParams {
    #[serde(default)]
    pub q: String,
    #[serde(rename = "in")]
    pub within: Option<String>,
    pub dates: Option<String>,
    pub lang: Option<String>,
    pub format: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub exact: bool,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    /// The interface's language (pages only).
    #[serde(default)]
    pub hl: Option<String>,
}

/// A boolean from a query string: `true` or `false`, as the OpenAPI document says (the
/// search form's checkbox sends `true`, and nothing when unticked); anything else,
/// the empty string included, is refused.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let s = String::deserialize(d)?;
    match s.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(serde::de::Error::custom(format!(
            "exact={s:?}: expected true or false"
        ))),
    }
}

/// The most hits a page of results may ask for.
pub(crate) const MAX_LIMIT: usize = 100;
/// The deepest a page of results may start.
pub(crate) const MAX_OFFSET: usize = 10_000;

impl SearchParams {
    /// The archive's search options, or what is wrong with the parameters.
    pub(crate) fn options(&self) -> Result<(SearchOptions, usize), ApiError> {
        let limit = self.limit.unwrap_or(10);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::bad_request(format!(
                "limit {limit}: from 1 to {MAX_LIMIT}"
            )));
        }
        let offset = self.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ApiError::bad_request(format!(
                "offset {offset}: at most {MAX_OFFSET}; narrow the search instead"
            )));
        }
        let within = self
            .within
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|r| {
                Reference::parse(r).map_err(|e| {
                    ApiError::bad_request(format!("in={}: {e}", kartoteka_model::excerpt(r)))
                })
            })
            .transpose()?;
        let format = self
            .format
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|f| {
                Format::parse(f)
                    .filter(|_| f == f.to_ascii_lowercase())
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "format={}: expected text, markdown, html, pdf, docx or image",
                            kartoteka_model::excerpt(f)
                        ))
                    })
            })
            .transpose()?;
        let dates = self
            .dates
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|d| {
                DateRange::parse(d).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "dates={}: expected 1937, 1937..1945 or 1941-06-22",
                        kartoteka_model::excerpt(d)
                    ))
                })
            })
            .transpose()?;
        Ok((
            SearchOptions {
                limit: offset + limit,
                within,
                language: self.lang.clone().filter(|s| !s.trim().is_empty()),
                format,
                dates,
                exact: self.exact,
            },
            offset,
        ))
    }
}

/// Runs a search with its page of hits.
pub(crate) async fn run_search(
    app: &App,
    params: &SearchParams,
) -> Result<kartoteka_archive::SearchResponse, ApiError> {
    if params.q.trim().is_empty() {
        return Err(ApiError::bad_request("q: say what to look for"));
    }
    if params.q.chars().count() > 2000 {
        return Err(ApiError::bad_request("q: at most 2000 characters"));
    }
    let (options, offset) = params.options()?;
    let q = params.q.clone();
    app.read(move |a| {
        let mut response = a.search(&q, &options).map_err(|e| match e {
            ArchiveError::Query(err) => {
                ApiError::bad_request(format!("query {}: {err}", kartoteka_model::excerpt(&q)))
            }
            other => other.into(),
        })?;
        response.hits.drain(..offset.min(response.hits.len()));
        Ok(response)
    })
    .await
}

/// GET /api/search: the holdings, or for a liaison only the reports released to its
/// service (see [`crate::portal::released_search`]).
pub(crate) async fn search(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    QueryOf(params): QueryOf<SearchParams>,
) -> Result<Response, ApiError> {
    if caller.user.role == kartoteka_model::Role::Liaison {
        let found = crate::portal::released_search(&app, &caller, &params).await?;
        return Ok(Json(found).into_response());
    }
    Ok(Json(run_search(&app, &params).await?).into_response())
}

/// Records in the audit chain that `caller` read document `n` `how`, before they see it,
/// when it is held under a marking above UNCLASSIFIED: a read that cannot be recorded
/// (the archive busy too long) is refused, never served unrecorded. Answers with the
/// document's marking.
pub(crate) async fn audited_read(
    app: &Arc<App>,
    caller: &Caller,
    n: i64,
    how: &'static str,
) -> Result<kartoteka_model::Marking, ApiError> {
    let marking = app.read(move |a| Ok(a.document_marking(DocId(n))?)).await?;
    if marking.classification == kartoteka_model::Classification::Unclassified {
        return Ok(marking);
    }
    app.write(caller.user.name.clone(), move |a| {
        Ok(a.record_read(DocId(n), how)?)
    })
    .await
}

/// GET /api/documents/{id}.
pub(crate) async fn document(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    DocNumber(n): DocNumber,
) -> Result<Response, ApiError> {
    audited_read(&app, &caller, n, "api").await?;
    let shown = app.read(move |a| Ok(a.show(&n.to_string())?)).await?;
    Ok(Json(shown).into_response())
}

#[derive(Deserialize)]
pub(crate) struct NotesParams {
    doc: Option<i64>,
    author: Option<String>,
}

/// GET /api/notes.
pub(crate) async fn notes(
    State(app): State<Arc<App>>,
    QueryOf(params): QueryOf<NotesParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if params.doc.is_some_and(|d| d < 1) {
        return Err(ApiError::bad_request("doc: a document number is 1 or more"));
    }
    let filter = NoteFilter {
        doc: params.doc.map(DocId),
        author: params.author,
        ..NoteFilter::default()
    };
    let notes = app.read(move |a| Ok(a.notes(&filter)?)).await?;
    Ok(Json(serde_json::json!({ "notes": notes })))
}

/// A note as the API takes it: the document (a number or a reference code), the quote,
/// and optionally the sheet, the comment and tags.
#[derive(Deserialize)]
pub(crate) struct NoteBody {
    target: String,
    quote: String,
    sheet: Option<u32>,
    comment: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    selector: Option<SelectorBody>,
}

/// Where the reader selected the quote: the page, and optionally the selection's first
/// character on it and the words around it (W3C TextPositionSelector and
/// TextQuoteSelector), to pick one of several places the quote occurs.
#[derive(Deserialize)]
pub(crate) struct SelectorBody {
    page: u32,
    start: Option<u32>,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    suffix: String,
}

impl SelectorBody {
    pub(crate) fn into_selection(self) -> Result<kartoteka_archive::Selection, ApiError> {
        if self.page == 0 || self.prefix.chars().count() > 200 || self.suffix.chars().count() > 200
        {
            return Err(ApiError::bad_request(
                "selector: a page is 1 or more, and prefix and suffix have at most 200 characters",
            ));
        }
        Ok(kartoteka_archive::Selection {
            page: self.page,
            start: self.start,
            prefix: self.prefix,
            suffix: self.suffix,
        })
    }
}

/// Adds a note as `caller`.
pub(crate) async fn write_note(
    app: &Arc<App>,
    caller: &Caller,
    new: NewNote,
) -> Result<kartoteka_model::Note, ApiError> {
    if new.quote.trim().is_empty() {
        return Err(ApiError::bad_request(
            "quote: select or type the passage the note is on",
        ));
    }
    if new.target.trim().is_empty() || new.target.chars().count() > 500 {
        return Err(ApiError::bad_request(
            "target: a document number or a reference code (at most 500 characters)",
        ));
    }
    if new.quote.chars().count() > 10_000
        || new
            .comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > 100_000)
    {
        return Err(ApiError::bad_request(
            "a quote has at most 10,000 characters and a comment 100,000",
        ));
    }
    app.write(caller.user.name.clone(), move |a| Ok(a.add_note(&new)?))
        .await
}

/// POST /api/notes.
pub(crate) async fn add_note(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<NoteBody>,
) -> Result<Response, ApiError> {
    let note = write_note(
        &app,
        &caller,
        NewNote {
            target: body.target,
            quote: body.quote,
            sheet: body.sheet,
            comment: body.comment,
            tags: body.tags,
            selector: body
                .selector
                .map(SelectorBody::into_selection)
                .transpose()?,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(note)).into_response())
}
